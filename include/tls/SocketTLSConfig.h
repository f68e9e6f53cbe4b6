/**
 * @file SocketTLSConfig.h
 * @brief Compile-time TLS defaults and limits (OpenSSL >= 1.1.1).
 *
 * Everything here exists only when the library is built with TLS
 * (SOCKET_HAS_TLS). Each tuning macro may be overridden by defining it
 * before this header is included (or with -D); the values below are the
 * defaults and part of the ABI contract.
 *
 * Security posture: contexts default to TLS 1.3 only (min = max = 1.3) with
 * AEAD-only ciphersuites. SocketTLSContext_set_min_protocol() may lower the
 * floor to TLS 1.2, never below.
 */
#ifndef SOCKETTLSCONFIG_INCLUDED
#define SOCKETTLSCONFIG_INCLUDED

#if SOCKET_HAS_TLS

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* ---- Protocol versions and ciphers ---- */

#ifndef SOCKET_TLS_MIN_VERSION
/** Lowest protocol version a new context accepts (TLS 1.3). */
#define SOCKET_TLS_MIN_VERSION TLS1_3_VERSION
#endif

#ifndef SOCKET_TLS_MAX_VERSION
/** Highest protocol version a new context offers (TLS 1.3). */
#define SOCKET_TLS_MAX_VERSION TLS1_3_VERSION
#endif

#ifndef SOCKET_TLS13_CIPHERSUITES
/** TLS 1.3 ciphersuites of a new context, in preference order. */
#define SOCKET_TLS13_CIPHERSUITES                                             \
  "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
#endif

/* ---- Timeouts and buffers ---- */

#ifndef SOCKET_TLS_DEFAULT_HANDSHAKE_TIMEOUT_MS
/** Default handshake deadline for blocking helpers (milliseconds). */
#define SOCKET_TLS_DEFAULT_HANDSHAKE_TIMEOUT_MS 30000
#endif

#ifndef SOCKET_TLS_BUFFER_SIZE
/** Maximum TLS plaintext record size (RFC 8446 section 5.1: 2^14). */
#define SOCKET_TLS_BUFFER_SIZE 16384
#endif

#ifndef SOCKET_TLS_MAX_CERT_CHAIN_DEPTH
/** Maximum certificate chain depth accepted during verification. */
#define SOCKET_TLS_MAX_CERT_CHAIN_DEPTH 10
#endif

/* ---- Extension limits (RFC 7301 ALPN, RFC 6066 SNI) ---- */

#ifndef SOCKET_TLS_MAX_ALPN_LEN
/** Maximum length of one ALPN protocol name (one length octet). */
#define SOCKET_TLS_MAX_ALPN_LEN 255
#endif

#ifndef SOCKET_TLS_MAX_SNI_LEN
/** Maximum SNI host name length (DNS name limit). */
#define SOCKET_TLS_MAX_SNI_LEN 255
#endif

#ifndef SOCKET_TLS_MAX_ALPN_PROTOCOLS
/** Maximum number of ALPN protocols a context may advertise. */
#define SOCKET_TLS_MAX_ALPN_PROTOCOLS 16
#endif

#ifndef SOCKET_TLS_MAX_LABEL_LEN
/** Maximum length of one DNS label in an SNI name. */
#define SOCKET_TLS_MAX_LABEL_LEN 63
#endif

/* ---- SNI virtual hosting ---- */

#ifndef SOCKET_TLS_MAX_SNI_CERTS
/** Maximum number of per-hostname certificates on one server context. */
#define SOCKET_TLS_MAX_SNI_CERTS 100
#endif

#ifndef SOCKET_TLS_SNI_INITIAL_CAPACITY
/** Initial capacity of the SNI certificate table. */
#define SOCKET_TLS_SNI_INITIAL_CAPACITY 4
#endif

/* ---- Sessions ---- */

#ifndef SOCKET_TLS_SESSION_CACHE_SIZE
/** Default number of sessions in a server-side session cache. */
#define SOCKET_TLS_SESSION_CACHE_SIZE 1000
#endif

#ifndef SOCKET_TLS_TICKET_KEY_LEN
/**
 * Session ticket key material length in bytes: 16 name + 32 HMAC-SHA256
 * key + 32 AES-256 key.
 */
#define SOCKET_TLS_TICKET_KEY_LEN 80
#endif

#ifndef SOCKET_TLS_SESSION_TIMEOUT_DEFAULT
/** Default session lifetime in seconds. */
#define SOCKET_TLS_SESSION_TIMEOUT_DEFAULT 300L
#endif

/* ---- Errors ---- */

#ifndef SOCKET_TLS_ERROR_BUFSIZE
/** Size of the thread-local tls_error_buf message buffer. */
#define SOCKET_TLS_ERROR_BUFSIZE 512
#endif

#ifndef SOCKET_TLS_OPENSSL_ERRSTR_BUFSIZE
/** Size of a buffer holding one OpenSSL error-queue string. */
#define SOCKET_TLS_OPENSSL_ERRSTR_BUFSIZE 256
#endif

/* ---- OCSP, paths ---- */

#ifndef SOCKET_TLS_MAX_OCSP_RESPONSE_LEN
/** Maximum DER-encoded OCSP response a server staples (bytes). */
#define SOCKET_TLS_MAX_OCSP_RESPONSE_LEN (64 * 1024)
#endif

#ifndef SOCKET_TLS_MAX_PATH_LEN
/** Maximum length of a certificate, key, CA or CRL path. */
#define SOCKET_TLS_MAX_PATH_LEN 4096
#endif

/* ---- Certificate pinning (SPKI SHA-256) ---- */

#ifndef SOCKET_TLS_MAX_PINS
/** Maximum number of SPKI pins on one context. */
#define SOCKET_TLS_MAX_PINS 32
#endif

#ifndef SOCKET_TLS_PIN_HASH_LEN
/** Length of one pin: a SHA-256 digest of the SubjectPublicKeyInfo. */
#define SOCKET_TLS_PIN_HASH_LEN 32
#endif

#ifndef SOCKET_TLS_PIN_INITIAL_CAPACITY
/** Initial capacity of the pin table. */
#define SOCKET_TLS_PIN_INITIAL_CAPACITY 4
#endif

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETTLSCONFIG_INCLUDED */
