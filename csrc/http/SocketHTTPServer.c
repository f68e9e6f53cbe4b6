/*
 * SocketHTTPServer.c - server lifecycle, the event loop, connection I/O
 * and the request/response API. Protocol work lives in
 * SocketHTTPServer-h1.c (HTTP/1.x) and SocketHTTPServer-h2.c (HTTP/2).
 *
 * Connections are never freed while the events of one SocketPoll_wait()
 * are being handled (the event array still points at them): a connection
 * that ends is marked dead, removed from the poll, and freed at the end of
 * process().
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTPServer-private.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLS.h"
#endif

/* The README dispatch macros would rewrite the definitions below. */
#undef SocketHTTPServer_new
#undef SocketHTTPServer_poll
#undef SocketHTTPServer_set_handler

const Except_T SocketHTTPServer_Failed = { &SocketHTTPServer_Failed, "HTTP server operation failed" };
const Except_T SocketHTTPServer_BindFailed = { &SocketHTTPServer_BindFailed, "Failed to bind server socket" };
const Except_T SocketHTTPServer_ProtocolError = { &SocketHTTPServer_ProtocolError, "HTTP protocol error" };

SOCKET_DECLARE_MODULE_EXCEPTION (SocketHTTPServer);

#define IN_BUFFER_SIZE 65536
#define ACCEPTS_PER_EVENT 64

/* ===================================================================== */
/* Configuration and lifecycle                                           */
/* ===================================================================== */

void
SocketHTTPServer_config_defaults (SocketHTTPServer_Config *config)
{
  static const SocketHTTPServer_Config defaults = HTTPSERVER_CONFIG_DEFAULTS;
  assert (config != NULL);
  *config = defaults;
}

static void
set_alpn (SocketHTTPServer_T s)
{
#if SOCKET_HAS_TLS
  static const char *both[] = { "h2", "http/1.1" };
  static const char *h1[] = { "http/1.1" };
  if (s->config.tls_context == NULL)
    return;
  if (s->config.max_version >= HTTP_VERSION_2)
    SocketTLSContext_set_alpn_protos (s->config.tls_context, both, 2);
  else
    SocketTLSContext_set_alpn_protos (s->config.tls_context, h1, 1);
#else
  if (s->config.tls_context != NULL)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "tls_context given but built without TLS");
#endif
}

SocketHTTPServer_T
SocketHTTPServer_new (const SocketHTTPServer_Config *config)
{
  SocketHTTPServer_T s = calloc (1, sizeof *s);
  volatile int ok = 0;

  if (s == NULL)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "Failed to allocate server structure");
  if (config != NULL)
    s->config = *config;
  else
    SocketHTTPServer_config_defaults (&s->config);
  if (s->config.max_connections == 0)
    {
      free (s);
      SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "max_connections must be at least 1");
    }
  if (s->config.max_header_size == 0)
    s->config.max_header_size = HTTPSERVER_DEFAULT_MAX_HEADER_SIZE;
  TRY
  {
    size_t cap = s->config.max_connections + 1;
    s->poll = SocketPoll_new (cap > 65536 ? 65536 : (int)cap);
    set_alpn (s);
    ok = 1;
  }
  EXCEPT (SocketPoll_Failed) { ok = 0; }
  FINALLY
  {
    if (!ok)
      {
        SocketPoll_free (&s->poll);
        free (s);
      }
  }
  END_TRY;
  if (!ok)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "Failed to create poll instance");
  return s;
}

SocketHTTPServer_T
SocketHTTPServer_new_readme (void *reserved, const SocketHTTPServer_Config *config)
{
  if (reserved != NULL)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed,
                      "SocketHTTPServer_new: the first of two arguments must be NULL");
  return SocketHTTPServer_new (config);
}

static void conn_free (ServerConn *c);

