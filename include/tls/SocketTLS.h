/**
 * @file SocketTLS.h
 * @brief TLS 1.2/1.3 on a connected Socket_T (OpenSSL >= 1.1.1).
 *
 * A TLS connection is attached to an already connected stream socket with
 * SocketTLS_enable() and lives until Socket_free(), which releases it
 * without sending anything (call SocketTLS_shutdown() first for a graceful
 * close_notify).
 *
 * @code
 * SocketTLS_enable (sock, client_ctx);
 * SocketTLS_set_hostname (sock, "example.com");  // SNI + name check
 * if (SocketTLS_handshake_loop (sock, 10000) != TLS_HANDSHAKE_COMPLETE)
 *   ...                                           // timed out
 * SocketTLS_send (sock, "ping", 4);
 * n = SocketTLS_recv (sock, buf, sizeof buf);
 * SocketTLS_shutdown (sock);
 * @endcode
 *
 * Errors raise one of the exceptions below; the reason names the cause
 * (certificate verification error, hostname mismatch, OpenSSL error queue
 * text) and is also left in tls_error_buf and Socket_GetLastError().
 * As in the original library, every handshake failure (certificate
 * verification and pin mismatches included) raises
 * SocketTLS_HandshakeFailed, with the cause in the reason and in
 * SocketTLS_get_verify_result(); every SocketTLS_send/SocketTLS_recv
 * failure raises SocketTLS_Failed except a received close_notify
 * (Socket_Closed). SocketTLS_VerifyFailed, SocketTLS_ProtocolError and
 * SocketTLS_PinVerifyFailed are not raised by these functions. Socket_recv
 * and friends on a TLS socket report a peer close as Socket_Closed.
 *
 * Renegotiation and compression are always disabled; no protocol below
 * TLS 1.2 is ever negotiated.
 *
 * Thread-safety: one thread per connection (as for Socket_T). Contexts may
 * be shared by any number of connections and threads.
 */
#ifndef SOCKETTLS_INCLUDED
#define SOCKETTLS_INCLUDED

#if SOCKET_HAS_TLS

#include <stddef.h>
#include <sys/types.h>

#include "core/Except.h"
#include "core/SocketExport.h"
#include "socket/Socket.h"
#include "tls/SocketTLSConfig.h"

/** Per-connection TLS state (internal; reached through its Socket_T). */
typedef struct SocketTLS_T *SocketTLS_T;

/** Shared TLS configuration; see tls/SocketTLSContext.h. */
typedef struct SocketTLSContext_T *SocketTLSContext_T;

/** Progress of a handshake. */
typedef enum
{
  TLS_HANDSHAKE_NOT_STARTED = 0, /**< enabled, no handshake step yet */
  TLS_HANDSHAKE_IN_PROGRESS = 1, /**< started, waiting on the peer */
  TLS_HANDSHAKE_WANT_READ = 2,   /**< retry when the socket is readable */
  TLS_HANDSHAKE_WANT_WRITE = 3,  /**< retry when the socket is writable */
  TLS_HANDSHAKE_COMPLETE = 4,    /**< handshake done, I/O may start */
  TLS_HANDSHAKE_ERROR = 5        /**< handshake failed (an exception said why) */
} TLSHandshakeState;

/** Peer verification flags (same values as OpenSSL's SSL_VERIFY_*). */
typedef enum
{
  TLS_VERIFY_NONE = 0,                 /**< do not verify (servers: no
                                            client certificate request) */
  TLS_VERIFY_PEER = 1,                 /**< verify the peer's chain */
  TLS_VERIFY_FAIL_IF_NO_PEER_CERT = 2, /**< server: a client certificate is
                                            required (with PEER) */
  TLS_VERIFY_CLIENT_ONCE = 4           /**< server: ask only once */
} TLSVerifyMode;

