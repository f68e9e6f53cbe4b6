/*
 * test_http2_support.h - shared harness for the HTTP/2 engine tests: a
 * client and a server connection of ours over a non-blocking socketpair,
 * event recorders that read everything a stream delivers from inside the
 * callbacks (streams are freed at the next Conn_process after closing),
 * and a raw peer that writes hand-made frames and parses what the engine
 * answers.
 */
#ifndef TEST_HTTP2_SUPPORT_H
#define TEST_HTTP2_SUPPORT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/Arena.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTP2Ext.h"
#include "socket/Socket.h"

/* ---- Event recorder ------------------------------------------------------ */

typedef struct
{
  int events[32];
  char headers[8192]; /* "name: value\n" of the last header block */
  char trailers[1024];
  unsigned char *body;
  size_t body_len;
  size_t body_cap;
  int end_seen;          /* recv_data reported end_stream */
  int read_in_callback;  /* drain DATA as it arrives */
  uint32_t last_id;
  SocketHTTP2_StreamState state_at_end;
  /* Server auto-responder: on a complete request, answer 200 with a body
   * of respond_size bytes (pattern i & 0xff). */
  int respond;
  size_t respond_size;
  int responses_done;
  int streams_ended;
  int streams_reset;
  int reset_origin;      /* SocketHTTP2Ext_Stream_reset_info of the last reset */
  uint32_t reset_code;
  int informational;     /* 1xx heads seen (HEADERS_RECEIVED with :status 1xx) */
} Side;

typedef struct
{
  size_t remaining;
  size_t offset;
} Responder;

static inline void
side_init (Side *s)
{
  memset (s, 0, sizeof *s);
  s->read_in_callback = 1;
}

static inline void
side_free (Side *s)
{
  free (s->body);
  s->body = NULL;
}

static inline void
fields_to_text (const SocketHPACK_Header *h, size_t n, char *out, size_t cap)
{
  size_t i, used = 0;

  out[0] = '\0';
  for (i = 0; i < n && used + h[i].name_len + h[i].value_len + 4 < cap; i++)
    {
      memcpy (out + used, h[i].name, h[i].name_len);
      used += h[i].name_len;
      memcpy (out + used, ": ", 2);
      used += 2;
      memcpy (out + used, h[i].value, h[i].value_len);
      used += h[i].value_len;
      out[used++] = '\n';
      out[used] = '\0';
    }
}

static inline void
side_read_body (Side *side, SocketHTTP2_Stream_T s)
{
  unsigned char buf[16384];
  ssize_t n;
  int end = 0;

  while ((n = SocketHTTP2_Stream_recv_data (s, buf, sizeof buf, &end)) > 0)
    {
      if (side->body_len + (size_t)n > side->body_cap)
        {
          /* Geometric growth: ASan's realloc always copies. */
          side->body_cap = (side->body_len + (size_t)n) * 2;
          side->body = realloc (side->body, side->body_cap);
        }
      memcpy (side->body + side->body_len, buf, (size_t)n);
      side->body_len += (size_t)n;
    }
  if (end)
    side->end_seen = 1;
}

static inline void
responder_pump (SocketHTTP2_Stream_T s)
{
  Responder *r = SocketHTTP2_Stream_get_userdata (s);
  unsigned char chunk[8192];

  while (r != NULL && r->remaining > 0)
    {
      size_t n = r->remaining < sizeof chunk ? r->remaining : sizeof chunk, i;
      ssize_t sent;
      for (i = 0; i < n; i++)
        chunk[i] = (unsigned char)((r->offset + i) & 0xff);
      size_t before = r->remaining;
      sent = SocketHTTP2_Stream_send_data (s, chunk, n, n == r->remaining);
      if (sent <= 0)
        break;
      /* The last send ends the stream: STREAM_END has already run (from
       * inside send_data) and freed r. */
      if ((size_t)sent == before)
        return;
      r->remaining -= (size_t)sent;
      r->offset += (size_t)sent;
    }
}

