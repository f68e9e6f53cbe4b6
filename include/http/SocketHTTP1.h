/**
 * @file SocketHTTP1.h
 * @brief HTTP/1.1 message parser and serializer (RFC 9112).
 *
 * The parser is incremental: feed bytes as they arrive, in pieces of any
 * size (down to one byte); the outcome never depends on how the input was
 * split. It copies the header section into its own buffer (taken from the
 * arena, reused across messages), so the request/response, header values
 * and trailers it returns stay valid until SocketHTTP1_Parser_reset() or
 * the arena goes away, whatever happens to the caller's buffers. Header
 * bytes are validated in bulk (SSE2 where available; the portable path is
 * always compiled and can be forced with SOCKETHTTP1_NO_SIMD).
 *
 * Usage:
 * @code
 * r = SocketHTTP1_Parser_execute(p, buf, len, &used);   // head
 * if (r == HTTP1_OK) {
 *     const SocketHTTP_Request *req = SocketHTTP1_Parser_get_request(p);
 *     while (!SocketHTTP1_Parser_body_complete(p))      // content
 *         r = SocketHTTP1_Parser_read_body(p, in, n, &used, out, cap, &got);
 *     SocketHTTP1_Parser_reset(p);                       // next message
 * }
 * @endcode
 *
 * Message framing (RFC 9112 section 6.3) and request smuggling. Always
 * rejected, whatever the configuration:
 * - Content-Length values that are not plain digits, overflow, or differ
 *   between fields/list elements;
 * - a request Transfer-Encoding whose final coding is not chunked, chunked
 *   applied twice or given parameters, or Transfer-Encoding in HTTP/1.0;
 * - whitespace between a field name and its colon; a line starting with
 *   whitespace before the first field;
 * - bare CR, NUL and other controls (except tab) in the head;
 * - chunk sizes that are not hex, overflow 64 bits, or exceed max_chunk_size.
 *
 * strict_mode (the default) additionally rejects:
 * - a bare LF as line terminator anywhere in the head, chunk lines and
 *   trailers (with strict_mode 0 a single LF ends a line, RFC 9112 2.2);
 * - Content-Length together with Transfer-Encoding (with strict_mode 0 the
 *   Transfer-Encoding wins and the connection is not kept alive);
 * - duplicate Content-Length fields even when equal, and comma lists;
 * - more than one Host field; a request-target that does not fit its
 *   method (CONNECT needs authority-form host:port, "*" needs OPTIONS,
 *   others need origin-form or absolute-form); non-ASCII in the target;
 * - HTTP versions other than 1.0 and 1.1 (strict_mode 0 reads HTTP/1.2-1.9
 *   as 1.1), status codes above 599; CONNECT with content (Content-Length
 *   > 0 or Transfer-Encoding);
 * - whitespace after a chunk size that is not followed by ';';
 * - framing fields (Content-Length, Transfer-Encoding, Host) in trailers.
 * obs-fold (a field line continued by a line starting with SP/HTAB) is
 * rejected unless allow_obs_fold is set; then each fold becomes spaces
 * (RFC 9112 section 5.2).
 *
 * Bodies: Content-Length, chunked (extensions validated and dropped,
 * trailers collected) or until close (responses only). 1xx, 204 and 304
 * responses have no body; CONNECT requests have none (the connection
 * becomes a tunnel, reported by SocketHTTP1_Parser_is_upgrade()).
 *
 * End of input: calling SocketHTTP1_Parser_read_body() with a length of 0
 * means the peer closed the connection (as llhttp_finish()): it completes
 * an until-close body and turns an unfinished body into
 * HTTP1_ERROR_UNEXPECTED_EOF. SocketHTTP1_Parser_execute() gives a length
 * of 0 no meaning (HTTP1_INCOMPLETE, as the original library): a caller
 * that sees the peer close in the middle of a head handles that itself.
 *
 * Errors are sticky: after an error the parser only reports it again until
 * reset. On an error, *consumed is the offset of the offending byte in that
 * call's input (for a size limit, where it was detected). Which error is
 * reported never depends on how the input was split: a limit counts as
 * broken at the first byte past it, and the first problem in byte order wins.
 *
 * Thread-safety: a parser has one owner at a time; serializers are reentrant.
 */
