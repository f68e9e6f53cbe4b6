/*
 * fuzz_huffman_decode.c - SocketHPACK_huffman_decode on arbitrary bytes.
 * The code is canonical and the padding fixed (< 8 one bits), so a string
 * that decodes must re-encode to exactly the input; decoding must fail
 * with one byte less room than it needs; and any byte string must survive
 * encode -> decode unchanged.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHPACK.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  size_t cap = size / 5 * 8 + (size % 5) * 8 / 5; /* every code >= 5 bits */
  uint8_t *out = xmalloc (cap);
  ssize_t n = SocketHPACK_huffman_decode (data, size, out, cap);

  if (n >= 0)
    {
      CHECK ((size_t)n <= cap);
      CHECK (SocketHPACK_huffman_encoded_size (out, (size_t)n) == size);
      uint8_t *again = xmalloc (size);
      CHECK (SocketHPACK_huffman_encode (out, (size_t)n, again, size) == (ssize_t)size);
      CHECK (memcmp (again, data, size) == 0);
      free (again);
      if (n > 0)
        CHECK (SocketHPACK_huffman_decode (data, size, out, (size_t)n - 1) == -1);
    }
  free (out);

  size_t enc_len = SocketHPACK_huffman_encoded_size (data, size);
  uint8_t *enc = xmalloc (enc_len), *dec = xmalloc (size);
  CHECK (SocketHPACK_huffman_encode (data, size, enc, enc_len) == (ssize_t)enc_len);
  CHECK (SocketHPACK_huffman_decode (enc, enc_len, dec, size) == (ssize_t)size);
  CHECK (memcmp (dec, data, size) == 0);
  free (enc);
  free (dec);
  return 0;
}
