/*
 * test_http2_frame.c - the HTTP/2 frame codec: byte-exact frame header
 * and control frame vectors (RFC 9113 §4.1, §6), every validation the
 * codec makes, configuration defaults, and the string tables.
 */
#include <stddef.h>
#include <string.h>

#include "Test.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2.h"

static SocketHTTP2_FrameHeader
hdr (uint32_t length, uint8_t type, uint8_t flags, uint32_t stream_id)
{
  SocketHTTP2_FrameHeader h;
  h.length = length;
  h.type = type;
  h.flags = flags;
  h.stream_id = stream_id;
  return h;
}

/* --- Frame header -------------------------------------------------------- */

TEST (header_parse_vector)
{
  const unsigned char wire[9] = { 0x01, 0x02, 0x03, 0x01, 0x25, 0x80, 0x00, 0x00, 0x05 };
  SocketHTTP2_FrameHeader h;

  ASSERT_EQ (SocketHTTP2_frame_header_parse (wire, &h), 0);
  ASSERT_EQ (h.length, 0x010203);
  ASSERT_EQ (h.type, HTTP2_FRAME_HEADERS);
  ASSERT_EQ (h.flags, 0x25);
  ASSERT_EQ (h.stream_id, 5); /* the reserved bit is dropped */
}

TEST (header_serialize_vector)
{
  SocketHTTP2_FrameHeader h = hdr (0xabcdef12u, HTTP2_FRAME_DATA, HTTP2_FLAG_END_STREAM, 0xffffffffu);
  const unsigned char want[9] = { 0xcd, 0xef, 0x12, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff };
  unsigned char out[9];

  SocketHTTP2_frame_header_serialize (&h, out);
  ASSERT_MEMEQ (out, want, 9);
}

TEST (header_round_trip)
{
  uint32_t lens[] = { 0, 1, 16384, 16777215 };
  size_t i;

  for (i = 0; i < sizeof lens / sizeof lens[0]; i++)
    {
      SocketHTTP2_FrameHeader h = hdr (lens[i], (uint8_t)i, (uint8_t)(0x11 * i), 0x7ffffff0u + (uint32_t)i), back;
      unsigned char out[9];
      SocketHTTP2_frame_header_serialize (&h, out);
      SocketHTTP2_frame_header_parse (out, &back);
      ASSERT_EQ (back.length, h.length);
      ASSERT_EQ (back.type, h.type);
      ASSERT_EQ (back.flags, h.flags);
      ASSERT_EQ (back.stream_id, h.stream_id);
    }
}

/* --- Control frame serializers ------------------------------------------- */

