/**
 * @file SocketConfig.h
 * @brief Compile-time limits, defaults and platform feature macros.
 *
 * Every numeric tuning macro may be overridden by defining it before this
 * header is included (or with -D); the values here are the defaults and are
 * part of the ABI contract of the original library. Platform macros
 * (SOCKET_HAS_*, SOCKET_SO_*, ...) mirror what the system headers provide.
 */
#ifndef SOCKETCONFIG_INCLUDED
#define SOCKETCONFIG_INCLUDED

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/SocketExport.h"

/** Timeouts used by Socket_timeouts_* (milliseconds; 0 = none). */
typedef struct SocketTimeouts
{
  int connect_timeout_ms;   /**< connect() deadline */
  int dns_timeout_ms;       /**< name resolution deadline */
  int operation_timeout_ms; /**< per-I/O-operation deadline */
} SocketTimeouts_T;

/** Alignment probe: the strictest alignment any allocation must satisfy. */
union align
{
  int i;
  long l;
  long *lp;
  void *p;
  void (*fp) (void);
  float f;
  double d;
  long double ld;
};

/**
 * @brief Thread-safe strerror(): the text of @p errnum.
 * @return a pointer to a thread-local buffer, valid until the next call on
 *         the same thread. Never NULL.
 */
extern SOCKET_API const char *Socket_safe_strerror (int errnum);

/** Expand @p x unevaluated into a string literal. */
#define SOCKET_STRINGIFY(x) #x
/** Expand macros in @p x, then stringify. */
#define SOCKET_TO_STRING(x) SOCKET_STRINGIFY (x)
/** True for a usable TCP/UDP port (0 = any, for bind). */
#define SOCKET_VALID_PORT(p) ((int)(p) >= 0 && (int)(p) <= SOCKET_MAX_PORT)
/** True for a buffer size within [SOCKET_MIN_BUFFER_SIZE, SOCKET_MAX_BUFFER_SIZE]. */
#define SOCKET_VALID_BUFFER_SIZE(s)                                           \
  ((size_t)(s) >= SOCKET_MIN_BUFFER_SIZE && (size_t)(s) <= SOCKET_MAX_BUFFER_SIZE)
/** True for a connection count within [1, SOCKET_MAX_CONNECTIONS]. */
#define SOCKET_VALID_CONNECTION_COUNT(c)                                      \
  ((size_t)(c) > 0 && (size_t)(c) <= SOCKET_MAX_CONNECTIONS)
/** True for a poll event capacity within [1, SOCKET_MAX_POLL_EVENTS]. */
#define SOCKET_VALID_POLL_EVENTS(e)                                           \
  ((int)(e) > 0 && (int)(e) <= SOCKET_MAX_POLL_EVENTS)
/** True for a non-NULL, non-empty IP string (no length or syntax check). */
#define SOCKET_VALID_IP_STRING(ip) ((ip) != NULL && (ip)[0] != '\0')
/**
 * Close @p fd when it is >= 0, without retrying on EINTR; any other close
 * error prints "close failed: <strerror>" to stderr. @p fd is not modified
 * (an rvalue works) and is evaluated more than once.
 */
#define SAFE_CLOSE(fd)                                                        \
  do                                                                          \
    {                                                                         \
      if ((fd) >= 0 && close (fd) < 0 && errno != EINTR)                      \
        fprintf (stderr, "close failed: %s\n", Socket_safe_strerror (errno)); \
    }                                                                         \
  while (0)

/* ---- Constants (values are the original library's defaults) ---------- */

