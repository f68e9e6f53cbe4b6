/*
 * fuzz_tls_handshake.c - arbitrary bytes as the peer's handshake flight,
 * against server-side and client-side contexts built with the library
 * (so its SNI, ALPN, ClientHello, session ticket, OCSP and verify
 * callbacks all run on attacker input).
 *
 * Byte 0 picks the setup:
 *   bits 0-1  0 server on memory BIOs       1 client on memory BIOs
 *             2 server through SocketTLS    3 client through SocketTLS
 *               (a socketpair: our side is a real Socket_T; the input is
 *               written to the other end, then EOF)
 *   bit 2     memory BIO modes: cap our side at TLS 1.2
 *   bit 3     alternate contexts: server with an ALPN callback, required
 *             client certificates, stateful cache and a static OCSP
 *             response; client without chain verification but with an
 *             unmatched pin
 * The rest is the peer's bytes (for client modes, the answer to our
 * ClientHello).
 *
 * Checked: through SocketTLS only the documented handshake exceptions are
 * raised, each with a reason; no crash, no leak (contexts are global).
 *
 * Built with -DFUZZ_TLS_HANDSHAKE_SEEDS, main() writes the seed corpus:
 * real ClientHellos (TLS 1.3, 1.2, and resumption attempts carrying a
 * ticket under this harness's fixed key) and real server flights (TLS 1.3,
 * and TLS 1.2 with plaintext Certificate / CertificateStatus), captured
 * from in-memory handshakes with the same contexts:
 *   fuzz_tls_handshake_seeds DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "core/Except.h"
#include "fuzz_common.h"
#include "fuzz_tls_keys.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

static SocketTLSContext_T server_ctx, server_alt, client_ctx, client_alt;

/* A DER OCSPResponse with status "unauthorized" and no body: minimal but
 * valid, enough for the server's stapling path. */
static const unsigned char ocsp_unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };

static void
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  CHECK (f != NULL && fputs (text, f) >= 0);
  fclose (f);
}

static const char *
pick_last (const char **protos, size_t n, void *ud)
{
  (void)ud;
  return n > 0 ? protos[n - 1] : NULL;
}

static OCSP_RESPONSE *
no_ocsp (SSL *ssl, void *arg)
{
  (void)ssl;
  (void)arg;
  return NULL;
}

