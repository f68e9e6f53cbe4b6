/*
 * test_ws_conformance.c - a table of Autobahn-style cases (sections 1-7,
 * 9, 10, 12-13) with their expected behaviour, each run three ways:
 *   mem:    the raw peer's bytes fed to a codec of the role under test;
 *   server: our SocketWS server (echo thread) on a socketpair, the peer
 *           doing the opening handshake with our client helpers;
 *   client: our SocketWS client (echo thread) over TCP loopback against a
 *           raw server built from our server helpers.
 * A case writes the frames the peer sends and records what it must get
 * back (echoed messages, pongs) and the close code that ends the exchange.
 * The peer's replies are decoded by a codec of the opposite role, so what
 * our endpoint sends is checked too (masking, UTF-8, compression).
 * Sockets carry receive/send timeouts and threads are joined with a
 * deadline, so a case that goes wrong fails instead of hanging the run.
 * The permessage-deflate cases (12, 13) exist only when it is compiled
 * in; otherwise every offer must be declined (deflate_matches_the_build).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTP1.h"
#include "socket/Socket.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"
#if SOCKETWS_HAS_DEFLATE || SOCKETHTTP1_HAS_COMPRESSION
#define HAVE_DEFLATE 1
#include <zlib.h>
#else
#define HAVE_DEFLATE 0
#endif

#define MAX_EXPECT 1100

typedef struct
{
  int opcode; /* TEXT/BINARY message, or PING for an expected PONG */
  unsigned char *data;
  size_t len;
} Expected;

typedef struct
{
  unsigned char *b;
  size_t len, cap;
  int mask;          /* the peer is a client */
  int sent_close;
  SocketWSExt_Deflate pmd;
#if HAVE_DEFLATE
  z_stream z;
  int z_ready;
#endif
  Expected exp[MAX_EXPECT];
  int nexp;
  size_t chop;       /* write the bytes in pieces of this size (0: at once) */
} Peer;

/* endpoint limits a case may set */
typedef struct
{
  size_t max_frame, max_message, max_fragments;
} Limits;

typedef int (*CaseFn) (Peer *p, Limits *l);

/* ------------------------------------------------------------------ */
/* frame builder                                                      */
/* ------------------------------------------------------------------ */

static void
put (Peer *p, const void *d, size_t n)
{
  if (p->len + n > p->cap)
    {
      size_t cap = p->cap ? p->cap : 4096;
      while (cap < p->len + n)
        cap *= 2;
      p->b = realloc (p->b, cap);
      p->cap = cap;
    }
  if (n)
    memcpy (p->b + p->len, d, n);
  p->len += n;
}

static void
frame (Peer *p, int fin, int rsv, int op, const void *payload, size_t n)
{
  unsigned char h[14];
  size_t hl = 2;
  unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };

  h[0] = (unsigned char)((fin ? 0x80 : 0) | (rsv << 4) | op);
  if (n < 126)
    h[1] = (unsigned char)n;
  else if (n <= 0xffff)
    {
      h[1] = 126;
      h[2] = (unsigned char)(n >> 8);
      h[3] = (unsigned char)n;
      hl = 4;
    }
  else
    {
      h[1] = 127;
      for (int i = 0; i < 8; i++)
        h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
      hl = 10;
    }
  if (p->mask)
    {
      h[1] |= 0x80;
      key[0] ^= (unsigned char)p->len; /* vary the key */
      memcpy (h + hl, key, 4);
      hl += 4;
    }
  put (p, h, hl);
  put (p, payload, n);
  if (p->mask && n)
    SocketWSExt_mask (p->b + p->len - n, n, key, 0);
  if (op == WS_OPCODE_CLOSE)
    p->sent_close = 1;
}

static void
expect (Peer *p, int op, const void *d, size_t n)
{
  Expected *e = &p->exp[p->nexp++];

  e->opcode = op;
  e->data = malloc (n + 1);
  if (n)
    memcpy (e->data, d, n);
  e->len = n;
}

#if HAVE_DEFLATE
/* compress one message as the peer's direction requires */
static unsigned char *
compress_msg (Peer *p, const void *d, size_t n, size_t *out_len)
{
  int peer_is_client = p->mask;
  int bits = peer_is_client ? p->pmd.client_max_window_bits : p->pmd.server_max_window_bits;
  int no_ctx = peer_is_client ? p->pmd.client_no_context_takeover : p->pmd.server_no_context_takeover;
  size_t cap = n + n / 2 + 64;
  unsigned char *o = malloc (cap);

  if (!p->z_ready)
    {
      memset (&p->z, 0, sizeof p->z);
      deflateInit2 (&p->z, 6, Z_DEFLATED, -(bits < 9 ? 9 : bits), 8, Z_DEFAULT_STRATEGY);
      p->z_ready = 1;
    }
  p->z.next_in = (Bytef *)d;
  p->z.avail_in = (uInt)n;
  p->z.next_out = o;
  p->z.avail_out = (uInt)cap;
  deflate (&p->z, Z_SYNC_FLUSH);
  *out_len = cap - p->z.avail_out;
  if (*out_len >= 4)
    *out_len -= 4;
  if (no_ctx)
    deflateReset (&p->z);
  return o;
}
#endif

/* a whole message in frames of frag bytes (0: one frame), expected back */
static void
msg_frag (Peer *p, int op, const void *d, size_t n, size_t frag)
{
  const unsigned char *s = d;
  unsigned char *z = NULL;
  size_t len = n;
  int rsv = 0;

#if HAVE_DEFLATE
  if (p->pmd.enabled)
    {
      s = z = compress_msg (p, d, n, &len);
      rsv = 4;
    }
#endif
  if (frag == 0 || frag >= len)
    frame (p, 1, rsv, op, s, len);
  else
    for (size_t off = 0; off < len; off += frag)
      {
        size_t k = len - off < frag ? len - off : frag;
        frame (p, off + k == len, off == 0 ? rsv : 0, off == 0 ? op : 0, s + off, k);
      }
  free (z);
  expect (p, op, d, n);
}

static void
msg (Peer *p, int op, const void *d, size_t n)
{
  msg_frag (p, op, d, n, 0);
}

static void
close_frame (Peer *p, int code, const char *reason, size_t rlen)
{
  unsigned char b[130];
  b[0] = (unsigned char)(code >> 8);
  b[1] = (unsigned char)code;
  memcpy (b + 2, reason, rlen);
  frame (p, 1, 0, WS_OPCODE_CLOSE, b, rlen + 2);
}

