/*
 * fuzz_http1_request.c - HTTP/1.1 request parser: whole vs split vs
 * byte-by-byte vs portable scanners must agree on everything observable
 * (see fuzz_http1_common.h for the input layout and the invariants).
 */
#include "fuzz_http1_common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return h1_fuzz (HTTP1_PARSE_REQUEST, data, size);
}
