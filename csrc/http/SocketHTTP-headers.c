/*
 * SocketHTTP-headers.c - header collection: an insertion-ordered array of
 * fields plus a lazily built hash index for case-insensitive lookup.
 *
 * Entries live in one array (so SocketHTTP_Headers_at is an index and
 * iteration is in order). Bucket chains link entry indices in ascending
 * order (appended at a per-bucket tail), so get_all returns values in
 * order and the last match of a chain is the most recently added field,
 * the one get/get_int/remove/contains act on (the original's bucket chains
 * are LIFO, so "the" field of a name is its most recent one). The
 * index covers entries [0, indexed); a lookup first appends the entries
 * added since, so adding fields (the parser adds a whole section at once)
 * does no hashing at all until somebody looks a field up.
 */
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP.h"
#include "http/SocketHTTP-private.h"

#define HEADERS_INITIAL_CAP 16
#define HEADERS_MIN_BUCKETS 16

/* Field storage: blocks that never move (Headers_at pointers survive
 * removals and growth) and are reused from the first one after a clear, so
 * a collection reset per message (a keep-alive parser) stops allocating. */
struct field_block
{
  struct field_block *next;
  size_t cap;
  SocketHTTP_Header f[];
};

struct SocketHTTP_Headers
{
  Arena_T arena;
  struct field_block *blocks; /* first block, NULL before the first field */
  struct field_block *cur;    /* block being filled */
  size_t cur_used;            /* fields used in cur */
  SocketHTTP_Header **entries; /* fields never move: Headers_at pointers stay valid */
  uint32_t *hash;   /* per entry, valid below `indexed` */
  int32_t *next;    /* chain link per entry, -1 ends */
  int32_t *head;    /* per bucket, -1 when empty */
  int32_t *tail;
  size_t count, cap, indexed;
  size_t sized;      /* total_size covers entries [0, sized) */
  size_t total_size; /* sum of name_len + value_len + 2 (the original's cap) */
  uint32_t nbuckets; /* power of two, 0 before the first index */
};

/* Case-insensitive hash, 8 bytes at a time: OR-ing 0x20 lowercases
 * letters (it also merges a few non-letters, which only costs a compare).
 * The last 1..8 bytes are read with overlapping loads, never past the end. */
static inline uint64_t
load_tail (const char *p, size_t n, size_t total)
{
  uint64_t w;
  if (total >= 8)
    memcpy (&w, p + n - 8, 8); /* overlaps bytes already hashed */
  else if (n >= 4)
    {
      uint32_t a, b;
      memcpy (&a, p, 4);
      memcpy (&b, p + n - 4, 4);
      w = ((uint64_t)a << 32) | b;
    }
  else
    w = ((uint64_t)(unsigned char)p[0] << 16) | ((uint64_t)(unsigned char)p[n >> 1] << 8)
        | (unsigned char)p[n - 1];
  return w | 0x2020202020202020ull;
}

static uint32_t
hash_name (const char *p, size_t n)
{
  const size_t total = n;
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
  while (n > 8)
    {
      uint64_t w;
      memcpy (&w, p, 8);
      h = (h ^ (w | 0x2020202020202020ull)) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
      p += 8;
      n -= 8;
    }
  if (n > 0)
    h ^= load_tail (p, n, total);
  /* final avalanche (MurmurHash3 fmix64): buckets use the low bits */
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return (uint32_t)h;
}

SocketHTTP_Headers_T
SocketHTTP_Headers_new (Arena_T arena)
{
  SocketHTTP_Headers_T h;
  if (arena == NULL)
    return NULL;
  h = CALLOC (arena, 1, sizeof (*h));
  h->arena = arena;
  h->cap = HEADERS_INITIAL_CAP;
  h->entries = ALLOC (arena, h->cap * sizeof (*h->entries));
  h->hash = ALLOC (arena, h->cap * sizeof (*h->hash));
  h->next = ALLOC (arena, h->cap * sizeof (*h->next));
  return h;
}

