/*
 * test_http_server.c - SocketHTTPServer against real peers on loopback:
 * raw sockets (framing, pipelining, limits, timeouts, errors), the
 * library's WebSocket client, and when installed curl (HTTP/1.1
 * keep-alive, chunked upload, 100-continue, h2 over TLS, h2c upgrade and
 * prior knowledge) and h2load (many concurrent streams). Missing peers
 * skip their test. The server runs in a thread of its own (it is
 * single-threaded: every call on it happens there).
 */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTPServer.h"
#include "socket/SocketWS.h"
#if SOCKET_HAS_TLS
#include "TLSTestCerts.h"
#include "tls/SocketTLSContext.h"
#endif

/* ===================================================================== */
/* Server thread and handlers                                            */
/* ===================================================================== */

typedef struct
{
  SocketHTTPServer_T server;
  pthread_t thread;
  atomic_int stop;
  int port;
} Srv;

static atomic_int early_released; /* /early: set by the client once it has the response */
static atomic_int early_saw_release;
static SocketWS_T volatile upgraded_ws; /* /ws: served by the server thread */
static const Except_T Test_HandlerBoom = { &Test_HandlerBoom, "handler failure" };
static SocketHTTPServer_T current_server; /* for /reenter */

static void
handler (SocketHTTPServer_Request_T req, void *ud)
{
  const char *path = SocketHTTPServer_Request_path (req);
  char num[32];
  (void)ud;

  if (strcmp (path, "/echo") == 0 || strncmp (path, "/echo?", 6) == 0)
    {
      snprintf (num, sizeof num, "%zu", SocketHTTPServer_Request_body_len (req));
      SocketHTTPServer_Request_header (req, "X-Body-Len", num);
      SocketHTTPServer_Request_header (req, "X-Method",
                                       SocketHTTP_method_name (SocketHTTPServer_Request_method (req)));
      SocketHTTPServer_Request_header (req, "X-Query",
                                       SocketHTTPServer_Request_query (req) ? SocketHTTPServer_Request_query (req)
                                                                            : "");
      SocketHTTPServer_Request_body_data (req, SocketHTTPServer_Request_body (req),
                                          SocketHTTPServer_Request_body_len (req));
      SocketHTTPServer_Request_finish (req);
    }
  else if (strcmp (path, "/early") == 0)
    {
      int64_t until = Socket_get_monotonic_ms () + 60000;
      SocketHTTPServer_Request_body_string (req, "early");
      SocketHTTPServer_Request_finish (req);
      SocketHTTPServer_Request_body_string (req, "ignored after finish");
      while (!atomic_load (&early_released) && Socket_get_monotonic_ms () < until)
        usleep (1000);
      atomic_store (&early_saw_release, atomic_load (&early_released));
    }
  else if (strcmp (path, "/nofinish") == 0)
    {
      SocketHTTPServer_Request_status (req, 201);
      SocketHTTPServer_Request_header (req, "Content-Type", "text/plain");
      SocketHTTPServer_Request_body_string (req, "created");
    }
  else if (strcmp (path, "/boom") == 0)
    RAISE (Test_HandlerBoom);
  else if (strcmp (path, "/reenter") == 0)
    {
      volatile int refused = 0;
      TRY SocketHTTPServer_process (current_server, 0);
      EXCEPT (SocketHTTPServer_Failed) refused = 1;
      END_TRY;
      SocketHTTPServer_Request_body_string (req, refused ? "refused" : "reentered");
    }
  else if (strcmp (path, "/ws") == 0)
    {
      if (SocketHTTPServer_Request_is_websocket (req))
        upgraded_ws = SocketHTTPServer_Request_upgrade_websocket (req);
      if (upgraded_ws == NULL)
        {
          SocketHTTPServer_Request_status (req, 400);
          SocketHTTPServer_Request_body_string (req, "not a websocket request");
        }
    }
  else if (strncmp (path, "/big/", 5) == 0)
    {
      size_t n = strtoul (path + 5, NULL, 10), i;
      char *b = malloc (n ? n : 1);
      for (i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
      SocketHTTPServer_Request_body_data (req, b, n);
      free (b);
    }
  else
    {
      SocketHTTPServer_Request_header (req, "Content-Type", "text/plain");
      SocketHTTPServer_Request_body_string (req, "hello world");
    }
}

/* README-form handler (three arguments), registered through the same macro. */
static void
readme_handler (SocketHTTPServer_Request_T req, SocketHTTPServer_Response_T resp, void *data)
{
  (void)data;
  if (strcmp (SocketHTTPServer_Request_uri (req), "/") == 0)
    {
      SocketHTTPServer_Response_status (resp, 200);
      SocketHTTPServer_Response_header (resp, "Content-Type", "text/html");
      SocketHTTPServer_Response_body (resp, "<h1>Hello World</h1>", 20);
    }
  else
    {
      SocketHTTPServer_Response_status (resp, 404);
      SocketHTTPServer_Response_body (resp, "Not Found", 9);
    }
  SocketHTTPServer_Response_send (resp);
}

/* An upgraded WebSocket echoes messages until it closes. */
static void
serve_ws (void)
{
  SocketWS_T ws = upgraded_ws;
  SocketWS_Message msg;
  if (ws == NULL)
    return;
  struct pollfd p = { SocketWS_pollfd (ws), POLLIN, 0 };
  unsigned ev = 0;
  if (SocketWS_poll_events (ws) & POLL_WRITE)
    p.events |= POLLOUT;
  if (poll (&p, 1, 0) > 0)
    ev = ((p.revents & (POLLIN | POLLHUP | POLLERR)) ? POLL_READ : 0) | ((p.revents & POLLOUT) ? POLL_WRITE : 0);
  if ((ev != 0 && SocketWS_process (ws, ev) < 0) || SocketWS_state (ws) == WS_STATE_CLOSED)
    {
      Socket_T s = SocketWS_socket (ws);
      SocketWS_free (&ws);
      Socket_free (&s);
      upgraded_ws = NULL;
      return;
    }
  while (SocketWS_recv_available (ws) > 0 && SocketWS_recv_message (ws, &msg) == 1)
    {
      if (msg.type == WS_OPCODE_TEXT)
        SocketWS_send_text (ws, (const char *)msg.data, msg.len);
      else
        SocketWS_send_binary (ws, msg.data, msg.len);
      SocketWS_Message_free (&msg);
    }
}

static void *
srv_loop (void *arg)
{
  Srv *s = arg;
  while (!atomic_load (&s->stop))
    {
      TRY SocketHTTPServer_process (s->server, upgraded_ws != NULL ? 0 : 20);
      ELSE fprintf (stderr, "process raised %s\n", Except_frame.exception->reason);
      END_TRY;
      serve_ws ();
    }
  return NULL;
}

static Srv *
srv_start (SocketHTTPServer_Config *cfg)
{
  Srv *s = calloc (1, sizeof *s);
  cfg->bind_address = "127.0.0.1";
  cfg->port = 0;
  s->server = SocketHTTPServer_new (cfg);
  current_server = s->server;
  SocketHTTPServer_set_handler (s->server, handler, NULL);
  SocketHTTPServer_start (s->server);
  s->port = SocketHTTPServer_port (s->server);
  pthread_create (&s->thread, NULL, srv_loop, s);
  return s;
}

/* Stop the loop thread; the server stays for stats until srv_free. */
static void
srv_join (Srv *s)
{
  atomic_store (&s->stop, 1);
  pthread_join (s->thread, NULL);
}

static void
srv_free (Srv *s)
{
  if (!atomic_load (&s->stop))
    srv_join (s);
  if (upgraded_ws != NULL)
    {
      SocketWS_T ws = upgraded_ws;
      Socket_T sock = SocketWS_socket (ws);
      SocketWS_free (&ws);
      Socket_free (&sock);
      upgraded_ws = NULL;
    }
  SocketHTTPServer_free (&s->server);
  free (s);
}

/* ===================================================================== */
/* Raw client                                                            */
/* ===================================================================== */

static int
dial (int port)
{
  struct sockaddr_in a;
  /* a failure bound only (every read expects data or EOF): generous for
   * sanitizer builds on a loaded machine */
  struct timeval tv = { 60, 0 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  memset (&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons ((uint16_t)port);
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *)&a, sizeof a) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
send_str (int fd, const char *s)
{
  size_t len = strlen (s), off = 0;
  while (off < len)
    {
      ssize_t n = send (fd, s + off, len - off, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      off += (size_t)n;
    }
}

typedef struct
{
  int status;
  char head[8192];
  char body[1 << 16];
  size_t body_len;
} Resp;

/* Read one response (head, then Content-Length bytes). 0 ok, -1 EOF/error. */
static int
read_resp (int fd, Resp *r, int head_only)
{
  size_t hl = 0;
  const char *cl;
  size_t want = 0;
  memset (r, 0, sizeof *r);
  while (hl < sizeof r->head - 1)
    {
      ssize_t n = recv (fd, r->head + hl, 1, 0);
      if (n <= 0)
        return -1;
      hl++;
      if (hl >= 4 && memcmp (r->head + hl - 4, "\r\n\r\n", 4) == 0)
        break;
    }
  if (sscanf (r->head, "HTTP/1.%*d %d", &r->status) != 1)
    return -1;
  if (head_only)
    return 0;
  cl = strcasestr (r->head, "\r\nContent-Length:");
  if (cl != NULL)
    want = strtoul (cl + 17, NULL, 10);
  while (r->body_len < want && r->body_len < sizeof r->body)
    {
      ssize_t n = recv (fd, r->body + r->body_len, want - r->body_len, 0);
      if (n <= 0)
        return -1;
      r->body_len += (size_t)n;
    }
  return 0;
}

/* 1 when the server closed the connection (EOF) within the receive timeout. */
static int
reads_eof (int fd)
{
  char b[256];
  ssize_t n;
  while ((n = recv (fd, b, sizeof b, 0)) > 0)
    ;
  return n == 0;
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
    n += e->d_name[0] != '.';
  closedir (d);
  return n;
}

static void
test_config (SocketHTTPServer_Config *c)
{
  SocketHTTPServer_config_defaults (c);
}

/* ===================================================================== */
/* API shape                                                             */
/* ===================================================================== */

TEST (config_defaults_and_readme_forms)
{
  SocketHTTPServer_Config a, b = HTTPSERVER_CONFIG_DEFAULTS;
  SocketHTTPServer_T s;
  volatile int raised = 0;

  memset (&a, 0x5a, sizeof a);
  SocketHTTPServer_config_defaults (&a);
  ASSERT_EQ (a.port, 8080);
  ASSERT (a.bind_address == NULL);
  ASSERT_EQ (a.backlog, 128);
  ASSERT (a.tls_context == NULL);
  ASSERT_EQ (a.max_version, HTTP_VERSION_2);
  ASSERT_EQ (a.enable_h2c_upgrade, 0);
  ASSERT_UEQ (a.max_header_size, 65536);
  ASSERT_UEQ (a.max_body_size, 10485760);
  ASSERT_EQ (a.request_timeout_ms, 30000);
  ASSERT_EQ (a.keepalive_timeout_ms, 60000);
  ASSERT_UEQ (a.max_connections, 1000);
  ASSERT_UEQ (a.max_requests_per_connection, 1000);
  ASSERT_EQ (b.port, a.port);
  ASSERT_EQ (b.max_version, a.max_version);
  ASSERT_UEQ (b.max_header_size, a.max_header_size);
  ASSERT_UEQ (b.max_requests_per_connection, a.max_requests_per_connection);

  s = SocketHTTPServer_new (NULL, &b); /* README form */
  ASSERT (s != NULL);
  ASSERT_EQ (SocketHTTPServer_fd (s), -1);
  ASSERT (SocketHTTPServer_poll (s) != NULL); /* header form: the poll */
  ASSERT_EQ (SocketHTTPServer_poll (s, 0), 0); /* README form: one loop step */
  SocketHTTPServer_set_handler (s, readme_handler, NULL);
  SocketHTTPServer_set_handler (s, handler, NULL);
  SocketHTTPServer_set_handler (s, NULL, NULL);
  SocketHTTPServer_free (&s);
  ASSERT (s == NULL);
  SocketHTTPServer_free (&s);
  SocketHTTPServer_free (NULL);

  TRY SocketHTTPServer_new ((void *)&a, &b);
  EXCEPT (SocketHTTPServer_Failed) raised = 1;
  END_TRY;
  ASSERT (raised);
}

TEST (bind_failure_raises_bind_failed)
{
  SocketHTTPServer_Config c;
  SocketHTTPServer_T a, b;
  volatile int raised = 0;

  test_config (&c);
  c.bind_address = "127.0.0.1";
  c.port = 0;
  a = SocketHTTPServer_new (&c);
  ASSERT_EQ (SocketHTTPServer_start (a), 0);
  ASSERT_EQ (SocketHTTPServer_start (a), 0); /* already running */
  c.port = SocketHTTPServer_port (a);
  b = SocketHTTPServer_new (&c);
  TRY SocketHTTPServer_start (b);
  EXCEPT (SocketHTTPServer_BindFailed) raised = 1;
  END_TRY;
  SocketHTTPServer_free (&b);
  SocketHTTPServer_free (&a);
  ASSERT (raised);
}

/* ===================================================================== */
/* HTTP/1.1 over raw sockets                                             */
/* ===================================================================== */

static void
run_basic (Srv *s)
{
  Resp r;
  int fd = dial (s->port);
  ASSERT (fd >= 0);
  send_str (fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (strstr (r.head, "HTTP/1.1 200 OK\r\n") == r.head);
  ASSERT (strcasestr (r.head, "\r\nDate: ") != NULL);
  ASSERT (strcasestr (r.head, "\r\nContent-Length: 11\r\n") != NULL);
  ASSERT_EQ (r.body_len, 11);
  ASSERT_MEMEQ (r.body, "hello world", 11);

  /* same connection: keep-alive */
  send_str (fd, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 1), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (strcasestr (r.head, "\r\nContent-Length: 11\r\n") != NULL);

  /* pipelining: three requests in one write, answered in order */
  send_str (fd, "POST /echo?n=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                "GET /echo?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                "POST /echo?n=3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nthree\r\n0\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "X-Query: n=1") != NULL);
  ASSERT_EQ (r.body_len, 3);
  ASSERT_MEMEQ (r.body, "one", 3);
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "X-Query: n=2") != NULL);
  ASSERT (strstr (r.head, "X-Method: GET") != NULL);
  ASSERT_EQ (r.body_len, 0);
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "X-Query: n=3") != NULL);
  ASSERT_EQ (r.body_len, 5);
  ASSERT_MEMEQ (r.body, "three", 5);

  /* a handler that never calls finish is finished on return */
  send_str (fd, "GET /nofinish HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 201);
  ASSERT_MEMEQ (r.body, "created", 7);

  /* no handler route: default 200; the README handler answers too */
  close (fd);
}

TEST (http11_keepalive_pipelining_bodies)
{
  SocketHTTPServer_Config c;
  SocketHTTPServer_Stats st;
  Srv *s;
  int base = count_fds ();

  test_config (&c);
  s = srv_start (&c);
  run_basic (s);
  srv_join (s);
  SocketHTTPServer_stats (s->server, &st);
  srv_free (s);
  ASSERT_UEQ (st.total_requests, 6);
  ASSERT (st.total_bytes_received > 200);
  ASSERT (st.total_bytes_sent > 500);
  ASSERT_EQ (count_fds (), base);
}

static void
run_readme (Srv *s)
{
  Resp r;
  int fd = dial (s->port);
  ASSERT (fd >= 0);
  send_str (fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT_MEMEQ (r.body, "<h1>Hello World</h1>", 20);
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 404);
  close (fd);
}

TEST (readme_handler_form)
{
  SocketHTTPServer_Config c = HTTPSERVER_CONFIG_DEFAULTS;
  Srv *s = srv_start (&c);
  srv_join (s); /* handler changes happen with the loop stopped */
  SocketHTTPServer_set_handler (s->server, readme_handler, NULL);
  atomic_store (&s->stop, 0);
  pthread_create (&s->thread, NULL, srv_loop, s);
  run_readme (s);
  srv_free (s);
}

static void
run_continue (Srv *s)
{
  Resp r;
  int fd = dial (s->port);
  ASSERT (fd >= 0);
  send_str (fd, "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 1), 0);
  ASSERT_EQ (r.status, 100);
  send_str (fd, "data");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT_MEMEQ (r.body, "data", 4);
  close (fd);

  /* too large for max_body_size: 413 straight away, no 100 */
  fd = dial (s->port);
  send_str (fd, "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 413);
  ASSERT (strstr (r.head, "Connection: close") != NULL);
  ASSERT (reads_eof (fd));
  close (fd);
}

TEST (expect_continue_and_413)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  c.max_body_size = 1000;
  s = srv_start (&c);
  run_continue (s);
  srv_free (s);
}

static void
run_errors (Srv *s)
{
  Resp r;
  char big[3000];
  int fd;

  /* chunked body over the limit */
  fd = dial (s->port);
  send_str (fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  memset (big, 'x', sizeof big);
  send_str (fd, "800\r\n");
  send (fd, big, 0x800, MSG_NOSIGNAL);
  send_str (fd, "\r\n0\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 413);
  close (fd);

  /* header section over max_header_size */
  fd = dial (s->port);
  memset (big, 'a', sizeof big);
  big[sizeof big - 1] = '\0';
  send_str (fd, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
  send_str (fd, big);
  send_str (fd, "\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 431);
  ASSERT (reads_eof (fd));
  close (fd);

  /* malformed */
  fd = dial (s->port);
  send_str (fd, "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 400);
  ASSERT (reads_eof (fd));
  close (fd);

  fd = dial (s->port);
  send_str (fd, "\x01\x02garbage\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 400);
  close (fd);

  /* smuggling attempt: both framings */
  fd = dial (s->port);
  send_str (fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 400);
  close (fd);

  /* process() from inside a handler is refused */
  fd = dial (s->port);
  send_str (fd, "GET /reenter HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT_MEMEQ (r.body, "refused", 7);
  close (fd);

  /* an exception in the handler: 500, connection closed */
  fd = dial (s->port);
  send_str (fd, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 500);
  ASSERT (reads_eof (fd));
  close (fd);
}

TEST (errors_431_413_400_500)
{
  SocketHTTPServer_Config c;
  Srv *s;
  int base = count_fds ();
  test_config (&c);
  c.max_header_size = 1024;
  c.max_body_size = 1000;
  s = srv_start (&c);
  run_errors (s);
  srv_free (s);
  ASSERT_EQ (count_fds (), base);
}

static void
run_http10 (Srv *s)
{
  Resp r;
  int fd = dial (s->port);
  send_str (fd, "GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (strstr (r.head, "Connection: close") != NULL);
  ASSERT (reads_eof (fd));
  close (fd);

  fd = dial (s->port);
  send_str (fd, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "Connection: keep-alive") != NULL);
  send_str (fd, "GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (reads_eof (fd));
  close (fd);
}

TEST (http10_connection_rules)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  s = srv_start (&c);
  run_http10 (s);
  srv_free (s);
}

static void
run_limits (Srv *s)
{
  Resp r;
  int fd = dial (s->port), fd2;
  int64_t until;

  /* max_requests_per_connection = 2: the second answer closes */
  send_str (fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "Connection: close") == NULL);
  send_str (fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT (strstr (r.head, "Connection: close") != NULL);
  ASSERT (reads_eof (fd));
  close (fd);
  fd = -1;

  /* max_connections = 1: a second client is closed at once. The slot of
   * the connection above frees once the server has seen its close, which
   * may take a loop turn: retry the first client until it is served. */
  for (until = Socket_get_monotonic_ms () + 60000; Socket_get_monotonic_ms () < until;)
    {
      fd = dial (s->port);
      send_str (fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
      if (read_resp (fd, &r, 0) == 0)
        break;
      close (fd);
      fd = -1;
      usleep (50000);
    }
  ASSERT (fd >= 0);
  fd2 = dial (s->port);
  ASSERT (fd2 >= 0);
  send_str (fd2, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT (read_resp (fd2, &r, 0) < 0);
  close (fd2);
  close (fd);
}

TEST (max_requests_and_max_connections)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  c.max_requests_per_connection = 2;
  c.max_connections = 1;
  s = srv_start (&c);
  run_limits (s);
  srv_free (s);
}

/* Both timeouts of the test server, in ms. */
#define SHORT_TIMEOUT_MS 300

/* Dial, send @p req and read one response. A connection closed without an
 * answer is dialled again, but only when the server was entitled to close
 * it: the keep-alive clock runs from accept until the first byte arrives,
 * so a client stalled that long between connect and send (a loaded
 * machine) loses the connection. @p t0 is set before each dial. */
static int
dial_and_ask (Srv *s, const char *req, Resp *r, int64_t *t0)
{
  int64_t until = Socket_get_monotonic_ms () + 60000;
  while (Socket_get_monotonic_ms () < until)
    {
      int fd;
      *t0 = Socket_get_monotonic_ms ();
      fd = dial (s->port);
      if (fd < 0)
        return -1;
      send_str (fd, req);
      if (read_resp (fd, r, 0) == 0)
        return fd;
      close (fd);
      if (Socket_get_monotonic_ms () - *t0 < SHORT_TIMEOUT_MS - 1)
        return -1; /* closed before any timeout could fire */
    }
  return -1;
}

static void
run_timeouts (Srv *s)
{
  Resp r;
  int64_t t0;
  int fd;

  /* a head that never completes: 408, never before the request timeout */
  fd = dial_and_ask (s, "GET /hello HTTP/1.1\r\nHost:", &r, &t0);
  ASSERT (fd >= 0);
  ASSERT_EQ (r.status, 408);
  ASSERT (Socket_get_monotonic_ms () - t0 >= SHORT_TIMEOUT_MS - 1);
  ASSERT (reads_eof (fd));
  close (fd);

  /* idle between requests: answered, then closed without a response once
   * the keep-alive timeout (counted from the request) has passed */
  fd = dial_and_ask (s, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", &r, &t0);
  ASSERT (fd >= 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (reads_eof (fd));
  ASSERT (Socket_get_monotonic_ms () - t0 >= SHORT_TIMEOUT_MS - 1);
  close (fd);
}

TEST (request_and_keepalive_timeouts)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  c.request_timeout_ms = SHORT_TIMEOUT_MS;
  c.keepalive_timeout_ms = SHORT_TIMEOUT_MS;
  s = srv_start (&c);
  run_timeouts (s);
  srv_free (s);
}

static void
run_early (Srv *s)
{
  Resp r;
  int fd = dial (s->port);
  atomic_store (&early_released, 0);
  atomic_store (&early_saw_release, 0);
  send_str (fd, "GET /early HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0); /* arrives while the handler still waits */
  atomic_store (&early_released, 1);
  ASSERT_EQ (r.body_len, 5);
  ASSERT_MEMEQ (r.body, "early", 5);
  send_str (fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 200);
  ASSERT (atomic_load (&early_saw_release));
  close (fd);
}

TEST (finish_sends_before_handler_returns)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  s = srv_start (&c);
  run_early (s);
  srv_free (s);
}

static void
run_large (Srv *s)
{
  Resp *r = malloc (sizeof *r);
  int fd = dial (s->port);
  size_t i;
  send_str (fd, "GET /big/60000 HTTP/1.1\r\nHost: x\r\n\r\nGET /big/50000 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, r, 0), 0);
  ASSERT_EQ (r->body_len, 60000);
  for (i = 0; i < 60000; i++)
    if (r->body[i] != (char)('a' + i % 26))
      break;
  ASSERT_EQ (i, 60000);
  ASSERT_EQ (read_resp (fd, r, 0), 0);
  ASSERT_EQ (r->body_len, 50000);
  close (fd);
  free (r);
}

TEST (large_pipelined_responses)
{
  SocketHTTPServer_Config c;
  Srv *s;
  test_config (&c);
  s = srv_start (&c);
  run_large (s);
  srv_free (s);
}

/* ===================================================================== */
/* WebSocket upgrade                                                     */
/* ===================================================================== */

static void
run_ws (Srv *s)
{
  Socket_T sock = Socket_new (AF_INET, SOCK_STREAM, 0);
  SocketWS_T ws = NULL;
  SocketWS_Message msg;
  int64_t until;
  int rc = -1;

  Socket_connect (sock, "127.0.0.1", s->port);
  ws = SocketWS_client_new (sock, "127.0.0.1", "/ws", NULL);
  until = Socket_get_monotonic_ms () + 60000;
  while ((rc = SocketWS_handshake (ws)) == 1 && Socket_get_monotonic_ms () < until)
    usleep (1000);
  ASSERT_EQ (rc, 0);
  ASSERT_EQ (SocketWS_send_text (ws, "ping over upgrade", 17), 0);
  ASSERT_EQ (SocketWS_recv_message (ws, &msg), 1);
  ASSERT_EQ (msg.len, 17);
  ASSERT_MEMEQ (msg.data, "ping over upgrade", 17);
  SocketWS_Message_free (&msg);
  SocketWS_close (ws, 1000, "bye");
  SocketWS_free (&ws);
  Socket_free (&sock);
}

TEST (websocket_upgrade_echo)
{
  SocketHTTPServer_Config c;
  Srv *s;
  Resp r;
  int fd, base = count_fds ();

  test_config (&c);
  s = srv_start (&c);
  run_ws (s);
  /* not an upgrade: the handler answers 400 itself */
  fd = dial (s->port);
  send_str (fd, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ (read_resp (fd, &r, 0), 0);
  ASSERT_EQ (r.status, 400);
  close (fd);
  srv_free (s);
  ASSERT_EQ (count_fds (), base);
}

/* ===================================================================== */
/* curl, Node ws and h2load                                               */
/* ===================================================================== */

/* An optional peer on PATH (never with SOCKET_WITH_PEERS=OFF). */
static int
have (const char *tool)
{
  char cmd[256];
#ifndef HS_TEST_PEERS
  (void)cmd;
  (void)tool;
  return 0;
#endif
  snprintf (cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system (cmd) == 0;
}

/* Run @p cmd, capture stdout (and stderr with 2>&1 in cmd). */
static int
run_capture (const char *cmd, char *out, size_t cap)
{
  FILE *p = popen (cmd, "r");
  size_t n = 0, k;
  if (p == NULL)
    return -1;
  while ((k = fread (out + n, 1, cap - 1 - n, p)) > 0)
    {
      n += k;
      if (n == cap - 1)
        n = cap / 2; /* keep the start, let the tool finish writing */
    }
  out[n] = '\0';
  k = (size_t)pclose (p);
  if (k != 0)
    fprintf (stderr, "  `%s` exited %d:\n%s\n", cmd, (int)k, out);
  return (int)k;
}

static void
run_curl_h1 (Srv *s)
{
  char cmd[1024], out[16384], file[] = "/tmp/hs-upload-XXXXXX";
  int fd, i;

  /* several URLs on one connection */
  snprintf (cmd, sizeof cmd,
            "curl -sS -v --http1.1 http://127.0.0.1:%d/a http://127.0.0.1:%d/b http://127.0.0.1:%d/c 2>/dev/null; "
            "curl -sS -v --http1.1 -o /dev/null -o /dev/null -o /dev/null "
            "http://127.0.0.1:%d/a http://127.0.0.1:%d/b http://127.0.0.1:%d/c 2>&1",
            s->port, s->port, s->port, s->port, s->port, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "hello worldhello worldhello world") != NULL);
  ASSERT (strstr (out, "Re-using existing connection") != NULL || strstr (out, "Reusing existing") != NULL);

  /* chunked upload of 200 KB, and 100-continue */
  fd = mkstemp (file);
  ASSERT (fd >= 0);
  for (i = 0; i < 2000; i++)
    ASSERT_EQ (write (fd, "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 100), 100);
  close (fd);
  snprintf (cmd, sizeof cmd,
            "curl -sS -D - -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary @%s http://127.0.0.1:%d/echo 2>&1",
            file, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "X-Body-Len: 200000") != NULL);
  snprintf (cmd, sizeof cmd,
            "curl -sS -v -o /dev/null --expect100-timeout 120 -H 'Expect: 100-continue' --data-binary @%s http://127.0.0.1:%d/echo 2>&1",
            file, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  unlink (file);
  ASSERT (strstr (out, "HTTP/1.1 100 Continue") != NULL);
  ASSERT (strstr (out, "X-Body-Len: 200000") != NULL);
}

TEST (curl_http11)
{
  SocketHTTPServer_Config c;
  Srv *s;
  if (!have ("curl"))
    TEST_SKIP ("curl not installed");
  test_config (&c);
  s = srv_start (&c);
  run_curl_h1 (s);
  srv_free (s);
}

static void
run_curl_h2c (Srv *s)
{
  char cmd[1024], out[16384];

  /* One URL per run: curl 7.88 fails a second prior-knowledge request on
   * a reused connection with any server (nghttpd too). */
  snprintf (cmd, sizeof cmd, "curl -sS -v --http2-prior-knowledge http://127.0.0.1:%d/hello 2>&1", s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "< HTTP/2 200") != NULL);
  ASSERT (strstr (out, "hello world") != NULL);
  snprintf (cmd, sizeof cmd, "curl -sS -v --http2-prior-knowledge 'http://127.0.0.1:%d/echo?x=1' -d posted 2>&1",
            s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "< x-body-len: 6") != NULL);
  ASSERT (strstr (out, "posted") != NULL);

  /* Upgrade: h2c */
  snprintf (cmd, sizeof cmd,
            "curl -sS -v --http2 -o /dev/null -o /dev/null -w '[%%{http_version} %%{http_code} %%{size_download}]' "
            "http://127.0.0.1:%d/hello http://127.0.0.1:%d/big/70000 2>&1",
            s->port, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "HTTP/1.1 101 Switching Protocols") != NULL);
  ASSERT (strstr (out, "[2 200 11]") != NULL);
  ASSERT (strstr (out, "[2 200 70000]") != NULL);
  /* a large answer to the upgraded request itself (stream 1) */
  snprintf (cmd, sizeof cmd,
            "curl -sS --http2 -o /dev/null -w '[%%{http_version} %%{http_code} %%{size_download}]' "
            "http://127.0.0.1:%d/big/200000 2>&1",
            s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "[2 200 200000]") != NULL);
}

TEST (curl_h2c_prior_knowledge_and_upgrade)
{
  SocketHTTPServer_Config c;
  Srv *s;
  if (!have ("curl"))
    TEST_SKIP ("curl not installed");
  test_config (&c);
  c.enable_h2c_upgrade = 1;
  s = srv_start (&c);
  run_curl_h2c (s);
  srv_free (s);
}

static int
count_lines (const char *out, const char *prefix)
{
  int n = 0;
  const char *p = out;
  while ((p = strstr (p, prefix)) != NULL)
    {
      if (p == out || p[-1] == '\n')
        n++;
      p++;
    }
  return n;
}

static void
run_curl_h2_limits (Srv *s)
{
  char cmd[1024], out[16384];
  /* 5000-byte body over max_body_size 1000: 413 on the stream */
  snprintf (cmd, sizeof cmd,
            "head -c 5000 /dev/zero | curl -sS --http2-prior-knowledge -o /dev/null "
            "-w '[%%{http_version} %%{http_code}]' --data-binary @- http://127.0.0.1:%d/echo 2>&1",
            s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "[2 413]") != NULL);
  /* within the limit */
  snprintf (cmd, sizeof cmd,
            "head -c 900 /dev/zero | curl -sS --http2-prior-knowledge -o /dev/null -D - "
            "--data-binary @- http://127.0.0.1:%d/echo 2>&1",
            s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "x-body-len: 900") != NULL);
}

TEST (curl_h2c_body_limit)
{
  SocketHTTPServer_Config c;
  Srv *s;
  if (!have ("curl"))
    TEST_SKIP ("curl not installed");
  test_config (&c);
  c.max_body_size = 1000;
  s = srv_start (&c);
  run_curl_h2_limits (s);
  srv_free (s);
}

static void
run_node_ws (Srv *s)
{
  char cmd[1024], out[16384];
  snprintf (cmd, sizeof cmd, "cd '%s/../ws/node' && node client.js ws://127.0.0.1:%d/ws 2>&1", SOCKET_TEST_SUPPORT_DIR, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "PASS text_4MiB_utf8") != NULL);
  ASSERT (strstr (out, "PASS pipelined_100") != NULL);
  ASSERT (strstr (out, "FAIL") == NULL);
  fprintf (stderr, "  node ws: %d cases passed\n", count_lines (out, "PASS "));
}

/* The Node ws interop client (tests/ws/node, `npm ci` by build.sh
 * peer_deps) runs its whole case list over one upgraded connection. */
TEST (node_ws_client_over_upgrade)
{
  SocketHTTPServer_Config c;
  Srv *s;
  char mod[512];
  snprintf (mod, sizeof mod, "%s/../ws/node/node_modules/ws/package.json", SOCKET_TEST_SUPPORT_DIR);
  if (!have ("node") || access (mod, R_OK) != 0)
    TEST_SKIP ("node or tests/ws/node/node_modules/ws missing");
  test_config (&c);
  s = srv_start (&c);
  run_node_ws (s);
  srv_free (s);
}

static void
run_h2load (Srv *s)
{
  char cmd[512], out[16384];
  snprintf (cmd, sizeof cmd, "h2load -n 2000 -c 4 -m 16 http://127.0.0.1:%d/hello 2>&1", s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "2000 succeeded") != NULL);
  snprintf (cmd, sizeof cmd, "h2load -n 400 -c 2 -m 8 -d /etc/hostname http://127.0.0.1:%d/echo 2>&1", s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "400 succeeded") != NULL);
}

TEST (h2load_many_streams)
{
  SocketHTTPServer_Config c;
  SocketHTTPServer_Stats st;
  Srv *s;
  if (!have ("h2load"))
    TEST_SKIP ("h2load (nghttp2-client) not installed");
  test_config (&c);
  s = srv_start (&c);
  run_h2load (s);
  srv_join (s);
  SocketHTTPServer_stats (s->server, &st);
  srv_free (s);
  ASSERT_UEQ (st.total_requests, 2400);
}

#if SOCKET_HAS_TLS
static void
run_curl_tls (Srv *s)
{
  char cmd[1024], out[16384];
  snprintf (cmd, sizeof cmd,
            "curl -sS -v -k --http2 https://127.0.0.1:%d/hello https://127.0.0.1:%d/echo -d tls-body 2>&1",
            s->port, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "ALPN: server accepted h2") != NULL || strstr (out, "ALPN, server accepted to use h2") != NULL);
  ASSERT (strstr (out, "< HTTP/2 200") != NULL);
  ASSERT (strstr (out, "hello world") != NULL);
  ASSERT (strstr (out, "tls-body") != NULL);
  snprintf (cmd, sizeof cmd,
            "curl -sS -v -k --http1.1 -o /dev/null -o /dev/null -w '[%%{http_version} %%{http_code} %%{size_download}]' "
            "https://127.0.0.1:%d/hello https://127.0.0.1:%d/hello 2>&1",
            s->port, s->port);
  ASSERT_EQ (run_capture (cmd, out, sizeof out), 0);
  ASSERT (strstr (out, "ALPN: server accepted http/1.1") != NULL || strstr (out, "use http/1.1") != NULL);
  ASSERT (strstr (out, "Re-using existing connection") != NULL);
  ASSERT (strstr (out, "[1.1 200 11][1.1 200 11]") != NULL);
}

TEST (curl_tls_h2_and_http11)
{
  SocketHTTPServer_Config c;
  SocketTLSContext_T tls;
  Srv *s;
  if (!have ("curl"))
    TEST_SKIP ("curl not installed");
  ASSERT_EQ (tls_test_certs_init (), 0);
  tls = SocketTLSContext_new_server (tls_cert ("server-chain.pem"), tls_cert ("server.key"), NULL);
  test_config (&c);
  c.tls_context = tls;
  s = srv_start (&c);
  run_curl_tls (s);
  srv_free (s);
  SocketTLSContext_free (&tls);
}
#endif

TEST_MAIN ()
