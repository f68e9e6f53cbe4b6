/**
 * @file SocketReconnect.h
 * @brief A TCP client connection that reconnects by itself: exponential
 *        backoff with jitter, a circuit breaker and periodic health checks.
 *
 * A context owns one Socket_T at a time. It is stepped from the caller's
 * event loop and never blocks it while connecting (hostname resolution for
 * a name that is not a numeric address is synchronous):
 *
 * @code
 *   SocketReconnect_connect (conn);
 *   while (running)
 *     {
 *       struct pollfd pfd = { SocketReconnect_pollfd (conn),
 *                             POLLIN | POLLOUT, 0 };
 *       poll (&pfd, pfd.fd >= 0, SocketReconnect_next_timeout_ms (conn));
 *       SocketReconnect_process (conn);   // completes a pending connect
 *       SocketReconnect_tick (conn);      // backoff, circuit and health timers
 *     }
 * @endcode
 *
 * States: DISCONNECTED (idle or given up) -> CONNECTING -> CONNECTED; a
 * failed attempt or a lost connection goes to BACKOFF (retry after a
 * delay), CIRCUIT_OPEN (too many consecutive failures: one probe attempt
 * after circuit_reset_timeout_ms) or DISCONNECTED (max_attempts used up).
 * The state callback runs synchronously inside the call that changes the
 * state, only when it actually changes.
 *
 * Errors: misuse (NULL context, NULL host, port outside 1..65535, NULL
 * buffer) raises SocketReconnect_Failed. Network failures never raise:
 * they drive the state machine.
 *
 * Thread-safety: SocketReconnect_new, SocketReconnect_policy_defaults and
 * SocketReconnect_state_name are thread-safe; every call taking a context
 * must come from one thread at a time.
 */
#ifndef SOCKETRECONNECT_INCLUDED
#define SOCKETRECONNECT_INCLUDED

#include <stddef.h>
#include <sys/types.h>

#include "core/Except.h"
#include "core/SocketConfig.h"
#include "socket/Socket.h"

/** Default first backoff step in milliseconds. */
#define SOCKET_RECONNECT_DEFAULT_INITIAL_DELAY_MS 100
/** Default cap of the backoff delay (before jitter) in milliseconds. */
#define SOCKET_RECONNECT_DEFAULT_MAX_DELAY_MS 30000
/** Default growth factor of the backoff delay per attempt. */
#define SOCKET_RECONNECT_DEFAULT_MULTIPLIER 2.0
/** Default random spread: the delay varies by +/- jitter x delay. */
#define SOCKET_RECONNECT_DEFAULT_JITTER 0.25
/** Default attempts per cycle before giving up (0 = unlimited). */
#define SOCKET_RECONNECT_DEFAULT_MAX_ATTEMPTS 10
/** Default consecutive failures that open the circuit. */
#define SOCKET_RECONNECT_DEFAULT_CIRCUIT_THRESHOLD 5
/** Default time the circuit stays open before a probe, in milliseconds. */
#define SOCKET_RECONNECT_DEFAULT_CIRCUIT_RESET_MS 60000
/** Default health-check period in milliseconds (0 = no checks). */
#define SOCKET_RECONNECT_DEFAULT_HEALTH_INTERVAL_MS 30000
/** Default health-check timeout in milliseconds (kept, not used). */
#define SOCKET_RECONNECT_DEFAULT_HEALTH_TIMEOUT_MS 5000

/** Opaque reconnecting connection. */
typedef struct SocketReconnect_T *SocketReconnect_T;

/** Connection states (values are ABI). */
typedef enum
{
  RECONNECT_DISCONNECTED = 0, /**< idle, or gave up after max_attempts */
  RECONNECT_CONNECTING = 1,   /**< a non-blocking connect is pending */
  RECONNECT_CONNECTED = 2,    /**< socket usable */
  RECONNECT_BACKOFF = 3,      /**< waiting before the next attempt */
  RECONNECT_CIRCUIT_OPEN = 4  /**< too many failures; probe after a while */
} SocketReconnect_State;

/**
 * Reconnection policy, copied by SocketReconnect_new (not validated).
 * Fill it with SocketReconnect_policy_defaults() and change what you need.
 */
