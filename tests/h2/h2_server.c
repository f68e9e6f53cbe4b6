/*
 * h2_server.c - a minimal HTTP/2 server on the public SocketHTTP2 API,
 * for h2spec, h2load and the interop runs. It does no protocol checking
 * of its own: every request that completes gets "200"; everything else
 * is the library's job. Responses by :path:
 *   /bytes/N   N bytes of a fixed pseudo-random pattern, with header
 *              x-sha256 (hex SHA-256 of those bytes)
 *   /sha256    body: hex SHA-256 of the request body, a space, its length
 *   /push      PUSH_PROMISE for /pushed.txt (pushed, "pushed by libsocket
 *              h2\n"), then the small body
 *   anything else: the small body "hello from libsocket h2\n"
 *
 * Usage: h2_server [-m MAX_STREAMS] [port [cert.pem key.pem]]
 * Listens on 127.0.0.1 (default port 8080, 0 = any; prints the port):
 * h2c with prior knowledge, or with a certificate and key h2 over TLS
 * (ALPN "h2" required). -m sets SETTINGS_MAX_CONCURRENT_STREAMS (default
 * 100). Extended CONNECT (RFC 8441) is enabled. One poll(2) loop,
 * non-blocking sockets.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTP2Ext.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

#define MAX_CONNS 256

/* One response in progress (the stream's userdata); linked into its
 * connection's list while body bytes are left to queue. */
typedef struct Reply
{
  SocketHTTP2_Stream_T s;
  struct Reply *prev, *next;
  const char *text; /* fixed body, or NULL for the generated pattern */
  uint64_t total, sent;
  int route, answered, linked;
  int busy, closed; /* in a call that may close the stream; stream gone */
  EVP_MD_CTX *md; /* /sha256: digest of the request body */
  uint64_t got;
  char hex[80];
} Reply;

typedef struct
{
  Socket_T sock;
  Arena_T arena;
  SocketHTTP2_Conn_T h2;
  int want_write;
  int64_t closing_until; /* > 0: GOAWAY sent, draining input until then */
  int handshaking;       /* TLS handshake not finished (h2 is NULL) */
  Reply pending;         /* list head: replies with body left to queue */
} Conn;

enum
{
  ROUTE_SMALL,
  ROUTE_BYTES,
  ROUTE_SHA256,
  ROUTE_PUSH
};

static SocketHTTP2_Config cfg;

static const char body[] = "hello from libsocket h2\n";
static const char pushed_body[] = "pushed by libsocket h2\n";

