/*
 * test_tls_interop.c - interoperability with the openssl CLI on loopback:
 * our client against `openssl s_server` (TLS 1.3 and 1.2, ALPN, client
 * certificate, stapled OCSP via -status_file, session resumption) and our
 * server against `openssl s_client` (verification, ALPN, TLS 1.2, client
 * certificate, OCSP stapling, resumption with -sess_out/-sess_in).
 *
 * Peers listen on 127.0.0.1:0 (s_server reports its port); every child is
 * reaped within a bounded time.
 */
#include <pthread.h>
#include <string.h>

#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "Test.h"

#define SETUP()                                                               \
  do                                                                          \
    {                                                                         \
      if (tls_test_certs_init () != 0)                                        \
        TEST_FAIL_ ("cannot generate test certificates");                     \
    }                                                                         \
  while (0)

#define ASSERT_CONTAINS(hay, needle)                                          \
  do                                                                          \
    {                                                                         \
      if (strstr ((hay), (needle)) == NULL)                                   \
        TEST_FAIL_ ("output does not contain \"%s\":\n%s", (needle), (hay));  \
    }                                                                         \
  while (0)

/* ------------------------------------------------------------------ */
/* Our client against openssl s_server                                */
/* ------------------------------------------------------------------ */

/* Start `openssl s_server -rev` with our test server certificate plus
 * @p extra (NULL-terminated). @return its port, 0 on failure. */
static int
start_s_server (TLSTestPeer *p, int naccept, const char *const *extra)
{
  char n[16];
  const char *argv[40] = { "openssl", "s_server", "-accept", "127.0.0.1:0",
                           "-cert", tls_cert ("server.crt"), "-cert_chain",
                           tls_cert ("int.crt"), "-key", tls_cert ("server.key"),
                           "-rev", "-naccept", n };
  int argc = 13;

  snprintf (n, sizeof n, "%d", naccept);
  for (; extra != NULL && *extra != NULL && argc < 38; extra++)
    argv[argc++] = *extra;
  argv[argc] = NULL;
  if (tls_peer_spawn (p, (char *const *)argv) != 0)
    return 0;
  return tls_peer_accept_port (p, 30000);
}

typedef struct ClientResult
{
  char version[16];
  char cipher[64];
  char alpn[32];
  int reused;
  int ocsp;
  char reply[64];
} ClientResult;

/* Connect, handshake, send "hello\n", read the reversed line, close. */
static void
client_talk (SocketTLSContext_T ctx, int port, ClientResult *r)
{
  Socket_T volatile s = Socket_new (AF_INET, SOCK_STREAM, 0);

  memset (r, 0, sizeof *r);
  TRY
  {
    size_t got = 0;
    Socket_connect (s, "127.0.0.1", port);
    Socket_settimeout (s, 30);
    SocketTLS_enable (s, ctx);
    SocketTLS_set_hostname (s, "localhost");
    if (SocketTLS_handshake_loop (s, 30000) != TLS_HANDSHAKE_COMPLETE)
      RAISE (SocketTLS_HandshakeFailed);
    snprintf (r->version, sizeof r->version, "%s", SocketTLS_get_version (s));
    snprintf (r->cipher, sizeof r->cipher, "%s", SocketTLS_get_cipher (s));
    snprintf (r->alpn, sizeof r->alpn, "%s",
              SocketTLS_get_alpn_selected (s) ? SocketTLS_get_alpn_selected (s)
                                              : "");
    SocketTLS_send (s, "hello\n", 6);
    while (got < sizeof r->reply - 1 && memchr (r->reply, '\n', got) == NULL)
      got += (size_t)SocketTLS_recv (s, r->reply + got,
                                     sizeof r->reply - 1 - got);
    r->reused = SocketTLS_is_session_reused (s);
    r->ocsp = SocketTLS_get_ocsp_status (s);
    SocketTLS_shutdown (s);
  }
  FINALLY
  {
    Socket_T tmp = s;
    Socket_free (&tmp);
  }
  END_TRY;
}

static SocketTLSContext_T
our_client (void)
{
  return SocketTLSContext_new_client (tls_cert ("ca.crt"));
}

TEST (client_vs_s_server_tls13)
{
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  c = our_client ();
  port = start_s_server (&p, 1, NULL);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  ASSERT_STREQ (r.version, "TLSv1.3");
  ASSERT_STREQ (r.cipher, "TLS_AES_256_GCM_SHA384");
  ASSERT_STREQ (r.reply, "olleh\n");
  ASSERT_EQ (r.ocsp, -1); /* nothing stapled */
  SocketTLSContext_free (&c);
}

