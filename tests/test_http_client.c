/*
 * test_http_client.c - SocketHTTPClient against a real server on loopback.
 *
 * The peer is the Go program in tests/httpclient/peer (net/http): the
 * ctest wrapper tests/httpclient/run_test.sh builds it and passes its path
 * in HTTPCLIENT_PEER. Without it the network tests report themselves as
 * skipped and only the offline ones (strings, defaults, URL resolution,
 * README forms that need no server) run; with no peer at all the binary
 * exits 77 after those.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "FakeProxy.h"
#include "Test.h"
#include "core/Except.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTPClient.h"
#include "http/SocketHTTPClient-private.h"
#include "socket/Socket.h"
#include "socket/SocketProxy.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
#endif

/* ===================================================================== */
/* Peer                                                                  */
/* ===================================================================== */

static pid_t peer_pid = -1;
static int peer_stdin = -1;
static int port_a, port_b, port_tls, port_h2c, port_tls1;
static char ca_path[256];
static int peer_tried;

static void
peer_stop (void)
{
  if (peer_pid > 0)
    {
      close (peer_stdin);
      kill (peer_pid, SIGTERM);
      waitpid (peer_pid, NULL, 0);
      peer_pid = -1;
    }
  if (ca_path[0] != '\0')
    unlink (ca_path);
}

/* Start the peer once; 1 when it runs. */
static int
peer_start (void)
{
  const char *bin = getenv ("HTTPCLIENT_PEER");
  int in[2], out[2];
  char line[128];
  FILE *f;

  if (peer_tried)
    return peer_pid > 0;
  peer_tried = 1;
  if (bin == NULL || bin[0] == '\0')
    return 0;
  snprintf (ca_path, sizeof ca_path, "/tmp/httpclient-ca-%d.pem", (int)getpid ());
  if (pipe (in) < 0 || pipe (out) < 0)
    return 0;
  peer_pid = fork ();
  if (peer_pid == 0)
    {
      dup2 (in[0], 0);
      dup2 (out[1], 1);
      close (in[1]);
      close (out[0]);
      execl (bin, bin, ca_path, (char *)NULL);
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  peer_stdin = in[1];
  f = fdopen (out[0], "r");
  if (f == NULL || fgets (line, sizeof line, f) == NULL
      || sscanf (line, "ports %d %d %d %d %d", &port_a, &port_b, &port_tls, &port_h2c, &port_tls1) != 5)
    {
      if (f != NULL)
        fclose (f);
      peer_stop ();
      return 0;
    }
  fclose (f);
  atexit (peer_stop);
  signal (SIGPIPE, SIG_IGN);
  return 1;
}

#define NEED_PEER()                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (!peer_start ())                                                                          \
        TEST_SKIP ("HTTPCLIENT_PEER not set or the peer did not start");                           \
    }                                                                                              \
  while (0)

static char url_buf[8][512];
static int url_next;

/* URL on origin A (port_a), B or TLS; rotating static buffers. */
static const char *
url_on (int port, const char *scheme, const char *path)
{
  char *u = url_buf[url_next++ % 8];
  snprintf (u, sizeof url_buf[0], "%s://127.0.0.1:%d%s", scheme, port, path);
  return u;
}
#define URL(path) url_on (port_a, "http", path)

static int
body_is_pattern (const SocketHTTPClient_Response *r, size_t n)
{
  const unsigned char *b = r->body;
  if (r->body_len != n || (n > 0 && b == NULL))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (b[i] != (unsigned char)('a' + i % 26))
      return 0;
  return 1;
}

static int
body_eq (const SocketHTTPClient_Response *r, const char *s)
{
  size_t n = strlen (s);
  return r->body_len == n && (n == 0 || memcmp (r->body, s, n) == 0);
}

static const char *
hdr (const SocketHTTPClient_Response *r, const char *name)
{
  const char *v = SocketHTTP_Headers_get (r->headers, name);
  return v != NULL ? v : "";
}

static int
count_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir (d);
  return n;
}

static SocketHTTPClient_T
client_with (void (*tweak) (SocketHTTPClient_Config *))
{
  SocketHTTPClient_Config cfg;
  SocketHTTPClient_config_defaults (&cfg);
  cfg.connect_timeout_ms = 10000;
  cfg.request_timeout_ms = 30000;
  if (tweak != NULL)
    tweak (&cfg);
  return SocketHTTPClient_new (&cfg);
}

/* ===================================================================== */
/* Offline                                                               */
/* ===================================================================== */

TEST (error_strings)
{
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_OK), "Success");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_DNS), "DNS resolution failed");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_CONNECT), "Connection failed");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_TLS), "TLS handshake failed");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_TIMEOUT), "Request timeout");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_PROTOCOL), "HTTP protocol error");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS), "Too many redirects");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE),
                "Response body too large");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_CANCELLED), "Request cancelled");
  ASSERT_STREQ (SocketHTTPClient_error_string (HTTPCLIENT_ERROR_OUT_OF_MEMORY), "Out of memory");
  ASSERT_STREQ (SocketHTTPClient_error_string ((SocketHTTPClient_Error)42), "Unknown error");
  ASSERT_STREQ (SocketHTTPClient_error_string ((SocketHTTPClient_Error)-1), "Unknown error");
  ASSERT_STREQ (SocketHTTPClient_Failed.reason, "HTTP client operation failed");
  ASSERT_STREQ (SocketHTTPClient_TooManyRedirects.reason, "Too many redirects");
  ASSERT_STREQ (SocketHTTPClient_ResponseTooLarge.reason, "Response body too large");
  ASSERT (&SocketHTTPClient_TLSError == &SocketHTTPClient_TLSFailed);
}

TEST (config_defaults)
{
  SocketHTTPClient_Config c;
  SocketHTTPClient_T client;

  memset (&c, 0xab, sizeof c);
  SocketHTTPClient_config_defaults (&c);
  ASSERT_EQ (c.max_version, HTTP_VERSION_2);
  ASSERT_EQ (c.allow_http2_cleartext, 0);
  ASSERT_EQ (c.enable_connection_pool, 1);
  ASSERT_UEQ (c.max_connections_per_host, 6);
  ASSERT_UEQ (c.max_total_connections, 100);
  ASSERT_EQ (c.idle_timeout_ms, 60000);
  ASSERT_EQ (c.connect_timeout_ms, 30000);
  ASSERT_EQ (c.request_timeout_ms, 60000);
  ASSERT_EQ (c.dns_timeout_ms, 10000);
  ASSERT_EQ (c.follow_redirects, 10);
  ASSERT_EQ (c.redirect_on_post, 0);
  ASSERT_EQ (c.accept_encoding, 3);
  ASSERT_EQ (c.auto_decompress, 1);
  ASSERT (c.tls_context == NULL);
  ASSERT_EQ (c.verify_ssl, 1);
  ASSERT (c.proxy == NULL);
  ASSERT_STREQ (c.user_agent, "SocketHTTPClient/1.0");
  ASSERT_UEQ (c.max_response_size, 0);
  client = SocketHTTPClient_new (NULL);
  ASSERT (client != NULL);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_OK);
  SocketHTTPClient_free (&client);
  ASSERT (client == NULL);
  SocketHTTPClient_free (&client);
  SocketHTTPClient_free (NULL);
}

