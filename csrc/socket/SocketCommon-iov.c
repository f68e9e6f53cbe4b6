/*
 * SocketCommon-iov.c - iovec arithmetic for scatter/gather I/O.
 *
 * The *vall loops work on a private copy of the caller's array and use
 * these helpers to skip what the kernel already took.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketCommon.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketCommonIov);

#define RAISE_MSG(exc, fmt, ...)                                              \
  SOCKET_RAISE_MSG (SocketCommonIov, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)

static void
check_array (const struct iovec *iov, int iovcnt, Except_T exc)
{
  if (iovcnt <= 0 || iovcnt > IOV_MAX)
    RAISE_MSG (exc, "iovec count %d out of range (1-%d)", iovcnt, IOV_MAX);
  if (iov == NULL)
    RAISE_MSG (exc, "NULL iovec array with count %d", iovcnt);
}

size_t
SocketCommon_calculate_total_iov_len (const struct iovec *iov, int iovcnt)
{
  size_t total = 0;

  check_array (iov, iovcnt, SocketCommon_Failed);
  for (int i = 0; i < iovcnt; i++)
    {
      if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
        RAISE_MSG (SocketCommon_Failed, "iovec[%d] has NULL base", i);
      /* Only a sum that does not fit size_t is refused (original). */
      if (iov[i].iov_len > SIZE_MAX - total)
        RAISE_MSG (SocketCommon_Failed, "iovec total length overflows");
      total += iov[i].iov_len;
    }
  return total;
}

void
SocketCommon_advance_iov (struct iovec *iov, int iovcnt, size_t bytes)
{
  size_t total = SocketCommon_calculate_total_iov_len (iov, iovcnt);

  /* Checked before anything is modified (as in the original). */
  if (bytes > total)
    RAISE_MSG (SocketCommon_Failed,
               "advance_iov: %zu bytes beyond the %zu in the iovec", bytes,
               total);
  for (int i = 0; i < iovcnt && bytes > 0; i++)
    {
      if (bytes >= iov[i].iov_len)
        {
          /* Fully consumed entries become {NULL, 0}. */
          bytes -= iov[i].iov_len;
          iov[i].iov_base = NULL;
          iov[i].iov_len = 0;
          continue;
        }
      iov[i].iov_base = (char *)iov[i].iov_base + bytes;
      iov[i].iov_len -= bytes;
      bytes = 0;
    }
}

struct iovec *
SocketCommon_find_active_iov (struct iovec *iov, int iovcnt,
                              int *active_iovcnt)
{
  check_array (iov, iovcnt, SocketCommon_Failed);
  for (int i = 0; i < iovcnt; i++)
    if (iov[i].iov_len > 0)
      {
        if (active_iovcnt != NULL)
          *active_iovcnt = iovcnt - i;
        return &iov[i];
      }
  if (active_iovcnt != NULL)
    *active_iovcnt = 0;
  return NULL;
}

void
SocketCommon_sync_iov_progress (struct iovec *original,
                                const struct iovec *copy, int iovcnt)
{
  check_array (original, iovcnt, SocketCommon_Failed);
  check_array (copy, iovcnt, SocketCommon_Failed);
  /* The original's rules: only where the bases differ; a consumed copy
   * entry (NULL) empties the original; otherwise the original advances by
   * the distance, emptied when it reaches its length; an original already
   * NULL, or a copy base below it, is left alone. */
  for (int i = 0; i < iovcnt; i++)
    {
      char *ob = original[i].iov_base;
      char *cb = copy[i].iov_base;
      size_t moved;

      if (ob == cb || ob == NULL)
        continue;
      if (cb == NULL)
        {
          original[i].iov_base = NULL;
          original[i].iov_len = 0;
          continue;
        }
      if (cb < ob)
        continue;
      moved = (size_t)(cb - ob);
      if (moved >= original[i].iov_len)
        {
          original[i].iov_base = NULL;
          original[i].iov_len = 0;
        }
      else
        {
          original[i].iov_base = cb;
          original[i].iov_len -= moved;
        }
    }
}

struct iovec *
SocketCommon_alloc_iov_copy (const struct iovec *iov, int iovcnt,
                             Except_T exc_type)
{
  struct iovec *copy;

  check_array (iov, iovcnt, exc_type);
  if (iovcnt == 0)
    RAISE_MSG (exc_type, "alloc_iov_copy: empty iovec");
  copy = malloc ((size_t)iovcnt * sizeof *copy);
  if (copy == NULL)
    {
      errno = ENOMEM;
      RAISE_MSG (exc_type, "iovec copy: %s", SOCKET_ENOMEM);
    }
  memcpy (copy, iov, (size_t)iovcnt * sizeof *copy);
  return copy;
}
