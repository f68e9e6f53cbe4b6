/*
 * Socket-unix.c - Unix-domain specifics: filesystem and abstract ('@name')
 * addresses, peer credentials and descriptor passing (SCM_RIGHTS).
 *
 * Socket.h turns Socket_sendfd & co. into argument-count dispatch macros
 * for the README forms, so the real functions here are defined with
 * parenthesised names.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

const Except_T SocketUnix_Failed
    = { &SocketUnix_Failed, "Unix-domain socket operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketUnix);

#define RAISE_FMT_AS(exc, fmt, ...)                                           \
  SOCKET_RAISE_FMT (SocketUnix, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)
#define RAISE_MSG_AS(exc, fmt, ...)                                           \
  SOCKET_RAISE_MSG (SocketUnix, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)
#define RAISE_FMT(fmt, ...) RAISE_FMT_AS (Socket_Failed, fmt, ##__VA_ARGS__)
#define RAISE_MSG(fmt, ...) RAISE_MSG_AS (Socket_Failed, fmt, ##__VA_ARGS__)

#define SUN_PATH_MAX sizeof (((struct sockaddr_un *)0)->sun_path)

/* ------------------------------------------------------------------ */
/* Addresses                                                          */
/* ------------------------------------------------------------------ */

int
SocketUnix_validate_unix_path (const char *path, size_t path_len)
{
  if (path == NULL || path_len == 0 || memchr (path, '\0', path_len) != NULL)
    return -1;
  /* At most 107 bytes including any '@' (the original's limit). */
  if (path_len >= SUN_PATH_MAX)
    return -1;
  if (path[0] == '@') /* abstract: the name follows a leading NUL byte */
    return path_len >= 2 ? 0 : -1;
  /* Directory traversal is refused, as in the original. */
  if ((path_len == 2 && memcmp (path, "..", 2) == 0)
      || (path_len >= 3 && memcmp (path, "../", 3) == 0)
      || memmem (path, path_len, "/../", 4) != NULL
      || (path_len >= 3 && memcmp (path + path_len - 3, "/..", 3) == 0))
    return -1;
  return 0;
}

