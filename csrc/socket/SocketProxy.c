/*
 * SocketProxy.c - outbound connections through HTTP CONNECT and SOCKS
 * proxies (include/socket/SocketProxy.h).
 *
 * Design. Everything runs through one asynchronous context (Conn): the
 * blocking calls SocketProxy_connect() and SocketProxy_tunnel() are a
 * poll(2) loop over SocketProxy_Conn_process(), so the three paths share
 * every transition, deadline and error text.
 *
 *   CONNECTING_PROXY  the proxy name is resolved synchronously (the
 *                     shared resolver, as Socket_connect), then each
 *                     address is tried in turn with a non-blocking
 *                     connect, sharing connect_timeout_ms between the
 *                     addresses left
 *   TLS_TO_PROXY      HTTPS only, when built with TLS: SNI and certificate
 *                     name = proxy host, system trust store
 *   HANDSHAKE_* / AUTH_*  the codec of SocketProxy-codec.c
 *   CONNECTED / FAILED / CANCELLED
 *
 * As in the original, a failed context keeps its socket (Conn_fd stays
 * valid until Conn_free) unless the TCP connect itself failed; cancel
 * closes it.
 *
 * Replies are read with MSG_PEEK and only the bytes the codec used are
 * then taken from the socket, so data the target sends right after the
 * proxy's reply stays in the socket for the caller (over TLS, where no
 * peek exists, the reply is read one byte at a time for the same reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netdb.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "core/SocketCrypto.h"
#include "poll/SocketPoll.h"
#include "socket/SocketCommon.h"
#include "socket/SocketProxy-private.h"
#if SOCKET_HAS_TLS
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#include "tls/SocketTLSExt.h"
#endif

#define T SocketProxy_Conn_T

/* Reason of the exception being handled (inside EXCEPT/ELSE only). */
#define CAUGHT_REASON()                                                                                                \
  (Except_frame.exception != NULL && Except_frame.exception->reason != NULL ? Except_frame.exception->reason          \
                                                                            : "unknown error")

#define PROXY_ERROR_TEXT_LEN 512
#define PROXY_PEEK_LEN 4096
#define PROXY_URL_BUF_LEN 1024

const Except_T SocketProxy_Failed = { &SocketProxy_Failed, "Proxy operation failed" };

void
SocketProxy_config_defaults (SocketProxy_Config *config)
{
  if (config == NULL)
    return;
  memset (config, 0, sizeof *config);
  config->type = SOCKET_PROXY_NONE;
  config->connect_timeout_ms = SOCKET_PROXY_DEFAULT_CONNECT_TIMEOUT_MS;
  config->handshake_timeout_ms = SOCKET_PROXY_DEFAULT_HANDSHAKE_TIMEOUT_MS;
}

/* ------------------------------------------------------------------ */
/* Strings (contract table)                                           */
/* ------------------------------------------------------------------ */

const char *
SocketProxy_result_string (SocketProxy_Result result)
{
  switch (result)
    {
    case PROXY_OK: return "Success";
    case PROXY_IN_PROGRESS: return "In progress";
    case PROXY_ERROR: return "Error";
    case PROXY_ERROR_CONNECT: return "Connection to proxy failed";
    case PROXY_ERROR_AUTH_REQUIRED: return "Authentication required";
    case PROXY_ERROR_AUTH_FAILED: return "Authentication failed";
    case PROXY_ERROR_FORBIDDEN: return "Connection forbidden by proxy";
    case PROXY_ERROR_HOST_UNREACHABLE: return "Target host unreachable";
    case PROXY_ERROR_NETWORK_UNREACHABLE: return "Target network unreachable";
    case PROXY_ERROR_CONNECTION_REFUSED: return "Target connection refused";
    case PROXY_ERROR_TTL_EXPIRED: return "TTL expired";
    case PROXY_ERROR_PROTOCOL: return "Protocol error";
    case PROXY_ERROR_UNSUPPORTED: return "Unsupported command";
    case PROXY_ERROR_TIMEOUT: return "Operation timed out";
    case PROXY_ERROR_CANCELLED: return "Operation cancelled";
    }
  return "Unknown error";
}

const char *
SocketProxy_state_string (SocketProxy_State state)
{
  switch (state)
    {
    case PROXY_STATE_IDLE: return "IDLE";
    case PROXY_STATE_CONNECTING_PROXY: return "CONNECTING_PROXY";
    case PROXY_STATE_TLS_TO_PROXY: return "TLS_TO_PROXY";
    case PROXY_STATE_HANDSHAKE_SEND: return "HANDSHAKE_SEND";
    case PROXY_STATE_HANDSHAKE_RECV: return "HANDSHAKE_RECV";
    case PROXY_STATE_AUTH_SEND: return "AUTH_SEND";
    case PROXY_STATE_AUTH_RECV: return "AUTH_RECV";
    case PROXY_STATE_CONNECTED: return "CONNECTED";
    case PROXY_STATE_FAILED: return "FAILED";
    case PROXY_STATE_CANCELLED: return "CANCELLED";
    }
  return "UNKNOWN";
}

