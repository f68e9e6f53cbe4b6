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

static inline size_t
scan_token (const char *p, size_t n)
{
  size_t i = 0;
  while (i + 4 <= n && HTTP_IS (p[i], HTTP_C_TCHAR) && HTTP_IS (p[i + 1], HTTP_C_TCHAR)
         && HTTP_IS (p[i + 2], HTTP_C_TCHAR) && HTTP_IS (p[i + 3], HTTP_C_TCHAR))
    i += 4;
  while (i < n && HTTP_IS (p[i], HTTP_C_TCHAR))
    i++;
  return i;
}

/* ===================================================================== */
/* Sections                                                              */
/* ===================================================================== */

void
SocketHTTP1__section_append (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t n)
{
  if (n == 0)
    return;
  if (n > sec->cap - sec->len)
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
  memcpy (sec->buf + sec->len, data, n);
  sec->len += n;
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
push_field (SocketHTTP1_Parser_T p, h1_section *sec)
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
  sec->fields[sec->nfields++] = sec->cur;
  return HTTP1_OK;
}

/* Line start: a name, the empty line, or an obs-fold continuation. */
static SocketHTTP1_Result
field_line_start (SocketHTTP1_Parser_T p, h1_section *sec, unsigned char c, size_t off)
{
  if (HTTP_IS (c, HTTP_C_TCHAR))
    {
      sec->cur.name_off = (uint32_t)off;
      sec->cur.folded = 0;
      sec->hs = HS_NAME;
      return HTTP1_OK;
    }
  if (c == '\r')
    {
      sec->hs = HS_END_LF;
      return HTTP1_INCOMPLETE; /* consumed, no field */
    }
  if (c == '\n' && !p->cfg.strict_mode)
    {
      sec->hs = HS_DONE;
      return HTTP1_INCOMPLETE;
    }
  if ((c == ' ' || c == '\t') && sec->nfields > 0)
    {
      if (!p->cfg.allow_obs_fold)
        return HTTP1_ERROR_INVALID_HEADER_VALUE;
      sec->cur = sec->fields[--sec->nfields]; /* reopen the previous field */
      sec->cur.folded = 1;
      sec->hs = HS_FOLD;
      return HTTP1_INCOMPLETE;
    }
  return HTTP1_ERROR_INVALID_HEADER_NAME;
}

/* End of a field line (at the CR, or a bare LF when allowed). */
static SocketHTTP1_Result
field_value_end (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t off)
{
  sec->cur.value_end = (uint32_t)trim_end (sec, data, sec->cur.value_off, off);
  if (sec->cur.value_end - sec->cur.value_off > p->cfg.max_header_value)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  return HTTP1_OK;
}

/*
 * Strict mode checks Content-Length as soon as its line is complete, so a
 * bad or conflicting length is refused without waiting for the rest of the
 * head (SocketHTTP1__finish_head checks every field again in any mode).
 */
static SocketHTTP1_Result
early_content_length (SocketHTTP1_Parser_T p, const h1_section *sec, const char *data)
{
  static const char name[] = "content-length";
  const h1_field *f = &sec->cur;
  uint64_t v = 0;
  if (f->name_len != 14 || sec != &p->head || !p->cfg.strict_mode)
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
    return (int64_t)v != p->early_cl ? HTTP1_ERROR_SMUGGLING_DETECTED
                                     : HTTP1_ERROR_INVALID_CONTENT_LENGTH;
  p->early_cl = (int64_t)v;
  return HTTP1_OK;
}

/* A complete field line: store the field, check the section size. */
static SocketHTTP1_Result
field_line_done (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t off)
{
  SocketHTTP1_Result r = early_content_length (p, sec, data);
  if (r == HTTP1_OK)
    r = push_field (p, sec);
  if (r != HTTP1_OK)
    return r;
  sec->hs = HS_LINE;
  return off - sec->fields_off > sec->max_size ? HTTP1_ERROR_HEADER_TOO_LARGE : HTTP1_OK;
}

