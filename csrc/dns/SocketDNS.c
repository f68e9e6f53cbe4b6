/*
 * SocketDNS.c - getaddrinfo() on a pool of worker threads.
 *
 * Requests move QUEUED -> RUNNING -> DONE -> (callback | COMPLETE ->
 * RETIRED). SocketDNS_check() delivers DONE requests and expires timed-out
 * ones; getaddrinfo itself cannot be interrupted, so a timed-out or
 * cancelled RUNNING request becomes a "zombie": the user-visible record is
 * gone and the worker frees the record and its late result when it returns.
 *
 * Handles are ids, not pointers: (instance serial, counter) cast to the
 * handle type, looked up in a hash table of SOCKET_DNS_REQUEST_HASH_SIZE
 * buckets. A stale handle (request delivered, cancelled or freed) or one of
 * another resolver is therefore never dereferenced.
 *
 * Completions are signalled by writing one byte to a socketpair
 * (SocketDNS_pollfd); one lock guards all state, callbacks run without it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "dns/SocketDNS-private.h"
#include "dns/SocketDNS.h"

const Except_T SocketDNS_Failed
    = { &SocketDNS_Failed, "DNS resolution failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketDNS);

/* ---- records ----------------------------------------------------------- */

static unsigned
bucket (uintptr_t id)
{
  return (unsigned)(id % SOCKET_DNS_REQUEST_HASH_SIZE);
}

static struct dns_req *
lookup (struct SocketDNS_T *d, const void *handle)
{
  uintptr_t id = (uintptr_t)handle;
  struct dns_req *r;

  if (id == 0)
    return NULL;
  for (r = d->table[bucket (id)]; r != NULL; r = r->hnext)
    if (r->id == id)
      return r;
  return NULL;
}

static void
table_remove (struct SocketDNS_T *d, struct dns_req *r)
{
  struct dns_req **pp = &d->table[bucket (r->id)];

  while (*pp != NULL && *pp != r)
    pp = &(*pp)->hnext;
  if (*pp == r)
    *pp = r->hnext;
  r->hnext = NULL;
}

static void
list_push (struct req_list *l, struct dns_req *r)
{
  r->next = NULL;
  if (l->tail)
    l->tail->next = r;
  else
    l->head = r;
  l->tail = r;
}

static struct dns_req *
list_pop (struct req_list *l)
{
  struct dns_req *r = l->head;

  if (r != NULL)
    {
      l->head = r->next;
      if (l->head == NULL)
        l->tail = NULL;
      r->next = NULL;
    }
  return r;
}

void
SocketDNS__list_remove (struct req_list *l, struct dns_req *r)
{
  struct dns_req *prev = NULL, *it = l->head;

  while (it != NULL && it != r)
    {
      prev = it;
      it = it->next;
    }
  if (it == NULL)
    return;
  if (prev)
    prev->next = r->next;
  else
    l->head = r->next;
  if (l->tail == r)
    l->tail = prev;
  r->next = NULL;
}

static void
active_add (struct SocketDNS_T *d, struct dns_req *r)
{
  r->aprev = NULL;
  r->anext = d->active;
  if (d->active)
    d->active->aprev = r;
  d->active = r;
  d->pending++;
}

void
SocketDNS__active_remove (struct SocketDNS_T *d, struct dns_req *r)
{
  if (r->aprev)
    r->aprev->anext = r->anext;
  else
    d->active = r->anext;
  if (r->anext)
    r->anext->aprev = r->aprev;
  r->aprev = r->anext = NULL;
  d->pending--;
}

static void
req_free (struct SocketDNS_T *d, struct dns_req *r)
{
  if (r->result)
    freeaddrinfo (r->result);
  free (r->host);
  free (r);
  d->nrecords--;
}

/* Drop the user-visible record; a worker still holding it frees it later.
 * Caller holds the lock and has unlinked it from every list. */
void
SocketDNS__req_release (struct SocketDNS_T *d, struct dns_req *r)
{
  table_remove (d, r);
  if (r->worker_active)
    {
      if (r->result)
        freeaddrinfo (r->result);
      r->result = NULL;
      r->zombie = 1;
    }
  else
    req_free (d, r);
}

