/*
 * SocketHTTPClient-h2.c - exchanges on HTTP/2 connections (RFC 9113), on
 * top of the SocketHTTP2 engine: "h2" chosen by ALPN over TLS, or prior
 * knowledge on cleartext when allow_http2_cleartext is set.
 *
 * One connection per host carries every concurrent request to it, one
 * stream each. Whichever exchange calls SocketHTTP2_Conn_process() reads
 * the frames of all of them: the stream callback moves each event into
 * its own exchange right away (head, DATA into the body, end, reset), so
 * an exchange never touches its stream after the engine closed it (closed
 * streams are removed at the next process call, possibly someone else's).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/SocketHPACK.h"
#include "http/SocketHTTPClient-private.h"

#define H2_MAX_FIELDS 128

/* The final head arrived: status, fields (pseudo-headers left out),
 * decoder. 0 or -1 (failed). */
static int
h2_on_head (struct hc_exchange *ex, SocketHTTP2_Stream_T stream)
{
  SocketHPACK_Header fields[H2_MAX_FIELDS];
  size_t count = 0, n;
  int end = 0;
  volatile int status = 0;
  volatile int failed = 0;
  size_t limit = ex->run->client->config.max_response_size;

  if (!SocketHTTP2_Stream_recv_headers (stream, fields, H2_MAX_FIELDS, &count, &end))
    return 0;
  n = count < H2_MAX_FIELDS ? count : H2_MAX_FIELDS;
  for (size_t i = 0; i < n; i++)
    if (fields[i].name_len == 7 && memcmp (fields[i].name, ":status", 7) == 0 && fields[i].value_len == 3)
      status = (fields[i].value[0] - '0') * 100 + (fields[i].value[1] - '0') * 10 + (fields[i].value[2] - '0');
  if (status >= 100 && status < 200)
    return 0; /* interim head: the final one follows */
  if (status < 200 || status > 599 || count > H2_MAX_FIELDS)
    return httpclient__ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL), -1;
  TRY
  {
    SocketHTTP_Headers_T raw;
    int decoded = 0;

    ex->resp_arena = Arena_new ();
    raw = SocketHTTP_Headers_new (ex->resp_arena);
    for (size_t i = 0; i < n; i++)
      if (fields[i].name_len > 0 && fields[i].name[0] != ':')
        SocketHTTP_Headers_add_n (raw, fields[i].name, fields[i].name_len, fields[i].value,
                                  fields[i].value_len);
    if (ex->run->req->method != HTTP_METHOD_HEAD && !end)
      decoded = httpclient__ex_start_decoder (ex, raw);
    ex->resp.headers = SocketHTTP_Headers_new (ex->resp_arena);
    for (size_t i = 0; i < SocketHTTP_Headers_count (raw); i++)
      {
        const SocketHTTP_Header *h = SocketHTTP_Headers_at (raw, i);
        if (decoded
            && ((h->name_len == 16 && strncasecmp (h->name, "content-encoding", 16) == 0)
                || (h->name_len == 14 && strncasecmp (h->name, "content-length", 14) == 0)))
          continue;
        SocketHTTP_Headers_add_n (ex->resp.headers, h->name, h->name_len, h->value, h->value_len);
      }
    {
      int64_t cl = -1;
      const char *v = SocketHTTP_Headers_get (raw, "content-length");
      if (v != NULL)
        cl = strtoll (v, NULL, 10);
      if (limit > 0 && cl > 0 && (uint64_t)cl > limit && ex->run->req->method != HTTP_METHOD_HEAD)
        failed = 2;
    }
  }
  ELSE failed = 1;
  END_TRY;
  if (failed)
    return httpclient__ex_fail (ex, failed == 2 ? HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE
                                                : HTTPCLIENT_ERROR_OUT_OF_MEMORY),
           -1;
  ex->resp.status_code = status;
  ex->resp.version = HTTP_VERSION_2;
  ex->resp.arena = ex->resp_arena;
  ex->head_done = 1;
  return 0;
}

static void
h2_drain_data (struct hc_exchange *ex, SocketHTTP2_Stream_T stream)
{
  char buf[HC_RECV_CHUNK];
  int end = 0, rc;

  for (;;)
    {
      ssize_t n = SocketHTTP2_Stream_recv_data (stream, buf, sizeof buf, &end);
      if (n <= 0)
        break;
      if (ex->state != HC_EX_H2)
        continue; /* already failed: discard (and credit the window) */
      rc = ex->head_done ? httpclient__ex_body (ex, buf, (size_t)n) : -HTTPCLIENT_ERROR_PROTOCOL;
      if (rc < 0)
        {
          if (ex->state == HC_EX_H2)
            httpclient__ex_fail (ex, (SocketHTTPClient_Error)-rc);
          SocketHTTP2_Stream_close (stream, HTTP2_CANCEL);
          return;
        }
    }
}

