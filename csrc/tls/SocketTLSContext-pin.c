/*
 * SocketTLSContext-pin.c - certificate pinning on the SHA-256 digest of the
 * DER SubjectPublicKeyInfo (the RFC 7469 pin format): a chain passes when
 * any of its certificates carries a pinned key.
 */
#ifdef SOCKET_HAS_TLS

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/SocketUtil.h"
#include "tls/SocketTLS-private.h"

const Except_T SocketTLS_PinVerifyFailed
    = { &SocketTLS_PinVerifyFailed, "Certificate pin verification failed" };

/* SHA-256 of @p cert's SubjectPublicKeyInfo. 0 on success. */
static int
spki_hash (X509 *cert, unsigned char out[SOCKET_TLS_PIN_HASH_LEN])
{
  unsigned char *der = NULL;
  int len = i2d_X509_PUBKEY (X509_get_X509_PUBKEY (cert), &der);
  int ok;

  if (len <= 0)
    return -1;
  ok = EVP_Digest (der, (size_t)len, out, NULL, EVP_sha256 (), NULL);
  OPENSSL_free (der);
  return ok == 1 ? 0 : -1;
}

void
SocketTLS__pin_free (SocketTLSContext_T ctx)
{
  free (ctx->pins);
  ctx->pins = NULL;
  ctx->pin_count = ctx->pin_cap = 0;
}

int
SocketTLSContext_verify_pin (SocketTLSContext_T ctx,
                             const unsigned char *sha256_hash)
{
  int found = 0;

  SocketTLS__check_ctx (ctx, "SocketTLSContext_verify_pin");
  if (sha256_hash == NULL)
    return 0;
  /* Compare with every pin, without early exit. */
  for (size_t i = 0; i < ctx->pin_count; i++)
    found |= CRYPTO_memcmp (ctx->pins[i], sha256_hash, SOCKET_TLS_PIN_HASH_LEN)
             == 0;
  return found;
}

void
SocketTLSContext_add_pin (SocketTLSContext_T ctx,
                          const unsigned char *sha256_hash)
{
  static const char op[] = "SocketTLSContext_add_pin";

  SocketTLS__check_ctx (ctx, op);
  if (sha256_hash == NULL)
    TLS_RAISE (SocketTLS_Failed, "PIN hash cannot be NULL");
  if (SocketTLSContext_verify_pin (ctx, sha256_hash))
    return;
  if (ctx->pin_count >= SOCKET_TLS_MAX_PINS)
    TLS_RAISE (SocketTLS_Failed, "Maximum pin count exceeded (max %d)",
               SOCKET_TLS_MAX_PINS);
  if (ctx->pin_count == ctx->pin_cap)
    {
      size_t cap = ctx->pin_cap ? ctx->pin_cap * 2
                                : SOCKET_TLS_PIN_INITIAL_CAPACITY;
      void *p = realloc (ctx->pins, cap * sizeof *ctx->pins);
      if (p == NULL)
        TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
      ctx->pins = p;
      ctx->pin_cap = cap;
    }
  memcpy (ctx->pins[ctx->pin_count++], sha256_hash, SOCKET_TLS_PIN_HASH_LEN);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void
SocketTLSContext_add_pin_hex (SocketTLSContext_T ctx, const char *hex_hash)
{
  static const char op[] = "SocketTLSContext_add_pin_hex";
  unsigned char hash[SOCKET_TLS_PIN_HASH_LEN];

  SocketTLS__check_ctx (ctx, op);
  if (hex_hash == NULL || *hex_hash == '\0')
    TLS_RAISE (SocketTLS_Failed, "PIN hex hash cannot be NULL or empty");
  if (strncmp (hex_hash, "sha256//", 8) == 0) /* HPKP-style prefix */
    hex_hash += 8;
  if (strlen (hex_hash) != 2 * SOCKET_TLS_PIN_HASH_LEN)
    TLS_RAISE (SocketTLS_Failed,
               "Invalid hex hash format (expected 64 hex chars): '%.32s...'",
               hex_hash);
  for (size_t i = 0; i < SOCKET_TLS_PIN_HASH_LEN; i++)
    {
      int hi = hex_value (hex_hash[2 * i]), lo = hex_value (hex_hash[2 * i + 1]);
      if (hi < 0 || lo < 0)
        TLS_RAISE (SocketTLS_Failed,
                   "Invalid hex hash format (expected 64 hex chars): "
                   "'%.32s...'",
                   hex_hash);
      hash[i] = (unsigned char)(hi << 4 | lo);
    }
  SocketTLSContext_add_pin (ctx, hash);
}

void
SocketTLSContext_add_pin_from_x509 (SocketTLSContext_T ctx, X509 *cert)
{
  static const char op[] = "SocketTLSContext_add_pin_from_x509";
  unsigned char hash[SOCKET_TLS_PIN_HASH_LEN];

  SocketTLS__check_ctx (ctx, op);
  if (cert == NULL)
    TLS_RAISE (SocketTLS_Failed, "X509 certificate cannot be NULL");
  if (spki_hash (cert, hash) != 0)
    TLS_RAISE_SSL (SocketTLS_Failed,
                   "Failed to extract SPKI hash from X509 certificate");
  SocketTLSContext_add_pin (ctx, hash);
}

void
SocketTLSContext_add_pin_from_cert (SocketTLSContext_T ctx,
                                    const char *cert_file)
{
  static const char op[] = "SocketTLSContext_add_pin_from_cert";
  unsigned char hash[SOCKET_TLS_PIN_HASH_LEN];
  STACK_OF (X509) * certs;
  int rc;

  SocketTLS__check_ctx (ctx, op);
  if (cert_file == NULL || *cert_file == '\0')
    TLS_RAISE (SocketTLS_Failed, "Certificate file path cannot be NULL or empty");
  certs = SocketTLS__read_certs (cert_file, op);
  rc = spki_hash (sk_X509_value (certs, 0), hash);
  sk_X509_pop_free (certs, X509_free);
  if (rc != 0)
    TLS_RAISE_SSL (SocketTLS_Failed,
                   "Failed to extract SPKI hash from certificate");
  SocketTLSContext_add_pin (ctx, hash);
}

void
SocketTLSContext_clear_pins (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_clear_pins");
  ctx->pin_count = 0;
}

void
SocketTLSContext_set_pin_enforcement (SocketTLSContext_T ctx, int enforce)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_set_pin_enforcement");
  ctx->pin_enforce = enforce != 0;
}

