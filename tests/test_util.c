/* test_util.c - logging, metrics, events, errors, time, hash helpers. */
#include <pthread.h>
#include <unistd.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketUtil.h"

struct captured
{
  int count;
  SocketLogLevel level;
  char component[32];
  char message[SOCKET_LOG_BUFFER_SIZE + 8];
};

static void
capture_log (void *userdata, SocketLogLevel level, const char *component,
             const char *message)
{
  struct captured *c = userdata;
  c->count++;
  c->level = level;
  snprintf (c->component, sizeof c->component, "%s", component);
  snprintf (c->message, sizeof c->message, "%s", message);
}

TEST (log_callback_receives_formatted_message)
{
  struct captured c = { 0 };
  void *ud = NULL;

  SocketLog_setcallback (capture_log, &c);
  ASSERT (SocketLog_getcallback (&ud) == capture_log);
  ASSERT (ud == &c);
  SocketLog_emitf (SOCKET_LOG_WARN, "DNS", "lookup %s failed (%d)", "x", 3);
  ASSERT_EQ (c.count, 1);
  ASSERT_EQ (c.level, SOCKET_LOG_WARN);
  ASSERT_STREQ (c.component, "DNS");
  ASSERT_STREQ (c.message, "lookup x failed (3)");
  SocketLog_emit (SOCKET_LOG_INFO, NULL, NULL);
  ASSERT_STREQ (c.component, "Socket");
  ASSERT_STREQ (c.message, "");
  SocketLog_setcallback (NULL, NULL);
  ASSERT (SocketLog_getcallback (NULL) == NULL);
  SocketLog_emit (SOCKET_LOG_DEBUG, "Test", "to default logger");
  ASSERT_EQ (c.count, 2);
}

TEST (log_long_message_truncated_safely)
{
  struct captured c = { 0 };
  char big[4 * SOCKET_LOG_BUFFER_SIZE];

  memset (big, 'y', sizeof big - 1);
  big[sizeof big - 1] = 0;
  SocketLog_setcallback (capture_log, &c);
  SocketLog_emitf (SOCKET_LOG_ERROR, "T", "%s", big);
  SocketLog_setcallback (NULL, NULL);
  ASSERT_EQ (strlen (c.message), SOCKET_LOG_BUFFER_SIZE - 1);
}

TEST (log_level_names)
{
  ASSERT_STREQ (SocketLog_levelname (SOCKET_LOG_TRACE), "TRACE");
  ASSERT_STREQ (SocketLog_levelname (SOCKET_LOG_WARN), "WARN");
  ASSERT_STREQ (SocketLog_levelname (SOCKET_LOG_FATAL), "FATAL");
  ASSERT_STREQ (SocketLog_levelname ((SocketLogLevel)99), "UNKNOWN");
  ASSERT_STREQ (SocketLog_levelname ((SocketLogLevel)-1), "UNKNOWN");
}

static void *
bump_metrics (void *arg)
{
  (void)arg;
  for (int i = 0; i < 100000; i++)
    SocketMetrics_increment (SOCKET_METRIC_POLL_WAKEUPS, 1);
  return NULL;
}

TEST (metrics_concurrent_increments_are_exact)
{
  pthread_t t[4];
  SocketMetricsSnapshot snap;

  SocketMetrics_reset ();
  for (int i = 0; i < 4; i++)
    ASSERT_EQ (pthread_create (&t[i], NULL, bump_metrics, NULL), 0);
  for (int i = 0; i < 4; i++)
    pthread_join (t[i], NULL);
  SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_FAILED, 7);
  SocketMetrics_increment ((SocketMetric)SOCKET_METRIC_COUNT, 1); /* ignored */
  SocketMetrics_getsnapshot (&snap);
  ASSERT_UEQ (SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_POLL_WAKEUPS), 400000);
  ASSERT_UEQ (SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_DNS_REQUEST_FAILED), 7);
  ASSERT_UEQ (SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_SOCKET_CONNECT_SUCCESS), 0);
  ASSERT_UEQ (SocketMetrics_snapshot_value (&snap, SOCKET_METRIC_COUNT), 0);
  ASSERT_UEQ (SocketMetrics_snapshot_value (NULL, SOCKET_METRIC_POLL_WAKEUPS), 0);
  SocketMetrics_reset ();
  SocketMetrics_getsnapshot (&snap);
  ASSERT_UEQ (snap.values[SOCKET_METRIC_POLL_WAKEUPS], 0);
}

