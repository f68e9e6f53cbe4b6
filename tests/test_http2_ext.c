/*
 * test_http2_ext.c - SocketHTTP2Ext.h: HTTP/2 connections with memory
 * I/O. Two engines exchange bytes through SocketHTTP2Ext_Conn_output() /
 * SocketHTTP2Ext_Conn_input(): request/response with the input split at
 * every byte, large bodies, backpressure (input not consumed while our
 * output is not drained), connection errors, and what process/flush/socket
 * mean without a socket.
 */
#include "Test.h"
#include "http/SocketHTTP2Ext.h"
#include "test_http2_support.h"

typedef struct
{
  Arena_T arena;
  SocketHTTP2_Conn_T client, server;
  Side cside, sside;
} MemPair;

static void
mem_open (MemPair *m)
{
  SocketHTTP2_Config s;

  memset (m, 0, sizeof *m);
  m->arena = Arena_new ();
  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  m->client = SocketHTTP2Ext_Conn_new_io (NULL, m->arena);
  m->server = SocketHTTP2Ext_Conn_new_io (&s, m->arena);
  side_init (&m->cside);
  side_init (&m->sside);
  SocketHTTP2_Conn_set_stream_callback (m->client, stream_cb, &m->cside);
  SocketHTTP2_Conn_set_stream_callback (m->server, stream_cb, &m->sside);
}

static void
mem_close (MemPair *m)
{
  SocketHTTP2_Conn_free (&m->client);
  SocketHTTP2_Conn_free (&m->server);
  side_free (&m->cside);
  side_free (&m->sside);
  Arena_dispose (&m->arena);
}

/* Move everything @p from has queued into @p to, @p piece bytes at a
 * time (0 = all at once). Returns the last input result. */
static int
mem_move (SocketHTTP2_Conn_T from, SocketHTTP2_Conn_T to, size_t piece)
{
  size_t len, used;
  const unsigned char *out;
  int rc = 0;

  while ((out = SocketHTTP2Ext_Conn_output (from, &len)) != NULL && rc == 0)
    {
      size_t n = piece == 0 || piece > len ? len : piece;
      rc = SocketHTTP2Ext_Conn_input (to, out, n, &used);
      SocketHTTP2Ext_Conn_output_consumed (from, used);
      if (used < n)
        break; /* backpressure */
    }
  return rc;
}

static void
mem_pump (MemPair *m, size_t piece, int rounds)
{
  while (rounds-- > 0)
    {
      mem_move (m->client, m->server, piece);
      mem_move (m->server, m->client, piece);
    }
}

static SocketHTTP2_Stream_T
mem_request (MemPair *m, const char *method, int end)
{
  SocketHPACK_Header h[4] = { { ":method", 7, method, strlen (method), 0 },
                              { ":scheme", 7, "https", 5, 0 },
                              { ":authority", 10, "mem", 3, 0 },
                              { ":path", 5, "/m", 2, 0 } };
  SocketHTTP2_Stream_T s = SocketHTTP2_Stream_new (m->client);
  if (s != NULL && SocketHTTP2_Stream_send_headers (s, h, 4, end) < 0)
    return NULL;
  return s;
}

TEST (request_response_any_split)
{
  size_t pieces[] = { 1, 2, 7, 9, 100, 0 };
  size_t i;

  for (i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
    {
      MemPair m;
      mem_open (&m);
      m.sside.respond = 1;
      m.sside.respond_size = 30000;
      ASSERT (mem_request (&m, "GET", 1) != NULL);
      mem_pump (&m, pieces[i], 6);
      ASSERT_EQ (m.sside.events[HTTP2_EVENT_STREAM_START], 1);
      ASSERT (strstr (m.sside.headers, ":authority: mem\n") != NULL);
      ASSERT_EQ (m.cside.body_len, 30000);
      ASSERT_EQ (m.cside.events[HTTP2_EVENT_STREAM_END], 1);
      ASSERT_EQ (SocketHTTP2_Conn_handshake (m.client), 0);
      ASSERT_EQ (SocketHTTP2_Conn_handshake (m.server), 0);
      mem_close (&m);
    }
}

TEST (large_upload_over_memory)
{
  MemPair m;
  SocketHTTP2_Stream_T s;
  static unsigned char body[2 << 20];
  size_t sent = 0;
  int rounds = 0;

  memset (body, 'u', sizeof body);
  mem_open (&m);
  m.sside.respond = 1;
  s = mem_request (&m, "POST", 0);
  while (m.cside.events[HTTP2_EVENT_STREAM_END] == 0 && rounds++ < 10000)
    {
      if (sent < sizeof body)
        sent += (size_t)SocketHTTP2_Stream_send_data (s, body + sent, sizeof body - sent, 1);
      mem_pump (&m, 0, 1);
    }
  ASSERT_EQ (m.sside.body_len, sizeof body);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_STREAM_END], 1);
  mem_close (&m);
}

