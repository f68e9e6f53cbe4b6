/*
 * SocketTLSContext.c - TLS contexts: creation with secure defaults,
 * certificates and trust, protocol range, ciphers, reference counting, and
 * the error plumbing shared by every csrc/tls/SocketTLS*.c file.
 */
#ifdef SOCKET_HAS_TLS

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "core/SocketUtil.h"
#include "tls/SocketTLS-private.h"

__thread char tls_error_buf[SOCKET_TLS_ERROR_BUFSIZE];

/* Thread-local copy raised with this thread's message (see SocketUtil.h). */
static __thread Except_T tls_exception;

static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static int ssl_index = -1;
static int ctx_index = -1;

/* ------------------------------------------------------------------ */
/* Errors                                                             */
/* ------------------------------------------------------------------ */

/* One queue entry as "reason (data)"; the reason alone is the useful part
 * ("certificate verify failed"), data carries file names and the like. */
static void
format_error (unsigned long e, const char *data, int flags, char *out,
              size_t size)
{
  const char *reason = ERR_reason_error_string (e);

  if (reason == NULL)
    {
      ERR_error_string_n (e, out, size);
      return;
    }
  if (data != NULL && *data != '\0' && (flags & ERR_TXT_STRING))
    snprintf (out, size, "%s (%s)", reason, data);
  else
    snprintf (out, size, "%s", reason);
}

static unsigned long
next_error (const char **data, int *flags)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  return ERR_get_error_all (NULL, NULL, NULL, data, flags);
#else
  return ERR_get_error_line_data (NULL, NULL, data, flags);
#endif
}

void
SocketTLS__append_queue (char *buf, size_t size)
{
  size_t len = strlen (buf);
  const char *data = NULL;
  int flags = 0;
  unsigned long e;
  int first = 1;

  while ((e = next_error (&data, &flags)) != 0)
    {
      char one[SOCKET_TLS_OPENSSL_ERRSTR_BUFSIZE];

      format_error (e, data, flags, one, sizeof one);
      if (len + 4 < size)
        {
          snprintf (buf + len, size - len, "%s%s", first ? ": " : "; ", one);
          len = strlen (buf);
        }
      first = 0;
    }
}

void
SocketTLS__raise (const Except_T *e, const char *file, int line,
                  int with_queue, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (tls_error_buf, sizeof tls_error_buf, fmt, ap);
  va_end (ap);
  if (with_queue)
    SocketTLS__append_queue (tls_error_buf, sizeof tls_error_buf);
  else
    ERR_clear_error ();
  snprintf (socket_error_buf, sizeof socket_error_buf, "%s", tls_error_buf);
  socket_last_errno = 0;
  tls_exception.type = e;
  tls_exception.reason = tls_error_buf;
  Except_raise (&tls_exception, file, line);
}

/* ------------------------------------------------------------------ */
/* ex_data plumbing                                                   */
/* ------------------------------------------------------------------ */

static void
init_indices (void)
{
  ssl_index = SSL_get_ex_new_index (0, NULL, NULL, NULL, NULL);
  ctx_index = SSL_CTX_get_ex_new_index (0, NULL, NULL, NULL, NULL);
}

int
SocketTLS__ssl_index (void)
{
  pthread_once (&index_once, init_indices);
  return ssl_index;
}

SocketTLSContext_T
SocketTLS__ctx_of (const SSL *ssl)
{
  pthread_once (&index_once, init_indices);
  return SSL_CTX_get_ex_data (SSL_get_SSL_CTX (ssl), ctx_index);
}

SocketTLS_T
SocketTLS__conn_of (const SSL *ssl)
{
  return SSL_get_ex_data (ssl, SocketTLS__ssl_index ());
}

