/*
 * SocketPoll-backend.h - the private contract between SocketPoll.c and its
 * readiness backends (redis ae's aeApi* pattern).
 *
 * SocketPoll.c #includes exactly one of SocketPoll-epoll.c,
 * SocketPoll-kqueue.c or SocketPoll-poll.c, so every function here is
 * static and the compiler can inline it. Only this header and the backend
 * files may include it.
 *
 * Contract:
 * - Events are SocketPoll_Events bits, plus POLL_EDGE to request
 *   edge-triggered reporting (backends without it report level-triggered).
 * - add/mod/del may be called from any thread, concurrently with wait.
 *   epoll and kqueue get this from the kernel; the poll(2) backend has its
 *   own lock and waits on a snapshot.
 * - Functions return 0 (or a count) on success, -1 with errno on failure.
 * - wait returns the number of ready descriptors (0 on timeout, -1/EINTR
 *   on a signal); get_event reads them until the next wait.
 */
#ifndef SOCKETPOLL_BACKEND_H
#define SOCKETPOLL_BACKEND_H

typedef struct PollBackend *PollBackend_T;

static PollBackend_T backend_new (int maxevents);
static void backend_free (PollBackend_T backend);
static int backend_add (PollBackend_T backend, int fd, unsigned events);
static int backend_mod (PollBackend_T backend, int fd, unsigned events);
static int backend_del (PollBackend_T backend, int fd);
static int backend_wait (PollBackend_T backend, int timeout_ms);
static int backend_get_event (PollBackend_T backend, int index, int *fd_out,
                              unsigned *events_out);
static const char *backend_name (void);

#endif /* SOCKETPOLL_BACKEND_H */
