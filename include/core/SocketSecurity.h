/**
 * @file SocketSecurity.h
 * @brief Central security limits and overflow-checked size arithmetic.
 *
 * All limits are compile-time values from SocketConfig.h and the module
 * headers, gathered in one struct so applications can inspect them.
 *
 * Thread-safety: every function is reentrant.
 */
#ifndef SOCKETSECURITY_INCLUDED
#define SOCKETSECURITY_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "core/Except.h"
#include "core/SocketConfig.h"

/** Upper bound for any single allocation the library makes (256 MiB). */
#ifndef SOCKET_SECURITY_MAX_ALLOCATION
#define SOCKET_SECURITY_MAX_ALLOCATION (256 * 1024 * 1024)
#endif
/** Default upper bound for an HTTP body (100 MiB). */
#ifndef SOCKET_SECURITY_MAX_BODY_SIZE
#define SOCKET_SECURITY_MAX_BODY_SIZE (100 * 1024 * 1024)
#endif
/** Upper bound for a request timeout (60 s). */
#ifndef SOCKET_SECURITY_MAX_REQUEST_TIMEOUT_MS
#define SOCKET_SECURITY_MAX_REQUEST_TIMEOUT_MS 60000
#endif

/** True when @p s is non-zero and at most SOCKET_SECURITY_MAX_ALLOCATION. */
#define SOCKET_SECURITY_VALID_SIZE(s)                                         \
  ((size_t)(s) > 0 && (size_t)(s) <= (size_t)SOCKET_SECURITY_MAX_ALLOCATION)
/** True when @p a * @p b does not overflow size_t (b == 0, or a <= SIZE_MAX / b).
 *  As in the original, arguments are evaluated more than once and not cast. */
#define SOCKET_SECURITY_CHECK_OVERFLOW_MUL(a, b)                              \
  ((b) == 0 || (a) <= SIZE_MAX / (b))
/** True when @p a + @p b does not overflow size_t (a <= SIZE_MAX - b). */
#define SOCKET_SECURITY_CHECK_OVERFLOW_ADD(a, b) ((a) <= SIZE_MAX - (b))

/** Every limit the library enforces. */
typedef struct SocketSecurityLimits
{
  size_t max_allocation;
  size_t max_buffer_size;
  size_t max_connections;
  size_t http_max_uri_length;
  size_t http_max_header_name;
  size_t http_max_header_value;
  size_t http_max_header_size;
  size_t http_max_headers;
  size_t http_max_body_size;
  size_t http1_max_request_line;
  size_t http1_max_chunk_size;
  size_t http2_max_concurrent_streams;
  size_t http2_max_frame_size;
  size_t http2_max_header_list_size;
  size_t ws_max_frame_size;
  size_t ws_max_message_size;
  size_t tls_max_cert_chain_depth;
  size_t tls_session_cache_size;
  size_t ratelimit_conn_per_sec;
  size_t ratelimit_burst;
  size_t ratelimit_max_per_ip;
  int timeout_connect_ms;
  int timeout_dns_ms;
  int timeout_idle_ms;
  int timeout_request_ms;
} SocketSecurityLimits;

/** Raised when a size exceeds a limit. */
extern SOCKET_API const Except_T SocketSecurity_SizeExceeded;
/** Raised when a value fails validation. */
extern SOCKET_API const Except_T SocketSecurity_ValidationFailed;

/** @brief Fill @p limits with the compiled-in limits (NULL is a no-op). */
extern SOCKET_API void SocketSecurity_get_limits (SocketSecurityLimits *limits);

/** @brief SOCKET_SECURITY_MAX_ALLOCATION. */
extern SOCKET_API size_t SocketSecurity_get_max_allocation (void);

/** @brief HTTP limits; any pointer may be NULL. */
extern SOCKET_API void SocketSecurity_get_http_limits (size_t *max_uri, size_t *max_header_size,
                                                       size_t *max_headers, size_t *max_body);

/** @brief WebSocket limits; any pointer may be NULL. */
extern SOCKET_API void SocketSecurity_get_ws_limits (size_t *max_frame, size_t *max_message);

/** @brief 1 if @p size is within (0, max_allocation], else 0. */
extern SOCKET_API int SocketSecurity_check_size (size_t size);

/** @brief 1 and *result = a*b when it fits, else 0 (result untouched). */
extern SOCKET_API int SocketSecurity_check_multiply (size_t a, size_t b, size_t *result);

/** @brief 1 and *result = a+b when it fits, else 0 (result untouched). */
extern SOCKET_API int SocketSecurity_check_add (size_t a, size_t b, size_t *result);

/**
 * @brief a*b, or 0 on overflow (as in the original library: 0 is the
 * overflow sentinel, so a product of 0 and a failure look alike; check
 * operands or use SocketSecurity_check_multiply() when 0 is meaningful).
 */
static inline size_t
SocketSecurity_safe_multiply (size_t a, size_t b)
{
  size_t r;
  if (__builtin_mul_overflow (a, b, &r))
    return 0;
  return r;
}

/** @brief a+b, or SIZE_MAX on overflow (fails any later size check). */
static inline size_t
SocketSecurity_safe_add (size_t a, size_t b)
{
  size_t r;
  if (__builtin_add_overflow (a, b, &r))
    return SIZE_MAX;
  return r;
}

/** @brief 1 when built with TLS support. */
static inline int
SocketSecurity_has_tls (void)
{
#ifdef SOCKET_HAS_TLS
  return 1;
#else
  return 0;
#endif
}

/** @brief 1 when built with HTTP compression (zlib). */
static inline int
SocketSecurity_has_compression (void)
{
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  return 1;
#else
  return 0;
#endif
}

#endif /* SOCKETSECURITY_INCLUDED */
