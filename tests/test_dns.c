/* test_dns.c - SocketDNS: localhost and literals (no internet here),
 * callback and pollfd paths, getresult ownership, max pending, resolver and
 * per-request timeouts, cancel, resolve_sync, stale handles, free with
 * pending requests, concurrent submitters.
 *
 * Slow requests are made deterministic with the private stall gate
 * (SocketDNS__set_stall): workers hold a taken request as RUNNING until
 * the gate opens. */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "Test.h"
#include "core/SocketUtil.h"
#include "dns/SocketDNS-private.h"
#include "dns/SocketDNS.h"

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

/* Run SocketDNS_check until @p done is set or @p ms pass. */
static void
check_until (SocketDNS_T dns, const int *done, int ms)
{
  int64_t t0 = Socket_get_monotonic_ms ();

  while (!*done && Socket_get_monotonic_ms () - t0 < ms)
    {
      pollfd_readable (dns, 10);
      SocketDNS_check (dns);
    }
}

static void
wait_live_records (SocketDNS_T dns, size_t n)
{
  int64_t t0 = Socket_get_monotonic_ms ();

  while (SocketDNS__live_records (dns) != n
         && Socket_get_monotonic_ms () - t0 < 5000)
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
  int calls;
  int error;
  struct addrinfo *result;
  SocketDNS_Request_T req;
  void *data;
};

static void
record_cb (SocketDNS_Request_T req, struct addrinfo *result, int error,
           void *data)
{
  struct cb_rec *r = data;

  r->calls++;
  r->error = error;
  r->result = result; /* owned by us now */
  r->req = req;
  r->data = data;
}

TEST (dns_localhost_callback_and_pollfd)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = { 0 };
  unsigned long long sub = metric (SOCKET_METRIC_DNS_REQUEST_SUBMITTED);
  unsigned long long com = metric (SOCKET_METRIC_DNS_REQUEST_COMPLETED);

  SocketDNS_Request_T req = SocketDNS_resolve (dns, "localhost", 8080,
                                               record_cb, &rec);
  ASSERT (req != NULL);
  ASSERT (pollfd_readable (dns, 5000)); /* completion is signalled */
  check_until (dns, &rec.calls, 5000);
  ASSERT_EQ (rec.calls, 1);
  ASSERT_EQ (rec.error, 0);
  ASSERT (rec.req == req);
  ASSERT (rec.data == &rec);
  ASSERT (has_addr (rec.result, AF_INET, "127.0.0.1", 8080));
  freeaddrinfo (rec.result);
  ASSERT (!pollfd_readable (dns, 0)); /* check drained it */
  ASSERT_EQ (SocketDNS_check (dns), 0);
  ASSERT_EQ (rec.calls, 1); /* exactly once */
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_SUBMITTED) >= sub + 1);
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_COMPLETED) >= com + 1);
  /* Delivered: the handle is stale now. */
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  SocketDNS_free (&dns);
  ASSERT (dns == NULL);
}

/* ---- getresult path ---------------------------------------------------------- */

static struct addrinfo *
resolve_and_take (SocketDNS_T dns, const char *host, int port)
{
  SocketDNS_Request_T req = SocketDNS_resolve (dns, host, port, NULL, NULL);
  int64_t t0 = Socket_get_monotonic_ms ();
  struct addrinfo *ai = NULL;

  while (ai == NULL && Socket_get_monotonic_ms () - t0 < 5000)
    {
      pollfd_readable (dns, 50);
      SocketDNS_check (dns);
      ai = SocketDNS_getresult (dns, req);
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
  freeaddrinfo (ai);
  ai = resolve_and_take (dns, "::1", 443);
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET6, "::1", 443));
  freeaddrinfo (ai);
  ai = resolve_and_take (dns, "localhost", 0);
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 0));
  freeaddrinfo (ai);
  ai = resolve_and_take (dns, NULL, 9000); /* passive: any address */
  ASSERT (ai != NULL);
  ASSERT (has_addr (ai, AF_INET, "0.0.0.0", 9000)
          || has_addr (ai, AF_INET6, "::", 9000));
  freeaddrinfo (ai);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
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

