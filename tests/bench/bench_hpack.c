/*
 * bench_hpack.c - SocketHPACK against nghttp2 on the hpack-test-case
 * raw-data stories (tests/data/hpack/raw-data: 31 stories, 3,384
 * header lists of real browser and server traffic).
 *
 * Each story is one compression context, as on a connection: a pass
 * creates an encoder or decoder per story and runs all its blocks.
 *   decode: every story's blocks, as encoded by our encoder and by
 *           nghttp2's deflater, decoded by each decoder (names and values
 *           are copied into an arena by ours, referenced by nghttp2's);
 *   encode: every story encoded by each encoder (defaults: 4096-byte
 *           table, Huffman when shorter);
 *   ratio:  encoded bytes / (name + value bytes), lower is better; also
 *           without the fields our policy never indexes (cookie,
 *           set-cookie, authorization), which nghttp2 partly indexes;
 *   Huffman: encode and decode of all field values, concatenated.
 * Isolated cases (the public API only, comparable with the original's
 * measurements), each also run by nghttp2 where it has an equivalent:
 *   indexed: one block of only indexed fields (16 static, 16 dynamic
 *            entries of typical request headers) decoded again and again
 *            by one decoder; GB/s of decoded name + value bytes;
 *   huffman strings: SocketHPACK_huffman_encode() of 16 typical header
 *            values, one call each; GB/s of input. nghttp2 exports no
 *            Huffman coder, so its figure is its deflater sending the
 *            same values as never-indexed literals with static name
 *            indices (Huffman plus a little framing); our encoder is
 *            shown doing the same.
 * Every pass checks its output (field counts, sizes), so it cannot be
 * skipped or optimised away. Times are this thread's CPU time, best of 7
 * rounds of ~0.05 s, with the contenders interleaved round by round: the
 * machine may be shared, and this keeps the ratios fair.
 *
 * Usage: bench_hpack [TESTDATA_DIR]   (default: the path CMake was given)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/Arena.h"
#include "hpack_story.h"
#include "http/SocketHPACK.h"

#ifdef BENCH_WITH_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

#define MAX_FIELDS 256
#define WIRE_MAX (1 << 16)

struct block
{
  SocketHPACK_Header *fields; /* exactly count, so a pass stays cache-friendly */
#ifdef BENCH_WITH_NGHTTP2
  nghttp2_nv *nv; /* the same fields for nghttp2, converted once */
#endif
  size_t count;
  unsigned char *ours, *theirs; /* encoded by us / by nghttp2 */
  size_t ours_len, theirs_len;
};

struct story
{
  struct block *blocks;
  size_t count;
};

/* ===================================================================== */
/* Timing                                                                 */
/* ===================================================================== */

#define ROUNDS 7
#define ROUND_SECONDS 0.05

struct contender
{
  int (*fn) (void *ctx); /* returns 0 if its result is wrong */
  void *ctx;
  const char *what;
  size_t iters;
  double best; /* CPU seconds per call */
};

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
run_batch (struct contender *c, size_t iters)
{
  double t0 = cpu_now ();
  for (size_t i = 0; i < iters; i++)
    if (!c->fn (c->ctx))
      {
        fprintf (stderr, "%s: unexpected result\n", c->what);
        exit (1);
      }
  return cpu_now () - t0;
}

static void
measure (struct contender *c, size_t n)
{
  for (size_t k = 0; k < n; k++)
    {
      size_t iters = 1;
      double dt;
      while ((dt = run_batch (&c[k], iters)) < ROUND_SECONDS / 4)
        iters *= 2;
      c[k].iters = (size_t)((double)iters * ROUND_SECONDS / dt) + 1;
      c[k].best = 1e30;
    }
  for (int r = 0; r < ROUNDS; r++)
    for (size_t k = 0; k < n; k++)
      {
        double per_call = run_batch (&c[k], c[k].iters) / (double)c[k].iters;
        if (per_call < c[k].best)
          c[k].best = per_call;
      }
}

