/*
 * shim_socket.c - TRY-wrapped entry points for stream and datagram
 * sockets, the event loop and the resolver (see shim.h).
 *
 * Each user-visible Go operation is one call here: a constructor creates
 * the socket, makes it non-blocking, sets it up and describes it
 * (endpoints plus a dup of its descriptor for Go's poller); send/recv map
 * would-block to *n = 0. Shims that may emit library events or logs
 * (connect, accept, poll wait, resolver check) use GO_CALL so a Go event
 * handler still sees them; the I/O shims are nocallback.
 *
 * Go strings arrive as pointer + length and are copied into NUL-terminated
 * stack buffers before they reach the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim_socket.h"

#include "dns/SocketDNSExt.h"
#include "socket/SocketExt.h"

/* A host name of up to 255 bytes plus its terminator. */
#define GO_HOST_SIZE 256

_Static_assert (sizeof (GoPollEvent) == sizeof (SocketEvent_T),
                "GoPollEvent must mirror SocketEvent_T");
_Static_assert (offsetof (GoPollEvent, socket)
                        == offsetof (SocketEvent_T, socket)
                    && offsetof (GoPollEvent, data)
                           == offsetof (SocketEvent_T, data)
                    && offsetof (GoPollEvent, events)
                           == offsetof (SocketEvent_T, events),
                "GoPollEvent must mirror SocketEvent_T");

/* ---- helpers -------------------------------------------------------------- */

static void
copy_addr (char *dst, const char *src)
{
  /* "(unknown)" is the C API's "nothing cached" text: Go wants "". */
  if (src == NULL || strcmp (src, "(unknown)") == 0)
    src = "";
  snprintf (dst, GO_ADDR_SIZE, "%s", src);
}

void
go_sockinfo_reset (GoSockInfo *out)
{
  memset (out, 0, offsetof (GoSockInfo, local_addr));
  out->pollfd = -1;
  out->local_addr[0] = out->remote_addr[0] = '\0';
}

/* Endpoints of a stream socket; the peer only once connected. */
static void
info_endpoints (Socket_T s, GoSockInfo *out)
{
  copy_addr (out->local_addr, Socket_getlocaladdr (s));
  out->local_port = Socket_getlocalport (s);
  out->connected = Socket_isconnected (s);
  if (out->connected)
    {
      copy_addr (out->remote_addr, Socket_getpeeraddr (s));
      out->remote_port = Socket_getpeerport (s);
    }
}

/* Finish a constructor: on failure (@rc != 0) free @s; on success dup its
 * descriptor for Go's poller (freeing @s if that fails). */
static int
finish_stream (int rc, Socket_T s, GoSockInfo *out, GoErr *e)
{
  if (rc == 0 && s != NULL)
    {
      out->pollfd = fcntl (Socket_fd (s), F_DUPFD_CLOEXEC, 0);
      if (out->pollfd >= 0)
        {
          out->sock = s;
          return 0;
        }
      rc = go_fail (e, "Socket_Failed", errno, "dup of the socket descriptor");
    }
  if (s != NULL)
    Socket_free (&s);
  out->sock = NULL;
  return rc;
}

/* ---- stream sockets ------------------------------------------------------- */

static Socket_T
new_nonblocking (int domain, int nodelay, Socket_T volatile *out)
{
  Socket_T s = Socket_new (domain, SOCK_STREAM, 0);

  *out = s; /* freed by the caller if anything below raises */
  Socket_setnonblocking (s);
  if (nodelay && domain != AF_UNIX)
    Socket_setnodelay (s, 1);
  return s;
}

static void
dial_steps (int domain, const char *host, int port, int nodelay,
            Socket_T volatile *s, GoSockInfo *out)
{
  Socket_T sock = new_nonblocking (domain, nodelay, s);
  SocketTimeouts_T t;

  /* No connect timeout: Socket_connect then returns while the connect is
   * in progress and Go's poller waits (with the caller's deadline). */
  Socket_timeouts_get (sock, &t);
  t.connect_timeout_ms = 0;
  Socket_timeouts_set (sock, &t);
  Socket_connect (sock, host, port);
  info_endpoints (sock, out);
}

