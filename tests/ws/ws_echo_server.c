/*
 * ws_echo_server.c - WebSocket echo server on the public SocketWS API, the
 * "server under test" of the interop matrix (tests/ws/run_interop.sh).
 *
 * Usage: ws_echo_server [--deflate] [--page FILE] [--tls CERT KEY]
 *        ws_echo_server --deflate-available   (exit 0 if permessage-deflate
 *        is compiled in, 1 if not; --deflate is refused when it is not)
 * Listens on 127.0.0.1 (any port) and prints "listening on
 * 127.0.0.1:PORT". Plain HTTP/1.1 (or HTTPS with --tls), one request per
 * connection, parsed with SocketHTTP1:
 *   GET /      FILE (the browser test page, tests/ws/page.html)
 *   /echo      WebSocket upgrade (permessage-deflate offered to clients
 *              that ask, with --deflate); every message is echoed with
 *              its opcode, and a text message starting with "REPORT " is
 *              also printed to stdout (the page's result line)
 *   otherwise  404
 * One SocketPoll loop, non-blocking sockets, any number of clients.
 * SIGTERM/SIGINT end the loop and free everything, so a sanitizer build
 * checks the server for leaks too (exit status 0 = clean).
 *
 * Bytes after the request head are never read here: they stay in the
 * socket for SocketWS (a client's first frame must not be lost). Plain
 * TCP: the head is peeked (MSG_PEEK) and only its bytes are consumed.
 * TLS: the head is read one byte at a time up to its end, so anything
 * after it stays in the TLS layer, where SocketWS_process finds it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "http/SocketHTTP1.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#endif

#define HEAD_PEEK_MAX 16384 /* a request head larger than the parser allows fails first */

typedef enum
{
  PHASE_TLS,          /* TLS handshake */
  PHASE_HTTP,         /* reading the request head */
  PHASE_WS_HANDSHAKE, /* 101 response being sent */
  PHASE_WS            /* echoing */
} Phase;

typedef struct Conn
{
  struct Conn *prev, *next; /* all connections, for the cleanup at exit */
  Socket_T sock;
  Arena_T arena;
  SocketHTTP1_Parser_T parser;
  SocketWS_T ws;
  Phase phase;
  unsigned registered;   /* events given to SocketPoll */
  SocketWS_Message held; /* an echo the library could not take yet */
  int holding;
  int closed_rounds; /* events seen since the state became CLOSED */
} Conn;

static SocketPoll_T loop;
static SocketWS_Config ws_cfg;
#if SOCKET_HAS_TLS
static SocketTLSContext_T tls_ctx;
#else
static void *tls_ctx; /* always NULL: built without TLS */
#endif
static char *page;
static size_t page_len;
static Conn conns = { .prev = &conns, .next = &conns }; /* list head */
static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  (void)sig;
  stop = 1;
}

static void
conn_free (Conn *c)
{
  c->prev->next = c->next;
  c->next->prev = c->prev;
  SocketPoll_del (loop, c->sock);
  if (c->holding)
    SocketWS_Message_free (&c->held);
  SocketWS_free (&c->ws);
  Socket_free (&c->sock);
  Arena_dispose (&c->arena);
  free (c);
}

