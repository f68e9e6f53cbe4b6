/*
 * Socket-io.c - stream I/O: send/recv and their "all" loops, scatter/gather,
 * sendfile, sendmsg/recvmsg and bandwidth-limited I/O.
 *
 * Every send uses MSG_NOSIGNAL so a dead peer yields EPIPE (-> Socket_Closed)
 * instead of SIGPIPE. Would-block returns 0 from the single-shot calls; as
 * in the original the "all" loops return their partial total as soon as a
 * call would block (on a blocking socket: SO_SNDTIMEO/SO_RCVTIMEO expired).
 *
 * On a TLS socket (s->layer set by SocketTLS_enable) the byte-stream calls
 * go through the record layer; calls that cannot (ancillary data, sendmsg
 * flags) raise instead of writing plaintext beside the records.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketIO);

#define RAISE_MSG(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (SocketIO, Socket_Failed, fmt, ##__VA_ARGS__)

/* Small iovec arrays are copied on the stack in the *vall loops. */
#define IOV_STACK_COPY 16

/* Scatter/gather sends up to this size on TLS become one record. */
#define SOCKET_TLS_RECORD_GATHER 16384

int Socket__sendfile_force_fallback;

typedef char label_buf[SOCKET_NI_MAXHOST + 16];

static const char *
peer_label (Socket_T s, label_buf buf)
{
  return SocketCommon__endpoint_label (s->base->remoteaddr,
                                       s->base->remoteport, buf,
                                       sizeof (label_buf));
}

static void __attribute__ ((noinline, cold, noreturn))
check_io_fail (Socket_T s, size_t len, const char *op)
{
  if (s == NULL || s->base == NULL || s->base->fd < 0)
    RAISE_MSG ("%s: NULL or closed socket", op);
  RAISE_MSG ("%s: NULL buffer with length %zu", op, len);
}

/* Inline compares; the messages are built out of line. */
static inline void
check_io (Socket_T s, const void *buf, size_t len, const char *op)
{
  if (__builtin_expect (s == NULL || s->base == NULL || s->base->fd < 0
                            || (buf == NULL && len > 0),
                        0))
    check_io_fail (s, len, op);
}

static void
check_iov (Socket_T s, const struct iovec *iov, int iovcnt, const char *op)
{
  check_io (s, NULL, 0, op);
  if (iov == NULL || iovcnt <= 0 || iovcnt > IOV_MAX)
    RAISE_MSG ("%s: invalid iovec (array %p, count %d, max %d)", op,
               (const void *)iov, iovcnt, IOV_MAX);
  for (int i = 0; i < iovcnt; i++)
    if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
      RAISE_MSG ("%s: iovec[%d] has a NULL base", op, i);
}

/* sendmsg/recvmsg carry flags and ancillary data TLS cannot protect. */
static void
check_no_layer (Socket_T s, const char *op)
{
  if (s->layer != NULL)
    RAISE_MSG ("%s: not available on a %s socket (it would bypass %s); "
               "use Socket_send/Socket_recv", op, s->layer->name,
               s->layer->name);
}

static int
would_block (int err)
{
  return err == EAGAIN || err == EWOULDBLOCK;
}

/*
 * Turn a failed I/O call's errno into the API result: 0 for would-block,
 * Socket_Closed for a connection the peer tore down, Socket_Failed else.
 */
static ssize_t __attribute__ ((cold))
io_fail (Socket_T s, const char *op)
{
  int err = errno;
  label_buf label;

  if (would_block (err))
    return 0;
  peer_label (s, label);
  errno = err;
  if (err == EPIPE || err == ECONNRESET)
    SOCKET__RAISE_CLOSED_FMT ("%s %s", op, label);
  SOCKET_RAISE_FMT (SocketIO, Socket_Failed, "%s %s failed", op, label);
}

static void __attribute__ ((cold, noreturn))
raise_eof (Socket_T s, const char *op)
{
  label_buf label;

  SOCKET__RAISE_CLOSED_MSG ("%s %s: connection closed by peer", op,
                            peer_label (s, label));
}

/* ------------------------------------------------------------------ */
/* send / recv                                                        */
/* ------------------------------------------------------------------ */

