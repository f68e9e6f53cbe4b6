/* test_dgram.c - UDP sockets over loopback: sendto/recvfrom, connected
 * I/O, scatter/gather, options, dual-stack, and multicast (IPv4 + IPv6)
 * inside a private network namespace. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "socket/Socket-private.h"
#include "socket/SocketDgram.h"
#include "socket/SocketExt.h"

static int baseline_fds = -1;

__attribute__ ((constructor (101))) static void
record_baseline (void)
{
  SocketCommon_get_dns_resolver (); /* process-lifetime, see test_socket */
  baseline_fds = test_count_fds ();
}

static int
getopt_int (int fd, int level, int opt)
{
  int v = -1;
  socklen_t len = sizeof v;
  getsockopt (fd, level, opt, &v, &len);
  return v;
}

static SocketDgram_T
bound (int family, const char *host)
{
  SocketDgram_T s = SocketDgram_new (family, 0);
  SocketDgram_bind (s, host, 0);
  return s;
}

static int
readable (SocketDgram_T s, int ms)
{
  return SocketCommon__wait_fd (SocketDgram_fd (s), POLLIN, ms) > 0;
}

/* ------------------------------------------------------------------ */

TEST (new_bind_and_state)
{
  SocketDgram_T s = SocketDgram_new (AF_INET, 0);

  ASSERT_EQ (SocketCommon_has_cloexec (SocketDgram_fd (s)), 1);
  ASSERT_EQ (SocketDgram_isbound (s), 0);
  ASSERT_EQ (SocketDgram_isconnected (s), 0);
  ASSERT_EQ (SocketDgram_debug_live_count (), 1);
  SocketDgram_bind (s, "127.0.0.1", 0);
  ASSERT_EQ (SocketDgram_isbound (s), 1);
  ASSERT_STREQ (SocketDgram_getlocaladdr (s), "127.0.0.1");
  ASSERT (SocketDgram_getlocalport (s) > 0);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_bind (s, "127.0.0.1", 0)),
             1);
  SocketDgram_free (&s);
  ASSERT (s == NULL);
  SocketDgram_free (&s);
  ASSERT_EQ (SocketDgram_debug_live_count (), 0);
  /* The domain goes to socket(2) unchecked: AF_UNIX datagrams work. */
  s = SocketDgram_new (AF_UNIX, 0);
  ASSERT_EQ (SocketDgram_isbound (s), 1); /* AF_UNIX: always "bound" */
  SocketDgram_free (&s);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_new (12345, 0)), 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_new (AF_INET, 6)), 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_fd (NULL)), 1);
}

TEST (sendto_recvfrom_reports_sender)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  SocketDgram_T b = SocketDgram_new (AF_INET, 0);
  char buf[64], host[46];
  int port = 0;
  ssize_t n;

  ASSERT_EQ (SocketDgram_sendto (b, "ping", 4, "127.0.0.1",
                                 SocketDgram_getlocalport (a)),
             4);
  ASSERT_EQ (SocketDgram_isbound (b), 1); /* implicit bind on first send */
  ASSERT (SocketDgram_getlocalport (b) > 0);
  n = SocketDgram_recvfrom (a, buf, sizeof buf, host, sizeof host, &port);
  ASSERT_EQ (n, 4);
  ASSERT_MEMEQ (buf, "ping", 4);
  ASSERT_STREQ (host, "127.0.0.1");
  ASSERT_EQ (port, SocketDgram_getlocalport (b));
  /* Echo back to the reported sender, as the README server does. */
  ASSERT_EQ (SocketDgram_sendto (a, buf, (size_t)n, host, port), 4);
  n = SocketDgram_recvfrom (b, buf, sizeof buf, NULL, 0, NULL);
  ASSERT_EQ (n, 4);
  /* Hostnames resolve too. */
  ASSERT_EQ (SocketDgram_sendto (b, "x", 1, "localhost",
                                 SocketDgram_getlocalport (a)),
             1);
  ASSERT_EQ (SocketDgram_recvfrom (a, buf, sizeof buf, host, sizeof host,
                                   &port),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_sendto (b, "x", 1, "127.0.0.1", 0)),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_sendto (b, "x", 1, NULL, 9)),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_sendto (b, buf, UDP_MAX_PAYLOAD + 1,
                                         "127.0.0.1", 9)),
             1);
  SocketDgram_free (&a);
  SocketDgram_free (&b);
}

