/**
 * @file Arena.h
 * @brief Region allocator: many allocations, one release.
 *
 * Allocations are carved from 10 KiB-class chunks and are aligned for any
 * object type (ARENA_ALIGNMENT_SIZE). Requested sizes are checked for
 * overflow and capped at ARENA_MAX_ALLOC_SIZE. Arena_clear() releases every
 * allocation but keeps the arena for reuse; released chunks go to a small
 * process-wide free list (ARENA_MAX_FREE_CHUNKS) to avoid malloc churn.
 *
 * Thread-safety: yes, including concurrent allocation from one arena by
 * several threads (each arena has its own mutex, held only for the pointer
 * bump); the shared free list has another.
 */
#ifndef ARENA_INCLUDED
#define ARENA_INCLUDED

#include <stddef.h>

#include "core/Except.h"

/** Opaque arena handle. */
typedef struct Arena_T *Arena_T;

/** Raised when memory cannot be obtained or a size is invalid/overflows. */
extern SOCKET_API const Except_T Arena_Failed;

/**
 * @brief Create an empty arena.
 * @return a new arena, owned by the caller (release with Arena_dispose()).
 * @throws Arena_Failed when out of memory.
 */
extern SOCKET_API Arena_T Arena_new (void);

/**
 * @brief Release the arena and everything allocated from it; sets *ap to
 * NULL. A NULL @p ap or *ap is a no-op.
 */
extern SOCKET_API void Arena_dispose (Arena_T *ap);

/**
 * @brief Allocate @p nbytes aligned bytes (contents unspecified; the size
 * is rounded up to a multiple of ARENA_ALIGNMENT_SIZE).
 * @param file,line  caller location, reported only in an out-of-memory message.
 * @return memory owned by the arena, valid until Arena_clear/Arena_dispose;
 *         never NULL.
 * @throws Arena_Failed for a NULL arena ("NULL arena pointer in
 *         Arena_alloc"), @p nbytes of 0 ("Zero size allocation in
 *         Arena_alloc"), a rounded size above ARENA_MAX_ALLOC_SIZE - 32
 *         (104857568, as the original counts its chunk header), or when out
 *         of memory.
 */
extern SOCKET_API void *Arena_alloc (Arena_T arena, size_t nbytes,
                                     const char *file, int line);

/**
 * @brief Allocate @p count * @p nbytes zeroed bytes.
 * @throws Arena_Failed when the product overflows or as Arena_alloc.
 */
extern SOCKET_API void *Arena_calloc (Arena_T arena, size_t count,
                                      size_t nbytes, const char *file,
                                      int line);

/**
 * @brief Release every allocation but keep the arena usable.
 * The first chunk is kept for reuse; others go to the free list.
 */
extern SOCKET_API void Arena_clear (Arena_T arena);

/** Allocate from @p arena, recording the call site. */
#define ALLOC(arena, nbytes) Arena_alloc ((arena), (nbytes), __FILE__, __LINE__)

/** Zero-allocate an array from @p arena, recording the call site. */
#define CALLOC(arena, count, nbytes)                                          \
  Arena_calloc ((arena), (count), (nbytes), __FILE__, __LINE__)

#endif /* ARENA_INCLUDED */
