/**
 * @file SocketHTTP2Ext.h
 * @brief HTTP/2 connections with memory I/O: the engine of SocketHTTP2.h
 *        without a socket, for callers that do their own I/O (the Go
 *        bindings over net.Conn, TLS stacks of their own, fuzzing).
 *
 * Kept out of SocketHTTP2.h so that header stays exactly the original API.
 * A connection made here behaves like one made by SocketHTTP2_Conn_new()
 * (same frames, events, limits and stream API); only the transport
 * differs:
 * - bytes from the peer go in with SocketHTTP2Ext_Conn_input();
 * - bytes for the peer are read with SocketHTTP2Ext_Conn_output() and
 *   released with SocketHTTP2Ext_Conn_output_consumed();
 * - SocketHTTP2_Conn_process() only runs the housekeeping (removal of
 *   closed streams, timeouts) and returns 0, or -1 after a connection
 *   error; SocketHTTP2_Conn_flush() writes nothing and returns 1 while
 *   output is pending, else 0; SocketHTTP2_Conn_socket() returns NULL.
 *
 * Thread-safety: as SocketHTTP2.h (one connection per thread).
 */
#ifndef SOCKETHTTP2EXT_INCLUDED
#define SOCKETHTTP2EXT_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHTTP2.h"

/**
 * @brief Create a connection without a socket.
 * @param config copied; NULL = client defaults (clamped as in Conn_new).
 * @param arena owns the connection object (borrowed).
 * @throws SocketHTTP2_ProtocolError for a NULL arena or when memory
 *         cannot be allocated.
 */
extern SOCKET_API SocketHTTP2_Conn_T SocketHTTP2Ext_Conn_new_io (const SocketHTTP2_Config *config, Arena_T arena);

/**
 * @brief Feed bytes received from the peer; handles every complete frame
 *        (callbacks run from here). Any split of the byte stream gives the
 *        same result.
 * @param consumed receives how many bytes were taken: all of them unless
 *        the send queue is over its bound (backpressure: drain the output,
 *        then feed the rest) or a connection error stopped processing.
 * @return 0 ok, -1 connection error (GOAWAY queued in the output).
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_input (SocketHTTP2_Conn_T conn, const void *data, size_t len,
                                                 size_t *consumed);

/**
 * @brief The bytes queued for the peer (starts the handshake if needed).
 * @param len receives their number (0: nothing pending, NULL returned).
 * @return a pointer valid until the next call on the connection.
 */
extern SOCKET_API const unsigned char *SocketHTTP2Ext_Conn_output (SocketHTTP2_Conn_T conn, size_t *len);

/** @brief Drop the first @p n bytes of the output (clamped to what is pending). */
extern SOCKET_API void SocketHTTP2Ext_Conn_output_consumed (SocketHTTP2_Conn_T conn, size_t n);

/**
 * @brief SocketHTTP2_Conn_upgrade_server() for a memory-I/O connection
 *        (the HTTP/1.1 server answered "Upgrade: h2c" with 101 itself).
 * @param stream1 receives stream 1, which carries @p initial_request
 *        (half-closed remote: answer it like any request). May be NULL.
 * @return the connection, NULL if the settings payload is malformed.
 * @throws SocketHTTP2_ProtocolError as SocketHTTP2Ext_Conn_new_io().
 */
extern SOCKET_API SocketHTTP2_Conn_T SocketHTTP2Ext_Conn_upgrade_server_io (const SocketHTTP_Request *initial_request,
                                                                           const unsigned char *settings_payload,
                                                                           size_t settings_len, Arena_T arena,
                                                                           SocketHTTP2_Stream_T *stream1);

/* --- Streams ---------------------------------------------------------------- */

/**
 * @brief How many more streams of ours may be opened (HEADERS sent) now:
 *        the peer's MAX_CONCURRENT_STREAMS (100 until its SETTINGS
 *        arrive) minus our open ones; 0 once the connection is closed.
 *        SocketHTTP2_Stream_new() no longer stops at that limit (an idle
 *        stream does not count, RFC 9113 §5.1): check this first to keep
 *        "no stream available" semantics, or let
 *        SocketHTTP2_Stream_send_headers() refuse and retry later.
 */
extern SOCKET_API uint32_t SocketHTTP2Ext_Conn_streams_available (SocketHTTP2_Conn_T conn);

/* --- Extended CONNECT (RFC 8441) ----------------------------------------- */

/**
 * @brief Advertise SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1: a server
 *        then accepts extended CONNECT requests (:method CONNECT with
 *        :protocol, :scheme, :path and :authority, e.g. WebSockets over
 *        HTTP/2, RFC 8441 §4; the stream is the tunnel: DATA both ways,
 *        no END_STREAM on the head). Without it :protocol stays an unknown
 *        pseudo-header (a malformed request: RST_STREAM PROTOCOL_ERROR).
 *        Before the handshake starts the setting goes in our first
 *        SETTINGS frame, later in a SETTINGS frame of its own; it cannot
 *        be withdrawn (RFC 8441 §3; SocketHTTP2_Conn_settings() refuses
 *        a 0 after it). SocketHTTP2_Config is ABI-frozen, hence this call.
 * @return 0 enabled (or already), -1 the connection is closed or the
 *         SETTINGS frame could not be queued.
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_enable_connect_protocol (SocketHTTP2_Conn_T conn);

/**
 * @brief 1 once the peer's SETTINGS carried ENABLE_CONNECT_PROTOCOL = 1:
 *        a client may then send :protocol (SocketHTTP2_Stream_send_headers()
 *        refuses a head with :protocol before that, returning -1); 0
 *        otherwise. A value other than 0 or 1, or 0 after 1, from the peer
 *        is a connection error (PROTOCOL_ERROR).
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_peer_connect_protocol (SocketHTTP2_Conn_T conn);

/* --- Timers ---------------------------------------------------------------- */

