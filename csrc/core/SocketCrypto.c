/*
 * SocketCrypto.c - hashes, HMAC, Base64/hex, CSPRNG, constant-time helpers
 * and the WebSocket handshake values.
 *
 * Digests, HMAC, randomness, constant-time comparison and cleansing come
 * from OpenSSL's libcrypto (required in every build configuration). The
 * codecs are our own: they handle untrusted input, so they report bad input
 * as -1 and never write past the caller's buffer.
 */

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/SocketCrypto.h"
#include "core/SocketUtil.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketCrypto);
const Except_T SocketCrypto_Failed = { &SocketCrypto_Failed, "Cryptographic operation failed" };

/* Stands in for NULL buffers of length 0: some OpenSSL versions treat a
 * NULL key or message specially even when its length is 0. */
static const unsigned char empty_input[1] = { 0 };

/* ===================================================================== */
/* Digests and HMAC                                                       */
/* ===================================================================== */

/* One-shot digest; returns 0 on success, -1 if the backend fails (e.g. an
 * algorithm disabled by a FIPS provider). */
static int
digest_into (const EVP_MD *md, const void *input, size_t input_len,
             unsigned char *output, unsigned int expected_len)
{
  unsigned int out_len = 0;
  if (input == NULL)
    input = empty_input;
  if (md == NULL || EVP_Digest (input, input_len, output, &out_len, md, NULL) != 1
      || out_len != expected_len)
    return -1;
  return 0;
}

static void
digest (const char *name, const EVP_MD *md, const void *input, size_t input_len,
        unsigned char *output, unsigned int expected_len)
{
  if (input == NULL && input_len != 0)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed,
                      "%s: NULL input with non-zero length", name);
  if (output == NULL)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed, "%s: NULL output", name);
  if (digest_into (md, input, input_len, output, expected_len) != 0)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed,
                      "%s: digest computation failed", name);
}

void
SocketCrypto_sha1 (const void *input, size_t input_len,
                   unsigned char output[SOCKET_CRYPTO_SHA1_SIZE])
{
  digest ("SHA-1", EVP_sha1 (), input, input_len, output, SOCKET_CRYPTO_SHA1_SIZE);
}

void
SocketCrypto_sha256 (const void *input, size_t input_len,
                     unsigned char output[SOCKET_CRYPTO_SHA256_SIZE])
{
  digest ("SHA-256", EVP_sha256 (), input, input_len, output,
          SOCKET_CRYPTO_SHA256_SIZE);
}

void
SocketCrypto_md5 (const void *input, size_t input_len,
                  unsigned char output[SOCKET_CRYPTO_MD5_SIZE])
{
  digest ("MD5", EVP_md5 (), input, input_len, output, SOCKET_CRYPTO_MD5_SIZE);
}

/*
 * HMAC() is the one-shot interface present in both OpenSSL 1.1.1 and 3.x
 * (only the HMAC_CTX functions are deprecated in 3.0). Its key length is an
 * int; RFC 2104 replaces keys longer than the block size by their digest,
 * so hashing an oversized key first gives the same MAC.
 */
void
SocketCrypto_hmac_sha256 (const void *key, size_t key_len, const void *data,
                          size_t data_len,
                          unsigned char output[SOCKET_CRYPTO_SHA256_SIZE])
{
  unsigned char hashed_key[SOCKET_CRYPTO_SHA256_SIZE];
  unsigned int out_len = 0;

  if ((key == NULL && key_len != 0) || (data == NULL && data_len != 0))
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed,
                      "HMAC-SHA256: NULL %s with length %zu",
                      key == NULL && key_len != 0 ? "key" : "data",
                      key == NULL && key_len != 0 ? key_len : data_len);
  if (output == NULL)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed, "HMAC-SHA256: NULL output");
  if (key_len > INT_MAX)
    {
      SocketCrypto_sha256 (key, key_len, hashed_key);
      key = hashed_key;
      key_len = sizeof (hashed_key);
    }
  if (key_len == 0)
    key = empty_input;
  if (data_len == 0)
    data = empty_input;

  unsigned char *mac = HMAC (EVP_sha256 (), key, (int)key_len, data, data_len,
                             output, &out_len);
  OPENSSL_cleanse (hashed_key, sizeof (hashed_key));
  if (mac == NULL || out_len != SOCKET_CRYPTO_SHA256_SIZE)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed,
                      "HMAC-SHA256: computation failed");
}

