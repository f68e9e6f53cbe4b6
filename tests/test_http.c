/*
 * test_http.c - SocketHTTP core against the original library's behaviour
 * contracts: versions, methods, status codes (tables word for word), header
 * collections (most-recent-wins lookups, verbatim values, caps, stable
 * entries, hash index), URIs (the original's lenient reading, plus the
 * HTTP/1 parser's strict target parser with IPv6 and normalization),
 * percent codecs, HTTP-dates in all three forms, media types, Accept lists
 * and codings; len == 0 means strlen wherever the original says so. The
 * deliberate differences are listed in docs/MIGRATION.md (HTTP core).
 */
#include <stdio.h>
#include <string.h>

#include "Test.h"
#include "http/SocketHTTP-private.h"
#include "http/SocketHTTP.h"

/* ===================================================================== */
/* Versions, methods, status                                             */
/* ===================================================================== */

TEST (versions)
{
  ASSERT_STREQ (SocketHTTP_version_string (HTTP_VERSION_1_1), "HTTP/1.1");
  ASSERT_STREQ (SocketHTTP_version_string (HTTP_VERSION_2), "HTTP/2");
  ASSERT_STREQ (SocketHTTP_version_string (HTTP_VERSION_0_9), "HTTP/0.9");
  ASSERT_STREQ (SocketHTTP_version_string (HTTP_VERSION_3), "HTTP/3");
  ASSERT_STREQ (SocketHTTP_version_string ((SocketHTTP_Version)42), "HTTP/?");
  ASSERT_STREQ (SocketHTTP_version_string ((SocketHTTP_Version)0), "HTTP/?");
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/1.0", 8), HTTP_VERSION_1_0);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/1.1", 8), HTTP_VERSION_1_1);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/2", 6), HTTP_VERSION_2);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/3", 6), HTTP_VERSION_3);
  /* len 0 means strlen */
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/1.1", 0), HTTP_VERSION_1_1);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/2", 0), HTTP_VERSION_2);
  /* no "unknown" value: anything else (and NULL) is HTTP/0.9 */
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/0.9", 8), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/2.0", 8), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/3.0", 0), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse ("http/1.1", 8), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse ("HTTP/1.1", 7), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse ("", 0), HTTP_VERSION_0_9);
  ASSERT_EQ (SocketHTTP_version_parse (NULL, 0), HTTP_VERSION_0_9);
}

TEST (methods)
{
  static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "DELETE",
                                       "CONNECT", "OPTIONS", "TRACE", "PATCH" };
  for (int m = 0; m < 9; m++)
    {
      ASSERT_STREQ (SocketHTTP_method_name ((SocketHTTP_Method)m), names[m]);
      ASSERT_EQ (SocketHTTP_method_parse (names[m], strlen (names[m])), m);
      ASSERT_EQ (SocketHTTP_method_parse (names[m], 0), m); /* len 0 means strlen */
      ASSERT (SocketHTTP_method_valid (names[m], strlen (names[m])));
    }
  ASSERT (SocketHTTP_method_name (HTTP_METHOD_UNKNOWN) == NULL);
  ASSERT_EQ (SocketHTTP_method_parse ("get", 3), HTTP_METHOD_UNKNOWN); /* case-sensitive */
  ASSERT_EQ (SocketHTTP_method_parse ("GETX", 4), HTTP_METHOD_UNKNOWN);
  ASSERT_EQ (SocketHTTP_method_parse ("GET", 2), HTTP_METHOD_UNKNOWN);
  ASSERT_EQ (SocketHTTP_method_parse ("GE", 0), HTTP_METHOD_UNKNOWN);
  ASSERT_EQ (SocketHTTP_method_parse ("", 0), HTTP_METHOD_UNKNOWN);
  ASSERT_EQ (SocketHTTP_method_parse (NULL, 0), HTTP_METHOD_UNKNOWN);
  ASSERT_EQ (SocketHTTP_method_parse ("GET /", 3), HTTP_METHOD_GET);
  ASSERT (SocketHTTP_method_valid ("PROPFIND", 8));
  ASSERT (SocketHTTP_method_valid ("M-SEARCH", 8));
  ASSERT (!SocketHTTP_method_valid ("GE T", 4));
  ASSERT (!SocketHTTP_method_valid ("", 0));
  ASSERT (!SocketHTTP_method_valid (NULL, 3));
  ASSERT (!SocketHTTP_method_valid ("GET", 0)); /* no strlen shortcut here */
  ASSERT (SocketHTTP_method_valid ("ABCDEFGHIJKLMNOPQ", 17)); /* no length limit */
  {
    char longm[300];
    memset (longm, 'X', sizeof (longm));
    ASSERT (SocketHTTP_method_valid (longm, sizeof (longm)));
  }
  ASSERT (!SocketHTTP_method_valid ("A(B", 3));
}

TEST (method_properties)
{
  SocketHTTP_MethodProperties g = SocketHTTP_method_properties (HTTP_METHOD_GET);
  SocketHTTP_MethodProperties h = SocketHTTP_method_properties (HTTP_METHOD_HEAD);
  SocketHTTP_MethodProperties po = SocketHTTP_method_properties (HTTP_METHOD_POST);
  SocketHTTP_MethodProperties pu = SocketHTTP_method_properties (HTTP_METHOD_PUT);
  SocketHTTP_MethodProperties d = SocketHTTP_method_properties (HTTP_METHOD_DELETE);
  SocketHTTP_MethodProperties c = SocketHTTP_method_properties (HTTP_METHOD_CONNECT);
  SocketHTTP_MethodProperties pa = SocketHTTP_method_properties (HTTP_METHOD_PATCH);
  SocketHTTP_MethodProperties u = SocketHTTP_method_properties (HTTP_METHOD_UNKNOWN);
  ASSERT (g.safe && g.idempotent && g.cacheable && !g.has_body && g.response_body);
  ASSERT (h.safe && h.idempotent && !h.response_body);
  ASSERT (!po.safe && !po.idempotent && !po.cacheable && po.has_body && po.response_body);
  ASSERT (!pu.safe && pu.idempotent && pu.has_body);
  ASSERT (!d.safe && d.idempotent);
  ASSERT (!c.safe && !c.idempotent && !c.cacheable && !c.has_body && c.response_body);
  ASSERT (!pa.safe && !pa.idempotent && pa.has_body);
  ASSERT (SocketHTTP_method_properties (HTTP_METHOD_OPTIONS).safe);
  ASSERT (SocketHTTP_method_properties (HTTP_METHOD_TRACE).idempotent);
  ASSERT (!u.safe && !u.idempotent && !u.cacheable && u.response_body);
  u = SocketHTTP_method_properties ((SocketHTTP_Method)99);
  ASSERT (!u.safe && !u.idempotent && !u.cacheable && !u.has_body && u.response_body);
}

