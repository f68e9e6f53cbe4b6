/*
 * fuzz_http_cookie.c - the cookie jar fed untrusted bytes. Byte 0 picks
 * the request (secure channel: bit 0; host: bits 1-2; path: bits 3-4).
 * The rest, up to the first 0xFF byte, is Set-Cookie values, one per line,
 * stored through httpclient_cookie_store; what follows 0xFF is a Netscape
 * cookie file, loaded with CookieJar_load.
 * Invariants: every Cookie header is as long as reported, fits, holds no
 * CR/LF/NUL or other controls, and is a list of name=value pairs; a jar
 * loaded from the file, saved and loaded again builds the same headers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "http/SocketHTTPClient-support.h"
#include "http/SocketHTTPClient.h"

#define NOW ((time_t)1700000000)

static const char *const hosts[] = { "example.com", "www.example.com", "localhost", "127.0.0.1" };
static const char *const paths[] = { "/", "/a/b/c", "/docs/index.html?q=1", "" };

static void
check_header (SocketHTTPClient_CookieJar_T jar, const char *host, const char *path, int secure, char *out,
              size_t out_size)
{
  size_t n = httpclient_cookie_header (jar, host, path, secure, NOW, out, out_size);

  CHECK (n < out_size);
  CHECK (strlen (out) == n);
  for (size_t i = 0; i < n; i++)
    CHECK ((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
  /* "a=b; c=d": every pair has '=' and a non-empty name. */
  for (const char *p = out; n > 0 && *p != '\0';)
    {
      size_t len = strcspn (p, ";");
      const char *eq = memchr (p, '=', len);

      CHECK (eq != NULL && eq > p);
      p += len;
      if (*p == ';')
        {
          CHECK (p[1] == ' ');
          p += 2;
        }
    }
}

/* A file descriptor path holding @p data (no disk I/O). */
static int
memfile (const uint8_t *data, size_t size, char *path, size_t path_size)
{
  int fd = memfd_create ("cookies", 0);

  if (fd < 0)
    return -1;
  if (size > 0 && write (fd, data, size) != (ssize_t)size)
    {
      close (fd);
      return -1;
    }
  snprintf (path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

static void
fuzz_file (const uint8_t *data, size_t size, char *out, size_t out_size, char *out2)
{
  SocketHTTPClient_CookieJar_T a = SocketHTTPClient_CookieJar_new (), b = SocketHTTPClient_CookieJar_new ();
  char path[64];
  int fd, fd2;

  CHECK (a != NULL && b != NULL);
  fd = memfile (data, size, path, sizeof path);
  if (fd < 0)
    goto done;
  CHECK (SocketHTTPClient_CookieJar_load (a, path) == 0);
  close (fd);
  fd2 = memfd_create ("saved", 0);
  if (fd2 < 0)
    goto done;
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd2);
  CHECK (SocketHTTPClient_CookieJar_save (a, path) == 0);
  CHECK (SocketHTTPClient_CookieJar_load (b, path) == 0);
  close (fd2);
  for (size_t h = 0; h < sizeof hosts / sizeof hosts[0]; h++)
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
      for (int s = 0; s < 2; s++)
        {
          check_header (a, hosts[h], paths[p], s, out, out_size);
          check_header (b, hosts[h], paths[p], s, out2, out_size);
          CHECK (strcmp (out, out2) == 0);
        }
done:
  SocketHTTPClient_CookieJar_free (&a);
  SocketHTTPClient_CookieJar_free (&b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char out[HTTPCLIENT_COOKIE_MAX_HEADER + 1], out2[HTTPCLIENT_COOKIE_MAX_HEADER + 1];
  SocketHTTPClient_CookieJar_T jar;
  const uint8_t *sep;
  size_t pos = 1, end;
  int secure;
  const char *host, *path;

  if (size < 1 || size > 65536)
    return 0;
  secure = data[0] & 1;
  host = hosts[(data[0] >> 1) & 3];
  path = paths[(data[0] >> 3) & 3];
  sep = memchr (data + 1, 0xFF, size - 1);
  end = sep ? (size_t)(sep - data) : size;

  jar = SocketHTTPClient_CookieJar_new ();
  CHECK (jar != NULL);
  while (pos < end)
    {
      const uint8_t *nl = memchr (data + pos, '\n', end - pos);
      size_t len = nl ? (size_t)(nl - data) - pos : end - pos;
      int r = httpclient_cookie_store (jar, host, path, secure, (const char *)data + pos, len, NOW);

      CHECK (r == 0 || r == 1);
      pos += len + 1;
    }
  for (size_t h = 0; h < sizeof hosts / sizeof hosts[0]; h++)
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
      {
        check_header (jar, hosts[h], paths[p], 1, out, sizeof out);
        check_header (jar, hosts[h], paths[p], 0, out, 16); /* tiny buffer */
      }
  SocketHTTPClient_CookieJar_clear_expired (jar);
  SocketHTTPClient_CookieJar_clear (jar);
  check_header (jar, host, path, secure, out, sizeof out);
  CHECK (out[0] == '\0');
  SocketHTTPClient_CookieJar_free (&jar);

  if (sep != NULL)
    fuzz_file (sep + 1, size - end - 1, out, sizeof out, out2);
  return 0;
}
