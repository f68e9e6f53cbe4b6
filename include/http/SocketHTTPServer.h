/**
 * @file SocketHTTPServer.h
 * @brief Event-driven HTTP server: HTTP/1.0, HTTP/1.1 and HTTP/2 (ALPN
 *        "h2" over TLS, h2c by upgrade or prior knowledge), with the
 *        WebSocket upgrade.
 *
 * One thread drives everything: SocketHTTPServer_process() waits on the
 * server's internal SocketPoll, accepts, reads, parses, calls the handler
 * and writes. Sockets are non-blocking; nothing in the loop blocks on a
 * peer.
 *
 * @par Requests and responses
 * The handler runs synchronously inside SocketHTTPServer_process() once a
 * request is complete: its head and its whole body (Content-Length or
 * chunked; for HTTP/2 all DATA) are available. The response is built on
 * the same handle (status preset to 200, headers, body) and is queued for
 * sending by SocketHTTPServer_Request_finish(); a handler that returns
 * without calling it gets its response finished on return. After finish
 * the response can no longer change (later setters are ignored).
 *
 * @par Request lifetime
 * A SocketHTTPServer_Request_T and everything its getters return are
 * valid only during the handler call (upgrade_websocket ends it earlier).
 * Memory from SocketHTTPServer_Request_arena() lives until the client
 * connection closes.
 *
 * @par HTTP/1.x
 * Persistent connections per RFC 9112 section 9.3 (HTTP/1.0 only with
 * "Connection: keep-alive"); pipelined requests are answered in order;
 * "Expect: 100-continue" is answered with 100 before the body is read;
 * HEAD responses carry Content-Length but no body. Bad input is answered
 * and the connection closed: 400 (malformed), 413 (body over
 * max_body_size), 431 (head over max_header_size), 414 (request line too
 * long), 408 (request not complete within request_timeout_ms). Request
 * smuggling patterns (Content-Length with Transfer-Encoding, bad chunk
 * sizes, ...) are 400.
 * The response to the last request allowed by max_requests_per_connection
 * carries "Connection: close".
 *
 * @par HTTP/2
 * With max_version HTTP_VERSION_2: a TLS client that selects "h2" by ALPN,
 * a cleartext client that starts with the connection preface (prior
 * knowledge), and, with enable_h2c_upgrade, a request with "Upgrade: h2c"
 * and no body (answered 101, then served as stream 1 once the client's
 * preface is in). Streams map to the same request API (pseudo-headers
 * give method, path and authority; a "host" header is added from
 * :authority). A body over max_body_size is answered 413 without calling
 * the handler; after max_requests_per_connection streams a GOAWAY lets
 * the open ones finish.
 *
 * @par Limits and timeouts
 * At most max_connections clients: further connections are accepted and
 * closed at once. keepalive_timeout_ms closes a connection idle between
 * requests (HTTP/2: with no stream open); request_timeout_ms bounds the
 * TLS handshake and each HTTP/1 request from its first byte (HTTP/2
 * streams are bounded by the engine's own timeouts and flow control).
 * Both are checked by SocketHTTPServer_process(), which waits no longer
 * than the next deadline.
 *
 * Thread-safety: a server is used by one thread at a time (all calls,
 * including the handler, run on the thread calling process).
 * config_defaults is reentrant. A handler must not call process or free
 * on its own server (SocketHTTPServer_Failed).
 */
#ifndef SOCKETHTTPSERVER_INCLUDED
#define SOCKETHTTPSERVER_INCLUDED

#include <stddef.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketExport.h"
#include "http/SocketHTTP.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
#else
typedef struct SocketTLSContext_T *SocketTLSContext_T;
#endif

/* ===================================================================== */
/* Defaults                                                              */
/* ===================================================================== */

#define HTTPSERVER_DEFAULT_BACKLOG 128
#define HTTPSERVER_DEFAULT_MAX_CONNECTIONS 1000
#define HTTPSERVER_DEFAULT_REQUEST_TIMEOUT_MS 30000
#define HTTPSERVER_DEFAULT_KEEPALIVE_TIMEOUT_MS 60000
#define HTTPSERVER_DEFAULT_MAX_HEADER_SIZE (64 * 1024)
#define HTTPSERVER_DEFAULT_MAX_BODY_SIZE (10 * 1024 * 1024)
#define HTTPSERVER_DEFAULT_MAX_REQUESTS_PER_CONN 1000

