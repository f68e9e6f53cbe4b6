/*
 * test_proxy.c - SocketProxy: the handshake codec byte for byte, reply
 * code mapping, parse_url, the string tables, and the connection paths
 * against fake proxies on 127.0.0.1 (correct and malicious).
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

/* ------------------------------------------------------------------ */
/* Codec driver                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  unsigned char sent[4096]; /* every request byte, all steps */
  size_t sent_len;
  size_t fed;     /* reply bytes consumed */
  SocketProxy_Result result;
} Run;

/* Play the proxy: write all queued output; the proxy's answer to request k
 * is segs[k] bytes of @p reply (NULL segs: the whole reply answers the
 * first request), released only once request k was sent whole, and fed in
 * chunks of @p chunk bytes (0 = all available at once). Stops when the
 * handshake completes or the proxy has nothing more to say. */
static void
drive_steps (SocketProxyExt_Handshake_T hs, const void *reply, size_t reply_len, const size_t *segs, size_t chunk,
             Run *run)
{
  const unsigned char *r = reply;
  size_t requests = 0, available = 0;

  memset (run, 0, sizeof *run);
  for (;;)
    {
      size_t len, used = 0, n;
      const unsigned char *out = SocketProxyExt_handshake_output (hs, &len);

      run->result = SocketProxyExt_handshake_result (hs);
      if (run->result != PROXY_IN_PROGRESS)
        return;
      if (len > 0)
        {
          memcpy (run->sent + run->sent_len, out, len);
          run->sent_len += len;
          SocketProxyExt_handshake_sent (hs, len);
          available += segs == NULL ? (requests == 0 ? reply_len : 0) : segs[requests];
          if (available > reply_len)
            available = reply_len;
          requests++;
          continue;
        }
      if (run->fed == available)
        return;
      n = available - run->fed;
      if (chunk != 0 && chunk < n)
        n = chunk;
      SocketProxyExt_handshake_input (hs, r + run->fed, n, &used);
      run->result = SocketProxyExt_handshake_result (hs);
      if (used > n || (used < n && run->result == PROXY_IN_PROGRESS))
        {
          run->result = PROXY_ERROR; /* broken invariant: the caller's assertion shows it */
          return;
        }
      run->fed += used;
      if (used < n)
        return;
    }
}

static void
drive (SocketProxyExt_Handshake_T hs, const void *reply, size_t reply_len, size_t chunk, Run *run)
{
  drive_steps (hs, reply, reply_len, NULL, chunk, run);
}

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

/* Run a whole handshake; returns the result; leaves the handshake in *out. */
static SocketProxy_Result
run_steps (SocketProxy_Config *cfg, const char *host, int port, const void *reply, size_t reply_len,
           const size_t *segs, size_t chunk, Run *run)
{
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (cfg, host, port);
  SocketProxy_Result r;

  drive_steps (hs, reply, reply_len, segs, chunk, run);
  r = run->result;
  SocketProxyExt_handshake_free (&hs);
  return r;
}

static SocketProxy_Result
run_one (SocketProxy_Config *cfg, const char *host, int port, const void *reply, size_t reply_len, size_t chunk,
         Run *run)
{
  return run_steps (cfg, host, port, reply, reply_len, NULL, chunk, run);
}

/* Segments of a SOCKS5 exchange: method choice, then the rest. */
static const size_t SEG_2_REST[] = { 2, 4096 };
/* With RFC 1929: method choice, verdict, then the rest. */
static const size_t SEG_2_2_REST[] = { 2, 2, 4096 };

static const unsigned char SOCKS5_OK_V4[] = { 5, 0, 0, 1, 10, 0, 0, 1, 0x12, 0x34 };

/* ------------------------------------------------------------------ */
/* Requests, byte-exact                                               */
/* ------------------------------------------------------------------ */

TEST (socks4_request_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4, "bob", NULL);
  static const unsigned char want[] = { 4, 1, 0x1F, 0x90, 10, 1, 2, 3, 'b', 'o', 'b', 0 };
  static const unsigned char reply[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
  Run run;

  ASSERT_EQ (run_one (&cfg, "10.1.2.3", 8080, reply, sizeof reply, 0, &run), PROXY_OK);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
  ASSERT_UEQ (run.fed, 8);
}

