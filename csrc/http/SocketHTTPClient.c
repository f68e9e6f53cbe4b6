/*
 * SocketHTTPClient.c - the HTTP client's public API and its request runs.
 *
 * A run (struct hc_run, SocketHTTPClient-private.h) carries one request
 * across its exchanges: it builds each request head (Host, User-Agent,
 * Accept-Encoding, Cookie from the jar, Authorization), stores every
 * Set-Cookie received, answers one Digest challenge, follows redirects
 * (RFC 9110 section 15.4: relative Location resolved against the request
 * URL, 303 turns into GET, credentials and caller-set Authorization/Cookie
 * fields only sent to the origin they were given for) and retries once on
 * a fresh connection when a reused one failed before any response byte.
 * The blocking calls drive a run with poll() here; asynchronous runs are
 * driven by SocketHTTPClient_process() (SocketHTTPClient-async.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTPClient-private.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
#endif

const Except_T SocketHTTPClient_Failed = { &SocketHTTPClient_Failed, "HTTP client operation failed" };
const Except_T SocketHTTPClient_DNSFailed = { &SocketHTTPClient_DNSFailed, "DNS resolution failed" };
const Except_T SocketHTTPClient_ConnectFailed = { &SocketHTTPClient_ConnectFailed, "Connection failed" };
const Except_T SocketHTTPClient_TLSFailed = { &SocketHTTPClient_TLSFailed, "TLS handshake failed" };
const Except_T SocketHTTPClient_Timeout = { &SocketHTTPClient_Timeout, "Request timeout" };
const Except_T SocketHTTPClient_ProtocolError = { &SocketHTTPClient_ProtocolError, "HTTP protocol error" };
const Except_T SocketHTTPClient_TooManyRedirects
    = { &SocketHTTPClient_TooManyRedirects, "Too many redirects" };
const Except_T SocketHTTPClient_ResponseTooLarge
    = { &SocketHTTPClient_ResponseTooLarge, "Response body too large" };

SOCKET_DECLARE_MODULE_EXCEPTION (SocketHTTPClient);

/* ===================================================================== */
/* Errors                                                                */
/* ===================================================================== */

const char *
SocketHTTPClient_error_string (SocketHTTPClient_Error error)
{
  switch (error)
    {
    case HTTPCLIENT_OK:
      return "Success";
    case HTTPCLIENT_ERROR_DNS:
      return "DNS resolution failed";
    case HTTPCLIENT_ERROR_CONNECT:
      return "Connection failed";
    case HTTPCLIENT_ERROR_TLS:
      return "TLS handshake failed";
    case HTTPCLIENT_ERROR_TIMEOUT:
      return "Request timeout";
    case HTTPCLIENT_ERROR_PROTOCOL:
      return "HTTP protocol error";
    case HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS:
      return "Too many redirects";
    case HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE:
      return "Response body too large";
    case HTTPCLIENT_ERROR_CANCELLED:
      return "Request cancelled";
    case HTTPCLIENT_ERROR_OUT_OF_MEMORY:
      return "Out of memory";
    }
  return "Unknown error";
}

SocketHTTPClient_Error
SocketHTTPClient_last_error (SocketHTTPClient_T client)
{
  return client != NULL ? client->last_error : HTTPCLIENT_OK;
}

/* ===================================================================== */
/* Client                                                                */
/* ===================================================================== */

void
SocketHTTPClient_config_defaults (SocketHTTPClient_Config *config)
{
  if (config == NULL)
    RAISE (SocketHTTPClient_Failed);
  memset (config, 0, sizeof *config);
  config->max_version = HTTP_VERSION_2;
  config->allow_http2_cleartext = 0;
  config->enable_connection_pool = 1;
  config->max_connections_per_host = HTTPCLIENT_DEFAULT_MAX_CONNS_PER_HOST;
  config->max_total_connections = HTTPCLIENT_DEFAULT_MAX_TOTAL_CONNS;
  config->idle_timeout_ms = HTTPCLIENT_DEFAULT_IDLE_TIMEOUT_MS;
  config->connect_timeout_ms = HTTPCLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
  config->request_timeout_ms = HTTPCLIENT_DEFAULT_REQUEST_TIMEOUT_MS;
  config->dns_timeout_ms = HTTPCLIENT_DEFAULT_DNS_TIMEOUT_MS;
  config->follow_redirects = HTTPCLIENT_DEFAULT_MAX_REDIRECTS;
  config->redirect_on_post = 0;
  config->accept_encoding = HTTPCLIENT_ENCODING_GZIP | HTTPCLIENT_ENCODING_DEFLATE;
  config->auto_decompress = 1;
  config->verify_ssl = 1;
  config->user_agent = HTTPCLIENT_DEFAULT_USER_AGENT;
  config->max_response_size = HTTPCLIENT_DEFAULT_MAX_RESPONSE_SIZE;
}

