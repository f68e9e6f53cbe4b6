/*
 * Socket.c - stream socket lifecycle, bind/listen/accept/connect, state
 * queries and per-socket timeouts.
 *
 * I/O is in Socket-io.c, options in Socket-options.c, Unix-domain
 * specifics and descriptor passing in Socket-unix.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

const Except_T Socket_Failed = { &Socket_Failed, "Socket operation failed" };
const Except_T Socket_Closed = { &Socket_Closed, "Socket closed" };
SOCKET_DECLARE_MODULE_EXCEPTION (Socket);

static struct SocketLiveCount socket_live = SOCKETLIVECOUNT_STATIC_INIT;

#define RAISE_FMT(fmt, ...)                                                   \
  SOCKET_RAISE_FMT (Socket, Socket_Failed, fmt, ##__VA_ARGS__)
#define RAISE_MSG(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (Socket, Socket_Failed, fmt, ##__VA_ARGS__)

static void
check_socket (Socket_T s, const char *op)
{
  if (s == NULL || s->base == NULL || s->base->fd < 0)
    RAISE_MSG ("%s: NULL or closed socket", op);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

/*
 * Wrap @p base in a Socket_T allocated from the base's own arena. On
 * failure the base is freed; with @p keep_fd its descriptor stays open
 * (the caller still owns it), otherwise it is closed.
 */
static Socket_T
socket_wrap (SocketBase_T base, int keep_fd)
{
  Socket_T volatile s = NULL;

  TRY s = CALLOC (base->arena, 1, sizeof *s);
  EXCEPT (Arena_Failed)
  {
    SocketBase_T b = base;
    if (keep_fd)
      b->fd = -1;
    SocketCommon_free_base (&b);
    errno = ENOMEM;
    RAISE_FMT ("socket object allocation failed");
  }
  END_TRY;
  s->base = base;
  SocketLiveCount_increment (&socket_live);
  return s;
}

/* domain/type/protocol go to socket(2) unchecked, as in the original. */
Socket_T
Socket_new (int domain, int type, int protocol)
{
  return socket_wrap (SocketCommon__new_base (domain, type & ~SOCK_CLOEXEC,
                                              protocol, Socket_Failed),
                      0);
}

/* Fill state flags and cached endpoints of a wrapped, existing descriptor. */
static void
adopt_state (Socket_T s)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int accepting = 0;
  socklen_t alen = sizeof accepting;

  if (getsockname (s->base->fd, (struct sockaddr *)&ss, &len) == 0
      && SocketCommon_check_bound_by_family (&ss))
    {
      s->bound = 1;
      SocketCommon_cache_endpoint (s->base->arena, (struct sockaddr *)&ss,
                                   len, &s->base->localaddr,
                                   &s->base->localport);
    }
  if (getsockopt (s->base->fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &alen)
          == 0
      && accepting)
    s->listening = 1;
  if (!s->listening && SocketCommon__update_peer_endpoint (s->base) == 0)
    s->connected = 1;
}

/*
 * Any socket type is accepted (SO_TYPE check). As in the original the
 * descriptor is forced non-blocking (if that fails it is closed) and its
 * close-on-exec flag is left as the caller set it.
 */
Socket_T
Socket_new_from_fd (int fd)
{
  SocketBase_T base = SocketCommon__base_from_fd (fd, Socket_Failed);
  Socket_T s = socket_wrap (base, 1);

  TRY SocketCommon_set_nonblock (base, true, Socket_Failed);
  ELSE
  {
    Socket_T tmp = s;
    Socket_free (&tmp); /* closes fd */
    RERAISE;
  }
  END_TRY;
  adopt_state (s);
  return s;
}

/* Wrap one end of a fresh socketpair: blocking, CLOEXEC, connected. */
static Socket_T
pair_end (int fd)
{
  Socket_T s = socket_wrap (SocketCommon__base_from_fd (fd, Socket_Failed),
                            1);
  s->connected = 1;
  return s;
}

