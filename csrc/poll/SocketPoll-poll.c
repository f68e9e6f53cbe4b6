/*
 * SocketPoll-poll.c - portable poll(2) backend (included by SocketPoll.c).
 *
 * Selected with -DSOCKET_POLL_USE_POLL (CMake: SOCKET_POLL_BACKEND=poll)
 * or on systems with neither epoll nor kqueue.
 *
 * The registered set is a dense pollfd array plus an fd -> index map, so
 * add/mod/del are O(1) (del moves the last entry into the hole). add/mod/
 * del may run on other threads while wait sleeps, so the set has its own
 * lock and wait polls a private snapshot; SocketPoll wakes the waiter after
 * add/mod so the snapshot is refreshed.
 *
 * poll(2) has no edge-triggered mode: POLL_EDGE registrations are reported
 * level-triggered (see docs/POLL.md).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "poll/SocketPoll-backend.h"

struct PollBackend
{
  pthread_mutex_t lock;
  struct pollfd *fds; /* registered set */
  int nfds, cap;
  int *index;         /* fd -> position in fds, -1 if absent */
  int index_size;
  struct pollfd *snap; /* what the last wait polled; read by get_event */
  int snap_cap, nsnap;
  int *ready;          /* positions in snap with revents */
  int nready, maxevents;
  int rotor;           /* first position scanned, rotates for fairness */
};

static PollBackend_T
backend_new (int maxevents)
{
  struct PollBackend *b = calloc (1, sizeof *b);

  if (b == NULL)
    return NULL;
  b->ready = calloc ((size_t)maxevents, sizeof *b->ready);
  if (b->ready == NULL)
    {
      free (b);
      errno = ENOMEM;
      return NULL;
    }
  pthread_mutex_init (&b->lock, NULL);
  b->maxevents = maxevents;
  return b;
}

static void
backend_free (PollBackend_T b)
{
  if (b == NULL)
    return;
  pthread_mutex_destroy (&b->lock);
  free (b->fds);
  free (b->index);
  free (b->snap);
  free (b->ready);
  free (b);
}

static short
to_poll (unsigned events)
{
  short e = 0;

  if (events & POLL_READ)
    e |= POLLIN;
  if (events & POLL_WRITE)
    e |= POLLOUT;
  return e;
}

/* Make index[] cover @p fd. Caller holds the lock. */
static int
pb_ensure_index (PollBackend_T b, int fd)
{
  int size, *idx;

  if (fd < b->index_size)
    return 0;
  size = b->index_size ? b->index_size : POLL_INITIAL_FD_MAP_SIZE;
  while (size <= fd)
    size += POLL_FD_MAP_EXPAND_INCREMENT;
  idx = realloc (b->index, (size_t)size * sizeof *idx);
  if (idx == NULL)
    {
      errno = ENOMEM;
      return -1;
    }
  for (int i = b->index_size; i < size; i++)
    idx[i] = -1;
  b->index = idx;
  b->index_size = size;
  return 0;
}

static int
pb_add_locked (PollBackend_T b, int fd, unsigned events)
{
  if (pb_ensure_index (b, fd) < 0)
    return -1;
  if (b->index[fd] >= 0)
    {
      errno = EEXIST;
      return -1;
    }
  if (b->nfds == b->cap)
    {
      int cap = b->cap ? b->cap * 2 : POLL_INITIAL_FDS;
      struct pollfd *fds = realloc (b->fds, (size_t)cap * sizeof *fds);
      if (fds == NULL)
        {
          errno = ENOMEM;
          return -1;
        }
      b->fds = fds;
      b->cap = cap;
    }
  b->fds[b->nfds].fd = fd;
  b->fds[b->nfds].events = to_poll (events);
  b->fds[b->nfds].revents = 0;
  b->index[fd] = b->nfds++;
  return 0;
}

static int
backend_add (PollBackend_T b, int fd, unsigned events)
{
  int rc;

  if (fd < 0)
    {
      errno = EBADF;
      return -1;
    }
  pthread_mutex_lock (&b->lock);
  rc = pb_add_locked (b, fd, events);
  pthread_mutex_unlock (&b->lock);
  return rc;
}

static int
backend_mod (PollBackend_T b, int fd, unsigned events)
{
  int rc = -1;

  pthread_mutex_lock (&b->lock);
  if (fd >= 0 && fd < b->index_size && b->index[fd] >= 0)
    {
      b->fds[b->index[fd]].events = to_poll (events);
      rc = 0;
    }
  else
    errno = ENOENT;
  pthread_mutex_unlock (&b->lock);
  return rc;
}

static int
backend_del (PollBackend_T b, int fd)
{
  int rc = -1;

  pthread_mutex_lock (&b->lock);
  if (fd >= 0 && fd < b->index_size && b->index[fd] >= 0)
    {
      int pos = b->index[fd];
      b->nfds--;
      if (pos != b->nfds)
        {
          b->fds[pos] = b->fds[b->nfds];
          b->index[b->fds[pos].fd] = pos;
        }
      b->index[fd] = -1;
      rc = 0;
    }
  else
    errno = ENOENT;
  pthread_mutex_unlock (&b->lock);
  return rc;
}

/* Copy the registered set into snap. */
static int
pb_snapshot (PollBackend_T b)
{
  int rc = 0;

  pthread_mutex_lock (&b->lock);
  if (b->nfds > b->snap_cap)
    {
      struct pollfd *s = realloc (b->snap, (size_t)b->nfds * sizeof *s);
      if (s == NULL)
        rc = -1;
      else
        {
          b->snap = s;
          b->snap_cap = b->nfds;
        }
    }
  if (rc == 0)
    {
      if (b->nfds > 0)
        memcpy (b->snap, b->fds, (size_t)b->nfds * sizeof *b->snap);
      b->nsnap = b->nfds;
    }
  pthread_mutex_unlock (&b->lock);
  if (rc < 0)
    errno = ENOMEM;
  return rc;
}

static int
backend_wait (PollBackend_T b, int timeout_ms)
{
  int n;

  b->nready = 0;
  if (pb_snapshot (b) < 0)
    return -1;
  n = poll (b->snap, (nfds_t)b->nsnap, timeout_ms);
  if (n <= 0)
    return n;
  /* Start the scan at a rotating position so that, when more than
   * maxevents are ready, the same low positions do not always win. */
  for (int i = 0; i < b->nsnap && b->nready < b->maxevents; i++)
    {
      int j = (b->rotor + i) % b->nsnap;
      if (b->snap[j].revents != 0)
        b->ready[b->nready++] = j;
    }
  b->rotor = b->nsnap ? (b->rotor + 1) % b->nsnap : 0;
  return b->nready;
}

static int
backend_get_event (PollBackend_T b, int index, int *fd_out,
                   unsigned *events_out)
{
  const struct pollfd *p;
  unsigned out = 0;

  if (index < 0 || index >= b->nready)
    return -1;
  p = &b->snap[b->ready[index]];
  if (p->revents & POLLIN)
    out |= POLL_READ;
  if (p->revents & POLLOUT)
    out |= POLL_WRITE;
  if (p->revents & (POLLERR | POLLNVAL))
    out |= POLL_ERROR;
  if (p->revents & POLLHUP)
    out |= POLL_HANGUP;
  *fd_out = p->fd;
  *events_out = out;
  return 0;
}

static const char *
backend_name (void)
{
  return "poll";
}