TEST (socks4_without_user_sends_empty_userid)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4, NULL, NULL);
  static const unsigned char want[] = { 4, 1, 0, 80, 127, 0, 0, 1, 0 };
  Run run;

  run_one (&cfg, "127.0.0.1", 80, NULL, 0, 0, &run);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks4a_request_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4A, "u", NULL);
  static const unsigned char want[] = { 4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                        '.', 'c', 'o', 'm', 0 };
  Run run;

  run_one (&cfg, "example.com", 80, NULL, 0, 0, &run);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks4a_ipv4_target_sent_as_address)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4A, NULL, NULL);
  static const unsigned char want[] = { 4, 1, 0, 80, 192, 0, 2, 7, 0 };
  Run run;

  run_one (&cfg, "192.0.2.7", 80, NULL, 0, 0, &run);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks4_name_target_fails_to_build)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4, NULL, NULL);
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "example.com", 80);
  size_t len = 99;

  ASSERT_EQ (SocketProxyExt_handshake_result (hs), PROXY_ERROR_PROTOCOL);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_FAILED);
  SocketProxyExt_handshake_output (hs, &len);
  ASSERT_UEQ (len, 0);
  ASSERT (strncmp (SocketProxyExt_handshake_error (hs), "Failed to build SOCKS4 request", 30) == 0);
  SocketProxyExt_handshake_free (&hs);
  ASSERT (hs == NULL);
}

TEST (socks5_no_auth_full_exchange_ipv4)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  static const unsigned char want[] = { 5, 1, 0, /* greeting */ 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 };
  unsigned char reply[2 + sizeof SOCKS5_OK_V4] = { 5, 0 };
  Run run;

  memcpy (reply + 2, SOCKS5_OK_V4, sizeof SOCKS5_OK_V4);
  ASSERT_EQ (run_steps (&cfg, "127.0.0.1", 80, reply, sizeof reply, SEG_2_REST, 0, &run), PROXY_OK);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
  ASSERT_UEQ (run.fed, sizeof reply);
}

TEST (socks5_userpass_exchange_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, "bob", "secret");
  static const unsigned char want[] = { 5, 2, 0, 2,                                       /* greeting */
                                        1, 3, 'b', 'o', 'b', 6, 's', 'e', 'c', 'r', 'e', 't', /* RFC 1929 */
                                        5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
                                        0x01, 0xBB };
  unsigned char reply[4 + sizeof SOCKS5_OK_V4] = { 5, 2, 1, 0 };
  Run run;

  memcpy (reply + 4, SOCKS5_OK_V4, sizeof SOCKS5_OK_V4);
  ASSERT_EQ (run_steps (&cfg, "example.com", 443, reply, sizeof reply, SEG_2_2_REST, 0, &run), PROXY_OK);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks5_user_without_password_offers_no_auth)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5H, "bob", NULL);
  static const unsigned char want[] = { 5, 1, 0 };
  Run run;

  run_one (&cfg, "example.com", 443, NULL, 0, 0, &run);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks5_connect_ipv6_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  unsigned char want[3 + 4 + 16 + 2] = { 5, 1, 0, 5, 1, 0, 4 };
  static const unsigned char reply[] = { 5, 0 };
  Run run;

  want[7] = 0x20, want[8] = 0x01, want[9] = 0x0d, want[10] = 0xb8, want[22] = 1;
  want[23] = 0x1F, want[24] = 0x90;
  run_steps (&cfg, "[2001:db8::1]", 8080, reply, sizeof reply, SEG_2_REST, 0, &run);
  ASSERT_UEQ (run.sent_len, sizeof want);
  ASSERT_MEMEQ (run.sent, want, sizeof want);
}

TEST (socks5_states_follow_the_steps)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, "a", "b");
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  static const unsigned char choose[] = { 5, 2 }, ok[] = { 1, 0 };
  size_t len, used;

  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_HANDSHAKE_SEND);
  SocketProxyExt_handshake_output (hs, &len);
  SocketProxyExt_handshake_sent (hs, 1);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_HANDSHAKE_SEND);
  SocketProxyExt_handshake_output (hs, &len);
  ASSERT_UEQ (len, 3);
  SocketProxyExt_handshake_sent (hs, 3);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_HANDSHAKE_RECV);
  SocketProxyExt_handshake_input (hs, choose, 2, &used);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_AUTH_SEND);
  SocketProxyExt_handshake_output (hs, &len);
  SocketProxyExt_handshake_sent (hs, len);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_AUTH_RECV);
  SocketProxyExt_handshake_input (hs, ok, 2, &used);
  ASSERT_EQ (SocketProxyExt_handshake_state (hs), PROXY_STATE_HANDSHAKE_SEND);
  ASSERT_EQ (SocketProxyExt_handshake_result (hs), PROXY_IN_PROGRESS);
  ASSERT (SocketProxyExt_handshake_error (hs) == NULL);
  SocketProxyExt_handshake_free (&hs);
}