/* ===================================================================== */
/* Base64 (RFC 4648 section 4)                                            */
/* ===================================================================== */

static const char base64_alphabet[64]
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The encoder looks up 12 bits (two output characters) at a time: an
 * 8 KiB table of character pairs, built by the preprocessor from the
 * alphabet rule so it cannot drift from base64_alphabet. */
#define B64_CHAR(v)                                                           \
  ((v) < 26 ? 'A' + (v) : (v) < 52 ? 'a' + (v)-26 : (v) < 62 ? '0' + (v)-52  \
   : (v) == 62 ? '+' : '/')
#define B64_PAIR(hi, lo) { (char)B64_CHAR (hi), (char)B64_CHAR (lo) }
#define B64_PAIRS8(hi, lo)                                                    \
  B64_PAIR (hi, lo), B64_PAIR (hi, lo + 1), B64_PAIR (hi, lo + 2),            \
      B64_PAIR (hi, lo + 3), B64_PAIR (hi, lo + 4), B64_PAIR (hi, lo + 5),    \
      B64_PAIR (hi, lo + 6), B64_PAIR (hi, lo + 7)
#define B64_PAIRS64(hi)                                                       \
  B64_PAIRS8 (hi, 0), B64_PAIRS8 (hi, 8), B64_PAIRS8 (hi, 16),                \
      B64_PAIRS8 (hi, 24), B64_PAIRS8 (hi, 32), B64_PAIRS8 (hi, 40),          \
      B64_PAIRS8 (hi, 48), B64_PAIRS8 (hi, 56)
#define B64_PAIRS512(hi)                                                      \
  B64_PAIRS64 (hi), B64_PAIRS64 (hi + 1), B64_PAIRS64 (hi + 2),               \
      B64_PAIRS64 (hi + 3), B64_PAIRS64 (hi + 4), B64_PAIRS64 (hi + 5),       \
      B64_PAIRS64 (hi + 6), B64_PAIRS64 (hi + 7)

static const char base64_pairs[4096][2] = {
  B64_PAIRS512 (0),  B64_PAIRS512 (8),  B64_PAIRS512 (16), B64_PAIRS512 (24),
  B64_PAIRS512 (32), B64_PAIRS512 (40), B64_PAIRS512 (48), B64_PAIRS512 (56),
};

/* Decode table. Unlisted bytes are 0 = invalid, so no entry is written
 * twice; alphabet characters carry B64_SEXTET plus their 6-bit value,
 * which lets the fast path test four characters with one AND. */
enum
{
  B64_INVALID = 0x00,
  B64_WS = 0x40,     /* ASCII whitespace: skipped */
  B64_PAD = 0x41,    /* '=' */
  B64_SEXTET = 0x80  /* flag: value in the low 6 bits */
};

#define SEXTET(v) (B64_SEXTET | (v))

static const unsigned char base64_values[256] = {
  ['A'] = SEXTET (0), ['B'] = SEXTET (1), ['C'] = SEXTET (2), ['D'] = SEXTET (3),
  ['E'] = SEXTET (4), ['F'] = SEXTET (5), ['G'] = SEXTET (6), ['H'] = SEXTET (7),
  ['I'] = SEXTET (8), ['J'] = SEXTET (9), ['K'] = SEXTET (10), ['L'] = SEXTET (11),
  ['M'] = SEXTET (12), ['N'] = SEXTET (13), ['O'] = SEXTET (14), ['P'] = SEXTET (15),
  ['Q'] = SEXTET (16), ['R'] = SEXTET (17), ['S'] = SEXTET (18), ['T'] = SEXTET (19),
  ['U'] = SEXTET (20), ['V'] = SEXTET (21), ['W'] = SEXTET (22), ['X'] = SEXTET (23),
  ['Y'] = SEXTET (24), ['Z'] = SEXTET (25), ['a'] = SEXTET (26), ['b'] = SEXTET (27),
  ['c'] = SEXTET (28), ['d'] = SEXTET (29), ['e'] = SEXTET (30), ['f'] = SEXTET (31),
  ['g'] = SEXTET (32), ['h'] = SEXTET (33), ['i'] = SEXTET (34), ['j'] = SEXTET (35),
  ['k'] = SEXTET (36), ['l'] = SEXTET (37), ['m'] = SEXTET (38), ['n'] = SEXTET (39),
  ['o'] = SEXTET (40), ['p'] = SEXTET (41), ['q'] = SEXTET (42), ['r'] = SEXTET (43),
  ['s'] = SEXTET (44), ['t'] = SEXTET (45), ['u'] = SEXTET (46), ['v'] = SEXTET (47),
  ['w'] = SEXTET (48), ['x'] = SEXTET (49), ['y'] = SEXTET (50), ['z'] = SEXTET (51),
  ['0'] = SEXTET (52), ['1'] = SEXTET (53), ['2'] = SEXTET (54), ['3'] = SEXTET (55),
  ['4'] = SEXTET (56), ['5'] = SEXTET (57), ['6'] = SEXTET (58), ['7'] = SEXTET (59),
  ['8'] = SEXTET (60), ['9'] = SEXTET (61), ['+'] = SEXTET (62), ['/'] = SEXTET (63),
  /* The URL-safe alphabet (RFC 4648 section 5) is accepted too, mixed
   * freely, as the original library does. */
  ['-'] = SEXTET (62), ['_'] = SEXTET (63),
  [' '] = B64_WS, ['\t'] = B64_WS, ['\r'] = B64_WS, ['\n'] = B64_WS,
  ['='] = B64_PAD,
};

