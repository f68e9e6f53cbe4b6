/* SocketRateLimit-private.h - test hook for the limiter clock. */
#ifndef SOCKETRATELIMIT_PRIVATE_INCLUDED
#define SOCKETRATELIMIT_PRIVATE_INCLUDED

#include <stdint.h>

/** Clock returning monotonic nanoseconds. */
typedef int64_t (*SocketRateLimit__clock_fn) (void);

/**
 * Replace the clock every limiter reads (NULL restores CLOCK_MONOTONIC).
 * For tests only: call it before creating limiters, from one thread.
 */
void SocketRateLimit__set_clock (SocketRateLimit__clock_fn fn);

#endif
