/* test_poll.c - SocketPoll: add/mod/del with user data, duplicate add,
 * default timeout, edge-triggered mode, hangup, stale fd reuse, wakeup from
 * other threads (socket, timer, explicit), metrics, concurrent add/del. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketAsync.h"

static int
raises_poll_failed (void (*fn) (void *), void *arg)
{
  volatile int raised = 0;

  TRY fn (arg);
  EXCEPT (SocketPoll_Failed) raised = 1;
  END_TRY;
  return raised;
}

static void
pair (Socket_T *a, Socket_T *b)
{
  SocketPair_new (SOCK_STREAM, a, b);
  Socket_setnonblocking (*a);
  Socket_setnonblocking (*b);
}

static unsigned long long
metric (SocketMetric m)
{
  SocketMetricsSnapshot s;

  SocketMetrics_getsnapshot (&s);
  return SocketMetrics_snapshot_value (&s, m);
}

/* ---- construction ------------------------------------------------------- */

static void
new_with (void *arg)
{
  SocketPoll_T p = SocketPoll_new (*(int *)arg);
  SocketPoll_free (&p);
}

TEST (poll_new_validates_maxevents)
{
  int bad[] = { 0, -1 };
  int good[] = { 1, SOCKET_MAX_POLL_EVENTS, SOCKET_MAX_POLL_EVENTS + 1 };

  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ASSERT (raises_poll_failed (new_with, &bad[i]));
  /* Above the maximum: clamped to SOCKET_MAX_POLL_EVENTS (as the
   * original's release build), not refused. */
  for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++)
    ASSERT (!raises_poll_failed (new_with, &good[i]));
  ASSERT_STREQ (SocketPoll_Failed.reason, "SocketPoll operation failed");
  SocketPoll_T p = NULL;
  SocketPoll_free (&p); /* NULL is a no-op */
  SocketPoll_free (NULL);
}

TEST (poll_backend_is_the_configured_one)
{
#if defined(SOCKET_POLL_USE_POLL)
  ASSERT_STREQ (SocketPoll__backend_name (), "poll");
#elif defined(__linux__)
  ASSERT_STREQ (SocketPoll__backend_name (), "epoll");
#endif
  printf ("  backend: %s\n", SocketPoll__backend_name ());
}

/* ---- registration --------------------------------------------------------- */

TEST (poll_add_reports_events_with_user_data)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;
  int tag;

  pair (&a, &b);
  SocketPoll_add (p, a, POLL_READ, &tag);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 0);
  ASSERT_EQ (Socket_send (b, "x", 1), 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT (ev[0].socket == a);
  ASSERT (ev[0].data == &tag);
  ASSERT (ev[0].events & POLL_READ);
  ASSERT (!(ev[0].events & POLL_WRITE)); /* not asked for */
  /* Level-triggered by default: still readable, reported again. */
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 1);
  SocketPoll_del (p, a);
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (poll_mod_changes_events_and_data)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;
  int d1, d2;

  pair (&a, &b);
  SocketPoll_add (p, a, POLL_READ, &d1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 0); /* nothing to read */
  SocketPoll_mod (p, a, POLL_WRITE, &d2);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT (ev[0].data == &d2);
  ASSERT_EQ (ev[0].events & (POLL_READ | POLL_WRITE), POLL_WRITE);
  SocketPoll_mod (p, a, POLL_READ | POLL_WRITE, &d1);
  Socket_send (b, "y", 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT_EQ (ev[0].events & (POLL_READ | POLL_WRITE), POLL_READ | POLL_WRITE);
  ASSERT (ev[0].data == &d1);
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

struct reg_args
{
  SocketPoll_T p;
  Socket_T s;
  unsigned events;
};

static void
do_add (void *x)
{
  struct reg_args *r = x;
  SocketPoll_add (r->p, r->s, r->events, NULL);
}

static void
do_mod (void *x)
{
  struct reg_args *r = x;
  SocketPoll_mod (r->p, r->s, r->events, NULL);
}

TEST (poll_duplicate_add_and_bad_mod_raise)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  struct reg_args r;

  pair (&a, &b);
  r.p = p;
  r.s = a;
  r.events = POLL_READ;
  ASSERT (!raises_poll_failed (do_add, &r));
  ASSERT (raises_poll_failed (do_add, &r));
  ASSERT_STREQ (Socket_GetLastError (), "Socket already in poll set");
  r.s = b; /* never added */
  ASSERT (raises_poll_failed (do_mod, &r));
  {
    char want[128];
    snprintf (want, sizeof want,
              "Socket not in poll set (fd=%d) (errno: %d - %s)", Socket_fd (b),
              ENOENT, strerror (ENOENT));
    ASSERT_STREQ (Socket_GetLastError (), want);
  }
  r.s = a;
  r.events = 0x100 | POLL_READ; /* unknown bits are ignored */
  ASSERT (!raises_poll_failed (do_mod, &r));
  r.s = NULL;
  r.events = POLL_READ;
  ASSERT (raises_poll_failed (do_add, &r));
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (poll_del_stops_events_and_is_idempotent)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;

  pair (&a, &b);
  SocketPoll_add (p, a, POLL_READ, NULL);
  Socket_send (b, "z", 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  SocketPoll_del (p, a);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 50), 0);
  SocketPoll_del (p, a); /* not registered: ignored */
  SocketPoll_add (p, a, POLL_READ, NULL); /* and can come back */
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (poll_hangup_reported_without_asking)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;

  pair (&a, &b);
  SocketPoll_add (p, a, 0, NULL); /* no interest bits at all */
  Socket_free (&b);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT (ev[0].events & POLL_HANGUP);
  SocketPoll_free (&p);
  Socket_free (&a);
}