/*
 * The hot path (a plain socket, a real buffer, bytes moved) is one libc
 * call and a few compares: argument checks with their messages, TLS, EINTR
 * restarts and error mapping live in the cold *_slow functions. A failed
 * first attempt moved nothing, so the slow path may simply look at errno.
 */
#define IO_FAST(s, buf, len)                                                  \
  __builtin_expect ((s) != NULL && (s)->layer == NULL && (buf) != NULL        \
                        && (len) > 0,                                         \
                    1)

static ssize_t __attribute__ ((noinline, cold))
send_slow (Socket_T socket, const void *buf, size_t len, int tried)
{
  ssize_t n;

  if (!tried)
    {
      check_io (socket, buf, len, "Socket_send");
      if (len == 0)
        return 0;
      if (socket->layer != NULL)
        return socket->layer->send (socket, buf, len);
    }
  else if (errno != EINTR)
    return io_fail (socket, "send to");
  do
    n = send (socket->base->fd, buf, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n >= 0 ? n : io_fail (socket, "send to");
}

ssize_t
Socket_send (Socket_T socket, const void *buf, size_t len)
{
  if (IO_FAST (socket, buf, len))
    {
      ssize_t n = send (socket->base->fd, buf, len, MSG_NOSIGNAL);
      if (__builtin_expect (n >= 0, 1))
        return n;
      return send_slow (socket, buf, len, 1);
    }
  return send_slow (socket, buf, len, 0);
}

/* @p tried: the fast path's recv() returned @p n (0 or -1). */
static ssize_t __attribute__ ((noinline, cold))
recv_slow (Socket_T socket, void *buf, size_t len, int tried, ssize_t n)
{
  if (!tried)
    {
      check_io (socket, buf, len, "Socket_recv");
      if (len == 0)
        return 0;
      if (socket->layer != NULL)
        return socket->layer->recv (socket, buf, len);
      n = -1;
      errno = EINTR; /* make the loop below try */
    }
  while (n < 0 && errno == EINTR)
    n = recv (socket->base->fd, buf, len, 0);
  if (n > 0)
    return n;
  if (n == 0)
    raise_eof (socket, "recv from");
  return io_fail (socket, "recv from");
}

ssize_t
Socket_recv (Socket_T socket, void *buf, size_t len)
{
  if (IO_FAST (socket, buf, len))
    {
      ssize_t n = recv (socket->base->fd, buf, len, 0);
      if (__builtin_expect (n > 0, 1))
        return n;
      return recv_slow (socket, buf, len, 1, n);
    }
  return recv_slow (socket, buf, len, 0, 0);
}

/*
 * Wait until @p events (POLLIN/POLLOUT) are ready, bounded by the operation
 * timeout (0 = none); raises Socket_Failed (ETIMEDOUT) when it expires.
 */
static void
wait_ready (Socket_T s, short events, const char *op)
{
  int timeout = s->base->timeouts.operation_timeout_ms;
  int ev = SocketCommon__wait_fd (s->base->fd, events,
                                  timeout > 0 ? timeout : -1);
  label_buf label;

  if (ev > 0)
    return;
  if (ev == 0)
    errno = ETIMEDOUT;
  SOCKET_RAISE_FMT (SocketIO, Socket_Failed, "%s %s failed", op,
                    peer_label (s, label));
}

/*
 * The sendall/recvall loop on a TLS socket. A record may need the other
 * direction first (renegotiation, key update), which the caller cannot see,
 * so this loop waits for what TLS wants instead of returning a partial
 * total as the plain-socket loops do.
 */
static ssize_t
layer_all (Socket_T s, void *buf, size_t len, int sending)
{
  const struct Socket__stream_layer *l = s->layer;
  char *p = buf;
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = sending ? l->send (s, p + done, len - done)
                          : l->recv (s, p + done, len - done);
      if (n > 0)
        done += (size_t)n;
      else
        wait_ready (s, l->want (s), sending ? "send to" : "recv from");
    }
  return (ssize_t)done;
}

