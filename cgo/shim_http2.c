/*
 * shim_http2.c - shims of the HTTP/2 engine with memory I/O (see
 * shim_http2.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shim_http2.h"

static void
push_event (GoH2Conn *c, int event, SocketHTTP2_Stream_T s)
{
  if (c->nevents == c->cap)
    {
      size_t ncap = c->cap ? c->cap * 2 : 64;
      GoH2Event *p = realloc (c->events, ncap * sizeof *p);
      if (p == NULL)
        {
          c->overflow = 1;
          return;
        }
      c->events = p;
      c->cap = ncap;
    }
  c->events[c->nevents].event = event;
  c->events[c->nevents].stream_id = s ? SocketHTTP2_Stream_id (s) : 0;
  c->events[c->nevents].stream = (uintptr_t)s;
  c->events[c->nevents].reset_code = 0;
  c->events[c->nevents].reset_how
      = event == HTTP2_EVENT_STREAM_RESET && s
            ? SocketHTTP2Ext_Stream_reset_info (
                  s, &c->events[c->nevents].reset_code)
            : SOCKETHTTP2EXT_RESET_NONE;
  c->nevents++;
}

static void
on_stream (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T stream, int event,
           void *userdata)
{
  (void)conn;
  push_event ((GoH2Conn *)userdata, event, stream);
}

static void
on_conn (SocketHTTP2_Conn_T conn, int event, void *userdata)
{
  (void)conn;
  push_event ((GoH2Conn *)userdata, event, NULL);
}

static void
reset_events (GoH2Conn *c)
{
  c->nevents = 0;
  c->overflow = 0;
}

static GoH2Conn *
conn_new (const GoH2Config *g, GoH2Conn *c)
{
  SocketHTTP2_Config cfg;

  SocketHTTP2_config_defaults (&cfg, g->server ? HTTP2_ROLE_SERVER
                                               : HTTP2_ROLE_CLIENT);
  if (g->max_concurrent_streams)
    cfg.max_concurrent_streams = g->max_concurrent_streams;
  if (g->initial_window_size)
    cfg.initial_window_size = g->initial_window_size;
  if (g->max_frame_size)
    cfg.max_frame_size = g->max_frame_size;
  if (g->max_header_list_size)
    cfg.max_header_list_size = g->max_header_list_size;
  if (g->connection_window_size)
    cfg.connection_window_size = g->connection_window_size;
  cfg.idle_timeout_ms = g->idle_timeout_ms;
  if (g->settings_timeout_ms)
    cfg.settings_timeout_ms
        = g->settings_timeout_ms > 0 ? g->settings_timeout_ms : 0;
  if (g->ping_timeout_ms)
    cfg.ping_timeout_ms = g->ping_timeout_ms > 0 ? g->ping_timeout_ms : 0;
  c->arena = Arena_new ();
  c->conn = SocketHTTP2Ext_Conn_new_io (&cfg, c->arena);
  SocketHTTP2Ext_Conn_set_keepalive (c->conn, g->keepalive_ms);
  SocketHTTP2_Conn_set_stream_callback (c->conn, on_stream, c);
  SocketHTTP2_Conn_set_conn_callback (c->conn, on_conn, c);
  return c;
}

static void
conn_free (GoH2Conn *c)
{
  if (c->conn)
    SocketHTTP2_Conn_free (&c->conn);
  if (c->arena)
    Arena_dispose (&c->arena);
  free (c->events);
  free (c->hdrs);
  free (c);
}

int
go_h2_new (const GoH2Config *cfg, GoH2Conn **out, GoErr *e)
{
  volatile int rc = 0;
  GoH2Conn *volatile c;

  *out = NULL;
  c = calloc (1, sizeof *c);
  if (c == NULL)
    return go_fail (e, "SocketHTTP2_ProtocolError", 0,
                    "HTTP/2 connection: out of memory");
  GO_CALL_NOCB (rc, e, conn_new (cfg, c));
  if (rc != 0)
    {
      GO_NOCB_ENTER ();
      conn_free (c);
      GO_NOCB_LEAVE ();
      return rc;
    }
  *out = c;
  return 0;
}

void
go_h2_free (GoH2Conn *c)
{
  GO_NOCB_ENTER ();
  conn_free (c);
  GO_NOCB_LEAVE ();
}

int
go_h2_input (GoH2Conn *c, const unsigned char *data, size_t len,
             size_t *consumed, int *result, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *consumed = 0;
  *result = -1;
  GO_CALL_NOCB (rc, e,
                *result = SocketHTTP2Ext_Conn_input (c->conn, data, len,
                                                     consumed));
  return rc;
}

int
go_h2_process (GoH2Conn *c, int *result, int *closed, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *result = -1;
  *closed = 1;
  GO_CALL_NOCB (rc, e, *result = SocketHTTP2_Conn_process (c->conn, 0);
                *closed = SocketHTTP2_Conn_is_closed (c->conn));
  return rc;
}

int
go_h2_output (GoH2Conn *c, const unsigned char **out, size_t *len, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *out = NULL;
  *len = 0;
  GO_CALL_NOCB (rc, e, *out = SocketHTTP2Ext_Conn_output (c->conn, len));
  return rc;
}

void
go_h2_consumed (GoH2Conn *c, size_t n)
{
  GO_NOCB_ENTER ();
  reset_events (c);
  SocketHTTP2Ext_Conn_output_consumed (c->conn, n);
  GO_NOCB_LEAVE ();
}

static int
recv_headers (GoH2Conn *c, SocketHTTP2_Stream_T s, int trailers,
              size_t *count, int *end_stream)
{
  for (;;)
    {
      int avail;
      size_t n = 0;

      if (trailers)
        avail = SocketHTTP2_Stream_recv_trailers (s, c->hdrs, c->hdr_cap, &n);
      else
        avail = SocketHTTP2_Stream_recv_headers (s, c->hdrs, c->hdr_cap, &n,
                                                 end_stream);
      if (!avail || n <= c->hdr_cap)
        {
          *count = avail ? n : 0;
          return avail;
        }
      SocketHPACK_Header *p = realloc (c->hdrs, n * sizeof *p);
      if (p == NULL)
        return -1;
      c->hdrs = p;
      c->hdr_cap = n;
    }
}

int
go_h2_recv_headers (GoH2Conn *c, uintptr_t stream, int trailers,
                    const SocketHPACK_Header **out, size_t *count,
                    int *end_stream, int *avail, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *out = NULL;
  *count = 0;
  *end_stream = 0;
  *avail = 0;
  GO_CALL_NOCB (rc, e,
                *avail = recv_headers (c, (SocketHTTP2_Stream_T)stream,
                                       trailers, count, end_stream));
  if (rc == 0 && *avail < 0)
    return go_fail (e, "SocketHTTP2_ProtocolError", 0,
                    "HTTP/2 headers: out of memory");
  *out = c->hdrs;
  return rc;
}

int
go_h2_recv_data (GoH2Conn *c, uintptr_t stream, unsigned char *buf,
                 size_t len, ssize_t *n, int *end_stream, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *n = 0;
  *end_stream = 0;
  GO_CALL_NOCB (rc, e,
                *n = SocketHTTP2_Stream_recv_data ((SocketHTTP2_Stream_T)stream,
                                                   buf, len, end_stream));
  return rc;
}

/* Fills @small (or a heap array when @count exceeds 32) from Go's flat
 * buffer and spans; NULL when out of memory. */
