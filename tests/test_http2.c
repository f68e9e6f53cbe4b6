/*
 * test_http2.c - the HTTP/2 engine, client role against server role, both
 * ours, over a non-blocking socketpair: handshake, request/response,
 * HEAD vs GET through Stream_recv_headers, large bodies that need many
 * WINDOW_UPDATEs both ways, trailers, concurrent and many sequential
 * streams (closed streams are removed), MAX_CONCURRENT_STREAMS, RST,
 * GOAWAY drain, SETTINGS changes, PING, push, and h2c upgrade.
 */
#include "Test.h"
#include "test_http2_support.h"

#include "http/SocketHTTP.h"

#include <unistd.h>

static SocketHTTP2_Stream_T
get_request (Pair *p, const char *method, const char *path, int end_stream)
{
  SocketHPACK_Header h[4] = { { ":method", 7, method, strlen (method), 0 },
                              { ":scheme", 7, "http", 4, 0 },
                              { ":authority", 10, "localhost", 9, 0 },
                              { ":path", 5, path, strlen (path), 0 } };
  SocketHTTP2_Stream_T s = SocketHTTP2_Stream_new (p->client);
  if (s != NULL && SocketHTTP2_Stream_send_headers (s, h, 4, end_stream) < 0)
    return NULL;
  return s;
}

TEST (handshake_with_and_without_explicit_call)
{
  Pair p;

  pair_open (&p, NULL, NULL);
  ASSERT_EQ (SocketHTTP2_Conn_handshake (p.client), 1);
  pair_pump (&p, 4); /* the server completes it inside Conn_process */
  ASSERT_EQ (SocketHTTP2_Conn_handshake (p.client), 0);
  ASSERT_EQ (SocketHTTP2_Conn_handshake (p.server), 0);
  ASSERT_EQ (p.slog.events[HTTP2_EVENT_SETTINGS_ACK], 1);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_SETTINGS_ACK], 1);
  /* The server saw our settings; the client saw the server's. */
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (p.server, HTTP2_SETTINGS_ENABLE_PUSH), 0);
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (p.client, HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 100);
  /* connection_window_size 1 MiB was announced by both. */
  ASSERT_EQ (SocketHTTP2_Conn_send_window (p.client), 1048576);
  ASSERT_EQ (SocketHTTP2_Conn_recv_window (p.server), 1048576);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (p.client), 0);
  pair_close (&p);
}

TEST (request_response_with_body)
{
  Pair p;
  SocketHTTP2_Stream_T s;

  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  p.sside.respond_size = 5000;
  s = get_request (&p, "GET", "/index.html", 1);
  ASSERT (s != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_id (s), 1);
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL);
  pair_pump (&p, 6);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 1);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_HEADERS_RECEIVED], 1);
  ASSERT (strstr (p.sside.headers, ":method: GET\n") != NULL);
  ASSERT (strstr (p.sside.headers, ":path: /index.html\n") != NULL);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_HEADERS_RECEIVED], 1);
  ASSERT (strstr (p.cside.headers, ":status: 200\n") != NULL);
  ASSERT_EQ (p.cside.body_len, 5000);
  ASSERT_EQ (p.cside.body[4999], (unsigned char)(4999 & 0xff));
  ASSERT_EQ (p.cside.end_seen, 1);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT_EQ (p.cside.state_at_end, HTTP2_STREAM_STATE_CLOSED);
  ASSERT_EQ (SocketHTTP2_Conn_last_stream_id (p.server), 1);
  pair_close (&p);
}

/* A server must be able to tell HEAD from GET (the original could not). */
static char seen_method[16];
static size_t seen_count;

static void
method_cb (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  SocketHPACK_Header h[16];
  size_t n = 0, i;
  int end = 0;

  (void)conn;
  (void)ud;
  if (event != HTTP2_EVENT_HEADERS_RECEIVED)
    return;
  /* Count only (no array), then the fields. */
  if (SocketHTTP2_Stream_recv_headers (s, NULL, 0, &seen_count, &end) != 1)
    return;
  if (SocketHTTP2_Stream_recv_headers (s, h, 16, &n, &end) != 1)
    return;
  for (i = 0; i < n && i < 16; i++)
    if (h[i].name_len == 7 && memcmp (h[i].name, ":method", 7) == 0)
      snprintf (seen_method, sizeof seen_method, "%s", h[i].value);
}