typedef struct SocketReconnect_Policy
{
  int initial_delay_ms;          /**< first backoff step */
  int max_delay_ms;              /**< cap before jitter (<= 0: 1 ms delays) */
  double multiplier;             /**< growth per attempt */
  double jitter;                 /**< 0..1: +/- jitter x delay at random */
  int max_attempts;              /**< per cycle; 0 = unlimited */
  int circuit_failure_threshold; /**< consecutive failures that open it */
  int circuit_reset_timeout_ms;  /**< open time before the half-open probe */
  int health_check_interval_ms;  /**< 0 = no periodic checks */
  int health_check_timeout_ms;   /**< not used (kept for the ABI) */
} SocketReconnect_Policy_T;

/**
 * State-change notification: @p old_state -> @p new_state, with the
 * userdata given to SocketReconnect_new. Runs inside the call that changed
 * the state; it may call any function on @p conn except SocketReconnect_free.
 */
typedef void (*SocketReconnect_Callback) (SocketReconnect_T conn,
                                          SocketReconnect_State old_state,
                                          SocketReconnect_State new_state,
                                          void *userdata);

/**
 * Health check run by SocketReconnect_tick while CONNECTED, every
 * health_check_interval_ms. @p socket is borrowed. Return 1 when healthy,
 * 0 to drop the connection and reconnect.
 */
typedef int (*SocketReconnect_HealthCheck) (SocketReconnect_T conn,
                                            Socket_T socket, void *userdata);

/** Misuse of the API, or allocation failure. */
extern SOCKET_API const Except_T SocketReconnect_Failed;

/**
 * @brief Create a context in DISCONNECTED; no connection is started.
 * @param host     name or numeric address (IPv4; a numeric IPv6 address
 *                 uses AF_INET6), at most 255 bytes; copied.
 * @param port     1..65535.
 * @param policy   copied; NULL means SocketReconnect_policy_defaults().
 * @param callback state-change callback, or NULL.
 * @param userdata passed to the callback and to the health check (borrowed).
 * @return a new context (owned by the caller; SocketReconnect_free).
 * Raises: SocketReconnect_Failed (NULL/long host, bad port, no memory).
 * Thread-safe.
 */
extern SOCKET_API SocketReconnect_T
SocketReconnect_new (const char *host, int port,
                     const SocketReconnect_Policy_T *policy,
                     SocketReconnect_Callback callback, void *userdata);

/**
 * @brief Close the socket, free the context and set *@p conn to NULL.
 * NULL or *conn == NULL: no-op. Not from inside the state callback.
 */
extern SOCKET_API void SocketReconnect_free (SocketReconnect_T *conn);

/**
 * @brief Start connecting (only in DISCONNECTED; a no-op otherwise).
 *
 * Goes to CONNECTING and starts a non-blocking connect. An immediate
 * success reaches CONNECTED and an immediate failure BACKOFF, CIRCUIT_OPEN
 * or DISCONNECTED within this call. Once max_attempts are used up it does
 * not try again (each call counts one more failure) until
 * SocketReconnect_reset() or SocketReconnect_disconnect().
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API void SocketReconnect_connect (SocketReconnect_T conn);

/**
 * @brief Close the socket, zero the attempt counter, go to DISCONNECTED.
 * Consecutive failures and the circuit are kept.
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API void SocketReconnect_disconnect (SocketReconnect_T conn);

/**
 * @brief Zero attempts and consecutive failures, close the circuit and
 * clear the stored error. State and socket are unchanged; no callback.
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API void SocketReconnect_reset (SocketReconnect_T conn);

/**
 * @brief The connected socket (borrowed: do not close or free it; replaced
 * on every reconnect), or NULL unless CONNECTED.
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API Socket_T SocketReconnect_socket (SocketReconnect_T conn);

/** @brief Current state. Raises: SocketReconnect_Failed (NULL @p conn). */
extern SOCKET_API SocketReconnect_State
SocketReconnect_state (SocketReconnect_T conn);

/** @brief 1 if CONNECTED, else 0. Raises: SocketReconnect_Failed (NULL). */
extern SOCKET_API int SocketReconnect_isconnected (SocketReconnect_T conn);

