/* test_socket_unix.c - Unix-domain stream sockets: filesystem and abstract
 * addresses, peer credentials, descriptor passing (1 and 253 fds, README
 * forms with payload), path validation and leak checks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"

static int baseline_fds = -1;
static char tmpdir[64];

__attribute__ ((constructor (101))) static void
setup (void)
{
  baseline_fds = test_count_fds ();
  snprintf (tmpdir, sizeof tmpdir, "/tmp/socket-unix-XXXXXX");
  if (mkdtemp (tmpdir) == NULL)
    abort ();
}

static void
path_in_tmp (char *buf, size_t size, const char *name)
{
  snprintf (buf, size, "%s/%s", tmpdir, name);
}

/* A file with known content, for checking passed descriptors. */
static int
open_test_file (const char *name, const char *content)
{
  char p[128];
  int fd;

  path_in_tmp (p, sizeof p, name);
  fd = open (p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, content, strlen (content)) < 0)
    abort ();
  return fd;
}

static int
same_file (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_ino == sb.st_ino
         && sa.st_dev == sb.st_dev;
}

/* ------------------------------------------------------------------ */

TEST (filesystem_path_bind_connect_accept)
{
  char path[128], buf[8];
  Socket_T l = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T a;
  struct stat st;

  path_in_tmp (path, sizeof path, "srv.sock");
  Socket_bind_unix (l, path);
  ASSERT_EQ (Socket_isbound (l), 1);
  ASSERT_STREQ (Socket_getlocaladdr (l), path);
  ASSERT_EQ (Socket_getlocalport (l), 0);
  ASSERT_EQ (stat (path, &st), 0);
  ASSERT (S_ISSOCK (st.st_mode));
  Socket_listen (l, 4);
  Socket_connect_unix (c, path);
  ASSERT_EQ (Socket_isconnected (c), 1);
  ASSERT_STREQ (Socket_getpeeraddr (c), path);
  a = Socket_accept (l);
  ASSERT (a != NULL);
  Socket_sendall (c, "unix", 4);
  ASSERT_EQ (Socket_recvall (a, buf, 4), 4);
  ASSERT_MEMEQ (buf, "unix", 4);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
  /* A stale socket file from a dead server does not block a new bind. */
  l = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_bind_unix (l, path);
  Socket_free (&l);
  unlink (path);
}

TEST (bind_refuses_to_replace_regular_file)
{
  char path[128];
  Socket_T l = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  int fd = open_test_file ("regular", "keep me");
  volatile int r;

  close (fd);
  path_in_tmp (path, sizeof path, "regular");
  r = RAISES (Socket_Failed, Socket_bind_unix (l, path));
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), EADDRINUSE);
  ASSERT (access (path, F_OK) == 0);
  unlink (path);
  Socket_free (&l);
}

TEST (abstract_namespace)
{
  char name[64], buf[4];
  Socket_T l = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T c = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T a;

  snprintf (name, sizeof name, "@libsocket-test-%d", (int)getpid ());
  Socket_bind_unix (l, name);
  ASSERT_STREQ (Socket_getlocaladdr (l), name);
  Socket_listen (l, 1);
  Socket_connect_unix (c, name);
  ASSERT_STREQ (Socket_getpeeraddr (c), name);
  a = Socket_accept (l);
  Socket_sendall (a, "abs", 3);
  ASSERT_EQ (Socket_recvall (c, buf, 3), 3);
  ASSERT_MEMEQ (buf, "abs", 3);
  /* Nothing appears in the filesystem for an abstract name. */
  ASSERT (access (name + 1, F_OK) != 0);
  Socket_free (&a);
  Socket_free (&c);
  Socket_free (&l);
}

