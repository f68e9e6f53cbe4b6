/*
 * shim_http2.h - shims of the HTTP/2 engine with memory I/O
 * (http/SocketHTTP2Ext.h), driven by Go over its own connection: bytes in
 * with go_h2_input, bytes out with go_h2_output/go_h2_consumed. The
 * engine's callbacks never reach Go: they append to the event array of
 * the GoH2Conn, which Go reads after each call (the array is reset at the
 * start of every shim taking a GoH2Conn). Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_HTTP2_H
#define CSOCKET_SHIM_HTTP2_H

#include <stdint.h>
#include <sys/types.h>

#include "shim.h"

#include "http/SocketHTTP2.h"
#include "http/SocketHTTP2Ext.h"

/* One engine event. stream is the SocketHTTP2_Stream_T as an integer (0
 * for connection events); it stays valid until the next go_h2_input or
 * go_h2_process after the stream's STREAM_END/STREAM_RESET event. For
 * STREAM_RESET, reset_how and reset_code are SocketHTTP2Ext_Stream_reset_info
 * read in the callback, so Go never needs the handle to learn them. */
typedef struct GoH2Event
{
  int event;
  uint32_t stream_id;
  uintptr_t stream;
  int reset_how;       /* SOCKETHTTP2EXT_RESET_* (STREAM_RESET only) */
  uint32_t reset_code; /* its error code */
} GoH2Event;

/* A connection plus what the shims keep for Go. */
typedef struct GoH2Conn
{
  Arena_T arena;
  SocketHTTP2_Conn_T conn;
  GoH2Event *events; /* events of the last call */
  size_t nevents;
  size_t cap;
  int overflow;             /* an event was lost (out of memory) */
  SocketHPACK_Header *hdrs; /* scratch for go_h2_recv_headers */
  size_t hdr_cap;
} GoH2Conn;

/* Settings of a new connection; 0 keeps the engine default. */
typedef struct GoH2Config
{
  int server;
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size;
  uint32_t max_frame_size;
  uint32_t max_header_list_size;
  uint32_t connection_window_size;
  int idle_timeout_ms;
  int settings_timeout_ms; /* 0 default, < 0 none */
  int ping_timeout_ms;     /* 0 default, < 0 none */
  int keepalive_ms;        /* SocketHTTP2Ext_Conn_set_keepalive; 0 off */
} GoH2Config;

int go_h2_new (const GoH2Config *cfg, GoH2Conn **out, GoErr *e);
void go_h2_free (GoH2Conn *c);

/* Feed @len bytes; @consumed and @result (0 or -1, see Ext_Conn_input). */
int go_h2_input (GoH2Conn *c, const unsigned char *data, size_t len,
                 size_t *consumed, int *result, GoErr *e);
/* Housekeeping: stream removal and timeouts; @result as Conn_process,
 * @closed as Conn_is_closed. */
int go_h2_process (GoH2Conn *c, int *result, int *closed, GoErr *e);
int go_h2_output (GoH2Conn *c, const unsigned char **out, size_t *len,
                  GoErr *e);
void go_h2_consumed (GoH2Conn *c, size_t n);

/* The request head (@trailers 0) or trailers (1) of @stream: pointers into
 * the stream in *@out (valid until the next call on @c), @avail 0 when
 * not received yet. */
int go_h2_recv_headers (GoH2Conn *c, uintptr_t stream, int trailers,
                        const SocketHPACK_Header **out, size_t *count,
                        int *end_stream, int *avail, GoErr *e);
int go_h2_recv_data (GoH2Conn *c, uintptr_t stream, unsigned char *buf,
                     size_t len, ssize_t *n, int *end_stream, GoErr *e);

/* A header block from one flat buffer @buf and @count quadruples in
 * @spans (name offset, name length, value offset, value length). @kind 0:
 * headers, 1: trailers. @result 0 queued, -1 refused by the engine. */
int go_h2_send_headers (GoH2Conn *c, uintptr_t stream, int kind,
                        const char *buf, const size_t *spans, size_t count,
                        int end_stream, int *result, GoErr *e);
/* @ended 1 when END_STREAM went out (all of @len was queued). */
int go_h2_send_data (GoH2Conn *c, uintptr_t stream, const unsigned char *data,
                     size_t len, int end_stream, ssize_t *n, int *ended,
                     GoErr *e);
/* A new local stream (client: 1, 3, ...), idle until go_h2_send_headers;
 * *@out 0 when the engine refused (connection closed, ids exhausted).
 * The peer's stream limit is not checked here: see
 * go_h2_streams_available. */
int go_h2_stream_new (GoH2Conn *c, uintptr_t *out, uint32_t *id, GoErr *e);
int go_h2_stream_close (GoH2Conn *c, uintptr_t stream, int code, GoErr *e);
int go_h2_goaway (GoH2Conn *c, int code, GoErr *e);
/* Stream send window (min with the connection's). */
int32_t go_h2_stream_send_window (GoH2Conn *c, uintptr_t stream);
uint32_t go_h2_last_stream_id (GoH2Conn *c);
/* The peer's value of SETTINGS @id (SocketHTTP2_Conn_get_setting). */
uint32_t go_h2_peer_setting (GoH2Conn *c, int id);
/* Server push: PUSH_PROMISE on @stream for the request head in @buf and
 * @spans (as go_h2_send_headers); *@out is the promised stream, 0 when
 * the engine refused (peer disabled push, state, stream limit). */
int go_h2_push_promise (GoH2Conn *c, uintptr_t stream, const char *buf,
                        const size_t *spans, size_t count, uintptr_t *out,
                        uint32_t *id, GoErr *e);
int go_h2_is_closed (GoH2Conn *c);

/* SocketHTTP2Ext_Stream_reset_info: SOCKETHTTP2EXT_RESET_* and the code. */
int go_h2_stream_reset_info (GoH2Conn *c, uintptr_t stream, uint32_t *code);
/* SocketHTTP2Ext_Conn_goaway_received; *@debug valid until the next call
 * on @c. Returns 1 when a GOAWAY was received. */
int go_h2_goaway_received (GoH2Conn *c, uint32_t *last_stream_id,
                           uint32_t *code, const unsigned char **debug,
                           size_t *debug_len);
/* SocketHTTP2Ext_Conn_goaway_sent: 1 when we sent (queued) a GOAWAY. */
int go_h2_goaway_sent (GoH2Conn *c, uint32_t *last_stream_id, uint32_t *code);
/* 1 when @stream is idle (no HEADERS sent yet). */
int go_h2_stream_is_idle (GoH2Conn *c, uintptr_t stream);
/* SocketHTTP2Ext_Conn_streams_available. */
uint32_t go_h2_streams_available (GoH2Conn *c);
/* SocketHTTP2Ext_Conn_next_timeout_ms: ms until go_h2_process is due, -1
 * none. */
int go_h2_next_timeout_ms (GoH2Conn *c);
/* SocketHTTP2Ext_Conn_enable_connect_protocol; @result 0 or -1. */
int go_h2_enable_connect_protocol (GoH2Conn *c, int *result, GoErr *e);
/* SocketHTTP2Ext_Conn_peer_connect_protocol. */
int go_h2_peer_connect_protocol (GoH2Conn *c);

const char *go_h2_error_string (int code);

#endif /* CSOCKET_SHIM_HTTP2_H */
