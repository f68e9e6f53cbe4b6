/*
 * test_tls_ext.c - the extension API (include/tls/SocketTLSExt.h): PEM
 * contexts, peer chains as DER, cipher number, received SNI name,
 * close_notify without waiting, buffered plaintext, and the DTLS
 * handshake step with its retransmission timer. Loopback only.
 */
#include <poll.h>
#include <string.h>

#include <openssl/pem.h>

#include "TLSTestFixture.h"
#include "test_dtls_util.h"
#include "tls/SocketTLSExt.h"

typedef struct Pem
{
  unsigned char *p;
  size_t n;
} Pem;

static Pem
pem (const char *path)
{
  Pem m = { NULL, 0 };

  m.p = tls_read_file (path, &m.n);
  if (m.p == NULL)
    fprintf (stderr, "cannot read %s\n", path);
  return m;
}

/* DER of the @p nth certificate of a PEM file; length in *len. */
static unsigned char *
der_of (const char *path, int nth, int *len)
{
  FILE *f = fopen (path, "r");
  X509 *x = NULL;
  unsigned char *der = NULL;

  *len = -1;
  for (int i = 0; f != NULL && i <= nth; i++)
    {
      X509_free (x);
      x = PEM_read_X509 (f, NULL, NULL, NULL);
    }
  if (f != NULL)
    fclose (f);
  if (x != NULL)
    *len = i2d_X509 (x, &der);
  X509_free (x);
  return der;
}

static SocketTLSContext_T
pem_server_ctx (void)
{
  SocketTLSContext_T ctx = SocketTLSExt_context_new (1);
  Pem c = pem (tls_cert ("server-chain.pem"));
  Pem k = pem (tls_cert ("server.key"));

  SocketTLSExt_use_certificate_pem (ctx, c.p, c.n, k.p, k.n);
  free (c.p);
  free (k.p);
  return ctx;
}

static SocketTLSContext_T
pem_client_ctx (void)
{
  SocketTLSContext_T ctx = SocketTLSExt_context_new (0);
  Pem ca = pem (tls_cert ("ca.crt"));

  SocketTLSExt_load_ca_pem (ctx, ca.p, ca.n);
  free (ca.p);
  return ctx;
}

/* Handshake with the Ext step (fine exceptions). 1 if both completed. */
static int
ext_connect (Socket_T c, Socket_T s)
{
  int64_t end = test_now_ms () + 20000;
  int cd = 0, sd = 0;

  Socket_setnonblocking (c);
  Socket_setnonblocking (s);
  while ((!cd || !sd) && test_now_ms () < end)
    {
      if (!cd)
        cd = SocketTLSExt_handshake (c) == TLS_HANDSHAKE_COMPLETE;
      if (!sd)
        sd = SocketTLSExt_handshake (s) == TLS_HANDSHAKE_COMPLETE;
      if (!cd || !sd)
        test_sleep_ms (1);
    }
  return cd && sd;
}

TEST (pem_contexts_roundtrip)
{
  SocketTLSContext_T cctx, sctx;
  int reused;

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = pem_client_ctx ();
  ASSERT (roundtrip (cctx, sctx, "localhost", &reused));
  ASSERT (roundtrip (cctx, sctx, "127.0.0.1", &reused));
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (empty_client_context_trusts_nothing)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = SocketTLSExt_context_new (0);
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT_EQ (RAISES (SocketTLS_VerifyFailed, ext_connect (p.c, p.s)), 1);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (pem_errors)
{
  SocketTLSContext_T ctx;
  Pem c, k, wrong;
  static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                             "-----END CERTIFICATE-----\n";

  SETUP ();
  ctx = SocketTLSExt_context_new (1);
  c = pem (tls_cert ("server-chain.pem"));
  k = pem (tls_cert ("server.key"));
  wrong = pem (tls_cert ("client.key"));
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_use_certificate_pem (ctx, junk, strlen (junk),
                                                    k.p, k.n)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_use_certificate_pem (ctx, "x", 1, k.p, k.n)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_use_certificate_pem (ctx, c.p, c.n, c.p, c.n)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSExt_use_certificate_pem (
                                        ctx, c.p, c.n, wrong.p, wrong.n)), 1);
  ASSERT (strstr (Socket_GetLastError (), "does not match") != NULL);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_load_ca_pem (ctx, junk, strlen (junk))), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed, SocketTLSExt_load_ca_pem (ctx, NULL, 0)), 1);
  /* The same CA twice is fine. */
  SocketTLSExt_load_ca_pem (ctx, c.p, c.n);
  SocketTLSExt_load_ca_pem (ctx, c.p, c.n);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_add_certificate_pem (ctx, "bad name!", c.p, c.n,
                                                    k.p, k.n)), 1);
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_add_certificate_pem (ctx, "a.example", c.p,
                                                    c.n, wrong.p, wrong.n)), 1);
  SocketTLSExt_use_certificate_pem (ctx, c.p, c.n, k.p, k.n);
  free (c.p);
  free (k.p);
  free (wrong.p);
  SocketTLSContext_free (&ctx);
  ctx = SocketTLSExt_context_new (0);
  c = pem (tls_cert ("www-chain.pem"));
  k = pem (tls_cert ("www.key"));
  ASSERT_EQ (RAISES (SocketTLS_Failed,
                  SocketTLSExt_add_certificate_pem (ctx, "www.example.com",
                                                    c.p, c.n, k.p, k.n)), 1);
  free (c.p);
  free (k.p);
  SocketTLSContext_free (&ctx);
}