TEST (http_connect_plain_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  static const char want[] = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
  static const char reply[] = "HTTP/1.1 200 Connection established\r\n\r\n";
  Run run;

  ASSERT_EQ (run_one (&cfg, "example.com", 443, reply, strlen (reply), 0, &run), PROXY_OK);
  ASSERT_UEQ (run.sent_len, strlen (want));
  ASSERT_MEMEQ (run.sent, want, strlen (want));
}

TEST (http_connect_auth_extra_headers_ipv6_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTPS, "Aladdin", "open sesame");
  Arena_T arena = Arena_new ();
  SocketHTTP_Headers_T extra = SocketHTTP_Headers_new (arena);
  /* RFC 7617 section 2 example credentials. */
  static const char want[] = "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n"
                             "Host: [2001:db8::1]:8443\r\n"
                             "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"
                             "X-Trace: 1\r\n"
                             "User-Agent: libsocket-test\r\n"
                             "\r\n";
  Run run;

  SocketHTTP_Headers_add (extra, "X-Trace", "1");
  SocketHTTP_Headers_add (extra, "Host", "ignored.example"); /* the request has its own */
  SocketHTTP_Headers_add (extra, "User-Agent", "libsocket-test");
  cfg.extra_headers = extra;
  run_one (&cfg, "2001:db8::1", 8443, NULL, 0, 0, &run);
  Arena_dispose (&arena);
  ASSERT_UEQ (run.sent_len, strlen (want));
  ASSERT_MEMEQ (run.sent, want, strlen (want));
}

TEST (http_connect_header_injection_refused)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  Arena_T arena = Arena_new ();
  SocketHTTP_Headers_T extra = SocketHTTP_Headers_new (arena);
  Run run;

  /* The header set refuses CR/LF itself; the request must stay clean. */
  ASSERT_EQ (SocketHTTP_Headers_add_n (extra, "X-A", 3, "1\r\nEvil: yes", 12), -1);
  ASSERT_EQ (SocketHTTP_Headers_add (extra, "X-B", "ok"), 0);
  cfg.extra_headers = extra;
  run_one (&cfg, "example.com", 443, NULL, 0, 0, &run);
  Arena_dispose (&arena);
  cfg.extra_headers = NULL;
  run.sent[run.sent_len] = 0;
  ASSERT (strstr ((char *)run.sent, "Evil") == NULL);
  ASSERT (strstr ((char *)run.sent, "\r\nX-B: ok\r\n\r\n") != NULL);
  /* A target that would split the request line is refused outright. */
  {
    SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "a b", 443);
    ASSERT_EQ (SocketProxyExt_handshake_result (hs), PROXY_ERROR_PROTOCOL);
    ASSERT (strstr (SocketProxyExt_handshake_error (hs), "Failed to build HTTP CONNECT request") != NULL);
    SocketProxyExt_handshake_free (&hs);
  }
}

/* ------------------------------------------------------------------ */
/* Reply codes                                                        */
/* ------------------------------------------------------------------ */

TEST (socks5_reply_codes_map)
{
  static const SocketProxy_Result want[] = {
    PROXY_OK,                        PROXY_ERROR,
    PROXY_ERROR_FORBIDDEN,           PROXY_ERROR_NETWORK_UNREACHABLE,
    PROXY_ERROR_HOST_UNREACHABLE,    PROXY_ERROR_CONNECTION_REFUSED,
    PROXY_ERROR_TTL_EXPIRED,         PROXY_ERROR_UNSUPPORTED,
    PROXY_ERROR_UNSUPPORTED,         PROXY_ERROR_PROTOCOL /* 0x09 unassigned */,
  };
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);

  for (unsigned code = 0; code < sizeof want / sizeof want[0]; code++)
    {
      unsigned char reply[12] = { 5, 0, 5, (unsigned char)code, 0, 1, 10, 0, 0, 1, 0, 80 };
      Run run;

      ASSERT_EQ (run_steps (&cfg, "10.0.0.1", 80, reply, sizeof reply, SEG_2_REST, 0, &run), want[code]);
      if (code != 0) /* decided within the fixed header; the rest stays unread */
        ASSERT (run.fed <= 2 + 5);
    }
  {
    unsigned char reply[12] = { 5, 0, 5, 0xFE, 0, 1, 10, 0, 0, 1, 0, 80 };
    Run run;
    ASSERT_EQ (run_steps (&cfg, "10.0.0.1", 80, reply, sizeof reply, SEG_2_REST, 0, &run), PROXY_ERROR_PROTOCOL);
  }
}

