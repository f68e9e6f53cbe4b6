/*
 * SocketHTTPServer-h1.c - HTTP/1.0 and HTTP/1.1 on a server connection
 * (RFC 9112): the request state machine (head, 100-continue, body),
 * response serialization, error responses, and the two ways out of
 * HTTP/1: the WebSocket upgrade and h2c (upgrade or prior knowledge).
 *
 * One request is read at a time; the next pipelined one is parsed only
 * once the previous response is queued, so responses leave in order.
 * Nothing more is parsed while the output queue is over its high-water
 * mark: a client that pipelines without reading stalls itself.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/SocketCrypto.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTPServer-private.h"
#include "socket/SocketWSExt.h"

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define H2_PREFACE_LEN 24

int
SocketHTTPServer__is_h2_preface (const unsigned char *data, size_t len)
{
  size_t n = len < H2_PREFACE_LEN ? len : H2_PREFACE_LEN;
  if (memcmp (data, h2_preface, n) != 0)
    return 0;
  return len >= H2_PREFACE_LEN ? 1 : -1;
}

static size_t
out_pending (const ServerConn *c)
{
  return c->out_len - c->out_off;
}

static void
send_str (ServerConn *c, const char *s)
{
  SocketHTTPServer__send (c, s, strlen (s));
}

/* ===================================================================== */
/* Responses                                                             */
/* ===================================================================== */

static void
send_status_line (ServerConn *c, int status)
{
  char line[64];
  snprintf (line, sizeof line, "HTTP/1.1 %d %s\r\n", status, SocketHTTP_status_reason (status));
  send_str (c, line);
}

static void
send_date (ServerConn *c)
{
  char date[SOCKETHTTP_DATE_BUFSIZE + 1];
  if (SocketHTTP_date_format (time (NULL), date) < 0)
    return;
  send_str (c, "Date: ");
  send_str (c, date);
  send_str (c, "\r\n");
}

/* A response of the server's own (errors, timeouts): always closes. */
void
SocketHTTPServer__h1_error (ServerConn *c, int status)
{
  const char *reason = SocketHTTP_status_reason (status);
  char len[64];

  if (c->cur != NULL)
    SocketHTTPServer__request_free (c->cur);
  c->head_done = 0;
  c->request_start_ms = 0;
  send_status_line (c, status);
  send_date (c);
  snprintf (len, sizeof len, "Content-Length: %zu\r\n", strlen (reason) + 1);
  send_str (c, "Content-Type: text/plain\r\nConnection: close\r\n");
  send_str (c, len);
  send_str (c, "\r\n");
  send_str (c, reason);
  send_str (c, "\n");
  SocketHTTPServer__closing (c);
}

static int
is_connection_header (const SocketHTTP_Header *h)
{
  return h->name_len == 10 && strncasecmp (h->name, "Connection", 10) == 0;
}

void
SocketHTTPServer__h1_finish (SocketHTTPServer_Request_T req)
{
  ServerConn *c = req->conn;
  size_t i, n = SocketHTTP_Headers_count (req->resp_headers);
  int status = req->status < 200 ? 500 : req->status; /* a final answer cannot be 1xx */
  int no_body = status == 204 || status == 304;
  char line[64];

  if (SocketHTTP_Headers_contains (req->resp_headers, "Connection", "close"))
    req->keepalive = 0;
  send_status_line (c, status);
  for (i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (req->resp_headers, i);
      if (is_connection_header (h))
        continue;
      SocketHTTPServer__send (c, h->name, h->name_len);
      send_str (c, ": ");
      SocketHTTPServer__send (c, h->value, h->value_len);
      send_str (c, "\r\n");
    }
  if (!SocketHTTP_Headers_has (req->resp_headers, "Date"))
    send_date (c);
  if (!no_body)
    {
      snprintf (line, sizeof line, "Content-Length: %zu\r\n", req->resp_len);
      send_str (c, line);
    }
  if (!req->keepalive)
    send_str (c, "Connection: close\r\n");
  else if (req->version == HTTP_VERSION_1_0)
    send_str (c, "Connection: keep-alive\r\n");
  send_str (c, "\r\n");
  if (!no_body && !req->is_head)
    SocketHTTPServer__send (c, req->resp_body, req->resp_len);
  if (!req->keepalive)
    SocketHTTPServer__closing (c);
  SocketHTTPServer__flush (c); /* sent now, even before the handler returns */
}

/* ===================================================================== */
/* Upgrades                                                              */
/* ===================================================================== */

/* Write what is queued, waiting for the socket at most @p ms: the 101
 * must follow the responses to earlier pipelined requests. */
