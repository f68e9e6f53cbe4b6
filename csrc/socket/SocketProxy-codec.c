/*
 * SocketProxy-codec.c - the proxy handshake without I/O
 * (include/socket/SocketProxyExt.h).
 *
 * Design. A handshake is a short list of steps; each step queues one
 * request in `out` and then waits for exactly one reply:
 *
 *   SOCKS4/4a  request -> 8-byte reply
 *   SOCKS5     greeting -> method choice [-> RFC 1929 auth -> verdict]
 *              -> CONNECT -> reply (RFC 1928 section 6)
 *   HTTP(S)    CONNECT request -> response head (RFC 9110 9.3.6)
 *
 * SOCKS replies are collected in `in` only up to the length the reply
 * announces, and HTTP heads go through the project's HTTP/1 parser, which
 * stops right after the head's final CRLF: whatever the proxy sends after
 * the reply is left to the caller as tunnel data. A rejection is decided
 * as soon as its code byte arrives, so a proxy that answers "refused" with
 * a short reply and closes still gives the precise reason.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/Arena.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTP.h"
#include "http/SocketHTTP1.h"
#include "socket/SocketProxy-private.h"

#define T SocketProxyExt_Handshake_T

#define SOCKS4_REPLY_LEN 8
#define SOCKS5_MAX_REPLY_LEN 262 /* 4 + 1 + 255 + 2 */
#define SOCKS5_METHOD_NONE 0x00
#define SOCKS5_METHOD_USERPASS 0x02
#define SOCKS5_METHOD_REFUSED 0xFF
#define HS_ERROR_LEN 160

typedef enum
{
  STEP_SOCKS4,          /* SOCKS4/4a request sent, 8-byte reply expected */
  STEP_SOCKS5_GREETING, /* method selection expected */
  STEP_SOCKS5_AUTH,     /* RFC 1929 verdict expected */
  STEP_SOCKS5_CONNECT,  /* CONNECT reply expected */
  STEP_HTTP,            /* response head expected */
  STEP_DONE
} Step;

struct SocketProxyExt_Handshake
{
  SocketProxyType type;
  Step step;
  SocketProxy_Result result;
  int build_failed; /* the first request could not be built */
  int http_status;
  char error[HS_ERROR_LEN];

  unsigned char *out; /* malloc'd request of the current step */
  size_t out_len;
  size_t out_sent;

  unsigned char in[SOCKS5_MAX_REPLY_LEN];
  size_t in_len;

  char host[SOCKET_PROXY_MAX_HOSTNAME_LEN + 1]; /* brackets stripped */
  int port;
  char username[SOCKET_PROXY_MAX_USERNAME_LEN + 1];
  char password[SOCKET_PROXY_MAX_PASSWORD_LEN + 1];
  int has_username; /* SOCKS4 USERID */
  int has_credentials; /* both set: SOCKS5 user/pass, HTTP Basic */

