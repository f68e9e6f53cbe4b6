/*
 * SocketPool-accept.c - admission: connection rate (token bucket),
 * per-IP limits (SocketIPTracker), SYN-flood protection and batch accept.
 *
 * The limiter and tracker pointers can be replaced by the setters at any
 * time, so every use happens under the pool lock; the accept() itself runs
 * unlocked. A decision and its bookkeeping (token taken, IP counted) are
 * made in one locked section so that concurrent acceptors cannot both pass
 * a limit that has room for one.
 */
#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pool/SocketPool-private.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketPool);

static int
has_ip (const char *ip)
{
  return ip != NULL && ip[0] != '\0';
}

/* Locked: 1 if @p ip is at its per-IP limit. */
static int
ip_at_limit_locked (SocketPool_T pool, const char *ip)
{
  return pool->tracker != NULL && has_ip (ip)
         && SocketIPTracker_count (pool->tracker, ip) >= pool->max_per_ip;
}

/* Locked: 1 and the IP counted, or 0 (nothing counted). */
static int
track_locked (SocketPool_T pool, const char *ip)
{
  if (pool->tracker == NULL || !has_ip (ip))
    return 1;
  return SocketIPTracker_track (pool->tracker, ip);
}

/* A heap limiter, or NULL if it cannot be created (never raises). */
static SocketRateLimit_T
new_limiter (size_t rate, size_t burst)
{
  SocketRateLimit_T volatile l = NULL;

  TRY l = SocketRateLimit_new (NULL, rate, burst);
  ELSE l = NULL;
  END_TRY;
  return l;
}

void
SocketPool_setconnrate (SocketPool_T pool, int conns_per_sec, int burst)
{
  SocketRateLimit_T fresh;

  SocketPool__check (pool, "SocketPool_setconnrate");
  if (burst <= 0)
    burst = conns_per_sec;
  SocketPool__lock (pool);
  if (conns_per_sec <= 0)
    {
      SocketRateLimit_free (&pool->limiter);
      pool->conn_rate = 0;
    }
  else if (pool->limiter != NULL)
    {
      SocketRateLimit_configure (pool->limiter, (size_t)conns_per_sec,
                                 (size_t)burst);
      pool->conn_rate = conns_per_sec;
    }
  else
    {
      fresh = new_limiter ((size_t)conns_per_sec, (size_t)burst);
      if (fresh == NULL)
        {
          SocketPool__unlock (pool);
          POOL_RAISE ("SocketPool_setconnrate: cannot create the limiter");
        }
      pool->limiter = fresh;
      pool->conn_rate = conns_per_sec;
    }
  SocketPool__unlock (pool);
}

int
SocketPool_getconnrate (SocketPool_T pool)
{
  int rate;

  SocketPool__check (pool, "SocketPool_getconnrate");
  SocketPool__lock (pool);
  rate = pool->limiter != NULL ? pool->conn_rate : 0;
  SocketPool__unlock (pool);
  return rate;
}

/* A heap tracker, or NULL if it cannot be created (never raises). */
static SocketIPTracker_T
new_tracker (int max_conns)
{
  SocketIPTracker_T volatile t = NULL;

  TRY t = SocketIPTracker_new (NULL, max_conns);
  ELSE t = NULL;
  END_TRY;
  return t;
}

void
SocketPool_setmaxperip (SocketPool_T pool, int max_conns)
{
  SocketIPTracker_T fresh;

  SocketPool__check (pool, "SocketPool_setmaxperip");
  SocketPool__lock (pool);
  if (max_conns <= 0)
    {
      SocketIPTracker_free (&pool->tracker); /* counts are forgotten */
      pool->max_per_ip = 0;
    }
  else if (pool->tracker != NULL)
    {
      SocketIPTracker_setmax (pool->tracker, max_conns);
      pool->max_per_ip = max_conns;
    }
  else
    {
      fresh = new_tracker (max_conns);
      if (fresh == NULL)
        {
          SocketPool__unlock (pool);
          POOL_RAISE ("SocketPool_setmaxperip: cannot create the tracker");
        }
      pool->tracker = fresh;
      pool->max_per_ip = max_conns;
    }
  SocketPool__unlock (pool);
}

