/*
 * test_hpack.c - SocketHPACK unit tests: integers (RFC 7541 C.1, edge
 * cases, overflow); the Huffman code against a bit-serial tree decoder on
 * every symbol, known vectors, EOS/padding errors and random input; the
 * static table; the dynamic table against a naive model; decoder errors,
 * size update rules, limits and bombs; encoder policy and recovery.
 * RFC 7541 Appendix C is in test_hpack_conformance.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "Test.h"
#include "core/Arena.h"
#include "core/Except.h"
#include "hpack_test.h"
#include "http/SocketHPACK.h"

#include "http/SocketHPACK-private.h"

/* ===================================================================== */
/* Helpers                                                                */
/* ===================================================================== */

static uint32_t rng_state = 0x12345678;

static uint32_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* ===================================================================== */
/* Integers (RFC 7541 §5.1, C.1)                                          */
/* ===================================================================== */

TEST (int_rfc_examples)
{
  unsigned char buf[16];
  uint64_t v;
  size_t used;

  ASSERT_EQ (SocketHPACK_int_encode (10, 5, buf, sizeof buf), 1); /* C.1.1 */
  ASSERT_EQ (buf[0], 0x0a);
  ASSERT_EQ (SocketHPACK_int_encode (1337, 5, buf, sizeof buf), 3); /* C.1.2 */
  ASSERT_MEMEQ (buf, "\x1f\x9a\x0a", 3);
  ASSERT_EQ (SocketHPACK_int_encode (42, 8, buf, sizeof buf), 1); /* C.1.3 */
  ASSERT_EQ (buf[0], 42);
  ASSERT_EQ (SocketHPACK_int_decode ((const unsigned char *)"\xff\x9a\x0a", 3, 5, &v, &used), HPACK_OK);
  ASSERT_UEQ (v, 1337); /* the bits above the prefix are ignored */
  ASSERT_EQ (used, 3);
}

TEST (int_roundtrip_all_prefixes)
{
  static const uint64_t values[] = { 0, 1, 2, 6, 7, 8, 14, 15, 30, 31, 62, 63, 126, 127, 128, 254, 255, 256,
                                     16383, 16384, 1u << 20, 0xFFFFFFFFull, (uint64_t)1 << 40,
                                     ((uint64_t)1 << 62) - 1, (uint64_t)1 << 62 };
  for (int prefix = 1; prefix <= 8; prefix++)
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
      {
        unsigned char buf[16];
        uint64_t v;
        size_t used;
        size_t n = SocketHPACK_int_encode (values[i], prefix, buf, sizeof buf);
        ASSERT (n >= 1 && n <= 11);
        ASSERT_EQ (n == 1, values[i] < (1u << prefix) - 1);
        ASSERT_EQ (SocketHPACK_int_decode (buf, n, prefix, &v, &used), HPACK_OK);
        ASSERT_UEQ (v, values[i]);
        ASSERT_EQ (used, n);
        /* Every proper prefix of the encoding is incomplete. */
        for (size_t k = 0; k < n; k++)
          ASSERT_EQ (SocketHPACK_int_decode (buf, k, prefix, &v, &used), HPACK_INCOMPLETE);
        /* Too little room: nothing. */
        ASSERT_EQ (SocketHPACK_int_encode (values[i], prefix, buf, n - 1), 0);
      }
}

TEST (int_overflow_and_bad_args)
{
  unsigned char buf[16];
  uint64_t v;
  size_t used;

  /* 2^62 + 1 with an 8-bit prefix: rejected. */
  size_t n = SocketHPACK_int_encode (((uint64_t)1 << 62) + 1, 8, buf, sizeof buf);
  ASSERT_EQ (SocketHPACK_int_decode (buf, n, 8, &v, &used), HPACK_ERROR_INTEGER);
  n = SocketHPACK_int_encode (UINT64_MAX, 1, buf, sizeof buf);
  ASSERT_EQ (n, 11);
  ASSERT_EQ (SocketHPACK_int_decode (buf, n, 1, &v, &used), HPACK_ERROR_INTEGER);
  /* A 64-bit shift's worth of continuation bits. */
  ASSERT_EQ (SocketHPACK_int_decode ((const unsigned char *)"\x1f\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11,
                                     5, &v, &used),
             HPACK_ERROR_INTEGER);
  /* Ten continuation bytes, the redundant ones zero: accepted. */
  ASSERT_EQ (SocketHPACK_int_decode ((const unsigned char *)"\x1f\x81\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11,
                                     5, &v, &used),
             HPACK_OK);
  ASSERT_UEQ (v, 32);
  /* Eleven: too many, however small the value. */
  ASSERT_EQ (SocketHPACK_int_decode ((const unsigned char *)"\x1f\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00",
                                     12, 5, &v, &used),
             HPACK_ERROR_INTEGER);
  ASSERT_EQ (SocketHPACK_int_decode (buf, 1, 0, &v, &used), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_int_decode (buf, 1, 9, &v, &used), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_int_decode (NULL, 1, 5, &v, &used), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_int_encode (1, 0, buf, sizeof buf), 0);
  ASSERT_EQ (SocketHPACK_int_encode (1, 9, buf, sizeof buf), 0);
  ASSERT_EQ (SocketHPACK_int_encode (1, 5, NULL, 4), 0);
}

/* ===================================================================== */
/* Huffman                                                                */
/* ===================================================================== */

/* Bit-serial reference: a binary tree built from the encode table. */
static int16_t ref_tree[2 * 257][2]; /* >= 0 child node, < 0: -1 - symbol */
static int ref_nodes;

static void
ref_build (void)
{
  if (ref_nodes)
    return;
  memset (ref_tree, 0, sizeof ref_tree);
  ref_nodes = 1;
  for (int sym = 0; sym <= 256; sym++)
    {
      int node = 0, len = hpack_huff_encode_table[sym].len;
      uint32_t code = hpack_huff_encode_table[sym].code;
      for (int b = len - 1; b > 0; b--)
        {
          int bit = code >> b & 1;
          if (ref_tree[node][bit] == 0)
            ref_tree[node][bit] = (int16_t)ref_nodes++;
          node = ref_tree[node][bit];
        }
      ref_tree[node][code & 1] = (int16_t)(-1 - sym);
    }
}

static long
ref_decode (const unsigned char *in, size_t n, unsigned char *out)
{
  int node = 0, depth = 0, ones = 1;
  long o = 0;
  for (size_t i = 0; i < n * 8; i++)
    {
      int bit = in[i / 8] >> (7 - i % 8) & 1;
      int next = ref_tree[node][bit];
      ones &= bit;
      depth++;
      if (next < 0)
        {
          if (-1 - next == HPACK_HUFF_EOS)
            return -1;
          out[o++] = (unsigned char)(-1 - next);
          node = depth = 0;
          ones = 1;
        }
      else
        node = next;
    }
  return depth <= 7 && ones ? o : -1;
}

static const struct
{
  const char *text, *hex;
} huff_vectors[] = {
  /* RFC 7541 C.4 and C.6 */
  { "www.example.com", "f1e3c2e5f23a6ba0ab90f4ff" },
  { "no-cache", "a8eb10649cbf" },
  { "custom-key", "25a849e95ba97d7f" },
  { "custom-value", "25a849e95bb8e8b4bf" },
  { "302", "6402" },
  { "private", "aec3771a4b" },
  { "Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff" },
  { "https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3" },
  { "307", "640eff" },
  { "gzip", "9bd9ab" },
  { "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
    "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007" },
};

