/*
 * SocketHTTP-uri.c - RFC 3986 URI parsing, normalization, percent-coding.
 *
 * The parser first splits the input into component spans (validating each
 * component's characters as it goes), then, when given an arena, copies
 * every component out normalized. Splitting and normalizing are separate
 * so the zero-copy form (arena NULL) shares all validation.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTP-private.h"

typedef struct
{
  size_t off, len;
  int present;
} span_t;

typedef struct
{
  span_t scheme, userinfo, host, path, query, fragment;
  int port;
  int ip_literal;
} uri_spans;

/* pchar = unreserved / pct-encoded / sub-delims / ":" / "@" ('%' checked apart) */
static int
is_pchar (unsigned char c)
{
  return HTTP_IS (c, HTTP_C_UNRESERVED | HTTP_C_SUBDELIM) || c == ':' || c == '@';
}

/* Checks [p, p+n) against @p ok plus "/" and "?" as allowed by @p extra,
 * with well-formed %XX escapes. */
static int
valid_chars (const char *p, size_t n, int (*ok) (unsigned char), const char *extra)
{
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char)p[i];
      if (c == '%')
        {
          if (n - i < 3 || !HTTP_IS (p[i + 1], HTTP_C_HEX) || !HTTP_IS (p[i + 2], HTTP_C_HEX))
            return 0;
          i += 2;
        }
      else if (!ok (c) && (c == 0 || strchr (extra, c) == NULL))
        return 0;
    }
  return 1;
}

static int
is_regname (unsigned char c)
{
  return HTTP_IS (c, HTTP_C_UNRESERVED | HTTP_C_SUBDELIM);
}

static int
is_userinfo (unsigned char c)
{
  return HTTP_IS (c, HTTP_C_UNRESERVED | HTTP_C_SUBDELIM) || c == ':';
}

static int
is_future (unsigned char c)
{
  return HTTP_IS (c, HTTP_C_UNRESERVED | HTTP_C_SUBDELIM) || c == ':';
}

/* Content of "[...]": IPvFuture or IPv6address with an RFC 6874 zone. */
static int
valid_ip_literal (const char *p, size_t n)
{
  char buf[64];
  unsigned char addr[16];
  size_t addr_len = n;
  const char *zone = NULL;
  if (n == 0)
    return 0;
  if (p[0] == 'v' || p[0] == 'V')
    {
      size_t i = 1;
      while (i < n && HTTP_IS (p[i], HTTP_C_HEX))
        i++;
      if (i == 1 || i >= n - 1 || p[i] != '.')
        return 0;
      for (i++; i < n; i++)
        if (!is_future ((unsigned char)p[i]))
          return 0;
      return 1;
    }
  for (size_t i = 0; i < n; i++)
    if (p[i] == '%')
      {
        zone = p + i;
        addr_len = i;
        break;
      }
  if (zone != NULL)
    {
      size_t zlen = n - addr_len;
      if (zlen < 4 || memcmp (zone, "%25", 3) != 0
          || !valid_chars (zone + 3, zlen - 3, is_regname, ""))
        return 0;
    }
  if (addr_len >= sizeof (buf))
    return 0;
  memcpy (buf, p, addr_len);
  buf[addr_len] = '\0';
  return inet_pton (AF_INET6, buf, addr) == 1;
}

/* authority = [ userinfo "@" ] host [ ":" port ], relative to @p base. */
static SocketHTTP_URIResult
parse_authority (const char *s, size_t base, size_t n, uri_spans *u)
{
  const char *p = s + base;
  size_t i = 0, host_end;
  const char *at = memchr (p, '@', n);
  if (at != NULL)
    {
      size_t ulen = (size_t)(at - p);
      if (memchr (at + 1, '@', n - ulen - 1) != NULL || !valid_chars (p, ulen, is_userinfo, ""))
        return URI_PARSE_INVALID_HOST;
      u->userinfo = (span_t){ base, ulen, 1 };
      i = ulen + 1;
    }
  if (i < n && p[i] == '[')
    {
      const char *close = memchr (p + i, ']', n - i);
      if (close == NULL)
        return URI_PARSE_INVALID_HOST;
      host_end = (size_t)(close - p);
      if (!valid_ip_literal (p + i + 1, host_end - i - 1))
        return URI_PARSE_INVALID_HOST;
      u->host = (span_t){ base + i + 1, host_end - i - 1, 1 };
      u->ip_literal = 1;
      host_end++;
      if (host_end < n && p[host_end] != ':')
        return URI_PARSE_INVALID_HOST;
    }
  else
    {
      host_end = i;
      while (host_end < n && p[host_end] != ':')
        host_end++;
      if (!valid_chars (p + i, host_end - i, is_regname, ""))
        return URI_PARSE_INVALID_HOST;
      u->host = (span_t){ base + i, host_end - i, 1 };
    }
  if (host_end < n) /* ":" port */
    {
      long port = 0;
      size_t j = host_end + 1;
      if (j == n)
        return URI_PARSE_OK; /* empty port: absent */
      for (; j < n; j++)
        {
          if (!HTTP_IS (p[j], HTTP_C_DIGIT))
            return URI_PARSE_INVALID_PORT;
          port = port * 10 + (p[j] - '0');
          if (port > 65535)
            return URI_PARSE_INVALID_PORT;
        }
      u->port = (int)port;
    }
  return URI_PARSE_OK;
}

