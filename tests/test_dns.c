/* test_dns.c - SocketDNS and SocketCommon address resolution: localhost
 * and literals only (no internet here). Callbacks on worker threads without
 * SocketDNS_check, getresult without check, one signal byte per event,
 * ownership and both free paths of every returned list (freeaddrinfo and
 * SocketCommon_free_addrinfo), max pending, timeouts at pickup and after
 * the lookup, cancel (EAI_CANCELED), NULL arguments, messages,
 * resolve_sync, stale handles, free finishing queued requests, concurrent
 * submitters.
 *
 * Slow requests are made deterministic with the private stall gate
 * (SocketDNS__set_stall): workers hold a taken request as RUNNING until
 * the gate opens. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "Test.h"
#include "core/SocketUtil.h"
#include "dns/SocketDNS-private.h"
#include "dns/SocketDNS.h"
#include "dns/SocketDNSExt.h"
#include "socket/Socket.h"
#include "socket/SocketCommon.h"

static unsigned long long
metric (SocketMetric m)
{
  SocketMetricsSnapshot s;

  SocketMetrics_getsnapshot (&s);
  return SocketMetrics_snapshot_value (&s, m);
}

static int
pollfd_readable (SocketDNS_T dns, int timeout_ms)
{
  struct pollfd p = { .fd = SocketDNS_pollfd (dns), .events = POLLIN };

  return poll (&p, 1, timeout_ms) == 1;
}

/* Wait (without SocketDNS_check) until *n reaches @p want or @p ms pass. */
static void
wait_count (atomic_int *n, int want, int ms)
{
  int64_t t0 = Socket_get_monotonic_ms ();

  while (atomic_load (n) < want && Socket_get_monotonic_ms () - t0 < ms)
    usleep (1000);
}

/* Drain the completion descriptor until @p want bytes were counted or
 * @p ms pass; returns the bytes counted. */
static int
check_count (SocketDNS_T dns, int want, int ms)
{
  int64_t t0 = Socket_get_monotonic_ms ();
  int n = 0;

  while (n < want && Socket_get_monotonic_ms () - t0 < ms)
    {
      pollfd_readable (dns, 10);
      n += SocketDNS_check (dns);
    }
  return n;
}

static void
wait_live_records (SocketDNS_T dns, size_t n)
{
  int64_t t0 = Socket_get_monotonic_ms ();

  while (SocketDNS__live_records (dns) != n
         && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
}

static int
has_addr (const struct addrinfo *ai, int family, const char *text, int port)
{
  char buf[INET6_ADDRSTRLEN];

  for (; ai != NULL; ai = ai->ai_next)
    {
      int p;
      if (ai->ai_family != family)
        continue;
      if (family == AF_INET)
        {
          const struct sockaddr_in *s = (const void *)ai->ai_addr;
          inet_ntop (AF_INET, &s->sin_addr, buf, sizeof buf);
          p = ntohs (s->sin_port);
        }
      else
        {
          const struct sockaddr_in6 *s = (const void *)ai->ai_addr;
          inet_ntop (AF_INET6, &s->sin6_addr, buf, sizeof buf);
          p = ntohs (s->sin6_port);
        }
      if (strcmp (buf, text) == 0 && p == port)
        return 1;
    }
  return 0;
}


/* ---- callback path ---------------------------------------------------------- */

struct cb_rec
{
  atomic_int calls;
  pthread_mutex_t mu;
  int error;
  struct addrinfo *result;
  SocketDNS_Request_T req;
  void *data;
  pthread_t thread;
};

#define CB_REC_INIT { .mu = PTHREAD_MUTEX_INITIALIZER }

static void
record_cb (SocketDNS_Request_T req, struct addrinfo *result, int error,
           void *data)
{
  struct cb_rec *r = data;

  pthread_mutex_lock (&r->mu);
  r->error = error;
  r->result = result; /* owned by us now */
  r->req = req;
  r->data = data;
  r->thread = pthread_self ();
  pthread_mutex_unlock (&r->mu);
  atomic_fetch_add (&r->calls, 1);
}

/* A program that only uses callbacks never calls SocketDNS_check: the
 * callback runs on a worker thread, owns the result, and every completion
 * still leaves one byte in the descriptor. */
TEST (dns_callback_runs_on_worker_without_check)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = CB_REC_INIT;
  unsigned long long sub = metric (SOCKET_METRIC_DNS_REQUEST_SUBMITTED);
  unsigned long long com = metric (SOCKET_METRIC_DNS_REQUEST_COMPLETED);

  SocketDNS_Request_T req = SocketDNS_resolve (dns, "localhost", 8080,
                                               record_cb, &rec);
  ASSERT (req != NULL);
  wait_count (&rec.calls, 1, 20000);
  ASSERT_EQ (atomic_load (&rec.calls), 1);
  pthread_mutex_lock (&rec.mu);
  ASSERT_EQ (rec.error, 0);
  ASSERT (rec.req == req);
  ASSERT (rec.data == &rec);
  ASSERT (!pthread_equal (rec.thread, pthread_self ()));
  ASSERT (has_addr (rec.result, AF_INET, "127.0.0.1", 8080));
  SocketCommon_free_addrinfo (rec.result); /* the original's free path */
  pthread_mutex_unlock (&rec.mu);
  ASSERT (pollfd_readable (dns, 20000)); /* one byte for the completion */
  ASSERT_EQ (SocketDNS_check (dns), 1);
  ASSERT (!pollfd_readable (dns, 0)); /* check drained it */
  ASSERT_EQ (SocketDNS_check (dns), 0);
  ASSERT_EQ (atomic_load (&rec.calls), 1); /* exactly once */
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_SUBMITTED) >= sub + 1);
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_COMPLETED) >= com + 1);
  /* Delivered to the callback: nothing for getresult, error 0. */
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  SocketDNS_free (&dns);
  ASSERT (dns == NULL);
}

