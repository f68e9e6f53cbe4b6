/*
 * test_dtls.c - DTLS contexts, handshakes between our client and server on
 * loopback, verification failures, ALPN, session resumption, record I/O
 * and shutdown. Cookie, MTU and timer behaviour: test_dtls_cookie.c.
 */
#include <errno.h>
#include <string.h>

#include "Test.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"
#include "test_dtls_util.h"
#include "tls/SocketDTLS-private.h"

/* Expect @p stmt to raise @p exc with a message containing @p text. */
#define ASSERT_RAISES_MSG(exc, text, stmt)                                    \
  do                                                                          \
    {                                                                         \
      int r_ = RAISES (exc, stmt);                                            \
      if (r_ != 1)                                                            \
        TEST_FAIL_ ("%s: %s (last error: %s)", #stmt,                         \
                    r_ == 0 ? "did not raise" : "raised something else",      \
                    Socket_GetLastError ());                                  \
      if (strstr (dtls_error_buf, (text)) == NULL)                            \
        TEST_FAIL_ ("message \"%s\" lacks \"%s\"", dtls_error_buf, (text));   \
    }                                                                         \
  while (0)

/* A connected pair, handshake not started. */
struct pair
{
  SocketDTLSContext_T sctx, cctx;
  SocketDgram_T s, c;
};

static void
pair_open (struct pair *p, int cookies, const char *hostname)
{
  p->sctx = p->sctx ? p->sctx : dtls_server_ctx (cookies);
  p->cctx = p->cctx ? p->cctx : dtls_client_ctx ();
  p->s = dtls_bound_socket (0);
  SocketDTLS_enable (p->s, p->sctx);
  p->c = dtls_client_socket (p->cctx, SocketDgram_getlocalport (p->s),
                             hostname);
}

static void
pair_close (struct pair *p)
{
  SocketDgram_free (&p->c);
  SocketDgram_free (&p->s);
  SocketDTLSContext_free (&p->cctx);
  SocketDTLSContext_free (&p->sctx);
}

/* ------------------------------------------------------------------ */
/* Contexts                                                           */
/* ------------------------------------------------------------------ */

TEST (config_macros)
{
  ASSERT (SOCKET_DTLS_VALID_MTU (SOCKET_DTLS_DEFAULT_MTU));
  ASSERT (!SOCKET_DTLS_VALID_MTU (575));
  ASSERT (!SOCKET_DTLS_VALID_MTU (9001));
  ASSERT (SOCKET_DTLS_VALID_TIMEOUT (1));
  ASSERT (SOCKET_DTLS_VALID_TIMEOUT (0)); /* as the original */
  ASSERT (!SOCKET_DTLS_VALID_TIMEOUT (-1));
  ASSERT (!SOCKET_DTLS_VALID_TIMEOUT (SOCKET_DTLS_MAX_TIMEOUT_MS + 1));
  ASSERT_EQ (SOCKET_DTLS_MAX_PAYLOAD,
             SOCKET_DTLS_DEFAULT_MTU - 28 - SOCKET_DTLS_RECORD_OVERHEAD);
}

