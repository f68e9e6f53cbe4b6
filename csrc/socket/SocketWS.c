/*
 * SocketWS.c - WebSocket connections over a borrowed Socket_T (plain or
 * TLS: Socket_send/Socket_recv go through the TLS layer when enabled).
 * The protocol lives in the codec (SocketWS-codec.c); this file moves
 * bytes, drives the handshake, queues complete messages and runs the
 * auto-ping timer.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "core/Arena.h"
#include "core/SocketCrypto.h"
#include "core/SocketTimer.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTP1.h"
#include "socket/SocketWS-private.h"

const Except_T SocketWS_Failed = { &SocketWS_Failed, "WebSocket operation failed" };
const Except_T SocketWS_ProtocolError = { &SocketWS_ProtocolError, "WebSocket protocol error" };
const Except_T SocketWS_Closed = { &SocketWS_Closed, "WebSocket connection closed" };

SOCKET_DECLARE_MODULE_EXCEPTION (SocketWS);
#define RAISE_WS(fmt, ...) SOCKET_RAISE_MSG (SocketWS, SocketWS_Failed, fmt, ##__VA_ARGS__)

#define WS_REQUEST_MAX 4096
#define WS_RESPONSE_MAX SOCKETWSEXT_MAX_HANDSHAKE

typedef struct MsgNode
{
  SocketWS_Message msg;
  struct MsgNode *next;
} MsgNode;

struct SocketWS
{
  Socket_T sock;
  SocketWS_Config cfg;
  SocketWS_State state;
  SocketWS_Error last_error;
  SocketWSExt_Codec_T codec;

  /* handshake: bytes to send, and (client) the response being read */
  char *hs_out;
  size_t hs_len, hs_off;
  char key[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE];
  char *hs_in;
  size_t hs_in_len, hs_in_parsed;
  Arena_T arena;
  SocketHTTP1_Parser_T parser;

  /* bytes received before the codec could take them */
  unsigned char *pre;
  size_t pre_len, pre_off;

  char subprotocol[128];
  int has_subprotocol;
  int compression;

  MsgNode *qhead, *qtail;
  int qcount;

  int close_code;
  char close_reason[124];

  SocketPoll_T poll;
  SocketTimer_T timer;
  int64_t ping_sent_ms;
  unsigned long pongs_at_ping;
  int awaiting_pong;
};

void
SocketWS_config_defaults (SocketWS_Config *config)
{
  static const SocketWS_Config defaults = SOCKETWS_CONFIG_DEFAULTS;

  if (config)
    *config = defaults;
}

const char *
SocketWS_error_string (SocketWS_Error error)
{
  switch (error)
    {
    case WS_OK: return "OK";
    case WS_ERROR: return "General error";
    case WS_ERROR_HANDSHAKE: return "Handshake failed";
    case WS_ERROR_PROTOCOL: return "Protocol error";
    case WS_ERROR_FRAME_TOO_LARGE: return "Frame too large";
    case WS_ERROR_MESSAGE_TOO_LARGE: return "Message too large";
    case WS_ERROR_INVALID_UTF8: return "Invalid UTF-8";
    case WS_ERROR_COMPRESSION: return "Compression error";
    case WS_ERROR_CLOSED: return "Connection closed";
    case WS_ERROR_WOULD_BLOCK: return "Would block";
    case WS_ERROR_TIMEOUT: return "Timeout";
    }
  return "Unknown error";
}

/* ---------------------------------------------------------------- */
/* socket I/O without exceptions                                    */
/* ---------------------------------------------------------------- */

static int
is_nonblocking (SocketWS_T ws)
{
  int fl = fcntl (Socket_fd (ws->sock), F_GETFL);
  return fl >= 0 && (fl & O_NONBLOCK);
}

/* bytes sent, 0 would block, -1 failed */
static ssize_t
io_send (Socket_T s, const void *p, size_t len)
{
  volatile ssize_t n = -1;

  TRY { n = Socket_send (s, p, len); }
  EXCEPT (Socket_Closed) { n = -1; }
  EXCEPT (Socket_Failed) { n = -1; }
  END_TRY;
  return n;
}