const char *
SocketProxy_type_string (SocketProxyType type)
{
  switch (type)
    {
    case SOCKET_PROXY_NONE: return "NONE";
    case SOCKET_PROXY_HTTP: return "HTTP CONNECT";
    case SOCKET_PROXY_HTTPS: return "HTTPS CONNECT";
    case SOCKET_PROXY_SOCKS4: return "SOCKS4";
    case SOCKET_PROXY_SOCKS4A: return "SOCKS4A";
    case SOCKET_PROXY_SOCKS5: return "SOCKS5";
    case SOCKET_PROXY_SOCKS5H: return "SOCKS5H";
    }
  return "UNKNOWN";
}

/* ------------------------------------------------------------------ */
/* Asynchronous connection                                            */
/* ------------------------------------------------------------------ */

struct SocketProxy_Conn_T
{
  SocketProxyType type;
  char proxy_host[SOCKET_PROXY_MAX_HOSTNAME_LEN + 1];
  int proxy_port;
  int connect_timeout_ms;
  int handshake_timeout_ms;

  SocketProxyExt_Handshake_T hs;
  Socket_T socket;
  int borrowed;      /* the caller's socket (README forms): never freed here */
  int handed_out;    /* SocketProxy_Conn_socket() gave it away */
  int saved_flags;   /* O_NONBLOCK etc. of a borrowed socket, restored */
  int use_tls;       /* I/O goes through the TLS layer */

  SocketProxy_State state; /* CONNECTING_PROXY/TLS_TO_PROXY, or HANDSHAKE_SEND
                              while the codec decides, or final */
  SocketProxy_Result result;
  unsigned tls_events;     /* what the TLS handshake waits for */
  int64_t deadline_ms;     /* of the current phase (or connect attempt) */
  int64_t connect_deadline_ms; /* of all proxy connect attempts */
  struct addrinfo *addrs;      /* resolved proxy addresses */
  struct addrinfo *next_addr;  /* next one to try */
  char attempt_addr[80];       /* numeric address of the current attempt */
  char error[PROXY_ERROR_TEXT_LEN];  /* contract text (Conn_error) */
  char detail[PROXY_ERROR_TEXT_LEN]; /* detailed reason */
};

static int
default_port (SocketProxyType type)
{
  return type == SOCKET_PROXY_HTTP || type == SOCKET_PROXY_HTTPS ? SOCKET_PROXY_DEFAULT_HTTP_PORT
                                                                 : SOCKET_PROXY_DEFAULT_SOCKS_PORT;
}

static int
effective_timeout (int ms, int fallback)
{
  return ms > 0 ? ms : fallback;
}

static int
conn_complete (T conn)
{
  return conn->state == PROXY_STATE_CONNECTED || conn->state == PROXY_STATE_FAILED
         || conn->state == PROXY_STATE_CANCELLED;
}

static void
conn_fail (T conn, SocketProxy_Result result, const char *error, const char *detail)
{
  conn->state = PROXY_STATE_FAILED;
  conn->result = result;
  snprintf (conn->error, sizeof conn->error, "%s", error);
  if (detail != conn->detail) /* may already be in place */
    snprintf (conn->detail, sizeof conn->detail, "%s", detail != NULL ? detail : error);
}

static void
conn_fail_errno (T conn, SocketProxy_Result result, const char *what, int err)
{
  char text[PROXY_ERROR_TEXT_LEN];

  snprintf (text, sizeof text, "%s: %.200s", what, strerror (err));
  conn_fail (conn, result, text, text);
}

static void
close_socket (T conn)
{
  if (conn->socket == NULL || conn->handed_out)
    return;
  if (conn->borrowed)
    {
      if (conn->saved_flags >= 0)
        fcntl (Socket_fd (conn->socket), F_SETFL, conn->saved_flags);
      conn->socket = NULL;
      return;
    }
  Socket_free (&conn->socket);
}

/* Read @p fd's connect outcome once it is writable. */
static int
connect_error (int fd)
{
  int err = 0;
  socklen_t len = sizeof err;

  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    return errno;
  return err;
}

static int
fd_ready (int fd, short events)
{
  struct pollfd p = { .fd = fd, .events = events };

  return poll (&p, 1, 0) > 0;
}

/* ---- I/O over the plain socket or the TLS layer ---- */

