/*
 * SocketIPTracker.c - per-IP connection counts behind one mutex.
 *
 * Entries live in a seeded SocketIP__Table (O(1) lookups that crafted
 * addresses cannot degrade); an entry exists exactly while its count >= 1,
 * and the number of entries is capped by max_unique, so memory is bounded.
 */
#include <pthread.h>
#include <stdlib.h>

#include "core/SocketIPTable-private.h"
#include "core/SocketIPTracker.h"
#include "core/SocketIPTrackerExt.h"
#include "core/SocketUtil.h"

const Except_T SocketIPTracker_Failed
    = { &SocketIPTracker_Failed, "IP tracker operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketIPTracker);

typedef struct Entry
{
  SocketIP__Node node; /* first: a node pointer is an entry pointer */
  int count;
} Entry;

struct SocketIPTracker_T
{
  pthread_mutex_t lock;
  SocketIP__Table table;
  int max_per_ip;
  size_t max_unique;
  size_t total;
  int arena_owned;
};

static void
check_handle (SocketIPTracker_T t, const char *op)
{
  if (t == NULL)
    SOCKET_RAISE_MSG (SocketIPTracker, SocketIPTracker_Failed, "%s: NULL tracker", op);
}

SocketIPTracker_T
SocketIPTracker_new (Arena_T arena, int max_per_ip)
{
  struct SocketIPTracker_T *t;

  if (arena != NULL)
    t = ALLOC (arena, sizeof *t);
  else if ((t = malloc (sizeof *t)) == NULL)
    SOCKET_RAISE_MSG (SocketIPTracker, SocketIPTracker_Failed,
                      "Failed to allocate IP tracker");
  if (SocketIP__table_init (&t->table, 64) != 0)
    {
      if (arena == NULL)
        free (t);
      SOCKET_RAISE_MSG (SocketIPTracker, SocketIPTracker_Failed,
                        "Failed to allocate IP tracker hash table");
    }
  if (pthread_mutex_init (&t->lock, NULL) != 0)
    {
      SocketIP__table_destroy (&t->table);
      if (arena == NULL)
        free (t);
      SOCKET_RAISE_MSG (SocketIPTracker, SocketIPTracker_Failed,
                        "Failed to allocate IP tracker");
    }
  t->max_per_ip = max_per_ip;
  t->max_unique = SOCKET_IP_TRACKER_MAX_UNIQUE;
  t->total = 0;
  t->arena_owned = arena != NULL;
  return t;
}

static void
free_node (SocketIP__Node *n, void *arg)
{
  (void)arg;
  free (n);
}

void
SocketIPTracker_free (SocketIPTracker_T *tracker)
{
  SocketIPTracker_T t;

  if (tracker == NULL || *tracker == NULL)
    return;
  t = *tracker;
  SocketIP__table_clear (&t->table, free_node, NULL);
  SocketIP__table_destroy (&t->table);
  pthread_mutex_destroy (&t->lock);
  if (!t->arena_owned)
    free (t);
  *tracker = NULL;
}

/* Caller holds the lock. */
static int
track_locked (SocketIPTracker_T t, const SocketIP__Key *key)
{
  Entry *e = (Entry *)SocketIP__table_find (&t->table, key);

  if (e != NULL)
    {
      if (t->max_per_ip != 0 && e->count >= t->max_per_ip)
        return 0;
      e->count++;
      t->total++;
      return 1;
    }
  if (t->table.count >= t->max_unique)
    return 0; /* bounded memory: refuse a new IP when full */
  if ((e = malloc (sizeof *e)) == NULL)
    return 0;
  e->node.key = *key;
  e->count = 1;
  SocketIP__table_insert (&t->table, &e->node);
  t->total++;
  return 1;
}

int
SocketIPTracker_track (SocketIPTracker_T tracker, const char *ip)
{
  SocketIP__Key key;
  int ok;

  check_handle (tracker, "SocketIPTracker_track");
  if (SocketIP__key (ip, &key) == 0)
    return 1;
  pthread_mutex_lock (&tracker->lock);
  ok = track_locked (tracker, &key);
  pthread_mutex_unlock (&tracker->lock);
  return ok;
}

void
SocketIPTracker_release (SocketIPTracker_T tracker, const char *ip)
{
  SocketIP__Key key;
  Entry *e;

  check_handle (tracker, "SocketIPTracker_release");
  if (SocketIP__key (ip, &key) == 0)
    return;
  pthread_mutex_lock (&tracker->lock);
  e = (Entry *)SocketIP__table_find (&tracker->table, &key);
  if (e != NULL)
    {
      e->count--;
      tracker->total--;
      if (e->count <= 0)
        {
          SocketIP__table_remove (&tracker->table, &e->node);
          free (e);
        }
    }
  pthread_mutex_unlock (&tracker->lock);
}

int
SocketIPTracker_count (SocketIPTracker_T tracker, const char *ip)
{
  SocketIP__Key key;
  Entry *e;
  int n = 0;

  check_handle (tracker, "SocketIPTracker_count");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&tracker->lock);
  e = (Entry *)SocketIP__table_find (&tracker->table, &key);
  if (e != NULL)
    n = e->count;
  pthread_mutex_unlock (&tracker->lock);
  return n;
}

void
SocketIPTracker_setmax (SocketIPTracker_T tracker, int max_per_ip)
{
  check_handle (tracker, "SocketIPTracker_setmax");
  pthread_mutex_lock (&tracker->lock);
  tracker->max_per_ip = max_per_ip;
  pthread_mutex_unlock (&tracker->lock);
}

int
SocketIPTracker_getmax (SocketIPTracker_T tracker)
{
  int m;

  check_handle (tracker, "SocketIPTracker_getmax");
  pthread_mutex_lock (&tracker->lock);
  m = tracker->max_per_ip;
  pthread_mutex_unlock (&tracker->lock);
  return m;
}

size_t
SocketIPTracker_total (SocketIPTracker_T tracker)
{
  size_t n;

  check_handle (tracker, "SocketIPTracker_total");
  pthread_mutex_lock (&tracker->lock);
  n = tracker->total;
  pthread_mutex_unlock (&tracker->lock);
  return n;
}

size_t
SocketIPTracker_unique_ips (SocketIPTracker_T tracker)
{
  size_t n;

  check_handle (tracker, "SocketIPTracker_unique_ips");
  pthread_mutex_lock (&tracker->lock);
  n = tracker->table.count;
  pthread_mutex_unlock (&tracker->lock);
  return n;
}

void
SocketIPTracker_clear (SocketIPTracker_T tracker)
{
  check_handle (tracker, "SocketIPTracker_clear");
  pthread_mutex_lock (&tracker->lock);
  SocketIP__table_clear (&tracker->table, free_node, NULL);
  tracker->total = 0;
  pthread_mutex_unlock (&tracker->lock);
}

void
SocketIPTracker_setmaxunique (SocketIPTracker_T tracker, size_t max_unique)
{
  check_handle (tracker, "SocketIPTracker_setmaxunique");
  pthread_mutex_lock (&tracker->lock);
  tracker->max_unique = max_unique ? max_unique : SOCKET_IP_TRACKER_MAX_UNIQUE;
  pthread_mutex_unlock (&tracker->lock);
}

size_t
SocketIPTracker_getmaxunique (SocketIPTracker_T tracker)
{
  size_t n;

  check_handle (tracker, "SocketIPTracker_getmaxunique");
  pthread_mutex_lock (&tracker->lock);
  n = tracker->max_unique;
  pthread_mutex_unlock (&tracker->lock);
  return n;
}
