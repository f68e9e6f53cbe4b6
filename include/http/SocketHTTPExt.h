/**
 * @file SocketHTTPExt.h
 * @brief Extensions to the HTTP/1.1 parser, HPACK decoder and header
 *        collection that the original API lacks: zero-copy access to a
 *        parsed section as byte spans, the "skip content" execute variant,
 *        partial HPACK decode results, and an uncapped header append.
 *
 * Kept out of SocketHTTP1.h / SocketHPACK.h / SocketHTTP.h so those stay
 * exactly the original API (and ABI). Bindings (the Go package cgo) use
 * these instead of the private headers; C programs may use them too.
 *
 * Spans are byte offsets into a buffer the parser owns (its copy of the
 * head or the trailer section), so a caller that copies that buffer once
 * can slice every string out of its copy without pointer arithmetic. The
 * buffer and the spans stay valid until SocketHTTP1_Parser_reset() or
 * SocketHTTP1_Parser_free(); once the section is complete, every name,
 * value and start-line token in it is followed by a NUL byte (the
 * terminators are overwritten) and obs-folds are replaced by spaces.
 *
 * Nothing here raises except where stated. Thread-safety: as the object
 * passed in (parsers and decoders are not thread-safe).
 */
#ifndef SOCKETHTTPEXT_INCLUDED
#define SOCKETHTTPEXT_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHPACK.h"
#include "http/SocketHTTP.h"
#include "http/SocketHTTP1.h"

/** A byte range: @c off bytes from the start of a buffer, @c len long. */
typedef struct SocketHTTPExt_Span
{
  uint32_t off;
  uint32_t len;
} SocketHTTPExt_Span;

/** Bits of SocketHTTP1Ext_Head.in_head. */
#define SOCKETHTTP1EXT_SCHEME_IN_HEAD 1u
#define SOCKETHTTP1EXT_AUTHORITY_IN_HEAD 2u
#define SOCKETHTTP1EXT_PATH_IN_HEAD 4u

/**
 * A received header or trailer section: the parser's copy of its bytes
 * and the number of field lines.
 */
typedef struct SocketHTTP1Ext_Section
{
  const char *bytes; /**< borrowed; valid until reset/free */
  size_t len;
  size_t nfields;
} SocketHTTP1Ext_Section;

/**
 * A completed message head as spans into SocketHTTP1Ext_Head.section.bytes.
 *
 * Requests fill @c method and @c target (the request-target as received);
 * responses fill @c reason (empty when absent). The request's scheme,
 * authority and path (SocketHTTP_Request) are spans into the head when
 * the matching SOCKETHTTP1EXT_*_IN_HEAD bit of @c in_head is set (e.g. an
 * origin-form path or the Host value); otherwise they were built by the
 * parser (absolute-form targets) and are only available as the
 * NUL-terminated strings of SocketHTTP1_Parser_get_request() (NULL when
 * absent), and their span is {0, 0}.
 */
typedef struct SocketHTTP1Ext_Head
{
  SocketHTTP1Ext_Section section;
  SocketHTTPExt_Span method, target, reason;
  SocketHTTPExt_Span scheme, authority, path;
  unsigned in_head; /**< SOCKETHTTP1EXT_*_IN_HEAD bits */
} SocketHTTP1Ext_Head;

/**
 * @brief Whether the parser has completed (and accepted) a message head.
 * @param parser borrowed; NULL gives 0.
 * @return 1 once the head is complete (until reset), else 0.
 */
extern SOCKET_API int SocketHTTP1Ext_head_complete (SocketHTTP1_Parser_T parser);

/**
 * @brief The completed head as spans, with its field lines.
 *
 * Field lines go to @p fields as name, value spans (2 per field, in the
 * order received, the same fields as the SocketHTTP_Headers_T of the
 * request or response), as many as @p max_spans / 2; @p head->section.nfields
 * is the total, so a caller whose array was too small can call again with
 * a larger one.
 * @param parser borrowed.
 * @param head   out; zeroed when there is no complete head.
 * @param fields out, @p max_spans entries; may be NULL when @p max_spans is 0.
 * @return 0, or -1 when @p parser or @p head is NULL or the head is not
 *         complete.
 */