  Arena_T arena; /* HTTP parser */
  SocketHTTP1_Parser_T parser;
  size_t head_seen; /* HTTP head bytes fed to the parser */
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void
fail (T hs, SocketProxy_Result result, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
fail (T hs, SocketProxy_Result result, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (hs->error, sizeof hs->error, fmt, ap);
  va_end (ap);
  hs->result = result;
  hs->step = STEP_DONE;
  hs->out_len = hs->out_sent = 0;
}

static void
build_fail (T hs, SocketProxy_Result result, const char *why)
{
  fail (hs, result, "%s: %s", socketproxy_build_error_text (hs->type), why);
  hs->build_failed = 1;
}

static int
is_http (SocketProxyType type)
{
  return type == SOCKET_PROXY_HTTP || type == SOCKET_PROXY_HTTPS;
}

/* Replace the queued request with @p len bytes (malloc'd copy). */
static int
queue_output (T hs, const void *data, size_t len)
{
  unsigned char *copy = malloc (len);

  if (copy == NULL)
    return -1;
  if (hs->out != NULL)
    {
      SocketCrypto_secure_clear (hs->out, hs->out_len);
      free (hs->out);
    }
  memcpy (copy, data, len);
  hs->out = copy;
  hs->out_len = len;
  hs->out_sent = 0;
  hs->in_len = 0;
  return 0;
}

/* Bytes that make a request line or header unsafe to send verbatim. */
static int
has_ctl (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */
/* ------------------------------------------------------------------ */

static void
build_socks4 (T hs)
{
  unsigned char req[8 + SOCKET_PROXY_MAX_USERNAME_LEN + 1 + SOCKET_PROXY_MAX_HOSTNAME_LEN + 1];
  struct in_addr v4;
  size_t n = 0, ulen = hs->has_username ? strlen (hs->username) : 0;
  int literal = inet_pton (AF_INET, hs->host, &v4) == 1;

  if (!literal && hs->type == SOCKET_PROXY_SOCKS4)
    {
      build_fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS4 needs an IPv4 literal target (use SOCKS4A for names)");
      return;
    }
  req[n++] = 4;
  req[n++] = 1; /* CONNECT */
  req[n++] = (unsigned char)(hs->port >> 8);
  req[n++] = (unsigned char)(hs->port & 0xFF);
  if (literal)
    memcpy (req + n, &v4, 4);
  else
    memcpy (req + n, "\0\0\0\1", 4); /* 4a: 0.0.0.x, x != 0, name follows */
  n += 4;
  memcpy (req + n, hs->username, ulen);
  n += ulen;
  req[n++] = 0;
  if (!literal)
    {
      size_t hlen = strlen (hs->host);
      memcpy (req + n, hs->host, hlen);
      n += hlen;
      req[n++] = 0;
    }
  if (queue_output (hs, req, n) < 0)
    build_fail (hs, PROXY_ERROR, "out of memory");
  else
    hs->step = STEP_SOCKS4;
  SocketCrypto_secure_clear (req, sizeof req);
}

static void
build_socks5_greeting (T hs)
{
  static const unsigned char plain[] = { 5, 1, SOCKS5_METHOD_NONE };
  static const unsigned char auth[] = { 5, 2, SOCKS5_METHOD_NONE, SOCKS5_METHOD_USERPASS };
  int rc = hs->has_credentials ? queue_output (hs, auth, sizeof auth) : queue_output (hs, plain, sizeof plain);

  if (rc < 0)
    build_fail (hs, PROXY_ERROR, "out of memory");
  else
    hs->step = STEP_SOCKS5_GREETING;
}

static void
build_socks5_auth (T hs)
{
  unsigned char req[3 + SOCKET_PROXY_MAX_USERNAME_LEN + SOCKET_PROXY_MAX_PASSWORD_LEN];
  size_t ulen = strlen (hs->username), plen = strlen (hs->password), n = 0;

  req[n++] = 1; /* RFC 1929 sub-negotiation version */
  req[n++] = (unsigned char)ulen;
  memcpy (req + n, hs->username, ulen);
  n += ulen;
  req[n++] = (unsigned char)plen;
  memcpy (req + n, hs->password, plen);
  n += plen;
  if (queue_output (hs, req, n) < 0)
    fail (hs, PROXY_ERROR, "Failed to build auth: out of memory");
  else
    hs->step = STEP_SOCKS5_AUTH;
  SocketCrypto_secure_clear (req, sizeof req);
}

static void
build_socks5_connect (T hs)
{
  unsigned char req[4 + 1 + SOCKET_PROXY_MAX_HOSTNAME_LEN + 2];
  size_t n = 0;

  req[n++] = 5;
  req[n++] = 1; /* CONNECT */
  req[n++] = 0;
  if (inet_pton (AF_INET, hs->host, req + n + 1) == 1)
    {
      req[n] = 1;
      n += 1 + 4;
    }
  else if (inet_pton (AF_INET6, hs->host, req + n + 1) == 1)
    {
      req[n] = 4;
      n += 1 + 16;
    }
  else
    {
      size_t hlen = strlen (hs->host);
      req[n++] = 3;
      req[n++] = (unsigned char)hlen;
      memcpy (req + n, hs->host, hlen);
      n += hlen;
    }
  req[n++] = (unsigned char)(hs->port >> 8);
  req[n++] = (unsigned char)(hs->port & 0xFF);
  if (queue_output (hs, req, n) < 0)
    fail (hs, PROXY_ERROR, "Failed to build connect: out of memory");
  else
    hs->step = STEP_SOCKS5_CONNECT;
}

/* Append to a growing request; returns -1 when out of memory. */
static int
append (char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
  if (*len + n + 1 > *cap)
    {
      size_t ncap = (*cap ? *cap : 256);
      char *nbuf;

      while (ncap < *len + n + 1)
        ncap *= 2;
      nbuf = malloc (ncap);
      if (nbuf == NULL)
        return -1;
      if (*buf != NULL)
        {
          memcpy (nbuf, *buf, *len);
          SocketCrypto_secure_clear (*buf, *cap);
          free (*buf);
        }
      *buf = nbuf;
      *cap = ncap;
    }
  memcpy (*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

#define APPEND_STR(s) append (&buf, &len, &cap, (s), strlen (s))

static int
append_basic_auth (T hs, char **buf, size_t *len, size_t *cap)
{
  char plain[SOCKET_PROXY_MAX_USERNAME_LEN + 1 + SOCKET_PROXY_MAX_PASSWORD_LEN + 1];
  char b64[((sizeof plain + 2) / 3) * 4 + 1];
  int n = snprintf (plain, sizeof plain, "%s:%s", hs->username, hs->password);
  ssize_t b64len = SocketCrypto_base64_encode (plain, (size_t)n, b64, sizeof b64);
  int rc = -1;

  if (b64len >= 0)
    rc = append (buf, len, cap, "Proxy-Authorization: Basic ", 27) | append (buf, len, cap, b64, (size_t)b64len)
         | append (buf, len, cap, "\r\n", 2);
  SocketCrypto_secure_clear (plain, sizeof plain);
  SocketCrypto_secure_clear (b64, sizeof b64);
  return rc;
}

static void
build_http_connect (T hs, SocketHTTP_Headers_T extra)
{
  char *buf = NULL, authority[SOCKET_PROXY_MAX_HOSTNAME_LEN + 16];
  size_t len = 0, cap = 0;
  struct in6_addr v6;
  int rc = 0;

  if (inet_pton (AF_INET6, hs->host, &v6) == 1)
    snprintf (authority, sizeof authority, "[%s]:%d", hs->host, hs->port);
  else
    snprintf (authority, sizeof authority, "%s:%d", hs->host, hs->port);
  if (strpbrk (hs->host, " \t/?#@") != NULL)
    {
      build_fail (hs, PROXY_ERROR_PROTOCOL, "target host is not a valid authority");
      return;
    }
  rc |= APPEND_STR ("CONNECT ") | APPEND_STR (authority) | APPEND_STR (" HTTP/1.1\r\nHost: ")
        | APPEND_STR (authority) | APPEND_STR ("\r\n");
  if (rc == 0 && hs->has_credentials)
    rc |= append_basic_auth (hs, &buf, &len, &cap);
  for (size_t i = 0; rc == 0 && extra != NULL && i < SocketHTTP_Headers_count (extra); i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (extra, i);

      if (h == NULL)
        continue;
      if (h->name_len == 0 || has_ctl (h->name, h->name_len) || has_ctl (h->value, h->value_len)
          || memchr (h->name, ':', h->name_len) != NULL)
        {
          if (buf != NULL)
            SocketCrypto_secure_clear (buf, cap);
          free (buf);
          build_fail (hs, PROXY_ERROR_PROTOCOL, "extra header with a control character");
          return;
        }
      /* The request already carries its own Host and credentials. */
      if ((h->name_len == 4 && strncasecmp (h->name, "Host", 4) == 0)
          || (hs->has_credentials && h->name_len == 19 && strncasecmp (h->name, "Proxy-Authorization", 19) == 0))
        continue;
      rc |= append (&buf, &len, &cap, h->name, h->name_len) | APPEND_STR (": ")
            | append (&buf, &len, &cap, h->value, h->value_len) | APPEND_STR ("\r\n");
    }
  if (rc == 0)
    rc |= APPEND_STR ("\r\n");
  if (rc == 0)
    rc = queue_output (hs, buf, len);
  if (buf != NULL)
    SocketCrypto_secure_clear (buf, cap);
  free (buf);
  if (rc != 0)
    build_fail (hs, PROXY_ERROR, "out of memory");
  else
    hs->step = STEP_HTTP;
}

/* ------------------------------------------------------------------ */
/* Replies                                                            */
/* ------------------------------------------------------------------ */

/* Copy up to @p want - in_len bytes into `in`; returns 1 once complete. */
static int
collect (T hs, size_t want, const unsigned char *data, size_t len, size_t *used)
{
  size_t take = want - hs->in_len;

  if (take > len - *used)
    take = len - *used;
  memcpy (hs->in + hs->in_len, data + *used, take);
  hs->in_len += take;
  *used += take;
  return hs->in_len == want;
}

static const char *
socks5_reply_text (unsigned code)
{
  static const char *const text[] = {
    "succeeded",           "general SOCKS server failure", "connection not allowed by ruleset",
    "network unreachable", "host unreachable",             "connection refused",
    "TTL expired",         "command not supported",        "address type not supported",
  };
  return code < sizeof text / sizeof text[0] ? text[code] : "unassigned reply code";
}

static SocketProxy_Result
socks5_reply_result (unsigned code)
{
  switch (code)
    {
    case 0x00: return PROXY_OK;
    case 0x01: return PROXY_ERROR;
    case 0x02: return PROXY_ERROR_FORBIDDEN;
    case 0x03: return PROXY_ERROR_NETWORK_UNREACHABLE;
    case 0x04: return PROXY_ERROR_HOST_UNREACHABLE;
    case 0x05: return PROXY_ERROR_CONNECTION_REFUSED;
    case 0x06: return PROXY_ERROR_TTL_EXPIRED;
    case 0x07:
    case 0x08: return PROXY_ERROR_UNSUPPORTED;
    default: return PROXY_ERROR_PROTOCOL;
    }
}

static void
on_socks4_reply (T hs, const unsigned char *data, size_t len, size_t *used)
{
  int complete = collect (hs, SOCKS4_REPLY_LEN, data, len, used);

  if (hs->in_len >= 1 && hs->in[0] != 0)
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS4 reply version %u (expected 0)", hs->in[0]);
      return;
    }
  if (hs->in_len < 2)
    return;
  switch (hs->in[1])
    {
    case 90:
      if (complete)
        hs->step = STEP_DONE, hs->result = PROXY_OK;
      return;
    case 91: fail (hs, PROXY_ERROR_FORBIDDEN, "SOCKS4 reply 91: request rejected or failed"); return;
    case 92: fail (hs, PROXY_ERROR_AUTH_REQUIRED, "SOCKS4 reply 92: no identd on the client"); return;
    case 93: fail (hs, PROXY_ERROR_AUTH_FAILED, "SOCKS4 reply 93: identd user id mismatch"); return;
    default: fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS4 reply %u: unknown code", hs->in[1]); return;
    }
}

static void
on_socks5_greeting_reply (T hs, const unsigned char *data, size_t len, size_t *used)
{
  if (!collect (hs, 2, data, len, used))
    return;
  if (hs->in[0] != 5)
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 method reply version %u (expected 5)", hs->in[0]);
      return;
    }
  switch (hs->in[1])
    {
    case SOCKS5_METHOD_NONE: build_socks5_connect (hs); return;
    case SOCKS5_METHOD_USERPASS:
      if (hs->has_credentials)
        build_socks5_auth (hs);
      else
        fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 proxy chose username/password, which was not offered");
      return;
    case SOCKS5_METHOD_REFUSED:
      if (hs->has_credentials)
        fail (hs, PROXY_ERROR_AUTH_FAILED, "SOCKS5 proxy accepts none of the offered methods");
      else
        fail (hs, PROXY_ERROR_AUTH_REQUIRED, "SOCKS5 proxy requires authentication");
      return;
    default: fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 proxy chose method 0x%02x, which was not offered", hs->in[1]);
    }
}

static void
on_socks5_auth_reply (T hs, const unsigned char *data, size_t len, size_t *used)
{
  if (!collect (hs, 2, data, len, used))
    return;
  if (hs->in[0] != 1)
    fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 auth reply version %u (expected 1)", hs->in[0]);
  else if (hs->in[1] != 0)
    fail (hs, PROXY_ERROR_AUTH_FAILED, "SOCKS5 username/password rejected (status 0x%02x)", hs->in[1]);
  else
    build_socks5_connect (hs);
}

static void
on_socks5_connect_reply (T hs, const unsigned char *data, size_t len, size_t *used)
{
  size_t want = 5; /* through ATYP and the first address byte */

  if (hs->in_len < want && !collect (hs, want, data, len, used))
    {
      /* Decide as early as the bytes allow: version, then reply code. */
      if (hs->in_len >= 1 && hs->in[0] != 5)
        fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 reply version %u (expected 5)", hs->in[0]);
      else if (hs->in_len >= 2 && hs->in[1] != 0)
        fail (hs, socks5_reply_result (hs->in[1]), "SOCKS5 reply 0x%02x: %s", hs->in[1],
              socks5_reply_text (hs->in[1]));
      return;
    }
  if (hs->in[0] != 5)
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 reply version %u (expected 5)", hs->in[0]);
      return;
    }
  if (hs->in[1] != 0)
    {
      fail (hs, socks5_reply_result (hs->in[1]), "SOCKS5 reply 0x%02x: %s", hs->in[1], socks5_reply_text (hs->in[1]));
      return;
    }
  switch (hs->in[3])
    {
    case 1: want = 4 + 4 + 2; break;
    case 4: want = 4 + 16 + 2; break;
    case 3: want = 4 + 1 + (size_t)hs->in[4] + 2; break;
    default: fail (hs, PROXY_ERROR_PROTOCOL, "SOCKS5 reply address type 0x%02x", hs->in[3]); return;
    }
  if (collect (hs, want, data, len, used))
    {
      hs->step = STEP_DONE;
      hs->result = PROXY_OK;
    }
}

static SocketProxy_Result
http_status_result (int status)
{
  if (status >= 200 && status <= 299)
    return PROXY_OK;
  switch (status)
    {
    case 400: return PROXY_ERROR_PROTOCOL;
    case 403: return PROXY_ERROR_FORBIDDEN;
    case 407: return PROXY_ERROR_AUTH_REQUIRED;
    case 404:
    case 502: return PROXY_ERROR_HOST_UNREACHABLE;
    case 504: return PROXY_ERROR_TIMEOUT;
    default: return status >= 400 && status <= 599 ? PROXY_ERROR : PROXY_ERROR_PROTOCOL;
    }
}

static void
on_http_reply (T hs, const unsigned char *data, size_t len, size_t *used)
{
  size_t room = SOCKET_PROXYEXT_MAX_HTTP_HEAD - hs->head_seen, feed = len - *used;
  volatile size_t n = 0;
  volatile SocketHTTP1_Result r = HTTP1_ERROR;

  if (feed > room)
    feed = room;
  TRY
  {
    size_t got = 0;
    r = SocketHTTP1_Parser_execute (hs->parser, (const char *)data + *used, feed, &got);
    n = got;
  }
  EXCEPT (SocketHTTP1_ParseError)
  {
    r = HTTP1_ERROR;
  }
  END_TRY;
  *used += n > feed ? feed : n;
  hs->head_seen += n > feed ? feed : n;
  if (r == HTTP1_INCOMPLETE)
    {
      if (hs->head_seen >= SOCKET_PROXYEXT_MAX_HTTP_HEAD)
        fail (hs, PROXY_ERROR_PROTOCOL, "HTTP proxy response head larger than %d bytes",
              SOCKET_PROXYEXT_MAX_HTTP_HEAD);
      return;
    }
  if (r != HTTP1_OK)
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "HTTP proxy response malformed: %s", SocketHTTP1_result_string (r));
      return;
    }
  {
    const SocketHTTP_Response *resp = SocketHTTP1_Parser_get_response (hs->parser);
    SocketProxy_Result result;

    hs->http_status = resp != NULL ? resp->status_code : 0;
    result = http_status_result (hs->http_status);
    if (result == PROXY_OK)
      {
        SocketHTTP1_Parser_skip_body (hs->parser);
        hs->step = STEP_DONE;
        hs->result = PROXY_OK;
      }
    else
      fail (hs, result, "HTTP proxy answered %d", hs->http_status);
  }
}

