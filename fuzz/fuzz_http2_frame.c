/*
 * fuzz_http2_frame.c - the HTTP/2 frame codec on arbitrary bytes: frames
 * are walked as a receiver would (header parse, checks against a
 * max_frame_size taken from the first byte, payload split, SETTINGS and
 * PRIORITY decoding). Each frame's payload is copied to an exact-size
 * allocation so ASan catches any overread. Checks: the split payload lies
 * inside the frame; a valid frame re-serializes to the same header bytes;
 * SETTINGS values that pass the check are within the RFC ranges.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2.h"

static void
check_payload (const SocketHTTP2_FrameHeader *h, const unsigned char *pl)
{
  SocketHTTP2__Payload p;
  SocketHTTP2__Check c = SocketHTTP2__payload_split (h, pl, &p);

  if (c.code != HTTP2_NO_ERROR)
    return;
  CHECK (p.data >= pl && p.data + p.len <= pl + h->length);
  CHECK (p.len + p.pad_len <= h->length);
}

static void
check_settings (const SocketHTTP2_FrameHeader *h, const unsigned char *pl)
{
  size_t i;

  for (i = 0; i < h->length / 6; i++)
    {
      SocketHTTP2_Setting s;
      SocketHTTP2__setting_get (pl, i, &s);
      if (SocketHTTP2__setting_check (s.id, s.value).code != HTTP2_NO_ERROR)
        continue;
      if (s.id == HTTP2_SETTINGS_ENABLE_PUSH)
        CHECK (s.value <= 1);
      if (s.id == HTTP2_SETTINGS_INITIAL_WINDOW_SIZE)
        CHECK (s.value <= HTTP2_MAX_WINDOW);
      if (s.id == HTTP2_SETTINGS_MAX_FRAME_SIZE)
        CHECK (s.value >= 16384 && s.value <= 16777215);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint32_t max_frame;
  size_t off = 1;

  if (size < 1)
    return 0;
  max_frame = 16384u << (data[0] & 7); /* 16 KiB .. 2 MiB */
  while (off + HTTP2_FRAME_HEADER_SIZE <= size)
    {
      SocketHTTP2_FrameHeader h;
      SocketHTTP2__Check c;
      unsigned char again[HTTP2_FRAME_HEADER_SIZE], *pl;

      CHECK (SocketHTTP2_frame_header_parse (data + off, &h) == 0);
      CHECK (h.length <= 0xffffff && h.stream_id <= HTTP2_STREAM_ID_MAX);
      SocketHTTP2_frame_header_serialize (&h, again);
      CHECK (memcmp (again, data + off, 5) == 0);
      CHECK (((again[5] ^ data[off + 5]) & 0x7f) == 0 && memcmp (again + 6, data + off + 6, 3) == 0);
      c = SocketHTTP2__frame_check (&h, max_frame);
      off += HTTP2_FRAME_HEADER_SIZE;
      if (c.code != HTTP2_NO_ERROR && !c.stream_error)
        break;
      if (h.length > size - off)
        break;
      pl = xmalloc (h.length);
      memcpy (pl, data + off, h.length);
      if (c.code == HTTP2_NO_ERROR)
        {
          if (h.type == HTTP2_FRAME_DATA || h.type == HTTP2_FRAME_HEADERS || h.type == HTTP2_FRAME_PUSH_PROMISE
              || h.type == HTTP2_FRAME_CONTINUATION)
            check_payload (&h, pl);
          else if (h.type == HTTP2_FRAME_SETTINGS)
            check_settings (&h, pl);
          else if (h.type == HTTP2_FRAME_PRIORITY)
            {
              uint32_t dep;
              int excl;
              uint8_t w;
              SocketHTTP2__priority_parse (pl, &dep, &excl, &w);
              CHECK (dep <= HTTP2_STREAM_ID_MAX);
            }
        }
      free (pl);
      off += h.length;
    }
  return 0;
}
