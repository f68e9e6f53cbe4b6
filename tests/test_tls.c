/*
 * test_tls.c - TLS contexts and connections, our client against our server
 * on loopback: protocol versions, ciphers, SNI, ALPN, sessions and tickets,
 * client certificates, CRL refresh, OCSP stapling, pinning, verify
 * callbacks, buffered plaintext, handshake_loop, SocketPoll integration,
 * shared contexts across threads. Certificates are generated at run time.
 */
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "Test.h"
#include "poll/SocketPoll.h"

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

static SocketTLSContext_T
server_ctx (void)
{
  return SocketTLSContext_new_server (tls_cert ("server-chain.pem"),
                                      tls_cert ("server.key"), NULL);
}

static SocketTLSContext_T
client_ctx (void)
{
  return SocketTLSContext_new_client (tls_cert ("ca.crt"));
}

typedef struct Pair
{
  Socket_T c, s;
} Pair;

/* TCP pair with TLS enabled on both ends; @p host may be NULL. */
static void
pair_open (Pair *p, SocketTLSContext_T cctx, SocketTLSContext_T sctx,
           const char *host)
{
  tls_test_pair (listener_, port_, &p->c, &p->s);
  SocketTLS_enable (p->c, cctx);
  SocketTLS_enable (p->s, sctx);
  if (host != NULL)
    SocketTLS_set_hostname (p->c, host);
}

static void
pair_close (Pair *p)
{
  Socket_free (&p->c);
  Socket_free (&p->s);
}

/* Send @p n pattern bytes from @p a to @p b (non-blocking, interleaved).
 * 1 if all arrived intact within 5 s. */
static int
transfer (Socket_T a, Socket_T b, size_t n, unsigned seed)
{
  static unsigned char out[65536], in[65536];
  size_t sent = 0, got = 0;
  int64_t end = test_now_ms () + 5000;

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
static int
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

/* ------------------------------------------------------------------ */

TEST (context_basics)
{
  SocketTLSContext_T s, c, sys;

  SETUP ();
  s = server_ctx ();
  c = client_ctx ();
  sys = SocketTLSContext_new_client (NULL);
  ASSERT_EQ (SocketTLSContext_is_server (s), 1);
  ASSERT_EQ (SocketTLSContext_is_server (c), 0);
  ASSERT (SocketTLSContext_get_ssl_ctx (s) != NULL);
  ASSERT_EQ (SSL_CTX_get_min_proto_version (SocketTLSContext_get_ssl_ctx (c)),
             TLS1_3_VERSION);
  ASSERT (SSL_CTX_get_options (SocketTLSContext_get_ssl_ctx (s))
          & SSL_OP_NO_RENEGOTIATION);
  ASSERT (SSL_CTX_get_options (SocketTLSContext_get_ssl_ctx (s))
          & SSL_OP_NO_COMPRESSION);
  SocketTLSContext_free (&s);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&sys);
  ASSERT (s == NULL && c == NULL);
  SocketTLSContext_free (&s);
  SocketTLSContext_free (NULL);
}

TEST (context_bad_input_raises)
{
  SocketTLSContext_T c;
  const char *none[] = { "" };
  unsigned char key[79] = { 0 };

  SETUP ();
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_new_server (
                                           "/nonexistent.pem",
                                           tls_cert ("server.key"), NULL)),
             1);
  ASSERT (strstr (tls_error_buf, "/nonexistent.pem") != NULL);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_new_server (tls_cert ("server.crt"),
                                                  tls_cert ("client.key"),
                                                  NULL)),
             1);
  ASSERT (strstr (tls_error_buf, "client.key") != NULL);
  ASSERT (strstr (tls_error_buf, "mismatch") != NULL);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_new_server (
                                           NULL, tls_cert ("server.key"), NULL)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_new_client ("/nonexistent-ca.pem")),
             1);
  c = client_ctx ();
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_min_protocol (c, TLS1_1_VERSION)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_max_protocol (c, 0x0300)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_cipher_list (c, "NOT-A-CIPHER")),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_cipher_list (c, "TLS_BOGUS")),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_alpn_protos (c, none, 1)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_alpn_protos (c, NULL, 0)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_verify_mode (c, (TLSVerifyMode)8)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_enable_session_tickets (
                                           c, key, sizeof key)),
             1); /* client context */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_pin_hex (c, "abcd")),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_load_crl (c, tls_cert ("ca.crt"))),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         c, "www.example.com", tls_cert ("www.crt"),
                         tls_cert ("www.key"))),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_set_ocsp_response (
                                           c, (const unsigned char *)"x", 1)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_is_server (NULL)), 1);
  SocketTLSContext_free (&c);
}

