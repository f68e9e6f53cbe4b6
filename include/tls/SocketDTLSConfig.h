/**
 * @file SocketDTLSConfig.h
 * @brief Compile-time DTLS defaults and limits (OpenSSL >= 1.1.1).
 *
 * Everything here exists only when the library is built with TLS
 * (SOCKET_HAS_TLS). Each tuning macro may be overridden by defining it
 * before this header is included (or with -D); the values below are the
 * defaults and part of the ABI contract.
 *
 * Security posture: DTLS 1.2 only (RFC 6347), ECDHE + AEAD cipher suites,
 * stateless HMAC cookies for servers that enable the cookie exchange.
 *
 * MTU terminology: an "MTU" in this API is the path MTU, i.e. the largest
 * IP packet. The largest UDP payload is that minus the IP and UDP headers
 * (28 bytes for IPv4, 48 for IPv6), and the largest application payload of
 * one record is further reduced by the record overhead (header, explicit
 * nonce/IV, tag). SOCKET_DTLS_MAX_PAYLOAD is the conservative result for
 * the default MTU.
 */
#ifndef SOCKETDTLSCONFIG_INCLUDED
#define SOCKETDTLSCONFIG_INCLUDED

#if SOCKET_HAS_TLS

#include <openssl/ssl.h>

/* ---- Protocol versions and ciphers ---- */

#ifndef SOCKET_DTLS_MIN_VERSION
/** Lowest protocol version a new context accepts (DTLS 1.2). */
#define SOCKET_DTLS_MIN_VERSION DTLS1_2_VERSION
#endif

#ifndef SOCKET_DTLS_MAX_VERSION
/** Highest protocol version a new context offers (DTLS 1.2). */
#define SOCKET_DTLS_MAX_VERSION DTLS1_2_VERSION
#endif

#ifndef SOCKET_DTLS_CIPHERSUITES
/** DTLS 1.2 cipher list of a new context: ECDHE key exchange, AEAD only. */
#define SOCKET_DTLS_CIPHERSUITES                                              \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
#endif

/* ---- MTU and record sizes ---- */

#ifndef SOCKET_DTLS_DEFAULT_MTU
/** Default path MTU (conservative: fits tunnels and PPPoE links). */
#define SOCKET_DTLS_DEFAULT_MTU 1400
#endif

#ifndef SOCKET_DTLS_MIN_MTU
/** Smallest accepted path MTU (the IPv4 minimum reassembly size). */
#define SOCKET_DTLS_MIN_MTU 576
#endif

#ifndef SOCKET_DTLS_MAX_MTU
/** Largest accepted path MTU (jumbo frames). */
#define SOCKET_DTLS_MAX_MTU 9000
#endif

#ifndef SOCKET_DTLS_MAX_RECORD_SIZE
/** Maximum plaintext of one record (RFC 6347 section 4.1: 2^14). */
#define SOCKET_DTLS_MAX_RECORD_SIZE 16384
#endif

#ifndef SOCKET_DTLS_RECORD_OVERHEAD
/** Upper bound of per-record overhead: header, explicit IV/nonce, tag. */
#define SOCKET_DTLS_RECORD_OVERHEAD 64
#endif

#ifndef SOCKET_DTLS_MAX_PAYLOAD
/** Application bytes per datagram at the default MTU over IPv4:
 *  1400 - 28 (IPv4 + UDP) - 64 (record overhead). */
#define SOCKET_DTLS_MAX_PAYLOAD 1308
#endif

/* ---- Cookie exchange (RFC 6347 section 4.2.1) ---- */

#ifndef SOCKET_DTLS_COOKIE_LEN
/** Cookie length: one HMAC-SHA256 output. */
#define SOCKET_DTLS_COOKIE_LEN 32
#endif

#ifndef SOCKET_DTLS_COOKIE_SECRET_LEN
/** Length of the HMAC key that signs cookies. */
#define SOCKET_DTLS_COOKIE_SECRET_LEN 32
#endif

#ifndef SOCKET_DTLS_COOKIE_LIFETIME_SEC
/** A cookie stays valid for one to two of these periods, and the previous
 *  secret stays accepted for this long after a rotation. */
