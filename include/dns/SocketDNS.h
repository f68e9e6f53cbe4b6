/**
 * @file SocketDNS.h
 * @brief Asynchronous name resolution: getaddrinfo() on a worker-thread pool
 *        with a pollable completion descriptor, timeouts and cancellation.
 *
 * Usage: SocketDNS_resolve() queues a request and returns a handle; add
 * SocketDNS_pollfd() to a SocketPoll (POLL_READ); when it fires call
 * SocketDNS_check(), then SocketDNS_getresult() for completed requests (or
 * receive them through the callback). Results are owned by the caller once
 * retrieved (free with freeaddrinfo()).
 *
 * Thread-safety: all functions are thread-safe; callbacks run on the thread
 * that calls SocketDNS_check().
 */
#ifndef SOCKETDNS_INCLUDED
#define SOCKETDNS_INCLUDED

#include <netdb.h>
#include <stddef.h>

#include "core/Except.h"

typedef struct SocketDNS_T *SocketDNS_T;
typedef struct SocketDNS_Request_T *SocketDNS_Request_T;

/**
 * Completion callback. @p result is owned by the callee (freeaddrinfo) and
 * NULL on failure; @p error is a getaddrinfo EAI_* code (0 on success,
 * EAI_AGAIN for a timeout, EAI_CANCELED... see SocketDNS_geterror).
 */
typedef void (*SocketDNS_Callback) (SocketDNS_Request_T req, struct addrinfo *result, int error, void *data);

/** Raised for invalid arguments, a full queue, or resource failures. */
extern SOCKET_API const Except_T SocketDNS_Failed;

/**
 * @brief Create a resolver with SOCKET_DNS_THREAD_COUNT workers, max pending
 *        SOCKET_DNS_MAX_PENDING and timeout SOCKET_DEFAULT_DNS_TIMEOUT_MS.
 * @throws SocketDNS_Failed
 */
extern SOCKET_API SocketDNS_T SocketDNS_new (void);
/** @brief Cancel pending requests, join workers, free; sets *dns to NULL. */
extern SOCKET_API void SocketDNS_free (SocketDNS_T *dns);
/**
 * @brief Queue a lookup of @p host (NULL = passive/any) and @p port.
 * @throws SocketDNS_Failed on invalid host/port or when max pending is reached.
 */
extern SOCKET_API SocketDNS_Request_T SocketDNS_resolve (SocketDNS_T dns, const char *host, int port,
                                                         SocketDNS_Callback callback, void *data);
/**
 * @brief Cancel @p req: its callback is not called and any result not yet
 *        handed out is freed. No-op for delivered, stale or foreign handles.
 */
extern SOCKET_API void SocketDNS_cancel (SocketDNS_T dns, SocketDNS_Request_T req);
extern SOCKET_API size_t SocketDNS_getmaxpending (SocketDNS_T dns);
extern SOCKET_API void SocketDNS_setmaxpending (SocketDNS_T dns, size_t max_pending);
/** @brief Default per-request timeout in ms (0 = none). */
extern SOCKET_API int SocketDNS_gettimeout (SocketDNS_T dns);
extern SOCKET_API void SocketDNS_settimeout (SocketDNS_T dns, int timeout_ms);
/**
 * @brief Descriptor that becomes readable when requests complete (one end
 *        of a stream socketpair, so Socket_new_from_fd(dup(fd)) can be
 *        added to a SocketPoll). Timeouts are detected by SocketDNS_check(),
 *        so call it at least as often as your shortest timeout (e.g. from a
 *        SocketTimer) while requests are pending.
 */
extern SOCKET_API int SocketDNS_pollfd (SocketDNS_T dns);
/**
 * @brief Drain the completion descriptor, expire overdue requests (they
 *        complete with EAI_AGAIN and emit SOCKET_EVENT_DNS_TIMEOUT), and
 *        deliver completions: callbacks run here, on the calling thread,
 *        after which the handle is stale; requests without a callback
 *        become available to SocketDNS_getresult().
 * @return number of requests completed by this call.
 */
extern SOCKET_API int SocketDNS_check (SocketDNS_T dns);
/**
 * @brief Take the result of a completed request (NULL if pending, failed,
 *        already taken, or delivered through a callback); the caller frees
 *        it with freeaddrinfo(). Afterwards SocketDNS_geterror() still
 *        reports the error of a failed request.
 */
extern SOCKET_API struct addrinfo *SocketDNS_getresult (SocketDNS_T dns, SocketDNS_Request_T req);
/** @brief getaddrinfo error of a completed request (0 if none). */
extern SOCKET_API int SocketDNS_geterror (SocketDNS_T dns, const struct SocketDNS_Request_T *req);
/** @brief Override the timeout (ms from submission, 0 = none) of one pending request. */
extern SOCKET_API void SocketDNS_request_settimeout (SocketDNS_T dns, SocketDNS_Request_T req, int timeout_ms);
/**
 * @brief A request that is already complete with @p result (ownership taken;
 *        handed back by SocketDNS_getresult). @p port is recorded only.
 */
extern SOCKET_API SocketDNS_Request_T SocketDNS_create_completed_request (SocketDNS_T dns, struct addrinfo *result,
                                                                          int port);
/**
 * @brief Resolve and wait up to @p timeout_ms (0 = resolver default).
 *        Address literals and NULL are resolved in the caller without a
 *        worker; @p dns may be NULL (plain blocking getaddrinfo). @p hints
 *        NULL = AF_UNSPEC, SOCK_STREAM.
 * @return a list the caller frees with freeaddrinfo().
 * @throws SocketDNS_Failed on failure or timeout.
 */
extern SOCKET_API struct addrinfo *SocketDNS_resolve_sync (SocketDNS_T dns, const char *host, int port,
                                                           const struct addrinfo *hints, int timeout_ms);

#endif /* SOCKETDNS_INCLUDED */
