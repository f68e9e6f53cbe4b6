/*
 * fuzz_dtls_cookie.c - the stateless DTLS listener and cookie verification
 * on arbitrary datagrams.
 *
 * Byte 0 picks options: bit 0 = the datagram comes from [::1] instead of
 * 127.0.0.1; bit 1 = the cookie secret was rotated just before (cookies made
 * under the old secret must still verify). The rest is one datagram, fed
 * through SocketDTLS__listen_datagram (DTLSv1_listen on memory BIOs, as the
 * listener does) and, as a candidate cookie, to SocketDTLS__cookie_verify.
 *
 * Checked: a reply is exactly one HelloVerifyRequest carrying the cookie
 * for that peer; an accepted datagram carried a cookie that verified; a
 * dropped one produces nothing; the OpenSSL error queue is left empty;
 * cookies verify only for their own peer. No crash, no leak.
 *
 * Built with -DFUZZ_DTLS_COOKIE_SEEDS, main() writes the seed corpus: real
 * first and second ClientHellos of an OpenSSL client in memory (so the
 * second one carries a cookie valid under this harness's fixed secret and
 * clock): fuzz_dtls_cookie_seeds DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "fuzz_common.h"
#include "tls/SocketDTLS-private.h"

#define FIXED_TIME ((time_t)60 * 29000000 + 17)

static const unsigned char secret_a[SOCKET_DTLS_COOKIE_SECRET_LEN]
    = "fuzz-dtls-cookie-secret-A-32byte";
static const unsigned char secret_b[SOCKET_DTLS_COOKIE_SECRET_LEN]
    = "fuzz-dtls-cookie-secret-B-32byte";

static SocketDTLSContext_T ctx;

static time_t
fixed_clock (void)
{
  return FIXED_TIME;
}

static void
setup (void)
{
  if (ctx != NULL)
    return;
  SocketDTLS__clock = fixed_clock;
  ctx = SocketDTLSContext__new (1);
  SocketDTLSContext_enable_cookie_exchange (ctx);
}

/* Peer of a datagram: 127.0.0.1:5684 or [::1]:5684. */
static socklen_t
make_peer (int v6, struct sockaddr_storage *ss)
{
  memset (ss, 0, sizeof *ss);
  if (v6)
    {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
      a->sin6_family = AF_INET6;
      a->sin6_port = htons (5684);
      a->sin6_addr = in6addr_loopback;
      return sizeof *a;
    }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons (5684);
  a->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return sizeof *a;
}

/* Current secret A, or B with A as the previous one (in its grace time). */
static void
set_secrets (int rotated)
{
  SocketDTLSContext_set_cookie_secret (ctx, secret_a, sizeof secret_a);
  SocketDTLSContext_set_cookie_secret (ctx, rotated ? secret_b : secret_a,
                                       sizeof secret_a);
}

static void
check_cookie_api (const struct sockaddr *peer, socklen_t plen,
                  const uint8_t *data, size_t size)
{
  unsigned char mine[SOCKET_DTLS_COOKIE_LEN];
  struct sockaddr_storage other;
  socklen_t olen = make_peer (peer->sa_family == AF_INET, &other);

  if (SocketDTLS__cookie_verify (ctx, peer, plen, data, size))
    CHECK (size == SOCKET_DTLS_COOKIE_LEN);
  CHECK (SocketDTLS__cookie_compute (ctx, peer, plen, mine) == 0);
  CHECK (SocketDTLS__cookie_verify (ctx, peer, plen, mine, sizeof mine));
  CHECK (!SocketDTLS__cookie_verify (ctx, (struct sockaddr *)&other, olen,
                                     mine, sizeof mine));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  unsigned char out[512], expect[SOCKET_DTLS_COOKIE_LEN];
  struct sockaddr_storage peer;
  socklen_t plen;
  size_t out_len = 99, ok_before;
  SSL *ssl;
  SocketDTLS__ListenResult r;

  if (size < 1)
    return 0;
  setup ();
  plen = make_peer (data[0] & 1, &peer);
  set_secrets ((data[0] & 2) != 0);
  ssl = SSL_new (ctx->ssl_ctx);
  CHECK (ssl != NULL);
  ok_before = atomic_load (&SocketDTLS__stats.cookies_ok);
  r = SocketDTLS__listen_datagram (ssl, data + 1, size - 1,
                                   (struct sockaddr *)&peer, plen, out,
                                   sizeof out, &out_len);
  CHECK (ERR_peek_error () == 0);
  if (r == DTLS__LISTEN_VERIFY)
    {
      CHECK (SocketDTLS__cookie_compute (ctx, (struct sockaddr *)&peer, plen,
                                         expect)
             == 0);
      CHECK (out_len == 28 + SOCKET_DTLS_COOKIE_LEN);
      CHECK (out[0] == DTLS__CT_HANDSHAKE
             && out[13] == DTLS__HT_HELLO_VERIFY_REQUEST);
      CHECK (out[27] == SOCKET_DTLS_COOKIE_LEN);
      CHECK (memcmp (out + 28, expect, sizeof expect) == 0);
    }
  else
    CHECK (out_len == 0);
  if (r == DTLS__LISTEN_ACCEPT)
    CHECK (atomic_load (&SocketDTLS__stats.cookies_ok) > ok_before);
  SSL_free (ssl);
  check_cookie_api ((struct sockaddr *)&peer, plen, data + 1, size - 1);
  return 0;
}

