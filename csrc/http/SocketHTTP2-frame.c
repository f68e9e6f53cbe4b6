/*
 * SocketHTTP2-frame.c - the HTTP/2 frame codec (RFC 9113 §4, §6):
 * frame header parse/serialize, the checks a frame must pass before its
 * payload is looked at, padding and fixed-field splitting, SETTINGS
 * values, control frame serializers, configuration defaults and the
 * string tables.
 *
 * Nothing here keeps state, does I/O or raises: the connection engine
 * turns a failed check into RST_STREAM or GOAWAY, and the functions can
 * be fed arbitrary bytes (fuzz/fuzz_http2_*.c).
 */
#include <assert.h>
#include <string.h>

#include "http/SocketHTTP2-private.h"

const Except_T SocketHTTP2_ProtocolError = { &SocketHTTP2_ProtocolError, "HTTP/2 protocol error" };
const Except_T SocketHTTP2_StreamError = { &SocketHTTP2_StreamError, "HTTP/2 stream error" };
const Except_T SocketHTTP2_FlowControlError = { &SocketHTTP2_FlowControlError, "HTTP/2 flow control error" };

const unsigned char SocketHTTP2__preface[HTTP2_PREFACE_SIZE]
    = { 'P', 'R', 'I', ' ', '*', ' ', 'H', 'T', 'T', 'P', '/', '2',
        '.', '0', '\r', '\n', '\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n' };

void
SocketHTTP2_config_defaults (SocketHTTP2_Config *config, SocketHTTP2_Role role)
{
  assert (config != NULL);
  memset (config, 0, sizeof *config);
  config->role = role;
  config->header_table_size = SOCKETHTTP2_DEFAULT_HEADER_TABLE_SIZE;
  config->enable_push = role == HTTP2_ROLE_SERVER ? 1 : 0;
  config->max_concurrent_streams = SOCKETHTTP2_DEFAULT_MAX_CONCURRENT_STREAMS;
  config->initial_window_size = SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE;
  config->max_frame_size = SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE;
  config->max_header_list_size = SOCKETHTTP2_DEFAULT_MAX_HEADER_LIST_SIZE;
  config->connection_window_size = SOCKETHTTP2_CONNECTION_WINDOW_SIZE;
  config->settings_timeout_ms = 30000;
  config->ping_timeout_ms = 30000;
  config->idle_timeout_ms = 0;
}

/* ===================================================================== */
/* Strings                                                                */
/* ===================================================================== */

const char *
SocketHTTP2_error_string (SocketHTTP2_ErrorCode code)
{
  static const char *const names[] = {
    "NO_ERROR",         "PROTOCOL_ERROR",    "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",    "FRAME_SIZE_ERROR",  "REFUSED_STREAM", "CANCEL",             "COMPRESSION_ERROR",
    "CONNECT_ERROR",    "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
  };
  /* Compared as unsigned: an enum holding a wire value may be anything. */
  if ((unsigned)code < sizeof names / sizeof names[0])
    return names[code];
  return "UNKNOWN_ERROR";
}

const char *
SocketHTTP2_frame_type_string (SocketHTTP2_FrameType type)
{
  static const char *const names[] = {
    "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE",
    "CONTINUATION",
  };
  if ((unsigned)type < sizeof names / sizeof names[0])
    return names[type];
  return "UNKNOWN_FRAME";
}

const char *
SocketHTTP2_stream_state_string (SocketHTTP2_StreamState state)
{
  static const char *const names[] = {
    "idle", "reserved (local)", "reserved (remote)", "open", "half-closed (local)", "half-closed (remote)",
    "closed",
  };
  if ((unsigned)state < sizeof names / sizeof names[0])
    return names[state];
  return "UNKNOWN_STATE";
}

/* ===================================================================== */
/* Integers and the frame header                                          */
/* ===================================================================== */

