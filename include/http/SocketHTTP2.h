/**
 * @file SocketHTTP2.h
 * @brief HTTP/2 (RFC 9113): frame codec, connection and stream engine.
 *
 * The library owns protocol correctness: a server that only calls this
 * API and checks nothing itself gets the RFC 9113 stream state machine
 * (§5.1), stream-id rules, flow control, header validation (§8.2, §8.3:
 * pseudo-headers, lowercase names, connection-specific fields, TE other
 * than "trailers", content-length against the DATA received) and the
 * connection-vs-stream error mapping. Violations by the peer never raise:
 * they queue a GOAWAY (connection error; SocketHTTP2_Conn_process()
 * returns -1) or an RST_STREAM (stream error; processing goes on).
 *
 * @par I/O model
 * Every frame, including automatic replies (SETTINGS ACK, PING ACK,
 * WINDOW_UPDATE, RST_STREAM, GOAWAY), is appended to the connection's send
 * queue; only SocketHTTP2_Conn_flush() writes to the socket. The send
 * queue grows as needed, but DATA is only queued while it holds less than
 * SOCKETHTTP2_SEND_QUEUE_MAX bytes (a send blocked by the queue returns
 * 0, like one blocked by the flow-control window, and is retried after a
 * flush); HEADERS and control frames are always queued. A peer that makes us queue replies past the bound without
 * reading them (PING or SETTINGS flood) gets GOAWAY(ENHANCE_YOUR_CALM),
 * and while more than the bound plus 64 KiB is queued,
 * SocketHTTP2_Conn_process() reads nothing (backpressure: with
 * edge-triggered polling, call it again once SocketHTTP2_Conn_flush()
 * returns 0).
 * SocketHTTP2_Conn_process() reads until the socket would block, so
 * edge-triggered polling works, and handles every complete frame; the
 * receive buffer always holds one frame of the local
 * SETTINGS_MAX_FRAME_SIZE plus its header, and a larger announced frame is
 * a FRAME_SIZE_ERROR at once.
 *
 * @par Handshake
 * Calling SocketHTTP2_Conn_handshake() is optional: the first
 * SocketHTTP2_Conn_process() or SocketHTTP2_Conn_flush() queues the
 * preface (client) and our SETTINGS if the handshake was not started, and
 * a server checks the client preface inside SocketHTTP2_Conn_process().
 * The handshake is complete once our SETTINGS were acknowledged and the
 * peer's SETTINGS were received, in either order.
 *
 * @par Flow control
 * Send windows (connection and stream) are respected by
 * SocketHTTP2_Stream_send_data(). Receive windows are credited back by
 * the library: received DATA is buffered per stream, and as the
 * application consumes it with SocketHTTP2_Stream_recv_data() a
 * WINDOW_UPDATE for the stream and for the connection is queued once half
 * of the respective initial window has been consumed. Padding, DATA
 * received on streams that are closed or reset, and DATA still unread when
 * a stream is removed are credited to the connection window by the
 * library itself. An application that never reads a stream's DATA stalls
 * that stream (that is flow control working) but, once the stream closes,
 * not the connection. SocketHTTP2_Conn_window_update() and
 * SocketHTTP2_Stream_window_update() grant extra window on top of that
 * policy and are reflected in the recv_window getters.
 *
 * @par Stream lifetime
 * A stream that reaches the closed state stays valid (handle, userdata,
 * buffered DATA, headers and trailers) until the start of the next
 * SocketHTTP2_Conn_process() call (or SocketHTTP2_Conn_free()), then it is
 * removed and its handle must no longer be used. The last callback a
 * stream gets is HTTP2_EVENT_STREAM_END (clean close in both directions)
 * or HTTP2_EVENT_STREAM_RESET (RST_STREAM sent or received, refused by the
 * peer's GOAWAY, or SocketHTTP2_Conn_free()); release userdata there.
 * Callbacks can also run from inside a send call: the send that ends the
 * second direction fires STREAM_END before it returns. Removed streams no
 * longer count toward MAX_CONCURRENT_STREAMS. Frames that arrive for a
 * stream after we reset it (in flight) are ignored, their DATA credited.
 *
 * @par End of a request / response
 * HTTP2_EVENT_HEADERS_RECEIVED fires for the head (request or response;
 * informational 1xx heads fire it too, each replacing the last);
 * HTTP2_EVENT_DATA_RECEIVED for each DATA frame with payload or with
 * END_STREAM; HTTP2_EVENT_TRAILERS_RECEIVED for a trailing header block
 * (which always ends the peer's side). The peer's side is complete when
 * END_STREAM arrived: inside the event that carries it,
 * SocketHTTP2_Stream_recv_headers() already reports *end_stream = 1 and
 * SocketHTTP2_Stream_recv_data() does once the buffer is drained; the
 * state is half-closed (remote) or closed after the event.
 * HTTP2_EVENT_STREAM_END fires when both sides are done. So a server
 * answers a request on HEADERS_RECEIVED, DATA_RECEIVED or
 * TRAILERS_RECEIVED whichever reports end_stream first.
 *
 * @par Closing
 * SocketHTTP2_Conn_is_closed() returns 1 once a GOAWAY was sent or
 * received, or a connection error occurred: no new streams can be made
 * then, but streams at or below the last-stream-id keep running (graceful
 * drain); keep calling process/flush until they are done. After a
 * connection error (process returns -1) flush the GOAWAY, then shut down
 * the write side and read until EOF before closing: closing with unread
 * input makes the kernel send a TCP reset that can destroy the GOAWAY
 * (tests/h2/h2_server.c shows the pattern).
 *
 * @par Abuse limits
 * Each is a token bucket (sustained rate per second / burst) whose excess
 * is GOAWAY(ENHANCE_YOUR_CALM): streams reset by or because of the peer
 * (rapid reset, CVE-2023-44487) 100/1000; SETTINGS 10/100; PING 10/100;
 * PRIORITY 100/1000; empty CONTINUATION and tiny DATA (< 16 bytes, not
 * ending the stream or using up a window) 100/1000, where each DATA frame
 * of 1 KiB or more pays one token back. A header block is capped at the
 * local MAX_HEADER_LIST_SIZE + 4 KiB of compressed bytes across all its
 * CONTINUATIONs (CVE-2024-27316); HPACK expansion beyond the list size is
 * refused (HPACK bomb); WINDOW_UPDATE overflow is FLOW_CONTROL_ERROR. A
 * stream whose DATA has waited on a zero send window for idle_timeout_ms
 * (30 s when that is 0) is reset with RST_STREAM(CANCEL) (zero-window
 * stall); SocketHTTP2_Conn_process() checks this, like the timeouts.
 *
 * Thread-safety: a connection and its streams are not thread-safe; the
 * getters, string functions and frame header codec are reentrant.
 */