int
go_Socket_dial (int domain, const char *host, size_t host_len, int port,
                int nodelay, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  Socket_T volatile s = NULL;
  char h[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "Socket_Failed", EINVAL, "invalid host");
  GO_CALL (rc, e, dial_steps (domain, h, port, nodelay, &s, out));
  return finish_stream (rc, s, out, e);
}

static void
dial_unix_steps (const char *path, Socket_T volatile *s, GoSockInfo *out)
{
  Socket_T sock = new_nonblocking (AF_UNIX, 0, s);

  Socket_connect_unix (sock, path);
  info_endpoints (sock, out);
}

int
go_Socket_dial_unix (const char *path, size_t path_len, GoSockInfo *out,
                     GoErr *e)
{
  volatile int rc = 0;
  Socket_T volatile s = NULL;
  char p[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (p, sizeof p, path, path_len) < 0)
    return go_fail (e, "SocketUnix_Failed", EINVAL, "invalid Unix socket path");
  GO_CALL (rc, e, dial_unix_steps (p, &s, out));
  return finish_stream (rc, s, out, e);
}

static void
listen_steps (int domain, const char *host, int port, int backlog,
              Socket_T volatile *s, GoSockInfo *out)
{
  Socket_T sock = Socket_new (domain, SOCK_STREAM, 0);

  *s = sock;
  if (domain == AF_UNIX)
    Socket_bind_unix (sock, host);
  else
    {
      Socket_setreuseaddr (sock);
      Socket_bind (sock, host, port);
    }
  Socket_listen (sock, backlog);
  Socket_setnonblocking (sock);
  copy_addr (out->local_addr, Socket_getlocaladdr (sock));
  out->local_port = Socket_getlocalport (sock);
}

int
go_Socket_listen (int domain, const char *host, size_t host_len, int port,
                  int backlog, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  Socket_T volatile s = NULL;
  char h[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "Socket_Failed", EINVAL, "invalid host");
  GO_CALL (rc, e,
           listen_steps (domain, host_len > 0 ? h : NULL, port, backlog, &s,
                         out));
  return finish_stream (rc, s, out, e);
}

int
go_Socket_listen_unix (const char *path, size_t path_len, int backlog,
                       GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  Socket_T volatile s = NULL;
  char p[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (p, sizeof p, path, path_len) < 0)
    return go_fail (e, "SocketUnix_Failed", EINVAL, "invalid Unix socket path");
  GO_CALL (rc, e, listen_steps (AF_UNIX, p, 0, backlog, &s, out));
  return finish_stream (rc, s, out, e);
}

static void
accept_steps (Socket_T listener, int nodelay, Socket_T volatile *s,
              GoSockInfo *out)
{
  Socket_T c = Socket_accept (listener);

  *s = c;
  if (c == NULL)
    return;
  Socket_setnonblocking (c);
  if (nodelay) /* TCP listeners only: Go knows the network */
    Socket_setnodelay (c, 1);
  info_endpoints (c, out);
}

int
go_Socket_accept (Socket_T s, int nodelay, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  Socket_T volatile c = NULL;

  go_sockinfo_reset (out);
  GO_CALL (rc, e, accept_steps (s, nodelay, &c, out));
  return finish_stream (rc, c, out, e);
}

int
go_Socket_connect_result (Socket_T s, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  volatile int err = 0;

  go_sockinfo_reset (out);
  GO_CALL_NOCB (rc, e, {
    int v = 0;
    SocketCommon_getoption_int (Socket_fd (s), SOL_SOCKET, SO_ERROR, &v,
                                Socket_Failed);
    err = v;
    if (v == 0)
      info_endpoints (s, out);
  });
  if (rc == 0 && err != 0)
    rc = go_fail (e, "Socket_Failed", err, "connect failed");
  return rc;
}

void
go_Socket_free (Socket_T s)
{
  GO_NOCB_ENTER ();
  Socket_free (&s);
  GO_NOCB_LEAVE ();
}

int
go_Socket_send (Socket_T s, const void *buf, size_t len, ssize_t *n,
                GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = Socket_send (s, buf, len));
  return rc;
}

