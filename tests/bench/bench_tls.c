/*
 * bench_tls.c - TLS handshake rate and bulk throughput on loopback.
 *
 * Handshakes: our client against our server (a thread), per connection TCP
 * connect + handshake + one byte from the server (so TLS 1.3 tickets
 * arrive) + close_notify. Full handshakes, resumption with stateless
 * tickets and with the stateful session cache; for an ECDSA P-256 and an
 * RSA-2048 server certificate. Then `openssl s_time -new` / `-reuse`
 * against the same server where the binary exists.
 *
 * The same handshakes between two raw SSL objects over a memory BIO pair
 * (no sockets, no threads) give the floor OpenSSL itself sets.
 *
 * Bulk: 64 KiB writes through SocketTLS_send/recv vs raw SSL_write /
 * SSL_read (plain SSL_CTX, socket BIO) on the same kind of loopback pair
 * with the same cipher (TLS 1.3 AES-256-GCM), receiver in another thread.
 *
 * Usage: bench_tls [seconds-per-case [handshake|bulk]]   (default 1.5, both)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "bench_common.h"

#define BULK_CHUNK (64 * 1024)
#define BULK_BYTES (256u * 1024 * 1024)

static double seconds_per_case = 1.5;

/* ------------------------------------------------------------------ */
/* Handshake server                                                   */
/* ------------------------------------------------------------------ */

typedef struct HsServer
{
  SocketTLSContext_T ctx;
  Socket_T listener;
  int port;
  volatile int stop;
  long served, failed;
  pthread_t th;
} HsServer;

/* Handshake, one byte, then wait for the client to close. */
static void
serve (HsServer *sv, Socket_T c)
{
  char b[16];

  Socket_settimeout (c, 5);
  SocketTLS_enable (c, sv->ctx);
  if (SocketTLS_handshake_loop (c, 5000) != TLS_HANDSHAKE_COMPLETE)
    RAISE (SocketTLS_HandshakeFailed);
  SocketTLS_send (c, "x", 1);
  for (;;)
    SocketTLS_recv (c, b, sizeof b); /* until Socket_Closed */
}

static void *
hs_server (void *arg)
{
  HsServer *sv = arg;

  while (!sv->stop)
    {
      struct pollfd p = { Socket_fd (sv->listener), POLLIN, 0 };
      Socket_T volatile c = NULL;

      if (poll (&p, 1, 100) <= 0)
        continue;
      TRY
      {
        c = Socket_accept (sv->listener);
        serve (sv, c);
      }
      EXCEPT (Socket_Closed) sv->served++;
      ELSE sv->failed++;
      END_TRY;
      Socket_T tmp = c;
      Socket_free (&tmp);
    }
  return NULL;
}

static void
hs_start (HsServer *sv, SocketTLSContext_T ctx)
{
  memset (sv, 0, sizeof *sv);
  sv->ctx = ctx;
  sv->listener = tls_test_listen (&sv->port);
  pthread_create (&sv->th, NULL, hs_server, sv);
}

static void
hs_stop (HsServer *sv)
{
  sv->stop = 1;
  pthread_join (sv->th, NULL);
  Socket_free (&sv->listener);
}

/* One client connection; @return 1 if it went as expected. */
static int
one_connection (SocketTLSContext_T cctx, int port, int want_reused)
{
  Socket_T volatile s = Socket_new (AF_INET, SOCK_STREAM, 0);
  volatile int ok = 0;

  TRY
  {
    char b;
    Socket_connect (s, "127.0.0.1", port);
    Socket_settimeout (s, 5);
    SocketTLS_enable (s, cctx);
    SocketTLS_set_hostname (s, "localhost");
    ok = SocketTLS_handshake_loop (s, 5000) == TLS_HANDSHAKE_COMPLETE
         && SocketTLS_recv (s, &b, 1) == 1
         && SocketTLS_is_session_reused (s) == want_reused;
    SocketTLS_shutdown (s);
  }
  ELSE ok = 0;
  END_TRY;
  Socket_T tmp = s;
  Socket_free (&tmp);
  return ok;
}

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct Rate
{
  double wall;    /* handshakes per second */
  double cpu_us;  /* process CPU (client + server threads) per handshake */
} Rate;

/* Handshake rate for @p seconds (after one warm-up connection). The box
 * may be shared, so CPU time per handshake is the steadier figure. */
static Rate
hs_rate (SocketTLSContext_T cctx, int port, int want_reused)
{
  Rate r = { -1, -1 };
  long n = 0;
  double t0, c0, dt;

  if (!one_connection (cctx, port, 0))
    return r;
  t0 = bench_now ();
  c0 = cpu_now ();
  do
    {
      if (!one_connection (cctx, port, want_reused))
        return r;
      n++;
    }
  while ((dt = bench_now () - t0) < seconds_per_case);
  r.wall = (double)n / dt;
  r.cpu_us = (cpu_now () - c0) * 1e6 / (double)n;
  return r;
}

