/*
 * SocketHTTP1-parser.c - incremental HTTP/1.1 head parser (RFC 9112).
 *
 * Design
 * ------
 * A byte-driven state machine (HS_* states, one per grammar position) that
 * can stop after any byte and resume with the next call, so every split of
 * the input gives the same result. Inside a state, runs of bytes that
 * cannot change it are skipped in bulk: field values and reason phrases by
 * a "first control byte" scan (SSE2, 16 bytes per step), request-targets by
 * a "first byte outside 0x21..0x7E" scan, names and methods by the token
 * table. Each byte class comes from SocketHTTP__ctype, so the tables are
 * the grammar.
 *
 * Spans are recorded as offsets from the start of the message; the bytes
 * are appended to a per-parser buffer at the end of each call (once per
 * byte, never re-scanned). When the head is complete the terminators in
 * that copy (SP after method/target, ':' after names, CR after values)
 * are overwritten with NULs, so the request, header names and values are C
 * strings without any further allocation.
 *
 * SOCKETHTTP1_NO_SIMD builds only the portable scanners;
 * SocketHTTP1__force_scalar selects them at run time (tests, benchmarks).
 */
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTP1.h"
#include "http/SocketHTTP1-private.h"

#if defined(__SSE2__) && !defined(SOCKETHTTP1_NO_SIMD)
#include <emmintrin.h>
#define H1_SIMD 1
#else
#define H1_SIMD 0
#endif

const Except_T SocketHTTP1_ParseError = { &SocketHTTP1_ParseError, "HTTP/1.1 parse error" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketHTTP1);

int SocketHTTP1__force_scalar = 0;

#define H1_INITIAL_BUF 1024
#define H1_INITIAL_FIELDS 16

/* ===================================================================== */
/* Bulk scanners                                                         */
/* ===================================================================== */

static inline size_t
scan_value_scalar (const char *p, size_t n)
{
  size_t i = 0;
  while (i + 4 <= n && HTTP_IS (p[i], HTTP_C_FIELD) && HTTP_IS (p[i + 1], HTTP_C_FIELD)
         && HTTP_IS (p[i + 2], HTTP_C_FIELD) && HTTP_IS (p[i + 3], HTTP_C_FIELD))
    i += 4;
  while (i < n && HTTP_IS (p[i], HTTP_C_FIELD))
    i++;
  return i;
}

static inline size_t
scan_target_scalar (const char *p, size_t n, int obs_text)
{
  size_t i = 0;
  if (obs_text)
    while (i < n && (HTTP_IS (p[i], HTTP_C_TARGET) || (unsigned char)p[i] >= 0x80))
      i++;
  else
    while (i < n && HTTP_IS (p[i], HTTP_C_TARGET))
      i++;
  return i;
}

#if H1_SIMD
/* Bit k set when byte k stops a field value: a control other than HTAB, or DEL. */
static inline int
value_mask16 (const char *p)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *)(const void *)p);
  __m128i ctl = _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v);
  ctl = _mm_andnot_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\t')), ctl);
  return _mm_movemask_epi8 (_mm_or_si128 (ctl, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F))));
}

/* Bit k set when byte k stops a request-target: <= SP, DEL, and (unless
 * obs-text is allowed) >= 0x80, which a signed compare catches for free. */
static inline int
target_mask16 (const char *p, int obs_text)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *)(const void *)p);
  __m128i stop = obs_text ? _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x20)), v)
                          : _mm_cmplt_epi8 (v, _mm_set1_epi8 (0x21));
  return _mm_movemask_epi8 (_mm_or_si128 (stop, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F))));
}
#endif

/* First byte of [p, p+n) that is not part of a field value, or n. */
static inline size_t
scan_value (const char *p, size_t n)
{
#if H1_SIMD
  if (n >= 16 && !SocketHTTP1__force_scalar)
    {
      size_t i = 0;
      int m;
      for (; i + 16 <= n; i += 16)
        if ((m = value_mask16 (p + i)) != 0)
          return i + (size_t)__builtin_ctz ((unsigned)m);
      /* Tail: one overlapping load ending at p + n. */
      if (i < n && (m = value_mask16 (p + n - 16) >> (16 - (n - i))) != 0)
        return i + (size_t)__builtin_ctz ((unsigned)m);
      return n;
    }
#endif
  return scan_value_scalar (p, n);
}

static inline size_t
scan_target (const char *p, size_t n, int obs_text)
{
#if H1_SIMD
  if (n >= 16 && !SocketHTTP1__force_scalar)
    {
      size_t i = 0;
      int m;
      for (; i + 16 <= n; i += 16)
        if ((m = target_mask16 (p + i, obs_text)) != 0)
          return i + (size_t)__builtin_ctz ((unsigned)m);
      if (i < n && (m = target_mask16 (p + n - 16, obs_text) >> (16 - (n - i))) != 0)
        return i + (size_t)__builtin_ctz ((unsigned)m);
      return n;
    }
#endif
  return scan_target_scalar (p, n, obs_text);
}

#if H1_SIMD
/* Bit k set when byte k is not a token char (RFC 9110 5.6.2): outside
 * 0x21..0x7E (one signed compare catches <= SP and >= 0x80), DEL, or one
 * of the separators " ( ) , / : ; < = > ? @ [ \ ] { }. */
