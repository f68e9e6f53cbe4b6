/*
 * test_http2_tls.c - HTTP/2 over TLS with ALPN "h2" (RFC 9113 §3.2): the
 * engine runs on TLS-enabled sockets unchanged (Socket_recv/Socket_send go
 * through the TLS layer), both roles ours, on 127.0.0.1. A large body
 * each way checks that "read until it would block" also drains records
 * TLS has already decrypted.
 */
#include "Test.h"
#include "TLSTestCerts.h"
#include "TLSTestNet.h"
#include "test_http2_support.h"

static const char *const h2_alpn[] = { "h2" };

static void
tls_pair_round (SocketHTTP2_Conn_T c, SocketHTTP2_Conn_T s, int *crc, int *src)
{
  SocketHTTP2_Conn_flush (c);
  SocketHTTP2_Conn_flush (s);
  *src = SocketHTTP2_Conn_process (s, 0);
  *crc = SocketHTTP2_Conn_process (c, 0);
}

TEST (h2_over_tls_with_alpn)
{
  Socket_T listener, cs, ss;
  int port, crc = 0, src = 0, rounds = 0;
  SocketTLSContext_T cctx, sctx;
  Arena_T arena;
  SocketHTTP2_Config ccfg, scfg;
  SocketHTTP2_Conn_T client, server;
  SocketHTTP2_Stream_T st;
  Side cside, sside;
  static unsigned char body[1 << 20];
  size_t sent = 0, i;
  SocketHPACK_Header req[4] = { { ":method", 7, "POST", 4, 0 },
                                { ":scheme", 7, "https", 5, 0 },
                                { ":authority", 10, "localhost", 9, 0 },
                                { ":path", 5, "/tls", 4, 0 } };

  if (tls_test_certs_init () != 0)
    TEST_FAIL_ ("cannot generate test certificates");
  for (i = 0; i < sizeof body; i++)
    body[i] = (unsigned char)(i * 13);
  listener = tls_test_listen (&port);
  cctx = SocketTLSContext_new_client (tls_cert ("ca.crt"));
  sctx = SocketTLSContext_new_server (tls_cert ("server-chain.pem"), tls_cert ("server.key"), NULL);
  SocketTLSContext_set_alpn_protos (cctx, (const char **)h2_alpn, 1);
  SocketTLSContext_set_alpn_protos (sctx, (const char **)h2_alpn, 1);
  tls_test_pair (listener, port, &cs, &ss);
  SocketTLS_enable (cs, cctx);
  SocketTLS_enable (ss, sctx);
  SocketTLS_set_hostname (cs, "localhost");
  ASSERT (tls_test_connect (cs, ss)); /* leaves both non-blocking */
  ASSERT_STREQ (SocketTLS_get_alpn_selected (cs), "h2");
  ASSERT_STREQ (SocketTLS_get_alpn_selected (ss), "h2");

  arena = Arena_new ();
  SocketHTTP2_config_defaults (&ccfg, HTTP2_ROLE_CLIENT);
  SocketHTTP2_config_defaults (&scfg, HTTP2_ROLE_SERVER);
  client = SocketHTTP2_Conn_new (cs, &ccfg, arena);
  server = SocketHTTP2_Conn_new (ss, &scfg, arena);
  side_init (&cside);
  side_init (&sside);
  sside.respond = 1;
  sside.respond_size = 700000;
  SocketHTTP2_Conn_set_stream_callback (client, stream_cb, &cside);
  SocketHTTP2_Conn_set_stream_callback (server, stream_cb, &sside);
  st = SocketHTTP2_Stream_new (client);
  ASSERT_EQ (SocketHTTP2_Stream_send_headers (st, req, 4, 0), 0);
  while ((sent < sizeof body || cside.events[HTTP2_EVENT_STREAM_END] == 0) && rounds++ < 20000)
    {
      if (sent < sizeof body)
        {
          ssize_t n = SocketHTTP2_Stream_send_data (st, body + sent, sizeof body - sent, 1);
          ASSERT (n >= 0);
          sent += (size_t)n;
        }
      tls_pair_round (client, server, &crc, &src);
      ASSERT_EQ (crc, 0);
      ASSERT_EQ (src, 0);
      if (rounds % 64 == 0)
        test_sleep_ms (1);
    }
  ASSERT_EQ (sside.body_len, sizeof body);
  ASSERT (memcmp (sside.body, body, sizeof body) == 0);
  ASSERT_EQ (cside.body_len, 700000);
  ASSERT_EQ (cside.events[HTTP2_EVENT_STREAM_END], 1);
  ASSERT (strstr (sside.headers, ":scheme: https\n") != NULL);

  SocketHTTP2_Conn_free (&client);
  SocketHTTP2_Conn_free (&server);
  side_free (&cside);
  side_free (&sside);
  Arena_dispose (&arena);
  Socket_free (&cs);
  Socket_free (&ss);
  Socket_free (&listener);
  SocketTLSContext_free (&cctx);
  SocketTLSContext_free (&sctx);
}

TEST_MAIN ()