/* RFC 3986 section 5.4 examples, base "http://a/b/c/d;p?q" (fragments
 * dropped: a request never carries one). */
TEST (url_resolution_rfc3986)
{
  static const char *cases[][2] = {
    { "g", "http://a/b/c/g" },          { "./g", "http://a/b/c/g" },
    { "g/", "http://a/b/c/g/" },        { "/g", "http://a/g" },
    { "//g", "http://g" },              { "?y", "http://a/b/c/d;p?y" },
    { "g?y", "http://a/b/c/g?y" },      { "#s", "http://a/b/c/d;p?q" },
    { "g#s", "http://a/b/c/g" },        { "g?y#s", "http://a/b/c/g?y" },
    { ";x", "http://a/b/c/;x" },        { "g;x", "http://a/b/c/g;x" },
    { "", "http://a/b/c/d;p?q" },       { ".", "http://a/b/c/" },
    { "./", "http://a/b/c/" },          { "..", "http://a/b/" },
    { "../", "http://a/b/" },           { "../g", "http://a/b/g" },
    { "../..", "http://a/" },           { "../../", "http://a/" },
    { "../../g", "http://a/g" },        { "../../../g", "http://a/g" },
    { "../../../../g", "http://a/g" },  { "/./g", "http://a/g" },
    { "/../g", "http://a/g" },          { "g.", "http://a/b/c/g." },
    { ".g", "http://a/b/c/.g" },        { "g..", "http://a/b/c/g.." },
    { "..g", "http://a/b/c/..g" },      { "./../g", "http://a/b/g" },
    { "./g/.", "http://a/b/c/g/" },     { "g/./h", "http://a/b/c/g/h" },
    { "g/../h", "http://a/b/c/h" },     { "g;x=1/./y", "http://a/b/c/g;x=1/y" },
    { "g;x=1/../y", "http://a/b/c/y" }, { "g?y/./x", "http://a/b/c/g?y/./x" },
    { "https://other:8443/x/../y?z", "https://other:8443/y?z" },
  };
  char out[256];

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      ssize_t n = httpclient__resolve_url ("http://a/b/c/d;p?q", cases[i][0], out, sizeof out);
      if (n < 0 || strcmp (out, cases[i][1]) != 0)
        TEST_FAIL_ ("resolve(%s) = %s (%zd), want %s", cases[i][0], n < 0 ? "-1" : out, n, cases[i][1]);
    }
  ASSERT_EQ (httpclient__resolve_url ("/relative", "g", out, sizeof out), -1);
  ASSERT_EQ (httpclient__resolve_url ("http://a/b", "g h", out, sizeof out), -1);
  ASSERT_EQ (httpclient__resolve_url ("http://a/b", "g\r\nX: y", out, sizeof out), -1);
  ASSERT_EQ (httpclient__resolve_url ("http://a/b", "mailto:x@y", out, sizeof out), -1);
  ASSERT_EQ (httpclient__resolve_url ("http://a/b", "/0123456789", out, 12), -1);
}

TEST (invalid_urls)
{
  SocketHTTPClient_T client = SocketHTTPClient_new (NULL);
  SocketHTTPClient_Response r;

  ASSERT (SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, "not a url") == NULL);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_PROTOCOL);
  ASSERT (SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, "ftp://127.0.0.1/") == NULL);
  ASSERT (SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, "/just/a/path") == NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, "http://", &r), -1);
  ASSERT_EQ (r.status_code, 0);
  ASSERT (r.arena == NULL);
  ASSERT (SocketHTTPClient_Request_new (client, "NOT A TOKEN", "http://127.0.0.1/") == NULL);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Response_free ((SocketHTTPClient_Response *)NULL);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Bodies and methods                                                    */
/* ===================================================================== */

TEST (get_content_length_and_chunked)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  const char *len;

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1000"), &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT_EQ (r.version, HTTP_VERSION_1_1);
  ASSERT (body_is_pattern (&r, 1000));
  len = SocketHTTP_Headers_get (r.headers, "Content-Length");
  ASSERT (len != NULL && strcmp (len, "1000") == 0);
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/chunked?n=300000"), &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT (body_is_pattern (&r, 300000));
  /* The response owns its headers: still readable after the client is gone. */
  SocketHTTPClient_free (&client);
  ASSERT (SocketHTTP_Headers_get (r.headers, "Content-Type") != NULL);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Response_free (&r);
  ASSERT (r.arena == NULL && r.body == NULL && r.status_code == 0);
}

TEST (status_codes_are_responses)
{
  static const int codes[] = { 200, 201, 204, 400, 404, 418, 500, 503 };
  SocketHTTPClient_T client;

  NEED_PEER ();
  client = client_with (NULL);
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    {
      SocketHTTPClient_Response r;
      char path[64];
      snprintf (path, sizeof path, "/status/%d", codes[i]);
      ASSERT_EQ (SocketHTTPClient_get (client, URL (path), &r), 0);
      ASSERT_EQ (r.status_code, codes[i]);
      if (codes[i] == 204)
        ASSERT_UEQ (r.body_len, 0);
      SocketHTTPClient_Response_free (&r);
    }
  SocketHTTPClient_free (&client);
}