#undef SEXTET

size_t
SocketCrypto_base64_encoded_size (size_t input_len)
{
  size_t groups = input_len / 3 + (input_len % 3 != 0);
  if (groups > (SIZE_MAX - 1) / 4)
    return SIZE_MAX; /* saturate: no buffer can be that large */
  return groups * 4 + 1;
}

size_t
SocketCrypto_base64_decoded_size (size_t input_len)
{
  /* ((n + 3) / 4) * 3 as in the original (a partial group counts as a
   * whole one: 2 -> 3, 5 -> 6), written so it cannot overflow. */
  return input_len / 4 * 3 + (input_len % 4 != 0 ? 3 : 0);
}

ssize_t
SocketCrypto_base64_encode (const void *input, size_t input_len, char *output,
                            size_t output_size)
{
  const unsigned char *in = input;
  size_t needed = SocketCrypto_base64_encoded_size (input_len);
  if (output == NULL || (in == NULL && input_len != 0) || needed > output_size
      || needed - 1 > (size_t)SSIZE_MAX)
    return -1;

  char *out = output;
  size_t i = 0;
  for (; input_len - i >= 3; i += 3, out += 4)
    {
      uint32_t group = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
      memcpy (out, base64_pairs[group >> 12], 2);
      memcpy (out + 2, base64_pairs[group & 0xFFF], 2);
    }
  if (input_len - i != 0)
    {
      int two = input_len - i == 2;
      uint32_t group = (uint32_t)in[i] << 16 | (two ? (uint32_t)in[i + 1] << 8 : 0);
      out[0] = base64_alphabet[group >> 18];
      out[1] = base64_alphabet[(group >> 12) & 63];
      out[2] = two ? base64_alphabet[(group >> 6) & 63] : '=';
      out[3] = '=';
      out += 4;
    }
  *out = '\0';
  return (ssize_t)(out - output);
}

/* Decoder state between characters. */
typedef struct
{
  uint32_t bits;          /* sextets of the current group, newest lowest */
  unsigned pending;       /* sextets in the current group (0..3) */
  unsigned pads_expected; /* '=' a padded ending needs (0 = none seen yet) */
  unsigned pads_seen;
  size_t written;
} Base64Decoder;

/* Emits the bytes of a final group of 2 or 3 sextets. Non-zero unused low
 * bits are ignored, as in the original library (RFC 4648 section 3.5
 * allows either). One lone sextet is an error. */
static int
base64_finish_group (Base64Decoder *d, unsigned char *output, size_t output_size)
{
  if (d->pending == 0)
    return 0;
  unsigned bytes = d->pending - 1; /* 2 sextets -> 1 byte, 3 -> 2 bytes */
  unsigned unused_bits = d->pending == 2 ? 4 : 2;
  if (d->pending == 1 || output_size - d->written < bytes)
    return -1;
  uint32_t value = d->bits >> unused_bits;
  if (bytes == 2)
    output[d->written++] = (unsigned char)(value >> 8);
  output[d->written++] = (unsigned char)value;
  d->pending = 0;
  return 0;
}

