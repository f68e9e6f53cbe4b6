/*
 * SocketHPACK-huffman.c - the HPACK Huffman code (RFC 7541 §5.2, App. B).
 *
 * Decoding keeps the input in a 64-bit buffer, MSB first, and looks the
 * next HPACK_HUFF_FAST_BITS (12) bits up in a generated table that yields
 * up to two whole symbols (every printable ASCII code but a dozen is <= 12
 * bits, and 5-7 bit codes pair up), so a typical header string costs about
 * one load per output byte pair. Codes longer than 12 bits fall back to
 * the canonical per-length rows. The main loop refills 8 bytes at a time
 * and writes both symbol slots unconditionally, so it runs only while
 * 8 input bytes and 8 output bytes remain; the tail then goes symbol by
 * symbol with bounds checks and validates the padding:
 *   - fewer than 8 leftover bits, all ones (a prefix of EOS);
 *   - never a whole EOS code.
 *
 * Encoding packs four codes at a time into one word (their combined
 * length is known from the table, independent of the output position),
 * ORs it into a left-aligned 64-bit accumulator, stores all 8 bytes and
 * advances by the whole bytes completed: per four input bytes, one
 * short dependency chain and one unaligned store. Groups whose codes
 * exceed 56 bits (rare symbols) go one code at a time; the last bytes go
 * through a bounds-checked loop. Room is checked as bytes are produced,
 * so there is no sizing pass.
 */
#include <string.h>

#include "http/SocketHPACK-private.h"

#define FAST_BITS HPACK_HUFF_FAST_BITS
#define FAST_SHIFT (64 - FAST_BITS)

/* Fast table entry fields (see the generator). The bit count sits in the
 * low bits so that `& 63` is free on the shift (x86 and ARM mask the
 * count anyway): it is the loop's critical path. */
#define E_BITS(e) ((e) & 63u)
#define E_SYM1(e) ((unsigned char)((e) >> 8))
#define E_SYM2(e) ((unsigned char)((e) >> 16))
#define E_SYMS(e) (((e) >> 24) & 3u)
#define E_LEN1(e) ((e) >> 26)

static inline uint64_t
load_be64 (const unsigned char *p)
{
  uint64_t v;
  memcpy (&v, p, sizeof v);
  return __builtin_bswap64 (v);
}

static inline void
store_be32 (unsigned char *p, uint32_t v)
{
  v = __builtin_bswap32 (v);
  memcpy (p, &v, sizeof v);
}

static inline void
store_be64 (unsigned char *p, uint64_t v)
{
  v = __builtin_bswap64 (v);
  memcpy (p, &v, sizeof v);
}

/*
 * Decodes one code longer than FAST_BITS from the top 30 bits of @p peek.
 * Returns the symbol (HPACK_HUFF_EOS for EOS) and its length in *len.
 * The code is complete, so some length always matches.
 */
static unsigned
decode_long (uint64_t peek, unsigned *len)
{
  uint32_t v = (uint32_t)(peek >> 34); /* 30 bits */

  for (unsigned l = FAST_BITS + 1; l <= 30; l++)
    {
      const struct hpack_huff_long *row = &hpack_huff_long_rows[l - FAST_BITS - 1];
      uint32_t code = v >> (30 - l);
      if (code - row->first < row->count)
        {
          *len = l;
          return hpack_huff_long_syms[row->offset + (code - row->first)];
        }
    }
  *len = 30; /* unreachable: the code is complete */
  return HPACK_HUFF_EOS;
}

struct huff_state
{
  const unsigned char *in, *in_end;
  unsigned char *out, *out_end;
  uint64_t buf;   /* pending bits, MSB first; bits past nbits are input or 0 */
  unsigned nbits; /* valid bits in buf (< 64) */
};

/* One table step: up to two symbols of at most 12 bits in total. Goes to
 * @p slow if the next code is longer. */
#define FAST_STEP(slow)                                                       \
  do                                                                          \
    {                                                                         \
      uint32_t e_ = hpack_huff_decode_fast[buf >> FAST_SHIFT];                \
      if (__builtin_expect (E_SYMS (e_) == 0, 0))                             \
        goto slow;                                                            \
      out[0] = E_SYM1 (e_);                                                   \
      out[1] = E_SYM2 (e_);                                                   \
      out += E_SYMS (e_);                                                     \
      buf <<= E_BITS (e_);                                                    \
      nbits -= E_BITS (e_);                                                   \
    }                                                                         \
  while (0)

/*
 * Bulk loop: while 8 input and 8 output bytes remain. A refill leaves
 * nbits >= 56; then exactly three table steps (at most 36 bits, 6 output
 * bytes) run unrolled, since a data-dependent step count costs a branch
 * miss every few steps. A code longer than 12 bits (rare in headers) is
 * met with nbits >= 32 and decoded on its own, then the loop refills.
 * Returns 0, or -1 on EOS.
 */
