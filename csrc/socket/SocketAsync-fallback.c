/*
 * SocketAsync-fallback.c - completion API on top of edge-triggered
 * readiness and non-blocking send/recv (used when io_uring is missing,
 * disabled, or forced off with SOCKET_ASYNC_DISABLE_URING=1).
 *
 * A private epoll (Linux) or kqueue (BSD/macOS) instance watches the
 * sockets of pending requests edge-triggered; its descriptor is itself
 * pollable, so SocketPoll watches it like the io_uring eventfd.
 * Submitting re-arms the socket (EPOLL_CTL_MOD / EV_ADD), which reports its
 * current readiness once, so a socket that is already readable or writable
 * needs no new edge. On each pass the requests of ready sockets are tried
 * in submission order with MSG_DONTWAIT; EAGAIN leaves a request pending
 * until the next edge.
 *
 * Sockets stay registered until they are closed (the kernel then drops
 * them), which avoids a syscall per request. Cost per pass is
 * O(ready events x pending requests); fine for the fallback's purpose.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket/SocketAsync-private.h"

#if defined(__linux__)
#include <sys/epoll.h>
#define FALLBACK_EPOLL 1
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__)     \
    || defined(__NetBSD__) || defined(__DragonFly__)
#include <sys/event.h>
#define FALLBACK_KQUEUE 1
#else
#error "SocketAsync fallback needs epoll or kqueue"
#endif

#define READY_BATCH 64

struct fallback
{
  int qfd;                       /* epoll or kqueue descriptor */
  struct async_req *head, *tail; /* pending, in submission order */
};

static struct fallback *
F (SocketAsync_T a)
{
  return (struct fallback *)a->state;
}

static void
list_append (struct fallback *f, struct async_req *r)
{
  r->prev = f->tail;
  r->next = NULL;
  if (f->tail)
    f->tail->next = r;
  else
    f->head = r;
  f->tail = r;
}

static void
list_unlink (struct fallback *f, struct async_req *r)
{
  if (r->prev)
    r->prev->next = r->next;
  else
    f->head = r->next;
  if (r->next)
    r->next->prev = r->prev;
  else
    f->tail = r->prev;
  r->prev = r->next = NULL;
}

/* Watch @p fd edge-triggered for both directions; re-arming reports the
 * current state once. */
static int
arm (struct fallback *f, int fd)
{
#ifdef FALLBACK_EPOLL
  struct epoll_event ev = { 0 };

  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.fd = fd;
  if (epoll_ctl (f->qfd, EPOLL_CTL_MOD, fd, &ev) == 0)
    return 0;
  if (errno != ENOENT)
    return -1;
  return epoll_ctl (f->qfd, EPOLL_CTL_ADD, fd, &ev);
#else
  struct kevent ch[2];

  EV_SET (&ch[0], (uintptr_t)fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
  EV_SET (&ch[1], (uintptr_t)fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, NULL);
  return kevent (f->qfd, ch, 2, NULL, 0, NULL);
#endif
}

static int
fb_submit (SocketAsync_T a, struct async_req *r, int urgent)
{
  struct fallback *f = F (a);

  (void)urgent; /* every request is armed at once */
  if (arm (f, r->fd) < 0)
    return -1;
  list_append (f, r);
  return 0;
}

static int
fb_cancel (SocketAsync_T a, struct async_req *r)
{
  list_unlink (F (a), r); /* not yet attempted successfully: just drop */
  return 0;
}

static void
fb_flush (SocketAsync_T a)
{
  (void)a;
}

/* Flag the pending requests of every socket that reported readiness. */
static void
collect_ready (struct fallback *f)
{
  int n;
#ifdef FALLBACK_EPOLL
  struct epoll_event ev[READY_BATCH];

  do
    {
      n = epoll_wait (f->qfd, ev, READY_BATCH, 0);
      for (int i = 0; i < n; i++)
        for (struct async_req *r = f->head; r != NULL; r = r->next)
          if (r->fd == ev[i].data.fd)
            r->try_now = 1;
    }
  while (n == READY_BATCH);
#else
  struct kevent ev[READY_BATCH];
  struct timespec zero = { 0, 0 };

  do
    {
      n = kevent (f->qfd, NULL, 0, ev, READY_BATCH, &zero);
      for (int i = 0; i < n; i++)
        for (struct async_req *r = f->head; r != NULL; r = r->next)
          if (r->fd == (int)ev[i].ident)
            r->try_now = 1;
    }
  while (n == READY_BATCH);
#endif
}

/* One non-blocking attempt; 1 if the request finished. */
static int
attempt (SocketAsync_T a, struct async_req *r)
{
  ssize_t n;

  do
    n = r->op == ASYNC_OP_SEND
            ? send (r->fd, r->buf, r->len, MSG_DONTWAIT | MSG_NOSIGNAL)
            : recv (r->fd, r->buf, r->len, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  list_unlink (F (a), r);
  SocketAsync__complete (a, r, n, n < 0 ? errno : 0);
  return 1;
}

static void
fb_reap (SocketAsync_T a)
{
  struct fallback *f = F (a);
  struct async_req *r, *next;

  collect_ready (f);
  for (r = f->head; r != NULL; r = next)
    {
      next = r->next;
      if (!r->try_now)
        continue;
      r->try_now = 0;
      attempt (a, r);
    }
}

static void
fb_destroy (SocketAsync_T a)
{
  struct fallback *f = F (a);

  close (f->qfd);
  free (f);
  a->state = NULL;
}

/* Names as the original reports them (SocketAsync_backend_name). */
#ifdef FALLBACK_EPOLL
#define FALLBACK_NAME "edge-triggered (platform not supported)"
#define FALLBACK_NAME_NO_URING "edge-triggered (io_uring unavailable)"
#else
#define FALLBACK_NAME "kqueue (edge-triggered)"
#define FALLBACK_NAME_NO_URING FALLBACK_NAME
#endif

static const struct async_backend fallback_backend = {
  .name = FALLBACK_NAME,
  .kernel = 0,
  .submit = fb_submit,
  .cancel = fb_cancel,
  .flush = fb_flush,
  .reap = fb_reap,
  .destroy = fb_destroy,
};

static const struct async_backend fallback_backend_no_uring = {
  .name = FALLBACK_NAME_NO_URING,
  .kernel = 0,
  .submit = fb_submit,
  .cancel = fb_cancel,
  .flush = fb_flush,
  .reap = fb_reap,
  .destroy = fb_destroy,
};

int
SocketAsync__fallback_init (SocketAsync_T a)
{
  struct fallback *f = calloc (1, sizeof *f);

  if (f == NULL)
    return -1;
#ifdef FALLBACK_EPOLL
  f->qfd = epoll_create1 (EPOLL_CLOEXEC);
#else
  f->qfd = kqueue ();
#endif
  if (f->qfd < 0)
    {
      int saved = errno;
      free (f);
      errno = saved;
      return -1;
    }
  /* io_uring compiled in but not usable here (old kernel, seccomp, or
   * SOCKET_ASYNC_DISABLE_URING) reads differently from "not supported". */
  a->be = SocketAsync__uring_compiled () ? &fallback_backend_no_uring
                                         : &fallback_backend;
  a->state = f;
  a->pollfd = f->qfd;
  return 0;
}
