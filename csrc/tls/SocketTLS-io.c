/*
 * SocketTLS-io.c - encrypted send/recv and close_notify.
 *
 * End of stream (RFC 8446 section 6.1): close_notify, or a TCP EOF at a
 * record boundary, is Socket_Closed. An EOF inside a record is a
 * truncation and raises SocketTLS_ProtocolError. Plaintext OpenSSL already
 * decrypted is always delivered before either.
 */
#ifdef SOCKET_HAS_TLS

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "tls/SocketTLS-private.h"

/* Connection ready for application data, or raise. */
static SocketTLS_T
ready (Socket_T socket, const void *buf, size_t len, const char *op)
{
  SocketTLS_T t = SocketTLS__get (socket, op);

  if (buf == NULL && len > 0)
    TLS_RAISE (SocketTLS_Failed, "%s: NULL buffer with length %zu", op, len);
  if (t->state != TLS_HANDSHAKE_COMPLETE)
    TLS_RAISE (SocketTLS_Failed, "TLS handshake not complete");
  return t;
}

static const char *
peer (SocketTLS_T t)
{
  return t->socket->base->remoteaddr ? t->socket->base->remoteaddr
                                     : SOCKET__UNKNOWN_ADDR;
}

/* 1 if the queued error is ssl reason @p reason. */
static int
reason_is (int reason)
{
  unsigned long e = ERR_peek_error ();
  return e != 0 && ERR_GET_LIB (e) == ERR_LIB_SSL && ERR_GET_REASON (e) == reason;
}

/* One I/O call: which direction, and whether the caller wants the finer
 * exceptions (bindings, stream layer) or the original's (public API:
 * SocketTLS_Failed for everything but a received close_notify). */
typedef struct
{
  const char *what; /* "TLS send failed" / "TLS recv failed" */
  const char *dir;  /* "to" / "from" */
  int fine;
} io_op;

static void __attribute__ ((noreturn, format (printf, 5, 6)))
io_raise (const io_op *op, const Except_T *e, SocketTLS_T t, int with_queue,
          const char *fmt, ...)
{
  char detail[SOCKET_TLS_ERROR_BUFSIZE];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (detail, sizeof detail, fmt, ap);
  va_end (ap);
  if (!op->fine)
    e = &SocketTLS_Failed;
  SocketTLS__raise (e, __FILE__, __LINE__, with_queue, "%s: %s %s%s%s",
                    op->what, op->dir, peer (t), *detail ? ": " : "", detail);
}

/* TCP EOF without close_notify: clean at a record boundary, truncation
 * when part of a record is buffered. */
static void __attribute__ ((noreturn))
raise_eof (SocketTLS_T t, const io_op *op)
{
  t->fatal = 1;
  if (SSL_has_pending (t->ssl))
    io_raise (op, &SocketTLS_ProtocolError, t, 0,
              "connection closed inside a TLS record (truncated)");
  io_raise (op, &Socket_Closed, t, 0,
            "connection closed by peer (no close_notify)");
}

/* Map a failed SSL_read/SSL_write to 0 (would block) or an exception. */
static ssize_t
io_fail (SocketTLS_T t, int r, int saved_errno, const io_op *op)
{
  int err = SSL_get_error (t->ssl, r);

  switch (err)
    {
    case SSL_ERROR_WANT_READ:
      t->want = POLLIN;
      errno = EAGAIN;
      return 0;
    case SSL_ERROR_WANT_WRITE:
      t->want = POLLOUT;
      errno = EAGAIN;
      return 0;
    case SSL_ERROR_ZERO_RETURN: /* Socket_Closed in the original too */
      TLS_RAISE (Socket_Closed, "%s: %s %s: TLS connection closed by peer "
                                "(close_notify)", op->what, op->dir, peer (t));
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error () != 0)
        break;
      if (saved_errno == 0)
        raise_eof (t, op);
      t->fatal = 1;
      io_raise (op,
                saved_errno == EPIPE || saved_errno == ECONNRESET
                    ? &Socket_Closed
                    : &SocketTLS_Failed,
                t, 0, "%s", Socket_safe_strerror (saved_errno));
    default:
      break;
    }
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
  if (reason_is (SSL_R_UNEXPECTED_EOF_WHILE_READING))
    raise_eof (t, op);
#endif
  t->fatal = 1;
  if (reason_is (SSL_R_PROTOCOL_IS_SHUTDOWN))
    io_raise (op, &SocketTLS_Failed, t, 0, "connection already shut down");
  io_raise (op, &SocketTLS_ProtocolError, t, 1, "%s", "");
}

