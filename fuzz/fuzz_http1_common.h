/*
 * fuzz_http1_common.h - shared driver of the HTTP/1.1 parser harnesses.
 *
 * A run feeds a byte string through one parser: heads with execute(),
 * content with read_body() (into an output buffer of a chosen size), the
 * next message after a reset while the connection may be reused. Every
 * observable result (result codes, start line, fields, trailers, body
 * bytes, keep-alive/upgrade/continue flags) is folded into a 64-bit
 * digest, so runs with different splits, output sizes and scanners can be
 * compared: any difference is a finding. Structural invariants are
 * checked on the way (CHECK aborts).
 */
#ifndef FUZZ_HTTP1_COMMON_H
#define FUZZ_HTTP1_COMMON_H

#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTP1-private.h"
#include "http/SocketHTTP1.h"

typedef struct
{
  uint64_t h;
} digest;

static inline void
dg_bytes (digest *d, const void *p, size_t n)
{
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    d->h = (d->h ^ b[i]) * 0x100000001B3ull;
  d->h = (d->h ^ n) * 0x100000001B3ull;
}

/* Body bytes: no length mixed in, so any chunking of the output gives
 * the same digest. */
static inline void
dg_stream (digest *d, const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    d->h = (d->h ^ (unsigned char)p[i]) * 0x100000001B3ull;
}

static inline void
dg_int (digest *d, long long v)
{
  dg_bytes (d, &v, sizeof (v));
}

static inline void
dg_str (digest *d, const char *s)
{
  dg_bytes (d, s ? s : "(null)", s ? strlen (s) : 6);
}

/* Fields must be tokens and field values, NUL-terminated at their length. */
static inline void
dg_headers (digest *d, SocketHTTP_Headers_T h, size_t max)
{
  size_t n = SocketHTTP_Headers_count (h);
  CHECK (n <= max);
  for (size_t i = 0; i < n; i++)
    {
      const SocketHTTP_Header *f = SocketHTTP_Headers_at (h, i);
      CHECK (SocketHTTP_header_name_valid (f->name, f->name_len));
      CHECK (SocketHTTP_header_value_valid (f->value, f->value_len));
      CHECK (f->name[f->name_len] == '\0' && f->value[f->value_len] == '\0');
      CHECK (SocketHTTP_Headers_get (h, f->name) != NULL);
      dg_bytes (d, f->name, f->name_len);
      dg_bytes (d, f->value, f->value_len);
    }
}

static inline void
dg_head (digest *d, SocketHTTP1_Parser_T p, const SocketHTTP1_Config *cfg)
{
  const SocketHTTP_Request *rq = SocketHTTP1_Parser_get_request (p);
  const SocketHTTP_Response *rs = SocketHTTP1_Parser_get_response (p);
  CHECK ((rq != NULL) != (rs != NULL));
  if (rq)
    {
      dg_int (d, rq->method);
      dg_int (d, rq->version);
      dg_str (d, SocketHTTP1_Parser_method_string (p));
      dg_str (d, rq->scheme);
      dg_str (d, rq->authority);
      dg_str (d, rq->path);
      dg_int (d, rq->content_length);
      dg_headers (d, rq->headers, cfg->max_headers);
    }
  else
    {
      CHECK (rs->status_code >= 100 && rs->status_code <= 999);
      dg_int (d, rs->status_code);
      dg_int (d, rs->version);
      dg_str (d, rs->reason_phrase);
      dg_int (d, rs->content_length);
      dg_headers (d, rs->headers, cfg->max_headers);
    }
  dg_int (d, SocketHTTP1_Parser_body_mode (p));
  dg_int (d, SocketHTTP1_Parser_expects_continue (p));
  dg_int (d, SocketHTTP1_Parser_is_upgrade (p));
  dg_str (d, SocketHTTP1_Parser_upgrade_protocol (p));
}

/* Parses @p len bytes cut into pieces at @p cuts (sorted, < len), with a
 * body output buffer of @p out_size bytes; returns the digest. */