TEST (client_vs_s_server_tls12)
{
  static const char *const tls12[] = { "-tls1_2", NULL };
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  c = our_client ();
  SocketTLSContext_set_min_protocol (c, TLS1_2_VERSION);
  port = start_s_server (&p, 1, tls12);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  ASSERT_STREQ (r.version, "TLSv1.2");
  ASSERT_STREQ (r.cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");
  ASSERT_STREQ (r.reply, "olleh\n");
  SocketTLSContext_free (&c);
}

TEST (default_client_rejects_tls12_s_server)
{
  static const char *const tls12[] = { "-tls1_2", NULL };
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  c = our_client ();
  port = start_s_server (&p, 1, tls12);
  ASSERT (port > 0);
  ASSERT_EQ (RAISES (SocketTLS_HandshakeFailed, client_talk (c, port, &r)), 1);
  ASSERT_CONTAINS (tls_error_buf, "protocol version");
  tls_peer_reap (&p, 5000);
  ASSERT_CONTAINS (p.out, "unsupported protocol");
  SocketTLSContext_free (&c);
}

TEST (client_vs_s_server_alpn)
{
  static const char *const alpn[] = { "-alpn", "h2,http/1.1", NULL };
  const char *both[] = { "http/1.1", "h2" }, *h1[] = { "http/1.1" };
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  c = our_client ();
  SocketTLSContext_set_alpn_protos (c, both, 2);
  port = start_s_server (&p, 2, alpn);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_STREQ (r.alpn, "h2"); /* s_server prefers its own order */
  SocketTLSContext_set_alpn_protos (c, h1, 1);
  client_talk (c, port, &r);
  ASSERT_STREQ (r.alpn, "http/1.1");
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  SocketTLSContext_free (&c);
}

TEST (client_certificate_to_s_server)
{
  static const char *const verify[] = { "-Verify", "2", "-CAfile", NULL, NULL };
  const char *args[5];
  SocketTLSContext_T c, nocert;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  memcpy (args, verify, sizeof args);
  args[3] = tls_cert ("ca.crt");
  c = our_client ();
  SocketTLSContext_load_certificate (c, tls_cert ("client-chain.pem"),
                                     tls_cert ("client.key"));
  port = start_s_server (&p, 2, args);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_STREQ (r.reply, "olleh\n");
  /* Without a certificate the server's alert ends the connection. */
  nocert = our_client ();
  ASSERT_EQ (RAISES (SocketTLS_Failed, client_talk (nocert, port, &r)),
             1);
  ASSERT_CONTAINS (tls_error_buf, "certificate required");
  tls_peer_reap (&p, 5000);
  ASSERT_CONTAINS (p.out, "CN = libsocket test client");
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&nocert);
}

TEST (client_reads_stapled_ocsp_from_s_server)
{
  const char *args[] = { "-status_file", NULL, NULL };
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;

  SETUP ();
  args[1] = tls_cert ("ocsp-good.der");
  c = our_client ();
  port = start_s_server (&p, 1, args);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  ASSERT_EQ (r.ocsp, 1);
  SocketTLSContext_free (&c);
}

TEST (client_resumes_with_s_server)
{
  static const char *const tls12[] = { "-tls1_2", NULL };
  SocketTLSContext_T c;
  TLSTestPeer p;
  ClientResult r;
  int port;
  size_t hits, misses;

  SETUP ();
  c = our_client ();
  SocketTLSContext_enable_session_cache (c, 0, 0);
  port = start_s_server (&p, 3, NULL);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  ASSERT_EQ (r.reused, 0);
  client_talk (c, port, &r);
  ASSERT_EQ (r.reused, 1);
  client_talk (c, port, &r);
  ASSERT_EQ (r.reused, 1);
  ASSERT_STREQ (r.reply, "olleh\n");
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  SocketTLSContext_get_cache_stats (c, &hits, &misses, NULL);
  ASSERT_EQ (hits, 2);
  ASSERT_EQ (misses, 1);
  /* TLS 1.2 (session tickets) as well. */
  SocketTLSContext_set_min_protocol (c, TLS1_2_VERSION);
  port = start_s_server (&p, 2, tls12);
  ASSERT (port > 0);
  client_talk (c, port, &r);
  client_talk (c, port, &r);
  ASSERT_STREQ (r.version, "TLSv1.2");
  ASSERT_EQ (r.reused, 1);
  ASSERT_EQ (tls_peer_reap (&p, 30000), 0);
  SocketTLSContext_free (&c);
}

/* ------------------------------------------------------------------ */
/* openssl s_client against our server                                */
/* ------------------------------------------------------------------ */

typedef struct Server
{
  SocketTLSContext_T ctx;
  Socket_T listener;
  int port;
  int conns;          /* connections to serve */
  int served;         /* completed with an echo */
  int reused;         /* of the last connection */
  long verify;        /* of the last connection */
  char alpn[32];      /* of the last connection */
  char version[16];   /* of the last connection */
  char error[256];    /* last failure */
  pthread_t th;
} Server;