TEST (context_defaults)
{
  SocketDTLSContext_T s = dtls_server_ctx (0), c = dtls_client_ctx ();
  SSL_CTX *ssl = SocketDTLSContext_get_ssl_ctx (s);

  ASSERT_EQ (SocketDTLSContext_is_server (s), 1);
  ASSERT_EQ (SocketDTLSContext_is_server (c), 0);
  ASSERT_EQ (SocketDTLSContext_has_cookie_exchange (s), 0);
  ASSERT_EQ (SocketDTLSContext_get_mtu (s), SOCKET_DTLS_DEFAULT_MTU);
  ASSERT_EQ (SSL_CTX_get_min_proto_version (ssl), DTLS1_2_VERSION);
  ASSERT_EQ (SSL_CTX_get_max_proto_version (ssl), DTLS1_2_VERSION);
  ASSERT ((SSL_CTX_get_options (ssl) & SSL_OP_NO_COMPRESSION) != 0);
  ASSERT ((SSL_CTX_get_options (ssl) & SSL_OP_NO_RENEGOTIATION) != 0);
  ASSERT_EQ (SSL_CTX_get_verify_mode (SocketDTLSContext_get_ssl_ctx (c)),
             SSL_VERIFY_PEER);
  SocketDTLSContext_enable_cookie_exchange (s);
  ASSERT_EQ (SocketDTLSContext_has_cookie_exchange (s), 1);
  SocketDTLSContext_set_mtu (s, 1200);
  ASSERT_EQ (SocketDTLSContext_get_mtu (s), 1200);
  SocketDTLSContext_free (&s);
  SocketDTLSContext_free (&c);
  ASSERT (s == NULL && c == NULL);
  SocketDTLSContext_free (&s); /* NULL is ignored */
  SocketDTLSContext_free (NULL);
}

TEST (context_rejects_bad_input)
{
  SocketDTLSContext_T s = dtls_server_ctx (0), c = dtls_client_ctx ();
  const char *empty[] = { "" }, *ok[] = { "coap" };
  unsigned char secret[16] = { 0 };

  ASSERT_RAISES_MSG (SocketDTLS_Failed, "/nonexistent.pem",
                     SocketDTLSContext_new_server ("/nonexistent.pem",
                                                   dtls_file ("server.key"),
                                                   NULL));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "does not match",
                     SocketDTLSContext_new_server (dtls_file ("server.crt"),
                                                   dtls_file ("client.key"),
                                                   NULL));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "/no/ca.pem",
                     SocketDTLSContext_new_client ("/no/ca.pem"));
  {
    SocketDTLSContext_T empty_ca = SocketDTLSContext_new_client (""); /* = NULL */
    SocketDTLSContext_free (&empty_ca);
  }
  /* path checks of the original: "..", control characters */
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid CA path",
                     SocketDTLSContext_load_ca (c, "/etc/../etc/ssl/ca.pem"));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid certificate path",
                     SocketDTLSContext_new_server ("a\nb.pem",
                                                   dtls_file ("server.key"),
                                                   NULL));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid key path",
                     SocketDTLSContext_load_certificate (
                         s, dtls_file ("server.crt"), "x/../server.key"));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "older than 1.2",
                     SocketDTLSContext_set_min_protocol (s, DTLS1_VERSION));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "not a DTLS protocol version",
                     SocketDTLSContext_set_max_protocol (s, TLS1_2_VERSION));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid MTU: ",
                     SocketDTLSContext_set_mtu (s, 100));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid initial timeout: -1",
                     SocketDTLSContext_set_timeout (s, -1, 100));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid max timeout: 60001",
                     SocketDTLSContext_set_timeout (s, 100, 60001));
  SocketDTLSContext_set_timeout (s, 0, 100); /* 0 is valid (default) */
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "initial",
                     SocketDTLSContext_set_timeout (s, 500, 100));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "32 bytes",
                     SocketDTLSContext_set_cookie_secret (s, secret, 16));
  ASSERT_RAISES_MSG (SocketDTLS_Failed,
                     "Cookie exchange only for server contexts",
                     SocketDTLSContext_enable_cookie_exchange (c));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Cookie secret must be 32 bytes",
                     SocketDTLSContext_set_cookie_secret (c, secret, 16));
  SocketDTLSContext_set_alpn_protos (s, ok, 0); /* clears, as the original */
  SocketDTLSContext_set_alpn_protos (c, NULL, 0);
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid ALPN protocol length: 0",
                     SocketDTLSContext_set_alpn_protos (c, empty, 1));
  /* NULL-safe queries of the original */
  ASSERT_EQ (SocketDTLSContext_get_mtu (NULL), SOCKET_DTLS_DEFAULT_MTU);
  ASSERT_EQ (SocketDTLSContext_is_server (NULL), 0);
  ASSERT_EQ (SocketDTLSContext_has_cookie_exchange (NULL), 0);
  ASSERT (SocketDTLSContext_get_ssl_ctx (NULL) == NULL);
  {
    size_t h = 7;
    SocketDTLSContext_get_cache_stats (NULL, &h, NULL, NULL);
    ASSERT_EQ (h, 7); /* untouched */
  }
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "no usable cipher",
                     SocketDTLSContext_set_cipher_list (s, "NOT-A-CIPHER"));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "unknown mode bits",
                     SocketDTLSContext_set_verify_mode (s, 8));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "NULL DTLS context",
                     SocketDTLSContext_set_mtu (NULL, 1400));
  /* Valid settings are accepted. */
  SocketDTLSContext_set_min_protocol (s, DTLS1_2_VERSION);
  SocketDTLSContext_set_max_protocol (s, DTLS1_2_VERSION);
  SocketDTLSContext_set_cipher_list (s, NULL);
  SocketDTLSContext_set_timeout (s, 100, 100);
  SocketDTLSContext_free (&s);
  SocketDTLSContext_free (&c);
}

