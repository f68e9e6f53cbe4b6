/*
 * test_ws_codec.c - the I/O-free WebSocket codec (SocketWSExt.h): masking,
 * streamed delivery of a large message, streamed sends with and without
 * permessage-deflate, fail-fast UTF-8, close rules, negotiation parsing
 * and the handshake builders.
 */
#include <stdlib.h>
#include <string.h>

#include "Test.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

#if SOCKETWS_HAS_DEFLATE || SOCKETHTTP1_HAS_COMPRESSION
#define HAVE_DEFLATE 1
#else
#define HAVE_DEFLATE 0
#endif

static SocketWSExt_Codec_T
codec (SocketWS_Role role, const SocketWSExt_Deflate *d)
{
  SocketWS_Config cfg;

  SocketWS_config_defaults (&cfg);
  cfg.role = role;
  return SocketWSExt_codec_new (&cfg, d);
}

/* move everything a wrote into b */
static void
transfer (SocketWSExt_Codec_T a, SocketWSExt_Codec_T b)
{
  size_t n;
  const unsigned char *p;

  while ((p = SocketWSExt_output (a, &n)) != NULL)
    {
      size_t t = SocketWSExt_input (b, p, n);
      SocketWSExt_output_consumed (a, t);
      if (t == 0)
        break;
    }
}

TEST (mask_matches_bytewise_for_all_offsets)
{
  unsigned char key[4] = { 0x12, 0x34, 0x56, 0x78 };
  unsigned char a[300], b[300];

  for (size_t off = 0; off < 4; off++)
    for (size_t len = 0; len < 300; len += 7)
      {
        for (size_t i = 0; i < len; i++)
          a[i] = b[i] = (unsigned char)(i * 13);
        ASSERT_EQ (SocketWSExt_mask (a + 1, len ? len - 1 : 0, key, off), (off + (len ? len - 1 : 0)) & 3);
        for (size_t i = 0; i + 1 < len; i++)
          b[i + 1] ^= key[(off + i) & 3];
        ASSERT (memcmp (a, b, len) == 0);
      }
}

TEST (close_code_rules)
{
  static const int ok[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999 };
  static const int bad[] = { -1, 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000 };

  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    ASSERT_EQ (SocketWSExt_close_code_valid (ok[i]), 1);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ASSERT_EQ (SocketWSExt_close_code_valid (bad[i]), 0);
}

TEST (large_message_is_streamed_in_chunks)
{
  SocketWSExt_Codec_T c = codec (WS_ROLE_CLIENT, NULL), s = codec (WS_ROLE_SERVER, NULL);
  size_t big = 3u << 20, got = 0, pos = 0;
  unsigned char *data = malloc (big);
  int starts = 0, ends = 0, chunks = 0;
  size_t n;
  const unsigned char *p;

  for (size_t i = 0; i < big; i++)
    data[i] = (unsigned char)(i ^ (i >> 9));
  ASSERT_EQ (SocketWSExt_send_message (c, WS_OPCODE_BINARY, data, big), WS_OK);
  p = SocketWSExt_output (c, &n);
  /* feed the wire bytes as they fit; the codec never needs the whole message */
  while (pos < n)
    {
      SocketWSExt_Event ev;
      pos += SocketWSExt_input (s, p + pos, n - pos);
      while (SocketWSExt_next_event (s, &ev))
        {
          if (ev.type == WSEXT_EV_MESSAGE_START)
            starts++;
          else if (ev.type == WSEXT_EV_DATA)
            {
              ASSERT (memcmp (ev.data, data + got, ev.len) == 0);
              got += ev.len;
              chunks++;
            }
          else if (ev.type == WSEXT_EV_MESSAGE_END)
            ends++;
        }
      ASSERT (SocketWSExt_input_pending (s) < SOCKETWSEXT_INPUT_CAP);
    }
  ASSERT_EQ (starts, 1);
  ASSERT_EQ (ends, 1);
  ASSERT_EQ (got, big);
  ASSERT (chunks >= (int)(big / SOCKETWSEXT_INPUT_CAP));
  free (data);
  SocketWSExt_codec_free (&c);
  SocketWSExt_codec_free (&s);
  ASSERT (c == NULL);
}

