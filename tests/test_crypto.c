/*
 * test_crypto.c - SocketCrypto: published digest/HMAC vectors (FIPS 180,
 * RFC 1321, RFC 4231), Base64 (RFC 4648 section 10) and hex both ways with
 * invalid-input tables and overflow canaries, WebSocket handshake values
 * (RFC 6455 section 1.3), CSPRNG, constant-time helpers and the raising
 * contract for NULL arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "core/SocketUtil.h"

/* Hex rendering for comparing digests against published vectors. */
static const char *
to_hex (const unsigned char *bytes, size_t len)
{
  static char buf[2 * 256 + 1];
  SocketCrypto_hex_encode (bytes, len, buf, 1);
  return buf;
}

/* ===================================================================== */
/* Digests                                                                */
/* ===================================================================== */

#define NIST_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static const struct
{
  const char *input;
  const char *sha1, *sha256, *md5;
} digest_vectors[] = {
  { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "d41d8cd98f00b204e9800998ecf8427e" },
  { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "900150983cd24fb0d6963f7d28e17f72" },
  { NIST_448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    "8215ef0796a20bcaaae116d3876c664a" },
};

TEST (crypto_digest_vectors)
{
  unsigned char sha1[SOCKET_CRYPTO_SHA1_SIZE], sha256[SOCKET_CRYPTO_SHA256_SIZE];
  unsigned char md5[SOCKET_CRYPTO_MD5_SIZE];
  for (size_t i = 0; i < sizeof (digest_vectors) / sizeof (digest_vectors[0]); i++)
    {
      const char *in = digest_vectors[i].input;
      SocketCrypto_sha1 (in, strlen (in), sha1);
      ASSERT_STREQ (to_hex (sha1, sizeof (sha1)), digest_vectors[i].sha1);
      SocketCrypto_sha256 (in, strlen (in), sha256);
      ASSERT_STREQ (to_hex (sha256, sizeof (sha256)), digest_vectors[i].sha256);
      SocketCrypto_md5 (in, strlen (in), md5);
      ASSERT_STREQ (to_hex (md5, sizeof (md5)), digest_vectors[i].md5);
    }
  /* NULL with length 0 is the empty message. */
  SocketCrypto_sha256 (NULL, 0, sha256);
  ASSERT_STREQ (to_hex (sha256, sizeof (sha256)), digest_vectors[0].sha256);
}