TEST (process_flush_socket_without_a_socket)
{
  MemPair m;
  size_t len;

  mem_open (&m);
  ASSERT (SocketHTTP2_Conn_socket (m.client) == NULL);
  ASSERT_EQ (SocketHTTP2_Conn_process (m.client, 0), 0);
  ASSERT_EQ (SocketHTTP2_Conn_flush (m.client), 1); /* preface + SETTINGS pending */
  ASSERT (SocketHTTP2Ext_Conn_output (m.client, &len) != NULL);
  ASSERT (len > HTTP2_PREFACE_SIZE);
  ASSERT_MEMEQ (SocketHTTP2Ext_Conn_output (m.client, &len), "PRI * HTTP/2.0", 14);
  SocketHTTP2Ext_Conn_output_consumed (m.client, len + 100); /* clamped */
  ASSERT (SocketHTTP2Ext_Conn_output (m.client, &len) == NULL);
  ASSERT_EQ (len, 0);
  ASSERT_EQ (SocketHTTP2_Conn_flush (m.client), 0);
  mem_close (&m);
}

TEST (connection_error_over_memory)
{
  MemPair m;
  size_t used, len, i;
  const unsigned char *out;
  int found = 0;

  mem_open (&m);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.server, "GET / HTTP/1.1\r\n\r\n", 18, &used), -1);
  out = SocketHTTP2Ext_Conn_output (m.server, &len);
  for (i = 0; out != NULL && i + 9 <= len;)
    {
      SocketHTTP2_FrameHeader h;
      SocketHTTP2_frame_header_parse (out + i, &h);
      if (h.type == HTTP2_FRAME_GOAWAY)
        found = SocketHTTP2__u32 (out + i + 13) == HTTP2_PROTOCOL_ERROR;
      i += 9 + h.length;
    }
  ASSERT (found);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.server, "x", 1, &used), -1);
  ASSERT_EQ (used, 0);
  ASSERT_EQ (SocketHTTP2_Conn_process (m.server, 0), -1);
  mem_close (&m);
}

TEST (input_backpressure_when_output_not_drained)
{
  MemPair m;
  unsigned char block[256], f[300];
  size_t n, len, flen = 0, used = 0, rest;
  uint32_t id;
  int stopped = 0;
  const unsigned char *out;

  mem_open (&m);
  m.sside.respond = 1;
  mem_pump (&m, 0, 2);
  n = hp_block (block, GET_REQ);
  for (id = 1; id < 400001 && !stopped; id += 2)
    {
      flen = SocketHTTP2__write_frame (f, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM, id,
                                       block, n);
      ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.server, f, flen, &used), 0);
      stopped = used < flen;
    }
  ASSERT (stopped); /* the server's answers were never drained */
  out = SocketHTTP2Ext_Conn_output (m.server, &len);
  ASSERT (out != NULL && len <= HTTP2_CONTROL_QUEUE_MAX + 64 * 1024);
  SocketHTTP2Ext_Conn_output_consumed (m.server, len);
  /* Drained: the rest of the frame is taken and answered. */
  rest = flen - used;
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.server, f + used, rest, &used), 0);
  ASSERT_EQ (used, rest);
  ASSERT (SocketHTTP2Ext_Conn_output (m.server, &len) != NULL);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (m.server), 0);
  mem_close (&m);
}

