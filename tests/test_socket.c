/* test_socket.c - TCP stream sockets over loopback: lifecycle, connect and
 * accept, I/O and its failure modes, scatter/gather, sendfile, options,
 * timeouts, bandwidth limiting, and leak checks. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "core/SocketUtil.h"
#include "dns/SocketDNS-private.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

static int baseline_fds = -1;

__attribute__ ((constructor (101))) static void
record_baseline (void)
{
  /* The shared resolver (worker threads + a pipe) lives for the whole
   * process once a host name is looked up; count it in the baseline. */
  SocketCommon_get_dns_resolver ();
  baseline_fds = test_count_fds ();
}

/* A listener on 127.0.0.1 (or ::1) with an ephemeral port. */
static Socket_T
listener (int family, const char *host)
{
  Socket_T l = Socket_new (family, SOCK_STREAM, 0);
  Socket_setreuseaddr (l);
  Socket_bind (l, host, 0);
  Socket_listen (l, 16);
  return l;
}

/* Connected client/server pair through a temporary listener. */
static void
tcp_pair (Socket_T *client, Socket_T *server)
{
  Socket_T l = listener (AF_INET, "127.0.0.1");
  *client = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (*client, "127.0.0.1", Socket_getlocalport (l));
  *server = Socket_accept (l);
  Socket_free (&l);
}

static int
getopt_int (int fd, int level, int opt)
{
  int v = -1;
  socklen_t len = sizeof v;
  getsockopt (fd, level, opt, &v, &len);
  return v;
}

/* ------------------------------------------------------------------ */

TEST (new_sets_cloexec_and_rejects_bad_arguments)
{
  Socket_T s = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT (s != NULL);
  ASSERT_EQ (SocketCommon_has_cloexec (Socket_fd (s)), 1);
  ASSERT_EQ (Socket_isbound (s), 0);
  ASSERT_EQ (Socket_isconnected (s), 0);
  ASSERT_EQ (Socket_islistening (s), 0);
  ASSERT_EQ (Socket_debug_live_count (), 1);
  Socket_free (&s);
  ASSERT (s == NULL);
  Socket_free (&s); /* NULL is a no-op */
  Socket_free (NULL);
  ASSERT_EQ (Socket_debug_live_count (), 0);
  /* Arguments go to socket(2) unchecked: only its failures raise. */
  ASSERT_EQ (RAISES (Socket_Failed, Socket_new (12345, SOCK_STREAM, 0)), 1);
  ASSERT_EQ (Socket_geterrno (), EAFNOSUPPORT);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_new (AF_INET, SOCK_STREAM, 99)), 1);
  s = Socket_new (AF_INET, SOCK_DGRAM, 0); /* accepted, as in the original */
  ASSERT_EQ (getopt_int (Socket_fd (s), SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  ASSERT_EQ (SocketCommon_has_cloexec (Socket_fd (s)), 1);
  Socket_free (&s);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind (NULL, NULL, 0)), 1);
  ASSERT_EQ (Socket_debug_live_count (), 0);
}

TEST (bind_listen_connect_accept_roundtrip)
{
  Socket_T l = listener (AF_INET, "127.0.0.1");
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;
  char buf[16];
  int port = Socket_getlocalport (l);

  ASSERT (port > 0);
  ASSERT_STREQ (Socket_getlocaladdr (l), "127.0.0.1");
  ASSERT_EQ (Socket_isbound (l), 1);
  ASSERT_EQ (Socket_islistening (l), 1);
  Socket_connect (c, "127.0.0.1", port);
  ASSERT_EQ (Socket_isconnected (c), 1);
  ASSERT_EQ (Socket_isbound (c), 1);
  ASSERT_STREQ (Socket_getpeeraddr (c), "127.0.0.1");
  ASSERT_EQ (Socket_getpeerport (c), port);
  a = Socket_accept (l);
  ASSERT (a != NULL);
  ASSERT_EQ (SocketCommon_has_cloexec (Socket_fd (a)), 1);
  ASSERT_EQ (Socket_isconnected (a), 1);
  ASSERT_STREQ (Socket_getpeeraddr (a), "127.0.0.1");
  ASSERT_EQ (Socket_getpeerport (a), Socket_getlocalport (c));
  ASSERT_EQ (Socket_getlocalport (a), port);
  ASSERT_EQ (Socket_send (c, "hello", 5), 5);
  ASSERT_EQ (Socket_recvall (a, buf, 5), 5);
  ASSERT_MEMEQ (buf, "hello", 5);
  ASSERT_EQ (Socket_sendall (a, "world!", 6), 6);
  ASSERT_EQ (Socket_recvall (c, buf, 6), 6);
  ASSERT_MEMEQ (buf, "world!", 6);
  ASSERT_EQ (Socket_debug_live_count (), 3);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (bind_wildcards_and_errors)
{
  Socket_T a = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T b = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  volatile int r;

  Socket_bind (a, NULL, 0);
  ASSERT_STREQ (Socket_getlocaladdr (a), "0.0.0.0");
  Socket_bind (b, "0.0.0.0", 0);
  ASSERT_STREQ (Socket_getlocaladdr (b), "0.0.0.0");
  Socket_listen (a, 4);
  /* Socket_bind always sets SO_REUSEADDR first (as in the original). */
  ASSERT_EQ (getopt_int (Socket_fd (a), SOL_SOCKET, SO_REUSEADDR), 1);
  /* Same port as a listener: EADDRINUSE with the original's message. */
  r = RAISES (Socket_Failed, Socket_bind (c, "127.0.0.1",
                                          Socket_getlocalport (a)));
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), EADDRINUSE);
  {
    char want[64];
    snprintf (want, sizeof want, "Address 127.0.0.1:%d already in use",
              Socket_getlocalport (a));
    ASSERT_STREQ (Socket_GetLastError (), want);
  }
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind (c, "127.0.0.1", 70000)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind (c, "not a host!", 0)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind (c, "::1", 0)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_listen (c, -1)), 1);
  Socket_free (&a);
  Socket_free (&b);
  Socket_free (&c);
}

