/*
 * test_dtls_util.h - helpers for the DTLS tests and benchmark: a test PKI
 * made with the openssl CLI at run time, loopback client/server pairs, a
 * single-threaded handshake pump and a UDP relay that can drop and measure
 * datagrams.
 */
#ifndef TEST_DTLS_UTIL_H
#define TEST_DTLS_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "SocketTestUtil.h"
#include "socket/SocketDgram.h"
#include "tls/SocketDTLS.h"
#include "tls/SocketDTLSContext.h"

/* ------------------------------------------------------------------ */
/* PKI                                                                */
/* ------------------------------------------------------------------ */

static char dtls_pki_dir[64];

static void
dtls_pki_cleanup (void)
{
  char cmd[128];
  if (dtls_pki_dir[0] != '\0')
    {
      snprintf (cmd, sizeof cmd, "rm -rf '%s'", dtls_pki_dir);
      if (system (cmd) != 0)
        fprintf (stderr, "warning: could not remove %s\n", dtls_pki_dir);
    }
}

/* EC P-256 keys. ca signs server (SAN localhost, 127.0.0.1) and client;
 * other-ca signs other-server (an issuer the clients do not trust). */
static const char dtls_pki_script[]
    = "set -e\n"
      "k='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
      "ca() { openssl req -x509 $k -keyout $1.key -out $1.crt -days 3 "
      "-subj /CN=$1 -addext basicConstraints=critical,CA:TRUE "
      "-addext keyUsage=critical,keyCertSign,cRLSign; }\n"
      "leaf() { openssl req $k -keyout $1.key -out $1.csr -subj /CN=$1; "
      "printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n"
      "subjectAltName=DNS:localhost,IP:127.0.0.1\\n' $3 > $1.ext; "
      "openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -days 2 "
      "-set_serial $4 -extfile $1.ext -out $1.crt; }\n"
      "ca ca; ca other-ca\n"
      "leaf server ca serverAuth 2\n"
      "leaf client ca clientAuth 3\n"
      "leaf other-server other-ca serverAuth 4\n";

/** Directory holding the test PKI (generated once per process). */
static const char *
dtls_pki (void)
{
  char path[128], cmd[192];
  FILE *f;

  if (dtls_pki_dir[0] != '\0')
    return dtls_pki_dir;
  snprintf (dtls_pki_dir, sizeof dtls_pki_dir, "/tmp/dtls-pki-XXXXXX");
  if (mkdtemp (dtls_pki_dir) == NULL)
    {
      perror ("mkdtemp");
      exit (1);
    }
  atexit (dtls_pki_cleanup);
  snprintf (path, sizeof path, "%s/gen.sh", dtls_pki_dir);
  f = fopen (path, "w");
  if (f == NULL || fputs (dtls_pki_script, f) < 0 || fclose (f) != 0)
    {
      fprintf (stderr, "cannot write %s\n", path);
      exit (1);
    }
  snprintf (cmd, sizeof cmd, "cd '%s' && sh gen.sh >gen.log 2>&1",
            dtls_pki_dir);
  if (system (cmd) != 0)
    {
      fprintf (stderr, "openssl CLI failed to create the test PKI (%s)\n",
               dtls_pki_dir);
      exit (1);
    }
  return dtls_pki_dir;
}

/** Path of PKI file @p name (rotating static buffers: 8 live at once). */
static const char *
dtls_file (const char *name)
{
  static char bufs[8][160];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf (b, sizeof bufs[0], "%s/%s", dtls_pki (), name);
  return b;
}

/* ------------------------------------------------------------------ */
/* Contexts and sockets                                               */
/* ------------------------------------------------------------------ */

static inline SocketDTLSContext_T
dtls_server_ctx (int cookies)
{
  SocketDTLSContext_T ctx = SocketDTLSContext_new_server (
      dtls_file ("server.crt"), dtls_file ("server.key"), NULL);
  if (cookies)
    SocketDTLSContext_enable_cookie_exchange (ctx);
  return ctx;
}

