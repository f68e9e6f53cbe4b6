/*
 * SocketHPACK.c - HPACK integers, the static table and the decoder
 * (RFC 7541 §5.1, §6, Appendix A).
 *
 * The decoder takes one complete header block and never raises on bad
 * input: every representation is bounds-checked against the block and
 * every failure is a SocketHPACK_Result. Decoded strings are copied into
 * the caller's arena (entries referenced early in a block may be evicted
 * later in the same block, and the input buffer is the caller's), except
 * static table strings, which are returned as they are.
 *
 * Limits are checked before the bytes they guard are produced where
 * possible: a literal's wire length against max_header_size before it is
 * decoded, a referenced entry's size against the list limit before it is
 * copied. Exceeding the list limit with more than SOCKETHPACK_BOMB_RATIO
 * decoded bytes per input byte is reported as a bomb.
 */
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHPACK-private.h"


const Except_T SocketHPACK_Error = { &SocketHPACK_Error, "HPACK compression error" };

/* Largest integer accepted: indices, lengths and sizes are far smaller,
 * and the bound keeps every sum below 2^64. */
#define HPACK_INT_MAX ((uint64_t)1 << 62)
/* 2^62 needs at most 9 continuation bytes; one redundant byte is allowed. */
#define HPACK_INT_MAX_CONT 10
/* Inside a header block every integer is an index, a length or a table
 * size, all far below 2^32; 5 continuation bytes (35 bits) are plenty,
 * and longer encodings exceed our limits (RFC 7541 §5.1), as in nghttp2. */
#define HPACK_BLOCK_INT_MAX_CONT 5

const char *
SocketHPACK_result_string (SocketHPACK_Result result)
{
  switch (result)
    {
    case HPACK_OK: return "OK";
    case HPACK_INCOMPLETE: return "Incomplete - need more data";
    case HPACK_ERROR: return "Generic error";
    case HPACK_ERROR_INVALID_INDEX: return "Invalid table index";
    case HPACK_ERROR_HUFFMAN: return "Huffman decoding error";
    case HPACK_ERROR_INTEGER: return "Integer overflow";
    case HPACK_ERROR_TABLE_SIZE: return "Invalid dynamic table size update";
    case HPACK_ERROR_HEADER_SIZE: return "Header too large";
    case HPACK_ERROR_LIST_SIZE: return "Header list too large";
    case HPACK_ERROR_BOMB: return "HPACK bomb detected";
    }
  return "Unknown error";
}

/* ===================================================================== */
/* Integers                                                               */
/* ===================================================================== */

size_t
SocketHPACK_int_encode (uint64_t value, int prefix_bits, unsigned char *output, size_t output_size)
{
  uint64_t mask;
  size_t n = 0;

  if (prefix_bits < 1 || prefix_bits > 8 || output == NULL || output_size == 0)
    return 0;
  mask = ((uint64_t)1 << prefix_bits) - 1;
  if (value < mask)
    {
      output[0] = (unsigned char)value;
      return 1;
    }
  output[n++] = (unsigned char)mask;
  value -= mask;
  while (value >= 0x80)
    {
      if (n == output_size)
        return 0;
      output[n++] = (unsigned char)(0x80 | (value & 0x7F));
      value >>= 7;
    }
  if (n == output_size)
    return 0;
  output[n++] = (unsigned char)value;
  return n;
}

/* Continuation bytes after a full prefix @p x; *pp points past the prefix. */
static SocketHPACK_Result
int_continue (const unsigned char **pp, const unsigned char *end, uint64_t x, uint64_t *value,
              unsigned max_cont)
{
  const unsigned char *p = *pp;

  for (unsigned i = 0;; i++)
    {
      if (i == max_cont)
        return HPACK_ERROR_INTEGER;
      if (p == end)
        return HPACK_INCOMPLETE;
      unsigned b = *p++;
      uint64_t add = b & 0x7F;
      if (add != 0)
        {
          unsigned shift = 7 * i;
          if (shift > 62 || add > (HPACK_INT_MAX >> shift))
            return HPACK_ERROR_INTEGER;
          x += add << shift;
          if (x > HPACK_INT_MAX)
            return HPACK_ERROR_INTEGER;
        }
      if ((b & 0x80) == 0)
        break;
    }
  *pp = p;
  *value = x;
  return HPACK_OK;
}

