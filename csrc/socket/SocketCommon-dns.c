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

static void
create_resolver (void)
{
  /* Nothing may longjmp out of a pthread_once routine. */
  TRY shared_resolver = SocketDNS_new ();
  EXCEPT (SocketDNS_Failed) shared_resolver = NULL;
  END_TRY;
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
int
SocketCommon__resolve_name (const char *host, int port,
                            const struct addrinfo *hints,
                            struct addrinfo **res, int timeout_ms,
                            Except_T exc, int use_exceptions)
{
  struct addrinfo *volatile out = NULL;
  volatile int failed = 0;
  char msg[SOCKET_ERROR_BUFSIZE];

  TRY out = SocketDNS_resolve_sync (resolver_or_null (), host, port, hints,
                                    timeout_ms > 0 ? timeout_ms : 0);
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
  if (socket->base->domain != AF_INET && socket->base->domain != AF_INET6)
    RAISE_MSG (Socket_Failed, "%s: not an IP socket", op);
  SocketCommon_validate_port (port, Socket_Failed);
}

/* Run a SocketDNS call, turning its failure into Socket_Failed. */
#define AS_SOCKET_FAILURE(stmt)                                               \
  do                                                                          \
    {                                                                         \
      volatile int dns_failed_ = 0;                                           \
      TRY stmt;                                                               \
      EXCEPT (SocketDNS_Failed) dns_failed_ = 1;                              \
      END_TRY;                                                                \
      if (dns_failed_)                                                        \
        SOCKET_RAISE_MODULE_ERROR (SocketCommonDNS, Socket_Failed);           \
    }                                                                         \
  while (0)

SocketDNS_Request_T
Socket_bind_async (SocketDNS_T dns, Socket_T socket, const char *host,
                   int port)
{
  SocketDNS_Request_T volatile req = NULL;

  check_async (dns, socket, port, "Socket_bind_async");
  host = SocketCommon_normalize_wildcard_host (host);
  if (host == NULL)
    {
      /* The wildcard needs no lookup, but must match the socket's family
       * ("::" is the dual-stack address); hand it over completed. */
      struct addrinfo *res = SocketCommon__resolve (
          NULL, port, socket->base->domain, SOCK_STREAM, 1, 0, Socket_Failed);
      TRY req = SocketDNS_create_completed_request (dns, res, port);
      EXCEPT (SocketDNS_Failed)
      {
        freeaddrinfo (res);
        SOCKET_RAISE_MODULE_ERROR (SocketCommonDNS, Socket_Failed);
      }
      END_TRY;
      return req;
    }
  AS_SOCKET_FAILURE (req = SocketDNS_resolve (dns, host, port, NULL, NULL));
  return req;
}

void
Socket_bind_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  if (dns == NULL || req == NULL)
    return;
  AS_SOCKET_FAILURE (SocketDNS_cancel (dns, req));
}

SocketDNS_Request_T
Socket_connect_async (SocketDNS_T dns, Socket_T socket, const char *host,
                      int port)
{
  SocketDNS_Request_T volatile req = NULL;

  check_async (dns, socket, port, "Socket_connect_async");
  if (host == NULL || host[0] == '\0' || port == 0)
    RAISE_MSG (Socket_Failed, "Socket_connect_async: need a host and a port");
  AS_SOCKET_FAILURE (req = SocketDNS_resolve (dns, host, port, NULL, NULL));
  return req;
}

void
Socket_connect_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  if (dns == NULL || req == NULL)
    return;
  AS_SOCKET_FAILURE (SocketDNS_cancel (dns, req));
}
