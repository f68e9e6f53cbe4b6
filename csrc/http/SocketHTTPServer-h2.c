/*
 * SocketHTTPServer-h2.c - HTTP/2 on a server connection, through the
 * memory-I/O engine (SocketHTTP2Ext.h): the server's own buffers carry
 * the bytes, so TLS, prior knowledge (bytes already read when the preface
 * was recognised) and the h2c upgrade all work the same way.
 *
 * Each stream's request becomes a SocketHTTPServer_Request_T (stream
 * userdata). The handler runs once the peer's side is complete; the
 * response head is queued at finish and the body as the flow-control
 * windows allow (replies with body left sit on the connection's pending
 * list until WINDOW_UPDATE or a drained output queue resumes them). A
 * request lives until its stream ends and no call that may end it is on
 * the stack (busy).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP2Ext.h"
#include "http/SocketHTTPServer-private.h"

#define H2_MAX_FIELDS 256

static size_t
out_pending (const ServerConn *c)
{
  return c->out_len - c->out_off;
}

static void
pending_unlink (SocketHTTPServer_Request_T req)
{
  if (!req->pending_linked)
    return;
  req->prev_pending->next_pending = req->next_pending;
  req->next_pending->prev_pending = req->prev_pending;
  req->pending_linked = 0;
}

static void
pending_link (ServerConn *c, SocketHTTPServer_Request_T req)
{
  if (req->pending_linked)
    return;
  req->next_pending = &c->pending;
  req->prev_pending = c->pending.prev_pending;
  c->pending.prev_pending->next_pending = req;
  c->pending.prev_pending = req;
  req->pending_linked = 1;
}

/* Free once the stream is gone and nothing on the stack still uses it. */
static void
release (SocketHTTPServer_Request_T req)
{
  ServerConn *c = req->conn;
  if (!req->stream_closed || req->busy > 0)
    return;
  pending_unlink (req);
  if (c->h2_active > 0)
    c->h2_active--;
  SocketHTTPServer__request_free (req);
}

/* Queue body bytes as windows and the send queue allow. */
static void
send_body (SocketHTTPServer_Request_T req)
{
  req->busy++;
  while (!req->stream_closed && req->resp_sent < req->resp_len)
    {
      ssize_t n = SocketHTTP2_Stream_send_data (req->stream, req->resp_body + req->resp_sent,
                                                req->resp_len - req->resp_sent, 1);
      if (n <= 0)
        break;
      req->resp_sent += (size_t)n;
    }
  if (req->resp_sent >= req->resp_len || req->stream_closed)
    pending_unlink (req);
  req->busy--;
}

static int
connection_specific (const char *name, size_t len)
{
  static const char *const drop[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                      "upgrade", "content-length" };
  size_t i;
  for (i = 0; i < sizeof drop / sizeof drop[0]; i++)
    if (strlen (drop[i]) == len && strncasecmp (drop[i], name, len) == 0)
      return 1;
  return 0;
}

static char *
lower_copy (Arena_T arena, const char *s, size_t len)
{
  char *d = Arena_alloc (arena, len + 1, __FILE__, __LINE__);
  size_t i;
  for (i = 0; i < len; i++)
    d[i] = (char)tolower ((unsigned char)s[i]);
  d[len] = '\0';
  return d;
}

void
SocketHTTPServer__h2_finish (SocketHTTPServer_Request_T req)
{
  size_t n = SocketHTTP_Headers_count (req->resp_headers), i, count = 0;
  SocketHPACK_Header *f;
  char *status, *clen, *date = NULL;
  int code = req->status < 200 ? 500 : req->status;
  int no_body = code == 204 || code == 304;
  int end;

  if (req->stream_closed)
    return;
  f = Arena_calloc (req->arena, n + 3, sizeof *f, __FILE__, __LINE__);
  status = Arena_alloc (req->arena, 16, __FILE__, __LINE__);
  clen = Arena_alloc (req->arena, 32, __FILE__, __LINE__);
  snprintf (status, 16, "%d", code);
  f[count++] = (SocketHPACK_Header){ ":status", 7, status, strlen (status), 0 };
  for (i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (req->resp_headers, i);
      if (connection_specific (h->name, h->name_len))
        continue;
      f[count++] = (SocketHPACK_Header){ lower_copy (req->arena, h->name, h->name_len), h->name_len, h->value,
                                         h->value_len, 0 };
    }
  if (!no_body)
    {
      snprintf (clen, 32, "%zu", req->resp_len);
      f[count++] = (SocketHPACK_Header){ "content-length", 14, clen, strlen (clen), 0 };
    }
  if (!SocketHTTP_Headers_has (req->resp_headers, "Date"))
    {
      date = Arena_alloc (req->arena, SOCKETHTTP_DATE_BUFSIZE + 1, __FILE__, __LINE__);
      if (SocketHTTP_date_format (time (NULL), date) >= 0)
        f[count++] = (SocketHPACK_Header){ "date", 4, date, strlen (date), 0 };
    }
  if (no_body || req->is_head)
    req->resp_len = 0;
  end = req->resp_len == 0;
  req->busy++;
  if (SocketHTTP2_Stream_send_headers (req->stream, f, count, end) < 0)
    {
      if (!req->stream_closed)
        SocketHTTP2_Stream_close (req->stream, HTTP2_INTERNAL_ERROR);
    }
  else if (!end)
    {
      pending_link (req->conn, req);
      send_body (req);
    }
  req->busy--;
}