static inline int
token_mask16 (const char *p)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *)(const void *)p);
  __m128i bad = _mm_cmplt_epi8 (v, _mm_set1_epi8 (0x21));
  __m128i r1 = _mm_sub_epi8 (v, _mm_set1_epi8 (0x3A)); /* : ; < = > ? @ */
  __m128i r2 = _mm_sub_epi8 (v, _mm_set1_epi8 (0x5B)); /* [ \ ] */
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (_mm_min_epu8 (r1, _mm_set1_epi8 (6)), r1));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (_mm_min_epu8 (r2, _mm_set1_epi8 (2)), r2));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (_mm_or_si128 (v, _mm_set1_epi8 (1)),
                                           _mm_set1_epi8 (0x29))); /* ( ) */
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x22)));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x2C)));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x2F)));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7B)));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7D)));
  bad = _mm_or_si128 (bad, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F)));
  return _mm_movemask_epi8 (bad);
}
#endif

static inline size_t
scan_token_scalar (const char *p, size_t n)
{
  size_t i = 0;
  while (i + 4 <= n && HTTP_IS (p[i], HTTP_C_TCHAR) && HTTP_IS (p[i + 1], HTTP_C_TCHAR)
         && HTTP_IS (p[i + 2], HTTP_C_TCHAR) && HTTP_IS (p[i + 3], HTTP_C_TCHAR))
    i += 4;
  while (i < n && HTTP_IS (p[i], HTTP_C_TCHAR))
    i++;
  return i;
}

/* First byte of [p, p+n) that is not a token char, or n. */
static inline size_t
scan_token (const char *p, size_t n)
{
#if H1_SIMD
  if (n >= 16 && !SocketHTTP1__force_scalar)
    {
      size_t i = 0;
      int m;
      for (; i + 16 <= n; i += 16)
        if ((m = token_mask16 (p + i)) != 0)
          return i + (size_t)__builtin_ctz ((unsigned)m);
      if (i < n && (m = token_mask16 (p + n - 16) >> (16 - (n - i))) != 0)
        return i + (size_t)__builtin_ctz ((unsigned)m);
      return n;
    }
#endif
  return scan_token_scalar (p, n);
}

/* ===================================================================== */
/* Sections                                                              */
/* ===================================================================== */

/* Grows the section buffer to take @p n more bytes. */
static void
section_grow (SocketHTTP1_Parser_T p, h1_section *sec, size_t n)
{
  size_t cap = sec->cap ? sec->cap : H1_INITIAL_BUF;
  char *nb;
  while (cap - sec->len < n)
    cap *= 2;
  nb = ALLOC (p->arena, cap);
  if (sec->len > 0)
    memcpy (nb, sec->buf, sec->len);
  sec->buf = nb;
  sec->cap = cap;
}

static inline void
section_append (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t n)
{
  if (n > sec->cap - sec->len)
    section_grow (p, sec, n);
  if (n == 1) /* byte-at-a-time input: skip the memcpy call */
    sec->buf[sec->len] = data[0];
  else if (n > 0)
    memcpy (sec->buf + sec->len, data, n);
  sec->len += n;
}

void
SocketHTTP1__section_append (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t n)
{
  section_append (p, sec, data, n);
}

/* Byte at message offset @p off: already copied, or in this call's input. */
static inline unsigned char
sec_byte (const h1_section *sec, const char *data, size_t off)
{
  return (unsigned char)(off < sec->len ? sec->buf[off] : data[off - sec->len]);
}

static size_t
trim_end (const h1_section *sec, const char *data, size_t start, size_t end)
{
  if (start >= sec->len) /* value entirely in this call's input: the common case */
    {
      const char *d = data - sec->len;
      while (end > start && (d[end - 1] == ' ' || d[end - 1] == '\t'))
        end--;
      return end;
    }
  while (end > start)
    {
      unsigned char c = sec_byte (sec, data, end - 1);
      if (c != ' ' && c != '\t')
        break;
      end--;
    }
  return end;
}

static SocketHTTP1_Result
push_field (SocketHTTP1_Parser_T p, h1_section *sec, const h1_field *cur)
{
  if (sec->nfields >= p->cfg.max_headers)
    return HTTP1_ERROR_TOO_MANY_HEADERS;
  if (sec->nfields == sec->fields_cap)
    {
      size_t cap = sec->fields_cap ? sec->fields_cap * 2 : H1_INITIAL_FIELDS;
      h1_field *nf = ALLOC (p->arena, cap * sizeof (*nf));
      if (sec->nfields > 0)
        memcpy (nf, sec->fields, sec->nfields * sizeof (*nf));
      sec->fields = nf;
      sec->fields_cap = cap;
    }
  sec->fields[sec->nfields++] = *cur;
  return HTTP1_OK;
}

/* End of a field line at @p off (its CR, or a bare LF when allowed). The
 * limit applies to the value as received, trailing whitespace included,
 * so it is decided the same way whether or not the line was split. */
static inline SocketHTTP1_Result
field_value_end (SocketHTTP1_Parser_T p, const h1_section *sec, uint32_t value_off,
                 uint32_t *value_end, const char *data, size_t off)
{
  if (off - value_off > p->cfg.max_header_value)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  *value_end = (uint32_t)trim_end (sec, data, value_off, off);
  return HTTP1_OK;
}

/*
 * Strict mode checks Content-Length as soon as its line is complete, so a
 * bad or conflicting length is refused without waiting for the rest of the
 * head (SocketHTTP1__finish_head checks every field again in any mode).
 */
