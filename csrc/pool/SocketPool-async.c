/*
 * SocketPool-async.c - outgoing connections: prepare_connection (poll
 * mode), connect_async (callback on a DNS worker) and the per-connection
 * SocketReconnect contexts.
 *
 * connect_async lists each operation in pool->pending before resolving,
 * holding the pool lock across SocketDNS_resolve so that the worker's
 * callback (which takes the lock first) cannot run before the request
 * handle is recorded. The callback unlinks its record, then connects and
 * adds without the lock. SocketPool_free sets `closing`, cancels what is
 * still listed, joins the workers (SocketDNS_free) and frees the sockets
 * of the operations that never ran: their callbacks are never called.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "pool/SocketPool-private.h"
#include "socket/SocketCommon.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketPool);

static void
check_port (int port, int min, const char *op)
{
  if (port < min || port > 65535)
    {
      errno = EINVAL;
      POOL_RAISE ("%s: port %d out of range %d..65535", op, port, min);
    }
}

/* IPv4, non-blocking, SO_REUSEADDR, library default timeouts. */
static Socket_T
new_client_socket (void)
{
  Socket_T volatile s = Socket_new (AF_INET, SOCK_STREAM, 0);

  TRY
  {
    Socket_setnonblocking (s);
    Socket_setreuseaddr (s);
  }
  ELSE
  {
    Socket_T dead = s;
    Socket_free (&dead);
    RERAISE;
  }
  END_TRY;
  return s;
}

int
SocketPool_prepare_connection (SocketPool_T pool, SocketDNS_T dns,
                               const char *host, int port,
                               Socket_T *out_socket,
                               SocketDNS_Request_T *out_req)
{
  Socket_T volatile s;
  SocketDNS_Request_T volatile req = NULL;

  SocketPool__check (pool, "SocketPool_prepare_connection");
  if (dns == NULL || host == NULL || out_socket == NULL || out_req == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_prepare_connection: NULL argument");
    }
  check_port (port, 0, "SocketPool_prepare_connection");
  *out_socket = NULL;
  *out_req = NULL;
  s = new_client_socket ();
  TRY req = Socket_connect_async (dns, s, host, port);
  ELSE req = NULL;
  END_TRY;
  if (req == NULL)
    {
      Socket_T dead = s;
      Socket_free (&dead); /* the caller never saw it */
      return -1;
    }
  *out_socket = s;
  *out_req = req;
  return 0;
}

/* ------------------------------------------------------------------ */
/* connect_async                                                      */
/* ------------------------------------------------------------------ */

/* Locked: take @p op out of the pending list. @return 1 if it was there. */
static int
unlink_pending (SocketPool_T pool, struct SocketPool_AsyncConnect *op)
{
  struct SocketPool_AsyncConnect **pp = &pool->pending;

  while (*pp != NULL && *pp != op)
    pp = &(*pp)->next;
  if (*pp == NULL)
    return 0;
  *pp = op->next;
  pool->npending--;
  return 1;
}

/* Connect @p s to the first address of @p res that answers.
 * @return 0 or an errno value (ECONNREFUSED when none is known). */
static int
connect_resolved (Socket_T s, struct addrinfo *res)
{
  volatile int err = 0;

  TRY Socket_connect_with_addrinfo (s, res);
  EXCEPT (Socket_Failed)
  {
    err = Socket_geterrno ();
    if (err == 0)
      err = ECONNREFUSED;
  }
  END_TRY;
  return err;
}

/* SocketPool_add without raising. @return the connection or NULL. */
static Connection_T
add_quietly (SocketPool_T pool, Socket_T s)
{
  Connection_T volatile conn = NULL;

  TRY conn = SocketPool_add (pool, s);
  ELSE conn = NULL;
  END_TRY;
  return conn;
}

/* Runs on a DNS worker thread. */
static void
async_resolved (SocketDNS_Request_T req, struct addrinfo *result, int error,
                void *data)
{
  struct SocketPool_AsyncConnect *op = data;
  SocketPool_T pool = op->pool;
  Connection_T conn = NULL;
  Socket_T s = op->socket;
  int err;
  int mine;

  (void)req;
  SocketPool__lock (pool);
  mine = !pool->closing && unlink_pending (pool, op);
  SocketPool__unlock (pool);
  if (!mine)
    {
      /* SocketPool_free reclaims the socket and the record. */
      if (result != NULL)
        SocketCommon_free_addrinfo (result);
      return;
    }
  if (result == NULL)
    err = error != 0 ? error : EAI_FAIL;
  else
    {
      err = connect_resolved (s, result);
      SocketCommon_free_addrinfo (result);
    }
  if (err == 0)
    {
      conn = add_quietly (pool, s);
      if (conn == NULL)
        err = ENOSPC; /* full, draining or stopped */
    }
  if (err != 0)
    Socket_free (&s);
  if (op->callback != NULL)
    op->callback (err == 0 ? conn : NULL, err, op->data);
  free (op);
}

