/*
 * SocketTLSContext-session.c - session resumption.
 *
 * Server: OpenSSL's internal cache (stateful; TLS 1.3 tickets then carry
 * only the cache key) and/or stateless tickets under a caller-supplied key
 * with one previous key kept for rotation (RFC 8446 section 4.6.1,
 * RFC 5077 key layout).
 * Our ticket callback asks OpenSSL to renew every ticket it accepts, so
 * each resumption hands the client a fresh one (OpenSSL issues none after
 * a resumption otherwise, and clients use TLS 1.3 tickets only once).
 * Client: the latest sessions per "host:port" (two, since servers issue
 * tickets in pairs) kept by the context and offered on the next
 * connection; TLS 1.3 tickets once (RFC 8446 appendix C.4), TLS 1.2
 * sessions until replaced.
 */
#ifdef SOCKET_HAS_TLS

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#else
#include <openssl/hmac.h>
#endif

#include "socket/Socket-private.h"
#include "tls/SocketTLS-private.h"

/* ------------------------------------------------------------------ */
/* Client session store                                               */
/* ------------------------------------------------------------------ */

static void
entry_free (SocketTLS_ClientSession *e)
{
  SSL_SESSION_free (e->session);
  free (e->key);
  free (e);
}

/* Sessions kept per key: the newest is offered, the older is a spare. */
#define SESSIONS_PER_KEY 2

/* Unlink *pp from the store (lock held). */
static SocketTLS_ClientSession *
store_unlink (SocketTLSContext_T ctx, SocketTLS_ClientSession **pp)
{
  SocketTLS_ClientSession *e = *pp;

  *pp = e->next;
  ctx->client_session_count--;
  return e;
}

/* Link of the newest entry for @p key, or NULL (lock held). */
static SocketTLS_ClientSession **
store_find (SocketTLSContext_T ctx, const char *key)
{
  for (SocketTLS_ClientSession **pp = &ctx->client_sessions; *pp;
       pp = &(*pp)->next)
    if (strcmp ((*pp)->key, key) == 0)
      return pp;
  return NULL;
}

/* Drop entries beyond SESSIONS_PER_KEY for @p key and beyond the
 * capacity overall, oldest first (lock held). */
static void
store_trim_key (SocketTLSContext_T ctx, const char *key)
{
  SocketTLS_ClientSession **pp = &ctx->client_sessions;
  size_t n = 0, same = 0;

  while (*pp != NULL)
    {
      int mine = key != NULL && strcmp ((*pp)->key, key) == 0;
      if (n >= ctx->cache_size || (mine && same >= SESSIONS_PER_KEY))
        {
          entry_free (store_unlink (ctx, pp));
          continue;
        }
      same += mine;
      n++;
      pp = &(*pp)->next;
    }
}

static void
store_trim (SocketTLSContext_T ctx)
{
  store_trim_key (ctx, NULL);
}

void
SocketTLS__session_free (SocketTLSContext_T ctx)
{
  while (ctx->client_sessions != NULL)
    {
      SocketTLS_ClientSession *e = ctx->client_sessions;
      ctx->client_sessions = e->next;
      entry_free (e);
    }
  ctx->client_session_count = 0;
}

/* "host:port" of the peer: the SNI name if set, else the address. */
static char *
session_key (SocketTLS_T t)
{
  const char *host = t->hostname;
  char *key;
  size_t n;

  if (host == NULL)
    host = t->socket->base->remoteaddr ? t->socket->base->remoteaddr
                                       : SOCKET__UNKNOWN_ADDR;
  n = strlen (host) + 16;
  key = malloc (n);
  if (key != NULL)
    snprintf (key, n, "%s:%d", host, t->socket->base->remoteport);
  return key;
}

/* Store @p sess (one reference passes to the store) as the newest session
 * for @p t's peer. 1 if stored; else the caller keeps the reference. */
static int
store_put (SocketTLS_T t, SSL_SESSION *sess)
{
  SocketTLSContext_T ctx = t->ctx;
  SocketTLS_ClientSession *e;
  char *key = session_key (t);

  e = key ? calloc (1, sizeof *e) : NULL;
  if (e == NULL)
    {
      free (key);
      return 0;
    }
  e->key = key;
  e->session = sess;
  pthread_mutex_lock (&ctx->lock);
  e->next = ctx->client_sessions;
  ctx->client_sessions = e;
  ctx->client_session_count++;
  store_trim_key (ctx, key);
  pthread_mutex_unlock (&ctx->lock);
  atomic_fetch_add (&ctx->stores, 1);
  return 1;
}