static inline uint64_t
h1_run (SocketHTTP1_ParseMode mode, const SocketHTTP1_Config *cfg, const uint8_t *data,
        size_t len, const size_t *cuts, size_t ncuts, size_t out_size)
{
  Arena_T arena = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (mode, cfg, arena);
  char *out = xmalloc (out_size);
  digest d = { 0xCBF29CE484222325ull };
  size_t pos = 0, piece = 0, messages = 0;
  int headed = 0, stop = 0, failed = 0;
  while (pos < len && !stop)
    {
      size_t end = piece < ncuts ? cuts[piece] : len;
      if (end <= pos)
        {
          piece++;
          continue;
        }
      while (pos < end && !stop)
        {
          size_t used = 0, w = 0;
          SocketHTTP1_Result r;
          if (!headed)
            r = SocketHTTP1_Parser_execute (p, (const char *)data + pos, end - pos, &used);
          else
            r = SocketHTTP1_Parser_read_body (p, (const char *)data + pos, end - pos, &used, out,
                                              out_size, &w);
          CHECK (used <= end - pos && w <= out_size);
          CHECK (r >= HTTP1_OK && r <= HTTP1_ERROR_SMUGGLING_DETECTED);
          dg_stream (&d, out, w);
          pos += used;
          if (r >= HTTP1_ERROR)
            {
              CHECK (SocketHTTP1_Parser_state (p) == HTTP1_STATE_ERROR);
              CHECK (!SocketHTTP1_Parser_should_keepalive (p));
              dg_int (&d, r);
              stop = failed = 1;
              break;
            }
          if (!headed && r == HTTP1_OK)
            {
              headed = 1;
              dg_head (&d, p, cfg);
            }
          if (headed && SocketHTTP1_Parser_body_complete (p))
            {
              dg_int (&d, 1000 + SocketHTTP1_Parser_should_keepalive (p));
              dg_headers (&d, SocketHTTP1_Parser_get_trailers (p), cfg->max_headers);
              if (!SocketHTTP1_Parser_should_keepalive (p) || SocketHTTP1_Parser_is_upgrade (p)
                  || ++messages == 64)
                stop = 1;
              SocketHTTP1_Parser_reset (p);
              headed = 0;
            }
          else if (used == 0 && w == 0)
            {
              CHECK (headed && out_size == 0);
              stop = 1;
            }
        }
    }
  if (!failed) /* error offsets of limit errors depend on the split */
    dg_int (&d, (long long)pos);
  if (!stop) /* end of input: what EOF makes of the current message */
    {
      size_t used, w;
      SocketHTTP1_Result r = headed ? SocketHTTP1_Parser_read_body (p, NULL, 0, &used, out,
                                                                     out_size, &w)
                                    : SocketHTTP1_Parser_execute (p, NULL, 0, &used);
      dg_int (&d, r);
    }
  free (out);
  Arena_dispose (&arena);
  return d.h;
}

/* Split points from a seed: @p n sorted positions in [0, len]. */
static inline size_t
h1_cuts (size_t *cuts, size_t n, unsigned seed, size_t len)
{
  for (size_t k = 0; k < n; k++)
    {
      seed = seed * 1103515245u + 12345u;
      cuts[k] = len ? (seed >> 8) % (len + 1) : 0;
    }
  for (size_t a = 1; a < n; a++) /* insertion sort */
    for (size_t b = a; b > 0 && cuts[b - 1] > cuts[b]; b--)
      {
        size_t t = cuts[b];
        cuts[b] = cuts[b - 1];
        cuts[b - 1] = t;
      }
  return n;
}

/*
 * Input: byte 0 = options (bit 0 lenient, bit 1 obs-fold, bits 2-4 number
 * of split points, bits 5-7 small limits), byte 1 = split seed, byte 2 =
 * body output size; the rest is the message stream. Runs it whole, split,
 * byte by byte (up to 2 KiB) and with the portable scanners: all digests
 * must be equal.
 */
static inline int
h1_fuzz (SocketHTTP1_ParseMode mode, const uint8_t *data, size_t size)
{
  SocketHTTP1_Config cfg;
  size_t cuts[8], ncuts, len, *each;
  uint64_t whole;
  if (size < 3)
    return 0;
  SocketHTTP1_config_defaults (&cfg);
  cfg.strict_mode = !(data[0] & 1);
  cfg.allow_obs_fold = (data[0] >> 1) & 1;
  if (data[0] & 0x20)
    cfg.max_header_value = 40, cfg.max_header_name = 12, cfg.max_request_line = 64;
  if (data[0] & 0x40)
    cfg.max_headers = 3, cfg.max_header_size = 120, cfg.max_trailer_size = 30;
  if (data[0] & 0x80)
    cfg.max_chunk_size = 7;
  ncuts = h1_cuts (cuts, (data[0] >> 2) & 7, data[1], size - 3);
  len = size - 3;
  whole = h1_run (mode, &cfg, data + 3, len, NULL, 0, 65536);
  CHECK (h1_run (mode, &cfg, data + 3, len, cuts, ncuts, (size_t)data[2] + 1) == whole);
  SocketHTTP1__force_scalar = 1;
  CHECK (h1_run (mode, &cfg, data + 3, len, cuts, ncuts, 65536) == whole);
  SocketHTTP1__force_scalar = 0;
  if (len <= 2048)
    {
      each = xmalloc ((len + 1) * sizeof (*each));
      for (size_t k = 0; k < len; k++)
        each[k] = k + 1;
      CHECK (h1_run (mode, &cfg, data + 3, len, each, len, 3) == whole);
      free (each);
    }
  return 0;
}

#endif
