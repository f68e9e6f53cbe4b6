/*
 * h2_server.c - a minimal HTTP/2 (h2c, prior knowledge) server on the
 * public SocketHTTP2 API, for h2spec and h2load. It does no protocol
 * checking of its own: every request that completes gets "200" with a
 * small body; everything else is the library's job.
 *
 * Usage: h2_server [port [cert.pem key.pem]]
 * Listens on 127.0.0.1 (default port 8080, 0 = any; prints the port):
 * h2c with prior knowledge, or with a certificate and key h2 over TLS
 * (ALPN "h2" required). One poll(2) loop, non-blocking sockets.
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

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTP2.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

#define MAX_CONNS 256

typedef struct
{
  Socket_T sock;
  Arena_T arena;
  SocketHTTP2_Conn_T h2;
  int want_write;
  int64_t closing_until; /* > 0: GOAWAY sent, draining input until then */
  int handshaking;       /* TLS handshake not finished (h2 is NULL) */
} Conn;

static SocketHTTP2_Config cfg;

static const char body[] = "hello from libsocket h2\n";

/* Send what is left of the body; the stream's userdata holds the
 * remaining byte count + 1 (0 = no response started). */
static void
send_body (SocketHTTP2_Stream_T s)
{
  uintptr_t left = (uintptr_t)SocketHTTP2_Stream_get_userdata (s);
  size_t off;
  ssize_t n;

  if (left <= 1)
    return;
  off = sizeof body - 1 - (left - 1);
  n = SocketHTTP2_Stream_send_data (s, body + off, left - 1, 1);
  if (n > 0 && (size_t)n < left - 1)
    SocketHTTP2_Stream_set_userdata (s, (void *)(left - (size_t)n));
  else if (n > 0)
    SocketHTTP2_Stream_set_userdata (s, (void *)(uintptr_t)1);
}

/* Answer once the peer finished its side of the stream; resume the body
 * when the flow-control window opens. */
static void
on_stream (SocketHTTP2_Conn_T c, SocketHTTP2_Stream_T s, int event, void *ud)
{
  SocketHPACK_Header h[2] = { { ":status", 7, "200", 3, 0 }, { "content-type", 12, "text/plain", 10, 0 } };
  unsigned char sink[16384];
  size_t n;
  int end = 0;

  (void)c;
  (void)ud;
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      SocketHTTP2_Stream_recv_headers (s, NULL, 0, &n, &end);
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      while (SocketHTTP2_Stream_recv_data (s, sink, sizeof sink, &end) > 0)
        ;
      break;
    case HTTP2_EVENT_TRAILERS_RECEIVED:
      end = 1;
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      send_body (s);
      return;
    default:
      return;
    }
  if (end && SocketHTTP2_Stream_get_userdata (s) == NULL && SocketHTTP2_Stream_send_headers (s, h, 2, 0) == 0)
    {
      SocketHTTP2_Stream_set_userdata (s, (void *)(uintptr_t)sizeof body); /* (sizeof - 1) + 1 */
      send_body (s);
    }
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
  SocketHTTP2_Conn_set_stream_callback (c->h2, on_stream, NULL);
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
  SocketHTTP2_Conn_free (&c->h2);
  Socket_free (&c->sock);
  Arena_dispose (&c->arena);
}

int
main (int argc, char **argv)
{
  static Conn conns[MAX_CONNS];
  struct pollfd pfd[MAX_CONNS + 1];
  int nconns = 0, ready, port = argc > 1 ? atoi (argv[1]) : 8080;
  Socket_T listener;
  SocketTLSContext_T tls = NULL;

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

  for (;;)
    {
      int i;
      pfd[0].fd = Socket_fd (listener);
      pfd[0].events = POLLIN;
      for (i = 0; i < nconns; i++)
        {
          pfd[i + 1].fd = Socket_fd (conns[i].sock);
          pfd[i + 1].events = POLLIN | (conns[i].want_write ? POLLOUT : 0);
        }
      ready = poll (pfd, (nfds_t)nconns + 1, 1000);
      if (ready < 0)
        continue;
      if ((pfd[0].revents & POLLIN) && nconns < MAX_CONNS)
        {
          Socket_T s = Socket_accept (listener);
          if (s != NULL)
            {
              Conn *c = &conns[nconns++];
              Socket_setnonblocking (s);
              c->sock = s;
              c->arena = Arena_new ();
              c->h2 = NULL;
              c->want_write = 0;
              c->closing_until = 0;
              c->handshaking = tls != NULL;
              if (tls != NULL)
                SocketTLS_enable (s, tls);
              else
                start_h2 (c);
            }
        }
      for (i = nconns - 1; i >= 0; i--)
        {
          Conn *c = &conns[i];
          int rc = 0, fl;
          if (pfd[i + 1].fd != Socket_fd (c->sock))
            continue; /* accepted this round */
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
          rc = SocketHTTP2_Conn_process (c->h2, 0);
          fl = SocketHTTP2_Conn_flush (c->h2);
          c->want_write = fl == 1;
          if (fl < 0)
            {
              conn_close (c);
              conns[i] = conns[--nconns];
            }
          else if (rc < 0)
            {
              shutdown (Socket_fd (c->sock), SHUT_WR); /* errors do not matter here */
              c->closing_until = Socket_get_monotonic_ms () + 1000;
              c->want_write = 0;
            }
        }
    }
  return 0;
}
