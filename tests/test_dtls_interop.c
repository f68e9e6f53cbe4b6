/*
 * test_dtls_interop.c - DTLS 1.2 against OpenSSL's own peers on loopback:
 * our client <-> `openssl s_server -dtls1_2` (stateful and -listen cookie
 * modes, client certificate, ALPN, resumption) and our server <->
 * `openssl s_client -dtls1_2`. Each child runs with pipes on stdin/stdout,
 * bounded waits, and is killed and reaped at the end of its test.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "Test.h"
#include "test_dtls_util.h"
#include "tls/SocketDTLS-private.h"

/* ------------------------------------------------------------------ */
/* Child processes                                                    */
/* ------------------------------------------------------------------ */

struct proc
{
  pid_t pid;
  int in;         /* child's stdin */
  int out;        /* child's stdout + stderr */
  char log[16384]; /* everything read so far */
  size_t len;
};

static int
proc_start (struct proc *p, char *const argv[])
{
  int in[2], out[2];

  memset (p, 0, sizeof *p);
  p->pid = -1;
  if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0)
    return -1;
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
  p->in = in[1];
  p->out = out[0];
  fcntl (p->out, F_SETFL, O_NONBLOCK);
  return p->pid > 0 ? 0 : -1;
}

/* Read output until it contains @p needle (1) or @p timeout_ms passes. */
static int
proc_expect (struct proc *p, const char *needle, int timeout_ms)
{
  int64_t end = test_now_ms () + timeout_ms;

  for (;;)
    {
      struct pollfd pf = { p->out, POLLIN, 0 };
      int64_t left = end - test_now_ms ();
      ssize_t n;

      if (strstr (p->log, needle) != NULL)
        return 1;
      if (left <= 0 || poll (&pf, 1, (int)left) <= 0)
        return 0;
      n = read (p->out, p->log + p->len, sizeof p->log - 1 - p->len);
      if (n <= 0)
        return strstr (p->log, needle) != NULL; /* child closed output */
      p->len += (size_t)n;
      p->log[p->len] = '\0';
    }
}

static int
proc_write (struct proc *p, const char *s)
{
  return write (p->in, s, strlen (s)) == (ssize_t)strlen (s);
}

/* Close stdin, give the child @p grace_ms to exit, then kill; reap.
 * @return exit status, or -1 if it had to be killed. */
