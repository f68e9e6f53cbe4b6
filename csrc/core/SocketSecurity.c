/*
 * SocketSecurity.c - the library's limits in one place, and checked
 * size arithmetic.
 *
 * The protocol modules own their limit macros; the values below are the
 * same defaults (RFC-motivated; see each module's header), kept here so this
 * module does not depend on the protocol headers.
 */
#include "core/SocketSecurity.h"

const Except_T SocketSecurity_SizeExceeded
    = { &SocketSecurity_SizeExceeded, "Allocation or buffer size exceeds security limits" };
const Except_T SocketSecurity_ValidationFailed
    = { &SocketSecurity_ValidationFailed, "Input validation failed" };

/* Defaults of the protocol modules (SocketHTTP.h, SocketHTTP1.h,
 * SocketHTTP2.h, SocketWS.h, SocketTLSConfig.h). */
enum
{
  HTTP_MAX_URI_LEN = 8 * 1024,
  HTTP_MAX_HEADER_NAME = 256,
  HTTP_MAX_HEADER_VALUE = 8 * 1024,
  HTTP_MAX_HEADER_SIZE = 64 * 1024,
  HTTP_MAX_HEADERS = 100,
  HTTP1_MAX_REQUEST_LINE = 8 * 1024,
  HTTP1_MAX_CHUNK_SIZE = 16 * 1024 * 1024,
  HTTP2_MAX_CONCURRENT_STREAMS = 100,
  HTTP2_MAX_FRAME_SIZE = 16384,
  HTTP2_MAX_HEADER_LIST_SIZE = 16 * 1024,
  WS_MAX_FRAME_SIZE = 16 * 1024 * 1024,
  WS_MAX_MESSAGE_SIZE = 64 * 1024 * 1024,
  TLS_MAX_CERT_CHAIN_DEPTH = 10,
  TLS_SESSION_CACHE_SIZE = 1000,
  DEFAULT_IDLE_TIMEOUT_MS = SOCKET_DEFAULT_IDLE_TIMEOUT * SOCKET_MS_PER_SECOND,
};

void
SocketSecurity_get_limits (SocketSecurityLimits *limits)
{
  if (limits == NULL)
    return;
  *limits = (SocketSecurityLimits){
    .max_allocation = SOCKET_SECURITY_MAX_ALLOCATION,
    .max_buffer_size = SOCKET_MAX_BUFFER_SIZE,
    .max_connections = SOCKET_MAX_CONNECTIONS,
    .http_max_uri_length = HTTP_MAX_URI_LEN,
    .http_max_header_name = HTTP_MAX_HEADER_NAME,
    .http_max_header_value = HTTP_MAX_HEADER_VALUE,
    .http_max_header_size = HTTP_MAX_HEADER_SIZE,
    .http_max_headers = HTTP_MAX_HEADERS,
    .http_max_body_size = SOCKET_SECURITY_MAX_BODY_SIZE,
    .http1_max_request_line = HTTP1_MAX_REQUEST_LINE,
    .http1_max_chunk_size = HTTP1_MAX_CHUNK_SIZE,
    .http2_max_concurrent_streams = HTTP2_MAX_CONCURRENT_STREAMS,
    .http2_max_frame_size = HTTP2_MAX_FRAME_SIZE,
    .http2_max_header_list_size = HTTP2_MAX_HEADER_LIST_SIZE,
    .ws_max_frame_size = WS_MAX_FRAME_SIZE,
    .ws_max_message_size = WS_MAX_MESSAGE_SIZE,
    .tls_max_cert_chain_depth = TLS_MAX_CERT_CHAIN_DEPTH,
    .tls_session_cache_size = TLS_SESSION_CACHE_SIZE,
    .ratelimit_conn_per_sec = SOCKET_RATELIMIT_DEFAULT_CONN_PER_SEC,
    .ratelimit_burst = SOCKET_RATELIMIT_DEFAULT_BURST,
    .ratelimit_max_per_ip = SOCKET_RATELIMIT_DEFAULT_MAX_PER_IP,
    .timeout_connect_ms = SOCKET_DEFAULT_CONNECT_TIMEOUT_MS,
    .timeout_dns_ms = SOCKET_DEFAULT_DNS_TIMEOUT_MS,
    .timeout_idle_ms = DEFAULT_IDLE_TIMEOUT_MS,
    .timeout_request_ms = SOCKET_SECURITY_MAX_REQUEST_TIMEOUT_MS,
  };
}

size_t
SocketSecurity_get_max_allocation (void)
{
  return SOCKET_SECURITY_MAX_ALLOCATION;
}

void
SocketSecurity_get_http_limits (size_t *max_uri, size_t *max_header_size,
                                size_t *max_headers, size_t *max_body)
{
  if (max_uri)
    *max_uri = HTTP_MAX_URI_LEN;
  if (max_header_size)
    *max_header_size = HTTP_MAX_HEADER_SIZE;
  if (max_headers)
    *max_headers = HTTP_MAX_HEADERS;
  if (max_body)
    *max_body = SOCKET_SECURITY_MAX_BODY_SIZE;
}

void
SocketSecurity_get_ws_limits (size_t *max_frame, size_t *max_message)
{
  if (max_frame)
    *max_frame = WS_MAX_FRAME_SIZE;
  if (max_message)
    *max_message = WS_MAX_MESSAGE_SIZE;
}

int
SocketSecurity_check_size (size_t size)
{
  return SOCKET_SECURITY_VALID_SIZE (size) ? 1 : 0;
}

int
SocketSecurity_check_multiply (size_t a, size_t b, size_t *result)
{
  size_t r;

  if (__builtin_mul_overflow (a, b, &r))
    return 0;
  if (result)
    *result = r;
  return 1;
}

int
SocketSecurity_check_add (size_t a, size_t b, size_t *result)
{
  size_t r;

  if (__builtin_add_overflow (a, b, &r))
    return 0;
  if (result)
    *result = r;
  return 1;
}
