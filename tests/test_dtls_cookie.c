/*
 * test_dtls_cookie.c - the stateless cookie exchange (HelloVerifyRequest
 * only, nothing allocated per unproven client, cookies bound to the source
 * address), secret rotation with its grace period, MTU limits on the wire,
 * and the retransmission timer (lost flights, backoff, give-up).
 */
#include <errno.h>
#include <string.h>

#include "Test.h"
#include "socket/Socket-private.h"
#include "test_dtls_util.h"
#include "tls/SocketDTLS-private.h"

#define STAT(name) atomic_load (&SocketDTLS__stats.name)

static SSL *
ssl_of (SocketDgram_T s)
{
  return ((struct SocketDTLS_Conn *)s->dtls)->ssl;
}

/* A real first ClientHello of our client (no cookie). */
static size_t
capture_client_hello (unsigned char *buf, size_t cap)
{
  int port, sink = dtls_raw_udp (&port);
  SocketDTLSContext_T ctx = dtls_client_ctx ();
  SocketDgram_T c = dtls_client_socket (ctx, port, "localhost");
  ssize_t n;

  (void)SocketDTLS_handshake (c);
  n = dtls_raw_recv (sink, buf, cap, 20000);
  SocketDgram_free (&c);
  SocketDTLSContext_free (&ctx);
  close (sink);
  return n > 0 ? (size_t)n : 0;
}

/* Copy ClientHello @p ch with @p cookie inserted (RFC 6347 4.2.1: second
 * ClientHello, message_seq 1). @return new length. */
static size_t
with_cookie (const unsigned char *ch, size_t len, const unsigned char *cookie,
             size_t clen, unsigned char *out)
{
  size_t sid_at = 13 + 12 + 2 + 32, cookie_at = sid_at + 1 + ch[sid_at];
  size_t old = ch[cookie_at], n = 0;

  memcpy (out, ch, cookie_at);
  n = cookie_at;
  out[n++] = (unsigned char)clen;
  memcpy (out + n, cookie, clen);
  n += clen;
  memcpy (out + n, ch + cookie_at + 1 + old, len - cookie_at - 1 - old);
  n += len - cookie_at - 1 - old;
  size_t body = n - 25, rec = n - 13;
  out[10] = 1;                                     /* record sequence */
  out[11] = (unsigned char)(rec >> 8), out[12] = (unsigned char)rec;
  for (int i = 0; i < 3; i++)                      /* length, frag length */
    out[14 + i] = out[22 + i] = (unsigned char)(body >> (16 - 8 * i));
  out[17] = 0, out[18] = 1;                        /* message_seq */
  return n;
}

/* Wait until @p s is readable, then run one listen step. */
static DTLSHandshakeState
listen_when_readable (SocketDgram_T s)
{
  struct pollfd p = { SocketDgram_fd (s), POLLIN, 0 };
  (void)poll (&p, 1, 20000);
  return SocketDTLS_listen (s);
}

/* 1 if @p d is a HelloVerifyRequest; its cookie goes to @p cookie. */
static int
is_hvr (const unsigned char *d, ssize_t n, unsigned char *cookie,
        size_t *clen)
{
  if (n < 28 || d[0] != 22 || d[13] != 3 || 28 + (size_t)d[27] > (size_t)n)
    return 0;
  *clen = d[27];
  memcpy (cookie, d + 28, *clen);
  return 1;
}