/* ---- Error codes of resets and GOAWAY (SocketHTTP2Ext getters) ---------- */

TEST (reset_info_received_vs_sent)
{
  MemPair m;
  SocketHTTP2_Stream_T s;
  uint32_t code = 99;

  mem_open (&m);
  s = mem_request (&m, "GET", 0);
  ASSERT (s != NULL);
  ASSERT_EQ (SocketHTTP2Ext_Stream_reset_info (s, &code), SOCKETHTTP2EXT_RESET_NONE);
  ASSERT_EQ (code, HTTP2_NO_ERROR);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (m.sside.events[HTTP2_EVENT_STREAM_START], 1);
  SocketHTTP2_Stream_close (s, HTTP2_CANCEL);
  ASSERT_EQ (m.cside.reset_origin, SOCKETHTTP2EXT_RESET_SENT);
  ASSERT_EQ (m.cside.reset_code, HTTP2_CANCEL);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (m.sside.streams_reset, 1);
  ASSERT_EQ (m.sside.reset_origin, SOCKETHTTP2EXT_RESET_RECEIVED);
  ASSERT_EQ (m.sside.reset_code, HTTP2_CANCEL);
  mem_close (&m);
}

TEST (reset_info_for_stream_errors_and_goaway)
{
  MemPair m;
  static const char bad[] = "not hpack";
  unsigned char f[64];
  size_t used, n;

  /* A stream error the peer caused: we sent RST_STREAM(PROTOCOL_ERROR),
   * the peer received it. DATA before the response head is malformed. */
  mem_open (&m);
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_pump (&m, 0, 2);
  n = SocketHTTP2__write_frame (f, HTTP2_FRAME_DATA, 0, 1, "x", 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.client, f, n, &used), 0);
  ASSERT_EQ (m.cside.reset_origin, SOCKETHTTP2EXT_RESET_SENT);
  ASSERT_EQ (m.cside.reset_code, HTTP2_PROTOCOL_ERROR);
  mem_close (&m);

  /* Our stream above the last-stream-id of the peer's GOAWAY. */
  mem_open (&m);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2_Conn_goaway (m.server, HTTP2_NO_ERROR, NULL, 0), 0);
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_move (m.server, m.client, 0);
  ASSERT_EQ (m.cside.streams_reset, 1);
  ASSERT_EQ (m.cside.reset_origin, SOCKETHTTP2EXT_RESET_GOAWAY);
  ASSERT_EQ (m.cside.reset_code, HTTP2_NO_ERROR);
  mem_close (&m);

  /* A connection error sends GOAWAY with its code. */
  mem_open (&m);
  mem_pump (&m, 0, 2);
  n = SocketHTTP2__write_frame (f, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, bad, sizeof bad - 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m.server, f, n, &used), -1);
  {
    uint32_t last = 7, code = 0;
    ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (m.server, &last, &code), 1);
    ASSERT_EQ (code, HTTP2_COMPRESSION_ERROR);
    ASSERT_EQ (last, 0);
  }
  mem_close (&m);
}

