/*
 * shim_http.c - TRY-wrapped entry points for the HTTP/1.1 parser and
 * serializers, HPACK and Huffman (see shim_http.h).
 *
 * The shims call only the public API and its documented extension
 * (http/SocketHTTPExt.h): the parser reports the head and trailer
 * sections as spans into its own copies (SocketHTTP1Ext_head/_trailers),
 * which are passed on unchanged. None of these shims reaches Go: they are
 * all nocallback (GO_CALL_NOCB, or GO_NOCB_ENTER/LEAVE around code that
 * cannot raise).
 */
#include <stdlib.h>
#include <string.h>

#include "shim_http.h"

#include "core/Arena.h"

struct GoHTTP1
{
  Arena_T arena;
  SocketHTTP1_Parser_T p;
  int request; /* a request parser */
};

struct GoHPACKEnc
{
  Arena_T arena;
  SocketHPACK_Encoder_T enc;
  SocketHPACK_Header *hdrs; /* scratch for one encode (malloc) */
  size_t cap;
};

struct GoHPACKDec
{
  Arena_T arena;   /* owns the decoder */
  Arena_T scratch; /* decoded strings of the last block */
  SocketHPACK_Decoder_T d;
  SocketHPACK_Header *hdrs; /* results of the last block */
  size_t cap;
};

/* ---- HTTP/1.1 parser ------------------------------------------------------ */

void
go_SocketHTTP1_config_defaults (SocketHTTP1_Config *cfg)
{
  GO_NOCB_ENTER ();
  SocketHTTP1_config_defaults (cfg);
  GO_NOCB_LEAVE ();
}

static void
http1_new_steps (int mode, const SocketHTTP1_Config *cfg, GoHTTP1 *h)
{
  h->request = mode == HTTP1_PARSE_REQUEST;
  h->arena = Arena_new ();
  h->p = SocketHTTP1_Parser_new ((SocketHTTP1_ParseMode)mode, cfg, h->arena);
}

int
go_SocketHTTP1_new (int mode, const SocketHTTP1_Config *cfg, GoHTTP1 **out,
                    size_t *max_fields, GoErr *e)
{
  volatile int rc = 0;
  GoHTTP1 *h = calloc (1, sizeof (*h));

  *out = NULL;
  if (h == NULL)
    return go_err_failed (e, "Arena_Failed", "out of memory");
  GO_CALL_NOCB (rc, e, http1_new_steps (mode, cfg, h));
  if (rc != 0)
    {
      Arena_T a = h->arena;
      Arena_dispose (&a);
      free (h);
      return rc;
    }
  {
    size_t m = cfg != NULL ? cfg->max_headers : SOCKETHTTP1_MAX_HEADERS;
    *max_fields = 2 * (m < GO_HTTP1_SPAN_FIELDS ? m : GO_HTTP1_SPAN_FIELDS);
  }
  *out = h;
  return 0;
}

void
go_SocketHTTP1_free (GoHTTP1 *h)
{
  GO_NOCB_ENTER ();
  if (h != NULL)
    {
      SocketHTTP1_Parser_free (&h->p);
      Arena_dispose (&h->arena);
      free (h);
    }
  GO_NOCB_LEAVE ();
}

void
go_SocketHTTP1_reset (GoHTTP1 *h)
{
  GO_NOCB_ENTER ();
  SocketHTTP1_Parser_reset (h->p);
  GO_NOCB_LEAVE ();
}

const char *
go_SocketHTTP1_result_string (int result)
{
  const char *s;
  GO_NOCB_ENTER ();
  s = SocketHTTP1_result_string ((SocketHTTP1_Result)result);
  GO_NOCB_LEAVE ();
  return s;
}