static int
flush_blocking (ServerConn *c, int ms)
{
  int64_t until = Socket_get_monotonic_ms () + ms;
  while (out_pending (c) > 0)
    {
      struct pollfd p = { Socket_fd (c->sock), POLLOUT, 0 };
      int64_t left = until - Socket_get_monotonic_ms ();
      if (SocketHTTPServer__flush (c) < 0)
        return -1;
      if (out_pending (c) == 0)
        break;
      if (left <= 0 || poll (&p, 1, (int)left) < 0)
        return -1;
    }
  return 0;
}

SocketWS_T
SocketHTTPServer__h1_upgrade_websocket (SocketHTTPServer_Request_T req)
{
  ServerConn *c = req->conn;
  SocketWS_T volatile ws = NULL;
  int timeout = c->server->config.request_timeout_ms > 0 ? c->server->config.request_timeout_ms : 30000;

  if (c->state != SERVERCONN_HTTP1 || req->h1 == NULL || flush_blocking (c, timeout) < 0)
    return NULL;
  TRY
  {
    ws = SocketWSExt_server_accept_data (c->sock, req->h1, NULL, c->in + c->in_off, c->in_len - c->in_off);
    if (SocketWS_handshake (ws) < 0)
      {
        SocketWS_T tmp = ws;
        SocketWS_free (&tmp);
        ws = NULL;
      }
  }
  EXCEPT (SocketWS_Failed) { ws = NULL; }
  END_TRY;
  if (ws == NULL)
    return NULL;
  /* The connection leaves the server: the socket is the caller's now. */
  c->in_off = c->in_len = 0;
  req->detached = 1;
  req->finished = 1;
  SocketPoll_del (c->server->poll, c->sock);
  c->sock = NULL;
  c->state = SERVERCONN_CLOSING;
  c->linger_until_ms = -1;
  return ws;
}

/* "Upgrade: h2c" (RFC 7540 §3.2) on a request without a body: 1 when the
 * connection switched to HTTP/2, 0 to serve it as HTTP/1.1. */
static int
try_h2c_upgrade (ServerConn *c, const SocketHTTP_Request *hr)
{
  const SocketHTTPServer_Config *cfg = &c->server->config;
  const char *values[2];
  unsigned char settings[256];
  ssize_t len;

  if (!cfg->enable_h2c_upgrade || cfg->max_version < HTTP_VERSION_2 || c->tls || hr->has_body
      || !SocketHTTP_Headers_contains (hr->headers, "Upgrade", "h2c")
      || !SocketHTTP_Headers_contains (hr->headers, "Connection", "HTTP2-Settings")
      || SocketHTTP_Headers_get_all (hr->headers, "HTTP2-Settings", values, 2) != 1)
    return 0;
  if (strlen (values[0]) > sizeof settings * 4 / 3)
    return 0;
  len = SocketCrypto_base64_decode (values[0], strlen (values[0]), settings, sizeof settings);
  if (len < 0 || len % 6 != 0)
    return 0;
  send_str (c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
  if (SocketHTTPServer__h2_start (c, hr, settings, (size_t)len) < 0)
    SocketHTTPServer__closing (c);
  SocketHTTPServer__request_free (c->cur); /* stream 1 carries it now */
  c->head_done = 0;
  return 1;
}

/* ===================================================================== */
/* Requests                                                              */
/* ===================================================================== */

static int
error_status (SocketHTTP1_Result r)
{
  switch (r)
    {
    case HTTP1_ERROR_HEADER_TOO_LARGE:
    case HTTP1_ERROR_TOO_MANY_HEADERS:
      return 431;
    case HTTP1_ERROR_LINE_TOO_LONG:
      return 414;
    default:
      return 400;
    }
}

static int
parser_ready (ServerConn *c)
{
  SocketHTTP1_Config pc;
  volatile int ok = 1;

  if (c->parser != NULL)
    return 0;
  SocketHTTP1_config_defaults (&pc);
  pc.max_header_size = c->server->config.max_header_size;
  pc.max_header_value = pc.max_header_size; /* one field may use the whole allowance */
  TRY c->parser = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, &pc, c->arena);
  ELSE ok = 0;
  END_TRY;
  return ok ? 0 : -1;
}

