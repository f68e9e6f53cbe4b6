/*
 * SocketTLSContext-ocsp.c - OCSP stapling (RFC 6066 section 8, RFC 6960):
 * the server staples a configured or generated response; the client checks
 * the stapled response against the peer certificate and its trust store.
 */
#ifdef SOCKET_HAS_TLS

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "socket/Socket-private.h"
#include "tls/SocketTLS-private.h"

/* Seconds of clock skew tolerated on thisUpdate / nextUpdate. */
#define OCSP_CLOCK_SKEW 300L

/* ------------------------------------------------------------------ */
/* Server side                                                        */
/* ------------------------------------------------------------------ */

/* DER response from the generator callback (must not raise). */
static int
generate (SocketTLSContext_T ctx, SSL *ssl, unsigned char **der)
{
  OCSP_RESPONSE *volatile resp = NULL;
  int len;

  TRY resp = ctx->ocsp_gen (ssl, ctx->ocsp_arg);
  ELSE resp = NULL;
  END_TRY;
  if (resp == NULL)
    return 0;
  len = i2d_OCSP_RESPONSE (resp, der);
  OCSP_RESPONSE_free (resp);
  return len;
}

/* Copy of the configured response, taken under the lock because
 * set_ocsp_response may replace it while handshakes run. */
static int
copy_static (SocketTLSContext_T ctx, unsigned char **der)
{
  int len = 0;

  pthread_mutex_lock (&ctx->lock);
  if (ctx->ocsp_der != NULL
      && (*der = OPENSSL_memdup (ctx->ocsp_der, ctx->ocsp_len)) != NULL)
    len = (int)ctx->ocsp_len;
  pthread_mutex_unlock (&ctx->lock);
  return len;
}

static int
status_cb (SSL *ssl, void *arg)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);
  unsigned char *der = NULL;
  int len;

  (void)arg;
  if (ctx == NULL)
    return SSL_TLSEXT_ERR_NOACK;
  len = ctx->ocsp_gen ? generate (ctx, ssl, &der) : copy_static (ctx, &der);
  if (len <= 0 || der == NULL)
    {
      OPENSSL_free (der);
      return SSL_TLSEXT_ERR_NOACK;
    }
  if (SSL_set_tlsext_status_ocsp_resp (ssl, der, len) != 1)
    {
      OPENSSL_free (der);
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
  return SSL_TLSEXT_ERR_OK; /* ssl owns der now */
}

/* Stapling is a server feature; as in the original a client context
 * accepts the settings, but the status callback (which on a client would
 * judge the server's staple) is only installed on servers. */
static void
install_status_cb (SocketTLSContext_T ctx)
{
  if (ctx->is_server)
    SSL_CTX_set_tlsext_status_cb (ctx->ssl_ctx, status_cb);
}

void
SocketTLSContext_set_ocsp_response (SocketTLSContext_T ctx,
                                    const unsigned char *response, size_t len)
{
  static const char op[] = "SocketTLSContext_set_ocsp_response";
  unsigned char *copy = NULL;

  const unsigned char *p = response;
  OCSP_RESPONSE *r;

  SocketTLS__check_ctx (ctx, op);
  if (response == NULL || len == 0)
    TLS_RAISE (SocketTLS_Failed, "Invalid OCSP response (null or zero length)");
  if (len > SOCKET_TLS_MAX_OCSP_RESPONSE_LEN)
    TLS_RAISE (SocketTLS_Failed, "OCSP response too large (%zu bytes, max %d)",
               len, SOCKET_TLS_MAX_OCSP_RESPONSE_LEN);
  ERR_clear_error ();
  r = d2i_OCSP_RESPONSE (NULL, &p, (long)len);
  OCSP_RESPONSE_free (r);
  if (r == NULL || p != response + len)
    TLS_RAISE (SocketTLS_Failed, "Invalid OCSP response format");
  copy = malloc (len);
  if (copy == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
  memcpy (copy, response, len);
  pthread_mutex_lock (&ctx->lock);
  free (ctx->ocsp_der);
  ctx->ocsp_der = copy;
  ctx->ocsp_len = len;
  pthread_mutex_unlock (&ctx->lock);
  install_status_cb (ctx);
}

void
SocketTLSContext_set_ocsp_gen_callback (SocketTLSContext_T ctx,
                                        SocketTLSOcspGenCallback cb, void *arg)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_set_ocsp_gen_callback");
  ctx->ocsp_gen = cb;
  ctx->ocsp_arg = arg;
  install_status_cb (ctx);
}

