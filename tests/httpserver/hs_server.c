/*
 * hs_server.c - SocketHTTPServer as a stand-alone program, for manual
 * checks with nghttp/curl/h2load and for tests/bench/run_http_server.sh.
 *
 * Usage: hs_server [-u] [-b BODY] [port [cert.pem key.pem]]
 * Listens on 127.0.0.1 (port 0 = any; the port is printed). -u enables
 * the h2c upgrade. Routes: /echo (request body back, x-body-len),
 * /big/N (N bytes), anything else "hello world" (or BODY).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/SocketHTTPServer.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
#endif

static volatile sig_atomic_t stop;
static const char *default_body = "hello world";

static void
on_signal (int sig)
{
  (void)sig;
  stop = 1;
}

static void
handler (SocketHTTPServer_Request_T req, void *ud)
{
  const char *path = SocketHTTPServer_Request_path (req);
  char num[32];
  (void)ud;
  if (strncmp (path, "/echo", 5) == 0)
    {
      snprintf (num, sizeof num, "%zu", SocketHTTPServer_Request_body_len (req));
      SocketHTTPServer_Request_header (req, "X-Body-Len", num);
      SocketHTTPServer_Request_body_data (req, SocketHTTPServer_Request_body (req),
                                          SocketHTTPServer_Request_body_len (req));
    }
  else if (strncmp (path, "/big/", 5) == 0)
    {
      size_t n = strtoul (path + 5, NULL, 10);
      char *b = calloc (1, n ? n : 1);
      if (b != NULL)
        {
          memset (b, 'x', n);
          SocketHTTPServer_Request_body_data (req, b, n);
          free (b);
        }
    }
  else
    {
      SocketHTTPServer_Request_header (req, "Content-Type", "text/plain");
      SocketHTTPServer_Request_body_string (req, default_body);
    }
}

int
main (int argc, char **argv)
{
  SocketHTTPServer_Config cfg;
  SocketHTTPServer_T server;
  int opt;
#if SOCKET_HAS_TLS
  SocketTLSContext_T tls = NULL;
#endif

  SocketHTTPServer_config_defaults (&cfg);
  cfg.bind_address = "127.0.0.1";
  cfg.port = 8080;
  cfg.max_connections = 4096;
  cfg.max_requests_per_connection = 0; /* load generators do not reconnect after GOAWAY */
  while ((opt = getopt (argc, argv, "ub:")) != -1)
    {
      if (opt == 'u')
        cfg.enable_h2c_upgrade = 1;
      else if (opt == 'b')
        default_body = optarg;
      else
        {
          fprintf (stderr, "usage: %s [-u] [-b BODY] [port [cert.pem key.pem]]\n", argv[0]);
          return 2;
        }
    }
  if (optind < argc)
    cfg.port = atoi (argv[optind]);
#if SOCKET_HAS_TLS
  if (optind + 2 < argc)
    {
      tls = SocketTLSContext_new_server (argv[optind + 1], argv[optind + 2], NULL);
      cfg.tls_context = tls;
    }
#endif
  signal (SIGPIPE, SIG_IGN);
  signal (SIGINT, on_signal);
  signal (SIGTERM, on_signal);
  server = SocketHTTPServer_new (&cfg);
  SocketHTTPServer_set_handler (server, handler, NULL);
  SocketHTTPServer_start (server);
  printf ("listening on 127.0.0.1:%d\n", SocketHTTPServer_port (server));
  fflush (stdout);
  while (!stop)
    SocketHTTPServer_process (server, 500);
  SocketHTTPServer_free (&server);
#if SOCKET_HAS_TLS
  SocketTLSContext_free (&tls);
#endif
  return 0;
}
