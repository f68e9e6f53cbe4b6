/*
 * dtls_echo.c - the seed README's "DTLS (Secure UDP)" snippet as a
 * self-checking program. The server half (cookie exchange on) runs in a
 * thread on 127.0.0.1 and echoes one datagram; the client half is the
 * README's code with the local server's address and certificate. The
 * certificate is a fresh self-signed one (CN/SAN localhost) made with the
 * OpenSSL API into a temporary directory.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/Except.h"
#include "socket/SocketDgram.h"
#include "tls/SocketDTLS.h"
#include "tls/SocketDTLSContext.h"

static char dir[] = "/tmp/dtls-echo-XXXXXX";
static char cert_path[64], key_path[64];

/* Self-signed P-256 certificate for "localhost". 0 on success. */
static int
make_certificate (void)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *x = X509_new ();
  X509V3_CTX v3;
  X509_EXTENSION *san;
  FILE *cf, *kf;
  int ok;

  snprintf (cert_path, sizeof cert_path, "%s/cert.pem", dir);
  snprintf (key_path, sizeof key_path, "%s/key.pem", dir);
  ok = key != NULL && x != NULL && X509_set_version (x, 2)
       && ASN1_INTEGER_set (X509_get_serialNumber (x), 1)
       && X509_gmtime_adj (X509_getm_notBefore (x), -60)
       && X509_gmtime_adj (X509_getm_notAfter (x), 3600)
       && X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN",
                                      MBSTRING_ASC,
                                      (const unsigned char *)"localhost", -1,
                                      -1, 0)
       && X509_set_issuer_name (x, X509_get_subject_name (x))
       && X509_set_pubkey (x, key);
  X509V3_set_ctx (&v3, x, x, NULL, NULL, 0);
  san = ok ? X509V3_EXT_conf_nid (NULL, &v3, NID_subject_alt_name,
                                  "DNS:localhost")
           : NULL;
  ok = san != NULL && X509_add_ext (x, san, -1)
       && X509_sign (x, key, EVP_sha256 ()) > 0;
  X509_EXTENSION_free (san);
  cf = ok ? fopen (cert_path, "w") : NULL;
  kf = ok ? fopen (key_path, "w") : NULL;
  ok = cf != NULL && kf != NULL && PEM_write_X509 (cf, x)
       && PEM_write_PrivateKey (kf, key, NULL, NULL, 0, NULL, NULL);
  if (cf != NULL)
    fclose (cf);
  if (kf != NULL)
    fclose (kf);
  X509_free (x);
  EVP_PKEY_free (key);
  return ok ? 0 : -1;
}

/* Server: accept one client (after the cookie exchange), echo a datagram. */
static void *
server_main (void *arg)
{
  SocketDgram_T server = arg;
  char buf[1024];

  TRY
  {
    if (SocketDTLS_handshake_loop (server, 5000) == DTLS_HANDSHAKE_COMPLETE)
      {
        ssize_t n = SocketDTLS_recv (server, buf, sizeof buf);
        if (n > 0)
          SocketDTLS_send (server, buf, (size_t)n);
      }
  }
  ELSE fprintf (stderr, "server: %s\n", dtls_error_buf);
  END_TRY;
  return NULL;
}

/* The README's client, against our local server. @return 0 if echoed. */
static int
client (int port)
{
  volatile int ok = 0;

  /* DTLS Client */
  SocketDgram_T sock = SocketDgram_new (AF_INET, 0);
  SocketDgram_connect (sock, "127.0.0.1", port);
  SocketDgram_settimeout (sock, 5); /* never hang a test run */

  SocketDTLSContext_T ctx = SocketDTLSContext_new_client (cert_path);
  SocketDTLS_enable (sock, ctx);
  SocketDTLS_set_hostname (sock, "localhost");

  TRY
  {
    DTLSHandshakeState state = SocketDTLS_handshake_loop (sock, 5000);
    if (state == DTLS_HANDSHAKE_COMPLETE)
      {
        /* Send encrypted datagram */
        SocketDTLS_send (sock, "Hello DTLS", 10);

        char buf[1024];
        ssize_t n = SocketDTLS_recv (sock, buf, sizeof (buf));
        ok = n == 10 && memcmp (buf, "Hello DTLS", 10) == 0;
        printf ("client: %s, %s, echoed \"%.*s\"\n",
                SocketDTLS_get_version (sock), SocketDTLS_get_cipher (sock),
                (int)(n > 0 ? n : 0), buf);
      }
    SocketDTLS_shutdown (sock);
  }
  ELSE fprintf (stderr, "client: %s\n", dtls_error_buf);
  END_TRY;
  SocketDgram_free (&sock);
  SocketDTLSContext_free (&ctx);
  return ok ? 0 : 1;
}

int
main (void)
{
  pthread_t th;
  int rc = 1;

  if (mkdtemp (dir) == NULL || make_certificate () != 0)
    {
      fprintf (stderr, "cannot create a test certificate in %s\n", dir);
      return 1;
    }

  /* DTLS Server with cookie exchange (port 0: any free port) */
  SocketDgram_T server = SocketDgram_new (AF_INET, 0);
  SocketDgram_bind (server, "127.0.0.1", 0);
  SocketDgram_settimeout (server, 5);

  SocketDTLSContext_T srv_ctx
      = SocketDTLSContext_new_server (cert_path, key_path, NULL);
  SocketDTLSContext_enable_cookie_exchange (srv_ctx); /* DoS protection */
  SocketDTLS_enable (server, srv_ctx);

  /* SocketDTLS_handshake_loop() runs SocketDTLS_listen() until a client
   * has proven its address, then the handshake. */
  if (pthread_create (&th, NULL, server_main, server) == 0)
    {
      rc = client (SocketDgram_getlocalport (server));
      pthread_join (th, NULL);
    }
  SocketDgram_free (&server);
  SocketDTLSContext_free (&srv_ctx);
  unlink (cert_path);
  unlink (key_path);
  rmdir (dir);
  printf ("%s\n", rc == 0 ? "dtls_echo: ok" : "dtls_echo: FAILED");
  return rc;
}