TEST (recv_headers_tells_head_from_get)
{
  Pair p;

  pair_open (&p, NULL, NULL);
  SocketHTTP2_Conn_set_stream_callback (p.server, method_cb, NULL);
  ASSERT (get_request (&p, "HEAD", "/", 1) != NULL);
  pair_pump (&p, 3);
  ASSERT_STREQ (seen_method, "HEAD");
  ASSERT_EQ (seen_count, 4);
  ASSERT (get_request (&p, "GET", "/", 1) != NULL);
  pair_pump (&p, 3);
  ASSERT_STREQ (seen_method, "GET");
  pair_close (&p);
}

/* A body far above every initial window: only works when the receiver
 * credits its windows back as the application reads. */
TEST (large_upload_and_download_need_window_updates)
{
  Pair p;
  SocketHTTP2_Stream_T s;
  size_t total = 3 * 1024 * 1024 + 17, sent = 0, i;
  unsigned char *body = malloc (total);
  int rounds = 0;

  for (i = 0; i < total; i++)
    body[i] = (unsigned char)(i * 7);
  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  p.sside.respond_size = 2 * 1024 * 1024;
  s = get_request (&p, "POST", "/upload", 0);
  ASSERT (s != NULL);
  while ((sent < total || p.cside.events[HTTP2_EVENT_STREAM_END] == 0) && rounds++ < 20000)
    {
      if (sent < total)
        {
          ssize_t n = SocketHTTP2_Stream_send_data (s, body + sent, total - sent, 1);
          ASSERT (n >= 0);
          sent += (size_t)n;
        }
      pair_round (&p);
    }
  ASSERT_EQ (sent, total);
  ASSERT_EQ (p.sside.body_len, total);
  ASSERT (memcmp (p.sside.body, body, total) == 0);
  ASSERT_EQ (p.cside.body_len, 2 * 1024 * 1024);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT_EQ (p.crc, 0);
  ASSERT_EQ (p.src, 0);
  free (body);
  pair_close (&p);
}

TEST (trailers_delivered_and_end_the_request)
{
  Pair p;
  SocketHTTP2_Stream_T s;
  SocketHPACK_Header t[1] = { { "x-checksum", 10, "abc", 3, 0 } };

  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  s = get_request (&p, "POST", "/t", 0);
  ASSERT (s != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "data", 4, 0), 4);
  ASSERT_EQ (SocketHTTP2_Stream_send_trailers (s, t, 1), 0);
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL);
  ASSERT_EQ (SocketHTTP2_Stream_send_trailers (s, t, 1), -1); /* refused by state */
  pair_pump (&p, 6);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_TRAILERS_RECEIVED], 1);
  ASSERT_STREQ (p.sside.trailers, "x-checksum: abc\n");
  ASSERT_EQ (p.sside.body_len, 4);
  ASSERT_EQ (p.sside.responses_done, 1);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 1);
  pair_close (&p);
}

TEST (concurrent_streams_interleave)
{
  Pair p;
  SocketHTTP2_Stream_T s[50];
  int i;

  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  p.sside.respond_size = 20000;
  pair_pump (&p, 2);
  for (i = 0; i < 50; i++)
    {
      s[i] = get_request (&p, "GET", "/c", 1);
      ASSERT (s[i] != NULL);
    }
  pair_pump (&p, 40);
  ASSERT_EQ (p.sside.responses_done, 50);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 50);
  ASSERT_EQ (p.cside.body_len, 50 * 20000);
  pair_close (&p);
}

/* The original refused every stream after the 100th: closed streams were
 * never removed. */
TEST (many_sequential_streams_closed_streams_removed)
{
  Pair p;
  int i;

  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  for (i = 0; i < 500; i++)
    {
      ASSERT (get_request (&p, "GET", "/seq", 1) != NULL);
      pair_pump (&p, 2);
    }
  pair_pump (&p, 2);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 500);
  ASSERT_EQ (p.sside.responses_done, 500);
  ASSERT (p.client->streams == NULL);
  ASSERT (p.server->streams == NULL);
  pair_close (&p);
}

static const SocketHPACK_Header GET_ROOT[4] = { { ":method", 7, "GET", 3, 0 },
                                                { ":scheme", 7, "http", 4, 0 },
                                                { ":authority", 10, "localhost", 9, 0 },
                                                { ":path", 5, "/", 1, 0 } };

