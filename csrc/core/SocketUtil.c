/*
 * SocketUtil.c - logging, metrics, events, per-thread error state and time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "core/SocketUtil.h"

__thread char socket_error_buf[SOCKET_ERROR_BUFSIZE];
__thread int socket_last_errno;

/* ------------------------------------------------------------------ */
/* Logging                                                            */
/* ------------------------------------------------------------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static SocketLogCallback log_callback;
static void *log_userdata;
static pthread_once_t log_level_once = PTHREAD_ONCE_INIT;
static SocketLogLevel default_min_level = SOCKET_LOG_INFO;

static const char *const level_names[] = {
  "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL",
};

static void
read_level_from_env (void)
{
  const char *env = getenv ("SOCKET_LOG_LEVEL");

  if (env == NULL)
    return;
  for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
    if (strcasecmp (env, level_names[i]) == 0
        || (i == SOCKET_LOG_WARN && strcasecmp (env, "warning") == 0))
      default_min_level = (SocketLogLevel)i;
}

void
SocketLog_setcallback (SocketLogCallback callback, void *userdata)
{
  pthread_mutex_lock (&log_lock);
  log_callback = callback;
  log_userdata = userdata;
  pthread_mutex_unlock (&log_lock);
}

SocketLogCallback
SocketLog_getcallback (void **userdata)
{
  SocketLogCallback cb;

  pthread_mutex_lock (&log_lock);
  cb = log_callback;
  if (userdata != NULL)
    *userdata = log_userdata;
  pthread_mutex_unlock (&log_lock);
  return cb;
}

const char *
SocketLog_levelname (SocketLogLevel level)
{
  if ((int)level < 0 || (size_t)level >= sizeof level_names / sizeof level_names[0])
    return "UNKNOWN";
  return level_names[level];
}

static void
default_logger (SocketLogLevel level, const char *component,
                const char *message)
{
  struct timespec ts;
  struct tm tm;
  char when[32];

  pthread_once (&log_level_once, read_level_from_env);
  if (level < default_min_level)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  fprintf (stderr, "%s.%03ldZ [%s] %s: %s\n", when, ts.tv_nsec / 1000000L,
           SocketLog_levelname (level), component, message);
}

void
SocketLog_emit (SocketLogLevel level, const char *component,
                const char *message)
{
  void *userdata;
  SocketLogCallback cb = SocketLog_getcallback (&userdata);

  if (component == NULL)
    component = SOCKET_LOG_COMPONENT;
  if (message == NULL)
    message = "";
  /* The callback runs outside the lock so it may log or reconfigure. */
  if (cb != NULL)
    cb (userdata, level, component, message);
  else
    default_logger (level, component, message);
}

void
SocketLog_emitfv (SocketLogLevel level, const char *component,
                  const char *fmt, va_list args)
{
  char buf[SOCKET_LOG_BUFFER_SIZE];

  if (fmt == NULL)
    fmt = "";
  vsnprintf (buf, sizeof buf, fmt, args);
  SocketLog_emit (level, component, buf);
}

void
SocketLog_emitf (SocketLogLevel level, const char *component, const char *fmt,
                 ...)
{
  va_list args;

  va_start (args, fmt);
  SocketLog_emitfv (level, component, fmt, args);
  va_end (args);
}

/* ------------------------------------------------------------------ */
/* Metrics                                                            */
/* ------------------------------------------------------------------ */

static _Atomic unsigned long long metric_values[SOCKET_METRIC_COUNT];

static const char *const metric_names[SOCKET_METRIC_COUNT] = {
  [SOCKET_METRIC_SOCKET_CONNECT_SUCCESS] = "socket_connect_success",
  [SOCKET_METRIC_SOCKET_CONNECT_FAILURE] = "socket_connect_failure",
  [SOCKET_METRIC_SOCKET_SHUTDOWN_CALL] = "socket_shutdown_call",
  [SOCKET_METRIC_DNS_REQUEST_SUBMITTED] = "dns_request_submitted",
  [SOCKET_METRIC_DNS_REQUEST_COMPLETED] = "dns_request_completed",
  [SOCKET_METRIC_DNS_REQUEST_FAILED] = "dns_request_failed",
  [SOCKET_METRIC_DNS_REQUEST_CANCELLED] = "dns_request_cancelled",
  [SOCKET_METRIC_DNS_REQUEST_TIMEOUT] = "dns_request_timeout",
  [SOCKET_METRIC_POLL_WAKEUPS] = "poll_wakeups",
  [SOCKET_METRIC_POLL_EVENTS_DISPATCHED] = "poll_events_dispatched",
  [SOCKET_METRIC_POOL_CONNECTIONS_ADDED] = "pool_connections_added",
  [SOCKET_METRIC_POOL_CONNECTIONS_REMOVED] = "pool_connections_removed",
  [SOCKET_METRIC_POOL_CONNECTIONS_REUSED] = "pool_connections_reused",
  [SOCKET_METRIC_POOL_DRAIN_INITIATED] = "pool_drain_initiated",
  [SOCKET_METRIC_POOL_DRAIN_COMPLETED] = "pool_drain_completed",
};

