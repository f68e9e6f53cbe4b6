/**
 * @file SocketTLSContext.h
 * @brief Shared TLS configuration: certificates, trust, verification,
 *        SNI, ALPN, sessions, OCSP stapling and certificate pinning.
 *
 * A context is configured once, then used by any number of connections
 * (SocketTLS_enable) on any number of threads. Configuration calls are not
 * synchronised with each other; make them before sharing the context.
 * SocketTLSContext_refresh_crl() and SocketTLSContext_enable_session_tickets()
 * (key rotation) are the exceptions: both may run while connections are
 * being made.
 *
 * Defaults are secure: TLS 1.3 only (SOCKET_TLS_MIN_VERSION), AEAD
 * ciphersuites, clients verify the server (system trust store unless a CA
 * is given), no renegotiation, no compression, no session resumption until
 * enabled.
 *
 * Every failure raises SocketTLS_Failed with the file name and the OpenSSL
 * error text in the reason, unless noted otherwise.
 */
#ifndef SOCKETTLSCONTEXT_INCLUDED
#define SOCKETTLSCONTEXT_INCLUDED

#if SOCKET_HAS_TLS

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/Except.h"
#include "core/SocketExport.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSConfig.h"

typedef struct SocketTLSContext_T *SocketTLSContext_T;

/**
 * Custom certificate check, called for every certificate of the chain
 * (deepest first) with OpenSSL's verdict in @p preverify_ok.
 * @return nonzero to accept, 0 to reject (the handshake then raises
 *         SocketTLS_HandshakeFailed). Must not raise; an exception is treated
 *         as a rejection. @p socket is NULL for connections not made with
 *         SocketTLS_enable().
 */
typedef int (*SocketTLSVerifyCallback) (int preverify_ok,
                                        X509_STORE_CTX *x509_ctx,
                                        SocketTLSContext_T tls_ctx,
                                        Socket_T socket, void *user_data);

/**
 * Server: produce the OCSP response to staple for @p ssl, or NULL to staple
 * nothing. Ownership of the returned response passes to the library.
 * Called on the handshake thread; must not raise.
 */
typedef OCSP_RESPONSE *(*SocketTLSOcspGenCallback) (SSL *ssl, void *arg);

/**
 * Server: choose one of the @p client_count protocols the client offered
 * (RFC 7301). @return one of the @p client_protos strings (or an equal
 * string), or NULL to continue without ALPN. Must not raise.
 */
typedef const char *(*SocketTLSAlpnCallback) (const char **client_protos,
                                              size_t client_count,
                                              void *user_data);

/** A peer's certificate chain matched none of the configured pins. */
extern SOCKET_API const Except_T SocketTLS_PinVerifyFailed;

/* --- creation ----------------------------------------------------------- */

/**
 * @brief Server context with a certificate chain and key (PEM).
 * @param cert_file leaf certificate first, then intermediates.
 * @param key_file private key matching the leaf.
 * @param ca_file optional (NULL): CA file or hashed directory used to verify
 *        client certificates (enable with SocketTLSContext_set_verify_mode).
 * @return a new context; free with SocketTLSContext_free().
 */
extern SOCKET_API SocketTLSContext_T SocketTLSContext_new_server (
    const char *cert_file, const char *key_file, const char *ca_file);

/**
 * @brief Client context that verifies servers (TLS_VERIFY_PEER).
 * @param ca_file CA file or hashed directory (`openssl rehash`); NULL uses
 *        the system default trust store.
 */
extern SOCKET_API SocketTLSContext_T SocketTLSContext_new_client (
    const char *ca_file);

/**
 * @brief Load (or replace) the context's certificate chain and key.
 *        Clients use this for client certificates.
 */
extern SOCKET_API void SocketTLSContext_load_certificate (
    SocketTLSContext_T ctx, const char *cert_file, const char *key_file);

