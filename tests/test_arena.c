/* test_arena.c - Arena allocation, alignment, limits and reuse. */
#include <stdint.h>

#include "Test.h"
#include "core/Arena.h"
#include "core/SocketConfig.h"
#include "core/SocketUtil.h"

TEST (arena_alloc_aligned_and_distinct)
{
  Arena_T a = Arena_new ();
  char *prev = NULL;

  for (size_t n = 1; n < 3000; n += 7)
    {
      char *p = ALLOC (a, n);
      ASSERT_EQ ((uintptr_t)p % ARENA_ALIGNMENT_SIZE, 0);
      memset (p, 0xAB, n); /* ASan catches overlap/overflow */
      ASSERT (p != prev);
      prev = p;
    }
  Arena_dispose (&a);
  ASSERT (a == NULL);
}

TEST (arena_calloc_zeroes)
{
  Arena_T a = Arena_new ();
  int *v = CALLOC (a, 1000, sizeof (int));

  for (int i = 0; i < 1000; i++)
    ASSERT_EQ (v[i], 0);
  Arena_dispose (&a);
}

TEST (arena_large_allocation_gets_own_chunk)
{
  Arena_T a = Arena_new ();
  size_t big = 5 * ARENA_CHUNK_SIZE;
  unsigned char *p = ALLOC (a, big);

  memset (p, 1, big);
  ASSERT_EQ (p[big - 1], 1);
  Arena_dispose (&a);
}

static int
raises_arena_failed (Arena_T a, size_t count, size_t size)
{
  volatile int raised = 0;

  TRY
    if (count == 0)
      (void)ALLOC (a, size);
    else
      (void)CALLOC (a, count, size);
  EXCEPT (Arena_Failed)
    raised = 1;
  END_TRY;
  return raised;
}

TEST (arena_rejects_bad_sizes)
{
  Arena_T a = Arena_new ();

  ASSERT (raises_arena_failed (a, 0, 0));
  ASSERT (raises_arena_failed (a, 0, (size_t)ARENA_MAX_ALLOC_SIZE + 1));
  ASSERT (raises_arena_failed (a, 0, SIZE_MAX));
  ASSERT (raises_arena_failed (a, SIZE_MAX / 2, 4)); /* product overflows */
  ASSERT (raises_arena_failed (a, 1u << 20, 1u << 20));
  ASSERT (raises_arena_failed (NULL, 0, 16));
  ASSERT (strstr (Socket_GetLastError (), "NULL arena") != NULL);
  ASSERT (!raises_arena_failed (a, 3, 5));
  Arena_dispose (&a);
}

TEST (arena_clear_reuses_memory)
{
  Arena_T a = Arena_new ();
  char *first = ALLOC (a, 64);

  for (int i = 0; i < 1000; i++)
    (void)ALLOC (a, 100); /* spills into several chunks */
  Arena_clear (a);
  char *again = ALLOC (a, 64);
  ASSERT (again == first); /* first chunk kept and rewound */
  Arena_clear (a);
  Arena_clear (a); /* idempotent */
  Arena_dispose (&a);
  Arena_dispose (&a); /* NULL is a no-op */
  Arena_dispose (NULL);
}

TEST (arena_many_arenas_churn)
{
  for (int round = 0; round < 200; round++)
    {
      Arena_T a = Arena_new ();
      long *ptrs[500];
      for (int i = 0; i < 500; i++)
        {
          ptrs[i] = ALLOC (a, sizeof (long) * 4);
          ptrs[i][0] = i;
          ptrs[i][3] = round;
        }
      /* No allocation overlapped another (ASan/LSan also check bounds). */
      for (int i = 0; i < 500; i++)
        {
          ASSERT_EQ (ptrs[i][0], i);
          ASSERT_EQ (ptrs[i][3], round);
        }
      Arena_dispose (&a);
    }
}

TEST_MAIN ()