SocketHTTPClient_T
SocketHTTPClient_new (const SocketHTTPClient_Config *config)
{
  SocketHTTPClient_T client = calloc (1, sizeof *client);

  if (client == NULL)
    SOCKET_RAISE_MSG (SocketHTTPClient, SocketHTTPClient_Failed, "Failed to create connection pool");
  if (config != NULL)
    client->config = *config;
  else
    SocketHTTPClient_config_defaults (&client->config);
  if (client->config.user_agent != NULL)
    {
      client->user_agent = strdup (client->config.user_agent);
      if (client->user_agent == NULL)
        {
          free (client);
          SOCKET_RAISE_MSG (SocketHTTPClient, SocketHTTPClient_Failed, "Failed to create connection pool");
        }
    }
  client->config.user_agent = client->user_agent;
  client->last_error = HTTPCLIENT_OK;
  return client;
}

static void
clear_client_auth (SocketHTTPClient_T client)
{
  for (int i = 0; i < 3; i++)
    {
      free (client->auth_strings[i]);
      client->auth_strings[i] = NULL;
    }
  memset (&client->auth, 0, sizeof client->auth);
  client->has_auth = 0;
}

void
SocketHTTPClient_free (SocketHTTPClient_T *clientp)
{
  SocketHTTPClient_T client;

  if (clientp == NULL || *clientp == NULL)
    return;
  client = *clientp;
  httpclient__async_release_all (client);
  httpclient__pool_clear (client, 1);
  clear_client_auth (client);
#if SOCKET_HAS_TLS
  if (client->tls_default != NULL)
    SocketTLSContext_free (&client->tls_default);
#endif
  if (client->dns != NULL)
    SocketDNS_free (&client->dns);
  free (client->user_agent);
  free (client);
  *clientp = NULL;
}

void
SocketHTTPClient_set_auth (SocketHTTPClient_T client, const SocketHTTPClient_Auth *auth)
{
  if (client == NULL)
    return;
  clear_client_auth (client);
  if (auth == NULL)
    return;
  client->auth = *auth;
  client->auth_strings[0] = auth->username ? strdup (auth->username) : NULL;
  client->auth_strings[1] = auth->password ? strdup (auth->password) : NULL;
  client->auth_strings[2] = auth->token ? strdup (auth->token) : NULL;
  client->auth.username = client->auth_strings[0];
  client->auth.password = client->auth_strings[1];
  client->auth.token = client->auth_strings[2];
  client->has_auth = 1;
}

void
SocketHTTPClient_set_cookie_jar (SocketHTTPClient_T client, SocketHTTPClient_CookieJar_T jar)
{
  if (client != NULL)
    client->jar = jar;
}

SocketHTTPClient_CookieJar_T
SocketHTTPClient_get_cookie_jar (SocketHTTPClient_T client)
{
  return client != NULL ? client->jar : NULL;
}

void
SocketHTTPClient_pool_stats (SocketHTTPClient_T client, SocketHTTPClient_PoolStats *stats)
{
  if (stats == NULL)
    return;
  memset (stats, 0, sizeof *stats);
  if (client == NULL)
    return;
  if (client->config.enable_connection_pool)
    httpclient__pool_count (client, &stats->active_connections, &stats->idle_connections);
  stats->total_requests = client->total_requests;
  stats->reused_connections = client->reused_connections;
}

void
SocketHTTPClient_pool_clear (SocketHTTPClient_T client)
{
  if (client != NULL)
    httpclient__pool_clear (client, 1);
}

void
(SocketHTTPClient_Response_free) (SocketHTTPClient_Response *response)
{
  if (response == NULL)
    return;
  if (response->arena != NULL)
    Arena_dispose (&response->arena);
  memset (response, 0, sizeof *response);
}

