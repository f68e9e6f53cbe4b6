/*
 * fuzz_hpack_decode.c - SocketHPACK_Decoder_decode on arbitrary blocks
 * (format in fuzz_hpack.h), sharing one decoder across the blocks of an
 * input. Checks, for every block: no crash, leak or overread (each block
 * is copied to an exact-size allocation); the reported fields respect the
 * configured limits and are NUL-terminated; the table stays within its
 * maximum; and a block that decodes re-encodes (our encoder) and decodes
 * (a fresh decoder) to the same list.
 */
#include <string.h>

#include "core/Arena.h"
#include "fuzz_common.h"
#include "fuzz_hpack.h"
#include "http/SocketHPACK.h"

#define MAX_FIELDS 64

static void
check_fields (const SocketHPACK_Header *h, size_t n, const SocketHPACK_DecoderConfig *cfg, int ok)
{
  size_t list = 0;
  for (size_t i = 0; i < n; i++)
    {
      CHECK (h[i].name != NULL && h[i].value != NULL);
      CHECK (h[i].name[h[i].name_len] == '\0' && h[i].value[h[i].value_len] == '\0');
      CHECK (h[i].name_len + h[i].value_len <= cfg->max_header_size);
      list += h[i].name_len + h[i].value_len + SOCKETHPACK_ENTRY_OVERHEAD;
    }
  if (ok)
    CHECK (list <= cfg->max_header_list_size);
}

/* Our encoder's output for a decoded list decodes back to it. */
static void
check_reencode (const SocketHPACK_Header *h, size_t n)
{
  static unsigned char wire[1 << 17];
  SocketHPACK_Header back[MAX_FIELDS];
  size_t m;
  Arena_T arena = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (NULL, arena);
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (NULL, arena);
  ssize_t len = SocketHPACK_Encoder_encode (e, h, n, wire, sizeof wire);
  CHECK (len >= 0);
  CHECK (SocketHPACK_Decoder_decode (d, wire, (size_t)len, back, MAX_FIELDS, &m, arena) == HPACK_OK);
  CHECK (m == n);
  for (size_t i = 0; i < n; i++)
    {
      CHECK (back[i].name_len == h[i].name_len && back[i].value_len == h[i].value_len);
      CHECK (memcmp (back[i].name, h[i].name, h[i].name_len) == 0);
      CHECK (memcmp (back[i].value, h[i].value, h[i].value_len) == 0);
      CHECK (!h[i].never_index || back[i].never_index);
    }
  Arena_dispose (&arena);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SocketHPACK_DecoderConfig cfg;
  struct fuzz_hpack_reader r;
  const uint8_t *block;
  size_t len;
  long resize;

  if (size < 1)
    return 0;
  SocketHPACK_decoder_config_defaults (&cfg);
  cfg.max_table_size = fuzz_hpack_table_sizes[data[0] & 3];
  if (data[0] & 4)
    {
      cfg.max_header_size = 512;
      cfg.max_header_list_size = 4096;
    }
  Arena_T arena = Arena_new (), out = Arena_new ();
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&cfg, arena);
  SocketHPACK_Table_T t = SocketHPACK_Decoder_get_table (d);
  r.p = data + 1;
  r.end = data + size;
  while (fuzz_hpack_next (&r, &block, &len, &resize))
    {
      SocketHPACK_Header h[MAX_FIELDS];
      size_t n = MAX_FIELDS + 1;
      if (resize >= 0)
        SocketHPACK_Decoder_set_table_size (d, (size_t)resize);
      uint8_t *copy = xmalloc (len);
      memcpy (copy, block, len);
      SocketHPACK_Result res = SocketHPACK_Decoder_decode (d, copy, len, h, MAX_FIELDS, &n, out);
      free (copy);
      CHECK (n <= MAX_FIELDS);
      CHECK ((unsigned)res <= HPACK_ERROR_BOMB);
      CHECK (SocketHPACK_Table_size (t) <= SocketHPACK_Table_max_size (t));
      CHECK (SocketHPACK_Table_max_size (t) <= cfg.max_table_size);
      check_fields (h, n, &cfg, res == HPACK_OK);
      if (res == HPACK_OK)
        check_reencode (h, n);
      Arena_clear (out);
      if (res != HPACK_OK)
        break; /* a failed block is fatal for the connection */
    }
  Arena_dispose (&out);
  Arena_dispose (&arena);
  return 0;
}
