/**
 * @file SocketPool.h
 * @brief A bounded pool of server/client connections: O(1) lookup by
 *        socket, per-connection I/O buffers, connection-rate and per-IP
 *        limits, SYN-flood protection on accept, optional auto-reconnect
 *        per connection, and a graceful drain (RUNNING -> DRAINING ->
 *        STOPPED).
 *
 * Ownership: the pool never owns the sockets it holds, except where a
 * function says it closes and frees them (SocketPool_cleanup, shrinking
 * SocketPool_resize, forced drain). A caller that frees a pooled socket
 * itself must SocketPool_remove() it first.
 *
 * Typical server loop:
 * @code
 *   SocketPool_T pool = SocketPool_new (arena, 1000, 8192);
 *   SocketPool_setconnrate (pool, 100, 50);
 *   SocketPool_setmaxperip (pool, 10);
 *   Socket_T client = SocketPool_accept_limited (pool, server);
 *   if (client != NULL)
 *     SocketPool_add (pool, client);   // add consumes no second token
 *   ...
 *   SocketPool_drain (pool, 30000);    // on shutdown
 *   while (SocketPool_drain_poll (pool) > 0)
 *     serve_remaining ();
 * @endcode
 *
 * Thread-safety: every SocketPool_* function taking a pool locks one
 * internal, non-recursive mutex (SocketPool_free excepted: it must not race
 * with anything). Connection_* accessors take no lock; Connection_setdata
 * needs the caller's synchronisation.
 */
#ifndef SOCKETPOOL_INCLUDED
#define SOCKETPOOL_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketConfig.h"
#include "core/SocketSYNProtect.h"
#include "dns/SocketDNS.h"
#include "socket/Socket.h"
#include "socket/SocketBuf.h"
#include "socket/SocketReconnect.h"

/** Opaque pool. */
typedef struct SocketPool_T *SocketPool_T;

/** A pool slot holding one socket (owned by the pool; borrowed by callers). */
typedef struct Connection *Connection_T;

/**
 * Completion of SocketPool_connect_async. Runs on a DNS worker thread
 * without the pool lock held (it may call pool functions).
 * @param conn  the pooled connection on success, NULL on failure.
 * @param error 0, an EAI_* resolver code, ENOSPC (pool refused the
 *              connection) or the connect errno.
 */
typedef void (*SocketPool_ConnectCallback) (Connection_T conn, int error,
                                            void *data);

/** Lifecycle of a pool (values are ABI). STOPPED is terminal. */
typedef enum
{
  POOL_STATE_RUNNING = 0,  /**< accepting connections */
  POOL_STATE_DRAINING = 1, /**< refusing new ones, waiting for the rest */
  POOL_STATE_STOPPED = 2   /**< empty and closed for good */
} SocketPool_State;

/** Health as a load balancer would see it (values are ABI). */
typedef enum
{
  POOL_HEALTH_HEALTHY = 0,  /**< RUNNING */
  POOL_HEALTH_DRAINING = 1, /**< DRAINING */
  POOL_HEALTH_STOPPED = 2   /**< STOPPED */
} SocketPool_Health;

/**
 * Runs once, when the pool reaches STOPPED, on the thread that caused the
 * transition and outside the pool lock.
 * @param timed_out 1 if remaining connections were force-closed, else 0.
 */
typedef void (*SocketPool_DrainCallback) (SocketPool_T pool, int timed_out,
                                          void *data);

/** Invalid arguments, allocation or mutex failure, clock failure. */
extern SOCKET_API const Except_T SocketPool_Failed;

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

/**
 * @brief Create a RUNNING pool with every limit disabled.
 * @param arena   borrowed; holds the pool, its hash table and buffers
 *                (they live until the arena is disposed).
 * @param maxconns 1..SOCKET_MAX_CONNECTIONS.
 * @param bufsize  SOCKET_MIN_BUFFER_SIZE..SOCKET_MAX_BUFFER_SIZE bytes per
 *                 direction per connection. Buffers for
 *                 SOCKET_POOL_DEFAULT_PREWARM_PCT % of the slots are
 *                 allocated now.
 * @return the pool, never NULL; release with SocketPool_free().
 * @throws SocketPool_Failed for a NULL arena, out-of-range values,
 *         allocation or mutex failure; Arena_Failed from the arena.
 */
