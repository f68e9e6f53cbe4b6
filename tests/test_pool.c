/*
 * test_pool.c - SocketPool slots and drain: argument checks, add/get/
 * remove/foreach/cleanup, 10,000 connections with random churn (every
 * descriptor back at the end), resize, prewarm, bufsize, the drain state
 * machine with its callback rules, metrics, and a multi-threaded run for
 * TSan. The network paths (accept limits, SYN protection, async connect,
 * reconnect, drain with data in flight) are in test_pool_net.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "Test.h"
#include "SocketTestUtil.h"
#include "core/Arena.h"
#include "core/SocketUtil.h"
#include "pool/SocketPool.h"
#include "socket/Socket.h"

/* ---- helpers --------------------------------------------------------- */

struct drain_log
{
  int calls;
  int timed_out;
  SocketPool_T pool;
};

static void
drain_cb (SocketPool_T pool, int timed_out, void *data)
{
  struct drain_log *l = data;

  l->calls++;
  l->timed_out = timed_out;
  l->pool = pool;
}

/* A connected AF_UNIX pair: @p a goes in the pool, @p b is the peer. */
static void
pair (Socket_T *a, Socket_T *b)
{
  SocketPair_new (SOCK_STREAM, a, b);
}

/* 1 if @p peer reads end-of-stream (or a reset) within a second. */
static int
peer_sees_close (Socket_T peer)
{
  char c;
  struct timeval tv = { 20, 0 };
  ssize_t n;

  setsockopt (Socket_fd (peer), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  do
    n = recv (Socket_fd (peer), &c, 1, 0);
  while (n < 0 && errno == EINTR);
  /* EOF or reset; the receive timeout (EAGAIN) means still open. */
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static unsigned long long
metric (SocketMetric m)
{
  SocketMetricsSnapshot snap;

  SocketMetrics_getsnapshot (&snap);
  return SocketMetrics_snapshot_value (&snap, m);
}

/* ---- creation and arguments ------------------------------------------ */

TEST (pool_new_validates_arguments)
{
  Arena_T arena = Arena_new ();

  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_new (NULL, 10, 1024)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_new (arena, 0, 1024)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed,
                     SocketPool_new (arena, SOCKET_MAX_CONNECTIONS + 1, 1024)),
             1);
  ASSERT_EQ (RAISES (SocketPool_Failed,
                     SocketPool_new (arena, 10, SOCKET_MIN_BUFFER_SIZE - 1)),
             1);
  ASSERT_EQ (RAISES (SocketPool_Failed,
                     SocketPool_new (arena, 10, SOCKET_MAX_BUFFER_SIZE + 1)),
             1);
  ASSERT_STREQ (SocketPool_Failed.reason, "SocketPool operation failed");

  SocketPool_T pool = SocketPool_new (arena, SOCKET_MAX_CONNECTIONS,
                                      SOCKET_MIN_BUFFER_SIZE);
  ASSERT (pool != NULL);
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_RUNNING);
  ASSERT_EQ (SocketPool_health (pool), POOL_HEALTH_HEALTHY);
  ASSERT_EQ (SocketPool_is_draining (pool), 0);
  ASSERT_EQ (SocketPool_is_stopped (pool), 0);
  ASSERT_UEQ (SocketPool_count (pool), 0);
  ASSERT_EQ (SocketPool_getconnrate (pool), 0);
  ASSERT_EQ (SocketPool_getmaxperip (pool), 0);
  ASSERT (SocketPool_get_syn_protection (pool) == NULL);
  ASSERT_EQ (SocketPool_drain_remaining_ms (pool), -1);
  ASSERT_EQ (SocketPool_reconnect_timeout_ms (pool), -1);
  SocketPool_free (&pool);
  ASSERT (pool == NULL);
  SocketPool_free (&pool); /* *NULL: no-op */
  SocketPool_free (NULL);
  Arena_dispose (&arena);
}