void
SocketHTTP_Headers_free (SocketHTTP_Headers_T *headers)
{
  if (headers == NULL || *headers == NULL)
    return;
  SocketHTTP_Headers_clear (*headers);
  *headers = NULL;
}

void
SocketHTTP_Headers_clear (SocketHTTP_Headers_T headers)
{
  if (headers == NULL)
    return;
  headers->count = 0;
  headers->cur = headers->blocks;
  headers->cur_used = 0;
  headers->indexed = 0;
  headers->sized = 0;
  headers->total_size = 0;
}

static void
grow_entries (SocketHTTP_Headers_T h, size_t need)
{
  size_t cap = h->cap;
  SocketHTTP_Header **e;
  uint32_t *hs;
  int32_t *nx;
  while (cap < need)
    cap *= 2;
  e = ALLOC (h->arena, cap * sizeof (*e));
  hs = ALLOC (h->arena, cap * sizeof (*hs));
  nx = ALLOC (h->arena, cap * sizeof (*nx));
  memcpy (e, h->entries, h->count * sizeof (*e));
  memcpy (hs, h->hash, h->count * sizeof (*hs));
  memcpy (nx, h->next, h->count * sizeof (*nx));
  h->entries = e;
  h->hash = hs;
  h->next = nx;
  h->cap = cap;
}

/* @p n contiguous fields: the rest of the current block, else the next
 * reused block when large enough, else a new block linked after it. */
static SocketHTTP_Header *
take_fields (SocketHTTP_Headers_T h, size_t n)
{
  struct field_block *b = h->cur;
  SocketHTTP_Header *f;

  if (b == NULL || b->cap - h->cur_used < n)
    {
      struct field_block *next = b ? b->next : h->blocks;
      if (next == NULL || next->cap < n)
        {
          size_t cap = b ? 2 * b->cap : HEADERS_INITIAL_CAP;
          if (cap < n)
            cap = n;
          size_t bytes;
          if (__builtin_mul_overflow (cap, sizeof (SocketHTTP_Header), &bytes)
              || __builtin_add_overflow (bytes, sizeof (struct field_block), &bytes))
            bytes = (size_t)-1; /* Arena_alloc raises Arena_Failed */
          struct field_block *nb = ALLOC (h->arena, bytes);
          nb->cap = cap;
          nb->next = next; /* a too-small reused block stays in the chain */
          if (b)
            b->next = nb;
          else
            h->blocks = nb;
          next = nb;
        }
      h->cur = b = next;
      h->cur_used = 0;
    }
  f = b->f + h->cur_used;
  h->cur_used += n;
  return f;
}

SocketHTTP_Header *
SocketHTTP_Headers__append_raw (SocketHTTP_Headers_T h, size_t n)
{
  SocketHTTP_Header *first;
  if (n == 0)
    return NULL;
  if (h->count + n > h->cap)
    grow_entries (h, h->count + n);
  first = take_fields (h, n);
  for (size_t i = 0; i < n; i++)
    h->entries[h->count + i] = first + i;
  h->count += n;
  return first;
}

/* Brings the index up to date with the entries. */
static void
ensure_index (SocketHTTP_Headers_T h)
{
  if (h->indexed == h->count)
    return;
  if ((size_t)h->nbuckets < 2 * h->count)
    {
      uint32_t nb = h->nbuckets ? h->nbuckets : HEADERS_MIN_BUCKETS;
      while ((size_t)nb < 2 * h->count)
        nb *= 2;
      h->head = ALLOC (h->arena, nb * sizeof (*h->head));
      h->tail = ALLOC (h->arena, nb * sizeof (*h->tail));
      h->nbuckets = nb;
      h->indexed = 0;
    }
  if (h->indexed == 0)
    memset (h->head, 0xFF, h->nbuckets * sizeof (*h->head));
  for (size_t i = h->indexed; i < h->count; i++)
    {
      uint32_t hv = hash_name (h->entries[i]->name, h->entries[i]->name_len);
      uint32_t b = hv & (h->nbuckets - 1);
      h->hash[i] = hv;
      h->next[i] = -1;
      if (h->head[b] < 0)
        h->head[b] = (int32_t)i;
      else
        h->next[h->tail[b]] = (int32_t)i;
      h->tail[b] = (int32_t)i;
    }
  h->indexed = h->count;
}