/* > 0 bytes written; 0 would block; -1 error (errno). */
static ssize_t
io_send (T conn, const unsigned char *buf, size_t len)
{
#if SOCKET_HAS_TLS
  if (conn->use_tls)
    {
      volatile ssize_t n = -1;
      TRY { n = SocketTLS_send (conn->socket, buf, len); }
      ELSE
      {
        errno = EPIPE;
        n = -1;
      }
      END_TRY;
      return n;
    }
#endif
  for (;;)
    {
      ssize_t n = send (Socket_fd (conn->socket), buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

/* Look at pending reply bytes without taking them: > 0 bytes, 0 end of
 * stream, -1 with errno (EAGAIN: nothing yet). Over TLS one byte is taken
 * at once (io_take() then does nothing). */
static ssize_t
io_peek (T conn, unsigned char *buf, size_t len)
{
#if SOCKET_HAS_TLS
  if (conn->use_tls)
    {
      volatile ssize_t n = -1;
      volatile int err = EIO;
      TRY
      {
        n = SocketTLS_recv (conn->socket, buf, 1);
        if (n == 0)
          n = -1, err = EAGAIN;
      }
      EXCEPT (Socket_Closed) { n = 0; }
      ELSE { n = -1; }
      END_TRY;
      if (n < 0)
        errno = err;
      return n;
    }
#endif
  for (;;)
    {
      ssize_t n = recv (Socket_fd (conn->socket), buf, len, MSG_PEEK | MSG_DONTWAIT);
      if (n >= 0)
        return n;
      if (errno != EINTR)
        return -1;
    }
}

/* Take the @p n peeked bytes the codec used. */
static void
io_take (T conn, size_t n)
{
  unsigned char sink[PROXY_PEEK_LEN];

  if (conn->use_tls || n == 0)
    return;
  while (n > 0)
    {
      ssize_t got = recv (Socket_fd (conn->socket), sink, n, MSG_DONTWAIT);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return; /* cannot happen: the bytes were just peeked */
      n -= (size_t)got;
    }
}

/* ---- phases ---- */

static void
start_handshake_phase (T conn)
{
  conn->state = PROXY_STATE_HANDSHAKE_SEND;
  conn->deadline_ms = Socket_get_monotonic_ms () + conn->handshake_timeout_ms;
}

static void
finish_from_codec (T conn)
{
  SocketProxy_Result r = SocketProxyExt_handshake_result (conn->hs);

  if (r == PROXY_OK)
    {
      conn->state = PROXY_STATE_CONNECTED;
      conn->result = PROXY_OK;
      return;
    }
  conn_fail (conn, r,
             socketproxy_handshake_build_failed (conn->hs) ? socketproxy_build_error_text (conn->type)
                                                           : "Protocol handshake failed",
             SocketProxyExt_handshake_error (conn->hs));
}

/* Run the codec until it needs the socket to become ready. */
static void
drive_codec (T conn)
{
  unsigned char buf[PROXY_PEEK_LEN];

  while (SocketProxyExt_handshake_result (conn->hs) == PROXY_IN_PROGRESS)
    {
      size_t len, used = 0;
      const unsigned char *out = SocketProxyExt_handshake_output (conn->hs, &len);
      ssize_t n;

      if (len > 0)
        {
          n = io_send (conn, out, len);
          if (n < 0)
            {
              conn_fail_errno (conn, PROXY_ERROR, "Send failed", errno);
              return;
            }
          if (n == 0)
            return;
          SocketProxyExt_handshake_sent (conn->hs, (size_t)n);
          continue;
        }
      n = io_peek (conn, buf, sizeof buf);
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return; /* nothing yet: not an error (the original failed here) */
          conn_fail_errno (conn, PROXY_ERROR, "Receive failed", errno);
          return;
        }
      SocketProxyExt_handshake_input (conn->hs, buf, (size_t)n, &used);
      io_take (conn, used);
      if (n == 0)
        {
          conn_fail (conn, PROXY_ERROR_PROTOCOL, "Connection closed by proxy",
                     SocketProxyExt_handshake_error (conn->hs));
          return;
        }
    }
  finish_from_codec (conn);
}

#if SOCKET_HAS_TLS
static void
start_tls (T conn)
{
  volatile int ok = 0;
  SocketTLSContext_T volatile ctx = NULL;
  char why[PROXY_ERROR_TEXT_LEN] = "";

  conn->state = PROXY_STATE_TLS_TO_PROXY;
  conn->tls_events = POLL_WRITE;
  TRY
  {
    if (!conn->borrowed || !SocketTLSExt_is_handshake_done (conn->socket))
      {
        ctx = SocketTLSContext_new_client (NULL); /* system trust store */
        SocketTLS_enable (conn->socket, ctx);
        SocketTLS_set_hostname (conn->socket, conn->proxy_host);
      }
    ok = 1;
  }
  ELSE
  {
    ok = 0;
    snprintf (why, sizeof why, "TLS setup for the proxy failed: %.300s", CAUGHT_REASON ());
  }
  END_TRY;
  if (ctx != NULL)
    {
      SocketTLSContext_T c = ctx;
      SocketTLSContext_free (&c); /* reference-counted: the connection keeps it */
    }
  conn->use_tls = 1;
  if (!ok)
    conn_fail (conn, PROXY_ERROR_CONNECT, "TLS to proxy failed", why);
}

static void
step_tls (T conn)
{
  volatile TLSHandshakeState st = TLS_HANDSHAKE_ERROR;
  char why[PROXY_ERROR_TEXT_LEN] = "TLS handshake with the proxy failed";

  TRY { st = SocketTLS_handshake (conn->socket); }
  ELSE
  {
    snprintf (why, sizeof why, "TLS handshake with the proxy failed: %.300s", CAUGHT_REASON ());
    st = TLS_HANDSHAKE_ERROR;
  }
  END_TRY;
  if (st == TLS_HANDSHAKE_COMPLETE)
    start_handshake_phase (conn);
  else if (st == TLS_HANDSHAKE_WANT_READ)
    conn->tls_events = POLL_READ;
  else if (st == TLS_HANDSHAKE_WANT_WRITE)
    conn->tls_events = POLL_WRITE;
  else
    conn_fail (conn, PROXY_ERROR_CONNECT, "TLS to proxy failed", why);
}
#endif

/* The TCP connection to the proxy is up: TLS first for HTTPS. */
static void
on_proxy_connected (T conn)
{
#if SOCKET_HAS_TLS
  if (conn->type == SOCKET_PROXY_HTTPS)
    {
      conn->deadline_ms = Socket_get_monotonic_ms () + conn->handshake_timeout_ms;
      start_tls (conn);
      if (conn->state == PROXY_STATE_TLS_TO_PROXY)
        step_tls (conn);
      return;
    }
#endif
  start_handshake_phase (conn);
}

/* Socket_connect() that only starts the connect: with the socket's connect
 * timeout at 0 for the call, an in-progress connect returns at once (with
 * a timeout it would wait, non-blocking socket or not). */
static void
connect_nowait (Socket_T s, const char *host, int port)
{
  SocketTimeouts_T saved, nowait;

  Socket_timeouts_get (s, &saved);
  nowait = saved;
  nowait.connect_timeout_ms = 0;
  Socket_timeouts_set (s, &nowait);
  TRY { Socket_connect (s, host, port); }
  FINALLY { Socket_timeouts_set (s, &saved); }
  END_TRY;
}

static int
addrs_left (const struct addrinfo *ai)
{
  int n = 0;

  for (; ai != NULL; ai = ai->ai_next)
    n++;
  return n;
}

static void
drop_attempt_socket (T conn)
{
  if (conn->socket != NULL && !conn->borrowed)
    Socket_free (&conn->socket);
}

/* Start a non-blocking connect to the next resolved address (an
 * immediate failure moves on to the one after): CONNECTING_PROXY with the
 * attempt's share of the time left, or FAILED when none is left. */
static void
start_next_attempt (T conn)
{
  while (conn->next_addr != NULL)
    {
      struct addrinfo *ai = conn->next_addr;
      char *addr = conn->attempt_addr;
      volatile int ok = 0;
      int64_t now, left;

      conn->next_addr = ai->ai_next;
      if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
          || getnameinfo (ai->ai_addr, ai->ai_addrlen, addr, sizeof conn->attempt_addr, NULL, 0, NI_NUMERICHOST) != 0)
        continue;
      TRY
      {
        conn->socket = Socket_new (ai->ai_family, SOCK_STREAM, 0);
        Socket_setnonblocking (conn->socket);
        connect_nowait (conn->socket, addr, conn->proxy_port);
        ok = 1;
      }
      ELSE
      {
        snprintf (conn->detail, sizeof conn->detail, "connect to proxy %.255s:%d (%.79s): %.150s", conn->proxy_host,
                  conn->proxy_port, conn->attempt_addr, CAUGHT_REASON ());
      }
      END_TRY;
      if (!ok)
        {
          drop_attempt_socket (conn);
          continue;
        }
      now = Socket_get_monotonic_ms ();
      left = conn->connect_deadline_ms - now;
      conn->deadline_ms = now + (left > 0 ? left / (addrs_left (conn->next_addr) + 1) : 0);
      conn->state = PROXY_STATE_CONNECTING_PROXY;
      return;
    }
  if (conn->detail[0] == '\0')
    snprintf (conn->detail, sizeof conn->detail, "connect to proxy %.255s:%d: no usable address", conn->proxy_host,
              conn->proxy_port);
  conn_fail (conn, PROXY_ERROR_CONNECT, "HappyEyeballs connection failed", conn->detail);
}

static void
step_connecting (T conn)
{
  int fd = Socket_fd (conn->socket), err;

  if (!fd_ready (fd, POLLOUT))
    return;
  err = connect_error (fd);
  if (err == 0)
    {
      on_proxy_connected (conn);
      return;
    }
  snprintf (conn->detail, sizeof conn->detail, "connect to proxy %.255s:%d (%.79s): %.150s", conn->proxy_host,
            conn->proxy_port, conn->borrowed ? "caller's socket" : conn->attempt_addr, strerror (err));
  if (conn->borrowed)
    {
      conn_fail (conn, PROXY_ERROR_CONNECT, "HappyEyeballs connection failed", conn->detail);
      close_socket (conn);
      return;
    }
  drop_attempt_socket (conn);
  start_next_attempt (conn);
}

/* A connect attempt ran out of its share of time: next address, if any. */
static int
attempt_timed_out (T conn)
{
  char text[PROXY_ERROR_TEXT_LEN];

  if (conn->borrowed || conn->next_addr == NULL || Socket_get_monotonic_ms () >= conn->connect_deadline_ms)
    return 0;
  snprintf (text, sizeof text, "connect to proxy %.255s:%d (%.79s): attempt timed out", conn->proxy_host,
            conn->proxy_port, conn->attempt_addr);
  snprintf (conn->detail, sizeof conn->detail, "%s", text);
  drop_attempt_socket (conn);
  start_next_attempt (conn);
  return 1;
}

/* Resolve the proxy (synchronously, as the rest of the library) and start
 * the first connect attempt. */
static void
connect_proxy (T conn)
{
  struct addrinfo hints;
  volatile int rc = -1;

  conn->connect_deadline_ms = Socket_get_monotonic_ms () + conn->connect_timeout_ms;
  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  TRY
  {
    rc = SocketCommon_resolve_address (conn->proxy_host, conn->proxy_port, &hints, &conn->addrs,
                                       SocketProxy_Failed, AF_UNSPEC, 0);
  }
  ELSE { rc = -1; }
  END_TRY;
  if (rc != 0 || conn->addrs == NULL)
    {
      char why[PROXY_ERROR_TEXT_LEN];
      snprintf (why, sizeof why, "cannot resolve proxy host %.255s", conn->proxy_host);
      conn_fail (conn, PROXY_ERROR_CONNECT, "HappyEyeballs connection failed", why);
      return;
    }
  conn->next_addr = conn->addrs;
  start_next_attempt (conn);
  if (conn->state == PROXY_STATE_CONNECTING_PROXY)
    step_connecting (conn);
}

static void
validate_config (const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  if (proxy == NULL || proxy->type == SOCKET_PROXY_NONE || (unsigned)proxy->type > SOCKET_PROXY_SOCKS5H
      || proxy->host == NULL || proxy->host[0] == '\0' || strlen (proxy->host) > SOCKET_PROXY_MAX_HOSTNAME_LEN
      || proxy->port < 0 || proxy->port > 65535)
    RAISE_PROXY ("Invalid proxy configuration");
  if (target_host == NULL || target_host[0] == '\0')
    RAISE_PROXY ("Invalid target host: NULL or empty");
  if (strlen (target_host) > SOCKET_PROXY_MAX_HOSTNAME_LEN)
    RAISE_PROXY ("Target hostname too long (max %d)", SOCKET_PROXY_MAX_HOSTNAME_LEN);
  if (target_port < 1 || target_port > 65535)
    RAISE_PROXY ("Invalid target port %d (must be 1..65535)", target_port);
}

/* Context with the handshake ready, before any connection. */
static T
conn_alloc (const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  T conn;
  SocketProxyExt_Handshake_T hs;

  validate_config (proxy, target_host, target_port);
  hs = SocketProxyExt_handshake_new (proxy, target_host, target_port); /* raises */
  conn = calloc (1, sizeof *conn);
  if (conn == NULL)
    {
      SocketProxyExt_handshake_free (&hs);
      RAISE_PROXY ("Out of memory for the proxy connection");
    }
  conn->hs = hs;
  conn->type = proxy->type;
  snprintf (conn->proxy_host, sizeof conn->proxy_host, "%s", proxy->host);
  conn->proxy_port = proxy->port != 0 ? proxy->port : default_port (proxy->type);
  conn->connect_timeout_ms = effective_timeout (proxy->connect_timeout_ms, SOCKET_PROXY_DEFAULT_CONNECT_TIMEOUT_MS);
  conn->handshake_timeout_ms
      = effective_timeout (proxy->handshake_timeout_ms, SOCKET_PROXY_DEFAULT_HANDSHAKE_TIMEOUT_MS);
  conn->result = PROXY_IN_PROGRESS;
  conn->state = PROXY_STATE_IDLE;
  conn->saved_flags = -1;
  if (SocketProxyExt_handshake_result (hs) != PROXY_IN_PROGRESS)
    finish_from_codec (conn); /* the request could not be built */
  return conn;
}

T (SocketProxy_Conn_new) (const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  T conn = conn_alloc (proxy, target_host, target_port);

  if (!conn_complete (conn))
    connect_proxy (conn);
  if (conn->state == PROXY_STATE_HANDSHAKE_SEND)
    drive_codec (conn);
  return conn;
}

T
SocketProxy_Conn_new_socket (Socket_T socket, const SocketProxy_Config *proxy, const char *target_host,
                             int target_port)
{
  T conn;
  int fd;

  if (socket == NULL || Socket_fd (socket) < 0)
    RAISE_PROXY ("Invalid socket");
  conn = conn_alloc (proxy, target_host, target_port);
  conn->socket = socket;
  conn->borrowed = 1;
  fd = Socket_fd (socket);
  conn->saved_flags = fcntl (fd, F_GETFL);
  if (conn->saved_flags >= 0)
    fcntl (fd, F_SETFL, conn->saved_flags | O_NONBLOCK);
  if (conn_complete (conn))
    {
      close_socket (conn);
      return conn;
    }
  conn->deadline_ms = conn->connect_deadline_ms = Socket_get_monotonic_ms () + conn->connect_timeout_ms;
  if (Socket_isconnected (socket))
    on_proxy_connected (conn);
  else
    {
      volatile int ok = 0;
      char why[PROXY_ERROR_TEXT_LEN] = "";
      TRY
      {
        connect_nowait (socket, conn->proxy_host, conn->proxy_port);
        ok = 1;
      }
      ELSE
      {
        ok = 0;
        snprintf (why, sizeof why, "connect to proxy: %.300s", CAUGHT_REASON ());
      }
      END_TRY;
      if (!ok)
        {
          conn_fail (conn, PROXY_ERROR_CONNECT, "HappyEyeballs connection failed", why);
          close_socket (conn);
          return conn;
        }
      conn->state = PROXY_STATE_CONNECTING_PROXY;
      step_connecting (conn);
    }
  if (conn->state == PROXY_STATE_HANDSHAKE_SEND)
    drive_codec (conn);
  return conn;
}

void
SocketProxy_Conn_process (T conn)
{
  if (conn == NULL || conn_complete (conn))
    return;
  if (Socket_get_monotonic_ms () >= conn->deadline_ms)
    {
      char text[PROXY_ERROR_TEXT_LEN];

      if (conn->state == PROXY_STATE_CONNECTING_PROXY && attempt_timed_out (conn))
        {
          if (conn->state == PROXY_STATE_CONNECTING_PROXY)
            step_connecting (conn);
          return;
        }
      if (conn->state == PROXY_STATE_CONNECTING_PROXY)
        {
          snprintf (text, sizeof text, "connect to proxy %s:%d: timed out after %d ms", conn->proxy_host,
                    conn->proxy_port, conn->connect_timeout_ms);
          conn_fail (conn, PROXY_ERROR_CONNECT, "HappyEyeballs connection failed", text);
          close_socket (conn); /* no proxy connection: Conn_fd -1, as a failed connect */
        }
      else
        {
          snprintf (text, sizeof text, "Proxy handshake timeout (%d ms)", conn->handshake_timeout_ms);
          conn_fail (conn, PROXY_ERROR_TIMEOUT, text, text);
        }
      return;
    }
  if (conn->state == PROXY_STATE_CONNECTING_PROXY)
    step_connecting (conn);
#if SOCKET_HAS_TLS
  else if (conn->state == PROXY_STATE_TLS_TO_PROXY)
    step_tls (conn);
#endif
  if (conn->state == PROXY_STATE_HANDSHAKE_SEND)
    drive_codec (conn);
}

int
SocketProxy_Conn_poll (T conn)
{
  return conn != NULL && conn_complete (conn);
}

Socket_T
SocketProxy_Conn_socket (T conn)
{
  Socket_T s;

  if (conn == NULL || conn->state != PROXY_STATE_CONNECTED || conn->handed_out || conn->socket == NULL)
    return NULL;
  s = conn->socket;
  if (conn->borrowed && conn->saved_flags >= 0)
    fcntl (Socket_fd (s), F_SETFL, conn->saved_flags);
  else
    fcntl (Socket_fd (s), F_SETFL, fcntl (Socket_fd (s), F_GETFL) & ~O_NONBLOCK);
  conn->handed_out = 1;
  return s;
}

void
SocketProxy_Conn_cancel (T conn)
{
  if (conn == NULL || conn_complete (conn))
    return;
  conn->state = PROXY_STATE_CANCELLED;
  conn->result = PROXY_ERROR_CANCELLED;
  close_socket (conn);
}

void
SocketProxy_Conn_free (T *connp)
{
  T conn;

  if (connp == NULL || *connp == NULL)
    return;
  conn = *connp;
  close_socket (conn);
  SocketProxyExt_handshake_free (&conn->hs);
  SocketCommon_free_addrinfo (conn->addrs);
  SocketCrypto_secure_clear (conn, sizeof *conn);
  free (conn);
  *connp = NULL;
}

SocketProxy_State
SocketProxy_Conn_state (T conn)
{
  if (conn == NULL)
    return PROXY_STATE_FAILED;
  if (conn->state == PROXY_STATE_HANDSHAKE_SEND)
    return SocketProxyExt_handshake_state (conn->hs);
  return conn->state;
}

SocketProxy_Result
SocketProxy_Conn_result (T conn)
{
  if (conn == NULL)
    return PROXY_ERROR;
  return conn_complete (conn) ? conn->result : PROXY_IN_PROGRESS;
}

const char *
SocketProxy_Conn_error (T conn)
{
  if (conn == NULL || conn->state != PROXY_STATE_FAILED)
    return NULL;
  return conn->error[0] != '\0' ? conn->error : "Unknown error";
}

const char *
SocketProxyExt_conn_detail (T conn)
{
  if (conn == NULL || conn->state != PROXY_STATE_FAILED)
    return NULL;
  return conn->detail[0] != '\0' ? conn->detail : SocketProxy_Conn_error (conn);
}

int
SocketProxy_Conn_fd (T conn)
{
  if (conn == NULL || conn->socket == NULL || conn->handed_out || conn->state == PROXY_STATE_CANCELLED)
    return -1;
  return Socket_fd (conn->socket);
}

unsigned
SocketProxy_Conn_events (T conn)
{
  if (conn == NULL)
    return 0;
  switch (SocketProxy_Conn_state (conn))
    {
    case PROXY_STATE_CONNECTING_PROXY:
    case PROXY_STATE_HANDSHAKE_SEND:
    case PROXY_STATE_AUTH_SEND: return POLL_WRITE;
    case PROXY_STATE_TLS_TO_PROXY: return conn->tls_events;
    case PROXY_STATE_HANDSHAKE_RECV:
    case PROXY_STATE_AUTH_RECV: return POLL_READ;
    default: return 0;
    }
}

int
SocketProxy_Conn_next_timeout_ms (T conn)
{
  int64_t left;

  if (conn == NULL || conn_complete (conn))
    return -1;
  left = conn->deadline_ms - Socket_get_monotonic_ms ();
  if (left <= 0)
    return 0;
  return left > INT_MAX ? INT_MAX : (int)left;
}

/* ------------------------------------------------------------------ */
/* Blocking paths                                                     */
/* ------------------------------------------------------------------ */

/* Step @p conn with poll(2) until it completes (its deadlines bound it). */
static void
run_to_completion (T conn)
{
  while (!conn_complete (conn))
    {
      struct pollfd p = { .fd = SocketProxy_Conn_fd (conn), .events = 0 };
      unsigned ev = SocketProxy_Conn_events (conn);
      int timeout = SocketProxy_Conn_next_timeout_ms (conn);

      if (ev & POLL_READ)
        p.events |= POLLIN;
      if (ev & POLL_WRITE)
        p.events |= POLLOUT;
      if (p.fd >= 0 && timeout != 0 && poll (&p, 1, timeout) < 0 && errno != EINTR)
        {
          conn_fail_errno (conn, PROXY_ERROR, "poll failed", errno);
          close_socket (conn);
          return;
        }
      SocketProxy_Conn_process (conn);
    }
}

Socket_T (SocketProxy_connect) (const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  T conn = (SocketProxy_Conn_new) (proxy, target_host, target_port);
  Socket_T s;
  char why[2 * PROXY_ERROR_TEXT_LEN + 64];

  run_to_completion (conn);
  s = SocketProxy_Conn_socket (conn);
  if (s != NULL)
    {
      SocketProxy_Conn_free (&conn);
      return s;
    }
  snprintf (why, sizeof why, "%s: %s", SocketProxy_result_string (conn->result), SocketProxyExt_conn_detail (conn));
  SocketProxy_Conn_free (&conn);
  RAISE_PROXY ("Proxy connection failed: %s", why);
  return NULL;
}

SocketProxy_Result
SocketProxy_tunnel (Socket_T socket, const SocketProxy_Config *proxy, const char *target_host, int target_port)
{
  T conn;
  SocketProxy_Result r;

  if (socket == NULL || !Socket_isconnected (socket))
    return PROXY_ERROR_CONNECT;
  conn = SocketProxy_Conn_new_socket (socket, proxy, target_host, target_port);
  run_to_completion (conn);
  r = conn->result;
  SocketProxy_Conn_free (&conn); /* restores the socket's flags */
  return r;
}

SocketProxy_Result
SocketProxy_connect_socket (Socket_T socket, const SocketProxy_Config *proxy, const char *target_host,
                            int target_port)
{
  T conn;
  SocketProxy_Result r;

  if (socket == NULL)
    RAISE_PROXY ("Invalid socket");
  conn = SocketProxy_Conn_new_socket (socket, proxy, target_host, target_port);
  run_to_completion (conn);
  r = conn->result;
  SocketProxy_Conn_free (&conn);
  return r;
}

#if SOCKET_HAS_TLS
Socket_T
SocketProxy_connect_tls (const SocketProxy_Config *proxy, const char *target_host, int target_port,
                         SocketTLSContext_T tls_ctx)
{
  Socket_T volatile s = NULL;
  SocketTLSContext_T volatile own = NULL;
  int timeout;

  if (proxy != NULL && proxy->type == SOCKET_PROXY_HTTPS)
    RAISE_PROXY ("TLS to the target through an HTTPS proxy (TLS inside TLS) is not supported");
  s = (SocketProxy_connect) (proxy, target_host, target_port);
  timeout = effective_timeout (proxy->handshake_timeout_ms, SOCKET_PROXY_DEFAULT_HANDSHAKE_TIMEOUT_MS);
  TRY
  {
    if (tls_ctx == NULL)
      own = SocketTLSContext_new_client (NULL);
    SocketTLS_enable (s, tls_ctx != NULL ? tls_ctx : own);
    SocketTLS_set_hostname (s, target_host);
    if (SocketTLS_handshake_loop (s, timeout) != TLS_HANDSHAKE_COMPLETE)
      {
        errno = ETIMEDOUT;
        RAISE_PROXY ("TLS handshake with %s through the proxy timed out (%d ms)", target_host, timeout);
      }
  }
  ELSE
  {
    SocketTLSContext_T c = own;
    Socket_T f = s;
    if (c != NULL)
      SocketTLSContext_free (&c);
    Socket_free (&f);
    RERAISE;
  }
  END_TRY;
  if (own != NULL)
    {
      SocketTLSContext_T c = own;
      SocketTLSContext_free (&c);
    }
  return s;
}
#endif

/* ------------------------------------------------------------------ */
/* URL parsing                                                        */
/* ------------------------------------------------------------------ */

static const struct
{
  const char *scheme;
  SocketProxyType type;
} url_schemes[] = {
  { "http", SOCKET_PROXY_HTTP },     { "https", SOCKET_PROXY_HTTPS },   { "socks4", SOCKET_PROXY_SOCKS4 },
  { "socks4a", SOCKET_PROXY_SOCKS4A }, { "socks5", SOCKET_PROXY_SOCKS5 }, { "socks5h", SOCKET_PROXY_SOCKS5H },
  { "socks", SOCKET_PROXY_SOCKS5 },
};

typedef struct
{
  Arena_T arena;
  char *buf; /* per-thread buffer when no arena */
  size_t used;
} UrlStore;

static const char *
url_store (UrlStore *st, const char *s, size_t len)
{
  char *p;

  if (st->arena != NULL)
    p = Arena_alloc (st->arena, len + 1, __FILE__, __LINE__);
  else
    {
      if (st->used + len + 1 > PROXY_URL_BUF_LEN)
        return NULL;
      p = st->buf + st->used;
      st->used += len + 1;
    }
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static int
parse_port (const char *s, size_t len)
{
  int port = 0;

  if (len == 0 || len > 5)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      port = port * 10 + (s[i] - '0');
    }
  return port >= 1 && port <= 65535 ? port : -1;
}

static int
host_chars_ok (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)s[i];
      if (c <= 0x20 || c == 0x7F || c == '@' || c == '[' || c == ']' || c == '\\')
        return 0;
    }
  return 1;
}