TEST (methods_and_bodies)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  static const char json[] = "{\"k\":1}";

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_post (client, URL ("/echo"), "application/json", json, 7, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "POST");
  ASSERT_STREQ (hdr (&r, "X-Content-Type"), "application/json");
  ASSERT_STREQ (hdr (&r, "X-Content-Length"), "7");
  ASSERT (body_eq (&r, json));
  ASSERT_STREQ (hdr (&r, "X-User-Agent"), "SocketHTTPClient/1.0");
  {
    char host[64];
    snprintf (host, sizeof host, "127.0.0.1:%d", port_a);
    ASSERT_STREQ (hdr (&r, "X-Host"), host);
  }
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_put (client, URL ("/echo"), NULL, "abc", 3, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "PUT");
  ASSERT_STREQ (hdr (&r, "X-Content-Type"), "");
  ASSERT (body_eq (&r, "abc"));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_delete (client, URL ("/echo"), &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "DELETE");
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_head (client, URL ("/fixed?n=5000"), &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT_UEQ (r.body_len, 0);
  ASSERT (r.body == NULL);
  ASSERT_STREQ (hdr (&r, "Content-Length"), "5000");
  SocketHTTPClient_Response_free (&r);
  /* the connection is still in sync after HEAD */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=10"), &r), 0);
  ASSERT (body_is_pattern (&r, 10));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

static ssize_t
stream_cb (void *buf, size_t len, void *ud)
{
  size_t *left = ud;
  size_t n = *left < len ? *left : len;
  n = n > 7000 ? 7000 : n;
  memset (buf, 'z', n);
  *left -= n;
  return (ssize_t)n;
}

TEST (builder_headers_and_streamed_body)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;
  size_t left = 100000;

  NEED_PEER ();
  client = client_with (NULL);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/echo"));
  ASSERT (req != NULL);
  ASSERT_EQ (SocketHTTPClient_Request_header (req, "X-Custom", "yes"), 0);
  ASSERT_EQ (SocketHTTPClient_Request_header (req, "User-Agent", "mine/2"), 0);
  ASSERT_EQ (SocketHTTPClient_Request_header (req, "Bad Name", "x"), -1);
  ASSERT_EQ (SocketHTTPClient_Request_header (req, "X-Inject", "a\r\nB: c"), -1);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Custom"), "yes");
  ASSERT_STREQ (hdr (&r, "X-User-Agent"), "mine/2");
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  ASSERT (req == NULL);

  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_POST, URL ("/upload"));
  ASSERT_EQ (SocketHTTPClient_Request_body_stream (req, stream_cb, &left), 0);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT (body_eq (&r, "n=100000 te=chunked"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);
}

static ssize_t
stream_abort_cb (void *buf, size_t len, void *ud)
{
  int *calls = ud;
  (void)buf;
  (void)len;
  return ++*calls == 1 ? (memset (buf, 'q', 10), 10) : -1;
}

TEST (streamed_body_abort)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;
  int calls = 0;

  NEED_PEER ();
  client = client_with (NULL);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_POST, URL ("/upload"));
  SocketHTTPClient_Request_body_stream (req, stream_abort_cb, &calls);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_PROTOCOL);
  ASSERT_EQ (calls, 2);
  SocketHTTPClient_Request_free (&req);
  /* the aborted connection was not pooled: the next request is fine */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=4"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Redirects                                                             */
/* ===================================================================== */

TEST (redirects_each_code_relative_and_absolute)
{
  static const int codes[] = { 301, 302, 303, 307, 308 };
  SocketHTTPClient_T client;

  NEED_PEER ();
  client = client_with (NULL);
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    for (int absolute = 0; absolute < 2; absolute++)
      {
        SocketHTTPClient_Response r;
        char path[256];
        if (absolute)
          snprintf (path, sizeof path, "/redirect/%d?to=http://127.0.0.1:%d/fixed%%3Fn=33", codes[i], port_a);
        else
          snprintf (path, sizeof path, "/redirect/%d?to=../fixed%%3Fn=33", codes[i]);
        ASSERT_EQ (SocketHTTPClient_get (client, URL (path), &r), 0);
        ASSERT_EQ (r.status_code, 200);
        ASSERT (body_is_pattern (&r, 33));
        SocketHTTPClient_Response_free (&r);
      }
  SocketHTTPClient_free (&client);
}

