/*
 * SocketPool.c - the slots: creation, O(1) lookup by socket, add/remove,
 * idle cleanup, resize and buffer pre-warming.
 *
 * A slot array (heap, maxconns entries) holds the connections. Inactive
 * slots form a LIFO free list, so a recently used slot (and its buffers,
 * still warm in cache) is taken first. Active slots are chained in a
 * power-of-two hash table keyed on the Socket_T pointer and sized to at
 * least maxconns buckets, so chains stay short even at 10,000 connections.
 * Buffers come from the caller's arena and stay with their slot: a removed
 * connection's buffers are wiped and reused by the next one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pool/SocketPool-private.h"

const Except_T SocketPool_Failed
    = { &SocketPool_Failed, "SocketPool operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketPool);

#define POOL_MIN_BUCKETS 64

/* ------------------------------------------------------------------ */
/* Shared helpers                                                     */
/* ------------------------------------------------------------------ */

void
SocketPool__lock (SocketPool_T pool)
{
  pthread_mutex_lock (&pool->mutex);
}

void
SocketPool__unlock (SocketPool_T pool)
{
  pthread_mutex_unlock (&pool->mutex);
}

void
SocketPool__check (SocketPool_T pool, const char *op)
{
  if (pool == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("%s: NULL pool", op);
    }
}

static void
check_conn (const Connection_T conn, const char *op)
{
  if (conn == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("%s: NULL connection", op);
    }
}

static time_t
wall_clock (const char *op)
{
  time_t now = time (NULL);

  if (now == (time_t)-1)
    POOL_RAISE ("%s: cannot read the system clock", op);
  return now;
}

int
SocketPool__accepting (SocketPool_T pool)
{
  return __atomic_load_n (&pool->state, __ATOMIC_ACQUIRE)
         == POOL_STATE_RUNNING;
}

static size_t
bucket_of (SocketPool_T pool, Socket_T socket)
{
  uint64_t h = (uint64_t)(uintptr_t)socket * UINT64_C (0x9E3779B97F4A7C15);

  return (size_t)(h >> pool->bucket_shift);
}

struct Connection *
SocketPool__find (SocketPool_T pool, Socket_T socket)
{
  struct Connection *c = pool->buckets[bucket_of (pool, socket)];

  while (c != NULL && c->socket != socket)
    c = c->hash_next;
  return c;
}

static void
hash_insert (SocketPool_T pool, struct Connection *conn)
{
  size_t b = bucket_of (pool, conn->socket);

  conn->hash_next = pool->buckets[b];
  pool->buckets[b] = conn;
}

static void
hash_unlink (SocketPool_T pool, struct Connection *conn)
{
  struct Connection **pp = &pool->buckets[bucket_of (pool, conn->socket)];

  while (*pp != NULL && *pp != conn)
    pp = &(*pp)->hash_next;
  if (*pp == conn)
    *pp = conn->hash_next;
  conn->hash_next = NULL;
}

/* Table of at least max(maxconns, POOL_MIN_BUCKETS) buckets. @return 0, or
 * -1 when out of memory (pool unchanged). */
static int
alloc_buckets (size_t maxconns, struct Connection ***out, size_t *nout,
               unsigned *shift)
{
  size_t n = POOL_MIN_BUCKETS;
  unsigned bits = 6;

  while (n < maxconns)
    {
      n <<= 1;
      bits++;
    }
  *out = calloc (n, sizeof **out);
  if (*out == NULL)
    return -1;
  *nout = n;
  *shift = 64 - bits;
  return 0;
}

/* Rebuild the free list (inactive slots, lowest first) and the hash
 * table from the slot array. */
static void
rebuild_index (SocketPool_T pool)
{
  pool->free_list = NULL;
  memset (pool->buckets, 0, pool->nbuckets * sizeof *pool->buckets);
  for (size_t i = pool->maxconns; i-- > 0;)
    {
      struct Connection *c = &pool->slots[i];

      c->hash_next = NULL;
      c->free_next = NULL;
      if (c->active)
        hash_insert (pool, c);
      else
        {
          c->free_next = pool->free_list;
          pool->free_list = c;
        }
    }
}

