/*
 * SocketUtil.c - logging, metrics, events, per-thread error state and time.
 */
#include <pthread.h>
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
static pthread_once_t log_level_once = PTHREAD_ONCE_INIT;
static SocketLogLevel default_min_level = SOCKET_LOG_TRACE;

static const char *const level_names[] = {
  "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL",
};

/* Opt-in filter for the default logger only (our extension): with
 * SOCKET_LOG_LEVEL unset every message is printed, as in the original. */
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

/*
 * The built-in logger (what SocketLog_getcallback returns when no callback
 * was set): "<local time> [LEVEL] component: message", TRACE..WARN on
 * stdout, ERROR and FATAL on stderr, as in the original library.
 */
static void
default_logger (void *userdata, SocketLogLevel level, const char *component,
                const char *message)
{
  time_t now = time (NULL);
  struct tm tm;
  char when[32];

  (void)userdata;
  pthread_once (&log_level_once, read_level_from_env);
  if ((int)level < (int)default_min_level)
    return;
  if (localtime_r (&now, &tm) == NULL
      || strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm) == 0)
    snprintf (when, sizeof when, "%s", "1970-01-01 00:00:00");
  fprintf ((int)level >= SOCKET_LOG_ERROR ? stderr : stdout, "%s [%s] %s: %s\n",
           when, SocketLog_levelname (level), component ? component : "(unknown)",
           message ? message : "(null)");
}

static SocketLogCallback log_callback = default_logger;
static void *log_userdata;