TEST (redirect_methods)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;

  NEED_PEER ();
  client = client_with (NULL);
  /* 303: POST becomes GET without a body */
  ASSERT_EQ (SocketHTTPClient_post (client, URL ("/redirect/303?to=/echo"), "text/plain", "data", 4, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "GET");
  ASSERT_UEQ (r.body_len, 0);
  SocketHTTPClient_Response_free (&r);
  /* 302 for POST is not followed unless redirect_on_post */
  ASSERT_EQ (SocketHTTPClient_post (client, URL ("/redirect/302?to=/echo"), NULL, "data", 4, &r), 0);
  ASSERT_EQ (r.status_code, 302);
  SocketHTTPClient_Response_free (&r);
  /* 307 keeps the method and body for PUT */
  ASSERT_EQ (SocketHTTPClient_put (client, URL ("/redirect/307?to=/echo"), NULL, "data", 4, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "PUT");
  ASSERT (body_eq (&r, "data"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

static void
tweak_post_redirect (SocketHTTPClient_Config *c)
{
  c->redirect_on_post = 1;
}

static void
tweak_no_redirect (SocketHTTPClient_Config *c)
{
  c->follow_redirects = 0;
}

static void
tweak_three_redirects (SocketHTTPClient_Config *c)
{
  c->follow_redirects = 3;
}

TEST (redirect_limits)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  volatile int raised = 0;

  NEED_PEER ();
  client = client_with (tweak_post_redirect);
  ASSERT_EQ (SocketHTTPClient_post (client, URL ("/redirect/308?to=/echo"), NULL, "xy", 2, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "POST");
  ASSERT (body_eq (&r, "xy"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);

  client = client_with (tweak_no_redirect);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/redirect/301?to=/echo"), &r), 0);
  ASSERT_EQ (r.status_code, 301);
  ASSERT_STREQ (hdr (&r, "Location"), "/echo");
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);

  client = client_with (tweak_three_redirects);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/chain/3"), &r), 0);
  ASSERT (body_eq (&r, "end"));
  SocketHTTPClient_Response_free (&r);
  TRY (void)SocketHTTPClient_get (client, URL ("/chain/4"), &r);
  EXCEPT (SocketHTTPClient_TooManyRedirects)
  {
    raised = 1;
    ASSERT_STREQ (Except_frame.exception->reason, "Too many redirects (4)");
  }
  END_TRY;
  ASSERT (raised);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS);
  raised = 0;
  TRY (void)SocketHTTPClient_get (client, URL ("/loop"), &r);
  EXCEPT (SocketHTTPClient_TooManyRedirects) raised = 1;
  END_TRY;
  ASSERT (raised);
  ASSERT (r.arena == NULL);
  SocketHTTPClient_free (&client);
}

TEST (cross_origin_redirect_drops_credentials)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;
  SocketHTTPClient_Auth auth = { HTTP_AUTH_BASIC, "Aladdin", "open sesame", NULL, NULL };
  char host_b[64];

  NEED_PEER ();
  client = client_with (NULL);
  SocketHTTPClient_set_auth (client, &auth);
  /* same origin: credentials sent */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/redirect/302?to=/echo"), &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Authorization"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  SocketHTTPClient_Response_free (&r);
  /* another origin (port B): neither Authorization nor the caller's Cookie */
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/cross"));
  SocketHTTPClient_Request_header (req, "Cookie", "secret=1");
  SocketHTTPClient_Request_header (req, "Authorization", "Bearer caller-token");
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT_STREQ (hdr (&r, "X-Authorization"), "");
  ASSERT_STREQ (hdr (&r, "X-Cookie"), "");
  snprintf (host_b, sizeof host_b, "127.0.0.1:%d", port_b);
  ASSERT_STREQ (hdr (&r, "X-Host"), host_b);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Cookies and authentication                                            */
/* ===================================================================== */

TEST (cookies_from_responses_and_redirects)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_CookieJar_T jar;
  SocketHTTPClient_Response r;

  NEED_PEER ();
  client = client_with (NULL);
  jar = SocketHTTPClient_CookieJar_new ();
  SocketHTTPClient_set_cookie_jar (client, jar);
  ASSERT (SocketHTTPClient_get_cookie_jar (client) == jar);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/setcookie"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/cookies"), &r), 0);
  ASSERT (body_eq (&r, "session=abc123; theme=dark") || body_eq (&r, "theme=dark; session=abc123"));
  SocketHTTPClient_Response_free (&r);
  /* a Set-Cookie on a redirect response is stored before following it */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/setcookie-redirect"), &r), 0);
  ASSERT (r.body_len > 0 && memmem (r.body, r.body_len, "hop=1", 5) != NULL);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_set_cookie_jar (client, NULL);
  SocketHTTPClient_free (&client);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (basic_and_digest_auth)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;
  SocketHTTPClient_Auth basic = { HTTP_AUTH_BASIC, "Aladdin", "open sesame", NULL, NULL };
  SocketHTTPClient_Auth digest = { HTTP_AUTH_DIGEST, "Mufasa", "Circle of Life", NULL, NULL };
  SocketHTTPClient_Auth wrong = { HTTP_AUTH_DIGEST, "Mufasa", "wrong", NULL, NULL };

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/basic"), &r), 0);
  ASSERT_EQ (r.status_code, 401);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_set_auth (client, &basic);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/basic"), &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT (body_eq (&r, "basic ok"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_set_auth (client, NULL);

  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/digest?x=1"));
  SocketHTTPClient_Request_auth (req, &digest);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT (body_eq (&r, "digest ok"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  /* wrong password: one retry, then the 401 stands */
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/digest"));
  SocketHTTPClient_Request_auth (req, &wrong);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT_EQ (r.status_code, 401);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Limits, timeouts, errors                                              */
/* ===================================================================== */

static void
tweak_small_limit (SocketHTTPClient_Config *c)
{
  c->max_response_size = 1000;
}

TEST (max_response_size)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;

  NEED_PEER ();
  client = client_with (tweak_small_limit);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1000"), &r), 0);
  ASSERT (body_is_pattern (&r, 1000));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1001"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE);
  ASSERT (r.arena == NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/chunked?n=50000"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE);
  SocketHTTPClient_free (&client);
}

static void
tweak_short_request_timeout (SocketHTTPClient_Config *c)
{
  c->request_timeout_ms = 300;
}

TEST (request_timeouts)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;

  int64_t t0;

  NEED_PEER ();
  client = client_with (tweak_short_request_timeout);
  /* a timeout never fires early; the 20 s answer is the upper bound */
  t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/slow?ms=20000"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_TIMEOUT);
  ASSERT (Socket_get_monotonic_ms () - t0 >= 300 - 1);
  /* the per-request timeout wins over the client's */
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/slow?ms=50"));
  SocketHTTPClient_Request_timeout (req, 20000);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT (body_eq (&r, "slow"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);

  client = client_with (NULL);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/slow?ms=20000"));
  SocketHTTPClient_Request_timeout (req, 200);
  t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_TIMEOUT);
  ASSERT (Socket_get_monotonic_ms () - t0 >= 200 - 1);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);
}

static int
closed_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int port;

  memset (&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  bind (fd, (struct sockaddr *)&a, sizeof a);
  getsockname (fd, (struct sockaddr *)&a, &len);
  port = ntohs (a.sin_port);
  close (fd); /* nothing listens there now */
  return port;
}

TEST (connection_and_protocol_errors)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  char url[128];

  NEED_PEER ();
  client = client_with (NULL);
  snprintf (url, sizeof url, "http://127.0.0.1:%d/", closed_port ());
  ASSERT_EQ (SocketHTTPClient_get (client, url, &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_CONNECT);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/garbage"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_PROTOCOL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/truncated"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_PROTOCOL);
  /* still usable afterwards */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=3"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Pool                                                                  */
/* ===================================================================== */

TEST (pool_reuses_connections)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;
  char first[64] = "";

  NEED_PEER ();
  client = client_with (NULL);
  for (int i = 0; i < 5; i++)
    {
      ASSERT_EQ (SocketHTTPClient_get (client, URL ("/conn"), &r), 0);
      if (i == 0)
        snprintf (first, sizeof first, "%.*s", (int)r.body_len, (const char *)r.body);
      else
        ASSERT (r.body_len == strlen (first) && memcmp (r.body, first, r.body_len) == 0);
      SocketHTTPClient_Response_free (&r);
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.total_requests, 5);
  ASSERT_UEQ (st.reused_connections, 4);
  ASSERT_UEQ (st.idle_connections, 1);
  ASSERT_UEQ (st.active_connections, 0);
  /* Connection: close from the server: not pooled */
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/close"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.idle_connections, 0);
  SocketHTTPClient_pool_clear (client);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.idle_connections + st.active_connections, 0);
  ASSERT_UEQ (st.total_requests, 6);
  SocketHTTPClient_free (&client);
}

static void
tweak_no_pool (SocketHTTPClient_Config *c)
{
  c->enable_connection_pool = 0;
}

/* A reused connection that fails before any response byte: an idempotent
 * request is sent once more on a new connection, a POST is not. */
