/*
 * SocketHTTPClient-url.c - resolving a redirect's Location against the
 * request URL (RFC 3986 section 5.2: reference resolution with
 * remove_dot_segments). Location is untrusted input, so this file has its
 * own fuzz target (fuzz/fuzz_http_client_url.c); every copy is bounded by
 * the output size and the result is re-parsed by the caller.
 */
#include <string.h>
#include <sys/types.h>

#include "http/SocketHTTPClient-private.h"

/** Components of a URI reference (spans into the input; NULL = absent). */
typedef struct
{
  const char *scheme;
  size_t scheme_len;
  const char *authority;
  size_t authority_len;
  const char *path;
  size_t path_len;
  const char *query;
  size_t query_len;
} url_parts;

static int
is_alpha (unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
split_url (const char *s, size_t len, url_parts *p)
{
  size_t i = 0, start;

  memset (p, 0, sizeof *p);
  if (len > 0 && is_alpha ((unsigned char)s[0]))
    {
      size_t j = 1;
      while (j < len
             && (is_alpha ((unsigned char)s[j]) || (s[j] >= '0' && s[j] <= '9') || s[j] == '+'
                 || s[j] == '-' || s[j] == '.'))
        j++;
      if (j < len && s[j] == ':')
        {
          p->scheme = s;
          p->scheme_len = j;
          i = j + 1;
        }
    }
  if (i + 1 < len && s[i] == '/' && s[i + 1] == '/')
    {
      start = i + 2;
      i = start;
      while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
      p->authority = s + start;
      p->authority_len = i - start;
    }
  start = i;
  while (i < len && s[i] != '?' && s[i] != '#')
    i++;
  p->path = s + start;
  p->path_len = i - start;
  if (i < len && s[i] == '?')
    {
      start = ++i;
      while (i < len && s[i] != '#')
        i++;
      p->query = s + start;
      p->query_len = i - start;
    }
}

/* Output buffer with overflow tracking. */
typedef struct
{
  char *buf;
  size_t size, len;
  int overflow;
} sbuf;

static void
put (sbuf *b, const char *s, size_t n)
{
  if (b->overflow || n >= b->size - b->len)
    {
      b->overflow = 1;
      return;
    }
  memcpy (b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = '\0';
}

/* RFC 3986 section 5.2.4 on @p path, appending the result to @p out. */
static void
remove_dot_segments (const char *path, size_t len, sbuf *out)
{
  size_t base = out->len, i = 0;

  while (i < len && !out->overflow)
    {
      const char *s = path + i;
      size_t rest = len - i;
      size_t seg;

      if (rest >= 3 && memcmp (s, "../", 3) == 0)
        i += 3;
      else if (rest >= 2 && memcmp (s, "./", 2) == 0)
        i += 2;
      else if (rest >= 3 && memcmp (s, "/./", 3) == 0)
        i += 2;
      else if (rest == 2 && memcmp (s, "/.", 2) == 0)
        {
          put (out, "/", 1);
          i += 2;
        }
      else if ((rest >= 4 && memcmp (s, "/../", 4) == 0) || (rest == 3 && memcmp (s, "/..", 3) == 0))
        {
          /* drop the last output segment */
          while (out->len > base && out->buf[out->len - 1] != '/')
            out->len--;
          if (out->len > base)
            out->len--;
          out->buf[out->len] = '\0';
          if (rest == 3)
            {
              put (out, "/", 1);
              i += 3;
            }
          else
            i += 3; /* leaves "/" as the start of the next segment */
        }
      else if ((rest == 1 && s[0] == '.') || (rest == 2 && memcmp (s, "..", 2) == 0))
        i += rest;
      else
        {
          seg = s[0] == '/' ? 1 : 0;
          while (seg < rest && s[seg] != '/')
            seg++;
          put (out, s, seg);
          i += seg;
        }
    }
}

static int
has_bad_bytes (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)s[i];
      if (c <= 0x20 || c >= 0x7f)
        return 1;
    }
  return 0;
}

ssize_t
httpclient__resolve_url (const char *base, const char *ref, char *out, size_t out_size)
{
  url_parts b, r;
  sbuf o = { out, out_size, 0, 0 };
  size_t ref_len, base_len;
  char merged[HC_MAX_URL];

  if (base == NULL || ref == NULL || out == NULL || out_size == 0)
    return -1;
  out[0] = '\0';
  base_len = strlen (base);
  ref_len = strlen (ref);
  if (base_len >= HC_MAX_URL || ref_len >= HC_MAX_URL || has_bad_bytes (ref, ref_len))
    return -1;
  split_url (base, base_len, &b);
  split_url (ref, ref_len, &r);
  if (b.scheme == NULL || b.authority == NULL)
    return -1;
  if (r.scheme != NULL)
    {
      if (r.authority == NULL)
        return -1; /* "http:foo" and the like: no host to go to */
      put (&o, r.scheme, r.scheme_len);
      put (&o, "://", 3);
      put (&o, r.authority, r.authority_len);
      remove_dot_segments (r.path, r.path_len, &o);
      if (r.query != NULL)
        {
          put (&o, "?", 1);
          put (&o, r.query, r.query_len);
        }
    }
  else
    {
      put (&o, b.scheme, b.scheme_len);
      put (&o, "://", 3);
      if (r.authority != NULL)
        {
          put (&o, r.authority, r.authority_len);
          remove_dot_segments (r.path, r.path_len, &o);
        }
      else
        {
          put (&o, b.authority, b.authority_len);
          if (r.path_len == 0)
            put (&o, b.path, b.path_len);
          else if (r.path[0] == '/')
            remove_dot_segments (r.path, r.path_len, &o);
          else
            {
              /* merge (section 5.2.3) */
              sbuf m = { merged, sizeof merged, 0, 0 };
              merged[0] = '\0';
              if (b.path_len == 0)
                put (&m, "/", 1);
              else
                {
                  size_t keep = b.path_len;
                  while (keep > 0 && b.path[keep - 1] != '/')
                    keep--;
                  put (&m, b.path, keep);
                }
              put (&m, r.path, r.path_len);
              if (m.overflow)
                return -1;
              remove_dot_segments (merged, m.len, &o);
            }
        }
      if (r.query != NULL)
        {
          put (&o, "?", 1);
          put (&o, r.query, r.query_len);
        }
      else if (r.authority == NULL && r.path_len == 0 && b.query != NULL)
        {
          put (&o, "?", 1);
          put (&o, b.query, b.query_len);
        }
    }
  if (o.overflow)
    return -1;
  return (ssize_t)o.len;
}