extern SOCKET_API SocketPool_T SocketPool_new (Arena_T arena, size_t maxconns,
                                               size_t bufsize);

/**
 * @brief Create an IPv4 non-blocking socket and start resolving @p host
 *        with @p dns in poll mode; the pool is not modified.
 *
 * Complete with SocketDNS_getresult() + Socket_connect_with_addrinfo(),
 * then SocketPool_add(); free the socket on failure or cancel.
 * @param out_socket receives the socket (caller-owned).
 * @param out_req    receives the request (owned by @p dns).
 * @return 0 on success, -1 if the lookup could not be started (the socket
 *         is then freed and both outputs are NULL).
 * @throws SocketPool_Failed for NULL arguments or a port outside 0..65535;
 *         Socket_Failed from socket creation.
 */
extern SOCKET_API int SocketPool_prepare_connection (
    SocketPool_T pool, SocketDNS_T dns, const char *host, int port,
    Socket_T *out_socket, SocketDNS_Request_T *out_req);

/**
 * @brief Free the pool; sets *pool to NULL. NULL or *NULL: no-op.
 *
 * Pooled sockets are NOT closed (the caller owns them). Freed: the internal
 * resolver of SocketPool_connect_async (pending connects are abandoned and
 * their sockets freed; their callbacks never run), reconnect contexts and
 * the slot array. Must not race with any other call on the pool.
 */
extern SOCKET_API void SocketPool_free (SocketPool_T *pool);

/**
 * @brief Resolve and connect to @p host:@p port in the background and add
 *        the connection to the pool.
 * @param callback may be NULL (the connection is still pooled); see
 *                 SocketPool_ConnectCallback for where and how it runs.
 * @return the DNS request (owned by the pool's resolver; do not free).
 * @throws SocketPool_Failed for NULL pool/host, a port outside 0..65535,
 *         SOCKET_POOL_MAX_ASYNC_PENDING connects already pending, or when
 *         the resolver cannot be created; Socket_Failed and SocketDNS_Failed
 *         unchanged. Nothing is left pending after a raise.
 */
extern SOCKET_API SocketDNS_Request_T
SocketPool_connect_async (SocketPool_T pool, const char *host, int port,
                          SocketPool_ConnectCallback callback, void *data);

/* ------------------------------------------------------------------ */
/* Connections                                                        */
/* ------------------------------------------------------------------ */

/**
 * @brief Look up the connection holding @p socket (O(1)) and refresh its
 *        last-activity time.
 * @return the connection, or NULL if @p socket is not pooled.
 * @throws SocketPool_Failed if the clock cannot be read.
 */
extern SOCKET_API Connection_T SocketPool_get (SocketPool_T pool,
                                               Socket_T socket);

/**
 * @brief Put @p socket (borrowed; the caller still owns it) in a free slot.
 *
 * Rate and per-IP limits are not applied here: they belong to the accept
 * path (SocketPool_accept_limited), so accept + add costs one token.
 * @return the new connection (data NULL, empty buffers of the current
 *         bufsize); the existing one if @p socket is already pooled; NULL
 *         when the pool is full, DRAINING or STOPPED, or buffers cannot be
 *         allocated.
 * @throws SocketPool_Failed if the clock cannot be read.
 */
extern SOCKET_API Connection_T SocketPool_add (SocketPool_T pool,
                                               Socket_T socket);

/**
 * @brief Accept up to @p max_accepts pending connections from the
 *        non-blocking listener @p server and add them to the pool.
 * @param accepted array of at least @p max_accepts entries; receives the
 *                 new sockets (pooled; the caller owns them).
 * @param max_accepts 1..SOCKET_POOL_MAX_BATCH_ACCEPTS.
 * @return how many were accepted and added (never more than the free slots
 *         at entry); 0 for NULL arguments or an out-of-range count. Stops
 *         at the first would-block or accept error; a socket the pool
 *         refuses is closed. Limits and SYN protection are not consulted.
 */