static void
free_with_freeaddrinfo_cb (SocketDNS_Request_T req, struct addrinfo *result,
                           int error, void *data)
{
  (void)req;
  (void)error;
  if (result)
    freeaddrinfo (result); /* the header's historical free path */
  atomic_fetch_add ((atomic_int *)data, 1);
}

TEST (dns_callback_result_freed_with_freeaddrinfo)
{
  SocketDNS_T dns = SocketDNS_new ();
  atomic_int calls = 0;

  SocketDNS_resolve (dns, "127.0.0.1", 1, free_with_freeaddrinfo_cb, &calls);
  SocketDNS_resolve (dns, "localhost", 2, free_with_freeaddrinfo_cb, &calls);
  wait_count (&calls, 2, 20000);
  ASSERT_EQ (atomic_load (&calls), 2);
  SocketDNS_free (&dns); /* ASan: no invalid free, no leak */
}

/* ---- getresult path ---------------------------------------------------------- */

/* Poll getresult without ever calling SocketDNS_check. */
static struct addrinfo *
resolve_and_take (SocketDNS_T dns, const char *host, int port)
{
  SocketDNS_Request_T req = SocketDNS_resolve (dns, host, port, NULL, NULL);
  int64_t t0 = Socket_get_monotonic_ms ();
  struct addrinfo *ai = NULL;

  while (ai == NULL && Socket_get_monotonic_ms () - t0 < 20000)
    {
      ai = SocketDNS_getresult (dns, req);
      if (ai == NULL)
        usleep (1000);
    }
  if (ai != NULL)
    {
      /* Ownership moved to us: a second call gets nothing. */
      if (SocketDNS_getresult (dns, req) != NULL)
        return NULL;
      if (SocketDNS_geterror (dns, req) != 0)
        return NULL;
    }
  return ai;
}

TEST (dns_literals_and_getresult_ownership)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct addrinfo *ai;

  ai = resolve_and_take (dns, "127.0.0.1", 80);
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 80));
  ASSERT (ai->ai_next == NULL); /* SOCK_STREAM only: one entry */
  SocketCommon_free_addrinfo (ai);
  ai = resolve_and_take (dns, "::1", 443);
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET6, "::1", 443));
  freeaddrinfo (ai);
  ai = resolve_and_take (dns, "localhost", 0); /* port 0: no service */
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 0));
  SocketCommon_free_addrinfo (ai);
  ai = resolve_and_take (dns, NULL, 9000); /* passive: any address */
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET, "0.0.0.0", 9000)
          || has_addr (ai, AF_INET6, "::", 9000));
  freeaddrinfo (ai);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  /* One byte per completion, drained by check. */
  ASSERT_EQ (check_count (dns, 4, 20000), 4);
  ASSERT_EQ (SocketDNS_check (dns), 0);
  SocketDNS_free (&dns);
}

TEST (dns_getresult_before_completion_is_null)
{
  SocketDNS_T dns = SocketDNS_new ();

  SocketDNS__set_stall (dns, 1);
  SocketDNS_Request_T req = SocketDNS_resolve (dns, "localhost", 1, NULL, NULL);
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0);
  SocketDNS__set_stall (dns, 0);
  SocketDNS_free (&dns); /* pending result freed (ASan: no leak) */
}

/* The public extension calls (SocketDNSExt.h) drive the same gate and
 * count as the private hooks used elsewhere in this file. */