static void
fill_head (SocketHTTP1_Parser_T p, int request, GoHTTP1Result *r,
           GoSpan *fields, size_t max_fields)
{
  SocketHTTP1Ext_Head h;
  if (SocketHTTP1Ext_head (p, &h, fields, max_fields) != 0)
    return;
  r->head_ready = 1;
  r->head = h.section.bytes;
  r->head_len = h.section.len;
  r->nfields = h.section.nfields;
  r->method_s = h.method;
  r->target = h.target;
  r->reason = h.reason;
  r->scheme = h.scheme;
  r->authority = h.authority;
  r->path = h.path;
  r->in_head = h.in_head;
  r->body_mode = SocketHTTP1_Parser_body_mode (p);
  r->content_length = SocketHTTP1_Parser_content_length (p);
  r->keepalive = SocketHTTP1_Parser_should_keepalive (p);
  r->upgrade = SocketHTTP1_Parser_is_upgrade (p);
  r->upgrade_c = SocketHTTP1_Parser_upgrade_protocol (p);
  r->expect_continue = SocketHTTP1_Parser_expects_continue (p);
  if (request)
    {
      const SocketHTTP_Request *req = SocketHTTP1_Parser_get_request (p);
      r->method = req->method;
      r->version = req->version;
      /* strings the parser built (absolute-form targets) */
      if (!(h.in_head & SOCKETHTTP1EXT_SCHEME_IN_HEAD))
        r->scheme_c = req->scheme;
      if (!(h.in_head & SOCKETHTTP1EXT_AUTHORITY_IN_HEAD))
        r->authority_c = req->authority;
      if (!(h.in_head & SOCKETHTTP1EXT_PATH_IN_HEAD))
        r->path_c = req->path;
    }
  else
    {
      const SocketHTTP_Response *resp = SocketHTTP1_Parser_get_response (p);
      r->version = resp->version;
      r->status = resp->status_code;
    }
}

static void
fill_trailers (SocketHTTP1_Parser_T p, GoHTTP1Result *r, GoSpan *fields,
               size_t max_fields)
{
  SocketHTTP1Ext_Section t;
  if (SocketHTTP1Ext_trailers (p, &t, fields, max_fields) != 0)
    return;
  r->trailers_ready = 1;
  r->trailers = t.bytes;
  r->trailers_len = t.len;
  r->ntrailers = t.nfields;
}

/* Common tail of execute and read_body: what the call completed. */
static void
fill_result (GoHTTP1 *h, int had_head, int was_complete, GoHTTP1Result *r,
             GoSpan *fields, size_t max_fields)
{
  SocketHTTP1_Parser_T p = h->p;
  int head_done = SocketHTTP1Ext_head_complete (p);
  r->state = SocketHTTP1_Parser_state (p);
  r->body_remaining = SocketHTTP1_Parser_body_remaining (p);
  if (r->result >= HTTP1_ERROR)
    return;
  if (!had_head && head_done)
    fill_head (p, h->request, r, fields, max_fields);
  else if (!was_complete && r->state == HTTP1_STATE_COMPLETE)
    fill_trailers (p, r, fields, max_fields); /* chunked messages only */
  if (head_done)
    r->keepalive = SocketHTTP1_Parser_should_keepalive (p);
}

int
go_SocketHTTP1_execute (GoHTTP1 *h, const char *data, size_t len,
                        GoHTTP1Result *r, GoSpan *fields, size_t max_fields,
                        GoErr *e)
{
  volatile int rc = 0;
  int had_head, was_complete;
  size_t used = 0;
  volatile SocketHTTP1_Result res = HTTP1_ERROR;

  memset (r, 0, sizeof (*r));
  had_head = SocketHTTP1Ext_head_complete (h->p);
  was_complete = SocketHTTP1_Parser_state (h->p) == HTTP1_STATE_COMPLETE;
  GO_CALL_NOCB (rc, e,
                res = SocketHTTP1Ext_execute_skip (h->p, data, len, &used));
  if (rc != 0)
    return rc;
  r->result = res;
  r->consumed = used;
  fill_result (h, had_head, was_complete, r, fields, max_fields);
  return 0;
}

