/*
 * SocketTLSExt.c - the extension API of include/tls/SocketTLSExt.h:
 * in-memory PEM material, peer chains as DER, and the event-loop helpers
 * (buffered plaintext, non-waiting close_notify, DTLS timer) that the Go
 * binding used to do itself by reading private structs.
 *
 * TLS and DTLS share the PEM helpers below; they report failure by return
 * value and each caller raises its own module's exception.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#if SOCKET_HAS_TLS

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tls/SocketDTLS-private.h"
#include "tls/SocketTLS-private.h"
#include "tls/SocketTLSExt.h"

/* ------------------------------------------------------------------ */
/* PEM helpers (never raise)                                          */
/* ------------------------------------------------------------------ */

/* Encrypted keys would make OpenSSL prompt on the terminal: refuse. */
static int
no_password (char *buf, int size, int rwflag, void *u)
{
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return 0;
}

static BIO *
mem_bio (const void *pem, size_t len)
{
  if (pem == NULL || len == 0 || len > INT_MAX)
    return NULL;
  return BIO_new_mem_buf (pem, (int)len);
}

/* Every certificate of a PEM bundle, in order; NULL if none or on a
 * malformed one. */
static STACK_OF (X509) * pem_certs (const void *pem, size_t len)
{
  BIO *bio = mem_bio (pem, len);
  STACK_OF (X509) *certs = bio ? sk_X509_new_null () : NULL;
  X509 *x;
  unsigned long err;

  while (certs != NULL
         && (x = PEM_read_bio_X509 (bio, NULL, no_password, NULL)) != NULL)
    if (!sk_X509_push (certs, x))
      {
        X509_free (x);
        sk_X509_pop_free (certs, X509_free);
        certs = NULL;
      }
  BIO_free (bio);
  err = ERR_peek_last_error ();
  /* The end of the text reads as "no start line"; anything else is a
   * malformed certificate. */
  if (certs != NULL
      && (sk_X509_num (certs) == 0
          || (err != 0 && ERR_GET_REASON (err) != PEM_R_NO_START_LINE)))
    {
      sk_X509_pop_free (certs, X509_free);
      return NULL;
    }
  if (certs != NULL)
    ERR_clear_error ();
  return certs;
}

static EVP_PKEY *
pem_key (const void *pem, size_t len)
{
  BIO *bio = mem_bio (pem, len);
  EVP_PKEY *key;

  if (bio == NULL)
    return NULL;
  key = PEM_read_bio_PrivateKey (bio, NULL, no_password, NULL);
  BIO_free (bio);
  return key;
}

/* Use the chain and key on @c. 0, or the step that failed (1 cert,
 * 2 key, 3 mismatch, 4 setup). */
static int
use_pem (SSL_CTX *c, const void *cert_pem, size_t cert_len,
         const void *key_pem, size_t key_len)
{
  STACK_OF (X509) *certs;
  EVP_PKEY *key;
  X509 *leaf;
  int rc = 0;

  ERR_clear_error ();
  certs = pem_certs (cert_pem, cert_len);
  if (certs == NULL)
    return 1;
  key = pem_key (key_pem, key_len);
  if (key == NULL)
    {
      sk_X509_pop_free (certs, X509_free);
      return 2;
    }
  leaf = sk_X509_shift (certs);
  if (X509_check_private_key (leaf, key) != 1)
    rc = 3;
  else if (SSL_CTX_use_cert_and_key (c, leaf, key, certs, 1) != 1)
    rc = 4;
  X509_free (leaf);
  EVP_PKEY_free (key);
  sk_X509_pop_free (certs, X509_free);
  return rc;
}

static const char *
use_pem_reason (int step)
{
  switch (step)
    {
    case 1:
      return "no PEM certificate (or a malformed one) in the chain";
    case 2:
      return "no readable unencrypted PEM private key";
    case 3:
      return "private key does not match certificate";
    default:
      return "cannot install certificate and key";
    }
}