static void
signal_completion (struct SocketDNS_T *d)
{
  char byte = SOCKET_DNS_COMPLETION_SIGNAL_BYTE;

  if (d->signalled)
    return;
  d->signalled = 1;
  if (send (d->pipe_w, &byte, 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
    d->signalled = 0;
}

/* ---- workers ----------------------------------------------------------- */

/* Called with the lock held when getaddrinfo returned for @p r. */
static void
worker_finish (struct SocketDNS_T *d, struct dns_req *r, int err,
               struct addrinfo *res)
{
  r->worker_active = 0;
  if (r->zombie || r->state != DNS_RUNNING)
    {
      /* Cancelled or timed out meanwhile: the late result is discarded. */
      if (res)
        freeaddrinfo (res);
      if (r->zombie)
        req_free (d, r);
      return;
    }
  SocketDNS__active_remove (d, r);
  r->state = DNS_DONE;
  r->error = err;
  r->result = err == 0 ? res : NULL;
  if (err != 0 && res)
    freeaddrinfo (res);
  SocketMetrics_increment (err == 0 ? SOCKET_METRIC_DNS_REQUEST_COMPLETED
                                    : SOCKET_METRIC_DNS_REQUEST_FAILED,
                           1);
  if (r->sync)
    pthread_cond_broadcast (&d->sync_cond);
  else
    {
      list_push (&d->done, r);
      signal_completion (d);
    }
}

static void *
worker_main (void *arg)
{
  struct SocketDNS_T *d = arg;
  char port[SOCKET_DNS_PORT_STR_SIZE];

  pthread_mutex_lock (&d->lock);
  for (;;)
    {
      struct dns_req *r;
      struct addrinfo *res = NULL;
      int err;

      while (!d->shutdown && d->queue.head == NULL)
        pthread_cond_wait (&d->work_cond, &d->lock);
      if (d->shutdown)
        break;
      r = list_pop (&d->queue);
      r->state = DNS_RUNNING;
      r->worker_active = 1;
      while (d->stalled && !d->shutdown)
        pthread_cond_wait (&d->stall_cond, &d->lock);
      if (d->shutdown)
        {
          worker_finish (d, r, EAI_AGAIN, NULL);
          break;
        }
      snprintf (port, sizeof port, "%d", r->port);
      pthread_mutex_unlock (&d->lock);
      /* host and hints are stable while worker_active is set. */
      err = getaddrinfo (r->host, port, &r->hints, &res);
      if (err == EAI_SYSTEM && errno == EINTR)
        err = EAI_AGAIN;
      pthread_mutex_lock (&d->lock);
      worker_finish (d, r, err, res);
    }
  pthread_mutex_unlock (&d->lock);
  return NULL;
}

static size_t
worker_stack_size (void)
{
  size_t size = SOCKET_DNS_WORKER_STACK_SIZE;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  size *= 8; /* instrumented frames are several times larger */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  size *= 8;
#endif
#endif
#ifdef PTHREAD_STACK_MIN
  if (size < (size_t)PTHREAD_STACK_MIN)
    size = (size_t)PTHREAD_STACK_MIN;
#endif
  return size;
}

static int
start_workers (struct SocketDNS_T *d)
{
  pthread_attr_t attr;
  int rc = 0;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, worker_stack_size ());
  for (int i = 0; i < SOCKET_DNS_THREAD_COUNT; i++)
    {
      rc = pthread_create (&d->threads[i], &attr, worker_main, d);
      if (rc != 0)
        break;
#if defined(__linux__)
      {
        char name[SOCKET_DNS_THREAD_NAME_SIZE];
        snprintf (name, sizeof name, "dns-worker-%d", i);
        pthread_setname_np (d->threads[i], name);
      }
#endif
      d->nthreads++;
    }
  pthread_attr_destroy (&attr);
  return rc;
}

static void
stop_workers (struct SocketDNS_T *d)
{
  pthread_mutex_lock (&d->lock);
  d->shutdown = 1;
  pthread_cond_broadcast (&d->work_cond);
  pthread_cond_broadcast (&d->stall_cond);
  pthread_mutex_unlock (&d->lock);
  for (int i = 0; i < d->nthreads; i++)
    pthread_join (d->threads[i], NULL);
  d->nthreads = 0;
}

/* ---- lifecycle --------------------------------------------------------- */

static void
destroy (struct SocketDNS_T *d)
{
  for (unsigned i = 0; i < SOCKET_DNS_REQUEST_HASH_SIZE; i++)
    while (d->table[i] != NULL)
      {
        struct dns_req *r = d->table[i];
        d->table[i] = r->hnext;
        req_free (d, r);
      }
  if (d->pipe_r >= 0)
    close (d->pipe_r);
  if (d->pipe_w >= 0)
    close (d->pipe_w);
  pthread_cond_destroy (&d->work_cond);
  pthread_cond_destroy (&d->sync_cond);
  pthread_cond_destroy (&d->stall_cond);
  pthread_mutex_destroy (&d->lock);
  free (d);
}

/* The completion "pipe" is a stream socketpair: as readable as a pipe, and
 * a socket, so Socket_new_from_fd(dup(SocketDNS_pollfd(dns))) can put it
 * into a SocketPoll (which registers Socket_T objects only). */
static int
open_pipe (struct SocketDNS_T *d)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds)
      < 0)
    return -1;
  d->pipe_r = fds[0];
  d->pipe_w = fds[1];
  return 0;
}