/* Client new-session callback (full handshakes; TLS 1.3 tickets). */
static int
client_new_cb (SSL *ssl, SSL_SESSION *sess)
{
  SocketTLS_T t = SocketTLS__conn_of (ssl);

  if (t == NULL || t->socket == NULL || !SSL_SESSION_is_resumable (sess))
    return 0;
  return store_put (t, sess); /* 1: we keep OpenSSL's reference */
}

void
SocketTLS__session_offer (SocketTLS_T t)
{
  SocketTLSContext_T ctx = t->ctx;
  SocketTLS_ClientSession **pp, *used = NULL;
  char *key;

  if (ctx->is_server || !ctx->cache_enabled || (key = session_key (t)) == NULL)
    return;
  pthread_mutex_lock (&ctx->lock);
  /* Sessions OpenSSL has since declared bad are dropped on the way. */
  while ((pp = store_find (ctx, key)) != NULL
         && !SSL_SESSION_is_resumable ((*pp)->session))
    entry_free (store_unlink (ctx, pp));
  if (pp != NULL && SSL_set_session (t->ssl, (*pp)->session) == 1)
    {
      t->offered_session = 1;
      /* TLS 1.3 tickets are single use (OpenSSL retires them anyway). */
      if (SSL_SESSION_get_protocol_version ((*pp)->session) == TLS1_3_VERSION)
        used = store_unlink (ctx, pp);
    }
  pthread_mutex_unlock (&ctx->lock);
  if (used != NULL)
    entry_free (used);
  free (key);
}

/* TLS 1.2 client resumption that brought a new ticket: OpenSSL retires the
 * old session without a new-session callback, so store the new one. */
static void
store_renewed (SocketTLS_T t)
{
  SSL_SESSION *sess = SSL_get1_session (t->ssl);
  char *key = session_key (t);
  SocketTLS_ClientSession **pp;
  int known;

  if (sess == NULL || key == NULL)
    {
      SSL_SESSION_free (sess);
      free (key);
      return;
    }
  pthread_mutex_lock (&t->ctx->lock);
  pp = store_find (t->ctx, key);
  known = pp != NULL && (*pp)->session == sess;
  pthread_mutex_unlock (&t->ctx->lock);
  free (key);
  if (known || !SSL_SESSION_is_resumable (sess) || !store_put (t, sess))
    SSL_SESSION_free (sess);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                         */
/* ------------------------------------------------------------------ */

void
SocketTLS__session_count (SocketTLS_T t)
{
  SocketTLSContext_T ctx = t->ctx;

  if (SSL_session_reused (t->ssl))
    {
      atomic_fetch_add (&ctx->hits, 1);
      if (!ctx->is_server && ctx->cache_enabled
          && SSL_version (t->ssl) != TLS1_3_VERSION)
        store_renewed (t);
    }
  else if (t->offered_session || (!ctx->is_server && ctx->cache_enabled))
    atomic_fetch_add (&ctx->misses, 1);
}

/* Server: did the ClientHello try to resume? (PSK in TLS 1.3; a session
 * ticket or, from a client without TLS 1.3, a session ID in TLS 1.2.) */
static int
client_hello_cb (SSL *ssl, int *alert, void *arg)
{
  SocketTLS_T t = SocketTLS__conn_of (ssl);
  const unsigned char *p;
  size_t len;

  (void)alert;
  (void)arg;
  if (t == NULL)
    return SSL_CLIENT_HELLO_SUCCESS;
  if (SSL_client_hello_get0_ext (ssl, TLSEXT_TYPE_psk, &p, &len)
      || (SSL_client_hello_get0_ext (ssl, TLSEXT_TYPE_session_ticket, &p, &len)
          && len > 0)
      || (!SSL_client_hello_get0_ext (ssl, TLSEXT_TYPE_supported_versions, &p,
                                      &len)
          && SSL_client_hello_get0_session_id (ssl, &p) > 0))
    t->offered_session = 1;
  return SSL_CLIENT_HELLO_SUCCESS;
}

static int
server_new_cb (SSL *ssl, SSL_SESSION *sess)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);

  (void)sess;
  if (ctx != NULL)
    atomic_fetch_add (&ctx->stores, 1);
  return 0; /* no reference kept */
}