/* bytes received, 0 would block, -1 EOF or failed */
static ssize_t
io_recv (Socket_T s, void *p, size_t len)
{
  volatile ssize_t n = -1;

  TRY { n = Socket_recv (s, p, len); }
  EXCEPT (Socket_Closed) { n = -1; }
  EXCEPT (Socket_Failed) { n = -1; }
  END_TRY;
  return n;
}

/* the transport ended without a closing handshake */
static void
abnormal (SocketWS_T ws)
{
  if (ws->state != WS_STATE_CLOSED)
    {
      if (ws->state != WS_STATE_CLOSING || ws->close_code == 0)
        ws->close_code = WS_CLOSE_ABNORMAL;
      ws->state = WS_STATE_CLOSED;
      ws->last_error = WS_ERROR_CLOSED;
    }
}

/* write queued output; 0 ok (maybe some left), -1 transport failed */
static int
flush (SocketWS_T ws)
{
  const unsigned char *p;
  size_t len;

  if (ws->codec == NULL)
    return 0;
  while ((p = SocketWSExt_output (ws->codec, &len)) != NULL)
    {
      ssize_t n = io_send (ws->sock, p, len);
      if (n < 0)
        {
          abnormal (ws);
          return -1;
        }
      if (n == 0)
        break;
      SocketWSExt_output_consumed (ws->codec, (size_t)n);
    }
  return 0;
}

/* ---------------------------------------------------------------- */
/* receiving                                                        */
/* ---------------------------------------------------------------- */

static void
record_stop (SocketWS_T ws)
{
  SocketWSExt_Codec_T c = ws->codec;

  if (SocketWSExt_close_received (c))
    {
      ws->close_code = SocketWSExt_close_code (c);
      snprintf (ws->close_reason, sizeof ws->close_reason, "%s", SocketWSExt_close_reason (c));
      ws->state = WS_STATE_CLOSED;
    }
  else if (SocketWSExt_error (c) != WS_OK)
    {
      ws->close_code = SocketWSExt_close_code (c);
      ws->close_reason[0] = '\0';
      ws->last_error = SocketWSExt_error (c);
      ws->state = WS_STATE_CLOSED;
    }
}

/* Parse buffered input until a complete message is queued. Parsing no
 * further keeps a peer's CLOSE (which the codec answers at once) behind the
 * messages before it, so an application can still reply to those. */
static void
pump (SocketWS_T ws)
{
  while (ws->qcount == 0)
    {
      SocketWS_Message m;
      MsgNode *node;
      int r;

      if (ws->codec == NULL || ws->state == WS_STATE_CLOSED || ws->state == WS_STATE_CONNECTING)
        return;
      if (ws->pre_off < ws->pre_len)
        {
          ws->pre_off += SocketWSExt_input (ws->codec, ws->pre + ws->pre_off, ws->pre_len - ws->pre_off);
          if (ws->pre_off == ws->pre_len)
            {
              free (ws->pre);
              ws->pre = NULL;
              ws->pre_len = ws->pre_off = 0;
            }
        }
      r = SocketWSExt_next_message (ws->codec, &m);
      if (r == 0 && ws->pre_off < ws->pre_len)
        continue;
      if (r == 0)
        return;
      if (r < 0)
        {
          record_stop (ws);
          flush (ws);
          return;
        }
      node = malloc (sizeof *node);
      if (node == NULL)
        {
          SocketWS_Message_free (&m);
          SocketWSExt_send_close (ws->codec, WS_CLOSE_INTERNAL_ERROR, NULL, 0);
          ws->close_code = WS_CLOSE_INTERNAL_ERROR;
          ws->last_error = WS_ERROR;
          ws->state = WS_STATE_CLOSED;
          flush (ws);
          return;
        }
      node->msg = m;
      node->next = NULL;
      if (ws->qtail)
        ws->qtail->next = node;
      else
        ws->qhead = node;
      ws->qtail = node;
      ws->qcount++;
    }
}