TEST (goaway_getters_both_ways)
{
  MemPair m;
  uint32_t last = 0, code = 0;
  const unsigned char *debug = NULL;
  size_t debug_len = 0;
  static unsigned char big[10000];

  mem_open (&m);
  m.sside.respond = 1;
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_pump (&m, 0, 3);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_received (m.client, &last, &code, &debug, &debug_len), 0);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (m.server, NULL, NULL), 0);
  ASSERT_EQ (SocketHTTP2_Conn_goaway (m.server, HTTP2_ENHANCE_YOUR_CALM, "calm down", 9), 0);
  mem_pump (&m, 0, 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (m.server, &last, &code), 1);
  ASSERT_EQ (last, 1);
  ASSERT_EQ (code, HTTP2_ENHANCE_YOUR_CALM);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_received (m.client, &last, &code, &debug, &debug_len), 1);
  ASSERT_EQ (last, 1);
  ASSERT_EQ (code, HTTP2_ENHANCE_YOUR_CALM);
  ASSERT_EQ (debug_len, 9);
  ASSERT_MEMEQ (debug, "calm down", 9);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_received (m.server, NULL, NULL, NULL, NULL), 0);

  /* A second GOAWAY: its code and debug data; the last id only lowers. */
  memset (big, 'd', sizeof big);
  ASSERT_EQ (SocketHTTP2_Conn_goaway (m.server, HTTP2_INTERNAL_ERROR, big, sizeof big), 0);
  mem_pump (&m, 0, 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_received (m.client, &last, &code, &debug, &debug_len), 1);
  ASSERT_EQ (code, HTTP2_INTERNAL_ERROR);
  ASSERT_EQ (last, 1);
  ASSERT_EQ (debug_len, HTTP2_GOAWAY_DEBUG_MAX); /* capped copy */
  ASSERT (debug[0] == 'd' && debug[debug_len - 1] == 'd');
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (m.server, NULL, &code), 1);
  ASSERT_EQ (code, HTTP2_INTERNAL_ERROR);
  mem_close (&m);
}

/* ---- Deadlines without input (silent peer) ------------------------------ */

/* Wait as next_timeout_ms says and tick with Conn_process(events 0) until
 * the connection fails; no input ever arrives. Bounded in rounds, not
 * time: each round sleeps only as long as the engine asks. */
static int
tick_until_failed (SocketHTTP2_Conn_T conn, int max_rounds)
{
  int rounds = 0, wait;

  while (rounds++ < max_rounds)
    {
      if (SocketHTTP2_Conn_process (conn, 0) < 0)
        return rounds;
      wait = SocketHTTP2Ext_Conn_next_timeout_ms (conn);
      if (wait < 0)
        return -1; /* nothing armed: it would never fire */
      usleep ((useconds_t)(wait + 1) * 1000);
    }
  return -1;
}

TEST (settings_timeout_fires_without_input)
{
  Arena_T arena = Arena_new ();
  SocketHTTP2_Config cfg;
  SocketHTTP2_Conn_T conn;
  uint32_t code = 0;
  int wait;

  SocketHTTP2_config_defaults (&cfg, HTTP2_ROLE_CLIENT);
  cfg.settings_timeout_ms = 40;
  cfg.ping_timeout_ms = 0;
  conn = SocketHTTP2Ext_Conn_new_io (&cfg, arena);
  ASSERT_EQ (SocketHTTP2Ext_Conn_next_timeout_ms (conn), -1); /* nothing sent yet */
  ASSERT_EQ (SocketHTTP2_Conn_handshake (conn), 1);
  wait = SocketHTTP2Ext_Conn_next_timeout_ms (conn);
  ASSERT (wait >= 0 && wait <= 41);
  ASSERT (tick_until_failed (conn, 100) > 0);
  ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (conn, NULL, &code), 1);
  ASSERT_EQ (code, HTTP2_SETTINGS_TIMEOUT);
  ASSERT_EQ (SocketHTTP2Ext_Conn_next_timeout_ms (conn), -1);
  SocketHTTP2_Conn_free (&conn);
  Arena_dispose (&arena);
}

