/*
 * SocketHTTPClient-conn.c - connections, the pool, and the HTTP/1.1
 * exchange state machine of the HTTP client.
 *
 * Every connection is non-blocking. An exchange moves through
 * CONNECTING (one address after another) -> HANDSHAKE (TLS) -> SENDING ->
 * STREAMING (chunked body from a read callback) -> RECEIVING, and each
 * step does all the I/O it can without waiting, then names the descriptor
 * and events it waits for. The blocking API waits with poll() on that one
 * descriptor, SocketHTTPClient_process() on all of them at once.
 *
 * The pool keeps connections in HTTPCLIENT_POOL_HASH_SIZE buckets keyed
 * by (scheme, host, port). A connection is idle between exchanges; before
 * reuse a peek makes sure the server has not closed it (or sent something
 * unasked), and an exchange on a reused connection that fails before any
 * response byte may be retried once on a fresh one (SocketHTTPClient.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/SocketUtil.h"
#include "dns/SocketDNS.h"
#include "http/SocketHTTPClient-private.h"
#include "socket/SocketCommon.h"
#include "socket/SocketProxy.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#endif

/* ===================================================================== */
/* Small helpers                                                         */
/* ===================================================================== */

static int64_t
now_ms (void)
{
  return Socket_get_monotonic_ms ();
}

static int64_t
deadline_after (int ms)
{
  return ms > 0 ? now_ms () + ms : 0;
}

static unsigned
pool_bucket (int secure, const char *host, int port)
{
  unsigned h = SOCKET_UTIL_DJB2_SEED;

  for (const char *p = host; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char)*p;
      if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c - 'A' + 'a');
      h = h * 33u + c;
    }
  h = h * 33u + (unsigned)port;
  h = h * 33u + (unsigned)secure;
  return h % HTTPCLIENT_POOL_HASH_SIZE;
}

static int
conn_matches (const struct hc_conn *c, int secure, const char *host, int port)
{
  return c->secure == secure && c->port == port && strcasecmp (c->host, host) == 0;
}

/* ===================================================================== */
/* Connections                                                           */
/* ===================================================================== */

static void
conn_unlink (SocketHTTPClient_T client, struct hc_conn *conn)
{
  struct hc_conn **pp;

  if (!conn->pooled)
    return;
  for (pp = &client->buckets[conn->bucket]; *pp != NULL; pp = &(*pp)->next)
    if (*pp == conn)
      {
        *pp = conn->next;
        client->pool_count--;
        break;
      }
  conn->pooled = 0;
}

static void
conn_close (SocketHTTPClient_T client, struct hc_conn *conn)
{
  if (conn == NULL)
    return;
  conn_unlink (client, conn);
  /* exchanges waiting for this connection to turn HTTP/2 open their own */
  for (struct hc_exchange *e = conn->h2_users, *next; e != NULL; e = next)
    {
      next = e->h2_next;
      e->h2_next = NULL;
      e->conn = NULL;
      e->stream = NULL;
    }
  conn->h2_users = NULL;
  httpclient__h2_teardown (conn);
  if (conn->sock != NULL)
    Socket_free (&conn->sock);
  if (conn->arena != NULL)
    Arena_dispose (&conn->arena);
  free (conn);
}

/* 1 when an idle connection still looks usable: no EOF, no error and no
 * unrequested bytes waiting (a TLS record may be a session ticket or
 * close_notify: read it to know). */
static int
conn_alive (struct hc_conn *conn)
{
  char probe[1];
  ssize_t n = recv (Socket_fd (conn->sock), probe, sizeof probe, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0)
    return 0;
#if SOCKET_HAS_TLS
  if (conn->secure)
    {
      char buf[256];
      volatile int alive = 1;
      TRY
      {
        if (SocketTLS_recv (conn->sock, buf, sizeof buf) > 0)
          alive = 0; /* application data nobody asked for */
      }
      ELSE alive = 0;
      END_TRY;
      return alive;
    }
#endif
  return 0;
}

/* Make room for one more pooled connection to @p host: close idle ones
 * beyond the per-host and total limits. 1 when there is room. */
static int
pool_make_room (SocketHTTPClient_T client, int secure, const char *host, int port)
{
  const SocketHTTPClient_Config *cfg = &client->config;
  unsigned b = pool_bucket (secure, host, port);
  size_t same = 0;
  struct hc_conn *c, *victim = NULL;

  for (c = client->buckets[b]; c != NULL; c = c->next)
    if (conn_matches (c, secure, host, port))
      {
        same++;
        if (!c->in_use)
          victim = c;
      }
  if (cfg->max_connections_per_host > 0 && same >= cfg->max_connections_per_host)
    {
      if (victim == NULL)
        return 0;
      conn_close (client, victim);
    }
  if (cfg->max_total_connections > 0 && client->pool_count >= cfg->max_total_connections)
    {
      victim = NULL;
      for (size_t i = 0; i < HTTPCLIENT_POOL_HASH_SIZE && victim == NULL; i++)
        for (c = client->buckets[i]; c != NULL; c = c->next)
          if (!c->in_use)
            {
              victim = c;
              break;
            }
      if (victim == NULL)
        return 0;
      conn_close (client, victim);
    }
  return 1;
}

