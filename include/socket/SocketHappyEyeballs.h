/**
 * @file SocketHappyEyeballs.h
 * @brief Happy Eyeballs v2 (RFC 8305): race TCP connects over the addresses
 *        of a dual-stack host and keep the first that connects.
 *
 * The addresses of @p host (AAAA and A) are ordered as RFC 8305 section 4
 * asks: the preferred family first (IPv6 unless prefer_ipv6 is 0), then the
 * families interleaved one by one. The first attempt starts at once; each
 * next one starts first_attempt_delay_ms after the previous one started, or
 * at once when an attempt fails, with at most max_attempts in flight. The
 * first attempt to connect wins; every other attempt is closed.
 *
 * Two ways to use it:
 * - SocketHappyEyeballs_connect(): blocking, returns the connected socket.
 * - SocketHappyEyeballs_start() + _process() from an event loop, driven by
 *   SocketHappyEyeballs_next_timeout_ms() and readiness on the caller's
 *   SocketPoll; SocketHappyEyeballs_result() hands over the winner.
 *
 * Configuration: a field set to 0 takes its default (see
 * SocketHappyEyeballs_config_defaults()), except prefer_ipv6, where 0 means
 * IPv4 first. A negative attempt_timeout_ms or total_timeout_ms disables
 * that timeout; a negative first_attempt_delay_ms starts the next attempt
 * without delay.
 *
 * Thread-safety: SocketHappyEyeballs_connect() and
 * SocketHappyEyeballs_config_defaults() are thread-safe. A context
 * (SocketHE_T) is driven by one thread at a time.
 */
#ifndef SOCKETHAPPYEYEBALLS_INCLUDED
#define SOCKETHAPPYEYEBALLS_INCLUDED

#include "core/Except.h"
#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

typedef struct SocketHE_T *SocketHE_T;

/** State of an asynchronous Happy Eyeballs operation. */
typedef enum
{
  HE_STATE_IDLE = 0,       /**< created, resolution not started */
  HE_STATE_RESOLVING = 1,  /**< waiting for the addresses */
  HE_STATE_CONNECTING = 2, /**< connection attempts in flight */
  HE_STATE_CONNECTED = 3,  /**< an attempt won; see _result() */
  HE_STATE_FAILED = 4,     /**< see SocketHappyEyeballs_error() */
  HE_STATE_CANCELLED = 5   /**< SocketHappyEyeballs_cancel() was called */
} SocketHE_State;

/** Configuration; 0 = default for every field except prefer_ipv6. */
typedef struct SocketHE_Config
{
  int first_attempt_delay_ms; /**< Connection Attempt Delay before the next
                                   attempt starts (default 250 ms, RFC 8305
                                   section 5); < 0 = none */
  int attempt_timeout_ms;     /**< per-attempt timeout (default 5000 ms);
                                   < 0 = none */
  int total_timeout_ms;       /**< whole operation including resolution
                                   (default 30000 ms); < 0 = none */
  int prefer_ipv6;            /**< 1 = IPv6 first (default), 0 = IPv4 first */
  int max_attempts;           /**< maximum simultaneous attempts
                                   (default 2) */
} SocketHE_Config_T;

/** RFC 8305 recommended Connection Attempt Delay (ms). */
#ifndef SOCKET_HE_DEFAULT_FIRST_ATTEMPT_DELAY_MS
#define SOCKET_HE_DEFAULT_FIRST_ATTEMPT_DELAY_MS 250
#endif
/** Default per-attempt connect timeout (ms). */
#ifndef SOCKET_HE_DEFAULT_ATTEMPT_TIMEOUT_MS
#define SOCKET_HE_DEFAULT_ATTEMPT_TIMEOUT_MS 5000
#endif
/** Default total timeout, resolution included (ms). */
#ifndef SOCKET_HE_DEFAULT_TOTAL_TIMEOUT_MS
#define SOCKET_HE_DEFAULT_TOTAL_TIMEOUT_MS 30000
#endif
/** Default maximum number of simultaneous attempts. */
#ifndef SOCKET_HE_DEFAULT_MAX_ATTEMPTS
#define SOCKET_HE_DEFAULT_MAX_ATTEMPTS 2
#endif
/** Longest wait of one step of the blocking connect loop (ms). */
#ifndef SOCKET_HE_SYNC_POLL_INTERVAL_MS
#define SOCKET_HE_SYNC_POLL_INTERVAL_MS 50
#endif
/** Size of a buffer holding a decimal port number. */
#ifndef SOCKET_HE_PORT_STR_SIZE
#define SOCKET_HE_PORT_STR_SIZE 8
#endif

