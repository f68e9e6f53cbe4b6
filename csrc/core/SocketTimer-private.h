/*
 * SocketTimer-private.h - the timer heap behind SocketTimer, as used by
 * SocketPoll (which owns one heap per poll instance) and by tests.
 */
#ifndef SOCKETTIMER_PRIVATE_H
#define SOCKETTIMER_PRIVATE_H

#include <stdint.h>

#include "core/SocketTimer.h"

typedef struct SocketTimer__Heap SocketTimer__Heap;

/** New empty heap; NULL with errno = ENOMEM on allocation failure. */
SocketTimer__Heap *SocketTimer__heap_new (void);

/** Free the heap and every timer still in it (callbacks are not run). */
void SocketTimer__heap_free (SocketTimer__Heap **heap);

/**
 * Milliseconds until the earliest deadline (0 if one is due), or -1 when
 * the heap is empty. SocketPoll clamps its wait timeout to this.
 */
int SocketTimer__next_timeout_ms (SocketTimer__Heap *heap);

/**
 * Run the callbacks of every timer due now, in (deadline, insertion)
 * order, without holding the heap lock (callbacks may add or cancel
 * timers). Timers added during the pass wait for the next pass, so a
 * callback that re-adds itself with delay 0 cannot starve the loop.
 * @return number of callbacks run.
 */
int SocketTimer__process (SocketTimer__Heap *heap);

/** Number of live timers (tests, leak checks). */
unsigned SocketTimer__count (SocketTimer__Heap *heap);

/** Clock in milliseconds; tests install a fake one (NULL restores the
 *  monotonic clock). The clock is process-wide. */
typedef int64_t (*SocketTimer__clock_fn) (void);
void SocketTimer__set_clock (SocketTimer__clock_fn fn);
int64_t SocketTimer__now_ms (void);

#endif /* SOCKETTIMER_PRIVATE_H */