static SocketHTTP1_Result
early_content_length (SocketHTTP1_Parser_T p, const h1_section *sec, const h1_field *f,
                      const char *data)
{
  static const char name[] = "content-length";
  uint64_t v = 0;
  if (sec != &p->head || !p->cfg.strict_mode)
    return HTTP1_OK;
  for (uint32_t k = 0; k < 14; k++)
    if (http_lower (sec_byte (sec, data, f->name_off + k)) != (unsigned char)name[k])
      return HTTP1_OK;
  if (f->value_end == f->value_off || f->folded)
    return HTTP1_ERROR_INVALID_CONTENT_LENGTH;
  for (uint32_t k = f->value_off; k < f->value_end; k++)
    {
      unsigned char c = sec_byte (sec, data, k);
      if (c < '0' || c > '9' || v > ((uint64_t)INT64_MAX - (c - '0')) / 10)
        return HTTP1_ERROR_INVALID_CONTENT_LENGTH;
      v = v * 10 + (c - '0');
    }
  if (p->early_cl >= 0)
    return HTTP1_ERROR_INVALID_CONTENT_LENGTH; /* differing or duplicate (original's code) */
  p->early_cl = (int64_t)v;
  return HTTP1_OK;
}

/* A complete field line: store the field, check the section size. */
static inline SocketHTTP1_Result
field_line_done (SocketHTTP1_Parser_T p, h1_section *sec, const h1_field *cur, const char *data,
                 size_t off)
{
  SocketHTTP1_Result r;
  if (off - sec->fields_off > sec->max_size) /* crossed at or before this LF */
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  if (cur->name_len == 14 && (r = early_content_length (p, sec, cur, data)) != HTTP1_OK)
    return r;
  if (sec->nfields < sec->fields_cap && sec->nfields < p->cfg.max_headers)
    sec->fields[sec->nfields++] = *cur;
  else
    return push_field (p, sec, cur);
  return HTTP1_OK;
}

/* The size limit that bytes before offset @p off break while in state
 * @p st (a limit counts as broken at the first byte past it), else
 * @p otherwise: so "too large" and any other error are ordered by their
 * position in the byte stream, whatever the input's split. */
static SocketHTTP1_Result
field_limits (SocketHTTP1_Parser_T p, const h1_section *sec, uint32_t name_off,
              uint32_t value_off, int st, size_t off, SocketHTTP1_Result otherwise)
{
  if (off - sec->fields_off > sec->max_size)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  if (st == HS_NAME && off - name_off > p->cfg.max_header_name)
    return HTTP1_ERROR_INVALID_HEADER_NAME; /* the original's code for a long name */
  if (st == HS_VALUE && off - value_off > p->cfg.max_header_value)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  return otherwise;
}

/* Stops the machine: input exhausted in state @p st. */
#define SUSPEND(st)                                                           \
  do                                                                          \
    {                                                                         \
      sec->hs = (st);                                                         \
      r = field_limits (p, sec, name_off, value_off, st, base + len,           \
                        HTTP1_INCOMPLETE);                                    \
      goto out;                                                               \
    }                                                                         \
  while (0)
/* Stops the machine: byte i is invalid in state @p st. */
#define FAIL(st, code)                                                        \
  do                                                                          \
    {                                                                         \
      r = field_limits (p, sec, name_off, value_off, st, base + i, code);     \
      goto out;                                                               \
    }                                                                         \
  while (0)

/*
 * Field lines up to the empty line. Threaded code: the saved state is
 * dispatched once per call, then states hand over by goto, so a complete
 * line costs no indirect jumps.
 */
