/*
 * test_reconnect.c - SocketReconnect against a loopback TCP server that the
 * tests start, kill and restart; timers stepped with an injected clock
 * (SocketExt_reconnect_set_clock) so backoff and circuit timings are exact.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <string.h>

#include "Test.h"
#include "SocketTestUtil.h"
#include "socket/Socket.h"
#include "socket/SocketExt.h"
#include "socket/SocketReconnect.h"

typedef SocketReconnect_T RC;

/* ---- fake clock ------------------------------------------------------ */

static int64_t fake_now = 1000000;

static int64_t
fake_clock (void *ud)
{
  (void)ud;
  return fake_now;
}

/* ---- transition log ---------------------------------------------------- */

#define LOG_MAX 256
struct log
{
  int n;
  SocketReconnect_State from[LOG_MAX], to[LOG_MAX];
  RC conn[LOG_MAX];
};

static void
log_cb (RC conn, SocketReconnect_State old, SocketReconnect_State new_state,
        void *ud)
{
  struct log *l = ud;
  if (l->n < LOG_MAX)
    {
      l->from[l->n] = old;
      l->to[l->n] = new_state;
      l->conn[l->n] = conn;
      l->n++;
    }
}

/* 1 if the log is a chain starting at DISCONNECTED with no self-loops. */
static int
log_is_chain (const struct log *l, RC conn)
{
  SocketReconnect_State cur = RECONNECT_DISCONNECTED;
  for (int i = 0; i < l->n; i++)
    {
      if (l->from[i] != cur || l->to[i] == l->from[i] || l->conn[i] != conn)
        return 0;
      cur = l->to[i];
    }
  return 1;
}

static int
log_has (const struct log *l, SocketReconnect_State a, SocketReconnect_State b)
{
  for (int i = 0; i < l->n; i++)
    if (l->from[i] == a && l->to[i] == b)
      return 1;
  return 0;
}

/* ---- loopback server --------------------------------------------------- */

static Socket_T
server_start (const char *host, int port)
{
  Socket_T s = Socket_new (strchr (host, ':') ? AF_INET6 : AF_INET,
                           SOCK_STREAM, 0);
  Socket_setreuseaddr (s);
  Socket_bind (s, host, port);
  Socket_listen (s, 16);
  Socket_setnonblocking (s);
  return s;
}

/* A port on which nothing listens (bound once, then closed). */
static int
dead_port (void)
{
  Socket_T s = server_start ("127.0.0.1", 0);
  int port = Socket_getlocalport (s);
  Socket_free (&s);
  return port;
}

static RC
make (int port, const SocketReconnect_Policy_T *p, struct log *l, int fake)
{
  RC c = SocketReconnect_new ("127.0.0.1", port, p, l ? log_cb : NULL, l);
  if (fake)
    SocketExt_reconnect_set_clock (c, fake_clock, NULL);
  return c;
}

/*
 * Run the client's loop (poll on its fd, process, tick) for at most
 * @p max_ms real milliseconds or until it reaches @p until. Accepts one
 * connection on @p srv into *@p acc when given.
 */
static void
pump (RC c, int max_ms, SocketReconnect_State until, Socket_T srv,
      Socket_T *acc)
{
  int64_t end = test_now_ms () + max_ms;

  while (test_now_ms () < end)
    {
      int fd = SocketReconnect_pollfd (c);
      int t = SocketReconnect_next_timeout_ms (c);
      struct pollfd pfd = { fd, POLLOUT, 0 };

      if (srv != NULL && acc != NULL && *acc == NULL)
        *acc = Socket_accept (srv);
      if (SocketReconnect_state (c) == until && (acc == NULL || *acc != NULL))
        return;
      if (SocketReconnect_state (c) != RECONNECT_CONNECTING)
        pfd.events = POLLIN;
      if (t < 0 || t > 5)
        t = 5;
      (void)poll (&pfd, fd >= 0, t);
      SocketReconnect_process (c);
      SocketReconnect_tick (c);
    }
}

static SocketReconnect_Policy_T
quiet_policy (void)
{
  SocketReconnect_Policy_T p;
  SocketReconnect_policy_defaults (&p);
  p.initial_delay_ms = 100;
  p.multiplier = 2.0;
  p.max_delay_ms = 1000;
  p.jitter = 0.0;
  p.max_attempts = 0;
  p.circuit_failure_threshold = 1 << 30; /* never opens in these tests */
  p.health_check_interval_ms = 0;
  return p;
}

