/*
 * SocketHTTP2-recv.c - frames the peer sends on streams (RFC 9113 §5.1,
 * §6.1-6.4, §6.6, §6.9, §6.10, §8): DATA with flow control and
 * content-length accounting, header blocks (HEADERS or PUSH_PROMISE plus
 * CONTINUATION) assembled under a size cap and decoded with HPACK, field
 * validation (§8.2, §8.3), RST_STREAM, PRIORITY and stream WINDOW_UPDATE.
 *
 * A header block is always decoded, even for a stream that is then
 * refused or reset: skipping it would desynchronise the HPACK tables.
 * Decisions about the stream are taken after decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2Ext.h"

/* ===================================================================== */
/* Field validation                                                       */
/* ===================================================================== */

typedef enum
{
  BLOCK_REQUEST,
  BLOCK_RESPONSE,
  BLOCK_TRAILERS
} BlockKind;

/* What validation learned about a block. */
typedef struct
{
  int64_t content_length; /* -1 none */
  int status;             /* responses */
  int is_head;
  int allow_protocol;     /* input: :protocol accepted (RFC 8441 enabled) */
} BlockInfo;

static int
name_is (const SocketHPACK_Header *h, const char *name)
{
  size_t n = strlen (name);
  return h->name_len == n && memcmp (h->name, name, n) == 0;
}

/* §8.2.1: lowercase tokens only; ':' only as the pseudo-header prefix. */
static int
valid_name (const SocketHPACK_Header *h)
{
  size_t i = h->name[0] == ':' ? 1 : 0;

  if (h->name_len == i)
    return 0;
  for (; i < h->name_len; i++)
    {
      unsigned char c = (unsigned char)h->name[i];
      if (c <= 0x20 || (c >= 'A' && c <= 'Z') || c >= 0x7f || c == ':')
        return 0;
    }
  return 1;
}

/* §8.2.1: no NUL, CR or LF; no leading or trailing whitespace. */
static int
valid_value (const SocketHPACK_Header *h)
{
  size_t i;

  for (i = 0; i < h->value_len; i++)
    if (h->value[i] == '\0' || h->value[i] == '\r' || h->value[i] == '\n')
      return 0;
  if (h->value_len > 0)
    {
      char a = h->value[0], z = h->value[h->value_len - 1];
      if (a == ' ' || a == '\t' || z == ' ' || z == '\t')
        return 0;
    }
  return 1;
}

static int
parse_content_length (const SocketHPACK_Header *h, int64_t *out)
{
  int64_t v = 0;
  size_t i;

  if (h->value_len == 0 || h->value_len > 18)
    return -1;
  for (i = 0; i < h->value_len; i++)
    {
      if (h->value[i] < '0' || h->value[i] > '9')
        return -1;
      v = v * 10 + (h->value[i] - '0');
    }
  if (*out >= 0 && *out != v)
    return -1;
  *out = v;
  return 0;
}

/* Bits for the pseudo-headers seen. */
enum
{
  P_METHOD = 1,
  P_SCHEME = 2,
  P_AUTHORITY = 4,
  P_PATH = 8,
  P_STATUS = 16,
  P_PROTOCOL = 32 /* RFC 8441, only where we enabled extended CONNECT */
};

static int
pseudo_bit (const SocketHPACK_Header *h, BlockKind kind, int allow_protocol)
{
  if (kind == BLOCK_REQUEST)
    {
      if (allow_protocol && name_is (h, ":protocol"))
        return P_PROTOCOL;
      if (name_is (h, ":method"))
        return P_METHOD;
      if (name_is (h, ":scheme"))
        return P_SCHEME;
      if (name_is (h, ":authority"))
        return P_AUTHORITY;
      if (name_is (h, ":path"))
        return P_PATH;
    }
  else if (kind == BLOCK_RESPONSE && name_is (h, ":status"))
    return P_STATUS;
  return 0;
}