#ifndef SOCKETHTTP1_INCLUDED
#define SOCKETHTTP1_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "http/SocketHTTP.h"

/* ===================================================================== */
/* Default limits                                                        */
/* ===================================================================== */

/** Request line / status line (HTTP1_ERROR_LINE_TOO_LONG above). */
#define SOCKETHTTP1_MAX_REQUEST_LINE (8 * 1024)
/** Method token (HTTP1_ERROR_INVALID_METHOD above). */
#define SOCKETHTTP1_MAX_METHOD_LEN 16
/** Request-target (HTTP1_ERROR_LINE_TOO_LONG above). */
#define SOCKETHTTP1_MAX_URI_LEN (8 * 1024)
/** Field name (HTTP1_ERROR_HEADER_TOO_LARGE above). */
#define SOCKETHTTP1_MAX_HEADER_NAME 256
/** Field value (HTTP1_ERROR_HEADER_TOO_LARGE above). */
#define SOCKETHTTP1_MAX_HEADER_VALUE (8 * 1024)
/** Number of fields (HTTP1_ERROR_TOO_MANY_HEADERS above). */
#define SOCKETHTTP1_MAX_HEADERS 100
/** Whole header section after the start line (HTTP1_ERROR_HEADER_TOO_LARGE above). */
#define SOCKETHTTP1_MAX_HEADER_SIZE (64 * 1024)
/** One chunk's size (HTTP1_ERROR_CHUNK_TOO_LARGE above). */
#define SOCKETHTTP1_MAX_CHUNK_SIZE (16 * 1024 * 1024)
/** Chunk extensions of one chunk line (HTTP1_ERROR_LINE_TOO_LONG above). */
#define SOCKETHTTP1_MAX_CHUNK_EXT 1024
/** Trailer section (HTTP1_ERROR_HEADER_TOO_LARGE above). */
#define SOCKETHTTP1_MAX_TRAILER_SIZE (4 * 1024)

/** Raised by SocketHTTP1_Parser_new() for an invalid mode or configuration. */
extern SOCKET_API const Except_T SocketHTTP1_ParseError;

/* ===================================================================== */
/* Types                                                                 */
/* ===================================================================== */

/** What the parser reads. */
typedef enum
{
  HTTP1_PARSE_REQUEST = 0,
  HTTP1_PARSE_RESPONSE = 1
} SocketHTTP1_ParseMode;

/** Where the parser is in the current message. */
typedef enum
{
  HTTP1_STATE_START = 0,      /**< before or inside the start line */
  HTTP1_STATE_HEADERS = 1,    /**< inside the header section */
  HTTP1_STATE_BODY = 2,       /**< Content-Length or until-close content */
  HTTP1_STATE_CHUNK_SIZE = 3, /**< reading a chunk-size line */
  HTTP1_STATE_CHUNK_DATA = 4, /**< inside chunk data */
  HTTP1_STATE_CHUNK_END = 5,  /**< expecting the CRLF after chunk data */
  HTTP1_STATE_TRAILERS = 6,   /**< reading the trailer section */
  HTTP1_STATE_COMPLETE = 7,   /**< message done; reset for the next one */
  HTTP1_STATE_ERROR = 8       /**< failed; reset to reuse */
} SocketHTTP1_State;