TEST (poll_reused_fd_after_close_without_del)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b, c, d;
  SocketEvent_T *ev;
  int fd, tag;

  pair (&a, &b);
  fd = Socket_fd (a);
  SocketPoll_add (p, a, POLL_READ, NULL);
  Socket_free (&a); /* closed while registered (user error, tolerated) */
  Socket_free (&b);
  pair (&c, &d);
  if (Socket_fd (c) != fd)
    {
      Socket_T t = c; /* make c the one that reuses the fd number */
      c = d;
      d = t;
    }
  ASSERT_EQ (Socket_fd (c), fd);
  SocketPoll_add (p, c, POLL_READ, &tag);
  Socket_send (d, "q", 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT (ev[0].socket == c);
  ASSERT (ev[0].data == &tag);
  SocketPoll_free (&p);
  Socket_free (&c);
  Socket_free (&d);
}

TEST (poll_edge_triggered_reports_once)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;
  char buf[8];

  if (strcmp (SocketPoll__backend_name (), "poll") == 0)
    {
      SocketPoll_free (&p);
      TEST_SKIP ("poll(2) backend has no edge-triggered mode");
    }
  pair (&a, &b);
  SocketPoll_add (p, a, POLL_READ | POLL_EDGE, NULL);
  Socket_send (b, "ab", 2);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT_EQ (ev[0].events & POLL_EDGE, 0); /* never reported back */
  ASSERT_EQ (SocketPoll_wait (p, &ev, 50), 0); /* no new edge */
  Socket_send (b, "c", 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1); /* new data, new edge */
  ASSERT_EQ (Socket_recv (a, buf, sizeof buf), 3);
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

/* ---- timeouts ------------------------------------------------------------- */

static void
set_default (void *x)
{
  SocketPoll_setdefaulttimeout ((SocketPoll_T)x, -5);
}

/* The stored default is longer than the library's 1000 ms so that the
 * proof it was used is a lower bound, which no scheduling delay breaks. */
TEST (poll_default_timeout)
{
  SocketPoll_T p = SocketPoll_new (8);
  SocketEvent_T *ev;
  int64_t t0, dt;

  ASSERT_EQ (SocketPoll_getdefaulttimeout (p), SOCKET_DEFAULT_POLL_TIMEOUT);
  ASSERT (SOCKET_DEFAULT_POLL_TIMEOUT < 2500);
  SocketPoll_setdefaulttimeout (p, 2500);
  ASSERT_EQ (SocketPoll_getdefaulttimeout (p), 2500);
  t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketPoll_wait (p, &ev, SOCKET_POLL_TIMEOUT_USE_DEFAULT), 0);
  dt = Socket_get_monotonic_ms () - t0;
  ASSERT (dt >= 2400); /* not the 1000 ms library default */
  ASSERT (dt < 60000); /* nor forever */
  /* 0 is immediate, not the stored default. */
  t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 0);
  ASSERT (Socket_get_monotonic_ms () - t0 < 2000);
  /* Below -1: stored as 0 (immediate), not refused. */
  ASSERT (!raises_poll_failed (set_default, p));
  ASSERT_EQ (SocketPoll_getdefaulttimeout (p), 0);
  SocketPoll_setdefaulttimeout (p, -1);
  ASSERT_EQ (SocketPoll_getdefaulttimeout (p), -1);
  SocketPoll_free (&p);
}

/* ---- wakeup from other threads ------------------------------------------- */

struct waker
{
  SocketPoll_T p;
  Socket_T s;
  int mode; /* 0 add socket, 1 add timer, 2 explicit wakeup */
  pid_t waiter; /* thread id of the thread in SocketPoll_wait */
  atomic_int fired;
};

static void
waker_timer_cb (void *ud)
{
  atomic_fetch_add (&((struct waker *)ud)->fired, 1);
}