TEST (pool_null_handles_raise)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);

  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_count (NULL)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_add (NULL, NULL)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_add (pool, NULL)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_drain (NULL, 0)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_foreach (pool, NULL, NULL)),
             1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_prewarm (pool, 101)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, SocketPool_prewarm (pool, -1)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, Connection_socket (NULL)), 1);
  ASSERT_EQ (RAISES (SocketPool_Failed, Connection_data (NULL)), 1);
  ASSERT (SocketPool_get (pool, NULL) == NULL);
  SocketPool_remove (pool, NULL); /* no-op */
  ASSERT (Connection_reconnect (NULL) == NULL);
  ASSERT_EQ (Connection_has_reconnect (NULL), 0);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

/* ---- add / get / remove ---------------------------------------------- */

TEST (pool_add_get_remove)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 2, 1024);
  Socket_T a, pa, b, pb, c, pc;
  Connection_T ca, cb;
  int marker;

  pair (&a, &pa);
  pair (&b, &pb);
  pair (&c, &pc);
  ca = SocketPool_add (pool, a);
  ASSERT (ca != NULL);
  ASSERT (Connection_socket (ca) == a);
  ASSERT (Connection_data (ca) == NULL);
  ASSERT_EQ (Connection_isactive (ca), 1);
  ASSERT_EQ (Connection_has_reconnect (ca), 0);
  ASSERT (Connection_lastactivity (ca) > 0);
  ASSERT (Connection_inbuf (ca) != NULL && Connection_outbuf (ca) != NULL);
  ASSERT_UEQ (SocketBuf_space (Connection_inbuf (ca)), 1024);
  ASSERT_UEQ (SocketBuf_available (Connection_outbuf (ca)), 0);
  Connection_setdata (ca, &marker);
  ASSERT (Connection_data (ca) == &marker);

  ASSERT (SocketPool_get (pool, a) == ca);
  ASSERT (SocketPool_get (pool, b) == NULL);
  ASSERT (SocketPool_add (pool, a) == ca); /* no duplicate */
  ASSERT_UEQ (SocketPool_count (pool), 1);

  cb = SocketPool_add (pool, b);
  ASSERT (cb != NULL && cb != ca);
  ASSERT_UEQ (SocketPool_count (pool), 2);
  ASSERT (SocketPool_add (pool, c) == NULL); /* full */
  ASSERT (SocketPool_add (pool, a) == ca);   /* full, but already pooled */

  /* Data left in the buffers is wiped when the connection leaves. */
  SocketBuf_write (Connection_inbuf (ca), "secret", 6);
  SocketBuf_write (Connection_outbuf (ca), "secret", 6);
  SocketPool_remove (pool, a);
  ASSERT_UEQ (SocketPool_count (pool), 1);
  ASSERT (SocketPool_get (pool, a) == NULL);
  ASSERT_EQ (Connection_isactive (ca), 0);
  ASSERT (Connection_data (ca) == NULL);
  ASSERT_UEQ (SocketBuf_available (Connection_inbuf (ca)), 0);
  SocketPool_remove (pool, a); /* unknown: no-op */
  ASSERT_UEQ (SocketPool_count (pool), 1);

  /* The freed slot (and its buffers) serve the next connection. */
  Connection_T cc = SocketPool_add (pool, c);
  ASSERT (cc == ca);
  ASSERT (Connection_data (cc) == NULL);
  ASSERT_UEQ (SocketBuf_available (Connection_inbuf (cc)), 0);
  ASSERT_UEQ (SocketBuf_available (Connection_outbuf (cc)), 0);

  /* The pool never closes what remove takes out. */
  ASSERT_EQ (Socket_send (a, "x", 1), 1);
  SocketPool_free (&pool);
  ASSERT_EQ (Socket_send (b, "y", 1), 1); /* free leaves sockets open */
  Socket_free (&a);
  Socket_free (&b);
  Socket_free (&c);
  Socket_free (&pa);
  Socket_free (&pb);
  Socket_free (&pc);
  Arena_dispose (&arena);
}

static void
count_cb (Connection_T conn, void *arg)
{
  Socket_T *order = arg;
  int i = 0;

  while (order[i] != NULL)
    i++;
  order[i] = Connection_socket (conn);
}