/* "host:port" / "[v6]:port" with nothing else: the CONNECT target. */
static int
is_authority_form (const char *s, size_t n)
{
  size_t i = 0, digits;
  if (s[0] == '[')
    {
      const char *close = memchr (s, ']', n);
      if (close == NULL)
        return 0;
      i = (size_t)(close - s) + 1;
    }
  else
    while (i < n && s[i] != ':')
      {
        if (s[i] == '/' || s[i] == '?' || s[i] == '#' || s[i] == '@')
          return 0;
        i++;
      }
  if (i == 0 || i >= n || s[i] != ':')
    return 0;
  for (digits = i + 1; digits < n; digits++)
    if (!HTTP_IS (s[digits], HTTP_C_DIGIT))
      return 0;
  return digits > i + 1;
}

static int
scheme_is (const char *s, const span_t *sp, const char *name)
{
  return sp->present && http_name_is (s + sp->off, sp->len, name, strlen (name));
}

static int
is_http_like (const char *s, const span_t *sp)
{
  return scheme_is (s, sp, "http") || scheme_is (s, sp, "https") || scheme_is (s, sp, "ws")
         || scheme_is (s, sp, "wss");
}

/* Scheme, then authority; leaves *pos at the path. */
static SocketHTTP_URIResult
split_head (const char *s, size_t len, uri_spans *u, size_t *pos)
{
  size_t i = 0;
  while (i < len && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
    i++;
  if (i < len && s[i] == ':')
    {
      if (i == 0 || !HTTP_IS (s[0], HTTP_C_ALPHA))
        return URI_PARSE_INVALID_SCHEME;
      for (size_t k = 1; k < i; k++)
        if (!HTTP_IS (s[k], HTTP_C_ALPHA | HTTP_C_DIGIT) && s[k] != '+' && s[k] != '-'
            && s[k] != '.')
          return URI_PARSE_INVALID_SCHEME;
      u->scheme = (span_t){ 0, i, 1 };
      *pos = i + 1;
    }
  if (len - *pos >= 2 && s[*pos] == '/' && s[*pos + 1] == '/')
    {
      size_t start = *pos + 2, end = start;
      SocketHTTP_URIResult r;
      while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
        end++;
      r = parse_authority (s, start, end - start, u);
      if (r != URI_PARSE_OK)
        return r;
      if (u->host.len == 0 && is_http_like (s, &u->scheme))
        return URI_PARSE_INVALID_HOST; /* RFC 9110 4.2.1 */
      *pos = end;
    }
  return URI_PARSE_OK;
}

static SocketHTTP_URIResult
split_uri (const char *s, size_t len, uri_spans *u)
{
  size_t pos = 0, end;
  SocketHTTP_URIResult r;
  if (len == 1 && s[0] == '*')
    {
      u->path = (span_t){ 0, 1, 1 };
      return URI_PARSE_OK;
    }
  if (is_authority_form (s, len))
    return parse_authority (s, 0, len, u);
  r = split_head (s, len, u, &pos);
  if (r != URI_PARSE_OK)
    return r;
  end = pos;
  while (end < len && s[end] != '?' && s[end] != '#')
    end++;
  if (!valid_chars (s + pos, end - pos, is_pchar, "/"))
    return URI_PARSE_INVALID_PATH;
  u->path = (span_t){ pos, end - pos, 1 };
  pos = end;
  if (pos < len && s[pos] == '?')
    {
      end = ++pos;
      while (end < len && s[end] != '#')
        end++;
      if (!valid_chars (s + pos, end - pos, is_pchar, "/?"))
        return URI_PARSE_INVALID_QUERY;
      u->query = (span_t){ pos, end - pos, 1 };
      pos = end;
    }
  if (pos < len) /* '#' */
    {
      pos++;
      if (!valid_chars (s + pos, len - pos, is_pchar, "/?"))
        return URI_PARSE_ERROR;
      u->fragment = (span_t){ pos, len - pos, 1 };
    }
  return URI_PARSE_OK;
}

/* ===================================================================== */
/* Normalization                                                         */
/* ===================================================================== */

/* Copies [p, p+n) to dst decoding escapes of unreserved characters and
 * uppercasing the others; @p lower lowercases everything else. */
static size_t
pct_normalize (const char *p, size_t n, char *dst, int lower)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char)p[i];
      if (c == '%' && i + 2 < n)
        {
          int v = http_hexval ((unsigned char)p[i + 1]) * 16 + http_hexval ((unsigned char)p[i + 2]);
          i += 2;
          if (HTTP_IS (v, HTTP_C_UNRESERVED))
            dst[o++] = (char)(lower ? http_lower ((unsigned char)v) : v);
          else
            {
              dst[o++] = '%';
              dst[o++] = hex[v >> 4];
              dst[o++] = hex[v & 15];
            }
        }
      else
        dst[o++] = (char)(lower ? http_lower (c) : c);
    }
  return o;
}