TEST (nonblocking_accept_returns_null)
{
  Socket_T l = listener (AF_INET, "127.0.0.1");
  Socket_T c, a;

  Socket_setnonblocking (l);
  ASSERT (Socket_accept (l) == NULL);
  c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  ASSERT (SocketCommon__wait_fd (Socket_fd (l), POLLIN, 2000) > 0);
  a = Socket_accept (l);
  ASSERT (a != NULL);
  ASSERT (Socket_accept (l) == NULL);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (connect_refused_raises_with_errno)
{
  /* A bound but not listening port answers SYN with RST. */
  Socket_T holder = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  char expect[64];
  volatile int r;

  Socket_bind (holder, "127.0.0.1", 0);
  snprintf (expect, sizeof expect, "connect to 127.0.0.1:%d failed",
            Socket_getlocalport (holder));
  r = RAISES (Socket_Failed,
              Socket_connect (c, "127.0.0.1", Socket_getlocalport (holder)));
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), ECONNREFUSED);
  ASSERT (strstr (Socket_GetLastError (), expect) != NULL);
  ASSERT (strstr (Socket_GetLastError (), "refused") != NULL);
  ASSERT_EQ (Socket_isconnected (c), 0);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect (c, NULL, 80)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect (c, "127.0.0.1", 0)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect (c, "bad host", 80)), 1);
  Socket_free (&c);
  Socket_free (&holder);
}

TEST (connect_by_hostname_localhost)
{
  Socket_T l = listener (AF_INET, "127.0.0.1");
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;

  Socket_connect (c, "localhost", Socket_getlocalport (l));
  ASSERT_STREQ (Socket_getpeeraddr (c), "127.0.0.1");
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (connect_timeout_when_backlog_full)
{
  /* With backlog 0 Linux queues one connection, then drops SYNs, so a
   * further connect hangs until our timeout fires. */
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T cs[6] = { 0 };
  SocketTimeouts_T t = { 200, 1000, 0 };
  volatile int timed_out = 0, other = 0;
  int64_t start, elapsed = 0;

  Socket_bind (l, "127.0.0.1", 0);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_listen (l, 0)), 1); /* <= 0 */
  Socket_listen (l, 1);
  for (volatile int i = 0; i < 6 && !timed_out; i++)
    {
      cs[i] = Socket_new (AF_INET, SOCK_STREAM, 0);
      Socket_timeouts_set (cs[i], &t);
      start = test_now_ms ();
      TRY Socket_connect (cs[i], "127.0.0.1", Socket_getlocalport (l));
      EXCEPT (Socket_Failed)
      {
        if (Socket_geterrno () == ETIMEDOUT)
          timed_out = 1;
        else
          other = Socket_geterrno ();
      }
      END_TRY;
      elapsed = test_now_ms () - start;
    }
  for (int i = 0; i < 6; i++)
    Socket_free (&cs[i]);
  Socket_free (&l);
  ASSERT_EQ (other, 0);
  if (!timed_out)
    TEST_SKIP ("kernel accepted every connection; no timeout to observe");
  ASSERT (elapsed >= 150 && elapsed < 30000); /* the timeout, no hang */
  ASSERT (strstr (Socket_GetLastError (), "timed out") != NULL);
}

