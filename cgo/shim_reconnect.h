/*
 * shim_reconnect.h - shims of SocketReconnect in external mode
 * (shim_reconnect.c): the C state machine (backoff with jitter, max
 * attempts, circuit breaker) stepped from Go, which dials itself on its
 * own poller. Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_RECONNECT_H
#define CSOCKET_SHIM_RECONNECT_H

#include "shim.h"

#include "socket/SocketExt.h"
#include "socket/SocketReconnect.h"

/* Operations of go_SocketReconnect_step. */
enum
{
  GO_RECONNECT_QUERY = 0,       /* no change, just the status */
  GO_RECONNECT_CONNECT = 1,     /* SocketReconnect_connect */
  GO_RECONNECT_TICK = 2,        /* SocketReconnect_tick */
  GO_RECONNECT_REPORT_OK = 3,   /* SocketExt_reconnect_report (1) */
  GO_RECONNECT_REPORT_FAIL = 4, /* SocketExt_reconnect_report (0, arg) */
  GO_RECONNECT_LOST = 5,        /* SocketExt_reconnect_lost (arg) */
  GO_RECONNECT_DISCONNECT = 6,  /* SocketReconnect_disconnect */
  GO_RECONNECT_RESET = 7        /* SocketReconnect_reset */
};

/* The context's status after a step, read in the same crossing. */
typedef struct GoReconnectStatus
{
  int state;           /* SocketReconnect_State */
  int attempts;        /* SocketReconnect_attempts */
  int failures;        /* SocketReconnect_failures */
  int next_timeout_ms; /* SocketReconnect_next_timeout_ms */
} GoReconnectStatus;

/* A context for @host:@port (a label: Go dials) in external mode. */
int go_SocketReconnect_new (const char *host, int port,
                            const SocketReconnect_Policy_T *policy,
                            SocketReconnect_T *out, GoErr *e);
void go_SocketReconnect_free (SocketReconnect_T c);
/* One operation (GO_RECONNECT_*) and the status after it. */
int go_SocketReconnect_step (SocketReconnect_T c, int op, int arg,
                             GoReconnectStatus *st, GoErr *e);
/* The policy defaults (SocketReconnect_policy_defaults). */
int go_SocketReconnect_policy_defaults (SocketReconnect_Policy_T *p,
                                        GoErr *e);
/* Static state name (SocketReconnect_state_name; never raises). */
const char *go_SocketReconnect_state_name (int state);

#endif /* CSOCKET_SHIM_RECONNECT_H */
