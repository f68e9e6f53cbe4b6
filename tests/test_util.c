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
  /* "<NULL>" marks a NULL pointer the library passed through. */
  snprintf (c->component, sizeof c->component, "%s", component ? component : "<NULL>");
  snprintf (c->message, sizeof c->message, "%s", message ? message : "<NULL>");
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
  /* NULL component and message reach a custom callback unchanged. */
  SocketLog_emit (SOCKET_LOG_INFO, NULL, NULL);
  ASSERT_STREQ (c.component, "<NULL>");
  ASSERT_STREQ (c.message, "<NULL>");
  /* A NULL format emits a NULL message. */
  SocketLog_emitf (SOCKET_LOG_INFO, "X", NULL);
  ASSERT_EQ (c.count, 3);
  ASSERT_STREQ (c.component, "X");
  ASSERT_STREQ (c.message, "<NULL>");
  /* NULL restores the default logger, whose address getcallback returns. */
  SocketLog_setcallback (NULL, &c);
  SocketLogCallback def = SocketLog_getcallback (&ud);
  ASSERT (def != NULL && def != capture_log);
  ASSERT (ud == &c);
  SocketLog_setcallback (NULL, NULL);
  ASSERT (SocketLog_getcallback (&ud) == def);
  ASSERT (ud == NULL);
  ASSERT_EQ (c.count, 3);
}

/* Runs the default logger with stdout and stderr redirected to files and
 * returns what each received. */
static void
default_logger_output (char *out, size_t outsz, char *err, size_t errsz)
{
  FILE *fo = tmpfile (), *fe = tmpfile ();
  int saved_out, saved_err;
  size_t n;

  fflush (stdout);
  fflush (stderr);
  saved_out = dup (1);
  saved_err = dup (2);
  dup2 (fileno (fo), 1);
  dup2 (fileno (fe), 2);
  SocketLog_setcallback (NULL, NULL);
  SocketLog_emit (SOCKET_LOG_TRACE, "Comp", "trace line");
  SocketLog_emit (SOCKET_LOG_WARN, NULL, "no component");
  SocketLog_emit (SOCKET_LOG_ERROR, "Comp", NULL);
  SocketLog_emit (SOCKET_LOG_FATAL, "Comp", "fatal line");
  fflush (stdout);
  fflush (stderr);
  dup2 (saved_out, 1);
  dup2 (saved_err, 2);
  close (saved_out);
  close (saved_err);
  rewind (fo);
  rewind (fe);
  n = fread (out, 1, outsz - 1, fo);
  out[n] = '\0';
  n = fread (err, 1, errsz - 1, fe);
  err[n] = '\0';
  fclose (fo);
  fclose (fe);
}

/* "YYYY-MM-DD HH:MM:SS " then the rest. */
static int
line_matches (const char *line, const char *rest)
{
  static const char shape[] = "dddd-dd-dd dd:dd:dd ";
  for (size_t i = 0; i < sizeof shape - 1; i++)
    if (shape[i] == 'd' ? (line[i] < '0' || line[i] > '9') : line[i] != shape[i])
      return 0;
  return strncmp (line + sizeof shape - 1, rest, strlen (rest)) == 0;
}