static int
proc_stop (struct proc *p, int grace_ms)
{
  int status = 0;
  int64_t end = test_now_ms () + grace_ms;

  if (p->pid <= 0)
    return -1;
  close (p->in);
  while (waitpid (p->pid, &status, WNOHANG) == 0)
    {
      if (test_now_ms () >= end)
        {
          kill (p->pid, SIGKILL);
          waitpid (p->pid, &status, 0);
          status = -1;
          break;
        }
      test_sleep_ms (10);
    }
  close (p->out);
  p->pid = -1;
  return status >= 0 && WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* A UDP port that was free a moment ago. */
static int
free_udp_port (void)
{
  int port, fd = dtls_raw_udp (&port);
  close (fd);
  return port;
}

/* ------------------------------------------------------------------ */
/* Our client <-> openssl s_server                                    */
/* ------------------------------------------------------------------ */

/* Start s_server on a free port with @p extra options (NULL-terminated).
 * @return the port, or 0. */
static int
start_s_server (struct proc *p, const char *const *extra)
{
  for (int attempt = 0; attempt < 3; attempt++)
    {
      char accept[32];
      const char *argv[32] = { "openssl", "s_server", "-dtls1_2", "-accept",
                               accept, "-cert", dtls_file ("server.crt"),
                               "-key", dtls_file ("server.key"), "-alpn",
                               "coap", NULL };
      int n = 11, port = free_udp_port ();

      snprintf (accept, sizeof accept, "127.0.0.1:%d", port);
      for (int i = 0; extra[i] != NULL && n < 30; i++)
        argv[n++] = extra[i];
      argv[n] = NULL;
      if (proc_start (p, (char *const *)argv) == 0
          && proc_expect (p, "ACCEPT", 30000))
        return port;
      fprintf (stderr, "  s_server did not start: %s\n", p->log);
      proc_stop (p, 0);
    }
  return 0;
}

/* Handshake with s_server, exchange one line each way, close. */
static int
client_session (int port, SocketDTLSContext_T ctx, struct proc *srv,
                int expect_reused)
{
  SocketDgram_T c = dtls_client_socket (ctx, port, "localhost");
  char buf[256];
  ssize_t n;
  int ok;

  ok = SocketDTLS_handshake_loop (c, 30000) == DTLS_HANDSHAKE_COMPLETE
       && strcmp (SocketDTLS_get_version (c), "DTLSv1.2") == 0
       && SocketDTLS_get_alpn_selected (c) != NULL
       && strcmp (SocketDTLS_get_alpn_selected (c), "coap") == 0
       && SocketDTLS_get_verify_result (c) == X509_V_OK
       && SocketDTLS_is_session_reused (c) == expect_reused;
  if (ok)
    ok = SocketDTLS_send (c, "ping from libsocket\n", 20) == 20
         && proc_expect (srv, "ping from libsocket", 30000)
         && proc_write (srv, "pong from openssl\n");
  n = ok ? dtls_recv_wait (c, buf, sizeof buf - 1, 5000) : 0;
  ok = ok && n == 18 && memcmp (buf, "pong from openssl\n", 18) == 0;
  if (ok)
    SocketDTLS_shutdown (c);
  SocketDgram_free (&c);
  return ok;
}

TEST (client_to_s_server)
{
  const char *extra[] = { "-naccept", "1", NULL };
  struct proc srv;
  SocketDTLSContext_T ctx = dtls_client_ctx ();
  const char *alpn[] = { "coap" };
  int port = start_s_server (&srv, extra);

  ASSERT (port > 0);
  SocketDTLSContext_set_alpn_protos (ctx, alpn, 1);
  ASSERT (client_session (port, ctx, &srv, 0));
  proc_stop (&srv, 2000);
  SocketDTLSContext_free (&ctx);
}

TEST (client_to_s_server_listen_cookies_client_cert)
{
  /* -listen: s_server's stateless DTLSv1_listen cookie exchange; a client
   * certificate is required and verified. */
  const char *extra[] = { "-listen", "-naccept", "1", "-Verify", "1",
                          "-verify_return_error", "-CAfile",
                          dtls_file ("ca.crt"), NULL };
  struct proc srv;
  SocketDTLSContext_T ctx = dtls_client_ctx ();
  const char *alpn[] = { "coap" };
  int port = start_s_server (&srv, extra);

  ASSERT (port > 0);
  SocketDTLSContext_set_alpn_protos (ctx, alpn, 1);
  SocketDTLSContext_load_certificate (ctx, dtls_file ("client.crt"),
                                      dtls_file ("client.key"));
  ASSERT (client_session (port, ctx, &srv, 0));
  ASSERT (strstr (srv.log, "CN = client") != NULL); /* s_server saw it */
  proc_stop (&srv, 2000);
  SocketDTLSContext_free (&ctx);
}

TEST (client_resumes_session_with_s_server)
{
  const char *extra[] = { "-naccept", "2", NULL };
  struct proc srv;
  SocketDTLSContext_T ctx = dtls_client_ctx ();
  const char *alpn[] = { "coap" };
  size_t hits = 0, misses = 0;
  int port = start_s_server (&srv, extra);

  ASSERT (port > 0);
  SocketDTLSContext_set_alpn_protos (ctx, alpn, 1);
  SocketDTLSContext_enable_session_cache (ctx, 0, 0);
  ASSERT (client_session (port, ctx, &srv, 0));
  ASSERT (proc_expect (&srv, "ACCEPT", 30000));
  srv.log[0] = '\0', srv.len = 0;
  ASSERT (client_session (port, ctx, &srv, 1));
  SocketDTLSContext_get_cache_stats (ctx, &hits, &misses, NULL);
  ASSERT_UEQ (hits, 1);
  ASSERT_UEQ (misses, 1);
  proc_stop (&srv, 2000);
  SocketDTLSContext_free (&ctx);
}

TEST (client_rejects_s_server_with_untrusted_cert)
{
  const char *extra[] = { "-naccept", "1", NULL };
  struct proc srv;
  SocketDTLSContext_T ctx
      = SocketDTLSContext_new_client (dtls_file ("other-ca.crt"));
  int port = start_s_server (&srv, extra);
  SocketDgram_T c;

  ASSERT (port > 0);
  c = dtls_client_socket (ctx, port, "localhost");
  ASSERT_EQ (RAISES (SocketDTLS_HandshakeFailed,
                     SocketDTLS_handshake_loop (c, 30000)),
             1);
  ASSERT (strstr (dtls_error_buf, "certificate verification failed") != NULL);
  SocketDgram_free (&c);
  proc_stop (&srv, 2000);
  SocketDTLSContext_free (&ctx);
}

/* ------------------------------------------------------------------ */
/* openssl s_client <-> our server                                    */
/* ------------------------------------------------------------------ */

TEST (s_client_to_server_with_cookies)
{
  SocketDTLSContext_T ctx = dtls_server_ctx (1);
  const char *alpn[] = { "coap" };
  SocketDgram_T s;
  struct proc cli;
  char connect[32], buf[256];
  size_t hvr = atomic_load (&SocketDTLS__stats.hvr_sent);
  ssize_t n;

  SocketDTLSContext_set_alpn_protos (ctx, alpn, 1);
  s = dtls_bound_socket (0);
  SocketDTLS_enable (s, ctx);
  snprintf (connect, sizeof connect, "127.0.0.1:%d",
            SocketDgram_getlocalport (s));
  const char *argv[]
      = { "openssl", "s_client", "-dtls1_2", "-connect", connect,
          "-CAfile", dtls_file ("ca.crt"), "-verify_return_error",
          "-servername", "localhost", "-verify_hostname", "localhost",
          "-alpn", "coap", NULL };
  ASSERT_EQ (proc_start (&cli, (char *const *)argv), 0);
  ASSERT_EQ (SocketDTLS_handshake_loop (s, 30000), DTLS_HANDSHAKE_COMPLETE);
  ASSERT (atomic_load (&SocketDTLS__stats.hvr_sent) > hvr); /* cookies */
  ASSERT_STREQ (SocketDTLS_get_alpn_selected (s), "coap");
  ASSERT (proc_expect (&cli, "Verify return code: 0 (ok)", 30000));
  ASSERT (proc_expect (&cli, "ALPN protocol: coap", 30000));
  ASSERT (proc_write (&cli, "hello from openssl\n"));
  n = dtls_recv_wait (s, buf, sizeof buf, 5000);
  ASSERT_EQ (n, 19);
  ASSERT_MEMEQ (buf, "hello from openssl\n", 19);
  ASSERT_EQ (SocketDTLS_send (s, "echo from libsocket\n", 20), 20);
  ASSERT (proc_expect (&cli, "echo from libsocket", 30000));
  SocketDTLS_shutdown (s);
  ASSERT (proc_expect (&cli, "closed", 30000)); /* saw close_notify */
  ASSERT_EQ (proc_stop (&cli, 20000), 0);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&ctx);
}

