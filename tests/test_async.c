/* test_async.c - SocketAsync on both backends: io_uring (skipped cleanly
 * when the kernel refuses it) and the edge-triggered fallback (forced with
 * SOCKET_ASYNC_DISABLE_URING=1). The same TCP echo exchange runs through
 * each, driven by SocketPoll_wait and standalone, and must yield
 * byte-identical data; plus cancel, EOF/EPIPE, argument checks, free with
 * requests in flight. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "Test.h"
#include "core/Arena.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketAsync-private.h"
#include "socket/SocketAsync.h"

#define ECHO_BYTES (512 * 1024)

static void
force_fallback (int on)
{
  if (on)
    setenv ("SOCKET_ASYNC_DISABLE_URING", "1", 1);
  else
    unsetenv ("SOCKET_ASYNC_DISABLE_URING");
}

/* Connected non-blocking TCP pair on 127.0.0.1. */
static void
tcp_pair (Socket_T *client, Socket_T *server)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);

  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 4);
  *client = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (*client, "127.0.0.1", Socket_getlocalport (l));
  *server = Socket_accept (l);
  Socket_free (&l);
  Socket_setnonblocking (*client);
  Socket_setnonblocking (*server);
}

/* ---- echo exchange --------------------------------------------------------- */

struct echo
{
  SocketAsync_T as;
  Socket_T client, server;
  const unsigned char *src;
  unsigned char *dst;
  size_t sent, received;
  unsigned char sbuf[4096];
  size_t s_len, s_off;
  int failed, done;
};

static void client_send_cb (Socket_T, ssize_t, int, void *);
static void client_recv_cb (Socket_T, ssize_t, int, void *);
static void server_recv_cb (Socket_T, ssize_t, int, void *);
static void server_send_cb (Socket_T, ssize_t, int, void *);

static size_t
min_sz (size_t a, size_t b)
{
  return a < b ? a : b;
}

static void
client_send_cb (Socket_T s, ssize_t n, int err, void *ud)
{
  struct echo *e = ud;

  if (err || n <= 0)
    {
      e->failed = 1;
      return;
    }
  e->sent += (size_t)n;
  if (e->sent < ECHO_BYTES)
    SocketAsync_send (e->as, s, e->src + e->sent,
                      min_sz (3000, ECHO_BYTES - e->sent), client_send_cb, e,
                      ASYNC_FLAG_NONE);
}

static void
client_recv_cb (Socket_T s, ssize_t n, int err, void *ud)
{
  struct echo *e = ud;

  if (err || n <= 0)
    {
      e->failed = 1;
      return;
    }
  e->received += (size_t)n;
  if (e->received == ECHO_BYTES)
    e->done = 1;
  else
    SocketAsync_recv (e->as, s, e->dst + e->received,
                      min_sz (5000, ECHO_BYTES - e->received), client_recv_cb,
                      e, ASYNC_FLAG_NONE);
}

static void
server_recv_cb (Socket_T s, ssize_t n, int err, void *ud)
{
  struct echo *e = ud;

  if (err || n <= 0)
    {
      e->failed = 1;
      return;
    }
  e->s_len = (size_t)n;
  e->s_off = 0;
  SocketAsync_send (e->as, s, e->sbuf, e->s_len, server_send_cb, e,
                    ASYNC_FLAG_URGENT);
}

static void
server_send_cb (Socket_T s, ssize_t n, int err, void *ud)
{
  struct echo *e = ud;

  if (err || n <= 0)
    {
      e->failed = 1;
      return;
    }
  e->s_off += (size_t)n;
  if (e->s_off < e->s_len) /* partial write: send the rest */
    SocketAsync_send (e->as, s, e->sbuf + e->s_off, e->s_len - e->s_off,
                      server_send_cb, e, ASYNC_FLAG_NONE);
  else
    SocketAsync_recv (e->as, s, e->sbuf, sizeof e->sbuf, server_recv_cb, e,
                      ASYNC_FLAG_NONE);
}

/* Echo ECHO_BYTES through @p as; driven by @p poll (NULL = standalone).
 * Returns the bytes the client got back (caller frees), NULL on failure. */
