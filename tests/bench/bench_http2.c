/*
 * bench_http2.c - the HTTP/2 engine, both roles in one thread over a
 * non-blocking socketpair (the socket calls are part of the cost):
 *   frame walk: parse + check + split of each frame in a 1 MiB buffer of
 *               realistic frames (HEADERS, DATA of mixed sizes,
 *               WINDOW_UPDATE); ns per frame (payloads are not copied),
 *               and MB/s of frames when each payload is also copied out
 *               (as the engine does into a stream's receive buffer);
 *   HEADERS round trip: per request, the request head (6 fields) HPACK
 *               encoded into a HEADERS frame, its header parsed and the
 *               block decoded, then the same for the response head
 *               (:status, content-type, content-length); both directions
 *               keep their dynamic tables as a connection does; ns per
 *               request;
 *   requests:   GET with 6 fields -> response head with END_STREAM
 *               (HPACK encode and decode both ways, stream open and
 *               removal); requests per second, 100 in flight;
 *   bulk DATA:  64 MiB request body with flow control (WINDOW_UPDATEs
 *               as the server reads); MB/s.
 * Results are checked (byte counts, completions), so nothing can be
 * skipped. For server-level numbers use h2load against tests/h2/h2_server.
 */
#include <string.h>
#include <sys/socket.h>

#include "bench_common.h"
#include "core/Arena.h"
#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2.h"
#include "socket/Socket.h"

/* ---- frame walk ---------------------------------------------------------- */

typedef struct
{
  unsigned char *buf;
  size_t len;
  size_t frames;
} Walk;

static void
walk_build (Walk *w)
{
  static const size_t sizes[] = { 16384, 1200, 9, 300, 16384, 4096 };
  size_t cap = 1 << 20, i = 0;
  unsigned char payload[16384];

  memset (payload, 'x', sizeof payload);
  w->buf = malloc (cap + 32768);
  w->len = w->frames = 0;
  while (w->len < cap)
    {
      size_t n = sizes[i % 6];
      uint8_t type = (i % 6 == 2) ? HTTP2_FRAME_WINDOW_UPDATE : (i % 6 == 3) ? HTTP2_FRAME_HEADERS : HTTP2_FRAME_DATA;
      if (type == HTTP2_FRAME_WINDOW_UPDATE)
        n = 4;
      w->len += SocketHTTP2__write_frame (w->buf + w->len, type, HTTP2_FLAG_END_HEADERS, 1 + 2 * (uint32_t)(i % 50),
                                          payload, n);
      w->frames++;
      i++;
    }
}

static int
walk_frames (Walk *w, int copy)
{
  static unsigned char sink[16384];
  size_t off = 0, frames = 0, payload = 0, bad = 0;

  while (off + HTTP2_FRAME_HEADER_SIZE <= w->len)
    {
      SocketHTTP2_FrameHeader h;
      SocketHTTP2__Payload p;
      SocketHTTP2_frame_header_parse (w->buf + off, &h);
      if (SocketHTTP2__frame_check (&h, 16384).code != HTTP2_NO_ERROR)
        return 0;
      if (h.type != HTTP2_FRAME_WINDOW_UPDATE)
        {
          if (SocketHTTP2__payload_split (&h, w->buf + off + 9, &p).code != HTTP2_NO_ERROR)
            return 0;
          if (copy && p.len > 0)
            {
              memcpy (sink, p.data, p.len);
              bad += sink[p.len - 1] != 'x';
            }
          payload += p.len;
        }
      off += HTTP2_FRAME_HEADER_SIZE + h.length;
      frames++;
    }
  return frames == w->frames && payload > 0 && bad == 0;
}

static int
walk_run (void *ctx)
{
  return walk_frames (ctx, 0);
}

static int
walk_copy_run (void *ctx)
{
  return walk_frames (ctx, 1);
}

/* ---- HEADERS encode + decode round trip --------------------------------- */

#define RT_REQUESTS 1000

typedef struct
{
  Arena_T arena, scratch;
  SocketHPACK_Encoder_T enc_req, enc_resp;
  SocketHPACK_Decoder_T dec_req, dec_resp;
} RoundTrip;

static const SocketHPACK_Header rt_req[6] = { { ":method", 7, "GET", 3, 0 },
                                              { ":scheme", 7, "https", 5, 0 },
                                              { ":authority", 10, "www.example.com", 15, 0 },
                                              { ":path", 5, "/index.html", 11, 0 },
                                              { "user-agent", 10, "bench/1.0", 9, 0 },
                                              { "accept", 6, "*/*", 3, 0 } };
static const SocketHPACK_Header rt_resp[3] = { { ":status", 7, "200", 3, 0 },
                                               { "content-type", 12, "text/html", 9, 0 },
                                               { "content-length", 14, "1024", 4, 0 } };

