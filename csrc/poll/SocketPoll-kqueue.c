/*
 * SocketPoll-kqueue.c - BSD/macOS kqueue backend (included by SocketPoll.c).
 *
 * NOT TESTED: this workplace is Linux only. It is written against the
 * FreeBSD/macOS kevent(2) manuals; see docs/POLL.md.
 *
 * kqueue has one filter per direction, so a socket registered for
 * POLL_READ|POLL_WRITE is two kevents, and one wait may return two results
 * for the same fd; wait merges them so SocketPoll sees one event per fd.
 * POLL_EDGE maps to EV_CLEAR. kevent changes are thread-safe like epoll_ctl.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "poll/SocketPoll-backend.h"

struct PollBackend
{
  int kq;
  int maxevents;
  int nready;
  struct kevent *ready;  /* raw results, 2 per fd at most */
  int *out_fd;           /* merged results */
  unsigned *out_events;
};

static PollBackend_T
backend_new (int maxevents)
{
  struct PollBackend *b = calloc (1, sizeof *b);

  if (b == NULL)
    return NULL;
  b->ready = calloc ((size_t)maxevents * 2, sizeof *b->ready);
  b->out_fd = calloc ((size_t)maxevents * 2, sizeof *b->out_fd);
  b->out_events = calloc ((size_t)maxevents * 2, sizeof *b->out_events);
  b->kq = kqueue ();
  if (b->ready == NULL || b->out_fd == NULL || b->out_events == NULL
      || b->kq < 0)
    {
      int saved = b->kq < 0 ? errno : ENOMEM;
      if (b->kq >= 0)
        close (b->kq);
      free (b->ready);
      free (b->out_fd);
      free (b->out_events);
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
  close (b->kq);
  free (b->ready);
  free (b->out_fd);
  free (b->out_events);
  free (b);
}

static int
kq_change (PollBackend_T b, int fd, short filter, unsigned short flags)
{
  struct kevent kev;

  EV_SET (&kev, (uintptr_t)fd, filter, flags, 0, 0, NULL);
  return kevent (b->kq, &kev, 1, NULL, 0, NULL);
}

/* Enable the wanted filters and remove the others (missing ones are fine). */
static int
kq_apply (PollBackend_T b, int fd, unsigned events)
{
  unsigned short clear = (events & POLL_EDGE) ? EV_CLEAR : 0;

  if (events & POLL_READ)
    {
      if (kq_change (b, fd, EVFILT_READ, EV_ADD | EV_ENABLE | clear) < 0)
        return -1;
    }
  else if (kq_change (b, fd, EVFILT_READ, EV_DELETE) < 0 && errno != ENOENT)
    return -1;
  if (events & POLL_WRITE)
    {
      if (kq_change (b, fd, EVFILT_WRITE, EV_ADD | EV_ENABLE | clear) < 0)
        return -1;
    }
  else if (kq_change (b, fd, EVFILT_WRITE, EV_DELETE) < 0 && errno != ENOENT)
    return -1;
  return 0;
}

static int
backend_add (PollBackend_T b, int fd, unsigned events)
{
  return kq_apply (b, fd, events);
}

static int
backend_mod (PollBackend_T b, int fd, unsigned events)
{
  return kq_apply (b, fd, events);
}

static int
backend_del (PollBackend_T b, int fd)
{
  int r = kq_change (b, fd, EVFILT_READ, EV_DELETE);
  int w = kq_change (b, fd, EVFILT_WRITE, EV_DELETE);

  return (r == 0 || w == 0) ? 0 : -1;
}

static unsigned
from_kevent (const struct kevent *k)
{
  unsigned out = 0;

  if (k->flags & EV_ERROR)
    return POLL_ERROR;
  if (k->filter == EVFILT_READ)
    out |= POLL_READ;
  if (k->filter == EVFILT_WRITE)
    out |= POLL_WRITE;
  if (k->flags & EV_EOF)
    out |= POLL_HANGUP;
  return out;
}

static int
kq_by_ident (const void *a, const void *b)
{
  uintptr_t x = ((const struct kevent *)a)->ident;
  uintptr_t y = ((const struct kevent *)b)->ident;
  return (x > y) - (x < y);
}

static int
backend_wait (PollBackend_T b, int timeout_ms)
{
  struct timespec ts, *tp = NULL;
  int n;

  b->nready = 0;
  if (timeout_ms >= 0)
    {
      ts.tv_sec = timeout_ms / 1000;
      ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
      tp = &ts;
    }
  n = kevent (b->kq, NULL, 0, b->ready, b->maxevents * 2, tp);
  if (n <= 0)
    return n;
  /* Sort by fd, then merge the read and write results of one fd. */
  qsort (b->ready, (size_t)n, sizeof *b->ready, kq_by_ident);
  for (int i = 0; i < n; i++)
    {
      int fd = (int)b->ready[i].ident;
      if (b->nready == 0 || b->out_fd[b->nready - 1] != fd)
        {
          b->out_fd[b->nready] = fd;
          b->out_events[b->nready++] = 0;
        }
      b->out_events[b->nready - 1] |= from_kevent (&b->ready[i]);
    }
  return b->nready;
}

static int
backend_get_event (PollBackend_T b, int index, int *fd_out,
                   unsigned *events_out)
{
  if (index < 0 || index >= b->nready)
    return -1;
  *fd_out = b->out_fd[index];
  *events_out = b->out_events[index];
  return 0;
}

static const char *
backend_name (void)
{
  return "kqueue";
}