static void
h2_stream_event (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T stream, int event, void *userdata)
{
  struct hc_exchange *ex = SocketHTTP2_Stream_get_userdata (stream);

  (void)conn;
  (void)userdata;
  if (ex == NULL)
    return;
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      if (!ex->head_done && ex->state == HC_EX_H2 && h2_on_head (ex, stream) < 0)
        SocketHTTP2_Stream_close (stream, HTTP2_CANCEL);
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      h2_drain_data (ex, stream);
      break;
    case HTTP2_EVENT_STREAM_END:
      h2_drain_data (ex, stream);
      ex->h2_end = 1;
      ex->stream = NULL;
      SocketHTTP2_Stream_set_userdata (stream, NULL);
      break;
    case HTTP2_EVENT_STREAM_RESET:
      ex->h2_reset = 1;
      ex->stream = NULL;
      SocketHTTP2_Stream_set_userdata (stream, NULL);
      break;
    default:
      break;
    }
}

int
httpclient__h2_setup (struct hc_conn *conn)
{
  SocketHTTP2_Config cfg;
  volatile int ok = 0;

  SocketHTTP2_config_defaults (&cfg, HTTP2_ROLE_CLIENT);
  cfg.enable_push = 0;
  cfg.initial_window_size = 1 << 20;
  cfg.connection_window_size = 4 << 20;
  TRY
  {
    conn->h2_arena = Arena_new ();
    conn->h2 = SocketHTTP2_Conn_new (conn->sock, &cfg, conn->h2_arena);
    SocketHTTP2_Conn_set_stream_callback (conn->h2, h2_stream_event, NULL);
    ok = 1;
  }
  ELSE ok = 0;
  END_TRY;
  if (!ok && conn->h2_arena != NULL)
    Arena_dispose (&conn->h2_arena);
  return ok ? 0 : -1;
}

void
httpclient__h2_teardown (struct hc_conn *conn)
{
  if (conn->h2 != NULL)
    {
      SocketHTTP2_Conn_set_stream_callback (conn->h2, NULL, NULL);
      SocketHTTP2_Conn_free (&conn->h2);
    }
  if (conn->h2_arena != NULL)
    Arena_dispose (&conn->h2_arena);
}

/* 1 when an idle HTTP/2 connection can take another stream. */
int
httpclient__h2_usable (struct hc_conn *conn)
{
  if (conn->dead || conn->h2 == NULL || SocketHTTP2_Conn_is_closed (conn->h2))
    return 0;
  if (conn->h2_users == NULL && SocketHTTP2_Conn_process (conn->h2, 0) < 0)
    {
      conn->dead = 1;
      return 0;
    }
  return !SocketHTTP2_Conn_is_closed (conn->h2);
}

/* Queue the request body (fixed or streamed) as far as the windows allow. */
static int
h2_send_body (struct hc_exchange *ex)
{
  SocketHTTPClient_Request_T req = ex->run->req;

  if (req->read_cb == NULL)
    {
      while (ex->body_off < req->body_len)
        {
          ssize_t n = SocketHTTP2_Stream_send_data (ex->stream, req->body + ex->body_off,
                                                    req->body_len - ex->body_off, 1);
          if (n < 0)
            return -1;
          if (n == 0)
            return 0;
          ex->body_off += (size_t)n;
        }
      ex->h2_sent = 1;
      return 0;
    }
  for (;;)
    {
      if (ex->out_off < ex->out_len || (ex->stream_done && ex->out_len == 0))
        {
          ssize_t n = SocketHTTP2_Stream_send_data (ex->stream, ex->out + ex->out_off,
                                                    ex->out_len - ex->out_off, ex->stream_done);
          if (n < 0)
            return -1;
          ex->out_off += (size_t)n;
          if (ex->out_off < ex->out_len)
            return 0;
          if (ex->stream_done)
            {
              ex->h2_sent = 1;
              return 0;
            }
        }
      {
        char *p = ex->out != NULL ? ex->out : malloc (HC_RECV_CHUNK);
        ssize_t n;
        if (p == NULL)
          return -1;
        ex->out = p;
        n = req->read_cb (ex->out, HC_RECV_CHUNK, req->read_userdata);
        if (n < 0 || n > HC_RECV_CHUNK)
          return -1;
        ex->out_len = (size_t)n;
        ex->out_off = 0;
        if (n == 0)
          ex->stream_done = 1;
      }
    }
}

/* Open waiting streams in arrival order while the peer's
 * MAX_CONCURRENT_STREAMS allows (streams must open in id order, so the
 * oldest waiting one holds the only idle stream). */
