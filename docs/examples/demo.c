/*
 * demo.c - the program `./build.sh run` starts.
 *
 * This first version exercises what the library has today: it prints the
 * version and build features, runs a short self-check of the core runtime
 * (exceptions, arena, crypto, UTF-8, rate limiting), shows the metrics
 * snapshot and exits 0 when every check passes. Later modules grow it into
 * a demo server on localhost.
 */
#include <stdio.h>
#include <string.h>

#include "core/Arena.h"
#include "core/SocketConfig.h"
#include "core/SocketCrypto.h"
#include "core/SocketRateLimit.h"
#include "core/SocketSecurity.h"
#include "core/SocketUTF8.h"
#include "core/SocketUtil.h"

static int failures;

static void
check (const char *what, int ok)
{
  printf ("  %-44s %s\n", what, ok ? "ok" : "FAILED");
  failures += !ok;
}

static void
check_exceptions (void)
{
  volatile int caught = 0;
  Arena_T arena = Arena_new ();

  TRY
    (void)ALLOC (arena, 0);
  EXCEPT (Arena_Failed)
    caught = 1;
  FINALLY
    Arena_dispose (&arena);
  END_TRY;
  check ("TRY/EXCEPT/FINALLY catches Arena_Failed", caught && arena == NULL);
}

static void
check_crypto (void)
{
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  unsigned char digest[SOCKET_CRYPTO_SHA256_SIZE];
  char hex[2 * SOCKET_CRYPTO_SHA256_SIZE + 1];

  /* RFC 6455 section 1.3 example handshake. */
  check ("WebSocket accept key (RFC 6455 1.3)",
         SocketCrypto_websocket_accept ("dGhlIHNhbXBsZSBub25jZQ==", accept) == 0
             && strcmp (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
  SocketCrypto_sha256 ("abc", 3, digest);
  SocketCrypto_hex_encode (digest, sizeof digest, hex, 1);
  check ("SHA-256(\"abc\") (FIPS 180-2)",
         strncmp (hex, "ba7816bf8f01cfea", 16) == 0);
}

static void
check_utf8 (void)
{
  static const unsigned char good[] = "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80";
  static const unsigned char overlong[] = { 0xC0, 0xAF };
  static const unsigned char surrogate[] = { 0xED, 0xA0, 0x80 };

  check ("UTF-8 accepts multilingual text",
         SocketUTF8_validate (good, sizeof good - 1) == UTF8_VALID);
  check ("UTF-8 rejects overlong '/'",
         SocketUTF8_validate (overlong, sizeof overlong) == UTF8_OVERLONG);
  check ("UTF-8 rejects a surrogate",
         SocketUTF8_validate (surrogate, sizeof surrogate) == UTF8_SURROGATE);
}

static void
check_rate_limit (void)
{
  SocketRateLimit_T limiter = SocketRateLimit_new (NULL, 10, 5);
  int granted = 0;

  for (int i = 0; i < 10; i++)
    granted += SocketRateLimit_try_acquire (limiter, 1);
  check ("token bucket grants exactly its burst", granted == 5);
  SocketRateLimit_free (&limiter);
}

static void
print_metrics (void)
{
  SocketMetricsSnapshot snap;

  SocketMetrics_getsnapshot (&snap);
  printf ("\nmetrics (%zu counters):\n", SocketMetrics_count ());
  for (size_t i = 0; i < SocketMetrics_count (); i++)
    printf ("  %-28s %llu\n", SocketMetrics_name ((SocketMetric)i),
            SocketMetrics_snapshot_value (&snap, (SocketMetric)i));
}

int
main (void)
{
  printf ("libsocket %s demo\n", SOCKET_VERSION_STRING);
  printf ("features: TLS %s, HTTP compression %s\n\n",
          SocketSecurity_has_tls () ? "yes" : "no",
          SocketSecurity_has_compression () ? "yes" : "no");
  printf ("self-check:\n");
  check_exceptions ();
  check_crypto ();
  check_utf8 ();
  check_rate_limit ();
  print_metrics ();
  SocketLog_emitf (SOCKET_LOG_INFO, "Demo", "self-check finished: %d failure(s)",
                   failures);
  printf ("\n%s\n", failures ? "demo: some checks FAILED"
                             : "demo: all checks passed (the network demo "
                               "server arrives with the socket modules)");
  return failures ? 1 : 0;
}
