/*
 * SocketHappyEyeballs.c - RFC 8305 connection racing.
 *
 * Design. One engine serves both APIs. A context holds the sorted address
 * list, a fixed array of max_attempts attempt slots and the timers; the
 * step function he_step() (called by SocketHappyEyeballs_process()) checks
 * every attempt with one zero-timeout poll(2), applies the timeouts and
 * starts attempts when due. The blocking SocketHappyEyeballs_connect()
 * resolves, then loops "wait on the attempt fds until the next deadline;
 * he_step()" on a context that has no SocketPoll.
 *
 * Pacing (RFC 8305 section 5): an attempt starts when no attempt is in
 * flight, when one has just failed (once per failure), or when
 * first_attempt_delay_ms has passed since the last start; never more than
 * max_attempts at once. An address whose connect() fails at once (no
 * route, family unsupported) does not count: the next one is tried in the
 * same step.
 *
 * Ordering (section 4): addresses are split by family, deduplicated, and
 * interleaved starting with the preferred family (First Address Family
 * Count 1); getaddrinfo's order is kept within a family.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketHappyEyeballs-private.h"
#include "socket/SocketHappyEyeballs.h"

const Except_T SocketHE_Failed
    = { &SocketHE_Failed, "Happy Eyeballs connection failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketHE);

#define HE_RAISE(fmt, ...)                                                    \
  SOCKET_RAISE_MSG (SocketHE, SocketHE_Failed, fmt, ##__VA_ARGS__)

/* Upper bound on simultaneous attempts (bounds the slot array). */
#define HE_MAX_SLOTS 16
#define HE_ERROR_SIZE 256

typedef struct
{
  struct sockaddr_storage ss;
  socklen_t len;
} HE_Addr;

typedef struct
{
  Socket_T sock; /* NULL: slot free */
  int64_t started_ms;
  bool in_poll;
} HE_Attempt;

struct SocketHE_T
{
  SocketHE_State state;
  SocketHE_Config_T cfg; /* normalised: delay >= 0, timeouts -1 = none */
  SocketDNS_T dns;       /* borrowed, NULL in the blocking path */
  SocketPoll_T poll;     /* borrowed, may be NULL */
  SocketDNS_Request_T req;
  Socket_T dns_watch; /* dup of the resolver fd, registered in poll */
  char *host;
  int port;
  bool have_addrs; /* answer in hand (literal or test hook) */
  HE_Addr *addrs;
  size_t naddrs;
  size_t next; /* next address to try */
  HE_Attempt slots[HE_MAX_SLOTS];
  int nslots;
  int64_t start_ms;
  int64_t last_start_ms;
  int last_errno;
  Socket_T winner;
  char error[HE_ERROR_SIZE];
};

/* ---- configuration ------------------------------------------------------ */

void
SocketHappyEyeballs_config_defaults (SocketHE_Config_T *config)
{
  if (config == NULL)
    HE_RAISE ("SocketHappyEyeballs_config_defaults: NULL config");
  config->first_attempt_delay_ms = SOCKET_HE_DEFAULT_FIRST_ATTEMPT_DELAY_MS;
  config->attempt_timeout_ms = SOCKET_HE_DEFAULT_ATTEMPT_TIMEOUT_MS;
  config->total_timeout_ms = SOCKET_HE_DEFAULT_TOTAL_TIMEOUT_MS;
  config->prefer_ipv6 = 1;
  config->max_attempts = SOCKET_HE_DEFAULT_MAX_ATTEMPTS;
}

/* 0 = default, negative = none (-1), as the header documents. */
static int
norm_timeout (int v, int def)
{
  if (v == 0)
    return def;
  return v < 0 ? -1 : v;
}

