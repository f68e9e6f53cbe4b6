/*
 * ws_client.c - WebSocket client on the public SocketWS API, for the
 * interop matrix (tests/ws/run_interop.sh) against other servers.
 *
 * Usage: ws_client [--deflate] ws://HOST:PORT/PATH
 *        ws_client --deflate-available   (exit 0 if permessage-deflate is
 *        compiled in, 1 if not; --deflate is refused when it is not)
 * Connects, handshakes (offering permessage-deflate with --deflate) and
 * runs the case list shared by every client of the matrix (same payloads
 * as tests/ws/gointerop/cases.go and tests/ws/node/cases.js), comparing
 * each echo byte for byte. Prints "INFO extensions=permessage-deflate"
 * (or empty) after the handshake, then one "PASS name" / "FAIL name: why"
 * line per case; exit status 0 only when every case passed.
 *
 * SocketWS.h has no call that sends one fragment or that reports a pong
 * or the peer's close frame, so three cases go around it on the same
 * socket, at moments when the library has nothing queued and the peer
 * owes us nothing else:
 *   fragmented  hand-built masked frames (TEXT, PING, CONTINUATION x2)
 *               written to the socket; the echo comes back through
 *               SocketWS_recv_message (which must skip the pong);
 *   ping_pong   SocketWS_ping, then the PONG frame read off the socket;
 *   close_1000  SocketWS_close(1000, reason), then the peer's CLOSE
 *               frame read off the socket (code and reason must be
 *               echoed) and the TCP close that follows.
 */
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

#define CASE_TIMEOUT_MS 60000 /* generous: the machine may be loaded */
#define MAX_CASE_MSGS 100

typedef struct
{
  int text;
  unsigned char *data;
  size_t len;
} Msg;

static const char ping_payload[] = "ping-payload-123";
static const char close_reason[] = "bye-from-client";

static Socket_T sock;
static SocketWS_T ws;

/* n bytes of the shared pattern: byte i = (i*7 + i/251) mod 256. */
static unsigned char *
pattern (size_t n)
{
  unsigned char *b = malloc (n ? n : 1);
  size_t i;
  if (b == NULL)
    abort ();
  for (i = 0; i < n; i++)
    b[i] = (unsigned char)(i * 7 + i / 251);
  return b;
}

static Msg
msg_copy (int text, const void *data, size_t len)
{
  Msg m = { text, malloc (len ? len : 1), len };
  if (m.data == NULL)
    abort ();
  memcpy (m.data, data, len);
  return m;
}