TEST (nonblocking_connect_completes_in_background)
{
  Socket_T l = listener (AF_INET, "127.0.0.1");
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;

  Socket_setnonblocking (c);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  ASSERT (SocketCommon__wait_fd (Socket_fd (c), POLLOUT, 2000) > 0);
  ASSERT_EQ (Socket_isconnected (c), 1);
  ASSERT_EQ (Socket_getpeerport (c), Socket_getlocalport (l));
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (ipv6_loopback)
{
  Socket_T volatile vl = NULL;
  Socket_T l, c, a;
  volatile int r;

  TRY vl = listener (AF_INET6, "::1");
  EXCEPT (Socket_Failed) vl = NULL;
  END_TRY;
  if (vl == NULL)
    TEST_SKIP ("IPv6 loopback unavailable: %s", Socket_GetLastError ());
  l = vl;
  ASSERT_STREQ (Socket_getlocaladdr (l), "::1");
  c = Socket_new (AF_INET6, SOCK_STREAM, 0);
  Socket_connect (c, "::1", Socket_getlocalport (l));
  a = Socket_accept (l);
  ASSERT_STREQ (Socket_getpeeraddr (a), "::1");
  ASSERT_EQ (Socket_sendall (c, "v6", 2), 2);
  {
    char b[2];
    ASSERT_EQ (Socket_recvall (a, b, 2), 2);
    ASSERT_MEMEQ (b, "v6", 2);
  }
  /* A connected socket cannot be bound again. */
  r = RAISES (Socket_Failed, Socket_bind (c, "::1", 0));
  ASSERT_EQ (r, 1);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (dual_stack_bind_accepts_ipv4)
{
  Socket_T volatile vl = NULL;
  Socket_T l, c, a;

  TRY vl = Socket_new (AF_INET6, SOCK_STREAM, 0);
  EXCEPT (Socket_Failed) vl = NULL;
  END_TRY;
  if (vl == NULL)
    TEST_SKIP ("IPv6 unavailable: %s", Socket_GetLastError ());
  l = vl;
  Socket_bind (l, "::", 0);
  Socket_listen (l, 4);
  ASSERT_STREQ (Socket_getlocaladdr (l), "::");
  ASSERT_EQ (getopt_int (Socket_fd (l), IPPROTO_IPV6, IPV6_V6ONLY), 0);
  c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  a = Socket_accept (l);
  ASSERT (a != NULL);
  ASSERT_STREQ (Socket_getpeeraddr (a), "::ffff:127.0.0.1");
  Socket_free (&a);
  /* An IPv6 client may dial the IPv4 literal: it is mapped. */
  Socket_free (&c);
  c = Socket_new (AF_INET6, SOCK_STREAM, 0);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  ASSERT_STREQ (Socket_getpeeraddr (c), "::ffff:127.0.0.1");
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (nonblocking_send_recv_return_zero_and_partial)
{
  Socket_T c, s;
  unsigned char *big = calloc (1, 1 << 20);
  ssize_t n, total, got = 0;
  char b[4];

  tcp_pair (&c, &s);
  Socket_setnonblocking (c);
  Socket_setnonblocking (s);
  ASSERT_EQ (Socket_recv (s, b, sizeof b), 0); /* nothing there */
  Socket_setsndbuf (c, 4096);
  Socket_setrcvbuf (s, 4096);
  n = Socket_send (c, big, 1 << 20);
  ASSERT (n > 0 && n < (1 << 20)); /* a partial write */
  total = n;
  while ((n = Socket_send (c, big, 1 << 20)) > 0)
    total += n;
  ASSERT_EQ (n, 0); /* full: would block */
  ASSERT_EQ (Socket_send (c, big, 0), 0);
  /* Everything the sends reported arrives, nothing more. */
  {
    /* A zero-window probe may be needed to restart the flow: be patient. */
    int64_t end = test_now_ms () + 20000;
    while (got < total && test_now_ms () < end)
      if (SocketCommon__wait_fd (Socket_fd (s), POLLIN, 100) > 0)
        got += Socket_recv (s, big, 1 << 20);
  }
  ASSERT_EQ (got, total);
  ASSERT_EQ (Socket_recv (s, big, 1 << 20), 0);
  free (big);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (recv_eof_raises_closed)
{
  Socket_T c, s;
  char b[8];
  volatile int r;

  volatile const Except_T *volatile caught = NULL;

  tcp_pair (&c, &s);
  Socket_free (&s);
  r = RAISES (Socket_Closed, Socket_recv (c, b, sizeof b));
  ASSERT_EQ (r, 1);
  ASSERT (strstr (Socket_GetLastError (), "closed") != NULL);
  /* Raised as the plain public object: reason is exactly "Socket closed". */
  TRY Socket_recv (c, b, sizeof b);
  EXCEPT (Socket_Closed) caught = Except_frame.exception;
  END_TRY;
  ASSERT (caught == &Socket_Closed);
  ASSERT_STREQ (caught->reason, "Socket closed");
  ASSERT_STREQ (Socket_Failed.reason, "Socket operation failed");
  ASSERT_STREQ (SocketCommon_Failed.reason, "SocketCommon operation failed");
  Socket_free (&c);
}

TEST (recvall_eof_midway_raises_closed)
{
  Socket_T c, s;
  char b[100];
  volatile int r;

  tcp_pair (&c, &s);
  Socket_sendall (s, "0123456789", 10);
  Socket_free (&s);
  r = RAISES (Socket_Closed, Socket_recvall (c, b, sizeof b));
  ASSERT_EQ (r, 1);
  Socket_free (&c);
}

struct reader
{
  Socket_T s;
  size_t expect;
  size_t got;
  unsigned seed;
  int ok;
  int slow;
};

static void *
reader_main (void *arg)
{
  struct reader *r = arg;
  static __thread unsigned char buf[7000];
  volatile int reads = 0;

  r->ok = 1;
  TRY
  {
    while (r->got < r->expect)
      {
        size_t want = r->expect - r->got;
        ssize_t n = Socket_recv (r->s, buf, want < sizeof buf ? want
                                                             : sizeof buf);
        if (n == 0)
          {
            SocketCommon__wait_fd (Socket_fd (r->s), POLLIN, 1000);
            continue;
          }
        if (!test_check (buf, (size_t)n, r->got, r->seed))
          {
            r->ok = 0;
            break;
          }
        r->got += (size_t)n;
        if (r->slow && ++reads % 16 == 0)
          test_sleep_ms (1);
      }
  }
  ELSE r->ok = 0;
  END_TRY;
  return NULL;
}

static void
sendall_4mib (int nonblocking)
{
  const size_t len = 4u << 20;
  unsigned char *data = malloc (len);
  Socket_T c, s;
  pthread_t th;
  struct reader r = { 0 };

  test_fill (data, len, 0, 7);
  tcp_pair (&c, &s);
  /* Small send buffer: the kernel takes a few KiB per send() call. (A
   * tiny receive window as well would run into delayed-ACK stalls.) */
  Socket_setsndbuf (c, 4096);
  Socket_setnodelay (c, 1);
  if (nonblocking)
    Socket_setnonblocking (c);
  r.s = s;
  r.expect = len;
  r.seed = 7;
  r.slow = 1;
  pthread_create (&th, NULL, reader_main, &r);
  if (!nonblocking)
    ASSERT_EQ (Socket_sendall (c, data, len), (ssize_t)len);
  else
    {
      /* Non-blocking: sendall returns its partial total as soon as a send
       * would block (as in the original); the caller waits and resumes. */
      size_t done = 0;
      int partial = 0;
      while (done < len)
        {
          ssize_t n = Socket_sendall (c, data + done, len - done);
          ASSERT (n >= 0 && (size_t)n <= len - done);
          done += (size_t)n;
          if (done < len)
            {
              struct pollfd p = { Socket_fd (c), POLLOUT, 0 };
              partial++;
              poll (&p, 1, 5000);
            }
        }
      ASSERT (partial > 0);
    }
  pthread_join (th, NULL);
  ASSERT_EQ (r.ok, 1);
  ASSERT_UEQ (r.got, len);
  free (data);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (sendall_4mib_small_sndbuf_slow_reader)
{
  sendall_4mib (0);
}

TEST (sendall_4mib_nonblocking_returns_partial)
{
  sendall_4mib (1);
}

struct resetter
{
  Socket_T s;
};

static void *
reset_main (void *arg)
{
  struct resetter *r = arg;
  char buf[4096];
  volatile size_t got = 0;
  struct linger lg = { 1, 0 };

  TRY
  {
    while (got < 65536)
      got += (size_t)Socket_recv (r->s, buf, sizeof buf);
  }
  ELSE {}
  END_TRY;
  setsockopt (Socket_fd (r->s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  Socket_free (&r->s); /* close with unread data + linger 0: RST */
  return NULL;
}

TEST (peer_reset_during_sendall_raises_closed)
{
  const size_t len = 16u << 20;
  unsigned char *data = calloc (1, len);
  Socket_T c, s;
  pthread_t th;
  struct resetter r;
  volatile int res;

  tcp_pair (&c, &s);
  Socket_setsndbuf (c, 4096);
  r.s = s;
  pthread_create (&th, NULL, reset_main, &r);
  /* No SIGPIPE handler is installed: a SIGPIPE would kill the test. */
  res = RAISES (Socket_Closed, Socket_sendall (c, data, len));
  pthread_join (th, NULL);
  ASSERT_EQ (res, 1);
  ASSERT (Socket_geterrno () == ECONNRESET || Socket_geterrno () == EPIPE);
  free (data);
  Socket_free (&c);
}

TEST (send_after_peer_close_raises_closed_not_sigpipe)
{
  Socket_T c, s;
  char b[1024] = { 0 };
  volatile int res = 0;

  tcp_pair (&c, &s);
  Socket_free (&s);
  TRY
  {
    for (int i = 0; i < 1000; i++)
      {
        Socket_send (c, b, sizeof b);
        test_sleep_ms (1);
      }
  }
  EXCEPT (Socket_Closed) res = 1;
  END_TRY;
  ASSERT_EQ (res, 1);
  Socket_free (&c);
}

TEST (sendv_recvv_scatter_gather)
{
  Socket_T c, s;
  char h[] = "HEAD", b[] = "body-body", f[] = "!";
  struct iovec out[3] = { { h, 4 }, { b, 9 }, { f, 1 } };
  char r1[5], r2[20];
  struct iovec in[2] = { { r1, 5 }, { r2, sizeof r2 } };
  ssize_t n, got = 0;

  tcp_pair (&c, &s);
  ASSERT_EQ (Socket_sendv (c, out, 3), 14);
  while (got < 14)
    {
      n = Socket_recvv (s, in, 2);
      ASSERT (n > 0);
      got += n;
      SocketCommon_advance_iov (in, 2, (size_t)n);
    }
  ASSERT_MEMEQ (r1, "HEADb", 5);
  ASSERT_MEMEQ (r2, "ody-body!", 9);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendv (c, NULL, 1)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendv (c, out, 0)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_recvv (c, in, IOV_MAX + 1)), 1);
  Socket_free (&c);
  Socket_free (&s);
}

struct vreader
{
  Socket_T s;
  struct iovec *iov;
  int iovcnt;
  ssize_t n;
};

static void *
vreader_main (void *arg)
{
  struct vreader *v = arg;
  TRY v->n = Socket_recvvall (v->s, v->iov, v->iovcnt);
  ELSE v->n = -1;
  END_TRY;
  return NULL;
}

TEST (sendvall_recvvall_partial_progress_keeps_caller_iov)
{
  enum { PARTS = 20, PART = 100000 };
  unsigned char *src = malloc (PARTS * PART), *dst = calloc (1, PARTS * PART);
  struct iovec out[PARTS], in[PARTS], out_saved[PARTS], in_saved[PARTS];
  Socket_T c, s;
  pthread_t th;
  struct vreader v;

  test_fill (src, PARTS * PART, 0, 3);
  for (int i = 0; i < PARTS; i++)
    {
      /* Uneven receive slices make the two sides advance differently. */
      out[i].iov_base = src + i * PART;
      out[i].iov_len = PART;
      in[i].iov_base = dst + i * PART;
      in[i].iov_len = PART;
    }
  memcpy (out_saved, out, sizeof out);
  memcpy (in_saved, in, sizeof in);
  tcp_pair (&c, &s);
  Socket_setsndbuf (c, 4096);
  Socket_setnodelay (c, 1);
  v.s = s;
  v.iov = in;
  v.iovcnt = PARTS;
  pthread_create (&th, NULL, vreader_main, &v);
  ASSERT_EQ (Socket_sendvall (c, out, PARTS), PARTS * PART);
  pthread_join (th, NULL);
  ASSERT_EQ (v.n, PARTS * PART);
  ASSERT_MEMEQ (src, dst, PARTS * PART);
  ASSERT_MEMEQ (out, out_saved, sizeof out);
  ASSERT_MEMEQ (in, in_saved, sizeof in);
  /* Array errors raise SocketCommon_Failed (not Socket_Failed). */
  ASSERT_EQ (RAISES (SocketCommon_Failed, Socket_sendvall (c, NULL, 1)), 1);
  ASSERT_EQ (RAISES (SocketCommon_Failed, Socket_recvvall (c, in, 0)), 1);
  ASSERT_EQ (RAISES (SocketCommon_Failed,
                     Socket_sendvall (c, out, IOV_MAX + 1)),
             1);
  free (src);
  free (dst);
  Socket_free (&c);
  Socket_free (&s);
}

struct sink
{
  Socket_T s;
  unsigned char *buf;
  size_t want;
  volatile size_t got;
};

static void *
sink_main (void *arg)
{
  struct sink *k = arg;
  TRY
  {
    while (k->got < k->want)
      k->got += (size_t)Socket_recv (k->s, k->buf + k->got, k->want - k->got);
  }
  ELSE {}
  END_TRY;
  return NULL;
}

static int
temp_file (size_t len, unsigned seed)
{
  char path[] = "/tmp/socket-test-XXXXXX";
  int fd = mkstemp (path);
  unsigned char *data = malloc (len);

  unlink (path);
  test_fill (data, len, 0, seed);
  if (write (fd, data, len) != (ssize_t)len)
    abort ();
  free (data);
  return fd;
}

static void
sendfile_case (int force_fallback, int use_offset)
{
  const size_t len = 1u << 20;
  int fd = temp_file (len, 11);
  Socket_T c, s;
  pthread_t th;
  struct sink k = { 0 };
  off_t off = 0;

  tcp_pair (&c, &s);
  k.s = s;
  k.buf = malloc (len);
  k.want = len;
  pthread_create (&th, NULL, sink_main, &k);
  lseek (fd, 0, SEEK_SET);
  Socket__sendfile_force_fallback = force_fallback;
  ASSERT_EQ (Socket_sendfileall (c, fd, use_offset ? &off : NULL, len),
             (ssize_t)len);
  Socket__sendfile_force_fallback = 0;
  pthread_join (th, NULL);
  ASSERT_UEQ (k.got, len);
  ASSERT (test_check (k.buf, len, 0, 11));
  if (use_offset)
    {
      ASSERT_EQ (off, (off_t)len);
      ASSERT_EQ (lseek (fd, 0, SEEK_CUR), 0); /* position untouched */
    }
  else
    ASSERT_EQ (lseek (fd, 0, SEEK_CUR), (off_t)len);
  free (k.buf);
  close (fd);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (sendfile_1mib_identical)
{
  sendfile_case (0, 1);
  sendfile_case (0, 0);
}

TEST (sendfile_fallback_identical)
{
  sendfile_case (1, 1);
  sendfile_case (1, 0);
}

TEST (sendfile_from_pipe_and_short_file)
{
  int p[2], fd = temp_file (1000, 5);
  Socket_T c, s;
  unsigned char buf[2000];
  off_t off = 0;

  ASSERT_EQ (pipe (p), 0);
  tcp_pair (&c, &s);
  ASSERT_EQ (write (p[1], "pipe-data", 9), 9);
  close (p[1]);
  /* sendfile(2) refuses pipes: the read/send fallback takes over. */
  ASSERT_EQ (Socket_sendfileall (c, p[0], NULL, 9), 9);
  ASSERT_EQ (Socket_recvall (s, buf, 9), 9);
  ASSERT_MEMEQ (buf, "pipe-data", 9);
  /* Asking for more than the file holds sends what is there. */
  ASSERT_EQ (Socket_sendfileall (c, fd, &off, 5000), 1000);
  ASSERT_EQ (Socket_recvall (s, buf, 1000), 1000);
  ASSERT (test_check (buf, 1000, 0, 5));
  off = 10;
  ASSERT_EQ (Socket_sendfile (c, fd, &off, 10), 10);
  ASSERT_EQ (off, 20);
  ASSERT_EQ (Socket_recvall (s, buf, 10), 10);
  ASSERT (test_check (buf, 10, 10, 5));
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfile (c, -1, NULL, 1)), 1);
  close (p[0]);
  close (fd);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (sendmsg_recvmsg)
{
  Socket_T c, s;
  char a[] = "abc", b[] = "defg", r[16] = { 0 };
  struct iovec out[2] = { { a, 3 }, { b, 4 } };
  struct iovec in = { r, sizeof r };
  struct msghdr m;
  ssize_t got = 0;

  tcp_pair (&c, &s);
  memset (&m, 0, sizeof m);
  m.msg_iov = out;
  m.msg_iovlen = 2;
  ASSERT_EQ (Socket_sendmsg (c, &m, 0), 7);
  memset (&m, 0, sizeof m);
  m.msg_iov = &in;
  m.msg_iovlen = 1;
  while (got < 7)
    {
      in.iov_base = r + got;
      in.iov_len = sizeof r - (size_t)got;
      got += Socket_recvmsg (s, &m, 0);
    }
  ASSERT_MEMEQ (r, "abcdefg", 7);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendmsg (c, NULL, 0)), 1);
  Socket_free (&c);
  in.iov_base = r;
  in.iov_len = sizeof r;
  ASSERT_EQ (RAISES (Socket_Closed, Socket_recvmsg (s, &m, 0)), 1);
  in.iov_len = 0; /* a 0 return is end of stream even for an empty buffer */
  ASSERT_EQ (RAISES (Socket_Closed, Socket_recvmsg (s, &m, 0)), 1);
  Socket_free (&s);
}

TEST (socket_options_roundtrip)
{
  Socket_T s = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T u = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  int fd = Socket_fd (s), idle, intvl, cnt;
  char algo[16];

  /* As in the original, any AF_UNIX socket reports bound; an unbound
   * TCP socket does not. */
  ASSERT_EQ (Socket_isbound (u), 1);
  ASSERT_STREQ (Socket_getlocaladdr (s), "0.0.0.0"); /* a query ... */
  ASSERT_EQ (Socket_isbound (s), 0); /* ... does not make it bound */

  Socket_setnonblocking (s);
  ASSERT (fcntl (fd, F_GETFL) & O_NONBLOCK);
  Socket_setreuseaddr (s);
  ASSERT_EQ (getopt_int (fd, SOL_SOCKET, SO_REUSEADDR), 1);
  Socket_setreuseport (s);
  ASSERT_EQ (getopt_int (fd, SOL_SOCKET, SO_REUSEPORT), 1);
  Socket_settimeout (s, 3);
  ASSERT_EQ (Socket_gettimeout (s), 3);
  {
    struct timeval tv;
    socklen_t l = sizeof tv;
    getsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &l);
    ASSERT_EQ (tv.tv_sec, 3);
  }
  {
    /* Whole seconds: microseconds are dropped, not rounded up. */
    struct timeval tv = { 2, 900000 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ASSERT_EQ (Socket_gettimeout (s), 2);
  }
  Socket_settimeout (s, 0);
  ASSERT_EQ (Socket_gettimeout (s), 0);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_settimeout (s, -1)), 1);
  idle = intvl = cnt = 99;
  Socket_getkeepalive (s, &idle, &intvl, &cnt); /* keepalive off: zeros */
  ASSERT_EQ (idle, 0);
  ASSERT_EQ (intvl, 0);
  ASSERT_EQ (cnt, 0);
  Socket_setkeepalive (s, 60, 10, 5);
  Socket_getkeepalive (s, &idle, &intvl, &cnt);
  ASSERT_EQ (idle, 60);
  ASSERT_EQ (intvl, 10);
  ASSERT_EQ (cnt, 5);
  ASSERT_EQ (getopt_int (fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_setkeepalive (s, 0, 10, 5)), 1);
  Socket_setnodelay (s, 1);
  ASSERT_EQ (Socket_getnodelay (s), 1);
  Socket_setnodelay (s, 0);
  ASSERT_EQ (Socket_getnodelay (s), 0);
  Socket_setrcvbuf (s, 65536);
  ASSERT (Socket_getrcvbuf (s) >= 65536); /* Linux doubles it */
  ASSERT_EQ (Socket_getrcvbuf (s), getopt_int (fd, SOL_SOCKET, SO_RCVBUF));
  Socket_setsndbuf (s, 65536);
  ASSERT (Socket_getsndbuf (s) >= 65536);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_setsndbuf (s, 0)), 1);
  Socket_setcongestion (s, "reno");
  ASSERT_EQ (Socket_getcongestion (s, algo, sizeof algo), 0);
  ASSERT_STREQ (algo, "reno");
  ASSERT_EQ (Socket_getcongestion (s, algo, 3), 0); /* truncated */
  ASSERT_STREQ (algo, "re");
  ASSERT_EQ (RAISES (Socket_Failed, Socket_setcongestion (s, "no-such-cc")),
             1);
  Socket_setnodelay (s, 7); /* passed as given; the kernel reports 1 */
  ASSERT_EQ (getopt_int (fd, IPPROTO_TCP, TCP_NODELAY), 1);
  Socket_setfastopen (s, 5); /* normalised to 1 */
  ASSERT_EQ (Socket_getfastopen (s), 1);
  Socket_setfastopen (s, 0);
  ASSERT_EQ (Socket_getfastopen (s), 0);
  Socket_setusertimeout (s, 30000);
  ASSERT_UEQ (Socket_getusertimeout (s), 30000);
  Socket_setcloexec (s, 0);
  ASSERT_EQ (SocketCommon_has_cloexec (fd), 0);
  Socket_setcloexec (s, 1);
  ASSERT_EQ (SocketCommon_has_cloexec (fd), 1);
  Socket_setdeferaccept (s, 5);
  ASSERT (Socket_getdeferaccept (s) >= 5); /* rounded up to a retransmit */
  Socket_setdeferaccept (s, 0);
  ASSERT_EQ (Socket_getdeferaccept (s), 0);
  /* TCP options on a Unix socket fail clearly. */
  ASSERT_EQ (RAISES (Socket_Failed, Socket_setnodelay (u, 1)), 1);
  ASSERT_EQ (Socket_geterrno (), EOPNOTSUPP);
  ASSERT (Socket_getrcvbuf (u) > 0);
  /* These getters never raise: sentinel values on a Unix socket. */
  ASSERT_EQ (Socket_getfastopen (u), -1);
  ASSERT_UEQ (Socket_getusertimeout (u), 0);
  ASSERT_EQ (Socket_getcongestion (u, algo, sizeof algo), -1);
  Socket_free (&u);
  Socket_free (&s);
}