TEST (enable_rejects_misuse)
{
  SocketDTLSContext_T sctx = dtls_server_ctx (0), cctx = dtls_client_ctx ();
  SocketDgram_T s = dtls_bound_socket (0), plain = dtls_bound_socket (0);
  SocketDgram_T c = SocketDgram_new (AF_INET, 0);

  ASSERT_RAISES_MSG (SocketDTLS_Failed, "NULL DTLS context",
                     SocketDTLS_enable (s, NULL));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "NULL or closed socket",
                     SocketDTLS_enable (NULL, sctx));
  ASSERT_EQ (SocketDTLS_is_enabled (s), 0);
  SocketDTLS_enable (s, sctx);
  ASSERT_EQ (SocketDTLS_is_enabled (s), 1);
  ASSERT_EQ (SocketDTLS_get_last_state (s), DTLS_HANDSHAKE_NOT_STARTED);
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "already enabled",
                     SocketDTLS_enable (s, sctx));
  ASSERT_RAISES_MSG (SocketDTLS_HandshakeFailed, "DTLS not enabled on socket",
                     SocketDTLS_handshake (plain));
  ASSERT_RAISES_MSG (SocketDTLS_ShutdownFailed, "DTLS not enabled on socket",
                     SocketDTLS_shutdown (plain));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "DTLS not enabled on socket",
                     SocketDTLS_send (plain, "x", 1));
  /* Queries never raise: the original's special values. */
  ASSERT_EQ (SocketDTLS_get_verify_result (plain), X509_V_ERR_INVALID_CALL);
  ASSERT_EQ (SocketDTLS_get_verify_result (NULL), X509_V_ERR_INVALID_CALL);
  ASSERT_EQ (SocketDTLS_is_session_reused (plain), -1);
  ASSERT_EQ (SocketDTLS_get_mtu (NULL), SOCKET_DTLS_DEFAULT_MTU);
  ASSERT_EQ (SocketDTLS_get_mtu (plain), 0);
  ASSERT_EQ (SocketDTLS_is_enabled (NULL), 0);
  ASSERT_EQ (SocketDTLS_is_handshake_done (NULL), 0);
  ASSERT_EQ (SocketDTLS_is_shutdown (NULL), 0);
  ASSERT_EQ (SocketDTLS_get_last_state (NULL), DTLS_HANDSHAKE_NOT_STARTED);
  ASSERT (SocketDTLS_get_version (plain) == NULL);
  ASSERT (SocketDTLS_get_cipher (NULL) == NULL);
  ASSERT (SocketDTLS_get_version (s) != NULL); /* enabled, not handshaken */
  ASSERT_EQ (SocketDTLS_get_verify_result (s), X509_V_ERR_INVALID_CALL);
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "not enabled",
                     SocketDTLS_set_peer (plain, "127.0.0.1", 9));
  SocketDTLS_set_hostname (s, "localhost"); /* no role check (original) */
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "not complete",
                     SocketDTLS_send (s, "x", 1));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "needs a server context",
                     (SocketDTLS_enable (c, cctx), SocketDTLS_listen (c)));
  ASSERT_RAISES_MSG (SocketDTLS_HandshakeFailed, "no peer",
                     SocketDTLS_handshake (c));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Hostname cannot be empty",
                     SocketDTLS_set_hostname (c, ""));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "Invalid MTU: ",
                     SocketDTLS_set_mtu (c, 10000));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "set_peer",
                     SocketDTLS_set_peer (c, "no_such_host", 9));
  ASSERT (SocketDTLS_get_cipher (c) == NULL);
  ASSERT (SocketDTLS_get_version (plain) == NULL);
  ASSERT_EQ (SocketDTLS_get_verify_result (plain), X509_V_ERR_INVALID_CALL);
  ASSERT_EQ (SocketDTLS_get_mtu (plain), 0);
  ASSERT_EQ (SocketDTLS_get_mtu (c), SOCKET_DTLS_DEFAULT_MTU);
  SocketDgram_free (&c);
  SocketDgram_free (&plain);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

