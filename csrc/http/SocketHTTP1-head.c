/*
 * SocketHTTP1-head.c - meaning of a complete head: NUL-terminated views
 * into the parser buffer, message framing (RFC 9112 section 6), the
 * request-target form (section 3.2), keep-alive, upgrade and
 * 100-continue; plus the parser's accessors.
 *
 * Framing is decided only once the whole head is known, from a summary of
 * the relevant fields (head_info), so field order can never matter.
 */
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP1.h"
#include "http/SocketHTTP1-private.h"

typedef struct
{
  int cl_count;
  int64_t cl;
  int te_present, te_bad, te_chunked, te_last_chunked;
  int conn_close, conn_keepalive, conn_upgrade;
  int host_count;
  const char *host;
  const char *upgrade;
  int expect_continue;
} head_info;

/* Appends the section's fields to @p h; returns the first new entry. */
SocketHTTP_Header *
SocketHTTP1__section_publish (h1_section *sec, SocketHTTP_Headers_T h)
{
  SocketHTTP_Header *e = SocketHTTP_Headers__append_raw (h, sec->nfields);
  char *b = sec->buf;
  for (size_t i = 0; i < sec->nfields; i++)
    {
      const h1_field *f = &sec->fields[i];
      if (f->folded) /* obs-fold (CRLF + whitespace) becomes SPs (RFC 9112 5.2) */
        for (uint32_t k = f->value_off; k < f->value_end; k++)
          if (b[k] == '\r' || b[k] == '\n')
            for (; k < f->value_end && (b[k] == '\r' || b[k] == '\n' || b[k] == ' ' || b[k] == '\t'); k++)
              b[k] = ' ';
      b[f->name_off + f->name_len] = '\0';
      b[f->value_end] = '\0';
      e[i].name = b + f->name_off;
      e[i].name_len = f->name_len;
      e[i].value = b + f->value_off;
      e[i].value_len = f->value_end - f->value_off;
    }
  return e;
}

static int
is_ows (char c)
{
  return c == ' ' || c == '\t';
}


/* Names and values here are validated (no controls but HTAB). */
#define name_is http_token_is

/* A response that never has content (RFC 9112 6.3 (1)): 1xx, 204, 304. */
static int
bodiless_response (SocketHTTP1_Parser_T p)
{
  return p->mode == HTTP1_PARSE_RESPONSE
         && (p->status < 200 || p->status == 204 || p->status == 304);
}

/* Content-Length = 1*DIGIT; lenient mode also takes a list of equal values. */
static SocketHTTP1_Result
parse_content_length (SocketHTTP1_Parser_T p, const char *v, size_t n, head_info *hi)
{
  size_t i = 0;
  do
    {
      uint64_t val = 0;
      size_t start;
      while (i < n && is_ows (v[i]) && !p->cfg.strict_mode)
        i++;
      start = i;
      for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
        {
          if (val > ((uint64_t)INT64_MAX - (uint64_t)(v[i] - '0')) / 10)
            return HTTP1_ERROR_INVALID_CONTENT_LENGTH;
          val = val * 10 + (uint64_t)(v[i] - '0');
        }
      if (i == start)
        return HTTP1_ERROR_INVALID_CONTENT_LENGTH;
      if (hi->cl_count > 0 && (int64_t)val != hi->cl)
        return HTTP1_ERROR_INVALID_CONTENT_LENGTH; /* differing lengths (the original's code) */
      if (hi->cl_count > 0 && p->cfg.strict_mode)
        return HTTP1_ERROR_INVALID_CONTENT_LENGTH; /* duplicate */
      hi->cl = (int64_t)val;
      hi->cl_count++;
      while (i < n && is_ows (v[i]) && !p->cfg.strict_mode)
        i++;
      if (i < n && (v[i] != ',' || p->cfg.strict_mode))
        return HTTP1_ERROR_INVALID_CONTENT_LENGTH;
    }
  while (i++ < n);
  return HTTP1_OK;
}