SocketDNS_T
SocketDNS_new (void)
{
  static _Atomic uintptr_t serials;
  struct SocketDNS_T *d = calloc (1, sizeof *d);
  int rc;

  if (d == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed, "SocketDNS_new: %s",
                      SOCKET_ENOMEM);
  pthread_mutex_init (&d->lock, NULL);
  pthread_cond_init (&d->work_cond, NULL);
  pthread_cond_init (&d->sync_cond, NULL);
  pthread_cond_init (&d->stall_cond, NULL);
  d->pipe_r = d->pipe_w = -1;
  d->max_pending = SOCKET_DNS_MAX_PENDING;
  d->timeout_ms = SOCKET_DEFAULT_DNS_TIMEOUT_MS;
  /* Serial in the top bits: handles of different resolvers never match. */
  d->serial = ((atomic_fetch_add (&serials, 1) % 4095) + 1) << DNS_SERIAL_SHIFT;
  if (open_pipe (d) < 0)
    {
      int saved = errno;
      destroy (d);
      errno = saved;
      SOCKET_RAISE_FMT (SocketDNS, SocketDNS_Failed,
                        "SocketDNS_new: cannot create completion socketpair");
    }
  rc = start_workers (d);
  if (rc != 0)
    {
      stop_workers (d);
      destroy (d);
      errno = rc;
      SOCKET_RAISE_FMT (SocketDNS, SocketDNS_Failed,
                        "SocketDNS_new: cannot start worker threads");
    }
  return d;
}

void
SocketDNS_free (SocketDNS_T *dns)
{
  if (dns == NULL || *dns == NULL)
    return;
  /* Workers finish their current getaddrinfo and free zombies; every
   * other record is still in the table and freed by destroy. */
  stop_workers (*dns);
  destroy (*dns);
  *dns = NULL;
}

/* ---- submission -------------------------------------------------------- */

static void
check_dns (SocketDNS_T dns, const char *op)
{
  if (dns == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed, "%s: NULL resolver", op);
}

/* Hostname or address literal: 1..255 bytes, labels of 1..63 bytes,
 * letters, digits, '-', '_', '.', and ':' / '%' for IPv6 literals. */
static int
valid_host (const char *host)
{
  size_t len = 0, label = 0;

  for (const char *p = host; *p; p++, len++)
    {
      unsigned char c = (unsigned char)*p;
      if (c == '.')
        {
          if (label == 0 && p[1] != '\0')
            return 0; /* empty label */
          label = 0;
          continue;
        }
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':'
            || c == '%'))
        return 0;
      if (++label > SOCKET_DNS_MAX_LABEL_LENGTH)
        return 0;
    }
  return len > 0 && len <= DNS_MAX_HOSTNAME;
}

