/*
 * SocketHTTP1-body.c - message content: Content-Length and until-close
 * copying, and the chunked decoder (RFC 9112 section 7.1) with chunk
 * extension validation and trailer collection.
 *
 * The chunk-size line is parsed one byte at a time by a small state
 * machine (CS_*), so it can be split anywhere; chunk data is copied in
 * bulk. Trailers reuse the header field-line parser on their own section.
 */
#include <string.h>

#include "http/SocketHTTP1.h"
#include "http/SocketHTTP1-private.h"

/* Chunk-line sub-states. */
enum
{
  CS_SIZE_START = 0, /* first hex digit */
  CS_SIZE,           /* more hex digits */
  CS_SIZE_BWS,       /* whitespace after the size: only ';' may follow */
  CS_EXT_NAME_START, /* after ';' */
  CS_EXT_NAME,
  CS_EXT_AFTER_NAME, /* BWS before '=' / ';' / CR */
  CS_EXT_VAL_START,  /* after '=' */
  CS_EXT_VAL,        /* token value */
  CS_EXT_QUOTED,     /* quoted-string value */
  CS_EXT_QUOTED_ESC, /* after a backslash */
  CS_EXT_AFTER_VAL,
  CS_LF,             /* after CR */
  CS_DATA_CR,        /* after chunk data: CR */
  CS_DATA_LF         /* after chunk data: LF */
};

static int
is_ws (unsigned char c)
{
  return c == ' ' || c == '\t';
}

/* End of the chunk-size line at a CR (or a lenient bare LF). */
static int
line_end (SocketHTTP1_Parser_T p, unsigned char c)
{
  if (c == '\r')
    {
      p->cs = CS_LF;
      return 1;
    }
  return 0;
}

/* One byte of the chunk extensions (RFC 9112 7.1.1):
 * *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] ). */
static SocketHTTP1_Result
chunk_ext_byte (SocketHTTP1_Parser_T p, unsigned char c)
{
  switch (p->cs)
    {
    case CS_EXT_NAME_START:
      if (HTTP_IS (c, HTTP_C_TCHAR))
        p->cs = CS_EXT_NAME;
      else if (!is_ws (c))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE; /* ";" without a name */
      return HTTP1_INCOMPLETE;
    case CS_EXT_NAME:
    case CS_EXT_AFTER_NAME:
      if (HTTP_IS (c, HTTP_C_TCHAR) && p->cs == CS_EXT_NAME)
        return HTTP1_INCOMPLETE;
      if (c == '=')
        p->cs = CS_EXT_VAL_START;
      else if (c == ';')
        p->cs = CS_EXT_NAME_START;
      else if (is_ws (c))
        p->cs = CS_EXT_AFTER_NAME;
      else if (!line_end (p, c))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      return HTTP1_INCOMPLETE;
    case CS_EXT_VAL_START:
      if (c == '"')
        p->cs = CS_EXT_QUOTED;
      else if (HTTP_IS (c, HTTP_C_TCHAR))
        p->cs = CS_EXT_VAL;
      else if (!is_ws (c))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      return HTTP1_INCOMPLETE;
    case CS_EXT_VAL:
    case CS_EXT_AFTER_VAL:
      if (HTTP_IS (c, HTTP_C_TCHAR) && p->cs == CS_EXT_VAL)
        return HTTP1_INCOMPLETE;
      if (c == ';')
        p->cs = CS_EXT_NAME_START;
      else if (is_ws (c))
        p->cs = CS_EXT_AFTER_VAL;
      else if (!line_end (p, c))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      return HTTP1_INCOMPLETE;
    case CS_EXT_QUOTED:
      /* qdtext = HTAB / SP / 0x21 / 0x23-0x5B / 0x5D-0x7E / obs-text */
      if (c == '"')
        p->cs = CS_EXT_AFTER_VAL;
      else if (c == '\\')
        p->cs = CS_EXT_QUOTED_ESC;
      else if (!HTTP_IS (c, HTTP_C_FIELD))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      return HTTP1_INCOMPLETE;
    case CS_EXT_QUOTED_ESC:
      if (!HTTP_IS (c, HTTP_C_FIELD))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      p->cs = CS_EXT_QUOTED;
      return HTTP1_INCOMPLETE;
    default:
      return HTTP1_ERROR;
    }
}

/* One byte of a chunk-size line. Returns HTTP1_INCOMPLETE to go on,
 * HTTP1_OK when the line is complete (byte consumed), or an error. */
