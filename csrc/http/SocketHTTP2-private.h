/*
 * SocketHTTP2-private.h - declarations shared by the SocketHTTP2-*.c
 * files: the frame codec (SocketHTTP2-frame.c), the connection and the
 * stream structures (SocketHTTP2-conn.c, SocketHTTP2-stream.c).
 */
#ifndef SOCKETHTTP2_PRIVATE_INCLUDED
#define SOCKETHTTP2_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHTTP2.h"

#define HTTP2_MAX_WINDOW 0x7fffffffu
#define HTTP2_STREAM_ID_MAX 0x7fffffffu

/* ===================================================================== */
/* Frame codec (no I/O, never raises)                                     */
/* ===================================================================== */

/* Outcome of validating a frame or payload: code HTTP2_NO_ERROR = valid;
 * otherwise stream_error says whether RFC 9113 makes it a stream error
 * (RST_STREAM) rather than a connection error (GOAWAY). */
typedef struct
{
  SocketHTTP2_ErrorCode code;
  int stream_error;
} SocketHTTP2__Check;

/* Header checks that need no connection state: stream-id zero or
 * non-zero as the type requires, fixed payload lengths, and the length
 * against our max_frame_size. Unknown types are valid (to be ignored). */
extern SocketHTTP2__Check SocketHTTP2__frame_check (const SocketHTTP2_FrameHeader *h, uint32_t max_frame_size);

/* The useful part of a DATA, HEADERS or PUSH_PROMISE payload after the
 * padding (and the HEADERS priority block or the promised id) is
 * removed. */
typedef struct
{
  const unsigned char *data;
  uint32_t len;
  uint32_t pad_len;      /* padding including the length byte */
  int has_priority;      /* HEADERS with the PRIORITY flag */
  uint32_t dependency;   /* stream dependency (reserved bit cleared) */
  int exclusive;
  uint8_t weight;        /* wire value (weight - 1) */
  uint32_t promised_id;  /* PUSH_PROMISE only */
} SocketHTTP2__Payload;

/* Split a DATA/HEADERS/PUSH_PROMISE payload. PROTOCOL_ERROR (connection)
 * when the padding is not shorter than the rest of the payload, or
 * FRAME_SIZE_ERROR when the fixed fields do not fit. */
extern SocketHTTP2__Check SocketHTTP2__payload_split (const SocketHTTP2_FrameHeader *h,
                                                      const unsigned char *payload, SocketHTTP2__Payload *out);

/* PRIORITY payload (5 bytes, already length-checked). */
extern void SocketHTTP2__priority_parse (const unsigned char *payload, uint32_t *dependency, int *exclusive,
                                         uint8_t *weight);

/* Validate one SETTINGS value (RFC 9113 §6.5.2); unknown ids are valid. */
extern SocketHTTP2__Check SocketHTTP2__setting_check (uint16_t id, uint32_t value);

/* Decode entry @p index of a SETTINGS payload (length already checked to
 * be a multiple of 6). */
extern void SocketHTTP2__setting_get (const unsigned char *payload, size_t index, SocketHTTP2_Setting *s);

/* 31-bit big-endian value with the reserved bit cleared. */
extern uint32_t SocketHTTP2__u31 (const unsigned char *p);
extern uint32_t SocketHTTP2__u32 (const unsigned char *p);
extern void SocketHTTP2__put_u32 (unsigned char *p, uint32_t v);

/* Serializers: write a whole frame into @p out (which must have room for
 * HTTP2_FRAME_HEADER_SIZE + the payload) and return its size. */
extern size_t SocketHTTP2__write_frame (unsigned char *out, uint8_t type, uint8_t flags, uint32_t stream_id,
                                        const void *payload, size_t len);
extern size_t SocketHTTP2__write_settings (unsigned char *out, const SocketHTTP2_Setting *settings,
                                           size_t count);
extern size_t SocketHTTP2__write_ping (unsigned char *out, const unsigned char opaque[8], int ack);
extern size_t SocketHTTP2__write_goaway (unsigned char *out, uint32_t last_stream_id, uint32_t code,
                                         const void *debug, size_t debug_len);
extern size_t SocketHTTP2__write_rst_stream (unsigned char *out, uint32_t stream_id, uint32_t code);
extern size_t SocketHTTP2__write_window_update (unsigned char *out, uint32_t stream_id, uint32_t increment);
extern size_t SocketHTTP2__write_priority (unsigned char *out, uint32_t stream_id, uint32_t dependency,
                                           int exclusive, uint8_t weight);

/* The 24-byte client connection preface. */
extern const unsigned char SocketHTTP2__preface[HTTP2_PREFACE_SIZE];

#endif /* SOCKETHTTP2_PRIVATE_INCLUDED */