int
go_Socket_recv (Socket_T s, void *buf, size_t len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = Socket_recv (s, buf, len));
  return rc;
}

int
go_Socket_shutdown (Socket_T s, int how, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, Socket_shutdown (s, how));
  return rc;
}

static void
stream_option (Socket_T s, int op, int *value)
{
  switch (op)
    {
    case GO_OPT_NODELAY_GET: *value = Socket_getnodelay (s); break;
    case GO_OPT_NODELAY_SET: Socket_setnodelay (s, *value); break;
    case GO_OPT_RCVBUF_GET: *value = Socket_getrcvbuf (s); break;
    case GO_OPT_RCVBUF_SET: Socket_setrcvbuf (s, *value); break;
    case GO_OPT_SNDBUF_GET: *value = Socket_getsndbuf (s); break;
    case GO_OPT_SNDBUF_SET: Socket_setsndbuf (s, *value); break;
    default:
      errno = EINVAL;
      RAISE (Socket_Failed);
    }
}

int
go_Socket_option (Socket_T s, int op, int *value, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, stream_option (s, op, value));
  return rc;
}

int
go_Socket_peercred (Socket_T s, int *pid, int *uid, int *gid, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    *pid = Socket_getpeerpid (s);
    *uid = Socket_getpeeruid (s);
    *gid = Socket_getpeergid (s);
  });
  if (rc == 0 && *pid < 0)
    rc = go_fail (e, "SocketUnix_Failed", ENOTCONN,
               "peer credentials unavailable (not a connected Unix socket)");
  return rc;
}

int
go_Socket_sendfds (Socket_T s, const int *fds, size_t count, const void *data,
                   size_t len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                *n = Socket_sendfds_with_data (s, fds, count, data, len));
  return rc;
}

int
go_Socket_recvfds (Socket_T s, int *fds, size_t max, int *nfds, void *buf,
                   size_t len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                *n = Socket_recvfds_with_data (s, fds, max, nfds, buf, len));
  return rc;
}

void
go_Socket_live_counts (int *sockets, int *dgrams)
{
  GO_NOCB_ENTER ();
  *sockets = Socket_debug_live_count ();
  *dgrams = SocketDgram_debug_live_count ();
  GO_NOCB_LEAVE ();
}

/* ---- datagram sockets ----------------------------------------------------- */

static void
dgram_steps (int domain, const char *host, int port, SocketDgram_T volatile *s,
             GoSockInfo *out)
{
  SocketDgram_T d = SocketDgram_new (domain, 0);

  *s = d;
  SocketDgram_bind (d, host, port);
  SocketDgram_setnonblocking (d);
  copy_addr (out->local_addr, SocketDgram_getlocaladdr (d));
  out->local_port = SocketDgram_getlocalport (d);
}