static unsigned char *
pattern (size_t n, int text)
{
  unsigned char *b = calloc (n + 1, 1); /* initialised even when n == 0 */
  if (b == NULL)
    abort ();
  for (size_t i = 0; i < n; i++)
    b[i] = text ? (unsigned char)('a' + i % 26) : (unsigned char)(i * 7 + 3);
  return b;
}

/* ------------------------------------------------------------------ */
/* the cases                                                          */
/* ------------------------------------------------------------------ */

static const size_t sizes1[] = { 0, 125, 126, 127, 128, 65535, 65536, 100000 };

#define SIZE_CASE(name, op, idx, chopsz)                                                                               \
  static int name (Peer *p, Limits *l)                                                                                 \
  {                                                                                                                    \
    unsigned char *d = pattern (sizes1[idx], op == 1);                                                                 \
    (void)l;                                                                                                           \
    p->chop = chopsz;                                                                                                  \
    msg (p, op, d, sizes1[idx]);                                                                                       \
    free (d);                                                                                                          \
    return 1000;                                                                                                       \
  }
SIZE_CASE (c1_1_1, 1, 0, 0)
SIZE_CASE (c1_1_2, 1, 1, 0)
SIZE_CASE (c1_1_3, 1, 2, 0)
SIZE_CASE (c1_1_4, 1, 3, 0)
SIZE_CASE (c1_1_5, 1, 4, 0)
SIZE_CASE (c1_1_6, 1, 5, 0)
SIZE_CASE (c1_1_7, 1, 6, 0)
SIZE_CASE (c1_1_8, 1, 7, 997)
SIZE_CASE (c1_2_1, 2, 0, 0)
SIZE_CASE (c1_2_2, 2, 1, 0)
SIZE_CASE (c1_2_3, 2, 2, 0)
SIZE_CASE (c1_2_4, 2, 3, 0)
SIZE_CASE (c1_2_5, 2, 4, 0)
SIZE_CASE (c1_2_6, 2, 5, 0)
SIZE_CASE (c1_2_7, 2, 6, 0)
SIZE_CASE (c1_2_8, 2, 7, 1)

/* 2: ping / pong */
static int
c2_1 (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 1, 0, WS_OPCODE_PING, NULL, 0);
  expect (p, WS_OPCODE_PING, NULL, 0);
  return 1000;
}
static int
c2_3 (Peer *p, Limits *l)
{
  unsigned char b[125];
  (void)l;
  for (int i = 0; i < 125; i++)
    b[i] = (unsigned char)(255 - i);
  frame (p, 1, 0, WS_OPCODE_PING, b, 8);
  expect (p, WS_OPCODE_PING, b, 8);
  frame (p, 1, 0, WS_OPCODE_PING, b, 125);
  expect (p, WS_OPCODE_PING, b, 125);
  return 1000;
}
static int
c2_5 (Peer *p, Limits *l) /* ping payload 126 */
{
  unsigned char b[126] = { 0 };
  (void)l;
  frame (p, 1, 0, WS_OPCODE_PING, b, 126);
  return 1002;
}
static int
c2_6 (Peer *p, Limits *l) /* 125-byte ping delivered 1 byte at a time */
{
  unsigned char b[125];
  (void)l;
  memset (b, 'x', sizeof b);
  p->chop = 1;
  frame (p, 1, 0, WS_OPCODE_PING, b, 125);
  expect (p, WS_OPCODE_PING, b, 125);
  return 1000;
}
static int
c2_7 (Peer *p, Limits *l) /* unsolicited pongs are ignored */
{
  (void)l;
  frame (p, 1, 0, WS_OPCODE_PONG, NULL, 0);
  frame (p, 1, 0, WS_OPCODE_PONG, "unsolicited", 11);
  return 1000;
}
static int
c2_10 (Peer *p, Limits *l) /* 10 pings, each answered */
{
  (void)l;
  for (int i = 0; i < 10; i++)
    {
      char b[8];
      snprintf (b, sizeof b, "p%d", i);
      frame (p, 1, 0, WS_OPCODE_PING, b, strlen (b));
      expect (p, WS_OPCODE_PING, b, strlen (b));
    }
  return 1000;
}
static int
c2_fragmented_ping (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 0, 0, WS_OPCODE_PING, "ab", 2);
  return 1002;
}

/* 3: reserved bits */
#define RSV_CASE(name, rsv, op)                                                                                        \
  static int name (Peer *p, Limits *l)                                                                                 \
  {                                                                                                                    \
    (void)l;                                                                                                           \
    msg (p, 1, "before", 6);                                                                                           \
    frame (p, 1, rsv, op, op == 1 ? "x" : "", op == 1 ? 1 : 0);                                                        \
    return 1002;                                                                                                       \
  }
RSV_CASE (c3_1, 2, 1)
RSV_CASE (c3_2, 1, 1)
RSV_CASE (c3_3, 3, 1)
RSV_CASE (c3_5, 5, 2)
RSV_CASE (c3_6, 6, 9)
RSV_CASE (c3_7, 7, 8)
static int
c3_4_rsv1_no_deflate (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 1, 4, 1, "x", 1); /* RSV1 without permessage-deflate */
  return 1002;
}

/* 4: reserved opcodes */
#define OP_CASE(name, op)                                                                                              \
  static int name (Peer *p, Limits *l)                                                                                 \
  {                                                                                                                    \
    (void)l;                                                                                                           \
    msg (p, 1, "before", 6);                                                                                           \
    frame (p, 1, 0, op, "x", 1);                                                                                       \
    return 1002;                                                                                                       \
  }
OP_CASE (c4_1_1, 3)
OP_CASE (c4_1_2, 4)
OP_CASE (c4_1_3, 5)
OP_CASE (c4_1_4, 6)
OP_CASE (c4_1_5, 7)
OP_CASE (c4_2_1, 11)
OP_CASE (c4_2_2, 12)
OP_CASE (c4_2_3, 13)
OP_CASE (c4_2_4, 14)
OP_CASE (c4_2_5, 15)