/* SocketExt_dgram_sendto: the payload limit is the caller's, up to
 * UDP_MAX_PAYLOAD (SocketDgram_sendto stops at SAFE_UDP_SIZE). */
TEST (ext_sendto_takes_caller_limit)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  SocketDgram_T b = SocketDgram_new (AF_INET, 0);
  static char big[4000], got[4096];
  int port = SocketDgram_getlocalport (a);

  memset (big, 'x', sizeof big);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_sendto (b, big, sizeof big, "127.0.0.1",
                                         port)),
             1);
  ASSERT_EQ (SocketExt_dgram_sendto (b, big, sizeof big, "127.0.0.1", port,
                                     0),
             (ssize_t)sizeof big);
  ASSERT_EQ (SocketDgram_recvfrom (a, got, sizeof got, NULL, 0, NULL),
             (ssize_t)sizeof big);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketExt_dgram_sendto (b, big, 100, "127.0.0.1", port,
                                             99)),
             1);
  ASSERT_EQ (SocketExt_dgram_sendto (b, big, 99, "127.0.0.1", port, 99),
             99);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketExt_dgram_sendto (b, big, UDP_MAX_PAYLOAD + 1,
                                             "127.0.0.1", port,
                                             UDP_MAX_PAYLOAD + 10)),
             1);
  SocketDgram_free (&a);
  SocketDgram_free (&b);
}

TEST (recvfrom_host_buffer_too_small_gives_empty_host)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  SocketDgram_T b = bound (AF_INET, "127.0.0.1");
  char buf[8], host[4], big[64];
  int port = 77;

  /* As in the original: no exception; host "" and port 0. */
  SocketDgram_sendto (b, "z", 1, "127.0.0.1", SocketDgram_getlocalport (a));
  ASSERT_EQ (SocketDgram_recvfrom (a, buf, sizeof buf, host, sizeof host,
                                   &port),
             1);
  ASSERT_STREQ (host, "");
  ASSERT_EQ (port, 0);
  /* Sender info only when host, host_len > 0 and port are all given. */
  SocketDgram_sendto (b, "y", 1, "127.0.0.1", SocketDgram_getlocalport (a));
  memcpy (big, "untouched", 10);
  ASSERT_EQ (SocketDgram_recvfrom (a, buf, sizeof buf, big, sizeof big, NULL),
             1);
  ASSERT_STREQ (big, "untouched");
  /* Datagrams above SAFE_UDP_SIZE are refused with the original's text. */
  {
    static char payload[SAFE_UDP_SIZE + 1];
    struct iovec iov[2] = { { payload, 1000 }, { payload, 473 } };
    ASSERT_EQ (RAISES (SocketDgram_Failed,
                       SocketDgram_sendto (b, payload, sizeof payload,
                                           "127.0.0.1", 9)),
               1);
    ASSERT_STREQ (Socket_GetLastError (),
                  "Datagram len 1473 > SAFE_UDP_SIZE 1472 (risk of "
                  "fragmentation)");
    ASSERT_EQ (SocketDgram_sendto (b, payload, SAFE_UDP_SIZE, "127.0.0.1",
                                   SocketDgram_getlocalport (a)),
               (ssize_t)SAFE_UDP_SIZE);
    ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_sendv (b, iov, 2)), 1);
    ASSERT_STREQ (Socket_GetLastError (), "Sendv total 1473 > SAFE_UDP_SIZE "
                                          "1472");
  }
  SocketDgram_free (&a);
  SocketDgram_free (&b);
}