TEST (socks5_error_text_names_the_code)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "10.0.0.1", 80);
  static const unsigned char reply[] = { 5, 0, 5, 5 };
  Run run;

  drive_steps (hs, reply, sizeof reply, SEG_2_REST, 1, &run);
  ASSERT_EQ (run.result, PROXY_ERROR_CONNECTION_REFUSED);
  ASSERT_STREQ (SocketProxyExt_handshake_error (hs), "SOCKS5 reply 0x05: connection refused");
  SocketProxyExt_handshake_free (&hs);
}

TEST (socks5_method_choice)
{
  struct
  {
    const char *user, *pass;
    unsigned char method;
    SocketProxy_Result want;
  } cases[] = {
    { NULL, NULL, 0xFF, PROXY_ERROR_AUTH_REQUIRED },
    { "u", "p", 0xFF, PROXY_ERROR_AUTH_FAILED },
    { NULL, NULL, 0x02, PROXY_ERROR_PROTOCOL }, /* not offered */
    { "u", "p", 0x01, PROXY_ERROR_PROTOCOL },   /* GSSAPI, not offered */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, cases[i].user, cases[i].pass);
      unsigned char reply[] = { 5, cases[i].method };
      Run run;

      ASSERT_EQ (run_one (&cfg, "h", 1, reply, sizeof reply, 0, &run), cases[i].want);
    }
}

TEST (socks5_auth_verdicts)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, "u", "p");
  static const unsigned char refused[] = { 5, 2, 1, 1 }, badver[] = { 5, 2, 5, 0 };
  Run run;

  ASSERT_EQ (run_steps (&cfg, "h", 1, refused, sizeof refused, SEG_2_2_REST, 0, &run), PROXY_ERROR_AUTH_FAILED);
  ASSERT_EQ (run_steps (&cfg, "h", 1, badver, sizeof badver, SEG_2_2_REST, 0, &run), PROXY_ERROR_PROTOCOL);
}

TEST (socks5_wrong_versions_and_address_types)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  static const unsigned char greet4[] = { 4, 0 };
  static const unsigned char reply4[] = { 5, 0, 4, 0, 0, 1 };
  static const unsigned char atyp[] = { 5, 0, 5, 0, 0, 9, 1, 2, 3, 4, 5, 6 };
  Run run;

  ASSERT_EQ (run_one (&cfg, "h", 1, greet4, sizeof greet4, 0, &run), PROXY_ERROR_PROTOCOL);
  ASSERT_EQ (run_steps (&cfg, "h", 1, reply4, sizeof reply4, SEG_2_REST, 1, &run), PROXY_ERROR_PROTOCOL);
  ASSERT_EQ (run_steps (&cfg, "h", 1, atyp, sizeof atyp, SEG_2_REST, 0, &run), PROXY_ERROR_PROTOCOL);
}

TEST (socks5_bound_address_forms_and_tunnel_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  /* IPv6 and domain BND.ADDR, each followed by tunnel data. */
  unsigned char v6[2 + 22 + 3] = { 5, 0, 5, 0, 0, 4 };
  unsigned char dom[2 + 4 + 1 + 3 + 2 + 3] = { 5, 0, 5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 80, 'x', 'y', 'z' };
  Run run;

  memcpy (v6 + sizeof v6 - 3, "xyz", 3);
  for (size_t chunk = 0; chunk <= 3; chunk++)
    {
      ASSERT_EQ (run_steps (&cfg, "h", 1, v6, sizeof v6, SEG_2_REST, chunk, &run), PROXY_OK);
      ASSERT_UEQ (run.fed, sizeof v6 - 3);
      ASSERT_EQ (run_steps (&cfg, "h", 1, dom, sizeof dom, SEG_2_REST, chunk, &run), PROXY_OK);
      ASSERT_UEQ (run.fed, sizeof dom - 3);
    }
}

