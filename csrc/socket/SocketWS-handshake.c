/*
 * SocketWS-handshake.c - the RFC 6455 opening handshake as pure functions:
 * the client request, the check of the server's response, the server's
 * check of a parsed request and its 101 response, and rejections.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/SocketCrypto.h"
#include "socket/SocketWS-private.h"

/* no CR, LF or NUL-terminated control bytes that would split a header */
static int
header_safe (const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 && *s != '\t')
      return 0;
  return 1;
}

static int
path_safe (const char *s)
{
  if (*s == '\0')
    return 0;
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

/* appends with truncation tracking; *n == cap marks overflow */
static void put (char *buf, size_t cap, size_t *n, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

static void
put (char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
  va_list ap;
  int r;

  if (*n >= cap)
    return;
  va_start (ap, fmt);
  r = vsnprintf (buf + *n, cap - *n, fmt, ap);
  va_end (ap);
  if (r < 0 || (size_t)r >= cap - *n)
    *n = cap;
  else
    *n += (size_t)r;
}

static int
token_ok (const char *s)
{
  static const char sep[] = "()<>@,;:\\\"/[]?={} \t";

  if (*s == '\0')
    return 0;
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || strchr (sep, *s))
      return 0;
  return 1;
}

ssize_t
SocketWSExt_client_request (char *buf, size_t cap, const char *host, const char *path, const char *key,
                            const SocketWS_Config *config, const char *const *extra_headers)
{
  size_t n = 0;
  char ext[160];

  if (!buf || !host || !key || !*host || !header_safe (host) || strlen (key) != 24 || !header_safe (key))
    return -1;
  if (path == NULL)
    path = "/";
  if (!path_safe (path))
    return -1;
  put (buf, cap, &n, "GET %s HTTP/1.1\r\nHost: %s\r\n", path, host);
  put (buf, cap, &n, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n", key);
  put (buf, cap, &n, "Sec-WebSocket-Version: 13\r\n");
  if (config && config->subprotocols && config->subprotocols[0])
    {
      put (buf, cap, &n, "Sec-WebSocket-Protocol: ");
      for (size_t i = 0; config->subprotocols[i]; i++)
        {
          if (!token_ok (config->subprotocols[i]))
            return -1;
          put (buf, cap, &n, "%s%s", i ? ", " : "", config->subprotocols[i]);
        }
      put (buf, cap, &n, "\r\n");
    }
  if (config && config->enable_permessage_deflate && SOCKETWS_DEFLATE)
    {
      if (SocketWS__deflate_format (ext, sizeof ext, NULL, config) < 0)
        return -1;
      put (buf, cap, &n, "Sec-WebSocket-Extensions: %s\r\n", ext);
    }
  for (size_t i = 0; extra_headers && extra_headers[i] && extra_headers[i + 1]; i += 2)
    {
      if (!token_ok (extra_headers[i]) || !header_safe (extra_headers[i + 1]))
        return -1;
      put (buf, cap, &n, "%s: %s\r\n", extra_headers[i], extra_headers[i + 1]);
    }
  put (buf, cap, &n, "\r\n");
  if (n >= cap)
    return -1;
  return (ssize_t)n;
}

/* 1 if the comma-separated header values of name contain token */
static int
has_token (SocketHTTP_Headers_T h, const char *name, const char *token)
{
  const char *vals[16];
  size_t nv = SocketHTTP_Headers_get_all (h, name, vals, 16), tl = strlen (token);

  for (size_t i = 0; i < nv; i++)
    {
      const char *s = vals[i];
      while (*s)
        {
          size_t len;
          while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
          len = strcspn (s, ", \t");
          if (len == tl && strncasecmp (s, token, tl) == 0)
            return 1;
          s += len;
        }
    }
  return 0;
}

static int
upgrade_is_websocket (SocketHTTP_Headers_T h)
{
  return has_token (h, "Upgrade", "websocket");
}

const char *
SocketWSExt_client_verify (const SocketHTTP_Response *response, const char *key, const SocketWS_Config *config,
                           const char **subprotocol_out, SocketWSExt_Deflate *deflate_out)
{
  char expect[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];
  const char *accept, *proto, *ext;
  const char *vals[2];

  *subprotocol_out = NULL;
  memset (deflate_out, 0, sizeof *deflate_out);
  if (response->status_code >= 300 && response->status_code < 400)
    return "redirect refused";
  if (response->status_code != 101)
    return "status is not 101";
  if (!upgrade_is_websocket (response->headers))
    return "Upgrade is not websocket";
  if (!has_token (response->headers, "Connection", "upgrade"))
    return "Connection lacks upgrade";
  accept = SocketHTTP_Headers_get (response->headers, "Sec-WebSocket-Accept");
  if (SocketCrypto_websocket_accept (key, expect) != 0 || accept == NULL || strcmp (accept, expect) != 0)
    return "Sec-WebSocket-Accept mismatch";
  if (SocketHTTP_Headers_get_all (response->headers, "Sec-WebSocket-Protocol", vals, 2) > 1)
    return "several subprotocols chosen";
  proto = SocketHTTP_Headers_get (response->headers, "Sec-WebSocket-Protocol");
  if (proto)
    {
      size_t i = 0;
      for (; config && config->subprotocols && config->subprotocols[i]; i++)
        if (strcmp (config->subprotocols[i], proto) == 0)
          break;
      if (!config || !config->subprotocols || !config->subprotocols[i])
        return "subprotocol not offered";
      *subprotocol_out = config->subprotocols[i];
    }
  if (SocketHTTP_Headers_get_all (response->headers, "Sec-WebSocket-Extensions", vals, 2) > 1)
    return "extension not offered";
  ext = SocketHTTP_Headers_get (response->headers, "Sec-WebSocket-Extensions");
  if (ext && *ext && !SocketWSExt_deflate_accept_response (ext, config, deflate_out))
    return "extension not offered";
  return NULL;
}

/* a key is the base64 of exactly 16 bytes: 22 characters and "==" */
static int
key_valid (const char *key)
{
  unsigned char raw[20];

  if (key == NULL || strlen (key) != 24 || key[22] != '=' || key[23] != '=')
    return 0;
  return SocketCrypto_base64_decode (key, 24, raw, sizeof raw) == 16;
}

int
SocketWS_is_upgrade (const SocketHTTP_Request *request)
{
  if (request == NULL || request->headers == NULL)
    return 0;
  return upgrade_is_websocket (request->headers) && has_token (request->headers, "Connection", "upgrade")
         && SocketHTTP_Headers_has (request->headers, "Sec-WebSocket-Version");
}

static const char *
choose_subprotocol (SocketHTTP_Headers_T h, const SocketWS_Config *config)
{
  const char *vals[16];
  size_t nv;

  if (!config || !config->subprotocols)
    return NULL;
  nv = SocketHTTP_Headers_get_all (h, "Sec-WebSocket-Protocol", vals, 16);
  /* the client's order decides; the stored name is our spelling */
  for (size_t i = 0; i < nv; i++)
    {
      const char *s = vals[i];
      while (*s)
        {
          size_t len;
          while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
          len = strcspn (s, ", \t");
          for (size_t j = 0; len && config->subprotocols[j]; j++)
            if (strlen (config->subprotocols[j]) == len && strncasecmp (s, config->subprotocols[j], len) == 0)
              return config->subprotocols[j];
          s += len;
        }
    }
  return NULL;
}

const char *
SocketWSExt_server_check (const SocketHTTP_Request *request, const SocketWS_Config *config,
                          const char **subprotocol_out, SocketWSExt_Deflate *deflate_out)
{
  SocketHTTP_Headers_T h = request->headers;
  const char *version;

  *subprotocol_out = NULL;
  memset (deflate_out, 0, sizeof *deflate_out);
  if (request->method != HTTP_METHOD_GET)
    return "method is not GET";
  if (request->version < HTTP_VERSION_1_1)
    return "HTTP version below 1.1";
  if (h == NULL || !upgrade_is_websocket (h))
    return "Upgrade is not websocket";
  if (!has_token (h, "Connection", "upgrade"))
    return "Connection lacks upgrade";
  version = SocketHTTP_Headers_get (h, "Sec-WebSocket-Version");
  if (version == NULL || strcmp (version, "13") != 0)
    return "Sec-WebSocket-Version is not 13";
  if (!key_valid (SocketHTTP_Headers_get (h, "Sec-WebSocket-Key")))
    return "invalid Sec-WebSocket-Key";
  *subprotocol_out = choose_subprotocol (h, config);
  if (config && config->enable_permessage_deflate)
    {
      const char *vals[8];
      size_t nv = SocketHTTP_Headers_get_all (h, "Sec-WebSocket-Extensions", vals, 8);
      for (size_t i = 0; i < nv && !deflate_out->enabled; i++)
        SocketWSExt_deflate_negotiate (vals[i], config, deflate_out);
    }
  return NULL;
}

ssize_t
SocketWSExt_server_response (char *buf, size_t cap, const char *key, const char *subprotocol,
                             const SocketWSExt_Deflate *deflate)
{
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE], ext[160];
  size_t n = 0;

  if (SocketCrypto_websocket_accept (key, accept) != 0)
    return -1;
  put (buf, cap, &n, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
  put (buf, cap, &n, "Sec-WebSocket-Accept: %s\r\n", accept);
  if (subprotocol)
    put (buf, cap, &n, "Sec-WebSocket-Protocol: %s\r\n", subprotocol);
  if (deflate && deflate->enabled)
    {
      if (SocketWS__deflate_format (ext, sizeof ext, deflate, NULL) < 0)
        return -1;
      put (buf, cap, &n, "Sec-WebSocket-Extensions: %s\r\n", ext);
    }
  put (buf, cap, &n, "\r\n");
  return n >= cap ? -1 : (ssize_t)n;
}

void
SocketWS_server_reject (Socket_T socket, int status_code, const char *reason)
{
  char buf[512];
  int n;

  if (socket == NULL)
    return;
  if (reason == NULL)
    reason = "Rejected";
  if (status_code < 100 || status_code > 999 || !header_safe (reason))
    return;
  n = snprintf (buf, sizeof buf,
                "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                status_code, reason, strlen (reason), reason);
  if (n < 0 || (size_t)n >= sizeof buf)
    return;
  Socket_sendall (socket, buf, (size_t)n);
}