/**
 * @brief Server: certificate for one SNI host name (RFC 6066).
 *
 * Exact names match case-insensitively; "*.example.com" matches exactly one
 * extra left-most label. Exact matches win over wildcards; unknown or absent
 * names get the default certificate. A NULL @p hostname replaces the
 * default certificate. A repeated name is accepted; the first entry keeps
 * serving it. At most SOCKET_TLS_MAX_SNI_CERTS entries.
 * Raises: SocketTLS_Failed ("SNI certificates only supported for server
 *         contexts", "Invalid SNI hostname format or length", "Too many
 *         SNI certificates", unreadable or mismatched files). Paths with
 *         ".." or control characters are refused, as by every loader.
 */
extern SOCKET_API void SocketTLSContext_add_certificate (
    SocketTLSContext_T ctx, const char *hostname, const char *cert_file,
    const char *key_file);

/** @brief Add trusted CAs from a PEM file or a hashed directory. */
extern SOCKET_API void SocketTLSContext_load_ca (SocketTLSContext_T ctx,
                                                 const char *ca_file);

/** @brief Peer verification flags (clients default to TLS_VERIFY_PEER,
 *         servers to TLS_VERIFY_NONE). TLS_VERIFY_FAIL_IF_NO_PEER_CERT and
 *         TLS_VERIFY_CLIENT_ONCE imply TLS_VERIFY_PEER; OR-combinations are
 *         honoured; unknown bits raise SocketTLS_Failed. */
extern SOCKET_API void SocketTLSContext_set_verify_mode (SocketTLSContext_T ctx,
                                                         TLSVerifyMode mode);

/**
 * @brief Drop the caller's reference and NULL @p *ctx_p. The context is
 *        destroyed when its last connection is freed. NULL-safe.
 */
extern SOCKET_API void SocketTLSContext_free (SocketTLSContext_T *ctx_p);

/** @brief Install (or with NULL remove) a custom verification callback. */
extern SOCKET_API void SocketTLSContext_set_verify_callback (
    SocketTLSContext_T ctx, SocketTLSVerifyCallback callback, void *user_data);

/* --- revocation --------------------------------------------------------- */

/**
 * @brief Add the CRLs of a PEM file (or of every file in a directory) and
 *        turn on CRL checking for the whole chain: every CA of a peer's
 *        chain then needs a CRL, and a revoked peer is rejected
 *        (SocketTLS_VerifyFailed).
 */
extern SOCKET_API void SocketTLSContext_load_crl (SocketTLSContext_T ctx,
                                                  const char *crl_path);

/**
 * @brief Replace all loaded CRLs by those of @p crl_path. The new CRLs are
 *        installed before the old ones are dropped, so checking never
 *        lapses. Safe while connections are being made.
 */
extern SOCKET_API void SocketTLSContext_refresh_crl (SocketTLSContext_T ctx,
                                                     const char *crl_path);

/* --- OCSP stapling (RFC 6066 section 8) ---------------------------------- */

/**
 * @brief Server: staple this DER OCSP response (copied; at most
 *        SOCKET_TLS_MAX_OCSP_RESPONSE_LEN bytes, must parse as an
 *        OCSPResponse). On a client context it is accepted and unused.
 * Raises: SocketTLS_Failed ("Invalid OCSP response (null or zero length)",
 *         "OCSP response too large (N bytes, max 65536)", "Invalid OCSP
 *         response format").
 */
extern SOCKET_API void SocketTLSContext_set_ocsp_response (
    SocketTLSContext_T ctx, const unsigned char *response, size_t len);

/** @brief Server: produce the stapled response per handshake instead
 *         (takes precedence over a static response; NULL removes it). */
extern SOCKET_API void SocketTLSContext_set_ocsp_gen_callback (
    SocketTLSContext_T ctx, SocketTLSOcspGenCallback cb, void *arg);