int
go_SocketHTTP1_read_body (GoHTTP1 *h, const char *data, size_t len, char *out,
                          size_t out_len, GoHTTP1Result *r, GoSpan *fields,
                          size_t max_fields, GoErr *e)
{
  volatile int rc = 0;
  int was_complete;
  size_t used = 0, got = 0;
  volatile SocketHTTP1_Result res = HTTP1_ERROR;

  memset (r, 0, sizeof (*r));
  was_complete = SocketHTTP1_Parser_state (h->p) == HTTP1_STATE_COMPLETE;
  GO_CALL_NOCB (rc, e,
                res = SocketHTTP1_Parser_read_body (h->p, data, len, &used,
                                                    out, out_len, &got));
  if (rc != 0)
    return rc;
  r->result = res;
  r->consumed = used;
  r->written = got;
  fill_result (h, 1, was_complete, r, fields, max_fields);
  return 0;
}

void
go_SocketHTTP1_skip_body (GoHTTP1 *h, GoHTTP1Result *r)
{
  GO_NOCB_ENTER ();
  SocketHTTP1_Parser_skip_body (h->p);
  r->state = SocketHTTP1_Parser_state (h->p);
  r->body_mode = SocketHTTP1_Parser_body_mode (h->p);
  r->keepalive = SocketHTTP1_Parser_should_keepalive (h->p);
  GO_NOCB_LEAVE ();
}

void
go_SocketHTTP1_fields (GoHTTP1 *h, int trailers, GoSpan *fields,
                       size_t max_fields, size_t *n)
{
  GO_NOCB_ENTER ();
  *n = 0;
  if (trailers)
    {
      SocketHTTP1Ext_Section t;
      if (SocketHTTP1Ext_trailers (h->p, &t, fields, max_fields) == 0)
        *n = t.nfields;
    }
  else
    {
      SocketHTTP1Ext_Head hd;
      if (SocketHTTP1Ext_head (h->p, &hd, fields, max_fields) == 0)
        *n = hd.section.nfields;
    }
  GO_NOCB_LEAVE ();
}

/* ---- serializers ---------------------------------------------------------- */

/* NUL-terminated arena copy of span @s of @strs, or NULL when empty. */
static const char *
span_str (Arena_T a, const char *strs, GoSpan s)
{
  char *c;
  if (s.len == 0)
    return NULL;
  c = ALLOC (a, (size_t)s.len + 1);
  memcpy (c, strs + s.off, s.len);
  c[s.len] = '\0';
  return c;
}

static SocketHTTP_Headers_T
span_headers (Arena_T a, const char *strs, const GoSpan *fields, size_t n)
{
  SocketHTTP_Headers_T hs = SocketHTTP_Headers_new (a);
  for (size_t i = 0; i < n; i++)
    {
      /* Go writes values trimmed of SP/HTAB (as net/http does); the C
       * collection stores them verbatim */
      const char *v = strs + fields[2 * i + 1].off;
      size_t vl = fields[2 * i + 1].len;
      while (vl > 0 && (v[0] == ' ' || v[0] == '\t'))
        v++, vl--;
      while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
      if (SocketHTTPExt_Headers_add_n_unlimited (hs, strs + fields[2 * i].off,
                                              fields[2 * i].len, v, vl)
          != 0)
        return NULL;
    }
  return hs;
}

static int
spans_ok (const GoSpan *s, size_t n, size_t strs_len)
{
  for (size_t i = 0; i < n; i++)
    if ((size_t)s[i].off + s[i].len > strs_len)
      return 0;
  return 1;
}

