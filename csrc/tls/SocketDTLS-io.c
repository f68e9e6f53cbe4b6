/*
 * SocketDTLS-io.c - DTLS record I/O, shutdown and state queries.
 *
 * One SocketDTLS_send() is one record in one datagram, so it must fit the
 * MTU; larger payloads are refused rather than left to IP fragmentation.
 */
#ifdef SOCKET_HAS_TLS

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"
#include "tls/SocketDTLS-private.h"

typedef char label_buf[SOCKET_NI_MAXHOST + 16];

static const char *
peer_label (SocketDgram_T s, label_buf label)
{
  return SocketCommon__endpoint_label (s->base->remoteaddr,
                                       s->base->remoteport, label,
                                       sizeof (label_buf));
}

/* The connection of @p s, ready for records. */
static struct SocketDTLS_Conn *
io_conn (SocketDgram_T s, const void *buf, size_t len, const char *op)
{
  struct SocketDTLS_Conn *conn = SocketDTLS__conn_or (s, &SocketDTLS_Failed);

  if (buf == NULL && len > 0)
    SocketDTLS__raise (&SocketDTLS_Failed, "%s: NULL buffer with length %zu",
                       op, len);
  if (!conn->handshake_done)
    SocketDTLS__raise (&SocketDTLS_Failed, "DTLS handshake not complete");
  /* SocketDTLS_Failed, as in the original (whose completed shutdown
   * disables DTLS on the socket). */
  if (conn->shutdown)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "%s: the DTLS association is closed", op);
  return conn;
}

/* After SSL_read/SSL_write returned @p rc <= 0: 0 to retry later, else
 * raise naming the cause. */
static ssize_t
io_error (SocketDgram_T s, struct SocketDTLS_Conn *conn, int rc,
          int saved_errno, const char *op)
{
  label_buf label;
  int err = SSL_get_error (conn->ssl, rc);

  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    {
      errno = EAGAIN; /* as the original */
      return 0;
    }
  if (err == SSL_ERROR_ZERO_RETURN)
    {
      conn->shutdown = 1;
      SocketDTLS__raise (&Socket_Closed, "%s: %s sent close_notify", op,
                         peer_label (s, label));
    }
  /* Reasons as the original: "DTLS send failed" / "DTLS recv failed". */
  if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
    {
      int e = saved_errno;
      SocketDTLS__raise (&SocketDTLS_Failed, "%s: %s: %s",
                         strcmp (op, "SocketDTLS_send") == 0
                             ? "DTLS send failed"
                             : "DTLS recv failed",
                         peer_label (s, label), Socket_safe_strerror (e));
    }
  SocketDTLS__raise (&SocketDTLS_Failed, "%s: %s",
                     strcmp (op, "SocketDTLS_send") == 0 ? "DTLS send failed"
                                                         : "DTLS recv failed",
                     peer_label (s, label));
}

ssize_t
SocketDTLS_send (SocketDgram_T socket, const void *buf, size_t len)
{
  struct SocketDTLS_Conn *conn
      = io_conn (socket, buf, len, "SocketDTLS_send");
  size_t max = DTLS_get_data_mtu (conn->ssl);
  int rc;

  if (len == 0)
    return 0;
  if (max > 0 && len > max)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_send: %zu bytes do not fit one record at "
                       "MTU %zu (at most %zu)",
                       len, conn->mtu, max);
  ERR_clear_error ();
  errno = 0;
  rc = SSL_write (conn->ssl, buf, (int)len);
  if (rc > 0)
    return rc;
  return io_error (socket, conn, rc, errno, "SocketDTLS_send");
}

ssize_t
SocketDTLS_recv (SocketDgram_T socket, void *buf, size_t len)
{
  struct SocketDTLS_Conn *conn
      = io_conn (socket, buf, len, "SocketDTLS_recv");
  int rc;

  if (len == 0)
    return 0;
  ERR_clear_error ();
  errno = 0;
  rc = SSL_read (conn->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if (rc > 0)
    return rc;
  return io_error (socket, conn, rc, errno, "SocketDTLS_recv");
}

/* 1 if @p host:@p port resolves to the connected peer. */
static int
is_peer (SocketDgram_T s, const char *host, int port)
{
  struct sockaddr_storage peer, cand;
  socklen_t plen = sizeof peer, clen;
  struct addrinfo *res;
  int match = 0;

  if (getpeername (s->base->fd, (struct sockaddr *)&peer, &plen) != 0)
    return 0;
  res = SocketCommon__resolve (host, port, s->base->domain, SOCK_DGRAM, 0,
                               s->base->timeouts.dns_timeout_ms,
                               SocketDTLS_Failed);
  for (struct addrinfo *ai = res; ai != NULL && !match; ai = ai->ai_next)
    {
      clen = SocketCommon__sockaddr_for_family (ai, s->base->domain, &cand);
      match = clen == plen && memcmp (&cand, &peer, clen) == 0;
    }
  freeaddrinfo (res);
  return match;
}

ssize_t
SocketDTLS_sendto (SocketDgram_T socket, const void *buf, size_t len,
                   const char *host, int port)
{
  label_buf label;

  io_conn (socket, buf, len, "SocketDTLS_sendto");
  if (host == NULL || host[0] == '\0' || port <= 0 || port > SOCKET_MAX_PORT)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_sendto: invalid destination %s:%d",
                       host ? host : "(null)", port);
  if (!is_peer (socket, host, port))
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_sendto: %.200s:%d is not the DTLS peer %s",
                       host, port, peer_label (socket, label));
  return SocketDTLS_send (socket, buf, len);
}