TEST (write_settings_vector)
{
  SocketHTTP2_Setting s[2] = { { HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
                               { HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff } };
  const unsigned char want[] = { 0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 4, 0x7f, 0xff, 0xff, 0xff };
  unsigned char out[64];

  ASSERT_EQ (SocketHTTP2__write_settings (out, s, 2), sizeof want);
  ASSERT_MEMEQ (out, want, sizeof want);
  ASSERT_EQ (SocketHTTP2__write_settings (out, NULL, 0), 9);
  ASSERT_MEMEQ (out, "\0\0\0\4\0\0\0\0\0", 9);
}

TEST (write_ping_vector)
{
  const unsigned char opaque[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  const unsigned char want[] = { 0, 0, 8, 6, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
  unsigned char out[32];

  ASSERT_EQ (SocketHTTP2__write_ping (out, opaque, 1), sizeof want);
  ASSERT_MEMEQ (out, want, sizeof want);
  SocketHTTP2__write_ping (out, opaque, 0);
  ASSERT_EQ (out[4], 0);
}

TEST (write_goaway_vector)
{
  const unsigned char want[] = { 0, 0, 11, 7, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 11, 'a', 'b', 'c' };
  unsigned char out[32];

  ASSERT_EQ (SocketHTTP2__write_goaway (out, 7, HTTP2_ENHANCE_YOUR_CALM, "abc", 3), sizeof want);
  ASSERT_MEMEQ (out, want, sizeof want);
  ASSERT_EQ (SocketHTTP2__write_goaway (out, 0x80000001u, 0, NULL, 0), 17);
  ASSERT_EQ (out[9], 0); /* reserved bit cleared */
  ASSERT_EQ (out[12], 1);
}

TEST (write_rst_window_priority_vectors)
{
  const unsigned char rst[] = { 0, 0, 4, 3, 0, 0, 0, 0, 3, 0, 0, 0, 8 };
  const unsigned char wu[] = { 0, 0, 4, 8, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff };
  const unsigned char pri[] = { 0, 0, 5, 2, 0, 0, 0, 0, 5, 0x80, 0, 0, 3, 15 };
  unsigned char out[32];

  ASSERT_EQ (SocketHTTP2__write_rst_stream (out, 3, HTTP2_CANCEL), sizeof rst);
  ASSERT_MEMEQ (out, rst, sizeof rst);
  ASSERT_EQ (SocketHTTP2__write_window_update (out, 0, 0xffffffffu), sizeof wu);
  ASSERT_MEMEQ (out, wu, sizeof wu);
  ASSERT_EQ (SocketHTTP2__write_priority (out, 5, 3, 1, 15), sizeof pri);
  ASSERT_MEMEQ (out, pri, sizeof pri);
}

TEST (write_frame_vector)
{
  const unsigned char want[] = { 0, 0, 5, 0, 1, 0, 0, 0, 1, 'h', 'e', 'l', 'l', 'o' };
  unsigned char out[32];

  ASSERT_EQ (SocketHTTP2__write_frame (out, HTTP2_FRAME_DATA, HTTP2_FLAG_END_STREAM, 1, "hello", 5),
             sizeof want);
  ASSERT_MEMEQ (out, want, sizeof want);
  ASSERT_EQ (SocketHTTP2__write_frame (out, HTTP2_FRAME_DATA, 0, 1, NULL, 0), 9);
}

TEST (preface_bytes)
{
  ASSERT_MEMEQ (SocketHTTP2__preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP2_PREFACE_SIZE);
}

/* --- frame_check --------------------------------------------------------- */

#define EXPECT_CHECK(h, max, want_code, want_stream)                          \
  do                                                                          \
    {                                                                         \
      SocketHTTP2_FrameHeader h_ = (h);                                       \
      SocketHTTP2__Check c_ = SocketHTTP2__frame_check (&h_, (max));          \
      ASSERT_EQ (c_.code, (want_code));                                       \
      if (c_.code != HTTP2_NO_ERROR)                                          \
        ASSERT_EQ (c_.stream_error, (want_stream));                           \
    }                                                                         \
  while (0)

TEST (check_valid_frames)
{
  EXPECT_CHECK (hdr (16384, HTTP2_FRAME_DATA, 0, 1), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (0, HTTP2_FRAME_HEADERS, 0, 1), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (5, HTTP2_FRAME_PRIORITY, 0, 1), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (4, HTTP2_FRAME_RST_STREAM, 0, 1), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (12, HTTP2_FRAME_SETTINGS, 0, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (0, HTTP2_FRAME_SETTINGS, HTTP2_FLAG_ACK, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (8, HTTP2_FRAME_PING, 0, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (8, HTTP2_FRAME_GOAWAY, 0, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (4, HTTP2_FRAME_WINDOW_UPDATE, 0, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (4, HTTP2_FRAME_WINDOW_UPDATE, 0, 9), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (4, HTTP2_FRAME_PUSH_PROMISE, 0, 2), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (1, HTTP2_FRAME_CONTINUATION, 0, 1), 16384, HTTP2_NO_ERROR, 0);
  /* Unknown types are ignored, whatever their stream and flags. */
  EXPECT_CHECK (hdr (3, 0x0a, 0xff, 0), 16384, HTTP2_NO_ERROR, 0);
  EXPECT_CHECK (hdr (3, 0xff, 0, 7), 16384, HTTP2_NO_ERROR, 0);
}

TEST (check_frame_too_large)
{
  EXPECT_CHECK (hdr (16385, HTTP2_FRAME_DATA, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (16385, 0x0b, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (16385, HTTP2_FRAME_DATA, 0, 1), 65536, HTTP2_NO_ERROR, 0);
}

TEST (check_stream_zero_rules)
{
  uint8_t stream_types[]
      = { HTTP2_FRAME_DATA,       HTTP2_FRAME_HEADERS,      HTTP2_FRAME_PRIORITY,
          HTTP2_FRAME_RST_STREAM, HTTP2_FRAME_PUSH_PROMISE, HTTP2_FRAME_CONTINUATION };
  uint8_t conn_types[] = { HTTP2_FRAME_SETTINGS, HTTP2_FRAME_PING, HTTP2_FRAME_GOAWAY };
  size_t i;

  for (i = 0; i < sizeof stream_types; i++)
    EXPECT_CHECK (hdr (stream_types[i] == HTTP2_FRAME_PRIORITY ? 5 : 4, stream_types[i], 0, 0), 16384,
                  HTTP2_PROTOCOL_ERROR, 0);
  for (i = 0; i < sizeof conn_types; i++)
    EXPECT_CHECK (hdr (8, conn_types[i], 0, 1), 16384, HTTP2_PROTOCOL_ERROR, 0);
}

TEST (check_fixed_lengths)
{
  EXPECT_CHECK (hdr (4, HTTP2_FRAME_PRIORITY, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 1);
  EXPECT_CHECK (hdr (6, HTTP2_FRAME_PRIORITY, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 1);
  EXPECT_CHECK (hdr (3, HTTP2_FRAME_RST_STREAM, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (5, HTTP2_FRAME_RST_STREAM, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (7, HTTP2_FRAME_SETTINGS, 0, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (6, HTTP2_FRAME_SETTINGS, HTTP2_FLAG_ACK, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (7, HTTP2_FRAME_PING, 0, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (9, HTTP2_FRAME_PING, HTTP2_FLAG_ACK, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (7, HTTP2_FRAME_GOAWAY, 0, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (3, HTTP2_FRAME_WINDOW_UPDATE, 0, 0), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
  EXPECT_CHECK (hdr (5, HTTP2_FRAME_WINDOW_UPDATE, 0, 1), 16384, HTTP2_FRAME_SIZE_ERROR, 0);
}

/* --- payload_split ------------------------------------------------------- */

TEST (split_plain_and_padded_data)
{
  const unsigned char padded[] = { 3, 'a', 'b', 0, 0, 0 };
  SocketHTTP2_FrameHeader h = hdr (2, HTTP2_FRAME_DATA, 0, 1);
  SocketHTTP2__Payload p;

  ASSERT_EQ (SocketHTTP2__payload_split (&h, (const unsigned char *)"hi", &p).code, HTTP2_NO_ERROR);
  ASSERT_EQ (p.len, 2);
  ASSERT_EQ (p.pad_len, 0);
  ASSERT_MEMEQ (p.data, "hi", 2);

  h = hdr (sizeof padded, HTTP2_FRAME_DATA, HTTP2_FLAG_PADDED, 1);
  ASSERT_EQ (SocketHTTP2__payload_split (&h, padded, &p).code, HTTP2_NO_ERROR);
  ASSERT_EQ (p.len, 2);
  ASSERT_EQ (p.pad_len, 4);
  ASSERT_MEMEQ (p.data, "ab", 2);
}

TEST (split_padding_errors)
{
  const unsigned char all_pad[] = { 2, 0, 0 };  /* pad = rest: valid, empty */
  const unsigned char too_much[] = { 3, 0, 0 }; /* pad > rest */
  SocketHTTP2_FrameHeader h = hdr (3, HTTP2_FRAME_DATA, HTTP2_FLAG_PADDED, 1);
  SocketHTTP2__Payload p;
  SocketHTTP2__Check c;

  ASSERT_EQ (SocketHTTP2__payload_split (&h, all_pad, &p).code, HTTP2_NO_ERROR);
  ASSERT_EQ (p.len, 0);
  c = SocketHTTP2__payload_split (&h, too_much, &p);
  ASSERT_EQ (c.code, HTTP2_PROTOCOL_ERROR);
  ASSERT_EQ (c.stream_error, 0);

  h = hdr (0, HTTP2_FRAME_HEADERS, HTTP2_FLAG_PADDED, 1); /* no pad length byte */
  ASSERT_EQ (SocketHTTP2__payload_split (&h, all_pad, &p).code, HTTP2_FRAME_SIZE_ERROR);
}

TEST (split_headers_priority)
{
  const unsigned char pl[] = { 1, 0x80, 0, 0, 3, 200, 0x82, 0 };
  SocketHTTP2_FrameHeader h = hdr (sizeof pl, HTTP2_FRAME_HEADERS,
                                   HTTP2_FLAG_PADDED | HTTP2_FLAG_PRIORITY | HTTP2_FLAG_END_HEADERS, 5);
  SocketHTTP2__Payload p;

  ASSERT_EQ (SocketHTTP2__payload_split (&h, pl, &p).code, HTTP2_NO_ERROR);
  ASSERT (p.has_priority);
  ASSERT_EQ (p.exclusive, 1);
  ASSERT_EQ (p.dependency, 3);
  ASSERT_EQ (p.weight, 200);
  ASSERT_EQ (p.len, 1);
  ASSERT_EQ (p.data[0], 0x82);

  h.length = 4; /* too short for the priority block */
  h.flags = HTTP2_FLAG_PRIORITY;
  ASSERT_EQ (SocketHTTP2__payload_split (&h, pl + 1, &p).code, HTTP2_FRAME_SIZE_ERROR);

  /* Padding that would eat into the priority block. */
  {
    const unsigned char bad[] = { 2, 0, 0, 0, 3, 16 };
    h = hdr (sizeof bad, HTTP2_FRAME_HEADERS, HTTP2_FLAG_PADDED | HTTP2_FLAG_PRIORITY, 5);
    ASSERT_EQ (SocketHTTP2__payload_split (&h, bad, &p).code, HTTP2_PROTOCOL_ERROR);
  }
}

TEST (split_push_promise)
{
  const unsigned char pl[] = { 0x80, 0, 0, 4, 0x82 };
  SocketHTTP2_FrameHeader h = hdr (sizeof pl, HTTP2_FRAME_PUSH_PROMISE, HTTP2_FLAG_END_HEADERS, 1);
  SocketHTTP2__Payload p;

  ASSERT_EQ (SocketHTTP2__payload_split (&h, pl, &p).code, HTTP2_NO_ERROR);
  ASSERT_EQ (p.promised_id, 4);
  ASSERT_EQ (p.len, 1);
  h.length = 3;
  ASSERT_EQ (SocketHTTP2__payload_split (&h, pl, &p).code, HTTP2_FRAME_SIZE_ERROR);
}

TEST (split_continuation_ignores_padded_flag)
{
  const unsigned char pl[] = { 5, 0x82 };
  SocketHTTP2_FrameHeader h = hdr (2, HTTP2_FRAME_CONTINUATION, HTTP2_FLAG_PADDED, 1);
  SocketHTTP2__Payload p;

  ASSERT_EQ (SocketHTTP2__payload_split (&h, pl, &p).code, HTTP2_NO_ERROR);
  ASSERT_EQ (p.len, 2);
}

TEST (priority_parse)
{
  const unsigned char pl[] = { 0x7f, 0xff, 0xff, 0xff, 0 };
  uint32_t dep;
  int excl;
  uint8_t w;

  SocketHTTP2__priority_parse (pl, &dep, &excl, &w);
  ASSERT_EQ (dep, 0x7fffffff);
  ASSERT_EQ (excl, 0);
  ASSERT_EQ (w, 0);
}

/* --- SETTINGS ------------------------------------------------------------ */

TEST (settings_value_checks)
{
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_ENABLE_PUSH, 1).code, HTTP2_NO_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_ENABLE_PUSH, 2).code, HTTP2_PROTOCOL_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff).code, HTTP2_NO_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u).code,
             HTTP2_FLOW_CONTROL_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_MAX_FRAME_SIZE, 16383).code, HTTP2_PROTOCOL_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_MAX_FRAME_SIZE, 16384).code, HTTP2_NO_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_MAX_FRAME_SIZE, 16777215).code, HTTP2_NO_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_MAX_FRAME_SIZE, 16777216).code, HTTP2_PROTOCOL_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (HTTP2_SETTINGS_HEADER_TABLE_SIZE, 0xffffffffu).code, HTTP2_NO_ERROR);
  ASSERT_EQ (SocketHTTP2__setting_check (0x99, 0xffffffffu).code, HTTP2_NO_ERROR); /* unknown: ignored */
}

TEST (settings_get_entries)
{
  const unsigned char pl[] = { 0, 1, 0, 0, 0x10, 0, 0xff, 0xff, 1, 2, 3, 4 };
  SocketHTTP2_Setting s;

  SocketHTTP2__setting_get (pl, 0, &s);
  ASSERT_EQ (s.id, 1);
  ASSERT_EQ (s.value, 4096);
  SocketHTTP2__setting_get (pl, 1, &s);
  ASSERT_EQ (s.id, 0xffff);
  ASSERT_EQ (s.value, 0x01020304);
}

/* --- Defaults and strings ------------------------------------------------ */

TEST (config_defaults)
{
  SocketHTTP2_Config c;

  memset (&c, 0xaa, sizeof c);
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_SERVER);
  ASSERT_EQ (c.role, HTTP2_ROLE_SERVER);
  ASSERT_EQ (c.header_table_size, 4096);
  ASSERT_EQ (c.enable_push, 1);
  ASSERT_EQ (c.max_concurrent_streams, 100);
  ASSERT_EQ (c.initial_window_size, 65535);
  ASSERT_EQ (c.max_frame_size, 16384);
  ASSERT_EQ (c.max_header_list_size, 16384);
  ASSERT_EQ (c.connection_window_size, 1048576);
  ASSERT_EQ (c.settings_timeout_ms, 30000);
  ASSERT_EQ (c.ping_timeout_ms, 30000);
  ASSERT_EQ (c.idle_timeout_ms, 0);
  SocketHTTP2_config_defaults (&c, HTTP2_ROLE_CLIENT);
  ASSERT_EQ (c.role, HTTP2_ROLE_CLIENT);
  ASSERT_EQ (c.enable_push, 0);
}

TEST (struct_layouts)
{
  ASSERT_EQ (sizeof (SocketHTTP2_FrameHeader), 12);
  ASSERT_EQ (offsetof (SocketHTTP2_FrameHeader, stream_id), 8);
  ASSERT_EQ (sizeof (SocketHTTP2_Config), 44);
  ASSERT_EQ (offsetof (SocketHTTP2_Config, idle_timeout_ms), 40);
  ASSERT_EQ (sizeof (SocketHTTP2_Setting), 8);
  ASSERT_EQ (offsetof (SocketHTTP2_Setting, value), 4);
}

TEST (string_tables)
{
  ASSERT_STREQ (SocketHTTP2_error_string (HTTP2_NO_ERROR), "NO_ERROR");
  ASSERT_STREQ (SocketHTTP2_error_string (HTTP2_FLOW_CONTROL_ERROR), "FLOW_CONTROL_ERROR");
  ASSERT_STREQ (SocketHTTP2_error_string (HTTP2_ENHANCE_YOUR_CALM), "ENHANCE_YOUR_CALM");
  ASSERT_STREQ (SocketHTTP2_error_string (HTTP2_HTTP_1_1_REQUIRED), "HTTP_1_1_REQUIRED");
  ASSERT_STREQ (SocketHTTP2_error_string ((SocketHTTP2_ErrorCode)14), "UNKNOWN_ERROR");
  ASSERT_STREQ (SocketHTTP2_error_string ((SocketHTTP2_ErrorCode)-1), "UNKNOWN_ERROR");
  ASSERT_STREQ (SocketHTTP2_frame_type_string (HTTP2_FRAME_DATA), "DATA");
  ASSERT_STREQ (SocketHTTP2_frame_type_string (HTTP2_FRAME_WINDOW_UPDATE), "WINDOW_UPDATE");
  ASSERT_STREQ (SocketHTTP2_frame_type_string (HTTP2_FRAME_CONTINUATION), "CONTINUATION");
  ASSERT_STREQ (SocketHTTP2_frame_type_string ((SocketHTTP2_FrameType)10), "UNKNOWN_FRAME");
  ASSERT_STREQ (SocketHTTP2_stream_state_string (HTTP2_STREAM_STATE_IDLE), "idle");
  ASSERT_STREQ (SocketHTTP2_stream_state_string (HTTP2_STREAM_STATE_RESERVED_LOCAL), "reserved (local)");
  ASSERT_STREQ (SocketHTTP2_stream_state_string (HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE),
                "half-closed (remote)");
  ASSERT_STREQ (SocketHTTP2_stream_state_string (HTTP2_STREAM_STATE_CLOSED), "closed");
  ASSERT_STREQ (SocketHTTP2_stream_state_string ((SocketHTTP2_StreamState)7), "UNKNOWN_STATE");
  ASSERT_STREQ (SocketHTTP2_ProtocolError.reason, "HTTP/2 protocol error");
  ASSERT_STREQ (SocketHTTP2_StreamError.reason, "HTTP/2 stream error");
  ASSERT_STREQ (SocketHTTP2_FlowControlError.reason, "HTTP/2 flow control error");
}

TEST_MAIN ()