static struct story *stories;
static size_t nstories;
static size_t raw_bytes, field_total, block_total; /* name + value bytes, fields, lists */

/* ===================================================================== */
/* Our codec                                                              */
/* ===================================================================== */

/* Encodes story @p s (keeping copies of the blocks if @p keep); returns
 * the bytes produced, 0 on failure. */
static size_t
our_encode_story (const struct story *s, int keep)
{
  static unsigned char wire[WIRE_MAX];
  Arena_T arena = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  size_t total = 0;

  for (size_t i = 0; i < s->count; i++)
    {
      struct block *b = &s->blocks[i];
      ssize_t n = SocketHPACK_Encoder_encode (e, b->fields, b->count, wire, sizeof wire);
      if (n <= 0)
        {
          total = 0;
          break;
        }
      if (keep)
        {
          b->ours = malloc ((size_t)n);
          memcpy (b->ours, wire, (size_t)n);
          b->ours_len = (size_t)n;
        }
      total += (size_t)n;
    }
  Arena_dispose (&arena);
  return total;
}

static Arena_T bench_arena, bench_scratch;

/* Decodes every block of every story; 1 if all field counts match. */
static int
our_decode_all (int theirs_wire)
{
  static SocketHPACK_Header out[MAX_FIELDS];
  size_t fields = 0;

  for (size_t k = 0; k < nstories; k++)
    {
      Arena_clear (bench_arena);
      SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, bench_arena);
      for (size_t i = 0; i < stories[k].count; i++)
        {
          const struct block *b = &stories[k].blocks[i];
          size_t n;
          if (SocketHPACK_Decoder_decode (d, theirs_wire ? b->theirs : b->ours,
                                          theirs_wire ? b->theirs_len : b->ours_len, out, MAX_FIELDS, &n,
                                          bench_scratch)
                  != HPACK_OK
              || n != b->count)
            return 0;
          fields += n;
          Arena_clear (bench_scratch);
        }
    }
  return fields == field_total;
}

static int
run_our_decode_ours (void *ctx)
{
  (void)ctx;
  return our_decode_all (0);
}

static int
run_our_encode (void *ctx)
{
  size_t total = 0, *want = ctx;
  for (size_t k = 0; k < nstories; k++)
    total += our_encode_story (&stories[k], 0);
  return total == *want;
}

/* ===================================================================== */
/* nghttp2                                                                */
/* ===================================================================== */

#ifdef BENCH_WITH_NGHTTP2
static nghttp2_nv *
to_nv (const struct block *b)
{
  nghttp2_nv *nv = calloc (b->count + 1, sizeof *nv);
  for (size_t i = 0; i < b->count; i++)
    nv[i] = (nghttp2_nv){ (uint8_t *)b->fields[i].name, (uint8_t *)b->fields[i].value, b->fields[i].name_len,
                          b->fields[i].value_len, NGHTTP2_NV_FLAG_NONE };
  return nv;
}

static size_t
ng_encode_story (struct story *s, int keep)
{
  static unsigned char wire[WIRE_MAX];
  nghttp2_hd_deflater *def;
  size_t total = 0;

  if (nghttp2_hd_deflate_new (&def, SOCKETHPACK_DEFAULT_TABLE_SIZE) != 0)
    return 0;
  for (size_t i = 0; i < s->count; i++)
    {
      struct block *b = &s->blocks[i];
      ssize_t n = nghttp2_hd_deflate_hd (def, wire, sizeof wire, b->nv, b->count);
      if (n <= 0)
        {
          total = 0;
          break;
        }
      if (keep)
        {
          b->theirs = malloc ((size_t)n);
          memcpy (b->theirs, wire, (size_t)n);
          b->theirs_len = (size_t)n;
        }
      total += (size_t)n;
    }
  nghttp2_hd_deflate_del (def);
  return total;
}