static inline __attribute__ ((always_inline)) SocketHTTP1_Result
parse_fields (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t len, size_t *ip)
{
  size_t i = *ip;
  const size_t base = sec->len;
  SocketHTTP1_Result r = HTTP1_OK;
  /* The field being parsed, in scalars while parsing (a struct here is
   * kept in a vector register by GCC's SLP vectorizer, at a cost of
   * several inserts per member update); saved on exit. */
  uint32_t name_off = sec->cur.name_off, name_len = sec->cur.name_len;
  uint32_t value_off = sec->cur.value_off, value_end = sec->cur.value_end;
  uint32_t folded = sec->cur.folded;
  unsigned char c;

  switch (sec->hs)
    {
    case HS_LINE: goto line;
    case HS_NAME: goto name;
    case HS_OWS: goto ows;
    case HS_FOLD: goto fold;
    case HS_VALUE: goto value;
    case HS_VALUE_LF: goto value_lf;
    case HS_END_LF: goto end_lf;
    default: FAIL (HS_LINE, HTTP1_ERROR);
    }
line:
  if (i == len)
    SUSPEND (HS_LINE);
  c = (unsigned char)data[i];
  if (__builtin_expect (HTTP_IS (c, HTTP_C_TCHAR), 1))
    {
      name_off = (uint32_t)(base + i);
      folded = 0;
      goto name;
    }
  i++;
  if (c == '\r')
    goto end_lf;
  if (c == '\n' && !p->cfg.strict_mode)
    goto done;
  i--;
  if ((c != ' ' && c != '\t') || sec->nfields == 0)
    FAIL (HS_LINE, HTTP1_ERROR_INVALID_HEADER_NAME); /* incl. whitespace before field 1 */
  if (!p->cfg.allow_obs_fold) /* the original's code for obs-fold */
    FAIL (HS_LINE, HTTP1_ERROR_INVALID_HEADER_NAME);
  {
    const h1_field *prev = &sec->fields[--sec->nfields]; /* obs-fold: reopen it */
    name_off = prev->name_off;
    name_len = prev->name_len;
    value_off = prev->value_off;
    value_end = prev->value_end;
    folded = 1;
  }
fold:
  while (i < len && (data[i] == ' ' || data[i] == '\t'))
    i++;
  if (i == len)
    SUSPEND (HS_FOLD);
  if (value_end == value_off)
    value_off = (uint32_t)(base + i); /* value was empty so far */
  goto value;
name:
  i += scan_token (data + i, len - i);
  if (i == len)
    SUSPEND (HS_NAME);
  if (data[i] != ':')
    FAIL (HS_NAME, HTTP1_ERROR_INVALID_HEADER_NAME); /* incl. whitespace before ':' */
  name_len = (uint32_t)(base + i - name_off);
  if (name_len > p->cfg.max_header_name)
    FAIL (HS_NAME, HTTP1_ERROR_INVALID_HEADER_NAME);
  i++;
ows:
  while (i < len && (data[i] == ' ' || data[i] == '\t'))
    i++;
  if (i == len)
    SUSPEND (HS_OWS);
  value_off = (uint32_t)(base + i);
value:
  i += scan_value (data + i, len - i);
  if (i == len)
    SUSPEND (HS_VALUE);
  c = (unsigned char)data[i];
  if (c == '\t')
    {
      i++;
      goto value;
    }
  if (c != '\r' && (c != '\n' || p->cfg.strict_mode))
    FAIL (HS_VALUE, HTTP1_ERROR_INVALID_HEADER_VALUE); /* CTL, DEL, bare LF */
  if ((r = field_value_end (p, sec, value_off, &value_end, data, base + i)) != HTTP1_OK)
    goto out;
  i++;
  if (c == '\n')
    goto line_done; /* lenient bare LF */
value_lf:
  if (i == len)
    SUSPEND (HS_VALUE_LF);
  if (data[i] != '\n')
    FAIL (HS_VALUE_LF, HTTP1_ERROR_INVALID_HEADER_VALUE); /* bare CR */
  i++;
line_done:
  r = field_line_done (p, sec,
                       &(const h1_field){ name_off, name_len, value_off, value_end, folded }, data,
                       base + i);
  if (r != HTTP1_OK)
    goto out;
  goto line;
end_lf:
  if (i == len)
    SUSPEND (HS_END_LF);
  if (data[i] != '\n')
    FAIL (HS_END_LF, HTTP1_ERROR_INVALID_HEADER_NAME); /* CR not followed by LF */
  i++;
done:
  sec->hs = HS_DONE;
  r = field_limits (p, sec, name_off, value_off, HS_DONE, base + i,
                    HTTP1_OK); /* final CRLF counts */
out:
  sec->cur.name_off = name_off;
  sec->cur.name_len = name_len;
  sec->cur.value_off = value_off;
  sec->cur.value_end = value_end;
  sec->cur.folded = folded;
  *ip = i;
  return r;
}

#undef SUSPEND
#undef FAIL

/* Out-of-line entry for the trailer section (the head inlines it). */
SocketHTTP1_Result
SocketHTTP1__parse_fields (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t len,
                           size_t *ip)
{
  return parse_fields (p, sec, data, len, ip);
}

/* ===================================================================== */
/* Start line                                                            */
/* ===================================================================== */

/* HTTP/1.0 and 1.1; lenient mode reads 1.2-1.9 as 1.1 (RFC 9110 2.5). */
static int
version_ok (SocketHTTP1_Parser_T p)
{
  if (p->major != 1)
    return 0;
  if (p->minor > 1)
    {
      if (p->cfg.strict_mode)
        return 0;
      p->minor = 1;
    }
  return 1;
}

/* One byte of "HTTP/d.d" at position p->ver_idx. */
static int
version_byte (SocketHTTP1_Parser_T p, unsigned char c)
{
  static const char proto[] = "HTTP/";
  unsigned idx = p->ver_idx++;
  if (idx < 5)
    return c == (unsigned char)proto[idx];
  if (idx == 6)
    return c == '.';
  if (!HTTP_IS (c, HTTP_C_DIGIT))
    return 0;
  if (idx == 5)
    {
      p->major = (uint8_t)(c - '0');
      return 1;
    }
  p->minor = (uint8_t)(c - '0');
  return version_ok (p); /* reject as soon as the version is known */
}

/* Leading empty lines (RFC 9112 2.2 lets a server skip them). */
static SocketHTTP1_Result
start_byte (SocketHTTP1_Parser_T p, unsigned char c, size_t off, SocketHTTP1_Result bad)
{
  h1_section *sec = &p->head;
  if (sec->hs == HS_START_LF)
    {
      if (c != '\n')
        return bad;
      sec->hs = HS_START;
      return HTTP1_INCOMPLETE;
    }
  if (c == '\r' || (c == '\n' && !p->cfg.strict_mode))
    {
      sec->hs = c == '\r' ? HS_START_LF : HS_START;
      return off >= p->cfg.max_request_line ? HTTP1_ERROR_LINE_TOO_LONG : HTTP1_INCOMPLETE;
    }
  if (c == '\n')
    return bad;
  p->start_off = off;
  sec->hs = p->mode == HTTP1_PARSE_REQUEST ? HS_METHOD : HS_R_VERSION;
  return HTTP1_OK;
}

/* Skips empty lines before the start line; HTTP1_OK at its first byte. */
static SocketHTTP1_Result
skip_empty_lines (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip,
                  SocketHTTP1_Result bad)
{
  for (; *ip < len; (*ip)++)
    {
      SocketHTTP1_Result r = start_byte (p, (unsigned char)data[*ip], p->head.len + *ip, bad);
      if (r != HTTP1_INCOMPLETE)
        return r;
    }
  return HTTP1_INCOMPLETE;
}

