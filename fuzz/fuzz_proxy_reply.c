/*
 * fuzz_proxy_reply.c - arbitrary proxy replies through the handshake codec
 * (SocketProxyExt_handshake_*). Byte 0 picks the proxy type (low 3 bits)
 * and whether credentials are configured (bit 3); byte 1 seeds the chunk
 * sizes the rest is fed in. Invariants: consumed <= offered; input is only
 * left over once the result is final; a final result never changes; the
 * state, error and HTTP status agree with the result; end of stream always
 * ends the handshake. abort() on any violation.
 */
#include <string.h>

#include "fuzz_common.h"
#include "socket/SocketProxy.h"
#include "socket/SocketProxyExt.h"

static void
check_consistent (SocketProxyExt_Handshake_T hs, SocketProxyType type)
{
  SocketProxy_Result r = SocketProxyExt_handshake_result (hs);
  SocketProxy_State st = SocketProxyExt_handshake_state (hs);
  const char *err = SocketProxyExt_handshake_error (hs);

  if (r == PROXY_IN_PROGRESS)
    CHECK (st != PROXY_STATE_CONNECTED && st != PROXY_STATE_FAILED && err == NULL);
  else if (r == PROXY_OK)
    CHECK (st == PROXY_STATE_CONNECTED && err == NULL);
  else
    CHECK (st == PROXY_STATE_FAILED && err != NULL && err[0] != '\0');
  if (type != SOCKET_PROXY_HTTP && type != SOCKET_PROXY_HTTPS)
    CHECK (SocketProxyExt_handshake_http_status (hs) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SocketProxy_Config cfg;
  SocketProxyExt_Handshake_T hs;
  SocketProxyType type;
  SocketProxy_Result final = PROXY_IN_PROGRESS;
  uint32_t rng;
  size_t pos = 2, used;

  if (size < 2)
    return 0;
  type = (SocketProxyType)(1 + (data[0] & 7) % 6);
  rng = 0x9E3779B9u ^ data[1];
  SocketProxy_config_defaults (&cfg);
  cfg.type = type;
  cfg.host = "127.0.0.1";
  if (data[0] & 8)
    {
      cfg.username = "user";
      cfg.password = "password";
    }
  /* SOCKS4 needs an IPv4 target; the others also take a name. */
  hs = SocketProxyExt_handshake_new (&cfg, type == SOCKET_PROXY_SOCKS4 ? "192.0.2.1" : "target.example", 443);
  check_consistent (hs, type);
  while (pos < size)
    {
      size_t len, chunk;
      const unsigned char *out = SocketProxyExt_handshake_output (hs, &len);
      SocketProxy_Result r;

      CHECK (out != NULL);
      if (len > 0) /* the proxy reads our request whole, as a real one would */
        SocketProxyExt_handshake_sent (hs, len);
      rng = rng * 1103515245u + 12345u;
      chunk = 1 + (rng >> 16) % 64;
      if (chunk > size - pos)
        chunk = size - pos;
      r = SocketProxyExt_handshake_input (hs, data + pos, chunk, &used);
      CHECK (used <= chunk);
      CHECK (r == SocketProxyExt_handshake_result (hs));
      if (final != PROXY_IN_PROGRESS)
        CHECK (r == final && used == 0);
      if (r == PROXY_IN_PROGRESS)
        CHECK (used == chunk);
      else
        final = r;
      check_consistent (hs, type);
      pos += chunk;
      if (final != PROXY_IN_PROGRESS && used < chunk)
        break; /* the rest is tunnel data (or junk after a failure) */
    }
  SocketProxyExt_handshake_input (hs, NULL, 0, &used);
  CHECK (used == 0);
  CHECK (SocketProxyExt_handshake_result (hs) != PROXY_IN_PROGRESS);
  if (final != PROXY_IN_PROGRESS)
    CHECK (SocketProxyExt_handshake_result (hs) == final);
  check_consistent (hs, type);
  SocketProxyExt_handshake_free (&hs);
  CHECK (hs == NULL);
  return 0;
}