static int
check_pseudo (const SocketHPACK_Header *h, BlockKind kind, unsigned *seen, BlockInfo *info, int *connect)
{
  int bit = pseudo_bit (h, kind, info->allow_protocol);

  if (bit == 0 || (*seen & (unsigned)bit))
    return -1;
  *seen |= (unsigned)bit;
  if ((bit == P_PATH || bit == P_PROTOCOL) && h->value_len == 0)
    return -1;
  if (bit == P_METHOD)
    {
      *connect = h->value_len == 7 && memcmp (h->value, "CONNECT", 7) == 0;
      info->is_head = h->value_len == 4 && memcmp (h->value, "HEAD", 4) == 0;
    }
  if (bit == P_STATUS)
    {
      if (h->value_len != 3 || h->value[0] < '1' || h->value[0] > '9' || h->value[1] < '0' || h->value[1] > '9'
          || h->value[2] < '0' || h->value[2] > '9')
        return -1;
      info->status = (h->value[0] - '0') * 100 + (h->value[1] - '0') * 10 + (h->value[2] - '0');
    }
  return 0;
}

static int
check_regular (const SocketHPACK_Header *h, BlockKind kind, BlockInfo *info)
{
  static const char *const banned[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                        "upgrade" };
  size_t i;

  for (i = 0; i < sizeof banned / sizeof banned[0]; i++)
    if (name_is (h, banned[i]))
      return -1;
  if (name_is (h, "te") && !(h->value_len == 8 && memcmp (h->value, "trailers", 8) == 0))
    return -1;
  if (kind != BLOCK_TRAILERS && name_is (h, "content-length"))
    return parse_content_length (h, &info->content_length);
  return 0;
}

/* 0 if the block is a well-formed request/response/trailer section. */
static int
validate_block (const SocketHPACK_Header *f, size_t n, BlockKind kind, BlockInfo *info)
{
  unsigned seen = 0;
  int regular = 0, connect = 0;
  size_t i;

  info->content_length = -1;
  info->status = 0;
  info->is_head = 0; /* allow_protocol is the caller's */
  for (i = 0; i < n; i++)
    {
      if (f[i].name_len == 0 || !valid_name (&f[i]) || !valid_value (&f[i]))
        return -1;
      if (f[i].name[0] == ':')
        {
          /* §8.3: pseudo-headers come first, never in trailers. */
          if (regular || kind == BLOCK_TRAILERS || check_pseudo (&f[i], kind, &seen, info, &connect) < 0)
            return -1;
        }
      else
        {
          regular = 1;
          if (check_regular (&f[i], kind, info) < 0)
            return -1;
        }
    }
  if (kind == BLOCK_RESPONSE)
    return (seen & P_STATUS) ? 0 : -1;
  if (kind == BLOCK_REQUEST)
    {
      if (!(seen & P_METHOD))
        return -1;
      /* RFC 8441 §4: extended CONNECT carries the whole target. */
      if (seen & P_PROTOCOL)
        return connect && (seen & (P_SCHEME | P_PATH | P_AUTHORITY)) == (P_SCHEME | P_PATH | P_AUTHORITY) ? 0 : -1;
      /* §8.5: CONNECT carries :authority only. */
      if (connect)
        return (seen & P_AUTHORITY) && !(seen & (P_SCHEME | P_PATH)) ? 0 : -1;
      return (seen & P_SCHEME) && (seen & P_PATH) ? 0 : -1;
    }
  return 0;
}

/* ===================================================================== */
/* DATA                                                                   */
/* ===================================================================== */

/* DATA for a stream that cannot take it: the connection window is still
 * used, so credit it back at once. */
static int
data_refused (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, uint32_t id, uint32_t len,
              SocketHTTP2_ErrorCode code)
{
  SocketHTTP2__credit_conn (conn, len);
  return SocketHTTP2__stream_error (conn, s, id, code);
}

static int
content_length_ok (SocketHTTP2_Stream_T s, int at_end)
{
  if (s->content_length < 0 || s->request_is_head)
    return 1;
  if ((int64_t)s->data_received > s->content_length)
    return 0;
  return !at_end || (int64_t)s->data_received == s->content_length;
}

