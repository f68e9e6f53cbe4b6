/**
 * @file SocketHPACK.h
 * @brief HPACK header compression for HTTP/2 (RFC 7541): integer and
 *        Huffman codecs, the static and dynamic tables, an encoder and a
 *        decoder.
 *
 * Layers:
 * - Codecs fed untrusted bytes never raise: SocketHPACK_Decoder_decode(),
 *   SocketHPACK_int_decode() and the table lookups return a
 *   SocketHPACK_Result; the byte-producing calls return a length or -1.
 * - Constructors raise SocketHPACK_Error for a NULL arena, a table size
 *   above 1 GiB, or when the arena cannot allocate. Nothing else
 *   raises, except that SocketHPACK_Decoder_decode() lets Arena_Failed
 *   through when the caller's arena runs out of memory.
 *
 * Memory: a table, encoder or decoder takes all its memory from the arena
 * given to its constructor, sized once for the configured maximum table
 * size (about 2.5 times that many bytes), so no call allocates afterwards.
 * The arena owns that memory: the *_free() functions only invalidate the
 * handle, and disposing of the arena releases everything.
 *
 * Decoder limits (SocketHPACK_DecoderConfig): a literal or decoded string
 * longer than max_header_size, a field whose name plus value exceeds it,
 * a header list whose RFC 7540 size (sum of name + value + 32) exceeds
 * max_header_list_size, and table size updates above the decoder's
 * maximum are rejected. A block that exceeds the list size while
 * expanding more than SOCKETHPACK_BOMB_RATIO times (decoded bytes per
 * input byte, as when it repeats references to a large table entry) is
 * reported as HPACK_ERROR_BOMB rather than HPACK_ERROR_LIST_SIZE.
 *
 * Thread-safety: tables, encoders and decoders are not thread-safe; use
 * one per connection direction. The free functions (Huffman, integer and
 * static table helpers) are reentrant.
 */
#ifndef SOCKETHPACK_INCLUDED
#define SOCKETHPACK_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Arena.h"
#include "core/Except.h"

/** Initial dynamic table size of both peers (SETTINGS_HEADER_TABLE_SIZE). */
#define SOCKETHPACK_DEFAULT_TABLE_SIZE 4096
/** Largest dynamic table a table, encoder or decoder can be created with. */
#define SOCKETHPACK_MAX_TABLE_SIZE (64 * 1024)
/** Default decoder limit for one field (name + value bytes). */
#define SOCKETHPACK_MAX_HEADER_SIZE (8 * 1024)
/** Default decoder limit for a header list (RFC 7540 size, per block). */
#define SOCKETHPACK_MAX_HEADER_LIST_SIZE (64 * 1024)
/** Size updates an RFC 7541 encoder needs at the start of a block (the
 *  decoder accepts any number, as the original does). */
#define SOCKETHPACK_MAX_TABLE_UPDATES 2
/** Entries in the static table (indices 1..61). */
#define SOCKETHPACK_STATIC_TABLE_SIZE 61
/** Per-entry overhead added to name + value length (RFC 7541 §4.1). */
#define SOCKETHPACK_ENTRY_OVERHEAD 32
/** Decoded-to-input byte ratio above which an oversized list is a bomb. */
#define SOCKETHPACK_BOMB_RATIO 16

/** Result of the codecs; everything but HPACK_OK is a failure. */
typedef enum
{
  HPACK_OK = 0,              /**< success */
  HPACK_INCOMPLETE,          /**< input ends inside a representation */
  HPACK_ERROR,               /**< invalid argument or malformed input */
  HPACK_ERROR_INVALID_INDEX, /**< index 0 or beyond the tables */
  HPACK_ERROR_HUFFMAN,       /**< bad Huffman string (EOS, bad padding) */
  HPACK_ERROR_INTEGER,       /**< integer above 2^62 or over-long */
  HPACK_ERROR_TABLE_SIZE,    /**< size update too large, misplaced, or missing */
  HPACK_ERROR_HEADER_SIZE,   /**< one field or string above max_header_size */
  HPACK_ERROR_LIST_SIZE,     /**< list above max_header_list_size, or more
                                  fields than the caller's array holds */
  HPACK_ERROR_BOMB           /**< list limit exceeded by abusive expansion */
} SocketHPACK_Result;

