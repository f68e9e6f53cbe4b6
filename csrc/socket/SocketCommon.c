/*
 * SocketCommon.c - socket base objects, option helpers, multicast and TTL,
 * process-wide default timeouts.
 *
 * Address handling lives in SocketCommon-addr.c, iovec arithmetic in
 * SocketCommon-iov.c, the shared resolver in SocketCommon-dns.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketCommon.h"

const Except_T SocketCommon_Failed
    = { &SocketCommon_Failed, "SocketCommon operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketCommon);

SocketTimeouts_T socket_default_timeouts
    = { SOCKET_DEFAULT_CONNECT_TIMEOUT_MS, SOCKET_DEFAULT_DNS_TIMEOUT_MS,
        SOCKET_DEFAULT_OPERATION_TIMEOUT_MS };
pthread_mutex_t socket_default_timeouts_mutex = PTHREAD_MUTEX_INITIALIZER;

#define RAISE_FMT(exc, fmt, ...)                                              \
  SOCKET_RAISE_FMT (SocketCommon, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)
#define RAISE_MSG(exc, fmt, ...)                                              \
  SOCKET_RAISE_MSG (SocketCommon, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Base objects                                                       */
/* ------------------------------------------------------------------ */

/* Arena + zeroed base for @p fd; closes nothing on failure. */
static SocketBase_T
base_alloc (int fd, int domain, int type, int protocol, Except_T exc)
{
  Arena_T volatile arena = NULL;
  SocketBase_T volatile base = NULL;

  TRY
  {
    arena = Arena_new ();
    base = CALLOC (arena, 1, sizeof *base);
  }
  EXCEPT (Arena_Failed)
  {
    Arena_T a = arena;
    Arena_dispose (&a);
    errno = ENOMEM;
    RAISE_FMT (exc, "socket object allocation failed");
  }
  END_TRY;
  base->fd = fd;
  base->domain = domain;
  base->type = type;
  base->protocol = protocol;
  base->arena = arena;
  base->localport = 0;
  base->remoteport = 0;
  SocketCommon_timeouts_getdefaults (&base->timeouts);
  return base;
}

SocketBase_T
SocketCommon__new_base (int domain, int type, int protocol, Except_T exc)
{
  int fd = socket (domain, type | SOCK_CLOEXEC, protocol);
  SocketBase_T volatile base = NULL;

  if (fd < 0)
    RAISE_FMT (exc, "socket(domain=%d, type=%d, protocol=%d) failed", domain,
               type, protocol);
  TRY base = base_alloc (fd, domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC),
                         protocol, exc);
  ELSE
  {
    close (fd);
    RERAISE;
  }
  END_TRY;
  return base;
}

