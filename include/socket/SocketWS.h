/**
 * @file SocketWS.h
 * @brief WebSocket connections (RFC 6455) with permessage-deflate (RFC 7692)
 *        over a Socket_T, plain or TLS.
 *
 * A connection is built on the I/O-free codec of socket/SocketWSExt.h and a
 * borrowed socket: the WebSocket never closes or frees it.
 *
 * Answers to the questions the original header left open:
 * - SocketWS_recv_message() on a blocking socket blocks until a message or
 *   the close; on a non-blocking socket with no complete message buffered
 *   it returns -1 with SocketWS_last_error() == WS_ERROR_WOULD_BLOCK.
 * - SocketWS_recv_available() counts complete messages already buffered,
 *   including bytes SocketWS_process() read: an event loop drains them with
 *   recv_message while recv_available() > 0. Buffered bytes are parsed
 *   lazily (up to the next complete message), so a peer's CLOSE is acted on
 *   only after the messages before it were taken: replies to them still go
 *   out before our closing answer.
 * - On a receive error the library queues the close RFC 6455 requires
 *   itself (1002 protocol, 1007 invalid UTF-8, 1009 too big) and reports it
 *   through close_code()/last_error().
 * - A send above any buffer size is split into frames of at most
 *   max_frame_size bytes and queued; sends fail for size only above
 *   max_message_size (WS_ERROR_MESSAGE_TOO_LARGE).
 * - Bytes that arrived after the HTTP upgrade request (the client's first
 *   frames) are passed in with SocketWSExt_server_accept_data().
 * - Socket errors and EOF do not raise out of the WebSocket calls: the
 *   connection becomes CLOSED with close code 1006 (WS_ERROR_CLOSED).
 *
 * Thread-safety: SocketWS_config_defaults, SocketWS_client_new,
 * SocketWS_is_upgrade, SocketWS_server_accept, SocketWS_server_reject and
 * SocketWS_error_string are thread-safe; calls on one instance are not.
 */
#ifndef SOCKETWS_INCLUDED
#define SOCKETWS_INCLUDED

#include <stddef.h>

#include "core/Except.h"
#include "core/SocketExport.h"
#include "http/SocketHTTP.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

/** A WebSocket connection. */
typedef struct SocketWS *SocketWS_T;

/** Frame opcodes (RFC 6455 §5.2). */
typedef enum
{
  WS_OPCODE_CONTINUATION = 0,
  WS_OPCODE_TEXT = 1,
  WS_OPCODE_BINARY = 2,
  WS_OPCODE_CLOSE = 8,
  WS_OPCODE_PING = 9,
  WS_OPCODE_PONG = 10
} SocketWS_Opcode;

/** Close status codes (RFC 6455 §7.4.1). 1005, 1006 and 1015 never go on the wire. */
typedef enum
{
  WS_CLOSE_NORMAL = 1000,
  WS_CLOSE_GOING_AWAY = 1001,
  WS_CLOSE_PROTOCOL_ERROR = 1002,
  WS_CLOSE_UNSUPPORTED_DATA = 1003,
  WS_CLOSE_NO_STATUS = 1005,
  WS_CLOSE_ABNORMAL = 1006,
  WS_CLOSE_INVALID_PAYLOAD = 1007,
  WS_CLOSE_POLICY_VIOLATION = 1008,
  WS_CLOSE_MESSAGE_TOO_BIG = 1009,
  WS_CLOSE_MANDATORY_EXT = 1010,
  WS_CLOSE_INTERNAL_ERROR = 1011,
  WS_CLOSE_SERVICE_RESTART = 1012,
  WS_CLOSE_TRY_AGAIN_LATER = 1013,
  WS_CLOSE_BAD_GATEWAY = 1014,
  WS_CLOSE_TLS_HANDSHAKE = 1015
} SocketWS_CloseCode;

/** Connection state. */
typedef enum
{
  WS_STATE_CONNECTING = 0,
  WS_STATE_OPEN = 1,
  WS_STATE_CLOSING = 2, /**< a CLOSE was sent or received, not both */
  WS_STATE_CLOSED = 3
} SocketWS_State;

/** Endpoint role: clients mask their frames, servers require masked frames. */
typedef enum
{
  WS_ROLE_CLIENT = 0,
  WS_ROLE_SERVER = 1
} SocketWS_Role;