TEST (socks4_reply_codes_map)
{
  static const struct
  {
    unsigned char code;
    SocketProxy_Result want;
  } cases[] = {
    { 90, PROXY_OK },
    { 91, PROXY_ERROR_FORBIDDEN },
    { 92, PROXY_ERROR_AUTH_REQUIRED },
    { 93, PROXY_ERROR_AUTH_FAILED },
    { 94, PROXY_ERROR_PROTOCOL },
    { 0, PROXY_ERROR_PROTOCOL },
  };
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS4, NULL, NULL);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (size_t chunk = 0; chunk <= 1; chunk++)
      {
        unsigned char reply[] = { 0, cases[i].code, 0, 0, 0, 0, 0, 0, 'T' };
        Run run;

        ASSERT_EQ (run_one (&cfg, "127.0.0.1", 80, reply, sizeof reply, chunk, &run), cases[i].want);
        if (cases[i].want == PROXY_OK)
          ASSERT_UEQ (run.fed, 8); /* 'T' is tunnel data */
      }
  {
    unsigned char bad[] = { 4, 90, 0, 0, 0, 0, 0, 0 };
    Run run;
    ASSERT_EQ (run_one (&cfg, "127.0.0.1", 80, bad, sizeof bad, 0, &run), PROXY_ERROR_PROTOCOL);
  }
}

TEST (http_status_codes_map)
{
  static const struct
  {
    int status;
    SocketProxy_Result want;
  } cases[] = {
    { 200, PROXY_OK },
    { 204, PROXY_OK },
    { 299, PROXY_OK },
    { 400, PROXY_ERROR_PROTOCOL },
    { 403, PROXY_ERROR_FORBIDDEN },
    { 404, PROXY_ERROR_HOST_UNREACHABLE },
    { 407, PROXY_ERROR_AUTH_REQUIRED },
    { 502, PROXY_ERROR_HOST_UNREACHABLE },
    { 504, PROXY_ERROR_TIMEOUT },
    { 401, PROXY_ERROR },
    { 500, PROXY_ERROR },
    { 503, PROXY_ERROR },
    { 101, PROXY_ERROR_PROTOCOL },
    { 301, PROXY_ERROR_PROTOCOL },
    { 302, PROXY_ERROR_PROTOCOL },
  };
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char reply[128];
      SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "example.com", 443);
      Run run;

      snprintf (reply, sizeof reply, "HTTP/1.1 %d Reason\r\nContent-Length: 0\r\n\r\n", cases[i].status);
      drive (hs, reply, strlen (reply), 0, &run);
      if (run.result != cases[i].want)
        SocketProxyExt_handshake_free (&hs);
      ASSERT_EQ (run.result, cases[i].want);
      ASSERT_EQ (SocketProxyExt_handshake_http_status (hs), cases[i].status);
      if (cases[i].want != PROXY_OK)
        {
          char text[64];
          snprintf (text, sizeof text, "HTTP proxy answered %d", cases[i].status);
          ASSERT_STREQ (SocketProxyExt_handshake_error (hs), text);
        }
      SocketProxyExt_handshake_free (&hs);
    }
}

TEST (http_byte_at_a_time_keeps_tunnel_bytes)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  static const char reply[] = "HTTP/1.0 200 OK\r\nProxy-Agent: t\r\nContent-Length: 5\r\n\r\nTUNNEL";
  Run run;

  ASSERT_EQ (run_one (&cfg, "h", 1, reply, strlen (reply), 1, &run), PROXY_OK);
  ASSERT_UEQ (run.fed, strlen (reply) - 6);
  ASSERT_EQ (run_one (&cfg, "h", 1, reply, strlen (reply), 0, &run), PROXY_OK);
  ASSERT_UEQ (run.fed, strlen (reply) - 6);
  ASSERT_EQ (run_one (&cfg, "h", 1, reply, strlen (reply), 7, &run), PROXY_OK);
  ASSERT_UEQ (run.fed, strlen (reply) - 6);
}

TEST (socks5_byte_at_a_time)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, "user", "pw");
  unsigned char reply[4 + sizeof SOCKS5_OK_V4 + 2] = { 5, 2, 1, 0 };
  Run run;

  memcpy (reply + 4, SOCKS5_OK_V4, sizeof SOCKS5_OK_V4);
  memcpy (reply + 4 + sizeof SOCKS5_OK_V4, "ZZ", 2);
  ASSERT_EQ (run_steps (&cfg, "example.com", 443, reply, sizeof reply, SEG_2_2_REST, 1, &run), PROXY_OK);
  ASSERT_UEQ (run.fed, sizeof reply - 2);
}