TEST (max_concurrent_streams_limits_open_streams)
{
  Pair p;
  SocketHTTP2_Config s;
  SocketHTTP2_Stream_T third;

  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  s.max_concurrent_streams = 2;
  pair_open (&p, NULL, &s);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (p.client, HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 2);
  ASSERT (get_request (&p, "GET", "/", 0) != NULL);
  ASSERT (get_request (&p, "GET", "/", 0) != NULL);
  ASSERT_EQ (SocketHTTP2Ext_Conn_streams_available (p.client), 0);
  third = SocketHTTP2_Stream_new (p.client); /* idle: not counted */
  ASSERT (third != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (third, GET_ROOT, 4, 1), -1);
  ASSERT_EQ (SocketHTTP2_Stream_state (third), HTTP2_STREAM_STATE_IDLE);
  pair_pump (&p, 2);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 2); /* never REFUSED_STREAM */
  pair_close (&p);
}

/* RFC 9113 §5.1: a stream is idle until HEADERS; more handles than the
 * peer's limit can wait, and each opens once a stream ended. */
TEST (idle_streams_beyond_the_limit_open_one_by_one)
{
  Pair p;
  SocketHTTP2_Config s;
  SocketHTTP2_Stream_T st[6];
  int i, opened = 0, rounds = 0;

  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  s.max_concurrent_streams = 2;
  pair_open (&p, NULL, &s);
  p.sside.respond = 1;
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2Ext_Conn_streams_available (p.client), 2);
  for (i = 0; i < 6; i++)
    {
      st[i] = SocketHTTP2_Stream_new (p.client);
      ASSERT (st[i] != NULL);
      ASSERT_EQ (SocketHTTP2_Stream_id (st[i]), (uint32_t)(1 + 2 * i));
    }
  while (opened < 6 && rounds++ < 100)
    {
      /* In creation order; a refusal leaves the stream idle for later. */
      while (opened < 6 && SocketHTTP2_Stream_send_headers (st[opened], GET_ROOT, 4, 1) == 0)
        opened++;
      ASSERT (opened == 6 || SocketHTTP2_Stream_state (st[opened]) == HTTP2_STREAM_STATE_IDLE);
      ASSERT (p.client->local_active <= 2);
      pair_pump (&p, 1);
    }
  pair_pump (&p, 3);
  ASSERT_EQ (opened, 6);
  ASSERT_EQ (p.sside.responses_done, 6);
  ASSERT_EQ (p.cside.streams_ended, 6);
  ASSERT_EQ (p.cside.streams_reset, 0);
  ASSERT_EQ (p.sside.streams_reset, 0);
  pair_close (&p);
}

/* §5.1.1: opening stream 3 closes idle stream 1 at the peer; HEADERS on 1
 * would be a connection error there, so it is refused here. */
TEST (idle_stream_below_an_opened_one_cannot_open)
{
  Pair p;
  SocketHTTP2_Stream_T a, b;

  pair_open (&p, NULL, NULL);
  pair_pump (&p, 3);
  a = SocketHTTP2_Stream_new (p.client);
  b = SocketHTTP2_Stream_new (p.client);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (b, GET_ROOT, 4, 1), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (a, GET_ROOT, 4, 1), -1);
  ASSERT_EQ (p.cside.streams_reset, 1);
  ASSERT_EQ (p.cside.reset_origin, SOCKETHTTP2EXT_RESET_LOCAL);
  ASSERT_EQ (p.cside.reset_code, HTTP2_REFUSED_STREAM);
  pair_pump (&p, 3);
  ASSERT_EQ (p.slog.events[HTTP2_EVENT_CONNECTION_ERROR], 0);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 1);
  pair_close (&p);
}

TEST (rst_stream_closes_both_sides)
{
  Pair p;
  SocketHTTP2_Stream_T s;

  pair_open (&p, NULL, NULL);
  s = get_request (&p, "POST", "/r", 0);
  pair_pump (&p, 3);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 1);
  SocketHTTP2_Stream_close (s, HTTP2_CANCEL);
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_CLOSED);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_RESET], 1);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "x", 1, 0), -1);
  pair_pump (&p, 3);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_RESET], 1);
  ASSERT_EQ (p.src, 0);
  pair_close (&p);
}

