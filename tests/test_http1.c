/*
 * test_http1.c - HTTP/1.1 parser and serializer.
 *
 * Parsing tests describe the outcome once (a check callback) and run it
 * for the whole input, every two-piece split, byte-by-byte feeding and
 * a 1-byte body output buffer, each with the SIMD and the portable
 * scanners (run_variants), so split independence is tested everywhere.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "Test.h"
#include "http/SocketHTTP1-private.h"
#include "http/SocketHTTP1.h"

#define R "\r\n"

typedef struct
{
  Arena_T arena;
  SocketHTTP1_Parser_T p;
  SocketHTTP1_Result head_r; /* result of the head */
  SocketHTTP1_Result r;      /* final result: OK = message complete */
  char body[4096];
  size_t body_len, consumed;
} run_t;

/* Parses one message: pieces cut at @p cut (or 1-byte pieces), body read
 * with an output buffer of @p out_size bytes, optional EOF at the end. */
static void
run_parse (run_t *rt, SocketHTTP1_ParseMode mode, const SocketHTTP1_Config *cfg, const char *in,
           size_t len, size_t cut, int bytewise, size_t out_size, int eof)
{
  size_t pos = 0;
  memset (rt, 0, sizeof (*rt));
  rt->arena = Arena_new ();
  rt->p = SocketHTTP1_Parser_new (mode, cfg, rt->arena);
  rt->head_r = rt->r = HTTP1_INCOMPLETE;
  while (pos < len && rt->r < HTTP1_ERROR && !SocketHTTP1_Parser_body_complete (rt->p))
    {
      size_t end = bytewise ? pos + 1 : (pos < cut ? cut : len), used = 0, w = 0;
      if (rt->head_r != HTTP1_OK)
        rt->r = rt->head_r = SocketHTTP1_Parser_execute (rt->p, in + pos, end - pos, &used);
      else
        {
          size_t room = sizeof (rt->body) - rt->body_len;
          rt->r = SocketHTTP1_Parser_read_body (rt->p, in + pos, end - pos, &used,
                                                rt->body + rt->body_len,
                                                room < out_size ? room : out_size, &w);
          rt->body_len += w;
        }
      pos += used;
      if (used == 0 && w == 0 && rt->r == HTTP1_INCOMPLETE)
        break;
    }
  if (eof && rt->r < HTTP1_ERROR && !SocketHTTP1_Parser_body_complete (rt->p))
    {
      size_t used, w;
      rt->r = rt->head_r == HTTP1_OK
                  ? SocketHTTP1_Parser_read_body (rt->p, NULL, 0, &used, rt->body, 0, &w)
                  : SocketHTTP1_Parser_execute (rt->p, NULL, 0, &used);
    }
  if (rt->r < HTTP1_ERROR)
    rt->r = SocketHTTP1_Parser_body_complete (rt->p) ? HTTP1_OK : HTTP1_INCOMPLETE;
  rt->consumed = pos;
}

typedef void (*check_fn) (run_t *rt);

/* Runs @p check on every way of feeding @p in; fails naming the variant. */
static void
run_variants (SocketHTTP1_ParseMode mode, const SocketHTTP1_Config *cfg, const char *in,
              size_t len, int eof, check_fn check)
{
  for (int scalar = 0; scalar < 2; scalar++)
    for (size_t v = 0; v <= len + 2; v++)
      {
        run_t rt;
        int bytewise = v == len + 1, small_out = v == len + 2;
        size_t cut = v <= len ? v : len;
        SocketHTTP1__force_scalar = scalar;
        run_parse (&rt, mode, cfg, in, len, cut, bytewise, small_out ? 1 : 4096, eof);
        check (&rt);
        SocketHTTP1__force_scalar = 0;
        Arena_dispose (&rt.arena);
        if (test_failed_)
          {
            fprintf (stderr, "  (variant: %s%s, split %zu)\n", scalar ? "portable " : "",
                     bytewise ? "bytewise" : small_out ? "1-byte output" : "split", cut);
            return;
          }
      }
}

#define RUN(mode, cfg, lit, eof, fn) run_variants (mode, cfg, lit, sizeof (lit) - 1, eof, fn)

/* ===================================================================== */
/* Requests                                                              */
/* ===================================================================== */

static const char get_req[] = "GET /search?q=a%20b HTTP/1.1" R "Host: example.com" R
                              "User-Agent:   curl/8.0  " R "Accept: */*" R "X-Empty:" R
                              "x-multi: 1" R "X-Multi: 2" R R;

static void
check_get (run_t *rt)
{
  const SocketHTTP_Request *q = SocketHTTP1_Parser_get_request (rt->p);
  const char *vals[3];
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT (q != NULL);
  ASSERT_EQ (q->method, HTTP_METHOD_GET);
  ASSERT_EQ (q->version, HTTP_VERSION_1_1);
  ASSERT_STREQ (q->path, "/search?q=a%20b");
  ASSERT_STREQ (q->authority, "example.com");
  ASSERT (q->scheme == NULL);
  ASSERT_EQ (q->has_body, 0);
  ASSERT_EQ (q->content_length, -1);
  ASSERT_STREQ (SocketHTTP1_Parser_method_string (rt->p), "GET");
  ASSERT_EQ (SocketHTTP_Headers_count (q->headers), 6);
  ASSERT_STREQ (SocketHTTP_Headers_get (q->headers, "user-agent"), "curl/8.0");
  ASSERT_STREQ (SocketHTTP_Headers_get (q->headers, "x-empty"), "");
  ASSERT_EQ (SocketHTTP_Headers_get_all (q->headers, "X-MULTI", vals, 3), 2);
  ASSERT_STREQ (vals[1], "2");
  ASSERT_STREQ (SocketHTTP_Headers_at (q->headers, 0)->name, "Host");
  ASSERT_EQ (SocketHTTP1_Parser_state (rt->p), HTTP1_STATE_COMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_NONE);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (rt->p), 0);
  ASSERT (SocketHTTP1_Parser_should_keepalive (rt->p));
  ASSERT (!SocketHTTP1_Parser_is_upgrade (rt->p));
  ASSERT (!SocketHTTP1_Parser_expects_continue (rt->p));
  ASSERT (SocketHTTP1_Parser_get_response (rt->p) == NULL);
  ASSERT_EQ (rt->consumed, sizeof (get_req) - 1);
  {
    size_t hl;
    const char *base = SocketHTTP1__head_bytes (rt->p, &hl);
    const SocketHTTP_Header *f = SocketHTTP_Headers_at (q->headers, 1);
    ASSERT_EQ (hl, sizeof (get_req) - 1);
    ASSERT_EQ (f->name - base, /* offsets into the message, for bindings */
               (long)sizeof ("GET /search?q=a%20b HTTP/1.1" R "Host: example.com" R) - 1);
    ASSERT_MEMEQ (get_req + (f->value - base), "curl/8.0", 8);
  }
}