TEST (keepalive_ping_and_its_timeout_without_input)
{
  MemPair m;
  SocketHTTP2_Config c, s;
  const unsigned char *out;
  size_t len, i;
  int pings = 0, wait, rounds;

  /* A live peer answers the keepalive PINGs: the connection stays. */
  memset (&m, 0, sizeof m);
  m.arena = Arena_new ();
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  /* Long while the peer answers (a PING outstanding across a descheduled
   * pump must not expire), 200 ms once it goes silent. */
  c.ping_timeout_ms = 60000;
  m.client = SocketHTTP2Ext_Conn_new_io (&c, m.arena);
  m.server = SocketHTTP2Ext_Conn_new_io (&s, m.arena);
  side_init (&m.cside);
  side_init (&m.sside);
  SocketHTTP2Ext_Conn_set_keepalive (m.client, 10);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2_Conn_handshake (m.client), 0);
  wait = SocketHTTP2Ext_Conn_next_timeout_ms (m.client);
  ASSERT (wait >= 0 && wait <= 10);
  for (rounds = 0; rounds < 5; rounds++)
    {
      usleep (15000);
      ASSERT_EQ (SocketHTTP2_Conn_process (m.client, 0), 0);
      out = SocketHTTP2Ext_Conn_output (m.client, &len);
      for (i = 0; out != NULL && i + 9 <= len;)
        {
          SocketHTTP2_FrameHeader h;
          SocketHTTP2_frame_header_parse (out + i, &h);
          pings += h.type == HTTP2_FRAME_PING && !(h.flags & HTTP2_FLAG_ACK);
          i += 9 + h.length;
        }
      mem_pump (&m, 0, 1); /* the server ACKs */
    }
  ASSERT_EQ (pings, 5);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (m.client), 0);
  /* Now the server goes silent: a PING, then the PING timeout. */
  m.client->config.ping_timeout_ms = 200;
  ASSERT (tick_until_failed (m.client, 100) > 0);
  {
    uint32_t code = 99;
    ASSERT_EQ (SocketHTTP2Ext_Conn_goaway_sent (m.client, NULL, &code), 1);
    ASSERT_EQ (code, HTTP2_NO_ERROR);
  }
  mem_close (&m);
}

TEST (idle_and_stall_deadlines_are_reported)
{
  MemPair m;
  SocketHTTP2_Config c, s;
  SocketHTTP2_Stream_T st;
  static unsigned char body[200000];
  int wait;

  memset (&m, 0, sizeof m);
  m.arena = Arena_new ();
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  c.settings_timeout_ms = c.ping_timeout_ms = 0;
  m.client = SocketHTTP2Ext_Conn_new_io (&c, m.arena);
  m.server = SocketHTTP2Ext_Conn_new_io (&s, m.arena);
  side_init (&m.cside);
  side_init (&m.sside);
  m.sside.read_in_callback = 0; /* the server never reads: windows close */
  SocketHTTP2_Conn_set_stream_callback (m.client, stream_cb, &m.cside);
  SocketHTTP2_Conn_set_stream_callback (m.server, stream_cb, &m.sside);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2Ext_Conn_next_timeout_ms (m.client), -1);
  m.client->stall_timeout_ms = 30; /* 30 s by default */
  st = mem_request (&m, "POST", 0);
  ASSERT (SocketHTTP2_Stream_send_data (st, body, sizeof body, 1) < (ssize_t)sizeof body);
  mem_pump (&m, 0, 2);
  ASSERT (SocketHTTP2_Stream_send_data (st, body, sizeof body, 1) == 0); /* stalled now */
  wait = SocketHTTP2Ext_Conn_next_timeout_ms (m.client);
  ASSERT (wait >= 0 && wait <= 31);
  usleep ((useconds_t)(wait + 1) * 1000);
  ASSERT_EQ (SocketHTTP2_Conn_process (m.client, 0), 0);
  ASSERT_EQ (m.cside.streams_reset, 1);
  ASSERT_EQ (m.cside.reset_origin, SOCKETHTTP2EXT_RESET_SENT);
  ASSERT_EQ (m.cside.reset_code, HTTP2_CANCEL);
  mem_close (&m);
}

/* ---- Informational (1xx) responses --------------------------------------- */

static SocketHTTP2_Stream_T server_stream;

static void
capture_server_stream (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  if (event == HTTP2_EVENT_STREAM_START)
    server_stream = s;
  stream_cb (conn, s, event, ud);
}