/* ===================================================================== */
/* Request builder                                                       */
/* ===================================================================== */

int
httpclient__request_set_url (SocketHTTPClient_Request_T req, const char *url)
{
  size_t len = url != NULL ? strlen (url) : 0;
  SocketHTTP_URI uri;
  Arena_T arena;
  char *copy;

  if (len == 0 || len >= HC_MAX_URL)
    return -1;
  arena = Arena_new ();
  if (SocketHTTP_URI_parse (url, len, &uri, arena) != URI_PARSE_OK || uri.host == NULL
      || uri.host_len == 0 || uri.host_len >= HC_MAX_HOST || uri.scheme == NULL
      || (strcmp (uri.scheme, "http") != 0 && strcmp (uri.scheme, "https") != 0))
    {
      Arena_dispose (&arena);
      return -1;
    }
  copy = strdup (url);
  if (copy == NULL)
    {
      Arena_dispose (&arena);
      return -1;
    }
  free (req->url);
  req->url = copy;
  if (req->uri_arena != NULL)
    Arena_dispose (&req->uri_arena);
  req->uri_arena = arena;
  req->uri = uri;
  return 0;
}

SocketHTTPClient_Request_T
httpclient__request_new (SocketHTTPClient_T client, SocketHTTP_Method method, const char *url)
{
  SocketHTTPClient_Request_T req;
  volatile int failed = 0;

  if (client == NULL || url == NULL)
    return NULL;
  req = calloc (1, sizeof *req);
  if (req == NULL)
    {
      client->last_error = HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      return NULL;
    }
  req->client = client;
  req->method = method;
  req->timeout_ms = -1;
  TRY
  {
    req->arena = Arena_new ();
    req->headers = SocketHTTP_Headers_new (req->arena);
    if (httpclient__request_set_url (req, url) < 0)
      failed = 1;
  }
  ELSE failed = 2;
  END_TRY;
  if (failed)
    {
      client->last_error = failed == 1 ? HTTPCLIENT_ERROR_PROTOCOL : HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      SocketHTTPClient_Request_free (&req);
      return NULL;
    }
  return req;
}

SocketHTTPClient_Request_T
(SocketHTTPClient_Request_new) (SocketHTTPClient_T client, SocketHTTP_Method method, const char *url)
{
  return httpclient__request_new (client, method, url);
}

void
SocketHTTPClient_Request_free (SocketHTTPClient_Request_T *reqp)
{
  SocketHTTPClient_Request_T req;

  if (reqp == NULL || *reqp == NULL)
    return;
  req = *reqp;
  if (req->async != NULL)
    httpclient__async_detach (req->async);
  free (req->url);
  free (req->body);
  if (req->uri_arena != NULL)
    Arena_dispose (&req->uri_arena);
  if (req->arena != NULL)
    Arena_dispose (&req->arena);
  free (req);
  *reqp = NULL;
}

int
SocketHTTPClient_Request_header (SocketHTTPClient_Request_T req, const char *name, const char *value)
{
  volatile int rc = -1;

  if (req == NULL || name == NULL || value == NULL)
    return -1;
  if (SocketHTTP_Headers_count (req->headers) >= SOCKETHTTP1_MAX_HEADERS)
    return -1;
  TRY rc = SocketHTTP_Headers_add (req->headers, name, value);
  ELSE rc = -1;
  END_TRY;
  return rc;
}

int
SocketHTTPClient_Request_body (SocketHTTPClient_Request_T req, const void *data, size_t len)
{
  unsigned char *copy = NULL;

  if (req == NULL)
    return -1;
  if (data != NULL && len > 0)
    {
      copy = malloc (len);
      if (copy == NULL)
        return -1;
      memcpy (copy, data, len);
    }
  free (req->body);
  req->body = copy;
  req->body_len = copy != NULL ? len : 0;
  req->read_cb = NULL;
  req->read_userdata = NULL;
  return 0;
}

int
SocketHTTPClient_Request_body_stream (SocketHTTPClient_Request_T req,
                                      ssize_t (*read_cb) (void *buf, size_t len, void *userdata),
                                      void *userdata)
{
  if (req == NULL)
    return 0;
  free (req->body);
  req->body = NULL;
  req->body_len = 0;
  req->read_cb = read_cb;
  req->read_userdata = userdata;
  return 0;
}

