/*
 * shim_http.h - entry points for the HTTP/1.1 parser and serializers,
 * HPACK and the Huffman code (bodies in shim_http.c; rules in shim.h).
 *
 * One cgo crossing per user-visible operation: an Execute fills a result
 * struct plus the field spans of a completed head in one call; an HPACK
 * decode leaves its fields in a C-owned array that Go copies out (one
 * allocation) before the next call on that decoder.
 *
 * Spans are byte offsets into the parser's copy of the head (or trailer
 * section), as the extension API (http/SocketHTTPExt.h) reports them;
 * Go copies that buffer once and slices it. Go strings and buffers are
 * borrowed for the call only; the encoder takes its fields as spans into
 * one Go buffer (an array of Go string pointers may not be passed to C),
 * the same representation a decode returns.
 */
#ifndef CSOCKET_SHIM_HTTP_H
#define CSOCKET_SHIM_HTTP_H

#include "shim.h"

#include "http/SocketHPACK.h"
#include "http/SocketHTTP.h"
#include "http/SocketHTTP1.h"
#include "http/SocketHTTPExt.h"

/* An offset and a length, in bytes (the extension API's span). */
typedef SocketHTTPExt_Span GoSpan;

/* ---- HTTP/1.1 parser ------------------------------------------------------ */

/* A parser and the arena it lives in. */
typedef struct GoHTTP1 GoHTTP1;

/*
 * What one execute or read_body call reports. The head part is filled in
 * the call that completes the head (head_ready = 1), the trailer part in
 * the call that completes a chunked body (trailers_ready = 1); field spans
 * go to the caller's array, names and values alternating.
 */
typedef struct GoHTTP1Result
{
  int result;            /* SocketHTTP1_Result */
  int state;             /* SocketHTTP1_State after the call */
  size_t consumed;       /* input bytes used (error offset on failure) */
  size_t written;        /* read_body: content bytes produced */
  int64_t body_remaining; /* see SocketHTTP1_Parser_body_remaining */

  int head_ready;
  const char *head; /* the parser's head copy, valid until reset */
  size_t head_len;
  size_t nfields; /* may exceed the spans passed in */
  int method; /* SocketHTTP_Method */
  int version; /* SocketHTTP_Version */
  int status;
  GoSpan method_s, target, reason;
  /* scheme, authority and path: a span into the head when the matching
   * SOCKETHTTP1EXT_*_IN_HEAD bit of in_head is set, else the
   * NUL-terminated C string in *_c (parser memory, valid until reset),
   * NULL when absent. */
  GoSpan scheme, authority, path;
  unsigned in_head;
  const char *scheme_c, *authority_c, *path_c;
  int body_mode;
  int64_t content_length;
  int keepalive, upgrade, expect_continue;
  const char *upgrade_c; /* Upgrade value when upgrade, else NULL */

  int trailers_ready;
  const char *trailers; /* the trailer section copy */
  size_t trailers_len;
  size_t ntrailers; /* may exceed the spans passed in */
} GoHTTP1Result;

/* Fields whose spans execute/read_body return in the call; a section
 * with more (nfields / ntrailers larger) is fetched with
 * go_SocketHTTP1_fields. */
#define GO_HTTP1_SPAN_FIELDS 128

/* @cfg NULL for the defaults. *max_fields: size of the spans array to
 * pass to execute (2 per field, up to GO_HTTP1_SPAN_FIELDS fields). */
int go_SocketHTTP1_new (int mode, const SocketHTTP1_Config *cfg,
                        GoHTTP1 **out, size_t *max_fields, GoErr *e);
void go_SocketHTTP1_free (GoHTTP1 *h);
void go_SocketHTTP1_config_defaults (SocketHTTP1_Config *cfg);
/* SocketHTTP1_Parser_reset (no failure possible). */
void go_SocketHTTP1_reset (GoHTTP1 *h);
/* SocketHTTP1_Parser_skip_body. */
void go_SocketHTTP1_skip_body (GoHTTP1 *h, GoHTTP1Result *r);
/* SocketHTTP1_Parser_execute; @len 0 is end of input. @fields holds
 * @max_fields spans. */
int go_SocketHTTP1_execute (GoHTTP1 *h, const char *data, size_t len,
                            GoHTTP1Result *r, GoSpan *fields,
                            size_t max_fields, GoErr *e);
/* SocketHTTP1_Parser_read_body into @out (@out_len bytes). */
int go_SocketHTTP1_read_body (GoHTTP1 *h, const char *data, size_t len,
                              char *out, size_t out_len, GoHTTP1Result *r,
                              GoSpan *fields, size_t max_fields, GoErr *e);
/* All field spans of the completed head (@trailers 0) or trailer section
 * (1), as many as @max_fields holds; *n = number of fields. */
void go_SocketHTTP1_fields (GoHTTP1 *h, int trailers, GoSpan *fields,
                            size_t max_fields, size_t *n);
const char *go_SocketHTTP1_result_string (int result);

/*
 * Serialize a request (@is_request) or response head. Strings are spans
 * into @strs: @method (request; the name as sent), @target (path, or the
 * authority for CONNECT), @authority (Host unless a field has one),
 * @reason (response; empty for the registered phrase); @fields holds
 * name/value spans, 2 per field. *n receives the bytes written; GOERR_FAILED
 * with *n = -1 for invalid input or when @out is too small (*n = -2).
 */