/* ---- tests ------------------------------------------------------------- */

TEST (state_names)
{
  ASSERT_STREQ (SocketReconnect_state_name (RECONNECT_DISCONNECTED),
                "DISCONNECTED");
  ASSERT_STREQ (SocketReconnect_state_name (RECONNECT_CONNECTING),
                "CONNECTING");
  ASSERT_STREQ (SocketReconnect_state_name (RECONNECT_CONNECTED),
                "CONNECTED");
  ASSERT_STREQ (SocketReconnect_state_name (RECONNECT_BACKOFF), "BACKOFF");
  ASSERT_STREQ (SocketReconnect_state_name (RECONNECT_CIRCUIT_OPEN),
                "CIRCUIT_OPEN");
  ASSERT_STREQ (SocketReconnect_state_name ((SocketReconnect_State)5),
                "UNKNOWN");
  ASSERT_STREQ (SocketReconnect_state_name ((SocketReconnect_State)-1),
                "UNKNOWN");
  ASSERT_EQ (RECONNECT_DISCONNECTED, 0);
  ASSERT_EQ (RECONNECT_CIRCUIT_OPEN, 4);
  ASSERT_EQ (sizeof (SocketReconnect_Policy_T), 48);
}

TEST (policy_defaults)
{
  SocketReconnect_Policy_T p;
  memset (&p, 0x55, sizeof p);
  SocketReconnect_policy_defaults (&p);
  ASSERT_EQ (p.initial_delay_ms, 100);
  ASSERT_EQ (p.max_delay_ms, 30000);
  ASSERT (p.multiplier == 2.0);
  ASSERT (p.jitter == 0.25);
  ASSERT_EQ (p.max_attempts, 10);
  ASSERT_EQ (p.circuit_failure_threshold, 5);
  ASSERT_EQ (p.circuit_reset_timeout_ms, 60000);
  ASSERT_EQ (p.health_check_interval_ms, 30000);
  ASSERT_EQ (p.health_check_timeout_ms, 5000);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_policy_defaults (NULL)),
             1);
}

static int cb_calls;

static void
count_cb (RC conn, SocketReconnect_State old, SocketReconnect_State new_state,
          void *ud)
{
  (void)conn, (void)old, (void)new_state, (void)ud;
  cb_calls++;
}

TEST (new_and_bad_arguments)
{
  char longhost[300];
  RC c = NULL;
  char buf[4];

  memset (longhost, 'a', 256);
  longhost[256] = '\0';
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_new (NULL, 80, NULL, NULL, NULL)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_new (longhost, 80, NULL, NULL, NULL)),
             1);
  ASSERT (strstr (Socket_GetLastError (), "Hostname too long (256 > 255 max)")
          != NULL);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_new ("127.0.0.1", 0, NULL, NULL, NULL)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed, SocketReconnect_new (
                                                 "127.0.0.1", 65536, NULL,
                                                 NULL, NULL)),
             1);
  longhost[255] = '\0'; /* 255 bytes is allowed */
  c = SocketReconnect_new (longhost, 65535, NULL, count_cb, NULL);
  ASSERT (c != NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_attempts (c), 0);
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  ASSERT (SocketReconnect_socket (c) == NULL);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), -1);
  /* disconnect in DISCONNECTED and reset: no state change, no callback */
  SocketReconnect_disconnect (c);
  SocketReconnect_reset (c);
  ASSERT_EQ (cb_calls, 0);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_send (c, NULL, 1)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_recv (c, NULL, 1)),
             1);
  /* Not connected: -1/ENOTCONN, as the original. */
  errno = 0;
  ASSERT_EQ (SocketReconnect_send (c, "x", 1), -1);
  ASSERT_EQ (errno, ENOTCONN);
  errno = 0;
  ASSERT_EQ (SocketReconnect_recv (c, buf, sizeof buf), -1);
  ASSERT_EQ (errno, ENOTCONN);
  SocketReconnect_free (&c);
  ASSERT (c == NULL);
  SocketReconnect_free (&c);
  SocketReconnect_free (NULL);

  ASSERT_EQ (RAISES (SocketReconnect_Failed, SocketReconnect_connect (NULL)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed, SocketReconnect_state (NULL)), 1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed, SocketReconnect_tick (NULL)), 1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed, SocketReconnect_process (NULL)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketReconnect_send (NULL, "x", 1)),
             1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketExt_reconnect_set_clock (NULL, fake_clock, NULL)),
             1);
}