static inline void
respond (Side *side, SocketHTTP2_Stream_T s)
{
  SocketHPACK_Header h[2] = { { ":status", 7, "200", 3, 0 }, { "server", 6, "test", 4, 0 } };
  Responder *r;

  if (SocketHTTP2_Stream_send_headers (s, h, 2, side->respond_size == 0) < 0)
    return;
  side->responses_done++;
  if (side->respond_size == 0)
    return;
  r = calloc (1, sizeof *r);
  r->remaining = side->respond_size;
  SocketHTTP2_Stream_set_userdata (s, r);
  responder_pump (s);
}

static inline void
stream_cb (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  Side *side = ud;
  SocketHPACK_Header h[128];
  size_t n;
  int end = 0;

  (void)conn;
  if (event > 0 && event < 32)
    side->events[event]++;
  side->last_id = SocketHTTP2_Stream_id (s);
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      if (SocketHTTP2_Stream_recv_headers (s, h, 128, &n, &end) == 1)
        {
          fields_to_text (h, n < 128 ? n : 128, side->headers, sizeof side->headers);
          /* How an application tells an interim head (see recv_headers). */
          if (n > 0 && h[0].name_len == 7 && memcmp (h[0].name, ":status", 7) == 0 && h[0].value[0] == '1')
            {
              side->informational++;
              break;
            }
        }
      if (side->respond && end)
        respond (side, s);
      break;
    case HTTP2_EVENT_TRAILERS_RECEIVED:
      if (SocketHTTP2_Stream_recv_trailers (s, h, 128, &n) == 1)
        fields_to_text (h, n < 128 ? n : 128, side->trailers, sizeof side->trailers);
      if (side->respond)
        respond (side, s);
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      if (side->read_in_callback)
        {
          side_read_body (side, s);
          SocketHTTP2_Stream_recv_data (s, NULL, 0, &end);
          if (side->respond && end)
            respond (side, s);
        }
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      responder_pump (s);
      break;
    case HTTP2_EVENT_STREAM_END:
    case HTTP2_EVENT_STREAM_RESET:
      if (side->read_in_callback)
        side_read_body (side, s);
      side->state_at_end = SocketHTTP2_Stream_state (s);
      if (event == HTTP2_EVENT_STREAM_END)
        side->streams_ended++;
      else
        {
          side->streams_reset++;
          side->reset_origin = SocketHTTP2Ext_Stream_reset_info (s, &side->reset_code);
        }
      free (SocketHTTP2_Stream_get_userdata (s));
      SocketHTTP2_Stream_set_userdata (s, NULL);
      break;
    default:
      break;
    }
}

typedef struct
{
  int events[32];
} ConnLog;

static inline void
conn_cb (SocketHTTP2_Conn_T conn, int event, void *ud)
{
  ConnLog *log = ud;
  (void)conn;
  if (event > 0 && event < 32)
    log->events[event]++;
}

/* ---- Two engines over a socketpair -------------------------------------- */

typedef struct
{
  Arena_T arena;
  Socket_T a, b;
  SocketHTTP2_Conn_T client, server;
  Side cside, sside;
  ConnLog clog, slog;
  int crc, src; /* last process results */
} Pair;

static inline void
pair_open (Pair *p, const SocketHTTP2_Config *ccfg, const SocketHTTP2_Config *scfg)
{
  SocketHTTP2_Config c, s;

  memset (p, 0, sizeof *p);
  p->arena = Arena_new ();
  SocketPair_new (SOCK_STREAM, &p->a, &p->b);
  Socket_setnonblocking (p->a);
  Socket_setnonblocking (p->b);
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  SocketHTTP2_config_defaults (&s, HTTP2_ROLE_SERVER);
  p->client = SocketHTTP2_Conn_new (p->a, ccfg ? ccfg : &c, p->arena);
  p->server = SocketHTTP2_Conn_new (p->b, scfg ? scfg : &s, p->arena);
  side_init (&p->cside);
  side_init (&p->sside);
  SocketHTTP2_Conn_set_stream_callback (p->client, stream_cb, &p->cside);
  SocketHTTP2_Conn_set_stream_callback (p->server, stream_cb, &p->sside);
  SocketHTTP2_Conn_set_conn_callback (p->client, conn_cb, &p->clog);
  SocketHTTP2_Conn_set_conn_callback (p->server, conn_cb, &p->slog);
}