TEST (pool_retry_once_on_reused_connection)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/drop"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_CONNECT);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.total_requests, 3); /* on the pooled connection, then on a new one */
  ASSERT_UEQ (st.reused_connections, 1);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_post (client, URL ("/drop"), NULL, "x", 1, &r), -1);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.total_requests, 5); /* POST: no second attempt */
  SocketHTTPClient_free (&client);
}

TEST (pool_disabled_opens_each_time)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;
  char first[64] = "";

  NEED_PEER ();
  client = client_with (tweak_no_pool);
  for (int i = 0; i < 3; i++)
    {
      ASSERT_EQ (SocketHTTPClient_get (client, URL ("/conn"), &r), 0);
      if (i == 0)
        snprintf (first, sizeof first, "%.*s", (int)r.body_len, (const char *)r.body);
      else
        ASSERT (!(r.body_len == strlen (first) && memcmp (r.body, first, r.body_len) == 0));
      SocketHTTPClient_Response_free (&r);
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.reused_connections, 0);
  ASSERT_UEQ (st.idle_connections, 0);
  SocketHTTPClient_free (&client);
}

TEST (pool_survives_server_closing_idle_connection)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=5"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  /* Shut the pooled connection down behind the client's back (as a
   * server's idle timeout would); the next request must still work. */
  for (size_t i = 0; i < HTTPCLIENT_POOL_HASH_SIZE; i++)
    for (struct hc_conn *c = client->buckets[i]; c != NULL; c = c->next)
      shutdown (Socket_fd (c->sock), SHUT_RDWR);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=7"), &r), 0);
  ASSERT (body_is_pattern (&r, 7));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.idle_connections, 1);
  SocketHTTPClient_free (&client);
}

TEST (no_fd_leaks)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  int before, after;

  NEED_PEER ();
  /* warm the shared DNS resolver and other lazily opened descriptors */
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=1"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
  before = count_fds ();
  client = client_with (NULL);
  for (int i = 0; i < 20; i++)
    {
      (void)SocketHTTPClient_get (client, URL (i % 2 ? "/close" : "/fixed?n=100"), &r);
      SocketHTTPClient_Response_free (&r);
    }
  (void)SocketHTTPClient_get (client, URL ("/truncated"), &r);
  (void)SocketHTTPClient_get (client, URL ("/redirect/302?to=/chain/2"), &r);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
  after = count_fds ();
  ASSERT_EQ (after, before);
  ASSERT_EQ (Socket_debug_live_count (), 0);
}

/* ===================================================================== */
/* Asynchronous requests                                                 */
/* ===================================================================== */

typedef struct
{
  int calls;
  int status;
  SocketHTTPClient_Error error;
  size_t body_len;
} async_result;

static void
on_done (SocketHTTPClient_AsyncRequest_T req, SocketHTTPClient_Response *resp, SocketHTTPClient_Error error,
         void *ud)
{
  async_result *res = ud;
  (void)req;
  res->calls++;
  res->error = error;
  res->status = resp != NULL ? resp->status_code : 0;
  res->body_len = resp != NULL ? resp->body_len : 0;
}

TEST (async_many_in_flight)
{
  enum { N = 12 };
  SocketHTTPClient_T client;
  async_result res[N];
  SocketHTTPClient_PoolStats st;
  int done = 0, max_active = 0;

  NEED_PEER ();
  client = client_with (NULL);
  memset (res, 0, sizeof res);
  for (int i = 0; i < N; i++)
    ASSERT (SocketHTTPClient_get_async (client, URL (i % 2 ? "/slow?ms=300" : "/chunked?n=20000"), on_done,
                                        &res[i])
            != NULL);
  /* callbacks only from process() */
  for (int i = 0; i < N; i++)
    ASSERT_EQ (res[i].calls, 0);
  for (int guard = 0; done < N && guard < 10000; guard++)
    {
      SocketHTTPClient_pool_stats (client, &st);
      if ((int)st.active_connections > max_active)
        max_active = (int)st.active_connections;
      done += SocketHTTPClient_process (client, 1000);
    }
  ASSERT_EQ (done, N);
  ASSERT (max_active >= 2); /* several requests really were in flight together */
  for (int i = 0; i < N; i++)
    {
      ASSERT_EQ (res[i].calls, 1);
      ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
      ASSERT_EQ (res[i].status, 200);
      ASSERT_UEQ (res[i].body_len, i % 2 ? 4 : 20000);
    }
  ASSERT_EQ (SocketHTTPClient_process (client, 0), 0);
  SocketHTTPClient_free (&client);
}

TEST (async_cancel_and_errors)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_AsyncRequest_T a;
  SocketHTTPClient_Request_T req;
  async_result slow = { 0 }, bad = { 0 }, built = { 0 };
  char url[128];
  int done = 0;

  NEED_PEER ();
  client = client_with (NULL);
  a = SocketHTTPClient_get_async (client, URL ("/slow?ms=20000"), on_done, &slow);
  ASSERT (a != NULL);
  snprintf (url, sizeof url, "http://127.0.0.1:%d/", closed_port ());
  ASSERT (SocketHTTPClient_get_async (client, url, on_done, &bad) != NULL);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_POST, URL ("/echo"));
  SocketHTTPClient_Request_body (req, "async body", 10);
  ASSERT (SocketHTTPClient_Request_async (req, on_done, &built) != NULL);
  done += SocketHTTPClient_process (client, 0); /* may already report the refused connect */
  ASSERT_EQ (slow.calls, 0);
  SocketHTTPClient_AsyncRequest_cancel (a);
  ASSERT_EQ (slow.calls, 0); /* the callback comes from process() */
  for (int guard = 0; done < 3 && guard < 1000; guard++)
    done += SocketHTTPClient_process (client, 1000);
  ASSERT_EQ (done, 3);
  ASSERT_EQ (slow.calls, 1);
  ASSERT_EQ (slow.error, HTTPCLIENT_ERROR_CANCELLED);
  ASSERT_EQ (bad.calls, 1);
  ASSERT_EQ (bad.error, HTTPCLIENT_ERROR_CONNECT);
  ASSERT_EQ (built.calls, 1);
  ASSERT_EQ (built.error, HTTPCLIENT_OK);
  ASSERT_UEQ (built.body_len, 10);
  SocketHTTPClient_AsyncRequest_cancel (a); /* after completion: no second callback */
  ASSERT_EQ (SocketHTTPClient_process (client, 0), 0);
  ASSERT_EQ (slow.calls, 1);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_free (&client);
}