extern SOCKET_API int SocketPool_accept_batch (SocketPool_T pool,
                                               Socket_T server,
                                               int max_accepts,
                                               Socket_T *accepted);

/**
 * @brief Take @p socket out of the pool (unknown socket: no-op). The
 *        socket is neither closed nor freed; both buffers are wiped and
 *        kept for the slot's next connection; a reconnect context of the
 *        connection is freed. Per-IP counts are not released (see
 *        SocketPool_release_ip).
 */
extern SOCKET_API void SocketPool_remove (SocketPool_T pool, Socket_T socket);

/**
 * @brief Close, remove and free every connection idle for more than
 *        @p idle_timeout seconds (0 = every connection). Caller-held
 *        Socket_T handles of those connections become dangling.
 * @throws SocketPool_Failed if the clock cannot be read.
 */
extern SOCKET_API void SocketPool_cleanup (SocketPool_T pool,
                                           time_t idle_timeout);

/** @brief Number of active connections. */
extern SOCKET_API size_t SocketPool_count (SocketPool_T pool);

/**
 * @brief Change the capacity to @p new_maxconns (clamped to
 *        1..SOCKET_MAX_CONNECTIONS). Shrinking below the active count
 *        closes and frees the excess connections (lowest slots first);
 *        the others are kept in the smaller pool. Connection_T pointers
 *        obtained earlier are invalid afterwards.
 * @throws SocketPool_Failed on allocation failure (pool unchanged).
 */
extern SOCKET_API void SocketPool_resize (SocketPool_T pool,
                                          size_t new_maxconns);

/**
 * @brief Allocate buffers ahead of time for up to maxconns x
 *        @p percentage / 100 free slots that have none (0..100).
 *        Allocation failures are ignored.
 */
extern SOCKET_API void SocketPool_prewarm (SocketPool_T pool, int percentage);

/**
 * @brief Size of buffers allocated from now on (clamped to
 *        SOCKET_MIN_BUFFER_SIZE..SOCKET_MAX_BUFFER_SIZE); existing buffers
 *        keep their size.
 */
extern SOCKET_API void SocketPool_set_bufsize (SocketPool_T pool,
                                               size_t new_bufsize);

/**
 * @brief Call @p func(conn, @p arg) for each active connection in slot
 *        order, with the pool lock held: @p func must not call locking
 *        SocketPool_* functions nor add/remove connections (Connection_*
 *        accessors are fine).
 */
extern SOCKET_API void SocketPool_foreach (SocketPool_T pool,
                                           void (*func) (Connection_T, void *),
                                           void *arg);

/** @brief The connection's socket (the reconnect context's current socket
 *         once it has reconnected). @p conn non-NULL. */
extern SOCKET_API Socket_T Connection_socket (const Connection_T conn);
/** @brief Input buffer (owned by the pool). @p conn non-NULL. */
extern SOCKET_API SocketBuf_T Connection_inbuf (const Connection_T conn);
/** @brief Output buffer (owned by the pool). @p conn non-NULL. */
extern SOCKET_API SocketBuf_T Connection_outbuf (const Connection_T conn);
/** @brief User pointer; NULL for a fresh connection. @p conn non-NULL. */
extern SOCKET_API void *Connection_data (const Connection_T conn);
/** @brief Set the user pointer (reset to NULL on remove). Not locked. */
extern SOCKET_API void Connection_setdata (Connection_T conn, void *data);
/** @brief Last activity, wall-clock seconds. @p conn non-NULL. */
extern SOCKET_API time_t Connection_lastactivity (const Connection_T conn);
/** @brief 1 while the slot holds a pooled socket, else 0. */
extern SOCKET_API int Connection_isactive (const Connection_T conn);

/* ------------------------------------------------------------------ */
/* Auto-reconnect                                                     */
/* ------------------------------------------------------------------ */

/** @brief Policy (copied; NULL = SocketReconnect defaults) for later
 *         SocketPool_enable_reconnect calls. */
extern SOCKET_API void
SocketPool_set_reconnect_policy (SocketPool_T pool,
                                 const SocketReconnect_Policy_T *policy);