TEST (request_get)
{
  RUN (HTTP1_PARSE_REQUEST, NULL, get_req, 0, check_get);
}

static void
check_absolute (run_t *rt)
{
  const SocketHTTP_Request *q = SocketHTTP1_Parser_get_request (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_STREQ (q->scheme, "http");
  ASSERT_STREQ (q->authority, "[::1]:8080");
  ASSERT_STREQ (q->path, "/?x=1");
}

TEST (request_absolute_form)
{
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET http://[::1]:8080?x=1#frag HTTP/1.1" R "Host: other" R R,
       0, check_absolute);
}

static void
check_connect (run_t *rt)
{
  const SocketHTTP_Request *q = SocketHTTP1_Parser_get_request (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (q->method, HTTP_METHOD_CONNECT);
  ASSERT_STREQ (q->authority, "proxy.example:443");
  ASSERT_STREQ (q->path, "proxy.example:443");
  ASSERT (SocketHTTP1_Parser_is_upgrade (rt->p));
  ASSERT (SocketHTTP1_Parser_upgrade_protocol (rt->p) == NULL);
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_NONE);
  /* the tunnel bytes after the head are not consumed */
  ASSERT_EQ (rt->consumed, sizeof ("CONNECT proxy.example:443 HTTP/1.1" R "Host: x:443" R R) - 1);
}

TEST (request_connect)
{
  RUN (HTTP1_PARSE_REQUEST, NULL,
       "CONNECT proxy.example:443 HTTP/1.1" R "Host: x:443" R R "\x16\x03\x01tunnel", 0,
       check_connect);
}

static void
check_unknown_method (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (rt->p)->method, HTTP_METHOD_UNKNOWN);
  ASSERT_STREQ (SocketHTTP1_Parser_method_string (rt->p), "PROPFIND");
  ASSERT_EQ (SocketHTTP1_Parser_get_request (rt->p)->version, HTTP_VERSION_1_0);
  ASSERT (!SocketHTTP1_Parser_should_keepalive (rt->p)); /* 1.0 without keep-alive */
}

TEST (request_unknown_method_http10)
{
  RUN (HTTP1_PARSE_REQUEST, NULL, R "PROPFIND /dav HTTP/1.0" R R, 0, check_unknown_method);
}

/* ===================================================================== */
/* Bodies                                                                */
/* ===================================================================== */

static void
check_cl_body (run_t *rt)
{
  const SocketHTTP_Request *q = SocketHTTP1_Parser_get_request (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (q->has_body, 1);
  ASSERT_EQ (q->content_length, 11);
  ASSERT_EQ (SocketHTTP1_Parser_content_length (rt->p), 11);
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_CONTENT_LENGTH);
  ASSERT_EQ (rt->body_len, 11);
  ASSERT_MEMEQ (rt->body, "hello world", 11);
  ASSERT_EQ (rt->consumed, sizeof ("POST /u HTTP/1.1" R "Content-Length: 011" R R) - 1 + 11);
}

TEST (body_content_length)
{
  RUN (HTTP1_PARSE_REQUEST, NULL, "POST /u HTTP/1.1" R "Content-Length: 011" R R "hello worldGET", 0,
       check_cl_body);
}

TEST (body_remaining_counts_down)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  static const char head[] = "PUT / HTTP/1.1" R "Content-Length: 5" R R;
  char out[8];
  size_t used, w;
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, "x", 1, &used, out, 8, &w), HTTP1_ERROR);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), -1); /* before the head, as the original */
  ASSERT_EQ (SocketHTTP1_Parser_content_length (p), -1);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, head, sizeof (head) - 1, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_BODY);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 5);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, "ab", 2, &used, out, 8, &w), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 3);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, "cdefg", 5, &used, NULL, 0, &w), HTTP1_OK);
  ASSERT_EQ (used, 3); /* discard mode still stops at the end of the body */
  ASSERT_EQ (w, 3);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 0);
  ASSERT (SocketHTTP1_Parser_body_complete (p));
  Arena_dispose (&a);
}

TEST (request_struct_framing_values)
{
  /* As the original: has_body = a body mode was chosen (Content-Length: 0
   * too), content_length = the length or -1. */
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  static const char zero[] = "POST / HTTP/1.1" R "Host: h" R "Content-Length: 0" R R;
  static const char none[] = "GET / HTTP/1.1" R "Host: h" R R;
  size_t used;
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, zero, sizeof (zero) - 1, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (p)->has_body, 1);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (p)->content_length, 0);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 0);
  ASSERT (SocketHTTP1_Parser_body_complete (p));
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, none, sizeof (none) - 1, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (p)->has_body, 0);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (p)->content_length, -1);
  ASSERT_EQ (SocketHTTP1_Parser_content_length (p), -1);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (p), 0); /* no framing fields: 0 */
  Arena_dispose (&a);
}

static const char chunked_req[] = "POST /up HTTP/1.1" R "Host: h" R "Transfer-Encoding: gzip, chunked" R R
                                  "5;name=value;q=\"a\\\"b\"" R "hello" R
                                  "1A" R "abcdefghijklmnopqrstuvwxyz" R "000" R
                                  "X-Checksum: 42" R "X-Other:  v " R R;

static void
check_chunked (run_t *rt)
{
  SocketHTTP_Headers_T t = SocketHTTP1_Parser_get_trailers (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_CHUNKED);
  ASSERT_EQ (SocketHTTP1_Parser_content_length (rt->p), -1);
  ASSERT_EQ (rt->body_len, 31);
  ASSERT_MEMEQ (rt->body, "helloabcdefghijklmnopqrstuvwxyz", 31);
  ASSERT_EQ (SocketHTTP_Headers_count (t), 2);
  ASSERT_STREQ (SocketHTTP_Headers_get (t, "x-checksum"), "42");
  ASSERT_STREQ (SocketHTTP_Headers_get (t, "x-other"), "v");
  ASSERT_EQ (rt->consumed, sizeof (chunked_req) - 1);
}

TEST (body_chunked_extensions_trailers)
{
  RUN (HTTP1_PARSE_REQUEST, NULL, chunked_req, 0, check_chunked);
}