/* Parser memory of a new connection; 0 or -1. */
static int
conn_parser_new (struct hc_conn *conn)
{
  volatile int ok = 0;
  SocketHTTP1_Config pcfg;

  TRY
  {
    conn->arena = Arena_new ();
    SocketHTTP1_config_defaults (&pcfg);
    conn->parser = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, &pcfg, conn->arena);
    ok = 1;
  }
  ELSE ok = 0;
  END_TRY;
  if (!ok && conn->arena != NULL)
    Arena_dispose (&conn->arena);
  return ok ? 0 : -1;
}

static struct hc_conn *
conn_new (SocketHTTPClient_T client, int secure, const char *host, int port)
{
  struct hc_conn *conn = calloc (1, sizeof *conn);

  if (conn == NULL)
    return NULL;
  conn->secure = secure;
  snprintf (conn->host, sizeof conn->host, "%s", host);
  conn->port = port;
  conn->bucket = pool_bucket (secure, host, port);
  conn->in_use = 1;
  if (conn_parser_new (conn) < 0)
    {
      free (conn);
      return NULL;
    }
  if (client->config.enable_connection_pool && pool_make_room (client, secure, host, port))
    {
      conn->pooled = 1;
      conn->next = client->buckets[conn->bucket];
      client->buckets[conn->bucket] = conn;
      client->pool_count++;
    }
  return conn;
}

static struct hc_conn *
pool_take_idle (SocketHTTPClient_T client, int secure, const char *host, int port)
{
  unsigned b = pool_bucket (secure, host, port);
  int idle_ms = client->config.idle_timeout_ms;
  struct hc_conn *c = client->buckets[b], *next;

  for (; c != NULL; c = next)
    {
      next = c->next;
      if (!conn_matches (c, secure, host, port))
        continue;
      if (c->h2 != NULL) /* shared by every request to the host */
        {
          if (c->in_use && httpclient__h2_usable (c))
            return c;
          if (c->in_use)
            continue;
          if ((idle_ms > 0 && now_ms () - c->idle_since >= idle_ms) || !httpclient__h2_usable (c))
            {
              conn_close (client, c);
              continue;
            }
          c->in_use = 1;
          return c;
        }
      if (c->in_use || c->h2_wanted)
        continue;
      if ((idle_ms > 0 && now_ms () - c->idle_since >= idle_ms) || !conn_alive (c))
        {
          conn_close (client, c);
          continue;
        }
      c->in_use = 1;
      SocketHTTP1_Parser_reset (c->parser);
      return c;
    }
  return NULL;
}

void
httpclient__pool_expire (SocketHTTPClient_T client)
{
  int idle_ms = client->config.idle_timeout_ms;
  int64_t now = now_ms ();

  for (size_t i = 0; i < HTTPCLIENT_POOL_HASH_SIZE; i++)
    {
      struct hc_conn *c = client->buckets[i], *next;
      for (; c != NULL; c = next)
        {
          next = c->next;
          if (!c->in_use && (idle_ms > 0 && now - c->idle_since >= idle_ms))
            conn_close (client, c);
        }
    }
}

void
httpclient__pool_clear (SocketHTTPClient_T client, int including_in_use)
{
  for (size_t i = 0; i < HTTPCLIENT_POOL_HASH_SIZE; i++)
    {
      struct hc_conn *c = client->buckets[i], *next;
      for (; c != NULL; c = next)
        {
          next = c->next;
          if (!c->in_use)
            conn_close (client, c);
          else if (including_in_use)
            conn_unlink (client, c); /* closed when its exchange ends */
        }
    }
}

void
httpclient__pool_count (SocketHTTPClient_T client, size_t *active, size_t *idle)
{
  *active = 0;
  *idle = 0;
  for (size_t i = 0; i < HTTPCLIENT_POOL_HASH_SIZE; i++)
    for (struct hc_conn *c = client->buckets[i]; c != NULL; c = c->next)
      {
        if (c->in_use)
          (*active)++;
        else
          (*idle)++;
      }
}

/* ===================================================================== */
/* Exchange: failure and completion                                      */
/* ===================================================================== */

int
httpclient__ex_fail (struct hc_exchange *ex, SocketHTTPClient_Error error)
{
  ex->state = HC_EX_FAILED;
  ex->error = error;
  ex->reusable = 0;
  ex->wait_events = 0;
  return 1;
}

#define ex_fail httpclient__ex_fail

static void
ex_consume (struct hc_exchange *ex, size_t used)
{
  if (used >= ex->in_len)
    ex->in_len = 0;
  else
    {
      memmove (ex->in, ex->in + used, ex->in_len - used);
      ex->in_len -= used;
    }
}

static int
body_store (struct hc_exchange *ex, const void *data, size_t len)
{
  size_t limit = ex->run->client->config.max_response_size;

  if (len == 0)
    return 0;
  if (limit > 0 && (ex->body_len + len > limit || ex->body_len + len < ex->body_len))
    return -HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE;
  if (ex->body_len + len > ex->body_cap)
    {
      size_t cap = ex->body_cap ? ex->body_cap : 16384;
      unsigned char *p;
      while (cap < ex->body_len + len)
        {
          if (cap > SIZE_MAX / 2)
            return -HTTPCLIENT_ERROR_OUT_OF_MEMORY;
          cap *= 2;
        }
      p = realloc (ex->body, cap);
      if (p == NULL)
        return -HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      ex->body = p;
      ex->body_cap = cap;
    }
  memcpy (ex->body + ex->body_len, data, len);
  ex->body_len += len;
  return 0;
}

