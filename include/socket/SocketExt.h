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

/**
 * @brief Let the caller make the connections of a reconnect context.
 *
 * In external mode the context is a pure state machine: an attempt
 * (SocketReconnect_connect, a due BACKOFF or CIRCUIT_OPEN in
 * SocketReconnect_tick) only moves to CONNECTING and counts the attempt;
 * the caller then dials by its own means (e.g. Go's poller) and reports
 * the outcome with SocketExt_reconnect_report(). The context owns no
 * socket: SocketReconnect_socket() is NULL, pollfd -1, send/recv return
 * -1/ENOTCONN, process() does nothing, and health checks are the caller's
 * (next_timeout_ms is -1 in CONNECTED). Backoff, jitter, max_attempts,
 * the circuit breaker and the state callback work as usual.
 *
 * @param conn   the context, in DISCONNECTED without a socket.
 * @param enable non-zero for external mode, 0 for the normal mode.
 * Raises: SocketReconnect_Failed (NULL @p conn, or not DISCONNECTED).
 * Thread-safety: as the context (one thread).
 */
extern SOCKET_API void SocketExt_reconnect_set_external (SocketReconnect_T conn,
                                                         int enable);

/**
 * @brief Report the outcome of the pending external attempt.
 * @param conn      the context, external mode, in CONNECTING.
 * @param connected non-zero: CONNECTED (attempts and failures cleared);
 *                  0: the failure path (BACKOFF, CIRCUIT_OPEN or
 *                  DISCONNECTED once max_attempts are used up).
 * @param err       errno of the failure, kept as the stored error
 *                  (<= 0: ECONNREFUSED).
 * Raises: SocketReconnect_Failed (NULL @p conn, not external, no attempt
 *         pending).
 */
extern SOCKET_API void SocketExt_reconnect_report (SocketReconnect_T conn,
                                                   int connected, int err);

/**
 * @brief Report that the established connection broke (I/O error, EOF,
 * failed health check): runs the failure path as a lost connection does
 * in the normal mode. Usable in both modes (normal mode: the socket is
 * closed).
 * @param err errno of the failure (<= 0: ECONNRESET).
 * @return 1 if the context was CONNECTED and left it, 0 otherwise (no-op:
 *         a late report after a disconnect is harmless).
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API int SocketExt_reconnect_lost (SocketReconnect_T conn,
                                                int err);

#endif /* SOCKETEXT_INCLUDED */