static unsigned char *
run_echo (SocketAsync_T as, SocketPoll_T poll, const unsigned char *src)
{
  struct echo *e = calloc (1, sizeof *e);
  unsigned char *out = malloc (ECHO_BYTES);
  int64_t t0 = Socket_get_monotonic_ms ();
  SocketEvent_T *ev;

  e->as = as;
  e->src = src;
  e->dst = out;
  tcp_pair (&e->client, &e->server);
  SocketAsync_recv (as, e->server, e->sbuf, sizeof e->sbuf, server_recv_cb, e,
                    ASYNC_FLAG_NONE);
  SocketAsync_recv (as, e->client, e->dst, 5000, client_recv_cb, e,
                    ASYNC_FLAG_NONE);
  SocketAsync_send (as, e->client, src, 3000, client_send_cb, e,
                    ASYNC_FLAG_URGENT);
  while (!e->done && !e->failed
         && Socket_get_monotonic_ms () - t0 < 30000)
    {
      if (poll)
        SocketPoll_wait (poll, &ev, 200);
      else
        SocketAsync_process_completions (as, 200);
    }
  if (!e->done)
    {
      fprintf (stderr, "  echo stalled: sent %zu received %zu failed %d\n",
               e->sent, e->received, e->failed);
      free (out);
      out = NULL;
    }
  /* The server's next recv is still in flight: free drops it. */
  Socket_free (&e->client);
  Socket_free (&e->server);
  free (e);
  return out;
}

static unsigned char *
make_input (void)
{
  unsigned char *src = malloc (ECHO_BYTES);
  unsigned seed = 4242;

  for (size_t i = 0; i < ECHO_BYTES; i++)
    src[i] = (unsigned char)(rand_r (&seed) >> 7);
  return src;
}

TEST (async_echo_identical_on_both_backends)
{
  unsigned char *src = make_input ();
  unsigned char *got[2][2] = { { NULL } };
  const char *names[2] = { NULL, NULL };
  int ran_uring = 0;

  for (int fb = 0; fb < 2; fb++)
    {
      force_fallback (fb);
      /* Driven by the poll loop (the poll owns the async instance) ... */
      SocketPoll_T poll = SocketPoll_new (64);
      SocketAsync_T as = SocketPoll_get_async (poll);
      names[fb] = SocketAsync_backend_name (as);
      if (!fb && !SocketAsync_is_available (as))
        {
          printf ("  io_uring unavailable here: its leg is skipped\n");
          SocketPoll_free (&poll);
          continue;
        }
      ran_uring |= !fb;
      got[fb][0] = run_echo (as, poll, src);
      SocketPoll_free (&poll);
      /* ... and standalone, where process_completions waits itself. */
      as = SocketAsync_new (NULL);
      ASSERT_STREQ (SocketAsync_backend_name (as), names[fb]);
      got[fb][1] = run_echo (as, NULL, src);
      SocketAsync_free (&as);
      ASSERT (as == NULL);
    }
  force_fallback (0);
  printf ("  backends run: %s%s%s\n", ran_uring ? names[0] : "",
          ran_uring ? " + " : "", names[1]);
  ASSERT_STREQ (names[1], "edge-triggered (io_uring unavailable)");
  for (int fb = ran_uring ? 0 : 1; fb < 2; fb++)
    for (int mode = 0; mode < 2; mode++)
      {
        ASSERT (got[fb][mode] != NULL);
        ASSERT_MEMEQ (got[fb][mode], src, ECHO_BYTES);
      }
  if (ran_uring)
    ASSERT_MEMEQ (got[0][0], got[1][0], ECHO_BYTES);
  for (int fb = 0; fb < 2; fb++)
    for (int mode = 0; mode < 2; mode++)
      free (got[fb][mode]);
  free (src);
}

TEST (async_backend_reporting)
{
  force_fallback (1);
  SocketAsync_T fb = SocketAsync_new (NULL);
  force_fallback (0);
  SocketAsync_T dflt = SocketAsync_new (NULL);

  /* The original's strings: io_uring is compiled in on Linux, so the
   * fallback reads "io_uring unavailable". */
  ASSERT_STREQ (SocketAsync_backend_name (fb),
                "edge-triggered (io_uring unavailable)");
  ASSERT_STREQ (SocketAsync_backend_name (NULL), "unavailable");
  ASSERT_STREQ (SocketAsync_Failed.reason, "SocketAsync operation failed");
  ASSERT_EQ (SocketAsync_is_available (fb), 0);
  ASSERT (SocketAsync__uring_ops (fb) == NULL);
  if (SocketAsync_is_available (dflt))
    {
      ASSERT_STREQ (SocketAsync_backend_name (dflt), "io_uring");
      printf ("  io_uring ops: %s\n", SocketAsync__uring_ops (dflt));
    }
  else
    ASSERT_STREQ (SocketAsync_backend_name (dflt),
                  "edge-triggered (io_uring unavailable)");
  ASSERT_EQ (SocketAsync_is_available (NULL), 0);
  SocketAsync_free (&fb);
  SocketAsync_free (&dflt);
}