static SocketHPACK_Header *
fields_from_spans (SocketHPACK_Header small[32], const char *buf,
                   const size_t *spans, size_t count)
{
  SocketHPACK_Header *h = small;

  if (count > 32)
    {
      h = calloc (count, sizeof *h);
      if (h == NULL)
        return NULL;
    }
  for (size_t i = 0; i < count; i++)
    {
      h[i].name = buf + spans[4 * i];
      h[i].name_len = spans[4 * i + 1];
      h[i].value = buf + spans[4 * i + 2];
      h[i].value_len = spans[4 * i + 3];
      h[i].never_index = 0;
    }
  return h;
}

static int
send_headers (SocketHTTP2_Stream_T s, int kind, const char *buf,
              const size_t *spans, size_t count, int end_stream)
{
  SocketHPACK_Header small[32];
  SocketHPACK_Header *h = fields_from_spans (small, buf, spans, count);
  int r;

  if (h == NULL)
    return -1;
  if (kind == 1)
    r = SocketHTTP2_Stream_send_trailers (s, h, count);
  else
    r = SocketHTTP2_Stream_send_headers (s, h, count, end_stream);
  if (h != small)
    free (h);
  return r;
}

int
go_h2_send_headers (GoH2Conn *c, uintptr_t stream, int kind, const char *buf,
                    const size_t *spans, size_t count, int end_stream,
                    int *result, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *result = -1;
  GO_CALL_NOCB (rc, e,
                *result = send_headers ((SocketHTTP2_Stream_T)stream, kind,
                                        buf, spans, count, end_stream));
  return rc;
}