TEST (metrics_names_unique_and_count)
{
  ASSERT_EQ (SocketMetrics_count (), SOCKET_METRIC_COUNT);
  for (int i = 0; i < SOCKET_METRIC_COUNT; i++)
    {
      ASSERT (SocketMetrics_name ((SocketMetric)i) != NULL);
      for (int j = 0; j < i; j++)
        ASSERT (strcmp (SocketMetrics_name ((SocketMetric)i),
                        SocketMetrics_name ((SocketMetric)j)) != 0);
    }
  ASSERT_STREQ (SocketMetrics_name (SOCKET_METRIC_DNS_REQUEST_TIMEOUT), "dns_request_timeout");
  ASSERT_STREQ (SocketMetrics_name ((SocketMetric)-3), "unknown");
}

struct seen
{
  int n;
  SocketEventType last;
  char text[64];
  int a, b;
};

static void
on_event (void *userdata, const SocketEventRecord *ev)
{
  struct seen *s = userdata;
  s->n++;
  s->last = ev->type;
  switch (ev->type)
    {
    case SOCKET_EVENT_ACCEPTED:
    case SOCKET_EVENT_CONNECTED:
      snprintf (s->text, sizeof s->text, "%s->%s", ev->data.connection.peer_addr,
                ev->data.connection.local_addr);
      s->a = ev->data.connection.peer_port;
      s->b = ev->data.connection.local_port;
      break;
    case SOCKET_EVENT_DNS_TIMEOUT:
      snprintf (s->text, sizeof s->text, "%s", ev->data.dns.host);
      s->a = ev->data.dns.port;
      break;
    case SOCKET_EVENT_POLL_WAKEUP:
      s->a = ev->data.poll.nfds;
      s->b = ev->data.poll.timeout_ms;
      break;
    }
}

TEST (events_dispatch_and_unregister)
{
  struct seen s1 = { 0 }, s2 = { 0 };

  SocketEvent_register (on_event, &s1);
  SocketEvent_register (on_event, &s1); /* duplicate ignored */
  SocketEvent_register (on_event, &s2);
  SocketEvent_emit_connect (5, "127.0.0.1", 80, "127.0.0.1", 5555);
  ASSERT_EQ (s1.n, 1);
  ASSERT_EQ (s2.n, 1);
  ASSERT_EQ (s1.last, SOCKET_EVENT_CONNECTED);
  ASSERT_STREQ (s1.text, "127.0.0.1->127.0.0.1");
  ASSERT_EQ (s1.a, 80);
  ASSERT_EQ (s1.b, 5555);
  SocketEvent_emit_accept (6, "::1", 1, NULL, 2);
  ASSERT_EQ (s1.last, SOCKET_EVENT_ACCEPTED);
  ASSERT_STREQ (s1.text, "::1->");
  SocketEvent_emit_dns_timeout ("example.invalid", 443);
  ASSERT_STREQ (s2.text, "example.invalid");
  ASSERT_EQ (s2.a, 443);
  SocketEvent_unregister (on_event, &s1);
  SocketEvent_emit_poll_wakeup (3, 1000);
  ASSERT_EQ (s1.n, 3);
  ASSERT_EQ (s2.n, 4);
  ASSERT_EQ (s2.a, 3);
  ASSERT_EQ (s2.b, 1000);
  SocketEvent_unregister (on_event, &s2);
}