TEST (shutdown_write_side_gives_peer_eof)
{
  Socket_T c, s;
  char b[4];

  tcp_pair (&c, &s);
  Socket_sendall (c, "ab", 2);
  Socket_shutdown (c, SHUT_WR);
  ASSERT_EQ (Socket_recvall (s, b, 2), 2);
  ASSERT_EQ (RAISES (Socket_Closed, Socket_recv (s, b, sizeof b)), 1);
  Socket_sendall (s, "back", 4); /* the other direction still works */
  ASSERT_EQ (Socket_recvall (c, b, 4), 4);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_shutdown (c, 42)), 1);
  Socket_free (&c);
  Socket_free (&s);
  c = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_shutdown (c, SHUT_RDWR)), 1);
  ASSERT_EQ (Socket_geterrno (), ENOTCONN);
  Socket_free (&c);
}

TEST (new_from_fd_and_pair)
{
  volatile int fd = socket (AF_INET, SOCK_STREAM, 0);
  int p[2];
  Socket_T s, a, b;
  char buf[3];

  s = Socket_new_from_fd (fd);
  ASSERT_EQ (Socket_fd (s), fd);
  /* Forced non-blocking; close-on-exec left as the caller had it. */
  ASSERT (fcntl (fd, F_GETFL) & O_NONBLOCK);
  ASSERT_EQ (SocketCommon_has_cloexec (fd), 0);
  ASSERT_EQ (Socket_isbound (s), 0);
  Socket_free (&s);
  ASSERT_EQ (fcntl (fd, F_GETFD), -1); /* ownership was transferred */
  /* A listener keeps its state when wrapped. */
  fd = socket (AF_INET, SOCK_STREAM, 0);
  {
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    ASSERT_EQ (bind (fd, (struct sockaddr *)&sin, sizeof sin), 0);
    ASSERT_EQ (listen (fd, 1), 0);
  }
  s = Socket_new_from_fd (fd);
  ASSERT_EQ (Socket_isbound (s), 1);
  ASSERT_EQ (Socket_islistening (s), 1);
  ASSERT_STREQ (Socket_getlocaladdr (s), "127.0.0.1");
  Socket_free (&s);
  ASSERT_EQ (pipe (p), 0);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_new_from_fd (p[0])), 1);
  ASSERT_EQ (fcntl (p[0], F_GETFD) >= 0, 1); /* still the caller's */
  close (p[0]);
  close (p[1]);
  fd = socket (AF_INET, SOCK_DGRAM, 0); /* any socket type is accepted */
  s = Socket_new_from_fd (fd);
  ASSERT_EQ (Socket_fd (s), fd);
  Socket_free (&s);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_new_from_fd (-1)), 1);
  SocketPair_new (SOCK_STREAM, &a, &b);
  ASSERT_EQ (Socket_isconnected (a), 1);
  ASSERT_EQ (SocketCommon_has_cloexec (Socket_fd (b)), 1);
  ASSERT_EQ (fcntl (Socket_fd (a), F_GETFL) & O_NONBLOCK, 0); /* blocking */
  /* Unnamed ends: nothing to cache, the addresses read "(unknown)". */
  ASSERT_STREQ (Socket_getlocaladdr (a), "(unknown)");
  ASSERT_STREQ (Socket_getpeeraddr (b), "(unknown)");
  ASSERT_EQ (Socket_getlocalport (a), 0);
  Socket_sendall (a, "xyz", 3);
  ASSERT_EQ (Socket_recvall (b, buf, 3), 3);
  ASSERT_MEMEQ (buf, "xyz", 3);
  Socket_free (&a);
  Socket_free (&b);
  /* SOCK_DGRAM pairs are accepted; flag bits and other types are not. */
  SocketPair_new (SOCK_DGRAM, &a, &b);
  ASSERT_EQ (getopt_int (Socket_fd (a), SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  ASSERT_EQ (Socket_send (a, "d", 1), 1);
  ASSERT_EQ (Socket_recv (b, buf, sizeof buf), 1);
  Socket_free (&a);
  Socket_free (&b);
  a = b = NULL;
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketPair_new (SOCK_STREAM | SOCK_NONBLOCK, &a, &b)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed, SocketPair_new (SOCK_SEQPACKET, &a, &b)),
             1);
  ASSERT (a == NULL && b == NULL); /* outputs untouched on failure */
}