TEST (status_codes)
{
  static const int codes[] = { 100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                               300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405,
                               406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
                               422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
                               505, 506, 507, 508, 510, 511 };
  for (size_t i = 0; i < sizeof (codes) / sizeof (codes[0]); i++)
    {
      ASSERT (strcmp (SocketHTTP_status_reason (codes[i]), "Unknown") != 0);
      ASSERT_EQ (SocketHTTP_status_category (codes[i]), codes[i] / 100);
    }
  {
    /* the original's table word for word */
    static const struct
    {
      int code;
      const char *reason;
    } exact[] = {
    { 100, "Continue" },
    { 101, "Switching Protocols" },
    { 102, "Processing" },
    { 103, "Early Hints" },
    { 200, "OK" },
    { 201, "Created" },
    { 202, "Accepted" },
    { 203, "Non-Authoritative Information" },
    { 204, "No Content" },
    { 205, "Reset Content" },
    { 206, "Partial Content" },
    { 207, "Multi-Status" },
    { 208, "Already Reported" },
    { 226, "IM Used" },
    { 300, "Multiple Choices" },
    { 301, "Moved Permanently" },
    { 302, "Found" },
    { 303, "See Other" },
    { 304, "Not Modified" },
    { 305, "Use Proxy" },
    { 307, "Temporary Redirect" },
    { 308, "Permanent Redirect" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 402, "Payment Required" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 406, "Not Acceptable" },
    { 407, "Proxy Authentication Required" },
    { 408, "Request Timeout" },
    { 409, "Conflict" },
    { 410, "Gone" },
    { 411, "Length Required" },
    { 412, "Precondition Failed" },
    { 413, "Content Too Large" },
    { 414, "URI Too Long" },
    { 415, "Unsupported Media Type" },
    { 416, "Range Not Satisfiable" },
    { 417, "Expectation Failed" },
    { 418, "I'm a Teapot" },
    { 421, "Misdirected Request" },
    { 422, "Unprocessable Content" },
    { 423, "Locked" },
    { 424, "Failed Dependency" },
    { 425, "Too Early" },
    { 426, "Upgrade Required" },
    { 428, "Precondition Required" },
    { 429, "Too Many Requests" },
    { 431, "Request Header Fields Too Large" },
    { 451, "Unavailable For Legal Reasons" },
    { 500, "Internal Server Error" },
    { 501, "Not Implemented" },
    { 502, "Bad Gateway" },
    { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" },
    { 505, "HTTP Version Not Supported" },
    { 506, "Variant Also Negotiates" },
    { 507, "Insufficient Storage" },
    { 508, "Loop Detected" },
    { 510, "Not Extended" },
    { 511, "Network Authentication Required" }
    };
    for (size_t i = 0; i < sizeof (exact) / sizeof (exact[0]); i++)
      ASSERT_STREQ (SocketHTTP_status_reason (exact[i].code), exact[i].reason);
    ASSERT_EQ (sizeof (exact) / sizeof (exact[0]), sizeof (codes) / sizeof (codes[0]));
  }
  ASSERT_STREQ (SocketHTTP_status_reason (418), "I'm a Teapot");
  ASSERT_STREQ (SocketHTTP_status_reason (299), "Unknown");
  ASSERT_STREQ (SocketHTTP_status_reason (-1), "Unknown");
  ASSERT_EQ (SocketHTTP_status_category (299), 2);
  ASSERT (SocketHTTP_status_valid (299));
  ASSERT_EQ (SocketHTTP_status_category (600), 0);
  ASSERT_EQ (SocketHTTP_status_category (99), 0);
  ASSERT_STREQ (SocketHTTP_status_reason (200), "OK");
  ASSERT_STREQ (SocketHTTP_status_reason (404), "Not Found");
  ASSERT_STREQ (SocketHTTP_status_reason (413), "Content Too Large");
  ASSERT_STREQ (SocketHTTP_status_reason (299), "Unknown");
  ASSERT_STREQ (SocketHTTP_status_reason (-1), "Unknown");
  ASSERT_EQ (SocketHTTP_status_category (99), 0);
  ASSERT_EQ (SocketHTTP_status_category (600), 0);
  ASSERT_EQ (SocketHTTP_status_category (599), HTTP_STATUS_SERVER_ERROR);
  ASSERT (SocketHTTP_status_valid (100) && SocketHTTP_status_valid (599));
  ASSERT (!SocketHTTP_status_valid (99) && !SocketHTTP_status_valid (600));
}

TEST (codings)
{
  ASSERT_EQ (SocketHTTP_coding_parse ("gzip", 4), HTTP_CODING_GZIP);
  ASSERT_EQ (SocketHTTP_coding_parse ("GZIP", 0), HTTP_CODING_GZIP); /* len 0 means strlen */
  ASSERT_EQ (SocketHTTP_coding_parse ("br", 0), HTTP_CODING_BR);
  ASSERT_EQ (SocketHTTP_coding_parse ("", 0), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse (NULL, 0), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse ("X-GZIP", 6), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse ("x-gzip", 0), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse ("compress", 8), HTTP_CODING_COMPRESS);
  ASSERT_EQ (SocketHTTP_coding_parse ("Deflate", 7), HTTP_CODING_DEFLATE);
  ASSERT_EQ (SocketHTTP_coding_parse ("chunked", 7), HTTP_CODING_CHUNKED);
  ASSERT_EQ (SocketHTTP_coding_parse ("identity", 8), HTTP_CODING_IDENTITY);
  ASSERT_EQ (SocketHTTP_coding_parse ("x-compress", 10), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse ("br", 2), HTTP_CODING_BR);
  ASSERT_EQ (SocketHTTP_coding_parse ("gzip2", 5), HTTP_CODING_UNKNOWN);
  ASSERT_EQ (SocketHTTP_coding_parse ("gzi", 3), HTTP_CODING_UNKNOWN);
  ASSERT_STREQ (SocketHTTP_coding_name (HTTP_CODING_BR), "br");
  ASSERT_STREQ (SocketHTTP_coding_name (HTTP_CODING_CHUNKED), "chunked");
  ASSERT (SocketHTTP_coding_name (HTTP_CODING_UNKNOWN) == NULL);
  ASSERT (SocketHTTP_coding_name ((SocketHTTP_Coding)77) == NULL);
  ASSERT_STREQ (SocketHTTP_coding_name (HTTP_CODING_IDENTITY), "identity");
  ASSERT_STREQ (SocketHTTP_coding_name (HTTP_CODING_COMPRESS), "compress");
}

TEST (exceptions_defined)
{
  ASSERT (SocketHTTP_ParseError.reason != NULL && SocketHTTP_ParseError.type == &SocketHTTP_ParseError);
  ASSERT (SocketHTTP_InvalidURI.type == &SocketHTTP_InvalidURI);
  ASSERT (SocketHTTP_InvalidHeader.type == &SocketHTTP_InvalidHeader);
}

/* ===================================================================== */
/* Header collections                                                    */
/* ===================================================================== */

static int
count_cb (const char *n, size_t nl, const char *v, size_t vl, void *ud)
{
  (void)n, (void)nl, (void)v, (void)vl;
  return ++*(int *)ud == 2 ? 7 : 0;
}

TEST (headers_basic)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  const char *vals[4];
  int64_t n = 0;
  int calls = 0;
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Content-Type", "  text/plain \t"), 0);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Set-Cookie", "a=1"), 0);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "set-cookie", "b=2"), 0);
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "Content-Length", 14, "42", 2), 0);
  ASSERT_EQ (SocketHTTP_Headers_count (h), 4);
  /* the value is stored verbatim (no trimming) */
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "content-type"), "  text/plain \t");
  ASSERT_EQ (SocketHTTP_Headers_at (h, 0)->value_len, 14);
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "CONTENT-TYPE"), "  text/plain \t");
  /* duplicates: get returns the most recently added one */
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "Set-Cookie"), "b=2");
  ASSERT (SocketHTTP_Headers_get (h, "Content-Typ") == NULL);
  ASSERT (SocketHTTP_Headers_get (NULL, "x") == NULL);
  ASSERT (SocketHTTP_Headers_get (h, NULL) == NULL);
  /* get_all: insertion order, count of stored pointers (<= max_values) */
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "SET-COOKIE", vals, 4), 2);
  ASSERT_STREQ (vals[0], "a=1");
  ASSERT_STREQ (vals[1], "b=2");
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "set-cookie", NULL, 0), 0);
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "set-cookie", NULL, 4), 0);
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "set-cookie", vals, 0), 0);
  vals[1] = NULL;
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "set-cookie", vals, 1), 1);
  ASSERT_STREQ (vals[0], "a=1");
  ASSERT (vals[1] == NULL);
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "nope", vals, 4), 0);
  ASSERT_EQ (SocketHTTP_Headers_get_int (h, "content-length", &n), 0);
  ASSERT_EQ (n, 42);
  ASSERT_EQ (SocketHTTP_Headers_get_int (h, "content-type", &n), -1);
  ASSERT (SocketHTTP_Headers_has (h, "CoNtEnT-lEnGtH"));
  ASSERT_STREQ (SocketHTTP_Headers_at (h, 1)->name, "Set-Cookie");
  ASSERT (SocketHTTP_Headers_at (h, 4) == NULL);
  ASSERT_EQ (SocketHTTP_Headers_iterate (h, count_cb, &calls), 7);
  ASSERT_EQ (calls, 2);
  /* remove takes the most recently added one */
  ASSERT_EQ (SocketHTTP_Headers_remove (h, "set-cookie"), 1);
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "set-cookie"), "a=1");
  ASSERT_EQ (SocketHTTP_Headers_remove (NULL, "x"), 0);
  ASSERT_EQ (SocketHTTP_Headers_remove_all (NULL, "x"), 0);
  ASSERT_EQ (SocketHTTP_Headers_set (h, "Set-Cookie", "c=3"), 0);
  ASSERT_EQ (SocketHTTP_Headers_get_all (h, "set-cookie", vals, 4), 1);
  ASSERT_STREQ (SocketHTTP_Headers_at (h, 2)->value, "c=3"); /* set appends */
  ASSERT_EQ (SocketHTTP_Headers_remove_all (h, "nope"), 0);
  ASSERT_EQ (SocketHTTP_Headers_remove (h, "nope"), 0);
  {
    /* entries never move: a pointer from Headers_at keeps its field after
     * earlier fields are removed and the collection grows */
    const SocketHTTP_Header *e = SocketHTTP_Headers_at (h, 2);
    char nm[16];
    ASSERT_STREQ (e->value, "c=3");
    ASSERT_EQ (SocketHTTP_Headers_remove (h, "content-type"), 1);
    for (int i = 0; i < 40; i++)
      {
        snprintf (nm, sizeof (nm), "G%d", i);
        ASSERT_EQ (SocketHTTP_Headers_add (h, nm, "g"), 0);
      }
    ASSERT_STREQ (e->name, "Set-Cookie");
    ASSERT_STREQ (e->value, "c=3");
    ASSERT (SocketHTTP_Headers_at (h, 1) == e);
    SocketHTTP_Headers_clear (h);
    ASSERT_STREQ (e->value, "c=3"); /* still readable (arena), detached */
  }
  SocketHTTP_Headers_clear (h);
  ASSERT_EQ (SocketHTTP_Headers_count (h), 0);
  ASSERT (SocketHTTP_Headers_get (h, "content-type") == NULL);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "X", ""), 0);
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "x"), "");
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Y", NULL), 0); /* NULL value: empty field */
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "y"), "");
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "Z", 1, NULL, 0), 0);
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "z"), "");
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "Z", 1, NULL, 1), -1);
  ASSERT (SocketHTTP_Headers_new (NULL) == NULL);
  ASSERT_EQ (SocketHTTP_Headers_count (NULL), 0);
  ASSERT (SocketHTTP_Headers_at (NULL, 0) == NULL);
  ASSERT_EQ (SocketHTTP_Headers_iterate (NULL, count_cb, &calls), 0);
  ASSERT_EQ (SocketHTTP_Headers_iterate (h, NULL, NULL), 0);
  ASSERT (!SocketHTTP_Headers_has (NULL, "x") && !SocketHTTP_Headers_has (h, NULL));
  SocketHTTP_Headers_free (&h);
  ASSERT (h == NULL);
  SocketHTTP_Headers_free (&h);
  SocketHTTP_Headers_free (NULL);
  Arena_dispose (&a);
}

