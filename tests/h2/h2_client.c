/*
 * h2_client.c - a minimal HTTP/2 (h2c, prior knowledge) client on the
 * public SocketHTTP2 API, for interop runs against other servers.
 *
 * Usage: h2_client [-T CA.pem] PORT PATH [COUNT [UPLOAD_BYTES | @FILE]]
 * -T: h2 over TLS (ALPN "h2" required), verifying the server's
 * certificate for "localhost" against CA.pem; prints "tls alpn=h2".
 * Sends COUNT (default 1) concurrent requests for PATH to 127.0.0.1:PORT
 * (POST with UPLOAD_BYTES zero bytes or the contents of FILE as body when
 * given, else GET) and prints one line per response:
 * "status=<code> bytes=<body length> sha256=<hex of the body>", plus
 * " x-sha256=<value>" when the response carried that header, then
 * "window_updates=<n>" (stream WINDOW_UPDATE events seen while
 * uploading) and "max_open_streams=<n>" (most requests in flight at
 * once). Exit status 0 when every request got a response and the
 * connection stayed healthy.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/Arena.h"
#include "core/SocketUtil.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTP2Ext.h"
#include "core/Except.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

#define MAX_REQ 1000

typedef struct
{
  char status[4];
  size_t bytes;
  int done;
  size_t upload_left;
  EVP_MD_CTX *md;
  char xsha[65];
  SocketHTTP2_Stream_T s; /* while open */
} Req;

static Req reqs[MAX_REQ];
static int finished;
static unsigned char upload_chunk[16384];
static const unsigned char *upload_file; /* @FILE contents, else NULL */
static size_t upload_size;
static unsigned long window_updates;
static int max_open;
static int settings_acked;

/* The server's SETTINGS precede its ACK of ours: once acked, its stream
 * limit is known and requests are opened up to it at once. */
static void
on_conn (SocketHTTP2_Conn_T c, int event, void *ud)
{
  (void)c;
  (void)ud;
  if (event == HTTP2_EVENT_SETTINGS_ACK)
    settings_acked = 1;
}

static size_t
pump_upload (SocketHTTP2_Stream_T s)
{
  Req *r = SocketHTTP2_Stream_get_userdata (s);
  size_t before = r != NULL ? r->upload_left : 0;
  while (r != NULL && r->upload_left > 0)
    {
      size_t n = r->upload_left < sizeof upload_chunk ? r->upload_left : sizeof upload_chunk;
      const unsigned char *p = upload_file ? upload_file + (upload_size - r->upload_left) : upload_chunk;
      ssize_t sent = SocketHTTP2_Stream_send_data (s, p, n, n == r->upload_left);
      if (sent <= 0)
        break;
      r->upload_left -= (size_t)sent;
    }
  return r != NULL ? before - r->upload_left : 0;
}

/* After a complete flush: uploads held back by the send queue (not by a
 * window) get no WINDOW_UPDATE event, so pump them here. */
static size_t
pump_all (int started)
{
  size_t queued = 0;
  int i;
  for (i = 0; i < started; i++)
    if (reqs[i].s != NULL && reqs[i].upload_left > 0)
      queued += pump_upload (reqs[i].s);
  return queued;
}

static unsigned char *
read_file (const char *name, size_t *size)
{
  FILE *f = fopen (name, "rb");
  unsigned char *p = NULL;
  long n;
  if (f != NULL && fseek (f, 0, SEEK_END) == 0 && (n = ftell (f)) > 0 && fseek (f, 0, SEEK_SET) == 0
      && (p = malloc ((size_t)n)) != NULL && fread (p, 1, (size_t)n, f) == (size_t)n)
    *size = (size_t)n;
  else
    {
      free (p);
      p = NULL;
    }
  if (f != NULL)
    fclose (f);
  return p;
}

