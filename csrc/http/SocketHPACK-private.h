/* SocketHPACK-private.h - internals shared by the HPACK sources, tests,
 * fuzzers and benchmarks. Not installed. */
#ifndef SOCKETHPACK_PRIVATE_INCLUDED
#define SOCKETHPACK_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/SocketHPACK.h"

/* ===================================================================== */
/* Generated tables (SocketHPACK-table.c)                                 */
/* ===================================================================== */

struct hpack_static_entry
{
  const char *name;
  uint8_t name_len;
  const char *value;
  uint8_t value_len;
  uint8_t same_name; /* entries from this one on that share its name */
};

struct hpack_huff_code
{
  uint32_t code; /* aligned to the LSB */
  uint8_t len;   /* 5..30 bits */
};

struct hpack_huff_long
{
  uint32_t first;  /* smallest code of this length */
  uint16_t count;  /* codes of this length */
  uint16_t offset; /* their symbols start at hpack_huff_long_syms[offset] */
};

#define HPACK_HUFF_FAST_BITS 12
#define HPACK_HUFF_EOS 256

extern const struct hpack_static_entry hpack_static_table[SOCKETHPACK_STATIC_TABLE_SIZE + 1];
/* Largest name + value of a static entry ("accept-encoding: gzip, deflate");
 * test_hpack checks it against the table. */
#define HPACK_STATIC_FIELD_MAX 28
extern const uint32_t hpack_static_hash_mul;
extern const unsigned hpack_static_hash_bits;
extern const uint8_t hpack_static_name_slot[];
extern const struct hpack_huff_code hpack_huff_encode_table[257];
extern const uint32_t hpack_huff_decode_fast[1u << HPACK_HUFF_FAST_BITS];
extern const struct hpack_huff_long hpack_huff_long_rows[30 - HPACK_HUFF_FAST_BITS];
extern const uint16_t hpack_huff_long_syms[];

/* The generator's name hash: length and three bytes, one multiply. */
static inline unsigned
hpack_static_name_hash (const char *name, size_t len)
{
  uint32_t x = (uint32_t)len | ((uint32_t)(unsigned char)name[0] << 8)
               | ((uint32_t)(unsigned char)name[len - 1] << 16)
               | ((uint32_t)(unsigned char)name[len / 2] << 24);
  return (uint32_t)(x * hpack_static_hash_mul) >> (32 - hpack_static_hash_bits);
}

/* Equality of short strings (header names, static values) without a
 * library call: 8-byte words, the last one overlapping. */
static inline int
hpack_bytes_eq (const void *a, const void *b, size_t n)
{
  const unsigned char *x = a, *y = b;
  uint64_t u, v;
  uint32_t p, q;

  if (n >= 8)
    {
      for (size_t i = 0; i + 8 < n; i += 8)
        {
          memcpy (&u, x + i, 8);
          memcpy (&v, y + i, 8);
          if (u != v)
            return 0;
        }
      memcpy (&u, x + n - 8, 8);
      memcpy (&v, y + n - 8, 8);
      return u == v;
    }
  if (n >= 4)
    {
      memcpy (&p, x, 4);
      memcpy (&q, y, 4);
      if (p != q)
        return 0;
      memcpy (&p, x + n - 4, 4);
      memcpy (&q, y + n - 4, 4);
      return p == q;
    }
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i])
      return 0;
  return 1;
}

/* ===================================================================== */
/* Dynamic table (SocketHPACK-dynamic.c)                                  */
/* ===================================================================== */

/*
 * Entries live in a ring indexed by a sequence number (seq & ring_mask);
 * the oldest has seq first_seq, the newest next_seq - 1, so insertion and
 * eviction are O(1) and HPACK index 62 + i is seq next_seq - 1 - i.
 * Their bytes ("name\0value\0", so that both strings are NUL-terminated
 * and an indexed field can be copied out with one memcpy) live in a byte
 * ring `buf` of twice the
 * table's capacity, written contiguously at `head` and released from
 * `tail` in the same FIFO order; an entry that does not fit before the end
 * of `buf` starts again at 0. Twice the capacity always leaves a
 * contiguous hole for any entry the size accounting admits (see
 * table_place()), so placement never evicts more than HPACK requires.
 */
struct hpack_entry
{
  uint32_t off;       /* name at buf + off, NUL, value, NUL */
  uint32_t name_len;
  uint32_t value_len;
};

/* Encoder index: per-entry hash chains, newest first. A chain ends at a
 * seq below first_seq, so eviction needs no unlinking. */