static void
streamed_send (const SocketWSExt_Deflate *d)
{
  SocketWSExt_Codec_T c = codec (WS_ROLE_CLIENT, d), s = codec (WS_ROLE_SERVER, d);
  SocketWS_Message m;
  const char *parts[] = { "Hello, ", "streamed ", "", "w\xc3", "\xb6rld" };

  for (int round = 0; round < 3; round++)
    {
      ASSERT_EQ (SocketWSExt_send_begin (c, WS_OPCODE_TEXT), WS_OK);
      ASSERT_EQ (SocketWSExt_send_message (c, WS_OPCODE_TEXT, "x", 1), WS_ERROR_PROTOCOL);
      for (int i = 0; i < 4; i++)
        ASSERT_EQ (SocketWSExt_send_continue (c, parts[i], strlen (parts[i])), WS_OK);
      ASSERT_EQ (SocketWSExt_send_finish (c, parts[4], strlen (parts[4])), WS_OK);
      ASSERT_EQ (SocketWSExt_send_ping (c, "between", 7), WS_OK);
      ASSERT_EQ (SocketWSExt_send_message (c, WS_OPCODE_BINARY, "", 0), WS_OK);
      transfer (c, s);
      ASSERT_EQ (SocketWSExt_next_message (s, &m), 1);
      ASSERT_EQ (m.type, WS_OPCODE_TEXT);
      ASSERT_STREQ ((char *)m.data, "Hello, streamed w\xc3\xb6rld");
      SocketWS_Message_free (&m);
      ASSERT_EQ (SocketWSExt_next_message (s, &m), 1);
      ASSERT_EQ (m.type, WS_OPCODE_BINARY);
      ASSERT_EQ (m.len, 0);
      SocketWS_Message_free (&m);
      ASSERT_EQ (SocketWSExt_next_message (s, &m), 0);
      /* the ping was answered */
      ASSERT (SocketWSExt_output_pending (s) > 0);
      transfer (s, c);
      ASSERT_EQ (SocketWSExt_next_message (c, &m), 0);
      ASSERT_EQ (SocketWSExt_pongs_received (c), (unsigned long)round + 1);
    }
  /* invalid UTF-8 across parts is refused at the part that breaks it */
  ASSERT_EQ (SocketWSExt_send_begin (c, WS_OPCODE_TEXT), WS_OK);
  ASSERT_EQ (SocketWSExt_send_continue (c, "\xe2\x82", 2), WS_OK);
  ASSERT_EQ (SocketWSExt_send_finish (c, "", 0), WS_ERROR_INVALID_UTF8);
  SocketWSExt_codec_free (&c);
  SocketWSExt_codec_free (&s);
}

TEST (streamed_send_plain)
{
  streamed_send (NULL);
}

TEST (streamed_send_deflate_context_takeover_and_not)
{
#if HAVE_DEFLATE
  SocketWSExt_Deflate d = { 1, 0, 0, 15, 15 };
  streamed_send (&d);
  d.server_no_context_takeover = d.client_no_context_takeover = 1;
  d.client_max_window_bits = 9;
  streamed_send (&d);
  ASSERT_EQ (SocketWSExt_deflate_available (), 1);
#else
  /* without zlib a codec asked to compress is refused, not made plain */
  SocketWSExt_Deflate d = { 1, 0, 0, 15, 15 };
  SocketWS_Config cfg;

  ASSERT_EQ (SocketWSExt_deflate_available (), 0);
  SocketWS_config_defaults (&cfg);
  ASSERT (SocketWSExt_codec_new (&cfg, &d) == NULL);
  cfg.role = WS_ROLE_SERVER;
  ASSERT (SocketWSExt_codec_new (&cfg, &d) == NULL);
#endif
}

