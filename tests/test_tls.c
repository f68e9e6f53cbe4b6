/*
 * test_tls.c - TLS contexts and connections, our client against our server
 * on loopback: context setup and bad input, protocol versions, ciphers,
 * host names, SNI, ALPN, buffered plaintext, handshake_loop, SocketPoll
 * integration, shared contexts across threads. Sessions, revocation,
 * stapling, pinning and callbacks: test_tls_features.c. Certificates are
 * generated at run time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "TLSTestFixture.h"
#include "poll/SocketPoll.h"

/* ------------------------------------------------------------------ */

/* The peer's bytes (data, close_notify, FIN or RST) have arrived: the
 * checks after it must not depend on how fast loopback delivers them. */
static int
wait_readable (Socket_T s)
{
  struct pollfd p = { Socket_fd (s), POLLIN, 0 };

  return poll (&p, 1, 20000) == 1;
}

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
  ASSERT (strncmp (tls_error_buf, "Failed to load certificate file: ", 33)
          == 0);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_new_server (tls_cert ("server.crt"),
                                                  tls_cert ("client.key"),
                                                  NULL)),
             1);
  /* the original's message, then OpenSSL's error text */
  ASSERT (strncmp (tls_error_buf, "Failed to load private key file: ", 33)
              == 0
          || strncmp (tls_error_buf,
                      "Private key does not match certificate: ", 40)
                 == 0);
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
  /* count 0 is a silent no-op, as in the original */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_alpn_protos (c, NULL, 0)),
             0);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_verify_mode (c, (TLSVerifyMode)8)),
             1);
  /* a key of the wrong length raises; a client context accepts a good
   * one (no role check in the original) */
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_enable_session_tickets (
                                           c, key, sizeof key)),
             1);
  ASSERT_STREQ (tls_error_buf,
                "Session ticket key length must be exactly 80 bytes");
  {
    unsigned char key80[80] = { 1 };
    ASSERT_EQ (RAISES (SocketTLS_Failed,
                       SocketTLSContext_enable_session_tickets (
                           c, key80, sizeof key80)),
               0);
  }
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
  ASSERT_STREQ (tls_error_buf, "Invalid OCSP response format");
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_ocsp_response (c, NULL, 0)),
             1);
  ASSERT_STREQ (tls_error_buf, "Invalid OCSP response (null or zero length)");
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_is_server (NULL)), 1);
  SocketTLSContext_free (&c);
}