TEST (execute_leaves_body_to_read_body)
{
  /* As the original: after the head, execute consumes nothing (HTTP1_OK,
   * consumed 0; len 0 -> HTTP1_INCOMPLETE) and read_body gets the content. */
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  size_t used, total, w;
  char out[64];
  const size_t len = sizeof (chunked_req) - 1;
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, chunked_req, len, &used), HTTP1_OK);
  total = used;
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_CHUNK_SIZE);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, chunked_req + total, len - total, &used), HTTP1_OK);
  ASSERT_EQ (used, 0);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, NULL, 0, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (used, 0);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_CHUNK_SIZE);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, chunked_req + total, len - total, &used, out,
                                           sizeof (out), &w),
             HTTP1_OK);
  ASSERT_EQ (total + used, len);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_COMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "GET", 3, &used), HTTP1_OK); /* until reset */
  ASSERT_EQ (used, 0);
  /* the Go binding's variant still skips content and reads len 0 as EOF */
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1__execute_skip (p, chunked_req, len, &used), HTTP1_OK);
  total = used;
  ASSERT_EQ (SocketHTTP1__execute_skip (p, chunked_req + total, len - total, &used), HTTP1_OK);
  ASSERT_EQ (total + used, len);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_COMPLETE);
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1__execute_skip (p, "GET /", 5, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1__execute_skip (p, NULL, 0, &used), HTTP1_ERROR_UNEXPECTED_EOF);
  Arena_dispose (&a);
}

static void
check_until_close (run_t *rt)
{
  const SocketHTTP_Response *s = SocketHTTP1_Parser_get_response (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (s->status_code, 200);
  ASSERT_STREQ (s->reason_phrase, "OK");
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_UNTIL_CLOSE);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (rt->p), -1); /* until-close: -1, as the original */
  ASSERT_EQ (rt->body_len, 12);
  ASSERT_MEMEQ (rt->body, "until close\n", 12);
  ASSERT (!SocketHTTP1_Parser_should_keepalive (rt->p));
}

TEST (body_until_close)
{
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 200 OK" R "Content-Type: text/plain" R R "until close\n",
       1, check_until_close);
}

static void
check_no_body (run_t *rt)
{
  const SocketHTTP_Response *s = SocketHTTP1_Parser_get_response (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_body_mode (rt->p), HTTP1_BODY_NONE);
  ASSERT_EQ (rt->body_len, 0);
  /* the original's values for 1xx/204/304: struct says 0, accessors -1 */
  ASSERT_EQ (s->has_body, 0);
  ASSERT_EQ (s->content_length, 0);
  ASSERT_EQ (SocketHTTP1_Parser_content_length (rt->p), -1);
  ASSERT_EQ (SocketHTTP1_Parser_body_remaining (rt->p), -1);
}

TEST (responses_without_body)
{
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 204 No Content" R "Content-Length: 10" R R, 0,
       check_no_body);
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 304 Not Modified" R "Transfer-Encoding: chunked" R R,
       0, check_no_body);
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 100 Continue" R R, 0, check_no_body);
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 103 Early Hints" R "Link: </s.css>; rel=preload" R R,
       0, check_no_body);
}

TEST (skip_body_for_head_response)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, NULL, a);
  static const char in[] = "HTTP/1.1 200 OK" R "Content-Length: 1234" R R "HTTP/1.1 404 x" R R;
  size_t used, used2;
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, in, sizeof (in) - 1, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_BODY);
  SocketHTTP1_Parser_skip_body (p);
  ASSERT (SocketHTTP1_Parser_body_complete (p));
  ASSERT (SocketHTTP1_Parser_should_keepalive (p));
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, in + used, sizeof (in) - 1 - used, &used2), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_get_response (p)->status_code, 404);
  ASSERT_STREQ (SocketHTTP1_Parser_get_response (p)->reason_phrase, "x");
  Arena_dispose (&a);
}

/* ===================================================================== */
/* Connection management                                                 */
/* ===================================================================== */

static int keepalive_expect;
static void
check_keepalive (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_should_keepalive (rt->p), keepalive_expect);
}

TEST (keepalive_matrix)
{
  keepalive_expect = 1;
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.1" R R, 0, check_keepalive);
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.0" R "Connection: Keep-Alive" R R, 0,
       check_keepalive);
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.1" R "Connection: x, keep-alive" R R, 0,
       check_keepalive);
  keepalive_expect = 0;
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.1" R "Connection: foo,  Close " R R, 0,
       check_keepalive);
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.0" R R, 0, check_keepalive);
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.0" R "Connection: keep-alive, close" R R, 0,
       check_keepalive);
  RUN (HTTP1_PARSE_RESPONSE, NULL, "HTTP/1.1 200 OK" R "Connection: close" R "Content-Length: 0" R R,
       0, check_keepalive);
}

static void
check_websocket (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT (SocketHTTP1_Parser_is_upgrade (rt->p));
  ASSERT_STREQ (SocketHTTP1_Parser_upgrade_protocol (rt->p), "websocket");
  ASSERT_EQ (rt->consumed, sizeof ("GET /chat HTTP/1.1" R "Host: h" R "Upgrade: websocket" R
                                   "Connection: keep-alive, Upgrade" R R) - 1);
}

static void
check_not_upgrade (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT (!SocketHTTP1_Parser_is_upgrade (rt->p));
  ASSERT (SocketHTTP1_Parser_upgrade_protocol (rt->p) == NULL);
}

static void
check_101 (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT (SocketHTTP1_Parser_is_upgrade (rt->p));
  ASSERT_STREQ (SocketHTTP1_Parser_upgrade_protocol (rt->p), "h2c");
  ASSERT_EQ (rt->body_len, 0);
}

TEST (upgrade)
{
  RUN (HTTP1_PARSE_REQUEST, NULL,
       "GET /chat HTTP/1.1" R "Host: h" R "Upgrade: websocket" R "Connection: keep-alive, Upgrade" R R
       "\x81\x05hello",
       0, check_websocket);
  /* RFC 9110 7.8: Upgrade without "Connection: upgrade" is ignored */
  RUN (HTTP1_PARSE_REQUEST, NULL, "GET / HTTP/1.1" R "Upgrade: websocket" R R, 0,
       check_not_upgrade);
  RUN (HTTP1_PARSE_RESPONSE, NULL,
       "HTTP/1.1 101 Switching Protocols" R "Connection: upgrade" R "Upgrade: h2c" R
       "Content-Length: 4" R R "PRI *",
       0, check_101);
  RUN (HTTP1_PARSE_RESPONSE, NULL,
       "HTTP/1.1 200 OK" R "Connection: upgrade" R "Upgrade: h2c" R "Content-Length: 0" R R, 0,
       check_not_upgrade);
}