static void
he_init_config (struct SocketHE_T *he, const SocketHE_Config_T *config)
{
  SocketHE_Config_T c;

  if (config != NULL)
    c = *config;
  else
    SocketHappyEyeballs_config_defaults (&c);
  if (c.first_attempt_delay_ms == 0)
    c.first_attempt_delay_ms = SOCKET_HE_DEFAULT_FIRST_ATTEMPT_DELAY_MS;
  else if (c.first_attempt_delay_ms < 0)
    c.first_attempt_delay_ms = 0;
  c.attempt_timeout_ms
      = norm_timeout (c.attempt_timeout_ms, SOCKET_HE_DEFAULT_ATTEMPT_TIMEOUT_MS);
  c.total_timeout_ms
      = norm_timeout (c.total_timeout_ms, SOCKET_HE_DEFAULT_TOTAL_TIMEOUT_MS);
  c.prefer_ipv6 = c.prefer_ipv6 != 0;
  if (c.max_attempts <= 0)
    c.max_attempts = SOCKET_HE_DEFAULT_MAX_ATTEMPTS;
  if (c.max_attempts > HE_MAX_SLOTS)
    c.max_attempts = HE_MAX_SLOTS;
  he->cfg = c;
  he->nslots = c.max_attempts;
}

/* ---- addresses ---------------------------------------------------------- */

static bool
addr_seen (const HE_Addr *list, size_t n, const struct addrinfo *ai)
{
  for (size_t i = 0; i < n; i++)
    if (list[i].len == ai->ai_addrlen
        && memcmp (&list[i].ss, ai->ai_addr, ai->ai_addrlen) == 0)
      return true;
  return false;
}

/* Append the usable entries of @p res of @p family to @p out. */
static size_t
collect_family (const struct addrinfo *res, int family, HE_Addr *out,
                size_t n)
{
  for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    {
      if (ai->ai_family != family || ai->ai_addr == NULL
          || ai->ai_addrlen == 0 || ai->ai_addrlen > sizeof out[0].ss
          || (ai->ai_socktype != 0 && ai->ai_socktype != SOCK_STREAM))
        continue;
      if (addr_seen (out, n, ai))
        continue;
      memcpy (&out[n].ss, ai->ai_addr, ai->ai_addrlen);
      out[n].len = ai->ai_addrlen;
      n++;
    }
  return n;
}

/*
 * Sort @p res into he->addrs (RFC 8305 section 4): preferred family first,
 * then alternate families. @return 0, or -1 on allocation failure.
 */
static int
he_set_addrs (struct SocketHE_T *he, const struct addrinfo *res)
{
  size_t total = 0, n6, n4, i6 = 0, i4 = 0, k = 0;
  HE_Addr *tmp, *out;
  bool v6_turn = he->cfg.prefer_ipv6;

  for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    total++;
  if (total == 0)
    {
      he->have_addrs = true;
      return 0;
    }
  tmp = calloc (total, sizeof *tmp);
  out = calloc (total, sizeof *out);
  if (tmp == NULL || out == NULL)
    {
      free (tmp);
      free (out);
      return -1;
    }
  n6 = collect_family (res, AF_INET6, tmp, 0);
  n4 = collect_family (res, AF_INET, tmp, n6) - n6;
  while (i6 < n6 || i4 < n4)
    {
      if ((v6_turn && i6 < n6) || i4 >= n4)
        out[k++] = tmp[i6++];
      else
        out[k++] = tmp[n6 + i4++];
      v6_turn = !v6_turn;
    }
  free (tmp);
  free (he->addrs);
  he->addrs = out;
  he->naddrs = k;
  he->next = 0;
  he->have_addrs = true;
  return 0;
}

/* getaddrinfo for an address literal only. @return list or NULL. */
static struct addrinfo *
resolve_literal (const char *host, int port)
{
  struct addrinfo hints, *res = NULL;
  char service[SOCKET_HE_PORT_STR_SIZE];

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  snprintf (service, sizeof service, "%d", port);
  if (getaddrinfo (host, service, &hints, &res) != 0)
    return NULL;
  return res;
}

/* ---- context lifetime --------------------------------------------------- */

static struct SocketHE_T *
he_alloc (const SocketHE_Config_T *config)
{
  struct SocketHE_T *he = calloc (1, sizeof *he);

  if (he == NULL)
    HE_RAISE ("Failed to create Happy Eyeballs context");
  he_init_config (he, config);
  he->start_ms = Socket_get_monotonic_ms ();
  he->state = HE_STATE_IDLE;
  return he;
}

