/*
 * test_ws.c - SocketWS connections over real sockets: handshakes (both
 * roles, subprotocols, extensions, refusals), echo, close handshake,
 * non-blocking event loop (process/poll_events/recv_available, would-block,
 * large queued sends), leftover bytes after the upgrade request,
 * auto-ping with pong timeout, wss over SocketTLS, flat memory over 1M
 * messages, and the README forms. Every peer has receive/send timeouts
 * and every thread is joined with a deadline, so a failed check on one
 * side is reported instead of leaving the other side waiting.
 */
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* sanitizer allocators bypass malloc's statistics: ask them instead */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WS_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WS_SANITIZER_HEAP 1
#endif
#endif
#ifdef WS_SANITIZER_HEAP
size_t __sanitizer_get_current_allocated_bytes (void);
#define HEAP_IN_USE() __sanitizer_get_current_allocated_bytes ()
#else
#define HEAP_IN_USE() mallinfo2 ().uordblks
#endif

#include "SocketTestUtil.h"
#include "Test.h"
#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTP1.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"
#if SOCKET_HAS_TLS
#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#endif

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

/* a blocking peer gives up after this long: a check that fails on one
 * side of a pair then fails the other side too, instead of hanging it */
#define PEER_TIMEOUT_S 10

static void
peer_deadline (Socket_T s)
{
  struct timeval tv = { PEER_TIMEOUT_S, 0 };

  setsockopt (Socket_fd (s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (Socket_fd (s), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void
pair_new (Socket_T *a, Socket_T *b)
{
  SocketPair_new (SOCK_STREAM, a, b);
  peer_deadline (*a);
  peer_deadline (*b);
}

/* join a peer thread; one still stuck well past its socket timeouts means
 * the test cannot clean up safely, so the run ends here, failed */
static void
join_peer (pthread_t th)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_sec += 3 * PEER_TIMEOUT_S;
  if (pthread_timedjoin_np (th, NULL, &ts) != 0)
    {
      fprintf (stderr, "  peer thread still running after %d s: giving up\n", 3 * PEER_TIMEOUT_S);
      fflush (NULL);
      _exit (1);
    }
}

/* read an HTTP head byte by byte (what follows stays in the socket);
 * -1 on EOF, error or the receive timeout (Socket_recv returns 0) */
static ssize_t
read_head (Socket_T s, char *buf, size_t cap)
{
  volatile size_t n = 0;
  volatile int done = 0;

  TRY
  {
    while (!done && n + 1 < cap)
      {
        if (Socket_recv (s, buf + n, 1) <= 0)
          break;
        n++;
        if (n >= 4 && memcmp (buf + n - 4, "\r\n\r\n", 4) == 0)
          done = 1;
      }
  }
  ELSE { done = 0; }
  END_TRY;
  if (!done)
    return -1;
  buf[n] = '\0';
  return (ssize_t)n;
}

/* sends one text message from a thread while the caller receives: a
 * message larger than the socket buffers cannot be sent and received by
 * one thread on blocking sockets */
typedef struct
{
  SocketWS_T ws;
  const char *data;
  size_t len;
  int rc;
} Sender;

static void *
sender_thread (void *arg)
{
  Sender *sd = arg;
  sd->rc = SocketWS_send_text (sd->ws, sd->data, sd->len);
  return NULL;
}

/* receive one message on @p to while a thread sends @p data on @p from;
 * 1 when it arrived intact */
static int
relay (SocketWS_T from, SocketWS_T to, const char *data, size_t len)
{
  Sender sd = { from, data, len, -1 };
  SocketWS_Message m;
  pthread_t th;
  int r, ok;

  pthread_create (&th, NULL, sender_thread, &sd);
  r = SocketWS_recv_message (to, &m);
  join_peer (th);
  ok = sd.rc == 0 && r == 1 && m.len == len && memcmp (m.data, data, len) == 0;
  if (!ok)
    fprintf (stderr, "  relay: send %d, recv %d (error %d), %zu of %zu bytes\n", sd.rc, r,
             (int)SocketWS_last_error (to), m.len, len);
  SocketWS_Message_free (&m);
  return ok;
}

typedef struct
{
  Socket_T sock;
  SocketWS_Config cfg;
  SocketWS_T ws;
  const char *fail;
  Arena_T arena;
} Server;

/* server side of an upgrade: parse the request from sock and accept */
static void *
server_accept_thread (void *arg)
{
  Server *sv = arg;
  char head[4096];
  ssize_t n = read_head (sv->sock, head, sizeof head);
  SocketHTTP1_Parser_T p;
  size_t used;
  volatile int failed = 0;

  sv->arena = Arena_new ();
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, sv->arena);
  if (n < 0 || SocketHTTP1_Parser_execute (p, head, (size_t)n, &used) != HTTP1_OK)
    {
      sv->fail = "request unreadable";
      return NULL;
    }
  TRY { sv->ws = SocketWS_server_accept (sv->sock, SocketHTTP1_Parser_get_request (p), &sv->cfg); }
  EXCEPT (SocketWS_Failed) { failed = 1; }
  END_TRY;
  if (failed)
    {
      sv->fail = "accept raised";
      return NULL;
    }
  if (SocketWS_handshake (sv->ws) != 0)
    sv->fail = "server handshake";
  return NULL;
}

/* client + server WebSockets over a socketpair */
static int
ws_pair (SocketWS_Config *ccfg, SocketWS_Config *scfg, Socket_T *cs, Socket_T *ss, SocketWS_T *cw, SocketWS_T *sw,
         Arena_T *arena)
{
  Server sv;
  pthread_t th;
  int rc;

  pair_new (cs, ss);
  memset (&sv, 0, sizeof sv);
  sv.sock = *ss;
  if (scfg)
    sv.cfg = *scfg;
  else
    SocketWS_config_defaults (&sv.cfg);
  pthread_create (&th, NULL, server_accept_thread, &sv);
  *cw = SocketWS_client_new (*cs, "localhost", "/chat", ccfg);
  rc = SocketWS_handshake (*cw);
  join_peer (th);
  *sw = sv.ws;
  *arena = sv.arena;
  if (sv.fail)
    fprintf (stderr, "  server: %s\n", sv.fail);
  return rc == 0 && sv.fail == NULL;
}

static void
pair_free (Socket_T *cs, Socket_T *ss, SocketWS_T *cw, SocketWS_T *sw, Arena_T *arena)
{
  SocketWS_free (cw);
  SocketWS_free (sw);
  Socket_free (cs);
  Socket_free (ss);
  if (*arena)
    Arena_dispose (arena);
}

/* ------------------------------------------------------------------ */
/* basics                                                             */
/* ------------------------------------------------------------------ */

TEST (config_defaults_and_initializer_agree)
{
  SocketWS_Config a, b = SOCKETWS_CONFIG_DEFAULTS;

  memset (&a, 0xff, sizeof a);
  SocketWS_config_defaults (&a);
  ASSERT_EQ (a.role, WS_ROLE_CLIENT);
  ASSERT_UEQ (a.max_frame_size, 16u << 20);
  ASSERT_UEQ (a.max_message_size, 64u << 20);
  ASSERT_UEQ (a.max_fragments, 1000);
  ASSERT_EQ (a.validate_utf8, 1);
  ASSERT_EQ (a.enable_permessage_deflate, 0);
  ASSERT_EQ (a.deflate_max_window_bits, 15);
  ASSERT_EQ (a.ping_interval_ms, 0);
  ASSERT_EQ (a.ping_timeout_ms, 30000);
  ASSERT (a.subprotocols == NULL);
  ASSERT (memcmp (&a.max_frame_size, &b.max_frame_size, sizeof a - offsetof (SocketWS_Config, max_frame_size)) == 0);
  ASSERT_EQ (sizeof (SocketWS_Config), 64);
  ASSERT_EQ (sizeof (SocketWS_Message), 24);
  ASSERT_EQ (sizeof (SocketWS_Frame), 32);
}

TEST (error_strings)
{
  ASSERT_STREQ (SocketWS_error_string (WS_OK), "OK");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR), "General error");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_HANDSHAKE), "Handshake failed");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_PROTOCOL), "Protocol error");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_FRAME_TOO_LARGE), "Frame too large");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_MESSAGE_TOO_LARGE), "Message too large");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_INVALID_UTF8), "Invalid UTF-8");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_COMPRESSION), "Compression error");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_CLOSED), "Connection closed");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_WOULD_BLOCK), "Would block");
  ASSERT_STREQ (SocketWS_error_string (WS_ERROR_TIMEOUT), "Timeout");
  ASSERT_STREQ (SocketWS_error_string ((SocketWS_Error)99), "Unknown error");
  ASSERT_STREQ (SocketWS_Failed.reason, "WebSocket operation failed");
  ASSERT_STREQ (SocketWS_ProtocolError.reason, "WebSocket protocol error");
  ASSERT_STREQ (SocketWS_Closed.reason, "WebSocket connection closed");
}

