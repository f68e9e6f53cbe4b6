/*
 * SocketHTTP2-stream.c - HTTP/2 streams (RFC 9113 §5.1, §5.2, §6.9):
 * the stream table, state transitions, the sending half (HEADERS +
 * CONTINUATION encoding, DATA under both send windows, trailers, push)
 * and the application's receiving half (buffered headers, trailers and
 * DATA, with the receive windows credited back as DATA is consumed).
 *
 * Streams live in a hash table plus a list, in heap memory: a stream that
 * reaches "closed" stays readable until the next Conn_process() and is
 * then freed, so long-lived connections do not accumulate them. Frames
 * from the peer are handled in SocketHTTP2-recv.c.
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2Ext.h"

/* ===================================================================== */
/* Table                                                                  */
/* ===================================================================== */

static unsigned
bucket_of (uint32_t id)
{
  return id % HTTP2_STREAM_HASH_SIZE;
}

SocketHTTP2_Stream_T
SocketHTTP2__stream_find (SocketHTTP2_Conn_T conn, uint32_t id)
{
  SocketHTTP2_Stream_T s;

  for (s = conn->buckets[bucket_of (id)]; s != NULL; s = s->hash_next)
    if (s->id == id)
      return s;
  return NULL;
}

/* A stream in the table, counted nowhere yet. */
static SocketHTTP2_Stream_T
stream_alloc (SocketHTTP2_Conn_T conn, uint32_t id, int peer)
{
  SocketHTTP2_Stream_T s = calloc (1, sizeof *s);
  unsigned b = bucket_of (id);

  if (s == NULL)
    return NULL;
  s->conn = conn;
  s->id = id;
  s->state = HTTP2_STREAM_STATE_IDLE;
  s->peer_initiated = peer;
  s->send_window = conn->peer[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE];
  s->recv_window = conn->local[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE];
  s->content_length = -1;
  s->hash_next = conn->buckets[b];
  conn->buckets[b] = s;
  s->next = conn->streams;
  if (conn->streams != NULL)
    conn->streams->prev = s;
  conn->streams = s;
  return s;
}

/* Count a stream of ours toward the peer's MAX_CONCURRENT_STREAMS: it is
 * (about to be) known to the peer. */
static void
count_local (SocketHTTP2_Stream_T s)
{
  SocketHTTP2_Conn_T conn = s->conn;

  if (s->counted)
    return;
  s->counted = 1;
  conn->local_active++;
  if (s->id > conn->max_local_opened)
    conn->max_local_opened = s->id;
}

/* A stream the peer knows of from the start: one it opened, or one of
 * ours opened outside Stream_new (push, h2c upgrade). */
SocketHTTP2_Stream_T
SocketHTTP2__stream_create (SocketHTTP2_Conn_T conn, uint32_t id, int peer)
{
  SocketHTTP2_Stream_T s = stream_alloc (conn, id, peer);

  if (s == NULL)
    return NULL;
  if (peer)
    {
      s->counted = 1;
      conn->peer_active++;
    }
  else
    count_local (s);
  return s;
}

static void
stream_unlink (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s)
{
  SocketHTTP2_Stream_T *pp = &conn->buckets[bucket_of (s->id)];

  while (*pp != s)
    pp = &(*pp)->hash_next;
  *pp = s->hash_next;
  if (s->prev != NULL)
    s->prev->next = s->next;
  else
    conn->streams = s->next;
  if (s->next != NULL)
    s->next->prev = s->prev;
}

static void
stream_free (SocketHTTP2_Stream_T s)
{
  SocketHTTP2__buf_free (&s->rbuf);
  free (s->headers.fields);
  free (s->trailers.fields);
  free (s);
}

void
SocketHTTP2__stream_remove_closed (SocketHTTP2_Conn_T conn, int all)
{
  SocketHTTP2_Stream_T s, next;

  for (s = conn->streams; s != NULL; s = next)
    {
      next = s->next;
      if (!all && s->state != HTTP2_STREAM_STATE_CLOSED)
        continue;
      /* DATA nobody will read still used connection window. */
      if (!all)
        SocketHTTP2__credit_conn (conn, (uint32_t)(s->rbuf.len - s->rbuf.off));
      stream_unlink (conn, s);
      stream_free (s);
    }
}