void
SocketHTTPServer_free (SocketHTTPServer_T *server)
{
  SocketHTTPServer_T s;

  if (server == NULL || *server == NULL)
    return;
  s = *server;
  if (s->in_process)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "SocketHTTPServer_free called from a handler");
  SocketHTTPServer_stop (s);
  while (s->conns != NULL)
    {
      ServerConn *c = s->conns;
      s->conns = c->next;
      conn_free (c);
    }
  SocketPoll_free (&s->poll);
  free (s);
  *server = NULL;
}

/* Create, bind and listen; NULL with errno kept in socket_error_buf. */
static Socket_T
listen_on (SocketHTTPServer_T s, const char *host, int domain)
{
  Socket_T volatile sock = NULL;
  TRY
  {
    sock = Socket_new (domain, SOCK_STREAM, 0);
    Socket_setreuseaddr (sock);
    Socket_bind (sock, host, s->config.port);
    Socket_listen (sock, s->config.backlog > 0 ? s->config.backlog : HTTPSERVER_DEFAULT_BACKLOG);
    Socket_setnonblocking (sock);
  }
  ELSE
  {
    Socket_T tmp = sock;
    Socket_free (&tmp);
    sock = NULL;
  }
  END_TRY;
  return sock;
}

int
SocketHTTPServer_start (SocketHTTPServer_T s)
{
  const char *addr;
  Socket_T sock;

  assert (s != NULL);
  if (s->listener != NULL)
    return 0;
  addr = s->config.bind_address;
  if (addr == NULL || addr[0] == '\0')
    {
      sock = listen_on (s, "::", AF_INET6);
      if (sock == NULL)
        sock = listen_on (s, "0.0.0.0", AF_INET);
      addr = "*";
    }
  else
    sock = listen_on (s, addr, strchr (addr, ':') != NULL ? AF_INET6 : AF_INET);
  if (sock == NULL)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_BindFailed, "Failed to bind %s port %d: %s", addr,
                      s->config.port, strerror (errno));
  TRY SocketPoll_add (s->poll, sock, POLL_READ, s);
  ELSE
  {
    Socket_free (&sock);
    RERAISE;
  }
  END_TRY;
  s->listener = sock;
  return 0;
}

void
SocketHTTPServer_stop (SocketHTTPServer_T s)
{
  assert (s != NULL);
  if (s->listener == NULL)
    return;
  SocketPoll_del (s->poll, s->listener);
  Socket_free (&s->listener);
}

void
SocketHTTPServer_set_handler (SocketHTTPServer_T s, SocketHTTPServer_Handler handler, void *userdata)
{
  assert (s != NULL);
  s->handler = handler;
  s->response_handler = NULL;
  s->userdata = userdata;
}

void
SocketHTTPServer_set_response_handler (SocketHTTPServer_T s, SocketHTTPServer_ResponseHandler handler,
                                       void *userdata)
{
  assert (s != NULL);
  s->handler = NULL;
  s->response_handler = handler;
  s->userdata = userdata;
}

int
SocketHTTPServer_fd (SocketHTTPServer_T s)
{
  assert (s != NULL);
  return s->listener != NULL ? Socket_fd (s->listener) : -1;
}

int
SocketHTTPServer_port (SocketHTTPServer_T s)
{
  assert (s != NULL);
  return s->listener != NULL ? Socket_getlocalport (s->listener) : -1;
}

SocketPoll_T
SocketHTTPServer_poll (SocketHTTPServer_T s)
{
  assert (s != NULL);
  return s->poll;
}

void
SocketHTTPServer_stats (SocketHTTPServer_T s, SocketHTTPServer_Stats *stats)
{
  assert (s != NULL && stats != NULL);
  memset (stats, 0, sizeof *stats);
  *stats = s->stats;
  stats->active_connections = s->nconns;
}

/* ===================================================================== */
/* Connections                                                           */
/* ===================================================================== */

static void
conn_free (ServerConn *c)
{
  if (c->h2 != NULL)
    SocketHTTPServer__h2_free (c);
  if (c->cur != NULL)
    SocketHTTPServer__request_free (c->cur);
  if (c->sock != NULL)
    {
      SocketPoll_del (c->server->poll, c->sock);
      Socket_free (&c->sock);
    }
  Arena_dispose (&c->arena);
  free (c->in);
  free (c->out);
  free (c);
}

