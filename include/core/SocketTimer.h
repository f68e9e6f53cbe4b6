/**
 * @file SocketTimer.h
 * @brief One-shot and repeating timers driven by SocketPoll_wait().
 *
 * Timers live in a min-heap owned by the poll instance (O(log n) add and
 * cancel) and use the monotonic clock. Callbacks run inside
 * SocketPoll_wait() on the calling thread; a callback may add or cancel
 * timers, including itself.
 *
 * Thread-safety: add/cancel/remaining may be called from any thread; the
 * poll's wait is interrupted so a new earliest deadline takes effect.
 */
#ifndef SOCKETTIMER_INCLUDED
#define SOCKETTIMER_INCLUDED

#include <stdint.h>

#include "core/Except.h"

typedef struct SocketTimer_T *SocketTimer_T;
typedef struct SocketPoll_T *SocketPoll_T;
/** Timer callback, run from SocketPoll_wait(). */
typedef void (*SocketTimerCallback) (void *userdata);

extern SOCKET_API const Except_T SocketTimer_Failed;

/**
 * @brief Fire @p callback once after @p delay_ms (>= 0, no upper bound; 0
 * fires on the next SocketPoll_wait, which then does not block).
 * @return a non-NULL handle valid until the timer fires or is cancelled.
 * @throws SocketTimer_Failed for @p delay_ms < 0 ("Invalid delay: <n>
 *         (must be >= 0)"), a NULL poll or callback, or when the heap
 *         cannot grow.
 */
extern SOCKET_API SocketTimer_T SocketTimer_add (SocketPoll_T poll, int64_t delay_ms, SocketTimerCallback callback,
                                                 void *userdata);
/**
 * @brief Fire every @p interval_ms (>= 1, no upper bound) until cancelled;
 * the first firing after one interval. The next expiry is the previous one
 * plus the interval (no drift), set before the callback runs; a loop that
 * fell behind by several intervals fires the timer once per missed interval
 * in the same SocketPoll_wait.
 * @throws SocketTimer_Failed for @p interval_ms < 1 ("Invalid interval:
 *         <n> (must be >= 1)") or as SocketTimer_add.
 */
extern SOCKET_API SocketTimer_T SocketTimer_add_repeating (SocketPoll_T poll, int64_t interval_ms,
                                                           SocketTimerCallback callback, void *userdata);
/** @brief Cancel @p timer. @return 0 if cancelled, -1 if unknown/already fired. */
extern SOCKET_API int SocketTimer_cancel (SocketPoll_T poll, SocketTimer_T timer);
/** @brief Milliseconds until @p timer fires (0 if due), -1 if unknown. */
extern SOCKET_API int64_t SocketTimer_remaining (SocketPoll_T poll, SocketTimer_T timer);

#endif /* SOCKETTIMER_INCLUDED */