void
SocketHTTP2__ring_add (SocketHTTP2_Conn_T conn, uint32_t id)
{
  conn->closed_ring[conn->closed_ring_pos++ % HTTP2_CLOSED_RING] = id;
}

static int
ring_find (const uint32_t *ring, uint32_t id)
{
  unsigned i;

  for (i = 0; i < HTTP2_CLOSED_RING; i++)
    if (ring[i] == id)
      return 1;
  return 0;
}

int
SocketHTTP2__ring_has (SocketHTTP2_Conn_T conn, uint32_t id)
{
  return ring_find (conn->closed_ring, id);
}

/* Frames the peer sent before it saw our RST_STREAM are ignored (§5.1
 * "closed"); remembering recent resets tells them from real errors. */
int
SocketHTTP2__we_reset (SocketHTTP2_Conn_T conn, uint32_t id)
{
  return ring_find (conn->reset_ring, id);
}

static int
queue_reset (SocketHTTP2_Conn_T conn, uint32_t id, SocketHTTP2_ErrorCode code)
{
  conn->reset_ring[conn->reset_ring_pos++ % HTTP2_CLOSED_RING] = id;
  return SocketHTTP2__queue_rst (conn, id, code);
}

/* Ids the peer opens: odd ones for a server, even (pushed) for a client. */
int
SocketHTTP2__is_peer_id (SocketHTTP2_Conn_T conn, uint32_t id)
{
  return (conn->config.role == HTTP2_ROLE_SERVER) == ((id & 1) == 1);
}

/* An id no frame has used yet (§5.1 "idle"), given it has no stream. */
int
SocketHTTP2__is_idle_id (SocketHTTP2_Conn_T conn, uint32_t id)
{
  if (!SocketHTTP2__is_peer_id (conn, id))
    return id > conn->max_local_opened;
  if (conn->config.role == HTTP2_ROLE_CLIENT)
    return id > conn->max_promised_id;
  return id > conn->max_peer_id;
}

/* ===================================================================== */
/* State                                                                  */
/* ===================================================================== */

void
SocketHTTP2__stream_emit (SocketHTTP2_Stream_T s, int event)
{
  SocketHTTP2_Conn_T conn = s->conn;

  if (conn->stream_cb != NULL)
    conn->stream_cb (conn, s, event, conn->stream_cb_data);
}

void
SocketHTTP2__stream_set_closed (SocketHTTP2_Stream_T s)
{
  SocketHTTP2_Conn_T conn = s->conn;

  if (s->state == HTTP2_STREAM_STATE_CLOSED)
    return;
  s->state = HTTP2_STREAM_STATE_CLOSED;
  if (s->peer_initiated)
    {
      conn->peer_active--;
      SocketHTTP2__ring_add (conn, s->id);
    }
  else if (s->counted)
    conn->local_active--;
  else
    conn->local_idle--;
  SocketHTTP2__stream_emit (s, s->reset ? HTTP2_EVENT_STREAM_RESET : HTTP2_EVENT_STREAM_END);
}

/* Close @p s as reset, remembering why (SocketHTTP2Ext_Stream_reset_info). */
void
SocketHTTP2__stream_reset (SocketHTTP2_Stream_T s, int origin, uint32_t code)
{
  if (s->state == HTTP2_STREAM_STATE_CLOSED)
    return;
  s->reset = 1;
  s->reset_origin = origin;
  s->reset_code = code;
  SocketHTTP2__stream_set_closed (s);
}

/* A stream error caused by the peer (§5.4.2): RST_STREAM, and the stream
 * (if any) closes. Such resets count toward the rapid-reset budget. */