/* Append received content, decoding it when a decoder is active.
 * 0, or a negative SocketHTTPClient_Error. */
int
httpclient__ex_body (struct hc_exchange *ex, const char *data, size_t len)
{
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  if (ex->decoder != NULL)
    {
      unsigned char out[HC_RECV_CHUNK];
      size_t off = 0;
      while (off < len)
        {
          size_t used = 0, written = 0;
          SocketHTTP1_Result r
              = SocketHTTP1_Decoder_decode (ex->decoder, (const unsigned char *)data + off,
                                            len - off, &used, out, sizeof out, &written);
          int rc = body_store (ex, out, written);
          if (rc < 0)
            return rc;
          off += used;
          if (r == HTTP1_OK)
            return off == len ? 0 : -HTTPCLIENT_ERROR_PROTOCOL; /* bytes after the stream */
          if (r != HTTP1_INCOMPLETE)
            return -HTTPCLIENT_ERROR_PROTOCOL;
          if (used == 0 && written == 0)
            return -HTTPCLIENT_ERROR_PROTOCOL; /* no progress */
        }
      return 0;
    }
#endif
  return body_store (ex, data, len);
}

#define body_append httpclient__ex_body

static int
body_finish (struct hc_exchange *ex)
{
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  if (ex->decoder != NULL)
    {
      unsigned char out[HC_RECV_CHUNK];
      for (int guard = 0; guard < 1 << 20; guard++)
        {
          size_t written = 0;
          SocketHTTP1_Result r = SocketHTTP1_Decoder_finish (ex->decoder, out, sizeof out, &written);
          int rc = body_store (ex, out, written);
          if (rc < 0)
            return rc;
          if (r == HTTP1_OK)
            return 0;
          if (r != HTTP1_INCOMPLETE || written == 0)
            return -HTTPCLIENT_ERROR_PROTOCOL;
        }
      return -HTTPCLIENT_ERROR_PROTOCOL;
    }
#endif
  (void)ex;
  return 0;
}

int
httpclient__ex_complete (struct hc_exchange *ex, int reusable)
{
  int rc = body_finish (ex);

  if (rc < 0)
    return ex_fail (ex, (SocketHTTPClient_Error)-rc);
  if (ex->body_len > 0)
    {
      volatile int oom = 0;
      TRY
      {
        ex->resp.body = ALLOC (ex->resp_arena, ex->body_len);
        memcpy (ex->resp.body, ex->body, ex->body_len);
        ex->resp.body_len = ex->body_len;
      }
      EXCEPT (Arena_Failed) oom = 1;
      END_TRY;
      if (oom)
        return ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
    }
  free (ex->body);
  ex->body = NULL;
  ex->body_len = ex->body_cap = 0;
  ex->reusable = reusable;
  ex->state = HC_EX_DONE;
  ex->wait_events = 0;
  return 1;
}

static int
ex_complete (struct hc_exchange *ex)
{
  return httpclient__ex_complete (ex, SocketHTTP1_Parser_should_keepalive (ex->conn->parser)
                                          && ex->in_len == 0 && !ex->peer_closed);
}

/* ===================================================================== */
/* Exchange: response head                                               */
/* ===================================================================== */

static void
copy_headers (struct hc_exchange *ex, SocketHTTP_Headers_T from, int decoded)
{
  size_t n = SocketHTTP_Headers_count (from);

  ex->resp.headers = SocketHTTP_Headers_new (ex->resp_arena);
  for (size_t i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (from, i);
      if (h == NULL)
        continue;
      /* A decoded body no longer matches these two fields. */
      if (decoded
          && ((h->name_len == 16 && strncasecmp (h->name, "Content-Encoding", 16) == 0)
              || (h->name_len == 14 && strncasecmp (h->name, "Content-Length", 14) == 0)))
        continue;
      SocketHTTP_Headers_add_n (ex->resp.headers, h->name, h->name_len, h->value, h->value_len);
    }
}

int
httpclient__ex_start_decoder (struct hc_exchange *ex, SocketHTTP_Headers_T headers)
{
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  const char *ce = SocketHTTP_Headers_get (headers, "Content-Encoding");
  SocketHTTP_Coding coding;

  if (ce == NULL || !ex->run->client->config.auto_decompress)
    return 0;
  coding = SocketHTTP_coding_parse (ce, strlen (ce));
  if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
    return 0; /* identity, or a coding we did not ask for: left as is */
  ex->decoder_arena = Arena_new ();
  ex->decoder = SocketHTTP1_Decoder_new (coding, ex->decoder_arena);
  return ex->decoder != NULL;
#else
  (void)ex;
  (void)headers;
  return 0;
#endif
}

/* The head is parsed. 1: interim response (skip it), 0: go on to the
 * body, -1: the exchange failed. */