static ssize_t
send_data (SocketHTTP2_Stream_T s, const unsigned char *data, size_t len,
           int end_stream, int *ended)
{
  ssize_t n = SocketHTTP2_Stream_send_data (s, data, len, end_stream);
  SocketHTTP2_StreamState st;

  if (n < 0 || !end_stream)
    return n;
  st = SocketHTTP2_Stream_state (s);
  *ended = st == HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL
           || st == HTTP2_STREAM_STATE_CLOSED;
  return n;
}

int
go_h2_send_data (GoH2Conn *c, uintptr_t stream, const unsigned char *data,
                 size_t len, int end_stream, ssize_t *n, int *ended,
                 GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *n = -1;
  *ended = 0;
  GO_CALL_NOCB (rc, e, *n = send_data ((SocketHTTP2_Stream_T)stream, data,
                                       len, end_stream, ended));
  return rc;
}

static void
stream_new (GoH2Conn *c, uintptr_t *out, uint32_t *id)
{
  SocketHTTP2_Stream_T s = SocketHTTP2_Stream_new (c->conn);

  *out = (uintptr_t)s;
  *id = s ? SocketHTTP2_Stream_id (s) : 0;
}

int
go_h2_stream_new (GoH2Conn *c, uintptr_t *out, uint32_t *id, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *out = 0;
  *id = 0;
  GO_CALL_NOCB (rc, e, stream_new (c, out, id));
  return rc;
}

int
go_h2_stream_close (GoH2Conn *c, uintptr_t stream, int code, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  GO_CALL_NOCB (rc, e,
                SocketHTTP2_Stream_close ((SocketHTTP2_Stream_T)stream,
                                          (SocketHTTP2_ErrorCode)code));
  return rc;
}

int
go_h2_goaway (GoH2Conn *c, int code, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  GO_CALL_NOCB (rc, e,
                SocketHTTP2_Conn_goaway (c->conn, (SocketHTTP2_ErrorCode)code,
                                         NULL, 0));
  return rc;
}

int32_t
go_h2_stream_send_window (GoH2Conn *c, uintptr_t stream)
{
  int32_t w;

  GO_NOCB_ENTER ();
  reset_events (c);
  w = SocketHTTP2_Stream_send_window ((SocketHTTP2_Stream_T)stream);
  GO_NOCB_LEAVE ();
  return w;
}

uint32_t
go_h2_last_stream_id (GoH2Conn *c)
{
  uint32_t id;

  GO_NOCB_ENTER ();
  reset_events (c);
  id = SocketHTTP2_Conn_last_stream_id (c->conn);
  GO_NOCB_LEAVE ();
  return id;
}

uint32_t
go_h2_peer_setting (GoH2Conn *c, int id)
{
  uint32_t v;

  GO_NOCB_ENTER ();
  reset_events (c);
  v = SocketHTTP2_Conn_get_setting (c->conn, (SocketHTTP2_SettingsId)id);
  GO_NOCB_LEAVE ();
  return v;
}