/* Add the bundle to @c's trust store (and, for a server, to the CA names
 * of its CertificateRequest). 0 or -1. */
static int
load_ca_pem (SSL_CTX *c, int is_server, const void *pem, size_t len)
{
  STACK_OF (X509) *certs;
  X509_STORE *store = SSL_CTX_get_cert_store (c);
  int rc = 0;

  ERR_clear_error ();
  certs = pem_certs (pem, len);
  if (certs == NULL || store == NULL)
    {
      sk_X509_pop_free (certs, X509_free);
      return -1;
    }
  for (int i = 0; i < sk_X509_num (certs) && rc == 0; i++)
    {
      X509 *x = sk_X509_value (certs, i);

      if (X509_STORE_add_cert (store, x) != 1)
        {
          /* The same CA twice is not an error. */
          unsigned long err = ERR_peek_last_error ();
          if (ERR_GET_REASON (err) != X509_R_CERT_ALREADY_IN_HASH_TABLE)
            rc = -1;
          else
            ERR_clear_error ();
        }
      if (rc == 0 && is_server)
        (void)SSL_CTX_add_client_CA (c, x);
    }
  sk_X509_pop_free (certs, X509_free);
  if (rc == 0)
    ERR_clear_error ();
  return rc;
}

/* One certificate of @ssl's peer chain as DER (see the header). */
static ssize_t
peer_cert_der (SSL *ssl, int verified, int index, unsigned char *buf,
               size_t cap)
{
  STACK_OF (X509) *chain;
  X509 *x = NULL;
  int n;

  if (index < 0)
    return -1;
  if (verified)
    chain = SSL_get0_verified_chain (ssl);
  else
    chain = SSL_get_peer_cert_chain (ssl);
  if (!verified && SSL_is_server (ssl))
    {
      /* A server's chain lacks the client's leaf: put it first. */
      X509 *leaf = SSL_get0_peer_certificate (ssl);
      if (leaf == NULL)
        return -1;
      if (index == 0)
        x = leaf;
      else
        index--;
    }
  if (x == NULL)
    {
      if (chain == NULL || index >= sk_X509_num (chain))
        return -1;
      x = sk_X509_value (chain, index);
    }
  n = i2d_X509 (x, NULL);
  if (n <= 0)
    return -1;
  if (buf != NULL && (size_t)n <= cap)
    {
      unsigned char *p = buf;
      i2d_X509 (x, &p);
    }
  return n;
}

static int
cipher_id (const SSL *ssl)
{
  const SSL_CIPHER *c = SSL_get_current_cipher (ssl);

  return c ? SSL_CIPHER_get_protocol_id (c) : 0;
}

/* ------------------------------------------------------------------ */
/* TLS contexts                                                       */
/* ------------------------------------------------------------------ */

SocketTLSContext_T
SocketTLSExt_context_new (int is_server)
{
  return SocketTLSContext__new (is_server != 0, "SocketTLSExt_context_new");
}

void
SocketTLSExt_use_certificate_pem (SocketTLSContext_T ctx, const void *cert_pem,
                                  size_t cert_len, const void *key_pem,
                                  size_t key_len)
{
  static const char op[] = "SocketTLSExt_use_certificate_pem";
  int step;

  SocketTLS__check_ctx (ctx, op);
  step = use_pem (ctx->ssl_ctx, cert_pem, cert_len, key_pem, key_len);
  if (step != 0)
    TLS_RAISE_SSL (SocketTLS_Failed, "%s: %s", op, use_pem_reason (step));
}

void
SocketTLSExt_load_ca_pem (SocketTLSContext_T ctx, const void *pem, size_t len)
{
  static const char op[] = "SocketTLSExt_load_ca_pem";

  SocketTLS__check_ctx (ctx, op);
  if (load_ca_pem (ctx->ssl_ctx, ctx->is_server, pem, len) != 0)
    TLS_RAISE_SSL (SocketTLS_Failed,
                   "%s: no PEM certificate (or a malformed one) in the "
                   "bundle",
                   op);
}

