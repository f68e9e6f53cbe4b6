/* test_timer.c - SocketTimer: firing through SocketPoll_wait, ordering of
 * 100k timers (fake clock), repeating timers, cancel from callbacks,
 * remaining(), stale and foreign handles, argument checks. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "Test.h"
#include "core/SocketTimer-private.h"
#include "core/SocketTimer.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"
#include "poll/SocketPoll.h"

/* ---- fake clock ---------------------------------------------------------- */

static _Atomic int64_t fake_ms = 1000000;

static int64_t
fake_clock (void)
{
  return atomic_load (&fake_ms);
}

static void
advance (int64_t ms)
{
  atomic_fetch_add (&fake_ms, ms);
}

static int
raises_timer_failed (void (*fn) (void *), void *arg)
{
  volatile int raised = 0;

  TRY fn (arg);
  EXCEPT (SocketTimer_Failed) raised = 1;
  END_TRY;
  return raised;
}

static void
count_cb (void *ud)
{
  (*(int *)ud)++;
}

/* ---- basic firing -------------------------------------------------------- */

TEST (timer_oneshot_fires_once_inside_wait)
{
  SocketPoll_T poll = SocketPoll_new (16);
  SocketEvent_T *ev;
  int fired = 0;
  int64_t t0 = Socket_get_monotonic_ms (), dt;

  SocketTimer_T t = SocketTimer_add (poll, 30, count_cb, &fired);
  ASSERT (t != NULL);
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (poll)), 1);
  /* The wait is clamped to the deadline even with a 60 s timeout. */
  while (fired == 0 && Socket_get_monotonic_ms () - t0 < 60000)
    SocketPoll_wait (poll, &ev, 60000);
  dt = Socket_get_monotonic_ms () - t0;
  ASSERT_EQ (fired, 1);
  ASSERT (dt >= 29);
  ASSERT (dt < 30000);
  SocketPoll_wait (poll, &ev, 60);
  ASSERT_EQ (fired, 1);
  ASSERT_EQ (SocketTimer_cancel (poll, t), -1);   /* already fired */
  ASSERT_EQ (SocketTimer_remaining (poll, t), -1);
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (poll)), 0);
  SocketPoll_free (&poll);
}

TEST (timer_zero_delay_fires_on_next_wait)
{
  SocketPoll_T poll = SocketPoll_new (4);
  SocketEvent_T *ev;
  int fired = 0;

  SocketTimer_add (poll, 0, count_cb, &fired);
  ASSERT_EQ (fired, 0); /* never synchronously from add */
  ASSERT_EQ (SocketPoll_wait (poll, &ev, 1000), 0);
  ASSERT_EQ (fired, 1);
  SocketPoll_free (&poll);
}

/* ---- fake-clock semantics ------------------------------------------------- */

TEST (timer_remaining_and_cancel)
{
  SocketTimer__set_clock (fake_clock);
  SocketPoll_T poll = SocketPoll_new (4);
  SocketEvent_T *ev;
  int fired = 0;

  SocketTimer_T t = SocketTimer_add (poll, 1000, count_cb, &fired);
  SocketTimer_T u = SocketTimer_add (poll, 2000, count_cb, &fired);
  ASSERT_EQ (SocketTimer_remaining (poll, t), 1000);
  advance (400);
  ASSERT_EQ (SocketTimer_remaining (poll, t), 600);
  ASSERT_EQ (SocketTimer_remaining (poll, u), 1600);
  ASSERT_EQ (SocketTimer_cancel (poll, u), 0);
  ASSERT_EQ (SocketTimer_cancel (poll, u), -1);
  ASSERT_EQ (SocketTimer_remaining (poll, u), -1);
  advance (700); /* overdue but not yet processed: 0, not negative */
  ASSERT_EQ (SocketTimer_remaining (poll, t), 0);
  SocketPoll_wait (poll, &ev, 0);
  ASSERT_EQ (fired, 1);
  ASSERT_EQ (SocketTimer_remaining (poll, t), -1);
  advance (5000);
  SocketPoll_wait (poll, &ev, 0);
  ASSERT_EQ (fired, 1); /* the cancelled one never fires */
  SocketPoll_free (&poll);
  SocketTimer__set_clock (NULL);
}

TEST (timer_repeating_count)
{
  SocketTimer__set_clock (fake_clock);
  SocketPoll_T poll = SocketPoll_new (4);
  SocketEvent_T *ev;
  int fired = 0;

  SocketTimer_T t = SocketTimer_add_repeating (poll, 10, count_cb, &fired);
  for (int i = 0; i < 25; i++)
    {
      advance (10);
      SocketPoll_wait (poll, &ev, 0);
    }
  ASSERT_EQ (fired, 25);
  ASSERT_EQ (SocketTimer_remaining (poll, t), 10);
  /* Falling behind fires once per missed interval in the same wait, as
   * the original (expiry += interval, no drift): 95 ms covers 9 periods. */
  advance (95);
  SocketPoll_wait (poll, &ev, 0);
  ASSERT_EQ (fired, 34);
  ASSERT_EQ (SocketTimer_remaining (poll, t), 5); /* still on the 10 ms grid */
  advance (5);
  SocketPoll_wait (poll, &ev, 0);
  ASSERT_EQ (fired, 35);
  ASSERT_EQ (SocketTimer_cancel (poll, t), 0);
  advance (100);
  SocketPoll_wait (poll, &ev, 0);
  ASSERT_EQ (fired, 35);
  SocketPoll_free (&poll);
  SocketTimer__set_clock (NULL);
}