/** Parser result: OK, INCOMPLETE, or an error (every value >= HTTP1_ERROR). */
typedef enum
{
  HTTP1_OK = 0,                       /**< milestone reached (see execute) */
  HTTP1_INCOMPLETE = 1,               /**< all input used, more needed */
  HTTP1_ERROR = 2,                    /**< misuse (e.g. read_body before the head) */
  HTTP1_ERROR_LINE_TOO_LONG = 3,      /**< start line, target or chunk line over its limit */
  HTTP1_ERROR_INVALID_METHOD = 4,
  HTTP1_ERROR_INVALID_URI = 5,        /**< bad request-target character or form */
  HTTP1_ERROR_INVALID_VERSION = 6,    /**< also: request line without version, bare LF (strict) */
  HTTP1_ERROR_INVALID_STATUS = 7,
  HTTP1_ERROR_INVALID_HEADER_NAME = 8, /**< non-token, space before ':', leading space */
  HTTP1_ERROR_INVALID_HEADER_VALUE = 9, /**< control char, bare CR/LF, obs-fold not allowed */
  HTTP1_ERROR_HEADER_TOO_LARGE = 10,  /**< name, value, section or trailers over limit */
  HTTP1_ERROR_TOO_MANY_HEADERS = 11,
  HTTP1_ERROR_INVALID_CONTENT_LENGTH = 12,
  HTTP1_ERROR_INVALID_CHUNK_SIZE = 13, /**< also: bad chunk extension or chunk CRLF */
  HTTP1_ERROR_CHUNK_TOO_LARGE = 14,
  HTTP1_ERROR_INVALID_TRAILER = 15,
  HTTP1_ERROR_UNEXPECTED_EOF = 16,
  HTTP1_ERROR_SMUGGLING_DETECTED = 17 /**< conflicting/ambiguous framing */
} SocketHTTP1_Result;

/** How the message content is delimited. */
typedef enum
{
  HTTP1_BODY_NONE = 0,
  HTTP1_BODY_CONTENT_LENGTH = 1,
  HTTP1_BODY_CHUNKED = 2,
  HTTP1_BODY_UNTIL_CLOSE = 3
} SocketHTTP1_BodyMode;

/** Parser limits and policy; fill with SocketHTTP1_config_defaults(). */
typedef struct
{
  size_t max_request_line; /**< start line */
  size_t max_header_name;
  size_t max_header_value;
  size_t max_headers;      /**< field count */
  size_t max_header_size;  /**< header section without the start line */
  size_t max_chunk_size;
  size_t max_trailer_size;
  int allow_obs_fold;      /**< 1: unfold obs-fold instead of rejecting (default 0) */
  int strict_mode;         /**< 1: reject ambiguous input, see the file comment (default 1) */
} SocketHTTP1_Config;

/** Parser handle. */
typedef struct SocketHTTP1_Parser *SocketHTTP1_Parser_T;

/* ===================================================================== */
/* Parser                                                                */
/* ===================================================================== */

/** @brief Fill @p config with the SOCKETHTTP1_MAX_* limits, strict_mode 1, allow_obs_fold 0. */
extern SOCKET_API void SocketHTTP1_config_defaults (SocketHTTP1_Config *config);

/**
 * @brief Create a parser in @p arena.
 * @param config  copied; NULL for the defaults. Zero limits are invalid.
 * @return a parser owned by @p arena (SocketHTTP1_Parser_free only drops the handle).
 * @throws SocketHTTP1_ParseError for an invalid mode/config or NULL arena;
 *         Arena_Failed when out of memory.
 */
extern SOCKET_API SocketHTTP1_Parser_T SocketHTTP1_Parser_new (SocketHTTP1_ParseMode mode,
                                                               const SocketHTTP1_Config *config,
                                                               Arena_T arena);

/** @brief Drop the parser and set *@p parser to NULL (memory returns with the arena). */
extern SOCKET_API void SocketHTTP1_Parser_free (SocketHTTP1_Parser_T *parser);

/**
 * @brief Prepare for the next message on the same connection. Everything
 *        the parser returned for the previous message becomes invalid.
 */
extern SOCKET_API void SocketHTTP1_Parser_reset (SocketHTTP1_Parser_T parser);

/**
 * @brief Parse bytes of the message head.
 *
 * Before the head is complete: returns HTTP1_INCOMPLETE once all input is
 * used, HTTP1_OK when the head ends (*@p consumed stops right after its
 * final CRLF; the state is then BODY/CHUNK_SIZE, or COMPLETE when the
 * message has no content), or an error. The content is never consumed
 * here (as the original library): called again after the head it returns
 * HTTP1_OK with *@p consumed 0 (HTTP1_INCOMPLETE for @p len 0); use
 * SocketHTTP1_Parser_read_body() for the content. In ERROR it returns the
 * stored error. @p len 0 has no end-of-input meaning.
 */