TEST (goaway_drains_in_flight_streams)
{
  Pair p;
  SocketHTTP2_Stream_T s;
  SocketHPACK_Header st[1] = { { ":status", 7, "200", 3, 0 } };

  pair_open (&p, NULL, NULL);
  s = get_request (&p, "GET", "/slow", 1);
  ASSERT (s != NULL);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Conn_goaway (p.server, HTTP2_NO_ERROR, "bye", 3), 0);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (p.server), 1);
  pair_pump (&p, 3);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_GOAWAY_RECEIVED], 1);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (p.client), 1);
  ASSERT (SocketHTTP2_Stream_new (p.client) == NULL);
  /* Stream 1 (at the last-stream-id) still completes. */
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (p.server->streams, st, 1, 1), 0);
  pair_pump (&p, 3);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT (strstr (p.cside.headers, ":status: 200") != NULL);
  pair_close (&p);
}

TEST (goaway_resets_streams_above_last_id)
{
  Pair p;

  pair_open (&p, NULL, NULL);
  pair_pump (&p, 2);
  SocketHTTP2_Conn_goaway (p.server, HTTP2_NO_ERROR, NULL, 0);
  SocketHTTP2_Conn_flush (p.server);
  ASSERT (get_request (&p, "GET", "/late", 1) != NULL); /* crosses the GOAWAY */
  pair_pump (&p, 3);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_RESET], 1);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 0); /* ignored by the server */
  pair_close (&p);
}

TEST (settings_change_applies_to_open_streams)
{
  Pair p;
  SocketHTTP2_Stream_T s;
  SocketHTTP2_Setting set[1] = { { HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1000 } };
  SocketHTTP2_Setting bad[1] = { { HTTP2_SETTINGS_ENABLE_PUSH, 2 } };

  pair_open (&p, NULL, NULL);
  s = get_request (&p, "POST", "/s", 0);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Stream_send_window (s), 65535);
  ASSERT_EQ (SocketHTTP2_Conn_settings (p.server, set, 1), 0);
  ASSERT_EQ (SocketHTTP2_Conn_settings (p.server, bad, 1), -1);
  {
    SocketHTTP2_Setting more[1] = { { HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 1 << 20 } };
    SocketHTTP2_Setting less[1] = { { HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 8192 } };
    ASSERT_EQ (SocketHTTP2_Conn_settings (p.server, more, 1), -1); /* above the decoder's size */
    ASSERT_EQ (SocketHTTP2_Conn_settings (p.server, less, 1), 0);
  }
  ASSERT_EQ (SocketHTTP2_Conn_get_local_setting (p.server, HTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 1000);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (p.client, HTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 1000);
  ASSERT_EQ (SocketHTTP2_Stream_send_window (s), 1000);
  ASSERT_EQ (p.slog.events[HTTP2_EVENT_SETTINGS_ACK], 3);
  /* Only 1000 bytes may go now; the rest waits for the reader. */
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "0123456789", 10, 0), 10);
  ASSERT_EQ (SocketHTTP2_Stream_send_window (s), 990);
  pair_close (&p);
}

TEST (send_data_blocked_by_window_returns_zero)
{
  Pair p;
  SocketHTTP2_Stream_T s;
  static unsigned char big[70000];

  pair_open (&p, NULL, NULL);
  p.sside.read_in_callback = 0; /* the server application does not read */
  s = get_request (&p, "POST", "/w", 0);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, big, sizeof big, 0), 65535);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, big, 10, 0), 0); /* window, not state */
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, big, 10, 0), 0); /* nothing was read */
  ASSERT_EQ (p.src, 0);
  pair_close (&p);
}

TEST (ping_gets_ack)
{
  Pair p;
  const unsigned char op[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  pair_open (&p, NULL, NULL);
  ASSERT_EQ (SocketHTTP2_Conn_ping (p.client, op), 0);
  pair_pump (&p, 3);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_PING_ACK], 1);
  ASSERT_EQ (SocketHTTP2_Conn_ping (p.client, NULL), 0);
  pair_pump (&p, 3);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_PING_ACK], 2);
  pair_close (&p);
}

TEST (server_push)
{
  Pair p;
  SocketHTTP2_Config c;
  SocketHTTP2_Stream_T pushed;
  SocketHPACK_Header req[4] = { { ":method", 7, "GET", 3, 0 },
                                { ":scheme", 7, "http", 4, 0 },
                                { ":authority", 10, "localhost", 9, 0 },
                                { ":path", 5, "/style.css", 10, 0 } };
  SocketHPACK_Header st[1] = { { ":status", 7, "200", 3, 0 } };

  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  c.enable_push = 1;
  pair_open (&p, &c, NULL);
  ASSERT (get_request (&p, "GET", "/", 1) != NULL);
  pair_pump (&p, 3);
  pushed = SocketHTTP2_Stream_push_promise (p.server->streams, req, 4);
  ASSERT (pushed != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_id (pushed), 2);
  ASSERT_EQ (SocketHTTP2_Stream_state (pushed), HTTP2_STREAM_STATE_RESERVED_LOCAL);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (pushed, st, 1, 0), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (pushed, "body{}", 6, 1), 6);
  pair_pump (&p, 3);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_PUSH_PROMISE], 1);
  ASSERT_EQ (p.cside.body_len, 6);
  pair_close (&p);
}