/* Length checks at a stop (end of input or end of line). */
static SocketHTTP1_Result
field_limits (SocketHTTP1_Parser_T p, const h1_section *sec, size_t off)
{
  if (off - sec->fields_off > sec->max_size)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  if (sec->hs == HS_NAME && off - sec->cur.name_off > p->cfg.max_header_name)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  if (sec->hs == HS_VALUE && off - sec->cur.value_off > p->cfg.max_header_value)
    return HTTP1_ERROR_HEADER_TOO_LARGE;
  return HTTP1_OK;
}

SocketHTTP1_Result
SocketHTTP1__parse_fields (SocketHTTP1_Parser_T p, h1_section *sec, const char *data, size_t len,
                           size_t *ip)
{
  size_t i = *ip;
  const size_t base = sec->len;
  SocketHTTP1_Result r = HTTP1_OK;
  unsigned char c;

  while (i < len)
    {
      c = (unsigned char)data[i];
      switch (sec->hs)
        {
        case HS_LINE:
          sec->line_off = base + i;
          r = field_line_start (p, sec, c, base + i);
          if (r >= HTTP1_ERROR)
            goto out;
          if (r == HTTP1_INCOMPLETE)
            i++; /* CR, LF or fold byte consumed */
          if (sec->hs == HS_DONE)
            goto done;
          break;
        case HS_NAME:
          i += scan_token (data + i, len - i);
          if (i == len)
            break;
          if (data[i] != ':')
            {
              r = HTTP1_ERROR_INVALID_HEADER_NAME; /* incl. space before ':' */
              goto out;
            }
          sec->cur.name_len = (uint32_t)(base + i - sec->cur.name_off);
          if (sec->cur.name_len > p->cfg.max_header_name)
            {
              r = HTTP1_ERROR_HEADER_TOO_LARGE;
              goto out;
            }
          i++;
          sec->hs = HS_OWS;
          break;
        case HS_FOLD:
          if (sec->cur.value_end == sec->cur.value_off && c != ' ' && c != '\t')
            sec->cur.value_off = (uint32_t)(base + i); /* value was empty so far */
          __attribute__ ((fallthrough));
        case HS_OWS:
          if (c == ' ' || c == '\t')
            {
              i++;
              break;
            }
          if (sec->hs == HS_OWS)
            sec->cur.value_off = (uint32_t)(base + i);
          sec->hs = HS_VALUE;
          __attribute__ ((fallthrough));
        case HS_VALUE:
          i += scan_value (data + i, len - i);
          if (i == len)
            break;
          c = (unsigned char)data[i];
          if (c == '\t')
            {
              i++;
              break;
            }
          if (c != '\r' && (c != '\n' || p->cfg.strict_mode))
            {
              r = HTTP1_ERROR_INVALID_HEADER_VALUE; /* CTL, DEL, bare LF */
              goto out;
            }
          if ((r = field_value_end (p, sec, data, base + i)) != HTTP1_OK)
            goto out;
          i++;
          if (c == '\r')
            sec->hs = HS_VALUE_LF;
          else if ((r = field_line_done (p, sec, data, base + i)) != HTTP1_OK)
            goto out; /* bare LF (lenient) ends the line */
          break;
        case HS_VALUE_LF:
          if (c != '\n')
            {
              r = HTTP1_ERROR_INVALID_HEADER_VALUE; /* bare CR */
              goto out;
            }
          i++;
          if ((r = field_line_done (p, sec, data, base + i)) != HTTP1_OK)
            goto out;
          break;
        case HS_END_LF:
          if (c != '\n')
            {
              r = HTTP1_ERROR_INVALID_HEADER_NAME; /* CR not followed by LF */
              goto out;
            }
          i++;
          sec->hs = HS_DONE;
          goto done;
        default:
          r = HTTP1_ERROR;
          goto out;
        }
    }
  r = field_limits (p, sec, base + len);
  if (r == HTTP1_OK)
    r = HTTP1_INCOMPLETE;
out:
  *ip = i;
  return r;
done:
  *ip = i;
  return HTTP1_OK;
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
  p->state = HTTP1_STATE_START;
  sec->hs = p->mode == HTTP1_PARSE_REQUEST ? HS_METHOD : HS_R_VERSION;
  return HTTP1_OK;
}

