/*
 * test_happy_eyeballs.c - RFC 8305 connection racing (socket/SocketHappyEyeballs.h).
 *
 * Two groups:
 * - default run: loopback only (127.0.0.1, ::1), public API and the
 *   address-list entry points of SocketHappyEyeballs-private.h;
 * - "--netns" (its own ctest entry, exit 77 = skipped): a forked child
 *   unshares a network namespace and builds a veth pair whose IPv6 peer
 *   address silently drops SYNs, then checks that IPv4 wins after the
 *   Connection Attempt Delay instead of the TCP timeout, and the timeouts.
 *   The namespace belongs to the child alone, so it disappears on every
 *   exit path of the child (return, crash, alarm).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "core/SocketUtil.h"
#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketHappyEyeballs-private.h"
#include "socket/SocketHappyEyeballs.h"

#define SKIP_CODE 77
#define BLACKHOLE6 "2001:db8:1::2"
#define BLACKHOLE6_B "2001:db8:1::3"
#define BLACKHOLE4 "10.99.0.2"

static int baseline_fds = -1;

/* ---- helpers ------------------------------------------------------------ */

static Socket_T
listener (int family, const char *addr)
{
  Socket_T l = Socket_new (family, SOCK_STREAM, 0);
  Socket_setreuseaddr (l);
  Socket_bind (l, addr, 0);
  Socket_listen (l, 16);
  return l;
}

/* A loopback port nobody listens on (bound then closed). */
static int
closed_port (int family, const char *addr)
{
  Socket_T l = listener (family, addr);
  int port = Socket_getlocalport (l);
  Socket_free (&l);
  return port;
}

static int
ipv6_available (void)
{
  volatile int ok = 1;
  Socket_T volatile l = NULL;

  TRY l = listener (AF_INET6, "::1");
  ELSE ok = 0;
  END_TRY;
  if (l != NULL)
    Socket_free ((Socket_T *)&l);
  return ok;
}

/* Address-list entries built by hand (no resolver involved). */
struct addr_list
{
  struct addrinfo ai[8];
  struct sockaddr_storage ss[8];
  int n;
};

static void
addr_add (struct addr_list *l, const char *ip, int port)
{
  struct addrinfo *ai = &l->ai[l->n];
  struct sockaddr_storage *ss = &l->ss[l->n];

  memset (ai, 0, sizeof *ai);
  memset (ss, 0, sizeof *ss);
  if (strchr (ip, ':') != NULL)
    {
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
      s6->sin6_family = AF_INET6;
      s6->sin6_port = htons ((uint16_t)port);
      inet_pton (AF_INET6, ip, &s6->sin6_addr);
      ai->ai_family = AF_INET6;
      ai->ai_addrlen = sizeof *s6;
    }
  else
    {
      struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
      s4->sin_family = AF_INET;
      s4->sin_port = htons ((uint16_t)port);
      inet_pton (AF_INET, ip, &s4->sin_addr);
      ai->ai_family = AF_INET;
      ai->ai_addrlen = sizeof *s4;
    }
  ai->ai_socktype = SOCK_STREAM;
  ai->ai_protocol = IPPROTO_TCP;
  ai->ai_addr = (struct sockaddr *)ss;
  if (l->n > 0)
    l->ai[l->n - 1].ai_next = ai;
  l->n++;
}

static int
is_blocking (Socket_T s)
{
  int fl = fcntl (Socket_fd (s), F_GETFL);
  return fl >= 0 && !(fl & O_NONBLOCK);
}

/* 1 if @p l has a connection waiting within @p ms. */
static int
has_pending (Socket_T l, int ms)
{
  struct pollfd p = { Socket_fd (l), POLLIN, 0 };
  return poll (&p, 1, ms) == 1;
}

