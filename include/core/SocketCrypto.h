/**
 * @file SocketCrypto.h
 * @brief Hashes, HMAC, Base64/hex codecs, CSPRNG, constant-time helpers and
 *        the WebSocket handshake key/accept computation.
 *
 * Hashes, HMAC, random bytes, constant-time comparison and cleansing use
 * OpenSSL's libcrypto (EVP_Digest, HMAC, RAND_bytes, CRYPTO_memcmp,
 * OPENSSL_cleanse), which the library links in every configuration, with
 * or without TLS. The Base64 and hex codecs are the library's own; they
 * treat their input as untrusted, report bad input as -1 and never write
 * past the stated output size.
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

/**
 * @brief SHA-1 of @p input_len bytes (NULL input with length 0 is the empty
 *        message). @throws SocketCrypto_Failed on NULL input with non-zero
 *        length, NULL output, or a backend failure.
 */
extern SOCKET_API void SocketCrypto_sha1 (const void *input, size_t input_len,
                                          unsigned char output[SOCKET_CRYPTO_SHA1_SIZE]);

/** @brief SHA-256 of @p input_len bytes. @throws SocketCrypto_Failed as sha1. */
extern SOCKET_API void SocketCrypto_sha256 (const void *input, size_t input_len,
                                            unsigned char output[SOCKET_CRYPTO_SHA256_SIZE]);

/** @brief MD5 (legacy protocols only, e.g. HTTP Digest). @throws SocketCrypto_Failed as sha1. */
extern SOCKET_API void SocketCrypto_md5 (const void *input, size_t input_len,
                                         unsigned char output[SOCKET_CRYPTO_MD5_SIZE]);

/**
 * @brief HMAC-SHA256 (RFC 2104); keys of any length (longer than the block
 *        size are hashed first, as RFC 2104 specifies).
 * @throws SocketCrypto_Failed on NULL key/data with non-zero length, NULL
 *         output, or a backend failure.
 */
extern SOCKET_API void SocketCrypto_hmac_sha256 (const void *key, size_t key_len,
                                                 const void *data, size_t data_len,
                                                 unsigned char output[SOCKET_CRYPTO_SHA256_SIZE]);

/**
 * @brief Standard Base64 (RFC 4648 §4, padded), NUL-terminated.
 * @param output_size must be >= SocketCrypto_base64_encoded_size(input_len).
 * @return characters written (excluding NUL), or -1 if @p output is too
 *         small (nothing is written then) or an argument is NULL.
 */
extern SOCKET_API ssize_t SocketCrypto_base64_encode (const void *input, size_t input_len,
                                                      char *output, size_t output_size);

/**
 * @brief Base64 decode. Accepts the standard and the URL-safe alphabet
 * ('-' = 62, '_' = 63), mixed freely; space, tab, CR and LF are skipped
 * anywhere; '=' only at the end, exactly as many as the final group needs
 * (or none: a missing final padding is accepted, 2 or 3 trailing
 * characters decode to 1 or 2 bytes); non-zero unused bits in the final
 * group are ignored. Rejected: a single trailing character, partial or
 * excess padding ("QQ=", "Q=", "QQ==="), and data after '='. Never writes
 * more than @p output_size bytes.
 * @param input_len 0 means strlen(@p input).
 * @param input NULL → 0 when @p output_size >= 1, else -1.
 * @return bytes written, or -1 for NULL @p output, invalid input or a
 *         too-small @p output (the output may then hold partial data).
 */
extern SOCKET_API ssize_t SocketCrypto_base64_decode (const char *input, size_t input_len,
                                                      unsigned char *output, size_t output_size);

/** @brief Buffer size for encoding @p input_len bytes, including the NUL:
 *  4 * ceil(input_len / 3) + 1, or SIZE_MAX if that overflows. */
extern SOCKET_API size_t SocketCrypto_base64_encoded_size (size_t input_len);

/** @brief Upper bound of decoded bytes for @p input_len Base64 characters:
 *  ((input_len + 3) / 4) * 3 (2 → 3, 5 → 6), computed without overflow. */
extern SOCKET_API size_t SocketCrypto_base64_decoded_size (size_t input_len);

/**
 * @brief Hex-encode into @p output (needs 2 * input_len + 1 bytes; NUL-terminated).
 * @param lowercase non-zero for a-f, zero for A-F.
 * @param input NULL (or @p input_len 0) writes "".
 * @throws SocketCrypto_Failed on NULL output.
 */
extern SOCKET_API void SocketCrypto_hex_encode (const void *input, size_t input_len,
                                                char *output, int lowercase);

/**
 * @brief Decode hex (either case) into @p output (needs input_len / 2 bytes).
 * @return bytes written, or -1 for odd length, a non-hex character (no
 *         whitespace or "0x" prefix) or a NULL argument with non-zero length.
 */
extern SOCKET_API ssize_t SocketCrypto_hex_decode (const char *input, size_t input_len,
                                                   unsigned char *output);

/** @brief Fill @p output with @p len CSPRNG bytes. @return 0 on success, -1 on failure. */
extern SOCKET_API int SocketCrypto_random_bytes (void *output, size_t len);

/** @brief Uniform random 32-bit value. @throws SocketCrypto_Failed if the CSPRNG fails. */
extern SOCKET_API uint32_t SocketCrypto_random_uint32 (void);

/**
 * @brief Sec-WebSocket-Accept for @p client_key (RFC 6455 §4.2.2):
 *        base64(SHA-1(key + GUID)).
 * @return 0 on success (@p output gets 28 characters plus NUL), -1 for a
 *         NULL argument or a key whose strlen is not 24. As in the original
 *         the key's characters are not checked; a server must itself reject
 *         keys that are not the Base64 of 16 bytes. Never raises.
 */
extern SOCKET_API int SocketCrypto_websocket_accept (const char *client_key,
                                                     char output[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE]);

/** @brief Fresh random Sec-WebSocket-Key. @return 0 on success, -1 on failure. */
extern SOCKET_API int SocketCrypto_websocket_key (char output[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE]);

/**
 * @brief Compare @p len bytes in time independent of their contents.
 * @return 0 when equal, non-zero otherwise (memcmp convention; note the
 *         seed README reads it as a boolean match, see docs/MIGRATION.md).
 *         A NULL pointer compares unequal (1), even with length 0; two
 *         non-NULL pointers with length 0 compare equal.
 */
extern SOCKET_API int SocketCrypto_secure_compare (const void *a, const void *b, size_t len);

/** @brief Zero @p len bytes in a way the compiler cannot elide (NULL is a no-op). */
extern SOCKET_API void SocketCrypto_secure_clear (void *ptr, size_t len);

#endif /* SOCKETCRYPTO_INCLUDED */