TEST (message_free_and_opcode_alias)
{
  SocketWS_Message m;

  m.type = WS_OPCODE_BINARY;
  ASSERT_EQ (m.opcode, WS_OPCODE_BINARY);
  m.data = malloc (4);
  m.len = 4;
  SocketWS_Message_free (&m);
  ASSERT (m.data == NULL && m.len == 0);
  SocketWS_Message_free (&m);
  SocketWS_Message_free (NULL);
}

/* ------------------------------------------------------------------ */
/* handshakes                                                         */
/* ------------------------------------------------------------------ */

TEST (echo_with_subprotocol_and_close_handshake)
{
  static const char *cprotos[] = { "chat", "superchat", NULL };
  static const char *sprotos[] = { "SuperChat", NULL };
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  SocketWS_Message m;

  SocketWS_config_defaults (&cc);
  cc.subprotocols = cprotos;
  SocketWS_config_defaults (&sc);
  sc.subprotocols = sprotos;
  /* the server matches case-insensitively and answers with its own
   * spelling, which this client never offered: the client refuses */
  ASSERT (!ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  ASSERT_STREQ (SocketWS_selected_subprotocol (sw), "SuperChat");
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_HANDSHAKE);
  ASSERT (SocketWS_selected_subprotocol (cw) == NULL);
  pair_free (&cs, &ss, &cw, &sw, &arena);

  sprotos[0] = "superchat";
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  ASSERT_STREQ (SocketWS_selected_subprotocol (cw), "superchat");
  ASSERT_EQ (SocketWS_state (cw), WS_STATE_OPEN);
  ASSERT_EQ (SocketWS_send_text (cw, "hello", 5), 0);
  ASSERT_EQ (SocketWS_recv_message (sw, &m), 1);
  ASSERT_EQ (m.opcode, WS_OPCODE_TEXT);
  ASSERT_EQ (m.len, 5);
  ASSERT_STREQ ((char *)m.data, "hello");
  ASSERT_EQ (SocketWS_send_binary (sw, m.data, m.len), 0);
  SocketWS_Message_free (&m);
  ASSERT_EQ (SocketWS_recv_message (cw, &m), 1);
  ASSERT_EQ (m.type, WS_OPCODE_BINARY);
  SocketWS_Message_free (&m);
  /* close: 4-argument README form */
  ASSERT_EQ (SocketWS_close (cw, WS_CLOSE_NORMAL, "Goodbye", 7), 0);
  ASSERT_EQ (SocketWS_state (cw), WS_STATE_CLOSING);
  ASSERT_EQ (SocketWS_close (cw, WS_CLOSE_NORMAL, "again"), 0); /* idempotent */
  ASSERT_EQ (SocketWS_recv_message (sw, &m), 0);
  ASSERT_EQ (SocketWS_close_code (sw), 1000);
  ASSERT_STREQ (SocketWS_close_reason (sw), "Goodbye");
  ASSERT_EQ (SocketWS_state (sw), WS_STATE_CLOSED);
  ASSERT_EQ (SocketWS_recv_message (cw, &m), 0);
  ASSERT_EQ (SocketWS_state (cw), WS_STATE_CLOSED);
  ASSERT_EQ (SocketWS_close_code (cw), 1000);
  ASSERT_EQ (SocketWS_send_text (cw, "x", 1), -1);
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_CLOSED);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

