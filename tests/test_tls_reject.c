/*
 * test_tls_reject.c - the rejection matrix: each bad peer or broken stream
 * must raise one specific exception whose reason names the cause.
 *
 * Certificates: expired, not yet valid, wrong host name (DNS and IP),
 * unknown CA, self-signed, revoked by CRL, pin mismatch, missing client
 * certificate. Protocol: TLS 1.2-only peers against the 1.3-only default,
 * truncated handshakes, garbage instead of a handshake, a peer closing
 * inside a record, a clean EOF without close_notify, a corrupted record and
 * a reset connection.
 */
#include <string.h>
#include <sys/socket.h>

#include <openssl/x509_vfy.h>

#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "Test.h"

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

#define ASSERT_CONTAINS(hay, needle)                                          \
  do                                                                          \
    {                                                                         \
      if (strstr ((hay), (needle)) == NULL)                                   \
        TEST_FAIL_ ("\"%s\" does not contain \"%s\"", (hay), (needle));       \
    }                                                                         \
  while (0)

static SocketTLSContext_T
server_with (const char *chain, const char *key)
{
  return SocketTLSContext_new_server (tls_cert (chain), tls_cert (key), NULL);
}

static SocketTLSContext_T
default_client (void)
{
  return SocketTLSContext_new_client (tls_cert ("ca.crt"));
}

/* Handshake @p cctx against @p sctx; records both sides and the client's
 * verify result. 1 if both completed. */
static int
attempt (SocketTLSContext_T cctx, SocketTLSContext_T sctx, const char *host,
         TLSSide *c, TLSSide *s, long *verify)
{
  Socket_T cs, ss;
  int ok;

  tls_test_pair (listener_, port_, &cs, &ss);
  SocketTLS_enable (cs, cctx);
  SocketTLS_enable (ss, sctx);
  if (host != NULL)
    SocketTLS_set_hostname (cs, host);
  ok = tls_test_pump (cs, ss, c, s, 20000);
  if (verify != NULL)
    *verify = SocketTLS_get_verify_result (cs);
  Socket_free (&cs);
  Socket_free (&ss);
  return ok;
}

/* Client must raise @p exc naming @p why, with verify result @p vr. */
#define EXPECT_CLIENT_REJECT(cctx, sctx, host, want, why, vr)                  \
  do                                                                          \
    {                                                                         \
      TLSSide c_, s_;                                                         \
      long v_;                                                                \
      ASSERT (!attempt ((cctx), (sctx), (host), &c_, &s_, &v_));              \
      ASSERT (c_.exc == &(want));                                              \
      ASSERT_CONTAINS (c_.msg, (why));                                        \
      if ((vr) >= 0)                                                          \
        ASSERT_EQ (v_, (vr));                                                 \
      ASSERT (!s_.done); /* the server saw the alert, not success */          \
    }                                                                         \
  while (0)

/* ------------------------------------------------------------------ */
/* Certificates                                                       */
/* ------------------------------------------------------------------ */

TEST (reject_expired)
{
  SocketTLSContext_T c, s;

  SETUP ();
  c = default_client ();
  s = server_with ("expired-chain.pem", "expired.key");
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "certificate has expired", X509_V_ERR_CERT_HAS_EXPIRED);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

TEST (reject_not_yet_valid)
{
  SocketTLSContext_T c, s;

  SETUP ();
  c = default_client ();
  s = server_with ("notyet-chain.pem", "notyet.key");
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "not yet valid", X509_V_ERR_CERT_NOT_YET_VALID);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