extern SOCKET_API SocketHTTP1_Result SocketHTTP1_Parser_execute (SocketHTTP1_Parser_T parser,
                                                                 const char *data, size_t len,
                                                                 size_t *consumed);

/** @brief Current state. */
extern SOCKET_API SocketHTTP1_State SocketHTTP1_Parser_state (SocketHTTP1_Parser_T parser);

/** @brief The parsed request head, or NULL before it is complete / in response mode. */
extern SOCKET_API const SocketHTTP_Request *SocketHTTP1_Parser_get_request (SocketHTTP1_Parser_T parser);

/** @brief The parsed response head, or NULL before it is complete / in request mode. */
extern SOCKET_API const SocketHTTP_Response *SocketHTTP1_Parser_get_response (SocketHTTP1_Parser_T parser);

/** @brief Framing of the current message (HTTP1_BODY_NONE before the head). */
extern SOCKET_API SocketHTTP1_BodyMode SocketHTTP1_Parser_body_mode (SocketHTTP1_Parser_T parser);

/** @brief The Content-Length value, or -1 (none, chunked, until close,
 *         before the head, 1xx/204/304 responses). */
extern SOCKET_API int64_t SocketHTTP1_Parser_content_length (SocketHTTP1_Parser_T parser);

/**
 * @brief Content bytes still expected: the rest of a Content-Length body,
 *        0 without framing fields, -1 when unknown (chunked, until close),
 *        before the head and for 1xx/204/304 responses.
 */
extern SOCKET_API int64_t SocketHTTP1_Parser_body_remaining (SocketHTTP1_Parser_T parser);

/**
 * @brief Decode content: copy Content-Length/until-close bytes, or de-chunk.
 *
 * @param output  destination of the decoded content, or NULL to discard it
 *                (then @p output_len is ignored).
 * @param consumed  input bytes used (also set on errors: the error offset).
 * @param written  content bytes produced (or discarded).
 * @return HTTP1_OK when the body is complete (trailers collected),
 *         HTTP1_INCOMPLETE when input ran out or @p output is full (call
 *         again with the unconsumed input), an error, or HTTP1_ERROR when
 *         called before the head is complete. @p input_len 0 signals end of input.
 */
extern SOCKET_API SocketHTTP1_Result SocketHTTP1_Parser_read_body (SocketHTTP1_Parser_T parser,
                                                                   const char *input,
                                                                   size_t input_len,
                                                                   size_t *consumed, char *output,
                                                                   size_t output_len,
                                                                   size_t *written);

/** @brief 1 when the current message is complete (including bodiless ones). */
extern SOCKET_API int SocketHTTP1_Parser_body_complete (SocketHTTP1_Parser_T parser);

/** @brief Trailer fields of a chunked body (empty collection when none, NULL before the head). */
extern SOCKET_API SocketHTTP_Headers_T SocketHTTP1_Parser_get_trailers (SocketHTTP1_Parser_T parser);

/**
 * @brief 1 if the connection may carry another message after this one:
 *        HTTP/1.1 without "Connection: close", HTTP/1.0 with
 *        "Connection: keep-alive"; never after an until-close body, an
 *        accepted Content-Length + Transfer-Encoding message, or an error.
 */
extern SOCKET_API int SocketHTTP1_Parser_should_keepalive (SocketHTTP1_Parser_T parser);

/**
 * @brief 1 if the bytes after this message belong to another protocol: a
 *        request with "Connection: upgrade" and an Upgrade field, a CONNECT
 *        request, or a 101 response.
 */
extern SOCKET_API int SocketHTTP1_Parser_is_upgrade (SocketHTTP1_Parser_T parser);

/** @brief The Upgrade field value when is_upgrade (e.g. "websocket"), else NULL. */
extern SOCKET_API const char *SocketHTTP1_Parser_upgrade_protocol (SocketHTTP1_Parser_T parser);

/** @brief 1 for an HTTP/1.1 request carrying "Expect: 100-continue". */
extern SOCKET_API int SocketHTTP1_Parser_expects_continue (SocketHTTP1_Parser_T parser);