ssize_t
Socket_sendall (Socket_T socket, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;

  check_io (socket, buf, len, "Socket_sendall");
  if (socket->layer != NULL)
    return layer_all (socket, (void *)buf, len, 1);
  while (done < len)
    {
      ssize_t n = send (socket->base->fd, p + done, len - done, MSG_NOSIGNAL);
      if (n > 0)
        done += (size_t)n;
      else if (n < 0 && errno == EINTR)
        continue;
      else if (n == 0 || would_block (errno))
        break; /* partial total, as in the original */
      else
        io_fail (socket, "send to");
    }
  return (ssize_t)done;
}

ssize_t
Socket_recvall (Socket_T socket, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;

  check_io (socket, buf, len, "Socket_recvall");
  if (socket->layer != NULL)
    return layer_all (socket, buf, len, 0);
  while (done < len)
    {
      ssize_t n = recv (socket->base->fd, p + done, len - done, 0);
      if (n > 0)
        done += (size_t)n;
      else if (n == 0)
        raise_eof (socket, "recv from");
      else if (errno == EINTR)
        continue;
      else if (would_block (errno))
        break; /* partial total, as in the original */
      else
        io_fail (socket, "recv from");
    }
  return (ssize_t)done;
}

/* ------------------------------------------------------------------ */
/* Scatter / gather                                                   */
/* ------------------------------------------------------------------ */

static size_t
iov_total (const struct iovec *iov, int iovcnt)
{
  size_t total = 0;

  for (int i = 0; i < iovcnt; i++)
    {
      if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
        RAISE_MSG ("iovec total length overflows");
      total += iov[i].iov_len;
    }
  return total;
}

static ssize_t
sendv_once (int fd, const struct iovec *iov, int iovcnt)
{
  struct msghdr msg;
  ssize_t n;

  memset (&msg, 0, sizeof msg);
  msg.msg_iov = (struct iovec *)iov;
  msg.msg_iovlen = (size_t)iovcnt;
  do
    n = sendmsg (fd, &msg, MSG_NOSIGNAL); /* writev() could raise SIGPIPE */
  while (n < 0 && errno == EINTR);
  return n;
}

static ssize_t
recvv_once (int fd, struct iovec *iov, int iovcnt)
{
  ssize_t n;

  do
    n = readv (fd, iov, iovcnt);
  while (n < 0 && errno == EINTR);
  return n;
}

/*
 * One scatter/gather step on a TLS socket: bytes moved, 0 if it would
 * block. Small vectors are gathered into one record; a receive after the
 * first element only takes plaintext already decrypted, so it never blocks
 * or raises once it has data to return.
 */
static ssize_t
layer_vec (Socket_T s, const struct iovec *iov, int iovcnt, int sending)
{
  const struct Socket__stream_layer *l = s->layer;
  char gather[SOCKET_TLS_RECORD_GATHER];
  size_t total = 0, done = 0;

  if (sending)
    {
      for (int i = 0; i < iovcnt && total <= sizeof gather; i++)
        total += iov[i].iov_len;
      if (total <= sizeof gather)
        {
          for (int i = 0; i < iovcnt; i++)
            {
              if (iov[i].iov_len > 0)
                memcpy (gather + done, iov[i].iov_base, iov[i].iov_len);
              done += iov[i].iov_len;
            }
          return total == 0 ? 0 : l->send (s, gather, total);
        }
    }
  for (int i = 0; i < iovcnt; i++)
    {
      ssize_t n;

      if (iov[i].iov_len == 0)
        continue;
      if (done > 0 && !sending && l->pending (s) == 0)
        break;
      n = sending ? l->send (s, iov[i].iov_base, iov[i].iov_len)
                  : l->recv (s, iov[i].iov_base, iov[i].iov_len);
      if (n <= 0)
        break;
      done += (size_t)n;
      if ((size_t)n < iov[i].iov_len)
        break;
    }
  return (ssize_t)done;
}

ssize_t
Socket_sendv (Socket_T socket, const struct iovec *iov, int iovcnt)
{
  ssize_t n;

  check_iov (socket, iov, iovcnt, "Socket_sendv");
  if (iov_total (iov, iovcnt) == 0)
    return 0;
  if (socket->layer != NULL)
    return layer_vec (socket, iov, iovcnt, 1);
  n = sendv_once (socket->base->fd, iov, iovcnt);
  return n >= 0 ? n : io_fail (socket, "send to");
}