TEST (connected_send_recv_and_filtering)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  SocketDgram_T b = bound (AF_INET, "127.0.0.1");
  SocketDgram_T stranger = bound (AF_INET, "127.0.0.1");
  char buf[16];

  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_send (a, "x", 1)), 1);
  ASSERT_EQ (Socket_geterrno (), EDESTADDRREQ);
  SocketDgram_connect (a, "127.0.0.1", SocketDgram_getlocalport (b));
  SocketDgram_connect (b, "127.0.0.1", SocketDgram_getlocalport (a));
  ASSERT_EQ (SocketDgram_isconnected (a), 1);
  /* A connected socket ignores datagrams from anyone else. */
  SocketDgram_sendto (stranger, "spam", 4, "127.0.0.1",
                      SocketDgram_getlocalport (a));
  ASSERT_EQ (SocketDgram_send (b, "hi", 2), 2);
  ASSERT_EQ (SocketDgram_recv (a, buf, sizeof buf), 2);
  ASSERT_MEMEQ (buf, "hi", 2);
  SocketDgram_setnonblocking (a);
  ASSERT_EQ (SocketDgram_recv (a, buf, sizeof buf), 0); /* spam dropped */
  ASSERT_EQ (SocketDgram_sendall (a, "all", 3), 3);
  ASSERT_EQ (SocketDgram_recvall (b, buf, 3), 3);
  ASSERT_MEMEQ (buf, "all", 3);
  /* recvall collects datagrams until the buffer is full. */
  SocketDgram_send (a, "abc", 3);
  SocketDgram_send (a, "defg", 4);
  ASSERT_EQ (SocketDgram_recvall (b, buf, 7), 7);
  ASSERT_MEMEQ (buf, "abcdefg", 7);
  SocketDgram_free (&a);
  SocketDgram_free (&b);
  SocketDgram_free (&stranger);
}

TEST (scatter_gather)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  SocketDgram_T b = bound (AF_INET, "127.0.0.1");
  char h[] = "head", t[] = "-tail", r1[3], r2[10];
  struct iovec out[2] = { { h, 4 }, { t, 5 } };
  struct iovec in[2] = { { r1, 3 }, { r2, sizeof r2 } };
  struct iovec saved[2];
  struct iovec many[20];
  char big[20][2];

  SocketDgram_connect (a, "127.0.0.1", SocketDgram_getlocalport (b));
  SocketDgram_connect (b, "127.0.0.1", SocketDgram_getlocalport (a));
  ASSERT_EQ (SocketDgram_sendv (a, out, 2), 9);
  ASSERT_EQ (SocketDgram_recvv (b, in, 2), 9);
  ASSERT_MEMEQ (r1, "hea", 3);
  ASSERT_MEMEQ (r2, "d-tail", 6);
  /* recvvall fills the iovec across datagrams, on a copy. */
  memcpy (saved, in, sizeof in);
  SocketDgram_sendvall (a, out, 2);
  SocketDgram_send (a, "0123", 4);
  ASSERT_EQ (SocketDgram_recvvall (b, in, 2), 13);
  ASSERT_MEMEQ (in, saved, sizeof in);
  ASSERT_MEMEQ (r1, "hea", 3);
  ASSERT_MEMEQ (r2, "d-tail0123", 10);
  /* More entries than the on-stack copy holds. */
  for (int i = 0; i < 20; i++)
    {
      big[i][0] = (char)('a' + i);
      big[i][1] = (char)('A' + i);
      many[i].iov_base = big[i];
      many[i].iov_len = 2;
    }
  ASSERT_EQ (SocketDgram_sendvall (a, many, 20), 40);
  memset (big, 0, sizeof big);
  ASSERT_EQ (SocketDgram_recvvall (b, many, 20), 40);
  ASSERT_EQ (big[19][0], 'a' + 19);
  ASSERT_EQ (big[19][1], 'A' + 19);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_sendv (a, NULL, 1)), 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_recvv (a, in, 0)), 1);
  SocketDgram_free (&a);
  SocketDgram_free (&b);
}