void
SocketPair_new (int type, Socket_T *socket1, Socket_T *socket2)
{
  int sv[2];
  volatile int fd0, fd1;
  Socket_T volatile a = NULL;

  if (socket1 == NULL || socket2 == NULL)
    RAISE_MSG ("SocketPair_new: NULL output pointer");
  /* Exactly SOCK_STREAM or SOCK_DGRAM (no flag bits), as in the original. */
  if (type != SOCK_STREAM && type != SOCK_DGRAM)
    RAISE_MSG ("SocketPair_new: type must be SOCK_STREAM or SOCK_DGRAM "
               "(got %d)",
               type);
  if (socketpair (AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
    RAISE_FMT ("socketpair(AF_UNIX) failed");
  fd0 = sv[0];
  fd1 = sv[1];
  TRY
  {
    a = pair_end (fd0);
    fd0 = -1; /* owned by a now */
    *socket2 = pair_end (fd1);
  }
  EXCEPT (Socket_Failed)
  {
    Socket_T tmp = a;
    Socket_free (&tmp);
    if (fd0 >= 0)
      close (fd0);
    close (fd1);
    RERAISE;
  }
  END_TRY;
  *socket1 = a;
}

void
Socket_free (Socket_T *socket)
{
  Socket_T s;
  SocketBase_T base;

  if (socket == NULL || *socket == NULL)
    return;
  s = *socket;
  *socket = NULL;
  if (s->tls_release != NULL)
    s->tls_release (s->tls);
  SocketRateLimit_free (&s->limiter);
  base = s->base; /* s itself lives in the base's arena */
  SocketCommon_free_base (&base);
  SocketLiveCount_decrement (&socket_live);
}

int
Socket_debug_live_count (void)
{
  return SocketLiveCount_get (&socket_live);
}

/* ------------------------------------------------------------------ */
/* Bind, listen, accept                                               */
/* ------------------------------------------------------------------ */

/* Bind to the first usable entry of @p res, which is freed. 0 or -1. */
static int
bind_and_free (Socket_T socket, struct addrinfo *res)
{
  int rc = SocketCommon__bind_resolved (socket->base, res,
                                        socket->base->domain);
  int err = errno;

  freeaddrinfo (res);
  errno = err;
  return rc;
}

void
Socket_bind (Socket_T socket, const char *host, int port)
{
  struct addrinfo *res;

  check_socket (socket, "Socket_bind");
  if (socket->base->domain == AF_UNIX)
    RAISE_MSG ("Socket_bind: AF_UNIX socket, use Socket_bind_unix");
  SocketCommon_validate_port (port, Socket_Failed);
  host = SocketCommon_normalize_wildcard_host (host);
  /* As in the original, SO_REUSEADDR is always set before binding (set
   * before resolving, so a failure has no address list to free). */
  SocketCommon_set_option_int (socket->base, SOL_SOCKET, SO_REUSEADDR, 1,
                               Socket_Failed);
  res = SocketCommon__resolve (host, port, socket->base->domain, SOCK_STREAM,
                               1, socket->base->timeouts.dns_timeout_ms,
                               Socket_Failed);
  if (bind_and_free (socket, res) != 0)
    {
      SocketCommon_format_bind_error (host, port);
      SOCKET_RAISE_MODULE_ERROR (Socket, Socket_Failed);
    }
  socket->bound = 1;
  SocketCommon_update_local_endpoint (socket->base);
}

void
Socket_bind_with_addrinfo (Socket_T socket, struct addrinfo *res)
{
  check_socket (socket, "Socket_bind_with_addrinfo");
  if (res == NULL)
    RAISE_MSG ("Socket_bind_with_addrinfo: NULL address list");
  SocketCommon_set_option_int (socket->base, SOL_SOCKET, SO_REUSEADDR, 1,
                               Socket_Failed);
  if (SocketCommon__bind_resolved (socket->base, res, socket->base->domain)
      != 0)
    RAISE_FMT ("bind to resolved address failed");
  socket->bound = 1;
  SocketCommon_update_local_endpoint (socket->base);
}

void
Socket_listen (Socket_T socket, int backlog)
{
  check_socket (socket, "Socket_listen");
  if (backlog <= 0)
    RAISE_MSG ("Socket_listen: backlog must be > 0 (got %d)", backlog);
  if (backlog > SOCKET_MAX_LISTEN_BACKLOG)
    backlog = SOCKET_MAX_LISTEN_BACKLOG;
  if (listen (socket->base->fd, backlog) < 0)
    {
      char label[SOCKET_NI_MAXHOST + 16];
      RAISE_FMT ("listen on %s failed",
                 SocketCommon__endpoint_label (socket->base->localaddr,
                                               socket->base->localport, label,
                                               sizeof label));
    }
  socket->listening = 1;
  /* listen() on an unbound socket picks an ephemeral port. */
  socket->bound = 1;
  SocketCommon_update_local_endpoint (socket->base);
}

static int
accept_fd (Socket_T socket)
{
  for (;;)
    {
      int fd = accept4 (socket->base->fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd >= 0)
        return fd;
      switch (errno)
        {
        case EINTR: continue;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return -1;
        /* The client gave up before we got to it: not our failure. */
        case ECONNABORTED:
        case EPROTO:
          if (SocketCommon__is_nonblocking (socket->base->fd))
            return -1;
          continue;
        default:
          {
            char label[SOCKET_NI_MAXHOST + 16];
            RAISE_FMT ("accept on %s failed",
                       SocketCommon__endpoint_label (socket->base->localaddr,
                                                     socket->base->localport,
                                                     label, sizeof label));
          }
        }
    }
}

Socket_T
Socket_accept (Socket_T socket)
{
  Socket_T client;
  SocketBase_T volatile base = NULL;
  int fd;

  check_socket (socket, "Socket_accept");
  fd = accept_fd (socket);
  if (fd < 0)
    return NULL;
  TRY base = SocketCommon__base_from_fd (fd, Socket_Failed);
  ELSE
  {
    close (fd);
    RERAISE;
  }
  END_TRY;
  client = socket_wrap (base, 0);
  client->connected = 1;
  client->bound = 1;
  SocketCommon__update_peer_endpoint (base);
  SocketCommon_update_local_endpoint (base);
  SocketEvent_emit_accept (fd, base->remoteaddr, base->remoteport,
                           base->localaddr, base->localport);
  return client;
}

/* ------------------------------------------------------------------ */
/* Connect                                                            */
/* ------------------------------------------------------------------ */

/* Wait for an in-progress connect. @return 0 or an errno value. */
static int
connect_finish (int fd, int timeout_ms)
{
  int err = 0;
  socklen_t len = sizeof err;
  int ev = SocketCommon__wait_fd (fd, POLLOUT, timeout_ms > 0 ? timeout_ms
                                                              : -1);
  if (ev < 0)
    return errno;
  if (ev == 0)
    return ETIMEDOUT;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    return errno;
  return err;
}

/*
 * connect() to one address. As in the original: with a connect timeout
 * (> 0) the socket, blocking or not, is made non-blocking for the attempt,
 * waited on with poll() and restored; without one a plain connect() is made
 * and an in-progress connect (EINPROGRESS) counts as success.
 * @return 0 connected, EINPROGRESS (no timeout), or an errno value.
 */
static int
connect_one (Socket_T s, const struct sockaddr *sa, socklen_t len,
             int timeout_ms)
{
  int fd = s->base->fd;
  int flags;
  int err = 0;

  if (timeout_ms <= 0)
    {
      if (connect (fd, sa, len) == 0)
        return 0;
      return errno == EINTR ? EINPROGRESS : errno;
    }
  flags = fcntl (fd, F_GETFL);
  if (flags < 0)
    return errno;
  if (!(flags & O_NONBLOCK) && fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return errno;
  if (connect (fd, sa, len) < 0)
    {
      err = errno;
      if (err == EINPROGRESS || err == EINTR)
        err = connect_finish (fd, timeout_ms);
    }
  if (!(flags & O_NONBLOCK) && fcntl (fd, F_SETFL, flags) < 0 && err == 0)
    err = errno;
  return err;
}

static void
connect_succeeded (Socket_T s)
{
  SocketBase_T b = s->base;

  s->connected = 1;
  s->bound = 1;
  SocketCommon__update_peer_endpoint (b);
  SocketCommon_update_local_endpoint (b);
  SocketMetrics_increment (SOCKET_METRIC_SOCKET_CONNECT_SUCCESS, 1);
  SocketEvent_emit_connect (b->fd, b->remoteaddr, b->remoteport, b->localaddr,
                            b->localport);
}

/*
 * Try each usable address of @p res (native family first) until one
 * connects. @return 0 connected, EINPROGRESS, or the last errno value.
 */
static int
connect_list (Socket_T s, const struct addrinfo *res)
{
  int family = s->base->domain;
  int timeout = s->base->timeouts.connect_timeout_ms;
  int64_t deadline = Socket_get_monotonic_ms () + timeout;
  int err = EADDRNOTAVAIL;

  for (int pass = 0; pass < 2; pass++)
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
      {
        struct sockaddr_storage ss;
        socklen_t len;

        if ((ai->ai_family == family) != (pass == 0))
          continue;
        len = SocketCommon__sockaddr_for_family (ai, family, &ss);
        if (len == 0)
          continue;
        if (timeout > 0)
          {
            int64_t left = deadline - Socket_get_monotonic_ms ();
            if (left <= 0)
              return ETIMEDOUT;
            err = connect_one (s, (struct sockaddr *)&ss, len, (int)left);
          }
        else
          err = connect_one (s, (struct sockaddr *)&ss, len, 0);
        /* A timeout or an in-progress attempt leaves the socket busy. */
        if (err == 0 || err == EINPROGRESS || err == ETIMEDOUT
            || err == EALREADY)
          return err;
      }
  return err;
}

static void
connect_raise (int err, const char *host, int port)
{
  SocketMetrics_increment (SOCKET_METRIC_SOCKET_CONNECT_FAILURE, 1);
  errno = err;
  if (host != NULL)
    RAISE_FMT ("connect to %.*s:%d failed", SOCKET_ERROR_MAX_HOSTNAME, host,
               port);
  RAISE_FMT ("connect to resolved address failed");
}

static void
connect_resolved (Socket_T s, const struct addrinfo *res, const char *host,
                  int port)
{
  int err = connect_list (s, res);

  if (err == 0)
    connect_succeeded (s);
  else if (err != EINPROGRESS)
    connect_raise (err, host, port);
}

void
Socket_connect (Socket_T socket, const char *host, int port)
{
  struct addrinfo *volatile res = NULL;

  check_socket (socket, "Socket_connect");
  if (socket->base->domain == AF_UNIX)
    RAISE_MSG ("Socket_connect: AF_UNIX socket, use Socket_connect_unix");
  if (host == NULL || host[0] == '\0')
    RAISE_MSG ("Socket_connect: host must not be NULL or empty");
  if (port <= 0 || port > SOCKET_MAX_PORT)
    RAISE_MSG ("Socket_connect: invalid port %d (valid: "
               SOCKET_PORT_VALID_RANGE ")",
               port);
  res = SocketCommon__resolve (host, port, socket->base->domain, SOCK_STREAM,
                               0, socket->base->timeouts.dns_timeout_ms,
                               Socket_Failed);
  TRY connect_resolved (socket, res, host, port);
  FINALLY freeaddrinfo (res);
  END_TRY;
}

void
Socket_connect_with_addrinfo (Socket_T socket, struct addrinfo *res)
{
  check_socket (socket, "Socket_connect_with_addrinfo");
  if (res == NULL)
    RAISE_MSG ("Socket_connect_with_addrinfo: NULL address list");
  connect_resolved (socket, res, NULL, 0);
}

void
Socket_shutdown (Socket_T socket, int how)
{
  check_socket (socket, "Socket_shutdown");
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    RAISE_MSG ("Socket_shutdown: invalid mode %d (SHUT_RD, SHUT_WR or "
               "SHUT_RDWR)",
               how);
  SocketMetrics_increment (SOCKET_METRIC_SOCKET_SHUTDOWN_CALL, 1);
  if (shutdown (socket->base->fd, how) < 0)
    {
      char label[SOCKET_NI_MAXHOST + 16];
      RAISE_FMT ("shutdown of connection to %s failed",
                 SocketCommon__endpoint_label (socket->base->remoteaddr,
                                               socket->base->remoteport,
                                               label, sizeof label));
    }
}

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

int
Socket_isconnected (Socket_T socket)
{
  check_socket (socket, "Socket_isconnected");
  /* A non-blocking connect completes behind our back: ask the kernel. */
  if (!socket->connected && !socket->listening
      && SocketCommon__update_peer_endpoint (socket->base) == 0)
    {
      socket->connected = 1;
      SocketCommon_update_local_endpoint (socket->base);
    }
  return socket->connected;
}

int
Socket_isbound (Socket_T socket)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  check_socket (socket, "Socket_isbound");
  if (socket->bound)
    return 1;
  /* As in the original: a non-zero local port, or any AF_UNIX socket. */
  if (getsockname (socket->base->fd, (struct sockaddr *)&ss, &len) == 0
      && SocketCommon_check_bound_by_family (&ss))
    socket->bound = 1;
  return socket->bound;
}

int
Socket_islistening (Socket_T socket)
{
  check_socket (socket, "Socket_islistening");
  return socket->listening;
}

int
Socket_fd (const Socket_T socket)
{
  check_socket (socket, "Socket_fd");
  return socket->base->fd;
}

const char *
Socket_getpeeraddr (const Socket_T socket)
{
  check_socket (socket, "Socket_getpeeraddr");
  if (socket->base->remoteaddr == NULL)
    (void)Socket_isconnected (socket);
  return socket->base->remoteaddr ? socket->base->remoteaddr
                                  : SOCKET__UNKNOWN_ADDR;
}

int
Socket_getpeerport (const Socket_T socket)
{
  check_socket (socket, "Socket_getpeerport");
  if (socket->base->remoteaddr == NULL)
    (void)Socket_isconnected (socket);
  return socket->base->remoteport;
}

const char *
Socket_getlocaladdr (const Socket_T socket)
{
  check_socket (socket, "Socket_getlocaladdr");
  if (socket->base->localaddr == NULL)
    SocketCommon_update_local_endpoint (socket->base);
  return socket->base->localaddr ? socket->base->localaddr
                                 : SOCKET__UNKNOWN_ADDR;
}

int
Socket_getlocalport (const Socket_T socket)
{
  check_socket (socket, "Socket_getlocalport");
  if (socket->base->localaddr == NULL)
    SocketCommon_update_local_endpoint (socket->base);
  return socket->base->localport;
}

/* ------------------------------------------------------------------ */
/* Timeouts                                                           */
/* ------------------------------------------------------------------ */

void
Socket_timeouts_get (const Socket_T socket, SocketTimeouts_T *timeouts)
{
  check_socket (socket, "Socket_timeouts_get");
  if (timeouts == NULL)
    RAISE_MSG ("Socket_timeouts_get: NULL argument");
  *timeouts = socket->base->timeouts;
}

void
Socket_timeouts_set (Socket_T socket, const SocketTimeouts_T *timeouts)
{
  check_socket (socket, "Socket_timeouts_set");
  if (timeouts == NULL)
    {
      SocketCommon_timeouts_getdefaults (&socket->base->timeouts);
      return;
    }
  socket->base->timeouts = *timeouts;
  SocketCommon__clamp_timeouts (&socket->base->timeouts);
}

void
Socket_timeouts_getdefaults (SocketTimeouts_T *timeouts)
{
  if (timeouts == NULL)
    RAISE_MSG ("Socket_timeouts_getdefaults: NULL argument");
  SocketCommon_timeouts_getdefaults (timeouts);
}

void
Socket_timeouts_setdefaults (const SocketTimeouts_T *timeouts)
{
  if (timeouts == NULL)
    RAISE_MSG ("Socket_timeouts_setdefaults: NULL argument");
  SocketCommon_timeouts_setdefaults (timeouts); /* clamps negatives to 0 */
}
