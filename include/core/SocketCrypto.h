/**
 * @file SocketCrypto.h
 * @brief Hashes, HMAC, Base64/hex codecs, CSPRNG, constant-time helpers and
 *        the WebSocket handshake key/accept computation.
 *
 * Hashes and HMAC use OpenSSL's EVP interface when the library is built with
 * TLS (SOCKET_HAS_TLS); without it, portable built-in implementations are
 * used. Random bytes come from OpenSSL's RAND_bytes or getrandom(2).
 *
 * Thread-safety: every function is reentrant; there is no global state.
 */
#ifndef SOCKETCRYPTO_INCLUDED
#define SOCKETCRYPTO_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Except.h"

#define SOCKET_CRYPTO_SHA1_SIZE 20
#define SOCKET_CRYPTO_SHA256_SIZE 32
#define SOCKET_CRYPTO_MD5_SIZE 16
/** RFC 6455 §1.3 GUID appended to Sec-WebSocket-Key. */
#define SOCKET_CRYPTO_WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/** Base64 of a 16-byte nonce plus NUL. */
#define SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE 25
/** Base64 of a SHA-1 digest plus NUL. */
#define SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE 29

/** Raised for invalid arguments or when the crypto backend fails. */
extern SOCKET_API const Except_T SocketCrypto_Failed;

/** @brief SHA-1 of @p input_len bytes. @throws SocketCrypto_Failed on NULL input with non-zero length. */
extern SOCKET_API void SocketCrypto_sha1 (const void *input, size_t input_len,
                                          unsigned char output[SOCKET_CRYPTO_SHA1_SIZE]);

/** @brief SHA-256 of @p input_len bytes. @throws SocketCrypto_Failed as sha1. */
extern SOCKET_API void SocketCrypto_sha256 (const void *input, size_t input_len,
                                            unsigned char output[SOCKET_CRYPTO_SHA256_SIZE]);

/** @brief MD5 (legacy protocols only, e.g. HTTP Digest). @throws SocketCrypto_Failed as sha1. */
extern SOCKET_API void SocketCrypto_md5 (const void *input, size_t input_len,
                                         unsigned char output[SOCKET_CRYPTO_MD5_SIZE]);

/** @brief HMAC-SHA256 (RFC 2104). @throws SocketCrypto_Failed on NULL key/data with non-zero length. */
extern SOCKET_API void SocketCrypto_hmac_sha256 (const void *key, size_t key_len,
                                                 const void *data, size_t data_len,
                                                 unsigned char output[SOCKET_CRYPTO_SHA256_SIZE]);

/**
 * @brief Standard Base64 (RFC 4648 §4, padded), NUL-terminated.
 * @param output_size must be >= SocketCrypto_base64_encoded_size(input_len).
 * @return characters written (excluding NUL), or -1 if @p output is too
 *         small or an argument is NULL.
 */
extern SOCKET_API ssize_t SocketCrypto_base64_encode (const void *input, size_t input_len,
                                                      char *output, size_t output_size);

/**
 * @brief Strict Base64 decode: standard alphabet, correct padding, zero
 * unused bits; ASCII whitespace is skipped; missing final padding accepted.
 * @return bytes written, or -1 for invalid input or a too-small @p output.
 */
extern SOCKET_API ssize_t SocketCrypto_base64_decode (const char *input, size_t input_len,
                                                      unsigned char *output, size_t output_size);

/** @brief Buffer size for encoding @p input_len bytes, including the NUL. */
extern SOCKET_API size_t SocketCrypto_base64_encoded_size (size_t input_len);

/** @brief Upper bound of decoded bytes for @p input_len Base64 characters. */
extern SOCKET_API size_t SocketCrypto_base64_decoded_size (size_t input_len);

/**
 * @brief Hex-encode into @p output (needs 2 * input_len + 1 bytes; NUL-terminated).
 * @param lowercase non-zero for a-f, zero for A-F.
 */
extern SOCKET_API void SocketCrypto_hex_encode (const void *input, size_t input_len,
                                                char *output, int lowercase);

/**
 * @brief Decode hex (either case) into @p output (needs input_len / 2 bytes).
 * @return bytes written, or -1 for odd length or a non-hex character.
 */
extern SOCKET_API ssize_t SocketCrypto_hex_decode (const char *input, size_t input_len,
                                                   unsigned char *output);

/** @brief Fill @p output with @p len CSPRNG bytes. @return 0 on success, -1 on failure. */
extern SOCKET_API int SocketCrypto_random_bytes (void *output, size_t len);

/** @brief Uniform random 32-bit value. @throws SocketCrypto_Failed if the CSPRNG fails. */
extern SOCKET_API uint32_t SocketCrypto_random_uint32 (void);

/**
 * @brief Sec-WebSocket-Accept for @p client_key (RFC 6455 §4.2.2).
 * @return 0 on success, -1 for a NULL or malformed key (must be Base64 of 16 bytes).
 */
extern SOCKET_API int SocketCrypto_websocket_accept (const char *client_key,
                                                     char output[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE]);

/** @brief Fresh random Sec-WebSocket-Key. @return 0 on success, -1 on failure. */
extern SOCKET_API int SocketCrypto_websocket_key (char output[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE]);

/**
 * @brief Compare @p len bytes in time independent of their contents.
 * @return 0 when equal, non-zero otherwise (memcmp convention; note the
 *         seed README reads it as a boolean match, see docs/MIGRATION.md).
 */
extern SOCKET_API int SocketCrypto_secure_compare (const void *a, const void *b, size_t len);

/** @brief Zero @p len bytes in a way the compiler cannot elide. */
extern SOCKET_API void SocketCrypto_secure_clear (void *ptr, size_t len);

#endif /* SOCKETCRYPTO_INCLUDED */
