/*
 * SocketHTTP.c - versions, methods, status codes, codings, media types,
 * Accept lists and the shared character-class table.
 */
#include <string.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTP-private.h"

const Except_T SocketHTTP_ParseError = { &SocketHTTP_ParseError, "HTTP parse error" };
const Except_T SocketHTTP_InvalidURI = { &SocketHTTP_InvalidURI, "Invalid URI" };
const Except_T SocketHTTP_InvalidHeader = { &SocketHTTP_InvalidHeader, "Invalid HTTP header" };

/* ===================================================================== */
/* Character classes                                                     */
/* ===================================================================== */

/* Each class is a constant expression of the byte, so the table below is
 * computed by the compiler and cannot drift from these definitions. */
#define C_ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z'))
#define C_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define C_HEX(c) (C_DIGIT (c) || ((c) >= 'A' && (c) <= 'F') || ((c) >= 'a' && (c) <= 'f'))
#define C_TSPECIAL(c)                                                         \
  ((c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' || (c) == '&'         \
   || (c) == '\'' || (c) == '*' || (c) == '+' || (c) == '-' || (c) == '.'     \
   || (c) == '^' || (c) == '_' || (c) == '`' || (c) == '|' || (c) == '~')
#define C_SUBDELIM(c)                                                         \
  ((c) == '!' || (c) == '$' || (c) == '&' || (c) == '\'' || (c) == '('        \
   || (c) == ')' || (c) == '*' || (c) == '+' || (c) == ',' || (c) == ';'      \
   || (c) == '=')
#define C_UNRESERVED(c)                                                       \
  (C_ALPHA (c) || C_DIGIT (c) || (c) == '-' || (c) == '.' || (c) == '_'       \
   || (c) == '~')

#define CT(c)                                                                 \
  (uint8_t)(((C_ALPHA (c) || C_DIGIT (c) || C_TSPECIAL (c)) ? HTTP_C_TCHAR    \
                                                            : 0)              \
            | ((((c) >= 0x20 && (c) != 0x7F) || (c) == 0x09) ? HTTP_C_FIELD   \
                                                             : 0)             \
            | (C_UNRESERVED (c) ? HTTP_C_UNRESERVED : 0)                      \
            | (C_SUBDELIM (c) ? HTTP_C_SUBDELIM : 0)                          \
            | (C_HEX (c) ? HTTP_C_HEX : 0) | (C_DIGIT (c) ? HTTP_C_DIGIT : 0) \
            | (C_ALPHA (c) ? HTTP_C_ALPHA : 0)                                \
            | (((c) >= 0x21 && (c) <= 0x7E) ? HTTP_C_TARGET : 0))

#define CT4(b) CT (b), CT ((b) + 1), CT ((b) + 2), CT ((b) + 3)
#define CT16(b) CT4 (b), CT4 ((b) + 4), CT4 ((b) + 8), CT4 ((b) + 12)
#define CT64(b) CT16 (b), CT16 ((b) + 16), CT16 ((b) + 32), CT16 ((b) + 48)

const uint8_t SocketHTTP__ctype[256] = { CT64 (0), CT64 (64), CT64 (128), CT64 (192) };

int
SocketHTTP__casecmp_eq (const char *a, const char *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (http_lower ((unsigned char)a[i]) != http_lower ((unsigned char)b[i]))
      return 0;
  return 1;
}

/* ===================================================================== */
/* Versions                                                              */
/* ===================================================================== */

const char *
SocketHTTP_version_string (SocketHTTP_Version version)
{
  switch (version)
    {
    case HTTP_VERSION_0_9:
      return "HTTP/0.9";
    case HTTP_VERSION_1_0:
      return "HTTP/1.0";
    case HTTP_VERSION_1_1:
      return "HTTP/1.1";
    case HTTP_VERSION_2:
      return "HTTP/2";
    case HTTP_VERSION_3:
      return "HTTP/3";
    }
  return "HTTP/?";
}

SocketHTTP_Version
SocketHTTP_version_parse (const char *str, size_t len)
{
  static const struct
  {
    const char *s;
    SocketHTTP_Version v;
  } names[] = {
    { "HTTP/1.1", HTTP_VERSION_1_1 }, { "HTTP/1.0", HTTP_VERSION_1_0 },
    { "HTTP/0.9", HTTP_VERSION_0_9 }, { "HTTP/2", HTTP_VERSION_2 },
    { "HTTP/3", HTTP_VERSION_3 },
  };
  /* the original's convention: len 0 means strlen, and there is no
   * "unknown" version: anything unrecognised reads as HTTP/0.9 */
  if (str == NULL)
    return HTTP_VERSION_0_9;
  if (len == 0)
    len = strlen (str);
  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strlen (names[i].s) == len && memcmp (names[i].s, str, len) == 0)
      return names[i].v;
  return HTTP_VERSION_0_9;
}

