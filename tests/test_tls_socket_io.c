/*
 * test_tls_socket_io.c - the Socket_* byte-stream calls on a TLS socket.
 *
 * After SocketTLS_enable, Socket_send/recv, the *all loops, scatter/gather
 * and sendfile must go through the TLS records (the peer reads them with
 * SocketTLS_recv, which would fail on stray plaintext), and the calls TLS
 * cannot protect (sendmsg/recvmsg, descriptor passing, io_uring) raise.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "TLSTestFixture.h"
#include "socket/SocketAsync.h"

#define BIG (1u << 20)

static unsigned char *
pattern_alloc (size_t n, unsigned seed)
{
  unsigned char *b = malloc (n);

  if (b != NULL)
    test_fill (b, n, 0, seed);
  return b;
}

/* Receive exactly @p n bytes with SocketTLS_recv (the reference path). */
static int
tls_read_exact (Socket_T s, unsigned char *buf, size_t n)
{
  size_t got = 0;
  int64_t end = test_now_ms () + 20000;

  while (got < n && test_now_ms () < end)
    {
      ssize_t r = SocketTLS_recv (s, buf + got, n - got);
      got += (size_t)r;
      if (r == 0)
        test_sleep_ms (1);
    }
  return got == n;
}

TEST (send_and_recv_go_through_tls)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  char buf[64];
  ssize_t n;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  /* Before the handshake there is no channel to write to. */
  ASSERT_EQ (RAISES (SocketTLS_Failed, Socket_send (p.c, "x", 1)), 1);
  ASSERT (tls_test_connect (p.c, p.s));

  ASSERT_EQ (Socket_send (p.c, "secret", 6), 6);
  ASSERT (tls_read_exact (p.s, (unsigned char *)buf, 6));
  ASSERT (memcmp (buf, "secret", 6) == 0);

  ASSERT_EQ (SocketTLS_send (p.s, "reply!", 6), 6);
  n = 0;
  for (int i = 0; i < 2000 && n == 0; i++)
    {
      n = Socket_recv (p.c, buf, sizeof buf);
      if (n == 0)
        test_sleep_ms (1);
    }
  ASSERT_EQ (n, 6);
  ASSERT (memcmp (buf, "reply!", 6) == 0);
  /* Nothing more: would block, as on a plain socket. */
  ASSERT_EQ (Socket_recv (p.c, buf, sizeof buf), 0);

  /* After close_notify nothing may leak out as plaintext. */
  SocketTLS_shutdown (p.c);
  ASSERT_EQ (RAISES (SocketTLS_Failed, Socket_send (p.c, "x", 1)), 1);
  {
    /* The close_notify has arrived (not: 20 ms have passed). */
    struct pollfd pfd = { Socket_fd (p.s), POLLIN, 0 };
    ASSERT_EQ (poll (&pfd, 1, 20000), 1);
  }
  ASSERT_EQ (RAISES (Socket_Closed, Socket_recv (p.s, buf, sizeof buf)), 1);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

/* ---- blocking-style loops against a reader/writer thread ---------------- */

typedef struct Peer
{
  Socket_T s;
  unsigned char *buf;
  size_t n;
  int ok;
} Peer;

static void *
peer_recv (void *arg)
{
  Peer *pe = arg;

  pe->ok = tls_read_exact (pe->s, pe->buf, pe->n);
  return NULL;
}

static void *
peer_send (void *arg)
{
  Peer *pe = arg;
  volatile int ok = 0;

  TRY
  {
    Socket_sendall (pe->s, pe->buf, pe->n); /* also routed through TLS */
    ok = 1;
  }
  EXCEPT (Socket_Failed) ok = 0;
  EXCEPT (SocketTLS_Failed) ok = 0;
  END_TRY;
  pe->ok = ok;
  return NULL;
}

TEST (sendall_and_recvall_move_a_mebibyte)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  pthread_t th;
  Peer pe;
  unsigned char *out = pattern_alloc (BIG, 11);
  unsigned char *in = calloc (1, BIG);

  SETUP ();
  ASSERT (out != NULL && in != NULL);
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));

  pe = (Peer){ .s = p.s, .buf = in, .n = BIG };
  ASSERT_EQ (pthread_create (&th, NULL, peer_recv, &pe), 0);
  ASSERT_EQ (Socket_sendall (p.c, out, BIG), (ssize_t)BIG);
  pthread_join (th, NULL);
  ASSERT (pe.ok);
  ASSERT (memcmp (in, out, BIG) == 0);

  memset (in, 0, BIG);
  test_fill (out, BIG, 0, 12);
  pe = (Peer){ .s = p.s, .buf = out, .n = BIG };
  ASSERT_EQ (pthread_create (&th, NULL, peer_send, &pe), 0);
  ASSERT_EQ (Socket_recvall (p.c, in, BIG), (ssize_t)BIG);
  pthread_join (th, NULL);
  ASSERT (pe.ok);
  ASSERT (memcmp (in, out, BIG) == 0);

  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  free (out);
  free (in);
}