#ifndef SOCKETHTTP2_INCLUDED
#define SOCKETHTTP2_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "http/SocketHPACK.h"
#include "http/SocketHTTP.h"
#include "socket/Socket.h"

/* --- Protocol constants ----------------------------------------------- */

#define SOCKETHTTP2_DEFAULT_HEADER_TABLE_SIZE 4096
#define SOCKETHTTP2_DEFAULT_ENABLE_PUSH 1
#define SOCKETHTTP2_DEFAULT_MAX_CONCURRENT_STREAMS 100
#define SOCKETHTTP2_DEFAULT_INITIAL_WINDOW_SIZE 65535
#define SOCKETHTTP2_DEFAULT_MAX_FRAME_SIZE 16384
#define SOCKETHTTP2_MAX_MAX_FRAME_SIZE 16777215
#define SOCKETHTTP2_DEFAULT_MAX_HEADER_LIST_SIZE (16 * 1024)
/** Upper bound for max_concurrent_streams. */
#define SOCKETHTTP2_MAX_STREAMS 1000
/** Default connection receive window (config.connection_window_size). */
#define SOCKETHTTP2_CONNECTION_WINDOW_SIZE (1 << 20)
/** Bound of the send queue for DATA (see "I/O model" above). */
#define SOCKETHTTP2_SEND_QUEUE_MAX (1024 * 1024)

#define HTTP2_FRAME_HEADER_SIZE 9
/** Length of the client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
#define HTTP2_PREFACE_SIZE 24
/** Buckets of the stream hash table. */
#define HTTP2_STREAM_HASH_SIZE 1021

#define HTTP2_FLAG_END_STREAM 0x01
#define HTTP2_FLAG_END_HEADERS 0x04
#define HTTP2_FLAG_PADDED 0x08
#define HTTP2_FLAG_PRIORITY 0x20
#define HTTP2_FLAG_ACK 0x01

/** Number of settings defined by RFC 9113 (ids 1..6). */
#define HTTP2_SETTINGS_COUNT 6