static int
metric_valid (SocketMetric metric)
{
  return (int)metric >= 0 && metric < SOCKET_METRIC_COUNT;
}

void
SocketMetrics_increment (SocketMetric metric, unsigned long value)
{
  if (metric_valid (metric))
    atomic_fetch_add_explicit (&metric_values[metric], value,
                               memory_order_relaxed);
}

void
SocketMetrics_getsnapshot (SocketMetricsSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  for (int i = 0; i < SOCKET_METRIC_COUNT; i++)
    snapshot->values[i]
        = atomic_load_explicit (&metric_values[i], memory_order_relaxed);
}

void
SocketMetrics_reset (void)
{
  for (int i = 0; i < SOCKET_METRIC_COUNT; i++)
    atomic_store_explicit (&metric_values[i], 0, memory_order_relaxed);
}

const char *
SocketMetrics_name (SocketMetric metric)
{
  return metric_valid (metric) ? metric_names[metric] : "unknown";
}

size_t
SocketMetrics_count (void)
{
  return SOCKET_METRIC_COUNT;
}

/* ------------------------------------------------------------------ */
/* Events                                                             */
/* ------------------------------------------------------------------ */

struct event_handler
{
  SocketEventCallback callback;
  void *userdata;
};

static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
static struct event_handler event_handlers[SOCKET_EVENT_MAX_HANDLERS];
static int event_handler_count;

SOCKET_DECLARE_MODULE_EXCEPTION (SocketEvent);

void
SocketEvent_register (SocketEventCallback callback, void *userdata)
{
  int full = 0;

  if (callback == NULL)
    SOCKET_RAISE_MSG (SocketEvent, Assert_Failed,
                      "SocketEvent_register: NULL callback");
  pthread_mutex_lock (&event_lock);
  for (int i = 0; i < event_handler_count; i++)
    if (event_handlers[i].callback == callback
        && event_handlers[i].userdata == userdata)
      {
        pthread_mutex_unlock (&event_lock);
        return;
      }
  if (event_handler_count == SOCKET_EVENT_MAX_HANDLERS)
    full = 1;
  else
    event_handlers[event_handler_count++]
        = (struct event_handler){ callback, userdata };
  pthread_mutex_unlock (&event_lock);
  if (full)
    SOCKET_RAISE_MSG (SocketEvent, Assert_Failed,
                      "SocketEvent_register: all %d handler slots in use",
                      SOCKET_EVENT_MAX_HANDLERS);
}

void
SocketEvent_unregister (SocketEventCallback callback, const void *userdata)
{
  pthread_mutex_lock (&event_lock);
  for (int i = 0; i < event_handler_count; i++)
    if (event_handlers[i].callback == callback
        && event_handlers[i].userdata == userdata)
      {
        memmove (&event_handlers[i], &event_handlers[i + 1],
                 (size_t)(event_handler_count - i - 1)
                     * sizeof event_handlers[0]);
        event_handler_count--;
        break;
      }
  pthread_mutex_unlock (&event_lock);
}

/* Handlers run on a snapshot taken under the lock, so a handler may
 * (un)register handlers without deadlocking. */
static void
event_dispatch (const SocketEventRecord *event)
{
  struct event_handler copy[SOCKET_EVENT_MAX_HANDLERS];
  int n;

  pthread_mutex_lock (&event_lock);
  n = event_handler_count;
  memcpy (copy, event_handlers, (size_t)n * sizeof copy[0]);
  pthread_mutex_unlock (&event_lock);
  for (int i = 0; i < n; i++)
    copy[i].callback (copy[i].userdata, event);
}

static void
emit_connection (SocketEventType type, int fd, const char *peer_addr,
                 int peer_port, const char *local_addr, int local_port)
{
  SocketEventRecord ev;

  memset (&ev, 0, sizeof ev);
  ev.type = type;
  ev.component = "Socket";
  ev.data.connection.fd = fd;
  ev.data.connection.peer_addr = peer_addr ? peer_addr : "";
  ev.data.connection.peer_port = peer_port;
  ev.data.connection.local_addr = local_addr ? local_addr : "";
  ev.data.connection.local_port = local_port;
  event_dispatch (&ev);
}