static inline SocketDTLSContext_T
dtls_client_ctx (void)
{
  return SocketDTLSContext_new_client (dtls_file ("ca.crt"));
}

/** Non-blocking UDP socket bound to 127.0.0.1:@p port (0 = any). */
static inline SocketDgram_T
dtls_bound_socket (int port)
{
  SocketDgram_T s = SocketDgram_new (AF_INET, 0);
  SocketDgram_setreuseaddr (s);
  SocketDgram_bind (s, "127.0.0.1", port);
  SocketDgram_setnonblocking (s);
  return s;
}

/** Non-blocking DTLS client connected to 127.0.0.1:@p port. */
static inline SocketDgram_T
dtls_client_socket (SocketDTLSContext_T ctx, int port, const char *hostname)
{
  SocketDgram_T c = SocketDgram_new (AF_INET, 0);
  SocketDgram_connect (c, "127.0.0.1", port);
  SocketDgram_setnonblocking (c);
  SocketDTLS_enable (c, ctx);
  if (hostname != NULL)
    SocketDTLS_set_hostname (c, hostname);
  return c;
}

/**
 * Step both handshakes until both complete (1) or @p timeout_ms passes
 * (0). Exceptions from either side propagate. Either socket may be NULL
 * (handled elsewhere).
 */
static inline int
dtls_pump (SocketDgram_T c, SocketDgram_T s, int timeout_ms)
{
  int64_t end = test_now_ms () + timeout_ms;
  int c_done = c == NULL, s_done = s == NULL;

  while (test_now_ms () < end)
    {
      struct pollfd p[2];
      int n = 0;
      if (!c_done)
        c_done = SocketDTLS_handshake (c) == DTLS_HANDSHAKE_COMPLETE;
      if (!s_done)
        s_done = SocketDTLS_handshake (s) == DTLS_HANDSHAKE_COMPLETE;
      if (c_done && s_done)
        return 1;
      if (!c_done)
        p[n++] = (struct pollfd){ SocketDgram_fd (c), POLLIN, 0 };
      if (!s_done)
        p[n++] = (struct pollfd){ SocketDgram_fd (s), POLLIN, 0 };
      (void)poll (p, (nfds_t)n, 5);
    }
  return 0;
}

/** Receive one DTLS record, waiting up to @p timeout_ms. */
static inline ssize_t
dtls_recv_wait (SocketDgram_T s, void *buf, size_t len, int timeout_ms)
{
  int64_t end = test_now_ms () + timeout_ms;
  ssize_t n;

  while ((n = SocketDTLS_recv (s, buf, len)) == 0 && test_now_ms () < end)
    {
      struct pollfd p = { SocketDgram_fd (s), POLLIN, 0 };
      (void)poll (&p, 1, 5);
    }
  return n;
}

/* A server running SocketDTLS_handshake_loop in its own thread. */
struct loop_server
{
  SocketDgram_T s;
  volatile int state;
  char err[SOCKET_DTLS_ERROR_BUFSIZE];
};

static inline void *
loop_server_main (void *arg)
{
  struct loop_server *v = arg;
  TRY v->state = SocketDTLS_handshake_loop (v->s, 5000);
  ELSE snprintf (v->err, sizeof v->err, "%s", dtls_error_buf);
  END_TRY;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Raw UDP (spoofed clients, sinks)                                   */
/* ------------------------------------------------------------------ */

/** Plain UDP socket on 127.0.0.1:0; its port in *@p port. */
static inline int
dtls_raw_udp (int *port)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof a;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *)&a, sizeof a) != 0
      || getsockname (fd, (struct sockaddr *)&a, &len) != 0)
    {
      perror ("dtls_raw_udp");
      exit (1);
    }
  if (port != NULL)
    *port = ntohs (a.sin_port);
  return fd;
}