static void *
waker_main (void *arg)
{
  struct waker *w = arg;

  /* Act only once the main thread sleeps in wait(-1): before it, an added
   * socket or an explicit wakeup would leave that wait blocked forever. */
  test_wait_thread_in_poll (w->waiter, 60000);
  usleep (100 * 1000); /* the wait stays blocked: dt >= 90 below */
  if (w->mode == 0)
    SocketPoll_add (w->p, w->s, POLL_READ, NULL); /* not readable */
  else if (w->mode == 1)
    SocketTimer_add (w->p, 5, waker_timer_cb, w);
  else
    SocketPoll__wakeup (w->p);
  return NULL;
}

static int64_t
wait_woken (struct waker *w, int *nevents)
{
  pthread_t th;
  SocketEvent_T *ev;
  int64_t t0 = Socket_get_monotonic_ms ();

  w->waiter = (pid_t)syscall (SYS_gettid);
  pthread_create (&th, NULL, waker_main, w);
  /* -1 = forever: only the other thread can end this wait (a broken wake
   * path hangs until the ctest timeout). */
  *nevents = SocketPoll_wait (w->p, &ev, -1);
  if (w->mode == 1)
    while (atomic_load (&w->fired) == 0
           && Socket_get_monotonic_ms () - t0 < 30000)
      SocketPoll_wait (w->p, &ev, -1);
  pthread_join (th, NULL);
  return Socket_get_monotonic_ms () - t0;
}

TEST (poll_wakeup_when_other_thread_adds_socket)
{
  struct waker w = { .p = SocketPoll_new (8), .mode = 0 };
  Socket_T b;
  int n;
  unsigned long long before = metric (SOCKET_METRIC_POLL_WAKEUPS);

  pair (&w.s, &b);
  int64_t dt = wait_woken (&w, &n);
  ASSERT_EQ (n, 0);
  ASSERT (dt >= 90);
  ASSERT (dt < 60000); /* and promptly woken: no hang */
  ASSERT (metric (SOCKET_METRIC_POLL_WAKEUPS) > before);
  /* The socket added while we slept is live for the next wait. */
  SocketEvent_T *ev;
  Socket_send (b, "w", 1);
  ASSERT_EQ (SocketPoll_wait (w.p, &ev, 10000), 1);
  ASSERT (ev[0].socket == w.s);
  SocketPoll_free (&w.p);
  Socket_free (&w.s);
  Socket_free (&b);
}

TEST (poll_wakeup_when_other_thread_adds_timer)
{
  struct waker w = { .p = SocketPoll_new (8), .mode = 1 };
  int n;

  int64_t dt = wait_woken (&w, &n);
  ASSERT_EQ (atomic_load (&w.fired), 1);
  ASSERT (dt >= 90);
  ASSERT (dt < 60000); /* and promptly woken: no hang */
  SocketPoll_free (&w.p);
}

static int wake_events;

static void
on_event (void *ud, const SocketEventRecord *e)
{
  (void)ud;
  if (e->type == SOCKET_EVENT_POLL_WAKEUP)
    wake_events++;
}

TEST (poll_wakeup_explicit_and_event)
{
  struct waker w = { .p = SocketPoll_new (8), .mode = 2 };
  int n;

  wake_events = 0;
  SocketEvent_register (on_event, NULL);
  int64_t dt = wait_woken (&w, &n);
  SocketEvent_unregister (on_event, NULL);
  ASSERT_EQ (n, 0);
  ASSERT (dt >= 90);
  ASSERT (dt < 60000); /* and promptly woken: no hang */
  ASSERT_EQ (wake_events, 1);
  /* No wait in progress: wakeup is a no-op, the next wait times out. */
  SocketEvent_T *ev;
  SocketPoll__wakeup (w.p);
  int64_t t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketPoll_wait (w.p, &ev, 60), 0);
  ASSERT (Socket_get_monotonic_ms () - t0 >= 50);
  SocketPoll_free (&w.p);
}

/* ---- metrics and capacity ------------------------------------------------ */

TEST (poll_metrics_and_maxevents_cap)
{
  enum
  {
    NPAIRS = 6
  };
  SocketPoll_T p = SocketPoll_new (4);
  Socket_T a[NPAIRS], b[NPAIRS];
  SocketEvent_T *ev;
  unsigned long long d0 = metric (SOCKET_METRIC_POLL_EVENTS_DISPATCHED);
  int seen = 0, n;

  for (int i = 0; i < NPAIRS; i++)
    {
      pair (&a[i], &b[i]);
      SocketPoll_add (p, a[i], POLL_WRITE, &a[i]);
    }
  n = SocketPoll_wait (p, &ev, 10000);
  ASSERT_EQ (n, 4); /* capped at maxevents */
  for (int i = 0; i < n; i++)
    {
      int j = 0;
      while (j < NPAIRS && a[j] != ev[i].socket)
        j++;
      ASSERT (j < NPAIRS);
      ASSERT (ev[i].data == &a[j]); /* each socket's own data */
    }
  seen += n;
  ASSERT (metric (SOCKET_METRIC_POLL_EVENTS_DISPATCHED) >= d0 + 4);
  for (int i = 0; i < NPAIRS; i++)
    {
      SocketPoll_del (p, a[i]);
      Socket_free (&a[i]);
      Socket_free (&b[i]);
    }
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 0);
  ASSERT (seen == 4);
  SocketPoll_free (&p);
}