TEST (nonblocking_and_operation_timeout)
{
  SocketDgram_T a = bound (AF_INET, "127.0.0.1");
  char buf[4];
  SocketTimeouts_T t;
  volatile int r;
  int64_t start;

  SocketDgram_setnonblocking (a);
  ASSERT (fcntl (SocketDgram_fd (a), F_GETFL) & O_NONBLOCK);
  ASSERT_EQ (SocketDgram_recv (a, buf, sizeof buf), 0);
  ASSERT_EQ (SocketDgram_recvfrom (a, buf, sizeof buf, NULL, 0, NULL), 0);
  SocketCommon_timeouts_getdefaults (&t);
  /* A timeout far above any scheduling delay, so that returning before
   * it is unmistakable even under sanitizers on a loaded machine. */
  t.operation_timeout_ms = 20000;
  a->base->timeouts = t;
  start = test_now_ms ();
  /* recvall returns its partial total (0) as soon as it would block. */
  r = (int)SocketDgram_recvall (a, buf, sizeof buf);
  ASSERT_EQ (r, 0);
  ASSERT (test_now_ms () - start < 10000);
  SocketDgram_free (&a);
}

TEST (options_roundtrip)
{
  SocketDgram_T s = SocketDgram_new (AF_INET, 0);
  int fd = SocketDgram_fd (s);

  SocketDgram_setreuseaddr (s);
  ASSERT_EQ (getopt_int (fd, SOL_SOCKET, SO_REUSEADDR), 1);
  SocketDgram_setreuseport (s);
  ASSERT_EQ (getopt_int (fd, SOL_SOCKET, SO_REUSEPORT), 1);
  ASSERT_EQ (SocketDgram_getbroadcast (s), 0);
  SocketDgram_setbroadcast (s, 1);
  ASSERT_EQ (SocketDgram_getbroadcast (s), 1);
  SocketDgram_setbroadcast (s, 0);
  ASSERT_EQ (SocketDgram_getbroadcast (s), 0);
  SocketDgram_setttl (s, 7);
  ASSERT_EQ (SocketDgram_getttl (s), 7);
  ASSERT_EQ (getopt_int (fd, IPPROTO_IP, IP_MULTICAST_TTL), 1); /* unicast */
  SocketDgram_setttl (s, 255);
  ASSERT_EQ (SocketDgram_getttl (s), 255);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_setttl (s, 0)), 1);
  ASSERT_STREQ (Socket_GetLastError (), "Invalid TTL value: 0 (must be 1-255)");
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_setttl (s, 256)), 1);
  SocketDgram_settimeout (s, 2);
  ASSERT_EQ (SocketDgram_gettimeout (s), 2);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_settimeout (s, -5)), 1);
  ASSERT_EQ (SocketDgram_getrcvbuf (s), getopt_int (fd, SOL_SOCKET,
                                                    SO_RCVBUF));
  ASSERT (SocketDgram_getsndbuf (s) > 0);
  ASSERT_EQ (SocketDgram_getsndbuf (s), getopt_int (fd, SOL_SOCKET,
                                                    SO_SNDBUF));
  SocketDgram_setcloexec (s, 0);
  ASSERT_EQ (SocketCommon_has_cloexec (fd), 0);
  SocketDgram_setcloexec (s, 1);
  ASSERT_EQ (SocketCommon_has_cloexec (fd), 1);
  SocketDgram_free (&s);
}