/* with permessage-deflate compiled in both ends agree on it; without,
 * the offer is never sent and the connection runs uncompressed */
TEST (deflate_negotiated_both_ways)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  const int avail = SocketWSExt_deflate_available ();
  char *big = malloc (300000);
  int round;

  ASSERT (big != NULL);
#if SOCKETWS_HAS_DEFLATE || SOCKETHTTP1_HAS_COMPRESSION
  ASSERT_EQ (avail, 1);
#else
  ASSERT_EQ (avail, 0);
#endif
  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  cc.enable_permessage_deflate = sc.enable_permessage_deflate = 1;
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  ASSERT_EQ (SocketWS_compression_enabled (cw), avail);
  ASSERT_EQ (SocketWS_compression_enabled (sw), avail);
  for (int i = 0; i < 300000; i++)
    big[i] = (char)('A' + (i / 7) % 26);
  for (round = 0; round < 3; round++)
    if (!relay (cw, sw, big, 300000) || !relay (sw, cw, big, 300000))
      break;
  free (big);
  pair_free (&cs, &ss, &cw, &sw, &arena);
  ASSERT_EQ (round, 3);
}

/* a raw server answering the client's request with a canned response */
typedef struct
{
  Socket_T sock;
  const char *response; /* "%s" is replaced by the right accept value */
  int wrong_accept;
  char request[4096]; /* the client's request head, "" if unreadable */
} RawServer;