/* ------------------------------------------------------------------ */
/* Public                                                             */
/* ------------------------------------------------------------------ */

static void
copy_config (T hs, const SocketProxy_Config *proxy)
{
  if (proxy->username != NULL)
    {
      if (strlen (proxy->username) > SOCKET_PROXY_MAX_USERNAME_LEN)
        {
          build_fail (hs, PROXY_ERROR_PROTOCOL, "user name longer than 255 bytes");
          return;
        }
      strcpy (hs->username, proxy->username);
      hs->has_username = 1;
    }
  if (proxy->password != NULL && proxy->username != NULL)
    {
      if (strlen (proxy->password) > SOCKET_PROXY_MAX_PASSWORD_LEN)
        {
          build_fail (hs, PROXY_ERROR_PROTOCOL, "password longer than 255 bytes");
          return;
        }
      strcpy (hs->password, proxy->password);
      hs->has_credentials = 1;
    }
}

static void
setup_http_parser (T hs)
{
  SocketHTTP1_Config cfg;

  SocketHTTP1_config_defaults (&cfg);
  cfg.strict_mode = 1;
  hs->arena = Arena_new ();
  hs->parser = SocketHTTP1_Parser_new (HTTP1_PARSE_RESPONSE, &cfg, hs->arena);
}

static void
build_first_request (T hs, const SocketProxy_Config *proxy)
{
  if (hs->result != PROXY_IN_PROGRESS)
    return; /* the credentials were already refused */
  switch (hs->type)
    {
    case SOCKET_PROXY_SOCKS4:
    case SOCKET_PROXY_SOCKS4A: build_socks4 (hs); break;
    case SOCKET_PROXY_SOCKS5:
    case SOCKET_PROXY_SOCKS5H: build_socks5_greeting (hs); break;
    case SOCKET_PROXY_HTTP:
    case SOCKET_PROXY_HTTPS: build_http_connect (hs, proxy->extra_headers); break;
    default: build_fail (hs, PROXY_ERROR_UNSUPPORTED, "unsupported proxy type"); break;
    }
}

