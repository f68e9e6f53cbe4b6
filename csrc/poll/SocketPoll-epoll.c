/*
 * SocketPoll-epoll.c - Linux epoll backend (included by SocketPoll.c).
 *
 * Level-triggered by default; POLL_EDGE adds EPOLLET. The kernel makes
 * epoll_ctl safe concurrently with epoll_wait, so no lock is needed here.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "poll/SocketPoll-backend.h"

struct PollBackend
{
  int epfd;
  int maxevents;
  int nready;
  struct epoll_event *ready;
};

static PollBackend_T
backend_new (int maxevents)
{
  struct PollBackend *b = calloc (1, sizeof *b);

  if (b == NULL)
    return NULL;
  b->ready = calloc ((size_t)maxevents, sizeof *b->ready);
  b->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (b->ready == NULL || b->epfd < 0)
    {
      int saved = b->ready == NULL ? ENOMEM : errno;
      if (b->epfd >= 0)
        close (b->epfd);
      free (b->ready);
      free (b);
      errno = saved;
      return NULL;
    }
  b->maxevents = maxevents;
  return b;
}

static void
backend_free (PollBackend_T b)
{
  if (b == NULL)
    return;
  close (b->epfd);
  free (b->ready);
  free (b);
}

static uint32_t
to_epoll (unsigned events)
{
  uint32_t e = 0;

  if (events & POLL_READ)
    e |= EPOLLIN;
  if (events & POLL_WRITE)
    e |= EPOLLOUT;
  if (events & POLL_EDGE)
    e |= EPOLLET;
  return e; /* EPOLLERR and EPOLLHUP are always reported */
}

static int
ep_ctl (PollBackend_T b, int op, int fd, unsigned events)
{
  struct epoll_event ev = { 0 };

  ev.events = to_epoll (events);
  ev.data.fd = fd;
  return epoll_ctl (b->epfd, op, fd, &ev);
}

static int
backend_add (PollBackend_T b, int fd, unsigned events)
{
  return ep_ctl (b, EPOLL_CTL_ADD, fd, events);
}

static int
backend_mod (PollBackend_T b, int fd, unsigned events)
{
  return ep_ctl (b, EPOLL_CTL_MOD, fd, events);
}

static int
backend_del (PollBackend_T b, int fd)
{
  struct epoll_event ev = { 0 }; /* non-NULL for kernels before 2.6.9 */

  return epoll_ctl (b->epfd, EPOLL_CTL_DEL, fd, &ev);
}

static int
backend_wait (PollBackend_T b, int timeout_ms)
{
  int n = epoll_wait (b->epfd, b->ready, b->maxevents, timeout_ms);

  b->nready = n > 0 ? n : 0;
  return n;
}

static int
backend_get_event (PollBackend_T b, int index, int *fd_out,
                   unsigned *events_out)
{
  uint32_t e;
  unsigned out = 0;

  if (index < 0 || index >= b->nready)
    return -1;
  e = b->ready[index].events;
  if (e & EPOLLIN)
    out |= POLL_READ;
  if (e & EPOLLOUT)
    out |= POLL_WRITE;
  if (e & EPOLLERR)
    out |= POLL_ERROR;
  if (e & EPOLLHUP)
    out |= POLL_HANGUP;
  *fd_out = b->ready[index].data.fd;
  *events_out = out;
  return 0;
}

static const char *
backend_name (void)
{
  return "epoll";
}