TEST (push_refused_when_client_disabled_it)
{
  Pair p;
  SocketHPACK_Header req[4] = { { ":method", 7, "GET", 3, 0 },
                                { ":scheme", 7, "http", 4, 0 },
                                { ":authority", 10, "localhost", 9, 0 },
                                { ":path", 5, "/a", 2, 0 } };

  pair_open (&p, NULL, NULL); /* client default: enable_push 0 */
  ASSERT (get_request (&p, "GET", "/", 1) != NULL);
  pair_pump (&p, 3);
  ASSERT (SocketHTTP2_Stream_push_promise (p.server->streams, req, 4) == NULL);
  pair_close (&p);
}

TEST (request_and_response_helpers)
{
  Pair p;
  Arena_T a = Arena_new ();
  SocketHTTP_Request req;
  SocketHTTP_Response resp;
  SocketHTTP2_Stream_T s;

  pair_open (&p, NULL, NULL);
  memset (&req, 0, sizeof req);
  req.method = HTTP_METHOD_GET;
  req.path = "/helper";
  req.headers = SocketHTTP_Headers_new (a);
  SocketHTTP_Headers_add (req.headers, "Host", "example.com");
  SocketHTTP_Headers_add (req.headers, "Connection", "keep-alive");
  SocketHTTP_Headers_add (req.headers, "X-Custom", "v");
  s = SocketHTTP2_Stream_new (p.client);
  ASSERT_EQ (SocketHTTP2_Stream_send_request (s, &req, 1), 0);
  pair_pump (&p, 3);
  ASSERT (strstr (p.sside.headers, ":authority: example.com\n") != NULL);
  ASSERT (strstr (p.sside.headers, "x-custom: v\n") != NULL);
  ASSERT (strstr (p.sside.headers, "connection") == NULL);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_RESET], 0);
  memset (&resp, 0, sizeof resp);
  resp.status_code = 404;
  resp.headers = SocketHTTP_Headers_new (a);
  SocketHTTP_Headers_add (resp.headers, "Content-Type", "text/plain");
  ASSERT_EQ (SocketHTTP2_Stream_send_response (p.server->streams, &resp, 1), 0);
  pair_pump (&p, 3);
  ASSERT (strstr (p.cside.headers, ":status: 404\ncontent-type: text/plain\n") != NULL);
  Arena_dispose (&a);
  pair_close (&p);
}

TEST (header_block_split_into_continuations)
{
  Pair p;
  static char big[40000];
  SocketHPACK_Header h[5];
  SocketHTTP2_Config s;

  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  s.max_header_list_size = 65536;
  memset (big, 'a', sizeof big);
  h[0] = (SocketHPACK_Header){ ":method", 7, "GET", 3, 0 };
  h[1] = (SocketHPACK_Header){ ":scheme", 7, "http", 4, 0 };
  h[2] = (SocketHPACK_Header){ ":path", 5, "/", 1, 0 };
  h[3] = (SocketHPACK_Header){ "x-big", 5, big, 7000, 0 };
  h[4] = (SocketHPACK_Header){ "x-big2", 6, big, 7000, 0 };
  pair_open (&p, NULL, &s);
  pair_pump (&p, 2);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (SocketHTTP2_Stream_new (p.client), h, 5, 1), 0);
  pair_pump (&p, 3);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_HEADERS_RECEIVED], 1);
  ASSERT_EQ (p.src, 0);
  pair_close (&p);
}