/* Byte i of the /bytes/N pattern: splitmix64 of the 8-byte word index. */
static uint64_t
mix (uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static void
pattern (unsigned char *buf, uint64_t off, size_t len)
{
  uint64_t w = 0;
  size_t j;
  for (j = 0; j < len; j++)
    {
      uint64_t i = off + j;
      if (j == 0 || i % 8 == 0)
        w = mix (i / 8);
      buf[j] = (unsigned char)(w >> ((i % 8) * 8));
    }
}

static void
to_hex (const unsigned char *d, unsigned n, char *out)
{
  unsigned i;
  for (i = 0; i < n; i++)
    sprintf (out + 2 * i, "%02x", d[i]);
}

/* Hex SHA-256 of the first n pattern bytes (the last answer is cached). */
static const char *
pattern_sha256 (uint64_t n)
{
  static uint64_t cached_n = UINT64_MAX;
  static char hex[65];
  static unsigned char buf[65536];
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned dl = 0;
  uint64_t off;
  EVP_MD_CTX *md;

  if (n == cached_n)
    return hex;
  md = EVP_MD_CTX_new ();
  EVP_DigestInit_ex (md, EVP_sha256 (), NULL);
  for (off = 0; off < n; off += sizeof buf)
    {
      size_t len = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
      pattern (buf, off, len);
      EVP_DigestUpdate (md, buf, len);
    }
  EVP_DigestFinal_ex (md, d, &dl);
  EVP_MD_CTX_free (md);
  to_hex (d, dl, hex);
  cached_n = n;
  return hex;
}

static void
unlink_reply (Reply *r)
{
  if (!r->linked)
    return;
  r->prev->next = r->next;
  r->next->prev = r->prev;
  r->linked = 0;
}

static void
reply_free (Reply *r)
{
  unlink_reply (r);
  EVP_MD_CTX_free (r->md);
  free (r);
}

/* The stream ended (STREAM_END/RESET): free the reply now, or when the
 * call that ended it (send_data, send_headers) has returned. */
static void
reply_release (Reply *r)
{
  if (r->busy == 0 && r->closed)
    reply_free (r);
}

/* Queue as much of the body as windows and the send queue allow;
 * returns the bytes queued. May free r (the last DATA can end the
 * stream, and the engine reports that during send_data). */
static uint64_t
send_body (Reply *r)
{
  unsigned char buf[16384];
  uint64_t before = r->sent, queued;

  r->busy++;
  while (!r->closed && r->answered && r->sent < r->total)
    {
      size_t len = r->total - r->sent < sizeof buf ? (size_t)(r->total - r->sent) : sizeof buf;
      const void *p = buf;
      ssize_t n;
      if (r->text != NULL)
        p = r->text + r->sent;
      else
        pattern (buf, r->sent, len);
      n = SocketHTTP2_Stream_send_data (r->s, p, len, r->sent + len == r->total);
      if (n <= 0)
        break;
      r->sent += (uint64_t)n;
    }
  r->busy--;
  queued = r->sent - before;
  if (r->answered && r->sent >= r->total)
    unlink_reply (r);
  reply_release (r);
  return queued;
}

static Reply *
reply_new (Conn *c, SocketHTTP2_Stream_T s)
{
  Reply *r = calloc (1, sizeof *r);
  if (r == NULL)
    return NULL;
  r->s = s;
  r->text = body;
  r->total = sizeof body - 1;
  r->prev = &c->pending;
  r->next = c->pending.next;
  c->pending.next->prev = r;
  c->pending.next = r;
  r->linked = 1;
  SocketHTTP2_Stream_set_userdata (s, r);
  return r;
}

static void
route (Conn *c, Reply *r)
{
  SocketHPACK_Header h[32];
  size_t n = 0, i;
  int end = 0;
  const char *path = "", *authority = "127.0.0.1", *scheme = "http";

  SocketHTTP2_Stream_recv_headers (r->s, h, 32, &n, &end);
  for (i = 0; i < n && i < 32; i++)
    {
      if (strcmp (h[i].name, ":path") == 0)
        path = h[i].value;
      else if (strcmp (h[i].name, ":authority") == 0)
        authority = h[i].value;
      else if (strcmp (h[i].name, ":scheme") == 0)
        scheme = h[i].value;
    }
  if (strncmp (path, "/bytes/", 7) == 0)
    {
      r->route = ROUTE_BYTES;
      r->text = NULL;
      r->total = strtoull (path + 7, NULL, 10);
    }
  else if (strcmp (path, "/sha256") == 0)
    {
      r->route = ROUTE_SHA256;
      r->md = EVP_MD_CTX_new ();
      EVP_DigestInit_ex (r->md, EVP_sha256 (), NULL);
    }
  else if (strcmp (path, "/push") == 0)
    {
      SocketHPACK_Header ph[4] = { { ":method", 7, "GET", 3, 0 },
                                   { ":scheme", 7, scheme, strlen (scheme), 0 },
                                   { ":authority", 10, authority, strlen (authority), 0 },
                                   { ":path", 5, "/pushed.txt", 11, 0 } };
      SocketHTTP2_Stream_T ps = SocketHTTP2_Stream_push_promise (r->s, ph, 4);
      SocketHPACK_Header rh[2] = { { ":status", 7, "200", 3, 0 }, { "content-type", 12, "text/plain", 10, 0 } };
      Reply *pr;
      r->route = ROUTE_PUSH;
      if (ps != NULL && (pr = reply_new (c, ps)) != NULL && SocketHTTP2_Stream_send_headers (ps, rh, 2, 0) == 0)
        {
          pr->text = pushed_body;
          pr->total = sizeof pushed_body - 1;
          pr->answered = 1;
          send_body (pr);
        }
    }
}

/* Route on HEADERS, answer once the peer finished its side of the
 * stream; resume the body when the flow-control window opens. */
static void
on_stream (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, int event, void *ud)
{
  SocketHPACK_Header h[3] = { { ":status", 7, "200", 3, 0 },
                              { "content-type", 12, "text/plain", 10, 0 },
                              { "x-sha256", 8, "", 0, 0 } };
  Conn *c = ud;
  Reply *r = SocketHTTP2_Stream_get_userdata (s);
  unsigned char sink[16384];
  ssize_t got;
  size_t n;
  int end = 0;

  (void)conn;
  if (event == HTTP2_EVENT_HEADERS_RECEIVED && r == NULL && (r = reply_new (c, s)) != NULL)
    route (c, r);
  if (r == NULL)
    return;
  r->busy++; /* a nested STREAM_END must not free r under us */
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      SocketHTTP2_Stream_recv_headers (s, NULL, 0, &n, &end);
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      while ((got = SocketHTTP2_Stream_recv_data (s, sink, sizeof sink, &end)) > 0)
        if (r->md != NULL)
          {
            EVP_DigestUpdate (r->md, sink, (size_t)got);
            r->got += (uint64_t)got;
          }
      break;
    case HTTP2_EVENT_TRAILERS_RECEIVED:
      end = 1;
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      send_body (r);
      break;
    case HTTP2_EVENT_STREAM_END:
    case HTTP2_EVENT_STREAM_RESET:
      r->closed = 1;
      unlink_reply (r);
      SocketHTTP2_Stream_set_userdata (s, NULL);
      break;
    default:
      break;
    }
  if (end && !r->answered && !r->closed)
    {
      if (r->route == ROUTE_BYTES)
        {
          h[2].value = pattern_sha256 (r->total);
          h[2].value_len = 64;
        }
      else if (r->route == ROUTE_SHA256)
        {
          unsigned char d[EVP_MAX_MD_SIZE];
          unsigned dl = 0;
          EVP_DigestFinal_ex (r->md, d, &dl);
          to_hex (d, dl, r->hex);
          snprintf (r->hex + 2 * dl, sizeof r->hex - 2 * dl, " %llu\n", (unsigned long long)r->got);
          r->text = r->hex;
          r->total = strlen (r->hex);
        }
      if (SocketHTTP2_Stream_send_headers (s, h, r->route == ROUTE_BYTES ? 3 : 2, r->total == 0) == 0)
        r->answered = 1;
      send_body (r);
    }
  r->busy--;
  reply_release (r);
}