/**
 * @brief Give @p conn a SocketReconnect context for @p host:@p port (port
 *        1..65535), replacing any previous one. The context starts
 *        DISCONNECTED: start it with
 *        SocketReconnect_connect(Connection_reconnect(conn)). Once it is
 *        CONNECTED, Connection_socket() returns its socket.
 * @throws SocketReconnect_Failed from the context (e.g. host > 255 bytes);
 *         SocketPool_Failed for NULL arguments, a bad port, or a @p conn
 *         that is not active in this pool.
 */
extern SOCKET_API void SocketPool_enable_reconnect (SocketPool_T pool,
                                                    Connection_T conn,
                                                    const char *host,
                                                    int port);

/** @brief Free @p conn's reconnect context (closing its socket); no-op
 *         without one. */
extern SOCKET_API void SocketPool_disable_reconnect (SocketPool_T pool,
                                                     Connection_T conn);

/** @brief SocketReconnect_process + SocketReconnect_tick for every active
 *         connection with a context (under the pool lock). */
extern SOCKET_API void SocketPool_process_reconnects (SocketPool_T pool);

/** @brief Smallest SocketReconnect_next_timeout_ms over the contexts; -1
 *         if none has a timer pending, 0 if one is due. */
extern SOCKET_API int SocketPool_reconnect_timeout_ms (SocketPool_T pool);

/** @brief The connection's reconnect context or NULL (NULL conn -> NULL).
 *         Not thread-safe. */
extern SOCKET_API SocketReconnect_T Connection_reconnect (const Connection_T conn);
/** @brief 1 if @p conn has a reconnect context, else 0 (NULL -> 0). */
extern SOCKET_API int Connection_has_reconnect (const Connection_T conn);

/* ------------------------------------------------------------------ */
/* Accept limits                                                      */
/* ------------------------------------------------------------------ */

/**
 * @brief Token-bucket limit on accepted connections: @p conns_per_sec <= 0
 *        disables; @p burst <= 0 means @p conns_per_sec. Consumed by
 *        SocketPool_accept_limited.
 * @throws SocketPool_Failed if the limiter cannot be created.
 */
extern SOCKET_API void SocketPool_setconnrate (SocketPool_T pool,
                                               int conns_per_sec, int burst);
/** @brief Configured connections per second, 0 when disabled. */
extern SOCKET_API int SocketPool_getconnrate (SocketPool_T pool);

/**
 * @brief Limit of simultaneous connections per client IP; <= 0 disables
 *        and forgets every tracked count.
 * @throws SocketPool_Failed if the tracker cannot be created.
 */
extern SOCKET_API void SocketPool_setmaxperip (SocketPool_T pool,
                                               int max_conns);
/** @brief Per-IP maximum, 0 when disabled. */
extern SOCKET_API int SocketPool_getmaxperip (SocketPool_T pool);

/**
 * @brief Would a connection from @p client_ip be accepted now? Consumes
 *        and tracks nothing. NULL/"" skips the per-IP check.
 * @return 1 if allowed; 0 when DRAINING/STOPPED, out of rate tokens or the
 *         IP is at its limit.
 */
extern SOCKET_API int SocketPool_accept_allowed (SocketPool_T pool,
                                                 const char *client_ip);

/**
 * @brief Accept one connection under the rate and per-IP limits.
 *
 * A rate token is taken before accept() (not refunded when nothing was
 * pending). The client IP is counted: call SocketPool_release_ip() with
 * Socket_getpeeraddr() when the connection ends.
 * @return the socket (caller-owned, not pooled), or NULL when DRAINING or
 *         STOPPED, rate-limited, nothing pending, or the IP is at its limit
 *         (that connection is closed).
 * @throws Socket_Failed on a real accept error.
 */
extern SOCKET_API Socket_T SocketPool_accept_limited (SocketPool_T pool,
                                                      Socket_T server);

/** @brief Count one connection from @p ip. @return 1 counted (or limits
 *         disabled, or NULL/""), 0 at the limit (not counted). */
extern SOCKET_API int SocketPool_track_ip (SocketPool_T pool, const char *ip);
/** @brief Uncount one connection from @p ip; NULL/""/untracked: no-op. */
extern SOCKET_API void SocketPool_release_ip (SocketPool_T pool,
                                              const char *ip);