static void
noop_event (void *userdata, const SocketEventRecord *ev)
{
  (void)userdata;
  (void)ev;
}

TEST (events_table_full_raises)
{
  int slots[SOCKET_EVENT_MAX_HANDLERS + 1];
  volatile int raised = 0;

  for (int i = 0; i < SOCKET_EVENT_MAX_HANDLERS; i++)
    SocketEvent_register (noop_event, &slots[i]);
  TRY
    SocketEvent_register (noop_event, &slots[SOCKET_EVENT_MAX_HANDLERS]);
  EXCEPT (Assert_Failed)
    raised = 1;
  END_TRY;
  for (int i = 0; i < SOCKET_EVENT_MAX_HANDLERS; i++)
    SocketEvent_unregister (noop_event, &slots[i]);
  ASSERT_EQ (raised, 1);
  raised = 0;
  TRY
    SocketEvent_register (NULL, NULL);
  EXCEPT (Assert_Failed)
    raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
}

TEST (errors_classify_errno)
{
  static const struct
  {
    int err;
    SocketErrorCode code;
  } cases[] = {
    { 0, SOCKET_ERROR_NONE },           { EINVAL, SOCKET_ERROR_EINVAL },
    { EPIPE, SOCKET_ERROR_EPIPE },      { ETIMEDOUT, SOCKET_ERROR_ETIMEDOUT },
    { EAGAIN, SOCKET_ERROR_EAGAIN },    { ECONNRESET, SOCKET_ERROR_ECONNRESET },
    { EMFILE, SOCKET_ERROR_EMFILE },    { ENOTSOCK, SOCKET_ERROR_ENOTSOCK },
    { EDOM, SOCKET_ERROR_UNKNOWN },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      errno = cases[i].err;
      SOCKET_ERROR_FMT ("op");
      ASSERT_EQ (Socket_geterrno (), cases[i].err);
      ASSERT_EQ (Socket_geterrorcode (), cases[i].code);
    }
  ASSERT (strstr (Socket_safe_strerror (EPIPE), "pipe") != NULL);
  ASSERT (Socket_safe_strerror (123456) != NULL);
}

TEST (monotonic_clock_advances)
{
  int64_t a = Socket_get_monotonic_ms ();
  usleep (20 * 1000);
  int64_t b = Socket_get_monotonic_ms ();
  ASSERT (b - a >= 19);
  ASSERT (b - a < 5000);
}

static int fd_dummy_for_hash;

TEST (hash_helpers_in_range_and_stable)
{
  ASSERT (socket_util_hash_djb2 ("Content-Type", 1021)
          != socket_util_hash_djb2 ("content-type", 1021));
  ASSERT_EQ (socket_util_hash_djb2_ci ("Content-Type", 1021),
             socket_util_hash_djb2_ci ("CONTENT-TYPE", 1021));
  ASSERT_EQ (socket_util_hash_djb2_ci_len ("Host: x", 4, 97),
             socket_util_hash_djb2_ci ("hOST", 97));
  ASSERT_EQ (socket_util_hash_djb2_len ("abcdef", 3, 97),
             socket_util_hash_djb2 ("abc", 97));
  for (int fd = 0; fd < 5000; fd++)
    ASSERT (socket_util_hash_fd (fd, 1021) < 1021);
  ASSERT (socket_util_hash_ptr (&fd_dummy_for_hash, 64) < 64);
  ASSERT (socket_util_hash_uint (12345u, 7) < 7);
  ASSERT_EQ (socket_util_hash_fd (3, 0), 0);
  ASSERT_EQ (socket_util_round_up_pow2 (0), 1);
  ASSERT_EQ (socket_util_round_up_pow2 (1), 1);
  ASSERT_EQ (socket_util_round_up_pow2 (1000), 1024);
  ASSERT_EQ (socket_util_round_up_pow2 (1024), 1024);
  ASSERT_EQ (socket_util_round_up_pow2 (((size_t)1 << 63) + 1), 0);
}

TEST_MAIN ()