static int
decode_bulk (struct huff_state *s)
{
  uint64_t buf = s->buf;
  unsigned nbits = s->nbits;
  const unsigned char *in = s->in;
  unsigned char *out = s->out;

  while (s->in_end - in >= 8 && s->out_end - out >= 8)
    {
      buf |= load_be64 (in) >> nbits;
      in += (63 - nbits) >> 3;
      nbits |= 56;
      FAST_STEP (long_code);
      FAST_STEP (long_code);
      FAST_STEP (long_code);
      continue;
    long_code:;
      unsigned len, sym = decode_long (buf, &len);
      if (sym == HPACK_HUFF_EOS)
        return -1;
      *out++ = (unsigned char)sym;
      buf <<= len;
      nbits -= len;
    }
  s->buf = buf;
  s->nbits = nbits;
  s->in = in;
  s->out = out;
  return 0;
}

#undef FAST_STEP

/*
 * Tail: the last < 8 input bytes (all of a short string), with every
 * bound checked. Bits past the end of the input are read as ones, so a
 * code that would need them shows by its length: a table step whose
 * symbols all fit in the real bits is taken whole, else one symbol is
 * tried, and what is left must be valid padding.
 * Returns 0, -1 for an invalid string, -2 if the output is too small.
 */
static int
decode_tail (struct huff_state *s)
{
  uint64_t buf = s->buf;
  unsigned nbits = s->nbits;
  const unsigned char *in = s->in;
  unsigned char *out = s->out;

  for (;;)
    {
      while (nbits < 56 && in < s->in_end)
        {
          buf |= (uint64_t)*in++ << (56 - nbits);
          nbits += 8;
        }
      if (nbits == 0)
        break;
      uint64_t peek = buf | (~(uint64_t)0 >> nbits);
      uint32_t e = hpack_huff_decode_fast[peek >> FAST_SHIFT];
      unsigned len, sym;
      if (E_SYMS (e) != 0)
        {
          if (E_BITS (e) <= nbits && s->out_end - out >= 2)
            {
              out[0] = E_SYM1 (e);
              out[1] = E_SYM2 (e);
              out += E_SYMS (e);
              buf <<= E_BITS (e);
              nbits -= E_BITS (e);
              continue;
            }
          len = E_LEN1 (e);
          sym = E_SYM1 (e);
        }
      else
        sym = decode_long (peek, &len);
      if (len > nbits)
        break; /* only padding (or a truncated code) is left */
      if (sym == HPACK_HUFF_EOS)
        return -1;
      if (out == s->out_end)
        return -2;
      *out++ = (unsigned char)sym;
      buf <<= len;
      nbits -= len;
    }
  s->out = out;
  /* Padding: at most 7 bits, all ones (RFC 7541 §5.2). */
  if (nbits > 7 || (nbits > 0 && (buf >> (64 - nbits)) != (1u << nbits) - 1))
    return -1;
  return 0;
}

ssize_t
SocketHPACK_huffman_decode (const unsigned char *input, size_t input_len, unsigned char *output,
                            size_t output_size)
{
  struct huff_state s;

  if ((input == NULL || output == NULL) && input_len != 0)
    return -1;
  if (input_len == 0)
    return 0;
  s.in = input;
  s.in_end = input + input_len;
  s.out = output;
  s.out_end = output + output_size;
  s.buf = 0;
  s.nbits = 0;
  if (decode_bulk (&s) != 0 || decode_tail (&s) != 0)
    return -1;
  return (ssize_t)(s.out - output);
}

size_t
SocketHPACK_huffman_encoded_size (const unsigned char *input, size_t input_len)
{
  uint64_t bits = 0;

  if (input == NULL)
    return 0;
  for (size_t i = 0; i < input_len; i++)
    bits += hpack_huff_encode_table[input[i]].len;
  return (size_t)((bits + 7) / 8);
}

