/*
 * SocketTestUtil.h - helpers shared by the socket module tests: exception
 * expectations, descriptor counting, clocks and waiting for another thread
 * to block in the event loop.
 */
#ifndef SOCKET_TEST_UTIL_H
#define SOCKET_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/Except.h"
#include "core/SocketUtil.h"

/*
 * Evaluate @p stmt; 1 if it raised @p exc, 2 if it raised something else,
 * 0 if it returned normally. Never leaves a TRY frame dangling.
 */
#define RAISES(exc, stmt)                                                     \
  ({                                                                          \
    volatile int raised_ = 0;                                                 \
    TRY { stmt; }                                                             \
    EXCEPT (exc) raised_ = 1;                                                 \
    ELSE raised_ = 2;                                                         \
    END_TRY;                                                                  \
    raised_;                                                                  \
  })

/** Number of open descriptors of this process (/proc/self/fd entries). */
static inline int
test_count_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir (d);
  return n - 1; /* the directory stream's own descriptor */
}

static inline int64_t
test_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
test_sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/*
 * Wait until thread @p tid of this process sleeps in a poll-family system
 * call (epoll_wait, poll and their variants), i.e. until a SocketPoll_wait
 * on it really blocks, or @p timeout_ms pass. A thread that acts on the
 * loop "after a short sleep" instead can act before the wait began on a
 * loaded machine. Returns 1 when seen, 0 on timeout, -1 when the kernel
 * does not expose /proc/self/task/<tid>/syscall (callers fall back to a
 * delay).
 */
static inline int
test_wait_thread_in_poll (pid_t tid, int timeout_ms)
{
  char path[64], buf[64];
  int64_t t0 = test_now_ms ();

  snprintf (path, sizeof path, "/proc/self/task/%ld/syscall", (long)tid);
  for (;;)
    {
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t n;
      long nr;

      if (fd < 0)
        return -1;
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n <= 0)
        return -1;
      buf[n] = '\0';
      nr = buf[0] >= '0' && buf[0] <= '9' ? strtol (buf, NULL, 10) : -1;
      if (0
#ifdef SYS_epoll_wait
          || nr == SYS_epoll_wait
#endif
#ifdef SYS_epoll_pwait
          || nr == SYS_epoll_pwait
#endif
#ifdef SYS_epoll_pwait2
          || nr == SYS_epoll_pwait2
#endif
#ifdef SYS_poll
          || nr == SYS_poll
#endif
#ifdef SYS_ppoll
          || nr == SYS_ppoll
#endif
      )
        return 1;
      if (test_now_ms () - t0 >= timeout_ms)
        return 0;
      test_sleep_ms (1);
    }
}

/*
 * Wait until the accept queue of listening TCP socket @p fd holds at least
 * @p n connections (Linux reports its length as tcpi_unacked of a listener)
 * or @p timeout_ms pass. A completed connect() on the client side does not
 * mean the listener has queued it yet on a loaded machine. Returns the
 * queue length last seen, -1 if TCP_INFO is unavailable.
 */
static inline int
test_wait_accept_queue (int fd, int n, int timeout_ms)
{
  int64_t t0 = test_now_ms ();

  for (;;)
    {
      struct tcp_info ti;
      socklen_t len = sizeof ti;

      memset (&ti, 0, sizeof ti);
      if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return -1;
      if ((int)ti.tcpi_unacked >= n || test_now_ms () - t0 >= timeout_ms)
        return (int)ti.tcpi_unacked;
      test_sleep_ms (1);
    }
}

/** Deterministic byte pattern: byte i of a stream seeded with @p seed. */
static inline unsigned char
test_pattern (size_t i, unsigned seed)
{
  uint32_t x = (uint32_t)(i / 4) * 2654435761u ^ seed;
  x ^= x >> 15;
  return (unsigned char)(x >> (8 * (i % 4)));
}

static inline void
test_fill (unsigned char *buf, size_t len, size_t offset, unsigned seed)
{
  for (size_t i = 0; i < len; i++)
    buf[i] = test_pattern (offset + i, seed);
}

/** 1 if @p buf matches the pattern at @p offset. */
static inline int
test_check (const unsigned char *buf, size_t len, size_t offset, unsigned seed)
{
  for (size_t i = 0; i < len; i++)
    if (buf[i] != test_pattern (offset + i, seed))
      return 0;
  return 1;
}

#endif /* SOCKET_TEST_UTIL_H */
