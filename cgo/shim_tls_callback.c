/*
 * shim_tls_callback.c - trampolines into Go for certificate verification
 * and ALPN selection.
 *
 * OpenSSL calls the library's verify callback for each certificate of the
 * peer's chain during SSL_do_handshake, which Go reaches only through
 * go_SocketTLS_handshake (a GO_CALL shim, so entering Go is allowed). The
 * trampoline copies the certificates to DER in C memory and calls the
 * exported goTLSVerify once, at depth 0, after OpenSSL accepted the whole
 * chain. Go recovers its own panics and answers accept/reject; nothing is
 * raised here (the library treats a raise in a verify callback as a
 * rejection anyway).
 */
#ifdef SOCKET_HAS_TLS

#include <limits.h>
#include <stdlib.h>

#include <openssl/x509.h>

#include "_cgo_export.h"
#include "shim_tls.h"

/* DER of up to GO_TLS_VERIFY_MAX_CERTS certificates back to back. */
typedef struct DerList
{
  unsigned char *buf;
  size_t len[GO_TLS_VERIFY_MAX_CERTS];
  int n;
} DerList;

/* Append @x; 0 on success, -1 when it cannot be encoded or stored. */
static int
der_add (DerList *l, size_t *used, X509 *x)
{
  int n = i2d_X509 (x, NULL);
  unsigned char *grown, *p;

  if (n <= 0 || l->n == GO_TLS_VERIFY_MAX_CERTS)
    return -1;
  grown = realloc (l->buf, *used + (size_t)n);
  if (grown == NULL)
    return -1;
  l->buf = grown;
  p = grown + *used;
  if (i2d_X509 (x, &p) != n)
    return -1;
  l->len[l->n++] = (size_t)n;
  *used += (size_t)n;
  return 0;
}

/* The peer's certificates as sent (leaf first) and the verified chain. */
static int
collect (X509_STORE_CTX *store, DerList *raw, DerList *verified)
{
  X509 *leaf = X509_STORE_CTX_get0_cert (store);
  STACK_OF (X509) *sent = X509_STORE_CTX_get0_untrusted (store);
  STACK_OF (X509) *chain = X509_STORE_CTX_get0_chain (store);
  size_t raw_used = 0, ver_used = 0;

  if (leaf == NULL || der_add (raw, &raw_used, leaf) < 0)
    return -1;
  for (int i = 0; sent != NULL && i < sk_X509_num (sent); i++)
    {
      X509 *x = sk_X509_value (sent, i);
      if (X509_cmp (x, leaf) != 0 && der_add (raw, &raw_used, x) < 0)
        return -1;
    }
  for (int i = 0; chain != NULL && i < sk_X509_num (chain); i++)
    if (der_add (verified, &ver_used, sk_X509_value (chain, i)) < 0)
      return -1;
  return 0;
}

int
go_tls_verify_trampoline (int preverify_ok, X509_STORE_CTX *store,
                          SocketTLSContext_T ctx, Socket_T socket, void *ud)
{
  DerList raw = { 0 }, verified = { 0 };
  int ok = 0;

  (void)ctx;
  if (!preverify_ok)
    return 0; /* OpenSSL rejected it already; Go is not asked */
  if (X509_STORE_CTX_get_error_depth (store) != 0)
    return 1; /* intermediates: decided with the leaf */
  if (go_nocallback_depth > 0)
    return 0; /* cannot enter Go here: fail closed */
  if (collect (store, &raw, &verified) == 0)
    ok = goTLSVerify ((uintptr_t)ud, (uintptr_t)socket, raw.buf, raw.len,
                      raw.n, verified.buf, verified.len, verified.n)
         == 0;
  free (raw.buf);
  free (verified.buf);
  return ok;
}

const char *
go_tls_alpn_trampoline (const char **client_protos, size_t count, void *ud)
{
  int i;

  if (go_nocallback_depth > 0 || count == 0 || count > INT_MAX)
    return NULL;
  i = goTLSALPNSelect ((uintptr_t)ud, (char **)client_protos, (int)count);
  return i >= 0 && (size_t)i < count ? client_protos[i] : NULL;
}

#endif /* SOCKET_HAS_TLS */
