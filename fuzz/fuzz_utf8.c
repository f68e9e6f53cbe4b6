/*
 * fuzz_utf8.c - SocketUTF8 consistency: one-shot vs incremental (split
 * points taken from the first input bytes), SIMD vs portable scan must
 * agree; the decode loop and count_codepoints must agree with each other
 * and with validate on validity. abort() on any disagreement.
 *
 * Input layout: byte 0 = number of split points (mod 8), byte 1 = seed for
 * their positions; the rest is the text.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/SocketUTF8-private.h"
#include "core/SocketUTF8.h"
#include "fuzz_common.h"

static int
is_error (SocketUTF8_Result r)
{
  return r != UTF8_VALID && r != UTF8_INCOMPLETE;
}

/* One update; keeps the first error. Once failed, every update must say
 * UTF8_INVALID (state 1), as in the original library. */
static SocketUTF8_Result
feed (SocketUTF8_State *st, SocketUTF8_Result first, const uint8_t *p, size_t n,
      SocketUTF8_Result *last)
{
  *last = SocketUTF8_update (st, p, n);
  if (is_error (first))
    {
      CHECK (*last == UTF8_INVALID && st->state == 1);
      return first;
    }
  return *last;
}

static SocketUTF8_Result
finish_check (const SocketUTF8_State *st, SocketUTF8_Result r)
{
  CHECK (SocketUTF8_finish (st) == (is_error (r) ? UTF8_INVALID : r));
  return r;
}

/* Feeds text in pieces whose boundaries follow a small LCG. */
static SocketUTF8_Result
validate_in_pieces (const uint8_t *text, size_t len, unsigned pieces, unsigned seed)
{
  SocketUTF8_State st;
  SocketUTF8_Result r = UTF8_VALID, last;
  size_t pos = 0;
  SocketUTF8_init (&st);
  for (unsigned p = 0; p < pieces && pos < len; p++)
    {
      seed = seed * 1103515245u + 12345u;
      size_t take = (seed >> 8) % (len - pos + 1);
      r = feed (&st, r, text + pos, take, &last);
      pos += take;
    }
  r = feed (&st, r, text + pos, len - pos, &last);
  return finish_check (&st, r);
}

static SocketUTF8_Result
validate_bytewise (const uint8_t *text, size_t len)
{
  SocketUTF8_State st;
  SocketUTF8_Result r = UTF8_VALID, last;
  SocketUTF8_init (&st);
  for (size_t i = 0; i < len; i++)
    r = feed (&st, r, text + i, 1, &last);
  return finish_check (&st, r);
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

  /* The decoder classifies errors differently (as the original's does),
   * but agrees on validity; count_codepoints reports its first error. */
  size_t points = 0, count = (size_t)-1;
  SocketUTF8_Result decoded = decode_loop (text, len, &points);
  CHECK ((decoded == UTF8_VALID) == (oneshot == UTF8_VALID));
  SocketUTF8_Result counted = SocketUTF8_count_codepoints (text, len, &count);
  CHECK (counted == decoded);
  CHECK (count == (counted == UTF8_VALID ? points : 0));
  return 0;
}