/* Run the seed README's event loop on @p he until it is over. */
static void
drive (SocketHE_T he, SocketPoll_T poll, int limit_ms)
{
  int64_t end = test_now_ms () + limit_ms;

  while (!SocketHappyEyeballs_poll (he) && test_now_ms () < end)
    {
      SocketEvent_T *events;
      int timeout = SocketHappyEyeballs_next_timeout_ms (he);

      if (timeout < 0 || timeout > 100)
        timeout = 100;
      SocketPoll_wait (poll, &events, timeout);
      SocketHappyEyeballs_process (he);
    }
}

/* ---- configuration and arguments --------------------------------------- */

TEST (config_defaults)
{
  SocketHE_Config_T c;

  memset (&c, 0x5a, sizeof c);
  SocketHappyEyeballs_config_defaults (&c);
  ASSERT_EQ (c.first_attempt_delay_ms, 250);
  ASSERT_EQ (c.attempt_timeout_ms, 5000);
  ASSERT_EQ (c.total_timeout_ms, 30000);
  ASSERT_EQ (c.prefer_ipv6, 1);
  ASSERT_EQ (c.max_attempts, 2);
  ASSERT_EQ (sizeof (SocketHE_Config_T), 20);
}

TEST (invalid_arguments_raise)
{
  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (16);

  ASSERT_EQ (RAISES (SocketHE_Failed, SocketHappyEyeballs_connect (NULL, 80, NULL)), 1);
  ASSERT_EQ (RAISES (SocketHE_Failed, SocketHappyEyeballs_connect ("127.0.0.1", 0, NULL)), 1);
  ASSERT_EQ (RAISES (SocketHE_Failed, SocketHappyEyeballs_connect ("127.0.0.1", 65536, NULL)), 1);
  ASSERT_EQ (RAISES (SocketHE_Failed, SocketHappyEyeballs_start (NULL, poll, "127.0.0.1", 80, NULL)), 1);
  ASSERT_EQ (RAISES (SocketHE_Failed, SocketHappyEyeballs_start (dns, poll, "", 80, NULL)), 1);
  ASSERT_EQ (SocketHappyEyeballs_state (NULL), HE_STATE_IDLE);
  ASSERT_EQ (SocketHappyEyeballs_next_timeout_ms (NULL), -1);
  ASSERT (SocketHappyEyeballs_error (NULL) == NULL);
  ASSERT (SocketHappyEyeballs_result (NULL) == NULL);
  SocketHappyEyeballs_free (NULL);
  SocketPoll_free (&poll);
  SocketDNS_free (&dns);
}

/* ---- blocking connect ---------------------------------------------------- */