static ssize_t
serialize_steps (Arena_T volatile *ap, int is_request, const GoHTTP1Head *hd,
                 const char *strs, const GoSpan *fields, size_t nfields,
                 char *out, size_t out_len)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T hs;
  *ap = a;
  hs = span_headers (a, strs, fields, nfields);
  if (hs == NULL)
    return -1;
  if (is_request)
    {
      SocketHTTP_Request req;
      const char *m = span_str (a, strs, hd->method);
      memset (&req, 0, sizeof (req));
      req.method = SocketHTTP_method_parse (m, m ? strlen (m) : 0);
      if (m == NULL || req.method == HTTP_METHOD_UNKNOWN)
        return -1;
      req.version = (SocketHTTP_Version)hd->version;
      req.authority = span_str (a, strs, hd->authority);
      req.path = span_str (a, strs, hd->target);
      if (req.method == HTTP_METHOD_CONNECT && req.authority == NULL)
        req.authority = req.path;
      if (req.path == NULL || req.path[0] == '\0') /* Go: an empty target is */
        return -1;                                  /* an error, not "/" */
      req.headers = hs;
      req.has_body = hd->has_body;
      req.content_length = hd->content_length;
      return SocketHTTP1_serialize_request (&req, out, out_len);
    }
  else
    {
      SocketHTTP_Response resp;
      memset (&resp, 0, sizeof (resp));
      resp.version = (SocketHTTP_Version)hd->version;
      resp.status_code = hd->status;
      resp.reason_phrase = span_str (a, strs, hd->reason);
      resp.headers = hs;
      resp.has_body = hd->has_body;
      resp.content_length = hd->content_length;
      return SocketHTTP1_serialize_response (&resp, out, out_len);
    }
}

int
go_SocketHTTP1_serialize (int is_request, const GoHTTP1Head *head,
                          const char *strs, size_t strs_len,
                          const GoSpan *fields, size_t nfields, char *out,
                          size_t out_len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  volatile ssize_t w = -1;
  Arena_T volatile a = NULL;
  const GoSpan one[4] = { head->method, head->target, head->authority,
                          head->reason };

  *n = -1;
  if (!spans_ok (fields, 2 * nfields, strs_len) || !spans_ok (one, 4, strs_len)
      || out == NULL)
    return go_err_failed (e, "SocketHTTP_InvalidHeader", "invalid span");
  GO_CALL_NOCB (rc, e,
                w = serialize_steps (&a, is_request, head, strs, fields,
                                     nfields, out, out_len));
  {
    Arena_T tmp = a;
    GO_NOCB_ENTER ();
    Arena_dispose (&tmp);
    GO_NOCB_LEAVE ();
  }
  if (rc != 0)
    return rc;
  *n = w;
  if (w < 0)
    return go_err_failed (e, "SocketHTTP_InvalidHeader",
                          "invalid method, target, version, status or field");
  return 0;
}

static ssize_t
chunk_steps (Arena_T volatile *ap, int final, const char *data, size_t len,
             const GoSpan *fields, size_t nfields, char *out, size_t out_len)
{
  SocketHTTP_Headers_T hs = NULL;
  if (!final)
    return SocketHTTP1_chunk_encode (data, len, out, out_len);
  if (nfields > 0)
    {
      *ap = Arena_new ();
      hs = span_headers (*ap, data, fields, nfields);
      if (hs == NULL)
        return -1;
    }
  return SocketHTTP1_chunk_final (out, out_len, hs);
}

int
go_SocketHTTP1_chunk (int final, const char *data, size_t len,
                      const GoSpan *fields, size_t nfields, char *out,
                      size_t out_len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  volatile ssize_t w = -1;
  Arena_T volatile a = NULL;

  *n = -1;
  if (final && !spans_ok (fields, 2 * nfields, len))
    return go_err_failed (e, "SocketHTTP_InvalidHeader", "invalid span");
  GO_CALL_NOCB (rc, e,
                w = chunk_steps (&a, final, data, len, fields, nfields, out,
                                 out_len));
  {
    Arena_T tmp = a;
    GO_NOCB_ENTER ();
    Arena_dispose (&tmp);
    GO_NOCB_LEAVE ();
  }
  if (rc != 0)
    return rc;
  *n = w;
  if (w < 0)
    return go_err_failed (e, "SocketHTTP_InvalidHeader",
                          "invalid trailer field or short buffer");
  return 0;
}