SocketBase_T
SocketCommon__base_from_fd (int fd, Except_T exc)
{
  int type = 0, domain = AF_UNSPEC, protocol = 0;
  socklen_t len = sizeof type;

  if (fd < 0)
    {
      errno = EBADF;
      RAISE_FMT (exc, "invalid descriptor %d", fd);
    }
  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
    RAISE_FMT (exc, "descriptor %d is not a usable socket", fd);
  len = sizeof domain;
  if (getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
    RAISE_FMT (exc, "getsockopt(SO_DOMAIN) on descriptor %d failed", fd);
  len = sizeof protocol;
  if (getsockopt (fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0)
    protocol = 0;
  return base_alloc (fd, domain, type, protocol, exc);
}

SocketBase_T
SocketCommon_new_base (int domain, int type, int protocol)
{
  /* Socket_Failed whatever the caller, as in the original. */
  return SocketCommon__new_base (domain, type, protocol, Socket_Failed);
}

void
SocketCommon_free_base (SocketBase_T *base_ptr)
{
  Arena_T arena;

  if (base_ptr == NULL || *base_ptr == NULL)
    return;
  if ((*base_ptr)->fd >= 0)
    close ((*base_ptr)->fd);
  arena = (*base_ptr)->arena; /* the base lives inside its arena */
  *base_ptr = NULL;
  Arena_dispose (&arena);
}

int
SocketCommon_get_socket_family (SocketBase_T base)
{
  int domain = AF_UNSPEC;
  socklen_t len = sizeof domain;

  /* Never raises: AF_UNSPEC when the kernel cannot say (original). */
  if (base == NULL)
    return AF_UNSPEC;
  if (getsockopt (base->fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0)
    return domain;
  return AF_UNSPEC;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

static void
check_base (SocketBase_T base, const char *op, Except_T exc)
{
  if (base == NULL || base->fd < 0)
    RAISE_MSG (exc, "%s: NULL or closed socket", op);
}

void
SocketCommon_set_option_int (SocketBase_T base, int level, int optname,
                             int value, Except_T exc_type)
{
  check_base (base, "setsockopt", exc_type);
  if (setsockopt (base->fd, level, optname, &value, sizeof value) < 0)
    RAISE_FMT (exc_type, "setsockopt(level=%d, option=%d, value=%d) failed",
               level, optname, value);
}

int
SocketCommon_getoption_int (int fd, int level, int optname, int *value,
                            Except_T exception_type)
{
  socklen_t len = sizeof *value;

  if (value == NULL)
    RAISE_MSG (exception_type, "getsockopt: NULL value pointer");
  if (getsockopt (fd, level, optname, value, &len) < 0)
    RAISE_FMT (exception_type, "getsockopt(level=%d, option=%d) failed",
               level, optname);
  return 0;
}

int
SocketCommon_getoption_timeval (int fd, int level, int optname,
                                struct timeval *tv, Except_T exception_type)
{
  socklen_t len = sizeof *tv;

  if (tv == NULL)
    RAISE_MSG (exception_type, "getsockopt: NULL timeval pointer");
  if (getsockopt (fd, level, optname, tv, &len) < 0)
    RAISE_FMT (exception_type, "getsockopt(level=%d, option=%d) failed",
               level, optname);
  return 0;
}

void
SocketCommon__set_timeout_sec (SocketBase_T base, int seconds, Except_T exc)
{
  struct timeval tv = { seconds, 0 };

  check_base (base, "settimeout", exc);
  if (seconds < 0)
    RAISE_MSG (exc, "settimeout: negative timeout %d", seconds);
  if (setsockopt (base->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0
      || setsockopt (base->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
    RAISE_FMT (exc, "setsockopt(SO_RCVTIMEO/SO_SNDTIMEO, %d s) failed",
               seconds);
}

int
SocketCommon__get_timeout_sec (SocketBase_T base, Except_T exc)
{
  struct timeval tv;

  check_base (base, "gettimeout", exc);
  SocketCommon_getoption_timeval (base->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                  exc);
  return (int)tv.tv_sec; /* whole seconds, microseconds dropped */
}

void
SocketCommon_set_nonblock (SocketBase_T base, bool enable, Except_T exc_type)
{
  int flags;

  check_base (base, "set_nonblock", exc_type);
  flags = fcntl (base->fd, F_GETFL);
  if (flags < 0)
    RAISE_FMT (exc_type, "fcntl(F_GETFL) failed");
  flags = enable ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (fcntl (base->fd, F_SETFL, flags) < 0)
    RAISE_FMT (exc_type, "fcntl(F_SETFL, O_NONBLOCK=%d) failed", (int)enable);
}

int
SocketCommon__is_nonblocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

int
SocketCommon_setcloexec (int fd, int enable)
{
  int flags = fcntl (fd, F_GETFD);

  if (flags < 0)
    return -1;
  flags = enable ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  return fcntl (fd, F_SETFD, flags) < 0 ? -1 : 0;
}

int
SocketCommon_has_cloexec (int fd)
{
  int flags = fcntl (fd, F_GETFD);

  if (flags < 0)
    return -1;
  return (flags & FD_CLOEXEC) != 0;
}

void
SocketCommon_set_cloexec_fd (int fd, bool enable, Except_T exc_type)
{
  if (SocketCommon_setcloexec (fd, enable) < 0)
    RAISE_FMT (exc_type, "fcntl(FD_CLOEXEC=%d) on descriptor %d failed",
               (int)enable, fd);
}

int
SocketCommon__wait_fd (int fd, short events, int timeout_ms)
{
  int64_t deadline
      = timeout_ms >= 0 ? Socket_get_monotonic_ms () + timeout_ms : 0;
  struct pollfd pfd = { fd, events, 0 };

  for (;;)
    {
      int wait = timeout_ms;
      int n;

      if (timeout_ms >= 0)
        {
          int64_t left = deadline - Socket_get_monotonic_ms ();
          wait = left > 0 ? (int)left : 0;
        }
      n = poll (&pfd, 1, wait);
      if (n > 0)
        return pfd.revents;
      if (n == 0)
        return 0;
      if (errno != EINTR)
        return -1;
    }
}

/* ------------------------------------------------------------------ */
/* TTL and multicast                                                  */
/* ------------------------------------------------------------------ */

void
SocketCommon_set_ttl (SocketBase_T base, int family, int ttl,
                      Except_T exc_type)
{
  int level, unicast;

  check_base (base, "set_ttl", exc_type);
  /* As in the original: no range check here (the kernel's), unicast only. */
  if (family == AF_INET)
    level = IPPROTO_IP, unicast = IP_TTL;
  else if (family == AF_INET6)
    level = IPPROTO_IPV6, unicast = IPV6_UNICAST_HOPS;
  else
    RAISE_MSG (exc_type, "set_ttl: unsupported address family %d", family);
  if (setsockopt (base->fd, level, unicast, &ttl, sizeof ttl) < 0)
    RAISE_FMT (exc_type, "set TTL/hop limit %d failed", ttl);
}

/* Interface index for a name ("lo") or a decimal index ("1"); 0 for NULL. */
static unsigned
interface_index (const char *interface, Except_T exc)
{
  char *end;
  unsigned long v;
  unsigned idx;

  if (interface == NULL || interface[0] == '\0')
    return 0;
  idx = if_nametoindex (interface);
  if (idx != 0)
    return idx;
  errno = 0;
  v = strtoul (interface, &end, 10);
  if (*end == '\0' && errno == 0 && v > 0 && v <= UINT32_MAX)
    return (unsigned)v;
  errno = ENODEV;
  RAISE_FMT (exc, "unknown network interface '%s'", interface);
}

static void
multicast_v4 (SocketBase_T base, const struct in_addr *group,
              const char *interface, int optname, Except_T exc)
{
  struct ip_mreqn mreq;

  memset (&mreq, 0, sizeof mreq);
  mreq.imr_multiaddr = *group;
  mreq.imr_address.s_addr = htonl (INADDR_ANY);
  /* An interface may be given by its IPv4 address or by name. */
  if (interface != NULL && interface[0] != '\0'
      && inet_pton (AF_INET, interface, &mreq.imr_address) != 1)
    mreq.imr_ifindex = (int)interface_index (interface, exc);
  if (setsockopt (base->fd, IPPROTO_IP, optname, &mreq, sizeof mreq) < 0)
    RAISE_FMT (exc, "%s multicast group on interface %s failed",
               optname == IP_ADD_MEMBERSHIP ? "join" : "leave",
               interface ? interface : "(default)");
}

static void
multicast_v6 (SocketBase_T base, const struct in6_addr *group,
              const char *interface, int optname, Except_T exc)
{
  struct ipv6_mreq mreq;

  memset (&mreq, 0, sizeof mreq);
  mreq.ipv6mr_multiaddr = *group;
  mreq.ipv6mr_interface = interface_index (interface, exc);
  if (setsockopt (base->fd, IPPROTO_IPV6, optname, &mreq, sizeof mreq) < 0)
    RAISE_FMT (exc, "%s IPv6 multicast group on interface %s failed",
               optname == IPV6_ADD_MEMBERSHIP ? "join" : "leave",
               interface ? interface : "(default)");
}

static void
multicast_change (SocketBase_T base, const char *group, const char *interface,
                  int join, Except_T exc)
{
  struct in_addr a4;
  struct in6_addr a6;

  check_base (base, join ? "join_multicast" : "leave_multicast", exc);
  if (group == NULL)
    RAISE_MSG (exc, "multicast: NULL group address");
  if (inet_pton (AF_INET, group, &a4) == 1)
    {
      if (!IN_MULTICAST (ntohl (a4.s_addr)))
        RAISE_MSG (exc, "%s is not an IPv4 multicast address", group);
      multicast_v4 (base, &a4, interface,
                    join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, exc);
    }
  else if (inet_pton (AF_INET6, group, &a6) == 1)
    {
      if (!IN6_IS_ADDR_MULTICAST (&a6))
        RAISE_MSG (exc, "%s is not an IPv6 multicast address", group);
      multicast_v6 (base, &a6, interface,
                    join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, exc);
    }
  else
    RAISE_MSG (exc, "invalid multicast group address '%s'", group);
}

void
SocketCommon_join_multicast (SocketBase_T base, const char *group,
                             const char *interface, Except_T exc_type)
{
  multicast_change (base, group, interface, 1, exc_type);
}

void
SocketCommon_leave_multicast (SocketBase_T base, const char *group,
                              const char *interface, Except_T exc_type)
{
  multicast_change (base, group, interface, 0, exc_type);
}

/* ------------------------------------------------------------------ */
/* Default timeouts                                                   */
/* ------------------------------------------------------------------ */

void
SocketCommon_timeouts_getdefaults (SocketTimeouts_T *timeouts)
{
  if (timeouts == NULL)
    RAISE_MSG (SocketCommon_Failed, "timeouts_getdefaults: NULL argument");
  pthread_mutex_lock (&socket_default_timeouts_mutex);
  *timeouts = socket_default_timeouts;
  pthread_mutex_unlock (&socket_default_timeouts_mutex);
}

void
SocketCommon__clamp_timeouts (SocketTimeouts_T *t)
{
  if (t->connect_timeout_ms < 0)
    t->connect_timeout_ms = 0;
  if (t->dns_timeout_ms < 0)
    t->dns_timeout_ms = 0;
  if (t->operation_timeout_ms < 0)
    t->operation_timeout_ms = 0;
}

void
SocketCommon_timeouts_setdefaults (const SocketTimeouts_T *timeouts)
{
  SocketTimeouts_T t;

  if (timeouts == NULL)
    RAISE_MSG (SocketCommon_Failed, "timeouts_setdefaults: NULL argument");
  t = *timeouts;
  SocketCommon__clamp_timeouts (&t); /* negatives become 0 (original) */
  pthread_mutex_lock (&socket_default_timeouts_mutex);
  socket_default_timeouts = t;
  pthread_mutex_unlock (&socket_default_timeouts_mutex);
}