static int continue_expect;
static void
check_continue (run_t *rt)
{
  ASSERT (rt->head_r == HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_expects_continue (rt->p), continue_expect);
}

TEST (expect_100_continue)
{
  continue_expect = 1;
  RUN (HTTP1_PARSE_REQUEST, NULL, "PUT /f HTTP/1.1" R "Expect: 100-Continue" R "Content-Length: 3" R R,
       0, check_continue);
  continue_expect = 0;
  RUN (HTTP1_PARSE_REQUEST, NULL, "PUT /f HTTP/1.0" R "Expect: 100-continue" R "Content-Length: 3" R R,
       0, check_continue);
  RUN (HTTP1_PARSE_REQUEST, NULL, "PUT /f HTTP/1.1" R "Expect: 200-ok" R "Content-Length: 3" R R,
       0, check_continue);
}

TEST (pipelined_requests)
{
  static const char in[] = "GET /1 HTTP/1.1" R R "POST /2 HTTP/1.1" R "Content-Length: 2" R R "ab"
                           R "GET /3 HTTP/1.1" R "Connection: close" R R;
  static const char *const paths[] = { "/1", "/2", "/3" };
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  size_t off = 0, used, w;
  char out[4];
  for (int k = 0; k < 3; k++)
    {
      SocketHTTP1_Parser_reset (p);
      ASSERT_EQ (SocketHTTP1_Parser_execute (p, in + off, sizeof (in) - 1 - off, &used), HTTP1_OK);
      off += used;
      ASSERT_STREQ (SocketHTTP1_Parser_get_request (p)->path, paths[k]);
      if (!SocketHTTP1_Parser_body_complete (p))
        {
          ASSERT_EQ (SocketHTTP1_Parser_read_body (p, in + off, sizeof (in) - 1 - off, &used, out,
                                                   sizeof (out), &w),
                     HTTP1_OK);
          off += used;
          ASSERT_MEMEQ (out, "ab", 2);
        }
      ASSERT_EQ (SocketHTTP1_Parser_should_keepalive (p), k < 2);
    }
  ASSERT_EQ (off, sizeof (in) - 1); /* "\r\n" before the third request was skipped */
  Arena_dispose (&a);
}

/* Feeds the head in pieces of @p k bytes; result and consumed total. */
static SocketHTTP1_Result
head_in_pieces (const SocketHTTP1_Config *cfg, SocketHTTP1_ParseMode mode, const char *in,
                size_t len, size_t k, size_t *total)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (mode, cfg, a);
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  size_t pos = 0, used;
  while (pos < len && r == HTTP1_INCOMPLETE)
    {
      size_t n = len - pos < k ? len - pos : k;
      r = SocketHTTP1_Parser_execute (p, in + pos, n, &used);
      pos += used;
    }
  *total = pos;
  Arena_dispose (&a);
  return r;
}

TEST (small_reads_match_whole_message)
{
  /* Pieces of 2..20 bytes go through the resumption fast path (runs of
   * name, value, target and reason bytes) and fall back to the machine
   * mid-piece; result and error offset must be the whole message's. */
  static const char *const reqs[] = {
    "GET /search?q=a&b=c HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 X11\r\nAccept: */*\r\n\r\n",
    "GET /a HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789abcdefghij\r\n\r\n",       /* value limit */
    "GET /a HTTP/1.1\r\nHost: h\r\nX-Longer-Name-Here: 1\r\n\r\n",               /* name limit */
    "GET /a HTTP/1.1\r\nHost: h\r\nX-Bad: 0123456\001789\r\n\r\n",                /* CTL in value */
    "GET /a HTTP/1.1\r\nHost: h\r\nX-B@d: 1\r\n\r\n",                            /* bad name byte */
    "GET /0123456789012345678901234567890123456789 HTTP/1.1\r\n\r\n",             /* line limit */
    "GET /ab\x7f HTTP/1.1\r\nHost: h\r\n\r\n",                                     /* DEL in target */
  };
  static const char *const resps[] = {
    "HTTP/1.1 200 Fine Reason Phrase\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 Bad\x01Reason\r\nContent-Length: 0\r\n\r\n",
  };
  SocketHTTP1_Config cfg;
  SocketHTTP1_config_defaults (&cfg);
  cfg.max_header_value = 16;
  cfg.max_header_name = 14;
  cfg.max_request_line = 40;
  for (int m = 0; m < 2; m++)
    {
      const char *const *v = m == 0 ? reqs : resps;
      size_t nv = m == 0 ? sizeof (reqs) / sizeof (reqs[0]) : sizeof (resps) / sizeof (resps[0]);
      SocketHTTP1_ParseMode mode = m == 0 ? HTTP1_PARSE_REQUEST : HTTP1_PARSE_RESPONSE;
      for (size_t i = 0; i < nv; i++)
        {
          size_t len = strlen (v[i]), whole_used, used;
          SocketHTTP1_Result whole = head_in_pieces (&cfg, mode, v[i], len, len, &whole_used);
          if (i == 0)
            ASSERT_EQ (whole, HTTP1_OK);
          else
            ASSERT (whole >= HTTP1_ERROR);
          for (size_t k = 1; k <= 20; k++)
            {
              ASSERT_EQ (head_in_pieces (&cfg, mode, v[i], len, k, &used), whole);
              /* limit errors may be reported a few bytes later; byte errors not */
              if (whole == HTTP1_OK || whole == HTTP1_ERROR_INVALID_HEADER_VALUE
                  || whole == HTTP1_ERROR_INVALID_URI || whole == HTTP1_ERROR_INVALID_STATUS
                  || (whole == HTTP1_ERROR_INVALID_HEADER_NAME && i == 4))
                ASSERT_EQ (used, whole_used);
            }
        }
    }
}

/* ===================================================================== */
/* Limits                                                                */
/* ===================================================================== */

static SocketHTTP1_Result
parse_with (const SocketHTTP1_Config *cfg, SocketHTTP1_ParseMode mode, const char *in)
{
  run_t rt;
  SocketHTTP1_Result r, r1;
  size_t len = strlen (in);
  run_parse (&rt, mode, cfg, in, len, len, 0, 4096, 0);
  r = rt.r;
  Arena_dispose (&rt.arena);
  run_parse (&rt, mode, cfg, in, len, 0, 1, 4096, 0);
  r1 = rt.r;
  Arena_dispose (&rt.arena);
  return r == r1 ? r : HTTP1_ERROR; /* split-dependent: a bug */
}