/* one recv into the codec; 1 got bytes (or buffer full), 0 would block, -1 ended */
static int
read_step (SocketWS_T ws)
{
  size_t space;
  void *p = SocketWSExt_input_space (ws->codec, &space);
  ssize_t n;

  if (space == 0 || ws->pre_off < ws->pre_len)
    return 1;
  n = io_recv (ws->sock, p, space);
  if (n < 0)
    {
      abnormal (ws);
      return -1;
    }
  if (n == 0)
    return 0;
  SocketWSExt_input_commit (ws->codec, (size_t)n);
  return 1;
}

/* ---------------------------------------------------------------- */
/* construction                                                     */
/* ---------------------------------------------------------------- */

static SocketWS_T
ws_alloc (Socket_T socket, const SocketWS_Config *config, SocketWS_Role role)
{
  SocketWS_T ws;

  if (socket == NULL)
    RAISE_WS ("WebSocket needs a socket");
  ws = calloc (1, sizeof *ws);
  if (ws == NULL)
    RAISE_WS ("Out of memory for the WebSocket");
  ws->sock = socket;
  if (config)
    ws->cfg = *config;
  else
    SocketWS_config_defaults (&ws->cfg);
  ws->cfg.role = role;
  if (ws->cfg.max_message_size == 0)
    ws->cfg.max_message_size = (size_t)64 << 20;
  ws->state = WS_STATE_CONNECTING;
  return ws;
}

static void
ws_release (SocketWS_T ws)
{
  MsgNode *n, *next;

  SocketWS_disable_auto_ping (ws);
  SocketWSExt_codec_free (&ws->codec);
  for (n = ws->qhead; n; n = next)
    {
      next = n->next;
      SocketWS_Message_free (&n->msg);
      free (n);
    }
  if (ws->arena)
    Arena_dispose (&ws->arena);
  SocketCrypto_secure_clear (ws->key, sizeof ws->key);
  free (ws->hs_out);
  free (ws->hs_in);
  free (ws->pre);
  free (ws);
}

SocketWS_T
SocketWS_client_new (Socket_T socket, const char *host, const char *path, const SocketWS_Config *config)
{
  SocketWS_T ws;
  ssize_t n;

  if (host == NULL || *host == '\0')
    RAISE_WS ("WebSocket client needs a host");
  ws = ws_alloc (socket, config, WS_ROLE_CLIENT);
  ws->hs_out = malloc (WS_REQUEST_MAX);
  if (ws->hs_out == NULL || SocketCrypto_websocket_key (ws->key) != 0)
    {
      ws_release (ws);
      RAISE_WS ("WebSocket client setup failed (memory or randomness)");
    }
  n = SocketWSExt_client_request (ws->hs_out, WS_REQUEST_MAX, host, path, ws->key, &ws->cfg, NULL);
  if (n < 0)
    {
      ws_release (ws);
      RAISE_WS ("Invalid WebSocket request (bad host/path/subprotocol or over %d bytes)", WS_REQUEST_MAX);
    }
  ws->hs_len = (size_t)n;
  return ws;
}