TEST (upgrade_h2c_server_and_client)
{
  Arena_T arena = Arena_new (), ha = Arena_new ();
  Socket_T a, b;
  SocketHTTP2_Conn_T c, s;
  SocketHTTP_Request req;
  SocketHPACK_Header h[8], st[1] = { { ":status", 7, "200", 3, 0 } };
  size_t n = 0;
  int end = 0;
  const unsigned char settings[] = { 0, 4, 0, 0, 0x40, 0 }; /* INITIAL_WINDOW_SIZE 16384 */
  const unsigned char bad[] = { 0, 2, 0, 0, 0, 7 };         /* ENABLE_PUSH 7 */
  Side cs;
  int i;

  SocketPair_new (SOCK_STREAM, &a, &b);
  Socket_setnonblocking (a);
  Socket_setnonblocking (b);
  memset (&req, 0, sizeof req);
  req.method = HTTP_METHOD_GET;
  req.path = "/up";
  req.authority = "localhost";
  req.headers = SocketHTTP_Headers_new (ha);
  SocketHTTP_Headers_add (req.headers, "Upgrade", "h2c");
  SocketHTTP_Headers_add (req.headers, "Accept", "*/*");
  ASSERT (SocketHTTP2_Conn_upgrade_server (b, &req, bad, sizeof bad, arena) == NULL);
  s = SocketHTTP2_Conn_upgrade_server (b, &req, settings, sizeof settings, arena);
  c = SocketHTTP2_Conn_upgrade_client (a, settings, sizeof settings, arena);
  ASSERT (s != NULL && c != NULL);
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (s, HTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 16384);
  ASSERT_EQ (SocketHTTP2_Conn_last_stream_id (s), 1);
  ASSERT_EQ (SocketHTTP2_Stream_recv_headers (s->streams, h, 8, &n, &end), 1);
  ASSERT_EQ (end, 1);
  ASSERT (n >= 5);
  ASSERT_STREQ (h[0].name, ":method");
  ASSERT_STREQ (h[4].name, "accept"); /* Upgrade dropped, name lowercased */
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (s->streams, st, 1, 1), 0);
  side_init (&cs);
  SocketHTTP2_Conn_set_stream_callback (c, stream_cb, &cs);
  for (i = 0; i < 4; i++)
    {
      SocketHTTP2_Conn_flush (c);
      SocketHTTP2_Conn_flush (s);
      ASSERT_EQ (SocketHTTP2_Conn_process (s, 0), 0);
      ASSERT_EQ (SocketHTTP2_Conn_process (c, 0), 0);
    }
  ASSERT_EQ (cs.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT (strstr (cs.headers, ":status: 200") != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_id (SocketHTTP2_Stream_new (c)), 3);
  SocketHTTP2_Conn_free (&c);
  SocketHTTP2_Conn_free (&s);
  ASSERT (c == NULL);
  side_free (&cs);
  Socket_free (&a);
  Socket_free (&b);
  Arena_dispose (&ha);
  Arena_dispose (&arena);
}

TEST (peer_close_is_reported)
{
  Pair p;

  pair_open (&p, NULL, NULL);
  pair_pump (&p, 2);
  Socket_free (&p.a);
  SocketHTTP2_Conn_free (&p.client);
  ASSERT_EQ (SocketHTTP2_Conn_process (p.server, 0), -1);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (p.server), 1);
  pair_close (&p);
}

TEST (window_update_calls_and_getters)
{
  Pair p;
  SocketHTTP2_Stream_T s;

  pair_open (&p, NULL, NULL);
  s = get_request (&p, "POST", "/w", 0);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Conn_recv_window (p.client), 1048576);
  ASSERT_EQ (SocketHTTP2_Conn_window_update (p.client, 1000), 0);
  ASSERT_EQ (SocketHTTP2_Conn_recv_window (p.client), 1049576);
  ASSERT_EQ (SocketHTTP2_Conn_window_update (p.client, 0), -1);
  ASSERT_EQ (SocketHTTP2_Conn_window_update (p.client, 0x7fffffff), -1); /* would overflow */
  ASSERT_EQ (SocketHTTP2_Stream_recv_window (s), 65535);
  ASSERT_EQ (SocketHTTP2_Stream_window_update (s, 5), 0);
  ASSERT_EQ (SocketHTTP2_Stream_recv_window (s), 65540);
  ASSERT_EQ (SocketHTTP2_Stream_window_update (s, 0x80000000u), -1);
  pair_pump (&p, 3);
  ASSERT_EQ (SocketHTTP2_Conn_send_window (p.server), 1049576);
  ASSERT_EQ (SocketHTTP2_Stream_send_window (p.server->streams), 65540);
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_WINDOW_UPDATE], 1);
  ASSERT_EQ (SocketHTTP2_Conn_get_local_setting (p.client, HTTP2_SETTINGS_MAX_FRAME_SIZE), 16384);
  ASSERT_EQ (SocketHTTP2_Conn_get_local_setting (p.client, (SocketHTTP2_SettingsId)9), 0);
  ASSERT_EQ (SocketHTTP2_Conn_get_setting (p.client, (SocketHTTP2_SettingsId)0), 0);
  ASSERT (SocketHTTP2_Conn_socket (p.client) == p.a);
  ASSERT (SocketHTTP2_Conn_arena (p.client) == p.arena);
  pair_close (&p);
}

