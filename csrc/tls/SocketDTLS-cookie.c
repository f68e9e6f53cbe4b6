/*
 * SocketDTLS-cookie.c - stateless cookie exchange (RFC 6347 section 4.2.1).
 *
 * cookie = HMAC-SHA256(secret, label | family | port | address | period),
 * period = clock / SOCKET_DTLS_COOKIE_LIFETIME_SEC. A cookie verifies for
 * the period it was made in and the next one, under the current secret or,
 * until its grace time ends, the secret replaced by the last rotation. The
 * server therefore remembers nothing per client: a ClientHello is read
 * into memory BIOs, DTLSv1_listen() answers it, and only a client that
 * echoes a valid cookie is accepted.
 *
 * The OpenSSL callbacks run inside DTLSv1_listen(), i.e. inside OpenSSL
 * frames: they must never raise.
 */
#ifdef SOCKET_HAS_TLS

#include <limits.h>
#include <string.h>

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "tls/SocketDTLS-private.h"

#define COOKIE_LABEL "libsocket DTLS cookie v1"

struct SocketDTLS__Stats SocketDTLS__stats;

static time_t
wall_clock (void)
{
  return time (NULL);
}

time_t (*SocketDTLS__clock) (void) = wall_clock;

/* The client address of the datagram DTLSv1_listen() is processing on this
 * thread (the callbacks have no other way to learn it). */
static __thread const struct sockaddr *listen_peer;
static __thread socklen_t listen_peer_len;

/* Serialise @p peer into @p msg (v4-mapped IPv6 as IPv4, so one client
 * gets one cookie whatever the socket family). @return bytes, 0 if the
 * address is unusable. */
static size_t
peer_bytes (const struct sockaddr *peer, socklen_t len, unsigned char *msg)
{
  if (peer == NULL)
    return 0;
  if (peer->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *)peer;
      msg[0] = 4;
      memcpy (msg + 1, &in->sin_port, 2);
      memcpy (msg + 3, &in->sin_addr, 4);
      return 7;
    }
  if (peer->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
      if (IN6_IS_ADDR_V4MAPPED (&in6->sin6_addr))
        {
          msg[0] = 4;
          memcpy (msg + 1, &in6->sin6_port, 2);
          memcpy (msg + 3, &in6->sin6_addr.s6_addr[12], 4);
          return 7;
        }
      msg[0] = 6;
      memcpy (msg + 1, &in6->sin6_port, 2);
      memcpy (msg + 3, &in6->sin6_addr, 16);
      return 19;
    }
  return 0;
}

static int
cookie_mac (const unsigned char *secret, const unsigned char *peer,
            size_t peer_len, uint64_t period,
            unsigned char out[SOCKET_DTLS_COOKIE_LEN])
{
  unsigned char msg[sizeof COOKIE_LABEL + 19 + 8];
  unsigned int out_len = 0;
  size_t n = sizeof COOKIE_LABEL - 1;

  memcpy (msg, COOKIE_LABEL, n);
  memcpy (msg + n, peer, peer_len);
  n += peer_len;
  for (int i = 7; i >= 0; i--)
    msg[n++] = (unsigned char)(period >> (8 * i));
  if (HMAC (EVP_sha256 (), secret, SOCKET_DTLS_COOKIE_SECRET_LEN, msg, n, out,
            &out_len)
          == NULL
      || out_len != SOCKET_DTLS_COOKIE_LEN)
    return -1;
  return 0;
}

static uint64_t
current_period (void)
{
  time_t now = SocketDTLS__clock ();
  return now > 0 ? (uint64_t)now / SOCKET_DTLS_COOKIE_LIFETIME_SEC : 0;
}

int
SocketDTLS__cookie_compute (SocketDTLSContext_T ctx,
                            const struct sockaddr *peer, socklen_t peer_len,
                            unsigned char out[SOCKET_DTLS_COOKIE_LEN])
{
  unsigned char secret[SOCKET_DTLS_COOKIE_SECRET_LEN], msg[19];
  size_t n = peer_bytes (peer, peer_len, msg);
  int has, rc;

  if (ctx == NULL || n == 0)
    return -1;
  pthread_mutex_lock (&ctx->lock);
  has = ctx->has_secret;
  memcpy (secret, ctx->secret, sizeof secret);
  pthread_mutex_unlock (&ctx->lock);
  rc = has ? cookie_mac (secret, msg, n, current_period (), out) : -1;
  OPENSSL_cleanse (secret, sizeof secret);
  return rc;
}

