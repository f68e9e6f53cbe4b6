/*
 * SocketHTTP2-conn.c - the HTTP/2 connection (RFC 9113 §3.4, §5, §6.5,
 * §6.7-6.9): preface and SETTINGS exchange, the receive loop, the send
 * queue, PING, GOAWAY, connection flow control, timeouts and the flood
 * budgets. Stream frames are handed to SocketHTTP2-stream.c.
 *
 * Input: Conn_process() reads until the socket would block into a buffer
 * that always has room for the preface plus one frame of the largest
 * MAX_FRAME_SIZE we advertised, handles every complete frame, and moves
 * the rest to the front. Output: every frame is appended to a growable
 * queue that Conn_flush() writes; nothing here writes to the socket
 * elsewhere, so callbacks may send freely.
 *
 * Peer misbehaviour never raises: it becomes GOAWAY (conn_error) and a -1
 * from Conn_process(). Socket exceptions are caught at the two places
 * that touch the socket.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2Ext.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketHTTP2);

/* ===================================================================== */
/* Buffers                                                                */
/* ===================================================================== */

void
SocketHTTP2__buf_free (SocketHTTP2__Buf *b)
{
  free (b->data);
  memset (b, 0, sizeof *b);
}

/* Make room for @p extra bytes after b->len, compacting first; the
 * capacity never exceeds @p limit (0 = unbounded). */
int
SocketHTTP2__buf_reserve (SocketHTTP2__Buf *b, size_t extra, size_t limit)
{
  size_t need, cap;
  unsigned char *p;

  if (b->off > 0 && (b->off == b->len || b->cap - b->len < extra))
    {
      memmove (b->data, b->data + b->off, b->len - b->off);
      b->len -= b->off;
      b->off = 0;
    }
  if (b->cap - b->len >= extra)
    return 0;
  if (extra > SIZE_MAX / 2 - b->len)
    return -1;
  need = b->len + extra;
  if (limit != 0 && need > limit)
    return -1;
  cap = b->cap ? b->cap : 1024;
  while (cap < need)
    cap *= 2;
  if (limit != 0 && cap > limit)
    cap = limit;
  p = realloc (b->data, cap);
  if (p == NULL)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

/* ===================================================================== */
/* Send queue                                                             */
/* ===================================================================== */

unsigned char *
SocketHTTP2__queue_reserve (SocketHTTP2_Conn_T conn, size_t len)
{
  unsigned char *p;

  if (SocketHTTP2__buf_reserve (&conn->out, len, 0) < 0)
    return NULL;
  p = conn->out.data + conn->out.len;
  conn->out.len += len;
  return p;
}

int
SocketHTTP2__queue (SocketHTTP2_Conn_T conn, const void *bytes, size_t len)
{
  unsigned char *p = SocketHTTP2__queue_reserve (conn, len);

  if (p == NULL)
    return -1;
  memcpy (p, bytes, len);
  return 0;
}

int
SocketHTTP2__queue_rst (SocketHTTP2_Conn_T conn, uint32_t stream_id, SocketHTTP2_ErrorCode code)
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 4];

  return SocketHTTP2__queue (conn, f, SocketHTTP2__write_rst_stream (f, stream_id, code));
}

static int
queue_window_update (SocketHTTP2_Conn_T conn, uint32_t stream_id, uint32_t increment)
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 4];

  return SocketHTTP2__queue (conn, f, SocketHTTP2__write_window_update (f, stream_id, increment));
}

static size_t
queued_bytes (SocketHTTP2_Conn_T conn)
{
  return conn->out.len - conn->out.off;
}

/* ===================================================================== */
/* Errors, events and budgets                                             */
/* ===================================================================== */

static void
emit_conn (SocketHTTP2_Conn_T conn, int event)
{
  if (conn->conn_cb != NULL)
    conn->conn_cb (conn, event, conn->conn_cb_data);
}

int
SocketHTTP2__conn_error (SocketHTTP2_Conn_T conn, SocketHTTP2_ErrorCode code)
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 8];

  if (conn->failed)
    return -1;
  conn->failed = 1;
  conn->error = code;
  conn->goaway_sent = 1;
  conn->goaway_sent_code = code;
  conn->goaway_sent_last_id = conn->last_stream_id;
  conn->hb_stream = 0;
  (void)SocketHTTP2__queue (conn, f, SocketHTTP2__write_goaway (f, conn->last_stream_id, code, NULL, 0));
  emit_conn (conn, HTTP2_EVENT_CONNECTION_ERROR);
  return -1;
}

int
SocketHTTP2__budget_take (SocketHTTP2__Budget *b, double rate, double burst)
{
  int64_t now = Socket_get_monotonic_ms ();

  if (b->last_ms == 0)
    b->tokens = burst;
  else if (now > b->last_ms)
    {
      b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
      if (b->tokens > burst)
        b->tokens = burst;
    }
  b->last_ms = now;
  if (b->tokens < 1.0)
    return 0;
  b->tokens -= 1.0;
  return 1;
}

/* Useful work pays back a token (never above the burst). */
void
SocketHTTP2__budget_earn (SocketHTTP2__Budget *b, double burst)
{
  if (b->last_ms != 0 && b->tokens + 1.0 <= burst)
    b->tokens += 1.0;
}

/* Credit consumed connection window; a WINDOW_UPDATE goes out once half
 * of the configured window has been consumed, keeping the peer busy
 * without a frame per DATA frame. */
