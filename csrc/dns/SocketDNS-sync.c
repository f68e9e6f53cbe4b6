/*
 * SocketDNS-sync.c - SocketDNS_resolve_sync and the resolver's test hooks.
 *
 * A synchronous request is an ordinary queued request flagged 'sync': the
 * worker signals sync_cond instead of the completion socket, and the
 * caller waits on it until the request finishes or its deadline passes;
 * on timeout the request is abandoned (a worker still running it frees it,
 * see SocketDNS.c). Address literals never reach a worker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/SocketUtil.h"
#include "dns/SocketDNS-private.h"
#include "dns/SocketDNS.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketDNS);

/* ---- synchronous resolution -------------------------------------------- */

static int
is_numeric_host (const char *host)
{
  unsigned char buf[sizeof (struct in6_addr)];

  return host == NULL || inet_pton (AF_INET, host, buf) == 1
         || inet_pton (AF_INET6, host, buf) == 1;
}

/* NULL host or literal: resolved in the caller, honouring all of @p hints. */
static struct addrinfo *
resolve_direct (const char *host, int port, const struct addrinfo *hints)
{
  struct addrinfo h, *res = NULL;
  char portstr[SOCKET_DNS_PORT_STR_SIZE];
  int err;

  if (hints)
    h = *hints;
  else
    SocketDNS__default_hints (&h, host);
  h.ai_flags |= AI_NUMERICSERV | (host == NULL ? AI_PASSIVE : AI_NUMERICHOST);
  h.ai_addrlen = 0;
  h.ai_addr = NULL;
  h.ai_canonname = NULL;
  h.ai_next = NULL;
  snprintf (portstr, sizeof portstr, "%d", port);
  err = getaddrinfo (host, portstr, &h, &res);
  if (err == 0)
    res = SocketDNS__own_list (res, &err);
  if (err != 0)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_resolve_sync(%s:%d): %s",
                      host ? host : "*", port, gai_strerror (err));
  return res;
}

static void
deadline_ts (struct timespec *ts, int timeout_ms)
{
  clock_gettime (CLOCK_REALTIME, ts); /* pthread_cond_timedwait's clock */
  ts->tv_sec += timeout_ms / 1000;
  ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L)
    {
      ts->tv_sec++;
      ts->tv_nsec -= 1000000000L;
    }
}

/* Wait for a sync request; returns 0 when it finished, ETIMEDOUT after
 * abandoning it. Lock held. */
static int
wait_sync_locked (struct SocketDNS_T *d, struct dns_req *r, int timeout_ms)
{
  struct timespec ts;
  int rc = 0;

  if (timeout_ms > 0)
    deadline_ts (&ts, timeout_ms);
  while (r->state != DNS_COMPLETE && rc != ETIMEDOUT)
    rc = timeout_ms > 0 ? pthread_cond_timedwait (&d->sync_cond, &d->lock, &ts)
                        : pthread_cond_wait (&d->sync_cond, &d->lock);
  if (r->state == DNS_COMPLETE)
    return 0;
  if (r->state == DNS_QUEUED)
    {
      SocketDNS__list_remove (&d->queue, r);
      d->queued--;
      SocketDNS__req_free (d, r);
    }
  else
    {
      /* Running: the worker frees it and discards the late result (it
       * stays in the table until then; sync records are never looked
       * up by the API). */
      r->zombie = 1;
    }
  SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_TIMEOUT, 1);
  return ETIMEDOUT;
}

struct addrinfo *
SocketDNS_resolve_sync (SocketDNS_T dns, const char *host, int port,
                        const struct addrinfo *hints, int timeout_ms)
{
  struct dns_req *r;
  struct addrinfo *res = NULL;
  int err = 0, rc;

  if (dns == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_resolve_sync requires non-NULL dns resolver");
  SocketDNS__validate_args (host, port);
  if (is_numeric_host (host))
    return resolve_direct (host, port, hints);
  pthread_mutex_lock (&dns->lock);
  if (timeout_ms <= 0)
    timeout_ms = dns->timeout_ms;
  r = SocketDNS__enqueue_locked (dns, host, port, hints);
  r->sync = 1;
  r->timeout_ms = 0; /* the waiter keeps the deadline */
  rc = wait_sync_locked (dns, r, timeout_ms);
  if (rc == 0)
    {
      err = r->error;
      res = r->result;
      r->result = NULL;
      SocketDNS__req_free (dns, r);
    }
  pthread_mutex_unlock (&dns->lock);
  if (rc == ETIMEDOUT)
    {
      SocketEvent_emit_dns_timeout (host, port);
      SOCKET_ERROR_MSG ("DNS resolution timed out after %d ms: %s",
                        timeout_ms, host);
      socket_last_errno = errno = ETIMEDOUT;
      SOCKET_RAISE_MODULE_ERROR (SocketDNS, SocketDNS_Failed);
    }
  if (err != 0)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_resolve_sync(%s:%d): %s", host, port,
                      gai_strerror (err));
  return res;
}

/* ---- test hooks -------------------------------------------------------- */

void
SocketDNS__set_stall (SocketDNS_T dns, int stalled)
{
  pthread_mutex_lock (&dns->lock);
  dns->stalled = stalled;
  if (!stalled)
    pthread_cond_broadcast (&dns->stall_cond);
  pthread_mutex_unlock (&dns->lock);
}

size_t
SocketDNS__live_records (SocketDNS_T dns)
{
  size_t n;

  pthread_mutex_lock (&dns->lock);
  n = dns->nrecords - dns->nretired;
  pthread_mutex_unlock (&dns->lock);
  return n;
}

size_t
SocketDNS__pending (SocketDNS_T dns)
{
  size_t n;

  pthread_mutex_lock (&dns->lock);
  n = dns->queued;
  pthread_mutex_unlock (&dns->lock);
  return n;
}