/* ---- HPACK encoder -------------------------------------------------------- */

static void
enc_new_steps (size_t max_table_size, int huffman, int indexing, GoHPACKEnc *g)
{
  SocketHPACK_EncoderConfig cfg;
  SocketHPACK_encoder_config_defaults (&cfg);
  cfg.max_table_size = max_table_size;
  cfg.huffman_encode = huffman;
  cfg.use_indexing = indexing;
  g->arena = Arena_new ();
  g->enc = SocketHPACK_Encoder_new (&cfg, g->arena);
}

int
go_SocketHPACK_encoder_new (size_t max_table_size, int huffman, int indexing,
                            GoHPACKEnc **out, GoErr *e)
{
  volatile int rc = 0;
  GoHPACKEnc *g = calloc (1, sizeof (*g));

  *out = NULL;
  if (g == NULL)
    return go_err_failed (e, "Arena_Failed", "out of memory");
  GO_CALL_NOCB (rc, e, enc_new_steps (max_table_size, huffman, indexing, g));
  if (rc != 0)
    {
      go_SocketHPACK_encoder_free (g);
      return rc;
    }
  *out = g;
  return 0;
}

void
go_SocketHPACK_encoder_free (GoHPACKEnc *g)
{
  GO_NOCB_ENTER ();
  if (g != NULL)
    {
      SocketHPACK_Encoder_free (&g->enc);
      Arena_dispose (&g->arena);
      free (g->hdrs);
      free (g);
    }
  GO_NOCB_LEAVE ();
}

/* Make room for @n headers in @*hdrs (capacity @*cap); 0 on failure. */
static int
reserve (SocketHPACK_Header **hdrs, size_t *cap, size_t n)
{
  SocketHPACK_Header *nh;
  size_t c;
  if (n <= *cap)
    return 1;
  c = *cap ? *cap : 16;
  while (c < n)
    c *= 2;
  nh = realloc (*hdrs, c * sizeof (*nh));
  if (nh == NULL)
    return 0;
  *hdrs = nh;
  *cap = c;
  return 1;
}

static int
fields_ok (const GoHPACKSpanField *f, size_t n, size_t strs_len)
{
  for (size_t i = 0; i < n; i++)
    if (!spans_ok (&f[i].name, 1, strs_len) || !spans_ok (&f[i].value, 1, strs_len))
      return 0;
  return 1;
}

int
go_SocketHPACK_encode (GoHPACKEnc *g, const char *strs, size_t strs_len,
                       const GoHPACKSpanField *fields, size_t n,
                       unsigned char *out, size_t out_len, ssize_t *w,
                       GoErr *e)
{
  volatile int rc = 0;
  volatile ssize_t written = -1;

  *w = -1;
  if (!fields_ok (fields, n, strs_len))
    return go_err_failed (e, "SocketHPACK_Error", "invalid span");
  if (!reserve (&g->hdrs, &g->cap, n))
    return go_err_failed (e, "Arena_Failed", "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      SocketHPACK_Header *h = &g->hdrs[i];
      h->name = strs + fields[i].name.off;
      h->name_len = fields[i].name.len;
      h->value = strs + fields[i].value.off;
      h->value_len = fields[i].value.len;
      h->never_index = fields[i].sensitive != 0;
    }
  GO_CALL_NOCB (rc, e,
                written = SocketHPACK_Encoder_encode (g->enc, g->hdrs, n, out,
                                                      out_len));
  if (rc != 0)
    return rc;
  if (written < 0)
    return go_err_failed (e, "SocketHPACK_Error",
                          "SocketHPACK_Encoder_encode failed");
  *w = written;
  return 0;
}

void
go_SocketHPACK_encoder_set_table_size (GoHPACKEnc *g, size_t size)
{
  GO_NOCB_ENTER ();
  SocketHPACK_Encoder_set_table_size (g->enc, size);
  GO_NOCB_LEAVE ();
}