TEST (dns_ext_stall_and_live_requests)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct addrinfo *res;
  int64_t t0;

  ASSERT_EQ (SocketDNSExt_live_requests (dns), 0);
  SocketDNSExt_set_stall (dns, 1);
  SocketDNS_Request_T req = SocketDNS_resolve (dns, "localhost", 1, NULL, NULL);
  ASSERT_EQ (SocketDNSExt_live_requests (dns), 1);
  usleep (50000);
  ASSERT (SocketDNS_getresult (dns, req) == NULL); /* held by the gate */
  SocketDNSExt_set_stall (dns, 0);
  t0 = Socket_get_monotonic_ms ();
  while ((res = SocketDNS_getresult (dns, req)) == NULL
         && SocketDNS_geterror (dns, req) == 0
         && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  ASSERT (res != NULL);
  SocketCommon_free_addrinfo (res);
  ASSERT_EQ (SocketDNSExt_live_requests (dns), 0);
  SocketDNS_free (&dns);
}

/* ---- both free paths for every list the library returns ---------------------- */

static struct addrinfo *
common_resolve (const char *host, int port)
{
  struct addrinfo *res = NULL;

  if (SocketCommon_resolve_address (host, port, NULL, &res, Socket_Failed,
                                    AF_UNSPEC, 0)
      != 0)
    return NULL;
  return res;
}

TEST (dns_every_list_freeable_by_both_free_functions)
{
  SocketDNS_T dns = SocketDNS_new ();
  const char *hosts[] = { "127.0.0.1", "::1", "localhost", NULL };

  for (unsigned i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
    for (int way = 0; way < 2; way++)
      {
        void (*release) (struct addrinfo *)
            = way ? SocketCommon_free_addrinfo : freeaddrinfo;
        struct addrinfo *lists[4];
        lists[0] = resolve_and_take (dns, hosts[i], 80);
        lists[1] = SocketDNS_resolve_sync (dns, hosts[i], 80, NULL, 0);
        lists[2] = common_resolve (hosts[i], 80);
        lists[3] = SocketCommon_copy_addrinfo (lists[2]);
        for (int k = 0; k < 4; k++)
          {
            ASSERT (lists[k] != NULL);
            /* glibc layout: the sockaddr sits right after the node. */
            ASSERT ((void *)lists[k]->ai_addr == (void *)(lists[k] + 1));
            release (lists[k]);
          }
      }
  SocketDNS_free (&dns);
}

TEST (dns_free_addrinfo_handles_other_layouts)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                            .ai_flags = AI_NUMERICHOST | AI_CANONNAME };
  struct addrinfo *raw = NULL, *copy;

  /* The original library's layout: ai_addr and ai_canonname separate. */
  struct addrinfo *hand = calloc (1, sizeof *hand);
  struct sockaddr_in *sin = calloc (1, sizeof *sin);
  ASSERT (hand != NULL && sin != NULL);
  sin->sin_family = AF_INET;
  hand->ai_family = AF_INET;
  hand->ai_addr = (struct sockaddr *)sin;
  hand->ai_addrlen = sizeof *sin;
  hand->ai_canonname = strdup ("x");
  SocketCommon_free_addrinfo (hand); /* ASan: nothing leaks */
  SocketCommon_free_addrinfo (NULL);

  /* A copy keeps ai_canonname; both free paths release it. */
  ASSERT_EQ (getaddrinfo ("127.0.0.1", "1", &hints, &raw), 0);
  copy = SocketCommon_copy_addrinfo (raw);
  ASSERT (copy != NULL && copy->ai_canonname != NULL);
  ASSERT_STREQ (copy->ai_canonname, raw->ai_canonname);
  freeaddrinfo (copy);
  copy = SocketCommon_copy_addrinfo (raw);
  SocketCommon_free_addrinfo (copy);
#ifdef __GLIBC__
  /* glibc's own lists have the same layout: accepted as well. */
  SocketCommon_free_addrinfo (raw);
#else
  freeaddrinfo (raw);
#endif
  ASSERT (SocketCommon_copy_addrinfo (NULL) == NULL);
}

/* ---- SocketCommon_resolve_address ---------------------------------------------- */

static int
count_entries (const struct addrinfo *ai, int family)
{
  int n = 0;

  for (; ai != NULL; ai = ai->ai_next)
    if (family == AF_UNSPEC || ai->ai_family == family)
      n++;
  return n;
}