TEST (ipv6_hops_and_dual_stack)
{
  SocketDgram_T volatile v = NULL;
  SocketDgram_T s, c;
  char buf[8], host[64];
  int port;

  TRY v = SocketDgram_new (AF_INET6, 0);
  EXCEPT (SocketDgram_Failed) v = NULL;
  END_TRY;
  if (v == NULL)
    TEST_SKIP ("IPv6 unavailable: %s", Socket_GetLastError ());
  s = v;
  SocketDgram_setttl (s, 9);
  ASSERT_EQ (SocketDgram_getttl (s), 9);
  ASSERT_EQ (getopt_int (SocketDgram_fd (s), IPPROTO_IPV6,
                         IPV6_MULTICAST_HOPS),
             1); /* only the unicast hop limit is set */
  SocketDgram_bind (s, NULL, 0); /* "::", dual-stack */
  ASSERT_STREQ (SocketDgram_getlocaladdr (s), "::");
  c = SocketDgram_new (AF_INET, 0);
  SocketDgram_sendto (c, "v4", 2, "127.0.0.1", SocketDgram_getlocalport (s));
  ASSERT_EQ (SocketDgram_recvfrom (s, buf, sizeof buf, host, sizeof host,
                                   &port),
             2);
  ASSERT_STREQ (host, "::ffff:127.0.0.1");
  ASSERT_EQ (port, SocketDgram_getlocalport (c));
  ASSERT_EQ (SocketDgram_sendto (s, "ok", 2, host, port), 2);
  ASSERT_EQ (SocketDgram_recv (c, buf, sizeof buf), 2);
  SocketDgram_sendto (s, "6", 1, "::1", SocketDgram_getlocalport (s));
  ASSERT_EQ (SocketDgram_recvfrom (s, buf, sizeof buf, host, sizeof host,
                                   &port),
             1);
  ASSERT_STREQ (host, "::1");
  SocketDgram_free (&c);
  SocketDgram_free (&s);
}

TEST (multicast_argument_errors)
{
  SocketDgram_T s = SocketDgram_new (AF_INET, 0);

  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_joinmulticast (s, "10.0.0.1", NULL)),
             1);
  ASSERT (strstr (Socket_GetLastError (), "not an IPv4 multicast") != NULL);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_joinmulticast (s, "nonsense", NULL)),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_joinmulticast (s, NULL, NULL)),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_joinmulticast (s, "239.1.1.1", "nosuchif0")),
             1);
  ASSERT_EQ (Socket_geterrno (), ENODEV);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_leavemulticast (s, "ff02::1", "nosuchif0")),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketDgram_leavemulticast (s, "::1", NULL)),
             1);
  SocketDgram_free (&s);
}

/* ---- multicast in a private network namespace ----------------------- */

enum
{
  MC_OK = 0,
  MC_SKIP = 77
};

/* Bring lo up with multicast enabled inside the new namespace. */
static int
lo_up (void)
{
  struct ifreq ifr;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int rc;

  memset (&ifr, 0, sizeof ifr);
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  rc = ioctl (fd, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING | IFF_MULTICAST;
  if (rc == 0)
    rc = ioctl (fd, SIOCSIFFLAGS, &ifr);
  close (fd);
  return rc;
}

/* Join @p group on @p iface, send to @p dest, receive it, leave, and
 * check nothing more arrives. */
static int
mc_roundtrip (int family, const char *group, const char *iface,
              const char *dest)
{
  SocketDgram_T rx = SocketDgram_new (family, 0);
  SocketDgram_T tx = SocketDgram_new (family, 0);
  char buf[32];
  int one = 1, ok = 0, leaked = 0;

  SocketDgram_setreuseaddr (rx);
  SocketDgram_bind (rx, NULL, 0);
  SocketDgram_joinmulticast (rx, group, iface);
  /* Send out of lo and loop back to ourselves. */
  if (family == AF_INET)
    {
      struct in_addr lo = { htonl (INADDR_LOOPBACK) };
      setsockopt (SocketDgram_fd (tx), IPPROTO_IP, IP_MULTICAST_IF, &lo,
                  sizeof lo);
      setsockopt (SocketDgram_fd (tx), IPPROTO_IP, IP_MULTICAST_LOOP, &one,
                  sizeof one);
    }
  else
    {
      int idx = (int)if_nametoindex ("lo");
      setsockopt (SocketDgram_fd (tx), IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
                  sizeof idx);
      setsockopt (SocketDgram_fd (tx), IPPROTO_IPV6, IPV6_MULTICAST_LOOP,
                  &one, sizeof one);
    }
  SocketDgram_setttl (tx, 1);
  SocketDgram_sendto (tx, "mcast", 5, dest, SocketDgram_getlocalport (rx));
  if (readable (rx, 1000)
      && SocketDgram_recv (rx, buf, sizeof buf) == 5
      && memcmp (buf, "mcast", 5) == 0)
    ok = 1;
  SocketDgram_leavemulticast (rx, group, iface);
  SocketDgram_sendto (tx, "after", 5, dest, SocketDgram_getlocalport (rx));
  if (readable (rx, 200))
    leaked = 1;
  SocketDgram_free (&rx);
  SocketDgram_free (&tx);
  if (!ok)
    fprintf (stderr, "  multicast %s on %s: nothing received\n", group,
             iface ? iface : "(default)");
  if (leaked)
    fprintf (stderr, "  multicast %s: received after leaving\n", group);
  return ok && !leaked;
}

/* 1 if /proc/net/igmp6 lists @p hexgroup on @p iface. */
static int
igmp6_has (const char *iface, const char *hexgroup)
{
  char line[256];
  int found = 0;
  FILE *f = fopen ("/proc/net/igmp6", "r");

  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f) != NULL)
    if (strstr (line, iface) != NULL && strstr (line, hexgroup) != NULL)
      found = 1;
  fclose (f);
  return found;
}

