/**
 * @file SocketProxy.h
 * @brief Outbound connections through a proxy: HTTP CONNECT (RFC 9110
 *        §9.3.6, Basic auth), SOCKS4, SOCKS4a and SOCKS5 (RFC 1928, with
 *        RFC 1929 username/password).
 *
 * Three ways to use it:
 * - SocketProxy_connect(): blocking; returns a socket already tunnelled to
 *   the target, bounded by the config's two timeouts.
 * - SocketProxy_tunnel(): runs the handshake on a socket the caller has
 *   already connected to the proxy.
 * - SocketProxy_Conn_new() + SocketProxy_Conn_process(): the handshake as a
 *   state machine stepped from the caller's event loop
 *   (SocketProxy_Conn_fd(), SocketProxy_Conn_events(),
 *   SocketProxy_Conn_next_timeout_ms()).
 *
 * The handshake itself is a codec without I/O (socket/SocketProxyExt.h),
 * so the same code serves all three and the Go bindings.
 *
 * SOCKS5 and SOCKS5H send IPv4/IPv6 literals as addresses and anything else
 * as a domain name resolved by the proxy. SOCKS4 accepts only an IPv4
 * literal target (SOCKS4A carries names). HTTPS is CONNECT over TLS to the
 * proxy when the library is built with TLS.
 *
 * Errors: invalid configuration or target raises SocketProxy_Failed;
 * everything that happens on the wire is reported as a SocketProxy_Result
 * (and raised as SocketProxy_Failed by SocketProxy_connect()).
 *
 * Thread-safety: SocketProxy_config_defaults, SocketProxy_connect,
 * SocketProxy_Conn_new and the *_string functions are thread-safe;
 * SocketProxy_parse_url is when @p arena is NULL or not shared; a
 * SocketProxy_Conn_T and SocketProxy_tunnel on one socket belong to one
 * thread at a time.
 */
#ifndef SOCKETPROXY_INCLUDED
#define SOCKETPROXY_INCLUDED

#include <stddef.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketConfig.h"
#include "socket/Socket.h"

/** Header set of the HTTP module (extra CONNECT request headers). */
typedef struct SocketHTTP_Headers *SocketHTTP_Headers_T;

/** Default time to connect to the proxy, in milliseconds. */
#define SOCKET_PROXY_DEFAULT_CONNECT_TIMEOUT_MS 30000
/** Default time for the proxy handshake, in milliseconds. */
#define SOCKET_PROXY_DEFAULT_HANDSHAKE_TIMEOUT_MS 30000
/** Longest target or proxy host name accepted, in bytes. */
#define SOCKET_PROXY_MAX_HOSTNAME_LEN 255
/** Longest user name accepted, in bytes (RFC 1929 limit). */
#define SOCKET_PROXY_MAX_USERNAME_LEN 255
/** Longest password accepted, in bytes (RFC 1929 limit). */
#define SOCKET_PROXY_MAX_PASSWORD_LEN 255
/** Port used by SocketProxy_parse_url() for socks URLs without one. */
#define SOCKET_PROXY_DEFAULT_SOCKS_PORT 1080
/** Port used by SocketProxy_parse_url() for http URLs without one. */
#define SOCKET_PROXY_DEFAULT_HTTP_PORT 8080
/** Port used by SocketProxy_parse_url() for https URLs without one. */
#define SOCKET_PROXY_DEFAULT_HTTPS_PORT 8080

/** Proxy protocol. */
typedef enum
{
  SOCKET_PROXY_NONE = 0,   /**< no proxy (invalid for connecting) */
  SOCKET_PROXY_HTTP = 1,   /**< HTTP CONNECT */
  SOCKET_PROXY_HTTPS = 2,  /**< HTTP CONNECT over TLS to the proxy */
  SOCKET_PROXY_SOCKS4 = 3, /**< SOCKS4: IPv4 literal targets only */
  SOCKET_PROXY_SOCKS4A = 4, /**< SOCKS4a: names resolved by the proxy */
  SOCKET_PROXY_SOCKS5 = 5, /**< SOCKS5 */
  SOCKET_PROXY_SOCKS5H = 6 /**< SOCKS5, names resolved by the proxy */
} SocketProxyType;