TEST (async_name_lookup)
{
  enum { N = 4 };
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  async_result res[N];
  int done = 0;

  NEED_PEER ();
  client = client_with (NULL);
  memset (res, 0, sizeof res);
  /* "localhost" comes from /etc/hosts (loopback only); its first address
   * may be ::1, where the peer does not listen: the next one is tried */
  for (int i = 0; i < N; i++)
    ASSERT (SocketHTTPClient_get_async (client, url_on (port_a, "http", "/fixed?n=50"), on_done, &res[i])
            != NULL);
  {
    char url[128];
    snprintf (url, sizeof url, "http://localhost:%d/fixed?n=60", port_a);
    async_result named = { 0 };
    ASSERT (SocketHTTPClient_get_async (client, url, on_done, &named) != NULL);
    for (int guard = 0; done < N + 1 && guard < 1000; guard++)
      done += SocketHTTPClient_process (client, 1000);
    ASSERT_EQ (done, N + 1);
    ASSERT_EQ (named.calls, 1);
    ASSERT_EQ (named.error, HTTPCLIENT_OK);
    ASSERT_UEQ (named.body_len, 60);
    ASSERT_EQ (SocketHTTPClient_get (client, url, &r), 0); /* blocking lookup too */
    ASSERT (body_is_pattern (&r, 60));
    SocketHTTPClient_Response_free (&r);
  }
  for (int i = 0; i < N; i++)
    ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
  SocketHTTPClient_free (&client);
}

TEST (async_process_timeout_returns_zero)
{
  SocketHTTPClient_T client;
  async_result res = { 0 };
  SocketHTTPClient_Request_T req;

  NEED_PEER ();
  client = client_with (NULL);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, URL ("/slow?ms=20000"));
  ASSERT (SocketHTTPClient_Request_async (req, on_done, &res) != NULL);
  ASSERT_EQ (SocketHTTPClient_process (client, 50), 0);
  ASSERT_EQ (res.calls, 0);
  /* freeing the builder drops its pending request without a callback */
  SocketHTTPClient_Request_free (&req);
  ASSERT_EQ (SocketHTTPClient_process (client, 0), 0);
  ASSERT_EQ (res.calls, 0);
  SocketHTTPClient_free (&client);
}

/* Long enough that the pooled connection normally outlives the wait for
 * the other two requests on a loaded machine; the test sleeps past it. */
#define SHORT_IDLE_MS 2000

static void
tweak_short_idle_one_per_host (SocketHTTPClient_Config *c)
{
  c->idle_timeout_ms = SHORT_IDLE_MS;
  c->max_connections_per_host = 1;
}

TEST (pool_idle_timeout_and_per_host_limit)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;
  async_result res[3];
  int done = 0;
  int64_t started, finished;

  NEED_PEER ();
  client = client_with (tweak_short_idle_one_per_host);
  memset (res, 0, sizeof res);
  started = Socket_get_monotonic_ms ();
  for (int i = 0; i < 3; i++)
    ASSERT (SocketHTTPClient_get_async (client, URL ("/slow?ms=100"), on_done, &res[i]) != NULL);
  for (int guard = 0; done < 3 && guard < 1000; guard++)
    done += SocketHTTPClient_process (client, 1000);
  ASSERT_EQ (done, 3);
  for (int i = 0; i < 3; i++)
    ASSERT_EQ (res[i].status, 200);
  SocketHTTPClient_pool_stats (client, &st);
  finished = Socket_get_monotonic_ms ();
  /* The idle clock of the pooled connection started after `started`: it
   * cannot have expired unless the whole run took longer than the idle
   * timeout (a stalled machine), when process() may rightly have closed it. */
  if (finished - started < SHORT_IDLE_MS)
    ASSERT_UEQ (st.idle_connections, 1); /* the other two were used once and closed */
  ASSERT (st.idle_connections <= 1);
  /* every idle clock started before `finished`: wait until all are past due */
  while (Socket_get_monotonic_ms () - finished <= SHORT_IDLE_MS)
    usleep (50 * 1000);
  ASSERT_EQ (SocketHTTPClient_process (client, 0), 0); /* closes the expired idle one */
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.idle_connections, 0);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=2"), &r), 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* Content coding                                                        */
/* ===================================================================== */

TEST (gzip_and_deflate_bodies)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;

  NEED_PEER ();
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/gzip?n=70000"), &r), 0);
  ASSERT (body_is_pattern (&r, 70000));
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  ASSERT_STREQ (hdr (&r, "X-Encoded"), "yes");
  ASSERT (SocketHTTP_Headers_get (r.headers, "Content-Encoding") == NULL);
#else
  ASSERT_STREQ (hdr (&r, "X-Encoded"), "no"); /* no Accept-Encoding without a decoder */
#endif
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/deflate?n=5000"), &r), 0);
  ASSERT (body_is_pattern (&r, 5000));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, URL ("/echo"), &r), 0);
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  ASSERT_STREQ (hdr (&r, "X-Accept-Encoding"), "gzip, deflate");
#else
  ASSERT_STREQ (hdr (&r, "X-Accept-Encoding"), "");
#endif
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

/* ===================================================================== */
/* TLS                                                                   */
/* ===================================================================== */

#if SOCKET_HAS_TLS
static SocketTLSContext_T test_ctx;

static void
tweak_peer_ca (SocketHTTPClient_Config *c)
{
  c->tls_context = test_ctx;
}

static void
tweak_no_verify (SocketHTTPClient_Config *c)
{
  c->verify_ssl = 0;
}

static void
tweak_no_verify_http11 (SocketHTTPClient_Config *c)
{
  c->verify_ssl = 0;
  c->max_version = HTTP_VERSION_1_1;
  c->allow_http2_cleartext = 1; /* ignored below HTTP/2 */
}

TEST (https_verification)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;

  NEED_PEER ();
  test_ctx = SocketTLSContext_new_client (ca_path);
  client = client_with (tweak_peer_ca);
  for (int i = 0; i < 3; i++)
    {
      ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/chunked?n=40000"), &r), 0);
      ASSERT_EQ (r.status_code, 200);
      ASSERT (body_is_pattern (&r, 40000));
      SocketHTTPClient_Response_free (&r);
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.reused_connections, 2);
  SocketHTTPClient_free (&client);
  SocketTLSContext_free (&test_ctx);

  /* the system trust store does not know the peer's certificate */
  client = client_with (NULL);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/fixed?n=1"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_TLS);
  SocketHTTPClient_free (&client);

  client = client_with (tweak_no_verify);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/fixed?n=9"), &r), 0);
  ASSERT (body_is_pattern (&r, 9));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/proto"), &r), 0);
  ASSERT (body_eq (&r, "HTTP/2.0")); /* the default context offers h2 */
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);

  client = client_with (tweak_no_verify_http11);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/proto"), &r), 0);
  ASSERT (body_eq (&r, "HTTP/1.1")); /* max_version 1.1: no h2 offered */
  ASSERT_EQ (r.version, HTTP_VERSION_1_1);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}
