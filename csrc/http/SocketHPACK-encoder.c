/*
 * SocketHPACK-encoder.c - the HPACK encoder (RFC 7541 §2, §4, §6, §7).
 *
 * For each field, in order of preference:
 *   1. sensitive (never_index, or a credential-carrying name): a
 *      never-indexed literal, so neither we nor intermediaries index it;
 *   2. an exact match in the static table, then in the dynamic table:
 *      an indexed field;
 *   3. a literal, with incremental indexing if indexing is on and the
 *      field is worth a table slot (see worth_indexing()), naming the
 *      field by a static or dynamic index when one has the name.
 * A string is Huffman-coded when that is strictly shorter.
 *
 * Output space is checked as bytes are written. Running out leaves the
 * table with entries the peer never saw, so the encoder then empties its
 * table and makes the next block start with a size update to 0 (which
 * empties the peer's table too) followed by the current size.
 */
#include <string.h>

#include "http/SocketHPACK-private.h"

struct SocketHPACK_Encoder
{
  SocketHPACK_Table_T table;
  int huffman;
  int indexing;
  int update_pending; /* start the next block with size update(s) */
  size_t pending_min; /* smallest table size since the last block */
};

/* Output cursor; ok drops to 0 at the first write that does not fit. */
struct wbuf
{
  unsigned char *p, *end;
  int ok;
};

/* Static indices of names whose values rarely repeat between messages:
 * indexing them only pushes reusable entries out of the table (on the
 * hpack-test-case stories, indexing content-length alone costs 1.7%). */
static const uint64_t volatile_static_names
    = (1ull << 4)      /* :path */
      | (1ull << 21)   /* age */
      | (1ull << 28)   /* content-length */
      | (1ull << 34)   /* etag */
      | (1ull << 40)   /* if-modified-since */
      | (1ull << 41);  /* if-none-match */

void
SocketHPACK_encoder_config_defaults (SocketHPACK_EncoderConfig *config)
{
  if (config == NULL)
    return;
  config->max_table_size = SOCKETHPACK_DEFAULT_TABLE_SIZE;
  config->huffman_encode = 1;
  config->use_indexing = 1;
}

SocketHPACK_Encoder_T
SocketHPACK_Encoder_new (const SocketHPACK_EncoderConfig *config, Arena_T arena)
{
  SocketHPACK_EncoderConfig cfg;
  SocketHPACK_Encoder_T e;
  size_t initial;

  if (config == NULL)
    SocketHPACK_encoder_config_defaults (&cfg);
  else
    cfg = *config;
  e = SocketHPACK__alloc (arena, 1, sizeof *e);
  e->table = SocketHPACK__table_create (cfg.max_table_size, 1, arena);
  e->huffman = cfg.huffman_encode != 0;
  e->indexing = cfg.use_indexing != 0;
  /* The peer's decoder starts at 4096; we may use less. */
  initial = cfg.max_table_size < SOCKETHPACK_DEFAULT_TABLE_SIZE ? cfg.max_table_size
                                                               : SOCKETHPACK_DEFAULT_TABLE_SIZE;
  SocketHPACK__table_resize (e->table, initial);
  /* A smaller table needs no announcement (the original sends none): the
   * peer's larger table keeps every entry ours has, at the same index. */
  e->update_pending = 0;
  e->pending_min = initial;
  return e;
}

void
SocketHPACK_Encoder_free (SocketHPACK_Encoder_T *encoder)
{
  if (encoder != NULL)
    *encoder = NULL;
}

void
SocketHPACK_Encoder_set_table_size (SocketHPACK_Encoder_T encoder, size_t max_size)
{
  if (encoder == NULL)
    return;
  SocketHPACK__table_resize (encoder->table, max_size); /* clamps, evicts */
  max_size = encoder->table->max_size;
  if (!encoder->update_pending || max_size < encoder->pending_min)
    encoder->pending_min = max_size;
  encoder->update_pending = 1;
}

SocketHPACK_Table_T
SocketHPACK_Encoder_get_table (SocketHPACK_Encoder_T encoder)
{
  return encoder ? encoder->table : NULL;
}

