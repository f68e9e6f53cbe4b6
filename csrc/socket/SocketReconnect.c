/*
 * SocketReconnect.c - a TCP client connection that reconnects by itself.
 *
 * Design. One context, one state variable, one deadline. Every path that
 * changes the state goes through set_state(), which fires the callback only
 * on a real change and after the context is consistent again, so the
 * callback may call back into the context (except free). After a callback
 * the caller re-checks the state before going on: the callback may have
 * disconnected.
 *
 *   connect()/due BACKOFF/due CIRCUIT_OPEN -> start_attempt():
 *     attempts++, new non-blocking socket, connect() without a timeout;
 *     0 -> on_connected(); EINPROGRESS -> stay CONNECTING until process()
 *     sees POLLOUT; error -> on_failure().
 *   on_failure(): close the socket, failures++, then in this order
 *     max_attempts used up -> DISCONNECTED (gives up),
 *     failures >= threshold -> CIRCUIT_OPEN (probe after reset timeout),
 *     else BACKOFF (delay from SocketExt_reconnect_backoff_ms).
 *
 * Time comes from a per-context clock (SocketExt_reconnect_set_clock) so
 * tests can step the timers exactly; jitter uses a per-context xorshift.
 * SocketExt_reconnect_* (include/socket/SocketExt.h) live here because
 * they need the context's layout. In external mode (the Go Reconnector)
 * start_attempt() stops at CONNECTING and SocketExt_reconnect_report()
 * finishes the attempt: the same transitions, no socket of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/SocketUtil.h"
#include "socket/Socket.h"
#include "socket/SocketExt.h"
#include "socket/SocketReconnect.h"

#define T SocketReconnect_T

const Except_T SocketReconnect_Failed
    = { &SocketReconnect_Failed, "Reconnection operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketReconnect);

#define RAISE_RC(fmt, ...)                                                    \
  SOCKET_RAISE_MSG (SocketReconnect, SocketReconnect_Failed, fmt,            \
                    ##__VA_ARGS__)

#define RECONNECT_MAX_HOST 255

struct SocketReconnect_T
{
  char host[RECONNECT_MAX_HOST + 1];
  int port;
  SocketReconnect_Policy_T policy;
  SocketReconnect_Callback callback;
  SocketReconnect_HealthCheck health_check; /* NULL: built-in */
  void *userdata;
  SocketExt_ReconnectClock clock; /* NULL: monotonic */
  void *clock_userdata;

  SocketReconnect_State state;
  Socket_T socket; /* CONNECTING or CONNECTED only */
  int attempts;    /* since the last success, reset or disconnect */
  int failures;    /* consecutive */
  int64_t deadline_ms; /* BACKOFF retry / CIRCUIT_OPEN probe / health check */
  uint64_t rng;        /* xorshift64 state for the jitter */
  int last_errno;      /* stored error of the last failure (0: none) */
  int external;        /* the caller makes the connections (SocketExt) */
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void
check_conn (T conn, const char *op)
{
  if (conn == NULL)
    {
      errno = EINVAL;
      RAISE_RC ("%s: NULL reconnect context", op);
    }
}

static int64_t
now_ms (T conn)
{
  if (conn->clock != NULL)
    return conn->clock (conn->clock_userdata);
  return Socket_get_monotonic_ms ();
}

/* Uniform double in [0, 1] from the context's xorshift64. */
static double
next_unit (T conn)
{
  uint64_t x = conn->rng;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  conn->rng = x;
  return (double)(x >> 11) / (double)((UINT64_C (1) << 53) - 1);
}

/* ms from now until @p deadline, clamped to 0..INT_MAX. */
static int
ms_until (T conn, int64_t deadline)
{
  int64_t left = deadline - now_ms (conn);

  if (left <= 0)
    return 0;
  return left > INT_MAX ? INT_MAX : (int)left;
}

static void
close_socket (T conn)
{
  if (conn->socket != NULL)
    Socket_free (&conn->socket);
}