static int
ng_decode_all (int theirs_wire)
{
  size_t fields = 0;

  for (size_t k = 0; k < nstories; k++)
    {
      nghttp2_hd_inflater *inf;
      if (nghttp2_hd_inflate_new (&inf) != 0)
        return 0;
      for (size_t i = 0; i < stories[k].count; i++)
        {
          const struct block *b = &stories[k].blocks[i];
          const uint8_t *in = theirs_wire ? b->theirs : b->ours;
          size_t len = theirs_wire ? b->theirs_len : b->ours_len, n = 0;
          for (;;)
            {
              nghttp2_nv nv;
              int flags = 0;
              ssize_t rv = nghttp2_hd_inflate_hd2 (inf, &nv, &flags, in, len, 1);
              if (rv < 0)
                {
                  nghttp2_hd_inflate_del (inf);
                  return 0;
                }
              in += rv;
              len -= (size_t)rv;
              n += (flags & NGHTTP2_HD_INFLATE_EMIT) != 0;
              if (flags & NGHTTP2_HD_INFLATE_FINAL)
                break;
            }
          nghttp2_hd_inflate_end_headers (inf);
          if (n != b->count)
            {
              nghttp2_hd_inflate_del (inf);
              return 0;
            }
          fields += n;
        }
      nghttp2_hd_inflate_del (inf);
    }
  return fields == field_total;
}

static int
run_ng_decode_ours (void *ctx)
{
  (void)ctx;
  return ng_decode_all (0);
}

static int
run_ng_decode_theirs (void *ctx)
{
  (void)ctx;
  return ng_decode_all (1);
}

static int
run_our_decode_theirs (void *ctx)
{
  (void)ctx;
  return our_decode_all (1);
}

static int
never_indexed_name (const SocketHPACK_Header *h)
{
  static const char *const names[] = { "cookie", "set-cookie", "authorization", "proxy-authorization" };
  for (size_t i = 0; i < 4; i++)
    if (h->name_len == strlen (names[i]) && memcmp (h->name, names[i], h->name_len) == 0)
      return 1;
  return 0;
}

/* Compression with the fields our policy never indexes left out, so
 * both encoders are free to index everything else. */
static void
compression_without_sensitive (void)
{
  static unsigned char wire[WIRE_MAX];
  static SocketHPACK_Header tmp_fields[MAX_FIELDS];
  struct block tmp = { .fields = tmp_fields };
  size_t ours = 0, theirs = 0, raw = 0;

  for (size_t k = 0; k < nstories; k++)
    {
      Arena_T arena = Arena_new ();
      SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
      nghttp2_hd_deflater *def;
      if (nghttp2_hd_deflate_new (&def, SOCKETHPACK_DEFAULT_TABLE_SIZE) != 0)
        exit (1);
      for (size_t i = 0; i < stories[k].count; i++)
        {
          const struct block *b = &stories[k].blocks[i];
          tmp.count = 0;
          for (size_t f = 0; f < b->count; f++)
            if (!never_indexed_name (&b->fields[f]))
              {
                tmp.fields[tmp.count++] = b->fields[f];
                raw += b->fields[f].name_len + b->fields[f].value_len;
              }
          ssize_t o = SocketHPACK_Encoder_encode (e, tmp.fields, tmp.count, wire, sizeof wire);
          nghttp2_nv *nv = to_nv (&tmp);
          ssize_t t = nghttp2_hd_deflate_hd (def, wire, sizeof wire, nv, tmp.count);
          free (nv);
          if (o < 0 || t < 0)
            exit (1);
          ours += (size_t)o;
          theirs += (size_t)t;
        }
      nghttp2_hd_deflate_del (def);
      Arena_dispose (&arena);
    }
  printf ("without cookie/set-cookie/authorization fields: ours %zu (%.2f%%), nghttp2 %zu (%.2f%%) of %zu\n",
          ours, 100.0 * (double)ours / (double)raw, theirs, 100.0 * (double)theirs / (double)raw, raw);
}