/* Reads an integer at *pp (< end) with a @p prefix-bit prefix. */
static inline SocketHPACK_Result
read_int_limit (const unsigned char **pp, const unsigned char *end, unsigned prefix, uint64_t *value,
                unsigned max_cont)
{
  unsigned mask = (1u << prefix) - 1;
  uint64_t x = **pp & mask;

  (*pp)++;
  if (__builtin_expect (x < mask, 1))
    {
      *value = x;
      return HPACK_OK;
    }
  return int_continue (pp, end, x, value, max_cont);
}

/* An integer inside a header block. */
static inline SocketHPACK_Result
read_int (const unsigned char **pp, const unsigned char *end, unsigned prefix, uint64_t *value)
{
  return read_int_limit (pp, end, prefix, value, HPACK_BLOCK_INT_MAX_CONT);
}

SocketHPACK_Result
SocketHPACK_int_decode (const unsigned char *input, size_t input_len, int prefix_bits,
                        uint64_t *value, size_t *consumed)
{
  const unsigned char *p = input;
  uint64_t v;
  SocketHPACK_Result r;

  if (input == NULL || value == NULL || consumed == NULL || prefix_bits < 1 || prefix_bits > 8)
    return HPACK_ERROR;
  if (input_len == 0)
    return HPACK_INCOMPLETE;
  r = read_int_limit (&p, input + input_len, (unsigned)prefix_bits, &v, HPACK_INT_MAX_CONT);
  if (r == HPACK_OK)
    {
      *value = v;
      *consumed = (size_t)(p - input);
    }
  return r;
}

/* ===================================================================== */
/* Static table                                                           */
/* ===================================================================== */

#define STATIC_NAME_MAX 27 /* "access-control-allow-origin" */

SocketHPACK_Result
SocketHPACK_static_get (size_t index, SocketHPACK_Header *header)
{
  const struct hpack_static_entry *e;

  if (header == NULL)
    return HPACK_ERROR;
  if (index == 0 || index > SOCKETHPACK_STATIC_TABLE_SIZE)
    return HPACK_ERROR_INVALID_INDEX;
  e = &hpack_static_table[index];
  header->name = e->name;
  header->name_len = e->name_len;
  header->value = e->value;
  header->value_len = e->value_len;
  header->never_index = 0;
  return HPACK_OK;
}

int
SocketHPACK_static_find (const char *name, size_t name_len, const char *value, size_t value_len)
{
  const struct hpack_static_entry *e;
  unsigned idx;

  if (name == NULL || name_len == 0 || name_len > STATIC_NAME_MAX)
    return 0;
  /* Static names are lowercase: look up the lowercased name (the hash
   * reads its bytes), as the original compares case-insensitively. */
  char lower[STATIC_NAME_MAX];
  for (size_t i = 0; i < name_len; i++)
    {
      unsigned char c = (unsigned char)name[i];
      lower[i] = (char)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
    }
  idx = hpack_static_name_slot[hpack_static_name_hash (lower, name_len)];
  e = &hpack_static_table[idx];
  if (idx == 0 || e->name_len != name_len || !hpack_bytes_eq (e->name, lower, name_len))
    return 0;
  if (value == NULL)
    return -(int)idx; /* name-only lookup: always the negative first index */
  for (unsigned i = idx; i < idx + e->same_name; i++)
    if (hpack_static_table[i].value_len == value_len
        && hpack_bytes_eq (hpack_static_table[i].value, value, value_len))
      return (int)i;
  return -(int)idx;
}

/* ===================================================================== */
/* Decoder                                                                */
/* ===================================================================== */

struct SocketHPACK_Decoder
{
  SocketHPACK_Table_T table;
  size_t settings_max;  /* bound for size updates (our acknowledged setting) */
  size_t max_header_size;
  size_t max_header_list_size;
};

void
SocketHPACK_decoder_config_defaults (SocketHPACK_DecoderConfig *config)
{
  if (config == NULL)
    return;
  config->max_table_size = SOCKETHPACK_DEFAULT_TABLE_SIZE;
  config->max_header_size = SOCKETHPACK_MAX_HEADER_SIZE;
  config->max_header_list_size = SOCKETHPACK_MAX_HEADER_LIST_SIZE;
}

