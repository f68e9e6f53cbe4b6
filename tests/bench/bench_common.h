/* bench_common.h - timing helpers shared by the C benchmarks. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_RUNS 5
#define BENCH_RUN_SECONDS 0.1

static inline double
bench_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Best seconds per call of fn(ctx) over BENCH_RUNS runs of about
 * BENCH_RUN_SECONDS each (iterations calibrated first). fn returns 0 when
 * its result is wrong; then the benchmark exits, so the measured work can
 * neither be skipped nor optimised away.
 */
static inline double
bench_best_seconds (int (*fn) (void *ctx), void *ctx, const char *what)
{
  size_t iters = 1;
  double best = 1e30;

  for (;;)
    {
      double t0 = bench_now ();
      for (size_t i = 0; i < iters; i++)
        if (!fn (ctx))
          goto wrong;
      double dt = bench_now () - t0;
      if (dt >= BENCH_RUN_SECONDS / 4)
        {
          iters = (size_t)((double)iters * BENCH_RUN_SECONDS / dt) + 1;
          break;
        }
      iters *= 2;
    }
  for (int r = 0; r < BENCH_RUNS; r++)
    {
      double t0 = bench_now ();
      for (size_t i = 0; i < iters; i++)
        if (!fn (ctx))
          goto wrong;
      double per_call = (bench_now () - t0) / (double)iters;
      if (per_call < best)
        best = per_call;
    }
  return best;
wrong:
  fprintf (stderr, "%s: unexpected result\n", what);
  exit (1);
}

#endif