void
SocketLog_setcallback (SocketLogCallback callback, void *userdata)
{
  pthread_mutex_lock (&log_lock);
  log_callback = callback != NULL ? callback : default_logger;
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

void
SocketLog_emit (SocketLogLevel level, const char *component,
                const char *message)
{
  void *userdata;
  SocketLogCallback cb = SocketLog_getcallback (&userdata);

  /* Outside the lock so the callback may log or reconfigure. NULL
   * component/message reach a custom callback unchanged. */
  cb (userdata, level, component, message);
}

void
SocketLog_emitfv (SocketLogLevel level, const char *component,
                  const char *fmt, va_list args)
{
  char buf[SOCKET_LOG_BUFFER_SIZE];
  int n;

  if (fmt == NULL)
    {
      SocketLog_emit (level, component, NULL);
      return;
    }
  n = vsnprintf (buf, sizeof buf, fmt, args);
  if (n < 0)
    buf[0] = '\0';
  else if ((size_t)n >= sizeof buf)
    memcpy (buf + sizeof buf - 4, "...", 4); /* cut: "..." then NUL */
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

/* One lock for all counters, so a snapshot is consistent. */
static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long metric_values[SOCKET_METRIC_COUNT];

static const char *const metric_names[SOCKET_METRIC_COUNT] = {
  [SOCKET_METRIC_SOCKET_CONNECT_SUCCESS] = "socket.connect_success",
  [SOCKET_METRIC_SOCKET_CONNECT_FAILURE] = "socket.connect_failure",
  [SOCKET_METRIC_SOCKET_SHUTDOWN_CALL] = "socket.shutdown_calls",
  [SOCKET_METRIC_DNS_REQUEST_SUBMITTED] = "dns.request_submitted",
  [SOCKET_METRIC_DNS_REQUEST_COMPLETED] = "dns.request_completed",
  [SOCKET_METRIC_DNS_REQUEST_FAILED] = "dns.request_failed",
  [SOCKET_METRIC_DNS_REQUEST_CANCELLED] = "dns.request_cancelled",
  [SOCKET_METRIC_DNS_REQUEST_TIMEOUT] = "dns.request_timeout",
  [SOCKET_METRIC_POLL_WAKEUPS] = "poll.wakeups",
  [SOCKET_METRIC_POLL_EVENTS_DISPATCHED] = "poll.events_dispatched",
  [SOCKET_METRIC_POOL_CONNECTIONS_ADDED] = "pool.connections_added",
  [SOCKET_METRIC_POOL_CONNECTIONS_REMOVED] = "pool.connections_removed",
  [SOCKET_METRIC_POOL_CONNECTIONS_REUSED] = "pool.connections_reused",
  [SOCKET_METRIC_POOL_DRAIN_INITIATED] = "pool.drain_initiated",
  [SOCKET_METRIC_POOL_DRAIN_COMPLETED] = "pool.drain_completed",
};

static int
metric_valid (SocketMetric metric)
{
  return (int)metric >= 0 && metric < SOCKET_METRIC_COUNT;
}

void
SocketMetrics_increment (SocketMetric metric, unsigned long value)
{
  if (!metric_valid (metric))
    {
      SocketLog_emitf (SOCKET_LOG_WARN, "SocketMetrics",
                       "Invalid metric %d in increment ignored", (int)metric);
      return;
    }
  pthread_mutex_lock (&metrics_lock);
  metric_values[metric] += value;
  pthread_mutex_unlock (&metrics_lock);
}

void
SocketMetrics_getsnapshot (SocketMetricsSnapshot *snapshot)
{
  if (snapshot == NULL)
    {
      SocketLog_emit (SOCKET_LOG_WARN, "SocketMetrics",
                      "NULL snapshot in getsnapshot ignored");
      return;
    }
  pthread_mutex_lock (&metrics_lock);
  memcpy (snapshot->values, metric_values, sizeof metric_values);
  pthread_mutex_unlock (&metrics_lock);
}

void
SocketMetrics_reset (void)
{
  pthread_mutex_lock (&metrics_lock);
  memset (metric_values, 0, sizeof metric_values);
  pthread_mutex_unlock (&metrics_lock);
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

/* Misuse is logged and ignored, never raised (as in the original). */
void
SocketEvent_register (SocketEventCallback callback, void *userdata)
{
  int full = 0;

  if (callback == NULL)
    {
      SocketLog_emit (SOCKET_LOG_WARN, "SocketEvents",
                      "NULL callback in register ignored");
      return;
    }
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
    SocketLog_emit (SOCKET_LOG_WARN, "SocketEvents",
                    "Handler limit reached; ignoring registration");
}

void
SocketEvent_unregister (SocketEventCallback callback, const void *userdata)
{
  if (callback == NULL)
    {
      SocketLog_emit (SOCKET_LOG_WARN, "SocketEvents",
                      "NULL callback in unregister ignored");
      return;
    }
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
  ev.data.connection.peer_addr = peer_addr;
  ev.data.connection.peer_port = peer_port;
  ev.data.connection.local_addr = local_addr;
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
  ev.component = "SocketDNS";
  ev.data.dns.host = host;
  ev.data.dns.port = port;
  event_dispatch (&ev);
}

void
SocketEvent_emit_poll_wakeup (int nfds, int timeout_ms)
{
  SocketEventRecord ev;

  memset (&ev, 0, sizeof ev);
  ev.type = SOCKET_EVENT_POLL_WAKEUP;
  ev.component = "SocketPoll";
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
  const char *s;

  if (errnum == 0)
    return "No error";
  /* GNU strerror_r may return a static string instead of filling buf. */
  s = strerror_r (errnum, buf, sizeof buf);
  if (s == NULL)
    {
      snprintf (buf, sizeof buf, "Unknown error %d", errnum);
      s = buf;
    }
  return s;
}

static pthread_once_t realtime_warning_once = PTHREAD_ONCE_INIT;

static void
warn_realtime_fallback (void)
{
  fputs ("WARNING: CLOCK_MONOTONIC unavailable, using CLOCK_REALTIME "
         "(vulnerable to time manipulation)\n",
         stderr);
}

int64_t
Socket_get_monotonic_ms (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_MONOTONIC, &ts) != 0)
    {
      if (clock_gettime (CLOCK_REALTIME, &ts) != 0)
        return 0;
      pthread_once (&realtime_warning_once, warn_realtime_fallback);
    }
  return (int64_t)ts.tv_sec * SOCKET_MS_PER_SECOND
         + ts.tv_nsec / SOCKET_NS_PER_MS;
}
