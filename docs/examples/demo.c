/*
 * demo.c - the program `./build.sh run` starts.
 *
 * It prints the version and build features, runs a short self-check of the
 * core runtime (exceptions, arena, crypto, UTF-8, rate limiting), then
 * serves a TCP echo service on 127.0.0.1 (port 8080, or SOCKET_DEMO_PORT)
 * with one SocketPoll thread, a repeating timer that logs metrics, and
 * Ctrl-C for a clean shutdown. Try it with
 * `nc 127.0.0.1 8080`.
 *
 * `demo --self-test` (what ctest runs) binds an ephemeral port, has a
 * client thread exchange messages with the server, and exits 0 when the
 * checks and the echo round trips all pass.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/Arena.h"
#include "core/SocketConfig.h"
#include "core/SocketCrypto.h"
#include "core/SocketRateLimit.h"
#include "core/SocketSecurity.h"
#include "core/SocketUTF8.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

static int failures;

static void
check (const char *what, int ok)
{
  printf ("  %-44s %s\n", what, ok ? "ok" : "FAILED");
  failures += !ok;
}

static void
check_exceptions (void)
{
  volatile int caught = 0;
  Arena_T arena = Arena_new ();

  TRY
    (void)ALLOC (arena, 0);
  EXCEPT (Arena_Failed)
    caught = 1;
  FINALLY
    Arena_dispose (&arena);
  END_TRY;
  check ("TRY/EXCEPT/FINALLY catches Arena_Failed", caught && arena == NULL);
}

static void
check_crypto (void)
{
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  unsigned char digest[SOCKET_CRYPTO_SHA256_SIZE];
  char hex[2 * SOCKET_CRYPTO_SHA256_SIZE + 1];

  /* RFC 6455 section 1.3 example handshake. */
  check ("WebSocket accept key (RFC 6455 1.3)",
         SocketCrypto_websocket_accept ("dGhlIHNhbXBsZSBub25jZQ==", accept) == 0
             && strcmp (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
  SocketCrypto_sha256 ("abc", 3, digest);
  SocketCrypto_hex_encode (digest, sizeof digest, hex, 1);
  check ("SHA-256(\"abc\") (FIPS 180-2)",
         strncmp (hex, "ba7816bf8f01cfea", 16) == 0);
}

static void
check_utf8 (void)
{
  static const unsigned char good[] = "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80";
  static const unsigned char overlong[] = { 0xC0, 0xAF };
  static const unsigned char surrogate[] = { 0xED, 0xA0, 0x80 };

  check ("UTF-8 accepts multilingual text",
         SocketUTF8_validate (good, sizeof good - 1) == UTF8_VALID);
  check ("UTF-8 rejects overlong '/'",
         SocketUTF8_validate (overlong, sizeof overlong) == UTF8_OVERLONG);
  check ("UTF-8 rejects a surrogate",
         SocketUTF8_validate (surrogate, sizeof surrogate) == UTF8_SURROGATE);
}

static void
check_rate_limit (void)
{
  SocketRateLimit_T limiter = SocketRateLimit_new (NULL, 10, 5);
  int granted = 0;

  for (int i = 0; i < 10; i++)
    granted += SocketRateLimit_try_acquire (limiter, 1);
  check ("token bucket grants exactly its burst", granted == 5);
  SocketRateLimit_free (&limiter);
}

static void
print_metrics (void)
{
  SocketMetricsSnapshot snap;

  SocketMetrics_getsnapshot (&snap);
  printf ("\nmetrics (%zu counters):\n", SocketMetrics_count ());
  for (size_t i = 0; i < SocketMetrics_count (); i++)
    printf ("  %-28s %llu\n", SocketMetrics_name ((SocketMetric)i),
            SocketMetrics_snapshot_value (&snap, (SocketMetric)i));
}

/* ---- echo server ------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;
static int self_test_ok;

/* Connected clients, so that stopping frees the ones still open. */
#define MAX_CLIENTS 1000
static Socket_T clients[MAX_CLIENTS];
static int nclients;

static void
drop_client (SocketPoll_T poll, Socket_T client)
{
  for (int i = 0; i < nclients; i++)
    if (clients[i] == client)
      {
        clients[i] = clients[--nclients];
        break;
      }
  SocketPoll_del (poll, client);
  Socket_free (&client);
}

static void
on_signal (int sig)
{
  (void)sig;
  stop_requested = 1;
}

static void
log_stats (void *userdata)
{
  SocketMetricsSnapshot snap;
  (void)userdata;
  SocketMetrics_getsnapshot (&snap);
  SocketLog_emitf (SOCKET_LOG_INFO, "Demo",
                   "live sockets %d, poll wakeups %llu, events %llu",
                   Socket_debug_live_count (),
                   SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_POLL_WAKEUPS),
                   SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_POLL_EVENTS_DISPATCHED));
}

