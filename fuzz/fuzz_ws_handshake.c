/*
 * fuzz_ws_handshake.c - arbitrary opening-handshake heads. Byte 0 even: the
 * rest is a client request for SocketWSExt_server_check (subprotocols and
 * deflate configured); an accepted request must yield a 101 response that
 * our own client check accepts with the request's key. Byte 0 odd: the
 * rest is a server response checked by SocketWSExt_client_verify against
 * a fixed key; an accepted response must be a 101 whose subprotocol is one
 * we offered. The Sec-WebSocket-Extensions parsers also get the raw bytes.
 * Without permessage-deflate compiled in, nothing may ever negotiate it.
 */
#include <string.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "fuzz_common.h"
#include "http/SocketHTTP1.h"
#include "socket/SocketWS.h"
#include "socket/SocketWSExt.h"

static const char *protos[] = { "chat", "superchat", NULL };
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="

static void
check_server (const SocketHTTP_Request *req, const SocketWS_Config *cfg, Arena_T arena)
{
  const char *proto, *sub;
  SocketWSExt_Deflate d, cd;
  char resp[2048];
  ssize_t n;
  SocketHTTP1_Parser_T p;
  size_t used;
  SocketWS_Config ccfg = *cfg;

  if (SocketWSExt_server_check (req, cfg, &proto, &d) != NULL)
    return;
  CHECK (!d.enabled || SocketWSExt_deflate_available ());
  CHECK (SocketWS_is_upgrade (req));
  n = SocketWSExt_server_response (resp, sizeof resp, SocketHTTP_Headers_get (req->headers, "Sec-WebSocket-Key"),
                                   proto, &d);
  CHECK (n > 0);
  p = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, NULL, arena);
  CHECK (SocketHTTP1_Parser_execute (p, resp, (size_t)n, &used) == HTTP1_OK && used == (size_t)n);
  ccfg.role = WS_ROLE_CLIENT;
  if (d.client_max_window_bits < 15)
    ccfg.deflate_max_window_bits = d.client_max_window_bits;
  CHECK (SocketWSExt_client_verify (SocketHTTP1_Parser_get_response (p),
                                    SocketHTTP_Headers_get (req->headers, "Sec-WebSocket-Key"), &ccfg, &sub, &cd)
         == NULL);
  CHECK ((proto == NULL) == (sub == NULL));
  CHECK (cd.enabled == d.enabled);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SocketWS_Config cfg;
  SocketWSExt_Deflate d;
  Arena_T arena;
  SocketHTTP1_Parser_T p;
  size_t used;
  char *text;

  if (size < 1)
    return 0;
  text = xmalloc (size);
  memcpy (text, data + 1, size - 1);
  text[size - 1] = '\0';
  SocketWS_config_defaults (&cfg);
  cfg.subprotocols = protos;
  cfg.enable_permessage_deflate = 1;
  if (SocketWSExt_deflate_negotiate (text, &cfg, &d))
    CHECK (d.enabled && SocketWSExt_deflate_available ());
  if (SocketWSExt_deflate_accept_response (text, &cfg, &d))
    CHECK (d.enabled && SocketWSExt_deflate_available ());
  arena = Arena_new ();
  p = SocketHTTP1_Parser_new ((data[0] & 1) ? HTTP1_PARSE_RESPONSE : HTTP1_PARSE_REQUEST, NULL, arena);
  if (SocketHTTP1_Parser_execute (p, (const char *)data + 1, size - 1, &used) == HTTP1_OK)
    {
      if (data[0] & 1)
        {
          const char *sub;
          const SocketHTTP_Response *r = SocketHTTP1_Parser_get_response (p);
          if (SocketWSExt_client_verify (r, KEY, &cfg, &sub, &d) == NULL)
            {
              CHECK (r->status_code == 101);
              CHECK (!d.enabled || SocketWSExt_deflate_available ());
              CHECK (sub == NULL || strcmp (sub, "chat") == 0 || strcmp (sub, "superchat") == 0);
            }
        }
      else
        check_server (SocketHTTP1_Parser_get_request (p), &cfg, arena);
    }
  Arena_dispose (&arena);
  free (text);
  return 0;
}