TEST (pool_foreach_slot_order)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 8, 512);
  Socket_T s[4], p[4];
  Socket_T seen[8] = { 0 };

  for (int i = 0; i < 4; i++)
    {
      pair (&s[i], &p[i]);
      ASSERT (SocketPool_add (pool, s[i]) != NULL);
    }
  SocketPool_remove (pool, s[1]);
  SocketPool_foreach (pool, count_cb, seen);
  ASSERT (seen[0] == s[0]);
  ASSERT (seen[1] == s[2]);
  ASSERT (seen[2] == s[3]);
  ASSERT (seen[3] == NULL);
  /* foreach released its lock: the pool is usable afterwards. */
  ASSERT_UEQ (SocketPool_count (pool), 3);
  SocketPool_free (&pool);
  for (int i = 0; i < 4; i++)
    {
      Socket_free (&s[i]);
      Socket_free (&p[i]);
    }
  Arena_dispose (&arena);
}

static void
raising_cb (Connection_T conn, void *arg)
{
  (void)conn;
  (void)arg;
  RAISE (SocketPool_Failed);
}

TEST (pool_foreach_unlocks_when_callback_raises)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 2, 512);
  Socket_T a, pa;

  pair (&a, &pa);
  SocketPool_add (pool, a);
  ASSERT_EQ (RAISES (SocketPool_Failed,
                     SocketPool_foreach (pool, raising_cb, NULL)),
             1);
  ASSERT_UEQ (SocketPool_count (pool), 1); /* would deadlock if still locked */
  SocketPool_free (&pool);
  Socket_free (&a);
  Socket_free (&pa);
  Arena_dispose (&arena);
}

/* ---- cleanup ---------------------------------------------------------- */

TEST (pool_cleanup_idle)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  int base = test_count_fds ();
  Socket_T a, pa, b, pb;

  pair (&a, &pa);
  pair (&b, &pb);
  SocketPool_add (pool, a);
  SocketPool_cleanup (pool, 3600); /* nothing is that idle */
  ASSERT_UEQ (SocketPool_count (pool), 1);
  test_sleep_ms (2100);
  SocketPool_add (pool, b);
  SocketPool_cleanup (pool, 1); /* a idle ~2 s, b fresh */
  ASSERT_UEQ (SocketPool_count (pool), 1);
  ASSERT (SocketPool_get (pool, b) != NULL);
  ASSERT (peer_sees_close (pa)); /* the pool closed and freed a */
  SocketPool_cleanup (pool, 0);  /* 0 = everything */
  ASSERT_UEQ (SocketPool_count (pool), 0);
  ASSERT (peer_sees_close (pb));
  Socket_free (&pa);
  Socket_free (&pb);
  ASSERT_EQ (test_count_fds (), base);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

/* ---- 10,000 connections ----------------------------------------------- */

#define BIG 10000

static int
raise_fd_limit (rlim_t want)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return -1;
  if (rl.rlim_cur >= want)
    return 0;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want
                    ? want
                    : rl.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
    return -1;
  return 0;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static unsigned
rnd (unsigned n)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state % n);
}

