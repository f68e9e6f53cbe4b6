/*
 * SocketBuf.c - ring buffer with zero-copy access for socket I/O.
 *
 * Data occupies [head, head + count) modulo capacity. Storage comes from
 * the caller's arena, so it is reclaimed with the arena; reserve() moves
 * the data into a larger block (linearised at offset 0) and the old block
 * stays in the arena until then. As in the original, the capacity is
 * exact, indices only rewind on clear(), and arena exhaustion surfaces as
 * Arena_Failed.
 */
#include <stdint.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "socket/SocketBuf.h"

const Except_T SocketBuf_Failed
    = { &SocketBuf_Failed, "SocketBuf operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketBuf);

#define RAISE_MSG(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (SocketBuf, SocketBuf_Failed, fmt, ##__VA_ARGS__)

struct SocketBuf_T
{
  Arena_T arena;
  unsigned char *data;
  size_t capacity;
  size_t head;  /* index of the first readable byte */
  size_t count; /* readable bytes */
};

/* Most entry points verify the ring first, as the original does. */
static void
check (const struct SocketBuf_T *buf, const char *op)
{
  (void)op;
  if (!SocketBuf_check_invariants ((const SocketBuf_T)buf))
    RAISE_MSG ("SocketBuf invariants violated");
}

/* Arena memory; exhaustion raises Arena_Failed (as in the original). */
static void *
alloc_or_raise (Arena_T arena, size_t size)
{
  return ALLOC (arena, size);
}

SocketBuf_T
SocketBuf_new (Arena_T arena, size_t capacity)
{
  struct SocketBuf_T *buf;

  if (arena == NULL)
    RAISE_MSG ("SocketBuf_new: NULL arena");
  if (capacity == 0)
    RAISE_MSG ("SocketBuf_new: capacity must be > 0");
  if (capacity > SOCKETBUF_MAX_CAPACITY)
    RAISE_MSG ("SocketBuf_new: capacity exceeds SOCKETBUF_MAX_CAPACITY");
  /* The capacity is used exactly: no minimum, no rounding. */
  buf = alloc_or_raise (arena, sizeof *buf);
  buf->arena = arena;
  buf->data = alloc_or_raise (arena, capacity);
  buf->capacity = capacity;
  buf->head = 0;
  buf->count = 0;
  return buf;
}

void
SocketBuf_release (SocketBuf_T *buf)
{
  if (buf == NULL || *buf == NULL)
    return;
  /* The storage belongs to the arena and stays until it is disposed;
   * only the caller's handle is cleared. */
  *buf = NULL;
}

size_t
SocketBuf_available (const SocketBuf_T buf)
{
  check (buf, "SocketBuf_available");
  return buf->count;
}

size_t
SocketBuf_space (const SocketBuf_T buf)
{
  check (buf, "SocketBuf_space");
  return buf->capacity - buf->count;
}

int
SocketBuf_empty (const SocketBuf_T buf)
{
  check (buf, "SocketBuf_empty");
  return buf->count == 0;
}

int
SocketBuf_full (const SocketBuf_T buf)
{
  check (buf, "SocketBuf_full");
  return buf->count == buf->capacity;
}

/* Index one past the last byte (where the next write goes). */
static size_t
tail_index (const struct SocketBuf_T *buf)
{
  size_t t = buf->head + buf->count;
  return t >= buf->capacity ? t - buf->capacity : t;
}

size_t
SocketBuf_write (SocketBuf_T buf, const void *data, size_t len)
{
  size_t n, tail, first;

  check (buf, "SocketBuf_write");
  if (data == NULL && len > 0)
    RAISE_MSG ("SocketBuf_write: NULL data with length %zu", len);
  n = buf->capacity - buf->count;
  if (len < n)
    n = len;
  if (n == 0)
    return 0;
  tail = tail_index (buf);
  first = buf->capacity - tail;
  if (first > n)
    first = n;
  memcpy (buf->data + tail, data, first);
  memcpy (buf->data, (const unsigned char *)data + first, n - first);
  buf->count += n;
  return n;
}

size_t
SocketBuf_peek (SocketBuf_T buf, void *data, size_t len)
{
  size_t n, first;

  check (buf, "SocketBuf_peek");
  if (data == NULL && len > 0)
    RAISE_MSG ("SocketBuf_peek: NULL destination with length %zu", len);
  n = len < buf->count ? len : buf->count;
  first = buf->capacity - buf->head;
  if (first > n)
    first = n;
  memcpy (data, buf->data + buf->head, first);
  memcpy ((unsigned char *)data + first, buf->data, n - first);
  return n;
}

void
SocketBuf_consume (SocketBuf_T buf, size_t len)
{
  check (buf, "SocketBuf_consume");
  if (len > buf->count)
    RAISE_MSG ("SocketBuf_consume: %zu bytes requested, %zu available", len,
               buf->count);
  buf->count -= len;
  buf->head = (buf->head + len) % buf->capacity;
}

size_t
SocketBuf_read (SocketBuf_T buf, void *data, size_t len)
{
  size_t n = SocketBuf_peek (buf, data, len);
  SocketBuf_consume (buf, n);
  return n;
}

void
SocketBuf_clear (SocketBuf_T buf)
{
  check (buf, "SocketBuf_clear");
  buf->head = 0;
  buf->count = 0;
}

void
SocketBuf_secureclear (SocketBuf_T buf)
{
  check (buf, "SocketBuf_secureclear");
  /* explicit_bzero cannot be elided even though the bytes are dead. */
  explicit_bzero (buf->data, buf->capacity);
  buf->head = 0;
  buf->count = 0;
}

void
SocketBuf_reserve (SocketBuf_T buf, size_t min_space)
{
  size_t need, cap;
  unsigned char *p;

  check (buf, "SocketBuf_reserve");
  if (buf->capacity - buf->count >= min_space)
    return;
  /* Beyond what one arena block can hold: the original's reserve error. */
  if (min_space > SOCKETBUF_MAX_CAPACITY - buf->count
      || buf->count + min_space > (size_t)ARENA_MAX_ALLOC_SIZE)
    RAISE_MSG ("SocketBuf reserve overflow");
  need = buf->count + min_space;
  /* Double to keep reserve() amortised O(1) per byte. */
  cap = buf->capacity;
  while (cap < need)
    cap = cap > SOCKETBUF_MAX_CAPACITY / 2 ? SOCKETBUF_MAX_CAPACITY : cap * 2;
  if (cap > (size_t)ARENA_MAX_ALLOC_SIZE)
    cap = (size_t)ARENA_MAX_ALLOC_SIZE; /* >= need, checked above */
  p = alloc_or_raise (buf->arena, cap);
  SocketBuf_peek (buf, p, buf->count);
  /* Old storage may hold secrets; it stays in the arena, so wipe it. */
  explicit_bzero (buf->data, buf->capacity);
  buf->data = p;
  buf->capacity = cap;
  buf->head = 0;
}

bool
SocketBuf_check_invariants (const SocketBuf_T buf)
{
  if (buf == NULL || buf->data == NULL || buf->arena == NULL)
    return false;
  return buf->capacity > 0 && buf->capacity <= SOCKETBUF_MAX_CAPACITY
         && buf->count <= buf->capacity && buf->head < buf->capacity;
}

const void *
SocketBuf_readptr (SocketBuf_T buf, size_t *len)
{
  size_t n;

  check (buf, "SocketBuf_readptr");
  if (len == NULL)
    RAISE_MSG ("SocketBuf_readptr: NULL length pointer");
  if (buf->count == 0)
    {
      *len = 0;
      return NULL;
    }
  n = buf->capacity - buf->head;
  *len = n < buf->count ? n : buf->count;
  return buf->data + buf->head;
}

void *
SocketBuf_writeptr (SocketBuf_T buf, size_t *len)
{
  size_t tail;

  check (buf, "SocketBuf_writeptr");
  if (len == NULL)
    RAISE_MSG ("SocketBuf_writeptr: NULL length pointer");
  if (buf->count == buf->capacity)
    {
      *len = 0;
      return NULL;
    }
  /* Indices are not reset when empty (as in the original): the run goes
   * up to the physical end, or up to head when the free space wraps. */
  tail = tail_index (buf);
  *len = tail >= buf->head ? buf->capacity - tail : buf->head - tail;
  return buf->data + tail;
}

void
SocketBuf_written (SocketBuf_T buf, size_t len)
{
  check (buf, "SocketBuf_written");
  /* Limited by the total free space, not the contiguous run (original). */
  if (len > buf->capacity - buf->count)
    RAISE_MSG ("SocketBuf_written: %zu bytes committed, only %zu free", len,
               buf->capacity - buf->count);
  buf->count += len;
}