TEST (bind_and_connect_with_addrinfo)
{
  struct addrinfo hints, *res;
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;
  char port[16];

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  ASSERT_EQ (getaddrinfo ("127.0.0.1", "0", &hints, &res), 0);
  Socket_bind_with_addrinfo (l, res);
  freeaddrinfo (res);
  Socket_listen (l, 2);
  snprintf (port, sizeof port, "%d", Socket_getlocalport (l));
  ASSERT_EQ (getaddrinfo ("127.0.0.1", port, &hints, &res), 0);
  Socket_connect_with_addrinfo (c, res);
  freeaddrinfo (res);
  ASSERT_EQ (Socket_isconnected (c), 1);
  a = Socket_accept (l);
  ASSERT (a != NULL);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect_with_addrinfo (c, NULL)),
             1);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (timeouts_defaults_and_operation_timeout)
{
  SocketTimeouts_T d, saved, t = { 1000, 2000, 100 }, got;
  Socket_T c, s;
  char b[4];
  volatile int r;
  int64_t start, elapsed;

  Socket_timeouts_getdefaults (&saved);
  ASSERT_EQ (saved.connect_timeout_ms, SOCKET_DEFAULT_CONNECT_TIMEOUT_MS);
  ASSERT_EQ (saved.dns_timeout_ms, SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  Socket_timeouts_setdefaults (&t);
  Socket_timeouts_getdefaults (&d);
  ASSERT_MEMEQ (&d, &t, sizeof d);
  tcp_pair (&c, &s);
  Socket_timeouts_get (s, &got); /* new sockets start from the defaults */
  ASSERT_EQ (got.operation_timeout_ms, 100);
  Socket_timeouts_setdefaults (&saved);
  t.operation_timeout_ms = 150;
  Socket_timeouts_set (c, &t);
  Socket_timeouts_get (c, &got);
  ASSERT_EQ (got.operation_timeout_ms, 150);
  /* Negative fields are clamped to 0 (not rejected), as in the original. */
  t.connect_timeout_ms = -1;
  t.dns_timeout_ms = -5;
  Socket_timeouts_set (c, &t);
  Socket_timeouts_get (c, &got);
  ASSERT_EQ (got.connect_timeout_ms, 0);
  ASSERT_EQ (got.dns_timeout_ms, 0);
  ASSERT_EQ (got.operation_timeout_ms, 150);
  Socket_timeouts_setdefaults (&t);
  Socket_timeouts_getdefaults (&d);
  ASSERT_EQ (d.connect_timeout_ms, 0);
  ASSERT_EQ (d.dns_timeout_ms, 0);
  Socket_timeouts_setdefaults (&saved);
  /* A non-blocking recvall returns its partial total (0) at once, not
   * after the operation timeout (long, so no scheduling delay reaches
   * it). */
  t.operation_timeout_ms = 20000;
  Socket_timeouts_set (c, &t);
  Socket_setnonblocking (c);
  start = test_now_ms ();
  ASSERT_EQ (Socket_recvall (c, b, sizeof b), 0);
  Socket_sendall (s, "ab", 2);
  {
    struct pollfd p = { Socket_fd (c), POLLIN, 0 };
    ASSERT_EQ (poll (&p, 1, 20000), 1);
  }
  ASSERT_EQ (Socket_recvall (c, b, sizeof b), 2);
  elapsed = test_now_ms () - start;
  ASSERT (elapsed < 10000);
  /* A blocking one returns the partial total once SO_RCVTIMEO expires. */
  Socket_settimeout (s, 1);
  r = (int)Socket_recvall (s, b, sizeof b);
  ASSERT_EQ (r, 0);
  Socket_free (&c);
  Socket_free (&s);
}

struct drain
{
  Socket_T s;
  volatile int stop;
  size_t got;
};

static void *
drain_main (void *arg)
{
  struct drain *d = arg;
  char buf[65536];

  TRY
  {
    Socket_setnonblocking (d->s);
    while (!d->stop)
      {
        ssize_t n = Socket_recv (d->s, buf, sizeof buf);
        if (n == 0)
          SocketCommon__wait_fd (Socket_fd (d->s), POLLIN, 20);
        d->got += (size_t)n;
      }
  }
  ELSE {}
  END_TRY;
  return NULL;
}

TEST (bandwidth_limit_send_never_exceeds_bucket)
{
  const size_t rate = 100 * 1024;
  unsigned char *buf = calloc (1, 1 << 20);
  Socket_T c, s;
  pthread_t th;
  struct drain d = { 0 };
  size_t total = 0;
  int64_t start, elapsed;
  ssize_t n;

  tcp_pair (&c, &s);
  d.s = s;
  pthread_create (&th, NULL, drain_main, &d);
  ASSERT_EQ (Socket_bandwidth_wait_ms (c, 1 << 20), 0); /* unlimited */
  /* Before the bucket exists: every token ever granted lies within
   * [start, now], however long the scheduler keeps us away. */
  start = test_now_ms ();
  Socket_setbandwidth (c, rate);
  ASSERT_UEQ (Socket_getbandwidth (c), rate);
  n = Socket_send_limited (c, buf, 1 << 20);
  ASSERT (n > 0 && (size_t)n <= rate); /* one bucket at most */
  total += (size_t)n;
  {
    int64_t w = Socket_bandwidth_wait_ms (c, rate / 2);
    /* Half a bucket refills in 500 ms: the bucket must still be short of
     * it, unless that much time has passed (a descheduled test). */
    if ((size_t)n == rate && test_now_ms () - start < 450)
      ASSERT (w > 0);
  }
  ASSERT (Socket_bandwidth_wait_ms (c, rate / 2) <= 1000);
  /* More than the bucket (= rate) can never be had at once: -1. */
  ASSERT_EQ (Socket_bandwidth_wait_ms (c, 10 * rate), -1);
  ASSERT (Socket_bandwidth_wait_ms (c, rate) >= 0);
  while ((elapsed = test_now_ms () - start) < 300)
    {
      n = Socket_send_limited (c, buf, 1 << 20);
      total += (size_t)n;
      if (n == 0)
        test_sleep_ms ((int)Socket_bandwidth_wait_ms (c, 4096) + 1);
    }
  elapsed = test_now_ms () - start;
  /* Burst plus refill, with slack for scheduling. */
  ASSERT (total <= rate + rate * (size_t)elapsed / 1000 + 8192);
  ASSERT (total >= rate); /* and the budget was actually used */
  Socket_setbandwidth (c, 0);
  ASSERT_UEQ (Socket_getbandwidth (c), 0);
  ASSERT_EQ (Socket_bandwidth_wait_ms (c, 1 << 20), 0);
  d.stop = 1;
  pthread_join (th, NULL);
  free (buf);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (bandwidth_limit_recv)
{
  const size_t rate = 50 * 1024;
  unsigned char *buf = calloc (1, 256 * 1024);
  Socket_T c, s;
  size_t total = 0;
  int64_t start, elapsed;

  tcp_pair (&c, &s);
  Socket_setnonblocking (c);
  Socket_send (c, buf, 256 * 1024); /* queue more than the budget */
  test_sleep_ms (20);
  /* start before the bucket exists and elapsed after the last read: every
   * token granted lies within them, however the reads were scheduled. */
  start = test_now_ms ();
  Socket_setbandwidth (s, rate);
  Socket_setnonblocking (s);
  while (test_now_ms () - start < 200)
    {
      ssize_t n = Socket_recv_limited (s, buf, 256 * 1024);
      total += (size_t)n;
      if (n == 0)
        test_sleep_ms (5);
    }
  elapsed = test_now_ms () - start;
  ASSERT (total > 0);
  ASSERT (total <= rate + rate * (size_t)(elapsed + 10) / 1000 + 4096);
  free (buf);
  Socket_free (&c);
  Socket_free (&s);
}

TEST (dns_timeout_applies_to_hostname_connect)
{
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  SocketTimeouts_T t;
  volatile int r;
  int64_t start, elapsed;

  Socket_timeouts_get (c, &t);
  t.dns_timeout_ms = 100;
  Socket_timeouts_set (c, &t);
  /* Hold the shared resolver's workers: the lookup cannot finish. */
  SocketDNS__set_stall (SocketCommon_get_dns_resolver (), 1);
  start = test_now_ms ();
  r = RAISES (Socket_Failed, Socket_connect (c, "localhost", 9));
  elapsed = test_now_ms () - start;
  SocketDNS__set_stall (SocketCommon_get_dns_resolver (), 0);
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), ETIMEDOUT);
  ASSERT (strstr (Socket_GetLastError (), "localhost") != NULL);
  ASSERT (elapsed >= 90 && elapsed < 30000); /* the timeout, no hang */
  /* Literals never wait for the resolver. */
  SocketDNS__set_stall (SocketCommon_get_dns_resolver (), 1);
  r = RAISES (Socket_Failed, Socket_bind (c, "127.0.0.1", 0));
  SocketDNS__set_stall (SocketCommon_get_dns_resolver (), 0);
  ASSERT_EQ (r, 0);
  ASSERT (SocketCommon_get_dns_resolver ()
          == SocketCommon_get_dns_resolver ());
  Socket_free (&c);
}