static void *
raw_server_thread (void *arg)
{
  RawServer *rs = arg;
  char *head = rs->request, resp[2048];
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  const char *k;

  if (read_head (rs->sock, head, sizeof rs->request) < 0)
    {
      head[0] = '\0';
      return NULL;
    }
  k = strstr (head, "Sec-WebSocket-Key: ");
  if (k == NULL)
    return NULL;
  {
    char key[25];
    memcpy (key, k + 19, 24);
    key[24] = '\0';
    if (rs->wrong_accept)
      key[0] ^= 1;
    SocketCrypto_websocket_accept (key, accept);
  }
  {
    /* the canned response has one "%s" where the accept value goes */
    const char *at = strstr (rs->response, "%s");
    size_t pre = at ? (size_t)(at - rs->response) : strlen (rs->response);
    snprintf (resp, sizeof resp, "%.*s%s%s", (int)pre, rs->response, at ? accept : "", at ? at + 2 : "");
  }
  Socket_sendall (rs->sock, resp, strlen (resp));
  return NULL;
}

/* the client's handshake against a canned response: 0 accepted, -1
 * refused as it should be, -2/-3 refused wrongly; the request head sent
 * is copied to @p request_out (when not NULL) */
static int
client_against_req (const char *response, int wrong_accept, SocketWS_Config *cfg, char *request_out, size_t cap)
{
  Socket_T cs, ss;
  RawServer rs;
  pthread_t th;
  SocketWS_T ws;
  int rc;

  memset (&rs, 0, sizeof rs);
  rs.response = response;
  rs.wrong_accept = wrong_accept;
  pair_new (&cs, &ss);
  rs.sock = ss;
  pthread_create (&th, NULL, raw_server_thread, &rs);
  ws = SocketWS_client_new (cs, "example.com", "/x?y=1", cfg);
  rc = SocketWS_handshake (ws);
  join_peer (th);
  if (request_out)
    snprintf (request_out, cap, "%s", rs.request);
  if (rc < 0 && SocketWS_last_error (ws) != WS_ERROR_HANDSHAKE)
    rc = -2;
  if (rc < 0 && SocketWS_state (ws) != WS_STATE_CLOSED)
    rc = -3;
  SocketWS_free (&ws);
  Socket_free (&cs);
  Socket_free (&ss);
  return rc;
}

static int
client_against (const char *response, int wrong_accept, SocketWS_Config *cfg)
{
  return client_against_req (response, wrong_accept, cfg, NULL, 0);
}

#define OK_101 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"

TEST (client_handshake_checks)
{
  static const char *protos[] = { "a", "b", NULL };
  SocketWS_Config cfg;
  char request[4096];

  SocketWS_config_defaults (&cfg);
  ASSERT_EQ (client_against (OK_101 "\r\n", 0, NULL), 0);
  ASSERT_EQ (client_against (OK_101 "\r\n", 1, NULL), -1); /* bad accept */
  ASSERT_EQ (client_against ("HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n%s", 0, NULL),
             -1);
  ASSERT_EQ (client_against ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n%s", 0, NULL), -1);
  ASSERT_EQ (client_against ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                             0, NULL),
             -1);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Protocol: c\r\n\r\n", 0, NULL), -1);
  cfg.subprotocols = protos;
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Protocol: b\r\n\r\n", 0, &cfg), 0);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Protocol: c\r\n\r\n", 0, &cfg), -1);
  /* an extension we did not offer */
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 0, NULL), -1);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: x-unknown\r\n\r\n", 0, NULL), -1);
  cfg.enable_permessage_deflate = 1;
  ASSERT_EQ (client_against_req (OK_101 "\r\n", 0, &cfg, request, sizeof request), 0);
  if (!SocketWSExt_deflate_available ())
    {
      /* nothing offered, so a 101 that selects it anyway is refused */
      ASSERT (strstr (request, "GET /x?y=1 HTTP/1.1\r\n") == request);
      ASSERT (strstr (request, "Sec-WebSocket-Extensions") == NULL);
      ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 0, &cfg), -1);
      ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n",
                                 0, &cfg),
                 -1);
      return;
    }
  ASSERT (strstr (request, "Sec-WebSocket-Extensions: permessage-deflate\r\n") != NULL);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n",
                             0, &cfg),
             0);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n\r\n", 0, &cfg), -1);
  ASSERT_EQ (client_against (OK_101 "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n\r\n",
                             0, &cfg),
             -1); /* we did not offer client_max_window_bits */
}

TEST (client_new_rejects_bad_input)
{
  Socket_T a, b;
  char longpath[5000];

  pair_new (&a, &b);
  ASSERT (RAISES (SocketWS_Failed, SocketWS_client_new (a, NULL, "/", NULL)));
  ASSERT (RAISES (SocketWS_Failed, SocketWS_client_new (a, "h\r\nX: y", "/", NULL)));
  ASSERT (RAISES (SocketWS_Failed, SocketWS_client_new (a, "h", "/a b", NULL)));
  memset (longpath, 'a', sizeof longpath - 1);
  longpath[0] = '/';
  longpath[sizeof longpath - 1] = '\0';
  ASSERT (RAISES (SocketWS_Failed, SocketWS_client_new (a, "h", longpath, NULL)));
  Socket_free (&a);
  Socket_free (&b);
}

