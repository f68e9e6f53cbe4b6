/*
 * exceptions.c - TRY / EXCEPT / FINALLY with the library's own exceptions:
 * an oversized arena allocation is caught, its message read, and the arena
 * released in FINALLY.
 */
#include <stdio.h>

#include "core/Arena.h"
#include "core/SocketConfig.h"
#include "core/SocketUtil.h"

int
main (void)
{
  Arena_T arena = Arena_new ();
  volatile int caught = 0;

  TRY
    char *small = ALLOC (arena, 64);
    snprintf (small, 64, "allocated from the arena");
    puts (small);
    (void)ALLOC (arena, (size_t)ARENA_MAX_ALLOC_SIZE + 1); /* too large */
    puts ("not reached");
  EXCEPT (Arena_Failed)
    caught = 1;
    fprintf (stderr, "Arena error: %s\n", Socket_GetLastError ());
  FINALLY
    Arena_dispose (&arena);
  END_TRY;

  return caught && arena == NULL ? 0 : 1;
}
