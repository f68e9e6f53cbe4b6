/*
 * test_http_ext.c - the extension API (include/http/SocketHTTPExt.h),
 * checked against the original public API where both describe the same
 * thing: field spans against SocketHTTP_Headers_at, start-line spans
 * against the request/response structs, execute_skip against
 * execute + read_body, the partial HPACK decode against the original.
 * Uses only public and extension headers.
 */
#include <stdio.h>
#include <string.h>

#include "Test.h"
#include "core/Arena.h"
#include "http/SocketHTTPExt.h"

#define R "\r\n"

/* The span @s of @base equals NUL-terminated @want. */
static int
span_is (const char *base, SocketHTTPExt_Span s, const char *want)
{
  return s.len == strlen (want) && memcmp (base + s.off, want, s.len) == 0;
}

static SocketHTTP1_Parser_T
parser (SocketHTTP1_ParseMode mode, Arena_T a)
{
  return SocketHTTP1_Parser_new (mode, NULL, a);
}

/* Every field span names the same bytes as the public collection. */
static void
check_fields (const SocketHTTP1Ext_Section *sec, const SocketHTTPExt_Span *f,
              SocketHTTP_Headers_T hs)
{
  ASSERT_EQ (sec->nfields, SocketHTTP_Headers_count (hs));
  for (size_t i = 0; i < sec->nfields; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (hs, i);
      ASSERT ((size_t)f[2 * i].off + f[2 * i].len <= sec->len);
      ASSERT ((size_t)f[2 * i + 1].off + f[2 * i + 1].len <= sec->len);
      ASSERT_EQ (f[2 * i].len, h->name_len);
      ASSERT_MEMEQ (sec->bytes + f[2 * i].off, h->name, h->name_len);
      ASSERT_EQ (f[2 * i + 1].len, h->value_len);
      ASSERT_MEMEQ (sec->bytes + f[2 * i + 1].off, h->value, h->value_len);
    }
}

TEST (request_head_spans)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Config cfg;
  SocketHTTP1_Parser_T p;
  const char *msg = "GET /x?y=1 HTTP/1.1" R "Host: example.com" R "X-A:  v v  " R
                    "X-Fold: a" R " b" R R;
  SocketHTTP1Ext_Head h;
  SocketHTTPExt_Span f[16];
  size_t used = 0;

  SocketHTTP1_config_defaults (&cfg);
  cfg.allow_obs_fold = 1;
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, &cfg, a);
  /* nothing before the head */
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 16), -1);
  ASSERT_EQ (SocketHTTP1Ext_head_complete (p), 0);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg, 20, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 16), -1);
  ASSERT_EQ (h.section.bytes, NULL);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg + 20, strlen (msg) - 20, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1Ext_head_complete (p), 1);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 16), 0);
  ASSERT_EQ (h.section.nfields, 3);
  check_fields (&h.section, f, SocketHTTP1_Parser_get_request (p)->headers);
  ASSERT (span_is (h.section.bytes, f[3], "v v"));
  ASSERT (span_is (h.section.bytes, f[5], "a   b")); /* obs-fold became SPs */
  ASSERT (span_is (h.section.bytes, h.method, "GET"));
  ASSERT (span_is (h.section.bytes, h.target, "/x?y=1"));
  ASSERT_EQ (h.section.bytes[h.target.off + h.target.len], '\0');
  ASSERT_EQ (h.reason.len, 0);
  ASSERT_EQ (h.in_head, SOCKETHTTP1EXT_AUTHORITY_IN_HEAD | SOCKETHTTP1EXT_PATH_IN_HEAD);
  ASSERT (span_is (h.section.bytes, h.authority, SocketHTTP1_Parser_get_request (p)->authority));
  ASSERT (span_is (h.section.bytes, h.authority, "example.com"));
  ASSERT (span_is (h.section.bytes, h.path, "/x?y=1"));
  ASSERT_EQ (h.scheme.len, 0);

  /* a short span array: the total is still reported, the first fit */
  memset (f, 0xff, sizeof f);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 3), 0);
  ASSERT_EQ (h.section.nfields, 3);
  ASSERT (span_is (h.section.bytes, f[0], "Host"));
  ASSERT_UEQ (f[2].off, 0xffffffffu); /* untouched */
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, NULL, 0), 0);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, NULL, 2), -1);

  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1Ext_head_complete (p), 0);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 16), -1);
  Arena_dispose (&a);
}