/* Stream events (SocketHTTP2_StreamCallback). */
#define HTTP2_EVENT_STREAM_START 1       /**< peer opened a stream (before its headers event) */
#define HTTP2_EVENT_HEADERS_RECEIVED 2   /**< a (non-trailer) header block is complete */
#define HTTP2_EVENT_DATA_RECEIVED 3      /**< DATA buffered; read with Stream_recv_data */
#define HTTP2_EVENT_TRAILERS_RECEIVED 4  /**< trailers complete; read with Stream_recv_trailers */
#define HTTP2_EVENT_STREAM_END 5         /**< both sides finished cleanly; last event */
#define HTTP2_EVENT_STREAM_RESET 6       /**< RST_STREAM sent/received, above a GOAWAY, or Conn_free; last event */
#define HTTP2_EVENT_PUSH_PROMISE 7       /**< client: promised stream (the argument) reserved */
#define HTTP2_EVENT_WINDOW_UPDATE 8      /**< stream send window grew */
/* Connection events (SocketHTTP2_ConnCallback). */
#define HTTP2_EVENT_SETTINGS_ACK 20      /**< the peer acknowledged our SETTINGS */
#define HTTP2_EVENT_PING_ACK 21          /**< ACK for our last PING */
#define HTTP2_EVENT_GOAWAY_RECEIVED 22   /**< peer sent GOAWAY */
#define HTTP2_EVENT_CONNECTION_ERROR 23  /**< we sent GOAWAY for an error */

/* --- Types ------------------------------------------------------------ */

typedef enum
{
  HTTP2_FRAME_DATA = 0,
  HTTP2_FRAME_HEADERS = 1,
  HTTP2_FRAME_PRIORITY = 2,
  HTTP2_FRAME_RST_STREAM = 3,
  HTTP2_FRAME_SETTINGS = 4,
  HTTP2_FRAME_PUSH_PROMISE = 5,
  HTTP2_FRAME_PING = 6,
  HTTP2_FRAME_GOAWAY = 7,
  HTTP2_FRAME_WINDOW_UPDATE = 8,
  HTTP2_FRAME_CONTINUATION = 9
} SocketHTTP2_FrameType;

typedef enum
{
  HTTP2_NO_ERROR = 0,
  HTTP2_PROTOCOL_ERROR = 1,
  HTTP2_INTERNAL_ERROR = 2,
  HTTP2_FLOW_CONTROL_ERROR = 3,
  HTTP2_SETTINGS_TIMEOUT = 4,
  HTTP2_STREAM_CLOSED = 5,
  HTTP2_FRAME_SIZE_ERROR = 6,
  HTTP2_REFUSED_STREAM = 7,
  HTTP2_CANCEL = 8,
  HTTP2_COMPRESSION_ERROR = 9,
  HTTP2_CONNECT_ERROR = 10,
  HTTP2_ENHANCE_YOUR_CALM = 11,
  HTTP2_INADEQUATE_SECURITY = 12,
  HTTP2_HTTP_1_1_REQUIRED = 13
} SocketHTTP2_ErrorCode;

typedef enum
{
  HTTP2_SETTINGS_HEADER_TABLE_SIZE = 1,
  HTTP2_SETTINGS_ENABLE_PUSH = 2,
  HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS = 3,
  HTTP2_SETTINGS_INITIAL_WINDOW_SIZE = 4,
  HTTP2_SETTINGS_MAX_FRAME_SIZE = 5,
  HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE = 6
} SocketHTTP2_SettingsId;

/** RFC 9113 §5.1 stream states. */
typedef enum
{
  HTTP2_STREAM_STATE_IDLE = 0,
  HTTP2_STREAM_STATE_RESERVED_LOCAL = 1,
  HTTP2_STREAM_STATE_RESERVED_REMOTE = 2,
  HTTP2_STREAM_STATE_OPEN = 3,
  HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL = 4,
  HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE = 5,
  HTTP2_STREAM_STATE_CLOSED = 6
} SocketHTTP2_StreamState;

/** A decoded frame header (9 bytes on the wire). */
typedef struct
{
  uint32_t length;    /**< payload length, 24 bits */
  uint8_t type;       /**< SocketHTTP2_FrameType or an unknown type */
  uint8_t flags;
  uint32_t stream_id; /**< 31 bits; the reserved bit is dropped */
} SocketHTTP2_FrameHeader;

typedef enum
{
  HTTP2_ROLE_CLIENT = 0,
  HTTP2_ROLE_SERVER = 1
} SocketHTTP2_Role;

