/*
 * rate_limit.c - the seed README's "Token Bucket Rate Limiting" snippet as a
 * complete program: 100 tokens/s with a burst of 50.
 */
#include <stdio.h>

#include "core/SocketRateLimit.h"

static int handled;

static void
handle_request (void)
{
  handled++;
}

int
main (void)
{
  /* Create rate limiter: 100 tokens/sec, burst capacity of 50 */
  SocketRateLimit_T limiter = SocketRateLimit_new (NULL, 100, 50);
  int limited = 0;

  for (int i = 0; i < 60; i++)
    {
      /* Try to acquire tokens (non-blocking) */
      if (SocketRateLimit_try_acquire (limiter, 1))
        {
          /* Allowed - proceed */
          handle_request ();
        }
      else
        {
          /* Rate limited - calculate wait time */
          int64_t wait_ms = SocketRateLimit_wait_time_ms (limiter, 1);
          if (wait_ms > 0)
            limited++;
        }
    }

  /* Query state */
  size_t available = SocketRateLimit_available (limiter);
  size_t rate = SocketRateLimit_get_rate (limiter);
  printf ("handled %d, limited %d, available %zu, rate %zu/s\n", handled,
          limited, available, rate);

  /* Reconfigure at runtime */
  SocketRateLimit_configure (limiter, 200, 100);
  printf ("reconfigured: rate %zu/s, burst %zu\n",
          SocketRateLimit_get_rate (limiter),
          SocketRateLimit_get_bucket_size (limiter));

  SocketRateLimit_free (&limiter);
  /* The burst of 50 passes; the rest of this tight loop is limited. */
  return handled >= 50 && handled < 60 && limited > 0 ? 0 : 1;
}