/* A request from the stream's head; NULL when it cannot be built. */
static SocketHTTPServer_Request_T
request_from_stream (ServerConn *c, SocketHTTP2_Stream_T s)
{
  SocketHPACK_Header h[H2_MAX_FIELDS];
  SocketHTTPServer_Request_T volatile req;
  const char *volatile authority = NULL;
  volatile size_t alen = 0;
  size_t n = 0, i;
  int end = 0;

  if (!SocketHTTP2_Stream_recv_headers (s, h, H2_MAX_FIELDS, &n, &end) || n > H2_MAX_FIELDS)
    return NULL;
  req = SocketHTTPServer__request_new (c);
  if (req == NULL)
    return NULL;
  req->stream = s;
  req->version = HTTP_VERSION_2;
  req->keepalive = 1;
  TRY
  {
    req->headers = SocketHTTP_Headers_new (req->arena);
    for (i = 0; i < n; i++)
      {
        if (h[i].name_len == 7 && memcmp (h[i].name, ":method", 7) == 0)
          req->method = SocketHTTP_method_parse (h[i].value, h[i].value_len);
        else if (h[i].name_len == 5 && memcmp (h[i].name, ":path", 5) == 0)
          SocketHTTPServer__target_set (req, h[i].value, h[i].value_len);
        else if (h[i].name_len == 10 && memcmp (h[i].name, ":authority", 10) == 0)
          {
            authority = h[i].value;
            alen = h[i].value_len;
          }
        else if (h[i].name_len > 0 && h[i].name[0] != ':')
          SocketHTTP_Headers_add_n (req->headers, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
      }
    if (authority != NULL && !SocketHTTP_Headers_has (req->headers, "host"))
      SocketHTTP_Headers_add_n (req->headers, "host", 4, authority, alen);
    if (req->target == NULL)
      SocketHTTPServer__target_set (req, "/", 1);
  }
  ELSE
  {
    SocketHTTPServer__request_free (req);
    req = NULL;
  }
  END_TRY;
  if (req != NULL)
    {
      req->is_head = req->method == HTTP_METHOD_HEAD;
      c->h2_active++;
      SocketHTTP2_Stream_set_userdata (s, req);
    }
  return req;
}

static void
answer (SocketHTTPServer_Request_T req)
{
  ServerConn *c = req->conn;
  size_t max = c->server->config.max_requests_per_connection;

  req->dispatched = 1;
  if (req->over_limit)
    {
      req->status = 413;
      SocketHTTPServer_Request_body_string (req, "Payload Too Large\n");
      SocketHTTPServer_Request_finish (req);
    }
  else
    SocketHTTPServer__dispatch (req);
  if (max > 0 && c->requests >= max && !c->h2_goaway_sent)
    {
      c->h2_goaway_sent = 1;
      (void)SocketHTTP2_Conn_goaway (c->h2, HTTP2_NO_ERROR, NULL, 0);
    }
}

static void
on_stream (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  ServerConn *c = ud;
  SocketHTTPServer_Request_T req = SocketHTTP2_Stream_get_userdata (s);
  unsigned char buf[HTTPSERVER_READ_CHUNK];
  size_t n;
  ssize_t got;
  int end = 0;

  (void)conn;
  if (event == HTTP2_EVENT_HEADERS_RECEIVED && req == NULL)
    {
      req = request_from_stream (c, s);
      if (req == NULL)
        {
          SocketHTTP2_Stream_close (s, HTTP2_INTERNAL_ERROR);
          return;
        }
    }
  if (req == NULL)
    return;
  req->busy++;
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      SocketHTTP2_Stream_recv_headers (s, NULL, 0, &n, &end);
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      while ((got = SocketHTTP2_Stream_recv_data (s, buf, sizeof buf, &end)) > 0)
        if (!req->over_limit && SocketHTTPServer__body_append (req, buf, (size_t)got) < 0)
          req->over_limit = 1;
      if (req->over_limit && !req->dispatched)
        end = 1; /* answer 413 now; what still comes is read and dropped */
      break;
    case HTTP2_EVENT_TRAILERS_RECEIVED:
      end = 1;
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      send_body (req);
      break;
    case HTTP2_EVENT_STREAM_END:
    case HTTP2_EVENT_STREAM_RESET:
      req->stream_closed = 1;
      pending_unlink (req);
      SocketHTTP2_Stream_set_userdata (s, NULL);
      break;
    default:
      break;
    }
  if (end && !req->dispatched && !req->stream_closed)
    answer (req);
  req->busy--;
  release (req);
}

