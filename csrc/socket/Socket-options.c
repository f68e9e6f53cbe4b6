/*
 * Socket-options.c - socket and TCP option setters/getters.
 *
 * Each setter raises Socket_Failed naming the option; getters return the
 * kernel's view (which may differ from what was set: Linux doubles buffer
 * sizes and rounds TCP_DEFER_ACCEPT up to a retransmission boundary).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketOpt);

#define RAISE_FMT(fmt, ...)                                                   \
  SOCKET_RAISE_FMT (SocketOpt, Socket_Failed, fmt, ##__VA_ARGS__)
#define RAISE_MSG(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (SocketOpt, Socket_Failed, fmt, ##__VA_ARGS__)

static int
fd_of (Socket_T s, const char *op)
{
  if (s == NULL || s->base == NULL || s->base->fd < 0)
    RAISE_MSG ("%s: NULL or closed socket", op);
  return s->base->fd;
}

static void
set_int (Socket_T s, int level, int opt, int value, const char *name)
{
  if (setsockopt (fd_of (s, name), level, opt, &value, sizeof value) < 0)
    RAISE_FMT ("setsockopt(%s=%d) failed", name, value);
}

/* getsockopt(int) for the getters that never raise: -1 on any failure. */
static int
try_get_int (Socket_T s, int level, int opt, int *value)
{
  socklen_t len = sizeof *value;

  if (s == NULL || s->base == NULL || s->base->fd < 0)
    return -1;
  return getsockopt (s->base->fd, level, opt, value, &len) < 0 ? -1 : 0;
}

static int
get_int (Socket_T s, int level, int opt, const char *name)
{
  int value = 0;
  socklen_t len = sizeof value;

  if (getsockopt (fd_of (s, name), level, opt, &value, &len) < 0)
    RAISE_FMT ("getsockopt(%s) failed", name);
  return value;
}

/* TCP options make no sense on Unix-domain sockets: say so clearly. */
static void
require_tcp (Socket_T s, const char *op)
{
  fd_of (s, op);
  if (s->base->domain != AF_INET && s->base->domain != AF_INET6)
    {
      errno = EOPNOTSUPP;
      RAISE_FMT ("%s: not a TCP socket", op);
    }
}

void
Socket_setnonblocking (Socket_T socket)
{
  fd_of (socket, "Socket_setnonblocking");
  SocketCommon_set_nonblock (socket->base, true, Socket_Failed);
}