/* transfer-coding list: token *( OWS ";" OWS param ); chunked takes none. */
static void
parse_transfer_encoding (const char *v, size_t n, head_info *hi)
{
  size_t i = 0;
  hi->te_present = 1;
  while (i < n)
    {
      size_t start, tok;
      while (i < n && (is_ows (v[i]) || v[i] == ','))
        i++;
      if (i == n)
        break;
      start = i;
      while (i < n && HTTP_IS (v[i], HTTP_C_TCHAR))
        i++;
      tok = i - start;
      hi->te_last_chunked = name_is (v + start, tok, "chunked", 7);
      hi->te_chunked += hi->te_last_chunked;
      while (i < n && is_ows (v[i]))
        i++;
      if (tok == 0 || (i < n && v[i] != ',' && v[i] != ';'))
        hi->te_bad = 1; /* not a token list, e.g. "chunked abc" or "\"chunked\"" */
      else if (i < n && v[i] == ';')
        hi->te_bad |= hi->te_last_chunked; /* RFC 9112 7.1: chunked has no parameters */
      while (i < n && v[i] != ',')
        i++; /* parameters (or the rest of a bad element) */
    }
}

/* Connection options, one pass over the list (RFC 9110 7.6.1). */
static void
parse_connection (const char *v, size_t n, head_info *hi)
{
  size_t i = 0;
  while (i < n)
    {
      size_t start, end;
      while (i < n && (is_ows (v[i]) || v[i] == ','))
        i++;
      start = i;
      while (i < n && v[i] != ',')
        i++;
      end = i;
      while (end > start && is_ows (v[end - 1]))
        end--;
      hi->conn_close |= name_is (v + start, end - start, "close", 5);
      hi->conn_keepalive |= name_is (v + start, end - start, "keep-alive", 10);
      hi->conn_upgrade |= name_is (v + start, end - start, "upgrade", 7);
    }
}

/* Lengths of the names scan_fields looks at, and the first four bytes of
 * each (lowercase): two compares pass over every other field, without the
 * switch's indirect jump. */
#define H1_SCAN_LENS ((1u << 4) | (1u << 6) | (1u << 7) | (1u << 10) | (1u << 14) | (1u << 17))
static const char scan_first4[18][4] = {
  [4] = { 'h', 'o', 's', 't' },  [6] = { 'e', 'x', 'p', 'e' },  [7] = { 'u', 'p', 'g', 'r' },
  [10] = { 'c', 'o', 'n', 'n' }, [14] = { 'c', 'o', 'n', 't' }, [17] = { 't', 'r', 'a', 'n' },
};

static inline int
scan_candidate (const SocketHTTP_Header *e)
{
  uint32_t w, lit;
  if (e->name_len >= 32 || ((H1_SCAN_LENS >> e->name_len) & 1u) == 0)
    return 0;
  memcpy (&w, e->name, 4); /* every length in H1_SCAN_LENS is >= 4 */
  memcpy (&lit, scan_first4[e->name_len], 4);
  return (w | 0x20202020u) == lit; /* a mismatch here is one for name_is too */
}

/* Summarises the fields that decide framing and connection handling. */
static SocketHTTP1_Result
scan_fields (SocketHTTP1_Parser_T p, const SocketHTTP_Header *e, size_t n, head_info *hi)
{
  for (size_t i = 0; i < n; i++, e++)
    {
      SocketHTTP1_Result r;
      if (__builtin_expect (!scan_candidate (e), 1))
        continue;
      switch (e->name_len)
        {
        case 4:
          if (name_is (e->name, 4, "host", 4) && hi->host_count++ == 0)
            hi->host = e->value;
          break;
        case 6:
          if (name_is (e->name, 6, "expect", 6))
            hi->expect_continue |= name_is (e->value, e->value_len, "100-continue", 12);
          break;
        case 7:
          if (name_is (e->name, 7, "upgrade", 7) && hi->upgrade == NULL)
            hi->upgrade = e->value;
          break;
        case 10:
          if (name_is (e->name, 10, "connection", 10))
            parse_connection (e->value, e->value_len, hi);
          break;
        case 14:
          if (name_is (e->name, 14, "content-length", 14)
              && (r = parse_content_length (p, e->value, e->value_len, hi)) != HTTP1_OK)
            return r;
          break;
        case 17:
          if (name_is (e->name, 17, "transfer-encoding", 17))
            parse_transfer_encoding (e->value, e->value_len, hi);
          break;
        default:
          break;
        }
    }
  return HTTP1_OK;
}