TEST (huffman_known_vectors)
{
  for (size_t i = 0; i < sizeof huff_vectors / sizeof huff_vectors[0]; i++)
    {
      unsigned char want[128], got[128];
      size_t n = unhex (huff_vectors[i].hex, want), len = strlen (huff_vectors[i].text);
      ASSERT_EQ (SocketHPACK_huffman_encoded_size ((const unsigned char *)huff_vectors[i].text, len), n);
      ASSERT_EQ (SocketHPACK_huffman_encode ((const unsigned char *)huff_vectors[i].text, len, got, sizeof got), n);
      ASSERT_MEMEQ (got, want, n);
      ASSERT_EQ (SocketHPACK_huffman_decode (want, n, got, sizeof got), len);
      ASSERT_MEMEQ (got, huff_vectors[i].text, len);
    }
}

TEST (huffman_every_symbol)
{
  unsigned char in[512], enc[2048], dec[512];
  ref_build ();
  /* Each octet alone, each after a 5-bit code (other bit alignments). */
  for (int sym = 0; sym < 256; sym++)
    for (int lead = 0; lead < 8; lead++)
      {
        size_t len = 0;
        for (int k = 0; k < lead; k++)
          in[len++] = 'a';
        in[len++] = (unsigned char)sym;
        ssize_t n = SocketHPACK_huffman_encode (in, len, enc, sizeof enc);
        ASSERT (n > 0);
        ASSERT_EQ (SocketHPACK_huffman_decode (enc, (size_t)n, dec, sizeof dec), len);
        ASSERT_MEMEQ (dec, in, len);
        ASSERT_EQ (ref_decode (enc, (size_t)n, dec), len);
      }
  /* All 256 in a row, both directions, long enough for the bulk loop. */
  for (int i = 0; i < 256; i++)
    in[i] = (unsigned char)i, in[256 + i] = (unsigned char)(255 - i);
  ssize_t n = SocketHPACK_huffman_encode (in, 512, enc, sizeof enc);
  ASSERT (n > 0);
  ASSERT_EQ (SocketHPACK_huffman_decode (enc, (size_t)n, dec, sizeof dec), 512);
  ASSERT_MEMEQ (dec, in, 512);
  ASSERT_EQ (SocketHPACK_huffman_decode (enc, (size_t)n, dec, 511), -1); /* too small */
  ASSERT_EQ (SocketHPACK_huffman_encode (in, 512, enc, (size_t)n - 1), -1);
}

/* The word-at-a-time encoder: for common and rare symbols, every string
 * length and every output size around the result, the bytes equal the
 * bit-by-bit reference, the result is -1 exactly when the output is too
 * small, and nothing is written past output_size. */
static size_t
ref_huff_encode (const unsigned char *in, size_t len, unsigned char *out)
{
  size_t bits = 0;
  memset (out, 0, len * 4 + 1);
  for (size_t i = 0; i < len; i++)
    {
      const struct hpack_huff_code *c = &hpack_huff_encode_table[in[i]];
      for (int b = c->len - 1; b >= 0; b--, bits++)
        if (c->code >> b & 1)
          out[bits / 8] |= (unsigned char)(0x80 >> (bits % 8));
    }
  for (; bits % 8 != 0; bits++)
    out[bits / 8] |= (unsigned char)(0x80 >> (bits % 8));
  return bits / 8;
}

TEST (huffman_encode_word_packing)
{
  static unsigned char in[200], want[1024], got[1024 + 16];
  for (int iter = 0; iter < 3000; iter++)
    {
      size_t len = (size_t)(rng () % sizeof in);
      int kind = iter % 3;
      for (size_t i = 0; i < len; i++)
        in[i] = (unsigned char)(kind == 0 ? 'a' + rng () % 26 : kind == 1 ? rng () : (rng () % 8 ? '/' : 0xFF));
      size_t n = ref_huff_encode (in, len, want);
      ASSERT_EQ (SocketHPACK_huffman_encoded_size (in, len), n);
      size_t lo = n > 24 ? n - 24 : 0;
      for (size_t room = lo; room <= n + 9; room++)
        {
          memset (got, 0xA5, sizeof got);
          ssize_t r = SocketHPACK_huffman_encode (in, len, got, room);
          for (size_t k = room; k < sizeof got; k++)
            ASSERT_EQ (got[k], 0xA5);
          if (len == 0)
            ASSERT_EQ (r, 0);
          else if (room < n)
            ASSERT_EQ (r, -1);
          else
            {
              ASSERT_EQ (r, (ssize_t)n);
              ASSERT_MEMEQ (got, want, n);
            }
        }
    }
}