TEST (crypto_sha256_million_a)
{
  enum { N = 1000000 };
  unsigned char digest[SOCKET_CRYPTO_SHA256_SIZE];
  char *msg = malloc (N);
  ASSERT (msg != NULL);
  memset (msg, 'a', N);
  SocketCrypto_sha256 (msg, N, digest);
  free (msg);
  ASSERT_STREQ (to_hex (digest, sizeof (digest)),
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ===================================================================== */
/* HMAC-SHA256 (RFC 4231)                                                 */
/* ===================================================================== */

TEST (crypto_hmac_sha256_rfc4231)
{
  unsigned char key[131], data[152], mac[SOCKET_CRYPTO_SHA256_SIZE];

  /* Test case 1 */
  memset (key, 0x0b, 20);
  SocketCrypto_hmac_sha256 (key, 20, "Hi There", 8, mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  /* Test case 2 */
  SocketCrypto_hmac_sha256 ("Jefe", 4, "what do ya want for nothing?", 28, mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  /* Test case 3 */
  memset (key, 0xaa, 20);
  memset (data, 0xdd, 50);
  SocketCrypto_hmac_sha256 (key, 20, data, 50, mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  /* Test case 4 */
  for (int i = 0; i < 25; i++)
    key[i] = (unsigned char)(i + 1);
  memset (data, 0xcd, 50);
  SocketCrypto_hmac_sha256 (key, 25, data, 50, mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  /* Test case 6: key longer than the block size */
  memset (key, 0xaa, 131);
  const char *tc6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  SocketCrypto_hmac_sha256 (key, 131, tc6, strlen (tc6), mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  /* Test case 7: key and data longer than the block size */
  const char *tc7 = "This is a test using a larger than block-size key and a larger "
                    "than block-size data. The key needs to be hashed before being "
                    "used by the HMAC algorithm.";
  SocketCrypto_hmac_sha256 (key, 131, tc7, strlen (tc7), mac);
  ASSERT_STREQ (to_hex (mac, 32),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST (crypto_hmac_empty_key_and_data)
{
  unsigned char a[32], b[32];
  SocketCrypto_hmac_sha256 (NULL, 0, NULL, 0, a);
  SocketCrypto_hmac_sha256 ("", 0, "", 0, b);
  ASSERT_MEMEQ (a, b, 32);
  /* HMAC-SHA256 with empty key and message (well-known value). */
  ASSERT_STREQ (to_hex (a, 32),
                "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

/* ===================================================================== */
/* Base64                                                                 */
/* ===================================================================== */

static const struct
{
  const char *plain, *encoded;
} base64_vectors[] = {
  { "", "" },         { "f", "Zg==" },        { "fo", "Zm8=" },
  { "foo", "Zm9v" },  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
  { "foobar", "Zm9vYmFy" },
};

TEST (crypto_base64_rfc4648_vectors)
{
  char enc[64];
  unsigned char dec[64];
  for (size_t i = 0; i < sizeof (base64_vectors) / sizeof (base64_vectors[0]); i++)
    {
      const char *p = base64_vectors[i].plain, *e = base64_vectors[i].encoded;
      size_t plen = strlen (p), elen = strlen (e);
      ASSERT_EQ (SocketCrypto_base64_encoded_size (plen), elen + 1);
      ASSERT_EQ (SocketCrypto_base64_encode (p, plen, enc, elen + 1), (ssize_t)elen);
      ASSERT_STREQ (enc, e);
      ASSERT (SocketCrypto_base64_decoded_size (elen) >= plen);
      ASSERT_EQ (SocketCrypto_base64_decode (e, elen, dec, sizeof (dec)), (ssize_t)plen);
      ASSERT_MEMEQ (dec, p, plen);
      /* Exact-size output suffices; one byte less must fail. */
      ASSERT_EQ (SocketCrypto_base64_decode (e, elen, dec, plen), (ssize_t)plen);
      if (plen > 0)
        ASSERT_EQ (SocketCrypto_base64_decode (e, elen, dec, plen - 1), -1);
    }
}

TEST (crypto_base64_lenient_forms)
{
  unsigned char dec[32];
  /* Missing final padding is accepted. */
  ASSERT_EQ (SocketCrypto_base64_decode ("Zg", 2, dec, sizeof (dec)), 1);
  ASSERT_EQ (dec[0], 'f');
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm9vYmE", 7, dec, sizeof (dec)), 5);
  ASSERT_MEMEQ (dec, "fooba", 5);
  /* ASCII whitespace is skipped anywhere, padding included. */
  const char *ws = " Zm9v\r\nYmFy\t";
  ASSERT_EQ (SocketCrypto_base64_decode (ws, strlen (ws), dec, sizeof (dec)), 6);
  ASSERT_MEMEQ (dec, "foobar", 6);
  ASSERT_EQ (SocketCrypto_base64_decode ("Z g = =\n", 8, dec, sizeof (dec)), 1);
  ASSERT_EQ (SocketCrypto_base64_decode ("   ", 3, dec, sizeof (dec)), 0);
  /* As the original: URL-safe alphabet accepted, mixed freely. */
  ASSERT_EQ (SocketCrypto_base64_decode ("-_-_", 4, dec, sizeof (dec)), 3);
  ASSERT_MEMEQ (dec, "\xfb\xff\xbf", 3);
  ASSERT_EQ (SocketCrypto_base64_decode ("+/-_", 4, dec, sizeof (dec)), 3);
  ASSERT_MEMEQ (dec, "\xfb\xff\xbf", 3);
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm9v_w==", 8, dec, sizeof (dec)), 4);
  ASSERT_MEMEQ (dec, "foo\xff", 4);
  /* Non-zero unused bits in the last group are ignored. */
  ASSERT_EQ (SocketCrypto_base64_decode ("Zh==", 4, dec, sizeof (dec)), 1);
  ASSERT_EQ (dec[0], 'f');
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm9", 3, dec, sizeof (dec)), 2);
  ASSERT_MEMEQ (dec, "fo", 2);
  /* input_len 0 means strlen(input). */
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm9vYmFy", 0, dec, sizeof (dec)), 6);
  ASSERT_MEMEQ (dec, "foobar", 6);
  ASSERT_EQ (SocketCrypto_base64_decode ("", 0, dec, sizeof (dec)), 0);
  /* NULL input: 0 with room for a byte, else -1; NULL output: -1. */
  ASSERT_EQ (SocketCrypto_base64_decode (NULL, 0, dec, 1), 0);
  ASSERT_EQ (SocketCrypto_base64_decode (NULL, 4, dec, 1), 0);
  ASSERT_EQ (SocketCrypto_base64_decode (NULL, 0, dec, 0), -1);
  ASSERT_EQ (SocketCrypto_base64_decode (NULL, 0, NULL, 0), -1);
  ASSERT_EQ (SocketCrypto_base64_decode ("Zg==", 4, NULL, 0), -1);
}

TEST (crypto_base64_invalid_inputs)
{
  static const char *const invalid[] = {
    "Zm9v!", "Zm9v\x80", "Zm9v.A", "Zm9v*w==",
    "Z", "Zm9vY",                  /* a lone final sextet */
    "=", "==", "===", "====", "Z===", "Zg===", "Zm9=v", "Zg=",
    "=Zg=", "Zg==Zg==", "Zg==Zg", "Zm8=Zm8", "Zg==a", "Zm8==", "Zm9v=",
    "Q=", "QQ=",                   /* short padding (the original decodes these) */
    "Zm\v9v", "Zm\f9v",            /* only space, tab, CR, LF are skipped */
  };
  unsigned char dec[32];
  for (size_t i = 0; i < sizeof (invalid) / sizeof (invalid[0]); i++)
    if (SocketCrypto_base64_decode (invalid[i], strlen (invalid[i]), dec, sizeof (dec)) != -1)
      TEST_FAIL_ ("accepted invalid Base64 #%zu \"%s\"", i, invalid[i]);
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm\0v", 4, dec, sizeof (dec)), -1);
  ASSERT_EQ (SocketCrypto_base64_decode ("Zm9v", 4, NULL, 3), -1);
}

/* Output placed at the very end of a heap block followed by canary bytes:
 * a too-small buffer must be refused without touching the canary. */
TEST (crypto_base64_small_buffers_no_overflow)
{
  enum { CANARY = 16 };
  const char *enc = "Zm9vYmFyYmF6cXV4";  /* "foobarbazqux" */
  const char *plain = "foobarbazqux";
  unsigned char *block = malloc (64 + CANARY);
  char *text = malloc (64 + CANARY);
  ASSERT (block != NULL && text != NULL);
  for (size_t size = 0; size <= 12; size++)
    {
      unsigned char *out = block + 64 - size;
      memset (block, 0xA5, 64 + CANARY);
      ssize_t got = SocketCrypto_base64_decode (enc, 16, out, size);
      int canary_ok = 1;
      for (size_t k = 0; k < CANARY; k++)
        canary_ok &= block[64 + k] == 0xA5;
      if (!canary_ok || got != (size == 12 ? 12 : -1))
        TEST_FAIL_ ("decode into %zu bytes: got %zd, canary %s", size, got,
                    canary_ok ? "intact" : "overwritten");
    }
  for (size_t size = 0; size <= 17; size++)
    {
      char *out = text + 64 - size;
      memset (text, 0x5A, 64 + CANARY);
      ssize_t got = SocketCrypto_base64_encode (plain, 12, out, size);
      int canary_ok = 1;
      for (size_t k = 0; k < CANARY; k++)
        canary_ok &= text[64 + k] == 0x5A;
      if (!canary_ok || got != (size == 17 ? 16 : -1))
        TEST_FAIL_ ("encode into %zu bytes: got %zd", size, got);
    }
  free (block);
  free (text);
}

TEST (crypto_base64_sizes)
{
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (0), 1);
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (1), 5);
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (3), 5);
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (4), 9);
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (SIZE_MAX), SIZE_MAX);
  /* Largest input that fits, then the first that saturates. */
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (SIZE_MAX / 4 * 3), SIZE_MAX - 2);
  ASSERT_UEQ (SocketCrypto_base64_encoded_size (SIZE_MAX / 4 * 3 + 1), SIZE_MAX);
  /* ((n + 3) / 4) * 3, as the original. */
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (0), 0);
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (2), 3);
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (4), 3);
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (5), 6);
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (8), 6);
  ASSERT_UEQ (SocketCrypto_base64_decoded_size (SIZE_MAX), SIZE_MAX / 4 * 3 + 3);
  char out[8];
  ASSERT_EQ (SocketCrypto_base64_encode ("x", SIZE_MAX, out, sizeof (out)), -1);
}