/* Unlink and free (outside event handling). */
static void
conn_release (ServerConn *c)
{
  SocketHTTPServer_T s = c->server;
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  s->nconns--;
  conn_free (c);
}

/* Mark for release at the end of process(); the socket leaves the poll now. */
static void
conn_kill (ServerConn *c)
{
  if (c->state == SERVERCONN_CLOSING && c->linger_until_ms == -1)
    return;
  c->state = SERVERCONN_CLOSING;
  c->linger_until_ms = -1; /* dead */
  if (c->sock != NULL)
    SocketPoll_del (c->server->poll, c->sock);
  c->poll_events = 0;
}

static int
conn_dead (const ServerConn *c)
{
  return c->state == SERVERCONN_CLOSING && c->linger_until_ms == -1;
}

void
SocketHTTPServer__closing (ServerConn *c)
{
  if (c->state == SERVERCONN_CLOSING)
    return;
  c->state = SERVERCONN_CLOSING;
  c->linger_until_ms = Socket_get_monotonic_ms () + HTTPSERVER_LINGER_MS;
}

static size_t
out_pending (const ServerConn *c)
{
  return c->out_len - c->out_off;
}

int
SocketHTTPServer__send (ServerConn *c, const void *data, size_t len)
{
  if (len == 0 || conn_dead (c))
    return 0;
  if (c->out_off > 0 && c->out_off == c->out_len)
    c->out_off = c->out_len = 0;
  if (c->out_cap - c->out_len < len)
    {
      size_t pending = out_pending (c), cap = c->out_cap ? c->out_cap : 4096;
      unsigned char *nb;
      if (c->out_off > 0)
        {
          memmove (c->out, c->out + c->out_off, pending);
          c->out_off = 0;
          c->out_len = pending;
        }
      while (cap - c->out_len < len)
        cap *= 2;
      if (cap != c->out_cap)
        {
          nb = realloc (c->out, cap);
          if (nb == NULL)
            {
              conn_kill (c);
              return -1;
            }
          c->out = nb;
          c->out_cap = cap;
        }
    }
  memcpy (c->out + c->out_len, data, len);
  c->out_len += len;
  return 0;
}

int
SocketHTTPServer__flush (ServerConn *c)
{
  volatile int failed = 0;

  while (!conn_dead (c) && out_pending (c) > 0)
    {
      volatile ssize_t n = 0;
      TRY n = Socket_send (c->sock, c->out + c->out_off, out_pending (c));
      ELSE failed = 1;
      END_TRY;
      if (failed)
        {
          conn_kill (c);
          return -1;
        }
      if (n <= 0)
        break;
      c->out_off += (size_t)n;
      c->server->stats.total_bytes_sent += (size_t)n;
    }
  if (out_pending (c) == 0)
    c->out_off = c->out_len = 0;
  return 0;
}

static int
in_space (const ServerConn *c)
{
  return c->in_len < c->in_cap || c->in_off > 0;
}

/* Read what the socket has into the input buffer; -1 when the connection
 * failed (killed), 1 when the peer closed, 0 otherwise. */
static int
conn_read (ServerConn *c)
{
  for (;;)
    {
      volatile ssize_t n = 0;
      volatile int eof = 0, failed = 0;
      if (c->in_off > 0)
        {
          memmove (c->in, c->in + c->in_off, c->in_len - c->in_off);
          c->in_len -= c->in_off;
          c->in_off = 0;
        }
      if (c->in_len == c->in_cap)
        return 0;
      if (!c->tls)
        {
          /* Plain TCP: recv(2) itself, as EOF is routine here and
           * Socket_recv() reports it as an error (logged). */
          n = recv (Socket_fd (c->sock), c->in + c->in_len, c->in_cap - c->in_len, 0);
          if (n == 0)
            eof = 1;
          else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            failed = 1;
        }
      else
        {
          TRY n = Socket_recv (c->sock, c->in + c->in_len, c->in_cap - c->in_len);
          EXCEPT (Socket_Closed) eof = 1;
          ELSE failed = 1;
          END_TRY;
        }
      if (failed)
        {
          /* A TLS peer that closes without close_notify fails here too:
           * treat it as EOF when nothing is half-read. */
          if (c->tls && c->request_start_ms == 0 && out_pending (c) == 0)
            eof = 1;
          else
            {
              conn_kill (c);
              return -1;
            }
        }
      if (eof)
        {
          c->peer_closed = 1;
          return 1;
        }
      if (n <= 0)
        return 0;
      c->in_len += (size_t)n;
      c->server->stats.total_bytes_received += (size_t)n;
      c->last_active_ms = Socket_get_monotonic_ms ();
      /* A short read drained the kernel buffer: the (level-triggered)
       * poll reports what comes next, so skip the recv that would only
       * say EAGAIN. TLS may hold more decrypted bytes: read on. */
      if (!c->tls && c->in_len < c->in_cap)
        return 0;
    }
}