static struct addrinfo *
await_result (SocketDNS_T dns, SocketDNS_Request_T req)
{
  struct addrinfo *res = NULL;
  int64_t end = test_now_ms () + 20000;

  while (res == NULL && test_now_ms () < end)
    {
      SocketCommon__wait_fd (SocketDNS_pollfd (dns), POLLIN, 100);
      SocketDNS_check (dns);
      res = SocketDNS_getresult (dns, req);
    }
  return res;
}

TEST (bind_and_connect_async)
{
  SocketDNS_T dns = SocketDNS_new ();
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;
  SocketDNS_Request_T req;
  struct addrinfo *res;

  req = Socket_bind_async (dns, l, NULL, 0); /* wildcard: already done */
  res = SocketDNS_getresult (dns, req);
  ASSERT (res != NULL);
  ASSERT_EQ (res->ai_family, AF_INET);
  Socket_bind_with_addrinfo (l, res);
  freeaddrinfo (res);
  ASSERT_STREQ (Socket_getlocaladdr (l), "0.0.0.0");
  Socket_listen (l, 4);
  req = Socket_connect_async (dns, c, "localhost", Socket_getlocalport (l));
  res = await_result (dns, req);
  ASSERT (res != NULL);
  Socket_connect_with_addrinfo (c, res);
  freeaddrinfo (res);
  ASSERT_EQ (Socket_isconnected (c), 1);
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_free (&a);
  Socket_free (&c);
  /* A cancelled request never yields a result. */
  c = Socket_new (AF_INET, SOCK_STREAM, 0);
  SocketDNS__set_stall (dns, 1);
  req = Socket_connect_async (dns, c, "localhost", 80);
  Socket_connect_async_cancel (dns, req);
  req = Socket_bind_async (dns, c, "localhost", 0);
  Socket_bind_async_cancel (dns, req);
  SocketDNS__set_stall (dns, 0);
  SocketDNS_check (dns);
  ASSERT (SocketDNS_getresult (dns, req) == NULL);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect_async (NULL, c, "x", 1)),
             1);
  /* A bad name is SocketDNS_resolve's SocketDNS_Failed, unchanged (as the
   * original). */
  ASSERT_EQ (RAISES (SocketDNS_Failed, Socket_connect_async (dns, c,
                                                             "bad host", 1)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind_async (dns, c, NULL, -1)), 1);
  Socket_free (&c);
  Socket_free (&l);
  SocketDNS_free (&dns);
}