/** Error codes (SocketWS_last_error, SocketWS_error_string). */
typedef enum
{
  WS_OK = 0,
  WS_ERROR = 1,
  WS_ERROR_HANDSHAKE = 2,
  WS_ERROR_PROTOCOL = 3,
  WS_ERROR_FRAME_TOO_LARGE = 4,
  WS_ERROR_MESSAGE_TOO_LARGE = 5,
  WS_ERROR_INVALID_UTF8 = 6,
  WS_ERROR_COMPRESSION = 7,
  WS_ERROR_CLOSED = 8,
  WS_ERROR_WOULD_BLOCK = 9,
  WS_ERROR_TIMEOUT = 10
} SocketWS_Error;

/** Connection settings; start from SocketWS_config_defaults() or SOCKETWS_CONFIG_DEFAULTS. */
typedef struct
{
  SocketWS_Role role;            /**< forced by client_new / server_accept */
  size_t max_frame_size;         /**< largest frame accepted, and the size sends are split at */
  size_t max_message_size;       /**< largest message (after decompression) sent or accepted */
  size_t max_fragments;          /**< most frames per received message */
  int validate_utf8;             /**< 1: TEXT messages and close reasons must be UTF-8 */
  int enable_permessage_deflate; /**< 1: offer (client) / accept (server) permessage-deflate */
  int deflate_no_context_takeover; /**< 1: ask for no context takeover in both directions */
  int deflate_max_window_bits;   /**< 9..15: LZ77 window of the peer's compressor we accept */
  const char **subprotocols;     /**< NULL-terminated list, borrowed until the handshake ends */
  int ping_interval_ms;          /**< auto-ping interval (0: off) */
  int ping_timeout_ms;           /**< a pong must arrive within this after an auto-ping */
} SocketWS_Config;

/** A frame as seen on the wire (payload unmasked). */
typedef struct
{
  SocketWS_Opcode opcode;
  int fin;
  int rsv1;
  const unsigned char *payload;
  size_t payload_len;
} SocketWS_Frame;

/** A complete received message. Release @c data with SocketWS_Message_free() or free(). */
typedef struct
{
  union
  {
    SocketWS_Opcode type;   /**< WS_OPCODE_TEXT or WS_OPCODE_BINARY */
    SocketWS_Opcode opcode; /**< README name of @c type */
  };
  unsigned char *data; /**< NUL-terminated (not counted in len) */
  size_t len;
} SocketWS_Message;

/** Raised by client_new/server_accept when the connection cannot be set up. */
extern SOCKET_API const Except_T SocketWS_Failed;
/** Reserved for protocol violations by code that prefers exceptions (the API itself reports them with -1). */
extern SOCKET_API const Except_T SocketWS_ProtocolError;
/** Reserved for use of a closed connection by code that prefers exceptions. */
extern SOCKET_API const Except_T SocketWS_Closed;

/**
 * @brief Defaults: client, max_frame_size 16 MiB, max_message_size 64 MiB,
 *        max_fragments 1000, validate_utf8 1, deflate off (window 15,
 *        context takeover on), no subprotocols, auto-ping off, ping
 *        timeout 30000 ms.
 */
extern SOCKET_API void SocketWS_config_defaults (SocketWS_Config *config);

/** README form of SocketWS_config_defaults() as an initializer. */
#define SOCKETWS_CONFIG_DEFAULTS                                                                                      \
  {                                                                                                                   \
    .role = WS_ROLE_CLIENT, .max_frame_size = (size_t)16 << 20, .max_message_size = (size_t)64 << 20,                 \
    .max_fragments = 1000, .validate_utf8 = 1, .enable_permessage_deflate = 0, .deflate_no_context_takeover = 0,      \
    .deflate_max_window_bits = 15, .subprotocols = NULL, .ping_interval_ms = 0, .ping_timeout_ms = 30000              \
  }

/**
 * @brief Client connection over a connected @p socket (borrowed).
 * @param host  Host header value (copied; required).
 * @param path  request target (copied); NULL means "/".
 * @param config copied (NULL: defaults); role forced to CLIENT;
 *        @c subprotocols is borrowed until the handshake ends.
 * @return a connection in CONNECTING with the request built (not sent).
 * Raises: SocketWS_Failed (bad host/path characters, request over 4096
 *         bytes, no randomness, out of memory).
 */
extern SOCKET_API SocketWS_T SocketWS_client_new (Socket_T socket, const char *host, const char *path,
                                                  const SocketWS_Config *config);

