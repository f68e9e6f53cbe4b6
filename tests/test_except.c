/* test_except.c - TRY/EXCEPT/ELSE/FINALLY/END_TRY semantics. */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketUtil.h"

static const Except_T Test_A = { &Test_A, "test A" };
static const Except_T Test_B = { &Test_B, "test B" };

SOCKET_DECLARE_MODULE_EXCEPTION (TestMod);

static void
raise_a (void)
{
  RAISE (Test_A);
}

TEST (except_caught_by_matching_clause)
{
  volatile int caught = 0;

  TRY
    raise_a ();
    caught = -1; /* not reached */
  EXCEPT (Test_B)
    caught = 2;
  EXCEPT (Test_A)
    caught = 1;
  END_TRY;
  ASSERT_EQ (caught, 1);
  ASSERT (Except_stack == NULL);
}

TEST (except_else_catches_anything)
{
  volatile int caught = 0;

  TRY
    RAISE (Test_B);
  EXCEPT (Test_A)
    caught = 1;
  ELSE
    caught = 2;
  END_TRY;
  ASSERT_EQ (caught, 2);
}

TEST (except_finally_runs_on_normal_exit_and_on_raise)
{
  volatile int finally_count = 0;
  volatile int outer = 0;

  TRY
    (void)0;
  FINALLY
    finally_count++;
  END_TRY;
  ASSERT_EQ (finally_count, 1);

  TRY
    TRY
      RAISE (Test_A);
    FINALLY
      finally_count++;
    END_TRY;
  EXCEPT (Test_A)
    outer = 1;
  END_TRY;
  ASSERT_EQ (finally_count, 2);
  ASSERT_EQ (outer, 1);
  ASSERT (Except_stack == NULL);
}

TEST (except_nested_reraise_keeps_site)
{
  volatile int inner = 0;
  const char *volatile file = NULL;
  volatile int line = 0, raise_line = 0;

  TRY
    TRY
      raise_line = __LINE__ + 1;
      RAISE (Test_A);
    EXCEPT (Test_A)
      inner = 1;
      RERAISE;
    END_TRY;
  EXCEPT (Test_A)
    file = Except_frame.file;
    line = Except_frame.line;
  END_TRY;
  ASSERT_EQ (inner, 1);
  ASSERT (file != NULL && strstr (file, "test_except.c") != NULL);
  ASSERT_EQ (line, raise_line);
}

TEST (except_raise_in_clause_goes_to_enclosing_try)
{
  volatile int got_b = 0;

  TRY
    TRY
      RAISE (Test_A);
    EXCEPT (Test_A)
      RAISE (Test_B);
    END_TRY;
  EXCEPT (Test_B)
    got_b = 1;
  END_TRY;
  ASSERT_EQ (got_b, 1);
  ASSERT (Except_stack == NULL);
}

TEST (except_unhandled_propagates_through_finally)
{
  volatile int order = 0;

  TRY
    TRY
      RAISE (Test_B);
    EXCEPT (Test_A)
      order = -1;
    FINALLY
      order = order * 10 + 1;
    END_TRY;
  EXCEPT (Test_B)
    order = order * 10 + 2;
  END_TRY;
  ASSERT_EQ (order, 12);
}

static int
returns_from_try (int x)
{
  TRY
    if (x)
      RETURN 42;
  EXCEPT (Test_A)
    return -1;
  END_TRY;
  return 7;
}

TEST (except_return_pops_frame)
{
  ASSERT_EQ (returns_from_try (1), 42);
  ASSERT (Except_stack == NULL);
  ASSERT_EQ (returns_from_try (0), 7);
  ASSERT (Except_stack == NULL);
  /* A later raise must reach this frame, not a stale one. */
  volatile int ok = 0;
  TRY
    RAISE (Test_A);
  EXCEPT (Test_A)
    ok = 1;
  END_TRY;
  ASSERT_EQ (ok, 1);
}

static void
raise_detailed (int n)
{
  SOCKET_RAISE_MSG (TestMod, Test_A, "detail %d", n);
}