TEST (dns_common_resolve_address_contract)
{
  struct addrinfo *res = NULL;

  /* hints NULL = AF_UNSPEC / SOCK_STREAM: one entry per address. */
  res = common_resolve ("127.0.0.1", 80);
  ASSERT (res != NULL);
  ASSERT_EQ (count_entries (res, AF_UNSPEC), 1);
  ASSERT_EQ (res->ai_socktype, SOCK_STREAM);
  SocketCommon_free_addrinfo (res);

  /* socket_family only requires one matching entry. */
  res = NULL;
  ASSERT_EQ (SocketCommon_resolve_address ("localhost", 80, NULL, &res,
                                           Socket_Failed, AF_INET, 0),
             0);
  ASSERT (count_entries (res, AF_INET) >= 1);
  SocketCommon_free_addrinfo (res);
  res = NULL;
  ASSERT_EQ (SocketCommon_resolve_address ("127.0.0.1", 80, NULL, &res,
                                           Socket_Failed, AF_INET6, 0),
             -1);
  ASSERT (res == NULL);

  /* Bad names and ports: -1 without exceptions. */
  ASSERT_EQ (SocketCommon_resolve_address ("", 80, NULL, &res, Socket_Failed,
                                           AF_UNSPEC, 0),
             -1);
  ASSERT_EQ (SocketCommon_resolve_address ("bad_name", 80, NULL, &res,
                                           Socket_Failed, AF_UNSPEC, 0),
             -1);
  ASSERT_EQ (SocketCommon_resolve_address ("localhost", 65536, NULL, &res,
                                           Socket_Failed, AF_UNSPEC, 0),
             -1);
  /* NULL host: wildcard (AI_PASSIVE). */
  res = common_resolve (NULL, 0);
  ASSERT (res != NULL);
  ASSERT (has_addr (res, AF_INET, "0.0.0.0", 0)
          || has_addr (res, AF_INET6, "::", 0));
  freeaddrinfo (res);
}

static void
resolve_address_family_raises (void *x)
{
  struct addrinfo *res = NULL;
  (void)x;
  SocketCommon_resolve_address ("::1", 80, NULL, &res, Socket_Failed, AF_INET,
                                1);
}

/* ---- limits and timeouts ----------------------------------------------------- */

static void
resolve_raises (void *x)
{
  SocketDNS_resolve ((SocketDNS_T)x, "localhost", 80, NULL, NULL);
}

static int
raises_exc (void (*fn) (void *), void *arg, const Except_T *exc)
{
  volatile int raised = 0;

  TRY fn (arg);
  ELSE
  {
    if (Except_frame.exception == exc
        || (Except_frame.exception != NULL
            && Except_frame.exception->type == exc))
      raised = 1;
    else
      raised = 2;
  }
  END_TRY;
  return raised == 1;
}

static int
raises_dns (void (*fn) (void *), void *arg)
{
  return raises_exc (fn, arg, &SocketDNS_Failed);
}

TEST (dns_common_resolve_family_raises)
{
  ASSERT (raises_exc (resolve_address_family_raises, NULL, &Socket_Failed));
}

TEST (dns_max_pending_counts_queued_requests)
{
  SocketDNS_T dns = SocketDNS_new ();
  atomic_int calls = 0;
  volatile int raised = 0;

  ASSERT_EQ (SocketDNS_getmaxpending (dns), SOCKET_DNS_MAX_PENDING);
  SocketDNS__set_stall (dns, 1);
  /* Occupy every worker; running requests do not count. */
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++)
    SocketDNS_resolve (dns, "localhost", 10 + i, free_with_freeaddrinfo_cb,
                       &calls);
  int64_t t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0 && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  ASSERT_EQ (SocketDNS__pending (dns), 0);
  SocketDNS_setmaxpending (dns, 2);
  ASSERT_EQ (SocketDNS_getmaxpending (dns), 2);
  ASSERT (!raises_dns (resolve_raises, dns));
  ASSERT (!raises_dns (resolve_raises, dns));
  ASSERT_EQ (SocketDNS__pending (dns), 2);
  ASSERT (raises_dns (resolve_raises, dns));
  ASSERT_STREQ (Socket_GetLastError (),
                "DNS request queue full (max 2 pending)");
  /* Below the number queued: refused, limit unchanged. */
  TRY SocketDNS_setmaxpending (dns, 1);
  EXCEPT (SocketDNS_Failed) raised = 1;
  END_TRY;
  ASSERT (raised);
  ASSERT_EQ (SocketDNS_getmaxpending (dns), 2);
  SocketDNS__set_stall (dns, 0);
  wait_count (&calls, SOCKET_DNS_THREAD_COUNT, 20000);
  t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0 && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  ASSERT_EQ (SocketDNS__pending (dns), 0);
  ASSERT (!raises_dns (resolve_raises, dns)); /* room again */
  /* 0 refuses everything. */
  t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0 && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  SocketDNS_setmaxpending (dns, 0);
  ASSERT (raises_dns (resolve_raises, dns));
  SocketDNS_free (&dns); /* un-taken results freed */
}

static atomic_int timeout_events;
static char timeout_host[64];

static void
on_event (void *ud, const SocketEventRecord *e)
{
  (void)ud;
  if (e->type == SOCKET_EVENT_DNS_TIMEOUT)
    {
      snprintf (timeout_host, sizeof timeout_host, "%s", e->data.dns.host);
      atomic_fetch_add (&timeout_events, 1);
    }
}

/* Timeout detected after the lookup: the callback runs with EAI_AGAIN and
 * no result. */