extern SOCKET_API int SocketHTTP1Ext_head (SocketHTTP1_Parser_T parser, SocketHTTP1Ext_Head *head,
                                           SocketHTTPExt_Span *fields, size_t max_spans);

/**
 * @brief The trailer section of a completed chunked message, as spans.
 *
 * As SocketHTTP1Ext_head for the fields; spans are into
 * @p section->bytes (the parser's copy of the trailer section, empty when
 * the message had no trailer fields).
 * @return 0, or -1 when the message is not a complete chunked message (or
 *         for NULL arguments); @p section is zeroed then.
 */
extern SOCKET_API int SocketHTTP1Ext_trailers (SocketHTTP1_Parser_T parser,
                                               SocketHTTP1Ext_Section *section,
                                               SocketHTTPExt_Span *fields, size_t max_spans);

/**
 * @brief SocketHTTP1_Parser_execute that also discards the content.
 *
 * Parses the head like SocketHTTP1_Parser_execute: the call that
 * completes the head returns HTTP1_OK with @p *consumed at the end of the
 * head, so the caller can look at it. After the head, instead of leaving
 * the content to SocketHTTP1_Parser_read_body (HTTP1_OK, nothing
 * consumed), later calls consume and discard content (de-chunking and
 * parsing trailers): HTTP1_INCOMPLETE while more is expected, HTTP1_OK
 * with @p *consumed at the end of the message once it is complete. @p len
 * 0 means end of input: an unfinished head gives
 * HTTP1_ERROR_UNEXPECTED_EOF (no byte of a new message yet:
 * HTTP1_INCOMPLETE, a clean close), and after the head it is passed to
 * the body state machine as in SocketHTTP1_Parser_read_body. The parser's
 * state, keep-alive and error handling are those of execute.
 * @param data borrowed for the call; may be NULL when @p len is 0.
 * @param consumed out: input bytes used (the error offset on failure); may be NULL.
 * @return a SocketHTTP1_Result. Raises: Arena_Failed (out of memory while
 *         copying the head), as SocketHTTP1_Parser_execute.
 */
extern SOCKET_API SocketHTTP1_Result SocketHTTP1Ext_execute_skip (SocketHTTP1_Parser_T parser,
                                                                  const char *data, size_t len,
                                                                  size_t *consumed);

/**
 * @brief SocketHPACK_Decoder_decode that keeps the fields decoded before
 *        an error.
 *
 * Identical to SocketHPACK_Decoder_decode (same arguments, limits,
 * dynamic table updates and result), except that on failure
 * @p *header_count is the number of fields decoded before the offending
 * representation (the original reports 0).
 * @return a SocketHPACK_Result. Raises: Arena_Failed when @p arena runs out
 *         of memory, as SocketHPACK_Decoder_decode.
 */
extern SOCKET_API SocketHPACK_Result
SocketHPACKExt_Decoder_decode (SocketHPACK_Decoder_T decoder, const unsigned char *input,
                               size_t input_len, SocketHPACK_Header *headers, size_t max_headers,
                               size_t *header_count, Arena_T arena);

/**
 * @brief SocketHTTP_Headers_add_n without the collection limits.
 *
 * Validates the name and value as SocketHTTP_Headers_add_n does, but does
 * not cap the number of fields (SOCKETHTTP_MAX_HEADERS) or their total
 * size (SOCKETHTTP_MAX_HEADER_SIZE); for serializers whose caller
 * enforces its own limits.
 * @return 0, or -1 for NULL arguments or an invalid name or value.
 *         Raises: Arena_Failed when out of memory.
 */
extern SOCKET_API int SocketHTTPExt_Headers_add_n_unlimited (SocketHTTP_Headers_T headers,
                                                             const char *name, size_t name_len,
                                                             const char *value, size_t value_len);

#endif /* SOCKETHTTPEXT_INCLUDED */