int
SocketPool_getmaxperip (SocketPool_T pool)
{
  int max;

  SocketPool__check (pool, "SocketPool_getmaxperip");
  SocketPool__lock (pool);
  max = pool->tracker != NULL ? pool->max_per_ip : 0;
  SocketPool__unlock (pool);
  return max;
}

int
SocketPool_accept_allowed (SocketPool_T pool, const char *client_ip)
{
  int ok;

  SocketPool__check (pool, "SocketPool_accept_allowed");
  SocketPool__lock (pool);
  ok = SocketPool__accepting (pool)
       && (pool->limiter == NULL
           || SocketRateLimit_available (pool->limiter) >= 1)
       && !ip_at_limit_locked (pool, client_ip);
  SocketPool__unlock (pool);
  return ok;
}

int
SocketPool_track_ip (SocketPool_T pool, const char *ip)
{
  int ok;

  SocketPool__check (pool, "SocketPool_track_ip");
  SocketPool__lock (pool);
  ok = track_locked (pool, ip);
  SocketPool__unlock (pool);
  return ok;
}

void
SocketPool_release_ip (SocketPool_T pool, const char *ip)
{
  SocketPool__check (pool, "SocketPool_release_ip");
  SocketPool__lock (pool);
  if (pool->tracker != NULL && has_ip (ip))
    SocketIPTracker_release (pool->tracker, ip);
  SocketPool__unlock (pool);
}

int
SocketPool_ip_count (SocketPool_T pool, const char *ip)
{
  int n = 0;

  SocketPool__check (pool, "SocketPool_ip_count");
  SocketPool__lock (pool);
  if (pool->tracker != NULL && has_ip (ip))
    n = SocketIPTracker_count (pool->tracker, ip);
  SocketPool__unlock (pool);
  return n;
}

static void
check_server (Socket_T server, const char *op)
{
  if (server == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("%s: NULL server socket", op);
    }
}

Socket_T
SocketPool_accept_limited (SocketPool_T pool, Socket_T server)
{
  Socket_T client;
  int ok;

  SocketPool__check (pool, "SocketPool_accept_limited");
  check_server (server, "SocketPool_accept_limited");
  SocketPool__lock (pool);
  /* The token is spent on the attempt, as the original does. */
  ok = SocketPool__accepting (pool)
       && (pool->limiter == NULL
           || SocketRateLimit_try_acquire (pool->limiter, 1));
  SocketPool__unlock (pool);
  if (!ok)
    return NULL;
  client = Socket_accept (server); /* Socket_Failed escapes unchanged */
  if (client == NULL)
    return NULL;
  SocketPool__lock (pool);
  ok = track_locked (pool, Socket_getpeeraddr (client));
  SocketPool__unlock (pool);
  if (!ok)
    Socket_free (&client);
  return client;
}

void
SocketPool_set_syn_protection (SocketPool_T pool, SocketSYNProtect_T protect)
{
  SocketPool__check (pool, "SocketPool_set_syn_protection");
  SocketPool__lock (pool);
  pool->syn_protect = protect;
  SocketPool__unlock (pool);
}

SocketSYNProtect_T
SocketPool_get_syn_protection (SocketPool_T pool)
{
  SocketSYNProtect_T p;

  SocketPool__check (pool, "SocketPool_get_syn_protection");
  SocketPool__lock (pool);
  p = pool->syn_protect;
  SocketPool__unlock (pool);
  return p;
}

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Locked admission of an accepted peer: running, a rate token, and a
 * per-IP slot, taken together or not at all. */