static void
table_info (SocketHPACK_Table_T t, size_t *size, size_t *count, size_t *max)
{
  *size = SocketHPACK_Table_size (t);
  *count = SocketHPACK_Table_count (t);
  *max = SocketHPACK_Table_max_size (t);
}

void
go_SocketHPACK_encoder_table (GoHPACKEnc *g, size_t *size, size_t *count,
                              size_t *max)
{
  GO_NOCB_ENTER ();
  table_info (SocketHPACK_Encoder_get_table (g->enc), size, count, max);
  GO_NOCB_LEAVE ();
}

/* ---- HPACK decoder -------------------------------------------------------- */

static void
dec_new_steps (const SocketHPACK_DecoderConfig *cfg, GoHPACKDec *g)
{
  g->arena = Arena_new ();
  g->scratch = Arena_new ();
  g->d = SocketHPACK_Decoder_new (cfg, g->arena);
}

int
go_SocketHPACK_decoder_new (size_t max_table_size, size_t max_header_size,
                            size_t max_list_size, GoHPACKDec **out, GoErr *e)
{
  volatile int rc = 0;
  SocketHPACK_DecoderConfig cfg;
  GoHPACKDec *g = calloc (1, sizeof (*g));

  *out = NULL;
  if (g == NULL)
    return go_err_failed (e, "Arena_Failed", "out of memory");
  cfg.max_table_size = max_table_size;
  cfg.max_header_size = max_header_size;
  cfg.max_header_list_size = max_list_size;
  GO_CALL_NOCB (rc, e, dec_new_steps (&cfg, g));
  /* Each field counts at least 32 bytes against the list size. */
  if (rc == 0
      && !reserve (&g->hdrs, &g->cap,
                   max_list_size / SOCKETHPACK_ENTRY_OVERHEAD + 1))
    rc = go_err_failed (e, "Arena_Failed", "out of memory");
  if (rc != 0)
    {
      go_SocketHPACK_decoder_free (g);
      return rc;
    }
  *out = g;
  return 0;
}

void
go_SocketHPACK_decoder_free (GoHPACKDec *g)
{
  GO_NOCB_ENTER ();
  if (g != NULL)
    {
      SocketHPACK_Decoder_free (&g->d);
      Arena_dispose (&g->scratch);
      Arena_dispose (&g->arena);
      free (g->hdrs);
      free (g);
    }
  GO_NOCB_LEAVE ();
}

_Static_assert (sizeof (GoHPACKField) == sizeof (SocketHPACK_Header),
                "GoHPACKField must mirror SocketHPACK_Header");
_Static_assert (offsetof (GoHPACKField, value_len)
                        == offsetof (SocketHPACK_Header, value_len)
                    && offsetof (GoHPACKField, never_index)
                           == offsetof (SocketHPACK_Header, never_index),
                "GoHPACKField must mirror SocketHPACK_Header");

/* The Go API returns the fields decoded before an error; the original
 * function reports none on failure, the extension keeps them. */

static SocketHPACK_Result
decode_steps (GoHPACKDec *g, const unsigned char *in, size_t len, size_t *n)
{
  Arena_clear (g->scratch); /* strings of the previous block */
  return SocketHPACKExt_Decoder_decode (g->d, in, len, g->hdrs, g->cap, n, g->scratch);
}

int
go_SocketHPACK_decode (GoHPACKDec *g, const unsigned char *in, size_t len,
                       int *result, GoHPACKField **fields, size_t *count,
                       size_t *bytes, GoErr *e)
{
  volatile int rc = 0;
  volatile SocketHPACK_Result res = HPACK_ERROR;
  size_t n = 0, total = 0;

  *fields = (GoHPACKField *)g->hdrs;
  GO_CALL_NOCB (rc, e, res = decode_steps (g, in, len, &n));
  for (size_t i = 0; i < n; i++)
    total += g->hdrs[i].name_len + g->hdrs[i].value_len;
  *result = res;
  *count = n;
  *bytes = total;
  return rc;
}