/* ===================================================================== */
/* Types                                                                 */
/* ===================================================================== */

typedef struct SocketWS *SocketWS_T;

/** Server settings; SocketHTTPServer_config_defaults() or HTTPSERVER_CONFIG_DEFAULTS. */
typedef struct
{
  int port;                           /**< TCP port (0 = ephemeral; see SocketHTTPServer_port()) */
  const char *bind_address;           /**< NULL/"" = all (IPv6 dual-stack, else IPv4); read at start */
  int backlog;                        /**< listen() backlog */
  SocketTLSContext_T tls_context;     /**< server TLS context (borrowed), or NULL for cleartext */
  SocketHTTP_Version max_version;     /**< HTTP_VERSION_2 enables HTTP/2, HTTP_VERSION_1_1 turns it off */
  int enable_h2c_upgrade;             /**< 1: honour "Upgrade: h2c" on cleartext connections */
  size_t max_header_size;             /**< request head bytes (431 beyond) */
  size_t max_body_size;               /**< request body bytes (413 beyond) */
  int request_timeout_ms;             /**< first byte to complete request (408); <= 0 = none */
  int keepalive_timeout_ms;           /**< idle time between requests; <= 0 = none */
  size_t max_connections;             /**< concurrent clients */
  size_t max_requests_per_connection; /**< then "Connection: close" (HTTP/1) or GOAWAY (HTTP/2); 0 = no limit */
} SocketHTTPServer_Config;

/** README form of SocketHTTPServer_config_defaults(): `Config c = HTTPSERVER_CONFIG_DEFAULTS;`. */
#define HTTPSERVER_CONFIG_DEFAULTS                                                                                    \
  { 8080,                                                                                                             \
    NULL,                                                                                                             \
    HTTPSERVER_DEFAULT_BACKLOG,                                                                                       \
    NULL,                                                                                                             \
    HTTP_VERSION_2,                                                                                                   \
    0,                                                                                                                \
    HTTPSERVER_DEFAULT_MAX_HEADER_SIZE,                                                                               \
    HTTPSERVER_DEFAULT_MAX_BODY_SIZE,                                                                                 \
    HTTPSERVER_DEFAULT_REQUEST_TIMEOUT_MS,                                                                            \
    HTTPSERVER_DEFAULT_KEEPALIVE_TIMEOUT_MS,                                                                          \
    HTTPSERVER_DEFAULT_MAX_CONNECTIONS,                                                                               \
    HTTPSERVER_DEFAULT_MAX_REQUESTS_PER_CONN }

typedef struct SocketHTTPServer *SocketHTTPServer_T;
typedef struct SocketHTTPServer_Request *SocketHTTPServer_Request_T;

/** Request handler (header form). @p userdata as given to set_handler. */
typedef void (*SocketHTTPServer_Handler) (SocketHTTPServer_Request_T req, void *userdata);

/**
 * Response handle of the README handler form. It designates the same
 * exchange as the request it comes with; the SocketHTTPServer_Response_*
 * calls are the SocketHTTPServer_Request_* response builders.
 */
typedef struct SocketHTTPServer_Response *SocketHTTPServer_Response_T;

/** Request handler (README form), registered through SocketHTTPServer_set_handler() too. */
typedef void (*SocketHTTPServer_ResponseHandler) (SocketHTTPServer_Request_T req, SocketHTTPServer_Response_T resp,
                                                  void *userdata);

/** Counters since SocketHTTPServer_new(). */
typedef struct
{
  size_t active_connections;   /**< client connections open now */
  size_t total_requests;       /**< handler invocations */
  size_t total_bytes_sent;     /**< bytes written to clients (after TLS: plaintext) */
  size_t total_bytes_received; /**< bytes read from clients (plaintext) */
} SocketHTTPServer_Stats;

