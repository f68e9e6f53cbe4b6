/*
 * SocketPool-private.h - layout of the pool and the helpers its files
 * share (SocketPool.c: slots and lookup; -accept.c: limits and accept;
 * -drain.c: the drain state machine; -async.c: async connect and
 * reconnect).
 *
 * Locking: every field below the mutex is guarded by it, except `state`,
 * which is written under the lock but read with atomics so that
 * SocketPool_state() needs no lock.
 */
#ifndef SOCKETPOOL_PRIVATE_INCLUDED
#define SOCKETPOOL_PRIVATE_INCLUDED

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/SocketIPTracker.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"
#include "pool/SocketPool.h"

struct Connection
{
  Socket_T socket; /* NULL while the slot is free */
  SocketBuf_T inbuf;
  SocketBuf_T outbuf;
  void *data;
  time_t last_activity;
  int active;
  SocketReconnect_T reconnect;  /* optional auto-reconnect context */
  struct Connection *hash_next; /* bucket chain of active slots */
  struct Connection *free_next; /* free list of inactive slots */
};

/* One SocketPool_connect_async in flight (heap; listed until its DNS
 * callback takes it, so SocketPool_free can reclaim the socket). */
struct SocketPool_AsyncConnect
{
  SocketPool_T pool;
  Socket_T socket;
  SocketDNS_Request_T req;
  SocketPool_ConnectCallback callback;
  void *data;
  struct SocketPool_AsyncConnect *next;
};

struct SocketPool_T
{
  Arena_T arena;
  pthread_mutex_t mutex;

  struct Connection *slots; /* heap, maxconns entries */
  size_t maxconns;
  size_t count;
  size_t bufsize;
  struct Connection *free_list;
  struct Connection **buckets; /* heap, nbuckets (a power of two) */
  size_t nbuckets;
  unsigned bucket_shift; /* 64 - log2(nbuckets) */

  SocketRateLimit_T limiter; /* NULL: no rate limit */
  int conn_rate;
  SocketIPTracker_T tracker; /* NULL: no per-IP limit */
  int max_per_ip;
  SocketSYNProtect_T syn_protect; /* borrowed */

  SocketReconnect_Policy_T reconnect_policy;
  int has_reconnect_policy;

  int state;            /* SocketPool_State; atomic reads */
  int64_t drain_deadline_ms; /* INT64_MAX: no deadline */
  int stop_forced;      /* STOPPED was reached by force-closing */
  SocketPool_DrainCallback drain_cb;
  void *drain_cb_data;

  SocketDNS_T dns; /* lazily created by SocketPool_connect_async */
  struct SocketPool_AsyncConnect *pending;
  size_t npending;
  int closing; /* SocketPool_free has started */
};

/* Sockets taken out of the pool under the lock, closed after unlocking. */
struct SocketPool_Closing
{
  Socket_T *sockets;
  size_t n;
};

/* Raise SocketPool_Failed with a formatted reason, never with the lock
 * held. Each file declares SOCKET_DECLARE_MODULE_EXCEPTION (SocketPool). */
#define POOL_RAISE(fmt, ...)                                                  \
  SOCKET_RAISE_MSG (SocketPool, SocketPool_Failed, fmt, ##__VA_ARGS__)

void SocketPool__lock (SocketPool_T pool);
void SocketPool__unlock (SocketPool_T pool);
void SocketPool__check (SocketPool_T pool, const char *op);

/* Locked helpers. */
struct Connection *SocketPool__find (SocketPool_T pool, Socket_T socket);
void SocketPool__remove_conn (SocketPool_T pool, struct Connection *conn);
/* Remove every active connection into @p out (count becomes 0). */
void SocketPool__take_all (SocketPool_T pool, struct SocketPool_Closing *out);
int SocketPool__accepting (SocketPool_T pool);

/* Unlocked: shut down, close and free the collected sockets. */
void SocketPool__close_taken (struct SocketPool_Closing *taken);

/* Free the async-connect machinery (SocketPool_free). */
void SocketPool__async_shutdown (SocketPool_T pool);

#endif /* SOCKETPOOL_PRIVATE_INCLUDED */