/** Connection configuration; see SocketHTTP2_config_defaults(). */
typedef struct
{
  SocketHTTP2_Role role;
  uint32_t header_table_size;      /**< our HPACK decoder table (SETTINGS 1) */
  uint32_t enable_push;            /**< client: accept PUSH_PROMISE (SETTINGS 2) */
  uint32_t max_concurrent_streams; /**< streams the peer may open (SETTINGS 3) */
  uint32_t initial_window_size;    /**< stream receive window (SETTINGS 4) */
  uint32_t max_frame_size;         /**< largest frame we accept (SETTINGS 5) */
  uint32_t max_header_list_size;   /**< decoded header list limit (SETTINGS 6) */
  uint32_t connection_window_size; /**< connection receive window */
  int settings_timeout_ms;         /**< SETTINGS ACK deadline (0 = none) */
  int ping_timeout_ms;             /**< PING ACK deadline (0 = none) */
  int idle_timeout_ms;             /**< no frame received for this long (0 = none) */
} SocketHTTP2_Config;

/** A connection (one per socket). */
typedef struct SocketHTTP2_Conn *SocketHTTP2_Conn_T;
/** A stream of a connection. */
typedef struct SocketHTTP2_Stream *SocketHTTP2_Stream_T;

/** One SETTINGS entry. */
typedef struct
{
  uint16_t id;
  uint32_t value;
} SocketHTTP2_Setting;

/** Stream event callback; runs inside SocketHTTP2_Conn_process() (or the
 *  API call that caused the event) and may call any stream or connection
 *  function except SocketHTTP2_Conn_free() (SocketHTTP2_Conn_process()
 *  from a callback returns 0 and does nothing). */
typedef void (*SocketHTTP2_StreamCallback) (SocketHTTP2_Conn_T conn, SocketHTTP2_Stream_T stream,
                                            int event, void *userdata);
/** Connection event callback; same rules as the stream callback. */
typedef void (*SocketHTTP2_ConnCallback) (SocketHTTP2_Conn_T conn, int event, void *userdata);

/** Raised by SocketHTTP2_Conn_new() and the upgrade constructors when the
 *  connection cannot be created (.reason "HTTP/2 protocol error"). */
extern SOCKET_API const Except_T SocketHTTP2_ProtocolError;
/** Declared for compatibility; peer stream errors are RST_STREAM frames,
 *  never exceptions (.reason "HTTP/2 stream error"). */
extern SOCKET_API const Except_T SocketHTTP2_StreamError;
/** Declared for compatibility; flow-control violations are GOAWAY or
 *  RST_STREAM frames (.reason "HTTP/2 flow control error"). */
extern SOCKET_API const Except_T SocketHTTP2_FlowControlError;

/* --- Configuration ---------------------------------------------------- */

/**
 * @brief Fill @p config with defaults for @p role (the struct is zeroed
 *        first): header_table_size 4096, enable_push 1 for a server and 0
 *        for a client, max_concurrent_streams 100, initial_window_size
 *        65535, max_frame_size 16384, max_header_list_size 16384,
 *        connection_window_size 1 MiB, settings_timeout_ms 30000,
 *        ping_timeout_ms 30000, idle_timeout_ms 0 (none). Reentrant.
 */
extern SOCKET_API void SocketHTTP2_config_defaults (SocketHTTP2_Config *config, SocketHTTP2_Role role);

/* --- Connection ------------------------------------------------------- */

/**
 * @brief Create a connection on @p socket. Nothing is sent yet.
 * @param socket borrowed; never closed by the connection. Use a
 *        non-blocking socket with SocketPoll (a blocking one works but
 *        SocketHTTP2_Conn_process() then blocks until data arrives).
 * @param config copied; NULL = client defaults. Values are clamped to the
 *        RFC ranges (max_frame_size 16384..16777215, windows <= 2^31-1,
 *        max_concurrent_streams <= SOCKETHTTP2_MAX_STREAMS) and
 *        max_header_list_size to 1 MiB (0 means the 16 KiB default); one
 *        header field may use the whole list size.
 * @param arena owns the connection object; buffers and streams are heap
 *        memory released by SocketHTTP2_Conn_free().
 * @throws SocketHTTP2_ProtocolError if memory cannot be allocated.
 */
extern SOCKET_API SocketHTTP2_Conn_T SocketHTTP2_Conn_new (Socket_T socket, const SocketHTTP2_Config *config,
                                                           Arena_T arena);

/**
 * @brief Release buffers, HPACK state and all streams, set *@p conn to
 *        NULL. Streams not yet closed get HTTP2_EVENT_STREAM_RESET first
 *        (so their userdata can be released); no callback may use the
 *        connection for anything else then. Sends nothing and does not
 *        close the socket. NULL-safe.
 */
extern SOCKET_API void SocketHTTP2_Conn_free (SocketHTTP2_Conn_T *conn);

