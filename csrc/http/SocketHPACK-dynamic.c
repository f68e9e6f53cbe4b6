/*
 * SocketHPACK-dynamic.c - the HPACK dynamic table (RFC 7541 §2.3.2, §4).
 *
 * A FIFO with O(1) insertion and eviction (see SocketHPACK-private.h for
 * the layout): an entry ring addressed by sequence number plus a byte
 * ring for the strings. All memory is taken from the arena once, sized
 * for the capacity, so adding entries never allocates.
 *
 * Encoder tables also keep hash chains (name, and name+value) threaded
 * through the entries newest-first. Since entries leave in the order they
 * came, an evicted entry is always the tail of its chains: a walk simply
 * stops at the first sequence number below first_seq.
 */
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHPACK-private.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketHPACK);

static size_t
pow2_at_least (size_t n)
{
  size_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

void *
SocketHPACK__alloc (Arena_T arena, size_t count, size_t size)
{
  void *volatile p = NULL;

  TRY p = CALLOC (arena, count, size);
  EXCEPT (Arena_Failed)
  SOCKET_ERROR_MSG ("HPACK: cannot allocate %zu x %zu bytes", count, size);
  END_TRY;
  if (p == NULL)
    SOCKET_RAISE_MODULE_ERROR (SocketHPACK, SocketHPACK_Error);
  return p;
}

SocketHPACK_Table_T
SocketHPACK__table_create (size_t capacity, int indexed, Arena_T arena)
{
  SocketHPACK_Table_T t;
  size_t ring;

  if (arena == NULL)
    SOCKET_RAISE_MSG (SocketHPACK, SocketHPACK_Error, "HPACK: NULL arena");
  /* Offsets into buf (2 * capacity bytes) are 32-bit. */
  if (capacity > HPACK_TABLE_CAPACITY_MAX)
    SOCKET_RAISE_MSG (SocketHPACK, SocketHPACK_Error, "HPACK: table size %zu above maximum %zu",
                      capacity, (size_t)HPACK_TABLE_CAPACITY_MAX);
  /* Every entry costs at least SOCKETHPACK_ENTRY_OVERHEAD bytes. */
  ring = pow2_at_least (capacity / SOCKETHPACK_ENTRY_OVERHEAD + 1);
  t = SocketHPACK__alloc (arena, 1, sizeof *t);
  t->buf = SocketHPACK__alloc (arena, 2 * capacity + 1, 1);
  t->ring = SocketHPACK__alloc (arena, ring, sizeof *t->ring);
  t->ring_mask = ring - 1;
  t->first_seq = t->next_seq = 1;
  t->capacity = t->max_size = capacity;
  if (indexed)
    {
      size_t buckets = 2 * ring;
      t->links = SocketHPACK__alloc (arena, ring, sizeof *t->links);
      t->name_buckets = SocketHPACK__alloc (arena, buckets, sizeof *t->name_buckets);
      t->field_buckets = SocketHPACK__alloc (arena, buckets, sizeof *t->field_buckets);
      t->bucket_mask = buckets - 1;
    }
  return t;
}

/* A table made here may later be set to any maximum up to
 * SOCKETHPACK_MAX_TABLE_SIZE (as in the original), so its storage is
 * sized for at least that much. */
SocketHPACK_Table_T
SocketHPACK_Table_new (size_t max_size, Arena_T arena)
{
  SocketHPACK_Table_T t;

  t = SocketHPACK__table_create (max_size > SOCKETHPACK_MAX_TABLE_SIZE ? max_size
                                                                     : SOCKETHPACK_MAX_TABLE_SIZE,
                                 0, arena);
  t->max_size = max_size;
  return t;
}

void
SocketHPACK_Table_free (SocketHPACK_Table_T *table)
{
  if (table != NULL)
    *table = NULL;
}

static inline size_t
entry_size (const struct hpack_entry *e)
{
  return (size_t)e->name_len + e->value_len + SOCKETHPACK_ENTRY_OVERHEAD;
}

static void
evict_oldest (SocketHPACK_Table_T t)
{
  const struct hpack_entry *e = &t->ring[t->first_seq & t->ring_mask];

  t->size -= entry_size (e);
  t->first_seq++;
  if (t->first_seq == t->next_seq)
    {
      t->head = t->tail = 0;
      t->wrapped = 0;
      return;
    }
  /* Offsets grow in insertion order except once, where the bytes went
   * back to 0: passing that point unwraps the ring. */
  uint32_t next = t->ring[t->first_seq & t->ring_mask].off;
  if (next < t->tail)
    t->wrapped = 0;
  t->tail = next;
}

void
SocketHPACK__table_clear (SocketHPACK_Table_T t)
{
  while (t->first_seq != t->next_seq)
    evict_oldest (t);
}

static void
evict_to (SocketHPACK_Table_T t, size_t limit)
{
  while (t->size > limit)
    evict_oldest (t);
}

void
SocketHPACK__table_resize (SocketHPACK_Table_T table, size_t max_size)
{
  if (max_size > table->capacity)
    max_size = table->capacity;
  table->max_size = max_size;
  evict_to (table, max_size);
}

/* Public: clamps to SOCKETHPACK_MAX_TABLE_SIZE, as the original does (and
 * to the storage of encoder and decoder tables, which may be smaller). */
void
SocketHPACK_Table_set_max_size (SocketHPACK_Table_T table, size_t max_size)
{
  if (table == NULL)
    return;
  if (max_size > SOCKETHPACK_MAX_TABLE_SIZE)
    max_size = SOCKETHPACK_MAX_TABLE_SIZE;
  SocketHPACK__table_resize (table, max_size);
}

size_t
SocketHPACK_Table_size (SocketHPACK_Table_T table)
{
  return table ? table->size : 0;
}

size_t
SocketHPACK_Table_count (SocketHPACK_Table_T table)
{
  return table ? hpack_table_count (table) : 0;
}

size_t
SocketHPACK_Table_max_size (SocketHPACK_Table_T table)
{
  return table ? table->max_size : 0;
}

SocketHPACK_Result
SocketHPACK_Table_get (SocketHPACK_Table_T table, size_t index, SocketHPACK_Header *header)
{
  const struct hpack_entry *e;

  if (table == NULL)
    return HPACK_ERROR;
  /* 1-based as in the original: 1 = newest (HPACK index 61 + index). */
  if (index == 0 || index > hpack_table_count (table))
    return HPACK_ERROR_INVALID_INDEX;
  if (header == NULL)
    return HPACK_ERROR;
  e = hpack_table_entry (table, index - 1);
  header->name = (const char *)table->buf + e->off;
  header->name_len = e->name_len;
  header->value = header->name + e->name_len + 1;
  header->value_len = e->value_len;
  header->never_index = 0;
  return HPACK_OK;
}

/*
 * Returns where @p len bytes go, contiguous in buf, without overlapping a
 * live entry. An entry stores name + value + 2 bytes (two NULs) and costs
 * name + value + 32, so after eviction the live bytes L satisfy L + len
 * <= max_size - 30 < C, where C = capacity and buf holds 2C bytes. Unwrapped, the free
 * space (2C - head) + tail = 2C - L exceeds C + len >= 2 len, so one of
 * the two pieces takes len. Wrapped, the hole head..tail holds 2C - gap -
 * L bytes where the unused gap at the end was left by an entry that did
 * not fit, so gap < C, and the hole exceeds len.
 */
static uint32_t
table_place (SocketHPACK_Table_T t, size_t len)
{
  size_t end = 2 * t->capacity;
  uint32_t off;

  if (!t->wrapped && end - t->head >= len)
    off = t->head;
  else if (!t->wrapped && t->tail >= len)
    {
      off = 0;
      t->wrapped = 1;
    }
  else
    off = t->head; /* wrapped: head + len <= tail by the bound above */
  t->head = off + (uint32_t)len;
  return off;
}

static void
index_entry (SocketHPACK_Table_T t, uint64_t seq, uint32_t name_hash, uint32_t field_hash)
{
  struct hpack_link *l = &t->links[seq & t->ring_mask];
  uint64_t *nb = &t->name_buckets[name_hash & t->bucket_mask];
  uint64_t *fb = &t->field_buckets[field_hash & t->bucket_mask];

  l->next_name = *nb;
  l->next_field = *fb;
  l->name_hash = name_hash;
  l->field_hash = field_hash;
  *nb = seq;
  *fb = seq;
}

void
SocketHPACK__table_insert (SocketHPACK_Table_T t, const char *name, size_t name_len,
                           const char *value, size_t value_len, uint32_t name_hash,
                           uint32_t field_hash)
{
  size_t len = name_len + value_len;
  struct hpack_entry *e;
  unsigned char *p;

  if (len + SOCKETHPACK_ENTRY_OVERHEAD > t->max_size)
    {
      SocketHPACK__table_clear (t);
      return;
    }
  evict_to (t, t->max_size - len - SOCKETHPACK_ENTRY_OVERHEAD);
  e = &t->ring[t->next_seq & t->ring_mask];
  e->off = table_place (t, len + 2);
  e->name_len = (uint32_t)name_len;
  e->value_len = (uint32_t)value_len;
  p = t->buf + e->off;
  if (name_len > 0)
    memcpy (p, name, name_len);
  p[name_len] = '\0';
  if (value_len > 0)
    memcpy (p + name_len + 1, value, value_len);
  p[name_len + 1 + value_len] = '\0';
  t->size += len + SOCKETHPACK_ENTRY_OVERHEAD;
  if (t->links != NULL)
    index_entry (t, t->next_seq, name_hash, field_hash);
  t->next_seq++;
}

SocketHPACK_Result
SocketHPACK_Table_add (SocketHPACK_Table_T table, const char *name, size_t name_len,
                       const char *value, size_t value_len)
{
  uint32_t nh = 0, fh = 0;

  if (table == NULL || (name == NULL && name_len > 0) || (value == NULL && value_len > 0))
    return HPACK_ERROR;
  if (table->links != NULL)
    {
      nh = SocketHPACK__hash (name, name_len, 0);
      fh = SocketHPACK__hash (value, value_len, nh);
    }
  SocketHPACK__table_insert (table, name, name_len, value, value_len, nh, fh);
  return HPACK_OK;
}

long
SocketHPACK__table_find_field (SocketHPACK_Table_T t, const char *name, size_t name_len,
                               const char *value, size_t value_len, uint32_t field_hash)
{
  if (t->links == NULL)
    return -1;
  for (uint64_t seq = t->field_buckets[field_hash & t->bucket_mask]; seq >= t->first_seq;
       seq = t->links[seq & t->ring_mask].next_field)
    {
      const struct hpack_entry *e = &t->ring[seq & t->ring_mask];
      const unsigned char *p = t->buf + e->off;
      if (t->links[seq & t->ring_mask].field_hash == field_hash && e->name_len == name_len
          && e->value_len == value_len && hpack_bytes_eq (p, name, name_len)
          && memcmp (p + name_len + 1, value, value_len) == 0)
        return (long)(t->next_seq - 1 - seq);
    }
  return -1;
}

long
SocketHPACK__table_find_name (SocketHPACK_Table_T t, const char *name, size_t name_len,
                              uint32_t name_hash)
{
  if (t->links == NULL)
    return -1;
  for (uint64_t seq = t->name_buckets[name_hash & t->bucket_mask]; seq >= t->first_seq;
       seq = t->links[seq & t->ring_mask].next_name)
    {
      const struct hpack_entry *e = &t->ring[seq & t->ring_mask];
      if (t->links[seq & t->ring_mask].name_hash == name_hash && e->name_len == name_len
          && hpack_bytes_eq (t->buf + e->off, name, name_len))
        return (long)(t->next_seq - 1 - seq);
    }
  return -1;
}

/* Word-at-a-time multiplicative hash; strings are short and trusted
 * (our own encoder's input), so speed matters more than strength. */
uint32_t
SocketHPACK__hash (const void *data, size_t len, uint32_t seed)
{
  const unsigned char *p = data;
  uint64_t h = ((uint64_t)seed << 32 | seed) ^ (len * 0x9E3779B97F4A7C15ull);
  uint64_t w;

  while (len >= 8)
    {
      memcpy (&w, p, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 29;
      p += 8;
      len -= 8;
    }
  if (len > 0)
    {
      /* 1..7 bytes: two overlapping loads, no variable-length copy. */
      uint32_t a, b;
      if (len >= 4)
        {
          memcpy (&a, p, 4);
          memcpy (&b, p + len - 4, 4);
          w = (uint64_t)a << 32 | b;
        }
      else
        w = (uint64_t)p[0] << 16 | (uint64_t)p[len / 2] << 8 | p[len - 1];
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
  h ^= h >> 32;
  h *= 0xC4CEB9FE1A85EC53ull;
  return (uint32_t)(h >> 32);
}