static inline void
pair_close (Pair *p)
{
  SocketHTTP2_Conn_free (&p->client);
  SocketHTTP2_Conn_free (&p->server);
  Socket_free (&p->a);
  Socket_free (&p->b);
  side_free (&p->cside);
  side_free (&p->sside);
  Arena_dispose (&p->arena);
}

static inline void
pair_round (Pair *p)
{
  SocketHTTP2_Conn_flush (p->client);
  SocketHTTP2_Conn_flush (p->server);
  p->src = SocketHTTP2_Conn_process (p->server, 0);
  p->crc = SocketHTTP2_Conn_process (p->client, 0);
}

static inline void
pair_pump (Pair *p, int rounds)
{
  while (rounds-- > 0)
    pair_round (p);
}

/* ---- Raw peer ------------------------------------------------------------- */

typedef struct
{
  uint8_t type, flags;
  uint32_t stream_id;
  uint32_t code; /* first 4 payload bytes (RST code, WINDOW_UPDATE), GOAWAY code */
  uint32_t length;
} RawFrame;

typedef struct
{
  Arena_T arena;
  Socket_T a, b;
  int fd;
  SocketHTTP2_Conn_T conn;
  Side side;
  ConnLog log;
  int rc;
  unsigned char in[1 << 16];
  size_t in_len;
  RawFrame frames[4096];
  size_t nframes;
  size_t frames_dropped;
  size_t preface_left; /* client engine: its preface precedes the frames */
} Raw;

static inline void
raw_collect (Raw *r)
{
  ssize_t n;

  for (;;)
    {
      n = read (r->fd, r->in + r->in_len, sizeof r->in - r->in_len);
      if (n <= 0)
        break;
      r->in_len += (size_t)n;
      if (r->preface_left > 0)
        {
          size_t k = r->in_len < r->preface_left ? r->in_len : r->preface_left;
          memmove (r->in, r->in + k, r->in_len - k);
          r->in_len -= k;
          r->preface_left -= k;
        }
      while (r->in_len >= 9)
        {
          SocketHTTP2_FrameHeader h;
          size_t total;
          SocketHTTP2_frame_header_parse (r->in, &h);
          total = 9 + h.length;
          if (r->in_len < total)
            break;
          if (r->nframes < sizeof r->frames / sizeof r->frames[0])
            {
              RawFrame *f = &r->frames[r->nframes++];
              f->type = h.type;
              f->flags = h.flags;
              f->stream_id = h.stream_id;
              f->length = h.length;
              f->code = 0;
              if (h.type == HTTP2_FRAME_GOAWAY && h.length >= 8)
                f->code = SocketHTTP2__u32 (r->in + 13);
              else if (h.length >= 4)
                f->code = SocketHTTP2__u32 (r->in + 9);
            }
          else
            r->frames_dropped++;
          memmove (r->in, r->in + total, r->in_len - total);
          r->in_len -= total;
        }
      if (r->in_len == sizeof r->in)
        break;
    }
}

/* Let the engine handle what we wrote and collect its answers. */
static inline void
raw_run (Raw *r)
{
  int i;

  for (i = 0; i < 3; i++)
    {
      int rc = SocketHTTP2_Conn_process (r->conn, 0);
      if (rc < 0)
        r->rc = rc;
      SocketHTTP2_Conn_flush (r->conn);
      raw_collect (r);
    }
}

static inline void
raw_send (Raw *r, const void *bytes, size_t len)
{
  const unsigned char *p = bytes;

  while (len > 0)
    {
      ssize_t n = write (r->fd, p, len);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          raw_run (r);
          if (r->rc < 0 && SocketHTTP2_Conn_is_closed (r->conn))
            {
              /* The engine gave up: it reads no more. */
              int rc2 = SocketHTTP2_Conn_process (r->conn, 0);
              (void)rc2;
              return;
            }
          continue;
        }
      if (n <= 0)
        return;
      p += n;
      len -= (size_t)n;
    }
}