/**
 * @brief Client: status of the OCSP response the server stapled for its
 *        certificate, after the handshake.
 * @return 1 good (signature verified against the trust store, within its
 *         validity period), 0 revoked, -1 no response stapled (always so on
 *         a resumed session, which carries no certificate), -2 response
 *         unusable (malformed, unsuccessful, bad signature, stale, unknown
 *         status, or not for this certificate).
 * Never raises: -1 also for a NULL socket or one without TLS.
 */
extern SOCKET_API int SocketTLS_get_ocsp_status (Socket_T socket);

/* --- protocol and ciphers ----------------------------------------------- */

/** @brief Lowest protocol: TLS1_2_VERSION or TLS1_3_VERSION (nothing
 *         older is accepted). */
extern SOCKET_API void SocketTLSContext_set_min_protocol (SocketTLSContext_T ctx,
                                                          int version);

/** @brief Highest protocol: TLS1_2_VERSION or TLS1_3_VERSION. */
extern SOCKET_API void SocketTLSContext_set_max_protocol (SocketTLSContext_T ctx,
                                                          int version);

/**
 * @brief Cipher preferences. A list whose entries all start with "TLS_"
 *        sets the TLS 1.3 ciphersuites; anything else is an OpenSSL cipher
 *        string for TLS 1.2. NULL restores both defaults.
 */
extern SOCKET_API void SocketTLSContext_set_cipher_list (SocketTLSContext_T ctx,
                                                         const char *ciphers);

/* --- ALPN (RFC 7301) ---------------------------------------------------- */

/**
 * @brief Protocols in preference order (1..SOCKET_TLS_MAX_ALPN_PROTOCOLS,
 *        each 1..SOCKET_TLS_MAX_ALPN_LEN bytes; copied). A client offers
 *        them; a server picks its first one the client offered and, if
 *        none matches, continues without ALPN (as the original). @p count
 *        0 is a no-op.
 * Raises: SocketTLS_Failed ("Too many ALPN protocols", "Invalid ALPN
 *         protocol length").
 */
extern SOCKET_API void SocketTLSContext_set_alpn_protos (SocketTLSContext_T ctx,
                                                         const char **protos,
                                                         size_t count);

/** @brief Server: let @p callback choose instead (NULL removes it). */
extern SOCKET_API void SocketTLSContext_set_alpn_callback (
    SocketTLSContext_T ctx, SocketTLSAlpnCallback callback, void *user_data);

/* --- sessions ----------------------------------------------------------- */

/**
 * @brief Turn on session resumption.
 *
 * Server: a session cache of @p max_sessions entries (0 =
 * SOCKET_TLS_SESSION_CACHE_SIZE) kept @p timeout_seconds (0 =
 * SOCKET_TLS_SESSION_TIMEOUT_DEFAULT, also for negative values); unless tickets are enabled, TLS 1.3
 * tickets then only carry a cache key. Client: remember the latest session
 * per server (host name or address, and port) and offer it on the next
 * connection.
 */
extern SOCKET_API void SocketTLSContext_enable_session_cache (
    SocketTLSContext_T ctx, size_t max_sessions, long timeout_seconds);

/** @brief Change the session cache capacity; 0 raises SocketTLS_Failed
 *         "Session cache size cannot be zero". */
extern SOCKET_API void SocketTLSContext_set_session_cache_size (
    SocketTLSContext_T ctx, size_t size);

/**
 * @brief Cache counters (any pointer may be NULL). Server: resumptions,
 *        offered sessions not resumed, sessions stored. Client: resumed
 *        handshakes, handshakes that could not resume, sessions stored.
 *        All 0 for a NULL @p ctx or before the cache (or tickets) is
 *        enabled.
 */
extern SOCKET_API void SocketTLSContext_get_cache_stats (SocketTLSContext_T ctx,
                                                         size_t *hits,
                                                         size_t *misses,
                                                         size_t *stores);

