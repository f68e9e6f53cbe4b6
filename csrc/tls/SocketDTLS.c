/*
 * SocketDTLS.c - DTLS associations on UDP sockets: enabling, peer and
 * host name, MTU, the stateless listener and the handshake with its
 * retransmission timer. Record I/O and queries are in SocketDTLS-io.c.
 */
#ifdef SOCKET_HAS_TLS

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "tls/SocketDTLS-private.h"

const Except_T SocketDTLS_Failed
    = { &SocketDTLS_Failed, "DTLS operation failed" };
const Except_T SocketDTLS_HandshakeFailed
    = { &SocketDTLS_HandshakeFailed, "DTLS handshake failed" };
const Except_T SocketDTLS_VerifyFailed
    = { &SocketDTLS_VerifyFailed, "DTLS certificate verification failed" };
const Except_T SocketDTLS_CookieFailed
    = { &SocketDTLS_CookieFailed, "DTLS cookie exchange failed" };
const Except_T SocketDTLS_TimeoutExpired
    = { &SocketDTLS_TimeoutExpired, "DTLS handshake timeout expired" };
const Except_T SocketDTLS_ShutdownFailed
    = { &SocketDTLS_ShutdownFailed, "DTLS shutdown failed" };

__thread char dtls_error_buf[SOCKET_DTLS_ERROR_BUFSIZE];
static __thread Except_T dtls_detailed;

/* ------------------------------------------------------------------ */
/* Errors                                                             */
/* ------------------------------------------------------------------ */

/* Append "; reason" for each queued OpenSSL error, emptying the queue. */
static void
append_openssl_errors (char *buf, size_t size)
{
  size_t used = strlen (buf);
  unsigned long code;
  const char *data;
  int flags;

  while ((code = ERR_get_error_all (NULL, NULL, NULL, &data, &flags)) != 0)
    {
      char one[256];
      const char *reason = ERR_reason_error_string (code);

      if (reason == NULL)
        ERR_error_string_n (code, one, sizeof one);
      else if ((flags & ERR_TXT_STRING) && data != NULL && data[0] != '\0')
        snprintf (one, sizeof one, "%s (%s)", reason, data);
      else
        snprintf (one, sizeof one, "%s", reason);
      if (used + 3 < size && strstr (buf, one) == NULL)
        {
          int n = snprintf (buf + used, size - used, "%s%s",
                            used > 0 ? ": " : "", one);
          used = n > 0 && (size_t)n < size - used ? used + (size_t)n
                                                   : size - 1;
        }
    }
}

void
SocketDTLS__raise (const Except_T *e, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (dtls_error_buf, SOCKET_DTLS_ERROR_BUFSIZE, fmt, ap);
  va_end (ap);
  append_openssl_errors (dtls_error_buf, SOCKET_DTLS_ERROR_BUFSIZE);
  snprintf (socket_error_buf, sizeof socket_error_buf, "%s", dtls_error_buf);
  socket_last_errno = 0;
  dtls_detailed.type = e;
  dtls_detailed.reason = dtls_error_buf;
  RAISE (dtls_detailed);
}

struct SocketDTLS_Conn *
SocketDTLS__conn_or (SocketDgram_T socket, const Except_T *e)
{
  if (socket == NULL || socket->dtls == NULL)
    SocketDTLS__raise (e, "DTLS not enabled on socket");
  return socket->dtls;
}

struct SocketDTLS_Conn *
SocketDTLS__conn (SocketDgram_T socket, const char *op)
{
  if (socket == NULL || socket->base == NULL || socket->base->fd < 0)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL or closed socket", op);
  if (socket->dtls == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "DTLS not enabled on socket");
  return socket->dtls;
}

/* "host:port" of the connected peer, for messages. */
static const char *
peer_label (SocketDgram_T s, char *buf, size_t size)
{
  return SocketCommon__endpoint_label (s->base->remoteaddr,
                                       s->base->remoteport, buf, size);
}

