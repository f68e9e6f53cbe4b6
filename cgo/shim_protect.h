/* shim_protect.h - shims for SocketIPTracker and SocketSYNProtect. */
#ifndef CSOCKET_SHIM_PROTECT_H
#define CSOCKET_SHIM_PROTECT_H

#include "shim.h"

#include "core/SocketIPTracker.h"
#include "core/SocketIPTrackerExt.h"
#include "core/SocketSYNProtect.h"

int go_SocketIPTracker_new (int max_per_ip, size_t max_unique, SocketIPTracker_T *out,
                            GoErr *e);
void go_SocketIPTracker_free (SocketIPTracker_T t);
int go_SocketIPTracker_track (SocketIPTracker_T t, const char *ip, size_t n, int *ok,
                              GoErr *e);
int go_SocketIPTracker_release (SocketIPTracker_T t, const char *ip, size_t n, GoErr *e);
int go_SocketIPTracker_count (SocketIPTracker_T t, const char *ip, size_t n, int *count,
                              GoErr *e);
int go_SocketIPTracker_setmax (SocketIPTracker_T t, int max_per_ip, GoErr *e);
int go_SocketIPTracker_info (SocketIPTracker_T t, int *max_per_ip, size_t *total,
                             size_t *unique, GoErr *e);
int go_SocketIPTracker_clear (SocketIPTracker_T t, GoErr *e);

int go_SocketSYNProtect_config_defaults (SocketSYNProtect_Config *cfg, GoErr *e);
int go_SocketSYNProtect_new (const SocketSYNProtect_Config *cfg, SocketSYNProtect_T *out,
                             GoErr *e);
void go_SocketSYNProtect_free (SocketSYNProtect_T p);
int go_SocketSYNProtect_check (SocketSYNProtect_T p, const char *ip, size_t n, int *action,
                               GoErr *e);
int go_SocketSYNProtect_report (SocketSYNProtect_T p, const char *ip, size_t n, int success,
                                GoErr *e);
int go_SocketSYNProtect_whitelist_add (SocketSYNProtect_T p, const char *ip, size_t n,
                                       int cidr, int *ok, GoErr *e);
int go_SocketSYNProtect_whitelist_remove (SocketSYNProtect_T p, const char *ip, size_t n,
                                          GoErr *e);
int go_SocketSYNProtect_whitelist_contains (SocketSYNProtect_T p, const char *ip, size_t n,
                                            int *yes, GoErr *e);
int go_SocketSYNProtect_blacklist_add (SocketSYNProtect_T p, const char *ip, size_t n,
                                       int duration_ms, int *ok, GoErr *e);
int go_SocketSYNProtect_blacklist_remove (SocketSYNProtect_T p, const char *ip, size_t n,
                                          GoErr *e);
int go_SocketSYNProtect_blacklist_contains (SocketSYNProtect_T p, const char *ip, size_t n,
                                            int *yes, GoErr *e);
int go_SocketSYNProtect_stats (SocketSYNProtect_T p, SocketSYNProtect_Stats *s, GoErr *e);
int go_SocketSYNProtect_cleanup (SocketSYNProtect_T p, size_t *removed, GoErr *e);
int go_SocketSYNProtect_reset (SocketSYNProtect_T p, GoErr *e);

#endif