static int
admit_locked (SocketPool_T pool, const char *ip)
{
  if (!SocketPool__accepting (pool) || ip_at_limit_locked (pool, ip))
    return 0;
  if (pool->limiter != NULL && !SocketRateLimit_try_acquire (pool->limiter, 1))
    return 0;
  return track_locked (pool, ip);
}

Socket_T
SocketPool_accept_protected (SocketPool_T pool, Socket_T server,
                             SocketSYN_Action *action_out)
{
  SocketSYNProtect_T protect;
  SocketSYN_Action action;
  Socket_T client;
  const char *ip;
  int ok;

  SocketPool__check (pool, "SocketPool_accept_protected");
  check_server (server, "SocketPool_accept_protected");
  if (action_out != NULL)
    *action_out = SYN_ACTION_ALLOW;
  protect = SocketPool_get_syn_protection (pool);
  if (protect == NULL)
    return SocketPool_accept_limited (pool, server);
  client = Socket_accept (server);
  if (client == NULL)
    return NULL;
  ip = Socket_getpeeraddr (client);
  action = SocketSYNProtect_check (protect, ip, NULL);
  if (action_out != NULL)
    *action_out = action;
  if (action == SYN_ACTION_BLOCK)
    {
      SocketSYNProtect_report_failure (protect, ip, ECONNREFUSED);
      Socket_free (&client);
      return NULL;
    }
  if (action == SYN_ACTION_THROTTLE)
    sleep_ms (SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS);
  else if (action == SYN_ACTION_CHALLENGE)
    {
      TRY Socket_setdeferaccept (client, SOCKET_SYN_DEFAULT_DEFER_SEC);
      ELSE; /* best effort: the defer only delays a silent client */
      END_TRY;
    }
  SocketPool__lock (pool);
  ok = admit_locked (pool, ip);
  SocketPool__unlock (pool);
  if (!ok)
    {
      SocketSYNProtect_report_failure (protect, ip, ECONNREFUSED);
      Socket_free (&client);
      return NULL;
    }
  if (action != SYN_ACTION_CHALLENGE)
    SocketSYNProtect_report_success (protect, ip);
  return client;
}

/* accept4 one pending connection, non-blocking and close-on-exec.
 * @return the fd, or -1 when none is pending or on error. */
static int
accept_nonblocking (int listen_fd)
{
  for (;;)
    {
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd >= 0 || errno != EINTR)
        return fd;
    }
}

/* Wrap @p fd and pool it. @return the socket, or NULL (fd closed, or
 * the socket freed when the pool refused it). Never raises. */
static Socket_T
wrap_and_add (SocketPool_T pool, int fd)
{
  Socket_T volatile s = NULL;
  Connection_T volatile c = NULL;

  TRY
  {
    s = Socket_new_from_fd (fd);
    c = SocketPool_add (pool, s);
  }
  ELSE c = NULL;
  END_TRY;
  if (s == NULL)
    {
      close (fd);
      return NULL;
    }
  if (c == NULL)
    {
      Socket_T dead = s;
      Socket_free (&dead);
      return NULL;
    }
  return s;
}

int
SocketPool_accept_batch (SocketPool_T pool, Socket_T server, int max_accepts,
                         Socket_T *accepted)
{
  size_t room;
  int n = 0;

  if (pool == NULL || server == NULL || accepted == NULL || max_accepts < 1
      || max_accepts > SOCKET_POOL_MAX_BATCH_ACCEPTS)
    return 0;
  SocketPool__lock (pool);
  room = pool->maxconns - pool->count;
  SocketPool__unlock (pool);
  if ((size_t)max_accepts > room)
    max_accepts = (int)room;
  while (n < max_accepts)
    {
      int fd = accept_nonblocking (Socket_fd (server));
      Socket_T s;

      if (fd < 0)
        break;
      s = wrap_and_add (pool, fd);
      if (s == NULL)
        break;
      accepted[n++] = s;
    }
  return n;
}