/* ------------------------------------------------------------------ */
/* Enable / release                                                   */
/* ------------------------------------------------------------------ */

/* Retransmission interval: the context's initial value, doubled after
 * each timeout up to its maximum (RFC 6347 section 4.2.4.1). */
static unsigned int
timer_cb (SSL *ssl, unsigned int timer_us)
{
  SocketDTLSContext_T ctx
      = SocketDTLSContext__from_ssl_ctx (SSL_get_SSL_CTX (ssl));
  unsigned int initial = 1000u * SOCKET_DTLS_INITIAL_TIMEOUT_MS;
  unsigned int max = 1000u * SOCKET_DTLS_MAX_TIMEOUT_MS;

  if (ctx != NULL && ctx->timeout_initial_ms > 0) /* 0: the default */
    initial = 1000u * (unsigned)ctx->timeout_initial_ms;
  if (ctx != NULL && ctx->timeout_max_ms > 0)
    max = 1000u * (unsigned)ctx->timeout_max_ms;
  if (max < initial)
    max = initial;
  if (timer_us == 0)
    return initial;
  return timer_us >= max / 2 ? max : timer_us * 2;
}

static void
release_conn (void *p)
{
  struct SocketDTLS_Conn *conn = p;

  if (conn == NULL)
    return;
  /* Closing without close_notify does not make a session unresumable
   * (RFC 4346 onwards; fatal alerts already invalidate it), but OpenSSL
   * drops sessions of connections freed "unclean": mark this one clean. */
  if (conn->handshake_done && conn->last_state != DTLS_HANDSHAKE_ERROR)
    SSL_set_shutdown (conn->ssl, SSL_get_shutdown (conn->ssl)
                                     | SSL_SENT_SHUTDOWN);
  SSL_free (conn->ssl); /* frees the BIOs; BIO_NOCLOSE keeps the fd */
  free (conn->hostname);
  free (conn->session_key);
  SocketDTLSContext__unref (conn->ctx);
  free (conn);
}

/* Apply conn->mtu: OpenSSL's MTU is the UDP payload, so subtract the IP
 * and UDP headers; never probe the kernel (SSL_OP_NO_QUERY_MTU). */
static void
apply_mtu (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  size_t overhead = s->base->domain == AF_INET6 ? DTLS__IPV6_UDP_OVERHEAD
                                                : DTLS__IPV4_UDP_OVERHEAD;

  SSL_set_options (conn->ssl, SSL_OP_NO_QUERY_MTU);
  if (SSL_get_wbio (conn->ssl) == NULL)
    return; /* applied when the datagram BIO is attached */
  if (SSL_set_mtu (conn->ssl, (long)(conn->mtu - overhead)) <= 0)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_set_mtu: OpenSSL rejected MTU %zu",
                       conn->mtu);
}

void
SocketDTLS_enable (SocketDgram_T socket, SocketDTLSContext_T ctx)
{
  struct SocketDTLS_Conn *conn;

  if (socket == NULL || socket->base == NULL || socket->base->fd < 0)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_enable: NULL or closed socket");
  if (ctx == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_enable: NULL DTLS context");
  if (socket->dtls != NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "DTLS already enabled on socket");
  conn = calloc (1, sizeof *conn);
  if (conn == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "SocketDTLS_enable: out of memory");
  conn->ssl = SSL_new (ctx->ssl_ctx);
  if (conn->ssl == NULL)
    {
      free (conn);
      SocketDTLS__raise (&SocketDTLS_Failed,
                         "SocketDTLS_enable: cannot create the connection");
    }
  SocketDTLSContext__ref (ctx);
  conn->ctx = ctx;
  conn->is_server = ctx->is_server;
  conn->mtu = ctx->mtu;
  conn->last_state = DTLS_HANDSHAKE_NOT_STARTED;
  SSL_set_app_data (conn->ssl, conn);
  DTLS_set_timer_cb (conn->ssl, timer_cb);
  if (conn->is_server)
    SSL_set_accept_state (conn->ssl);
  else
    SSL_set_connect_state (conn->ssl);
  socket->dtls = conn;
  socket->dtls_release = release_conn;
  socket->layer = &SocketDTLS__layer;
  atomic_fetch_add (&SocketDTLS__stats.conns_allocated, 1);
}

/* ------------------------------------------------------------------ */
/* Peer, host name, MTU                                               */
/* ------------------------------------------------------------------ */

static void
check_not_started (struct SocketDTLS_Conn *conn, const char *op)
{
  if (conn->started || conn->accepted)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "%s: the handshake has already started", op);
}