static void
check_connect_numeric (int family, const char *ip)
{
  Socket_T l = listener (family, ip);
  Socket_T c, a;
  char buf[4] = { 0 };

  c = SocketHappyEyeballs_connect (ip, Socket_getlocalport (l), NULL);
  ASSERT (c != NULL);
  ASSERT (Socket_isconnected (c));
  ASSERT (is_blocking (c));
  ASSERT_STREQ (Socket_getpeeraddr (c), ip);
  ASSERT_EQ (Socket_getpeerport (c), Socket_getlocalport (l));
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_sendall (c, "ping", 4);
  Socket_recvall (a, buf, 4);
  ASSERT_MEMEQ (buf, "ping", 4);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (connect_numeric_ipv4_only)
{
  check_connect_numeric (AF_INET, "127.0.0.1");
}

TEST (connect_numeric_ipv6_only)
{
  if (!ipv6_available ())
    TEST_SKIP ("IPv6 loopback unavailable");
  check_connect_numeric (AF_INET6, "::1");
}

TEST (connect_refused_fails_quickly)
{
  int port = closed_port (AF_INET, "127.0.0.1");
  int64_t t0 = test_now_ms (), elapsed;
  volatile int raised = 0;
  char reason[256] = "";

  TRY SocketHappyEyeballs_connect ("127.0.0.1", port, NULL);
  EXCEPT (SocketHE_Failed)
  {
    raised = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  }
  END_TRY;
  elapsed = test_now_ms () - t0;
  ASSERT_EQ (raised, 1);
  ASSERT_STREQ (reason, "All connection attempts failed");
  ASSERT (elapsed < 4000); /* not the 5000 ms attempt timeout */
}

TEST (connect_both_families_ipv6_wins)
{
  Socket_T l4, l6, c, a;
  struct addr_list al = { .n = 0 };
  SocketHE_Config_T cfg;

  if (!ipv6_available ())
    TEST_SKIP ("IPv6 loopback unavailable");
  l4 = listener (AF_INET, "127.0.0.1");
  l6 = listener (AF_INET6, "::1");
  /* IPv4 listed first: the sort must still put IPv6 first. */
  addr_add (&al, "127.0.0.1", Socket_getlocalport (l4));
  addr_add (&al, "::1", Socket_getlocalport (l6));
  c = SocketHappyEyeballs__connect_addrinfo (&al.ai[0], NULL);
  ASSERT_STREQ (Socket_getpeeraddr (c), "::1");
  ASSERT (is_blocking (c));
  a = Socket_accept (l6);
  Socket_free (&a);
  /* The IPv4 attempt was never needed, so never started. */
  ASSERT (!has_pending (l4, 100));
  Socket_free (&c);

  /* prefer_ipv6 = 0: IPv4 first. */
  SocketHappyEyeballs_config_defaults (&cfg);
  cfg.prefer_ipv6 = 0;
  c = SocketHappyEyeballs__connect_addrinfo (&al.ai[0], &cfg);
  ASSERT_STREQ (Socket_getpeeraddr (c), "127.0.0.1");
  a = Socket_accept (l4);
  Socket_free (&a);
  ASSERT (!has_pending (l6, 100));
  Socket_free (&c);
  Socket_free (&l4);
  Socket_free (&l6);
}

TEST (failure_starts_next_attempt_at_once_interleaved)
{
  /* [::1 refused, ::1 listening, 127.0.0.1 listening], one attempt at a
   * time, 2 s delay: RFC 8305 interleaving tries 127.0.0.1 second, and a
   * refused attempt hands over at once instead of after the delay. */
  Socket_T l4, l6, c, a;
  struct addr_list al = { .n = 0 };
  SocketHE_Config_T cfg;
  int64_t t0, elapsed;

  if (!ipv6_available ())
    TEST_SKIP ("IPv6 loopback unavailable");
  l4 = listener (AF_INET, "127.0.0.1");
  l6 = listener (AF_INET6, "::1");
  addr_add (&al, "::1", closed_port (AF_INET6, "::1"));
  addr_add (&al, "::1", Socket_getlocalport (l6));
  addr_add (&al, "127.0.0.1", Socket_getlocalport (l4));
  SocketHappyEyeballs_config_defaults (&cfg);
  /* Every timer far beyond scheduling delays: "at once" is unmistakable. */
  cfg.first_attempt_delay_ms = 20000;
  cfg.attempt_timeout_ms = 30000;
  cfg.total_timeout_ms = 60000;
  cfg.max_attempts = 1;
  t0 = test_now_ms ();
  c = SocketHappyEyeballs__connect_addrinfo (&al.ai[0], &cfg);
  elapsed = test_now_ms () - t0;
  ASSERT_STREQ (Socket_getpeeraddr (c), "127.0.0.1");
  ASSERT (elapsed < 10000);
  a = Socket_accept (l4);
  Socket_free (&a);
  ASSERT (!has_pending (l6, 50));
  Socket_free (&c);
  Socket_free (&l4);
  Socket_free (&l6);
}

TEST (connect_timeout_when_backlog_full)
{
  /* Linux drops SYNs to a listener whose accept queue is full, so the
   * attempt hangs until the total timeout fires. */
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  int fill[8], nfill = 0, port;
  SocketHE_Config_T cfg;
  volatile int raised = 0, hung = 0;
  char reason[256] = "";
  int64_t t0, elapsed = 0;

  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 1);
  port = Socket_getlocalport (l);
  for (int i = 0; i < 8 && !hung; i++)
    {
      struct sockaddr_in sin = { .sin_family = AF_INET,
                                 .sin_port = htons ((uint16_t)port) };
      struct pollfd p;

      sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      fill[nfill] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      connect (fill[nfill], (struct sockaddr *)&sin, sizeof sin);
      p.fd = fill[nfill++];
      p.events = POLLOUT;
      p.revents = 0;
      /* Long enough that a slow handshake on a loaded machine is not
       * taken for a dropped SYN. */
      if (poll (&p, 1, 1500) == 0)
        hung = 1;
    }
  if (hung)
    {
      SocketHappyEyeballs_config_defaults (&cfg);
      cfg.total_timeout_ms = 300;
      t0 = test_now_ms ();
      TRY SocketHappyEyeballs_connect ("127.0.0.1", port, &cfg);
      EXCEPT (SocketHE_Failed)
      {
        raised = 1;
        snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
      }
      END_TRY;
      elapsed = test_now_ms () - t0;
    }
  for (int i = 0; i < nfill; i++)
    close (fill[i]);
  Socket_free (&l);
  if (!hung)
    TEST_SKIP ("kernel accepted every connection; no timeout to observe");
  ASSERT_EQ (raised, 1);
  ASSERT_STREQ (reason, "Connection timed out");
  ASSERT (elapsed >= 250 && elapsed < 20000); /* the deadline, no hang */
}