/* One HEADERS frame: encode, frame, parse the frame header, decode;
 * 1 if the decoded fields equal the encoded ones. */
static int
rt_one (RoundTrip *x, SocketHPACK_Encoder_T e, SocketHPACK_Decoder_T d, const SocketHPACK_Header *f, size_t n,
        uint32_t id)
{
  unsigned char block[512], frame[600];
  SocketHPACK_Header out[8];
  SocketHTTP2_FrameHeader h;
  size_t got, i;
  ssize_t len = SocketHPACK_Encoder_encode (e, f, n, block, sizeof block);

  if (len <= 0)
    return 0;
  SocketHTTP2__write_frame (frame, HTTP2_FRAME_HEADERS, HTTP2_FLAG_END_HEADERS, id, block, (size_t)len);
  SocketHTTP2_frame_header_parse (frame, &h);
  if (h.type != HTTP2_FRAME_HEADERS || h.stream_id != id || h.length != (uint32_t)len
      || SocketHPACK_Decoder_decode (d, frame + HTTP2_FRAME_HEADER_SIZE, h.length, out, 8, &got, x->scratch) != HPACK_OK
      || got != n)
    return 0;
  for (i = 0; i < n; i++)
    if (out[i].value_len != f[i].value_len || memcmp (out[i].value, f[i].value, f[i].value_len) != 0)
      return 0;
  Arena_clear (x->scratch);
  return 1;
}

static int
rt_run (void *ctx)
{
  RoundTrip *x = ctx;
  uint32_t i;
  for (i = 0; i < RT_REQUESTS; i++)
    if (!rt_one (x, x->enc_req, x->dec_req, rt_req, 6, 2 * i + 1)
        || !rt_one (x, x->enc_resp, x->dec_resp, rt_resp, 3, 2 * i + 1))
      return 0;
  return 1;
}

static void
rt_open (RoundTrip *x)
{
  SocketHPACK_EncoderConfig ec;
  SocketHPACK_DecoderConfig dc;
  SocketHPACK_encoder_config_defaults (&ec);
  SocketHPACK_decoder_config_defaults (&dc);
  x->arena = Arena_new ();
  x->scratch = Arena_new ();
  x->enc_req = SocketHPACK_Encoder_new (&ec, x->arena);
  x->enc_resp = SocketHPACK_Encoder_new (&ec, x->arena);
  x->dec_req = SocketHPACK_Decoder_new (&dc, x->arena);
  x->dec_resp = SocketHPACK_Decoder_new (&dc, x->arena);
}

/* ---- engine pair --------------------------------------------------------- */

typedef struct
{
  Arena_T arena;
  Socket_T a, b;
  SocketHTTP2_Conn_T client, server;
  size_t responses, server_bytes;
} Bench;

static void
server_cb (SocketHTTP2_Conn_T c, SocketHTTP2_Stream_T s, int event, void *ud)
{
  static const SocketHPACK_Header st[2] = { { ":status", 7, "200", 3, 0 }, { "server", 6, "bench", 5, 0 } };
  Bench *b = ud;
  unsigned char buf[65536];
  ssize_t n;
  int end = 0;
  size_t cnt;

  (void)c;
  if (event == HTTP2_EVENT_HEADERS_RECEIVED)
    SocketHTTP2_Stream_recv_headers (s, NULL, 0, &cnt, &end);
  else if (event == HTTP2_EVENT_DATA_RECEIVED)
    while ((n = SocketHTTP2_Stream_recv_data (s, buf, sizeof buf, &end)) > 0)
      b->server_bytes += (size_t)n;
  else
    return;
  if (end)
    SocketHTTP2_Stream_send_headers (s, st, 2, 1);
}

static void
client_cb (SocketHTTP2_Conn_T c, SocketHTTP2_Stream_T s, int event, void *ud)
{
  Bench *b = ud;
  (void)c;
  (void)s;
  if (event == HTTP2_EVENT_STREAM_END)
    b->responses++;
}

static void
bench_open (Bench *b, uint32_t window, uint32_t header_list)
{
  SocketHTTP2_Config cc, sc;

  memset (b, 0, sizeof *b);
  b->arena = Arena_new ();
  SocketPair_new (SOCK_STREAM, &b->a, &b->b);
  Socket_setnonblocking (b->a);
  Socket_setnonblocking (b->b);
  SocketHTTP2_config_defaults (&cc, HTTP2_ROLE_CLIENT);
  SocketHTTP2_config_defaults (&sc, HTTP2_ROLE_SERVER);
  sc.initial_window_size = window;
  sc.connection_window_size = window * 4;
  if (header_list != 0)
    cc.max_header_list_size = sc.max_header_list_size = header_list;
  b->client = SocketHTTP2_Conn_new (b->a, &cc, b->arena);
  b->server = SocketHTTP2_Conn_new (b->b, &sc, b->arena);
  SocketHTTP2_Conn_set_stream_callback (b->client, client_cb, b);
  SocketHTTP2_Conn_set_stream_callback (b->server, server_cb, b);
}