SocketHPACK_Decoder_T
SocketHPACK_Decoder_new (const SocketHPACK_DecoderConfig *config, Arena_T arena)
{
  SocketHPACK_DecoderConfig cfg;
  SocketHPACK_Decoder_T d;

  if (config == NULL)
    SocketHPACK_decoder_config_defaults (&cfg);
  else
    cfg = *config;
  /* No validation, as in the original: zero limits reject every field. */
  d = SocketHPACK__alloc (arena, 1, sizeof *d);
  d->table = SocketHPACK__table_create (cfg.max_table_size, 0, arena);
  /* Both peers start at 4096; a larger table must be asked for with an
   * update, a smaller one is taken as already in force. */
  if (cfg.max_table_size > SOCKETHPACK_DEFAULT_TABLE_SIZE)
    SocketHPACK__table_resize (d->table, SOCKETHPACK_DEFAULT_TABLE_SIZE);
  d->settings_max = cfg.max_table_size;
  d->max_header_size = cfg.max_header_size;
  d->max_header_list_size = cfg.max_header_list_size;
  return d;
}

void
SocketHPACK_Decoder_free (SocketHPACK_Decoder_T *decoder)
{
  if (decoder != NULL)
    *decoder = NULL;
}

void
SocketHPACK_Decoder_set_table_size (SocketHPACK_Decoder_T decoder, size_t max_size)
{
  if (decoder == NULL)
    return;
  /* As in the original, only the bound for the peer's size updates
   * changes: the table is resized when the peer's update arrives. */
  if (max_size > decoder->table->capacity)
    max_size = decoder->table->capacity;
  decoder->settings_max = max_size;
}

SocketHPACK_Table_T
SocketHPACK_Decoder_get_table (SocketHPACK_Decoder_T decoder)
{
  return decoder ? decoder->table : NULL;
}

/* Per-block decoding state. */
struct block
{
  const unsigned char *p, *end, *start;
  Arena_T arena;
  size_t list_size; /* RFC 7540 size so far */
  size_t decoded;   /* name + value bytes so far */
};

/* Copies @p len bytes into the arena, NUL-terminated ("" when empty). */
static const char *
arena_copy (Arena_T arena, const void *src, size_t len)
{
  char *s;

  if (len == 0)
    return "";
  s = ALLOC (arena, len + 1);
  memcpy (s, src, len);
  s[len] = '\0';
  return s;
}

/* Reads a string literal (RFC 7541 §5.2) into the arena. */
static SocketHPACK_Result
read_string (SocketHPACK_Decoder_T d, struct block *b, const char **out, size_t *out_len)
{
  uint64_t len;
  SocketHPACK_Result r;
  int huffman;

  if (b->p == b->end)
    return HPACK_INCOMPLETE;
  huffman = *b->p & 0x80;
  r = read_int (&b->p, b->end, 7, &len);
  if (r != HPACK_OK)
    return r;
  /* A Huffman code is at most 30 bits (< 4 bytes) per decoded byte. */
  if (len > (huffman ? 4 * (uint64_t)d->max_header_size : d->max_header_size))
    return HPACK_ERROR_HEADER_SIZE;
  if (len > (uint64_t)(b->end - b->p))
    return HPACK_INCOMPLETE;
  if (!huffman)
    {
      *out = arena_copy (b->arena, b->p, (size_t)len);
      *out_len = (size_t)len;
    }
  else if (len == 0)
    {
      *out = "";
      *out_len = 0;
    }
  else
    {
      size_t cap = HPACK_HUFF_MAX_DECODED ((size_t)len);
      char *s = ALLOC (b->arena, cap + 1);
      ssize_t n = SocketHPACK_huffman_decode (b->p, (size_t)len, (unsigned char *)s, cap);
      if (n < 0)
        return HPACK_ERROR_HUFFMAN;
      if ((size_t)n > d->max_header_size)
        return HPACK_ERROR_HEADER_SIZE;
      s[n] = '\0';
      *out = s;
      *out_len = (size_t)n;
    }
  b->p += len;
  return HPACK_OK;
}