TEST (socks5_reply_before_request_sent_is_an_error)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  /* The proxy answers the greeting and sends more before our CONNECT. */
  static const unsigned char reply[] = { 5, 0, 5, 0 };
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  size_t len, used;

  SocketProxyExt_handshake_output (hs, &len);
  SocketProxyExt_handshake_sent (hs, len);
  ASSERT_EQ (SocketProxyExt_handshake_input (hs, reply, sizeof reply, &used), PROXY_ERROR_PROTOCOL);
  SocketProxyExt_handshake_free (&hs);
}

TEST (http_early_reply_only_as_refusal)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  static const char ok[] = "HTTP/1.1 200 OK\r\n\r\n", no[] = "HTTP/1.1 403 Forbidden\r\n\r\n";
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  size_t used;

  SocketProxyExt_handshake_sent (hs, 5); /* part of the request only */
  ASSERT_EQ (SocketProxyExt_handshake_input (hs, (const unsigned char *)ok, sizeof ok - 1, &used),
             PROXY_ERROR_PROTOCOL);
  SocketProxyExt_handshake_free (&hs);
  hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  SocketProxyExt_handshake_sent (hs, 5);
  ASSERT_EQ (SocketProxyExt_handshake_input (hs, (const unsigned char *)no, sizeof no - 1, &used),
             PROXY_ERROR_FORBIDDEN);
  SocketProxyExt_handshake_free (&hs);
}

TEST (http_oversized_head_refused)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  char line[1024];
  size_t len, used, total = 0;
  SocketProxy_Result r = PROXY_IN_PROGRESS;

  SocketProxyExt_handshake_output (hs, &len);
  SocketProxyExt_handshake_sent (hs, len);
  r = SocketProxyExt_handshake_input (hs, (const unsigned char *)"HTTP/1.1 200 OK\r\n", 17, &used);
  memset (line, 'a', sizeof line);
  memcpy (line, "X-Pad: ", 7);
  memcpy (line + sizeof line - 2, "\r\n", 2);
  while (r == PROXY_IN_PROGRESS && total < 4 * SOCKET_PROXYEXT_MAX_HTTP_HEAD)
    {
      r = SocketProxyExt_handshake_input (hs, (const unsigned char *)line, sizeof line, &used);
      ASSERT (used <= sizeof line);
      total += sizeof line;
    }
  ASSERT_EQ (r, PROXY_ERROR_PROTOCOL);
  ASSERT (total <= SOCKET_PROXYEXT_MAX_HTTP_HEAD + sizeof line);
  SocketProxyExt_handshake_free (&hs);
}

TEST (http_garbage_and_truncation)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_HTTP, NULL, NULL);
  static const char *const garbage[] = {
    "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/9.9 200 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", "\x05\x00",
  };
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
    {
      SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
      size_t used;
      Run run;

      drive (hs, garbage[i], strlen (garbage[i]), 0, &run);
      if (run.result == PROXY_IN_PROGRESS) /* waiting for more: then the proxy closes */
        SocketProxyExt_handshake_input (hs, NULL, 0, &used);
      ASSERT_EQ (SocketProxyExt_handshake_result (hs), PROXY_ERROR_PROTOCOL);
      ASSERT (SocketProxyExt_handshake_error (hs) != NULL);
      SocketProxyExt_handshake_free (&hs);
    }
}

TEST (close_mid_reply_is_protocol_error)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  static const unsigned char partial[] = { 5, 0, 5, 0, 0, 1, 10 };
  SocketProxyExt_Handshake_T hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  size_t used;
  Run run;

  drive_steps (hs, partial, sizeof partial, SEG_2_REST, 0, &run);
  ASSERT_EQ (run.result, PROXY_IN_PROGRESS);
  ASSERT_EQ (SocketProxyExt_handshake_input (hs, NULL, 0, &used), PROXY_ERROR_PROTOCOL);
  ASSERT_STREQ (SocketProxyExt_handshake_error (hs), "proxy closed the connection during the handshake");
  /* Final results are stable. */
  ASSERT_EQ (SocketProxyExt_handshake_input (hs, partial, sizeof partial, &used), PROXY_ERROR_PROTOCOL);
  ASSERT_UEQ (used, 0);
  SocketProxyExt_handshake_free (&hs);
}