TEST (connect_waits_on_nonblocking_socket_with_timeout)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_T a;
  SocketTimeouts_T t;

  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 4);
  /* connect_timeout_ms > 0 (default): the attempt is waited for even on a
   * non-blocking socket, which stays non-blocking (original behaviour). */
  Socket_setnonblocking (c);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  ASSERT_EQ (getopt_int (Socket_fd (c), SOL_SOCKET, SO_ERROR), 0);
  ASSERT (fcntl (Socket_fd (c), F_GETFL) & O_NONBLOCK);
  ASSERT_EQ (Socket_send (c, "x", 1), 1); /* already established */
  Socket_free (&c);
  /* connect_timeout_ms 0: a plain connect, EINPROGRESS counts as success. */
  c = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_timeouts_get (c, &t);
  t.connect_timeout_ms = 0;
  Socket_timeouts_set (c, &t);
  Socket_setnonblocking (c);
  Socket_connect (c, "127.0.0.1", Socket_getlocalport (l));
  ASSERT_EQ (Socket_isconnected (c), 1);
  a = NULL;
  for (int i = 0; i < 100 && a == NULL; i++)
    {
      struct pollfd p = { Socket_fd (l), POLLIN, 0 };
      poll (&p, 1, 200); /* 20 s in all */
      Socket_setnonblocking (l);
      a = Socket_accept (l);
    }
  ASSERT (a != NULL);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (zz_no_leaks)
{
  ASSERT_EQ (Socket_debug_live_count (), 0);
  ASSERT_EQ (test_count_fds (), baseline_fds);
}

TEST_MAIN ()
