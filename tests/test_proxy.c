/*
 * test_proxy.c - SocketProxy connection paths (connect, tunnel, Conn, the
 * README forms, HTTPS proxies, connect_tls) against fake proxies on
 * 127.0.0.1, correct and malicious. The codec alone: test_proxy_codec.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "FakeProxy.h"
#include "SocketTestUtil.h"
#include "Test.h"
#include "core/Arena.h"
#include "core/SocketUtil.h"
#include "core/Except.h"
#include "http/SocketHTTP.h"
#include "poll/SocketPoll.h"
#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"
#if SOCKET_HAS_TLS
#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#endif


static SocketProxy_Config
config (SocketProxyType type, const char *user, const char *pass)
{
  SocketProxy_Config cfg;

  SocketProxy_config_defaults (&cfg);
  cfg.type = type;
  cfg.host = "127.0.0.1";
  cfg.port = 1080;
  cfg.username = user;
  cfg.password = pass;
  return cfg;
}

/* ------------------------------------------------------------------ */
/* Connections through fake proxies on 127.0.0.1                      */
/* ------------------------------------------------------------------ */

static SocketProxy_Config
loopback_proxy (SocketProxyType type, int port)
{
  SocketProxy_Config cfg = config (type, NULL, NULL);

  cfg.port = port;
  cfg.connect_timeout_ms = 5000;
  cfg.handshake_timeout_ms = 5000;
  return cfg;
}

/* Send @p msg through @p s and expect it echoed back. */
static int
echo_roundtrip (Socket_T s, const char *msg)
{
  char back[256] = { 0 };
  size_t len = strlen (msg);

  if (Socket_sendall (s, msg, len) != (ssize_t)len)
    return 0;
  if (Socket_recvall (s, back, len) != (ssize_t)len)
    return 0;
  return memcmp (back, msg, len) == 0;
}

/* Step a Conn with poll(2) like an event loop; returns the final result. */
static SocketProxy_Result
event_loop (SocketProxy_Conn_T conn, int *saw_recv_state)
{
  while (!SocketProxy_Conn_poll (conn))
    {
      struct pollfd p = { .fd = SocketProxy_Conn_fd (conn) };
      unsigned ev = SocketProxy_Conn_events (conn);

      if (SocketProxy_Conn_state (conn) == PROXY_STATE_HANDSHAKE_RECV && saw_recv_state != NULL)
        *saw_recv_state = 1;
      p.events = (short)(((ev & POLL_READ) ? POLLIN : 0) | ((ev & POLL_WRITE) ? POLLOUT : 0));
      poll (&p, 1, SocketProxy_Conn_next_timeout_ms (conn));
      SocketProxy_Conn_process (conn);
    }
  return SocketProxy_Conn_result (conn);
}

TEST (socks5_connect_carries_data_to_echo)
{
  FakeEcho echo;
  FakeRelay relay;
  SocketProxy_Config cfg;
  Socket_T s = NULL;

  ASSERT_EQ (fake_echo_start (&echo, NULL, 1), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, relay.port);
  s = SocketProxy_connect (&cfg, "127.0.0.1", echo.port);
  ASSERT (s != NULL);
  ASSERT_EQ (fcntl (Socket_fd (s), F_GETFL) & O_NONBLOCK, 0);
  ASSERT (echo_roundtrip (s, "through the tunnel"));
  Socket_free (&s);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
  ASSERT_EQ (relay.served, 1);
}