/** Outcome of a proxy operation. */
typedef enum
{
  PROXY_OK = 0,                        /**< tunnel established */
  PROXY_IN_PROGRESS = 1,               /**< handshake not finished */
  PROXY_ERROR = 2,                     /**< general failure */
  PROXY_ERROR_CONNECT = 3,             /**< could not reach the proxy */
  PROXY_ERROR_AUTH_REQUIRED = 4,       /**< proxy wants credentials */
  PROXY_ERROR_AUTH_FAILED = 5,         /**< credentials refused */
  PROXY_ERROR_FORBIDDEN = 6,           /**< ruleset refused the target */
  PROXY_ERROR_HOST_UNREACHABLE = 7,    /**< target host unreachable */
  PROXY_ERROR_NETWORK_UNREACHABLE = 8, /**< target network unreachable */
  PROXY_ERROR_CONNECTION_REFUSED = 9,  /**< target refused the connection */
  PROXY_ERROR_TTL_EXPIRED = 10,        /**< SOCKS5 TTL expired */
  PROXY_ERROR_PROTOCOL = 11,           /**< malformed or unexpected reply */
  PROXY_ERROR_UNSUPPORTED = 12,        /**< command/address type refused */
  PROXY_ERROR_TIMEOUT = 13,            /**< a deadline passed */
  PROXY_ERROR_CANCELLED = 14           /**< SocketProxy_Conn_cancel() */
} SocketProxy_Result;

/** State of an asynchronous proxy connection. */
typedef enum
{
  PROXY_STATE_IDLE = 0,             /**< not started */
  PROXY_STATE_CONNECTING_PROXY = 1, /**< TCP connect to the proxy */
  PROXY_STATE_TLS_TO_PROXY = 2,     /**< TLS handshake with an HTTPS proxy */
  PROXY_STATE_HANDSHAKE_SEND = 3,   /**< sending greeting/request */
  PROXY_STATE_HANDSHAKE_RECV = 4,   /**< waiting for the proxy's reply */
  PROXY_STATE_AUTH_SEND = 5,        /**< sending SOCKS5 credentials */
  PROXY_STATE_AUTH_RECV = 6,        /**< waiting for the auth verdict */
  PROXY_STATE_CONNECTED = 7,        /**< tunnel established */
  PROXY_STATE_FAILED = 8,           /**< failed; see result and error */
  PROXY_STATE_CANCELLED = 9         /**< cancelled by the caller */
} SocketProxy_State;

/**
 * Proxy settings. Strings are borrowed by the call that takes the config;
 * the library copies what it keeps, so the config may be discarded after
 * SocketProxy_Conn_new() returns.
 */
typedef struct SocketProxy_Config
{
  SocketProxyType type;             /**< protocol */
  const char *host;                 /**< proxy host name or literal */
  int port;                         /**< proxy port; 0 = protocol default */
  const char *username;             /**< NULL = no authentication */
  const char *password;             /**< NULL = no authentication */
  SocketHTTP_Headers_T extra_headers; /**< extra CONNECT headers or NULL */
  int connect_timeout_ms;           /**< <= 0 = default (30 s) */
  int handshake_timeout_ms;         /**< <= 0 = default (30 s) */
} SocketProxy_Config;

/** Asynchronous proxy connection. */
typedef struct SocketProxy_Conn_T *SocketProxy_Conn_T;

/** Raised for invalid configurations and by SocketProxy_connect(). */
extern SOCKET_API const Except_T SocketProxy_Failed;

/**
 * @brief zero @p config and set both timeouts to their defaults.
 */
extern SOCKET_API void SocketProxy_config_defaults (SocketProxy_Config *config);

/**
 * @brief fill @p config from a proxy URL.
 *
 * Schemes (case-insensitive): http, https, socks4, socks4a, socks5,
 * socks5h and socks (= socks5). Optional "user:pass@" or "user@";
 * "[v6]" literals; default port per scheme.
 *
 * @param url    the URL; NULL or "" returns -1 without touching @p config.
 * @param config reset to defaults, then filled.
 * @param arena  where the host/credential strings are copied; NULL uses a
 *               per-thread buffer that the next NULL-arena call reuses.
 * @return 0 on success, -1 on a malformed URL.
 */