/* RFC 3986 section 5.2.4, in place (the output never outgrows the input). */
static size_t
remove_dot_segments (char *p, size_t n)
{
  size_t in = 0, out = 0;
  while (in < n)
    {
      size_t rest = n - in;
      if (rest >= 3 && memcmp (p + in, "../", 3) == 0)
        in += 3;
      else if (rest >= 2 && memcmp (p + in, "./", 2) == 0)
        in += 2;
      else if (rest >= 3 && memcmp (p + in, "/./", 3) == 0)
        in += 2;
      else if (rest == 2 && memcmp (p + in, "/.", 2) == 0)
        p[++in] = '/', rest = 0;
      else if ((rest >= 4 && memcmp (p + in, "/../", 4) == 0)
               || (rest == 3 && memcmp (p + in, "/..", 3) == 0))
        {
          if (rest >= 4)
            in += 3; /* "/../x" -> "/x" */
          else
            p[in += 2] = '/'; /* "/.." -> "/" (in > out, so the write is safe) */
          while (out > 0 && p[out - 1] != '/')
            out--;
          if (out > 0)
            out--;
        }
      else if ((rest == 1 && p[in] == '.') || (rest == 2 && memcmp (p + in, "..", 2) == 0))
        in = n;
      else
        {
          do
            p[out++] = p[in++];
          while (in < n && p[in] != '/');
        }
    }
  return out;
}

static const char *
copy_component (const char *s, const span_t *sp, size_t *len_out, int lower, Arena_T arena)
{
  char *dst;
  if (!sp->present)
    return NULL;
  dst = ALLOC (arena, sp->len + 1);
  *len_out = pct_normalize (s + sp->off, sp->len, dst, lower);
  dst[*len_out] = '\0';
  return dst;
}

static void
fill_result (const char *s, const uri_spans *u, SocketHTTP_URI *r, Arena_T arena)
{
  r->port = u->port;
  if (arena == NULL)
    {
      const span_t *sp[] = { &u->scheme, &u->userinfo, &u->host, &u->path, &u->query, &u->fragment };
      const char **ptr[] = { &r->scheme, &r->userinfo, &r->host, &r->path, &r->query, &r->fragment };
      size_t *len[] = { &r->scheme_len,   &r->userinfo_len, &r->host_len,
                        &r->path_len, &r->query_len,    &r->fragment_len };
      for (int i = 0; i < 6; i++)
        if (sp[i]->present)
          *ptr[i] = s + sp[i]->off, *len[i] = sp[i]->len;
      return;
    }
  r->scheme = copy_component (s, &u->scheme, &r->scheme_len, 1, arena);
  r->userinfo = copy_component (s, &u->userinfo, &r->userinfo_len, 0, arena);
  r->host = copy_component (s, &u->host, &r->host_len, 1, arena);
  r->query = copy_component (s, &u->query, &r->query_len, 0, arena);
  r->fragment = copy_component (s, &u->fragment, &r->fragment_len, 0, arena);
  if (u->path.len == 0 && u->host.present && is_http_like (s, &u->scheme))
    {
      r->path = "/";
      r->path_len = 1;
      return;
    }
  {
    char *path = (char *)copy_component (s, &u->path, &r->path_len, 0, arena);
    if (path == NULL)
      path = "", r->path_len = 0;
    else if (r->path_len > 0 && path[0] == '/')
      path[r->path_len = remove_dot_segments (path, r->path_len)] = '\0';
    if (!u->host.present && r->path_len >= 2 && path[0] == '/' && path[1] == '/')
      {
        /* "x:/.//a" must not become "x://a" (an authority): keep "/." (RFC 3986 5.2.4 note) */
        char *p2 = ALLOC (arena, r->path_len + 3);
        memcpy (p2, "/.", 2);
        memcpy (p2 + 2, path, r->path_len + 1);
        path = p2;
        r->path_len += 2;
      }
    r->path = path;
  }
}