void
SocketHTTP2__credit_conn (SocketHTTP2_Conn_T conn, uint32_t bytes)
{
  uint32_t target = conn->config.connection_window_size;

  if (bytes == 0 || conn->failed)
    return;
  conn->recv_unacked += bytes;
  if (conn->recv_unacked >= target / 2 && conn->recv_window + conn->recv_unacked <= HTTP2_MAX_WINDOW)
    {
      if (queue_window_update (conn, 0, conn->recv_unacked) == 0)
        {
          conn->recv_window += conn->recv_unacked;
          conn->recv_unacked = 0;
        }
    }
}

/* ===================================================================== */
/* Creation                                                               */
/* ===================================================================== */

static void
clamp_config (SocketHTTP2_Config *c)
{
  if (c->max_frame_size < SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE)
    c->max_frame_size = SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE;
  if (c->max_frame_size > SOCKETHTTP2_MAX_MAX_FRAME_SIZE)
    c->max_frame_size = SOCKETHTTP2_MAX_MAX_FRAME_SIZE;
  if (c->initial_window_size > HTTP2_MAX_WINDOW)
    c->initial_window_size = HTTP2_MAX_WINDOW;
  if (c->connection_window_size > HTTP2_MAX_WINDOW)
    c->connection_window_size = HTTP2_MAX_WINDOW;
  if (c->connection_window_size < SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE)
    c->connection_window_size = SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
  if (c->max_concurrent_streams > SOCKETHTTP2_MAX_STREAMS)
    c->max_concurrent_streams = SOCKETHTTP2_MAX_STREAMS;
  if (c->enable_push > 1)
    c->enable_push = 1;
  if (c->header_table_size > SOCKETHPACK_MAX_TABLE_SIZE)
    c->header_table_size = SOCKETHPACK_MAX_TABLE_SIZE;
  if (c->max_header_list_size == 0)
    c->max_header_list_size = SOCKETHTTP2_DEFAULT_MAX_HEADER_LIST_SIZE;
  /* Decoding sizes its field array from this (one field per 32 bytes). */
  if (c->max_header_list_size > HTTP2_MAX_HEADER_LIST_CAP)
    c->max_header_list_size = HTTP2_MAX_HEADER_LIST_CAP;
}

static void
rfc_defaults (uint32_t *v)
{
  v[HTTP2_SETTINGS_HEADER_TABLE_SIZE] = SOCKETHTTP2_DEFAULT_HEADER_TABLE_SIZE;
  v[HTTP2_SETTINGS_ENABLE_PUSH] = 1;
  v[HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS] = 0xffffffffu;
  v[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE] = SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
  v[HTTP2_SETTINGS_MAX_FRAME_SIZE] = SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE;
  v[HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE] = 0xffffffffu;
}

static void
init_codecs (SocketHTTP2_Conn_T conn)
{
  SocketHPACK_EncoderConfig ec;
  SocketHPACK_DecoderConfig dc;

  SocketHPACK_encoder_config_defaults (&ec);
  conn->encoder = SocketHPACK_Encoder_new (&ec, conn->arena);
  SocketHPACK_decoder_config_defaults (&dc);
  dc.max_table_size = conn->config.header_table_size;
  dc.max_header_list_size = conn->config.max_header_list_size;
  /* One field may use the whole list (a large cookie is legitimate). */
  dc.max_header_size = dc.max_header_list_size;
  conn->decoder = SocketHPACK_Decoder_new (&dc, conn->arena);
}

static void
release_memory (SocketHTTP2_Conn_T conn)
{
  SocketHTTP2__stream_remove_closed (conn, 1);
  SocketHTTP2__buf_free (&conn->in);
  SocketHTTP2__buf_free (&conn->out);
  SocketHTTP2__buf_free (&conn->hb);
  SocketHTTP2__buf_free (&conn->goaway_debug);
  free (conn->hb_fields);
  conn->hb_fields = NULL;
  free (conn->buckets);
  conn->buckets = NULL;
  if (conn->scratch != NULL)
    Arena_dispose (&conn->scratch);
}

/* Conn_new without the socket check: NULL makes a memory-I/O connection
 * (SocketHTTP2Ext.h). */
static SocketHTTP2_Conn_T
conn_create (Socket_T socket, const SocketHTTP2_Config *config, Arena_T arena)
{
  SocketHTTP2_Conn_T volatile conn = NULL;
  volatile int ok = 0;

  TRY
  {
    conn = CALLOC (arena, 1, sizeof *conn);
    conn->socket = socket;
    conn->arena = arena;
    if (config != NULL)
      conn->config = *config;
    else
      SocketHTTP2_config_defaults (&conn->config, HTTP2_ROLE_CLIENT);
    clamp_config (&conn->config);
    rfc_defaults (conn->local);
    rfc_defaults (conn->peer);
    conn->local_sent[HTTP2_SETTINGS_HEADER_TABLE_SIZE] = conn->config.header_table_size;
    conn->local_sent[HTTP2_SETTINGS_ENABLE_PUSH] = conn->config.enable_push;
    conn->local_sent[HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS] = conn->config.max_concurrent_streams;
    conn->local_sent[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE] = conn->config.initial_window_size;
    conn->local_sent[HTTP2_SETTINGS_MAX_FRAME_SIZE] = conn->config.max_frame_size;
    conn->local_sent[HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE] = conn->config.max_header_list_size;
    conn->send_window = SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
    conn->recv_window = SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
    conn->next_stream_id = conn->config.role == HTTP2_ROLE_CLIENT ? 1 : 2;
    conn->preface_received = conn->config.role == HTTP2_ROLE_CLIENT;
    conn->last_recv_ms = Socket_get_monotonic_ms ();
    conn->nonblocking = -1;
    conn->stall_timeout_ms = conn->config.idle_timeout_ms > 0 ? conn->config.idle_timeout_ms : HTTP2_STALL_TIMEOUT_MS;
    init_codecs (conn);
    conn->scratch = Arena_new ();
    conn->buckets = calloc (HTTP2_STREAM_HASH_SIZE, sizeof *conn->buckets);
    if (conn->buckets != NULL
        && SocketHTTP2__buf_reserve (&conn->in, HTTP2_PREFACE_SIZE + HTTP2_FRAME_HEADER_SIZE
                                                    + conn->config.max_frame_size, 0)
               == 0)
      ok = 1;
  }
  EXCEPT (Arena_Failed) { ok = 0; }
  EXCEPT (SocketHPACK_Error) { ok = 0; }
  END_TRY;
  if (!ok)
    {
      if (conn != NULL)
        release_memory (conn);
      SOCKET_RAISE_MSG (SocketHTTP2, SocketHTTP2_ProtocolError, "Failed to allocate HTTP/2 connection");
    }
  return conn;
}