#if HAVE_DEFLATE
/* bytes on the wire for one 64 KiB text message at @p level (-2: untouched) */
static void
deflated_size (SocketWSExt_Codec_T c, SocketWSExt_Codec_T s, const char *text, size_t n, int level, size_t *out)
{
  SocketWS_Message m;

  if (level != -2)
    ASSERT_EQ (SocketWSExt_set_deflate_level (c, level), 0);
  ASSERT_EQ (SocketWSExt_send_message (c, WS_OPCODE_TEXT, text, n), WS_OK);
  *out = SocketWSExt_output_pending (c);
  transfer (c, s);
  ASSERT_EQ (SocketWSExt_next_message (s, &m), 1);
  ASSERT_EQ (m.len, n);
  ASSERT (memcmp (m.data, text, n) == 0);
  SocketWS_Message_free (&m);
}
#endif

TEST (deflate_level_changes_the_ratio_not_the_message)
{
  SocketWSExt_Codec_T plain = codec (WS_ROLE_CLIENT, NULL);

  ASSERT_EQ (SocketWSExt_set_deflate_level (plain, 1), -1); /* no deflate in use */
  ASSERT_EQ (SocketWSExt_set_deflate_level (NULL, 1), -1);
  SocketWSExt_codec_free (&plain);
#if HAVE_DEFLATE
  {
    /* no context takeover, so each message is compressed on its own */
    SocketWSExt_Deflate d = { 1, 1, 1, 15, 15 };
    SocketWSExt_Codec_T c = codec (WS_ROLE_CLIENT, &d), s = codec (WS_ROLE_SERVER, &d);
    size_t n = 65536, stored, fast, best, dflt, again;
    char *text = malloc (n);
    unsigned x = 12345;

    ASSERT (text != NULL);
    for (size_t i = 0; i < n; i++) /* words from a small alphabet: compressible, not trivially */
      {
        x = x * 1103515245u + 12345u;
        text[i] = (x >> 16) % 7 == 0 ? ' ' : (char)('a' + (x >> 20) % 12);
      }
    deflated_size (c, s, text, n, -2, &dflt);
    deflated_size (c, s, text, n, 0, &stored);
    deflated_size (c, s, text, n, 1, &fast);
    deflated_size (c, s, text, n, 9, &best);
    ASSERT (stored > n);   /* level 0 stores: framing overhead only */
    ASSERT (fast < n * 3 / 4); /* level 1 still compresses */
    ASSERT (best <= fast);
    deflated_size (c, s, text, n, -1, &again);
    ASSERT_EQ (again, dflt);
    ASSERT_EQ (SocketWSExt_set_deflate_level (c, 10), -1);
    ASSERT_EQ (SocketWSExt_set_deflate_level (c, -2), -1);
    ASSERT_EQ (SocketWSExt_send_begin (c, WS_OPCODE_BINARY), WS_OK);
    ASSERT_EQ (SocketWSExt_set_deflate_level (c, 1), -1); /* not inside a message */
    ASSERT_EQ (SocketWSExt_send_finish (c, "", 0), WS_OK);
    ASSERT_EQ (SocketWSExt_set_deflate_level (c, 1), 0);
    free (text);
    SocketWSExt_codec_free (&c);
    SocketWSExt_codec_free (&s);
  }
#endif
}