/*
 * The limit that bytes [start_off, k) of the start line break, if any. A
 * limit counts as broken at the first byte past it, so whichever of "too
 * long" and any other error comes first in the byte stream wins, however
 * the input is split.
 */
static SocketHTTP1_Result
start_limits (SocketHTTP1_Parser_T p, int in_method, size_t k, SocketHTTP1_Result otherwise)
{
  size_t n = k - p->start_off, llim = p->cfg.max_request_line;
  if (in_method && n > SOCKETHTTP1_MAX_METHOD_LEN && SOCKETHTTP1_MAX_METHOD_LEN < llim)
    return HTTP1_ERROR_INVALID_METHOD;
  return n > llim ? HTTP1_ERROR_LINE_TOO_LONG : otherwise;
}

/* Start line complete at offset @p k (after its LF). */
static SocketHTTP1_Result
start_line_done (SocketHTTP1_Parser_T p, size_t k)
{
  SocketHTTP1_Result r = start_limits (p, 0, k, HTTP1_OK);
  if (r == HTTP1_OK)
    {
      p->head.hs = HS_LINE;
      p->head.fields_off = k;
      p->state = HTTP1_STATE_HEADERS;
    }
  return r;
}

/* "HTTP/1.1" at @p d (8 readable bytes), in one load and compare. */
static inline int
is_http11 (const char *d)
{
  uint64_t w, lit;
  memcpy (&w, d, 8);
  memcpy (&lit, "HTTP/1.1", 8);
  return w == lit;
}

#define RL_SUSPEND(st, in_method)                                             \
  do                                                                          \
    {                                                                         \
      sec->hs = (st);                                                         \
      r = start_limits (p, in_method, base + len, HTTP1_INCOMPLETE);          \
      goto out;                                                               \
    }                                                                         \
  while (0)
#define RL_FAIL(code, in_method)                                              \
  do                                                                          \
    {                                                                         \
      r = start_limits (p, in_method, base + i, code);                        \
      goto out;                                                               \
    }                                                                         \
  while (0)

/* Request line: method SP request-target SP HTTP-version CRLF (threaded
 * like the field parser; "HTTP/1.1\r\n" is matched in one compare). */
static SocketHTTP1_Result
request_line (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip)
{
  h1_section *sec = &p->head;
  const size_t base = sec->len;
  size_t i = *ip;
  SocketHTTP1_Result r;
  unsigned char c;
  switch (sec->hs)
    {
    case HS_METHOD: goto method;
    case HS_TARGET_START: goto target_start;
    case HS_TARGET: goto target;
    case HS_VERSION: goto version;
    case HS_RL_CR: goto rl_cr;
    case HS_RL_LF: goto rl_lf;
    default: break;
    }
  if ((r = skip_empty_lines (p, data, len, &i, HTTP1_ERROR_INVALID_METHOD)) != HTTP1_OK)
    goto out;
method:
  i += scan_token (data + i, len - i);
  if (i == len)
    RL_SUSPEND (HS_METHOD, 1);
  if (data[i] != ' ' || base + i == p->start_off)
    RL_FAIL (HTTP1_ERROR_INVALID_METHOD, 1);
  if ((r = start_limits (p, 1, base + i, HTTP1_OK)) != HTTP1_OK)
    goto out;
  p->method_end = base + i++;
target_start:
  if (i == len)
    RL_SUSPEND (HS_TARGET_START, 0);
  c = (unsigned char)data[i];
  if (!HTTP_IS (c, HTTP_C_TARGET) && (c < 0x80 || p->cfg.strict_mode))
    RL_FAIL (HTTP1_ERROR_INVALID_URI, 0);
  p->target_off = base + i;
target:
  i += scan_target (data + i, len - i, !p->cfg.strict_mode);
  if (i == len)
    RL_SUSPEND (HS_TARGET, 0);
  if (data[i] != ' ') /* CR/LF here would be HTTP/0.9, which is not supported */
    RL_FAIL ((data[i] == '\r' || data[i] == '\n') ? HTTP1_ERROR_INVALID_VERSION
                                                  : HTTP1_ERROR_INVALID_URI, 0);
  p->target_end = base + i++;
  p->ver_idx = 0;
  if (len - i >= 10 && is_http11 (data + i) && data[i + 8] == '\r' && data[i + 9] == '\n')
    {
      p->major = p->minor = 1;
      i += 10;
      goto done;
    }
version:
  for (; p->ver_idx < 8; i++)
    {
      if (i == len)
        RL_SUSPEND (HS_VERSION, 0);
      if (!version_byte (p, (unsigned char)data[i]))
        RL_FAIL (HTTP1_ERROR_INVALID_VERSION, 0);
    }
rl_cr:
  if (i == len)
    RL_SUSPEND (HS_RL_CR, 0);
  c = (unsigned char)data[i];
  if (c == '\n' && !p->cfg.strict_mode)
    {
      i++;
      goto done;
    }
  if (c != '\r')
    RL_FAIL (HTTP1_ERROR_INVALID_VERSION, 0);
  i++;
rl_lf:
  if (i == len)
    RL_SUSPEND (HS_RL_LF, 0);
  if (data[i] != '\n')
    RL_FAIL (HTTP1_ERROR_INVALID_VERSION, 0);
  i++;
done:
  r = start_line_done (p, base + i);
out:
  *ip = i;
  return r;
}