/**
 * @brief Start (and report) the handshake. Client: queues the preface and
 *        our SETTINGS (plus a connection WINDOW_UPDATE when
 *        connection_window_size exceeds 65535) on the first call. Server:
 *        queues our SETTINGS; the client preface is checked by
 *        SocketHTTP2_Conn_process(). Optional: process/flush start it too.
 * @return 0 complete (our SETTINGS acknowledged and the peer's received),
 *         1 in progress, -1 the connection failed.
 */
extern SOCKET_API int SocketHTTP2_Conn_handshake (SocketHTTP2_Conn_T conn);

/**
 * @brief Read from the socket until it would block and handle every
 *        complete frame; callbacks run from here. Also removes streams
 *        closed before this call and enforces the deadlines: SETTINGS ACK
 *        (settings_timeout_ms), PING ACK (ping_timeout_ms), idle
 *        (idle_timeout_ms), keepalive PINGs and zero-window stalls. They
 *        are checked on every call, with or without input, so with any of
 *        them armed call this when the poll wait times out too (events 0):
 *        SocketHTTP2Ext_Conn_next_timeout_ms() (SocketHTTP2Ext.h) says
 *        how long to wait at most. On a blocking socket it reads once (and
 *        waits for that read) only when @p events is non-zero; events 0
 *        then checks the deadlines without reading. The socket's mode is
 *        sampled on the first call, so set it before.
 * @param events poll events (POLL_READ etc.). A non-blocking socket is
 *        read whatever the value; a blocking one only when it is non-zero.
 * @return 0 ok (call SocketHTTP2_Conn_flush() to send the replies),
 *         -1 connection error: GOAWAY queued (flush it, then close), a
 *         deadline passed (GOAWAY SETTINGS_TIMEOUT, or NO_ERROR for the
 *         PING and idle timeouts), or the peer closed the connection / the
 *         socket failed. Never raises for protocol or socket errors.
 */
extern SOCKET_API int SocketHTTP2_Conn_process (SocketHTTP2_Conn_T conn, unsigned events);

/**
 * @brief Write queued frames.
 * @return 0 all written, 1 the socket would block with data still queued
 *         (poll for writability), -1 socket error (the connection is
 *         dead). Never raises for socket errors.
 */
extern SOCKET_API int SocketHTTP2_Conn_flush (SocketHTTP2_Conn_T conn);

/** @brief The socket given at creation. */
extern SOCKET_API Socket_T SocketHTTP2_Conn_socket (SocketHTTP2_Conn_T conn);

/**
 * @brief 1 once a GOAWAY was sent (SocketHTTP2_Conn_goaway() or a
 *        connection error) or received, or the transport failed; 0
 *        otherwise. After a GOAWAY, streams up to its last-stream-id may
 *        still complete; no new stream can be created.
 */
extern SOCKET_API int SocketHTTP2_Conn_is_closed (SocketHTTP2_Conn_T conn);

/** @brief The arena given at creation. */
extern SOCKET_API Arena_T SocketHTTP2_Conn_arena (SocketHTTP2_Conn_T conn);

/**
 * @brief Queue a SETTINGS frame with @p count entries (0 is allowed: an
 *        empty SETTINGS). Our values take effect when the peer
 *        acknowledges them (RFC 9113 §6.5.3), except that lowering limits
 *        is enforced at once.
 * @return 0 queued, -1 if a value is invalid (ENABLE_PUSH > 1,
 *         INITIAL_WINDOW_SIZE > 2^31-1, MAX_FRAME_SIZE out of range),
 *         HEADER_TABLE_SIZE or MAX_HEADER_LIST_SIZE exceed the values the
 *         connection was created with (the HPACK decoder is sized from
 *         them), or the connection is closed.
 */
extern SOCKET_API int SocketHTTP2_Conn_settings (SocketHTTP2_Conn_T conn, const SocketHTTP2_Setting *settings,
                                                 size_t count);

/** @brief The peer's current value for @p id (RFC defaults until its
 *         SETTINGS arrive; MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE
 *         start unlimited, 0xFFFFFFFF); 0 for an unknown id. */
extern SOCKET_API uint32_t SocketHTTP2_Conn_get_setting (SocketHTTP2_Conn_T conn, SocketHTTP2_SettingsId id);

/** @brief Our value for @p id as last sent; 0 for an unknown id. */
extern SOCKET_API uint32_t SocketHTTP2_Conn_get_local_setting (SocketHTTP2_Conn_T conn,
                                                               SocketHTTP2_SettingsId id);

/**
 * @brief Queue a PING. @p opaque NULL = 8 bytes from the monotonic clock.
 *        HTTP2_EVENT_PING_ACK fires for the ACK matching the last PING;
 *        with ping_timeout_ms set, no ACK in time is a connection error.
 * @return 0 queued, -1 the connection is closed.
 */