TEST (invalid_utf8_fails_before_the_frame_ends)
{
  SocketWSExt_Codec_T s = codec (WS_ROLE_SERVER, NULL);
  unsigned char hdr[6] = { 0x81, 0x80 | 100, 0, 0, 0, 0 }; /* zero mask */
  SocketWSExt_Event ev;
  size_t n;
  const unsigned char *p;

  SocketWSExt_input (s, hdr, sizeof hdr);
  SocketWSExt_input (s, "valid so far ", 13);
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 1);
  ASSERT_EQ (ev.type, WSEXT_EV_MESSAGE_START);
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 1);
  ASSERT_EQ (ev.type, WSEXT_EV_DATA);
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 0);
  SocketWSExt_input (s, "\xed\xa0", 2); /* a surrogate starts: invalid already */
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 1);
  ASSERT_EQ (ev.type, WSEXT_EV_ERROR);
  ASSERT_EQ (ev.close_code, 1007);
  ASSERT_EQ (SocketWSExt_error (s), WS_ERROR_INVALID_UTF8);
  ASSERT_EQ (SocketWSExt_close_sent (s), 1);
  p = SocketWSExt_output (s, &n);
  ASSERT_EQ (n, 4);
  ASSERT (p[0] == 0x88 && p[1] == 2 && p[2] == 0x03 && p[3] == 0xef);
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 0);
  ASSERT_EQ (SocketWSExt_send_message (s, WS_OPCODE_TEXT, "x", 1), WS_ERROR_CLOSED);
  SocketWSExt_codec_free (&s);
}

TEST (roles_enforce_masking)
{
  SocketWSExt_Codec_T s = codec (WS_ROLE_SERVER, NULL), c = codec (WS_ROLE_CLIENT, NULL);
  SocketWSExt_Event ev;
  unsigned char unmasked[3] = { 0x81, 0x01, 'a' };
  unsigned char masked[7] = { 0x81, 0x81, 1, 2, 3, 4, 'a' ^ 1 };

  SocketWSExt_input (s, unmasked, sizeof unmasked);
  ASSERT_EQ (SocketWSExt_next_event (s, &ev), 1);
  ASSERT_EQ (ev.type, WSEXT_EV_ERROR);
  ASSERT_EQ (ev.close_code, 1002);
  SocketWSExt_input (c, masked, sizeof masked);
  ASSERT_EQ (SocketWSExt_next_event (c, &ev), 1);
  ASSERT_EQ (ev.type, WSEXT_EV_ERROR);
  ASSERT_EQ (ev.close_code, 1002);
  SocketWSExt_codec_free (&s);
  SocketWSExt_codec_free (&c);
}

TEST (close_frames_sent)
{
  SocketWSExt_Codec_T s = codec (WS_ROLE_SERVER, NULL);
  char reason[200];
  size_t n;
  const unsigned char *p;

  ASSERT_EQ (SocketWSExt_send_close (s, 1006, NULL, 0), WS_ERROR_PROTOCOL);
  ASSERT_EQ (SocketWSExt_send_close (s, 1015, NULL, 0), WS_ERROR_PROTOCOL);
  ASSERT_EQ (SocketWSExt_close_sent (s), 0);
  memset (reason, 'a', sizeof reason);
  reason[122] = (char)0xc3; /* a 2-byte sequence across the 123-byte cut */
  reason[123] = (char)0xa9;
  ASSERT_EQ (SocketWSExt_send_close (s, 1001, reason, sizeof reason), WS_OK);
  p = SocketWSExt_output (s, &n);
  ASSERT_EQ (n, 2 + 2 + 122);
  ASSERT (p[2] == 0x03 && p[3] == 0xe9);
  ASSERT_EQ (SocketWSExt_send_close (s, 1000, NULL, 0), WS_OK); /* second: no-op */
  ASSERT_EQ (SocketWSExt_output_pending (s), n);
  ASSERT_EQ (SocketWSExt_send_ping (s, NULL, 0), WS_ERROR_CLOSED);
  SocketWSExt_codec_free (&s);

  s = codec (WS_ROLE_SERVER, NULL);
  ASSERT_EQ (SocketWSExt_send_close (s, WS_CLOSE_NO_STATUS, "ignored", 7), WS_OK);
  p = SocketWSExt_output (s, &n);
  ASSERT_EQ (n, 2);
  ASSERT (p[0] == 0x88 && p[1] == 0);
  SocketWSExt_codec_free (&s);
}