static ssize_t
send_op (Socket_T socket, const void *buf, size_t len, int fine)
{
  static const io_op ops[2] = { { "TLS send failed", "to", 0 },
                                { "TLS send failed", "to", 1 } };
  SocketTLS_T t = ready (socket, buf, len, "SocketTLS_send");
  int r;

  if (t->shutdown_sent)
    TLS_RAISE (SocketTLS_Failed, "TLS send failed: connection already shut "
                                 "down");
  if (len == 0)
    return 0;
  ERR_clear_error ();
  errno = 0;
  r = SSL_write (t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if (r > 0)
    return r;
  return io_fail (t, r, errno, &ops[fine != 0]);
}

static ssize_t
recv_op (Socket_T socket, void *buf, size_t len, int fine)
{
  static const io_op ops[2] = { { "TLS recv failed", "from", 0 },
                                { "TLS recv failed", "from", 1 } };
  SocketTLS_T t = ready (socket, buf, len, "SocketTLS_recv");
  int r;

  if (len == 0)
    return 0;
  ERR_clear_error ();
  errno = 0;
  r = SSL_read (t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if (r > 0)
    return r;
  return io_fail (t, r, errno, &ops[fine != 0]);
}

ssize_t
SocketTLS_send (Socket_T socket, const void *buf, size_t len)
{
  return send_op (socket, buf, len, 0);
}

ssize_t
SocketTLS_recv (Socket_T socket, void *buf, size_t len)
{
  return recv_op (socket, buf, len, 0);
}

ssize_t
SocketTLS__send (Socket_T socket, const void *buf, size_t len)
{
  return send_op (socket, buf, len, 1);
}

ssize_t
SocketTLS__recv (Socket_T socket, void *buf, size_t len)
{
  return recv_op (socket, buf, len, 1);
}

static short
layer_want (Socket_T socket)
{
  SocketTLS_T t = socket->tls;

  return t->want != 0 ? t->want : POLLIN;
}

static size_t
layer_pending (Socket_T socket)
{
  SocketTLS_T t = socket->tls;
  int n = SSL_pending (t->ssl);

  return n > 0 ? (size_t)n : 0;
}

const struct Socket__stream_layer SocketTLS__layer = {
  .name = "TLS",
  .send = SocketTLS__send,
  .recv = SocketTLS__recv,
  .want = layer_want,
  .pending = layer_pending,
};

void
SocketTLS_shutdown (Socket_T socket)
{
  static const char op[] = "SocketTLS_shutdown";
  SocketTLS_T t = SocketTLS__get_or (socket, &SocketTLS_ShutdownFailed);
  int64_t deadline = Socket_get_monotonic_ms ()
                     + SOCKET_TLS_DEFAULT_HANDSHAKE_TIMEOUT_MS;

  if (t->state != TLS_HANDSHAKE_COMPLETE || t->fatal || t->shutdown_sent)
    return;
  for (;;)
    {
      int r, err, saved;
      int64_t left;

      ERR_clear_error ();
      errno = 0;
      r = SSL_shutdown (t->ssl);
      saved = errno;
      if (r >= 0) /* 0: ours sent; 1: both directions closed */
        {
          t->shutdown_sent = 1;
          return;
        }
      err = SSL_get_error (t->ssl, r);
      left = deadline - Socket_get_monotonic_ms ();
      if ((err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
          && left > 0
          && SocketCommon__wait_fd (
                 Socket_fd (socket),
                 err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, (int)left)
                 > 0)
        continue;
      t->fatal = 1;
      /* The peer already closed its side: ours is a courtesy it may no
       * longer be able to receive. */
      if (SSL_get_shutdown (t->ssl) & SSL_RECEIVED_SHUTDOWN)
        {
          ERR_clear_error ();
          return;
        }
      if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
        TLS_RAISE (SocketTLS_ShutdownFailed, "%s %s: timed out", op, peer (t));
      if (ERR_peek_error () == 0)
        TLS_RAISE (SocketTLS_ShutdownFailed, "%s %s: close_notify not sent: %s",
                   op, peer (t),
                   saved ? Socket_safe_strerror (saved) : "connection unusable");
      TLS_RAISE_SSL (SocketTLS_ShutdownFailed, "%s %s", op, peer (t));
    }
}

#endif /* SOCKET_HAS_TLS */