static char big[70000];

/* "GET /" + @p n x's + " HTTP/1.1\r\n" + extra */
static const char *
request_with_target (size_t n, const char *extra)
{
  snprintf (big, sizeof (big), "GET /%.*s HTTP/1.1\r\n%s", (int)n,
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            extra);
  return big;
}

TEST (limits_start_line)
{
  SocketHTTP1_Config cfg;
  SocketHTTP1_config_defaults (&cfg);
  cfg.max_request_line = 32; /* "GET /" + n + " HTTP/1.1\r\n" = 16 + n */
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, request_with_target (16, "\r\n")), HTTP1_OK);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, request_with_target (17, "\r\n")),
             HTTP1_ERROR_LINE_TOO_LONG);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, request_with_target (100, "")),
             HTTP1_ERROR_LINE_TOO_LONG);
  ASSERT_EQ (parse_with (NULL, HTTP1_PARSE_REQUEST, "ABCDEFGHIJKLMNOP / HTTP/1.1\r\n\r\n"), HTTP1_OK);
  ASSERT_EQ (parse_with (NULL, HTTP1_PARSE_REQUEST, "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n"),
             HTTP1_ERROR_INVALID_METHOD);
  cfg.max_request_line = 20;
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_RESPONSE, "HTTP/1.1 200 0123456\r\n\r\n"),
             HTTP1_ERROR_LINE_TOO_LONG);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_RESPONSE, "HTTP/1.1 200 01234\r\n\r\n"), HTTP1_INCOMPLETE);
}

TEST (limits_fields)
{
  SocketHTTP1_Config cfg;
  SocketHTTP1_config_defaults (&cfg);
  cfg.max_header_name = 4;
  cfg.max_header_value = 5;
  cfg.max_headers = 2;
  cfg.max_header_size = 40;
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, "GET / HTTP/1.1\r\nAbcd: 12345\r\n\r\n"), HTTP1_OK);
  /* a name over max_header_name: INVALID_HEADER_NAME, as the original */
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, "GET / HTTP/1.1\r\nAbcde: 1\r\n\r\n"),
             HTTP1_ERROR_INVALID_HEADER_NAME);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, "GET / HTTP/1.1\r\nA: 123456\r\n\r\n"),
             HTTP1_ERROR_HEADER_TOO_LARGE);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
             HTTP1_ERROR_TOO_MANY_HEADERS);
  /* section: 40 bytes of field lines including the final CRLF */
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST,
                         "GET / HTTP/1.1\r\nAbcd: 12345\r\nAbcd: 12345\r\n\r\n"),
             HTTP1_OK);
  cfg.max_header_size = 27;
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST,
                         "GET / HTTP/1.1\r\nAbcd: 12345\r\nAbcd: 12345\r\n\r\n"),
             HTTP1_ERROR_HEADER_TOO_LARGE);
  /* a too-long value beats a later bad byte, however the input is split */
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, "GET / HTTP/1.1\r\nA: 1234567\x01\r\n\r\n"),
             HTTP1_ERROR_HEADER_TOO_LARGE);
}

TEST (limits_chunks_and_trailers)
{
  SocketHTTP1_Config cfg;
  char ext[1200];
  SocketHTTP1_config_defaults (&cfg);
  cfg.max_chunk_size = 16;
  cfg.max_trailer_size = 12;
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "10\r\n0123456789abcdef\r\n0\r\nX: 12345\r\n\r\n"),
             HTTP1_OK);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n"),
             HTTP1_ERROR_CHUNK_TOO_LARGE);
  ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST,
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 123456\r\n\r\n"),
             HTTP1_ERROR_HEADER_TOO_LARGE);
  {
    /* chunk line of 1024 bytes (without CRLF) is the most SOCKETHTTP1_MAX_CHUNK_EXT allows */
    int n = snprintf (ext, sizeof (ext), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    memset (ext + n, 'e', 1022);
    strcpy (ext + n + 1022, "\r\n");
    ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, ext), HTTP1_INCOMPLETE);
    memset (ext + n, 'e', 1023);
    strcpy (ext + n + 1023, "\r\n");
    ASSERT_EQ (parse_with (&cfg, HTTP1_PARSE_REQUEST, ext), HTTP1_ERROR_LINE_TOO_LONG);
  }
}

/* ===================================================================== */
/* Errors, EOF, misuse                                                   */
/* ===================================================================== */

TEST (errors_sticky_with_offset)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  static const char in[] = "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n";
  size_t used;
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, in, 10, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (used, 10);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, in + 10, sizeof (in) - 11, &used),
             HTTP1_ERROR_INVALID_HEADER_NAME);
  ASSERT_EQ (10 + used, 19); /* the space after "Bad" */
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_ERROR);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "x", 1, &used), HTTP1_ERROR_INVALID_HEADER_NAME);
  ASSERT_EQ (used, 0);
  ASSERT (SocketHTTP1_Parser_get_request (p) == NULL);
  ASSERT (!SocketHTTP1_Parser_should_keepalive (p));
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "GET / HTTP/1.1\r\n\r\n", 18, &used), HTTP1_OK);
  Arena_dispose (&a);
}

TEST (end_of_input)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  size_t used, w;
  char out[8];
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, NULL, 0, &used), HTTP1_INCOMPLETE); /* clean close */
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "\r\n", 2, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, NULL, 0, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "GET /", 5, &used), HTTP1_INCOMPLETE);
  /* len 0 has no end-of-input meaning (as the original): no state change */
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, NULL, 0, &used), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_state (p), HTTP1_STATE_START);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, " HTTP/1.1\r\n\r\n", 13, &used), HTTP1_OK);
  SocketHTTP1_Parser_reset (p);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, "PUT / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab", 40, &used),
             HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, "ab", 2, &used, out, 8, &w), HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, NULL, 0, &used, out, 8, &w),
             HTTP1_ERROR_UNEXPECTED_EOF);
  ASSERT_EQ (SocketHTTP1_Parser_execute (NULL, "x", 1, &used), HTTP1_ERROR);
  ASSERT_EQ (SocketHTTP1_Parser_state (NULL), HTTP1_STATE_ERROR);
  Arena_dispose (&a);
}