T
SocketProxyExt_handshake_new (const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  T hs;
  size_t hlen;

  if (proxy == NULL || proxy->type == SOCKET_PROXY_NONE)
    RAISE_PROXY ("Invalid proxy configuration");
  if ((unsigned)proxy->type > SOCKET_PROXY_SOCKS5H)
    RAISE_PROXY ("Invalid proxy configuration: unknown type %d", (int)proxy->type);
  if (target_host == NULL || target_host[0] == '\0')
    RAISE_PROXY ("Invalid target host: NULL or empty");
  hlen = strlen (target_host);
  if (hlen > SOCKET_PROXY_MAX_HOSTNAME_LEN)
    RAISE_PROXY ("Target hostname too long (max %d)", SOCKET_PROXY_MAX_HOSTNAME_LEN);
  if (has_ctl (target_host, hlen))
    RAISE_PROXY ("Invalid target host: control character");
  if (target_port < 1 || target_port > 65535)
    RAISE_PROXY ("Invalid target port %d (must be 1..65535)", target_port);

  hs = calloc (1, sizeof *hs);
  if (hs == NULL)
    RAISE_PROXY ("Out of memory for the proxy handshake");
  hs->type = proxy->type;
  hs->result = PROXY_IN_PROGRESS;
  hs->port = target_port;
  if (hlen >= 2 && target_host[0] == '[' && target_host[hlen - 1] == ']')
    memcpy (hs->host, target_host + 1, hlen - 2);
  else
    memcpy (hs->host, target_host, hlen);
  if (hs->host[0] == '\0')
    {
      free (hs);
      RAISE_PROXY ("Invalid target host: empty brackets");
    }
  copy_config (hs, proxy);
  if (is_http (hs->type))
    {
      TRY { setup_http_parser (hs); }
      ELSE
      {
        SocketProxyExt_handshake_free (&hs);
        RAISE_PROXY ("Out of memory for the proxy handshake");
      }
      END_TRY;
    }
  TRY { build_first_request (hs, proxy); }
  ELSE
  {
    SocketProxyExt_handshake_free (&hs);
    RAISE_PROXY ("Failed to read the extra CONNECT headers");
  }
  END_TRY;
  return hs;
}