TEST (handshake_new_rejects_bad_arguments)
{
  SocketProxy_Config cfg = config (SOCKET_PROXY_SOCKS5, NULL, NULL);
  SocketProxy_Config none = config (SOCKET_PROXY_NONE, NULL, NULL);
  char longname[300];
  struct
  {
    const SocketProxy_Config *cfg;
    const char *host;
    int port;
  } cases[] = {
    { NULL, "h", 1 }, { &none, "h", 1 },     { &cfg, NULL, 1 },    { &cfg, "", 1 },
    { &cfg, "h", 0 }, { &cfg, "h", 65536 },  { &cfg, longname, 1 }, { &cfg, "a\r\nb", 1 },
    { &cfg, "[]", 1 },
  };

  memset (longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      volatile int raised = 0;
      TRY { SocketProxyExt_handshake_new (cases[i].cfg, cases[i].host, cases[i].port); }
      EXCEPT (SocketProxy_Failed) { raised = 1; }
      END_TRY;
      if (!raised)
        TEST_FAIL_ ("case %zu did not raise", i);
    }
}

TEST (overlong_credentials_fail_to_build)
{
  char big[300];
  SocketProxy_Config cfg;
  SocketProxyExt_Handshake_T hs;

  memset (big, 'p', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  cfg = config (SOCKET_PROXY_SOCKS5, "u", big);
  hs = SocketProxyExt_handshake_new (&cfg, "h", 1);
  ASSERT_EQ (SocketProxyExt_handshake_result (hs), PROXY_ERROR_PROTOCOL);
  ASSERT (strstr (SocketProxyExt_handshake_error (hs), "Failed to build SOCKS5 greeting") != NULL);
  SocketProxyExt_handshake_free (&hs);
}

/* ------------------------------------------------------------------ */
/* parse_url and strings                                              */
/* ------------------------------------------------------------------ */

TEST (parse_url_table)
{
  static const struct
  {
    const char *url;
    SocketProxyType type;
    const char *host;
    int port;
    const char *user, *pass;
  } ok[] = {
    { "http://proxy.example", SOCKET_PROXY_HTTP, "proxy.example", 8080, NULL, NULL },
    { "HTTPS://proxy.example:3129/", SOCKET_PROXY_HTTPS, "proxy.example", 3129, NULL, NULL },
    { "socks4://10.0.0.1", SOCKET_PROXY_SOCKS4, "10.0.0.1", 1080, NULL, NULL },
    { "socks4a://h:1", SOCKET_PROXY_SOCKS4A, "h", 1, NULL, NULL },
    { "socks5://u:p@h:65535", SOCKET_PROXY_SOCKS5, "h", 65535, "u", "p" },
    { "SOCKS5H://user@h", SOCKET_PROXY_SOCKS5H, "h", 1080, "user", NULL },
    { "socks://[::1]:9050", SOCKET_PROXY_SOCKS5, "::1", 9050, NULL, NULL },
    { "http://[2001:db8::2]", SOCKET_PROXY_HTTP, "2001:db8::2", 8080, NULL, NULL },
    { "http://a:b:c@h:8?x#y", SOCKET_PROXY_HTTP, "h", 8, "a", "b:c" },
    { "http://u:@h", SOCKET_PROXY_HTTP, "h", 8080, "u", "" },
  };
  static const char *const bad[] = {
    "ftp://h",       "h:1080",        "socks5://",         "socks5://:1080",     "socks5://h:0",
    "socks5://h:65536", "socks5://h:12ab", "socks5://h:",    "http://[::1",        "http://[zz]:1",
    "http://[::1]x", "http://@h",     "http://h h",        "socks5://::1:1080",
  };
  SocketProxy_Config cfg;
  char longhost[300], url[400];

  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      if (SocketProxy_parse_url (ok[i].url, &cfg, NULL) != 0)
        TEST_FAIL_ ("%s did not parse", ok[i].url);
      ASSERT_EQ (cfg.type, ok[i].type);
      ASSERT_STREQ (cfg.host, ok[i].host);
      ASSERT_EQ (cfg.port, ok[i].port);
      ASSERT_EQ (cfg.connect_timeout_ms, SOCKET_PROXY_DEFAULT_CONNECT_TIMEOUT_MS);
      if (ok[i].user == NULL)
        ASSERT (cfg.username == NULL);
      else
        ASSERT_STREQ (cfg.username, ok[i].user);
      if (ok[i].pass == NULL)
        ASSERT (cfg.password == NULL);
      else
        ASSERT_STREQ (cfg.password, ok[i].pass);
    }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (SocketProxy_parse_url (bad[i], &cfg, NULL) != -1)
      TEST_FAIL_ ("%s parsed", bad[i]);
  memset (longhost, 'a', sizeof longhost - 1);
  longhost[sizeof longhost - 1] = '\0';
  snprintf (url, sizeof url, "http://%s:1", longhost);
  ASSERT_EQ (SocketProxy_parse_url (url, &cfg, NULL), -1);
  cfg.port = 77;
  ASSERT_EQ (SocketProxy_parse_url (NULL, &cfg, NULL), -1);
  ASSERT_EQ (SocketProxy_parse_url ("", &cfg, NULL), -1);
  ASSERT_EQ (cfg.port, 77); /* untouched */
}