static socklen_t
build_addr (const char *path, struct sockaddr_un *sun, Except_T exc)
{
  size_t len = path ? strnlen (path, SUN_PATH_MAX + 1) : 0;

  if (SocketUnix_validate_unix_path (path, len) != 0)
    RAISE_MSG_AS (exc, "invalid Unix socket path '%.*s' (1-%zu bytes, or "
                       "'@name' for the abstract namespace)",
                  (int)(len > SUN_PATH_MAX ? SUN_PATH_MAX : len),
                  path ? path : "", SUN_PATH_MAX - 1);
  memset (sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (path[0] == '@')
    {
      memcpy (sun->sun_path + 1, path + 1, len - 1);
      return (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len);
    }
  memcpy (sun->sun_path, path, len);
  return (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len + 1);
}

static void
check_unix_base (SocketBase_T base, const char *op, Except_T exc)
{
  if (base == NULL || base->fd < 0)
    RAISE_MSG_AS (exc, "%s: NULL or closed socket", op);
  if (base->domain != AF_UNIX)
    {
      errno = EAFNOSUPPORT;
      RAISE_FMT_AS (exc, "%s: not an AF_UNIX socket", op);
    }
}

void
SocketUnix_bind (SocketBase_T base, const char *path, Except_T exc_type)
{
  struct sockaddr_un sun;
  socklen_t len;
  struct stat st;

  check_unix_base (base, "SocketUnix_bind", exc_type);
  len = build_addr (path, &sun, exc_type);
  /* A socket file left by a dead server would make bind fail forever;
   * remove it, but never anything that is not a socket. */
  if (path[0] != '@' && lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    (void)unlink (path);
  if (bind (base->fd, (struct sockaddr *)&sun, len) < 0)
    RAISE_FMT_AS (exc_type, "bind to unix:%s failed", path);
  SocketCommon_update_local_endpoint (base);
}

void
SocketUnix_connect (SocketBase_T base, const char *path, Except_T exc_type)
{
  struct sockaddr_un sun;
  socklen_t len;
  int err = 0;

  check_unix_base (base, "SocketUnix_connect", exc_type);
  len = build_addr (path, &sun, exc_type);
  if (connect (base->fd, (struct sockaddr *)&sun, len) < 0)
    {
      err = errno;
      /* Interrupted: the connect continues; wait for its outcome. */
      if (err == EINTR || err == EINPROGRESS)
        {
          socklen_t elen = sizeof err;
          if (SocketCommon__wait_fd (base->fd, POLLOUT, -1) < 0
              || getsockopt (base->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
            err = errno;
        }
    }
  if (err != 0)
    {
      errno = err;
      if (err == ENOENT || err == ECONNREFUSED)
        {
          /* The original's texts; errno kept for Socket_geterrno(). */
          SOCKET_ERROR_MSG ("%s: %s (errno: %d - %s)",
                            err == ENOENT ? "Unix socket does not exist"
                                          : "Connection refused",
                            path, err, Socket_safe_strerror (err));
          socket_last_errno = err;
          SOCKET_RAISE_MODULE_ERROR (SocketUnix, SOCKET__EXC (exc_type));
        }
      RAISE_FMT_AS (exc_type, "connect to unix:%s failed", path);
    }
  SocketCommon__update_peer_endpoint (base);
  SocketCommon_update_local_endpoint (base);
}

void
Socket_bind_unix (Socket_T socket, const char *path)
{
  if (socket == NULL)
    RAISE_MSG ("Socket_bind_unix: NULL socket");
  SocketUnix_bind (socket->base, path, Socket_Failed);
  socket->bound = 1;
}

void
Socket_connect_unix (Socket_T socket, const char *path)
{
  if (socket == NULL)
    RAISE_MSG ("Socket_connect_unix: NULL socket");
  SocketUnix_connect (socket->base, path, Socket_Failed);
  socket->connected = 1;
}

/* ------------------------------------------------------------------ */
/* Peer credentials                                                   */
/* ------------------------------------------------------------------ */

static int
peer_cred (const Socket_T s, struct ucred *cred)
{
  socklen_t len = sizeof *cred;

  if (s == NULL || s->base == NULL || s->base->fd < 0
      || s->base->domain != AF_UNIX)
    return -1;
  return getsockopt (s->base->fd, SOL_SOCKET, SO_PEERCRED, cred, &len);
}

int
Socket_getpeerpid (const Socket_T socket)
{
  struct ucred c;
  return peer_cred (socket, &c) == 0 && c.pid > 0 ? (int)c.pid : -1;
}

int
Socket_getpeeruid (const Socket_T socket)
{
  struct ucred c;
  return peer_cred (socket, &c) == 0 && c.pid > 0 ? (int)c.uid : -1;
}

int
Socket_getpeergid (const Socket_T socket)
{
  struct ucred c;
  return peer_cred (socket, &c) == 0 && c.pid > 0 ? (int)c.gid : -1;
}

/* ------------------------------------------------------------------ */
/* Descriptor passing                                                 */
/* ------------------------------------------------------------------ */

#define FD_WOULDBLOCK (-1)

union fd_control
{
  struct cmsghdr align;
  char buf[CMSG_SPACE (sizeof (int) * SOCKET_MAX_FDS_PER_MSG)];
};

static void
check_fd_socket (Socket_T s, const void *fds, size_t count, const char *op)
{
  if (s == NULL || s->base == NULL || s->base->fd < 0)
    RAISE_MSG ("%s: NULL or closed socket", op);
  if (s->base->domain != AF_UNIX)
    {
      errno = EAFNOSUPPORT;
      RAISE_FMT ("%s: descriptors can only be passed over AF_UNIX", op);
    }
  if (fds == NULL || count == 0)
    RAISE_MSG ("%s: NULL or empty descriptor array", op);
  if (s->layer != NULL) /* the payload would travel outside the records */
    RAISE_MSG ("%s: not available on a %s socket", op, s->layer->name);
}

static ssize_t __attribute__ ((cold))
fd_io_fail (Socket_T s, const char *op)
{
  int err = errno;

  if (err == EAGAIN || err == EWOULDBLOCK)
    return FD_WOULDBLOCK;
  if (err == EPIPE || err == ECONNRESET)
    SOCKET__RAISE_CLOSED_FMT ("%s", op);
  SOCKET_RAISE_FMT (SocketUnix, Socket_Failed, "%s failed", op);
}

/*
 * sendmsg() @p count descriptors with @p data (a 1-byte payload when empty:
 * stream sockets need data to carry ancillary data).
 * @return payload bytes sent, or FD_WOULDBLOCK (nothing sent).
 */
static ssize_t
send_fds (Socket_T s, const int *fds, size_t count, const void *data,
          size_t len, const char *op)
{
  union fd_control ctl;
  struct msghdr msg;
  struct cmsghdr *cm;
  char dummy = 0;
  struct iovec iov;
  ssize_t n;

  check_fd_socket (s, fds, count, op);
  if (count > SOCKET_MAX_FDS_PER_MSG)
    RAISE_MSG ("%s: %zu descriptors exceed the limit of %d per message", op,
               count, SOCKET_MAX_FDS_PER_MSG);
  if (data == NULL && len > 0)
    RAISE_MSG ("%s: NULL payload with length %zu", op, len);
  for (size_t i = 0; i < count; i++)
    if (fds[i] < 0 || fcntl (fds[i], F_GETFD) < 0)
      {
        errno = EBADF;
        RAISE_FMT ("%s: descriptor #%zu (%d) is not open", op, i, fds[i]);
      }
  iov.iov_base = len > 0 ? (void *)data : &dummy;
  iov.iov_len = len > 0 ? len : 1;
  memset (&msg, 0, sizeof msg);
  memset (&ctl, 0, sizeof ctl);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.buf;
  msg.msg_controllen = CMSG_SPACE (sizeof (int) * count);
  cm = CMSG_FIRSTHDR (&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int) * count);
  memcpy (CMSG_DATA (cm), fds, sizeof (int) * count);
  do
    n = sendmsg (s->base->fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return fd_io_fail (s, op);
  /* The payload may go in part: the caller sends the rest. */
  return len > 0 ? n : 0;
}

/* Take the descriptors out of @p msg; close any beyond @p max. */
static size_t
collect_fds (struct msghdr *msg, int *fds, size_t max, int *overflow)
{
  size_t got = 0;

  for (struct cmsghdr *cm = CMSG_FIRSTHDR (msg); cm != NULL;
       cm = CMSG_NXTHDR (msg, cm))
    {
      size_t k;
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
        continue;
      k = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < k; i++)
        {
          int fd;
          memcpy (&fd, CMSG_DATA (cm) + i * sizeof (int), sizeof fd);
          if (got < max)
            fds[got++] = fd;
          else
            {
              close (fd);
              *overflow = 1;
            }
        }
    }
  return got;
}

/*
 * recvmsg() one message with up to @p max descriptors (made CLOEXEC
 * atomically by MSG_CMSG_CLOEXEC). More descriptors than @p max is an
 * error: all of them are closed.
 * @return payload bytes, or FD_WOULDBLOCK.
 */
static ssize_t
recv_fds (Socket_T s, int *fds, size_t max, size_t *received, void *buf,
          size_t len, const char *op)
{
  union fd_control ctl;
  struct msghdr msg;
  struct iovec iov;
  char dummy;
  ssize_t n;
  size_t got;
  int overflow = 0;

  check_fd_socket (s, fds, max, op);
  if (max > SOCKET_MAX_FDS_PER_MSG)
    max = SOCKET_MAX_FDS_PER_MSG; /* no message can carry more */
  if (buf == NULL && len > 0)
    RAISE_MSG ("%s: NULL buffer with length %zu", op, len);
  iov.iov_base = len > 0 ? buf : &dummy;
  iov.iov_len = len > 0 ? len : 1;
  memset (&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.buf;
  msg.msg_controllen = CMSG_SPACE (sizeof (int) * max);
  do
    n = recvmsg (s->base->fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return fd_io_fail (s, op);
  got = collect_fds (&msg, fds, max, &overflow);
  if (overflow || (msg.msg_flags & MSG_CTRUNC))
    {
      for (size_t i = 0; i < got; i++)
        close (fds[i]);
      errno = EMSGSIZE;
      RAISE_FMT ("%s: more descriptors arrived than the %zu expected", op,
                 max);
    }
  if (n == 0 && got == 0)
    SOCKET__RAISE_CLOSED_MSG ("%s: connection closed by peer", op);
  *received = got;
  return len > 0 ? n : 0;
}

int (Socket_sendfd) (Socket_T socket, int fd_to_pass)
{
  return send_fds (socket, &fd_to_pass, 1, NULL, 0, "Socket_sendfd")
                 == FD_WOULDBLOCK
             ? 0
             : 1;
}

int (Socket_recvfd) (Socket_T socket, int *fd_received)
{
  size_t got = 0;

  if (fd_received == NULL)
    RAISE_MSG ("Socket_recvfd: NULL output pointer");
  *fd_received = -1;
  if (recv_fds (socket, fd_received, 1, &got, NULL, 0, "Socket_recvfd")
      == FD_WOULDBLOCK)
    return 0;
  /* A message without a descriptor is not an error: *fd_received = -1. */
  if (got == 0)
    *fd_received = -1;
  return 1;
}

int (Socket_sendfds) (Socket_T socket, const int *fds, size_t count)
{
  return send_fds (socket, fds, count, NULL, 0, "Socket_sendfds")
                 == FD_WOULDBLOCK
             ? 0
             : 1;
}

int (Socket_recvfds) (Socket_T socket, int *fds, size_t max_count,
                      size_t *received_count)
{
  size_t got = 0;

  if (received_count == NULL || fds == NULL)
    RAISE_MSG ("Socket_recvfds: NULL argument");
  if (max_count < 1 || max_count > SOCKET_MAX_FDS_PER_MSG)
    RAISE_MSG ("Socket_recvfds: max_count %zu out of range (1-%d)", max_count,
               SOCKET_MAX_FDS_PER_MSG);
  for (size_t i = 0; i < max_count; i++)
    fds[i] = -1;
  *received_count = 0;
  if (recv_fds (socket, fds, max_count, &got, NULL, 0, "Socket_recvfds")
      == FD_WOULDBLOCK)
    return 0;
  *received_count = got; /* may be 0: a message without descriptors */
  return 1;
}

ssize_t
Socket_sendfd_with_data (Socket_T socket, int fd_to_pass, const void *data,
                         size_t len)
{
  ssize_t n = send_fds (socket, &fd_to_pass, 1, data, len, "Socket_sendfd");
  return n == FD_WOULDBLOCK ? 0 : n;
}

ssize_t
Socket_recvfd_with_data (Socket_T socket, int *fd_received, void *buf,
                         size_t len)
{
  size_t got = 0;
  ssize_t n;

  if (fd_received == NULL)
    RAISE_MSG ("Socket_recvfd: NULL output pointer");
  *fd_received = -1;
  n = recv_fds (socket, fd_received, 1, &got, buf, len, "Socket_recvfd");
  if (got == 0)
    *fd_received = -1;
  return n == FD_WOULDBLOCK ? 0 : n;
}

ssize_t
Socket_sendfds_with_data (Socket_T socket, const int *fds, size_t count,
                          const void *data, size_t len)
{
  ssize_t n = send_fds (socket, fds, count, data, len, "Socket_sendfds");
  return n == FD_WOULDBLOCK ? 0 : n;
}

ssize_t
Socket_recvfds_with_data (Socket_T socket, int *fds, size_t max_count,
                          int *num_fds, void *buf, size_t len)
{
  size_t got = 0;
  ssize_t n;

  if (num_fds == NULL)
    RAISE_MSG ("Socket_recvfds: NULL count pointer");
  *num_fds = 0;
  n = recv_fds (socket, fds, max_count, &got, buf, len, "Socket_recvfds");
  *num_fds = (int)got;
  return n == FD_WOULDBLOCK ? 0 : n;
}
