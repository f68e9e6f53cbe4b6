/*
 * test_hpack_conformance.c - SocketHPACK against data nobody here wrote:
 * the hpack-test-case stories (../shared/testdata/hpack).
 *
 * - decode: every case of every story of the encoder folders (go-hpack,
 *   nghttp2, nghttp2-change-table-size, swift-nio-hpack-plain-text: 13,419
 *   cases), in order and sharing one decoder per story, applying
 *   header_table_size before the case, yields exactly the expected list;
 * - encode: every raw-data story, encoded by our encoder in several
 *   configurations (defaults, no Huffman, no indexing, a 256-byte table,
 *   table size changes between blocks), decodes back identically with our
 *   decoder and, when libnghttp2 is available, with nghttp2's inflater.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "Test.h"
#include "core/Arena.h"
#include "hpack_story.h"
#include "http/SocketHPACK.h"

#ifdef HAVE_NGHTTP2
#include <nghttp2/nghttp2.h>
#endif

#define HPACK_DIR SOCKET_TESTDATA_DIR "/hpack"
#define EXPECTED_WIRE_CASES 13419
#define MAX_FIELDS 256

static int
have_testdata (void)
{
  struct stat st;
  return stat (HPACK_DIR "/raw-data", &st) == 0 && S_ISDIR (st.st_mode);
}

static int
fields_match (const SocketHPACK_Header *got, size_t n, const struct hpack_story_case *c)
{
  if (n != c->count)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      const struct hpack_story_header *w = &c->headers[i];
      if (got[i].name_len != w->name_len || got[i].value_len != w->value_len
          || memcmp (got[i].name, w->name, w->name_len) != 0
          || memcmp (got[i].value, w->value, w->value_len) != 0)
        return 0;
    }
  return 1;
}

/* Decodes every case of one story; returns the number that matched. */
static size_t
decode_story (const struct hpack_story *s, const char *path, size_t *failures_shown)
{
  Arena_T arena = Arena_new (), scratch = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  SocketHPACK_Header h[MAX_FIELDS];
  size_t ok = 0;

  for (size_t i = 0; i < s->count; i++)
    {
      const struct hpack_story_case *c = &s->cases[i];
      size_t n = 0;
      if (c->table_size >= 0)
        SocketHPACK_Decoder_set_table_size (d, (size_t)c->table_size);
      SocketHPACK_Result r = SocketHPACK_Decoder_decode (d, c->wire, c->wire_len, h, MAX_FIELDS, &n, scratch);
      if (r == HPACK_OK && fields_match (h, n, c))
        ok++;
      else if ((*failures_shown)++ < 10)
        fprintf (stderr, "  %s case %zu: %s, %zu fields (want %zu)\n", path, i,
                 SocketHPACK_result_string (r), n, c->count);
      Arena_clear (scratch);
    }
  Arena_dispose (&scratch);
  Arena_dispose (&arena);
  return ok;
}

TEST (decode_all_encoder_stories)
{
  static const char *const dirs[]
      = { "go-hpack", "nghttp2", "nghttp2-change-table-size", "swift-nio-hpack-plain-text" };
  size_t total = 0, passed = 0, shown = 0;

  if (!have_testdata ())
    TEST_SKIP ("%s not found", HPACK_DIR);
  for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++)
    {
      char dir[1024];
      size_t nfiles, dir_total = 0, dir_passed = 0;
      snprintf (dir, sizeof dir, "%s/%s", HPACK_DIR, dirs[k]);
      char **files = hpack_story_list (dir, &nfiles);
      ASSERT (files != NULL);
      for (size_t f = 0; f < nfiles; f++)
        {
          struct hpack_story s;
          ASSERT_EQ (hpack_story_load (files[f], &s), 0);
          dir_total += s.count;
          dir_passed += decode_story (&s, files[f], &shown);
          hpack_story_free (&s);
        }
      hpack_story_list_free (files, nfiles);
      printf ("  %-28s %5zu/%zu cases decoded\n", dirs[k], dir_passed, dir_total);
      total += dir_total;
      passed += dir_passed;
    }
  printf ("  %-28s %5zu/%zu cases decoded\n", "total", passed, total);
  ASSERT_EQ (passed, total);
  ASSERT_EQ (total, EXPECTED_WIRE_CASES);
}

/* ===================================================================== */
/* Encoder round trips                                                    */
/* ===================================================================== */

struct variant
{
  const char *name;
  size_t table;    /* encoder max_table_size */
  int huffman, indexing;
  int resize;      /* change the table size every few blocks */
};

static const struct variant variants[] = {
  { "defaults", 4096, 1, 1, 0 },     { "no huffman", 4096, 0, 1, 0 }, { "no indexing", 4096, 1, 0, 0 },
  { "256-byte table", 256, 1, 1, 0 }, { "size changes", 4096, 1, 1, 1 },
};

struct peers
{
  SocketHPACK_Encoder_T enc;
  SocketHPACK_Decoder_T dec;
#ifdef HAVE_NGHTTP2
  nghttp2_hd_inflater *inf;
#endif
};