extern SOCKET_API int SocketHTTP2_Conn_ping (SocketHTTP2_Conn_T conn, const unsigned char opaque[8]);

/**
 * @brief Queue a GOAWAY with last-stream-id = SocketHTTP2_Conn_last_stream_id().
 *        New peer streams above it are ignored afterwards; streams below
 *        it drain. @p debug_data may be NULL (then @p debug_len is ignored).
 * @return 0 queued, -1 on a NULL argument.
 */
extern SOCKET_API int SocketHTTP2_Conn_goaway (SocketHTTP2_Conn_T conn, SocketHTTP2_ErrorCode error_code,
                                               const void *debug_data, size_t debug_len);

/** @brief Highest peer-initiated stream id we processed (0 initially). */
extern SOCKET_API uint32_t SocketHTTP2_Conn_last_stream_id (SocketHTTP2_Conn_T conn);

/**
 * @brief Grant the peer @p increment more bytes of connection window
 *        (1..2^31-1; the window may not exceed 2^31-1).
 * @return 0 queued, -1 invalid increment or overflow.
 */
extern SOCKET_API int SocketHTTP2_Conn_window_update (SocketHTTP2_Conn_T conn, uint32_t increment);

/** @brief Connection send window (may be negative after a SETTINGS change). */
extern SOCKET_API int32_t SocketHTTP2_Conn_send_window (SocketHTTP2_Conn_T conn);

/** @brief Connection receive window we advertised and the peer has not used. */
extern SOCKET_API int32_t SocketHTTP2_Conn_recv_window (SocketHTTP2_Conn_T conn);

/* --- Streams ---------------------------------------------------------- */

/**
 * @brief Create a local stream (idle) with the next id of our role
 *        (client 1, 3, 5...; server 2, 4, ...). Nothing is sent until
 *        headers are, and an idle stream does not count toward the peer's
 *        MAX_CONCURRENT_STREAMS (RFC 9113 §5.1): that limit is checked
 *        when SocketHTTP2_Stream_send_headers() opens it.
 * Send headers on streams in the order they were created: opening a
 * higher id first closes the lower idle ones at the peer (RFC 9113
 * §5.1.1), so sending HEADERS on such a stream fails and resets it.
 * @return the stream, or NULL if the connection is closed (GOAWAY sent or
 *         received), ids are exhausted, or SOCKETHTTP2_MAX_STREAMS idle
 *         streams already wait to be opened.
 */
extern SOCKET_API SocketHTTP2_Stream_T SocketHTTP2_Stream_new (SocketHTTP2_Conn_T conn);

/** @brief Stream id. */
extern SOCKET_API uint32_t SocketHTTP2_Stream_id (SocketHTTP2_Stream_T stream);

/** @brief Current RFC 9113 §5.1 state. */
extern SOCKET_API SocketHTTP2_StreamState SocketHTTP2_Stream_state (SocketHTTP2_Stream_T stream);

/**
 * @brief Reset the stream: queue RST_STREAM(@p error_code) and close it
 *        (fires HTTP2_EVENT_STREAM_RESET). No-op on a closed stream.
 */
extern SOCKET_API void SocketHTTP2_Stream_close (SocketHTTP2_Stream_T stream, SocketHTTP2_ErrorCode error_code);

/** @brief The pointer last set (NULL initially). */
extern SOCKET_API void *SocketHTTP2_Stream_get_userdata (SocketHTTP2_Stream_T stream);

/** @brief Store an opaque pointer; never dereferenced or freed. */
extern SOCKET_API void SocketHTTP2_Stream_set_userdata (SocketHTTP2_Stream_T stream, void *userdata);

/**
 * @brief Queue a header block (HEADERS + CONTINUATION as the peer's
 *        MAX_FRAME_SIZE requires), encoded as given. Names must be
 *        lowercase; pseudo-headers come first. On an idle stream of ours
 *        this opens it. A server may send any number of interim (1xx)
 *        heads before the final one; an interim head with @p end_stream,
 *        or a 101 (which HTTP/2 does not have, RFC 9113 §8.6), is refused
 *        (-1).
 * @return 0 queued; -1 if the state forbids HEADERS (half-closed local,
 *         closed, reserved remote), the connection is closed, or the
 *         headers cannot be encoded. The state changes only on success.
 *         Opening an idle stream also fails (-1) while the peer's
 *         MAX_CONCURRENT_STREAMS streams of ours are open (until the
 *         peer's SETTINGS arrive, 100: the minimum RFC 9113 §6.5.2
 *         recommends); the stream stays idle, retry after a stream ends
 *         (SocketHTTP2_Stream_state() is still HTTP2_STREAM_STATE_IDLE).
 *         A stream below an id already opened cannot be opened any more:
 *         -1, and it is closed (HTTP2_EVENT_STREAM_RESET).
 */
