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

extern SOCKET_API SocketAsync_T SocketAsync_new (Arena_T arena);
extern SOCKET_API void SocketAsync_free (SocketAsync_T *async);
/** @return a request id (> 0) for SocketAsync_cancel. */
extern SOCKET_API unsigned SocketAsync_send (SocketAsync_T async, Socket_T socket, const void *buf, size_t len,
                                             SocketAsync_Callback cb, void *user_data, SocketAsync_Flags flags);
extern SOCKET_API unsigned SocketAsync_recv (SocketAsync_T async, Socket_T socket, void *buf, size_t len,
                                             SocketAsync_Callback cb, void *user_data, SocketAsync_Flags flags);
/** @return 0 if cancelled (the callback will not run), -1 if unknown or complete. */
extern SOCKET_API int SocketAsync_cancel (SocketAsync_T async, unsigned request_id);
/** @brief Run callbacks of finished requests, waiting up to @p timeout_ms. @return callbacks run. */
extern SOCKET_API int SocketAsync_process_completions (SocketAsync_T async, int timeout_ms);
/** @brief 1 when a kernel completion backend (io_uring) is in use. */
extern SOCKET_API int SocketAsync_is_available (const SocketAsync_T async);
/** @brief "io_uring", "kqueue" or "edge-triggered". */
extern SOCKET_API const char *SocketAsync_backend_name (const SocketAsync_T async);

#endif /* SOCKETASYNC_INCLUDED */