TEST (spoofed_client_hello_gets_only_hello_verify_request)
{
  unsigned char ch[2048], ch2[2100], reply[2048], cookie[255], c2[255];
  size_t chlen = capture_client_hello (ch, sizeof ch), clen = 0, c2len = 0;
  SocketDTLSContext_T sctx = dtls_server_ctx (1);
  SocketDgram_T s = dtls_bound_socket (0);
  int sport, aport, bport, a, b;
  size_t conns, peers, hvr, bad;

  ASSERT (chlen > 60);
  SocketDTLS_enable (s, sctx);
  sport = SocketDgram_getlocalport (s);
  a = dtls_raw_udp (&aport);
  b = dtls_raw_udp (&bport);
  conns = STAT (conns_allocated), peers = STAT (peers_accepted);
  hvr = STAT (hvr_sent), bad = STAT (cookies_bad);

  /* A ClientHello from a new source: one HelloVerifyRequest, no state. */
  ASSERT (dtls_raw_send (a, sport, ch, chlen) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_COOKIE_EXCHANGE);
  ASSERT (is_hvr (reply, dtls_raw_recv (a, reply, sizeof reply, 20000), cookie,
                  &clen));
  ASSERT_EQ (clen, SOCKET_DTLS_COOKIE_LEN);
  ASSERT_EQ (dtls_raw_recv (a, reply, sizeof reply, 100), -1); /* only one */
  ASSERT_UEQ (STAT (hvr_sent), hvr + 1);
  ASSERT_UEQ (STAT (conns_allocated), conns);
  ASSERT_UEQ (STAT (peers_accepted), peers);
  ASSERT_EQ (SocketDgram_isconnected (s), 0);
  ASSERT_EQ (SSL_get_state (ssl_of (s)), TLS_ST_BEFORE);
  ASSERT_EQ (SocketDTLS_get_last_state (s), DTLS_HANDSHAKE_COOKIE_EXCHANGE);

  /* A's cookie replayed from B: rejected, B only gets its own HVR. */
  size_t n2 = with_cookie (ch, chlen, cookie, clen, ch2);
  ASSERT (dtls_raw_send (b, sport, ch2, n2) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_COOKIE_EXCHANGE);
  ASSERT (is_hvr (reply, dtls_raw_recv (b, reply, sizeof reply, 20000), c2,
                  &c2len));
  ASSERT (memcmp (c2, cookie, clen) != 0);
  ASSERT_UEQ (STAT (cookies_bad), bad + 1);
  ASSERT_UEQ (STAT (peers_accepted), peers);
  ASSERT_EQ (SocketDgram_isconnected (s), 0);

  /* The same bytes from A itself are accepted: the socket joins A. */
  ASSERT (dtls_raw_send (a, sport, ch2, n2) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_IN_PROGRESS);
  ASSERT_UEQ (STAT (peers_accepted), peers + 1);
  ASSERT_UEQ (STAT (conns_allocated), conns);
  ASSERT_EQ (SocketDgram_isconnected (s), 1);
  ASSERT_EQ (((struct SocketDgram_T *)s)->base->remoteport, aport);
  close (a);
  close (b);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&sctx);
}

TEST (listener_ignores_junk)
{
  unsigned char ch[2048], reply[64];
  size_t chlen = capture_client_hello (ch, sizeof ch);
  SocketDTLSContext_T sctx = dtls_server_ctx (1);
  SocketDgram_T s = dtls_bound_socket (0);
  int port, a = dtls_raw_udp (&port);
  size_t hvr;

  SocketDTLS_enable (s, sctx);
  hvr = STAT (hvr_sent);
  ASSERT_EQ (SocketDTLS_listen (s), DTLS_HANDSHAKE_WANT_READ); /* empty */
  ASSERT (dtls_raw_send (a, SocketDgram_getlocalport (s), "hello", 5) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_WANT_READ);
  ASSERT (chlen > 40); /* a truncated ClientHello */
  ASSERT (dtls_raw_send (a, SocketDgram_getlocalport (s), ch, 40) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_WANT_READ);
  ASSERT_UEQ (STAT (hvr_sent), hvr);
  ASSERT_EQ (dtls_raw_recv (a, reply, sizeof reply, 100), -1);
  ASSERT_EQ (SocketDgram_isconnected (s), 0);
  close (a);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&sctx);
}

TEST (without_cookies_first_client_hello_is_accepted)
{
  unsigned char ch[2048];
  size_t chlen = capture_client_hello (ch, sizeof ch);
  SocketDTLSContext_T sctx = dtls_server_ctx (0);
  SocketDgram_T s = dtls_bound_socket (0);
  int port, a = dtls_raw_udp (&port);
  size_t peers = STAT (peers_accepted);

  SocketDTLS_enable (s, sctx);
  ASSERT (dtls_raw_send (a, SocketDgram_getlocalport (s), ch, chlen) > 0);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_IN_PROGRESS);
  ASSERT_UEQ (STAT (peers_accepted), peers + 1);
  ASSERT_EQ (SocketDgram_isconnected (s), 1);
  close (a);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* Cookie secrets                                                     */