/* Feeds one decoded character value (sextet or marker). */
static int
base64_feed (Base64Decoder *d, unsigned char value, unsigned char *output,
             size_t output_size)
{
  if (value == B64_WS)
    return 0;
  if (value == B64_INVALID)
    return -1;
  if (value == B64_PAD)
    {
      if (d->pads_seen == 0)
        {
          /* "xx==" / "xxx=": the first '=' closes a group of 2 or 3. */
          if (d->pending < 2)
            return -1;
          d->pads_expected = 4 - d->pending;
          if (base64_finish_group (d, output, output_size) < 0)
            return -1;
        }
      return ++d->pads_seen <= d->pads_expected ? 0 : -1;
    }
  if (d->pads_seen != 0)
    return -1; /* data after padding */
  d->bits = (d->bits << 6) | (value & 63u);
  if (++d->pending < 4)
    return 0;
  if (output_size - d->written < 3)
    return -1;
  output[d->written++] = (unsigned char)(d->bits >> 16);
  output[d->written++] = (unsigned char)(d->bits >> 8);
  output[d->written++] = (unsigned char)d->bits;
  d->bits = 0;
  d->pending = 0;
  return 0;
}

/*
 * Fast path: decodes whole groups of four alphabet characters into
 * d->written.. while the output has room. Returns the input index of the
 * first character it could not take (whitespace, '=', invalid, or a group
 * that would not fit), which the caller feeds through base64_feed().
 */
static size_t
base64_decode_groups (const unsigned char *in, size_t i, size_t input_len,
                      unsigned char *output, size_t output_size, size_t *written)
{
  size_t out = *written;
  while (input_len - i >= 4 && output_size - out >= 3)
    {
      unsigned a = base64_values[in[i]], b = base64_values[in[i + 1]];
      unsigned c = base64_values[in[i + 2]], e = base64_values[in[i + 3]];
      if ((a & b & c & e & B64_SEXTET) == 0)
        break;
      uint32_t group = (a & 63u) << 18 | (b & 63u) << 12 | (c & 63u) << 6 | (e & 63u);
      output[out] = (unsigned char)(group >> 16);
      output[out + 1] = (unsigned char)(group >> 8);
      output[out + 2] = (unsigned char)group;
      out += 3;
      i += 4;
    }
  *written = out;
  return i;
}

ssize_t
SocketCrypto_base64_decode (const char *input, size_t input_len,
                            unsigned char *output, size_t output_size)
{
  const unsigned char *in = (const unsigned char *)input;
  Base64Decoder d = { 0, 0, 0, 0, 0 };
  size_t i = 0;

  if (output == NULL)
    return -1;
  if (in == NULL)
    return output_size >= 1 ? 0 : -1;
  if (input_len == 0)
    input_len = strlen (input);
  while (i < input_len)
    {
      if (d.pending == 0 && d.pads_seen == 0)
        {
          i = base64_decode_groups (in, i, input_len, output, output_size, &d.written);
          if (i == input_len)
            break;
        }
      if (base64_feed (&d, base64_values[in[i]], output, output_size) < 0)
        return -1;
      i++;
    }
  if (d.pads_seen != d.pads_expected)
    return -1; /* "xx=": padding present but short */
  if (base64_finish_group (&d, output, output_size) < 0)
    return -1; /* an unpadded ending is accepted if its bits are clean */
  if (d.written > (size_t)SSIZE_MAX)
    return -1;
  return (ssize_t)d.written;
}

/* ===================================================================== */
/* Hex                                                                    */
/* ===================================================================== */

void
SocketCrypto_hex_encode (const void *input, size_t input_len, char *output,
                         int lowercase)
{
  static const char lower[16] = "0123456789abcdef";
  static const char upper[16] = "0123456789ABCDEF";
  const char *digits = lowercase ? lower : upper;
  const unsigned char *in = input;

  if (output == NULL)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed, "hex encode: NULL output");
  if (in == NULL)
    input_len = 0; /* as the original: "" */
  for (size_t i = 0; i < input_len; i++)
    {
      output[2 * i] = digits[in[i] >> 4];
      output[2 * i + 1] = digits[in[i] & 0x0F];
    }
  output[2 * input_len] = '\0';
}