/* Give @p conn buffers of the current size if it has none. Never raises.
 * @return 0, or -1 when the arena refused. */
static int
ensure_buffers (SocketPool_T pool, struct Connection *conn)
{
  SocketBuf_T volatile in = conn->inbuf;
  SocketBuf_T volatile out = conn->outbuf;
  volatile int rc = 0;

  if (in != NULL && out != NULL)
    return 0;
  TRY
  {
    if (in == NULL)
      in = SocketBuf_new (pool->arena, pool->bufsize);
    if (out == NULL)
      out = SocketBuf_new (pool->arena, pool->bufsize);
  }
  ELSE rc = -1;
  END_TRY;
  /* A buffer obtained before the failure is kept for the next try. */
  conn->inbuf = in;
  conn->outbuf = out;
  return rc;
}

static void
prewarm_locked (SocketPool_T pool, int percentage)
{
  size_t free_slots = pool->maxconns - pool->count;
  size_t want = free_slots * (size_t)percentage / SOCKET_PERCENTAGE_DIVISOR;

  for (struct Connection *c = pool->free_list; c != NULL && want > 0;
       c = c->free_next)
    {
      if (c->inbuf != NULL && c->outbuf != NULL)
        continue;
      if (ensure_buffers (pool, c) != 0)
        break;
      want--;
    }
}

void
SocketPool__remove_conn (SocketPool_T pool, struct Connection *conn)
{
  hash_unlink (pool, conn);
  if (conn->inbuf != NULL)
    SocketBuf_secureclear (conn->inbuf);
  if (conn->outbuf != NULL)
    SocketBuf_secureclear (conn->outbuf);
  /* The context belongs to this connection only. */
  if (conn->reconnect != NULL)
    SocketReconnect_free (&conn->reconnect);
  conn->socket = NULL;
  conn->data = NULL;
  conn->last_activity = 0;
  conn->active = 0;
  conn->free_next = pool->free_list;
  pool->free_list = conn;
  pool->count--;
  SocketMetrics_increment (SOCKET_METRIC_POOL_CONNECTIONS_REMOVED, 1);
}

static void
close_one (Socket_T socket)
{
  if (socket == NULL)
    return;
  (void)shutdown (Socket_fd (socket), SHUT_RDWR);
  Socket_free (&socket);
}

void
SocketPool__take_all (SocketPool_T pool, struct SocketPool_Closing *out)
{
  size_t n = 0;

  out->n = 0;
  out->sockets = pool->count ? malloc (pool->count * sizeof (Socket_T))
                             : NULL;
  for (size_t i = 0; i < pool->maxconns && pool->count > 0; i++)
    {
      struct Connection *c = &pool->slots[i];
      Socket_T s;

      if (!c->active)
        continue;
      s = c->socket;
      SocketPool__remove_conn (pool, c);
      if (out->sockets != NULL)
        out->sockets[n++] = s;
      else
        close_one (s); /* no memory for the list: close under the lock */
    }
  out->n = n;
}