#endif

/* ===================================================================== */
/* HTTP/2                                                                */
/* ===================================================================== */

static void
tweak_h2c (SocketHTTPClient_Config *c)
{
  c->allow_http2_cleartext = 1;
}

TEST (h2c_prior_knowledge)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_PoolStats st;
  size_t left = 200000;

  NEED_PEER ();
  client = client_with (tweak_h2c);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/proto"), &r), 0);
  ASSERT_EQ (r.version, HTTP_VERSION_2);
  ASSERT (body_eq (&r, "HTTP/2.0"));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/chunked?n=3000000"), &r), 0);
  ASSERT (body_is_pattern (&r, 3000000)); /* well past the initial windows */
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_post (client, url_on (port_h2c, "http", "/echo"), "text/plain", "h2 body", 7, &r), 0);
  ASSERT_STREQ (hdr (&r, "X-Method"), "POST");
  ASSERT (body_eq (&r, "h2 body"));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_head (client, url_on (port_h2c, "http", "/fixed?n=77"), &r), 0);
  ASSERT_EQ (r.status_code, 200);
  ASSERT_UEQ (r.body_len, 0);
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/gzip?n=9000"), &r), 0);
  ASSERT (body_is_pattern (&r, 9000));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/redirect/302?to=/status/404"), &r), 0);
  ASSERT_EQ (r.status_code, 404);
  SocketHTTPClient_Response_free (&r);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_PUT, url_on (port_h2c, "http", "/upload"));
  SocketHTTPClient_Request_body_stream (req, stream_cb, &left);
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), 0);
  ASSERT (r.body_len >= 8 && memcmp (r.body, "n=200000", 8) == 0);
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_Request_free (&req);
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.total_requests, 8); /* the redirect is two exchanges */
  ASSERT_UEQ (st.reused_connections, 7); /* one connection carried everything */
  ASSERT_UEQ (st.idle_connections, 1);
  SocketHTTPClient_free (&client);
}

/* The h2c peer allows 4 concurrent streams: the other requests queue on
 * the shared connection until a stream ends. */
static void
tweak_h2c_small_limit (SocketHTTPClient_Config *c)
{
  c->allow_http2_cleartext = 1;
  c->max_response_size = 5000;
}

TEST (h2c_limits_and_timeouts)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_Response r;
  int64_t t0;

  NEED_PEER ();
  client = client_with (tweak_h2c_small_limit);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/chunked?n=5000"), &r), 0);
  ASSERT (body_is_pattern (&r, 5000));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/chunked?n=50000"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/fixed?n=6000"), &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE);
  req = SocketHTTPClient_Request_new (client, HTTP_METHOD_GET, url_on (port_h2c, "http", "/slow?ms=20000"));
  SocketHTTPClient_Request_timeout (req, 200);
  t0 = Socket_get_monotonic_ms ();
  ASSERT_EQ (SocketHTTPClient_Request_execute (req, &r), -1);
  ASSERT_EQ (SocketHTTPClient_last_error (client), HTTPCLIENT_ERROR_TIMEOUT);
  ASSERT (Socket_get_monotonic_ms () - t0 >= 200 - 1); /* never early; the 20 s answer bounds it above */
  SocketHTTPClient_Request_free (&req);
  /* the shared connection survived its reset streams */
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/proto"), &r), 0);
  ASSERT (body_eq (&r, "HTTP/2.0"));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

TEST (h2c_many_streams_share_one_connection)
{
  enum { N = 16 };
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;
  SocketHTTPClient_PoolStats st;
  async_result res[N];
  char first[64];
  int done = 0;

  NEED_PEER ();
  client = client_with (tweak_h2c);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/conn"), &r), 0);
  snprintf (first, sizeof first, "%.*s", (int)r.body_len, (const char *)r.body);
  SocketHTTPClient_Response_free (&r);
  memset (res, 0, sizeof res);
  for (int i = 0; i < N; i++)
    ASSERT (SocketHTTPClient_get_async (client,
                                        url_on (port_h2c, "http", i % 2 ? "/slow?ms=200" : "/chunked?n=100000"),
                                        on_done, &res[i])
            != NULL);
  for (int guard = 0; done < N && guard < 10000; guard++)
    done += SocketHTTPClient_process (client, 1000);
  ASSERT_EQ (done, N);
  for (int i = 0; i < N; i++)
    {
      ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
      ASSERT_EQ (res[i].status, 200);
      ASSERT_UEQ (res[i].body_len, i % 2 ? 4 : 100000);
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.reused_connections, N);
  ASSERT_UEQ (st.idle_connections + st.active_connections, 1);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_h2c, "http", "/conn"), &r), 0);
  ASSERT (body_eq (&r, first));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
}

/* Asynchronous requests started together, before anyone knows the
 * server speaks HTTP/2, all end up on the first connection. */
static void
run_async_batch (SocketHTTPClient_T client, int port, const char *scheme, int n, async_result *res)
{
  int done = 0;
  memset (res, 0, sizeof *res * (size_t)n);
  for (int i = 0; i < n; i++)
    if (SocketHTTPClient_get_async (client, url_on (port, scheme, "/proto"), on_done, &res[i]) == NULL)
      return;
  for (int guard = 0; done < n && guard < 1000; guard++)
    done += SocketHTTPClient_process (client, 1000);
}