TEST (server_context_bad_input_raises)
{
  SocketTLSContext_T s;
  unsigned char key[79] = { 0 };

  SETUP ();
  s = server_ctx ();
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_enable_session_tickets (
                                           s, key, sizeof key)),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         s, "bad host!", tls_cert ("www.crt"),
                         tls_cert ("www.key"))),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         s, "*.com", tls_cert ("www.crt"), tls_cert ("www.key"))),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         s, "www.example.com", tls_cert ("www.crt"),
                         tls_cert ("client.key"))),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_set_ocsp_response (
                                           s, (const unsigned char *)"junk", 4)),
             1);
  ASSERT (strstr (tls_error_buf, "OCSPResponse") != NULL);
  SocketTLSContext_free (&s);
}

TEST (handshake_tls13_and_data)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  char buf[256];

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (SocketTLS_get_cipher (p.c) == NULL);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_send (p.c, "x", 1)), 1);
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_STREQ (SocketTLS_get_version (p.c), "TLSv1.3");
  ASSERT_STREQ (SocketTLS_get_version (p.s), "TLSv1.3");
  ASSERT_STREQ (SocketTLS_get_cipher (p.c), "TLS_AES_256_GCM_SHA384");
  ASSERT_EQ (SocketTLS_get_verify_result (p.c), X509_V_OK);
  ASSERT (SocketTLS_get_verify_error_string (p.c, buf, sizeof buf) == NULL);
  ASSERT_EQ (SocketTLS_is_session_reused (p.c), 0);
  ASSERT (SocketTLS_get_alpn_selected (p.c) == NULL);
  ASSERT_EQ (SocketTLS_handshake (p.c), TLS_HANDSHAKE_COMPLETE);
  ASSERT (transfer (p.c, p.s, 65536, 7));
  ASSERT (transfer (p.s, p.c, 40000, 8));
  /* close_notify: the peer sees Socket_Closed, further sends fail. */
  SocketTLS_shutdown (p.c);
  SocketTLS_shutdown (p.c);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_send (p.c, "x", 1)), 1);
  test_sleep_ms (20);
  ASSERT_EQ (RAISES (Socket_Closed, SocketTLS_recv (p.s, buf, sizeof buf)), 1);
  ASSERT (strstr (tls_error_buf, "close_notify") != NULL);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (handshake_tls12_when_configured)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_set_min_protocol (cctx, TLS1_2_VERSION);
  SocketTLSContext_set_min_protocol (sctx, TLS1_2_VERSION);
  SocketTLSContext_set_max_protocol (sctx, TLS1_2_VERSION);
  SocketTLSContext_set_cipher_list (sctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_STREQ (SocketTLS_get_version (p.c), "TLSv1.2");
  ASSERT_STREQ (SocketTLS_get_cipher (p.c), "ECDHE-ECDSA-AES128-GCM-SHA256");
  ASSERT (transfer (p.c, p.s, 20000, 3));
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (tls13_ciphersuite_selection)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_set_cipher_list (cctx, "TLS_CHACHA20_POLY1305_SHA256");
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_STREQ (SocketTLS_get_cipher (p.s), "TLS_CHACHA20_POLY1305_SHA256");
  pair_close (&p);
  SocketTLSContext_set_cipher_list (cctx, NULL);
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_STREQ (SocketTLS_get_cipher (p.s), "TLS_AES_256_GCM_SHA384");
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (hostname_forms)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  /* IP literal checks the IP SAN; no name at all checks the peer address. */
  ASSERT (roundtrip (cctx, sctx, "127.0.0.1", NULL));
  ASSERT (roundtrip (cctx, sctx, NULL, NULL));
  ASSERT (roundtrip (cctx, sctx, "LOCALHOST", NULL));
  pair_open (&p, cctx, sctx, NULL);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, "bad host")),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, "a..b")),
             1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, NULL)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.s, "x.y")), 1);
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, "x.y")), 1);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (enable_misuse_raises)
{
  SocketTLSContext_T cctx;
  Socket_T unconnected;
  Pair p;
  char b[4];

  SETUP ();
  cctx = client_ctx ();
  unconnected = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (unconnected, cctx)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (NULL, cctx)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_handshake (unconnected)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_get_version (unconnected)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_get_ocsp_status (unconnected)),
             1);
  Socket_free (&unconnected);
  tls_test_pair (listener_, port_, &p.c, &p.s);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (p.c, NULL)), 1);
  SocketTLS_enable (p.c, cctx);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (p.c, cctx)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_recv (p.c, b, sizeof b)), 1);
  /* No TLS on p.s: freeing both must release exactly the client state. */
  pair_close (&p);
  SocketTLSContext_free (&cctx);
}