/* ---- asynchronous API ---------------------------------------------------- */

TEST (async_numeric_connects)
{
  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (16);
  Socket_T l = listener (AF_INET, "127.0.0.1");
  SocketHE_T he;
  Socket_T s, a;

  he = SocketHappyEyeballs_start (dns, poll, "127.0.0.1", Socket_getlocalport (l), NULL);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_RESOLVING);
  ASSERT_EQ (SocketHappyEyeballs_poll (he), 0);
  ASSERT_EQ (SocketHappyEyeballs_next_timeout_ms (he), 0);
  ASSERT (SocketHappyEyeballs_result (he) == NULL);
  drive (he, poll, 20000);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_CONNECTED);
  ASSERT (SocketHappyEyeballs_error (he) == NULL);
  ASSERT_EQ (SocketHappyEyeballs_next_timeout_ms (he), -1);
  s = SocketHappyEyeballs_result (he);
  ASSERT (s != NULL);
  ASSERT (SocketHappyEyeballs_result (he) == NULL); /* only once */
  ASSERT (is_blocking (s));
  ASSERT_STREQ (Socket_getpeeraddr (s), "127.0.0.1");
  a = Socket_accept (l);
  ASSERT (a != NULL);
  SocketHappyEyeballs_free (&he);
  ASSERT (he == NULL);
  Socket_free (&a);
  Socket_free (&s);
  Socket_free (&l);
  SocketPoll_free (&poll);
  SocketDNS_free (&dns);
}

TEST (async_resolves_localhost_through_resolver)
{
  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (16);
  Socket_T l4 = listener (AF_INET, "127.0.0.1");
  Socket_T volatile l6 = NULL;
  int port = Socket_getlocalport (l4);
  SocketHE_T he;
  Socket_T s;

  /* Listen on ::1 with the same port when possible: "localhost" may
   * resolve to either family. */
  TRY
  {
    l6 = Socket_new (AF_INET6, SOCK_STREAM, 0);
    Socket_bind (l6, "::1", port);
    Socket_listen (l6, 4);
  }
  ELSE
  {
    if (l6 != NULL)
      Socket_free ((Socket_T *)&l6);
  }
  END_TRY;
  he = SocketHappyEyeballs_start (dns, poll, "localhost", port, NULL);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_RESOLVING);
  ASSERT (SocketHappyEyeballs_next_timeout_ms (he) > 0);
  drive (he, poll, 5000);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_CONNECTED);
  s = SocketHappyEyeballs_result (he);
  ASSERT (s != NULL);
  ASSERT_EQ (Socket_getpeerport (s), port);
  SocketHappyEyeballs_free (&he);
  Socket_free (&s);
  if (l6 != NULL)
    Socket_free ((Socket_T *)&l6);
  Socket_free (&l4);
  SocketPoll_free (&poll);
  SocketDNS_free (&dns);
}