void
SocketDTLS_set_peer (SocketDgram_T socket, const char *host, int port)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn (socket, "SocketDTLS_set_peer");

  check_not_started (conn, "SocketDTLS_set_peer");
  TRY SocketDgram_connect (socket, host, port);
  EXCEPT (SocketDgram_Failed)
  SocketDTLS__raise (&SocketDTLS_Failed, "SocketDTLS_set_peer: %s",
                     socket_error_buf);
  END_TRY;
  /* Secure default: a client verifies the name it dialled. */
  if (!conn->is_server && conn->hostname == NULL)
    SocketDTLS__set_hostname (socket, host, 0);
}

static int
is_ip_literal (const char *name)
{
  unsigned char addr[sizeof (struct in6_addr)];

  return inet_pton (AF_INET, name, addr) == 1
         || inet_pton (AF_INET6, name, addr) == 1;
}

void
SocketDTLS__set_hostname (SocketDgram_T socket, const char *hostname,
                          int force)
{
  const char *op = "SocketDTLS_set_hostname";
  struct SocketDTLS_Conn *conn = SocketDTLS__conn_or (socket, &SocketDTLS_Failed);
  size_t len = hostname != NULL ? strlen (hostname) : 0;
  int ok;

  /* As in the original: no role or state check. */
  if (len == 0)
    SocketDTLS__raise (&SocketDTLS_Failed, "Hostname cannot be empty");
  if (len > SOCKET_DTLS_MAX_SNI_LEN)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "Hostname too long for SNI (%zu > 255 max)", len);
  /* RFC 6066 section 3: no SNI for IP literals; still verify the IP. */
  if (is_ip_literal (hostname))
    ok = X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (conn->ssl),
                                        hostname);
  else
    ok = SSL_set_tlsext_host_name (conn->ssl, hostname)
         && SSL_set1_host (conn->ssl, hostname);
  if (!ok)
    SocketDTLS__raise (&SocketDTLS_Failed, "Invalid hostname format");
  SSL_set_hostflags (conn->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  free (conn->hostname);
  conn->hostname = strdup (hostname);
  if (conn->hostname == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: out of memory", op);
  /* As in the original: naming the peer turns verification on. */
  if (force)
    SSL_set_verify (conn->ssl,
                    SSL_get_verify_mode (conn->ssl) | SSL_VERIFY_PEER, NULL);
}

void
SocketDTLS_set_hostname (SocketDgram_T socket, const char *hostname)
{
  SocketDTLS__set_hostname (socket, hostname, 1);
}

void
SocketDTLS_set_mtu (SocketDgram_T socket, size_t mtu)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn (socket, "SocketDTLS_set_mtu");

  if (!SOCKET_DTLS_VALID_MTU (mtu))
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "Invalid MTU: %zu (must be %d-%d)", mtu,
                       SOCKET_DTLS_MIN_MTU, SOCKET_DTLS_MAX_MTU);
  conn->mtu = mtu;
  apply_mtu (socket, conn);
}

/* ------------------------------------------------------------------ */
/* Datagram BIO and peer binding                                      */
/* ------------------------------------------------------------------ */

