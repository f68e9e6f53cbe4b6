/*
 * fuzz_hpack_diff.c - differential: SocketHPACK's decoder against
 * nghttp2's inflater on the same blocks (format in fuzz_hpack.h), with the
 * same table size settings. Both must accept or both reject each block,
 * and agree on the fields and their never-indexed flags. Built only when
 * libnghttp2 is found.
 *
 * Our limits are set out of reach (a block cannot reach them), so only
 * HPACK itself is compared. Deliberate differences are documented in
 * docs/HTTP.md ("HPACK"); the harness stops at them (see
 * strictness_difference()).
 */
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "core/Arena.h"
#include "fuzz_common.h"
#include "fuzz_hpack.h"
#include "http/SocketHPACK.h"

#define MAX_FIELDS 4096

struct ng_field
{
  const uint8_t *name, *value;
  size_t name_len, value_len;
  int never;
};

/* Inflates one block; returns the field count, or -1 if rejected. The
 * fields point into the inflater and stay valid until the next call. */
static long
ng_inflate (nghttp2_hd_inflater *inf, const uint8_t *in, size_t len, struct ng_field *f, Arena_T keep)
{
  long n = 0;
  for (;;)
    {
      nghttp2_nv nv;
      int flags = 0;
      ssize_t rv = nghttp2_hd_inflate_hd2 (inf, &nv, &flags, in, len, 1);
      if (rv < 0)
        return -1;
      in += rv;
      len -= (size_t)rv;
      if (flags & NGHTTP2_HD_INFLATE_EMIT)
        {
          if (n == MAX_FIELDS)
            return -1;
          /* Copy: nghttp2 may release the buffers on the next call. */
          uint8_t *s = ALLOC (keep, nv.namelen + nv.valuelen + 1);
          memcpy (s, nv.name, nv.namelen);
          memcpy (s + nv.namelen, nv.value, nv.valuelen);
          f[n] = (struct ng_field){ s, s + nv.namelen, nv.namelen, nv.valuelen,
                                    (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0 };
          n++;
        }
      if (flags & NGHTTP2_HD_INFLATE_FINAL)
        {
          nghttp2_hd_inflate_end_headers (inf);
          return n;
        }
      if (rv == 0 && len == 0)
        return -1;
    }
}

/* Known difference (docs/MIGRATION-hpack.md): like the original library,
 * SocketHPACK_Decoder_set_table_size() only bounds the peer's updates,
 * while nghttp2 also shrinks its table at once and rejects the next block
 * if it does not start with an update. The harness shrinks our table too
 * (so both stay comparable) and stops where only nghttp2 rejects a block
 * for the missing update. */
static void
lower_setting (SocketHPACK_Decoder_T d, size_t s, int *owed)
{
  SocketHPACK_Table_T t = SocketHPACK_Decoder_get_table (d);
  if (s < SocketHPACK_Table_max_size (t))
    {
      *owed = 1;
      SocketHPACK_Table_set_max_size (t, s);
    }
  SocketHPACK_Decoder_set_table_size (d, s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static SocketHPACK_Header ours[MAX_FIELDS];
  static struct ng_field theirs[MAX_FIELDS];
  SocketHPACK_DecoderConfig cfg;
  nghttp2_hd_inflater *inf;
  struct fuzz_hpack_reader r;
  const uint8_t *block;
  size_t len, capacity;
  long resize;

  if (size < 1 || nghttp2_hd_inflate_new (&inf) != 0)
    return 0;
  /* Start both at 4096 and apply the chosen size as an acknowledged
   * setting, so both expect the same size update. */
  capacity = fuzz_hpack_table_sizes[data[0] & 3];
  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_table_size = capacity > SOCKETHPACK_DEFAULT_TABLE_SIZE ? capacity : SOCKETHPACK_DEFAULT_TABLE_SIZE;
  cfg.max_header_size = 1 << 20;
  cfg.max_header_list_size = (size_t)1 << 40;
  Arena_T arena = Arena_new (), out = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&cfg, arena);
  int owed = 0;
  lower_setting (d, capacity, &owed);
  CHECK (nghttp2_hd_inflate_change_table_size (inf, capacity) == 0);
  r.p = data + 1;
  r.end = data + size;
  while (fuzz_hpack_next (&r, &block, &len, &resize))
    {
      size_t n;
      if (resize >= 0)
        {
          size_t s = (size_t)resize < cfg.max_table_size ? (size_t)resize : cfg.max_table_size;
          lower_setting (d, s, &owed);
          CHECK (nghttp2_hd_inflate_change_table_size (inf, s) == 0);
        }
      SocketHPACK_Result res = SocketHPACK_Decoder_decode (d, block, len, ours, MAX_FIELDS, &n, out);
      long m = ng_inflate (inf, block, len, theirs, out);
      if (owed && res == HPACK_OK && m < 0)
        break;
      owed = 0;
      CHECK ((res == HPACK_OK) == (m >= 0));
      if (res != HPACK_OK)
        break;
      CHECK ((long)n == m);
      for (size_t i = 0; i < n; i++)
        {
          CHECK (ours[i].name_len == theirs[i].name_len && ours[i].value_len == theirs[i].value_len);
          CHECK (memcmp (ours[i].name, theirs[i].name, ours[i].name_len) == 0);
          CHECK (memcmp (ours[i].value, theirs[i].value, ours[i].value_len) == 0);
          CHECK (ours[i].never_index == theirs[i].never);
        }
      CHECK (SocketHPACK_Table_size (SocketHPACK_Decoder_get_table (d))
             == nghttp2_hd_inflate_get_dynamic_table_size (inf));
      Arena_clear (out);
    }
  nghttp2_hd_inflate_del (inf);
  Arena_dispose (&out);
  Arena_dispose (&arena);
  return 0;
}