void
SocketProxyExt_handshake_free (T *hsp)
{
  T hs;

  if (hsp == NULL || *hsp == NULL)
    return;
  hs = *hsp;
  if (hs->out != NULL)
    {
      SocketCrypto_secure_clear (hs->out, hs->out_len);
      free (hs->out);
    }
  if (hs->arena != NULL)
    Arena_dispose (&hs->arena);
  SocketCrypto_secure_clear (hs, sizeof *hs);
  free (hs);
  *hsp = NULL;
}

const unsigned char *
SocketProxyExt_handshake_output (T hs, size_t *len)
{
  if (hs == NULL || hs->step == STEP_DONE || hs->out == NULL)
    {
      if (len != NULL)
        *len = 0;
      return hs != NULL && hs->out != NULL ? hs->out : (const unsigned char *)"";
    }
  if (len != NULL)
    *len = hs->out_len - hs->out_sent;
  return hs->out + hs->out_sent;
}

void
SocketProxyExt_handshake_sent (T hs, size_t n)
{
  if (hs == NULL || hs->step == STEP_DONE)
    return;
  if (n > hs->out_len - hs->out_sent)
    n = hs->out_len - hs->out_sent;
  hs->out_sent += n;
}

SocketProxy_Result
SocketProxyExt_handshake_input (T hs, const unsigned char *data, size_t len, size_t *consumed)
{
  size_t used = 0;

  if (consumed != NULL)
    *consumed = 0;
  if (hs == NULL)
    return PROXY_ERROR;
  if (hs->step == STEP_DONE)
    return hs->result;
  if (len == 0 || data == NULL)
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "proxy closed the connection during the handshake");
      return hs->result;
    }
  /* A SOCKS proxy answers each request only once it has it all. */
  if (hs->out_sent < hs->out_len && !is_http (hs->type))
    {
      fail (hs, PROXY_ERROR_PROTOCOL, "proxy sent data before the request was complete");
      return hs->result;
    }
  while (used < len && hs->step != STEP_DONE)
    {
      Step before = hs->step;

      switch (hs->step)
        {
        case STEP_SOCKS4: on_socks4_reply (hs, data, len, &used); break;
        case STEP_SOCKS5_GREETING: on_socks5_greeting_reply (hs, data, len, &used); break;
        case STEP_SOCKS5_AUTH: on_socks5_auth_reply (hs, data, len, &used); break;
        case STEP_SOCKS5_CONNECT: on_socks5_connect_reply (hs, data, len, &used); break;
        case STEP_HTTP: on_http_reply (hs, data, len, &used); break;
        case STEP_DONE: break;
        }
      /* A new request is queued: the proxy must wait for it. */
      if (hs->step != before && hs->step != STEP_DONE)
        {
          if (used < len)
            fail (hs, PROXY_ERROR_PROTOCOL, "proxy sent data before the request was complete");
          break;
        }
    }
  /* HTTP may answer early, but only a refusal: a tunnel cannot start
   * before the proxy had the whole request. */
  if (hs->result == PROXY_OK && hs->out_sent < hs->out_len)
    fail (hs, PROXY_ERROR_PROTOCOL, "proxy accepted the request before it was sent whole");
  if (consumed != NULL)
    *consumed = used;
  return hs->result;
}