TEST (except_module_copy_matches_public_type)
{
  volatile int caught = 0;
  char reason[64] = "";

  errno = EIO; /* captured by SOCKET_ERROR_MSG, as in the original */
  TRY
    raise_detailed (5);
  EXCEPT (Test_A)
    caught = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  END_TRY;
  ASSERT_EQ (caught, 1);
  ASSERT_STREQ (reason, "detail 5");
  ASSERT_STREQ (Socket_GetLastError (), "detail 5");
  ASSERT_EQ (Socket_geterrno (), EIO);
}

TEST (except_error_fmt_appends_errno_text)
{
  errno = ECONNREFUSED;
  SOCKET_ERROR_FMT ("connect to %s:%d", "127.0.0.1", 9);
  ASSERT_STREQ (Socket_GetLastError (),
                "connect to 127.0.0.1:9 (errno: 111 - Connection refused)");
  ASSERT_EQ (Socket_geterrno (), ECONNREFUSED);
  ASSERT_EQ (Socket_geterrorcode (), SOCKET_ERROR_ECONNREFUSED);
}

TEST (except_error_truncation_marker)
{
  char big[2 * SOCKET_ERROR_BUFSIZE];

  memset (big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  SOCKET_ERROR_MSG ("%s", big);
  const char *msg = Socket_GetLastError ();
  ASSERT_EQ (strlen (msg), SOCKET_ERROR_BUFSIZE - 1);
  ASSERT (strstr (msg, SOCKET_ERROR_TRUNCATION_MARKER) != NULL);
}

/* EXCEPT compares the raised object's type, never its address. */
static const Except_T Odd_typed_B = { &Test_B, "odd" };

TEST (except_matches_type_not_address)
{
  volatile int by_self = 0, by_type = 0;

  TRY
    RAISE (Odd_typed_B);
  EXCEPT (Odd_typed_B)
    by_self = 1;
  EXCEPT (Test_B)
    by_type = 1;
  END_TRY;
  ASSERT_EQ (by_self, 0);
  ASSERT_EQ (by_type, 1);
}

TEST (except_raise_normalises_site_and_try_resets_frame)
{
  volatile int seen = 0;
  const char *volatile file = "x";
  volatile int line = -1;

  TRY
  {
    seen = Except_frame.exception == NULL && Except_frame.file == NULL
           && Except_frame.line == 0;
    Except_raise (&Test_A, NULL, -5);
  }
  EXCEPT (Test_A)
  {
    file = Except_frame.file;
    line = Except_frame.line;
  }
  END_TRY;
  ASSERT_EQ (seen, 1);
  ASSERT_STREQ (file, "unknown");
  ASSERT_EQ (line, 0);
}

static void
quiet_log (void *userdata, SocketLogLevel level, const char *component,
           const char *message)
{
  (void)userdata;
  (void)level;
  (void)component;
  (void)message;
}

/* Each thread has its own frame stack and error buffer. */
static void *
thread_body (void *arg)
{
  volatile intptr_t id = (intptr_t)arg;
  volatile intptr_t caught = 0;

  for (volatile int i = 0; i < 10000; i++)
    {
      TRY
        if (i % 2)
          SOCKET_RAISE_MSG (TestMod, Test_A, "thread %ld iteration %d",
                            (long)id, i);
        else
          SOCKET_RAISE_MSG (TestMod, Test_B, "thread %ld iteration %d",
                            (long)id, i);
      EXCEPT (Test_A)
        if (i % 2 == 1)
          caught++;
      EXCEPT (Test_B)
        if (i % 2 == 0)
          caught++;
      END_TRY;
      char expect[64];
      snprintf (expect, sizeof expect, "thread %ld iteration %d", (long)id, i);
      if (strcmp (Socket_GetLastError (), expect) != 0)
        return (void *)-1;
    }
  return Except_stack == NULL ? (void *)caught : (void *)-2;
}

TEST (except_threads_are_independent)
{
  pthread_t t[8];
  void *res;

  SocketLog_setcallback (quiet_log, NULL); /* every raise is logged */
  for (intptr_t i = 0; i < 8; i++)
    ASSERT_EQ (pthread_create (&t[i], NULL, thread_body, (void *)i), 0);
  for (int i = 0; i < 8; i++)
    {
      ASSERT_EQ (pthread_join (t[i], &res), 0);
      ASSERT_EQ ((intptr_t)res, 10000);
    }
  SocketLog_setcallback (NULL, NULL);
}

TEST (except_uncaught_aborts_with_reason)
{
  int fds[2];
  pid_t pid;
  int status;
  char buf[512] = "";
  ssize_t n;

  ASSERT_EQ (pipe (fds), 0);
  pid = fork ();
  ASSERT (pid >= 0);
  if (pid == 0)
    {
      dup2 (fds[1], STDERR_FILENO);
      signal (SIGABRT, SIG_DFL);
      RAISE (Test_B);
      _exit (0);
    }
  close (fds[1]);
  size_t total = 0;
  while (total < sizeof buf - 1
         && (n = read (fds[0], buf + total, sizeof buf - 1 - total)) > 0)
    total += (size_t)n;
  close (fds[0]);
  ASSERT (total > 0);
  buf[total] = '\0';
  ASSERT_EQ (waitpid (pid, &status, 0), pid);
  ASSERT (WIFSIGNALED (status) && WTERMSIG (status) == SIGABRT);
  ASSERT (strstr (buf, "Uncaught exception: test B raised at ") == buf);
  ASSERT (strstr (buf, "test_except.c:") != NULL);
  ASSERT (strstr (buf, "\naborting...\n") != NULL);
}

/* Runs Except_raise(e, file, line) with no TRY in a child; returns its
 * stderr in @p buf and whether it died of SIGABRT. */
static int
uncaught_output (const Except_T *e, const char *file, int line, char *buf, size_t cap)
{
  int fds[2], status;
  size_t total = 0;
  ssize_t n;
  pid_t pid;

  if (pipe (fds) != 0 || (pid = fork ()) < 0)
    return 0;
  if (pid == 0)
    {
      dup2 (fds[1], STDERR_FILENO);
      signal (SIGABRT, SIG_DFL);
      Except_raise (e, file, line);
    }
  close (fds[1]);
  while (total < cap - 1 && (n = read (fds[0], buf + total, cap - 1 - total)) > 0)
    total += (size_t)n;
  close (fds[0]);
  buf[total] = '\0';
  return waitpid (pid, &status, 0) == pid && WIFSIGNALED (status)
         && WTERMSIG (status) == SIGABRT;
}

TEST (except_uncaught_texts_match_original)
{
  static const Except_T no_reason = { &no_reason, NULL };
  char buf[512];

  ASSERT (uncaught_output (&Test_A, "f.c", 12, buf, sizeof buf));
  ASSERT_STREQ (buf, "Uncaught exception: test A raised at f.c:12\naborting...\n");
  ASSERT (uncaught_output (&Test_A, "f.c", 0, buf, sizeof buf));
  ASSERT_STREQ (buf, "Uncaught exception: test A raised at f.c\naborting...\n");
  ASSERT (uncaught_output (&Test_A, NULL, 7, buf, sizeof buf));
  ASSERT_STREQ (buf, "Uncaught exception: test A raised at line 7\naborting...\n");
  ASSERT (uncaught_output (&no_reason, NULL, 0, buf, sizeof buf));
  ASSERT_STREQ (buf, "Uncaught exception: (no reason provided) (location unknown)\n"
                     "aborting...\n");
  ASSERT (uncaught_output (NULL, "f.c", 1, buf, sizeof buf));
  ASSERT_STREQ (buf, "FATAL: Except_raise called with NULL exception pointer\n"
                     "This indicates a programming error in exception usage\n"
                     "aborting...\n");
  ASSERT_STREQ (Assert_Failed.reason, "Assertion failed");
}

TEST_MAIN ()
