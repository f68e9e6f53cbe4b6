/*
 * bench_pool.c - SocketPool lookup/add/remove with 10,000 live connections
 * and SocketPool_accept_allowed throughput.
 *
 * There is no C peer library with the same interface, so the comparison
 * is against a BASELINE built into this program: a naive pool that keeps
 * the sockets in a plain array and finds one by linear scan (what a pool
 * without a hash table does). It shows what the hash table buys at 10k
 * connections; it is not a competing library.
 *
 * Ops: get = SocketPool_get of a random pooled socket (refreshes its
 * activity time); remove+add = take a random socket out and put it back
 * (one op = the pair); accept_allowed with a rate limiter and per-IP
 * limit enabled, alternating between 256 client IPs. Best of 5 runs of
 * ~0.1 s each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "bench_common.h"
#include "core/Arena.h"
#include "pool/SocketPool.h"
#include "socket/Socket.h"

#define NCONN 10000
#define NIPS 256

static Socket_T socks[NCONN];
static SocketPool_T pool;
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static char ips[NIPS][16];

static unsigned
rnd (void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % NCONN);
}

/* ---- the library ------------------------------------------------------ */

static int
pool_get (void *ctx)
{
  Socket_T s = socks[rnd ()];
  Connection_T c = SocketPool_get (pool, s);

  (void)ctx;
  return c != NULL && Connection_socket (c) == s;
}

static int
pool_remove_add (void *ctx)
{
  Socket_T s = socks[rnd ()];

  (void)ctx;
  SocketPool_remove (pool, s);
  return SocketPool_add (pool, s) != NULL;
}

static int
pool_accept_allowed (void *ctx)
{
  static unsigned i;

  (void)ctx;
  return SocketPool_accept_allowed (pool, ips[i++ % NIPS]) == 1;
}

/* ---- BASELINE: linear-scan pool --------------------------------------- */

struct naive_conn
{
  Socket_T socket;
  time_t last_activity;
};

static struct naive_conn naive[NCONN];

static struct naive_conn *
naive_find (Socket_T s)
{
  for (size_t i = 0; i < NCONN; i++)
    if (naive[i].socket == s)
      return &naive[i];
  return NULL;
}

static int
naive_get (void *ctx)
{
  Socket_T s = socks[rnd ()];
  struct naive_conn *c = naive_find (s);

  (void)ctx;
  if (c == NULL)
    return 0;
  c->last_activity = time (NULL);
  return 1;
}

static int
naive_remove_add (void *ctx)
{
  Socket_T s = socks[rnd ()];
  struct naive_conn *c = naive_find (s);

  (void)ctx;
  if (c == NULL)
    return 0;
  c->socket = NULL;
  c = naive_find (NULL); /* first free slot */
  if (c == NULL)
    return 0;
  c->socket = s;
  c->last_activity = time (NULL);
  return 1;
}

/* ------------------------------------------------------------------------ */

static void
report (const char *what, double lib, double base)
{
  if (base > 0)
    printf ("%-28s %12.0f ops/s   baseline %12.0f ops/s   ratio %6.1fx\n",
            what, 1.0 / lib, 1.0 / base, base / lib);
  else
    printf ("%-28s %12.0f ops/s\n", what, 1.0 / lib);
}

int
main (void)
{
  struct rlimit rl;
  Arena_T arena;
  double t_get, t_naive_get, t_ra, t_naive_ra, t_allowed;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < NCONN + 256)
    {
      rl.rlim_cur = rl.rlim_max >= NCONN + 256 ? NCONN + 256 : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  arena = Arena_new ();
  pool = SocketPool_new (arena, NCONN, 512);
  for (int i = 0; i < NCONN; i++)
    {
      socks[i] = Socket_new (AF_INET, SOCK_STREAM, 0);
      if (SocketPool_add (pool, socks[i]) == NULL)
        {
          fprintf (stderr, "add %d failed\n", i);
          return 1;
        }
      naive[i].socket = socks[i];
    }
  for (int i = 0; i < NIPS; i++)
    snprintf (ips[i], sizeof ips[i], "10.0.%d.%d", i / 250, i % 250 + 1);

  printf ("SocketPool, %d live connections (baseline = naive linear-scan "
          "pool in this program, not a library)\n",
          NCONN);
  t_get = bench_best_seconds (pool_get, NULL, "SocketPool_get");
  t_naive_get = bench_best_seconds (naive_get, NULL, "baseline get");
  report ("get", t_get, t_naive_get);
  t_ra = bench_best_seconds (pool_remove_add, NULL, "SocketPool remove+add");
  t_naive_ra = bench_best_seconds (naive_remove_add, NULL,
                                   "baseline remove+add");
  report ("remove+add (pair)", t_ra, t_naive_ra);

  SocketPool_setconnrate (pool, 1000000000, 0);
  SocketPool_setmaxperip (pool, 100);
  t_allowed = bench_best_seconds (pool_accept_allowed, NULL,
                                  "SocketPool_accept_allowed");
  report ("accept_allowed (rate+IP)", t_allowed, 0);

  for (int i = 0; i < NCONN; i++)
    {
      SocketPool_remove (pool, socks[i]);
      Socket_free (&socks[i]);
    }
  SocketPool_free (&pool);
  Arena_dispose (&arena);
  printf ("reproduce: cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release "
          "-DSOCKET_BUILD_BENCH=ON && cmake --build build-rel --target "
          "bench_pool && ./build-rel/tests/bench/bench_pool\n");
  return 0;
}