TEST (constructor_checks)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Config cfg;
  volatile int raised = 0;
  SocketHTTP1_Parser_T p;
  SocketHTTP1_config_defaults (&cfg);
  ASSERT_EQ (cfg.max_request_line, SOCKETHTTP1_MAX_REQUEST_LINE);
  ASSERT_EQ (cfg.max_trailer_size, SOCKETHTTP1_MAX_TRAILER_SIZE);
  ASSERT_EQ (cfg.strict_mode, 1);
  ASSERT_EQ (cfg.allow_obs_fold, 0);
  cfg.max_headers = 0;
  TRY
    SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, &cfg, a);
  EXCEPT (SocketHTTP1_ParseError)
    raised++;
  END_TRY;
  TRY
    SocketHTTP1_Parser_new ((SocketHTTP1_ParseMode)7, NULL, a);
  EXCEPT (SocketHTTP1_ParseError)
    raised++;
  END_TRY;
  TRY
    SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, NULL);
  EXCEPT (SocketHTTP1_ParseError)
    raised++;
  END_TRY;
  ASSERT_EQ (raised, 3);
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, NULL, a);
  SocketHTTP1_Parser_free (&p);
  ASSERT (p == NULL);
  Arena_dispose (&a);
}

static void
check_fold (run_t *rt)
{
  const SocketHTTP_Request *q = SocketHTTP1_Parser_get_request (rt->p);
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_STREQ (SocketHTTP_Headers_get (q->headers, "x-long"), "a   b    c");
  ASSERT_STREQ (SocketHTTP_Headers_get (q->headers, "x-empty"), "d");
  ASSERT_STREQ (SocketHTTP_Headers_get (q->headers, "host"), "h");
}

TEST (obs_fold_unfolded)
{
  SocketHTTP1_Config cfg;
  SocketHTTP1_config_defaults (&cfg);
  cfg.allow_obs_fold = 1;
  RUN (HTTP1_PARSE_REQUEST, &cfg,
       "GET / HTTP/1.1" R "X-Long: a" R " b" R "\t c  " R "X-Empty:" R "  d" R "Host: h" R R, 0,
       check_fold);
}

static void
check_lenient_lf (run_t *rt)
{
  ASSERT_EQ (rt->r, HTTP1_OK);
  ASSERT_STREQ (SocketHTTP_Headers_get (SocketHTTP1_Parser_get_request (rt->p)->headers, "a"), "1");
  ASSERT_EQ (rt->body_len, 5);
  ASSERT_EQ (SocketHTTP1_Parser_get_request (rt->p)->version, HTTP_VERSION_1_1); /* 1.7 read as 1.1 */
}

TEST (lenient_lf_and_version)
{
  SocketHTTP1_Config cfg;
  SocketHTTP1_config_defaults (&cfg);
  cfg.strict_mode = 0;
  RUN (HTTP1_PARSE_REQUEST, &cfg,
       "\nPOST / HTTP/1.7\nA: 1\r\nTransfer-Encoding: chunked\n\n5 \nhello\n0\n\n", 0,
       check_lenient_lf);
}

/* ===================================================================== */
/* Serialization                                                         */
/* ===================================================================== */

TEST (serialize_request_round_trip)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Request req;
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  char out[512];
  ssize_t n;
  size_t used;
  memset (&req, 0, sizeof (req));
  req.method = HTTP_METHOD_POST;
  req.version = HTTP_VERSION_1_1;
  req.path = "/submit?x=1";
  req.authority = "api.example";
  req.headers = SocketHTTP_Headers_new (a);
  req.content_length = 5;
  req.has_body = 1;
  SocketHTTP_Headers_add (req.headers, "Content-Type", "text/plain");
  n = SocketHTTP1_serialize_request (&req, out, sizeof (out));
  /* the original's order: caller's fields, then Host, then Content-Length */
  ASSERT_STREQ (out, "POST /submit?x=1 HTTP/1.1\r\nContent-Type: text/plain\r\nHost: "
                     "api.example\r\nContent-Length: 5\r\n\r\n");
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, out, (size_t)n, &used), HTTP1_OK);
  ASSERT_EQ ((ssize_t)used, n);
  ASSERT_EQ (SocketHTTP1_Parser_content_length (p), 5);
  ASSERT_STREQ (SocketHTTP1_Parser_get_request (p)->authority, "api.example");
  for (size_t size = 0; size <= (size_t)n; size++) /* too small, incl. no room for the NUL */
    ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, size), -1);
  ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, (size_t)n + 1), n);
  ASSERT_EQ (out[n], '\0');
  req.method = HTTP_METHOD_GET;
  req.content_length = -1;
  req.has_body = 0;
  SocketHTTP_Headers_clear (req.headers);
  n = SocketHTTP1_serialize_request (&req, out, sizeof (out));
  ASSERT_STREQ (out, "GET /submit?x=1 HTTP/1.1\r\nHost: api.example\r\n\r\n");
  req.method = HTTP_METHOD_PUT;
  req.has_body = 1; /* no length known: no framing field is invented */
  n = SocketHTTP1_serialize_request (&req, out, sizeof (out));
  ASSERT_STREQ (out, "PUT /submit?x=1 HTTP/1.1\r\nHost: api.example\r\n\r\n");
  req.method = HTTP_METHOD_GET;
  req.content_length = 0; /* has_body && content_length >= 0: written, also 0 */
  n = SocketHTTP1_serialize_request (&req, out, sizeof (out));
  ASSERT_STREQ (out, "GET /submit?x=1 HTTP/1.1\r\nHost: api.example\r\nContent-Length: 0\r\n\r\n");
  req.has_body = 0;
  req.content_length = -1;
  req.path = ""; /* NULL/empty path: "/" */
  req.authority = ""; /* empty authority: no Host */
  n = SocketHTTP1_serialize_request (&req, out, sizeof (out));
  ASSERT_STREQ (out, "GET / HTTP/1.1\r\n\r\n");
  req.path = NULL;
  req.method = HTTP_METHOD_UNKNOWN; /* unknown method: "GET" */
  ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, sizeof (out)), 18);
  ASSERT_STREQ (out, "GET / HTTP/1.1\r\n\r\n");
  req.method = HTTP_METHOD_PUT;
  req.authority = "api.example";
  req.path = "/a b"; /* would split the request line */
  ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, sizeof (out)), -1);
  req.path = "/";
  req.authority = "evil\r\nX: 1";
  ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, sizeof (out)), -1);
  req.authority = NULL;
  req.version = HTTP_VERSION_2; /* not an HTTP/1.x request line */
  ASSERT_EQ (SocketHTTP1_serialize_request (&req, out, sizeof (out)), -1);
  Arena_dispose (&a);
}

