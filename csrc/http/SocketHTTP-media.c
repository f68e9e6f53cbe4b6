/*
 * SocketHTTP-media.c - media types (RFC 9110 section 8.3.1) and
 * Accept-style weighted lists (section 12.4.2).
 */
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

static size_t
token_len (const cur_t *c)
{
  size_t i = 0;
  while (i < c->n && HTTP_IS (c->p[i], HTTP_C_TCHAR))
    i++;
  return i;
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

/* quoted-string at the cursor, unescaped into the arena. */
static char *
quoted_string (cur_t *c, Arena_T arena, size_t *len_out)
{
  char *d = ALLOC (arena, c->n);
  size_t o = 0;
  c->p++, c->n--; /* opening quote */
  while (c->n > 0 && *c->p != '"')
    {
      unsigned char ch = (unsigned char)*c->p;
      if (ch == '\\')
        {
          if (c->n < 2)
            return NULL;
          c->p++, c->n--;
          ch = (unsigned char)*c->p;
        }
      if (!HTTP_IS (ch, HTTP_C_FIELD))
        return NULL;
      d[o++] = (char)ch;
      c->p++, c->n--;
    }
  if (c->n == 0)
    return NULL;
  c->p++, c->n--; /* closing quote */
  d[o] = '\0';
  *len_out = o;
  return d;
}

/* One ";name=value" parameter; stores charset/boundary. */
static int
media_param (cur_t *c, SocketHTTP_MediaType *r, Arena_T arena)
{
  size_t nlen = token_len (c), vlen;
  const char *pname = c->p;
  char *val;
  if (nlen == 0)
    return -1;
  c->p += nlen, c->n -= nlen;
  if (c->n == 0 || *c->p != '=')
    return -1;
  c->p++, c->n--;
  if (c->n > 0 && *c->p == '"')
    {
      if ((val = quoted_string (c, arena, &vlen)) == NULL)
        return -1;
    }
  else
    {
      if ((vlen = token_len (c)) == 0)
        return -1;
      val = copy_lower (arena, c->p, vlen, 0);
      c->p += vlen, c->n -= vlen;
    }
  if (http_name_is (pname, nlen, "charset", 7))
    {
      for (size_t i = 0; i < vlen; i++)
        val[i] = (char)http_lower ((unsigned char)val[i]);
      r->charset = val, r->charset_len = vlen;
    }
  else if (http_name_is (pname, nlen, "boundary", 8))
    r->boundary = val, r->boundary_len = vlen;
  return 0;
}

int
SocketHTTP_MediaType_parse (const char *value, size_t len, SocketHTTP_MediaType *result,
                            Arena_T arena)
{
  cur_t c = { value, len };
  size_t tl, sl;
  const char *type;
  if (result == NULL)
    return -1;
  memset (result, 0, sizeof (*result));
  if (value == NULL || arena == NULL)
    return -1;
  skip_ows (&c);
  type = c.p;
  tl = token_len (&c);
  if (tl == 0 || tl == c.n || c.p[tl] != '/')
    return -1;
  c.p += tl + 1, c.n -= tl + 1;
  sl = token_len (&c);
  if (sl == 0)
    return -1;
  result->type = copy_lower (arena, type, tl, 1), result->type_len = tl;
  result->subtype = copy_lower (arena, c.p, sl, 1), result->subtype_len = sl;
  c.p += sl, c.n -= sl;
  for (;;)
    {
      skip_ows (&c);
      if (c.n == 0)
        return 0;
      if (*c.p != ';')
        break;
      c.p++, c.n--;
      skip_ows (&c);
      if (c.n == 0)
        return 0; /* trailing ";" is tolerated */
      if (media_param (&c, result, arena) != 0)
        break;
    }
  memset (result, 0, sizeof (*result));
  return -1;
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

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); -1 if bad. */
static float
parse_qvalue (const char *p, size_t n)
{
  int thousandths = 0, scale = 100;
  if (n == 0 || (p[0] != '0' && p[0] != '1'))
    return -1.0f;
  if (n > 1 && (p[1] != '.' || n > 5))
    return -1.0f;
  for (size_t i = 2; i < n; i++, scale /= 10)
    {
      if (!HTTP_IS (p[i], HTTP_C_DIGIT) || (p[0] == '1' && p[i] != '0'))
        return -1.0f;
      thousandths += (p[i] - '0') * scale;
    }
  return p[0] == '1' ? 1.0f : (float)thousandths / 1000.0f;
}

/* Quality of the ";params" part [p, p+n): 1.0 without q, -1 if malformed. */
static float
element_quality (const char *p, size_t n)
{
  float q = 1.0f;
  size_t i = 0;
  while (i < n)
    {
      size_t s, e;
      while (i < n && (p[i] == ';' || p[i] == ' ' || p[i] == '\t'))
        i++;
      s = i;
      while (i < n && p[i] != ';')
        i++;
      e = i;
      while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
        e--;
      if (e - s >= 2 && (p[s] == 'q' || p[s] == 'Q') && p[s + 1] == '=')
        q = parse_qvalue (p + s + 2, e - s - 2);
    }
  return q;
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

size_t
SocketHTTP_parse_accept (const char *value, size_t len, SocketHTTP_QualityValue *results,
                         size_t max_results, Arena_T arena)
{
  size_t i = 0, count = 0;
  if (value == NULL || results == NULL || arena == NULL || max_results == 0)
    return 0;
  while (i < len)
    {
      size_t s, e, pend, vend;
      SocketHTTP_QualityValue qv;
      int ok = 1;
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
      for (size_t k = s; k < vend; k++)
        ok &= HTTP_IS (value[k], HTTP_C_TCHAR) || value[k] == '/';
      if (vend == s || !ok || (qv.quality = element_quality (value + e, pend - e)) < 0.0f)
        continue;
      qv.value = copy_lower (arena, value + s, vend - s, 0);
      qv.value_len = vend - s;
      count = insert_sorted (results, count, max_results, &qv);
    }
  return count;
}