TEST (stream_state_rules_for_sends)
{
  Pair p;
  SocketHTTP2_Stream_T s, idle;
  SocketHPACK_Header h[1] = { { ":status", 7, "200", 3, 0 } };
  SocketHPACK_Header t[1] = { { ":path", 5, "/", 1, 0 } };
  SocketHPACK_Header out[4];
  size_t n = 9;
  int end = 9;

  pair_open (&p, NULL, NULL);
  idle = SocketHTTP2_Stream_new (p.client);
  ASSERT_EQ (SocketHTTP2_Stream_state (idle), HTTP2_STREAM_STATE_IDLE);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (idle, "x", 1, 0), -1);       /* idle: no DATA */
  ASSERT_EQ (SocketHTTP2_Stream_send_trailers (idle, h, 0), -1);        /* nor trailers */
  ASSERT (SocketHTTP2_Stream_push_promise (idle, t, 1) == NULL);        /* client: no push */
  ASSERT_EQ (SocketHTTP2_Stream_recv_headers (idle, out, 4, &n, &end), 0);
  ASSERT_EQ (n, 0);
  ASSERT_EQ (end, 0);
  ASSERT_EQ (SocketHTTP2_Stream_recv_trailers (idle, out, 4, &n), 0);
  SocketHTTP2_Stream_set_userdata (idle, &n);
  ASSERT (SocketHTTP2_Stream_get_userdata (idle) == &n);
  SocketHTTP2_Stream_set_userdata (idle, NULL); /* the harness frees userdata on close */
  SocketHTTP2_Stream_close (idle, HTTP2_CANCEL); /* idle: closed locally, no frame */
  ASSERT_EQ (SocketHTTP2_Stream_state (idle), HTTP2_STREAM_STATE_CLOSED);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_RESET], 1);
  SocketHTTP2_Stream_close (idle, HTTP2_CANCEL); /* no-op */
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_RESET], 1);

  s = get_request (&p, "GET", "/", 1);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (s, h, 1, 0), -1); /* half-closed (local) */
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "x", 1, 0), -1);
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL);
  pair_pump (&p, 3);
  ASSERT_EQ (p.src, 0); /* RST for the idle stream was never sent: no error */
  ASSERT_EQ (p.sside.events[HTTP2_EVENT_STREAM_START], 1);
  ASSERT_EQ (SocketHTTP2_Stream_send_trailers (p.server->streams, t, 1), -1); /* pseudo in trailers */
  pair_close (&p);
}

TEST (empty_settings_and_empty_data_end_stream)
{
  Pair p;
  SocketHTTP2_Stream_T s;

  pair_open (&p, NULL, NULL);
  p.sside.respond = 1;
  ASSERT_EQ (SocketHTTP2_Conn_settings (p.client, NULL, 0), 0);
  s = get_request (&p, "POST", "/e", 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "abc", 3, 0), 3);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, NULL, 0, 1), 0); /* empty DATA with END_STREAM */
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL);
  pair_pump (&p, 4);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_SETTINGS_ACK], 2);
  ASSERT_EQ (p.sside.body_len, 3);
  ASSERT_EQ (p.sside.responses_done, 1); /* the empty END_STREAM frame ended the request */
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], 1);
  pair_close (&p);
}

TEST (idle_and_ping_timeouts)
{
  Pair p;
  SocketHTTP2_Config c;

  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  c.idle_timeout_ms = 60000;
  pair_open (&p, &c, NULL);
  pair_pump (&p, 2);
  ASSERT_EQ (p.crc, 0);
  /* 5 ms only once the handshake is over: a pump descheduled for 5 ms on
   * a loaded machine would otherwise go idle mid-handshake. (The engine
   * reads its config at each check.) */
  p.client->config.idle_timeout_ms = 5;
  usleep (30000);
  ASSERT_EQ (SocketHTTP2_Conn_process (p.client, 0), -1);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (p.client), 1);
  ASSERT_EQ (p.clog.events[HTTP2_EVENT_CONNECTION_ERROR], 1);
  pair_close (&p);

  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  c.ping_timeout_ms = 5;
  pair_open (&p, &c, NULL);
  pair_pump (&p, 2);
  ASSERT_EQ (SocketHTTP2_Conn_ping (p.client, NULL), 0); /* never flushed: no ACK */
  usleep (30000);
  ASSERT_EQ (SocketHTTP2_Conn_process (p.client, 0), -1);
  pair_close (&p);
}

