/*
 * Arena.c - chunked region allocator.
 *
 * Each chunk starts with a header that links to the previous chunk; the
 * arena keeps the current chunk's bump pointer and limit, so the common
 * allocation is an alignment round-up, a compare and an add. Freed chunks
 * of the standard size are kept on a small process-wide free list.
 *
 * As in the original library, several threads may allocate from one arena
 * at once: each arena has its own mutex. Uncontended, a pthread mutex is
 * one atomic exchange to lock and one to unlock, held only for the bump.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/Arena.h"
#include "core/SocketConfig.h"
#include "core/SocketUtil.h"

const Except_T Arena_Failed = { &Arena_Failed, "Arena operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (Arena);

/* Chunk header; the payload follows, aligned to ARENA_ALIGNMENT_SIZE. */
struct chunk
{
  struct chunk *prev;
  size_t size; /* payload bytes */
  union align pad[];
};

struct Arena_T
{
  pthread_mutex_t lock; /* guards the three fields below */
  struct chunk *head;   /* current chunk, NULL when empty */
  char *avail;          /* next free byte in head */
  char *limit;          /* end of head's payload */
};

#define CHUNK_HEADER sizeof (struct chunk)

/* The original counts its 32-byte chunk header against ARENA_MAX_ALLOC_SIZE,
 * so the largest single allocation is 104857568 bytes; we keep that limit. */
#define ARENA_ORIGINAL_CHUNK_HEADER 32
#define ARENA_MAX_SINGLE_ALLOC (ARENA_MAX_ALLOC_SIZE - ARENA_ORIGINAL_CHUNK_HEADER)

static pthread_mutex_t free_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *free_chunks;
static int free_count;

static size_t
align_up (size_t n)
{
  return (n + ARENA_ALIGNMENT_SIZE - 1) & ~((size_t)ARENA_ALIGNMENT_SIZE - 1);
}

static struct chunk *
take_free_chunk (void)
{
  struct chunk *c;

  pthread_mutex_lock (&free_lock);
  c = free_chunks;
  if (c != NULL)
    {
      free_chunks = c->prev;
      free_count--;
    }
  pthread_mutex_unlock (&free_lock);
  return c;
}

/* Standard-size chunks go back to the free list while it has room. */
static void
release_chunk (struct chunk *c)
{
  if (c->size == ARENA_CHUNK_SIZE)
    {
      pthread_mutex_lock (&free_lock);
      if (free_count < ARENA_MAX_FREE_CHUNKS)
        {
          c->prev = free_chunks;
          free_chunks = c;
          free_count++;
          c = NULL;
        }
      pthread_mutex_unlock (&free_lock);
    }
  free (c);
}

/* A chunk with at least @p min_payload bytes, or NULL when out of memory. */
static struct chunk *
new_chunk (size_t min_payload)
{
  struct chunk *c = NULL;
  size_t payload = min_payload > ARENA_CHUNK_SIZE ? min_payload : ARENA_CHUNK_SIZE;

  if (payload == ARENA_CHUNK_SIZE)
    c = take_free_chunk ();
  if (c == NULL)
    {
      c = malloc (CHUNK_HEADER + payload);
      if (c != NULL)
        c->size = payload;
    }
  return c;
}

Arena_T
Arena_new (void)
{
  Arena_T arena = malloc (sizeof *arena);

  if (arena == NULL)
    SOCKET_RAISE_MSG (Arena, Arena_Failed, "%s: cannot create arena",
                      ARENA_ENOMEM);
  if (pthread_mutex_init (&arena->lock, NULL) != 0)
    {
      free (arena);
      SOCKET_RAISE_MSG (Arena, Arena_Failed, "Failed to initialize arena mutex");
    }
  arena->head = NULL;
  arena->avail = arena->limit = NULL;
  return arena;
}

void
Arena_dispose (Arena_T *ap)
{
  if (ap == NULL || *ap == NULL)
    return;
  Arena_clear (*ap);
  if ((*ap)->head != NULL)
    release_chunk ((*ap)->head);
  pthread_mutex_destroy (&(*ap)->lock);
  free (*ap);
  *ap = NULL;
}

void *
Arena_alloc (Arena_T arena, size_t nbytes, const char *file, int line)
{
  size_t need;
  struct chunk *c;
  char *p;

  if (arena == NULL)
    SOCKET_RAISE_MSG (Arena, Arena_Failed, "NULL arena pointer in Arena_alloc");
  if (nbytes == 0)
    SOCKET_RAISE_MSG (Arena, Arena_Failed, "Zero size allocation in Arena_alloc");
  if (nbytes > ARENA_MAX_SINGLE_ALLOC
      || (need = align_up (nbytes)) > ARENA_MAX_SINGLE_ALLOC)
    SOCKET_RAISE_MSG (Arena, Arena_Failed,
                      "Allocation size %zu exceeds the limit %d in Arena_alloc",
                      nbytes, ARENA_MAX_SINGLE_ALLOC);
  pthread_mutex_lock (&arena->lock);
  if (arena->head == NULL || (size_t)(arena->limit - arena->avail) < need)
    {
      c = new_chunk (need);
      if (c == NULL)
        {
          pthread_mutex_unlock (&arena->lock);
          SOCKET_RAISE_MSG (Arena, Arena_Failed, "%s: %zu bytes requested at %s:%d",
                            ARENA_ENOMEM, need, file ? file : "?", line);
        }
      c->prev = arena->head;
      arena->head = c;
      arena->avail = (char *)c + CHUNK_HEADER;
      arena->limit = arena->avail + c->size;
    }
  p = arena->avail;
  arena->avail += need;
  pthread_mutex_unlock (&arena->lock);
  return p;
}

void *
Arena_calloc (Arena_T arena, size_t count, size_t nbytes, const char *file,
              int line)
{
  size_t total;
  void *p;

  if (count == 0 || nbytes == 0 || __builtin_mul_overflow (count, nbytes, &total))
    SOCKET_RAISE_MSG (Arena, Arena_Failed,
                      "invalid array size %zu x %zu at %s:%d", count, nbytes,
                      file ? file : "?", line);
  p = Arena_alloc (arena, total, file, line);
  memset (p, 0, total);
  return p;
}

void
Arena_clear (Arena_T arena)
{
  struct chunk *c, *keep;

  if (arena == NULL)
    return;
  pthread_mutex_lock (&arena->lock);
  if (arena->head == NULL)
    {
      pthread_mutex_unlock (&arena->lock);
      return;
    }
  /* Keep the oldest chunk so a cleared arena reuses memory immediately. */
  c = arena->head;
  while (c->prev != NULL)
    {
      struct chunk *prev = c->prev;
      release_chunk (c);
      c = prev;
    }
  keep = c;
  arena->head = keep;
  arena->avail = (char *)keep + CHUNK_HEADER;
  arena->limit = arena->avail + keep->size;
  pthread_mutex_unlock (&arena->lock);
}