void
Socket_setreuseaddr (Socket_T socket)
{
  set_int (socket, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
}

void
Socket_setreuseport (Socket_T socket)
{
#ifdef SO_REUSEPORT
  set_int (socket, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
#else
  fd_of (socket, "Socket_setreuseport");
  errno = ENOPROTOOPT;
  RAISE_FMT ("SO_REUSEPORT is not supported on this platform");
#endif
}

void
Socket_settimeout (Socket_T socket, int timeout_sec)
{
  fd_of (socket, "Socket_settimeout");
  SocketCommon__set_timeout_sec (socket->base, timeout_sec, Socket_Failed);
}

int
Socket_gettimeout (Socket_T socket)
{
  fd_of (socket, "Socket_gettimeout");
  return SocketCommon__get_timeout_sec (socket->base, Socket_Failed);
}

void
Socket_setkeepalive (Socket_T socket, int idle, int interval, int count)
{
  require_tcp (socket, "Socket_setkeepalive");
  if (idle <= 0 || interval <= 0 || count <= 0)
    RAISE_MSG ("Socket_setkeepalive: idle (%d), interval (%d) and count (%d) "
               "must be positive",
               idle, interval, count);
  set_int (socket, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
  set_int (socket, IPPROTO_TCP, TCP_KEEPIDLE, idle, "TCP_KEEPIDLE");
  set_int (socket, IPPROTO_TCP, TCP_KEEPINTVL, interval, "TCP_KEEPINTVL");
  set_int (socket, IPPROTO_TCP, TCP_KEEPCNT, count, "TCP_KEEPCNT");
}

void
Socket_getkeepalive (Socket_T socket, int *idle, int *interval, int *count)
{
  require_tcp (socket, "Socket_getkeepalive");
  if (idle == NULL || interval == NULL || count == NULL)
    RAISE_MSG ("Socket_getkeepalive: NULL output pointer");
  /* Keepalive off: all three read 0, as in the original. */
  if (get_int (socket, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE") == 0)
    {
      *idle = *interval = *count = 0;
      return;
    }
  *idle = get_int (socket, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE");
  *interval = get_int (socket, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL");
  *count = get_int (socket, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT");
}

void
Socket_setnodelay (Socket_T socket, int nodelay)
{
  require_tcp (socket, "Socket_setnodelay");
  /* Passed as given (not normalised), as in the original. */
  set_int (socket, IPPROTO_TCP, TCP_NODELAY, nodelay, "TCP_NODELAY");
}

int
Socket_getnodelay (Socket_T socket)
{
  require_tcp (socket, "Socket_getnodelay");
  return get_int (socket, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
}

int
Socket_getrcvbuf (Socket_T socket)
{
  return get_int (socket, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
}

int
Socket_getsndbuf (Socket_T socket)
{
  return get_int (socket, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
}

void
Socket_setrcvbuf (Socket_T socket, int size)
{
  if (size <= 0)
    RAISE_MSG ("Socket_setrcvbuf: size must be positive (got %d)", size);
  set_int (socket, SOL_SOCKET, SO_RCVBUF, size, "SO_RCVBUF");
}

void
Socket_setsndbuf (Socket_T socket, int size)
{
  if (size <= 0)
    RAISE_MSG ("Socket_setsndbuf: size must be positive (got %d)", size);
  set_int (socket, SOL_SOCKET, SO_SNDBUF, size, "SO_SNDBUF");
}

void
Socket_setcongestion (Socket_T socket, const char *algorithm)
{
  require_tcp (socket, "Socket_setcongestion");
  if (algorithm == NULL || algorithm[0] == '\0')
    RAISE_MSG ("Socket_setcongestion: empty algorithm name");
#ifdef TCP_CONGESTION
  /* Passed with its terminating NUL, as in the original. */
  if (setsockopt (socket->base->fd, IPPROTO_TCP, TCP_CONGESTION, algorithm,
                  (socklen_t)strlen (algorithm) + 1)
      < 0)
    RAISE_FMT ("setsockopt(TCP_CONGESTION=\"%.32s\") failed", algorithm);
#else
  errno = ENOPROTOOPT;
  RAISE_FMT ("TCP_CONGESTION is not supported on this platform");
#endif
}

/* Never raises (original): -1 on any failure or if unsupported. */
int
Socket_getcongestion (Socket_T socket, char *algorithm, size_t len)
{
  fd_of (socket, "Socket_getcongestion");
  if (algorithm == NULL || len == 0)
    RAISE_MSG ("Socket_getcongestion: NULL or empty output buffer");
#ifdef TCP_CONGESTION
  {
    char name[64] = { 0 };
    socklen_t n = sizeof name - 1;
    size_t copy;

    if (getsockopt (socket->base->fd, IPPROTO_TCP, TCP_CONGESTION, name, &n)
        < 0)
      return -1;
    name[n < sizeof name ? n : sizeof name - 1] = '\0';
    copy = strnlen (name, sizeof name);
    if (copy >= len)
      copy = len - 1;
    memcpy (algorithm, name, copy);
    algorithm[copy] = '\0';
    return 0;
  }
#else
  algorithm[0] = '\0';
  return -1;
#endif
}

void
Socket_setfastopen (Socket_T socket, int enable)
{
  require_tcp (socket, "Socket_setfastopen");
#ifdef TCP_FASTOPEN
  /* Normalised to 0/1, as in the original. */
  set_int (socket, IPPROTO_TCP, TCP_FASTOPEN, enable ? 1 : 0, "TCP_FASTOPEN");
#else
  errno = ENOPROTOOPT;
  RAISE_FMT ("TCP_FASTOPEN is not supported on this platform");
#endif
}

/* Raw TCP_FASTOPEN value; -1 on error or if unsupported; never raises. */
int
Socket_getfastopen (Socket_T socket)
{
#ifdef TCP_FASTOPEN
  int v;

  return try_get_int (socket, IPPROTO_TCP, TCP_FASTOPEN, &v) < 0 ? -1 : v;
#else
  (void)socket;
  return -1;
#endif
}

void
Socket_setusertimeout (Socket_T socket, unsigned int timeout_ms)
{
  require_tcp (socket, "Socket_setusertimeout");
  if (timeout_ms > (unsigned)INT32_MAX)
    RAISE_MSG ("Socket_setusertimeout: %u ms is too large", timeout_ms);
#ifdef TCP_USER_TIMEOUT
  set_int (socket, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)timeout_ms,
           "TCP_USER_TIMEOUT");
#else
  errno = ENOPROTOOPT;
  RAISE_FMT ("TCP_USER_TIMEOUT is not supported on this platform");
#endif
}

unsigned int
Socket_getusertimeout (Socket_T socket)
{
#ifdef TCP_USER_TIMEOUT
  int v;

  /* 0 on error or if unsupported; never raises (original). */
  return try_get_int (socket, IPPROTO_TCP, TCP_USER_TIMEOUT, &v) < 0
             ? 0
             : (unsigned)v;
#else
  (void)socket;
  return 0;
#endif
}

void
Socket_setcloexec (Socket_T socket, int enable)
{
  SocketCommon_set_cloexec_fd (fd_of (socket, "Socket_setcloexec"),
                               enable != 0, Socket_Failed);
}

void
Socket_setdeferaccept (Socket_T socket, int timeout_sec)
{
  require_tcp (socket, "Socket_setdeferaccept");
  if (timeout_sec < 0)
    RAISE_MSG ("Socket_setdeferaccept: negative timeout %d", timeout_sec);
#ifdef TCP_DEFER_ACCEPT
  set_int (socket, IPPROTO_TCP, TCP_DEFER_ACCEPT, timeout_sec,
           "TCP_DEFER_ACCEPT");
#else
  errno = ENOPROTOOPT;
  RAISE_FMT ("TCP_DEFER_ACCEPT is not supported on this platform");
#endif
}

int
Socket_getdeferaccept (Socket_T socket)
{
  require_tcp (socket, "Socket_getdeferaccept");
#ifdef TCP_DEFER_ACCEPT
  return get_int (socket, IPPROTO_TCP, TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT");
#else
  return 0;
#endif
}
