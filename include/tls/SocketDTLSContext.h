/**
 * @file SocketDTLSContext.h
 * @brief DTLS 1.2 contexts: certificates, verification, cookies, MTU,
 *        retransmission timers, ALPN and session caching.
 *
 * A context holds the configuration shared by many DTLS sockets. Configure
 * it completely, then enable it on sockets with SocketDTLS_enable(); after
 * that it is read-only and may be used from several threads at once (the
 * cookie secret rotation and the session cache are internally locked).
 * Each socket keeps a reference, so SocketDTLSContext_free() may be called
 * while sockets still use the context: it is released with the last one.
 *
 * Defaults: DTLS 1.2 only, SOCKET_DTLS_CIPHERSUITES, path MTU
 * SOCKET_DTLS_DEFAULT_MTU, retransmission timeouts SOCKET_DTLS_INITIAL_
 * TIMEOUT_MS doubling up to SOCKET_DTLS_MAX_TIMEOUT_MS, no compression, no
 * renegotiation. Clients verify the server certificate (system trust store
 * when no CA file is given); cookie exchange is off until enabled.
 *
 * All functions raise SocketDTLS_Failed (declared in tls/SocketDTLS.h) on
 * bad arguments or OpenSSL failures; the message names the cause and
 * includes the OpenSSL error queue text.
 */
#ifndef SOCKETDTLSCONTEXT_INCLUDED
#define SOCKETDTLSCONTEXT_INCLUDED

#if SOCKET_HAS_TLS

#include <stddef.h>

#include "core/Except.h"
#include "core/SocketExport.h"
#include "socket/SocketDgram.h"
#include "tls/SocketDTLSConfig.h"
#include "tls/SocketTLS.h" /* TLSVerifyMode */

/** A DTLS context (opaque, reference counted). */
typedef struct SocketDTLSContext_T *SocketDTLSContext_T;

/** A UDP socket (see socket/SocketDgram.h). */
typedef struct SocketDgram_T *SocketDgram_T;

/**
 * @brief Create a server context.
 * @param cert_file PEM certificate chain (leaf first); borrowed.
 * @param key_file PEM private key matching the certificate; borrowed.
 * @param ca_file PEM CA bundle for client certificates, or NULL / "" for
 *        none. As in the original, loading it does not request client
 *        certificates: call SocketDTLSContext_set_verify_mode() (e.g.
 *        TLS_VERIFY_PEER | TLS_VERIFY_FAIL_IF_NO_PEER_CERT).
 * @return a new context, owned by the caller (SocketDTLSContext_free()).
 * Raises: SocketDTLS_Failed (unreadable file, bad PEM, key mismatch).
 * Thread-safe: yes.
 */
extern SOCKET_API SocketDTLSContext_T
SocketDTLSContext_new_server (const char *cert_file, const char *key_file,
                              const char *ca_file);

/**
 * @brief Create a client context that verifies servers.
 * @param ca_file PEM CA bundle, or NULL for the system default trust store.
 * @return a new context, owned by the caller (SocketDTLSContext_free()).
 * Raises: SocketDTLS_Failed.
 * Thread-safe: yes.
 */
extern SOCKET_API SocketDTLSContext_T
SocketDTLSContext_new_client (const char *ca_file);

/**
 * @brief Drop the caller's reference and set *@p ctx_p to NULL.
 *
 * The context is destroyed when no socket uses it any more. NULL or a
 * pointer to NULL is ignored.
 * Thread-safe: yes (for distinct references).
 */
extern SOCKET_API void SocketDTLSContext_free (SocketDTLSContext_T *ctx_p);

/**
 * @brief Load (or replace) the certificate chain and private key.
 * @param cert_file PEM chain, leaf first; borrowed.
 * @param key_file PEM private key; borrowed.
 * Raises: SocketDTLS_Failed naming the file and the OpenSSL reason.
 * Thread-safe: no (setup only).
 */
extern SOCKET_API void
SocketDTLSContext_load_certificate (SocketDTLSContext_T ctx,
                                    const char *cert_file,
                                    const char *key_file);

/**
 * @brief Add the CAs of a PEM bundle to the verification store.
 * Raises: SocketDTLS_Failed. Thread-safe: no (setup only).
 */
extern SOCKET_API void SocketDTLSContext_load_ca (SocketDTLSContext_T ctx,
                                                  const char *ca_file);

/**
 * @brief Set the peer verification mode (bitwise OR of TLSVerifyMode).
 * Raises: SocketDTLS_Failed for unknown bits. Thread-safe: no.
 */
extern SOCKET_API void
SocketDTLSContext_set_verify_mode (SocketDTLSContext_T ctx,
                                   TLSVerifyMode mode);

/**
 * @brief Require a stateless cookie exchange (HelloVerifyRequest) before a
 *        server commits any state to a client (RFC 6347 section 4.2.1).
 *
 * Cookies are HMAC-SHA256(secret, client address, port, time period).
 * A random secret is generated unless one was set.
 * Raises: SocketDTLS_Failed ("Cookie exchange only for server contexts",
 *         no randomness).
 * Thread-safe: no (setup only).
 */
extern SOCKET_API void
SocketDTLSContext_enable_cookie_exchange (SocketDTLSContext_T ctx);

/**
 * @brief Install a cookie secret (e.g. shared by a server farm).
 *
 * The secret in use so far stays accepted for SOCKET_DTLS_COOKIE_LIFETIME_SEC
 * seconds, so clients in the middle of an exchange are not rejected.
 * @param secret exactly SOCKET_DTLS_COOKIE_SECRET_LEN bytes; copied.
 *        Accepted (and unused) on client contexts.
 * Raises: SocketDTLS_Failed ("Cookie secret must be 32 bytes (got N)").
 * Thread-safe: yes (may run while other threads listen).
 */