TEST (deflate_negotiation_parsing)
{
  SocketWS_Config cfg;
  SocketWSExt_Deflate d;
  char buf[512];
  ssize_t n;

  SocketWS_config_defaults (&cfg);
  cfg.enable_permessage_deflate = 1;
#if HAVE_DEFLATE
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate", &cfg, &d), 1);
  ASSERT (d.enabled && !d.server_no_context_takeover && d.server_max_window_bits == 15);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits", &cfg, &d), 1);
  /* duplicates and unknown parameters decline that offer; the next valid one wins */
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", &cfg, &d), 0);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=10", &cfg, &d), 1);
  ASSERT_EQ (d.server_max_window_bits, 10);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; server_max_window_bits=16", &cfg, &d), 0);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; server_max_window_bits", &cfg, &d), 0);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; server_max_window_bits=8", &cfg, &d), 0);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; client_max_window_bits=\"12\"", &cfg, &d), 1);
  ASSERT_EQ (d.client_max_window_bits, 12);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate; client_no_context_takeover", &cfg, &d), 1);
  ASSERT (d.client_no_context_takeover && !d.server_no_context_takeover);
  ASSERT_EQ (SocketWSExt_deflate_negotiate ("permessage-deflate;;", &cfg, &d), 0);
  /* client side */
  ASSERT_EQ (SocketWSExt_deflate_accept_response ("permessage-deflate; server_no_context_takeover; client_no_context_takeover", &cfg, &d), 1);
  ASSERT (d.server_no_context_takeover && d.client_no_context_takeover);
  ASSERT_EQ (SocketWSExt_deflate_accept_response ("permessage-deflate, permessage-deflate", &cfg, &d), 0);
  ASSERT_EQ (SocketWSExt_deflate_accept_response ("permessage-deflate; client_max_window_bits=10", &cfg, &d), 0);
  cfg.deflate_max_window_bits = 12;
  ASSERT_EQ (SocketWSExt_deflate_accept_response ("permessage-deflate; client_max_window_bits=10", &cfg, &d), 1);
  ASSERT_EQ (d.client_max_window_bits, 10);
  ASSERT_EQ (SocketWSExt_deflate_accept_response ("permessage-deflate; client_max_window_bits=13", &cfg, &d), 0);
  /* the offer a client makes */
  cfg.deflate_no_context_takeover = 1;
  n = SocketWSExt_client_request (buf, sizeof buf, "h", "/", "dGhlIHNhbXBsZSBub25jZQ==", &cfg, NULL);
  ASSERT (n > 0);
  ASSERT (strstr (buf, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
                       "server_no_context_takeover; client_max_window_bits=12\r\n")
          != NULL);
#else
  {
    /* offers and answers that a deflate build accepts are all declined */
    static const char *const valid[] = {
      "permessage-deflate",
      "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits",
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
      "permessage-deflate; client_max_window_bits=\"12\"",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
      {
        ASSERT_EQ (SocketWSExt_deflate_negotiate (valid[i], &cfg, &d), 0);
        ASSERT_EQ (d.enabled, 0);
      }
    ASSERT_EQ (SocketWSExt_deflate_accept_response (valid[0], &cfg, &d), 0);
    ASSERT_EQ (SocketWSExt_deflate_accept_response (valid[2], &cfg, &d), 0);
    ASSERT_EQ (d.enabled, 0);
    /* the client makes no offer even when configured to */
    cfg.deflate_no_context_takeover = 1;
    n = SocketWSExt_client_request (buf, sizeof buf, "h", "/", "dGhlIHNhbXBsZSBub25jZQ==", &cfg, NULL);
    ASSERT (n > 0);
    ASSERT (strstr (buf, "GET / HTTP/1.1\r\n") == buf);
    ASSERT (strstr (buf, "Sec-WebSocket-Extensions") == NULL);
  }
#endif
}