TEST (log_default_logger_format_and_streams)
{
  char out[512], err[512];
  default_logger_output (out, sizeof out, err, sizeof err);
  /* TRACE..WARN on stdout, ERROR/FATAL on stderr, every level printed. */
  char *second = strchr (out, '\n');
  ASSERT (second != NULL);
  ASSERT (line_matches (out, "[TRACE] Comp: trace line\n"));
  ASSERT (line_matches (second + 1, "[WARN] (unknown): no component\n"));
  second = strchr (err, '\n');
  ASSERT (second != NULL);
  ASSERT (line_matches (err, "[ERROR] Comp: (null)\n"));
  ASSERT (line_matches (second + 1, "[FATAL] Comp: fatal line\n"));
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
  /* The cut is marked: the last three characters become "...". */
  ASSERT_STREQ (c.message + SOCKET_LOG_BUFFER_SIZE - 4, "...");
  ASSERT_EQ (c.message[SOCKET_LOG_BUFFER_SIZE - 5], 'y');
  /* Exactly fitting is not cut. */
  big[SOCKET_LOG_BUFFER_SIZE - 1] = 0;
  SocketLog_setcallback (capture_log, &c);
  SocketLog_emitf (SOCKET_LOG_ERROR, "T", "%s", big);
  SocketLog_setcallback (NULL, NULL);
  ASSERT_EQ (strlen (c.message), SOCKET_LOG_BUFFER_SIZE - 1);
  ASSERT_EQ (c.message[SOCKET_LOG_BUFFER_SIZE - 2], 'y');
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
  {
    struct captured c = { 0 };
    SocketLog_setcallback (capture_log, &c);
    SocketMetrics_increment ((SocketMetric)SOCKET_METRIC_COUNT, 1); /* ignored */
    ASSERT_EQ (c.count, 1);
    ASSERT_EQ (c.level, SOCKET_LOG_WARN);
    ASSERT_STREQ (c.component, "SocketMetrics");
    ASSERT_STREQ (c.message, "Invalid metric 15 in increment ignored");
    SocketMetrics_getsnapshot (NULL);
    ASSERT_EQ (c.count, 2);
    ASSERT_STREQ (c.message, "NULL snapshot in getsnapshot ignored");
    SocketLog_setcallback (NULL, NULL);
  }
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
  static const char *const names[SOCKET_METRIC_COUNT] = {
    "socket.connect_success", "socket.connect_failure", "socket.shutdown_calls",
    "dns.request_submitted",  "dns.request_completed",  "dns.request_failed",
    "dns.request_cancelled",  "dns.request_timeout",    "poll.wakeups",
    "poll.events_dispatched", "pool.connections_added", "pool.connections_removed",
    "pool.connections_reused", "pool.drain_initiated",  "pool.drain_completed",
  };
  for (int i = 0; i < SOCKET_METRIC_COUNT; i++)
    ASSERT_STREQ (SocketMetrics_name ((SocketMetric)i), names[i]);
  ASSERT_STREQ (SocketMetrics_name (SOCKET_METRIC_COUNT), "unknown");
  ASSERT_STREQ (SocketMetrics_name ((SocketMetric)-3), "unknown");
}

struct seen
{
  int n;
  SocketEventType last;
  char text[64];
  char component[16];
  int a, b;
};

