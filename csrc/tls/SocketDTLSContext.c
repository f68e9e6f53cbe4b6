/*
 * SocketDTLSContext.c - DTLS 1.2 contexts: OpenSSL SSL_CTX setup,
 * certificates and trust, protocol limits, ciphers, ALPN, MTU, timers and
 * session caching. Cookie secrets live in SocketDTLS-cookie.c.
 */
#ifdef SOCKET_HAS_TLS

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "core/SocketUtil.h"
#include "tls/SocketDTLS-private.h"

#define RAISE_CTX(...) SocketDTLS__raise (&SocketDTLS_Failed, __VA_ARGS__)

/* Session ID context: resumption with client certificates requires one. */
static const unsigned char sid_context[] = "libsocket-dtls";

static int ctx_ex_index = -1;
static pthread_once_t ctx_ex_once = PTHREAD_ONCE_INIT;

static void
ctx_ex_init (void)
{
  ctx_ex_index = SSL_CTX_get_ex_new_index (0, NULL, NULL, NULL, NULL);
}

SocketDTLSContext_T
SocketDTLSContext__from_ssl_ctx (const SSL_CTX *ssl_ctx)
{
  pthread_once (&ctx_ex_once, ctx_ex_init);
  if (ssl_ctx == NULL || ctx_ex_index < 0)
    return NULL;
  return SSL_CTX_get_ex_data (ssl_ctx, ctx_ex_index);
}

static void
check_ctx (SocketDTLSContext_T ctx, const char *op)
{
  if (ctx == NULL)
    RAISE_CTX ("%s: NULL DTLS context", op);
}