/* CR LF (or a lenient bare LF) closing the start line. */
static SocketHTTP1_Result
start_line_end (SocketHTTP1_Parser_T p, unsigned char c, SocketHTTP1_Result bad)
{
  h1_section *sec = &p->head;
  if (sec->hs == HS_RL_CR && c == '\r')
    {
      sec->hs = HS_RL_LF;
      return HTTP1_INCOMPLETE;
    }
  if (c != '\n' || (sec->hs == HS_RL_CR && p->cfg.strict_mode))
    return bad;
  sec->hs = HS_LINE;
  p->state = HTTP1_STATE_HEADERS;
  return HTTP1_OK;
}

/* Request line: method SP request-target SP HTTP-version CRLF. */
static SocketHTTP1_Result
request_line (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip)
{
  h1_section *sec = &p->head;
  const size_t base = sec->len;
  size_t i = *ip;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  while (i < len && r == HTTP1_INCOMPLETE)
    {
      unsigned char c = (unsigned char)data[i];
      switch (sec->hs)
        {
        case HS_START:
        case HS_START_LF:
          r = start_byte (p, c, base + i, HTTP1_ERROR_INVALID_METHOD);
          if (r == HTTP1_INCOMPLETE)
            i++;
          else if (r == HTTP1_OK)
            r = HTTP1_INCOMPLETE;
          break;
        case HS_METHOD:
          i += scan_token (data + i, len - i);
          if (base + i - p->start_off > SOCKETHTTP1_MAX_METHOD_LEN)
            r = HTTP1_ERROR_INVALID_METHOD;
          else if (i < len && (data[i] != ' ' || base + i == p->start_off))
            r = HTTP1_ERROR_INVALID_METHOD;
          else if (i < len)
            p->method_end = base + i++, sec->hs = HS_TARGET_START;
          break;
        case HS_TARGET_START:
          if (!HTTP_IS (c, HTTP_C_TARGET) && (c < 0x80 || p->cfg.strict_mode))
            r = HTTP1_ERROR_INVALID_URI;
          p->target_off = base + i;
          sec->hs = HS_TARGET;
          break;
        case HS_TARGET:
          i += scan_target (data + i, len - i, !p->cfg.strict_mode);
          if (i == len)
            break;
          if (data[i] == ' ')
            p->target_end = base + i++, sec->hs = HS_VERSION, p->ver_idx = 0;
          else /* CR/LF here would be HTTP/0.9, which is not supported */
            r = (data[i] == '\r' || data[i] == '\n') ? HTTP1_ERROR_INVALID_VERSION
                                                     : HTTP1_ERROR_INVALID_URI;
          break;
        case HS_VERSION:
          if (!version_byte (p, c))
            r = HTTP1_ERROR_INVALID_VERSION;
          else if (i++, p->ver_idx == 8)
            sec->hs = HS_RL_CR;
          break;
        default: /* HS_RL_CR, HS_RL_LF */
          r = start_line_end (p, c, HTTP1_ERROR_INVALID_VERSION);
          if (r != HTTP1_OK && r != HTTP1_INCOMPLETE)
            break;
          i++;
          break;
        }
      if (r < HTTP1_ERROR && p->state == HTTP1_STATE_START && sec->hs != HS_START
          && sec->hs != HS_START_LF && base + i - p->start_off > p->cfg.max_request_line)
        r = HTTP1_ERROR_LINE_TOO_LONG;
    }
  *ip = i;
  return r;
}

