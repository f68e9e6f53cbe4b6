/*
 * test_proxy_codec.c - SocketProxy without I/O: the handshake codec byte
 * for byte, reply code mapping, parse_url and the string tables.
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


TEST_MAIN ()