/* Echo what is readable (at most 4 KiB per wakeup, so one busy client
 * cannot monopolise the loop); on EOF or error drop the client. */
static void
serve_client (SocketPoll_T poll, Socket_T client)
{
  char buf[4096];
  volatile int drop = 0;

  TRY
    ssize_t n = Socket_recv (client, buf, sizeof buf);
    if (n > 0)
      Socket_sendall (client, buf, (size_t)n);
  EXCEPT (Socket_Closed)
    drop = 1;
  EXCEPT (Socket_Failed)
    SocketLog_emitf (SOCKET_LOG_WARN, "Demo", "client error: %s",
                     Socket_GetLastError ());
    drop = 1;
  END_TRY;
  if (drop)
    drop_client (poll, client);
}

static void
accept_clients (SocketPoll_T poll, Socket_T server)
{
  Socket_T client;

  while ((client = Socket_accept (server)) != NULL)
    {
      if (nclients == MAX_CLIENTS)
        {
          Socket_free (&client); /* full: refuse by closing */
          continue;
        }
      clients[nclients++] = client;
      Socket_setnonblocking (client);
      Socket_setnodelay (client, 1);
      SocketPoll_add (poll, client, POLL_READ, client);
      SocketLog_emitf (SOCKET_LOG_INFO, "Demo", "client %s:%d connected",
                       Socket_getpeeraddr (client), Socket_getpeerport (client));
    }
}

static void *
self_test_client (void *arg)
{
  int port = *(int *)arg;
  Socket_T s = Socket_new (AF_INET, SOCK_STREAM, 0);
  int ok = 1;

  Socket_connect (s, "127.0.0.1", port);
  for (int i = 0; i < 100; i++)
    {
      char msg[64], echo[64];
      int len = snprintf (msg, sizeof msg, "round trip %d through libsocket", i);
      Socket_sendall (s, msg, (size_t)len);
      Socket_recvall (s, echo, (size_t)len);
      ok &= memcmp (msg, echo, (size_t)len) == 0;
    }
  Socket_free (&s);
  self_test_ok = ok;
  stop_requested = 1;
  return NULL;
}

static int
run_server (int port, int self_test)
{
  SocketPoll_T poll = SocketPoll_new (1024);
  Socket_T server = Socket_new (AF_INET, SOCK_STREAM, 0);
  pthread_t client;

  Socket_setreuseaddr (server);
  Socket_bind (server, "127.0.0.1", port);
  Socket_listen (server, 128);
  Socket_setnonblocking (server);
  port = Socket_getlocalport (server);
  SocketPoll_add (poll, server, POLL_READ, NULL);
  (void)SocketTimer_add_repeating (poll, self_test ? 50 : 10000, log_stats, NULL);
  printf ("\necho server listening on 127.0.0.1:%d%s\n", port,
          self_test ? " (self-test)" : " - try: nc 127.0.0.1 <port>; Ctrl-C stops");
  fflush (stdout);
  if (self_test)
    pthread_create (&client, NULL, self_test_client, &port);

  while (!stop_requested)
    {
      SocketEvent_T *events;
      int n = SocketPoll_wait (poll, &events, 200);
      for (int i = 0; i < n; i++)
        if (events[i].socket == server)
          accept_clients (poll, server);
        else
          serve_client (poll, events[i].socket);
    }
  if (self_test)
    pthread_join (client, NULL);
  while (nclients > 0)
    drop_client (poll, clients[nclients - 1]);
  SocketPoll_free (&poll); /* frees the timer too */
  Socket_free (&server);
  printf ("echo server stopped; %d socket(s) still open\n", Socket_debug_live_count ());
  return self_test ? (self_test_ok ? 0 : 1) : 0;
}

int
main (int argc, char **argv)
{
  int self_test = argc > 1 && strcmp (argv[1], "--self-test") == 0;
  const char *port_env = getenv ("SOCKET_DEMO_PORT");
  int port = self_test ? 0 : (port_env ? atoi (port_env) : 8080);

  printf ("libsocket %s demo\n", SOCKET_VERSION_STRING);
  printf ("features: TLS %s, HTTP compression %s\n\n",
          SocketSecurity_has_tls () ? "yes" : "no",
          SocketSecurity_has_compression () ? "yes" : "no");
  printf ("self-check:\n");
  check_exceptions ();
  check_crypto ();
  check_utf8 ();
  check_rate_limit ();
  print_metrics ();
  SocketLog_emitf (SOCKET_LOG_INFO, "Demo", "self-check finished: %d failure(s)",
                   failures);
  if (failures)
    {
      printf ("\ndemo: some checks FAILED\n");
      return 1;
    }
  signal (SIGINT, on_signal);
  signal (SIGTERM, on_signal);
  return run_server (port, self_test);
}
