/**
 * @file SocketCommon.h
 * @brief Helpers shared by the stream and datagram socket modules: address
 *        resolution, option setting, iovec arithmetic, bind helpers, CIDR
 *        matching, default timeouts and live-object counters.
 *
 * Public because socket/Socket.h and socket/SocketDgram.h expose
 * SocketBase_T; most applications never call these directly.
 *
 * Functions taking an `Except_T exception_type` raise a copy of that
 * exception (so callers see their own module's exception) with the message
 * in Socket_GetLastError().
 */
#ifndef SOCKETCOMMON_INCLUDED
#define SOCKETCOMMON_INCLUDED

#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketConfig.h"

/** State shared by Socket_T and SocketDgram_T (fd, endpoints, arena). */
typedef struct SocketBase_T *SocketBase_T;
#define SocketBase_T SocketBase_T

/** Asynchronous resolver (dns/SocketDNS.h). */
typedef struct SocketDNS_T *SocketDNS_T;

extern SOCKET_API const Except_T Socket_Failed;
extern SOCKET_API const Except_T SocketDgram_Failed;
/** Raised by SocketCommon helpers called without a module exception. */
extern SOCKET_API const Except_T SocketCommon_Failed;

/** Process-wide default timeouts (Socket_timeouts_setdefaults). */
extern SOCKET_API SocketTimeouts_T socket_default_timeouts;
/** Guards socket_default_timeouts. */
extern SOCKET_API pthread_mutex_t socket_default_timeouts_mutex;

/** Thread-safe live-object counter (leak checks in tests). */
struct SocketLiveCount
{
  int count;
  pthread_mutex_t mutex;
};
#define SOCKETLIVECOUNT_STATIC_INIT { 0, PTHREAD_MUTEX_INITIALIZER }

static inline void
SocketLiveCount_increment (struct SocketLiveCount *tracker)
{
  pthread_mutex_lock (&tracker->mutex);
  tracker->count++;
  pthread_mutex_unlock (&tracker->mutex);
}

static inline void
SocketLiveCount_decrement (struct SocketLiveCount *tracker)
{
  pthread_mutex_lock (&tracker->mutex);
  if (tracker->count > 0)
    tracker->count--;
  pthread_mutex_unlock (&tracker->mutex);
}

static inline int
SocketLiveCount_get (struct SocketLiveCount *tracker)
{
  int n;
  pthread_mutex_lock (&tracker->mutex);
  n = tracker->count;
  pthread_mutex_unlock (&tracker->mutex);
  return n;
}

/** @brief 1 if @p addr holds a bound IPv4 address (family AF_INET, port set). */
static inline int
SocketCommon_check_bound_ipv4 (const struct sockaddr_storage *addr)
{
  const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
  /* The family is not checked (as in the original): only the port. */
  return addr != NULL && in->sin_port != 0;
}

/** @brief 1 if @p addr holds a bound IPv6 address. */
static inline int
SocketCommon_check_bound_ipv6 (const struct sockaddr_storage *addr)
{
  const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
  return addr != NULL && in6->sin6_port != 0;
}

/** @brief Always 1: any AF_UNIX socket counts as bound (as in the original). */
static inline int
SocketCommon_check_bound_unix (const struct sockaddr_storage *addr)
{
  (void)addr;
  return 1;
}

/** @brief Dispatch on the address family. */
static inline int
SocketCommon_check_bound_by_family (const struct sockaddr_storage *addr)
{
  if (addr == NULL)
    return 0;
  switch (addr->ss_family)
    {
    case AF_INET: return SocketCommon_check_bound_ipv4 (addr);
    case AF_INET6: return SocketCommon_check_bound_ipv6 (addr);
    case AF_UNIX: return SocketCommon_check_bound_unix (addr);
    default: return 0;
    }
}

/* Declared at file scope so prototypes using it compile even when
 * <netdb.h> hides it (strict -std=c11 without POSIX feature macros). */
struct addrinfo;

/* --- resolution and validation ------------------------------------- */
extern SOCKET_API void SocketCommon_setup_hints (struct addrinfo *hints, int socktype, int flags);
/**
 * @brief Resolve @p host (NULL = wildcard, AI_PASSIVE) and @p port through
 *        the shared resolver with the global DNS timeout. @p hints NULL =
 *        AF_UNSPEC/SOCK_STREAM. @p socket_family other than AF_UNSPEC
 *        requires at least one entry of that family (others stay listed).
 *        *res is freed with SocketCommon_free_addrinfo() or freeaddrinfo().
 * @return 0 on success; with use_exceptions == 0, -1 on failure instead of raising.
 */
extern SOCKET_API int SocketCommon_resolve_address (const char *host, int port, const struct addrinfo *hints,
                                                    struct addrinfo **res, Except_T exception_type,
                                                    int socket_family, int use_exceptions);
extern SOCKET_API void SocketCommon_validate_port (int port, Except_T exception_type);
extern SOCKET_API void SocketCommon_validate_hostname (const char *host, Except_T exception_type);
/** @brief "0.0.0.0", "::" and "*" become NULL (any address); others unchanged. */
extern SOCKET_API const char *SocketCommon_normalize_wildcard_host (const char *host);
/** @brief Format @p addr into arena strings. @return 0 on success, -1 on failure. */
extern SOCKET_API int SocketCommon_cache_endpoint (Arena_T arena, const struct sockaddr *addr, socklen_t addrlen,
                                                   char **addr_out, int *port_out);
extern SOCKET_API int SocketCommon_setcloexec (int fd, int enable);
extern SOCKET_API int SocketCommon_has_cloexec (int fd);
extern SOCKET_API int SocketCommon_getoption_int (int fd, int level, int optname, int *value,
                                                  Except_T exception_type);