void
SocketTLS__check_ctx (SocketTLSContext_T ctx, const char *op)
{
  if (ctx == NULL || ctx->ssl_ctx == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: NULL TLS context", op);
}

void
SocketTLS__check_path (const char *path, const char *op)
{
  if (path == NULL || *path == '\0')
    TLS_RAISE (SocketTLS_Failed, "%s: NULL or empty path", op);
  if (strlen (path) > SOCKET_TLS_MAX_PATH_LEN)
    TLS_RAISE (SocketTLS_Failed, "%s: path longer than %d bytes", op,
               SOCKET_TLS_MAX_PATH_LEN);
  /* As the original: no ".." anywhere, no control characters. */
  if (strstr (path, "..") != NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: path '%.200s' contains \"..\"", op,
               path);
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    if (*p < 0x20 || *p == 0x7F)
      TLS_RAISE (SocketTLS_Failed, "%s: control character in path", op);
}

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

STACK_OF (X509) * SocketTLS__read_certs (const char *path, const char *op)
{
  STACK_OF (X509) *certs;
  BIO *bio;
  X509 *x;

  SocketTLS__check_path (path, op);
  ERR_clear_error ();
  bio = BIO_new_file (path, "r");
  if (bio == NULL)
    TLS_RAISE_SSL (SocketTLS_Failed, "%s: cannot open '%s'", op, path);
  certs = sk_X509_new_null ();
  while (certs != NULL
         && (x = PEM_read_bio_X509 (bio, NULL, no_password, NULL)) != NULL)
    if (!sk_X509_push (certs, x))
      {
        X509_free (x);
        break;
      }
  BIO_free (bio);
  if (certs == NULL || sk_X509_num (certs) == 0)
    {
      sk_X509_pop_free (certs, X509_free);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: no PEM certificate in '%s'", op,
                     path);
    }
  ERR_clear_error (); /* the expected "no start line" at end of file */
  return certs;
}

/* ------------------------------------------------------------------ */
/* Reference counting                                                 */
/* ------------------------------------------------------------------ */

void
SocketTLS__ctx_ref (SocketTLSContext_T ctx)
{
  atomic_fetch_add (&ctx->refs, 1);
}

static void
ctx_destroy (SocketTLSContext_T ctx)
{
  SSL_CTX_free (ctx->ssl_ctx);
  SocketTLS__sni_free (ctx);
  SocketTLS__session_free (ctx);
  SocketTLS__pin_free (ctx);
  free (ctx->alpn);
  free (ctx->ocsp_der);
  OPENSSL_cleanse (&ctx->ticket_cur, sizeof ctx->ticket_cur);
  OPENSSL_cleanse (&ctx->ticket_prev, sizeof ctx->ticket_prev);
  pthread_mutex_destroy (&ctx->lock);
  free (ctx);
}

void
SocketTLS__ctx_unref (SocketTLSContext_T ctx)
{
  if (ctx != NULL && atomic_fetch_sub (&ctx->refs, 1) == 1)
    ctx_destroy (ctx);
}

void
SocketTLSContext_free (SocketTLSContext_T *ctx_p)
{
  SocketTLSContext_T ctx;

  if (ctx_p == NULL || *ctx_p == NULL)
    return;
  ctx = *ctx_p;
  *ctx_p = NULL;
  SocketTLS__ctx_unref (ctx);
}

/* ------------------------------------------------------------------ */
/* Creation                                                           */
/* ------------------------------------------------------------------ */