void
SocketDNS__validate_args (const char *host, int port, const char *op)
{
  if (host != NULL && !valid_host (host))
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "%s: invalid host name \"%.64s\"", op, host);
  if (port < 0 || port > SOCKET_MAX_PORT)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "%s: port %d outside 0..%d", op, port, SOCKET_MAX_PORT);
}

void
SocketDNS__default_hints (struct addrinfo *h, const char *host)
{
  memset (h, 0, sizeof *h);
  h->ai_family = AF_UNSPEC;
  h->ai_socktype = SOCK_STREAM; /* one entry per address, not three */
  h->ai_flags = AI_NUMERICSERV | (host == NULL ? AI_PASSIVE : 0);
}

/* Allocate and queue; returns NULL with *why set when it cannot. Caller
 * holds the lock. */
struct dns_req *
SocketDNS__enqueue_locked (struct SocketDNS_T *d, const char *host, int port,
                const struct addrinfo *hints, const char **why)
{
  struct dns_req *r;

  if (d->pending >= d->max_pending)
    {
      *why = "too many pending requests";
      return NULL;
    }
  r = calloc (1, sizeof *r);
  if (r == NULL || (host != NULL && (r->host = strdup (host)) == NULL))
    {
      free (r);
      *why = SOCKET_ENOMEM;
      return NULL;
    }
  d->nrecords++;
  r->id = d->serial | (++d->next_id & ((((uintptr_t)1) << DNS_SERIAL_SHIFT) - 1));
  r->port = port;
  if (hints)
    {
      r->hints.ai_flags = hints->ai_flags | AI_NUMERICSERV;
      r->hints.ai_family = hints->ai_family;
      r->hints.ai_socktype = hints->ai_socktype;
      r->hints.ai_protocol = hints->ai_protocol;
    }
  else
    SocketDNS__default_hints (&r->hints, host);
  r->submit_ms = Socket_get_monotonic_ms ();
  r->timeout_ms = d->timeout_ms;
  r->state = DNS_QUEUED;
  r->hnext = d->table[bucket (r->id)];
  d->table[bucket (r->id)] = r;
  list_push (&d->queue, r);
  active_add (d, r);
  pthread_cond_signal (&d->work_cond);
  SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_SUBMITTED, 1);
  return r;
}

SocketDNS_Request_T
SocketDNS_resolve (SocketDNS_T dns, const char *host, int port,
                   SocketDNS_Callback callback, void *data)
{
  struct dns_req *r;
  const char *why = NULL;
  uintptr_t id = 0;

  check_dns (dns, "SocketDNS_resolve");
  SocketDNS__validate_args (host, port, "SocketDNS_resolve");
  pthread_mutex_lock (&dns->lock);
  r = SocketDNS__enqueue_locked (dns, host, port, NULL, &why);
  if (r != NULL)
    {
      r->cb = callback;
      r->data = data;
      id = r->id;
    }
  pthread_mutex_unlock (&dns->lock);
  if (r == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_resolve(%s:%d): %s (max pending %zu)",
                      host ? host : "*", port, why, dns->max_pending);
  return (SocketDNS_Request_T)id;
}

void
SocketDNS_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  struct dns_req *r;
  int counted = 1;

  check_dns (dns, "SocketDNS_cancel");
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && !r->sync)
    {
      switch (r->state)
        {
        case DNS_QUEUED:
          SocketDNS__list_remove (&dns->queue, r);
          SocketDNS__active_remove (dns, r);
          break;
        case DNS_RUNNING:
          SocketDNS__active_remove (dns, r);
          break;
        case DNS_DONE:
          SocketDNS__list_remove (&dns->done, r);
          break;
        case DNS_COMPLETE:
          break;
        case DNS_RETIRED:
          SocketDNS__list_remove (&dns->retired, r);
          dns->nretired--;
          counted = 0;
          break;
        }
      SocketDNS__req_release (dns, r);
      if (counted)
        SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_CANCELLED, 1);
    }
  pthread_mutex_unlock (&dns->lock);
}