/* First entry at or after chain position @p from named [name, +len). */
static int32_t
find_from (SocketHTTP_Headers_T h, int32_t i, uint32_t hv, const char *name, size_t len)
{
  for (; i >= 0; i = h->next[i])
    {
      const SocketHTTP_Header *e = h->entries[i];
      if (h->hash[i] == hv && e->name_len == len && SocketHTTP__casecmp_eq (e->name, name, len))
        return i;
    }
  return -1;
}

static int32_t
find_first (SocketHTTP_Headers_T h, const char *name, uint32_t *hv_out)
{
  size_t len;
  uint32_t hv;
  if (h == NULL || name == NULL || h->count == 0)
    return -1;
  ensure_index (h);
  len = strlen (name);
  hv = hash_name (name, len);
  *hv_out = hv;
  return find_from (h, h->head[hv & (h->nbuckets - 1)], hv, name, len);
}

/* The most recently added field of that name (the end of its chain). */
static int32_t
find_last (SocketHTTP_Headers_T h, const char *name)
{
  uint32_t hv;
  size_t len;
  int32_t i = find_first (h, name, &hv), last = i;
  if (i < 0)
    return -1;
  len = strlen (name);
  while ((i = find_from (h, h->next[i], hv, name, len)) >= 0)
    last = i;
  return last;
}

static int
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

/* Brings total_size up to date (entries appended raw or after a removal). */
static size_t
total_size (SocketHTTP_Headers_T h)
{
  if (h->sized > h->count)
    h->sized = h->total_size = 0;
  for (; h->sized < h->count; h->sized++)
    h->total_size += h->entries[h->sized]->name_len + h->entries[h->sized]->value_len + 2;
  return h->total_size;
}