/* 5: fragmentation */
static int
c5_1 (Peer *p, Limits *l) /* fragmented PING */
{
  (void)l;
  frame (p, 0, 0, WS_OPCODE_PING, "frag", 4);
  frame (p, 1, 0, 0, "ment", 4);
  return 1002;
}
static int
c5_3 (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 0, 0, 1, "frag", 4);
  frame (p, 1, 0, 0, "ment", 4);
  expect (p, 1, "fragment", 8);
  return 1000;
}
static int
c5_6 (Peer *p, Limits *l) /* ping between fragments */
{
  (void)l;
  frame (p, 0, 0, 1, "frag", 4);
  frame (p, 1, 0, WS_OPCODE_PING, "in between", 10);
  expect (p, WS_OPCODE_PING, "in between", 10);
  frame (p, 1, 0, 0, "ment", 4);
  expect (p, 1, "fragment", 8);
  return 1000;
}
static int
c5_8 (Peer *p, Limits *l) /* same, 1-byte chops */
{
  p->chop = 1;
  return c5_6 (p, l);
}
static int
c5_9 (Peer *p, Limits *l) /* continuation with nothing to continue */
{
  (void)l;
  frame (p, 1, 0, 0, "cont", 4);
  msg (p, 1, "never", 5);
  p->nexp--;
  free (p->exp[p->nexp].data);
  return 1002;
}
static int
c5_15 (Peer *p, Limits *l) /* new TEXT inside a fragmented message */
{
  (void)l;
  frame (p, 0, 0, 1, "frag1", 5);
  frame (p, 1, 0, 1, "new", 3);
  return 1002;
}
static int
c5_19 (Peer *p, Limits *l) /* many fragments with pings in between */
{
  char whole[64] = "";
  (void)l;
  for (int i = 0; i < 5; i++)
    {
      char b[4];
      snprintf (b, sizeof b, "f%d", i);
      strcat (whole, b);
      frame (p, i == 4, 0, i == 0 ? 1 : 0, b, strlen (b));
      if (i == 4)
        expect (p, 1, whole, strlen (whole));
      frame (p, 1, 0, WS_OPCODE_PING, b, strlen (b));
      expect (p, WS_OPCODE_PING, b, strlen (b));
    }
  return 1000;
}
static int
c5_empty_fragments (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 0, 0, 2, NULL, 0);
  frame (p, 0, 0, 0, NULL, 0);
  frame (p, 1, 0, 0, NULL, 0);
  expect (p, 2, NULL, 0);
  return 1000;
}

