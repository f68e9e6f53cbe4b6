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
 * Thread-safety: an arena has a single owner at a time (no internal lock,
 * which keeps Arena_alloc a pointer bump). Different arenas may be used by
 * different threads concurrently; the shared free list is locked.
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
 * @brief Allocate @p nbytes aligned bytes (contents unspecified).
 * @param file,line  caller location, reported in the exception message.
 * @return memory owned by the arena, valid until Arena_clear/Arena_dispose.
 * @throws Arena_Failed for a NULL arena, @p nbytes of 0 or above
 *         ARENA_MAX_ALLOC_SIZE, or when out of memory.
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
