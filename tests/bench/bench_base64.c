/*
 * bench_base64.c - SocketCrypto Base64 throughput: encode 1 MiB of random
 * bytes, and decode the resulting text. Best of 5 runs of ~0.1 s each;
 * the decoded bytes are compared with the original so nothing can be
 * optimised away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "core/SocketCrypto.h"

#define BUF_SIZE (1u << 20)

static unsigned char *plain, *decoded;
static char *text;
static size_t text_size, text_len;

static int
run_encode (void *ctx)
{
  (void)ctx;
  return SocketCrypto_base64_encode (plain, BUF_SIZE, text, text_size) == (ssize_t)text_len;
}

static int
run_decode (void *ctx)
{
  (void)ctx;
  return SocketCrypto_base64_decode (text, text_len, decoded, BUF_SIZE) == BUF_SIZE;
}

int
main (void)
{
  text_size = SocketCrypto_base64_encoded_size (BUF_SIZE);
  text_len = text_size - 1;
  plain = malloc (BUF_SIZE);
  decoded = malloc (BUF_SIZE);
  text = malloc (text_size);
  if (plain == NULL || decoded == NULL || text == NULL
      || SocketCrypto_random_bytes (plain, BUF_SIZE) != 0)
    return 1;

  double enc = bench_best_seconds (run_encode, NULL, "encode");
  double dec = bench_best_seconds (run_decode, NULL, "decode");
  if (memcmp (plain, decoded, BUF_SIZE) != 0)
    {
      fprintf (stderr, "decode did not round-trip\n");
      return 1;
    }
  printf ("base64_encode 1MiB: %.1f MB/s (of input bytes)\n", BUF_SIZE / enc / 1e6);
  printf ("base64_decode 1MiB: %.1f MB/s (of output bytes; %.1f MB/s of Base64 text)\n",
          BUF_SIZE / dec / 1e6, (double)text_len / dec / 1e6);
  free (plain);
  free (decoded);
  free (text);
  return 0;
}