/* 6: UTF-8 */
static const struct
{
  const char *s;
  size_t n;
  int ok;
} utf8_vectors[] = {
  { "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 1 },
  { "\xf0\x90\x80\x80", 4, 1 },
  { "\xf4\x8f\xbf\xbf", 4, 1 },
  { "\xed\x9f\xbf", 3, 1 },
  { "\xee\x80\x80", 3, 1 },
  { "\xef\xbf\xbd", 3, 1 },
  { "\x7f\xc2\x80\xe0\xa0\x80", 6, 1 },
  { "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64", 20, 0 },
  { "\xed\xa0\x80", 3, 0 },
  { "\xed\xbf\xbf", 3, 0 },
  { "\xf4\x90\x80\x80", 4, 0 },
  { "\xf5\x80\x80\x80", 4, 0 },
  { "\xc0\xaf", 2, 0 },
  { "\xe0\x80\xaf", 3, 0 },
  { "\xf0\x80\x80\xaf", 4, 0 },
  { "\x80", 1, 0 },
  { "\xbf", 1, 0 },
  { "ab\xc2", 3, 0 },
  { "\xe0\xa0", 2, 0 },
  { "\xfe", 1, 0 },
  { "\xff", 1, 0 },
  { "\xc0\x80", 2, 0 },
  { "\xf8\x88\x80\x80\x80", 5, 0 },
};
#define N_UTF8 (sizeof utf8_vectors / sizeof utf8_vectors[0])

static int
utf8_case (Peer *p, size_t i, size_t frag, size_t chop)
{
  p->chop = chop;
  if (utf8_vectors[i].ok)
    {
      msg_frag (p, 1, utf8_vectors[i].s, utf8_vectors[i].n, frag);
      return 1000;
    }
  msg_frag (p, 1, utf8_vectors[i].s, utf8_vectors[i].n, frag);
  p->nexp--;
  free (p->exp[p->nexp].data);
  return 1007;
}

static size_t utf8_index;
static int
c6_single (Peer *p, Limits *l)
{
  (void)l;
  return utf8_case (p, utf8_index, 0, 0);
}
static int
c6_bytewise_fragments (Peer *p, Limits *l)
{
  (void)l;
  return utf8_case (p, utf8_index, 1, 0);
}
static int
c6_chopped (Peer *p, Limits *l)
{
  (void)l;
  return utf8_case (p, utf8_index, 0, 1);
}

/* 7: close */
static int
c7_1_1 (Peer *p, Limits *l)
{
  (void)l;
  msg (p, 1, "Hello World!", 12);
  close_frame (p, 1000, "", 0);
  return 1000;
}
static int
c7_1_3 (Peer *p, Limits *l) /* data after the close is ignored */
{
  (void)l;
  close_frame (p, 1000, "", 0);
  frame (p, 1, 0, 1, "late", 4);
  frame (p, 1, 0, WS_OPCODE_PING, "late", 4);
  return 1000;
}
static int
c7_3_1 (Peer *p, Limits *l) /* empty close: answered without status (1005 locally) */
{
  (void)l;
  frame (p, 1, 0, WS_OPCODE_CLOSE, NULL, 0);
  return 1005;
}
static int
c7_3_2 (Peer *p, Limits *l) /* 1-byte close payload */
{
  (void)l;
  frame (p, 1, 0, WS_OPCODE_CLOSE, "a", 1);
  return 1002;
}
static int
c7_3_5 (Peer *p, Limits *l) /* 123-byte reason */
{
  char r[123];
  (void)l;
  memset (r, 'r', sizeof r);
  close_frame (p, 1000, r, sizeof r);
  return 1000;
}
static int
c7_5_1 (Peer *p, Limits *l) /* reason not UTF-8 */
{
  (void)l;
  close_frame (p, 1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", 14);
  return 1007;
}

static const int valid_codes[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 };
static const int invalid_codes[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535 };
static int close_code_arg;
static int
c7_7_valid (Peer *p, Limits *l)
{
  (void)l;
  close_frame (p, close_code_arg, "ok", 2);
  return close_code_arg;
}
static int
c7_9_invalid (Peer *p, Limits *l)
{
  (void)l;
  close_frame (p, close_code_arg, "", 0);
  return 1002;
}

/* 9: sizes and limits (kept fast) */
static int
c9_big (Peer *p, size_t n, int op, size_t frag, size_t chop)
{
  unsigned char *d = pattern (n, op == 1);
  p->chop = chop;
  msg_frag (p, op, d, n, frag);
  free (d);
  return 1000;
}
static int
c9_1_1 (Peer *p, Limits *l)
{
  (void)l;
  return c9_big (p, 64 * 1024, 1, 0, 0);
}
static int
c9_1_3 (Peer *p, Limits *l)
{
  (void)l;
  return c9_big (p, 1024 * 1024, 1, 0, 0);
}
static int
c9_2_4 (Peer *p, Limits *l)
{
  (void)l;
  return c9_big (p, 4 * 1024 * 1024, 2, 0, 0);
}
static int
c9_3_1 (Peer *p, Limits *l) /* 1 MiB text in 64-byte fragments is above max_fragments; allowed with more */
{
  l->max_fragments = 20000;
  return c9_big (p, 1024 * 1024, 1, 64, 0);
}
static int
c9_4_1 (Peer *p, Limits *l) /* 1 MiB binary in 256-byte fragments, 4 KiB chops */
{
  l->max_fragments = 5000;
  return c9_big (p, 1024 * 1024, 2, 256, 4096);
}
static int
c9_limit_message (Peer *p, Limits *l)
{
  unsigned char *d = pattern (5000, 0);
  l->max_message = 4096;
  msg (p, 2, d, 4096);
  frame (p, 1, 0, 2, d, 5000);
  free (d);
  return 1009;
}
static int
c9_limit_message_fragments (Peer *p, Limits *l)
{
  unsigned char *d = pattern (5000, 0);
  l->max_message = 4096;
  frame (p, 0, 0, 2, d, 3000);
  frame (p, 1, 0, 0, d, 2000);
  free (d);
  return 1009;
}
static int
c9_limit_frame (Peer *p, Limits *l)
{
  unsigned char *d = pattern (2000, 0);
  l->max_frame = 1024;
  frame (p, 1, 0, 2, d, 2000);
  free (d);
  return 1009;
}
static int
c9_limit_fragments (Peer *p, Limits *l)
{
  l->max_fragments = 10;
  for (int i = 0; i < 11; i++)
    frame (p, i == 10, 0, i == 0 ? 2 : 0, "x", 1);
  return 1009;
}

/* 10: a large message in frames of the configured size comes back whole */
static int
c10_1_1 (Peer *p, Limits *l)
{
  l->max_frame = 4096; /* our endpoint fragments its echo at 4096 */
  return c9_big (p, 65536, 1, 4096, 0);
}

#if HAVE_DEFLATE
/* 12/13: permessage-deflate (compressed by the peer with zlib) */
static int
c12_sizes (Peer *p, Limits *l)
{
  static const size_t sz[] = { 16, 64, 256, 1024, 4096, 8192, 16384, 65536, 131072 };
  (void)l;
  for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
    {
      unsigned char *d = pattern (sz[i], 1);
      msg (p, (int)(i % 2) + 1, d, sz[i]);
      msg (p, 1, d, sz[i]); /* repeated: context takeover shrinks it */
      free (d);
    }
  return 1000;
}
static int
c12_fragmented (Peer *p, Limits *l)
{
  unsigned char *d = pattern (50000, 1);
  (void)l;
  msg_frag (p, 1, d, 50000, 100);
  msg_frag (p, 2, d, 50000, 7);
  free (d);
  return 1000;
}
static int
c12_many (Peer *p, Limits *l)
{
  (void)l;
  for (int i = 0; i < 1000; i++)
    {
      char b[40];
      int n = snprintf (b, sizeof b, "message number %d", i);
      msg (p, 1, b, (size_t)n);
    }
  return 1000;
}
static int
c12_bomb (Peer *p, Limits *l) /* a tiny frame inflating beyond max_message_size */
{
  unsigned char *zeros = calloc (1, 4 << 20);
  l->max_message = 1 << 20;
  msg (p, 2, zeros, 4 << 20);
  p->nexp--;
  free (p->exp[p->nexp].data);
  free (zeros);
  return 1009;
}
static int
c12_bad_stream (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 1, 4, 2, "\xff\xff\xff\xff\xff", 5);
  return 1002;
}
static int
c12_rsv1_on_continuation (Peer *p, Limits *l)
{
  (void)l;
  frame (p, 0, 0, 1, "a", 1);
  frame (p, 1, 4, 0, "b", 1);
  return 1002;
}
#endif

/* ------------------------------------------------------------------ */
/* table                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *id;
  CaseFn fn;
  int deflate; /* 0 plain, 1+ a deflate parameter set */
  int arg;     /* utf8 index / close code */
} Case;

static const char *const deflate_offers[] = {
  NULL,
  "permessage-deflate; client_max_window_bits",
  "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=10",
  "permessage-deflate; server_no_context_takeover; server_max_window_bits=12",
  "permessage-deflate; client_no_context_takeover; client_max_window_bits=9",
};
#define N_OFFERS (sizeof deflate_offers / sizeof deflate_offers[0])

static Case cases[400];
static int ncases;

static void
add (const char *id, CaseFn fn, int deflate, int arg)
{
  cases[ncases++] = (Case){ id, fn, deflate, arg };
}

