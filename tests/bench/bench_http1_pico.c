/*
 * bench_http1_pico.c - the picohttpparser side of bench_http1. Built only
 * with SOCKET_WITH_PEERS when picohttpparser is available: either its two
 * files in PICOHTTPPARSER_DIR (see tests/bench/third_party/picohttpparser)
 * or Debian's libh2o-evloop, which exports phr_parse_request (its
 * bundled copy; Debian ships no header, so the interface is declared
 * below). Linked into the benchmark, never into the library.
 * picohttpparser only slices: method, path, version and (name, value)
 * spans into the caller's buffer, no copy, no header table.
 */
#include <stddef.h>

#ifdef BENCH_PICO_SOURCES
#include "picohttpparser.h"
#else
/* picohttpparser's documented interface (h2o/picohttpparser README). */
struct phr_header
{
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
};
int phr_parse_request (const char *buf, size_t len, const char **method, size_t *method_len,
                       const char **path, size_t *path_len, int *minor_version,
                       struct phr_header *headers, size_t *num_headers, size_t last_len);
#endif

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