static void
on_event (void *userdata, const SocketEventRecord *ev)
{
  struct seen *s = userdata;
  s->n++;
  s->last = ev->type;
  snprintf (s->component, sizeof s->component, "%s", ev->component);
  switch (ev->type)
    {
    case SOCKET_EVENT_ACCEPTED:
    case SOCKET_EVENT_CONNECTED:
      snprintf (s->text, sizeof s->text, "%s->%s",
                ev->data.connection.peer_addr ? ev->data.connection.peer_addr : "<NULL>",
                ev->data.connection.local_addr ? ev->data.connection.local_addr : "<NULL>");
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
  ASSERT_STREQ (s1.component, "Socket");
  SocketEvent_emit_accept (6, "::1", 1, NULL, 2);
  ASSERT_EQ (s1.last, SOCKET_EVENT_ACCEPTED);
  ASSERT_STREQ (s1.text, "::1-><NULL>"); /* NULL passed through */
  ASSERT_STREQ (s1.component, "Socket");
  SocketEvent_emit_dns_timeout ("example.invalid", 443);
  ASSERT_STREQ (s2.text, "example.invalid");
  ASSERT_STREQ (s2.component, "SocketDNS");
  ASSERT_EQ (s2.a, 443);
  SocketEvent_unregister (on_event, &s1);
  SocketEvent_emit_poll_wakeup (3, 1000);
  ASSERT_STREQ (s2.component, "SocketPoll");
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

static int noop_calls;

static void
counting_event (void *userdata, const SocketEventRecord *ev)
{
  (void)userdata;
  (void)ev;
  noop_calls++;
}

/* Misuse is logged at WARN and ignored; nothing raises. */
TEST (events_misuse_warns_never_raises)
{
  int slots[SOCKET_EVENT_MAX_HANDLERS + 1];
  struct captured c = { 0 };
  volatile int raised = 0;

  SocketLog_setcallback (capture_log, &c);
  TRY
  {
    for (int i = 0; i < SOCKET_EVENT_MAX_HANDLERS; i++)
      SocketEvent_register (noop_event, &slots[i]);
    ASSERT_EQ (c.count, 0);
    SocketEvent_register (counting_event, &slots[SOCKET_EVENT_MAX_HANDLERS]);
    ASSERT_EQ (c.count, 1);
    ASSERT_EQ (c.level, SOCKET_LOG_WARN);
    ASSERT_STREQ (c.component, "SocketEvents");
    ASSERT_STREQ (c.message, "Handler limit reached; ignoring registration");
    noop_calls = 0;
    SocketEvent_emit_poll_wakeup (1, 1);
    ASSERT_EQ (noop_calls, 0); /* not registered */
    SocketEvent_register (NULL, NULL);
    ASSERT_EQ (c.count, 2);
    ASSERT_STREQ (c.message, "NULL callback in register ignored");
    SocketEvent_unregister (NULL, NULL);
    ASSERT_EQ (c.count, 3);
    ASSERT_STREQ (c.message, "NULL callback in unregister ignored");
  }
  ELSE
    raised = 1;
  END_TRY;
  SocketLog_setcallback (NULL, NULL);
  for (int i = 0; i < SOCKET_EVENT_MAX_HANDLERS; i++)
    SocketEvent_unregister (noop_event, &slots[i]);
  ASSERT_EQ (raised, 0);
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
  ASSERT_STREQ (Socket_safe_strerror (0), "No error");
  ASSERT_STREQ (Socket_safe_strerror (ECONNREFUSED), "Connection refused");
  ASSERT_STREQ (Socket_safe_strerror (123456), "Unknown error 123456");
}

TEST (error_macros_text_errno_and_log)
{
  struct captured c = { 0 };

  SocketLog_setcallback (capture_log, &c);
  errno = EPIPE;
  SOCKET_ERROR_FMT ("send to %s failed", "peer");
  ASSERT_EQ (errno, EPIPE);
  ASSERT_STREQ (Socket_GetLastError (), "send to peer failed (errno: 32 - Broken pipe)");
  ASSERT_EQ (Socket_geterrno (), EPIPE);
  /* Every error is logged at ERROR with the module's component. */
  ASSERT_EQ (c.count, 1);
  ASSERT_EQ (c.level, SOCKET_LOG_ERROR);
  ASSERT_STREQ (c.component, "Socket");
  ASSERT_STREQ (c.message, "send to peer failed (errno: 32 - Broken pipe)");
  /* MSG has no errno text but still captures errno. */
  errno = ETIMEDOUT;
  SOCKET_ERROR_MSG ("plain %d", 7);
  ASSERT_STREQ (Socket_GetLastError (), "plain 7");
  ASSERT_EQ (Socket_geterrno (), ETIMEDOUT);
  ASSERT_EQ (Socket_geterrorcode (), SOCKET_ERROR_ETIMEDOUT);
  ASSERT_EQ (c.count, 2);
  ASSERT_STREQ (c.message, "plain 7");
  errno = 0;
  SOCKET_ERROR_FMT ("none");
  ASSERT_STREQ (Socket_GetLastError (), "none (errno: 0 - No error)");
  /* Truncation: bytes 1008..1022 are the marker, 1023 the NUL. */
  char big[2 * SOCKET_ERROR_BUFSIZE];
  memset (big, 'z', sizeof big - 1);
  big[sizeof big - 1] = 0;
  SOCKET_ERROR_MSG ("%s", big);
  ASSERT_EQ (strlen (Socket_GetLastError ()), SOCKET_ERROR_BUFSIZE - 1);
  ASSERT_STREQ (Socket_GetLastError () + 1008, "... (truncated)");
  SocketLog_setcallback (NULL, NULL);
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

/* The original's djb2: h * 33 + c over plain (signed) chars. */
static unsigned
ref_djb2 (const char *s, size_t n, int lower, int signed_chars, unsigned size)
{
  uint32_t h = 5381;
  for (size_t i = 0; i < n; i++)
    {
      int c = signed_chars ? (int)(signed char)s[i] : (int)(unsigned char)s[i];
      if (lower && c >= 'A' && c <= 'Z')
        c += 32;
      h = h * 33u + (uint32_t)c;
    }
  return h % size;
}

TEST (hash_helpers_match_original_values)
{
  /* djb2("abc") = ((5381*33+97)*33+98)*33+99 = 193485963 */
  ASSERT_UEQ (socket_util_hash_djb2 ("abc", 4294967295u), 193485963u);
  ASSERT_UEQ (socket_util_hash_djb2 ("abc", 1021), 193485963u % 1021);
  ASSERT_UEQ (socket_util_hash_djb2_len ("abc", 3, 1021), 193485963u % 1021);
  ASSERT_UEQ (socket_util_hash_djb2_ci ("ABC", 1021), 193485963u % 1021);
  ASSERT_UEQ (socket_util_hash_djb2_ci_len ("AbC", 3, 1021), 193485963u % 1021);
  /* High bytes: signed in djb2/_ci, unsigned in the _len variants. */
  const char *hi = "h\xc3\xa9llo\xff";
  ASSERT_UEQ (socket_util_hash_djb2 (hi, 1009), ref_djb2 (hi, 7, 0, 1, 1009));
  ASSERT_UEQ (socket_util_hash_djb2_ci (hi, 1009), ref_djb2 (hi, 7, 1, 1, 1009));
  ASSERT_UEQ (socket_util_hash_djb2_len (hi, 7, 1009), ref_djb2 (hi, 7, 0, 0, 1009));
  ASSERT_UEQ (socket_util_hash_djb2_ci_len (hi, 7, 1009), ref_djb2 (hi, 7, 1, 0, 1009));
  ASSERT (socket_util_hash_djb2 (hi, 1009) != socket_util_hash_djb2_len (hi, 7, 1009));
  ASSERT_UEQ (socket_util_hash_djb2_len ("a\0b", 3, 1021), ref_djb2 ("a\0b", 3, 0, 0, 1021));
  /* Multiplicative hashes in 32-bit arithmetic. */
  ASSERT_UEQ (socket_util_hash_fd (7, 1021), (7u * 2654435761u) % 1021u);
  ASSERT_UEQ (socket_util_hash_fd (-1, 1021), (0xFFFFFFFFu * 2654435761u) % 1021u);
  ASSERT_UEQ (socket_util_hash_uint (123456u, 97), (123456u * 2654435761u) % 97u);
  ASSERT_UEQ (socket_util_hash_ptr (&fd_dummy_for_hash, 1021),
              ((uint32_t)(uintptr_t)&fd_dummy_for_hash * 2654435761u) % 1021u);
  ASSERT_UEQ (socket_util_hash_ptr ((void *)(uintptr_t)0x1000, 1021),
              (0x1000u * 2654435761u) % 1021u);
}

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

/* SocketConfig.h's function-like macros. */
TEST (config_macros_match_original)
{
  char long_ip[128];
  memset (long_ip, '1', sizeof long_ip - 1);
  long_ip[sizeof long_ip - 1] = '\0';
  ASSERT (SOCKET_VALID_IP_STRING (long_ip)); /* no length check */
  ASSERT (SOCKET_VALID_IP_STRING ("not an ip")); /* no syntax check */
  ASSERT (!SOCKET_VALID_IP_STRING (""));
  ASSERT (!SOCKET_VALID_IP_STRING ((const char *)NULL));
  ASSERT (SOCKET_VALID_PORT (0) && SOCKET_VALID_PORT (65535) && !SOCKET_VALID_PORT (65536));
  ASSERT (!SOCKET_VALID_PORT (-1));
  ASSERT (SOCKET_VALID_POLL_EVENTS (1) && !SOCKET_VALID_POLL_EVENTS (0));
  ASSERT (!SOCKET_VALID_POLL_EVENTS (10001) && SOCKET_VALID_POLL_EVENTS (10000u));
  ASSERT (SOCKET_VALID_BUFFER_SIZE (512) && !SOCKET_VALID_BUFFER_SIZE (511));
  ASSERT (SOCKET_VALID_CONNECTION_COUNT (1) && !SOCKET_VALID_CONNECTION_COUNT (0));
  ASSERT_STREQ (SOCKET_TO_STRING (SOCKET_MAX_PORT), "65535");
  ASSERT_STREQ (SOCKET_STRINGIFY (SOCKET_MAX_PORT), "SOCKET_MAX_PORT");
}

TEST (config_safe_close_leaves_fd_and_reports_errors)
{
  int fds[2], saved, n;
  char buf[128];
  FILE *fe = tmpfile ();

  ASSERT (fe != NULL);
  ASSERT_EQ (pipe (fds), 0);
  int keep = fds[0];
  SAFE_CLOSE (fds[0]);
  ASSERT_EQ (fds[0], keep); /* not modified */
  SAFE_CLOSE (fds[1] + 0);  /* an rvalue compiles */
  SAFE_CLOSE (-1);          /* no-op */
  fflush (stderr);
  saved = dup (2);
  dup2 (fileno (fe), 2);
  SAFE_CLOSE (99999); /* not open: EBADF is reported */
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  rewind (fe);
  n = (int)fread (buf, 1, sizeof buf - 1, fe);
  buf[n < 0 ? 0 : n] = '\0';
  fclose (fe);
  ASSERT_STREQ (buf, "close failed: Bad file descriptor\n");
}

TEST_MAIN ()