/* Accounts one field against the limits before it is produced. */
static SocketHPACK_Result
account (SocketHPACK_Decoder_T d, struct block *b, size_t name_len, size_t value_len)
{
  size_t field = name_len + value_len;

  if (field > d->max_header_size)
    return HPACK_ERROR_HEADER_SIZE;
  b->list_size += field + SOCKETHPACK_ENTRY_OVERHEAD;
  b->decoded += field;
  if (b->list_size > d->max_header_list_size)
    {
      size_t consumed = (size_t)(b->p - b->start);
      return b->decoded / SOCKETHPACK_BOMB_RATIO > consumed ? HPACK_ERROR_BOMB
                                                            : HPACK_ERROR_LIST_SIZE;
    }
  return HPACK_OK;
}

/* Resolves @p index (1-based, static then dynamic). */
static SocketHPACK_Result
lookup (SocketHPACK_Decoder_T d, uint64_t index, const char **name, size_t *name_len,
        const char **value, size_t *value_len, int *dynamic)
{
  if (index == 0)
    return HPACK_ERROR_INVALID_INDEX;
  if (index <= SOCKETHPACK_STATIC_TABLE_SIZE)
    {
      const struct hpack_static_entry *e = &hpack_static_table[index];
      *name = e->name;
      *name_len = e->name_len;
      *value = e->value;
      *value_len = e->value_len;
      *dynamic = 0;
      return HPACK_OK;
    }
  index -= SOCKETHPACK_STATIC_TABLE_SIZE + 1;
  if (index >= hpack_table_count (d->table))
    return HPACK_ERROR_INVALID_INDEX;
  const struct hpack_entry *e = hpack_table_entry (d->table, (size_t)index);
  *name = (const char *)d->table->buf + e->off;
  *name_len = e->name_len;
  *value = *name + e->name_len + 1;
  *value_len = e->value_len;
  *dynamic = 1;
  return HPACK_OK;
}

/* Indexed field (RFC 7541 §6.1). */
static SocketHPACK_Result
decode_indexed (SocketHPACK_Decoder_T d, struct block *b, SocketHPACK_Header *h)
{
  uint64_t index;
  const char *name, *value;
  size_t name_len, value_len;
  int dynamic;
  SocketHPACK_Result r = read_int (&b->p, b->end, 7, &index);

  if (r == HPACK_OK)
    r = lookup (d, index, &name, &name_len, &value, &value_len, &dynamic);
  if (r == HPACK_OK)
    r = account (d, b, name_len, value_len);
  if (r != HPACK_OK)
    return r;
  if (dynamic)
    {
      /* The table stores "name\0value\0": one copy, since its bytes are
       * reused after eviction (possibly later in this very block). */
      size_t n = name_len + value_len + 2;
      char *s = ALLOC (b->arena, n);
      memcpy (s, name, n);
      name = s;
      value = s + name_len + 1;
    }
  h->name = name;
  h->name_len = name_len;
  h->value = value;
  h->value_len = value_len;
  h->never_index = 0;
  return HPACK_OK;
}

/* Copies @p k (>= 2) bytes without a library call for the usual header
 * lengths: overlapping moves from both ends (16-byte ones up to 64). */
struct bytes16
{
  uint64_t lo, hi;
};

static inline void
copy_short (char *dst, const unsigned char *src, size_t k)
{
  uint64_t a, b;
  uint16_t x, y;

  if (k > 64)
    memcpy (dst, src, k);
  else if (k > 32)
    {
      struct bytes16 v0, v1, v2, v3;
      memcpy (&v0, src, 16);
      memcpy (&v1, src + 16, 16);
      memcpy (&v2, src + k - 32, 16);
      memcpy (&v3, src + k - 16, 16);
      memcpy (dst, &v0, 16);
      memcpy (dst + 16, &v1, 16);
      memcpy (dst + k - 32, &v2, 16);
      memcpy (dst + k - 16, &v3, 16);
    }
  else if (k >= 16)
    {
      struct bytes16 v0, v1;
      memcpy (&v0, src, 16);
      memcpy (&v1, src + k - 16, 16);
      memcpy (dst, &v0, 16);
      memcpy (dst + k - 16, &v1, 16);
    }
  else if (k >= 8)
    {
      memcpy (&a, src, 8);
      memcpy (&b, src + k - 8, 8);
      memcpy (dst, &a, 8);
      memcpy (dst + k - 8, &b, 8);
    }
  else if (k >= 4)
    {
      uint32_t c, e;
      memcpy (&c, src, 4);
      memcpy (&e, src + k - 4, 4);
      memcpy (dst, &c, 4);
      memcpy (dst + k - 4, &e, 4);
    }
  else
    {
      memcpy (&x, src, 2);
      memcpy (&y, src + k - 2, 2);
      memcpy (dst, &x, 2);
      memcpy (dst + k - 2, &y, 2);
    }
}

