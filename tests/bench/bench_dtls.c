/*
 * bench_dtls.c - DTLS 1.2 handshake latency over loopback: full handshakes
 * with and without the cookie exchange, and resumed handshakes (session
 * cache). Client and server run in one thread on non-blocking sockets, so a
 * sample is the wall time of one complete handshake, both sides' CPU
 * included. Prints median, p99 and the rate per variant.
 *
 * Usage: bench_dtls [iterations]   (default 300)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "test_dtls_util.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One handshake between fresh sockets; the server binds @p port.
 * @return seconds, or exits on failure. */
static double
one_handshake (SocketDTLSContext_T sctx, SocketDTLSContext_T cctx, int port,
               int expect_reused)
{
  SocketDgram_T s = dtls_bound_socket (port), c;
  double t0, dt;

  SocketDTLS_enable (s, sctx);
  t0 = bench_now ();
  c = dtls_client_socket (cctx, port, "localhost");
  if (!dtls_pump (c, s, 5000)
      || SocketDTLS_is_session_reused (c) != expect_reused)
    {
      fprintf (stderr, "handshake failed or resumption mismatch (reused %d, expected %d)\n", SocketDTLS_is_session_reused (c), expect_reused);
      exit (1);
    }
  dt = bench_now () - t0;
  SocketDgram_free (&c);
  SocketDgram_free (&s);
  return dt;
}

/* @p resume: 0 full handshakes, 1 resumed by ticket, 2 resumed from the
 * server's session ID cache (tickets off). */
static void
run (const char *name, int cookies, int resume, int iters)
{
  SocketDTLSContext_T sctx = dtls_server_ctx (cookies);
  SocketDTLSContext_T cctx = dtls_client_ctx ();
  double *t = malloc (sizeof *t * (size_t)iters), sum = 0;
  int port, fd = dtls_raw_udp (&port);

  close (fd); /* a free port, reused by every server socket */
  if (t == NULL)
    exit (1);
  if (resume)
    {
      SocketDTLSContext_enable_session_cache (sctx, 0, 0);
      SocketDTLSContext_enable_session_cache (cctx, 0, 0);
      if (resume == 2)
        SSL_CTX_set_options (SocketDTLSContext_get_ssl_ctx (sctx),
                             SSL_OP_NO_TICKET);
      (void)one_handshake (sctx, cctx, port, 0); /* prime the cache */
    }
  for (int i = 0; i < iters; i++)
    {
      t[i] = one_handshake (sctx, cctx, port, resume != 0);
      sum += t[i];
    }
  qsort (t, (size_t)iters, sizeof *t, cmp_double);
  printf ("%-28s median %7.1f us  p99 %7.1f us  %7.0f handshakes/s\n", name,
          t[iters / 2] * 1e6, t[(size_t)(iters * 0.99)] * 1e6,
          (double)iters / sum);
  free (t);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

int
main (int argc, char **argv)
{
  int iters = argc > 1 ? atoi (argv[1]) : 300;

  if (iters < 10)
    iters = 10;
  printf ("DTLS 1.2 handshake latency, loopback, ECDSA P-256, %d runs, %s\n",
          iters, OpenSSL_version (OPENSSL_VERSION));
  run ("full, no cookie", 0, 0, iters);
  run ("full, cookie exchange", 1, 0, iters);
  run ("resumed (ticket), cookie", 1, 1, iters);
  run ("resumed (ID cache), cookie", 1, 2, iters);
  return 0;
}