static void
build_table (void)
{
  static char names[200][24];
  int nn = 0;

  if (ncases)
    return;

  add ("1.1.1", c1_1_1, 0, 0); add ("1.1.2", c1_1_2, 0, 0); add ("1.1.3", c1_1_3, 0, 0);
  add ("1.1.4", c1_1_4, 0, 0); add ("1.1.5", c1_1_5, 0, 0); add ("1.1.6", c1_1_6, 0, 0);
  add ("1.1.7", c1_1_7, 0, 0); add ("1.1.8", c1_1_8, 0, 0); add ("1.2.1", c1_2_1, 0, 0);
  add ("1.2.2", c1_2_2, 0, 0); add ("1.2.3", c1_2_3, 0, 0); add ("1.2.4", c1_2_4, 0, 0);
  add ("1.2.5", c1_2_5, 0, 0); add ("1.2.6", c1_2_6, 0, 0); add ("1.2.7", c1_2_7, 0, 0);
  add ("1.2.8", c1_2_8, 0, 0);
  add ("2.1", c2_1, 0, 0); add ("2.3", c2_3, 0, 0); add ("2.5", c2_5, 0, 0); add ("2.6", c2_6, 0, 0);
  add ("2.7", c2_7, 0, 0); add ("2.10", c2_10, 0, 0); add ("2.x-fragmented-ping", c2_fragmented_ping, 0, 0);
  add ("3.1", c3_1, 0, 0); add ("3.2", c3_2, 0, 0); add ("3.3", c3_3, 0, 0); add ("3.4", c3_4_rsv1_no_deflate, 0, 0);
  add ("3.5", c3_5, 0, 0); add ("3.6", c3_6, 0, 0); add ("3.7", c3_7, 0, 0);
  add ("4.1.1", c4_1_1, 0, 0); add ("4.1.2", c4_1_2, 0, 0); add ("4.1.3", c4_1_3, 0, 0);
  add ("4.1.4", c4_1_4, 0, 0); add ("4.1.5", c4_1_5, 0, 0); add ("4.2.1", c4_2_1, 0, 0);
  add ("4.2.2", c4_2_2, 0, 0); add ("4.2.3", c4_2_3, 0, 0); add ("4.2.4", c4_2_4, 0, 0);
  add ("4.2.5", c4_2_5, 0, 0);
  add ("5.1", c5_1, 0, 0); add ("5.3", c5_3, 0, 0); add ("5.6", c5_6, 0, 0); add ("5.8", c5_8, 0, 0);
  add ("5.9", c5_9, 0, 0); add ("5.15", c5_15, 0, 0); add ("5.19", c5_19, 0, 0);
  add ("5.x-empty-fragments", c5_empty_fragments, 0, 0);
  for (size_t i = 0; i < N_UTF8; i++)
    {
      snprintf (names[nn], sizeof names[nn], "6.%zu.single", i);
      add (names[nn++], c6_single, 0, (int)i);
      snprintf (names[nn], sizeof names[nn], "6.%zu.frag1", i);
      add (names[nn++], c6_bytewise_fragments, 0, (int)i);
      snprintf (names[nn], sizeof names[nn], "6.%zu.chop1", i);
      add (names[nn++], c6_chopped, 0, (int)i);
    }
  add ("7.1.1", c7_1_1, 0, 0); add ("7.1.3", c7_1_3, 0, 0); add ("7.3.1", c7_3_1, 0, 0);
  add ("7.3.2", c7_3_2, 0, 0); add ("7.3.5", c7_3_5, 0, 0); add ("7.5.1", c7_5_1, 0, 0);
  for (size_t i = 0; i < sizeof valid_codes / sizeof valid_codes[0]; i++)
    {
      snprintf (names[nn], sizeof names[nn], "7.7.%d", valid_codes[i]);
      add (names[nn++], c7_7_valid, 0, valid_codes[i]);
    }
  for (size_t i = 0; i < sizeof invalid_codes / sizeof invalid_codes[0]; i++)
    {
      snprintf (names[nn], sizeof names[nn], "7.9.%d", invalid_codes[i]);
      add (names[nn++], c7_9_invalid, 0, invalid_codes[i]);
    }
  add ("9.1.1", c9_1_1, 0, 0); add ("9.1.3", c9_1_3, 0, 0); add ("9.2.4", c9_2_4, 0, 0);
  add ("9.3.1", c9_3_1, 0, 0); add ("9.4.1", c9_4_1, 0, 0);
  add ("9.x-max-message", c9_limit_message, 0, 0);
  add ("9.x-max-message-fragments", c9_limit_message_fragments, 0, 0);
  add ("9.x-max-frame", c9_limit_frame, 0, 0); add ("9.x-max-fragments", c9_limit_fragments, 0, 0);
  add ("10.1.1", c10_1_1, 0, 0);
#if HAVE_DEFLATE
  for (size_t o = 1; o < N_OFFERS; o++)
    {
      snprintf (names[nn], sizeof names[nn], "12.%zu.sizes", o);
      add (names[nn++], c12_sizes, (int)o, 0);
      snprintf (names[nn], sizeof names[nn], "12.%zu.fragmented", o);
      add (names[nn++], c12_fragmented, (int)o, 0);
      snprintf (names[nn], sizeof names[nn], "13.%zu.many", o);
      add (names[nn++], c12_many, (int)o, 0);
    }
  add ("12.x-bomb", c12_bomb, 1, 0);
  add ("12.x-bad-stream", c12_bad_stream, 1, 0);
  add ("12.x-rsv1-continuation", c12_rsv1_on_continuation, 1, 0);
  add ("12.x-utf8-compressed", c6_bytewise_fragments, 2, 7);
#endif
}

/* ------------------------------------------------------------------ */
/* result checking                                                    */
/* ------------------------------------------------------------------ */

typedef struct
{
  SocketWSExt_Codec_T dec; /* decodes what our endpoint sent */
  int got_close, close_code, failed;
  int idx;        /* next expected */
  char why[160];
  unsigned char *cur;
  size_t cur_len, cur_cap;
  int cur_op;
} Check;

static void
check_event (Check *k, Peer *p, const SocketWSExt_Event *ev)
{
  switch (ev->type)
    {
    case WSEXT_EV_MESSAGE_START:
      k->cur_len = 0;
      k->cur_op = ev->opcode;
      break;
    case WSEXT_EV_DATA:
      if (k->cur_len + ev->len > k->cur_cap)
        {
          k->cur_cap = (k->cur_len + ev->len) * 2;
          k->cur = realloc (k->cur, k->cur_cap);
        }
      memcpy (k->cur + k->cur_len, ev->data, ev->len);
      k->cur_len += ev->len;
      break;
    case WSEXT_EV_MESSAGE_END:
    case WSEXT_EV_PONG:
      {
        int op = ev->type == WSEXT_EV_PONG ? WS_OPCODE_PING : k->cur_op;
        const unsigned char *d = ev->type == WSEXT_EV_PONG ? ev->data : k->cur;
        size_t n = ev->type == WSEXT_EV_PONG ? ev->len : k->cur_len;
        if (k->idx >= p->nexp)
          snprintf (k->why, sizeof k->why, "unexpected %s #%d", ev->type == WSEXT_EV_PONG ? "pong" : "message", k->idx);
        else if (p->exp[k->idx].opcode != op || p->exp[k->idx].len != n
                 || (n && memcmp (p->exp[k->idx].data, d, n) != 0))
          snprintf (k->why, sizeof k->why, "reply #%d differs (op %d/%d, len %zu/%zu)", k->idx, op,
                    p->exp[k->idx].opcode, n, p->exp[k->idx].len);
        if (k->why[0])
          k->failed = 1;
        k->idx++;
        break;
      }
    case WSEXT_EV_CLOSE:
      k->got_close = 1;
      k->close_code = ev->close_code;
      break;
    case WSEXT_EV_ERROR:
      k->failed = 1;
      snprintf (k->why, sizeof k->why, "our endpoint sent invalid data (error %d)", ev->error);
      break;
    default:
      break;
    }
}