extern SOCKET_API const Except_T SocketHTTPServer_Failed;
extern SOCKET_API const Except_T SocketHTTPServer_BindFailed;
extern SOCKET_API const Except_T SocketHTTPServer_ProtocolError;

/* ===================================================================== */
/* Server                                                                */
/* ===================================================================== */

/**
 * @brief Zero @p config, then set the defaults: port 8080, backlog 128,
 *        max_version HTTP_VERSION_2, h2c upgrade off, the
 *        HTTPSERVER_DEFAULT_* limits. Reentrant.
 */
extern SOCKET_API void SocketHTTPServer_config_defaults (SocketHTTPServer_Config *config);

/**
 * @brief Create a server (not yet listening).
 * @param config copied (NULL = defaults); bind_address is kept by pointer
 *        and read by start. With a tls_context, ALPN is set on it to
 *        "h2","http/1.1" (or "http/1.1" when max_version is below 2).
 * @return the server; release with SocketHTTPServer_free().
 * Raises: SocketHTTPServer_Failed when memory or the poll instance cannot
 *         be had, or max_connections is 0.
 */
extern SOCKET_API SocketHTTPServer_T SocketHTTPServer_new (const SocketHTTPServer_Config *config);

/**
 * @brief README form `SocketHTTPServer_new(NULL, &config)`: @p reserved
 *        must be NULL (it names nothing in this library).
 * Raises: as SocketHTTPServer_new(); SocketHTTPServer_Failed when
 *         @p reserved is not NULL.
 */
extern SOCKET_API SocketHTTPServer_T SocketHTTPServer_new_readme (void *reserved,
                                                                 const SocketHTTPServer_Config *config);

/**
 * @brief Close every connection and the listener, free everything, set
 *        *@p server to NULL. NULL pointer or handle: no-op. Must not be
 *        called from a handler.
 */
extern SOCKET_API void SocketHTTPServer_free (SocketHTTPServer_T *server);

/**
 * @brief Bind and listen (non-blocking listener on the internal poll).
 *        bind_address NULL or "" binds "::" (dual-stack), falling back to
 *        "0.0.0.0". Already running: no-op.
 * @return 0.
 * Raises: SocketHTTPServer_BindFailed when the listening socket cannot
 *         be created, bound or listened on (the reason names address,
 *         port and errno).
 */
extern SOCKET_API int SocketHTTPServer_start (SocketHTTPServer_T server);

/**
 * @brief Stop accepting: the listener is closed; open connections keep
 *        being served by process. start may be called again. No-op when
 *        not running.
 */
extern SOCKET_API void SocketHTTPServer_stop (SocketHTTPServer_T server);

/**
 * @brief Set the handler (header form); replaces the previous one (of
 *        either form). NULL: requests get "404 Not Found".
 */
extern SOCKET_API void SocketHTTPServer_set_handler (SocketHTTPServer_T server, SocketHTTPServer_Handler handler,
                                                     void *userdata);

/** @brief Set a README-form handler; replaces the previous one. */
extern SOCKET_API void SocketHTTPServer_set_response_handler (SocketHTTPServer_T server,
                                                              SocketHTTPServer_ResponseHandler handler,
                                                              void *userdata);

/** @brief The listening descriptor, or -1 when not listening. */
extern SOCKET_API int SocketHTTPServer_fd (SocketHTTPServer_T server);

/** @brief The bound port (useful with port 0), or -1 when not listening. */
extern SOCKET_API int SocketHTTPServer_port (SocketHTTPServer_T server);

/**
 * @brief One loop step: wait up to @p timeout_ms (-1 forever, 0 not at
 *        all; shortened to the next connection deadline) for events,
 *        accept, read, call handlers, write, expire timeouts.
 * @return the number of handler invocations in this call.
 * Raises: SocketPoll_Failed if the wait fails; SocketHTTPServer_Failed
 *         when called from a handler. An exception escaping a
 *         handler does not leave process: the client gets 500 (unless
 *         the response was already finished) and its connection is
 *         closed (HTTP/2: the stream is reset).
 */
extern SOCKET_API int SocketHTTPServer_process (SocketHTTPServer_T server, int timeout_ms);

/**
 * @brief The internal poll (owned by the server; do not free or add
 *        sockets with data of your own: events on it are the server's).
 */