ssize_t
Socket_recvv (Socket_T socket, struct iovec *iov, int iovcnt)
{
  ssize_t n;

  check_iov (socket, iov, iovcnt, "Socket_recvv");
  if (iov_total (iov, iovcnt) == 0)
    return 0;
  if (socket->layer != NULL)
    return layer_vec (socket, iov, iovcnt, 0);
  n = recvv_once (socket->base->fd, iov, iovcnt);
  if (n > 0)
    return n;
  if (n == 0)
    raise_eof (socket, "recv from");
  return io_fail (socket, "recv from");
}

/* The loop of sendvall/recvvall over a private copy of the iovec; stops
 * with the partial total when a call would block. */
static size_t
iov_loop (Socket_T s, struct iovec *copy, int iovcnt, int sending)
{
  const char *op = sending ? "send to" : "recv from";
  size_t done = 0;
  int active;
  struct iovec *cur;

  while ((cur = SocketCommon_find_active_iov (copy, iovcnt, &active)) != NULL)
    {
      ssize_t n;

      if (s->layer != NULL)
        n = layer_vec (s, cur, active, sending);
      else
        n = sending ? sendv_once (s->base->fd, cur, active)
                    : recvv_once (s->base->fd, cur, active);
      if (n > 0)
        {
          SocketCommon_advance_iov (cur, active, (size_t)n);
          done += (size_t)n;
        }
      else if (s->layer != NULL) /* TLS raised any end of stream itself */
        wait_ready (s, s->layer->want (s), op);
      else if (n == 0 && !sending)
        raise_eof (s, op);
      else if (n == 0 || would_block (errno))
        break;
      else
        io_fail (s, op);
    }
  return done;
}

static ssize_t
iov_all (Socket_T s, const struct iovec *iov, int iovcnt, int sending)
{
  struct iovec stack_copy[IOV_STACK_COPY];
  struct iovec *volatile heap = NULL;
  volatile size_t done = 0;

  /* Array checks raise SocketCommon_Failed here, as in the original. */
  check_io (s, NULL, 0, sending ? "Socket_sendvall" : "Socket_recvvall");
  SocketCommon_calculate_total_iov_len (iov, iovcnt);
  check_iov (s, iov, iovcnt, sending ? "Socket_sendvall" : "Socket_recvvall");
  if (iovcnt > IOV_STACK_COPY)
    heap = SocketCommon_alloc_iov_copy (iov, iovcnt, Socket_Failed);
  else
    memcpy (stack_copy, iov, (size_t)iovcnt * sizeof *iov);
  TRY done = iov_loop (s, heap ? heap : stack_copy, iovcnt, sending);
  FINALLY free (heap);
  END_TRY;
  return (ssize_t)done;
}

ssize_t
Socket_sendvall (Socket_T socket, const struct iovec *iov, int iovcnt)
{
  return iov_all (socket, iov, iovcnt, 1);
}

ssize_t
Socket_recvvall (Socket_T socket, struct iovec *iov, int iovcnt)
{
  return iov_all (socket, iov, iovcnt, 0);
}

/* ------------------------------------------------------------------ */
/* sendfile                                                           */
/* ------------------------------------------------------------------ */

/* Internal results of the sendfile helpers besides a byte count. */
#define SF_WOULDBLOCK (-1)
#define SF_FALLBACK (-2)

/* One send(); SF_WOULDBLOCK instead of 0 when the socket is full. */
static ssize_t
send_raw (Socket_T s, const char *buf, size_t len)
{
  ssize_t n;

  if (s->layer != NULL)
    {
      n = s->layer->send (s, buf, len);
      return n > 0 ? n : SF_WOULDBLOCK;
    }
  do
    n = send (s->base->fd, buf, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    return n;
  if (n == 0 || would_block (errno))
    return SF_WOULDBLOCK;
  return io_fail (s, "sendfile to");
}

/* What a blocked send waits for: TLS may need to read first. */
static short
send_events (Socket_T s)
{
  return s->layer != NULL ? s->layer->want (s) : POLLOUT;
}

/*
 * Send a whole chunk already read from a non-seekable file (it cannot be
 * put back): wait for the socket, bounded by the operation timeout, instead
 * of dropping the unsent bytes as the original does.
 */
static void
send_chunk_fully (Socket_T s, const char *buf, size_t len)
{
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = send_raw (s, buf + done, len - done);
      if (n > 0)
        done += (size_t)n;
      else
        wait_ready (s, send_events (s), "sendfile to");
    }
}

