/*
 * test_proxy_peers.c - SocketProxy against real proxies: Debian's dante
 * server (danted: SOCKS4, SOCKS5 without and with RFC 1929 username/
 * password against a throwaway system user) and tinyproxy (HTTP CONNECT
 * with BasicAuth and a ConnectPort rule). Each runs as a child process
 * with a generated configuration on free 127.0.0.1 ports; the target is
 * an in-test echo server on 127.0.0.1.
 *
 * Exit 77 (skipped) when not root or when neither binary is installed
 * (./build.sh installs dante-server and tinyproxy as optional peers).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "FakeProxy.h"
#include "Test.h"
#include "core/Except.h"
#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"

#define SKIP_CODE 77
#define PEER_USER_PASS "Pr0xy-test-pw"

static char work_dir[64];
static char peer_user[32];
static int user_created;

static const char *
find_binary (const char *const *candidates)
{
  for (; *candidates != NULL; candidates++)
    if (access (*candidates, X_OK) == 0)
      return *candidates;
  return NULL;
}

static const char *
danted_path (void)
{
  static const char *const c[] = { "/usr/sbin/danted", "/usr/local/sbin/danted", NULL };
  return find_binary (c);
}

static const char *
tinyproxy_path (void)
{
  static const char *const c[] = { "/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy", NULL };
  return find_binary (c);
}

/* A port nobody listens on right now. */
static int
free_port (void)
{
  int port = 0, fd = fake_listen (&port);

  if (fd >= 0)
    close (fd);
  return port;
}

static int
run_quiet (const char *cmd)
{
  char full[512];

  snprintf (full, sizeof full, "%s >/dev/null 2>&1", cmd);
  return system (full);
}

static void
remove_peer_user (void)
{
  char cmd[128];

  if (!user_created)
    return;
  snprintf (cmd, sizeof cmd, "userdel %s", peer_user);
  run_quiet (cmd);
  user_created = 0;
}

static void
cleanup_all (void)
{
  char cmd[128];

  remove_peer_user ();
  if (work_dir[0] != '\0')
    {
      snprintf (cmd, sizeof cmd, "rm -rf %s", work_dir);
      run_quiet (cmd);
    }
}

/* A system user for dante's username method (it checks the passwd database). */
static int
create_peer_user (void)
{
  char cmd[256];
  FILE *p;

  snprintf (peer_user, sizeof peer_user, "pxt%d", (int)getpid ());
  snprintf (cmd, sizeof cmd, "useradd -M -s /usr/sbin/nologin %s", peer_user);
  if (run_quiet (cmd) != 0)
    return -1;
  user_created = 1;
  p = popen ("chpasswd", "w");
  if (p == NULL)
    return -1;
  fprintf (p, "%s:%s\n", peer_user, PEER_USER_PASS);
  return pclose (p) == 0 ? 0 : -1;
}

typedef struct
{
  pid_t pid;
  int port;
  char log[128];
} Peer;

static int
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    return -1;
  fputs (text, f);
  return fclose (f);
}

/* Start @p argv with output to @p peer->log; wait until it listens. */
static int
peer_start (Peer *peer, char *const argv[])
{
  peer->pid = fork ();
  if (peer->pid < 0)
    return -1;
  if (peer->pid == 0)
    {
      FILE *log = freopen (peer->log, "w", stdout);
      if (log != NULL)
        dup2 (fileno (log), 2);
      execv (argv[0], argv);
      _exit (127);
    }
  for (int i = 0; i < 600; i++) /* up to 30 s: a loaded machine */
    {
      int fd = fake_connect_loopback (peer->port);
      if (fd >= 0)
        {
          close (fd);
          return 0;
        }
      if (waitpid (peer->pid, NULL, WNOHANG) == peer->pid)
        {
          peer->pid = 0;
          return -1;
        }
      usleep (50 * 1000);
    }
  return -1;
}

static void
peer_stop (Peer *peer)
{
  if (peer->pid <= 0)
    return;
  kill (peer->pid, SIGTERM);
  for (int i = 0; i < 40 && waitpid (peer->pid, NULL, WNOHANG) == 0; i++)
    usleep (50 * 1000);
  kill (peer->pid, SIGKILL);
  waitpid (peer->pid, NULL, 0);
  peer->pid = 0;
}

static void
show_log (const Peer *peer)
{
  char line[512];
  FILE *f = fopen (peer->log, "r");

  if (f == NULL)
    return;
  while (fgets (line, sizeof line, f) != NULL)
    fprintf (stderr, "    | %s", line);
  fclose (f);
}

