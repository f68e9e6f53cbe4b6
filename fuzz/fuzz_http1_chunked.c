/*
 * fuzz_http1_chunked.c - the chunked body decoder.
 *
 * The input (after 3 option bytes, as in fuzz_http1_common.h) is the body
 * of "POST / HTTP/1.1 ... Transfer-Encoding: chunked". Besides the split /
 * output-size / scanner agreement of h1_fuzz, a body that decodes is
 * re-encoded with SocketHTTP1_chunk_encode/chunk_final (pieces sized from
 * the input) and must decode to the same bytes and trailers.
 */
#include "fuzz_http1_common.h"

static const char head[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

/* Decodes head+body in one piece; returns 1 when complete. */
static int
decode (const SocketHTTP1_Config *cfg, const char *msg, size_t len, char *out, size_t *out_len,
        Arena_T arena, SocketHTTP_Headers_T *trailers)
{
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, cfg, arena);
  size_t used, w;
  if (SocketHTTP1_Parser_execute (p, msg, len, &used) != HTTP1_OK)
    return 0;
  if (SocketHTTP1_Parser_read_body (p, msg + used, len - used, &used, out, *out_len, &w)
      != HTTP1_OK)
    return 0;
  *out_len = w;
  *trailers = SocketHTTP1_Parser_get_trailers (p);
  return 1;
}

static void
round_trip (const uint8_t *data, size_t size)
{
  SocketHTTP1_Config cfg;
  Arena_T arena = Arena_new ();
  size_t blen = size - 3, msg_len = sizeof (head) - 1 + blen, out_len = blen, out2_len;
  char *msg = xmalloc (msg_len), *out = xmalloc (blen), *enc, *out2;
  SocketHTTP_Headers_T trailers, trailers2;
  SocketHTTP1_config_defaults (&cfg);
  cfg.strict_mode = !(data[0] & 1);
  memcpy (msg, head, sizeof (head) - 1);
  memcpy (msg + sizeof (head) - 1, data + 3, blen);
  if (decode (&cfg, msg, msg_len, out, &out_len, arena, &trailers))
    {
      size_t piece = (size_t)data[2] + 1, cap = sizeof (head) + 3 * out_len + 64 * 1024, o;
      ssize_t n;
      enc = xmalloc (cap);
      memcpy (enc, head, sizeof (head) - 1);
      o = sizeof (head) - 1;
      for (size_t k = 0; k < out_len; k += piece)
        {
          size_t take = out_len - k < piece ? out_len - k : piece;
          n = SocketHTTP1_chunk_encode (out + k, take, enc + o, cap - o);
          CHECK (n > 0 && (size_t)n == SocketHTTP1_chunk_encode_size (take));
          o += (size_t)n;
        }
      n = SocketHTTP1_chunk_final (enc + o, cap - o, trailers);
      CHECK (n > 0);
      o += (size_t)n;
      out2 = xmalloc (out_len + 1);
      out2_len = out_len + 1;
      cfg.max_chunk_size = piece;
      CHECK (decode (&cfg, enc, o, out2, &out2_len, arena, &trailers2));
      CHECK (out2_len == out_len && memcmp (out, out2, out_len) == 0);
      CHECK (SocketHTTP_Headers_count (trailers2) == SocketHTTP_Headers_count (trailers));
      free (out2);
      free (enc);
    }
  free (out);
  free (msg);
  Arena_dispose (&arena);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *buf;
  if (size < 3)
    return 0;
  /* h1_fuzz on the same options with the head prepended */
  buf = xmalloc (size + sizeof (head) - 1);
  memcpy (buf, data, 3);
  memcpy (buf + 3, head, sizeof (head) - 1);
  memcpy (buf + 3 + sizeof (head) - 1, data + 3, size - 3);
  buf[0] &= 0x9F; /* default head limits: the head must parse */
  h1_fuzz (HTTP1_PARSE_REQUEST, buf, size + sizeof (head) - 1);
  free (buf);
  round_trip (data, size);
  return 0;
}