/* Move the engine's output into the connection's queue. */
static void
pump (ServerConn *c)
{
  const unsigned char *p;
  size_t len = 0;
  while ((p = SocketHTTP2Ext_Conn_output (c->h2, &len)) != NULL && len > 0)
    {
      if (SocketHTTPServer__send (c, p, len) < 0)
        return;
      SocketHTTP2Ext_Conn_output_consumed (c->h2, len);
    }
}

static void
resume_bodies (ServerConn *c)
{
  SocketHTTPServer_Request_T r = c->pending.next_pending, next;
  while (r != &c->pending && out_pending (c) < HTTPSERVER_OUT_HIGH_WATER)
    {
      next = r->next_pending;
      r->busy++;
      send_body (r);
      r->busy--;
      release (r);
      pump (c);
      r = next;
    }
}

static void
check_done (ServerConn *c)
{
  if (SocketHTTP2_Conn_is_closed (c->h2) && c->h2_active == 0)
    SocketHTTPServer__closing (c);
}

int
SocketHTTPServer__h2_start (ServerConn *c, const SocketHTTP_Request *upgrade_req, const unsigned char *settings,
                            size_t settings_len)
{
  SocketHTTP2_Config cfg;
  SocketHTTP2_Conn_T volatile h2 = NULL;
  SocketHTTP2_Stream_T volatile s1 = NULL;

  SocketHTTP2_config_defaults (&cfg, HTTP2_ROLE_SERVER);
  if (c->server->config.max_header_size < cfg.max_header_list_size)
    cfg.max_header_list_size = (uint32_t)c->server->config.max_header_size;
  TRY
  {
    if (upgrade_req != NULL)
      {
        SocketHTTP2_Stream_T tmp = NULL;
        h2 = SocketHTTP2Ext_Conn_upgrade_server_io (upgrade_req, settings, settings_len, c->arena, &tmp);
        s1 = tmp;
      }
    else
      h2 = SocketHTTP2Ext_Conn_new_io (&cfg, c->arena);
  }
  ELSE h2 = NULL;
  END_TRY;
  if (h2 == NULL)
    return -1;
  c->h2 = h2;
  c->state = SERVERCONN_HTTP2;
  c->request_start_ms = 0;
  SocketHTTP2_Conn_set_stream_callback (h2, on_stream, c);
  if (s1 != NULL)
    {
      /* Answered once the client's preface and SETTINGS are in: its
       * window settings then apply, and clients that read only so much
       * behind the 101 at once (curl: 32 KiB) are not flooded. */
      SocketHTTPServer_Request_T req = request_from_stream (c, s1);
      if (req == NULL)
        SocketHTTP2_Stream_close (s1, HTTP2_INTERNAL_ERROR);
      else
        {
          req->busy++; /* kept even if the stream is reset meanwhile */
          c->h2_upgrade_req = req;
        }
    }
  pump (c);
  return 0;
}

static void
answer_upgrade (ServerConn *c)
{
  SocketHTTPServer_Request_T req = c->h2_upgrade_req;
  c->h2_upgrade_req = NULL;
  if (!req->stream_closed)
    answer (req);
  req->busy--;
  release (req);
}

void
SocketHTTPServer__h2_input (ServerConn *c)
{
  int guard;
  /* Housekeeping first: streams that closed since the last call go away. */
  if (SocketHTTP2_Conn_process (c->h2, 0) < 0)
    {
      pump (c);
      SocketHTTPServer__closing (c);
      return;
    }
  for (guard = 0; guard < 1024 && c->state == SERVERCONN_HTTP2; guard++)
    {
      size_t avail = c->in_len - c->in_off, used = 0;
      int rc = 0;
      if (avail == 0 || out_pending (c) >= HTTPSERVER_OUT_HIGH_WATER)
        break;
      rc = SocketHTTP2Ext_Conn_input (c->h2, c->in + c->in_off, avail, &used);
      c->in_off += used;
      if (used > 0 && rc == 0 && c->h2_upgrade_req != NULL)
        answer_upgrade (c);
      pump (c);
      if (rc < 0)
        {
          SocketHTTPServer__closing (c); /* GOAWAY queued */
          return;
        }
      if (used == 0)
        break;
    }
  if (c->state != SERVERCONN_HTTP2)
    return;
  resume_bodies (c);
  pump (c);
  check_done (c);
}

void
SocketHTTPServer__h2_timers (ServerConn *c)
{
  int rc = SocketHTTP2_Conn_process (c->h2, 0);
  pump (c);
  if (rc < 0)
    SocketHTTPServer__closing (c);
  else
    check_done (c);
  SocketHTTPServer__flush (c);
}

int
SocketHTTPServer__h2_next_timeout (ServerConn *c)
{
  return SocketHTTP2Ext_Conn_next_timeout_ms (c->h2);
}

void
SocketHTTPServer__h2_free (ServerConn *c)
{
  SocketHTTPServer_Request_T up = c->h2_upgrade_req;
  c->h2_upgrade_req = NULL;
  if (up != NULL)
    {
      up->busy--;
      release (up); /* frees it if its stream is already closed */
    }
  SocketHTTP2_Conn_free (&c->h2); /* STREAM_RESET for the open streams frees their requests */
}