TEST (backoff_formula)
{
  SocketReconnect_Policy_T p = quiet_policy ();

  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 0, 0.5), 100);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 1, 0.5), 200);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 3, 0.5), 800);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 4, 0.5), 1000); /* cap */
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 1000000, 0.5), 1000);
  p.jitter = 0.25;
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 1, 0.0), 150);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 1, 1.0), 250);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 9, 1.0), 1250); /* > cap */
  p.multiplier = NAN;
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 2, 0.5), 1000);
  p.multiplier = 2.0;
  p.initial_delay_ms = 0;
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 2, 0.0), 1); /* min 1 */
  p.initial_delay_ms = -5;
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 2, 0.5), 1);
  p.initial_delay_ms = 1000;
  p.max_delay_ms = 2147483647;
  p.jitter = 0;
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 40, 0.5), 2147483647);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 3, 0.5), 8000);
  p.max_delay_ms = 0; /* the cap applies as is: 1 ms */
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 3, 0.5), 1);
  p.max_delay_ms = 1000;
  p.multiplier = -3.0; /* not validated, but never undefined */
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 3, 0.5), 1);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (&p, 2, 0.5), 1000);
  ASSERT_EQ (SocketExt_reconnect_backoff_ms (NULL, 1, 0.5), 200);
}

/* Refused attempts: exact backoff timings 200, 400, 800, 1000 (cap). */
TEST (backoff_timings_fake_clock)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  RC c = make (dead_port (), &p, &l, 1);
  const int expect[] = { 200, 400, 800, 1000, 1000 };

  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  for (int i = 0; i < 5; i++)
    {
      ASSERT_EQ (SocketReconnect_attempts (c), i + 1);
      ASSERT_EQ (SocketReconnect_failures (c), i + 1);
      ASSERT_EQ (SocketReconnect_next_timeout_ms (c), expect[i]);
      fake_now += expect[i] - 1;
      SocketReconnect_tick (c);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
      ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 1);
      fake_now += 1;
      ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 0);
      SocketReconnect_tick (c);
      ASSERT (SocketReconnect_state (c) == RECONNECT_CONNECTING
              || SocketReconnect_state (c) == RECONNECT_BACKOFF);
      pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
    }
  ASSERT (log_is_chain (&l, c));
  ASSERT (log_has (&l, RECONNECT_DISCONNECTED, RECONNECT_CONNECTING));
  ASSERT (log_has (&l, RECONNECT_CONNECTING, RECONNECT_BACKOFF));
  ASSERT (log_has (&l, RECONNECT_BACKOFF, RECONNECT_CONNECTING));
  ASSERT_EQ (l.n, 12); /* D->C, C->B, then 5 x (B->C, C->B) */
  /* connect() while in BACKOFF is a no-op. */
  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (l.n, 12);
  SocketReconnect_free (&c);
}

/* Real clock, default-like jitter: each first delay within 200 +/- 25%. */
TEST (backoff_jitter_real_clock)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  int port = dead_port ();
  int lo = 1 << 30, hi = -1;

  p.jitter = 0.25;
  for (int i = 0; i < 12; i++)
    {
      RC c = make (port, &p, NULL, 0);
      int64_t t0 = test_now_ms ();
      int t, next;

      SocketReconnect_connect (c);
      pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
      /* The delay began between t0 and now: next <= delay <= t. */
      next = SocketReconnect_next_timeout_ms (c);
      t = next + (int)(test_now_ms () - t0);
      ASSERT (t >= 150 - 1);
      ASSERT (next <= 250 + 1);
      if (t < lo)
        lo = t;
      if (t > hi)
        hi = t;
      SocketReconnect_free (&c);
    }
  ASSERT (hi - lo >= 2); /* jitter actually varies */

  /* And the retry really happens once the delay has passed. */
  {
    RC c = make (port, &p, NULL, 0);
    int64_t t0 = test_now_ms (); /* before the delay begins */
    SocketReconnect_connect (c);
    pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
    pump (c, 20000, RECONNECT_CONNECTING, NULL, NULL);
    ASSERT_EQ (SocketReconnect_attempts (c), 2);
    ASSERT (test_now_ms () - t0 >= 140);
    ASSERT (test_now_ms () - t0 <= 10000); /* and not much later */
    SocketReconnect_free (&c);
  }
}

