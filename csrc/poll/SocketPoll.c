/*
 * SocketPoll.c - the event loop: registration table, wakeup, timers and
 * async completions around one readiness backend.
 *
 * Exactly one backend is compiled in by #including its file (redis ae
 * style), chosen at build time:
 *   SOCKET_POLL_USE_POLL        -> poll(2)   (CMake SOCKET_POLL_BACKEND=poll)
 *   __linux__                   -> epoll
 *   BSD / __APPLE__             -> kqueue
 *   anything else               -> poll(2)
 *
 * Threading: the registration table (fd -> socket, data, events) is guarded
 * by poll->lock, so add/mod/del work from any thread. wait runs the backend
 * without the lock. A thread that changes the set, or adds a timer with a
 * new earliest deadline, writes the wakeup descriptor (an eventfd on Linux,
 * a pipe elsewhere) when a wait is in progress, so the wait returns and the
 * caller's next wait sees the change.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "core/SocketTimer-private.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"
#include "poll/SocketPoll.h"
#include "socket/SocketAsync-private.h"
#include "socket/SocketAsync.h"

#if defined(SOCKET_POLL_USE_POLL)
#include "SocketPoll-poll.c"
#elif defined(__linux__)
#include "SocketPoll-epoll.c"
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__)     \
    || defined(__NetBSD__) || defined(__DragonFly__)
#include "SocketPoll-kqueue.c"
#else
#include "SocketPoll-poll.c"
#endif

const Except_T SocketPoll_Failed
    = { &SocketPoll_Failed, "SocketPoll operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketPoll);

struct poll_entry
{
  Socket_T socket; /* NULL = slot unused */
  void *data;
  unsigned events;
};

struct SocketPoll_T
{
  PollBackend_T backend;
  pthread_mutex_t lock;      /* map, async creation */
  struct poll_entry *map;    /* indexed by fd */
  int map_size;
  SocketEvent_T *events;     /* returned by wait */
  int maxevents;
  _Atomic int default_timeout;
  int wake_rfd, wake_wfd;    /* same descriptor for an eventfd */
  atomic_int waiting;        /* a wait is between its setup and return */
  atomic_int wake_pending;   /* a wakeup byte is in flight */
  SocketTimer__Heap *timers;
  _Atomic (SocketAsync_T) async; /* lazily created; set once */
  atomic_int async_fd;       /* its pollable descriptor, -1 if none */
};

#define CHECK_POLL(p, op)                                                     \
  do                                                                          \
    {                                                                         \
      if ((p) == NULL)                                                        \
        SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed, "%s: NULL poll",     \
                          op);                                                \
    }                                                                         \
  while (0)

/* ---- wakeup descriptor ---------------------------------------------------- */

static int
wake_open (struct SocketPoll_T *p)
{
#ifdef __linux__
  p->wake_rfd = p->wake_wfd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  return p->wake_rfd < 0 ? -1 : 0;
#else
  int fds[2];

  if (pipe (fds) < 0)
    return -1;
  for (int i = 0; i < 2; i++)
    {
      fcntl (fds[i], F_SETFD, FD_CLOEXEC);
      fcntl (fds[i], F_SETFL, fcntl (fds[i], F_GETFL) | O_NONBLOCK);
    }
  p->wake_rfd = fds[0];
  p->wake_wfd = fds[1];
  return 0;
#endif
}

static void
wake_close (struct SocketPoll_T *p)
{
  if (p->wake_rfd >= 0)
    close (p->wake_rfd);
  if (p->wake_wfd >= 0 && p->wake_wfd != p->wake_rfd)
    close (p->wake_wfd);
}

static void
wake_drain (struct SocketPoll_T *p)
{
  char buf[64];

  /* Clear the flag first: a wakeup racing with the drain writes again and
   * at worst causes one spurious early return. */
  atomic_store (&p->wake_pending, 0);
  while (read (p->wake_rfd, buf, sizeof buf) > 0)
    ;
}

void
SocketPoll__wakeup (SocketPoll_T p)
{
  uint64_t one = 1;
  ssize_t n;

  if (p == NULL || !atomic_load (&p->waiting))
    return;
  if (atomic_exchange (&p->wake_pending, 1))
    return;
  do
    n = write (p->wake_wfd, &one, sizeof one);
  while (n < 0 && errno == EINTR);
  /* EAGAIN: the descriptor is already readable, which is all we need. */
}

SocketTimer__Heap *
SocketPoll__timer_heap (SocketPoll_T p)
{
  return p->timers;
}

const char *
SocketPoll__backend_name (void)
{
  return backend_name ();
}

/* ---- lifecycle ------------------------------------------------------------ */

