/*
 * TLSTestCerts.h - test PKI generated at run time, plus helpers to run an
 * openssl CLI peer (s_server / s_client) as a child process.
 *
 * tls_test_certs_init() runs TLSTestCerts.sh (see there for the file list)
 * once per process into a fresh /tmp directory, removed at exit;
 * tls_cert("server.crt") names a file in it. Needs SOCKET_TEST_SUPPORT_DIR
 * (set by tests/CMakeLists.txt) and the openssl binary on PATH.
 *
 * TLSTestPeer: fork/exec with stdin and merged stdout/stderr on pipes;
 * every wait is bounded and tls_peer_reap() always reaps (SIGKILL after its
 * timeout), so no child outlives a test.
 */
#ifndef TLS_TEST_CERTS_H
#define TLS_TEST_CERTS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SOCKET_TEST_SUPPORT_DIR
#error "SOCKET_TEST_SUPPORT_DIR must name tests/support (see tests/CMakeLists.txt)"
#endif

static char tls_certs_dir_[64];
static pid_t tls_certs_owner_;

static int
tls_certs_rm_ (const char *path, const struct stat *sb, int flag,
               struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove (path);
}

static void
tls_test_certs_cleanup (void)
{
  if (tls_certs_dir_[0] != '\0' && getpid () == tls_certs_owner_)
    nftw (tls_certs_dir_, tls_certs_rm_, 16, FTW_DEPTH | FTW_PHYS);
  tls_certs_dir_[0] = '\0';
}

/** Generate the PKI (once per process). @return 0, or -1 (log printed). */
static inline int
tls_test_certs_init (void)
{
  char tmpl[] = "/tmp/libsocket-tls-XXXXXX";
  char cmd[PATH_MAX * 3];

  if (tls_certs_dir_[0] != '\0')
    return 0;
  if (mkdtemp (tmpl) == NULL)
    return -1;
  snprintf (cmd, sizeof cmd, "sh '%s/TLSTestCerts.sh' '%s' >'%s/gen.log' 2>&1",
            SOCKET_TEST_SUPPORT_DIR, tmpl, tmpl);
  snprintf (tls_certs_dir_, sizeof tls_certs_dir_, "%s", tmpl);
  tls_certs_owner_ = getpid ();
  atexit (tls_test_certs_cleanup);
  if (system (cmd) != 0)
    {
      snprintf (cmd, sizeof cmd, "cat '%s/gen.log' >&2", tmpl);
      if (system (cmd) != 0)
        fprintf (stderr, "TLSTestCerts.sh failed\n");
      return -1;
    }
  return 0;
}

/** Path of @p name in the PKI directory (ring of 16 static buffers). */
static inline const char *
tls_cert (const char *name)
{
  static char bufs[16][PATH_MAX];
  static unsigned next;
  char *b = bufs[next++ % 16];

  snprintf (b, PATH_MAX, "%s/%s", tls_certs_dir_, name);
  return b;
}

/** Read a whole (small) file; caller frees. NULL on error. Not inlined:
 *  callers use TRY/RAISES, and its locals would trip -Wclobbered there. */
static __attribute__ ((noinline, unused)) unsigned char *
tls_read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  unsigned char *buf = NULL;
  long n;

  if (f == NULL)
    return NULL;
  if (fseek (f, 0, SEEK_END) == 0 && (n = ftell (f)) > 0
      && fseek (f, 0, SEEK_SET) == 0 && (buf = malloc ((size_t)n)) != NULL
      && fread (buf, 1, (size_t)n, f) != (size_t)n)
    {
      free (buf);
      buf = NULL;
    }
  else if (buf != NULL)
    *len = (size_t)n;
  fclose (f);
  return buf;
}

/* ------------------------------------------------------------------ */
/* openssl CLI peers                                                  */
/* ------------------------------------------------------------------ */

typedef struct TLSTestPeer
{
  pid_t pid;
  int in_fd;          /* child's stdin, -1 once closed */
  int out_fd;         /* child's stdout + stderr */
  char out[16384];    /* everything read so far, NUL-terminated */
  size_t out_len;
} TLSTestPeer;