TEST (context_outlives_caller_reference)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT (transfer (p.c, p.s, 5000, 4));
  pair_close (&p);
}

/* ------------------------------------------------------------------ */
/* SNI and ALPN                                                       */
/* ------------------------------------------------------------------ */

TEST (sni_exact_and_wildcard)
{
  SocketTLSContext_T cctx, sctx;
  TLSSide c, s;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_add_certificate (sctx, "www.example.com", tls_cert ("www-chain.pem"),
                                    tls_cert ("www.key"));
  SocketTLSContext_add_certificate (sctx, "*.api.example.com",
                                    tls_cert ("wild-chain.pem"),
                                    tls_cert ("wild.key"));
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         sctx, "WWW.example.com", tls_cert ("www-chain.pem"),
                         tls_cert ("www.key"))),
             1); /* duplicate */
  /* Each name verifies only if the server picked that name's cert. */
  ASSERT (roundtrip (cctx, sctx, "www.example.com", NULL));
  ASSERT (roundtrip (cctx, sctx, "WWW.Example.COM", NULL));
  ASSERT (roundtrip (cctx, sctx, "v1.api.example.com", NULL));
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL)); /* default cert */
  /* The wildcard covers one label only: default cert, name mismatch. */
  pair_open (&p, cctx, sctx, "a.b.api.example.com");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 5000));
  ASSERT (c.exc == &SocketTLS_VerifyFailed);
  ASSERT (strstr (c.msg, "a.b.api.example.com") != NULL);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

static const char *
pick_http11 (const char **protos, size_t n, void *ud)
{
  *(size_t *)ud = n;
  for (size_t i = 0; i < n; i++)
    if (strcmp (protos[i], "http/1.1") == 0)
      return "http/1.1";
  return NULL;
}

static const char *
pick_none (const char **protos, size_t n, void *ud)
{
  (void)protos;
  (void)n;
  (void)ud;
  return NULL;
}

static const char *
alpn_of (SocketTLSContext_T cctx, SocketTLSContext_T sctx, TLSSide *c)
{
  static char result[64];
  TLSSide s;
  Pair p;

  pair_open (&p, cctx, sctx, "localhost");
  if (tls_test_pump (p.c, p.s, c, &s, 5000))
    snprintf (result, sizeof result, "%s",
              SocketTLS_get_alpn_selected (p.c) ? SocketTLS_get_alpn_selected (p.c)
                                                : "(none)");
  else
    snprintf (result, sizeof result, "(failed)");
  pair_close (&p);
  return result;
}

TEST (alpn_negotiation)
{
  const char *server_protos[] = { "h2", "http/1.1" };
  const char *client_protos[] = { "http/1.1", "h2" };
  const char *spdy[] = { "spdy/3" };
  SocketTLSContext_T cctx, sctx;
  size_t seen = 0;
  TLSSide c;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "(none)");
  SocketTLSContext_set_alpn_protos (cctx, client_protos, 2);
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "(none)"); /* server has no list */
  SocketTLSContext_set_alpn_protos (sctx, server_protos, 2);
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "h2"); /* server preference */
  SocketTLSContext_set_alpn_protos (cctx, spdy, 1);
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "(failed)");
  ASSERT (c.exc == &SocketTLS_HandshakeFailed);
  ASSERT (strstr (c.msg, "no application protocol") != NULL);
  SocketTLSContext_set_alpn_protos (cctx, client_protos, 2);
  SocketTLSContext_set_alpn_callback (sctx, pick_http11, &seen);
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "http/1.1");
  ASSERT_EQ (seen, 2);
  SocketTLSContext_set_alpn_callback (sctx, pick_none, NULL);
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "(none)");
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* Sessions                                                           */
/* ------------------------------------------------------------------ */

static void
ticket_key (unsigned char key[SOCKET_TLS_TICKET_KEY_LEN], unsigned char seed)
{
  for (int i = 0; i < SOCKET_TLS_TICKET_KEY_LEN; i++)
    key[i] = (unsigned char)(seed * 31 + i);
}