/**
 * One header field. Lengths are authoritative; strings may contain NUL.
 * Fields returned by the decoder, SocketHPACK_Table_get() and
 * SocketHPACK_static_get() are NUL-terminated.
 */
typedef struct
{
  const char *name;  /**< field name (borrowed) */
  size_t name_len;   /**< bytes in name */
  const char *value; /**< field value (borrowed) */
  size_t value_len;  /**< bytes in value */
  int never_index;   /**< encoder: force a never-indexed literal;
                          decoder: set when the peer sent one */
} SocketHPACK_Header;

/** A dynamic table (FIFO of entries with size accounting). */
typedef struct SocketHPACK_Table *SocketHPACK_Table_T;
/** An encoder: one compression context (one direction of a connection). */
typedef struct SocketHPACK_Encoder *SocketHPACK_Encoder_T;
/** A decoder: one decompression context. */
typedef struct SocketHPACK_Decoder *SocketHPACK_Decoder_T;

/** Encoder settings; see SocketHPACK_encoder_config_defaults(). */
typedef struct
{
  size_t max_table_size; /**< largest table the encoder will use */
  int huffman_encode;    /**< Huffman-code a string when that is shorter */
  int use_indexing;      /**< add fields to the dynamic table */
} SocketHPACK_EncoderConfig;

/** Decoder settings; see SocketHPACK_decoder_config_defaults(). */
typedef struct
{
  size_t max_table_size;       /**< table size we advertise */
  size_t max_header_size;      /**< limit for one field's name + value */
  size_t max_header_list_size; /**< limit for a block's list size */
} SocketHPACK_DecoderConfig;

/** Raised by constructors for a NULL arena, an unaddressable table size
 *  or allocation failure (.reason "HPACK compression error"). */
extern SOCKET_API const Except_T SocketHPACK_Error;
/** The name the seed README uses for SocketHPACK_Error. */
#define SocketHPACK_Failed SocketHPACK_Error

/* ===================================================================== */
/* Dynamic table                                                          */
/* ===================================================================== */

/**
 * @brief Create an empty dynamic table of maximum size @p max_size bytes
 *        (not clamped). Storage is sized for max(@p max_size,
 *        SOCKETHPACK_MAX_TABLE_SIZE) so that set_max_size can grow it.
 * @param arena owns the table (borrowed; must outlive it).
 * @throws SocketHPACK_Error if @p arena is NULL, @p max_size is above
 *         1 GiB, or the arena cannot allocate.
 */
extern SOCKET_API SocketHPACK_Table_T SocketHPACK_Table_new (size_t max_size, Arena_T arena);

/** @brief Invalidate a table and set *@p table to NULL (memory stays in the arena). */
extern SOCKET_API void SocketHPACK_Table_free (SocketHPACK_Table_T *table);

/**
 * @brief Change the maximum size, evicting oldest entries until the table
 *        fits (0 empties it). Values above SOCKETHPACK_MAX_TABLE_SIZE are
 *        clamped to it (and, for encoder and decoder tables, to their
 *        configured maximum). No size update is signalled.
 */
extern SOCKET_API void SocketHPACK_Table_set_max_size (SocketHPACK_Table_T table, size_t max_size);

/** @brief Current size: sum of name + value + 32 over the entries (0 for NULL). */
extern SOCKET_API size_t SocketHPACK_Table_size (SocketHPACK_Table_T table);

/** @brief Number of entries (0 for NULL). */
extern SOCKET_API size_t SocketHPACK_Table_count (SocketHPACK_Table_T table);

