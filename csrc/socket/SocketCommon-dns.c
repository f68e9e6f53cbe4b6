/*
 * SocketCommon-dns.c - the process-wide resolver used for host names, and
 * the asynchronous bind/connect helpers of Socket.h built on SocketDNS.
 *
 * The shared resolver is created on first use and lives until the process
 * exits (its worker threads and pipe are never torn down), so blocking
 * name lookups in Socket_connect get SocketDNS's timeout handling.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "dns/SocketDNS.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"
#include "socket/SocketCommon.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketCommonDNS);

#define RAISE_MSG(exc, fmt, ...)                                              \
  SOCKET_RAISE_MSG (SocketCommonDNS, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)

static pthread_once_t resolver_once = PTHREAD_ONCE_INIT;
static SocketDNS_T shared_resolver;

/* The global DNS timeout: its own value, not socket_default_timeouts. */
static pthread_mutex_t dns_timeout_mutex = PTHREAD_MUTEX_INITIALIZER;
static int dns_timeout_ms = SOCKET_DEFAULT_DNS_TIMEOUT_MS;
static int resolver_created; /* guarded by dns_timeout_mutex */

void
SocketCommon_set_dns_timeout (int timeout_ms)
{
  SocketDNS_T dns = NULL;

  if (timeout_ms == -1)
    timeout_ms = SOCKET_DEFAULT_DNS_TIMEOUT_MS;
  else if (timeout_ms < 0)
    timeout_ms = 0;
  pthread_mutex_lock (&dns_timeout_mutex);
  dns_timeout_ms = timeout_ms;
  if (resolver_created)
    dns = shared_resolver;
  pthread_mutex_unlock (&dns_timeout_mutex);
  SocketDNS_settimeout (dns, timeout_ms); /* NULL: no-op */
}

int
SocketCommon_get_dns_timeout (void)
{
  int ms;

  pthread_mutex_lock (&dns_timeout_mutex);
  ms = dns_timeout_ms;
  pthread_mutex_unlock (&dns_timeout_mutex);
  return ms;
}

static void
create_resolver (void)
{
  /* Nothing may longjmp out of a pthread_once routine. */
  SocketDNS_T volatile dns = NULL;

  TRY dns = SocketDNS_new ();
  EXCEPT (SocketDNS_Failed) dns = NULL;
  END_TRY;
  pthread_mutex_lock (&dns_timeout_mutex);
  shared_resolver = dns;
  resolver_created = dns != NULL;
  SocketDNS_settimeout (shared_resolver, dns_timeout_ms);
  pthread_mutex_unlock (&dns_timeout_mutex);
}

/* The shared resolver, or NULL if it could not be created. */
static SocketDNS_T
resolver_or_null (void)
{
  pthread_once (&resolver_once, create_resolver);
  return shared_resolver;
}

SocketDNS_T
SocketCommon_get_dns_resolver (void)
{
  SocketDNS_T dns = resolver_or_null ();

  if (dns == NULL)
    RAISE_MSG (SocketCommon_Failed,
               "the shared DNS resolver could not be created");
  return dns;
}

/*
 * Look up a host name through the shared resolver, bounded by
 * @p timeout_ms (0 = the resolver's default). Falls back to a direct
 * getaddrinfo() if no resolver could be created.
 * @return 0, or -1 when failing without exceptions.
 */
/* No shared resolver (thread creation failed): a plain blocking lookup,
 * the result turned into a library list. */
static struct addrinfo *
resolve_without_resolver (const char *host, int port,
                          const struct addrinfo *hints)
{
  struct addrinfo *gai_res = NULL, *own;
  char portstr[SOCKET_PORT_STR_BUFSIZE];
  int err;

  snprintf (portstr, sizeof portstr, "%d", port);
  err = getaddrinfo (host, portstr, hints, &gai_res);
  if (err != 0)
    SOCKET_RAISE_MSG (SocketCommonDNS, SocketDNS_Failed, "%s",
                      gai_strerror (err));
  own = SocketCommon_copy_addrinfo (gai_res);
  freeaddrinfo (gai_res);
  if (own == NULL)
    SOCKET_RAISE_MSG (SocketCommonDNS, SocketDNS_Failed, "%s", SOCKET_ENOMEM);
  return own;
}