/* After a complete flush: resume bodies that the send queue held back. */
static uint64_t
resume_pending (Conn *c)
{
  Reply *r = c->pending.next, *next;
  uint64_t queued = 0;
  for (; r != &c->pending; r = next)
    {
      next = r->next;
      queued += send_body (r);
    }
  return queued;
}

/* Drain what the peer still sends after our GOAWAY so that closing does
 * not turn into a TCP reset that destroys the GOAWAY in flight. */
static int
drain_done (Conn *c)
{
  char buf[4096];
  ssize_t n;

  while ((n = read (Socket_fd (c->sock), buf, sizeof buf)) > 0)
    ;
  if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
    return 1;
  return Socket_get_monotonic_ms () > c->closing_until;
}

static void
start_h2 (Conn *c)
{
  c->h2 = SocketHTTP2_Conn_new (c->sock, &cfg, c->arena);
  /* RFC 8441 on: h2spec then checks the server with the setting sent. */
  SocketHTTP2Ext_Conn_enable_connect_protocol (c->h2);
  SocketHTTP2_Conn_set_stream_callback (c->h2, on_stream, c);
}

/* One TLS handshake step: 1 done (h2 started), 0 in progress, -1 failed
 * or the client did not select "h2" (RFC 9113 §3.2). */
static int
tls_step (Conn *c)
{
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;
  const char *alpn;

  TRY st = SocketTLS_handshake (c->sock);
  ELSE st = TLS_HANDSHAKE_ERROR;
  END_TRY;
  if (st == TLS_HANDSHAKE_ERROR)
    return -1;
  c->want_write = st == TLS_HANDSHAKE_WANT_WRITE;
  if (st != TLS_HANDSHAKE_COMPLETE)
    return 0;
  alpn = SocketTLS_get_alpn_selected (c->sock);
  if (alpn == NULL || strcmp (alpn, "h2") != 0)
    return -1;
  c->handshaking = 0;
  start_h2 (c);
  return 1;
}

static void
conn_close (Conn *c)
{
  SocketHTTP2_Conn_free (&c->h2); /* fires STREAM_RESET: frees the replies */
  Socket_free (&c->sock);
  Arena_dispose (&c->arena);
  free (c);
}