TEST (huffman_eos_and_padding)
{
  unsigned char out[64], in[64];
  /* EOS itself (30 ones) padded with ones. */
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\xff\xff\xff\xff", 4, out, sizeof out), -1);
  /* 'a' (00011) then EOS: EOS inside the string. */
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\x1f\xff\xff\xff\xff", 5, out, sizeof out), -1);
  /* 'a' + 111: valid; 'a' + 000 and 'a' + 101: padding not all ones. */
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\x1f", 1, out, sizeof out), 1);
  ASSERT_EQ (out[0], 'a');
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\x18", 1, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\x1d", 1, out, sizeof out), -1);
  /* 8 or more bits of padding. */
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\xff", 1, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\x1f\xff", 2, out, sizeof out), -1);
  /* "www.example.com" with an extra all-ones byte: 8+ bits of padding. */
  size_t n = unhex ("f1e3c2e5f23a6ba0ab90f4ffff", in);
  ASSERT_EQ (SocketHPACK_huffman_decode (in, n, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_huffman_decode (in, n - 1, out, sizeof out), 15);
  /* '\0' is a 13-bit code (1ff8): ff c7 is "\0" plus 3 bits of padding,
   * ff c0 has zero padding, ff alone is a truncated code. */
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\xff\xc7", 2, out, sizeof out), 1);
  ASSERT_EQ (out[0], 0);
  ASSERT_EQ (SocketHPACK_huffman_decode ((const unsigned char *)"\xff\xc0", 2, out, sizeof out), -1);
  /* Empty string and NULL handling. */
  ASSERT_EQ (SocketHPACK_huffman_decode (in, 0, out, 0), 0);
  ASSERT_EQ (SocketHPACK_huffman_decode (NULL, 3, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_huffman_encode (NULL, 3, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_huffman_encoded_size (NULL, 3), 0);
}

/* Random strings, exact encodings with a bit flipped, truncated or
 * extended: the table-driven decoder must agree with the tree decoder. */
TEST (huffman_matches_reference)
{
  unsigned char in[96], enc[512], a[1024], b[1024];
  ref_build ();
  for (int iter = 0; iter < 40000; iter++)
    {
      size_t len = rng () % sizeof in;
      int mode = iter % 4;
      size_t n;
      if (mode == 0)
        { /* random bytes as Huffman input */
          n = len;
          for (size_t i = 0; i < n; i++)
            enc[i] = (unsigned char)rng ();
        }
      else
        {
          for (size_t i = 0; i < len; i++)
            in[i] = (unsigned char)(iter & 8 ? rng () : 'a' + rng () % 40);
          n = (size_t)SocketHPACK_huffman_encode (in, len, enc, sizeof enc);
          if (mode == 1 && n > 0)
            enc[rng () % n] ^= (unsigned char)(1u << (rng () % 8));
          else if (mode == 2 && n > 0)
            n -= 1 + rng () % n;
          else if (mode == 3)
            enc[n++] = (unsigned char)rng ();
        }
      long want = ref_decode (enc, n, a);
      ssize_t got = SocketHPACK_huffman_decode (enc, n, b, sizeof b);
      ASSERT_EQ (got, want);
      if (want > 0)
        ASSERT_MEMEQ (a, b, (size_t)want);
    }
}

/* ===================================================================== */
/* Static table                                                           */
/* ===================================================================== */

TEST (static_table)
{
  SocketHPACK_Header h;
  ASSERT_EQ (SocketHPACK_static_get (0, &h), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (SocketHPACK_static_get (62, &h), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (SocketHPACK_static_get (1, NULL), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_static_get (2, &h), HPACK_OK);
  ASSERT (header_eq (&h, ":method", "GET"));
  ASSERT_EQ (SocketHPACK_static_get (16, &h), HPACK_OK);
  ASSERT (header_eq (&h, "accept-encoding", "gzip, deflate"));
  ASSERT_EQ (SocketHPACK_static_get (61, &h), HPACK_OK);
  ASSERT (header_eq (&h, "www-authenticate", ""));
  /* The decoder's run path relies on HPACK_STATIC_FIELD_MAX. */
  size_t field_max = 0;
  for (size_t i = 1; i <= SOCKETHPACK_STATIC_TABLE_SIZE; i++)
    if (hpack_static_table[i].name_len + (size_t)hpack_static_table[i].value_len > field_max)
      field_max = hpack_static_table[i].name_len + (size_t)hpack_static_table[i].value_len;
  ASSERT_EQ (field_max, (size_t)HPACK_STATIC_FIELD_MAX);
  /* Every entry finds itself exactly; its name finds the first index. */
  for (size_t i = 1; i <= SOCKETHPACK_STATIC_TABLE_SIZE; i++)
    {
      ASSERT_EQ (SocketHPACK_static_get (i, &h), HPACK_OK);
      ASSERT_EQ (SocketHPACK_static_find (h.name, h.name_len, h.value, h.value_len), i);
      /* Strings are static and NUL-terminated. */
      ASSERT (h.name[h.name_len] == '\0' && h.value[h.value_len] == '\0');
      /* Name-only lookup (value NULL): the NEGATIVE first index, as in
       * the original, even when that entry's value is empty. */
      int first = SocketHPACK_static_find (h.name, h.name_len, NULL, 0);
      ASSERT (first <= -1 && (size_t)-first <= i);
      ASSERT_EQ (SocketHPACK_static_find (h.name, h.name_len, "\x01nope", 5), first);
      /* A truncated name finds nothing, or an entry with exactly that name. */
      int m = SocketHPACK_static_find (h.name, h.name_len - 1, NULL, 0);
      SocketHPACK_Header g;
      ASSERT (m <= 0);
      if (m != 0)
        {
          ASSERT_EQ (SocketHPACK_static_get ((size_t)-m, &g), HPACK_OK);
          ASSERT (g.name_len == h.name_len - 1 && memcmp (g.name, h.name, g.name_len) == 0);
        }
    }
  ASSERT_EQ (SocketHPACK_static_find (":status", 7, "404", 3), 13);
  ASSERT_EQ (SocketHPACK_static_find (":status", 7, "201", 3), -8);
  ASSERT_EQ (SocketHPACK_static_find (":method", 7, NULL, 0), -2);
  ASSERT_EQ (SocketHPACK_static_find ("www-authenticate", 16, NULL, 0), -61);
  /* Names compare case-insensitively (as in the original), values exactly. */
  ASSERT_EQ (SocketHPACK_static_find ("Content-Type", 12, NULL, 0), -31);
  ASSERT_EQ (SocketHPACK_static_find (":METHOD", 7, "GET", 3), 2);
  ASSERT_EQ (SocketHPACK_static_find (":method", 7, "get", 3), -2);
  ASSERT_EQ (SocketHPACK_static_find ("ACCEPT-ENCODING", 15, "gzip, deflate", 13), 16);
  ASSERT_EQ (SocketHPACK_static_find ("x-custom", 8, "a", 1), 0);
  ASSERT_EQ (SocketHPACK_static_find ("", 0, "", 0), 0);
  ASSERT_EQ (SocketHPACK_static_find (NULL, 3, "", 0), 0);
  ASSERT_EQ (SocketHPACK_static_find ("access-control-allow-originx", 28, NULL, 0), 0);
}

TEST (result_strings)
{
  /* Word for word the original's table. */
  static const char *const want[] = { "OK",
                                      "Incomplete - need more data",
                                      "Generic error",
                                      "Invalid table index",
                                      "Huffman decoding error",
                                      "Integer overflow",
                                      "Invalid dynamic table size update",
                                      "Header too large",
                                      "Header list too large",
                                      "HPACK bomb detected" };
  for (int r = HPACK_OK; r <= HPACK_ERROR_BOMB; r++)
    ASSERT_STREQ (SocketHPACK_result_string ((SocketHPACK_Result)r), want[r]);
  ASSERT_STREQ (SocketHPACK_result_string ((SocketHPACK_Result)99), "Unknown error");
  ASSERT_STREQ (SocketHPACK_result_string ((SocketHPACK_Result)-1), "Unknown error");
  ASSERT_STREQ (SocketHPACK_Error.reason, "HPACK compression error");
}

/* ===================================================================== */
/* Dynamic table                                                          */
/* ===================================================================== */

TEST (table_basics)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Table_T t = SocketHPACK_Table_new (100, arena);
  SocketHPACK_Header h;

  ASSERT_EQ (SocketHPACK_Table_max_size (t), 100);
  ASSERT_EQ (SocketHPACK_Table_add (t, "ab", 2, "cd", 2), HPACK_OK); /* 36 */
  ASSERT_EQ (SocketHPACK_Table_add (t, "e", 1, "fgh", 3), HPACK_OK); /* 36 */
  ASSERT_EQ (SocketHPACK_Table_size (t), 72);
  /* 1-based: 1 = newest, count = oldest, 0 and count + 1 invalid. */
  ASSERT_EQ (SocketHPACK_Table_get (t, 1, &h), HPACK_OK);
  ASSERT (header_eq (&h, "e", "fgh"));
  ASSERT (h.name[1] == '\0' && h.value[3] == '\0' && h.never_index == 0);
  ASSERT_EQ (SocketHPACK_Table_get (t, 2, &h), HPACK_OK);
  ASSERT (header_eq (&h, "ab", "cd"));
  ASSERT (h.name[2] == '\0' && h.value[2] == '\0');
  ASSERT_EQ (SocketHPACK_Table_get (t, 0, &h), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (SocketHPACK_Table_get (t, 3, &h), HPACK_ERROR_INVALID_INDEX);
  /* The range is checked before the header pointer. */
  ASSERT_EQ (SocketHPACK_Table_get (t, 0, NULL), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (SocketHPACK_Table_get (t, 1, NULL), HPACK_ERROR);
  /* A third entry evicts the oldest. */
  ASSERT_EQ (SocketHPACK_Table_add (t, "ij", 2, "kl", 2), HPACK_OK);
  {
    static const char *const want[] = { "ij", "kl", "e", "fgh" };
    ASSERT (table_is (t, 72, want, 2));
  }
  /* Exactly the maximum fits; one more byte empties the table. */
  char big[100];
  memset (big, 'x', sizeof big);
  ASSERT_EQ (SocketHPACK_Table_add (t, big, 30, big, 38), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_count (t), 1);
  ASSERT_EQ (SocketHPACK_Table_size (t), 100);
  ASSERT_EQ (SocketHPACK_Table_add (t, big, 30, big, 39), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_count (t), 0);
  ASSERT_EQ (SocketHPACK_Table_size (t), 0);
  /* Empty name and value are legal entries. */
  ASSERT_EQ (SocketHPACK_Table_add (t, NULL, 0, NULL, 0), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_size (t), 32);
  ASSERT_EQ (SocketHPACK_Table_add (t, NULL, 1, "", 0), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_Table_add (NULL, "a", 1, "", 0), HPACK_ERROR);
  /* set_max_size evicts, and may grow the table up to 64 KiB (clamped
   * there), whatever the creation size, as in the original. */
  SocketHPACK_Table_set_max_size (t, 10);
  ASSERT_EQ (SocketHPACK_Table_count (t), 0);
  SocketHPACK_Table_set_max_size (t, 5000);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 5000);
  for (int i = 0; i < 200; i++)
    ASSERT_EQ (SocketHPACK_Table_add (t, big, 30, big, 38), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_count (t), 50);
  ASSERT_EQ (SocketHPACK_Table_size (t), 5000);
  SocketHPACK_Table_set_max_size (t, 1u << 20);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), SOCKETHPACK_MAX_TABLE_SIZE);
  for (int i = 0; i < 1000; i++)
    ASSERT_EQ (SocketHPACK_Table_add (t, big, 30, big, 38), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_count (t), SOCKETHPACK_MAX_TABLE_SIZE / 100);
  ASSERT_EQ (SocketHPACK_Table_get (t, SOCKETHPACK_MAX_TABLE_SIZE / 100, &h), HPACK_OK);
  ASSERT_EQ (h.value_len, 38);
  ASSERT_EQ (SocketHPACK_Table_size (NULL), 0);
  ASSERT_EQ (SocketHPACK_Table_count (NULL), 0);
  ASSERT_EQ (SocketHPACK_Table_get (NULL, 0, &h), HPACK_ERROR);
  SocketHPACK_Table_free (&t);
  ASSERT (t == NULL);
  Arena_dispose (&arena);
}

TEST (constructors_raise)
{
  Arena_T arena = Arena_new ();
  volatile int raised = 0;
  SocketHPACK_DecoderConfig dc;
  SocketHPACK_EncoderConfig ec;

  /* Sizes above 64 KiB and zero decoder limits are accepted, as in the
   * original; only storage we cannot address (> 1 GiB) or a NULL arena
   * raises. */
  SocketHPACK_Table_T big = SocketHPACK_Table_new (SOCKETHPACK_MAX_TABLE_SIZE + 1, arena);
  ASSERT_EQ (SocketHPACK_Table_max_size (big), SOCKETHPACK_MAX_TABLE_SIZE + 1);
  TRY SocketHPACK_Table_new (100, NULL);
  EXCEPT (SocketHPACK_Error) raised++;
  END_TRY;
  TRY SocketHPACK_Table_new ((size_t)1 << 31, arena);
  EXCEPT (SocketHPACK_Failed) raised++;
  END_TRY;
  SocketHPACK_decoder_config_defaults (&dc);
  dc.max_header_size = 0;
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&dc, arena);
  size_t count = 9;
  unsigned char one[] = { 0x82 };
  SocketHPACK_Header h[1];
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, one, 1, h, 1, &count, arena), HPACK_ERROR_HEADER_SIZE);
  ASSERT_EQ (count, 0);
  SocketHPACK_encoder_config_defaults (&ec);
  ec.max_table_size = 1u << 20;
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (&ec, arena);
  /* Still 4096 until the peer allows more. */
  ASSERT_EQ (SocketHPACK_Table_max_size (SocketHPACK_Encoder_get_table (e)), 4096);
  ASSERT_EQ (raised, 2);
  ASSERT (SocketHPACK_Table_new (SOCKETHPACK_MAX_TABLE_SIZE, arena) != NULL);
  ASSERT (SocketHPACK_Table_new (0, arena) != NULL);
  Arena_dispose (&arena);
}