/** Raised when a connection cannot be established (reason in the message). */
extern SOCKET_API const Except_T SocketHE_Failed;

/**
 * @brief Resolve @p host and race connects to @p port; block until one
 *        connects, every address failed, or total_timeout_ms passed.
 *        Resolution goes through the library's shared resolver (bounded by
 *        the total timeout); address literals are used without a lookup.
 * @param host name or address literal (borrowed, non-NULL).
 * @param port 1..65535.
 * @param config borrowed; NULL = defaults.
 * @return a connected socket in blocking mode, owned by the caller
 *         (Socket_free()).
 * @throws SocketHE_Failed: resolution failed, every attempt failed, or the
 *         total timeout passed; invalid arguments.
 * Thread-safe.
 */
extern SOCKET_API Socket_T SocketHappyEyeballs_connect (const char *host, int port, const SocketHE_Config_T *config);

/**
 * @brief Start an asynchronous connect. Resolution starts at once on
 *        @p dns (address literals are used without a lookup); the context
 *        is returned in HE_STATE_RESOLVING. Each attempt socket is added to
 *        @p poll for POLL_WRITE (user data: an internal pointer) while it is
 *        in flight, as is a duplicate of the resolver's descriptor while
 *        resolving, so the caller's SocketPoll_wait() wakes when there is
 *        work for SocketHappyEyeballs_process().
 * @param dns borrowed resolver; must outlive the context.
 * @param poll borrowed; must outlive the context.
 * @param host copied; @p port 1..65535; @p config copied, NULL = defaults.
 * @return a context owned by the caller (SocketHappyEyeballs_free()).
 * @throws SocketHE_Failed for invalid arguments, allocation failure, or
 *         when the resolution cannot be started ("Failed to start DNS
 *         resolution").
 */
extern SOCKET_API SocketHE_T SocketHappyEyeballs_start (SocketDNS_T dns, SocketPoll_T poll, const char *host, int port,
                                                        const SocketHE_Config_T *config);

/** @brief 1 when the operation is over (CONNECTED, FAILED or CANCELLED),
 *         else 0. Never raises. */
extern SOCKET_API int SocketHappyEyeballs_poll (SocketHE_T he);

/**
 * @brief Advance the operation: take the resolver's answer, check the
 *        attempts (with a zero-timeout poll(2) of their own, so it may be
 *        called without a readiness event), apply the attempt and total
 *        timeouts and start the next attempt when due. No-op once the
 *        operation is over. Never raises: failures move the context to
 *        HE_STATE_FAILED.
 */
extern SOCKET_API void SocketHappyEyeballs_process (SocketHE_T he);

/**
 * @brief Hand over the winning socket (blocking mode, connected). Returns
 *        it once, in HE_STATE_CONNECTED; NULL otherwise and on later calls.
 *        The caller owns the socket (Socket_free()).
 */
extern SOCKET_API Socket_T SocketHappyEyeballs_result (SocketHE_T he);

/** @brief Stop: cancel the lookup, close every attempt, state
 *         HE_STATE_CANCELLED. No-op once the operation is over. */
extern SOCKET_API void SocketHappyEyeballs_cancel (SocketHE_T he);

/** @brief Cancel if still running, free the context and everything it owns
 *         (a winner not taken with _result() is closed), set *he to NULL.
 *         NULL or *he NULL: no-op. */
extern SOCKET_API void SocketHappyEyeballs_free (SocketHE_T *he);

/** @brief Current state (HE_STATE_IDLE for NULL). */
extern SOCKET_API SocketHE_State SocketHappyEyeballs_state (SocketHE_T he);

/** @brief Failure message in HE_STATE_FAILED ("Unknown error" if none),
 *         NULL in every other state. Owned by the context, valid until the
 *         next call on it or its free. */
extern SOCKET_API const char *SocketHappyEyeballs_error (SocketHE_T he);

/** @brief Fill @p config (non-NULL) with the defaults: delay 250 ms, attempt
 *         timeout 5000 ms, total 30000 ms, prefer_ipv6 1, max_attempts 2.
 *         Thread-safe. */
extern SOCKET_API void SocketHappyEyeballs_config_defaults (SocketHE_Config_T *config);

/**
 * @brief Milliseconds until SocketHappyEyeballs_process() has timed work to
 *        do (next attempt, attempt timeout, total timeout), 0 if it is due
 *        now, -1 if there is none or the operation is over. Use it as the
 *        SocketPoll_wait() timeout.
 */
extern SOCKET_API int SocketHappyEyeballs_next_timeout_ms (SocketHE_T he);

#endif /* SOCKETHAPPYEYEBALLS_INCLUDED */
