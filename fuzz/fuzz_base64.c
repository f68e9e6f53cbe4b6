/*
 * fuzz_base64.c - SocketCrypto Base64: decoding arbitrary text never
 * writes past an exact-size heap buffer; whatever decodes re-encodes and
 * decodes to the same bytes; needs exactly the reported size; and any
 * bytes round-trip through encode/decode. abort() on any disagreement.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketCrypto.h"
#include "fuzz_common.h"



/* Encodes @p len bytes into an exact-size buffer and decodes them back. */
static void
check_roundtrip (const uint8_t *bytes, size_t len)
{
  size_t enc_size = SocketCrypto_base64_encoded_size (len);
  char *enc = xmalloc (enc_size);
  ssize_t elen = SocketCrypto_base64_encode (bytes, len, enc, enc_size);
  CHECK (elen >= 0 && (size_t)elen == enc_size - 1 && enc[elen] == '\0');
  CHECK (SocketCrypto_base64_encode (bytes, len, enc, enc_size - 1) == -1);

  uint8_t *back = xmalloc (len);
  CHECK (SocketCrypto_base64_decode (enc, (size_t)elen, back, len) == (ssize_t)len);
  CHECK (len == 0 || memcmp (back, bytes, len) == 0);
  free (back);
  free (enc);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* input_len 0 means strlen(input), so the text is NUL-terminated and
   * empty input goes through that path. */
  char *text = xmalloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';
  size_t bound = SocketCrypto_base64_decoded_size (size);
  uint8_t *out = xmalloc (bound);
  ssize_t n = SocketCrypto_base64_decode (text, size, out, bound);
  CHECK (n >= -1 && (n < 0 || (size_t)n <= bound));
  if (n >= 0)
    {
      /* The reported size is exactly enough, and one byte less is not. */
      uint8_t *exact = xmalloc ((size_t)n);
      CHECK (SocketCrypto_base64_decode (text, size, exact, (size_t)n) == n);
      CHECK (n == 0 || memcmp (exact, out, (size_t)n) == 0);
      if (n > 0)
        CHECK (SocketCrypto_base64_decode (text, size, exact, (size_t)n - 1) == -1);
      free (exact);
      check_roundtrip (out, (size_t)n);
    }
  free (out);
  free (text);
  check_roundtrip (data, size);
  return 0;
}