static int
ex_on_head (struct hc_exchange *ex)
{
  SocketHTTP1_Parser_T parser = ex->conn->parser;
  const SocketHTTP_Response *r = SocketHTTP1_Parser_get_response (parser);
  size_t limit = ex->run->client->config.max_response_size;
  volatile int failed = 0;
  int decoded = 0;

  if (r == NULL)
    return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL), -1;
  if (r->status_code >= 100 && r->status_code < 200)
    {
      if (r->status_code == 101) /* we never ask to switch protocols */
        return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL), -1;
      SocketHTTP1_Parser_reset (parser);
      return 1;
    }
  if (ex->run->req->method == HTTP_METHOD_HEAD)
    SocketHTTP1_Parser_skip_body (parser);
  else if (limit > 0 && r->content_length > 0 && (uint64_t)r->content_length > limit)
    return ex_fail (ex, HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE), -1;
  TRY
  {
    ex->resp_arena = Arena_new ();
#ifdef SOCKETHTTP1_HAS_COMPRESSION
    if (ex->run->req->method != HTTP_METHOD_HEAD && !SocketHTTP1_Parser_body_complete (parser))
      decoded = httpclient__ex_start_decoder (ex, r->headers);
#endif
    copy_headers (ex, r->headers, decoded);
  }
  ELSE failed = 1;
  END_TRY;
  if (failed)
    return ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY), -1;
  ex->resp.status_code = r->status_code;
  ex->resp.version = r->version;
  ex->resp.arena = ex->resp_arena;
  return 0;
}

/* ===================================================================== */
/* Exchange: I/O                                                         */
/* ===================================================================== */

/* Bytes received (0 = would block); *eof set when the peer closed. A TLS
 * read failure after the handshake counts as the end of the stream: the
 * parser decides whether the response was complete. */
static ssize_t
conn_recv (struct hc_conn *conn, void *buf, size_t len, int *eof)
{
  volatile ssize_t n = 0;

  *eof = 0;
  TRY n = Socket_recv (conn->sock, buf, len);
  EXCEPT (Socket_Closed) *eof = 1;
#if SOCKET_HAS_TLS
  EXCEPT (SocketTLS_Failed) *eof = 1;
#endif
  END_TRY;
  return n;
}

static int
ex_receive (struct hc_exchange *ex)
{
  SocketHTTP1_Parser_T parser = ex->conn->parser;

  for (;;)
    {
      size_t used = 0, written = 0;
      SocketHTTP1_Result r;
      char out[HC_RECV_CHUNK];
      int rc;

      if (ex->in_len == 0 && !ex->peer_closed)
        {
          int eof;
          ssize_t n = conn_recv (ex->conn, ex->in, sizeof ex->in, &eof);
          if (eof)
            ex->peer_closed = 1;
          else if (n == 0)
            {
              ex->wait_events = POLLIN;
              return 0;
            }
          else
            {
              ex->in_len = (size_t)n;
              ex->any_response_byte = 1;
            }
        }
      if (!ex->head_done)
        {
          if (ex->in_len == 0) /* closed before a complete head */
            return ex_fail (ex, ex->any_response_byte ? HTTPCLIENT_ERROR_PROTOCOL
                                                      : HTTPCLIENT_ERROR_CONNECT);
          r = SocketHTTP1_Parser_execute (parser, ex->in, ex->in_len, &used);
          ex_consume (ex, used);
          if (r == HTTP1_INCOMPLETE)
            continue;
          if (r != HTTP1_OK)
            return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
          rc = ex_on_head (ex);
          if (rc < 0)
            return 1;
          if (rc > 0)
            continue;
          ex->head_done = 1;
        }
      if (SocketHTTP1_Parser_body_complete (parser))
        return ex_complete (ex);
      if (ex->in_len == 0 && !ex->peer_closed)
        continue;
      r = SocketHTTP1_Parser_read_body (parser, ex->in, ex->in_len, &used, out, sizeof out, &written);
      ex_consume (ex, used);
      rc = body_append (ex, out, written);
      if (rc < 0)
        return ex_fail (ex, (SocketHTTPClient_Error)-rc);
      if (r == HTTP1_OK)
        return ex_complete (ex);
      if (r != HTTP1_INCOMPLETE || (ex->peer_closed && ex->in_len == 0 && written == 0))
        return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
    }
}

/* Next piece of a streamed body, chunk-encoded into ex->out. */
static int
ex_stream_fill (struct hc_exchange *ex)
{
  struct SocketHTTPClient_Request *req = ex->run->req;
  char data[HC_RECV_CHUNK];
  ssize_t n = req->read_cb (data, sizeof data, req->read_userdata);
  size_t need;

  if (n < 0 || (size_t)n > sizeof data)
    return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
  need = n > 0 ? SocketHTTP1_chunk_encode_size ((size_t)n) : 5;
  {
    char *p = realloc (ex->out, need);
    if (p == NULL)
      return ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
    ex->out = p;
  }
  ex->out_off = 0;
  if (n == 0)
    {
      memcpy (ex->out, "0\r\n\r\n", 5);
      ex->out_len = 5;
      ex->stream_done = 1;
    }
  else
    {
      ssize_t w = SocketHTTP1_chunk_encode (data, (size_t)n, ex->out, need);
      if (w < 0)
        return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
      ex->out_len = (size_t)w;
    }
  return 0;
}