/* Status line up to the status code: HTTP-version SP 3DIGIT. HTTP1_OK
 * leaves the machine in HS_R_AFTER_STATUS. */
static SocketHTTP1_Result
status_code (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip)
{
  h1_section *sec = &p->head;
  const size_t base = sec->len;
  size_t i = *ip;
  SocketHTTP1_Result r = HTTP1_OK;
  if (sec->hs == HS_R_VERSION)
    goto version;
  if (sec->hs == HS_R_STATUS)
    goto status;
  if ((r = skip_empty_lines (p, data, len, &i, HTTP1_ERROR_INVALID_VERSION)) != HTTP1_OK)
    goto out;
  p->ver_idx = 0;
  if (len - i >= 9 && is_http11 (data + i) && data[i + 8] == ' ')
    {
      p->major = p->minor = 1;
      p->status = 0;
      i += 9;
      goto status;
    }
version:
  for (; p->ver_idx < 8; i++)
    {
      if (i == len)
        RL_SUSPEND (HS_R_VERSION, 0);
      if (!version_byte (p, (unsigned char)data[i]))
        RL_FAIL (HTTP1_ERROR_INVALID_VERSION, 0);
    }
  if (i == len)
    RL_SUSPEND (HS_R_VERSION, 0);
  if (data[i] != ' ')
    RL_FAIL (HTTP1_ERROR_INVALID_VERSION, 0);
  i++;
  p->ver_idx = 0;
  p->status = 0;
status:
  for (; p->ver_idx < 3; i++, p->ver_idx++)
    {
      if (i == len)
        RL_SUSPEND (HS_R_STATUS, 0);
      if (!HTTP_IS (data[i], HTTP_C_DIGIT))
        RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
      p->status = p->status * 10 + (data[i] - '0');
    }
  if (p->status < 100 || p->status > (p->cfg.strict_mode ? 599 : 999))
    {
      i--; /* blame the last digit */
      RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
    }
  sec->hs = HS_R_AFTER_STATUS;
out:
  *ip = i;
  return r;
}

/* Status line: HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF. */
static SocketHTTP1_Result
status_line (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip)
{
  h1_section *sec = &p->head;
  const size_t base = sec->len;
  size_t i;
  SocketHTTP1_Result r;
  unsigned char c;
  if (sec->hs != HS_R_AFTER_STATUS && sec->hs != HS_R_REASON && sec->hs != HS_RL_CR
      && sec->hs != HS_RL_LF && (r = status_code (p, data, len, ip)) != HTTP1_OK)
    return r;
  i = *ip;
  switch (sec->hs)
    {
    case HS_R_REASON: goto reason;
    case HS_RL_CR: goto rl_cr;
    case HS_RL_LF: goto rl_lf;
    default: break;
    }
  if (i == len)
    RL_SUSPEND (HS_R_AFTER_STATUS, 0);
  c = (unsigned char)data[i];
  if (c == ' ')
    p->reason_off = base + ++i;
  else if (c == '\r' || c == '\n')
    {
      p->reason_off = p->reason_end = base + i;
      goto rl_cr;
    }
  else
    RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
reason:
  i += scan_value (data + i, len - i);
  if (i == len)
    RL_SUSPEND (HS_R_REASON, 0);
  c = (unsigned char)data[i];
  if (c == '\t')
    {
      i++;
      goto reason;
    }
  if (c != '\r' && c != '\n')
    RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
  p->reason_end = base + i;
rl_cr:
  if (i == len)
    RL_SUSPEND (HS_RL_CR, 0);
  c = (unsigned char)data[i];
  if (c == '\n' && !p->cfg.strict_mode)
    {
      i++;
      goto done;
    }
  if (c != '\r')
    RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
  i++;
rl_lf:
  if (i == len)
    RL_SUSPEND (HS_RL_LF, 0);
  if (data[i] != '\n')
    RL_FAIL (HTTP1_ERROR_INVALID_STATUS, 0);
  i++;
done:
  r = start_line_done (p, base + i);
out:
  *ip = i;
  return r;
}

#undef RL_SUSPEND
#undef RL_FAIL

/* ===================================================================== */
/* Lifecycle                                                             */
/* ===================================================================== */

void
SocketHTTP1_config_defaults (SocketHTTP1_Config *config)
{
  if (config == NULL)
    return;
  config->max_request_line = SOCKETHTTP1_MAX_REQUEST_LINE;
  config->max_header_name = SOCKETHTTP1_MAX_HEADER_NAME;
  config->max_header_value = SOCKETHTTP1_MAX_HEADER_VALUE;
  config->max_headers = SOCKETHTTP1_MAX_HEADERS;
  config->max_header_size = SOCKETHTTP1_MAX_HEADER_SIZE;
  config->max_chunk_size = SOCKETHTTP1_MAX_CHUNK_SIZE;
  config->max_trailer_size = SOCKETHTTP1_MAX_TRAILER_SIZE;
  config->allow_obs_fold = 0;
  config->strict_mode = 1;
}

/* Offsets are stored in 32 bits, so a section may not reach 4 GiB. */
#define H1_LIMIT_MAX ((size_t)UINT32_MAX / 4)