extern SOCKET_API SocketPoll_T SocketHTTPServer_poll (SocketHTTPServer_T server);

/** @brief Fill @p stats (zeroed first). */
extern SOCKET_API void SocketHTTPServer_stats (SocketHTTPServer_T server, SocketHTTPServer_Stats *stats);

/* ===================================================================== */
/* Request (valid during the handler call)                               */
/* ===================================================================== */

/** @brief The method (HTTP_METHOD_UNKNOWN for an extension method). */
extern SOCKET_API SocketHTTP_Method SocketHTTPServer_Request_method (SocketHTTPServer_Request_T req);

/** @brief The request-target as received, query included ("/a?b=1"); "/" for NULL. */
extern SOCKET_API const char *SocketHTTPServer_Request_path (SocketHTTPServer_Request_T req);

/** @brief What follows the first '?' of the target (not decoded), or NULL. */
extern SOCKET_API const char *SocketHTTPServer_Request_query (SocketHTTPServer_Request_T req);

/** @brief README name: the request-target (same as SocketHTTPServer_Request_path()). */
extern SOCKET_API const char *SocketHTTPServer_Request_uri (SocketHTTPServer_Request_T req);

/** @brief Request headers (server-owned; for HTTP/2 without pseudo-headers). */
extern SOCKET_API SocketHTTP_Headers_T SocketHTTPServer_Request_headers (SocketHTTPServer_Request_T req);

/** @brief The whole request body (not NUL-terminated), or NULL without one. */
extern SOCKET_API const void *SocketHTTPServer_Request_body (SocketHTTPServer_Request_T req);

/** @brief Body length (0 without one). */
extern SOCKET_API size_t SocketHTTPServer_Request_body_len (SocketHTTPServer_Request_T req);

/** @brief Peer IP address as text (no port); "(unknown)" when not known. */
extern SOCKET_API const char *SocketHTTPServer_Request_client_addr (SocketHTTPServer_Request_T req);

/** @brief HTTP_VERSION_1_0, HTTP_VERSION_1_1 or HTTP_VERSION_2. */
extern SOCKET_API SocketHTTP_Version SocketHTTPServer_Request_version (SocketHTTPServer_Request_T req);

/** @brief The connection's arena: allocations live until the client connection closes. Do not dispose. */
extern SOCKET_API Arena_T SocketHTTPServer_Request_arena (SocketHTTPServer_Request_T req);

/* ===================================================================== */
/* Response (built on the request)                                       */
/* ===================================================================== */

/**
 * @brief Status code (default 200). The reason phrase comes from the code
 *        ("Unknown" when unlisted). Codes outside 100..999 are stored as
 *        500; a 1xx is not a final answer and is sent as 500. Ignored
 *        after finish.
 */
extern SOCKET_API void SocketHTTPServer_Request_status (SocketHTTPServer_Request_T req, int code);

/**
 * @brief Add a response header (copied; duplicates kept). An invalid name
 *        or value is dropped. Content-Length and Transfer-Encoding are
 *        the server's: set here they are ignored. Ignored after finish.
 */
extern SOCKET_API void SocketHTTPServer_Request_header (SocketHTTPServer_Request_T req, const char *name,
                                                        const char *value);

/** @brief Set (replace) the response body, copied; NULL/0 clears it. Ignored after finish. */
extern SOCKET_API void SocketHTTPServer_Request_body_data (SocketHTTPServer_Request_T req, const void *data,
                                                           size_t len);

/** @brief body_data(req, str, strlen(str)); NULL clears the body. */
extern SOCKET_API void SocketHTTPServer_Request_body_string (SocketHTTPServer_Request_T req, const char *str);

/**
 * @brief Complete the response. HTTP/1: serialized and written now, as far
 *        as the socket takes it (the rest by process), before the handler
 *        returns. HTTP/2: the frames are queued now and written as soon as
 *        the handler returns to the server (the handler runs inside the
 *        HTTP/2 engine), the body as flow control allows. Idempotent.
 */
extern SOCKET_API void SocketHTTPServer_Request_finish (SocketHTTPServer_Request_T req);

