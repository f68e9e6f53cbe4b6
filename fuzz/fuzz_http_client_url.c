/*
 * fuzz_http_client_url.c - redirect Location resolution of the HTTP client
 * (httpclient__resolve_url, RFC 3986 section 5.2). Input: base URL, a
 * newline, then the Location value.
 *
 * Checks: the result is NUL-terminated with the returned length, has no
 * control bytes or spaces, starts with a scheme and "://", and is a fixed
 * point: resolving it again (against the base or against itself) gives
 * the same URL, so no dot segment survives and nothing is lost or added.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTPClient-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *nl = memchr (data, '\n', size);
  char base[1024], ref[2048], out[HC_MAX_URL], again[HC_MAX_URL];
  size_t bl, rl;
  ssize_t n, m;

  if (nl == NULL)
    return 0;
  bl = (size_t)(nl - data);
  rl = size - bl - 1;
  if (bl >= sizeof base || rl >= sizeof ref || memchr (data, 0, size) != NULL)
    return 0;
  memcpy (base, data, bl);
  base[bl] = '\0';
  memcpy (ref, nl + 1, rl);
  ref[rl] = '\0';
  n = httpclient__resolve_url (base, ref, out, sizeof out);
  if (n < 0)
    return 0;
  CHECK ((size_t)n == strlen (out));
  for (ssize_t i = 0; i < n; i++)
    CHECK ((unsigned char)out[i] > 0x20 && (unsigned char)out[i] < 0x7f);
  CHECK (strstr (out, "://") != NULL);
  m = httpclient__resolve_url (out, out, again, sizeof again);
  CHECK (m == n && strcmp (again, out) == 0);
  m = httpclient__resolve_url (base, out, again, sizeof again);
  CHECK (m == n && strcmp (again, out) == 0);
  /* a tiny output buffer fails cleanly instead of truncating */
  CHECK (httpclient__resolve_url (base, ref, again, (size_t)n) == -1);
  return 0;
}