static int
ex_send (struct hc_exchange *ex)
{
  while (ex->out_off < ex->out_len)
    {
      ssize_t n = Socket_send (ex->conn->sock, ex->out + ex->out_off, ex->out_len - ex->out_off);
      if (n == 0)
        {
          ex->wait_events = POLLOUT;
          return 0;
        }
      ex->out_off += (size_t)n;
    }
  if (ex->state == HC_EX_SENDING && ex->run->req->read_cb != NULL)
    ex->state = HC_EX_STREAMING;
  if (ex->state == HC_EX_STREAMING)
    {
      if (ex->stream_done)
        ex->state = HC_EX_RECEIVING;
      else if (ex_stream_fill (ex))
        return 1;
      return -1; /* go round again */
    }
  ex->state = HC_EX_RECEIVING;
  return -1;
}

/* ===================================================================== */
/* Exchange: connecting                                                  */
/* ===================================================================== */

/* Serialize the HTTP/1.1 head (+ fixed body) into ex->out. */
static int
ex_serialize_h1 (struct hc_exchange *ex)
{
  SocketHTTPClient_Request_T req = ex->run->req;
  SocketHTTP_Request *r = &ex->head;

  if (req->read_cb != NULL)
    SocketHTTP_Headers_add (r->headers, "Transfer-Encoding", "chunked");
  r->scheme = NULL; /* origin-form target */
  for (size_t cap = 4096; cap <= HC_MAX_HEAD; cap *= 4)
    {
      char *buf = malloc (cap + req->body_len);
      ssize_t w;
      if (buf == NULL)
        return -1;
      w = SocketHTTP1_serialize_request (r, buf, cap);
      if (w > 0)
        {
          if (req->body_len > 0)
            memcpy (buf + w, req->body, req->body_len);
          free (ex->out);
          ex->out = buf;
          ex->out_len = (size_t)w + req->body_len;
          ex->out_off = 0;
          return 0;
        }
      free (buf);
    }
  return -1;
}

/* The connection is ready (and its protocol known): send the request. */
static int
ex_enter_request_phase (struct hc_exchange *ex)
{
  volatile int rc = 0;

  ex->phase_deadline = ex->run->request_deadline;
  ex->conn->settled = 1;
  if (ex->conn->h2 != NULL)
    return httpclient__h2_begin (ex);
  TRY rc = ex_serialize_h1 (ex);
  ELSE rc = -1;
  END_TRY;
  if (ex->head_arena != NULL)
    Arena_dispose (&ex->head_arena);
  if (rc < 0)
    return ex_fail (ex, HTTPCLIENT_ERROR_PROTOCOL);
  ex->state = HC_EX_SENDING;
  return 0;
}

/* Switch @p conn to HTTP/2 (ALPN "h2" or prior knowledge). */
static int
ex_start_h2 (struct hc_exchange *ex)
{
  if (httpclient__h2_setup (ex->conn) < 0)
    return ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
  return 0;
}

#if SOCKET_HAS_TLS
static SocketTLSContext_T
client_tls_context (SocketHTTPClient_T client)
{
  if (client->config.tls_context != NULL)
    return client->config.tls_context;
  if (client->tls_default == NULL)
    {
      static const char *alpn[] = { "h2", "http/1.1" };
      int h2 = client->config.max_version >= HTTP_VERSION_2;
      client->tls_default = SocketTLSContext_new_client (NULL);
      if (!client->config.verify_ssl)
        SocketTLSContext_set_verify_mode (client->tls_default, TLS_VERIFY_NONE);
      SocketTLSContext_set_alpn_protos (client->tls_default, h2 ? alpn : alpn + 1, h2 ? 2 : 1);
    }
  return client->tls_default;
}
#endif

/* The TCP connection is up: TLS or straight to the request. */
static int
ex_connected (struct hc_exchange *ex)
{
  struct hc_conn *conn = ex->conn;

  if (!conn->secure)
    {
      if (conn->h2_wanted && ex_start_h2 (ex))
        return 1;
      return ex_enter_request_phase (ex);
    }
#if SOCKET_HAS_TLS
  {
    volatile int failed = 0;
    SocketHTTPClient_T client = ex->run->client;
    TRY
    {
      SocketTLS_enable (conn->sock, client_tls_context (client));
      /* set_hostname turns verification on; with verify_ssl 0 and the
       * default context the name is not sent (no SNI) for that reason. */
      if (client->config.verify_ssl || client->config.tls_context != NULL)
        SocketTLS_set_hostname (conn->sock, conn->host);
    }
    ELSE failed = 1;
    END_TRY;
    if (failed)
      return ex_fail (ex, HTTPCLIENT_ERROR_TLS);
    ex->state = HC_EX_HANDSHAKE;
    return 0;
  }
#else
  return ex_fail (ex, HTTPCLIENT_ERROR_TLS);
#endif
}

