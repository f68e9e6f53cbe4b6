/*
 * SocketPoll-private.h - what other modules (SocketTimer, tests) may use of
 * a poll instance beyond its public API.
 *
 * The backend interface (epoll / kqueue / poll(2)) is a separate private
 * header, SocketPoll-backend.h, because its functions are static to
 * SocketPoll.c (which #includes exactly one backend file).
 */
#ifndef SOCKETPOLL_PRIVATE_H
#define SOCKETPOLL_PRIVATE_H

#include "core/SocketTimer-private.h"
#include "poll/SocketPoll.h"

/** The timer heap owned by @p poll (never NULL for a live poll). */
SocketTimer__Heap *SocketPoll__timer_heap (SocketPoll_T poll);

/**
 * Interrupt a SocketPoll_wait() in progress on another thread (no-op when
 * nobody waits). Async-signal-unsafe; thread-safe. Called by add/mod and by
 * SocketTimer_add when the new deadline is the earliest.
 */
void SocketPoll__wakeup (SocketPoll_T poll);

/** "epoll", "kqueue" or "poll": the backend compiled into SocketPoll.c. */
const char *SocketPoll__backend_name (void);

#endif /* SOCKETPOLL_PRIVATE_H */