static void
he_release (struct SocketHE_T *he)
{
  free (he->addrs);
  free (he->host);
  free (he);
}

static void
attempt_close (struct SocketHE_T *he, HE_Attempt *a)
{
  if (a->sock == NULL)
    return;
  if (a->in_poll && he->poll != NULL)
    SocketPoll_del (he->poll, a->sock);
  a->in_poll = false;
  Socket_free (&a->sock);
}

static void
close_attempts (struct SocketHE_T *he)
{
  for (int i = 0; i < he->nslots; i++)
    attempt_close (he, &he->slots[i]);
}

static void
dns_unwatch (struct SocketHE_T *he)
{
  if (he->dns_watch == NULL)
    return;
  if (he->poll != NULL)
    SocketPoll_del (he->poll, he->dns_watch);
  Socket_free (&he->dns_watch);
}

static void
dns_drop_request (struct SocketHE_T *he)
{
  if (he->req != NULL && he->dns != NULL)
    SocketDNS_cancel (he->dns, he->req);
  he->req = NULL;
  dns_unwatch (he);
}

static void
he_fail (struct SocketHE_T *he, const char *reason)
{
  dns_drop_request (he);
  close_attempts (he);
  snprintf (he->error, sizeof he->error, "%s", reason);
  he->state = HE_STATE_FAILED;
}

/* ---- attempts ----------------------------------------------------------- */

static int
active_count (const struct SocketHE_T *he)
{
  int n = 0;

  for (int i = 0; i < he->nslots; i++)
    n += he->slots[i].sock != NULL;
  return n;
}

static HE_Attempt *
free_slot (struct SocketHE_T *he)
{
  for (int i = 0; i < he->nslots; i++)
    if (he->slots[i].sock == NULL)
      return &he->slots[i];
  return NULL;
}

/* Connected: make it the winner, close the rest. Never raises. */
static void
he_win (struct SocketHE_T *he, HE_Attempt *a)
{
  Socket_T s = a->sock;
  volatile bool ok = true;

  if (a->in_poll && he->poll != NULL)
    SocketPoll_del (he->poll, s);
  a->in_poll = false;
  a->sock = NULL;
  close_attempts (he);
  TRY
  {
    SocketCommon_set_nonblock (s->base, false, SocketHE_Failed);
    s->connected = 1;
    s->bound = 1;
    SocketCommon__update_peer_endpoint (s->base);
    SocketCommon_update_local_endpoint (s->base);
  }
  ELSE ok = false;
  END_TRY;
  if (!ok)
    {
      Socket_free (&s);
      he_fail (he, "All connection attempts failed");
      return;
    }
  he->winner = s;
  he->state = HE_STATE_CONNECTED;
}

/* Create a socket for @p addr and connect() it without blocking.
 * @return 0 connected, EINPROGRESS, or an errno value (socket freed). */
static int
attempt_open (struct SocketHE_T *he, HE_Attempt *a, const HE_Addr *addr)
{
  Socket_T volatile s = NULL;
  volatile int err = 0;

  TRY
  {
    s = Socket_new (addr->ss.ss_family, SOCK_STREAM, 0);
    Socket_setnonblocking (s);
  }
  ELSE err = Socket_geterrno () != 0 ? Socket_geterrno () : EINVAL;
  END_TRY;
  if (err != 0)
    {
      if (s != NULL)
        Socket_free ((Socket_T *)&s);
      return err;
    }
  if (connect (Socket_fd (s), (const struct sockaddr *)&addr->ss, addr->len)
      == 0)
    err = 0;
  else
    err = (errno == EINTR) ? EINPROGRESS : errno;
  if (err != 0 && err != EINPROGRESS)
    {
      Socket_free ((Socket_T *)&s);
      return err;
    }
  a->sock = s;
  a->started_ms = Socket_get_monotonic_ms ();
  a->in_poll = false;
  if (err == EINPROGRESS && he->poll != NULL)
    {
      TRY
      {
        SocketPoll_add (he->poll, a->sock, POLL_WRITE, a);
        a->in_poll = true;
      }
      ELSE a->in_poll = false; /* process() still checks it itself */
      END_TRY;
    }
  return err;
}