static void
on_stream (SocketHTTP2_Conn_T c, SocketHTTP2_Stream_T s, int event, void *ud)
{
  Req *r = SocketHTTP2_Stream_get_userdata (s);
  SocketHPACK_Header h[64];
  unsigned char buf[16384];
  size_t n, i;
  ssize_t got;
  int end = 0;

  (void)c;
  (void)ud;
  if (r == NULL)
    return;
  switch (event)
    {
    case HTTP2_EVENT_HEADERS_RECEIVED:
      if (SocketHTTP2_Stream_recv_headers (s, h, 64, &n, &end) == 1)
        for (i = 0; i < n && i < 64; i++)
          {
            if (strcmp (h[i].name, ":status") == 0)
              snprintf (r->status, sizeof r->status, "%s", h[i].value);
            else if (strcmp (h[i].name, "x-sha256") == 0)
              snprintf (r->xsha, sizeof r->xsha, "%s", h[i].value);
          }
      break;
    case HTTP2_EVENT_DATA_RECEIVED:
      while ((got = SocketHTTP2_Stream_recv_data (s, buf, sizeof buf, &end)) > 0)
        {
          r->bytes += (size_t)got;
          EVP_DigestUpdate (r->md, buf, (size_t)got);
        }
      break;
    case HTTP2_EVENT_WINDOW_UPDATE:
      window_updates++;
      pump_upload (s);
      break;
    case HTTP2_EVENT_STREAM_END:
    case HTTP2_EVENT_STREAM_RESET:
      r->done = event == HTTP2_EVENT_STREAM_END ? 1 : -1;
      finished++;
      r->s = NULL;
      SocketHTTP2_Stream_set_userdata (s, NULL);
      break;
    default:
      break;
    }
}

/* Kept out of main: a TRY there would put every local of main at the mercy
 * of longjmp (-Wclobbered at -O1 and above). */
static TLSHandshakeState
tls_handshake (Socket_T sock)
{
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;

  TRY st = SocketTLS_handshake_loop (sock, 30000);
  ELSE st = TLS_HANDSHAKE_ERROR;
  END_TRY;
  return st;
}