/* A blocking socket and a silent peer: Conn_process(events 0) checks the
 * deadlines without waiting for input, and next_timeout_ms says when. */
TEST (blocking_socket_timeout_without_input)
{
  Arena_T arena = Arena_new ();
  Socket_T a, b;
  SocketHTTP2_Config c;
  SocketHTTP2_Conn_T conn;
  int rounds = 0, rc = 0, wait;
  uint32_t code = 0;

  SocketPair_new (SOCK_STREAM, &a, &b);
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  c.settings_timeout_ms = 20;
  conn = SocketHTTP2_Conn_new (a, &c, arena);
  alarm (60); /* a read that waits for the silent peer never returns */
  while (rounds++ < 100 && (rc = SocketHTTP2_Conn_process (conn, 0)) == 0)
    {
      ASSERT_EQ (SocketHTTP2_Conn_flush (conn), 0);
      wait = SocketHTTP2Ext_Conn_next_timeout_ms (conn);
      ASSERT (wait >= 0 && wait <= 21);
      usleep ((useconds_t)(wait + 1) * 1000);
    }
  alarm (0);
  ASSERT_EQ (rc, -1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (conn, NULL, &code), 1);
  ASSERT_EQ (code, HTTP2_SETTINGS_TIMEOUT);
  SocketHTTP2_Conn_free (&conn);
  Socket_free (&a);
  Socket_free (&b);
  Arena_dispose (&arena);
}

/* A callback that calls Conn_process again gets 0 and changes nothing. */
static SocketHTTP2_Conn_T reenter_conn;
static int reenter_rc = -2;

static void
reenter_cb (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  (void)s;
  (void)ud;
  if (event == HTTP2_EVENT_HEADERS_RECEIVED && conn == reenter_conn)
    reenter_rc = SocketHTTP2_Conn_process (conn, 0);
}

TEST (process_from_a_callback_is_harmless)
{
  Pair p;

  pair_open (&p, NULL, NULL);
  reenter_conn = p.server;
  SocketHTTP2_Conn_set_stream_callback (p.server, reenter_cb, NULL);
  ASSERT (get_request (&p, "GET", "/", 1) != NULL);
  ASSERT (get_request (&p, "GET", "/", 1) != NULL);
  pair_pump (&p, 3);
  ASSERT_EQ (reenter_rc, 0);
  ASSERT_EQ (p.src, 0);
  ASSERT_EQ (SocketHTTP2_Conn_last_stream_id (p.server), 3);
  pair_close (&p);
}

TEST (thousand_concurrent_streams)
{
  Pair p;
  SocketHTTP2_Config sc;
  SocketHTTP2_Stream_T extra;
  int i;

  SocketHTTP2_config_defaults (&sc, HTTP2_ROLE_SERVER);
  sc.max_concurrent_streams = SOCKETHTTP2_MAX_STREAMS;
  pair_open (&p, NULL, &sc);
  p.sside.respond = 1;
  p.sside.respond_size = 1000;
  pair_pump (&p, 3);
  for (i = 0; i < SOCKETHTTP2_MAX_STREAMS; i++)
    ASSERT (get_request (&p, "GET", "/many", 1) != NULL);
  extra = SocketHTTP2_Stream_new (p.client); /* idle handles are not limited */
  ASSERT (extra != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (extra, GET_ROOT, 4, 1), -1); /* the server's limit */
  pair_pump (&p, 200);
  ASSERT_EQ (p.sside.responses_done, SOCKETHTTP2_MAX_STREAMS);
  ASSERT_EQ (p.cside.events[HTTP2_EVENT_STREAM_END], SOCKETHTTP2_MAX_STREAMS);
  ASSERT_EQ (p.cside.body_len, (size_t)SOCKETHTTP2_MAX_STREAMS * 1000);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (extra, GET_ROOT, 4, 1), 0); /* room again */
  pair_close (&p);
}

TEST_MAIN ()