#ifdef HAVE_NGHTTP2
/* Inflates one block with nghttp2 and compares it with the case. */
static int
nghttp2_matches (nghttp2_hd_inflater *inf, const uint8_t *in, size_t len, const struct hpack_story_case *c)
{
  size_t k = 0;
  for (;;)
    {
      nghttp2_nv nv;
      int flags = 0;
      ssize_t rv = nghttp2_hd_inflate_hd2 (inf, &nv, &flags, in, len, 1);
      if (rv < 0)
        return 0;
      in += rv;
      len -= (size_t)rv;
      if (flags & NGHTTP2_HD_INFLATE_EMIT)
        {
          const struct hpack_story_header *w = &c->headers[k];
          if (k == c->count || nv.namelen != w->name_len || nv.valuelen != w->value_len
              || memcmp (nv.name, w->name, w->name_len) != 0 || memcmp (nv.value, w->value, w->value_len) != 0)
            return 0;
          k++;
        }
      if (flags & NGHTTP2_HD_INFLATE_FINAL)
        {
          nghttp2_hd_inflate_end_headers (inf);
          break;
        }
      if (rv == 0 && len == 0)
        return 0;
    }
  return k == c->count;
}
#endif

/* The table sizes a "size changes" story cycles through. */
static const size_t resize_steps[] = { 1024, 0, 4096, 100, 2048, 4096 };

/* Encodes one case and checks both decoders; returns 1 if both agree. */
static int
roundtrip_case (struct peers *p, const struct variant *v, const struct hpack_story_case *c, size_t i,
                Arena_T scratch, int *nghttp2_ok)
{
  SocketHPACK_Header in[MAX_FIELDS], out[MAX_FIELDS];
  static unsigned char wire[1 << 16];
  size_t n = 0;

  if (c->count > MAX_FIELDS)
    return 0;
  for (size_t k = 0; k < c->count; k++)
    in[k] = (SocketHPACK_Header){ c->headers[k].name, c->headers[k].name_len, c->headers[k].value,
                                  c->headers[k].value_len, 0 };
  if (v->resize && i % 7 == 6)
    {
      size_t size = resize_steps[(i / 7) % (sizeof resize_steps / sizeof resize_steps[0])];
      SocketHPACK_Encoder_set_table_size (p->enc, size);
      SocketHPACK_Decoder_set_table_size (p->dec, size);
#ifdef HAVE_NGHTTP2
      if (nghttp2_hd_inflate_change_table_size (p->inf, size) != 0)
        *nghttp2_ok = 0;
#endif
    }
  ssize_t len = SocketHPACK_Encoder_encode (p->enc, in, c->count, wire, sizeof wire);
  if (len < 0)
    return 0;
#ifdef HAVE_NGHTTP2
  if (!nghttp2_matches (p->inf, wire, (size_t)len, c))
    *nghttp2_ok = 0;
#endif
  (void)nghttp2_ok;
  return SocketHPACK_Decoder_decode (p->dec, wire, (size_t)len, out, MAX_FIELDS, &n, scratch) == HPACK_OK
         && fields_match (out, n, c);
}

/* Runs every raw-data story through one encoder variant. */
static void
roundtrip_variant (const struct variant *v, char **files, size_t nfiles, size_t *cases, size_t *ours,
                   size_t *theirs)
{
  for (size_t f = 0; f < nfiles; f++)
    {
      struct hpack_story s;
      Arena_T arena = Arena_new (), scratch = Arena_new ();
      SocketHPACK_EncoderConfig cfg;
      struct peers p;

      if (hpack_story_load (files[f], &s) != 0)
        {
          Arena_dispose (&scratch);
          Arena_dispose (&arena);
          continue;
        }
      SocketHPACK_encoder_config_defaults (&cfg);
      cfg.max_table_size = v->table;
      cfg.huffman_encode = v->huffman;
      cfg.use_indexing = v->indexing;
      p.enc = SocketHPACK_Encoder_new (&cfg, arena);
      p.dec = SocketHPACK_Decoder_new (NULL, arena);
#ifdef HAVE_NGHTTP2
      if (nghttp2_hd_inflate_new (&p.inf) != 0)
        p.inf = NULL;
#endif
      for (size_t i = 0; i < s.count; i++)
        {
          int nghttp2_ok = 1;
#ifdef HAVE_NGHTTP2
          nghttp2_ok = p.inf != NULL;
#endif
          *ours += (size_t)roundtrip_case (&p, v, &s.cases[i], i, scratch, &nghttp2_ok);
          *theirs += (size_t)nghttp2_ok;
          (*cases)++;
          Arena_clear (scratch);
        }
#ifdef HAVE_NGHTTP2
      nghttp2_hd_inflate_del (p.inf);
#endif
      hpack_story_free (&s);
      Arena_dispose (&scratch);
      Arena_dispose (&arena);
    }
}

TEST (encode_raw_data_roundtrip)
{
  size_t nfiles;
  char **files;

  if (!have_testdata ())
    TEST_SKIP ("%s not found", HPACK_DIR);
  files = hpack_story_list (HPACK_DIR "/raw-data", &nfiles);
  ASSERT (files != NULL);
#ifndef HAVE_NGHTTP2
  fprintf (stderr, "  note: built without libnghttp2; checking our decoder only\n");
#endif
  for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++)
    {
      size_t cases = 0, ours = 0, theirs = 0;
      roundtrip_variant (&variants[k], files, nfiles, &cases, &ours, &theirs);
#ifdef HAVE_NGHTTP2
      printf ("  %-16s %zu/%zu by our decoder, %zu/%zu by nghttp2\n", variants[k].name, ours, cases, theirs,
              cases);
      ASSERT_EQ (theirs, cases);
#else
      printf ("  %-16s %zu/%zu by our decoder\n", variants[k].name, ours, cases);
#endif
      ASSERT_EQ (ours, cases);
      ASSERT_EQ (cases, 3384);
    }
  hpack_story_list_free (files, nfiles);
}

TEST_MAIN ()