TEST (dns_timeout_after_lookup_calls_back_with_eai_again)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = CB_REC_INIT;
  unsigned long long to = metric (SOCKET_METRIC_DNS_REQUEST_TIMEOUT);

  ASSERT_EQ (SocketDNS_gettimeout (dns), SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  SocketDNS_settimeout (dns, 40);
  ASSERT_EQ (SocketDNS_gettimeout (dns), 40);
  /* Armed only once a worker holds the request: a worker that is slow to
   * wake on a loaded machine would otherwise find it expired while queued
   * (the no-callback path tested below). */
  SocketDNS_settimeout (dns, 0);
  SocketDNS__set_stall (dns, 1);
  atomic_store (&timeout_events, 0);
  SocketEvent_register (on_event, NULL);
  SocketDNS_Request_T req
      = SocketDNS_resolve (dns, "localhost", 80, record_cb, &rec);
  int64_t t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0
         && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  ASSERT_EQ (SocketDNS__pending (dns), 0); /* taken, stalled before lookup */
  SocketDNS_settimeout (dns, 40);
  usleep (100 * 1000); /* at least 40 ms past submission */
  ASSERT_EQ (atomic_load (&rec.calls), 0); /* nothing expires it early */
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0); /* still in progress */
  SocketDNS__set_stall (dns, 0);
  wait_count (&rec.calls, 1, 20000);
  wait_count (&timeout_events, 1, 20000);
  SocketEvent_unregister (on_event, NULL);
  ASSERT_EQ (atomic_load (&rec.calls), 1);
  pthread_mutex_lock (&rec.mu);
  ASSERT_EQ (rec.error, EAI_AGAIN);
  ASSERT (rec.result == NULL);
  pthread_mutex_unlock (&rec.mu);
  ASSERT_EQ (atomic_load (&timeout_events), 1);
  ASSERT_STREQ (timeout_host, "localhost");
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_TIMEOUT) >= to + 1);
  ASSERT_EQ (SocketDNS_geterror (dns, req), EAI_AGAIN);
  ASSERT_EQ (check_count (dns, 1, 20000), 1);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  SocketDNS_free (&dns);
}

/* Timed out while still queued: the worker completes it with EAI_AGAIN
 * when it takes it, without a lookup and without the callback. */
TEST (dns_timeout_before_pickup_skips_callback)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec late = CB_REC_INIT;
  atomic_int busy = 0;
  SocketDNS_Request_T poll_req, cb_req;

  SocketDNS_settimeout (dns, 0); /* none by default */
  ASSERT_EQ (SocketDNS_gettimeout (dns), 0);
  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++)
    SocketDNS_resolve (dns, "localhost", 10 + i, free_with_freeaddrinfo_cb,
                       &busy);
  cb_req = SocketDNS_resolve (dns, "localhost", 20, record_cb, &late);
  poll_req = SocketDNS_resolve (dns, "localhost", 21, NULL, NULL);
  SocketDNS_request_settimeout (dns, cb_req, 30);
  SocketDNS_request_settimeout (dns, poll_req, 30);
  usleep (80 * 1000);
  ASSERT_EQ (SocketDNS_geterror (dns, poll_req), 0); /* not yet taken */
  SocketDNS__set_stall (dns, 0);
  wait_count (&busy, SOCKET_DNS_THREAD_COUNT, 20000);
  ASSERT_EQ (check_count (dns, SOCKET_DNS_THREAD_COUNT + 2, 20000),
             SOCKET_DNS_THREAD_COUNT + 2);
  ASSERT_EQ (atomic_load (&late.calls), 0);
  ASSERT_EQ (SocketDNS_geterror (dns, cb_req), EAI_AGAIN);
  ASSERT_EQ (SocketDNS_geterror (dns, poll_req), EAI_AGAIN);
  ASSERT (SocketDNS_getresult (dns, poll_req) == NULL);
  ASSERT_EQ (SocketDNS_geterror (dns, poll_req), EAI_AGAIN); /* kept */
  SocketDNS_free (&dns);
}

/* The resolver's timeout is read when a worker checks a request, so a
 * change applies to requests already queued, unless they have their own. */
TEST (dns_settimeout_applies_to_queued_requests)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec dflt = CB_REC_INIT, own = CB_REC_INIT;

  SocketDNS_settimeout (dns, 0);
  SocketDNS__set_stall (dns, 1);
  SocketDNS_resolve (dns, "localhost", 1, record_cb, &dflt);
  SocketDNS_Request_T o = SocketDNS_resolve (dns, "localhost", 2, record_cb,
                                             &own);
  SocketDNS_request_settimeout (dns, o, 0); /* its own: none */
  SocketDNS_settimeout (dns, 30);
  usleep (80 * 1000);
  SocketDNS__set_stall (dns, 0);
  wait_count (&dflt.calls, 1, 20000);
  wait_count (&own.calls, 1, 20000);
  pthread_mutex_lock (&dflt.mu);
  ASSERT_EQ (dflt.error, EAI_AGAIN);
  ASSERT (dflt.result == NULL);
  pthread_mutex_unlock (&dflt.mu);
  pthread_mutex_lock (&own.mu);
  ASSERT_EQ (own.error, 0);
  ASSERT (has_addr (own.result, AF_INET, "127.0.0.1", 2));
  freeaddrinfo (own.result);
  pthread_mutex_unlock (&own.mu);
  SocketDNS_free (&dns);
}