SocketHTTP2_Conn_T
SocketHTTP2_Conn_new (Socket_T socket, const SocketHTTP2_Config *config, Arena_T arena)
{
  assert (socket != NULL && arena != NULL);
  return conn_create (socket, config, arena);
}

SocketHTTP2_Conn_T
SocketHTTP2Ext_Conn_new_io (const SocketHTTP2_Config *config, Arena_T arena)
{
  if (arena == NULL)
    SOCKET_RAISE_MSG (SocketHTTP2, SocketHTTP2_ProtocolError, "SocketHTTP2Ext_Conn_new_io: NULL arena");
  return conn_create (NULL, config, arena);
}

void
SocketHTTP2_Conn_free (SocketHTTP2_Conn_T *conn)
{
  SocketHTTP2_Stream_T s, next;

  if (conn == NULL || *conn == NULL)
    return;
  /* Streams still open end here: their last event lets the application
   * release its userdata. Nothing is sent. */
  (*conn)->failed = 1;
  for (s = (*conn)->streams; s != NULL; s = next)
    {
      next = s->next;
      if (s->state != HTTP2_STREAM_STATE_CLOSED)
        SocketHTTP2__stream_reset (s, SOCKETHTTP2EXT_RESET_LOCAL, HTTP2_CANCEL);
    }
  release_memory (*conn);
  SocketHPACK_Encoder_free (&(*conn)->encoder);
  SocketHPACK_Decoder_free (&(*conn)->decoder);
  *conn = NULL;
}

/* ===================================================================== */
/* Handshake and SETTINGS                                                 */
/* ===================================================================== */

/* Queue a SETTINGS frame and remember it until acknowledged. */
static int
send_settings (SocketHTTP2_Conn_T conn, const SocketHTTP2_Setting *s, size_t count, int initial)
{
  SocketHTTP2__PendingSettings *p;
  unsigned char *f;
  size_t i;

  if (conn->pending_count >= HTTP2_PENDING_SETTINGS_MAX)
    return -1;
  f = SocketHTTP2__queue_reserve (conn, HTTP2_FRAME_HEADER_SIZE + count * 6);
  if (f == NULL)
    return -1;
  SocketHTTP2__write_settings (f, s, count);
  p = &conn->pending[conn->pending_count++];
  memset (p, 0, sizeof *p);
  p->sent_ms = Socket_get_monotonic_ms ();
  p->initial = initial;
  for (i = 0; i < count; i++)
    if (s[i].id >= 1 && s[i].id <= HTTP2_SETTINGS_COUNT)
      {
        p->values[s[i].id] = s[i].value;
        p->mask |= 1u << s[i].id;
        conn->local_sent[s[i].id] = s[i].value;
      }
  return 0;
}

/* The SETTINGS of our preface: limits always, others when they differ
 * from the RFC defaults. A server never sends ENABLE_PUSH (§6.5.2). */
static int
send_initial_settings (SocketHTTP2_Conn_T conn)
{
  const SocketHTTP2_Config *c = &conn->config;
  SocketHTTP2_Setting s[HTTP2_SETTINGS_COUNT + 1];
  size_t n = 0;

  if (c->header_table_size != SOCKETHTTP2_DEFAULT_HEADER_TABLE_SIZE)
    s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_HEADER_TABLE_SIZE, c->header_table_size };
  if (c->role == HTTP2_ROLE_CLIENT && c->enable_push != 1)
    s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_ENABLE_PUSH, c->enable_push };
  s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->max_concurrent_streams };
  if (c->initial_window_size != SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE)
    s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, c->initial_window_size };
  if (c->max_frame_size != SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE)
    s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_MAX_FRAME_SIZE, c->max_frame_size };
  s[n++] = (SocketHTTP2_Setting){ HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, c->max_header_list_size };
  if (conn->connect_protocol_sent)
    s[n++] = (SocketHTTP2_Setting){ (SocketHTTP2_SettingsId)HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1 };
  return send_settings (conn, s, n, 1);
}

void
SocketHTTP2__ensure_started (SocketHTTP2_Conn_T conn)
{
  uint32_t extra;

  if (conn->handshake_started || conn->failed)
    return;
  conn->handshake_started = 1;
  if (conn->config.role == HTTP2_ROLE_CLIENT
      && SocketHTTP2__queue (conn, SocketHTTP2__preface, HTTP2_PREFACE_SIZE) < 0)
    goto fail;
  if (send_initial_settings (conn) < 0)
    goto fail;
  extra = conn->config.connection_window_size - SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
  if (extra > 0)
    {
      if (queue_window_update (conn, 0, extra) < 0)
        goto fail;
      conn->recv_window += extra;
    }
  return;
fail:
  conn->failed = 1;
  conn->error = HTTP2_INTERNAL_ERROR;
}