/* ------------------------------------------------------------------ */
/* Handshake and I/O                                                  */
/* ------------------------------------------------------------------ */

TEST (handshake_and_echo)
{
  struct pair p = { 0 };
  char buf[64], host[64];
  int port = 0;

  pair_open (&p, 1, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_is_handshake_done (p.c), 1);
  ASSERT_EQ (SocketDTLS_is_handshake_done (p.s), 1);
  ASSERT_EQ (SocketDTLS_get_last_state (p.c), DTLS_HANDSHAKE_COMPLETE);
  ASSERT_STREQ (SocketDTLS_get_version (p.c), "DTLSv1.2");
  ASSERT_STREQ (SocketDTLS_get_cipher (p.c), "ECDHE-ECDSA-AES256-GCM-SHA384");
  ASSERT_STREQ (SocketDTLS_get_cipher (p.s), SocketDTLS_get_cipher (p.c));
  ASSERT_EQ (SocketDTLS_get_verify_result (p.c), X509_V_OK);
  ASSERT_EQ (SocketDTLS_is_session_reused (p.c), 0);
  ASSERT (SocketDTLS_get_alpn_selected (p.c) == NULL);
  ASSERT_EQ (SocketDgram_isconnected (p.s), 1);

  ASSERT_EQ (SocketDTLS_send (p.c, "ping", 4), 4);
  ASSERT_EQ (dtls_recv_wait (p.s, buf, sizeof buf, 20000), 4);
  ASSERT_MEMEQ (buf, "ping", 4);
  ASSERT_EQ (SocketDTLS_sendto (p.s, "pong!", 5, "127.0.0.1",
                                SocketDgram_getlocalport (p.c)),
             5);
  ASSERT_EQ (dtls_recv_wait (p.c, buf, 1, 20000), 0 + 1); /* first byte */
  ASSERT_EQ (SocketDTLS_recvfrom (p.c, buf + 1, sizeof buf - 1, host,
                                  sizeof host, &port),
             4); /* rest of the same record */
  ASSERT_MEMEQ (buf, "pong!", 5);
  ASSERT_STREQ (host, "127.0.0.1");
  ASSERT_EQ (port, SocketDgram_getlocalport (p.s));
  ASSERT_EQ (SocketDTLS_recv (p.c, buf, sizeof buf), 0); /* nothing queued */
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "is not the DTLS peer",
                     SocketDTLS_sendto (p.s, "x", 1, "127.0.0.1", 9));
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "too small",
                     SocketDTLS_recvfrom (p.c, buf, sizeof buf, host, 4,
                                          &port));
  pair_close (&p);
}

/* SocketDgram I/O on a DTLS socket goes through the records (the peer's
 * SocketDTLS_recv would reject a plaintext datagram); scatter/gather,
 * which cannot keep one record per datagram, raises. */