static void
check_feed (Check *k, Peer *p, const unsigned char *d, size_t n)
{
  SocketWSExt_Event ev;

  while (n > 0 && !k->got_close && !k->failed)
    {
      size_t t = SocketWSExt_input (k->dec, d, n);
      d += t;
      n -= t;
      while (!k->got_close && !k->failed && SocketWSExt_next_event (k->dec, &ev))
        check_event (k, p, &ev);
    }
}

static int
verdict (const Case *c, Check *k, Peer *p, int expected_code, const char *mode)
{
  if (!k->failed && !k->got_close)
    snprintf (k->why, sizeof k->why, "no close received");
  else if (!k->failed && k->close_code != expected_code)
    snprintf (k->why, sizeof k->why, "close code %d, expected %d", k->close_code, expected_code);
  else if (!k->failed && k->idx != p->nexp)
    snprintf (k->why, sizeof k->why, "%d of %d replies", k->idx, p->nexp);
  else if (!k->failed)
    return 1;
  fprintf (stderr, "  case %s (%s, deflate set %d): %s\n", c->id, mode, c->deflate, k->why);
  return 0;
}

static void
peer_free (Peer *p, Check *k)
{
  for (int i = 0; i < p->nexp; i++)
    free (p->exp[i].data);
  free (p->b);
#if HAVE_DEFLATE
  if (p->z_ready)
    deflateEnd (&p->z);
#endif
  SocketWSExt_codec_free (&k->dec);
  free (k->cur);
}

static void
endpoint_config (SocketWS_Config *cfg, const Limits *l, int deflate, SocketWS_Role role)
{
  SocketWS_config_defaults (cfg);
  cfg->role = role;
  cfg->enable_permessage_deflate = deflate != 0;
  if (l->max_frame)
    cfg->max_frame_size = l->max_frame;
  if (l->max_message)
    cfg->max_message_size = l->max_message;
  if (l->max_fragments)
    cfg->max_fragments = l->max_fragments;
}

/* build the case for a peer of the given role; returns the expected code */
static int
build_case (const Case *c, Peer *p, Limits *l, int peer_is_client, const SocketWSExt_Deflate *pmd)
{
  int code;

  memset (p, 0, sizeof *p);
  memset (l, 0, sizeof *l);
  p->mask = peer_is_client;
  if (pmd)
    p->pmd = *pmd;
  utf8_index = (size_t)c->arg;
  close_code_arg = c->arg;
  code = c->fn (p, l);
  if (code == 1000 && !p->sent_close)
    close_frame (p, 1000, "", 0);
  return code;
}

static void
check_init (Check *k, const SocketWSExt_Deflate *pmd, int decoder_is_client)
{
  SocketWS_Config cfg;

  memset (k, 0, sizeof *k);
  SocketWS_config_defaults (&cfg);
  cfg.role = decoder_is_client ? WS_ROLE_CLIENT : WS_ROLE_SERVER;
  cfg.max_message_size = (size_t)64 << 20;
  k->dec = SocketWSExt_codec_new (&cfg, pmd);
}

/* ------------------------------------------------------------------ */
/* mode 1: codec in memory                                            */
/* ------------------------------------------------------------------ */

static int
run_mem (const Case *c, int endpoint_is_server)
{
  Peer *p = calloc (1, sizeof *p);
  Limits l;
  Check k;
  SocketWS_Config cfg;
  SocketWSExt_Deflate pmd = { 0 };
  SocketWSExt_Codec_T ep;
  size_t off = 0;
  int code, ok;

  if (c->deflate)
    {
      SocketWS_config_defaults (&cfg);
      cfg.enable_permessage_deflate = 1;
      if (!SocketWSExt_deflate_negotiate (deflate_offers[c->deflate], &cfg, &pmd))
        {
          fprintf (stderr, "  case %s: offer declined\n", c->id);
          free (p);
          return 0;
        }
    }
  code = build_case (c, p, &l, endpoint_is_server, c->deflate ? &pmd : NULL);
  endpoint_config (&cfg, &l, c->deflate, endpoint_is_server ? WS_ROLE_SERVER : WS_ROLE_CLIENT);
  ep = SocketWSExt_codec_new (&cfg, c->deflate ? &pmd : NULL);
  check_init (&k, c->deflate ? &pmd : NULL, endpoint_is_server);
  while (!k.got_close && !k.failed)
    {
      size_t n = p->len - off, out_len;
      SocketWS_Message m;
      const unsigned char *out;
      int r;

      if (p->chop && n > p->chop)
        n = p->chop;
      off += SocketWSExt_input (ep, p->b + off, n);
      while ((r = SocketWSExt_next_message (ep, &m)) == 1)
        {
          SocketWSExt_send_message (ep, m.type, m.data, m.len);
          SocketWS_Message_free (&m);
        }
      out = SocketWSExt_output (ep, &out_len);
      if (out)
        {
          check_feed (&k, p, out, out_len);
          SocketWSExt_output_consumed (ep, out_len);
        }
      if (off == p->len && SocketWSExt_output_pending (ep) == 0 && r == 0)
        break;
      if (r < 0 && SocketWSExt_output_pending (ep) == 0 && !k.got_close)
        break;
    }
  ok = verdict (c, &k, p, code, endpoint_is_server ? "mem-server" : "mem-client");
  SocketWSExt_codec_free (&ep);
  peer_free (p, &k);
  free (p);
  return ok;
}

TEST (conformance_codec_server_role)
{
  int bad = 0;
  build_table ();
  for (int i = 0; i < ncases; i++)
    bad += !run_mem (&cases[i], 1);
  printf ("ws conformance (codec, server role): %d cases, %d passed, %d failed\n", ncases, ncases - bad, bad);
  ASSERT_EQ (bad, 0);
}

TEST (conformance_codec_client_role)
{
  int bad = 0;
  build_table ();
  for (int i = 0; i < ncases; i++)
    bad += !run_mem (&cases[i], 0);
  printf ("ws conformance (codec, client role): %d cases, %d passed, %d failed\n", ncases, ncases - bad, bad);
  ASSERT_EQ (bad, 0);
}