SocketHTTP1_Parser_T
SocketHTTP1_Parser_new (SocketHTTP1_ParseMode mode, const SocketHTTP1_Config *config,
                        Arena_T arena)
{
  SocketHTTP1_Parser_T p;
  SocketHTTP1_Config cfg;
  if (config == NULL)
    SocketHTTP1_config_defaults (&cfg);
  else
    cfg = *config;
  if (arena == NULL || (mode != HTTP1_PARSE_REQUEST && mode != HTTP1_PARSE_RESPONSE))
    SOCKET_RAISE_MSG (SocketHTTP1, SocketHTTP1_ParseError,
                      "SocketHTTP1_Parser_new: NULL arena or invalid mode");
  if (cfg.max_request_line == 0 || cfg.max_header_name == 0 || cfg.max_header_value == 0
      || cfg.max_headers == 0 || cfg.max_header_size == 0 || cfg.max_chunk_size == 0
      || cfg.max_request_line > H1_LIMIT_MAX || cfg.max_header_size > H1_LIMIT_MAX
      || cfg.max_trailer_size > H1_LIMIT_MAX)
    SOCKET_RAISE_MSG (SocketHTTP1, SocketHTTP1_ParseError,
                      "SocketHTTP1_Parser_new: invalid limits in config");
  p = CALLOC (arena, 1, sizeof (*p));
  p->mode = mode;
  p->cfg = cfg;
  p->arena = arena;
  p->headers = SocketHTTP_Headers_new (arena);
  p->trailers = SocketHTTP_Headers_new (arena);
  p->head.max_size = cfg.max_header_size;
  p->trl.max_size = cfg.max_trailer_size;
  p->head.buf = ALLOC (arena, H1_INITIAL_BUF);
  p->head.cap = H1_INITIAL_BUF;
  SocketHTTP1_Parser_reset (p);
  return p;
}

void
SocketHTTP1_Parser_free (SocketHTTP1_Parser_T *parser)
{
  if (parser != NULL)
    *parser = NULL;
}

static void
section_reset (h1_section *sec, uint8_t hs)
{
  sec->len = 0;
  sec->nfields = 0;
  sec->fields_off = 0;
  sec->hs = hs;
}

void
SocketHTTP1_Parser_reset (SocketHTTP1_Parser_T p)
{
  if (p == NULL)
    return;
  p->state = HTTP1_STATE_START;
  p->error = HTTP1_OK;
  section_reset (&p->head, HS_START);
  section_reset (&p->trl, HS_LINE);
  p->start_off = p->method_end = p->target_off = p->target_end = 0;
  p->reason_off = p->reason_end = 0;
  p->ver_idx = p->major = p->minor = 0;
  p->status = 0;
  memset (&p->req, 0, sizeof (p->req));
  memset (&p->resp, 0, sizeof (p->resp));
  SocketHTTP_Headers_clear (p->headers);
  SocketHTTP_Headers_clear (p->trailers);
  p->body_mode = HTTP1_BODY_NONE;
  p->content_length = -1;
  p->early_cl = -1;
  p->remaining = 0;
  p->upgrade_proto = NULL;
  p->keepalive = p->upgrade = p->expect_continue = p->head_done = 0;
  p->resume_cls = 0;
  p->resume_end = 0;
  p->cs = 0;
  p->chunk_line = 0;
  p->chunk_size = 0;
}

/* ===================================================================== */
/* execute                                                               */
/* ===================================================================== */

static SocketHTTP1_Result
fail (SocketHTTP1_Parser_T p, SocketHTTP1_Result r)
{
  p->state = HTTP1_STATE_ERROR;
  p->error = r;
  p->keepalive = 0;
  return r;
}

static SocketHTTP1_Result
head_eof (SocketHTTP1_Parser_T p)
{
  if (p->head.hs == HS_START || p->head.hs == HS_START_LF)
    return HTTP1_INCOMPLETE; /* clean close between messages */
  return fail (p, HTTP1_ERROR_UNEXPECTED_EOF);
}

/*
 * Resumption fast path. Small reads (down to one byte per call) mostly land
 * inside a run that cannot change the state: a field name or value, a
 * request-target or a reason phrase. When the machine stops inside such a
 * run, resume_prepare() records the byte class of the run and the offset
 * up to which no limit (run length, line or section size) is broken and the
 * section buffer has room. The next call then only checks that ALL its
 * bytes are of that class and stay below that offset, appends them and
 * returns, without entering the machine (whose frame and dispatch cost
 * more than a few bytes). Anything else (a delimiter, an invalid byte, a
 * limit reached) goes to the machine before any state is touched, so
 * results and error offsets are the machine's, whatever the split.
 */
static inline size_t
min_sz (size_t a, size_t b)
{
  return a < b ? a : b;
}

static void
resume_prepare (SocketHTTP1_Parser_T p)
{
  const h1_section *sec = &p->head;
  size_t run_end, line_end;
  unsigned cls;
  p->resume_cls = 0;
  p->resume_end = 0;
  if (p->state == HTTP1_STATE_HEADERS)
    {
      if (sec->hs == HS_VALUE)
        {
          cls = HTTP_C_FIELD;
          run_end = sec->cur.value_off + p->cfg.max_header_value;
        }
      else if (sec->hs == HS_NAME)
        {
          cls = HTTP_C_TCHAR;
          run_end = sec->cur.name_off + p->cfg.max_header_name;
        }
      else
        return;
      line_end = sec->fields_off + sec->max_size;
    }
  else if (p->state == HTTP1_STATE_START)
    {
      if (sec->hs == HS_TARGET && p->cfg.strict_mode) /* lenient: obs-text, machine */
        cls = HTTP_C_TARGET;
      else if (sec->hs == HS_R_REASON)
        cls = HTTP_C_FIELD;
      else
        return;
      run_end = line_end = p->start_off + p->cfg.max_request_line;
    }
  else
    return;
  p->resume_cls = cls;
  p->resume_end = min_sz (min_sz (run_end, line_end), sec->cap);
}