TEST (async_all_refused_reports_failure)
{
  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (16);
  SocketHE_T he;

  he = SocketHappyEyeballs_start (dns, poll, "127.0.0.1", closed_port (AF_INET, "127.0.0.1"), NULL);
  drive (he, poll, 20000);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_FAILED);
  ASSERT_STREQ (SocketHappyEyeballs_error (he), "All connection attempts failed");
  ASSERT (SocketHappyEyeballs_result (he) == NULL);
  SocketHappyEyeballs_cancel (he); /* no-op once over */
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_FAILED);
  SocketHappyEyeballs_free (&he);
  SocketPoll_free (&poll);
  SocketDNS_free (&dns);
}

TEST (async_cancel_and_free_without_result)
{
  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (16);
  Socket_T l = listener (AF_INET, "127.0.0.1");
  SocketHE_T he;
  int live = Socket_debug_live_count ();

  he = SocketHappyEyeballs_start (dns, poll, "127.0.0.1", Socket_getlocalport (l), NULL);
  SocketHappyEyeballs_cancel (he);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_CANCELLED);
  ASSERT_EQ (SocketHappyEyeballs_poll (he), 1);
  ASSERT (SocketHappyEyeballs_error (he) == NULL);
  ASSERT (SocketHappyEyeballs_result (he) == NULL);
  SocketHappyEyeballs_process (he); /* no-op */
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_CANCELLED);
  SocketHappyEyeballs_free (&he);

  /* A winner never taken is closed by free. */
  he = SocketHappyEyeballs_start (dns, poll, "127.0.0.1", Socket_getlocalport (l), NULL);
  drive (he, poll, 20000);
  ASSERT_EQ (SocketHappyEyeballs_state (he), HE_STATE_CONNECTED);
  SocketHappyEyeballs_free (&he);
  ASSERT_EQ (Socket_debug_live_count (), live);
  Socket_free (&l);
  SocketPoll_free (&poll);
  SocketDNS_free (&dns);
}

/* ---- network namespace: IPv6 black hole, IPv4 working -------------------- */

static int
netns_setup (void)
{
  static const char cmd[]
      = "ip link set lo up"
        " && ip link add hev0 type veth peer name hev1"
        " && ip link set hev0 up && ip link set hev1 up"
        " && ip -6 addr add 2001:db8:1::1/64 dev hev0 nodad"
        " && ip -6 neigh replace " BLACKHOLE6
        " lladdr 02:00:00:00:00:02 dev hev0 nud permanent"
        " && ip -6 neigh replace " BLACKHOLE6_B
        " lladdr 02:00:00:00:00:03 dev hev0 nud permanent"
        " && ip addr add 10.99.0.1/24 dev hev0"
        " && ip neigh replace " BLACKHOLE4
        " lladdr 02:00:00:00:00:04 dev hev0 nud permanent";
  struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons (9) };
  struct pollfd p;
  int fd, rc;

  if (unshare (CLONE_NEWNET) != 0)
    {
      fprintf (stderr, "  skip: unshare(CLONE_NEWNET): %s (needs root)\n",
               strerror (errno));
      return -1;
    }
  rc = system (cmd);
  if (rc != 0)
    {
      fprintf (stderr, "  skip: iproute2/veth setup failed (%d): %s\n", rc, cmd);
      return -1;
    }
  /* Precondition: a SYN to the black hole gets no answer at all. */
  inet_pton (AF_INET6, BLACKHOLE6, &s6.sin6_addr);
  fd = socket (AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  rc = connect (fd, (struct sockaddr *)&s6, sizeof s6);
  p.fd = fd;
  p.events = POLLOUT;
  p.revents = 0;
  if (rc == 0 || errno != EINPROGRESS || poll (&p, 1, 300) != 0)
    {
      fprintf (stderr, "  skip: %s is not a silent black hole here\n", BLACKHOLE6);
      close (fd);
      return -1;
    }
  close (fd);
  return 0;
}