TEST (pool_10k_connections_random_churn)
{
  Arena_T arena;
  SocketPool_T pool;
  Socket_T *socks;
  char *in_pool;
  Socket_T extra;
  int base, live0;
  size_t count = 0;

  if (raise_fd_limit (BIG + 512) != 0)
    TEST_SKIP ("cannot raise RLIMIT_NOFILE to %d", BIG + 512);
  base = test_count_fds ();
  live0 = Socket_debug_live_count ();
  arena = Arena_new ();
  pool = SocketPool_new (arena, BIG, SOCKET_MIN_BUFFER_SIZE);
  socks = calloc (BIG, sizeof *socks);
  in_pool = calloc (BIG, 1);
  ASSERT (socks != NULL && in_pool != NULL);
  for (int i = 0; i < BIG; i++)
    {
      socks[i] = Socket_new (AF_INET, SOCK_STREAM, 0);
      ASSERT (SocketPool_add (pool, socks[i]) != NULL);
      in_pool[i] = 1;
    }
  ASSERT_UEQ (SocketPool_count (pool), BIG);
  extra = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT (SocketPool_add (pool, extra) == NULL); /* at maxconns */
  Socket_free (&extra);
  count = BIG;

  /* 100,000 random operations; the model in in_pool[] must agree. */
  for (int op = 0; op < 100000; op++)
    {
      unsigned i = rnd (BIG);
      Connection_T c = SocketPool_get (pool, socks[i]);

      if ((c != NULL) != (in_pool[i] != 0))
        TEST_FAIL_ ("op %d: socket %u lookup disagrees with the model", op,
                    i);
      if (c != NULL)
        {
          ASSERT (Connection_socket (c) == socks[i]);
          SocketPool_remove (pool, socks[i]);
          in_pool[i] = 0;
          count--;
        }
      else
        {
          ASSERT (SocketPool_add (pool, socks[i]) != NULL);
          in_pool[i] = 1;
          count++;
        }
    }
  ASSERT_UEQ (SocketPool_count (pool), count);
  for (int i = 0; i < BIG; i++)
    {
      if ((SocketPool_get (pool, socks[i]) != NULL) != (in_pool[i] != 0))
        TEST_FAIL_ ("final check: socket %d disagrees", i);
      SocketPool_remove (pool, socks[i]);
      Socket_free (&socks[i]);
    }
  ASSERT_UEQ (SocketPool_count (pool), 0);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
  free (socks);
  free (in_pool);
  ASSERT_EQ (Socket_debug_live_count (), live0);
  ASSERT_EQ (test_count_fds (), base);
}

/* ---- resize, prewarm, bufsize ---------------------------------------- */

TEST (pool_resize_shrink_closes_excess_and_keeps_the_rest)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 10, 512);
  Socket_T s[10], p[10];
  int base = test_count_fds ();

  for (int i = 0; i < 10; i++)
    {
      pair (&s[i], &p[i]);
      ASSERT (SocketPool_add (pool, s[i]) != NULL);
    }
  /* Free two low slots so that survivors must move down. */
  SocketPool_remove (pool, s[0]);
  SocketPool_remove (pool, s[1]);
  SocketPool_resize (pool, 4);
  ASSERT_UEQ (SocketPool_count (pool), 4);
  /* s[2..5] (lowest active slots) were closed; s[6..9] kept, findable. */
  for (int i = 2; i < 6; i++)
    ASSERT (peer_sees_close (p[i]));
  for (int i = 6; i < 10; i++)
    {
      Connection_T c = SocketPool_get (pool, s[i]);
      ASSERT (c != NULL);
      ASSERT (Connection_socket (c) == s[i]);
      ASSERT_EQ (Connection_isactive (c), 1);
    }
  ASSERT (SocketPool_add (pool, s[0]) == NULL); /* full at 4 */

  SocketPool_resize (pool, 0); /* clamped to 1: three more closed */
  ASSERT_UEQ (SocketPool_count (pool), 1);
  SocketPool_resize (pool, 20);
  ASSERT_UEQ (SocketPool_count (pool), 1);
  ASSERT (SocketPool_add (pool, s[0]) != NULL);
  ASSERT (SocketPool_add (pool, s[1]) != NULL);
  ASSERT_UEQ (SocketPool_count (pool), 3);
  SocketPool_resize (pool, 20); /* same size: no-op */
  ASSERT_UEQ (SocketPool_count (pool), 3);
  SocketPool_cleanup (pool, 0); /* closes the three still pooled */
  for (int i = 0; i < 10; i++)
    Socket_free (&p[i]);
  ASSERT_EQ (test_count_fds (), base);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