void
SocketPool__close_taken (struct SocketPool_Closing *taken)
{
  for (size_t i = 0; i < taken->n; i++)
    close_one (taken->sockets[i]);
  free (taken->sockets);
  taken->sockets = NULL;
  taken->n = 0;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

SocketPool_T
SocketPool_new (Arena_T arena, size_t maxconns, size_t bufsize)
{
  struct SocketPool_T *pool;

  if (arena == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_new: NULL arena");
    }
  if (!SOCKET_VALID_CONNECTION_COUNT (maxconns))
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_new: maxconns %zu out of range 1..%lu",
                  maxconns, (unsigned long)SOCKET_MAX_CONNECTIONS);
    }
  if (!SOCKET_VALID_BUFFER_SIZE (bufsize))
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_new: bufsize %zu out of range %d..%d", bufsize,
                  SOCKET_MIN_BUFFER_SIZE, SOCKET_MAX_BUFFER_SIZE);
    }
  pool = CALLOC (arena, 1, sizeof *pool);
  pool->arena = arena;
  pool->maxconns = maxconns;
  pool->bufsize = bufsize;
  __atomic_store_n (&pool->state, POOL_STATE_RUNNING, __ATOMIC_RELEASE);
  pool->drain_deadline_ms = INT64_MAX;
  pool->slots = calloc (maxconns, sizeof *pool->slots);
  if (pool->slots == NULL)
    POOL_RAISE ("SocketPool_new: cannot allocate %zu slots", maxconns);
  if (alloc_buckets (maxconns, &pool->buckets, &pool->nbuckets,
                     &pool->bucket_shift)
      != 0)
    {
      free (pool->slots);
      POOL_RAISE ("SocketPool_new: cannot allocate the hash table");
    }
  if (pthread_mutex_init (&pool->mutex, NULL) != 0)
    {
      free (pool->buckets);
      free (pool->slots);
      POOL_RAISE ("SocketPool_new: mutex initialisation failed");
    }
  rebuild_index (pool);
  prewarm_locked (pool, SOCKET_POOL_DEFAULT_PREWARM_PCT);
  return pool;
}

void
SocketPool_free (SocketPool_T *pool)
{
  SocketPool_T p;

  if (pool == NULL || *pool == NULL)
    return;
  p = *pool;
  SocketPool__async_shutdown (p);
  for (size_t i = 0; i < p->maxconns; i++)
    if (p->slots[i].reconnect != NULL)
      SocketReconnect_free (&p->slots[i].reconnect);
  SocketRateLimit_free (&p->limiter);
  SocketIPTracker_free (&p->tracker);
  free (p->buckets);
  free (p->slots);
  p->buckets = NULL;
  p->slots = NULL;
  pthread_mutex_destroy (&p->mutex);
  *pool = NULL;
}

/* ------------------------------------------------------------------ */
/* Connections                                                        */
/* ------------------------------------------------------------------ */

Connection_T
SocketPool_get (SocketPool_T pool, Socket_T socket)
{
  struct Connection *c;
  time_t now;

  SocketPool__check (pool, "SocketPool_get");
  if (socket == NULL)
    return NULL;
  now = wall_clock ("SocketPool_get");
  SocketPool__lock (pool);
  c = SocketPool__find (pool, socket);
  if (c != NULL)
    c->last_activity = now;
  SocketPool__unlock (pool);
  return c;
}

Connection_T
SocketPool_add (SocketPool_T pool, Socket_T socket)
{
  struct Connection *c;
  time_t now;
  int reused;

  SocketPool__check (pool, "SocketPool_add");
  if (socket == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_add: NULL socket");
    }
  now = wall_clock ("SocketPool_add");
  SocketPool__lock (pool);
  if (!SocketPool__accepting (pool))
    {
      SocketPool__unlock (pool);
      return NULL;
    }
  c = SocketPool__find (pool, socket);
  if (c != NULL)
    {
      c->last_activity = now;
      SocketPool__unlock (pool);
      return c;
    }
  c = pool->free_list;
  /* Buffers already there: pre-warmed or left by an earlier connection. */
  reused = c != NULL && c->inbuf != NULL && c->outbuf != NULL;
  if (c == NULL || ensure_buffers (pool, c) != 0)
    {
      SocketPool__unlock (pool);
      return NULL;
    }
  pool->free_list = c->free_next;
  c->free_next = NULL;
  c->socket = socket;
  c->data = NULL;
  c->active = 1;
  c->last_activity = now;
  SocketBuf_clear (c->inbuf);
  SocketBuf_clear (c->outbuf);
  hash_insert (pool, c);
  pool->count++;
  SocketPool__unlock (pool);
  SocketMetrics_increment (SOCKET_METRIC_POOL_CONNECTIONS_ADDED, 1);
  if (reused)
    SocketMetrics_increment (SOCKET_METRIC_POOL_CONNECTIONS_REUSED, 1);
  return c;
}