TEST (crypto_base64_roundtrip_random)
{
  unsigned char plain[300], back[300];
  char enc[420];
  for (size_t len = 0; len < sizeof (plain); len++)
    {
      ASSERT_EQ (SocketCrypto_random_bytes (plain, len), 0);
      ssize_t elen = SocketCrypto_base64_encode (plain, len, enc, sizeof (enc));
      ASSERT_EQ (elen, (ssize_t)(SocketCrypto_base64_encoded_size (len) - 1));
      ASSERT_EQ (SocketCrypto_base64_decode (enc, (size_t)elen, back, len), (ssize_t)len);
      ASSERT_MEMEQ (back, plain, len);
    }
}

/* ===================================================================== */
/* Hex                                                                    */
/* ===================================================================== */

TEST (crypto_hex)
{
  char out[16];
  unsigned char dec[8];
  SocketCrypto_hex_encode ("\x00\x01\xab\xff", 4, out, 1);
  ASSERT_STREQ (out, "0001abff");
  SocketCrypto_hex_encode ("\x00\x01\xab\xff", 4, out, 0);
  ASSERT_STREQ (out, "0001ABFF");
  SocketCrypto_hex_encode (NULL, 0, out, 1);
  ASSERT_STREQ (out, "");
  strcpy (out, "junk");
  SocketCrypto_hex_encode (NULL, 3, out, 1); /* NULL input: "" as the original */
  ASSERT_STREQ (out, "");
  strcpy (out, "junk");
  SocketCrypto_hex_encode ("\x01", 0, out, 0);
  ASSERT_STREQ (out, "");
  ASSERT_EQ (SocketCrypto_hex_decode ("0001aBfF", 8, dec), 4);
  ASSERT_MEMEQ (dec, "\x00\x01\xab\xff", 4);
  ASSERT_EQ (SocketCrypto_hex_decode ("", 0, dec), 0);

  static const char *const invalid[] = { "0", "abc", "0g", "g0", "-1", " 1", "1 ",
                                         "zz", "0x", "\x80\x80", ":0", "@A", "`a" };
  for (size_t i = 0; i < sizeof (invalid) / sizeof (invalid[0]); i++)
    if (SocketCrypto_hex_decode (invalid[i], strlen (invalid[i]), dec) != -1)
      TEST_FAIL_ ("accepted invalid hex \"%s\"", invalid[i]);
  ASSERT_EQ (SocketCrypto_hex_decode (NULL, 2, dec), -1);
  ASSERT_EQ (SocketCrypto_hex_decode ("00", 2, NULL), -1);
}

