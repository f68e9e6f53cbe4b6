/*
 * test_http1_smuggling.c - request smuggling / framing-ambiguity vectors.
 *
 * Each vector is a complete input (head, and body where it matters), the
 * configuration and the result the parser must end with: the first error,
 * HTTP1_OK when the message (including its body) completed, or
 * HTTP1_INCOMPLETE. Every vector is run whole, split at every byte and
 * byte by byte, with the SIMD and the portable scanners; all runs must
 * agree. Controls (accepted inputs next to the rejected ones) show that
 * each rejection is about the ambiguity, not the field.
 */
#include <stdio.h>
#include <string.h>

#include "Test.h"
#include "http/SocketHTTP1-private.h"
#include "http/SocketHTTP1.h"

enum
{
  REQ = 0,
  RESP = 1
};
enum
{
  STRICT = 0,    /* defaults */
  LENIENT = 1,   /* strict_mode 0 */
  FOLD = 2,      /* allow_obs_fold */
  EOF_AT_END = 4 /* signal end of input after the data */
};

typedef struct
{
  const char *name;
  int mode, flags;
  const char *input;
  size_t len; /* from sizeof: several inputs contain NUL */
  SocketHTTP1_Result expect;
} vector;

#define V(name, mode, flags, input, expect) { name, mode, flags, input, sizeof (input) - 1, expect }

#define R "\r\n"
#define GET "GET / HTTP/1.1" R "Host: a" R
#define POST "POST / HTTP/1.1" R "Host: a" R
#define CHUNKED_BODY "5" R "hello" R "0" R R