/* Value of a hex digit, or -1. */
static int
hex_value (unsigned char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20; /* fold ASCII letters to lower case */
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

ssize_t
SocketCrypto_hex_decode (const char *input, size_t input_len, unsigned char *output)
{
  const unsigned char *in = (const unsigned char *)input;
  if (input_len % 2 != 0)
    return -1;
  if (input_len == 0)
    return 0;
  if (in == NULL || output == NULL)
    return -1;
  for (size_t i = 0; i < input_len; i += 2)
    {
      int hi = hex_value (in[i]), lo = hex_value (in[i + 1]);
      if (hi < 0 || lo < 0)
        return -1;
      output[i / 2] = (unsigned char)(hi << 4 | lo);
    }
  return (ssize_t)(input_len / 2);
}

/* ===================================================================== */
/* Randomness                                                             */
/* ===================================================================== */

int
SocketCrypto_random_bytes (void *output, size_t len)
{
  unsigned char *out = output;
  if (len == 0)
    return 0;
  if (out == NULL)
    return -1;
  while (len > 0)
    {
      int chunk = len > INT_MAX ? INT_MAX : (int)len; /* RAND_bytes takes int */
      if (RAND_bytes (out, chunk) != 1)
        return -1;
      out += chunk;
      len -= (size_t)chunk;
    }
  return 0;
}

uint32_t
SocketCrypto_random_uint32 (void)
{
  unsigned char bytes[4];
  if (SocketCrypto_random_bytes (bytes, sizeof (bytes)) != 0)
    SOCKET_RAISE_MSG (SocketCrypto, SocketCrypto_Failed,
                      "Random number generation failed");
  return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16
         | (uint32_t)bytes[2] << 8 | bytes[3];
}

/* ===================================================================== */
/* WebSocket handshake (RFC 6455 section 4)                               */
/* ===================================================================== */

#define WEBSOCKET_NONCE_SIZE 16
#define WEBSOCKET_KEY_CHARS (SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE - 1)
#define WEBSOCKET_GUID_LEN (sizeof (SOCKET_CRYPTO_WEBSOCKET_GUID) - 1)

int
SocketCrypto_websocket_accept (const char *client_key,
                               char output[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE])
{
  char concatenated[WEBSOCKET_KEY_CHARS + WEBSOCKET_GUID_LEN];
  unsigned char sha1[SOCKET_CRYPTO_SHA1_SIZE];

  /* As in the original, the key's characters are not checked: this is the
   * hash of RFC 6455 section 4.2.2; rejecting a key that is not the Base64
   * of 16 bytes is the handshake's job (the Go wrapper does it). */
  if (client_key == NULL || output == NULL
      || strnlen (client_key, WEBSOCKET_KEY_CHARS + 1) != WEBSOCKET_KEY_CHARS)
    return -1;
  memcpy (concatenated, client_key, WEBSOCKET_KEY_CHARS);
  memcpy (concatenated + WEBSOCKET_KEY_CHARS, SOCKET_CRYPTO_WEBSOCKET_GUID,
          WEBSOCKET_GUID_LEN);
  /* Report a backend failure as -1 too: this function does not raise. */
  if (digest_into (EVP_sha1 (), concatenated, sizeof (concatenated), sha1,
                   SOCKET_CRYPTO_SHA1_SIZE) != 0)
    return -1;
  return SocketCrypto_base64_encode (sha1, sizeof (sha1), output,
                                     SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE) < 0
             ? -1
             : 0;
}

int
SocketCrypto_websocket_key (char output[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE])
{
  unsigned char nonce[WEBSOCKET_NONCE_SIZE];
  if (output == NULL || SocketCrypto_random_bytes (nonce, sizeof (nonce)) != 0)
    return -1;
  return SocketCrypto_base64_encode (nonce, sizeof (nonce), output,
                                     SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE) < 0
             ? -1
             : 0;
}

/* ===================================================================== */
/* Constant-time helpers                                                  */
/* ===================================================================== */

int
SocketCrypto_secure_compare (const void *a, const void *b, size_t len)
{
  if (a == NULL || b == NULL)
    return 1; /* nothing to compare against: never "equal", even for len 0 */
  if (len == 0)
    return 0;
  return CRYPTO_memcmp (a, b, len) == 0 ? 0 : 1;
}

void
SocketCrypto_secure_clear (void *ptr, size_t len)
{
  if (ptr != NULL && len != 0)
    OPENSSL_cleanse (ptr, len);
}
