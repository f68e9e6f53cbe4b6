/*
 * fuzz_ws_utf8.c - UTF-8 validation across fragment boundaries must agree
 * with one-shot validation. Byte 0 seeds where the text is cut into
 * fragments and how the wire bytes are chopped; the rest is the text. It
 * is sent (unchecked) as a fragmented TEXT message by a client codec and
 * received by a server codec: the message must arrive exactly when
 * SocketUTF8_validate accepts the whole text, else the server must fail
 * with 1007.
 */
#include <string.h>

#include "core/SocketUTF8.h"
#include "fuzz_common.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SocketWS_Config cc, sc;
  SocketWSExt_Codec_T c, s;
  SocketWS_Message m;
  const uint8_t *text;
  size_t len, off = 0, n;
  const unsigned char *p;
  uint32_t rng;
  int valid, r = 0;

  if (size < 1)
    return 0;
  text = data + 1;
  len = size - 1;
  valid = SocketUTF8_validate (text, len) == UTF8_VALID;
  SocketWS_config_defaults (&cc);
  cc.validate_utf8 = 0; /* the sender lets invalid text out on purpose */
  SocketWS_config_defaults (&sc);
  sc.role = WS_ROLE_SERVER;
  c = SocketWSExt_codec_new (&cc, NULL);
  s = SocketWSExt_codec_new (&sc, NULL);
  CHECK (c && s);
  rng = 0x2545F491u ^ data[0];
  CHECK (SocketWSExt_send_begin (c, WS_OPCODE_TEXT) == WS_OK);
  while (off < len)
    {
      size_t k;
      rng = rng * 1664525u + 1013904223u;
      k = 1 + (rng >> 24) % 7;
      if (k > len - off)
        k = len - off;
      CHECK (SocketWSExt_send_continue (c, text + off, k) == WS_OK);
      off += k;
    }
  CHECK (SocketWSExt_send_finish (c, NULL, 0) == WS_OK);
  p = SocketWSExt_output (c, &n);
  off = 0;
  while (off < n && r == 0)
    {
      size_t k;
      rng = rng * 1664525u + 1013904223u;
      k = 1 + (rng >> 20) % 13;
      if (k > n - off)
        k = n - off;
      off += SocketWSExt_input (s, p + off, k);
      r = SocketWSExt_next_message (s, &m);
    }
  if (valid)
    {
      CHECK (r == 1 && m.len == len && (len == 0 || memcmp (m.data, text, len) == 0));
      SocketWS_Message_free (&m);
    }
  else
    {
      CHECK (r == -1);
      CHECK (SocketWSExt_close_code (s) == 1007);
    }
  SocketWSExt_codec_free (&c);
  SocketWSExt_codec_free (&s);
  return 0;
}