TEST (connect_errors)
{
  char path[128];
  Socket_T c = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T t = Socket_new (AF_INET, SOCK_STREAM, 0);
  volatile int r;

  path_in_tmp (path, sizeof path, "nobody-listens");
  r = RAISES (Socket_Failed, Socket_connect_unix (c, path));
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), ENOENT);
  {
    char want[256];
    snprintf (want, sizeof want,
              "Unix socket does not exist: %s (errno: %d - %s)", path, ENOENT,
              strerror (ENOENT));
    ASSERT_STREQ (Socket_GetLastError (), want);
  }
  /* A socket file nobody listens on: the original's refusal text. */
  {
    Socket_T dead = Socket_new (AF_UNIX, SOCK_STREAM, 0);
    char want[256];
    Socket_bind_unix (dead, path);
    r = RAISES (Socket_Failed, Socket_connect_unix (c, path));
    ASSERT_EQ (r, 1);
    ASSERT_EQ (Socket_geterrno (), ECONNREFUSED);
    snprintf (want, sizeof want, "Connection refused: %s (errno: %d - %s)",
              path, ECONNREFUSED, strerror (ECONNREFUSED));
    ASSERT_STREQ (Socket_GetLastError (), want);
    Socket_free (&dead);
    unlink (path);
  }
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect_unix (c, NULL)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind_unix (t, path)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_connect (c, "127.0.0.1", 80)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_bind (c, NULL, 0)), 1);
  Socket_free (&c);
  Socket_free (&t);
}