static int
run_ng_encode (void *ctx)
{
  size_t total = 0, *want = ctx;
  for (size_t k = 0; k < nstories; k++)
    total += ng_encode_story (&stories[k], 0);
  return total == *want;
}
#endif

/* ===================================================================== */
/* Huffman                                                                */
/* ===================================================================== */

struct huff_ctx
{
  unsigned char *text, *code, *out;
  size_t text_len, code_len;
};

static int
run_huff_encode (void *arg)
{
  struct huff_ctx *h = arg;
  return SocketHPACK_huffman_encode (h->text, h->text_len, h->out, h->code_len) == (ssize_t)h->code_len;
}

static int
run_huff_decode (void *arg)
{
  struct huff_ctx *h = arg;
  return SocketHPACK_huffman_decode (h->code, h->code_len, h->out, h->text_len) == (ssize_t)h->text_len;
}

static void
bench_huffman (void)
{
  struct huff_ctx h = { 0 };
  size_t cap = 0;

  for (size_t k = 0; k < nstories; k++)
    for (size_t i = 0; i < stories[k].count; i++)
      for (size_t f = 0; f < stories[k].blocks[i].count; f++)
        cap += stories[k].blocks[i].fields[f].value_len;
  h.text = malloc (cap + 1);
  h.out = malloc (4 * cap + 8);
  for (size_t k = 0; k < nstories; k++)
    for (size_t i = 0; i < stories[k].count; i++)
      for (size_t f = 0; f < stories[k].blocks[i].count; f++)
        {
          const SocketHPACK_Header *x = &stories[k].blocks[i].fields[f];
          memcpy (h.text + h.text_len, x->value, x->value_len);
          h.text_len += x->value_len;
        }
  h.code_len = SocketHPACK_huffman_encoded_size (h.text, h.text_len);
  h.code = malloc (h.code_len + 1);
  if (SocketHPACK_huffman_encode (h.text, h.text_len, h.code, h.code_len) != (ssize_t)h.code_len)
    exit (1);
  struct contender c[] = { { run_huff_encode, &h, "huffman encode", 0, 0 },
                           { run_huff_decode, &h, "huffman decode", 0, 0 } };
  measure (c, 2);
  double enc = c[0].best, dec = c[1].best;
  printf ("Huffman (all %zu value bytes, %zu coded):\n", h.text_len, h.code_len);
  printf ("  encode %8.0f MB/s of input\n", (double)h.text_len / enc / 1e6);
  printf ("  decode %8.0f MB/s of output (%.0f MB/s of input)\n", (double)h.text_len / dec / 1e6,
          (double)h.code_len / dec / 1e6);
  free (h.text);
  free (h.code);
  free (h.out);
}

/* ===================================================================== */
/* Isolated cases: indexed-field decode, Huffman encode of strings        */
/* ===================================================================== */

/* Typical request header values (browser traffic) for the table and the
 * Huffman case: names with a static index, values of common shapes. */
static const char *const typical[16][2] = {
  { "user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36" },
  { "accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8" },
  { "accept-language", "en-US,en;q=0.9,fr;q=0.8" },
  { "referer", "https://www.example.com/articles/2026/12/06/hpack-header-compression.html" },
  { "cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.2.1234567890.1700000000" },
  { "cache-control", "no-cache" },
  { "authority", "www.example.com" },
  { "if-none-match", "\"5d8c72a5edda8d6a:3239\"" },
  { "if-modified-since", "Sat, 05 Dec 2026 10:15:00 GMT" },
  { "content-type", "application/json; charset=utf-8" },
  { "x-requested-with", "XMLHttpRequest" },
  { "origin", "https://www.example.com" },
  { "date", "Sun, 06 Dec 2026 15:45:56 GMT" },
  { "server", "nginx/1.25.3" },
  { "x-forwarded-for", "203.0.113.195, 70.41.3.18, 150.172.238.178" },
  { "via", "1.1 vegur" },
};