/**
 * @brief The request method as received (also for HTTP_METHOD_UNKNOWN
 *        methods such as "PROPFIND"); NULL before the head is complete.
 *        (Extension: not in the original API.)
 */
extern SOCKET_API const char *SocketHTTP1_Parser_method_string (SocketHTTP1_Parser_T parser);

/**
 * @brief Declare that the current response has no content although its
 *        fields say otherwise: the response to a HEAD request, or a 2xx
 *        response to CONNECT. Call right after execute() returned HTTP1_OK
 *        for the head; the message becomes COMPLETE. (Extension: not in the
 *        original API.)
 */
extern SOCKET_API void SocketHTTP1_Parser_skip_body (SocketHTTP1_Parser_T parser);

/* ===================================================================== */
/* Serialization                                                         */
/* ===================================================================== */

/**
 * @brief Write a request head (the original library's conventions):
 *        request line (method - "GET" for an unknown one -, path - "/" when
 *        NULL or empty; the authority for CONNECT -, version 1.0/1.1), every
 *        header in order, "Host: <authority>" when the authority is
 *        non-empty and the headers have no Host, "Content-Length: N" when
 *        has_body and content_length >= 0 and the headers carry no
 *        Content-Length/Transfer-Encoding, then the empty line. No
 *        Transfer-Encoding is ever added. Names, values and the target are
 *        validated, so CR/LF injection is impossible.
 * @return bytes written (a NUL is appended, not counted), or -1 for invalid
 *         input or when the text plus the NUL does not fit @p output.
 */
extern SOCKET_API ssize_t SocketHTTP1_serialize_request (const SocketHTTP_Request *request,
                                                         char *output, size_t output_size);

/**
 * @brief Write a response head: status line (reason_phrase, or the
 *        registered phrase when NULL or ""), headers, "Content-Length" as
 *        for requests (never for 1xx/204), empty line.
 * @return bytes written (NUL appended, not counted), or -1 (invalid input,
 *         too small an @p output).
 */
extern SOCKET_API ssize_t SocketHTTP1_serialize_response (const SocketHTTP_Response *response,
                                                          char *output, size_t output_size);

/**
 * @brief Write "Name: value\r\n" for every field (no final empty line).
 * @return bytes written (NUL appended, not counted; 0 for NULL or empty
 *         headers), or -1 (invalid field, too small an @p output).
 */
extern SOCKET_API ssize_t SocketHTTP1_serialize_headers (SocketHTTP_Headers_T headers,
                                                         char *output, size_t output_size);

/**
 * @brief Encode one chunk: lowercase hex size, CRLF, data, CRLF (not
 *        NUL-terminated). @p len 0 writes the last chunk "0\r\n\r\n" (5
 *        bytes), ending the body, as the original library.
 * @return bytes written (SocketHTTP1_chunk_encode_size(len)), or -1 (too
 *         small an @p output, or @p data NULL with @p len > 0).
 */
extern SOCKET_API ssize_t SocketHTTP1_chunk_encode (const void *data, size_t len, char *output,
                                                    size_t output_size);

/**
 * @brief Write the last chunk "0\r\n", the trailer fields (may be NULL) and
 *        the final CRLF.
 * @return bytes written, or -1 (invalid trailer, too small an @p output).
 */
extern SOCKET_API ssize_t SocketHTTP1_chunk_final (char *output, size_t output_size,
                                                   SocketHTTP_Headers_T trailers);

/** @brief Bytes SocketHTTP1_chunk_encode() writes for @p data_len bytes (5 for 0). */
extern SOCKET_API size_t SocketHTTP1_chunk_encode_size (size_t data_len);

/** @brief Static description of @p result ("Invalid header name", ...). */
extern SOCKET_API const char *SocketHTTP1_result_string (SocketHTTP1_Result result);

/* ===================================================================== */
/* Content-coding (optional: ENABLE_HTTP_COMPRESSION, zlib)              */
/* ===================================================================== */

#ifdef SOCKETHTTP1_HAS_COMPRESSION