/**
 * @brief 1 when @p request asks for a WebSocket upgrade (Upgrade:
 *        websocket, Connection containing the "upgrade" token,
 *        Sec-WebSocket-Version present), else 0 (also for NULL).
 */
extern SOCKET_API int SocketWS_is_upgrade (const SocketHTTP_Request *request);

/**
 * @brief Server connection for an upgrade @p request read from @p socket
 *        (borrowed). Bytes read after the request head are lost here: use
 *        SocketWSExt_server_accept_data() to pass them on.
 * @return a connection in CONNECTING with the 101 response built; call
 *         SocketWS_handshake() to send it.
 * Raises: SocketWS_Failed when the request is not a valid RFC 6455 upgrade
 *         (method GET, HTTP/1.1 or later, Upgrade websocket, Connection
 *         upgrade, Sec-WebSocket-Version 13, key = base64 of 16 bytes) or
 *         on allocation failure.
 */
extern SOCKET_API SocketWS_T SocketWS_server_accept (Socket_T socket, const SocketHTTP_Request *request,
                                                     const SocketWS_Config *config);

/**
 * @brief Send an HTTP error response (Content-Type text/plain, body =
 *        reason, Connection: close). NULL @p socket: no-op; NULL @p reason:
 *        "Rejected". Does not close the socket. Socket exceptions propagate.
 */
extern SOCKET_API void SocketWS_server_reject (Socket_T socket, int status_code, const char *reason);

/**
 * @brief Free the connection (not the socket), cancel auto-ping, set *@p ws
 *        NULL. NULL-safe. With auto-ping on, call it (or
 *        SocketWS_disable_auto_ping) before freeing the poll.
 */
extern SOCKET_API void SocketWS_free (SocketWS_T *ws);

/**
 * @brief Drive the opening handshake.
 * @return 0 complete (state OPEN), 1 in progress (non-blocking socket:
 *         wait for SocketWS_poll_events() and call again), -1 failed
 *         (WS_ERROR_HANDSHAKE; a 3xx redirect is refused) or not CONNECTING.
 */
extern SOCKET_API int SocketWS_handshake (SocketWS_T ws);

/** @brief Current state. */
extern SOCKET_API SocketWS_State SocketWS_state (SocketWS_T ws);
/** @brief The borrowed socket. */
extern SOCKET_API Socket_T SocketWS_socket (SocketWS_T ws);
/** @brief Negotiated subprotocol (owned by @p ws), or NULL. */
extern SOCKET_API const char *SocketWS_selected_subprotocol (SocketWS_T ws);
/** @brief 1 if permessage-deflate was negotiated, else 0. */
extern SOCKET_API int SocketWS_compression_enabled (SocketWS_T ws);

/**
 * @brief Send a TEXT message (split into frames of max_frame_size, queued
 *        beyond what the socket takes now).
 * @return 0 queued/sent; -1: not OPEN (WS_ERROR_CLOSED), invalid UTF-8
 *         with validate_utf8 (WS_ERROR_INVALID_UTF8), above
 *         max_message_size (WS_ERROR_MESSAGE_TOO_LARGE).
 */
extern SOCKET_API int SocketWS_send_text (SocketWS_T ws, const char *data, size_t len);
/** @brief As SocketWS_send_text() for a BINARY message, without UTF-8 checks. */
extern SOCKET_API int SocketWS_send_binary (SocketWS_T ws, const void *data, size_t len);
/** @brief Send a PING (payload <= 125 bytes, else -1 WS_ERROR_PROTOCOL). @return 0 or -1. */
extern SOCKET_API int SocketWS_ping (SocketWS_T ws, const void *data, size_t len);
/** @brief Send an unsolicited PONG (payload truncated to 125 bytes). @return 0 or -1. */
extern SOCKET_API int SocketWS_pong (SocketWS_T ws, const void *data, size_t len);

/**
 * @brief Start the closing handshake with @p code and @p reason (NULL
 *        allowed, truncated to 123 bytes on a UTF-8 boundary). 1005 sends
 *        an empty CLOSE; a code that may not go on the wire (below 1000,
 *        1004, 1006, 1015, 1016..2999, above 4999) is refused with -1
 *        (WS_ERROR_PROTOCOL).
 * @return 0 on success or when a CLOSE was already sent (idempotent), -1 on error.
 */
