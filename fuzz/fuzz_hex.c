/*
 * fuzz_hex.c - SocketCrypto hex: decoding arbitrary text succeeds exactly
 * for even-length strings of hex digits, into an exact-size heap buffer;
 * re-encoding gives the input back (case-folded); any bytes round-trip in
 * both cases. abort() on any disagreement.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketCrypto.h"
#include "fuzz_common.h"



static int
all_hex_digits (const uint8_t *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')
          || (s[i] >= 'A' && s[i] <= 'F')))
      return 0;
  return 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Decode the input as text. */
  uint8_t *out = xmalloc (size / 2);
  ssize_t n = SocketCrypto_hex_decode ((const char *)data, size, out);
  int valid = size % 2 == 0 && all_hex_digits (data, size);
  CHECK (valid ? n == (ssize_t)(size / 2) : n == -1);
  if (valid)
    {
      char *again = xmalloc (size + 1);
      SocketCrypto_hex_encode (out, (size_t)n, again, 1);
      for (size_t i = 0; i < size; i++)
        CHECK (again[i] == tolower (data[i]));
      CHECK (again[size] == '\0');
      free (again);
    }
  free (out);

  /* Encode the input as bytes, in both cases, and decode it back. */
  char *enc = xmalloc (2 * size + 1);
  uint8_t *back = xmalloc (size);
  for (int lower = 0; lower <= 1; lower++)
    {
      SocketCrypto_hex_encode (data, size, enc, lower);
      CHECK (strlen (enc) == 2 * size);
      CHECK (SocketCrypto_hex_decode (enc, 2 * size, back) == (ssize_t)size);
      CHECK (size == 0 || memcmp (back, data, size) == 0);
    }
  free (back);
  free (enc);
  return 0;
}