/* 1 if @p cookie matches @p secret for the current or previous period. */
static int
matches_secret (const unsigned char *secret, const unsigned char *peer,
                size_t peer_len, const unsigned char *cookie)
{
  unsigned char mac[SOCKET_DTLS_COOKIE_LEN];
  uint64_t period = current_period ();
  int ok = 0;

  for (uint64_t back = 0; back <= 1 && back <= period && !ok; back++)
    ok = cookie_mac (secret, peer, peer_len, period - back, mac) == 0
         && CRYPTO_memcmp (mac, cookie, sizeof mac) == 0;
  OPENSSL_cleanse (mac, sizeof mac);
  return ok;
}

int
SocketDTLS__cookie_verify (SocketDTLSContext_T ctx,
                           const struct sockaddr *peer, socklen_t peer_len,
                           const unsigned char *cookie, size_t cookie_len)
{
  unsigned char cur[SOCKET_DTLS_COOKIE_SECRET_LEN];
  unsigned char prev[SOCKET_DTLS_COOKIE_SECRET_LEN];
  unsigned char msg[19];
  size_t n = peer_bytes (peer, peer_len, msg);
  int has_cur, has_prev, ok = 0;

  if (ctx == NULL || n == 0 || cookie == NULL
      || cookie_len != SOCKET_DTLS_COOKIE_LEN)
    return 0;
  pthread_mutex_lock (&ctx->lock);
  has_cur = ctx->has_secret;
  has_prev = ctx->has_prev_secret
             && SocketDTLS__clock () < ctx->prev_secret_until;
  memcpy (cur, ctx->secret, sizeof cur);
  memcpy (prev, ctx->prev_secret, sizeof prev);
  pthread_mutex_unlock (&ctx->lock);
  if (has_cur)
    ok = matches_secret (cur, msg, n, cookie);
  if (!ok && has_prev)
    ok = matches_secret (prev, msg, n, cookie);
  OPENSSL_cleanse (cur, sizeof cur);
  OPENSSL_cleanse (prev, sizeof prev);
  return ok;
}

/* ------------------------------------------------------------------ */
/* OpenSSL callbacks and the stateless listener                       */
/* ------------------------------------------------------------------ */

static int
generate_cb (SSL *ssl, unsigned char *cookie, unsigned int *cookie_len)
{
  SocketDTLSContext_T ctx
      = SocketDTLSContext__from_ssl_ctx (SSL_get_SSL_CTX (ssl));

  if (SocketDTLS__cookie_compute (ctx, listen_peer, listen_peer_len, cookie)
      != 0)
    return 0;
  *cookie_len = SOCKET_DTLS_COOKIE_LEN;
  return 1;
}

/* Called by DTLSv1_listen() (peer in listen_peer) and again by SSL_accept()
 * on the accepted ClientHello, when the socket is connected to the peer. */
static int
verify_cb (SSL *ssl, const unsigned char *cookie, unsigned int cookie_len)
{
  SocketDTLSContext_T ctx
      = SocketDTLSContext__from_ssl_ctx (SSL_get_SSL_CTX (ssl));
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;
  int fd = -1, ok;

  if (listen_peer == NULL)
    {
      if (BIO_get_fd (SSL_get_rbio (ssl), &fd) < 0 || fd < 0
          || getpeername (fd, (struct sockaddr *)&peer, &len) != 0)
        return 0;
      return SocketDTLS__cookie_verify (ctx, (struct sockaddr *)&peer, len,
                                        cookie, cookie_len);
    }
  ok = SocketDTLS__cookie_verify (ctx, listen_peer, listen_peer_len, cookie,
                                  cookie_len);
  atomic_fetch_add (ok ? &SocketDTLS__stats.cookies_ok
                       : &SocketDTLS__stats.cookies_bad,
                    1);
  return ok;
}

void
SocketDTLS__cookie_install (SocketDTLSContext_T ctx)
{
  SSL_CTX_set_cookie_generate_cb (ctx->ssl_ctx, generate_cb);
  SSL_CTX_set_cookie_verify_cb (ctx->ssl_ctx, verify_cb);
}