/* A short plain response; the connection is closed after it. */
static void
respond (Conn *c, int status, const char *reason, const char *type, const char *body, size_t len)
{
  char head[256];
  int n = snprintf (head, sizeof head,
                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                    "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                    status, reason, type, len);
  TRY
  {
    Socket_sendall (c->sock, head, (size_t)n);
    if (len > 0)
      Socket_sendall (c->sock, body, len);
  }
  ELSE {} /* the peer went away: nothing to tell it */
  END_TRY;
}

/* Feeds the parser the request head, leaving later bytes in the socket.
 * 1 head complete, 0 need more, -1 drop the connection. */
static int
read_head_plain (Conn *c)
{
  char buf[HEAD_PEEK_MAX];
  size_t used = 0;
  ssize_t n = recv (Socket_fd (c->sock), buf, sizeof buf, MSG_PEEK);
  SocketHTTP1_Result r;

  if (n == 0)
    return -1;
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  r = SocketHTTP1_Parser_execute (c->parser, buf, (size_t)n, &used);
  if (r >= HTTP1_ERROR)
    {
      respond (c, 400, "Bad Request", "text/plain", "bad request\n", 12);
      return -1;
    }
  /* Consume exactly what the parser took: the head (or all of a partial one). */
  if (used > 0 && recv (Socket_fd (c->sock), buf, used, 0) != (ssize_t)used)
    return -1;
  return r == HTTP1_OK ? 1 : 0;
}

static ssize_t
recv_byte (Conn *c, char *byte)
{
  volatile ssize_t n = -1;
  TRY n = Socket_recv (c->sock, byte, 1);
  ELSE n = -1;
  END_TRY;
  return n;
}

static int
read_head_tls (Conn *c)
{
  for (;;)
    {
      char byte;
      size_t used = 0;
      ssize_t n = recv_byte (c, &byte);
      SocketHTTP1_Result r;
      if (n < 0)
        return -1;
      if (n == 0)
        return 0;
      r = SocketHTTP1_Parser_execute (c->parser, &byte, 1, &used);
      if (r == HTTP1_OK)
        return 1;
      if (r >= HTTP1_ERROR)
        {
          respond (c, 400, "Bad Request", "text/plain", "bad request\n", 12);
          return -1;
        }
    }
}

static SocketWS_T
try_accept (Conn *c, const SocketHTTP_Request *req)
{
  SocketWS_T volatile ws = NULL;
  TRY ws = SocketWS_server_accept (c->sock, req, &ws_cfg);
  ELSE ws = NULL;
  END_TRY;
  return ws;
}

static void
try_reject (Conn *c, int status, const char *reason)
{
  TRY SocketWS_server_reject (c->sock, status, reason);
  ELSE {}
  END_TRY;
}

/* The request head is complete: page, upgrade or 404. -1 drops the connection. */
static int
route (Conn *c)
{
  const SocketHTTP_Request *req = SocketHTTP1_Parser_get_request (c->parser);
  const char *path = req->path ? req->path : "";
  size_t plen = strcspn (path, "?");

  if (plen == 5 && strncmp (path, "/echo", 5) == 0)
    {
      if (!SocketWS_is_upgrade (req))
        {
          try_reject (c, 426, "WebSocket upgrade expected");
          return -1;
        }
      c->ws = try_accept (c, req);
      if (c->ws == NULL)
        {
          try_reject (c, 400, "Bad WebSocket handshake");
          return -1;
        }
      c->phase = PHASE_WS_HANDSHAKE;
      return 0;
    }
  if (plen == 1 && path[0] == '/' && req->method == HTTP_METHOD_GET && page != NULL)
    respond (c, 200, "OK", "text/html; charset=utf-8", page, page_len);
  else
    respond (c, 404, "Not Found", "text/plain", "not found\n", 10);
  return -1;
}

/* 1 done, 0 wait for POLL_READ, 2 wait for POLL_WRITE, -1 failed. */
static int
tls_step (Conn *c)
{
#if SOCKET_HAS_TLS
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;
  TRY st = SocketTLS_handshake (c->sock);
  ELSE st = TLS_HANDSHAKE_ERROR;
  END_TRY;
  if (st == TLS_HANDSHAKE_ERROR)
    return -1;
  if (st == TLS_HANDSHAKE_COMPLETE)
    {
      c->phase = PHASE_HTTP;
      return 1;
    }
  return st == TLS_HANDSHAKE_WANT_WRITE ? 2 : 0;
#else
  return -1;
#endif
}

static int
ws_handshake_step (Conn *c)
{
  volatile int rc = -1;
  TRY rc = SocketWS_handshake (c->ws);
  ELSE rc = -1;
  END_TRY;
  if (rc == 0)
    c->phase = PHASE_WS;
  return rc < 0 ? -1 : 0;
}

/* Queues the echo of @p m; 1 sent (m freed), 0 the library is full (keep
 * it and retry on POLL_WRITE), -1 failed. */
static int
echo (Conn *c, SocketWS_Message *m)
{
  volatile int rc = -1;
  TRY
  {
    if (m->type == WS_OPCODE_TEXT)
      rc = SocketWS_send_text (c->ws, (const char *)m->data, m->len);
    else
      rc = SocketWS_send_binary (c->ws, m->data, m->len);
  }
  ELSE rc = -1;
  END_TRY;
  if (rc < 0 && SocketWS_last_error (c->ws) == WS_ERROR_WOULD_BLOCK)
    return 0;
  SocketWS_Message_free (m);
  if (rc < 0)
    fprintf (stderr, "echo failed: %s\n", SocketWS_error_string (SocketWS_last_error (c->ws)));
  return rc < 0 ? -1 : 1;
}

static int
process (Conn *c, unsigned events)
{
  volatile int rc = -1;
  TRY rc = SocketWS_process (c->ws, events);
  ELSE rc = -1;
  END_TRY;
  return rc;
}

static int
recv_one (Conn *c, SocketWS_Message *m)
{
  volatile int rc = -1;
  memset (m, 0, sizeof *m);
  TRY rc = SocketWS_recv_message (c->ws, m);
  ELSE rc = -1;
  END_TRY;
  return rc;
}

/* Socket events on an open WebSocket: I/O, then echo every complete
 * message. -1 when the connection is over. */
static int
ws_step (Conn *c, unsigned events)
{
  if (process (c, events) < 0)
    return -1;
  if (c->holding)
    {
      int r = echo (c, &c->held);
      if (r < 0)
        return -1;
      c->holding = r == 0;
    }
  /* Until recv_message has nothing complete (WS_ERROR_WOULD_BLOCK on a
   * non-blocking socket) or the connection closed. */
  while (!c->holding)
    {
      SocketWS_Message m;
      int r = recv_one (c, &m);
      if (r != 1)
        break;
      if (m.type == WS_OPCODE_TEXT && m.len >= 7 && memcmp (m.data, "REPORT ", 7) == 0)
        {
          fwrite (m.data, 1, m.len, stdout);
          fputc ('\n', stdout);
          fflush (stdout);
        }
      r = echo (c, &m);
      if (r < 0)
        return -1;
      if (r == 0)
        {
          c->held = m;
          c->holding = 1;
        }
    }
  /* Closed, and the answer to the peer's CLOSE (if any) written out; a
   * few rounds at most, in case a closed instance no longer writes. */
  if (SocketWS_state (c->ws) == WS_STATE_CLOSED
      && (!(SocketWS_poll_events (c->ws) & POLL_WRITE) || ++c->closed_rounds > 100))
    return -1;
  return 0;
}

/* One readiness event for @p c; -1 drops the connection. */
static int
conn_event (Conn *c, unsigned events)
{
  int r;
  switch (c->phase)
    {
    case PHASE_TLS:
      if ((r = tls_step (c)) < 0)
        return -1;
      if (r != 1)
        {
          unsigned want = r == 2 ? POLL_WRITE : POLL_READ;
          SocketPoll_mod (loop, c->sock, want, c);
          c->registered = want;
          return 0;
        }
      /* The request may already sit in the TLS layer. */
      /* fall through */
    case PHASE_HTTP:
      r = tls_ctx ? read_head_tls (c) : read_head_plain (c);
      if (r < 0 || (r == 1 && route (c) < 0))
        return -1;
      if (c->phase != PHASE_WS_HANDSHAKE)
        break;
      /* Send the 101 now. */
      /* fall through */
    case PHASE_WS_HANDSHAKE:
      if (ws_handshake_step (c) < 0)
        return -1;
      if (c->phase != PHASE_WS)
        break;
      events = POLL_READ | POLL_WRITE; /* whatever came with the request */
      /* fall through */
    case PHASE_WS:
      if (ws_step (c, events) < 0)
        return -1;
      break;
    }
  {
    /* While the 101 goes out ask for POLL_WRITE too: whether a CONNECTING
     * instance counts its response as queued output is not specified. */
    unsigned want = c->ws == NULL                   ? POLL_READ
                    : c->phase == PHASE_WS_HANDSHAKE ? POLL_READ | POLL_WRITE
                                                     : SocketWS_poll_events (c->ws);
    want &= POLL_READ | POLL_WRITE;
    if (want != c->registered)
      {
        SocketPoll_mod (loop, c->sock, want, c);
        c->registered = want;
      }
  }
  return 0;
}

static void
accept_all (Socket_T listener)
{
  for (;;)
    {
      Socket_T volatile s = NULL;
      Conn *c;
      TRY s = Socket_accept (listener);
      ELSE s = NULL;
      END_TRY;
      if (s == NULL)
        return;
      c = calloc (1, sizeof *c);
      if (c == NULL)
        {
          Socket_T dead = s;
          Socket_free (&dead);
          continue;
        }
      c->sock = s;
      c->next = &conns;
      c->prev = conns.prev;
      conns.prev->next = c;
      conns.prev = c;
      c->arena = Arena_new ();
      c->parser = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, c->arena);
      c->phase = tls_ctx ? PHASE_TLS : PHASE_HTTP;
      c->registered = POLL_READ;
      Socket_setnonblocking (c->sock);
#if SOCKET_HAS_TLS
      if (tls_ctx)
        SocketTLS_enable (c->sock, tls_ctx);
#endif
      SocketPoll_add (loop, c->sock, POLL_READ, c);
    }
}

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf = NULL;
  long n;
  if (f == NULL)
    return NULL;
  if (fseek (f, 0, SEEK_END) == 0 && (n = ftell (f)) >= 0 && fseek (f, 0, SEEK_SET) == 0
      && (buf = malloc ((size_t)n + 1)) != NULL && fread (buf, 1, (size_t)n, f) == (size_t)n)
    *len = (size_t)n;
  else
    {
      free (buf);
      buf = NULL;
    }
  fclose (f);
  return buf;
}