TEST (session_cache_resumption)
{
  SocketTLSContext_T cctx, sctx;
  size_t hits, misses, stores;
  int reused;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0); /* resumption is off by default */
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  SocketTLSContext_enable_session_cache (sctx, 100, 60);
  SocketTLSContext_enable_session_cache (cctx, 10, 60);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  /* Another server name is another cache key. */
  ASSERT (roundtrip (cctx, sctx, "127.0.0.1", &reused));
  ASSERT_EQ (reused, 0);
  SocketTLSContext_get_cache_stats (sctx, &hits, &misses, &stores);
  ASSERT_EQ (hits, 2);
  ASSERT_EQ (misses, 0);
  ASSERT (stores >= 4);
  SocketTLSContext_get_cache_stats (cctx, &hits, &misses, &stores);
  ASSERT_EQ (hits, 2);
  ASSERT_EQ (misses, 2);
  ASSERT (stores >= 4);
  SocketTLSContext_get_cache_stats (cctx, NULL, NULL, NULL);
  /* A fresh server has no such session: offered but missed. */
  SocketTLSContext_free (&sctx);
  sctx = server_ctx ();
  SocketTLSContext_enable_session_cache (sctx, 0, 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  SocketTLSContext_get_cache_stats (sctx, &hits, &misses, NULL);
  ASSERT_EQ (hits, 0);
  ASSERT_EQ (misses, 1);
  SocketTLSContext_set_session_cache_size (cctx, 1);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (session_tickets_with_rotation)
{
  SocketTLSContext_T cctx, sctx, other;
  unsigned char k1[80], k2[80], k3[80];
  int reused;

  SETUP ();
  ticket_key (k1, 1);
  ticket_key (k2, 2);
  ticket_key (k3, 3);
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_enable_session_cache (cctx, 0, 0);
  SocketTLSContext_enable_session_tickets (sctx, k1, sizeof k1);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  /* Rotation: the ticket under k1 still works (and is renewed under k2). */
  SocketTLSContext_enable_session_tickets (sctx, k2, sizeof k2);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  SocketTLSContext_enable_session_tickets (sctx, k3, sizeof k3);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  /* Two rotations later the client's k2-era ticket was renewed under k3;
   * a server that only knows k1 cannot decrypt it: full handshake. */
  other = server_ctx ();
  SocketTLSContext_enable_session_tickets (other, k1, sizeof k1);
  ASSERT (roundtrip (cctx, other, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  /* Same key on another context (a second server process) resumes. */
  ASSERT (roundtrip (cctx, other, "localhost", &reused));
  ASSERT_EQ (reused, 1);
  SocketTLSContext_free (&other);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (session_resumption_tls12)
{
  SocketTLSContext_T cctx, sctx;
  unsigned char k[80];
  int reused;

  SETUP ();
  ticket_key (k, 9);
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_set_min_protocol (cctx, TLS1_2_VERSION);
  SocketTLSContext_set_max_protocol (cctx, TLS1_2_VERSION);
  SocketTLSContext_set_min_protocol (sctx, TLS1_2_VERSION);
  SocketTLSContext_enable_session_cache (cctx, 0, 0);
  SocketTLSContext_enable_session_cache (sctx, 0, 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1); /* session ID */
  SocketTLSContext_enable_session_tickets (sctx, k, sizeof k);
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT_EQ (reused, 1); /* ticket */
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* Client certificates, CRLs, OCSP, pins, verify callback             */
/* ------------------------------------------------------------------ */

typedef struct VerifyProbe
{
  int calls;
  int depth0_ok;
  int override; /* -1: keep OpenSSL's verdict; 0/1: force; 2: raise */
  Socket_T sock;
} VerifyProbe;

static int
verify_probe (int ok, X509_STORE_CTX *store, SocketTLSContext_T ctx,
              Socket_T sock, void *ud)
{
  VerifyProbe *v = ud;

  (void)ctx;
  v->calls++;
  v->sock = sock;
  if (X509_STORE_CTX_get_error_depth (store) == 0)
    v->depth0_ok = v->depth0_ok == -1 ? ok : (v->depth0_ok && ok);
  if (v->override == 2)
    RAISE (Socket_Failed);
  return v->override < 0 ? ok : v->override;
}

TEST (client_certificate_accepted)
{
  SocketTLSContext_T cctx, sctx;
  VerifyProbe v = { 0, -1, -1, NULL };
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = SocketTLSContext_new_server (tls_cert ("server-chain.pem"),
                                      tls_cert ("server.key"),
                                      tls_cert ("ca.crt"));
  SocketTLSContext_set_verify_mode (sctx, TLS_VERIFY_PEER
                                              | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  SocketTLSContext_set_verify_callback (sctx, verify_probe, &v);
  SocketTLSContext_load_certificate (cctx, tls_cert ("client-chain.pem"),
                                     tls_cert ("client.key"));
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT (transfer (p.s, p.c, 100, 1));
  ASSERT_EQ (SocketTLS_get_verify_result (p.s), X509_V_OK);
  ASSERT (v.calls >= 3); /* the server really checked the client chain */
  ASSERT_EQ (v.depth0_ok, 1);
  ASSERT (v.sock == p.s);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (crl_load_and_refresh)
{
  SocketTLSContext_T cctx, sctx;
  TLSSide c, s;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = SocketTLSContext_new_server (tls_cert ("revoked-chain.pem"),
                                      tls_cert ("revoked.key"), NULL);
  SocketTLSContext_load_crl (cctx, tls_cert ("crl-clean.pem"));
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  SocketTLSContext_refresh_crl (cctx, tls_cert ("crl.pem"));
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 5000));
  ASSERT (c.exc == &SocketTLS_VerifyFailed);
  ASSERT (strstr (c.msg, "revoked") != NULL);
  ASSERT_EQ (SocketTLS_get_verify_result (p.c), X509_V_ERR_CERT_REVOKED);
  pair_close (&p);
  /* Back to the clean list: the old CRL must really be gone. */
  SocketTLSContext_refresh_crl (cctx, tls_cert ("crl-clean.pem"));
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  /* A bad refresh changes nothing. */
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_refresh_crl (
                                           cctx, tls_cert ("server.key"))),
             1);
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

static unsigned char *ocsp_der_;
static size_t ocsp_len_;

static OCSP_RESPONSE *
gen_ocsp (SSL *ssl, void *arg)
{
  const unsigned char *p = ocsp_der_;

  (void)ssl;
  ++*(int *)arg;
  return ocsp_der_ ? d2i_OCSP_RESPONSE (NULL, &p, (long)ocsp_len_) : NULL;
}

static int
ocsp_status_of (SocketTLSContext_T cctx, SocketTLSContext_T sctx)
{
  Pair p;
  int st = -99;

  pair_open (&p, cctx, sctx, "localhost");
  if (tls_test_connect (p.c, p.s))
    st = SocketTLS_get_ocsp_status (p.c);
  if (SocketTLS_get_ocsp_status (p.s) != -1) /* servers never have one */
    st = -98;
  pair_close (&p);
  return st;
}

TEST (ocsp_stapling)
{
  SocketTLSContext_T cctx, sctx, rctx;
  unsigned char *good, *revoked;
  size_t good_len = 0, revoked_len = 0;
  int calls = 0;

  SETUP ();
  good = tls_read_file (tls_cert ("ocsp-good.der"), &good_len);
  revoked = tls_read_file (tls_cert ("ocsp-revoked.der"), &revoked_len);
  ASSERT (good != NULL && revoked != NULL);
  cctx = client_ctx ();
  sctx = server_ctx ();
  rctx = SocketTLSContext_new_server (tls_cert ("revoked-chain.pem"),
                                      tls_cert ("revoked.key"), NULL);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), -1);
  SocketTLSContext_set_ocsp_response (sctx, good, good_len);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), 1);
  SocketTLSContext_set_ocsp_response (rctx, revoked, revoked_len);
  ASSERT_EQ (ocsp_status_of (cctx, rctx), 0);
  /* A response about another certificate is unusable. */
  SocketTLSContext_set_ocsp_response (sctx, revoked, revoked_len);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), -2);
  SocketTLSContext_set_ocsp_response (sctx, NULL, 0);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), -1);
  /* Generator callback. */
  ocsp_der_ = good;
  ocsp_len_ = good_len;
  SocketTLSContext_set_ocsp_gen_callback (sctx, gen_ocsp, &calls);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), 1);
  ASSERT_EQ (calls, 1);
  ocsp_der_ = NULL;
  ASSERT_EQ (ocsp_status_of (cctx, sctx), -1);
  ASSERT_EQ (calls, 2);
  free (good);
  free (revoked);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  SocketTLSContext_free (&rctx);
}