/** @brief Current maximum size (0 for NULL). */
extern SOCKET_API size_t SocketHPACK_Table_max_size (SocketHPACK_Table_T table);

/**
 * @brief Entry @p index, 1-based: 1 = the most recently added, count = the
 *        oldest (HPACK index 61 + @p index).
 * @param header receives pointers into the table (NUL-terminated), valid
 *        until the entry is evicted; never_index is 0.
 * @return HPACK_OK, HPACK_ERROR_INVALID_INDEX if @p index is 0 or above
 *         the count, or HPACK_ERROR for a NULL table or (after the range
 *         check) a NULL @p header.
 */
extern SOCKET_API SocketHPACK_Result SocketHPACK_Table_get (SocketHPACK_Table_T table, size_t index,
                                                            SocketHPACK_Header *header);

/**
 * @brief Copy a field into the table as its newest entry, evicting the
 *        oldest entries to make room. A field larger than the maximum
 *        size empties the table and is not added (RFC 7541 §4.4); that is
 *        not an error.
 * @return HPACK_OK, or HPACK_ERROR for a NULL table or a NULL string with
 *         a non-zero length.
 */
extern SOCKET_API SocketHPACK_Result SocketHPACK_Table_add (SocketHPACK_Table_T table, const char *name,
                                                            size_t name_len, const char *value,
                                                            size_t value_len);

/* ===================================================================== */
/* Encoder                                                                */
/* ===================================================================== */

/** @brief Defaults: table 4096 bytes, Huffman on, indexing on. */
extern SOCKET_API void SocketHPACK_encoder_config_defaults (SocketHPACK_EncoderConfig *config);

/**
 * @brief Create an encoder. It uses min(config->max_table_size, 4096) bytes
 *        of table until SocketHPACK_Encoder_set_table_size() raises it; a
 *        smaller table is used without a size update (the peer's 4096-byte
 *        table holds every entry ours does, at the same index).
 * @param config NULL for the defaults (copied).
 * @param arena owns the encoder (borrowed; must outlive it).
 * @throws SocketHPACK_Error if @p arena is NULL, max_table_size is above
 *         1 GiB, or the arena cannot allocate.
 */
extern SOCKET_API SocketHPACK_Encoder_T SocketHPACK_Encoder_new (const SocketHPACK_EncoderConfig *config,
                                                                 Arena_T arena);

/** @brief Invalidate an encoder and set *@p encoder to NULL. */
extern SOCKET_API void SocketHPACK_Encoder_free (SocketHPACK_Encoder_T *encoder);

/**
 * @brief Encode @p count fields as one header block.
 *
 * Policy: pending table size updates first; a field that is already in the
 * static or dynamic table is sent as an index; other fields are literals
 * with incremental indexing when use_indexing is set and the field is
 * worth keeping, else literals without indexing. Fields with never_index
 * set, and authorization, cookie, set-cookie and proxy-authorization
 * (names compared case-insensitively), are always never-indexed literals.
 * Strings are Huffman-coded only when huffman_encode is set and that is
 * strictly shorter. Names are sent as given (HTTP/2 wants lowercase).
 *
 * @param headers fields to encode (borrowed); NULL only with @p count 0.
 * @param output receives the block.
 * @return bytes written, or -1 for a NULL encoder/output, a NULL string
 *         with a non-zero length, or when @p output_size is too small.
 *         After a -1 for lack of space the encoder stays usable: it clears
 *         its table and starts the next block with size updates (0, then
 *         the current size) that clear the peer's table too.
 */
extern SOCKET_API ssize_t SocketHPACK_Encoder_encode (SocketHPACK_Encoder_T encoder,
                                                      const SocketHPACK_Header *headers, size_t count,
                                                      unsigned char *output, size_t output_size);

