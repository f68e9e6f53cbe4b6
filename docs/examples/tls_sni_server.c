/*
 * tls_sni_server.c - the seed README's "TLS Server with SNI" snippet as a
 * self-checking program.
 *
 * The README's server context (default certificate, two SNI hosts, client
 * certificate verification, CRL, OCSP stapling, session tickets) is built
 * from a throw-away CA (tls_example_pki.h) and served on 127.0.0.1 by a
 * thread. Clients then check that each name gets its own certificate
 * (verified against the name), that the stapled OCSP response is good,
 * that a client certificate is accepted, and that tickets resume sessions.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/Except.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#include "tls_example_pki.h"

#define CONNECTIONS 5

static unsigned char *ocsp_der;
static int ocsp_der_len;

/* The README's helpers. */
static size_t
load_ocsp_response (unsigned char *buf, size_t size)
{
  if (ocsp_der_len <= 0 || (size_t)ocsp_der_len > size)
    return 0;
  memcpy (buf, ocsp_der, (size_t)ocsp_der_len);
  return (size_t)ocsp_der_len;
}

static void
generate_ticket_key (unsigned char *key, size_t len)
{
  if (RAND_bytes (key, (int)len) != 1)
    abort ();
}

/* The README snippet, with our file names. */
static SocketTLSContext_T
readme_server_context (void)
{
  /* Create server context with primary certificate */
  SocketTLSContext_T ctx = SocketTLSContext_new_server (
      pki_path ("localhost.crt"), pki_path ("localhost.key"),
      pki_path ("ca.crt"));

  /* Add SNI certificates for virtual hosting */
  SocketTLSContext_add_certificate (ctx, "www.example.com",
                                    pki_path ("www.crt"), pki_path ("www.key"));
  SocketTLSContext_add_certificate (ctx, "api.example.com",
                                    pki_path ("api.crt"), pki_path ("api.key"));

  /* Enable client certificate verification */
  SocketTLSContext_set_verify_mode (ctx, TLS_VERIFY_PEER);

  /* Load CRL for revocation checking */
  SocketTLSContext_load_crl (ctx, pki_path ("crl.pem"));

  /* Enable OCSP stapling */
  unsigned char ocsp_response[4096];
  size_t ocsp_len = load_ocsp_response (ocsp_response, sizeof (ocsp_response));
  SocketTLSContext_set_ocsp_response (ctx, ocsp_response, ocsp_len);

  /* Enable session tickets */
  unsigned char ticket_key[80];
  generate_ticket_key (ticket_key, sizeof (ticket_key));
  SocketTLSContext_enable_session_tickets (ctx, ticket_key, sizeof (ticket_key));
  return ctx;
}

struct server
{
  SocketTLSContext_T ctx;
  Socket_T listener;
};

/* One client: handshake, echo one message, close. */
static void
serve_one (struct server *srv)
{
  Socket_T volatile c = NULL;

  TRY
  {
    char buf[256];
    c = Socket_accept (srv->listener);
    Socket_settimeout (c, 5);
    SocketTLS_enable (c, srv->ctx);
    if (SocketTLS_handshake_loop (c, 5000) == TLS_HANDSHAKE_COMPLETE)
      {
        ssize_t n = SocketTLS_recv (c, buf, sizeof buf);
        SocketTLS_send (c, buf, (size_t)n);
        SocketTLS_shutdown (c);
      }
  }
  ELSE fprintf (stderr, "server: %s\n", tls_error_buf);
  END_TRY;
  Socket_T tmp = c;
  Socket_free (&tmp);
}

static void *
server_main (void *arg)
{
  struct server *srv = arg;

  for (int i = 0; i < CONNECTIONS; i++)
    serve_one (srv);
  return NULL;
}

/* Connect as @p host; 1 if verified, echoed, OCSP good and the resumption
 * state is @p expect_reused. */