extern SOCKET_API int SocketHTTP2_Stream_send_headers (SocketHTTP2_Stream_T stream,
                                                       const SocketHPACK_Header *headers, size_t header_count,
                                                       int end_stream);

/**
 * @brief Send a request head: :method, :scheme (default "https"),
 *        :authority (omitted when NULL), :path (default "/"; omitted for
 *        CONNECT), then the request's headers lowercased, without the
 *        connection-specific ones (Connection, Keep-Alive,
 *        Proxy-Connection, Transfer-Encoding, Upgrade, Host).
 * @return as SocketHTTP2_Stream_send_headers().
 */
extern SOCKET_API int SocketHTTP2_Stream_send_request (SocketHTTP2_Stream_T stream,
                                                       const SocketHTTP_Request *request, int end_stream);

/**
 * @brief Send a response head: :status, then the headers (lowercased,
 *        connection-specific ones dropped). The reason phrase is unused.
 * @return as SocketHTTP2_Stream_send_headers().
 */
extern SOCKET_API int SocketHTTP2_Stream_send_response (SocketHTTP2_Stream_T stream,
                                                        const SocketHTTP_Response *response, int end_stream);

/**
 * @brief Queue DATA: min(@p len, stream and connection send window, room
 *        below SOCKETHTTP2_SEND_QUEUE_MAX) bytes, in frames of at most the
 *        peer's MAX_FRAME_SIZE. END_STREAM is sent (and the state changes)
 *        only if all of @p len was queued.
 * @return bytes queued; 0 when blocked by a window (wait for
 *         HTTP2_EVENT_WINDOW_UPDATE) or the queue (flush); -1 if the state
 *         forbids DATA (idle, reserved, half-closed local, closed) or the
 *         connection is closed.
 */
extern SOCKET_API ssize_t SocketHTTP2_Stream_send_data (SocketHTTP2_Stream_T stream, const void *data, size_t len,
                                                        int end_stream);

/**
 * @brief Queue trailers (a header block with END_STREAM); no
 *        pseudo-headers allowed.
 * @return as SocketHTTP2_Stream_send_headers().
 */
extern SOCKET_API int SocketHTTP2_Stream_send_trailers (SocketHTTP2_Stream_T stream,
                                                        const SocketHPACK_Header *trailers, size_t count);

/**
 * @brief Copy the head received last (pseudo-headers first, as received):
 *        the request or response head. A client can see interim (1xx)
 *        response heads first (100 Continue, 103 Early Hints): each fires
 *        HTTP2_EVENT_HEADERS_RECEIVED and replaces the previous one, and
 *        its first field is ":status" with a value from "100" to "199":
 *        that is how to tell it is informational (a final head follows;
 *        *end_stream is 0). The final head (status >= 200) is never
 *        reported as trailers. Strings are owned by the stream (valid as
 *        long as the stream is, and until the next head replaces them).
 * @param headers,max_headers caller's array (NULL only with 0).
 * @param header_count receives the number of fields (may exceed
 *        @p max_headers: only the first max_headers are copied).
 * @param end_stream receives 1 if the peer's side is complete.
 * @return 1 headers available, 0 not yet.
 */
extern SOCKET_API int SocketHTTP2_Stream_recv_headers (SocketHTTP2_Stream_T stream, SocketHPACK_Header *headers,
                                                       size_t max_headers, size_t *header_count,
                                                       int *end_stream);

/**
 * @brief Copy out buffered DATA and credit the windows (see "Flow
 *        control" above).
 * @param end_stream receives 1 once END_STREAM arrived and the buffer is
 *        drained.
 * @return bytes copied (0 when nothing is buffered).
 */
extern SOCKET_API ssize_t SocketHTTP2_Stream_recv_data (SocketHTTP2_Stream_T stream, void *buf, size_t len,
                                                        int *end_stream);

/**
 * @brief Copy the received trailers (like SocketHTTP2_Stream_recv_headers()).
 * @return 1 trailers available, 0 none (yet).
 */
extern SOCKET_API int SocketHTTP2_Stream_recv_trailers (SocketHTTP2_Stream_T stream,
                                                        SocketHPACK_Header *trailers, size_t max_trailers,
                                                        size_t *trailer_count);

/**
 * @brief Grant the peer @p increment more bytes on this stream
 *        (1..2^31-1, window at most 2^31-1).
 * @return 0 queued, -1 invalid increment, overflow or closed stream.
 */