/* ------------------------------------------------------------------ */
/* Client side                                                        */
/* ------------------------------------------------------------------ */

/* Issuer of @p leaf among the peer's chain or our verified chain. */
static X509 *
find_issuer (SSL *ssl, X509 *leaf)
{
  STACK_OF (X509) *lists[2];

  lists[0] = SSL_get_peer_cert_chain (ssl);
  lists[1] = SSL_get0_verified_chain (ssl);
  for (int l = 0; l < 2; l++)
    for (int i = 0; lists[l] != NULL && i < sk_X509_num (lists[l]); i++)
      {
        X509 *c = sk_X509_value (lists[l], i);
        if (c != leaf && X509_check_issued (c, leaf) == X509_V_OK)
          return c;
      }
  return NULL;
}

/* Status of @p leaf in a verified basic response: 1, 0 or -2. */
static int
leaf_status (OCSP_BASICRESP *basic, X509 *leaf, X509 *issuer)
{
  OCSP_CERTID *id = OCSP_cert_to_id (NULL, leaf, issuer);
  ASN1_GENERALIZEDTIME *thisupd, *nextupd;
  int status, reason, result = -2;

  if (id != NULL
      && OCSP_resp_find_status (basic, id, &status, &reason, NULL, &thisupd,
                                &nextupd)
             == 1
      && OCSP_check_validity (thisupd, nextupd, OCSP_CLOCK_SKEW, -1) == 1)
    {
      if (status == V_OCSP_CERTSTATUS_GOOD)
        result = 1;
      else if (status == V_OCSP_CERTSTATUS_REVOKED)
        result = 0;
    }
  OCSP_CERTID_free (id);
  return result;
}

static int
evaluate (SSL *ssl, const unsigned char *der, long len)
{
  OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE (NULL, &der, len);
  OCSP_BASICRESP *basic = NULL;
  STACK_OF (X509) *chain = SSL_get_peer_cert_chain (ssl);
  X509 *leaf = chain ? sk_X509_value (chain, 0) : NULL;
  X509 *issuer = leaf ? find_issuer (ssl, leaf) : NULL;
  X509_STORE *store = SSL_CTX_get_cert_store (SSL_get_SSL_CTX (ssl));
  STACK_OF (X509) *signers = chain ? sk_X509_dup (chain) : NULL;
  int result = -2;

  /* A CA answering for its own certificates need not embed itself, and
   * the server's chain usually stops below a root: offer the issuer from
   * our verified chain as a candidate signer too. */
  if (signers != NULL && issuer != NULL && sk_X509_find (signers, issuer) < 0)
    sk_X509_push (signers, issuer);
  if (resp != NULL && issuer != NULL && signers != NULL
      && OCSP_response_status (resp) == OCSP_RESPONSE_STATUS_SUCCESSFUL
      && (basic = OCSP_response_get1_basic (resp)) != NULL
      && OCSP_basic_verify (basic, signers, store, 0) == 1)
    result = leaf_status (basic, leaf, issuer);
  sk_X509_free (signers); /* the certificates belong to the SSL */
  OCSP_BASICRESP_free (basic);
  OCSP_RESPONSE_free (resp);
  ERR_clear_error ();
  return result;
}

int
SocketTLS_get_ocsp_status (Socket_T socket)
{
  SocketTLS_T t;
  const unsigned char *der = NULL;
  long len;

  if (socket == NULL || socket->tls == NULL)
    return -1; /* never raises, as in the original */
  t = socket->tls;
  if (t->ctx->is_server || t->state != TLS_HANDSHAKE_COMPLETE)
    return -1;
  len = SSL_get_tlsext_status_ocsp_resp (t->ssl, &der);
  if (len <= 0 || der == NULL)
    return -1;
  return evaluate (t->ssl, der, len);
}

#endif /* SOCKET_HAS_TLS */