int
SocketHTTP2_Conn_handshake (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  SocketHTTP2__ensure_started (conn);
  if (conn->failed)
    return -1;
  return conn->initial_settings_acked && conn->peer_settings_seen ? 0 : 1;
}

/* Our SETTINGS were acknowledged: the oldest pending values take effect. */
static void
apply_settings_ack (SocketHTTP2_Conn_T conn)
{
  SocketHTTP2__PendingSettings p = conn->pending[0];
  SocketHTTP2_Stream_T s;
  int id;

  memmove (&conn->pending[0], &conn->pending[1], (size_t)(conn->pending_count - 1) * sizeof p);
  conn->pending_count--;
  for (id = 1; id <= HTTP2_SETTINGS_COUNT; id++)
    {
      uint32_t old = conn->local[id];
      if (!(p.mask & (1u << id)))
        continue;
      conn->local[id] = p.values[id];
      if (id == HTTP2_SETTINGS_INITIAL_WINDOW_SIZE)
        for (s = conn->streams; s != NULL; s = s->next)
          s->recv_window += (int64_t)p.values[id] - (int64_t)old;
      else if (id == HTTP2_SETTINGS_HEADER_TABLE_SIZE)
        SocketHPACK_Decoder_set_table_size (conn->decoder, p.values[id]);
    }
  if (p.initial)
    conn->initial_settings_acked = 1;
  emit_conn (conn, HTTP2_EVENT_SETTINGS_ACK);
}

/* Apply one validated peer setting. */
static int
apply_peer_setting (SocketHTTP2_Conn_T conn, const SocketHTTP2_Setting *s)
{
  uint32_t old;

  if (s->id == HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL)
    conn->connect_protocol_peer = s->value == 1;
  if (s->id < 1 || s->id > HTTP2_SETTINGS_COUNT)
    return 0; /* §6.5.2: unknown settings are ignored */
  old = conn->peer[s->id];
  conn->peer[s->id] = s->value;
  if (s->id == HTTP2_SETTINGS_HEADER_TABLE_SIZE)
    SocketHPACK_Encoder_set_table_size (conn->encoder, s->value);
  else if (s->id == HTTP2_SETTINGS_INITIAL_WINDOW_SIZE)
    return SocketHTTP2__apply_initial_window (conn, old, s->value);
  return 0;
}