SocketWS_T
SocketWSExt_server_accept_data (Socket_T socket, const SocketHTTP_Request *request, const SocketWS_Config *config,
                                const void *leftover, size_t leftover_len)
{
  SocketWS_T ws;
  SocketWSExt_Deflate d;
  const char *proto, *why;
  ssize_t n;

  if (request == NULL)
    RAISE_WS ("WebSocket accept needs a request");
  ws = ws_alloc (socket, config, WS_ROLE_SERVER);
  why = SocketWSExt_server_check (request, &ws->cfg, &proto, &d);
  if (why)
    {
      ws_release (ws);
      RAISE_WS ("WebSocket upgrade rejected: %s", why);
    }
  ws->hs_out = malloc (WS_RESPONSE_MAX);
  if (ws->hs_out == NULL)
    goto nomem;
  n = SocketWSExt_server_response (ws->hs_out, WS_RESPONSE_MAX, SocketHTTP_Headers_get (request->headers,
                                                                                       "Sec-WebSocket-Key"),
                                   proto, &d);
  if (n < 0)
    {
      ws_release (ws);
      RAISE_WS ("WebSocket response could not be built");
    }
  ws->hs_len = (size_t)n;
  if (proto)
    {
      snprintf (ws->subprotocol, sizeof ws->subprotocol, "%s", proto);
      ws->has_subprotocol = 1;
    }
  ws->compression = d.enabled;
  ws->codec = SocketWSExt_codec_new (&ws->cfg, &d);
  if (ws->codec == NULL)
    goto nomem;
  if (leftover_len)
    {
      ws->pre = malloc (leftover_len);
      if (ws->pre == NULL)
        goto nomem;
      memcpy (ws->pre, leftover, leftover_len);
      ws->pre_len = leftover_len;
    }
  return ws;
nomem:
  ws_release (ws);
  RAISE_WS ("Out of memory for the WebSocket");
  return NULL;
}

SocketWS_T
SocketWS_server_accept (Socket_T socket, const SocketHTTP_Request *request, const SocketWS_Config *config)
{
  return SocketWSExt_server_accept_data (socket, request, config, NULL, 0);
}

void
SocketWS_free (SocketWS_T *ws)
{
  if (ws == NULL || *ws == NULL)
    return;
  ws_release (*ws);
  *ws = NULL;
}

/* ---------------------------------------------------------------- */
/* handshake                                                        */
/* ---------------------------------------------------------------- */

static int
handshake_fail (SocketWS_T ws)
{
  ws->state = WS_STATE_CLOSED;
  ws->last_error = WS_ERROR_HANDSHAKE;
  return -1;
}

static int
parse_response (SocketWS_T ws, int *done)
{
  volatile int rc = 0;
  const char *why;
  const char *proto = NULL;
  SocketWSExt_Deflate d;
  size_t used = 0;
  SocketHTTP1_Result r;

  *done = 0;
  TRY
  {
    if (ws->arena == NULL)
      {
        ws->arena = Arena_new ();
        ws->parser = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, NULL, ws->arena);
      }
  }
  EXCEPT (Arena_Failed) { rc = -1; }
  EXCEPT (SocketHTTP1_ParseError) { rc = -1; }
  END_TRY;
  if (rc < 0)
    return -1;
  r = SocketHTTP1_Parser_execute (ws->parser, ws->hs_in + ws->hs_in_parsed, ws->hs_in_len - ws->hs_in_parsed, &used);
  ws->hs_in_parsed += used;
  if (r == HTTP1_INCOMPLETE)
    return ws->hs_in_len >= WS_RESPONSE_MAX ? -1 : 0;
  if (r != HTTP1_OK)
    return -1;
  why = SocketWSExt_client_verify (SocketHTTP1_Parser_get_response (ws->parser), ws->key, &ws->cfg, &proto, &d);
  if (why)
    {
      SOCKET_ERROR_MSG ("WebSocket handshake failed: %s", why);
      return -1;
    }
  if (proto)
    {
      snprintf (ws->subprotocol, sizeof ws->subprotocol, "%s", proto);
      ws->has_subprotocol = 1;
    }
  ws->compression = d.enabled;
  ws->codec = SocketWSExt_codec_new (&ws->cfg, &d);
  if (ws->codec == NULL)
    return -1;
  /* frames the server sent right behind its response */
  if (ws->hs_in_parsed < ws->hs_in_len)
    {
      ws->pre_len = ws->hs_in_len - ws->hs_in_parsed;
      ws->pre = malloc (ws->pre_len);
      if (ws->pre == NULL)
        return -1;
      memcpy (ws->pre, ws->hs_in + ws->hs_in_parsed, ws->pre_len);
    }
  free (ws->hs_in);
  ws->hs_in = NULL;
  Arena_dispose (&ws->arena);
  ws->parser = NULL;
  *done = 1;
  return 0;
}

