/*
 * bench_http1.c - HTTP/1.1 request parsing throughput.
 *
 * Input: a realistic 450-byte browser GET with 8 fields. Measured:
 *   single      one request per call (reset + execute)
 *   pipelined   64 back-to-back requests in one buffer
 *   bytewise    the request fed one byte per execute call
 * for our parser (SIMD and forced-portable scanners, strict mode), our
 * parser plus three header lookups (which builds the lazy hash index),
 * llhttp (Debian node-llhttp C sources, when found: without callbacks and
 * with URL/field span callbacks), picohttpparser (when its files are in
 * PICOHTTPPARSER_DIR: slices only, no copy, no header table) and memchr() over the same bytes for an
 * absent byte (memory-read yardstick). Prints ns/request, MB/s, req/s and
 * the ratios against llhttp. Results are checked, so no work is skipped.
 * Times are thread CPU time (best of 9 runs of ~50 ms), since benchmarks
 * here share the machine with other work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "http/SocketHTTP1-private.h"
#include "http/SocketHTTP1.h"

#define PIPELINE 64

static const char request[]
    = "GET /search?q=http+parser&hl=en&source=hp HTTP/1.1\r\n"
      "Host: www.example.com\r\n"
      "Connection: keep-alive\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36\r\n"
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/"
      "*;q=0.8\r\n"
      "Accept-Encoding: gzip, deflate, br\r\n"
      "Accept-Language: en-US,en;q=0.9\r\n"
      "Cookie: session=3f2a9c1e7b; theme=dark\r\n"
      "Upgrade-Insecure-Requests: 1\r\n"
      "\r\n";

#ifdef BENCH_WITH_PICO
int bench_pico_parse (const char *data, size_t len, size_t expect_msgs);

static int pico_run (void *v);
#endif

#ifdef BENCH_WITH_LLHTTP
int bench_llhttp_parse (const char *data, size_t len, int spans, size_t expect_msgs);
int bench_llhttp_bytewise (const char *data, size_t len);
#endif

typedef struct
{
  SocketHTTP1_Parser_T p;
  const char *buf;
  size_t len;
  size_t msgs;
  int lookups;
  int spans;
} ctx_t;

static int
ours_single (void *v)
{
  ctx_t *c = v;
  size_t used;
  SocketHTTP1_Parser_reset (c->p);
  if (SocketHTTP1_Parser_execute (c->p, c->buf, c->len, &used) != HTTP1_OK || used != c->len)
    return 0;
  if (c->lookups)
    {
      SocketHTTP_Headers_T h = SocketHTTP1_Parser_get_request (c->p)->headers;
      return SocketHTTP_Headers_get (h, "host") != NULL
             && SocketHTTP_Headers_get (h, "user-agent") != NULL
             && SocketHTTP_Headers_get (h, "cookie") != NULL;
    }
  return SocketHTTP1_Parser_body_complete (c->p);
}

static int
ours_pipelined (void *v)
{
  ctx_t *c = v;
  size_t off = 0, n = 0;
  while (off < c->len)
    {
      size_t used;
      SocketHTTP1_Parser_reset (c->p);
      if (SocketHTTP1_Parser_execute (c->p, c->buf + off, c->len - off, &used) != HTTP1_OK)
        return 0;
      off += used;
      n++;
    }
  return n == c->msgs;
}

static int
ours_bytewise (void *v)
{
  ctx_t *c = v;
  size_t used;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  SocketHTTP1_Parser_reset (c->p);
  for (size_t i = 0; i < c->len; i++)
    r = SocketHTTP1_Parser_execute (c->p, c->buf + i, 1, &used);
  return r == HTTP1_OK;
}

#ifdef BENCH_WITH_PICO
static int
pico_run (void *v)
{
  ctx_t *c = v;
  return bench_pico_parse (c->buf, c->len, c->msgs);
}
#endif

static int
run_memchr (void *v)
{
  ctx_t *c = v;
  return memchr (c->buf, 0, c->len) == NULL;
}

#ifdef BENCH_WITH_LLHTTP
static int
llhttp_run (void *v)
{
  ctx_t *c = v;
  return bench_llhttp_parse (c->buf, c->len, c->spans, c->msgs);
}

static int
llhttp_bytes (void *v)
{
  ctx_t *c = v;
  return bench_llhttp_bytewise (c->buf, c->len);
}
#endif

/* The machine is shared: time with this thread's CPU clock, so time slices
 * given to other processes are not counted, and keep the best of 9 runs. */