TEST (h2_async_requests_wait_for_the_first_connection)
{
  enum { N = 8 };
  SocketHTTPClient_T client;
  SocketHTTPClient_PoolStats st;
  async_result res[N];

  NEED_PEER ();
  client = client_with (tweak_h2c);
  run_async_batch (client, port_h2c, "http", N, res);
  for (int i = 0; i < N; i++)
    {
      ASSERT_EQ (res[i].calls, 1);
      ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
      ASSERT_UEQ (res[i].body_len, 8); /* "HTTP/2.0" */
    }
  SocketHTTPClient_pool_stats (client, &st);
  /* streams the server refused before its SETTINGS (limit 4) arrived are
   * retried on the same connection, so count at least N - 1 */
  ASSERT (st.reused_connections >= N - 1);
  ASSERT_UEQ (st.idle_connections + st.active_connections, 1);
  SocketHTTPClient_free (&client);
#if SOCKET_HAS_TLS
  /* TLS: the default context offers h2; the h2 server takes it... */
  client = client_with (tweak_no_verify);
  run_async_batch (client, port_tls, "https", N, res);
  for (int i = 0; i < N; i++)
    {
      ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
      ASSERT_UEQ (res[i].body_len, 8);
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT_UEQ (st.idle_connections + st.active_connections, 1);
  SocketHTTPClient_free (&client);
  /* ...an HTTP/1.1-only server does not: the waiting requests open their own */
  client = client_with (tweak_no_verify);
  run_async_batch (client, port_tls1, "https", N, res);
  for (int i = 0; i < N; i++)
    {
      ASSERT_EQ (res[i].calls, 1);
      ASSERT_EQ (res[i].error, HTTPCLIENT_OK);
      ASSERT_UEQ (res[i].body_len, 8); /* "HTTP/1.1" */
    }
  SocketHTTPClient_pool_stats (client, &st);
  ASSERT (st.idle_connections >= 2);
  SocketHTTPClient_free (&client);
#endif
}

#if SOCKET_HAS_TLS
TEST (h2_over_tls_by_alpn)
{
  static const char *alpn[] = { "h2", "http/1.1" };
  SocketHTTPClient_T client;
  SocketHTTPClient_Response r;

  NEED_PEER ();
  test_ctx = SocketTLSContext_new_client (ca_path);
  SocketTLSContext_set_alpn_protos (test_ctx, alpn, 2);
  client = client_with (tweak_peer_ca);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/proto"), &r), 0);
  ASSERT_EQ (r.version, HTTP_VERSION_2);
  ASSERT (body_eq (&r, "HTTP/2.0"));
  SocketHTTPClient_Response_free (&r);
  ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/fixed?n=500000"), &r), 0);
  ASSERT (body_is_pattern (&r, 500000));
  SocketHTTPClient_Response_free (&r);
  SocketHTTPClient_free (&client);
  SocketTLSContext_free (&test_ctx);
}
#endif

/* ===================================================================== */
/* Proxy                                                                 */
/* ===================================================================== */

static SocketProxy_Config test_proxy;

#if SOCKET_HAS_TLS
#define RELAY_CONNECTIONS 2 /* plain, then TLS through the tunnel */
#else
#define RELAY_CONNECTIONS 1
#endif

static void
tweak_proxy (SocketHTTPClient_Config *c)
{
  c->proxy = &test_proxy;
}

#if SOCKET_HAS_TLS
static void
tweak_proxy_and_ca (SocketHTTPClient_Config *c)
{
  c->proxy = &test_proxy;
  c->tls_context = test_ctx;
}
#endif

TEST (through_socks5_and_http_connect_proxies)
{
  for (int http = 0; http < 2; http++)
    {
      FakeRelay relay;
      SocketHTTPClient_T client;
      SocketHTTPClient_Response r;
      char want[64];

      NEED_PEER ();
      ASSERT_EQ (fake_relay_start (&relay, http, NULL, NULL, RELAY_CONNECTIONS), 0);
      SocketProxy_config_defaults (&test_proxy);
      test_proxy.type = http ? SOCKET_PROXY_HTTP : SOCKET_PROXY_SOCKS5;
      test_proxy.host = "127.0.0.1";
      test_proxy.port = relay.port;
      client = client_with (tweak_proxy);
      for (int i = 0; i < 3; i++) /* one tunnel, pooled */
        {
          ASSERT_EQ (SocketHTTPClient_get (client, URL ("/fixed?n=321"), &r), 0);
          ASSERT (body_is_pattern (&r, 321));
          SocketHTTPClient_Response_free (&r);
        }
      snprintf (want, sizeof want, "127.0.0.1:%d", port_a);
      ASSERT_STREQ (relay.last_target, want);
      SocketHTTPClient_free (&client);
#if SOCKET_HAS_TLS
      /* TLS to the origin through the tunnel (certificate name checked) */
      test_ctx = SocketTLSContext_new_client (ca_path);
      client = client_with (tweak_proxy_and_ca);
      ASSERT_EQ (SocketHTTPClient_get (client, url_on (port_tls, "https", "/fixed?n=123"), &r), 0);
      ASSERT (body_is_pattern (&r, 123));
      SocketHTTPClient_Response_free (&r);
      snprintf (want, sizeof want, "127.0.0.1:%d", port_tls);
      ASSERT_STREQ (relay.last_target, want);
      SocketHTTPClient_free (&client);
      SocketTLSContext_free (&test_ctx);
#endif
      fake_relay_stop (&relay);
    }
}

/* ===================================================================== */
/* README forms                                                          */
/* ===================================================================== */

TEST (readme_forms)
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Response_T resp;
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_CookieJar_T jar;

  NEED_PEER ();
  client = SocketHTTPClient_new (NULL);
  resp = SocketHTTPClient_get (client, URL ("/fixed?n=26"));
  ASSERT (resp != NULL);
  ASSERT_EQ (SocketHTTPClient_Response_status (resp), 200);
  ASSERT_UEQ (SocketHTTPClient_Response_body_len (resp), 26);
  ASSERT (memcmp (SocketHTTPClient_Response_body (resp), "abcdefghijklmnopqrstuvwxyz", 26) == 0);
  SocketHTTPClient_Response_free (&resp);
  ASSERT (resp == NULL);

  req = SocketHTTPClient_Request_new (client, "POST", URL ("/echo"));
  ASSERT (req != NULL);
  SocketHTTPClient_Request_body (req, "hi", 2);
  resp = SocketHTTPClient_Request_execute (req);
  ASSERT (resp != NULL);
  ASSERT_STREQ (SocketHTTP_Headers_get (resp->headers, "X-Method"), "POST");
  SocketHTTPClient_Response_free (&resp);
  SocketHTTPClient_Request_free (&req);

  SocketHTTPClient_setauth (client, HTTPCLIENT_AUTH_BASIC, "Aladdin", "open sesame");
  resp = SocketHTTPClient_get (client, URL ("/basic"));
  ASSERT_EQ (SocketHTTPClient_Response_status (resp), 200);
  SocketHTTPClient_Response_free (&resp);

  jar = SocketHTTPClient_CookieJar_new (NULL);
  ASSERT (jar != NULL);
  SocketHTTPClient_CookieJar_free (&jar);
  SocketHTTPClient_free (&client);
}

int
main (int argc, char **argv)
{
  int rc = test_run_all_ (argc, argv);
  if (rc == 0 && !peer_start ())
    return 77; /* only the offline tests ran */
  return rc;
}