SocketHTTP_URIResult
SocketHTTP__URI_parse_target (const char *uri, size_t len, SocketHTTP_URI *result, Arena_T arena)
{
  uri_spans u;
  SocketHTTP_URIResult r;
  if (result == NULL)
    return URI_PARSE_ERROR;
  memset (result, 0, sizeof (*result));
  result->port = -1;
  if (uri == NULL || len == 0)
    return URI_PARSE_ERROR;
  if (len > SOCKETHTTP_MAX_URI_LEN)
    return URI_PARSE_TOO_LONG;
  memset (&u, 0, sizeof (u));
  u.port = -1;
  r = split_uri (uri, len, &u);
  if (r != URI_PARSE_OK)
    return r;
  fill_result (uri, &u, result, arena);
  if (result->path == NULL)
    result->path = arena ? "" : uri + len, result->path_len = 0;
  return URI_PARSE_OK;
}

/* ===================================================================== */
/* The public parser: the original's reading                             */
/* ===================================================================== */

static int
has_ctl (const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)p[i] < 0x20 || p[i] == 0x7F)
      return 1;
  return 0;
}

static const char *
copy_span (Arena_T arena, const char *p, size_t n, int lower)
{
  char *d = ALLOC (arena, n + 1);
  for (size_t i = 0; i < n; i++)
    d[i] = (char)(lower ? http_lower ((unsigned char)p[i]) : p[i]);
  d[n] = '\0';
  return d;
}

/* The authority after "scheme://", read as the original does: it ends at
 * '/', '?' or '#' outside brackets; "[...]" may appear anywhere and takes
 * any byte up to ']' (unclosed -> INVALID_HOST); the last '@' ends the
 * userinfo (NULL when empty); the first ':' after it ends the host (kept
 * as written, brackets included; NULL when empty) and the last ':' starts
 * the port (-1 when absent or empty). *end_out is where the path starts. */
static SocketHTTP_URIResult
orig_authority (const char *s, size_t pos, size_t len, SocketHTTP_URI *r, Arena_T arena,
                size_t *end_out)
{
  size_t k, ui_end = 0, host_start = pos, host_end = 0, port_start = 0;
  int have_ui = 0, have_host_end = 0, have_port = 0, in6 = 0;
  for (k = pos; k < len; k++)
    {
      char c = s[k];
      if (in6)
        {
          in6 = c != ']';
          continue;
        }
      if (c == '/' || c == '?' || c == '#')
        break;
      if (c == '@')
        {
          have_ui = 1, ui_end = k;
          host_start = k + 1;
          have_host_end = have_port = 0;
        }
      else if (c == '[')
        in6 = 1;
      else if (c == ':')
        {
          if (!have_host_end)
            have_host_end = 1, host_end = k;
          have_port = 1, port_start = k + 1;
        }
    }
  if (in6)
    return URI_PARSE_INVALID_HOST;
  *end_out = k;
  if (!have_host_end)
    host_end = k;
  if (have_ui && has_ctl (s + pos, ui_end - pos))
    return URI_PARSE_INVALID_HOST;
  if (has_ctl (s + host_start, host_end - host_start))
    return URI_PARSE_INVALID_HOST;
  if (have_ui && ui_end > pos)
    r->userinfo = copy_span (arena, s + pos, ui_end - pos, 0), r->userinfo_len = ui_end - pos;
  if (host_end > host_start)
    r->host = copy_span (arena, s + host_start, host_end - host_start, 0),
    r->host_len = host_end - host_start;
  if (have_port && k > port_start)
    {
      long port = 0;
      for (size_t q = port_start; q < k; q++)
        {
          if (!HTTP_IS (s[q], HTTP_C_DIGIT))
            return URI_PARSE_INVALID_PORT;
          port = port * 10 + (s[q] - '0');
          if (port > 65535)
            return URI_PARSE_INVALID_PORT;
        }
      r->port = (int)port;
    }
  return URI_PARSE_OK;
}

