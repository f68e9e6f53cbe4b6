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

/* ===================================================================== */
/* Connection and streams (SocketHTTP2-conn.c, SocketHTTP2-stream.c)      */
/* ===================================================================== */

/* A growable byte queue: bytes [off, len) are pending. */
typedef struct
{
  unsigned char *data;
  size_t off;
  size_t len;
  size_t cap;
} SocketHTTP2__Buf;

/* A decoded header list copied into one heap block (fields then strings). */
typedef struct
{
  SocketHPACK_Header *fields;
  size_t count;
} SocketHTTP2__Fields;

struct SocketHTTP2_Stream
{
  SocketHTTP2_Conn_T conn;
  uint32_t id;
  SocketHTTP2_StreamState state;
  struct SocketHTTP2_Stream *hash_next;
  struct SocketHTTP2_Stream *prev, *next; /* every stream of the connection */
  void *userdata;

  int64_t send_window;
  int64_t recv_window;     /* what the peer may still send */
  uint32_t recv_unacked;   /* consumed but not yet credited */

  SocketHTTP2__Buf rbuf;   /* received DATA not yet read */
  SocketHTTP2__Fields headers;
  SocketHTTP2__Fields trailers;
  int headers_done;        /* final (non-1xx) head received */
  int end_stream_received;
  int peer_initiated;
  int counted;             /* in peer_active/local_active (not an idle handle) */
  int reset;               /* closed by RST_STREAM (either way) */
  int reset_origin;        /* SOCKETHTTP2EXT_RESET_* (SocketHTTP2Ext.h) */
  uint32_t reset_code;     /* error code of that reset */
  int send_blocked;        /* send_data was short of window */
  int64_t stalled_since_ms; /* DATA waiting on a zero window since then */
  int request_is_head;     /* client sent HEAD: no body expected */
  int64_t content_length;  /* -1 unless the peer sent one */
  uint64_t data_received;
};

/* A pending (unacknowledged) SETTINGS frame of ours. */
#define HTTP2_PENDING_SETTINGS_MAX 8
typedef struct
{
  uint32_t values[HTTP2_SETTINGS_COUNT + 1];
  unsigned mask;  /* bit id set: values[id] is in this frame */
  int64_t sent_ms;
  int initial;    /* the SETTINGS of the connection preface */
} SocketHTTP2__PendingSettings;

/* Peer stream ids closed recently, to tell a frame on a closed stream
 * (STREAM_CLOSED) from one on a never-opened, implicitly closed id. */
#define HTTP2_CLOSED_RING 128

/* Flood budgets: each counter is a token bucket refilled per second. */
typedef struct
{
  double tokens;
  int64_t last_ms;
} SocketHTTP2__Budget;

struct SocketHTTP2_Conn
{
  Socket_T socket;
  Arena_T arena;
  Arena_T scratch;          /* HPACK decode output, cleared per block */
  SocketHTTP2_Config config;
  uint32_t local[HTTP2_SETTINGS_COUNT + 1];      /* acknowledged by the peer */
  uint32_t local_sent[HTTP2_SETTINGS_COUNT + 1]; /* last value we sent */
  uint32_t peer[HTTP2_SETTINGS_COUNT + 1];
  SocketHTTP2__PendingSettings pending[HTTP2_PENDING_SETTINGS_MAX];
  int pending_count;

  SocketHPACK_Encoder_T encoder;
  SocketHPACK_Decoder_T decoder;

  SocketHTTP2__Buf in;      /* sized for one frame of local max_frame_size */
  SocketHTTP2__Buf out;

  struct SocketHTTP2_Stream **buckets;
  struct SocketHTTP2_Stream *streams;
  uint32_t local_active;    /* streams we opened, not closed */
  uint32_t local_idle;      /* Stream_new handles not opened yet */
  uint32_t max_local_opened; /* highest id of ours the peer has seen */
  uint32_t peer_active;     /* streams the peer opened, not closed */
  uint32_t next_stream_id;
  uint32_t max_peer_id;     /* highest peer stream id opened */
  uint32_t max_promised_id; /* client: highest promised id seen */
  uint32_t last_stream_id;  /* highest peer stream processed */
  uint32_t closed_ring[HTTP2_CLOSED_RING];
  unsigned closed_ring_pos;
  uint32_t reset_ring[HTTP2_CLOSED_RING]; /* streams we sent RST_STREAM on */
  unsigned reset_ring_pos;