int
main (int argc, char **argv)
{
  Socket_T listener;
  int i, deflate = 0;

  if (argc == 2 && strcmp (argv[1], "--deflate-available") == 0)
    return SocketWSExt_deflate_available () ? 0 : 1;
  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--deflate") == 0)
        {
          if (!SocketWSExt_deflate_available ())
            {
              fprintf (stderr, "%s: --deflate: permessage-deflate is not compiled into this libsocket\n", argv[0]);
              return 2;
            }
          deflate = 1;
        }
      else if (strcmp (argv[i], "--page") == 0 && i + 1 < argc)
        {
          if ((page = read_file (argv[++i], &page_len)) == NULL)
            {
              fprintf (stderr, "cannot read %s\n", argv[i]);
              return 2;
            }
        }
      else if (strcmp (argv[i], "--tls") == 0 && i + 2 < argc)
        {
#if SOCKET_HAS_TLS
          tls_ctx = SocketTLSContext_new_server (argv[i + 1], argv[i + 2], NULL);
          i += 2;
#else
          fprintf (stderr, "built without TLS: --tls unavailable\n");
          return 2;
#endif
        }
      else
        {
          fprintf (stderr, "usage: %s [--deflate] [--page FILE] [--tls CERT KEY]\n", argv[0]);
          return 2;
        }
    }
  {
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait returns */
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGINT, &sa, NULL);
  }
  signal (SIGPIPE, SIG_IGN);
  SocketWS_config_defaults (&ws_cfg);
  ws_cfg.role = WS_ROLE_SERVER;
  ws_cfg.enable_permessage_deflate = deflate;
  /* gorilla's client cuts messages into 4 KiB frames: its 4 MiB text
   * case arrives in 1025 fragments, above the default limit of 1000. */
  ws_cfg.max_fragments = 100000;

  listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (listener);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 128);
  Socket_setnonblocking (listener);
  loop = SocketPoll_new (1024);
  SocketPoll_add (loop, listener, POLL_READ, NULL);
  printf ("listening on 127.0.0.1:%d\n", Socket_getlocalport (listener));
  fflush (stdout);

  while (!stop)
    {
      SocketEvent_T *events;
      int n = SocketPoll_wait (loop, &events, 1000);
      for (i = 0; i < n; i++)
        {
          Conn *c = events[i].data;
          if (c == NULL)
            accept_all (listener);
          else if (conn_event (c, events[i].events) < 0)
            conn_free (c);
        }
    }
  while (conns.next != &conns)
    conn_free (conns.next);
  SocketPoll_del (loop, listener);
  SocketPoll_free (&loop);
  Socket_free (&listener);
#if SOCKET_HAS_TLS
  SocketTLSContext_free (&tls_ctx);
#endif
  free (page);
  return 0;
}