/** Compression effort. */
typedef enum
{
  HTTP1_COMPRESS_FAST = 1,
  HTTP1_COMPRESS_DEFAULT = 6,
  HTTP1_COMPRESS_BEST = 9
} SocketHTTP1_CompressLevel;

/** Streaming decoder for gzip or deflate content. */
typedef struct SocketHTTP1_Decoder *SocketHTTP1_Decoder_T;
/** Streaming encoder for gzip or deflate content. */
typedef struct SocketHTTP1_Encoder *SocketHTTP1_Encoder_T;

/**
 * @brief Create a decoder for HTTP_CODING_GZIP or HTTP_CODING_DEFLATE
 *        ("deflate" is the zlib format; raw deflate streams, which some
 *        servers send, are recognised too). zlib's memory comes from @p arena.
 * @return the decoder, or NULL for any other coding.
 * @throws Arena_Failed / SocketHTTP1_ParseError when zlib cannot start.
 */
extern SOCKET_API SocketHTTP1_Decoder_T SocketHTTP1_Decoder_new (SocketHTTP_Coding coding,
                                                                 Arena_T arena);

/** @brief Release zlib state and set *@p decoder to NULL. */
extern SOCKET_API void SocketHTTP1_Decoder_free (SocketHTTP1_Decoder_T *decoder);

/**
 * @brief Decompress. @return HTTP1_OK at the end of the compressed stream,
 *        HTTP1_INCOMPLETE when input ran out or @p output is full, or
 *        HTTP1_ERROR for corrupt data (also for data after the stream end).
 */
extern SOCKET_API SocketHTTP1_Result SocketHTTP1_Decoder_decode (SocketHTTP1_Decoder_T decoder,
                                                                 const unsigned char *input,
                                                                 size_t input_len,
                                                                 size_t *consumed,
                                                                 unsigned char *output,
                                                                 size_t output_len,
                                                                 size_t *written);

/**
 * @brief Flush remaining output. @return HTTP1_OK if the stream ended
 *        properly, HTTP1_INCOMPLETE if more output is pending (call again),
 *        HTTP1_ERROR_UNEXPECTED_EOF if the stream was truncated.
 */
extern SOCKET_API SocketHTTP1_Result SocketHTTP1_Decoder_finish (SocketHTTP1_Decoder_T decoder,
                                                                 unsigned char *output,
                                                                 size_t output_len,
                                                                 size_t *written);

/**
 * @brief Create an encoder for HTTP_CODING_GZIP or HTTP_CODING_DEFLATE (zlib format).
 * @return the encoder, or NULL for any other coding.
 * @throws Arena_Failed / SocketHTTP1_ParseError when zlib cannot start.
 */
extern SOCKET_API SocketHTTP1_Encoder_T SocketHTTP1_Encoder_new (SocketHTTP_Coding coding,
                                                                 SocketHTTP1_CompressLevel level,
                                                                 Arena_T arena);

/** @brief Release zlib state and set *@p encoder to NULL. */
extern SOCKET_API void SocketHTTP1_Encoder_free (SocketHTTP1_Encoder_T *encoder);

/**
 * @brief Compress all of @p input (@p flush non-zero also emits a sync
 *        flush so the peer can decode everything so far).
 * @return bytes written, or -1 if @p output filled up before all input was
 *         taken (the encoder must then be discarded). Size @p output for
 *         the input plus what zlib held back from earlier calls: e.g.
 *         input_len + input_len / 1000 + 64 + 128 KiB (twice zlib's
 *         pending buffer at the default memLevel).
 */
extern SOCKET_API ssize_t SocketHTTP1_Encoder_encode (SocketHTTP1_Encoder_T encoder,
                                                      const unsigned char *input,
                                                      size_t input_len, unsigned char *output,
                                                      size_t output_len, int flush);

/**
 * @brief End the stream. @return bytes written; call again while it
 *        returns a full @p output_len; -1 on error.
 */
extern SOCKET_API ssize_t SocketHTTP1_Encoder_finish (SocketHTTP1_Encoder_T encoder,
                                                      unsigned char *output, size_t output_len);

#endif /* SOCKETHTTP1_HAS_COMPRESSION */

#endif /* SOCKETHTTP1_INCLUDED */