/** @brief Tracked count for @p ip; 0 for NULL/"" or when disabled. */
extern SOCKET_API int SocketPool_ip_count (SocketPool_T pool, const char *ip);

/** @brief Use @p protect (borrowed; must outlive the pool; NULL disables)
 *         in SocketPool_accept_protected. */
extern SOCKET_API void SocketPool_set_syn_protection (SocketPool_T pool,
                                                      SocketSYNProtect_T protect);
/** @brief The protection object or NULL. */
extern SOCKET_API SocketSYNProtect_T
SocketPool_get_syn_protection (SocketPool_T pool);

/**
 * @brief Accept one connection and judge its peer with the SYN protection.
 *
 * Without protection this is SocketPool_accept_limited (action ALLOW).
 * ALLOW: accepted if SocketPool_accept_allowed agrees, IP tracked, success
 * reported. THROTTLE: the calling thread sleeps
 * SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS first. CHALLENGE: TCP_DEFER_ACCEPT
 * is set on the socket, accepted without a success report. BLOCK: closed,
 * failure reported.
 * @param action_out optional; receives the decision.
 * @return the socket (caller-owned, not pooled; release its IP as for
 *         SocketPool_accept_limited) or NULL.
 * @throws Socket_Failed on a real accept error.
 */
extern SOCKET_API Socket_T
SocketPool_accept_protected (SocketPool_T pool, Socket_T server,
                             SocketSYN_Action *action_out);

/* ------------------------------------------------------------------ */
/* Graceful drain                                                     */
/* ------------------------------------------------------------------ */

/** @brief Current state (lock-free read). */
extern SOCKET_API SocketPool_State SocketPool_state (SocketPool_T pool);
/** @brief Health derived from the state. */
extern SOCKET_API SocketPool_Health SocketPool_health (SocketPool_T pool);
/** @brief 1 iff DRAINING. */
extern SOCKET_API int SocketPool_is_draining (SocketPool_T pool);
/** @brief 1 iff STOPPED. */
extern SOCKET_API int SocketPool_is_stopped (SocketPool_T pool);

/**
 * @brief Start a drain (only from RUNNING; otherwise a no-op): new
 *        connections are refused from now on.
 * @param timeout_ms -1 = no deadline; 0 = force-close everything now;
 *                   > 0 = deadline in ms; other negatives = deadline now
 *                   (forced by the next SocketPool_drain_poll).
 * An empty pool goes to STOPPED at once (callback timed_out = 0).
 */
extern SOCKET_API void SocketPool_drain (SocketPool_T pool, int timeout_ms);

/**
 * @brief Advance a drain.
 * @return RUNNING: the count; DRAINING: the remaining count (> 0), or 0
 *         after stopping gracefully, or -1 after force-closing at the
 *         deadline (both run the callback); STOPPED: 0.
 */
extern SOCKET_API int SocketPool_drain_poll (SocketPool_T pool);

/** @brief ms left before the forced close: -1 if not DRAINING, INT64_MAX
 *         without a deadline, 0 once expired. */
extern SOCKET_API int64_t SocketPool_drain_remaining_ms (SocketPool_T pool);

/**
 * @brief Shut down, remove and free every pooled socket now and go to
 *        STOPPED (callback timed_out = 1). STOPPED: no-op.
 */
extern SOCKET_API void SocketPool_drain_force (SocketPool_T pool);

/**
 * @brief Start a drain (if RUNNING) and block until STOPPED, polling with a
 *        backoff from 1 ms to 100 ms.
 * @return 0 if the pool stopped gracefully, -1 if connections were
 *         force-closed (also for the immediate force of timeout 0).
 */
extern SOCKET_API int SocketPool_drain_wait (SocketPool_T pool,
                                             int timeout_ms);

/** @brief Callback for the STOPPED transition (NULL clears). */
extern SOCKET_API void SocketPool_set_drain_callback (SocketPool_T pool,
                                                      SocketPool_DrainCallback cb,
                                                      void *data);

#endif /* SOCKETPOOL_INCLUDED */