/* Context conventions shared with the original library. */
TEST (context_original_conventions)
{
  SocketTLSContext_T c;
  char path[4200];
  size_t h = 7, m = 7, st = 7;
  static const char pin_hex[]
      = "sha256//00112233445566778899aabbccddeeff"
        "00112233445566778899AABBCCDDEEFF";

  SETUP ();
  c = client_ctx ();
  /* paths with ".." or control characters are refused */
  /* ".../libsocket-tls-X/../libsocket-tls-X/ca.crt" names a real file */
  snprintf (path, sizeof path, "%s/..%s/ca.crt", tls_certs_dir_,
            strrchr (tls_certs_dir_, '/'));
  ASSERT (access (path, R_OK) == 0);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_load_ca (c, path)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_load_ca (c, "ca\n.crt")),
             1);
  /* CRL reasons of the original */
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_load_crl (c, "")), 1);
  ASSERT_STREQ (tls_error_buf, "CRL path cannot be NULL or empty");
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_load_crl (c, "/nonexistent-crl.pem")),
             1);
  ASSERT_STREQ (tls_error_buf, "Invalid CRL path '/nonexistent-crl.pem': "
                               "No such file or directory");
  /* FAIL_IF_NO_PEER_CERT / CLIENT_ONCE alone imply PEER */
  SocketTLSContext_set_verify_mode (c, TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  ASSERT (SSL_CTX_get_verify_mode (SocketTLSContext_get_ssl_ctx (c))
          & SSL_VERIFY_PEER);
  SocketTLSContext_set_verify_mode (c, TLS_VERIFY_NONE);
  SocketTLSContext_set_verify_mode (c, TLS_VERIFY_CLIENT_ONCE);
  ASSERT (SSL_CTX_get_verify_mode (SocketTLSContext_get_ssl_ctx (c))
          & SSL_VERIFY_PEER);
  /* "sha256//" prefix of a hex pin is skipped */
  SocketTLSContext_add_pin_hex (c, pin_hex);
  ASSERT_EQ (SocketTLSContext_get_pin_count (c), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_add_pin_hex (c, "")),
             1);
  ASSERT_STREQ (tls_error_buf, "PIN hex hash cannot be NULL or empty");
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_add_pin_hex (c, "ab")),
             1);
  ASSERT (strncmp (tls_error_buf, "Invalid hex hash format", 23) == 0);
  /* session cache conventions */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_session_cache_size (c, 0)),
             1);
  ASSERT_STREQ (tls_error_buf, "Session cache size cannot be zero");
  SocketTLSContext_get_cache_stats (NULL, &h, &m, &st);
  ASSERT (h == 0 && m == 0 && st == 0);
  h = m = st = 7;
  SocketTLSContext_get_cache_stats (c, &h, &m, &st); /* not enabled */
  ASSERT (h == 0 && m == 0 && st == 0);
  SocketTLSContext_enable_session_cache (c, 0, -5); /* -> 300 s */
  ASSERT_EQ (SSL_CTX_get_timeout (SocketTLSContext_get_ssl_ctx (c)), 300);
  /* SNI certificates: server contexts only, also for the NULL host */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         c, NULL, tls_cert ("client.crt"),
                         tls_cert ("client.key"))),
             1);
  ASSERT_STREQ (tls_error_buf,
                "SNI certificates only supported for server contexts");
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
  ASSERT_STREQ (tls_error_buf, "Invalid OCSP response format");
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
  ASSERT_STREQ (tls_error_buf, "TLS handshake not complete");
  /* The server has nothing to read yet: WANT_READ with errno EAGAIN. */
  errno = 0;
  ASSERT_EQ (SocketTLS_handshake (p.s), TLS_HANDSHAKE_WANT_READ);
  ASSERT_EQ (errno, EAGAIN);
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
  ASSERT (wait_readable (p.s));
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
  ASSERT_STREQ (tls_error_buf, "Invalid hostname format");
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, NULL)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, "")), 1);
  ASSERT_STREQ (tls_error_buf, "Hostname cannot be empty");
  {
    char longname[300];
    memset (longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ASSERT_EQ (RAISES (SocketTLS_Failed,
                       SocketTLS_set_hostname (p.c, longname)),
               1);
    ASSERT_STREQ (tls_error_buf, "Hostname too long for SNI (299 > 255 max)");
  }
  /* As in the original: no role check (the server then also verifies a
   * client certificate if one is sent) and no state check. */
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.s, "x.y")), 0);
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_set_hostname (p.c, "x.y")), 0);
  pair_close (&p);
  /* The last name wins: an earlier IP or DNS name is not also required. */
  pair_open (&p, cctx, sctx, "wrong.example.com");
  SocketTLS_set_hostname (p.c, "127.0.0.1");
  ASSERT (tls_test_connect (p.c, p.s));
  pair_close (&p);
  pair_open (&p, cctx, sctx, "127.0.0.2");
  SocketTLS_set_hostname (p.c, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (shutdown_after_peer_left_is_quiet)
{
  SocketTLSContext_T cctx, sctx;
  struct linger lg = { 1, 0 };
  char buf[16];
  Pair p;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_EQ (SocketTLS_get_verify_result (p.c), X509_V_OK);
  /* The server says goodbye and resets the connection. */
  SocketTLS_shutdown (p.s);
  setsockopt (Socket_fd (p.s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  Socket_free (&p.s);
  ASSERT (wait_readable (p.c));
  ASSERT_EQ (RAISES (Socket_Closed, SocketTLS_recv (p.c, buf, sizeof buf)), 1);
  ASSERT_EQ (RAISES (Socket_Closed, SocketTLS_send (p.c, "x", 1))
                 + RAISES (Socket_Closed, SocketTLS_send (p.c, "x", 1)),
             1 + 1);
  SocketTLS_shutdown (p.c); /* must not raise */
  pair_close (&p);
  /* Our own write side already gone: close_notify cannot be sent. */
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  shutdown (Socket_fd (p.c), SHUT_WR);
  ASSERT_EQ (RAISES (SocketTLS_ShutdownFailed, SocketTLS_shutdown (p.c)), 1);
  ASSERT (strstr (tls_error_buf, "Broken pipe") != NULL);
  SocketTLS_shutdown (p.c); /* after a failure: no-op */
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
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (NULL, cctx)), 1);
  /* Exceptions and special values of the original for "TLS not enabled". */
  ASSERT_EQ (RAISES (SocketTLS_HandshakeFailed,
                     SocketTLS_handshake (unconnected)),
             1);
  ASSERT_STREQ (tls_error_buf, "TLS not enabled on socket");
  ASSERT_EQ (RAISES (SocketTLS_ShutdownFailed,
                     SocketTLS_shutdown (unconnected)),
             1);
  ASSERT_STREQ (tls_error_buf, "TLS not enabled on socket");
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_send (unconnected, "x", 1)),
             1);
  ASSERT_STREQ (tls_error_buf, "TLS not enabled on socket");
  ASSERT (SocketTLS_get_version (unconnected) == NULL);
  ASSERT (SocketTLS_get_cipher (unconnected) == NULL);
  ASSERT (SocketTLS_get_alpn_selected (unconnected) == NULL);
  ASSERT_EQ (SocketTLS_is_session_reused (unconnected), -1);
  ASSERT_EQ (SocketTLS_get_verify_result (unconnected),
             X509_V_ERR_INVALID_CALL);
  ASSERT_EQ (SocketTLS_get_verify_result (NULL), X509_V_ERR_INVALID_CALL);
  ASSERT (SocketTLS_get_verify_error_string (NULL, b, sizeof b) == NULL);
  ASSERT (SocketTLS_get_verify_error_string (unconnected, NULL, 4) == NULL);
  {
    char vbuf[128];
    ASSERT (SocketTLS_get_verify_error_string (unconnected, vbuf, sizeof vbuf)
            == vbuf);
    ASSERT_STREQ (vbuf, X509_verify_cert_error_string (
                            X509_V_ERR_INVALID_CALL));
  }
  ASSERT_EQ (SocketTLS_get_ocsp_status (unconnected), -1);
  /* Only the descriptor is checked (as in the original), not whether the
   * socket is connected. */
  SocketTLS_enable (unconnected, cctx);
  ASSERT (SocketTLS_get_version (unconnected) != NULL); /* before handshake */
  ASSERT_EQ (SocketTLS_get_verify_result (unconnected),
             X509_V_ERR_INVALID_CALL);
  ASSERT_EQ (SocketTLS_is_session_reused (unconnected), 0);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLS_send (unconnected, "x", 1)),
             1);
  ASSERT_STREQ (tls_error_buf, "TLS handshake not complete");
  Socket_free (&unconnected);
  tls_test_pair (listener_, port_, &p.c, &p.s);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (p.c, NULL)), 1);
  SocketTLS_enable (p.c, cctx);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_enable (p.c, cctx)), 1);
  ASSERT_STREQ (tls_error_buf, "TLS already enabled on socket");
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
  /* A repeated name is accepted (as in the original); the first entry
   * keeps serving it, so the roundtrip below still verifies. */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_certificate (
                         sctx, "WWW.example.com", tls_cert ("wild-chain.pem"),
                         tls_cert ("wild.key"))),
             0);
  /* Each name verifies only if the server picked that name's cert. */
  ASSERT (roundtrip (cctx, sctx, "www.example.com", NULL));
  ASSERT (roundtrip (cctx, sctx, "WWW.Example.COM", NULL));
  ASSERT (roundtrip (cctx, sctx, "v1.api.example.com", NULL));
  ASSERT (roundtrip (cctx, sctx, "localhost", NULL)); /* default cert */
  /* The wildcard covers one label only: default cert, name mismatch. */
  pair_open (&p, cctx, sctx, "a.b.api.example.com");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 20000));
  ASSERT (c.exc == &SocketTLS_HandshakeFailed);
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
  if (tls_test_pump (p.c, p.s, c, &s, 20000))
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
  /* No overlap: no ALPN and no alert, as in the original. */
  ASSERT_STREQ (alpn_of (cctx, sctx, &c), "(none)");
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
  ASSERT (wait_readable (p.c));
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
  ASSERT_EQ (SocketTLS_handshake_loop (c, 30000), TLS_HANDSHAKE_COMPLETE);
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
  ASSERT (dt >= 190 && dt < 30000); /* the timeout, no hang */
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