TEST (pool_prewarm_and_bufsize)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 10, 512);
  Socket_T s[10], p[10];
  unsigned long long reused0 = metric (SOCKET_METRIC_POOL_CONNECTIONS_REUSED);

  /* 20 % pre-warmed at creation: two slots with 512-byte buffers. */
  SocketPool_set_bufsize (pool, 2048);
  for (int i = 0; i < 3; i++)
    {
      pair (&s[i], &p[i]);
      Connection_T c = SocketPool_add (pool, s[i]);
      ASSERT (c != NULL);
      ASSERT_UEQ (SocketBuf_space (Connection_inbuf (c)), i < 2 ? 512 : 2048);
    }
  ASSERT_UEQ (metric (SOCKET_METRIC_POOL_CONNECTIONS_REUSED) - reused0, 2);
  /* Pre-warm all free slots at the new size, then shrink the size: the
   * pre-warmed buffers keep theirs. */
  SocketPool_prewarm (pool, 100);
  SocketPool_set_bufsize (pool, 1); /* clamped to 512 */
  for (int i = 3; i < 10; i++)
    {
      pair (&s[i], &p[i]);
      Connection_T c = SocketPool_add (pool, s[i]);
      ASSERT (c != NULL);
      ASSERT_UEQ (SocketBuf_space (Connection_inbuf (c)), 2048);
    }
  SocketPool_prewarm (pool, 0);
  SocketPool_free (&pool);
  for (int i = 0; i < 10; i++)
    {
      Socket_free (&s[i]);
      Socket_free (&p[i]);
    }
  Arena_dispose (&arena);
}

/* ---- drain ------------------------------------------------------------ */

TEST (pool_drain_empty_stops_at_once)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  struct drain_log log = { 0 };
  unsigned long long init0 = metric (SOCKET_METRIC_POOL_DRAIN_INITIATED);
  unsigned long long done0 = metric (SOCKET_METRIC_POOL_DRAIN_COMPLETED);
  Socket_T a, pa;

  SocketPool_set_drain_callback (pool, drain_cb, &log);
  ASSERT_EQ (SocketPool_drain_poll (pool), 0); /* RUNNING: the count */
  SocketPool_drain (pool, 5000);
  ASSERT_EQ (log.calls, 1);
  ASSERT_EQ (log.timed_out, 0);
  ASSERT (log.pool == pool);
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_STOPPED);
  ASSERT_EQ (SocketPool_health (pool), POOL_HEALTH_STOPPED);
  ASSERT_EQ (SocketPool_is_stopped (pool), 1);
  ASSERT_EQ (SocketPool_drain_remaining_ms (pool), -1);
  ASSERT_EQ (metric (SOCKET_METRIC_POOL_DRAIN_INITIATED) - init0, 1);
  ASSERT_EQ (metric (SOCKET_METRIC_POOL_DRAIN_COMPLETED) - done0, 1);

  /* STOPPED is terminal: no way back, no second callback. */
  SocketPool_drain (pool, 0);
  SocketPool_drain_force (pool);
  ASSERT_EQ (SocketPool_drain_poll (pool), 0);
  ASSERT_EQ (SocketPool_drain_wait (pool, 10), 0);
  ASSERT_EQ (log.calls, 1);
  pair (&a, &pa);
  ASSERT (SocketPool_add (pool, a) == NULL);
  SocketPool_free (&pool);
  Socket_free (&a);
  Socket_free (&pa);
  Arena_dispose (&arena);
}

TEST (pool_drain_zero_forces_now)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  struct drain_log log = { 0 };
  Socket_T s[3], p[3];

  for (int i = 0; i < 3; i++)
    {
      pair (&s[i], &p[i]);
      SocketPool_add (pool, s[i]);
    }
  SocketPool_set_drain_callback (pool, drain_cb, &log);
  SocketPool_drain (pool, 0);
  ASSERT_EQ (log.calls, 1);
  ASSERT_EQ (log.timed_out, 1);
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_STOPPED);
  ASSERT_UEQ (SocketPool_count (pool), 0);
  for (int i = 0; i < 3; i++)
    {
      ASSERT (peer_sees_close (p[i])); /* shut down and freed by the pool */
      Socket_free (&p[i]);
    }
  ASSERT_EQ (SocketPool_drain_poll (pool), 0);     /* STOPPED: always 0 */
  ASSERT_EQ (SocketPool_drain_wait (pool, 10), -1); /* but it was forced */
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

TEST (pool_drain_wait_zero_reports_forced)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  Socket_T a, pa;

  pair (&a, &pa);
  SocketPool_add (pool, a);
  ASSERT_EQ (SocketPool_drain_wait (pool, 0), -1);
  ASSERT (peer_sees_close (pa));
  Socket_free (&pa);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