struct hpack_link
{
  uint64_t next_name;  /* older entry in the same name bucket */
  uint64_t next_field; /* older entry in the same name+value bucket */
  uint32_t name_hash;
  uint32_t field_hash;
};

struct SocketHPACK_Table
{
  unsigned char *buf;
  struct hpack_entry *ring;
  size_t ring_mask;
  uint64_t first_seq; /* oldest entry; seqs start at 1 (0 = no entry) */
  uint64_t next_seq;
  size_t size;     /* RFC 7541 size of the entries */
  size_t max_size; /* current limit */
  size_t capacity; /* largest max_size allowed; buf holds 2 * capacity */
  uint32_t head;   /* where the next entry's bytes go */
  uint32_t tail;   /* bytes of the oldest entry */
  int wrapped;     /* live bytes run tail..gap, then 0..head */
  struct hpack_link *links; /* NULL unless indexed (encoder tables) */
  uint64_t *name_buckets;
  uint64_t *field_buckets;
  size_t bucket_mask;
};

/* Largest table storage (offsets into the 2 * capacity byte ring are
 * 32-bit). Configurations above SOCKETHPACK_MAX_TABLE_SIZE are accepted,
 * as in the original, up to this. */
#define HPACK_TABLE_CAPACITY_MAX ((size_t)1 << 30)

/* Zeroed arena memory; raises SocketHPACK_Error (not Arena_Failed). */
void *SocketHPACK__alloc (Arena_T arena, size_t count, size_t size);

/* Creates a table of @p capacity bytes; @p indexed adds the encoder's
 * lookup index. Raises SocketHPACK_Error. */
SocketHPACK_Table_T SocketHPACK__table_create (size_t capacity, int indexed, Arena_T arena);

/* Sets the maximum (clamped to the capacity) and evicts to fit. */
void SocketHPACK__table_resize (SocketHPACK_Table_T table, size_t max_size);

/* Decoder_decode that reports, on failure too, the fields decoded
 * before the error (for the Go binding); the public function reports 0
 * on failure as the original does. */
SocketHPACK_Result SocketHPACK__decoder_decode (SocketHPACK_Decoder_T decoder,
                                                const unsigned char *input, size_t input_len,
                                                SocketHPACK_Header *headers, size_t max_headers,
                                                size_t *header_count, Arena_T arena);

/* Evicts every entry. */
void SocketHPACK__table_clear (SocketHPACK_Table_T table);

/* Adds a field; hashes are used only by indexed tables. */
void SocketHPACK__table_insert (SocketHPACK_Table_T table, const char *name, size_t name_len,
                                const char *value, size_t value_len, uint32_t name_hash,
                                uint32_t field_hash);

/* Indexed tables: 0-based index of the newest entry equal to the field
 * (or with the name), or -1. */
long SocketHPACK__table_find_field (SocketHPACK_Table_T table, const char *name, size_t name_len,
                                    const char *value, size_t value_len, uint32_t field_hash);
long SocketHPACK__table_find_name (SocketHPACK_Table_T table, const char *name, size_t name_len,
                                   uint32_t name_hash);

/* Hash of a string for the encoder index (seed: 0 for names, the name's
 * hash for values). */
uint32_t SocketHPACK__hash (const void *data, size_t len, uint32_t seed);

static inline size_t
hpack_table_count (SocketHPACK_Table_T t)
{
  return (size_t)(t->next_seq - t->first_seq);
}

/* Entry @p index (0 = newest); the caller checks index < count. */
static inline const struct hpack_entry *
hpack_table_entry (SocketHPACK_Table_T t, size_t index)
{
  return &t->ring[(t->next_seq - 1 - index) & t->ring_mask];
}

/* ===================================================================== */
/* Huffman (SocketHPACK-huffman.c)                                        */
/* ===================================================================== */

/* Largest decoded length of @p n Huffman bytes (every code is >= 5 bits). */
#define HPACK_HUFF_MAX_DECODED(n) ((n) / 5 * 8 + ((n) % 5) * 8 / 5)

/* Huffman-codes @p in into @p out if that takes at most @p max_len bytes;
 * returns the coded length, or 0 if longer. All of out[0..max_len) is
 * scratch: bytes past the result may be overwritten. */
size_t SocketHPACK__huffman_encode_within (const unsigned char *in, size_t len, unsigned char *out,
                                           size_t max_len);

#endif /* SOCKETHPACK_PRIVATE_INCLUDED */