TEST (headers_get_int)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  static const struct
  {
    const char *v;
    int ok;
    int64_t n;
  } t[] = { { "0", 0, 0 },
            { "-5", 0, -5 },
            { "+7", 0, 7 },
            { "9223372036854775807", 0, INT64_MAX },
            { "-9223372036854775807", 0, -INT64_MAX },
            { "-9223372036854775808", -1, 0 }, /* magnitude above INT64_MAX */
            { "9223372036854775808", -1, 0 },
            { "12a", -1, 0 },
            { "-", -1, 0 },
            { " 42\t", 0, 42 },
            { "\t-3 ", 0, -3 },
            { "4 2", -1, 0 },
            { "+-1", -1, 0 },
            { "  ", -1, 0 },
            { "", -1, 0 } };
  for (size_t i = 0; i < sizeof (t) / sizeof (t[0]); i++)
    {
      int64_t n = 123;
      SocketHTTP_Headers_set (h, "N", t[i].v);
      ASSERT_EQ (SocketHTTP_Headers_get_int (h, "n", &n), t[i].ok);
      ASSERT_EQ (n, t[i].ok == 0 ? t[i].n : 123);
    }
  {
    int64_t n = 5;
    /* the most recently added field is the one read */
    SocketHTTP_Headers_add (h, "Content-Length", "10");
    SocketHTTP_Headers_add (h, "content-length", "20");
    ASSERT_EQ (SocketHTTP_Headers_get_int (h, "Content-Length", &n), 0);
    ASSERT_EQ (n, 20);
    ASSERT_EQ (SocketHTTP_Headers_get_int (h, "absent", &n), -1);
    ASSERT_EQ (SocketHTTP_Headers_get_int (h, "content-length", NULL), -1);
    ASSERT_EQ (SocketHTTP_Headers_get_int (NULL, "content-length", &n), -1);
    ASSERT_EQ (n, 20);
  }
  Arena_dispose (&a);
}

TEST (headers_contains_tokens)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  SocketHTTP_Headers_add (h, "Connection", "keep-alive, Upgrade");
  SocketHTTP_Headers_add (h, "Accept-Encoding", "gzip;q=1.0 , br");
  SocketHTTP_Headers_add (h, "TE", "trailers\tdeflate,,chunked");
  /* elements split on ',', SP and HTAB; case-insensitive */
  ASSERT (SocketHTTP_Headers_contains (h, "connection", "upgrade"));
  ASSERT (SocketHTTP_Headers_contains (h, "connection", "KEEP-ALIVE"));
  ASSERT (!SocketHTTP_Headers_contains (h, "connection", "keep"));
  ASSERT (SocketHTTP_Headers_contains (h, "te", "deflate"));
  ASSERT (SocketHTTP_Headers_contains (h, "te", "chunked"));
  /* ";params" stay part of the element */
  ASSERT (!SocketHTTP_Headers_contains (h, "accept-encoding", "gzip"));
  ASSERT (SocketHTTP_Headers_contains (h, "accept-encoding", "gzip;q=1.0"));
  ASSERT (SocketHTTP_Headers_contains (h, "accept-encoding", "br"));
  ASSERT (!SocketHTTP_Headers_contains (h, "upgrade", "websocket"));
  ASSERT (!SocketHTTP_Headers_contains (h, "connection", ""));
  ASSERT (!SocketHTTP_Headers_contains (h, "connection", NULL));
  ASSERT (!SocketHTTP_Headers_contains (NULL, "connection", "close"));
  /* only the most recently added field of the name is examined */
  SocketHTTP_Headers_add (h, "Connection", "close");
  ASSERT (SocketHTTP_Headers_contains (h, "connection", "close"));
  ASSERT (!SocketHTTP_Headers_contains (h, "connection", "upgrade"));
  Arena_dispose (&a);
}

TEST (headers_validation)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  char longname[SOCKETHTTP_MAX_HEADER_NAME + 2];
  memset (longname, 'x', sizeof (longname) - 1);
  longname[sizeof (longname) - 1] = '\0';
  ASSERT_EQ (SocketHTTP_Headers_add (h, "", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "A B", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "A:B", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "A\r\nB", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, longname, "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "X", "a\r\nInjected: 1"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "X", "a\nb"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "X", 1, "a\0b", 3), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "X", "a\rb"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, NULL, "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (NULL, "X", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_set (h, "X", "bad\r"), -1);
  ASSERT_EQ (SocketHTTP_Headers_set (NULL, "X", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_set (h, NULL, "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_count (h), 0);
  /* a failed set leaves the existing fields alone (the original removes them first) */
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Keep", "1"), 0);
  ASSERT_EQ (SocketHTTP_Headers_set (h, "keep", "a\r\nb: c"), -1);
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "keep"), "1");
  ASSERT_EQ (SocketHTTP_Headers_set (h, "keep", NULL), 0); /* NULL value: empty */
  ASSERT_STREQ (SocketHTTP_Headers_get (h, "keep"), "");
  ASSERT_EQ (SocketHTTP_Headers_remove_all (h, "keep"), 1);
  ASSERT_EQ (SocketHTTP_Headers_count (h), 0);
  /* other control bytes are accepted, as in the original */
  ASSERT_EQ (SocketHTTP_Headers_add (h, "X", "\x7f\x01"), 0);
  ASSERT_EQ (SocketHTTP_Headers_remove (h, "x"), 1);
  longname[SOCKETHTTP_MAX_HEADER_NAME] = '\0';
  ASSERT_EQ (SocketHTTP_Headers_add (h, longname, "tab\tand \xff obs-text"), 0);
  for (int c = 0; c < 256; c++)
    {
      char ch = (char)c;
      int tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
      int field = c != 0 && c != '\r' && c != '\n';
      ASSERT_EQ (SocketHTTP_header_name_valid (&ch, 1), tchar);
      ASSERT_EQ (SocketHTTP_header_value_valid (&ch, 1), field);
    }
  ASSERT (SocketHTTP_header_value_valid ("", 0));
  ASSERT (SocketHTTP_header_value_valid (NULL, 0));
  ASSERT (!SocketHTTP_header_value_valid (NULL, 1));
  ASSERT (!SocketHTTP_header_name_valid ("", 0));
  ASSERT (!SocketHTTP_header_name_valid (NULL, 1));
  /* a CRLF pair is refused too (header injection), unlike the original */
  ASSERT (!SocketHTTP_header_value_valid ("a\r\n b", 5));
  ASSERT (!SocketHTTP_header_value_valid ("a\r\n", 3));
  ASSERT (SocketHTTP_header_value_valid ("a\x01\x1f\x7f\x80", 5));
  {
    static char big[SOCKETHTTP_MAX_HEADER_VALUE + 1];
    memset (big, 'v', sizeof (big));
    ASSERT (SocketHTTP_header_value_valid (big, SOCKETHTTP_MAX_HEADER_VALUE));
    ASSERT (!SocketHTTP_header_value_valid (big, SOCKETHTTP_MAX_HEADER_VALUE + 1));
    ASSERT_EQ (SocketHTTP_Headers_add_n (h, "Big", 3, big, sizeof (big)), -1);
  }
  Arena_dispose (&a);
}

static size_t
present (SocketHTTP_Headers_T h, const char *name)
{
  return SocketHTTP_Headers_get (h, name) != NULL;
}

TEST (headers_many_and_index)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  char name[32], value[32];
  for (int i = 0; i < 2000; i++)
    {
      snprintf (name, sizeof (name), "X-Field-%d", i);
      snprintf (value, sizeof (value), "v%d", i);
      /* past the public add's 100-field cap: the index itself has no limit */
      ASSERT_EQ (SocketHTTP_Headers__add_n_uncapped (h, name, strlen (name), value, strlen (value)),
                 0);
      if (i % 97 == 0) /* lookups interleaved with additions: incremental index */
        {
          snprintf (name, sizeof (name), "x-field-%d", i / 2);
          snprintf (value, sizeof (value), "v%d", i / 2);
          ASSERT_STREQ (SocketHTTP_Headers_get (h, name), value);
        }
    }
  for (int i = 0; i < 2000; i++)
    {
      snprintf (name, sizeof (name), "X-FIELD-%d", i);
      snprintf (value, sizeof (value), "v%d", i);
      ASSERT_STREQ (SocketHTTP_Headers_get (h, name), value);
    }
  ASSERT (SocketHTTP_Headers__max_chain (h) <= 12); /* hashed, not a list scan */
  for (int i = 0; i < 2000; i += 2)
    {
      snprintf (name, sizeof (name), "x-field-%d", i);
      ASSERT_EQ (SocketHTTP_Headers_remove_all (h, name), 1);
    }
  ASSERT_EQ (SocketHTTP_Headers_count (h), 1000);
  for (int i = 0; i < 2000; i++)
    {
      snprintf (name, sizeof (name), "x-field-%d", i);
      ASSERT_EQ (present (h, name), (size_t)(i & 1));
    }
  ASSERT_STREQ (SocketHTTP_Headers_at (h, 0)->name, "X-Field-1");
  Arena_dispose (&a);
}

TEST (headers_caps)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);
  static char big[SOCKETHTTP_MAX_HEADER_VALUE];
  char name[16];
  /* at most SOCKETHTTP_MAX_HEADERS fields */
  for (int i = 0; i < SOCKETHTTP_MAX_HEADERS; i++)
    {
      snprintf (name, sizeof (name), "F%d", i);
      ASSERT_EQ (SocketHTTP_Headers_add (h, name, "v"), 0);
    }
  ASSERT_EQ (SocketHTTP_Headers_add (h, "One-More", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_set (h, "One-More", "v"), -1);
  ASSERT_EQ (SocketHTTP_Headers_count (h), SOCKETHTTP_MAX_HEADERS);
  ASSERT_EQ (SocketHTTP_Headers_remove (h, "F0"), 1);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "One-More", "v"), 0);
  SocketHTTP_Headers_clear (h);
  /* at most SOCKETHTTP_MAX_HEADER_SIZE bytes of name + value + 2 per field */
  memset (big, 'v', sizeof (big));
  for (int i = 0; i < 7; i++) /* 7 * (1 + 8192 + 2) = 57365 */
    ASSERT_EQ (SocketHTTP_Headers_add_n (h, "B", 1, big, sizeof (big)), 0);
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "B", 1, big, sizeof (big)), -1);
  /* 57365 + 1 + 8168 + 2 = 65536 fits exactly, one more byte does not */
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "C", 1, big, 8169), -1);
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "C", 1, big, 8168), 0);
  ASSERT_EQ (SocketHTTP_Headers_add (h, "D", ""), -1);
  ASSERT_EQ (SocketHTTP_Headers_remove (h, "c"), 1); /* removal gives the room back */
  ASSERT_EQ (SocketHTTP_Headers_add (h, "D", ""), 0);
  SocketHTTP_Headers_clear (h);
  ASSERT_EQ (SocketHTTP_Headers_add_n (h, "B", 1, big, sizeof (big)), 0);
  Arena_dispose (&a);
}

