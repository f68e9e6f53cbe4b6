/*
 * SocketPool-drain.c - graceful shutdown: RUNNING -> DRAINING -> STOPPED.
 *
 * DRAINING refuses every new connection and waits for the owner to
 * remove the existing ones; at the deadline the rest are force-closed.
 * Every path to STOPPED goes through a "stop" record filled under the
 * lock: the sockets to close and whether to run the callback. The record
 * is finished after unlocking (close sockets, then the callback), and
 * nothing touches the pool after the callback, which may free it.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "pool/SocketPool-private.h"

#define DRAIN_WAIT_FIRST_SLEEP_MS 1
#define DRAIN_WAIT_MAX_SLEEP_MS 100

/* What a transition to STOPPED leaves to do outside the lock. */
struct Stop
{
  int stopped; /* this call made the transition */
  int forced;
  struct SocketPool_Closing taken;
  SocketPool_DrainCallback cb;
  void *cb_data;
};

static int
load_state (SocketPool_T pool)
{
  return __atomic_load_n (&pool->state, __ATOMIC_ACQUIRE);
}

static void
store_state (SocketPool_T pool, int state)
{
  __atomic_store_n (&pool->state, state, __ATOMIC_RELEASE);
}

/* Locked: go to STOPPED, force-closing whatever is left if @p forced. */
static void
stop_locked (SocketPool_T pool, int forced, struct Stop *st)
{
  if (forced)
    SocketPool__take_all (pool, &st->taken);
  store_state (pool, POOL_STATE_STOPPED);
  pool->stop_forced = forced;
  st->stopped = 1;
  st->forced = forced;
  st->cb = pool->drain_cb;
  st->cb_data = pool->drain_cb_data;
  SocketMetrics_increment (SOCKET_METRIC_POOL_DRAIN_COMPLETED, 1);
}

/* Unlocked: close the taken sockets, then run the callback. */
static void
finish_stop (SocketPool_T pool, struct Stop *st)
{
  SocketPool__close_taken (&st->taken);
  if (st->stopped && st->cb != NULL)
    st->cb (pool, st->forced, st->cb_data);
}

/* Locked: RUNNING -> DRAINING with @p timeout_ms as in SocketPool_drain. */
static void
begin_drain_locked (SocketPool_T pool, int timeout_ms, struct Stop *st)
{
  if (load_state (pool) != POOL_STATE_RUNNING)
    return;
  store_state (pool, POOL_STATE_DRAINING);
  SocketMetrics_increment (SOCKET_METRIC_POOL_DRAIN_INITIATED, 1);
  if (timeout_ms == -1)
    pool->drain_deadline_ms = INT64_MAX;
  else if (timeout_ms > 0)
    pool->drain_deadline_ms = Socket_get_monotonic_ms () + timeout_ms;
  else
    pool->drain_deadline_ms = Socket_get_monotonic_ms ();
  if (pool->count == 0)
    stop_locked (pool, 0, st);
  else if (timeout_ms == 0)
    stop_locked (pool, 1, st);
}

/*
 * Locked: one step of a drain. @return the remaining count (> 0) while
 * draining, the count while RUNNING, 0 once stopped gracefully, -1 once
 * stopped by force (also for a pool that was already STOPPED that way).
 */
static int
poll_locked (SocketPool_T pool, struct Stop *st)
{
  switch (load_state (pool))
    {
    case POOL_STATE_RUNNING:
      return pool->count > INT32_MAX ? INT32_MAX : (int)pool->count;
    case POOL_STATE_DRAINING:
      if (pool->count == 0)
        {
          stop_locked (pool, 0, st);
          return 0;
        }
      if (Socket_get_monotonic_ms () >= pool->drain_deadline_ms)
        {
          stop_locked (pool, 1, st);
          return -1;
        }
      return (int)pool->count;
    default:
      return pool->stop_forced ? -1 : 0;
    }
}

SocketPool_State
SocketPool_state (SocketPool_T pool)
{
  SocketPool__check (pool, "SocketPool_state");
  return (SocketPool_State)load_state (pool);
}