int
SocketHTTP2__stream_error (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, uint32_t id, SocketHTTP2_ErrorCode code)
{
  if (queue_reset (conn, id, code) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  if (s != NULL && s->state != HTTP2_STREAM_STATE_CLOSED)
    SocketHTTP2__stream_reset (s, SOCKETHTTP2EXT_RESET_SENT, code);
  if (!SocketHTTP2__budget_take (&conn->budget_rst, HTTP2_RST_RATE, HTTP2_RST_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  return 0;
}

void
SocketHTTP2__recv_end_stream (SocketHTTP2_Stream_T s)
{
  s->end_stream_received = 1;
  if (s->state == HTTP2_STREAM_STATE_OPEN)
    s->state = HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE;
  else if (s->state == HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL)
    SocketHTTP2__stream_set_closed (s);
}

static void
sent_end_stream (SocketHTTP2_Stream_T s)
{
  if (s->state == HTTP2_STREAM_STATE_OPEN)
    s->state = HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL;
  else if (s->state == HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE)
    SocketHTTP2__stream_set_closed (s);
}

int
SocketHTTP2__apply_initial_window (SocketHTTP2_Conn_T conn, uint32_t old_value, uint32_t new_value)
{
  int64_t delta = (int64_t)new_value - (int64_t)old_value;
  SocketHTTP2_Stream_T s, next;

  for (s = conn->streams; s != NULL; s = s->next)
    if (s->send_window + delta > (int64_t)HTTP2_MAX_WINDOW)
      return SocketHTTP2__conn_error (conn, HTTP2_FLOW_CONTROL_ERROR);
  for (s = conn->streams; s != NULL; s = next)
    {
      next = s->next;
      s->send_window += delta;
      if (delta > 0 && s->send_blocked && s->send_window > 0)
        {
          s->send_blocked = 0;
          SocketHTTP2__stream_emit (s, HTTP2_EVENT_WINDOW_UPDATE);
        }
    }
  return 0;
}

void
SocketHTTP2__streams_goaway (SocketHTTP2_Conn_T conn, uint32_t last_id)
{
  SocketHTTP2_Stream_T s, next;

  /* §6.8: our streams above last_id were not processed; they end here
   * (STREAM_RESET) and may be retried on a new connection. */
  for (s = conn->streams; s != NULL; s = next)
    {
      next = s->next;
      if (!s->peer_initiated && s->id > last_id && s->state != HTTP2_STREAM_STATE_CLOSED)
        SocketHTTP2__stream_reset (s, SOCKETHTTP2EXT_RESET_GOAWAY, conn->goaway_code);
    }
}

/* Zero-window stall: the peer takes our responses' memory hostage by
 * never opening its window. Such streams are reset (CANCEL). */
void
SocketHTTP2__streams_check_stalled (SocketHTTP2_Conn_T conn, int64_t now_ms)
{
  SocketHTTP2_Stream_T s, next;

  for (s = conn->streams; s != NULL; s = next)
    {
      next = s->next;
      if (s->stalled_since_ms != 0 && s->state != HTTP2_STREAM_STATE_CLOSED
          && now_ms - s->stalled_since_ms > conn->stall_timeout_ms)
        {
          (void)queue_reset (conn, s->id, HTTP2_CANCEL);
          SocketHTTP2__stream_reset (s, SOCKETHTTP2EXT_RESET_SENT, HTTP2_CANCEL);
        }
    }
}

/* ===================================================================== */
/* Header lists                                                           */
/* ===================================================================== */

int
SocketHTTP2__fields_copy (SocketHTTP2__Fields *dst, const SocketHPACK_Header *src, size_t count)
{
  size_t total = count * sizeof (SocketHPACK_Header), i;
  SocketHPACK_Header *f;
  char *p;

  for (i = 0; i < count; i++)
    total += src[i].name_len + src[i].value_len + 2;
  f = malloc (total ? total : 1);
  if (f == NULL)
    return -1;
  p = (char *)(f + count);
  for (i = 0; i < count; i++)
    {
      f[i] = src[i];
      memcpy (p, src[i].name, src[i].name_len);
      p[src[i].name_len] = '\0';
      f[i].name = p;
      p += src[i].name_len + 1;
      memcpy (p, src[i].value, src[i].value_len);
      p[src[i].value_len] = '\0';
      f[i].value = p;
      p += src[i].value_len + 1;
    }
  free (dst->fields);
  dst->fields = f;
  dst->count = count;
  return 0;
}

/* Encode a header block and queue it as HEADERS (or PUSH_PROMISE on this
 * stream for @p promised_id) plus CONTINUATIONs within the peer's
 * MAX_FRAME_SIZE. The encoder state has changed once this runs, so a
 * failure to queue breaks the connection. */
int
SocketHTTP2__encode_block (SocketHTTP2_Stream_T s, uint8_t type, uint8_t flags, uint32_t promised_id,
                           const SocketHPACK_Header *headers, size_t count)
{
  SocketHTTP2_Conn_T conn = s->conn;
  size_t bound = 64, i, off = 0, max_frame = conn->peer[HTTP2_SETTINGS_MAX_FRAME_SIZE];
  unsigned char *block, *f;
  ssize_t len;
  int first = 1;

  for (i = 0; i < count; i++)
    bound += headers[i].name_len + headers[i].value_len + 24;
  block = malloc (bound);
  if (block == NULL)
    return -1;
  len = SocketHPACK_Encoder_encode (conn->encoder, headers, count, block, bound);
  if (len < 0)
    {
      free (block);
      return -1;
    }
  do
    {
      size_t prefix = first && type == HTTP2_FRAME_PUSH_PROMISE ? 4 : 0;
      size_t chunk = (size_t)len - off;
      uint8_t fflags = 0, ftype = first ? type : HTTP2_FRAME_CONTINUATION;

      if (chunk > max_frame - prefix)
        chunk = max_frame - prefix;
      if (first)
        fflags = flags & HTTP2_FLAG_END_STREAM;
      if (off + chunk == (size_t)len)
        fflags |= HTTP2_FLAG_END_HEADERS;
      f = SocketHTTP2__queue_reserve (conn, HTTP2_FRAME_HEADER_SIZE + prefix + chunk);
      if (f == NULL)
        {
          free (block);
          return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
        }
      SocketHTTP2__write_frame (f, ftype, fflags, s->id, NULL, 0);
      f[2] = (unsigned char)(prefix + chunk);
      f[1] = (unsigned char)((prefix + chunk) >> 8);
      f[0] = (unsigned char)((prefix + chunk) >> 16);
      if (prefix)
        SocketHTTP2__put_u32 (f + HTTP2_FRAME_HEADER_SIZE, promised_id);
      memcpy (f + HTTP2_FRAME_HEADER_SIZE + prefix, block + off, chunk);
      off += chunk;
      first = 0;
    }
  while (off < (size_t)len);
  free (block);
  return 0;
}

/* ===================================================================== */
/* Public stream calls                                                    */
/* ===================================================================== */

/* Streams we may open now: the peer's limit, and until its SETTINGS
 * arrive the 100 RFC 9113 §6.5.2 recommends peers to allow at least, so
 * an early burst is not refused wholesale. */
static uint32_t
local_stream_limit (SocketHTTP2_Conn_T conn)
{
  uint32_t limit = conn->peer[HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS];

  if (!conn->peer_settings_seen && limit > SOCKETHTTP2_DEFAULT_MAX_CONCURRENT_STREAMS)
    limit = SOCKETHTTP2_DEFAULT_MAX_CONCURRENT_STREAMS;
  return limit;
}

SocketHTTP2_Stream_T
SocketHTTP2_Stream_new (SocketHTTP2_Conn_T conn)
{
  SocketHTTP2_Stream_T s;

  assert (conn != NULL);
  /* Idle until HEADERS (RFC 9113 §5.1): MAX_CONCURRENT_STREAMS is
   * checked when it is opened, in Stream_send_headers(). */
  if (conn->failed || conn->goaway_sent || conn->goaway_received || conn->next_stream_id > HTTP2_STREAM_ID_MAX
      || conn->local_idle >= HTTP2_MAX_IDLE_STREAMS)
    return NULL;
  SocketHTTP2__ensure_started (conn);
  s = stream_alloc (conn, conn->next_stream_id, 0);
  if (s != NULL)
    {
      conn->next_stream_id += 2;
      conn->local_idle++;
    }
  return s;
}

uint32_t
SocketHTTP2_Stream_id (SocketHTTP2_Stream_T stream)
{
  assert (stream != NULL);
  return stream->id;
}

SocketHTTP2_StreamState
SocketHTTP2_Stream_state (SocketHTTP2_Stream_T stream)
{
  assert (stream != NULL);
  return stream->state;
}

void
SocketHTTP2_Stream_close (SocketHTTP2_Stream_T stream, SocketHTTP2_ErrorCode error_code)
{
  assert (stream != NULL);
  if (stream->state == HTTP2_STREAM_STATE_CLOSED)
    return;
  /* An idle stream is unknown to the peer: RST_STREAM would be a
   * protocol error there (§6.4). */
  if (stream->state != HTTP2_STREAM_STATE_IDLE)
    (void)queue_reset (stream->conn, stream->id, error_code);
  SocketHTTP2__stream_reset (stream, SOCKETHTTP2EXT_RESET_SENT, error_code);
}

void *
SocketHTTP2_Stream_get_userdata (SocketHTTP2_Stream_T stream)
{
  assert (stream != NULL);
  return stream->userdata;
}

void
SocketHTTP2_Stream_set_userdata (SocketHTTP2_Stream_T stream, void *userdata)
{
  assert (stream != NULL);
  stream->userdata = userdata;
}

static int
is_head_request (const SocketHPACK_Header *h, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (h[i].name_len == 7 && memcmp (h[i].name, ":method", 7) == 0)
      return h[i].value_len == 4 && memcmp (h[i].value, "HEAD", 4) == 0;
  return 0;
}

/* RFC 8441 §3: a client sends :protocol only once the server enabled it. */
static int
has_protocol_pseudo (const SocketHPACK_Header *h, size_t n)
{
  size_t i;

  for (i = 0; i < n && h[i].name_len > 0 && h[i].name[0] == ':'; i++)
    if (h[i].name_len == 9 && memcmp (h[i].name, ":protocol", 9) == 0)
      return 1;
  return 0;
}

/* A response head with a 1xx :status (interim), as first field. */
static int
is_interim_response (const SocketHPACK_Header *h, size_t n)
{
  return n > 0 && h[0].name_len == 7 && memcmp (h[0].name, ":status", 7) == 0 && h[0].value_len == 3
         && h[0].value[0] == '1';
}

int
SocketHTTP2_Stream_send_headers (SocketHTTP2_Stream_T stream, const SocketHPACK_Header *headers,
                                 size_t header_count, int end_stream)
{
  SocketHTTP2_Conn_T conn;
  SocketHTTP2_StreamState st;

  assert (stream != NULL && (headers != NULL || header_count == 0));
  conn = stream->conn;
  st = stream->state;
  if (conn->failed
      || (st != HTTP2_STREAM_STATE_IDLE && st != HTTP2_STREAM_STATE_OPEN
          && st != HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE && st != HTTP2_STREAM_STATE_RESERVED_LOCAL))
    return -1;
  /* §8.1: an interim response with END_STREAM is malformed; §8.6: no 101. */
  if (conn->config.role == HTTP2_ROLE_SERVER && is_interim_response (headers, header_count)
      && (end_stream || memcmp (headers[0].value, "101", 3) == 0))
    return -1;
  SocketHTTP2__ensure_started (conn);
  if (st == HTTP2_STREAM_STATE_IDLE && !stream->peer_initiated)
    {
      /* §5.1.1: opening a higher id closed this one at the peer. */
      if (stream->id < conn->max_local_opened)
        {
          SocketHTTP2__stream_reset (stream, SOCKETHTTP2EXT_RESET_LOCAL, HTTP2_REFUSED_STREAM);
          return -1;
        }
      if (conn->local_active >= local_stream_limit (conn))
        return -1; /* stays idle: retry once a stream ends */
      if (!conn->connect_protocol_peer && has_protocol_pseudo (headers, header_count))
        return -1;
      stream->request_is_head = is_head_request (headers, header_count);
    }
  if (SocketHTTP2__encode_block (stream, HTTP2_FRAME_HEADERS, end_stream ? HTTP2_FLAG_END_STREAM : 0, 0, headers,
                                 header_count)
      < 0)
    return -1;
  if (st == HTTP2_STREAM_STATE_IDLE)
    {
      if (!stream->peer_initiated)
        {
          conn->local_idle--;
          count_local (stream);
        }
      stream->state = HTTP2_STREAM_STATE_OPEN;
    }
  else if (st == HTTP2_STREAM_STATE_RESERVED_LOCAL)
    stream->state = HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE;
  if (end_stream)
    sent_end_stream (stream);
  return 0;
}

/* Fields that only mean something on an HTTP/1.1 connection (§8.2.2),
 * plus Host, which :authority replaces. */
static int
is_connection_specific (const char *name, size_t len)
{
  static const char *const names[]
      = { "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host" };
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen (names[i]) == len && strncasecmp (names[i], name, len) == 0)
      return 1;
  return 0;
}

/* Send @p pseudo followed by the lowercased, filtered fields of @p hs. */
static int
send_head (SocketHTTP2_Stream_T s, SocketHPACK_Header *pseudo, size_t npseudo, SocketHTTP_Headers_T hs,
           int end_stream)
{
  size_t n = hs != NULL ? SocketHTTP_Headers_count (hs) : 0, count = npseudo, names_len = 0, i;
  SocketHPACK_Header *all;
  char *lower, *p;
  int rc;

  for (i = 0; i < n; i++)
    names_len += SocketHTTP_Headers_at (hs, i)->name_len;
  all = malloc ((npseudo + n) * sizeof *all + names_len + 1);
  if (all == NULL)
    return -1;
  memcpy (all, pseudo, npseudo * sizeof *all);
  lower = p = (char *)(all + npseudo + n);
  for (i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (hs, i);
      size_t k;
      if (is_connection_specific (h->name, h->name_len))
        continue;
      /* §8.2.2: TE may only carry "trailers". */
      if (h->name_len == 2 && strncasecmp (h->name, "te", 2) == 0
          && !(h->value_len == 8 && strncasecmp (h->value, "trailers", 8) == 0))
        continue;
      for (k = 0; k < h->name_len; k++)
        p[k] = (char)tolower ((unsigned char)h->name[k]);
      all[count].name = p;
      all[count].name_len = h->name_len;
      all[count].value = h->value;
      all[count].value_len = h->value_len;
      all[count].never_index = 0;
      count++;
      p += h->name_len;
    }
  (void)lower;
  rc = SocketHTTP2_Stream_send_headers (s, all, count, end_stream);
  free (all);
  return rc;
}

static SocketHPACK_Header
field (const char *name, const char *value)
{
  SocketHPACK_Header h;
  h.name = name;
  h.name_len = strlen (name);
  h.value = value;
  h.value_len = strlen (value);
  h.never_index = 0;
  return h;
}

int
SocketHTTP2_Stream_send_request (SocketHTTP2_Stream_T stream, const SocketHTTP_Request *request, int end_stream)
{
  SocketHPACK_Header pseudo[4];
  const char *method, *authority;
  size_t n = 0;

  assert (stream != NULL && request != NULL);
  method = SocketHTTP_method_name (request->method);
  if (method == NULL)
    return -1;
  authority = request->authority;
  if (authority == NULL && request->headers != NULL)
    authority = SocketHTTP_Headers_get (request->headers, "Host");
  pseudo[n++] = field (":method", method);
  if (request->method != HTTP_METHOD_CONNECT)
    pseudo[n++] = field (":scheme", request->scheme != NULL ? request->scheme : "https");
  if (authority != NULL)
    pseudo[n++] = field (":authority", authority);
  if (request->method != HTTP_METHOD_CONNECT)
    pseudo[n++] = field (":path", request->path != NULL && request->path[0] ? request->path : "/");
  return send_head (stream, pseudo, n, request->headers, end_stream);
}

int
SocketHTTP2_Stream_send_response (SocketHTTP2_Stream_T stream, const SocketHTTP_Response *response,
                                  int end_stream)
{
  SocketHPACK_Header status;
  char code[16];

  assert (stream != NULL && response != NULL);
  if (response->status_code < 100 || response->status_code > 999)
    return -1;
  snprintf (code, sizeof code, "%d", response->status_code);
  status = field (":status", code);
  return send_head (stream, &status, 1, response->headers, end_stream);
}

ssize_t
SocketHTTP2_Stream_send_data (SocketHTTP2_Stream_T stream, const void *data, size_t len, int end_stream)
{
  SocketHTTP2_Conn_T conn;
  int64_t window;
  size_t max_frame, room, queued, sent = 0;
  unsigned char *f;

  assert (stream != NULL && (data != NULL || len == 0));
  conn = stream->conn;
  if (conn->failed
      || (stream->state != HTTP2_STREAM_STATE_OPEN && stream->state != HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE))
    return -1;
  max_frame = conn->peer[HTTP2_SETTINGS_MAX_FRAME_SIZE];
  window = stream->send_window < conn->send_window ? stream->send_window : conn->send_window;
  if (window < 0)
    window = 0;
  queued = conn->out.len - conn->out.off;
  room = queued < SOCKETHTTP2_SEND_QUEUE_MAX ? SOCKETHTTP2_SEND_QUEUE_MAX - queued : 0;
  do
    {
      size_t chunk = len - sent;
      uint8_t flags = 0;
      if (chunk > max_frame)
        chunk = max_frame;
      if ((int64_t)chunk > window)
        chunk = (size_t)window;
      if (chunk + HTTP2_FRAME_HEADER_SIZE > room)
        chunk = room > HTTP2_FRAME_HEADER_SIZE ? room - HTTP2_FRAME_HEADER_SIZE : 0;
      if (chunk == 0 && !(len == 0 && end_stream && room >= HTTP2_FRAME_HEADER_SIZE))
        break;
      if (end_stream && sent + chunk == len)
        flags = HTTP2_FLAG_END_STREAM;
      f = SocketHTTP2__queue_reserve (conn, HTTP2_FRAME_HEADER_SIZE + chunk);
      if (f == NULL)
        break;
      SocketHTTP2__write_frame (f, HTTP2_FRAME_DATA, flags, stream->id, (const unsigned char *)data + sent,
                                chunk);
      sent += chunk;
      window -= (int64_t)chunk;
      room -= HTTP2_FRAME_HEADER_SIZE + chunk;
      stream->send_window -= (int64_t)chunk;
      conn->send_window -= (int64_t)chunk;
      if (flags)
        {
          sent_end_stream (stream);
          break;
        }
    }
  while (sent < len);
  if (sent > 0)
    stream->stalled_since_ms = 0;
  if (sent < len)
    {
      stream->send_blocked = 1;
      if (window <= 0 && stream->stalled_since_ms == 0)
        stream->stalled_since_ms = Socket_get_monotonic_ms ();
    }
  return (ssize_t)sent;
}

static int
has_pseudo (const SocketHPACK_Header *h, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (h[i].name_len > 0 && h[i].name[0] == ':')
      return 1;
  return 0;
}

int
SocketHTTP2_Stream_send_trailers (SocketHTTP2_Stream_T stream, const SocketHPACK_Header *trailers, size_t count)
{
  assert (stream != NULL && (trailers != NULL || count == 0));
  if ((stream->state != HTTP2_STREAM_STATE_OPEN && stream->state != HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE)
      || has_pseudo (trailers, count))
    return -1;
  return SocketHTTP2_Stream_send_headers (stream, trailers, count, 1);
}

static int
copy_fields (const SocketHTTP2__Fields *src, SocketHPACK_Header *dst, size_t max, size_t *count)
{
  *count = 0;
  if (src->fields == NULL)
    return 0;
  if (max > 0 && src->count > 0)
    memcpy (dst, src->fields, (src->count < max ? src->count : max) * sizeof *dst);
  *count = src->count;
  return 1;
}

int
SocketHTTP2_Stream_recv_headers (SocketHTTP2_Stream_T stream, SocketHPACK_Header *headers, size_t max_headers,
                                 size_t *header_count, int *end_stream)
{
  assert (stream != NULL && header_count != NULL && end_stream != NULL);
  assert (headers != NULL || max_headers == 0);
  *end_stream = stream->end_stream_received;
  return copy_fields (&stream->headers, headers, max_headers, header_count);
}

void
SocketHTTP2__credit_stream (SocketHTTP2_Stream_T s, uint32_t bytes)
{
  SocketHTTP2_Conn_T conn = s->conn;
  uint32_t threshold = conn->local[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE] / 2;
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 4];

  SocketHTTP2__credit_conn (conn, bytes);
  /* No more DATA can come once the peer's side ended. */
  if (s->end_stream_received || s->state == HTTP2_STREAM_STATE_CLOSED)
    return;
  s->recv_unacked += bytes;
  if (s->recv_unacked > 0 && s->recv_unacked >= threshold
      && s->recv_window + s->recv_unacked <= (int64_t)HTTP2_MAX_WINDOW
      && SocketHTTP2__queue (conn, f, SocketHTTP2__write_window_update (f, s->id, s->recv_unacked)) == 0)
    {
      s->recv_window += s->recv_unacked;
      s->recv_unacked = 0;
    }
}

ssize_t
SocketHTTP2_Stream_recv_data (SocketHTTP2_Stream_T stream, void *buf, size_t len, int *end_stream)
{
  size_t avail, n;

  assert (stream != NULL && end_stream != NULL && (buf != NULL || len == 0));
  avail = stream->rbuf.len - stream->rbuf.off;
  n = len < avail ? len : avail;
  if (n > 0)
    {
      memcpy (buf, stream->rbuf.data + stream->rbuf.off, n);
      stream->rbuf.off += n;
      if (stream->rbuf.off == stream->rbuf.len)
        stream->rbuf.off = stream->rbuf.len = 0;
      SocketHTTP2__credit_stream (stream, (uint32_t)n);
    }
  *end_stream = stream->end_stream_received && stream->rbuf.len == stream->rbuf.off;
  return (ssize_t)n;
}

int
SocketHTTP2_Stream_recv_trailers (SocketHTTP2_Stream_T stream, SocketHPACK_Header *trailers, size_t max_trailers,
                                  size_t *trailer_count)
{
  assert (stream != NULL && trailer_count != NULL && (trailers != NULL || max_trailers == 0));
  return copy_fields (&stream->trailers, trailers, max_trailers, trailer_count);
}

int
SocketHTTP2_Stream_window_update (SocketHTTP2_Stream_T stream, uint32_t increment)
{
  unsigned char f[HTTP2_FRAME_HEADER_SIZE + 4];

  assert (stream != NULL);
  if (increment == 0 || increment > HTTP2_MAX_WINDOW || stream->conn->failed
      || stream->state == HTTP2_STREAM_STATE_CLOSED || stream->state == HTTP2_STREAM_STATE_IDLE
      || stream->recv_window + increment > (int64_t)HTTP2_MAX_WINDOW)
    return -1;
  if (SocketHTTP2__queue (stream->conn, f, SocketHTTP2__write_window_update (f, stream->id, increment)) < 0)
    return -1;
  stream->recv_window += increment;
  return 0;
}

int32_t
SocketHTTP2_Stream_send_window (SocketHTTP2_Stream_T stream)
{
  int64_t w;

  assert (stream != NULL);
  w = stream->send_window < stream->conn->send_window ? stream->send_window : stream->conn->send_window;
  return w < 0 ? 0 : (int32_t)w;
}

int32_t
SocketHTTP2_Stream_recv_window (SocketHTTP2_Stream_T stream)
{
  assert (stream != NULL);
  return (int32_t)stream->recv_window;
}

SocketHTTP2_Stream_T
SocketHTTP2_Stream_push_promise (SocketHTTP2_Stream_T stream, const SocketHPACK_Header *request_headers,
                                 size_t header_count)
{
  SocketHTTP2_Conn_T conn;
  SocketHTTP2_Stream_T promised;

  assert (stream != NULL && (request_headers != NULL || header_count == 0));
  conn = stream->conn;
  if (conn->config.role != HTTP2_ROLE_SERVER || conn->peer[HTTP2_SETTINGS_ENABLE_PUSH] == 0 || conn->failed
      || conn->goaway_sent || conn->goaway_received || conn->next_stream_id > HTTP2_STREAM_ID_MAX
      || conn->local_active >= local_stream_limit (conn)
      || (stream->state != HTTP2_STREAM_STATE_OPEN && stream->state != HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE))
    return NULL;
  promised = SocketHTTP2__stream_create (conn, conn->next_stream_id, 0);
  if (promised == NULL)
    return NULL;
  conn->next_stream_id += 2;
  promised->state = HTTP2_STREAM_STATE_RESERVED_LOCAL;
  if (SocketHTTP2__encode_block (stream, HTTP2_FRAME_PUSH_PROMISE, 0, promised->id, request_headers, header_count)
      < 0)
    {
      SocketHTTP2__stream_reset (promised, SOCKETHTTP2EXT_RESET_LOCAL, HTTP2_INTERNAL_ERROR);
      return NULL;
    }
  return promised;
}

int
SocketHTTP2Ext_Stream_reset_info (SocketHTTP2_Stream_T stream, uint32_t *code)
{
  assert (stream != NULL);
  if (code != NULL)
    *code = stream->reset ? stream->reset_code : HTTP2_NO_ERROR;
  return stream->reset ? stream->reset_origin : SOCKETHTTP2EXT_RESET_NONE;
}

uint32_t
SocketHTTP2Ext_Conn_streams_available (SocketHTTP2_Conn_T conn)
{
  uint32_t limit;

  assert (conn != NULL);
  if (conn->failed || conn->goaway_sent || conn->goaway_received || conn->next_stream_id > HTTP2_STREAM_ID_MAX)
    return 0;
  limit = local_stream_limit (conn);
  return conn->local_active < limit ? limit - conn->local_active : 0;
}
