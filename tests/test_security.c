/* test_security.c - limits and overflow-checked arithmetic. */
#include <stdint.h>

#include "Test.h"
#include "core/SocketSecurity.h"

TEST (security_limits_are_consistent)
{
  SocketSecurityLimits l;
  size_t uri = 0, hdr = 0, nhdr = 0, body = 0, frame = 0, msg = 0;

  memset (&l, 0, sizeof l);
  SocketSecurity_get_limits (&l);
  ASSERT_UEQ (l.max_allocation, SOCKET_SECURITY_MAX_ALLOCATION);
  ASSERT_UEQ (l.max_buffer_size, SOCKET_MAX_BUFFER_SIZE);
  ASSERT_UEQ (l.max_connections, SOCKET_MAX_CONNECTIONS);
  ASSERT_UEQ (l.http_max_body_size, SOCKET_SECURITY_MAX_BODY_SIZE);
  ASSERT (l.http_max_header_name < l.http_max_header_value);
  ASSERT (l.http_max_header_value <= l.http_max_header_size);
  ASSERT (l.ws_max_frame_size <= l.ws_max_message_size);
  ASSERT_EQ (l.timeout_connect_ms, SOCKET_DEFAULT_CONNECT_TIMEOUT_MS);
  ASSERT_EQ (l.timeout_dns_ms, SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  ASSERT_UEQ (SocketSecurity_get_max_allocation (), l.max_allocation);
  SocketSecurity_get_http_limits (&uri, &hdr, &nhdr, &body);
  ASSERT_UEQ (uri, l.http_max_uri_length);
  ASSERT_UEQ (hdr, l.http_max_header_size);
  ASSERT_UEQ (nhdr, l.http_max_headers);
  ASSERT_UEQ (body, l.http_max_body_size);
  SocketSecurity_get_http_limits (NULL, NULL, NULL, NULL);
  SocketSecurity_get_ws_limits (&frame, &msg);
  ASSERT_UEQ (frame, l.ws_max_frame_size);
  ASSERT_UEQ (msg, l.ws_max_message_size);
  SocketSecurity_get_limits (NULL);
}

/* Every value of the original's table, literally. */
TEST (security_limit_values)
{
  SocketSecurityLimits l;
  SocketSecurity_get_limits (&l);
  ASSERT_UEQ (l.max_allocation, 268435456);
  ASSERT_UEQ (l.max_buffer_size, 1048576);
  ASSERT_UEQ (l.max_connections, 10000);
  ASSERT_UEQ (l.http_max_uri_length, 8192);
  ASSERT_UEQ (l.http_max_header_name, 256);
  ASSERT_UEQ (l.http_max_header_value, 8192);
  ASSERT_UEQ (l.http_max_header_size, 65536);
  ASSERT_UEQ (l.http_max_headers, 100);
  ASSERT_UEQ (l.http_max_body_size, 104857600);
  ASSERT_UEQ (l.http1_max_request_line, 8192);
  ASSERT_UEQ (l.http1_max_chunk_size, 16777216);
  ASSERT_UEQ (l.http2_max_concurrent_streams, 100);
  ASSERT_UEQ (l.http2_max_frame_size, 16384);
  ASSERT_UEQ (l.http2_max_header_list_size, 16384);
  ASSERT_UEQ (l.ws_max_frame_size, 16777216);
  ASSERT_UEQ (l.ws_max_message_size, 67108864);
  ASSERT_UEQ (l.tls_max_cert_chain_depth, 10);
  ASSERT_UEQ (l.tls_session_cache_size, 1000);
  ASSERT_UEQ (l.ratelimit_conn_per_sec, 100);
  ASSERT_UEQ (l.ratelimit_burst, 50);
  ASSERT_UEQ (l.ratelimit_max_per_ip, 10);
  ASSERT_EQ (l.timeout_connect_ms, 30000);
  ASSERT_EQ (l.timeout_dns_ms, 5000);
  ASSERT_EQ (l.timeout_idle_ms, 300000);
  ASSERT_EQ (l.timeout_request_ms, 60000);
}

TEST (security_exception_reasons)
{
  ASSERT_STREQ (SocketSecurity_SizeExceeded.reason,
                "Allocation or buffer size exceeds security limits");
  ASSERT_STREQ (SocketSecurity_ValidationFailed.reason, "Input validation failed");
  ASSERT (SocketSecurity_SizeExceeded.type == &SocketSecurity_SizeExceeded);
}

TEST (security_size_checks)
{
  ASSERT_EQ (SocketSecurity_check_size (0), 0);
  ASSERT_EQ (SocketSecurity_check_size (1), 1);
  ASSERT_EQ (SocketSecurity_check_size (SOCKET_SECURITY_MAX_ALLOCATION), 1);
  ASSERT_EQ (SocketSecurity_check_size ((size_t)SOCKET_SECURITY_MAX_ALLOCATION + 1), 0);
  ASSERT (SOCKET_SECURITY_VALID_SIZE (4096));
  ASSERT (!SOCKET_SECURITY_VALID_SIZE (0));
}

TEST (security_overflow_arithmetic)
{
  size_t r = 77;

  ASSERT_EQ (SocketSecurity_check_multiply (SIZE_MAX / 2, 3, &r), 0);
  ASSERT_UEQ (r, 77); /* untouched on overflow */
  ASSERT_EQ (SocketSecurity_check_multiply (1u << 20, 1u << 10, &r), 1);
  ASSERT_UEQ (r, (size_t)1 << 30);
  ASSERT_EQ (SocketSecurity_check_multiply (0, SIZE_MAX, &r), 1);
  ASSERT_UEQ (r, 0);
  ASSERT_EQ (SocketSecurity_check_add (SIZE_MAX, 1, &r), 0);
  ASSERT_EQ (SocketSecurity_check_add (SIZE_MAX - 1, 1, &r), 1);
  ASSERT_UEQ (r, SIZE_MAX);
  ASSERT_UEQ (SocketSecurity_safe_multiply (SIZE_MAX, 2), 0); /* original's sentinel */
  ASSERT_UEQ (SocketSecurity_safe_multiply ((size_t)1 << 33, (size_t)1 << 33), 0);
  ASSERT_UEQ (SocketSecurity_safe_multiply (0, SIZE_MAX), 0);
  ASSERT_UEQ (SocketSecurity_safe_multiply (SIZE_MAX, 1), SIZE_MAX);
  ASSERT_UEQ (SocketSecurity_safe_multiply (6, 7), 42);
  ASSERT_UEQ (SocketSecurity_safe_add (SIZE_MAX, 5), SIZE_MAX);
  ASSERT_UEQ (SocketSecurity_safe_add (40, 2), 42);
  ASSERT (SOCKET_SECURITY_CHECK_OVERFLOW_MUL (0, SIZE_MAX));
  ASSERT (SOCKET_SECURITY_CHECK_OVERFLOW_MUL (SIZE_MAX, 0)); /* b == 0 */
  ASSERT (SOCKET_SECURITY_CHECK_OVERFLOW_MUL (SIZE_MAX / 3, 3));
  ASSERT (!SOCKET_SECURITY_CHECK_OVERFLOW_MUL (SIZE_MAX / 3 + 1, 3));
  ASSERT (!SOCKET_SECURITY_CHECK_OVERFLOW_MUL (SIZE_MAX, 2));
  ASSERT (SOCKET_SECURITY_CHECK_OVERFLOW_ADD (1, SIZE_MAX - 1));
  ASSERT (!SOCKET_SECURITY_CHECK_OVERFLOW_ADD (2, SIZE_MAX - 1));
}

TEST (security_feature_flags)
{
#ifdef SOCKET_HAS_TLS
  ASSERT_EQ (SocketSecurity_has_tls (), 1);
#else
  ASSERT_EQ (SocketSecurity_has_tls (), 0);
#endif
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  ASSERT_EQ (SocketSecurity_has_compression (), 1);
#else
  ASSERT_EQ (SocketSecurity_has_compression (), 0);
#endif
}

TEST_MAIN ()