void
SocketTLSExt_add_certificate_pem (SocketTLSContext_T ctx, const char *hostname,
                                  const void *cert_pem, size_t cert_len,
                                  const void *key_pem, size_t key_len)
{
  static const char op[] = "SocketTLSExt_add_certificate_pem";
  STACK_OF (X509) * certs;
  EVP_PKEY *key;

  SocketTLS__check_ctx (ctx, op);
  if (hostname == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: NULL host name", op);
  ERR_clear_error ();
  certs = pem_certs (cert_pem, cert_len);
  if (certs == NULL)
    TLS_RAISE_SSL (SocketTLS_Failed, "%s: %s", op, use_pem_reason (1));
  key = pem_key (key_pem, key_len);
  if (key == NULL)
    {
      sk_X509_pop_free (certs, X509_free);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: %s", op, use_pem_reason (2));
    }
  SocketTLS__sni_add (ctx, hostname, certs, key, op); /* takes both */
}

/* ------------------------------------------------------------------ */
/* TLS connections                                                    */
/* ------------------------------------------------------------------ */

TLSHandshakeState
SocketTLSExt_handshake (Socket_T socket)
{
  return SocketTLS__handshake (socket);
}

ssize_t
SocketTLSExt_send (Socket_T socket, const void *buf, size_t len)
{
  return SocketTLS__send (socket, buf, len);
}

ssize_t
SocketTLSExt_recv (Socket_T socket, void *buf, size_t len)
{
  ssize_t n = SocketTLS__recv (socket, buf, len);

  /* SSL_read consumed a non-data record and stopped while decrypted bytes
   * are still buffered: poll() cannot see them, so read again now. The
   * bound only guards against a library bug; each pass consumes a record. */
  for (int i = 0; n == 0 && i < 4; i++)
    {
      SocketTLS_T t = SocketTLS__get (socket, "SocketTLSExt_recv");
      if (!SSL_has_pending (t->ssl))
        break;
      n = SocketTLS__recv (socket, buf, len);
    }
  return n;
}

void
SocketTLSExt_set_hostname (Socket_T socket, const char *hostname)
{
  SocketTLS__set_hostname (socket, hostname, 0);
}

int
SocketTLSExt_close_notify (Socket_T socket)
{
  SocketTLS_T t = SocketTLS__get (socket, "SocketTLSExt_close_notify");

  if (t->shutdown_sent)
    return 1;
  if (t->state != TLS_HANDSHAKE_COMPLETE || t->fatal)
    return 0;
  ERR_clear_error ();
  if (SSL_shutdown (t->ssl) >= 0)
    t->shutdown_sent = 1;
  else
    t->fatal = 1; /* no room in the send buffer: the stream is done */
  ERR_clear_error ();
  return t->shutdown_sent;
}

int
SocketTLSExt_is_handshake_done (Socket_T socket)
{
  return SocketTLS__get (socket, "SocketTLSExt_is_handshake_done")->state
         == TLS_HANDSHAKE_COMPLETE;
}

int
SocketTLSExt_get_cipher_id (Socket_T socket)
{
  return cipher_id (SocketTLS__get (socket, "SocketTLSExt_get_cipher_id")->ssl);
}

const char *
SocketTLSExt_get_server_name (Socket_T socket)
{
  SSL *ssl = SocketTLS__get (socket, "SocketTLSExt_get_server_name")->ssl;

  if (!SSL_is_server (ssl))
    return NULL;
  return SSL_get_servername (ssl, TLSEXT_NAMETYPE_host_name);
}

ssize_t
SocketTLSExt_get_peer_cert_der (Socket_T socket, int verified, int index,
                                unsigned char *buf, size_t cap)
{
  SocketTLS_T t = SocketTLS__get (socket, "SocketTLSExt_get_peer_cert_der");

  return peer_cert_der (t->ssl, verified, index, buf, cap);
}

ssize_t
SocketTLSExt_get_ocsp_response (Socket_T socket, unsigned char *buf,
                                size_t cap)
{
  SocketTLS_T t = SocketTLS__get (socket, "SocketTLSExt_get_ocsp_response");
  const unsigned char *der = NULL;
  long len;

  if (SSL_is_server (t->ssl) || t->state != TLS_HANDSHAKE_COMPLETE)
    return -1;
  len = SSL_get_tlsext_status_ocsp_resp (t->ssl, &der);
  if (len <= 0 || der == NULL)
    return -1;
  if (buf != NULL && (size_t)len <= cap)
    memcpy (buf, der, (size_t)len);
  return (ssize_t)len;
}

/* ------------------------------------------------------------------ */
/* DTLS                                                               */
/* ------------------------------------------------------------------ */

static void
dtls_check_ctx (SocketDTLSContext_T ctx, const char *op)
{
  if (ctx == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL DTLS context", op);
}

SocketDTLSContext_T
SocketDTLSExt_context_new (int is_server)
{
  return SocketDTLSContext__new (is_server != 0);
}

void
SocketDTLSExt_use_certificate_pem (SocketDTLSContext_T ctx,
                                   const void *cert_pem, size_t cert_len,
                                   const void *key_pem, size_t key_len)
{
  static const char op[] = "SocketDTLSExt_use_certificate_pem";
  int step;

  dtls_check_ctx (ctx, op);
  step = use_pem (ctx->ssl_ctx, cert_pem, cert_len, key_pem, key_len);
  if (step != 0)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: %s", op,
                       use_pem_reason (step));
}

void
SocketDTLSExt_load_ca_pem (SocketDTLSContext_T ctx, const void *pem,
                           size_t len)
{
  static const char op[] = "SocketDTLSExt_load_ca_pem";

  dtls_check_ctx (ctx, op);
  if (load_ca_pem (ctx->ssl_ctx, ctx->is_server, pem, len) != 0)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "%s: no PEM certificate (or a malformed one) in the "
                       "bundle",
                       op);
}