/* ---- completion -------------------------------------------------------- */

static int
expired (const struct dns_req *r, int64_t now)
{
  return r->timeout_ms > 0 && now - r->submit_ms >= r->timeout_ms;
}

/* Complete every overdue async request with EAI_AGAIN. Lock held. */
static void
expire_locked (struct SocketDNS_T *d)
{
  int64_t now = Socket_get_monotonic_ms ();
  struct dns_req *r = d->active, *next;

  for (; r != NULL; r = next)
    {
      next = r->anext;
      if (r->sync || !expired (r, now))
        continue;
      if (r->state == DNS_QUEUED)
        SocketDNS__list_remove (&d->queue, r);
      SocketDNS__active_remove (d, r);
      r->state = DNS_DONE; /* a running worker will discard its result */
      r->error = EAI_AGAIN;
      r->timed_out = 1;
      list_push (&d->done, r);
      SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_TIMEOUT, 1);
    }
}

static void
drain_pipe (struct SocketDNS_T *d)
{
  char buf[SOCKET_DNS_PIPE_BUFFER_SIZE];

  d->signalled = 0; /* before reading: a later completion writes again */
  while (recv (d->pipe_r, buf, sizeof buf, 0) > 0)
    ;
}

/* Deliver one DONE request: callback (record freed afterwards) or make it
 * available to getresult. Called with the lock held; may drop it. */
static void
deliver (struct SocketDNS_T *d, struct dns_req *r)
{
  char host[DNS_MAX_HOSTNAME + 1];
  int port = r->port, timed_out = r->timed_out;

  snprintf (host, sizeof host, "%s", r->host ? r->host : "");
  if (r->cb == NULL)
    r->state = DNS_COMPLETE;
  else
    {
      SocketDNS_Callback cb = r->cb;
      struct addrinfo *res = r->result;
      int error = r->error;
      void *data = r->data;
      SocketDNS_Request_T handle = (SocketDNS_Request_T)r->id;

      r->result = NULL; /* ownership passes to the callback */
      SocketDNS__req_release (d, r);
      pthread_mutex_unlock (&d->lock);
      if (timed_out)
        SocketEvent_emit_dns_timeout (host, port);
      cb (handle, res, error, data);
      pthread_mutex_lock (&d->lock);
      return;
    }
  if (timed_out)
    {
      pthread_mutex_unlock (&d->lock);
      SocketEvent_emit_dns_timeout (host, port);
      pthread_mutex_lock (&d->lock);
    }
}

int
SocketDNS_check (SocketDNS_T dns)
{
  struct dns_req *r;
  int n = 0;

  check_dns (dns, "SocketDNS_check");
  pthread_mutex_lock (&dns->lock);
  drain_pipe (dns);
  expire_locked (dns);
  /* One at a time: callbacks may resolve or cancel meanwhile. */
  while ((r = list_pop (&dns->done)) != NULL)
    {
      deliver (dns, r);
      n++;
    }
  pthread_mutex_unlock (&dns->lock);
  return n;
}

int
SocketDNS_pollfd (SocketDNS_T dns)
{
  check_dns (dns, "SocketDNS_pollfd");
  return dns->pipe_r;
}

static void
retire_locked (struct SocketDNS_T *d, struct dns_req *r)
{
  r->state = DNS_RETIRED;
  list_push (&d->retired, r);
  if (++d->nretired > DNS_RETIRED_MAX)
    {
      struct dns_req *old = list_pop (&d->retired);
      d->nretired--;
      SocketDNS__req_release (d, old);
    }
}