/* Each check prints why it failed and returns 0/1. */
#define NS_CHECK(cond)                                                        \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        {                                                                     \
          fprintf (stderr, "  %s:%d: check failed: %s\n", __FILE__,          \
                   __LINE__, #cond);                                          \
          return 1;                                                           \
        }                                                                     \
    }                                                                         \
  while (0)

static int
ns_sync_race (void)
{
  Socket_T l4 = listener (AF_INET, "127.0.0.1");
  struct addr_list al = { .n = 0 };
  Socket_T c;
  int64_t t0, elapsed;
  int ok;

  addr_add (&al, BLACKHOLE6, 80);
  addr_add (&al, "127.0.0.1", Socket_getlocalport (l4));
  t0 = test_now_ms ();
  c = SocketHappyEyeballs__connect_addrinfo (&al.ai[0], NULL);
  elapsed = test_now_ms () - t0;
  fprintf (stderr, "  sync race: IPv4 won after %lld ms\n", (long long)elapsed);
  ok = strcmp (Socket_getpeeraddr (c), "127.0.0.1") == 0;
  Socket_free (&c);
  Socket_free (&l4);
  NS_CHECK (ok);
  /* About 250 ms (the delay); a lost race waits for the IPv6 attempt's
   * 5000 ms timeout. */
  NS_CHECK (elapsed >= 200 && elapsed < 4500);
  return 0;
}

static int
ns_async_race (void)
{
  SocketPoll_T poll = SocketPoll_new (16);
  Socket_T l4 = listener (AF_INET, "127.0.0.1");
  struct addr_list al = { .n = 0 };
  SocketHE_Config_T zero;
  SocketHE_T he;
  Socket_T c;
  int64_t t0, t_next, elapsed;
  int next, state, ok;

  memset (&zero, 0, sizeof zero); /* 0 = defaults; prefer_ipv6 0 = IPv4 */
  zero.prefer_ipv6 = 1;
  addr_add (&al, "127.0.0.1", Socket_getlocalport (l4));
  addr_add (&al, BLACKHOLE6, 80);
  t0 = test_now_ms ();
  he = SocketHappyEyeballs__start_addrinfo (poll, &al.ai[0], &zero);
  SocketHappyEyeballs_process (he);
  state = SocketHappyEyeballs_state (he);
  next = SocketHappyEyeballs_next_timeout_ms (he);
  t_next = test_now_ms ();
  drive (he, poll, 20000);
  elapsed = test_now_ms () - t0;
  fprintf (stderr, "  async race: state %d after %lld ms (first timeout %d)\n",
           SocketHappyEyeballs_state (he), (long long)elapsed, next);
  NS_CHECK (state == HE_STATE_CONNECTING);
  /* The default delay minus the time spent since the start, not 0 (a
   * descheduled test may legitimately see less). */
  NS_CHECK (next <= 250 && next >= 250 - (t_next - t0) - 2);
  NS_CHECK (SocketHappyEyeballs_state (he) == HE_STATE_CONNECTED);
  c = SocketHappyEyeballs_result (he);
  ok = c != NULL && strcmp (Socket_getpeeraddr (c), "127.0.0.1") == 0;
  Socket_free (&c);
  SocketHappyEyeballs_free (&he);
  Socket_free (&l4);
  SocketPoll_free (&poll);
  NS_CHECK (ok);
  /* About 250 ms (the delay); a lost race waits for the IPv6 attempt's
   * 5000 ms timeout. */
  NS_CHECK (elapsed >= 200 && elapsed < 4500);
  return 0;
}