static void
push_promise (SocketHTTP2_Stream_T s, const char *buf, const size_t *spans,
              size_t count, uintptr_t *out, uint32_t *id)
{
  SocketHPACK_Header small[32];
  SocketHPACK_Header *h = fields_from_spans (small, buf, spans, count);
  SocketHTTP2_Stream_T p;

  if (h == NULL)
    return;
  p = SocketHTTP2_Stream_push_promise (s, h, count);
  if (h != small)
    free (h);
  *out = (uintptr_t)p;
  *id = p ? SocketHTTP2_Stream_id (p) : 0;
}

int
go_h2_push_promise (GoH2Conn *c, uintptr_t stream, const char *buf,
                    const size_t *spans, size_t count, uintptr_t *out,
                    uint32_t *id, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *out = 0;
  *id = 0;
  GO_CALL_NOCB (rc, e, push_promise ((SocketHTTP2_Stream_T)stream, buf, spans,
                                     count, out, id));
  return rc;
}

int
go_h2_is_closed (GoH2Conn *c)
{
  int r;

  GO_NOCB_ENTER ();
  reset_events (c);
  r = SocketHTTP2_Conn_is_closed (c->conn);
  GO_NOCB_LEAVE ();
  return r;
}

int
go_h2_stream_reset_info (GoH2Conn *c, uintptr_t stream, uint32_t *code)
{
  int how;

  GO_NOCB_ENTER ();
  reset_events (c);
  how = SocketHTTP2Ext_Stream_reset_info ((SocketHTTP2_Stream_T)stream, code);
  GO_NOCB_LEAVE ();
  return how;
}

int
go_h2_goaway_received (GoH2Conn *c, uint32_t *last_stream_id, uint32_t *code,
                       const unsigned char **debug, size_t *debug_len)
{
  int r;

  GO_NOCB_ENTER ();
  reset_events (c);
  *debug = NULL;
  *debug_len = 0;
  r = SocketHTTP2Ext_Conn_goaway_received (c->conn, last_stream_id, code,
                                           debug, debug_len);
  GO_NOCB_LEAVE ();
  return r;
}

int
go_h2_goaway_sent (GoH2Conn *c, uint32_t *last_stream_id, uint32_t *code)
{
  int r;

  GO_NOCB_ENTER ();
  reset_events (c);
  r = SocketHTTP2Ext_Conn_goaway_sent (c->conn, last_stream_id, code);
  GO_NOCB_LEAVE ();
  return r;
}

int
go_h2_stream_is_idle (GoH2Conn *c, uintptr_t stream)
{
  int idle;

  GO_NOCB_ENTER ();
  reset_events (c);
  idle = SocketHTTP2_Stream_state ((SocketHTTP2_Stream_T)stream)
         == HTTP2_STREAM_STATE_IDLE;
  GO_NOCB_LEAVE ();
  return idle;
}

uint32_t
go_h2_streams_available (GoH2Conn *c)
{
  uint32_t n;

  GO_NOCB_ENTER ();
  reset_events (c);
  n = SocketHTTP2Ext_Conn_streams_available (c->conn);
  GO_NOCB_LEAVE ();
  return n;
}

int
go_h2_next_timeout_ms (GoH2Conn *c)
{
  int ms;

  GO_NOCB_ENTER ();
  reset_events (c);
  ms = SocketHTTP2Ext_Conn_next_timeout_ms (c->conn);
  GO_NOCB_LEAVE ();
  return ms;
}

int
go_h2_enable_connect_protocol (GoH2Conn *c, int *result, GoErr *e)
{
  volatile int rc = 0;

  reset_events (c);
  *result = -1;
  GO_CALL_NOCB (rc, e,
                *result = SocketHTTP2Ext_Conn_enable_connect_protocol (c->conn));
  return rc;
}

int
go_h2_peer_connect_protocol (GoH2Conn *c)
{
  int r;

  GO_NOCB_ENTER ();
  reset_events (c);
  r = SocketHTTP2Ext_Conn_peer_connect_protocol (c->conn);
  GO_NOCB_LEAVE ();
  return r;
}

const char *
go_h2_error_string (int code)
{
  const char *s;

  GO_NOCB_ENTER ();
  s = SocketHTTP2_error_string ((SocketHTTP2_ErrorCode)code);
  GO_NOCB_LEAVE ();
  return s;
}