static int
handle_data (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  SocketHTTP2_Stream_T s = SocketHTTP2__stream_find (conn, h->stream_id);
  SocketHTTP2__Payload p;
  SocketHTTP2__Check c;
  int end = (h->flags & HTTP2_FLAG_END_STREAM) != 0;

  if (s == NULL && SocketHTTP2__is_idle_id (conn, h->stream_id))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (s != NULL && (s->state == HTTP2_STREAM_STATE_IDLE || s->state == HTTP2_STREAM_STATE_RESERVED_LOCAL))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if ((int64_t)h->length > conn->recv_window)
    return SocketHTTP2__conn_error (conn, HTTP2_FLOW_CONTROL_ERROR);
  conn->recv_window -= h->length;
  c = SocketHTTP2__payload_split (h, payload, &p);
  if (c.code != HTTP2_NO_ERROR)
    return SocketHTTP2__conn_error (conn, c.code);
  if ((s == NULL || s->state == HTTP2_STREAM_STATE_CLOSED) && SocketHTTP2__we_reset (conn, h->stream_id))
    {
      /* In flight when we reset it: ignored, but window is window. */
      SocketHTTP2__credit_conn (conn, h->length);
      if (p.len < HTTP2_TINY_DATA
          && !SocketHTTP2__budget_take (&conn->budget_empty, HTTP2_EMPTY_RATE, HTTP2_EMPTY_BURST))
        return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
      return 0;
    }
  if (s == NULL || (s->state != HTTP2_STREAM_STATE_OPEN && s->state != HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL))
    return data_refused (conn, s, h->stream_id, h->length, HTTP2_STREAM_CLOSED);
  /* §8.1: a message starts with its head; DATA first is malformed. */
  if (!s->headers_done)
    return data_refused (conn, s, h->stream_id, h->length, HTTP2_PROTOCOL_ERROR);
  if ((int64_t)h->length > s->recv_window)
    return data_refused (conn, s, h->stream_id, h->length, HTTP2_FLOW_CONTROL_ERROR);
  /* Only tiny frames sent with window to spare count (one that uses up
   * a window is the sender being fair), and every substantial frame earns
   * a token back: busy senders (nghttp2 under load) mix in small frames. */
  if (p.len >= HTTP2_SUBSTANTIAL_DATA)
    SocketHTTP2__budget_earn (&conn->budget_empty, HTTP2_EMPTY_BURST);
  else if (p.len < HTTP2_TINY_DATA && !end && (int64_t)h->length < s->recv_window && conn->recv_window > 0
           && !SocketHTTP2__budget_take (&conn->budget_empty, HTTP2_EMPTY_RATE, HTTP2_EMPTY_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  s->recv_window -= h->length;
  s->data_received += p.len;
  if (!content_length_ok (s, end))
    return data_refused (conn, s, h->stream_id, h->length, HTTP2_PROTOCOL_ERROR);
  if (p.len > 0)
    {
      if (SocketHTTP2__buf_reserve (&s->rbuf, p.len, 0) < 0)
        return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
      memcpy (s->rbuf.data + s->rbuf.len, p.data, p.len);
      s->rbuf.len += p.len;
    }
  /* Padding is never read by the application: credit it now. */
  if (p.pad_len > 0)
    SocketHTTP2__credit_stream (s, p.pad_len);
  /* The callback sees end_stream already (recv_data reports it). */
  if (end)
    s->end_stream_received = 1;
  if (p.len > 0 || end)
    SocketHTTP2__stream_emit (s, HTTP2_EVENT_DATA_RECEIVED);
  if (end && s->state != HTTP2_STREAM_STATE_CLOSED)
    SocketHTTP2__recv_end_stream (s);
  return conn->failed ? -1 : 0;
}

/* ===================================================================== */
/* Header blocks                                                          */
/* ===================================================================== */

static size_t
block_cap (SocketHTTP2_Conn_T conn)
{
  return (size_t)conn->local_sent[HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE] + HTTP2_HEADER_BLOCK_SLACK;
}

static int
block_append (SocketHTTP2_Conn_T conn, const unsigned char *data, size_t len)
{
  /* CVE-2024-27316: the cap holds across CONTINUATIONs, and a flood of
   * empty ones is bounded by the empty-frame budget. */
  if (conn->hb.len + len > block_cap (conn))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  if (len == 0 && !SocketHTTP2__budget_take (&conn->budget_empty, HTTP2_EMPTY_RATE, HTTP2_EMPTY_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  if (len > 0)
    {
      if (SocketHTTP2__buf_reserve (&conn->hb, len, 0) < 0)
        return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
      memcpy (conn->hb.data + conn->hb.len, data, len);
      conn->hb.len += len;
    }
  return 0;
}

/* The new-stream half of on_headers(): a HEADERS that opens a peer stream. */
static int
open_peer_stream (SocketHTTP2_Conn_T conn, uint32_t id, int end, const SocketHPACK_Header *f, size_t n,
                  int self_dep)
{
  SocketHTTP2_Stream_T s;
  BlockInfo info = { 0 };

  if (id <= conn->max_peer_id)
    /* Reused or lower id (§5.1.1); a stream we closed recently gets
     * STREAM_CLOSED (§5.1 "closed"). */
    return SocketHTTP2__conn_error (conn, SocketHTTP2__ring_has (conn, id) ? HTTP2_STREAM_CLOSED
                                                                           : HTTP2_PROTOCOL_ERROR);
  conn->max_peer_id = id;
  if (conn->goaway_sent && id > conn->last_stream_id)
    return 0; /* §6.8: ignored after our GOAWAY */
  if (!conn->goaway_sent)
    conn->last_stream_id = id;
  SocketHTTP2__ring_add (conn, id);
  if (self_dep)
    return SocketHTTP2__stream_error (conn, NULL, id, HTTP2_PROTOCOL_ERROR);
  if (conn->peer_active >= conn->local_sent[HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS])
    return SocketHTTP2__stream_error (conn, NULL, id, HTTP2_REFUSED_STREAM);
  info.allow_protocol = conn->connect_protocol_sent;
  if (validate_block (f, n, BLOCK_REQUEST, &info) < 0 || (end && info.content_length > 0))
    return SocketHTTP2__stream_error (conn, NULL, id, HTTP2_PROTOCOL_ERROR);
  s = SocketHTTP2__stream_create (conn, id, 1);
  if (s == NULL || SocketHTTP2__fields_copy (&s->headers, f, n) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  s->state = HTTP2_STREAM_STATE_OPEN;
  s->content_length = info.content_length;
  s->headers_done = 1;
  s->end_stream_received = end;
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_STREAM_START);
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_HEADERS_RECEIVED);
  if (end && s->state != HTTP2_STREAM_STATE_CLOSED)
    SocketHTTP2__recv_end_stream (s);
  return conn->failed ? -1 : 0;
}

/* Response head (or 1xx) on a stream of ours, or on a pushed stream. */
static int
on_response (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int end, const SocketHPACK_Header *f, size_t n)
{
  BlockInfo info = { 0 };

  /* §8.1: an interim (1xx) head never ends the stream; §8.6: HTTP/2 has
   * no 101. Either is a malformed response. */
  if (validate_block (f, n, BLOCK_RESPONSE, &info) < 0 || (info.status < 200 && end) || info.status == 101)
    return SocketHTTP2__stream_error (conn, s, s->id, HTTP2_PROTOCOL_ERROR);
  if (info.status >= 200)
    {
      s->headers_done = 1;
      s->content_length = info.status == 304 || info.status == 204 ? -1 : info.content_length;
      if (end && !content_length_ok (s, 1))
        return SocketHTTP2__stream_error (conn, s, s->id, HTTP2_PROTOCOL_ERROR);
    }
  if (SocketHTTP2__fields_copy (&s->headers, f, n) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  if (s->state == HTTP2_STREAM_STATE_RESERVED_REMOTE)
    s->state = HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL;
  s->end_stream_received = end;
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_HEADERS_RECEIVED);
  if (end && s->state != HTTP2_STREAM_STATE_CLOSED)
    SocketHTTP2__recv_end_stream (s);
  return conn->failed ? -1 : 0;
}

static int
on_trailers (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int end, const SocketHPACK_Header *f, size_t n)
{
  BlockInfo info = { 0 };

  /* §8.1: a header block after the head must end the stream. */
  if (!end || validate_block (f, n, BLOCK_TRAILERS, &info) < 0 || !content_length_ok (s, 1))
    return SocketHTTP2__stream_error (conn, s, s->id, HTTP2_PROTOCOL_ERROR);
  if (SocketHTTP2__fields_copy (&s->trailers, f, n) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  s->end_stream_received = 1;
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_TRAILERS_RECEIVED);
  if (s->state != HTTP2_STREAM_STATE_CLOSED)
    SocketHTTP2__recv_end_stream (s);
  return conn->failed ? -1 : 0;
}

static int
on_headers (SocketHTTP2_Conn_T conn, uint32_t id, uint8_t flags, const SocketHPACK_Header *f, size_t n,
            int self_dep)
{
  SocketHTTP2_Stream_T s = SocketHTTP2__stream_find (conn, id);
  int end = (flags & HTTP2_FLAG_END_STREAM) != 0;

  /* Decoded already (HPACK stays in step); the stream is gone for us. */
  if ((s == NULL || s->state == HTTP2_STREAM_STATE_CLOSED) && SocketHTTP2__we_reset (conn, id))
    return 0;
  if (s == NULL)
    {
      if (conn->config.role == HTTP2_ROLE_SERVER && SocketHTTP2__is_peer_id (conn, id))
        return open_peer_stream (conn, id, end, f, n, self_dep);
      /* A client never sees new streams via HEADERS; a server never on
       * its own ids. */
      return SocketHTTP2__conn_error (conn, SocketHTTP2__is_idle_id (conn, id) ? HTTP2_PROTOCOL_ERROR
                                                                              : HTTP2_STREAM_CLOSED);
    }
  if (self_dep)
    return SocketHTTP2__stream_error (conn, s, id, HTTP2_PROTOCOL_ERROR);
  switch (s->state)
    {
    case HTTP2_STREAM_STATE_RESERVED_REMOTE:
      return on_response (conn, s, end, f, n);
    case HTTP2_STREAM_STATE_OPEN:
    case HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL:
      /* Until the final (non-1xx) head, a block is a response head: on
       * our requests and on pushed streams alike (a server's peer
       * streams start with headers_done set). */
      if (!s->headers_done)
        return on_response (conn, s, end, f, n);
      return on_trailers (conn, s, end, f, n);
    case HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE:
      return SocketHTTP2__stream_error (conn, s, id, HTTP2_STREAM_CLOSED);
    case HTTP2_STREAM_STATE_CLOSED:
      return SocketHTTP2__conn_error (conn, HTTP2_STREAM_CLOSED);
    default: /* idle or reserved (local): the peer cannot know it */
      return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
    }
}

static int
on_push_promise (SocketHTTP2_Conn_T conn, uint32_t parent_id, uint32_t promised, const SocketHPACK_Header *f,
                 size_t n)
{
  SocketHTTP2_Stream_T parent = SocketHTTP2__stream_find (conn, parent_id), s;
  BlockInfo info = { 0 };

  conn->max_promised_id = promised;
  if (parent == NULL || parent->state == HTTP2_STREAM_STATE_CLOSED)
    return SocketHTTP2__stream_error (conn, NULL, promised, HTTP2_CANCEL);
  if (validate_block (f, n, BLOCK_REQUEST, &info) < 0)
    return SocketHTTP2__stream_error (conn, NULL, promised, HTTP2_PROTOCOL_ERROR);
  if (conn->peer_active >= conn->local_sent[HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS])
    return SocketHTTP2__stream_error (conn, NULL, promised, HTTP2_REFUSED_STREAM);
  s = SocketHTTP2__stream_create (conn, promised, 1);
  if (s == NULL || SocketHTTP2__fields_copy (&s->headers, f, n) < 0)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  s->state = HTTP2_STREAM_STATE_RESERVED_REMOTE;
  s->request_is_head = info.is_head;
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_PUSH_PROMISE);
  return conn->failed ? -1 : 0;
}

/* Room for every field of the assembled block. Each field takes at least
 * one byte of the block, so its length bounds the count: the cost follows
 * what the peer sent, not MAX_HEADER_LIST_SIZE (which bounded the array
 * before, 1.3 MB zeroed per block at 1 MiB). The array is kept and only
 * grows, to the largest block seen (itself capped by block_cap()). */
static SocketHPACK_Header *
block_fields (SocketHTTP2_Conn_T conn, size_t *max)
{
  size_t need = conn->hb.len + 1, cap;
  SocketHPACK_Header *f;

  if (need > conn->hb_fields_cap)
    {
      cap = conn->hb_fields_cap ? conn->hb_fields_cap : 64;
      while (cap < need)
        cap *= 2;
      f = realloc (conn->hb_fields, cap * sizeof *f);
      if (f == NULL)
        return NULL;
      conn->hb_fields = f;
      conn->hb_fields_cap = cap;
    }
  *max = need;
  return conn->hb_fields;
}

/* The TRY lives alone here: no caller local can be clobbered. */
static SocketHPACK_Result
decode_block (SocketHTTP2_Conn_T conn, SocketHPACK_Header *fields, size_t max, size_t *count)
{
  volatile SocketHPACK_Result r = HPACK_ERROR;

  TRY { r = SocketHPACK_Decoder_decode (conn->decoder, conn->hb.data, conn->hb.len, fields, max, count, conn->scratch); }
  EXCEPT (Arena_Failed) { r = HPACK_ERROR; }
  END_TRY;
  return r;
}

/* Decode the assembled block and act on it. */
static int
finish_block (SocketHTTP2_Conn_T conn)
{
  size_t max = 0, count = 0;
  SocketHPACK_Header *fields = block_fields (conn, &max);
  SocketHPACK_Result r;
  uint32_t id = conn->hb_stream;
  int rc;

  conn->hb_stream = 0;
  if (fields == NULL)
    return SocketHTTP2__conn_error (conn, HTTP2_INTERNAL_ERROR);
  r = decode_block (conn, fields, max, &count);
  conn->hb.len = conn->hb.off = 0;
  if (r != HPACK_OK || count > max)
    {
      Arena_clear (conn->scratch);
      /* The tables may now differ from the peer's: a connection error.
       * A list above our advertised limit is abuse, not corruption. */
      return SocketHTTP2__conn_error (conn, r == HPACK_ERROR_BOMB || r == HPACK_ERROR_LIST_SIZE || count > max
                                                ? HTTP2_ENHANCE_YOUR_CALM
                                                : HTTP2_COMPRESSION_ERROR);
    }
  if (conn->hb_type == HTTP2_FRAME_PUSH_PROMISE)
    rc = on_push_promise (conn, id, conn->hb_promised, fields, count);
  else
    rc = on_headers (conn, id, conn->hb_flags, fields, count, conn->hb_self_dep);
  Arena_clear (conn->scratch);
  return rc;
}

static int
start_block (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const SocketHTTP2__Payload *p)
{
  conn->hb_stream = h->stream_id;
  conn->hb_type = h->type;
  conn->hb_flags = h->flags;
  conn->hb_promised = p->promised_id;
  conn->hb_self_dep = p->has_priority && p->dependency == h->stream_id;
  conn->hb.len = conn->hb.off = 0;
  if (block_append (conn, p->data, p->len) < 0)
    return -1;
  if (h->flags & HTTP2_FLAG_END_HEADERS)
    return finish_block (conn);
  return 0;
}

static int
handle_headers (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  SocketHTTP2__Payload p;
  SocketHTTP2__Check c = SocketHTTP2__payload_split (h, payload, &p);

  if (c.code != HTTP2_NO_ERROR)
    return SocketHTTP2__conn_error (conn, c.code);
  return start_block (conn, h, &p);
}

static int
handle_push_promise (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  SocketHTTP2_Stream_T parent;
  SocketHTTP2__Payload p;
  SocketHTTP2__Check c;

  /* §8.4: only servers push, and only when the client allows it. */
  if (conn->config.role == HTTP2_ROLE_SERVER || conn->local_sent[HTTP2_SETTINGS_ENABLE_PUSH] == 0)
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  c = SocketHTTP2__payload_split (h, payload, &p);
  if (c.code != HTTP2_NO_ERROR)
    return SocketHTTP2__conn_error (conn, c.code);
  parent = SocketHTTP2__stream_find (conn, h->stream_id);
  if ((p.promised_id & 1) || p.promised_id <= conn->max_promised_id
      || (parent == NULL && SocketHTTP2__is_idle_id (conn, h->stream_id))
      || (parent != NULL && parent->state != HTTP2_STREAM_STATE_OPEN
          && parent->state != HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL && parent->state != HTTP2_STREAM_STATE_CLOSED))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  return start_block (conn, h, &p);
}

static int
handle_continuation (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  /* dispatch() already rejected a CONTINUATION for another stream. */
  if (conn->hb_stream == 0)
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (block_append (conn, payload, h->length) < 0)
    return -1;
  if (h->flags & HTTP2_FLAG_END_HEADERS)
    return finish_block (conn);
  return 0;
}

/* ===================================================================== */
/* RST_STREAM, PRIORITY, WINDOW_UPDATE                                    */
/* ===================================================================== */

static int
handle_rst_stream (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  SocketHTTP2_Stream_T s = SocketHTTP2__stream_find (conn, h->stream_id);

  if ((s == NULL && SocketHTTP2__is_idle_id (conn, h->stream_id))
      || (s != NULL && s->state == HTTP2_STREAM_STATE_IDLE))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (s == NULL || s->state == HTTP2_STREAM_STATE_CLOSED)
    return 0;
  /* CVE-2023-44487: open-and-reset churn costs us more than the peer. */
  if (!SocketHTTP2__budget_take (&conn->budget_rst, HTTP2_RST_RATE, HTTP2_RST_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  SocketHTTP2__stream_reset (s, SOCKETHTTP2EXT_RESET_RECEIVED, SocketHTTP2__u32 (payload));
  return conn->failed ? -1 : 0;
}

static int
handle_priority (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h, const unsigned char *payload)
{
  uint32_t dep;
  int excl;
  uint8_t weight;

  if (!SocketHTTP2__budget_take (&conn->budget_priority, HTTP2_PRIORITY_RATE, HTTP2_PRIORITY_BURST))
    return SocketHTTP2__conn_error (conn, HTTP2_ENHANCE_YOUR_CALM);
  SocketHTTP2__priority_parse (payload, &dep, &excl, &weight);
  /* §5.3.1: the only PRIORITY content still checked. */
  if (dep == h->stream_id)
    return SocketHTTP2__stream_error (conn, SocketHTTP2__stream_find (conn, h->stream_id), h->stream_id,
                                      HTTP2_PROTOCOL_ERROR);
  return 0;
}

static int
handle_stream_window_update (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h,
                             const unsigned char *payload)
{
  SocketHTTP2_Stream_T s = SocketHTTP2__stream_find (conn, h->stream_id);
  uint32_t inc = SocketHTTP2__u31 (payload);

  if ((s == NULL && SocketHTTP2__is_idle_id (conn, h->stream_id))
      || (s != NULL && s->state == HTTP2_STREAM_STATE_IDLE))
    return SocketHTTP2__conn_error (conn, HTTP2_PROTOCOL_ERROR);
  if (inc == 0)
    return SocketHTTP2__stream_error (conn, s, h->stream_id, HTTP2_PROTOCOL_ERROR);
  if (s == NULL || s->state == HTTP2_STREAM_STATE_CLOSED)
    return 0;
  if (s->send_window + inc > (int64_t)HTTP2_MAX_WINDOW)
    return SocketHTTP2__stream_error (conn, s, h->stream_id, HTTP2_FLOW_CONTROL_ERROR);
  s->send_window += inc;
  s->send_blocked = 0;
  SocketHTTP2__stream_emit (s, HTTP2_EVENT_WINDOW_UPDATE);
  return conn->failed ? -1 : 0;
}

int
SocketHTTP2__stream_frame (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h,
                           const unsigned char *payload)
{
  switch (h->type)
    {
    case HTTP2_FRAME_DATA:
      return handle_data (conn, h, payload);
    case HTTP2_FRAME_HEADERS:
      return handle_headers (conn, h, payload);
    case HTTP2_FRAME_PRIORITY:
      return handle_priority (conn, h, payload);
    case HTTP2_FRAME_RST_STREAM:
      return handle_rst_stream (conn, h, payload);
    case HTTP2_FRAME_PUSH_PROMISE:
      return handle_push_promise (conn, h, payload);
    case HTTP2_FRAME_CONTINUATION:
      return handle_continuation (conn, h, payload);
    case HTTP2_FRAME_WINDOW_UPDATE:
      return handle_stream_window_update (conn, h, payload);
    default:
      return 0;
    }
}