/**
 * @brief Apply the peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks at
 *        once, and the next block starts with the required size update(s)
 *        (the smallest size since the last block, then the final one).
 *        The encoder uses min(@p max_size, config max_table_size).
 */
extern SOCKET_API void SocketHPACK_Encoder_set_table_size (SocketHPACK_Encoder_T encoder, size_t max_size);

/** @brief The encoder's dynamic table (borrowed; do not modify it). */
extern SOCKET_API SocketHPACK_Table_T SocketHPACK_Encoder_get_table (SocketHPACK_Encoder_T encoder);

/* ===================================================================== */
/* Decoder                                                                */
/* ===================================================================== */

/** @brief Defaults: table 4096, header 8 KiB, header list 64 KiB. */
extern SOCKET_API void SocketHPACK_decoder_config_defaults (SocketHPACK_DecoderConfig *config);

/**
 * @brief Create a decoder. Its table starts at min(max_table_size, 4096)
 *        bytes, and the peer may raise it with size updates up to
 *        max_table_size. A max_table_size below 4096 is taken as already
 *        in force; in HTTP/2, where 4096 holds until the peer acknowledges
 *        our SETTINGS, create the decoder with 4096 and call
 *        SocketHPACK_Decoder_set_table_size() on the acknowledgement.
 *        The limits are not validated (a limit of 0 rejects every field).
 * @param config NULL for the defaults (copied).
 * @param arena owns the decoder (borrowed; must outlive it).
 * @throws SocketHPACK_Error if @p arena is NULL, max_table_size is above
 *         1 GiB, or the arena cannot allocate.
 */
extern SOCKET_API SocketHPACK_Decoder_T SocketHPACK_Decoder_new (const SocketHPACK_DecoderConfig *config,
                                                                 Arena_T arena);

/** @brief Invalidate a decoder and set *@p decoder to NULL. */
extern SOCKET_API void SocketHPACK_Decoder_free (SocketHPACK_Decoder_T *decoder);

/**
 * @brief Decode one complete header block.
 *
 * Table size updates are accepted only before the first field (any number
 * of them), each at most the decoder's maximum (see
 * SocketHPACK_Decoder_set_table_size()).
 *
 * @param headers receives the fields in order; names and values are
 *        NUL-terminated, and live in @p arena (or are static strings);
 *        never_index is set for never-indexed literals.
 * @param max_headers capacity of @p headers. Fields beyond it are still
 *        decoded (table, limits) and counted, but not stored.
 * @param header_count receives the number of fields in the block on
 *        success (which may exceed @p max_headers), 0 on failure.
 * @param arena caller's arena for the decoded strings (borrowed).
 * @return HPACK_OK, HPACK_INCOMPLETE if the block ends inside a
 *         representation, or an HPACK_ERROR_* code (HPACK_ERROR for NULL
 *         arguments). Any failure is a COMPRESSION_ERROR for HTTP/2: the
 *         table may hold part of the block, so stop using the decoder.
 * @throws Arena_Failed only if @p arena cannot allocate.
 */
extern SOCKET_API SocketHPACK_Result SocketHPACK_Decoder_decode (SocketHPACK_Decoder_T decoder,
                                                                 const unsigned char *input, size_t input_len,
                                                                 SocketHPACK_Header *headers, size_t max_headers,
                                                                 size_t *header_count, Arena_T arena);

/**
 * @brief Apply our SETTINGS_HEADER_TABLE_SIZE once the peer acknowledged
 *        it: the new upper bound for size updates (clamped to the
 *        configured max_table_size). Only the bound changes: the table is
 *        resized by the peer's size update, and none is required.
 */
extern SOCKET_API void SocketHPACK_Decoder_set_table_size (SocketHPACK_Decoder_T decoder, size_t max_size);

/** @brief The decoder's dynamic table (borrowed; do not modify it). */
extern SOCKET_API SocketHPACK_Table_T SocketHPACK_Decoder_get_table (SocketHPACK_Decoder_T decoder);

