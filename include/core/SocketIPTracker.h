/**
 * @file SocketIPTracker.h
 * @brief Per-IP connection counting with a per-IP limit.
 *
 * Keys: an address inet_pton() accepts is canonicalised first, so "::1",
 * "0::1" and "0:0::1" are one key, and an IPv4-mapped IPv6 address
 * ("::ffff:10.0.0.1") counts as its IPv4 address. Any other non-empty
 * string is used byte-for-byte (first 63 bytes). See docs/MIGRATION.md.
 *
 * Memory: at most SOCKET_IP_TRACKER_MAX_UNIQUE (100000) distinct IPs are
 * tracked (adjustable with SocketIPTracker_setmaxunique() from
 * core/SocketIPTrackerExt.h); a connection from a new IP beyond that is
 * refused (track returns 0). Lookups use a hash table keyed with a
 * random per-tracker seed, so crafted addresses cannot degrade it.
 *
 * Thread-safety: every function may be called concurrently on the same
 * tracker (internal mutex).
 */
#ifndef SOCKETIPTRACKER_INCLUDED
#define SOCKETIPTRACKER_INCLUDED

#include <stddef.h>

#include "core/Arena.h"
#include "core/Except.h"

/** Opaque tracker handle. */
typedef struct SocketIPTracker_T *SocketIPTracker_T;

/** Raised on allocation/mutex failure and for a NULL tracker handle. */
extern SOCKET_API const Except_T SocketIPTracker_Failed;

/**
 * @brief Create an empty tracker.
 * @param arena owner of the tracker object, or NULL for malloc. Entries are
 *        always malloc'd and released by SocketIPTracker_free() in both modes.
 * @param max_per_ip connections allowed per IP; 0 = unlimited. Not
 *        validated: a negative value admits the first connection of each IP
 *        and refuses the rest.
 * @return the tracker (owned by the caller; release with SocketIPTracker_free()).
 * @throws SocketIPTracker_Failed "Failed to allocate IP tracker" /
 *         "Failed to allocate IP tracker hash table"; Arena_Failed from the arena.
 */
extern SOCKET_API SocketIPTracker_T SocketIPTracker_new (Arena_T arena, int max_per_ip);

/**
 * @brief Free every entry and the tracker (unless arena-owned); sets
 * *tracker to NULL. NULL or *NULL is a no-op.
 */
extern SOCKET_API void SocketIPTracker_free (SocketIPTracker_T *tracker);

/**
 * @brief Count one connection from @p ip (borrowed) if the limit allows.
 * @return 1 = allowed and counted, also for NULL or "" (nothing counted);
 *         0 = refused: the IP already has max_per_ip connections, the
 *         tracker already holds its maximum of distinct IPs, or the entry
 *         could not be allocated. The first connection of an unseen IP is
 *         accepted whenever there is room.
 * @throws SocketIPTracker_Failed for a NULL tracker.
 */
extern SOCKET_API int SocketIPTracker_track (SocketIPTracker_T tracker, const char *ip);

/**
 * @brief Forget one connection from @p ip; at 0 the entry is removed.
 * NULL, "", untracked IPs: no-op (never negative).
 */
extern SOCKET_API void SocketIPTracker_release (SocketIPTracker_T tracker, const char *ip);

/** @brief Current count for @p ip; 0 for NULL, "" or an untracked IP. */
extern SOCKET_API int SocketIPTracker_count (SocketIPTracker_T tracker, const char *ip);

/**
 * @brief Change the per-IP limit (0 = unlimited, any int accepted). Counts
 * already above it stay; such IPs are refused until releases bring them below.
 */
extern SOCKET_API void SocketIPTracker_setmax (SocketIPTracker_T tracker, int max_per_ip);

/** @brief The per-IP limit (0 = unlimited). */
extern SOCKET_API int SocketIPTracker_getmax (SocketIPTracker_T tracker);

/** @brief Sum of all per-IP counts. */
extern SOCKET_API size_t SocketIPTracker_total (SocketIPTracker_T tracker);

/** @brief Number of IPs with a count of at least 1. */
extern SOCKET_API size_t SocketIPTracker_unique_ips (SocketIPTracker_T tracker);

/** @brief Forget every entry (total and unique become 0); limits are kept. */
extern SOCKET_API void SocketIPTracker_clear (SocketIPTracker_T tracker);

#endif /* SOCKETIPTRACKER_INCLUDED */
