/*
 * SocketTestUtil.h - helpers shared by the socket module tests: exception
 * expectations, descriptor counting and loopback connection setup.
 */
#ifndef SOCKET_TEST_UTIL_H
#define SOCKET_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
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