/* `openssl s_time` connections per real second, or -1. */
static double
s_time_rate (int port, const char *mode)
{
  char cmd[256], line[256];
  double rate = -1;
  long n;
  double secs;
  FILE *p;

  if (getenv ("BENCH_TLS_NO_STIME") != NULL) /* e.g. when profiling */
    return -1;
  snprintf (cmd, sizeof cmd,
            "openssl s_time -connect 127.0.0.1:%d %s -time %d 2>/dev/null",
            port, mode, (int)(seconds_per_case + 0.999));
  p = popen (cmd, "r");
  if (p == NULL)
    return -1;
  while (fgets (line, sizeof line, p) != NULL)
    if (sscanf (line, "%ld connections in %lf real seconds", &n, &secs) == 2
        && secs > 0)
      rate = (double)n / secs;
  pclose (p);
  return rate;
}

typedef struct Case
{
  const char *name;
  int tls12;   /* both ends TLS 1.2 only */
  int mode;    /* 0 full, 1 ticket, 2 server cache */
  int no_dhe;  /* TLS 1.3 psk_ke: resumption without (EC)DHE */
} Case;

static const Case cases[] = {
  { "1.3 full", 0, 0, 0 },
  { "1.3 resumed ticket", 0, 1, 0 },
  { "1.3 resumed cache", 0, 2, 0 },
  { "1.2 full", 1, 0, 0 },
  { "1.2 resumed ticket", 1, 1, 0 },
  { "1.2 resumed cache", 1, 2, 0 },
};

static void
configure (SocketTLSContext_T ctx, const Case *k)
{
  static const unsigned char tk[SOCKET_TLS_TICKET_KEY_LEN] = "bench-ticket-key";

  if (k->tls12)
    {
      SocketTLSContext_set_min_protocol (ctx, TLS1_2_VERSION);
      SocketTLSContext_set_max_protocol (ctx, TLS1_2_VERSION);
    }
  if (k->no_dhe) /* forward secrecy traded for speed: opt-in only */
    SSL_CTX_set_options (SocketTLSContext_get_ssl_ctx (ctx),
                         SSL_OP_ALLOW_NO_DHE_KEX);
  if (SocketTLSContext_is_server (ctx) && k->mode == 1)
    SocketTLSContext_enable_session_tickets (ctx, tk, sizeof tk);
  else if (k->mode > 0)
    SocketTLSContext_enable_session_cache (ctx, 0, 0);
}

static void
bench_handshakes (const char *label, const char *chain, const char *key)
{
  Rate full = { 0, 0 };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const Case *k = &cases[i];
      SocketTLSContext_T s
          = SocketTLSContext_new_server (tls_cert (chain), tls_cert (key), NULL);
      SocketTLSContext_T c = SocketTLSContext_new_client (tls_cert ("ca.crt"));
      HsServer sv;
      Rate r;
      double st = -1;

      configure (s, k);
      configure (c, k);
      hs_start (&sv, s);
      r = hs_rate (c, sv.port, k->mode > 0);
      if (!k->tls12 && !k->no_dhe && k->mode < 2)
        st = s_time_rate (sv.port, k->mode == 0 ? "-new" : "-reuse");
      hs_stop (&sv);
      if (r.wall < 0)
        {
          fprintf (stderr, "%s %s: handshake benchmark failed\n", label,
                   k->name);
          exit (1);
        }
      if (k->mode == 0)
        full = r;
      printf ("%-5s %-19s %6.0f hs/s %7.0f us CPU/hs", label, k->name, r.wall,
              r.cpu_us);
      if (k->mode > 0)
        printf ("  %4.1fx full (CPU)", full.cpu_us / r.cpu_us);
      else
        printf ("                  ");
      if (st > 0)
        printf ("  s_time %s %5.0f conn/s", k->mode == 0 ? "-new  " : "-reuse",
                st);
      printf ("\n");
      SocketTLSContext_free (&c);
      SocketTLSContext_free (&s);
    }
}

/* ------------------------------------------------------------------ */
/* OpenSSL alone: the floor under any wrapper                         */
/* ------------------------------------------------------------------ */

/* The client's newest session (a TLS 1.3 ticket or a 1.2 session). */
static SSL_SESSION *raw_session;

static int
raw_new_session (SSL *ssl, SSL_SESSION *sess)
{
  (void)ssl;
  SSL_SESSION_free (raw_session);
  raw_session = sess;
  return 1;
}