static inline ssize_t
dtls_raw_send (int fd, int port, const void *buf, size_t len)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  a.sin_port = htons ((uint16_t)port);
  return sendto (fd, buf, len, 0, (struct sockaddr *)&a, sizeof a);
}

/** One datagram within @p timeout_ms, or -1. */
static inline ssize_t
dtls_raw_recv (int fd, void *buf, size_t len, int timeout_ms)
{
  struct pollfd p = { fd, POLLIN, 0 };
  if (poll (&p, 1, timeout_ms) != 1)
    return -1;
  return recv (fd, buf, len, 0);
}

/* ------------------------------------------------------------------ */
/* Relay: client <-> relay <-> server                                 */
/* ------------------------------------------------------------------ */

struct dtls_relay
{
  int fd;               /* clients send here */
  int port;             /* relay port */
  int server_port;
  unsigned drop_c2s;    /* bit i: drop the i-th client->server datagram */
  unsigned drop_s2c;    /* bit i: drop the i-th server->client datagram */
  atomic_int stop;
  atomic_int c2s, s2c, dropped;
  atomic_size_t max_c2s, max_s2c;
  struct sockaddr_in client;
  pthread_t thread;
};

static void
dtls_relay_max (atomic_size_t *m, size_t n)
{
  size_t cur = atomic_load (m);
  while (n > cur && !atomic_compare_exchange_weak (m, &cur, n))
    ;
}

static void *
dtls_relay_main (void *arg)
{
  struct dtls_relay *r = arg;
  unsigned char buf[65536];
  int have_client = 0;

  while (!atomic_load (&r->stop))
    {
      struct sockaddr_in from;
      socklen_t flen = sizeof from;
      ssize_t n;

      n = recvfrom (r->fd, buf, sizeof buf, MSG_DONTWAIT,
                    (struct sockaddr *)&from, &flen);
      if (n < 0)
        {
          struct pollfd p = { r->fd, POLLIN, 0 };
          (void)poll (&p, 1, 20);
          continue;
        }
      if (ntohs (from.sin_port) == r->server_port)
        {
          int i = atomic_fetch_add (&r->s2c, 1);
          dtls_relay_max (&r->max_s2c, (size_t)n);
          if (i < 32 && (r->drop_s2c >> i & 1u))
            {
              atomic_fetch_add (&r->dropped, 1);
              continue;
            }
          if (have_client)
            (void)sendto (r->fd, buf, (size_t)n, 0,
                          (struct sockaddr *)&r->client, sizeof r->client);
          continue;
        }
      r->client = from;
      have_client = 1;
      int i = atomic_fetch_add (&r->c2s, 1);
      if (i < 32 && (r->drop_c2s >> i & 1u))
        {
          atomic_fetch_add (&r->dropped, 1);
          continue;
        }
      dtls_relay_max (&r->max_c2s, (size_t)n);
      (void)dtls_raw_send (r->fd, r->server_port, buf, (size_t)n);
    }
  return NULL;
}

/** Relay to 127.0.0.1:@p server_port, dropping datagrams by index. */
static inline void
dtls_relay_start (struct dtls_relay *r, int server_port, unsigned drop_c2s,
                  unsigned drop_s2c)
{
  memset (r, 0, sizeof *r);
  r->fd = dtls_raw_udp (&r->port);
  r->server_port = server_port;
  r->drop_c2s = drop_c2s;
  r->drop_s2c = drop_s2c;
  if (pthread_create (&r->thread, NULL, dtls_relay_main, r) != 0)
    {
      perror ("pthread_create");
      exit (1);
    }
}

static inline void
dtls_relay_stop (struct dtls_relay *r)
{
  atomic_store (&r->stop, 1);
  pthread_join (r->thread, NULL);
  close (r->fd);
}

#endif /* TEST_DTLS_UTIL_H */