TEST (circuit_breaker_opens_and_half_opens)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  int port = dead_port ();
  RC c;
  Socket_T srv = NULL, acc = NULL;

  p.circuit_failure_threshold = 3;
  p.circuit_reset_timeout_ms = 5000;
  c = make (port, &p, &l, 1);
  SocketReconnect_connect (c);
  for (int i = 0; i < 2; i++)
    {
      pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
      fake_now += SocketReconnect_next_timeout_ms (c);
      SocketReconnect_tick (c);
    }
  pump (c, 20000, RECONNECT_CIRCUIT_OPEN, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_failures (c), 3);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 5000);
  ASSERT (log_has (&l, RECONNECT_CONNECTING, RECONNECT_CIRCUIT_OPEN));
  SocketReconnect_connect (c); /* no-op while open */
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  fake_now += 4999;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_attempts (c), 3);

  /* Half-open probe fails: the circuit opens again for a full period. */
  fake_now += 1;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_attempts (c), 4);
  ASSERT (log_has (&l, RECONNECT_CIRCUIT_OPEN, RECONNECT_CONNECTING));
  pump (c, 20000, RECONNECT_CIRCUIT_OPEN, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_failures (c), 4);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 5000);

  /* Server back: the next probe closes the circuit. */
  srv = server_start ("127.0.0.1", port);
  fake_now += 5000;
  SocketReconnect_tick (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT_EQ (SocketReconnect_attempts (c), 0);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_free (&c);
  if (acc)
    Socket_free (&acc);
  Socket_free (&srv);
}

TEST (max_attempts_gives_up)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  RC c;

  p.max_attempts = 3;
  c = make (dead_port (), &p, &l, 1);
  SocketReconnect_connect (c);
  for (int i = 0; i < 2; i++)
    {
      pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
      fake_now += SocketReconnect_next_timeout_ms (c);
      SocketReconnect_tick (c);
    }
  pump (c, 20000, RECONNECT_DISCONNECTED, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_attempts (c), 3);
  ASSERT_EQ (SocketReconnect_failures (c), 3);
  ASSERT (log_has (&l, RECONNECT_CONNECTING, RECONNECT_DISCONNECTED));
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), -1);

  /* Exhausted: connect() only counts a failure. */
  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_attempts (c), 3);
  ASSERT_EQ (SocketReconnect_failures (c), 4);

  /* reset clears both counters and allows a new cycle. */
  SocketReconnect_reset (c);
  ASSERT_EQ (SocketReconnect_attempts (c), 0);
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_attempts (c), 1);
  pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);

  /* disconnect zeroes attempts but keeps the failure count. */
  SocketReconnect_disconnect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_attempts (c), 0);
  ASSERT_EQ (SocketReconnect_failures (c), 1);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_free (&c);
}

/* Policy values taken as they are: threshold 0 opens on the first failure;
 * max_attempts is checked before the circuit. */
TEST (policy_edge_cases)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  int port = dead_port ();
  RC c;

  p.circuit_failure_threshold = 0;
  p.circuit_reset_timeout_ms = 700;
  c = make (port, &p, NULL, 1);
  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CIRCUIT_OPEN, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 700);
  /* reset closes the circuit: the probe is due at once, state unchanged */
  SocketReconnect_reset (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 0);
  SocketReconnect_free (&c);

  p.circuit_failure_threshold = 1;
  p.max_attempts = 1;
  c = make (port, &p, NULL, 1);
  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_DISCONNECTED, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_failures (c), 1);
  SocketReconnect_free (&c);
}

