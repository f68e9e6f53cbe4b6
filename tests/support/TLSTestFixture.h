/*
 * TLSTestFixture.h - shared fixture of test_tls.c and test_tls_features.c:
 * a loopback listener, the standard client/server contexts (test PKI),
 * TLS-enabled TCP pairs, a bounded two-way transfer and a full
 * connection round trip. Functions are static inline so each test file
 * uses what it needs.
 */
#ifndef TLS_TEST_FIXTURE_H
#define TLS_TEST_FIXTURE_H

#include <string.h>

#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "Test.h"

static Socket_T listener_;
static int port_;

#define SETUP()                                                               \
  do                                                                          \
    {                                                                         \
      if (tls_test_certs_init () != 0)                                        \
        TEST_FAIL_ ("cannot generate test certificates");                     \
      if (listener_ == NULL)                                                  \
        listener_ = tls_test_listen (&port_);                                 \
    }                                                                         \
  while (0)

static inline SocketTLSContext_T
server_ctx (void)
{
  return SocketTLSContext_new_server (tls_cert ("server-chain.pem"),
                                      tls_cert ("server.key"), NULL);
}

static inline SocketTLSContext_T
client_ctx (void)
{
  return SocketTLSContext_new_client (tls_cert ("ca.crt"));
}

typedef struct Pair
{
  Socket_T c, s;
} Pair;

/* TCP pair with TLS enabled on both ends; @p host may be NULL. */
static inline void
pair_open (Pair *p, SocketTLSContext_T cctx, SocketTLSContext_T sctx,
           const char *host)
{
  tls_test_pair (listener_, port_, &p->c, &p->s);
  SocketTLS_enable (p->c, cctx);
  SocketTLS_enable (p->s, sctx);
  if (host != NULL)
    SocketTLS_set_hostname (p->c, host);
}

static inline void
pair_close (Pair *p)
{
  Socket_free (&p->c);
  Socket_free (&p->s);
}

/* Send @p n pattern bytes from @p a to @p b (non-blocking, interleaved).
 * 1 if all arrived intact within 20 s. */
static inline int
transfer (Socket_T a, Socket_T b, size_t n, unsigned seed)
{
  static __thread unsigned char out[65536], in[65536]; /* per worker */
  size_t sent = 0, got = 0;
  int64_t end = test_now_ms () + 20000;

  test_fill (out, n, 0, seed);
  while (got < n && test_now_ms () < end)
    {
      if (sent < n)
        sent += (size_t)SocketTLS_send (a, out + sent, n - sent);
      ssize_t r = SocketTLS_recv (b, in + got, n - got);
      got += (size_t)r;
      if (r == 0)
        test_sleep_ms (1);
    }
  return got == n && memcmp (in, out, n) == 0;
}

/* Full connection: handshake, one transfer each way (the client reads,
 * so TLS 1.3 tickets are processed), close_notify from the server. */
static inline int
roundtrip (SocketTLSContext_T cctx, SocketTLSContext_T sctx, const char *host,
           int *reused)
{
  Pair p;
  int ok;

  pair_open (&p, cctx, sctx, host);
  ok = tls_test_connect (p.c, p.s) && transfer (p.c, p.s, 1000, 1)
       && transfer (p.s, p.c, 1000, 2);
  if (reused != NULL)
    *reused = ok ? SocketTLS_is_session_reused (p.c) : -1;
  if (ok && SocketTLS_is_session_reused (p.c) != SocketTLS_is_session_reused (p.s))
    ok = 0;
  pair_close (&p);
  return ok;
}


/* A deterministic session ticket key. */
static inline void
ticket_key (unsigned char key[SOCKET_TLS_TICKET_KEY_LEN], unsigned char seed)
{
  for (int i = 0; i < SOCKET_TLS_TICKET_KEY_LEN; i++)
    key[i] = (unsigned char)(seed * 31 + i);
}

#endif /* TLS_TEST_FIXTURE_H */