TEST (dns_unknown_name_fails_with_error)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = { 0 };
  unsigned long long failed = metric (SOCKET_METRIC_DNS_REQUEST_FAILED);

  /* .invalid never resolves (RFC 6761); no answer from outside needed. */
  SocketDNS_resolve (dns, "nonexistent.invalid", 80, record_cb, &rec);
  check_until (dns, &rec.calls, 60000); /* 5 s resolver timeout at most */
  ASSERT_EQ (rec.calls, 1);
  ASSERT_NE (rec.error, 0);
  ASSERT (rec.result == NULL);
  printf ("  error: %s\n", gai_strerror (rec.error));
  if (rec.error != EAI_AGAIN) /* AGAIN here is a resolver timeout */
    ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_FAILED) >= failed + 1);
  SocketDNS_free (&dns);
}

/* ---- limits and timeouts ----------------------------------------------------- */

static void
resolve_raises (void *x)
{
  SocketDNS_resolve ((SocketDNS_T)x, "localhost", 80, NULL, NULL);
}

static int
raises_dns (void (*fn) (void *), void *arg)
{
  volatile int raised = 0;

  TRY fn (arg);
  EXCEPT (SocketDNS_Failed) raised = 1;
  END_TRY;
  return raised;
}

TEST (dns_max_pending_raises_when_full)
{
  SocketDNS_T dns = SocketDNS_new ();

  ASSERT_EQ (SocketDNS_getmaxpending (dns), SOCKET_DNS_MAX_PENDING);
  SocketDNS_setmaxpending (dns, 6); /* > the 4 workers: some stay queued */
  ASSERT_EQ (SocketDNS_getmaxpending (dns), 6);
  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < 6; i++)
    ASSERT (!raises_dns (resolve_raises, dns));
  ASSERT_EQ (SocketDNS__pending (dns), 6);
  ASSERT (raises_dns (resolve_raises, dns));
  ASSERT (strstr (Socket_GetLastError (), "too many pending") != NULL);
  SocketDNS__set_stall (dns, 0);
  /* Once they finish there is room again. */
  int64_t t0 = Socket_get_monotonic_ms ();
  while (SocketDNS__pending (dns) > 0 && Socket_get_monotonic_ms () - t0 < 5000)
    usleep (1000);
  ASSERT_EQ (SocketDNS__pending (dns), 0);
  ASSERT (!raises_dns (resolve_raises, dns));
  SocketDNS_free (&dns); /* 7 un-taken results freed */
}

static int timeout_events;
static char timeout_host[64];

static void
on_event (void *ud, const SocketEventRecord *e)
{
  (void)ud;
  if (e->type == SOCKET_EVENT_DNS_TIMEOUT)
    {
      timeout_events++;
      snprintf (timeout_host, sizeof timeout_host, "%s", e->data.dns.host);
    }
}

TEST (dns_resolver_timeout_completes_with_eai_again)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = { 0 };
  unsigned long long to = metric (SOCKET_METRIC_DNS_REQUEST_TIMEOUT);
  int64_t t0, dt;

  ASSERT_EQ (SocketDNS_gettimeout (dns), SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  SocketDNS_settimeout (dns, 60);
  ASSERT_EQ (SocketDNS_gettimeout (dns), 60);
  SocketDNS__set_stall (dns, 1);
  timeout_events = 0;
  SocketEvent_register (on_event, NULL);
  t0 = Socket_get_monotonic_ms ();
  SocketDNS_resolve (dns, "localhost", 80, record_cb, &rec);
  check_until (dns, &rec.calls, 5000);
  dt = Socket_get_monotonic_ms () - t0;
  SocketEvent_unregister (on_event, NULL);
  ASSERT_EQ (rec.calls, 1);
  ASSERT_EQ (rec.error, EAI_AGAIN);
  ASSERT (rec.result == NULL);
  ASSERT (dt >= 55);
  ASSERT (dt < 3000);
  ASSERT_EQ (timeout_events, 1);
  ASSERT_STREQ (timeout_host, "localhost");
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_TIMEOUT) >= to + 1);
  /* The worker's late result is discarded and its record freed. */
  ASSERT_EQ (SocketDNS__live_records (dns), 1); /* still held by the worker */
  SocketDNS__set_stall (dns, 0);
  wait_live_records (dns, 0);
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  ASSERT_EQ (SocketDNS_check (dns), 0);
  ASSERT_EQ (rec.calls, 1);
  SocketDNS_free (&dns);
}