TEST (poll_get_async_is_owned_and_stable)
{
  SocketPoll_T p = SocketPoll_new (8);
  SocketAsync_T a = SocketPoll_get_async (p);
  SocketEvent_T *ev;

  ASSERT (a != NULL);
  ASSERT (SocketPoll_get_async (p) == a);
  ASSERT (SocketAsync_backend_name (a) != NULL);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 0), 0); /* idle async: no events */
  SocketPoll_free (&p); /* frees the async instance too (ASan) */
}

/* ---- concurrent registration (TSan) --------------------------------------- */

struct churn
{
  SocketPoll_T p;
  atomic_int stop;
  int added;
};

static void *
churn_main (void *arg)
{
  struct churn *c = arg;

  for (int i = 0; i < 300; i++)
    {
      Socket_T a, b;
      SocketPair_new (SOCK_STREAM, &a, &b);
      SocketPoll_add (c->p, a, POLL_READ, c);
      Socket_send (b, "k", 1);
      SocketPoll_mod (c->p, a, POLL_READ | POLL_WRITE, c);
      SocketPoll_del (c->p, a);
      Socket_free (&a);
      Socket_free (&b);
      c->added++;
    }
  atomic_store (&c->stop, 1);
  return NULL;
}

TEST (poll_concurrent_add_mod_del_while_waiting)
{
  struct churn c = { .p = SocketPoll_new (64) };
  pthread_t th;
  SocketEvent_T *ev;

  pthread_create (&th, NULL, churn_main, &c);
  while (!atomic_load (&c.stop))
    {
      int n = SocketPoll_wait (c.p, &ev, 10);
      for (int i = 0; i < n; i++)
        ASSERT (ev[i].data == &c); /* never another fd's data */
    }
  pthread_join (th, NULL);
  ASSERT_EQ (c.added, 300);
  SocketPoll_free (&c.p);
}

/* ---- contract: side effects and order -------------------------------------- */

TEST (poll_add_makes_socket_nonblocking)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  char c;

  SocketPair_new (SOCK_STREAM, &a, &b); /* blocking */
  ASSERT_EQ (fcntl (Socket_fd (a), F_GETFL) & O_NONBLOCK, 0);
  SocketPoll_add (p, a, POLL_READ, NULL);
  ASSERT (fcntl (Socket_fd (a), F_GETFL) & O_NONBLOCK);
  /* Nothing to read: "would block" is 0, not a hang. */
  ASSERT_EQ (Socket_recv (a, &c, 1), 0);
  SocketPoll_del (p, a);
  SocketPoll_del (p, a); /* not registered: accepted */
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

struct timer_del
{
  SocketPoll_T p;
  Socket_T s;
  int fired;
};

static void
del_from_timer (void *ud)
{
  struct timer_del *t = ud;

  SocketPoll_del (t->p, t->s);
  t->fired = 1;
}

/* Timers fire before the kernel events are translated: a socket a timer
 * removed is not reported by the same wait. */
TEST (poll_timer_runs_before_event_translation)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;
  struct timer_del t = { 0 };

  pair (&a, &b);
  SocketPoll_add (p, a, POLL_READ, &t);
  ASSERT_EQ (Socket_send (b, "x", 1), 1);
  t.p = p;
  t.s = a;
  SocketTimer_add (p, 0, del_from_timer, &t);
  usleep (5 * 1000);
  int n = SocketPoll_wait (p, &ev, 10000);
  ASSERT (t.fired);
  for (int i = 0; i < n; i++)
    ASSERT (ev[i].socket != a);
  SocketPoll_free (&p);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (poll_error_and_hangup_bits_in_events_are_harmless)
{
  SocketPoll_T p = SocketPoll_new (8);
  Socket_T a, b;
  SocketEvent_T *ev;

  pair (&a, &b);
  /* Asking for ERROR/HANGUP only selects nothing; a hangup is still
   * reported. */
  SocketPoll_add (p, a, POLL_ERROR | POLL_HANGUP, NULL);
  ASSERT_EQ (Socket_send (b, "x", 1), 1);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 50), 0);
  Socket_free (&b);
  ASSERT_EQ (SocketPoll_wait (p, &ev, 10000), 1);
  ASSERT (ev[0].events & POLL_HANGUP);
  SocketPoll_free (&p);
  Socket_free (&a);
}

TEST_MAIN ()
