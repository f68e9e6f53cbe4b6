/**
 * @file SocketExt.h
 * @brief Extensions to the socket module that the original API lacks.
 *
 * Kept outside Socket.h/SocketDgram.h so those headers (and the ABI they
 * describe) stay exactly the original. The Go bindings use these calls;
 * they are ordinary library functions, usable and tested from C.
 *
 * Thread-safety: as the object they take (one thread per socket).
 */
#ifndef SOCKETEXT_INCLUDED
#define SOCKETEXT_INCLUDED

#include <stddef.h>
#include <sys/types.h>

#include "core/SocketConfig.h"
#include "socket/SocketDgram.h"

/**
 * @brief SocketDgram_sendto() with a caller-chosen payload limit.
 *
 * SocketDgram_sendto() refuses datagrams above SAFE_UDP_SIZE (1472 bytes,
 * no IP fragmentation on Ethernet). This call accepts up to @p limit bytes,
 * as package net's WriteTo does (up to the UDP maximum).
 *
 * @param socket  the datagram socket (borrowed).
 * @param buf     payload, @p len bytes (borrowed for the call).
 * @param len     payload size; more than @p limit raises.
 * @param host    numeric address or name of the peer (borrowed).
 * @param port    peer port, 1..65535.
 * @param limit   largest payload accepted; 0 or more than UDP_MAX_PAYLOAD
 *                means UDP_MAX_PAYLOAD (65507).
 * @return bytes sent, or 0 when the socket is non-blocking and would block.
 * Raises: SocketDgram_Failed (size above @p limit, resolution or send
 *         failure; errno kept in Socket_geterrno()).
 */
extern SOCKET_API ssize_t SocketExt_dgram_sendto (SocketDgram_T socket,
                                                  const void *buf, size_t len,
                                                  const char *host, int port,
                                                  size_t limit);

#endif /* SOCKETEXT_INCLUDED */