TEST (reject_wrong_hostname)
{
  SocketTLSContext_T c, s, good;
  Socket_T cs, ss;
  TLSSide cside, sside;
  char buf[256];

  SETUP ();
  c = default_client ();
  s = server_with ("wronghost-chain.pem", "wronghost.key");
  good = server_with ("server-chain.pem", "server.key");
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "does not match host name 'localhost'",
                        X509_V_ERR_HOSTNAME_MISMATCH);
  /* Without a host name the peer's address is checked: still rejected. */
  EXPECT_CLIENT_REJECT (c, s, NULL, SocketTLS_HandshakeFailed,
                        "does not match host name '127.0.0.1'",
                        X509_V_ERR_IP_ADDRESS_MISMATCH);
  /* A valid certificate for another name. */
  EXPECT_CLIENT_REJECT (c, good, "www.example.com", SocketTLS_HandshakeFailed,
                        "www.example.com", X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_CLIENT_REJECT (c, good, "127.0.0.2", SocketTLS_HandshakeFailed,
                        "127.0.0.2", X509_V_ERR_IP_ADDRESS_MISMATCH);
  /* The error string is OpenSSL's text for the code (as in the
   * original); the reason of the exception names the expected host. */
  tls_test_pair (listener_, port_, &cs, &ss);
  SocketTLS_enable (cs, c);
  SocketTLS_enable (ss, s);
  SocketTLS_set_hostname (cs, "localhost");
  ASSERT (!tls_test_pump (cs, ss, &cside, &sside, 20000));
  ASSERT (SocketTLS_get_verify_error_string (cs, buf, sizeof buf) != NULL);
  ASSERT_STREQ (buf, "hostname mismatch");
  ASSERT_EQ (cside.exc == &SocketTLS_HandshakeFailed, 1);
  ASSERT_CONTAINS (cside.msg, "Handshake failed: ");
  ASSERT_CONTAINS (cside.msg, "'localhost'");
  /* A failed handshake stays failed. */
  ASSERT_EQ (RAISES (SocketTLS_HandshakeFailed, SocketTLS_handshake (cs)), 1);
  ASSERT_CONTAINS (tls_error_buf, "localhost");
  Socket_free (&cs);
  Socket_free (&ss);
  /* As in the original, SocketTLS_set_hostname turns verification on for
   * the connection even when the context's mode is NONE. */
  SocketTLSContext_set_verify_mode (c, TLS_VERIFY_NONE);
  ASSERT (attempt (c, s, NULL, &cside, &sside, NULL)); /* no name: none */
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "does not match host name 'localhost'",
                        X509_V_ERR_HOSTNAME_MISMATCH);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
  SocketTLSContext_free (&good);
}