/* Secure defaults on a fresh SSL_CTX. 0 on success. */
static int
apply_defaults (SSL_CTX *c, int is_server)
{
  uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;

  if (is_server)
    opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options (c, opts);
  SSL_CTX_set_mode (c, SSL_MODE_ENABLE_PARTIAL_WRITE
                           | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify_depth (c, SOCKET_TLS_MAX_CERT_CHAIN_DEPTH);
  SSL_CTX_set_default_passwd_cb (c, no_password);
  /* Resumption stays off until enable_session_cache / _tickets. */
  SSL_CTX_set_session_cache_mode (c, SSL_SESS_CACHE_OFF);
  if (is_server
      && (SSL_CTX_set_num_tickets (c, 0) != 1
          || SSL_CTX_set_session_id_context (
                 c, (const unsigned char *)"libsocket", 9)
                 != 1))
    return -1;
  if (SSL_CTX_set_min_proto_version (c, SOCKET_TLS_MIN_VERSION) != 1
      || SSL_CTX_set_max_proto_version (c, SOCKET_TLS_MAX_VERSION) != 1
      || SSL_CTX_set_ciphersuites (c, SOCKET_TLS13_CIPHERSUITES) != 1
      || SSL_CTX_set_cipher_list (c, SOCKET_TLS12_CIPHERS) != 1)
    return -1;
  return 0;
}

static SocketTLSContext_T
ctx_new (int is_server, const char *op)
{
  SocketTLSContext_T ctx;
  SSL_CTX *c;

  ERR_clear_error ();
  c = SSL_CTX_new (is_server ? TLS_server_method () : TLS_client_method ());
  if (c == NULL)
    TLS_RAISE_SSL (SocketTLS_Failed, "%s: SSL_CTX_new failed", op);
  ctx = calloc (1, sizeof *ctx);
  if (ctx == NULL || apply_defaults (c, is_server) != 0
      || pthread_mutex_init (&ctx->lock, NULL) != 0)
    {
      SSL_CTX_free (c);
      free (ctx);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: context setup failed", op);
    }
  pthread_once (&index_once, init_indices);
  SSL_CTX_set_ex_data (c, ctx_index, ctx);
  ctx->ssl_ctx = c;
  ctx->is_server = is_server;
  ctx->pin_enforce = 1;
  ctx->cache_size = SOCKET_TLS_SESSION_CACHE_SIZE;
  atomic_init (&ctx->refs, 1);
  ctx->verify_mode = is_server ? TLS_VERIFY_NONE : TLS_VERIFY_PEER;
  SocketTLS__apply_verify (ctx);
  if (is_server)
    SSL_CTX_set_tlsext_servername_callback (c, SocketTLS__sni_cb);
  return ctx;
}

SocketTLSContext_T
SocketTLSContext__new (int is_server, const char *op)
{
  return ctx_new (is_server, op);
}

SocketTLSContext_T
SocketTLSContext_new_server (const char *cert_file, const char *key_file,
                             const char *ca_file)
{
  SocketTLSContext_T volatile ctx;

  SocketTLS__check_path (cert_file, "SocketTLSContext_new_server (cert)");
  SocketTLS__check_path (key_file, "SocketTLSContext_new_server (key)");
  ctx = ctx_new (1, "SocketTLSContext_new_server");
  TRY
  {
    SocketTLSContext_load_certificate (ctx, cert_file, key_file);
    if (ca_file != NULL)
      SocketTLSContext_load_ca (ctx, ca_file);
  }
  ELSE
  {
    SocketTLSContext_T c = ctx;
    SocketTLSContext_free (&c);
    RERAISE;
  }
  END_TRY;
  return ctx;
}

SocketTLSContext_T
SocketTLSContext_new_client (const char *ca_file)
{
  SocketTLSContext_T volatile ctx = ctx_new (0, "SocketTLSContext_new_client");

  TRY
  {
    if (ca_file != NULL)
      SocketTLSContext_load_ca (ctx, ca_file);
    else if (SSL_CTX_set_default_verify_paths (ctx->ssl_ctx) != 1)
      TLS_RAISE_SSL (SocketTLS_Failed,
                     "SocketTLSContext_new_client: cannot use the system "
                     "trust store");
  }
  ELSE
  {
    SocketTLSContext_T c = ctx;
    SocketTLSContext_free (&c);
    RERAISE;
  }
  END_TRY;
  return ctx;
}

/* ------------------------------------------------------------------ */
/* Certificates and trust                                             */
/* ------------------------------------------------------------------ */

void
SocketTLSContext_load_certificate (SocketTLSContext_T ctx,
                                   const char *cert_file, const char *key_file)
{
  static const char op[] = "SocketTLSContext_load_certificate";

  SocketTLS__check_ctx (ctx, op);
  SocketTLS__check_path (cert_file, op);
  SocketTLS__check_path (key_file, op);
  ERR_clear_error ();
  /* Reasons as the original: message + OpenSSL's error text. */
  if (SSL_CTX_use_certificate_chain_file (ctx->ssl_ctx, cert_file) != 1)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to load certificate file");
  if (SSL_CTX_use_PrivateKey_file (ctx->ssl_ctx, key_file, SSL_FILETYPE_PEM)
      != 1)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to load private key file");
  if (SSL_CTX_check_private_key (ctx->ssl_ctx) != 1)
    TLS_RAISE_SSL (SocketTLS_Failed, "Private key does not match certificate");
}

void
SocketTLSContext_load_ca (SocketTLSContext_T ctx, const char *ca_file)
{
  static const char op[] = "SocketTLSContext_load_ca";
  struct stat st;
  int is_dir;

  SocketTLS__check_ctx (ctx, op);
  SocketTLS__check_path (ca_file, op);
  if (stat (ca_file, &st) != 0)
    TLS_RAISE (SocketTLS_Failed, "%s: '%s': %s", op, ca_file,
               Socket_safe_strerror (errno));
  is_dir = S_ISDIR (st.st_mode);
  ERR_clear_error ();
  if (SSL_CTX_load_verify_locations (ctx->ssl_ctx, is_dir ? NULL : ca_file,
                                     is_dir ? ca_file : NULL)
      != 1)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to load CA certificates");
  if (ctx->is_server && !is_dir)
    {
      /* Tell clients which CAs we accept (CertificateRequest); appends,
       * so several CA files add up. */
      STACK_OF (X509_NAME) *names = SSL_CTX_get_client_CA_list (ctx->ssl_ctx);
      if (names == NULL)
        {
          names = sk_X509_NAME_new_null ();
          if (names != NULL)
            SSL_CTX_set_client_CA_list (ctx->ssl_ctx, names);
        }
      if (names != NULL)
        (void)SSL_add_file_cert_subjects_to_stack (names, ca_file);
      ERR_clear_error ();
    }
}

/* ------------------------------------------------------------------ */
/* Protocol range and ciphers                                         */
/* ------------------------------------------------------------------ */

static void
check_version (int version, const char *op)
{
  if (version != TLS1_2_VERSION && version != TLS1_3_VERSION)
    TLS_RAISE (SocketTLS_Failed,
               "%s: unsupported protocol version 0x%04x (only TLS 1.2 0x%04x "
               "and TLS 1.3 0x%04x)",
               op, (unsigned)version, TLS1_2_VERSION, TLS1_3_VERSION);
}

void
SocketTLSContext_set_min_protocol (SocketTLSContext_T ctx, int version)
{
  static const char op[] = "SocketTLSContext_set_min_protocol";

  SocketTLS__check_ctx (ctx, op);
  check_version (version, op);
  if (SSL_CTX_set_min_proto_version (ctx->ssl_ctx, version) != 1)
    TLS_RAISE_SSL (SocketTLS_Failed,
                   "Failed to set minimum TLS protocol version");
}

void
SocketTLSContext_set_max_protocol (SocketTLSContext_T ctx, int version)
{
  static const char op[] = "SocketTLSContext_set_max_protocol";

  SocketTLS__check_ctx (ctx, op);
  check_version (version, op);
  if (SSL_CTX_set_max_proto_version (ctx->ssl_ctx, version) != 1)
    TLS_RAISE_SSL (SocketTLS_Failed,
                   "Failed to set maximum TLS protocol version");
}

/* 1 if every ':'-separated entry names a TLS 1.3 suite ("TLS_..."). */
static int
is_tls13_list (const char *s)
{
  for (;;)
    {
      if (strncmp (s, "TLS_", 4) != 0)
        return 0;
      s = strchr (s, ':');
      if (s == NULL)
        return 1;
      s++;
    }
}

void
SocketTLSContext_set_cipher_list (SocketTLSContext_T ctx, const char *ciphers)
{
  static const char op[] = "SocketTLSContext_set_cipher_list";
  int ok;

  SocketTLS__check_ctx (ctx, op);
  ERR_clear_error ();
  if (ciphers == NULL)
    ok = SSL_CTX_set_ciphersuites (ctx->ssl_ctx, SOCKET_TLS13_CIPHERSUITES)
         && SSL_CTX_set_cipher_list (ctx->ssl_ctx, SOCKET_TLS12_CIPHERS);
  else if (*ciphers == '\0')
    TLS_RAISE (SocketTLS_Failed, "%s: empty cipher list", op);
  else if (is_tls13_list (ciphers))
    ok = SSL_CTX_set_ciphersuites (ctx->ssl_ctx, ciphers);
  else
    ok = SSL_CTX_set_cipher_list (ctx->ssl_ctx, ciphers);
  if (ok != 1)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to set cipher list");
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */
/* ------------------------------------------------------------------ */

void *
SocketTLSContext_get_ssl_ctx (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_get_ssl_ctx");
  return ctx->ssl_ctx;
}

int
SocketTLSContext_is_server (SocketTLSContext_T ctx)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_is_server");
  return ctx->is_server;
}

#endif /* SOCKET_HAS_TLS */