TEST (pool_drain_deadline_then_forced)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  struct drain_log log = { 0 };
  Socket_T s[3], p[3];
  int64_t left;

  for (int i = 0; i < 2; i++)
    {
      pair (&s[i], &p[i]);
      SocketPool_add (pool, s[i]);
    }
  pair (&s[2], &p[2]);
  SocketPool_set_drain_callback (pool, drain_cb, &log);
  /* 2 s: the checks below must run before the deadline even when the
   * test is descheduled for a while. */
  SocketPool_drain (pool, 2000);
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_DRAINING);
  ASSERT_EQ (SocketPool_health (pool), POOL_HEALTH_DRAINING);
  ASSERT_EQ (SocketPool_is_draining (pool), 1);
  left = SocketPool_drain_remaining_ms (pool);
  ASSERT (left > 0 && left <= 2000);
  ASSERT (SocketPool_add (pool, s[2]) == NULL); /* refused while draining */
  SocketPool_drain (pool, 0);                   /* no-op while draining */
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_DRAINING);
  ASSERT_EQ (SocketPool_drain_poll (pool), 2);
  SocketPool_remove (pool, s[0]);
  Socket_free (&s[0]);
  ASSERT_EQ (SocketPool_drain_poll (pool), 1);
  ASSERT_EQ (log.calls, 0);
  for (int64_t end = test_now_ms () + 20000;
       SocketPool_drain_remaining_ms (pool) > 0 && test_now_ms () < end;)
    test_sleep_ms (10);
  ASSERT_EQ (SocketPool_drain_remaining_ms (pool), 0);
  ASSERT_EQ (SocketPool_drain_poll (pool), -1);
  ASSERT_EQ (log.calls, 1);
  ASSERT_EQ (log.timed_out, 1);
  ASSERT_EQ (SocketPool_drain_poll (pool), 0);
  ASSERT (peer_sees_close (p[1]));
  for (int i = 0; i < 3; i++)
    Socket_free (&p[i]);
  Socket_free (&s[2]);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

TEST (pool_drain_without_deadline_and_negative_timeout)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  SocketPool_T pool2 = SocketPool_new (arena, 4, 512);
  struct drain_log log = { 0 }, log2 = { 0 };
  Socket_T a, pa, b, pb;

  pair (&a, &pa);
  pair (&b, &pb);
  SocketPool_add (pool, a);
  SocketPool_set_drain_callback (pool, drain_cb, &log);
  SocketPool_drain (pool, -1);
  ASSERT_EQ (SocketPool_drain_remaining_ms (pool), INT64_MAX);
  ASSERT_EQ (SocketPool_drain_poll (pool), 1);
  SocketPool_remove (pool, a);
  ASSERT_EQ (SocketPool_drain_poll (pool), 0);
  ASSERT_EQ (log.calls, 1);
  ASSERT_EQ (log.timed_out, 0);
  ASSERT_EQ (SocketPool_drain_wait (pool, 0), 0); /* stopped gracefully */

  /* Any other negative timeout: deadline now, forced by the next poll. */
  SocketPool_add (pool2, b);
  SocketPool_set_drain_callback (pool2, drain_cb, &log2);
  SocketPool_drain (pool2, -7);
  ASSERT_EQ (SocketPool_state (pool2), POOL_STATE_DRAINING);
  ASSERT_EQ (log2.calls, 0);
  ASSERT_EQ (SocketPool_drain_remaining_ms (pool2), 0);
  ASSERT_EQ (SocketPool_drain_poll (pool2), -1);
  ASSERT_EQ (log2.calls, 1);
  ASSERT_EQ (log2.timed_out, 1);
  ASSERT (peer_sees_close (pb));

  SocketPool_free (&pool);
  SocketPool_free (&pool2);
  Socket_free (&a);
  Socket_free (&pa);
  Socket_free (&pb);
  Arena_dispose (&arena);
}

TEST (pool_drain_force_from_running)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  struct drain_log log = { 0 };

  SocketPool_set_drain_callback (pool, drain_cb, &log);
  SocketPool_drain_force (pool); /* RUNNING and empty: still timed_out 1 */
  ASSERT_EQ (log.calls, 1);
  ASSERT_EQ (log.timed_out, 1);
  ASSERT_EQ (SocketPool_state (pool), POOL_STATE_STOPPED);
  SocketPool_drain_force (pool);
  ASSERT_EQ (log.calls, 1);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

