/**
 * @file SocketUtil.h
 * @brief Logging, metrics, event callbacks, thread-local error reporting,
 *        monotonic time and small hashing helpers.
 *
 * Thread-safety: logging, metrics and events may be used from any thread
 * (the log callback, the metrics and the event handler table each have
 * their own process-wide lock). Error state (socket_error_buf,
 * socket_last_errno) is per thread.
 */
#ifndef SOCKETUTIL_INCLUDED
#define SOCKETUTIL_INCLUDED

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/Except.h"
#include "core/SocketConfig.h"

/* ===================================================================== */
/* Logging                                                               */
/* ===================================================================== */

/** Severity of a log message, lowest first. */
typedef enum SocketLogLevel
{
  SOCKET_LOG_TRACE = 0,
  SOCKET_LOG_DEBUG,
  SOCKET_LOG_INFO,
  SOCKET_LOG_WARN,
  SOCKET_LOG_ERROR,
  SOCKET_LOG_FATAL
} SocketLogLevel;

/**
 * Log sink. @p component names the emitting module ("Socket", "SocketDNS",
 * ...); @p message is only valid during the call. Either may be NULL when
 * a caller of SocketLog_emit passed NULL.
 */
typedef void (*SocketLogCallback) (void *userdata, SocketLogLevel level,
                                   const char *component,
                                   const char *message);

/** Component name used when a module does not define its own. */
#ifndef SOCKET_LOG_COMPONENT
#define SOCKET_LOG_COMPONENT "Socket"
#endif

/**
 * @brief Install @p callback (NULL restores the built-in default logger);
 * @p userdata is stored as given and passed to each call.
 *
 * The default logger writes "YYYY-MM-DD HH:MM:SS [LEVEL] component: message"
 * (local time) with TRACE..WARN on stdout and ERROR/FATAL on stderr; a NULL
 * component prints "(unknown)", a NULL message "(null)". It prints every
 * level unless the environment variable SOCKET_LOG_LEVEL
 * (trace|debug|info|warn|error|fatal) names a minimum.
 */
extern SOCKET_API void SocketLog_setcallback (SocketLogCallback callback,
                                              void *userdata);

/** @brief Current callback: the installed one, or the default logger's
 *  address (never NULL). @p userdata (may be NULL) receives the stored
 *  userdata. */
extern SOCKET_API SocketLogCallback SocketLog_getcallback (void **userdata);

/** @brief "TRACE", "DEBUG", ... ; "UNKNOWN" for out-of-range values. */
extern SOCKET_API const char *SocketLog_levelname (SocketLogLevel level);

/** @brief Emit @p message at @p level for @p component, synchronously in
 *  the caller's thread, no level filtering. NULL @p component or @p message
 *  is passed to the callback unchanged. */
extern SOCKET_API void SocketLog_emit (SocketLogLevel level,
                                       const char *component,
                                       const char *message);

/** @brief printf-style SocketLog_emit. A message cut to fit
 *  SOCKET_LOG_BUFFER_SIZE ends in "..."; a NULL @p fmt emits a NULL message. */