/* ---- cancel ------------------------------------------------------------------- */

static int cb_calls;
static ssize_t cb_bytes;
static int cb_err;

static void
note_cb (Socket_T s, ssize_t n, int err, void *ud)
{
  (void)s;
  (void)ud;
  cb_calls++;
  cb_bytes = n;
  cb_err = err;
}

static void
cancel_pending_recv (int fallback)
{
  Socket_T c, s;
  char buf[16];

  force_fallback (fallback);
  SocketAsync_T as = SocketAsync_new (NULL);
  force_fallback (0);
  tcp_pair (&c, &s);
  cb_calls = 0;
  unsigned id = SocketAsync_recv (as, c, buf, sizeof buf, note_cb, NULL,
                                  ASYNC_FLAG_URGENT);
  ASSERT (id > 0);
  ASSERT_EQ (SocketAsync_process_completions (as, 30), 0); /* no data yet */
  ASSERT_EQ (SocketAsync_cancel (as, id), 0);
  ASSERT_EQ (SocketAsync_cancel (as, id), -1); /* gone */
  Socket_send (s, "hello", 5);
  ASSERT_EQ (SocketAsync_process_completions (as, 50), 0);
  ASSERT_EQ (cb_calls, 0);
  /* The cancelled recv consumed nothing: all 5 bytes are still there. */
  {
    struct pollfd p = { Socket_fd (c), POLLIN, 0 };
    ASSERT_EQ (poll (&p, 1, 20000), 1);
  }
  ASSERT_EQ (Socket_recv (c, buf, sizeof buf), 5);
  ASSERT_MEMEQ (buf, "hello", 5);
  ASSERT_EQ (SocketAsync_cancel (as, 0), -1);
  ASSERT_EQ (SocketAsync_cancel (as, 987654), -1);
  SocketAsync_free (&as);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (async_cancel_pending_recv_fallback)
{
  cancel_pending_recv (1);
}

TEST (async_cancel_pending_recv_uring)
{
  SocketAsync_T probe = SocketAsync_new (NULL);
  int ok = SocketAsync_is_available (probe);

  SocketAsync_free (&probe);
  if (!ok)
    TEST_SKIP ("io_uring unavailable");
  cancel_pending_recv (0);
}

/* Racing cancel: whatever the backend decides, the callback runs exactly
 * when cancel reports failure. */
TEST (async_cancel_vs_completion_is_consistent)
{
  for (int fb = 0; fb < 2; fb++)
    {
      Socket_T c, s;
      force_fallback (fb);
      SocketAsync_T as = SocketAsync_new (NULL);
      force_fallback (0);
      tcp_pair (&c, &s);
      cb_calls = 0;
      unsigned id = SocketAsync_send (as, c, "abc", 3, note_cb, NULL,
                                      ASYNC_FLAG_URGENT | ASYNC_FLAG_ZERO_COPY);
      usleep (20 * 1000);
      int rc = SocketAsync_cancel (as, id);
      SocketAsync_process_completions (as, 50);
      /* Not cancelled: the completion comes, however late it is reaped. */
      for (int64_t t0 = Socket_get_monotonic_ms ();
           rc != 0 && cb_calls == 0 && Socket_get_monotonic_ms () - t0 < 20000;)
        SocketAsync_process_completions (as, 50);
      ASSERT_EQ (cb_calls, rc == 0 ? 0 : 1);
      if (rc != 0)
        ASSERT_EQ (cb_bytes, 3);
      SocketAsync_free (&as);
      Socket_free (&c);
      Socket_free (&s);
    }
}

/* ---- errors ------------------------------------------------------------------- */

/* Reap completions until note_cb has run @p n times (20 s at most). */
static void
process_until_calls (SocketAsync_T as, int n)
{
  int64_t t0 = Socket_get_monotonic_ms ();

  while (cb_calls < n && Socket_get_monotonic_ms () - t0 < 20000)
    SocketAsync_process_completions (as, 100);
}

TEST (async_eof_and_broken_pipe)
{
  for (int fb = 0; fb < 2; fb++)
    {
      Socket_T a, b;
      char buf[8];
      force_fallback (fb);
      SocketAsync_T as = SocketAsync_new (NULL);
      force_fallback (0);
      SocketPair_new (SOCK_STREAM, &a, &b);
      Socket_setnonblocking (a);
      cb_calls = 0;
      SocketAsync_recv (as, a, buf, sizeof buf, note_cb, NULL, ASYNC_FLAG_NONE);
      Socket_free (&b);
      process_until_calls (as, 1);
      ASSERT_EQ (cb_calls, 1);
      ASSERT_EQ (cb_bytes, 0); /* orderly EOF */
      ASSERT_EQ (cb_err, 0);
      SocketAsync_send (as, a, "x", 1, note_cb, NULL, ASYNC_FLAG_NONE);
      process_until_calls (as, 2);
      ASSERT_EQ (cb_calls, 2);
      ASSERT_EQ (cb_bytes, -1);
      ASSERT (cb_err == EPIPE || cb_err == ECONNRESET);
      SocketAsync_free (&as);
      Socket_free (&a);
    }
}

static SocketAsync_T arg_as;
static Socket_T arg_sock;

static void
send_null_cb (void *x)
{
  (void)x;
  SocketAsync_send (arg_as, arg_sock, "a", 1, NULL, NULL, ASYNC_FLAG_NONE);
}
static void
recv_null_socket (void *x)
{
  char buf[1];
  (void)x;
  SocketAsync_recv (arg_as, NULL, buf, 1, note_cb, NULL, ASYNC_FLAG_NONE);
}
static void
recv_null_buf (void *x)
{
  (void)x;
  SocketAsync_recv (arg_as, arg_sock, NULL, 4, note_cb, NULL, ASYNC_FLAG_NONE);
}
static void
process_null (void *x)
{
  (void)x;
  SocketAsync_process_completions (NULL, 0);
}

static int
raises_async (void (*fn) (void *))
{
  volatile int raised = 0;

  TRY fn (NULL);
  EXCEPT (SocketAsync_Failed) raised = 1;
  END_TRY;
  return raised;
}

TEST (async_invalid_arguments_raise)
{
  Socket_T b;

  arg_as = SocketAsync_new (NULL);
  SocketPair_new (SOCK_STREAM, &arg_sock, &b);
  ASSERT (raises_async (send_null_cb));
  ASSERT (raises_async (recv_null_socket));
  ASSERT (raises_async (recv_null_buf));
  ASSERT (raises_async (process_null));
  ASSERT (strstr (Socket_GetLastError (), "NULL async") != NULL);
  /* Nothing in flight: process returns at once even with -1. */
  ASSERT_EQ (SocketAsync_process_completions (arg_as, -1), 0);
  SocketAsync_free (&arg_as);
  Socket_free (&arg_sock);
  Socket_free (&b);
}

TEST (async_free_with_requests_in_flight_and_arena)
{
  for (int fb = 0; fb < 2; fb++)
    {
      Arena_T arena = Arena_new ();
      Socket_T a, b;
      char buf[2][32];
      force_fallback (fb);
      SocketAsync_T as = SocketAsync_new (arena);
      force_fallback (0);
      SocketPair_new (SOCK_STREAM, &a, &b);
      Socket_setnonblocking (a);
      cb_calls = 0;
      SocketAsync_recv (as, a, buf[0], sizeof buf[0], note_cb, NULL,
                        ASYNC_FLAG_URGENT);
      SocketAsync_recv (as, a, buf[1], sizeof buf[1], note_cb, NULL,
                        ASYNC_FLAG_NONE);
      SocketAsync_process_completions (as, 0);
      SocketAsync_free (&as); /* no callbacks, no leak, kernel stops first */
      ASSERT_EQ (cb_calls, 0);
      Socket_send (b, "late", 4);
      ASSERT_EQ (Socket_recv (a, buf[0], sizeof buf[0]), 4);
      Arena_dispose (&arena);
      Socket_free (&a);
      Socket_free (&b);
    }
}

TEST_MAIN ()