/* A non-blocking socket with a connect to @p ai in progress (or done), or NULL. */
static Socket_T
connect_start (const struct addrinfo *ai)
{
  Socket_T volatile s = NULL;
  volatile int ok = 0;

  TRY
  {
    s = Socket_new (ai->ai_family, SOCK_STREAM, 0);
    Socket_setnonblocking (s);
    if (connect (Socket_fd (s), ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS)
      ok = 1;
  }
  ELSE ok = 0;
  END_TRY;
  if (!ok && s != NULL)
    Socket_free ((Socket_T *)&s);
  return ok ? s : NULL;
}

/* Try the next address. 0: connecting or connected, 1: failed. */
static int
ex_connect_next (struct hc_exchange *ex)
{
  while (ex->next_addr != NULL)
    {
      struct addrinfo *ai = ex->next_addr;
      Socket_T s;

      ex->next_addr = ai->ai_next;
      s = connect_start (ai);
      if (s == NULL)
        continue;
      ex->conn->sock = s;
      ex->wait_events = POLLOUT;
      return 0;
    }
  return ex_fail (ex, HTTPCLIENT_ERROR_CONNECT);
}

static int
ex_check_connect (struct hc_exchange *ex, unsigned revents)
{
  int err = 0;
  socklen_t len = sizeof err;

  if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
    {
      ex->wait_events = POLLOUT;
      return 0;
    }
  if (getsockopt (Socket_fd (ex->conn->sock), SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err == 0 && Socket_isconnected (ex->conn->sock))
    return ex_connected (ex) ? 1 : -1;
  Socket_free (&ex->conn->sock);
  return ex_connect_next (ex);
}

static int
ex_handshake (struct hc_exchange *ex)
{
#if SOCKET_HAS_TLS
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;
  TRY st = SocketTLS_handshake (ex->conn->sock);
  ELSE st = TLS_HANDSHAKE_ERROR;
  END_TRY;
  if (st == TLS_HANDSHAKE_COMPLETE)
    {
      const char *alpn = SocketTLS_get_alpn_selected (ex->conn->sock);
      if (alpn != NULL && strcmp (alpn, "h2") == 0 && ex_start_h2 (ex))
        return 1;
      return ex_enter_request_phase (ex) ? 1 : -1;
    }
  if (st == TLS_HANDSHAKE_WANT_READ || st == TLS_HANDSHAKE_WANT_WRITE)
    {
      ex->wait_events = st == TLS_HANDSHAKE_WANT_READ ? POLLIN : POLLOUT;
      return 0;
    }
#endif
  return ex_fail (ex, HTTPCLIENT_ERROR_TLS);
}

/* Resolve @p host within dns_timeout_ms. NULL on failure. */
static struct addrinfo *
resolve (SocketHTTPClient_T client, const char *host, int port)
{
  struct addrinfo hints;
  struct addrinfo *volatile res = NULL;

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  TRY
  {
    SocketDNS_T dns = SocketCommon_get_dns_resolver ();
    res = SocketDNS_resolve_sync (dns, host, port, &hints,
                                  client->config.dns_timeout_ms > 0 ? client->config.dns_timeout_ms : 0);
  }
  ELSE res = NULL;
  END_TRY;
  return res;
}

static int
is_ip_literal (const char *host)
{
  unsigned char buf[sizeof (struct in6_addr)];
  return inet_pton (AF_INET, host, buf) == 1 || inet_pton (AF_INET6, host, buf) == 1;
}

/* Queue the lookup on the client's own resolver (its descriptor wakes
 * only this client's loop). */
static int
ex_resolve_async (struct hc_exchange *ex, const char *host, int port)
{
  SocketHTTPClient_T client = ex->run->client;
  volatile int ok = 0;

  TRY
  {
    if (client->dns == NULL)
      client->dns = SocketDNS_new ();
    ex->dns_req = SocketDNS_resolve (client->dns, host, port, NULL, NULL);
    if (client->config.dns_timeout_ms > 0)
      SocketDNS_request_settimeout (client->dns, ex->dns_req, client->config.dns_timeout_ms);
    ok = 1;
  }
  ELSE ok = 0;
  END_TRY;
  if (!ok)
    return ex_fail (ex, HTTPCLIENT_ERROR_DNS);
  ex->state = HC_EX_RESOLVING;
  ex->phase_deadline = client->config.dns_timeout_ms > 0 ? now_ms () + client->config.dns_timeout_ms + 1000 : 0;
  ex->wait_events = POLLIN;
  return 0;
}

/* Open the transport for @p ex: through the proxy (blocking, bounded by
 * the proxy's own timeouts) or by a non-blocking connect. */
static int
ex_open (struct hc_exchange *ex, const char *host, int port)
{
  SocketHTTPClient_T client = ex->run->client;

  ex->phase_deadline = deadline_after (client->config.connect_timeout_ms);
  if (client->config.proxy != NULL)
    {
      Socket_T volatile s = NULL;
      TRY
      {
        s = SocketProxy_connect (client->config.proxy, host, port);
        Socket_setnonblocking (s);
      }
      ELSE
      {
        if (s != NULL)
          Socket_free ((Socket_T *)&s);
        s = NULL;
      }
      END_TRY;
      if (s == NULL)
        return ex_fail (ex, HTTPCLIENT_ERROR_CONNECT);
      ex->conn->sock = s;
      return ex_connected (ex);
    }
  if (ex->run->async != NULL && !is_ip_literal (host))
    return ex_resolve_async (ex, host, port);
  ex->addrs = resolve (client, host, port);
  if (ex->addrs == NULL)
    return ex_fail (ex, HTTPCLIENT_ERROR_DNS);
  ex->next_addr = ex->addrs;
  ex->state = HC_EX_CONNECTING;
  return ex_connect_next (ex);
}

/* The asynchronous lookup finished (or not yet: wait on the resolver's
 * descriptor). Every waiting exchange is stepped after a wake-up, so the
 * one that drains the descriptor need not be the one whose lookup ended. */
static int
ex_resolved (struct hc_exchange *ex)
{
  SocketDNS_T dns = ex->run->client->dns;
  int err;

  SocketDNS_check (dns);
  ex->addrs = SocketDNS_getresult (dns, ex->dns_req);
  if (ex->addrs != NULL)
    {
      ex->dns_req = NULL;
      ex->next_addr = ex->addrs;
      ex->state = HC_EX_CONNECTING;
      ex->phase_deadline = deadline_after (ex->run->client->config.connect_timeout_ms);
      return ex_connect_next (ex);
    }
  err = SocketDNS_geterror (dns, ex->dns_req);
  if (err != 0)
    {
      ex->dns_req = NULL;
      return ex_fail (ex, HTTPCLIENT_ERROR_DNS);
    }
  ex->wait_events = POLLIN;
  return 0;
}

/* ===================================================================== */
/* Exchange: public entry points                                         */
/* ===================================================================== */

/* A pooled connection to the host that is still being set up and may
 * turn out HTTP/2: an asynchronous request waits for it rather than
 * opening one more (a blocking one cannot: nobody would drive it). */
static struct hc_conn *
pool_find_pending_h2 (SocketHTTPClient_T client, int secure, const char *host, int port)
{
  for (struct hc_conn *c = client->buckets[pool_bucket (secure, host, port)]; c != NULL; c = c->next)
    if (conn_matches (c, secure, host, port) && c->in_use && c->h2_maybe && !c->settled && !c->dead)
      return c;
  return NULL;
}

static void
ex_wait_for_h2 (struct hc_exchange *ex)
{
  struct hc_conn *conn = ex->conn;

  ex->reused = 1;
  conn->requests++;
  ex->run->client->reused_connections++;
  ex->h2_next = conn->h2_users;
  conn->h2_users = ex;
  ex->h2_seq = ++conn->h2_seq;
  ex->h2_waiting = 1;
  ex->state = HC_EX_H2;
  ex->phase_deadline = ex->run->request_deadline;
}

static void
ex_open_new (struct hc_exchange *ex, int secure, const char *host, int port)
{
  SocketHTTPClient_T client = ex->run->client;
  int h2 = client->config.max_version >= HTTP_VERSION_2;

  ex->conn = conn_new (client, secure, host, port);
  if (ex->conn == NULL)
    {
      ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
      return;
    }
  ex->conn->requests = 1;
  ex->conn->h2_wanted = !secure && client->config.allow_http2_cleartext && h2;
  ex->conn->h2_maybe = ex->conn->h2_wanted || (secure && h2 && client->config.tls_context == NULL);
  ex_open (ex, host, port);
}

static void
uri_host (const SocketHTTP_URI *uri, char *out, size_t out_size)
{
  const char *h = uri->host;
  size_t len = uri->host_len;

  if (len >= 2 && h[0] == '[' && h[len - 1] == ']') /* IPv6 literal */
    {
      h++;
      len -= 2;
    }
  if (len >= out_size)
    len = out_size - 1;
  memcpy (out, h, len);
  out[len] = '\0';
}

int
httpclient__exchange_start (struct hc_run *run, Arena_T head_arena, const SocketHTTP_Request *head,
                            int fresh_connection)
{
  SocketHTTPClient_T client = run->client;
  const SocketHTTP_URI *uri = &run->req->uri;
  int secure = SocketHTTP_URI_is_secure (uri);
  int port = SocketHTTP_URI_get_port (uri, secure ? 443 : 80);
  char host[HC_MAX_HOST];
  struct hc_exchange *ex = calloc (1, sizeof *ex);

  if (ex == NULL)
    {
      Arena_dispose (&head_arena);
      run->error = HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      return -1;
    }
  uri_host (uri, host, sizeof host);
  ex->run = run;
  ex->head_arena = head_arena;
  ex->head = *head;
  run->ex = ex;
  client->total_requests++;
  if (!fresh_connection && client->config.enable_connection_pool)
    ex->conn = pool_take_idle (client, secure, host, port);
  if (ex->conn != NULL)
    {
      ex->reused = 1;
      ex->conn->requests++;
      client->reused_connections++;
      ex_enter_request_phase (ex);
    }
  else if (!fresh_connection && run->async != NULL && client->config.enable_connection_pool
           && (ex->conn = pool_find_pending_h2 (client, secure, host, port)) != NULL)
    ex_wait_for_h2 (ex);
  else
    ex_open_new (ex, secure, host, port);
  if (ex->state == HC_EX_FAILED)
    {
      run->error = ex->error;
      httpclient__exchange_free (&run->ex);
      return -1;
    }
  return 0;
}

int
httpclient__exchange_reopen (struct hc_exchange *ex)
{
  const SocketHTTP_URI *uri = &ex->run->req->uri;
  int secure = SocketHTTP_URI_is_secure (uri);
  char host[HC_MAX_HOST];

  if (ex->conn != NULL)
    httpclient__h2_detach (ex);
  ex->conn = NULL;
  ex->h2_waiting = 0;
  if (ex->reused)
    {
      ex->reused = 0;
      ex->run->client->reused_connections--;
    }
  uri_host (uri, host, sizeof host);
  ex_open_new (ex, secure, host, SocketHTTP_URI_get_port (uri, secure ? 443 : 80));
  return ex->state == HC_EX_FAILED ? 1 : -1;
}

int
httpclient__exchange_step (struct hc_exchange *ex, unsigned revents_in)
{
  volatile int rc = -1;
  volatile unsigned revents = revents_in;

  TRY
  {
    while (rc == -1)
      {
        switch (ex->state)
          {
          case HC_EX_CONNECTING:
            rc = ex_check_connect (ex, revents);
            revents = 0;
            break;
          case HC_EX_RESOLVING:
            rc = ex_resolved (ex);
            break;
          case HC_EX_HANDSHAKE:
            rc = ex_handshake (ex);
            break;
          case HC_EX_SENDING:
          case HC_EX_STREAMING:
            rc = ex_send (ex);
            break;
          case HC_EX_RECEIVING:
            rc = ex_receive (ex);
            break;
          case HC_EX_H2:
            rc = httpclient__h2_step (ex, revents);
            revents = 0;
            break;
          default:
            rc = 1;
            break;
          }
      }
  }
  EXCEPT (Arena_Failed) rc = ex_fail (ex, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
  ELSE
  {
    /* Send failures (peer reset) and the like: the connection is gone. */
    rc = ex_fail (ex, ex->state == HC_EX_HANDSHAKE ? HTTPCLIENT_ERROR_TLS
                      : ex->any_response_byte      ? HTTPCLIENT_ERROR_PROTOCOL
                                                   : HTTPCLIENT_ERROR_CONNECT);
  }
  END_TRY;
  return rc == 1 || ex->state == HC_EX_DONE || ex->state == HC_EX_FAILED;
}

int
httpclient__exchange_pollfd (const struct hc_exchange *ex, unsigned *events)
{
  *events = ex->wait_events;
  if (ex->state == HC_EX_RESOLVING)
    return SocketDNS_pollfd (ex->run->client->dns);
  if (ex->conn == NULL || ex->conn->sock == NULL || ex->state >= HC_EX_DONE)
    return -1;
  if (ex->h2_waiting && ex->conn->h2 == NULL)
    return -1; /* waiting for another exchange's connection */
  return Socket_fd (ex->conn->sock);
}

int64_t
httpclient__exchange_deadline (const struct hc_exchange *ex)
{
  return ex->phase_deadline;
}

void
httpclient__exchange_timeout (struct hc_exchange *ex)
{
  ex_fail (ex, HTTPCLIENT_ERROR_TIMEOUT);
}

void
httpclient__exchange_free (struct hc_exchange **exp)
{
  struct hc_exchange *ex = *exp;

  if (ex == NULL)
    return;
  if (ex->conn != NULL && ex->conn->h2 == NULL && ex->h2_waiting)
    {
      httpclient__h2_detach (ex); /* the connection is someone else's */
      ex->conn = NULL;
    }
  if (ex->conn != NULL && ex->conn->h2 != NULL)
    {
      struct hc_conn *conn = ex->conn;
      httpclient__h2_detach (ex);
      if (!conn->dead && conn->pooled && !SocketHTTP2_Conn_is_closed (conn->h2))
        {
          if (conn->h2_users == NULL)
            {
              conn->in_use = 0;
              conn->idle_since = now_ms ();
            }
        }
      else if (conn->h2_users == NULL)
        conn_close (ex->run->client, conn);
      else
        conn_unlink (ex->run->client, conn); /* closed by its last user */
    }
  else if (ex->conn != NULL)
    {
      SocketHTTPClient_T client = ex->run->client;
      if (ex->state == HC_EX_DONE && ex->reusable && ex->conn->pooled)
        {
          ex->conn->in_use = 0;
          ex->conn->idle_since = now_ms ();
          SocketHTTP1_Parser_reset (ex->conn->parser);
        }
      else
        conn_close (client, ex->conn);
    }
  if (ex->head_arena != NULL)
    Arena_dispose (&ex->head_arena);
  if (ex->addrs != NULL)
    SocketCommon_free_addrinfo (ex->addrs);
  if (ex->dns_req != NULL)
    SocketDNS_cancel (ex->run->client->dns, ex->dns_req);
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  if (ex->decoder != NULL)
    SocketHTTP1_Decoder_free (&ex->decoder);
  if (ex->decoder_arena != NULL)
    Arena_dispose (&ex->decoder_arena);
#endif
  if (ex->resp_arena != NULL)
    Arena_dispose (&ex->resp_arena);
  free (ex->body);
  free (ex->out);
  free (ex);
  *exp = NULL;
}
