/*
 * fuzz_http_server.c - arbitrary bytes from a client of SocketHTTPServer:
 * a socketpair end is adopted as a server connection, the input is
 * written to the other end in chunks, the server loop runs between
 * chunks and the responses are drained; at the end the client closes and
 * the loop runs until the connection is gone. HTTP/1 framing, limits,
 * 100-continue, pipelining, the WebSocket and h2c upgrades and HTTP/2
 * (prior knowledge) all see the bytes.
 *
 * Input: byte 0 picks the options, the rest is the client's byte stream.
 *   bit 0  max_version HTTP/2 (prior knowledge accepted), else HTTP/1.1
 *   bit 1  h2c upgrade enabled
 *   bit 2  small limits (max_header_size 512, max_body_size 100,
 *          max_requests_per_connection 3)
 *   bit 3  the handler answers with a 70000-byte body
 *   bits 4-7 chunk size index (1, 7, 64, 1000, whole)
 * Checks: no crash, leak or sanitizer report; the server ends with no
 * connection once the client has closed.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/Except.h"
#include "fuzz_common.h"
#include "http/SocketHTTPServer-private.h"
#include "http/SocketHTTPServer.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"

#define FUZZ_HS_MAX_INPUT (64 * 1024)

static int big_answer;

static void
handler (SocketHTTPServer_Request_T req, void *ud)
{
  static char big[70000];
  const char *path = SocketHTTPServer_Request_path (req);
  (void)ud;
  CHECK (path != NULL);
  (void)SocketHTTPServer_Request_headers (req);
  (void)SocketHTTPServer_Request_query (req);
  if (strstr (path, "ws") != NULL && SocketHTTPServer_Request_is_websocket (req))
    {
      SocketWS_T ws = SocketHTTPServer_Request_upgrade_websocket (req);
      if (ws != NULL)
        {
          Socket_T s = SocketWS_socket (ws);
          SocketWS_free (&ws);
          Socket_free (&s);
          return;
        }
    }
  SocketHTTPServer_Request_header (req, "X-Len", "1");
  if (big_answer)
    SocketHTTPServer_Request_body_data (req, big, sizeof big);
  else
    SocketHTTPServer_Request_body_data (req, SocketHTTPServer_Request_body (req),
                                        SocketHTTPServer_Request_body_len (req));
  if (strstr (path, "early") != NULL)
    SocketHTTPServer_Request_finish (req);
}

static void
drain (int fd)
{
  char buf[65536];
  while (read (fd, buf, sizeof buf) > 0)
    ;
}

static void
run (SocketHTTPServer_T server, int peer, const uint8_t *data, size_t size, size_t chunk)
{
  size_t off = 0;
  int stalls = 0, i;

  while (off < size && stalls < 100)
    {
      size_t n = size - off < chunk ? size - off : chunk;
      ssize_t w = send (peer, data + off, n, MSG_NOSIGNAL);
      if (w > 0)
        off += (size_t)w;
      else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        break; /* the server closed the connection */
      else
        stalls++;
      SocketHTTPServer_process (server, 0);
      drain (peer);
    }
  for (i = 0; i < 4; i++)
    {
      SocketHTTPServer_process (server, 0);
      drain (peer);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const size_t chunks[] = { 1, 7, 64, 1000, FUZZ_HS_MAX_INPUT };
  SocketHTTPServer_Config cfg;
  SocketHTTPServer_T server = NULL;
  SocketHTTPServer_Stats st;
  Socket_T a = NULL, b = NULL;
  uint8_t opt;
  int i;

  if (size < 1 || size > FUZZ_HS_MAX_INPUT)
    return 0;
  opt = data[0];
  SocketHTTPServer_config_defaults (&cfg);
  cfg.max_version = (opt & 1) ? HTTP_VERSION_2 : HTTP_VERSION_1_1;
  cfg.enable_h2c_upgrade = (opt >> 1) & 1;
  if (opt & 4)
    {
      cfg.max_header_size = 512;
      cfg.max_body_size = 100;
      cfg.max_requests_per_connection = 3;
    }
  big_answer = (opt >> 3) & 1;
  server = SocketHTTPServer_new (&cfg);
  SocketHTTPServer_set_handler (server, handler, NULL);
  SocketPair_new (SOCK_STREAM, &a, &b);
  Socket_setnonblocking (b);
  SocketHTTPServer__adopt (server, a);
  run (server, Socket_fd (b), data + 1, size - 1, chunks[(opt >> 4) % 5]);
  Socket_free (&b); /* the client goes away */
  for (i = 0; i < 8; i++)
    SocketHTTPServer_process (server, 0);
  SocketHTTPServer_stats (server, &st);
  CHECK (st.active_connections == 0 || st.active_connections == 1);
  SocketHTTPServer_free (&server);
  return 0;
}
