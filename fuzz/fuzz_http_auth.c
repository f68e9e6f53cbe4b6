/*
 * fuzz_http_auth.c - WWW-Authenticate challenges and credentials from
 * untrusted bytes. Byte 0: bit 0 sets auth->realm to the first line, bit 1
 * takes the credentials from the second and third lines. The remaining
 * lines are challenge field values (one per line).
 * Invariants: a parsed challenge has a non-empty nonce, a supported
 * algorithm and NUL-terminated fields; every Authorization value built is
 * as long as reported, fits the buffer, starts with its scheme and holds
 * no CR/LF/NUL or other controls (HTAB excepted); the nonce count moves by one per value.
 */
#include <string.h>

#include "fuzz_common.h"
#include "http/SocketHTTPClient-support.h"

#define MAX_LINES 10

static void
check_value (int n, const char *out, size_t out_size, const char *scheme)
{
  CHECK (n >= -1);
  if (n <= 0)
    {
      CHECK (out[0] == '\0');
      return;
    }
  CHECK ((size_t)n < out_size && strlen (out) == (size_t)n);
  CHECK (strncmp (out, scheme, strlen (scheme)) == 0);
  /* HTAB may come from a quoted realm or nonce; field values allow it. */
  for (int i = 0; i < n; i++)
    CHECK (((unsigned char)out[i] >= 0x20 || out[i] == '\t') && out[i] != 0x7f);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char out[HTTPCLIENT_AUTH_MAX_HEADER + 1];
  char *copy, *lines[MAX_LINES];
  size_t nlines = 0;
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "user", "pass", "token", NULL };
  httpclient_digest_state st;
  const char *const *values;
  size_t nvalues;
  char *p;

  if (size < 1 || size > 32768)
    return 0;
  copy = xmalloc (size);
  memcpy (copy, data + 1, size - 1);
  copy[size - 1] = '\0';
  for (p = copy; nlines < MAX_LINES;)
    {
      char *nl = strchr (p, '\n');

      lines[nlines++] = p;
      if (nl == NULL)
        break;
      *nl = '\0';
      p = nl + 1;
    }
  values = (const char *const *)lines;
  nvalues = nlines;
  if ((data[0] & 1) && nvalues > 1)
    {
      auth.realm = lines[0];
      values++;
      nvalues--;
    }
  if ((data[0] & 2) && nvalues > 2)
    {
      auth.username = values[0];
      auth.password = values[1];
      auth.token = values[0];
      values += 2;
      nvalues -= 2;
    }

  memset (&st, 0, sizeof st);
  if (httpclient_digest_parse_challenge (&auth, values, nvalues, &st) == 0)
    {
      CHECK (st.have_challenge);
      CHECK (memchr (st.realm, '\0', sizeof st.realm) && memchr (st.nonce, '\0', sizeof st.nonce));
      CHECK (memchr (st.opaque, '\0', sizeof st.opaque) && st.nonce[0] != '\0');
      CHECK (strcmp (st.algorithm, "MD5") == 0 || strcmp (st.algorithm, "MD5-sess") == 0
             || strcmp (st.algorithm, "SHA-256") == 0 || strcmp (st.algorithm, "SHA-256-sess") == 0);
      if (auth.realm != NULL)
        CHECK (strcmp (auth.realm, st.realm) == 0);
      for (unsigned i = 0; i < 2; i++)
        {
          unsigned before = st.nonce_count;
          int n = httpclient_auth_header (&auth, &st, HTTP_METHOD_GET, "/x?y", out, sizeof out);

          check_value (n, out, sizeof out, "Digest ");
          CHECK (st.nonce_count == before + (n > 0));
        }
    }
  else
    CHECK (!st.have_challenge);

  auth.type = HTTP_AUTH_BASIC;
  check_value (httpclient_auth_header (&auth, NULL, HTTP_METHOD_GET, "/", out, sizeof out), out, sizeof out,
               "Basic ");
  auth.type = HTTP_AUTH_BEARER;
  check_value (httpclient_auth_header (&auth, NULL, HTTP_METHOD_GET, "/", out, sizeof out), out, sizeof out,
               "Bearer ");
  free (copy);
  return 0;
}