static void
set_state (T conn, SocketReconnect_State next)
{
  SocketReconnect_State old = conn->state;

  if (old == next)
    return;
  conn->state = next;
  if (conn->callback != NULL)
    conn->callback (conn, old, next, conn->userdata);
}

static void
schedule_health_check (T conn)
{
  conn->deadline_ms = now_ms (conn) + conn->policy.health_check_interval_ms;
}

/* ------------------------------------------------------------------ */
/* Transitions                                                        */
/* ------------------------------------------------------------------ */

static void
on_connected (T conn)
{
  if (conn->socket != NULL)
    {
      int fd = Socket_fd (conn->socket);
      int flags = fcntl (fd, F_GETFL);

      /* The connected socket is in blocking mode, as in the original. */
      if (flags >= 0)
        (void)fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
    }
  conn->attempts = 0;
  conn->failures = 0;
  conn->last_errno = 0;
  if (conn->policy.health_check_interval_ms > 0 && !conn->external)
    schedule_health_check (conn);
  set_state (conn, RECONNECT_CONNECTED);
}

static void
on_failure (T conn, int err)
{
  const SocketReconnect_Policy_T *p = &conn->policy;

  close_socket (conn);
  conn->last_errno = err;
  if (conn->failures < INT_MAX)
    conn->failures++;
  if (p->max_attempts > 0 && conn->attempts >= p->max_attempts)
    {
      set_state (conn, RECONNECT_DISCONNECTED);
      return;
    }
  if (conn->failures >= p->circuit_failure_threshold)
    {
      conn->deadline_ms = now_ms (conn) + p->circuit_reset_timeout_ms;
      set_state (conn, RECONNECT_CIRCUIT_OPEN);
      return;
    }
  conn->deadline_ms
      = now_ms (conn)
        + SocketExt_reconnect_backoff_ms (p, conn->attempts, next_unit (conn));
  set_state (conn, RECONNECT_BACKOFF);
}

/*
 * Create the socket and start a non-blocking connect. @return 0 connected,
 * EINPROGRESS, or an errno value (socket then closed by the caller).
 */
static int
open_and_connect (T conn)
{
  volatile int err = 0;
  int domain = strchr (conn->host, ':') != NULL ? AF_INET6 : AF_INET;

  TRY
  {
    SocketTimeouts_T tmo;

    conn->socket = Socket_new (domain, SOCK_STREAM, 0);
    Socket_timeouts_get (conn->socket, &tmo);
    tmo.connect_timeout_ms = 0; /* never wait inside Socket_connect */
    Socket_timeouts_set (conn->socket, &tmo);
    Socket_setnonblocking (conn->socket);
    Socket_connect (conn->socket, conn->host, conn->port);
    if (!Socket_isconnected (conn->socket))
      err = EINPROGRESS;
  }
  EXCEPT (Socket_Failed)
  {
    err = Socket_geterrno () ? Socket_geterrno () : ECONNREFUSED;
  }
  END_TRY;
  return err;
}

/*
 * A non-blocking connect to a black-holed address would otherwise stay
 * CONNECTING until the kernel gives up (minutes); the process-wide default
 * connect timeout bounds it, counted as a failed attempt (ETIMEDOUT).
 */
static int64_t
pending_connect_limit_ms (void)
{
  SocketTimeouts_T defaults;

  Socket_timeouts_getdefaults (&defaults);
  return defaults.connect_timeout_ms > 0 ? defaults.connect_timeout_ms
                                         : SOCKET_DEFAULT_CONNECT_TIMEOUT_MS;
}

static void
start_attempt (T conn)
{
  int err;

  if (conn->attempts < INT_MAX)
    conn->attempts++;
  set_state (conn, RECONNECT_CONNECTING);
  if (conn->state != RECONNECT_CONNECTING) /* the callback moved on */
    return;
  if (conn->external)
    return; /* SocketExt_reconnect_report() finishes the attempt */
  err = open_and_connect (conn);
  if (err == 0)
    on_connected (conn);
  else if (err != EINPROGRESS)
    on_failure (conn, err);
  else
    conn->deadline_ms = now_ms (conn) + pending_connect_limit_ms ();
}