int
SocketCommon__resolve_name (const char *host, int port,
                            const struct addrinfo *hints,
                            struct addrinfo **res, int timeout_ms,
                            Except_T exc, int use_exceptions)
{
  struct addrinfo *volatile out = NULL;
  volatile int failed = 0;
  char msg[SOCKET_ERROR_BUFSIZE];

  TRY
  {
    SocketDNS_T dns = resolver_or_null ();
    out = dns != NULL ? SocketDNS_resolve_sync (dns, host, port, hints,
                                                timeout_ms > 0 ? timeout_ms
                                                               : 0)
                      : resolve_without_resolver (host, port, hints);
  }
  EXCEPT (SocketDNS_Failed) failed = 1;
  END_TRY;
  if (!failed)
    {
      *res = out;
      return 0;
    }
  if (!use_exceptions)
    return -1;
  /* Re-raise as the caller's exception, keeping the resolver's detail
   * (and errno, e.g. ETIMEDOUT). */
  snprintf (msg, sizeof msg, "%s", socket_error_buf);
  {
    int saved = socket_last_errno;
    SOCKET_ERROR_MSG ("resolve %.*s:%d failed (%s)", SOCKET_ERROR_MAX_HOSTNAME,
                      host, port, msg);
    socket_last_errno = saved;
  }
  SOCKET_RAISE_MODULE_ERROR (SocketCommonDNS, SOCKET__EXC (exc));
}

/* ------------------------------------------------------------------ */
/* Asynchronous bind/connect                                          */
/* ------------------------------------------------------------------ */

static void
check_async (SocketDNS_T dns, Socket_T socket, int port, const char *op)
{
  if (dns == NULL)
    RAISE_MSG (Socket_Failed, "%s: NULL resolver", op);
  if (socket == NULL || socket->base == NULL || socket->base->fd < 0)
    RAISE_MSG (Socket_Failed, "%s: NULL or closed socket", op);
  SocketCommon_validate_port (port, Socket_Failed);
}

/* Queue a poll-mode lookup with the socket's DNS timeout (when > 0);
 * SocketDNS_Failed (bad name, queue full) propagates unchanged. */
static SocketDNS_Request_T
queue_lookup (SocketDNS_T dns, Socket_T socket, const char *host, int port)
{
  SocketDNS_Request_T req = SocketDNS_resolve (dns, host, port, NULL, NULL);

  if (socket->base->timeouts.dns_timeout_ms > 0)
    SocketDNS_request_settimeout (dns, req,
                                  socket->base->timeouts.dns_timeout_ms);
  return req;
}

SocketDNS_Request_T
Socket_bind_async (SocketDNS_T dns, Socket_T socket, const char *host,
                   int port)
{
  SocketDNS_Request_T volatile req = NULL;

  check_async (dns, socket, port, "Socket_bind_async");
  host = SocketCommon_normalize_wildcard_host (host);
  if (host == NULL)
    {
      /* The wildcard needs no lookup: resolved here (AF_UNSPEC,
       * SOCK_STREAM, AI_PASSIVE) and handed over completed. */
      struct addrinfo hints, *res = NULL;
      SocketCommon_setup_hints (&hints, SOCK_STREAM, AI_PASSIVE);
      SocketCommon_resolve_address (NULL, port, &hints, &res, Socket_Failed,
                                    AF_UNSPEC, 1);
      TRY req = SocketDNS_create_completed_request (dns, res, port);
      EXCEPT (SocketDNS_Failed)
      {
        SocketCommon_free_addrinfo (res);
        SOCKET_RAISE_MODULE_ERROR (SocketCommonDNS, Socket_Failed);
      }
      END_TRY;
      return req;
    }
  return queue_lookup (dns, socket, host, port);
}

void
Socket_bind_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  if (dns == NULL || req == NULL)
    return;
  SocketDNS_cancel (dns, req);
}

SocketDNS_Request_T
Socket_connect_async (SocketDNS_T dns, Socket_T socket, const char *host,
                      int port)
{
  check_async (dns, socket, port, "Socket_connect_async");
  if (host == NULL)
    RAISE_MSG (Socket_Failed, "Socket_connect_async: NULL host");
  return queue_lookup (dns, socket, host, port);
}

void
Socket_connect_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  if (dns == NULL || req == NULL)
    return;
  SocketDNS_cancel (dns, req);
}