/* Naive model: newest-first array of copies. */
struct model_entry
{
  char name[300], value[300];
  size_t nl, vl;
};

static void
model_add (struct model_entry *m, size_t *n, size_t *size, size_t max, const char *name, size_t nl,
           const char *value, size_t vl)
{
  while (*n > 0 && *size + nl + vl + 32 > max)
    {
      (*n)--;
      *size -= m[*n].nl + m[*n].vl + 32;
    }
  if (nl + vl + 32 > max)
    return;
  memmove (m + 1, m, *n * sizeof *m);
  memcpy (m[0].name, name, nl);
  memcpy (m[0].value, value, vl);
  m[0].nl = nl;
  m[0].vl = vl;
  (*n)++;
  *size += nl + vl + 32;
}

/* Random adds and resizes (which wrap the byte ring in every way) keep
 * the table equal to the model. Tables sized exactly (as the encoder's
 * and decoder's are) stress the ring bound; SocketHPACK_Table_new()
 * tables (storage for 64 KiB) are checked too. */
TEST (table_matches_model)
{
  static const size_t caps[] = { 0, 64, 256, 600, 4096 };
  static struct model_entry model[200];
  for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++)
    {
      Arena_T arena = Arena_new ();
      SocketHPACK_Table_T t = c % 2 ? SocketHPACK_Table_new (caps[c], arena)
                                     : SocketHPACK__table_create (caps[c], 0, arena);
      size_t cap = c % 2 ? SOCKETHPACK_MAX_TABLE_SIZE : caps[c];
      size_t n = 0, size = 0, max = caps[c];
      for (int op = 0; op < 20000; op++)
        {
          if (rng () % 50 == 0)
            {
              max = rng () % (caps[c] + 50);
              SocketHPACK_Table_set_max_size (t, max);
              if (max > cap)
                max = cap;
              while (size > max)
                {
                  n--;
                  size -= model[n].nl + model[n].vl + 32;
                }
            }
          char name[300], value[300];
          size_t limit = (rng () % 8 == 0 ? max : 40) + 1;
          size_t nl = rng () % (limit < 280 ? limit : 280), vl = rng () % (limit < 280 ? limit : 280);
          for (size_t i = 0; i < nl; i++)
            name[i] = (char)('a' + (op + i) % 26);
          for (size_t i = 0; i < vl; i++)
            value[i] = (char)('A' + (op * 7 + i) % 26);
          ASSERT_EQ (SocketHPACK_Table_add (t, name, nl, value, vl), HPACK_OK);
          model_add (model, &n, &size, max, name, nl, value, vl);
          ASSERT_EQ (SocketHPACK_Table_count (t), n);
          ASSERT_EQ (SocketHPACK_Table_size (t), size);
          for (size_t i = 0; i < n; i++)
            {
              SocketHPACK_Header h;
              ASSERT_EQ (SocketHPACK_Table_get (t, i + 1, &h), HPACK_OK);
              ASSERT_EQ (h.name_len, model[i].nl);
              ASSERT_EQ (h.value_len, model[i].vl);
              ASSERT_MEMEQ (h.name, model[i].name, h.name_len);
              ASSERT_MEMEQ (h.value, model[i].value, h.value_len);
            }
        }
      Arena_dispose (&arena);
    }
}