static void
h2_open_waiting (struct hc_conn *conn)
{
  for (;;)
    {
      struct hc_exchange *next = NULL;
      SocketHTTPClient_Request_T req;
      int has_body;

      for (struct hc_exchange *e = conn->h2_users; e != NULL; e = e->h2_next)
        if (e->h2_waiting && e->state == HC_EX_H2 && (next == NULL || e->h2_seq < next->h2_seq))
          next = e;
      if (next == NULL)
        return;
      req = next->run->req;
      has_body = req->body_len > 0 || req->read_cb != NULL;
      if (next->stream == NULL)
        {
          next->stream = SocketHTTP2_Stream_new (conn->h2);
          if (next->stream == NULL)
            {
              httpclient__ex_fail (next, HTTPCLIENT_ERROR_CONNECT);
              continue;
            }
          SocketHTTP2_Stream_set_userdata (next->stream, next);
        }
      if (SocketHTTP2_Stream_send_request (next->stream, &next->head, !has_body) < 0)
        {
          if (next->stream != NULL && SocketHTTP2_Stream_state (next->stream) == HTTP2_STREAM_STATE_IDLE)
            return; /* at the peer's limit: retried when a stream ends */
          httpclient__ex_fail (next, HTTPCLIENT_ERROR_PROTOCOL);
          continue;
        }
      next->h2_waiting = 0;
      if (!has_body)
        next->h2_sent = 1;
      if (next->head_arena != NULL)
        Arena_dispose (&next->head_arena);
    }
}

int
httpclient__h2_begin (struct hc_exchange *ex)
{
  struct hc_conn *conn = ex->conn;

  ex->h2_next = conn->h2_users;
  conn->h2_users = ex;
  ex->h2_seq = ++conn->h2_seq;
  ex->h2_waiting = 1;
  ex->state = HC_EX_H2;
  ex->head.version = HTTP_VERSION_2;
  h2_open_waiting (conn);
  return ex->state == HC_EX_FAILED;
}

/* Fail every exchange on a connection that died. */
static void
h2_conn_failed (struct hc_conn *conn)
{
  conn->dead = 1;
  for (struct hc_exchange *e = conn->h2_users; e != NULL; e = e->h2_next)
    if (e->state == HC_EX_H2 && !e->h2_end)
      e->h2_reset = 1;
}

int
httpclient__h2_step (struct hc_exchange *ex, unsigned revents)
{
  struct hc_conn *conn = ex->conn;
  int flush;

  if (conn == NULL || conn->h2 == NULL)
    {
      /* waiting for a connection that is still being set up */
      if (conn != NULL && !conn->settled && !conn->dead)
        {
          ex->wait_events = 0;
          return 0;
        }
      return httpclient__exchange_reopen (ex);
    }
  if (!conn->dead && SocketHTTP2_Conn_process (conn->h2, revents) < 0)
    {
      SocketHTTP2_Conn_flush (conn->h2);
      h2_conn_failed (conn);
    }
  if (!conn->dead)
    h2_open_waiting (conn);
  if (ex->state != HC_EX_H2)
    return 1;
  if (!ex->h2_waiting && !ex->h2_sent && ex->stream != NULL && !ex->h2_reset && h2_send_body (ex) < 0)
    return httpclient__ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
  flush = conn->dead ? -1 : SocketHTTP2_Conn_flush (conn->h2);
  if (flush < 0)
    h2_conn_failed (conn);
  if (ex->h2_end && ex->head_done)
    return httpclient__ex_complete (ex, !conn->dead && !SocketHTTP2_Conn_is_closed (conn->h2));
  if (ex->h2_reset && !ex->head_done)
    ex->h2_refused = 1; /* e.g. REFUSED_STREAM while the peer's limit was unknown */
  if (ex->h2_end || ex->h2_reset)
    return httpclient__ex_fail (ex, ex->any_response_byte || ex->head_done ? HTTPCLIENT_ERROR_PROTOCOL
                                                                           : HTTPCLIENT_ERROR_CONNECT);
  if (ex->head_done)
    ex->any_response_byte = 1;
  ex->wait_events = POLLIN | (flush == 1 ? POLLOUT : 0);
  return 0;
}

void
httpclient__h2_detach (struct hc_exchange *ex)
{
  struct hc_conn *conn = ex->conn;
  struct hc_exchange **pp;

  if (conn == NULL)
    return;
  for (pp = &conn->h2_users; *pp != NULL; pp = &(*pp)->h2_next)
    if (*pp == ex)
      {
        *pp = ex->h2_next;
        break;
      }
  ex->h2_next = NULL;
  if (ex->stream != NULL)
    {
      SocketHTTP2_Stream_set_userdata (ex->stream, NULL);
      /* an idle stream is never reset (RFC 9113 section 5.1): opening a
       * later one closes it implicitly */
      if (!conn->dead && conn->h2 != NULL && !ex->h2_waiting)
        {
          SocketHTTP2_Stream_close (ex->stream, HTTP2_CANCEL);
          SocketHTTP2_Conn_flush (conn->h2);
        }
      ex->stream = NULL;
    }
}
