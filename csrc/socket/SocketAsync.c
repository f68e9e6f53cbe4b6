/*
 * SocketAsync.c - completion-based send/recv over two backends:
 *
 *   io_uring        (SocketAsync-uring.c) Linux >= 5.7 with fast poll;
 *   edge-triggered  (SocketAsync-fallback.c) readiness + non-blocking I/O.
 *
 * This file owns what both share: the request id table (so cancel with a
 * stale or foreign id is harmless), the done list, callback dispatch and
 * the standalone wait. Setting SOCKET_ASYNC_DISABLE_URING=1 in the
 * environment forces the fallback (tests run both paths that way).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketAsync-private.h"
#include "socket/SocketAsync.h"

const Except_T SocketAsync_Failed
    = { &SocketAsync_Failed, "SocketAsync operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketAsync);

/* ---- id table and done list ----------------------------------------------- */

static unsigned
bucket (unsigned id)
{
  return id % ASYNC_TABLE_SIZE;
}

struct async_req *
SocketAsync__lookup (SocketAsync_T a, unsigned id)
{
  struct async_req *r;

  for (r = a->table[bucket (id)]; r != NULL; r = r->hnext)
    if (r->id == id)
      return r;
  return NULL;
}

static void
table_remove (SocketAsync_T a, struct async_req *r)
{
  struct async_req **pp = &a->table[bucket (r->id)];

  while (*pp != NULL && *pp != r)
    pp = &(*pp)->hnext;
  if (*pp == r)
    *pp = r->hnext;
}

/* Next unused non-zero id (ids wrap after 2^32 requests). */
static unsigned
new_id (SocketAsync_T a)
{
  do
    {
      a->next_id++;
      if (a->next_id == 0)
        a->next_id = 1;
    }
  while (SocketAsync__lookup (a, a->next_id) != NULL);
  return a->next_id;
}

void
SocketAsync__complete (SocketAsync_T a, struct async_req *r, ssize_t bytes,
                       int err)
{
  r->state = ASYNC_DONE;
  r->bytes = err ? -1 : bytes;
  r->err = err;
  r->prev = a->done_tail;
  r->next = NULL;
  if (a->done_tail)
    a->done_tail->next = r;
  else
    a->done_head = r;
  a->done_tail = r;
  a->inflight--;
}

static void
done_unlink (SocketAsync_T a, struct async_req *r)
{
  if (r->prev)
    r->prev->next = r->next;
  else
    a->done_head = r->next;
  if (r->next)
    r->next->prev = r->prev;
  else
    a->done_tail = r->prev;
  r->prev = r->next = NULL;
}

/* ---- lifecycle ------------------------------------------------------------ */

static int
uring_disabled_by_env (void)
{
  const char *v = getenv ("SOCKET_ASYNC_DISABLE_URING");
  return v != NULL && v[0] != '\0' && strcmp (v, "0") != 0;
}

SocketAsync_T
SocketAsync_new (Arena_T arena)
{
  struct SocketAsync_T *a;
  int rc = -1;

  a = arena ? CALLOC (arena, 1, sizeof *a) : calloc (1, sizeof *a);
  if (a == NULL)
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed, "SocketAsync_new: %s",
                      SOCKET_ENOMEM);
  a->arena_owned = arena != NULL;
  a->pollfd = -1;
  if (!uring_disabled_by_env ())
    rc = SocketAsync__uring_init (a);
  if (rc < 0)
    rc = SocketAsync__fallback_init (a);
  if (rc < 0)
    {
      int saved = errno;
      if (!a->arena_owned)
        free (a);
      errno = saved;
      SOCKET_RAISE_FMT (SocketAsync, SocketAsync_Failed,
                        "SocketAsync_new: no async backend available");
    }
  return a;
}

void
SocketAsync_free (SocketAsync_T *async)
{
  struct SocketAsync_T *a;

  if (async == NULL || *async == NULL)
    return;
  a = *async;
  /* The backend first: io_uring must stop touching buffers before the
   * requests that describe them are freed. */
  a->be->destroy (a);
  for (unsigned i = 0; i < ASYNC_TABLE_SIZE; i++)
    while (a->table[i] != NULL)
      {
        struct async_req *r = a->table[i];
        a->table[i] = r->hnext;
        free (r);
      }
  if (!a->arena_owned)
    free (a);
  *async = NULL;
}

/* ---- submission ----------------------------------------------------------- */