/** Generic TLS failure: misuse, bad arguments, allocation, I/O. */
extern SOCKET_API const Except_T SocketTLS_Failed;
/** The handshake failed (alert, protocol mismatch, EOF, timeout...). */
extern SOCKET_API const Except_T SocketTLS_HandshakeFailed;
/** The peer's certificate failed verification (chain, dates, CRL, name). */
extern SOCKET_API const Except_T SocketTLS_VerifyFailed;
/** A record-layer violation after the handshake (bad MAC, truncation). */
extern SOCKET_API const Except_T SocketTLS_ProtocolError;
/** Sending close_notify failed. */
extern SOCKET_API const Except_T SocketTLS_ShutdownFailed;

#ifndef _WIN32
/**
 * Message of the last TLS failure on this thread (SOCKET_TLS_ERROR_BUFSIZE
 * bytes, NUL-terminated); the reason of the last raised TLS exception.
 */
extern SOCKET_API __thread char tls_error_buf[];
#endif

/**
 * @brief Attach TLS to a connected stream socket.
 *
 * The role (client or server) comes from @p ctx. The context is
 * reference-counted, so it may be freed while connections still use it.
 * TCP_NODELAY is set on TCP sockets: TLS writes whole records and
 * handshake flights, which Nagle's algorithm would only delay.
 * @param socket socket with a descriptor, normally connected (a connect
 *        in progress is fine; only the descriptor is checked). Borrowed;
 *        the TLS state is freed with it.
 * @param ctx context (borrowed; a reference is kept).
 * Raises: SocketTLS_Failed (NULL argument, "Socket not connected (invalid
 *         fd)", "TLS already enabled on socket", OpenSSL allocation
 *         failure).
 */
extern SOCKET_API void SocketTLS_enable (Socket_T socket,
                                         SocketTLSContext_T ctx);

/**
 * @brief Client: name of the server, for SNI and for certificate checking.
 *
 * A DNS name is sent as SNI (RFC 6066) and matched against the
 * certificate's subjectAltName (wildcards only as a whole left-most
 * label). An IP literal is not sent as SNI and is matched against IP
 * subjectAltNames. Without this call a verifying client matches the peer's
 * numeric address instead. As in the original, this also turns on peer
 * certificate verification for the connection, whatever the context's
 * verify mode. Call before the first handshake step (later calls only
 * change the name checked).
 * @param hostname copied; at most SOCKET_TLS_MAX_SNI_LEN characters.
 * Raises: SocketTLS_Failed ("TLS not enabled on socket", "Hostname cannot
 *         be empty", "Hostname too long for SNI (N > 255 max)", "Invalid
 *         hostname format").
 */
extern SOCKET_API void SocketTLS_set_hostname (Socket_T socket,
                                               const char *hostname);

/**
 * @brief One non-blocking handshake step.
 * @return TLS_HANDSHAKE_COMPLETE when done, TLS_HANDSHAKE_WANT_READ or
 *         TLS_HANDSHAKE_WANT_WRITE when the socket must become readable or
 *         writable first (wait with SocketPoll and call again). A blocking
 *         socket completes or raises in one call.
 *         errno is EAGAIN with a WANT_* state.
 * Raises: SocketTLS_HandshakeFailed for every failure ("TLS not enabled on
 *         socket"; "Handshake failed: <cause>", where the cause names a
 *         certificate verification error and the expected host, a pin
 *         mismatch, or OpenSSL's error). After a failure, further calls
 *         raise it again.
 */
extern SOCKET_API TLSHandshakeState SocketTLS_handshake (Socket_T socket);

/**
 * @brief Drive the handshake to completion, waiting with poll().
 *
 * Works on blocking and non-blocking sockets (a blocking socket is made
 * non-blocking for the duration, so the deadline holds).
 * @param timeout_ms overall deadline; < 0 waits forever, 0 makes a single
 *        attempt without waiting.
 * @return TLS_HANDSHAKE_COMPLETE, or TLS_HANDSHAKE_WANT_READ /
 *         TLS_HANDSHAKE_WANT_WRITE when the deadline passed first (the
 *         handshake may be resumed later).
 * Raises: as SocketTLS_handshake(); SocketTLS_Failed if poll() fails.
 */