extern SOCKET_API int SocketWS_close (SocketWS_T ws, int code, const char *reason);

/** @brief README form SocketWS_close(ws, code, reason, reason_len). */
extern SOCKET_API int SocketWS_close_len (SocketWS_T ws, int code, const char *reason, size_t reason_len);

/**
 * @brief Next complete TEXT/BINARY message. Control frames are handled
 *        inside (pings answered, close echoed).
 * @return 1 with @p msg filled (release with SocketWS_Message_free()),
 *         0 once the connection is closed and no message is left, -1 on
 *         error (last_error; WS_ERROR_WOULD_BLOCK on a non-blocking socket
 *         with nothing complete). @p msg is zeroed unless 1 is returned.
 */
extern SOCKET_API int SocketWS_recv_message (SocketWS_T ws, SocketWS_Message *msg);

/**
 * @brief Complete messages readable without blocking: 0 when none, else
 *        the number parsed so far (at least 1; parsing stops at the first
 *        complete message, so call again after each recv_message).
 */
extern SOCKET_API int SocketWS_recv_available (SocketWS_T ws);

/** @brief Release a message's data and zero it. NULL-safe. */
extern SOCKET_API void SocketWS_Message_free (SocketWS_Message *msg);

/** @brief The socket's descriptor. */
extern SOCKET_API int SocketWS_pollfd (SocketWS_T ws);
/** @brief POLL_READ, plus POLL_WRITE while output is queued. */
extern SOCKET_API unsigned SocketWS_poll_events (SocketWS_T ws);

/**
 * @brief Handle poll @p events: POLL_WRITE flushes queued output, POLL_READ
 *        reads until the socket would block and parses everything (pings
 *        answered, messages buffered for recv_message, close echoed).
 *        Nothing to read is not an error. POLL_ERROR/POLL_HANGUP with no
 *        data → CLOSED 1006. While CONNECTING it advances the handshake.
 * @return 0, or -1 when the connection failed or closed (last_error).
 */
extern SOCKET_API int SocketWS_process (SocketWS_T ws, unsigned events);

/**
 * @brief Ping every config.ping_interval_ms with a SocketTimer on @p poll
 *        (run from SocketPoll_wait). When no pong arrived within
 *        ping_timeout_ms of a ping, a CLOSE 1001 "Ping timeout" is queued,
 *        the state becomes CLOSED with close code 1006 and last_error
 *        WS_ERROR_TIMEOUT.
 * @return 0 (also when the interval is <= 0: nothing to do), -1 for a NULL
 *         poll or a timer failure.
 */
extern SOCKET_API int SocketWS_enable_auto_ping (SocketWS_T ws, SocketPoll_T poll);
/** @brief Cancel auto-ping; no-op if off. */
extern SOCKET_API void SocketWS_disable_auto_ping (SocketWS_T ws);

/** @brief The peer's close code (1005 if its CLOSE had none), our own after SocketWS_close, 1006 on abnormal end; 0 if none. */
extern SOCKET_API int SocketWS_close_code (SocketWS_T ws);
/** @brief The close reason recorded with close_code (owned by @p ws), or NULL. */
extern SOCKET_API const char *SocketWS_close_reason (SocketWS_T ws);
/** @brief The most recent error (WS_OK if none). */
extern SOCKET_API SocketWS_Error SocketWS_last_error (SocketWS_T ws);
/** @brief Static text of @p error ("Unknown error" for unknown values). */
extern SOCKET_API const char *SocketWS_error_string (SocketWS_Error error);

#define SOCKETWS_ARGC_N_(_1, _2, _3, _4, N, ...) N
#define SOCKETWS_ARGC_(...) SOCKETWS_ARGC_N_ (__VA_ARGS__, 4, 3, 2, 1, 0)
#define SOCKETWS_CAT_(a, b) a##b
#define SOCKETWS_DISPATCH_(name, n) SOCKETWS_CAT_ (name, n)
#define SOCKETWS_CLOSE_3(ws, code, reason) (SocketWS_close) (ws, code, reason)
#define SOCKETWS_CLOSE_4(ws, code, reason, len) SocketWS_close_len (ws, code, reason, len)
/** Header form (3 arguments) or README form (with the reason length, 4 arguments). */
#define SocketWS_close(...) SOCKETWS_DISPATCH_ (SOCKETWS_CLOSE_, SOCKETWS_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

#endif /* SOCKETWS_INCLUDED */