/* RFC 9112 section 6.3, in order. */
static SocketHTTP1_Result
decide_framing (SocketHTTP1_Parser_T p, const head_info *hi)
{
  int request = p->mode == HTTP1_PARSE_REQUEST;
  int te_ok = !hi->te_bad && hi->te_chunked == 1 && hi->te_last_chunked;
  if (hi->te_present)
    {
      if (p->minor == 0)
        return HTTP1_ERROR_SMUGGLING_DETECTED; /* 6.1: TE in HTTP/1.0 is faulty framing */
      if (hi->cl_count > 0 && p->cfg.strict_mode)
        return HTTP1_ERROR_SMUGGLING_DETECTED; /* CL.TE / TE.CL */
      if (hi->te_chunked > 1 || (request && !te_ok))
        return HTTP1_ERROR_SMUGGLING_DETECTED; /* 6.3 (4): 400 and close */
      if (hi->cl_count > 0)
        p->keepalive = 0; /* lenient CL + TE: TE wins, never reuse */
    }
  if (request && p->req.method == HTTP_METHOD_CONNECT)
    {
      if (p->cfg.strict_mode && (hi->te_present || hi->cl > 0))
        return HTTP1_ERROR_SMUGGLING_DETECTED; /* CONNECT has no content */
      p->body_mode = HTTP1_BODY_NONE;
    }
  else if (!request && (p->status < 200 || p->status == 204 || p->status == 304))
    p->body_mode = HTTP1_BODY_NONE;
  else if (hi->te_present)
    p->body_mode = te_ok ? HTTP1_BODY_CHUNKED : HTTP1_BODY_UNTIL_CLOSE;
  else if (hi->cl_count > 0)
    p->body_mode = HTTP1_BODY_CONTENT_LENGTH;
  else
    p->body_mode = request ? HTTP1_BODY_NONE : HTTP1_BODY_UNTIL_CLOSE;
  if (hi->cl_count > 0 && !hi->te_present)
    p->content_length = hi->cl;
  if (p->body_mode == HTTP1_BODY_UNTIL_CLOSE)
    p->keepalive = 0;
  return HTTP1_OK;
}

static char *
arena_strndup (Arena_T a, const char *s, size_t n)
{
  char *d = ALLOC (a, n + 1);
  memcpy (d, s, n);
  d[n] = '\0';
  return d;
}

/* absolute-form: scheme and host[:port] from the target, path "/" at least. */
static SocketHTTP1_Result
absolute_form (SocketHTTP1_Parser_T p, char *t, size_t n)
{
  SocketHTTP_URI u;
  char *path;
  size_t plen;
  if (SocketHTTP__URI_parse_target (t, n, &u, NULL) != URI_PARSE_OK || u.scheme == NULL
      || u.host == NULL)
    {
      if (p->cfg.strict_mode)
        return HTTP1_ERROR_INVALID_URI;
      p->req.path = t; /* lenient: pass the target on as is */
      return HTTP1_OK;
    }
  p->req.scheme = arena_strndup (p->arena, u.scheme, u.scheme_len);
  {
    const char *auth = u.host - (u.host[-1] == '[' ? 1 : 0);
    const char *auth_end = u.path; /* host [":" port] ends where the path starts */
    p->req.authority = arena_strndup (p->arena, auth, (size_t)(auth_end - auth));
  }
  plen = (u.query ? (size_t)(u.query + u.query_len - u.path) : u.path_len);
  path = ALLOC (p->arena, plen + 2);
  path[0] = '/';
  memcpy (path + (u.path_len == 0), u.path, plen);
  path[plen + (u.path_len == 0)] = '\0';
  p->req.path = path;
  return HTTP1_OK;
}

