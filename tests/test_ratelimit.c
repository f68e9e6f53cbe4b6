/* test_ratelimit.c - token bucket semantics with an injected clock, plus a
 * real-clock sanity check with generous bounds and a concurrency test. */
#include <pthread.h>
#include <stdatomic.h>

#include "Test.h"
#include "core/SocketRateLimit-private.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"

static _Atomic int64_t fake_now_ns = 1000000000LL;

static int64_t
fake_clock (void)
{
  return atomic_load (&fake_now_ns);
}

static void
advance_ms (int64_t ms)
{
  atomic_fetch_add (&fake_now_ns, ms * 1000000LL);
}

TEST (ratelimit_burst_then_refill)
{
  SocketRateLimit__set_clock (fake_clock);
  SocketRateLimit_T l = SocketRateLimit_new (NULL, 100, 50);

  ASSERT_UEQ (SocketRateLimit_available (l), 50);
  for (int i = 0; i < 50; i++)
    ASSERT_EQ (SocketRateLimit_try_acquire (l, 1), 1);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 1), 0);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 0), 1); /* 0 tokens: always granted */
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 0), 0);
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 1), 10); /* 100/s → 10 ms */
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 5), 50);
  advance_ms (9);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 1), 0);
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 1), 1);
  advance_ms (1);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 1), 1);
  advance_ms (10000); /* long idle: capped at the bucket size */
  ASSERT_UEQ (SocketRateLimit_available (l), 50);
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 50), 0);
  ASSERT_EQ (SocketRateLimit_wait_time_ms (l, 51), -1);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 51), 0);
  ASSERT_UEQ (SocketRateLimit_available (l), 50); /* failed acquire takes nothing */
  SocketRateLimit_free (&l);
  ASSERT (l == NULL);
  SocketRateLimit__set_clock (NULL);
}

TEST (ratelimit_slow_rate_accumulates_fractions)
{
  SocketRateLimit__set_clock (fake_clock);
  SocketRateLimit_T l = SocketRateLimit_new (NULL, 3, 3); /* one per 333.3 ms */

  ASSERT_EQ (SocketRateLimit_try_acquire (l, 3), 1);
  for (int i = 0; i < 10; i++)
    {
      advance_ms (100); /* 0.3 tokens each step */
      if (i < 3)
        ASSERT_EQ (SocketRateLimit_available (l), 0);
    }
  ASSERT_UEQ (SocketRateLimit_available (l), 3); /* 1000 ms → 3 tokens */
  SocketRateLimit_free (&l);
  SocketRateLimit__set_clock (NULL);
}

TEST (ratelimit_configure_and_reset)
{
  SocketRateLimit__set_clock (fake_clock);
  SocketRateLimit_T l = SocketRateLimit_new (NULL, 10, 0);

  ASSERT_UEQ (SocketRateLimit_get_rate (l), 10);
  ASSERT_UEQ (SocketRateLimit_get_bucket_size (l), 10); /* 0 → rate */
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 10), 1);
  SocketRateLimit_configure (l, 200, 100);
  ASSERT_UEQ (SocketRateLimit_get_rate (l), 200);
  ASSERT_UEQ (SocketRateLimit_get_bucket_size (l), 100);
  advance_ms (100);
  ASSERT_UEQ (SocketRateLimit_available (l), 20);
  SocketRateLimit_reset (l);
  ASSERT_UEQ (SocketRateLimit_available (l), 100);
  SocketRateLimit_configure (l, 0, 5); /* shrink: tokens clamped, rate kept */
  ASSERT_UEQ (SocketRateLimit_available (l), 5);
  ASSERT_UEQ (SocketRateLimit_get_rate (l), 200);
  SocketRateLimit_free (&l);
  SocketRateLimit__set_clock (NULL);
}

TEST (ratelimit_invalid_arguments_raise)
{
  volatile int raised = 0;

  TRY
    (void)SocketRateLimit_new (NULL, 0, 10);
  EXCEPT (SocketRateLimit_Failed)
    raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
  ASSERT_STREQ (Socket_GetLastError (), "tokens_per_sec must be > 0");
  ASSERT_STREQ (SocketRateLimit_Failed.reason, "Rate limiter operation failed");
  raised = 0;
  TRY
    (void)SocketRateLimit_available (NULL);
  EXCEPT (SocketRateLimit_Failed)
    raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
  raised = 0;
  TRY
    (void)SocketRateLimit_new (NULL, 10, SIZE_MAX / 2); /* too large to track */
  EXCEPT (SocketRateLimit_Failed)
    raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
  SocketRateLimit_free (NULL);
}

/* Deliberate difference (docs/MIGRATION.md, Core): all idle time is
 * credited, so a bucket larger than the rate refills to full; the original
 * caps one refill at one second's worth. */
TEST (ratelimit_idle_refills_burst_bucket_to_full)
{
  SocketRateLimit__set_clock (fake_clock);
  SocketRateLimit_T l = SocketRateLimit_new (NULL, 10, 100);

  ASSERT_EQ (SocketRateLimit_try_acquire (l, 100), 1);
  advance_ms (10000);
  ASSERT_UEQ (SocketRateLimit_available (l), 100);
  SocketRateLimit_free (&l);
  SocketRateLimit__set_clock (NULL);
}

TEST (ratelimit_arena_owned)
{
  Arena_T a = Arena_new ();
  SocketRateLimit_T l = SocketRateLimit_new (a, 5, 5);

  ASSERT_EQ (SocketRateLimit_try_acquire (l, 5), 1);
  SocketRateLimit_free (&l); /* must not free arena memory */
  ASSERT (l == NULL);
  Arena_dispose (&a);
}

TEST (ratelimit_real_clock_refills)
{
  /* 20/s: the bucket of 10 takes 500 ms to refill, far more than the gap
   * between two calls even on a loaded machine (at 1000/s a 10 ms pause
   * refilled it before the second call). */
  SocketRateLimit_T l = SocketRateLimit_new (NULL, 20, 10);

  ASSERT_EQ (SocketRateLimit_try_acquire (l, 10), 1);
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 10), 0);
  int64_t wait = SocketRateLimit_wait_time_ms (l, 10);
  ASSERT (wait > 0 && wait <= 500);
  struct timespec ts = { 0, 600 * 1000000L };
  nanosleep (&ts, NULL); /* more than the 500 ms needed */
  ASSERT_EQ (SocketRateLimit_try_acquire (l, 10), 1);
  SocketRateLimit_free (&l);
}

static SocketRateLimit_T shared_limiter;
static atomic_int granted;

static void *
hammer (void *arg)
{
  (void)arg;
  for (int i = 0; i < 5000; i++)
    if (SocketRateLimit_try_acquire (shared_limiter, 1))
      atomic_fetch_add (&granted, 1);
  return NULL;
}

TEST (ratelimit_concurrent_grants_never_exceed_budget)
{
  pthread_t t[4];

  SocketRateLimit__set_clock (fake_clock); /* frozen time: no refill */
  shared_limiter = SocketRateLimit_new (NULL, 1, 1000);
  atomic_store (&granted, 0);
  for (int i = 0; i < 4; i++)
    ASSERT_EQ (pthread_create (&t[i], NULL, hammer, NULL), 0);
  for (int i = 0; i < 4; i++)
    pthread_join (t[i], NULL);
  ASSERT_EQ (atomic_load (&granted), 1000);
  ASSERT_UEQ (SocketRateLimit_available (shared_limiter), 0);
  SocketRateLimit_free (&shared_limiter);
  SocketRateLimit__set_clock (NULL);
}

TEST_MAIN ()