/* The decoder's table as a run sees it (nothing is inserted or evicted
 * during a run), in locals: stores to headers[] (size_t fields) could
 * otherwise alias the table's fields and force reloads. */
struct run_table
{
  const struct hpack_entry *ring;
  const unsigned char *buf;
  size_t mask, count;
  uint64_t base; /* HPACK index idx > 61 is seq base - idx */
};

static inline const struct hpack_entry *
run_entry (const struct run_table *t, unsigned idx)
{
  return &t->ring[(t->base - idx) & t->mask];
}

/* What the first pass of a run found. */
struct run_scan
{
  const unsigned char *q; /* end of the run */
  size_t bytes;           /* name + value bytes of its fields */
  size_t dyn;             /* bytes of its dynamic entries, NULs included */
  unsigned lo, hi;        /* smallest and largest dynamic index used */
};

/* Whether a field of @p f name + value bytes exceeds a limit. */
static inline int
run_over (size_t f, size_t list, size_t max_field, size_t max_list)
{
  return f > max_field || list + f + SOCKETHPACK_ENTRY_OVERHEAD > max_list;
}

/*
 * First pass over one-byte indexed fields from @p p: stops at the first
 * field that is not one, names no entry or (when @p checked) would exceed
 * a limit. Unchecked, the caller has made sure that no field can exceed
 * max_header_size and checks the list limit on the total. The first
 * @p keep fields are stored in @p h (all of them unless @p bounded), the
 * dynamic ones pointing into the table for now.
 */
static inline __attribute__ ((always_inline)) void
scan_run (const struct run_table *t, const unsigned char *p, const unsigned char *end,
          SocketHPACK_Header *h, size_t keep, size_t list, size_t max_field, size_t max_list,
          int checked, int bounded, struct run_scan *sc)
{
  const struct hpack_static_entry *const st = hpack_static_table;
  const struct hpack_entry *const ring = t->ring;
  const unsigned char *const buf = t->buf;
  const uint64_t base = t->base;
  const size_t mask = t->mask, count = t->count;
  const SocketHPACK_Header *const hstop = h + keep;
  size_t bytes = 0, dyn = 0;
  unsigned lo = 127, hi = 0;

  for (; p < end && (unsigned)*p - 0x81u < 0x7Eu; p++, h++)
    {
      unsigned idx = *p & 0x7Fu;
      const char *name, *value;
      size_t nl, vl;
      if (idx <= SOCKETHPACK_STATIC_TABLE_SIZE)
        {
          name = st[idx].name;
          nl = st[idx].name_len;
          value = st[idx].value;
          vl = st[idx].value_len;
          if (checked && run_over (nl + vl, list, max_field, max_list))
            break;
        }
      else
        {
          if (idx - (SOCKETHPACK_STATIC_TABLE_SIZE + 1) >= count)
            break;
          const struct hpack_entry *e = &ring[(base - idx) & mask];
          nl = e->name_len;
          vl = e->value_len;
          if (checked && run_over (nl + vl, list, max_field, max_list))
            break;
          dyn += nl + vl + 2;
          lo = idx < lo ? idx : lo;
          hi = idx > hi ? idx : hi;
          name = (const char *)buf + e->off;
          value = name + nl + 1;
        }
      if (checked)
        list += nl + vl + SOCKETHPACK_ENTRY_OVERHEAD;
      if (!bounded || h < hstop)
        {
          h->name = name;
          h->name_len = nl;
          h->value = value;
          h->value_len = vl;
          h->never_index = 0;
        }
      bytes += nl + vl;
    }
  sc->q = p;
  sc->bytes = bytes;
  sc->dyn = dyn;
  sc->lo = lo;
  sc->hi = hi;
}

