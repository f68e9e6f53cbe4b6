/**
 * @file SocketDTLS.h
 * @brief DTLS 1.2 (RFC 6347) on a SocketDgram_T.
 *
 * One DTLS-enabled UDP socket carries one DTLS association. A client
 * connects the socket (SocketDgram_connect() or SocketDTLS_set_peer()) and
 * runs the handshake. A server binds the socket and calls SocketDTLS_listen()
 * (or simply the handshake functions, which listen first): with the cookie
 * exchange enabled, a ClientHello from an unproven address only gets a
 * stateless HelloVerifyRequest; the first client that proves its address is
 * accepted, the socket is connected to it and the handshake continues. To
 * serve several clients, bind one listening socket per association (e.g.
 * with SocketDgram_setreuseport()) or hand accepted sockets to workers.
 *
 * The association is released with SocketDgram_free() (without sending
 * anything; call SocketDTLS_shutdown() first for a close_notify).
 *
 * @code
 * SocketDTLS_enable (sock, client_ctx);
 * SocketDTLS_set_hostname (sock, "server.example.com");
 * if (SocketDTLS_handshake_loop (sock, 5000) == DTLS_HANDSHAKE_COMPLETE)
 *   SocketDTLS_send (sock, "ping", 4);
 * @endcode
 *
 * Errors: exceptions carry a message naming the cause (OpenSSL error queue,
 * certificate verification error, host name mismatch); the same text is in
 * dtls_error_buf and Socket_GetLastError().
 */
#ifndef SOCKETDTLS_INCLUDED
#define SOCKETDTLS_INCLUDED

#if SOCKET_HAS_TLS

#include <stddef.h>
#include <sys/types.h>

#include "core/Except.h"
#include "core/SocketExport.h"
#include "socket/SocketDgram.h"
#include "tls/SocketDTLSConfig.h"
#include "tls/SocketDTLSContext.h"

/** A DTLS context (see tls/SocketDTLSContext.h). */
typedef struct SocketDTLSContext_T *SocketDTLSContext_T;

/** Progress of a DTLS handshake. */
typedef enum
{
  DTLS_HANDSHAKE_NOT_STARTED = 0,     /**< enabled, no handshake step yet */
  DTLS_HANDSHAKE_IN_PROGRESS = 1,     /**< started (server: client accepted) */
  DTLS_HANDSHAKE_WANT_READ = 2,       /**< retry when readable or when the
                                           retransmission timer fires */
  DTLS_HANDSHAKE_WANT_WRITE = 3,      /**< retry when writable */
  DTLS_HANDSHAKE_COOKIE_EXCHANGE = 4, /**< server sent a HelloVerifyRequest */
  DTLS_HANDSHAKE_COMPLETE = 5,        /**< handshake done, I/O may start */
  DTLS_HANDSHAKE_ERROR = 6            /**< failed (an exception said why) */
} DTLSHandshakeState;

/** Misuse, I/O or OpenSSL failure outside the handshake. */
extern SOCKET_API const Except_T SocketDTLS_Failed;
/** The handshake failed (protocol error, alert, no common parameters). */
extern SOCKET_API const Except_T SocketDTLS_HandshakeFailed;
/** The peer certificate or host name did not verify. */
extern SOCKET_API const Except_T SocketDTLS_VerifyFailed;
/** A cookie could not be generated or sent. */
extern SOCKET_API const Except_T SocketDTLS_CookieFailed;
/** The peer stopped answering: retransmission limit reached. */
extern SOCKET_API const Except_T SocketDTLS_TimeoutExpired;
/** close_notify could not be sent. */
extern SOCKET_API const Except_T SocketDTLS_ShutdownFailed;

#ifndef _WIN32
/** Message of the last DTLS failure on this thread (SOCKET_DTLS_ERROR_BUFSIZE
 *  bytes). */
extern SOCKET_API __thread char dtls_error_buf[];
#endif

/**
 * @brief Attach a DTLS association to @p socket.
 *
 * The role (client or server) comes from @p ctx, whose reference the
 * socket keeps until SocketDgram_free(). A client socket may be connected
 * before or after this call; a server socket should be bound.
 * Raises: SocketDTLS_Failed (NULL arguments, already enabled, OpenSSL).
 * Thread-safe: no (one thread per socket).
 */
extern SOCKET_API void SocketDTLS_enable (SocketDgram_T socket,
                                          SocketDTLSContext_T ctx);

/**
 * @brief Set the peer: connect the socket to @p host:@p port (resolved,
 *        numeric or name) and send DTLS records there.
 *
 * A client that has no host name yet also takes @p host as its
 * SocketDTLS_set_hostname(), so the certificate is checked against the
 * name (or address) it dialled.
 * Raises: SocketDTLS_Failed (not enabled, handshake started, bad address).
 */