/* ===================================================================== */
/* Decoder errors, size updates, limits                                   */
/* ===================================================================== */

static SocketHPACK_Result
decode_hex (SocketHPACK_Decoder_T d, const char *hex, Arena_T arena, size_t *count)
{
  unsigned char wire[8192];
  SocketHPACK_Header h[64];
  size_t n = unhex (hex, wire), c;
  SocketHPACK_Result r = SocketHPACK_Decoder_decode (d, wire, n, h, 64, count ? count : &c, arena);
  return r;
}

TEST (decode_errors)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Header h[2];
  size_t count;

  ASSERT_EQ (decode_hex (d, "", arena, &count), HPACK_OK);
  ASSERT_EQ (count, 0);
  ASSERT_EQ (decode_hex (d, "80", arena, NULL), HPACK_ERROR_INVALID_INDEX); /* index 0 */
  ASSERT_EQ (decode_hex (d, "be", arena, NULL), HPACK_ERROR_INVALID_INDEX); /* 62, empty table */
  ASSERT_EQ (decode_hex (d, "7e", arena, NULL), HPACK_ERROR_INVALID_INDEX); /* name index 62 */
  ASSERT_EQ (decode_hex (d, "ff", arena, NULL), HPACK_INCOMPLETE);          /* index cut short */
  ASSERT_EQ (decode_hex (d, "ffffffffffffffffffffff7f", arena, NULL), HPACK_ERROR_INTEGER);
  /* In a block, integers may use 5 continuation bytes (here redundant
   * ones for name index 15), not 6. */
  ASSERT_EQ (decode_hex (d, "0f8080808000 00", arena, NULL), HPACK_OK);
  ASSERT_EQ (decode_hex (d, "0f808080808000 00", arena, NULL), HPACK_ERROR_INTEGER);
  ASSERT_EQ (decode_hex (d, "4003616263", arena, NULL), HPACK_INCOMPLETE); /* no value */
  ASSERT_EQ (decode_hex (d, "400361", arena, NULL), HPACK_INCOMPLETE);     /* name cut short */
  ASSERT_EQ (decode_hex (d, "0003616263058161", arena, NULL), HPACK_INCOMPLETE);
  ASSERT_EQ (decode_hex (d, "000361626381ff", arena, NULL), HPACK_ERROR_HUFFMAN);
  ASSERT_EQ (decode_hex (d, "0003616263811f", arena, &count), HPACK_OK); /* "abc: a" */
  ASSERT_EQ (count, 1);
  /* On failure the count is 0, as in the original; the internal variant
   * (used by the Go binding) reports the fields decoded before the error. */
  ASSERT_EQ (decode_hex (d, "828480", arena, &count), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (count, 0);
  {
    unsigned char bad[] = { 0x82, 0x84, 0x80 };
    count = 9;
    ASSERT_EQ (SocketHPACK__decoder_decode (d, bad, 3, h, 2, &count, arena), HPACK_ERROR_INVALID_INDEX);
    ASSERT_EQ (count, 2);
  }
  /* More fields than the array holds: as in the original, HPACK_OK with
   * the total count; only the first max_headers are stored, the rest
   * still go through the table and the limits. */
  unsigned char three[] = { 0x82, 0x84, 0x86 };
  memset (h, 0, sizeof h);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, h, 2, &count, arena), HPACK_OK);
  ASSERT_EQ (count, 3);
  ASSERT (header_eq (&h[0], ":method", "GET") && header_eq (&h[1], ":path", "/"));
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, NULL, 0, &count, arena), HPACK_OK);
  ASSERT_EQ (count, 3);
  {
    /* A dropped literal with indexing is still added to the table. */
    SocketHPACK_Decoder_T d2 = SocketHPACK_Decoder_new (NULL, arena);
    unsigned char lit[] = { 0x82, 0x40, 0x01, 'a', 0x01, 'b' };
    ASSERT_EQ (SocketHPACK_Decoder_decode (d2, lit, sizeof lit, h, 1, &count, arena), HPACK_OK);
    ASSERT_EQ (count, 2);
    ASSERT_EQ (SocketHPACK_Table_count (SocketHPACK_Decoder_get_table (d2)), 1);
  }
  /* Argument checks. */
  ASSERT_EQ (SocketHPACK_Decoder_decode (NULL, three, 3, h, 2, &count, arena), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, NULL, 3, h, 2, &count, arena), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, h, 2, NULL, arena), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, h, 2, &count, NULL), HPACK_ERROR);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, NULL, 2, &count, arena), HPACK_ERROR);
  Arena_dispose (&arena);
}

/* Runs of one-byte indexed fields take a batched path (one allocation,
 * short copies): every entry length from 0 to 99, interleaved with static
 * fields and split by max_headers, comes back exact and NUL-terminated. */
TEST (decode_indexed_runs)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_DecoderConfig cfg;
  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_table_size = 16384;
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&cfg, arena);
  unsigned char wire[8192];
  char name[64], value[128];
  SocketHPACK_Header h[130];
  size_t count;

  for (int base = 0; base < 100; base += 50)
    {
      /* Update to 16384, then 50 literals with indexing: name "n<len>"
       * is 1..3 bytes, value len - name len bytes. */
      size_t w = 0;
      w += SocketHPACK_int_encode (16384, 5, wire + w, 8);
      wire[0] |= 0x20;
      for (int i = 0; i < 50; i++)
        {
          int len = base + i, nl = len < 1 ? 0 : (len < 10 ? 1 : 2);
          snprintf (name, sizeof name, "%.*s", nl, "nm");
          memset (value, 'a' + i % 26, sizeof value);
          wire[w++] = 0x40;
          wire[w++] = (unsigned char)nl;
          memcpy (wire + w, name, (size_t)nl);
          w += (size_t)nl;
          wire[w++] = (unsigned char)(len - nl);
          memcpy (wire + w, value, (size_t)(len - nl));
          w += (size_t)(len - nl);
        }
      ASSERT_EQ (SocketHPACK_Decoder_decode (d, wire, w, h, 130, &count, arena), HPACK_OK);
      ASSERT_EQ (count, 50);
      /* 62 = newest (len base + 49) ... 111 = oldest (len base), each
       * followed by static :method GET. */
      w = 0;
      for (int i = 0; i < 50; i++)
        {
          wire[w++] = (unsigned char)(0x80 | (62 + i));
          wire[w++] = 0x82;
        }
      for (size_t max = 100; max >= 99; max--)
        {
          memset (h, 0, sizeof h);
          ASSERT_EQ (SocketHPACK_Decoder_decode (d, wire, w, h, max, &count, arena), HPACK_OK);
          ASSERT_EQ (count, 100);
          for (size_t k = 0; k < max; k += 2)
            {
              int len = base + 49 - (int)(k / 2), nl = len < 1 ? 0 : (len < 10 ? 1 : 2);
              ASSERT_EQ (h[k].name_len, (size_t)nl);
              ASSERT_EQ (h[k].value_len, (size_t)(len - nl));
              ASSERT_MEMEQ (h[k].name, "nm", (size_t)nl);
              for (int j = 0; j < len - nl; j++)
                ASSERT_EQ (h[k].value[j], (char)('a' + (len - base) % 26));
              ASSERT (h[k].name[nl] == '\0' && h[k].value[len - nl] == '\0');
              if (k + 1 < max)
                ASSERT (header_eq (&h[k + 1], ":method", "GET"));
              else
                ASSERT (h[k + 1].name == NULL); /* beyond max_headers: not stored */
            }
        }
    }
  /* A run cut by the list limit reports it like the general path. */
  cfg.max_table_size = 4096;
  cfg.max_header_list_size = 42 * 3;
  d = SocketHPACK_Decoder_new (&cfg, arena);
  unsigned char three[] = { 0x82, 0x82, 0x82 }, four[] = { 0x82, 0x82, 0x82, 0x82 };
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, three, 3, h, 4, &count, arena), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, four, 4, h, 4, &count, arena), HPACK_ERROR_LIST_SIZE);
  ASSERT_EQ (count, 0);
  Arena_dispose (&arena);
}