static void
check_path (const char *path, const char *what, const char *op)
{
  int bad = path == NULL || path[0] == '\0'
            || strlen (path) > SOCKET_DTLS_MAX_PATH_LEN
            || strstr (path, "..") != NULL;

  (void)op;
  for (const unsigned char *p = (const unsigned char *)path; !bad && *p; p++)
    bad = *p < 0x20 || *p == 0x7F;
  /* As the original: NULL, empty, over-long, ".." anywhere, control
   * characters; reasons "Invalid certificate path" / "Invalid key path" /
   * "Invalid CA path". */
  if (bad)
    RAISE_CTX ("Invalid %s path", what);
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                          */
/* ------------------------------------------------------------------ */

/* Server ALPN choice, as in the original: the first protocol in the
 * client's order that we also support; no overlap -> no ALPN, the
 * handshake goes on. */
static int
alpn_select_cb (SSL *ssl, const unsigned char **out, unsigned char *outlen,
                const unsigned char *in, unsigned int inlen, void *arg)
{
  SocketDTLSContext_T ctx = arg;
  unsigned char *sel = NULL;

  (void)ssl;
  if (ctx->alpn_wire == NULL)
    return SSL_TLSEXT_ERR_NOACK;
  if (SSL_select_next_proto (&sel, outlen, in, inlen, ctx->alpn_wire,
                             (unsigned int)ctx->alpn_wire_len)
      != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

/* Store @p sess under @p key, replacing an entry with the same key or the
 * oldest one when full. Takes over the caller's reference. */
static void
cache_put (SocketDTLSContext_T ctx, const char *key, SSL_SESSION *sess)
{
  struct SocketDTLS_CachedSession *slot = NULL;
  char *copy = strdup (key);

  if (copy == NULL)
    {
      SSL_SESSION_free (sess);
      return;
    }
  pthread_mutex_lock (&ctx->lock);
  for (size_t i = 0; i < ctx->cache_len && slot == NULL; i++)
    if (strcmp (ctx->cache[i].key, key) == 0)
      slot = &ctx->cache[i];
  if (slot == NULL && ctx->cache_len < ctx->cache_max)
    slot = &ctx->cache[ctx->cache_len++];
  else if (slot == NULL)
    {
      slot = &ctx->cache[0];
      for (size_t i = 1; i < ctx->cache_len; i++)
        if (ctx->cache[i].stamp < slot->stamp)
          slot = &ctx->cache[i];
    }
  free (slot->key);
  if (slot->session != NULL)
    SSL_SESSION_free (slot->session);
  slot->key = copy;
  slot->session = sess;
  slot->stamp = ++ctx->cache_stamp;
  pthread_mutex_unlock (&ctx->lock);
}

/* New session established: clients keep it for the next handshake with
 * the same server; servers only count (OpenSSL's internal cache holds it). */
static int
new_session_cb (SSL *ssl, SSL_SESSION *sess)
{
  SocketDTLSContext_T ctx
      = SocketDTLSContext__from_ssl_ctx (SSL_get_SSL_CTX (ssl));
  struct SocketDTLS_Conn *conn = SSL_get_app_data (ssl);

  if (ctx == NULL || !ctx->cache_enabled)
    return 0;
  atomic_fetch_add (&ctx->stat_stores, 1);
  if (ctx->is_server || conn == NULL || conn->session_key == NULL
      || ctx->cache == NULL)
    return 0;
  cache_put (ctx, conn->session_key, sess);
  return 1; /* we keep the reference */
}

void
SocketDTLSContext__cache_offer (SocketDTLSContext_T ctx, SSL *ssl,
                                const char *key)
{
  SSL_SESSION *sess = NULL;
  time_t now = time (NULL);

  if (!ctx->cache_enabled || ctx->is_server || key == NULL)
    return;
  pthread_mutex_lock (&ctx->lock);
  for (size_t i = 0; i < ctx->cache_len && sess == NULL; i++)
    if (strcmp (ctx->cache[i].key, key) == 0)
      sess = ctx->cache[i].session;
  if (sess != NULL
      && (long)(now - SSL_SESSION_get_time (sess))
             >= SSL_SESSION_get_timeout (sess))
    sess = NULL; /* expired: a full handshake replaces it */
  if (sess != NULL)
    SSL_set_session (ssl, sess); /* takes its own reference */
  pthread_mutex_unlock (&ctx->lock);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

/* Secure defaults; 0 on success, -1 with the OpenSSL queue set. */
static int
apply_defaults (SocketDTLSContext_T ctx)
{
  SSL_CTX *c = ctx->ssl_ctx;
  uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
                  | SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU;

  if (ctx->is_server)
    opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options (c, opts);
  SSL_CTX_set_verify_depth (c, SOCKET_DTLS_MAX_CERT_CHAIN_DEPTH);
  SSL_CTX_set_session_cache_mode (c, SSL_SESS_CACHE_OFF);
  SSL_CTX_sess_set_new_cb (c, new_session_cb);
  if (!SSL_CTX_set_min_proto_version (c, SOCKET_DTLS_MIN_VERSION)
      || !SSL_CTX_set_max_proto_version (c, SOCKET_DTLS_MAX_VERSION)
      || !SSL_CTX_set_cipher_list (c, SOCKET_DTLS_CIPHERSUITES)
      || !SSL_CTX_set_session_id_context (c, sid_context,
                                          sizeof sid_context - 1))
    return -1;
  if (ctx->is_server)
    {
      SSL_CTX_set_alpn_select_cb (c, alpn_select_cb, ctx);
      SocketDTLS__cookie_install (ctx);
    }
  else
    SSL_CTX_set_verify (c, SSL_VERIFY_PEER, NULL);
  return 0;
}

static void
ctx_destroy (SocketDTLSContext_T ctx)
{
  for (size_t i = 0; i < ctx->cache_len; i++)
    {
      free (ctx->cache[i].key);
      SSL_SESSION_free (ctx->cache[i].session);
    }
  free (ctx->cache);
  free (ctx->alpn_wire);
  SSL_CTX_free (ctx->ssl_ctx);
  OPENSSL_cleanse (ctx->secret, sizeof ctx->secret);
  OPENSSL_cleanse (ctx->prev_secret, sizeof ctx->prev_secret);
  pthread_mutex_destroy (&ctx->lock);
  free (ctx);
}

SocketDTLSContext_T
SocketDTLSContext__new (int is_server)
{
  SocketDTLSContext_T ctx;

  pthread_once (&ctx_ex_once, ctx_ex_init);
  ctx = calloc (1, sizeof *ctx);
  if (ctx == NULL)
    RAISE_CTX ("SocketDTLSContext_new: out of memory");
  if (pthread_mutex_init (&ctx->lock, NULL) != 0)
    {
      free (ctx);
      RAISE_CTX ("SocketDTLSContext_new: mutex initialisation failed");
    }
  ctx->is_server = is_server;
  atomic_init (&ctx->refs, 1);
  ctx->mtu = SOCKET_DTLS_DEFAULT_MTU;
  ctx->timeout_initial_ms = SOCKET_DTLS_INITIAL_TIMEOUT_MS;
  ctx->timeout_max_ms = SOCKET_DTLS_MAX_TIMEOUT_MS;
  ctx->ssl_ctx = SSL_CTX_new (is_server ? DTLS_server_method ()
                                        : DTLS_client_method ());
  if (ctx->ssl_ctx == NULL || ctx_ex_index < 0
      || !SSL_CTX_set_ex_data (ctx->ssl_ctx, ctx_ex_index, ctx)
      || apply_defaults (ctx) != 0)
    {
      ctx_destroy (ctx);
      RAISE_CTX ("SocketDTLSContext_new: OpenSSL context setup failed");
    }
  return ctx;
}

/* Free @p ctx and raise the pending failure (setup helpers below). */
#define CTX_SETUP(ctx, stmt)                                                  \
  do                                                                          \
    {                                                                         \
      TRY stmt;                                                               \
      EXCEPT (SocketDTLS_Failed)                                              \
      {                                                                       \
        SocketDTLSContext__unref (ctx);                                       \
        RERAISE;                                                              \
      }                                                                       \
      END_TRY;                                                                \
    }                                                                         \
  while (0)

SocketDTLSContext_T
SocketDTLSContext_new_server (const char *cert_file, const char *key_file,
                              const char *ca_file)
{
  SocketDTLSContext_T ctx;

  check_path (cert_file, "certificate", "SocketDTLSContext_new_server");
  check_path (key_file, "key", "SocketDTLSContext_new_server");
  ctx = SocketDTLSContext__new (1);
  CTX_SETUP (ctx, SocketDTLSContext_load_certificate (ctx, cert_file,
                                                      key_file));
  /* As in the original, a CA does not request client certificates:
   * that takes SocketDTLSContext_set_verify_mode. */
  if (ca_file != NULL && ca_file[0] != '\0')
    CTX_SETUP (ctx, SocketDTLSContext_load_ca (ctx, ca_file));
  return ctx;
}

SocketDTLSContext_T
SocketDTLSContext_new_client (const char *ca_file)
{
  SocketDTLSContext_T ctx = SocketDTLSContext__new (0);

  if (ca_file != NULL && ca_file[0] != '\0') /* "" = NULL, as the original */
    CTX_SETUP (ctx, SocketDTLSContext_load_ca (ctx, ca_file));
  else if (!SSL_CTX_set_default_verify_paths (ctx->ssl_ctx))
    {
      SocketDTLSContext__unref (ctx);
      RAISE_CTX ("SocketDTLSContext_new_client: cannot load the system "
                 "trust store");
    }
  return ctx;
}

void
SocketDTLSContext__ref (SocketDTLSContext_T ctx)
{
  atomic_fetch_add (&ctx->refs, 1);
}

void
SocketDTLSContext__unref (SocketDTLSContext_T ctx)
{
  if (ctx != NULL && atomic_fetch_sub (&ctx->refs, 1) == 1)
    ctx_destroy (ctx);
}

void
SocketDTLSContext_free (SocketDTLSContext_T *ctx_p)
{
  SocketDTLSContext_T ctx;

  if (ctx_p == NULL || *ctx_p == NULL)
    return;
  ctx = *ctx_p;
  *ctx_p = NULL;
  SocketDTLSContext__unref (ctx);
}

/* ------------------------------------------------------------------ */
/* Certificates and verification                                      */
/* ------------------------------------------------------------------ */

void
SocketDTLSContext_load_certificate (SocketDTLSContext_T ctx,
                                    const char *cert_file,
                                    const char *key_file)
{
  const char *op = "SocketDTLSContext_load_certificate";

  check_ctx (ctx, op);
  check_path (cert_file, "certificate", op);
  check_path (key_file, "key", op);
  if (SSL_CTX_use_certificate_chain_file (ctx->ssl_ctx, cert_file) != 1)
    RAISE_CTX ("%s: cannot load certificate chain '%s'", op, cert_file);
  if (SSL_CTX_use_PrivateKey_file (ctx->ssl_ctx, key_file, SSL_FILETYPE_PEM)
      != 1)
    {
      if (ERR_GET_REASON (ERR_peek_last_error ())
          == X509_R_KEY_VALUES_MISMATCH)
        {
          ERR_clear_error ();
          RAISE_CTX ("%s: private key '%s' does not match certificate '%s'",
                     op, key_file, cert_file);
        }
      RAISE_CTX ("%s: cannot load private key '%s'", op, key_file);
    }
  if (SSL_CTX_check_private_key (ctx->ssl_ctx) != 1)
    RAISE_CTX ("%s: private key '%s' does not match certificate '%s'", op,
               key_file, cert_file);
}

void
SocketDTLSContext_load_ca (SocketDTLSContext_T ctx, const char *ca_file)
{
  const char *op = "SocketDTLSContext_load_ca";

  check_ctx (ctx, op);
  check_path (ca_file, "CA", op);
  if (SSL_CTX_load_verify_locations (ctx->ssl_ctx, ca_file, NULL) != 1)
    RAISE_CTX ("%s: cannot load CA certificates from '%s'", op, ca_file);
  if (ctx->is_server)
    {
      /* Name these CAs in the CertificateRequest (appending on reload). */
      STACK_OF (X509_NAME) *names = SSL_CTX_get_client_CA_list (ctx->ssl_ctx);
      if (names != NULL)
        SSL_add_file_cert_subjects_to_stack (names, ca_file);
      else if ((names = SSL_load_client_CA_file (ca_file)) != NULL)
        SSL_CTX_set_client_CA_list (ctx->ssl_ctx, names);
      ERR_clear_error ();
    }
}

void
SocketDTLSContext_set_verify_mode (SocketDTLSContext_T ctx,
                                   TLSVerifyMode mode)
{
  const unsigned known = TLS_VERIFY_PEER | TLS_VERIFY_FAIL_IF_NO_PEER_CERT
                         | TLS_VERIFY_CLIENT_ONCE;

  check_ctx (ctx, "SocketDTLSContext_set_verify_mode");
  if (((unsigned)mode & ~known) != 0)
    RAISE_CTX ("SocketDTLSContext_set_verify_mode: unknown mode bits 0x%x",
               (unsigned)mode & ~known);
  /* TLSVerifyMode values are OpenSSL's SSL_VERIFY_* bits. */
  SSL_CTX_set_verify (ctx->ssl_ctx, (int)mode, NULL);
}

/* ------------------------------------------------------------------ */
/* Protocol, ciphers, ALPN                                            */
/* ------------------------------------------------------------------ */

/* DTLS versions count downwards (1.0 = 0xFEFF, 1.2 = 0xFEFD): a version is
 * acceptable when it is a DTLS version at least as new as 1.2. */
static void
check_version (int version, const char *op)
{
  if ((version & 0xFF00) != 0xFE00)
    RAISE_CTX ("%s: 0x%04x is not a DTLS protocol version", op, version);
  if (version > DTLS1_2_VERSION)
    RAISE_CTX ("%s: DTLS versions older than 1.2 are not allowed "
               "(got 0x%04x)",
               op, version);
}

void
SocketDTLSContext_set_min_protocol (SocketDTLSContext_T ctx, int version)
{
  const char *op = "SocketDTLSContext_set_min_protocol";

  check_ctx (ctx, op);
  check_version (version, op);
  if (!SSL_CTX_set_min_proto_version (ctx->ssl_ctx, version))
    RAISE_CTX ("%s: OpenSSL does not support 0x%04x", op, version);
}

void
SocketDTLSContext_set_max_protocol (SocketDTLSContext_T ctx, int version)
{
  const char *op = "SocketDTLSContext_set_max_protocol";
  long min;

  check_ctx (ctx, op);
  check_version (version, op);
  min = SSL_CTX_get_min_proto_version (ctx->ssl_ctx);
  if (min != 0 && version > min)
    RAISE_CTX ("%s: 0x%04x is older than the minimum 0x%04lx", op, version,
               min);
  if (!SSL_CTX_set_max_proto_version (ctx->ssl_ctx, version))
    RAISE_CTX ("%s: OpenSSL does not support 0x%04x", op, version);
}

void
SocketDTLSContext_set_cipher_list (SocketDTLSContext_T ctx,
                                   const char *ciphers)
{
  const char *op = "SocketDTLSContext_set_cipher_list";

  check_ctx (ctx, op);
  if (ciphers == NULL)
    ciphers = SOCKET_DTLS_CIPHERSUITES;
  if (ciphers[0] == '\0')
    RAISE_CTX ("%s: empty cipher list", op);
  if (SSL_CTX_set_cipher_list (ctx->ssl_ctx, ciphers) != 1)
    RAISE_CTX ("%s: no usable cipher in '%.200s'", op, ciphers);
}

/* RFC 7301 wire format of @p protos (malloc'd); raises on bad names. */
static unsigned char *
alpn_wire (const char **protos, size_t count, size_t *len_out)
{
  const char *op = "SocketDTLSContext_set_alpn_protos";
  unsigned char *wire, *p;
  size_t total = 0;

  if (count > SOCKET_DTLS_MAX_ALPN_PROTOCOLS)
    RAISE_CTX ("Too many ALPN protocols: %zu (max %d)", count,
               SOCKET_DTLS_MAX_ALPN_PROTOCOLS);
  for (size_t i = 0; i < count; i++)
    {
      size_t n = protos[i] != NULL ? strlen (protos[i]) : 0;
      if (n == 0 || n > SOCKET_DTLS_MAX_ALPN_LEN)
        RAISE_CTX ("Invalid ALPN protocol length: %zu", n);
      total += 1 + n;
    }
  wire = p = malloc (total);
  if (wire == NULL)
    RAISE_CTX ("%s: out of memory", op);
  for (size_t i = 0; i < count; i++)
    {
      size_t n = strlen (protos[i]);
      *p++ = (unsigned char)n;
      memcpy (p, protos[i], n);
      p += n;
    }
  *len_out = total;
  return wire;
}

void
SocketDTLSContext_set_alpn_protos (SocketDTLSContext_T ctx,
                                   const char **protos, size_t count)
{
  unsigned char *wire;
  size_t len = 0;

  check_ctx (ctx, "SocketDTLSContext_set_alpn_protos");
  if (protos == NULL || count == 0) /* clears the list, as the original */
    {
      if (!ctx->is_server)
        (void)SSL_CTX_set_alpn_protos (ctx->ssl_ctx, NULL, 0);
      free (ctx->alpn_wire);
      ctx->alpn_wire = NULL;
      ctx->alpn_wire_len = 0;
      return;
    }
  wire = alpn_wire (protos, count, &len);
  if (!ctx->is_server)
    {
      /* SSL_CTX_set_alpn_protos copies and returns 0 on success. */
      int rc = SSL_CTX_set_alpn_protos (ctx->ssl_ctx, wire, (unsigned)len);
      free (wire);
      if (rc != 0)
        RAISE_CTX ("SocketDTLSContext_set_alpn_protos: OpenSSL rejected the "
                   "list");
      return;
    }
  free (ctx->alpn_wire);
  ctx->alpn_wire = wire;
  ctx->alpn_wire_len = len;
}

/* ------------------------------------------------------------------ */
/* MTU, timers, sessions, queries                                     */
/* ------------------------------------------------------------------ */

void
SocketDTLSContext_set_mtu (SocketDTLSContext_T ctx, size_t mtu)
{
  check_ctx (ctx, "SocketDTLSContext_set_mtu");
  if (!SOCKET_DTLS_VALID_MTU (mtu))
    RAISE_CTX ("Invalid MTU: %zu (must be %d-%d)", mtu,
               SOCKET_DTLS_MIN_MTU, SOCKET_DTLS_MAX_MTU);
  ctx->mtu = mtu;
}

size_t
SocketDTLSContext_get_mtu (SocketDTLSContext_T ctx)
{
  return ctx != NULL ? ctx->mtu : SOCKET_DTLS_DEFAULT_MTU; /* NULL-safe */
}

void
SocketDTLSContext_set_timeout (SocketDTLSContext_T ctx, int initial_ms,
                               int max_ms)
{
  check_ctx (ctx, "SocketDTLSContext_set_timeout");
  if (!SOCKET_DTLS_VALID_TIMEOUT (initial_ms))
    RAISE_CTX ("Invalid initial timeout: %d", initial_ms);
  if (!SOCKET_DTLS_VALID_TIMEOUT (max_ms))
    RAISE_CTX ("Invalid max timeout: %d", max_ms);
  if (initial_ms > max_ms) /* ours: the values drive the timer */
    RAISE_CTX ("Invalid initial timeout: %d (above max timeout %d)",
               initial_ms, max_ms);
  ctx->timeout_initial_ms = initial_ms;
  ctx->timeout_max_ms = max_ms;
}

void
SocketDTLSContext_enable_session_cache (SocketDTLSContext_T ctx,
                                        size_t max_sessions,
                                        long timeout_seconds)
{
  const char *op = "SocketDTLSContext_enable_session_cache";

  check_ctx (ctx, op);
  if (max_sessions == 0)
    max_sessions = SOCKET_DTLS_SESSION_CACHE_SIZE;
  if (max_sessions > (size_t)1 << 20)
    RAISE_CTX ("%s: %zu sessions is too many (max %zu)", op, max_sessions,
               (size_t)1 << 20);
  if (timeout_seconds <= 0)
    timeout_seconds = SOCKET_DTLS_SESSION_TIMEOUT_DEFAULT;
  if (!ctx->is_server && ctx->cache == NULL)
    {
      ctx->cache = calloc (max_sessions, sizeof *ctx->cache);
      if (ctx->cache == NULL)
        RAISE_CTX ("%s: out of memory for %zu sessions", op, max_sessions);
      ctx->cache_max = max_sessions;
    }
  SSL_CTX_set_timeout (ctx->ssl_ctx, timeout_seconds);
  SSL_CTX_sess_set_cache_size (ctx->ssl_ctx, (long)max_sessions);
  SSL_CTX_set_session_cache_mode (
      ctx->ssl_ctx, ctx->is_server
                        ? SSL_SESS_CACHE_SERVER
                        : SSL_SESS_CACHE_CLIENT
                              | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_clear_options (ctx->ssl_ctx, SSL_OP_NO_TICKET);
  ctx->cache_enabled = 1;
}

void
SocketDTLSContext_get_cache_stats (SocketDTLSContext_T ctx, size_t *hits,
                                   size_t *misses, size_t *stores)
{
  if (ctx == NULL) /* NULL-safe, outputs untouched (as the original) */
    return;
  if (hits != NULL)
    *hits = atomic_load (&ctx->stat_hits);
  if (misses != NULL)
    *misses = atomic_load (&ctx->stat_misses);
  if (stores != NULL)
    *stores = atomic_load (&ctx->stat_stores);
}

void *
SocketDTLSContext_get_ssl_ctx (SocketDTLSContext_T ctx)
{
  return ctx != NULL ? ctx->ssl_ctx : NULL;
}

int
SocketDTLSContext_is_server (SocketDTLSContext_T ctx)
{
  return ctx != NULL && ctx->is_server;
}

int
SocketDTLSContext_has_cookie_exchange (SocketDTLSContext_T ctx)
{
  return ctx != NULL && ctx->cookie_enabled;
}

#endif /* SOCKET_HAS_TLS */