/* ===================================================================== */
/* URIs                                                                  */
/* ===================================================================== */

typedef struct
{
  const char *in;
  SocketHTTP_URIResult r;
  const char *scheme, *userinfo, *host;
  int port;
  const char *path, *query, *fragment;
} uri_case;

/* The HTTP/1 parser's strict request-target reading (SocketHTTP-private.h). */
static const uri_case target_cases[] = {
  { "http://example.com/path?query=value#frag", URI_PARSE_OK, "http", NULL, "example.com", -1,
    "/path", "query=value", "frag" },
  { "HTTPS://User:Pw@Example.COM:8443/A/b/../C?x=%7e#f", URI_PARSE_OK, "https", "User:Pw",
    "example.com", 8443, "/A/C", "x=~", "f" },
  { "http://example.com", URI_PARSE_OK, "http", NULL, "example.com", -1, "/", NULL, NULL },
  { "foo://example.com", URI_PARSE_OK, "foo", NULL, "example.com", -1, "", NULL, NULL },
  { "http://[::1]:8080/x", URI_PARSE_OK, "http", NULL, "::1", 8080, "/x", NULL, NULL },
  { "http://[2001:DB8::A]/", URI_PARSE_OK, "http", NULL, "2001:db8::a", -1, "/", NULL, NULL },
  { "http://[2001:0000:0000:0000:0000:0000:1.9.1.1]/", URI_PARSE_OK, "http", NULL,
    "2001:0000:0000:0000:0000:0000:1.9.1.1", -1, "/", NULL, NULL },
  { "http://[fe80::a%25eth0]/", URI_PARSE_OK, "http", NULL, "fe80::a%25eth0", -1, "/", NULL, NULL },
  { "http://[v1.fe::x]/", URI_PARSE_OK, "http", NULL, "v1.fe::x", -1, "/", NULL, NULL },
  { "http://[fe80::a%eth0]/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://[::1/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://[::g]/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://[::1]x/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://a:b@@h/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http:///path", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://a b/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h:65535/", URI_PARSE_OK, "http", NULL, "h", 65535, "/", NULL, NULL },
  { "http://h:0/", URI_PARSE_OK, "http", NULL, "h", 0, "/", NULL, NULL },
  { "http://h:/", URI_PARSE_OK, "http", NULL, "h", -1, "/", NULL, NULL },
  { "http://h:65536/", URI_PARSE_INVALID_PORT, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h:8a/", URI_PARSE_INVALID_PORT, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "1http://h/", URI_PARSE_INVALID_SCHEME, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "ht_tp://h/", URI_PARSE_INVALID_SCHEME, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "://h/", URI_PARSE_INVALID_SCHEME, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a/./b/../../c/", URI_PARSE_OK, NULL, NULL, NULL, -1, "/c/", NULL, NULL },
  { "/a/b/c/./../../g", URI_PARSE_OK, NULL, NULL, NULL, -1, "/a/g", NULL, NULL },
  { "/%2e%2E/%2E/x", URI_PARSE_OK, NULL, NULL, NULL, -1, "/x", NULL, NULL },
  { "/a%2fb%3F%41", URI_PARSE_OK, NULL, NULL, NULL, -1, "/a%2Fb%3FA", NULL, NULL },
  { "/..", URI_PARSE_OK, NULL, NULL, NULL, -1, "/", NULL, NULL },
  { "mid/content=5/../6", URI_PARSE_OK, NULL, NULL, NULL, -1, "mid/content=5/../6", NULL, NULL },
  { "x:/.//a", URI_PARSE_OK, "x", NULL, NULL, -1, "/.//a", NULL, NULL },
  { "mailto:user@example.com", URI_PARSE_OK, "mailto", NULL, NULL, -1, "user@example.com", NULL,
    NULL },
  { "urn:isbn:0451450523", URI_PARSE_OK, "urn", NULL, NULL, -1, "isbn:0451450523", NULL, NULL },
  { "//cdn.example/x.js", URI_PARSE_OK, NULL, NULL, "cdn.example", -1, "/x.js", NULL, NULL },
  { "*", URI_PARSE_OK, NULL, NULL, NULL, -1, "*", NULL, NULL },
  { "example.com:443", URI_PARSE_OK, NULL, NULL, "example.com", 443, "", NULL, NULL },
  { "[::1]:443", URI_PARSE_OK, NULL, NULL, "::1", 443, "", NULL, NULL },
  { "/p?q=a/b?c#f/g?h", URI_PARSE_OK, NULL, NULL, NULL, -1, "/p", "q=a/b?c", "f/g?h" },
  { "/p?", URI_PARSE_OK, NULL, NULL, NULL, -1, "/p", "", NULL },
  { "/a b", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a%2", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a%zz", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a\"b", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a|b", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/\xc3\xa9", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a\tb", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "a:b/c:d", URI_PARSE_OK, "a", NULL, NULL, -1, "b/c:d", NULL, NULL },
  { "/p?a b", URI_PARSE_INVALID_QUERY, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/p?a{b}", URI_PARSE_INVALID_QUERY, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/p#a#b", URI_PARSE_ERROR, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "", URI_PARSE_ERROR, NULL, NULL, NULL, -1, NULL, NULL, NULL },
};

static int
span_is (const char *p, size_t n, const char *want)
{
  if (want == NULL)
    return p == NULL;
  return p != NULL && n == strlen (want) && memcmp (p, want, n) == 0 && p[n] == '\0';
}

TEST (uri_target_table)
{
  Arena_T a = Arena_new ();
  for (size_t i = 0; i < sizeof (target_cases) / sizeof (target_cases[0]); i++)
    {
      const uri_case *c = &target_cases[i];
      SocketHTTP_URI u, z;
      SocketHTTP_URIResult r = SocketHTTP__URI_parse_target (c->in, strlen (c->in), &u, a);
      if (r != c->r)
        TEST_FAIL_ ("%s: result %d, want %d", c->in, r, c->r);
      ASSERT_EQ (SocketHTTP__URI_parse_target (c->in, strlen (c->in), &z, NULL), r);
      if (r != URI_PARSE_OK)
        {
          ASSERT (u.scheme == NULL && u.host == NULL && u.path == NULL && u.port == -1);
          continue;
        }
      if (!span_is (u.scheme, u.scheme_len, c->scheme) || !span_is (u.host, u.host_len, c->host)
          || !span_is (u.userinfo, u.userinfo_len, c->userinfo)
          || !span_is (u.path, u.path_len, c->path) || !span_is (u.query, u.query_len, c->query)
          || !span_is (u.fragment, u.fragment_len, c->fragment) || u.port != c->port)
        TEST_FAIL_ ("%s: got scheme=%s host=%s port=%d path=%s query=%s frag=%s", c->in,
                    u.scheme ? u.scheme : "-", u.host ? u.host : "-", u.port,
                    u.path ? u.path : "-", u.query ? u.query : "-", u.fragment ? u.fragment : "-");
    }
  Arena_dispose (&a);
}

TEST (uri_target_zero_copy_and_limits)
{
  static const char s[] = "HTTP://Ex.com:81/a/../b?Q#F";
  SocketHTTP_URI u;
  char big[SOCKETHTTP_MAX_URI_LEN + 2];
  ASSERT_EQ (SocketHTTP__URI_parse_target (s, sizeof (s) - 1, &u, NULL), URI_PARSE_OK);
  ASSERT (u.scheme == s && u.scheme_len == 4); /* raw span, not normalized */
  ASSERT (u.host == s + 7 && u.host_len == 6);
  ASSERT (u.path == s + 16 && u.path_len == 7);
  ASSERT (u.query == s + 24 && u.query_len == 1);
  ASSERT_EQ (u.port, 81);
  memset (big, 'a', sizeof (big));
  big[0] = '/';
  ASSERT_EQ (SocketHTTP__URI_parse_target (big, SOCKETHTTP_MAX_URI_LEN, &u, NULL), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP__URI_parse_target (big, SOCKETHTTP_MAX_URI_LEN + 1, &u, NULL),
             URI_PARSE_TOO_LONG);
  ASSERT_EQ (SocketHTTP__URI_parse_target (NULL, 1, &u, NULL), URI_PARSE_ERROR);
  ASSERT_EQ (SocketHTTP__URI_parse_target ("/", 1, NULL, NULL), URI_PARSE_ERROR);
  ASSERT_EQ (SocketHTTP__URI_parse_target ("/", 0, &u, NULL), URI_PARSE_ERROR);
}

/* SocketHTTP_URI_parse: the original's reading. */
static const uri_case uri_cases[] = {
  { "http://example.com/path?query=value#frag", URI_PARSE_OK, "http", NULL, "example.com", -1,
    "/path", "query=value", "frag" },
  /* scheme lowercased; nothing else normalized or decoded */
  { "HTTPS://User:Pw@Example.COM:8443/A/b/../C?x=%7e#f", URI_PARSE_OK, "https", "User:Pw",
    "Example.COM", 8443, "/A/b/../C", "x=%7e", "f" },
  { "http://example.com", URI_PARSE_OK, "http", NULL, "example.com", -1, "", NULL, NULL },
  { "foo://example.com", URI_PARSE_OK, "foo", NULL, "example.com", -1, "", NULL, NULL },
  /* IPv6 literals keep their brackets */
  { "http://[::1]:8080/x", URI_PARSE_OK, "http", NULL, "[::1]", 8080, "/x", NULL, NULL },
  { "http://[2001:DB8::A]/", URI_PARSE_OK, "http", NULL, "[2001:DB8::A]", -1, "/", NULL, NULL },
  { "http://[::1]", URI_PARSE_OK, "http", NULL, "[::1]", -1, "", NULL, NULL },
  { "http://[::1/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  /* brackets anywhere in the authority, any byte inside, text after ']' kept */
  { "http://[::1]x/", URI_PARSE_OK, "http", NULL, "[::1]x", -1, "/", NULL, NULL },
  { "http://[a/b?]:1/p", URI_PARSE_OK, "http", NULL, "[a/b?]", 1, "/p", NULL, NULL },
  { "http://a[b/c", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  /* the first ':' ends the host, the last one starts the port */
  { "http://h:x:80/", URI_PARSE_OK, "http", NULL, "h", 80, "/", NULL, NULL },
  { "http://u:p@h:8/", URI_PARSE_OK, "http", "u:p", "h", 8, "/", NULL, NULL },
  /* empty userinfo / host / port are absent */
  { "http://@h/", URI_PARSE_OK, "http", NULL, "h", -1, "/", NULL, NULL },
  { "http:///path", URI_PARSE_OK, "http", NULL, NULL, -1, "/path", NULL, NULL },
  { "http://h:/", URI_PARSE_OK, "http", NULL, "h", -1, "/", NULL, NULL },
  { "http://a:b@c@h/", URI_PARSE_OK, "http", "a:b@c", "h", -1, "/", NULL, NULL },
  { "http://h:65535/", URI_PARSE_OK, "http", NULL, "h", 65535, "/", NULL, NULL },
  { "http://h:0/", URI_PARSE_OK, "http", NULL, "h", 0, "/", NULL, NULL },
  { "http://h:65536/", URI_PARSE_INVALID_PORT, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h:8a/", URI_PARSE_INVALID_PORT, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h:99999999999999999999/", URI_PARSE_INVALID_PORT, NULL, NULL, NULL, -1, NULL, NULL,
    NULL },
  /* "x:y" is scheme + path: authority-form is read as a scheme */
  { "example.com:443", URI_PARSE_OK, "example.com", NULL, NULL, -1, "443", NULL, NULL },
  { "mailto:user@example.com", URI_PARSE_OK, "mailto", NULL, NULL, -1, "user@example.com", NULL,
    NULL },
  { "urn:isbn:0451450523", URI_PARSE_OK, "urn", NULL, NULL, -1, "isbn:0451450523", NULL, NULL },
  { "a:b/c:d", URI_PARSE_OK, "a", NULL, NULL, -1, "b/c:d", NULL, NULL },
  /* not a valid scheme: the whole input is a relative path */
  { "1http://h/", URI_PARSE_OK, NULL, NULL, NULL, -1, "1http://h/", NULL, NULL },
  { "ht_tp://h/", URI_PARSE_OK, NULL, NULL, NULL, -1, "ht_tp://h/", NULL, NULL },
  { "://h/", URI_PARSE_OK, NULL, NULL, NULL, -1, "://h/", NULL, NULL },
  { "[::1]:443", URI_PARSE_OK, NULL, NULL, NULL, -1, "[::1]:443", NULL, NULL },
  /* no network-path reference */
  { "//cdn.example/x.js", URI_PARSE_OK, NULL, NULL, NULL, -1, "//cdn.example/x.js", NULL, NULL },
  { "*", URI_PARSE_OK, NULL, NULL, NULL, -1, "*", NULL, NULL },
  { "/a/./b/../../c/", URI_PARSE_OK, NULL, NULL, NULL, -1, "/a/./b/../../c/", NULL, NULL },
  { "http:/", URI_PARSE_OK, "http", NULL, NULL, -1, "/", NULL, NULL }, /* original: "" */
  { "http:/x", URI_PARSE_OK, "http", NULL, NULL, -1, "/x", NULL, NULL },
  { "x:", URI_PARSE_OK, "x", NULL, NULL, -1, "", NULL, NULL },
  { "/%2e%2E/x", URI_PARSE_OK, NULL, NULL, NULL, -1, "/%2e%2E/x", NULL, NULL },
  { "/p?q=a/b?c#f/g?h", URI_PARSE_OK, NULL, NULL, NULL, -1, "/p", "q=a/b?c", "f/g?h" },
  { "/p?#", URI_PARSE_OK, NULL, NULL, NULL, -1, "/p", "", "" },
  { "?q", URI_PARSE_OK, NULL, NULL, NULL, -1, "", "q", NULL },
  { "#f", URI_PARSE_OK, NULL, NULL, NULL, -1, "", NULL, "f" },
  /* almost no character validation */
  { "/a b?c d#e\"f", URI_PARSE_OK, NULL, NULL, NULL, -1, "/a b", "c d", "e\"f" },
  { "/\xc3\xa9|{}", URI_PARSE_OK, NULL, NULL, NULL, -1, "/\xc3\xa9|{}", NULL, NULL },
  { "/p#a#b", URI_PARSE_OK, NULL, NULL, NULL, -1, "/p", NULL, "a#b" },
  /* control bytes: the original refuses them in the fragment only; here
   * everywhere (CR/LF in a path/host is request splitting once written) */
  { "/p#a\tb", URI_PARSE_ERROR, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a\r\nb", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/a\tb", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "/p?a\nb", URI_PARSE_INVALID_QUERY, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h\r\nX:1/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://u\r\n@h/", URI_PARSE_INVALID_HOST, NULL, NULL, NULL, -1, NULL, NULL, NULL },
  { "http://h/\x7f", URI_PARSE_INVALID_PATH, NULL, NULL, NULL, -1, NULL, NULL, NULL },
};

TEST (uri_table)
{
  Arena_T a = Arena_new ();
  for (size_t i = 0; i < sizeof (uri_cases) / sizeof (uri_cases[0]); i++)
    {
      const uri_case *c = &uri_cases[i];
      SocketHTTP_URI u, z;
      SocketHTTP_URIResult r = SocketHTTP_URI_parse (c->in, strlen (c->in), &u, a);
      if (r != c->r)
        TEST_FAIL_ ("%s: result %d, want %d", c->in, r, c->r);
      /* len 0 means strlen */
      ASSERT_EQ (SocketHTTP_URI_parse (c->in, 0, &z, a), r);
      if (r != URI_PARSE_OK)
        continue;
      if (!span_is (u.scheme, u.scheme_len, c->scheme) || !span_is (u.host, u.host_len, c->host)
          || !span_is (u.userinfo, u.userinfo_len, c->userinfo)
          || !span_is (u.path, u.path_len, c->path) || !span_is (u.query, u.query_len, c->query)
          || !span_is (u.fragment, u.fragment_len, c->fragment) || u.port != c->port)
        TEST_FAIL_ ("%s: got scheme=%s host=%s port=%d path=%s query=%s frag=%s", c->in,
                    u.scheme ? u.scheme : "-", u.host ? u.host : "-", u.port,
                    u.path ? u.path : "-", u.query ? u.query : "-", u.fragment ? u.fragment : "-");
      ASSERT (span_is (z.path, z.path_len, c->path) && z.port == c->port);
    }
  Arena_dispose (&a);
}

TEST (uri_special_values)
{
  Arena_T a = Arena_new ();
  SocketHTTP_URI u;
  static char big[SOCKETHTTP_MAX_URI_LEN + 2];
  /* arena required; NULL args */
  ASSERT_EQ (SocketHTTP_URI_parse ("/", 1, &u, NULL), URI_PARSE_ERROR);
  ASSERT_EQ (SocketHTTP_URI_parse (NULL, 1, &u, a), URI_PARSE_ERROR);
  ASSERT_EQ (SocketHTTP_URI_parse ("/", 1, NULL, a), URI_PARSE_ERROR);
  /* "" (len 0 = strlen = 0) is an empty relative reference */
  ASSERT_EQ (SocketHTTP_URI_parse ("", 0, &u, a), URI_PARSE_OK);
  ASSERT (u.path != NULL && u.path_len == 0 && u.scheme == NULL && u.host == NULL);
  ASSERT (u.query == NULL && u.fragment == NULL && u.port == -1);
  memset (big, 'a', sizeof (big) - 1);
  big[0] = '/';
  ASSERT_EQ (SocketHTTP_URI_parse (big, SOCKETHTTP_MAX_URI_LEN, &u, a), URI_PARSE_OK);
  ASSERT_EQ (u.path_len, SOCKETHTTP_MAX_URI_LEN);
  /* too long: result untouched */
  u.port = 1234;
  ASSERT_EQ (SocketHTTP_URI_parse (big, SOCKETHTTP_MAX_URI_LEN + 1, &u, a), URI_PARSE_TOO_LONG);
  ASSERT_EQ (SocketHTTP_URI_parse (big, 0, &u, a), URI_PARSE_TOO_LONG); /* strlen */
  ASSERT_EQ (u.port, 1234);
  /* result strings, word for word */
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_OK), "OK");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_ERROR), "Parse error");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_INVALID_SCHEME), "Invalid scheme");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_INVALID_HOST), "Invalid host");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_INVALID_PORT), "Invalid port");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_INVALID_PATH), "Invalid path");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_INVALID_QUERY), "Invalid query");
  ASSERT_STREQ (SocketHTTP_URI_result_string (URI_PARSE_TOO_LONG), "URI too long");
  ASSERT_STREQ (SocketHTTP_URI_result_string ((SocketHTTP_URIResult)99), "Unknown error");
  ASSERT_STREQ (SocketHTTP_URI_result_string ((SocketHTTP_URIResult)-1), "Unknown error");
  Arena_dispose (&a);
}

