/*
 * crypto.c - the seed README's "Cryptographic Utilities" snippet as a
 * complete program, checked against known answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketCrypto.h"

int
main (void)
{
  const char *data = "abc";
  size_t data_len = strlen (data);
  const char *key = "key";
  size_t key_len = strlen (key);
  char password[] = "hunter2";
  size_t password_len = sizeof password - 1;
  char hex[2 * SOCKET_CRYPTO_SHA256_SIZE + 1];
  int failures = 0;

  /* SHA-256 hash */
  unsigned char hash[SOCKET_CRYPTO_SHA256_SIZE];
  SocketCrypto_sha256 (data, data_len, hash);
  SocketCrypto_hex_encode (hash, sizeof hash, hex, 1);
  printf ("sha256(abc) = %s\n", hex);
  failures += strcmp (hex, "ba7816bf8f01cfea414140de5dae2223"
                           "b00361a396177a9cb410ff61f20015ad") != 0;

  /* HMAC-SHA256 */
  unsigned char mac[SOCKET_CRYPTO_SHA256_SIZE];
  SocketCrypto_hmac_sha256 (key, key_len, data, data_len, mac);
  SocketCrypto_hex_encode (mac, sizeof mac, hex, 1);
  printf ("hmac-sha256(key, abc) = %s\n", hex);

  /* Base64 encoding */
  size_t encoded_len = SocketCrypto_base64_encoded_size (data_len);
  char *encoded = malloc (encoded_len);
  SocketCrypto_base64_encode (data, data_len, encoded, encoded_len);
  printf ("base64(abc) = %s\n", encoded);
  failures += strcmp (encoded, "YWJj") != 0;
  free (encoded);

  /* Cryptographically secure random */
  unsigned char random_bytes[32];
  failures += SocketCrypto_random_bytes (random_bytes, sizeof (random_bytes)) != 0;

  /* Constant-time comparison: 0 means equal (memcmp convention; the seed
   * README's `if (SocketCrypto_secure_compare (...))` reads it the other way
   * round, see docs/MIGRATION.md). */
  unsigned char expected[SOCKET_CRYPTO_SHA256_SIZE];
  memcpy (expected, hash, sizeof expected);
  if (SocketCrypto_secure_compare (expected, hash, sizeof hash) == 0)
    printf ("digest matches\n");
  else
    failures++;

  /* Secure memory clearing */
  SocketCrypto_secure_clear (password, password_len);
  failures += password[0] != 0;

  return failures ? 1 : 0;
}