static void __attribute__ ((noreturn))
raise_file_error (const char *what, int file_fd)
{
  SOCKET_RAISE_FMT (SocketIO, Socket_Failed, "sendfile: %s on descriptor %d "
                    "failed", what, file_fd);
}

/*
 * read()+send() replacement for sendfile(2) (files it cannot handle, e.g.
 * pipes). Reads at the offset (or the file position) and advances it only by
 * what the socket accepted, so non-blocking callers lose nothing.
 * @return bytes sent, 0 at end of file, SF_WOULDBLOCK.
 */
static ssize_t
sendfile_fallback (Socket_T s, int file_fd, off_t *offset, size_t count)
{
  char buf[SOCKET_SENDFILE_FALLBACK_BUFFER_SIZE];
  size_t want = count < sizeof buf ? count : sizeof buf;
  off_t pos = offset ? *offset : lseek (file_fd, 0, SEEK_CUR);
  ssize_t got, sent;

  if (pos < 0) /* not seekable: read sequentially and send it all */
    {
      do
        got = read (file_fd, buf, want);
      while (got < 0 && errno == EINTR);
      if (got < 0)
        raise_file_error ("read", file_fd);
      send_chunk_fully (s, buf, (size_t)got);
      return got;
    }
  do
    got = pread (file_fd, buf, want, pos);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    raise_file_error ("pread", file_fd);
  if (got == 0)
    return 0;
  sent = send_raw (s, buf, (size_t)got);
  if (sent <= 0)
    return sent;
  if (offset)
    *offset = pos + sent;
  else if (lseek (file_fd, pos + sent, SEEK_SET) < 0)
    raise_file_error ("lseek", file_fd);
  return sent;
}

/* One sendfile(2). @return bytes, 0 at end of file, SF_WOULDBLOCK, or
 * SF_FALLBACK when the kernel cannot splice this file. */
static ssize_t
sendfile_once (Socket_T s, int file_fd, off_t *offset, size_t count)
{
  ssize_t n;

  /* The kernel would splice plaintext past TLS: read and encrypt. */
  if (Socket__sendfile_force_fallback || s->layer != NULL)
    return SF_FALLBACK;
  do
    n = sendfile (s->base->fd, file_fd, offset, count);
  while (n < 0 && errno == EINTR);
  if (n >= 0)
    return n;
  if (would_block (errno))
    return SF_WOULDBLOCK;
  if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)
    return SF_FALLBACK;
  return io_fail (s, "sendfile to");
}

static void
check_sendfile (Socket_T s, int file_fd, off_t *offset, const char *op)
{
  check_io (s, NULL, 0, op);
  if (file_fd < 0)
    RAISE_MSG ("%s: invalid file descriptor %d", op, file_fd);
  if (offset != NULL && *offset < 0)
    RAISE_MSG ("%s: negative offset", op);
}

ssize_t
Socket_sendfile (Socket_T socket, int file_fd, off_t *offset, size_t count)
{
  ssize_t n;

  check_sendfile (socket, file_fd, offset, "Socket_sendfile");
  if (count == 0)
    return 0;
  n = sendfile_once (socket, file_fd, offset, count);
  if (n == SF_FALLBACK)
    n = sendfile_fallback (socket, file_fd, offset, count);
  return n == SF_WOULDBLOCK ? 0 : n;
}

ssize_t
Socket_sendfileall (Socket_T socket, int file_fd, off_t *offset, size_t count)
{
  size_t done = 0;
  int fallback = 0;

  check_sendfile (socket, file_fd, offset, "Socket_sendfileall");
  while (done < count)
    {
      ssize_t n = SF_FALLBACK;
      if (!fallback)
        n = sendfile_once (socket, file_fd, offset, count - done);
      if (n == SF_FALLBACK)
        {
          fallback = 1;
          n = sendfile_fallback (socket, file_fd, offset, count - done);
        }
      if (n > 0)
        done += (size_t)n;
      else
        break; /* end of file, or the socket would block */
    }
  return (ssize_t)done;
}