int
go_SocketDgram_open (int domain, const char *host, size_t host_len, int port,
                     GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  SocketDgram_T volatile s = NULL;
  SocketDgram_T d;
  char h[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketDgram_Failed", EINVAL, "invalid host");
  GO_CALL_NOCB (rc, e,
                dgram_steps (domain, host_len > 0 ? h : NULL, port, &s, out));
  d = s;
  if (rc == 0)
    {
      out->pollfd = fcntl (SocketDgram_fd (d), F_DUPFD_CLOEXEC, 0);
      if (out->pollfd >= 0)
        {
          out->dgram = d;
          return 0;
        }
      rc = go_fail (e, "SocketDgram_Failed", errno,
                 "dup of the socket descriptor");
    }
  if (d != NULL)
    SocketDgram_free (&d);
  return rc;
}

void
go_SocketDgram_free (SocketDgram_T s)
{
  GO_NOCB_ENTER ();
  SocketDgram_free (&s);
  GO_NOCB_LEAVE ();
}

int
go_SocketDgram_sendto (SocketDgram_T s, const void *buf, size_t len,
                       const char *host, size_t host_len, int port,
                       ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  char h[GO_ADDR_SIZE];

  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketDgram_Failed", EINVAL, "invalid host");
  /* Go's WriteTo takes any datagram up to the UDP maximum, not only up to
   * SAFE_UDP_SIZE as the C SocketDgram_sendto does. */
  GO_CALL_NOCB (rc, e,
                *n = SocketExt_dgram_sendto (s, buf, len, h, port,
                                             UDP_MAX_PAYLOAD));
  return rc;
}

int
go_SocketDgram_recvfrom (SocketDgram_T s, void *buf, size_t len, char *host,
                         size_t host_size, int *port, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;

  /* Only a received datagram fills @host: an empty datagram (*n = 0,
   * host set) is told apart from would-block (*n = 0, host empty). */
  if (host_size > 0)
    host[0] = '\0';
  GO_CALL_NOCB (rc, e,
                *n = SocketDgram_recvfrom (s, buf, len, host, host_size,
                                           port));
  return rc;
}

static void
dgram_option (SocketDgram_T s, int op, int *value)
{
  switch (op)
    {
    case GO_OPT_BROADCAST_GET: *value = SocketDgram_getbroadcast (s); break;
    case GO_OPT_BROADCAST_SET: SocketDgram_setbroadcast (s, *value); break;
    case GO_OPT_TTL_GET: *value = SocketDgram_getttl (s); break;
    case GO_OPT_TTL_SET: SocketDgram_setttl (s, *value); break;
    case GO_OPT_RCVBUF_GET: *value = SocketDgram_getrcvbuf (s); break;
    case GO_OPT_SNDBUF_GET: *value = SocketDgram_getsndbuf (s); break;
    default:
      errno = EINVAL;
      RAISE (SocketDgram_Failed);
    }
}

int
go_SocketDgram_option (SocketDgram_T s, int op, int *value, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, dgram_option (s, op, value));
  return rc;
}

int
go_SocketDgram_multicast (SocketDgram_T s, int join, const char *group,
                          size_t group_len, const char *ifname,
                          size_t ifname_len, GoErr *e)
{
  volatile int rc = 0;
  char g[GO_ADDR_SIZE], i[GO_ADDR_SIZE];
  const char *ifp = ifname_len > 0 ? i : NULL;

  if (go_cstr (g, sizeof g, group, group_len) < 0
      || go_cstr (i, sizeof i, ifname, ifname_len) < 0)
    return go_fail (e, "SocketDgram_Failed", EINVAL,
                 "invalid multicast group or interface");
  if (join)
    GO_CALL_NOCB (rc, e, SocketDgram_joinmulticast (s, g, ifp));
  else
    GO_CALL_NOCB (rc, e, SocketDgram_leavemulticast (s, g, ifp));
  return rc;
}

/* ---- event loop ------------------------------------------------------------- */

int
go_SocketPoll_new (int maxevents, SocketPoll_T *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *out = SocketPoll_new (maxevents));
  return rc;
}

void
go_SocketPoll_free (SocketPoll_T p)
{
  GO_NOCB_ENTER ();
  SocketPoll_free (&p);
  GO_NOCB_LEAVE ();
}

int
go_SocketPoll_ctl (SocketPoll_T p, int op, Socket_T s, unsigned events,
                   uintptr_t data, GoErr *e)
{
  volatile int rc = 0;

  switch (op)
    {
    case GO_POLL_ADD:
      GO_CALL_NOCB (rc, e, SocketPoll_add (p, s, events, (void *)data));
      break;
    case GO_POLL_MOD:
      GO_CALL_NOCB (rc, e, SocketPoll_mod (p, s, events, (void *)data));
      break;
    default: GO_CALL_NOCB (rc, e, SocketPoll_del (p, s)); break;
    }
  return rc;
}

/* The wait may fire timers and emit a wakeup event: callbacks allowed. */
int
go_SocketPoll_wait (SocketPoll_T p, int timeout_ms, GoPollEvent **events,
                    int *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL (rc, e, {
    SocketEvent_T *ev = NULL;
    *n = SocketPoll_wait (p, &ev, timeout_ms);
    *events = (GoPollEvent *)ev;
  });
  return rc;
}

static void
wake_noop (void *userdata)
{
  (void)userdata;
}

int
go_SocketPoll_wake (SocketPoll_T p, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketTimer_add (p, 0, wake_noop, NULL));
  return rc;
}

/* ---- resolver ---------------------------------------------------------------- */

