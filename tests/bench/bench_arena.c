/*
 * bench_arena.c - Arena_alloc of 64-byte objects against malloc/free.
 *
 * Both sides do the same work per round: allocate 100,000 objects, touch
 * each, then release them all (free() per object vs one Arena_clear()).
 * Best of 5 runs of about 0.3 s each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/Arena.h"

#define OBJECTS 100000
#define OBJECT_SIZE 64

static void *ptrs[OBJECTS];

static double
now_sec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
run_malloc (int rounds)
{
  double t0 = now_sec ();
  for (int r = 0; r < rounds; r++)
    {
      for (int i = 0; i < OBJECTS; i++)
        {
          ptrs[i] = malloc (OBJECT_SIZE);
          if (ptrs[i] == NULL)
            abort ();
          *(volatile char *)ptrs[i] = (char)i;
        }
      for (int i = 0; i < OBJECTS; i++)
        free (ptrs[i]);
    }
  return (now_sec () - t0) / ((double)rounds * OBJECTS) * 1e9;
}

static double
run_arena (Arena_T arena, int rounds)
{
  double t0 = now_sec ();
  for (int r = 0; r < rounds; r++)
    {
      for (int i = 0; i < OBJECTS; i++)
        {
          ptrs[i] = ALLOC (arena, OBJECT_SIZE);
          *(volatile char *)ptrs[i] = (char)i;
        }
      Arena_clear (arena);
    }
  return (now_sec () - t0) / ((double)rounds * OBJECTS) * 1e9;
}

int
main (void)
{
  Arena_T arena = Arena_new ();
  double best_malloc = 1e9, best_arena = 1e9;
  int rounds = 30;

  for (int run = 0; run < 5; run++)
    {
      double m = run_malloc (rounds), a = run_arena (arena, rounds);
      if (m < best_malloc)
        best_malloc = m;
      if (a < best_arena)
        best_arena = a;
    }
  Arena_dispose (&arena);
  printf ("arena_alloc 64B: %.2f ns/op (malloc+free %.2f ns/op, speedup %.2fx)\n",
          best_arena, best_malloc, best_malloc / best_arena);
  return 0;
}
