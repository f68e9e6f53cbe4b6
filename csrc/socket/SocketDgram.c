/*
 * SocketDgram.c - UDP sockets: connectionless and connected I/O,
 * broadcast, multicast membership, TTL/hop limit.
 *
 * A datagram is sent whole or not at all. As in the original the "all"
 * calls return their partial total as soon as a call would block;
 * recvall/recvvall keep receiving datagrams until the buffer is full, a
 * receive would block, or an empty datagram arrives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketDgram.h"

const Except_T SocketDgram_Failed
    = { &SocketDgram_Failed, "Datagram socket operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketDgram);

#define RAISE_FMT(fmt, ...)                                                   \
  SOCKET_RAISE_FMT (SocketDgram, SocketDgram_Failed, fmt, ##__VA_ARGS__)
#define RAISE_MSG(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (SocketDgram, SocketDgram_Failed, fmt, ##__VA_ARGS__)

#define IOV_STACK_COPY 16

static struct SocketLiveCount dgram_live = SOCKETLIVECOUNT_STATIC_INIT;

typedef char label_buf[SOCKET_NI_MAXHOST + 16];

static void
check (SocketDgram_T s, const char *op)
{
  if (s == NULL || s->base == NULL || s->base->fd < 0)
    RAISE_MSG ("%s: NULL or closed socket", op);
}

static void
check_buf (SocketDgram_T s, const void *buf, size_t len, const char *op)
{
  check (s, op);
  if (buf == NULL && len > 0)
    RAISE_MSG ("%s: NULL buffer with length %zu", op, len);
}

static int
would_block (int err)
{
  return err == EAGAIN || err == EWOULDBLOCK;
}

/* 0 for would-block; otherwise raise naming the operation and peer. */
static ssize_t __attribute__ ((cold))
io_fail (SocketDgram_T s, const char *op, const char *host, int port)
{
  int err = errno;
  label_buf label;

  if (would_block (err))
    return 0;
  if (host == NULL)
    SocketCommon__endpoint_label (s->base->remoteaddr, s->base->remoteport,
                                  label, sizeof label);
  else
    SocketCommon__endpoint_label (host, port, label, sizeof label);
  errno = err;
  RAISE_FMT ("%s %s failed", op, label);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

SocketDgram_T
SocketDgram_new (int domain, int protocol)
{
  SocketBase_T base;
  SocketDgram_T volatile s = NULL;

  /* The domain goes to socket(2) unchecked, as in the original. */
  base = SocketCommon__new_base (domain, SOCK_DGRAM, protocol,
                                 SocketDgram_Failed);
  TRY s = CALLOC (base->arena, 1, sizeof *s);
  EXCEPT (Arena_Failed)
  {
    SocketCommon_free_base (&base);
    errno = ENOMEM;
    RAISE_FMT ("SocketDgram_new: allocation failed");
  }
  END_TRY;
  s->base = base;
  SocketLiveCount_increment (&dgram_live);
  return s;
}

void
SocketDgram_free (SocketDgram_T *socket)
{
  SocketBase_T base;

  if (socket == NULL || *socket == NULL)
    return;
  if ((*socket)->dtls_release != NULL)
    (*socket)->dtls_release ((*socket)->dtls);
  base = (*socket)->base; /* the object lives in the base's arena */
  *socket = NULL;
  SocketCommon_free_base (&base);
  SocketLiveCount_decrement (&dgram_live);
}

int
SocketDgram_debug_live_count (void)
{
  return SocketLiveCount_get (&dgram_live);
}

/* Bind to the first usable entry of @p res, which is freed. 0 or -1. */
static int
bind_and_free (SocketDgram_T socket, struct addrinfo *res)
{
  int v6only = 0, rc, err;

  /* Dual-stack for AF_INET6; no SO_REUSEADDR (as in the original). */
  if (socket->base->domain == AF_INET6)
    (void)setsockopt (socket->base->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
                      sizeof v6only);
  rc = SocketCommon__bind_resolved (socket->base, res, socket->base->domain);
  err = errno;
  freeaddrinfo (res);
  errno = err;
  return rc;
}

void
SocketDgram_bind (SocketDgram_T socket, const char *host, int port)
{
  struct addrinfo *res;

  check (socket, "SocketDgram_bind");
  SocketCommon_validate_port (port, SocketDgram_Failed);
  host = SocketCommon_normalize_wildcard_host (host);
  res = SocketCommon__resolve (host, port, socket->base->domain, SOCK_DGRAM, 1,
                               socket->base->timeouts.dns_timeout_ms,
                               SocketDgram_Failed);
  if (bind_and_free (socket, res) != 0)
    {
      SocketCommon_format_bind_error (host, port);
      SOCKET_RAISE_MODULE_ERROR (SocketDgram, SocketDgram_Failed);
    }
  socket->bound = 1;
  SocketCommon_update_local_endpoint (socket->base);
}

/* Resolve @p host:@p port into @p ss for this socket (first usable). */
static socklen_t
resolve_peer (SocketDgram_T s, const char *host, int port,
              struct sockaddr_storage *ss)
{
  struct addrinfo *res;
  socklen_t len = 0;

  if (host == NULL || host[0] == '\0')
    RAISE_MSG ("destination host must not be NULL or empty");
  if (port <= 0 || port > SOCKET_MAX_PORT)
    RAISE_MSG ("invalid destination port %d (valid: " SOCKET_PORT_VALID_RANGE
               ")",
               port);
  res = SocketCommon__resolve (host, port, s->base->domain, SOCK_DGRAM, 0,
                               s->base->timeouts.dns_timeout_ms,
                               SocketDgram_Failed);
  for (int pass = 0; pass < 2 && len == 0; pass++)
    for (struct addrinfo *ai = res; ai != NULL && len == 0; ai = ai->ai_next)
      if ((ai->ai_family == s->base->domain) == (pass == 0))
        len = SocketCommon__sockaddr_for_family (ai, s->base->domain, ss);
  freeaddrinfo (res);
  if (len == 0)
    {
      errno = EAFNOSUPPORT;
      RAISE_FMT ("no address of %s usable by this socket", host);
    }
  return len;
}

void
SocketDgram_connect (SocketDgram_T socket, const char *host, int port)
{
  struct sockaddr_storage ss;
  socklen_t len;

  check (socket, "SocketDgram_connect");
  len = resolve_peer (socket, host, port, &ss);
  if (connect (socket->base->fd, (struct sockaddr *)&ss, len) < 0)
    RAISE_FMT ("connect to %.*s:%d failed", SOCKET_ERROR_MAX_HOSTNAME, host,
               port);
  socket->connected = 1;
  socket->bound = 1; /* connect() binds an ephemeral port */
  SocketCommon__update_peer_endpoint (socket->base);
  SocketCommon_update_local_endpoint (socket->base);
}

/* ------------------------------------------------------------------ */
/* Connectionless I/O                                                 */
/* ------------------------------------------------------------------ */

ssize_t
SocketDgram__sendto (SocketDgram_T socket, const void *buf, size_t len,
                     const char *host, int port, size_t limit)
{
  struct sockaddr_storage ss;
  socklen_t alen;
  ssize_t n;

  check_buf (socket, buf, len, "SocketDgram_sendto");
  if (socket->layer != NULL)
    return socket->layer->sendto (socket, buf, len, host, port);
  if (len > limit)
    RAISE_MSG ("Datagram len %zu > %s %zu%s", len,
               limit == SAFE_UDP_SIZE ? "SAFE_UDP_SIZE" : "UDP_MAX_PAYLOAD",
               limit,
               limit == SAFE_UDP_SIZE ? " (risk of fragmentation)" : "");
  alen = resolve_peer (socket, host, port, &ss);
  do
    n = sendto (socket->base->fd, buf, len, MSG_NOSIGNAL,
                (struct sockaddr *)&ss, alen);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return io_fail (socket, "sendto", host, port);
  if (!socket->bound)
    {
      socket->bound = 1; /* the first send picks an ephemeral port */
      SocketCommon_update_local_endpoint (socket->base);
    }
  return n;
}

/* As in the original: more than SAFE_UDP_SIZE (1472) bytes raise. */
ssize_t
SocketDgram_sendto (SocketDgram_T socket, const void *buf, size_t len,
                    const char *host, int port)
{
  return SocketDgram__sendto (socket, buf, len, host, port, SAFE_UDP_SIZE);
}

ssize_t
SocketDgram_recvfrom (SocketDgram_T socket, void *buf, size_t len, char *host,
                      size_t host_len, int *port)
{
  struct sockaddr_storage ss;
  socklen_t alen = sizeof ss;
  char hbuf[SOCKET_NI_MAXHOST], sbuf[SOCKET_NI_MAXSERV];
  ssize_t n;

  check_buf (socket, buf, len, "SocketDgram_recvfrom");
  if (socket->layer != NULL)
    return socket->layer->recvfrom (socket, buf, len, host, host_len, port);
  do
    n = recvfrom (socket->base->fd, buf, len, 0, (struct sockaddr *)&ss,
                  &alen);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return io_fail (socket, "recvfrom", "*", 0);
  if (getnameinfo ((struct sockaddr *)&ss, alen, hbuf, sizeof hbuf, sbuf,
                   sizeof sbuf, NI_NUMERICHOST | NI_NUMERICSERV)
      != 0)
    hbuf[0] = '\0', sbuf[0] = '0', sbuf[1] = '\0';
  /* Sender info only with host, host_len > 0 and port all given; a host
   * that does not fit becomes "" with port 0 (original: no exception). */
  if (host != NULL && host_len > 0 && port != NULL)
    {
      size_t hl = strlen (hbuf);

      if (hl >= host_len || hbuf[0] == '\0')
        {
          host[0] = '\0';
          *port = 0;
        }
      else
        {
          memcpy (host, hbuf, hl + 1);
          *port = atoi (sbuf);
        }
    }
  return n;
}

/* ------------------------------------------------------------------ */
/* Connected I/O                                                      */
/* ------------------------------------------------------------------ */

static void
check_connected (SocketDgram_T s, const char *op)
{
  if (!s->connected)
    {
      errno = EDESTADDRREQ;
      RAISE_FMT ("%s: socket is not connected (use SocketDgram_connect)", op);
    }
}

static ssize_t
send_once (SocketDgram_T s, const void *buf, size_t len)
{
  ssize_t n;

  do
    n = send (s->base->fd, buf, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

static ssize_t
recv_once (SocketDgram_T s, void *buf, size_t len)
{
  ssize_t n;

  do
    n = recv (s->base->fd, buf, len, 0);
  while (n < 0 && errno == EINTR);
  return n;
}

ssize_t
SocketDgram_send (SocketDgram_T socket, const void *buf, size_t len)
{
  ssize_t n;

  check_buf (socket, buf, len, "SocketDgram_send");
  if (socket->layer != NULL)
    return socket->layer->send (socket, buf, len);
  check_connected (socket, "SocketDgram_send");
  n = send_once (socket, buf, len);
  return n >= 0 ? n : io_fail (socket, "send to", NULL, 0);
}

ssize_t
SocketDgram_recv (SocketDgram_T socket, void *buf, size_t len)
{
  ssize_t n;

  check_buf (socket, buf, len, "SocketDgram_recv");
  if (socket->layer != NULL)
    return socket->layer->recv (socket, buf, len);
  n = recv_once (socket, buf, len);
  return n >= 0 ? n : io_fail (socket, "recv from", NULL, 0);
}

ssize_t
SocketDgram_sendall (SocketDgram_T socket, const void *buf, size_t len)
{
  ssize_t n;

  check_buf (socket, buf, len, "SocketDgram_sendall");
  if (socket->layer != NULL)
    return socket->layer->send (socket, buf, len);
  check_connected (socket, "SocketDgram_sendall");
  /* A datagram goes whole or not at all: 0 when it would block. */
  n = send_once (socket, buf, len);
  return n >= 0 ? n : io_fail (socket, "send to", NULL, 0);
}

ssize_t
SocketDgram_recvall (SocketDgram_T socket, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;

  check_buf (socket, buf, len, "SocketDgram_recvall");
  /* As in the original: a would-block or an empty datagram ends the loop
   * with the total so far. */
  while (done < len)
    {
      ssize_t n = socket->layer != NULL
                      ? socket->layer->recv (socket, p + done, len - done)
                      : recv_once (socket, p + done, len - done);

      if (n > 0)
        done += (size_t)n;
      else if (n < 0 && !would_block (errno))
        io_fail (socket, "recv from", NULL, 0);
      else
        break;
    }
  return (ssize_t)done;
}

/* ------------------------------------------------------------------ */
/* Scatter / gather                                                   */
/* ------------------------------------------------------------------ */

static void
check_iov (SocketDgram_T s, const struct iovec *iov, int iovcnt,
           const char *op)
{
  check (s, op);
  if (iov == NULL || iovcnt <= 0 || iovcnt > IOV_MAX)
    RAISE_MSG ("%s: invalid iovec (array %p, count %d)", op,
               (const void *)iov, iovcnt);
  for (int i = 0; i < iovcnt; i++)
    if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
      RAISE_MSG ("%s: iovec[%d] has a NULL base", op, i);
  if (s->layer != NULL) /* a datagram is one record: no scatter/gather */
    RAISE_MSG ("%s: not available on a %s socket; use SocketDgram_send/"
               "SocketDgram_recv", op, s->layer->name);
}

static ssize_t
msg_once (SocketDgram_T s, struct iovec *iov, int iovcnt, int sending)
{
  struct msghdr msg;
  ssize_t n;

  memset (&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = (size_t)iovcnt;
  do
    n = sending ? sendmsg (s->base->fd, &msg, MSG_NOSIGNAL)
                : recvmsg (s->base->fd, &msg, 0);
  while (n < 0 && errno == EINTR);
  return n;
}

ssize_t
SocketDgram_sendv (SocketDgram_T socket, const struct iovec *iov, int iovcnt)
{
  ssize_t n;

  check_iov (socket, iov, iovcnt, "SocketDgram_sendv");
  {
    size_t total = SocketCommon_calculate_total_iov_len (iov, iovcnt);
    if (total > SAFE_UDP_SIZE)
      RAISE_MSG ("Sendv total %zu > SAFE_UDP_SIZE %zu", total,
                 (size_t)SAFE_UDP_SIZE);
  }
  check_connected (socket, "SocketDgram_sendv");
  n = msg_once (socket, (struct iovec *)iov, iovcnt, 1);
  return n >= 0 ? n : io_fail (socket, "send to", NULL, 0);
}

ssize_t
SocketDgram_recvv (SocketDgram_T socket, struct iovec *iov, int iovcnt)
{
  ssize_t n;

  check_iov (socket, iov, iovcnt, "SocketDgram_recvv");
  n = msg_once (socket, iov, iovcnt, 0);
  return n >= 0 ? n : io_fail (socket, "recv from", NULL, 0);
}

static size_t
vall_loop (SocketDgram_T s, struct iovec *copy, int iovcnt, int sending)
{
  size_t done = 0;
  struct iovec *cur;
  int active;

  while ((cur = SocketCommon_find_active_iov (copy, iovcnt, &active)) != NULL)
    {
      ssize_t n = msg_once (s, cur, active, sending);
      if (n > 0)
        {
          SocketCommon_advance_iov (cur, active, (size_t)n);
          done += (size_t)n;
        }
      else if (n < 0 && !would_block (errno))
        io_fail (s, sending ? "send to" : "recv from", NULL, 0);
      else
        break; /* would block (or an empty datagram): partial total */
    }
  return done;
}

static ssize_t
vall (SocketDgram_T s, const struct iovec *iov, int iovcnt, int sending)
{
  struct iovec stack_copy[IOV_STACK_COPY];
  struct iovec *volatile heap = NULL;
  volatile size_t done = 0;

  check_iov (s, iov, iovcnt,
             sending ? "SocketDgram_sendvall" : "SocketDgram_recvvall");
  if (sending)
    check_connected (s, "SocketDgram_sendvall");
  if (iovcnt > IOV_STACK_COPY)
    heap = SocketCommon_alloc_iov_copy (iov, iovcnt, SocketDgram_Failed);
  else
    memcpy (stack_copy, iov, (size_t)iovcnt * sizeof *iov);
  TRY done = vall_loop (s, heap ? heap : stack_copy, iovcnt, sending);
  FINALLY free (heap);
  END_TRY;
  return (ssize_t)done;
}

ssize_t
SocketDgram_sendvall (SocketDgram_T socket, const struct iovec *iov,
                      int iovcnt)
{
  return vall (socket, iov, iovcnt, 1);
}

ssize_t
SocketDgram_recvvall (SocketDgram_T socket, struct iovec *iov, int iovcnt)
{
  return vall (socket, iov, iovcnt, 0);
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

static int
get_int (SocketDgram_T s, int level, int opt, const char *name)
{
  int v = 0;

  check (s, name);
  SocketCommon_getoption_int (s->base->fd, level, opt, &v,
                              SocketDgram_Failed);
  return v;
}

static void
set_int (SocketDgram_T s, int level, int opt, int value, const char *name)
{
  check (s, name);
  if (setsockopt (s->base->fd, level, opt, &value, sizeof value) < 0)
    RAISE_FMT ("setsockopt(%s=%d) failed", name, value);
}

void
SocketDgram_setnonblocking (SocketDgram_T socket)
{
  check (socket, "SocketDgram_setnonblocking");
  SocketCommon_set_nonblock (socket->base, true, SocketDgram_Failed);
}

void
SocketDgram_setreuseaddr (SocketDgram_T socket)
{
  set_int (socket, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
}

void
SocketDgram_setreuseport (SocketDgram_T socket)
{
  set_int (socket, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
}

void
SocketDgram_setbroadcast (SocketDgram_T socket, int enable)
{
  set_int (socket, SOL_SOCKET, SO_BROADCAST, enable ? 1 : 0, "SO_BROADCAST");
}

int
SocketDgram_getbroadcast (SocketDgram_T socket)
{
  return get_int (socket, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST") != 0;
}

void
SocketDgram_joinmulticast (SocketDgram_T socket, const char *group,
                           const char *interface)
{
  check (socket, "SocketDgram_joinmulticast");
  SocketCommon_join_multicast (socket->base, group, interface,
                               SocketDgram_Failed);
}

void
SocketDgram_leavemulticast (SocketDgram_T socket, const char *group,
                            const char *interface)
{
  check (socket, "SocketDgram_leavemulticast");
  SocketCommon_leave_multicast (socket->base, group, interface,
                                SocketDgram_Failed);
}

void
SocketDgram_setttl (SocketDgram_T socket, int ttl)
{
  check (socket, "SocketDgram_setttl");
  if (ttl < 1 || ttl > SOCKET_MAX_TTL)
    RAISE_MSG ("Invalid TTL value: %d (must be 1-255)", ttl);
  SocketCommon_set_ttl (socket->base, socket->base->domain, ttl,
                        SocketDgram_Failed);
}

int
SocketDgram_getttl (SocketDgram_T socket)
{
  check (socket, "SocketDgram_getttl");
  if (socket->base->domain == AF_INET6)
    return get_int (socket, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
                    "IPV6_UNICAST_HOPS");
  return get_int (socket, IPPROTO_IP, IP_TTL, "IP_TTL");
}

void
SocketDgram_settimeout (SocketDgram_T socket, int timeout_sec)
{
  check (socket, "SocketDgram_settimeout");
  SocketCommon__set_timeout_sec (socket->base, timeout_sec,
                                 SocketDgram_Failed);
}

int
SocketDgram_gettimeout (SocketDgram_T socket)
{
  check (socket, "SocketDgram_gettimeout");
  return SocketCommon__get_timeout_sec (socket->base, SocketDgram_Failed);
}

int
SocketDgram_getrcvbuf (SocketDgram_T socket)
{
  return get_int (socket, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
}

int
SocketDgram_getsndbuf (SocketDgram_T socket)
{
  return get_int (socket, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
}

void
SocketDgram_setcloexec (SocketDgram_T socket, int enable)
{
  check (socket, "SocketDgram_setcloexec");
  SocketCommon_set_cloexec_fd (socket->base->fd, enable != 0,
                               SocketDgram_Failed);
}

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

int
SocketDgram_isconnected (SocketDgram_T socket)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  check (socket, "SocketDgram_isconnected");
  /* Asked of the kernel each time (no caching), as in the original. */
  return getpeername (socket->base->fd, (struct sockaddr *)&ss, &len) == 0;
}

int
SocketDgram_isbound (SocketDgram_T socket)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  check (socket, "SocketDgram_isbound");
  if (socket->bound)
    return 1;
  return getsockname (socket->base->fd, (struct sockaddr *)&ss, &len) == 0
         && SocketCommon_check_bound_by_family (&ss);
}

int
SocketDgram_fd (const SocketDgram_T socket)
{
  check (socket, "SocketDgram_fd");
  return socket->base->fd;
}

const char *
SocketDgram_getlocaladdr (const SocketDgram_T socket)
{
  check (socket, "SocketDgram_getlocaladdr");
  if (socket->base->localaddr == NULL)
    SocketCommon_update_local_endpoint (socket->base);
  return socket->base->localaddr ? socket->base->localaddr
                                 : SOCKET__UNKNOWN_ADDR;
}

int
SocketDgram_getlocalport (const SocketDgram_T socket)
{
  check (socket, "SocketDgram_getlocalport");
  if (socket->base->localaddr == NULL)
    SocketCommon_update_local_endpoint (socket->base);
  return socket->base->localport;
}