static SocketHTTP1_Result
chunk_line_byte (SocketHTTP1_Parser_T p, unsigned char c)
{
  int hex = http_hexval (c);
  int lenient = !p->cfg.strict_mode;
  if (c != '\r' && c != '\n' && ++p->chunk_line > SOCKETHTTP1_MAX_CHUNK_EXT)
    return HTTP1_ERROR_LINE_TOO_LONG; /* the line without its CRLF */
  if (c == '\n' && p->cs != CS_LF && p->cs != CS_SIZE_START && p->cs != CS_EXT_NAME_START
      && p->cs != CS_EXT_VAL_START && p->cs != CS_EXT_QUOTED && p->cs != CS_EXT_QUOTED_ESC)
    return lenient ? HTTP1_OK : HTTP1_ERROR_INVALID_CHUNK_SIZE; /* bare LF */
  switch (p->cs)
    {
    case CS_SIZE_START:
    case CS_SIZE:
      if (hex >= 0)
        {
          if (p->chunk_size > (UINT64_MAX >> 4))
            return HTTP1_ERROR_INVALID_CHUNK_SIZE; /* overflow */
          p->chunk_size = (p->chunk_size << 4) | (uint64_t)hex;
          p->cs = CS_SIZE;
          return HTTP1_INCOMPLETE;
        }
      if (p->cs == CS_SIZE_START)
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      if (c == ';')
        p->cs = CS_EXT_NAME_START;
      else if (is_ws (c))
        p->cs = CS_SIZE_BWS;
      else if (!line_end (p, c))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE;
      return HTTP1_INCOMPLETE;
    case CS_SIZE_BWS:
      if (c == ';')
        p->cs = CS_EXT_NAME_START;
      else if (!is_ws (c) && !(lenient && line_end (p, c)))
        return HTTP1_ERROR_INVALID_CHUNK_SIZE; /* "5 junk", strict "5 \r\n" */
      return HTTP1_INCOMPLETE;
    case CS_LF:
      return c == '\n' ? HTTP1_OK : HTTP1_ERROR_INVALID_CHUNK_SIZE;
    default:
      return chunk_ext_byte (p, c);
    }
}

/* A complete chunk-size line: start the data, or the trailers. */
static SocketHTTP1_Result
chunk_line_done (SocketHTTP1_Parser_T p)
{
  p->chunk_line = 0;
  if (p->chunk_size == 0)
    {
      p->state = HTTP1_STATE_TRAILERS;
      p->trl.hs = HS_LINE;
      return HTTP1_OK;
    }
  if (p->chunk_size > p->cfg.max_chunk_size)
    return HTTP1_ERROR_CHUNK_TOO_LARGE;
  p->remaining = p->chunk_size;
  p->state = HTTP1_STATE_CHUNK_DATA;
  return HTTP1_OK;
}

/* CRLF after chunk data (a lenient bare LF too). */
static SocketHTTP1_Result
chunk_end_byte (SocketHTTP1_Parser_T p, unsigned char c)
{
  if (p->cs == CS_DATA_CR && c == '\r')
    {
      p->cs = CS_DATA_LF;
      return HTTP1_INCOMPLETE;
    }
  if (c != '\n' || (p->cs == CS_DATA_CR && p->cfg.strict_mode))
    return HTTP1_ERROR_INVALID_CHUNK_SIZE;
  p->state = HTTP1_STATE_CHUNK_SIZE;
  p->cs = CS_SIZE_START;
  p->chunk_size = 0;
  return HTTP1_OK;
}

/* Trailer section: framing fields are refused in strict mode, since a
 * recipient that merged them into the head would re-frame the message. */
static SocketHTTP1_Result
trailers_done (SocketHTTP1_Parser_T p)
{
  size_t first = SocketHTTP_Headers_count (p->trailers);
  SocketHTTP1__section_publish (&p->trl, p->trailers);
  if (p->cfg.strict_mode)
    for (size_t i = first; i < SocketHTTP_Headers_count (p->trailers); i++)
      {
        const SocketHTTP_Header *h = SocketHTTP_Headers_at (p->trailers, i);
        if (http_token_is (h->name, h->name_len, "content-length", 14)
            || http_token_is (h->name, h->name_len, "transfer-encoding", 17)
            || http_token_is (h->name, h->name_len, "host", 4))
          return HTTP1_ERROR_INVALID_TRAILER;
      }
  p->state = HTTP1_STATE_COMPLETE;
  return HTTP1_OK;
}

static SocketHTTP1_Result
trailer_bytes (SocketHTTP1_Parser_T p, const char *in, size_t len, size_t *ip)
{
  size_t j = 0; /* offsets inside the section start at this call's first trailer byte */
  SocketHTTP1_Result r = SocketHTTP1__parse_fields (p, &p->trl, in + *ip, len - *ip, &j);
  if (r < HTTP1_ERROR)
    SocketHTTP1__section_append (p, &p->trl, in + *ip, j);
  *ip += j;
  if (r == HTTP1_ERROR_INVALID_HEADER_NAME || r == HTTP1_ERROR_INVALID_HEADER_VALUE)
    return HTTP1_ERROR_INVALID_TRAILER;
  return r == HTTP1_OK ? trailers_done (p) : r;
}