/* SHA-256 of the SPKI of the first certificate of @p file, as hex. */
static void
spki_hex (const char *file, char out[65])
{
  FILE *f = fopen (file, "r");
  X509 *x = f ? PEM_read_X509 (f, NULL, NULL, NULL) : NULL;
  unsigned char *der = NULL, md[32];
  int len = x ? i2d_X509_PUBKEY (X509_get_X509_PUBKEY (x), &der) : -1;

  out[0] = '\0';
  if (len > 0 && EVP_Digest (der, (size_t)len, md, NULL, EVP_sha256 (), NULL))
    for (int i = 0; i < 32; i++)
      sprintf (out + 2 * i, "%02X", md[i]);
  OPENSSL_free (der);
  X509_free (x);
  if (f)
    fclose (f);
}

TEST (pinning_accepts_any_chain_member)
{
  SocketTLSContext_T cctx, sctx;
  char hex[65];
  unsigned char zero[32] = { 0 };
  FILE *f;
  X509 *x;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  ASSERT_EQ (SocketTLSContext_has_pins (cctx), 0);
  ASSERT_EQ (SocketTLSContext_get_pin_enforcement (cctx), 1);
  SocketTLSContext_add_pin (cctx, zero);
  SocketTLSContext_add_pin (cctx, zero); /* duplicate ignored */
  ASSERT_EQ (SocketTLSContext_get_pin_count (cctx), 1);
  ASSERT_EQ (SocketTLSContext_verify_pin (cctx, zero), 1);
  /* Pin of the leaf, from the certificate file. */
  SocketTLSContext_add_pin_from_cert (cctx, tls_cert ("server.crt"));
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  /* Only the intermediate pinned (hex, lower case) also passes. */
  SocketTLSContext_clear_pins (cctx);
  ASSERT_EQ (SocketTLSContext_has_pins (cctx), 0);
  spki_hex (tls_cert ("int.crt"), hex);
  ASSERT_EQ (strlen (hex), 64);
  for (char *p = hex; *p; p++)
    *p = (char)tolower ((unsigned char)*p);
  SocketTLSContext_add_pin_hex (cctx, hex);
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  /* From an X509 object; verify_cert_pin agrees. */
  f = fopen (tls_cert ("ca.crt"), "r");
  x = PEM_read_X509 (f, NULL, NULL, NULL);
  fclose (f);
  SocketTLSContext_clear_pins (cctx);
  ASSERT_EQ (SocketTLSContext_verify_cert_pin (cctx, x), 0);
  SocketTLSContext_add_pin_from_x509 (cctx, x);
  ASSERT_EQ (SocketTLSContext_verify_cert_pin (cctx, x), 1);
  X509_free (x);
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL)); /* root is in chain */
  /* Mismatch with enforcement off: allowed (logged). */
  SocketTLSContext_clear_pins (cctx);
  SocketTLSContext_add_pin (cctx, zero);
  SocketTLSContext_set_pin_enforcement (cctx, 0);
  ASSERT_EQ (SocketTLSContext_get_pin_enforcement (cctx), 0);
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL));
  for (int i = 1; i < SOCKET_TLS_MAX_PINS; i++)
    {
      unsigned char h[32] = { (unsigned char)i };
      SocketTLSContext_add_pin (cctx, h);
    }
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_pin (cctx, (unsigned char[32]){ 0xff })),
             1);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (verify_callback)
{
  SocketTLSContext_T cctx, sctx, self;
  VerifyProbe v = { 0, -1, -1, NULL };
  TLSSide c, s;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  self = SocketTLSContext_new_server (tls_cert ("selfsigned.crt"),
                                      tls_cert ("selfsigned.key"), NULL);
  SocketTLSContext_set_verify_callback (cctx, verify_probe, &v);
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT (v.calls >= 3); /* root, intermediate, leaf */
  ASSERT_EQ (v.depth0_ok, 1);
  ASSERT (v.sock == p.c);
  pair_close (&p);
  /* Rejecting, and raising, both fail verification. */
  v.override = 0;
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 5000));
  ASSERT (c.exc == &SocketTLS_VerifyFailed);
  pair_close (&p);
  v.override = 2;
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 5000));
  ASSERT (c.exc == &SocketTLS_VerifyFailed);
  ASSERT (strstr (c.msg, "callback") != NULL);
  pair_close (&p);
  /* Accepting what OpenSSL rejected (a self-signed server). */
  v.override = 1;
  v.depth0_ok = -1;
  ASSERT (roundtrip (cctx, self, "localhost", NULL));
  ASSERT_EQ (v.depth0_ok, 0);
  SocketTLSContext_set_verify_callback (cctx, NULL, NULL);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  SocketTLSContext_free (&self);
}