static void
conn_update_events (ServerConn *c)
{
  unsigned ev = 0;
  if (conn_dead (c))
    return;
  if (c->state == SERVERCONN_TLS_HANDSHAKE)
    ev = c->poll_events; /* set by tls_step */
  else
    {
      if (!c->peer_closed && in_space (c))
        ev |= POLL_READ;
      if (out_pending (c) > 0)
        ev |= POLL_WRITE;
    }
  if (ev != c->poll_events || c->state == SERVERCONN_TLS_HANDSHAKE)
    {
      TRY SocketPoll_mod (c->server->poll, c->sock, ev, c);
      ELSE conn_kill (c);
      END_TRY;
      if (!conn_dead (c))
        c->poll_events = ev;
    }
}

/* Hand buffered input to the protocol, as long as it makes progress. */
static void
conn_input (ServerConn *c)
{
  ServerConnState before;
  do
    {
      before = c->state;
      if (c->state == SERVERCONN_HTTP1)
        SocketHTTPServer__h1_input (c);
      else if (c->state == SERVERCONN_HTTP2)
        SocketHTTPServer__h2_input (c);
      else if (c->state == SERVERCONN_CLOSING)
        c->in_off = c->in_len = 0; /* discarded while the last bytes go out */
    }
  while (c->state != before && !conn_dead (c)); /* h2c: the rest is HTTP/2 */
}

#if SOCKET_HAS_TLS
static void
tls_step (ServerConn *c)
{
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;
  const char *alpn;

  TRY st = SocketTLS_handshake (c->sock);
  ELSE st = TLS_HANDSHAKE_ERROR;
  END_TRY;
  switch (st)
    {
    case TLS_HANDSHAKE_COMPLETE:
      alpn = SocketTLS_get_alpn_selected (c->sock);
      c->state = SERVERCONN_HTTP1;
      c->poll_events = 0;
      c->request_start_ms = 0; /* the first request starts its own clock */
      c->last_active_ms = Socket_get_monotonic_ms ();
      if (alpn != NULL && strcmp (alpn, "h2") == 0 && c->server->config.max_version >= HTTP_VERSION_2
          && SocketHTTPServer__h2_start (c, NULL, NULL, 0) < 0)
        conn_kill (c);
      break;
    case TLS_HANDSHAKE_WANT_WRITE:
      c->poll_events = POLL_WRITE;
      break;
    case TLS_HANDSHAKE_ERROR:
      conn_kill (c);
      break;
    default:
      c->poll_events = POLL_READ;
      break;
    }
}
#endif

