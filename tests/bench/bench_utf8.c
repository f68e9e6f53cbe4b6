/*
 * bench_utf8.c - SocketUTF8 validation throughput on 1 MiB of pure ASCII
 * and 1 MiB of multilingual text, one-shot and in 4 KiB pieces, each next
 * to memchr() over the same buffer for an absent byte (0xFF never occurs
 * in UTF-8) as a "how fast can memory be read" yardstick.
 *
 * Each measurement is the best of 5 runs of ~0.1 s. Results are checked
 * (UTF8_VALID, memchr NULL) so the work cannot be optimised away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "core/SocketUTF8.h"

#include "core/SocketUTF8-private.h"

#define BUF_SIZE (1u << 20)
#define PIECE 4096

typedef int (*bench_fn) (const unsigned char *buf, size_t len);

static int
run_validate (const unsigned char *buf, size_t len)
{
  return SocketUTF8_validate (buf, len) == UTF8_VALID;
}

static int
run_portable (const unsigned char *buf, size_t len)
{
  return SocketUTF8__validate_portable (buf, len) == UTF8_VALID;
}

static int
run_incremental (const unsigned char *buf, size_t len)
{
  SocketUTF8_State st;
  SocketUTF8_init (&st);
  for (size_t pos = 0; pos < len; pos += PIECE)
    (void)SocketUTF8_update (&st, buf + pos, len - pos < PIECE ? len - pos : PIECE);
  return SocketUTF8_finish (&st) == UTF8_VALID;
}

static int
run_memchr (const unsigned char *buf, size_t len)
{
  return memchr (buf, 0xFF, len) == NULL;
}

struct measure_ctx
{
  bench_fn fn;
  const unsigned char *buf;
  size_t len;
};

static int
measure_call (void *arg)
{
  struct measure_ctx *m = arg;
  return m->fn (m->buf, m->len);
}

/* Best throughput in GB/s; exits if a result is wrong. */
static double
measure (bench_fn fn, const unsigned char *buf, size_t len, const char *what)
{
  struct measure_ctx m = { fn, buf, len };
  return (double)len / bench_best_seconds (measure_call, &m, what) / 1e9;
}

/* Printable ASCII prose: words of 2..9 letters, spaces, punctuation. */
static void
fill_ascii (unsigned char *buf, size_t len)
{
  uint32_t seed = 12345;
  size_t i = 0;
  while (i < len)
    {
      seed = seed * 1103515245u + 12345u;
      size_t word = 2 + (seed >> 16) % 8;
      for (size_t k = 0; k < word && i < len; k++)
        buf[i++] = (unsigned char)('a' + ((seed >> (k % 16)) + k * 7) % 26);
      if (i < len)
        buf[i++] = (seed >> 12) % 11 == 0 ? '\n' : (seed >> 12) % 7 == 0 ? '.' : ' ';
    }
}

/* Realistic multilingual text: sentences drawn from several scripts. */
static const char *const sentences[] = {
  "The quick brown fox jumps over the lazy dog near the riverbank. ",
  "Please find the attached report and send comments by Friday. ",
  "Grüße aus München: die Straßenbahn fährt heute später. ",
  "Съешь же ещё этих мягких французских булок, да выпей чаю. ",
  "Ταχίστη αλώπηξ βαφής ψημένη γη, δρασκελίζει υπέρ νωθρού κυνός. ",
  "我能吞下玻璃而不伤身体。今天的天气很好。",
  "いろはにほへと ちりぬるを わかよたれそ つねならむ。",
  "Ship it 🚀 and celebrate 🎉 with the team 😀! ",
  "Le cœur a ses raisons que la raison ne connaît point. ",
};

static void
fill_mixed (unsigned char *buf, size_t len, size_t counts[5])
{
  uint32_t seed = 777;
  size_t i = 0;
  while (i < len)
    {
      seed = seed * 1103515245u + 12345u;
      const char *s = sentences[(seed >> 16) % (sizeof (sentences) / sizeof (sentences[0]))];
      size_t n = strlen (s);
      if (n > len - i)
        break; /* never cut a sequence: pad the tail with ASCII */
      memcpy (buf + i, s, n);
      i += n;
    }
  memset (buf + i, ' ', len - i);
  for (size_t k = 0; k < 5; k++)
    counts[k] = 0;
  for (size_t k = 0; k < len; k++)
    counts[SocketUTF8_sequence_len (buf[k])]++; /* 0 = continuation bytes */
}

static void
report (const char *name, const char *kind, double ours, double base)
{
  printf ("%s %s 1MiB: %.2f GB/s (memchr %.1f GB/s, ratio %.2f)\n", name, kind, ours,
          base, ours / base);
}

int
main (void)
{
  unsigned char *ascii = malloc (BUF_SIZE), *mixed = malloc (BUF_SIZE);
  size_t counts[5];
  if (ascii == NULL || mixed == NULL)
    return 1;
  fill_ascii (ascii, BUF_SIZE);
  fill_mixed (mixed, BUF_SIZE, counts);
  if (SocketUTF8_validate (ascii, BUF_SIZE) != UTF8_VALID
      || SocketUTF8_validate (mixed, BUF_SIZE) != UTF8_VALID)
    {
      fprintf (stderr, "benchmark input is not valid UTF-8\n");
      return 1;
    }
  printf ("mixed text: %.0f%% ASCII bytes; lead bytes 2/3/4-byte: %zu/%zu/%zu\n",
          100.0 * (double)counts[1] / BUF_SIZE, counts[2], counts[3], counts[4]);

  const struct
  {
    const char *kind;
    const unsigned char *buf;
  } inputs[] = { { "ascii", ascii }, { "mixed", mixed } };
  for (size_t k = 0; k < 2; k++)
    {
      const unsigned char *buf = inputs[k].buf;
      double base = measure (run_memchr, buf, BUF_SIZE, "memchr");
      report ("utf8_validate", inputs[k].kind,
              measure (run_validate, buf, BUF_SIZE, "validate"), base);
      report ("utf8_update_4KiB", inputs[k].kind,
              measure (run_incremental, buf, BUF_SIZE, "update"), base);
      report ("utf8_validate_portable", inputs[k].kind,
              measure (run_portable, buf, BUF_SIZE, "portable"), base);
    }
  free (ascii);
  free (mixed);
  return 0;
}