static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
best_cpu_seconds (int (*fn) (void *), void *ctx, const char *what)
{
  size_t iters = 1;
  double best = 1e30;
  for (;;)
    {
      double t0 = cpu_now (), dt;
      for (size_t i = 0; i < iters; i++)
        if (!fn (ctx))
          goto wrong;
      dt = cpu_now () - t0;
      if (dt >= 0.02)
        {
          iters = (size_t)((double)iters * 0.05 / dt) + 1;
          break;
        }
      iters *= 2;
    }
  for (int r = 0; r < 9; r++)
    {
      double t0 = cpu_now (), per;
      for (size_t i = 0; i < iters; i++)
        if (!fn (ctx))
          goto wrong;
      per = (cpu_now () - t0) / (double)iters;
      if (per < best)
        best = per;
    }
  return best;
wrong:
  fprintf (stderr, "%s: unexpected result\n", what);
  exit (1);
}

static double
report (const char *name, int (*fn) (void *), ctx_t *c, size_t bytes, size_t reqs)
{
  double s = best_cpu_seconds (fn, c, name);
  printf ("  %-34s %9.1f ns/req %9.1f MB/s %10.2f M req/s\n", name, s * 1e9 / (double)reqs,
          (double)bytes / s / 1e6, (double)reqs / s / 1e6);
  return s / (double)reqs;
}

int
main (void)
{
  Arena_T arena = Arena_new ();
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  size_t len = sizeof (request) - 1;
  char *pipe = malloc (len * PIPELINE);
  ctx_t one = { p, request, len, 1, 0, 0 }, many = { p, pipe, len * PIPELINE, PIPELINE, 0, 0 };
  double ours1, oursp, oursb, llh1 = 0, llhp = 0, llhb = 0, llh1s = 0, pico1 = 0, picop = 0;
  for (int i = 0; i < PIPELINE; i++)
    memcpy (pipe + i * len, request, len);
  printf ("bench_http1: %zu-byte GET, 8 fields, strict mode\n", len);

  printf ("single request\n");
  ours1 = report ("ours (SSE2 scan)", ours_single, &one, len, 1);
  SocketHTTP1__force_scalar = 1;
  report ("ours (portable scan)", ours_single, &one, len, 1);
  SocketHTTP1__force_scalar = 0;
  one.lookups = 1;
  report ("ours + 3 lookups (hash index)", ours_single, &one, len, 1);
  one.lookups = 0;
#ifdef BENCH_WITH_LLHTTP
  llh1 = report ("llhttp, no callbacks", llhttp_run, &one, len, 1);
  one.spans = 1;
  llh1s = report ("llhttp, span callbacks", llhttp_run, &one, len, 1);
  one.spans = 0;
#endif
#ifdef BENCH_WITH_PICO
  pico1 = report ("picohttpparser (slices only)", pico_run, &one, len, 1);
#endif
  report ("memchr (absent byte)", run_memchr, &one, len, 1);

  printf ("%d pipelined requests\n", PIPELINE);
  oursp = report ("ours (SSE2 scan)", ours_pipelined, &many, len * PIPELINE, PIPELINE);
  SocketHTTP1__force_scalar = 1;
  report ("ours (portable scan)", ours_pipelined, &many, len * PIPELINE, PIPELINE);
  SocketHTTP1__force_scalar = 0;
#ifdef BENCH_WITH_LLHTTP
  many.spans = 1;
  llhp = report ("llhttp, span callbacks", llhttp_run, &many, len * PIPELINE, PIPELINE);
  many.spans = 0;
#endif
#ifdef BENCH_WITH_PICO
  picop = report ("picohttpparser (slices only)", pico_run, &many, len * PIPELINE, PIPELINE);
#endif
  report ("memchr (absent byte)", run_memchr, &many, len * PIPELINE, PIPELINE);

  printf ("one byte per call\n");
  oursb = report ("ours", ours_bytewise, &one, len, 1);
#ifdef BENCH_WITH_LLHTTP
  llhb = report ("llhttp, span callbacks", llhttp_bytes, &one, len, 1);
#endif

  if (llh1 > 0)
    printf ("ratios (llhttp time / ours): single %.2fx (no callbacks) %.2fx (spans), "
            "pipelined %.2fx, bytewise %.2fx\n",
            llh1 / ours1, llh1s / ours1, llhp / oursp, llhb / oursb);
  else
    printf ("llhttp not built (install node-llhttp for the comparison)\n");
  if (pico1 > 0)
    printf ("ratios (picohttpparser time / ours): single %.2fx, pipelined %.2fx\n",
            pico1 / ours1, picop / oursp);
  else
    printf ("picohttpparser not built (see tests/bench/third_party/picohttpparser/README.md)\n");
  free (pipe);
  Arena_dispose (&arena);
  return 0;
}
