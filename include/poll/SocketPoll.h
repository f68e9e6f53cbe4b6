/**
 * @file SocketPoll.h
 * @brief Readiness event loop over epoll (Linux), kqueue (BSD/macOS) or
 *        poll(2), with timers and an async I/O instance attached.
 *
 * Register sockets with events (POLL_READ | POLL_WRITE) and per-socket user
 * data; SocketPoll_wait() fills an internal array of SocketEvent_T, runs due
 * timers and async completions, and can be interrupted from another thread
 * (adding a socket or a timer wakes it).
 *
 * Thread-safety: add/mod/del and timers may be called from any thread;
 * SocketPoll_wait() from one thread at a time.
 */
#ifndef SOCKETPOLL_INCLUDED
#define SOCKETPOLL_INCLUDED

#include <stdint.h>

#include "core/Except.h"
#include "core/SocketTimer.h"
#include "socket/Socket.h"

typedef struct SocketAsync_T *SocketAsync_T;
typedef struct SocketPoll_T *SocketPoll_T;

/** Event bits (combine with |). */
typedef enum
{
  POLL_READ = 1 << 0,
  POLL_WRITE = 1 << 1,
  POLL_ERROR = 1 << 2,
  POLL_HANGUP = 1 << 3
} SocketPoll_Events;

/**
 * Extra registration bit (not an event): report the socket's events
 * edge-triggered (EPOLLET / EV_CLEAR) instead of the default
 * level-triggered mode. With it, read/write until EAGAIN before waiting
 * again. The poll(2) backend has no edge mode and reports such sockets
 * level-triggered. Never set in SocketEvent_T.events.
 */
#define POLL_EDGE (1u << 4)

/** One ready socket, valid until the next SocketPoll_wait(). */
typedef struct SocketEvent
{
  Socket_T socket;
  void *data;       /**< user data given to add/mod */
  unsigned events;  /**< SocketPoll_Events bits */
} SocketEvent_T;

/** Pass as the timeout to use the instance default. */
#define SOCKET_POLL_TIMEOUT_USE_DEFAULT (-2)

extern SOCKET_API const Except_T SocketPoll_Failed;

/**
 * @brief New loop returning at most @p maxevents events per wait
 *        (1..SOCKET_MAX_POLL_EVENTS; larger values are clamped). Default
 *        timeout SOCKET_DEFAULT_POLL_TIMEOUT.
 * @throws SocketPoll_Failed on @p maxevents <= 0 or resource failure.
 */
extern SOCKET_API SocketPoll_T SocketPoll_new (int maxevents);
/**
 * @brief Free the loop, its timers and its async instance (pending async
 *        requests are dropped without callbacks); sets *poll to NULL.
 *        Registered sockets are not closed. NULL is a no-op.
 */
extern SOCKET_API void SocketPoll_free (SocketPoll_T *poll);
/**
 * @brief Watch @p socket for @p events (POLL_READ | POLL_WRITE, optionally
 *        POLL_EDGE; other bits are ignored); @p data (borrowed) comes back
 *        in SocketEvent_T.data. POLL_ERROR and POLL_HANGUP are always
 *        reported. Puts the socket in non-blocking mode. A socket without a
 *        descriptor (fd < 0) is ignored with a logged warning. Wakes a wait
 *        in progress on another thread.
 * @throws SocketPoll_Failed if @p socket is already registered ("Socket
 *         already in poll set"), is NULL, or the kernel refuses the
 *         descriptor; Socket_Failed if it cannot be made non-blocking.
 */
extern SOCKET_API void SocketPoll_add (SocketPoll_T poll, Socket_T socket, unsigned events, void *data);
/** @brief Replace the events and data of a registered socket.
 *  @throws SocketPoll_Failed if not registered ("Socket not in poll set
 *          (fd=N) ...") or the kernel refuses. */
extern SOCKET_API void SocketPoll_mod (SocketPoll_T poll, Socket_T socket, unsigned events, void *data);
/**
 * @brief Stop watching @p socket (call before closing it); a socket that
 *        is not registered is ignored. Events already returned by the
 *        current wait stay in the array.
 */
extern SOCKET_API void SocketPoll_del (SocketPoll_T poll, Socket_T socket);
extern SOCKET_API int SocketPoll_getdefaulttimeout (SocketPoll_T poll);
/** @brief Timeout used for SOCKET_POLL_TIMEOUT_USE_DEFAULT (ms, -1 =
 *         forever, 0 = immediate; values below -1 are stored as 0). */
extern SOCKET_API void SocketPoll_setdefaulttimeout (SocketPoll_T poll, int timeout);
/**
 * @brief Wait up to @p timeout ms (-1 forever, SOCKET_POLL_TIMEOUT_USE_DEFAULT
 *        for the default); the timeout is shortened to the next timer
 *        deadline (at most SOCKET_MAX_TIMER_TIMEOUT_MS). Order: async
 *        completions, backend wait, async completions, due timers, then the
 *        kernel events are translated (a socket a callback removed is not
 *        reported), all on the calling thread. Returns early (possibly with
 *        0 events) when another thread adds a socket or an earlier timer,
 *        and 0 on EINTR.
 * @param events set to an array owned by @p poll, valid until the next wait.
 * @return number of events stored in *events.
 * @throws SocketPoll_Failed if the backend wait fails (not on EINTR).
 */
extern SOCKET_API int SocketPoll_wait (SocketPoll_T poll, SocketEvent_T **events, int timeout);
/**
 * @brief The async I/O instance driven by this loop (created on first use,
 *        owned and freed by the poll). Its completions run inside
 *        SocketPoll_wait(); use it from the waiting thread only.
 */
extern SOCKET_API SocketAsync_T SocketPoll_get_async (SocketPoll_T poll);

#endif /* SOCKETPOLL_INCLUDED */
