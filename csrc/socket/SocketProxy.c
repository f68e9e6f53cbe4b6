/*
 * SocketProxy.c - outbound connections through HTTP CONNECT and SOCKS
 * proxies: configuration, strings, and the three connection paths built
 * on the codec of SocketProxy-codec.c.
 */
#include <string.h>

#include "socket/SocketProxy-private.h"

const Except_T SocketProxy_Failed = { &SocketProxy_Failed, "Proxy operation failed" };

void
SocketProxy_config_defaults (SocketProxy_Config *config)
{
  if (config == NULL)
    return;
  memset (config, 0, sizeof *config);
  config->type = SOCKET_PROXY_NONE;
  config->connect_timeout_ms = SOCKET_PROXY_DEFAULT_CONNECT_TIMEOUT_MS;
  config->handshake_timeout_ms = SOCKET_PROXY_DEFAULT_HANDSHAKE_TIMEOUT_MS;
}

/* ------------------------------------------------------------------ */
/* Strings (contract table)                                           */
/* ------------------------------------------------------------------ */

const char *
SocketProxy_result_string (SocketProxy_Result result)
{
  switch (result)
    {
    case PROXY_OK: return "Success";
    case PROXY_IN_PROGRESS: return "In progress";
    case PROXY_ERROR: return "Error";
    case PROXY_ERROR_CONNECT: return "Connection to proxy failed";
    case PROXY_ERROR_AUTH_REQUIRED: return "Authentication required";
    case PROXY_ERROR_AUTH_FAILED: return "Authentication failed";
    case PROXY_ERROR_FORBIDDEN: return "Connection forbidden by proxy";
    case PROXY_ERROR_HOST_UNREACHABLE: return "Target host unreachable";
    case PROXY_ERROR_NETWORK_UNREACHABLE: return "Target network unreachable";
    case PROXY_ERROR_CONNECTION_REFUSED: return "Target connection refused";
    case PROXY_ERROR_TTL_EXPIRED: return "TTL expired";
    case PROXY_ERROR_PROTOCOL: return "Protocol error";
    case PROXY_ERROR_UNSUPPORTED: return "Unsupported command";
    case PROXY_ERROR_TIMEOUT: return "Operation timed out";
    case PROXY_ERROR_CANCELLED: return "Operation cancelled";
    }
  return "Unknown error";
}

const char *
SocketProxy_state_string (SocketProxy_State state)
{
  switch (state)
    {
    case PROXY_STATE_IDLE: return "IDLE";
    case PROXY_STATE_CONNECTING_PROXY: return "CONNECTING_PROXY";
    case PROXY_STATE_TLS_TO_PROXY: return "TLS_TO_PROXY";
    case PROXY_STATE_HANDSHAKE_SEND: return "HANDSHAKE_SEND";
    case PROXY_STATE_HANDSHAKE_RECV: return "HANDSHAKE_RECV";
    case PROXY_STATE_AUTH_SEND: return "AUTH_SEND";
    case PROXY_STATE_AUTH_RECV: return "AUTH_RECV";
    case PROXY_STATE_CONNECTED: return "CONNECTED";
    case PROXY_STATE_FAILED: return "FAILED";
    case PROXY_STATE_CANCELLED: return "CANCELLED";
    }
  return "UNKNOWN";
}

const char *
SocketProxy_type_string (SocketProxyType type)
{
  switch (type)
    {
    case SOCKET_PROXY_NONE: return "NONE";
    case SOCKET_PROXY_HTTP: return "HTTP CONNECT";
    case SOCKET_PROXY_HTTPS: return "HTTPS CONNECT";
    case SOCKET_PROXY_SOCKS4: return "SOCKS4";
    case SOCKET_PROXY_SOCKS4A: return "SOCKS4A";
    case SOCKET_PROXY_SOCKS5: return "SOCKS5";
    case SOCKET_PROXY_SOCKS5H: return "SOCKS5H";
    }
  return "UNKNOWN";
}