static int
parse_userinfo (const char *s, size_t len, SocketProxy_Config *config, UrlStore *st)
{
  const char *colon = memchr (s, ':', len);
  size_t ulen = colon != NULL ? (size_t)(colon - s) : len;

  if (ulen == 0 || ulen > SOCKET_PROXY_MAX_USERNAME_LEN)
    return -1;
  config->username = url_store (st, s, ulen);
  if (config->username == NULL)
    return -1;
  if (colon != NULL)
    {
      size_t plen = len - ulen - 1;
      if (plen > SOCKET_PROXY_MAX_PASSWORD_LEN)
        return -1;
      config->password = url_store (st, colon + 1, plen);
      if (config->password == NULL)
        return -1;
    }
  return 0;
}

static int
parse_hostport (const char *s, size_t len, SocketProxy_Config *config, UrlStore *st)
{
  const char *host = s, *port = NULL;
  size_t hlen = len, plen = 0;

  if (len > 0 && s[0] == '[')
    {
      const char *close = memchr (s, ']', len);
      char v6[64];
      unsigned char tmp[16];

      if (close == NULL)
        return -1;
      host = s + 1;
      hlen = (size_t)(close - host);
      if (hlen == 0 || hlen >= sizeof v6)
        return -1;
      memcpy (v6, host, hlen);
      v6[hlen] = '\0';
      if (inet_pton (AF_INET6, v6, tmp) != 1)
        return -1;
      if (close + 1 < s + len)
        {
          if (close[1] != ':')
            return -1;
          port = close + 2;
          plen = (size_t)(s + len - port);
        }
    }
  else
    {
      const char *colon = NULL;
      for (size_t i = 0; i < len; i++)
        if (s[i] == ':')
          colon = s + i;
      if (colon != NULL)
        {
          hlen = (size_t)(colon - s);
          port = colon + 1;
          plen = len - hlen - 1;
        }
      if (!host_chars_ok (host, hlen) || memchr (host, ':', hlen) != NULL)
        return -1;
    }
  if (hlen == 0 || hlen > SOCKET_PROXY_MAX_HOSTNAME_LEN)
    return -1;
  if (port != NULL && (config->port = parse_port (port, plen)) < 0)
    return -1;
  config->host = url_store (st, host, hlen);
  return config->host != NULL ? 0 : -1;
}