/* One attempt through the proxy; on PROXY_OK an echo round trip must work. */
static SocketProxy_Result
attempt (SocketProxyType type, int proxy_port, const char *user, const char *pass, const char *host, int port,
         int *echo_ok)
{
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  SocketProxy_Result r;

  SocketProxy_config_defaults (&cfg);
  cfg.type = type;
  cfg.host = "127.0.0.1";
  cfg.port = proxy_port;
  cfg.username = user;
  cfg.password = pass;
  cfg.connect_timeout_ms = 5000;
  cfg.handshake_timeout_ms = 10000;
  conn = SocketProxy_Conn_new (&cfg, host, port);
  while (!SocketProxy_Conn_poll (conn))
    {
      struct pollfd p = { .fd = SocketProxy_Conn_fd (conn) };
      unsigned ev = SocketProxy_Conn_events (conn);
      p.events = (short)(((ev & 1u) ? POLLIN : 0) | ((ev & 2u) ? POLLOUT : 0));
      poll (&p, 1, SocketProxy_Conn_next_timeout_ms (conn));
      SocketProxy_Conn_process (conn);
    }
  r = SocketProxy_Conn_result (conn);
  if (r != PROXY_OK)
    fprintf (stderr, "    %s -> %s (%s)\n", SocketProxy_type_string (type), SocketProxy_result_string (r),
             SocketProxyExt_conn_detail (conn));
  if (echo_ok != NULL)
    {
      *echo_ok = 0;
      if (r == PROXY_OK)
        {
          Socket_T s = SocketProxy_Conn_socket (conn);
          char back[32] = { 0 };
          Socket_sendall (s, "via real proxy", 14);
          *echo_ok = Socket_recvall (s, back, 14) == 14 && memcmp (back, "via real proxy", 14) == 0;
          Socket_free (&s);
        }
    }
  SocketProxy_Conn_free (&conn);
  return r;
}

/* ------------------------------------------------------------------ */
/* dante                                                              */
/* ------------------------------------------------------------------ */

static int
start_danted (Peer *peer, const char *method, int blocked_port, const char *name)
{
  char conf[1024], path[128], pidfile[128];
  char *argv[8];

  peer->port = free_port ();
  snprintf (path, sizeof path, "%s/%s.conf", work_dir, name);
  snprintf (pidfile, sizeof pidfile, "%s/%s.pid", work_dir, name);
  snprintf (peer->log, sizeof peer->log, "%s/%s.log", work_dir, name);
  snprintf (conf, sizeof conf,
            "logoutput: stderr\n"
            "internal: 127.0.0.1 port = %d\n"
            "external: 127.0.0.1\n"
            "socksmethod: %s\n"
            "clientmethod: none\n"
            "user.privileged: root\n"
            "user.unprivileged: nobody\n"
            "client pass { from: 127.0.0.1/32 to: 0.0.0.0/0 }\n"
            "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = %d log: error }\n"
            "socks pass { from: 127.0.0.1/32 to: 127.0.0.1/32 log: error }\n",
            peer->port, method, blocked_port);
  if (write_file (path, conf) != 0)
    return -1;
  argv[0] = (char *)danted_path ();
  argv[1] = "-f";
  argv[2] = path;
  argv[3] = "-N";
  argv[4] = "1";
  argv[5] = "-p";
  argv[6] = pidfile;
  argv[7] = NULL;
  return peer_start (peer, argv);
}

TEST (danted_socks4_and_socks5_without_auth)
{
  FakeEcho echo;
  Peer dante = { 0 };
  int ok, blocked = free_port (), closed = free_port ();

  if (danted_path () == NULL)
    TEST_SKIP ("danted not installed");
  ASSERT_EQ (fake_echo_start (&echo, NULL, 5), 0);
  if (start_danted (&dante, "none", blocked, "dante-none") != 0)
    {
      show_log (&dante);
      peer_stop (&dante);
      fake_echo_stop (&echo);
      TEST_FAIL_ ("danted did not start");
    }
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS5, dante.port, NULL, NULL, "127.0.0.1", echo.port, &ok), PROXY_OK);
  ASSERT (ok);
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS5H, dante.port, NULL, NULL, "localhost", echo.port, &ok), PROXY_OK);
  ASSERT (ok);
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS4, dante.port, NULL, NULL, "127.0.0.1", echo.port, &ok), PROXY_OK);
  ASSERT (ok);
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS4A, dante.port, "someone", NULL, "127.0.0.1", echo.port, &ok), PROXY_OK);
  ASSERT (ok);
  /* dante implements SOCKS4 but not the 4a name extension: reply 91. */
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS4A, dante.port, NULL, NULL, "localhost", echo.port, NULL),
             PROXY_ERROR_FORBIDDEN);
  /* Reply codes dante produces for a rule and a closed port. */
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS5, dante.port, NULL, NULL, "127.0.0.1", blocked, NULL),
             PROXY_ERROR_FORBIDDEN);
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS5, dante.port, NULL, NULL, "127.0.0.1", closed, NULL),
             PROXY_ERROR_CONNECTION_REFUSED);
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS4, dante.port, NULL, NULL, "127.0.0.1", blocked, NULL),
             PROXY_ERROR_FORBIDDEN);
  /* SOCKS5 credentials offered to a no-auth server: it picks "none". */
  ASSERT_EQ (attempt (SOCKET_PROXY_SOCKS5, dante.port, "u", "p", "127.0.0.1", echo.port, &ok), PROXY_OK);
  ASSERT (ok);
  peer_stop (&dante);
  fake_echo_stop (&echo);
}