void
SocketHTTPClient_Request_timeout (SocketHTTPClient_Request_T req, int ms)
{
  if (req != NULL)
    req->timeout_ms = ms < 0 ? -1 : ms;
}

static char *
arena_strdup (Arena_T arena, const char *s)
{
  size_t n;
  char *p;

  if (s == NULL)
    return NULL;
  n = strlen (s) + 1;
  p = ALLOC (arena, n);
  memcpy (p, s, n);
  return p;
}

void
SocketHTTPClient_Request_auth (SocketHTTPClient_Request_T req, const SocketHTTPClient_Auth *auth)
{
  if (req == NULL)
    return;
  if (auth == NULL)
    {
      req->has_auth = 0;
      memset (&req->auth, 0, sizeof req->auth);
      return;
    }
  req->auth = *auth;
  req->auth.username = arena_strdup (req->arena, auth->username);
  req->auth.password = arena_strdup (req->arena, auth->password);
  req->auth.token = arena_strdup (req->arena, auth->token);
  req->has_auth = 1;
}

/* ===================================================================== */
/* Request heads                                                         */
/* ===================================================================== */

/* "host[:port]" for Host; the port only when it is not the scheme's. */
static void
authority_of (const SocketHTTP_URI *uri, char *out, size_t out_size)
{
  int secure = SocketHTTP_URI_is_secure (uri);

  if (uri->port < 0 || uri->port == (secure ? 443 : 80))
    snprintf (out, out_size, "%.*s", (int)uri->host_len, uri->host);
  else
    snprintf (out, out_size, "%.*s:%d", (int)uri->host_len, uri->host, uri->port);
}

/* "scheme://host:port" of @p url's origin into @p out. */
static void
origin_of (const SocketHTTP_URI *uri, char *out, size_t out_size)
{
  int secure = SocketHTTP_URI_is_secure (uri);

  snprintf (out, out_size, "%s://%.*s:%d", uri->scheme, (int)uri->host_len, uri->host,
            SocketHTTP_URI_get_port (uri, secure ? 443 : 80));
}

static const SocketHTTPClient_Auth *
run_credentials (struct hc_run *run)
{
  char origin[HC_MAX_HOST + 32];

  origin_of (&run->req->uri, origin, sizeof origin);
  if (strcasecmp (origin, run->origin) != 0) /* never to another origin */
    return NULL;
  if (run->req->has_auth)
    return &run->req->auth;
  if (run->client->has_auth)
    return &run->client->auth;
  return NULL;
}

static void
host_and_path (const SocketHTTP_URI *uri, char *host, size_t host_size, char *target,
               size_t target_size)
{
  const char *h = uri->host;
  size_t hl = uri->host_len;

  if (hl >= 2 && h[0] == '[')
    {
      h++;
      hl -= 2;
    }
  snprintf (host, host_size, "%.*s", (int)hl, h);
  if (uri->query != NULL)
    snprintf (target, target_size, "%.*s?%.*s", uri->path_len ? (int)uri->path_len : 1,
              uri->path_len ? uri->path : "/", (int)uri->query_len, uri->query);
  else
    snprintf (target, target_size, "%.*s", uri->path_len ? (int)uri->path_len : 1,
              uri->path_len ? uri->path : "/");
}

static const char *
accept_encoding_value (const SocketHTTPClient_Config *cfg)
{
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  int bits = cfg->accept_encoding & (HTTPCLIENT_ENCODING_GZIP | HTTPCLIENT_ENCODING_DEFLATE);
  if (!cfg->auto_decompress)
    return NULL;
  if (bits == (HTTPCLIENT_ENCODING_GZIP | HTTPCLIENT_ENCODING_DEFLATE))
    return "gzip, deflate";
  if (bits == HTTPCLIENT_ENCODING_GZIP)
    return "gzip";
  if (bits == HTTPCLIENT_ENCODING_DEFLATE)
    return "deflate";
#else
  (void)cfg; /* no decoder in this build: ask for identity only */
#endif
  return NULL;
}

/* Add Cookie (jar cookies merged into a caller-set field) and
 * Authorization to @p h. */