TEST (dns_request_timeout_measured_from_submission)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct addrinfo *ai = NULL;

  SocketDNS_settimeout (dns, 0);
  SocketDNS_Request_T req = SocketDNS_resolve (dns, "127.0.0.1", 2, NULL, NULL);
  int64_t t0 = Socket_get_monotonic_ms ();
  while (ai == NULL && Socket_get_monotonic_ms () - t0 < 20000)
    {
      ai = SocketDNS_getresult (dns, req);
      if (ai == NULL)
        usleep (1000);
    }
  ASSERT (ai != NULL);
  /* Finished: no effect; negative values mean 0 (no timeout). */
  SocketDNS_request_settimeout (dns, req, 1);
  SocketDNS_request_settimeout (dns, req, -5);
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0);
  SocketCommon_free_addrinfo (ai);
  SocketDNS_settimeout (dns, -3);
  ASSERT_EQ (SocketDNS_gettimeout (dns), 0);
  SocketDNS_free (&dns);
}

/* ---- cancel ------------------------------------------------------------------- */

TEST (dns_cancel_queued_running_and_complete)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec running = CB_REC_INIT, queued = CB_REC_INIT;
  unsigned long long c0 = metric (SOCKET_METRIC_DNS_REQUEST_CANCELLED);
  SocketDNS_Request_T r[SOCKET_DNS_THREAD_COUNT + 1];

  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++) /* occupy every worker */
    r[i] = SocketDNS_resolve (dns, "localhost", 10 + i, record_cb, &running);
  r[SOCKET_DNS_THREAD_COUNT]
      = SocketDNS_resolve (dns, "localhost", 99, record_cb, &queued);
  int64_t t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 1 && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  ASSERT_EQ (SocketDNS__pending (dns), 1);
  for (int i = 0; i <= SOCKET_DNS_THREAD_COUNT; i++)
    SocketDNS_cancel (dns, r[i]);
  ASSERT_EQ (SocketDNS__pending (dns), 0);
  /* One byte per cancel of a queued or running request. */
  ASSERT_EQ (check_count (dns, SOCKET_DNS_THREAD_COUNT + 1, 20000),
             SOCKET_DNS_THREAD_COUNT + 1);
  for (int i = 0; i <= SOCKET_DNS_THREAD_COUNT; i++)
    {
      ASSERT_EQ (SocketDNS_geterror (dns, r[i]), EAI_CANCELED);
      ASSERT (SocketDNS_getresult (dns, r[i]) == NULL);
    }
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_CANCELLED)
          >= c0 + SOCKET_DNS_THREAD_COUNT + 1);
  SocketDNS__set_stall (dns, 0);
  wait_live_records (dns, 0); /* workers discarded the late results */
  ASSERT_EQ (SocketDNS__live_records (dns), 0);

  /* Complete, result not taken: cancel frees it; no signal byte. */
  SocketDNS_Request_T d = SocketDNS_resolve (dns, "127.0.0.1", 5, NULL, NULL);
  ASSERT_EQ (check_count (dns, 1, 20000), 1);
  SocketDNS_cancel (dns, d);
  ASSERT_EQ (SocketDNS_geterror (dns, d), EAI_CANCELED);
  ASSERT (SocketDNS_getresult (dns, d) == NULL);
  ASSERT (!pollfd_readable (dns, 20));
  ASSERT_EQ (atomic_load (&running.calls) + atomic_load (&queued.calls), 0);
  SocketDNS_cancel (dns, d); /* again: no-op */
  SocketDNS_cancel (dns, NULL);
  SocketDNS_cancel (NULL, d);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  SocketDNS_free (&dns);
}

TEST (dns_foreign_and_stale_handles)
{
  SocketDNS_T a = SocketDNS_new (), b = SocketDNS_new ();
  struct addrinfo *ai = resolve_and_take (a, "127.0.0.1", 7);

  SocketDNS__set_stall (a, 1);
  SocketDNS_Request_T ra = SocketDNS_resolve (a, "localhost", 8, NULL, NULL);
  ASSERT (SocketDNS_getresult (b, ra) == NULL);
  SocketDNS_cancel (b, ra); /* someone else's handle: no effect on a */
  ASSERT_EQ (SocketDNS_geterror (a, ra), 0);
  ASSERT (SocketDNS_getresult (a, (SocketDNS_Request_T)(uintptr_t)12345) == NULL);
  ASSERT_EQ (SocketDNS_geterror (a, NULL), 0);
  SocketDNS__set_stall (a, 0);
  ASSERT (ai != NULL);
  freeaddrinfo (ai);
  SocketDNS_free (&a);
  SocketDNS_free (&b);
}