int
main (int argc, char **argv)
{
  int port, count = 1, i, rc = 0, opt;
  const char *ca = NULL;
  SocketTLSContext_T tls = NULL;
  size_t upload = 0;
  const char *path;
  Socket_T sock;
  Arena_T arena;
  SocketHTTP2_Conn_T conn;
  int64_t deadline;

  while ((opt = getopt (argc, argv, "T:")) != -1)
    {
      if (opt != 'T')
        argc = 0;
      ca = optarg;
    }
  argc -= optind - 1;
  argv += optind - 1;
  if (argc < 3)
    {
      fprintf (stderr, "usage: h2_client [-T CA.pem] PORT PATH [COUNT [UPLOAD_BYTES | @FILE]]\n");
      return 2;
    }
  port = atoi (argv[1]);
  path = argv[2];
  if (argc > 3)
    count = atoi (argv[3]);
  if (argc > 4)
    {
      if (argv[4][0] == '@')
        {
          upload_file = read_file (argv[4] + 1, &upload_size);
          if (upload_file == NULL)
            {
              fprintf (stderr, "cannot read %s\n", argv[4] + 1);
              return 2;
            }
          upload = upload_size;
        }
      else
        upload = (size_t)strtoull (argv[4], NULL, 10);
      upload_size = upload;
    }
  if (count < 1 || count > MAX_REQ)
    return 2;

  sock = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (sock, "127.0.0.1", port);
  Socket_setnonblocking (sock);
  if (ca != NULL)
    {
      static const char *alpn[] = { "h2" };
      const char *sel;
      tls = SocketTLSContext_new_client (ca);
      SocketTLSContext_set_alpn_protos (tls, alpn, 1);
      SocketTLS_enable (sock, tls);
      SocketTLS_set_hostname (sock, "localhost");
      sel = tls_handshake (sock) == TLS_HANDSHAKE_COMPLETE ? SocketTLS_get_alpn_selected (sock) : NULL;
      if (sel == NULL || strcmp (sel, "h2") != 0)
        {
          fprintf (stderr, "TLS handshake failed or ALPN h2 not selected\n");
          return 1;
        }
      printf ("tls alpn=%s\n", sel);
    }
  arena = Arena_new ();
  conn = SocketHTTP2_Conn_new (sock, NULL, arena);
  SocketHTTP2_Conn_set_stream_callback (conn, on_stream, NULL);
  SocketHTTP2_Conn_set_conn_callback (conn, on_conn, NULL);

  deadline = Socket_get_monotonic_ms () + 120000; /* sanitizer builds, loaded machine */
  i = 0;
  while (finished < count && Socket_get_monotonic_ms () < deadline)
    {
      struct pollfd p = { Socket_fd (sock), POLLIN, 0 };
      /* Open streams as the server's concurrency limit allows. */
      while (i < count && settings_acked)
        {
          SocketHPACK_Header h[4] = { { ":method", 7, upload ? "POST" : "GET", upload ? 4u : 3u, 0 },
                                      { ":scheme", 7, tls ? "https" : "http", tls ? 5u : 4u, 0 },
                                      { ":authority", 10, "127.0.0.1", 9, 0 },
                                      { ":path", 5, path, strlen (path), 0 } };
          SocketHTTP2_Stream_T s;
          /* Idle streams are not limited; opening them is. */
          if (SocketHTTP2Ext_Conn_streams_available (conn) == 0 || (s = SocketHTTP2_Stream_new (conn)) == NULL)
            break;
          reqs[i].upload_left = upload;
          reqs[i].s = s;
          reqs[i].md = EVP_MD_CTX_new ();
          EVP_DigestInit_ex (reqs[i].md, EVP_sha256 (), NULL);
          SocketHTTP2_Stream_set_userdata (s, &reqs[i]);
          if (SocketHTTP2_Stream_send_headers (s, h, 4, upload == 0) < 0)
            {
              rc = 1;
              break;
            }
          pump_upload (s);
          i++;
          if (i - finished > max_open)
            max_open = i - finished;
        }
      {
        int fl = SocketHTTP2_Conn_flush (conn);
        while (fl == 0 && pump_all (i) > 0)
          fl = SocketHTTP2_Conn_flush (conn);
        if (fl == 1)
          p.events |= POLLOUT;
      }
      poll (&p, 1, 100);
      if (SocketHTTP2_Conn_process (conn, 0) < 0)
        {
          fprintf (stderr, "connection failed (GOAWAY sent or received, or socket error)\n");
          break;
        }
    }
  for (i = 0; i < count; i++)
    {
      unsigned char d[EVP_MAX_MD_SIZE];
      char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
      unsigned dl = 0, k;
      if (reqs[i].md != NULL)
        EVP_DigestFinal_ex (reqs[i].md, d, &dl);
      EVP_MD_CTX_free (reqs[i].md);
      for (k = 0; k < dl; k++)
        sprintf (hex + 2 * k, "%02x", d[k]);
      printf ("status=%s bytes=%zu sha256=%s%s%s%s\n", reqs[i].status[0] ? reqs[i].status : "-", reqs[i].bytes, hex,
              reqs[i].xsha[0] ? " x-sha256=" : "", reqs[i].xsha, reqs[i].done == 1 ? "" : " (incomplete)");
      if (reqs[i].done != 1)
        rc = 1;
    }
  printf ("window_updates=%lu\nmax_open_streams=%d\n", window_updates, max_open);
  SocketHTTP2_Conn_goaway (conn, HTTP2_NO_ERROR, NULL, 0);
  SocketHTTP2_Conn_flush (conn);
  SocketHTTP2_Conn_free (&conn);
  Socket_free (&sock);
  SocketTLSContext_free (&tls);
  Arena_dispose (&arena);
  return rc;
}
