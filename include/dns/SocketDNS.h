/**
 * @file SocketDNS.h
 * @brief Asynchronous name resolution: getaddrinfo() on a worker-thread pool
 *        with a pollable completion descriptor, timeouts and cancellation.
 *
 * Usage: SocketDNS_resolve() queues a request and returns a handle. Without
 * a callback, add SocketDNS_pollfd() to a SocketPoll (POLL_READ); when it
 * fires call SocketDNS_check() to drain it, then SocketDNS_getresult() (a
 * completed request's result is available whether or not check was
 * called). With a callback, the callback is called on a worker thread as
 * soon as the lookup finishes; nothing else is needed.
 *
 * Results are owned by the caller once retrieved or delivered. Every list
 * this library returns can be freed with SocketCommon_free_addrinfo() or
 * with freeaddrinfo() (glibc node layout).
 *
 * Thread-safety: all functions are thread-safe. Callbacks run on a worker
 * thread, without any resolver lock held.
 */
#ifndef SOCKETDNS_INCLUDED
#define SOCKETDNS_INCLUDED

#include <netdb.h>
#include <stddef.h>

#include "core/Except.h"

typedef struct SocketDNS_T *SocketDNS_T;
typedef struct SocketDNS_Request_T *SocketDNS_Request_T;

/* Declared at file scope so prototypes using it compile even when
 * <netdb.h> hides it (strict -std=c11 without POSIX feature macros). */
struct addrinfo;

/**
 * Completion callback, called once on a worker thread for a request that a
 * worker resolved (success, failure, or a timeout noticed after the
 * lookup). @p result is owned by the callee (SocketCommon_free_addrinfo()
 * or freeaddrinfo()) and NULL on failure; @p error is a getaddrinfo EAI_*
 * code (0 on success, EAI_AGAIN for a timeout). Not called for cancelled
 * requests nor for ones that had timed out before a worker took them.
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
/** @brief Let the workers resolve every request still queued (running
 *         their callbacks), join them, free unretrieved results and the
 *         resolver; sets *dns to NULL. NULL or *dns NULL: no-op. */
extern SOCKET_API void SocketDNS_free (SocketDNS_T *dns);
/**
 * @brief Queue a lookup of @p host (NULL = passive/any; else an IP literal
 *        or an RFC 1123 name) and @p port (0..65535, 0 = no service).
 *        @p callback NULL = poll mode (SocketDNS_getresult).
 * @return a handle, never NULL.
 * @throws SocketDNS_Failed for a NULL resolver, invalid host/port, or when
 *         max pending requests are queued.
 */
extern SOCKET_API SocketDNS_Request_T SocketDNS_resolve (SocketDNS_T dns, const char *host, int port,
                                                         SocketDNS_Callback callback, void *data);
/**
 * @brief Cancel @p req: its callback is not called, any result not yet
 *        handed out is freed, SocketDNS_geterror() then reports EAI_CANCELED
 *        and SocketDNS_getresult() NULL. Cancelling a queued or running
 *        request writes one byte to the descriptor. NULL args, stale or
 *        foreign handles: no-op.
 */
extern SOCKET_API void SocketDNS_cancel (SocketDNS_T dns, SocketDNS_Request_T req);
/** @brief Maximum number of queued requests (NULL: 0). */
extern SOCKET_API size_t SocketDNS_getmaxpending (SocketDNS_T dns);
/** @brief Set the maximum number of queued requests (0 refuses all).
 *  @throws SocketDNS_Failed for NULL or a value below the number queued. */
extern SOCKET_API void SocketDNS_setmaxpending (SocketDNS_T dns, size_t max_pending);
/** @brief Default per-request timeout in ms (0 = none; NULL: 0). */
extern SOCKET_API int SocketDNS_gettimeout (SocketDNS_T dns);
/** @brief Set it; negative = 0 (none); NULL: no-op. Checked when a worker
 *         takes a request and again after the lookup. */
extern SOCKET_API void SocketDNS_settimeout (SocketDNS_T dns, int timeout_ms);
/**
 * @brief Descriptor that becomes readable when requests complete, fail,
 *        time out or are cancelled (one end of a non-blocking, CLOEXEC
 *        stream socketpair, so Socket_new_from_fd(dup(fd)) can be added to
 *        a SocketPoll). NULL: -1.
 */
extern SOCKET_API int SocketDNS_pollfd (SocketDNS_T dns);
/**
 * @brief Drain the completion descriptor. It only drains: results are
 *        already available and callbacks already ran on the workers.
 * @return number of signal bytes drained (one per event); 0 for NULL.
 *         Never raises, never blocks.
 */
extern SOCKET_API int SocketDNS_check (SocketDNS_T dns);
/**
 * @brief Take the result of a completed poll-mode request (NULL if
 *        pending, failed, cancelled, already taken, delivered through a
 *        callback, or NULL args); the caller frees it with
 *        SocketCommon_free_addrinfo() or freeaddrinfo(). The first call on
 *        a completed request retires the handle; SocketDNS_geterror() still
 *        reports its error.
 */
extern SOCKET_API struct addrinfo *SocketDNS_getresult (SocketDNS_T dns, SocketDNS_Request_T req);
/** @brief EAI_* code of a completed or cancelled request (EAI_AGAIN =
 *         timeout, EAI_CANCELED = cancelled); 0 while pending, on success,
 *         or for NULL args. */
extern SOCKET_API int SocketDNS_geterror (SocketDNS_T dns, const struct SocketDNS_Request_T *req);
/** @brief Override the timeout (ms from submission, 0 or negative = none)
 *         of one queued or running request; NULL args: no-op. */
extern SOCKET_API void SocketDNS_request_settimeout (SocketDNS_T dns, SocketDNS_Request_T req, int timeout_ms);
/**
 * @brief A request that is already complete with a copy of @p result, which
 *        is consumed (freed with SocketCommon_free_addrinfo(); pass a list
 *        returned by this library). The copy is handed out once by
 *        SocketDNS_getresult(). @p port is recorded only. Writes one byte
 *        to the descriptor.
 * @throws SocketDNS_Failed for NULL arguments or allocation failure.
 */
extern SOCKET_API SocketDNS_Request_T SocketDNS_create_completed_request (SocketDNS_T dns, struct addrinfo *result,
                                                                          int port);
/**
 * @brief Resolve and wait up to @p timeout_ms (<= 0 = resolver default;
 *        if that is 0 too, without limit). Address literals and NULL are
 *        resolved in the caller without a worker; names go to a worker.
 *        @p hints (family, socktype, protocol, flags) apply to both; NULL =
 *        AF_UNSPEC, SOCK_STREAM. A timed-out lookup is abandoned.
 * @return a list the caller frees with SocketCommon_free_addrinfo() or
 *         freeaddrinfo().
 * @throws SocketDNS_Failed for a NULL resolver, invalid host/port, a full
 *         queue, lookup failure or timeout.
 */
extern SOCKET_API struct addrinfo *SocketDNS_resolve_sync (SocketDNS_T dns, const char *host, int port,
                                                           const struct addrinfo *hints, int timeout_ms);

#endif /* SOCKETDNS_INCLUDED */