TEST (timer_repeating_real_clock)
{
  SocketPoll_T poll = SocketPoll_new (4);
  SocketEvent_T *ev;
  int fired = 0;
  int64_t t0 = Socket_get_monotonic_ms ();

  SocketTimer_T t = SocketTimer_add_repeating (poll, 20, count_cb, &fired);
  while (Socket_get_monotonic_ms () - t0 < 300)
    SocketPoll_wait (poll, &ev, 1000);
  /* Missed periods are caught up, so the count follows the time really
   * spent (a late last wait fires more), never more than one per 20 ms. */
  int64_t spent = Socket_get_monotonic_ms () - t0;
  ASSERT (fired >= 5); /* 15 nominal */
  ASSERT (fired <= spent / 20 + 1);
  SocketTimer_cancel (poll, t);
  SocketPoll_free (&poll);
}

/* ---- callbacks that cancel ------------------------------------------------ */

struct cancel_ctx
{
  SocketPoll_T poll;
  SocketTimer_T self, other;
  int self_fired, other_fired;
  int cancel_other_rc, cancel_self_rc;
};

static void
other_cb (void *ud)
{
  ((struct cancel_ctx *)ud)->other_fired++;
}

static void
canceller_cb (void *ud)
{
  struct cancel_ctx *c = ud;

  c->self_fired++;
  c->cancel_other_rc = SocketTimer_cancel (c->poll, c->other);
  c->cancel_self_rc = SocketTimer_cancel (c->poll, c->self);
}

TEST (timer_cancel_self_and_other_from_callback)
{
  SocketTimer__set_clock (fake_clock);
  struct cancel_ctx c = { 0 };
  SocketEvent_T *ev;

  c.poll = SocketPoll_new (4);
  /* Same deadline: 'other' would fire right after 'self' in this pass. */
  c.self = SocketTimer_add_repeating (c.poll, 10, canceller_cb, &c);
  c.other = SocketTimer_add (c.poll, 10, other_cb, &c);
  advance (10);
  SocketPoll_wait (c.poll, &ev, 0);
  ASSERT_EQ (c.self_fired, 1);
  ASSERT_EQ (c.cancel_other_rc, 0);
  ASSERT_EQ (c.cancel_self_rc, 0); /* repeating: still scheduled */
  advance (100);
  SocketPoll_wait (c.poll, &ev, 0);
  ASSERT_EQ (c.self_fired, 1);
  ASSERT_EQ (c.other_fired, 0);
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (c.poll)), 0);

  /* A one-shot timer has already fired when its callback runs. */
  c.self = SocketTimer_add (c.poll, 5, canceller_cb, &c);
  c.other = NULL;
  advance (5);
  SocketPoll_wait (c.poll, &ev, 0);
  ASSERT_EQ (c.self_fired, 2);
  ASSERT_EQ (c.cancel_self_rc, -1);
  ASSERT_EQ (c.cancel_other_rc, -1); /* NULL handle */
  SocketPoll_free (&c.poll);
  SocketTimer__set_clock (NULL);
}

struct readd_ctx
{
  SocketPoll_T poll;
  int fired;
};

static void
readd_cb (void *ud)
{
  struct readd_ctx *c = ud;

  c->fired++;
  SocketTimer_add (c->poll, 0, readd_cb, c);
}

TEST (timer_readd_zero_delay_does_not_starve_wait)
{
  struct readd_ctx c = { SocketPoll_new (4), 0 };
  SocketEvent_T *ev;

  SocketTimer_add (c.poll, 0, readd_cb, &c);
  for (int i = 1; i <= 5; i++)
    {
      SocketPoll_wait (c.poll, &ev, 0);
      ASSERT_EQ (c.fired, i); /* one generation per wait */
    }
  SocketPoll_free (&c.poll); /* frees the pending timer (ASan: no leak) */
}

/* ---- 100,000 timers ----------------------------------------------------- */

struct order_rec
{
  int64_t deadline;
};

static int64_t last_deadline;
static int order_violations, early_fires, nfired;

static void
order_cb (void *ud)
{
  const struct order_rec *r = ud;

  if (r->deadline < last_deadline)
    order_violations++;
  if (r->deadline > fake_clock ())
    early_fires++;
  last_deadline = r->deadline;
  nfired++;
}