static SocketHTTP_Request *
parse_req (Arena_T arena, const char *text)
{
  SocketHTTP1_Parser_T p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  size_t used;

  if (SocketHTTP1_Parser_execute (p, text, strlen (text), &used) != HTTP1_OK)
    return NULL;
  return (SocketHTTP_Request *)SocketHTTP1_Parser_get_request (p);
}

#define REQ_HEAD "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
#define GOOD_KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

TEST (server_accept_validation_and_is_upgrade)
{
  Arena_T arena = Arena_new ();
  Socket_T a, b;
  SocketHTTP_Request *r;
  SocketWS_T ws;
  char head[1024];

  pair_new (&a, &b);
  r = parse_req (arena, REQ_HEAD "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" GOOD_KEY
                                 "Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\r\n");
  ASSERT (r != NULL);
  ASSERT_EQ (SocketWS_is_upgrade (r), 1);
  ws = SocketWS_server_accept (a, r, NULL);
  ASSERT_EQ (SocketWS_handshake (ws), 0);
  ASSERT_EQ (SocketWS_handshake (ws), -1); /* not CONNECTING any more */
  ASSERT (read_head (b, head, sizeof head) > 0);
  ASSERT (strstr (head, "HTTP/1.1 101 ") == head);
  ASSERT (strstr (head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != NULL);
  SocketWS_free (&ws);
  ASSERT (ws == NULL);
  SocketWS_free (&ws);

  ASSERT_EQ (SocketWS_is_upgrade (NULL), 0);
  r = parse_req (arena, REQ_HEAD "\r\n");
  ASSERT_EQ (SocketWS_is_upgrade (r), 0);
  /* each invalid request raises SocketWS_Failed */
  {
    static const char *bad[] = {
      "POST /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" GOOD_KEY
      "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
      "GET /chat HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" GOOD_KEY
      "Sec-WebSocket-Version: 13\r\n\r\n",
      REQ_HEAD "Upgrade: h2c\r\nConnection: Upgrade\r\n" GOOD_KEY "Sec-WebSocket-Version: 13\r\n\r\n",
      REQ_HEAD "Upgrade: websocket\r\nConnection: close\r\n" GOOD_KEY "Sec-WebSocket-Version: 13\r\n\r\n",
      REQ_HEAD "Upgrade: websocket\r\nConnection: Upgrade\r\n" GOOD_KEY "Sec-WebSocket-Version: 8\r\n\r\n",
      REQ_HEAD "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
      REQ_HEAD "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
      REQ_HEAD "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!\r\nSec-WebSocket-Version: 13\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
      {
        r = parse_req (arena, bad[i]);
        ASSERT (r != NULL);
        if (!RAISES (SocketWS_Failed, SocketWS_server_accept (a, r, NULL)))
          TEST_FAIL_ ("bad request %zu accepted", i);
      }
  }
  Socket_free (&a);
  Socket_free (&b);
  Arena_dispose (&arena);
}

TEST (server_reject_sends_status)
{
  Socket_T a, b;
  char buf[1024];
  ssize_t n;

  pair_new (&a, &b);
  SocketWS_server_reject (a, 400, "Bad Request");
  n = Socket_recv (b, buf, sizeof buf - 1);
  ASSERT (n > 0);
  buf[n] = '\0';
  ASSERT (strstr (buf, "HTTP/1.1 400 Bad Request\r\n") == buf);
  ASSERT (strstr (buf, "Content-Length: 11\r\n") != NULL);
  ASSERT (strstr (buf, "Connection: close\r\n\r\nBad Request") != NULL);
  SocketWS_server_reject (a, 403, NULL);
  n = Socket_recv (b, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  ASSERT (strstr (buf, "403 Rejected") != NULL);
  SocketWS_server_reject (NULL, 400, "x");
  Socket_free (&a);
  Socket_free (&b);
}

TEST (leftover_bytes_after_request_reach_the_codec)
{
  Arena_T arena = Arena_new ();
  Socket_T a, b;
  char req[1024], key[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE], all[2048];
  SocketWSExt_Codec_T client;
  SocketWS_Config cfg;
  SocketHTTP1_Parser_T p;
  SocketWS_T ws;
  SocketWS_Message m;
  const unsigned char *out;
  size_t olen, used;
  ssize_t n;

  pair_new (&a, &b);
  SocketCrypto_websocket_key (key);
  n = SocketWSExt_client_request (req, sizeof req, "h", "/", key, NULL, NULL);
  ASSERT (n > 0);
  SocketWS_config_defaults (&cfg);
  client = SocketWSExt_codec_new (&cfg, NULL);
  ASSERT_EQ (SocketWSExt_send_message (client, WS_OPCODE_TEXT, "first frame", 11), WS_OK);
  out = SocketWSExt_output (client, &olen);
  memcpy (all, req, (size_t)n);
  memcpy (all + n, out, olen);
  /* the server read the request and the frame in one go */
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  ASSERT_EQ (SocketHTTP1_Parser_execute (p, all, (size_t)n + olen, &used), HTTP1_OK);
  ASSERT_EQ (used, (size_t)n);
  ws = SocketWSExt_server_accept_data (a, SocketHTTP1_Parser_get_request (p), NULL, all + used, olen);
  ASSERT_EQ (SocketWS_handshake (ws), 0);
  ASSERT_EQ (SocketWS_recv_available (ws), 1);
  ASSERT_EQ (SocketWS_recv_message (ws, &m), 1);
  ASSERT_STREQ ((char *)m.data, "first frame");
  SocketWS_Message_free (&m);
  SocketWSExt_codec_free (&client);
  SocketWS_free (&ws);
  Socket_free (&a);
  Socket_free (&b);
  Arena_dispose (&arena);
}

/* ------------------------------------------------------------------ */
/* event loop                                                         */
/* ------------------------------------------------------------------ */

TEST (nonblocking_event_loop_large_messages)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  SocketWS_Message m;
  SocketPoll_T poll;
  size_t big = 8u << 20;
  unsigned char *data = malloc (big);
  int got = 0, rounds = 0;

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  cc.max_frame_size = 1 << 20; /* the 8 MiB message goes out in 1 MiB frames */
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  Socket_setnonblocking (cs);
  Socket_setnonblocking (ss);
  /* nothing to read: not an error, state stays OPEN */
  ASSERT_EQ (SocketWS_process (sw, POLL_READ), 0);
  ASSERT_EQ (SocketWS_state (sw), WS_STATE_OPEN);
  ASSERT_EQ (SocketWS_recv_available (sw), 0);
  ASSERT_EQ (SocketWS_recv_message (sw, &m), -1);
  ASSERT_EQ (SocketWS_last_error (sw), WS_ERROR_WOULD_BLOCK);
  ASSERT (m.data == NULL);

  for (size_t i = 0; i < big; i++)
    data[i] = (unsigned char)(i * 31 + (i >> 12));
  ASSERT_EQ (SocketWS_send_binary (cw, data, big), 0); /* never fails for size */
  ASSERT (SocketWS_poll_events (cw) & POLL_WRITE);
  ASSERT_EQ (SocketWS_send_text (cw, "after", 5), 0);
  poll = SocketPoll_new (8);
  SocketPoll_add (poll, cs, SocketWS_poll_events (cw), cw);
  SocketPoll_add (poll, ss, SocketWS_poll_events (sw), sw);
  while (got < 2 && rounds++ < 100000)
    {
      SocketEvent_T *ev;
      int n = SocketPoll_wait (poll, &ev, 1000);
      for (int i = 0; i < n; i++)
        {
          SocketWS_T w = ev[i].data;
          SocketWS_process (w, ev[i].events);
          SocketPoll_mod (poll, ev[i].socket, SocketWS_poll_events (w), w);
        }
      while (SocketWS_recv_available (sw) > 0)
        {
          ASSERT_EQ (SocketWS_recv_message (sw, &m), 1);
          if (got == 0)
            {
              ASSERT_EQ (m.len, big);
              ASSERT (memcmp (m.data, data, big) == 0);
            }
          else
            ASSERT_STREQ ((char *)m.data, "after");
          got++;
          SocketWS_Message_free (&m);
        }
    }
  ASSERT_EQ (got, 2);
  ASSERT_EQ (SocketWS_poll_events (cw), POLL_READ);
  /* pings answered inside process; pong counted by the codec */
  ASSERT_EQ (SocketWS_ping (cw, "abc", 3), 0);
  ASSERT_EQ (SocketWS_ping (cw, data, 126), -1);
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_PROTOCOL);
  for (int64_t end = test_now_ms () + 20000;
       SocketWSExt_pongs_received (SocketWSExt_codec (cw)) == 0 && test_now_ms () < end;)
    {
      SocketWS_process (sw, POLL_READ | POLL_WRITE);
      SocketWS_process (cw, POLL_READ | POLL_WRITE);
      usleep (1000);
    }
  ASSERT_EQ (SocketWSExt_pongs_received (SocketWSExt_codec (cw)), 1);
  /* peer vanishes: EOF → CLOSED 1006, no exception */
  Socket_shutdown (cs, SHUT_RDWR);
  for (int64_t end = test_now_ms () + 20000;
       SocketWS_state (sw) != WS_STATE_CLOSED && test_now_ms () < end;)
    {
      SocketWS_process (sw, POLL_READ);
      usleep (1000);
    }
  ASSERT_EQ (SocketWS_state (sw), WS_STATE_CLOSED);
  ASSERT_EQ (SocketWS_close_code (sw), 1006);
  SocketPoll_free (&poll);
  free (data);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

TEST (protocol_error_sends_close_itself)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  SocketWS_Message m;
  SocketWSExt_Codec_T raw;
  const unsigned char *out;
  size_t olen;

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  /* an invalid UTF-8 TEXT written raw by a client codec without checks */
  cc.validate_utf8 = 0;
  raw = SocketWSExt_codec_new (&cc, NULL);
  ASSERT_EQ (SocketWSExt_send_message (raw, WS_OPCODE_TEXT, "\xc0\xaf", 2), WS_OK);
  out = SocketWSExt_output (raw, &olen);
  Socket_sendall (cs, out, olen);
  ASSERT_EQ (SocketWS_recv_message (sw, &m), 0);
  ASSERT_EQ (SocketWS_close_code (sw), 1007);
  ASSERT_EQ (SocketWS_last_error (sw), WS_ERROR_INVALID_UTF8);
  /* the client sees the 1007 close the server sent */
  ASSERT_EQ (SocketWS_recv_message (cw, &m), 0);
  ASSERT_EQ (SocketWS_close_code (cw), 1007);
  SocketWSExt_codec_free (&raw);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

TEST (send_limits_and_invalid_close_codes)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  char buf[2000];

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  cc.max_message_size = 1000;
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  memset (buf, 'a', sizeof buf);
  buf[sizeof buf - 1] = '\0';
  ASSERT_EQ (SocketWS_send_binary (cw, buf, 1001), -1);
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_MESSAGE_TOO_LARGE);
  ASSERT_EQ (SocketWS_send_text (cw, "\xff", 1), -1);
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_INVALID_UTF8);
  ASSERT_EQ (SocketWS_close (cw, 1006, NULL), -1);
  ASSERT_EQ (SocketWS_close (cw, 1015, NULL), -1);
  ASSERT_EQ (SocketWS_close (cw, 999, NULL), -1);
  ASSERT_EQ (SocketWS_last_error (cw), WS_ERROR_PROTOCOL);
  ASSERT_EQ (SocketWS_state (cw), WS_STATE_OPEN);
  ASSERT_EQ (SocketWS_close (cw, 4000, buf), 0); /* reason truncated to 123 */
  ASSERT_EQ (strlen (SocketWS_close_reason (cw)), 123);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