void
go_SocketHPACK_decoder_set_table_size (GoHPACKDec *g, size_t size)
{
  GO_NOCB_ENTER ();
  SocketHPACK_Decoder_set_table_size (g->d, size);
  GO_NOCB_LEAVE ();
}

void
go_SocketHPACK_decoder_table (GoHPACKDec *g, size_t *size, size_t *count,
                              size_t *max)
{
  GO_NOCB_ENTER ();
  table_info (SocketHPACK_Decoder_get_table (g->d), size, count, max);
  GO_NOCB_LEAVE ();
}

const char *
go_SocketHPACK_result_string (int result)
{
  const char *s;
  GO_NOCB_ENTER ();
  s = SocketHPACK_result_string ((SocketHPACK_Result)result);
  GO_NOCB_LEAVE ();
  return s;
}

/* ---- Huffman -------------------------------------------------------------- */

void
go_SocketHPACK_huffman_encode (const unsigned char *in, size_t len,
                               unsigned char *out, size_t out_len, ssize_t *n)
{
  GO_NOCB_ENTER ();
  *n = SocketHPACK_huffman_encode (in, len, out, out_len);
  GO_NOCB_LEAVE ();
}

void
go_SocketHPACK_huffman_decode (const unsigned char *in, size_t len,
                               unsigned char *out, size_t out_len, ssize_t *n)
{
  GO_NOCB_ENTER ();
  *n = SocketHPACK_huffman_decode (in, len, out, out_len);
  GO_NOCB_LEAVE ();
}

size_t
go_SocketHPACK_huffman_encoded_size (const unsigned char *in, size_t len)
{
  size_t n;
  GO_NOCB_ENTER ();
  n = SocketHPACK_huffman_encoded_size (in, len);
  GO_NOCB_LEAVE ();
  return n;
}

/* ---- content codings -------------------------------------------------------- */

struct GoHTTP1Codec
{
  Arena_T arena;
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  SocketHTTP1_Decoder_T dec;
  SocketHTTP1_Encoder_T enc;
#endif
};

#ifdef SOCKETHTTP1_HAS_COMPRESSION

static void
codec_new_steps (GoHTTP1Codec *c, int coding, int level, int encode)
{
  c->arena = Arena_new ();
  if (encode)
    c->enc = SocketHTTP1_Encoder_new ((SocketHTTP_Coding)coding,
                                      (SocketHTTP1_CompressLevel)level,
                                      c->arena);
  else
    c->dec = SocketHTTP1_Decoder_new ((SocketHTTP_Coding)coding, c->arena);
}

static int
codec_new (int coding, int level, int encode, GoHTTP1Codec **out, GoErr *e)
{
  volatile int rc = 0;
  GoHTTP1Codec *c;

  *out = NULL;
  if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
    return go_err_failed (e, "SocketHTTP1_ParseError",
                          "content coding is neither gzip nor deflate");
  if ((c = calloc (1, sizeof *c)) == NULL)
    return go_err_failed (e, "Arena_Failed", "out of memory");
  GO_CALL_NOCB (rc, e, codec_new_steps (c, coding, level, encode));
  if (rc == 0 && c->dec == NULL && c->enc == NULL)
    rc = go_err_failed (e, "SocketHTTP1_ParseError",
                        "zlib could not start");
  if (rc != 0)
    {
      go_SocketHTTP1_codec_free (c);
      return rc;
    }
  *out = c;
  return 0;
}

int
go_SocketHTTP1_decoder_new (int coding, GoHTTP1Codec **out, GoErr *e)
{
  int rc;

  GO_NOCB_ENTER ();
  rc = codec_new (coding, 0, 0, out, e);
  GO_NOCB_LEAVE ();
  return rc;
}