TEST (absolute_form_target)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = parser (HTTP1_PARSE_REQUEST, a);
  const char *msg = "GET http://h.example:8080/p HTTP/1.1" R "Host: h.example:8080" R R;
  const SocketHTTP_Request *req;
  SocketHTTP1Ext_Head h;
  SocketHTTPExt_Span f[4];
  size_t used;

  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg, strlen (msg), &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 4), 0);
  req = SocketHTTP1_Parser_get_request (p);
  ASSERT (span_is (h.section.bytes, h.target, "http://h.example:8080/p"));
  /* built by the parser: only the request struct has them */
  ASSERT_EQ (h.in_head & (SOCKETHTTP1EXT_SCHEME_IN_HEAD | SOCKETHTTP1EXT_PATH_IN_HEAD), 0);
  ASSERT_EQ (h.scheme.len, 0);
  ASSERT_STREQ (req->scheme, "http");
  ASSERT_STREQ (req->path, "/p");
  if (h.in_head & SOCKETHTTP1EXT_AUTHORITY_IN_HEAD)
    ASSERT (span_is (h.section.bytes, h.authority, req->authority));
  else
    ASSERT_EQ (h.authority.len, 0);
  Arena_dispose (&a);
}

TEST (response_reason_and_trailers)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = parser (HTTP1_PARSE_RESPONSE, a);
  const char *msg = "HTTP/1.1 404 Not Here" R "Transfer-Encoding: chunked" R R "3" R "abc" R "0" R
                    "X-T: 1" R "X-U: two" R R "NEXT";
  SocketHTTP1Ext_Head h;
  SocketHTTP1Ext_Section t;
  SocketHTTPExt_Span f[8];
  size_t used = 0;

  /* stops after the head, then at the end of the message */
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg, strlen (msg), &used), HTTP1_OK);
  ASSERT_EQ (used, 53);
  ASSERT_EQ (SocketHTTP1Ext_trailers (p, &t, f, 8), -1);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg + 53, strlen (msg) - 53, &used), HTTP1_OK);
  ASSERT_EQ (used, strlen (msg) - 53 - 4);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_COMPLETE);
  ASSERT_EQ (SocketHTTP1Ext_head (p, &h, f, 8), 0);
  ASSERT (span_is (h.section.bytes, h.reason, "Not Here"));
  ASSERT_STREQ (SocketHTTP1_Parser_get_response (p)->reason_phrase, "Not Here");
  ASSERT_EQ (h.method.len, 0);
  ASSERT_EQ (h.in_head, 0);
  ASSERT_EQ (SocketHTTP1Ext_trailers (p, &t, f, 8), 0);
  ASSERT_EQ (t.nfields, 2);
  check_fields (&t, f, SocketHTTP1_Parser_get_trailers (p));
  ASSERT (span_is (t.bytes, f[3], "two"));

  /* no trailers before the message is complete, or without chunking */
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1Ext_trailers (p, &t, f, 8), -1);
  msg = "HTTP/1.1 200 OK" R "Content-Length: 2" R R "hi";
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg, strlen (msg) - 2, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, "hi", 2, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_COMPLETE);
  ASSERT_EQ (SocketHTTP1Ext_trailers (p, &t, f, 8), -1);
  ASSERT_EQ (t.bytes, NULL);
  Arena_dispose (&a);
}