/* Route conn->ssl through the (connected) socket to @p peer. */
static void
attach_dgram_bio (SocketDgram_T s, struct SocketDTLS_Conn *conn,
                  struct sockaddr_storage *peer)
{
  BIO *bio = BIO_new_dgram (s->base->fd, BIO_NOCLOSE);

  if (bio == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "DTLS: cannot create the datagram BIO");
  /* A BIO_ADDR is a union of sockaddr types; sockaddr_storage covers it. */
  BIO_ctrl (bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, peer);
  SSL_set_bio (conn->ssl, bio, bio);
  apply_mtu (s, conn); /* overhead may depend on the BIO's peer */
}

/* Client key "address|port|hostname" for the session cache. */
static void
make_session_key (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  size_t n = strlen (s->base->remoteaddr ? s->base->remoteaddr : "") + 16
             + (conn->hostname ? strlen (conn->hostname) : 0);

  free (conn->session_key);
  conn->session_key = malloc (n);
  if (conn->session_key == NULL)
    SocketDTLS__raise (&SocketDTLS_Failed, "DTLS: out of memory");
  snprintf (conn->session_key, n, "%s|%d|%s",
            s->base->remoteaddr ? s->base->remoteaddr : "",
            s->base->remoteport, conn->hostname ? conn->hostname : "");
}

/* First client step: the socket must be connected to the server. */
static void
client_start (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;

  if (getpeername (s->base->fd, (struct sockaddr *)&peer, &len) != 0)
    SocketDTLS__raise (&SocketDTLS_HandshakeFailed,
                       "SocketDTLS_handshake: no peer (connect the socket or "
                       "call SocketDTLS_set_peer)");
  SocketCommon__update_peer_endpoint (s->base);
  attach_dgram_bio (s, conn, &peer);
  make_session_key (s, conn);
  SocketDTLSContext__cache_offer (conn->ctx, conn->ssl, conn->session_key);
  conn->started = 1;
}

/* Server: commit to @p peer (connect the socket, attach the real BIO). */
static void
accept_peer (SocketDgram_T s, struct SocketDTLS_Conn *conn,
             struct sockaddr_storage *peer, socklen_t len)
{
  if (connect (s->base->fd, (struct sockaddr *)peer, len) != 0)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_listen: cannot connect to the client: %s",
                       Socket_safe_strerror (errno));
  s->connected = 1;
  SocketCommon__update_peer_endpoint (s->base);
  attach_dgram_bio (s, conn, peer);
  conn->accepted = 1;
  conn->started = 1;
  atomic_fetch_add (&SocketDTLS__stats.peers_accepted, 1);
}

/* ------------------------------------------------------------------ */
/* Listener                                                           */
/* ------------------------------------------------------------------ */

static int
looks_like_client_hello (const unsigned char *p, size_t n)
{
  return n >= DTLS__RECORD_HEADER_LEN + DTLS__HANDSHAKE_HEADER_LEN
         && p[0] == DTLS__CT_HANDSHAKE && p[1] == 0xFE
         && p[DTLS__RECORD_HEADER_LEN] == DTLS__HT_CLIENT_HELLO;
}

/* Send a HelloVerifyRequest. A full send buffer drops it: the client
 * retransmits its ClientHello, and we stay stateless. */
static void
send_hvr (SocketDgram_T s, const unsigned char *out, size_t len,
          const struct sockaddr_storage *peer, socklen_t plen)
{
  ssize_t n;

  do
    n = sendto (s->base->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT,
                (const struct sockaddr *)peer, plen);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
    SocketDTLS__raise (&SocketDTLS_CookieFailed,
                       "SocketDTLS_listen: cannot send HelloVerifyRequest: %s",
                       Socket_safe_strerror (errno));
}