#ifdef FUZZ_DTLS_COOKIE_SEEDS
/* ------------------------------------------------------------------ */
/* Seed generator                                                     */
/* ------------------------------------------------------------------ */

#include <openssl/sha.h>

static void
write_seed (const char *dir, uint8_t opt, const unsigned char *d, size_t n)
{
  unsigned char buf[4096], md[SHA256_DIGEST_LENGTH];
  char path[512];
  FILE *f;
  int len;

  CHECK (n + 1 <= sizeof buf);
  buf[0] = opt;
  memcpy (buf + 1, d, n);
  SHA256 (buf, n + 1, md);
  len = snprintf (path, sizeof path, "%s/", dir);
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
    len += snprintf (path + len, sizeof path - (size_t)len, "%02x", md[i]);
  f = fopen (path, "wb");
  CHECK (f != NULL && fwrite (buf, 1, n + 1, f) == n + 1 && fclose (f) == 0);
  LLVMFuzzerTestOneInput (buf, n + 1); /* every seed passes the checks */
}

/* The listener's verdict on datagram @p d with options @p opt. */
static SocketDTLS__ListenResult
verdict (uint8_t opt, const unsigned char *d, size_t n)
{
  unsigned char out[512];
  struct sockaddr_storage peer;
  socklen_t plen = make_peer (opt & 1, &peer);
  size_t out_len;
  SSL *ssl = SSL_new (ctx->ssl_ctx);
  SocketDTLS__ListenResult r;

  set_secrets ((opt & 2) != 0);
  r = SocketDTLS__listen_datagram (ssl, d, n, (struct sockaddr *)&peer, plen,
                                   out, sizeof out, &out_len);
  SSL_free (ssl);
  return r;
}

/* Drive an in-memory OpenSSL client; @return the next datagram it wrote. */
static size_t
client_step (SSL *cli, BIO *to_cli, const unsigned char *in, size_t in_len,
             unsigned char *out, size_t cap)
{
  BIO *from_cli = SSL_get_wbio (cli);
  int n;

  if (in_len > 0)
    CHECK (BIO_write (to_cli, in, (int)in_len) == (int)in_len);
  (void)SSL_connect (cli);
  n = BIO_read (from_cli, out, (int)cap);
  return n > 0 ? (size_t)n : 0;
}

int
main (int argc, char **argv)
{
  SSL_CTX *cctx = SSL_CTX_new (DTLS_client_method ());
  SSL *cli = SSL_new (cctx), *srv;
  BIO *to_cli = BIO_new (BIO_s_mem ()), *from_cli = BIO_new (BIO_s_mem ());
  unsigned char ch1[2048], ch2[2048], hvr[512];
  size_t n1, n2, hvr_len = 0;
  struct sockaddr_storage peer;
  socklen_t plen;

  CHECK (argc == 2 && cli != NULL);
  setup ();
  set_secrets (0);
  SSL_set_bio (cli, to_cli, from_cli);
  SSL_set_mtu (cli, 1400);
  SSL_set_options (cli, SSL_OP_NO_QUERY_MTU);
  n1 = client_step (cli, to_cli, NULL, 0, ch1, sizeof ch1);
  plen = make_peer (0, &peer);
  srv = SSL_new (ctx->ssl_ctx);
  CHECK (SocketDTLS__listen_datagram (srv, ch1, n1, (struct sockaddr *)&peer,
                                      plen, hvr, sizeof hvr, &hvr_len)
         == DTLS__LISTEN_VERIFY);
  SSL_free (srv);
  n2 = client_step (cli, to_cli, hvr, hvr_len, ch2, sizeof ch2);
  CHECK (n1 > 0 && n2 > n1);
  CHECK (verdict (0, ch2, n2) == DTLS__LISTEN_ACCEPT);
  CHECK (verdict (2, ch2, n2) == DTLS__LISTEN_ACCEPT);
  CHECK (verdict (1, ch2, n2) == DTLS__LISTEN_VERIFY);
  CHECK (verdict (0, hvr, hvr_len) == DTLS__LISTEN_DROP);
  write_seed (argv[1], 0, ch1, n1); /* first ClientHello: HVR */
  write_seed (argv[1], 0, ch2, n2); /* with valid cookie: accepted */
  write_seed (argv[1], 1, ch2, n2); /* from another peer: HVR again */
  write_seed (argv[1], 2, ch2, n2); /* old secret in its grace time */
  write_seed (argv[1], 0, hvr, hvr_len); /* a server message: dropped */
  SSL_free (cli);
  SSL_CTX_free (cctx);
  SocketDTLSContext__unref (ctx);
  return 0;
}
#endif