TEST (validate_unix_path)
{
  char longp[200];

  memset (longp, 'a', sizeof longp);
  longp[0] = '/';
  ASSERT_EQ (SocketUnix_validate_unix_path ("/tmp/x", 6), 0);
  ASSERT_EQ (SocketUnix_validate_unix_path ("@x", 2), 0);
  ASSERT_EQ (SocketUnix_validate_unix_path ("@", 1), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path (NULL, 3), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("", 0), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("a\0b", 3), -1);
  /* At most 107 bytes, counting any leading '@' (the original's rule). */
  ASSERT_EQ (SocketUnix_validate_unix_path (longp, 107), 0);
  ASSERT_EQ (SocketUnix_validate_unix_path (longp, 108), -1);
  longp[0] = '@';
  ASSERT_EQ (SocketUnix_validate_unix_path (longp, 107), 0);
  ASSERT_EQ (SocketUnix_validate_unix_path (longp, 108), -1);
  /* Directory traversal is refused. */
  ASSERT_EQ (SocketUnix_validate_unix_path ("..", 2), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("../x", 4), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("/tmp/../x", 9), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("/tmp/..", 7), -1);
  ASSERT_EQ (SocketUnix_validate_unix_path ("/tmp/..x", 8), 0);
  {
    Socket_T s = Socket_new (AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ (RAISES (Socket_Failed, Socket_bind_unix (s, "/tmp/../x")), 1);
    Socket_free (&s);
  }
  longp[150] = '\0';
  longp[0] = '/';
  {
    Socket_T s = Socket_new (AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ (RAISES (Socket_Failed, Socket_bind_unix (s, longp)), 1);
    ASSERT (strstr (Socket_GetLastError (), "invalid Unix socket path")
            != NULL);
    Socket_free (&s);
  }
}

TEST (socketunix_raises_the_given_exception)
{
  char path[128];
  Socket_T s = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T l = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_T t = Socket_new (AF_INET, SOCK_STREAM, 0);

  path_in_tmp (path, sizeof path, "base.sock");
  SocketUnix_bind (l->base, path, SocketUnix_Failed);
  Socket_listen (l, 1);
  SocketUnix_connect (s->base, path, SocketUnix_Failed);
  ASSERT_STREQ (s->base->remoteaddr, path);
  ASSERT_EQ (RAISES (SocketUnix_Failed,
                     SocketUnix_connect (s->base, "", SocketUnix_Failed)),
             1);
  ASSERT_EQ (RAISES (SocketUnix_Failed,
                     SocketUnix_bind (t->base, path, SocketUnix_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketUnix_bind (t->base, path, Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (SocketUnix_Failed,
                     SocketUnix_bind (NULL, path, SocketUnix_Failed)),
             1);
  Socket_free (&s);
  Socket_free (&l);
  Socket_free (&t);
  unlink (path);
}

TEST (peer_credentials)
{
  Socket_T a, b;
  Socket_T t = Socket_new (AF_INET, SOCK_STREAM, 0);

  SocketPair_new (SOCK_STREAM, &a, &b);
  ASSERT_EQ (Socket_getpeerpid (a), (int)getpid ());
  ASSERT_EQ (Socket_getpeeruid (a), (int)getuid ());
  ASSERT_EQ (Socket_getpeergid (b), (int)getgid ());
  ASSERT_EQ (Socket_getpeerpid (t), -1); /* not a Unix socket */
  ASSERT_EQ (Socket_getpeeruid (NULL), -1);
  Socket_free (&a);
  Socket_free (&b);
  Socket_free (&t);
}

TEST (pass_one_descriptor)
{
  Socket_T a, b;
  int fd = open_test_file ("one", "payload-one");
  int got = -1;
  char buf[16] = { 0 };

  SocketPair_new (SOCK_STREAM, &a, &b);
  ASSERT_EQ ((Socket_sendfd) (a, fd), 1);
  ASSERT_EQ (Socket_recvfd (b, &got), 1);
  ASSERT (got >= 0 && got != fd);
  ASSERT (same_file (fd, got));
  ASSERT_EQ (SocketCommon_has_cloexec (got), 1);
  ASSERT_EQ (pread (got, buf, sizeof buf - 1, 0), 11);
  ASSERT_STREQ (buf, "payload-one");
  close (got);
  close (fd);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfd (a, -1)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfd (a, 9999)), 1);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (pass_253_descriptors)
{
  enum { N = SOCKET_MAX_FDS_PER_MSG };
  int src = open_test_file ("many", "x");
  int fds[N], got[N + 4];
  size_t n = 0;
  Socket_T a, b;
  int before;

  ASSERT_EQ (N, 253);
  for (int i = 0; i < N; i++)
    fds[i] = dup (src);
  SocketPair_new (SOCK_STREAM, &a, &b);
  before = test_count_fds ();
  ASSERT_EQ (Socket_sendfds (a, fds, N), 1);
  /* max_count above SOCKET_MAX_FDS_PER_MSG is refused. */
  ASSERT_EQ (RAISES (Socket_Failed, Socket_recvfds (b, got, N + 4, &n)), 1);
  ASSERT_EQ (RAISES (Socket_Failed, Socket_recvfds (b, got, 0, &n)), 1);
  ASSERT_EQ (Socket_recvfds (b, got, N, &n), 1);
  ASSERT_UEQ (n, N);
  ASSERT_EQ (test_count_fds (), before + N);
  for (int i = 0; i < N; i++)
    {
      ASSERT (same_file (got[i], src));
      ASSERT_EQ (SocketCommon_has_cloexec (got[i]), 1);
      close (got[i]);
    }
  /* One more than the kernel-side limit is refused before sending. */
  {
    int many[N + 1];
    for (int i = 0; i <= N; i++)
      many[i] = src;
    ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfds (a, many, N + 1)), 1);
    ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfds (a, many, 0)), 1);
  }
  for (int i = 0; i < N; i++)
    close (fds[i]);
  close (src);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (receiving_too_many_descriptors_closes_them_all)
{
  int src = open_test_file ("extra", "x");
  int fds[5] = { src, src, src, src, src }, got[2] = { -1, -1 };
  size_t n = 99;
  Socket_T a, b;
  int before;
  volatile int r;

  SocketPair_new (SOCK_STREAM, &a, &b);
  before = test_count_fds ();
  Socket_sendfds (a, fds, 5);
  r = RAISES (Socket_Failed, Socket_recvfds (b, got, 2, &n));
  ASSERT_EQ (r, 1);
  ASSERT_EQ (Socket_geterrno (), EMSGSIZE);
  ASSERT_EQ (test_count_fds (), before); /* nothing leaked */
  close (src);
  Socket_free (&a);
  Socket_free (&b);
}

TEST (readme_forms_with_payload)
{
  Socket_T sock1, sock2;
  int f1 = open_test_file ("r1", "1"), f2 = open_test_file ("r2", "2");
  int f3 = open_test_file ("r3", "3");
  int fd_to_pass = f1, received_fd = -1;
  char buf[256];
  ssize_t n;

  SocketPair_new (SOCK_STREAM, &sock1, &sock2);
  /* Exactly as in the README. */
  ASSERT_EQ (Socket_sendfd (sock1, fd_to_pass, "hello", 5), 5);
  n = Socket_recvfd (sock2, &received_fd, buf, sizeof (buf));
  ASSERT_EQ (n, 5);
  ASSERT_MEMEQ (buf, "hello", 5);
  ASSERT (same_file (received_fd, f1));
  ASSERT_EQ (SocketCommon_has_cloexec (received_fd), 1);
  close (received_fd);
  {
    int fds[3] = { f1, f2, f3 };
    int received_fds[3];
    int num_fds;
    ASSERT_EQ (Socket_sendfds (sock1, fds, 3, "data", 4), 4);
    n = Socket_recvfds (sock2, received_fds, 3, &num_fds, buf, sizeof (buf));
    ASSERT_EQ (n, 4);
    ASSERT_MEMEQ (buf, "data", 4);
    ASSERT_EQ (num_fds, 3);
    for (int i = 0; i < 3; i++)
      {
        ASSERT (same_file (received_fds[i], fds[i])); /* order kept */
        close (received_fds[i]);
      }
  }
  /* A payload without descriptors: the data form reports fd -1. */
  Socket_sendall (sock1, "plain", 5);
  n = Socket_recvfd (sock2, &received_fd, buf, sizeof (buf));
  ASSERT_EQ (n, 5);
  ASSERT_EQ (received_fd, -1);
  /* The header form too: 1 with fd -1 (not an error, as in the original). */
  Socket_sendall (sock1, "p", 1);
  received_fd = 42;
  ASSERT_EQ (Socket_recvfd (sock2, &received_fd), 1);
  ASSERT_EQ (received_fd, -1);
  {
    int slots[3] = { 7, 7, 7 };
    size_t cnt = 9;
    Socket_sendall (sock1, "q", 1);
    ASSERT_EQ (Socket_recvfds (sock2, slots, 3, &cnt), 1);
    ASSERT_UEQ (cnt, 0);
    ASSERT (slots[0] == -1 && slots[1] == -1 && slots[2] == -1);
  }
  /* The real symbols remain reachable by name and address. */
  {
    int (*sendfd_fn) (Socket_T, int) = &Socket_sendfd;
    ASSERT_EQ (sendfd_fn (sock1, f2), 1);
    ASSERT_EQ ((Socket_recvfd) (sock2, &received_fd), 1);
    ASSERT (same_file (received_fd, f2));
    close (received_fd);
  }
  close (f1);
  close (f2);
  close (f3);
  Socket_free (&sock1);
  Socket_free (&sock2);
}

TEST (nonblocking_recvfd_and_closed_peer)
{
  Socket_T a, b;
  int fd = -1;
  size_t n;

  SocketPair_new (SOCK_STREAM, &a, &b);
  Socket_setnonblocking (b);
  ASSERT_EQ (Socket_recvfd (b, &fd), 0);
  ASSERT_EQ (fd, -1);
  ASSERT_EQ (Socket_recvfds (b, &fd, 1, &n), 0);
  Socket_free (&a);
  ASSERT_EQ (RAISES (Socket_Closed, Socket_recvfd (b, &fd)), 1);
  Socket_free (&b);
  {
    Socket_T t = Socket_new (AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ (RAISES (Socket_Failed, Socket_sendfd (t, 0)), 1);
    ASSERT_EQ (Socket_geterrno (), EAFNOSUPPORT);
    Socket_free (&t);
  }
}

TEST (zz_no_leaks)
{
  char cmd[96];
  ASSERT_EQ (Socket_debug_live_count (), 0);
  ASSERT_EQ (test_count_fds (), baseline_fds);
  snprintf (cmd, sizeof cmd, "rm -rf %s", tmpdir);
  ASSERT_EQ (system (cmd), 0);
}

TEST_MAIN ()