extern SOCKET_API TLSHandshakeState SocketTLS_handshake_loop (Socket_T socket,
                                                              int timeout_ms);

/**
 * @brief Send close_notify (RFC 8446 section 6.1).
 *
 * Does not wait for the peer's close_notify. A no-op before the handshake
 * completed, after a fatal error, or when already sent. On a non-blocking
 * socket a full send buffer is waited on for at most
 * SOCKET_TLS_DEFAULT_HANDSHAKE_TIMEOUT_MS. TLS stays enabled (queries
 * keep working) until Socket_free().
 * Raises: SocketTLS_ShutdownFailed (the alert could not be sent, or "TLS
 *         not enabled on socket").
 */
extern SOCKET_API void SocketTLS_shutdown (Socket_T socket);

/**
 * @brief Encrypt and send up to @p len bytes.
 * @return bytes accepted (> 0; at least one full record unless @p len is
 *         smaller), or 0 when a non-blocking socket would block. After a 0,
 *         retry with the same data.
 * Raises: SocketTLS_Failed for every failure: "TLS not enabled on
 *         socket", "TLS handshake not complete", after shutdown, and
 *         "TLS send failed: ..." (peer closed or reset, record error).
 */
extern SOCKET_API ssize_t SocketTLS_send (Socket_T socket, const void *buf,
                                          size_t len);

/**
 * @brief Receive and decrypt up to @p len bytes.
 *
 * Plaintext already decrypted by OpenSSL is returned before any new read
 * from the socket and before an end of stream is reported. When the call
 * fills @p buf completely, more plaintext may be buffered inside the TLS
 * layer where poll() cannot see it: call again before waiting.
 * @return bytes received (> 0), or 0 when a non-blocking socket has no
 *         complete record yet.
 * Raises: Socket_Closed (close_notify received); SocketTLS_Failed for
 *         everything else: "TLS not enabled on socket", "TLS handshake not
 *         complete", "TLS recv failed: ..." (EOF without close_notify, bad
 *         record, reset).
 */
extern SOCKET_API ssize_t SocketTLS_recv (Socket_T socket, void *buf,
                                          size_t len);

/* The queries below never raise: a NULL socket or one without TLS gives
 * the special value named. */

/** @brief Negotiated cipher name, or NULL (none yet, NULL socket, TLS not
 *         enabled). */
extern SOCKET_API const char *SocketTLS_get_cipher (Socket_T socket);

/** @brief Protocol of the connection ("TLSv1.3", "TLSv1.2"; OpenSSL's
 *         string, also before the handshake completed), or NULL (NULL
 *         socket, TLS not enabled). */
extern SOCKET_API const char *SocketTLS_get_version (Socket_T socket);

/**
 * @brief Result of peer certificate verification: X509_V_OK (0) or an
 *        X509_V_ERR_* code, also after a failed handshake.
 *        X509_V_ERR_INVALID_CALL (69) for a NULL socket, TLS not enabled,
 *        or no handshake finished yet.
 */
extern SOCKET_API long SocketTLS_get_verify_result (Socket_T socket);

/**
 * @brief OpenSSL's text for SocketTLS_get_verify_result(), written into
 *        @p buf (truncated to @p size - 1, NUL-terminated).
 * @return @p buf, or NULL when the result is X509_V_OK, or @p socket /
 *         @p buf is NULL or @p size is 0. Before the handshake the text is
 *         that of X509_V_ERR_INVALID_CALL.
 */
extern SOCKET_API const char *SocketTLS_get_verify_error_string (
    Socket_T socket, char *buf, size_t size);

/** @brief 1 if the handshake resumed an earlier session, 0 if not (or not
 *         finished), -1 when TLS is not enabled. */
extern SOCKET_API int SocketTLS_is_session_reused (Socket_T socket);

/**
 * @brief ALPN protocol agreed on (RFC 7301), or NULL when none (or TLS not
 *        enabled).
 * @return a string owned by the connection, valid until Socket_free().
 */
extern SOCKET_API const char *SocketTLS_get_alpn_selected (Socket_T socket);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETTLS_INCLUDED */