size_t
SocketHPACK__huffman_encode_within (const unsigned char *in, size_t len, unsigned char *out,
                                    size_t max_len)
{
  const struct hpack_huff_code *t = hpack_huff_encode_table;
  uint64_t acc = 0;
  unsigned n = 0; /* pending bits, < 32 between bytes */
  unsigned char *o = out, *end = out + max_len;
  size_t i = 0;

  if (max_len >= 8)
    {
      /* Bulk: a holds k (< 8) pending bits at its top; each store writes
       * 8 bytes at o, of which the completed ones are kept. A fast group
       * stores once at o (8 bytes of room); a group of rare codes stores
       * four times, the last at most 12 bytes further on (20 of room). */
      uint64_t a = 0;
      unsigned k = 0;
      /* Eight codes per store when they total at most 56 bits (typical
       * header text: 5-8 bit codes); the combined word's length is
       * checked before it is built. */
      while (i + 8 <= len && end - o >= 8)
        {
          const struct hpack_huff_code *c1 = &t[in[i]], *c2 = &t[in[i + 1]], *c3 = &t[in[i + 2]],
                                       *c4 = &t[in[i + 3]], *c5 = &t[in[i + 4]], *c6 = &t[in[i + 5]],
                                       *c7 = &t[in[i + 6]], *c8 = &t[in[i + 7]];
          unsigned l34 = (unsigned)c3->len + c4->len, la = (unsigned)c1->len + c2->len + l34;
          unsigned l78 = (unsigned)c7->len + c8->len, lb = (unsigned)c5->len + c6->len + l78;
          if (la > 56)
            break; /* rare codes: the loop below takes them one by one */
          uint64_t xa = ((((uint64_t)c1->code << c2->len) | c2->code) << l34)
                        | (((uint64_t)c3->code << c4->len) | c4->code);
          unsigned l = la;
          if (la + lb <= 56)
            {
              uint64_t xb = ((((uint64_t)c5->code << c6->len) | c6->code) << l78)
                            | (((uint64_t)c7->code << c8->len) | c8->code);
              xa = (xa << lb) | xb;
              l += lb;
              i += 4;
            }
          i += 4;
          k += l; /* <= 63 */
          a |= xa << (64 - k);
          store_be64 (o, a);
          o += k >> 3;
          a <<= k & ~7u;
          k &= 7;
        }
      for (; i + 4 <= len && end - o >= 8; i += 4)
        {
          const struct hpack_huff_code *c1 = &t[in[i]], *c2 = &t[in[i + 1]], *c3 = &t[in[i + 2]],
                                       *c4 = &t[in[i + 3]];
          unsigned l34 = (unsigned)c3->len + c4->len, l = (unsigned)c1->len + c2->len + l34;
          if (__builtin_expect (l <= 56, 1))
            {
              uint64_t x12 = ((uint64_t)c1->code << c2->len) | c2->code;
              uint64_t x34 = ((uint64_t)c3->code << c4->len) | c4->code;
              k += l; /* <= 63 */
              a |= ((x12 << l34) | x34) << (64 - k);
              store_be64 (o, a);
              o += k >> 3;
              a <<= k & ~7u;
              k &= 7;
              continue;
            }
          if (end - o < 20)
            break;
          const struct hpack_huff_code *c[4] = { c1, c2, c3, c4 };
          for (int j = 0; j < 4; j++)
            {
              k += c[j]->len; /* <= 37 */
              a |= (uint64_t)c[j]->code << (64 - k);
              store_be64 (o, a);
              o += k >> 3;
              a <<= k & ~7u;
              k &= 7;
            }
        }
      /* The last (< 4) codes, one at a time, while 8 bytes of room remain. */
      for (; i < len && end - o >= 8; i++)
        {
          k += t[in[i]].len; /* <= 37 */
          a |= (uint64_t)t[in[i]].code << (64 - k);
          store_be64 (o, a);
          o += k >> 3;
          a <<= k & ~7u;
          k &= 7;
        }
      if (i == len)
        {
          /* Pad the last byte with ones (a prefix of EOS). */
          if (k != 0)
            {
              if (o == end)
                return 0;
              *o++ = (unsigned char)((a >> 56) | (0xFFu >> k));
            }
          return (size_t)(o - out);
        }
      /* Out of bulk room: hand the pending bits over right-aligned. */
      acc = k != 0 ? a >> (64 - k) : 0;
      n = k;
    }

  /* While 4 bytes of room remain, store the top 32 pending bits after
   * every byte and advance only when they are complete: no branch on the
   * irregular flush points. */
  for (; i < len && end - o >= 4; i++)
    {
      const struct hpack_huff_code *c = &hpack_huff_encode_table[in[i]];
      acc = (acc << c->len) | c->code;
      n += c->len;
      unsigned full = n >= 32;
      n -= 32 * full;
      store_be32 (o, (uint32_t)(acc >> n));
      o += 4 * full;
    }
  for (; i < len; i++)
    {
      const struct hpack_huff_code *c = &hpack_huff_encode_table[in[i]];
      acc = (acc << c->len) | c->code;
      n += c->len;
      if (n >= 32)
        {
          if (end - o < 4)
            return 0;
          n -= 32;
          store_be32 (o, (uint32_t)(acc >> n));
          o += 4;
        }
    }
  if ((size_t)(end - o) < (n + 7) / 8)
    return 0;
  if (n % 8 != 0)
    {
      unsigned pad = 8 - n % 8;
      acc = (acc << pad) | ((1u << pad) - 1);
      n += pad;
    }
  while (n > 0)
    {
      n -= 8;
      *o++ = (unsigned char)(acc >> n);
    }
  return (size_t)(o - out);
}

ssize_t
SocketHPACK_huffman_encode (const unsigned char *input, size_t input_len, unsigned char *output,
                            size_t output_size)
{
  size_t n;

  if ((input == NULL || output == NULL) && input_len != 0)
    return -1;
  if (input_len == 0)
    return 0;
  /* One pass: a non-empty string codes to at least one byte, so 0 means
   * it did not fit. */
  n = SocketHPACK__huffman_encode_within (input, input_len, output, output_size);
  return n == 0 ? -1 : (ssize_t)n;
}
