/* SocketSYNProtect-private.h - test hook for the SYN-protection clock. */
#ifndef SOCKETSYNPROTECT_PRIVATE_INCLUDED
#define SOCKETSYNPROTECT_PRIVATE_INCLUDED

#include <stdint.h>

/** Clock returning monotonic milliseconds. */
typedef int64_t (*SocketSYNProtect__clock_fn) (void);

/**
 * Replace the clock every instance reads for windows, decay, blocks and
 * expiry (NULL restores Socket_get_monotonic_ms). For tests only: call it
 * from one thread while no instance is in use. The global limiter is a
 * SocketRateLimit and follows SocketRateLimit__set_clock().
 */
void SocketSYNProtect__set_clock (SocketSYNProtect__clock_fn fn);

#endif
