/*
 * bench_proxy.c - SocketProxy: SOCKS5 connect+handshake latency through a
 * proxy on 127.0.0.1 (p50/p99 over N requests) and the handshake codec's
 * throughput in memory.
 *
 * The proxy is Debian's danted when installed and running as root (a real
 * server, the same one curl talks to), otherwise the in-process relay of
 * tests/support/FakeProxy.h. Each request: connect to the proxy, SOCKS5
 * handshake, send a tiny HTTP request to the target through the tunnel,
 * read its fixed response, close. The peer is curl --socks5 doing the same
 * N requests in one process (URL globbing, so process start-up is not
 * counted; %{time_total} per request).
 *
 * Reproduce: ./build.sh bench (or build target bench_proxy and run
 * build/tests/bench/bench_proxy [N]).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "FakeProxy.h"
#include "bench_common.h"
#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"

static const char RESPONSE[] = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
static const char REQUEST[] = "GET / HTTP/1.0\r\n\r\n";

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void
report (const char *who, double *ms, int n)
{
  qsort (ms, (size_t)n, sizeof *ms, cmp_double);
  printf ("  %-34s p50 %7.3f ms   p99 %7.3f ms   (n=%d)\n", who, ms[n / 2], ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
          n);
}

/* ---- proxy under the benchmark: danted or the in-process relay ---- */

static pid_t dante_pid;
static char dante_dir[64];

static int
start_dante (int *port)
{
  char conf[512], path[128];
  FILE *f;

  if (geteuid () != 0 || access ("/usr/sbin/danted", X_OK) != 0)
    return -1;
  snprintf (dante_dir, sizeof dante_dir, "/tmp/bench-proxy-XXXXXX");
  if (mkdtemp (dante_dir) == NULL)
    return -1;
  {
    int fd = fake_listen (port);
    close (fd);
  }
  snprintf (path, sizeof path, "%s/d.conf", dante_dir);
  snprintf (conf, sizeof conf,
            "logoutput: /dev/null\ninternal: 127.0.0.1 port = %d\nexternal: 127.0.0.1\n"
            "socksmethod: none\nclientmethod: none\nuser.privileged: root\nuser.unprivileged: nobody\n"
            "client pass { from: 127.0.0.1/32 to: 0.0.0.0/0 }\nsocks pass { from: 127.0.0.1/32 to: 127.0.0.1/32 }\n",
            *port);
  f = fopen (path, "w");
  if (f == NULL)
    return -1;
  fputs (conf, f);
  fclose (f);
  dante_pid = fork ();
  if (dante_pid == 0)
    {
      char pidfile[128];
      snprintf (pidfile, sizeof pidfile, "%s/d.pid", dante_dir);
      execl ("/usr/sbin/danted", "danted", "-f", path, "-p", pidfile, (char *)NULL);
      _exit (127);
    }
  for (int i = 0; i < 100; i++)
    {
      int fd = fake_connect_loopback (*port);
      if (fd >= 0)
        {
          close (fd);
          return 0;
        }
      usleep (50 * 1000);
    }
  return -1;
}