#ifndef SOCKET_VERSION_MAJOR
#define SOCKET_VERSION_MAJOR 0
#endif
#ifndef SOCKET_VERSION_MINOR
#define SOCKET_VERSION_MINOR 1
#endif
#ifndef SOCKET_VERSION_PATCH
#define SOCKET_VERSION_PATCH 0
#endif
#ifndef SOCKET_VERSION_STRING
#define SOCKET_VERSION_STRING "0.1.0"
#endif
#ifndef SOCKET_VERSION
#define SOCKET_VERSION 100
#endif
#ifndef SOCKET_MAX_CONNECTIONS
#define SOCKET_MAX_CONNECTIONS 10000UL
#endif
#ifndef SOCKET_MAX_BUFFER_SIZE
#define SOCKET_MAX_BUFFER_SIZE (1024 * 1024)
#endif
#ifndef SOCKET_MIN_BUFFER_SIZE
#define SOCKET_MIN_BUFFER_SIZE 512
#endif
#ifndef UDP_MAX_PAYLOAD
#define UDP_MAX_PAYLOAD 65507UL
#endif
#ifndef SAFE_UDP_SIZE
#define SAFE_UDP_SIZE 1472UL
#endif
#ifndef SOCKET_SENDFILE_FALLBACK_BUFFER_SIZE
#define SOCKET_SENDFILE_FALLBACK_BUFFER_SIZE 8192
#endif
#ifndef SOCKET_MAX_TTL
#define SOCKET_MAX_TTL 255
#endif
#ifndef SOCKET_IPV6_MAX_PREFIX
#define SOCKET_IPV6_MAX_PREFIX 128
#endif
#ifndef SOCKET_IPV4_MAX_PREFIX
#define SOCKET_IPV4_MAX_PREFIX 32
#endif
#ifndef SOCKET_MAX_PORT
#define SOCKET_MAX_PORT 65535
#endif
#ifndef SOCKET_MAX_POLL_EVENTS
#define SOCKET_MAX_POLL_EVENTS 10000
#endif
#ifndef SOCKET_MAX_LISTEN_BACKLOG
#define SOCKET_MAX_LISTEN_BACKLOG 1024
#endif
#ifndef SOCKET_MAX_FDS_PER_MSG
#define SOCKET_MAX_FDS_PER_MSG 253
#endif
#ifndef SOCKET_HASH_TABLE_SIZE
#define SOCKET_HASH_TABLE_SIZE 1021
#endif
#ifndef ARENA_CHUNK_SIZE
#define ARENA_CHUNK_SIZE (10 * 1024)
#endif
#ifndef ARENA_MAX_ALLOC_SIZE
#define ARENA_MAX_ALLOC_SIZE (100 * 1024 * 1024)
#endif
#ifndef ARENA_MAX_FREE_CHUNKS
#define ARENA_MAX_FREE_CHUNKS 10
#endif
#ifndef ARENA_ERROR_BUFSIZE
#define ARENA_ERROR_BUFSIZE 256
#endif
#ifndef SOCKETBUF_MIN_CAPACITY
#define SOCKETBUF_MIN_CAPACITY 512
#endif
#ifndef SOCKETBUF_INITIAL_CAPACITY
#define SOCKETBUF_INITIAL_CAPACITY 1024
#endif
#ifndef SOCKETBUF_ALLOC_OVERHEAD
#define SOCKETBUF_ALLOC_OVERHEAD 64
#endif
#ifndef SOCKETBUF_MAX_CAPACITY
#define SOCKETBUF_MAX_CAPACITY (SIZE_MAX / 2)
#endif
#ifndef SOCKET_DNS_THREAD_COUNT
#define SOCKET_DNS_THREAD_COUNT 4
#endif
#ifndef SOCKET_DNS_MAX_PENDING
#define SOCKET_DNS_MAX_PENDING 1000
#endif
#ifndef SOCKET_DNS_MAX_LABEL_LENGTH
#define SOCKET_DNS_MAX_LABEL_LENGTH 63
#endif
#ifndef SOCKET_DNS_WORKER_STACK_SIZE
#define SOCKET_DNS_WORKER_STACK_SIZE (128 * 1024)
#endif
#ifndef SOCKET_DNS_REQUEST_HASH_SIZE
#define SOCKET_DNS_REQUEST_HASH_SIZE 1021
#endif
#ifndef SOCKET_DNS_PIPE_BUFFER_SIZE
#define SOCKET_DNS_PIPE_BUFFER_SIZE 256
#endif
#ifndef SOCKET_DNS_COMPLETION_SIGNAL_BYTE
#define SOCKET_DNS_COMPLETION_SIGNAL_BYTE 1
#endif
#ifndef SOCKET_DNS_PORT_STR_SIZE
#define SOCKET_DNS_PORT_STR_SIZE 16
#endif
#ifndef SOCKET_DNS_THREAD_NAME_SIZE
#define SOCKET_DNS_THREAD_NAME_SIZE 16
#endif
#ifndef POLL_INITIAL_FDS
#define POLL_INITIAL_FDS 64
#endif
#ifndef POLL_INITIAL_FD_MAP_SIZE
#define POLL_INITIAL_FD_MAP_SIZE 1024
#endif
#ifndef POLL_FD_MAP_EXPAND_INCREMENT
#define POLL_FD_MAP_EXPAND_INCREMENT 1024
#endif
#ifndef SOCKET_MAX_TIMER_TIMEOUT_MS
#define SOCKET_MAX_TIMER_TIMEOUT_MS 300000
#endif
#ifndef SOCKET_TIMER_ERROR_BUFSIZE
#define SOCKET_TIMER_ERROR_BUFSIZE 256
#endif
#ifndef SOCKET_TIMER_HEAP_INITIAL_CAPACITY
#define SOCKET_TIMER_HEAP_INITIAL_CAPACITY 16
#endif
#ifndef SOCKET_TIMER_HEAP_GROWTH_FACTOR
#define SOCKET_TIMER_HEAP_GROWTH_FACTOR 2
#endif
#ifndef SOCKET_EVENT_MAX_HANDLERS
#define SOCKET_EVENT_MAX_HANDLERS 8
#endif
#ifndef SOCKET_RATELIMIT_DEFAULT_CONN_PER_SEC
#define SOCKET_RATELIMIT_DEFAULT_CONN_PER_SEC 100
#endif
#ifndef SOCKET_RATELIMIT_DEFAULT_BURST
#define SOCKET_RATELIMIT_DEFAULT_BURST 50
#endif
#ifndef SOCKET_RATELIMIT_DEFAULT_MAX_PER_IP
#define SOCKET_RATELIMIT_DEFAULT_MAX_PER_IP 10
#endif
#ifndef SOCKET_RATELIMIT_DEFAULT_BANDWIDTH_BPS
#define SOCKET_RATELIMIT_DEFAULT_BANDWIDTH_BPS 0
#endif
#ifndef SOCKET_IP_TRACKER_HASH_SIZE
#define SOCKET_IP_TRACKER_HASH_SIZE 1021
#endif
#ifndef SOCKET_IP_MAX_LEN
#define SOCKET_IP_MAX_LEN 64
#endif
#ifndef SOCKET_SYN_DEFAULT_WINDOW_MS
#define SOCKET_SYN_DEFAULT_WINDOW_MS 10000
#endif
#ifndef SOCKET_SYN_DEFAULT_MAX_PER_WINDOW
#define SOCKET_SYN_DEFAULT_MAX_PER_WINDOW 50
#endif
#ifndef SOCKET_SYN_DEFAULT_GLOBAL_PER_SEC
#define SOCKET_SYN_DEFAULT_GLOBAL_PER_SEC 1000
#endif
#ifndef SOCKET_SYN_DEFAULT_MIN_SUCCESS_RATIO
#define SOCKET_SYN_DEFAULT_MIN_SUCCESS_RATIO 0.3f
#endif
#ifndef SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS
#define SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS 100
#endif
#ifndef SOCKET_SYN_DEFAULT_BLOCK_DURATION_MS
#define SOCKET_SYN_DEFAULT_BLOCK_DURATION_MS 60000
#endif
#ifndef SOCKET_SYN_DEFAULT_DEFER_SEC
#define SOCKET_SYN_DEFAULT_DEFER_SEC 5
#endif
#ifndef SOCKET_SYN_DEFAULT_SCORE_THROTTLE
#define SOCKET_SYN_DEFAULT_SCORE_THROTTLE 0.7f
#endif
#ifndef SOCKET_SYN_DEFAULT_SCORE_CHALLENGE
#define SOCKET_SYN_DEFAULT_SCORE_CHALLENGE 0.4f
#endif
#ifndef SOCKET_SYN_DEFAULT_SCORE_BLOCK
#define SOCKET_SYN_DEFAULT_SCORE_BLOCK 0.2f
#endif
#ifndef SOCKET_SYN_DEFAULT_SCORE_DECAY
#define SOCKET_SYN_DEFAULT_SCORE_DECAY 0.01f
#endif
#ifndef SOCKET_SYN_DEFAULT_PENALTY_ATTEMPT
#define SOCKET_SYN_DEFAULT_PENALTY_ATTEMPT 0.02f
#endif
#ifndef SOCKET_SYN_DEFAULT_PENALTY_FAILURE
#define SOCKET_SYN_DEFAULT_PENALTY_FAILURE 0.05f
#endif
#ifndef SOCKET_SYN_DEFAULT_REWARD_SUCCESS
#define SOCKET_SYN_DEFAULT_REWARD_SUCCESS 0.05f
#endif
#ifndef SOCKET_SYN_DEFAULT_MAX_TRACKED_IPS
#define SOCKET_SYN_DEFAULT_MAX_TRACKED_IPS 100000
#endif
#ifndef SOCKET_SYN_DEFAULT_MAX_WHITELIST
#define SOCKET_SYN_DEFAULT_MAX_WHITELIST 1000
#endif
#ifndef SOCKET_SYN_DEFAULT_MAX_BLACKLIST
#define SOCKET_SYN_DEFAULT_MAX_BLACKLIST 10000
#endif
#ifndef SOCKET_SYN_TRUSTED_SCORE_THRESHOLD
#define SOCKET_SYN_TRUSTED_SCORE_THRESHOLD 0.9f
#endif
#ifndef SOCKET_IPV6_ADDR_BYTES
#define SOCKET_IPV6_ADDR_BYTES 16
#endif
#ifndef SOCKET_IPV4_ADDR_BYTES
#define SOCKET_IPV4_ADDR_BYTES 4
#endif
#ifndef SOCKET_BITS_PER_BYTE
#define SOCKET_BITS_PER_BYTE 8
#endif
#ifndef SOCKET_LOG_BUFFER_SIZE
#define SOCKET_LOG_BUFFER_SIZE 1024
#endif
#ifndef SOCKET_ERROR_BUFSIZE
#define SOCKET_ERROR_BUFSIZE 1024
#endif
#ifndef SOCKET_STRERROR_BUFSIZE
#define SOCKET_STRERROR_BUFSIZE 128
#endif
#ifndef SOCKET_ERROR_MAX_HOSTNAME
#define SOCKET_ERROR_MAX_HOSTNAME 255
#endif
#ifndef SOCKET_ERROR_MAX_MESSAGE
#define SOCKET_ERROR_MAX_MESSAGE 512
#endif
#ifndef SOCKET_ERROR_TRUNCATION_MARKER
#define SOCKET_ERROR_TRUNCATION_MARKER ("... (truncated)")
#endif
#ifndef SOCKET_ERROR_TRUNCATION_SIZE
#define SOCKET_ERROR_TRUNCATION_SIZE 16
#endif
#ifndef SOCKET_PORT_STR_BUFSIZE
#define SOCKET_PORT_STR_BUFSIZE 16
#endif
#ifndef __APPLE__
#define SOCKET_PLATFORM_MACOS 0
#endif
#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
#ifndef SOCKET_HAS_SENDMSG
#define SOCKET_HAS_SENDMSG 1
#endif
#ifndef SOCKET_HAS_RECVMSG
#define SOCKET_HAS_RECVMSG 1
#endif
#ifndef SOCKET_DEFAULT_CONNECT_TIMEOUT_MS
#define SOCKET_DEFAULT_CONNECT_TIMEOUT_MS 30000
#endif
#ifndef SOCKET_CONNECT_HAPPY_EYEBALLS
#define SOCKET_CONNECT_HAPPY_EYEBALLS 0
#endif
#ifndef SOCKET_DEFAULT_DNS_TIMEOUT_MS
#define SOCKET_DEFAULT_DNS_TIMEOUT_MS 5000
#endif
#ifndef SOCKET_DEFAULT_OPERATION_TIMEOUT_MS
#define SOCKET_DEFAULT_OPERATION_TIMEOUT_MS 0
#endif
#ifndef SOCKET_DEFAULT_IDLE_TIMEOUT
#define SOCKET_DEFAULT_IDLE_TIMEOUT 300
#endif
#ifndef SOCKET_DEFAULT_POLL_TIMEOUT
#define SOCKET_DEFAULT_POLL_TIMEOUT 1000
#endif
#ifndef SOCKET_DEFAULT_POOL_SIZE
#define SOCKET_DEFAULT_POOL_SIZE 1000
#endif
#ifndef SOCKET_DEFAULT_POOL_BUFSIZE
#define SOCKET_DEFAULT_POOL_BUFSIZE 8192
#endif
#ifndef SOCKET_POOL_DEFAULT_PREWARM_PCT
#define SOCKET_POOL_DEFAULT_PREWARM_PCT 20
#endif
#ifndef SOCKET_POOL_MAX_BATCH_ACCEPTS
#define SOCKET_POOL_MAX_BATCH_ACCEPTS 1000
#endif
#ifndef SOCKET_POOL_MAX_ASYNC_PENDING
#define SOCKET_POOL_MAX_ASYNC_PENDING 1000
#endif
#ifndef SOCKET_PERCENTAGE_DIVISOR
#define SOCKET_PERCENTAGE_DIVISOR 100
#endif
#ifndef HASH_GOLDEN_RATIO
#define HASH_GOLDEN_RATIO 2654435761u
#endif
#ifndef ARENA_ALIGNMENT_SIZE
#define ARENA_ALIGNMENT_SIZE sizeof (union align)
#endif
#ifndef ARENA_VALIDATION_SUCCESS
#define ARENA_VALIDATION_SUCCESS 1
#endif
#ifndef ARENA_VALIDATION_FAILURE
#define ARENA_VALIDATION_FAILURE 0
#endif
#ifndef ARENA_SUCCESS
#define ARENA_SUCCESS 0
#endif
#ifndef ARENA_FAILURE
#define ARENA_FAILURE (-1)
#endif
#ifndef ARENA_CHUNK_REUSED
#define ARENA_CHUNK_REUSED 1
#endif
#ifndef ARENA_CHUNK_NOT_REUSED
#define ARENA_CHUNK_NOT_REUSED 0
#endif
#ifndef ARENA_SIZE_VALID
#define ARENA_SIZE_VALID 1
#endif
#ifndef ARENA_SIZE_INVALID
#define ARENA_SIZE_INVALID 0
#endif
#ifndef ARENA_ENOMEM
#define ARENA_ENOMEM ("Out of memory")
#endif
#ifndef SOCKET_MS_PER_SECOND
#define SOCKET_MS_PER_SECOND 1000
#endif
#ifndef SOCKET_NS_PER_MS
#define SOCKET_NS_PER_MS 1000000LL
#endif
#ifndef SOCKET_DEFAULT_IO_URING_ENTRIES
#define SOCKET_DEFAULT_IO_URING_ENTRIES 1024
#endif
#ifndef SOCKET_MAX_EVENT_BATCH
#define SOCKET_MAX_EVENT_BATCH 100
#endif
#ifndef SOCKET_PORT_VALID_RANGE
#define SOCKET_PORT_VALID_RANGE "1-65535"
#endif
#ifndef SOCKET_TTL_VALID_RANGE
#define SOCKET_TTL_VALID_RANGE "1-255"
#endif
#ifndef SOCKET_IPV4_PREFIX_RANGE
#define SOCKET_IPV4_PREFIX_RANGE "0-32"
#endif
#ifndef SOCKET_IPV6_PREFIX_RANGE
#define SOCKET_IPV6_PREFIX_RANGE "0-128"
#endif
#ifndef SOCKET_STREAM_TYPE
#define SOCKET_STREAM_TYPE SOCK_STREAM
#endif
#ifndef SOCKET_DGRAM_TYPE
#define SOCKET_DGRAM_TYPE SOCK_DGRAM
#endif
#ifndef SOCKET_AF_UNSPEC
#define SOCKET_AF_UNSPEC AF_UNSPEC
#endif
#ifndef SOCKET_AF_INET
#define SOCKET_AF_INET AF_INET
#endif
#ifndef SOCKET_AF_INET6
#define SOCKET_AF_INET6 AF_INET6
#endif
#ifndef SOCKET_AF_UNIX
#define SOCKET_AF_UNIX AF_UNIX
#endif
#ifndef SOCKET_IPPROTO_TCP
#define SOCKET_IPPROTO_TCP IPPROTO_TCP
#endif
#ifndef SOCKET_IPPROTO_UDP
#define SOCKET_IPPROTO_UDP IPPROTO_UDP
#endif
#ifndef SOCKET_IPPROTO_IP
#define SOCKET_IPPROTO_IP IPPROTO_IP
#endif
#ifndef SOCKET_IPPROTO_IPV6
#define SOCKET_IPPROTO_IPV6 IPPROTO_IPV6
#endif
#ifndef SOCKET_SOL_SOCKET
#define SOCKET_SOL_SOCKET SOL_SOCKET
#endif
#ifndef SOCKET_SO_REUSEADDR
#define SOCKET_SO_REUSEADDR SO_REUSEADDR
#endif
#ifdef SO_REUSEPORT
#define SOCKET_SO_REUSEPORT SO_REUSEPORT
#endif
#ifdef SO_REUSEPORT
#define SOCKET_HAS_SO_REUSEPORT 1
#endif
#ifdef SOCK_CLOEXEC
#define SOCKET_SOCK_CLOEXEC SOCK_CLOEXEC
#endif
#ifdef SOCK_CLOEXEC
#define SOCKET_HAS_SOCK_CLOEXEC 1
#endif
#ifdef __linux__
#define SOCKET_HAS_ACCEPT4 1
#endif
#ifdef __linux__
#define SOCKET_SO_DOMAIN SO_DOMAIN
#endif
#ifdef __linux__
#define SOCKET_HAS_SO_DOMAIN 1
#endif
#ifndef SOCKET_FD_CLOEXEC
#define SOCKET_FD_CLOEXEC FD_CLOEXEC
#endif
#ifndef SOCKET_SO_BROADCAST
#define SOCKET_SO_BROADCAST SO_BROADCAST
#endif
#ifndef SOCKET_SO_KEEPALIVE
#define SOCKET_SO_KEEPALIVE SO_KEEPALIVE
#endif
#ifndef SOCKET_SO_RCVTIMEO
#define SOCKET_SO_RCVTIMEO SO_RCVTIMEO
#endif
#ifndef SOCKET_SO_SNDTIMEO
#define SOCKET_SO_SNDTIMEO SO_SNDTIMEO
#endif
#ifndef SOCKET_SO_RCVBUF
#define SOCKET_SO_RCVBUF SO_RCVBUF
#endif
#ifndef SOCKET_SO_SNDBUF
#define SOCKET_SO_SNDBUF SO_SNDBUF
#endif
#ifndef SOCKET_SO_PEERCRED
#define SOCKET_SO_PEERCRED SO_PEERCRED
#endif
#ifndef SOCKET_TCP_NODELAY
#define SOCKET_TCP_NODELAY TCP_NODELAY
#endif
#ifndef SOCKET_TCP_KEEPIDLE
#define SOCKET_TCP_KEEPIDLE TCP_KEEPIDLE
#endif
#ifndef SOCKET_TCP_KEEPINTVL
#define SOCKET_TCP_KEEPINTVL TCP_KEEPINTVL
#endif
#ifndef SOCKET_TCP_KEEPCNT
#define SOCKET_TCP_KEEPCNT TCP_KEEPCNT
#endif
#ifdef TCP_CONGESTION
#define SOCKET_TCP_CONGESTION TCP_CONGESTION
#endif
#ifdef TCP_CONGESTION
#define SOCKET_HAS_TCP_CONGESTION 1
#endif
#ifdef TCP_FASTOPEN
#define SOCKET_TCP_FASTOPEN TCP_FASTOPEN
#endif
#ifdef TCP_FASTOPEN
#define SOCKET_HAS_TCP_FASTOPEN 1
#endif
#ifdef TCP_USER_TIMEOUT
#define SOCKET_TCP_USER_TIMEOUT TCP_USER_TIMEOUT
#endif
#ifdef TCP_USER_TIMEOUT
#define SOCKET_HAS_TCP_USER_TIMEOUT 1
#endif
#ifdef TCP_DEFER_ACCEPT
#define SOCKET_TCP_DEFER_ACCEPT TCP_DEFER_ACCEPT
#endif
#ifdef TCP_DEFER_ACCEPT
#define SOCKET_HAS_TCP_DEFER_ACCEPT 1
#endif
#ifndef SO_ACCEPTFILTER
#define SOCKET_HAS_SO_ACCEPTFILTER 0
#endif
#ifndef SOCKET_IPV6_V6ONLY
#define SOCKET_IPV6_V6ONLY IPV6_V6ONLY
#endif
#ifdef IPV6_ADD_MEMBERSHIP
#define SOCKET_IPV6_ADD_MEMBERSHIP IPV6_ADD_MEMBERSHIP
#endif
#ifdef IPV6_DROP_MEMBERSHIP
#define SOCKET_IPV6_DROP_MEMBERSHIP IPV6_DROP_MEMBERSHIP
#endif
#ifndef SOCKET_IPV6_UNICAST_HOPS
#define SOCKET_IPV6_UNICAST_HOPS IPV6_UNICAST_HOPS
#endif
#ifndef SOCKET_IP_TTL
#define SOCKET_IP_TTL IP_TTL
#endif
#ifndef SOCKET_IP_ADD_MEMBERSHIP
#define SOCKET_IP_ADD_MEMBERSHIP IP_ADD_MEMBERSHIP
#endif
#ifndef SOCKET_IP_DROP_MEMBERSHIP
#define SOCKET_IP_DROP_MEMBERSHIP IP_DROP_MEMBERSHIP
#endif
#ifndef SOCKET_AI_PASSIVE
#define SOCKET_AI_PASSIVE AI_PASSIVE
#endif
#ifndef SOCKET_AI_NUMERICHOST
#define SOCKET_AI_NUMERICHOST AI_NUMERICHOST
#endif
#ifndef SOCKET_AI_NUMERICSERV
#define SOCKET_AI_NUMERICSERV AI_NUMERICSERV
#endif
#ifndef SOCKET_NI_NUMERICHOST
#define SOCKET_NI_NUMERICHOST NI_NUMERICHOST
#endif
#ifndef SOCKET_NI_NUMERICSERV
#define SOCKET_NI_NUMERICSERV NI_NUMERICSERV
#endif
#ifndef SOCKET_NI_MAXHOST
#define SOCKET_NI_MAXHOST NI_MAXHOST
#endif
#ifndef SOCKET_NI_MAXSERV
#define SOCKET_NI_MAXSERV NI_MAXSERV
#endif
#ifndef SOCKET_SHUT_RD
#define SOCKET_SHUT_RD SHUT_RD
#endif
#ifndef SOCKET_SHUT_WR
#define SOCKET_SHUT_WR SHUT_WR
#endif
#ifndef SOCKET_SHUT_RDWR
#define SOCKET_SHUT_RDWR SHUT_RDWR
#endif
#ifndef SOCKET_MSG_NOSIGNAL
#define SOCKET_MSG_NOSIGNAL MSG_NOSIGNAL
#endif
#ifndef SO_NOSIGPIPE
#define SOCKET_HAS_SO_NOSIGPIPE 0
#endif
#ifndef SOCKET_DEFAULT_KEEPALIVE_IDLE
#define SOCKET_DEFAULT_KEEPALIVE_IDLE 60
#endif
#ifndef SOCKET_DEFAULT_KEEPALIVE_INTERVAL
#define SOCKET_DEFAULT_KEEPALIVE_INTERVAL 10
#endif
#ifndef SOCKET_DEFAULT_KEEPALIVE_COUNT
#define SOCKET_DEFAULT_KEEPALIVE_COUNT 3
#endif
#ifndef SOCKET_DEFAULT_DATAGRAM_TTL
#define SOCKET_DEFAULT_DATAGRAM_TTL 64
#endif
#ifndef SOCKET_MULTICAST_DEFAULT_INTERFACE
#define SOCKET_MULTICAST_DEFAULT_INTERFACE 0
#endif

#endif /* SOCKETCONFIG_INCLUDED */