/* One handshake between two SSL objects over a memory BIO pair, plus one
 * byte from the server (delivers TLS 1.3 tickets). 1 if resumed. */
static int
raw_handshake (SSL_CTX *cc, SSL_CTX *sc, int resume)
{
  SSL *c = SSL_new (cc), *s = SSL_new (sc);
  BIO *bc, *bs;
  char x = 'x';
  int reused;

  BIO_new_bio_pair (&bc, 0, &bs, 0);
  SSL_set_bio (c, bc, bc);
  SSL_set_bio (s, bs, bs);
  SSL_set_connect_state (c);
  SSL_set_accept_state (s);
  if (resume && raw_session != NULL)
    SSL_set_session (c, raw_session);
  for (int i = 0; i < 16 && !(SSL_is_init_finished (c) && SSL_is_init_finished (s)); i++)
    {
      SSL_do_handshake (c);
      SSL_do_handshake (s);
    }
  SSL_write (s, &x, 1);
  SSL_read (c, &x, 1);
  reused = SSL_session_reused (c);
  /* A session freed without close_notify would be made non-resumable. */
  SSL_set_shutdown (c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_set_shutdown (s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free (c);
  SSL_free (s);
  return reused;
}

/* CPU microseconds per handshake over @p seconds_per_case, or -1 if a
 * resumption did not resume. */
static double
raw_rate (SSL_CTX *cc, SSL_CTX *sc, int resume)
{
  double t0 = cpu_now (), t;
  long n = 0;

  raw_handshake (cc, sc, 0); /* a fresh session to resume */
  do
    {
      if (raw_handshake (cc, sc, resume) != resume)
        return -1;
      n++;
    }
  while ((t = cpu_now () - t0) < seconds_per_case);
  return t * 1e6 / (double)n;
}

static void
bench_raw_floor (const char *label, const char *chain, const char *key)
{
  for (int v = 0; v < 2; v++)
    {
      int version = v == 0 ? TLS1_3_VERSION : TLS1_2_VERSION;
      SSL_CTX *sc = SSL_CTX_new (TLS_server_method ());
      SSL_CTX *cc = SSL_CTX_new (TLS_client_method ());
      double full, resumed;

      SSL_CTX_use_certificate_chain_file (sc, tls_cert (chain));
      SSL_CTX_use_PrivateKey_file (sc, tls_cert (key), SSL_FILETYPE_PEM);
      SSL_CTX_set_min_proto_version (sc, version);
      SSL_CTX_set_max_proto_version (sc, version);
      SSL_CTX_set_session_cache_mode (cc, SSL_SESS_CACHE_CLIENT
                                              | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_sess_set_new_cb (cc, raw_new_session);
      full = raw_rate (cc, sc, 0);
      resumed = raw_rate (cc, sc, 1);
      printf ("%-5s %s raw OpenSSL, memory BIO: full %5.0f us, resumed %5.0f "
              "us CPU/hs  %4.1fx\n",
              label, v == 0 ? "1.3" : "1.2", full, resumed,
              resumed > 0 ? full / resumed : 0.0);
      SSL_SESSION_free (raw_session);
      raw_session = NULL;
      SSL_CTX_free (cc);
      SSL_CTX_free (sc);
    }
}

/* ------------------------------------------------------------------ */
/* Bulk throughput                                                    */
/* ------------------------------------------------------------------ */

typedef struct Bulk
{
  Socket_T sock; /* ours */
  SSL *ssl;      /* raw */
  size_t received;
} Bulk;

static void *
bulk_receiver (void *arg)
{
  Bulk *b = arg;
  static unsigned char buf[BULK_CHUNK];

  while (b->received < BULK_BYTES)
    {
      long n = b->ssl ? SSL_read (b->ssl, buf, sizeof buf)
                      : (long)SocketTLS_recv (b->sock, buf, sizeof buf);
      if (n <= 0)
        break;
      b->received += (size_t)n;
    }
  return NULL;
}

/* Send BULK_BYTES in 64 KiB writes; @return MB/s (receiver included). */
static double
bulk_send (Socket_T out_sock, SSL *out_ssl, Bulk *rx)
{
  static unsigned char buf[BULK_CHUNK];
  pthread_t th;
  size_t sent = 0;
  double t0 = bench_now ();

  memset (buf, 0xa5, sizeof buf);
  pthread_create (&th, NULL, bulk_receiver, rx);
  while (sent < BULK_BYTES)
    {
      size_t off = 0;
      while (off < BULK_CHUNK)
        {
          long n = out_ssl ? SSL_write (out_ssl, buf + off, (int)(BULK_CHUNK - off))
                           : (long)SocketTLS_send (out_sock, buf + off,
                                                   BULK_CHUNK - off);
          if (n <= 0)
            {
              fprintf (stderr, "bulk send failed\n");
              exit (1);
            }
          off += (size_t)n;
        }
      sent += BULK_CHUNK;
    }
  pthread_join (th, NULL);
  if (rx->received != BULK_BYTES)
    {
      fprintf (stderr, "bulk: received %zu of %u\n", rx->received, BULK_BYTES);
      exit (1);
    }
  return (double)BULK_BYTES / (bench_now () - t0) / 1e6;
}

static double
bulk_ours (Socket_T l, int port, SocketTLSContext_T cctx, SocketTLSContext_T sctx)
{
  Socket_T c, s;
  Bulk rx = { NULL, NULL, 0 };
  double r;

  tls_test_pair (l, port, &c, &s);
  Socket_settimeout (c, 0);
  Socket_settimeout (s, 0);
  SocketTLS_enable (c, cctx);
  SocketTLS_enable (s, sctx);
  SocketTLS_set_hostname (c, "localhost");
  if (!tls_test_connect (c, s))
    exit (1);
  /* tls_test_connect made both non-blocking; measure blocking I/O. */
  fcntl (Socket_fd (c), F_SETFL, 0);
  fcntl (Socket_fd (s), F_SETFL, 0);
  rx.sock = c;
  r = bulk_send (s, NULL, &rx);
  Socket_free (&c);
  Socket_free (&s);
  return r;
}

static void *
raw_connect (void *ssl)
{
  if (SSL_connect (ssl) != 1)
    exit (1);
  return NULL;
}

static double
bulk_raw (Socket_T l, int port)
{
  SSL_CTX *sc = SSL_CTX_new (TLS_server_method ());
  SSL_CTX *cc = SSL_CTX_new (TLS_client_method ());
  Socket_T c, s;
  SSL *cs, *ss;
  Bulk rx = { NULL, NULL, 0 };
  double r;

  if (SSL_CTX_use_certificate_chain_file (sc, tls_cert ("server-chain.pem")) != 1
      || SSL_CTX_use_PrivateKey_file (sc, tls_cert ("server.key"),
                                      SSL_FILETYPE_PEM)
             != 1)
    exit (1);
  tls_test_pair (l, port, &c, &s);
  Socket_settimeout (c, 0);
  Socket_settimeout (s, 0);
  cs = SSL_new (cc);
  ss = SSL_new (sc);
  SSL_set_fd (cs, Socket_fd (c));
  SSL_set_fd (ss, Socket_fd (s));
  rx.ssl = cs;
  {
    pthread_t th;
    pthread_create (&th, NULL, raw_connect, cs); /* while we accept */
    if (SSL_accept (ss) != 1)
      exit (1);
    pthread_join (th, NULL);
  }
  r = bulk_send (NULL, ss, &rx);
  SSL_free (cs);
  SSL_free (ss);
  SSL_CTX_free (sc);
  SSL_CTX_free (cc);
  Socket_free (&c);
  Socket_free (&s);
  return r;
}

static void
bench_bulk (void)
{
  SocketTLSContext_T cctx = SocketTLSContext_new_client (tls_cert ("ca.crt"));
  SocketTLSContext_T sctx = SocketTLSContext_new_server (
      tls_cert ("server-chain.pem"), tls_cert ("server.key"), NULL);
  double ours = 0, raw = 0;
  int port;
  Socket_T l = tls_test_listen (&port);

  for (int i = 0; i < 3; i++) /* best of three, interleaved */
    {
      double a = bulk_ours (l, port, cctx, sctx), b = bulk_raw (l, port);
      ours = a > ours ? a : ours;
      raw = b > raw ? b : raw;
    }
  printf ("bulk   64 KiB writes, TLS 1.3 AES-256-GCM, %u MiB: ours %.0f MB/s,"
          " raw OpenSSL %.0f MB/s (%.1f%%)\n",
          BULK_BYTES >> 20, ours, raw, 100.0 * ours / raw);
  Socket_free (&l);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

int
main (int argc, char **argv)
{
  const char *only = argc > 2 ? argv[2] : "";

  if (argc > 1)
    seconds_per_case = atof (argv[1]);
  setenv ("TLS_TEST_CERTS_RSA", "1", 1);
  if (tls_test_certs_init () != 0)
    return 1;
  if (strcmp (only, "bulk") != 0)
    {
      bench_handshakes ("ECDSA", "server-chain.pem", "server.key");
      bench_raw_floor ("ECDSA", "server-chain.pem", "server.key");
      bench_handshakes ("RSA", "server-rsa-chain.pem", "server-rsa.key");
      bench_raw_floor ("RSA", "server-rsa-chain.pem", "server-rsa.key");
    }
  if (strcmp (only, "handshake") != 0)
    bench_bulk ();
  return 0;
}