static void
bench_round (Bench *b)
{
  SocketHTTP2_Conn_flush (b->client);
  SocketHTTP2_Conn_process (b->server, 0);
  SocketHTTP2_Conn_flush (b->server);
  SocketHTTP2_Conn_process (b->client, 0);
}

static void
bench_close (Bench *b)
{
  SocketHTTP2_Conn_free (&b->client);
  SocketHTTP2_Conn_free (&b->server);
  Socket_free (&b->a);
  Socket_free (&b->b);
  Arena_dispose (&b->arena);
}

/* @p header_list: MAX_HEADER_LIST_SIZE of both ends (0 = default); a
 * large one must not make small header blocks slower. */
static double
bench_requests (size_t total, uint32_t header_list)
{
  static const SocketHPACK_Header req[6] = { { ":method", 7, "GET", 3, 0 },
                                             { ":scheme", 7, "https", 5, 0 },
                                             { ":authority", 10, "www.example.com", 15, 0 },
                                             { ":path", 5, "/index.html", 11, 0 },
                                             { "user-agent", 10, "bench/1.0", 9, 0 },
                                             { "accept", 6, "*/*", 3, 0 } };
  Bench b;
  size_t started = 0;
  double t0;

  bench_open (&b, 65535, header_list);
  bench_round (&b);
  bench_round (&b);
  t0 = bench_now ();
  while (b.responses < total)
    {
      while (started < total && started - b.responses < 100)
        {
          SocketHTTP2_Stream_T s = SocketHTTP2_Stream_new (b.client);
          if (s == NULL || SocketHTTP2_Stream_send_headers (s, req, 6, 1) < 0)
            break;
          started++;
        }
      bench_round (&b);
    }
  t0 = bench_now () - t0;
  bench_close (&b);
  return (double)total / t0;
}

static double
bench_bulk (size_t total)
{
  static const SocketHPACK_Header req[4] = { { ":method", 7, "POST", 4, 0 },
                                             { ":scheme", 7, "https", 5, 0 },
                                             { ":authority", 10, "x", 1, 0 },
                                             { ":path", 5, "/up", 3, 0 } };
  static unsigned char chunk[1 << 16];
  Bench b;
  SocketHTTP2_Stream_T s;
  size_t sent = 0;
  double t0;

  bench_open (&b, 1 << 20, 0);
  bench_round (&b);
  bench_round (&b);
  s = SocketHTTP2_Stream_new (b.client);
  SocketHTTP2_Stream_send_headers (s, req, 4, 0);
  t0 = bench_now ();
  while (b.responses < 1)
    {
      while (sent < total)
        {
          size_t n = total - sent < sizeof chunk ? total - sent : sizeof chunk;
          ssize_t k = SocketHTTP2_Stream_send_data (s, chunk, n, sent + n == total);
          if (k <= 0)
            break;
          sent += (size_t)k;
        }
      bench_round (&b);
    }
  t0 = bench_now () - t0;
  if (b.server_bytes != total)
    {
      fprintf (stderr, "bulk: %zu of %zu bytes\n", b.server_bytes, total);
      exit (1);
    }
  bench_close (&b);
  return (double)total / t0 / 1e6;
}

int
main (void)
{
  Walk w;
  RoundTrip rt;
  double t;

  walk_build (&w);
  t = bench_best_seconds (walk_run, &w, "frame walk");
  printf ("frame walk:  %8.1f ns/frame (header parse, checks, padding split; %zu frames per pass)\n",
          t * 1e9 / (double)w.frames, w.frames);
  t = bench_best_seconds (walk_copy_run, &w, "frame parse + copy");
  printf ("frame parse: %8.0f MB/s  (the same walk, each payload copied out; MB of frames per second)\n",
          (double)w.len / t / 1e6);
  rt_open (&rt);
  t = bench_best_seconds (rt_run, &rt, "HEADERS round trip");
  printf ("HEADERS rt:  %8.1f ns/request (request 6 fields + response 3 fields: HPACK encode, frame, parse, "
          "decode)\n",
          t * 1e9 / RT_REQUESTS);
  Arena_dispose (&rt.scratch);
  Arena_dispose (&rt.arena);
  printf ("requests:    %8.0f req/s (GET -> 200, 100 in flight, one thread, socketpair)\n",
          bench_requests (200000, 0));
  printf ("requests:    %8.0f req/s (the same with MAX_HEADER_LIST_SIZE 1 MiB on both ends)\n",
          bench_requests (200000, 1u << 20));
  printf ("bulk DATA:   %8.0f MB/s  (64 MiB request body, 1 MiB stream window)\n", bench_bulk (64u << 20));
  free (w.buf);
  return 0;
}