/** Start argv[0] (searched on PATH). @return 0 or -1. */
static inline int
tls_peer_spawn (TLSTestPeer *p, char *const argv[])
{
  int in[2], out[2];

  memset (p, 0, sizeof *p);
  p->in_fd = p->out_fd = -1;
  if (pipe2 (in, O_CLOEXEC) < 0)
    return -1;
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return -1;
    }
  p->pid = fork ();
  if (p->pid == 0)
    {
      dup2 (in[0], 0);
      dup2 (out[1], 1);
      dup2 (out[1], 2);
      execvp (argv[0], argv);
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  if (p->pid < 0)
    {
      close (in[1]);
      close (out[0]);
      return -1;
    }
  p->in_fd = in[1];
  p->out_fd = out[0];
  return 0;
}

/** Read output for up to @p timeout_ms. @return 1 if data came, 0 else. */
static inline int
tls_peer_read_ (TLSTestPeer *p, int timeout_ms)
{
  struct pollfd pfd = { p->out_fd, POLLIN, 0 };
  ssize_t n;

  if (p->out_fd < 0 || poll (&pfd, 1, timeout_ms) <= 0)
    return 0;
  n = read (p->out_fd, p->out + p->out_len, sizeof p->out - 1 - p->out_len);
  if (n <= 0)
    {
      close (p->out_fd);
      p->out_fd = -1;
      return 0;
    }
  p->out_len += (size_t)n;
  p->out[p->out_len] = '\0';
  return 1;
}

static inline long long
tls_peer_now_ms_ (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** Wait until the output contains @p needle. @return 1 found, 0 not. */
static inline int
tls_peer_wait_for (TLSTestPeer *p, const char *needle, int timeout_ms)
{
  long long end = tls_peer_now_ms_ () + timeout_ms;

  while (strstr (p->out, needle) == NULL)
    {
      long long left = end - tls_peer_now_ms_ ();
      if (left <= 0 || (!tls_peer_read_ (p, (int)left) && p->out_fd < 0))
        return strstr (p->out, needle) != NULL;
    }
  return 1;
}

/** Port of an s_server started with -accept 127.0.0.1:0 (0 if none). */
static inline int
tls_peer_accept_port (TLSTestPeer *p, int timeout_ms)
{
  const char *a;

  if (!tls_peer_wait_for (p, "ACCEPT", timeout_ms))
    return 0;
  while (strchr (strstr (p->out, "ACCEPT"), '\n') == NULL
         && tls_peer_read_ (p, timeout_ms))
    ;
  a = strchr (strstr (p->out, "ACCEPT"), ':');
  return a ? atoi (a + 1) : 0;
}

/** Write to the child's stdin. */
static inline void
tls_peer_write (TLSTestPeer *p, const char *s)
{
  if (p->in_fd >= 0 && write (p->in_fd, s, strlen (s)) < 0)
    fprintf (stderr, "tls_peer_write: %s\n", strerror (errno));
}

/**
 * Close stdin, collect output and wait up to @p timeout_ms for the exit
 * (then SIGKILL). @return the exit status, or -1 if it had to be killed.
 */
static inline int
tls_peer_reap (TLSTestPeer *p, int timeout_ms)
{
  long long end = tls_peer_now_ms_ () + timeout_ms;
  int status = 0, killed = 0;

  if (p->pid <= 0)
    return -1;
  if (p->in_fd >= 0)
    close (p->in_fd);
  p->in_fd = -1;
  while (waitpid (p->pid, &status, WNOHANG) == 0)
    {
      if (tls_peer_now_ms_ () >= end)
        {
          kill (p->pid, SIGKILL);
          waitpid (p->pid, &status, 0);
          killed = 1;
          break;
        }
      if (!tls_peer_read_ (p, 20) && p->out_fd < 0)
        {
          struct timespec ts = { 0, 10000000 };
          nanosleep (&ts, NULL);
        }
    }
  while (tls_peer_read_ (p, 0))
    ;
  if (p->out_fd >= 0)
    close (p->out_fd);
  p->out_fd = -1;
  p->pid = 0;
  if (killed || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

#endif /* TLS_TEST_CERTS_H */