TEST (dgram_calls_route_through_dtls)
{
  struct pair p = { 0 };
  char buf[64], host[64];
  struct iovec iov = { buf, 4 };
  int port = 0;

  pair_open (&p, 1, "localhost");
  ASSERT_RAISES_MSG (SocketDTLS_Failed, "not complete",
                     SocketDgram_send (p.c, "early", 5));
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDgram_send (p.c, "ping", 4), 4);
  ASSERT_EQ (dtls_recv_wait (p.s, buf, sizeof buf, 20000), 4);
  ASSERT_MEMEQ (buf, "ping", 4);
  ASSERT_EQ (SocketDgram_sendall (p.c, "again", 5), 5);
  ASSERT_EQ (dtls_recv_wait (p.s, buf, sizeof buf, 20000), 5);
  ASSERT_MEMEQ (buf, "again", 5);
  ASSERT_EQ (SocketDgram_sendto (p.s, "pong", 4, "127.0.0.1",
                                 SocketDgram_getlocalport (p.c)),
             4);
  memset (buf, 0, sizeof buf);
  ASSERT_EQ (SocketDgram_recvall (p.c, buf, 4), 4);
  ASSERT_MEMEQ (buf, "pong", 4);
  ASSERT_EQ (SocketDTLS_send (p.s, "reply", 5), 5);
  for (int i = 0; i < 2000; i++)
    {
      ssize_t n = SocketDgram_recvfrom (p.c, buf, sizeof buf, host,
                                        sizeof host, &port);
      if (n != 0)
        {
          ASSERT_EQ (n, 5);
          break;
        }
      test_sleep_ms (1);
    }
  ASSERT_MEMEQ (buf, "reply", 5);
  ASSERT_STREQ (host, "127.0.0.1");
  ASSERT_EQ (port, SocketDgram_getlocalport (p.s));
  ASSERT_EQ (SocketDgram_recv (p.c, buf, sizeof buf), 0); /* nothing queued */
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_sendv (p.c, &iov, 1)), 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed, SocketDgram_recvv (p.c, &iov, 1)), 1);
  pair_close (&p);
}

TEST (blocking_server_thread_and_handshake_loop)
{
  /* Both sockets blocking; each side drives handshake_loop. */
  struct pair p = { 0 };
  struct loop_server srv = { 0 };
  pthread_t th;
  char buf[16];

  p.sctx = dtls_server_ctx (1);
  p.s = SocketDgram_new (AF_INET, 0);
  SocketDgram_bind (p.s, "127.0.0.1", 0);
  SocketDTLS_enable (p.s, p.sctx);
  srv.s = p.s;
  ASSERT_EQ (pthread_create (&th, NULL, loop_server_main, &srv), 0);
  p.cctx = dtls_client_ctx ();
  p.c = SocketDgram_new (AF_INET, 0);
  SocketDgram_connect (p.c, "127.0.0.1", SocketDgram_getlocalport (p.s));
  SocketDTLS_enable (p.c, p.cctx);
  SocketDTLS_set_hostname (p.c, "127.0.0.1"); /* IP SAN */
  ASSERT_EQ (SocketDTLS_handshake_loop (p.c, 5000), DTLS_HANDSHAKE_COMPLETE);
  pthread_join (th, NULL);
  ASSERT_STREQ (srv.err, "");
  ASSERT_EQ (srv.state, DTLS_HANDSHAKE_COMPLETE);
  /* The loop restored blocking mode. */
  ASSERT_EQ (SocketCommon__is_nonblocking (SocketDgram_fd (p.c)), 0);
  ASSERT_EQ (SocketCommon__is_nonblocking (SocketDgram_fd (p.s)), 0);
  ASSERT_EQ (SocketDTLS_send (p.s, "hi", 2), 2);
  ASSERT_EQ (SocketDTLS_recv (p.c, buf, sizeof buf), 2); /* blocks */
  ASSERT_MEMEQ (buf, "hi", 2);
  pair_close (&p);
}

