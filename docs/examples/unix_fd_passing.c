/*
 * unix_fd_passing.c - the seed README's "Unix Domain Sockets with FD
 * Passing" snippet as a self-checking program.
 *
 * Differences from the README text, all for running unattended: the
 * filesystem socket lives in a fresh temporary directory instead of
 * /tmp/my.sock, the abstract name carries the pid, and the passed
 * descriptors are temporary files whose contents prove that the received
 * descriptors refer to the same open files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "socket/Socket.h"

static int failures;

#define CHECK(cond)                                                           \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        {                                                                     \
          fprintf (stderr, "check failed: %s (line %d)\n", #cond, __LINE__);  \
          failures++;                                                         \
        }                                                                     \
    }                                                                         \
  while (0)

/* An unlinked temporary file holding @p text. */
static int
temp_file (const char *text)
{
  char path[] = "/tmp/fdpass-XXXXXX";
  int fd = mkstemp (path);

  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    exit (1);
  unlink (path);
  return fd;
}

/* 1 if @p fd reads back @p text from offset 0. */
static int
holds (int fd, const char *text)
{
  char buf[64] = { 0 };
  return pread (fd, buf, sizeof buf - 1, 0) == (ssize_t)strlen (text)
         && strcmp (buf, text) == 0;
}

int
main (void)
{
  char dir[] = "/tmp/fdpass-dir-XXXXXX", path[64], abstract[64];

  if (mkdtemp (dir) == NULL)
    return 1;
  snprintf (path, sizeof path, "%s/my.sock", dir);
  snprintf (abstract, sizeof abstract, "@abstract-socket-%d", (int)getpid ());

  /* Stream socket pair for IPC */
  Socket_T sock1, sock2;
  SocketPair_new (SOCK_STREAM, &sock1, &sock2);

  /* Server socket */
  Socket_T server = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_bind_unix (server, path);
  Socket_listen (server, 10);

  /* Client connection */
  Socket_T client = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_connect_unix (client, path);
  Socket_T accepted = Socket_accept (server);

  /* Get peer credentials (Linux only) */
  int peer_pid = Socket_getpeerpid (accepted);
  int peer_uid = Socket_getpeeruid (accepted);
  int peer_gid = Socket_getpeergid (accepted);
  CHECK (peer_pid == (int)getpid ());
  CHECK (peer_uid == (int)getuid ());
  CHECK (peer_gid == (int)getgid ());

  /* Abstract namespace (Linux only - prefix with @) */
  Socket_T abstract_server = Socket_new (AF_UNIX, SOCK_STREAM, 0);
  Socket_bind_unix (abstract_server, abstract);
  CHECK (strcmp (Socket_getlocaladdr (abstract_server), abstract) == 0);

  /* File descriptor passing (SCM_RIGHTS) */
  int fd_to_pass = temp_file ("passed-one");
  Socket_sendfd (sock1, fd_to_pass, "hello", 5);
  close (fd_to_pass);

  /* Receive passed FD */
  int received_fd;
  char buf[256];
  ssize_t n = Socket_recvfd (sock2, &received_fd, buf, sizeof (buf));
  /* received_fd is now a valid FD in this process */
  CHECK (n == 5 && memcmp (buf, "hello", 5) == 0);
  CHECK (holds (received_fd, "passed-one"));
  CHECK (fcntl (received_fd, F_GETFD) & FD_CLOEXEC);
  close (received_fd);

  /* Multiple FD passing */
  int fd1 = temp_file ("first"), fd2 = temp_file ("second");
  int fd3 = temp_file ("third");
  int fds[3] = { fd1, fd2, fd3 };
  Socket_sendfds (sock1, fds, 3, "data", 4);

  int received_fds[3];
  int num_fds;
  n = Socket_recvfds (sock2, received_fds, 3, &num_fds, buf, sizeof (buf));
  CHECK (n == 4 && memcmp (buf, "data", 4) == 0);
  CHECK (num_fds == 3);
  if (num_fds == 3)
    {
      CHECK (holds (received_fds[0], "first"));
      CHECK (holds (received_fds[1], "second"));
      CHECK (holds (received_fds[2], "third"));
      for (int i = 0; i < 3; i++)
        close (received_fds[i]);
    }
  close (fd1);
  close (fd2);
  close (fd3);

  Socket_free (&abstract_server);
  Socket_free (&accepted);
  Socket_free (&client);
  Socket_free (&server);
  Socket_free (&sock1);
  Socket_free (&sock2);
  unlink (path);
  rmdir (dir);
  printf ("unix_fd_passing: %s\n", failures ? "FAILED" : "ok");
  return failures == 0 && Socket_debug_live_count () == 0 ? 0 : 1;
}
