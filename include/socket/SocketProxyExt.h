/**
 * @file SocketProxyExt.h
 * @brief libsocket extension (not in the original API): the proxy
 *        handshake as a codec without I/O.
 *
 * A handshake turns (proxy config, target) into the bytes to write to the
 * proxy and consumes the bytes the proxy answers, one step at a time:
 *
 * @code
 *   SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, host, port);
 *   SocketProxy_Result r;
 *   while ((r = SocketProxyExt_handshake_result (hs)) == PROXY_IN_PROGRESS)
 *     {
 *       size_t len;
 *       const unsigned char *out = SocketProxyExt_handshake_output (hs, &len);
 *       if (len > 0)
 *         SocketProxyExt_handshake_sent (hs, write (fd, out, len));  // >= 0
 *       else
 *         {
 *           n = read (fd, buf, sizeof buf);                  // 0 = proxy closed
 *           SocketProxyExt_handshake_input (hs, buf, n, &used);
 *           // bytes buf[used..n) already belong to the tunnel
 *         }
 *     }
 *   SocketProxyExt_handshake_free (&hs);
 * @endcode
 *
 * SocketProxy_connect(), SocketProxy_tunnel() and SocketProxy_Conn_* are
 * built on it, and the Go bindings run it over Go's own connections.
 *
 * Limits: a SOCKS reply is at most 262 bytes by construction; an HTTP
 * CONNECT response head is capped at SOCKET_PROXYEXT_MAX_HTTP_HEAD bytes
 * (PROXY_ERROR_PROTOCOL beyond). The codec never reads past the end of the
 * reply, so no tunnel byte is lost.
 *
 * Thread-safety: one thread per handshake.
 */
#ifndef SOCKETPROXYEXT_INCLUDED
#define SOCKETPROXYEXT_INCLUDED

#include <stddef.h>

#include "socket/SocketProxy.h"

/** Largest HTTP CONNECT response head (status line + headers) accepted. */
#define SOCKET_PROXYEXT_MAX_HTTP_HEAD 16384

/** A proxy handshake in progress. */
typedef struct SocketProxyExt_Handshake *SocketProxyExt_Handshake_T;

/**
 * @brief start a handshake; the first request is ready in the output.
 *
 * @p proxy->type must not be NONE; HTTPS produces the HTTP CONNECT
 * exchange (TLS to the proxy is the caller's transport). Strings are
 * copied; @p proxy->extra_headers is read during this call only.
 *
 * @return the handshake. A request that cannot be built for this proxy
 *         type (SOCKS4 with a target that is not an IPv4 literal, a user
 *         name or password over 255 bytes for SOCKS5) yields a handshake
 *         already failed with PROXY_ERROR_PROTOCOL / PROXY_ERROR_UNSUPPORTED
 *         and an error text.
 * Raises: SocketProxy_Failed for NULL/NONE config, a NULL or empty target,
 *         a target longer than 255 bytes or a port outside 1..65535.
 */
extern SOCKET_API SocketProxyExt_Handshake_T SocketProxyExt_handshake_new (const SocketProxy_Config *proxy,
                                                                          const char *target_host,
                                                                          int target_port);

/** @brief free a handshake (wipes copied credentials); NULL-safe, sets *hs NULL. */
extern SOCKET_API void SocketProxyExt_handshake_free (SocketProxyExt_Handshake_T *hs);

/**
 * @brief bytes to write to the proxy now.
 * @param len set to the count; 0 when the handshake waits for input or is
 *            complete.
 * @return pointer valid until the next call on @p hs.
 */
extern SOCKET_API const unsigned char *SocketProxyExt_handshake_output (SocketProxyExt_Handshake_T hs, size_t *len);

/** @brief record that the first @p n output bytes were written. */
extern SOCKET_API void SocketProxyExt_handshake_sent (SocketProxyExt_Handshake_T hs, size_t n);

/**
 * @brief feed bytes read from the proxy.
 *
 * @param data bytes read; @p len 0 means the proxy closed the connection
 *             (a failure unless the reply was complete).
 * @param consumed set to the bytes used; after PROXY_OK the rest of
 *             @p data is the first data of the tunnel.
 * @return the result after this input (as SocketProxyExt_handshake_result).
 */
extern SOCKET_API SocketProxy_Result SocketProxyExt_handshake_input (SocketProxyExt_Handshake_T hs,
                                                                     const unsigned char *data, size_t len,
                                                                     size_t *consumed);

/** @brief PROXY_IN_PROGRESS, PROXY_OK or the failure. */
extern SOCKET_API SocketProxy_Result SocketProxyExt_handshake_result (SocketProxyExt_Handshake_T hs);

/** @brief HANDSHAKE_SEND/RECV, AUTH_SEND/RECV, CONNECTED or FAILED. */
extern SOCKET_API SocketProxy_State SocketProxyExt_handshake_state (SocketProxyExt_Handshake_T hs);

/**
 * @brief why the handshake failed, with detail (e.g. "SOCKS5 reply 0x05:
 *        connection refused", "HTTP proxy answered 407"); NULL unless failed.
 */
extern SOCKET_API const char *SocketProxyExt_handshake_error (SocketProxyExt_Handshake_T hs);

/** @brief HTTP status of a CONNECT reply (0 before one was parsed, or for SOCKS). */
extern SOCKET_API int SocketProxyExt_handshake_http_status (SocketProxyExt_Handshake_T hs);

/**
 * @brief the detailed reason a proxy connection failed (the codec's
 *        handshake error, the connect or TLS error), where
 *        SocketProxy_Conn_error() keeps the original's fixed texts;
 *        NULL unless the connection is FAILED. Owned by @p conn.
 */
extern SOCKET_API const char *SocketProxyExt_conn_detail (SocketProxy_Conn_T conn);

#endif /* SOCKETPROXYEXT_INCLUDED */