int
SocketProxy_parse_url (const char *url, SocketProxy_Config *config, Arena_T arena)
{
  static __thread char thread_buf[PROXY_URL_BUF_LEN];
  UrlStore st = { arena, thread_buf, 0 };
  const char *sep, *auth, *end, *at;
  size_t slen;
  volatile int rc = -1;

  if (config == NULL)
    RAISE_PROXY ("SocketProxy_parse_url: NULL config");
  if (url == NULL || url[0] == '\0')
    return -1;
  SocketProxy_config_defaults (config);
  sep = strstr (url, "://");
  if (sep == NULL)
    return -1;
  slen = (size_t)(sep - url);
  for (size_t i = 0; i < sizeof url_schemes / sizeof url_schemes[0]; i++)
    if (strlen (url_schemes[i].scheme) == slen && strncasecmp (url, url_schemes[i].scheme, slen) == 0)
      config->type = url_schemes[i].type;
  if (config->type == SOCKET_PROXY_NONE)
    return -1;
  config->port = config->type == SOCKET_PROXY_HTTP    ? SOCKET_PROXY_DEFAULT_HTTP_PORT
                 : config->type == SOCKET_PROXY_HTTPS ? SOCKET_PROXY_DEFAULT_HTTPS_PORT
                                                      : SOCKET_PROXY_DEFAULT_SOCKS_PORT;
  auth = sep + 3;
  end = auth + strcspn (auth, "/?#");
  at = NULL;
  for (const char *p = auth; p < end; p++)
    if (*p == '@')
      at = p;
  TRY
  {
    if (at == NULL || parse_userinfo (auth, (size_t)(at - auth), config, &st) == 0)
      rc = parse_hostport (at != NULL ? at + 1 : auth, (size_t)(end - (at != NULL ? at + 1 : auth)), config, &st);
  }
  EXCEPT (Arena_Failed) { rc = -1; }
  END_TRY;
  return rc;
}