/* External mode: the state machine alone, the caller dials and reports. */
TEST (external_mode_state_machine)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  RC c;
  char b[4];

  p.circuit_failure_threshold = 3;
  p.circuit_reset_timeout_ms = 900;
  p.health_check_interval_ms = 50;
  c = make (9, &p, &l, 1);
  SocketExt_reconnect_set_external (c, 1);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketExt_reconnect_report (c, 1, 0)),
             1);
  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
  ASSERT_EQ (SocketReconnect_attempts (c), 1);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  SocketReconnect_process (c); /* nothing to complete */
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketExt_reconnect_set_external (c, 0)),
             1);
  SocketExt_reconnect_report (c, 0, ECONNREFUSED);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 200);
  fake_now += 200;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
  ASSERT_EQ (SocketReconnect_attempts (c), 2);
  SocketExt_reconnect_report (c, 1, 0);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT_EQ (SocketReconnect_attempts (c), 0);
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT (SocketReconnect_socket (c) == NULL);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), -1); /* checks: caller's */
  ASSERT_EQ (SocketReconnect_send (c, "x", 1), -1);
  ASSERT_EQ (errno, ENOTCONN);
  ASSERT_EQ (SocketReconnect_recv (c, b, sizeof b), -1);
  fake_now += 1000;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);

  ASSERT_EQ (SocketExt_reconnect_lost (c, EPIPE), 1);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 100); /* attempts 0 */
  ASSERT_EQ (SocketExt_reconnect_lost (c, EPIPE), 0);
  for (int i = 0; i < 2; i++)
    {
      fake_now += SocketReconnect_next_timeout_ms (c);
      SocketReconnect_tick (c);
      ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
      SocketExt_reconnect_report (c, 0, 0);
    }
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CIRCUIT_OPEN);
  ASSERT_EQ (SocketReconnect_failures (c), 3);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 900);
  fake_now += 900;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING); /* probe */
  SocketExt_reconnect_report (c, 1, 0);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_disconnect (c);
  SocketExt_reconnect_set_external (c, 0); /* allowed again */
  ASSERT_EQ (RAISES (SocketReconnect_Failed,
                     SocketExt_reconnect_lost (NULL, 0)),
             1);
  SocketReconnect_free (&c);
}

/* Echo one message through client -> server -> client. */
static int
echo_ok (RC c, Socket_T acc, const char *msg)
{
  char buf[64];
  size_t n = strlen (msg);
  ssize_t got = 0;

  if (SocketReconnect_send (c, msg, n) != (ssize_t)n)
    return 0;
  Socket_setnonblocking (acc);
  for (int64_t end = test_now_ms () + 20000;
       got < (ssize_t)n && test_now_ms () < end;)
    {
      ssize_t r = Socket_recv (acc, buf + got, sizeof buf - got);
      got += r;
      if (r == 0)
        test_sleep_ms (5);
    }
  if (got != (ssize_t)n || memcmp (buf, msg, n) != 0)
    return 0;
  if (Socket_sendall (acc, buf, n) != (ssize_t)n)
    return 0;
  got = 0;
  while (got < (ssize_t)n)
    {
      ssize_t r = SocketReconnect_recv (c, buf + got, n - got);
      if (r <= 0)
        return 0;
      got += r;
    }
  return memcmp (buf, msg, n) == 0;
}

TEST (server_killed_and_restarted)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  Socket_T srv = server_start ("127.0.0.1", 0), acc = NULL;
  int port = Socket_getlocalport (srv);
  RC c;
  int fds0 = test_count_fds ();

  p.initial_delay_ms = 20;
  p.max_delay_ms = 80;
  c = make (port, &p, &l, 0);
  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT (acc != NULL);
  ASSERT (SocketReconnect_socket (c) != NULL);
  ASSERT_EQ (SocketReconnect_pollfd (c),
             Socket_fd (SocketReconnect_socket (c)));
  ASSERT_EQ (SocketReconnect_isconnected (c), 1);
  /* A connected socket is in blocking mode (contract). */
  ASSERT_EQ (fcntl (SocketReconnect_pollfd (c), F_GETFL) & O_NONBLOCK, 0);
  ASSERT (echo_ok (c, acc, "hello"));

  /* Kill the server: process() notices the loss, client backs off. */
  Socket_free (&acc);
  Socket_free (&srv);
  pump (c, 20000, RECONNECT_BACKOFF, NULL, NULL);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT (log_has (&l, RECONNECT_CONNECTED, RECONNECT_BACKOFF));
  ASSERT (SocketReconnect_socket (c) == NULL);
  ASSERT_EQ (SocketReconnect_isconnected (c), 0);
  /* While it is down, attempts keep failing. */
  for (int64_t end = test_now_ms () + 20000;
       SocketReconnect_attempts (c) < 2 && test_now_ms () < end;)
    pump (c, 50, RECONNECT_CONNECTED, NULL, NULL);
  ASSERT (SocketReconnect_attempts (c) >= 2);
  ASSERT_EQ (SocketReconnect_isconnected (c), 0);

  /* Restart on the same port: reconnects and data flows again. */
  srv = server_start ("127.0.0.1", port);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT (acc != NULL);
  ASSERT (echo_ok (c, acc, "again"));
  ASSERT_EQ (SocketReconnect_failures (c), 0);
  ASSERT (log_is_chain (&l, c));
  ASSERT (log_has (&l, RECONNECT_CONNECTING, RECONNECT_CONNECTED));

  SocketReconnect_free (&c);
  Socket_free (&acc);
  Socket_free (&srv);
  ASSERT_EQ (test_count_fds (), fds0 - 1); /* the first listener is gone */
}

