/*
 * bench_http1_llhttp.c - the llhttp side of bench_http1 (a separate
 * translation unit: llhttp.h's HTTP_STATUS_* enumerators collide with
 * SocketHTTP.h). Built only when Debian's node-llhttp C sources are found;
 * they are compiled into the benchmark, never into the library.
 */
#include <stddef.h>

#include "llhttp.h"

int bench_llhttp_parse (const char *data, size_t len, int spans, size_t expect_msgs);

typedef struct
{
  size_t msgs;
  size_t nspans;
  size_t span_off[64];
  size_t span_len[64];
  const char *base;
} bench_ctx;

static int
on_complete (llhttp_t *p)
{
  ((bench_ctx *)p->data)->msgs++;
  return 0;
}

/* Records header name/value spans, roughly the work our parser does to
 * keep every field. */
static int
on_span (llhttp_t *p, const char *at, size_t len)
{
  bench_ctx *c = p->data;
  size_t i = c->nspans++ & 63;
  c->span_off[i] = (size_t)(at - c->base);
  c->span_len[i] = len;
  return 0;
}

int
bench_llhttp_parse (const char *data, size_t len, int spans, size_t expect_msgs)
{
  llhttp_t parser;
  llhttp_settings_t settings;
  bench_ctx ctx = { 0, 0, { 0 }, { 0 }, data };
  llhttp_settings_init (&settings);
  settings.on_message_complete = on_complete;
  if (spans)
    {
      settings.on_url = on_span;
      settings.on_header_field = on_span;
      settings.on_header_value = on_span;
    }
  llhttp_init (&parser, HTTP_REQUEST, &settings);
  parser.data = &ctx;
  if (llhttp_execute (&parser, data, len) != HPE_OK)
    return 0;
  return ctx.msgs == expect_msgs;
}

/* One byte per llhttp_execute call. */
int bench_llhttp_bytewise (const char *data, size_t len);

int
bench_llhttp_bytewise (const char *data, size_t len)
{
  llhttp_t parser;
  llhttp_settings_t settings;
  bench_ctx ctx = { 0, 0, { 0 }, { 0 }, data };
  llhttp_settings_init (&settings);
  settings.on_message_complete = on_complete;
  settings.on_header_field = on_span;
  settings.on_header_value = on_span;
  llhttp_init (&parser, HTTP_REQUEST, &settings);
  parser.data = &ctx;
  for (size_t i = 0; i < len; i++)
    if (llhttp_execute (&parser, data + i, 1) != HPE_OK)
      return 0;
  return ctx.msgs == 1;
}
