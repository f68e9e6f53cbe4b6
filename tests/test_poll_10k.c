/* test_poll_10k.c - 10,000 concurrent TCP connections to an echo server
 * driven by one SocketPoll in one thread. The clients run in a forked
 * child (with its own SocketPoll), so each process needs ~10,000
 * descriptors instead of 20,000: this workplace caps RLIMIT_NOFILE at
 * 20,000 without CAP_SYS_RESOURCE. Each client sends a unique message and
 * verifies its echo; all connections are open at once (checked through
 * /proc/self/fd), and after teardown the server's descriptor count is back
 * to its baseline. The soft limit is raised with setrlimit; the test skips
 * with a message when the hard limit is too low. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "Test.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

#define NCONN 10000
#define NEED_FDS (NCONN + 200)
#define BATCH 500 /* connects in flight, below the listen backlog */
#define MSG_LEN 24

enum role
{
  LISTENER,
  SERVER_CONN,
  CLIENT,
  CONTROL
};

struct conn
{
  enum role role;
  Socket_T sock;
  char msg[MSG_LEN];
  size_t got;
  char buf[MSG_LEN];
};

static int
count_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  int n = 0;

  if (d == NULL)
    return -1;
  while (readdir (d) != NULL)
    n++;
  closedir (d);
  return n;
}

static int
raise_nofile (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return -1;
  if (rl.rlim_cur >= NEED_FDS)
    return 0;
  if (rl.rlim_max < NEED_FDS)
    rl.rlim_max = NEED_FDS; /* needs CAP_SYS_RESOURCE */
  rl.rlim_cur = NEED_FDS;
  return setrlimit (RLIMIT_NOFILE, &rl);
}

/* ---- client side (child process) ------------------------------------------- */

struct clients
{
  SocketPoll_T poll;
  struct conn *c;
  int started, connected, verified, failed;
};

static void
start_client (struct clients *cl, int port)
{
  struct conn *c = &cl->c[cl->started];
  struct sockaddr_in sa = { .sin_family = AF_INET };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  sa.sin_port = htons ((uint16_t)port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0
                 && errno != EINPROGRESS))
    {
      cl->failed++;
      if (fd >= 0)
        close (fd);
      return;
    }
  c->role = CLIENT;
  c->sock = Socket_new_from_fd (fd);
  snprintf (c->msg, sizeof c->msg, "client-%05d-payload", cl->started);
  cl->started++;
  /* Writable = connected; then it waits for its echo. */
  SocketPoll_add (cl->poll, c->sock, POLL_WRITE, c);
}

static void
on_client (struct clients *cl, struct conn *c, unsigned events)
{
  ssize_t n;

  if (events & POLL_ERROR)
    {
      cl->failed++;
      SocketPoll_del (cl->poll, c->sock);
      return;
    }
  if (events & POLL_WRITE)
    {
      cl->connected++;
      Socket_sendall (c->sock, c->msg, MSG_LEN);
      SocketPoll_mod (cl->poll, c->sock, POLL_READ, c);
      return;
    }
  n = Socket_recv (c->sock, c->buf + c->got, MSG_LEN - c->got);
  c->got += (size_t)n;
  if (c->got == MSG_LEN)
    {
      if (memcmp (c->buf, c->msg, MSG_LEN) == 0)
        cl->verified++;
      else
        cl->failed++;
      SocketPoll_del (cl->poll, c->sock); /* stays open until the end */
    }
}

/* Child: connect NCONN clients, verify the echoes, report the count on
 * @p ctl, hold every connection until the parent says so, then close. */
static int
client_main (int port, int ctl)
{
  struct clients cl = { 0 };
  SocketEvent_T *ev;
  int64_t t0 = Socket_get_monotonic_ms ();
  char go;

  cl.poll = SocketPoll_new (1024);
  cl.c = calloc (NCONN, sizeof *cl.c);
  while (cl.verified < NCONN && cl.failed == 0
         && Socket_get_monotonic_ms () - t0 < 150000)
    {
      while (cl.started < NCONN && cl.started - cl.verified < BATCH)
        start_client (&cl, port);
      int n = SocketPoll_wait (cl.poll, &ev, 100);
      for (int i = 0; i < n; i++)
        on_client (&cl, ev[i].data, ev[i].events);
    }
  if (write (ctl, &cl.verified, sizeof cl.verified) != sizeof cl.verified)
    return 2;
  if (read (ctl, &go, 1) != 1) /* parent counted its descriptors */
    return 3;
  for (int i = 0; i < cl.started; i++)
    Socket_free (&cl.c[i].sock);
  SocketPoll_free (&cl.poll);
  free (cl.c);
  return cl.failed ? 1 : 0;
}