int
go_SocketDNS_new (SocketDNS_T *out, int *pollfd, int *timeout_ms, GoErr *e)
{
  volatile int rc = 0;
  SocketDNS_T volatile d = NULL;
  SocketDNS_T dns;

  GO_CALL_NOCB (rc, e, {
    d = SocketDNS_new ();
    *timeout_ms = SocketDNS_gettimeout (d);
  });
  dns = d;
  if (rc == 0)
    {
      *pollfd = fcntl (SocketDNS_pollfd (dns), F_DUPFD_CLOEXEC, 0);
      if (*pollfd >= 0)
        {
          *out = dns;
          return 0;
        }
      rc = go_fail (e, "SocketDNS_Failed", errno,
                 "dup of the resolver descriptor");
    }
  if (dns != NULL)
    SocketDNS_free (&dns);
  return rc;
}

void
go_SocketDNS_free (SocketDNS_T d)
{
  GO_NOCB_ENTER ();
  SocketDNS_free (&d);
  GO_NOCB_LEAVE ();
}

int
go_SocketDNS_resolve (SocketDNS_T d, const char *host, size_t host_len,
                      int port, uintptr_t *req, GoErr *e)
{
  volatile int rc = 0;
  char h[GO_HOST_SIZE];

  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketDNS_Failed", EINVAL, "invalid host name");
  GO_CALL_NOCB (rc, e,
                *req = (uintptr_t)SocketDNS_resolve (
                    d, host_len > 0 ? h : NULL, port, NULL, NULL));
  return rc;
}

int
go_SocketDNS_check (SocketDNS_T d, int *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketDNS_check (d));
  return rc;
}

static int
flatten (const struct addrinfo *res, GoAddr *out, int max)
{
  int k = 0;

  for (const struct addrinfo *ai = res; ai != NULL && k < max;
       ai = ai->ai_next)
    {
      GoAddr *a = &out[k];
      memset (a, 0, sizeof *a);
      if (ai->ai_family == AF_INET)
        {
          const struct sockaddr_in *in = (const void *)ai->ai_addr;
          a->family = AF_INET;
          a->port = ntohs (in->sin_port);
          memcpy (a->addr, &in->sin_addr, 4);
        }
      else if (ai->ai_family == AF_INET6)
        {
          const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;
          a->family = AF_INET6;
          a->port = ntohs (in6->sin6_port);
          a->scope_id = in6->sin6_scope_id;
          memcpy (a->addr, &in6->sin6_addr, 16);
        }
      else
        continue;
      k++;
    }
  return k;
}

static void
result_steps (SocketDNS_T d, uintptr_t req, GoAddr *out, int max, int *count,
              int *done, int *gai)
{
  struct addrinfo *res
      = SocketDNS_getresult (d, (SocketDNS_Request_T)req);

  *count = 0;
  *gai = 0;
  *done = res != NULL;
  if (res != NULL)
    {
      *count = flatten (res, out, max);
      freeaddrinfo (res);
      return;
    }
  *gai = SocketDNS_geterror (d, (const struct SocketDNS_Request_T *)req);
  if (*gai != 0)
    {
      *done = 1;
      SocketDNS_cancel (d, (SocketDNS_Request_T)req); /* release the record */
    }
}

int
go_SocketDNS_result (SocketDNS_T d, uintptr_t req, GoAddr *out, int max,
                     int *count, int *done, int *gai, GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e, result_steps (d, req, out, max, count, done, gai));
  if (rc == 0 && *gai != 0)
    rc = go_fail (e, "SocketDNS_Failed", 0, gai_strerror (*gai));
  return rc;
}

int
go_SocketDNS_cancel (SocketDNS_T d, uintptr_t req, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketDNS_cancel (d, (SocketDNS_Request_T)req));
  return rc;
}

int
go_SocketDNS_test_hook (SocketDNS_T d, int stall, size_t *live, GoErr *e)
{
  (void)e;
  GO_NOCB_ENTER ();
  if (stall >= 0)
    SocketDNSExt_set_stall (d, stall);
  *live = SocketDNSExt_live_requests (d);
  GO_NOCB_LEAVE ();
  return 0;
}