static int
ns_total_timeout (void)
{
  SocketHE_Config_T cfg;
  volatile int raised = 0;
  char reason[256] = "";
  int64_t t0, elapsed;

  SocketHappyEyeballs_config_defaults (&cfg);
  cfg.total_timeout_ms = 300;
  t0 = test_now_ms ();
  TRY SocketHappyEyeballs_connect (BLACKHOLE6, 80, &cfg);
  EXCEPT (SocketHE_Failed)
  {
    raised = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  }
  END_TRY;
  elapsed = test_now_ms () - t0;
  fprintf (stderr, "  total timeout: \"%s\" after %lld ms\n", reason,
           (long long)elapsed);
  NS_CHECK (raised);
  NS_CHECK (strcmp (reason, "Connection timed out") == 0);
  NS_CHECK (elapsed >= 250 && elapsed < 20000); /* the deadline, no hang */
  return 0;
}

static int
ns_attempt_timeout (void)
{
  struct addr_list al = { .n = 0 };
  SocketHE_Config_T cfg;
  volatile int raised = 0;
  char reason[256] = "";
  int64_t t0, elapsed;

  addr_add (&al, BLACKHOLE6, 80);
  addr_add (&al, BLACKHOLE6_B, 80);
  SocketHappyEyeballs_config_defaults (&cfg);
  cfg.max_attempts = 1;
  cfg.attempt_timeout_ms = 200;
  cfg.total_timeout_ms = -1;
  t0 = test_now_ms ();
  TRY SocketHappyEyeballs__connect_addrinfo (&al.ai[0], &cfg);
  EXCEPT (SocketHE_Failed)
  {
    raised = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  }
  END_TRY;
  elapsed = test_now_ms () - t0;
  fprintf (stderr, "  attempt timeouts: \"%s\" after %lld ms\n", reason,
           (long long)elapsed);
  NS_CHECK (raised);
  NS_CHECK (strcmp (reason, "All connection attempts failed") == 0);
  /* Two attempts, one by one; no hang. */
  NS_CHECK (elapsed >= 350 && elapsed < 20000);
  return 0;
}

static int
ns_failure_starts_next_at_once (void)
{
  /* Sorted: BH6 (t=0), BH4 (t=3000, the delay), 127.0.0.1. BH6 times out
   * at 3200 while BH4 is still pending: the freed slot must start
   * 127.0.0.1 at once (~3200 ms), not wait for the delay (~6000 ms); the
   * gap between the two leaves seconds for scheduling delays. */
  Socket_T l4 = listener (AF_INET, "127.0.0.1");
  struct addr_list al = { .n = 0 };
  SocketHE_Config_T cfg;
  Socket_T c;
  int64_t t0, elapsed;
  int ok;

  addr_add (&al, BLACKHOLE6, 80);
  addr_add (&al, BLACKHOLE4, 80);
  addr_add (&al, "127.0.0.1", Socket_getlocalport (l4));
  SocketHappyEyeballs_config_defaults (&cfg);
  cfg.first_attempt_delay_ms = 3000;
  cfg.attempt_timeout_ms = 3200;
  t0 = test_now_ms ();
  c = SocketHappyEyeballs__connect_addrinfo (&al.ai[0], &cfg);
  elapsed = test_now_ms () - t0;
  fprintf (stderr, "  failure hand-over: IPv4 loopback won after %lld ms\n",
           (long long)elapsed);
  ok = strcmp (Socket_getpeeraddr (c), "127.0.0.1") == 0;
  Socket_free (&c);
  Socket_free (&l4);
  NS_CHECK (ok);
  NS_CHECK (elapsed >= 3100 && elapsed < 5500);
  return 0;
}