TEST (scatter_gather_small_and_large)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  pthread_t th;
  Peer pe;
  unsigned char *out = pattern_alloc (3 * 70000, 21);
  unsigned char *in = calloc (1, 3 * 70000);
  struct iovec iov[3];
  unsigned char got[16];

  SETUP ();
  ASSERT (out != NULL && in != NULL);
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));

  /* Small vectors: one gathered record, all of it accepted at once. */
  iov[0] = (struct iovec){ out, 3 };
  iov[1] = (struct iovec){ out + 3, 0 };
  iov[2] = (struct iovec){ out + 3, 5 };
  ASSERT_EQ (Socket_sendv (p.c, iov, 3), 8);
  ASSERT (tls_read_exact (p.s, got, 8));
  ASSERT (memcmp (got, out, 8) == 0);

  /* Large vectors with sendvall while the peer reads. */
  pe = (Peer){ .s = p.s, .buf = in, .n = 3 * 70000 };
  ASSERT_EQ (pthread_create (&th, NULL, peer_recv, &pe), 0);
  for (int i = 0; i < 3; i++)
    iov[i] = (struct iovec){ out + i * 70000, 70000 };
  ASSERT_EQ (Socket_sendvall (p.c, iov, 3), 3 * 70000);
  pthread_join (th, NULL);
  ASSERT (pe.ok);
  ASSERT (memcmp (in, out, 3 * 70000) == 0);

  /* recvvall the other way. */
  memset (in, 0, 3 * 70000);
  test_fill (out, 3 * 70000, 0, 22);
  pe = (Peer){ .s = p.s, .buf = out, .n = 3 * 70000 };
  ASSERT_EQ (pthread_create (&th, NULL, peer_send, &pe), 0);
  for (int i = 0; i < 3; i++)
    iov[i] = (struct iovec){ in + i * 70000, 70000 };
  ASSERT_EQ (Socket_recvvall (p.c, iov, 3), 3 * 70000);
  pthread_join (th, NULL);
  ASSERT (pe.ok);
  ASSERT (memcmp (in, out, 3 * 70000) == 0);

  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  free (out);
  free (in);
}

/* recvv returns the plaintext already decrypted across the vector, and
 * does not block or lose any of it. */
TEST (recvv_spans_buffered_records)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  unsigned char a[4], b[4], c[64];
  struct iovec iov[3] = { { a, 4 }, { b, 4 }, { c, sizeof c } };
  size_t total = 0;
  ssize_t n;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  ASSERT_EQ (SocketTLS_send (p.s, "0123456789", 10), 10);
  test_sleep_ms (20);
  for (int i = 0; i < 2000 && total < 10; i++)
    {
      struct iovec cur[3];
      int k = 0;
      size_t skip = total;

      for (int j = 0; j < 3; j++)
        {
          if (skip >= iov[j].iov_len)
            {
              skip -= iov[j].iov_len;
              continue;
            }
          cur[k].iov_base = (char *)iov[j].iov_base + skip;
          cur[k++].iov_len = iov[j].iov_len - skip;
          skip = 0;
        }
      n = Socket_recvv (p.c, cur, k);
      total += (size_t)n;
      if (n == 0)
        test_sleep_ms (1);
    }
  ASSERT_EQ (total, 10);
  ASSERT (memcmp (a, "0123", 4) == 0);
  ASSERT (memcmp (b, "4567", 4) == 0);
  ASSERT (memcmp (c, "89", 2) == 0);
  ASSERT_EQ (Socket_recvv (p.c, iov, 3), 0);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST (sendfile_encrypts_the_file)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  pthread_t th;
  Peer pe;
  char path[] = "/tmp/test_tls_sendfile_XXXXXX";
  size_t len = 300000;
  unsigned char *out = pattern_alloc (len, 31);
  unsigned char *in = calloc (1, len);
  off_t off = 0;
  int fd;

  SETUP ();
  ASSERT (out != NULL && in != NULL);
  fd = mkstemp (path);
  ASSERT (fd >= 0);
  unlink (path);
  ASSERT_EQ (write (fd, out, len), (ssize_t)len);
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));

  pe = (Peer){ .s = p.s, .buf = in, .n = len };
  ASSERT_EQ (pthread_create (&th, NULL, peer_recv, &pe), 0);
  ASSERT_EQ (Socket_sendfileall (p.c, fd, &off, len), (ssize_t)len);
  ASSERT_EQ (off, (off_t)len);
  pthread_join (th, NULL);
  ASSERT (pe.ok);
  ASSERT (memcmp (in, out, len) == 0);

  /* One non-blocking step from the middle of the file. */
  off = 1000;
  {
    ssize_t n = Socket_sendfile (p.c, fd, &off, 500);
    ASSERT_EQ (n, 500);
    ASSERT_EQ (off, 1500);
    ASSERT (tls_read_exact (p.s, in, 500));
    ASSERT (memcmp (in, out + 1000, 500) == 0);
  }
  close (fd);
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
  free (out);
  free (in);
}

static void
nop_cb (Socket_T s, ssize_t bytes, int err, void *ud)
{
  (void)s, (void)bytes, (void)err, (void)ud;
}

TEST (calls_that_would_bypass_tls_raise)
{
  SocketTLSContext_T cctx, sctx;
  Pair p;
  char buf[8] = "abc";
  struct iovec iov = { buf, 3 };
  struct msghdr msg;
  SocketAsync_T as;

  SETUP ();
  cctx = client_ctx ();
  sctx = server_ctx ();
  pair_open (&p, cctx, sctx, "localhost");
  ASSERT (tls_test_connect (p.c, p.s));
  memset (&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendmsg (p.c, &msg, 0)), 1);
  ASSERT (strstr (Socket_GetLastError (), "TLS") != NULL);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_recvmsg (p.c, &msg, 0)), 1);
  as = SocketAsync_new (NULL);
  ASSERT_EQ (RAISES (SocketAsync_Failed,
                     SocketAsync_send (as, p.c, buf, 3, nop_cb, NULL,
                                       ASYNC_FLAG_NONE)),
             1);
  SocketAsync_free (&as);
  /* The connection is still intact. */
  ASSERT (transfer (p.c, p.s, 1000, 3));
  pair_close (&p);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST_MAIN ()
