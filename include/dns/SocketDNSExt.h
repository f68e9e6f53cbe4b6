/**
 * @file SocketDNSExt.h
 * @brief Extensions to the resolver that the original API lacks:
 *        introspection for leak checks and a stall gate for tests.
 *
 * Kept outside SocketDNS.h so that header (and its ABI) stays exactly the
 * original. Used by the Go bindings' tests; usable and tested from C.
 *
 * Thread-safety: both calls lock the resolver; any thread may call them.
 */
#ifndef SOCKETDNSEXT_INCLUDED
#define SOCKETDNSEXT_INCLUDED

#include <stddef.h>

#include "core/SocketConfig.h"
#include "dns/SocketDNS.h"

/**
 * @brief Hold (1) or release (0) the workers before they call getaddrinfo.
 *
 * While set, a worker that has taken a request keeps it RUNNING without
 * resolving it until the gate is cleared or the resolver is freed; with
 * every worker held, further requests stay queued. Makes slow lookups
 * deterministic (timeouts, cancellation, max pending). Not for production
 * use: a stalled resolver answers nothing.
 *
 * @param dns      the resolver (borrowed).
 * @param stalled  non-zero to hold, 0 to release (wakes held workers).
 * Raises: nothing.
 */
extern SOCKET_API void SocketDNSExt_set_stall (SocketDNS_T dns, int stalled);

/**
 * @brief Requests still holding resources: queued, running, or finished
 *        but not yet handed out by SocketDNS_getresult()/cancel.
 *
 * Excludes the bounded history of finished handles that is kept only so
 * SocketDNS_geterror() can answer. 0 once every request was collected, so
 * callers can check for leaked requests.
 *
 * @param dns  the resolver (borrowed).
 * @return the number of live request records.
 * Raises: nothing.
 */
extern SOCKET_API size_t SocketDNSExt_live_requests (SocketDNS_T dns);

#endif /* SOCKETDNSEXT_INCLUDED */