TEST (auto_ping_and_pong_timeout)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  SocketPoll_T poll;
  int64_t end;

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  sc.ping_interval_ms = 20;
  /* The client answers only between our waits: a timeout a descheduled
   * loop can reach would close a connection whose peer does answer. */
  sc.ping_timeout_ms = 2000;
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  Socket_setnonblocking (cs);
  Socket_setnonblocking (ss);
  poll = SocketPoll_new (4);
  SocketPoll_add (poll, ss, POLL_READ, sw);
  ASSERT_EQ (SocketWS_enable_auto_ping (sw, NULL), -1);
  ASSERT_EQ (SocketWS_enable_auto_ping (sw, poll), 0);
  /* while the client answers, pongs keep the connection open */
  end = test_now_ms () + 300;
  for (int64_t limit = test_now_ms () + 20000;
       (test_now_ms () < end || SocketWSExt_pongs_received (SocketWSExt_codec (sw)) < 2)
       && test_now_ms () < limit;)
    {
      SocketEvent_T *ev;
      int n = SocketPoll_wait (poll, &ev, 10);
      for (int i = 0; i < n; i++)
        SocketWS_process (sw, ev[i].events);
      SocketWS_process (cw, POLL_READ | POLL_WRITE);
    }
  ASSERT_EQ (SocketWS_state (sw), WS_STATE_OPEN);
  ASSERT (SocketWSExt_pongs_received (SocketWSExt_codec (sw)) >= 2);
  /* the client goes silent: the server gives up after the timeout */
  end = test_now_ms () + 30000;
  while (SocketWS_state (sw) == WS_STATE_OPEN && test_now_ms () < end)
    {
      SocketEvent_T *ev;
      int n = SocketPoll_wait (poll, &ev, 10);
      for (int i = 0; i < n; i++)
        SocketWS_process (sw, ev[i].events);
    }
  ASSERT_EQ (SocketWS_state (sw), WS_STATE_CLOSED);
  ASSERT_EQ (SocketWS_last_error (sw), WS_ERROR_TIMEOUT);
  ASSERT_EQ (SocketWS_close_code (sw), WS_CLOSE_ABNORMAL);
  SocketWS_disable_auto_ping (sw);
  SocketWS_disable_auto_ping (sw);
  SocketPoll_free (&poll);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

