/*
 * SocketProxy-private.h - shared between the proxy codec
 * (SocketProxy-codec.c) and the connection paths (SocketProxy.c).
 */
#ifndef SOCKETPROXY_PRIVATE_INCLUDED
#define SOCKETPROXY_PRIVATE_INCLUDED

#include "core/SocketUtil.h"
#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketProxy);

#define RAISE_PROXY(fmt, ...)                                                 \
  SOCKET_RAISE_MSG (SocketProxy, SocketProxy_Failed, fmt, ##__VA_ARGS__)

/* 1 when the handshake's request could not be built (the Conn reports the
 * contract's "Failed to build ..." text instead of a protocol failure). */
int socketproxy_handshake_build_failed (SocketProxyExt_Handshake_T hs);

/* Contract text for a request that could not be built, by proxy type. */
const char *socketproxy_build_error_text (SocketProxyType type);

#endif /* SOCKETPROXY_PRIVATE_INCLUDED */