/* ---- server side (this process, one thread) ---------------------------------- */

struct server
{
  SocketPoll_T poll;
  struct conn listener, control;
  struct conn **conns;
  int nconns, reported;
};

static void
on_listener (struct server *sv)
{
  Socket_T s;

  while (sv->nconns < NCONN && (s = Socket_accept (sv->listener.sock)) != NULL)
    {
      struct conn *c = calloc (1, sizeof *c);
      c->role = SERVER_CONN;
      c->sock = s;
      Socket_setnonblocking (s);
      sv->conns[sv->nconns++] = c;
      SocketPoll_add (sv->poll, s, POLL_READ, c);
    }
}

static void
on_server_conn (struct conn *c)
{
  char buf[256];
  ssize_t n = Socket_recv (c->sock, buf, sizeof buf);

  if (n > 0)
    Socket_sendall (c->sock, buf, (size_t)n); /* small: fits the buffer */
}

static void
serve (struct server *sv, int ms)
{
  SocketEvent_T *ev;
  int64_t t0 = Socket_get_monotonic_ms ();

  while (sv->reported < 0 && Socket_get_monotonic_ms () - t0 < ms)
    {
      int n = SocketPoll_wait (sv->poll, &ev, 100);
      for (int i = 0; i < n; i++)
        {
          struct conn *c = ev[i].data;
          if (c->role == LISTENER)
            on_listener (sv);
          else if (c->role == SERVER_CONN)
            on_server_conn (c);
          else if (Socket_recvall (c->sock, &sv->reported,
                                   sizeof sv->reported)
                   != sizeof sv->reported)
            sv->reported = -2;
        }
    }
}

TEST (poll_10k_concurrent_echo_connections)
{
  struct server sv = { .reported = -1 };
  Socket_T ctl_parent, ctl_child;
  int baseline, port, status = -1;
  pid_t pid;
  int64_t t0 = Socket_get_monotonic_ms ();

  if (raise_nofile () < 0)
    TEST_SKIP ("cannot raise RLIMIT_NOFILE to %d (hard limit too low and no "
               "CAP_SYS_RESOURCE)", NEED_FDS);
  baseline = count_fds ();
  ASSERT (baseline > 0);
  sv.listener.role = LISTENER;
  sv.listener.sock = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (sv.listener.sock);
  Socket_bind (sv.listener.sock, "127.0.0.1", 0);
  Socket_listen (sv.listener.sock, SOCKET_MAX_LISTEN_BACKLOG);
  Socket_setnonblocking (sv.listener.sock);
  port = Socket_getlocalport (sv.listener.sock);
  SocketPair_new (SOCK_STREAM, &ctl_parent, &ctl_child);
  fflush (NULL);
  pid = fork ();
  ASSERT (pid >= 0);
  if (pid == 0)
    _exit (client_main (port, Socket_fd (ctl_child)));
  Socket_free (&ctl_child);

  sv.poll = SocketPoll_new (1024);
  sv.conns = calloc (NCONN, sizeof *sv.conns);
  sv.control.role = CONTROL;
  sv.control.sock = ctl_parent;
  SocketPoll_add (sv.poll, sv.listener.sock, POLL_READ, &sv.listener);
  SocketPoll_add (sv.poll, ctl_parent, POLL_READ, &sv.control);
  serve (&sv, 160000); /* the child gives up at 150 s */
  printf ("  %d connections accepted, %d echoes verified by the clients in "
          "%lld ms (%s)\n",
          sv.nconns, sv.reported, (long long)(Socket_get_monotonic_ms () - t0),
          SocketPoll__backend_name ());
  int open_fds = count_fds ();

  for (int i = 0; i < sv.nconns; i++)
    {
      SocketPoll_del (sv.poll, sv.conns[i]->sock);
      Socket_free (&sv.conns[i]->sock);
      free (sv.conns[i]);
    }
  Socket_send (ctl_parent, "x", 1); /* let the child close its side */
  waitpid (pid, &status, 0);
  SocketPoll_del (sv.poll, ctl_parent);
  Socket_free (&ctl_parent);
  SocketPoll_del (sv.poll, sv.listener.sock);
  Socket_free (&sv.listener.sock);
  SocketPoll_free (&sv.poll);
  free (sv.conns);
  ASSERT_EQ (sv.reported, NCONN);
  ASSERT_EQ (sv.nconns, NCONN);
  ASSERT (open_fds >= baseline + NCONN); /* all open at the same time */
  ASSERT (WIFEXITED (status));
  ASSERT_EQ (WEXITSTATUS (status), 0);
  ASSERT_EQ (count_fds (), baseline);
}

TEST_MAIN ()