TEST (interim_responses_then_final)
{
  MemPair m;
  SocketHPACK_Header early[2] = { { ":status", 7, "103", 3, 0 }, { "link", 4, "</a.css>; rel=preload", 21, 0 } };
  SocketHPACK_Header cont[1] = { { ":status", 7, "100", 3, 0 } };
  SocketHPACK_Header final[2] = { { ":status", 7, "200", 3, 0 }, { "content-length", 14, "5", 1, 0 } };

  mem_open (&m);
  SocketHTTP2_Conn_set_stream_callback (m.server, capture_server_stream, &m.sside);
  server_stream = NULL;
  ASSERT (mem_request (&m, "POST", 0) != NULL);
  mem_pump (&m, 0, 2);
  ASSERT (server_stream != NULL);
  /* Server role: an interim head may not end the stream, and 101 does
   * not exist in HTTP/2. Neither changes anything. */
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, cont, 1, 1), -1);
  {
    SocketHPACK_Header sw[1] = { { ":status", 7, "101", 3, 0 } };
    ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, sw, 1, 0), -1);
  }
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, cont, 1, 0), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, early, 2, 0), 0);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (m.cside.informational, 2);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_HEADERS_RECEIVED], 2);
  ASSERT (strstr (m.cside.headers, ":status: 103\nlink: </a.css>; rel=preload\n") != NULL);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, final, 2, 0), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (server_stream, "hello", 5, 1), 5);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_HEADERS_RECEIVED], 3);
  ASSERT_EQ (m.cside.informational, 2);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_TRAILERS_RECEIVED], 0); /* the final head is not trailers */
  ASSERT (strstr (m.cside.headers, ":status: 200\n") != NULL);
  ASSERT_EQ (m.cside.body_len, 5);
  ASSERT_EQ (m.cside.streams_reset, 0);
  ASSERT_EQ (m.sside.streams_reset, 0);
  mem_close (&m);
}

/* Feed the client a response HEADERS for stream 1 built by hand. */
static void
client_gets_head (MemPair *m, const char *status, uint8_t flags)
{
  const char *nv[] = { ":status", status, NULL };
  unsigned char block[64], f[128];
  size_t n = hp_block (block, nv), used;

  n = SocketHTTP2__write_frame (f, HTTP2_FRAME_HEADERS, flags, 1, block, n);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (m->client, f, n, &used), 0);
  ASSERT_EQ (used, n);
}

TEST (interim_response_with_end_stream_is_malformed)
{
  MemPair m;

  mem_open (&m);
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_pump (&m, 0, 2);
  client_gets_head (&m, "103", HTTP2_FLAG_END_HEADERS);
  ASSERT_EQ (m.cside.informational, 1);
  client_gets_head (&m, "100", HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM);
  ASSERT_EQ (m.cside.streams_reset, 1);
  ASSERT_EQ (m.cside.reset_origin, SOCKETHTTP2EXT_RESET_SENT);
  ASSERT_EQ (m.cside.reset_code, HTTP2_PROTOCOL_ERROR);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (m.client), 0); /* a stream error */
  mem_close (&m);

  mem_open (&m);
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_pump (&m, 0, 2);
  client_gets_head (&m, "101", HTTP2_FLAG_END_HEADERS);
  ASSERT_EQ (m.cside.streams_reset, 1);
  ASSERT_EQ (m.cside.reset_code, HTTP2_PROTOCOL_ERROR);
  mem_close (&m);

  /* After the final head, another head without END_STREAM is malformed
   * trailers, but after a 1xx it is the response. */
  mem_open (&m);
  ASSERT (mem_request (&m, "GET", 1) != NULL);
  mem_pump (&m, 0, 2);
  client_gets_head (&m, "103", HTTP2_FLAG_END_HEADERS);
  client_gets_head (&m, "204", HTTP2_FLAG_END_HEADERS | HTTP2_FLAG_END_STREAM);
  ASSERT_EQ (m.cside.streams_ended, 1);
  ASSERT_EQ (m.cside.events[HTTP2_EVENT_TRAILERS_RECEIVED], 0);
  ASSERT (strstr (m.cside.headers, ":status: 204\n") != NULL);
  mem_close (&m);
}

/* ---- Extended CONNECT (RFC 8441) ---------------------------------------- */

static const SocketHPACK_Header WS_CONNECT[5] = { { ":method", 7, "CONNECT", 7, 0 },
                                                  { ":protocol", 9, "websocket", 9, 0 },
                                                  { ":scheme", 7, "https", 5, 0 },
                                                  { ":path", 5, "/chat", 5, 0 },
                                                  { ":authority", 10, "mem", 3, 0 } };

