/*
 * fuzz_utf8.c - SocketUTF8 consistency: one-shot vs incremental (split
 * points taken from the first input bytes), SIMD vs portable scan, the
 * decode loop and count_codepoints must all agree. abort() on any
 * disagreement.
 *
 * Input layout: byte 0 = number of split points (mod 8), byte 1 = seed for
 * their positions; the rest is the text.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/SocketUTF8-private.h"
#include "core/SocketUTF8.h"
#include "fuzz_common.h"

/* Feeds text in pieces whose boundaries follow a small LCG. */
static SocketUTF8_Result
validate_in_pieces (const uint8_t *text, size_t len, unsigned pieces, unsigned seed)
{
  SocketUTF8_State st;
  SocketUTF8_Result r = UTF8_VALID;
  size_t pos = 0;
  SocketUTF8_init (&st);
  for (unsigned p = 0; p < pieces && pos < len; p++)
    {
      seed = seed * 1103515245u + 12345u;
      size_t take = (seed >> 8) % (len - pos + 1);
      r = SocketUTF8_update (&st, text + pos, take);
      pos += take;
    }
  r = SocketUTF8_update (&st, text + pos, len - pos);
  CHECK (SocketUTF8_finish (&st) == r);
  return r;
}

static SocketUTF8_Result
validate_bytewise (const uint8_t *text, size_t len)
{
  SocketUTF8_State st;
  SocketUTF8_Result r = UTF8_VALID;
  SocketUTF8_init (&st);
  for (size_t i = 0; i < len; i++)
    r = SocketUTF8_update (&st, text + i, 1);
  return r;
}

/* Decodes code point by code point; returns the first non-VALID result
 * (or UTF8_VALID) and the number of code points seen. */
static SocketUTF8_Result
decode_loop (const uint8_t *text, size_t len, size_t *points)
{
  SocketUTF8_Result first = UTF8_VALID;
  size_t pos = 0;
  *points = 0;
  while (pos < len)
    {
      uint32_t cp = 0;
      size_t used = 0;
      SocketUTF8_Result r = SocketUTF8_decode (text + pos, len - pos, &cp, &used);
      CHECK (used >= 1 && used <= len - pos);
      if (r == UTF8_VALID)
        {
          unsigned char again[4];
          CHECK (SocketUTF8_encode (cp, again) == (int)used);
          for (size_t i = 0; i < used; i++)
            CHECK (again[i] == text[pos + i]);
        }
      else if (first == UTF8_VALID)
        first = r;
      pos += used;
      (*points)++;
    }
  return first;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  unsigned pieces = data[0] % 8, seed = data[1];
  const uint8_t *text = data + 2;
  size_t len = size - 2;

  SocketUTF8_Result oneshot = SocketUTF8_validate (text, len);
  CHECK (oneshot >= UTF8_VALID && oneshot <= UTF8_TOO_LARGE);
  CHECK (SocketUTF8__validate_portable (text, len) == oneshot);
  CHECK (validate_in_pieces (text, len, pieces, seed) == oneshot);
  if (len <= 4096)
    CHECK (validate_bytewise (text, len) == oneshot);

  size_t points = 0, count = (size_t)-1;
  CHECK (decode_loop (text, len, &points) == oneshot);
  SocketUTF8_Result counted = SocketUTF8_count_codepoints (text, len, &count);
  CHECK (counted == oneshot);
  CHECK (counted != UTF8_VALID || count == points);
  return 0;
}