/* One datagram through the listener (see SocketDTLS_listen). */
static DTLSHandshakeState
listen_step (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  unsigned char buf[DTLS__MAX_DATAGRAM], out[512];
  struct sockaddr_storage peer;
  socklen_t plen = sizeof peer;
  int cookies = conn->ctx->cookie_enabled;
  size_t out_len = 0;
  ssize_t n;

  /* Without cookies the ClientHello stays queued for SSL_accept. */
  do
    n = recvfrom (s->base->fd, buf, sizeof buf,
                  MSG_TRUNC | (cookies ? 0 : MSG_PEEK),
                  (struct sockaddr *)&peer, &plen);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return DTLS_HANDSHAKE_WANT_READ;
  if (n < 0)
    SocketDTLS__raise (&SocketDTLS_Failed, "SocketDTLS_listen: recvfrom: %s",
                       Socket_safe_strerror (errno));
  if (!cookies)
    {
      if ((size_t)n <= sizeof buf && looks_like_client_hello (buf, (size_t)n))
        {
          accept_peer (s, conn, &peer, plen);
          return DTLS_HANDSHAKE_IN_PROGRESS;
        }
      (void)recv (s->base->fd, buf, 1, MSG_DONTWAIT); /* discard it */
      return DTLS_HANDSHAKE_WANT_READ;
    }
  if ((size_t)n > sizeof buf)
    return DTLS_HANDSHAKE_WANT_READ; /* truncated: not a ClientHello */
  switch (SocketDTLS__listen_datagram (conn->ssl, buf, (size_t)n,
                                       (struct sockaddr *)&peer, plen, out,
                                       sizeof out, &out_len))
    {
    case DTLS__LISTEN_ACCEPT:
      accept_peer (s, conn, &peer, plen);
      return DTLS_HANDSHAKE_IN_PROGRESS;
    case DTLS__LISTEN_VERIFY:
      send_hvr (s, out, out_len, &peer, plen);
      return DTLS_HANDSHAKE_COOKIE_EXCHANGE;
    default:
      return DTLS_HANDSHAKE_WANT_READ;
    }
}

DTLSHandshakeState
SocketDTLS_listen (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn (socket, "SocketDTLS_listen");

  if (!conn->is_server)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_listen: needs a server context");
  if (conn->accepted)
    return conn->last_state;
  conn->last_state = listen_step (socket, conn);
  return conn->last_state;
}

/* ------------------------------------------------------------------ */
/* Handshake                                                          */
/* ------------------------------------------------------------------ */

static void
handshake_complete (struct SocketDTLS_Conn *conn)
{
  const unsigned char *alpn = NULL;
  unsigned int alpn_len = 0;

  conn->handshake_done = 1;
  SSL_get0_alpn_selected (conn->ssl, &alpn, &alpn_len);
  if (alpn != NULL && alpn_len > 0)
    memcpy (conn->alpn, alpn, alpn_len); /* alpn_len <= 255 < sizeof */
  conn->alpn[alpn_len] = '\0';
  if (conn->ctx->cache_enabled && !conn->stats_counted)
    {
      conn->stats_counted = 1;
      atomic_fetch_add (SSL_session_reused (conn->ssl)
                            ? &conn->ctx->stat_hits
                            : &conn->ctx->stat_misses,
                        1);
    }
}

/* Which finer exceptions a handshake step may raise (else HandshakeFailed,
 * as the original): verification (bindings), retransmission limit
 * (bindings and handshake_loop, whose timeout is TimeoutExpired). */
enum
{
  FINE_VERIFY = 1,
  FINE_TIMEOUT = 2
};

