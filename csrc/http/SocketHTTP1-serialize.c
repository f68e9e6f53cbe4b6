/*
 * SocketHTTP1-serialize.c - request/response heads, field lines and
 * chunked encoding. Every name and value is validated before it is
 * written, so no input can inject CR/LF into the output (response
 * splitting); every write is bounds-checked.
 */
#include <stdio.h>
#include <string.h>

#include "http/SocketHTTP1.h"
#include "http/SocketHTTP1-private.h"

typedef struct
{
  char *out;
  size_t size, len;
  int failed;
} writer;

static void
put (writer *w, const char *s, size_t n)
{
  if (w->failed || n > w->size - w->len)
    {
      w->failed = 1;
      return;
    }
  memcpy (w->out + w->len, s, n);
  w->len += n;
}

static void
puts_ (writer *w, const char *s)
{
  put (w, s, strlen (s));
}

static void
put_u64 (writer *w, uint64_t v)
{
  char tmp[24];
  int n = snprintf (tmp, sizeof (tmp), "%llu", (unsigned long long)v);
  put (w, tmp, (size_t)n);
}

/* Text plus a NUL terminator (not counted), as the original: -1 when the
 * NUL does not fit either. */
static ssize_t
finish (writer *w)
{
  if (w->failed || w->len >= w->size)
    return -1;
  w->out[w->len] = '\0';
  return (ssize_t)w->len;
}

/* Chunk framing: not NUL-terminated. */
static ssize_t
finish_raw (writer *w)
{
  return w->failed ? -1 : (ssize_t)w->len;
}

static void
put_fields (writer *w, SocketHTTP_Headers_T headers)
{
  size_t n = SocketHTTP_Headers_count (headers);
  for (size_t i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (headers, i);
      if (!SocketHTTP_header_name_valid (h->name, h->name_len)
          || !SocketHTTP_header_value_valid (h->value, h->value_len))
        {
          w->failed = 1;
          return;
        }
      put (w, h->name, h->name_len);
      put (w, ": ", 2);
      put (w, h->value, h->value_len);
      put (w, "\r\n", 2);
    }
}

/* "Content-Length: N" when has_body && content_length >= 0 and the caller's
 * fields do not already frame the message (the original's rule; no
 * Transfer-Encoding is ever added: a caller sending chunked content adds
 * the field itself). */
static void
put_framing (writer *w, SocketHTTP_Headers_T headers, int has_body, int64_t content_length)
{
  if (!has_body || content_length < 0 || SocketHTTP_Headers_has (headers, "Content-Length")
      || SocketHTTP_Headers_has (headers, "Transfer-Encoding"))
    return;
  puts_ (w, "Content-Length: ");
  put_u64 (w, (uint64_t)content_length);
  put (w, "\r\n", 2);
}

static const char *
version_str (SocketHTTP_Version v)
{
  if (v == HTTP_VERSION_1_0)
    return "HTTP/1.0";
  if (v == HTTP_VERSION_1_1 || v == 0)
    return "HTTP/1.1";
  return NULL;
}

/* A request-target: visible ASCII only (no SP/CTL that would split the line). */
static int
target_valid (const char *t)
{
  for (; *t; t++)
    if (!HTTP_IS (*t, HTTP_C_TARGET))
      return 0;
  return 1;
}

ssize_t
SocketHTTP1_serialize_request (const SocketHTTP_Request *request, char *output,
                               size_t output_size)
{
  writer w = { output, output_size, 0, 0 };
  const char *method, *version, *target;
  if (request == NULL || output == NULL)
    return -1;
  method = SocketHTTP_method_name (request->method);
  if (method == NULL || request->method == HTTP_METHOD_UNKNOWN)
    method = "GET"; /* as the original */
  version = version_str (request->version);
  target = request->method == HTTP_METHOD_CONNECT ? request->authority : request->path;
  if (target == NULL || *target == '\0')
    target = "/"; /* as the original */
  if (version == NULL || !target_valid (target))
    return -1;
  puts_ (&w, method);
  put (&w, " ", 1);
  puts_ (&w, target);
  put (&w, " ", 1);
  puts_ (&w, version);
  put (&w, "\r\n", 2);
  put_fields (&w, request->headers); /* the original's order: fields, Host, CL */
  if (request->authority != NULL && request->authority[0] != '\0'
      && !SocketHTTP_Headers_has (request->headers, "Host"))
    {
      if (!SocketHTTP_header_value_valid (request->authority, strlen (request->authority)))
        return -1;
      puts_ (&w, "Host: ");
      puts_ (&w, request->authority);
      put (&w, "\r\n", 2);
    }
  put_framing (&w, request->headers, request->has_body, request->content_length);
  put (&w, "\r\n", 2);
  return finish (&w);
}