typedef struct GoHTTP1Head
{
  int version; /* SocketHTTP_Version */
  int status;
  int has_body;
  int64_t content_length;
  GoSpan method, target, authority, reason;
} GoHTTP1Head;

int go_SocketHTTP1_serialize (int is_request, const GoHTTP1Head *head,
                              const char *strs, size_t strs_len,
                              const GoSpan *fields, size_t nfields, char *out,
                              size_t out_len, ssize_t *n, GoErr *e);
/* Chunk helpers: chunk_encode (@final 0) or chunk_final with trailer
 * spans (@final 1); *n as above. */
int go_SocketHTTP1_chunk (int final, const char *data, size_t len,
                          const GoSpan *fields, size_t nfields, char *out,
                          size_t out_len, ssize_t *n, GoErr *e);

/* ---- HPACK ---------------------------------------------------------------- */

typedef struct GoHPACKEnc GoHPACKEnc;
typedef struct GoHPACKDec GoHPACKDec;

/* One decoded field in the decoder's C memory (valid until its next
 * decode). */
typedef struct GoHPACKField
{
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
  int never_index;
} GoHPACKField;

int go_SocketHPACK_encoder_new (size_t max_table_size, int huffman,
                                int indexing, GoHPACKEnc **out, GoErr *e);
void go_SocketHPACK_encoder_free (GoHPACKEnc *enc);
/* One field to encode: spans into the block's strings (the Go
 * HPACKField, also what decode returns). */
typedef struct GoHPACKSpanField
{
  GoSpan name, value;
  unsigned char sensitive; /* never-indexed */
} GoHPACKSpanField;

/* Encode @n fields, spans into @strs. *w: bytes written; an @out too
 * small for the block fails with SocketHPACK_Error (size it with
 * HPACKEncodeBound in Go). */
int go_SocketHPACK_encode (GoHPACKEnc *enc, const char *strs, size_t strs_len,
                           const GoHPACKSpanField *fields, size_t n,
                           unsigned char *out, size_t out_len, ssize_t *w,
                           GoErr *e);
void go_SocketHPACK_encoder_set_table_size (GoHPACKEnc *enc, size_t size);
/* Current dynamic table size, entry count and maximum. */
void go_SocketHPACK_encoder_table (GoHPACKEnc *enc, size_t *size,
                                   size_t *count, size_t *max);

int go_SocketHPACK_decoder_new (size_t max_table_size, size_t max_header_size,
                                size_t max_list_size, GoHPACKDec **out,
                                GoErr *e);
void go_SocketHPACK_decoder_free (GoHPACKDec *dec);
/* Decode one block. *result is the SocketHPACK_Result; on HPACK_OK (and
 * for the fields before an error) *fields points at *count fields whose
 * strings total *bytes bytes. */
int go_SocketHPACK_decode (GoHPACKDec *dec, const unsigned char *in,
                           size_t len, int *result, GoHPACKField **fields,
                           size_t *count, size_t *bytes, GoErr *e);
void go_SocketHPACK_decoder_set_table_size (GoHPACKDec *dec, size_t size);
void go_SocketHPACK_decoder_table (GoHPACKDec *dec, size_t *size,
                                   size_t *count, size_t *max);
const char *go_SocketHPACK_result_string (int result);

/* Huffman: *n is the length, or -1 (bad code / small output). */
void go_SocketHPACK_huffman_encode (const unsigned char *in, size_t len,
                                    unsigned char *out, size_t out_len,
                                    ssize_t *n);
void go_SocketHPACK_huffman_decode (const unsigned char *in, size_t len,
                                    unsigned char *out, size_t out_len,
                                    ssize_t *n);
size_t go_SocketHPACK_huffman_encoded_size (const unsigned char *in,
                                            size_t len);

/* ---- content codings (gzip, deflate) --------------------------------------- */

/* A decoder or encoder and the arena zlib's memory comes from. Without
 * SOCKETHTTP1_HAS_COMPRESSION the constructors fail with
 * SocketHTTP1_ParseError ("not built"). */
typedef struct GoHTTP1Codec GoHTTP1Codec;

/* @coding: HTTP_CODING_GZIP or HTTP_CODING_DEFLATE. */
int go_SocketHTTP1_decoder_new (int coding, GoHTTP1Codec **out, GoErr *e);
int go_SocketHTTP1_encoder_new (int coding, int level, GoHTTP1Codec **out,
                                GoErr *e);
void go_SocketHTTP1_codec_free (GoHTTP1Codec *c);
/* *result: SocketHTTP1_Result of SocketHTTP1_Decoder_decode/finish. */
int go_SocketHTTP1_decoder_decode (GoHTTP1Codec *c, const void *in, size_t n,
                                   size_t *consumed, void *out, size_t cap,
                                   size_t *written, int *result, GoErr *e);
int go_SocketHTTP1_decoder_finish (GoHTTP1Codec *c, void *out, size_t cap,
                                   size_t *written, int *result, GoErr *e);
/* *written: SocketHTTP1_Encoder_encode/finish's return (-1 on failure). */
int go_SocketHTTP1_encoder_encode (GoHTTP1Codec *c, const void *in, size_t n,
                                   void *out, size_t cap, int flush,
                                   ssize_t *written, GoErr *e);
int go_SocketHTTP1_encoder_finish (GoHTTP1Codec *c, void *out, size_t cap,
                                   ssize_t *written, GoErr *e);

#endif /* CSOCKET_SHIM_HTTP_H */