/* One connection: handshake, read a line, answer "pong:<line>", close. */
static void
serve_one (Server *sv, Socket_T s)
{
  char buf[128], out[160];
  ssize_t n;

  Socket_settimeout (s, 30);
  SocketTLS_enable (s, sv->ctx);
  if (SocketTLS_handshake_loop (s, 30000) != TLS_HANDSHAKE_COMPLETE)
    RAISE (SocketTLS_HandshakeFailed);
  snprintf (sv->alpn, sizeof sv->alpn, "%s",
            SocketTLS_get_alpn_selected (s) ? SocketTLS_get_alpn_selected (s)
                                            : "");
  snprintf (sv->version, sizeof sv->version, "%s", SocketTLS_get_version (s));
  sv->reused = SocketTLS_is_session_reused (s);
  sv->verify = SocketTLS_get_verify_result (s);
  n = SocketTLS_recv (s, buf, sizeof buf - 1);
  buf[n] = '\0';
  snprintf (out, sizeof out, "pong:%s", buf);
  SocketTLS_send (s, out, strlen (out));
  SocketTLS_shutdown (s);
  sv->served++;
}

/* Accept one connection (within 10 s) and serve it. 0 if none came. */
static int
accept_one (Server *sv)
{
  struct pollfd pfd = { Socket_fd (sv->listener), POLLIN, 0 };
  Socket_T volatile s = NULL;

  if (poll (&pfd, 1, 10000) <= 0)
    return 0;
  TRY
  {
    s = Socket_accept (sv->listener);
    serve_one (sv, s);
  }
  ELSE snprintf (sv->error, sizeof sv->error, "%s",
                 Except_frame.exception->reason);
  FINALLY
  {
    Socket_T tmp = s;
    Socket_free (&tmp);
  }
  END_TRY;
  return 1;
}

static void *
server_main (void *arg)
{
  Server *sv = arg;

  for (int i = 0; i < sv->conns && accept_one (sv); i++)
    ;
  return NULL;
}

static void
server_start (Server *sv, SocketTLSContext_T ctx, int conns)
{
  memset (sv, 0, sizeof *sv);
  sv->ctx = ctx;
  sv->conns = conns;
  sv->listener = tls_test_listen (&sv->port);
  pthread_create (&sv->th, NULL, server_main, sv);
}

static void
server_stop (Server *sv)
{
  pthread_join (sv->th, NULL);
  Socket_free (&sv->listener);
}

/* Run s_client against @p port with @p extra args, send "ping".
 * @return its exit status (output in p->out). */
static int
run_s_client (TLSTestPeer *p, int port, const char *const *extra)
{
  char addr[32];
  const char *argv[40] = { "openssl", "s_client", "-connect", addr,
                           "-CAfile", tls_cert ("ca.crt"), "-servername",
                           "localhost", "-verify_return_error" };
  int argc = 9;

  snprintf (addr, sizeof addr, "127.0.0.1:%d", port);
  for (; extra != NULL && *extra != NULL && argc < 38; extra++)
    argv[argc++] = *extra;
  argv[argc] = NULL;
  if (tls_peer_spawn (p, (char *const *)argv) != 0)
    return -1;
  tls_peer_write (p, "ping\n");
  tls_peer_wait_for (p, "pong:ping", 30000);
  return tls_peer_reap (p, 30000); /* we sent close_notify: it exits */
}

static SocketTLSContext_T
our_server (void)
{
  return SocketTLSContext_new_server (tls_cert ("server-chain.pem"),
                                      tls_cert ("server.key"),
                                      tls_cert ("ca.crt"));
}

TEST (s_client_vs_server_tls13_alpn)
{
  static const char *const alpn[] = { "-alpn", "http/1.1,h2", NULL };
  const char *protos[] = { "h2", "http/1.1" };
  SocketTLSContext_T s;
  TLSTestPeer p;
  Server sv;

  SETUP ();
  s = our_server ();
  SocketTLSContext_set_alpn_protos (s, protos, 2);
  server_start (&sv, s, 1);
  ASSERT_EQ (run_s_client (&p, sv.port, alpn), 0);
  server_stop (&sv);
  ASSERT_EQ (sv.served, 1);
  ASSERT_CONTAINS (p.out, "pong:ping");
  ASSERT_CONTAINS (p.out, "Verification: OK");
  ASSERT_CONTAINS (p.out, "New, TLSv1.3");
  ASSERT_CONTAINS (p.out, "ALPN protocol: h2");
  ASSERT_STREQ (sv.alpn, "h2");
  SocketTLSContext_free (&s);
}