TEST (dns_per_request_timeout_and_geterror)
{
  SocketDNS_T dns = SocketDNS_new ();

  SocketDNS_settimeout (dns, 0); /* none by default */
  SocketDNS__set_stall (dns, 1);
  SocketDNS_Request_T slow = SocketDNS_resolve (dns, "localhost", 1, NULL, NULL);
  SocketDNS_Request_T fast = SocketDNS_resolve (dns, "localhost", 2, NULL, NULL);
  SocketDNS_request_settimeout (dns, fast, 40);
  usleep (80 * 1000);
  ASSERT_EQ (SocketDNS_check (dns), 1); /* only 'fast' expired */
  ASSERT (SocketDNS_getresult (dns, fast) == NULL);
  ASSERT_EQ (SocketDNS_geterror (dns, fast), EAI_AGAIN); /* kept for README flow */
  ASSERT_EQ (SocketDNS_geterror (dns, slow), 0);         /* still pending */
  SocketDNS__set_stall (dns, 0);
  struct addrinfo *ai = NULL;
  int64_t t0 = Socket_get_monotonic_ms ();
  while (ai == NULL && Socket_get_monotonic_ms () - t0 < 5000)
    {
      pollfd_readable (dns, 20);
      SocketDNS_check (dns);
      ai = SocketDNS_getresult (dns, slow);
    }
  ASSERT (ai != NULL); /* no timeout: it completed normally */
  freeaddrinfo (ai);
  SocketDNS_free (&dns);
}

/* ---- cancel ------------------------------------------------------------------- */

TEST (dns_cancel_no_callback_no_leak)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec running = { 0 }, queued = { 0 }, done = { 0 };
  unsigned long long c0 = metric (SOCKET_METRIC_DNS_REQUEST_CANCELLED);

  SocketDNS__set_stall (dns, 1);
  SocketDNS_Request_T r[SOCKET_DNS_THREAD_COUNT + 1];
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++) /* occupy every worker */
    r[i] = SocketDNS_resolve (dns, "localhost", 10 + i, record_cb, &running);
  r[SOCKET_DNS_THREAD_COUNT]
      = SocketDNS_resolve (dns, "localhost", 99, record_cb, &queued);
  for (int i = 0; i <= SOCKET_DNS_THREAD_COUNT; i++)
    SocketDNS_cancel (dns, r[i]);
  ASSERT_EQ (SocketDNS__pending (dns), 0);
  ASSERT (metric (SOCKET_METRIC_DNS_REQUEST_CANCELLED)
          >= c0 + SOCKET_DNS_THREAD_COUNT + 1);
  SocketDNS__set_stall (dns, 0);
  wait_live_records (dns, 0); /* workers freed the zombies and results */
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  /* A completed, not yet delivered request: cancel drops it too. */
  SocketDNS_Request_T d = SocketDNS_resolve (dns, "127.0.0.1", 5, record_cb,
                                             &done);
  ASSERT (pollfd_readable (dns, 5000));
  SocketDNS_cancel (dns, d);
  usleep (20 * 1000);
  SocketDNS_check (dns);
  ASSERT_EQ (running.calls + queued.calls + done.calls, 0);
  SocketDNS_cancel (dns, d); /* stale: no-op */
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
  ASSERT_EQ (SocketDNS__pending (a), 1);
  ASSERT (SocketDNS_getresult (a, (SocketDNS_Request_T)(uintptr_t)12345) == NULL);
  ASSERT_EQ (SocketDNS_geterror (a, NULL), 0);
  SocketDNS__set_stall (a, 0);
  ASSERT (ai != NULL);
  freeaddrinfo (ai);
  SocketDNS_free (&a);
  SocketDNS_free (&b);
}

TEST (dns_create_completed_request)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct addrinfo *ai = SocketDNS_resolve_sync (dns, "127.0.0.1", 80, NULL, 0);

  SocketDNS_Request_T req = SocketDNS_create_completed_request (dns, ai, 80);
  ASSERT (req != NULL);
  ASSERT_EQ (SocketDNS_geterror (dns, req), 0);
  ASSERT (SocketDNS_getresult (dns, req) == ai); /* same list, handed back */
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  freeaddrinfo (ai);
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