SocketPool_Health
SocketPool_health (SocketPool_T pool)
{
  switch (SocketPool_state (pool))
    {
    case POOL_STATE_RUNNING:
      return POOL_HEALTH_HEALTHY;
    case POOL_STATE_DRAINING:
      return POOL_HEALTH_DRAINING;
    default:
      return POOL_HEALTH_STOPPED;
    }
}

int
SocketPool_is_draining (SocketPool_T pool)
{
  return SocketPool_state (pool) == POOL_STATE_DRAINING;
}

int
SocketPool_is_stopped (SocketPool_T pool)
{
  return SocketPool_state (pool) == POOL_STATE_STOPPED;
}

void
SocketPool_drain (SocketPool_T pool, int timeout_ms)
{
  struct Stop st = { 0 };

  SocketPool__check (pool, "SocketPool_drain");
  SocketPool__lock (pool);
  begin_drain_locked (pool, timeout_ms, &st);
  SocketPool__unlock (pool);
  finish_stop (pool, &st);
}

int
SocketPool_drain_poll (SocketPool_T pool)
{
  struct Stop st = { 0 };
  int rc;

  SocketPool__check (pool, "SocketPool_drain_poll");
  SocketPool__lock (pool);
  if (load_state (pool) == POOL_STATE_STOPPED)
    rc = 0; /* even after a forced stop */
  else
    rc = poll_locked (pool, &st);
  SocketPool__unlock (pool);
  finish_stop (pool, &st);
  return rc;
}

int64_t
SocketPool_drain_remaining_ms (SocketPool_T pool)
{
  int64_t left;

  SocketPool__check (pool, "SocketPool_drain_remaining_ms");
  SocketPool__lock (pool);
  if (load_state (pool) != POOL_STATE_DRAINING)
    left = -1;
  else if (pool->drain_deadline_ms == INT64_MAX)
    left = INT64_MAX;
  else
    {
      left = pool->drain_deadline_ms - Socket_get_monotonic_ms ();
      if (left < 0)
        left = 0;
    }
  SocketPool__unlock (pool);
  return left;
}

void
SocketPool_drain_force (SocketPool_T pool)
{
  struct Stop st = { 0 };

  SocketPool__check (pool, "SocketPool_drain_force");
  SocketPool__lock (pool);
  if (load_state (pool) != POOL_STATE_STOPPED)
    {
      if (load_state (pool) == POOL_STATE_RUNNING)
        SocketMetrics_increment (SOCKET_METRIC_POOL_DRAIN_INITIATED, 1);
      stop_locked (pool, 1, &st);
    }
  SocketPool__unlock (pool);
  finish_stop (pool, &st);
}

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

int
SocketPool_drain_wait (SocketPool_T pool, int timeout_ms)
{
  int delay = DRAIN_WAIT_FIRST_SLEEP_MS;

  SocketPool__check (pool, "SocketPool_drain_wait");
  for (;;)
    {
      struct Stop st = { 0 };
      int64_t left = INT64_MAX;
      int rc;

      SocketPool__lock (pool);
      begin_drain_locked (pool, timeout_ms, &st);
      rc = st.stopped ? (st.forced ? -1 : 0) : poll_locked (pool, &st);
      if (rc > 0 && pool->drain_deadline_ms != INT64_MAX)
        left = pool->drain_deadline_ms - Socket_get_monotonic_ms ();
      SocketPool__unlock (pool);
      finish_stop (pool, &st); /* the pool may be gone after this */
      if (rc <= 0)
        return rc;
      /* Sleep no longer than the deadline, so the force is on time. */
      sleep_ms (left < delay ? (left > 0 ? (int)left : 0) : delay);
      if (delay < DRAIN_WAIT_MAX_SLEEP_MS)
        delay = delay * 2 > DRAIN_WAIT_MAX_SLEEP_MS ? DRAIN_WAIT_MAX_SLEEP_MS
                                                    : delay * 2;
    }
}

void
SocketPool_set_drain_callback (SocketPool_T pool, SocketPool_DrainCallback cb,
                               void *data)
{
  SocketPool__check (pool, "SocketPool_set_drain_callback");
  SocketPool__lock (pool);
  pool->drain_cb = cb;
  pool->drain_cb_data = data;
  SocketPool__unlock (pool);
}