TEST (danted_socks5_username_password)
{
  FakeEcho echo;
  Peer dante = { 0 };
  int ok;

  if (danted_path () == NULL)
    TEST_SKIP ("danted not installed");
  if (create_peer_user () != 0)
    {
      remove_peer_user ();
      TEST_FAIL_ ("useradd/chpasswd failed");
    }
  ASSERT_EQ (fake_echo_start (&echo, NULL, 1), 0);
  if (start_danted (&dante, "username", free_port (), "dante-user") != 0)
    {
      show_log (&dante);
      peer_stop (&dante);
      fake_echo_stop (&echo);
      remove_peer_user ();
      TEST_FAIL_ ("danted did not start");
    }
  ok = 0;
  {
    SocketProxy_Result good = attempt (SOCKET_PROXY_SOCKS5, dante.port, peer_user, PEER_USER_PASS, "127.0.0.1",
                                       echo.port, &ok);
    SocketProxy_Result wrong
        = attempt (SOCKET_PROXY_SOCKS5, dante.port, peer_user, "not-the-password", "127.0.0.1", echo.port, NULL);
    SocketProxy_Result none = attempt (SOCKET_PROXY_SOCKS5, dante.port, NULL, NULL, "127.0.0.1", echo.port, NULL);

    peer_stop (&dante);
    fake_echo_stop (&echo);
    remove_peer_user ();
    if (good != PROXY_OK)
      show_log (&dante);
    ASSERT_EQ (good, PROXY_OK);
    ASSERT (ok);
    ASSERT_EQ (wrong, PROXY_ERROR_AUTH_FAILED);
    ASSERT_EQ (none, PROXY_ERROR_AUTH_REQUIRED);
  }
}

/* ------------------------------------------------------------------ */
/* tinyproxy                                                          */
/* ------------------------------------------------------------------ */

TEST (tinyproxy_connect_basic_auth_and_rules)
{
  FakeEcho echo;
  Peer tp = { 0 };
  char conf[1024], path[128];
  char *argv[5];
  int ok, other = free_port ();

  if (tinyproxy_path () == NULL)
    TEST_SKIP ("tinyproxy not installed");
  ASSERT_EQ (fake_echo_start (&echo, NULL, 2), 0);
  tp.port = free_port ();
  snprintf (path, sizeof path, "%s/tinyproxy.conf", work_dir);
  snprintf (tp.log, sizeof tp.log, "%s/tinyproxy.log", work_dir);
  snprintf (conf, sizeof conf,
            "User nobody\nGroup nogroup\nPort %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\n"
            "Allow 127.0.0.1\nBasicAuth proxyuser proxypass\nConnectPort %d\nLogLevel Info\n",
            tp.port, echo.port);
  if (write_file (path, conf) != 0)
    TEST_FAIL_ ("cannot write %s", path);
  argv[0] = (char *)tinyproxy_path ();
  argv[1] = "-d";
  argv[2] = "-c";
  argv[3] = path;
  argv[4] = NULL;
  if (peer_start (&tp, argv) != 0)
    {
      show_log (&tp);
      peer_stop (&tp);
      fake_echo_stop (&echo);
      TEST_FAIL_ ("tinyproxy did not start");
    }
  {
    SocketProxy_Result good
        = attempt (SOCKET_PROXY_HTTP, tp.port, "proxyuser", "proxypass", "127.0.0.1", echo.port, &ok);
    SocketProxy_Result noauth = attempt (SOCKET_PROXY_HTTP, tp.port, NULL, NULL, "127.0.0.1", echo.port, NULL);
    SocketProxy_Result wrong = attempt (SOCKET_PROXY_HTTP, tp.port, "proxyuser", "bad", "127.0.0.1", echo.port, NULL);
    SocketProxy_Result port = attempt (SOCKET_PROXY_HTTP, tp.port, "proxyuser", "proxypass", "127.0.0.1", other, NULL);

    peer_stop (&tp);
    fake_echo_stop (&echo);
    if (good != PROXY_OK)
      show_log (&tp);
    ASSERT_EQ (good, PROXY_OK);
    ASSERT (ok);
    ASSERT_EQ (noauth, PROXY_ERROR_AUTH_REQUIRED); /* 407 */
    ASSERT_EQ (wrong, PROXY_ERROR);                /* 401: "other 4xx" */
    ASSERT_EQ (port, PROXY_ERROR_FORBIDDEN);       /* 403: not a ConnectPort */
  }
}

int
main (int argc, char **argv)
{
  int rc;

  signal (SIGPIPE, SIG_IGN);
  if (geteuid () != 0)
    {
      fprintf (stderr, "skip: needs root (system user for dante, proxies as children)\n");
      return SKIP_CODE;
    }
  if (danted_path () == NULL && tinyproxy_path () == NULL)
    {
      fprintf (stderr, "skip: neither danted nor tinyproxy is installed\n");
      return SKIP_CODE;
    }
  snprintf (work_dir, sizeof work_dir, "/tmp/proxy-peers-XXXXXX");
  if (mkdtemp (work_dir) == NULL)
    return 1;
  chmod (work_dir, 0755);
  atexit (cleanup_all);
  rc = test_run_all_ (argc, argv);
  return rc == SKIP_CODE ? 1 : rc;
}
