/*
 * TLSTestNet.h - loopback plumbing for the TLS tests: a listener on
 * 127.0.0.1:0, connected TCP pairs, and a single-threaded handshake pump
 * that steps both ends of a pair (non-blocking) and records what each side
 * raised. Everything is bounded by a timeout.
 */
#ifndef TLS_TEST_NET_H
#define TLS_TEST_NET_H

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "SocketTestUtil.h"
#include "core/Except.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

/** Listening socket on 127.0.0.1, port chosen by the kernel. */
static inline Socket_T
tls_test_listen (int *port)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);

  Socket_setreuseaddr (l);
  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 64);
  *port = Socket_getlocalport (l);
  return l;
}

/** Connected pair through @p listener (both blocking, 5 s I/O timeout). */
static inline void
tls_test_pair (Socket_T listener, int port, Socket_T *client,
               Socket_T *server)
{
  *client = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (*client, "127.0.0.1", port);
  *server = Socket_accept (listener);
  Socket_settimeout (*client, 5);
  Socket_settimeout (*server, 5);
}

/** What one side of a pumped handshake did. */
typedef struct TLSSide
{
  int done;                /* handshake complete */
  const Except_T *exc;     /* public exception raised, or NULL */
  char msg[512];           /* its reason */
} TLSSide;

/* One step of one side; records a raise. 1 if the side is finished. */
static inline int
tls_test_step_ (Socket_T s, TLSSide *side, short *events)
{
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;

  if (side->done || side->exc != NULL)
    return 1;
  TRY st = SocketTLS_handshake (s);
  ELSE
  {
    side->exc = Except_frame.exception->type;
    snprintf (side->msg, sizeof side->msg, "%s",
              Except_frame.exception->reason ? Except_frame.exception->reason
                                             : "");
    /* Like an application closing: lets the peer see alert + EOF. */
    shutdown (Socket_fd (s), SHUT_WR);
  }
  END_TRY;
  if (side->exc != NULL)
    return 1;
  side->done = st == TLS_HANDSHAKE_COMPLETE;
  *events = st == TLS_HANDSHAKE_WANT_WRITE ? POLLOUT : POLLIN;
  return side->done;
}

/**
 * Drive both handshakes (sockets made non-blocking) until both finished
 * (completed or raised) or @p timeout_ms passed. Exceptions are recorded
 * in @p c / @p s, never propagated.
 * @return 1 if both completed.
 */
static inline int
tls_test_pump (Socket_T client, Socket_T server, TLSSide *c, TLSSide *s,
               int timeout_ms)
{
  int64_t end = test_now_ms () + timeout_ms;

  memset (c, 0, sizeof *c);
  memset (s, 0, sizeof *s);
  Socket_setnonblocking (client);
  Socket_setnonblocking (server);
  while (test_now_ms () < end)
    {
      struct pollfd p[2] = { { Socket_fd (client), POLLIN, 0 },
                             { Socket_fd (server), POLLIN, 0 } };
      int cf = tls_test_step_ (client, c, &p[0].events);
      int sf = tls_test_step_ (server, s, &p[1].events);

      if (cf && sf)
        break;
      if (cf)
        p[0].fd = -1;
      if (sf)
        p[1].fd = -1;
      (void)poll (p, 2, 50);
    }
  return c->done && s->done;
}

/** Handshake must succeed on both sides (prints what failed). */
static inline int
tls_test_connect (Socket_T client, Socket_T server)
{
  TLSSide c, s;

  if (tls_test_pump (client, server, &c, &s, 30000))
    return 1;
  fprintf (stderr, "  handshake failed: client %s%s, server %s%s\n",
           c.done ? "ok" : "", c.msg, s.done ? "ok" : "", s.msg);
  return 0;
}

#endif /* TLS_TEST_NET_H */