ssize_t
SocketHTTP1_serialize_response (const SocketHTTP_Response *response, char *output,
                                size_t output_size)
{
  writer w = { output, output_size, 0, 0 };
  const char *version, *reason;
  int code;
  if (response == NULL || output == NULL)
    return -1;
  code = response->status_code;
  version = version_str (response->version);
  reason = response->reason_phrase != NULL && response->reason_phrase[0] != '\0'
               ? response->reason_phrase
               : SocketHTTP_status_reason (code); /* NULL or "": registered phrase */
  if (version == NULL || code < 100 || code > 999
      || !SocketHTTP_header_value_valid (reason, strlen (reason)))
    return -1;
  puts_ (&w, version);
  put (&w, " ", 1);
  put_u64 (&w, (uint64_t)code);
  put (&w, " ", 1);
  puts_ (&w, reason);
  put (&w, "\r\n", 2);
  put_fields (&w, response->headers);
  if (code >= 200 && code != 204) /* RFC 9110 8.6: never for 1xx/204 */
    put_framing (&w, response->headers, response->has_body, response->content_length);
  put (&w, "\r\n", 2);
  return finish (&w);
}

ssize_t
SocketHTTP1_serialize_headers (SocketHTTP_Headers_T headers, char *output, size_t output_size)
{
  writer w = { output, output_size, 0, 0 };
  if (output == NULL)
    return -1;
  put_fields (&w, headers);
  return finish (&w);
}

static size_t
hex_digits (size_t v)
{
  size_t n = 1;
  while (v >>= 4)
    n++;
  return n;
}

size_t
SocketHTTP1_chunk_encode_size (size_t data_len)
{
  return hex_digits (data_len) + 2 + data_len + 2;
}

ssize_t
SocketHTTP1_chunk_encode (const void *data, size_t len, char *output, size_t output_size)
{
  static const char hex[] = "0123456789abcdef";
  size_t digits, o = 0;
  if (output == NULL || (data == NULL && len > 0))
    return -1;
  digits = hex_digits (len); /* len 0: "0\r\n\r\n", the last chunk, as the original */
  if (len > output_size || SocketHTTP1_chunk_encode_size (len) > output_size)
    return -1;
  for (size_t k = digits; k-- > 0;)
    output[o++] = hex[(len >> (4 * k)) & 15];
  output[o++] = '\r';
  output[o++] = '\n';
  if (len > 0)
    memcpy (output + o, data, len);
  o += len;
  output[o++] = '\r';
  output[o++] = '\n';
  return (ssize_t)o;
}

ssize_t
SocketHTTP1_chunk_final (char *output, size_t output_size, SocketHTTP_Headers_T trailers)
{
  writer w = { output, output_size, 0, 0 };
  if (output == NULL || output_size < 5)
    return -1;
  put (&w, "0\r\n", 3);
  if (trailers != NULL)
    put_fields (&w, trailers);
  put (&w, "\r\n", 2);
  return finish_raw (&w);
}

const char *
SocketHTTP1_result_string (SocketHTTP1_Result result)
{
  static const char *const names[] = {
    "OK",
    "Incomplete - need more data",
    "Parse error",
    "Request/status line too long",
    "Invalid HTTP method",
    "Invalid request target",
    "Invalid HTTP version",
    "Invalid status code",
    "Invalid header name",
    "Invalid header value",
    "Header too large",
    "Too many headers",
    "Invalid Content-Length",
    "Invalid chunk size",
    "Chunk too large",
    "Invalid trailer",
    "Unexpected end of input",
    "Request smuggling attempt detected",
  };
  if ((unsigned)result >= sizeof (names) / sizeof (names[0]))
    return "Unknown error";
  return names[result];
}