extern SOCKET_API void SocketLog_emitf (SocketLogLevel level,
                                        const char *component,
                                        const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/** @brief va_list form of SocketLog_emitf. */
extern SOCKET_API void SocketLog_emitfv (SocketLogLevel level,
                                         const char *component,
                                         const char *fmt, va_list args)
    __attribute__ ((format (printf, 3, 0)));

/* ===================================================================== */
/* Metrics                                                               */
/* ===================================================================== */

/** Library-wide counters. */
typedef enum SocketMetric
{
  SOCKET_METRIC_SOCKET_CONNECT_SUCCESS = 0,
  SOCKET_METRIC_SOCKET_CONNECT_FAILURE,
  SOCKET_METRIC_SOCKET_SHUTDOWN_CALL,
  SOCKET_METRIC_DNS_REQUEST_SUBMITTED,
  SOCKET_METRIC_DNS_REQUEST_COMPLETED,
  SOCKET_METRIC_DNS_REQUEST_FAILED,
  SOCKET_METRIC_DNS_REQUEST_CANCELLED,
  SOCKET_METRIC_DNS_REQUEST_TIMEOUT,
  SOCKET_METRIC_POLL_WAKEUPS,
  SOCKET_METRIC_POLL_EVENTS_DISPATCHED,
  SOCKET_METRIC_POOL_CONNECTIONS_ADDED,
  SOCKET_METRIC_POOL_CONNECTIONS_REMOVED,
  SOCKET_METRIC_POOL_CONNECTIONS_REUSED,
  SOCKET_METRIC_POOL_DRAIN_INITIATED,
  SOCKET_METRIC_POOL_DRAIN_COMPLETED,
  SOCKET_METRIC_COUNT
} SocketMetric;

/** A copy of every counter, taken by SocketMetrics_getsnapshot(). */
typedef struct SocketMetricsSnapshot
{
  unsigned long long values[SOCKET_METRIC_COUNT];
} SocketMetricsSnapshot;

/** @brief Add @p value to @p metric (wraps). An out-of-range metric is
 *  ignored with a WARN log (component "SocketMetrics"). */
extern SOCKET_API void SocketMetrics_increment (SocketMetric metric,
                                                unsigned long value);

/** @brief Copy all counters into @p snapshot under one lock (a consistent
 *  snapshot); NULL is ignored with a WARN log. */
extern SOCKET_API void SocketMetrics_getsnapshot (SocketMetricsSnapshot *snapshot);

/** @brief Set every counter to zero. */
extern SOCKET_API void SocketMetrics_reset (void);

/** @brief Dotted name of @p metric ("socket.connect_success", ...;
 *  "unknown" when out of range). */
extern SOCKET_API const char *SocketMetrics_name (SocketMetric metric);

/** @brief Number of metrics (SOCKET_METRIC_COUNT). */
extern SOCKET_API size_t SocketMetrics_count (void);

/** @brief Value of @p metric in @p snapshot; 0 for NULL or out of range. */
static inline unsigned long long
SocketMetrics_snapshot_value (const SocketMetricsSnapshot *snapshot,
                              SocketMetric metric)
{
  if (snapshot == NULL || (int)metric < 0 || metric >= SOCKET_METRIC_COUNT)
    return 0ULL;
  return snapshot->values[metric];
}

/* ===================================================================== */
/* Events                                                                */
/* ===================================================================== */

/** Kinds of event delivered to registered handlers. */
typedef enum SocketEventType
{
  SOCKET_EVENT_ACCEPTED = 0,
  SOCKET_EVENT_CONNECTED,
  SOCKET_EVENT_DNS_TIMEOUT,
  SOCKET_EVENT_POLL_WAKEUP
} SocketEventType;

/** One event; strings are valid only during the callback. */
typedef struct SocketEventRecord
{
  SocketEventType type;
  const char *component;
  union
  {
    struct
    {
      int fd;
      const char *peer_addr;
      int peer_port;
      const char *local_addr;
      int local_port;
    } connection; /**< ACCEPTED, CONNECTED */
    struct
    {
      const char *host;
      int port;
    } dns; /**< DNS_TIMEOUT */
    struct
    {
      int nfds;
      int timeout_ms;
    } poll; /**< POLL_WAKEUP */
  } data;
} SocketEventRecord;

/** Event handler. */
typedef void (*SocketEventCallback) (void *userdata,
                                     const SocketEventRecord *event);

/**
 * @brief Add a handler (at most SOCKET_EVENT_MAX_HANDLERS). Registering the
 * same (callback, userdata) pair twice is a no-op. A NULL callback or a
 * full table is ignored with a WARN log (component "SocketEvents"); never
 * raises.
 */
extern SOCKET_API void SocketEvent_register (SocketEventCallback callback,
                                             void *userdata);

/** @brief Remove the handler registered with the same pair, if any (a NULL
 *  callback is ignored with a WARN log). */
extern SOCKET_API void SocketEvent_unregister (SocketEventCallback callback,
                                               const void *userdata);

/** @brief Dispatch SOCKET_EVENT_ACCEPTED (component "Socket") to every
 *  handler, in registration order; NULL strings are passed through. */
extern SOCKET_API void SocketEvent_emit_accept (int fd, const char *peer_addr,
                                                int peer_port,
                                                const char *local_addr,
                                                int local_port);

/** @brief Dispatch SOCKET_EVENT_CONNECTED to every handler. */
extern SOCKET_API void SocketEvent_emit_connect (int fd,
                                                 const char *peer_addr,
                                                 int peer_port,
                                                 const char *local_addr,
                                                 int local_port);

/** @brief Dispatch SOCKET_EVENT_DNS_TIMEOUT (component "SocketDNS"). */
extern SOCKET_API void SocketEvent_emit_dns_timeout (const char *host,
                                                     int port);

/** @brief Dispatch SOCKET_EVENT_POLL_WAKEUP (component "SocketPoll"). */
extern SOCKET_API void SocketEvent_emit_poll_wakeup (int nfds, int timeout_ms);

/* ===================================================================== */
/* Errors                                                                */
/* ===================================================================== */

/** Portable classification of the last errno (Socket_geterrorcode()). */
typedef enum SocketErrorCode
{
  SOCKET_ERROR_NONE = 0,
  SOCKET_ERROR_EINVAL,
  SOCKET_ERROR_EACCES,
  SOCKET_ERROR_EADDRINUSE,
  SOCKET_ERROR_EADDRNOTAVAIL,
  SOCKET_ERROR_EAFNOSUPPORT,
  SOCKET_ERROR_EAGAIN,
  SOCKET_ERROR_EALREADY,
  SOCKET_ERROR_EBADF,
  SOCKET_ERROR_ECONNREFUSED,
  SOCKET_ERROR_ECONNRESET,
  SOCKET_ERROR_EFAULT,
  SOCKET_ERROR_EHOSTUNREACH,
  SOCKET_ERROR_EINPROGRESS,
  SOCKET_ERROR_EINTR,
  SOCKET_ERROR_EISCONN,
  SOCKET_ERROR_EMFILE,
  SOCKET_ERROR_ENETUNREACH,
  SOCKET_ERROR_ENOBUFS,
  SOCKET_ERROR_ENOMEM,
  SOCKET_ERROR_ENOTCONN,
  SOCKET_ERROR_ENOTSOCK,
  SOCKET_ERROR_EOPNOTSUPP,
  SOCKET_ERROR_EPIPE,
  SOCKET_ERROR_EPROTONOSUPPORT,
  SOCKET_ERROR_ETIMEDOUT,
  SOCKET_ERROR_EWOULDBLOCK,
  SOCKET_ERROR_UNKNOWN
} SocketErrorCode;

/* Canonical messages. */
#define SOCKET_ENOMEM "Out of memory"
#define SOCKET_EINVAL "Invalid argument"
#define SOCKET_ECONNREFUSED "Connection refused"
#define SOCKET_ETIMEDOUT "Operation timed out"
#define SOCKET_EADDRINUSE "Address already in use"
#define SOCKET_ENETUNREACH "Network unreachable"
#define SOCKET_EHOSTUNREACH "Host unreachable"
#define SOCKET_EPIPE "Broken pipe"
#define SOCKET_ECONNRESET "Connection reset by peer"

#ifndef _WIN32
/** Message of the last failure on this thread (what exceptions carry). */
extern SOCKET_API __thread char socket_error_buf[SOCKET_ERROR_BUFSIZE];
/** errno saved with the last failure on this thread (0 if none). */
extern SOCKET_API __thread int socket_last_errno;
#endif

/** @brief Message of the last failure on this thread ("" if none). */
extern SOCKET_API const char *Socket_GetLastError (void);

/** @brief errno saved with the last failure on this thread. */
extern SOCKET_API int Socket_geterrno (void);

/** @brief Socket_geterrno() classified as a SocketErrorCode. */
extern SOCKET_API SocketErrorCode Socket_geterrorcode (void);

/** @brief Milliseconds from CLOCK_MONOTONIC (never goes backwards); falls
 *  back to CLOCK_REALTIME with a one-time stderr warning, 0 if both fail. */
extern SOCKET_API int64_t Socket_get_monotonic_ms (void);

/** Mark a truncated socket_error_buf with SOCKET_ERROR_TRUNCATION_MARKER. */
#define SOCKET_ERROR_APPLY_TRUNCATION(ret)                                    \
  do                                                                          \
    {                                                                         \
      if ((ret) >= (int)sizeof (socket_error_buf))                            \
        memcpy (socket_error_buf + sizeof (socket_error_buf)                  \
                    - SOCKET_ERROR_TRUNCATION_SIZE,                           \
                SOCKET_ERROR_TRUNCATION_MARKER,                               \
                SOCKET_ERROR_TRUNCATION_SIZE);                                \
    }                                                                         \
  while (0)

/**
 * Save errno in socket_last_errno, format "<msg> (errno: <n> - <strerror>)"
 * into socket_error_buf and log it at SOCKET_LOG_ERROR with component
 * SOCKET_LOG_COMPONENT; errno is preserved.
 */
#define SOCKET_ERROR_FMT(fmt, ...)                                            \
  do                                                                          \
    {                                                                         \
      int socket_saved_errno_ = errno;                                        \
      socket_last_errno = socket_saved_errno_;                                \
      int socket_fmt_ret_ = snprintf (                                        \
          socket_error_buf, sizeof (socket_error_buf),                        \
          fmt " (errno: %d - %s)", ##__VA_ARGS__, socket_saved_errno_,        \
          Socket_safe_strerror (socket_saved_errno_));                        \
      SOCKET_ERROR_APPLY_TRUNCATION (socket_fmt_ret_);                        \
      SocketLog_emit (SOCKET_LOG_ERROR, SOCKET_LOG_COMPONENT,                 \
                      socket_error_buf);                                      \
      errno = socket_saved_errno_;                                            \
    }                                                                         \
  while (0)

/**
 * Save errno in socket_last_errno (even without errno text), format the
 * message into socket_error_buf and log it like SOCKET_ERROR_FMT.
 */
#define SOCKET_ERROR_MSG(fmt, ...)                                            \
  do                                                                          \
    {                                                                         \
      int socket_saved_errno_ = errno;                                        \
      socket_last_errno = socket_saved_errno_;                                \
      int socket_fmt_ret_ = snprintf (socket_error_buf,                       \
                                      sizeof (socket_error_buf), fmt,         \
                                      ##__VA_ARGS__);                         \
      SOCKET_ERROR_APPLY_TRUNCATION (socket_fmt_ret_);                        \
      SocketLog_emit (SOCKET_LOG_ERROR, SOCKET_LOG_COMPONENT,                 \
                      socket_error_buf);                                      \
      errno = socket_saved_errno_;                                            \
    }                                                                         \
  while (0)

/**
 * Declare (in a .c file) the thread-local exception copy a module raises,
 * so each raise carries this thread's message without touching the public
 * exception object.
 */
#define SOCKET_DECLARE_MODULE_EXCEPTION(module_name)                          \
  static __thread Except_T module_name##_DetailedException

/** Raise @p exception with reason = socket_error_buf (via the module copy). */
#define SOCKET_RAISE_MODULE_ERROR(module_name, exception)                     \
  do                                                                          \
    {                                                                         \
      module_name##_DetailedException.type = &(exception);                    \
      module_name##_DetailedException.reason = socket_error_buf;              \
      RAISE (module_name##_DetailedException);                                \
    }                                                                         \
  while (0)

/** SOCKET_ERROR_FMT then raise. */
#define SOCKET_RAISE_FMT(module_name, exception, fmt, ...)                    \
  do                                                                          \
    {                                                                         \
      SOCKET_ERROR_FMT (fmt, ##__VA_ARGS__);                                  \
      SOCKET_RAISE_MODULE_ERROR (module_name, exception);                     \
    }                                                                         \
  while (0)

/** SOCKET_ERROR_MSG then raise. */
#define SOCKET_RAISE_MSG(module_name, exception, fmt, ...)                    \
  do                                                                          \
    {                                                                         \
      SOCKET_ERROR_MSG (fmt, ##__VA_ARGS__);                                  \
      SOCKET_RAISE_MODULE_ERROR (module_name, exception);                     \
    }                                                                         \
  while (0)

/* ===================================================================== */
/* Hash helpers (header-only)                                            */
/* ===================================================================== */

#define SOCKET_UTIL_DJB2_SEED 5381u

/*
 * The hash helpers compute exactly the original library's values (bucket
 * numbers are observable). They return 0 for a table_size of 0 and for a
 * NULL string, where the original divides by zero or dereferences NULL.
 */

/** Bucket for a file descriptor: (fd * 2654435761) % table_size, 32-bit. */
static inline unsigned
socket_util_hash_fd (int fd, unsigned table_size)
{
  if (table_size == 0)
    return 0;
  return ((unsigned)fd * HASH_GOLDEN_RATIO) % table_size;
}

/** Bucket for a pointer: the low 32 bits of the address, hashed as a uint. */
static inline unsigned
socket_util_hash_ptr (const void *ptr, unsigned table_size)
{
  if (table_size == 0)
    return 0;
  return ((unsigned)(uintptr_t)ptr * HASH_GOLDEN_RATIO) % table_size;
}

/** Bucket for an unsigned integer. */
static inline unsigned
socket_util_hash_uint (unsigned value, unsigned table_size)
{
  if (table_size == 0)
    return 0;
  return (value * HASH_GOLDEN_RATIO) % table_size;
}

/** djb2 (h * 33 + c, seed 5381) of a NUL-terminated string, modulo
 *  @p table_size. Characters are read as plain (signed) char, as in the
 *  original, so bytes >= 0x80 add their sign-extended value. */
static inline unsigned
socket_util_hash_djb2 (const char *str, unsigned table_size)
{
  unsigned h = SOCKET_UTIL_DJB2_SEED;
  if (str == NULL || table_size == 0)
    return 0;
  for (; *str; str++)
    h = ((h << 5) + h) + (unsigned)(signed char)*str;
  return h % table_size;
}

/** djb2 of @p len bytes, read as unsigned char (embedded NULs included). */
static inline unsigned
socket_util_hash_djb2_len (const char *str, size_t len, unsigned table_size)
{
  unsigned h = SOCKET_UTIL_DJB2_SEED;
  if (str == NULL || table_size == 0)
    return 0;
  for (size_t i = 0; i < len; i++)
    h = ((h << 5) + h) + (unsigned char)str[i];
  return h % table_size;
}

/** ASCII case-insensitive djb2 (for header names); signed char as djb2. */
static inline unsigned
socket_util_hash_djb2_ci (const char *str, unsigned table_size)
{
  unsigned h = SOCKET_UTIL_DJB2_SEED;
  if (str == NULL || table_size == 0)
    return 0;
  for (; *str; str++)
    {
      int c = (signed char)*str;
      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      h = ((h << 5) + h) + (unsigned)c;
    }
  return h % table_size;
}

/** ASCII case-insensitive djb2 of @p len bytes, read as unsigned char. */
static inline unsigned
socket_util_hash_djb2_ci_len (const char *str, size_t len,
                              unsigned table_size)
{
  unsigned h = SOCKET_UTIL_DJB2_SEED;
  if (str == NULL || table_size == 0)
    return 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned c = (unsigned char)str[i];
      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      h = ((h << 5) + h) + c;
    }
  return h % table_size;
}

/** Smallest power of two >= @p n (1 for 0; 0 when it would overflow). */
static inline size_t
socket_util_round_up_pow2 (size_t n)
{
  if (n <= 1)
    return 1;
  if (n > ((size_t)1 << (sizeof (size_t) * 8 - 1)))
    return 0;
  return (size_t)1 << (sizeof (size_t) * 8 - (size_t)__builtin_clzl (n - 1));
}

#endif /* SOCKETUTIL_INCLUDED */