/* Raise the exception that best names why SSL_do_handshake failed. */
static void __attribute__ ((noreturn))
handshake_failed (SocketDgram_T s, struct SocketDTLS_Conn *conn, int err,
                  int saved_errno, int fine)
{
  char label[SOCKET_NI_MAXHOST + 16];
  long verify = SSL_get_verify_result (conn->ssl);

  conn->last_state = DTLS_HANDSHAKE_ERROR;
  peer_label (s, label, sizeof label);
  /* The original raises SocketDTLS_HandshakeFailed for all of these; the
   * finer types are for the library's own bindings. */
  if (verify != X509_V_OK && (SSL_get_verify_mode (conn->ssl) & SSL_VERIFY_PEER))
    SocketDTLS__raise ((fine & FINE_VERIFY) ? &SocketDTLS_VerifyFailed
                            : &SocketDTLS_HandshakeFailed,
                       "DTLS handshake with %s: certificate verification "
                       "failed: %s%s%s%s",
                       label, X509_verify_cert_error_string (verify),
                       conn->hostname ? " (expected '" : "",
                       conn->hostname ? conn->hostname : "",
                       conn->hostname ? "')" : "");
  if (ERR_GET_REASON (ERR_peek_last_error ()) == SSL_R_READ_TIMEOUT_EXPIRED)
    SocketDTLS__raise ((fine & FINE_TIMEOUT) ? &SocketDTLS_TimeoutExpired
                            : &SocketDTLS_HandshakeFailed,
                       "DTLS handshake with %s: no answer after %d "
                       "retransmissions",
                       label, SOCKET_DTLS_MAX_RETRANSMITS);
  if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
    SocketDTLS__raise (&SocketDTLS_HandshakeFailed,
                       "DTLS handshake with %s failed: %s", label,
                       Socket_safe_strerror (saved_errno));
  SocketDTLS__raise (&SocketDTLS_HandshakeFailed,
                     "DTLS handshake with %s failed", label);
}

/* The retransmission limit was hit: as the original, a public step
 * returns DTLS_HANDSHAKE_ERROR without raising (detail in dtls_error_buf). */
static DTLSHandshakeState
timer_failed (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  char label[SOCKET_NI_MAXHOST + 16];

  snprintf (dtls_error_buf, SOCKET_DTLS_ERROR_BUFSIZE,
            "DTLS timeout handling failed: no answer from %s after %d "
            "retransmissions",
            peer_label (s, label, sizeof label), SOCKET_DTLS_MAX_RETRANSMITS);
  ERR_clear_error ();
  return conn->last_state = DTLS_HANDSHAKE_ERROR;
}

static DTLSHandshakeState
do_handshake (SocketDgram_T s, struct SocketDTLS_Conn *conn, int fine)
{
  int rc, err;

  ERR_clear_error ();
  errno = 0;
  rc = SSL_do_handshake (conn->ssl);
  if (rc == 1)
    {
      handshake_complete (conn);
      return conn->last_state = DTLS_HANDSHAKE_COMPLETE;
    }
  err = SSL_get_error (conn->ssl, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    {
      errno = EAGAIN; /* as the original */
      return conn->last_state = err == SSL_ERROR_WANT_READ
                                    ? DTLS_HANDSHAKE_WANT_READ
                                    : DTLS_HANDSHAKE_WANT_WRITE;
    }
  if (!(fine & FINE_TIMEOUT)
      && ERR_GET_REASON (ERR_peek_last_error ()) == SSL_R_READ_TIMEOUT_EXPIRED)
    return timer_failed (s, conn);
  handshake_failed (s, conn, err, errno, fine);
}

/* Retransmit the last flight if its timer expired. */
static void
handle_timeout (SocketDgram_T s, struct SocketDTLS_Conn *conn)
{
  char label[SOCKET_NI_MAXHOST + 16];

  if (DTLSv1_handle_timeout (conn->ssl) >= 0)
    return;
  conn->last_state = DTLS_HANDSHAKE_ERROR;
  SocketDTLS__raise (&SocketDTLS_TimeoutExpired,
                     "DTLS handshake with %s: no answer after %d "
                     "retransmissions",
                     peer_label (s, label, sizeof label),
                     SOCKET_DTLS_MAX_RETRANSMITS);
}

static DTLSHandshakeState
handshake_step (SocketDgram_T socket, int fine)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn_or (socket, &SocketDTLS_HandshakeFailed);

  if (conn->handshake_done)
    return DTLS_HANDSHAKE_COMPLETE;
  if (conn->last_state == DTLS_HANDSHAKE_ERROR)
    SocketDTLS__raise (&SocketDTLS_HandshakeFailed,
                       "SocketDTLS_handshake: the handshake failed earlier");
  if (conn->shutdown)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_handshake: association is shut down");
  if (conn->is_server && !conn->accepted)
    {
      conn->last_state = listen_step (socket, conn);
      if (conn->last_state != DTLS_HANDSHAKE_IN_PROGRESS)
        return conn->last_state;
    }
  if (!conn->started)
    client_start (socket, conn);
  else if (!(fine & FINE_TIMEOUT))
    {
      /* As the original: service the retransmission timer before each
       * step; when the retransmission limit is hit return ERROR without
       * raising (the detail is in dtls_error_buf). */
      if (DTLSv1_handle_timeout (conn->ssl) < 0)
        return timer_failed (socket, conn);
    }
  else
    handle_timeout (socket, conn);
  return do_handshake (socket, conn, fine);
}

