/*
 * test_tls_features.c - session resumption (client store, server cache,
 * tickets with rotation, TLS 1.2), client certificates, CRL load and
 * refresh, OCSP stapling, certificate pinning, verify callbacks and CA
 * directories, our client against our server on loopback.
 */
#include <ctype.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "TLSTestFixture.h"

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
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 20000));
  ASSERT (c.exc == &SocketTLS_HandshakeFailed);
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
  /* NULL / 0 raises as in the original; the stored response stays. */
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_set_ocsp_response (sctx, NULL, 0)),
             1);
  ASSERT_EQ (ocsp_status_of (cctx, sctx), -2);
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
  ASSERT_STREQ (tls_error_buf, "Maximum pin count exceeded (max 32)");
  SocketTLSContext_add_pin (cctx, zero); /* a duplicate at the limit: ignored */
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSContext_add_pin (cctx, NULL)),
             1);
  ASSERT_STREQ (tls_error_buf, "PIN hash cannot be NULL");
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_pin_from_x509 (cctx, NULL)),
             1);
  ASSERT_STREQ (tls_error_buf, "X509 certificate cannot be NULL");
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                     SocketTLSContext_add_pin_from_cert (cctx, "")),
             1);
  ASSERT_STREQ (tls_error_buf, "Certificate file path cannot be NULL or empty");
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
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 20000));
  ASSERT (c.exc == &SocketTLS_HandshakeFailed);
  pair_close (&p);
  v.override = 2;
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (!tls_test_pump (p.c, p.s, &c, &s, 20000));
  ASSERT (c.exc == &SocketTLS_HandshakeFailed);
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


TEST_MAIN ()