TEST (dns_resolve_sync)
{
  struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM };
  struct addrinfo *ai;

  sync_dns = SocketDNS_new ();
  ai = SocketDNS_resolve_sync (sync_dns, "localhost", 53, NULL, 2000);
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 53));
  freeaddrinfo (ai);
  ai = SocketDNS_resolve_sync (sync_dns, "::1", 53, &hints, 0);
  ASSERT (has_addr (ai, AF_INET6, "::1", 53));
  ASSERT_EQ (ai->ai_socktype, SOCK_DGRAM); /* hints honoured */
  freeaddrinfo (ai);
  ai = SocketDNS_resolve_sync (NULL, "127.0.0.1", 1, NULL, 0); /* no resolver */
  ASSERT (has_addr (ai, AF_INET, "127.0.0.1", 1));
  freeaddrinfo (ai);
  ASSERT (raises_dns (sync_family_mismatch, NULL));

  /* Timeout: the only way out of a stalled worker is the deadline. */
  SocketDNS__set_stall (sync_dns, 1);
  int64_t t0 = Socket_get_monotonic_ms ();
  ASSERT (raises_dns (sync_slow, NULL));
  int64_t dt = Socket_get_monotonic_ms () - t0;
  ASSERT (dt >= 45);
  ASSERT (dt < 3000);
  ASSERT (strstr (Socket_GetLastError (), "within 50 ms") != NULL);
  SocketDNS__set_stall (sync_dns, 0);
  wait_live_records (sync_dns, 0);
  ASSERT_EQ (SocketDNS__live_records (sync_dns), 0);
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
settimeout_negative (void *x)
{
  SocketDNS_settimeout ((SocketDNS_T)x, -1);
}
static void
resolve_null_dns (void *x)
{
  (void)x;
  SocketDNS_resolve (NULL, "localhost", 80, NULL, NULL);
}

TEST (dns_invalid_arguments_raise)
{
  SocketDNS_T dns = SocketDNS_new ();
  char label[80], longname[300];

  memset (label, 'a', 64);
  label[64] = '\0';
  memset (longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  for (int i = 50; i < 290; i += 50)
    longname[i] = '.';
  const char *hosts[] = { "", "bad host", "a..b", label, longname, "x;rm" };
  bad_port = 80;
  for (unsigned i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
    {
      bad_host = hosts[i];
      ASSERT (raises_dns (resolve_bad, dns));
    }
  bad_host = "localhost";
  bad_port = -1;
  ASSERT (raises_dns (resolve_bad, dns));
  bad_port = 65536;
  ASSERT (raises_dns (resolve_bad, dns));
  ASSERT (strstr (Socket_GetLastError (), "port 65536") != NULL);
  ASSERT (raises_dns (settimeout_negative, dns));
  ASSERT (raises_dns (resolve_null_dns, NULL));
  ASSERT_EQ (SocketDNS__live_records (dns), 0);
  SocketDNS_free (&dns);
  SocketDNS_free (&dns); /* NULL: no-op */
}

/* ---- free with pending ----------------------------------------------------------- */

TEST (dns_free_with_pending_requests)
{
  SocketDNS_T dns = SocketDNS_new ();
  struct cb_rec rec = { 0 };

  SocketDNS__set_stall (dns, 1);
  for (int i = 0; i < 20; i++) /* 4 running, 16 queued */
    SocketDNS_resolve (dns, "localhost", i, record_cb, &rec);
  int64_t t0 = Socket_get_monotonic_ms ();
  SocketDNS_free (&dns); /* joins workers; frees everything (ASan/LSan) */
  ASSERT (Socket_get_monotonic_ms () - t0 < 3000);
  ASSERT_EQ (rec.calls, 0);
}

/* ---- threads (TSan) ------------------------------------------------------------- */

struct submitter
{
  SocketDNS_T dns;
  atomic_int *calls;
};

static void
count_cb (SocketDNS_Request_T req, struct addrinfo *result, int error,
          void *data)
{
  (void)req;
  (void)error;
  if (result)
    freeaddrinfo (result);
  atomic_fetch_add ((atomic_int *)data, 1);
}

static void *
submit_main (void *arg)
{
  struct submitter *s = arg;

  for (int i = 0; i < 50; i++)
    SocketDNS_resolve (s->dns, i % 2 ? "localhost" : "127.0.0.1", i,
                       count_cb, s->calls);
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
  int64_t t0 = Socket_get_monotonic_ms ();
  while (atomic_load (&calls) < 200 && Socket_get_monotonic_ms () - t0 < 10000)
    {
      pollfd_readable (s.dns, 20);
      SocketDNS_check (s.dns);
    }
  ASSERT_EQ (atomic_load (&calls), 200);
  ASSERT_EQ (SocketDNS__live_records (s.dns), 0);
  SocketDNS_free (&s.dns);
}

TEST_MAIN ()