extern SOCKET_API void SocketDTLS_set_peer (SocketDgram_T socket,
                                            const char *host, int port);

/**
 * @brief Client: the server name sent as SNI (for names, not IP literals)
 *        and checked against the certificate (names and IP addresses).
 *        As in the original, this also turns on peer certificate
 *        verification for the association, whatever the context's mode.
 * @param hostname 1..SOCKET_DTLS_MAX_SNI_LEN bytes; copied.
 * Raises: SocketDTLS_Failed ("DTLS not enabled on socket", "Hostname cannot
 *         be empty", "Hostname too long for SNI (N > 255 max)", "Invalid
 *         hostname format").
 */
extern SOCKET_API void SocketDTLS_set_hostname (SocketDgram_T socket,
                                                const char *hostname);

/**
 * @brief Set this socket's path MTU; handshake flights and records are
 *        sized to fit (see SocketDTLSConfig.h for the arithmetic).
 * Raises: SocketDTLS_Failed unless SOCKET_DTLS_VALID_MTU(mtu).
 */
extern SOCKET_API void SocketDTLS_set_mtu (SocketDgram_T socket, size_t mtu);

/**
 * @brief One handshake step (a server that has not accepted a client yet
 *        runs one SocketDTLS_listen() step first).
 * @return DTLS_HANDSHAKE_COMPLETE when done; DTLS_HANDSHAKE_WANT_READ or
 *         DTLS_HANDSHAKE_WANT_WRITE when the socket must become readable or
 *         writable, or the retransmission timer must fire, first (each
 *         call services the timer, retransmitting an expired flight);
 *         DTLS_HANDSHAKE_COOKIE_EXCHANGE after a server sent a
 *         HelloVerifyRequest; DTLS_HANDSHAKE_ERROR, without raising, when
 *         the peer did not answer SOCKET_DTLS_MAX_RETRANSMITS
 *         retransmissions (detail in dtls_error_buf). A blocking socket
 *         may block up to the next retransmission timeout.
 * Raises: SocketDTLS_HandshakeFailed for every failure, as the original
 *         ("DTLS not enabled on socket", client without peer, certificate
 *         verification with the cause in the reason and in
 *         SocketDTLS_get_verify_result(), alerts). After a failure the
 *         state is DTLS_HANDSHAKE_ERROR and further calls raise it again.
 */
extern SOCKET_API DTLSHandshakeState SocketDTLS_handshake (SocketDgram_T socket);

/**
 * @brief Drive the handshake to completion, waiting with poll() and
 *        retransmitting lost flights on the context's timer.
 *
 * A blocking socket is made non-blocking for the duration, so the deadline
 * holds.
 * @param timeout_ms overall deadline; < 0 waits without deadline (OpenSSL
 *        still gives up after SOCKET_DTLS_MAX_RETRANSMITS retransmissions),
 *        0 makes a single step without waiting.
 * @return DTLS_HANDSHAKE_COMPLETE (or the single step's state when
 *         @p timeout_ms is 0).
 * Raises: as SocketDTLS_handshake(); SocketDTLS_TimeoutExpired when the
 *         deadline passed ("DTLS handshake timeout"; the association is
 *         not failed and may be resumed) or the peer did not answer
 *         SOCKET_DTLS_MAX_RETRANSMITS retransmissions (failed).
 */
extern SOCKET_API DTLSHandshakeState
SocketDTLS_handshake_loop (SocketDgram_T socket, int timeout_ms);

/**
 * @brief Server: process one incoming datagram (blocks for it on a
 *        blocking socket).
 *
 * With the cookie exchange, a ClientHello without a valid cookie is
 * answered with a HelloVerifyRequest and forgotten: no memory, socket
 * state or OpenSSL state is kept for that client. A ClientHello with a
 * valid cookie (or any ClientHello without cookie exchange) accepts the
 * client: the socket is connected to it.
 * @return DTLS_HANDSHAKE_COOKIE_EXCHANGE (HelloVerifyRequest sent),
 *         DTLS_HANDSHAKE_WANT_READ (nothing queued, or a datagram that is
 *         not a usable ClientHello was dropped), DTLS_HANDSHAKE_IN_PROGRESS
 *         (client accepted; continue with SocketDTLS_handshake()), or the
 *         current state when a client was accepted earlier.
 * Raises: SocketDTLS_Failed (not a server, socket errors),
 *         SocketDTLS_CookieFailed (HelloVerifyRequest not sendable).
 */
extern SOCKET_API DTLSHandshakeState SocketDTLS_listen (SocketDgram_T socket);