static void
add_credentials (struct hc_run *run, SocketHTTP_Headers_T h, const char *host, const char *target,
                 int secure, int same_origin)
{
  SocketHTTPClient_Request_T req = run->req;
  const SocketHTTPClient_Auth *auth = run_credentials (run);
  char buf[HTTPCLIENT_COOKIE_MAX_HEADER];
  char path[HC_MAX_URL];
  const char *q;
  size_t n = 0;

  if (run->client->jar != NULL)
    {
      snprintf (path, sizeof path, "%s", target);
      q = strchr (path, '?');
      if (q != NULL)
        path[q - path] = '\0';
      n = httpclient_cookie_header (run->client->jar, host, path, secure, time (NULL), buf, sizeof buf);
    }
  if (same_origin && SocketHTTP_Headers_get (req->headers, "Cookie") != NULL)
    {
      const char *user = SocketHTTP_Headers_get (req->headers, "Cookie");
      char merged[HTTPCLIENT_COOKIE_MAX_HEADER * 2];
      if (n > 0)
        snprintf (merged, sizeof merged, "%s; %s", user, buf);
      else
        snprintf (merged, sizeof merged, "%s", user);
      SocketHTTP_Headers_add (h, "Cookie", merged);
    }
  else if (n > 0)
    SocketHTTP_Headers_add (h, "Cookie", buf);
  run->sent_auth = 0;
  if (same_origin && SocketHTTP_Headers_has (req->headers, "Authorization"))
    return; /* the caller's own field wins */
  if (auth != NULL)
    {
      char value[HTTPCLIENT_AUTH_MAX_HEADER];
      int len = httpclient_auth_header (auth, &run->digest, req->method, target, value, sizeof value);
      if (len > 0)
        {
          SocketHTTP_Headers_add (h, "Authorization", value);
          run->sent_auth = 1;
        }
    }
}

/* The next request head, unserialized (HTTP/1.1 or HTTP/2 is only known
 * once the connection is up): fields, method, target, authority in
 * *@p arena (created here; NULL on failure). */
static int
build_request (struct hc_run *run, Arena_T *arenap, SocketHTTP_Request *out)
{
  SocketHTTPClient_Request_T req = run->req;
  const SocketHTTPClient_Config *cfg = &run->client->config;
  char host[HC_MAX_HOST], target[HC_MAX_URL], authority[HC_MAX_HOST + 8];
  char origin[HC_MAX_HOST + 32];
  int secure = SocketHTTP_URI_is_secure (&req->uri);
  int same_origin;
  Arena_T volatile arena = NULL;
  volatile int ok = 0;

  host_and_path (&req->uri, host, sizeof host, target, sizeof target);
  authority_of (&req->uri, authority, sizeof authority);
  origin_of (&req->uri, origin, sizeof origin);
  same_origin = strcasecmp (origin, run->origin) == 0;
  memset (out, 0, sizeof *out);
  TRY
  {
    SocketHTTP_Headers_T h;
    const char *ae = accept_encoding_value (cfg);
    size_t n = SocketHTTP_Headers_count (req->headers);

    arena = Arena_new ();
    h = SocketHTTP_Headers_new (arena);
    for (size_t i = 0; i < n; i++)
      {
        const SocketHTTP_Header *f = SocketHTTP_Headers_at (req->headers, i);
        /* Host is rewritten for every target; credentials set by the
         * caller are only for the origin they started with; framing is
         * ours. */
        if ((f->name_len == 4 && strncasecmp (f->name, "Host", 4) == 0 && !same_origin)
            || (f->name_len == 13 && strncasecmp (f->name, "Authorization", 13) == 0)
            || (f->name_len == 6 && strncasecmp (f->name, "Cookie", 6) == 0)
            || (f->name_len == 14 && strncasecmp (f->name, "Content-Length", 14) == 0)
            || (f->name_len == 17 && strncasecmp (f->name, "Transfer-Encoding", 17) == 0))
          continue;
        SocketHTTP_Headers_add_n (h, f->name, f->name_len, f->value, f->value_len);
      }
    if (same_origin && SocketHTTP_Headers_has (req->headers, "Authorization"))
      SocketHTTP_Headers_add (h, "Authorization", SocketHTTP_Headers_get (req->headers, "Authorization"));
    if (!SocketHTTP_Headers_has (h, "Host"))
      SocketHTTP_Headers_add (h, "Host", authority);
    if (cfg->user_agent != NULL && !SocketHTTP_Headers_has (h, "User-Agent"))
      SocketHTTP_Headers_add (h, "User-Agent", cfg->user_agent);
    if (ae != NULL && !SocketHTTP_Headers_has (h, "Accept-Encoding"))
      SocketHTTP_Headers_add (h, "Accept-Encoding", ae);
    add_credentials (run, h, host, target, secure, same_origin);
    out->method = req->method == HTTP_METHOD_UNKNOWN ? HTTP_METHOD_GET : req->method;
    out->version = HTTP_VERSION_1_1;
    out->scheme = secure ? "https" : "http";
    out->authority = arena_strdup (arena, authority);
    out->path = arena_strdup (arena, target);
    out->headers = h;
    out->has_body = req->body_len > 0 || req->read_cb != NULL || out->method == HTTP_METHOD_POST
                    || out->method == HTTP_METHOD_PUT || out->method == HTTP_METHOD_PATCH;
    out->content_length = req->body_len > 0 ? (int64_t)req->body_len : (req->read_cb ? -1 : 0);
    ok = 1;
  }
  ELSE ok = 0;
  END_TRY;
  if (!ok && arena != NULL)
    Arena_dispose ((Arena_T *)&arena);
  *arenap = ok ? arena : NULL;
  return ok ? 0 : -1;
}