TEST (client_request_format_and_injection)
{
  static const char *protos[] = { "chat", "v2.json", NULL };
  const char *extra[] = { "Origin", "http://example.com", "X-Trace", "1", NULL };
  const char *evil[] = { "X-Evil", "a\r\nInjected: 1", NULL };
  const char *badname[] = { "Bad Name", "v", NULL };
  SocketWS_Config cfg;
  char buf[1024];
  ssize_t n;

  SocketWS_config_defaults (&cfg);
  cfg.subprotocols = protos;
  n = SocketWSExt_client_request (buf, sizeof buf, "example.com:8080", "/chat?x=1", "dGhlIHNhbXBsZSBub25jZQ==", &cfg,
                                  extra);
  ASSERT (n > 0);
  ASSERT_EQ ((size_t)n, strlen (buf));
  ASSERT_STREQ (buf, "GET /chat?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, v2.json\r\n"
                     "Origin: http://example.com\r\nX-Trace: 1\r\n\r\n");
  ASSERT_EQ (SocketWSExt_client_request (buf, sizeof buf, "h", "/", "dGhlIHNhbXBsZSBub25jZQ==", NULL, evil), -1);
  ASSERT_EQ (SocketWSExt_client_request (buf, sizeof buf, "h", "/", "dGhlIHNhbXBsZSBub25jZQ==", NULL, badname), -1);
  ASSERT_EQ (SocketWSExt_client_request (buf, 40, "h", "/", "dGhlIHNhbXBsZSBub25jZQ==", NULL, NULL), -1);
  ASSERT_EQ (SocketWSExt_client_request (buf, sizeof buf, "h", "/", "short", NULL, NULL), -1);
  n = SocketWSExt_server_response (buf, sizeof buf, "dGhlIHNhbXBsZSBub25jZQ==", "chat", NULL);
  ASSERT (n > 0);
  ASSERT_STREQ (buf, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
}

TEST (deflate_bomb_capped)
{
#if HAVE_DEFLATE
  SocketWSExt_Deflate d = { 1, 0, 0, 15, 15 };
  SocketWS_Config cc, sc;
  SocketWSExt_Codec_T c, s;
  SocketWS_Message m;
  unsigned char *zeros = calloc (1, 8u << 20);
  size_t wire;

  SocketWS_config_defaults (&cc);
  SocketWS_config_defaults (&sc);
  sc.role = WS_ROLE_SERVER;
  sc.max_message_size = 1u << 20;
  c = SocketWSExt_codec_new (&cc, &d);
  s = SocketWSExt_codec_new (&sc, &d);
  ASSERT_EQ (SocketWSExt_send_message (c, WS_OPCODE_BINARY, zeros, 8u << 20), WS_OK);
  wire = SocketWSExt_output_pending (c);
  ASSERT (wire < 20000); /* 8 MiB of zeros compress to a few KiB */
  transfer (c, s);
  ASSERT_EQ (SocketWSExt_next_message (s, &m), -1);
  ASSERT_EQ (SocketWSExt_error (s), WS_ERROR_MESSAGE_TOO_LARGE);
  ASSERT_EQ (SocketWSExt_close_code (s), 1009);
  free (zeros);
  SocketWSExt_codec_free (&c);
  SocketWSExt_codec_free (&s);
#else
  /* nothing was negotiated, so a compressed (RSV1) frame is a protocol
   * error that closes with 1002 instead of being inflated */
  static const unsigned char rsv1_frame[] = { 0xc2, 0x83, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3 };
  SocketWS_Config sc;
  SocketWSExt_Codec_T s;
  SocketWS_Message m;

  SocketWS_config_defaults (&sc);
  sc.role = WS_ROLE_SERVER;
  s = SocketWSExt_codec_new (&sc, NULL);
  ASSERT (s != NULL);
  ASSERT_EQ (SocketWSExt_input (s, rsv1_frame, sizeof rsv1_frame), sizeof rsv1_frame);
  ASSERT_EQ (SocketWSExt_next_message (s, &m), -1);
  ASSERT_EQ (SocketWSExt_error (s), WS_ERROR_PROTOCOL);
  ASSERT_EQ (SocketWSExt_close_code (s), 1002);
  SocketWSExt_codec_free (&s);
#endif
}

TEST_MAIN ()
