/*
 * bench_ws.c - WebSocket throughput: 16 KiB binary messages (MB/s) and
 * 125-byte messages (messages/s) from our client to our server over a
 * socketpair and over TCP loopback (sender and receiver in two threads),
 * unmasking GB/s, permessage-deflate MB/s through a codec pair, and
 * (`bench_ws flat [N]`) the heap in use over N messages (default 10M).
 */
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include "bench_common.h"
#include "core/Arena.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTP1.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

typedef struct
{
  SocketWS_T ws;
  size_t size;
  long count;
  int ok;
} Side;

static void *
sender (void *arg)
{
  Side *s = arg;
  unsigned char *buf = malloc (s->size);

  memset (buf, 0x5a, s->size);
  s->ok = 1;
  for (long i = 0; i < s->count; i++)
    if (SocketWS_send_binary (s->ws, buf, s->size) != 0)
      {
        s->ok = 0;
        break;
      }
  free (buf);
  return NULL;
}

typedef struct
{
  Socket_T sock;
  SocketWS_T ws;
  Arena_T arena;
} Acceptor;

static void *
accept_thread (void *arg)
{
  Acceptor *a = arg;
  char head[4096];
  size_t n = 0, used;
  SocketHTTP1_Parser_T p;

  while (n < 4 || memcmp (head + n - 4, "\r\n\r\n", 4) != 0)
    if (Socket_recv (a->sock, head + n, 1) == 1)
      n++;
  a->arena = Arena_new ();
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, a->arena);
  SocketHTTP1_Parser_execute (p, head, n, &used);
  a->ws = SocketWS_server_accept (a->sock, SocketHTTP1_Parser_get_request (p), NULL);
  SocketWS_handshake (a->ws);
  return NULL;
}

/* client/server WebSockets over sockets cs/ss */
static void
connect_pair (Socket_T cs, Socket_T ss, SocketWS_T *cw, Acceptor *a)
{
  pthread_t th;

  a->sock = ss;
  pthread_create (&th, NULL, accept_thread, a);
  *cw = SocketWS_client_new (cs, "localhost", "/", NULL);
  if (SocketWS_handshake (*cw) != 0)
    exit (1);
  pthread_join (th, NULL);
}

static void
tcp_pair (Socket_T *cs, Socket_T *ss)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);

  Socket_setreuseaddr (l);
  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 4);
  *cs = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (*cs, "127.0.0.1", Socket_getlocalport (l));
  *ss = Socket_accept (l);
  Socket_setnodelay (*cs, 1);
  Socket_free (&l);
}

static void
stream (const char *transport, int tcp, size_t size, long count)
{
  Socket_T cs, ss;
  SocketWS_T cw;
  Acceptor a = { 0 };
  Side s;
  pthread_t th;
  SocketWS_Message m;
  double t0, dt;
  long got = 0;

  if (tcp)
    tcp_pair (&cs, &ss);
  else
    SocketPair_new (SOCK_STREAM, &cs, &ss);
  connect_pair (cs, ss, &cw, &a);
  s.ws = cw;
  s.size = size;
  s.count = count;
  t0 = bench_now ();
  pthread_create (&th, NULL, sender, &s);
  while (got < count && SocketWS_recv_message (a.ws, &m) == 1)
    {
      if (m.len != size)
        exit (1);
      SocketWS_Message_free (&m);
      got++;
    }
  pthread_join (th, NULL);
  dt = bench_now () - t0;
  if (got != count || !s.ok)
    exit (1);
  if (size >= 1024)
    printf ("%-10s %6zu B binary  send+recv  %8.1f MB/s  (%ld messages)\n", transport, size,
            (double)size * (double)count / dt / 1e6, count);
  else
    printf ("%-10s %6zu B binary  send+recv  %8.0f messages/s\n", transport, size, (double)count / dt);
  SocketWS_free (&cw);
  SocketWS_free (&a.ws);
  Arena_dispose (&a.arena);
  Socket_free (&cs);
  Socket_free (&ss);
}

static unsigned char mask_buf[1 << 20];

static int
mask_once (void *ctx)
{
  static const unsigned char key[4] = { 1, 2, 3, 4 };
  (void)ctx;
  SocketWSExt_mask (mask_buf, sizeof mask_buf, key, 1);
  return mask_buf[0] != 0xff;
}