/*
 * A run of one-byte indexed fields (0x81..0xFE: static 1..61, dynamic
 * 62..126), the usual shape of a block repeating earlier requests. A
 * first pass finds how far the run goes within the limits (stopping
 * before any field that needs decode_indexed(): longer or invalid index,
 * limit exceeded), stores the fields and sizes the dynamic entries'
 * copies, so the limits guard the bytes before they are produced; the
 * second makes one arena allocation and moves the dynamic fields to their
 * copies. Static fields point at the static table. The dynamic entries
 * ("name\0value\0") are copied with a single memcpy when the entries from
 * the oldest to the newest one used are contiguous in the table's byte
 * ring (entries are written one after the other until the ring wraps)
 * and take no more bytes than the separate copies (entries added together
 * and referenced again, the usual case), else one by one. Returns the
 * fields decoded (stored while n < max_headers); 0 leaves the field to
 * the general path. Not inlined: the scan loops need the registers.
 */
static __attribute__ ((noinline)) size_t
decode_indexed_run (SocketHPACK_Decoder_T d, struct block *b, SocketHPACK_Header *headers, size_t n,
                    size_t max_headers)
{
  const SocketHPACK_Table_T tab = d->table;
  const struct run_table t = { tab->ring, tab->buf, tab->ring_mask, hpack_table_count (tab),
                               tab->next_seq - 1 + SOCKETHPACK_STATIC_TABLE_SIZE + 1 };
  const size_t max_field = d->max_header_size, max_list = d->max_header_list_size;
  const unsigned char *p = b->p;
  SocketHPACK_Header *h = headers + n;
  size_t keep = n < max_headers ? max_headers - n : 0;
  struct run_scan sc;
  size_t fields;

  /* No field can exceed max_header_size when neither table holds a larger
   * one (a dynamic entry's name + value + 32 is at most the table size);
   * then the list limit is checked once, on the run's total. */
  sc.q = p;
  if (HPACK_STATIC_FIELD_MAX <= max_field
      && (tab->size <= SOCKETHPACK_ENTRY_OVERHEAD
          || tab->size - SOCKETHPACK_ENTRY_OVERHEAD <= max_field))
    {
      if ((size_t)(b->end - p) <= keep)
        scan_run (&t, p, b->end, h, keep, 0, 0, 0, 0, 0, &sc);
      else
        scan_run (&t, p, b->end, h, keep, 0, 0, 0, 0, 1, &sc);
      fields = (size_t)(sc.q - p);
      if (b->list_size + sc.bytes + fields * SOCKETHPACK_ENTRY_OVERHEAD > max_list)
        sc.q = p;
    }
  if (sc.q == p)
    scan_run (&t, p, b->end, h, keep, b->list_size, max_field, max_list, 1, 1, &sc);
  if (sc.q == p)
    return 0;
  fields = (size_t)(sc.q - p);
  /* Fields beyond max_headers are only counted (nothing to copy). */
  if (keep > fields)
    keep = fields;
  if (sc.dyn != 0 && keep != 0)
    {
      const char *buf = (const char *)t.buf;
      const struct hpack_entry *first = run_entry (&t, sc.hi), *last = run_entry (&t, sc.lo);
      size_t lo = first->off, hi = (size_t)last->off + last->name_len + last->value_len + 2;
      if (lo <= last->off && hi - lo <= sc.dyn)
        {
          const char *src = buf + lo;
          char *s = ALLOC (b->arena, hi - lo);
          memcpy (s, src, hi - lo);
          for (size_t i = 0; i < keep; i++)
            if (p[i] > 0x80 + SOCKETHPACK_STATIC_TABLE_SIZE)
              {
                h[i].name = s + (h[i].name - src); /* same offset in the copy */
                h[i].value = h[i].name + h[i].name_len + 1;
              }
        }
      else
        {
          char *s = ALLOC (b->arena, sc.dyn);
          for (size_t i = 0; i < keep; i++)
            if (p[i] > 0x80 + SOCKETHPACK_STATIC_TABLE_SIZE)
              {
                size_t k = h[i].name_len + h[i].value_len + 2;
                copy_short (s, (const unsigned char *)h[i].name, k);
                h[i].name = s;
                h[i].value = s + h[i].name_len + 1;
                s += k;
              }
        }
    }
  b->p = sc.q;
  b->decoded += sc.bytes;
  b->list_size += sc.bytes + fields * SOCKETHPACK_ENTRY_OVERHEAD;
  return fields;
}