/*
 * As the original: len 0 means strlen; an arena is required; no decoding
 * or normalization; "x:y" is scheme "x" + path "y" (so "host:443" has
 * scheme "host"); an authority only after "scheme://" ("//h/p" is a path);
 * a first segment that is not a valid scheme makes the whole input a path.
 * Unlike the original, control bytes (< 0x20, 0x7F) are refused in every
 * component, not only the fragment: a CR/LF in a path or host that is later
 * written into a request line or a Host field is request splitting.
 */
SocketHTTP_URIResult
SocketHTTP_URI_parse (const char *uri, size_t len, SocketHTTP_URI *result, Arena_T arena)
{
  size_t pos = 0, end, i = 0;
  if (uri == NULL || result == NULL || arena == NULL)
    return URI_PARSE_ERROR;
  if (len == 0)
    len = strlen (uri);
  if (len > SOCKETHTTP_MAX_URI_LEN)
    return URI_PARSE_TOO_LONG;
  memset (result, 0, sizeof (*result));
  result->port = -1;
  while (i < len && uri[i] != ':' && uri[i] != '/' && uri[i] != '?' && uri[i] != '#')
    i++;
  if (i > 0 && i < len && uri[i] == ':' && HTTP_IS (uri[0], HTTP_C_ALPHA))
    {
      size_t k = 1;
      while (k < i
             && (HTTP_IS (uri[k], HTTP_C_ALPHA | HTTP_C_DIGIT) || uri[k] == '+' || uri[k] == '-'
                 || uri[k] == '.'))
        k++;
      if (k == i)
        {
          result->scheme = copy_span (arena, uri, i, 1);
          result->scheme_len = i;
          pos = i + 1;
          if (len - pos >= 2 && uri[pos] == '/' && uri[pos + 1] == '/')
            {
              SocketHTTP_URIResult rc = orig_authority (uri, pos + 2, len, result, arena, &end);
              if (rc != URI_PARSE_OK)
                return rc;
              pos = end;
            }
        }
    }
  end = pos;
  while (end < len && uri[end] != '?' && uri[end] != '#')
    end++;
  if (has_ctl (uri + pos, end - pos))
    return URI_PARSE_INVALID_PATH;
  result->path = copy_span (arena, uri + pos, end - pos, 0);
  result->path_len = end - pos;
  pos = end;
  if (pos < len && uri[pos] == '?')
    {
      end = ++pos;
      while (end < len && uri[end] != '#')
        end++;
      if (has_ctl (uri + pos, end - pos))
        return URI_PARSE_INVALID_QUERY;
      result->query = copy_span (arena, uri + pos, end - pos, 0);
      result->query_len = end - pos;
      pos = end;
    }
  if (pos < len) /* '#' */
    {
      pos++;
      if (has_ctl (uri + pos, len - pos))
        return URI_PARSE_ERROR;
      result->fragment = copy_span (arena, uri + pos, len - pos, 0);
      result->fragment_len = len - pos;
    }
  return URI_PARSE_OK;
}

const char *
SocketHTTP_URI_result_string (SocketHTTP_URIResult result)
{
  switch (result)
    {
    case URI_PARSE_OK:
      return "OK";
    case URI_PARSE_ERROR:
      return "Parse error";
    case URI_PARSE_INVALID_SCHEME:
      return "Invalid scheme";
    case URI_PARSE_INVALID_HOST:
      return "Invalid host";
    case URI_PARSE_INVALID_PORT:
      return "Invalid port";
    case URI_PARSE_INVALID_PATH:
      return "Invalid path";
    case URI_PARSE_INVALID_QUERY:
      return "Invalid query";
    case URI_PARSE_TOO_LONG:
      return "URI too long";
    }
  return "Unknown error";
}

int
SocketHTTP_URI_get_port (const SocketHTTP_URI *uri, int default_port)
{
  /* as the original: no scheme-based default */
  if (uri == NULL || uri->port < 0)
    return default_port;
  return uri->port;
}