static inline void
raw_frame (Raw *r, uint8_t type, uint8_t flags, uint32_t stream_id, const void *payload, size_t len)
{
  unsigned char *f = malloc (9 + len);
  SocketHTTP2__write_frame (f, type, flags, stream_id, payload, len);
  raw_send (r, f, 9 + len);
  free (f);
}

/* Open the engine in @p role; the test is the other side and has sent
 * its preface (client: magic + SETTINGS; server: SETTINGS). */
static inline void
raw_open_cfg (Raw *r, const SocketHTTP2_Config *cfg)
{
  memset (r, 0, sizeof *r);
  r->arena = Arena_new ();
  SocketPair_new (SOCK_STREAM, &r->a, &r->b);
  Socket_setnonblocking (r->a);
  Socket_setnonblocking (r->b);
  r->fd = Socket_fd (r->a);
  r->conn = SocketHTTP2_Conn_new (r->b, cfg, r->arena);
  side_init (&r->side);
  SocketHTTP2_Conn_set_stream_callback (r->conn, stream_cb, &r->side);
  SocketHTTP2_Conn_set_conn_callback (r->conn, conn_cb, &r->log);
  if (cfg->role == HTTP2_ROLE_SERVER)
    raw_send (r, SocketHTTP2__preface, HTTP2_PREFACE_SIZE);
  else
    r->preface_left = HTTP2_PREFACE_SIZE;
  raw_frame (r, HTTP2_FRAME_SETTINGS, 0, 0, NULL, 0);
  raw_run (r);
}

static inline void
raw_open (Raw *r, SocketHTTP2_Role role)
{
  SocketHTTP2_Config cfg;
  SocketHTTP2_config_defaults (&cfg, role);
  raw_open_cfg (r, &cfg);
}

static inline void
raw_close (Raw *r)
{
  SocketHTTP2_Conn_free (&r->conn);
  Socket_free (&r->a);
  Socket_free (&r->b);
  side_free (&r->side);
  Arena_dispose (&r->arena);
}

/* GOAWAY error code the engine sent, or -1. */
static inline long
raw_goaway (const Raw *r)
{
  size_t i;
  for (i = 0; i < r->nframes; i++)
    if (r->frames[i].type == HTTP2_FRAME_GOAWAY)
      return (long)r->frames[i].code;
  return -1;
}

/* RST_STREAM code the engine sent for @p stream_id, or -1. */
static inline long
raw_rst (const Raw *r, uint32_t stream_id)
{
  size_t i;
  for (i = 0; i < r->nframes; i++)
    if (r->frames[i].type == HTTP2_FRAME_RST_STREAM && r->frames[i].stream_id == stream_id)
      return (long)r->frames[i].code;
  return -1;
}

static inline size_t
raw_count (const Raw *r, uint8_t type, uint8_t flags)
{
  size_t i, n = 0;
  for (i = 0; i < r->nframes; i++)
    if (r->frames[i].type == type && (r->frames[i].flags & flags) == flags)
      n++;
  return n;
}

/* ---- Hand-made HPACK (literal without indexing, new name) ---------------- */

static inline size_t
hp_lit (unsigned char *o, const char *name, const char *value)
{
  size_t nl = strlen (name), vl = strlen (value), i = 0;

  o[i++] = 0x00;
  o[i++] = (unsigned char)nl;
  memcpy (o + i, name, nl);
  i += nl;
  o[i++] = (unsigned char)vl;
  memcpy (o + i, value, vl);
  return i + vl;
}

/* Block from a NULL-terminated list of name, value strings. */
static inline size_t
hp_block (unsigned char *o, const char *const *nv)
{
  size_t len = 0;
  for (; nv[0] != NULL; nv += 2)
    len += hp_lit (o + len, nv[0], nv[1]);
  return len;
}

__attribute__ ((unused)) static const char *const GET_REQ[] = { ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x", NULL };

static inline void
raw_request (Raw *r, uint32_t id, const char *const *nv, uint8_t flags)
{
  unsigned char block[4096] = { 0 }; /* GCC -O2 cannot see hp_block fill it */
  size_t len = hp_block (block, nv);
  raw_frame (r, HTTP2_FRAME_HEADERS, flags, id, block, len);
}

#endif /* TEST_HTTP2_SUPPORT_H */