TEST (serialize_response_and_headers)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Response resp;
  SocketHTTP_Header *raw;
  char out[256];
  memset (&resp, 0, sizeof (resp));
  resp.version = HTTP_VERSION_1_1;
  resp.status_code = 404;
  resp.headers = SocketHTTP_Headers_new (a);
  resp.content_length = 0;
  resp.has_body = 1;
  SocketHTTP_Headers_add (resp.headers, "Server", "libsocket");
  ASSERT (SocketHTTP1_serialize_response (&resp, out, sizeof (out)) > 0);
  ASSERT_STREQ (out, "HTTP/1.1 404 Not Found\r\nServer: libsocket\r\nContent-Length: 0\r\n\r\n");
  resp.status_code = 204; /* has_body set, but never Content-Length for 204 */
  resp.reason_phrase = "Nothing";
  ASSERT (SocketHTTP1_serialize_response (&resp, out, sizeof (out)) > 0);
  ASSERT_STREQ (out, "HTTP/1.1 204 Nothing\r\nServer: libsocket\r\n\r\n");
  resp.reason_phrase = ""; /* "" like NULL: the registered phrase */
  ASSERT (SocketHTTP1_serialize_response (&resp, out, sizeof (out)) > 0);
  ASSERT_STREQ (out, "HTTP/1.1 204 No Content\r\nServer: libsocket\r\n\r\n");
  resp.status_code = 304;
  resp.reason_phrase = NULL;
  resp.has_body = 1;
  resp.content_length = 7; /* a 304 may carry the selected representation's length */
  ASSERT (SocketHTTP1_serialize_response (&resp, out, sizeof (out)) > 0);
  ASSERT_STREQ (out, "HTTP/1.1 304 Not Modified\r\nServer: libsocket\r\nContent-Length: 7\r\n\r\n");
  resp.status_code = 404;
  resp.has_body = 0;
  ASSERT (SocketHTTP1_serialize_response (&resp, out, sizeof (out)) > 0);
  ASSERT_STREQ (out, "HTTP/1.1 404 Not Found\r\nServer: libsocket\r\n\r\n");
  resp.status_code = 204;
  resp.reason_phrase = "Bad\r\nX: y";
  ASSERT_EQ (SocketHTTP1_serialize_response (&resp, out, sizeof (out)), -1);
  resp.reason_phrase = NULL;
  resp.status_code = 42;
  ASSERT_EQ (SocketHTTP1_serialize_response (&resp, out, sizeof (out)), -1);
  ASSERT_EQ (SocketHTTP1_serialize_headers (resp.headers, out, sizeof (out)), 19);
  ASSERT_STREQ (out, "Server: libsocket\r\n");
  ASSERT_EQ (SocketHTTP1_serialize_headers (resp.headers, out, 19), -1); /* no room for NUL */
  ASSERT_EQ (SocketHTTP1_serialize_headers (NULL, out, sizeof (out)), 0);
  ASSERT_EQ (out[0], '\0');
  ASSERT_EQ (SocketHTTP1_serialize_headers (NULL, out, 0), -1);
  /* a field smuggled past validation (raw append) is still refused on output */
  raw = SocketHTTP_Headers__append_raw (resp.headers, 1);
  raw->name = "X";
  raw->name_len = 1;
  raw->value = "a\r\nInjected: 1";
  raw->value_len = 14;
  ASSERT_EQ (SocketHTTP1_serialize_headers (resp.headers, out, sizeof (out)), -1);
  Arena_dispose (&a);
}

TEST (chunk_encoding_round_trip)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T tr = SocketHTTP_Headers_new (a);
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a);
  static const char head[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  char msg[2048], data[300], out[400];
  size_t o = sizeof (head) - 1, used, w;
  ssize_t n;
  for (size_t i = 0; i < sizeof (data); i++)
    data[i] = (char)('a' + i % 26);
  memcpy (msg, head, o);
  ASSERT_EQ (SocketHTTP1_chunk_encode_size (0), 5);
  ASSERT_EQ (SocketHTTP1_chunk_encode_size (15), 1 + 2 + 15 + 2);
  ASSERT_EQ (SocketHTTP1_chunk_encode_size (256), 3 + 2 + 256 + 2);
  /* len 0 writes the last chunk, as the original */
  ASSERT_EQ (SocketHTTP1_chunk_encode (data, 0, out, sizeof (out)), 5);
  ASSERT (memcmp (out, "0\r\n\r\n", 5) == 0);
  ASSERT_EQ (SocketHTTP1_chunk_encode (NULL, 0, out, 5), 5);
  ASSERT_EQ (SocketHTTP1_chunk_encode (NULL, 0, out, 4), -1);
  ASSERT_EQ (SocketHTTP1_chunk_final (out, 4, NULL), -1);
  n = SocketHTTP1_chunk_encode (data, 256, msg + o, sizeof (msg) - o);
  ASSERT_EQ (n, 263);
  ASSERT_MEMEQ (msg + o, "100\r\nabc", 8);
  o += (size_t)n;
  n = SocketHTTP1_chunk_encode (data + 256, 44, msg + o, sizeof (msg) - o);
  ASSERT_MEMEQ (msg + o, "2c\r\n", 4);
  o += (size_t)n;
  ASSERT_EQ (SocketHTTP1_chunk_encode (data, 44, out, 49), -1);
  SocketHTTP_Headers_add (tr, "X-Digest", "sha-256=abc");
  n = SocketHTTP1_chunk_final (msg + o, sizeof (msg) - o, tr);
  ASSERT_EQ (n, 3 + 23 + 2);
  o += (size_t)n;
  ASSERT_EQ (SocketHTTP1_chunk_final (out, 4, NULL), -1);
  ASSERT_EQ (SocketHTTP1_chunk_final (out, 5, NULL), 5);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, msg, o, &used), HTTP1_OK);
  ASSERT_EQ (SocketHTTP1_Parser_read_body (p, msg + used, o - used, &used, out, sizeof (out), &w),
             HTTP1_OK);
  ASSERT_EQ (w, 300);
  ASSERT_MEMEQ (out, data, 300);
  ASSERT_STREQ (SocketHTTP_Headers_get (SocketHTTP1_Parser_get_trailers (p), "x-digest"),
                "sha-256=abc");
  Arena_dispose (&a);
}

/* A parser reused for many messages (keep-alive) must not keep allocating:
 * the header collection reuses its field blocks after a reset. */