/* ------------------------------------------------------------------ */
/* memory                                                             */
/* ------------------------------------------------------------------ */

TEST (memory_flat_over_a_million_messages)
{
  SocketWS_Config cc, sc;
  Socket_T cs, ss;
  SocketWS_T cw, sw;
  Arena_T arena;
  SocketWS_Message m;
  unsigned char payload[125];
  size_t base = 0, after;
  const int total = 1000000;

  memset (payload, 'm', sizeof payload);
  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  ASSERT (ws_pair (&cc, &sc, &cs, &ss, &cw, &sw, &arena));
  for (int i = 0; i < total; i++)
    {
      payload[0] = (unsigned char)i;
      if (SocketWS_send_binary (cw, payload, sizeof payload) != 0)
        TEST_FAIL_ ("send %d failed", i);
      if (SocketWS_recv_message (sw, &m) != 1 || m.len != sizeof payload || m.data[0] != (unsigned char)i)
        TEST_FAIL_ ("message %d lost", i);
      SocketWS_Message_free (&m);
      if (i == 10000)
        base = HEAP_IN_USE ();
    }
  after = HEAP_IN_USE ();
  printf ("  heap in use after 10k: %zu, after %d: %zu\n", base, total, after);
  ASSERT (base > 0);
  ASSERT (after <= base + 4096);
  pair_free (&cs, &ss, &cw, &sw, &arena);
}