int
SocketHTTP_URI_is_secure (const SocketHTTP_URI *uri)
{
  /* byte compare, as the original (parsed schemes are lowercase) */
  if (uri == NULL || uri->scheme == NULL)
    return 0;
  return (uri->scheme_len == 5 && memcmp (uri->scheme, "https", 5) == 0)
         || (uri->scheme_len == 3 && memcmp (uri->scheme, "wss", 3) == 0);
}

/* ===================================================================== */
/* Percent-coding and reassembly                                         */
/* ===================================================================== */

ssize_t
SocketHTTP_URI_encode (const char *input, size_t len, char *output, size_t output_size)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  if (input == NULL || output == NULL)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)input[i];
      size_t need = HTTP_IS (c, HTTP_C_UNRESERVED) ? 1 : 3;
      if (o + need >= output_size)
        return -1;
      if (need == 1)
        output[o++] = (char)c;
      else
        {
          output[o++] = '%';
          output[o++] = hex[c >> 4];
          output[o++] = hex[c & 15];
        }
    }
  if (o >= output_size)
    return -1;
  output[o] = '\0';
  return (ssize_t)o;
}

ssize_t
SocketHTTP_URI_decode (const char *input, size_t len, char *output, size_t output_size)
{
  size_t o = 0;
  if (input == NULL || output == NULL)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      int c = (unsigned char)input[i];
      if (c == '%')
        {
          if (len - i < 3 || http_hexval ((unsigned char)input[i + 1]) < 0
              || http_hexval ((unsigned char)input[i + 2]) < 0)
            return -1;
          c = http_hexval ((unsigned char)input[i + 1]) * 16
              + http_hexval ((unsigned char)input[i + 2]);
          if (c == 0)
            return -1; /* unlike the original: an embedded NUL truncates C strings */
          i += 2;
        }
      else if (c == '+')
        c = ' '; /* as the original (form encoding) */
      if (o + 1 >= output_size)
        return -1;
      output[o++] = (char)c;
    }
  if (o >= output_size)
    return -1;
  output[o] = '\0';
  return (ssize_t)o;
}

/* Appends [s, s+n) at *o if it fits (one byte kept for the NUL). */
static int
put (char *out, size_t size, size_t *o, const char *s, size_t n)
{
  if (n >= size - *o)
    return -1;
  memcpy (out + *o, s, n);
  *o += n;
  return 0;
}

/* As the original: scheme ":" when scheme_len > 0; "//" only with both a
 * scheme and a host; userinfo "@" and ":port" only with a host; the host as
 * stored (an IPv6 literal carries its brackets); the path verbatim; "?" and
 * "#" only before a non-empty query / fragment. */
ssize_t
SocketHTTP_URI_build (const SocketHTTP_URI *uri, char *output, size_t output_size)
{
  size_t o = 0;
  int rc = 0;
  int has_scheme, has_host;
  if (uri == NULL || output == NULL || output_size == 0)
    return -1;
  has_scheme = uri->scheme != NULL && uri->scheme_len > 0;
  has_host = uri->host != NULL && uri->host_len > 0;
  if (has_scheme)
    rc |= put (output, output_size, &o, uri->scheme, uri->scheme_len)
          | put (output, output_size, &o, ":", 1);
  if (has_host)
    {
      if (has_scheme)
        rc |= put (output, output_size, &o, "//", 2);
      if (uri->userinfo != NULL && uri->userinfo_len > 0)
        rc |= put (output, output_size, &o, uri->userinfo, uri->userinfo_len)
              | put (output, output_size, &o, "@", 1);
      rc |= put (output, output_size, &o, uri->host, uri->host_len);
      if (uri->port >= 0)
        {
          char port[16];
          int n = snprintf (port, sizeof (port), ":%d", uri->port);
          rc |= put (output, output_size, &o, port, (size_t)n);
        }
    }
  if (uri->path != NULL)
    rc |= put (output, output_size, &o, uri->path, uri->path_len);
  if (uri->query != NULL && uri->query_len > 0)
    rc |= put (output, output_size, &o, "?", 1)
          | put (output, output_size, &o, uri->query, uri->query_len);
  if (uri->fragment != NULL && uri->fragment_len > 0)
    rc |= put (output, output_size, &o, "#", 1)
          | put (output, output_size, &o, uri->fragment, uri->fragment_len);
  if (rc != 0)
    return -1;
  output[o] = '\0';
  return (ssize_t)o;
}