  int64_t send_window;
  int64_t recv_window;
  uint32_t recv_unacked;

  /* Header block being assembled (HEADERS/PUSH_PROMISE + CONTINUATION). */
  uint32_t hb_stream;       /* 0 = none */
  uint8_t hb_type;
  uint8_t hb_flags;
  uint32_t hb_promised;
  int hb_self_dep;          /* HEADERS depends on its own stream */
  SocketHTTP2__Buf hb;
  SocketHPACK_Header *hb_fields; /* decode output, reused across blocks */
  size_t hb_fields_cap;

  int handshake_started;
  int preface_received;     /* server: client preface checked */
  int peer_settings_seen;
  int initial_settings_acked;
  int goaway_sent;
  int goaway_received;
  uint32_t goaway_last_id;  /* from the peer's GOAWAY */
  uint32_t goaway_code;     /* error code of the peer's last GOAWAY */
  SocketHTTP2__Buf goaway_debug; /* its debug data (capped copy) */
  uint32_t goaway_sent_code;
  uint32_t goaway_sent_last_id;
  int failed;               /* connection error or transport gone */
  SocketHTTP2_ErrorCode error;

  unsigned char ping_opaque[8];
  int ping_pending;
  int64_t ping_sent_ms;
  int64_t last_recv_ms;
  int keepalive_ms;         /* PING after this long without input (0 = off) */
  int connect_protocol_sent; /* we sent ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441) */
  int connect_protocol_peer; /* the peer did */
  int stall_timeout_ms;     /* reset streams stuck on a zero window */
  int nonblocking;          /* socket mode, sampled once (-1 unknown) */
  int in_process;           /* Conn_process is running (re-entry guard) */

  SocketHTTP2__Budget budget_rst;      /* streams reset (either side) */
  SocketHTTP2__Budget budget_settings;
  SocketHTTP2__Budget budget_ping;
  SocketHTTP2__Budget budget_priority;
  SocketHTTP2__Budget budget_empty;    /* empty/tiny DATA, empty CONTINUATION */

  SocketHTTP2_StreamCallback stream_cb;
  void *stream_cb_data;
  SocketHTTP2_ConnCallback conn_cb;
  void *conn_cb_data;
};

/* Abuse limits: sustained rate per second, and the burst allowed. */
#define HTTP2_RST_RATE 100
#define HTTP2_RST_BURST 1000
#define HTTP2_SETTINGS_RATE 10
#define HTTP2_SETTINGS_BURST 100
#define HTTP2_PING_RATE 10
#define HTTP2_PING_BURST 100
#define HTTP2_PRIORITY_RATE 100
#define HTTP2_PRIORITY_BURST 1000
#define HTTP2_EMPTY_RATE 100
#define HTTP2_EMPTY_BURST 1000
/* A stream whose DATA waits on a zero send window this long is reset
 * (slow-reading peer), unless config.idle_timeout_ms sets another value. */
#define HTTP2_STALL_TIMEOUT_MS 30000
/* DATA below this payload size (not ending the stream) counts as tiny. */
#define HTTP2_TINY_DATA 16
/* DATA at least this large pays back one tiny-frame token. */
#define HTTP2_SUBSTANTIAL_DATA 1024
/* Debug data of a received GOAWAY kept for SocketHTTP2Ext (the rest is
 * dropped: it is diagnostics, and a frame may carry 16 MiB of it). */
#define HTTP2_GOAWAY_DEBUG_MAX 4096
/* RFC 8441 §3: SETTINGS_ENABLE_CONNECT_PROTOCOL (extended CONNECT); an
 * id above HTTP2_SETTINGS_COUNT, so it lives outside the settings arrays. */
#define HTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL 0x8

/* Idle stream handles (Stream_new, no HEADERS yet) a connection holds;
 * they do not count toward MAX_CONCURRENT_STREAMS but cost memory. */
#define HTTP2_MAX_IDLE_STREAMS SOCKETHTTP2_MAX_STREAMS
/* Largest MAX_HEADER_LIST_SIZE a connection accepts (config clamp). */
#define HTTP2_MAX_HEADER_LIST_CAP (1024 * 1024)
/* Largest compressed header block accepted across CONTINUATIONs, beyond
 * the local MAX_HEADER_LIST_SIZE (which bounds it decoded). */