/* Copies (or skips) up to @p n content bytes. */
static size_t
take (SocketHTTP1_Parser_T p, const char *in, size_t n, char *out, size_t out_len, size_t *w,
      int until_close)
{
  if (!until_close && n > p->remaining)
    n = (size_t)p->remaining;
  if (out != NULL)
    {
      if (n > out_len - *w)
        n = out_len - *w;
      memcpy (out + *w, in, n);
    }
  *w += n;
  if (!until_close)
    p->remaining -= n;
  return n;
}

static SocketHTTP1_Result
body_eof (SocketHTTP1_Parser_T p)
{
  if (p->state == HTTP1_STATE_BODY && p->body_mode == HTTP1_BODY_UNTIL_CLOSE)
    {
      p->state = HTTP1_STATE_COMPLETE;
      return HTTP1_OK;
    }
  return HTTP1_ERROR_UNEXPECTED_EOF;
}

/* One step in the current body state; advances *ip. */
static SocketHTTP1_Result
body_step (SocketHTTP1_Parser_T p, const char *in, size_t len, size_t *ip, char *out,
           size_t out_len, size_t *w)
{
  size_t i = *ip;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  switch (p->state)
    {
    case HTTP1_STATE_BODY:
      i += take (p, in + i, len - i, out, out_len, w, p->body_mode == HTTP1_BODY_UNTIL_CLOSE);
      if (p->body_mode == HTTP1_BODY_CONTENT_LENGTH && p->remaining == 0)
        p->state = HTTP1_STATE_COMPLETE, r = HTTP1_OK;
      break;
    case HTTP1_STATE_CHUNK_SIZE:
      r = chunk_line_byte (p, (unsigned char)in[i]);
      if (r < HTTP1_ERROR)
        i++;
      if (r == HTTP1_OK)
        r = chunk_line_done (p);
      break;
    case HTTP1_STATE_CHUNK_DATA:
      i += take (p, in + i, len - i, out, out_len, w, 0);
      if (p->remaining == 0)
        p->state = HTTP1_STATE_CHUNK_END, p->cs = CS_DATA_CR;
      break;
    case HTTP1_STATE_CHUNK_END:
      r = chunk_end_byte (p, (unsigned char)in[i]);
      if (r < HTTP1_ERROR)
        i++;
      break;
    case HTTP1_STATE_TRAILERS:
      r = trailer_bytes (p, in, len, &i);
      break;
    default:
      r = HTTP1_ERROR;
    }
  *ip = i;
  return r;
}

SocketHTTP1_Result
SocketHTTP1__body (SocketHTTP1_Parser_T p, const char *in, size_t len, size_t *consumed,
                   char *out, size_t out_len, size_t *written)
{
  size_t i = 0, w = 0;
  SocketHTTP1_Result r = HTTP1_INCOMPLETE;
  *consumed = 0;
  *written = 0;
  if (p->state == HTTP1_STATE_COMPLETE)
    return HTTP1_OK;
  if (len == 0)
    r = body_eof (p);
  while (i < len && p->state != HTTP1_STATE_COMPLETE)
    {
      r = body_step (p, in, len, &i, out, out_len, &w);
      if (r >= HTTP1_ERROR)
        break;
      if (out != NULL && w == out_len
          && (p->state == HTTP1_STATE_BODY || p->state == HTTP1_STATE_CHUNK_DATA))
        break; /* output full */
    }
  *consumed = i;
  *written = w;
  if (r >= HTTP1_ERROR)
    {
      p->state = HTTP1_STATE_ERROR;
      p->error = r;
      p->keepalive = 0;
      return r;
    }
  return p->state == HTTP1_STATE_COMPLETE ? HTTP1_OK : HTTP1_INCOMPLETE;
}

SocketHTTP1_Result
SocketHTTP1_Parser_read_body (SocketHTTP1_Parser_T parser, const char *input, size_t input_len,
                              size_t *consumed, char *output, size_t output_len,
                              size_t *written)
{
  size_t c_dummy, w_dummy;
  if (consumed == NULL)
    consumed = &c_dummy;
  if (written == NULL)
    written = &w_dummy;
  *consumed = *written = 0;
  if (parser == NULL || (input == NULL && input_len > 0))
    return HTTP1_ERROR;
  if (parser->state == HTTP1_STATE_ERROR)
    return parser->error;
  if (!parser->head_done)
    return HTTP1_ERROR;
  return SocketHTTP1__body (parser, input, input_len, consumed, output, output_len, written);
}