int
SocketWS_handshake (SocketWS_T ws)
{
  if (ws == NULL)
    return -1;
  if (ws->state != WS_STATE_CONNECTING)
    {
      ws->last_error = WS_ERROR;
      return -1;
    }
  while (ws->hs_off < ws->hs_len)
    {
      ssize_t n = io_send (ws->sock, ws->hs_out + ws->hs_off, ws->hs_len - ws->hs_off);
      if (n < 0)
        return handshake_fail (ws);
      if (n == 0)
        return 1;
      ws->hs_off += (size_t)n;
    }
  if (ws->cfg.role == WS_ROLE_CLIENT)
    {
      int done = 0;
      if (ws->hs_in == NULL && (ws->hs_in = malloc (WS_RESPONSE_MAX)) == NULL)
        return handshake_fail (ws);
      while (!done)
        {
          ssize_t n;
          /* read only what the head can need: later bytes are frames and
           * are kept for the codec anyway */
          n = io_recv (ws->sock, ws->hs_in + ws->hs_in_len, WS_RESPONSE_MAX - ws->hs_in_len);
          if (n < 0)
            return handshake_fail (ws);
          if (n == 0)
            return 1;
          ws->hs_in_len += (size_t)n;
          if (parse_response (ws, &done) < 0)
            return handshake_fail (ws);
        }
    }
  free (ws->hs_out);
  ws->hs_out = NULL;
  ws->hs_len = ws->hs_off = 0;
  ws->state = WS_STATE_OPEN;
  return 0;
}

/* ---------------------------------------------------------------- */
/* accessors                                                        */
/* ---------------------------------------------------------------- */

SocketWS_State
SocketWS_state (SocketWS_T ws)
{
  return ws ? ws->state : WS_STATE_CLOSED;
}

Socket_T
SocketWS_socket (SocketWS_T ws)
{
  return ws ? ws->sock : NULL;
}

const char *
SocketWS_selected_subprotocol (SocketWS_T ws)
{
  return ws && ws->has_subprotocol ? ws->subprotocol : NULL;
}

int
SocketWS_compression_enabled (SocketWS_T ws)
{
  return ws ? ws->compression : 0;
}

int
SocketWS_close_code (SocketWS_T ws)
{
  return ws ? ws->close_code : 0;
}

const char *
SocketWS_close_reason (SocketWS_T ws)
{
  return ws && ws->close_reason[0] ? ws->close_reason : NULL;
}

SocketWS_Error
SocketWS_last_error (SocketWS_T ws)
{
  return ws ? ws->last_error : WS_ERROR;
}

SocketWSExt_Codec_T
SocketWSExt_codec (SocketWS_T ws)
{
  return ws ? ws->codec : NULL;
}

int
SocketWS_pollfd (SocketWS_T ws)
{
  return Socket_fd (ws->sock);
}

unsigned
SocketWS_poll_events (SocketWS_T ws)
{
  unsigned ev = POLL_READ;

  if (ws->hs_off < ws->hs_len || (ws->codec && SocketWSExt_output_pending (ws->codec) > 0))
    ev |= POLL_WRITE;
  return ev;
}

/* ---------------------------------------------------------------- */
/* sending                                                          */
/* ---------------------------------------------------------------- */

static int
send_result (SocketWS_T ws, SocketWS_Error e)
{
  if (e != WS_OK)
    {
      ws->last_error = e;
      return -1;
    }
  if (flush (ws) < 0)
    return -1;
  return 0;
}

static int
send_data (SocketWS_T ws, SocketWS_Opcode op, const void *data, size_t len)
{
  if (ws == NULL)
    return -1;
  if (ws->state != WS_STATE_OPEN)
    {
      ws->last_error = WS_ERROR_CLOSED;
      return -1;
    }
  return send_result (ws, SocketWSExt_send_message (ws->codec, op, data, len));
}

int
SocketWS_send_text (SocketWS_T ws, const char *data, size_t len)
{
  return send_data (ws, WS_OPCODE_TEXT, data, len);
}

int
SocketWS_send_binary (SocketWS_T ws, const void *data, size_t len)
{
  return send_data (ws, WS_OPCODE_BINARY, data, len);
}