/* ===================================================================== */
/* Output                                                                 */
/* ===================================================================== */

/* Integer with a @p prefix-bit prefix; @p pattern fills the bits above it. */
static void
put_int (struct wbuf *w, uint64_t value, unsigned prefix, unsigned pattern)
{
  uint64_t mask = (1u << prefix) - 1;

  if (__builtin_expect (value < mask && w->p < w->end, 1))
    {
      *w->p++ = (unsigned char)(pattern | value);
      return;
    }
  size_t n = SocketHPACK_int_encode (value, (int)prefix, w->p, (size_t)(w->end - w->p));
  if (n == 0)
    {
      w->ok = 0;
      return;
    }
  w->p[0] |= (unsigned char)pattern;
  w->p += n;
}

/* Bytes of an integer with a @p prefix-bit prefix. */
static size_t
int_size (uint64_t value, unsigned prefix)
{
  uint64_t mask = (1u << prefix) - 1;
  size_t n = 1;

  if (value < mask)
    return 1;
  for (value -= mask; value >= 0x80; value >>= 7)
    n++;
  return n + 1;
}

/* Huffman-codes a string in place, right after room for its raw length
 * prefix, giving up as soon as it is no shorter than the raw string (a
 * single pass instead of sizing first). Returns 0 if the raw form is to
 * be sent instead, 1 if the string was handled (w->ok tells whether it
 * fit). */
static int
put_huffman (struct wbuf *w, const char *s, size_t len)
{
  size_t room = int_size (len, 7), hlen;
  if (len < 2)
    return 0; /* Huffman codes are at least 5 bits: no gain */
  if ((size_t)(w->end - w->p) < room + len)
    {
      /* Tight buffer: size first, the coded string may still fit. */
      hlen = SocketHPACK_huffman_encoded_size ((const unsigned char *)s, len);
      if (hlen >= len)
        return 0;
      put_int (w, hlen, 7, 0x80);
      if (!w->ok || (size_t)(w->end - w->p) < hlen)
        {
          w->ok = 0;
          return 1;
        }
      SocketHPACK__huffman_encode_within ((const unsigned char *)s, len, w->p, hlen);
      w->p += hlen;
      return 1;
    }
  hlen = SocketHPACK__huffman_encode_within ((const unsigned char *)s, len, w->p + room, len - 1);
  if (hlen == 0)
    return 0;
  size_t prefix = int_size (hlen, 7);
  if (prefix < room)
    memmove (w->p + prefix, w->p + room, hlen);
  put_int (w, hlen, 7, 0x80);
  w->p += hlen;
  return 1;
}

static void
put_string (struct wbuf *w, int huffman, const char *s, size_t len)
{
  if (huffman && put_huffman (w, s, len))
    return;
  put_int (w, len, 7, 0x00);
  if (!w->ok || (size_t)(w->end - w->p) < len)
    {
      w->ok = 0;
      return;
    }
  if (len > 0)
    memcpy (w->p, s, len);
  w->p += len;
}

/* ===================================================================== */
/* Policy                                                                 */
/* ===================================================================== */

static int
ascii_ieq (const char *a, const char *lower, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)a[i];
      if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + ('a' - 'A'));
      if (c != (unsigned char)lower[i])
        return 0;
    }
  return 1;
}

/* Credential-carrying fields (RFC 7541 §7.1.3): never indexed by default. */
static int
is_sensitive (const char *name, size_t len)
{
  switch (len)
    {
    case 6: return ascii_ieq (name, "cookie", 6);
    case 10: return ascii_ieq (name, "set-cookie", 10);
    case 13: return ascii_ieq (name, "authorization", 13);
    case 19: return ascii_ieq (name, "proxy-authorization", 19);
    }
  return 0;
}

/* A field earns a table slot if it is likely to repeat and does not
 * flush most of the table on its own. @p static_name is the static index
 * of its name (0: none). */
static int
worth_indexing (SocketHPACK_Encoder_T e, int static_name, size_t name_len, size_t value_len)
{
  size_t size = name_len + value_len + SOCKETHPACK_ENTRY_OVERHEAD;

  if (!e->indexing || size > e->table->max_size / 4 * 3)
    return 0;
  return static_name == 0 || !(volatile_static_names >> static_name & 1);
}