void
SocketEvent_emit_accept (int fd, const char *peer_addr, int peer_port,
                         const char *local_addr, int local_port)
{
  emit_connection (SOCKET_EVENT_ACCEPTED, fd, peer_addr, peer_port,
                   local_addr, local_port);
}

void
SocketEvent_emit_connect (int fd, const char *peer_addr, int peer_port,
                          const char *local_addr, int local_port)
{
  emit_connection (SOCKET_EVENT_CONNECTED, fd, peer_addr, peer_port,
                   local_addr, local_port);
}

void
SocketEvent_emit_dns_timeout (const char *host, int port)
{
  SocketEventRecord ev;

  memset (&ev, 0, sizeof ev);
  ev.type = SOCKET_EVENT_DNS_TIMEOUT;
  ev.component = "DNS";
  ev.data.dns.host = host ? host : "";
  ev.data.dns.port = port;
  event_dispatch (&ev);
}

void
SocketEvent_emit_poll_wakeup (int nfds, int timeout_ms)
{
  SocketEventRecord ev;

  memset (&ev, 0, sizeof ev);
  ev.type = SOCKET_EVENT_POLL_WAKEUP;
  ev.component = "Poll";
  ev.data.poll.nfds = nfds;
  ev.data.poll.timeout_ms = timeout_ms;
  event_dispatch (&ev);
}

/* ------------------------------------------------------------------ */
/* Errors and time                                                    */
/* ------------------------------------------------------------------ */

const char *
Socket_GetLastError (void)
{
  return socket_error_buf;
}

int
Socket_geterrno (void)
{
  return socket_last_errno;
}

SocketErrorCode
Socket_geterrorcode (void)
{
  switch (socket_last_errno)
    {
    case 0: return SOCKET_ERROR_NONE;
    case EINVAL: return SOCKET_ERROR_EINVAL;
    case EACCES: return SOCKET_ERROR_EACCES;
    case EADDRINUSE: return SOCKET_ERROR_EADDRINUSE;
    case EADDRNOTAVAIL: return SOCKET_ERROR_EADDRNOTAVAIL;
    case EAFNOSUPPORT: return SOCKET_ERROR_EAFNOSUPPORT;
    case EAGAIN: return SOCKET_ERROR_EAGAIN; /* == EWOULDBLOCK on Linux */
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return SOCKET_ERROR_EWOULDBLOCK;
#endif
    case EALREADY: return SOCKET_ERROR_EALREADY;
    case EBADF: return SOCKET_ERROR_EBADF;
    case ECONNREFUSED: return SOCKET_ERROR_ECONNREFUSED;
    case ECONNRESET: return SOCKET_ERROR_ECONNRESET;
    case EFAULT: return SOCKET_ERROR_EFAULT;
    case EHOSTUNREACH: return SOCKET_ERROR_EHOSTUNREACH;
    case EINPROGRESS: return SOCKET_ERROR_EINPROGRESS;
    case EINTR: return SOCKET_ERROR_EINTR;
    case EISCONN: return SOCKET_ERROR_EISCONN;
    case EMFILE: return SOCKET_ERROR_EMFILE;
    case ENETUNREACH: return SOCKET_ERROR_ENETUNREACH;
    case ENOBUFS: return SOCKET_ERROR_ENOBUFS;
    case ENOMEM: return SOCKET_ERROR_ENOMEM;
    case ENOTCONN: return SOCKET_ERROR_ENOTCONN;
    case ENOTSOCK: return SOCKET_ERROR_ENOTSOCK;
    case EOPNOTSUPP: return SOCKET_ERROR_EOPNOTSUPP;
    case EPIPE: return SOCKET_ERROR_EPIPE;
    case EPROTONOSUPPORT: return SOCKET_ERROR_EPROTONOSUPPORT;
    case ETIMEDOUT: return SOCKET_ERROR_ETIMEDOUT;
    default: return SOCKET_ERROR_UNKNOWN;
    }
}

const char *
Socket_safe_strerror (int errnum)
{
  static __thread char buf[SOCKET_STRERROR_BUFSIZE];
  /* GNU strerror_r may return a static string instead of filling buf. */
  const char *s = strerror_r (errnum, buf, sizeof buf);

  return s != NULL ? s : "Unknown error";
}

int64_t
Socket_get_monotonic_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * SOCKET_MS_PER_SECOND
         + ts.tv_nsec / SOCKET_NS_PER_MS;
}