/* Everything a ready connection needs: handshake, read, protocol, write. */
static void
conn_service (ServerConn *c, unsigned events)
{
  int round;

  (void)events;
#if SOCKET_HAS_TLS
  if (c->state == SERVERCONN_TLS_HANDSHAKE)
    {
      tls_step (c);
      if (c->state == SERVERCONN_TLS_HANDSHAKE || conn_dead (c))
        {
          conn_update_events (c);
          return;
        }
    }
#endif
  /* TLS can hold decrypted bytes poll() does not see: go round while the
   * buffer keeps filling up. */
  for (round = 0; round < 64 && !conn_dead (c); round++)
    {
      size_t before_in = c->in_len - c->in_off, before_out = out_pending (c);
      int rc = 0;
      if (!c->peer_closed)
        rc = conn_read (c);
      if (rc < 0)
        return;
      conn_input (c);
      if (!conn_dead (c))
        SocketHTTPServer__flush (c);
      if (conn_dead (c))
        return;
      if (c->state == SERVERCONN_CLOSING && out_pending (c) == 0)
        {
          /* Last bytes out: half-close, then wait for the peer's EOF so
           * unread input does not turn into a reset that eats them. */
          if (c->linger_until_ms > 0 && !c->peer_closed && !c->shut_wr)
            {
              c->shut_wr = 1;
              TRY Socket_shutdown (c->sock, SHUT_WR);
              ELSE conn_kill (c);
              END_TRY;
            }
          if (c->peer_closed)
            conn_kill (c);
          if (conn_dead (c))
            return;
        }
      if (c->peer_closed && c->state == SERVERCONN_HTTP1 && out_pending (c) == 0)
        {
          conn_kill (c); /* nothing more can come */
          return;
        }
      if (c->peer_closed && c->state == SERVERCONN_HTTP2 && out_pending (c) == 0)
        {
          conn_kill (c);
          return;
        }
      /* Stop unless the last read filled the buffer (more may wait
       * inside TLS) and the protocol made room. */
      if (c->in_len < c->in_cap || (c->in_len - c->in_off == before_in && out_pending (c) == before_out))
        break;
    }
  conn_update_events (c);
}

static void
conn_accept_one (SocketHTTPServer_T s, Socket_T sock)
{
  ServerConn *volatile c = NULL;
  const char *addr;

  if (s->nconns >= s->config.max_connections)
    {
      Socket_free (&sock); /* refused: closed at once */
      return;
    }
  TRY
  {
    c = calloc (1, sizeof *c);
    if (c == NULL)
      SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "out of memory for a connection");
    c->server = s;
    c->sock = sock;
    c->in_cap = IN_BUFFER_SIZE;
    c->in = malloc (c->in_cap);
    if (c->in == NULL)
      SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "out of memory for a connection");
    c->arena = Arena_new ();
    c->last_active_ms = Socket_get_monotonic_ms ();
    c->pending.next_pending = c->pending.prev_pending = &c->pending;
    addr = Socket_getpeeraddr (sock);
    snprintf (c->addr, sizeof c->addr, "%s", addr != NULL && addr[0] != '\0' ? addr : "(unknown)");
    c->state = SERVERCONN_HTTP1;
#if SOCKET_HAS_TLS
    if (s->config.tls_context != NULL)
      {
        SocketTLS_enable (sock, s->config.tls_context);
        c->state = SERVERCONN_TLS_HANDSHAKE;
        c->tls = 1;
        c->request_start_ms = c->last_active_ms; /* the handshake counts as request time */
      }
#endif
    c->poll_events = POLL_READ;
    SocketPoll_add (s->poll, sock, POLL_READ, c);
  }
  ELSE
  {
    if (c != NULL)
      {
        Arena_dispose (&c->arena);
        free (c->in);
        free (c);
      }
    Socket_free (&sock);
    return; /* a failure to set one connection up does not stop the server */
  }
  END_TRY;
  c->next = s->conns;
  if (s->conns != NULL)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
}

void
SocketHTTPServer__adopt (SocketHTTPServer_T s, Socket_T sock)
{
  conn_accept_one (s, sock);
}

static void
accept_ready (SocketHTTPServer_T s)
{
  int i;
  for (i = 0; i < ACCEPTS_PER_EVENT && s->listener != NULL; i++)
    {
      Socket_T volatile sock = NULL;
      TRY sock = Socket_accept (s->listener);
      ELSE sock = NULL;
      END_TRY;
      if (sock == NULL)
        break;
      conn_accept_one (s, sock);
    }
}

/* ===================================================================== */
/* Timeouts                                                              */
/* ===================================================================== */