TEST (execute_skip_versus_execute)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = parser (HTTP1_PARSE_REQUEST, a);
  const char *msg = "POST / HTTP/1.1" R "Host: a" R "Content-Length: 5" R R "hello";
  size_t head_len = strlen (msg) - 5, used = 0;

  /* the original leaves the content to read_body */
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg, strlen (msg), &used), HTTP1_OK);
  ASSERT_EQ (used, head_len);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg + used, 5, &used), HTTP1_OK);
  ASSERT_EQ (used, 0);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_BODY);

  /* the extension consumes it after the head, also split over calls */
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg, head_len + 2, &used), HTTP1_OK);
  ASSERT_EQ (used, head_len);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg + head_len, 2, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (used, 2);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 3);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg + head_len + 2, 3, &used), HTTP1_OK);
  ASSERT_EQ (used, 3);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_COMPLETE);

  /* end of input: clean between messages, an error inside a head */
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, NULL, 0, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, msg, 7, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, NULL, 0, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (p, NULL, 0, &used), HTTP1_ERROR_UNEXPECTED_EOF);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_ERROR);

  /* errors report the offending offset, as execute does */
  SocketHTTP1_Parser_reset (p);
  msg = "GET / HTTP/1.1" R "Bad Name: x" R R;
  ASSERT (SocketHTTP1Ext_execute_skip (p, msg, strlen (msg), &used) >= HTTP1_ERROR);
  ASSERT_EQ (used, 19);
  ASSERT_EQ (SocketHTTP1Ext_execute_skip (NULL, msg, 1, &used), HTTP1_ERROR);
  Arena_dispose (&a);
}

TEST (hpack_partial_decode)
{
  Arena_T a = Arena_new (), s = Arena_new ();
  SocketHPACK_DecoderConfig cfg;
  SocketHPACK_Decoder_T d;
  SocketHPACK_Header hs[8];
  size_t n = 99;
  /* :method GET, :path /, then index 0 (invalid) */
  const unsigned char bad[] = { 0x82, 0x84, 0x80 };
  const unsigned char good[] = { 0x82, 0x84 };

  SocketHPACK_decoder_config_defaults (&cfg);
  d = SocketHPACK_Decoder_new (&cfg, a);
  ASSERT_EQ (SocketHPACK_Decoder_decode (d, bad, sizeof bad, hs, 8, &n, s), HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (n, 0); /* the original keeps nothing */
  n = 99;
  ASSERT_EQ (SocketHPACKExt_Decoder_decode (d, bad, sizeof bad, hs, 8, &n, s),
             HPACK_ERROR_INVALID_INDEX);
  ASSERT_EQ (n, 2);
  ASSERT_EQ (hs[0].name_len, 7);
  ASSERT_MEMEQ (hs[0].name, ":method", 7);
  ASSERT_MEMEQ (hs[1].value, "/", 1);
  ASSERT_EQ (SocketHPACKExt_Decoder_decode (d, good, sizeof good, hs, 8, &n, s), HPACK_OK);
  ASSERT_EQ (n, 2);
  Arena_dispose (&s);
  Arena_dispose (&a);
}

TEST (headers_add_unlimited)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T capped = SocketHTTP_Headers_new (a);
  SocketHTTP_Headers_T open = SocketHTTP_Headers_new (a);
  char name[16];
  size_t i;

  for (i = 0; i < SOCKETHTTP_MAX_HEADERS + 5; i++)
    {
      int k = snprintf (name, sizeof name, "x-%zu", i);
      int want = i < SOCKETHTTP_MAX_HEADERS ? 0 : -1;
      ASSERT_EQ (SocketHTTP_Headers_add_n (capped, name, (size_t)k, "v", 1), want);
      ASSERT_EQ (SocketHTTPExt_Headers_add_n_unlimited (open, name, (size_t)k, "v", 1), 0);
    }
  ASSERT_EQ (SocketHTTP_Headers_count (open), SOCKETHTTP_MAX_HEADERS + 5);
  /* still validated */
  ASSERT_EQ (SocketHTTPExt_Headers_add_n_unlimited (open, "bad name", 8, "v", 1), -1);
  ASSERT_EQ (SocketHTTPExt_Headers_add_n_unlimited (open, "n", 1, "a\r\nb", 4), -1);
  ASSERT_EQ (SocketHTTPExt_Headers_add_n_unlimited (NULL, "n", 1, "v", 1), -1);
  ASSERT_EQ (SocketHTTP_Headers_count (open), SOCKETHTTP_MAX_HEADERS + 5);
  Arena_dispose (&a);
}

TEST_MAIN ()