static int
handle_settings (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  unsigned char ack[HTTP2_FRAME_HEADER_SIZE];
  size_t i;

  if (!SocketHTTP2__budget_take (&conn->budget_settings, HTTP2_SETTINGS_RATE, HTTP2_SETTINGS_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  if (h->flags & HTTP2_FLAG_ACK)
    {
      if (conn->pending_count > 0)
        apply_settings_ack (conn);
      return 0;
    }
  for (i = 0; i < h->length / 6; i++)
    {
      SocketHTTP2_Setting s;
      SocketHTTP2__Check c;
      SocketHTTP2__setting_get (payload, i, &s);
      c = SocketHTTP2__setting_check (s.id, s.value);
      if (c.code != HTTP2_NO_ERROR)
        return SocketHTTP2__conn_error (conn, c.code);
      if (s.id == HTTP2_SETTINGS_ENABLE_PUSH && s.value == 1 && conn->config.role == HTTP2_ROLE_CLIENT)
        return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
      /* RFC 8441 §3: 0 or 1, and never back to 0 once 1. */
      if (s.id == HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL
          && (s.value > 1 || (s.value == 0 && conn->connect_protocol_peer)))
        return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
    }
  if (queued_bytes (conn) > HTTP2_CONTROL_QUEUE_MAX)
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  /* The ACK goes before anything the new values let us send (a DATA
   * frame unblocked by a larger window), as the peer expects. */
  SocketHTTP2__write_frame (ack, HTTP2_FRAME_SETTINGS, HTTP2_FLAG_ACK, 0, NULL, 0);
  if (SocketHTTP2__queue (conn, ack, sizeof ack) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  conn->peer_settings_seen = 1;
  for (i = 0; i < h->length / 6; i++)
    {
      SocketHTTP2_Setting s;
      SocketHTTP2__setting_get (payload, i, &s);
      if (apply_peer_setting (conn, &s) < 0)
        return -1;
    }
  return 0;
}

/* ===================================================================== */
/* PING, GOAWAY, connection WINDOW_UPDATE                                 */
/* ===================================================================== */

static int
handle_ping (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 8];

  if (h->flags & HTTP2_FLAG_ACK)
    {
      if (conn->ping_pending && memcmp (payload, conn->ping_opaque, 8) == 0)
        {
          conn->ping_pending = 0;
          emit_conn (conn, HTTP2_EVENT_PING_ACK);
        }
      return 0;
    }
  if (!SocketHTTP2__budget_take (&conn->budget_ping, HTTP2_PING_RATE, HTTP2_PING_BURST)
      || queued_bytes (conn) > HTTP2_CONTROL_QUEUE_MAX)
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  return SocketHTTP2__queue (conn, f, SocketHTTP2__write_ping (f, payload, 1));
}

/* Keep the code and (a capped copy of) the debug data for
 * SocketHTTP2Ext_Conn_goaway_received(); the input buffer is reused. */
static void
record_goaway (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  size_t n = h->length - 8;

  if (n > HTTP2_GOAWAY_DEBUG_MAX)
    n = HTTP2_GOAWAY_DEBUG_MAX;
  conn->goaway_code = SocketHTTP2__u32 (payload + 4);
  conn->goaway_debug.off = conn->goaway_debug.len = 0;
  if (n > 0 && SocketHTTP2__buf_reserve (&conn->goaway_debug, n, 0) == 0)
    {
      memcpy (conn->goaway_debug.data, payload + 8, n);
      conn->goaway_debug.len = n;
    }
}

static int
handle_goaway (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  uint32_t last = SocketHTTP2__u31 (payload);

  record_goaway (conn, h, payload);

  /* A later GOAWAY may only lower the last-stream-id (§6.8). */
  if (!conn->goaway_received || last < conn->goaway_last_id)
    conn->goaway_last_id = last;
  conn->goaway_received = 1;
  SocketHTTP2__streams_goaway (conn, conn->goaway_last_id);
  emit_conn (conn, HTTP2_EVENT_GOAWAY_RECEIVED);
  return 0;
}

static int
handle_conn_window_update (SocketHTTP2_Conn_T conn, const unsigned char *payload)
{
  uint32_t inc = SocketHTTP2__u31 (payload);
  SocketHTTP2_Stream_T s, next;

  if (inc == 0)
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (conn->send_window + inc > (int64_t)HTTP2_MAX_WINDOW)
    return SocketHTTP2__conn_error (conn, HTTP2_FLOW_CONTROL_ERROR);
  conn->send_window += inc;
  /* Wake the streams that were short of window. */
  for (s = conn->streams; s != NULL && conn->send_window > 0; s = next)
    {
      next = s->next;
      if (s->send_blocked && s->send_window > 0)
        {
          s->send_blocked = 0;
          SocketHTTP2__stream_emit (s, HTTP2_EVENT_WINDOW_UPDATE);
        }
    }
  return 0;
}

/* ===================================================================== */
/* Receive loop                                                           */
/* ===================================================================== */

static int
dispatch (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  /* §6.10: nothing may interleave with a header block, not even an
   * unknown frame type. */
  if (conn->hb_stream != 0 && (h->type != HTTP2_FRAME_CONTINUATION || h->stream_id != conn->hb_stream))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  switch (h->type)
    {
    case HTTP2_FRAME_SETTINGS:
      return handle_settings (conn, h, payload);
    case HTTP2_FRAME_PING:
      return handle_ping (conn, h, payload);
    case HTTP2_FRAME_GOAWAY:
      return handle_goaway (conn, h, payload);
    case HTTP2_FRAME_WINDOW_UPDATE:
      if (h->stream_id == 0)
        return handle_conn_window_update (conn, payload);
      return SocketHTTP2__stream_frame (conn, h, payload);
    case HTTP2_FRAME_DATA:
    case HTTP2_FRAME_HEADERS:
    case HTTP2_FRAME_PRIORITY:
    case HTTP2_FRAME_RST_STREAM:
    case HTTP2_FRAME_PUSH_PROMISE:
    case HTTP2_FRAME_CONTINUATION:
      return SocketHTTP2__stream_frame (conn, h, payload);
    default:
      return 0; /* §5.5: unknown frame types are ignored */
    }
}

/* Largest frame we may receive: the biggest MAX_FRAME_SIZE we announced,
 * acknowledged or not. */
static uint32_t
recv_frame_limit (SocketHTTP2_Conn_T conn)
{
  uint32_t a = conn->local[HTTP2_SETTINGS_MAX_FRAME_SIZE];
  uint32_t b = conn->local_sent[HTTP2_SETTINGS_MAX_FRAME_SIZE];
  return a > b ? a : b;
}

static int
check_preface (SocketHTTP2_Conn_T conn)
{
  size_t avail = conn->in.len - conn->in.off;
  size_t n = avail < HTTP2_PREFACE_SIZE ? avail : HTTP2_PREFACE_SIZE;

  if (memcmp (conn->in.data + conn->in.off, SocketHTTP2__preface, n) != 0)
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (n < HTTP2_PREFACE_SIZE)
    return 0;
  conn->in.off += HTTP2_PREFACE_SIZE;
  conn->preface_received = 1;
  return 0;
}

/* Handle every complete frame in the input buffer. */
static int
consume (SocketHTTP2_Conn_T conn)
{
  SocketHTTP2_FrameHeader h;
  SocketHTTP2__Check c;
  const unsigned char *p;

  while (!conn->failed)
    {
      if (!conn->preface_received)
        {
          if (check_preface (conn) < 0)
            return -1;
          if (!conn->preface_received)
            break;
        }
      if (conn->in.len - conn->in.off < HTTP2_FRAME_HEADER_SIZE)
        break;
      p = conn->in.data + conn->in.off;
      SocketHTTP2_frame_header_parse (p, &h);
      /* §3.4: the peer's preface starts with a non-ACK SETTINGS. */
      if (!conn->peer_settings_seen && (h.type != HTTP2_FRAME_SETTINGS || (h.flags & HTTP2_FLAG_ACK)))
        return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
      c = SocketHTTP2__frame_check (&h, recv_frame_limit (conn));
      if (c.code != HTTP2_NO_ERROR && !c.stream_error)
        return SocketHTTP2__conn_error (conn, c.code);
      if (conn->in.len - conn->in.off < HTTP2_FRAME_HEADER_SIZE + (size_t)h.length)
        break;
      conn->in.off += HTTP2_FRAME_HEADER_SIZE + h.length;
      if (c.code != HTTP2_NO_ERROR)
        {
          if (SocketHTTP2__queue_rst (conn, h.stream_id, c.code) < 0)
            return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
          continue;
        }
      if (dispatch (conn, &h, p + HTTP2_FRAME_HEADER_SIZE) < 0)
        return -1;
    }
  if (conn->in.off == conn->in.len)
    conn->in.off = conn->in.len = 0;
  return conn->failed ? -1 : 0;
}

static int
socket_is_nonblocking (Socket_T socket)
{
  int flags = fcntl (Socket_fd (socket), F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK);
}

/* One recv into the free space; 0 would block, -1 closed or failed. */
static ssize_t
read_some (SocketHTTP2_Conn_T conn)
{
  volatile ssize_t n = -1;
  size_t need = HTTP2_PREFACE_SIZE + HTTP2_FRAME_HEADER_SIZE + recv_frame_limit (conn);

  if (SocketHTTP2__buf_reserve (&conn->in, need - (conn->in.len - conn->in.off), 0) < 0)
    return -1;
  TRY { n = Socket_recv (conn->socket, conn->in.data + conn->in.len, conn->in.cap - conn->in.len); }
  EXCEPT (Socket_Closed) { n = -1; }
  EXCEPT (Socket_Failed) { n = -1; }
  END_TRY;
  if (n > 0)
    conn->in.len += (size_t)n;
  return n;
}

/* Keepalive: a PING once the peer has been silent for keepalive_ms
 * (one per silence: its ACK is input and restarts the clock); with
 * ping_timeout_ms set, a peer that stays silent is then dropped. */
static void
maybe_keepalive (SocketHTTP2_Conn_T conn, int64_t now)
{
  if (conn->keepalive_ms > 0 && !conn->ping_pending && conn->handshake_started
      && now - conn->last_recv_ms >= conn->keepalive_ms)
    (void)SocketHTTP2_Conn_ping (conn, NULL);
}

static int
check_timeouts (SocketHTTP2_Conn_T conn)
{
  int64_t now = Socket_get_monotonic_ms ();
  const SocketHTTP2_Config *c = &conn->config;

  if (c->settings_timeout_ms > 0 && conn->pending_count > 0
      && now - conn->pending[0].sent_ms > c->settings_timeout_ms)
    return SocketHTTP2__conn_error (conn, HTTP2_SETTINGS_TIMEOUT);
  if (c->ping_timeout_ms > 0 && conn->ping_pending && now - conn->ping_sent_ms > c->ping_timeout_ms)
    return SocketHTTP2__conn_error (conn, HTTP2_NO_ERROR);
  if (c->idle_timeout_ms > 0 && now - conn->last_recv_ms > c->idle_timeout_ms)
    return SocketHTTP2__conn_error (conn, HTTP2_NO_ERROR);
  maybe_keepalive (conn, now);
  SocketHTTP2__streams_check_stalled (conn, now);
  return conn->failed ? -1 : 0;
}

/* Lower *@p next to the deadline @p at (check_timeouts fires once
 * "now - start > timeout", one millisecond after start + timeout). */
static void
deadline_min (int64_t *next, int64_t at)
{
  if (*next < 0 || at < *next)
    *next = at;
}

int
SocketHTTP2Ext_Conn_next_timeout_ms (SocketHTTP2_Conn_T conn)
{
  const SocketHTTP2_Config *c;
  SocketHTTP2_Stream_T s;
  int64_t next = -1, now;

  assert (conn != NULL);
  if (conn->failed)
    return -1;
  c = &conn->config;
  if (c->settings_timeout_ms > 0 && conn->pending_count > 0)
    deadline_min (&next, conn->pending[0].sent_ms + c->settings_timeout_ms + 1);
  if (c->ping_timeout_ms > 0 && conn->ping_pending)
    deadline_min (&next, conn->ping_sent_ms + c->ping_timeout_ms + 1);
  if (c->idle_timeout_ms > 0)
    deadline_min (&next, conn->last_recv_ms + c->idle_timeout_ms + 1);
  if (conn->keepalive_ms > 0 && !conn->ping_pending && conn->handshake_started)
    deadline_min (&next, conn->last_recv_ms + conn->keepalive_ms);
  for (s = conn->streams; s != NULL; s = s->next)
    if (s->stalled_since_ms != 0 && s->state != HTTP2_STREAM_STATE_CLOSED)
      deadline_min (&next, s->stalled_since_ms + conn->stall_timeout_ms + 1);
  if (next < 0)
    return -1;
  now = Socket_get_monotonic_ms ();
  if (next <= now)
    return 0;
  return next - now > INT32_MAX ? INT32_MAX : (int)(next - now);
}

void
SocketHTTP2Ext_Conn_set_keepalive (SocketHTTP2_Conn_T conn, int idle_ms)
{
  assert (conn != NULL);
  conn->keepalive_ms = idle_ms > 0 ? idle_ms : 0;
}

/* Sampled once: fcntl on every call cost 15 % of a busy server's
 * system calls. */
static int
process_is_nonblocking (SocketHTTP2_Conn_T conn)
{
  if (conn->nonblocking < 0)
    conn->nonblocking = socket_is_nonblocking (conn->socket);
  return conn->nonblocking;
}

/* The read loop of Conn_process (callbacks run from here). */
static int
process_input (SocketHTTP2_Conn_T conn)
{
  int nonblocking = process_is_nonblocking (conn);
  ssize_t n;
  do
    {
      /* Backpressure: a peer that sends requests but does not read our
       * answers stops being read once the queue is over its bound. */
      if (queued_bytes (conn) > HTTP2_CONTROL_QUEUE_MAX)
        break;
      n = read_some (conn);
      if (n < 0)
        {
          conn->failed = 1;
          return -1;
        }
      if (n == 0)
        break;
      conn->last_recv_ms = Socket_get_monotonic_ms ();
      if (consume (conn) < 0)
        return -1;
    }
  while (nonblocking);
  return 0;
}

int
SocketHTTP2_Conn_process (SocketHTTP2_Conn_T conn, unsigned events)
{
  int rc;

  assert (conn != NULL);
  if (conn->failed)
    return -1;
  /* From a callback: the running call already handles the input. */
  if (conn->in_process)
    return 0;
  SocketHTTP2__ensure_started (conn);
  SocketHTTP2__stream_remove_closed (conn, 0);
  if (conn->failed || check_timeouts (conn) < 0)
    return -1;
  if (conn->socket == NULL)
    return 0; /* memory I/O: input comes through SocketHTTP2Ext_Conn_input */
  /* A blocking socket is read only when the caller says it is readable:
   * events 0 is a timer tick (timeouts above) and must not wait. */
  if (events == 0 && !process_is_nonblocking (conn))
    return 0;
  conn->in_process = 1;
  rc = process_input (conn);
  conn->in_process = 0;
  return rc;
}

int
SocketHTTP2Ext_Conn_input (SocketHTTP2_Conn_T conn, const void *data, size_t len, size_t *consumed)
{
  size_t off = 0, need, n;
  int rc = 0;

  assert (conn != NULL && consumed != NULL && (data != NULL || len == 0));
  *consumed = 0;
  if (conn->failed)
    return -1;
  if (conn->in_process)
    return 0;
  SocketHTTP2__ensure_started (conn);
  SocketHTTP2__stream_remove_closed (conn, 0);
  if (conn->failed || check_timeouts (conn) < 0)
    return -1;
  conn->in_process = 1;
  while (off < len && queued_bytes (conn) <= HTTP2_CONTROL_QUEUE_MAX)
    {
      need = HTTP2_PREFACE_SIZE + HTTP2_FRAME_HEADER_SIZE + recv_frame_limit (conn);
      if (SocketHTTP2__buf_reserve (&conn->in, need - (conn->in.len - conn->in.off), 0) < 0)
        {
          rc = SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
          break;
        }
      n = conn->in.cap - conn->in.len;
      if (n > len - off)
        n = len - off;
      memcpy (conn->in.data + conn->in.len, (const unsigned char *)data + off, n);
      conn->in.len += n;
      off += n;
      conn->last_recv_ms = Socket_get_monotonic_ms ();
      if (consume (conn) < 0)
        {
          rc = -1;
          break;
        }
    }
  conn->in_process = 0;
  *consumed = off;
  return rc;
}

const unsigned char *
SocketHTTP2Ext_Conn_output (SocketHTTP2_Conn_T conn, size_t *len)
{
  assert (conn != NULL && len != NULL);
  SocketHTTP2__ensure_started (conn);
  *len = queued_bytes (conn);
  return *len > 0 ? conn->out.data + conn->out.off : NULL;
}

void
SocketHTTP2Ext_Conn_output_consumed (SocketHTTP2_Conn_T conn, size_t n)
{
  assert (conn != NULL);
  if (n > queued_bytes (conn))
    n = queued_bytes (conn);
  conn->out.off += n;
  if (conn->out.off == conn->out.len)
    conn->out.off = conn->out.len = 0;
}

int
SocketHTTP2_Conn_flush (SocketHTTP2_Conn_T conn)
{
  volatile ssize_t n = 0;

  assert (conn != NULL);
  SocketHTTP2__ensure_started (conn);
  if (conn->socket == NULL)
    return queued_bytes (conn) > 0 ? 1 : 0; /* memory I/O: the caller drains */
  while (conn->out.off < conn->out.len)
    {
      TRY { n = Socket_send (conn->socket, conn->out.data + conn->out.off, conn->out.len - conn->out.off); }
      EXCEPT (Socket_Closed) { n = -1; }
      EXCEPT (Socket_Failed) { n = -1; }
      END_TRY;
      if (n < 0)
        {
          conn->failed = 1;
          return -1;
        }
      if (n == 0)
        return 1;
      conn->out.off += (size_t)n;
    }
  conn->out.off = conn->out.len = 0;
  return 0;
}

/* ===================================================================== */
/* Public connection calls                                                */
/* ===================================================================== */

Socket_T
SocketHTTP2_Conn_socket (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return conn->socket;
}

int
SocketHTTP2_Conn_is_closed (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return conn->goaway_sent || conn->goaway_received || conn->failed;
}

Arena_T
SocketHTTP2_Conn_arena (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return conn->arena;
}

int
SocketHTTP2_Conn_settings (SocketHTTP2_Conn_T conn, const SocketHTTP2_Setting *settings, size_t count)
{
  size_t i;

  assert (conn != NULL && (settings != NULL || count == 0));
  if (conn->failed || count > 64)
    return -1;
  for (i = 0; i < count; i++)
    {
      const SocketHTTP2_Setting *st = &settings[i];
      if (SocketHTTP2__setting_check (st->id, st->value).code != HTTP2_NO_ERROR)
        return -1;
      /* The HPACK decoder was sized from the configuration: promising
       * more than it accepts would turn valid peers into errors. */
      if ((st->id == HTTP2_SETTINGS_HEADER_TABLE_SIZE && st->value > conn->config.header_table_size)
          || (st->id == HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE && st->value > conn->config.max_header_list_size))
        return -1;
      if ((unsigned)st->id == HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL
          && (st->value > 1 || (st->value == 0 && conn->connect_protocol_sent)))
        return -1; /* RFC 8441 §3 */
    }
  SocketHTTP2__ensure_started (conn);
  if (send_settings (conn, settings, count, 0) < 0)
    return -1;
  for (i = 0; i < count; i++)
    if ((unsigned)settings[i].id == HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL && settings[i].value == 1)
      conn->connect_protocol_sent = 1;
  /* A larger frame size must fit the receive buffer from now on. */
  if (SocketHTTP2__buf_reserve (&conn->in, HTTP2_PREFACE_SIZE + HTTP2_FRAME_HEADER_SIZE + recv_frame_limit (conn),
                                0)
      < 0)
    return -1;
  return 0;
}

uint32_t
SocketHTTP2_Conn_get_setting (SocketHTTP2_Conn_T conn, SocketHTTP2_SettingsId id)
{
  assert (conn != NULL);
  if ((unsigned)id < 1 || (unsigned)id > HTTP2_SETTINGS_COUNT)
    return 0;
  return conn->peer[id];
}

uint32_t
SocketHTTP2_Conn_get_local_setting (SocketHTTP2_Conn_T conn, SocketHTTP2_SettingsId id)
{
  assert (conn != NULL);
  if ((unsigned)id < 1 || (unsigned)id > HTTP2_SETTINGS_COUNT)
    return 0;
  return conn->local_sent[id];
}

int
SocketHTTP2_Conn_ping (SocketHTTP2_Conn_T conn, const unsigned char opaque[8])
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 8];
  int64_t now = Socket_get_monotonic_ms ();

  assert (conn != NULL);
  if (conn->failed)
    return -1;
  SocketHTTP2__ensure_started (conn);
  if (opaque != NULL)
    memcpy (conn->ping_opaque, opaque, 8);
  else
    memcpy (conn->ping_opaque, &now, 8);
  if (SocketHTTP2__queue (conn, f, SocketHTTP2__write_ping (f, conn->ping_opaque, 0)) < 0)
    return -1;
  conn->ping_pending = 1;
  conn->ping_sent_ms = now;
  return 0;
}