typedef struct
{
  SocketWSExt_Codec_T c, s;
  unsigned char *msg;
  size_t len;
} DeflateCtx;

static int
deflate_once (void *arg)
{
  DeflateCtx *d = arg;
  SocketWS_Message m;
  size_t n;
  const unsigned char *p;
  int r;

  if (SocketWSExt_send_message (d->c, WS_OPCODE_BINARY, d->msg, d->len) != WS_OK)
    return 0;
  p = SocketWSExt_output (d->c, &n);
  if (SocketWSExt_input (d->s, p, n) != n)
    return 0;
  SocketWSExt_output_consumed (d->c, n);
  r = SocketWSExt_next_message (d->s, &m);
  if (r != 1 || m.len != d->len)
    return 0;
  SocketWS_Message_free (&m);
  return 1;
}

static void
bench_deflate (int takeover)
{
  SocketWSExt_Deflate pmd = { 1, !takeover, !takeover, 15, 15 };
  SocketWS_Config cc, sc;
  DeflateCtx d;
  double sec;
  size_t wire;

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  sc.role = WS_ROLE_SERVER;
  d.c = SocketWSExt_codec_new (&cc, &pmd);
  d.s = SocketWSExt_codec_new (&sc, &pmd);
  if (d.c == NULL || d.s == NULL)
    {
      printf ("deflate: not built in\n");
      return;
    }
  d.len = 16384;
  d.msg = malloc (d.len);
  for (size_t i = 0; i < d.len; i++)
    d.msg[i] = (unsigned char)"{\"id\":123,\"name\":\"websocket\",\"ok\":true} "[i % 42];
  SocketWSExt_send_message (d.c, WS_OPCODE_BINARY, d.msg, d.len);
  wire = SocketWSExt_output_pending (d.c);
  {
    size_t n;
    const unsigned char *p = SocketWSExt_output (d.c, &n);
    SocketWS_Message m;
    SocketWSExt_input (d.s, p, n);
    SocketWSExt_output_consumed (d.c, n);
    SocketWSExt_next_message (d.s, &m);
    SocketWS_Message_free (&m);
  }
  sec = bench_best_seconds (deflate_once, &d, "deflate");
  printf ("deflate    16 KiB JSON-like, context takeover %s: %8.1f MB/s (compress+inflate), wire %zu B/msg\n",
          takeover ? "on " : "off", (double)d.len / sec / 1e6, wire);
  free (d.msg);
  SocketWSExt_codec_free (&d.c);
  SocketWSExt_codec_free (&d.s);
}

static void
flat (long n)
{
  Socket_T cs, ss;
  SocketWS_T cw;
  Acceptor a = { 0 };
  SocketWS_Message m;
  unsigned char payload[125] = { 0 };
  size_t base = 0;

  SocketPair_new (SOCK_STREAM, &cs, &ss);
  connect_pair (cs, ss, &cw, &a);
  for (long i = 0; i < n; i++)
    {
      if (SocketWS_send_binary (cw, payload, sizeof payload) != 0 || SocketWS_recv_message (a.ws, &m) != 1)
        exit (1);
      SocketWS_Message_free (&m);
      if (i == 10000)
        base = mallinfo2 ().uordblks;
    }
  printf ("heap in use after 10k messages: %zu B, after %ld: %zu B\n", base, n, mallinfo2 ().uordblks);
  SocketWS_free (&cw);
  SocketWS_free (&a.ws);
  Arena_dispose (&a.arena);
  Socket_free (&cs);
  Socket_free (&ss);
}

int
main (int argc, char **argv)
{
  double sec;

  if (argc > 1 && strcmp (argv[1], "flat") == 0)
    {
      flat (argc > 2 ? atol (argv[2]) : 10000000L);
      return 0;
    }
  sec = bench_best_seconds (mask_once, NULL, "mask");
  printf ("mask       1 MiB unmask: %.2f GB/s\n", (double)sizeof mask_buf / sec / 1e9);
  stream ("socketpair", 0, 16384, 20000);
  stream ("tcp", 1, 16384, 20000);
  stream ("socketpair", 0, 125, 300000);
  stream ("tcp", 1, 125, 300000);
  bench_deflate (1);
  bench_deflate (0);
  return 0;
}