/* Setup block: the 16 fields as literals with incremental indexing, no
 * Huffman (so both decoders build the same table). */
static size_t
indexed_setup (unsigned char *out)
{
  size_t n = 0;
  for (int i = 0; i < 16; i++)
    {
      size_t nl = strlen (typical[i][0]), vl = strlen (typical[i][1]);
      out[n++] = 0x40;
      n += SocketHPACK_int_encode (nl, 7, out + n, 8);
      memcpy (out + n, typical[i][0], nl);
      n += nl;
      n += SocketHPACK_int_encode (vl, 7, out + n, 8);
      memcpy (out + n, typical[i][1], vl);
      n += vl;
    }
  return n;
}

/* The indexed block: static 2..17 and dynamic 62..77, interleaved. */
static size_t indexed_block_bytes; /* decoded name + value bytes per block */
static unsigned char indexed_block[32];
static unsigned char indexed_setup_wire[4096];
static size_t indexed_setup_len;

static void
indexed_init (void)
{
  SocketHPACK_Header h;
  indexed_setup_len = indexed_setup (indexed_setup_wire);
  indexed_block_bytes = 0;
  for (int i = 0; i < 16; i++)
    {
      indexed_block[2 * i] = (unsigned char)(0x80 | (2 + i));
      indexed_block[2 * i + 1] = (unsigned char)(0x80 | (62 + i));
      SocketHPACK_static_get ((size_t)(2 + i), &h);
      indexed_block_bytes += h.name_len + h.value_len;
      indexed_block_bytes += strlen (typical[15 - i][0]) + strlen (typical[15 - i][1]);
    }
}

#define INDEXED_REPS 64 /* blocks per call */

struct indexed_ours
{
  Arena_T arena, scratch;
  SocketHPACK_Decoder_T d;
};

static int
run_our_indexed (void *ctx)
{
  struct indexed_ours *x = ctx;
  SocketHPACK_Header out[32];
  size_t n, bytes = 0;
  for (int r = 0; r < INDEXED_REPS; r++)
    {
      Arena_clear (x->scratch);
      if (SocketHPACK_Decoder_decode (x->d, indexed_block, sizeof indexed_block, out, 32, &n, x->scratch)
              != HPACK_OK
          || n != 32)
        return 0;
      for (size_t i = 0; i < n; i++)
        bytes += out[i].name_len + out[i].value_len;
    }
  return bytes == INDEXED_REPS * indexed_block_bytes;
}

struct huff_strings
{
  const unsigned char *s[16];
  size_t len[16], coded[16], total;
  unsigned char out[16][256];
};

#define HUFF_REPS 64

static int
run_huff_strings (void *ctx)
{
  struct huff_strings *h = ctx;
  size_t sum = 0;
  for (int r = 0; r < HUFF_REPS; r++)
    for (int i = 0; i < 16; i++)
      sum += (size_t)SocketHPACK_huffman_encode (h->s[i], h->len[i], h->out[i], sizeof h->out[i]);
  return sum == HUFF_REPS * h->total;
}

static SocketHPACK_Header never_fields[16];

static int
run_our_never_encode (void *ctx)
{
  static unsigned char wire[8192];
  SocketHPACK_Encoder_T e = ctx;
  size_t sum = 0;
  for (int r = 0; r < HUFF_REPS; r++)
    {
      ssize_t n = SocketHPACK_Encoder_encode (e, never_fields, 16, wire, sizeof wire);
      if (n <= 0)
        return 0;
      sum += (size_t)n;
    }
  return sum > 0;
}

#ifdef BENCH_WITH_NGHTTP2
struct indexed_ng
{
  nghttp2_hd_inflater *inf;
};