/*
 * One byte that starts a run in a field line, fed alone: the first byte of
 * a name (at the start of a line), SP/HTAB after the colon, the first byte
 * of a value. Done here with the machine's own rules (a token char starts
 * a name, OWS is skipped, a field-value byte starts the value; anything
 * else, or a section about to pass its size limit, goes to the machine
 * untouched), so byte-at-a-time input enters the machine only at the
 * delimiters that end a run. Returns 1 when the byte was taken.
 */
static int
resume_step (SocketHTTP1_Parser_T p, unsigned char c)
{
  h1_section *sec = &p->head;
  const size_t off = sec->len;
  if (off >= sec->cap || off + 1 - sec->fields_off > sec->max_size)
    return 0;
  if (sec->hs == HS_LINE)
    {
      if (!HTTP_IS (c, HTTP_C_TCHAR))
        return 0;
      sec->cur.name_off = (uint32_t)off;
      sec->cur.folded = 0;
      sec->hs = HS_NAME;
    }
  else if (sec->hs == HS_OWS)
    {
      if (c != ' ' && c != '\t')
        {
          if (!HTTP_IS (c, HTTP_C_FIELD))
            return 0;
          sec->cur.value_off = (uint32_t)off;
          sec->hs = HS_VALUE;
        }
    }
  else
    return 0;
  sec->buf[off] = (char)c;
  sec->len = off + 1;
  resume_prepare (p);
  return 1;
}

/* Runs this long or longer go to the machine, whose bulk scanners win. */
#define H1_RESUME_MAX 16

static SocketHTTP1_Result execute_machine (SocketHTTP1_Parser_T p, const char *data, size_t len,
                                           size_t *consumed);

SocketHTTP1_Result
SocketHTTP1_Parser_execute (SocketHTTP1_Parser_T p, const char *data, size_t len,
                            size_t *consumed)
{
  /* resume_end is 0 whenever resume_cls is (resume_prepare, reset), and
   * every state change outside the machine (read_body) happens after the
   * head, when both are 0: one compare selects the fast path. */
  if (p != NULL && len - 1 < H1_RESUME_MAX && p->head.len + len <= p->resume_end
      && data != NULL && consumed != NULL)
    {
      const unsigned cls = p->resume_cls;
      const size_t end = p->head.len + len;
      /* Copy while checking (no memcpy call: this stays a leaf). A byte
       * outside the class leaves the copy beyond head.len, where it is
       * simply overwritten by the machine. */
      char *dst = p->head.buf + p->head.len;
      size_t k = 0;
      do
        {
          const char c = data[k];
          if (!HTTP_IS (c, cls))
            goto machine;
          dst[k] = c;
        }
      while (++k < len);
      p->head.len = end;
      *consumed = len;
      return HTTP1_INCOMPLETE;
    }
  else if (len == 1 && p != NULL && data != NULL && consumed != NULL
           && p->state == HTTP1_STATE_HEADERS && resume_step (p, (unsigned char)data[0]))
    {
      *consumed = 1;
      return HTTP1_INCOMPLETE;
    }
machine:
  return execute_machine (p, data, len, consumed);
}

static SocketHTTP1_Result execute_head (SocketHTTP1_Parser_T p, const char *data, size_t len,
                                        size_t *consumed, int skip);

SocketHTTP1_Result
SocketHTTP1__execute_skip (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *consumed)
{
  SocketHTTP1_Result r = execute_head (p, data, len, consumed, 1);
  if (p != NULL)
    resume_prepare (p);
  return r;
}

static __attribute__ ((noinline)) SocketHTTP1_Result
execute_machine (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *consumed)
{
  SocketHTTP1_Result r = execute_head (p, data, len, consumed, 0);
  if (p != NULL)
    resume_prepare (p);
  return r;
}

static inline __attribute__ ((always_inline)) SocketHTTP1_Result
execute_head (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *consumed, int skip)
{
  size_t i = 0, dummy;
  SocketHTTP1_Result r;
  if (consumed == NULL)
    consumed = &dummy;
  *consumed = 0;
  if (p == NULL || (data == NULL && len > 0))
    return HTTP1_ERROR;
  if (p->state == HTTP1_STATE_ERROR)
    return p->error;
  if (p->state == HTTP1_STATE_COMPLETE)
    return HTTP1_OK;
  if (p->head_done)
    {
      size_t w;
      if (!skip) /* the content is read_body's: nothing consumed */
        return len > 0 ? HTTP1_OK : HTTP1_INCOMPLETE;
      return SocketHTTP1__body (p, data, len, consumed, NULL, 0, &w);
    }
  if (len == 0) /* no end-of-input meaning, except for the skipping variant */
    return skip ? head_eof (p) : HTTP1_INCOMPLETE;
  r = HTTP1_OK;
  if (p->head.hs >= HS_START)
    r = p->mode == HTTP1_PARSE_REQUEST ? request_line (p, data, len, &i)
                                       : status_line (p, data, len, &i);
  if (r == HTTP1_OK)
    r = parse_fields (p, &p->head, data, len, &i);
  *consumed = i;
  if (r >= HTTP1_ERROR)
    return fail (p, r);
  section_append (p, &p->head, data, i);
  if (r == HTTP1_INCOMPLETE)
    return r;
  r = SocketHTTP1__finish_head (p);
  return r == HTTP1_OK ? r : fail (p, r);
}