/* ===================================================================== */
/* Runs                                                                  */
/* ===================================================================== */

void
httpclient__run_init (struct hc_run *run, SocketHTTPClient_Request_T req)
{
  memset (run, 0, sizeof *run);
  run->client = req->client;
  run->req = req;
  origin_of (&req->uri, run->origin, sizeof run->origin);
}

static int
run_next_exchange (struct hc_run *run, int fresh)
{
  Arena_T arena = NULL;
  SocketHTTP_Request head;

  if (build_request (run, &arena, &head) < 0)
    {
      httpclient__run_finish (run, HTTPCLIENT_ERROR_OUT_OF_MEMORY);
      return -1;
    }
  if (httpclient__exchange_start (run, arena, &head, fresh) < 0)
    {
      httpclient__run_finish (run, run->error);
      return -1;
    }
  return 0;
}

int
httpclient__run_start (struct hc_run *run)
{
  int ms = run->req->timeout_ms >= 0 ? run->req->timeout_ms : run->client->config.request_timeout_ms;

  run->request_deadline = ms > 0 ? Socket_get_monotonic_ms () + ms : 0;
  return run_next_exchange (run, 0);
}

void
httpclient__run_finish (struct hc_run *run, SocketHTTPClient_Error error)
{
  run->finished = 1;
  run->error = error;
  if (error != HTTPCLIENT_OK)
    SocketHTTPClient_Response_free (&run->result);
  run->client->last_error = error;
}

void
httpclient__run_cleanup (struct hc_run *run)
{
  httpclient__exchange_free (&run->ex);
  SocketHTTPClient_Response_free (&run->result);
}

static void
store_cookies (struct hc_run *run, const SocketHTTPClient_Response *resp)
{
  const char *values[HC_MAX_SET_COOKIE];
  char host[HC_MAX_HOST], target[HC_MAX_URL];
  char *q;
  size_t n;

  if (run->client->jar == NULL || resp->headers == NULL)
    return;
  host_and_path (&run->req->uri, host, sizeof host, target, sizeof target);
  q = strchr (target, '?');
  if (q != NULL)
    *q = '\0';
  n = SocketHTTP_Headers_get_all (resp->headers, "Set-Cookie", values, HC_MAX_SET_COOKIE);
  for (size_t i = 0; i < n; i++)
    httpclient_cookie_store (run->client->jar, host, target, SocketHTTP_URI_is_secure (&run->req->uri),
                             values[i], strlen (values[i]), time (NULL));
}

/* 1 when the 401 can be answered with a Digest header. */
static int
run_digest_ready (struct hc_run *run, const SocketHTTPClient_Response *resp)
{
  const SocketHTTPClient_Auth *auth = run_credentials (run);
  const char *values[HC_MAX_CHALLENGES];
  size_t n;

  if (auth == NULL || auth->type != HTTP_AUTH_DIGEST || run->auth_retried)
    return 0;
  n = SocketHTTP_Headers_get_all (resp->headers, "WWW-Authenticate", values, HC_MAX_CHALLENGES);
  if (n == 0 || httpclient_digest_parse_challenge (auth, values, n, &run->digest) < 0)
    return 0;
  return 1;
}