/**
 * @brief Encrypt and send @p len bytes as one record (one datagram).
 * @return @p len, or 0 when a non-blocking socket would block.
 * Raises: SocketDTLS_Failed (handshake not complete, @p len larger than one
 *         record fits in the MTU, socket error such as an ICMP port
 *         unreachable), Socket_Closed (after close_notify).
 */
extern SOCKET_API ssize_t SocketDTLS_send (SocketDgram_T socket,
                                           const void *buf, size_t len);

/**
 * @brief Receive and decrypt one record into @p buf.
 *
 * Records that fail authentication are silently dropped (RFC 6347
 * section 4.1.2.7). A record larger than @p len is returned in pieces by
 * successive calls.
 * @return bytes received (> 0), or 0 when a non-blocking socket has no
 *         complete record yet.
 * Raises: Socket_Closed (the peer sent close_notify), SocketDTLS_Failed
 *         ("DTLS not enabled on socket", "DTLS handshake not complete",
 *         after shutdown, other errors).
 */
extern SOCKET_API ssize_t SocketDTLS_recv (SocketDgram_T socket, void *buf,
                                           size_t len);

/**
 * @brief SocketDTLS_send() after checking that @p host:@p port is the
 *        association's peer (DTLS cannot address anybody else).
 * Raises: SocketDTLS_Failed for another destination; as SocketDTLS_send().
 */
extern SOCKET_API ssize_t SocketDTLS_sendto (SocketDgram_T socket,
                                             const void *buf, size_t len,
                                             const char *host, int port);

/**
 * @brief SocketDTLS_recv() that also reports the peer's numeric address.
 * @param host receives the NUL-terminated address (may be NULL).
 * @param port receives the port (may be NULL).
 * Raises: as SocketDTLS_recv(); SocketDTLS_Failed if @p host_len is too
 *         small.
 */
extern SOCKET_API ssize_t SocketDTLS_recvfrom (SocketDgram_T socket,
                                               void *buf, size_t len,
                                               char *host, size_t host_len,
                                               int *port);

/* The queries below never raise: a NULL socket or one without DTLS gives
 * the special value named. */

/** @brief Negotiated cipher name, or NULL (none yet, NULL, not enabled). */
extern SOCKET_API const char *SocketDTLS_get_cipher (SocketDgram_T socket);

/** @brief Protocol version ("DTLSv1.2"), or NULL when not enabled. */
extern SOCKET_API const char *SocketDTLS_get_version (SocketDgram_T socket);

/**
 * @brief X509_V_OK (0) or the OpenSSL verification error of the peer
 *        certificate (also after a failed handshake);
 *        X509_V_ERR_INVALID_CALL (69) for NULL, DTLS not enabled, or no
 *        handshake finished yet.
 */
extern SOCKET_API long SocketDTLS_get_verify_result (SocketDgram_T socket);

/** @brief 1 if the completed handshake resumed a session, else 0; -1 when
 *         DTLS is not enabled. */
extern SOCKET_API int SocketDTLS_is_session_reused (SocketDgram_T socket);

/** @brief The ALPN protocol selected, or NULL; valid until the socket is
 *         freed. */
extern SOCKET_API const char *
SocketDTLS_get_alpn_selected (SocketDgram_T socket);

/** @brief The socket's path MTU (0 when DTLS is not enabled,
 *         SOCKET_DTLS_DEFAULT_MTU for NULL). */
extern SOCKET_API size_t SocketDTLS_get_mtu (SocketDgram_T socket);

/**
 * @brief Send close_notify (if the handshake completed) and stop I/O.
 *
 * DTLS closes unidirectionally: the call does not wait for the peer.
 * Idempotent.
 * Raises: SocketDTLS_ShutdownFailed ("DTLS not enabled on socket", or the
 *         alert cannot be sent).
 */
extern SOCKET_API void SocketDTLS_shutdown (SocketDgram_T socket);

/** @brief 1 after SocketDTLS_shutdown() or the peer's close_notify. */
extern SOCKET_API int SocketDTLS_is_shutdown (SocketDgram_T socket);

/** @brief 1 if DTLS is enabled on @p socket. */
extern SOCKET_API int SocketDTLS_is_enabled (SocketDgram_T socket);

/** @brief 1 once the handshake has completed. */
extern SOCKET_API int SocketDTLS_is_handshake_done (SocketDgram_T socket);

/** @brief The state returned by the last handshake or listen step
 *         (DTLS_HANDSHAKE_NOT_STARTED when not enabled). */
extern SOCKET_API DTLSHandshakeState
SocketDTLS_get_last_state (SocketDgram_T socket);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETDTLS_INCLUDED */