static int
run_ng_indexed (void *ctx)
{
  struct indexed_ng *x = ctx;
  size_t bytes = 0;
  for (int r = 0; r < INDEXED_REPS; r++)
    {
      const uint8_t *in = indexed_block;
      size_t len = sizeof indexed_block;
      for (;;)
        {
          nghttp2_nv nv;
          int flags = 0;
          ssize_t rv = nghttp2_hd_inflate_hd2 (x->inf, &nv, &flags, in, len, 1);
          if (rv < 0)
            return 0;
          in += rv;
          len -= (size_t)rv;
          if (flags & NGHTTP2_HD_INFLATE_EMIT)
            bytes += nv.namelen + nv.valuelen;
          if (flags & NGHTTP2_HD_INFLATE_FINAL)
            break;
        }
      nghttp2_hd_inflate_end_headers (x->inf);
    }
  return bytes == INDEXED_REPS * indexed_block_bytes;
}

static nghttp2_nv never_nv[16];

static int
run_ng_never_encode (void *ctx)
{
  static unsigned char wire[8192];
  nghttp2_hd_deflater *def = ctx;
  size_t sum = 0;
  for (int r = 0; r < HUFF_REPS; r++)
    {
      ssize_t n = nghttp2_hd_deflate_hd (def, wire, sizeof wire, never_nv, 16);
      if (n <= 0)
        return 0;
      sum += (size_t)n;
    }
  return sum > 0;
}
#endif

static void
bench_isolated (void)
{
  struct indexed_ours io;
  struct huff_strings hs;
  size_t n;
  SocketHPACK_Header tmp[16];

  indexed_init ();
  io.arena = Arena_new ();
  io.scratch = Arena_new ();
  io.d = SocketHPACK_Decoder_new (NULL, io.arena);
  if (SocketHPACK_Decoder_decode (io.d, indexed_setup_wire, indexed_setup_len, tmp, 16, &n, io.scratch) != HPACK_OK)
    exit (1);
  hs.total = 0;
  for (int i = 0; i < 16; i++)
    {
      hs.s[i] = (const unsigned char *)typical[i][1];
      hs.len[i] = strlen (typical[i][1]);
      hs.coded[i] = SocketHPACK_huffman_encoded_size (hs.s[i], hs.len[i]);
      hs.total += hs.coded[i];
      never_fields[i] = (SocketHPACK_Header){ typical[i][0], strlen (typical[i][0]), typical[i][1], hs.len[i], 1 };
    }
  size_t huff_in = 0;
  for (int i = 0; i < 16; i++)
    huff_in += hs.len[i];
  Arena_T earena = Arena_new ();
  SocketHPACK_Encoder_T enc = SocketHPACK_Encoder_new (NULL, earena);
#ifdef BENCH_WITH_NGHTTP2
  struct indexed_ng ng;
  nghttp2_hd_deflater *def;
  if (nghttp2_hd_inflate_new (&ng.inf) != 0 || nghttp2_hd_deflate_new (&def, 4096) != 0)
    exit (1);
  {
    const uint8_t *in = indexed_setup_wire;
    size_t len = indexed_setup_len;
    for (;;)
      {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t rv = nghttp2_hd_inflate_hd2 (ng.inf, &nv, &flags, in, len, 1);
        if (rv < 0)
          exit (1);
        in += rv;
        len -= (size_t)rv;
        if (flags & NGHTTP2_HD_INFLATE_FINAL)
          break;
      }
    nghttp2_hd_inflate_end_headers (ng.inf);
  }
  for (int i = 0; i < 16; i++)
    never_nv[i] = (nghttp2_nv){ (uint8_t *)never_fields[i].name, (uint8_t *)never_fields[i].value,
                                never_fields[i].name_len, never_fields[i].value_len, NGHTTP2_NV_FLAG_NO_INDEX };
  struct contender c[] = {
    { run_ng_indexed, &ng, "nghttp2 indexed", 0, 0 },
    { run_our_indexed, &io, "indexed", 0, 0 },
    { run_huff_strings, &hs, "huffman strings", 0, 0 },
    { run_ng_never_encode, def, "nghttp2 never-indexed", 0, 0 },
    { run_our_never_encode, enc, "never-indexed", 0, 0 },
  };
  measure (c, sizeof c / sizeof c[0]);
  double ng_idx = c[0].best, our_idx = c[1].best, huff = c[2].best, ng_nev = c[3].best, our_nev = c[4].best;
#else
  struct contender c[] = {
    { run_our_indexed, &io, "indexed", 0, 0 },
    { run_huff_strings, &hs, "huffman strings", 0, 0 },
    { run_our_never_encode, enc, "never-indexed", 0, 0 },
  };
  measure (c, sizeof c / sizeof c[0]);
  double our_idx = c[0].best, huff = c[1].best, our_nev = c[2].best;
#endif
  double idx_bytes = (double)(INDEXED_REPS * indexed_block_bytes), huff_bytes = (double)(HUFF_REPS * huff_in);
  printf ("indexed-only block (32 fields: 16 static, 16 dynamic; %zu name+value bytes):\n", indexed_block_bytes);
#ifdef BENCH_WITH_NGHTTP2
  printf ("  nghttp2 inflater                   %8.3f GB/s\n", idx_bytes / ng_idx / 1e9);
  printf ("  SocketHPACK decoder                %8.3f GB/s   x%.2f\n", idx_bytes / our_idx / 1e9, ng_idx / our_idx);
#else
  printf ("  SocketHPACK decoder                %8.3f GB/s\n", idx_bytes / our_idx / 1e9);
#endif
  printf ("Huffman encode of 16 typical header values (%zu bytes, one call each):\n", huff_in);
  printf ("  SocketHPACK_huffman_encode         %8.3f GB/s of input\n", huff_bytes / huff / 1e9);
#ifdef BENCH_WITH_NGHTTP2
  printf ("  nghttp2 deflater, never-indexed    %8.3f GB/s of value bytes\n", huff_bytes / ng_nev / 1e9);
  printf ("  SocketHPACK encoder, never-indexed %8.3f GB/s of value bytes   x%.2f\n", huff_bytes / our_nev / 1e9,
          ng_nev / our_nev);
  nghttp2_hd_inflate_del (ng.inf);
  nghttp2_hd_deflate_del (def);
#else
  printf ("  SocketHPACK encoder, never-indexed %8.3f GB/s of value bytes\n", huff_bytes / our_nev / 1e9);
#endif
  Arena_dispose (&earena);
  Arena_dispose (&io.scratch);
  Arena_dispose (&io.arena);
}