/* ===================================================================== */
/* Methods                                                               */
/* ===================================================================== */

static const char *const method_names[] = { "GET",     "HEAD",    "POST",
                                            "PUT",     "DELETE",  "CONNECT",
                                            "OPTIONS", "TRACE",   "PATCH" };
#define METHOD_COUNT (sizeof (method_names) / sizeof (method_names[0]))

const char *
SocketHTTP_method_name (SocketHTTP_Method method)
{
  if ((int)method < 0 || (size_t)method >= METHOD_COUNT)
    return NULL;
  return method_names[method];
}

SocketHTTP_Method
SocketHTTP_method_parse (const char *str, size_t len)
{
  /* by length first: the parser calls this for every request */
  static const SocketHTTP_Method by_len[8][2] = {
    [3] = { HTTP_METHOD_GET, HTTP_METHOD_PUT },     [4] = { HTTP_METHOD_POST, HTTP_METHOD_HEAD },
    [5] = { HTTP_METHOD_PATCH, HTTP_METHOD_TRACE }, [6] = { HTTP_METHOD_DELETE, HTTP_METHOD_DELETE },
    [7] = { HTTP_METHOD_OPTIONS, HTTP_METHOD_CONNECT },
  };
  if (str == NULL)
    return HTTP_METHOD_UNKNOWN;
  if (len == 0)
    len = strlen (str); /* the original's convention */
  if (len < 3 || len > 7)
    return HTTP_METHOD_UNKNOWN;
  for (int k = 0; k < 2; k++)
    {
      SocketHTTP_Method m = by_len[len][k];
      if (memcmp (method_names[m], str, len) == 0)
        return m;
    }
  return HTTP_METHOD_UNKNOWN;
}

SocketHTTP_MethodProperties
SocketHTTP_method_properties (SocketHTTP_Method method)
{
  /* safe, idempotent, cacheable, request content, response content */
  static const SocketHTTP_MethodProperties props[] = {
    [HTTP_METHOD_GET] = { 1, 1, 1, 0, 1 },   [HTTP_METHOD_HEAD] = { 1, 1, 1, 0, 0 },
    [HTTP_METHOD_POST] = { 0, 0, 0, 1, 1 },  [HTTP_METHOD_PUT] = { 0, 1, 0, 1, 1 },
    [HTTP_METHOD_DELETE] = { 0, 1, 0, 0, 1 }, [HTTP_METHOD_CONNECT] = { 0, 0, 0, 0, 1 },
    [HTTP_METHOD_OPTIONS] = { 1, 1, 0, 0, 1 }, [HTTP_METHOD_TRACE] = { 1, 1, 0, 0, 1 },
    [HTTP_METHOD_PATCH] = { 0, 0, 0, 1, 1 },
  };
  SocketHTTP_MethodProperties unknown = { 0, 0, 0, 0, 1 };
  if ((int)method < 0 || (size_t)method >= METHOD_COUNT)
    return unknown;
  return props[method];
}

int
SocketHTTP_method_valid (const char *str, size_t len)
{
  if (str == NULL || len == 0)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!HTTP_IS (str[i], HTTP_C_TCHAR))
      return 0;
  return 1;
}

/* ===================================================================== */
/* Status codes                                                          */
/* ===================================================================== */