static SocketHTTP1_Result
request_target (SocketHTTP1_Parser_T p, const head_info *hi)
{
  char *t = p->head.buf + p->target_off;
  size_t n = p->target_end - p->target_off;
  SocketHTTP_Method m = p->req.method;
  p->req.authority = hi->host;
  if (t[0] == '/' && m != HTTP_METHOD_CONNECT)
    p->req.path = t; /* origin-form */
  else if (n == 1 && t[0] == '*' && m != HTTP_METHOD_CONNECT)
    {
      if (p->cfg.strict_mode && m != HTTP_METHOD_OPTIONS)
        return HTTP1_ERROR_INVALID_URI;
      p->req.path = t;
    }
  else if (m == HTTP_METHOD_CONNECT)
    {
      SocketHTTP_URI u;
      if (p->cfg.strict_mode
          && (SocketHTTP__URI_parse_target (t, n, &u, NULL) != URI_PARSE_OK || u.host == NULL
              || u.scheme != NULL || u.port < 0 || u.userinfo != NULL))
        return HTTP1_ERROR_INVALID_URI;
      p->req.authority = p->req.path = t;
    }
  else
    return absolute_form (p, t, n);
  return HTTP1_OK;
}

/* Request/response structs; terminators in the buffer become NULs. */
static void
fill_start_line (SocketHTTP1_Parser_T p)
{
  char *b = p->head.buf;
  SocketHTTP_Version v = p->minor == 0 ? HTTP_VERSION_1_0 : HTTP_VERSION_1_1;
  if (p->mode == HTTP1_PARSE_REQUEST)
    {
      const char *m = b + p->start_off;
      size_t mlen = p->method_end - p->start_off;
      p->req.method = mlen == 3 && m[0] == 'G' && m[1] == 'E' && m[2] == 'T'
                          ? HTTP_METHOD_GET /* the common case, without the call */
                          : SocketHTTP_method_parse (m, mlen);
      p->req.version = v;
      p->req.headers = p->headers;
      b[p->method_end] = '\0';
      b[p->target_end] = '\0';
    }
  else
    {
      p->resp.version = v;
      p->resp.status_code = p->status;
      p->resp.headers = p->headers;
      b[p->reason_end] = '\0';
      p->resp.reason_phrase = b + p->reason_off;
    }
}

SocketHTTP1_Result
SocketHTTP1__finish_head (SocketHTTP1_Parser_T p)
{
  head_info hi;
  SocketHTTP1_Result r;
  const SocketHTTP_Header *e;
  memset (&hi, 0, sizeof (hi));
  fill_start_line (p);
  e = SocketHTTP1__section_publish (&p->head, p->headers);
  r = scan_fields (p, e, p->head.nfields, &hi);
  if (r != HTTP1_OK)
    return r;
  if (p->mode == HTTP1_PARSE_REQUEST && hi.host_count > 1 && p->cfg.strict_mode)
    return HTTP1_ERROR_SMUGGLING_DETECTED; /* RFC 9112 3.2: exactly one Host */
  p->keepalive = p->minor >= 1 ? !hi.conn_close : (hi.conn_keepalive && !hi.conn_close);
  if (p->mode == HTTP1_PARSE_REQUEST && (r = request_target (p, &hi)) != HTTP1_OK)
    return r;
  if ((r = decide_framing (p, &hi)) != HTTP1_OK)
    return r;
  if (p->mode == HTTP1_PARSE_REQUEST)
    {
      p->upgrade = p->req.method == HTTP_METHOD_CONNECT || (hi.conn_upgrade && hi.upgrade);
      p->expect_continue = hi.expect_continue && p->minor >= 1;
    }
  else
    p->upgrade = p->status == 101;
  p->upgrade_proto = p->upgrade ? hi.upgrade : NULL;
  p->head_done = 1;
  p->remaining = p->content_length > 0 ? (uint64_t)p->content_length : 0;
  switch (p->body_mode)
    {
    case HTTP1_BODY_CONTENT_LENGTH:
      p->state = p->remaining ? HTTP1_STATE_BODY : HTTP1_STATE_COMPLETE;
      break;
    case HTTP1_BODY_CHUNKED:
      p->state = HTTP1_STATE_CHUNK_SIZE;
      break;
    case HTTP1_BODY_UNTIL_CLOSE:
      p->state = HTTP1_STATE_BODY;
      break;
    default:
      p->state = HTTP1_STATE_COMPLETE;
    }
  /* As the original: has_body = a body mode was chosen (also for
   * Content-Length: 0), content_length = the length or -1; 1xx/204/304
   * responses say has_body 0, content_length 0. */
  p->req.has_body = p->resp.has_body = p->body_mode != HTTP1_BODY_NONE;
  p->req.content_length = p->resp.content_length
      = p->body_mode == HTTP1_BODY_CONTENT_LENGTH ? p->content_length : -1;
  if (bodiless_response (p))
    p->resp.content_length = 0;
  return HTTP1_OK;
}