extern SOCKET_API void
SocketDTLSContext_set_cookie_secret (SocketDTLSContext_T ctx,
                                     const unsigned char *secret, size_t len);

/**
 * @brief Replace the cookie secret with fresh random bytes; the previous
 *        one stays accepted for SOCKET_DTLS_COOKIE_LIFETIME_SEC seconds.
 * Raises: SocketDTLS_Failed (no randomness).
 * Thread-safe: yes.
 */
extern SOCKET_API void
SocketDTLSContext_rotate_cookie_secret (SocketDTLSContext_T ctx);

/**
 * @brief Set the path MTU used by sockets enabled afterwards.
 * Raises: SocketDTLS_Failed unless SOCKET_DTLS_VALID_MTU(mtu).
 * Thread-safe: no (setup only).
 */
extern SOCKET_API void SocketDTLSContext_set_mtu (SocketDTLSContext_T ctx,
                                                  size_t mtu);

/** @brief The context's path MTU (SOCKET_DTLS_DEFAULT_MTU for NULL).
 *         Thread-safe: yes. */
extern SOCKET_API size_t SocketDTLSContext_get_mtu (SocketDTLSContext_T ctx);

/**
 * @brief Set the lowest protocol version (DTLS1_2_VERSION; older versions
 *        are refused).
 * Raises: SocketDTLS_Failed. Thread-safe: no.
 */
extern SOCKET_API void
SocketDTLSContext_set_min_protocol (SocketDTLSContext_T ctx, int version);

/**
 * @brief Set the highest protocol version (not below DTLS 1.2 or the
 *        minimum).
 * Raises: SocketDTLS_Failed. Thread-safe: no.
 */
extern SOCKET_API void
SocketDTLSContext_set_max_protocol (SocketDTLSContext_T ctx, int version);

/**
 * @brief Set the OpenSSL cipher list (NULL restores
 *        SOCKET_DTLS_CIPHERSUITES).
 * Raises: SocketDTLS_Failed when no cipher of the list is usable.
 * Thread-safe: no.
 */
extern SOCKET_API void
SocketDTLSContext_set_cipher_list (SocketDTLSContext_T ctx,
                                   const char *ciphers);

/**
 * @brief Set the ALPN protocols (RFC 7301), most preferred first.
 *
 * Clients offer them; servers select, as the original, the first name in
 * the client's order that is also in their list; with no overlap the
 * handshake continues without ALPN.
 * @param protos @p count names of 1..SOCKET_DTLS_MAX_ALPN_LEN bytes;
 *        copied.
 * @param count 0..SOCKET_DTLS_MAX_ALPN_PROTOCOLS; NULL / 0 clears the list.
 * Raises: SocketDTLS_Failed. Thread-safe: no.
 */
extern SOCKET_API void
SocketDTLSContext_set_alpn_protos (SocketDTLSContext_T ctx,
                                   const char **protos, size_t count);

/**
 * @brief Enable session resumption.
 *
 * Servers keep up to @p max_sessions sessions; clients keep the last
 * session per server (address, port, host name) and offer it on the next
 * handshake with that server.
 * @param max_sessions 0 selects SOCKET_DTLS_SESSION_CACHE_SIZE.
 * @param timeout_seconds session lifetime; <= 0 selects
 *        SOCKET_DTLS_SESSION_TIMEOUT_DEFAULT.
 * Raises: SocketDTLS_Failed. Thread-safe: no (setup only).
 */
extern SOCKET_API void
SocketDTLSContext_enable_session_cache (SocketDTLSContext_T ctx,
                                        size_t max_sessions,
                                        long timeout_seconds);

/**
 * @brief Session statistics: completed handshakes that resumed a session
 *        (@p hits) or did a full handshake while caching was enabled
 *        (@p misses), and sessions stored (@p stores). NULL outputs are
 *        skipped; a NULL @p ctx leaves them untouched.
 * Thread-safe: yes.
 */
extern SOCKET_API void
SocketDTLSContext_get_cache_stats (SocketDTLSContext_T ctx, size_t *hits,
                                   size_t *misses, size_t *stores);

/**
 * @brief Set the retransmission timer: the first timeout is @p initial_ms,
 *        doubled after each retransmission up to @p max_ms.
 * Raises: SocketDTLS_Failed unless both satisfy SOCKET_DTLS_VALID_TIMEOUT
 *         and initial_ms <= max_ms.
 * Thread-safe: no (setup only).
 */
extern SOCKET_API void SocketDTLSContext_set_timeout (SocketDTLSContext_T ctx,
                                                      int initial_ms,
                                                      int max_ms);

/**
 * @brief The underlying OpenSSL SSL_CTX (borrowed; valid while the
 *        context lives), for settings this API does not cover; NULL for a
 *        NULL @p ctx.
 */
extern SOCKET_API void *SocketDTLSContext_get_ssl_ctx (SocketDTLSContext_T ctx);

/** @brief 1 for a server context, 0 for a client context (or NULL). */
extern SOCKET_API int SocketDTLSContext_is_server (SocketDTLSContext_T ctx);

/** @brief 1 if the cookie exchange is enabled (0 for NULL). */
extern SOCKET_API int
SocketDTLSContext_has_cookie_exchange (SocketDTLSContext_T ctx);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETDTLSCONTEXT_INCLUDED */
