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

#endif /* SOCKETHTTP2EXT_INCLUDED */