extern SOCKET_API int SocketCommon_getoption_timeval (int fd, int level, int optname, struct timeval *tv,
                                                      Except_T exception_type);
extern SOCKET_API int SocketCommon_reverse_lookup (const struct sockaddr *addr, socklen_t addrlen, char *host,
                                                   socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                                                   Except_T exception_type);
/** @brief 1 if @p ip_str is a numeric IPv4/IPv6 address (family stored), else 0. */
extern SOCKET_API int SocketCommon_parse_ip (const char *ip_str, int *family);
/** @brief 1 if @p ip_str lies in @p cidr_str, 0 if not, -1 if either is malformed. */
extern SOCKET_API int SocketCommon_cidr_match (const char *ip_str, const char *cidr_str);

/* --- base objects and options -------------------------------------- */
extern SOCKET_API SocketBase_T SocketCommon_new_base (int domain, int type, int protocol);
extern SOCKET_API void SocketCommon_free_base (SocketBase_T *base_ptr);
extern SOCKET_API void SocketCommon_set_option_int (SocketBase_T base, int level, int optname, int value,
                                                    Except_T exc_type);
extern SOCKET_API void SocketCommon_set_ttl (SocketBase_T base, int family, int ttl, Except_T exc_type);
extern SOCKET_API void SocketCommon_join_multicast (SocketBase_T base, const char *group, const char *interface,
                                                    Except_T exc_type);
extern SOCKET_API void SocketCommon_leave_multicast (SocketBase_T base, const char *group, const char *interface,
                                                     Except_T exc_type);
extern SOCKET_API void SocketCommon_set_nonblock (SocketBase_T base, bool enable, Except_T exc_type);

/* --- iovec helpers ---------------------------------------------------- */
/** @brief Sum of iov lengths; raises SocketCommon_Failed on overflow. */
extern SOCKET_API size_t SocketCommon_calculate_total_iov_len (const struct iovec *iov, int iovcnt);
/** @brief Consume @p bytes from the front of @p iov (in place). */
extern SOCKET_API void SocketCommon_advance_iov (struct iovec *iov, int iovcnt, size_t bytes);
/** @brief First non-empty iovec and how many remain (NULL when all empty). */
extern SOCKET_API struct iovec *SocketCommon_find_active_iov (struct iovec *iov, int iovcnt, int *active_iovcnt);
extern SOCKET_API void SocketCommon_sync_iov_progress (struct iovec *original, const struct iovec *copy, int iovcnt);
/** @brief malloc'd copy of @p iov (caller frees). */
extern SOCKET_API struct iovec *SocketCommon_alloc_iov_copy (const struct iovec *iov, int iovcnt, Except_T exc_type);
extern SOCKET_API void SocketCommon_set_cloexec_fd (int fd, bool enable, Except_T exc_type);

/* --- bind helpers ----------------------------------------------------- */
/** @brief bind(). @return 0, or -1 with errno set (raises only for NULL arguments). */
extern SOCKET_API int SocketCommon_try_bind_address (SocketBase_T base, const struct sockaddr *addr,
                                                     socklen_t addrlen, Except_T exc_type);
/**
 * @brief Bind to the first usable entry of @p res for @p family (AF_UNSPEC
 * = the socket's); AF_INET6 sockets are made dual-stack and also take IPv4
 * entries v4-mapped. @return 0, or -1 (errno set) when no entry worked.
 * Errors other than "address not available here" raise @p exc_type.
 */
extern SOCKET_API int SocketCommon_try_bind_resolved_addresses (SocketBase_T base, struct addrinfo *res, int family,
                                                                Except_T exc_type);
/** @brief -1 for EADDRNOTAVAIL/EAFNOSUPPORT (try the next address); otherwise raises @p exc_type naming @p addr_str. */
extern SOCKET_API int SocketCommon_handle_bind_error (int err, const char *addr_str, Except_T exc_type);
/** @brief Put "bind to host:port failed: strerror(errno)" into Socket_GetLastError() (no raise). */
extern SOCKET_API void SocketCommon_format_bind_error (const char *host, int port);
extern SOCKET_API void SocketCommon_update_local_endpoint (SocketBase_T base);
extern SOCKET_API int SocketCommon_get_socket_family (SocketBase_T base);
extern SOCKET_API void SocketCommon_validate_host_not_null (const char *host, Except_T exception_type);
/** @brief Deep copy of an addrinfo list in glibc's node layout (node and
 *         sockaddr in one block, ai_canonname separate): free it with
 *         SocketCommon_free_addrinfo() or freeaddrinfo(). NULL for NULL or
 *         on allocation failure. */
extern SOCKET_API struct addrinfo *SocketCommon_copy_addrinfo (const struct addrinfo *src);
/** @brief Free a list returned by this library (or by glibc's getaddrinfo,
 *         or built with a separately malloc'd ai_addr). NULL: no-op. */
extern SOCKET_API void SocketCommon_free_addrinfo (struct addrinfo *ai);

/* --- defaults and the shared resolver --------------------------------- */
extern SOCKET_API void SocketCommon_timeouts_getdefaults (SocketTimeouts_T *timeouts);
extern SOCKET_API void SocketCommon_timeouts_setdefaults (const SocketTimeouts_T *timeouts);
/** @brief Lazily created process-wide resolver used by Socket_connect; lives until exit (never free it). */
extern SOCKET_API SocketDNS_T SocketCommon_get_dns_resolver (void);
extern SOCKET_API void SocketCommon_set_dns_timeout (int timeout_ms);
extern SOCKET_API int SocketCommon_get_dns_timeout (void);

#endif /* SOCKETCOMMON_INCLUDED */