TEST (recv_eof_and_send_error_trigger_reconnect)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  Socket_T srv = server_start ("127.0.0.1", 0), acc = NULL;
  RC c = make (Socket_getlocalport (srv), &p, &l, 1);
  char buf[16];
  ssize_t n = 0;

  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  Socket_free (&acc); /* peer closes */
  ASSERT_EQ (SocketReconnect_recv (c, buf, sizeof buf), 0);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_failures (c), 1);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 100); /* attempts 0 */

  fake_now += 100;
  SocketReconnect_tick (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  Socket_free (&acc);
  /* The first sends may land in the kernel buffer; the RST then fails. */
  for (int64_t end = test_now_ms () + 20000; test_now_ms () < end;)
    {
      n = SocketReconnect_send (c, "data", 4);
      if (n < 0)
        break;
      test_sleep_ms (2);
    }
  ASSERT_EQ (n, -1);
  ASSERT_EQ (errno, ENOTCONN);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_free (&c);
  Socket_free (&srv);
}

static int hc_calls, hc_answer;
static Socket_T hc_socket;
static void *hc_ud;

static int
custom_check (RC conn, Socket_T s, void *ud)
{
  (void)conn;
  hc_calls++;
  hc_socket = s;
  hc_ud = ud;
  return hc_answer;
}

TEST (health_check_interval_and_callback)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  struct log l = { 0 };
  Socket_T srv = server_start ("127.0.0.1", 0), acc = NULL;
  RC c;

  p.health_check_interval_ms = 1000;
  c = make (Socket_getlocalport (srv), &p, &l, 1);
  SocketReconnect_set_health_check (c, custom_check);
  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 1000);
  hc_calls = 0;
  hc_answer = 1;
  fake_now += 999;
  SocketReconnect_tick (c);
  ASSERT_EQ (hc_calls, 0);
  fake_now += 1;
  SocketReconnect_tick (c);
  ASSERT_EQ (hc_calls, 1);
  ASSERT (hc_socket == SocketReconnect_socket (c));
  ASSERT (hc_ud == &l);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 1000);
  SocketReconnect_tick (c); /* not due again */
  ASSERT_EQ (hc_calls, 1);

  hc_answer = 0; /* unhealthy: dropped and rescheduled */
  fake_now += 1000;
  SocketReconnect_tick (c);
  ASSERT_EQ (hc_calls, 2);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  Socket_free (&acc);

  /* Built-in check (NULL restores it): a closed peer is unhealthy. */
  SocketReconnect_set_health_check (c, NULL);
  fake_now += SocketReconnect_next_timeout_ms (c);
  SocketReconnect_tick (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  fake_now += 1000;
  SocketReconnect_tick (c); /* peer alive, no data: healthy */
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT_EQ (hc_calls, 2);
  Socket_free (&acc);
  {
    /* The peer's FIN has arrived (the check must see it, not a timing). */
    struct pollfd eof = { SocketReconnect_pollfd (c), POLLIN, 0 };
    ASSERT_EQ (poll (&eof, 1, 20000), 1);
  }
  fake_now += 1000;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_free (&c);
  Socket_free (&srv);
}

static void
disconnect_on_connecting (RC conn, SocketReconnect_State old,
                          SocketReconnect_State new_state, void *ud)
{
  log_cb (conn, old, new_state, ud);
  if (new_state == RECONNECT_CONNECTING)
    SocketReconnect_disconnect (conn);
}

