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

/** @brief Create a resolver with SOCKET_DNS_THREAD_COUNT workers. @throws SocketDNS_Failed */
extern SOCKET_API SocketDNS_T SocketDNS_new (void);
/** @brief Cancel pending requests, join workers, free; sets *dns to NULL. */
extern SOCKET_API void SocketDNS_free (SocketDNS_T *dns);
/**
 * @brief Queue a lookup of @p host (NULL = passive/any) and @p port.
 * @throws SocketDNS_Failed on invalid host/port or when max pending is reached.
 */
extern SOCKET_API SocketDNS_Request_T SocketDNS_resolve (SocketDNS_T dns, const char *host, int port,
                                                         SocketDNS_Callback callback, void *data);
/** @brief Cancel @p req; its callback (if any) is not called; no-op if already done. */
extern SOCKET_API void SocketDNS_cancel (SocketDNS_T dns, SocketDNS_Request_T req);
extern SOCKET_API size_t SocketDNS_getmaxpending (SocketDNS_T dns);
extern SOCKET_API void SocketDNS_setmaxpending (SocketDNS_T dns, size_t max_pending);
/** @brief Default per-request timeout in ms (0 = none). */
extern SOCKET_API int SocketDNS_gettimeout (SocketDNS_T dns);
extern SOCKET_API void SocketDNS_settimeout (SocketDNS_T dns, int timeout_ms);
/** @brief Descriptor that becomes readable when requests complete. */
extern SOCKET_API int SocketDNS_pollfd (SocketDNS_T dns);
/** @brief Process completions (callbacks, timeouts). @return number completed. */
extern SOCKET_API int SocketDNS_check (SocketDNS_T dns);
/** @brief Take the result of a completed request (NULL if pending or failed); the caller frees it. */
extern SOCKET_API struct addrinfo *SocketDNS_getresult (SocketDNS_T dns, SocketDNS_Request_T req);
/** @brief getaddrinfo error of a completed request (0 if none). */
extern SOCKET_API int SocketDNS_geterror (SocketDNS_T dns, const struct SocketDNS_Request_T *req);
/** @brief Override the timeout of one pending request. */
extern SOCKET_API void SocketDNS_request_settimeout (SocketDNS_T dns, SocketDNS_Request_T req, int timeout_ms);
/** @brief A request that is already complete with @p result (takes ownership). */
extern SOCKET_API SocketDNS_Request_T SocketDNS_create_completed_request (SocketDNS_T dns, struct addrinfo *result,
                                                                          int port);
/**
 * @brief Resolve and wait up to @p timeout_ms (0 = resolver default).
 * @return a list the caller frees with freeaddrinfo().
 * @throws SocketDNS_Failed on failure or timeout.
 */
extern SOCKET_API struct addrinfo *SocketDNS_resolve_sync (SocketDNS_T dns, const char *host, int port,
                                                           const struct addrinfo *hints, int timeout_ms);

#endif /* SOCKETDNS_INCLUDED */