TEST (dns_create_completed_request_copies_and_consumes)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct addrinfo *ai = SocketDNS_resolve_sync (dns, "127.0.0.1", 80, NULL, 0);

  SocketDNS_Request_T req = SocketDNS_create_completed_request (dns, ai, 80);
  ASSERT (req != NULL);
  ASSERT_EQ (SocketDNS_check (dns), 1); /* one byte for the creation */
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0);
  struct addrinfo *got = SocketDNS_getresult (dns, req);
  ASSERT (got != NULL); /* a copy; 'ai' was released (ASan: no leak) */
  ASSERT (has_addr (got, AF_INET, "127.0.0.1", 80));
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  SocketCommon_free_addrinfo (got);
  /* One that is never taken is freed with the resolver (ASan). */
  SocketDNS_create_completed_request (
      dns, SocketDNS_resolve_sync (dns, "::1", 1, NULL, 0), 1);
  SocketDNS_free (&dns);
}

/* ---- resolve_sync ------------------------------------------------------------- */

static SocketDNS_T sync_dns;
static void
sync_slow (void *x)
{
  (void)x;
  freeaddrinfo (SocketDNS_resolve_sync (sync_dns, "localhost", 80, NULL, 50));
}
static void
sync_family_mismatch (void *x)
{
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  (void)x;
  freeaddrinfo (SocketDNS_resolve_sync (sync_dns, "::1", 80, &hints, 0));
}
static void
sync_null_dns (void *x)
{
  (void)x;
  SocketDNS_resolve_sync (NULL, "127.0.0.1", 1, NULL, 0);
}

TEST (dns_resolve_sync)
{
  struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM };
  struct addrinfo *ai;

  sync_dns = SocketDNS_new ();
  ai = SocketDNS_resolve_sync (sync_dns, "localhost", 53, NULL, 30000);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 53));
  freeaddrinfo (ai);
  ai = SocketDNS_resolve_sync (sync_dns, "::1", 53, &hints, 0);
  ASSERT (has_addr (ai, AF_INET6, "::1", 53));
  ASSERT_EQ (ai->ai_socktype, SOCK_DGRAM); /* hints honoured for literals */
  SocketCommon_free_addrinfo (ai);
  ai = SocketDNS_resolve_sync (sync_dns, "127.0.0.1", 1, NULL, -7);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 1)); /* <= 0: default */
  freeaddrinfo (ai);
  ASSERT (raises_dns (sync_null_dns, NULL));
  ASSERT_STREQ (Socket_GetLastError (),
                "SocketDNS_resolve_sync requires non-NULL dns resolver");
  ASSERT (raises_dns (sync_family_mismatch, NULL));

  /* Timeout: the only way out of a stalled worker is the deadline. */
  SocketDNS__set_stall (sync_dns, 1);
  int64_t t0 = Socket_get_monotonic_ms ();
  ASSERT (raises_dns (sync_slow, NULL));
  int64_t dt = Socket_get_monotonic_ms () - t0;
  ASSERT (dt >= 45);
  ASSERT (dt < 30000); /* the deadline, not a hang (generous: sanitizers) */
  ASSERT_STREQ (Socket_GetLastError (),
                "DNS resolution timed out after 50 ms: localhost");
  ASSERT_EQ (Socket_geterrno (), ETIMEDOUT);
  SocketDNS__set_stall (sync_dns, 0);
  wait_live_records (sync_dns, 0);
  ASSERT_EQ (SocketDNS__live_records (sync_dns), 0);
  ASSERT_EQ (SocketDNS_check (sync_dns), 0); /* sync lookups signal nothing */
  SocketDNS_free (&sync_dns);
}

/* ---- arguments ----------------------------------------------------------------- */

static const char *bad_host;
static int bad_port;
static void
resolve_bad (void *x)
{
  SocketDNS_resolve ((SocketDNS_T)x, bad_host, bad_port, NULL, NULL);
}
static void
resolve_null_dns (void *x)
{
  (void)x;
  SocketDNS_resolve (NULL, "localhost", 80, NULL, NULL);
}
static void
setmaxpending_null (void *x)
{
  (void)x;
  SocketDNS_setmaxpending (NULL, 1);
}
static void
completed_null (void *x)
{
  SocketDNS_create_completed_request ((SocketDNS_T)x, NULL, 1);
}