/* ------------------------------------------------------------------ */
/* modes 2 and 3: real connections                                    */
/* ------------------------------------------------------------------ */

typedef struct
{
  SocketWS_T ws;
} Echo;

static void *
echo_thread (void *arg)
{
  Echo *e = arg;
  SocketWS_Message m;

  while (SocketWS_recv_message (e->ws, &m) == 1)
    {
      if (m.type == WS_OPCODE_TEXT)
        SocketWS_send_text (e->ws, (const char *)m.data, m.len);
      else
        SocketWS_send_binary (e->ws, m.data, m.len);
      SocketWS_Message_free (&m);
    }
  return NULL;
}

/* a blocking read or write waits at most this long (pump_peer's poll
 * uses the same bound) */
#define PEER_TIMEOUT_S 20

static void
peer_deadline (int fd)
{
  struct timeval tv = { PEER_TIMEOUT_S, 0 };

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* join a peer thread; one still stuck well past the socket timeouts
 * cannot be cleaned up after, so the run ends here, failed */
static void
join_peer (pthread_t th, const char *id)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_sec += 3 * PEER_TIMEOUT_S;
  if (pthread_timedjoin_np (th, NULL, &ts) != 0)
    {
      fprintf (stderr, "  case %s: peer thread still running after %d s: giving up\n", id, 3 * PEER_TIMEOUT_S);
      fflush (NULL);
      _exit (1);
    }
}

/* read an HTTP head from fd (byte-wise to keep what follows in the socket) */
static ssize_t
read_head (int fd, char *buf, size_t cap)
{
  size_t n = 0;
  while (n + 1 < cap)
    {
      ssize_t r = read (fd, buf + n, 1);
      if (r <= 0)
        return -1;
      n++;
      if (n >= 4 && memcmp (buf + n - 4, "\r\n\r\n", 4) == 0)
        return (ssize_t)n;
    }
  return -1;
}

/* play the peer bytes into fd while decoding what comes back */
static void
pump_peer (int fd, Peer *p, Check *k)
{
  size_t off = 0;
  unsigned char buf[65536];

  while (!k->got_close && !k->failed)
    {
      struct pollfd pfd = { fd, POLLIN | (off < p->len ? POLLOUT : 0), 0 };
      if (poll (&pfd, 1, 20000) <= 0)
        {
          snprintf (k->why, sizeof k->why, "timed out");
          k->failed = 1;
          return;
        }
      if ((pfd.revents & POLLOUT) && off < p->len)
        {
          size_t n = p->len - off;
          ssize_t w;
          if (p->chop && n > p->chop)
            n = p->chop;
          w = write (fd, p->b + off, n);
          if (w > 0)
            off += (size_t)w;
        }
      if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t r = read (fd, buf, sizeof buf);
          if (r <= 0)
            return;
          check_feed (k, p, buf, (size_t)r);
        }
    }
}

static int
run_server (const Case *c)
{
  Peer *p = calloc (1, sizeof *p);
  Limits l;
  Check k;
  SocketWS_Config cfg;
  Socket_T a, b;
  char req[2048], head[4096];
  char key[SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE];
  const char *hdrs[3] = { NULL, NULL, NULL };
  Arena_T arena = Arena_new ();
  SocketHTTP1_Parser_T parser;
  SocketWSExt_Deflate pmd;
  const char *proto;
  size_t used;
  ssize_t n;
  Echo e;
  pthread_t th;
  int code, ok, fd;

  /* build with the limits first: they configure the endpoint */
  code = build_case (c, p, &l, 1, NULL);
  SocketPair_new (SOCK_STREAM, &a, &b);
  peer_deadline (Socket_fd (a));
  peer_deadline (Socket_fd (b));
  fd = Socket_fd (b);
  SocketCrypto_websocket_key (key);
  SocketWS_config_defaults (&cfg);
  if (c->deflate)
    hdrs[0] = "Sec-WebSocket-Extensions", hdrs[1] = deflate_offers[c->deflate];
  n = SocketWSExt_client_request (req, sizeof req, "localhost", "/echo", key, &cfg, hdrs);
  if (write (fd, req, (size_t)n) != n)
    abort ();
  /* the server side: parse the request, accept, hand over leftovers */
  n = read_head (Socket_fd (a), head, sizeof head);
  parser = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  SocketHTTP1_Parser_execute (parser, head, (size_t)n, &used);
  endpoint_config (&cfg, &l, c->deflate, WS_ROLE_SERVER);
  e.ws = SocketWSExt_server_accept_data (a, SocketHTTP1_Parser_get_request (parser), &cfg, head + used,
                                         (size_t)n - used);
  if (SocketWS_handshake (e.ws) != 0)
    abort ();
  /* the client side: check the response, then rebuild the case for the
   * negotiated parameters */
  n = read_head (fd, head, sizeof head);
  Arena_clear (arena);
  parser = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, NULL, arena);
  SocketHTTP1_Parser_execute (parser, head, (size_t)n, &used);
  SocketWS_config_defaults (&cfg);
  cfg.enable_permessage_deflate = c->deflate != 0;
  /* the offers that carry client_max_window_bits=N stand for a config of N */
  cfg.deflate_max_window_bits = c->deflate == 3 ? 10 : c->deflate == 5 ? 9 : 15;
  if (SocketWSExt_client_verify (SocketHTTP1_Parser_get_response (parser), key, &cfg, &proto, &pmd) != NULL)
    abort ();
  for (int i = 0; i < p->nexp; i++)
    free (p->exp[i].data);
  free (p->b);
  code = build_case (c, p, &l, 1, c->deflate ? &pmd : NULL);
  check_init (&k, c->deflate ? &pmd : NULL, 1);
  pthread_create (&th, NULL, echo_thread, &e);
  pump_peer (fd, p, &k);
  shutdown (fd, SHUT_RDWR);
  join_peer (th, c->id);
  ok = verdict (c, &k, p, code, "server");
  SocketWS_free (&e.ws);
  Socket_free (&a);
  Socket_free (&b);
  Arena_dispose (&arena);
  peer_free (p, &k);
  free (p);
  return ok;
}

TEST (conformance_our_server_socketpair)
{
  int bad = 0;
  build_table ();
  for (int i = 0; i < ncases; i++)
    bad += !run_server (&cases[i]);
  printf ("ws conformance (our server, socketpair): %d cases, %d passed, %d failed\n", ncases, ncases - bad, bad);
  ASSERT_EQ (bad, 0);
}