/* Status line: HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF. */
static SocketHTTP1_Result
status_line (SocketHTTP1_Parser_T p, const char *data, size_t len, size_t *ip)
{
  h1_section *sec = &p->head;
  const size_t base = sec->len;
  size_t i = *ip;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  while (i < len && r == HTTP1_INCOMPLETE)
    {
      unsigned char c = (unsigned char)data[i];
      switch (sec->hs)
        {
        case HS_START:
        case HS_START_LF:
          r = start_byte (p, c, base + i, HTTP1_ERROR_INVALID_VERSION);
          if (r == HTTP1_INCOMPLETE)
            i++;
          else if (r == HTTP1_OK)
            r = HTTP1_INCOMPLETE, p->ver_idx = 0;
          break;
        case HS_R_VERSION:
          if (p->ver_idx < 8 ? !version_byte (p, c) : c != ' ')
            {
              r = HTTP1_ERROR_INVALID_VERSION;
              break;
            }
          if (c == ' ')
            sec->hs = HS_R_STATUS, p->ver_idx = 0, p->status = 0;
          i++;
          break;
        case HS_R_STATUS:
          if (!HTTP_IS (c, HTTP_C_DIGIT))
            {
              r = HTTP1_ERROR_INVALID_STATUS;
              break;
            }
          p->status = p->status * 10 + (c - '0');
          if (++p->ver_idx == 3)
            {
              if (p->status < 100 || p->status > (p->cfg.strict_mode ? 599 : 999))
                {
                  r = HTTP1_ERROR_INVALID_STATUS;
                  break;
                }
              sec->hs = HS_R_AFTER_STATUS;
            }
          i++;
          break;
        case HS_R_AFTER_STATUS:
          if (c == ' ')
            p->reason_off = base + i + 1, sec->hs = HS_R_REASON, i++;
          else if (c == '\r' || c == '\n')
            p->reason_off = p->reason_end = base + i, sec->hs = HS_RL_CR;
          else
            r = HTTP1_ERROR_INVALID_STATUS;
          break;
        case HS_R_REASON:
          i += scan_value (data + i, len - i);
          if (i == len)
            break;
          if (data[i] == '\t')
            i++;
          else if (data[i] == '\r' || data[i] == '\n')
            p->reason_end = base + i, sec->hs = HS_RL_CR;
          else
            r = HTTP1_ERROR_INVALID_STATUS;
          break;
        default:
          r = start_line_end (p, c, HTTP1_ERROR_INVALID_STATUS);
          if (r == HTTP1_OK || r == HTTP1_INCOMPLETE)
            i++;
          break;
        }
      if (r < HTTP1_ERROR && p->state == HTTP1_STATE_START && sec->hs != HS_START
          && sec->hs != HS_START_LF && base + i - p->start_off > p->cfg.max_request_line)
        r = HTTP1_ERROR_LINE_TOO_LONG;
    }
  *ip = i;
  return r;
}

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

SocketHTTP1_Result
SocketHTTP1_Parser_execute (SocketHTTP1_Parser_T p, const char *data, size_t len,
                            size_t *consumed)
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
      return SocketHTTP1__body (p, data, len, consumed, NULL, 0, &w);
    }
  if (len == 0)
    return head_eof (p);
  r = HTTP1_OK;
  if (p->head.hs >= HS_START)
    r = p->mode == HTTP1_PARSE_REQUEST ? request_line (p, data, len, &i)
                                       : status_line (p, data, len, &i);
  if (r == HTTP1_OK)
    {
      if (p->head.fields_off == 0 && p->head.hs == HS_LINE && p->state == HTTP1_STATE_HEADERS)
        p->head.fields_off = p->head.len + i;
      r = SocketHTTP1__parse_fields (p, &p->head, data, len, &i);
    }
  *consumed = i;
  if (r >= HTTP1_ERROR)
    return fail (p, r);
  SocketHTTP1__section_append (p, &p->head, data, i);
  if (r == HTTP1_INCOMPLETE)
    return r;
  r = SocketHTTP1__finish_head (p);
  return r == HTTP1_OK ? r : fail (p, r);
}