/*
 * Start attempts on the next addresses (at most one that stays pending;
 * immediate failures move on to the following address).
 * @return 1 if an attempt is now pending, 2 if one connected at once,
 *         0 if no address was left.
 */
static int
start_next (struct SocketHE_T *he)
{
  HE_Attempt *a = free_slot (he);

  if (a == NULL)
    return 0;
  while (he->next < he->naddrs)
    {
      int err = attempt_open (he, a, &he->addrs[he->next++]);

      he->last_start_ms = Socket_get_monotonic_ms ();
      if (err == 0)
        {
          he_win (he, a);
          return 2;
        }
      if (err == EINPROGRESS)
        return 1;
      he->last_errno = err;
    }
  return 0;
}

static void
attempt_failed (struct SocketHE_T *he, HE_Attempt *a, int err)
{
  he->last_errno = err;
  attempt_close (he, a);
}

/*
 * Check every pending attempt (one zero-timeout poll) and the per-attempt
 * timeout. @return the number that failed; a winner ends the operation.
 */
static int
check_attempts (struct SocketHE_T *he, int64_t now)
{
  struct pollfd pfd[HE_MAX_SLOTS];
  int idx[HE_MAX_SLOTS];
  int n = 0, failed = 0;

  for (int i = 0; i < he->nslots; i++)
    if (he->slots[i].sock != NULL)
      {
        pfd[n].fd = Socket_fd (he->slots[i].sock);
        pfd[n].events = POLLOUT;
        pfd[n].revents = 0;
        idx[n++] = i;
      }
  if (n == 0 || poll (pfd, (nfds_t)n, 0) < 0)
    return 0;
  for (int j = 0; j < n; j++)
    {
      HE_Attempt *a = &he->slots[idx[j]];

      if (pfd[j].revents != 0)
        {
          int err = 0;
          socklen_t len = sizeof err;

          if (getsockopt (pfd[j].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
          if (err == 0)
            {
              he_win (he, a);
              return failed;
            }
          attempt_failed (he, a, err);
          failed++;
        }
      else if (he->cfg.attempt_timeout_ms > 0
               && now - a->started_ms >= he->cfg.attempt_timeout_ms)
        {
          attempt_failed (he, a, ETIMEDOUT);
          failed++;
        }
    }
  return failed;
}

static bool
total_expired (const struct SocketHE_T *he, int64_t now)
{
  return he->cfg.total_timeout_ms > 0
         && now - he->start_ms >= he->cfg.total_timeout_ms;
}

/* One CONNECTING step. */
static void
he_connect_step (struct SocketHE_T *he)
{
  int64_t now = Socket_get_monotonic_ms ();
  int kicks;

  kicks = check_attempts (he, now);
  if (he->state != HE_STATE_CONNECTING)
    return;
  if (total_expired (he, now))
    {
      he_fail (he, "Connection timed out");
      return;
    }
  for (;;)
    {
      int active = active_count (he);
      bool due;

      if (active >= he->nslots || he->next >= he->naddrs)
        break;
      due = active == 0 || kicks > 0
            || now - he->last_start_ms >= he->cfg.first_attempt_delay_ms;
      if (!due)
        break;
      if (kicks > 0)
        kicks--;
      if (start_next (he) == 2)
        return;
      now = Socket_get_monotonic_ms ();
      if (he->cfg.first_attempt_delay_ms > 0 && kicks == 0)
        break;
    }
  if (active_count (he) == 0 && he->next >= he->naddrs)
    he_fail (he, "All connection attempts failed");
}

static void
he_enter_connecting (struct SocketHE_T *he)
{
  dns_unwatch (he);
  he->req = NULL;
  if (he->naddrs == 0)
    {
      he_fail (he, "No addresses found");
      return;
    }
  he->state = HE_STATE_CONNECTING;
  he->last_start_ms = Socket_get_monotonic_ms ();
}

/* One RESOLVING step. */
static void
he_resolve_step (struct SocketHE_T *he)
{
  struct addrinfo *res;
  int err;

  if (he->have_addrs)
    {
      he_enter_connecting (he);
      return;
    }
  SocketDNS_check (he->dns);
  res = SocketDNS_getresult (he->dns, he->req);
  if (res != NULL)
    {
      int rc = he_set_addrs (he, res);

      freeaddrinfo (res);
      if (rc < 0)
        he_fail (he, "Memory allocation failed");
      else
        he_enter_connecting (he);
      return;
    }
  err = SocketDNS_geterror (he->dns, he->req);
  if (err != 0)
    {
      char msg[HE_ERROR_SIZE];

      he->req = NULL; /* retired by the resolver */
      snprintf (msg, sizeof msg, "DNS resolution failed: %s",
                gai_strerror (err));
      he_fail (he, msg);
      return;
    }
  if (total_expired (he, Socket_get_monotonic_ms ()))
    he_fail (he, "Connection timed out");
}

static void
he_step (struct SocketHE_T *he)
{
  if (he->state == HE_STATE_RESOLVING)
    he_resolve_step (he);
  if (he->state == HE_STATE_CONNECTING)
    he_connect_step (he);
}

/* ---- asynchronous API --------------------------------------------------- */

static void
check_host_port (const char *fn, const char *host, int port)
{
  if (host == NULL || host[0] == '\0')
    HE_RAISE ("%s: host must not be NULL or empty", fn);
  if (strlen (host) > SOCKET_ERROR_MAX_HOSTNAME)
    HE_RAISE ("%s: host name too long", fn);
  if (port <= 0 || port > SOCKET_MAX_PORT)
    HE_RAISE ("%s: invalid port %d (valid: 1-65535)", fn, port);
}

/* Register a duplicate of the resolver fd in the caller's poll so its wait
 * wakes when the answer arrives. Best effort: without it the context still
 * works, next_timeout_ms() then paces the checks. */
static void
dns_watch (struct SocketHE_T *he)
{
  int fd = dup (SocketDNS_pollfd (he->dns));
  Socket_T volatile s = NULL;

  if (fd < 0)
    return;
  TRY
  {
    s = Socket_new_from_fd (fd);
    SocketPoll_add (he->poll, s, POLL_READ, he);
    he->dns_watch = s;
  }
  ELSE
  {
    if (s != NULL)
      Socket_free ((Socket_T *)&s);
    else
      close (fd);
  }
  END_TRY;
}

static void
he_start_lookup (struct SocketHE_T *he)
{
  volatile bool failed = false;

  TRY
  {
    he->req = SocketDNS_resolve (he->dns, he->host, he->port, NULL, NULL);
    if (he->cfg.total_timeout_ms > 0)
      SocketDNS_request_settimeout (he->dns, he->req,
                                    he->cfg.total_timeout_ms);
  }
  ELSE failed = true;
  END_TRY;
  if (failed)
    HE_RAISE ("Failed to start DNS resolution");
  dns_watch (he);
}

SocketHE_T
SocketHappyEyeballs_start (SocketDNS_T dns, SocketPoll_T poll,
                           const char *host, int port,
                           const SocketHE_Config_T *config)
{
  struct SocketHE_T *volatile he = NULL;
  struct addrinfo *lit;

  if (dns == NULL || poll == NULL)
    HE_RAISE ("SocketHappyEyeballs_start: NULL resolver or poll");
  check_host_port ("SocketHappyEyeballs_start", host, port);
  he = he_alloc (config);
  he->dns = dns;
  he->poll = poll;
  he->port = port;
  he->host = strdup (host);
  if (he->host == NULL)
    {
      he_release (he);
      HE_RAISE ("Failed to create Happy Eyeballs context");
    }
  he->state = HE_STATE_RESOLVING;
  lit = resolve_literal (host, port);
  if (lit != NULL)
    {
      int rc = he_set_addrs (he, lit);

      freeaddrinfo (lit);
      if (rc < 0)
        {
          he_release (he);
          HE_RAISE ("Memory allocation failed");
        }
      return he;
    }
  TRY he_start_lookup (he);
  ELSE
  {
    he_release (he);
    RERAISE;
  }
  END_TRY;
  return he;
}

SocketHE_T
SocketHappyEyeballs__start_addrinfo (SocketPoll_T poll,
                                     const struct addrinfo *res,
                                     const SocketHE_Config_T *config)
{
  struct SocketHE_T *he = he_alloc (config);

  he->poll = poll;
  he->state = HE_STATE_RESOLVING;
  if (he_set_addrs (he, res) < 0)
    {
      he_release (he);
      HE_RAISE ("Memory allocation failed");
    }
  return he;
}

int
SocketHappyEyeballs_poll (SocketHE_T he)
{
  if (he == NULL)
    return 1;
  return he->state == HE_STATE_CONNECTED || he->state == HE_STATE_FAILED
         || he->state == HE_STATE_CANCELLED;
}

void
SocketHappyEyeballs_process (SocketHE_T he)
{
  if (he == NULL)
    return;
  if (he->state == HE_STATE_IDLE && he->dns != NULL && he->host != NULL)
    {
      volatile bool failed = false;

      he->state = HE_STATE_RESOLVING;
      TRY he_start_lookup (he);
      ELSE failed = true;
      END_TRY;
      if (failed)
        {
          he_fail (he, "Failed to start DNS resolution");
          return;
        }
    }
  he_step (he);
}

Socket_T
SocketHappyEyeballs_result (SocketHE_T he)
{
  Socket_T s;

  if (he == NULL || he->state != HE_STATE_CONNECTED)
    return NULL;
  s = he->winner;
  he->winner = NULL;
  return s;
}

void
SocketHappyEyeballs_cancel (SocketHE_T he)
{
  if (he == NULL || SocketHappyEyeballs_poll (he))
    return;
  dns_drop_request (he);
  close_attempts (he);
  he->state = HE_STATE_CANCELLED;
}

void
SocketHappyEyeballs_free (SocketHE_T *he)
{
  if (he == NULL || *he == NULL)
    return;
  SocketHappyEyeballs_cancel (*he);
  if ((*he)->winner != NULL)
    Socket_free (&(*he)->winner);
  he_release (*he);
  *he = NULL;
}

SocketHE_State
SocketHappyEyeballs_state (SocketHE_T he)
{
  return he == NULL ? HE_STATE_IDLE : he->state;
}

const char *
SocketHappyEyeballs_error (SocketHE_T he)
{
  if (he == NULL || he->state != HE_STATE_FAILED)
    return NULL;
  return he->error[0] != '\0' ? he->error : "Unknown error";
}

static int64_t
min_due (int64_t best, int64_t due)
{
  return (best < 0 || due < best) ? due : best;
}

int
SocketHappyEyeballs_next_timeout_ms (SocketHE_T he)
{
  int64_t now, best = -1;

  if (he == NULL
      || (he->state != HE_STATE_RESOLVING && he->state != HE_STATE_CONNECTING))
    return -1;
  now = Socket_get_monotonic_ms ();
  if (he->cfg.total_timeout_ms > 0)
    best = he->start_ms + he->cfg.total_timeout_ms;
  if (he->state == HE_STATE_RESOLVING)
    {
      if (he->have_addrs)
        return 0;
      if (he->dns_watch == NULL)
        best = min_due (best, now + SOCKET_HE_SYNC_POLL_INTERVAL_MS);
    }
  else
    {
      int active = active_count (he);

      if (active < he->nslots && he->next < he->naddrs)
        best = min_due (best, active == 0 ? now
                                          : he->last_start_ms
                                                + he->cfg.first_attempt_delay_ms);
      for (int i = 0; i < he->nslots; i++)
        if (he->slots[i].sock != NULL && he->cfg.attempt_timeout_ms > 0)
          best = min_due (best, he->slots[i].started_ms
                                    + he->cfg.attempt_timeout_ms);
    }
  if (best < 0)
    return -1;
  if (best <= now)
    return 0;
  return best - now > INT32_MAX ? INT32_MAX : (int)(best - now);
}

/* ---- blocking API ------------------------------------------------------- */

/* Wait until an attempt is ready or the next deadline (capped). */
static void
he_wait (struct SocketHE_T *he)
{
  struct pollfd pfd[HE_MAX_SLOTS];
  int n = 0;
  int t = SocketHappyEyeballs_next_timeout_ms (he);

  if (t < 0 || t > SOCKET_HE_SYNC_POLL_INTERVAL_MS)
    t = SOCKET_HE_SYNC_POLL_INTERVAL_MS;
  for (int i = 0; i < he->nslots; i++)
    if (he->slots[i].sock != NULL)
      {
        pfd[n].fd = Socket_fd (he->slots[i].sock);
        pfd[n].events = POLLOUT;
        pfd[n].revents = 0;
        n++;
      }
  if (n > 0)
    (void)poll (pfd, (nfds_t)n, t);
  else if (t > 0)
    (void)poll (NULL, 0, t);
}

/* Drive @p he to the end; return the winner or raise with its error. */
static Socket_T
he_run_blocking (struct SocketHE_T *he)
{
  char msg[HE_ERROR_SIZE];
  Socket_T s;

  while (!SocketHappyEyeballs_poll (he))
    {
      he_step (he);
      if (!SocketHappyEyeballs_poll (he))
        he_wait (he);
    }
  s = SocketHappyEyeballs_result (he);
  if (s != NULL)
    {
      he_release (he);
      return s;
    }
  snprintf (msg, sizeof msg, "%s",
            he->error[0] != '\0' ? he->error : "Happy Eyeballs failed");
  errno = he->last_errno;
  he_release (he);
  HE_RAISE ("%s", msg);
}

Socket_T
SocketHappyEyeballs__connect_addrinfo (const struct addrinfo *res,
                                       const SocketHE_Config_T *config)
{
  struct SocketHE_T *he = he_alloc (config);

  if (he_set_addrs (he, res) < 0)
    {
      he_release (he);
      HE_RAISE ("Memory allocation failed");
    }
  he_enter_connecting (he);
  return he_run_blocking (he);
}

/* Blocking lookup of @p host bounded by the total timeout. */
static struct addrinfo *
he_resolve_blocking (const char *host, int port, int total_ms)
{
  struct addrinfo hints, *res = NULL;
  char detail[SOCKET_ERROR_BUFSIZE];

  res = resolve_literal (host, port);
  if (res != NULL)
    return res;
  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (SocketCommon__resolve_name (host, port, &hints, &res,
                                  total_ms > 0 ? total_ms : 0, SocketHE_Failed,
                                  0)
      != 0)
    {
      snprintf (detail, sizeof detail, "%s", socket_error_buf);
      HE_RAISE ("DNS resolution failed: %s", detail);
    }
  if (res == NULL)
    HE_RAISE ("No addresses found");
  return res;
}

Socket_T
SocketHappyEyeballs_connect (const char *host, int port,
                             const SocketHE_Config_T *config)
{
  struct addrinfo *volatile res = NULL;
  Socket_T volatile s = NULL;
  struct SocketHE_T *he;
  int64_t started = Socket_get_monotonic_ms ();

  check_host_port ("SocketHappyEyeballs_connect", host, port);
  he = he_alloc (config);
  TRY
  {
    res = he_resolve_blocking (host, port, he->cfg.total_timeout_ms);
    if (he_set_addrs (he, res) < 0)
      HE_RAISE ("Memory allocation failed");
  }
  ELSE
  {
    if (res != NULL)
      freeaddrinfo (res);
    he_release (he);
    RERAISE;
  }
  END_TRY;
  freeaddrinfo (res);
  he->start_ms = started; /* the lookup counts toward the total timeout */
  he_enter_connecting (he);
  s = he_run_blocking (he);
  return s;
}