void
SocketTLSContext_get_cache_stats (SocketTLSContext_T ctx, size_t *hits,
                                  size_t *misses, size_t *stores)
{
  /* NULL-safe; zeros until the cache (or tickets) is enabled. */
  int on = ctx != NULL && (ctx->cache_enabled || ctx->tickets_enabled);

  if (hits != NULL)
    *hits = on ? atomic_load (&ctx->hits) : 0;
  if (misses != NULL)
    *misses = on ? atomic_load (&ctx->misses) : 0;
  if (stores != NULL)
    *stores = on ? atomic_load (&ctx->stores) : 0;
}

/* ------------------------------------------------------------------ */
/* Cache configuration                                                */
/* ------------------------------------------------------------------ */

/* Server cache mode: internal store when the cache is on; with tickets
 * alone only the callbacks run (counting stores). */
static void
apply_server_mode (SocketTLSContext_T ctx)
{
  long mode = SSL_SESS_CACHE_SERVER;

  if (!ctx->cache_enabled)
    mode |= SSL_SESS_CACHE_NO_INTERNAL;
  SSL_CTX_set_session_cache_mode (ctx->ssl_ctx, mode);
  SSL_CTX_sess_set_new_cb (ctx->ssl_ctx, server_new_cb);
  SSL_CTX_set_client_hello_cb (ctx->ssl_ctx, client_hello_cb, NULL);
  SSL_CTX_set_num_tickets (ctx->ssl_ctx, 2);
  if (ctx->tickets_enabled)
    SSL_CTX_clear_options (ctx->ssl_ctx, SSL_OP_NO_TICKET);
  else
    SSL_CTX_set_options (ctx->ssl_ctx, SSL_OP_NO_TICKET);
}

void
SocketTLSContext_enable_session_cache (SocketTLSContext_T ctx,
                                       size_t max_sessions,
                                       long timeout_seconds)
{
  static const char op[] = "SocketTLSContext_enable_session_cache";

  SocketTLS__check_ctx (ctx, op);
  if (timeout_seconds <= 0)
    timeout_seconds = SOCKET_TLS_SESSION_TIMEOUT_DEFAULT;
  SSL_CTX_set_timeout (ctx->ssl_ctx, timeout_seconds);
  ctx->cache_enabled = 1;
  SocketTLSContext_set_session_cache_size (
      ctx, max_sessions ? max_sessions : SOCKET_TLS_SESSION_CACHE_SIZE);
  if (ctx->is_server)
    apply_server_mode (ctx);
  else
    {
      SSL_CTX_set_session_cache_mode (ctx->ssl_ctx,
                                      SSL_SESS_CACHE_CLIENT
                                          | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_sess_set_new_cb (ctx->ssl_ctx, client_new_cb);
    }
}

void
SocketTLSContext_set_session_cache_size (SocketTLSContext_T ctx, size_t size)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_set_session_cache_size");
  if (size == 0)
    TLS_RAISE (SocketTLS_Failed, "Session cache size cannot be zero");
  if (size > (size_t)LONG_MAX)
    size = (size_t)LONG_MAX;
  pthread_mutex_lock (&ctx->lock);
  ctx->cache_size = size;
  store_trim (ctx);
  pthread_mutex_unlock (&ctx->lock);
  if (ctx->is_server)
    SSL_CTX_sess_set_cache_size (ctx->ssl_ctx, (long)size);
}

/* ------------------------------------------------------------------ */
/* Session tickets                                                    */
/* ------------------------------------------------------------------ */

/* Pick the key for encryption (current) or for the ticket named @p name.
 * @return 1 encrypting, 2 decrypting (renew: a fresh single-use ticket,
 * under the current key after a rotation), 0 unknown key. */
static int
pick_key (SocketTLSContext_T ctx, const unsigned char *name, int enc,
          SocketTLS_TicketKey *out)
{
  int r = 0;

  pthread_mutex_lock (&ctx->lock);
  if (enc || memcmp (name, ctx->ticket_cur.name, 16) == 0)
    {
      *out = ctx->ticket_cur;
      r = enc ? 1 : 2;
    }
  else if (ctx->ticket_have_prev
           && memcmp (name, ctx->ticket_prev.name, 16) == 0)
    {
      *out = ctx->ticket_prev;
      r = 2;
    }
  pthread_mutex_unlock (&ctx->lock);
  return r;
}