/* Runs over a table whose byte ring has wrapped, in several orders
 * (the entries' span copied at once, or entries one by one): each field
 * equals the entry, and stays intact after later literals overwrite the
 * table's bytes. */
static size_t
put_literal (unsigned char *wire, int tag, size_t vl)
{
  size_t w = 0;
  wire[w++] = 0x40;
  wire[w++] = 2;
  wire[w++] = 'k';
  wire[w++] = (unsigned char)('a' + tag % 26);
  wire[w++] = (unsigned char)vl;
  memset (wire + w, 'a' + (tag * 7) % 26, vl);
  return w + vl;
}

TEST (decode_indexed_runs_wrapped)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_DecoderConfig cfg;
  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_table_size = 300;
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&cfg, arena);
  SocketHPACK_Table_T t = SocketHPACK_Decoder_get_table (d);
  unsigned char wire[256];
  SocketHPACK_Header h[16], e, out[40];
  char want[16][2][72];
  size_t count, w;

  for (int round = 0; round < 300; round++)
    {
      w = put_literal (wire, round, (size_t)(round * 7 % 37));
      ASSERT_EQ (SocketHPACK_Decoder_decode (d, wire, w, h, 16, &count, arena), HPACK_OK);
      size_t n = SocketHPACK_Table_count (t);
      ASSERT (n >= 1 && n <= 16);
      int order = round % 3;
      w = 0;
      for (size_t i = 0; i < n; i++)
        {
          size_t k = order == 0 ? i : order == 1 ? n - 1 - i : (i * 5 + 3) % n;
          wire[w++] = (unsigned char)(0x80 | (62 + k));
          if (i % 3 == 0)
            wire[w++] = 0x84; /* static :path / */
          ASSERT_EQ (SocketHPACK_Table_get (t, k + 1, &e), HPACK_OK);
          snprintf (want[i][0], sizeof want[i][0], "%s", e.name);
          snprintf (want[i][1], sizeof want[i][1], "%s", e.value);
        }
      ASSERT_EQ (SocketHPACK_Decoder_decode (d, wire, w, out, 40, &count, arena), HPACK_OK);
      ASSERT_EQ (count, w);
      /* Now and then, overwrite all the table's bytes (its ring holds
       * 600) before checking the copies. */
      for (int j = 1; round % 5 == 4 && j <= 10; j++)
        {
          size_t m = put_literal (wire, round + 100 * j, 60);
          ASSERT_EQ (SocketHPACK_Decoder_decode (d, wire, m, h, 16, &count, arena), HPACK_OK);
        }
      for (size_t i = 0, j = 0; i < n; i++)
        {
          ASSERT_EQ (out[j].name_len, strlen (want[i][0]));
          ASSERT_EQ (out[j].value_len, strlen (want[i][1]));
          ASSERT (strcmp (out[j].name, want[i][0]) == 0);
          ASSERT (strcmp (out[j].value, want[i][1]) == 0);
          j++;
          if (i % 3 == 0)
            ASSERT (header_eq (&out[j++], ":path", "/"));
        }
    }
  Arena_dispose (&arena);
}

TEST (decode_size_updates)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Table_T t = SocketHPACK_Decoder_get_table (d);

  ASSERT_EQ (decode_hex (d, "3fe11f", arena, NULL), HPACK_OK); /* 4096 */
  ASSERT_EQ (decode_hex (d, "3fe21f", arena, NULL), HPACK_ERROR_TABLE_SIZE); /* 4097 > max */
  ASSERT_EQ (decode_hex (d, "20 3fe11f 82", arena, NULL), HPACK_OK);        /* two: fine */
  /* Any number of updates before the first field, as in the original. */
  ASSERT_EQ (decode_hex (d, "20 20 20 3fe11f 82", arena, NULL), HPACK_OK);
  ASSERT_EQ (decode_hex (d, "82 20", arena, NULL), HPACK_ERROR_TABLE_SIZE); /* after a field */
  ASSERT_EQ (decode_hex (d, "3f", arena, NULL), HPACK_INCOMPLETE);
  /* An update evicts. */
  ASSERT_EQ (decode_hex (d, "4003616263016420", arena, NULL), HPACK_ERROR_TABLE_SIZE);
  d = SocketHPACK_Decoder_new (NULL, arena);
  t = SocketHPACK_Decoder_get_table (d);
  ASSERT_EQ (decode_hex (d, "40036162630164", arena, NULL), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_count (t), 1);
  ASSERT_EQ (decode_hex (d, "20 be", arena, NULL), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (SocketHPACK_Table_count (t), 0);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 0);
  /* A decoder allowing 8192 starts at 4096, as the peer does, until an
   * update raises it. */
  SocketHPACK_DecoderConfig cfg;
  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_table_size = 8192;
  d = SocketHPACK_Decoder_new (&cfg, arena);
  t = SocketHPACK_Decoder_get_table (d);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 4096);
  ASSERT_EQ (decode_hex (d, "3fe13f", arena, NULL), HPACK_OK); /* 8192 */
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 8192);
  ASSERT_EQ (decode_hex (d, "3fe23f", arena, NULL), HPACK_ERROR_TABLE_SIZE); /* 8193 */
  Arena_dispose (&arena);
}

/* As in the original, Decoder_set_table_size only changes the bound for
 * the peer's size updates: no eviction, no update required. */
TEST (decode_required_update)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Table_T t = SocketHPACK_Decoder_get_table (d);

  ASSERT_EQ (decode_hex (d, "40036162630164", arena, NULL), HPACK_OK); /* abc: d */
  SocketHPACK_Decoder_set_table_size (d, 1000);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 4096);
  ASSERT_EQ (SocketHPACK_Table_count (t), 1);
  ASSERT_EQ (decode_hex (d, "82 be", arena, NULL), HPACK_OK); /* no update needed */
  ASSERT_EQ (decode_hex (d, "", arena, NULL), HPACK_OK);
  ASSERT_EQ (decode_hex (d, "3fb10f 82", arena, NULL), HPACK_ERROR_TABLE_SIZE); /* 2000 > 1000 */
  ASSERT_EQ (decode_hex (d, "3fc907 be", arena, NULL), HPACK_OK); /* 1000 */
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 1000);
  /* Raising the bound permits larger updates. */
  SocketHPACK_Decoder_set_table_size (d, 4096);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 1000);
  ASSERT_EQ (decode_hex (d, "3fe11f 82", arena, NULL), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_max_size (t), 4096);
  /* Above the configured maximum: clamped. */
  SocketHPACK_Decoder_set_table_size (d, 100000);
  ASSERT_EQ (decode_hex (d, "3fe21f", arena, NULL), HPACK_ERROR_TABLE_SIZE);
  Arena_dispose (&arena);
}