/* ------------------------------------------------------------------ */

static time_t fake_now;

static time_t
fake_clock (void)
{
  return fake_now;
}

TEST (cookie_binding_period_and_rotation_grace)
{
  const time_t T = 60 * 100000 + 30; /* middle of a period */
  SocketDTLSContext_T ctx = dtls_server_ctx (0), farm = dtls_server_ctx (0);
  unsigned char secret[SOCKET_DTLS_COOKIE_SECRET_LEN], c[32], bad[32];
  struct sockaddr_in p = { .sin_family = AF_INET }, q;
  const struct sockaddr *P = (struct sockaddr *)&p, *Q = (struct sockaddr *)&q;

  memset (secret, 7, sizeof secret);
  p.sin_addr.s_addr = htonl (0x7f000001);
  p.sin_port = htons (5684);
  q = p;
  q.sin_port = htons (5685);
  time_t (*saved_clock) (void) = SocketDTLS__clock;
  SocketDTLS__clock = fake_clock;
  fake_now = T;
  SocketDTLSContext_set_cookie_secret (ctx, secret, sizeof secret);
  ASSERT_EQ (SocketDTLS__cookie_compute (ctx, P, sizeof p, c), 0);
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 1);
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, Q, sizeof q, c, 32), 0);
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 31), 0);
  memcpy (bad, c, 32);
  bad[31] ^= 1;
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, bad, 32), 0);
  /* Valid for its period and the next, not after. */
  fake_now = T + SOCKET_DTLS_COOKIE_LIFETIME_SEC;
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 1);
  fake_now = T + 2 * SOCKET_DTLS_COOKIE_LIFETIME_SEC;
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 0);
  /* A farm sharing the secret accepts it. */
  fake_now = T;
  SocketDTLSContext_set_cookie_secret (farm, secret, sizeof secret);
  ASSERT_EQ (SocketDTLS__cookie_verify (farm, P, sizeof p, c, 32), 1);
  /* Rotation: the old secret stays good for the grace period only. */
  SocketDTLSContext_rotate_cookie_secret (ctx);
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 1);
  fake_now = T + SOCKET_DTLS_COOKIE_LIFETIME_SEC - 1;
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 1);
  fake_now = T + SOCKET_DTLS_COOKIE_LIFETIME_SEC;
  ASSERT_EQ (SocketDTLS__cookie_verify (ctx, P, sizeof p, c, 32), 0);
  /* Two rotations forget it at once. */
  fake_now = T;
  SocketDTLSContext_rotate_cookie_secret (farm);
  SocketDTLSContext_rotate_cookie_secret (farm);
  ASSERT_EQ (SocketDTLS__cookie_verify (farm, P, sizeof p, c, 32), 0);
  SocketDTLS__clock = saved_clock;
  SocketDTLSContext_free (&farm);
  SocketDTLSContext_free (&ctx);
}

/* Client sends ClientHello, server answers HVR, client sends ClientHello 2
 * (left queued at the server). */
static void
run_to_second_client_hello (SocketDgram_T c, SocketDgram_T s)
{
  struct pollfd p = { SocketDgram_fd (c), POLLIN, 0 };

  (void)SocketDTLS_handshake (c);
  (void)listen_when_readable (s);
  (void)poll (&p, 1, 20000);
  (void)SocketDTLS_handshake (c); /* reads HVR, sends ClientHello 2 */
}

