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

/** @brief New loop returning at most @p maxevents events per wait (1..SOCKET_MAX_POLL_EVENTS). */
extern SOCKET_API SocketPoll_T SocketPoll_new (int maxevents);
extern SOCKET_API void SocketPoll_free (SocketPoll_T *poll);
/** @throws SocketPoll_Failed if @p socket is already registered. */
extern SOCKET_API void SocketPoll_add (SocketPoll_T poll, Socket_T socket, unsigned events, void *data);
extern SOCKET_API void SocketPoll_mod (SocketPoll_T poll, Socket_T socket, unsigned events, void *data);
extern SOCKET_API void SocketPoll_del (SocketPoll_T poll, Socket_T socket);
extern SOCKET_API int SocketPoll_getdefaulttimeout (SocketPoll_T poll);
extern SOCKET_API void SocketPoll_setdefaulttimeout (SocketPoll_T poll, int timeout);
/**
 * @brief Wait up to @p timeout ms (-1 forever, SOCKET_POLL_TIMEOUT_USE_DEFAULT
 *        for the default); due timers fire first.
 * @return number of events stored in *events.
 */
extern SOCKET_API int SocketPoll_wait (SocketPoll_T poll, SocketEvent_T **events, int timeout);
/** @brief The async I/O instance driven by this loop. */
extern SOCKET_API SocketAsync_T SocketPoll_get_async (SocketPoll_T poll);

#endif /* SOCKETPOLL_INCLUDED */