extern SOCKET_API int SocketHTTP2_Stream_window_update (SocketHTTP2_Stream_T stream, uint32_t increment);

/** @brief min(stream, connection send window), 0 when negative. */
extern SOCKET_API int32_t SocketHTTP2_Stream_send_window (SocketHTTP2_Stream_T stream);

/** @brief Receive window we advertised on this stream and the peer has not used. */
extern SOCKET_API int32_t SocketHTTP2_Stream_recv_window (SocketHTTP2_Stream_T stream);

/**
 * @brief Server push: queue PUSH_PROMISE on @p stream (which must be open
 *        or half-closed remote) for a request with @p request_headers and
 *        return the promised stream (reserved local; send its response
 *        with SocketHTTP2_Stream_send_response()).
 * @return NULL if we are a client, the peer disabled push, the stream
 *         state forbids it, the peer's stream limit is reached or the
 *         connection is closed.
 */
extern SOCKET_API SocketHTTP2_Stream_T SocketHTTP2_Stream_push_promise (SocketHTTP2_Stream_T stream,
                                                                        const SocketHPACK_Header *request_headers,
                                                                        size_t header_count);

/** @brief Set (or with NULL clear) the stream event callback. */
extern SOCKET_API void SocketHTTP2_Conn_set_stream_callback (SocketHTTP2_Conn_T conn,
                                                             SocketHTTP2_StreamCallback callback, void *userdata);

/** @brief Set (or with NULL clear) the connection event callback. */
extern SOCKET_API void SocketHTTP2_Conn_set_conn_callback (SocketHTTP2_Conn_T conn,
                                                           SocketHTTP2_ConnCallback callback, void *userdata);

/* --- h2c upgrade (RFC 7540 §3.2) --------------------------------------- */

/**
 * @brief Client side of an accepted "Upgrade: h2c" (after the 101): stream
 *        1 exists half-closed (local) for the upgraded request, the
 *        settings we sent in HTTP2-Settings (@p settings_payload, the
 *        decoded SETTINGS payload, may be NULL) count as our local
 *        settings, and the preface plus SETTINGS are queued.
 * @return the connection, NULL if @p settings_payload is malformed.
 * @throws SocketHTTP2_ProtocolError on allocation failure.
 */
extern SOCKET_API SocketHTTP2_Conn_T SocketHTTP2_Conn_upgrade_client (Socket_T socket,
                                                                      const unsigned char *settings_payload,
                                                                      size_t settings_len, Arena_T arena);

/**
 * @brief Server side of "Upgrade: h2c" (after sending the 101): applies
 *        the client's HTTP2-Settings (decoded payload), creates stream 1
 *        half-closed (remote) carrying @p initial_request's head
 *        (retrievable with SocketHTTP2_Stream_recv_headers()), queues our
 *        SETTINGS; the client preface is then checked by Conn_process.
 * @return the connection, NULL if the settings payload is malformed.
 * @throws SocketHTTP2_ProtocolError on allocation failure.
 */
extern SOCKET_API SocketHTTP2_Conn_T SocketHTTP2_Conn_upgrade_server (Socket_T socket,
                                                                      const SocketHTTP_Request *initial_request,
                                                                      const unsigned char *settings_payload,
                                                                      size_t settings_len, Arena_T arena);

/* --- Strings and frame header codec ------------------------------------ */

/** @brief "NO_ERROR" ... "HTTP_1_1_REQUIRED"; "UNKNOWN_ERROR" otherwise. */
extern SOCKET_API const char *SocketHTTP2_error_string (SocketHTTP2_ErrorCode code);
/** @brief "DATA" ... "CONTINUATION"; "UNKNOWN_FRAME" otherwise. */
extern SOCKET_API const char *SocketHTTP2_frame_type_string (SocketHTTP2_FrameType type);
/** @brief "idle", "open", "half-closed (local)"...; "UNKNOWN_STATE" otherwise. */
extern SOCKET_API const char *SocketHTTP2_stream_state_string (SocketHTTP2_StreamState state);

/**
 * @brief Decode 9 header bytes (no validation; the reserved bit of the
 *        stream id is dropped).
 * @return 0 (always).
 */
extern SOCKET_API int SocketHTTP2_frame_header_parse (const unsigned char *data, SocketHTTP2_FrameHeader *header);

/** @brief Encode 9 header bytes (low 24 bits of length, reserved bit 0). */
extern SOCKET_API void SocketHTTP2_frame_header_serialize (const SocketHTTP2_FrameHeader *header,
                                                           unsigned char *data);

#endif /* SOCKETHTTP2_INCLUDED */