static int
visit (SocketTLSContext_T ctx, int port, const char *host, int expect_reused)
{
  Socket_T volatile s = Socket_new (AF_INET, SOCK_STREAM, 0);
  volatile int ok = 0;

  TRY
  {
    char buf[64];
    Socket_connect (s, "127.0.0.1", port);
    Socket_settimeout (s, 5);
    SocketTLS_enable (s, ctx);
    SocketTLS_set_hostname (s, host); /* fails unless host's cert is sent */
    if (SocketTLS_handshake_loop (s, 5000) == TLS_HANDSHAKE_COMPLETE)
      {
        SocketTLS_send (s, host, strlen (host));
        ssize_t n = SocketTLS_recv (s, buf, sizeof buf);
        int ocsp = SocketTLS_get_ocsp_status (s);
        int reused = SocketTLS_is_session_reused (s);
        /* A resumed session has no Certificate message, so no staple. */
        printf ("%-16s verified, OCSP %s, %s\n", host,
                ocsp == 1 ? "good" : ocsp == -1 ? "none" : "BAD",
                reused ? "resumed" : "full");
        ok = n == (ssize_t)strlen (host) && memcmp (buf, host, (size_t)n) == 0
             && ocsp == (reused ? -1 : 1) && reused == expect_reused;
        SocketTLS_shutdown (s);
      }
  }
  ELSE fprintf (stderr, "client %s: %s\n", host, tls_error_buf);
  END_TRY;
  Socket_T tmp = s;
  Socket_free (&tmp);
  return ok;
}

/* Leaves, CRL and OCSP response for the README's file names. */
static int
make_pki (void)
{
  X509 *leaves[3];
  X509 *client;
  int ok;

  if (pki_init () != 0)
    return -1;
  leaves[0] = pki_leaf ("localhost", "DNS:localhost", 2);
  leaves[1] = pki_leaf ("www", "DNS:www.example.com", 3);
  leaves[2] = pki_leaf ("api", "DNS:api.example.com", 4);
  client = pki_leaf ("client", "DNS:client.example", 5);
  ok = leaves[0] && leaves[1] && leaves[2] && client && pki_crl () == 0
       && (ocsp_der = pki_ocsp (leaves, 3, &ocsp_der_len)) != NULL;
  for (int i = 0; i < 3; i++)
    X509_free (leaves[i]);
  X509_free (client);
  return ok ? 0 : -1;
}

int
main (void)
{
  static const char *const files[]
      = { "ca.crt",  "localhost.crt", "localhost.key", "www.crt",
          "www.key", "api.crt",       "api.key",       "client.crt",
          "client.key", "crl.pem",    NULL };
  static struct server srv; /* static: survives RAISE */
  static SocketTLSContext_T plain, with_cert;
  volatile int ok = 0;
  pthread_t th;

  if (make_pki () != 0)
    {
      fprintf (stderr, "cannot create test certificates\n");
      return 1;
    }
  TRY
  {
    int port;
    srv.ctx = readme_server_context ();
    srv.listener = Socket_new (AF_INET, SOCK_STREAM, 0);
    Socket_bind (srv.listener, "127.0.0.1", 0);
    Socket_listen (srv.listener, 8);
    port = Socket_getlocalport (srv.listener);
    plain = SocketTLSContext_new_client (pki_path ("ca.crt"));
    SocketTLSContext_enable_session_cache (plain, 0, 0);
    with_cert = SocketTLSContext_new_client (pki_path ("ca.crt"));
    SocketTLSContext_load_certificate (with_cert, pki_path ("client.crt"),
                                       pki_path ("client.key"));
    pthread_create (&th, NULL, server_main, &srv);
    ok = visit (plain, port, "localhost", 0)
         & visit (plain, port, "www.example.com", 0)
         & visit (plain, port, "api.example.com", 0)
         & visit (plain, port, "www.example.com", 1) /* ticket */
         & visit (with_cert, port, "api.example.com", 0);
    pthread_join (th, NULL);
  }
  ELSE fprintf (stderr, "setup: %s\n", tls_error_buf);
  END_TRY;
  SocketTLSContext_free (&plain);
  SocketTLSContext_free (&with_cert);
  SocketTLSContext_free (&srv.ctx);
  Socket_free (&srv.listener);
  OPENSSL_free (ocsp_der);
  pki_cleanup (files);
  printf ("%s\n", ok ? "tls_sni_server: ok" : "tls_sni_server: FAILED");
  return ok ? 0 : 1;
}