int
SocketHTTP2_Conn_goaway (SocketHTTP2_Conn_T conn, SocketHTTP2_ErrorCode error_code, const void *debug_data,
                         size_t debug_len)
{
  unsigned char *f;
  size_t max_debug;

  if (conn == NULL)
    return -1;
  if (debug_data == NULL)
    debug_len = 0;
  max_debug = conn->peer[HTTP2_SETTINGS_MAX_FRAME_SIZE] - 8;
  if (debug_len > max_debug)
    debug_len = max_debug;
  SocketHTTP2__ensure_started (conn);
  conn->goaway_sent = 1;
  conn->goaway_sent_code = (uint32_t)error_code;
  conn->goaway_sent_last_id = conn->last_stream_id;
  f = SocketHTTP2__queue_reserve (conn, HTTP2_FRAME_HEADER_SIZE + 8 + debug_len);
  if (f == NULL)
    return -1;
  SocketHTTP2__write_goaway (f, conn->last_stream_id, error_code, debug_data, debug_len);
  return 0;
}

uint32_t
SocketHTTP2_Conn_last_stream_id (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return conn->last_stream_id;
}

int
SocketHTTP2_Conn_window_update (SocketHTTP2_Conn_T conn, uint32_t increment)
{
  assert (conn != NULL);
  if (increment == 0 || increment > HTTP2_MAX_WINDOW || conn->failed
      || conn->recv_window + increment > (int64_t)HTTP2_MAX_WINDOW)
    return -1;
  SocketHTTP2__ensure_started (conn);
  if (queue_window_update (conn, 0, increment) < 0)
    return -1;
  conn->recv_window += increment;
  return 0;
}