TEST (shutdown_sends_close_notify)
{
  struct pair p = { 0 };
  char buf[16];

  pair_open (&p, 0, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  SocketDTLS_shutdown (p.c);
  ASSERT_EQ (SocketDTLS_is_shutdown (p.c), 1);
  SocketDTLS_shutdown (p.c); /* idempotent */
  ASSERT_EQ (RAISES (Socket_Closed, dtls_recv_wait (p.s, buf, sizeof buf,
                                                    20000)),
             1);
  ASSERT (strstr (dtls_error_buf, "close_notify") != NULL);
  ASSERT_EQ (SocketDTLS_is_shutdown (p.s), 1);
  /* SocketDTLS_Failed, as in the original (DTLS is off after shutdown) */
  ASSERT_EQ (RAISES (SocketDTLS_Failed, SocketDTLS_send (p.c, "x", 1)), 1);
  pair_close (&p);
}

TEST (context_outlives_its_free)
{
  /* Sockets hold a reference: freeing the contexts first is safe. */
  struct pair p = { 0 };

  pair_open (&p, 1, "localhost");
  SocketDTLSContext_free (&p.sctx);
  SocketDTLSContext_free (&p.cctx);
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_send (p.c, "x", 1), 1);
  pair_close (&p);
}

/* ------------------------------------------------------------------ */
/* Verification                                                       */
/* ------------------------------------------------------------------ */

/* Run a handshake expected to fail on the client with @p exc. */
static int
client_fails (struct pair *p, const Except_T *exc)
{
  volatile int r = 0;
  TRY dtls_pump (p->c, p->s, 20000);
  EXCEPT (SocketDTLS_VerifyFailed) r = exc == &SocketDTLS_VerifyFailed;
  EXCEPT (SocketDTLS_HandshakeFailed)
  r = exc == &SocketDTLS_HandshakeFailed;
  END_TRY;
  return r;
}

TEST (verify_wrong_hostname)
{
  struct pair p = { 0 };

  pair_open (&p, 0, "wrong.example.com");
  /* the original raises HandshakeFailed for verification failures */
  ASSERT (client_fails (&p, &SocketDTLS_HandshakeFailed));
  ASSERT (strstr (dtls_error_buf, "hostname mismatch") != NULL);
  ASSERT (strstr (dtls_error_buf, "wrong.example.com") != NULL);
  ASSERT_EQ (SocketDTLS_get_last_state (p.c), DTLS_HANDSHAKE_ERROR);
  ASSERT_EQ (RAISES (SocketDTLS_HandshakeFailed, SocketDTLS_handshake (p.c)),
             1);
  pair_close (&p);
}