/**
 * @brief 1 if the request asks for a WebSocket upgrade: "Upgrade:
 *        websocket" (case-insensitive, whole value) and a Connection
 *        header with the "upgrade" token; 0 otherwise (always for HTTP/2).
 */
extern SOCKET_API int SocketHTTPServer_Request_is_websocket (SocketHTTPServer_Request_T req);

/**
 * @brief Take the connection over as a WebSocket (RFC 6455): responses
 *        already queued are written, the 101 is sent (SocketWS_handshake()
 *        completes it if the socket was full), and bytes the client sent
 *        after the request are passed to the WebSocket.
 * @return a SocketWS_T in OPEN (or CONNECTING, see above), or NULL when
 *         the request is not a valid RFC 6455 upgrade, arrived over
 *         HTTP/2, or earlier responses could not be written within
 *         request_timeout_ms; the request then stays valid and the
 *         handler answers it as usual (e.g. 400).
 *         On success the request handle is finished and invalid (its
 *         response is the 101), and the connection leaves the server: the
 *         caller owns the socket: `Socket_T s = SocketWS_socket(ws);
 *         SocketWS_free(&ws); Socket_free(&s);`.
 */
extern SOCKET_API SocketWS_T SocketHTTPServer_Request_upgrade_websocket (SocketHTTPServer_Request_T req);

/* ===================================================================== */
/* README forms (argument-count and handler-type dispatch)               */
/* ===================================================================== */

/** @brief README name of SocketHTTPServer_Request_status(). */
extern SOCKET_API void SocketHTTPServer_Response_status (SocketHTTPServer_Response_T resp, int code);
/** @brief README name of SocketHTTPServer_Request_header(). */
extern SOCKET_API void SocketHTTPServer_Response_header (SocketHTTPServer_Response_T resp, const char *name,
                                                         const char *value);
/** @brief README name of SocketHTTPServer_Request_body_data(). */
extern SOCKET_API void SocketHTTPServer_Response_body (SocketHTTPServer_Response_T resp, const void *data,
                                                       size_t len);
/** @brief README name of SocketHTTPServer_Request_finish(). */
extern SOCKET_API void SocketHTTPServer_Response_send (SocketHTTPServer_Response_T resp);

#define SOCKETHTTPSERVER_ARGC_N_(_1, _2, N, ...) N
#define SOCKETHTTPSERVER_ARGC_(...) SOCKETHTTPSERVER_ARGC_N_ (__VA_ARGS__, 2, 1, 0)
#define SOCKETHTTPSERVER_CAT_(a, b) a##b
#define SOCKETHTTPSERVER_DISPATCH_(name, n) SOCKETHTTPSERVER_CAT_ (name, n)

#define SOCKETHTTPSERVER_NEW_1(config) (SocketHTTPServer_new) (config)
#define SOCKETHTTPSERVER_NEW_2(reserved, config) SocketHTTPServer_new_readme (reserved, config)
/** Header form (config) or README form (NULL, config). */
#define SocketHTTPServer_new(...)                                                                                     \
  SOCKETHTTPSERVER_DISPATCH_ (SOCKETHTTPSERVER_NEW_, SOCKETHTTPSERVER_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

#define SOCKETHTTPSERVER_POLL_1(server) (SocketHTTPServer_poll) (server)
#define SOCKETHTTPSERVER_POLL_2(server, timeout_ms) SocketHTTPServer_process (server, timeout_ms)
/** Header form (the poll instance) or README form (server, timeout_ms): one process() step. */
#define SocketHTTPServer_poll(...)                                                                                    \
  SOCKETHTTPSERVER_DISPATCH_ (SOCKETHTTPSERVER_POLL_, SOCKETHTTPSERVER_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

/** Either handler form; the function-pointer type picks the registration. */
#define SocketHTTPServer_set_handler(server, handler, userdata)                                                       \
  _Generic ((handler),                                                                                                \
      SocketHTTPServer_ResponseHandler: SocketHTTPServer_set_response_handler,                                        \
      default: (SocketHTTPServer_set_handler)) (server, handler, userdata)

#endif /* SOCKETHTTPSERVER_INCLUDED */