/* ===================================================================== */
/* Encoding                                                               */
/* ===================================================================== */

static void
encode_field (SocketHPACK_Encoder_T e, struct wbuf *w, const SocketHPACK_Header *h)
{
  const char *name = h->name ? h->name : "", *value = h->value ? h->value : "";
  size_t nlen = h->name_len, vlen = h->value_len;
  int sensitive = h->never_index || is_sensitive (name, nlen);
  int st = SocketHPACK_static_find (name, nlen, value, vlen);
  int static_name = st < 0 ? -st : st;
  /* Static names match case-insensitively (as in the original); the peer
   * then sees, and stores, the table's lowercase name, so use it here
   * too and keep both tables byte-identical. */
  if (static_name != 0)
    name = hpack_static_table[static_name].name;
  uint64_t name_index = (uint64_t)static_name;
  int entries = hpack_table_count (e->table) > 0;
  uint32_t nh = 0, fh = 0;

  if (st > 0 && !sensitive)
    {
      put_int (w, (uint64_t)st, 7, 0x80);
      return;
    }
  int add = !sensitive && worth_indexing (e, static_name, nlen, vlen);
  /* We never insert volatile names, so only look for other fields. */
  int lookup = entries && !sensitive && !(volatile_static_names >> static_name & 1);
  if (lookup || add || (entries && static_name == 0))
    nh = SocketHPACK__hash (name, nlen, 0);
  if (lookup || add)
    fh = SocketHPACK__hash (value, vlen, nh);
  if (lookup)
    {
      long dyn = SocketHPACK__table_find_field (e->table, name, nlen, value, vlen, fh);
      if (dyn >= 0)
        {
          put_int (w, (uint64_t)dyn + SOCKETHPACK_STATIC_TABLE_SIZE + 1, 7, 0x80);
          return;
        }
    }
  if (entries && static_name == 0)
    {
      long dyn_name = SocketHPACK__table_find_name (e->table, name, nlen, nh);
      if (dyn_name >= 0)
        name_index = (uint64_t)dyn_name + SOCKETHPACK_STATIC_TABLE_SIZE + 1;
    }
  if (sensitive)
    put_int (w, name_index, 4, 0x10);
  else if (add)
    put_int (w, name_index, 6, 0x40);
  else
    put_int (w, name_index, 4, 0x00);
  if (name_index == 0)
    put_string (w, e->huffman, name, nlen);
  put_string (w, e->huffman, value, vlen);
  if (add && w->ok)
    SocketHPACK__table_insert (e->table, name, nlen, value, vlen, nh, fh);
}

static void
emit_size_updates (SocketHPACK_Encoder_T e, struct wbuf *w)
{
  if (e->pending_min < e->table->max_size)
    put_int (w, e->pending_min, 5, 0x20);
  put_int (w, e->table->max_size, 5, 0x20);
}

ssize_t
SocketHPACK_Encoder_encode (SocketHPACK_Encoder_T encoder, const SocketHPACK_Header *headers,
                            size_t count, unsigned char *output, size_t output_size)
{
  struct wbuf w;

  if (encoder == NULL || output == NULL || (headers == NULL && count > 0))
    return -1;
  for (size_t i = 0; i < count; i++)
    if ((headers[i].name == NULL && headers[i].name_len > 0)
        || (headers[i].value == NULL && headers[i].value_len > 0))
      return -1;
  w.p = output;
  w.end = output + output_size;
  w.ok = 1;
  if (encoder->update_pending)
    emit_size_updates (encoder, &w);
  for (size_t i = 0; i < count && w.ok; i++)
    encode_field (encoder, &w, &headers[i]);
  if (!w.ok)
    {
      /* The peer will never see this block: resynchronise through an
       * update to 0 (which empties its table) at the next block. */
      SocketHPACK__table_clear (encoder->table);
      encoder->update_pending = 1;
      encoder->pending_min = 0;
      return -1;
    }
  encoder->update_pending = 0;
  encoder->pending_min = encoder->table->max_size;
  return (ssize_t)(w.p - output);
}