/* ===================================================================== */
/* Setup and report                                                       */
/* ===================================================================== */

static void
load_stories (const char *dir)
{
  size_t nfiles;
  char **files = hpack_story_list (dir, &nfiles);
  if (files == NULL)
    {
      fprintf (stderr, "bench_hpack: no stories in %s\n", dir);
      exit (1);
    }
  stories = calloc (nfiles, sizeof *stories);
  for (size_t f = 0; f < nfiles; f++)
    {
      struct hpack_story s; /* kept for the process lifetime: fields point into it */
      if (hpack_story_load (files[f], &s) != 0)
        exit (1);
      struct story *st = &stories[nstories++];
      st->blocks = calloc (s.count, sizeof *st->blocks);
      st->count = s.count;
      for (size_t i = 0; i < s.count; i++)
        {
          struct block *b = &st->blocks[i];
          b->count = s.cases[i].count < MAX_FIELDS ? s.cases[i].count : MAX_FIELDS;
          b->fields = calloc (b->count + 1, sizeof *b->fields);
          for (size_t k = 0; k < b->count; k++)
            {
              const struct hpack_story_header *x = &s.cases[i].headers[k];
              b->fields[k] = (SocketHPACK_Header){ x->name, x->name_len, x->value, x->value_len, 0 };
              raw_bytes += x->name_len + x->value_len;
            }
          field_total += b->count;
#ifdef BENCH_WITH_NGHTTP2
          b->nv = to_nv (b);
#endif
        }
      block_total += s.count;
    }
  hpack_story_list_free (files, nfiles);
}