/* Milliseconds until @p c's next deadline (-1 none); fires due ones when
 * @p fire. */
static int64_t
conn_deadline (ServerConn *c, int64_t now, int fire)
{
  const SocketHTTPServer_Config *cfg = &c->server->config;
  int64_t due = -1;

  if (conn_dead (c))
    return -1;
  if (c->state == SERVERCONN_CLOSING)
    due = c->linger_until_ms;
  else if (c->state == SERVERCONN_HTTP2)
    {
      int t;
      if (fire)
        {
          SocketHTTPServer__h2_timers (c);
          conn_update_events (c);
        }
      if (conn_dead (c) || c->state != SERVERCONN_HTTP2)
        return -1;
      t = SocketHTTPServer__h2_next_timeout (c);
      if (t >= 0)
        due = now + t;
      if (cfg->keepalive_timeout_ms > 0 && c->h2_active == 0)
        {
          int64_t idle = c->last_active_ms + cfg->keepalive_timeout_ms;
          if (due < 0 || idle < due)
            due = idle;
          if (fire && now >= idle)
            {
              conn_kill (c);
              return -1;
            }
        }
      return due < 0 ? -1 : (due > now ? due - now : 0);
    }
  else if (c->request_start_ms > 0 && cfg->request_timeout_ms > 0)
    due = c->request_start_ms + cfg->request_timeout_ms;
  else if (c->request_start_ms == 0 && cfg->keepalive_timeout_ms > 0 && out_pending (c) == 0)
    due = c->last_active_ms + cfg->keepalive_timeout_ms;
  if (due < 0)
    return -1;
  if (fire && now >= due)
    {
      if (c->state == SERVERCONN_HTTP1 && c->request_start_ms > 0)
        SocketHTTPServer__h1_error (c, 408);
      else
        conn_kill (c);
      if (!conn_dead (c))
        {
          SocketHTTPServer__flush (c);
          conn_update_events (c);
        }
      return conn_dead (c) ? -1 : 0;
    }
  return due > now ? due - now : 0;
}

static int
next_timeout (SocketHTTPServer_T s, int timeout_ms)
{
  int64_t now = Socket_get_monotonic_ms ();
  ServerConn *c;
  for (c = s->conns; c != NULL; c = c->next)
    {
      int64_t t = conn_deadline (c, now, 0);
      if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
        timeout_ms = t > 0 ? (int)t : 1;
    }
  return timeout_ms;
}

int
SocketHTTPServer_process (SocketHTTPServer_T s, int timeout_ms)
{
  SocketEvent_T *events = NULL;
  int n, i;
  int64_t now;
  ServerConn *c, *next;

  assert (s != NULL);
  if (s->in_process)
    SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "SocketHTTPServer_process called from a handler");
  s->handler_calls = 0;
  n = SocketPoll_wait (s->poll, &events, next_timeout (s, timeout_ms));
  s->in_process = 1;
  TRY
  {
    for (i = 0; i < n; i++)
      {
        if (events[i].data == s)
          {
            accept_ready (s);
            continue;
          }
        c = events[i].data;
        if (c == NULL || conn_dead (c))
          continue;
        conn_service (c, events[i].events);
      }
    now = Socket_get_monotonic_ms ();
    for (c = s->conns; c != NULL; c = c->next)
      (void)conn_deadline (c, now, 1);
  }
  FINALLY
  {
    s->in_process = 0;
    for (c = s->conns; c != NULL; c = next)
      {
        next = c->next;
        if (conn_dead (c))
          conn_release (c);
      }
  }
  END_TRY;
  return s->handler_calls;
}

/* ===================================================================== */
/* Requests                                                              */
/* ===================================================================== */

SocketHTTPServer_Request_T
SocketHTTPServer__request_new (ServerConn *c)
{
  SocketHTTPServer_Request_T volatile req = calloc (1, sizeof *req);
  if (req == NULL)
    return NULL;
  TRY
  {
    req->arena = Arena_new ();
    req->resp_headers = SocketHTTP_Headers_new (req->arena);
  }
  ELSE
  {
    SocketHTTPServer_Request_T r = req;
    Arena_dispose (&r->arena);
    free (r);
    req = NULL;
  }
  END_TRY;
  if (req == NULL)
    return NULL;
  req->conn = c;
  req->status = 200;
  req->method = HTTP_METHOD_UNKNOWN;
  req->version = HTTP_VERSION_1_1;
  return req;
}