TEST (reject_unknown_ca_and_self_signed)
{
  SocketTLSContext_T c, sys, other, self, good;

  SETUP ();
  c = default_client ();
  sys = SocketTLSContext_new_client (NULL); /* system store: not our CA */
  other = server_with ("otherca-server-chain.pem", "otherca-server.key");
  self = server_with ("selfsigned.crt", "selfsigned.key");
  good = server_with ("server-chain.pem", "server.key");
  EXPECT_CLIENT_REJECT (c, other, "localhost", SocketTLS_HandshakeFailed,
                        "self-signed certificate in certificate chain",
                        X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
  EXPECT_CLIENT_REJECT (c, self, "localhost", SocketTLS_HandshakeFailed,
                        "self-signed certificate",
                        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  EXPECT_CLIENT_REJECT (sys, good, "localhost", SocketTLS_HandshakeFailed,
                        "unable to get local issuer certificate",
                        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&sys);
  SocketTLSContext_free (&other);
  SocketTLSContext_free (&self);
  SocketTLSContext_free (&good);
}

TEST (reject_revoked_by_crl)
{
  SocketTLSContext_T c, s, good;
  TLSSide cs, ss;

  SETUP ();
  c = default_client ();
  SocketTLSContext_load_crl (c, tls_cert ("crl.pem"));
  s = server_with ("revoked-chain.pem", "revoked.key");
  good = server_with ("server-chain.pem", "server.key");
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "certificate revoked", X509_V_ERR_CERT_REVOKED);
  ASSERT (attempt (c, good, "localhost", &cs, &ss, NULL)); /* CRL ok */
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
  SocketTLSContext_free (&good);
}

TEST (reject_pin_mismatch)
{
  SocketTLSContext_T c, s;
  unsigned char other[32] = { 1, 2, 3 };

  SETUP ();
  c = default_client ();
  s = server_with ("server-chain.pem", "server.key");
  SocketTLSContext_add_pin (c, other);
  SocketTLSContext_add_pin_from_cert (c, tls_cert ("wronghost.crt"));
  EXPECT_CLIENT_REJECT (c, s, "localhost", SocketTLS_HandshakeFailed,
                        "pin mismatch", -1);
  /* Also without chain verification: pins are still enforced. */
  SocketTLSContext_set_verify_mode (c, TLS_VERIFY_NONE);
  {
    TLSSide cs, ss;
    ASSERT (!attempt (c, s, "localhost", &cs, &ss, NULL));
    ASSERT (cs.exc == &SocketTLS_HandshakeFailed);
  }
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

TEST (reject_missing_client_certificate)
{
  SocketTLSContext_T c, s;
  Socket_T cs, ss;
  TLSSide cside, sside;
  char buf[16];

  SETUP ();
  c = default_client ();
  s = SocketTLSContext_new_server (tls_cert ("server-chain.pem"),
                                   tls_cert ("server.key"), tls_cert ("ca.crt"));
  SocketTLSContext_set_verify_mode (s, TLS_VERIFY_PEER
                                           | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  tls_test_pair (listener_, port_, &cs, &ss);
  SocketTLS_enable (cs, c);
  SocketTLS_enable (ss, s);
  SocketTLS_set_hostname (cs, "localhost");
  ASSERT (!tls_test_pump (cs, ss, &cside, &sside, 20000));
  ASSERT (sside.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (sside.msg, "client certificate required");
  /* TLS 1.3: the client finished first and learns it from the alert. */
  ASSERT (cside.done);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_recv (cs, buf, sizeof buf)),
             1);
  ASSERT_CONTAINS (tls_error_buf, "certificate required");
  Socket_free (&cs);
  Socket_free (&ss);
  /* TLS 1.2: the client's handshake itself fails. */
  SocketTLSContext_set_max_protocol (s, TLS1_2_VERSION);
  SocketTLSContext_set_min_protocol (s, TLS1_2_VERSION);
  SocketTLSContext_set_min_protocol (c, TLS1_2_VERSION);
  ASSERT (!attempt (c, s, "localhost", &cside, &sside, NULL));
  ASSERT (sside.exc == &SocketTLS_HandshakeFailed);
  ASSERT (cside.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (cside.msg, "handshake failure");
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

/* ------------------------------------------------------------------ */
/* Protocol                                                           */
/* ------------------------------------------------------------------ */

TEST (reject_tls12_only_peers)
{
  SocketTLSContext_T c, s12, c12, s;
  TLSSide cs, ss;

  SETUP ();
  c = default_client ();
  s12 = server_with ("server-chain.pem", "server.key");
  SocketTLSContext_set_min_protocol (s12, TLS1_2_VERSION);
  SocketTLSContext_set_max_protocol (s12, TLS1_2_VERSION);
  ASSERT (!attempt (c, s12, "localhost", &cs, &ss, NULL));
  ASSERT (cs.exc == &SocketTLS_HandshakeFailed);
  ASSERT (ss.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (ss.msg, "unsupported protocol");
  ASSERT_CONTAINS (cs.msg, "protocol version");
  /* And a TLS 1.2-only client against the default server. */
  c12 = default_client ();
  SocketTLSContext_set_min_protocol (c12, TLS1_2_VERSION);
  SocketTLSContext_set_max_protocol (c12, TLS1_2_VERSION);
  s = server_with ("server-chain.pem", "server.key");
  ASSERT (!attempt (c12, s, "localhost", &cs, &ss, NULL));
  ASSERT (ss.exc == &SocketTLS_HandshakeFailed);
  ASSERT (cs.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (ss.msg, "unsupported protocol");
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s12);
  SocketTLSContext_free (&c12);
  SocketTLSContext_free (&s);
}

/* Read what is available on a raw non-blocking fd: the first bytes may
 * take a while on a loaded machine (20 s bound); the rest of the flight,
 * written together, follows within 100 ms. */
static size_t
read_raw (int fd, unsigned char *buf, size_t cap)
{
  size_t got = 0;
  struct pollfd p = { fd, POLLIN, 0 };

  while (got < cap && poll (&p, 1, got ? 100 : 20000) > 0)
    {
      ssize_t n = recv (fd, buf + got, cap - got, MSG_DONTWAIT);
      if (n <= 0)
        break;
      got += (size_t)n;
    }
  return got;
}

/* Client steps until it raises or 20 s pass; records its side. */
static void
client_until_raise (Socket_T cs, TLSSide *side)
{
  int64_t end = test_now_ms () + 20000;

  memset (side, 0, sizeof *side);
  while (side->exc == NULL && !side->done && test_now_ms () < end)
    {
      short ev;
      struct pollfd p = { Socket_fd (cs), POLLIN, 0 };
      tls_test_step_ (cs, side, &ev);
      poll (&p, 1, 50);
    }
}

/* The real first server flight for a real ClientHello. */
static size_t
real_server_flight (const unsigned char *hello, size_t hello_len,
                    unsigned char *out, size_t cap)
{
  SocketTLSContext_T s = server_with ("server-chain.pem", "server.key");
  Socket_T a, b;
  size_t n;

  SocketPair_new (SOCK_STREAM, &a, &b);
  SocketTLS_enable (b, s);
  Socket_setnonblocking (b);
  n = 0;
  if (send (Socket_fd (a), hello, hello_len, 0) == (ssize_t)hello_len)
    {
      (void)SocketTLS_handshake (b);
      n = read_raw (Socket_fd (a), out, cap);
    }
  Socket_free (&a);
  Socket_free (&b);
  SocketTLSContext_free (&s);
  return n;
}

TEST (reject_truncated_handshake)
{
  SocketTLSContext_T c, s;
  Socket_T cs, raw, rc, ss;
  unsigned char hello[4096], flight[8192];
  size_t hlen, flen;
  TLSSide side;

  SETUP ();
  c = default_client ();
  /* Client side: half of a genuine server flight, then EOF. */
  tls_test_pair (listener_, port_, &cs, &raw);
  SocketTLS_enable (cs, c);
  SocketTLS_set_hostname (cs, "localhost");
  Socket_setnonblocking (cs);
  ASSERT_EQ (SocketTLS_handshake (cs), TLS_HANDSHAKE_WANT_READ);
  hlen = read_raw (Socket_fd (raw), hello, sizeof hello);
  ASSERT (hlen > 100 && hello[0] == 0x16); /* a ClientHello record */
  flen = real_server_flight (hello, hlen, flight, sizeof flight);
  ASSERT (flen > 200 && flight[0] == 0x16);
  ASSERT_EQ (send (Socket_fd (raw), flight, flen / 2, 0), (ssize_t)(flen / 2));
  shutdown (Socket_fd (raw), SHUT_WR);
  client_until_raise (cs, &side);
  ASSERT (side.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (side.msg, "closed by peer");
  Socket_free (&cs);
  Socket_free (&raw);
  /* Server side: half of that ClientHello, then EOF. */
  s = server_with ("server-chain.pem", "server.key");
  tls_test_pair (listener_, port_, &rc, &ss);
  SocketTLS_enable (ss, s);
  ASSERT_EQ (send (Socket_fd (rc), hello, hlen / 2, 0), (ssize_t)(hlen / 2));
  shutdown (Socket_fd (rc), SHUT_WR);
  ASSERT_EQ (RAISES (SocketTLS_HandshakeFailed, SocketTLS_handshake_loop (ss, 20000)),
             1);
  ASSERT_CONTAINS (tls_error_buf, "closed by peer");
  Socket_free (&rc);
  Socket_free (&ss);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

TEST (reject_garbage_instead_of_handshake)
{
  static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  SocketTLSContext_T c, s;
  Socket_T cs, raw, rc, ss;
  unsigned char hello[4096];
  TLSSide side;

  SETUP ();
  c = default_client ();
  tls_test_pair (listener_, port_, &cs, &raw);
  SocketTLS_enable (cs, c);
  SocketTLS_set_hostname (cs, "localhost");
  Socket_setnonblocking (cs);
  (void)SocketTLS_handshake (cs);
  ASSERT (read_raw (Socket_fd (raw), hello, sizeof hello) > 0);
  ASSERT_EQ (send (Socket_fd (raw), http, sizeof http - 1, 0),
             (ssize_t)(sizeof http - 1));
  client_until_raise (cs, &side);
  ASSERT (side.exc == &SocketTLS_HandshakeFailed);
  ASSERT_CONTAINS (side.msg, "wrong version number");
  Socket_free (&cs);
  Socket_free (&raw);
  /* A plaintext HTTP request to a TLS server is named as such. */
  s = server_with ("server-chain.pem", "server.key");
  tls_test_pair (listener_, port_, &rc, &ss);
  SocketTLS_enable (ss, s);
  ASSERT_EQ (send (Socket_fd (rc), get, sizeof get - 1, 0),
             (ssize_t)(sizeof get - 1));
  ASSERT_EQ (RAISES (SocketTLS_HandshakeFailed, SocketTLS_handshake_loop (ss, 20000)),
             1);
  ASSERT_CONTAINS (tls_error_buf, "http request");
  Socket_free (&rc);
  Socket_free (&ss);
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

/* A connected, handshaken pair whose server end we then abuse raw. */
static int
connected_pair (SocketTLSContext_T c, SocketTLSContext_T s, Socket_T *cs,
                Socket_T *ss)
{
  tls_test_pair (listener_, port_, cs, ss);
  SocketTLS_enable (*cs, c);
  SocketTLS_enable (*ss, s);
  SocketTLS_set_hostname (*cs, "localhost");
  return tls_test_connect (*cs, *ss);
}

/* Client recv until it raises (data first); returns the raised type. */
static const Except_T *
recv_until_raise (Socket_T cs, int layer)
{
  const Except_T *volatile exc = NULL;
  char buf[512];

  for (int64_t end = test_now_ms () + 20000; exc == NULL && test_now_ms () < end;)
    {
      TRY
      {
        if ((layer ? Socket_recv (cs, buf, sizeof buf)
                   : SocketTLS_recv (cs, buf, sizeof buf))
            == 0)
          test_sleep_ms (5);
      }
      ELSE exc = Except_frame.exception->type;
      END_TRY;
    }
  return exc;
}

TEST (reject_broken_streams_after_handshake)
{
  static const unsigned char partial[]
      = { 0x17, 0x03, 0x03, 0x00, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  unsigned char bogus[5 + 64] = { 0x17, 0x03, 0x03, 0x00, 0x40 };
  SocketTLSContext_T c, s;
  Socket_T cs, ss;
  struct linger lg = { 1, 0 };

  SETUP ();
  c = default_client ();
  s = server_with ("server-chain.pem", "server.key");
  /* SocketTLS_recv/send raise SocketTLS_Failed for all of these, as the
   * original does (only a close_notify is Socket_Closed); the stream layer
   * (Socket_recv on a TLS socket) keeps the finer exceptions. */
  for (int layer = 0; layer < 2; layer++)
    {
      const Except_T *proto = layer ? &SocketTLS_ProtocolError
                                    : &SocketTLS_Failed;
      const Except_T *closed = layer ? &Socket_Closed : &SocketTLS_Failed;

      /* Peer closes in the middle of a record: truncation. */
      ASSERT (connected_pair (c, s, &cs, &ss));
      ASSERT_EQ (send (Socket_fd (ss), partial, sizeof partial, 0),
                 (ssize_t)sizeof partial);
      shutdown (Socket_fd (ss), SHUT_WR);
      ASSERT (recv_until_raise (cs, layer) == proto);
      ASSERT_CONTAINS (tls_error_buf, "TLS recv failed");
      ASSERT_CONTAINS (tls_error_buf, "inside a TLS record");
      Socket_free (&cs);
      Socket_free (&ss);
      /* EOF at a record boundary without close_notify. */
      ASSERT (connected_pair (c, s, &cs, &ss));
      shutdown (Socket_fd (ss), SHUT_WR);
      ASSERT (recv_until_raise (cs, layer) == closed);
      ASSERT_CONTAINS (tls_error_buf, "no close_notify");
      Socket_free (&cs);
      Socket_free (&ss);
      /* A forged record fails authentication. */
      ASSERT (connected_pair (c, s, &cs, &ss));
      ASSERT_EQ (send (Socket_fd (ss), bogus, sizeof bogus, 0),
                 (ssize_t)sizeof bogus);
      ASSERT (recv_until_raise (cs, layer) == proto);
      ASSERT_CONTAINS (tls_error_buf, "bad record mac");
      /* ... and the connection is dead for sending too, no shutdown sent. */
      ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLS_send (cs, "x", 1)), 1);
      SocketTLS_shutdown (cs); /* no-op after a fatal error */
      Socket_free (&cs);
      Socket_free (&ss);
      /* A reset connection. */
      ASSERT (connected_pair (c, s, &cs, &ss));
      setsockopt (Socket_fd (ss), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      Socket_free (&ss);
      ASSERT (recv_until_raise (cs, layer) == closed);
      Socket_free (&cs);
    }
  SocketTLSContext_free (&c);
  SocketTLSContext_free (&s);
}

TEST_MAIN ()