void
SocketPool_remove (SocketPool_T pool, Socket_T socket)
{
  struct Connection *c;

  SocketPool__check (pool, "SocketPool_remove");
  if (socket == NULL)
    return;
  SocketPool__lock (pool);
  c = SocketPool__find (pool, socket);
  if (c != NULL)
    SocketPool__remove_conn (pool, c);
  SocketPool__unlock (pool);
}

void
SocketPool_cleanup (SocketPool_T pool, time_t idle_timeout)
{
  struct SocketPool_Closing taken = { NULL, 0 };
  time_t now;

  SocketPool__check (pool, "SocketPool_cleanup");
  now = wall_clock ("SocketPool_cleanup");
  SocketPool__lock (pool);
  if (pool->count > 0)
    {
      taken.sockets = malloc (pool->count * sizeof (Socket_T));
      if (taken.sockets == NULL)
        {
          SocketPool__unlock (pool);
          POOL_RAISE ("SocketPool_cleanup: out of memory");
        }
    }
  for (size_t i = 0; i < pool->maxconns; i++)
    {
      struct Connection *c = &pool->slots[i];

      if (!c->active)
        continue;
      /* 0 means every connection, even one active this very second. */
      if (idle_timeout > 0 && now - c->last_activity <= idle_timeout)
        continue;
      taken.sockets[taken.n++] = c->socket;
      SocketPool__remove_conn (pool, c);
    }
  SocketPool__unlock (pool);
  SocketPool__close_taken (&taken);
}

size_t
SocketPool_count (SocketPool_T pool)
{
  size_t n;

  SocketPool__check (pool, "SocketPool_count");
  SocketPool__lock (pool);
  n = pool->count;
  SocketPool__unlock (pool);
  return n;
}

/*
 * Move the active connections of @p old (@p oldn slots) into @p fresh
 * (@p newn slots, zeroed): slots below newn keep their place; a connection
 * at or beyond newn takes the first free lower slot. The caller has
 * already removed enough connections for them all to fit.
 */
static void
relocate_slots (struct Connection *old, size_t oldn, struct Connection *fresh,
                size_t newn)
{
  size_t keep = oldn < newn ? oldn : newn;
  size_t hole = 0;

  memcpy (fresh, old, keep * sizeof *fresh);
  for (size_t i = keep; i < oldn; i++)
    {
      if (!old[i].active)
        continue; /* its buffers stay in the arena until it is disposed */
      while (fresh[hole].active)
        hole++;
      fresh[hole] = old[i];
    }
}

void
SocketPool_resize (SocketPool_T pool, size_t new_maxconns)
{
  struct SocketPool_Closing taken = { NULL, 0 };
  struct Connection *fresh;
  struct Connection **buckets;
  size_t nbuckets;
  unsigned shift;

  SocketPool__check (pool, "SocketPool_resize");
  if (new_maxconns < 1)
    new_maxconns = 1;
  if (new_maxconns > SOCKET_MAX_CONNECTIONS)
    new_maxconns = SOCKET_MAX_CONNECTIONS;
  SocketPool__lock (pool);
  if (new_maxconns == pool->maxconns)
    {
      SocketPool__unlock (pool);
      return;
    }
  fresh = calloc (new_maxconns, sizeof *fresh);
  buckets = NULL;
  if (fresh != NULL
      && alloc_buckets (new_maxconns, &buckets, &nbuckets, &shift) != 0)
    buckets = NULL;
  if (pool->count > new_maxconns)
    taken.sockets = malloc ((pool->count - new_maxconns) * sizeof (Socket_T));
  if (fresh == NULL || buckets == NULL
      || (pool->count > new_maxconns && taken.sockets == NULL))
    {
      free (fresh);
      free (buckets);
      free (taken.sockets);
      SocketPool__unlock (pool);
      POOL_RAISE ("SocketPool_resize: out of memory");
    }
  /* Excess connections are closed, lowest slots first. */
  for (size_t i = 0; i < pool->maxconns && pool->count > new_maxconns; i++)
    if (pool->slots[i].active)
      {
        taken.sockets[taken.n++] = pool->slots[i].socket;
        SocketPool__remove_conn (pool, &pool->slots[i]);
      }
  relocate_slots (pool->slots, pool->maxconns, fresh, new_maxconns);
  free (pool->slots);
  free (pool->buckets);
  pool->slots = fresh;
  pool->maxconns = new_maxconns;
  pool->buckets = buckets;
  pool->nbuckets = nbuckets;
  pool->bucket_shift = shift;
  rebuild_index (pool);
  SocketPool__unlock (pool);
  SocketPool__close_taken (&taken);
}

