/*
 * tls_client.c - the seed README's "TLS/SSL Secure Communication" snippet
 * as a self-checking program.
 *
 * Instead of example.com:443 and the system CA bundle, the client talks to
 * a local TLS server thread on 127.0.0.1 (port 0) whose certificate for
 * "localhost" comes from a throw-away CA (tls_example_pki.h); the client
 * trusts that CA file. Everything else is the README's code. It connects
 * twice: the second connection resumes the session the first one cached.
 * Exit status 0 when ALPN, version and the HTTP response check out.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/Except.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#include "tls_example_pki.h"

struct server
{
  SocketTLSContext_T ctx;
  Socket_T listener;
  int conns;
};

/* A minimal HTTPS responder: one request, then close. */
static void
serve_one (struct server *srv)
{
  Socket_T volatile c = NULL;

  TRY
  {
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    char buf[1024];

    c = Socket_accept (srv->listener);
    Socket_settimeout (c, 5);
    SocketTLS_enable (c, srv->ctx);
    if (SocketTLS_handshake_loop (c, 5000) == TLS_HANDSHAKE_COMPLETE
        && SocketTLS_recv (c, buf, sizeof buf) > 0)
      SocketTLS_send (c, reply, sizeof reply - 1);
    SocketTLS_shutdown (c);
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

  for (int i = 0; i < srv->conns; i++)
    serve_one (srv);
  return NULL;
}

/* The README's context setup (CA file: our throw-away CA). */
static SocketTLSContext_T
readme_context (const char *ca_file)
{
  /* Create client TLS context */
  SocketTLSContext_T ctx = SocketTLSContext_new_client (ca_file);

  /* Configure ALPN protocols */
  const char *protos[] = { "h2", "http/1.1" };
  SocketTLSContext_set_alpn_protos (ctx, protos, 2);

  /* Enable session caching for performance */
  SocketTLSContext_enable_session_cache (ctx, 1000, 300);
  return ctx;
}

/* The README's connection (127.0.0.1:port instead of example.com:443).
 * @return 1 if ALPN, version, response and resumption are as expected. */
static int
readme_connection (SocketTLSContext_T ctx, int port, int expect_reused)
{
  volatile int ok = 0;

  /* Create and connect socket */
  Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
  TRY
  {
    Socket_connect (socket, "127.0.0.1", port);
    Socket_settimeout (socket, 5);

    /* Enable TLS */
    SocketTLS_enable (socket, ctx);
    SocketTLS_set_hostname (socket, "localhost"); /* SNI + verification */

    /* Perform handshake (with timeout) */
    TLSHandshakeState state = SocketTLS_handshake_loop (socket, 10000);
    if (state != TLS_HANDSHAKE_COMPLETE)
      {
        fprintf (stderr, "Handshake failed\n");
      }
    else
      {
        /* Check negotiated protocol */
        const char *alpn = SocketTLS_get_alpn_selected (socket);
        printf ("ALPN: %s\n", alpn ? alpn : "none");
        printf ("Cipher: %s\n", SocketTLS_get_cipher (socket));
        printf ("Version: %s\n", SocketTLS_get_version (socket));

        /* Encrypted I/O */
        SocketTLS_send (socket, "GET / HTTP/1.1\r\n\r\n", 18);
        char buf[4096];
        ssize_t n = SocketTLS_recv (socket, buf, sizeof (buf));
        printf ("Response: %.*s\n", (int)(n > 15 ? 15 : n), buf);
        printf ("Resumed: %s\n",
                SocketTLS_is_session_reused (socket) ? "yes" : "no");

        ok = alpn != NULL && strcmp (alpn, "h2") == 0
             && strcmp (SocketTLS_get_version (socket), "TLSv1.3") == 0
             && n >= 15 && memcmp (buf, "HTTP/1.1 200 OK", 15) == 0
             && SocketTLS_is_session_reused (socket) == expect_reused;

        /* Graceful shutdown */
        SocketTLS_shutdown (socket);
      }
  }
  ELSE fprintf (stderr, "client: %s\n", tls_error_buf);
  END_TRY;
  Socket_free (&socket);
  return ok;
}

int
main (void)
{
  static const char *const files[]
      = { "ca.crt", "localhost.crt", "localhost.key", NULL };
  const char *protos[] = { "h2", "http/1.1" };
  static struct server srv = { NULL, NULL, 2 }; /* static: survives RAISE */
  static SocketTLSContext_T client_ctx;
  volatile int ok = 0;
  pthread_t th;
  X509 *leaf;

  if (pki_init () != 0
      || (leaf = pki_leaf ("localhost", "DNS:localhost", 2)) == NULL)
    {
      fprintf (stderr, "cannot create test certificates\n");
      return 1;
    }
  X509_free (leaf);
  TRY
  {
    srv.ctx = SocketTLSContext_new_server (pki_path ("localhost.crt"),
                                           pki_path ("localhost.key"), NULL);
    SocketTLSContext_set_alpn_protos (srv.ctx, protos, 2);
    SocketTLSContext_enable_session_cache (srv.ctx, 0, 0);
    srv.listener = Socket_new (AF_INET, SOCK_STREAM, 0);
    Socket_bind (srv.listener, "127.0.0.1", 0);
    Socket_listen (srv.listener, 4);
    client_ctx = readme_context (pki_path ("ca.crt"));
    pthread_create (&th, NULL, server_main, &srv);
    ok = readme_connection (client_ctx, Socket_getlocalport (srv.listener), 0);
    ok = readme_connection (client_ctx, Socket_getlocalport (srv.listener), 1)
         && ok;
    pthread_join (th, NULL);
  }
  ELSE fprintf (stderr, "setup: %s\n", tls_error_buf);
  END_TRY;
  /* README: Socket_free (&socket); SocketTLSContext_free (&ctx); */
  SocketTLSContext_free (&client_ctx);
  Socket_free (&srv.listener);
  SocketTLSContext_free (&srv.ctx);
  pki_cleanup (files);
  printf ("%s\n", ok ? "tls_client: ok" : "tls_client: FAILED");
  return ok ? 0 : 1;
}