TEST (rotation_during_an_exchange)
{
  SocketDTLSContext_T sctx = dtls_server_ctx (1), cctx = dtls_client_ctx ();
  SocketDgram_T s = dtls_bound_socket (0), c;
  size_t ok, bad;

  SocketDTLS_enable (s, sctx);
  c = dtls_client_socket (cctx, SocketDgram_getlocalport (s), "localhost");
  run_to_second_client_hello (c, s);
  /* One rotation in between: the old cookie is still accepted. */
  SocketDTLSContext_rotate_cookie_secret (sctx);
  ok = STAT (cookies_ok);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_IN_PROGRESS);
  ASSERT_UEQ (STAT (cookies_ok), ok + 1);
  ASSERT (dtls_pump (c, s, 20000));
  SocketDgram_free (&c);
  SocketDgram_free (&s);

  /* Two rotations: the cookie is refused with a new HelloVerifyRequest
   * and the client is not accepted. (OpenSSL clients ignore a second
   * HelloVerifyRequest, so such a client has to start over: rotate less
   * often than once per grace period.) */
  s = dtls_bound_socket (0);
  SocketDTLS_enable (s, sctx);
  c = dtls_client_socket (cctx, SocketDgram_getlocalport (s), "localhost");
  run_to_second_client_hello (c, s);
  SocketDTLSContext_rotate_cookie_secret (sctx);
  SocketDTLSContext_rotate_cookie_secret (sctx);
  bad = STAT (cookies_bad);
  ASSERT_EQ (listen_when_readable (s), DTLS_HANDSHAKE_COOKIE_EXCHANGE);
  ASSERT_UEQ (STAT (cookies_bad), bad + 1);
  ASSERT_EQ (SocketDgram_isconnected (s), 0);
  SocketDgram_free (&c);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* MTU                                                                */
/* ------------------------------------------------------------------ */

/* Handshake through a relay with path MTU @p mtu on both sides (0 keeps
 * the default); leaves the pair open for data. */
static int
relay_handshake (size_t mtu, struct dtls_relay *r, SocketDTLSContext_T *ctxs,
                 SocketDgram_T *socks)
{
  ctxs[0] = dtls_server_ctx (1);
  ctxs[1] = dtls_client_ctx ();
  if (mtu)
    SocketDTLSContext_set_mtu (ctxs[0], mtu);
  socks[0] = dtls_bound_socket (0);
  SocketDTLS_enable (socks[0], ctxs[0]);
  dtls_relay_start (r, SocketDgram_getlocalport (socks[0]), 0, 0);
  socks[1] = dtls_client_socket (ctxs[1], r->port, "localhost");
  if (mtu)
    SocketDTLS_set_mtu (socks[1], mtu);
  return dtls_pump (socks[1], socks[0], 20000);
}

static void
relay_close (struct dtls_relay *r, SocketDTLSContext_T *ctxs,
             SocketDgram_T *socks)
{
  dtls_relay_stop (r);
  SocketDgram_free (&socks[1]);
  SocketDgram_free (&socks[0]);
  SocketDTLSContext_free (&ctxs[1]);
  SocketDTLSContext_free (&ctxs[0]);
}

TEST (mtu_bounds_every_datagram)
{
  struct dtls_relay r;
  SocketDTLSContext_T ctxs[2];
  SocketDgram_T socks[2];
  const size_t limit = SOCKET_DTLS_MIN_MTU - 28; /* IPv4 + UDP headers */
  char big[2000], buf[2000];
  size_t max;

  /* Default MTU: the server's flight does not fit the small limit... */
  ASSERT (relay_handshake (0, &r, ctxs, socks));
  ASSERT (atomic_load (&r.max_s2c) > limit);
  relay_close (&r, ctxs, socks);

  /* ...with MTU 576 on both sides every datagram does. */
  ASSERT (relay_handshake (SOCKET_DTLS_MIN_MTU, &r, ctxs, socks));
  ASSERT_EQ (SocketDTLS_get_mtu (socks[1]), SOCKET_DTLS_MIN_MTU);
  ASSERT (atomic_load (&r.max_s2c) <= limit);
  ASSERT (atomic_load (&r.max_c2s) <= limit);
  ASSERT (atomic_load (&r.s2c) >= 3); /* the flight was split */

  /* Records: the largest payload fits, one byte more is refused. */
  max = DTLS_get_data_mtu (ssl_of (socks[1]));
  ASSERT (max > 400 && max < limit);
  memset (big, 'm', sizeof big);
  ASSERT_EQ (SocketDTLS_send (socks[1], big, max), (ssize_t)max);
  ASSERT_EQ (dtls_recv_wait (socks[0], buf, sizeof buf, 20000), (ssize_t)max);
  ASSERT (atomic_load (&r.max_c2s) <= limit);
  ASSERT_EQ (RAISES (SocketDTLS_Failed,
                     SocketDTLS_send (socks[1], big, max + 1)),
             1);
  ASSERT (strstr (dtls_error_buf, "do not fit") != NULL);
  relay_close (&r, ctxs, socks);
}