static void
stop_dante (void)
{
  char cmd[128];

  if (dante_pid > 0)
    {
      kill (dante_pid, SIGTERM);
      waitpid (dante_pid, NULL, 0);
    }
  if (dante_dir[0] != '\0')
    {
      snprintf (cmd, sizeof cmd, "rm -rf %s", dante_dir);
      if (system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", dante_dir);
    }
}

/* ---- one request through the proxy with SocketProxy ---- */

static int
one_request (const SocketProxy_Config *cfg, int target_port)
{
  Socket_T s = SocketProxy_connect (cfg, "127.0.0.1", target_port);
  char back[sizeof RESPONSE];
  int ok;

  Socket_sendall (s, REQUEST, sizeof REQUEST - 1);
  ok = Socket_recvall (s, back, sizeof RESPONSE - 1) == (ssize_t)(sizeof RESPONSE - 1)
       && memcmp (back, RESPONSE, sizeof RESPONSE - 1) == 0;
  Socket_free (&s);
  return ok;
}

/* ---- codec throughput ---- */

static int
codec_socks5 (void *ctx)
{
  static const unsigned char reply[] = { 5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 80 };
  const SocketProxy_Config *cfg = ctx;
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (cfg, "example.com", 443);
  size_t len, used, pos = 0;
  int ok;

  while (SocketProxyExt_handshake_result (hs) == PROXY_IN_PROGRESS && pos < sizeof reply)
    {
      SocketProxyExt_handshake_output (hs, &len);
      SocketProxyExt_handshake_sent (hs, len);
      SocketProxyExt_handshake_input (hs, reply + pos, pos == 0 ? 2 : sizeof reply - 2, &used);
      pos += used;
    }
  ok = SocketProxyExt_handshake_result (hs) == PROXY_OK;
  SocketProxyExt_handshake_free (&hs);
  return ok;
}

static int
codec_http (void *ctx)
{
  static const char reply[] = "HTTP/1.1 200 Connection established\r\nProxy-Agent: bench\r\n\r\n";
  const SocketProxy_Config *cfg = ctx;
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (cfg, "example.com", 443);
  size_t len, used;
  int ok;

  SocketProxyExt_handshake_output (hs, &len);
  SocketProxyExt_handshake_sent (hs, len);
  SocketProxyExt_handshake_input (hs, (const unsigned char *)reply, sizeof reply - 1, &used);
  ok = SocketProxyExt_handshake_result (hs) == PROXY_OK && used == sizeof reply - 1;
  SocketProxyExt_handshake_free (&hs);
  return ok;
}

int
main (int argc, char **argv)
{
  int n = argc > 1 ? atoi (argv[1]) : 500, proxy_port = 0;
  FakeEcho target;
  FakeRelay relay;
  int use_dante;
  SocketProxy_Config cfg;
  double *ms;
  const char *proxy_name;

  if (n < 10)
    n = 10;
  signal (SIGPIPE, SIG_IGN);
  ms = calloc ((size_t)n, sizeof *ms);
  if (ms == NULL || fake_echo_start (&target, RESPONSE, 2 * n + 1) != 0)
    return 1;
  use_dante = start_dante (&proxy_port) == 0;
  if (use_dante)
    proxy_name = "danted";
  else
    {
      if (fake_relay_start (&relay, 0, NULL, NULL, 2 * n + 1) != 0)
        return 1;
      proxy_port = relay.port;
      proxy_name = "in-process relay (danted unavailable)";
    }
  printf ("bench_proxy: SOCKS5 via %s on 127.0.0.1:%d, target 127.0.0.1:%d, %d requests\n", proxy_name, proxy_port,
          target.port, n);

  SocketProxy_config_defaults (&cfg);
  cfg.type = SOCKET_PROXY_SOCKS5;
  cfg.host = "127.0.0.1";
  cfg.port = proxy_port;
  for (int i = 0; i < n; i++)
    {
      double t0 = bench_now ();
      if (!one_request (&cfg, target.port))
        {
          fprintf (stderr, "request %d: wrong response\n", i);
          return 1;
        }
      ms[i] = (bench_now () - t0) * 1e3;
    }
  report ("libsocket SocketProxy_connect", ms, n);

  if (access ("/usr/bin/curl", X_OK) == 0)
    {
      char cmd[256], line[64];
      FILE *p;
      int got = 0;

      snprintf (cmd, sizeof cmd,
                "curl -s -o /dev/null --socks5 127.0.0.1:%d -w '%%{time_total}\\n' 'http://127.0.0.1:%d/[1-%d]'",
                proxy_port, target.port, n);
      p = popen (cmd, "r");
      while (p != NULL && got < n && fgets (line, sizeof line, p) != NULL)
        ms[got++] = atof (line) * 1e3;
      if (p != NULL)
        pclose (p);
      if (got == n)
        report ("curl --socks5 (peer)", ms, n);
      else
        printf ("  curl --socks5: only %d of %d requests completed\n", got, n);
    }
  else
    printf ("  curl not installed: no peer comparison\n");

  {
    SocketProxy_Config c5, ch;
    double s5, sh;

    SocketProxy_config_defaults (&c5);
    c5.type = SOCKET_PROXY_SOCKS5;
    c5.host = "127.0.0.1";
    ch = c5;
    ch.type = SOCKET_PROXY_HTTP;
    s5 = bench_best_seconds (codec_socks5, &c5, "codec socks5");
    sh = bench_best_seconds (codec_http, &ch, "codec http");
    printf ("  codec SOCKS5 handshake (in memory)  %8.0f ns  (%.2f M/s)\n", s5 * 1e9, 1e-6 / s5);
    printf ("  codec HTTP CONNECT (in memory)      %8.0f ns  (%.2f M/s)\n", sh * 1e9, 1e-6 / sh);
  }
  printf ("reproduce: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release --target bench_proxy && build-release/tests/bench/bench_proxy %d\n", n);

  if (use_dante)
    stop_dante ();
  else
    fake_relay_stop (&relay);
  fake_echo_stop (&target);
  free (ms);
  return 0;
}