struct addrinfo *
SocketDNS_getresult (SocketDNS_T dns, SocketDNS_Request_T req)
{
  struct dns_req *r;
  struct addrinfo *res = NULL;

  check_dns (dns, "SocketDNS_getresult");
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && r->cb == NULL && !r->sync
      && (r->state == DNS_DONE || r->state == DNS_COMPLETE))
    {
      if (r->state == DNS_DONE)
        SocketDNS__list_remove (&dns->done, r);
      res = r->result;
      r->result = NULL;
      if (r->error == 0)
        SocketDNS__req_release (dns, r); /* geterror() of a stale handle is 0 too */
      else
        retire_locked (dns, r);
    }
  pthread_mutex_unlock (&dns->lock);
  return res;
}

int
SocketDNS_geterror (SocketDNS_T dns, const struct SocketDNS_Request_T *req)
{
  struct dns_req *r;
  int err = 0;

  check_dns (dns, "SocketDNS_geterror");
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && r->state >= DNS_DONE)
    err = r->error;
  pthread_mutex_unlock (&dns->lock);
  return err;
}

/* ---- settings ---------------------------------------------------------- */

size_t
SocketDNS_getmaxpending (SocketDNS_T dns)
{
  size_t v;

  check_dns (dns, "SocketDNS_getmaxpending");
  pthread_mutex_lock (&dns->lock);
  v = dns->max_pending;
  pthread_mutex_unlock (&dns->lock);
  return v;
}

void
SocketDNS_setmaxpending (SocketDNS_T dns, size_t max_pending)
{
  check_dns (dns, "SocketDNS_setmaxpending");
  pthread_mutex_lock (&dns->lock);
  dns->max_pending = max_pending; /* below the current count: new requests
                                     are refused until it drains */
  pthread_mutex_unlock (&dns->lock);
}

int
SocketDNS_gettimeout (SocketDNS_T dns)
{
  int v;

  check_dns (dns, "SocketDNS_gettimeout");
  pthread_mutex_lock (&dns->lock);
  v = dns->timeout_ms;
  pthread_mutex_unlock (&dns->lock);
  return v;
}

void
SocketDNS_settimeout (SocketDNS_T dns, int timeout_ms)
{
  check_dns (dns, "SocketDNS_settimeout");
  if (timeout_ms < 0)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_settimeout: %d ms (0 = no timeout)",
                      timeout_ms);
  pthread_mutex_lock (&dns->lock);
  dns->timeout_ms = timeout_ms;
  pthread_mutex_unlock (&dns->lock);
}

void
SocketDNS_request_settimeout (SocketDNS_T dns, SocketDNS_Request_T req,
                              int timeout_ms)
{
  struct dns_req *r;

  check_dns (dns, "SocketDNS_request_settimeout");
  if (timeout_ms < 0)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_request_settimeout: %d ms (0 = none)",
                      timeout_ms);
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  /* Measured from submission; no effect once the request finished. */
  if (r != NULL && (r->state == DNS_QUEUED || r->state == DNS_RUNNING))
    r->timeout_ms = timeout_ms;
  pthread_mutex_unlock (&dns->lock);
}

SocketDNS_Request_T
SocketDNS_create_completed_request (SocketDNS_T dns, struct addrinfo *result,
                                    int port)
{
  struct dns_req *r;
  uintptr_t id;

  check_dns (dns, "SocketDNS_create_completed_request");
  if (result == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_create_completed_request: NULL result");
  SocketDNS__validate_args (NULL, port, "SocketDNS_create_completed_request");
  r = calloc (1, sizeof *r);
  if (r == NULL)
    SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed,
                      "SocketDNS_create_completed_request: %s",
                      SOCKET_ENOMEM);
  pthread_mutex_lock (&dns->lock);
  dns->nrecords++;
  r->id = dns->serial
          | (++dns->next_id & ((((uintptr_t)1) << DNS_SERIAL_SHIFT) - 1));
  r->port = port;
  r->result = result;
  r->state = DNS_COMPLETE;
  r->submit_ms = Socket_get_monotonic_ms ();
  r->hnext = dns->table[bucket (r->id)];
  dns->table[bucket (r->id)] = r;
  id = r->id;
  pthread_mutex_unlock (&dns->lock);
  return (SocketDNS_Request_T)id;
}