int
SocketTLSContext_get_pin_enforcement (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_get_pin_enforcement");
  return ctx->pin_enforce;
}

size_t
SocketTLSContext_get_pin_count (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_get_pin_count");
  return ctx->pin_count;
}

int
SocketTLSContext_has_pins (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_has_pins");
  return ctx->pin_count > 0;
}

int
SocketTLSContext_verify_cert_pin (SocketTLSContext_T ctx, X509 *cert)
{
  unsigned char hash[SOCKET_TLS_PIN_HASH_LEN];

  SocketTLS__check_ctx (ctx, "SocketTLSContext_verify_cert_pin");
  if (cert == NULL || spki_hash (cert, hash) != 0)
    return 0;
  return SocketTLSContext_verify_pin (ctx, hash);
}

int
SocketTLS__chain_pinned (SocketTLSContext_T ctx, STACK_OF (X509) * chain)
{
  for (int i = 0; chain != NULL && i < sk_X509_num (chain); i++)
    if (SocketTLSContext_verify_cert_pin (ctx, sk_X509_value (chain, i)))
      return 1;
  return 0;
}

/* After the handshake: the verified chain (it includes the trust anchor),
 * else what the peer sent (a server's view of a client chain excludes the
 * leaf, hence the separate leaf check). Logs an unenforced miss. */
int
SocketTLS__check_pins_after (SocketTLS_T t)
{
  SocketTLSContext_T ctx = t->ctx;
  X509 *leaf;
  int ok;

  if (ctx->pin_count == 0)
    return 1;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  leaf = SSL_get0_peer_certificate (t->ssl);
#else
  leaf = SSL_get_peer_certificate (t->ssl);
  X509_free (leaf); /* the SSL keeps its own reference */
#endif
  ok = SocketTLS__chain_pinned (ctx, SSL_get0_verified_chain (t->ssl))
       || SocketTLSContext_verify_cert_pin (ctx, leaf)
       || SocketTLS__chain_pinned (ctx, SSL_get_peer_cert_chain (t->ssl));
  if (!ok && !ctx->pin_enforce)
    SocketLog_emitf (SOCKET_LOG_WARN, "SocketTLS",
                     "peer certificate chain matches none of the %zu pins "
                     "(enforcement off)",
                     ctx->pin_count);
  return ok || !ctx->pin_enforce;
}

#endif /* SOCKET_HAS_TLS */