/* RST_STREAM / GOAWAY code in @p conn's pending output, or -1; the
 * output is consumed. */
static long
out_code (SocketHTTP2_Conn_T conn, uint8_t type, uint32_t stream_id)
{
  const unsigned char *out;
  size_t len, i;
  long code = -1;

  out = SocketHTTP2Ext_Conn_output (conn, &len);
  for (i = 0; out != NULL && i + 9 <= len;)
    {
      SocketHTTP2_FrameHeader h;
      SocketHTTP2_frame_header_parse (out + i, &h);
      if (h.type == type && type == HTTP2_FRAME_GOAWAY)
        code = (long)SocketHTTP2__u32 (out + i + 13);
      else if (h.type == type && h.stream_id == stream_id)
        code = (long)SocketHTTP2__u32 (out + i + 9);
      i += 9 + h.length;
    }
  SocketHTTP2Ext_Conn_output_consumed (conn, len);
  return code;
}

/* A server connection that got the client preface, SETTINGS (with
 * @p settings) and then the request @p nv on stream 1 (no END_STREAM). */
static SocketHTTP2_Conn_T
server_fed (Arena_T arena, int enable, const unsigned char *settings, size_t settings_len, const char *const *nv)
{
  SocketHTTP2_Config cfg;
  SocketHTTP2_Conn_T conn;
  unsigned char buf[512], block[256];
  size_t n = 0, used;

  SocketHTTP2_config_defaults (&cfg, HTTP2_ROLE_SERVER);
  conn = SocketHTTP2Ext_Conn_new_io (&cfg, arena);
  if (enable)
    SocketHTTP2Ext_Conn_enable_connect_protocol (conn);
  memcpy (buf, SocketHTTP2__preface, HTTP2_PREFACE_SIZE);
  n = HTTP2_PREFACE_SIZE;
  n += SocketHTTP2__write_frame (buf + n, HTTP2_FRAME_SETTINGS, 0, 0, settings, settings_len);
  if (nv != NULL)
    n += SocketHTTP2__write_frame (buf + n, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, 1, block,
                                   hp_block (block, nv));
  SocketHTTP2Ext_Conn_input (conn, buf, n, &used);
  return conn;
}

TEST (extended_connect_when_enabled)
{
  MemPair m;
  SocketHTTP2_Stream_T s;
  SocketHPACK_Header ok[1] = { { ":status", 7, "200", 3, 0 } };
  const unsigned char *out;
  size_t len, i;
  int advertised = 0;

  mem_open (&m);
  SocketHTTP2_Conn_set_stream_callback (m.server, capture_server_stream, &m.sside);
  server_stream = NULL;
  ASSERT_EQ (SocketHTTP2Ext_Conn_enable_connect_protocol (m.server), 0);
  /* The server's first SETTINGS carries 0x8 = 1. */
  out = SocketHTTP2Ext_Conn_output (m.server, &len);
  for (i = 9; out != NULL && i + 6 <= 9 + (size_t)(out[0] << 16 | out[1] << 8 | out[2]); i += 6)
    advertised |= out[i] == 0 && out[i + 1] == 8 && SocketHTTP2__u32 (out + i + 2) == 1;
  ASSERT (advertised);
  /* The client may not use :protocol before it saw the setting. */
  s = SocketHTTP2_Stream_new (m.client);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (m.client), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (s, WS_CONNECT, 5, 0), -1);
  ASSERT_EQ (SocketHTTP2_Stream_state (s), HTTP2_STREAM_STATE_IDLE);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (m.client), 1);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (m.server), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (s, WS_CONNECT, 5, 0), 0);
  mem_pump (&m, 0, 2);
  ASSERT (server_stream != NULL);
  ASSERT (strstr (m.sside.headers, ":protocol: websocket\n") != NULL);
  ASSERT_EQ (m.sside.streams_reset, 0);
  /* The stream is the tunnel: a 200 head, then bytes both ways. */
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (server_stream, ok, 1, 0), 0);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (server_stream, "ping", 4, 0), 4);
  ASSERT_EQ (SocketHTTP2_Stream_send_data (s, "frame", 5, 0), 5);
  mem_pump (&m, 0, 2);
  ASSERT (strstr (m.cside.headers, ":status: 200\n") != NULL);
  ASSERT_EQ (m.cside.body_len, 4);
  ASSERT_EQ (m.sside.body_len, 5);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (m.server), 0);
  mem_close (&m);
}