extern SOCKET_API int SocketProxy_parse_url (const char *url, SocketProxy_Config *config, Arena_T arena);

/**
 * @brief connect to the proxy and establish a tunnel to the target.
 * @return a connected, blocking socket the caller owns (Socket_free()).
 *         Bytes the target sent right after the proxy's reply are still
 *         in it. For SOCKET_PROXY_HTTPS (TLS builds) the socket carries
 *         the TLS session with the proxy: use SocketTLS_send/recv.
 * Raises: SocketProxy_Failed on any failure, the reason naming the
 *         SocketProxy_Result text.
 */
extern SOCKET_API Socket_T SocketProxy_connect (const SocketProxy_Config *proxy, const char *target_host,
                                                int target_port);

/**
 * @brief run the proxy handshake on @p socket, already connected to the
 *        proxy (blocking, bounded by handshake_timeout_ms). HTTPS first
 *        runs TLS with the proxy on it (TLS builds).
 * @return PROXY_OK when the socket now carries the tunnel, else the error;
 *         PROXY_ERROR_CONNECT when @p socket is NULL or not connected.
 *         The socket's file flags (O_NONBLOCK) are left as they were.
 * Raises: SocketProxy_Failed for an invalid configuration or target.
 */
extern SOCKET_API SocketProxy_Result SocketProxy_tunnel (Socket_T socket, const SocketProxy_Config *proxy,
                                                         const char *target_host, int target_port);

/**
 * @brief start an asynchronous proxy connection.
 *
 * The proxy host is resolved before returning (synchronously, like
 * Socket_connect(); literals need no lookup); its addresses are then
 * connected without blocking, one after the other (state CONNECTING_PROXY
 * until a connect completes; connect_timeout_ms is shared between the
 * addresses left). The handshake deadline (handshake_timeout_ms) starts
 * once the proxy connection is up.
 * @return a context to step with SocketProxy_Conn_process(); free it with
 *         SocketProxy_Conn_free(). Failures to connect or to build the
 *         request are reported by the context (FAILED), not raised.
 * Raises: SocketProxy_Failed for an invalid configuration ("Invalid proxy
 *         configuration") or target ("Target hostname too long (max 255)",
 *         empty target, port outside 1..65535).
 */
extern SOCKET_API SocketProxy_Conn_T SocketProxy_Conn_new (const SocketProxy_Config *proxy, const char *target_host,
                                                           int target_port);

/** @brief 1 once the connection is CONNECTED, FAILED or CANCELLED. */
extern SOCKET_API int SocketProxy_Conn_poll (SocketProxy_Conn_T conn);

/**
 * @brief advance the connection after its fd reported events or its
 *        timeout passed. Calling it when nothing is ready is harmless: it
 *        does what it can without blocking and returns.
 */
extern SOCKET_API void SocketProxy_Conn_process (SocketProxy_Conn_T conn);

/** @brief hand over the tunnelled socket (once, in CONNECTED); NULL otherwise. */
extern SOCKET_API Socket_T SocketProxy_Conn_socket (SocketProxy_Conn_T conn);

/** @brief abandon the connection; closes its socket. */
extern SOCKET_API void SocketProxy_Conn_cancel (SocketProxy_Conn_T conn);

/** @brief free the context (and its socket unless handed out); sets *conn NULL. */
extern SOCKET_API void SocketProxy_Conn_free (SocketProxy_Conn_T *conn);

/** @brief current state. */
extern SOCKET_API SocketProxy_State SocketProxy_Conn_state (SocketProxy_Conn_T conn);

/** @brief PROXY_IN_PROGRESS until complete, then the final result. */
extern SOCKET_API SocketProxy_Result SocketProxy_Conn_result (SocketProxy_Conn_T conn);

/** @brief failure message in FAILED, NULL otherwise. */
extern SOCKET_API const char *SocketProxy_Conn_error (SocketProxy_Conn_T conn);

/** @brief descriptor to poll, -1 when there is none. */
extern SOCKET_API int SocketProxy_Conn_fd (SocketProxy_Conn_T conn);