TEST (set_peer_verifies_the_dialled_address)
{
  /* No set_hostname: set_peer's host is verified. The certificate names
   * 127.0.0.1, so 127.0.0.1 passes and 127.0.0.2 does not. */
  SocketDTLSContext_T sctx = dtls_server_ctx (1), cctx = dtls_client_ctx ();
  const char *hosts[] = { "127.0.0.1", "127.0.0.2" };

  for (int i = 0; i < 2; i++)
    {
      SocketDgram_T s = SocketDgram_new (AF_INET, 0), c;
      SocketDgram_bind (s, hosts[i], 0);
      SocketDgram_setnonblocking (s);
      SocketDTLS_enable (s, sctx);
      c = SocketDgram_new (AF_INET, 0);
      SocketDgram_setnonblocking (c);
      SocketDTLS_enable (c, cctx);
      SocketDTLS_set_peer (c, hosts[i], SocketDgram_getlocalport (s));
      if (i == 0)
        ASSERT (dtls_pump (c, s, 20000));
      else
        {
          ASSERT_EQ (
              RAISES (SocketDTLS_HandshakeFailed, dtls_pump (c, s, 20000)), 1);
          ASSERT (strstr (dtls_error_buf, "IP address mismatch") != NULL);
        }
      SocketDgram_free (&c);
      SocketDgram_free (&s);
    }
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

TEST (verify_unknown_ca)
{
  struct pair p = { 0 };

  p.sctx = SocketDTLSContext_new_server (dtls_file ("other-server.crt"),
                                         dtls_file ("other-server.key"),
                                         NULL);
  pair_open (&p, 0, "localhost");
  /* the original raises HandshakeFailed for verification failures */
  ASSERT (client_fails (&p, &SocketDTLS_HandshakeFailed));
  ASSERT (strstr (dtls_error_buf, "local issuer") != NULL);
  ASSERT_NE (SocketDTLS_get_verify_result (p.c), X509_V_OK);
  pair_close (&p);
}

TEST (client_certificate_required)
{
  struct pair p = { 0 };
  volatile int raised = 0;

  p.sctx = SocketDTLSContext_new_server (dtls_file ("server.crt"),
                                         dtls_file ("server.key"),
                                         dtls_file ("ca.crt"));
  /* As in the original, a CA alone does not request client certificates. */
  ASSERT_EQ (SSL_CTX_get_verify_mode (SocketDTLSContext_get_ssl_ctx (p.sctx)),
             SSL_VERIFY_NONE);
  SocketDTLSContext_set_verify_mode (p.sctx, TLS_VERIFY_PEER
                                                 | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  pair_open (&p, 0, "localhost");
  /* No client certificate: the server refuses. */
  TRY dtls_pump (p.c, p.s, 20000);
  EXCEPT (SocketDTLS_HandshakeFailed) raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
  ASSERT (strstr (dtls_error_buf, "certificate") != NULL);
  SocketDgram_free (&p.c);
  SocketDgram_free (&p.s);
  /* With one: both verify. */
  SocketDTLSContext_load_certificate (p.cctx, dtls_file ("client.crt"),
                                      dtls_file ("client.key"));
  pair_open (&p, 0, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_get_verify_result (p.s), X509_V_OK);
  X509 *peer = SSL_get1_peer_certificate (
      ((struct SocketDTLS_Conn *)p.s->dtls)->ssl);
  ASSERT (peer != NULL);
  X509_free (peer);
  pair_close (&p);
}

/* ------------------------------------------------------------------ */
/* ALPN and sessions                                                  */
/* ------------------------------------------------------------------ */

/* As in the original: the client's order wins; no overlap is no ALPN. */
TEST (alpn_client_preference_and_mismatch)
{
  struct pair p = { 0 };
  const char *client[] = { "coap", "h3" }, *server[] = { "h3", "coap" };
  const char *other[] = { "x-other" };

  p.sctx = dtls_server_ctx (0);
  p.cctx = dtls_client_ctx ();
  SocketDTLSContext_set_alpn_protos (p.sctx, server, 2);
  SocketDTLSContext_set_alpn_protos (p.cctx, client, 2);
  pair_open (&p, 0, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_STREQ (SocketDTLS_get_alpn_selected (p.c), "coap");
  ASSERT_STREQ (SocketDTLS_get_alpn_selected (p.s), "coap");
  SocketDgram_free (&p.c);
  SocketDgram_free (&p.s);
  SocketDTLSContext_set_alpn_protos (p.cctx, other, 1);
  pair_open (&p, 0, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT (SocketDTLS_get_alpn_selected (p.c) == NULL);
  pair_close (&p);
}

TEST (session_resumption)
{
  struct pair p = { 0 };
  size_t hits = 9, misses = 9, stores = 9;
  int port;

  p.sctx = dtls_server_ctx (1);
  p.cctx = dtls_client_ctx ();
  SocketDTLSContext_enable_session_cache (p.sctx, 0, 0);
  SocketDTLSContext_enable_session_cache (p.cctx, 4, 60);
  pair_open (&p, 0, "localhost");
  port = SocketDgram_getlocalport (p.s);
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_is_session_reused (p.c), 0);
  SocketDgram_free (&p.c); /* no close_notify: still resumable */
  SocketDgram_free (&p.s);

  /* Same server address: the client offers the cached session. */
  p.s = dtls_bound_socket (port);
  SocketDTLS_enable (p.s, p.sctx);
  p.c = dtls_client_socket (p.cctx, port, "localhost");
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_is_session_reused (p.c), 1);
  ASSERT_EQ (SocketDTLS_is_session_reused (p.s), 1);
  SocketDTLSContext_get_cache_stats (p.cctx, &hits, &misses, &stores);
  ASSERT_UEQ (hits, 1);
  ASSERT_UEQ (misses, 1);
  ASSERT (stores >= 1);
  SocketDTLSContext_get_cache_stats (p.sctx, &hits, &misses, NULL);
  ASSERT_UEQ (hits, 1);
  ASSERT_UEQ (misses, 1);
  SocketDgram_free (&p.c);

  /* Another host name is another server identity: full handshake. */
  p.c = dtls_client_socket (p.cctx, port, "127.0.0.1");
  SocketDgram_free (&p.s);
  p.s = dtls_bound_socket (port);
  SocketDTLS_enable (p.s, p.sctx);
  ASSERT (dtls_pump (p.c, p.s, 20000));
  ASSERT_EQ (SocketDTLS_is_session_reused (p.c), 0);
  pair_close (&p);
}

/* Worker: @p rounds handshakes on its own sockets with shared contexts. */
struct shared_run
{
  struct pair p;
  int rounds, done;
};

static void *
shared_worker (void *arg)
{
  struct shared_run *r = arg;
  TRY for (int i = 0; i < r->rounds; i++)
  {
    SocketDgram_T s = dtls_bound_socket (0), c;
    SocketDTLS_enable (s, r->p.sctx);
    c = dtls_client_socket (r->p.cctx, SocketDgram_getlocalport (s),
                            "localhost");
    r->done += dtls_pump (c, s, 20000);
    SocketDgram_free (&c);
    SocketDgram_free (&s);
  }
  ELSE fprintf (stderr, "  worker: %s\n", dtls_error_buf);
  END_TRY;
  return NULL;
}

TEST (contexts_shared_by_threads)
{
  /* One server and one client context (with session caches) used by four
   * threads at once: read-only use after setup is thread-safe. */
  SocketDTLSContext_T sctx = dtls_server_ctx (1), cctx = dtls_client_ctx ();
  struct shared_run runs[4];
  pthread_t th[4];
  size_t hits, misses, total = 0;

  SocketDTLSContext_enable_session_cache (sctx, 0, 0);
  SocketDTLSContext_enable_session_cache (cctx, 2, 0);
  for (int i = 0; i < 4; i++)
    {
      runs[i] = (struct shared_run){ { sctx, cctx, NULL, NULL }, 5, 0 };
      ASSERT_EQ (pthread_create (&th[i], NULL, shared_worker, &runs[i]), 0);
    }
  for (int i = 0; i < 4; i++)
    {
      pthread_join (th[i], NULL);
      total += (size_t)runs[i].done;
    }
  ASSERT_UEQ (total, 20);
  SocketDTLSContext_get_cache_stats (cctx, &hits, &misses, NULL);
  ASSERT_UEQ (hits + misses, 20);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

TEST (no_leaks_of_sockets_or_fds)
{
  int fds = test_count_fds ();
  int live = SocketDgram_debug_live_count ();
  struct pair p = { 0 };

  for (int i = 0; i < 3; i++)
    {
      pair_open (&p, i & 1, "localhost");
      ASSERT (dtls_pump (p.c, p.s, 20000));
      SocketDgram_free (&p.c);
      SocketDgram_free (&p.s);
    }
  pair_close (&p);
  ASSERT_EQ (SocketDgram_debug_live_count (), live);
  ASSERT_EQ (test_count_fds (), fds);
}

TEST_MAIN ()