TEST (parse_url_into_arena_survives_later_calls)
{
  Arena_T arena = Arena_new ();
  SocketProxy_Config a, b;

  ASSERT_EQ (SocketProxy_parse_url ("socks5://alice:pw@first:1", &a, arena), 0);
  ASSERT_EQ (SocketProxy_parse_url ("http://second:2", &b, NULL), 0);
  ASSERT_STREQ (a.host, "first");
  ASSERT_STREQ (a.username, "alice");
  ASSERT_STREQ (b.host, "second");
  Arena_dispose (&arena);
}

TEST (string_tables)
{
  static const char *const results[] = {
    "Success",                       "In progress",              "Error",
    "Connection to proxy failed",    "Authentication required",  "Authentication failed",
    "Connection forbidden by proxy", "Target host unreachable",  "Target network unreachable",
    "Target connection refused",     "TTL expired",              "Protocol error",
    "Unsupported command",           "Operation timed out",      "Operation cancelled",
  };
  static const char *const states[] = { "IDLE",      "CONNECTING_PROXY", "TLS_TO_PROXY", "HANDSHAKE_SEND",
                                        "HANDSHAKE_RECV", "AUTH_SEND",   "AUTH_RECV",    "CONNECTED",
                                        "FAILED",    "CANCELLED" };
  static const char *const types[] = { "NONE", "HTTP CONNECT", "HTTPS CONNECT", "SOCKS4", "SOCKS4A", "SOCKS5",
                                       "SOCKS5H" };
  SocketProxy_Config cfg;

  for (int i = 0; i < 15; i++)
    ASSERT_STREQ (SocketProxy_result_string ((SocketProxy_Result)i), results[i]);
  ASSERT_STREQ (SocketProxy_result_string ((SocketProxy_Result)15), "Unknown error");
  ASSERT_STREQ (SocketProxy_result_string ((SocketProxy_Result)-1), "Unknown error");
  for (int i = 0; i < 10; i++)
    ASSERT_STREQ (SocketProxy_state_string ((SocketProxy_State)i), states[i]);
  ASSERT_STREQ (SocketProxy_state_string ((SocketProxy_State)10), "UNKNOWN");
  for (int i = 0; i < 7; i++)
    ASSERT_STREQ (SocketProxy_type_string ((SocketProxyType)i), types[i]);
  ASSERT_STREQ (SocketProxy_type_string ((SocketProxyType)7), "UNKNOWN");
  ASSERT_STREQ (SocketProxy_Failed.reason, "Proxy operation failed");
  memset (&cfg, 0x55, sizeof cfg);
  SocketProxy_config_defaults (&cfg);
  ASSERT_EQ (cfg.type, SOCKET_PROXY_NONE);
  ASSERT (cfg.host == NULL && cfg.username == NULL && cfg.password == NULL && cfg.extra_headers == NULL);
  ASSERT_EQ (cfg.port, 0);
  ASSERT_EQ (cfg.connect_timeout_ms, 30000);
  ASSERT_EQ (cfg.handshake_timeout_ms, 30000);
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
  for (int i = 0; i < 20 && SocketProxy_Conn_state (conn) != PROXY_STATE_HANDSHAKE_RECV; i++)
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
  test_sleep_ms (50);
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

  ASSERT_EQ (fake_script_start (&silent), 0);
  lfd = fake_listen (&closed_port);
  close (lfd);
  before = test_count_fds ();
  cfg = loopback_proxy (SOCKET_PROXY_SOCKS5, silent.port);
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  SocketProxy_Conn_cancel (conn);
  SocketProxy_Conn_free (&conn);
  cfg.port = closed_port;
  conn = SocketProxy_Conn_new (&cfg, "127.0.0.1", 7);
  event_loop (conn, NULL);
  SocketProxy_Conn_free (&conn);
  ASSERT_EQ (RAISES (SocketProxy_Failed, SocketProxy_connect (&cfg, "127.0.0.1", 7)), 1);
  ASSERT_EQ (test_count_fds (), before);
  fake_script_stop (&silent);
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
  for (int i = 0; i < 50 && SocketProxy_Conn_state (conn) != PROXY_STATE_HANDSHAKE_RECV; i++)
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