TEST (uri_port_secure_build)
{
  Arena_T a = Arena_new ();
  SocketHTTP_URI u;
  char out[128];
  /* no scheme-based default port: default_port whenever none was given */
  ASSERT_EQ (SocketHTTP_URI_parse ("https://h/", 10, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_get_port (&u, 1), 1);
  ASSERT_EQ (SocketHTTP_URI_get_port (&u, 443), 443);
  ASSERT (SocketHTTP_URI_is_secure (&u));
  ASSERT_EQ (SocketHTTP_URI_parse ("WS://h/", 7, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_get_port (&u, 1), 1);
  ASSERT (!SocketHTTP_URI_is_secure (&u));
  ASSERT_EQ (SocketHTTP_URI_parse ("WSS://h/", 0, &u, a), URI_PARSE_OK);
  ASSERT (SocketHTTP_URI_is_secure (&u));
  ASSERT (!SocketHTTP_URI_is_secure (NULL));
  ASSERT_EQ (SocketHTTP_URI_parse ("wss://h:9/", 10, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_get_port (&u, 1), 9);
  ASSERT (SocketHTTP_URI_is_secure (&u));
  ASSERT_EQ (SocketHTTP_URI_parse ("ftp://h/", 8, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_get_port (&u, 21), 21);
  ASSERT_EQ (SocketHTTP_URI_get_port (NULL, 7), 7);
  ASSERT_EQ (SocketHTTP_URI_parse ("http://u@[::1]:8/p?q#f", 22, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_build (&u, out, sizeof (out)), 22);
  ASSERT_STREQ (out, "http://u@[::1]:8/p?q#f");
  ASSERT_EQ (SocketHTTP_URI_build (&u, out, 22), -1); /* no room for the NUL */
  ASSERT_EQ (SocketHTTP_URI_build (&u, out, 23), 22);
  ASSERT_EQ (SocketHTTP_URI_build (&u, out, 0), -1);
  ASSERT_EQ (SocketHTTP_URI_build (NULL, out, sizeof (out)), -1);
  ASSERT_EQ (SocketHTTP_URI_build (&u, NULL, sizeof (out)), -1);
  /* "?" / "#" only before non-empty parts; path verbatim */
  ASSERT_EQ (SocketHTTP_URI_parse ("http://h?#", 0, &u, a), URI_PARSE_OK);
  ASSERT_EQ (SocketHTTP_URI_build (&u, out, sizeof (out)), 8);
  ASSERT_STREQ (out, "http://h");
  {
    /* hand-made: "//" only with scheme and host; userinfo and port only with
     * a host; the host as given (brackets are the caller's) */
    SocketHTTP_URI m;
    memset (&m, 0, sizeof (m));
    m.port = 8080;
    m.host = "[::1]", m.host_len = 5;
    m.userinfo = "u", m.userinfo_len = 1;
    m.path = "/p", m.path_len = 2;
    ASSERT_EQ (SocketHTTP_URI_build (&m, out, sizeof (out)), 14);
    ASSERT_STREQ (out, "u@[::1]:8080/p");
    m.scheme = "http", m.scheme_len = 4;
    ASSERT_EQ (SocketHTTP_URI_build (&m, out, sizeof (out)), 21);
    ASSERT_STREQ (out, "http://u@[::1]:8080/p");
    m.host = NULL, m.host_len = 0;
    ASSERT_EQ (SocketHTTP_URI_build (&m, out, sizeof (out)), 7);
    ASSERT_STREQ (out, "http:/p");
    m.scheme_len = 0;
    m.query = "", m.query_len = 0;
    m.fragment = "f", m.fragment_len = 1;
    ASSERT_EQ (SocketHTTP_URI_build (&m, out, sizeof (out)), 4);
    ASSERT_STREQ (out, "/p#f");
  }
  Arena_dispose (&a);
}

TEST (uri_percent_codecs)
{
  char in[256], enc[800], dec[300];
  ssize_t n;
  for (int i = 0; i < 255; i++)
    in[i] = (char)(i + 1);
  n = SocketHTTP_URI_encode (in, 255, enc, sizeof (enc));
  ASSERT (n > 255);
  ASSERT (strstr (enc, "%20") != NULL && strstr (enc, "%2F") != NULL && strstr (enc, "~") != NULL);
  ASSERT_EQ (SocketHTTP_URI_decode (enc, (size_t)n, dec, sizeof (dec)), 255);
  ASSERT_MEMEQ (dec, in, 255);
  ASSERT_EQ (SocketHTTP_URI_encode ("a b", 3, enc, 5), -1);
  ASSERT_EQ (SocketHTTP_URI_encode ("a b", 3, enc, 6), 5);
  ASSERT_STREQ (enc, "a%20b");
  ASSERT_EQ (SocketHTTP_URI_decode ("a%2", 3, dec, sizeof (dec)), -1);
  ASSERT_EQ (SocketHTTP_URI_decode ("a%G0", 4, dec, sizeof (dec)), -1);
  ASSERT_EQ (SocketHTTP_URI_decode ("a%00", 4, dec, sizeof (dec)), -1);
  /* '+' decodes to a space, as in the original */
  ASSERT_EQ (SocketHTTP_URI_decode ("a+b%7e%7E%2B", 12, dec, sizeof (dec)), 6);
  ASSERT_STREQ (dec, "a b~~+");
  ASSERT_EQ (SocketHTTP_URI_encode ("a+b", 3, enc, sizeof (enc)), 5);
  ASSERT_STREQ (enc, "a%2Bb");
  ASSERT_EQ (SocketHTTP_URI_encode (NULL, 0, enc, sizeof (enc)), -1);
  ASSERT_EQ (SocketHTTP_URI_encode ("", 0, NULL, 1), -1);
  ASSERT_EQ (SocketHTTP_URI_encode ("", 0, enc, 1), 0);
  ASSERT_EQ (SocketHTTP_URI_decode (NULL, 0, dec, 1), -1);
  ASSERT_EQ (SocketHTTP_URI_decode ("abc", 3, dec, 3), -1);
  ASSERT_EQ (SocketHTTP_URI_decode ("abc", 3, dec, 4), 3);
}

/* ===================================================================== */
/* HTTP-date                                                             */
/* ===================================================================== */

TEST (date_three_forms)
{
  time_t t = 0;
  char buf[SOCKETHTTP_DATE_BUFSIZE];
  ASSERT_EQ (SocketHTTP_date_parse ("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), 0);
  ASSERT_EQ (t, 784111777);
  t = 0;
  ASSERT_EQ (SocketHTTP_date_parse ("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t), 0);
  ASSERT_EQ (t, 784111777);
  t = 0;
  ASSERT_EQ (SocketHTTP_date_parse ("Sun Nov  6 08:49:37 1994", 24, &t), 0);
  ASSERT_EQ (t, 784111777);
  ASSERT_EQ (SocketHTTP_date_parse ("Sun Nov 06 08:49:37 1994", 24, &t), 0);
  ASSERT_EQ (SocketHTTP_date_parse ("sun, 06 nov 1994 08:49:37 GMT", 29, &t), 0);
  ASSERT_EQ (t, 784111777);
  ASSERT_EQ (SocketHTTP_date_format (784111777, buf), 29);
  ASSERT_STREQ (buf, "Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_EQ (SocketHTTP_date_format (0, buf), 29);
  ASSERT_STREQ (buf, "Thu, 01 Jan 1970 00:00:00 GMT");
  ASSERT_EQ (SocketHTTP_date_format (253402300799, buf), 29);
  ASSERT_STREQ (buf, "Fri, 31 Dec 9999 23:59:59 GMT");
  ASSERT_EQ (SocketHTTP_date_format (253402300800, buf), -1);
  /* before 1970: formatted, as the original's gmtime does */
  ASSERT_EQ (SocketHTTP_date_format (-1, buf), 29);
  ASSERT_STREQ (buf, "Wed, 31 Dec 1969 23:59:59 GMT");
  ASSERT_EQ (SocketHTTP_date_format (-86400 * 365, buf), 29);
  ASSERT_STREQ (buf, "Wed, 01 Jan 1969 00:00:00 GMT");
  ASSERT_EQ (SocketHTTP_date_parse (buf, 0, &t), 0);
  ASSERT_EQ (t, -86400 * 365);
  ASSERT_EQ (SocketHTTP_date_format (0, NULL), -1);
  /* len 0 means strlen, in all three forms */
  t = 0;
  ASSERT_EQ (SocketHTTP_date_parse ("Sun, 06 Nov 1994 08:49:37 GMT", 0, &t), 0);
  ASSERT_EQ (t, 784111777);
  t = 0;
  ASSERT_EQ (SocketHTTP_date_parse ("Sunday, 06-Nov-94 08:49:37 GMT", 0, &t), 0);
  ASSERT_EQ (t, 784111777);
  t = 0;
  ASSERT_EQ (SocketHTTP_date_parse ("Sun Nov  6 08:49:37 1994", 0, &t), 0);
  ASSERT_EQ (t, 784111777);
  ASSERT_EQ (SocketHTTP_date_parse ("", 0, &t), -1);
}

/* The 4-digit year of an IMF-fixdate. */
static int
year_of (time_t t)
{
  char buf[SOCKETHTTP_DATE_BUFSIZE];
  if (SocketHTTP_date_format (t, buf) != 29)
    return -1;
  return atoi (buf + 12);
}

TEST (date_rfc850_century)
{
  /* the original's fixed window: 69-99 -> 19xx, 00-68 -> 20xx */
  static const struct
  {
    const char *yy;
    int year;
  } t[] = { { "69", 1969 }, { "99", 1999 }, { "94", 1994 }, { "00", 2000 }, { "68", 2068 } };
  for (size_t i = 0; i < sizeof (t) / sizeof (t[0]); i++)
    {
      char d[64];
      time_t tt;
      snprintf (d, sizeof (d), "Sunday, 01-Jun-%s 00:00:00 GMT", t[i].yy);
      ASSERT_EQ (SocketHTTP_date_parse (d, strlen (d), &tt), 0);
      ASSERT_EQ (year_of (tt), t[i].year);
    }
}

TEST (date_invalid)
{
  static const char *const bad[] = {
    "Sun, 06 Nov 1994 08:49:37 UTC",   "Sun, 06 Nov 1994 08:49:37 gmt",
    "Sun, 6 Nov 1994 08:49:37 GMT",    "Sun, 06 Nov 94 08:49:37 GMT",
    "Sun, 32 Nov 1994 08:49:37 GMT",   "Sun, 00 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT",   "Sun, 06 Nov 1994 08:60:00 GMT",
    "Sun, 06 Nov 1994 08:49:61 GMT",   "Sun, 06 Foo 1994 08:49:37 GMT",
    "Sun 06 Nov 1994 08:49:37 GMT",    "Sunday, 06-Nov-1994 08:49:37 GMT",
    "Sun Nov  6 08:49:37 94",          "Sun, 06 Nov 1994 8:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37",       "Su",
    "",                                "Sun Nov 6 08:49:37 1994", /* 23 < 24 characters */
    "Xy, 06 Nov 1994 08:49:37 GMT",    "Wednesdayy, 06-Nov-94 08:49:37 GMT",
    "Sun,06 Nov 1994 08:49:37 GMT",
  };
  time_t t;
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    if (SocketHTTP_date_parse (bad[i], strlen (bad[i]), &t) != -1)
      TEST_FAIL_ ("accepted \"%s\"", bad[i]);
  ASSERT_EQ (SocketHTTP_date_parse ("Tue, 29 Feb 2000 12:00:00 GMT", 29, &t), 0);
  ASSERT_EQ (SocketHTTP_date_parse (NULL, 0, &t), -1);
  ASSERT_EQ (SocketHTTP_date_parse ("Sun, 06 Nov 1994 08:49:37 GMT", 29, NULL), -1);
}

TEST (date_lenient_like_original)
{
  static const char *const ok[] = {
    " \t Sun, 06 Nov 1994 08:49:37 GMT", /* leading SP/HTAB skipped */
    "Sun, 06 Nov 1994 08:49:37 GMT ",    /* trailing text ignored */
    "Sun, 06 Nov 1994 08:49:37 GMT; x",  "Xyz, 06 Nov 1994 08:49:37 GMT", /* weekday unchecked */
    "Whatever, 06-Nov-94 08:49:37 GMT",  "Sun, 06 NOV 1994 08:49:37 GMT", /* month any case */
    "Abc Nov  6 08:49:37 1994",          "Sun Nov \t6 08:49:37 1994",
    "Sun, 06-Nov-94 08:49:37 GMT",       "Sun Nov 6 08:49:37 1994 ",
    "Sun Nov 06 08:49:37 1994",          "Sun Nov  6 08:49:37 1994 trailing",
  };
  time_t t;
  for (size_t i = 0; i < sizeof (ok) / sizeof (ok[0]); i++)
    {
      t = 0;
      if (SocketHTTP_date_parse (ok[i], strlen (ok[i]), &t) != 0 || t != 784111777)
        TEST_FAIL_ ("\"%s\" -> %lld", ok[i], (long long)t);
    }
  /* day 1..31 not checked against the month: normalized like timegm */
  ASSERT_EQ (SocketHTTP_date_parse ("Sun, 30 Feb 2000 00:00:00 GMT", 0, &t), 0);
  ASSERT_EQ (t, 951868800); /* 2000-03-01 */
  ASSERT_EQ (SocketHTTP_date_parse ("Sun, 31 Nov 1994 00:00:00 GMT", 0, &t), 0);
  ASSERT_EQ (t, 786240000); /* 1994-12-01 */
  /* second 60 rolls into the next minute */
  ASSERT_EQ (SocketHTTP_date_parse ("Tue, 29 Feb 2000 23:59:60 GMT", 29, &t), 0);
  ASSERT_EQ (t, 951868800);
}

TEST (date_format_round_trip)
{
  char buf[SOCKETHTTP_DATE_BUFSIZE];
  for (time_t t = 0; t < (time_t)253402300799; t += 86400 * 37 + 3661)
    {
      time_t back;
      ASSERT_EQ (SocketHTTP_date_format (t, buf), 29);
      ASSERT_EQ (SocketHTTP_date_parse (buf, 29, &back), 0);
      ASSERT_EQ (back, t);
    }
}

/* ===================================================================== */
/* Media types, Accept                                                   */
/* ===================================================================== */

TEST (media_type)
{
  Arena_T a = Arena_new ();
  SocketHTTP_MediaType m;
  static const char ct[] = "Text/HTML ; Charset=\"UTF-8\"; foo=bar";
  static const char mp[] = "multipart/form-data; boundary=\"a\\\"B c\"";
  /* case kept, quotes removed */
  ASSERT_EQ (SocketHTTP_MediaType_parse (ct, sizeof (ct) - 1, &m, a), 0);
  ASSERT_STREQ (m.type, "Text");
  ASSERT_STREQ (m.subtype, "HTML");
  ASSERT_STREQ (m.charset, "UTF-8");
  ASSERT_EQ (m.charset_len, 5);
  ASSERT (m.boundary == NULL);
  ASSERT (SocketHTTP_MediaType_matches (&m, "text/html"));
  ASSERT (SocketHTTP_MediaType_matches (&m, "TEXT/*"));
  ASSERT (SocketHTTP_MediaType_matches (&m, "*/*"));
  ASSERT (SocketHTTP_MediaType_matches (&m, "*/html"));
  ASSERT (!SocketHTTP_MediaType_matches (&m, "text/plain"));
  ASSERT (!SocketHTTP_MediaType_matches (&m, "text"));
  ASSERT (!SocketHTTP_MediaType_matches (NULL, "*/*"));
  ASSERT (!SocketHTTP_MediaType_matches (&m, NULL));
  /* len 0 means strlen */
  ASSERT_EQ (SocketHTTP_MediaType_parse (ct, 0, &m, a), 0);
  ASSERT_STREQ (m.subtype, "HTML");
  ASSERT_STREQ (m.charset, "UTF-8");
  ASSERT_EQ (SocketHTTP_MediaType_parse ("", 0, &m, a), -1);
  /* backslash escapes kept verbatim */
  ASSERT_EQ (SocketHTTP_MediaType_parse (mp, sizeof (mp) - 1, &m, a), 0);
  ASSERT_STREQ (m.boundary, "a\\\"B c");
  ASSERT_EQ (m.boundary_len, 6);
  /* last one wins; malformed parameters skipped; leading OWS skipped */
  ASSERT_EQ (SocketHTTP_MediaType_parse (" \ttext/plain;charset=a; bad; =x; charset=\"b\";"
                                         " BOUNDARY=zz; charset = c",
                                         0, &m, a),
             0);
  ASSERT_STREQ (m.type, "text");
  ASSERT_STREQ (m.charset, "b"); /* no whitespace around '=' */
  ASSERT_STREQ (m.boundary, "zz");
  /* an unterminated quoted value runs to the end; an empty value is kept */
  ASSERT_EQ (SocketHTTP_MediaType_parse ("a/b; charset=\"x y", 0, &m, a), 0);
  ASSERT_STREQ (m.charset, "x y");
  ASSERT_EQ (SocketHTTP_MediaType_parse ("a/b; charset=", 0, &m, a), 0);
  ASSERT (m.charset != NULL && m.charset_len == 0);
  /* parameters need no ';' before them; type/subtype are not token-checked */
  ASSERT_EQ (SocketHTTP_MediaType_parse ("x(y/z,w charset=u", 0, &m, a), 0);
  ASSERT_STREQ (m.type, "x(y");
  ASSERT_STREQ (m.subtype, "z,w");
  ASSERT_STREQ (m.charset, "u");
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text/html; charset", 18, &m, a), 0);
  ASSERT (m.charset == NULL);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text/html;", 10, &m, a), 0);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text/html x", 11, &m, a), 0);
  ASSERT_STREQ (m.subtype, "html");
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text;/html", 0, &m, a), -1);
  /* no type/subtype */
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text", 4, &m, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text/", 5, &m, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("/html", 5, &m, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("text /html", 10, &m, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse (NULL, 0, &m, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("a/b", 3, NULL, a), -1);
  ASSERT_EQ (SocketHTTP_MediaType_parse ("a/b", 3, &m, NULL), -1);
  Arena_dispose (&a);
}

/* Case-insensitive literal compares never let a control byte stand in for
 * '-', '.' or a digit (0x0D | 0x20 == '-', 0x10 | 0x20 == '0'). */
TEST (token_compare_refuses_control_bytes)
{
  Arena_T a = Arena_new ();
  SocketHTTP_Headers_T h = SocketHTTP_Headers_new (a);

  ASSERT (http_token_is ("Content-Length", 14, "content-length", 14));
  ASSERT (http_token_is ("TRANSFER-ENCODING", 17, "transfer-encoding", 17));
  ASSERT (!http_token_is ("content\rlength", 14, "content-length", 14));
  ASSERT (!http_token_is ("content-lengt\x08", 14, "content-length", 14));
  ASSERT (!http_token_is ("\x11\x10\x10-continue", 12, "100-continue", 12));
  ASSERT (!http_token_is ("a\x0e", 2, "a.", 2));
  ASSERT (http_name_is ("Keep-Alive", 10, "KEEP-ALIVE", 10));
  ASSERT (!http_name_is ("keep\ralive", 10, "keep-alive", 10));
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Expect", "\x11\x10\x10-continue"), 0);
  ASSERT (!SocketHTTP_Headers_contains (h, "expect", "100-continue"));
  ASSERT_EQ (SocketHTTP_Headers_add (h, "Expect", "100-CONTINUE"), 0);
  ASSERT (SocketHTTP_Headers_contains (h, "expect", "100-continue"));
  Arena_dispose (&a);
}

TEST (accept_lists)
{
  Arena_T a = Arena_new ();
  SocketHTTP_QualityValue q[10];
  static const char acc[] = "text/html;level=1, application/xml;q=0.9, */*;q=0.8, image/webp, "
                            "text/plain;q=0, x/y;q=1.5, a/b;q=0.12345, c/d;q=0.333";
  size_t n = SocketHTTP_parse_accept (acc, sizeof (acc) - 1, q, 10, a);
  ASSERT_EQ (n, 8);
  ASSERT_STREQ (q[0].value, "text/html"); /* equal q: list order here */
  ASSERT_STREQ (q[1].value, "image/webp");
  ASSERT_STREQ (q[2].value, "x/y"); /* clamped to 1 */
  ASSERT (q[2].quality == 1.0f);
  ASSERT_STREQ (q[3].value, "application/xml");
  ASSERT_STREQ (q[4].value, "*/*");
  ASSERT_STREQ (q[5].value, "c/d");
  ASSERT (q[5].quality > 0.332f && q[5].quality < 0.334f);
  ASSERT_STREQ (q[6].value, "a/b");
  ASSERT (q[6].quality > 0.1234f && q[6].quality < 0.1235f);
  ASSERT_STREQ (q[7].value, "text/plain"); /* q=0 kept */
  ASSERT (q[7].quality == 0.0f);
  /* len 0 means strlen */
  ASSERT_EQ (SocketHTTP_parse_accept (acc, 0, q, 10, a), 8);
  /* only the first max_results elements are read, then sorted */
  n = SocketHTTP_parse_accept ("a;q=0.1, b;q=0.5, c;q=1", 0, q, 2, a);
  ASSERT_EQ (n, 2);
  ASSERT_STREQ (q[0].value, "b");
  ASSERT_STREQ (q[1].value, "a");
  /* q only as the first parameter; "Q=" too; unparsable -> 0; trailing
   * whitespace of the value trimmed; empty elements skipped */
  n = SocketHTTP_parse_accept ("x;a=1;q=0.5 , y;Q=0.5, z;q=abc, ,, w ;q=, v; q=0.25", 0, q, 10, a);
  ASSERT_EQ (n, 5);
  ASSERT_STREQ (q[0].value, "x");
  ASSERT (q[0].quality == 1.0f);
  ASSERT_STREQ (q[1].value, "w");
  ASSERT (q[1].quality == 1.0f);
  ASSERT_EQ (q[1].value_len, 1);
  ASSERT_STREQ (q[2].value, "y");
  ASSERT (q[2].quality == 0.5f);
  ASSERT_STREQ (q[3].value, "v");
  ASSERT (q[3].quality == 0.25f);
  ASSERT_STREQ (q[4].value, "z");
  ASSERT (q[4].quality == 0.0f);
  /* q below 0 clamped; an element empty before ';' is skipped (the original hangs) */
  n = SocketHTTP_parse_accept ("a, ;q=1, b;q=-2", 0, q, 10, a);
  ASSERT_EQ (n, 2);
  ASSERT_STREQ (q[0].value, "a");
  ASSERT_STREQ (q[1].value, "b");
  ASSERT (q[1].quality == 0.0f);
  n = SocketHTTP_parse_accept ("gzip;q=0.5, br, identity;q=0", 28, q, 8, a);
  ASSERT_EQ (n, 3);
  ASSERT_STREQ (q[0].value, "br");
  ASSERT_EQ (SocketHTTP_parse_accept ("", 0, q, 8, a), 0);
  ASSERT_EQ (SocketHTTP_parse_accept ("a", 1, q, 0, a), 0);
  ASSERT_EQ (SocketHTTP_parse_accept (NULL, 0, q, 8, a), 0);
  ASSERT_EQ (SocketHTTP_parse_accept ("a", 1, NULL, 8, a), 0);
  ASSERT_EQ (SocketHTTP_parse_accept ("a", 1, q, 8, NULL), 0);
  Arena_dispose (&a);
}

TEST_MAIN ()