static void
poll_destroy (struct SocketPoll_T *p)
{
  SocketAsync_T async = atomic_load (&p->async);

  if (async != NULL)
    SocketAsync_free (&async);
  if (p->backend != NULL)
    backend_free (p->backend);
  wake_close (p);
  SocketTimer__heap_free (&p->timers);
  pthread_mutex_destroy (&p->lock);
  free (p->map);
  free (p->events);
  free (p);
}

SocketPoll_T
SocketPoll_new (int maxevents)
{
  struct SocketPoll_T *p;

  if (maxevents <= 0)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "SocketPoll_new: maxevents %d outside 1..%d", maxevents,
                      SOCKET_MAX_POLL_EVENTS);
  if (maxevents > SOCKET_MAX_POLL_EVENTS)
    maxevents = SOCKET_MAX_POLL_EVENTS; /* as the original's release build */
  p = calloc (1, sizeof *p);
  if (p == NULL)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed, "SocketPoll_new: %s",
                      SOCKET_ENOMEM);
  pthread_mutex_init (&p->lock, NULL);
  p->wake_rfd = p->wake_wfd = -1;
  atomic_init (&p->async_fd, -1);
  p->maxevents = maxevents;
  atomic_init (&p->default_timeout, SOCKET_DEFAULT_POLL_TIMEOUT);
  p->events = calloc ((size_t)maxevents, sizeof *p->events);
  p->timers = SocketTimer__heap_new ();
  if (p->events == NULL || p->timers == NULL)
    {
      poll_destroy (p);
      SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed, "SocketPoll_new: %s",
                        SOCKET_ENOMEM);
    }
  p->backend = backend_new (maxevents);
  if (p->backend == NULL || wake_open (p) < 0
      || backend_add (p->backend, p->wake_rfd, POLL_READ) < 0)
    {
      int saved = errno;
      poll_destroy (p);
      errno = saved;
      SOCKET_RAISE_FMT (SocketPoll, SocketPoll_Failed,
                        "SocketPoll_new: cannot create %s backend",
                        backend_name ());
    }
  return p;
}

void
SocketPoll_free (SocketPoll_T *poll)
{
  if (poll == NULL || *poll == NULL)
    return;
  poll_destroy (*poll);
  *poll = NULL;
}

/* ---- registration --------------------------------------------------------- */

static int
socket_fd_checked (Socket_T socket, const char *op)
{
  int fd;

  if (socket == NULL)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed, "%s: NULL socket", op);
  fd = Socket_fd (socket);
  if (fd < 0)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "%s: socket has no descriptor (closed?)", op);
  return fd;
}

/* Grow the map to cover @p fd. Caller holds the lock. */
static int
map_reserve (struct SocketPoll_T *p, int fd)
{
  int size;
  struct poll_entry *m;

  if (fd < p->map_size)
    return 0;
  size = p->map_size ? p->map_size : POLL_INITIAL_FD_MAP_SIZE;
  while (size <= fd)
    size += POLL_FD_MAP_EXPAND_INCREMENT;
  m = realloc (p->map, (size_t)size * sizeof *m);
  if (m == NULL)
    return -1;
  memset (m + p->map_size, 0, (size_t)(size - p->map_size) * sizeof *m);
  p->map = m;
  p->map_size = size;
  return 0;
}

/* Only READ, WRITE and the EDGE registration bit select anything; ERROR
 * and HANGUP are always reported and other bits are ignored. */
static unsigned
registered_events (unsigned events)
{
  return events & (unsigned)(POLL_READ | POLL_WRITE | POLL_EDGE);
}

/* Register under the lock; returns an errno value (0 = success) so the
 * caller raises after unlocking. */
static int
add_locked (struct SocketPoll_T *p, Socket_T socket, int fd, unsigned events,
            void *data)
{
  struct poll_entry *e;

  if (map_reserve (p, fd) < 0)
    return ENOMEM;
  e = &p->map[fd];
  if (e->socket == socket)
    return EEXIST;
  if (e->socket != NULL)
    {
      /* Another Socket_T owned this fd and was closed without del; the
       * kernel (epoll/kqueue) already forgot it, the table did not. */
      backend_del (p->backend, fd);
      e->socket = NULL;
    }
  if (backend_add (p->backend, fd, events) < 0)
    return errno;
  e->socket = socket;
  e->data = data;
  e->events = events;
  return 0;
}

