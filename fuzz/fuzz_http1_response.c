/*
 * fuzz_http1_response.c - HTTP/1.1 response parser: whole vs split vs
 * byte-by-byte vs portable scanners must agree on everything observable,
 * including until-close bodies ended by EOF (see fuzz_http1_common.h).
 */
#include "fuzz_http1_common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return h1_fuzz (HTTP1_PARSE_RESPONSE, data, size);
}