TEST (peer_chain_cipher_and_sni)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  unsigned char buf[8192];
  unsigned char *want;
  int want_len;
  ssize_t n;

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = pem_client_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT_EQ (SocketTLSExt_get_cipher_id (p.c), 0);
  ASSERT_EQ (SocketTLSExt_is_handshake_done (p.c), 0);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, 0, buf, sizeof buf), -1);
  ASSERT (ext_connect (p.c, p.s));
  ASSERT_EQ (SocketTLSExt_is_handshake_done (p.c), 1);
  /* TLS 1.3 suites are 0x1301..0x1305. */
  ASSERT (SocketTLSExt_get_cipher_id (p.c) >= 0x1301);
  ASSERT (SocketTLSExt_get_cipher_id (p.c) <= 0x1305);
  ASSERT_EQ (SocketTLSExt_get_cipher_id (p.c), SocketTLSExt_get_cipher_id (p.s));
  ASSERT (SocketTLSExt_get_server_name (p.c) == NULL);
  ASSERT (SocketTLSExt_get_server_name (p.s) != NULL);
  ASSERT_STREQ (SocketTLSExt_get_server_name (p.s), "localhost");

  /* Sent chain: server leaf, then the intermediate; nothing after. */
  want = der_of (tls_cert ("server-chain.pem"), 0, &want_len);
  n = SocketTLSExt_get_peer_cert_der (p.c, 0, 0, NULL, 0);
  ASSERT_EQ (n, want_len);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, 0, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  OPENSSL_free (want);
  want = der_of (tls_cert ("server-chain.pem"), 1, &want_len);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, 1, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  OPENSSL_free (want);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, 2, buf, sizeof buf), -1);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, -1, buf, sizeof buf), -1);
  /* Verified chain: leaf, intermediate, root. */
  want = der_of (tls_cert ("ca.crt"), 0, &want_len);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 1, 2, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  OPENSSL_free (want);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 1, 3, buf, sizeof buf), -1);
  /* The server asked for no client certificate. */
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.s, 0, 0, buf, sizeof buf), -1);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (client_chain_seen_by_server)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  unsigned char buf[8192];
  unsigned char *want;
  int want_len;
  Pem c, k, ca;

  SETUP ();
  sctx = pem_server_ctx ();
  ca = pem (tls_cert ("ca.crt"));
  SocketTLSExt_load_ca_pem (sctx, ca.p, ca.n);
  SocketTLSContext_set_verify_mode (
      sctx, TLS_VERIFY_PEER | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  cctx = pem_client_ctx ();
  c = pem (tls_cert ("client-chain.pem"));
  k = pem (tls_cert ("client.key"));
  SocketTLSExt_use_certificate_pem (cctx, c.p, c.n, k.p, k.n);
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (ext_connect (p.c, p.s));
  /* The server's view starts with the client's leaf as well. */
  want = der_of (tls_cert ("client-chain.pem"), 0, &want_len);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.s, 0, 0, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  OPENSSL_free (want);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.s, 1, 0, buf, sizeof buf),
             want_len);
  pair_close (&p);
  free (c.p);
  free (k.p);
  free (ca.p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (pem_sni_certificate)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  unsigned char buf[8192];
  unsigned char *want;
  int want_len;
  Pem c, k;

  SETUP ();
  sctx = pem_server_ctx ();
  c = pem (tls_cert ("www-chain.pem"));
  k = pem (tls_cert ("www.key"));
  SocketTLSExt_add_certificate_pem (sctx, "www.example.com", c.p, c.n, k.p,
                                    k.n);
  cctx = pem_client_ctx ();
  pair_open (&p, cctx, sctx, "www.example.com");
  ASSERT (ext_connect (p.c, p.s));
  want = der_of (tls_cert ("www.crt"), 0, &want_len);
  ASSERT_EQ (SocketTLSExt_get_peer_cert_der (p.c, 0, 0, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  OPENSSL_free (want);
  pair_close (&p);
  free (c.p);
  free (k.p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (close_notify_never_waits)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  char buf[16];
  int64_t end;
  volatile int closed = 0;

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = pem_client_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT_EQ (SocketTLSExt_close_notify (p.c), 0); /* no handshake yet */
  ASSERT (ext_connect (p.c, p.s));
  end = test_now_ms ();
  ASSERT_EQ (SocketTLSExt_close_notify (p.s), 1); /* the peer never answers */
  ASSERT_EQ (SocketTLSExt_close_notify (p.s), 1);
  ASSERT (test_now_ms () - end < 10000); /* never waits for the peer */
  end = test_now_ms () + 20000;
  while (!closed && test_now_ms () < end)
    {
      TRY
      {
        if (SocketTLSExt_recv (p.c, buf, sizeof buf) == 0)
          test_sleep_ms (1);
      }
      EXCEPT (Socket_Closed) { closed = 1; }
      END_TRY;
    }
  ASSERT (closed);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (recv_returns_buffered_plaintext)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  char out[1000], in[1000];
  size_t got = 0;
  int64_t end;
  struct pollfd pfd;

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = pem_client_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (ext_connect (p.c, p.s));
  memset (out, 'x', sizeof out);
  ASSERT_EQ (SocketTLSExt_send (p.s, out, sizeof out), (ssize_t)sizeof out);
  end = test_now_ms () + 20000;
  while (got == 0 && test_now_ms () < end)
    if ((got = (size_t)SocketTLSExt_recv (p.c, in, 10)) == 0)
      test_sleep_ms (1);
  ASSERT_EQ (got, 10);
  /* The rest of the record sits decrypted in OpenSSL, not in the kernel:
   * poll() sees nothing, recv must still return it. */
  pfd = (struct pollfd){ Socket_fd (p.c), POLLIN, 0 };
  ASSERT_EQ (poll (&pfd, 1, 0), 0);
  ASSERT_EQ (SocketTLSExt_recv (p.c, in + 10, sizeof in - 10),
             (ssize_t)sizeof in - 10);
  ASSERT_MEMEQ (in, out, sizeof in);
  ASSERT_EQ (SocketTLSExt_recv (p.c, in, sizeof in), 0);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (ocsp_response_as_received)
{
  /* OCSPResponse { responseStatus tryLater }: valid DER, no body. */
  static const unsigned char staple[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
  SocketTLSContext_T cctx, sctx;
  Pair p;
  unsigned char buf[64];

  SETUP ();
  sctx = pem_server_ctx ();
  cctx = pem_client_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (ext_connect (p.c, p.s));
  ASSERT_EQ (SocketTLSExt_get_ocsp_response (p.c, buf, sizeof buf), -1);
  pair_close (&p);
  SocketTLSContext_set_ocsp_response (sctx, staple, sizeof staple);
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT_EQ (SocketTLSExt_get_ocsp_response (p.c, buf, sizeof buf), -1);
  ASSERT (ext_connect (p.c, p.s));
  ASSERT_EQ (SocketTLSExt_get_ocsp_response (p.c, NULL, 0), sizeof staple);
  ASSERT_EQ (SocketTLSExt_get_ocsp_response (p.c, buf, sizeof buf),
             sizeof staple);
  ASSERT_MEMEQ (buf, staple, sizeof staple);
  ASSERT_EQ (SocketTLSExt_get_ocsp_response (p.s, buf, sizeof buf), -1);
  ASSERT_EQ (SocketTLS_get_ocsp_status (p.c), -2); /* not "successful" */
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

/* ---- DTLS ---------------------------------------------------------- */

TEST (dtls_pem_handshake_timer_and_chain)
{
  SocketDTLSContext_T sctx = SocketDTLSExt_context_new (1);
  SocketDTLSContext_T cctx = SocketDTLSExt_context_new (0);
  SocketDgram_T s, c;
  Pem crt = pem (dtls_file ("server.crt"));
  Pem key = pem (dtls_file ("server.key"));
  Pem ca = pem (dtls_file ("ca.crt"));
  unsigned char buf[8192], *want;
  int want_len, timer = 0, cd = 0, sd = 0;
  int64_t end;

  SocketDTLSExt_use_certificate_pem (sctx, crt.p, crt.n, key.p, key.n);
  SocketDTLSExt_load_ca_pem (cctx, ca.p, ca.n);
  ASSERT_EQ (RAISES (SocketDTLS_Failed,
                  SocketDTLSExt_use_certificate_pem (sctx, crt.p, crt.n, ca.p,
                                                     ca.n)), 1);
  ASSERT_EQ (RAISES (SocketDTLS_Failed,
                  SocketDTLSExt_load_ca_pem (cctx, "junk", 4)), 1);
  s = dtls_bound_socket (0);
  SocketDTLS_enable (s, sctx);
  c = dtls_client_socket (cctx, SocketDgram_getlocalport (s), NULL);
  SocketDTLSExt_set_hostname (c, "localhost");
  /* First flight out: the retransmission timer runs. */
  ASSERT (SocketDTLSExt_handshake (c, &timer) != DTLS_HANDSHAKE_COMPLETE);
  ASSERT (timer > 0);
  ASSERT (timer <= SOCKET_DTLS_INITIAL_TIMEOUT_MS);
  end = test_now_ms () + 20000;
  while ((!cd || !sd) && test_now_ms () < end)
    {
      if (!sd)
        sd = SocketDTLSExt_handshake (s, NULL) == DTLS_HANDSHAKE_COMPLETE;
      if (!cd)
        cd = SocketDTLSExt_handshake (c, &timer) == DTLS_HANDSHAKE_COMPLETE;
      test_sleep_ms (1);
    }
  ASSERT (cd && sd);
  ASSERT_EQ (timer, -1);
  ASSERT (SocketDTLSExt_get_cipher_id (c) != 0);
  ASSERT_EQ (SocketDTLSExt_get_cipher_id (c), SocketDTLSExt_get_cipher_id (s));
  want = der_of (dtls_file ("server.crt"), 0, &want_len);
  ASSERT_EQ (SocketDTLSExt_get_peer_cert_der (c, 0, 0, buf, sizeof buf),
             want_len);
  ASSERT_MEMEQ (buf, want, (size_t)want_len);
  ASSERT_EQ (SocketDTLSExt_get_peer_cert_der (c, 1, 0, buf, sizeof buf),
             want_len);
  OPENSSL_free (want);
  ASSERT_EQ (SocketDTLSExt_get_peer_cert_der (s, 0, 0, buf, sizeof buf), -1);
  SocketDgram_free (&c);
  SocketDgram_free (&s);
  free (crt.p);
  free (key.p);
  free (ca.p);
  SocketDTLSContext_free (&cctx);
  SocketDTLSContext_free (&sctx);
}

TEST (dtls_handshake_times_out)
{
  SocketDTLSContext_T cctx = SocketDTLSExt_context_new (0);
  SocketDgram_T s = dtls_bound_socket (0), c;
  volatile int expired = 0;
  int timer = 0;
  int64_t end = test_now_ms () + 20000;

  SocketDTLSContext_set_timeout (cctx, 10, 20);
  c = dtls_client_socket (cctx, SocketDgram_getlocalport (s), "localhost");
  /* Nobody answers: each expiry retransmits until the limit. */
  while (!expired && test_now_ms () < end)
    {
      TRY
      {
        SocketDTLSExt_handshake (c, &timer);
        if (timer > 0)
          test_sleep_ms (timer);
      }
      EXCEPT (SocketDTLS_TimeoutExpired) { expired = 1; }
      END_TRY;
    }
  ASSERT (expired);
  SocketDgram_free (&c);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&cctx);
}

TEST_MAIN ()