/* The callback may free the pool (its memory is in the arena). */
static void
free_in_cb (SocketPool_T pool, int timed_out, void *data)
{
  SocketPool_T *slot = data;

  (void)pool;
  (void)timed_out;
  SocketPool_free (slot);
}

TEST (pool_drain_callback_may_free_the_pool)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  Socket_T a, pa;

  pair (&a, &pa);
  SocketPool_add (pool, a);
  SocketPool_set_drain_callback (pool, free_in_cb, &pool);
  ASSERT_EQ (SocketPool_drain_wait (pool, 0), -1);
  ASSERT (pool == NULL);
  Socket_free (&pa);
  Arena_dispose (&arena);
}

/* ---- metrics ---------------------------------------------------------- */

TEST (pool_metrics_count_add_and_remove)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, 4, 512);
  unsigned long long add0 = metric (SOCKET_METRIC_POOL_CONNECTIONS_ADDED);
  unsigned long long rem0 = metric (SOCKET_METRIC_POOL_CONNECTIONS_REMOVED);
  Socket_T a, pa;

  pair (&a, &pa);
  SocketPool_add (pool, a);
  SocketPool_add (pool, a); /* duplicate: not counted */
  SocketPool_remove (pool, a);
  SocketPool_remove (pool, a);
  ASSERT_EQ (metric (SOCKET_METRIC_POOL_CONNECTIONS_ADDED) - add0, 1);
  ASSERT_EQ (metric (SOCKET_METRIC_POOL_CONNECTIONS_REMOVED) - rem0, 1);
  SocketPool_free (&pool);
  Socket_free (&a);
  Socket_free (&pa);
  Arena_dispose (&arena);
}

/* ---- threads ---------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 16
#define ROUNDS 2000

struct worker
{
  SocketPool_T pool;
  Socket_T s[PER_THREAD];
  int errors;
};

static void *
worker_main (void *arg)
{
  struct worker *w = arg;

  for (int r = 0; r < ROUNDS; r++)
    {
      int i = r % PER_THREAD;
      Connection_T c = SocketPool_add (w->pool, w->s[i]);

      if (c == NULL || SocketPool_get (w->pool, w->s[i]) != c)
        w->errors++;
      if (r % 3 != 0)
        SocketPool_remove (w->pool, w->s[i]);
    }
  for (int i = 0; i < PER_THREAD; i++)
    SocketPool_remove (w->pool, w->s[i]);
  return NULL;
}

static void
noop_cb (Connection_T conn, void *arg)
{
  (*(int *)arg) += Connection_isactive (conn);
}

TEST (pool_threads_add_get_remove)
{
  Arena_T arena = Arena_new ();
  SocketPool_T pool = SocketPool_new (arena, THREADS * PER_THREAD, 512);
  struct worker w[THREADS];
  pthread_t t[THREADS];

  for (int k = 0; k < THREADS; k++)
    {
      w[k].pool = pool;
      w[k].errors = 0;
      for (int i = 0; i < PER_THREAD; i++)
        w[k].s[i] = Socket_new (AF_INET, SOCK_STREAM, 0);
      ASSERT_EQ (pthread_create (&t[k], NULL, worker_main, &w[k]), 0);
    }
  /* Readers race with the writers. */
  for (int r = 0; r < 200; r++)
    {
      int active = 0;
      SocketPool_foreach (pool, noop_cb, &active);
      ASSERT (active <= THREADS * PER_THREAD);
      ASSERT (SocketPool_count (pool) <= THREADS * PER_THREAD);
      SocketPool_accept_allowed (pool, "127.0.0.1");
    }
  for (int k = 0; k < THREADS; k++)
    {
      pthread_join (t[k], NULL);
      ASSERT_EQ (w[k].errors, 0);
      for (int i = 0; i < PER_THREAD; i++)
        Socket_free (&w[k].s[i]);
    }
  ASSERT_UEQ (SocketPool_count (pool), 0);
  SocketPool_free (&pool);
  Arena_dispose (&arena);
}

TEST_MAIN ()
