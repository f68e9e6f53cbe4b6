/*
 * timers.c - the seed README's "Timers" snippet as a complete,
 * self-checking program (delays shortened: 300 ms one-shot, 50 ms
 * heartbeat, instead of 5 s and 1 s).
 */
#include <stdio.h>

#include "core/SocketTimer.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll.h"

static int fired;

static void
timer_callback (void *userdata)
{
  (void)userdata;
  fired++;
  printf ("Timer fired!\n");
}

static int beats;

static void
heartbeat_callback (void *userdata)
{
  (void)userdata;
  beats++;
}

int
main (void)
{
  SocketPoll_T poll = SocketPoll_new (100);
  int64_t t0 = Socket_get_monotonic_ms ();

  /* One-shot timer (fires once after 300 ms) */
  SocketTimer_T timer = SocketTimer_add (poll, 300, timer_callback, NULL);

  /* Repeating timer (fires every 50 ms) */
  SocketTimer_T heartbeat
      = SocketTimer_add_repeating (poll, 50, heartbeat_callback, NULL);

  /* Check remaining time */
  int64_t remaining = SocketTimer_remaining (poll, timer);

  /* Timers fire automatically during SocketPoll_wait(); -1 would block
   * forever without timers, here each wait ends at the next deadline. */
  while (fired == 0)
    {
      SocketEvent_T *events;
      SocketPoll_wait (poll, &events, -1);
    }
  int64_t elapsed = Socket_get_monotonic_ms () - t0;

  /* Cancel timer */
  int cancelled = SocketTimer_cancel (poll, heartbeat);
  int beats_at_cancel = beats;
  SocketEvent_T *events;
  SocketPoll_wait (poll, &events, 120); /* no more heartbeats now */

  printf ("timers: remaining %lld ms at start, one-shot after %lld ms, "
          "%d heartbeats\n",
          (long long)remaining, (long long)elapsed, beats);
  SocketPoll_free (&poll);
  return remaining > 250 && remaining <= 300 && elapsed >= 300
                 && beats >= 3 && cancelled == 0 && beats == beats_at_cancel
             ? 0
             : 1;
}