static unsigned
submit (SocketAsync_T a, enum async_op op, Socket_T socket, void *buf,
        size_t len, SocketAsync_Callback cb, void *user_data,
        SocketAsync_Flags flags, const char *name)
{
  struct async_req *r;
  int fd;

  if (a == NULL || socket == NULL || cb == NULL || (buf == NULL && len > 0))
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed,
                      "%s: NULL %s", name,
                      a == NULL ? "async"
                      : socket == NULL ? "socket"
                      : cb == NULL     ? "callback"
                                       : "buffer");
  fd = Socket_fd (socket);
  if (fd < 0)
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed,
                      "%s: socket has no descriptor", name);
  /* The kernel moves the bytes itself: on TLS they would skip the records. */
  if (socket->layer != NULL)
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed,
                      "%s: not available on a %s socket; use SocketPoll with "
                      "Socket_send/Socket_recv", name, socket->layer->name);
  r = calloc (1, sizeof *r);
  if (r == NULL)
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed, "%s: %s", name,
                      SOCKET_ENOMEM);
  r->id = new_id (a);
  r->op = op;
  r->state = ASYNC_INFLIGHT;
  r->socket = socket;
  r->fd = fd;
  r->buf = buf;
  r->len = len;
  r->cb = cb;
  r->user_data = user_data;
  if (a->be->submit (a, r, (flags & ASYNC_FLAG_URGENT) != 0) < 0)
    {
      int saved = errno;
      free (r);
      errno = saved;
      SOCKET_RAISE_FMT (SocketAsync, SocketAsync_Failed,
                        "%s: %s submission failed (fd %d)", name,
                        a->be->name, fd);
    }
  r->hnext = a->table[bucket (r->id)];
  a->table[bucket (r->id)] = r;
  a->inflight++;
  return r->id;
}

unsigned
SocketAsync_send (SocketAsync_T async, Socket_T socket, const void *buf,
                  size_t len, SocketAsync_Callback cb, void *user_data,
                  SocketAsync_Flags flags)
{
  /* The buffer is only read; the cast lets both ops share the request. */
  return submit (async, ASYNC_OP_SEND, socket, (void *)buf, len, cb,
                 user_data, flags, "SocketAsync_send");
}

unsigned
SocketAsync_recv (SocketAsync_T async, Socket_T socket, void *buf, size_t len,
                  SocketAsync_Callback cb, void *user_data,
                  SocketAsync_Flags flags)
{
  return submit (async, ASYNC_OP_RECV, socket, buf, len, cb, user_data, flags,
                 "SocketAsync_recv");
}

int
SocketAsync_cancel (SocketAsync_T async, unsigned request_id)
{
  struct async_req *r;

  if (async == NULL || request_id == 0)
    return -1;
  r = SocketAsync__lookup (async, request_id);
  if (r == NULL || r->state != ASYNC_INFLIGHT)
    return -1; /* unknown, or complete with its callback pending */
  if (async->be->cancel (async, r) < 0)
    return -1; /* it completed first; the callback will run */
  table_remove (async, r);
  async->inflight--;
  free (r);
  return 0;
}

/* ---- completion ------------------------------------------------------------ */

static int
dispatch (SocketAsync_T a)
{
  int ran = 0;
  struct async_req *r;

  /* One at a time from the head: a callback may submit or cancel. */
  while ((r = a->done_head) != NULL)
    {
      done_unlink (a, r);
      table_remove (a, r);
      r->cb (r->socket, r->bytes, r->err, r->user_data);
      free (r);
      ran++;
    }
  return ran;
}

static void
wait_readable (int fd, int timeout_ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  (void)poll (&p, 1, timeout_ms); /* EINTR: the caller just returns early */
}

int
SocketAsync_process_completions (SocketAsync_T async, int timeout_ms)
{
  if (async == NULL)
    SOCKET_RAISE_MSG (SocketAsync, SocketAsync_Failed,
                      "SocketAsync_process_completions: NULL async");
  async->be->flush (async);
  async->be->reap (async);
  if (async->done_head == NULL && async->inflight > 0 && timeout_ms != 0)
    {
      wait_readable (async->pollfd, timeout_ms);
      async->be->reap (async);
    }
  return dispatch (async);
}

int
SocketAsync_is_available (const SocketAsync_T async)
{
  return async != NULL && async->be->kernel;
}

const char *
SocketAsync_backend_name (const SocketAsync_T async)
{
  return async == NULL ? "unavailable" : async->be->name;
}

int
SocketAsync__pollfd (SocketAsync_T async)
{
  return async->pollfd;
}

void
SocketAsync__flush (SocketAsync_T async)
{
  async->be->flush (async);
}