/* IPv6: a fresh namespace's lo cannot loop IPv6 multicast back (no
 * link-local source, no route), so check the membership the kernel
 * records for the interface instead of a round trip. */
static int
mc6_membership (void)
{
  static const char hex[] = "ff150000000000000000000000004242";
  SocketDgram_T rx = SocketDgram_new (AF_INET6, 0);
  int joined, left;

  SocketDgram_bind (rx, NULL, 0);
  SocketDgram_joinmulticast (rx, "ff15::4242", "lo");
  joined = igmp6_has ("lo", hex);
  SocketDgram_leavemulticast (rx, "ff15::4242", "lo");
  left = igmp6_has ("lo", hex);
  SocketDgram_free (&rx);
  if (joined != 1 || left != 0)
    fprintf (stderr, "  IPv6 membership: joined=%d after-leave=%d\n", joined,
             left);
  return joined == 1 && left == 0;
}

static int
multicast_child (void)
{
  volatile int rc = MC_OK;

  if (unshare (CLONE_NEWNET) != 0
      && unshare (CLONE_NEWUSER | CLONE_NEWNET) != 0)
    {
      fprintf (stderr, "  unshare(CLONE_NEWNET): %s\n", strerror (errno));
      return MC_SKIP;
    }
  if (lo_up () != 0)
    {
      fprintf (stderr, "  cannot bring lo up: %s\n", strerror (errno));
      return MC_SKIP;
    }
  TRY
  {
    if (!mc_roundtrip (AF_INET, "239.255.42.1", "127.0.0.1", "239.255.42.1"))
      rc = 1;
    if (!mc_roundtrip (AF_INET, "239.255.42.2", "lo", "239.255.42.2"))
      rc = 2;
    if (!mc6_membership ())
      rc = 3;
  }
  ELSE
  {
    fprintf (stderr, "  exception: %s\n", Socket_GetLastError ());
    rc = 4;
  }
  END_TRY;
  return rc;
}

TEST (multicast_join_send_receive_leave_in_netns)
{
  int status = 0;
  pid_t pid;

  fflush (NULL);
  pid = fork ();
  ASSERT (pid >= 0);
  if (pid == 0)
    _exit (multicast_child ());
  ASSERT_EQ (waitpid (pid, &status, 0), pid);
  ASSERT (WIFEXITED (status));
  if (WEXITSTATUS (status) == MC_SKIP)
    TEST_SKIP ("network namespaces unavailable (see message above); "
               "multicast not exercised");
  ASSERT_EQ (WEXITSTATUS (status), MC_OK);
}

TEST (zz_no_leaks)
{
  ASSERT_EQ (SocketDgram_debug_live_count (), 0);
  ASSERT_EQ (test_count_fds (), baseline_fds);
}

TEST_MAIN ()