TEST (s_client_with_small_mtu)
{
  /* s_client -mtu 600: its flights must be reassembled by our server and
   * ours fragmented to our own MTU. */
  SocketDTLSContext_T ctx = dtls_server_ctx (1);
  SocketDgram_T s;
  struct proc cli;
  char connect[32], buf[64];

  SocketDTLSContext_set_mtu (ctx, SOCKET_DTLS_MIN_MTU);
  s = dtls_bound_socket (0);
  SocketDTLS_enable (s, ctx);
  snprintf (connect, sizeof connect, "127.0.0.1:%d",
            SocketDgram_getlocalport (s));
  const char *argv[] = { "openssl", "s_client", "-dtls1_2", "-connect",
                         connect, "-CAfile", dtls_file ("ca.crt"),
                         "-verify_return_error", "-mtu", "600", "-cert",
                         dtls_file ("client.crt"), "-key",
                         dtls_file ("client.key"), NULL };
  ASSERT_EQ (proc_start (&cli, (char *const *)argv), 0);
  ASSERT_EQ (SocketDTLS_handshake_loop (s, 30000), DTLS_HANDSHAKE_COMPLETE);
  ASSERT (proc_expect (&cli, "Verify return code: 0 (ok)", 30000));
  ASSERT (proc_write (&cli, "x\n"));
  ASSERT_EQ (dtls_recv_wait (s, buf, sizeof buf, 5000), 2);
  proc_stop (&cli, 0);
  SocketDgram_free (&s);
  SocketDTLSContext_free (&ctx);
}

int
main (int argc, char **argv)
{
  signal (SIGPIPE, SIG_IGN);
  if (system ("openssl version >/dev/null 2>&1") != 0)
    {
      /* The openssl CLI is a build dependency of the tls tests. */
      fprintf (stderr, "openssl CLI not found\n");
      return 1;
    }
  return test_run_all_ (argc, argv);
}
