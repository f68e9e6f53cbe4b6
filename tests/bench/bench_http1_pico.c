/*
 * bench_http1_pico.c - the picohttpparser side of bench_http1. Built only
 * when picohttpparser.c/.h are found in PICOHTTPPARSER_DIR (default
 * tests/bench/third_party/picohttpparser, see the README there) and
 * SOCKET_WITH_PEERS is on; compiled into the benchmark, never into the
 * library. picohttpparser only slices: method, path, version and
 * (name, value) spans into the caller's buffer, no copy, no header table.
 */
#include <stddef.h>

#include "picohttpparser.h"

int bench_pico_parse (const char *data, size_t len, size_t expect_msgs);

/* Parses back-to-back requests; 1 when all expect_msgs parsed. */
int
bench_pico_parse (const char *data, size_t len, size_t expect_msgs)
{
  size_t off = 0, msgs = 0;
  while (off < len)
    {
      const char *method, *path;
      size_t method_len, path_len, nh = 100;
      int minor, r;
      struct phr_header h[100];
      r = phr_parse_request (data + off, len - off, &method, &method_len, &path, &path_len, &minor,
                             h, &nh, 0);
      if (r <= 0 || nh != 8 || method_len != 3)
        return 0;
      off += (size_t)r;
      msgs++;
    }
  return msgs == expect_msgs;
}