static int
ns_cancel_connecting (void)
{
  SocketPoll_T poll = SocketPoll_new (16);
  struct addr_list al = { .n = 0 };
  SocketHE_T he;
  int fds = test_count_fds (), state;

  addr_add (&al, BLACKHOLE6, 80);
  he = SocketHappyEyeballs__start_addrinfo (poll, &al.ai[0], NULL);
  SocketHappyEyeballs_process (he);
  state = SocketHappyEyeballs_state (he);
  NS_CHECK (test_count_fds () == fds + 1); /* the pending attempt */
  SocketHappyEyeballs_free (&he);
  NS_CHECK (state == HE_STATE_CONNECTING);
  NS_CHECK (test_count_fds () == fds);
  SocketPoll_free (&poll);
  return 0;
}

static int
netns_child (void)
{
  volatile int rc = 0;

  alarm (150); /* below the ctest TIMEOUT: each check bounds itself */
  if (netns_setup () != 0)
    return SKIP_CODE;
  TRY
  {
    rc |= ns_sync_race ();
    rc |= ns_async_race () << 1;
    rc |= ns_total_timeout () << 2;
    rc |= ns_attempt_timeout () << 3;
    rc |= ns_cancel_connecting () << 4;
    rc |= ns_failure_starts_next_at_once () << 5;
  }
  ELSE
  {
    fprintf (stderr, "  exception: %s\n", Except_frame.exception->reason);
    rc = 1 << 7;
  }
  END_TRY;
  if (Socket_debug_live_count () != 0)
    rc |= 1 << 6;
  return rc == SKIP_CODE ? 1 : rc; /* a failure must never read as a skip */
}

TEST (netns_ipv6_blackhole_ipv4_wins)
{
  int status = 0;
  pid_t pid;

  fflush (NULL);
  pid = fork ();
  ASSERT (pid >= 0);
  if (pid == 0)
    _exit (netns_child ());
  ASSERT_EQ (waitpid (pid, &status, 0), pid);
  ASSERT (WIFEXITED (status));
  if (WEXITSTATUS (status) == SKIP_CODE)
    {
      test_failed_ = SKIP_CODE;
      TEST_SKIP ("network namespace unavailable (see message above)");
    }
  ASSERT_EQ (WEXITSTATUS (status), 0);
}

TEST (zz_no_leaks)
{
  ASSERT_EQ (Socket_debug_live_count (), 0);
  ASSERT_EQ (test_count_fds (), baseline_fds);
}

/*
 * Default: every test except netns_*. "--netns": only those, exit 77 when
 * the namespace cannot be built (ctest SKIP_RETURN_CODE). A name runs the
 * tests whose names contain it.
 */
int
main (int argc, char **argv)
{
  int netns = argc > 1 && strcmp (argv[1], "--netns") == 0;
  const char *filter = (!netns && argc > 1) ? argv[1] : NULL;
  int passed = 0, failed = 0, skipped = 0;

  signal (SIGPIPE, SIG_IGN);
  baseline_fds = test_count_fds ();
  for (int i = 0; i < test_count_; i++)
    {
      const char *name = test_cases_[i].name;
      int is_ns = strncmp (name, "netns_", 6) == 0;

      if (is_ns != netns && strcmp (name, "zz_no_leaks") != 0)
        continue;
      if (filter != NULL && strstr (name, filter) == NULL)
        continue;
      test_failed_ = 0;
      test_cases_[i].fn ();
      if (test_failed_ == SKIP_CODE)
        skipped++;
      printf ("%s %s\n", test_failed_ == SKIP_CODE ? "skip" : test_failed_ ? "FAIL" : "ok  ", name);
      fflush (stdout);
      if (test_failed_ && test_failed_ != SKIP_CODE)
        failed++;
      else
        passed++;
    }
  printf ("%d passed, %d failed\n", passed, failed);
  if (failed)
    return 1;
  return (netns && skipped) ? SKIP_CODE : 0;
}
