/*
 * shim_ws.h - shims of the WebSocket codec without I/O
 * (socket/SocketWSExt.h), driven by Go over its own net.Conn. Go reads the
 * peer's bytes straight into the codec's input space, pulls events with
 * go_ws_read (message bytes copied into a Go buffer), and queues frames
 * with go_ws_send, which copies the queued output into a Go buffer so the
 * write happens without the codec. Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_WS_H
#define CSOCKET_SHIM_WS_H

#include <stddef.h>
#include <sys/types.h>

#include "shim.h"

#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

/* A codec plus the unread rest of its last DATA event: go_ws_read stops
 * when the Go buffer is full and resumes there (the event's bytes stay
 * valid because the codec is not called in between). */
typedef struct GoWS
{
  SocketWSExt_Codec_T codec;
  const unsigned char *rest;
  size_t rest_len;
} GoWS;

/* Settings of a new codec; 0 sizes keep the library defaults. */
typedef struct GoWSConfig
{
  int server;
  size_t max_frame_size;
  size_t max_message_size;
  size_t max_fragments;
  int validate_utf8;
  int deflate;                   /* offer/accept (handshake) or in use (codec) */
  int deflate_no_context_takeover; /* handshake: ask for it both ways */
  int deflate_max_window_bits;   /* handshake: 9..15, 0 = 15 */
  SocketWSExt_Deflate params;    /* codec: negotiated parameters */
} GoWSConfig;

/* What one go_ws_read call saw. It stops after MESSAGE_END, after a
 * control or error event, when dst is full (more = 1) or when the codec
 * needs input (need_input = 1). */
typedef struct GoWSRead
{
  int start;        /* opcode of a MESSAGE_START seen, 0 if none */
  size_t copied;    /* message bytes copied into dst */
  int end;          /* MESSAGE_END seen */
  int more;         /* dst full with message bytes left */
  int need_input;   /* no complete event buffered */
  int done;         /* codec finished (peer CLOSE or protocol error) */
  int event;        /* WSEXT_EV_PING/PONG/CLOSE/ERROR that ended the call, or 0 */
  const unsigned char *data; /* its payload, valid until the next call */
  size_t len;
  int close_code;
  int error;        /* SocketWS_Error of an ERROR event */
} GoWSRead;

int go_ws_new (const GoWSConfig *cfg, GoWS **out, GoErr *e);
void go_ws_free (GoWS *w);

/* Free input space of the codec (*@space bytes at *@p; Go reads into it). */
int go_ws_input_space (GoWS *w, void **p, size_t *space, GoErr *e);

/* Commit @commit bytes read into the input space, then pull events. */
int go_ws_read (GoWS *w, size_t commit, unsigned char *dst, size_t cap,
                GoWSRead *r, GoErr *e);

/* Operations of go_ws_send. */
enum
{
  GO_WS_MESSAGE = 0,
  GO_WS_BEGIN = 1,
  GO_WS_CONTINUE = 2,
  GO_WS_FINISH = 3,
  GO_WS_PING = 4,
  GO_WS_PONG = 5,
  GO_WS_CLOSE = 6,
  GO_WS_FLUSH = 7 /* queue nothing, only copy output */
};

/* Queue @op (opcode for MESSAGE/BEGIN, close code for CLOSE) with @data,
 * then copy up to @cap queued output bytes into @dst (consumed from the
 * codec): *@n copied, *@pending left, *@wserr the SocketWS_Error. */
int go_ws_send (GoWS *w, int op, int arg, const unsigned char *data,
                size_t len, unsigned char *dst, size_t cap, size_t *n,
                size_t *pending, int *wserr, GoErr *e);

/* Close state: close_sent, close_received, close code, reason (copied,
 * NUL-terminated, at most @cap - 1 bytes), and the codec's error. */
/* SocketWSExt_set_deflate_level: *ok 1 when the level was taken. */
int go_ws_set_deflate_level (GoWS *w, int level, int *ok, GoErr *e);
int go_ws_state (GoWS *w, int *sent, int *received, int *code, char *reason,
                 size_t cap, int *wserr, GoErr *e);

/* Handshake helpers. @subprotocols and @headers are NUL-separated lists of
 * @nsub names and @nhdr name/value pairs (2 * @nhdr strings). */
int go_ws_client_request (char *buf, size_t cap, const char *host,
                          const char *path, const char *key,
                          const GoWSConfig *cfg, const char *subprotocols,
                          int nsub, const char *headers, int nhdr,
                          ssize_t *n, GoErr *e);
/* Server: negotiate an offer (*@ok 1 accepted, params filled). */
int go_ws_deflate_negotiate (const char *offer, const GoWSConfig *cfg,
                             int *ok, SocketWSExt_Deflate *out, GoErr *e);
/* Client: check the server's answer to our offer (*@ok 1 valid). */
int go_ws_deflate_accept (const char *response, const GoWSConfig *cfg,
                          int *ok, SocketWSExt_Deflate *out, GoErr *e);
/* Server: the 101 response head. */
int go_ws_server_response (char *buf, size_t cap, const char *key,
                           const char *subprotocol,
                           const SocketWSExt_Deflate *deflate, ssize_t *n,
                           GoErr *e);

#endif /* CSOCKET_SHIM_WS_H */