TEST (reused_parser_memory_is_bounded)
{
  static const char req[] = "GET /a HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
                            "D: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\n\r\n";
  Arena_T arena = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  size_t used, before = 0;
  for (int i = 0; i < 20000; i++)
    {
      SocketHTTP1_Parser_reset (p);
      ASSERT_EQ (SocketHTTP1_Parser_execute (p, req, sizeof req - 1, &used), HTTP1_OK);
      ASSERT_EQ (SocketHTTP_Headers_count (SocketHTTP1_Parser_get_request (p)->headers), 8);
      if (i == 100)
        before = mallinfo2 ().uordblks;
    }
  /* 20,000 sections of 8 fields would need ~5 MB if each took new memory. */
  ASSERT (mallinfo2 ().uordblks - before < 64 * 1024);
  SocketHTTP1_Parser_free (&p);
  Arena_dispose (&arena);
}

TEST (result_strings)
{
  /* the original's table, word for word */
  static const char *const want[] = {
    "OK", "Incomplete - need more data", "Parse error", "Request/status line too long",
    "Invalid HTTP method", "Invalid request target", "Invalid HTTP version",
    "Invalid status code", "Invalid header name", "Invalid header value", "Header too large",
    "Too many headers", "Invalid Content-Length", "Invalid chunk size", "Chunk too large",
    "Invalid trailer", "Unexpected end of input", "Request smuggling attempt detected",
  };
  ASSERT_EQ (sizeof (want) / sizeof (want[0]), (size_t)HTTP1_ERROR_SMUGGLING_DETECTED + 1);
  for (int r = HTTP1_OK; r <= HTTP1_ERROR_SMUGGLING_DETECTED; r++)
    ASSERT_STREQ (SocketHTTP1_result_string ((SocketHTTP1_Result)r), want[r]);
  ASSERT_STREQ (SocketHTTP1_result_string ((SocketHTTP1_Result)99), "Unknown error");
  ASSERT_STREQ (SocketHTTP1_result_string ((SocketHTTP1_Result)-1), "Unknown error");
}

/* ===================================================================== */
/* Content codings                                                       */
/* ===================================================================== */

#ifdef SOCKETHTTP1_HAS_COMPRESSION
static void
codec_round_trip (SocketHTTP_Coding coding, SocketHTTP1_CompressLevel level, size_t out_piece)
{
  Arena_T a = Arena_new ();
  SocketHTTP1_Encoder_T e = SocketHTTP1_Encoder_new (coding, level, a);
  SocketHTTP1_Decoder_T d = SocketHTTP1_Decoder_new (coding, a);
  unsigned char src[20000], z[30000], back[20000];
  size_t zl = 0, bl = 0, used, w, pos = 0;
  ssize_t n;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  for (size_t i = 0; i < sizeof (src); i++)
    src[i] = (unsigned char)("HTTP/1.1 compresses well "[i % 25] + (i % 997 == 0));
  n = SocketHTTP1_Encoder_encode (e, src, 10000, z, sizeof (z), 1);
  ASSERT (n > 0);
  zl = (size_t)n;
  n = SocketHTTP1_Encoder_encode (e, src + 10000, 10000, z + zl, sizeof (z) - zl, 0);
  ASSERT (n >= 0);
  zl += (size_t)n;
  do
    {
      n = SocketHTTP1_Encoder_finish (e, z + zl, 64);
      ASSERT (n >= 0);
      zl += (size_t)n;
    }
  while (n == 64);
  ASSERT (zl < 2000);
  while (r == HTTP1_INCOMPLETE && pos <= zl)
    {
      size_t room = sizeof (back) - bl < out_piece ? sizeof (back) - bl : out_piece;
      r = SocketHTTP1_Decoder_decode (d, z + pos, zl - pos, &used, back + bl, room, &w);
      pos += used;
      bl += w;
      if (used == 0 && w == 0)
        break;
    }
  ASSERT_EQ (r, HTTP1_OK);
  ASSERT_EQ (bl, sizeof (src));
  ASSERT_MEMEQ (back, src, sizeof (src));
  ASSERT_EQ (SocketHTTP1_Decoder_finish (d, back, sizeof (back), &w), HTTP1_OK);
  SocketHTTP1_Encoder_free (&e);
  SocketHTTP1_Decoder_free (&d);
  ASSERT (e == NULL && d == NULL);
  Arena_dispose (&a);
}

TEST (compression_round_trips)
{
  codec_round_trip (HTTP_CODING_GZIP, HTTP1_COMPRESS_DEFAULT, 100000);
  codec_round_trip (HTTP_CODING_DEFLATE, HTTP1_COMPRESS_BEST, 100000);
  codec_round_trip (HTTP_CODING_GZIP, HTTP1_COMPRESS_FAST, 7);
}

TEST (compression_errors)
{
  Arena_T a = Arena_new ();
  /* raw deflate (no zlib header) of "hi", as some servers send for "deflate" */
  static const unsigned char raw[] = { 0xcb, 0xc8, 0x04, 0x00 };
  static const unsigned char junk[] = "this is not compressed at all";
  unsigned char out[64];
  size_t used, w;
  SocketHTTP1_Decoder_T d = SocketHTTP1_Decoder_new (HTTP_CODING_DEFLATE, a);
  ASSERT_EQ (SocketHTTP1_Decoder_decode (d, raw, sizeof (raw), &used, out, sizeof (out), &w), HTTP1_OK);
  ASSERT_EQ (w, 2);
  ASSERT_MEMEQ (out, "hi", 2);
  ASSERT_EQ (SocketHTTP1_Decoder_decode (d, raw, 1, &used, out, sizeof (out), &w), HTTP1_ERROR);
  d = SocketHTTP1_Decoder_new (HTTP_CODING_GZIP, a);
  ASSERT_EQ (SocketHTTP1_Decoder_decode (d, junk, sizeof (junk), &used, out, sizeof (out), &w),
             HTTP1_ERROR);
  d = SocketHTTP1_Decoder_new (HTTP_CODING_GZIP, a);
  ASSERT_EQ (SocketHTTP1_Decoder_decode (d, (const unsigned char *)"\x1f\x8b\x08", 3, &used, out,
                                         sizeof (out), &w),
             HTTP1_INCOMPLETE);
  ASSERT_EQ (SocketHTTP1_Decoder_finish (d, out, sizeof (out), &w), HTTP1_ERROR_UNEXPECTED_EOF);
  ASSERT (SocketHTTP1_Decoder_new (HTTP_CODING_BR, a) == NULL);
  ASSERT (SocketHTTP1_Encoder_new (HTTP_CODING_IDENTITY, HTTP1_COMPRESS_DEFAULT, a) == NULL);
  Arena_dispose (&a);
}
#endif

TEST_MAIN ()