/* Process input and timeouts, then write; 0 ok, -1 drop the connection. */
static int
serve (Conn *c)
{
  int rc = SocketHTTP2_Conn_process (c->h2, 0);
  int fl = SocketHTTP2_Conn_flush (c->h2);
  /* Refill while the socket takes everything (a queue-blocked body gets
   * no other wake-up); stop when windows block or the socket is full. */
  while (fl == 0 && resume_pending (c) > 0)
    fl = SocketHTTP2_Conn_flush (c->h2);
  c->want_write = fl == 1;
  if (fl < 0)
    return -1;
  if (rc < 0)
    {
      shutdown (Socket_fd (c->sock), SHUT_WR); /* errors do not matter here */
      c->closing_until = Socket_get_monotonic_ms () + 5000; /* loaded peers */
      c->want_write = 0;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  static Conn *conns[MAX_CONNS];
  struct pollfd pfd[MAX_CONNS + 1];
  int nconns = 0, polled, ready, port = 8080, maxstreams = 0, opt;
  Socket_T listener;
  SocketTLSContext_T tls = NULL;

  while ((opt = getopt (argc, argv, "m:")) != -1)
    {
      if (opt != 'm')
        {
          fprintf (stderr, "usage: %s [-m MAX_STREAMS] [port [cert.pem key.pem]]\n", argv[0]);
          return 2;
        }
      maxstreams = atoi (optarg);
    }
  argc -= optind - 1;
  argv += optind - 1;
  if (argc > 1)
    port = atoi (argv[1]);
  signal (SIGPIPE, SIG_IGN);
  if (argc > 3)
    {
      static const char *alpn[] = { "h2" };
      tls = SocketTLSContext_new_server (argv[2], argv[3], NULL);
      SocketTLSContext_set_alpn_protos (tls, alpn, 1);
    }
  listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (listener);
  Socket_bind (listener, "127.0.0.1", port);
  Socket_listen (listener, 128);
  Socket_setnonblocking (listener);
  printf ("listening on 127.0.0.1:%d\n", Socket_getlocalport (listener));
  fflush (stdout);
  SocketHTTP2_config_defaults (&cfg, HTTP2_ROLE_SERVER);
  if (maxstreams > 0)
    cfg.max_concurrent_streams = (uint32_t)maxstreams;

  for (;;)
    {
      int i;
      pfd[0].fd = Socket_fd (listener);
      pfd[0].events = POLLIN;
      for (i = 0; i < nconns; i++)
        {
          pfd[i + 1].fd = Socket_fd (conns[i]->sock);
          pfd[i + 1].events = POLLIN | (conns[i]->want_write ? POLLOUT : 0);
        }
      polled = nconns;
      ready = poll (pfd, (nfds_t)nconns + 1, 1000);
      if (ready < 0)
        continue;
      if ((pfd[0].revents & POLLIN) && nconns < MAX_CONNS)
        {
          Socket_T s = Socket_accept (listener);
          Conn *c;
          if (s != NULL && (c = calloc (1, sizeof *c)) == NULL)
            Socket_free (&s);
          else if (s != NULL)
            {
              conns[nconns++] = c;
              Socket_setnonblocking (s);
              c->sock = s;
              c->arena = Arena_new ();
              c->pending.next = c->pending.prev = &c->pending;
              c->handshaking = tls != NULL;
              if (tls != NULL)
                SocketTLS_enable (s, tls);
              else
                start_h2 (c);
            }
        }
      /* Downwards over the polled ones: a connection closed at i is
       * replaced by the last one, which is not looked at this round. */
      for (i = polled - 1; i >= 0; i--)
        {
          Conn *c = conns[i];
          if (c->handshaking)
            {
              int st = tls_step (c);
              if (st < 0)
                {
                  conn_close (c);
                  conns[i] = conns[--nconns];
                  continue;
                }
              if (st == 0)
                continue;
            }
          if (c->closing_until > 0)
            {
              if (drain_done (c))
                {
                  conn_close (c);
                  conns[i] = conns[--nconns];
                }
              continue;
            }
          /* Ready connections, and all of them when the wait timed out
           * (Conn_process also runs the timeouts). */
          if (ready > 0 && pfd[i + 1].revents == 0)
            continue;
          if (serve (c) < 0)
            {
              conn_close (c);
              conns[i] = conns[--nconns];
            }
        }
    }
  return 0;
}