void
SocketHTTPServer__request_free (SocketHTTPServer_Request_T req)
{
  if (req == NULL)
    return;
  if (req->conn != NULL && req->conn->cur == req)
    req->conn->cur = NULL;
  Arena_dispose (&req->arena);
  free (req->body);
  free (req->resp_body);
  free (req);
}

int
SocketHTTPServer__body_append (SocketHTTPServer_Request_T req, const void *data, size_t len)
{
  size_t max = req->conn->server->config.max_body_size;
  if (len == 0)
    return 0;
  if (req->body_len + len > max || req->body_len + len < len)
    return -1;
  if (req->body_cap - req->body_len < len)
    {
      size_t cap = req->body_cap ? req->body_cap : 1024;
      unsigned char *nb;
      while (cap - req->body_len < len)
        cap *= 2;
      if (cap > max)
        cap = max;
      nb = realloc (req->body, cap);
      if (nb == NULL)
        return -1;
      req->body = nb;
      req->body_cap = cap;
    }
  memcpy (req->body + req->body_len, data, len);
  req->body_len += len;
  return 0;
}

void
SocketHTTPServer__target_set (SocketHTTPServer_Request_T req, const char *target, size_t len)
{
  char *t = Arena_alloc (req->arena, len + 1, __FILE__, __LINE__);
  char *q;
  memcpy (t, target, len);
  t[len] = '\0';
  req->target = t;
  q = strchr (t, '?');
  req->query = q != NULL ? q + 1 : NULL;
}

/* Run the handler. An exception escaping it ends the connection (after a
 * 500 when nothing was sent yet) instead of unwinding the server loop. */
void
SocketHTTPServer__dispatch (SocketHTTPServer_Request_T req)
{
  SocketHTTPServer_T s = req->conn->server;
  volatile int failed = 0;

  s->stats.total_requests++;
  s->handler_calls++;
  req->conn->requests++;
  TRY
  {
    if (s->response_handler != NULL)
      s->response_handler (req, (SocketHTTPServer_Response_T)req, s->userdata);
    else if (s->handler != NULL)
      s->handler (req, s->userdata);
    else
      {
        req->status = 404;
        SocketHTTPServer_Request_body_string (req, "Not Found");
      }
  }
  ELSE failed = 1;
  END_TRY;
  if (req->detached)
    return;
  if (failed && !req->finished)
    {
      req->status = 500;
      SocketHTTP_Headers_clear (req->resp_headers);
      SocketHTTPServer_Request_body_data (req, NULL, 0);
    }
  SocketHTTPServer_Request_finish (req);
  if (failed)
    {
      if (req->stream == NULL)
        SocketHTTPServer__closing (req->conn);
      else
        SocketHTTP2_Stream_close (req->stream, HTTP2_INTERNAL_ERROR);
    }
}

SocketHTTP_Method
SocketHTTPServer_Request_method (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->method : HTTP_METHOD_UNKNOWN;
}

const char *
SocketHTTPServer_Request_path (SocketHTTPServer_Request_T req)
{
  return req != NULL && req->target != NULL ? req->target : "/";
}

const char *
SocketHTTPServer_Request_uri (SocketHTTPServer_Request_T req)
{
  return SocketHTTPServer_Request_path (req);
}

const char *
SocketHTTPServer_Request_query (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->query : NULL;
}

SocketHTTP_Headers_T
SocketHTTPServer_Request_headers (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->headers : NULL;
}

const void *
SocketHTTPServer_Request_body (SocketHTTPServer_Request_T req)
{
  return req != NULL && req->body_len > 0 ? req->body : NULL;
}

size_t
SocketHTTPServer_Request_body_len (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->body_len : 0;
}