/* ------------------------------------------------------------------ */
/* Retransmission                                                     */
/* ------------------------------------------------------------------ */

TEST (lost_flights_are_retransmitted)
{
  /* Drop the first ClientHello and the first datagram of the server's
   * certificate flight; both timers must recover. */
  SocketDTLSContext_T sctx = dtls_server_ctx (1), cctx = dtls_client_ctx ();
  struct loop_server srv = { 0 };
  struct dtls_relay r;
  SocketDgram_T c;
  pthread_t th;
  int64_t t0;

  SocketDTLSContext_set_timeout (cctx, 100, 400);
  SocketDTLSContext_set_timeout (sctx, 100, 400);
  srv.s = SocketDgram_new (AF_INET, 0);
  SocketDgram_bind (srv.s, "127.0.0.1", 0);
  SocketDTLS_enable (srv.s, sctx);
  dtls_relay_start (&r, SocketDgram_getlocalport (srv.s), 1u << 0, 1u << 1);
  ASSERT_EQ (pthread_create (&th, NULL, loop_server_main, &srv), 0);
  c = SocketDgram_new (AF_INET, 0);
  SocketDgram_connect (c, "127.0.0.1", r.port);
  SocketDTLS_enable (c, cctx);
  t0 = test_now_ms ();
  ASSERT_EQ (SocketDTLS_handshake_loop (c, 30000), DTLS_HANDSHAKE_COMPLETE);
  ASSERT (test_now_ms () - t0 >= 90); /* waited for at least one timer */
  pthread_join (th, NULL);
  ASSERT_STREQ (srv.err, "");
  ASSERT_EQ (srv.state, DTLS_HANDSHAKE_COMPLETE);
  ASSERT_EQ (atomic_load (&r.dropped), 2);
  dtls_relay_stop (&r);
  SocketDgram_free (&c);
  SocketDgram_free (&srv.s);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

/* Count ClientHellos a silent peer receives within the loop's deadline.
 * *st = the state returned, or DTLS_HANDSHAKE_ERROR when the deadline
 * raised SocketDTLS_TimeoutExpired (as the original does); the association
 * stays resumable then (*resumable). */
static int
count_retransmissions (int initial, int max, int deadline_ms,
                       DTLSHandshakeState *st, int *resumable)
{
  int port, sink = dtls_raw_udp (&port), n = 0;
  SocketDTLSContext_T cctx = dtls_client_ctx ();
  SocketDgram_T c;
  unsigned char d[2048];
  ssize_t len;
  volatile DTLSHandshakeState r = DTLS_HANDSHAKE_ERROR;

  SocketDTLSContext_set_timeout (cctx, initial, max);
  c = dtls_client_socket (cctx, port, "localhost");
  TRY r = SocketDTLS_handshake_loop (c, deadline_ms);
  EXCEPT (SocketDTLS_TimeoutExpired)
  r = strcmp (dtls_error_buf, "DTLS handshake timeout") == 0
          ? DTLS_HANDSHAKE_ERROR
          : DTLS_HANDSHAKE_NOT_STARTED;
  END_TRY;
  *st = r;
  *resumable = SocketDTLS_get_last_state (c) != DTLS_HANDSHAKE_ERROR;
  while ((len = dtls_raw_recv (sink, d, sizeof d, 0)) > 0)
    n += len > 25 && d[0] == 22 && d[13] == 1; /* ClientHello */
  SocketDgram_free (&c);
  SocketDTLSContext_free (&cctx);
  close (sink);
  return n;
}

TEST (retransmission_backoff_follows_set_timeout)
{
  DTLSHandshakeState st;
  int resumable = 0;
  /* 50 ms doubling to 200: sends at 0, 50, 150, 350, 550, 750, 950. */
  int n = count_retransmissions (50, 200, 1000, &st, &resumable);

  /* deadline: SocketDTLS_TimeoutExpired "DTLS handshake timeout" */
  ASSERT_EQ (st, DTLS_HANDSHAKE_ERROR);
  ASSERT_EQ (resumable, 1);
  ASSERT (n >= 5 && n <= 8);
  /* The default 1 s timer sends at most twice in the same time. */
  n = count_retransmissions (SOCKET_DTLS_INITIAL_TIMEOUT_MS,
                             SOCKET_DTLS_MAX_TIMEOUT_MS, 1000, &st,
                             &resumable);
  ASSERT (n >= 1 && n <= 2);
  /* timeout 0: one step, no waiting. */
  n = count_retransmissions (50, 200, 0, &st, &resumable);
  ASSERT_EQ (st, DTLS_HANDSHAKE_WANT_READ);
  ASSERT_EQ (n, 1);
}

TEST (silent_peer_exhausts_retransmissions)
{
  int port, sink = dtls_raw_udp (&port), n = 0;
  SocketDTLSContext_T cctx = dtls_client_ctx ();
  SocketDgram_T c;
  unsigned char d[2048];
  int64_t t0 = test_now_ms ();

  SocketDTLSContext_set_timeout (cctx, 5, 10);
  c = dtls_client_socket (cctx, port, "localhost");
  ASSERT_EQ (RAISES (SocketDTLS_TimeoutExpired,
                     SocketDTLS_handshake_loop (c, -1)),
             1);
  ASSERT (strstr (dtls_error_buf, "no answer") != NULL);
  ASSERT (test_now_ms () - t0 < 30000); /* gave up, no hang */
  ASSERT_EQ (SocketDTLS_get_last_state (c), DTLS_HANDSHAKE_ERROR);
  while (dtls_raw_recv (sink, d, sizeof d, 0) > 0)
    n++;
  ASSERT_EQ (n, 1 + SOCKET_DTLS_MAX_RETRANSMITS);
  SocketDgram_free (&c);
  SocketDTLSContext_free (&cctx);
  close (sink);
}

/* As the original, SocketDTLS_handshake itself services the retransmission
 * timer: a caller polling on its own retransmits, and when the limit is
 * hit the call returns DTLS_HANDSHAKE_ERROR without raising. */
TEST (handshake_services_timer_and_returns_error)
{
  int port, sink = dtls_raw_udp (&port), n = 0;
  SocketDTLSContext_T cctx = dtls_client_ctx ();
  SocketDgram_T c;
  unsigned char d[2048];
  DTLSHandshakeState st = DTLS_HANDSHAKE_WANT_READ;
  int64_t t0 = test_now_ms ();

  SocketDTLSContext_set_timeout (cctx, 5, 10);
  c = dtls_client_socket (cctx, port, "localhost");
  while (st == DTLS_HANDSHAKE_WANT_READ && test_now_ms () - t0 < 30000)
    {
      errno = 0;
      st = SocketDTLS_handshake (c);
      if (st == DTLS_HANDSHAKE_WANT_READ)
        ASSERT_EQ (errno, EAGAIN);
      struct pollfd pfd = { SocketDgram_fd (c), POLLIN, 0 };
      (void)poll (&pfd, 1, 5);
    }
  ASSERT_EQ (st, DTLS_HANDSHAKE_ERROR);
  ASSERT_EQ (SocketDTLS_get_last_state (c), DTLS_HANDSHAKE_ERROR);
  ASSERT (strstr (dtls_error_buf, "DTLS timeout handling failed") != NULL);
  while (dtls_raw_recv (sink, d, sizeof d, 0) > 0)
    n++;
  ASSERT_EQ (n, 1 + SOCKET_DTLS_MAX_RETRANSMITS);
  ASSERT_EQ (RAISES (SocketDTLS_HandshakeFailed, SocketDTLS_handshake (c)), 1);
  SocketDgram_free (&c);
  SocketDTLSContext_free (&cctx);
  close (sink);
}

TEST_MAIN ()