DTLSHandshakeState
SocketDTLS_handshake (SocketDgram_T socket)
{
  return handshake_step (socket, 0);
}

DTLSHandshakeState
SocketDTLS__handshake (SocketDgram_T socket)
{
  return handshake_step (socket, FINE_VERIFY | FINE_TIMEOUT);
}

static DTLSHandshakeState
handshake_wait_loop (SocketDgram_T s, struct SocketDTLS_Conn *conn,
                     int timeout_ms)
{
  int64_t deadline = Socket_get_monotonic_ms () + timeout_ms;

  for (;;)
    {
      DTLSHandshakeState st = handshake_step (s, FINE_TIMEOUT);
      struct timeval tv;
      int wait = -1, timer = 0, rc;

      if (st == DTLS_HANDSHAKE_COMPLETE || timeout_ms == 0)
        return st;
      if (timeout_ms > 0)
        {
          int64_t left = deadline - Socket_get_monotonic_ms ();
          if (left <= 0) /* as the original: the budget is spent */
            SocketDTLS__raise (&SocketDTLS_TimeoutExpired,
                               "DTLS handshake timeout");
          wait = left > INT32_MAX ? INT32_MAX : (int)left;
        }
      if (conn->started && DTLSv1_get_timeout (conn->ssl, &tv) == 1)
        {
          int64_t t = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
          timer = 1;
          if (wait < 0 || t < wait)
            wait = (int)t;
        }
      rc = SocketCommon__wait_fd (s->base->fd,
                                  st == DTLS_HANDSHAKE_WANT_WRITE ? POLLOUT
                                                                  : POLLIN,
                                  wait);
      if (rc < 0)
        SocketDTLS__raise (&SocketDTLS_Failed,
                           "SocketDTLS_handshake_loop: poll: %s",
                           Socket_safe_strerror (errno));
      if (rc == 0 && timer)
        handle_timeout (s, conn);
    }
}

DTLSHandshakeState
SocketDTLS_handshake_loop (SocketDgram_T socket, int timeout_ms)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn_or (socket, &SocketDTLS_HandshakeFailed);
  volatile int fd = socket->base->fd;
  volatile int flags = fcntl (fd, F_GETFL);
  volatile int restore = flags >= 0 && (flags & O_NONBLOCK) == 0;
  volatile DTLSHandshakeState st = DTLS_HANDSHAKE_ERROR;

  if (conn->handshake_done)
    return DTLS_HANDSHAKE_COMPLETE;
  /* Non-blocking for the duration, so only poll() waits: deadline holds. */
  if (restore && fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_handshake_loop: fcntl: %s",
                       Socket_safe_strerror (errno));
  TRY st = handshake_wait_loop (socket, conn, timeout_ms);
  FINALLY
  {
    if (restore)
      (void)fcntl (fd, F_SETFL, flags);
  }
  END_TRY;
  return st;
}

#endif /* SOCKET_HAS_TLS */