/**
 * @brief Server: stateless session tickets (RFC 8446 section 4.6.1) with a
 *        caller-supplied key.
 *
 * @p key is SOCKET_TLS_TICKET_KEY_LEN bytes: 16 key name, 32 HMAC-SHA256
 * key, 32 AES-256 key (copied, wiped on free). Every accepted ticket is
 * replaced by a fresh one, so clients can use each ticket once (RFC 8446
 * appendix C.4). Calling again rotates: new tickets use the new key,
 * tickets under the previous key are still accepted. Accepted (and unused)
 * on client contexts.
 * Raises: SocketTLS_Failed ("Session ticket key length must be exactly 80
 *         bytes").
 */
extern SOCKET_API void SocketTLSContext_enable_session_tickets (
    SocketTLSContext_T ctx, const unsigned char *key, size_t key_len);

/* --- certificate pinning (SPKI SHA-256) --------------------------------- */

/**
 * @brief Pin a SHA-256 digest (SOCKET_TLS_PIN_HASH_LEN bytes) of a DER
 *        SubjectPublicKeyInfo. With pins present and enforcement on (the
 *        default), a handshake succeeds only if some certificate of the
 *        peer's chain matches; otherwise the handshake raises
 *        SocketTLS_HandshakeFailed (reason: pin mismatch). At most SOCKET_TLS_MAX_PINS pins;
 *        duplicates are ignored.
 */
extern SOCKET_API void SocketTLSContext_add_pin (SocketTLSContext_T ctx,
                                                 const unsigned char *sha256_hash);

/** @brief Pin from exactly 64 hex digits (either case), optionally after a
 *         "sha256//" prefix, e.g. the output of
 *         `openssl x509 -pubkey | openssl pkey -pubin -outform DER |
 *         openssl dgst -sha256`. */
extern SOCKET_API void SocketTLSContext_add_pin_hex (SocketTLSContext_T ctx,
                                                     const char *hex_hash);

/** @brief Pin the public key of the first certificate of a PEM file. */
extern SOCKET_API void SocketTLSContext_add_pin_from_cert (
    SocketTLSContext_T ctx, const char *cert_file);

/** @brief Pin the public key of @p cert (borrowed). */
extern SOCKET_API void SocketTLSContext_add_pin_from_x509 (SocketTLSContext_T ctx,
                                                           X509 *cert);

/** @brief Remove every pin. */
extern SOCKET_API void SocketTLSContext_clear_pins (SocketTLSContext_T ctx);

/** @brief 1: a mismatch fails the handshake (default); 0: it is only
 *         logged. */
extern SOCKET_API void SocketTLSContext_set_pin_enforcement (
    SocketTLSContext_T ctx, int enforce);

/** @brief Current enforcement flag (1 or 0). */
extern SOCKET_API int SocketTLSContext_get_pin_enforcement (
    SocketTLSContext_T ctx);

/** @brief Number of pins. */
extern SOCKET_API size_t SocketTLSContext_get_pin_count (SocketTLSContext_T ctx);

/** @brief 1 if at least one pin is configured. */
extern SOCKET_API int SocketTLSContext_has_pins (SocketTLSContext_T ctx);

/** @brief 1 if @p sha256_hash is one of the pins (constant-time compare). */
extern SOCKET_API int SocketTLSContext_verify_pin (SocketTLSContext_T ctx,
                                                   const unsigned char *sha256_hash);

/** @brief 1 if the public key of @p cert is pinned. */
extern SOCKET_API int SocketTLSContext_verify_cert_pin (SocketTLSContext_T ctx,
                                                        X509 *cert);

/* --- accessors ---------------------------------------------------------- */

/** @brief The underlying SSL_CTX * (borrowed; for settings not covered
 *         here, made before the context is shared). */
extern SOCKET_API void *SocketTLSContext_get_ssl_ctx (SocketTLSContext_T ctx);

/** @brief 1 for a server context, 0 for a client context. */
extern SOCKET_API int SocketTLSContext_is_server (SocketTLSContext_T ctx);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETTLSCONTEXT_INCLUDED */