static char *
copy_str (Arena_T arena, const char *s, size_t len)
{
  char *p = ALLOC (arena, len + 1);
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static int
add_field (SocketHTTP_Headers_T headers, const char *name, size_t name_len, const char *value,
           size_t value_len, int capped)
{
  SocketHTTP_Header *e;
  if (headers == NULL || name == NULL || (value == NULL && value_len > 0))
    return -1;
  if (value == NULL)
    value = "";
  if (!SocketHTTP_header_name_valid (name, name_len)
      || !SocketHTTP_header_value_valid (value, value_len))
    return -1;
  /* the original's caps: SOCKETHTTP_MAX_HEADERS fields and
   * SOCKETHTTP_MAX_HEADER_SIZE bytes (name + value + 2 per field); the value
   * is stored verbatim */
  if (capped
      && (headers->count >= SOCKETHTTP_MAX_HEADERS
          || total_size (headers) + name_len + value_len + 2 > SOCKETHTTP_MAX_HEADER_SIZE))
    return -1;
  e = SocketHTTP_Headers__append_raw (headers, 1);
  e->name = copy_str (headers->arena, name, name_len);
  e->name_len = name_len;
  e->value = copy_str (headers->arena, value, value_len);
  e->value_len = value_len;
  if (headers->sized + 1 == headers->count)
    {
      headers->total_size += name_len + value_len + 2;
      headers->sized = headers->count;
    }
  return 0;
}

int
SocketHTTP_Headers_add_n (SocketHTTP_Headers_T headers, const char *name, size_t name_len,
                          const char *value, size_t value_len)
{
  return add_field (headers, name, name_len, value, value_len, 1);
}

int
SocketHTTP_Headers__add_n_uncapped (SocketHTTP_Headers_T headers, const char *name,
                                    size_t name_len, const char *value, size_t value_len)
{
  return add_field (headers, name, name_len, value, value_len, 0);
}

int
SocketHTTP_Headers_add (SocketHTTP_Headers_T headers, const char *name, const char *value)
{
  if (name == NULL)
    return -1;
  if (value == NULL)
    value = ""; /* the original adds an empty value */
  return SocketHTTP_Headers_add_n (headers, name, strlen (name), value, strlen (value));
}

int
SocketHTTP_Headers_set (SocketHTTP_Headers_T headers, const char *name, const char *value)
{
  /* Validation before removal (the original removes first and can then
   * fail with the fields gone): a failed set leaves the collection as is. */
  if (value == NULL)
    value = "";
  if (headers == NULL || name == NULL
      || !SocketHTTP_header_name_valid (name, strlen (name))
      || !SocketHTTP_header_value_valid (value, strlen (value)))
    return -1;
  SocketHTTP_Headers_remove_all (headers, name);
  return SocketHTTP_Headers_add (headers, name, value);
}

const char *
SocketHTTP_Headers_get (SocketHTTP_Headers_T headers, const char *name)
{
  int32_t i = find_last (headers, name);
  return i < 0 ? NULL : headers->entries[i]->value;
}

int
SocketHTTP_Headers_get_int (SocketHTTP_Headers_T headers, const char *name, int64_t *value)
{
  const char *v = SocketHTTP_Headers_get (headers, name);
  uint64_t acc = 0, limit;
  int neg = 0;
  const char *end;
  if (v == NULL || value == NULL)
    return -1;
  /* surrounding SP/HTAB allowed, as in the original */
  while (is_ows (*v))
    v++;
  end = v + strlen (v);
  while (end > v && is_ows (end[-1]))
    end--;
  if (v < end && (*v == '-' || *v == '+'))
    neg = (*v++ == '-');
  if (v == end)
    return -1;
  limit = (uint64_t)INT64_MAX; /* as the original: INT64_MIN is out of range too */
  for (; v < end; v++)
    {
      if (*v < '0' || *v > '9')
        return -1;
      if (acc > (limit - (uint64_t)(*v - '0')) / 10)
        return -1;
      acc = acc * 10 + (uint64_t)(*v - '0');
    }
  *value = neg ? (int64_t)(0 - acc) : (int64_t)acc;
  return 0;
}

size_t
SocketHTTP_Headers_get_all (SocketHTTP_Headers_T headers, const char *name, const char **values,
                            size_t max_values)
{
  uint32_t hv;
  size_t n = 0, len;
  int32_t i;
  if (values == NULL || max_values == 0)
    return 0;
  i = find_first (headers, name, &hv);
  if (i < 0)
    return 0;
  len = strlen (name);
  for (; i >= 0 && n < max_values; i = find_from (headers, headers->next[i], hv, name, len))
    values[n++] = headers->entries[i]->value;
  return n;
}

int
SocketHTTP_Headers_has (SocketHTTP_Headers_T headers, const char *name)
{
  uint32_t hv;
  return find_first (headers, name, &hv) >= 0;
}

int
SocketHTTP_Headers_contains (SocketHTTP_Headers_T headers, const char *name, const char *token)
{
  /* As the original: only the field Headers_get returns is examined, its
   * elements are split on ',', SP and HTAB, and ";params" stay part of the
   * element ("chunked;x" is not "chunked"). */
  int32_t i = find_last (headers, name);
  const char *v;
  size_t n, toklen, k = 0;
  if (i < 0 || token == NULL || (toklen = strlen (token)) == 0)
    return 0;
  v = headers->entries[i]->value;
  n = headers->entries[i]->value_len;
  while (k < n)
    {
      size_t start;
      while (k < n && (v[k] == ',' || is_ows (v[k])))
        k++;
      start = k;
      while (k < n && v[k] != ',' && !is_ows (v[k]))
        k++;
      if (k - start == toklen && SocketHTTP__casecmp_eq (v + start, token, toklen))
        return 1;
    }
  return 0;
}

/* Removes entry @p i, keeping order; the index is rebuilt on next use. */
static void
remove_at (SocketHTTP_Headers_T h, size_t i)
{
  memmove (h->entries + i, h->entries + i + 1, (h->count - i - 1) * sizeof (*h->entries));
  h->count--;
  h->indexed = 0;
  h->sized = 0;
  h->total_size = 0;
}

int
SocketHTTP_Headers_remove (SocketHTTP_Headers_T headers, const char *name)
{
  int32_t i = find_last (headers, name);
  if (i < 0)
    return 0;
  remove_at (headers, (size_t)i);
  return 1;
}

int
SocketHTTP_Headers_remove_all (SocketHTTP_Headers_T headers, const char *name)
{
  size_t len, out = 0;
  int removed;
  uint32_t hv;
  if (find_first (headers, name, &hv) < 0)
    return 0;
  /* One compaction pass instead of repeated memmoves. */
  len = strlen (name);
  for (size_t i = 0; i < headers->count; i++)
    {
      SocketHTTP_Header *e = headers->entries[i];
      if (e->name_len == len && SocketHTTP__casecmp_eq (e->name, name, len))
        continue;
      headers->entries[out++] = e;
    }
  removed = (int)(headers->count - out);
  headers->count = out;
  headers->indexed = 0;
  headers->sized = 0;
  headers->total_size = 0;
  return removed;
}

size_t
SocketHTTP_Headers_count (SocketHTTP_Headers_T headers)
{
  return headers ? headers->count : 0;
}

const SocketHTTP_Header *
SocketHTTP_Headers_at (SocketHTTP_Headers_T headers, size_t index)
{
  if (headers == NULL || index >= headers->count)
    return NULL;
  return headers->entries[index];
}

int
SocketHTTP_Headers_iterate (SocketHTTP_Headers_T headers, SocketHTTP_HeaderCallback callback,
                            void *userdata)
{
  if (headers == NULL || callback == NULL)
    return 0;
  for (size_t i = 0; i < headers->count; i++)
    {
      const SocketHTTP_Header *e = headers->entries[i];
      int rc = callback (e->name, e->name_len, e->value, e->value_len, userdata);
      if (rc != 0)
        return rc;
    }
  return 0;
}

int
SocketHTTP_header_name_valid (const char *name, size_t len)
{
  if (name == NULL || len == 0 || len > SOCKETHTTP_MAX_HEADER_NAME)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!HTTP_IS (name[i], HTTP_C_TCHAR))
      return 0;
  return 1;
}

int
SocketHTTP_header_value_valid (const char *value, size_t len)
{
  /* As the original: at most SOCKETHTTP_MAX_HEADER_VALUE bytes, no NUL,
   * other controls and obs-text accepted. Unlike the original, CR and LF are
   * refused even as a CRLF pair: a value that can end the line is header
   * injection / response splitting once serialized. */
  if (value == NULL)
    return len == 0;
  if (len > SOCKETHTTP_MAX_HEADER_VALUE)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (value[i] == '\0' || value[i] == '\r' || value[i] == '\n')
      return 0;
  return 1;
}

size_t
SocketHTTP_Headers__max_chain (SocketHTTP_Headers_T h)
{
  size_t longest = 0;
  if (h == NULL || h->count == 0)
    return 0;
  ensure_index (h);
  for (uint32_t b = 0; b < h->nbuckets; b++)
    {
      size_t n = 0;
      for (int32_t i = h->head[b]; i >= 0; i = h->next[i])
        n++;
      if (n > longest)
        longest = n;
    }
  return longest;
}