/* 4 MiB of text cycling through 1-, 2-, 3- and 4-byte UTF-8 sequences. */
static Msg
utf8_text (void)
{
  static const char unit[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"; /* 10 bytes */
  const size_t size = 4u << 20, ulen = sizeof unit - 1;
  Msg m = { 1, malloc (size), size };
  size_t off = 0;
  if (m.data == NULL)
    abort ();
  for (; off + ulen <= size; off += ulen)
    memcpy (m.data + off, unit, ulen);
  memset (m.data + off, 'x', size - off);
  return m;
}

/* Message i of the pipelined case: even ones text, odd ones binary. */
static Msg
pipelined (int i)
{
  Msg m;
  if (i % 2 == 0)
    {
      size_t head, zs = (size_t)i * 13;
      char prefix[32];
      head = (size_t)snprintf (prefix, sizeof prefix, "pipelined-%03d:", i);
      m = msg_copy (1, prefix, head);
      m.data = realloc (m.data, head + zs);
      if (m.data == NULL)
        abort ();
      memset (m.data + head, 'z', zs);
      m.len = head + zs;
      return m;
    }
  m.text = 0;
  m.len = (size_t)i * 37;
  m.data = pattern (m.len);
  return m;
}

static int failures;

static void
report (const char *name, const char *why)
{
  if (why == NULL || why[0] == '\0')
    printf ("PASS %s\n", name);
  else
    {
      printf ("FAIL %s: %s\n", name, why);
      failures++;
    }
  fflush (stdout);
}

static int64_t
deadline_in (int ms)
{
  return Socket_get_monotonic_ms () + ms;
}

static int
remaining (int64_t deadline)
{
  int64_t left = deadline - Socket_get_monotonic_ms ();
  return left < 0 ? 0 : left > 100 ? 100 : (int)left;
}

/* One poll round for the library: wait (<= 100 ms) for what it asks for,
 * restricted to @p allow, and let SocketWS_process handle it. -1 when the
 * connection failed or closed. */
static int
pump (unsigned allow, int64_t deadline)
{
  struct pollfd p;
  unsigned want = SocketWS_poll_events (ws) & allow, ev = 0;
  volatile int rc = 0;

  p.fd = SocketWS_pollfd (ws);
  p.events = (short)(((want & POLL_READ) ? POLLIN : 0) | ((want & POLL_WRITE) ? POLLOUT : 0));
  p.revents = 0;
  if (poll (&p, 1, remaining (deadline)) < 0 && errno != EINTR)
    return -1;
  if (p.revents & POLLIN)
    ev |= POLL_READ;
  if (p.revents & POLLOUT)
    ev |= POLL_WRITE;
  if (p.revents & POLLERR)
    ev |= POLL_ERROR;
  if (p.revents & POLLHUP)
    ev |= POLL_HANGUP;
  if (ev == 0)
    return 0;
  TRY rc = SocketWS_process (ws, ev);
  ELSE rc = -1;
  END_TRY;
  if (rc < 0 || SocketWS_state (ws) == WS_STATE_CLOSED)
    return -1;
  return 0;
}

/* Writes out everything the library has queued (reading nothing). */
static const char *
flush_out (int64_t deadline)
{
  while (SocketWS_poll_events (ws) & POLL_WRITE)
    {
      if (Socket_get_monotonic_ms () > deadline)
        return "timeout flushing queued output";
      if (pump (POLL_WRITE, deadline) < 0)
        return "connection failed while flushing";
    }
  return NULL;
}

static char why_buf[512];

static const char *
ws_error (const char *what)
{
  snprintf (why_buf, sizeof why_buf, "%s: %s (state %d, close %d)", what,
            SocketWS_error_string (SocketWS_last_error (ws)), (int)SocketWS_state (ws),
            SocketWS_close_code (ws));
  return why_buf;
}

static const char *
send_msg (const Msg *m, int64_t deadline)
{
  for (;;)
    {
      volatile int rc = -1;
      TRY
      {
        if (m->text)
          rc = SocketWS_send_text (ws, (const char *)m->data, m->len);
        else
          rc = SocketWS_send_binary (ws, m->data, m->len);
      }
      ELSE rc = -1;
      END_TRY;
      if (rc == 0)
        return NULL;
      if (SocketWS_last_error (ws) != WS_ERROR_WOULD_BLOCK || Socket_get_monotonic_ms () > deadline)
        return ws_error ("send");
      if (pump (POLL_READ | POLL_WRITE, deadline) < 0)
        return ws_error ("send (connection failed)");
    }
}

static int
try_recv_message (SocketWS_Message *msg)
{
  volatile int rc = -1;
  memset (msg, 0, sizeof *msg);
  TRY rc = SocketWS_recv_message (ws, msg);
  ELSE rc = -1;
  END_TRY;
  return rc;
}

/* Next data message, comparing it with @p want. */
static const char *
recv_cmp (const Msg *want, int64_t deadline)
{
  SocketWS_Message msg;
  for (;;)
    {
      /* recv_message is asked even when recv_available says 0: on a
       * non-blocking socket it answers WS_ERROR_WOULD_BLOCK rather than
       * wait, and a message must not stall on a miscount. */
      int rc = try_recv_message (&msg);
      if (rc == 1)
        break;
      if (SocketWS_state (ws) == WS_STATE_CLOSED)
        return ws_error ("connection closed before the echo");
      if (rc < 0 && SocketWS_last_error (ws) != WS_ERROR_WOULD_BLOCK)
        return ws_error ("recv_message");
      if (Socket_get_monotonic_ms () > deadline)
        return "timeout waiting for the echo";
      if (pump (POLL_READ | POLL_WRITE, deadline) < 0)
        return ws_error ("connection failed waiting for the echo");
    }
  if ((msg.type == WS_OPCODE_TEXT) != (want->text != 0))
    snprintf (why_buf, sizeof why_buf, "opcode: sent %s, echo opcode %d", want->text ? "text" : "binary",
              (int)msg.type);
  else if (msg.len != want->len || (msg.len && memcmp (msg.data, want->data, msg.len) != 0))
    {
      size_t i = 0;
      while (i < msg.len && i < want->len && msg.data[i] == want->data[i])
        i++;
      snprintf (why_buf, sizeof why_buf, "payload differs: sent %zu bytes, echo %zu bytes, first difference at %zu",
                want->len, msg.len, i);
    }
  else
    why_buf[0] = '\0';
  SocketWS_Message_free (&msg);
  return why_buf[0] ? why_buf : NULL;
}

static void
echo_case (const char *name, Msg *msgs, int n)
{
  const char *why = NULL;
  int64_t deadline = deadline_in (CASE_TIMEOUT_MS);
  int i;
  char at[600];

  for (i = 0; i < n && why == NULL; i++)
    why = send_msg (&msgs[i], deadline);
  for (i = 0; i < n && why == NULL; i++)
    if ((why = recv_cmp (&msgs[i], deadline)) != NULL && n > 1)
      {
        snprintf (at, sizeof at, "message %d: %s", i, why);
        why = at;
      }
  report (name, why);
  for (i = 0; i < n; i++)
    free (msgs[i].data);
}

/* Each TRY sits in its own small function: locals of a caller that loops
 * around it cannot be clobbered by the longjmp (-Wclobbered). */
static int
try_sendall (const void *buf, size_t len)
{
  volatile int ok = 1;
  TRY Socket_sendall (sock, buf, len);
  ELSE ok = 0;
  END_TRY;
  return ok ? 0 : -1;
}

/* Socket_recv: bytes read, 0 would block, -1 EOF or error. */
static ssize_t
try_recv (void *buf, size_t len)
{
  volatile ssize_t r = -1;
  TRY r = Socket_recv (sock, buf, len);
  ELSE r = -1;
  END_TRY;
  return r;
}

/* --- raw frames on the socket, around the library --------------------- */

static const char *
raw_send_frame (int fin, int opcode, const unsigned char *payload, size_t len)
{
  unsigned char head[14], key[4];
  unsigned char *buf;
  size_t h = 0, i;
  int ok;

  head[h++] = (unsigned char)((fin ? 0x80 : 0) | opcode);
  if (len < 126)
    head[h++] = (unsigned char)(0x80 | len);
  else if (len <= 0xFFFF)
    {
      head[h++] = 0x80 | 126;
      head[h++] = (unsigned char)(len >> 8);
      head[h++] = (unsigned char)len;
    }
  else
    {
      head[h++] = 0x80 | 127;
      for (i = 0; i < 8; i++)
        head[h++] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
  SocketCrypto_random_bytes (key, sizeof key);
  memcpy (head + h, key, 4);
  h += 4;
  buf = malloc (h + len);
  if (buf == NULL)
    abort ();
  memcpy (buf, head, h);
  for (i = 0; i < len; i++)
    buf[h + i] = payload[i] ^ key[i % 4];
  ok = try_sendall (buf, h + len);
  free (buf);
  return ok == 0 ? NULL : "sending a raw frame failed";
}

/* Reads exactly n bytes off the socket; 0 ok, -1 EOF/error/timeout. */
static int
raw_read (unsigned char *buf, size_t n, int64_t deadline)
{
  size_t got = 0;
  while (got < n)
    {
      struct pollfd p = { Socket_fd (sock), POLLIN, 0 };
      ssize_t r;
      if (Socket_get_monotonic_ms () > deadline)
        return -1;
      if (poll (&p, 1, remaining (deadline)) <= 0)
        continue;
      r = try_recv (buf + got, n - got);
      if (r < 0)
        return -1;
      got += (size_t)r;
    }
  return 0;
}

/* Reads one server frame (must be unmasked, <= 125 bytes: a control frame). */
static const char *
raw_read_control (int *opcode, unsigned char *payload, size_t *len, int64_t deadline)
{
  unsigned char h[2];
  if (raw_read (h, 2, deadline) < 0)
    return "no frame on the socket (timeout or EOF)";
  if (h[1] & 0x80)
    return "server frame is masked";
  if (!(h[0] & 0x80) || (h[0] & 0x70))
    return "control frame without FIN or with RSV bits";
  *opcode = h[0] & 0x0F;
  *len = h[1] & 0x7F;
  if (*len > 125)
    return "frame longer than a control frame may be";
  if (raw_read (payload, *len, deadline) < 0)
    return "control frame payload cut short";
  return NULL;
}

static void
fragmented_case (void)
{
  static const char *const fixed[3] = { "fragment-one|", "fragment-two \xE2\x82\xAC|", "|fragment-three" };
  static const char fill[3] = { 'a', 'b', 'c' };
  unsigned char *frag[3];
  size_t flen[3], i, total = 0;
  const char *why;
  int64_t deadline = deadline_in (CASE_TIMEOUT_MS);
  Msg whole;

  /* Same bytes as cases.go: fragment 2 ends with E2 82, fragment 3
   * starts with AC (U+20AC split across fragments). */
  for (i = 0; i < 3; i++)
    {
      size_t fl = strlen (fixed[i]), off = 0;
      flen[i] = fl + 5000 + (i == 1 ? 2 : 0) + (i == 2 ? 1 : 0);
      frag[i] = malloc (flen[i]);
      if (frag[i] == NULL)
        abort ();
      if (i == 2)
        frag[i][off++] = 0xAC;
      memcpy (frag[i] + off, fixed[i], fl);
      memset (frag[i] + off + fl, fill[i], 5000);
      if (i == 1)
        memcpy (frag[i] + fl + 5000, "\xE2\x82", 2);
      total += flen[i];
    }
  whole.text = 1;
  whole.len = total;
  whole.data = malloc (total);
  if (whole.data == NULL)
    abort ();
  for (i = 0, total = 0; i < 3; total += flen[i], i++)
    memcpy (whole.data + total, frag[i], flen[i]);

  why = flush_out (deadline);
  if (why == NULL)
    why = raw_send_frame (0, WS_OPCODE_TEXT, frag[0], flen[0]);
  if (why == NULL)
    why = raw_send_frame (1, WS_OPCODE_PING, (const unsigned char *)"interleaved", 11);
  if (why == NULL)
    why = raw_send_frame (0, WS_OPCODE_CONTINUATION, frag[1], flen[1]);
  if (why == NULL)
    why = raw_send_frame (1, WS_OPCODE_CONTINUATION, frag[2], flen[2]);
  if (why == NULL)
    why = recv_cmp (&whole, deadline);
  report ("fragmented", why);
  for (i = 0; i < 3; i++)
    free (frag[i]);
  free (whole.data);
}

static void
ping_case (void)
{
  unsigned char payload[126];
  size_t len = 0;
  int opcode = 0;
  const char *why = NULL;
  int64_t deadline = deadline_in (CASE_TIMEOUT_MS);

  if (SocketWS_ping (ws, ping_payload, sizeof ping_payload - 1) != 0)
    why = ws_error ("SocketWS_ping");
  if (why == NULL)
    why = flush_out (deadline);
  if (why == NULL)
    why = raw_read_control (&opcode, payload, &len, deadline);
  if (why == NULL && opcode != WS_OPCODE_PONG)
    {
      snprintf (why_buf, sizeof why_buf, "expected a PONG, got opcode %d", opcode);
      why = why_buf;
    }
  if (why == NULL && (len != sizeof ping_payload - 1 || memcmp (payload, ping_payload, len) != 0))
    {
      snprintf (why_buf, sizeof why_buf, "pong payload %.*s, want %s", (int)len, (const char *)payload, ping_payload);
      why = why_buf;
    }
  report ("ping_pong", why);
}

static void
close_case (void)
{
  unsigned char payload[126], byte;
  size_t len = 0;
  int opcode = 0, code;
  const char *why = NULL;
  int64_t deadline = deadline_in (CASE_TIMEOUT_MS);

  if (SocketWS_close (ws, WS_CLOSE_NORMAL, close_reason) != 0)
    why = ws_error ("SocketWS_close");
  if (why == NULL)
    why = flush_out (deadline);
  if (why == NULL)
    why = raw_read_control (&opcode, payload, &len, deadline);
  if (why == NULL && (opcode != WS_OPCODE_CLOSE || len < 2))
    {
      snprintf (why_buf, sizeof why_buf, "expected a CLOSE with a code, got opcode %d, %zu bytes", opcode, len);
      why = why_buf;
    }
  if (why == NULL)
    {
      code = payload[0] << 8 | payload[1];
      if (code != WS_CLOSE_NORMAL || len - 2 != sizeof close_reason - 1
          || memcmp (payload + 2, close_reason, len - 2) != 0)
        {
          snprintf (why_buf, sizeof why_buf, "server closed with %d \"%.*s\", want 1000 \"%s\"", code,
                    (int)(len - 2), (const char *)payload + 2, close_reason);
          why = why_buf;
        }
    }
  /* RFC 6455 7.1.1: the server closes the TCP connection first. Plain
   * recv(2): the end of stream is expected here, not an error to log. */
  while (why == NULL)
    {
      struct pollfd p = { Socket_fd (sock), POLLIN, 0 };
      ssize_t r;
      if (Socket_get_monotonic_ms () > deadline)
        why = "the server did not close the TCP connection";
      else if (poll (&p, 1, remaining (deadline)) > 0)
        {
          r = recv (Socket_fd (sock), &byte, 1, 0);
          if (r == 0 || (r < 0 && errno == ECONNRESET))
            break;
          if (r > 0)
            why = "data after the server's CLOSE frame";
        }
    }
  report ("close_1000", why);
}

static int
parse_url (const char *url, char *host, size_t hostlen, int *port, const char **path)
{
  const char *p, *slash, *colon;
  if (strncmp (url, "ws://", 5) != 0)
    return -1;
  p = url + 5;
  slash = strchr (p, '/');
  if (slash == NULL)
    slash = p + strlen (p);
  colon = memchr (p, ':', (size_t)(slash - p));
  if (colon == NULL || (size_t)(colon - p) >= hostlen)
    return -1;
  memcpy (host, p, (size_t)(colon - p));
  host[colon - p] = '\0';
  *port = atoi (colon + 1);
  *path = *slash ? slash : "/";
  return *port > 0 && *port < 65536 ? 0 : -1;
}

static const char *
connect_and_handshake (const char *host, int port, const char *path, int deflate)
{
  SocketWS_Config cfg;
  char hostport[300];
  volatile int rc = -1;
  int64_t deadline = deadline_in (CASE_TIMEOUT_MS);

  SocketWS_config_defaults (&cfg);
  cfg.role = WS_ROLE_CLIENT;
  cfg.enable_permessage_deflate = deflate;
  /* Host carries the port (RFC 7230 5.4): the server is not on port 80. */
  snprintf (hostport, sizeof hostport, "%s:%d", host, port);
  TRY
  {
    sock = Socket_new (AF_INET, SOCK_STREAM, 0);
    Socket_connect (sock, host, port);
    Socket_setnonblocking (sock);
    ws = SocketWS_client_new (sock, hostport, path, &cfg);
    rc = 1;
  }
  ELSE rc = -1;
  END_TRY;
  if (rc < 0)
    return "connect or SocketWS_client_new raised";
  for (;;)
    {
      TRY rc = SocketWS_handshake (ws);
      ELSE rc = -1;
      END_TRY;
      if (rc == 0)
        return NULL;
      if (rc < 0)
        return ws_error ("handshake");
      if (Socket_get_monotonic_ms () > deadline)
        return "handshake timeout";
      {
        struct pollfd p = { Socket_fd (sock), POLLIN, 0 };
        if (SocketWS_poll_events (ws) & POLL_WRITE)
          p.events |= POLLOUT;
        poll (&p, 1, remaining (deadline));
      }
    }
}

int
main (int argc, char **argv)
{
  static const char *const names[] = { "binary_125", "binary_126", "binary_65535", "binary_65536", "binary_1MiB" };
  static const size_t sizes[] = { 125, 126, 65535, 65536, 1u << 20 };
  char host[256];
  const char *path, *why, *url;
  int port, deflate = 0, i;
  Msg m[MAX_CASE_MSGS];
  unsigned char zero_to_255[256];

  if (argc == 2 && strcmp (argv[1], "--deflate-available") == 0)
    return SocketWSExt_deflate_available () ? 0 : 1;
  if (argc > 1 && strcmp (argv[1], "--deflate") == 0)
    {
      if (!SocketWSExt_deflate_available ())
        {
          fprintf (stderr, "ws_client: --deflate: permessage-deflate is not compiled into this libsocket\n");
          return 2;
        }
      deflate = 1;
      argv++;
      argc--;
    }
  url = argc == 2 ? argv[1] : "";
  if (parse_url (url, host, sizeof host, &port, &path) < 0)
    {
      fprintf (stderr, "usage: ws_client [--deflate] ws://HOST:PORT/PATH\n");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  if ((why = connect_and_handshake (host, port, path, deflate)) != NULL)
    {
      report ("handshake", why);
      return 1;
    }
  printf ("INFO extensions=%s\n", SocketWS_compression_enabled (ws) ? "permessage-deflate" : "");

  m[0] = msg_copy (1, "Hello, WebSocket!", 17);
  echo_case ("text_hello", m, 1);
  m[0] = msg_copy (1, "", 0);
  echo_case ("text_empty", m, 1);
  for (i = 0; i < 256; i++)
    zero_to_255[i] = (unsigned char)i;
  m[0] = msg_copy (0, zero_to_255, 256);
  echo_case ("binary_0_255", m, 1);
  for (i = 0; i < 5; i++)
    {
      m[0].text = 0;
      m[0].len = sizes[i];
      m[0].data = pattern (sizes[i]);
      echo_case (names[i], m, 1);
    }
  m[0] = utf8_text ();
  echo_case ("text_4MiB_utf8", m, 1);
  for (i = 0; i < 100; i++)
    m[i] = pipelined (i);
  echo_case ("pipelined_100", m, 100);
  fragmented_case ();
  ping_case ();
  close_case ();

  SocketWS_free (&ws);
  Socket_free (&sock);
  return failures == 0 ? 0 : 1;
}