/* The head is complete: fill the request; -1 when it was answered here. */
static int
head_ready (ServerConn *c)
{
  SocketHTTPServer_Request_T req = c->cur;
  const SocketHTTPServer_Config *cfg = &c->server->config;
  const SocketHTTP_Request *hr = SocketHTTP1_Parser_get_request (c->parser);
  int64_t clen = SocketHTTP1_Parser_content_length (c->parser);

  req->h1 = hr;
  req->method = hr->method;
  req->version = hr->version;
  req->headers = hr->headers;
  req->is_head = hr->method == HTTP_METHOD_HEAD;
  SocketHTTPServer__target_set (req, hr->path != NULL ? hr->path : "/", hr->path != NULL ? strlen (hr->path) : 1);
  req->keepalive = SocketHTTP1_Parser_should_keepalive (c->parser) && hr->method != HTTP_METHOD_CONNECT;
  if (cfg->max_requests_per_connection > 0 && c->requests + 1 >= cfg->max_requests_per_connection)
    req->keepalive = 0;
  if (c->state != SERVERCONN_HTTP1)
    req->keepalive = 0;
  if (clen > 0 && (uint64_t)clen > cfg->max_body_size)
    {
      SocketHTTPServer__h1_error (c, 413);
      return -1;
    }
  if (try_h2c_upgrade (c, hr))
    return -1;
  /* 100-continue only when the body has not started arriving anyway. */
  if (hr->version >= HTTP_VERSION_1_1 && SocketHTTP1_Parser_expects_continue (c->parser)
      && !SocketHTTP1_Parser_body_complete (c->parser) && c->in_len == c->in_off)
    send_str (c, "HTTP/1.1 100 Continue\r\n\r\n");
  return 0;
}

/* Read body bytes: 1 complete, 0 need more input, -1 answered/closed. */
static int
read_body (ServerConn *c)
{
  unsigned char chunk[HTTPSERVER_READ_CHUNK];

  while (!SocketHTTP1_Parser_body_complete (c->parser))
    {
      size_t avail = c->in_len - c->in_off, used = 0, got = 0;
      SocketHTTP1_Result r;
      if (avail == 0 && !c->peer_closed)
        return 0;
      r = SocketHTTP1_Parser_read_body (c->parser, (const char *)c->in + c->in_off, avail, &used, (char *)chunk,
                                        sizeof chunk, &got);
      c->in_off += used;
      if (got > 0 && SocketHTTPServer__body_append (c->cur, chunk, got) < 0)
        {
          SocketHTTPServer__h1_error (c, 413);
          return -1;
        }
      if (r == HTTP1_OK)
        return 1;
      if (r != HTTP1_INCOMPLETE)
        {
          SocketHTTPServer__h1_error (c, c->peer_closed ? 400 : error_status (r));
          if (c->peer_closed)
            c->out_off = c->out_len; /* nobody to tell */
          return -1;
        }
      if (used == 0 && got == 0)
        return 0;
    }
  return 1;
}

static void
request_done (ServerConn *c)
{
  SocketHTTPServer_Request_T req = c->cur;
  int keep;

  c->head_done = 0;
  SocketHTTPServer__dispatch (req);
  keep = req->keepalive && !req->detached;
  c->cur = NULL;
  SocketHTTPServer__request_free (req);
  if (!keep)
    return;
  SocketHTTP1_Parser_reset (c->parser);
  c->request_start_ms = 0;
  c->last_active_ms = Socket_get_monotonic_ms ();
}

/* Start of a request: prior-knowledge HTTP/2 check and a fresh request.
 * 1 go on, 0 wait for more input, -1 stop. */
static int
request_begin (ServerConn *c)
{
  size_t avail = c->in_len - c->in_off;
  const SocketHTTPServer_Config *cfg = &c->server->config;

  if (avail == 0)
    return 0;
  if (c->requests == 0 && !c->tls && cfg->max_version >= HTTP_VERSION_2)
    {
      int p = SocketHTTPServer__is_h2_preface (c->in + c->in_off, avail);
      if (p < 0)
        return c->peer_closed ? -1 : 0;
      if (p > 0)
        {
          if (SocketHTTPServer__h2_start (c, NULL, NULL, 0) < 0)
            SocketHTTPServer__closing (c);
          return -1; /* the caller hands the input to HTTP/2 */
        }
    }
  if (parser_ready (c) < 0 || (c->cur = SocketHTTPServer__request_new (c)) == NULL)
    {
      SocketHTTPServer__h1_error (c, 500);
      return -1;
    }
  if (c->request_start_ms == 0)
    c->request_start_ms = Socket_get_monotonic_ms ();
  return 1;
}

void
SocketHTTPServer__h1_input (ServerConn *c)
{
  while (c->state == SERVERCONN_HTTP1 && out_pending (c) < HTTPSERVER_OUT_HIGH_WATER)
    {
      if (c->cur == NULL && request_begin (c) <= 0)
        return;
      if (!c->head_done)
        {
          size_t used = 0, avail = c->in_len - c->in_off;
          SocketHTTP1_Result r;
          if (avail == 0)
            return;
          r = SocketHTTP1_Parser_execute (c->parser, (const char *)c->in + c->in_off, avail, &used);
          if (r == HTTP1_INCOMPLETE)
            {
              c->in_off += used;
              return;
            }
          if (r != HTTP1_OK)
            {
              SocketHTTPServer__h1_error (c, error_status (r));
              return;
            }
          c->in_off += used;
          c->head_done = 1;
          if (head_ready (c) < 0)
            return;
        }
      if (read_body (c) <= 0)
        return;
      request_done (c);
    }
}