int
SocketWS_ping (SocketWS_T ws, const void *data, size_t len)
{
  if (ws == NULL)
    return -1;
  if (ws->state != WS_STATE_OPEN)
    {
      ws->last_error = WS_ERROR_CLOSED;
      return -1;
    }
  return send_result (ws, SocketWSExt_send_ping (ws->codec, data, len));
}

int
SocketWS_pong (SocketWS_T ws, const void *data, size_t len)
{
  if (ws == NULL)
    return -1;
  if (ws->state != WS_STATE_OPEN)
    {
      ws->last_error = WS_ERROR_CLOSED;
      return -1;
    }
  return send_result (ws, SocketWSExt_send_pong (ws->codec, data, len > 125 ? 125 : len));
}

int
SocketWS_close_len (SocketWS_T ws, int code, const char *reason, size_t reason_len)
{
  SocketWS_Error e;

  if (ws == NULL)
    return -1;
  if (ws->state == WS_STATE_CLOSED || (ws->codec && SocketWSExt_close_sent (ws->codec)))
    return 0;
  if (ws->codec == NULL || ws->state == WS_STATE_CONNECTING)
    {
      /* nothing was agreed yet: give up the handshake (a CLOSE frame
       * must not precede the server's 101 response) */
      ws->state = WS_STATE_CLOSED;
      ws->close_code = code;
      return 0;
    }
  e = SocketWSExt_send_close (ws->codec, code, reason, reason ? reason_len : 0);
  if (e != WS_OK)
    {
      ws->last_error = e;
      return -1;
    }
  ws->close_code = code;
  {
    /* record what went on the wire: cut at 123 bytes on a UTF-8 boundary */
    size_t n = reason && code != WS_CLOSE_NO_STATUS ? reason_len : 0;
    if (n > 123)
      {
        n = 123;
        while (n > 0 && ((unsigned char)reason[n] & 0xc0) == 0x80)
          n--;
      }
    if (n)
      memcpy (ws->close_reason, reason, n);
    ws->close_reason[n] = '\0';
  }
  if (ws->state == WS_STATE_OPEN)
    ws->state = WS_STATE_CLOSING;
  flush (ws);
  return 0;
}

#undef SocketWS_close
int
SocketWS_close (SocketWS_T ws, int code, const char *reason)
{
  return SocketWS_close_len (ws, code, reason, reason ? strlen (reason) : 0);
}

/* ---------------------------------------------------------------- */
/* receiving API                                                    */
/* ---------------------------------------------------------------- */

void
SocketWS_Message_free (SocketWS_Message *msg)
{
  if (msg == NULL)
    return;
  free (msg->data);
  memset (msg, 0, sizeof *msg);
}

int
SocketWS_recv_available (SocketWS_T ws)
{
  if (ws == NULL)
    return 0;
  pump (ws);
  return ws->qcount;
}

int
SocketWS_recv_message (SocketWS_T ws, SocketWS_Message *msg)
{
  if (msg)
    memset (msg, 0, sizeof *msg);
  if (ws == NULL || msg == NULL)
    return -1;
  if (ws->state == WS_STATE_CONNECTING)
    {
      ws->last_error = WS_ERROR;
      return -1;
    }
  for (;;)
    {
      int r;
      if (ws->qhead)
        {
          MsgNode *n = ws->qhead;
          ws->qhead = n->next;
          if (ws->qhead == NULL)
            ws->qtail = NULL;
          ws->qcount--;
          *msg = n->msg;
          free (n);
          return 1;
        }
      if (ws->state == WS_STATE_CLOSED)
        return 0;
      pump (ws);
      if (ws->qhead || ws->state == WS_STATE_CLOSED)
        continue;
      /* answers (pongs, close echo) go out before we wait for more */
      if (flush (ws) < 0)
        continue;
      r = read_step (ws);
      if (r == 0)
        {
          ws->last_error = WS_ERROR_WOULD_BLOCK;
          return -1;
        }
    }
}