SocketDNS_Request_T
SocketPool_connect_async (SocketPool_T pool, const char *host, int port,
                          SocketPool_ConnectCallback callback, void *data)
{
  struct SocketPool_AsyncConnect *volatile op = NULL;
  SocketDNS_Request_T volatile req = NULL;
  volatile int failed = 0;

  SocketPool__check (pool, "SocketPool_connect_async");
  if (host == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_connect_async: NULL host");
    }
  check_port (port, 0, "SocketPool_connect_async");
  op = calloc (1, sizeof *op);
  if (op == NULL)
    POOL_RAISE ("SocketPool_connect_async: out of memory");
  op->pool = pool;
  op->callback = callback;
  op->data = data;
  TRY op->socket = new_client_socket ();
  ELSE
  {
    free (op);
    RERAISE;
  }
  END_TRY;

  SocketPool__lock (pool);
  if (pool->npending >= SOCKET_POOL_MAX_ASYNC_PENDING)
    failed = 1;
  else if (pool->dns == NULL)
    {
      TRY pool->dns = SocketDNS_new ();
      ELSE failed = 2;
      END_TRY;
    }
  if (!failed)
    {
      op->next = pool->pending;
      pool->pending = op;
      pool->npending++;
      TRY req = SocketDNS_resolve (pool->dns, host, port, async_resolved, op);
      ELSE
      {
        unlink_pending (pool, op);
        failed = 3;
      }
      END_TRY;
      if (!failed)
        op->req = req;
    }
  SocketPool__unlock (pool);
  if (failed)
    {
      Socket_T dead = op->socket;

      Socket_free (&dead);
      free (op);
      if (failed == 3)
        SOCKET_RAISE_MODULE_ERROR (SocketPool, SocketDNS_Failed);
      if (failed == 2)
        POOL_RAISE ("SocketPool_connect_async: cannot create the resolver");
      POOL_RAISE ("SocketPool_connect_async: %d connects already pending",
                  SOCKET_POOL_MAX_ASYNC_PENDING);
    }
  return req;
}

void
SocketPool__async_shutdown (SocketPool_T pool)
{
  struct SocketPool_AsyncConnect *op;

  SocketPool__lock (pool);
  pool->closing = 1; /* callbacks from now on leave their record listed */
  SocketPool__unlock (pool);
  if (pool->dns == NULL)
    return;
  for (op = pool->pending; op != NULL; op = op->next)
    SocketDNS_cancel (pool->dns, op->req);
  SocketDNS_free (&pool->dns); /* joins the workers */
  while ((op = pool->pending) != NULL)
    {
      pool->pending = op->next;
      Socket_free (&op->socket);
      free (op);
    }
  pool->npending = 0;
}

/* ------------------------------------------------------------------ */
/* Reconnect                                                          */
/* ------------------------------------------------------------------ */

void
SocketPool_set_reconnect_policy (SocketPool_T pool,
                                 const SocketReconnect_Policy_T *policy)
{
  SocketPool__check (pool, "SocketPool_set_reconnect_policy");
  SocketPool__lock (pool);
  if (policy != NULL)
    pool->reconnect_policy = *policy;
  pool->has_reconnect_policy = policy != NULL;
  SocketPool__unlock (pool);
}

/* Locked: 1 if @p conn is one of the pool's slots. */
static int
owns_conn (SocketPool_T pool, Connection_T conn)
{
  return conn >= pool->slots && conn < pool->slots + pool->maxconns;
}

void
SocketPool_enable_reconnect (SocketPool_T pool, Connection_T conn,
                             const char *host, int port)
{
  SocketReconnect_Policy_T policy;
  SocketReconnect_T ctx;
  SocketReconnect_T old = NULL;
  int has_policy;
  int ok;

  SocketPool__check (pool, "SocketPool_enable_reconnect");
  if (conn == NULL || host == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_enable_reconnect: NULL argument");
    }
  check_port (port, 1, "SocketPool_enable_reconnect");
  SocketPool__lock (pool);
  has_policy = pool->has_reconnect_policy;
  policy = pool->reconnect_policy;
  SocketPool__unlock (pool);
  /* SocketReconnect_Failed escapes unchanged; no lock is held here. */
  ctx = SocketReconnect_new (host, port, has_policy ? &policy : NULL, NULL,
                             NULL);
  SocketPool__lock (pool);
  ok = owns_conn (pool, conn) && conn->active;
  if (ok)
    {
      old = conn->reconnect;
      conn->reconnect = ctx;
    }
  SocketPool__unlock (pool);
  SocketReconnect_free (&old);
  if (!ok)
    {
      SocketReconnect_free (&ctx);
      errno = EINVAL;
      POOL_RAISE ("SocketPool_enable_reconnect: connection not active in "
                  "this pool");
    }
}

void
SocketPool_disable_reconnect (SocketPool_T pool, Connection_T conn)
{
  SocketReconnect_T old = NULL;

  SocketPool__check (pool, "SocketPool_disable_reconnect");
  if (conn == NULL)
    return;
  SocketPool__lock (pool);
  if (owns_conn (pool, conn))
    {
      old = conn->reconnect;
      conn->reconnect = NULL;
    }
  SocketPool__unlock (pool);
  SocketReconnect_free (&old);
}

void
SocketPool_process_reconnects (SocketPool_T pool)
{
  SocketPool__check (pool, "SocketPool_process_reconnects");
  SocketPool__lock (pool);
  TRY
  {
    for (size_t i = 0; i < pool->maxconns; i++)
      {
        struct Connection *c = &pool->slots[i];

        if (!c->active || c->reconnect == NULL)
          continue;
        SocketReconnect_process (c->reconnect);
        SocketReconnect_tick (c->reconnect);
      }
  }
  FINALLY SocketPool__unlock (pool);
  END_TRY;
}

int
SocketPool_reconnect_timeout_ms (SocketPool_T pool)
{
  int best = -1;

  SocketPool__check (pool, "SocketPool_reconnect_timeout_ms");
  SocketPool__lock (pool);
  for (size_t i = 0; i < pool->maxconns; i++)
    {
      struct Connection *c = &pool->slots[i];
      int t;

      if (!c->active || c->reconnect == NULL)
        continue;
      t = SocketReconnect_next_timeout_ms (c->reconnect);
      if (t >= 0 && (best < 0 || t < best))
        best = t;
    }
  SocketPool__unlock (pool);
  return best;
}