int
go_SocketHTTP1_encoder_new (int coding, int level, GoHTTP1Codec **out,
                            GoErr *e)
{
  int rc;

  GO_NOCB_ENTER ();
  rc = codec_new (coding, level, 1, out, e);
  GO_NOCB_LEAVE ();
  return rc;
}

void
go_SocketHTTP1_codec_free (GoHTTP1Codec *c)
{
  GO_NOCB_ENTER ();
  if (c != NULL)
    {
      SocketHTTP1_Decoder_free (&c->dec);
      SocketHTTP1_Encoder_free (&c->enc);
      Arena_dispose (&c->arena);
      free (c);
    }
  GO_NOCB_LEAVE ();
}

int
go_SocketHTTP1_decoder_decode (GoHTTP1Codec *c, const void *in, size_t n,
                               size_t *consumed, void *out, size_t cap,
                               size_t *written, int *result, GoErr *e)
{
  volatile int rc = 0;

  *consumed = *written = 0;
  GO_CALL_NOCB (rc, e,
                *result = (int)SocketHTTP1_Decoder_decode (
                    c->dec, in, n, consumed, out, cap, written));
  return rc;
}

int
go_SocketHTTP1_decoder_finish (GoHTTP1Codec *c, void *out, size_t cap,
                               size_t *written, int *result, GoErr *e)
{
  volatile int rc = 0;

  *written = 0;
  GO_CALL_NOCB (rc, e,
                *result = (int)SocketHTTP1_Decoder_finish (c->dec, out, cap,
                                                           written));
  return rc;
}

int
go_SocketHTTP1_encoder_encode (GoHTTP1Codec *c, const void *in, size_t n,
                               void *out, size_t cap, int flush,
                               ssize_t *written, GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e,
                *written = SocketHTTP1_Encoder_encode (c->enc, in, n, out, cap,
                                                      flush));
  return rc;
}

int
go_SocketHTTP1_encoder_finish (GoHTTP1Codec *c, void *out, size_t cap,
                               ssize_t *written, GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e,
                *written = SocketHTTP1_Encoder_finish (c->enc, out, cap));
  return rc;
}

#else /* !SOCKETHTTP1_HAS_COMPRESSION */

static int
not_built (GoErr *e)
{
  return go_err_failed (e, "SocketHTTP1_ParseError",
                        "the C library was built without HTTP compression");
}

int go_SocketHTTP1_decoder_new (int c, GoHTTP1Codec **o, GoErr *e) { (void)c; *o = NULL; return not_built (e); }
int go_SocketHTTP1_encoder_new (int c, int l, GoHTTP1Codec **o, GoErr *e) { (void)c; (void)l; *o = NULL; return not_built (e); }
void go_SocketHTTP1_codec_free (GoHTTP1Codec *c) { GO_NOCB_ENTER (); free (c); GO_NOCB_LEAVE (); }
int go_SocketHTTP1_decoder_decode (GoHTTP1Codec *c, const void *i, size_t n, size_t *cn, void *o, size_t cap, size_t *w, int *r, GoErr *e) { (void)c; (void)i; (void)n; (void)cn; (void)o; (void)cap; (void)w; (void)r; return not_built (e); }
int go_SocketHTTP1_decoder_finish (GoHTTP1Codec *c, void *o, size_t cap, size_t *w, int *r, GoErr *e) { (void)c; (void)o; (void)cap; (void)w; (void)r; return not_built (e); }
int go_SocketHTTP1_encoder_encode (GoHTTP1Codec *c, const void *i, size_t n, void *o, size_t cap, int f, ssize_t *w, GoErr *e) { (void)c; (void)i; (void)n; (void)o; (void)cap; (void)f; (void)w; return not_built (e); }
int go_SocketHTTP1_encoder_finish (GoHTTP1Codec *c, void *o, size_t cap, ssize_t *w, GoErr *e) { (void)c; (void)o; (void)cap; (void)w; return not_built (e); }

#endif /* SOCKETHTTP1_HAS_COMPRESSION */