#define HTTP2_HEADER_BLOCK_SLACK 4096
/* Control replies (ACKs, RST_STREAM) may fill the send queue up to this
 * before the peer is considered to be flooding us without reading. */
#define HTTP2_CONTROL_QUEUE_MAX (SOCKETHTTP2_SEND_QUEUE_MAX + 64 * 1024)

/* conn.c */
extern int SocketHTTP2__queue (SocketHTTP2_Conn_T conn, const void *bytes, size_t len);
extern unsigned char *SocketHTTP2__queue_reserve (SocketHTTP2_Conn_T conn, size_t len);
extern int SocketHTTP2__conn_error (SocketHTTP2_Conn_T conn, SocketHTTP2_ErrorCode code);
extern int SocketHTTP2__budget_take (SocketHTTP2__Budget *b, double rate, double burst);
extern void SocketHTTP2__budget_earn (SocketHTTP2__Budget *b, double burst);
extern int SocketHTTP2__queue_rst (SocketHTTP2_Conn_T conn, uint32_t stream_id, SocketHTTP2_ErrorCode code);
extern void SocketHTTP2__credit_conn (SocketHTTP2_Conn_T conn, uint32_t bytes);
extern void SocketHTTP2__ensure_started (SocketHTTP2_Conn_T conn);

/* stream.c */
extern SocketHTTP2_Stream_T SocketHTTP2__stream_find (SocketHTTP2_Conn_T conn, uint32_t id);
extern SocketHTTP2_Stream_T SocketHTTP2__stream_create (SocketHTTP2_Conn_T conn, uint32_t id, int peer);
extern void SocketHTTP2__stream_remove_closed (SocketHTTP2_Conn_T conn, int all);
extern int SocketHTTP2__stream_frame (SocketHTTP2_Conn_T conn, const SocketHTTP2_FrameHeader *h,
                                      const unsigned char *payload);
extern void SocketHTTP2__stream_emit (SocketHTTP2_Stream_T s, int event);
extern void SocketHTTP2__stream_set_closed (SocketHTTP2_Stream_T s);
extern void SocketHTTP2__stream_reset (SocketHTTP2_Stream_T s, int origin, uint32_t code);
extern int SocketHTTP2__apply_initial_window (SocketHTTP2_Conn_T conn, uint32_t old_value, uint32_t new_value);
extern void SocketHTTP2__streams_goaway (SocketHTTP2_Conn_T conn, uint32_t last_id);
extern void SocketHTTP2__streams_check_stalled (SocketHTTP2_Conn_T conn, int64_t now_ms);
extern int SocketHTTP2__fields_copy (SocketHTTP2__Fields *dst, const SocketHPACK_Header *src, size_t count);
extern int SocketHTTP2__encode_block (SocketHTTP2_Stream_T s, uint8_t type, uint8_t flags,
                                      uint32_t promised_id, const SocketHPACK_Header *headers, size_t count);
extern void SocketHTTP2__buf_free (SocketHTTP2__Buf *b);
extern int SocketHTTP2__buf_reserve (SocketHTTP2__Buf *b, size_t extra, size_t limit);
extern int SocketHTTP2__stream_error (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T s, uint32_t id,
                                      SocketHTTP2_ErrorCode code);
extern void SocketHTTP2__recv_end_stream (SocketHTTP2_Stream_T s);
extern void SocketHTTP2__credit_stream (SocketHTTP2_Stream_T s, uint32_t bytes);
extern void SocketHTTP2__ring_add (SocketHTTP2_Conn_T conn, uint32_t id);
extern int SocketHTTP2__ring_has (SocketHTTP2_Conn_T conn, uint32_t id);
extern int SocketHTTP2__we_reset (SocketHTTP2_Conn_T conn, uint32_t id);
extern int SocketHTTP2__is_peer_id (SocketHTTP2_Conn_T conn, uint32_t id);
extern int SocketHTTP2__is_idle_id (SocketHTTP2_Conn_T conn, uint32_t id);

#endif /* SOCKETHTTP2_PRIVATE_INCLUDED */