TEST (decode_limits_and_bomb)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_DecoderConfig cfg;
  char hex[16384];
  size_t count;

  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_header_size = 16;
  cfg.max_header_list_size = 200;
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&cfg, arena);
  /* 17-byte literal value (name :path): rejected from its length alone. */
  ASSERT_EQ (decode_hex (d, "04 11 6161616161616161616161616161616161", arena, NULL), HPACK_ERROR_HEADER_SIZE);
  ASSERT_EQ (decode_hex (d, "04 10 61616161616161616161616161616161", arena, NULL), HPACK_ERROR_HEADER_SIZE);
  ASSERT_EQ (decode_hex (d, "04 0b 6161616161616161616161", arena, NULL), HPACK_OK);
  /* Name + value over the limit. */
  ASSERT_EQ (decode_hex (d, "00 09 616161616161616161 08 6161616161616161", arena, NULL),
             HPACK_ERROR_HEADER_SIZE);
  /* Exactly 16: fine. */
  ASSERT_EQ (decode_hex (d, "00 08 6161616161616161 08 6161616161616161", arena, NULL), HPACK_OK);
  /* List: ":method GET" is 42; five of them exceed 200. */
  ASSERT_EQ (decode_hex (d, "82828282", arena, &count), HPACK_OK);
  ASSERT_EQ (decode_hex (d, "8282828282", arena, &count), HPACK_ERROR_LIST_SIZE);

  /* Bomb: one 4000-byte entry referenced again and again. */
  SocketHPACK_decoder_config_defaults (&cfg);
  d = SocketHPACK_Decoder_new (&cfg, arena);
  /* Name "x", value 3968 bytes: 7f then 3841 = 81 1e. */
  size_t pos = (size_t)snprintf (hex, sizeof hex, "40 01 78 7f 81 1e ");
  for (int i = 0; i < 3968; i++)
    pos += (size_t)snprintf (hex + pos, sizeof hex - pos, "79");
  ASSERT_EQ (decode_hex (d, hex, arena, NULL), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_size (SocketHPACK_Decoder_get_table (d)), 1 + 3968 + 32);
  char refs[64] = "";
  for (int i = 0; i < 20; i++)
    strcat (refs, "be"); /* 17 x 4001 > 64 KiB, from 17 bytes */
  ASSERT_EQ (decode_hex (d, refs, arena, &count), HPACK_ERROR_BOMB);
  ASSERT_EQ (count, 0);
  ASSERT_EQ (decode_hex (d, "bebebebe", arena, &count), HPACK_OK);
  ASSERT_EQ (count, 4);
  Arena_dispose (&arena);
}

/* ===================================================================== */
/* Encoder policy                                                         */
/* ===================================================================== */

/* Encodes then decodes with a fresh-state peer; returns the wire size. */
static ssize_t
roundtrip (SocketHPACK_Encoder_T e, SocketHPACK_Decoder_T d, const SocketHPACK_Header *h, size_t n,
           Arena_T arena)
{
  unsigned char out[8192];
  SocketHPACK_Header got[64];
  size_t count;
  ssize_t len = SocketHPACK_Encoder_encode (e, h, n, out, sizeof out);
  if (len < 0 || SocketHPACK_Decoder_decode (d, out, (size_t)len, got, 64, &count, arena) != HPACK_OK
      || count != n)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (got[i].name_len != h[i].name_len || got[i].value_len != h[i].value_len
        || memcmp (got[i].name, h[i].name ? h[i].name : "", h[i].name_len) != 0
        || memcmp (got[i].value, h[i].value ? h[i].value : "", h[i].value_len) != 0)
      return -1;
  return len;
}

TEST (encode_sensitive_never_indexed)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Header h[] = { H ("authorization", "Basic Zm9vOmJhcg=="), H ("Cookie", "session=1234567890abcdef"),
                             H ("set-cookie", "a=b"), H ("proxy-authorization", "x"),
                             { "x-secret", 8, "s3cr3t", 6, 1 }, { ":method", 7, "GET", 3, 1 } };
  unsigned char out[512];
  ssize_t n = SocketHPACK_Encoder_encode (e, h, 6, out, sizeof out);
  ASSERT (n > 0);
  ASSERT_EQ (SocketHPACK_Table_count (SocketHPACK_Encoder_get_table (e)), 0);
  ASSERT_EQ (out[0] & 0xF0, 0x10); /* never-indexed literal */
  SocketHPACK_Header got[8];
  size_t count;
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, out, (size_t)n, got, 8, &count, arena), HPACK_OK);
  ASSERT_EQ (count, 6);
  for (size_t i = 0; i < count; i++)
    ASSERT_EQ (got[i].never_index, 1);
  /* Sent twice, still literals: nothing was indexed. */
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, h, 6, out, sizeof out), n);
  Arena_dispose (&arena);
}

/* Static names match case-insensitively in the encoder, as in the
 * original: an exact match is an index, a name match names the entry by
 * index, and both tables then hold the lowercase name. */
TEST (encode_static_names_case_insensitive)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Header in[] = { H (":METHOD", "GET"), H ("User-Agent", "x/1") }, got[4];
  unsigned char out[64];
  size_t count;

  ssize_t n = SocketHPACK_Encoder_encode (e, in, 2, out, sizeof out);
  ASSERT (n > 0);
  ASSERT_EQ (out[0], 0x82); /* :method GET by index */
  ASSERT_EQ (out[1], 0x40 | 58); /* user-agent (58) by name index, indexed */
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, out, (size_t)n, got, 4, &count, arena), HPACK_OK);
  ASSERT_EQ (count, 2);
  ASSERT (header_eq (&got[0], ":method", "GET") && header_eq (&got[1], "user-agent", "x/1"));
  SocketHPACK_Header t;
  ASSERT_EQ (SocketHPACK_Table_get (SocketHPACK_Encoder_get_table (e), 1, &t), HPACK_OK);
  ASSERT (header_eq (&t, "user-agent", "x/1"));
  /* Either spelling now finds the dynamic entry. */
  SocketHPACK_Header again[] = { H ("user-agent", "x/1"), H ("USER-AGENT", "x/1") };
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, again, 2, out, sizeof out), 2);
  ASSERT_MEMEQ (out, "\xbe\xbe", 2);
  Arena_dispose (&arena);
}

