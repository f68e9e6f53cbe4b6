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

#include "core/SocketCrypto.h"

#define BUF_SIZE (1u << 20)
#define RUNS 5
#define RUN_SECONDS 0.1

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *plain, *decoded;
static char *text;
static size_t text_size, text_len;

static int
run_encode (void)
{
  return SocketCrypto_base64_encode (plain, BUF_SIZE, text, text_size) == (ssize_t)text_len;
}

static int
run_decode (void)
{
  return SocketCrypto_base64_decode (text, text_len, decoded, BUF_SIZE) == BUF_SIZE;
}

/* Best seconds per call over RUNS runs. */
static double
best_seconds (int (*fn) (void), const char *what)
{
  size_t iters = 1;
  for (;;)
    {
      double t0 = now ();
      for (size_t i = 0; i < iters; i++)
        if (!fn ())
          goto wrong;
      double dt = now () - t0;
      if (dt >= RUN_SECONDS / 4)
        {
          iters = (size_t)((double)iters * RUN_SECONDS / dt) + 1;
          break;
        }
      iters *= 2;
    }
  double best = 1e30;
  for (int r = 0; r < RUNS; r++)
    {
      double t0 = now ();
      for (size_t i = 0; i < iters; i++)
        if (!fn ())
          goto wrong;
      double per_call = (now () - t0) / (double)iters;
      if (per_call < best)
        best = per_call;
    }
  return best;
wrong:
  fprintf (stderr, "%s: unexpected result\n", what);
  exit (1);
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

  double enc = best_seconds (run_encode, "encode");
  double dec = best_seconds (run_decode, "decode");
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
