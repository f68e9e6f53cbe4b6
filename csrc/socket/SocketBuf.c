/*
 * SocketBuf.c - ring buffer with zero-copy access for socket I/O.
 *
 * Data occupies [head, head + count) modulo capacity. Storage comes from
 * the caller's arena, so it is reclaimed with the arena; reserve() moves
 * the data into a larger block (linearised at offset 0) and the old block
 * stays in the arena until then. An empty buffer rewinds to offset 0 so
 * the next writeptr() offers the whole capacity contiguously.
 */
#include <stdint.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "socket/SocketBuf.h"

const Except_T SocketBuf_Failed
    = { &SocketBuf_Failed, "Socket buffer operation failed" };
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

static void
check (const struct SocketBuf_T *buf, const char *op)
{
  if (buf == NULL || buf->data == NULL)
    RAISE_MSG ("%s: NULL or released buffer", op);
}

/* Arena memory, or SocketBuf_Failed (not Arena_Failed) when unavailable. */
static void *
alloc_or_raise (Arena_T arena, size_t size)
{
  void *volatile p = NULL;

  TRY p = ALLOC (arena, size);
  EXCEPT (Arena_Failed)
  RAISE_MSG ("cannot allocate %zu bytes of buffer memory", size);
  END_TRY;
  return p;
}

SocketBuf_T
SocketBuf_new (Arena_T arena, size_t capacity)
{
  struct SocketBuf_T *buf;

  if (arena == NULL)
    RAISE_MSG ("SocketBuf_new: NULL arena");
  if (capacity > SOCKETBUF_MAX_CAPACITY)
    RAISE_MSG ("SocketBuf_new: capacity %zu exceeds the maximum %zu",
               capacity, (size_t)SOCKETBUF_MAX_CAPACITY);
  if (capacity < SOCKETBUF_MIN_CAPACITY)
    capacity = SOCKETBUF_MIN_CAPACITY;
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
  /* The storage belongs to the arena; drop our references to it. */
  (*buf)->data = NULL;
  (*buf)->capacity = (*buf)->head = (*buf)->count = 0;
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
  buf->head = buf->count == 0 ? 0 : (buf->head + len) % buf->capacity;
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
  if (min_space > SOCKETBUF_MAX_CAPACITY - buf->count)
    RAISE_MSG ("SocketBuf_reserve: %zu + %zu bytes exceeds the maximum %zu",
               buf->count, min_space, (size_t)SOCKETBUF_MAX_CAPACITY);
  need = buf->count + min_space;
  /* Double to keep reserve() amortised O(1) per byte. */
  cap = buf->capacity;
  while (cap < need)
    cap = cap > SOCKETBUF_MAX_CAPACITY / 2 ? SOCKETBUF_MAX_CAPACITY : cap * 2;
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
  return buf->capacity >= SOCKETBUF_MIN_CAPACITY
         && buf->capacity <= SOCKETBUF_MAX_CAPACITY
         && buf->count <= buf->capacity && buf->head < buf->capacity
         && (buf->count > 0 || buf->head == 0);
}

const void *
SocketBuf_readptr (SocketBuf_T buf, size_t *len)
{
  size_t n;

  check (buf, "SocketBuf_readptr");
  if (len == NULL)
    RAISE_MSG ("SocketBuf_readptr: NULL length pointer");
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
  if (buf->count == 0)
    buf->head = 0;
  tail = tail_index (buf);
  /* Up to the physical end, or up to head when the data wraps. */
  *len = tail >= buf->head && buf->count < buf->capacity
             ? buf->capacity - tail
             : buf->capacity - buf->count;
  if (buf->count == buf->capacity)
    *len = 0;
  return buf->data + tail;
}

void
SocketBuf_written (SocketBuf_T buf, size_t len)
{
  size_t contiguous;

  SocketBuf_writeptr (buf, &contiguous);
  if (len > contiguous)
    RAISE_MSG ("SocketBuf_written: %zu bytes committed, only %zu writable",
               len, contiguous);
  buf->count += len;
}