uint32_t
SocketHTTP2__u32 (const unsigned char *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint32_t
SocketHTTP2__u31 (const unsigned char *p)
{
  return SocketHTTP2__u32 (p) & HTTP2_STREAM_ID_MAX;
}

void
SocketHTTP2__put_u32 (unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

int
SocketHTTP2_frame_header_parse (const unsigned char *data, SocketHTTP2_FrameHeader *header)
{
  assert (data != NULL && header != NULL);
  header->length = ((uint32_t)data[0] << 16) | ((uint32_t)data[1] << 8) | data[2];
  header->type = data[3];
  header->flags = data[4];
  header->stream_id = SocketHTTP2__u31 (data + 5);
  return 0;
}

void
SocketHTTP2_frame_header_serialize (const SocketHTTP2_FrameHeader *header, unsigned char *data)
{
  assert (data != NULL && header != NULL);
  data[0] = (unsigned char)(header->length >> 16);
  data[1] = (unsigned char)(header->length >> 8);
  data[2] = (unsigned char)header->length;
  data[3] = header->type;
  data[4] = header->flags;
  SocketHTTP2__put_u32 (data + 5, header->stream_id & HTTP2_STREAM_ID_MAX);
}

/* ===================================================================== */
/* Validation                                                             */
/* ===================================================================== */

static SocketHTTP2__Check
check_result (SocketHTTP2_ErrorCode code, int stream_error)
{
  SocketHTTP2__Check c;
  c.code = code;
  c.stream_error = stream_error;
  return c;
}

#define CHECK_OK check_result (HTTP2_NO_ERROR, 0)
#define CONN_ERROR(code) check_result ((code), 0)
#define STREAM_ERROR(code) check_result ((code), 1)

/* Frames that belong to a stream and are a PROTOCOL_ERROR on stream 0
 * (§6.1-6.4, §6.6, §6.10), and those that belong to the connection
 * (§6.5, §6.7, §6.8). WINDOW_UPDATE may be either. */
static int
needs_stream (uint8_t type)
{
  return type == HTTP2_FRAME_DATA || type == HTTP2_FRAME_HEADERS || type == HTTP2_FRAME_PRIORITY
         || type == HTTP2_FRAME_RST_STREAM || type == HTTP2_FRAME_PUSH_PROMISE
         || type == HTTP2_FRAME_CONTINUATION;
}

static int
needs_connection (uint8_t type)
{
  return type == HTTP2_FRAME_SETTINGS || type == HTTP2_FRAME_PING || type == HTTP2_FRAME_GOAWAY;
}

SocketHTTP2__Check
SocketHTTP2__frame_check (const SocketHTTP2_FrameHeader *h, uint32_t max_frame_size)
{
  /* §4.2: any frame may change connection state (HPACK, windows), so an
   * oversized frame is always treated as a connection error. */
  if (h->length > max_frame_size)
    return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
  if (h->type > HTTP2_FRAME_CONTINUATION)
    return CHECK_OK;
  if (needs_stream (h->type) && h->stream_id == 0)
    return CONN_ERROR (HTTP2_PROTOCOL_ERROR);
  if (needs_connection (h->type) && h->stream_id != 0)
    return CONN_ERROR (HTTP2_PROTOCOL_ERROR);

  switch (h->type)
    {
    case HTTP2_FRAME_PRIORITY: /* §6.3: a stream error */
      if (h->length != 5)
        return STREAM_ERROR (HTTP2_FRAME_SIZE_ERROR);
      break;
    case HTTP2_FRAME_RST_STREAM:
    case HTTP2_FRAME_WINDOW_UPDATE:
      if (h->length != 4)
        return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
      break;
    case HTTP2_FRAME_SETTINGS:
      if ((h->flags & HTTP2_FLAG_ACK) ? h->length != 0 : h->length % 6 != 0)
        return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
      break;
    case HTTP2_FRAME_PING:
      if (h->length != 8)
        return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
      break;
    case HTTP2_FRAME_GOAWAY:
      if (h->length < 8)
        return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
      break;
    default:
      break;
    }
  return CHECK_OK;
}

SocketHTTP2__Check
SocketHTTP2__payload_split (const SocketHTTP2_FrameHeader *h, const unsigned char *payload,
                            SocketHTTP2__Payload *out)
{
  uint32_t len = h->length;
  uint32_t pad = 0;
  uint32_t fixed = 0;

  memset (out, 0, sizeof *out);
  if ((h->flags & HTTP2_FLAG_PADDED) && h->type != HTTP2_FRAME_CONTINUATION)
    {
      if (len < 1)
        return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
      pad = payload[0];
      payload++;
      len--;
      out->pad_len = pad + 1;
    }
  if (h->type == HTTP2_FRAME_HEADERS && (h->flags & HTTP2_FLAG_PRIORITY))
    fixed = 5;
  else if (h->type == HTTP2_FRAME_PUSH_PROMISE)
    fixed = 4;
  if (len < fixed)
    return CONN_ERROR (HTTP2_FRAME_SIZE_ERROR);
  /* §6.1/§6.2: padding that reaches into (or past) the fixed fields. */
  if (pad > len - fixed)
    return CONN_ERROR (HTTP2_PROTOCOL_ERROR);

  if (fixed == 5)
    {
      out->has_priority = 1;
      SocketHTTP2__priority_parse (payload, &out->dependency, &out->exclusive, &out->weight);
    }
  else if (fixed == 4)
    out->promised_id = SocketHTTP2__u31 (payload);
  out->data = payload + fixed;
  out->len = len - fixed - pad;
  return CHECK_OK;
}

void
SocketHTTP2__priority_parse (const unsigned char *payload, uint32_t *dependency, int *exclusive, uint8_t *weight)
{
  *exclusive = (payload[0] & 0x80) != 0;
  *dependency = SocketHTTP2__u31 (payload);
  *weight = payload[4];
}

SocketHTTP2__Check
SocketHTTP2__setting_check (uint16_t id, uint32_t value)
{
  switch (id)
    {
    case HTTP2_SETTINGS_ENABLE_PUSH:
      if (value > 1)
        return CONN_ERROR (HTTP2_PROTOCOL_ERROR);
      break;
    case HTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
      if (value > HTTP2_MAX_WINDOW)
        return CONN_ERROR (HTTP2_FLOW_CONTROL_ERROR);
      break;
    case HTTP2_SETTINGS_MAX_FRAME_SIZE:
      if (value < SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE || value > SOCKETHTTP2_MAX_MAX_FRAME_SIZE)
        return CONN_ERROR (HTTP2_PROTOCOL_ERROR);
      break;
    default:
      break;
    }
  return CHECK_OK;
}

void
SocketHTTP2__setting_get (const unsigned char *payload, size_t index, SocketHTTP2_Setting *s)
{
  const unsigned char *p = payload + index * 6;
  s->id = (uint16_t)((p[0] << 8) | p[1]);
  s->value = SocketHTTP2__u32 (p + 2);
}

/* ===================================================================== */
/* Serializers                                                            */
/* ===================================================================== */

static void
write_header (unsigned char *out, size_t len, uint8_t type, uint8_t flags, uint32_t stream_id)
{
  SocketHTTP2_FrameHeader h;
  h.length = (uint32_t)len;
  h.type = type;
  h.flags = flags;
  h.stream_id = stream_id;
  SocketHTTP2_frame_header_serialize (&h, out);
}

size_t
SocketHTTP2__write_frame (unsigned char *out, uint8_t type, uint8_t flags, uint32_t stream_id, const void *payload,
                          size_t len)
{
  write_header (out, len, type, flags, stream_id);
  if (len > 0)
    memcpy (out + HTTP2_FRAME_HEADER_SIZE, payload, len);
  return HTTP2_FRAME_HEADER_SIZE + len;
}

size_t
SocketHTTP2__write_settings (unsigned char *out, const SocketHTTP2_Setting *settings, size_t count)
{
  unsigned char *p = out + HTTP2_FRAME_HEADER_SIZE;
  size_t i;

  write_header (out, count * 6, HTTP2_FRAME_SETTINGS, 0, 0);
  for (i = 0; i < count; i++, p += 6)
    {
      p[0] = (unsigned char)(settings[i].id >> 8);
      p[1] = (unsigned char)settings[i].id;
      SocketHTTP2__put_u32 (p + 2, settings[i].value);
    }
  return HTTP2_FRAME_HEADER_SIZE + count * 6;
}

size_t
SocketHTTP2__write_ping (unsigned char *out, const unsigned char opaque[8], int ack)
{
  return SocketHTTP2__write_frame (out, HTTP2_FRAME_PING, ack ? HTTP2_FLAG_ACK : 0, 0, opaque, 8);
}

size_t
SocketHTTP2__write_goaway (unsigned char *out, uint32_t last_stream_id, uint32_t code, const void *debug,
                           size_t debug_len)
{
  unsigned char *p = out + HTTP2_FRAME_HEADER_SIZE;

  write_header (out, 8 + debug_len, HTTP2_FRAME_GOAWAY, 0, 0);
  SocketHTTP2__put_u32 (p, last_stream_id & HTTP2_STREAM_ID_MAX);
  SocketHTTP2__put_u32 (p + 4, code);
  if (debug_len > 0)
    memcpy (p + 8, debug, debug_len);
  return HTTP2_FRAME_HEADER_SIZE + 8 + debug_len;
}

size_t
SocketHTTP2__write_rst_stream (unsigned char *out, uint32_t stream_id, uint32_t code)
{
  write_header (out, 4, HTTP2_FRAME_RST_STREAM, 0, stream_id);
  SocketHTTP2__put_u32 (out + HTTP2_FRAME_HEADER_SIZE, code);
  return HTTP2_FRAME_HEADER_SIZE + 4;
}

size_t
SocketHTTP2__write_window_update (unsigned char *out, uint32_t stream_id, uint32_t increment)
{
  write_header (out, 4, HTTP2_FRAME_WINDOW_UPDATE, 0, stream_id);
  SocketHTTP2__put_u32 (out + HTTP2_FRAME_HEADER_SIZE, increment & HTTP2_MAX_WINDOW);
  return HTTP2_FRAME_HEADER_SIZE + 4;
}

size_t
SocketHTTP2__write_priority (unsigned char *out, uint32_t stream_id, uint32_t dependency, int exclusive,
                             uint8_t weight)
{
  unsigned char *p = out + HTTP2_FRAME_HEADER_SIZE;

  write_header (out, 5, HTTP2_FRAME_PRIORITY, 0, stream_id);
  SocketHTTP2__put_u32 (p, (dependency & HTTP2_STREAM_ID_MAX) | (exclusive ? 0x80000000u : 0));
  p[4] = weight;
  return HTTP2_FRAME_HEADER_SIZE + 5;
}