SocketProxy_Result
SocketProxyExt_handshake_result (T hs)
{
  return hs == NULL ? PROXY_ERROR : hs->result;
}

SocketProxy_State
SocketProxyExt_handshake_state (T hs)
{
  int sending;

  if (hs == NULL)
    return PROXY_STATE_FAILED;
  if (hs->step == STEP_DONE)
    return hs->result == PROXY_OK ? PROXY_STATE_CONNECTED : PROXY_STATE_FAILED;
  sending = hs->out_sent < hs->out_len;
  if (hs->step == STEP_SOCKS5_AUTH)
    return sending ? PROXY_STATE_AUTH_SEND : PROXY_STATE_AUTH_RECV;
  return sending ? PROXY_STATE_HANDSHAKE_SEND : PROXY_STATE_HANDSHAKE_RECV;
}

const char *
SocketProxyExt_handshake_error (T hs)
{
  if (hs == NULL || hs->step != STEP_DONE || hs->result == PROXY_OK)
    return NULL;
  return hs->error;
}

int
SocketProxyExt_handshake_http_status (T hs)
{
  return hs == NULL ? 0 : hs->http_status;
}

int
socketproxy_handshake_build_failed (T hs)
{
  return hs != NULL && hs->build_failed;
}

const char *
socketproxy_build_error_text (SocketProxyType type)
{
  switch (type)
    {
    case SOCKET_PROXY_SOCKS4: return "Failed to build SOCKS4 request";
    case SOCKET_PROXY_SOCKS4A: return "Failed to build SOCKS4a request";
    case SOCKET_PROXY_SOCKS5:
    case SOCKET_PROXY_SOCKS5H: return "Failed to build SOCKS5 greeting";
    case SOCKET_PROXY_HTTP:
    case SOCKET_PROXY_HTTPS: return "Failed to build HTTP CONNECT request";
    default: return "Unsupported proxy type";
    }
}