static const vector vectors[] = {
  /* CL.TE / TE.CL */
  V ("CL then TE", REQ, STRICT, POST "Content-Length: 6" R "Transfer-Encoding: chunked" R R "0" R R "X",
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE then CL", REQ, STRICT, POST "Transfer-Encoding: chunked" R "Content-Length: 3" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("CL+TE lenient: TE wins", REQ, LENIENT, POST "Content-Length: 100" R "Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_OK),
  V ("CL+TE response", RESP, STRICT, "HTTP/1.1 200 OK" R "Content-Length: 5" R "Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  /* TE.TE obfuscations */
  V ("TE xchunked", REQ, STRICT, POST "Transfer-Encoding: xchunked" R R CHUNKED_BODY, HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked, identity", REQ, STRICT, POST "Transfer-Encoding: chunked, identity" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE identity", REQ, STRICT, POST "Transfer-Encoding: identity" R R, HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked then identity field", REQ, STRICT, POST "Transfer-Encoding: chunked" R "Transfer-Encoding: identity" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked twice", REQ, STRICT, POST "Transfer-Encoding: chunked, chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked twice (fields)", REQ, LENIENT, POST "Transfer-Encoding: chunked" R "Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked with parameter", REQ, STRICT, POST "Transfer-Encoding: chunked;q=1" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE quoted chunked", REQ, STRICT, POST "Transfer-Encoding: \"chunked\"" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunk", REQ, STRICT, POST "Transfer-Encoding: chunk" R R CHUNKED_BODY, HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked abc", REQ, STRICT, POST "Transfer-Encoding: chunked abc" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE empty", REQ, STRICT, POST "Transfer-Encoding:" R R, HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked in HTTP/1.0", REQ, STRICT, "POST / HTTP/1.0" R "Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE chunked in HTTP/1.0 response", RESP, LENIENT, "HTTP/1.0 200 OK" R "Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("TE vertical tab", REQ, STRICT, POST "Transfer-Encoding: chunked\x0b" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("TE name with space before colon", REQ, STRICT, POST "Transfer-Encoding : chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("TE name with tab before colon", REQ, LENIENT, POST "Transfer-Encoding\t: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("TE leading space on first field", REQ, FOLD, "POST / HTTP/1.1" R " Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("TE hidden in obs-fold", REQ, STRICT, POST "X: y" R " Transfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("TE NUL in name", REQ, STRICT, POST "Transfer-Encoding\0: chunked" R R, HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("TE bare CR separator", REQ, STRICT, POST "X: y\rTransfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("TE bare LF separator", REQ, STRICT, POST "X: y\nTransfer-Encoding: chunked" R R CHUNKED_BODY,
    HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("TE response not chunked: until close", RESP, EOF_AT_END, "HTTP/1.1 200 OK" R "Transfer-Encoding: gzip" R R "abc",
    HTTP1_OK),
  /* controls */
  V ("control: TE extra OWS", REQ, STRICT, POST "Transfer-Encoding:   chunked  " R R CHUNKED_BODY, HTTP1_OK),
  V ("control: TE tab OWS", REQ, STRICT, POST "Transfer-Encoding:\tchunked" R R CHUNKED_BODY, HTTP1_OK),
  V ("control: TE uppercase", REQ, STRICT, POST "Transfer-Encoding: CHUNKED" R R CHUNKED_BODY, HTTP1_OK),
  V ("control: TE gzip, chunked", REQ, STRICT, POST "Transfer-Encoding: gzip, chunked" R R CHUNKED_BODY, HTTP1_OK),
  V ("control: TE empty list element", REQ, STRICT, POST "Transfer-Encoding: , chunked" R R CHUNKED_BODY, HTTP1_OK),
  V ("control: Transfer_Encoding is another field", REQ, STRICT, POST "Transfer_Encoding: chunked" R R, HTTP1_OK),
  V ("control: obs-fold allowed keeps TE in X", REQ, FOLD, POST "X: y" R " Transfer-Encoding: chunked" R R, HTTP1_OK),
  /* Content-Length */
  V ("CL differing duplicates", REQ, LENIENT, POST "Content-Length: 5" R "Content-Length: 6" R R "hello!",
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL differing duplicates strict", REQ, STRICT, POST "Content-Length: 5" R "Content-Length: 6" R R "hello!",
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL equal duplicates strict", REQ, STRICT, POST "Content-Length: 5" R "Content-Length: 5" R R "hello",
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("control: CL equal duplicates lenient", REQ, LENIENT, POST "Content-Length: 5" R "Content-Length: 5" R R "hello",
    HTTP1_OK),
  V ("CL list differing lenient", REQ, LENIENT, POST "Content-Length: 5, 6" R R "hello!",
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL list strict", REQ, STRICT, POST "Content-Length: 5, 5" R R "hello", HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("control: CL list equal lenient", REQ, LENIENT, POST "Content-Length: 5, 5" R R "hello", HTTP1_OK),
  V ("CL plus sign", REQ, STRICT, POST "Content-Length: +5" R R "hello", HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL negative", REQ, STRICT, POST "Content-Length: -1" R R, HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL hex", REQ, STRICT, POST "Content-Length: 0x5" R R "hello", HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL inner space", REQ, STRICT, POST "Content-Length: 1 0" R R, HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL exponent", REQ, STRICT, POST "Content-Length: 1e3" R R, HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL empty", REQ, STRICT, POST "Content-Length:" R R, HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL overflow 2^63", REQ, STRICT, POST "Content-Length: 9223372036854775808" R R,
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CL overflow 20 digits", REQ, LENIENT, POST "Content-Length: 99999999999999999999" R R,
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("control: CL INT64_MAX", REQ, STRICT, POST "Content-Length: 9223372036854775807" R R "x", HTTP1_INCOMPLETE),
  V ("CL space before colon", REQ, STRICT, POST "Content-Length : 5" R R "hello", HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("CL with obs-fold value", REQ, FOLD, POST "Content-Length: 1" R " 0" R R "0123456789",
    HTTP1_ERROR_INVALID_CONTENT_LENGTH),
  V ("CONNECT with CL", REQ, STRICT, "CONNECT a.example:443 HTTP/1.1" R "Host: a.example:443" R "Content-Length: 5" R R,
    HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("control: 204 ignores CL", RESP, STRICT, "HTTP/1.1 204 No Content" R "Content-Length: 5" R R, HTTP1_OK),
  /* chunk framing */
  V ("chunk size 18 hex digits", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "ffffffffffffffffff" R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk size 2^64", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "10000000000000000" R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk size over max_chunk_size", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "1000001" R,
    HTTP1_ERROR_CHUNK_TOO_LARGE),
  V ("chunk size negative", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "-1" R, HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk size 0x prefix", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "0x5" R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk size empty line", REQ, STRICT, POST "Transfer-Encoding: chunked" R R R, HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk size trailing space", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5 " R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("control: chunk size trailing space lenient", REQ, LENIENT, POST "Transfer-Encoding: chunked" R R "5 " R "hello" R "0" R R,
    HTTP1_OK),
  V ("chunk size then junk", REQ, LENIENT, POST "Transfer-Encoding: chunked" R R "5 x" R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk ext without name", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5;" R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk ext unterminated quote", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5;a=\"b" R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk ext NUL", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5;a\0b" R "hello" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("control: chunk ext BWS and quoted", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5 ; a = \"b\\\"c\" ;d" R "hello" R "0" R R,
    HTTP1_OK),
  V ("chunk data overruns size", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "3" R "abcd" R "0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk bare CR after data", REQ, LENIENT, POST "Transfer-Encoding: chunked" R R "3" R "abc\r0" R R,
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("chunk LF-only strict", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "5\nhello\n0\n\n",
    HTTP1_ERROR_INVALID_CHUNK_SIZE),
  V ("control: chunk LF-only lenient", REQ, LENIENT, POST "Transfer-Encoding: chunked" R R "5\nhello\n0\n\n", HTTP1_OK),
  V ("chunk missing last chunk at EOF", REQ, EOF_AT_END, POST "Transfer-Encoding: chunked" R R "5" R "hello" R,
    HTTP1_ERROR_UNEXPECTED_EOF),
  V ("trailer Content-Length", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "0" R "Content-Length: 5" R R,
    HTTP1_ERROR_INVALID_TRAILER),
  V ("trailer Transfer-Encoding", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "0" R "Transfer-Encoding: chunked" R R,
    HTTP1_ERROR_INVALID_TRAILER),
  V ("trailer space before colon", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "0" R "X : y" R R,
    HTTP1_ERROR_INVALID_TRAILER),
  V ("control: trailer field", REQ, STRICT, POST "Transfer-Encoding: chunked" R R "000" R "X-Sum: 1" R R, HTTP1_OK),
  /* LF-only and bare CR */
  V ("LF-only request strict", REQ, STRICT, "GET / HTTP/1.1\nHost: a\n\n", HTTP1_ERROR_INVALID_VERSION),
  V ("control: LF-only request lenient", REQ, LENIENT, "GET / HTTP/1.1\nHost: a\n\n", HTTP1_OK),
  V ("LF-only end of head strict", REQ, STRICT, GET "\n", HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("bare CR ends head", REQ, LENIENT, GET "\rX", HTTP1_ERROR_INVALID_HEADER_NAME),
  V ("bare CR after request line", REQ, LENIENT, "GET / HTTP/1.1\rHost: a" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("LF-only status line strict", RESP, STRICT, "HTTP/1.1 200 OK\nContent-Length: 0\n\n", HTTP1_ERROR_INVALID_STATUS),
  /* NUL and controls */
  V ("NUL in value", REQ, LENIENT, GET "X: a\0b" R R, HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("DEL in value", REQ, STRICT, GET "X: a\x7f" R R, HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("ESC in value", REQ, STRICT, GET "X: \x1b[0m" R R, HTTP1_ERROR_INVALID_HEADER_VALUE),
  V ("NUL in target", REQ, STRICT, "GET /a\0b HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("NUL in method", REQ, STRICT, "GE\0T / HTTP/1.1" R R, HTTP1_ERROR_INVALID_METHOD),
  V ("control: tab and obs-text in value", REQ, STRICT, GET "X: a\tb\xff" R R, HTTP1_OK),
  /* request-line oddities */
  V ("double space after method", REQ, STRICT, "GET  / HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("space after version", REQ, STRICT, "GET / HTTP/1.1 " R R, HTTP1_ERROR_INVALID_VERSION),
  V ("tab in target", REQ, LENIENT, "GET /a\tb HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("space in target", REQ, STRICT, "GET /a b HTTP/1.1" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("lowercase protocol", REQ, STRICT, "GET / http/1.1" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("version 1.10", REQ, STRICT, "GET / HTTP/1.10" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("version 2.0", REQ, LENIENT, "GET / HTTP/2.0" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("version 1.2 strict", REQ, STRICT, "GET / HTTP/1.2" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("control: version 1.2 lenient", REQ, LENIENT, "GET / HTTP/1.2" R R, HTTP1_OK),
  V ("HTTP/0.9 request line", REQ, LENIENT, "GET /" R R, HTTP1_ERROR_INVALID_VERSION),
  V ("leading space", REQ, STRICT, " GET / HTTP/1.1" R R, HTTP1_ERROR_INVALID_METHOD),
  V ("tab after method", REQ, STRICT, "GET\t/ HTTP/1.1" R R, HTTP1_ERROR_INVALID_METHOD),
  V ("separator in method", REQ, STRICT, "GE(T / HTTP/1.1" R R, HTTP1_ERROR_INVALID_METHOD),
  V ("method of 17 bytes", REQ, STRICT, "ABCDEFGHIJKLMNOPQ / HTTP/1.1" R R, HTTP1_ERROR_INVALID_METHOD),
  V ("CONNECT without port", REQ, STRICT, "CONNECT a.example HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("CONNECT origin-form", REQ, STRICT, "CONNECT /a HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("asterisk with GET", REQ, STRICT, "GET * HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("relative target", REQ, STRICT, "GET a/b HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("non-ASCII target strict", REQ, STRICT, "GET /\xc3\xa9 HTTP/1.1" R R, HTTP1_ERROR_INVALID_URI),
  V ("two Host fields", REQ, STRICT, GET "Host: b" R R, HTTP1_ERROR_SMUGGLING_DETECTED),
  V ("control: OPTIONS *", REQ, STRICT, "OPTIONS * HTTP/1.1" R "Host: a" R R, HTTP1_OK),
  V ("control: absolute-form", REQ, STRICT, "GET http://a.example/p?q HTTP/1.1" R "Host: x" R R, HTTP1_OK),
  V ("control: CONNECT authority-form", REQ, STRICT, "CONNECT [::1]:443 HTTP/1.1" R R, HTTP1_OK),
  V ("control: leading empty line", REQ, STRICT, R GET R, HTTP1_OK),
  V ("leading bare LF strict", REQ, STRICT, "\n" GET R, HTTP1_ERROR_INVALID_METHOD),
  /* status line */
  V ("status 4 digits", RESP, STRICT, "HTTP/1.1 2000 OK" R R, HTTP1_ERROR_INVALID_STATUS),
  V ("status 099", RESP, STRICT, "HTTP/1.1 099 X" R R, HTTP1_ERROR_INVALID_STATUS),
  V ("status 600 strict", RESP, STRICT, "HTTP/1.1 600 X" R R, HTTP1_ERROR_INVALID_STATUS),
  V ("control in reason", RESP, STRICT, "HTTP/1.1 200 O\x01K" R R, HTTP1_ERROR_INVALID_STATUS),
  V ("tab after version", RESP, STRICT, "HTTP/1.1\t200 OK" R R, HTTP1_ERROR_INVALID_VERSION),
};

/* Feeds @p in cut at @p cut (or bytewise), head and body; the final result. */
static SocketHTTP1_Result
run (const vector *v, size_t len, size_t cut, int bytewise)
{
  Arena_T arena = Arena_new ();
  SocketHTTP1_Config cfg;
  SocketHTTP1_Parser_T p;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  size_t pos = 0;
  SocketHTTP1_config_defaults (&cfg);
  cfg.strict_mode = !(v->flags & LENIENT);
  cfg.allow_obs_fold = (v->flags & FOLD) != 0;
  p = SocketHTTP1_Parser_new (v->mode == REQ ? HTTP1_PARSE_REQUEST : HTTP1_PARSE_RESPONSE, &cfg,
                              arena);
  while (pos < len && r < HTTP1_ERROR && !SocketHTTP1_Parser_body_complete (p))
    {
      size_t end = bytewise ? pos + 1 : (pos < cut ? cut : len), used = 0, w;
      if (SocketHTTP1_Parser_get_request (p) || SocketHTTP1_Parser_get_response (p))
        r = SocketHTTP1_Parser_read_body (p, v->input + pos, end - pos, &used, NULL, 0, &w);
      else
        r = SocketHTTP1_Parser_execute (p, v->input + pos, end - pos, &used);
      pos += used;
      if (used == 0 && r < HTTP1_ERROR && !SocketHTTP1_Parser_body_complete (p))
        break;
    }
  if ((v->flags & EOF_AT_END) && r < HTTP1_ERROR && !SocketHTTP1_Parser_body_complete (p))
    {
      size_t used, w;
      r = SocketHTTP1_Parser_get_request (p) || SocketHTTP1_Parser_get_response (p)
              ? SocketHTTP1_Parser_read_body (p, NULL, 0, &used, NULL, 0, &w)
              : SocketHTTP1__execute_skip (p, NULL, 0, &used); /* EOF */
    }
  if (r < HTTP1_ERROR)
    r = SocketHTTP1_Parser_body_complete (p) ? HTTP1_OK : HTTP1_INCOMPLETE;
  Arena_dispose (&arena);
  return r;
}

#define N_VECTORS (sizeof (vectors) / sizeof (vectors[0]))

TEST (vector_table_size)
{
  ASSERT (N_VECTORS >= 60);
}

static void
check_vector (size_t k, int scalar)
{
  const vector *v = &vectors[k];
  size_t len = v->len;
  SocketHTTP1_Result whole, r;
  SocketHTTP1__force_scalar = scalar;
  whole = run (v, len, len, 0);
  if (whole != v->expect)
    {
      SocketHTTP1__force_scalar = 0;
      TEST_FAIL_ ("%s (%s): got %s, want %s", v->name, scalar ? "portable" : "simd",
                  SocketHTTP1_result_string (whole), SocketHTTP1_result_string (v->expect));
    }
  for (size_t cut = 0; cut <= len; cut++)
    if ((r = run (v, len, cut, 0)) != whole)
      {
        SocketHTTP1__force_scalar = 0;
        TEST_FAIL_ ("%s: split at %zu gives %s, whole gives %s", v->name, cut,
                    SocketHTTP1_result_string (r), SocketHTTP1_result_string (whole));
      }
  if ((r = run (v, len, 0, 1)) != whole)
    {
      SocketHTTP1__force_scalar = 0;
      TEST_FAIL_ ("%s: bytewise gives %s", v->name, SocketHTTP1_result_string (r));
    }
  SocketHTTP1__force_scalar = 0;
}

TEST (smuggling_vectors)
{
  int rejected = 0;
  for (size_t k = 0; k < N_VECTORS; k++)
    {
      check_vector (k, 0);
      if (test_failed_)
        return;
      check_vector (k, 1);
      if (test_failed_)
        return;
      rejected += vectors[k].expect >= HTTP1_ERROR;
    }
  printf ("  %zu vectors (%d rejections, %zu controls), each whole, split at every byte and "
          "bytewise, SIMD and portable\n",
          N_VECTORS, rejected, N_VECTORS - (size_t)rejected);
}

TEST_MAIN ()
