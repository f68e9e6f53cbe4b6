/*
 * fuzz_http_date.c - HTTP-date parse and format: a parsed date formats as
 * IMF-fixdate and parses back to the same time; 8 bytes read as a time_t
 * format to 29 characters that parse back (within the supported years).
 */
#include <string.h>
#include <time.h>

#include "fuzz_common.h"
#include "http/SocketHTTP.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  time_t t, back;
  char buf[SOCKETHTTP_DATE_BUFSIZE];
  if (SocketHTTP_date_parse ((const char *)data, size, &t) == 0 && t >= 0
      && SocketHTTP_date_format (t, buf) == 29)
    {
      CHECK (strlen (buf) == 29);
      CHECK (SocketHTTP_date_parse (buf, 29, &back) == 0 && back == t);
    }
  if (size >= 8)
    {
      int64_t v;
      memcpy (&v, data, 8);
      t = (time_t)(v % 253402300800LL); /* up to 9999-12-31 */
      if (t < 0)
        t = -t;
      CHECK (SocketHTTP_date_format (t, buf) == 29);
      CHECK (SocketHTTP_date_parse (buf, 29, &back) == 0 && back == t);
    }
  return 0;
}