TEST (ca_directory_and_verify_none)
{
  SocketTLSContext_T dctx, nctx, sctx, self;

  SETUP ();
  dctx = SocketTLSContext_new_client (tls_cert ("ca-dir"));
  sctx = server_ctx ();
  ASSERT (roundtrip (dctx, sctx, "localhost", NULL));
  nctx = SocketTLSContext_new_client (NULL);
  SocketTLSContext_set_verify_mode (nctx, TLS_VERIFY_NONE);
  self = SocketTLSContext_new_server (tls_cert ("selfsigned.crt"),
                                      tls_cert ("selfsigned.key"), NULL);
  ASSERT (roundtrip (nctx, self, NULL, NULL));
  SocketTLSContext_load_ca (nctx, tls_cert ("selfsigned.crt"));
  SocketTLSContext_set_verify_mode (nctx, TLS_VERIFY_PEER);
  ASSERT (roundtrip (nctx, self, "localhost", NULL));
  SocketTLSContext_free (&dctx);
  SocketTLSContext_free (&nctx);
  SocketTLSContext_free (&sctx);
  SocketTLSContext_free (&self);
}

/* ------------------------------------------------------------------ */
/* I/O semantics                                                      */
/* ------------------------------------------------------------------ */

TEST (recv_never_loses_buffered_plaintext)
{
  SocketTLSContext_T cctx, sctx;
  static unsigned char big[16000], in[16000];
  volatile size_t got = 0;
  volatile int closed = 0;
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  test_fill (big, sizeof big, 0, 5);
  ASSERT_EQ (SocketTLS_send (p.s, big, sizeof big), (ssize_t)sizeof big);
  SocketTLS_shutdown (p.s); /* data and close_notify back to back */
  test_sleep_ms (20);
  /* Small reads drain one decrypted record before the end is reported. */
  while (!closed && got <= sizeof in)
    {
      TRY
      {
        char small[100];
        ssize_t n = SocketTLS_recv (p.c, small, sizeof small);
        if (n > 0 && got + (size_t)n <= sizeof in)
          memcpy (in + got, small, (size_t)n);
        got += (size_t)n;
        if (n == 0)
          test_sleep_ms (1);
      }
      EXCEPT (Socket_Closed) closed = 1;
      END_TRY;
    }
  ASSERT_EQ (got, sizeof big);
  ASSERT (closed);
  ASSERT (memcmp (in, big, sizeof big) == 0);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

typedef struct EchoServer
{
  Socket_T sock;
  SocketTLSContext_T ctx;
  volatile int ok;
} EchoServer;

/* Blocking server thread: handshake_loop, echo one message, close_notify. */
static void *
echo_server (void *arg)
{
  EchoServer *e = arg;
  char buf[256];

  TRY
  {
    SocketTLS_enable (e->sock, e->ctx);
    if (SocketTLS_handshake_loop (e->sock, 5000) == TLS_HANDSHAKE_COMPLETE)
      {
        ssize_t n = SocketTLS_recv (e->sock, buf, sizeof buf);
        e->ok = SocketTLS_send (e->sock, buf, (size_t)n) == n;
        SocketTLS_shutdown (e->sock);
      }
  }
  ELSE e->ok = 0;
  END_TRY;
  return NULL;
}

TEST (handshake_loop_blocking)
{
  SocketTLSContext_T cctx;
  EchoServer e = { NULL, NULL, 0 };
  Socket_T c;
  pthread_t th;
  char buf[64];
  int flags;

  SETUP ();
  cctx = client_ctx ();
  e.ctx = server_ctx ();
  tls_test_pair (listener_, port_, &c, &e.sock);
  pthread_create (&th, NULL, echo_server, &e);
  SocketTLS_enable (c, cctx);
  SocketTLS_set_hostname (c, "localhost");
  ASSERT_EQ (SocketTLS_handshake_loop (c, 5000), TLS_HANDSHAKE_COMPLETE);
  flags = fcntl (Socket_fd (c), F_GETFL);
  ASSERT ((flags & O_NONBLOCK) == 0); /* mode restored */
  ASSERT_EQ (SocketTLS_send (c, "ping", 4), 4);
  ASSERT_EQ (SocketTLS_recv (c, buf, sizeof buf), 4);
  ASSERT (memcmp (buf, "ping", 4) == 0);
  ASSERT_EQ (RAISES (Socket_Closed, SocketTLS_recv (c, buf, sizeof buf)), 1);
  pthread_join (th, NULL);
  ASSERT (e.ok);
  Socket_free (&c);
  Socket_free (&e.sock);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&e.ctx);
}