/** @brief POLL_READ/POLL_WRITE the connection waits for, 0 when complete. */
extern SOCKET_API unsigned SocketProxy_Conn_events (SocketProxy_Conn_T conn);

/** @brief ms until the handshake deadline (0 = expired), -1 once complete. */
extern SOCKET_API int SocketProxy_Conn_next_timeout_ms (SocketProxy_Conn_T conn);

/** @brief text of a result ("Unknown error" for unknown values). */
extern SOCKET_API const char *SocketProxy_result_string (SocketProxy_Result result);

/** @brief name of a state ("UNKNOWN" for unknown values). */
extern SOCKET_API const char *SocketProxy_state_string (SocketProxy_State state);

/** @brief name of a proxy type ("UNKNOWN" for unknown values). */
extern SOCKET_API const char *SocketProxy_type_string (SocketProxyType type);

/* ---- README forms (not in the original header) ------------------------ */

/**
 * @brief README form of SocketProxy_connect(sock, &proxy, host, port):
 *        connect @p socket to the proxy if it is not connected yet
 *        (blocking, connect_timeout_ms), then SocketProxy_tunnel().
 */
extern SOCKET_API SocketProxy_Result SocketProxy_connect_socket (Socket_T socket, const SocketProxy_Config *proxy,
                                                                 const char *target_host, int target_port);

/**
 * @brief README form of SocketProxy_Conn_new(sock, &proxy, host, port):
 *        an asynchronous connection over the caller's @p socket (connected
 *        to the proxy, or not yet connected: then a non-blocking connect
 *        is started). The socket stays the caller's: SocketProxy_Conn_free()
 *        and SocketProxy_Conn_cancel() do not free it.
 */
extern SOCKET_API SocketProxy_Conn_T SocketProxy_Conn_new_socket (Socket_T socket, const SocketProxy_Config *proxy,
                                                                  const char *target_host, int target_port);

#if SOCKET_HAS_TLS
typedef struct SocketTLSContext_T *SocketTLSContext_T;
/**
 * @brief SocketProxy_connect() then a TLS handshake with the target
 *        through the tunnel (SNI and verification name: @p target_host).
 * @param tls_ctx client context; NULL uses a default context that verifies
 *        against the system trust store.
 * Raises: SocketProxy_Failed (also for an HTTPS proxy: TLS inside TLS is
 *         not supported), or the TLS module's exceptions.
 */
extern SOCKET_API Socket_T SocketProxy_connect_tls (const SocketProxy_Config *proxy, const char *target_host,
                                                    int target_port, SocketTLSContext_T tls_ctx);
#endif

#define SOCKETPROXY_ARGC_N_(_1, _2, _3, _4, N, ...) N
#define SOCKETPROXY_ARGC_(...) SOCKETPROXY_ARGC_N_ (__VA_ARGS__, 4, 3, 2, 1, 0)
#define SOCKETPROXY_CAT_(a, b) a##b
#define SOCKETPROXY_DISPATCH_(name, n) SOCKETPROXY_CAT_ (name, n)

#define SOCKETPROXY_CONNECT_3(p, h, port) (SocketProxy_connect) (p, h, port)
#define SOCKETPROXY_CONNECT_4(s, p, h, port) SocketProxy_connect_socket (s, p, h, port)
/** Header form (3 arguments) or README form (socket first, 4 arguments). */
#define SocketProxy_connect(...)                                                                                      \
  SOCKETPROXY_DISPATCH_ (SOCKETPROXY_CONNECT_, SOCKETPROXY_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

#define SOCKETPROXY_CONN_NEW_3(p, h, port) (SocketProxy_Conn_new) (p, h, port)
#define SOCKETPROXY_CONN_NEW_4(s, p, h, port) SocketProxy_Conn_new_socket (s, p, h, port)
/** Header form (3 arguments) or README form (socket first, 4 arguments). */
#define SocketProxy_Conn_new(...)                                                                                     \
  SOCKETPROXY_DISPATCH_ (SOCKETPROXY_CONN_NEW_, SOCKETPROXY_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

/** README name of SocketProxy_Conn_events(). */
#define SocketProxy_Conn_poll_events(conn) SocketProxy_Conn_events (conn)

#endif /* SOCKETPROXY_INCLUDED */