const char *
SocketHTTPServer_Request_client_addr (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->conn->addr : "(unknown)";
}

SocketHTTP_Version
SocketHTTPServer_Request_version (SocketHTTPServer_Request_T req)
{
  return req != NULL ? req->version : HTTP_VERSION_1_1;
}

Arena_T
SocketHTTPServer_Request_arena (SocketHTTPServer_Request_T req)
{
  assert (req != NULL);
  return req->conn->arena;
}

void
SocketHTTPServer_Request_status (SocketHTTPServer_Request_T req, int code)
{
  assert (req != NULL);
  if (req->finished)
    return;
  req->status = code >= 100 && code <= 999 ? code : 500;
}

void
SocketHTTPServer_Request_header (SocketHTTPServer_Request_T req, const char *name, const char *value)
{
  assert (req != NULL && name != NULL && value != NULL);
  if (req->finished || strcasecmp (name, "Content-Length") == 0 || strcasecmp (name, "Transfer-Encoding") == 0)
    return;
  if (!SocketHTTP_header_name_valid (name, strlen (name)) || !SocketHTTP_header_value_valid (value, strlen (value)))
    return;
  SocketHTTP_Headers_add (req->resp_headers, name, value);
}

void
SocketHTTPServer_Request_body_data (SocketHTTPServer_Request_T req, const void *data, size_t len)
{
  unsigned char *copy = NULL;
  assert (req != NULL);
  if (req->finished)
    return;
  if (data != NULL && len > 0)
    {
      copy = malloc (len);
      if (copy == NULL)
        SOCKET_RAISE_MSG (SocketHTTPServer, SocketHTTPServer_Failed, "out of memory for a %zu-byte body", len);
      memcpy (copy, data, len);
    }
  free (req->resp_body);
  req->resp_body = copy;
  req->resp_len = copy != NULL ? len : 0;
}

void
SocketHTTPServer_Request_body_string (SocketHTTPServer_Request_T req, const char *str)
{
  SocketHTTPServer_Request_body_data (req, str, str != NULL ? strlen (str) : 0);
}

void
SocketHTTPServer_Request_finish (SocketHTTPServer_Request_T req)
{
  assert (req != NULL);
  if (req->finished || req->detached)
    return;
  req->finished = 1;
  if (req->stream != NULL)
    SocketHTTPServer__h2_finish (req);
  else
    SocketHTTPServer__h1_finish (req);
}

int
SocketHTTPServer_Request_is_websocket (SocketHTTPServer_Request_T req)
{
  const char *up;
  if (req == NULL || req->stream != NULL || req->headers == NULL)
    return 0;
  up = SocketHTTP_Headers_get (req->headers, "Upgrade");
  return up != NULL && strcasecmp (up, "websocket") == 0
         && SocketHTTP_Headers_contains (req->headers, "Connection", "upgrade");
}

SocketWS_T
SocketHTTPServer_Request_upgrade_websocket (SocketHTTPServer_Request_T req)
{
  assert (req != NULL);
  if (req->finished || req->detached || req->stream != NULL || !SocketHTTPServer_Request_is_websocket (req))
    return NULL;
  return SocketHTTPServer__h1_upgrade_websocket (req);
}

void
SocketHTTPServer_Response_status (SocketHTTPServer_Response_T resp, int code)
{
  SocketHTTPServer_Request_status ((SocketHTTPServer_Request_T)resp, code);
}

void
SocketHTTPServer_Response_header (SocketHTTPServer_Response_T resp, const char *name, const char *value)
{
  SocketHTTPServer_Request_header ((SocketHTTPServer_Request_T)resp, name, value);
}

void
SocketHTTPServer_Response_body (SocketHTTPServer_Response_T resp, const void *data, size_t len)
{
  SocketHTTPServer_Request_body_data ((SocketHTTPServer_Request_T)resp, data, len);
}

void
SocketHTTPServer_Response_send (SocketHTTPServer_Response_T resp)
{
  SocketHTTPServer_Request_finish ((SocketHTTPServer_Request_T)resp);
}