TEST (encode_policy_options)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_EncoderConfig cfg;
  SocketHPACK_Header h[] = { H ("x-custom", "value-value-value"), H ("user-agent", "test/1.0") };
  unsigned char out[256];

  SocketHPACK_encoder_config_defaults (&cfg);
  cfg.use_indexing = 0;
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (&cfg, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  ssize_t first = roundtrip (e, d, h, 2, arena);
  ASSERT (first > 0);
  ASSERT_EQ (roundtrip (e, d, h, 2, arena), first);
  ASSERT_EQ (SocketHPACK_Table_count (SocketHPACK_Encoder_get_table (e)), 0);

  /* Indexing: the second block is two 1-byte indices. */
  e = SocketHPACK_Encoder_new (NULL, arena);
  d = SocketHPACK_Decoder_new (NULL, arena);
  ASSERT (roundtrip (e, d, h, 2, arena) > 0);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, h, 2, out, sizeof out), 2);
  ASSERT_EQ (out[0], 0x80 | 63);
  ASSERT_EQ (out[1], 0x80 | 62);

  /* Huffman only when shorter: control bytes are long codes. */
  SocketHPACK_Header bin = { "x", 1, "\x01\x02\x03\x04", 4, 0 };
  e = SocketHPACK_Encoder_new (NULL, arena);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, &bin, 1, out, sizeof out), 1 + 1 + 1 + 1 + 4);
  ASSERT_EQ (out[3], 4); /* raw value: H bit clear */
  cfg.use_indexing = 1;
  cfg.huffman_encode = 0;
  e = SocketHPACK_Encoder_new (&cfg, arena);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, h, 1, out, sizeof out), 1 + 1 + 8 + 1 + 17);
  /* A field larger than 3/4 of the table is sent without indexing. */
  char big[3100];
  memset (big, 'v', sizeof big);
  SocketHPACK_Header large = { "x-large", 7, big, sizeof big, 0 };
  e = SocketHPACK_Encoder_new (NULL, arena);
  d = SocketHPACK_Decoder_new (NULL, arena);
  ASSERT (roundtrip (e, d, &large, 1, arena) > 0);
  ASSERT_EQ (SocketHPACK_Table_count (SocketHPACK_Encoder_get_table (e)), 0);
  /* A buffer of exactly the block's size suffices, one byte less does not
   * (the Huffman-coded strings fit where the raw ones would not). */
  SocketHPACK_Header lit = H ("x-custom", "value-value-value-value");
  e = SocketHPACK_Encoder_new (NULL, arena);
  ssize_t exact = SocketHPACK_Encoder_encode (e, &lit, 1, out, sizeof out);
  ASSERT (exact > 0 && exact < 1 + 1 + 8 + 1 + 23);
  e = SocketHPACK_Encoder_new (NULL, arena);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, &lit, 1, out, (size_t)exact - 1), -1);
  e = SocketHPACK_Encoder_new (NULL, arena);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, &lit, 1, out, (size_t)exact), exact);
  /* Bad arguments. */
  SocketHPACK_Header nul = { NULL, 3, "a", 1, 0 };
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, &nul, 1, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_Encoder_encode (NULL, h, 1, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, NULL, 1, out, sizeof out), -1);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, h, 0, out, sizeof out), 0);
  Arena_dispose (&arena);
}

TEST (encode_table_size_updates)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_EncoderConfig cfg;
  SocketHPACK_Header h[] = { H ("x-a", "1"), H ("x-b", "2") };
  unsigned char out[256];

  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  ASSERT (roundtrip (e, d, h, 2, arena) > 0);
  /* Lowered then raised between blocks: min first, then final. */
  SocketHPACK_Encoder_set_table_size (e, 0);
  SocketHPACK_Encoder_set_table_size (e, 2048);
  SocketHPACK_Decoder_set_table_size (d, 0);
  SocketHPACK_Decoder_set_table_size (d, 2048);
  ssize_t n = SocketHPACK_Encoder_encode (e, h, 0, out, sizeof out);
  ASSERT_EQ (n, 4);
  ASSERT_MEMEQ (out, "\x20\x3f\xe1\x0f", 4);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, out, (size_t)n, NULL, 0, &(size_t){ 0 }, arena), HPACK_OK);
  ASSERT_EQ (SocketHPACK_Table_max_size (SocketHPACK_Decoder_get_table (d)), 2048);
  ASSERT (roundtrip (e, d, h, 2, arena) > 0);
  /* No change, no update. */
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, h, 2, out, sizeof out), 2);
  /* Above the configured maximum: clamped to it. */
  SocketHPACK_Encoder_set_table_size (e, 1u << 20);
  ASSERT_EQ (SocketHPACK_Table_max_size (SocketHPACK_Encoder_get_table (e)), 4096);
  /* A configured table below 4096 is used without an announcement (as in
   * the original): the peer's larger table holds every entry ours does. */
  SocketHPACK_encoder_config_defaults (&cfg);
  cfg.max_table_size = 100;
  e = SocketHPACK_Encoder_new (&cfg, arena);
  ASSERT_EQ (SocketHPACK_Table_max_size (SocketHPACK_Encoder_get_table (e)), 100);
  ASSERT_EQ (SocketHPACK_Encoder_encode (e, NULL, 0, out, sizeof out), 0);
  d = SocketHPACK_Decoder_new (NULL, arena); /* 4096, as a peer starts */
  for (int i = 0; i < 5; i++)
    ASSERT (roundtrip (e, d, h, 2, arena) > 0);
  Arena_dispose (&arena);
}

/* Running out of space mid-block resynchronises through size updates. */
TEST (encode_output_too_small_recovers)
{
  Arena_T arena = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Header a[] = { H ("x-one", "first value"), H ("x-two", "second value") };
  SocketHPACK_Header b[] = { H ("x-three", "third value"), H ("x-one", "first value") };
  unsigned char out[256];

  ASSERT (roundtrip (e, d, a, 2, arena) > 0);
  for (size_t room = 0; room < 12; room++)
    ASSERT_EQ (SocketHPACK_Encoder_encode (e, b, 2, out, room), -1);
  ASSERT_EQ (SocketHPACK_Table_count (SocketHPACK_Encoder_get_table (e)), 0);
  ssize_t n = SocketHPACK_Encoder_encode (e, b, 2, out, sizeof out);
  ASSERT (n > 0);
  ASSERT_MEMEQ (out, "\x20\x3f\xe1\x1f", 4);
  SocketHPACK_Header got[4];
  size_t count;
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, out, (size_t)n, got, 4, &count, arena), HPACK_OK);
  ASSERT (header_eq (&got[0], "x-three", "third value"));
  ASSERT (header_eq (&got[1], "x-one", "first value"));
  ASSERT (roundtrip (e, d, a, 2, arena) > 0);
  Arena_dispose (&arena);
}

/* Random header lists through encoders of every configuration, with
 * table size changes, decode back identically. */
TEST (encode_decode_random)
{
  static const char *const names[] = { ":path", ":authority", "accept", "cookie", "x-a", "x-b",
                                       "content-length", "etag", "user-agent", "" };
  for (int config = 0; config < 8; config++)
    {
      Arena_T arena = Arena_new ();
      SocketHPACK_EncoderConfig cfg;
      SocketHPACK_encoder_config_defaults (&cfg);
      cfg.huffman_encode = config & 1;
      cfg.use_indexing = config >> 1 & 1;
      cfg.max_table_size = config & 4 ? 256 : 4096;
      Arena_T scratch = Arena_new ();
      SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (&cfg, arena);
      SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
      for (int block = 0; block < 300; block++)
        {
          SocketHPACK_Header h[12];
          char vals[12][64];
          size_t n = rng () % 12;
          for (size_t i = 0; i < n; i++)
            {
              const char *name = names[rng () % 10];
              size_t vl = rng () % (rng () % 4 ? 8 : 60);
              for (size_t k = 0; k < vl; k++)
                vals[i][k] = (char)(rng () % 3 ? 'a' + rng () % 4 : rng ());
              h[i] = (SocketHPACK_Header){ name, strlen (name), vals[i], vl, (int)(rng () % 16 == 0) };
            }
          if (rng () % 40 == 0)
            {
              size_t s = rng () % 5000;
              SocketHPACK_Encoder_set_table_size (e, s);
              SocketHPACK_Decoder_set_table_size (d, s);
            }
          ASSERT (roundtrip (e, d, h, n, scratch) >= 0);
          if (block % 50 == 49)
            Arena_clear (scratch);
        }
      Arena_dispose (&scratch);
      Arena_dispose (&arena);
    }
}

TEST_MAIN ()