TEST (dns_invalid_arguments_raise_with_original_messages)
{
  SocketDNS_T dns = SocketDNS_new ();
  char label[80], longname[300];

  memset (label, 'a', 64);
  label[64] = '\0';
  memset (longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  for (int i = 50; i < 290; i += 50)
    longname[i] = '.';
  const char *hosts[] = { "",      "bad host", "a..b",     label,
                          longname, "x;rm",    "under_score", "-lead",
                          "trail.", ".lead",   "fe80::1%lo" };
  bad_port = 80;
  for (unsigned i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
    {
      bad_host = hosts[i];
      ASSERT (raises_dns (resolve_bad, dns));
      ASSERT_STREQ (Socket_GetLastError (), "Invalid hostname format");
    }
  bad_host = "localhost";
  bad_port = -1;
  ASSERT (raises_dns (resolve_bad, dns));
  bad_port = 65536;
  ASSERT (raises_dns (resolve_bad, dns));
  ASSERT_STREQ (Socket_GetLastError (), "Invalid port number");
  ASSERT (raises_dns (resolve_null_dns, NULL));
  ASSERT_STREQ (Socket_GetLastError (), "Invalid NULL dns resolver");
  ASSERT (raises_dns (setmaxpending_null, NULL));
  ASSERT_STREQ (Socket_GetLastError (), "Invalid NULL dns resolver");
  ASSERT (raises_dns (completed_null, dns));
  ASSERT (raises_dns (completed_null, NULL));
  ASSERT_STREQ (SocketDNS_Failed.reason, "SocketDNS operation failed");
  ASSERT_EQ (SocketDNS__live_records (dns), 0);

  /* Accepted syntax (queued, then cancelled before any lookup). */
  const char *good[] = { "a", "trail-", "x1.example", "1.2.3.4", "::1",
                         "a-b.c-d" };
  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++)
    SocketDNS_resolve (dns, "localhost", 1, NULL, NULL); /* occupy workers */
  int64_t t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0 && Socket_get_monotonic_ms () - t0 < 20000)
    usleep (1000);
  for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++)
    {
      SocketDNS_Request_T r = SocketDNS_resolve (dns, good[i], 0, NULL, NULL);
      ASSERT (r != NULL);
      SocketDNS_cancel (dns, r);
    }
  SocketDNS__set_stall (dns, 0);
  SocketDNS_free (&dns);
  SocketDNS_free (&dns); /* NULL: no-op */
  SocketDNS_free (NULL);
}

TEST (dns_null_resolver_queries_are_harmless)
{
  SocketDNS_Request_T any = (SocketDNS_Request_T)(uintptr_t)1;

  ASSERT_EQ (SocketDNS_getmaxpending (NULL), 0);
  ASSERT_EQ (SocketDNS_gettimeout (NULL), 0);
  SocketDNS_settimeout (NULL, 10);
  ASSERT_EQ (SocketDNS_pollfd (NULL), -1);
  ASSERT_EQ (SocketDNS_check (NULL), 0);
  ASSERT (SocketDNS_getresult (NULL, any) == NULL);
  ASSERT_EQ (SocketDNS_geterror (NULL, any), 0);
  SocketDNS_request_settimeout (NULL, any, 10);
  SocketDNS_cancel (NULL, any);
}

/* ---- free with pending ----------------------------------------------------------- */

/* SocketDNS_free lets the workers resolve every queued request first: the
 * callbacks of a callback-only program all run. */
TEST (dns_free_finishes_queued_requests)
{
  SocketDNS_T dns = SocketDNS_new ();
  atomic_int calls = 0;

  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < 20; i++) /* 4 running, 16 queued */
    SocketDNS_resolve (dns, i % 2 ? "localhost" : "127.0.0.1", i,
                       free_with_freeaddrinfo_cb, &calls);
  SocketDNS_Request_T poll_req
      = SocketDNS_resolve (dns, "localhost", 99, NULL, NULL);
  (void)poll_req; /* its result is freed with the resolver */
  int64_t t0 = Socket_get_monotonic_ms ();
  SocketDNS_free (&dns); /* joins workers; frees everything (ASan/LSan) */
  ASSERT (Socket_get_monotonic_ms () - t0 < 60000); /* no hang */
  ASSERT_EQ (atomic_load (&calls), 20);
}

/* ---- threads (TSan) ------------------------------------------------------------- */

struct submitter
{
  SocketDNS_T dns;
  atomic_int *calls;
};

static void *
submit_main (void *arg)
{
  struct submitter *s = arg;

  for (int i = 0; i < 50; i++)
    SocketDNS_resolve (s->dns, i % 2 ? "localhost" : "127.0.0.1", i,
                       free_with_freeaddrinfo_cb, s->calls);
  return NULL;
}

TEST (dns_concurrent_submitters)
{
  atomic_int calls = 0;
  struct submitter s = { SocketDNS_new (), &calls };
  pthread_t th[4];

  for (int i = 0; i < 4; i++)
    pthread_create (&th[i], NULL, submit_main, &s);
  for (int i = 0; i < 4; i++)
    pthread_join (th[i], NULL);
  wait_count (&calls, 200, 20000);
  ASSERT_EQ (atomic_load (&calls), 200);
  ASSERT_EQ (check_count (s.dns, 200, 20000), 200);
  ASSERT_EQ (SocketDNS__live_records (s.dns), 0);
  SocketDNS_free (&s.dns);
}

TEST_MAIN ()
