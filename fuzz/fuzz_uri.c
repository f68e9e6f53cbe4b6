/*
 * fuzz_uri.c - SocketHTTP_URI_parse (the original's lenient reading), the
 * HTTP/1 parser's strict target parser and the percent codecs.
 *
 * Checks: the strict parser's zero-copy and arena forms agree; a public
 * parse never yields a component with a control byte, and rebuilds
 * (SocketHTTP_URI_build) into a string that parses again to the same
 * components (where the original's build is lossless); decode(encode(x)) == x.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTP-private.h"
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

/* Same non-empty part (build omits empty queries/fragments). */
static int
same_nonempty (const char *a, size_t al, const char *b, size_t bl)
{
  if (a == NULL || al == 0)
    return b == NULL || bl == 0;
  return same (a, al, b, bl);
}

static int
no_ctl (const char *p, size_t n)
{
  for (size_t i = 0; p != NULL && i < n; i++)
    if ((unsigned char)p[i] < 0x20 || p[i] == 0x7F)
      return 0;
  return 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Arena_T arena = Arena_new ();
  SocketHTTP_URI raw, u, again;
  SocketHTTP_URIResult r1 = SocketHTTP__URI_parse_target ((const char *)data, size, &raw, NULL);
  SocketHTTP_URIResult r2 = SocketHTTP__URI_parse_target ((const char *)data, size, &u, arena);
  CHECK (r1 == r2);
  if (size > 0 && SocketHTTP_URI_parse ((const char *)data, size, &u, arena) == URI_PARSE_OK)
    {
      char buf[2 * SOCKETHTTP_MAX_URI_LEN];
      ssize_t n = SocketHTTP_URI_build (&u, buf, sizeof (buf));
      CHECK (n >= 0 && buf[n] == '\0');
      CHECK (u.port >= -1 && u.port <= 65535);
      CHECK (u.path != NULL);
      CHECK (no_ctl (u.scheme, u.scheme_len) && no_ctl (u.userinfo, u.userinfo_len)
             && no_ctl (u.host, u.host_len) && no_ctl (u.path, u.path_len)
             && no_ctl (u.query, u.query_len) && no_ctl (u.fragment, u.fragment_len));
      /* build drops what has no place without a host (userinfo, port), and
       * with an empty host a path starting "//" would read as an authority */
      int lossless = !(u.host == NULL && u.path_len >= 2 && u.path[0] == '/' && u.path[1] == '/'
                       && u.scheme != NULL);
      if (lossless && n > 0)
        {
          CHECK (SocketHTTP_URI_parse (buf, (size_t)n, &again, arena) == URI_PARSE_OK);
          CHECK (same (u.scheme, u.scheme_len, again.scheme, again.scheme_len));
          CHECK (same (u.host, u.host_len, again.host, again.host_len));
          CHECK (same (u.path, u.path_len, again.path, again.path_len));
          CHECK (same_nonempty (u.query, u.query_len, again.query, again.query_len));
          CHECK (same_nonempty (u.fragment, u.fragment_len, again.fragment, again.fragment_len));
          if (u.host != NULL)
            CHECK (u.port == again.port);
        }
    }
  if (size <= 4096)
    codec_round_trip (data, size);
  Arena_dispose (&arena);
  return 0;
}