static int
is_redirect (int status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Follow @p resp's redirect. 1: a new exchange started, 0: the response
 * stands, -1: the run finished with an error. */
static int
run_redirect (struct hc_run *run, const SocketHTTPClient_Response *resp)
{
  SocketHTTPClient_Request_T req = run->req;
  const SocketHTTPClient_Config *cfg = &run->client->config;
  const char *location = SocketHTTP_Headers_get (resp->headers, "Location");
  char next[HC_MAX_URL];
  int status = resp->status_code;

  if (cfg->follow_redirects <= 0 || location == NULL || !is_redirect (status))
    return 0;
  if (req->method == HTTP_METHOD_POST && status != 303 && !cfg->redirect_on_post)
    return 0;
  if (req->read_cb != NULL && status != 303) /* a streamed body cannot be sent twice */
    return 0;
  if (++run->redirects > cfg->follow_redirects)
    {
      httpclient__run_finish (run, HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS);
      return -1;
    }
  if (httpclient__resolve_url (req->url, location, next, sizeof next) < 0
      || httpclient__request_set_url (req, next) < 0)
    {
      httpclient__run_finish (run, HTTPCLIENT_ERROR_PROTOCOL);
      return -1;
    }
  if (status == 303 && req->method != HTTP_METHOD_HEAD)
    {
      req->method = HTTP_METHOD_GET;
      SocketHTTPClient_Request_body (req, NULL, 0);
    }
  run->auth_retried = 0;
  run->conn_retried = 0;
  return run_next_exchange (run, 0) == 0 ? 1 : -1;
}

static int
method_idempotent (SocketHTTP_Method m)
{
  return m == HTTP_METHOD_GET || m == HTTP_METHOD_HEAD || m == HTTP_METHOD_PUT
         || m == HTTP_METHOD_DELETE || m == HTTP_METHOD_OPTIONS || m == HTTP_METHOD_TRACE;
}

void
httpclient__run_exchange_done (struct hc_run *run)
{
  struct hc_exchange *ex = run->ex;
  SocketHTTPClient_Response resp;
  int rc;

  if (ex->state != HC_EX_DONE)
    {
      SocketHTTPClient_Error err = ex->state == HC_EX_FAILED ? ex->error : HTTPCLIENT_ERROR_PROTOCOL;
      int retry = (ex->reused || ex->h2_refused) && !ex->any_response_byte
                  && err == HTTPCLIENT_ERROR_CONNECT && !run->conn_retried
                  && method_idempotent (run->req->method) && run->req->read_cb == NULL;
      /* a refused HTTP/2 stream goes back to the shared connection, which
       * now knows the server's stream limit; anything else to a new one */
      int fresh = !(ex->h2_refused && ex->conn != NULL && !ex->conn->dead);
      httpclient__exchange_free (&run->ex);
      if (retry)
        {
          run->conn_retried = 1;
          run_next_exchange (run, fresh);
          return;
        }
      httpclient__run_finish (run, err);
      return;
    }
  resp = ex->resp; /* the response arena moves to the run */
  ex->resp_arena = NULL;
  memset (&ex->resp, 0, sizeof ex->resp);
  httpclient__exchange_free (&run->ex);
  store_cookies (run, &resp);
  if (resp.status_code == 401 && run_digest_ready (run, &resp))
    {
      SocketHTTPClient_Response_free (&resp);
      run->auth_retried = 1;
      run_next_exchange (run, 0);
      return;
    }
  rc = run_redirect (run, &resp);
  if (rc != 0)
    {
      SocketHTTPClient_Response_free (&resp);
      return;
    }
  run->result = resp;
  httpclient__run_finish (run, HTTPCLIENT_OK);
}

/* Drive @p run to its end, waiting with poll() on its descriptor. */
static void
run_blocking (struct hc_run *run)
{
  unsigned revents = 0;

  while (!run->finished)
    {
      struct hc_exchange *ex = run->ex;
      struct pollfd pfd;
      unsigned events;
      int64_t deadline;
      int timeout = -1, n;

      if (httpclient__exchange_step (ex, revents))
        {
          httpclient__run_exchange_done (run);
          revents = 0;
          continue;
        }
      revents = 0;
      pfd.fd = httpclient__exchange_pollfd (ex, &events);
      pfd.events = (short)events;
      pfd.revents = 0;
      deadline = httpclient__exchange_deadline (ex);
      if (deadline > 0)
        {
          int64_t left = deadline - Socket_get_monotonic_ms ();
          if (left <= 0)
            {
              httpclient__exchange_timeout (ex);
              httpclient__run_exchange_done (run);
              continue;
            }
          timeout = left > 1000000 ? 1000000 : (int)left;
        }
      if (pfd.fd < 0)
        {
          httpclient__exchange_timeout (ex); /* nothing to wait for: cannot progress */
          httpclient__run_exchange_done (run);
          continue;
        }
      n = poll (&pfd, 1, timeout);
      if (n < 0 && errno != EINTR)
        {
          httpclient__exchange_timeout (ex);
          httpclient__run_exchange_done (run);
          continue;
        }
      if (n > 0)
        revents = (unsigned)pfd.revents;
    }
}

/* ===================================================================== */
/* Blocking requests                                                     */
/* ===================================================================== */

int
(SocketHTTPClient_Request_execute) (SocketHTTPClient_Request_T req, SocketHTTPClient_Response *response)
{
  struct hc_run run;
  int redirects;

  if (response != NULL)
    memset (response, 0, sizeof *response);
  if (req == NULL || response == NULL)
    return -1;
  httpclient__run_init (&run, req);
  httpclient__run_start (&run);
  run_blocking (&run);
  redirects = run.redirects;
  if (run.error != HTTPCLIENT_OK)
    {
      httpclient__run_cleanup (&run);
      if (run.error == HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS)
        SOCKET_RAISE_MSG (SocketHTTPClient, SocketHTTPClient_TooManyRedirects, "Too many redirects (%d)",
                          redirects);
      return -1;
    }
  *response = run.result;
  memset (&run.result, 0, sizeof run.result);
  httpclient__run_cleanup (&run);
  return 0;
}

static int
simple_request (SocketHTTPClient_T client, SocketHTTP_Method method, const char *url,
                const char *content_type, const void *body, size_t body_len,
                SocketHTTPClient_Response *response)
{
  SocketHTTPClient_Request_T req;
  volatile int rc = -1;

  if (response != NULL)
    memset (response, 0, sizeof *response);
  if (client == NULL || url == NULL || response == NULL)
    return -1;
  req = httpclient__request_new (client, method, url);
  if (req == NULL)
    return -1;
  if ((content_type != NULL && SocketHTTPClient_Request_header (req, "Content-Type", content_type) < 0)
      || SocketHTTPClient_Request_body (req, body, body_len) < 0)
    {
      client->last_error = HTTPCLIENT_ERROR_PROTOCOL;
      SocketHTTPClient_Request_free (&req);
      return -1;
    }
  TRY rc = SocketHTTPClient_Request_execute (req, response);
  FINALLY SocketHTTPClient_Request_free (&req);
  END_TRY;
  return rc;
}

int
(SocketHTTPClient_get) (SocketHTTPClient_T client, const char *url, SocketHTTPClient_Response *response)
{
  return simple_request (client, HTTP_METHOD_GET, url, NULL, NULL, 0, response);
}

int
SocketHTTPClient_head (SocketHTTPClient_T client, const char *url, SocketHTTPClient_Response *response)
{
  return simple_request (client, HTTP_METHOD_HEAD, url, NULL, NULL, 0, response);
}

int
SocketHTTPClient_post (SocketHTTPClient_T client, const char *url, const char *content_type,
                       const void *body, size_t body_len, SocketHTTPClient_Response *response)
{
  return simple_request (client, HTTP_METHOD_POST, url, content_type, body, body_len, response);
}

int
SocketHTTPClient_put (SocketHTTPClient_T client, const char *url, const char *content_type,
                      const void *body, size_t body_len, SocketHTTPClient_Response *response)
{
  return simple_request (client, HTTP_METHOD_PUT, url, content_type, body, body_len, response);
}

int
SocketHTTPClient_delete (SocketHTTPClient_T client, const char *url, SocketHTTPClient_Response *response)
{
  return simple_request (client, HTTP_METHOD_DELETE, url, NULL, NULL, 0, response);
}