TEST (s_client_vs_server_tls12)
{
  static const char *const tls12[] = { "-tls1_2", NULL };
  SocketTLSContext_T s;
  TLSTestPeer p;
  Server sv;

  SETUP ();
  s = our_server ();
  SocketTLSContext_set_min_protocol (s, TLS1_2_VERSION);
  server_start (&sv, s, 1);
  ASSERT_EQ (run_s_client (&p, sv.port, tls12), 0);
  server_stop (&sv);
  ASSERT_EQ (sv.served, 1);
  ASSERT_STREQ (sv.version, "TLSv1.2");
  ASSERT_CONTAINS (p.out, "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384");
  SocketTLSContext_free (&s);
}

TEST (s_client_renegotiation_refused)
{
  static const char *const tls12[] = { "-tls1_2", NULL };
  SocketTLSContext_T s;
  TLSTestPeer p;
  Server sv;
  char addr[32];
  const char *argv[] = { "openssl", "s_client", "-connect", addr, "-CAfile",
                         tls_cert ("ca.crt"), "-servername", "localhost",
                         tls12[0], NULL };

  SETUP ();
  s = our_server ();
  SocketTLSContext_set_min_protocol (s, TLS1_2_VERSION);
  server_start (&sv, s, 1);
  snprintf (addr, sizeof addr, "127.0.0.1:%d", sv.port);
  ASSERT_EQ (tls_peer_spawn (&p, (char *const *)argv), 0);
  tls_peer_wait_for (&p, "Verify return code", 30000);
  tls_peer_write (&p, "R\n"); /* s_client: renegotiate */
  tls_peer_wait_for (&p, "no renegotiation", 30000);
  tls_peer_reap (&p, 5000);
  server_stop (&sv);
  ASSERT_CONTAINS (p.out, "RENEGOTIATING");
  ASSERT_CONTAINS (p.out, "no renegotiation");
  ASSERT_EQ (sv.served, 0);
  ASSERT_CONTAINS (sv.error, "alert");
  SocketTLSContext_free (&s);
}

TEST (s_client_certificate_and_stapling)
{
  const char *args[] = { "-cert", NULL, "-cert_chain", NULL, "-key", NULL,
                         "-status", NULL };
  SocketTLSContext_T s;
  unsigned char *der;
  size_t len;
  TLSTestPeer p;
  Server sv;

  SETUP ();
  args[1] = tls_cert ("client.crt");
  args[3] = tls_cert ("int.crt");
  args[5] = tls_cert ("client.key");
  s = our_server ();
  SocketTLSContext_set_verify_mode (s, TLS_VERIFY_PEER
                                           | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  der = tls_read_file (tls_cert ("ocsp-good.der"), &len);
  ASSERT (der != NULL);
  SocketTLSContext_set_ocsp_response (s, der, len);
  free (der);
  server_start (&sv, s, 1);
  ASSERT_EQ (run_s_client (&p, sv.port, args), 0);
  server_stop (&sv);
  ASSERT_EQ (sv.served, 1);
  ASSERT_EQ (sv.verify, X509_V_OK);
  ASSERT_CONTAINS (p.out, "Acceptable client certificate CA names\n"
                          "CN = libsocket Test Root CA");
  ASSERT_CONTAINS (p.out, "OCSP Response Status: successful");
  ASSERT_CONTAINS (p.out, "Cert Status: good");
  SocketTLSContext_free (&s);
}

TEST (s_client_resumes_with_server)
{
  const char *out[] = { "-sess_out", NULL, NULL };
  const char *in[] = { "-sess_in", NULL, NULL };
  SocketTLSContext_T s;
  unsigned char key[SOCKET_TLS_TICKET_KEY_LEN];
  TLSTestPeer p;
  Server sv;

  SETUP ();
  out[1] = in[1] = tls_cert ("s_client.sess");
  for (int mode = 0; mode < 2; mode++)
    {
      s = our_server ();
      if (mode == 0)
        SocketTLSContext_enable_session_cache (s, 0, 0);
      else
        {
          memset (key, 0x5a, sizeof key);
          SocketTLSContext_enable_session_tickets (s, key, sizeof key);
        }
      server_start (&sv, s, 2);
      ASSERT_EQ (run_s_client (&p, sv.port, out), 0);
      ASSERT_CONTAINS (p.out, "New, TLSv1.3");
      ASSERT_EQ (run_s_client (&p, sv.port, in), 0);
      ASSERT_CONTAINS (p.out, "Reused, TLSv1.3");
      server_stop (&sv);
      ASSERT_EQ (sv.served, 2);
      ASSERT_EQ (sv.reused, 1);
      SocketTLSContext_free (&s);
    }
}

TEST_MAIN ()
