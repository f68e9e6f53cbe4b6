/*
 * fuzz_ws_frame.c - arbitrary peer bytes through the WebSocket codec
 * (SocketWSExt_*). Byte 0: bit 0 server role, bit 1 permessage-deflate,
 * bit 2 UTF-8 validation off, bit 3 no context takeover, bits 4-5 pick
 * small limits; byte 1 seeds the chunk sizes. Every complete message is
 * echoed (exercising the sender and compressor). Invariants: events come
 * in START (DATA*) END order; a message never exceeds max_message_size; a
 * validated TEXT message is UTF-8; an ERROR carries 1002/1007/1009/1011
 * and leaves a CLOSE queued; nothing follows ERROR or CLOSE. Without
 * permessage-deflate compiled in, a codec asked to compress must be
 * refused; the input then runs through a plain codec (where RSV1 is a
 * protocol error).
 */
#include <string.h>

#include "core/SocketUTF8.h"
#include "fuzz_common.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SocketWS_Config cfg;
  SocketWSExt_Deflate d = { 1, 0, 0, 15, 15 };
  SocketWSExt_Codec_T c;
  SocketWSExt_Event ev;
  unsigned char *msg = NULL;
  size_t msg_len = 0, pos = 2;
  uint32_t rng;
  int in_msg = 0, op = 0, stopped = 0;

  if (size < 2)
    return 0;
  SocketWS_config_defaults (&cfg);
  cfg.role = (data[0] & 1) ? WS_ROLE_SERVER : WS_ROLE_CLIENT;
  cfg.validate_utf8 = !(data[0] & 4);
  d.server_no_context_takeover = d.client_no_context_takeover = (data[0] >> 3) & 1;
  switch ((data[0] >> 4) & 3)
    {
    case 1: cfg.max_message_size = 1000; break;
    case 2: cfg.max_frame_size = 100; cfg.max_fragments = 8; break;
    case 3: cfg.max_message_size = 70000; cfg.max_frame_size = 65536; break;
    default: cfg.max_message_size = 1 << 20; break;
    }
  c = SocketWSExt_codec_new (&cfg, (data[0] & 2) ? &d : NULL);
  CHECK ((c != NULL) == (!(data[0] & 2) || SocketWSExt_deflate_available ()));
  if (c == NULL)
    c = SocketWSExt_codec_new (&cfg, NULL);
  CHECK (c != NULL);
  rng = 0x9E3779B9u ^ data[1];
  while (pos < size && !stopped)
    {
      size_t chunk;
      rng = rng * 1103515245u + 12345u;
      chunk = 1 + (rng >> 16) % 97;
      if (chunk > size - pos)
        chunk = size - pos;
      pos += SocketWSExt_input (c, data + pos, chunk);
      while (SocketWSExt_next_event (c, &ev))
        {
          CHECK (!stopped);
          switch (ev.type)
            {
            case WSEXT_EV_MESSAGE_START:
              CHECK (!in_msg);
              CHECK (ev.opcode == WS_OPCODE_TEXT || ev.opcode == WS_OPCODE_BINARY);
              in_msg = 1;
              op = ev.opcode;
              msg_len = 0;
              break;
            case WSEXT_EV_DATA:
              CHECK (in_msg && ev.len > 0);
              CHECK (msg_len + ev.len <= cfg.max_message_size);
              msg = realloc (msg, msg_len + ev.len);
              CHECK (msg != NULL);
              memcpy (msg + msg_len, ev.data, ev.len);
              msg_len += ev.len;
              break;
            case WSEXT_EV_MESSAGE_END:
              CHECK (in_msg);
              in_msg = 0;
              if (op == WS_OPCODE_TEXT && cfg.validate_utf8)
                CHECK (SocketUTF8_validate (msg, msg_len) == UTF8_VALID);
              SocketWSExt_send_message (c, (SocketWS_Opcode)op, msg, msg_len);
              break;
            case WSEXT_EV_PING:
            case WSEXT_EV_PONG:
              CHECK (ev.len <= 125);
              break;
            case WSEXT_EV_CLOSE:
              CHECK (SocketWSExt_close_received (c));
              stopped = 1;
              break;
            case WSEXT_EV_ERROR:
              CHECK (ev.close_code == 1002 || ev.close_code == 1007 || ev.close_code == 1009
                     || ev.close_code == 1011);
              CHECK (SocketWSExt_close_sent (c));
              stopped = 1;
              break;
            }
        }
      if (stopped)
        break;
      {
        size_t n;
        if (SocketWSExt_output (c, &n))
          SocketWSExt_output_consumed (c, n);
      }
    }
  free (msg);
  SocketWSExt_codec_free (&c);
  return 0;
}