TEST (timer_100k_fire_in_deadline_order)
{
  enum
  {
    N = 100000
  };
  struct order_rec *recs = malloc (N * sizeof *recs);
  SocketTimer__set_clock (fake_clock);
  SocketPoll_T poll = SocketPoll_new (4);
  SocketEvent_T *ev;
  int64_t start = fake_clock ();
  unsigned seed = 12345;

  ASSERT (recs != NULL);
  last_deadline = order_violations = early_fires = nfired = 0;
  for (int i = 0; i < N; i++)
    {
      int64_t delay = rand_r (&seed) % 100000; /* 0..100 s */
      recs[i].deadline = start + delay;
      SocketTimer_add (poll, delay, order_cb, &recs[i]);
      if (i % 1000 == 999)
        {
          /* Interleave cancels so the heap also shrinks from the middle. */
          SocketTimer_T t = SocketTimer_add (poll, 50000, order_cb, &recs[0]);
          ASSERT_EQ (SocketTimer_cancel (poll, t), 0);
        }
    }
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (poll)), N);
  while (nfired < N)
    {
      advance (1 + rand_r (&seed) % 700);
      SocketPoll_wait (poll, &ev, 0);
      if (fake_clock () - start > 200000)
        break;
    }
  ASSERT_EQ (nfired, N);
  ASSERT_EQ (order_violations, 0);
  ASSERT_EQ (early_fires, 0);
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (poll)), 0);
  SocketPoll_free (&poll);
  SocketTimer__set_clock (NULL);
  free (recs);
}

/* ---- handles and arguments ----------------------------------------------- */

TEST (timer_foreign_and_stale_handles_rejected)
{
  SocketPoll_T a = SocketPoll_new (4), b = SocketPoll_new (4);
  int fired = 0;

  SocketTimer_T ta = SocketTimer_add (a, 1000, count_cb, &fired);
  ASSERT_EQ (SocketTimer_cancel (b, ta), -1);
  ASSERT_EQ (SocketTimer_remaining (b, ta), -1);
  ASSERT_EQ (SocketTimer_cancel (a, ta), 0);
  /* The slot is reused by a new timer; the old handle must not reach it. */
  SocketTimer_T tb = SocketTimer_add (a, 1000, count_cb, &fired);
  ASSERT (tb != ta);
  ASSERT_EQ (SocketTimer_cancel (a, ta), -1);
  ASSERT (SocketTimer_remaining (a, tb) > 0);
  ASSERT_EQ (SocketTimer_cancel (a, (SocketTimer_T)(uintptr_t)0xdeadbeef), -1);
  ASSERT_EQ (SocketTimer_cancel (a, NULL), -1);
  SocketPoll_free (&a);
  SocketPoll_free (&b);
}

static SocketPoll_T arg_poll;

static void
add_null_cb (void *x)
{
  (void)x;
  SocketTimer_add (arg_poll, 10, NULL, NULL);
}
static void
add_negative (void *x)
{
  SocketTimer_add (arg_poll, -1, count_cb, x);
}
static void
repeat_zero (void *x)
{
  SocketTimer_add_repeating (arg_poll, 0, count_cb, x);
}
static void
add_null_poll (void *x)
{
  SocketTimer_add (NULL, 10, count_cb, x);
}
static void
cancel_null_poll (void *x)
{
  SocketTimer_cancel (NULL, (SocketTimer_T)x);
}

TEST (timer_invalid_arguments_raise)
{
  int n = 0;

  arg_poll = SocketPoll_new (4);
  ASSERT (raises_timer_failed (add_null_cb, &n));
  ASSERT (raises_timer_failed (add_negative, &n));
  ASSERT_STREQ (Socket_GetLastError (), "Invalid delay: -1 (must be >= 0)");
  ASSERT (raises_timer_failed (repeat_zero, &n));
  ASSERT_STREQ (Socket_GetLastError (), "Invalid interval: 0 (must be >= 1)");
  ASSERT (raises_timer_failed (add_null_poll, &n));
  ASSERT (raises_timer_failed (cancel_null_poll, &n));
  ASSERT (strstr (Socket_GetLastError (), "NULL poll") != NULL);
  /* No upper bound (the original accepts any delay >= 0 / interval >= 1). */
  SocketTimer_T t = SocketTimer_add (arg_poll, SOCKET_MAX_TIMER_TIMEOUT_MS + 1,
                                     count_cb, &n);
  ASSERT (SocketTimer_remaining (arg_poll, t) > SOCKET_MAX_TIMER_TIMEOUT_MS - 1000);
  ASSERT_EQ (SocketTimer_cancel (arg_poll, t), 0);
  t = SocketTimer_add (arg_poll, INT64_MAX, count_cb, &n); /* saturates */
  ASSERT (SocketTimer_remaining (arg_poll, t) > 0);
  ASSERT_EQ (SocketTimer_cancel (arg_poll, t), 0);
  t = SocketTimer_add_repeating (arg_poll, 24LL * 3600 * 1000, count_cb, &n);
  ASSERT_EQ (SocketTimer_cancel (arg_poll, t), 0);
  ASSERT_EQ (n, 0);
  ASSERT_EQ (SocketTimer__count (SocketPoll__timer_heap (arg_poll)), 0);
  SocketPoll_free (&arg_poll);
}

TEST_MAIN ()