static void
make_contexts (const char *ca, const char *cert, const char *key)
{
  const char *protos[] = { "h2", "http/1.1" };
  unsigned char zero[SOCKET_TLS_PIN_HASH_LEN] = { 0 };

  server_ctx = SocketTLSContext_new_server (cert, key, ca);
  SocketTLSContext_set_min_protocol (server_ctx, TLS1_2_VERSION);
  SocketTLSContext_add_certificate (server_ctx, "*.example.com", cert, key);
  SocketTLSContext_set_alpn_protos (server_ctx, protos, 2);
  SocketTLSContext_enable_session_cache (server_ctx, 64, 0);
  SocketTLSContext_enable_session_tickets (server_ctx, fuzz_tls_ticket_key,
                                           sizeof fuzz_tls_ticket_key);
  SocketTLSContext_set_ocsp_gen_callback (server_ctx, no_ocsp, NULL);

  server_alt = SocketTLSContext_new_server (cert, key, ca);
  SocketTLSContext_set_min_protocol (server_alt, TLS1_2_VERSION);
  SocketTLSContext_set_alpn_callback (server_alt, pick_last, NULL);
  SocketTLSContext_set_verify_mode (server_alt,
                                    TLS_VERIFY_PEER
                                        | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  SocketTLSContext_enable_session_cache (server_alt, 64, 0);
  SocketTLSContext_set_ocsp_response (server_alt, ocsp_unauthorized,
                                      sizeof ocsp_unauthorized);

  client_ctx = SocketTLSContext_new_client (ca);
  SocketTLSContext_set_min_protocol (client_ctx, TLS1_2_VERSION);
  SocketTLSContext_set_alpn_protos (client_ctx, protos, 2);
  SocketTLSContext_enable_session_cache (client_ctx, 16, 0);
  SocketTLSContext_add_pin_from_cert (client_ctx, ca);

  client_alt = SocketTLSContext_new_client (ca);
  SocketTLSContext_set_min_protocol (client_alt, TLS1_2_VERSION);
  SocketTLSContext_set_verify_mode (client_alt, TLS_VERIFY_NONE);
  SocketTLSContext_add_pin (client_alt, zero);
}

/* Contexts from the fixed credentials (files only while loading). */
static void
setup (void)
{
  char dir[] = "/tmp/fuzz-tls-XXXXXX", ca[64], cert[64], key[64];

  if (server_ctx != NULL)
    return;
  CHECK (mkdtemp (dir) != NULL);
  snprintf (ca, sizeof ca, "%s/ca.pem", dir);
  snprintf (cert, sizeof cert, "%s/cert.pem", dir);
  snprintf (key, sizeof key, "%s/key.pem", dir);
  write_file (ca, fuzz_tls_ca_pem);
  write_file (cert, fuzz_tls_cert_pem);
  write_file (key, fuzz_tls_key_pem);
  make_contexts (ca, cert, key);
  unlink (ca);
  unlink (cert);
  unlink (key);
  rmdir (dir);
}

/* A bare SSL of @p ctx on memory BIOs; clients aim at "localhost". */
static SSL *
mem_ssl (SocketTLSContext_T ctx, int tls12)
{
  SSL *ssl = SSL_new (SocketTLSContext_get_ssl_ctx (ctx));
  BIO *in = BIO_new (BIO_s_mem ()), *out = BIO_new (BIO_s_mem ());

  CHECK (ssl != NULL && in != NULL && out != NULL);
  BIO_set_mem_eof_return (in, 0); /* input exhausted = EOF */
  SSL_set_bio (ssl, in, out);
  if (tls12)
    CHECK (SSL_set_max_proto_version (ssl, TLS1_2_VERSION) == 1);
  if (SocketTLSContext_is_server (ctx))
    SSL_set_accept_state (ssl);
  else
    {
      SSL_set_connect_state (ssl);
      CHECK (SSL_set_tlsext_host_name (ssl, "localhost") == 1);
      CHECK (SSL_set1_host (ssl, "localhost") == 1);
      SSL_set_tlsext_status_type (ssl, TLSEXT_STATUSTYPE_ocsp);
    }
  return ssl;
}

static void
run_mem (SocketTLSContext_T ctx, int tls12, const uint8_t *data, size_t size)
{
  SSL *ssl = mem_ssl (ctx, tls12);

  if (!SocketTLSContext_is_server (ctx))
    (void)SSL_do_handshake (ssl); /* our ClientHello */
  (void)BIO_reset (SSL_get_wbio (ssl));
  CHECK (BIO_write (SSL_get_rbio (ssl), data, (int)size) == (int)size
         || size == 0);
  for (int i = 0; i < 4; i++)
    {
      char buf[256];
      int r = SSL_do_handshake (ssl);
      if (r == 1)
        {
          (void)SSL_read (ssl, buf, sizeof buf);
          break;
        }
      r = SSL_get_error (ssl, r);
      if (r != SSL_ERROR_WANT_READ && r != SSL_ERROR_WANT_WRITE)
        break;
    }
  SSL_free (ssl);
  ERR_clear_error ();
}

static int
expected_exception (const Except_T *e)
{
  return e == &SocketTLS_HandshakeFailed || e == &SocketTLS_VerifyFailed
         || e == &SocketTLS_PinVerifyFailed || e == &SocketTLS_ProtocolError
         || e == &Socket_Closed;
}

/* The peer's bytes arrive on a real socket, then EOF. */
static void
run_socket (SocketTLSContext_T ctx, const uint8_t *data, size_t size)
{
  Socket_T a, b;

  SocketPair_new (SOCK_STREAM, &a, &b);
  Socket_setnonblocking (b);
  SocketTLS_enable (b, ctx);
  TRY
  {
    char buf[256];
    if (!SocketTLSContext_is_server (ctx))
      {
        SocketTLS_set_hostname (b, "localhost");
        (void)SocketTLS_handshake (b);
      }
    if (size > 0)
      (void)send (Socket_fd (a), data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown (Socket_fd (a), SHUT_WR);
    for (int i = 0; i < 4; i++)
      if (SocketTLS_handshake (b) == TLS_HANDSHAKE_COMPLETE)
        {
          (void)SocketTLS_recv (b, buf, sizeof buf);
          break;
        }
  }
  ELSE
  {
    CHECK (expected_exception (Except_frame.exception->type));
    CHECK (Except_frame.exception->reason != NULL
           && Except_frame.exception->reason[0] != '\0');
  }
  END_TRY;
  Socket_free (&a);
  Socket_free (&b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  unsigned mode;
  int alt, server;

  if (size < 1 || size > 65536)
    return 0;
  setup ();
  mode = data[0];
  alt = (mode & 8) != 0;
  server = (mode & 1) == 0;
  SocketTLSContext_T ctx = server ? (alt ? server_alt : server_ctx)
                                  : (alt ? client_alt : client_ctx);
  if (mode & 2)
    run_socket (ctx, data + 1, size - 1);
  else
    run_mem (ctx, (mode & 4) != 0, data + 1, size - 1);
  return 0;
}

#ifdef FUZZ_TLS_HANDSHAKE_SEEDS
/* ------------------------------------------------------------------ */
/* Seed corpus                                                        */
/* ------------------------------------------------------------------ */

static const char *seed_dir;

/* Write mode byte + @p flight as DIR/<sha256 of the file>. */
static void
save (unsigned char mode, BIO *flight)
{
  char *p, path[512], hex[65];
  long n = BIO_get_mem_data (flight, &p);
  unsigned char *buf, md[32];
  FILE *f;

  CHECK (n > 0);
  buf = xmalloc ((size_t)n + 1);
  buf[0] = mode;
  memcpy (buf + 1, p, (size_t)n);
  CHECK (EVP_Digest (buf, (size_t)n + 1, md, NULL, EVP_sha256 (), NULL));
  for (int i = 0; i < 32; i++)
    snprintf (hex + 2 * i, 3, "%02x", md[i]);
  snprintf (path, sizeof path, "%s/%s", seed_dir, hex);
  f = fopen (path, "wb");
  CHECK (f != NULL && fwrite (buf, 1, (size_t)n + 1, f) == (size_t)n + 1);
  fclose (f);
  free (buf);
}

/* Move everything @p from wrote into @p to's input. 1 if bytes moved. */
static int
shuttle (SSL *from, SSL *to)
{
  char buf[16384];
  int n, moved = 0;

  while ((n = BIO_read (SSL_get_wbio (from), buf, sizeof buf)) > 0)
    {
      CHECK (BIO_write (SSL_get_rbio (to), buf, n) == n);
      moved = 1;
    }
  return moved;
}

/* Full in-memory handshake; the client reads once so tickets arrive.
 * @return the client's session (caller frees). */
static SSL_SESSION *
full_handshake (SocketTLSContext_T cctx, SocketTLSContext_T sctx, int tls12)
{
  SSL *c = mem_ssl (cctx, tls12), *s = mem_ssl (sctx, 0);
  SSL_SESSION *sess;
  char buf[8];

  BIO_set_mem_eof_return (SSL_get_rbio (c), -1);
  BIO_set_mem_eof_return (SSL_get_rbio (s), -1);
  for (int i = 0; i < 10; i++)
    {
      (void)SSL_do_handshake (c);
      shuttle (c, s);
      (void)SSL_do_handshake (s);
      shuttle (s, c);
    }
  CHECK (SSL_is_init_finished (c) && SSL_is_init_finished (s));
  CHECK (SSL_write (s, "x", 1) == 1);
  shuttle (s, c);
  CHECK (SSL_read (c, buf, sizeof buf) == 1);
  sess = SSL_get1_session (c);
  /* Freed without close_notify, OpenSSL would retire the session. */
  SSL_set_shutdown (c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_set_shutdown (s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free (c);
  SSL_free (s);
  return sess;
}

/* Our ClientHello (optionally resuming @p sess) saved for server modes;
 * with @p answer, the server's reply saved for client modes. */
static void
capture (int tls12, SSL_SESSION *sess, int answer)
{
  SSL *c = mem_ssl (client_ctx, tls12), *s = mem_ssl (server_ctx, tls12);

  if (sess != NULL)
    CHECK (SSL_set_session (c, sess) == 1);
  (void)SSL_do_handshake (c);
  save (0x00, SSL_get_wbio (c));
  save (0x02, SSL_get_wbio (c));
  save (0x08, SSL_get_wbio (c));
  if (answer)
    {
      shuttle (c, s);
      (void)SSL_do_handshake (s);
      save (0x01, SSL_get_wbio (s));
      save (0x03, SSL_get_wbio (s));
    }
  SSL_free (c);
  SSL_free (s);
}

int
main (int argc, char **argv)
{
  SSL_SESSION *s13, *s12;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  seed_dir = argv[1];
  setup ();
  capture (0, NULL, 1);
  capture (1, NULL, 1);
  s13 = full_handshake (client_ctx, server_ctx, 0);
  s12 = full_handshake (client_ctx, server_ctx, 1);
  capture (0, s13, 0);
  capture (1, s12, 0);
  SSL_SESSION_free (s13);
  SSL_SESSION_free (s12);
  return 0;
}
#endif