/* ===================================================================== */
/* Huffman code (RFC 7541 §5.2, Appendix B)                               */
/* ===================================================================== */

/**
 * @brief Huffman-encode @p input_len bytes, padding the last byte with ones.
 *        The whole of @p output may serve as scratch: bytes past the
 *        returned length (and all of it on failure) can be overwritten.
 * @return bytes written (SocketHPACK_huffman_encoded_size()), or -1 if
 *         @p output_size is too small or a pointer is NULL with a
 *         non-zero length.
 */
extern SOCKET_API ssize_t SocketHPACK_huffman_encode (const unsigned char *input, size_t input_len,
                                                      unsigned char *output, size_t output_size);

/**
 * @brief Decode a Huffman string. At most input_len * 8 / 5 bytes result.
 * @return bytes written, or -1 if the string contains EOS, its padding is
 *         longer than 7 bits or not all ones, @p output_size is too small,
 *         or a pointer is NULL with a non-zero length.
 */
extern SOCKET_API ssize_t SocketHPACK_huffman_decode (const unsigned char *input, size_t input_len,
                                                      unsigned char *output, size_t output_size);

/** @brief Bytes SocketHPACK_huffman_encode() produces for @p input (0 for NULL). */
extern SOCKET_API size_t SocketHPACK_huffman_encoded_size (const unsigned char *input, size_t input_len);

/* ===================================================================== */
/* Integers (RFC 7541 §5.1)                                               */
/* ===================================================================== */

/**
 * @brief Encode @p value with an N-bit prefix (1 <= @p prefix_bits <= 8).
 *        The bits of the first byte above the prefix are written as zero;
 *        OR the representation's pattern into them.
 * @return bytes written (1..11), or 0 if @p prefix_bits is out of range,
 *         @p output is NULL or @p output_size is too small (never a
 *         truncated integer).
 */
extern SOCKET_API size_t SocketHPACK_int_encode (uint64_t value, int prefix_bits, unsigned char *output,
                                                 size_t output_size);

/**
 * @brief Decode an N-bit-prefix integer; bits above the prefix are ignored.
 * @param value,consumed outputs, set on HPACK_OK only.
 * @return HPACK_OK, HPACK_INCOMPLETE if the input ends inside the integer,
 *         HPACK_ERROR_INTEGER for values above 2^62 or more than 10
 *         continuation bytes, HPACK_ERROR for bad arguments.
 */
extern SOCKET_API SocketHPACK_Result SocketHPACK_int_decode (const unsigned char *input, size_t input_len,
                                                             int prefix_bits, uint64_t *value,
                                                             size_t *consumed);

/* ===================================================================== */
/* Static table (RFC 7541 Appendix A)                                     */
/* ===================================================================== */

/**
 * @brief Static entry @p index (1..61); the strings are static and
 *        NUL-terminated.
 * @return HPACK_OK, HPACK_ERROR_INVALID_INDEX, or HPACK_ERROR for NULL.
 */
extern SOCKET_API SocketHPACK_Result SocketHPACK_static_get (size_t index, SocketHPACK_Header *header);

/**
 * @brief Look a field up in the static table (name case-insensitive,
 *        value byte-exact, one hash probe).
 * @param value NULL to look up the name only.
 * @return the index of the entry with this name and value (> 0); else
 *         minus the index of the first entry with this name (< 0); 0 if no
 *         entry has the name. With @p value NULL: minus the first index
 *         with the name (never positive), or 0.
 */
extern SOCKET_API int SocketHPACK_static_find (const char *name, size_t name_len, const char *value,
                                               size_t value_len);

/** @brief Static description of @p result ("Unknown error" for other values). */
extern SOCKET_API const char *SocketHPACK_result_string (SocketHPACK_Result result);

#endif /* SOCKETHPACK_INCLUDED */
