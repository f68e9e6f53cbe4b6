/* SocketHTTP1-private.h - parser internals shared by SocketHTTP1-*.c,
 * tests, fuzzers and benchmarks. */
#ifndef SOCKETHTTP1_PRIVATE_INCLUDED
#define SOCKETHTTP1_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHTTP1.h"
#include "http/SocketHTTP-private.h"

/** One field line of a section, as offsets into the section buffer. */
typedef struct
{
  uint32_t name_off, name_len;
  uint32_t value_off, value_end; /* value_end excludes trailing OWS */
  uint32_t folded;               /* value spans obs-fold lines */
} h1_field;

/**
 * A header or trailer section being received: its bytes are copied into
 * buf (so spans survive the caller's buffers) and described by fields.
 */
typedef struct
{
  char *buf;
  size_t len, cap, max_cap;
  h1_field *fields;
  size_t nfields, fields_cap;
  h1_field cur;       /* field being parsed */
  size_t fields_off;  /* offset of the first field line */
  uint8_t hs;         /* section sub-state (HS_*) */
  size_t max_size;    /* byte limit of the field lines */
} h1_section;

struct SocketHTTP1_Parser
{
  SocketHTTP1_ParseMode mode;
  SocketHTTP1_Config cfg;
  Arena_T arena;
  SocketHTTP1_State state;
  SocketHTTP1_Result error;

  h1_section head;
  h1_section trl;

  /* start line, offsets into head.buf */
  size_t start_off, method_end, target_off, target_end, reason_off, reason_end;
  uint8_t ver_idx; /* progress through "HTTP/d.d" / status digits */
  uint8_t major, minor;
  int status;

  /* outcome of the head */
  SocketHTTP_Request req;
  SocketHTTP_Response resp;
  SocketHTTP_Headers_T headers, trailers;
  SocketHTTP1_BodyMode body_mode;
  int64_t content_length;
  int64_t early_cl;   /* first Content-Length seen while parsing (strict), or -1 */
  uint64_t remaining; /* Content-Length body or current chunk */
  const char *upgrade_proto;
  unsigned keepalive : 1, upgrade : 1, expect_continue : 1, head_done : 1;

  /* resumption fast path (see SocketHTTP1_Parser_execute): when the last
   * call stopped inside a run of one byte class (name, value, target,
   * reason), the class and the message offset at which the first limit
   * (run, line or section size, buffer capacity) would be passed; 0 / 0
   * otherwise. Recomputed at the end of every call that ran the machine. */
  unsigned resume_cls;
  size_t resume_end;

  /* chunked framing */
  uint8_t cs;          /* chunk-line sub-state (CS_*) */
  uint16_t chunk_line; /* bytes of the current chunk line */
  uint64_t chunk_size;
};

/* Section sub-states shared by the head and trailer parsers. */
enum
{
  HS_LINE = 0, /* at the start of a field line */
  HS_NAME,
  HS_OWS,
  HS_VALUE,
  HS_VALUE_LF,
  HS_FOLD,
  HS_END_LF,
  HS_DONE,
  /* start line */
  HS_START,
  HS_START_LF,
  HS_METHOD,
  HS_TARGET_START,
  HS_TARGET,
  HS_VERSION,
  HS_RL_CR,
  HS_RL_LF,
  HS_R_VERSION,
  HS_R_STATUS,
  HS_R_AFTER_STATUS,
  HS_R_REASON
};

/**
 * Parses field lines of @p sec from data[*ip, len) until the empty line
 * (returns HTTP1_OK, *ip after it), the end of input (HTTP1_INCOMPLETE) or
 * an error (*ip at the offending byte). The caller appends data to the
 * section afterwards with SocketHTTP1__section_append.
 */
SocketHTTP1_Result SocketHTTP1__parse_fields (SocketHTTP1_Parser_T p, h1_section *sec,
                                              const char *data, size_t len, size_t *ip);

/** Appends @p n bytes to the section buffer. @throws Arena_Failed. */
void SocketHTTP1__section_append (SocketHTTP1_Parser_T p, h1_section *sec, const char *data,
                                  size_t n);

/** NUL-terminates the fields of a complete section and appends them to @p h. */
SocketHTTP_Header *SocketHTTP1__section_publish (h1_section *sec, SocketHTTP_Headers_T h);

/** Interprets the completed head: framing, keep-alive, upgrade, target. */
SocketHTTP1_Result SocketHTTP1__finish_head (SocketHTTP1_Parser_T p);

/** Body state machine: consume content from @p in (output NULL discards). */
SocketHTTP1_Result SocketHTTP1__body (SocketHTTP1_Parser_T p, const char *in, size_t in_len,
                                      size_t *consumed, char *out, size_t out_len,
                                      size_t *written);

/**
 * The head as received (the parser's copy, NUL-terminated in place once
 * complete); every pointer the parser returned into the head minus this
 * base is the byte offset in the message, which is how a binding (e.g. Go)
 * can turn fields into offsets into its own buffer. NULL before any byte.
 */
const char *SocketHTTP1__head_bytes (SocketHTTP1_Parser_T p, size_t *len);

/**
 * SocketHTTP1_Parser_execute as the Go binding uses it: after the head it
 * skips (discards) content until the message is complete, and len 0 means
 * end of input (an unfinished head -> HTTP1_ERROR_UNEXPECTED_EOF). The
 * public function leaves content to read_body (HTTP1_OK, consumed 0) and
 * gives len 0 no meaning, as the original library does.
 */
SocketHTTP1_Result SocketHTTP1__execute_skip (SocketHTTP1_Parser_T p, const char *data, size_t len,
                                              size_t *consumed);

/** Test/bench hook: non-zero forces the portable scanners at run time. */
extern int SocketHTTP1__force_scalar;

#endif