TEST (callback_may_reenter)
{
  struct log l = { 0 };
  SocketReconnect_Policy_T p = quiet_policy ();
  RC c = SocketReconnect_new ("127.0.0.1", dead_port (), &p,
                              disconnect_on_connecting, &l);

  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  ASSERT_EQ (l.n, 2);
  ASSERT (log_is_chain (&l, c));
  SocketReconnect_free (&c);
}

TEST (hostname_localhost)
{
  Socket_T srv = server_start ("127.0.0.1", 0), acc = NULL;
  RC c = SocketReconnect_new ("localhost", Socket_getlocalport (srv), NULL,
                              NULL, NULL);

  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT (echo_ok (c, acc, "name"));
  SocketReconnect_free (&c);
  Socket_free (&acc);
  Socket_free (&srv);
}

TEST (ipv6_loopback)
{
  Socket_T srv = NULL, acc = NULL;
  RC c;
  volatile int ok = 1;

  TRY srv = server_start ("::1", 0);
  EXCEPT (Socket_Failed) ok = 0;
  END_TRY;
  if (!ok)
    TEST_SKIP ("no IPv6 loopback");
  c = SocketReconnect_new ("::1", Socket_getlocalport (srv), NULL, NULL,
                           NULL);
  SocketReconnect_connect (c);
  pump (c, 20000, RECONNECT_CONNECTED, srv, &acc);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTED);
  ASSERT (echo_ok (c, acc, "v6"));
  SocketReconnect_disconnect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_DISCONNECTED);
  ASSERT (SocketReconnect_socket (c) == NULL);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1);
  SocketReconnect_free (&c);
  Socket_free (&acc);
  Socket_free (&srv);
}

/*
 * A connect the kernel never completes (the listener's accept queue is full,
 * so its SYNs are dropped) is abandoned after the default connect timeout
 * and counted as a failed attempt, instead of staying CONNECTING for the
 * minutes of the kernel's SYN retries.
 */
TEST (pending_connect_times_out)
{
  SocketReconnect_Policy_T p = quiet_policy ();
  SocketTimeouts_T defaults;
  struct sockaddr_in sa = { 0 };
  socklen_t sl = sizeof sa;
  int lfd, fillers[8], nfill = 0;
  struct pollfd pfd;
  RC c;

  lfd = socket (AF_INET, SOCK_STREAM, 0);
  ASSERT (lfd >= 0);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ASSERT_EQ (bind (lfd, (struct sockaddr *)&sa, sizeof sa), 0);
  ASSERT_EQ (listen (lfd, 0), 0);
  ASSERT_EQ (getsockname (lfd, (struct sockaddr *)&sa, &sl), 0);
  for (; nfill < 8; nfill++) /* fill the accept queue, never accepted */
    {
      fillers[nfill] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)connect (fillers[nfill], (struct sockaddr *)&sa, sizeof sa);
    }
  /* The first filler's handshake fills the queue (backlog 0 holds one);
   * wait for it rather than for a guessed time. */
  pfd.fd = fillers[0];
  pfd.events = POLLOUT;
  ASSERT_EQ (poll (&pfd, 1, 20000), 1);
  usleep (100 * 1000);

  Socket_timeouts_getdefaults (&defaults);
  c = make (ntohs (sa.sin_port), &p, NULL, 1);
  SocketReconnect_connect (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
  pfd.fd = SocketReconnect_pollfd (c);
  pfd.events = POLLOUT;
  ASSERT_EQ (poll (&pfd, 1, 200), 0); /* premise: the SYN is unanswered */
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), defaults.connect_timeout_ms);

  fake_now += defaults.connect_timeout_ms - 1;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_CONNECTING);
  ASSERT_EQ (SocketReconnect_next_timeout_ms (c), 1);
  fake_now += 1;
  SocketReconnect_tick (c);
  ASSERT_EQ (SocketReconnect_state (c), RECONNECT_BACKOFF);
  ASSERT_EQ (SocketReconnect_failures (c), 1);
  ASSERT_EQ (SocketReconnect_pollfd (c), -1); /* the socket was closed */

  SocketReconnect_free (&c);
  for (int i = 0; i < nfill; i++)
    close (fillers[i]);
  close (lfd);
}

TEST_MAIN ()
