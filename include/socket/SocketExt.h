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
#include <stdint.h>

#include "socket/SocketDgram.h"
#include "socket/SocketReconnect.h"

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

/* --- SocketReconnect ---------------------------------------------------- */

/**
 * @brief Clock of a reconnect context: milliseconds on a monotonic scale.
 * @param userdata the pointer given to SocketExt_reconnect_set_clock().
 */
typedef int64_t (*SocketExt_ReconnectClock) (void *userdata);

/**
 * @brief Replace the clock a reconnect context reads for its backoff,
 * circuit and health-check timers (default: Socket_get_monotonic_ms()).
 *
 * A test hook, and a way to drive the state machine from a loop with its
 * own notion of time. Set it before SocketReconnect_connect(): deadlines
 * already computed keep the old clock's scale.
 *
 * @param conn     the context.
 * @param clock    the new clock; NULL restores the default.
 * @param userdata passed to @p clock (borrowed; must outlive its use).
 * Raises: SocketReconnect_Failed (NULL @p conn).
 * Thread-safety: as the context (one thread).
 */
extern SOCKET_API void SocketExt_reconnect_set_clock (SocketReconnect_T conn,
                                                      SocketExt_ReconnectClock clock,
                                                      void *userdata);

/**
 * @brief The backoff delay SocketReconnect uses, as a pure function.
 *
 * delay = initial_delay_ms x multiplier^attempts, capped at max_delay_ms,
 * then offset by (2 x @p unit - 1) x jitter x delay
 * (so @p unit 0.5 means no jitter; the result may exceed the cap), at
 * least 1 ms and at most INT_MAX. NaN or infinite intermediate values are
 * clamped, never undefined behaviour.
 *
 * @param policy   the policy (borrowed); NULL means the defaults.
 * @param attempts attempts made so far in this cycle (< 0 counts as 0).
 * @param unit     a random number in [0, 1] (clamped).
 * @return the delay in milliseconds, >= 1.
 * Raises: nothing. Thread-safe.
 */
extern SOCKET_API int
SocketExt_reconnect_backoff_ms (const SocketReconnect_Policy_T *policy,
                                int attempts, double unit);

#endif /* SOCKETEXT_INCLUDED */
