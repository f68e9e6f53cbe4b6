/*
 * SocketHTTP-ext.c - the extension API of include/http/SocketHTTPExt.h:
 * parsed sections as spans, execute-and-skip, partial HPACK decode,
 * uncapped header append. Thin layers over the module internals.
 */
#include <string.h>

#include "http/SocketHTTPExt.h"

#include "http/SocketHPACK-private.h"
#include "http/SocketHTTP1-private.h"

int
SocketHTTP1Ext_head_complete (SocketHTTP1_Parser_T p)
{
  return p != NULL && p->head_done;
}

static SocketHTTPExt_Span
mkspan (size_t off, size_t len)
{
  SocketHTTPExt_Span s;
  s.off = (uint32_t)off;
  s.len = (uint32_t)len;
  return s;
}

/* Name/value spans of the fields of @sec (offsets the parser kept). */
static void
section_spans (const h1_section *sec, SocketHTTP1Ext_Section *out, SocketHTTPExt_Span *fields,
               size_t max_spans)
{
  size_t n = sec->nfields < max_spans / 2 ? sec->nfields : max_spans / 2;
  out->bytes = sec->buf;
  out->len = sec->len;
  out->nfields = sec->nfields;
  for (size_t i = 0; i < n; i++)
    {
      const h1_field *f = &sec->fields[i];
      fields[2 * i] = mkspan (f->name_off, f->name_len);
      fields[2 * i + 1] = mkspan (f->value_off, f->value_end - f->value_off);
    }
}

/* The span of NUL-terminated @s when it lies in the head; bit @bit set. */
static void
head_string (const h1_section *head, const char *s, SocketHTTPExt_Span *sp, unsigned *in_head,
             unsigned bit)
{
  if (s == NULL || head->buf == NULL || s < head->buf || s >= head->buf + head->len)
    return;
  *sp = mkspan ((size_t)(s - head->buf), strlen (s));
  *in_head |= bit;
}

int
SocketHTTP1Ext_head (SocketHTTP1_Parser_T p, SocketHTTP1Ext_Head *h, SocketHTTPExt_Span *fields,
                     size_t max_spans)
{
  if (h == NULL)
    return -1;
  memset (h, 0, sizeof (*h));
  if (p == NULL || !p->head_done || (fields == NULL && max_spans > 0))
    return -1;
  section_spans (&p->head, &h->section, fields, max_spans);
  if (p->mode == HTTP1_PARSE_REQUEST)
    {
      h->method = mkspan (p->start_off, p->method_end - p->start_off);
      h->target = mkspan (p->target_off, p->target_end - p->target_off);
      head_string (&p->head, p->req.scheme, &h->scheme, &h->in_head,
                   SOCKETHTTP1EXT_SCHEME_IN_HEAD);
      head_string (&p->head, p->req.authority, &h->authority, &h->in_head,
                   SOCKETHTTP1EXT_AUTHORITY_IN_HEAD);
      head_string (&p->head, p->req.path, &h->path, &h->in_head, SOCKETHTTP1EXT_PATH_IN_HEAD);
    }
  else
    h->reason = mkspan (p->reason_off, p->reason_end - p->reason_off);
  return 0;
}

int
SocketHTTP1Ext_trailers (SocketHTTP1_Parser_T p, SocketHTTP1Ext_Section *sec,
                         SocketHTTPExt_Span *fields, size_t max_spans)
{
  if (sec == NULL)
    return -1;
  memset (sec, 0, sizeof (*sec));
  if (p == NULL || p->state != HTTP1_STATE_COMPLETE || p->body_mode != HTTP1_BODY_CHUNKED
      || (fields == NULL && max_spans > 0))
    return -1;
  section_spans (&p->trl, sec, fields, max_spans);
  return 0;
}

SocketHTTP1_Result
SocketHTTP1Ext_execute_skip (SocketHTTP1_Parser_T p, const char *data, size_t len,
                             size_t *consumed)
{
  return SocketHTTP1__execute_skip (p, data, len, consumed);
}

SocketHPACK_Result
SocketHPACKExt_Decoder_decode (SocketHPACK_Decoder_T decoder, const unsigned char *input,
                               size_t input_len, SocketHPACK_Header *headers, size_t max_headers,
                               size_t *header_count, Arena_T arena)
{
  return SocketHPACK__decoder_decode (decoder, input, input_len, headers, max_headers,
                                      header_count, arena);
}

int
SocketHTTPExt_Headers_add_n_unlimited (SocketHTTP_Headers_T h, const char *name,
                                       size_t name_len, const char *value, size_t value_len)
{
  return SocketHTTP_Headers__add_n_uncapped (h, name, name_len, value, value_len);
}
