/*
 * fuzz_http2_conn.c - arbitrary bytes as the peer of a SocketHTTP2
 * connection (server or client role) with memory I/O (SocketHTTP2Ext.h),
 * fed in chunks, the output drained after each. The application side
 * reads every header list, trailer and DATA byte it is given and answers
 * requests, so the receive, send and flow-control paths all run.
 *
 * Input: byte 0 picks the options, the rest is the peer's byte stream.
 *   bit 0  role: 1 server (the client preface is prepended), 0 client
 *   bit 1  small limits (max_header_list_size 1024, window 1024)
 *   bit 2  the application answers with a 20000-byte body
 *   bit 3  extended CONNECT (RFC 8441) enabled, keepalive PINGs armed
 *   bits 4-7 chunk size index (1, 3, 9, 64, 1000, whole)
 * Checks: no crash, leak or sanitizer report; the windows the engine
 * reports stay within the RFC range; a connection error is final; the
 * SocketHTTP2Ext reset/GOAWAY getters agree with the events.
 */
#include <string.h>

#include "core/Arena.h"
#include "fuzz_common.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTP2Ext.h"

#define FUZZ_H2_MAX_INPUT (48 * 1024)

static int answer_with_body;

static void
on_stream (SocketHTTP2_Conn_T c, SocketHTTP2_Stream_T s, int event, void *ud)
{
  static const SocketHPACK_Header st[1] = { { ":status", 7, "200", 3, 0 } };
  static unsigned char body[20000];
  SocketHPACK_Header h[32];
  unsigned char buf[4096];
  size_t n = 0;
  int end = 0;

  (void)c;
  (void)ud;
  CHECK (SocketHTTP2_Stream_recv_window (s) >= INT32_MIN);
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
    case HTTP2_EVENT_PUSH_PROMISE:
      if (SocketHTTP2_Stream_recv_headers (s, h, 32, &n, &end) == 1)
        {
          size_t i;
          for (i = 0; i < n && i < 32; i++)
            CHECK (h[i].name[h[i].name_len] == '\0' && h[i].value[h[i].value_len] == '\0');
        }
      break;
    case HTTP2_EVENT_TRAILERS_RECEIVED:
      CHECK (SocketHTTP2_Stream_recv_trailers (s, h, 32, &n) == 1);
      end = 1;
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      while (SocketHTTP2_Stream_recv_data (s, buf, sizeof buf, &end) > 0)
        ;
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      CHECK (SocketHTTP2_Stream_send_window (s) >= 0);
      return;
    case HTTP2_EVENT_STREAM_RESET:
      CHECK (SocketHTTP2Ext_Stream_reset_info (s, NULL) != SOCKETHTTP2EXT_RESET_NONE);
      return;
    case HTTP2_EVENT_STREAM_END:
      CHECK (SocketHTTP2Ext_Stream_reset_info (s, NULL) == SOCKETHTTP2EXT_RESET_NONE);
      return;
    default:
      return;
    }
  if (end && SocketHTTP2_Stream_state (s) != HTTP2_STREAM_STATE_CLOSED
      && SocketHTTP2_Stream_send_headers (s, st, 1, !answer_with_body) == 0 && answer_with_body)
    (void)SocketHTTP2_Stream_send_data (s, body, sizeof body, 1);
}

static void
drain (SocketHTTP2_Conn_T conn)
{
  size_t len;

  if (SocketHTTP2Ext_Conn_output (conn, &len) != NULL)
    SocketHTTP2Ext_Conn_output_consumed (conn, len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const size_t chunks[] = { 1, 3, 9, 64, 1000, FUZZ_H2_MAX_INPUT, FUZZ_H2_MAX_INPUT, FUZZ_H2_MAX_INPUT };
  SocketHTTP2_Config cfg;
  SocketHTTP2_Conn_T conn;
  Arena_T arena;
  size_t chunk, off = 0, used;
  uint8_t mode;

  if (size < 1 || size > FUZZ_H2_MAX_INPUT)
    return 0;
  mode = data[0];
  data++;
  size--;
  chunk = chunks[(mode >> 4) & 7];
  answer_with_body = (mode & 4) != 0;

  arena = Arena_new ();
  SocketHTTP2_config_defaults (&cfg, (mode & 1) ? HTTP2_ROLE_SERVER : HTTP2_ROLE_CLIENT);
  cfg.enable_push = 1;
  if (mode & 2)
    {
      cfg.max_header_list_size = 1024;
      cfg.initial_window_size = 1024;
      cfg.max_concurrent_streams = 4;
    }
  conn = SocketHTTP2Ext_Conn_new_io (&cfg, arena);
  SocketHTTP2_Conn_set_stream_callback (conn, on_stream, NULL);
  if (mode & 8)
    {
      CHECK (SocketHTTP2Ext_Conn_enable_connect_protocol (conn) == 0);
      SocketHTTP2Ext_Conn_set_keepalive (conn, 1);
    }
  if (mode & 1)
    CHECK (SocketHTTP2Ext_Conn_input (conn, SocketHTTP2__preface, HTTP2_PREFACE_SIZE, &used) == 0);
  else
    {
      static const SocketHPACK_Header req[3]
          = { { ":method", 7, "POST", 4, 0 }, { ":scheme", 7, "http", 4, 0 }, { ":path", 5, "/", 1, 0 } };
      SocketHTTP2_Stream_T s = SocketHTTP2_Stream_new (conn);
      CHECK (s != NULL && SocketHTTP2_Stream_send_headers (s, req, 3, 0) == 0);
      CHECK (SocketHTTP2_Stream_send_data (s, "body", 4, 1) == 4);
    }

  while (off < size)
    {
      size_t n = size - off < chunk ? size - off : chunk;
      int rc = SocketHTTP2Ext_Conn_input (conn, data + off, n, &used);
      off += used;
      if (SocketHTTP2_Conn_process (conn, 0) < 0)
        rc = -1;
      /* The peer reads everything: after a drain, input flows again. */
      if (rc == 0 && used == 0)
        CHECK (SocketHTTP2Ext_Conn_output (conn, &used) != NULL);
      drain (conn);
      CHECK (SocketHTTP2_Conn_send_window (conn) <= (int32_t)HTTP2_MAX_WINDOW);
      CHECK (SocketHTTP2Ext_Conn_next_timeout_ms (conn) >= -1);
      {
        const unsigned char *debug = NULL;
        size_t debug_len = 0;
        if (SocketHTTP2Ext_Conn_goaway_received (conn, NULL, NULL, &debug, &debug_len))
          CHECK (SocketHTTP2_Conn_is_closed (conn) && debug_len <= HTTP2_GOAWAY_DEBUG_MAX
                 && (debug_len == 0) == (debug == NULL));
      }
      if (rc < 0)
        {
          /* A connection error is final. */
          CHECK (SocketHTTP2_Conn_is_closed (conn));
          CHECK (SocketHTTP2Ext_Conn_input (conn, "x", 1, &used) == -1 && used == 0);
          break;
        }
    }
  SocketHTTP2_Conn_free (&conn);
  CHECK (conn == NULL);
  Arena_dispose (&arena);
  return 0;
}
