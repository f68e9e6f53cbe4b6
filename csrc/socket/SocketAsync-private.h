/*
 * SocketAsync-private.h - internals shared by SocketAsync.c and its two
 * backends (SocketAsync-uring.c, SocketAsync-fallback.c), plus the two
 * hooks SocketPoll uses.
 *
 * Request life cycle: SocketAsync_send/recv allocate a request, put it in
 * the id table and hand it to the backend (state INFLIGHT). When the kernel
 * or a readiness attempt finishes it, the backend calls
 * SocketAsync__complete(), which moves it to the done list (state DONE).
 * SocketAsync_process_completions() pops the done list, runs callbacks and
 * frees the requests. Cancel removes an INFLIGHT request before it
 * completes; a DONE request is already complete and is not cancelled.
 */
#ifndef SOCKETASYNC_PRIVATE_H
#define SOCKETASYNC_PRIVATE_H

#include <sys/socket.h>
#include <sys/uio.h>

#include "socket/SocketAsync.h"

/* ---- hooks for SocketPoll -------------------------------------------------- */

/** Descriptor that becomes readable when completions are ready, -1 if none. */
int SocketAsync__pollfd (SocketAsync_T async);

/** Submit batched (non-URGENT) requests to the kernel; no-op for the
 *  fallback. Called by SocketPoll_wait before it blocks. */
void SocketAsync__flush (SocketAsync_T async);

/* ---- internals ------------------------------------------------------------- */

enum async_op
{
  ASYNC_OP_SEND = 1,
  ASYNC_OP_RECV = 2
};

enum async_state
{
  ASYNC_INFLIGHT = 1,
  ASYNC_DONE = 2
};

struct async_req
{
  unsigned id;
  enum async_op op;
  enum async_state state;
  Socket_T socket;
  int fd;
  void *buf;
  size_t len;
  SocketAsync_Callback cb;
  void *user_data;
  ssize_t bytes; /* result once DONE */
  int err;
  int try_now;   /* fallback: attempt the syscall on the next pass */
  struct async_req *hnext;       /* id table chain */
  struct async_req *prev, *next; /* backend list or done list */
  struct msghdr msg;             /* io_uring SENDMSG/RECVMSG (old kernels) */
  struct iovec iov;
};

struct async_backend
{
  const char *name;
  int kernel;                  /* 1 = kernel completions (io_uring) */
  int (*submit) (SocketAsync_T a, struct async_req *r, int urgent);
  int (*cancel) (SocketAsync_T a, struct async_req *r); /* 0 = cancelled */
  void (*flush) (SocketAsync_T a);
  void (*reap) (SocketAsync_T a); /* move finished requests to done */
  void (*destroy) (SocketAsync_T a);
};

#define ASYNC_TABLE_SIZE 1021u

struct SocketAsync_T
{
  const struct async_backend *be;
  void *state;   /* backend private */
  int pollfd;
  struct async_req *table[ASYNC_TABLE_SIZE];
  struct async_req *done_head, *done_tail;
  unsigned next_id;
  unsigned inflight;
  int arena_owned;
};

/** Mark @p r finished with @p bytes / @p err and queue its callback. */
void SocketAsync__complete (SocketAsync_T a, struct async_req *r,
                            ssize_t bytes, int err);

/** The request with @p id, or NULL. */
struct async_req *SocketAsync__lookup (SocketAsync_T a, unsigned id);

/* Backend constructors: 0 on success (a->be, a->state, a->pollfd set),
 * -1 with errno when the backend is unavailable. */
int SocketAsync__uring_init (SocketAsync_T a);
/** 1 if this build has io_uring support (whether or not the kernel does). */
int SocketAsync__uring_compiled (void);
int SocketAsync__fallback_init (SocketAsync_T a);

/** Test hook: ops the io_uring backend uses ("send/recv" or
 *  "sendmsg/recvmsg"), NULL for the fallback. */
const char *SocketAsync__uring_ops (SocketAsync_T a);

#endif /* SOCKETASYNC_PRIVATE_H */