static const struct
{
  int code;
  const char *reason;
} status_reasons[] = {
  { 100, "Continue" },
  { 101, "Switching Protocols" },
  { 102, "Processing" },
  { 103, "Early Hints" },
  { 200, "OK" },
  { 201, "Created" },
  { 202, "Accepted" },
  { 203, "Non-Authoritative Information" },
  { 204, "No Content" },
  { 205, "Reset Content" },
  { 206, "Partial Content" },
  { 207, "Multi-Status" },
  { 208, "Already Reported" },
  { 226, "IM Used" },
  { 300, "Multiple Choices" },
  { 301, "Moved Permanently" },
  { 302, "Found" },
  { 303, "See Other" },
  { 304, "Not Modified" },
  { 305, "Use Proxy" },
  { 307, "Temporary Redirect" },
  { 308, "Permanent Redirect" },
  { 400, "Bad Request" },
  { 401, "Unauthorized" },
  { 402, "Payment Required" },
  { 403, "Forbidden" },
  { 404, "Not Found" },
  { 405, "Method Not Allowed" },
  { 406, "Not Acceptable" },
  { 407, "Proxy Authentication Required" },
  { 408, "Request Timeout" },
  { 409, "Conflict" },
  { 410, "Gone" },
  { 411, "Length Required" },
  { 412, "Precondition Failed" },
  { 413, "Content Too Large" },
  { 414, "URI Too Long" },
  { 415, "Unsupported Media Type" },
  { 416, "Range Not Satisfiable" },
  { 417, "Expectation Failed" },
  { 418, "I'm a Teapot" },
  { 421, "Misdirected Request" },
  { 422, "Unprocessable Content" },
  { 423, "Locked" },
  { 424, "Failed Dependency" },
  { 425, "Too Early" },
  { 426, "Upgrade Required" },
  { 428, "Precondition Required" },
  { 429, "Too Many Requests" },
  { 431, "Request Header Fields Too Large" },
  { 451, "Unavailable For Legal Reasons" },
  { 500, "Internal Server Error" },
  { 501, "Not Implemented" },
  { 502, "Bad Gateway" },
  { 503, "Service Unavailable" },
  { 504, "Gateway Timeout" },
  { 505, "HTTP Version Not Supported" },
  { 506, "Variant Also Negotiates" },
  { 507, "Insufficient Storage" },
  { 508, "Loop Detected" },
  { 510, "Not Extended" },
  { 511, "Network Authentication Required" },
};

const char *
SocketHTTP_status_reason (int code)
{
  size_t lo = 0, hi = sizeof (status_reasons) / sizeof (status_reasons[0]);
  while (lo < hi)
    {
      size_t mid = (lo + hi) / 2;
      if (status_reasons[mid].code == code)
        return status_reasons[mid].reason;
      if (status_reasons[mid].code < code)
        lo = mid + 1;
      else
        hi = mid;
    }
  return "Unknown";
}

SocketHTTP_StatusCategory
SocketHTTP_status_category (int code)
{
  if (!SocketHTTP_status_valid (code))
    return (SocketHTTP_StatusCategory)0;
  return (SocketHTTP_StatusCategory)(code / 100);
}

int
SocketHTTP_status_valid (int code)
{
  return code >= 100 && code <= 599;
}

/* ===================================================================== */
/* Codings                                                               */
/* ===================================================================== */

static const struct
{
  const char *name;
  SocketHTTP_Coding coding;
} coding_names[] = {
  { "identity", HTTP_CODING_IDENTITY }, { "chunked", HTTP_CODING_CHUNKED },
  { "gzip", HTTP_CODING_GZIP },         { "deflate", HTTP_CODING_DEFLATE },
  { "compress", HTTP_CODING_COMPRESS }, { "br", HTTP_CODING_BR },
};

SocketHTTP_Coding
SocketHTTP_coding_parse (const char *name, size_t len)
{
  if (name == NULL)
    return HTTP_CODING_UNKNOWN;
  if (len == 0)
    len = strlen (name); /* the original's convention */
  for (size_t i = 0; i < sizeof (coding_names) / sizeof (coding_names[0]); i++)
    if (http_token_is (name, len, coding_names[i].name, strlen (coding_names[i].name)))
      return coding_names[i].coding;
  return HTTP_CODING_UNKNOWN;
}

const char *
SocketHTTP_coding_name (SocketHTTP_Coding coding)
{
  switch (coding)
    {
    case HTTP_CODING_IDENTITY:
      return "identity";
    case HTTP_CODING_CHUNKED:
      return "chunked";
    case HTTP_CODING_GZIP:
      return "gzip";
    case HTTP_CODING_DEFLATE:
      return "deflate";
    case HTTP_CODING_COMPRESS:
      return "compress";
    case HTTP_CODING_BR:
      return "br";
    case HTTP_CODING_UNKNOWN:
      break;
    }
  return NULL;
}

/* ===================================================================== */
/* Lists                                                                 */
/* ===================================================================== */

static int
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

int
SocketHTTP__list_has_token (const char *v, size_t len, const char *tok, size_t toklen)
{
  size_t i = 0;
  while (i < len)
    {
      size_t start, end;
      while (i < len && (is_ows (v[i]) || v[i] == ','))
        i++;
      start = i;
      while (i < len && v[i] != ',' && v[i] != ';')
        i++;
      end = i;
      while (end > start && is_ows (v[end - 1]))
        end--;
      if (http_name_is (v + start, end - start, tok, toklen))
        return 1;
      while (i < len && v[i] != ',')
        i++; /* skip ";params" */
    }
  return 0;
}
