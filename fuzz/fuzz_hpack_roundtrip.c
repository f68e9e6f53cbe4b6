/*
 * fuzz_hpack_roundtrip.c - arbitrary header lists through our encoder and
 * back through our decoder: every block that encodes decodes to the same
 * list (never-indexed fields stay so), across table size changes and
 * output buffers too small to hold a block (which the encoder must
 * recover from without desynchronising the peer).
 *
 * Input: byte 0 options (bit 0 Huffman, bit 1 indexing, bits 2-3 encoder
 * table size: 4096, 256, 0, 1024; bit 4 gives the decoder that size too,
 * else it starts at 4096 like a peer). Then blocks: a byte whose bits 0-3 are
 * the field count, bit 6 asks for a tight output buffer (size from the
 * next byte) and bit 7 for a table size change (next 2 bytes, big
 * endian). Each field: a flags byte (bit 0 never_index; bits 1-3 pick a
 * well-known name, 0 = literal name), the name (length byte + bytes) if
 * literal, and the value (length byte + bytes).
 */
#include <string.h>
#include <strings.h>

#include "core/Arena.h"
#include "fuzz_common.h"
#include "http/SocketHPACK.h"

#define MAX_FIELDS 16

struct cursor
{
  const uint8_t *p, *end;
};

static int
take (struct cursor *c, size_t n, const uint8_t **out)
{
  if ((size_t)(c->end - c->p) < n)
    return 0;
  *out = c->p;
  c->p += n;
  return 1;
}

static int
take_string (struct cursor *c, const char **s, size_t *len)
{
  const uint8_t *l, *bytes;
  if (!take (c, 1, &l))
    return 0;
  *len = *l;
  if (!take (c, *len, &bytes))
    return 0;
  *s = (const char *)bytes;
  return 1;
}

static const char *const known[] = { NULL, ":path", "cookie", "content-type", "Authorization",
                                     "x-custom", "", "set-cookie" };

/* Parses one block's fields; returns the count, or -1 at end of input. */
static int
parse_fields (struct cursor *c, unsigned count, SocketHPACK_Header *h)
{
  for (unsigned i = 0; i < count; i++)
    {
      const uint8_t *flags;
      if (!take (c, 1, &flags))
        return -1;
      unsigned pick = (*flags >> 1) & 7;
      if (pick == 0)
        {
          if (!take_string (c, &h[i].name, &h[i].name_len))
            return -1;
        }
      else
        {
          h[i].name = known[pick];
          h[i].name_len = strlen (known[pick]);
        }
      if (!take_string (c, &h[i].value, &h[i].value_len))
        return -1;
      h[i].never_index = *flags & 1;
    }
  return (int)count;
}

static void
check_same (const SocketHPACK_Header *in, const SocketHPACK_Header *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      CHECK (out[i].name_len == in[i].name_len && out[i].value_len == in[i].value_len);
      /* A name in the static table is sent by index, so it comes back in
       * the table's lowercase (names match case-insensitively). */
      CHECK (in[i].name_len == 0 || memcmp (out[i].name, in[i].name, in[i].name_len) == 0
             || (SocketHPACK_static_find (in[i].name, in[i].name_len, NULL, 0) != 0
                 && strncasecmp (out[i].name, in[i].name, in[i].name_len) == 0));
      CHECK (in[i].value_len == 0 || memcmp (out[i].value, in[i].value, in[i].value_len) == 0);
      CHECK (!in[i].never_index || out[i].never_index);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const size_t tables[4] = { 4096, 256, 0, 1024 };
  static unsigned char wire[1 << 14];
  SocketHPACK_EncoderConfig cfg;
  struct cursor c = { data + 1, data + size };
  const uint8_t *b, *x;

  if (size < 1)
    return 0;
  SocketHPACK_encoder_config_defaults (&cfg);
  cfg.huffman_encode = data[0] & 1;
  cfg.use_indexing = (data[0] >> 1) & 1;
  cfg.max_table_size = tables[(data[0] >> 2) & 3];
  Arena_T arena = Arena_new (), out = Arena_new ();
  SocketHPACK_Encoder_T e = SocketHPACK_Encoder_new (&cfg, arena);
  /* The peer starts at 4096 (bit 4 clear), or was created with the
   * encoder's size, taken as in force. An encoder with a smaller table
   * does not announce it, so the peer's table then holds a superset. */
  SocketHPACK_DecoderConfig dcfg;
  SocketHPACK_decoder_config_defaults (&dcfg);
  if (data[0] & 0x10)
    dcfg.max_table_size = cfg.max_table_size;
  SocketHPACK_Decoder_T d = SocketHPACK_Decoder_new (&dcfg, arena);
  while (take (&c, 1, &b))
    {
      SocketHPACK_Header in[MAX_FIELDS], got[MAX_FIELDS];
      size_t room = sizeof wire, n;
      if ((*b & 0x40) && take (&c, 1, &x))
        room = *x;
      if ((*b & 0x80) && take (&c, 2, &x))
        {
          size_t s = (size_t)x[0] << 8 | x[1];
          SocketHPACK_Encoder_set_table_size (e, s);
          SocketHPACK_Decoder_set_table_size (d, s);
        }
      int count = parse_fields (&c, *b & 15, in);
      if (count < 0)
        break;
      ssize_t len = SocketHPACK_Encoder_encode (e, in, (size_t)count, wire, room);
      if (len < 0)
        {
          CHECK (room < sizeof wire);
          continue; /* never sent: the encoder resynchronises next block */
        }
      CHECK (SocketHPACK_Decoder_decode (d, wire, (size_t)len, got, MAX_FIELDS, &n, out) == HPACK_OK);
      CHECK (n == (size_t)count);
      check_same (in, got, n);
      size_t es = SocketHPACK_Table_size (SocketHPACK_Encoder_get_table (e));
      size_t ds = SocketHPACK_Table_size (SocketHPACK_Decoder_get_table (d));
      CHECK (es <= ds);
      if (data[0] & 0x10)
        CHECK (es == ds);
      Arena_clear (out);
    }
  Arena_dispose (&out);
  Arena_dispose (&arena);
  return 0;
}
