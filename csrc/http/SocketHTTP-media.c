/*
 * SocketHTTP-media.c - media types (RFC 9110 section 8.3.1) and
 * Accept-style weighted lists (section 12.4.2).
 */
#include <stdlib.h>
#include <string.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTP-private.h"

typedef struct
{
  const char *p;
  size_t n;
} cur_t;

static void
skip_ows (cur_t *c)
{
  while (c->n > 0 && (*c->p == ' ' || *c->p == '\t'))
    c->p++, c->n--;
}

static char *
copy_lower (Arena_T arena, const char *s, size_t n, int lower)
{
  char *d = ALLOC (arena, n + 1);
  for (size_t i = 0; i < n; i++)
    d[i] = (char)(lower ? http_lower ((unsigned char)s[i]) : s[i]);
  d[n] = '\0';
  return d;
}

/* Length of the run at the cursor up to one of @p stops (or the end). */
static size_t
span_until (const cur_t *c, const char *stops)
{
  size_t i = 0;
  while (i < c->n && strchr (stops, c->p[i]) == NULL)
    i++;
  return i;
}

/*
 * The original's reading: len 0 means strlen; leading SP/HTAB skipped;
 * type = bytes up to '/' (none of ';' SP HTAB before it), subtype = bytes
 * up to ';' SP HTAB, both non-empty and kept in their case. Then any number
 * of "name=value" parameters separated by ';' and/or whitespace; a name
 * without '=' is skipped; a value is a quoted string (quotes removed,
 * backslash escapes kept verbatim, an unterminated one runs to the end) or
 * the bytes up to ';' SP HTAB (possibly empty). charset/boundary are
 * matched case-insensitively, the last one wins; others are ignored.
 */
int
SocketHTTP_MediaType_parse (const char *value, size_t len, SocketHTTP_MediaType *result,
                            Arena_T arena)
{
  cur_t c;
  size_t tl, sl;
  if (value == NULL || result == NULL || arena == NULL)
    return -1;
  memset (result, 0, sizeof (*result));
  if (len == 0)
    len = strlen (value);
  c.p = value, c.n = len;
  skip_ows (&c);
  tl = span_until (&c, "/; \t");
  if (tl == 0 || tl == c.n || c.p[tl] != '/')
    return -1;
  result->type = copy_lower (arena, c.p, tl, 0), result->type_len = tl;
  c.p += tl + 1, c.n -= tl + 1;
  sl = span_until (&c, "; \t");
  if (sl == 0)
    return -1;
  result->subtype = copy_lower (arena, c.p, sl, 0), result->subtype_len = sl;
  c.p += sl, c.n -= sl;
  for (;;)
    {
      const char *pname, *val;
      size_t nlen, vlen;
      while (c.n > 0 && (*c.p == ' ' || *c.p == '\t' || *c.p == ';'))
        c.p++, c.n--;
      if (c.n == 0)
        return 0;
      pname = c.p;
      nlen = span_until (&c, "=; \t");
      c.p += nlen, c.n -= nlen;
      if (c.n == 0)
        return 0;
      if (*c.p != '=')
        continue;
      c.p++, c.n--;
      if (c.n > 0 && *c.p == '"')
        {
          size_t k = 1;
          while (k < c.n && c.p[k] != '"')
            k += (c.p[k] == '\\' && k + 1 < c.n) ? 2 : 1;
          val = c.p + 1, vlen = k - 1;
          k += k < c.n; /* closing quote */
          c.p += k, c.n -= k;
        }
      else
        {
          val = c.p;
          vlen = span_until (&c, "; \t");
          c.p += vlen, c.n -= vlen;
        }
      if (http_token_is (pname, nlen, "charset", 7))
        result->charset = copy_lower (arena, val, vlen, 0), result->charset_len = vlen;
      else if (http_token_is (pname, nlen, "boundary", 8))
        result->boundary = copy_lower (arena, val, vlen, 0), result->boundary_len = vlen;
    }
}

static int
part_matches (const char *have, size_t have_len, const char *want, size_t want_len)
{
  if (want_len == 1 && want[0] == '*')
    return 1;
  return have != NULL && http_name_is (have, have_len, want, want_len);
}

int
SocketHTTP_MediaType_matches (const SocketHTTP_MediaType *type, const char *pattern)
{
  const char *slash;
  if (type == NULL || pattern == NULL || (slash = strchr (pattern, '/')) == NULL)
    return 0;
  return part_matches (type->type, type->type_len, pattern, (size_t)(slash - pattern))
         && part_matches (type->subtype, type->subtype_len, slash + 1, strlen (slash + 1));
}

/* The q of an element whose ";params" start at [p, p+n) (p at the ';'):
 * as the original, only a first parameter "q=" / "Q=" with at least one
 * character after '=' counts; read with strtof, clamped to [0, 1],
 * unparsable (and NaN) -> 0. */
static float
element_quality (const char *p, size_t n)
{
  char buf[32];
  size_t i = 1, e, k;
  float q;
  char *end;
  while (i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  if (n - i < 3 || (p[i] != 'q' && p[i] != 'Q') || p[i + 1] != '=')
    return 1.0f;
  i += 2;
  e = i;
  while (e < n && p[e] != ';')
    e++;
  k = e - i < sizeof (buf) - 1 ? e - i : sizeof (buf) - 1;
  memcpy (buf, p + i, k);
  buf[k] = '\0';
  q = strtof (buf, &end);
  if (end == buf || q != q)
    return 0.0f;
  return q < 0.0f ? 0.0f : q > 1.0f ? 1.0f : q;
}

/* Inserts keeping quality order (stable); drops the worst when full. */
static size_t
insert_sorted (SocketHTTP_QualityValue *r, size_t count, size_t max,
               const SocketHTTP_QualityValue *v)
{
  size_t pos = count;
  while (pos > 0 && r[pos - 1].quality < v->quality)
    pos--;
  if (pos >= max)
    return count;
  if (count == max)
    count--;
  memmove (r + pos + 1, r + pos, (count - pos) * sizeof (*r));
  r[pos] = *v;
  return count + 1;
}

/* The original's reading: len 0 means strlen; elements are read in order
 * until max_results are stored (later ones are not seen), then ordered by
 * quality, highest first (stable here). */
size_t
SocketHTTP_parse_accept (const char *value, size_t len, SocketHTTP_QualityValue *results,
                         size_t max_results, Arena_T arena)
{
  size_t i = 0, count = 0;
  if (value == NULL || results == NULL || arena == NULL || max_results == 0)
    return 0;
  if (len == 0)
    len = strlen (value);
  while (i < len && count < max_results)
    {
      size_t s, e, pend, vend;
      SocketHTTP_QualityValue qv;
      while (i < len && (value[i] == ',' || value[i] == ' ' || value[i] == '\t'))
        i++;
      s = i;
      while (i < len && value[i] != ',')
        i++;
      pend = i;
      e = s;
      while (e < pend && value[e] != ';')
        e++;
      vend = e;
      while (vend > s && (value[vend - 1] == ' ' || value[vend - 1] == '\t'))
        vend--;
      if (vend == s)
        continue; /* empty element (also "a, ;q=1", which hangs the original) */
      qv.quality = e < pend ? element_quality (value + e, pend - e) : 1.0f;
      qv.value = copy_lower (arena, value + s, vend - s, 0);
      qv.value_len = vend - s;
      count = insert_sorted (results, count, max_results, &qv);
    }
  return count;
}