SocketDTLS__ListenResult
SocketDTLS__listen_datagram (SSL *ssl, const void *dgram, size_t len,
                             const struct sockaddr *peer, socklen_t peer_len,
                             unsigned char *out, size_t out_cap,
                             size_t *out_len)
{
  BIO *rbio = BIO_new (BIO_s_mem ()), *wbio = BIO_new (BIO_s_mem ());
  BIO_ADDR *client = BIO_ADDR_new ();
  SocketDTLS__ListenResult res = DTLS__LISTEN_DROP;
  size_t pending;
  int rc = 0;

  *out_len = 0;
  if (rbio == NULL || wbio == NULL || client == NULL || len > INT_MAX
      || (len > 0 && BIO_write (rbio, dgram, (int)len) != (int)len))
    {
      BIO_free (rbio);
      BIO_free (wbio);
      BIO_ADDR_free (client);
      ERR_clear_error ();
      return DTLS__LISTEN_DROP;
    }
  BIO_set_mem_eof_return (rbio, -1); /* empty = "retry", not EOF */
  SSL_set_bio (ssl, rbio, wbio);     /* ssl owns both now */
  listen_peer = peer;
  listen_peer_len = peer_len;
  rc = DTLSv1_listen (ssl, client);
  listen_peer = NULL;
  BIO_ADDR_free (client);
  pending = BIO_ctrl_pending (wbio);
  if (rc == 1)
    res = DTLS__LISTEN_ACCEPT;
  else if (pending > 0 && pending <= out_cap
           && BIO_read (wbio, out, (int)pending) == (int)pending)
    {
      *out_len = pending;
      res = DTLS__LISTEN_VERIFY;
      atomic_fetch_add (&SocketDTLS__stats.hvr_sent, 1);
    }
  ERR_clear_error (); /* a dropped datagram is not an error of ours */
  return res;
}

/* ------------------------------------------------------------------ */
/* Secrets                                                            */
/* ------------------------------------------------------------------ */

static void
check_server (SocketDTLSContext_T ctx, const char *op)
{
  if (ctx == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL DTLS context", op);
  if (!ctx->is_server)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "Cookie exchange only for server contexts");
}

/* Make @p secret current; the old one stays valid for its grace time. */
static void
install_secret (SocketDTLSContext_T ctx, const unsigned char *secret)
{
  pthread_mutex_lock (&ctx->lock);
  if (ctx->has_secret)
    {
      memcpy (ctx->prev_secret, ctx->secret, sizeof ctx->prev_secret);
      ctx->has_prev_secret = 1;
      ctx->prev_secret_until
          = SocketDTLS__clock () + SOCKET_DTLS_COOKIE_LIFETIME_SEC;
    }
  memcpy (ctx->secret, secret, sizeof ctx->secret);
  ctx->has_secret = 1;
  pthread_mutex_unlock (&ctx->lock);
}

static void
random_secret (SocketDTLSContext_T ctx, const char *op)
{
  unsigned char secret[SOCKET_DTLS_COOKIE_SECRET_LEN];

  if (RAND_bytes (secret, sizeof secret) != 1)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "%s: no randomness for the cookie secret", op);
  install_secret (ctx, secret);
  OPENSSL_cleanse (secret, sizeof secret);
}

void
SocketDTLSContext_enable_cookie_exchange (SocketDTLSContext_T ctx)
{
  const char *op = "SocketDTLSContext_enable_cookie_exchange";
  int has;

  check_server (ctx, op);
  pthread_mutex_lock (&ctx->lock);
  has = ctx->has_secret;
  pthread_mutex_unlock (&ctx->lock);
  if (!has)
    random_secret (ctx, op);
  ctx->cookie_enabled = 1;
}

void
SocketDTLSContext_set_cookie_secret (SocketDTLSContext_T ctx,
                                     const unsigned char *secret, size_t len)
{
  const char *op = "SocketDTLSContext_set_cookie_secret";

  /* No role check, as in the original (a client context never uses it). */
  if (ctx == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL context", op);
  if (secret == NULL || len != SOCKET_DTLS_COOKIE_SECRET_LEN)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "Cookie secret must be %d bytes (got %zu)",
                       SOCKET_DTLS_COOKIE_SECRET_LEN,
                       secret == NULL ? (size_t)0 : len);
  install_secret (ctx, secret);
}

void
SocketDTLSContext_rotate_cookie_secret (SocketDTLSContext_T ctx)
{
  const char *op = "SocketDTLSContext_rotate_cookie_secret";

  if (ctx == NULL) /* no role check, as in the original */
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL DTLS context", op);
  random_secret (ctx, op);
}

#endif /* SOCKET_HAS_TLS */
