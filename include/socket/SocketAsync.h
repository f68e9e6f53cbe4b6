/**
 * @file SocketAsync.h
 * @brief Completion-based send/recv: io_uring on Linux when available, an
 *        edge-triggered readiness fallback elsewhere.
 *
 * Requests complete through SocketAsync_process_completions() (called by
 * SocketPoll_wait() for the poll's own instance). Buffers must stay valid
 * until the callback runs or the request is cancelled.
 *
 * Thread-safety: one thread drives an instance.
 */
#ifndef SOCKETASYNC_INCLUDED
#define SOCKETASYNC_INCLUDED

#include <stddef.h>
#include <sys/types.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "socket/Socket.h"

typedef struct SocketAsync_T *SocketAsync_T;

/** Completion: @p bytes transferred (or -1), @p err an errno value (0 = success). */
typedef void (*SocketAsync_Callback) (Socket_T socket, ssize_t bytes, int err, void *user_data);

typedef enum
{
  ASYNC_FLAG_NONE = 0,
  ASYNC_FLAG_ZERO_COPY = 1 << 0, /**< use zero-copy send where supported */
  ASYNC_FLAG_URGENT = 1 << 1     /**< submit immediately */
} SocketAsync_Flags;

extern SOCKET_API const Except_T SocketAsync_Failed;

/**
 * @brief New instance: io_uring when the kernel allows it (Linux >= 5.7 with
 *        fast poll), else the edge-triggered fallback. The environment
 *        variable SOCKET_ASYNC_DISABLE_URING=1 forces the fallback.
 *        @p arena (may be NULL) holds the instance itself; requests are
 *        heap-allocated and freed as they complete.
 * @throws SocketAsync_Failed when no backend can be created.
 */
extern SOCKET_API SocketAsync_T SocketAsync_new (Arena_T arena);
/** @brief Cancel everything in flight (no callbacks; the kernel is done with
 *         the buffers when this returns) and free; sets *async to NULL. */
extern SOCKET_API void SocketAsync_free (SocketAsync_T *async);
/**
 * @brief Queue a send of @p len bytes of @p buf (borrowed until the callback
 *        or a successful cancel). The callback gets the bytes sent, which
 *        may be fewer than @p len. ASYNC_FLAG_URGENT submits at once; other
 *        io_uring requests are batched until the next
 *        process_completions/SocketPoll_wait. ASYNC_FLAG_ZERO_COPY is
 *        accepted and currently ignored.
 * @return a request id (> 0) for SocketAsync_cancel.
 * @throws SocketAsync_Failed on NULL arguments or submission failure.
 */
extern SOCKET_API unsigned SocketAsync_send (SocketAsync_T async, Socket_T socket, const void *buf, size_t len,
                                             SocketAsync_Callback cb, void *user_data, SocketAsync_Flags flags);
/** @brief Queue a receive into @p buf; bytes 0 with err 0 means EOF. @return request id. */
extern SOCKET_API unsigned SocketAsync_recv (SocketAsync_T async, Socket_T socket, void *buf, size_t len,
                                             SocketAsync_Callback cb, void *user_data, SocketAsync_Flags flags);
/**
 * @brief Cancel an in-flight request. On io_uring this waits for the
 *        kernel's answer, so after 0 the buffer is no longer used.
 * @return 0 if cancelled (the callback will not run), -1 if unknown or
 *         already complete (its callback runs at the next processing).
 */
extern SOCKET_API int SocketAsync_cancel (SocketAsync_T async, unsigned request_id);
/**
 * @brief Run callbacks of finished requests, waiting up to @p timeout_ms
 *        (-1 forever) when none is ready; returns at once when nothing is
 *        in flight. @return callbacks run.
 */
extern SOCKET_API int SocketAsync_process_completions (SocketAsync_T async, int timeout_ms);
/** @brief 1 when a kernel completion backend (io_uring) is in use. */
extern SOCKET_API int SocketAsync_is_available (const SocketAsync_T async);
/** @brief "io_uring", "kqueue" (BSD fallback) or "edge-triggered" (Linux fallback). */
extern SOCKET_API const char *SocketAsync_backend_name (const SocketAsync_T async);

#endif /* SOCKETASYNC_INCLUDED */