ssize_t
SocketDTLS_recvfrom (SocketDgram_T socket, void *buf, size_t len, char *host,
                     size_t host_len, int *port)
{
  const char *addr;

  io_conn (socket, buf, len, "SocketDTLS_recvfrom");
  addr = socket->base->remoteaddr ? socket->base->remoteaddr : "";
  /* The peer is fixed: check the output buffer before consuming data. */
  if (host != NULL && strlen (addr) >= host_len)
    SocketDTLS__raise (&SocketDTLS_Failed,
                       "SocketDTLS_recvfrom: host buffer of %zu bytes too "
                       "small for '%s'",
                       host_len, addr);
  ssize_t n = SocketDTLS_recv (socket, buf, len);
  if (host != NULL)
    memcpy (host, addr, strlen (addr) + 1);
  if (port != NULL)
    *port = socket->base->remoteport;
  return n;
}

const struct SocketDgram__layer SocketDTLS__layer = {
  .name = "DTLS",
  .send = SocketDTLS_send,
  .recv = SocketDTLS_recv,
  .sendto = SocketDTLS_sendto,
  .recvfrom = SocketDTLS_recvfrom,
};

/* ------------------------------------------------------------------ */
/* Shutdown                                                           */
/* ------------------------------------------------------------------ */

void
SocketDTLS_shutdown (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *conn
      = SocketDTLS__conn_or (socket, &SocketDTLS_ShutdownFailed);
  label_buf label;
  int rc, err, saved;

  conn->shutdown = 1;
  if (!conn->handshake_done
      || (SSL_get_shutdown (conn->ssl) & SSL_SENT_SHUTDOWN))
    return; /* nothing was secured yet, or already sent */
  ERR_clear_error ();
  errno = 0;
  rc = SSL_shutdown (conn->ssl); /* 0: sent, peer's not seen: fine */
  if (rc >= 0)
    return;
  saved = errno;
  err = SSL_get_error (conn->ssl, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return; /* DTLS closes unidirectionally; nothing to wait for */
  SocketDTLS__raise (&SocketDTLS_ShutdownFailed,
                     "SocketDTLS_shutdown: close_notify to %s failed%s%s",
                     peer_label (socket, label), saved ? ": " : "",
                     saved ? Socket_safe_strerror (saved) : "");
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

/* The queries never raise (as in the original): the connection, or NULL
 * for a NULL socket or when DTLS is off. */
static struct SocketDTLS_Conn *
query_conn (SocketDgram_T s)
{
  return s != NULL ? s->dtls : NULL;
}

const char *
SocketDTLS_get_cipher (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL && SSL_get_current_cipher (c->ssl) != NULL
             ? SSL_get_cipher_name (c->ssl)
             : NULL;
}

const char *
SocketDTLS_get_version (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL ? SSL_get_version (c->ssl) : NULL;
}

long
SocketDTLS_get_verify_result (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);

  /* A failed handshake keeps its verdict (the original reports 69). */
  if (c == NULL
      || (!c->handshake_done && c->last_state != DTLS_HANDSHAKE_ERROR))
    return X509_V_ERR_INVALID_CALL;
  return SSL_get_verify_result (c->ssl);
}

int
SocketDTLS_is_session_reused (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);

  if (c == NULL)
    return -1;
  return c->handshake_done && SSL_session_reused (c->ssl);
}

const char *
SocketDTLS_get_alpn_selected (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL && c->alpn[0] != '\0' ? c->alpn : NULL;
}

size_t
SocketDTLS_get_mtu (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c;

  if (socket == NULL)
    return SOCKET_DTLS_DEFAULT_MTU;
  c = query_conn (socket);
  return c != NULL ? c->mtu : 0;
}

int
SocketDTLS_is_shutdown (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL && c->shutdown;
}

int
SocketDTLS_is_enabled (SocketDgram_T socket)
{
  return query_conn (socket) != NULL;
}

int
SocketDTLS_is_handshake_done (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL && c->handshake_done;
}

DTLSHandshakeState
SocketDTLS_get_last_state (SocketDgram_T socket)
{
  struct SocketDTLS_Conn *c = query_conn (socket);
  return c != NULL ? c->last_state : DTLS_HANDSHAKE_NOT_STARTED;
}

#endif /* SOCKET_HAS_TLS */
