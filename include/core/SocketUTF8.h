/**
 * @file SocketUTF8.h
 * @brief UTF-8 validation (RFC 3629), one-shot and incremental, plus
 *        code point encode/decode.
 *
 * Rejected: overlong forms, UTF-16 surrogates (U+D800..U+DFFF), code points
 * above U+10FFFF, stray continuation bytes and truncated sequences. The
 * validator is a DFA with an ASCII fast path (SSE2 where available; define
 * SOCKET_UTF8_NO_SIMD when building the library to use only the portable
 * word-at-a-time path). The incremental form gives the same verdict as the
 * one-shot form for any split of the input (e.g. WebSocket text fragments).
 *
 * The verdict is the first error in byte order, decided at the first byte
 * that rules the input out: a continuation byte where a sequence must start
 * is UTF8_INVALID; C0/C1, and E0 80..9F / F0 80..8F, are UTF8_OVERLONG;
 * ED A0..BF is UTF8_SURROGATE; F4 90..BF is UTF8_TOO_LARGE; the lead
 * bytes F5..FF (including 5/6-byte forms) are UTF8_INVALID; any other
 * missing continuation byte is UTF8_INVALID; input that ends inside an
 * otherwise valid sequence is UTF8_INCOMPLETE.
 *
 * Thread-safety: reentrant; state lives in the caller's SocketUTF8_State.
 */
#ifndef SOCKETUTF8_INCLUDED
#define SOCKETUTF8_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "core/Except.h"

#define SOCKET_UTF8_MAX_BYTES 4
#define SOCKET_UTF8_MAX_CODEPOINT 0x10FFFF
#define SOCKET_UTF8_SURROGATE_MIN 0xD800
#define SOCKET_UTF8_SURROGATE_MAX 0xDFFF

/** Validation result; every value except UTF8_VALID/UTF8_INCOMPLETE is an error. */
typedef enum
{
  UTF8_VALID = 0,   /**< complete and valid */
  UTF8_INVALID,     /**< invalid byte or sequence */
  UTF8_INCOMPLETE,  /**< valid so far, ends inside a sequence */
  UTF8_OVERLONG,    /**< overlong encoding */
  UTF8_SURROGATE,   /**< encodes U+D800..U+DFFF */
  UTF8_TOO_LARGE    /**< encodes a value above U+10FFFF */
} SocketUTF8_Result;

/**
 * Incremental validator state (initialise with SocketUTF8_init(); a
 * zero-filled struct is also a fresh stream). Treat it as opaque except
 * for reading: @c state is 0 on a sequence boundary, 1 once the stream
 * failed, 2..8 inside a sequence; while a sequence is split across calls,
 * @c bytes_needed and @c bytes_seen describe it. @c codepoint stays 0.
 */
typedef struct
{
  uint32_t state;        /**< 0 boundary, 1 failed, 2..8 mid-sequence */
  uint32_t codepoint;    /**< unused, 0 */
  uint8_t bytes_needed;  /**< length of the current sequence */
  uint8_t bytes_seen;    /**< bytes of it consumed so far */
} SocketUTF8_State;

/** Raised only for a NULL state passed to init/update/finish/reset. */
extern SOCKET_API const Except_T SocketUTF8_Failed;

/** @brief Validate @p len bytes. @p len 0 or a NULL @p data is UTF8_VALID. */
extern SOCKET_API SocketUTF8_Result SocketUTF8_validate (const unsigned char *data, size_t len);

/** @brief Validate a NUL-terminated string (NULL → UTF8_VALID). */
extern SOCKET_API SocketUTF8_Result SocketUTF8_validate_str (const char *str);

/** @brief Reset @p state to the start of a stream. */
extern SOCKET_API void SocketUTF8_init (SocketUTF8_State *state);

/**
 * @brief Feed the next @p len bytes.
 * @return UTF8_VALID if the input so far ends on a boundary, UTF8_INCOMPLETE
 *         if it ends inside a sequence, or the error. After an error the
 *         state stays failed and every later update returns UTF8_INVALID
 *         until SocketUTF8_reset(). NULL @p data or @p len 0 returns the
 *         current status without changing the state.
 * @throws SocketUTF8_Failed if @p state is NULL (as do init, finish and
 *         reset).
 */
extern SOCKET_API SocketUTF8_Result SocketUTF8_update (SocketUTF8_State *state,
                                                       const unsigned char *data, size_t len);

/** @brief Final verdict: UTF8_VALID on a boundary, UTF8_INCOMPLETE if the
 *  stream ended mid-sequence, UTF8_INVALID if an update failed. */
extern SOCKET_API SocketUTF8_Result SocketUTF8_finish (const SocketUTF8_State *state);

/** @brief Same as SocketUTF8_init(). */
extern SOCKET_API void SocketUTF8_reset (SocketUTF8_State *state);

/** @brief Bytes needed to encode @p codepoint (1..4), 0 if not encodable. */
extern SOCKET_API int SocketUTF8_codepoint_len (uint32_t codepoint);

/** @brief Sequence length announced by a lead byte (1..4), 0 if not a lead byte. */
extern SOCKET_API int SocketUTF8_sequence_len (unsigned char first_byte);

/**
 * @brief Encode @p codepoint into @p output (room for 4 bytes).
 * @return bytes written, 0 for surrogates, values above U+10FFFF or NULL output.
 */
extern SOCKET_API int SocketUTF8_encode (uint32_t codepoint, unsigned char *output);

/**
 * @brief Decode the first code point of @p data.
 * @param codepoint,consumed outputs (either may be NULL); @p codepoint is
 *        written only on UTF8_VALID.
 * @return UTF8_VALID (@p consumed = sequence length); UTF8_INCOMPLETE for
 *         NULL/empty input (@p consumed 0) or when @p len is shorter than
 *         the lead byte announces (@p consumed = @p len, the bytes present
 *         are not checked); for a bad lead byte UTF8_OVERLONG (C0/C1) or
 *         UTF8_INVALID (80..BF, F5..FF), @p consumed 1; UTF8_INVALID with
 *         @p consumed = i when byte i (1..3) is not a continuation byte
 *         ("E2 82 41" skips 2, then decodes 'A'); UTF8_OVERLONG,
 *         UTF8_SURROGATE or UTF8_TOO_LARGE with @p consumed = the whole
 *         sequence.
 */
extern SOCKET_API SocketUTF8_Result SocketUTF8_decode (const unsigned char *data, size_t len,
                                                       uint32_t *codepoint, size_t *consumed);

/** @brief Validate and count code points. @p count (may be NULL) is set
 *  to 0 first and to the count when valid. Errors are those of decoding
 *  code point by code point (SocketUTF8_decode), so a broken final
 *  sequence may give UTF8_INCOMPLETE where validate gives UTF8_INVALID. */
extern SOCKET_API SocketUTF8_Result SocketUTF8_count_codepoints (const unsigned char *data,
                                                                 size_t len, size_t *count);

/** @brief Static description of @p result. */
extern SOCKET_API const char *SocketUTF8_result_string (SocketUTF8_Result result);

#endif /* SOCKETUTF8_INCLUDED */