TEST (socks5_userpass_and_http_connect_through_relays)
{
  FakeEcho echo;
  FakeRelay socks, http;
  SocketProxy_Config cfg;
  Socket_T s;
  char target[32];

  ASSERT_EQ (fake_echo_start (&echo, NULL, 2), 0);
  ASSERT_EQ (fake_relay_start (&socks, 0, "alice", "s3cret", 1), 0);
  ASSERT_EQ (fake_relay_start (&http, 1, "alice", "s3cret", 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5H, socks.port);
  cfg.username = "alice";
  cfg.password = "s3cret";
  s = SocketProxy_connect (&cfg, "localhost", echo.port);
  ASSERT (echo_roundtrip (s, "socks5 with auth"));
  Socket_free (&s);
  cfg = loopback_proxy (SOCKET_PROXY_HTTP, http.port);
  cfg.username = "alice";
  cfg.password = "s3cret";
  s = SocketProxy_connect (&cfg, "127.0.0.1", echo.port);
  ASSERT (echo_roundtrip (s, "http connect"));
  Socket_free (&s);
  fake_relay_stop (&socks);
  fake_relay_stop (&http);
  fake_echo_stop (&echo);
  snprintf (target, sizeof target, "localhost:%d", echo.port);
  ASSERT_STREQ (socks.last_target, target); /* SOCKS5H: the name went to the proxy */
}

TEST (proxy_named_localhost_tries_each_address)
{
  FakeEcho echo;
  FakeRelay relay;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  Socket_T s;

  /* A name: resolved, then connected without blocking. The relay listens
     on 127.0.0.1 only; where "localhost" also resolves to ::1 first, the
     refusal there must move on to the next address. */
  ASSERT_EQ (fake_echo_start (&echo, NULL, 1), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, relay.port);
  cfg.host = "localhost";
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", echo.port);
  ASSERT_EQ (event_loop (conn, NULL), PROXY_OK);
  s = SocketProxy_Conn_socket (conn);
  SocketProxy_Conn_free (&conn);
  ASSERT (echo_roundtrip (s, "via localhost"));
  Socket_free (&s);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
}

TEST (connect_failures_raise_with_the_reason)
{
  FakeRelay socks, http;
  SocketProxy_Config cfg;
  volatile int raised = 0;
  char reason[512] = "";

  ASSERT_EQ (fake_relay_start (&socks, 0, "alice", "right", 1), 0);
  ASSERT_EQ (fake_relay_start (&http, 1, "alice", "right", 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, socks.port);
  cfg.username = "alice";
  cfg.password = "wrong";
  TRY { SocketProxy_connect (&cfg, "127.0.0.1", 9); }
  EXCEPT (SocketProxy_Failed)
  {
    raised = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  }
  END_TRY;
  ASSERT (raised);
  ASSERT (strncmp (reason, "Proxy connection failed: Authentication failed", 46) == 0);
  cfg = loopback_proxy (SOCKET_PROXY_HTTP, http.port); /* no credentials: 407 */
  raised = 0;
  TRY { SocketProxy_connect (&cfg, "127.0.0.1", 9); }
  EXCEPT (SocketProxy_Failed)
  {
    raised = 1;
    snprintf (reason, sizeof reason, "%s", Except_frame.exception->reason);
  }
  END_TRY;
  ASSERT (raised);
  ASSERT (strstr (reason, "Authentication required") != NULL);
  ASSERT (strstr (reason, "407") != NULL);
  fake_relay_stop (&socks);
  fake_relay_stop (&http);
}

TEST (conn_event_loop_and_socket_handover)
{
  FakeEcho echo;
  FakeRelay relay;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  Socket_T s;
  int saw_recv = 0;

  ASSERT_EQ (fake_echo_start (&echo, NULL, 1), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, relay.port);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", echo.port);
  ASSERT (SocketProxy_Conn_fd (conn) >= 0);
  /* On loopback the whole exchange may already be done here. */
  ASSERT_EQ (event_loop (conn, &saw_recv), PROXY_OK);
  ASSERT_EQ (SocketProxy_Conn_state (conn), PROXY_STATE_CONNECTED);
  ASSERT (SocketProxy_Conn_error (conn) == NULL);
  ASSERT_EQ (SocketProxy_Conn_events (conn), 0);
  ASSERT_EQ (SocketProxy_Conn_next_timeout_ms (conn), -1);
  s = SocketProxy_Conn_socket (conn);
  ASSERT (s != NULL);
  ASSERT (SocketProxy_Conn_socket (conn) == NULL); /* only once */
  ASSERT_EQ (SocketProxy_Conn_fd (conn), -1);
  SocketProxy_Conn_free (&conn);
  ASSERT (conn == NULL);
  ASSERT (echo_roundtrip (s, "handed over"));
  Socket_free (&s);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
}

TEST (tunnel_and_readme_forms_on_callers_socket)
{
  FakeEcho echo;
  FakeRelay relay;
  SocketProxy_Config cfg;
  Socket_T s;

  ASSERT_EQ (fake_echo_start (&echo, NULL, 2), 0);
  ASSERT_EQ (fake_relay_start (&relay, 1, NULL, NULL, 2), 0);
  cfg = loopback_proxy (SOCKET_PROXY_HTTP, relay.port);
  /* tunnel(): the caller connected the socket to the proxy. */
  s = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (s, "127.0.0.1", relay.port);
  ASSERT_EQ (SocketProxy_tunnel (s, &cfg, "127.0.0.1", echo.port), PROXY_OK);
  ASSERT_EQ (fcntl (Socket_fd (s), F_GETFL) & O_NONBLOCK, 0); /* mode restored */
  ASSERT (echo_roundtrip (s, "tunnel()"));
  Socket_free (&s);
  /* README form: an unconnected socket is connected first. */
  s = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ (SocketProxy_connect (s, &cfg, "127.0.0.1", echo.port), PROXY_OK);
  ASSERT (echo_roundtrip (s, "README connect"));
  Socket_free (&s);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
  /* tunnel() on a socket that is not connected reports it. */
  s = Socket_new (AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ (SocketProxy_tunnel (s, &cfg, "127.0.0.1", 1), PROXY_ERROR_CONNECT);
  Socket_free (&s);
}

TEST (tunnel_bytes_right_after_the_reply_are_kept)
{
  static const unsigned char choose[] = { 5, 0 };
  static const unsigned char reply_and_banner[] = { 5, 0, 0, 1, 127, 0, 0, 1, 0, 1, 'B', 'A', 'N', 'N', 'E', 'R' };
  FakeScript fp = { .steps = { { 3, choose, 2 }, { 10, reply_and_banner, sizeof reply_and_banner } },
                    .nsteps = 2,
                    .end = FAKE_END_HOLD };
  SocketProxy_Config cfg;
  Socket_T s;
  char banner[7] = { 0 };

  ASSERT_EQ (fake_script_start (&fp), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, fp.port);
  s = SocketProxy_connect (&cfg, "127.0.0.1", 7);
  ASSERT_EQ (Socket_recvall (s, banner, 6), 6);
  ASSERT_STREQ (banner, "BANNER");
  Socket_free (&s);
  fake_script_stop (&fp);
}

/* Run a Conn against a scripted proxy; returns its result, copies the error. */
static SocketProxy_Result
against_script (FakeScript *fp, SocketProxyType type, int handshake_ms, char *error, size_t error_len,
                char *detail, size_t detail_len)
{
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  SocketProxy_Result r;

  if (fake_script_start (fp) != 0)
    return PROXY_IN_PROGRESS;
  cfg = loopback_proxy (type, fp->port);
  cfg.handshake_timeout_ms = handshake_ms;
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  r = event_loop (conn, NULL);
  snprintf (error, error_len, "%s", SocketProxy_Conn_error (conn) ? SocketProxy_Conn_error (conn) : "(null)");
  snprintf (detail, detail_len, "%s", SocketProxyExt_conn_detail (conn) ? SocketProxyExt_conn_detail (conn) : "");
  if (r != PROXY_OK && r != PROXY_ERROR_CONNECT && SocketProxy_Conn_fd (conn) < 0)
    r = PROXY_ERROR; /* as the original, a failed Conn keeps its socket until free */
  SocketProxy_Conn_free (&conn);
  fake_script_stop (fp);
  return r;
}

TEST (malicious_truncated_reply_then_close)
{
  static const unsigned char choose[] = { 5, 0 }, half[] = { 5, 0, 0, 1, 127 };
  FakeScript fp = { .steps = { { 3, choose, 2 }, { 10, half, sizeof half } }, .nsteps = 2, .end = FAKE_END_CLOSE };
  char error[256], detail[512];

  ASSERT_EQ (against_script (&fp, SOCKET_PROXY_SOCKS5, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (error, "Connection closed by proxy");
  ASSERT_STREQ (detail, "proxy closed the connection during the handshake");
}

TEST (malicious_early_close_and_wrong_versions)
{
  static const unsigned char v4[] = { 4, 0 }, s4v5[] = { 5, 90, 0, 0, 0, 0, 0, 0 };
  FakeScript close_now = { .steps = { { 3, NULL, 0 } }, .nsteps = 1, .end = FAKE_END_CLOSE };
  FakeScript wrong5 = { .steps = { { 3, v4, 2 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  FakeScript wrong4 = { .steps = { { 9, s4v5, sizeof s4v5 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  char error[256], detail[512];

  ASSERT_EQ (against_script (&close_now, SOCKET_PROXY_SOCKS5, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (error, "Connection closed by proxy");
  ASSERT_EQ (against_script (&wrong5, SOCKET_PROXY_SOCKS5, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (error, "Protocol handshake failed");
  ASSERT_STREQ (detail, "SOCKS5 method reply version 4 (expected 5)");
  ASSERT_EQ (against_script (&wrong4, SOCKET_PROXY_SOCKS4, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (detail, "SOCKS4 reply version 5 (expected 0)");
}

TEST (malicious_oversized_http_head_and_garbage)
{
  static const char start[] = "HTTP/1.1 200 OK\r\nX-Pad: ";
  static const char garbage[] = "\x16\x03\x01\x02\x00garbage\r\n\r\n";
  FakeScript big = { .steps = { { FAKE_READ_HEAD, start, sizeof start - 1 } },
                     .nsteps = 1,
                     .end = FAKE_END_HOLD,
                     .flood = 64 * 1024 };
  FakeScript junk = { .steps = { { FAKE_READ_HEAD, garbage, sizeof garbage - 1 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  char error[256], detail[512];

  ASSERT_EQ (against_script (&big, SOCKET_PROXY_HTTP, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (error, "Protocol handshake failed");
  ASSERT (strstr (detail, "larger than") != NULL || strstr (detail, "malformed") != NULL);
  ASSERT_EQ (against_script (&junk, SOCKET_PROXY_HTTP, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_PROTOCOL);
  ASSERT (strstr (detail, "HTTP proxy response malformed") != NULL);
}

TEST (silent_proxy_times_out)
{
  FakeScript silent = { .steps = { { 3, NULL, 0 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  char error[256], detail[512];
  int64_t t0 = test_now_ms (), took;

  ASSERT_EQ (against_script (&silent, SOCKET_PROXY_SOCKS5, 300, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_TIMEOUT);
  took = test_now_ms () - t0;
  ASSERT_STREQ (error, "Proxy handshake timeout (300 ms)");
  ASSERT (took >= 250);   /* not before the deadline */
  ASSERT (took < 10000);  /* and no hang */
}

TEST (process_without_data_keeps_waiting)
{
  FakeScript silent = { .steps = { { 3, NULL, 0 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;

  ASSERT_EQ (fake_script_start (&silent), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, silent.port);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  for (int64_t end = test_now_ms () + 20000;
       SocketProxy_Conn_state (conn) != PROXY_STATE_HANDSHAKE_RECV && test_now_ms () < end;)
    {
      test_sleep_ms (5);
      SocketProxy_Conn_process (conn);
    }
  ASSERT_EQ (SocketProxy_Conn_state (conn), PROXY_STATE_HANDSHAKE_RECV);
  for (int i = 0; i < 5; i++)
    SocketProxy_Conn_process (conn); /* nothing to read: the original failed here */
  ASSERT_EQ (SocketProxy_Conn_result (conn), PROXY_IN_PROGRESS);
  ASSERT_EQ (SocketProxy_Conn_events (conn), POLL_READ);
  ASSERT (SocketProxy_Conn_next_timeout_ms (conn) > 0);
  SocketProxy_Conn_cancel (conn);
  ASSERT_EQ (SocketProxy_Conn_state (conn), PROXY_STATE_CANCELLED);
  ASSERT_EQ (SocketProxy_Conn_result (conn), PROXY_ERROR_CANCELLED);
  ASSERT (SocketProxy_Conn_error (conn) == NULL);
  ASSERT_EQ (SocketProxy_Conn_fd (conn), -1);
  ASSERT (SocketProxy_Conn_socket (conn) == NULL);
  SocketProxy_Conn_cancel (conn); /* no-op once complete */
  ASSERT_EQ (SocketProxy_Conn_state (conn), PROXY_STATE_CANCELLED);
  SocketProxy_Conn_free (&conn);
  SocketProxy_Conn_free (&conn); /* NULL-safe */
  fake_script_stop (&silent);
}

TEST (proxy_unreachable_and_target_unreachable)
{
  FakeRelay relay;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  int closed_port = 0, lfd = fake_listen (&closed_port);

  close (lfd); /* nobody listens there now */
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, closed_port);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  ASSERT_EQ (event_loop (conn, NULL), PROXY_ERROR_CONNECT);
  ASSERT_STREQ (SocketProxy_Conn_error (conn), "HappyEyeballs connection failed");
  ASSERT (strstr (SocketProxyExt_conn_detail (conn), "refused") != NULL);
  ASSERT_EQ (SocketProxy_Conn_fd (conn), -1);
  SocketProxy_Conn_free (&conn);
  /* The relay cannot reach the target: SOCKS5 reply 0x04. */
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, relay.port);
  conn = SocketProxy_Conn_new (&cfg, "unreachable.invalid", 7);
  ASSERT_EQ (event_loop (conn, NULL), PROXY_ERROR_HOST_UNREACHABLE);
  ASSERT_STREQ (SocketProxy_Conn_error (conn), "Protocol handshake failed");
  ASSERT_STREQ (SocketProxyExt_conn_detail (conn), "SOCKS5 reply 0x04: host unreachable");
  SocketProxy_Conn_free (&conn);
  fake_relay_stop (&relay);
}

TEST (proxy_connect_in_progress_then_timeout)
{
  /* A listener whose accept queue is full drops further SYNs: a connect
     to it stays in progress, like a silent host, without leaving 127.0.0.1. */
  int port = 0, lfd = fake_listen (&port), filler[4], nfill = 0;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn = NULL;
  int64_t t0;

  ASSERT (lfd >= 0);
  listen (lfd, 0);
  for (int i = 0; i < 4; i++)
    {
      filler[nfill] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t)port),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
      connect (filler[nfill], (struct sockaddr *)&a, sizeof a);
      nfill++;
    }
  /* Queue full (backlog 0 holds one) before our connect, whatever the
   * scheduler did with the fillers' handshakes. */
  test_wait_accept_queue (lfd, 1, 20000);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, port);
  cfg.connect_timeout_ms = 300;
  t0 = test_now_ms ();
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  if (SocketProxy_Conn_state (conn) != PROXY_STATE_CONNECTING_PROXY)
    {
      SocketProxy_State st = SocketProxy_Conn_state (conn);
      char detail[256];
      snprintf (detail, sizeof detail, "%s", SocketProxyExt_conn_detail (conn) ? SocketProxyExt_conn_detail (conn) : "");
      SocketProxy_Conn_free (&conn);
      for (int i = 0; i < nfill; i++)
        close (filler[i]);
      close (lfd);
      TEST_SKIP ("the connect did not stay in progress (%s: %s)", SocketProxy_state_string (st), detail);
    }
  ASSERT_EQ (SocketProxy_Conn_events (conn), POLL_WRITE);
  ASSERT (SocketProxy_Conn_next_timeout_ms (conn) > 0);
  ASSERT (SocketProxy_Conn_fd (conn) >= 0);
  ASSERT_EQ (event_loop (conn, NULL), PROXY_ERROR_CONNECT);
  ASSERT (test_now_ms () - t0 >= 250);
  ASSERT_STREQ (SocketProxy_Conn_error (conn), "HappyEyeballs connection failed");
  ASSERT (strstr (SocketProxyExt_conn_detail (conn), "timed out after 300 ms") != NULL);
  ASSERT_EQ (SocketProxy_Conn_fd (conn), -1);
  SocketProxy_Conn_free (&conn);
  for (int i = 0; i < nfill; i++)
    close (filler[i]);
  close (lfd);
}

TEST (conn_new_argument_errors)
{
  SocketProxy_Config cfg = loopback_proxy (SOCKET_PROXY_SOCKS4, 9);
  SocketProxy_Config nohost = cfg, none = cfg;
  SocketProxy_Conn_T conn;
  char longname[300];

  nohost.host = NULL;
  none.type = SOCKET_PROXY_NONE;
  memset (longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_Conn_new (&nohost, "127.0.0.1", 80)), 1);
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_Conn_new (&none, "127.0.0.1", 80)), 1);
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_Conn_new (&cfg, longname, 80)), 1);
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_Conn_new (&cfg, "127.0.0.1", 0)), 1);
  /* A request that cannot be built fails before any connection. */
  conn = SocketProxy_Conn_new (&cfg, "name.example", 80);
  ASSERT_EQ (SocketProxy_Conn_state (conn), PROXY_STATE_FAILED);
  ASSERT_EQ (SocketProxy_Conn_result (conn), PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (SocketProxy_Conn_error (conn), "Failed to build SOCKS4 request");
  ASSERT_EQ (SocketProxy_Conn_fd (conn), -1);
  SocketProxy_Conn_free (&conn);
}

TEST (no_descriptor_leaks)
{
  FakeScript silent = { .steps = { { 3, NULL, 0 } }, .nsteps = 1, .end = FAKE_END_HOLD };
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  int before, closed_port = 0, lfd;

  /* Counted before the fake proxy exists and compared after it is joined:
   * its accepted connection closes on the client's EOF in its own time. */
  before = test_count_fds ();
  ASSERT_EQ (fake_script_start (&silent), 0);
  lfd = fake_listen (&closed_port);
  close (lfd);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, silent.port);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  SocketProxy_Conn_cancel (conn);
  SocketProxy_Conn_free (&conn);
  cfg.port = closed_port;
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  event_loop (conn, NULL);
  SocketProxy_Conn_free (&conn);
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_connect (&cfg, "127.0.0.1", 7)), 1);
  fake_script_stop (&silent);
  ASSERT_EQ (test_count_fds (), before);
}

typedef struct
{
  int proxy_port, echo_port, ok;
  pthread_t thread;
} Worker;

static void *
worker_main (void *arg)
{
  Worker *w = arg;
  SocketProxy_Config cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, w->proxy_port);

  TRY
  {
    Socket_T s = SocketProxy_connect (&cfg, "127.0.0.1", w->echo_port);
    w->ok = echo_roundtrip (s, "from a thread");
    Socket_free (&s);
  }
  ELSE { w->ok = 0; }
  END_TRY;
  return NULL;
}

TEST (connect_from_several_threads)
{
  enum { N = 4 };
  FakeEcho echo;
  FakeRelay relay;
  Worker w[N];

  ASSERT_EQ (fake_echo_start (&echo, NULL, N), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, N), 0);
  for (int i = 0; i < N; i++)
    {
      w[i] = (Worker){ .proxy_port = relay.port, .echo_port = echo.port };
      ASSERT_EQ (pthread_create (&w[i].thread, NULL, worker_main, &w[i]), 0);
    }
  for (int i = 0; i < N; i++)
    pthread_join (w[i].thread, NULL);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
  for (int i = 0; i < N; i++)
    ASSERT (w[i].ok);
}

TEST (readme_conn_new_on_callers_socket)
{
  FakeEcho echo;
  FakeRelay relay;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  Socket_T s;

  ASSERT_EQ (fake_echo_start (&echo, NULL, 1), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, relay.port);
  s = Socket_new (AF_INET, SOCK_STREAM, 0); /* not connected: Conn connects it */
  conn = SocketProxy_Conn_new (s, &cfg, "127.0.0.1", echo.port);
  ASSERT_EQ (SocketProxy_Conn_fd (conn), Socket_fd (s));
  ASSERT_EQ (event_loop (conn, NULL), PROXY_OK);
  ASSERT (SocketProxy_Conn_socket (conn) == s);
  SocketProxy_Conn_free (&conn); /* the socket stays the caller's */
  ASSERT (echo_roundtrip (s, "still mine"));
  Socket_free (&s);
  fake_relay_stop (&relay);
  fake_echo_stop (&echo);
}

TEST (port_zero_means_protocol_default)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (SOCKET_PROXY_DEFAULT_SOCKS_PORT),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int lfd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, peer;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;
  unsigned char greeting[3] = { 0 };

  setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen (lfd, 1) < 0)
    {
      close (lfd);
      TEST_SKIP ("127.0.0.1:1080 is in use here");
    }
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, 0);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  peer = fake_accept (lfd);
  ASSERT (peer >= 0);
  for (int64_t end = test_now_ms () + 20000;
       SocketProxy_Conn_state (conn) != PROXY_STATE_HANDSHAKE_RECV && test_now_ms () < end;)
    {
      test_sleep_ms (5);
      SocketProxy_Conn_process (conn);
    }
  ASSERT_EQ (fake_read_full (peer, greeting, 3), 0);
  ASSERT_MEMEQ (greeting, "\x05\x01\x00", 3);
  SocketProxy_Conn_free (&conn);
  close (peer);
  close (lfd);
}

#if SOCKET_HAS_TLS
/* TLS echo target (test PKI) for SocketProxy_connect_tls. */
typedef struct
{
  Socket_T listener;
  int port;
  char cert[PATH_MAX], key[PATH_MAX]; /* tls_cert() is not thread-safe */
  pthread_t thread;
} TlsEcho;

static void *
tls_echo_main (void *arg)
{
  TlsEcho *te = arg;
  Socket_T volatile s = NULL;
  SocketTLSContext_T volatile ctx = NULL;
  struct pollfd p = { .fd = Socket_fd (te->listener), .events = POLLIN };

  if (poll (&p, 1, FAKE_IO_TIMEOUT_MS) <= 0)
    return NULL;
  TRY
  {
    char b[256];
    ssize_t n;

    ctx = SocketTLSContext_new_server (te->cert, te->key, NULL);
    s = Socket_accept (te->listener);
    SocketTLS_enable (s, ctx);
    if (SocketTLS_handshake_loop (s, FAKE_IO_TIMEOUT_MS) == TLS_HANDSHAKE_COMPLETE)
      while ((n = SocketTLS_recv (s, b, sizeof b)) > 0)
        SocketTLS_send (s, b, (size_t)n);
  }
  ELSE {}
  END_TRY;
  if (s != NULL)
    {
      Socket_T f = s;
      Socket_free (&f);
    }
  if (ctx != NULL)
    {
      SocketTLSContext_T c = ctx;
      SocketTLSContext_free (&c);
    }
  return NULL;
}

TEST (connect_tls_through_socks5)
{
  TlsEcho te;
  FakeRelay relay;
  SocketProxy_Config cfg;
  SocketTLSContext_T ctx;
  Socket_T s;
  char back[16] = { 0 };
  ssize_t got = 0;

  if (tls_test_certs_init () != 0)
    TEST_FAIL_ ("cannot generate test certificates");
  snprintf (te.cert, sizeof te.cert, "%s", tls_cert ("server-chain.pem"));
  snprintf (te.key, sizeof te.key, "%s", tls_cert ("server.key"));
  te.listener = tls_test_listen (&te.port);
  ASSERT_EQ (pthread_create (&te.thread, NULL, tls_echo_main, &te), 0);
  ASSERT_EQ (fake_relay_start (&relay, 0, NULL, NULL, 1), 0);
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5H, relay.port);
  ctx = SocketTLSContext_new_client (tls_cert ("ca.crt"));
  s = SocketProxy_connect_tls (&cfg, "localhost", te.port, ctx); /* name checked: localhost */
  SocketTLS_send (s, "tls echo", 8);
  while (got < 8)
    {
      ssize_t n = SocketTLS_recv (s, back + got, (size_t)(8 - got));
      if (n <= 0)
        break;
      got += n;
    }
  Socket_free (&s);
  SocketTLSContext_free (&ctx);
  pthread_join (te.thread, NULL);
  Socket_free (&te.listener);
  fake_relay_stop (&relay);
  ASSERT_STREQ (back, "tls echo");
}
#endif

#if SOCKET_HAS_TLS
/* An HTTPS proxy on 127.0.0.1 (test PKI): TLS, then CONNECT answered 200
 * with the first tunnel bytes in the same record. */
typedef struct
{
  Socket_T listener;
  int port;
  int ok;
  char head[1024];
  char cert[PATH_MAX], key[PATH_MAX]; /* tls_cert() is not thread-safe */
  pthread_t thread;
} TlsProxy;

static void *
tls_proxy_main (void *arg)
{
  static const char reply[] = "HTTP/1.1 200 Connection established\r\n\r\nHELLO";
  TlsProxy *tp = arg;
  Socket_T volatile s = NULL;
  SocketTLSContext_T volatile ctx = NULL;
  struct pollfd p = { .fd = Socket_fd (tp->listener), .events = POLLIN };

  if (poll (&p, 1, FAKE_IO_TIMEOUT_MS) <= 0)
    return NULL;
  TRY
  {
    size_t n = 0;
    char b[16];

    ctx = SocketTLSContext_new_server (tp->cert, tp->key, NULL);
    s = Socket_accept (tp->listener);
    SocketTLS_enable (s, ctx);
    if (SocketTLS_handshake_loop (s, FAKE_IO_TIMEOUT_MS) == TLS_HANDSHAKE_COMPLETE)
      {
        while (n + 1 < sizeof tp->head && strstr (tp->head, "\r\n\r\n") == NULL)
          {
            ssize_t got = SocketTLS_recv (s, tp->head + n, 1);
            if (got <= 0)
              break;
            n += (size_t)got;
          }
        SocketTLS_send (s, reply, sizeof reply - 1);
        tp->ok = 1;
        SocketTLS_recv (s, b, sizeof b); /* until the client closes */
      }
  }
  ELSE {}
  END_TRY;
  if (s != NULL)
    {
      Socket_T f = s;
      Socket_free (&f);
    }
  if (ctx != NULL)
    {
      SocketTLSContext_T c = ctx;
      SocketTLSContext_free (&c);
    }
  return NULL;
}

TEST (https_proxy_tls_then_connect)
{
  TlsProxy tp;
  SocketProxy_Config cfg;
  Socket_T s;
  char hello[6] = { 0 };
  ssize_t got = 0;

  memset (&tp, 0, sizeof tp);
  if (tls_test_certs_init () != 0)
    TEST_FAIL_ ("cannot generate test certificates");
  /* The proxy's certificate chains to the test CA: make it the trust store
     that SocketTLSContext_new_client (NULL) loads. */
  setenv ("SSL_CERT_FILE", tls_cert ("ca.crt"), 1);
  snprintf (tp.cert, sizeof tp.cert, "%s", tls_cert ("server-chain.pem"));
  snprintf (tp.key, sizeof tp.key, "%s", tls_cert ("server.key"));
  tp.listener = tls_test_listen (&tp.port);
  ASSERT_EQ (pthread_create (&tp.thread, NULL, tls_proxy_main, &tp), 0);
  cfg = loopback_proxy (SOCKET_PROXY_HTTPS, tp.port);
  cfg.host = "localhost";
  cfg.username = "u";
  cfg.password = "p";
  s = SocketProxy_connect (&cfg, "example.com", 443);
  while (got < 5)
    {
      ssize_t n = SocketTLS_recv (s, hello + got, (size_t)(5 - got));
      if (n <= 0)
        break;
      got += n;
    }
  Socket_free (&s);
  pthread_join (tp.thread, NULL);
  Socket_free (&tp.listener);
  unsetenv ("SSL_CERT_FILE");
  ASSERT (tp.ok);
  ASSERT_STREQ (hello, "HELLO"); /* tunnel bytes in the reply's record are kept */
  ASSERT (strncmp (tp.head, "CONNECT example.com:443 HTTP/1.1\r\n", 34) == 0);
  ASSERT (strstr (tp.head, "Proxy-Authorization: Basic dTpw\r\n") != NULL);
}

TEST (https_proxy_with_untrusted_certificate_fails)
{
  TlsProxy tp;
  SocketProxy_Config cfg;
  SocketProxy_Conn_T conn;

  memset (&tp, 0, sizeof tp);
  if (tls_test_certs_init () != 0)
    TEST_FAIL_ ("cannot generate test certificates");
  unsetenv ("SSL_CERT_FILE"); /* system trust store: the test CA is not in it */
  snprintf (tp.cert, sizeof tp.cert, "%s", tls_cert ("server-chain.pem"));
  snprintf (tp.key, sizeof tp.key, "%s", tls_cert ("server.key"));
  tp.listener = tls_test_listen (&tp.port);
  ASSERT_EQ (pthread_create (&tp.thread, NULL, tls_proxy_main, &tp), 0);
  cfg = loopback_proxy (SOCKET_PROXY_HTTPS, tp.port);
  cfg.host = "localhost";
  conn = SocketProxy_Conn_new (&cfg, "example.com", 443);
  ASSERT_EQ (event_loop (conn, NULL), PROXY_ERROR_CONNECT);
  ASSERT_STREQ (SocketProxy_Conn_error (conn), "TLS to proxy failed");
  ASSERT (strstr (SocketProxyExt_conn_detail (conn), "verif") != NULL);
  SocketProxy_Conn_free (&conn);
  pthread_join (tp.thread, NULL);
  Socket_free (&tp.listener);
  ASSERT (!tp.ok);
}

TEST (https_proxy_speaks_tls_to_the_proxy)
{
  /* A plain-text proxy: the TLS handshake must fail, not send CONNECT. */
  static const char plain[] = "HTTP/1.1 200 OK\r\n\r\n";
  FakeScript fp = { .steps = { { 5, plain, sizeof plain - 1 } }, .nsteps = 1, .end = FAKE_END_CLOSE };
  char error[256], detail[512];

  ASSERT_EQ (against_script (&fp, SOCKET_PROXY_HTTPS, 5000, error, sizeof error, detail, sizeof detail),
             PROXY_ERROR_CONNECT);
  ASSERT_STREQ (error, "TLS to proxy failed");
  ASSERT (strstr (detail, "TLS") != NULL);
}
#endif
TEST_MAIN ()