TEST (extended_connect_malformed_or_not_enabled)
{
  Arena_T arena = Arena_new ();
  SocketHTTP2_Conn_T conn;
  static const char *const ws[] = { ":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
                                    ":path", "/chat", ":authority", "x", NULL };
  static const char *const no_path[] = { ":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
                                         ":authority", "x", NULL };
  static const char *const get_proto[] = { ":method", "GET", ":protocol", "websocket", ":scheme", "https",
                                           ":path", "/", ":authority", "x", NULL };
  static const char *const empty_proto[] = { ":method", "CONNECT", ":protocol", "", ":scheme", "https",
                                             ":path", "/", ":authority", "x", NULL };
  static const unsigned char two[6] = { 0, 8, 0, 0, 0, 2 };
  static const unsigned char one[6] = { 0, 8, 0, 0, 0, 1 };
  static const unsigned char zero[6] = { 0, 8, 0, 0, 0, 0 };
  unsigned char f[32];
  size_t used, n;

  /* Not enabled: :protocol is an unknown pseudo-header. */
  conn = server_fed (arena, 0, NULL, 0, ws);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_RST_STREAM, 1), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  /* Enabled, well-formed: accepted. */
  conn = server_fed (arena, 1, NULL, 0, ws);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_RST_STREAM, 1), -1);
  ASSERT_EQ (SocketHTTP2_Conn_is_closed (conn), 0);
  SocketHTTP2_Conn_free (&conn);
  /* Enabled, but :path missing, :protocol without CONNECT, or empty. */
  conn = server_fed (arena, 1, NULL, 0, no_path);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_RST_STREAM, 1), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  conn = server_fed (arena, 1, NULL, 0, get_proto);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_RST_STREAM, 1), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  conn = server_fed (arena, 1, NULL, 0, empty_proto);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_RST_STREAM, 1), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  /* The setting is 0 or 1, and never 0 after 1. */
  conn = server_fed (arena, 0, two, 6, NULL);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_GOAWAY, 0), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  conn = server_fed (arena, 0, one, 6, NULL);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (conn), 1);
  n = SocketHTTP2__write_frame (f, HTTP2_FRAME_SETTINGS, 0, 0, zero, 6);
  ASSERT_EQ (SocketHTTP2Ext_Conn_input (conn, f, n, &used), -1);
  ASSERT_EQ (out_code (conn, HTTP2_FRAME_GOAWAY, 0), HTTP2_PROTOCOL_ERROR);
  SocketHTTP2_Conn_free (&conn);
  /* Ours cannot be withdrawn either. */
  conn = server_fed (arena, 1, NULL, 0, NULL);
  {
    SocketHTTP2_Setting off = { (SocketHTTP2_SettingsId)8, 0 };
    ASSERT_EQ (SocketHTTP2_Conn_settings (conn, &off, 1), -1);
    off.value = 2;
    ASSERT_EQ (SocketHTTP2_Conn_settings (conn, &off, 1), -1);
  }
  SocketHTTP2_Conn_free (&conn);
  Arena_dispose (&arena);
}

/* Enabling after the handshake sends a SETTINGS frame of its own. */
TEST (extended_connect_enabled_later)
{
  MemPair m;

  mem_open (&m);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (m.client), 0);
  ASSERT_EQ (SocketHTTP2Ext_Conn_enable_connect_protocol (m.server), 0);
  mem_pump (&m, 0, 2);
  ASSERT_EQ (SocketHTTP2Ext_Conn_peer_connect_protocol (m.client), 1);
  ASSERT_EQ (SocketHTTP2_Conn_handshake (m.server), 0); /* the extra SETTINGS was acknowledged */
  mem_close (&m);
}

TEST_MAIN ()