/**
 * @brief Attempts started since the last success, reset or disconnect.
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API int SocketReconnect_attempts (SocketReconnect_T conn);

/**
 * @brief Consecutive failures (cleared by a success or a reset, not by a
 * disconnect). Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API int SocketReconnect_failures (SocketReconnect_T conn);

/**
 * @brief The socket's fd while one exists (CONNECTING: poll for POLLOUT;
 * CONNECTED: POLLIN), else -1. Raises: SocketReconnect_Failed (NULL).
 */
extern SOCKET_API int SocketReconnect_pollfd (SocketReconnect_T conn);

/**
 * @brief Handle socket events without blocking.
 *
 * CONNECTING: completes the pending connect (success: CONNECTED, the
 * socket switched to blocking mode; failure: BACKOFF, CIRCUIT_OPEN or
 * DISCONNECTED). CONNECTED: notices a connection the peer closed or reset
 * (hang-up, error, or EOF with no data left) and runs the failure path.
 * Other states: nothing. Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API void SocketReconnect_process (SocketReconnect_T conn);

/**
 * @brief Milliseconds until tick() has something to do: BACKOFF -> the
 * retry, CIRCUIT_OPEN -> the probe, CONNECTED with health checks -> the
 * next check, CONNECTING -> the end of the pending-connect bound (the
 * process-wide default connect timeout, Socket_timeouts_getdefaults());
 * 0 if already due; -1 otherwise (no timer).
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API int SocketReconnect_next_timeout_ms (SocketReconnect_T conn);

/**
 * @brief Run due timers: a due BACKOFF starts an attempt; a CIRCUIT_OPEN
 * past circuit_reset_timeout_ms starts the half-open probe; a due health
 * check in CONNECTED runs and, if unhealthy, closes the socket and runs
 * the failure path; a connect still pending after the default connect
 * timeout is abandoned as a failed attempt (ETIMEDOUT). Never blocks.
 * Raises: SocketReconnect_Failed (NULL).
 */
extern SOCKET_API void SocketReconnect_tick (SocketReconnect_T conn);

/**
 * @brief Install a health check; NULL restores the built-in one
 * (zero-timeout poll: hang-up, error or a peeked EOF is unhealthy).
 * Raises: SocketReconnect_Failed (NULL @p conn).
 */
extern SOCKET_API void
SocketReconnect_set_health_check (SocketReconnect_T conn,
                                  SocketReconnect_HealthCheck check);

/**
 * @brief Fill @p policy with the SOCKET_RECONNECT_DEFAULT_* values.
 * Raises: SocketReconnect_Failed (NULL @p policy). Thread-safe.
 */
extern SOCKET_API void
SocketReconnect_policy_defaults (SocketReconnect_Policy_T *policy);

/**
 * @brief Send up to @p len bytes on the current connection.
 * @param buf borrowed for the call; NULL only with @p len 0.
 * @return bytes sent; 0 if it would block (or @p len is 0); -1 with errno
 * ENOTCONN when not CONNECTED, or after a send error or peer close, in
 * which case the socket is closed and the failure path has run.
 * Raises: SocketReconnect_Failed (NULL @p conn, NULL @p buf with len > 0).
 */
extern SOCKET_API ssize_t SocketReconnect_send (SocketReconnect_T conn,
                                                const void *buf, size_t len);

/**
 * @brief Receive up to @p len bytes (blocks unless the socket was made
 * non-blocking: a connected socket is in blocking mode).
 * @return bytes received; 0 after a receive error or EOF (socket closed,
 * failure path run), or if a non-blocking socket has no data (errno
 * EAGAIN, still CONNECTED); -1 with errno ENOTCONN when not CONNECTED.
 * Raises: SocketReconnect_Failed (NULL @p conn or @p buf).
 */
extern SOCKET_API ssize_t SocketReconnect_recv (SocketReconnect_T conn,
                                                void *buf, size_t len);

/**
 * @brief "DISCONNECTED", "CONNECTING", "CONNECTED", "BACKOFF",
 * "CIRCUIT_OPEN", or "UNKNOWN" for any other value. Static; thread-safe.
 */
extern SOCKET_API const char *
SocketReconnect_state_name (SocketReconnect_State state);

#endif /* SOCKETRECONNECT_INCLUDED */
