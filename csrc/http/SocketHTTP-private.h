/* SocketHTTP-private.h - character classes and header-collection internals
 * shared by SocketHTTP*.c, the HTTP/1.1 parser, tests and fuzzers. */
#ifndef SOCKETHTTP_PRIVATE_INCLUDED
#define SOCKETHTTP_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/SocketHTTP.h"

/* Character classes (bit flags of SocketHTTP__ctype). */
#define HTTP_C_TCHAR 0x01u    /* token char, RFC 9110 5.6.2 */
#define HTTP_C_FIELD 0x02u    /* field-vchar, SP, HTAB, obs-text */
#define HTTP_C_UNRESERVED 0x04u /* ALPHA DIGIT - . _ ~ (RFC 3986) */
#define HTTP_C_SUBDELIM 0x08u /* ! $ & ' ( ) * + , ; = */
#define HTTP_C_HEX 0x10u      /* 0-9 A-F a-f */
#define HTTP_C_DIGIT 0x20u
#define HTTP_C_ALPHA 0x40u
#define HTTP_C_TARGET 0x80u   /* lenient request-target byte: 0x21..0x7E */

extern const uint8_t SocketHTTP__ctype[256];

#define HTTP_IS(c, cls) ((SocketHTTP__ctype[(unsigned char)(c)] & (cls)) != 0)

/** ASCII lowercase of @p c. */
static inline unsigned char
http_lower (unsigned char c)
{
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/** Value of hex digit @p c, or -1. */
static inline int
http_hexval (unsigned char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = http_lower (c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/** ASCII case-insensitive equality of two spans of length @p n. */
int SocketHTTP__casecmp_eq (const char *a, const char *b, size_t n);

/**
 * 1 if [p, p+n) equals the literal @p lit ignoring ASCII case, for a
 * literal of lowercase letters, digits, '-' and '.' only (field names,
 * tokens such as "chunked" or "100-continue"); any input. Compares 8 bytes
 * at a time: OR-ing 0x20 maps a byte onto such a literal byte exactly when
 * it is that byte, its uppercase letter, or a control byte (0x0D -> '-',
 * 0x0E -> '.', 0x10..0x19 -> digits), and controls are then refused.
 */
static inline int
http_token_is (const char *p, size_t n, const char *lit, size_t litlen)
{
  size_t i = 0;
  if (n != litlen)
    return 0;
  for (; i + 8 <= n; i += 8)
    {
      uint64_t a, b;
      memcpy (&a, p + i, 8);
      memcpy (&b, lit + i, 8);
      if ((a | 0x2020202020202020ull) != b)
        return 0;
      /* All bytes are below 0x80 here; flag any below 0x20. */
      if ((a - 0x2020202020202020ull) & ~a & 0x8080808080808080ull)
        return 0;
    }
  for (; i < n; i++)
    {
      unsigned char c = (unsigned char)p[i];
      if ((unsigned char)(c | 0x20) != (unsigned char)lit[i] || c < 0x20)
        return 0;
    }
  return 1;
}

/** http_token_is for any literal (tokens given by the caller). */
static inline int
http_name_is (const char *p, size_t n, const char *lit, size_t litlen)
{
  return n == litlen && SocketHTTP__casecmp_eq (p, lit, n);
}

/**
 * Append @p n uninitialised entries to @p h (no copying, no validation:
 * the caller stores pointers to memory that outlives the collection's
 * current contents, e.g. the HTTP/1 parser's header buffer).
 * @return the first new entry. @throws Arena_Failed.
 */
SocketHTTP_Header *SocketHTTP_Headers__append_raw (SocketHTTP_Headers_T h, size_t n);

/**
 * SocketHTTP_Headers_add_n without the original's SOCKETHTTP_MAX_HEADERS /
 * SOCKETHTTP_MAX_HEADER_SIZE caps (same validation, value verbatim): for
 * callers that build a message from a caller-side collection (the Go
 * wrapper), where those caps are not part of the contract.
 */
int SocketHTTP_Headers__add_n_uncapped (SocketHTTP_Headers_T h, const char *name, size_t name_len,
                                        const char *value, size_t value_len);

/** Longest bucket chain of the hash index (tests: lookups are not scans). */
size_t SocketHTTP_Headers__max_chain (SocketHTTP_Headers_T h);

/**
 * Case-insensitive search for element @p tok in the comma-separated list
 * [v, v+len) (OWS and ";params" ignored). @return 1 if present.
 */
int SocketHTTP__list_has_token (const char *v, size_t len, const char *tok, size_t toklen);

/**
 * The strict request-target parser used by the HTTP/1 parser: RFC 3986
 * syntax checked per component, authority-form "host:port", "//host" as an
 * authority, an IPv6 host WITHOUT its brackets; with an arena the components
 * are copied normalized (lowercase scheme/host, %-escapes, dot segments, "/"
 * for an empty http(s) path); with arena NULL they point into @p uri
 * (zero-copy). len 0 is an error. SocketHTTP_URI_parse is the original's
 * lenient reading instead.
 */
SocketHTTP_URIResult SocketHTTP__URI_parse_target (const char *uri, size_t len,
                                                   SocketHTTP_URI *result, Arena_T arena);

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t SocketHTTP__days_from_civil (int64_t y, unsigned m, unsigned d);

#endif