int32_t
SocketHTTP2_Conn_send_window (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return (int32_t)conn->send_window;
}

int32_t
SocketHTTP2_Conn_recv_window (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return (int32_t)conn->recv_window;
}

void
SocketHTTP2_Conn_set_stream_callback (SocketHTTP2_Conn_T conn, SocketHTTP2_StreamCallback callback,
                                      void *userdata)
{
  assert (conn != NULL);
  conn->stream_cb = callback;
  conn->stream_cb_data = callback != NULL ? userdata : NULL;
}

void
SocketHTTP2_Conn_set_conn_callback (SocketHTTP2_Conn_T conn, SocketHTTP2_ConnCallback callback, void *userdata)
{
  assert (conn != NULL);
  conn->conn_cb = callback;
  conn->conn_cb_data = callback != NULL ? userdata : NULL;
}

int
SocketHTTP2Ext_Conn_goaway_received (SocketHTTP2_Conn_T conn, uint32_t *last_stream_id, uint32_t *code,
                                     const unsigned char **debug, size_t *debug_len)
{
  assert (conn != NULL);
  if (!conn->goaway_received)
    return 0;
  if (last_stream_id != NULL)
    *last_stream_id = conn->goaway_last_id;
  if (code != NULL)
    *code = conn->goaway_code;
  if (debug != NULL)
    *debug = conn->goaway_debug.len > 0 ? conn->goaway_debug.data : NULL;
  if (debug_len != NULL)
    *debug_len = conn->goaway_debug.len;
  return 1;
}

int
SocketHTTP2Ext_Conn_goaway_sent (SocketHTTP2_Conn_T conn, uint32_t *last_stream_id, uint32_t *code)
{
  assert (conn != NULL);
  if (!conn->goaway_sent)
    return 0;
  if (last_stream_id != NULL)
    *last_stream_id = conn->goaway_sent_last_id;
  if (code != NULL)
    *code = conn->goaway_sent_code;
  return 1;
}

int
SocketHTTP2Ext_Conn_enable_connect_protocol (SocketHTTP2_Conn_T conn)
{
  SocketHTTP2_Setting s = { (SocketHTTP2_SettingsId)HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1 };

  assert (conn != NULL);
  if (conn->failed)
    return -1;
  if (conn->connect_protocol_sent)
    return 0;
  if (!conn->handshake_started)
    {
      conn->connect_protocol_sent = 1; /* goes out with our first SETTINGS */
      return 0;
    }
  return SocketHTTP2_Conn_settings (conn, &s, 1);
}

int
SocketHTTP2Ext_Conn_peer_connect_protocol (SocketHTTP2_Conn_T conn)
{
  assert (conn != NULL);
  return conn->connect_protocol_peer;
}