void
SocketPoll_add (SocketPoll_T poll, Socket_T socket, unsigned events,
                void *data)
{
  int fd, err;

  CHECK_POLL (poll, "SocketPoll_add");
  if (socket == NULL)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "SocketPoll_add: NULL socket");
  events = registered_events (events);
  fd = Socket_fd (socket);
  if (fd < 0)
    {
      SocketLog_emitf (SOCKET_LOG_WARN, "SocketPoll",
                       "SocketPoll_add: socket has no descriptor (fd=%d); "
                       "not registered",
                       fd);
      return;
    }
  /* As the original: registered sockets are non-blocking (Socket_Failed
   * if fcntl fails). */
  Socket_setnonblocking (socket);
  pthread_mutex_lock (&poll->lock);
  err = add_locked (poll, socket, fd, events, data);
  pthread_mutex_unlock (&poll->lock);
  if (err == EEXIST)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "Socket already in poll set");
  if (err != 0)
    {
      errno = err;
      SOCKET_RAISE_FMT (SocketPoll, SocketPoll_Failed,
                        "SocketPoll_add: cannot register fd %d with %s", fd,
                        backend_name ());
    }
  SocketPoll__wakeup (poll);
}

void
SocketPoll_mod (SocketPoll_T poll, Socket_T socket, unsigned events,
                void *data)
{
  int fd, err = 0;

  CHECK_POLL (poll, "SocketPoll_mod");
  events = registered_events (events);
  fd = socket_fd_checked (socket, "SocketPoll_mod");
  pthread_mutex_lock (&poll->lock);
  if (fd >= poll->map_size || poll->map[fd].socket != socket)
    err = ENOENT;
  else if (backend_mod (poll->backend, fd, events) < 0)
    err = errno;
  else
    {
      poll->map[fd].events = events;
      poll->map[fd].data = data;
    }
  pthread_mutex_unlock (&poll->lock);
  if (err == ENOENT)
    {
      errno = ENOENT;
      SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                        "Socket not in poll set (fd=%d) (errno: %d - %s)", fd,
                        ENOENT, Socket_safe_strerror (ENOENT));
    }
  if (err != 0)
    {
      errno = err;
      SOCKET_RAISE_FMT (SocketPoll, SocketPoll_Failed,
                        "SocketPoll_mod: cannot modify fd %d", fd);
    }
  SocketPoll__wakeup (poll);
}

void
SocketPoll_del (SocketPoll_T poll, Socket_T socket)
{
  int fd;

  CHECK_POLL (poll, "SocketPoll_del");
  if (socket == NULL)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "SocketPoll_del: NULL socket");
  fd = Socket_fd (socket);
  if (fd < 0)
    return; /* nothing the kernel could know: silently accepted */
  pthread_mutex_lock (&poll->lock);
  if (fd < poll->map_size && poll->map[fd].socket == socket)
    {
      backend_del (poll->backend, fd); /* ENOENT/EBADF: already gone */
      poll->map[fd].socket = NULL;
      poll->map[fd].data = NULL;
      poll->map[fd].events = 0;
    }
  pthread_mutex_unlock (&poll->lock);
}

int
SocketPoll_getdefaulttimeout (SocketPoll_T poll)
{
  CHECK_POLL (poll, "SocketPoll_getdefaulttimeout");
  return atomic_load (&poll->default_timeout);
}

void
SocketPoll_setdefaulttimeout (SocketPoll_T poll, int timeout)
{
  CHECK_POLL (poll, "SocketPoll_setdefaulttimeout");
  /* Below -1 is stored as 0 (immediate), as the original does. */
  atomic_store (&poll->default_timeout, timeout < -1 ? 0 : timeout);
}

/* ---- async ---------------------------------------------------------------- */

SocketAsync_T
SocketPoll_get_async (SocketPoll_T poll)
{
  SocketAsync_T fresh, existing;

  CHECK_POLL (poll, "SocketPoll_get_async");
  existing = atomic_load (&poll->async);
  if (existing != NULL)
    return existing;
  /* Create outside the lock: SocketAsync_new may raise. */
  fresh = SocketAsync_new (NULL);
  pthread_mutex_lock (&poll->lock);
  if (atomic_load (&poll->async) == NULL)
    {
      int fd = SocketAsync__pollfd (fresh);
      if (fd >= 0 && backend_add (poll->backend, fd, POLL_READ) < 0)
        fd = -1; /* not pollable: wait polls async every round instead */
      atomic_store (&poll->async_fd, fd);
      atomic_store (&poll->async, fresh); /* after async_fd: wait reads
                                             async first */
      fresh = NULL;
    }
  existing = atomic_load (&poll->async);
  pthread_mutex_unlock (&poll->lock);
  if (fresh != NULL) /* another thread won the race */
    SocketAsync_free (&fresh);
  return existing;
}

/* ---- wait ----------------------------------------------------------------- */