/**
 * @brief Milliseconds until the connection's next deadline: SETTINGS ACK
 *        (settings_timeout_ms), PING ACK (ping_timeout_ms), idle
 *        (idle_timeout_ms), keepalive (SocketHTTP2Ext_Conn_set_keepalive())
 *        and zero-window stalls. Call SocketHTTP2_Conn_process() (events 0
 *        is fine) when it has passed: that is where deadlines fire, with or
 *        without input. Recompute after every call into the connection.
 * @return ms to wait (0 = due now), or -1 when no deadline is armed or
 *         the connection has failed.
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_next_timeout_ms (SocketHTTP2_Conn_T conn);

/**
 * @brief Keepalive: once no frame has arrived for @p idle_ms, queue a
 *        PING (one per silent period; any input, such as its ACK, restarts
 *        the period). Combined with config.ping_timeout_ms, a peer that
 *        does not answer in time ends the connection (GOAWAY NO_ERROR), as
 *        a lost TCP peer would otherwise go unnoticed. @p idle_ms <= 0
 *        turns it off (the default).
 */
extern SOCKET_API void SocketHTTP2Ext_Conn_set_keepalive (SocketHTTP2_Conn_T conn, int idle_ms);

/* --- Error codes of resets and GOAWAY ------------------------------------ */

/** How a stream was reset (SocketHTTP2Ext_Stream_reset_info()). */
#define SOCKETHTTP2EXT_RESET_NONE 0     /**< not reset (open, or ended cleanly) */
#define SOCKETHTTP2EXT_RESET_RECEIVED 1 /**< the peer sent RST_STREAM */
#define SOCKETHTTP2EXT_RESET_SENT 2     /**< we reset it: a stream error the peer
                                             caused, SocketHTTP2_Stream_close(),
                                             or a zero-window stall (CANCEL); an
                                             idle stream is closed without a frame */
#define SOCKETHTTP2EXT_RESET_GOAWAY 3   /**< ours, above the last-stream-id of the
                                             peer's GOAWAY: never processed, safe
                                             to retry on a new connection */
#define SOCKETHTTP2EXT_RESET_LOCAL 4    /**< closed by us without RST_STREAM:
                                             SocketHTTP2_Conn_free() (CANCEL), an
                                             idle stream that can no longer open
                                             (REFUSED_STREAM), a push we could not
                                             queue (INTERNAL_ERROR) */

/**
 * @brief Why a stream ended with HTTP2_EVENT_STREAM_RESET.
 * @param code receives the error code: the RST_STREAM code received or
 *        sent; for SOCKETHTTP2EXT_RESET_GOAWAY the GOAWAY's code; for
 *        SOCKETHTTP2EXT_RESET_LOCAL the one named there; HTTP2_NO_ERROR
 *        when not reset. May be NULL.
 * @return one of the SOCKETHTTP2EXT_RESET_* values. Valid as long as the
 *         stream handle is (see "Stream lifetime" in SocketHTTP2.h), so
 *         call it from the STREAM_RESET callback at the latest.
 */
extern SOCKET_API int SocketHTTP2Ext_Stream_reset_info (SocketHTTP2_Stream_T stream, uint32_t *code);

/**
 * @brief The GOAWAY the peer sent, if any.
 * @param last_stream_id receives the lowest last-stream-id of the GOAWAYs
 *        received (a later one may only lower it, RFC 9113 §6.8).
 * @param code receives the error code of the most recent one.
 * @param debug,debug_len receive its debug data (NULL and 0 when none);
 *        at most the first 4096 bytes are kept. The pointer is valid
 *        until the next call that takes input (SocketHTTP2_Conn_process(),
 *        SocketHTTP2Ext_Conn_input()) or SocketHTTP2_Conn_free().
 *        Any out-parameter may be NULL.
 * @return 1 a GOAWAY was received (outputs set), 0 none (outputs untouched).
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_goaway_received (SocketHTTP2_Conn_T conn, uint32_t *last_stream_id,
                                                           uint32_t *code, const unsigned char **debug,
                                                           size_t *debug_len);

/**
 * @brief The GOAWAY we sent, if any: by SocketHTTP2_Conn_goaway() or for a
 *        connection error the peer caused.
 * @param last_stream_id,code receive the fields of the most recent one
 *        (NULL allowed).
 * @return 1 a GOAWAY was sent (queued), 0 none.
 */
extern SOCKET_API int SocketHTTP2Ext_Conn_goaway_sent (SocketHTTP2_Conn_T conn, uint32_t *last_stream_id,
                                                       uint32_t *code);

#endif /* SOCKETHTTP2EXT_INCLUDED */