/* ===================================================================== */
/* Accessors                                                             */
/* ===================================================================== */

SocketHTTP1_State
SocketHTTP1_Parser_state (SocketHTTP1_Parser_T parser)
{
  return parser ? parser->state : HTTP1_STATE_ERROR;
}

const SocketHTTP_Request *
SocketHTTP1_Parser_get_request (SocketHTTP1_Parser_T parser)
{
  if (parser == NULL || !parser->head_done || parser->mode != HTTP1_PARSE_REQUEST)
    return NULL;
  return &parser->req;
}

const SocketHTTP_Response *
SocketHTTP1_Parser_get_response (SocketHTTP1_Parser_T parser)
{
  if (parser == NULL || !parser->head_done || parser->mode != HTTP1_PARSE_RESPONSE)
    return NULL;
  return &parser->resp;
}

SocketHTTP1_BodyMode
SocketHTTP1_Parser_body_mode (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done ? parser->body_mode : HTTP1_BODY_NONE;
}

int64_t
SocketHTTP1_Parser_content_length (SocketHTTP1_Parser_T parser)
{
  if (parser == NULL || !parser->head_done || bodiless_response (parser))
    return -1; /* also for 1xx/204/304 responses, as the original */
  return parser->body_mode == HTTP1_BODY_CONTENT_LENGTH ? parser->content_length : -1;
}

int64_t
SocketHTTP1_Parser_body_remaining (SocketHTTP1_Parser_T parser)
{
  /* As the original: -1 before the head, for chunked/until-close and for
   * 1xx/204/304 responses; 0 without framing fields. */
  if (parser == NULL || !parser->head_done || bodiless_response (parser))
    return -1;
  if (parser->body_mode == HTTP1_BODY_CONTENT_LENGTH)
    return (int64_t)parser->remaining;
  return parser->body_mode == HTTP1_BODY_NONE ? 0 : -1;
}

int
SocketHTTP1_Parser_body_complete (SocketHTTP1_Parser_T parser)
{
  return parser != NULL && parser->state == HTTP1_STATE_COMPLETE;
}

SocketHTTP_Headers_T
SocketHTTP1_Parser_get_trailers (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done ? parser->trailers : NULL;
}

int
SocketHTTP1_Parser_should_keepalive (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done && parser->state != HTTP1_STATE_ERROR && parser->keepalive;
}

int
SocketHTTP1_Parser_is_upgrade (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done && parser->upgrade;
}

const char *
SocketHTTP1_Parser_upgrade_protocol (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done ? parser->upgrade_proto : NULL;
}

int
SocketHTTP1_Parser_expects_continue (SocketHTTP1_Parser_T parser)
{
  return parser && parser->head_done && parser->expect_continue;
}

const char *
SocketHTTP1_Parser_method_string (SocketHTTP1_Parser_T parser)
{
  if (parser == NULL || !parser->head_done || parser->mode != HTTP1_PARSE_REQUEST)
    return NULL;
  return parser->head.buf + parser->start_off;
}

void
SocketHTTP1_Parser_skip_body (SocketHTTP1_Parser_T parser)
{
  if (parser == NULL || !parser->head_done || parser->state == HTTP1_STATE_ERROR)
    return;
  parser->body_mode = HTTP1_BODY_NONE;
  parser->remaining = 0;
  parser->state = HTTP1_STATE_COMPLETE;
  parser->req.has_body = parser->resp.has_body = 0;
}

const char *
SocketHTTP1__head_bytes (SocketHTTP1_Parser_T p, size_t *len)
{
  if (p == NULL || p->head.len == 0)
    {
      if (len)
        *len = 0;
      return NULL;
    }
  if (len)
    *len = p->head.len;
  return p->head.buf;
}