void
SocketPool_prewarm (SocketPool_T pool, int percentage)
{
  SocketPool__check (pool, "SocketPool_prewarm");
  if (percentage < 0 || percentage > 100)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_prewarm: percentage %d out of range 0..100",
                  percentage);
    }
  SocketPool__lock (pool);
  prewarm_locked (pool, percentage);
  SocketPool__unlock (pool);
}

void
SocketPool_set_bufsize (SocketPool_T pool, size_t new_bufsize)
{
  SocketPool__check (pool, "SocketPool_set_bufsize");
  if (new_bufsize < SOCKET_MIN_BUFFER_SIZE)
    new_bufsize = SOCKET_MIN_BUFFER_SIZE;
  if (new_bufsize > SOCKET_MAX_BUFFER_SIZE)
    new_bufsize = SOCKET_MAX_BUFFER_SIZE;
  SocketPool__lock (pool);
  pool->bufsize = new_bufsize;
  SocketPool__unlock (pool);
}

void
SocketPool_foreach (SocketPool_T pool, void (*func) (Connection_T, void *),
                    void *arg)
{
  SocketPool__check (pool, "SocketPool_foreach");
  if (func == NULL)
    {
      errno = EINVAL;
      POOL_RAISE ("SocketPool_foreach: NULL function");
    }
  SocketPool__lock (pool);
  TRY
  {
    for (size_t i = 0; i < pool->maxconns; i++)
      if (pool->slots[i].active)
        func (&pool->slots[i], arg);
  }
  FINALLY SocketPool__unlock (pool); /* also if func raised */
  END_TRY;
}

/* ------------------------------------------------------------------ */
/* Connection accessors (no lock)                                     */
/* ------------------------------------------------------------------ */

Socket_T
Connection_socket (const Connection_T conn)
{
  check_conn (conn, "Connection_socket");
  if (conn->reconnect != NULL && SocketReconnect_isconnected (conn->reconnect))
    return SocketReconnect_socket (conn->reconnect);
  return conn->socket;
}

SocketBuf_T
Connection_inbuf (const Connection_T conn)
{
  check_conn (conn, "Connection_inbuf");
  return conn->inbuf;
}

SocketBuf_T
Connection_outbuf (const Connection_T conn)
{
  check_conn (conn, "Connection_outbuf");
  return conn->outbuf;
}

void *
Connection_data (const Connection_T conn)
{
  check_conn (conn, "Connection_data");
  return conn->data;
}

void
Connection_setdata (Connection_T conn, void *data)
{
  check_conn (conn, "Connection_setdata");
  conn->data = data;
}

time_t
Connection_lastactivity (const Connection_T conn)
{
  check_conn (conn, "Connection_lastactivity");
  return conn->last_activity;
}

int
Connection_isactive (const Connection_T conn)
{
  check_conn (conn, "Connection_isactive");
  return conn->active ? 1 : 0;
}

SocketReconnect_T
Connection_reconnect (const Connection_T conn)
{
  return conn != NULL ? conn->reconnect : NULL;
}

int
Connection_has_reconnect (const Connection_T conn)
{
  return conn != NULL && conn->reconnect != NULL;
}