/* Cipher half of the ticket callback. 0 on success. */
static int
ticket_cipher (SocketTLS_TicketKey *k, unsigned char *name, unsigned char *iv,
               EVP_CIPHER_CTX *ectx, int enc)
{
  if (enc)
    {
      if (RAND_bytes (iv, EVP_CIPHER_iv_length (EVP_aes_256_cbc ())) != 1)
        return -1;
      memcpy (name, k->name, 16);
      return EVP_EncryptInit_ex (ectx, EVP_aes_256_cbc (), NULL, k->aes, iv)
                     == 1
                 ? 0
                 : -1;
    }
  return EVP_DecryptInit_ex (ectx, EVP_aes_256_cbc (), NULL, k->aes, iv) == 1
             ? 0
             : -1;
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
static int
ticket_cb (SSL *ssl, unsigned char *name, unsigned char *iv,
           EVP_CIPHER_CTX *ectx, EVP_MAC_CTX *hctx, int enc)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);
  SocketTLS_TicketKey k;
  OSSL_PARAM params[3];
  int r;

  if (ctx == NULL)
    return -1;
  r = pick_key (ctx, name, enc, &k);
  if (r == 0)
    return 0; /* unknown key: full handshake */
  params[0] = OSSL_PARAM_construct_octet_string (OSSL_MAC_PARAM_KEY, k.hmac,
                                                 sizeof k.hmac);
  params[1] = OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST,
                                                (char *)"SHA256", 0);
  params[2] = OSSL_PARAM_construct_end ();
  if (ticket_cipher (&k, name, iv, ectx, enc) != 0
      || EVP_MAC_CTX_set_params (hctx, params) != 1)
    r = -1;
  OPENSSL_cleanse (&k, sizeof k);
  return r;
}
#else
static int
ticket_cb (SSL *ssl, unsigned char *name, unsigned char *iv,
           EVP_CIPHER_CTX *ectx, HMAC_CTX *hctx, int enc)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);
  SocketTLS_TicketKey k;
  int r;

  if (ctx == NULL)
    return -1;
  r = pick_key (ctx, name, enc, &k);
  if (r == 0)
    return 0;
  if (ticket_cipher (&k, name, iv, ectx, enc) != 0
      || HMAC_Init_ex (hctx, k.hmac, sizeof k.hmac, EVP_sha256 (), NULL) != 1)
    r = -1;
  OPENSSL_cleanse (&k, sizeof k);
  return r;
}
#endif

void
SocketTLSContext_enable_session_tickets (SocketTLSContext_T ctx,
                                         const unsigned char *key,
                                         size_t key_len)
{
  static const char op[] = "SocketTLSContext_enable_session_tickets";
  SocketTLS_TicketKey k;

  SocketTLS__check_ctx (ctx, op);
  if (key == NULL || key_len != SOCKET_TLS_TICKET_KEY_LEN)
    TLS_RAISE (SocketTLS_Failed,
               "Session ticket key length must be exactly 80 bytes");
  if (!ctx->is_server) /* accepted as in the original: clients issue none */
    return;
  memcpy (k.name, key, 16);
  memcpy (k.hmac, key + 16, 32);
  memcpy (k.aes, key + 48, 32);
  pthread_mutex_lock (&ctx->lock);
  if (ctx->tickets_enabled)
    {
      ctx->ticket_prev = ctx->ticket_cur; /* rotation */
      ctx->ticket_have_prev = 1;
    }
  ctx->ticket_cur = k;
  pthread_mutex_unlock (&ctx->lock);
  OPENSSL_cleanse (&k, sizeof k);
  if (ctx->tickets_enabled)
    return;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  SSL_CTX_set_tlsext_ticket_key_evp_cb (ctx->ssl_ctx, ticket_cb);
#else
  SSL_CTX_set_tlsext_ticket_key_cb (ctx->ssl_ctx, ticket_cb);
#endif
  if (!ctx->cache_enabled)
    SSL_CTX_set_timeout (ctx->ssl_ctx, SOCKET_TLS_SESSION_TIMEOUT_DEFAULT);
  ctx->tickets_enabled = 1;
  apply_server_mode (ctx);
}

#endif /* SOCKET_HAS_TLS */