/* Zero-timeout look at the connected socket: 1 alive, 0 lost. */
static int
builtin_healthy (Socket_T s)
{
  struct pollfd pfd = { Socket_fd (s), POLLIN, 0 };
  char c;
  ssize_t n;

  if (poll (&pfd, 1, 0) <= 0)
    return 1; /* nothing to see (or EINTR): assume alive */
  if (pfd.revents & (POLLERR | POLLNVAL))
    return 0;
  n = recv (Socket_fd (s), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0)
    return 1; /* data still to read: the caller's recv sees EOF later */
  if (n == 0)
    return 0; /* EOF */
  return !(pfd.revents & POLLHUP)
         && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

void
SocketReconnect_policy_defaults (SocketReconnect_Policy_T *policy)
{
  if (policy == NULL)
    {
      errno = EINVAL;
      RAISE_RC ("SocketReconnect_policy_defaults: NULL policy");
    }
  policy->initial_delay_ms = SOCKET_RECONNECT_DEFAULT_INITIAL_DELAY_MS;
  policy->max_delay_ms = SOCKET_RECONNECT_DEFAULT_MAX_DELAY_MS;
  policy->multiplier = SOCKET_RECONNECT_DEFAULT_MULTIPLIER;
  policy->jitter = SOCKET_RECONNECT_DEFAULT_JITTER;
  policy->max_attempts = SOCKET_RECONNECT_DEFAULT_MAX_ATTEMPTS;
  policy->circuit_failure_threshold
      = SOCKET_RECONNECT_DEFAULT_CIRCUIT_THRESHOLD;
  policy->circuit_reset_timeout_ms = SOCKET_RECONNECT_DEFAULT_CIRCUIT_RESET_MS;
  policy->health_check_interval_ms
      = SOCKET_RECONNECT_DEFAULT_HEALTH_INTERVAL_MS;
  policy->health_check_timeout_ms = SOCKET_RECONNECT_DEFAULT_HEALTH_TIMEOUT_MS;
}

T
SocketReconnect_new (const char *host, int port,
                     const SocketReconnect_Policy_T *policy,
                     SocketReconnect_Callback callback, void *userdata)
{
  T conn;
  size_t len;

  if (host == NULL)
    {
      errno = EINVAL;
      RAISE_RC ("SocketReconnect_new: NULL host");
    }
  len = strlen (host);
  if (len > RECONNECT_MAX_HOST)
    {
      errno = EINVAL;
      RAISE_RC ("Hostname too long (%zu > %d max) (errno: %d - %s)", len,
                RECONNECT_MAX_HOST, EINVAL, Socket_safe_strerror (EINVAL));
    }
  if (len == 0 || port < 1 || port > 65535)
    {
      errno = EINVAL;
      RAISE_RC ("SocketReconnect_new: %s (host \"%s\", port %d)",
                len == 0 ? "empty host" : "port out of range 1..65535", host,
                port);
    }
  conn = calloc (1, sizeof *conn);
  if (conn == NULL)
    {
      errno = ENOMEM;
      RAISE_RC ("SocketReconnect_new: out of memory");
    }
  memcpy (conn->host, host, len + 1);
  conn->port = port;
  if (policy != NULL)
    conn->policy = *policy;
  else
    SocketReconnect_policy_defaults (&conn->policy);
  conn->callback = callback;
  conn->userdata = userdata;
  conn->state = RECONNECT_DISCONNECTED;
  conn->rng = ((uint64_t)(uintptr_t)conn * UINT64_C (0x9E3779B97F4A7C15))
              ^ (uint64_t)Socket_get_monotonic_ms () ^ UINT64_C (1);
  return conn;
}

void
SocketReconnect_free (T *conn)
{
  if (conn == NULL || *conn == NULL)
    return;
  close_socket (*conn);
  free (*conn);
  *conn = NULL;
}

void
SocketReconnect_connect (T conn)
{
  check_conn (conn, "SocketReconnect_connect");
  if (conn->state != RECONNECT_DISCONNECTED)
    return;
  if (conn->policy.max_attempts > 0
      && conn->attempts >= conn->policy.max_attempts)
    {
      /* Gave up: counts one more failure until reset/disconnect. */
      if (conn->failures < INT_MAX)
        conn->failures++;
      return;
    }
  start_attempt (conn);
}

void
SocketReconnect_disconnect (T conn)
{
  check_conn (conn, "SocketReconnect_disconnect");
  close_socket (conn);
  conn->attempts = 0;
  set_state (conn, RECONNECT_DISCONNECTED);
}

void
SocketReconnect_reset (T conn)
{
  check_conn (conn, "SocketReconnect_reset");
  conn->attempts = 0;
  conn->failures = 0;
  conn->last_errno = 0;
  /* Closing the circuit: an open circuit's probe becomes due at once. */
  if (conn->state == RECONNECT_CIRCUIT_OPEN)
    conn->deadline_ms = now_ms (conn);
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

Socket_T
SocketReconnect_socket (T conn)
{
  check_conn (conn, "SocketReconnect_socket");
  return conn->state == RECONNECT_CONNECTED ? conn->socket : NULL;
}

SocketReconnect_State
SocketReconnect_state (T conn)
{
  check_conn (conn, "SocketReconnect_state");
  return conn->state;
}

int
SocketReconnect_isconnected (T conn)
{
  check_conn (conn, "SocketReconnect_isconnected");
  return conn->state == RECONNECT_CONNECTED;
}

int
SocketReconnect_attempts (T conn)
{
  check_conn (conn, "SocketReconnect_attempts");
  return conn->attempts;
}

int
SocketReconnect_failures (T conn)
{
  check_conn (conn, "SocketReconnect_failures");
  return conn->failures;
}

int
SocketReconnect_pollfd (T conn)
{
  check_conn (conn, "SocketReconnect_pollfd");
  return conn->socket != NULL ? Socket_fd (conn->socket) : -1;
}

const char *
SocketReconnect_state_name (SocketReconnect_State state)
{
  switch (state)
    {
    case RECONNECT_DISCONNECTED:
      return "DISCONNECTED";
    case RECONNECT_CONNECTING:
      return "CONNECTING";
    case RECONNECT_CONNECTED:
      return "CONNECTED";
    case RECONNECT_BACKOFF:
      return "BACKOFF";
    case RECONNECT_CIRCUIT_OPEN:
      return "CIRCUIT_OPEN";
    }
  return "UNKNOWN";
}

void
SocketReconnect_set_health_check (T conn, SocketReconnect_HealthCheck check)
{
  check_conn (conn, "SocketReconnect_set_health_check");
  conn->health_check = check;
}

/* ------------------------------------------------------------------ */
/* Event loop                                                         */
/* ------------------------------------------------------------------ */

/* CONNECTING: finish the non-blocking connect if the kernel is done. */
static void
process_connecting (T conn)
{
  struct pollfd pfd = { Socket_fd (conn->socket), POLLOUT, 0 };
  int err = 0;
  socklen_t len = sizeof err;

  if (poll (&pfd, 1, 0) <= 0)
    return;
  if (getsockopt (pfd.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err == 0 && !(pfd.revents & POLLOUT))
    err = ECONNREFUSED; /* hang-up without an error code */
  if (err == 0)
    {
      volatile int ok = 0;
      TRY ok = Socket_isconnected (conn->socket);
      EXCEPT (Socket_Failed) ok = 0;
      END_TRY;
      if (!ok)
        err = ENOTCONN;
    }
  if (err == 0)
    on_connected (conn);
  else
    on_failure (conn, err);
}

void
SocketReconnect_process (T conn)
{
  check_conn (conn, "SocketReconnect_process");
  if (conn->state == RECONNECT_CONNECTING && conn->socket != NULL)
    process_connecting (conn);
  else if (conn->state == RECONNECT_CONNECTED && conn->socket != NULL
           && !builtin_healthy (conn->socket))
    on_failure (conn, ECONNRESET);
}

int
SocketReconnect_next_timeout_ms (T conn)
{
  check_conn (conn, "SocketReconnect_next_timeout_ms");
  switch (conn->state)
    {
    case RECONNECT_BACKOFF:
    case RECONNECT_CIRCUIT_OPEN:
      return ms_until (conn, conn->deadline_ms);
    case RECONNECT_CONNECTED:
      if (conn->policy.health_check_interval_ms > 0 && !conn->external)
        return ms_until (conn, conn->deadline_ms);
      return -1;
    case RECONNECT_CONNECTING: /* the pending-connect bound */
      return conn->external || conn->socket == NULL
                 ? -1
                 : ms_until (conn, conn->deadline_ms);
    default:
      return -1;
    }
}

static void
run_health_check (T conn)
{
  int healthy;

  if (conn->health_check != NULL)
    healthy = conn->health_check (conn, conn->socket, conn->userdata);
  else
    healthy = builtin_healthy (conn->socket);
  /* The check may have called back into the context. */
  if (conn->state != RECONNECT_CONNECTED || conn->socket == NULL)
    return;
  if (healthy)
    schedule_health_check (conn);
  else
    on_failure (conn, ECONNRESET);
}

void
SocketReconnect_tick (T conn)
{
  check_conn (conn, "SocketReconnect_tick");
  switch (conn->state)
    {
    case RECONNECT_BACKOFF:
    case RECONNECT_CIRCUIT_OPEN: /* the half-open probe */
      if (now_ms (conn) >= conn->deadline_ms)
        start_attempt (conn);
      break;
    case RECONNECT_CONNECTED:
      if (conn->policy.health_check_interval_ms > 0 && conn->socket != NULL
          && now_ms (conn) >= conn->deadline_ms)
        run_health_check (conn);
      break;
    case RECONNECT_CONNECTING:
      if (!conn->external && conn->socket != NULL)
        {
          process_connecting (conn); /* done meanwhile: no false timeout */
          if (conn->state == RECONNECT_CONNECTING
              && now_ms (conn) >= conn->deadline_ms)
            on_failure (conn, ETIMEDOUT);
        }
      break;
    default:
      break;
    }
}

/* ------------------------------------------------------------------ */
/* I/O                                                                */
/* ------------------------------------------------------------------ */

/* Run Socket_send or Socket_recv; *failed set on Socket_Failed/Closed. */
static ssize_t
guarded_io (T conn, int sending, void *buf, size_t len, int *failed)
{
  volatile ssize_t n = 0;
  volatile int bad = 0;

  TRY
  {
    if (sending)
      n = Socket_send (conn->socket, buf, len);
    else
      n = Socket_recv (conn->socket, buf, len);
  }
  EXCEPT (Socket_Closed) bad = ECONNRESET;
  EXCEPT (Socket_Failed)
  {
    bad = Socket_geterrno () ? Socket_geterrno () : EIO;
  }
  END_TRY;
  *failed = bad;
  return n;
}

ssize_t
SocketReconnect_send (T conn, const void *buf, size_t len)
{
  ssize_t n;
  int failed;

  check_conn (conn, "SocketReconnect_send");
  if (buf == NULL && len > 0)
    {
      errno = EINVAL;
      RAISE_RC ("SocketReconnect_send: NULL buffer with length %zu", len);
    }
  if (conn->state != RECONNECT_CONNECTED || conn->socket == NULL)
    {
      errno = ENOTCONN;
      return -1;
    }
  if (len == 0)
    return 0;
  n = guarded_io (conn, 1, (void *)(uintptr_t)buf, len, &failed);
  if (!failed)
    {
      if (n == 0)
        errno = EAGAIN;
      return n;
    }
  on_failure (conn, failed);
  errno = ENOTCONN;
  return -1;
}

ssize_t
SocketReconnect_recv (T conn, void *buf, size_t len)
{
  ssize_t n;
  int failed;

  check_conn (conn, "SocketReconnect_recv");
  if (buf == NULL)
    {
      errno = EINVAL;
      RAISE_RC ("SocketReconnect_recv: NULL buffer");
    }
  if (conn->state != RECONNECT_CONNECTED || conn->socket == NULL)
    {
      errno = ENOTCONN;
      return -1;
    }
  if (len == 0)
    return 0;
  n = guarded_io (conn, 0, buf, len, &failed);
  if (!failed)
    {
      if (n == 0)
        errno = EAGAIN; /* non-blocking socket without data: still up */
      return n;
    }
  on_failure (conn, failed);
  errno = failed;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Extensions (include/socket/SocketExt.h)                            */
/* ------------------------------------------------------------------ */

void
SocketExt_reconnect_set_clock (T conn, SocketExt_ReconnectClock clock,
                               void *userdata)
{
  check_conn (conn, "SocketExt_reconnect_set_clock");
  conn->clock = clock;
  conn->clock_userdata = clock != NULL ? userdata : NULL;
}

void
SocketExt_reconnect_set_external (T conn, int enable)
{
  check_conn (conn, "SocketExt_reconnect_set_external");
  if (conn->state != RECONNECT_DISCONNECTED || conn->socket != NULL)
    {
      errno = EBUSY;
      RAISE_RC ("SocketExt_reconnect_set_external: context is %s "
                "(only in DISCONNECTED)",
                SocketReconnect_state_name (conn->state));
    }
  conn->external = enable != 0;
}

void
SocketExt_reconnect_report (T conn, int connected, int err)
{
  check_conn (conn, "SocketExt_reconnect_report");
  if (!conn->external || conn->state != RECONNECT_CONNECTING)
    {
      errno = EINVAL;
      RAISE_RC ("SocketExt_reconnect_report: no external attempt pending "
                "(state %s)",
                SocketReconnect_state_name (conn->state));
    }
  if (connected)
    on_connected (conn);
  else
    on_failure (conn, err > 0 ? err : ECONNREFUSED);
}

int
SocketExt_reconnect_lost (T conn, int err)
{
  check_conn (conn, "SocketExt_reconnect_lost");
  if (conn->state != RECONNECT_CONNECTED)
    return 0;
  on_failure (conn, err > 0 ? err : ECONNRESET);
  return 1;
}

/* base^exp by squaring (no libm); stops growing once past @p limit. */
static double
pow_capped (double base, int exp, double limit)
{
  double result = 1.0;

  while (exp > 0)
    {
      if (exp & 1)
        result *= base;
      exp >>= 1;
      if (exp > 0)
        base *= base;
      if (!(result <= limit) && result > 0.0 && base >= 1.0)
        return result; /* only grows from here (or NaN) */
    }
  return result;
}

int
SocketExt_reconnect_backoff_ms (const SocketReconnect_Policy_T *policy,
                                int attempts, double unit)
{
  SocketReconnect_Policy_T defaults;
  double delay, cap;

  if (policy == NULL)
    {
      SocketReconnect_policy_defaults (&defaults);
      policy = &defaults;
    }
  if (attempts < 0)
    attempts = 0;
  if (!(unit >= 0.0))
    unit = 0.0;
  if (unit > 1.0)
    unit = 1.0;
  cap = (double)policy->max_delay_ms; /* <= 0: every delay is 1 ms */
  delay = (double)policy->initial_delay_ms
          * pow_capped (policy->multiplier, attempts, cap);
  if (!(delay <= cap)) /* also NaN */
    delay = cap;
  if (policy->jitter > 0.0)
    delay += (2.0 * unit - 1.0) * policy->jitter * delay;
  if (!(delay >= 1.0))
    return 1;
  if (delay >= (double)INT_MAX)
    return INT_MAX;
  return (int)delay;
}

#undef T