TEST (handshake_loop_times_out)
{
  SocketTLSContext_T cctx;
  Socket_T c, silent;
  int64_t t0, dt;

  SETUP ();
  cctx = client_ctx ();
  tls_test_pair (listener_, port_, &c, &silent); /* peer never answers */
  SocketTLS_enable (c, cctx);
  SocketTLS_set_hostname (c, "localhost");
  t0 = test_now_ms ();
  ASSERT_EQ (SocketTLS_handshake_loop (c, 200), TLS_HANDSHAKE_WANT_READ);
  dt = test_now_ms () - t0;
  ASSERT (dt >= 190 && dt < 2000);
  ASSERT_EQ (SocketTLS_handshake_loop (c, 0), TLS_HANDSHAKE_WANT_READ);
  ASSERT ((fcntl (Socket_fd (c), F_GETFL) & O_NONBLOCK) == 0);
  Socket_free (&c);
  Socket_free (&silent);
  SocketTLSContext_free (&cctx);
}

/* Map a handshake state to the events to wait for. */
static unsigned
want_events (TLSHandshakeState st)
{
  return st == TLS_HANDSHAKE_WANT_WRITE ? POLL_WRITE : POLL_READ;
}

TEST (handshake_with_socketpoll)
{
  SocketTLSContext_T cctx, sctx;
  SocketPoll_T poll;
  Pair p;
  int done = 0, rounds = 0;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  Socket_setnonblocking (p.c);
  Socket_setnonblocking (p.s);
  poll = SocketPoll_new (8);
  SocketPoll_add (poll, p.c, want_events (SocketTLS_handshake (p.c)), NULL);
  SocketPoll_add (poll, p.s, want_events (SocketTLS_handshake (p.s)), NULL);
  while (done < 2 && rounds++ < 100)
    {
      SocketEvent_T *ev;
      int n = SocketPoll_wait (poll, &ev, 1000);
      for (int i = 0; i < n; i++)
        {
          TLSHandshakeState st = SocketTLS_handshake (ev[i].socket);
          if (st == TLS_HANDSHAKE_COMPLETE)
            {
              SocketPoll_del (poll, ev[i].socket);
              done++;
            }
          else
            SocketPoll_mod (poll, ev[i].socket, want_events (st), NULL);
        }
    }
  ASSERT_EQ (done, 2);
  ASSERT (transfer (p.c, p.s, 3000, 6));
  SocketPoll_free (&poll);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* Shared contexts across threads                                     */
/* ------------------------------------------------------------------ */

typedef struct Worker
{
  SocketTLSContext_T cctx, sctx;
  int ok, reused;
} Worker;

static void *
worker (void *arg)
{
  Worker *w = arg;
  volatile int ok = 0;
  Socket_T volatile l = NULL;
  int port;

  TRY
  {
    l = tls_test_listen (&port);
    for (int i = 0; i < 8; i++)
      {
        Pair p;
        int reused;
        tls_test_pair (l, port, &p.c, &p.s);
        SocketTLS_enable (p.c, w->cctx);
        SocketTLS_enable (p.s, w->sctx);
        SocketTLS_set_hostname (p.c, "localhost");
        ok += tls_test_connect (p.c, p.s) && transfer (p.s, p.c, 500, 1);
        reused = SocketTLS_is_session_reused (p.c);
        w->reused += reused;
        pair_close (&p);
      }
  }
  ELSE ok = -100;
  END_TRY;
  {
    Socket_T tmp = l;
    Socket_free (&tmp);
  }
  w->ok = ok;
  return NULL;
}

TEST (shared_contexts_across_threads)
{
  Worker w[4];
  pthread_t th[4];
  SocketTLSContext_T cctx, sctx;
  unsigned char k[80];
  int reused = 0;

  SETUP ();
  ticket_key (k, 4);
  cctx = client_ctx ();
  sctx = server_ctx ();
  SocketTLSContext_enable_session_cache (cctx, 0, 0);
  SocketTLSContext_enable_session_cache (sctx, 0, 0);
  SocketTLSContext_enable_session_tickets (sctx, k, sizeof k);
  for (int i = 0; i < 4; i++)
    {
      w[i] = (Worker){ cctx, sctx, 0, 0 };
      pthread_create (&th[i], NULL, worker, &w[i]);
    }
  for (int i = 0; i < 4; i++)
    {
      pthread_join (th[i], NULL);
      ASSERT_EQ (w[i].ok, 8);
      reused += w[i].reused;
    }
  ASSERT (reused > 0); /* ports differ per thread; each resumes its own */
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST_MAIN ()