#define SOCKET_DTLS_COOKIE_LIFETIME_SEC 60
#endif

#ifndef SOCKET_DTLS_MAX_PENDING_COOKIES
/** Cookie exchanges are stateless; kept for ABI compatibility (bound on
 *  pending exchanges a stateful implementation would track). */
#define SOCKET_DTLS_MAX_PENDING_COOKIES 1000
#endif

/* ---- Retransmission and handshake timing ---- */

#ifndef SOCKET_DTLS_INITIAL_TIMEOUT_MS
/** First retransmission timeout (RFC 6347 section 4.2.4.1: 1 second). */
#define SOCKET_DTLS_INITIAL_TIMEOUT_MS 1000
#endif

#ifndef SOCKET_DTLS_MAX_TIMEOUT_MS
/** Retransmission timeout ceiling after doubling (RFC 6347: 60 s). */
#define SOCKET_DTLS_MAX_TIMEOUT_MS 60000
#endif

#ifndef SOCKET_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS
/** Default overall handshake deadline (milliseconds). */
#define SOCKET_DTLS_DEFAULT_HANDSHAKE_TIMEOUT_MS 30000
#endif

#ifndef SOCKET_DTLS_MAX_RETRANSMITS
/** Retransmissions of one flight before the handshake is abandoned
 *  (matches OpenSSL's fixed limit). */
#define SOCKET_DTLS_MAX_RETRANSMITS 12
#endif

/* ---- Sessions ---- */

#ifndef SOCKET_DTLS_SESSION_CACHE_SIZE
/** Default number of sessions in a session cache. */
#define SOCKET_DTLS_SESSION_CACHE_SIZE 1000
#endif

#ifndef SOCKET_DTLS_SESSION_TIMEOUT_DEFAULT
/** Default session lifetime in seconds. */
#define SOCKET_DTLS_SESSION_TIMEOUT_DEFAULT 300L
#endif

/* ---- Errors, names, paths ---- */

#ifndef SOCKET_DTLS_ERROR_BUFSIZE
/** Size of the thread-local dtls_error_buf message buffer. */
#define SOCKET_DTLS_ERROR_BUFSIZE 512
#endif

#ifndef SOCKET_DTLS_MAX_CERT_CHAIN_DEPTH
/** Maximum certificate chain depth accepted during verification. */
#define SOCKET_DTLS_MAX_CERT_CHAIN_DEPTH 10
#endif

#ifndef SOCKET_DTLS_MAX_SNI_LEN
/** Maximum SNI host name length (DNS name limit). */
#define SOCKET_DTLS_MAX_SNI_LEN 255
#endif

#ifndef SOCKET_DTLS_MAX_ALPN_LEN
/** Maximum length of one ALPN protocol name (RFC 7301: one length octet). */
#define SOCKET_DTLS_MAX_ALPN_LEN 255
#endif

#ifndef SOCKET_DTLS_MAX_ALPN_PROTOCOLS
/** Maximum number of ALPN protocols a context may advertise. */
#define SOCKET_DTLS_MAX_ALPN_PROTOCOLS 16
#endif

#ifndef SOCKET_DTLS_MAX_PATH_LEN
/** Maximum length of a certificate, key or CA path. */
#define SOCKET_DTLS_MAX_PATH_LEN 4096
#endif

/* ---- Validation ---- */

/** True for a path MTU within [SOCKET_DTLS_MIN_MTU, SOCKET_DTLS_MAX_MTU]. */
#define SOCKET_DTLS_VALID_MTU(mtu)                                            \
  ((size_t)(mtu) >= SOCKET_DTLS_MIN_MTU && (size_t)(mtu) <= SOCKET_DTLS_MAX_MTU)

/** True for a retransmission timeout within [0, 60000] ms (0 is valid and
 *  means the default, as in the original). */
#define SOCKET_DTLS_VALID_TIMEOUT(ms)                                         \
  ((int)(ms) >= 0 && (int)(ms) <= 60000)

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETDTLSCONFIG_INCLUDED */