/* Literal field (RFC 7541 §6.2); @p prefix is 6 (indexing) or 4. */
static SocketHPACK_Result
decode_literal (SocketHPACK_Decoder_T d, struct block *b, SocketHPACK_Header *h, unsigned prefix)
{
  int add = prefix == 6, never = prefix == 4 && (*b->p & 0x10);
  uint64_t index;
  const char *value;
  size_t value_len;
  SocketHPACK_Result r = read_int (&b->p, b->end, prefix, &index);

  if (r != HPACK_OK)
    return r;
  if (index == 0)
    r = read_string (d, b, &h->name, &h->name_len);
  else
    {
      const char *name, *unused;
      size_t unused_len;
      int dynamic;
      r = lookup (d, index, &name, &h->name_len, &unused, &unused_len, &dynamic);
      if (r == HPACK_OK && h->name_len > d->max_header_size)
        r = HPACK_ERROR_HEADER_SIZE;
      if (r == HPACK_OK)
        h->name = dynamic ? arena_copy (b->arena, name, h->name_len) : name;
    }
  if (r == HPACK_OK)
    r = read_string (d, b, &value, &value_len);
  if (r == HPACK_OK)
    r = account (d, b, h->name_len, value_len);
  if (r != HPACK_OK)
    return r;
  h->value = value;
  h->value_len = value_len;
  h->never_index = never != 0;
  if (add)
    SocketHPACK__table_insert (d->table, h->name, h->name_len, value, value_len, 0, 0);
  return HPACK_OK;
}

/* Dynamic table size updates at the start of a block (RFC 7541 §4.2,
 * §6.3); any number of them, as in the original (each costs input). */
static SocketHPACK_Result
decode_size_updates (SocketHPACK_Decoder_T d, struct block *b)
{
  while (b->p < b->end && (*b->p & 0xE0) == 0x20)
    {
      uint64_t size;
      SocketHPACK_Result r = read_int (&b->p, b->end, 5, &size);
      if (r != HPACK_OK)
        return r;
      if (size > d->settings_max)
        return HPACK_ERROR_TABLE_SIZE;
      SocketHPACK__table_resize (d->table, (size_t)size);
    }
  return HPACK_OK;
}

SocketHPACK_Result
SocketHPACK__decoder_decode (SocketHPACK_Decoder_T decoder, const unsigned char *input,
                             size_t input_len, SocketHPACK_Header *headers, size_t max_headers,
                             size_t *header_count, Arena_T arena)
{
  struct block b;
  size_t n = 0;
  SocketHPACK_Result r;
  SocketHPACK_Header spill; /* fields beyond max_headers: decoded, not kept */

  if (header_count != NULL)
    *header_count = 0;
  if (decoder == NULL || (input == NULL && input_len > 0) || (headers == NULL && max_headers > 0)
      || header_count == NULL || arena == NULL)
    return HPACK_ERROR;
  b.p = b.start = input;
  b.end = input_len > 0 ? input + input_len : input; /* NULL + 0 is UB */
  b.arena = arena;
  b.list_size = b.decoded = 0;
  r = decode_size_updates (decoder, &b);
  while (r == HPACK_OK && b.p < b.end)
    {
      unsigned c = *b.p;
      if (c - 0x81u < 0x7Eu)
        {
          size_t k = decode_indexed_run (decoder, &b, headers, n, max_headers);
          if (k != 0)
            {
              n += k;
              continue;
            }
        }
      /* As in the original, fields beyond max_headers are decoded (the
       * table and the list limit see them) and counted but not stored:
       * *header_count > max_headers tells the caller. */
      SocketHPACK_Header *h = n < max_headers ? &headers[n] : &spill;
      if (c & 0x80)
        r = decode_indexed (decoder, &b, h);
      else if (c & 0x40)
        r = decode_literal (decoder, &b, h, 6);
      else if (c & 0x20)
        r = HPACK_ERROR_TABLE_SIZE; /* size update after a field */
      else
        r = decode_literal (decoder, &b, h, 4);
      if (r == HPACK_OK)
        n++;
    }
  *header_count = n;
  return r;
}

SocketHPACK_Result
SocketHPACK_Decoder_decode (SocketHPACK_Decoder_T decoder, const unsigned char *input,
                            size_t input_len, SocketHPACK_Header *headers, size_t max_headers,
                            size_t *header_count, Arena_T arena)
{
  SocketHPACK_Result r
      = SocketHPACK__decoder_decode (decoder, input, input_len, headers, max_headers, header_count, arena);

  /* The original reports no fields on failure. */
  if (r != HPACK_OK && header_count != NULL)
    *header_count = 0;
  return r;
}