static int
effective_timeout (struct SocketPoll_T *p, int timeout)
{
  int next;

  if (timeout == SOCKET_POLL_TIMEOUT_USE_DEFAULT)
    timeout = atomic_load (&p->default_timeout);
  if (timeout < -1)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "SocketPoll_wait: timeout %d (use -1 for forever)",
                      timeout);
  next = SocketTimer__next_timeout_ms (p->timers);
  if (next > SOCKET_MAX_TIMER_TIMEOUT_MS)
    next = SOCKET_MAX_TIMER_TIMEOUT_MS; /* as the original */
  if (next >= 0 && (timeout < 0 || next < timeout))
    timeout = next;
  return timeout;
}

/* Turn backend results into SocketEvent_T entries; returns the count and
 * reports internal descriptors through the flags. */
static int
translate (struct SocketPoll_T *p, int nready, int *woke, int *async_ready)
{
  int count = 0;

  pthread_mutex_lock (&p->lock);
  for (int i = 0; i < nready; i++)
    {
      int fd;
      unsigned ev;
      struct poll_entry *e;

      if (backend_get_event (p->backend, i, &fd, &ev) < 0)
        continue;
      if (fd == p->wake_rfd)
        {
          *woke = 1;
          continue;
        }
      if (fd == atomic_load_explicit (&p->async_fd, memory_order_relaxed))
        {
          *async_ready = 1;
          continue;
        }
      if (fd < 0 || fd >= p->map_size || p->map[fd].socket == NULL)
        continue; /* deleted while we slept */
      e = &p->map[fd];
      ev &= e->events | POLL_ERROR | POLL_HANGUP;
      if (ev == 0 || count == p->maxevents)
        continue;
      p->events[count].socket = e->socket;
      p->events[count].data = e->data;
      p->events[count].events = ev;
      count++;
    }
  pthread_mutex_unlock (&p->lock);
  return count;
}

/* Which internal descriptors (wakeup, async) are among the ready ones. */
static void
scan_internal (struct SocketPoll_T *p, int nready, int async_fd, int *woke,
               int *async_ready)
{
  for (int i = 0; i < nready; i++)
    {
      int fd;
      unsigned ev;

      if (backend_get_event (p->backend, i, &fd, &ev) < 0)
        continue;
      if (fd == p->wake_rfd)
        *woke = 1;
      else if (async_fd >= 0 && fd == async_fd)
        *async_ready = 1;
    }
}

/*
 * Order inside one call, as the original: async completions, backend
 * wait, async completions again, expired timers, then translation of the
 * kernel events -- so a socket that a timer or async callback removed
 * (SocketPoll_del) is not reported.
 */
int
SocketPoll_wait (SocketPoll_T poll, SocketEvent_T **events, int timeout)
{
  int n, count, woke = 0, async_ready = 0, async_fd;
  SocketAsync_T async;

  CHECK_POLL (poll, "SocketPoll_wait");
  if (events == NULL)
    SOCKET_RAISE_MSG (SocketPoll, SocketPoll_Failed,
                      "SocketPoll_wait: NULL events pointer");
  async = atomic_load (&poll->async);
  async_fd = atomic_load (&poll->async_fd);
  if (async != NULL)
    {
      SocketAsync__flush (async); /* batched io_uring submissions */
      SocketAsync_process_completions (async, 0);
    }
  atomic_store (&poll->waiting, 1);
  /* After waiting=1: a timer added from now on wakes us, one added before
   * is seen here. */
  timeout = effective_timeout (poll, timeout);
  n = backend_wait (poll->backend, timeout);
  atomic_store (&poll->waiting, 0);
  if (n < 0 && errno != EINTR)
    {
      *events = NULL;
      SOCKET_RAISE_FMT (SocketPoll, SocketPoll_Failed,
                        "SocketPoll_wait: %s wait failed", backend_name ());
    }
  if (n > 0)
    scan_internal (poll, n, async_fd, &woke, &async_ready);
  if (woke)
    wake_drain (poll);
  if (async != NULL && (async_ready || async_fd < 0))
    SocketAsync_process_completions (async, 0);
  SocketTimer__process (poll->timers);
  count = n > 0 ? translate (poll, n, &woke, &async_ready) : 0;
  if (woke)
    SocketEvent_emit_poll_wakeup (count, timeout);
  SocketMetrics_increment (SOCKET_METRIC_POLL_WAKEUPS, 1);
  if (count > 0)
    SocketMetrics_increment (SOCKET_METRIC_POLL_EVENTS_DISPATCHED,
                             (unsigned long)count);
  *events = poll->events;
  return count;
}
