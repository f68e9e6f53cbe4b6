/*
 * shim_proxy.h - shims of the proxy handshake codec (shim_proxy.c):
 * socket/SocketProxyExt.h run by Go over its own connection to the proxy.
 * Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_PROXY_H
#define CSOCKET_SHIM_PROXY_H

#include "shim.h"

#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"

/* A handshake for @type to @target:@port. Strings are NUL-terminated and
 * borrowed for the call; @username/@password may be NULL (no
 * authentication); @proxy_host names the proxy in the config. */
int go_SocketProxyExt_handshake_new (int type, const char *proxy_host,
                                     int proxy_port, const char *username,
                                     const char *password,
                                     const char *target, int port,
                                     SocketProxyExt_Handshake_T *out,
                                     GoErr *e);
void go_SocketProxyExt_handshake_free (SocketProxyExt_Handshake_T hs);

/* The pending output (pointer valid until the next call on @hs). */
int go_SocketProxyExt_handshake_output (SocketProxyExt_Handshake_T hs,
                                        const unsigned char **out,
                                        size_t *len, GoErr *e);
int go_SocketProxyExt_handshake_sent (SocketProxyExt_Handshake_T hs,
                                      size_t n, GoErr *e);
/* Feed @len bytes (0: the proxy closed); @result and @consumed set. */
int go_SocketProxyExt_handshake_input (SocketProxyExt_Handshake_T hs,
                                       const unsigned char *data, size_t len,
                                       size_t *consumed, int *result,
                                       GoErr *e);

/* Everything Go reports about a handshake, read in one crossing. */
typedef struct GoProxyStatus
{
  int result;      /* SocketProxy_Result */
  int state;       /* SocketProxy_State */
  int http_status; /* 0 unless an HTTP reply was parsed */
  int has_error;   /* error holds SocketProxyExt_handshake_error */
  char error[256];
} GoProxyStatus;

int go_SocketProxyExt_handshake_status (SocketProxyExt_Handshake_T hs,
                                        GoProxyStatus *st, GoErr *e);

/* Static strings (never raise). */
const char *go_SocketProxy_result_string (int result);
const char *go_SocketProxy_state_string (int state);
const char *go_SocketProxy_type_string (int type);

#endif /* CSOCKET_SHIM_PROXY_H */