/* ===================================================================== */
/* WebSocket handshake                                                    */
/* ===================================================================== */

TEST (crypto_websocket_accept_rfc6455)
{
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  ASSERT_EQ (SocketCrypto_websocket_accept ("dGhlIHNhbXBsZSBub25jZQ==", accept), 0);
  ASSERT_STREQ (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

  /* Only the length is checked (strlen must be 24), as in the original. */
  static const char *const bad_keys[] = {
    "",                             /* empty */
    "dGhlIHNhbXBsZSBub25jZQ",       /* unpadded: 22 */
    "dGhlIHNhbXBsZSBub25jZQ=",      /* 23 */
    "dGhlIHNhbXBsZSBub25jZQ===",    /* 25 */
  };
  for (size_t i = 0; i < sizeof (bad_keys) / sizeof (bad_keys[0]); i++)
    if (SocketCrypto_websocket_accept (bad_keys[i], accept) != -1)
      TEST_FAIL_ ("accepted bad key #%zu", i);
  ASSERT_EQ (SocketCrypto_websocket_accept (NULL, accept), -1);
  ASSERT_EQ (SocketCrypto_websocket_accept ("dGhlIHNhbXBsZSBub25jZQ==", NULL), -1);
  /* 24 characters that are not the Base64 of 16 bytes still hash; the
   * value is SHA-1 over the key text, checked against the hash itself. */
  static const char *const any24[] = { "dGhlIHNhbXBsZSBub25jZXh4", "dGhlIHNhbXBsZSBub25jZ!==",
                                       "dGhlIHNhbXBsZSBub25jZQ\r\n" };
  for (size_t i = 0; i < sizeof (any24) / sizeof (any24[0]); i++)
    {
      char cat[64], want[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
      unsigned char sha[SOCKET_CRYPTO_SHA1_SIZE];
      ASSERT_EQ (SocketCrypto_websocket_accept (any24[i], accept), 0);
      snprintf (cat, sizeof cat, "%s%s", any24[i], SOCKET_CRYPTO_WEBSOCKET_GUID);
      SocketCrypto_sha1 (cat, strlen (cat), sha);
      ASSERT_EQ (SocketCrypto_base64_encode (sha, sizeof sha, want, sizeof want), 28);
      ASSERT_STREQ (accept, want);
    }
}

TEST (crypto_websocket_key)
{
  char k1[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE], k2[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE];
  unsigned char nonce[20];
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  ASSERT_EQ (SocketCrypto_websocket_key (k1), 0);
  ASSERT_EQ (SocketCrypto_websocket_key (k2), 0);
  ASSERT_EQ (strlen (k1), 24);
  ASSERT_EQ (SocketCrypto_base64_decode (k1, 24, nonce, sizeof (nonce)), 16);
  ASSERT (strcmp (k1, k2) != 0);
  ASSERT_EQ (SocketCrypto_websocket_accept (k1, accept), 0);
  ASSERT_EQ (strlen (accept), 28);
  ASSERT_EQ (SocketCrypto_websocket_key (NULL), -1);
}

/* ===================================================================== */
/* Randomness and constant-time helpers                                   */
/* ===================================================================== */

TEST (crypto_random)
{
  unsigned char a[64], b[64];
  memset (a, 0, sizeof (a));
  memset (b, 0, sizeof (b));
  ASSERT_EQ (SocketCrypto_random_bytes (a, sizeof (a)), 0);
  ASSERT_EQ (SocketCrypto_random_bytes (b, sizeof (b)), 0);
  ASSERT (memcmp (a, b, sizeof (a)) != 0);
  int distinct = 0;
  for (size_t i = 1; i < sizeof (a); i++)
    distinct += a[i] != a[0];
  ASSERT (distinct > 0); /* not one repeated byte */
  ASSERT_EQ (SocketCrypto_random_bytes (NULL, 0), 0);
  ASSERT_EQ (SocketCrypto_random_bytes (NULL, 4), -1);

  uint32_t first = SocketCrypto_random_uint32 (), other = first;
  for (int i = 0; i < 8 && other == first; i++)
    other = SocketCrypto_random_uint32 ();
  ASSERT (other != first);
}

TEST (crypto_secure_compare)
{
  unsigned char a[32], b[32];
  memset (a, 0x42, sizeof (a));
  memcpy (b, a, sizeof (b));
  ASSERT_EQ (SocketCrypto_secure_compare (a, b, sizeof (a)), 0);
  b[31] ^= 0x01;
  ASSERT_NE (SocketCrypto_secure_compare (a, b, sizeof (a)), 0);
  b[31] ^= 0x01;
  b[0] ^= 0x80;
  ASSERT_NE (SocketCrypto_secure_compare (a, b, sizeof (a)), 0);
  ASSERT_EQ (SocketCrypto_secure_compare (a, b, 0), 0);
  /* A NULL pointer is never equal, even for length 0 (original: 1). */
  ASSERT_EQ (SocketCrypto_secure_compare (NULL, NULL, 0), 1);
  ASSERT_EQ (SocketCrypto_secure_compare (a, NULL, 0), 1);
  ASSERT_EQ (SocketCrypto_secure_compare (NULL, b, 4), 1);
}

TEST (crypto_secure_clear)
{
  unsigned char secret[48];
  memset (secret, 0xEE, sizeof (secret));
  SocketCrypto_secure_clear (secret, 40);
  for (size_t i = 0; i < 40; i++)
    ASSERT_EQ (secret[i], 0);
  for (size_t i = 40; i < sizeof (secret); i++)
    ASSERT_EQ (secret[i], 0xEE);
  SocketCrypto_secure_clear (NULL, 10); /* no-op */
  SocketCrypto_secure_clear (secret, 0);
}

/* ===================================================================== */
/* Raising contract                                                       */
/* ===================================================================== */

TEST (crypto_null_inputs_raise)
{
  unsigned char out[32];
  char hex[8];
  volatile int raised = 0;
  volatile int reason_ok = 0;

  TRY SocketCrypto_sha1 (NULL, 1, out);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  TRY SocketCrypto_sha256 (NULL, 5, out);
  EXCEPT (SocketCrypto_Failed)
  {
    raised++;
    reason_ok = Except_frame.exception->reason != NULL
                && strstr (Except_frame.exception->reason, "NULL input") != NULL;
  }
  END_TRY;
  TRY SocketCrypto_md5 (NULL, 2, out);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  TRY SocketCrypto_hmac_sha256 (NULL, 3, "x", 1, out);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  TRY SocketCrypto_hmac_sha256 ("k", 1, NULL, 3, out);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  TRY SocketCrypto_hex_encode ("x", 1, NULL, 1);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  ASSERT_EQ (raised, 6);
  (void)hex;
  TRY SocketCrypto_sha1 (NULL, 1, out);
  EXCEPT (SocketCrypto_Failed) raised++;
  END_TRY;
  ASSERT_EQ (raised, 7);
  ASSERT_STREQ (Socket_GetLastError (), "SHA-1: NULL input with non-zero length");
  ASSERT_STREQ (SocketCrypto_Failed.reason, "Cryptographic operation failed");
  ASSERT (reason_ok);
}

TEST_MAIN ()
