/*
 * bench_ipprotect.c - SocketIPTracker track+release and SocketSYNProtect
 * check throughput.
 *
 * IPTracker: each thread tracks and releases its own 1024 IPs (IPv4 and
 * IPv6 text) in a loop on one shared tracker (limit 8), 1 and 2 threads;
 * an op is one track or one release. SYNProtect: check() over 65536
 * pre-made random source IPs (half IPv6) with max_tracked_ips 10000, so
 * nearly every check is a new IP that evicts the least recently used
 * (a flood); and over 1000 IPs that stay tracked (steady state). Best of
 * 5 runs each; wall-clock time, so the 2-thread figure includes mutex
 * contention.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "core/SocketIPTracker.h"
#include "core/SocketSYNProtect.h"

#define PER_THREAD_IPS 1024
#define TRACK_ROUNDS 200
#define FLOOD_IPS 65536

static char (*ips)[48];

static uint64_t
xorshift (uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void
make_ips (size_t n, uint64_t seed)
{
  ips = malloc (n * sizeof *ips);
  if (ips == NULL)
    abort ();
  for (size_t i = 0; i < n; i++)
    {
      uint64_t r = xorshift (&seed);
      if (r & 1)
        snprintf (ips[i], sizeof ips[i], "%u.%u.%u.%u", (unsigned)(r >> 8) & 255,
                  (unsigned)(r >> 16) & 255, (unsigned)(r >> 24) & 255,
                  (unsigned)(r >> 32) & 255);
      else
        snprintf (ips[i], sizeof ips[i], "2001:db8:%x:%x::%x", (unsigned)(r >> 8) & 0xffff,
                  (unsigned)(r >> 24) & 0xffff, (unsigned)(r >> 40) & 0xffff);
    }
}

static SocketIPTracker_T tracker;

static void *
track_worker (void *arg)
{
  size_t base = (size_t)(uintptr_t)arg * PER_THREAD_IPS;
  for (int r = 0; r < TRACK_ROUNDS; r++)
    {
      for (size_t i = 0; i < PER_THREAD_IPS; i++)
        if (!SocketIPTracker_track (tracker, ips[base + i]))
          abort ();
      for (size_t i = 0; i < PER_THREAD_IPS; i++)
        SocketIPTracker_release (tracker, ips[base + i]);
    }
  return NULL;
}

static double
bench_tracker (int nthreads)
{
  double best = 1e30;
  pthread_t th[8];

  tracker = SocketIPTracker_new (NULL, 8);
  for (int run = 0; run < BENCH_RUNS; run++)
    {
      double t0 = bench_now ();
      for (int i = 0; i < nthreads; i++)
        pthread_create (&th[i], NULL, track_worker, (void *)(uintptr_t)i);
      for (int i = 0; i < nthreads; i++)
        pthread_join (th[i], NULL);
      double dt = bench_now () - t0;
      if (dt < best)
        best = dt;
      if (SocketIPTracker_total (tracker) != 0)
        abort ();
    }
  SocketIPTracker_free (&tracker);
  return (double)nthreads * TRACK_ROUNDS * PER_THREAD_IPS * 2 / best;
}

static SocketSYNProtect_T protect;
static size_t next_ip, ip_span;

static int
check_one (void *ctx)
{
  (void)ctx;
  SocketSYN_Action a = SocketSYNProtect_check (protect, ips[next_ip], NULL);
  next_ip = next_ip + 1 == ip_span ? 0 : next_ip + 1;
  return a <= SYN_ACTION_BLOCK;
}

static double
bench_syn (size_t span, size_t max_tracked)
{
  SocketSYNProtect_Config c;

  SocketSYNProtect_config_defaults (&c);
  c.max_tracked_ips = max_tracked;
  c.max_global_per_second = 1 << 30;
  protect = SocketSYNProtect_new (NULL, &c);
  next_ip = 0;
  ip_span = span;
  double s = bench_best_seconds (check_one, NULL, "SYNProtect_check");
  SocketSYNProtect_Stats st;
  SocketSYNProtect_stats (protect, &st);
  if (st.current_tracked_ips > max_tracked)
    abort ();
  SocketSYNProtect_free (&protect);
  return s;
}

int
main (void)
{
  make_ips (FLOOD_IPS, 0x243f6a8885a308d3ULL);
  for (int n = 1; n <= 2; n++)
    {
      double ops = bench_tracker (n);
      printf ("IPTracker track/release  %d thread%s: %6.2f M ops/s (%.0f ns/op per thread)\n",
              n, n > 1 ? "s" : " ", ops / 1e6, 1e9 * n / ops);
    }
  double flood = bench_syn (FLOOD_IPS, 10000);
  printf ("SYNProtect check, flood of %d random IPs (LRU 10000): %6.2f M checks/s (%.0f ns/check)\n",
          FLOOD_IPS, 1e-6 / flood, flood * 1e9);
  double steady = bench_syn (1000, 10000);
  printf ("SYNProtect check, 1000 tracked IPs (steady):        %6.2f M checks/s (%.0f ns/check)\n",
          1e-6 / steady, steady * 1e9);
  free (ips);
  return 0;
}