typedef struct
{
  Socket_T listener;
  const Case *c;
  Limits l;
  SocketWS_T ws;
} ClientRun;

static void *
client_thread (void *arg)
{
  ClientRun *cr = arg;
  SocketWS_Config cfg;
  Socket_T s = Socket_new (AF_INET, SOCK_STREAM, 0);
  Echo e;

  peer_deadline (Socket_fd (s));
  Socket_connect (s, "127.0.0.1", Socket_getlocalport (cr->listener));
  endpoint_config (&cfg, &cr->l, cr->c->deflate, WS_ROLE_CLIENT);
  if (cr->c->deflate == 2)
    cfg.deflate_no_context_takeover = 1;
  e.ws = SocketWS_client_new (s, "127.0.0.1", "/echo", &cfg);
  if (SocketWS_handshake (e.ws) == 0)
    echo_thread (&e);
  /* a client leaves the TCP close to the server: closing with unread
   * input would reset the connection and could destroy our CLOSE frame */
  Socket_shutdown (s, SHUT_WR);
  {
    char sink[4096];
    struct pollfd pfd = { Socket_fd (s), POLLIN, 0 };
    while (poll (&pfd, 1, 5000) > 0 && read (Socket_fd (s), sink, sizeof sink) > 0)
      ;
  }
  SocketWS_free (&e.ws);
  Socket_free (&s);
  return NULL;
}

static int
run_client (const Case *c)
{
  Peer *p = calloc (1, sizeof *p);
  ClientRun cr;
  Check k;
  SocketWS_Config cfg;
  Socket_T conn;
  char head[4096], resp[1024];
  Arena_T arena = Arena_new ();
  SocketHTTP1_Parser_T parser;
  SocketWSExt_Deflate pmd;
  const char *proto, *why;
  size_t used;
  ssize_t n;
  pthread_t th;
  int code, ok;

  memset (&cr, 0, sizeof cr);
  code = build_case (c, p, &cr.l, 0, NULL);
  cr.c = c;
  cr.listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (cr.listener);
  Socket_bind (cr.listener, "127.0.0.1", 0);
  Socket_listen (cr.listener, 4);
  peer_deadline (Socket_fd (cr.listener)); /* bounds accept too */
  pthread_create (&th, NULL, client_thread, &cr);
  conn = Socket_accept (cr.listener);
  if (conn == NULL)
    {
      fprintf (stderr, "  case %s: the client never connected\n", c->id);
      join_peer (th, c->id);
      abort ();
    }
  peer_deadline (Socket_fd (conn));
  n = read_head (Socket_fd (conn), head, sizeof head);
  parser = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
  SocketHTTP1_Parser_execute (parser, head, (size_t)n, &used);
  SocketWS_config_defaults (&cfg);
  cfg.enable_permessage_deflate = c->deflate != 0;
  why = SocketWSExt_server_check (SocketHTTP1_Parser_get_request (parser), &cfg, &proto, &pmd);
  if (why)
    abort ();
  n = SocketWSExt_server_response (resp, sizeof resp,
                                   SocketHTTP_Headers_get (SocketHTTP1_Parser_get_request (parser)->headers,
                                                           "Sec-WebSocket-Key"),
                                   NULL, &pmd);
  if (write (Socket_fd (conn), resp, (size_t)n) != n)
    abort ();
  for (int i = 0; i < p->nexp; i++)
    free (p->exp[i].data);
  free (p->b);
  code = build_case (c, p, &cr.l, 0, c->deflate ? &pmd : NULL);
  check_init (&k, c->deflate ? &pmd : NULL, 0);
  pump_peer (Socket_fd (conn), p, &k);
  shutdown (Socket_fd (conn), SHUT_RDWR);
  join_peer (th, c->id);
  ok = verdict (c, &k, p, code, "client");
  Socket_free (&conn);
  Socket_free (&cr.listener);
  Arena_dispose (&arena);
  peer_free (p, &k);
  free (p);
  return ok;
}

/* every deflate offer of the table is accepted by a server with
 * permessage-deflate compiled in and declined (plain connection) by one
 * without; the table holds 12/13 cases only in a deflate build */
TEST (deflate_matches_the_build)
{
  Arena_T arena = Arena_new ();
  SocketWS_Config cfg;
  int deflate_cases = 0;

  build_table ();
  for (int i = 0; i < ncases; i++)
    deflate_cases += cases[i].deflate != 0;
  ASSERT_EQ (SocketWSExt_deflate_available (), HAVE_DEFLATE);
  ASSERT_EQ (deflate_cases > 0, HAVE_DEFLATE);
  SocketWS_config_defaults (&cfg);
  cfg.enable_permessage_deflate = 1;
  for (size_t o = 1; o < N_OFFERS; o++)
    {
      char req[2048], resp[1024];
      const char *hdrs[3] = { "Sec-WebSocket-Extensions", deflate_offers[o], NULL };
      SocketHTTP1_Parser_T parser = SocketHTTP1_Parser_new (HTTP1_PARSE_REQUEST, NULL, arena);
      SocketWSExt_Deflate pmd;
      const char *proto;
      size_t used;
      ssize_t n = SocketWSExt_client_request (req, sizeof req, "localhost", "/", "dGhlIHNhbXBsZSBub25jZQ==", NULL,
                                              hdrs);

      ASSERT (n > 0);
      ASSERT_EQ (SocketHTTP1_Parser_execute (parser, req, (size_t)n, &used), HTTP1_OK);
      ASSERT (SocketWSExt_server_check (SocketHTTP1_Parser_get_request (parser), &cfg, &proto, &pmd) == NULL);
      ASSERT_EQ (pmd.enabled, HAVE_DEFLATE);
      n = SocketWSExt_server_response (resp, sizeof resp, "dGhlIHNhbXBsZSBub25jZQ==", NULL, &pmd);
      ASSERT (n > 0);
      ASSERT_EQ (strstr (resp, "Sec-WebSocket-Extensions: permessage-deflate") != NULL, HAVE_DEFLATE);
      Arena_clear (arena);
    }
  Arena_dispose (&arena);
}

TEST (conformance_our_client_tcp)
{
  int bad = 0;
  build_table ();
  for (int i = 0; i < ncases; i++)
    bad += !run_client (&cases[i]);
  printf ("ws conformance (our client, TCP): %d cases, %d passed, %d failed\n", ncases, ncases - bad, bad);
  ASSERT_EQ (bad, 0);
}

TEST_MAIN ()
