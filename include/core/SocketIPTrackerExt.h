/**
 * @file SocketIPTrackerExt.h
 * @brief libsocket extensions to SocketIPTracker (not in the original API):
 *        the bound on distinct IPs that keeps a tracker's memory finite.
 *
 * Thread-safety: as SocketIPTracker (internal mutex).
 */
#ifndef SOCKETIPTRACKEREXT_INCLUDED
#define SOCKETIPTRACKEREXT_INCLUDED

#include <stddef.h>

#include "core/SocketIPTracker.h"

/** Default bound on distinct IPs per tracker. */
#ifndef SOCKET_IP_TRACKER_MAX_UNIQUE
#define SOCKET_IP_TRACKER_MAX_UNIQUE 100000
#endif

/**
 * @brief bound the number of distinct IPs tracked.
 * @param max_unique >= 1; 0 restores SOCKET_IP_TRACKER_MAX_UNIQUE. Entries
 *        already above a lowered bound stay; new IPs are refused until the
 *        count drops below it.
 */
extern SOCKET_API void SocketIPTracker_setmaxunique (SocketIPTracker_T tracker,
                                                     size_t max_unique);

/** @brief the bound on distinct IPs. */
extern SOCKET_API size_t SocketIPTracker_getmaxunique (SocketIPTracker_T tracker);

#endif /* SOCKETIPTRACKEREXT_INCLUDED */