DTLSHandshakeState
SocketDTLSExt_handshake (SocketDgram_T socket, int *timer_ms)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn (socket, "SocketDTLSExt_handshake");
  DTLSHandshakeState st;
  struct timeval tv;

  if (timer_ms != NULL)
    *timer_ms = -1;
  /* Retransmit the last flight when its timer has run out. */
  if (conn->started && !conn->handshake_done
      && DTLSv1_get_timeout (conn->ssl, &tv) == 1 && tv.tv_sec == 0
      && tv.tv_usec == 0 && DTLSv1_handle_timeout (conn->ssl) < 0)
    {
      conn->last_state = DTLS_HANDSHAKE_ERROR;
      SocketDTLS__raise (&SocketDTLS_TimeoutExpired,
                         "DTLS handshake: no answer after %d retransmissions",
                         SOCKET_DTLS_MAX_RETRANSMITS);
    }
  st = SocketDTLS__handshake (socket);
  if (timer_ms != NULL && st != DTLS_HANDSHAKE_COMPLETE && conn->started
      && DTLSv1_get_timeout (conn->ssl, &tv) == 1)
    *timer_ms = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
  return st;
}

void
SocketDTLSExt_set_hostname (SocketDgram_T socket, const char *hostname)
{
  SocketDTLS__set_hostname (socket, hostname, 0);
}

int
SocketDTLSExt_get_cipher_id (SocketDgram_T socket)
{
  return cipher_id (SocketDTLS__conn (socket, "SocketDTLSExt_get_cipher_id")->ssl);
}

ssize_t
SocketDTLSExt_get_peer_cert_der (SocketDgram_T socket, int verified,
                                 int index, unsigned char *buf, size_t cap)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn (socket, "SocketDTLSExt_get_peer_cert_der");

  return peer_cert_der (conn->ssl, verified, index, buf, cap);
}

#endif /* SOCKET_HAS_TLS */