int
SocketWS_process (SocketWS_T ws, unsigned events)
{
  if (ws == NULL)
    return -1;
  if (ws->state == WS_STATE_CONNECTING)
    return SocketWS_handshake (ws) < 0 ? -1 : 0;
  if (ws->state == WS_STATE_CLOSED)
    return -1;
  if (flush (ws) < 0)
    return -1;
  if (events & (POLL_READ | POLL_ERROR | POLL_HANGUP))
    {
      int nonblock = is_nonblocking (ws), got = 0;
      for (;;)
        {
          size_t space;
          int r = read_step (ws);
          pump (ws);
          if (r <= 0 || ws->state == WS_STATE_CLOSED)
            break;
          got = 1;
          if (!nonblock)
            break; /* a blocking socket would wait: one read per call */
          SocketWSExt_input_space (ws->codec, &space);
          if (space == 0 && ws->qcount > 0)
            break; /* buffer full: the application drains messages first */
        }
      if (!got && (events & (POLL_ERROR | POLL_HANGUP)) && ws->state != WS_STATE_CLOSED)
        abnormal (ws);
    }
  flush (ws);
  return ws->state == WS_STATE_CLOSED ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* auto-ping                                                        */
/* ---------------------------------------------------------------- */

static void
auto_ping_tick (void *userdata)
{
  SocketWS_T ws = userdata;
  int64_t now = Socket_get_monotonic_ms ();

  if (ws->state != WS_STATE_OPEN || ws->codec == NULL)
    return;
  pump (ws);
  if (ws->awaiting_pong && SocketWSExt_pongs_received (ws->codec) > ws->pongs_at_ping)
    ws->awaiting_pong = 0;
  if (ws->awaiting_pong)
    {
      if (now - ws->ping_sent_ms >= ws->cfg.ping_timeout_ms)
        {
          SocketWSExt_send_close (ws->codec, WS_CLOSE_GOING_AWAY, "Ping timeout", 12);
          flush (ws);
          ws->state = WS_STATE_CLOSED;
          ws->close_code = WS_CLOSE_ABNORMAL;
          snprintf (ws->close_reason, sizeof ws->close_reason, "Ping timeout");
          ws->last_error = WS_ERROR_TIMEOUT;
        }
      return;
    }
  /* the tick may run faster than the interval (short timeouts) */
  if (now - ws->ping_sent_ms + 5 < ws->cfg.ping_interval_ms)
    return;
  if (SocketWSExt_send_ping (ws->codec, NULL, 0) == WS_OK)
    {
      ws->awaiting_pong = 1;
      ws->ping_sent_ms = now;
      ws->pongs_at_ping = SocketWSExt_pongs_received (ws->codec);
      flush (ws);
    }
}

int
SocketWS_enable_auto_ping (SocketWS_T ws, SocketPoll_T poll)
{
  volatile SocketTimer_T t = NULL;
  int64_t interval;

  if (ws == NULL || poll == NULL)
    return -1;
  if (ws->cfg.ping_interval_ms <= 0)
    return 0;
  SocketWS_disable_auto_ping (ws);
  /* tick often enough that a missed pong is seen soon after the timeout */
  interval = ws->cfg.ping_interval_ms;
  if (ws->cfg.ping_timeout_ms > 0 && ws->cfg.ping_timeout_ms < interval)
    interval = ws->cfg.ping_timeout_ms;
  TRY { t = SocketTimer_add_repeating (poll, interval, auto_ping_tick, ws); }
  EXCEPT (SocketTimer_Failed) { t = NULL; }
  END_TRY;
  if (t == NULL)
    return -1;
  ws->timer = t;
  ws->poll = poll;
  ws->awaiting_pong = 0;
  ws->ping_sent_ms = Socket_get_monotonic_ms ();
  return 0;
}

void
SocketWS_disable_auto_ping (SocketWS_T ws)
{
  if (ws == NULL || ws->timer == NULL)
    return;
  SocketTimer_cancel (ws->poll, ws->timer);
  ws->timer = NULL;
  ws->poll = NULL;
}