static void
report (const char *what, double seconds, double base)
{
  printf ("  %-34s %8.2f ms/pass %8.0f MB/s %9.0f fields/ms", what, seconds * 1e3,
          (double)raw_bytes / seconds / 1e6, (double)field_total / seconds / 1e3);
  if (base > 0)
    printf ("   x%.2f", base / seconds);
  printf ("\n");
}

int
main (int argc, char **argv)
{
  char dir[1024];
  size_t ours_total = 0;

  if (argc > 1 && strcmp (argv[1], "--isolated") == 0)
    {
      bench_isolated ();
      return 0;
    }
  snprintf (dir, sizeof dir, "%s/hpack/raw-data", argc > 1 ? argv[1] : SOCKET_TESTDATA_DIR);
  load_stories (dir);
  bench_arena = Arena_new ();
  bench_scratch = Arena_new ();
  for (size_t k = 0; k < nstories; k++)
    ours_total += our_encode_story (&stories[k], 1);
  printf ("HPACK: %zu stories, %zu header lists, %zu fields, %zu name+value bytes\n", nstories,
          block_total, field_total, raw_bytes);
  printf ("(MB/s and fields/ms count decoded name+value bytes and fields; xN = speed vs nghttp2)\n");

#ifdef BENCH_WITH_NGHTTP2
  size_t theirs_total = 0;
  for (size_t k = 0; k < nstories; k++)
    theirs_total += ng_encode_story (&stories[k], 1);
  printf ("compression: ours %zu bytes (%.2f%%), nghttp2 %zu bytes (%.2f%%) of %zu\n", ours_total,
          100.0 * (double)ours_total / (double)raw_bytes, theirs_total,
          100.0 * (double)theirs_total / (double)raw_bytes, raw_bytes);
  compression_without_sensitive ();
  struct contender c[] = {
    { run_ng_decode_theirs, NULL, "nghttp2 decode", 0, 0 },
    { run_our_decode_theirs, NULL, "decode nghttp2 wire", 0, 0 },
    { run_ng_decode_ours, NULL, "nghttp2 decode ours", 0, 0 },
    { run_our_decode_ours, NULL, "decode", 0, 0 },
    { run_ng_encode, &theirs_total, "nghttp2 encode", 0, 0 },
    { run_our_encode, &ours_total, "encode", 0, 0 },
  };
  measure (c, sizeof c / sizeof c[0]);
  double ng_dec_t = c[0].best, our_dec_t = c[1].best, ng_dec_o = c[2].best, our_dec_o = c[3].best;
  double ng_enc = c[4].best, our_enc = c[5].best;
  printf ("decode:\n");
  report ("nghttp2 inflater, nghttp2 wire", ng_dec_t, 0);
  report ("SocketHPACK decoder, nghttp2 wire", our_dec_t, ng_dec_t);
  report ("nghttp2 inflater, our wire", ng_dec_o, 0);
  report ("SocketHPACK decoder, our wire", our_dec_o, ng_dec_o);
  printf ("encode:\n");
  report ("nghttp2 deflater", ng_enc, 0);
  report ("SocketHPACK encoder", our_enc, ng_enc);
#else
  printf ("compression: ours %zu bytes (%.2f%%) of %zu (nghttp2 not found: no comparison)\n", ours_total,
          100.0 * (double)ours_total / (double)raw_bytes, raw_bytes);
  printf ("decode:\n");
  struct contender c[] = { { run_our_decode_ours, NULL, "decode", 0, 0 },
                           { run_our_encode, &ours_total, "encode", 0, 0 } };
  measure (c, 2);
  report ("SocketHPACK decoder", c[0].best, 0);
  printf ("encode:\n");
  report ("SocketHPACK encoder", c[1].best, 0);
#endif
  bench_huffman ();
  bench_isolated ();
  Arena_dispose (&bench_scratch);
  Arena_dispose (&bench_arena);
  return 0;
}