/* ------------------------------------------------------------------ */
/* wss                                                                */
/* ------------------------------------------------------------------ */

#if SOCKET_HAS_TLS
TEST (wss_over_tls)
{
  SocketTLSContext_T sctx, cctx;
  Socket_T listener, c, s;
  SocketWS_T cw, sw;
  SocketWS_Config cc, sc;
  Server sv;
  pthread_t th;
  SocketWS_Message m;
  int port, hs;
  char *big;

  if (tls_test_certs_init () != 0)
    TEST_SKIP ("openssl CLI missing: cannot make test certificates");
  sctx = SocketTLSContext_new_server (tls_cert ("server-chain.pem"), tls_cert ("server.key"), NULL);
  cctx = SocketTLSContext_new_client (tls_cert ("ca.crt"));
  listener = tls_test_listen (&port);
  tls_test_pair (listener, port, &c, &s);
  SocketTLS_enable (c, cctx);
  SocketTLS_set_hostname (c, "localhost");
  SocketTLS_enable (s, sctx);
  ASSERT (tls_test_connect (c, s));
  /* back to blocking for the WebSocket handshake in two threads */
  {
    int fl = fcntl (Socket_fd (c), F_GETFL);
    fcntl (Socket_fd (c), F_SETFL, fl & ~O_NONBLOCK);
    fl = fcntl (Socket_fd (s), F_GETFL);
    fcntl (Socket_fd (s), F_SETFL, fl & ~O_NONBLOCK);
  }
  peer_deadline (c);
  peer_deadline (s);
  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  cc.enable_permessage_deflate = sc.enable_permessage_deflate = 1;
  memset (&sv, 0, sizeof sv);
  sv.sock = s;
  sv.cfg = sc;
  pthread_create (&th, NULL, server_accept_thread, &sv);
  cw = SocketWS_client_new (c, "localhost", "/secure", &cc);
  hs = SocketWS_handshake (cw);
  join_peer (th); /* before any check: the thread uses sv on this stack */
  ASSERT_EQ (hs, 0);
  ASSERT (sv.fail == NULL);
  sw = sv.ws;
  ASSERT_EQ (SocketWS_compression_enabled (cw), SocketWSExt_deflate_available ());
  ASSERT_EQ (SocketWS_compression_enabled (sw), SocketWSExt_deflate_available ());
  big = malloc (200000);
  ASSERT (big != NULL);
  for (int i = 0; i < 200000; i++)
    big[i] = (char)('a' + i % 13);
  ASSERT (relay (cw, sw, big, 200000));
  ASSERT_EQ (SocketWS_send_text (sw, "secure echo", 11), 0);
  ASSERT_EQ (SocketWS_recv_message (cw, &m), 1);
  ASSERT_STREQ ((char *)m.data, "secure echo");
  SocketWS_Message_free (&m);
  ASSERT_EQ (SocketWS_close (cw, 1000, "done"), 0);
  ASSERT_EQ (SocketWS_recv_message (sw, &m), 0);
  ASSERT_EQ (SocketWS_close_code (sw), 1000);
  free (big);
  SocketWS_free (&cw);
  SocketWS_free (&sw);
  Arena_dispose (&sv.arena);
  Socket_free (&c);
  Socket_free (&s);
  Socket_free (&listener);
  SocketTLSContext_free (&sctx);
  SocketTLSContext_free (&cctx);
}
#endif

TEST_MAIN ()