/* ------------------------------------------------------------------ */
/* sendmsg / recvmsg                                                  */
/* ------------------------------------------------------------------ */

ssize_t
Socket_sendmsg (Socket_T socket, const struct msghdr *msg, int flags)
{
  ssize_t n;

  check_io (socket, NULL, 0, "Socket_sendmsg");
  check_no_layer (socket, "Socket_sendmsg");
  if (msg == NULL)
    RAISE_MSG ("Socket_sendmsg: NULL message");
  do
    n = sendmsg (socket->base->fd, msg, flags | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n >= 0 ? n : io_fail (socket, "sendmsg to");
}

ssize_t
Socket_recvmsg (Socket_T socket, struct msghdr *msg, int flags)
{
  ssize_t n;

  check_io (socket, NULL, 0, "Socket_recvmsg");
  check_no_layer (socket, "Socket_recvmsg");
  if (msg == NULL || (msg->msg_iov == NULL && msg->msg_iovlen > 0))
    RAISE_MSG ("Socket_recvmsg: NULL message or iovec");
  do
    n = recvmsg (socket->base->fd, msg, flags);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    return n;
  if (n == 0) /* always end of stream, as in the original */
    raise_eof (socket, "recvmsg from");
  return io_fail (socket, "recvmsg from");
}

/* ------------------------------------------------------------------ */
/* Bandwidth limiting                                                 */
/* ------------------------------------------------------------------ */

void
Socket_setbandwidth (Socket_T socket, size_t bytes_per_sec)
{
  check_io (socket, NULL, 0, "Socket_setbandwidth");
  if (bytes_per_sec == 0)
    SocketRateLimit_free (&socket->limiter);
  else if (socket->limiter != NULL)
    SocketRateLimit_configure (socket->limiter, bytes_per_sec, bytes_per_sec);
  else
    /* One second of burst: a fresh limit lets the first second through. */
    socket->limiter = SocketRateLimit_new (NULL, bytes_per_sec, bytes_per_sec);
  socket->bandwidth = bytes_per_sec;
}

size_t
Socket_getbandwidth (Socket_T socket)
{
  check_io (socket, NULL, 0, "Socket_getbandwidth");
  return socket->bandwidth;
}

/*
 * Tokens are taken after the I/O for what actually moved: one thread owns
 * the socket, so the budget seen before the call can only have grown.
 */
ssize_t
Socket_send_limited (Socket_T socket, const void *buf, size_t len)
{
  size_t budget;
  ssize_t n;

  check_io (socket, buf, len, "Socket_send_limited");
  if (socket->limiter == NULL)
    return Socket_send (socket, buf, len);
  budget = SocketRateLimit_available (socket->limiter);
  if (budget == 0 || len == 0)
    return 0;
  n = Socket_send (socket, buf, len < budget ? len : budget);
  if (n > 0)
    (void)SocketRateLimit_try_acquire (socket->limiter, (size_t)n);
  return n;
}

ssize_t
Socket_recv_limited (Socket_T socket, void *buf, size_t len)
{
  size_t budget;
  ssize_t n;

  check_io (socket, buf, len, "Socket_recv_limited");
  if (socket->limiter == NULL)
    return Socket_recv (socket, buf, len);
  budget = SocketRateLimit_available (socket->limiter);
  if (budget == 0 || len == 0)
    return 0;
  n = Socket_recv (socket, buf, len < budget ? len : budget);
  if (n > 0)
    (void)SocketRateLimit_try_acquire (socket->limiter, (size_t)n);
  return n;
}

int64_t
Socket_bandwidth_wait_ms (Socket_T socket, size_t bytes)
{
  size_t cap;

  check_io (socket, NULL, 0, "Socket_bandwidth_wait_ms");
  if (socket->limiter == NULL || bytes == 0)
    return 0;
  /* More than one bucket never fits at once: -1 (the original's answer). */
  cap = SocketRateLimit_get_bucket_size (socket->limiter);
  if (bytes > cap)
    return -1;
  return SocketRateLimit_wait_time_ms (socket->limiter, bytes);
}
