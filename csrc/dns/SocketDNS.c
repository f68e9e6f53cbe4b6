/*
 * SocketDNS.c - getaddrinfo() on a pool of worker threads.
 *
 * Requests move QUEUED -> RUNNING -> COMPLETE. Workers do everything that
 * finishes a request: they check its timeout when they take it and again
 * after the lookup, store the result for SocketDNS_getresult() or, for a
 * request with a callback, run the callback on the worker thread, handing
 * it the result. Every event (completion, failure, timeout, cancel of a
 * queued or running request, completed-request creation) writes one byte to
 * the completion socketpair; SocketDNS_check() only drains those bytes.
 *
 * Handles are ids, not pointers: (instance serial, counter) cast to the
 * handle type, looked up in a hash table of SOCKET_DNS_REQUEST_HASH_SIZE
 * buckets, so a stale or foreign handle is never dereferenced. A request
 * that left the lookup table (result taken, callback run, cancelled) stays
 * answerable by SocketDNS_geterror() on a bounded retired list.
 *
 * Result lists are built by SocketCommon_copy_addrinfo(): glibc's node
 * layout, so both freeaddrinfo() and SocketCommon_free_addrinfo() free
 * them. One lock guards all state; callbacks run without it.
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
#include "socket/SocketCommon.h"

const Except_T SocketDNS_Failed
    = { &SocketDNS_Failed, "SocketDNS operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketDNS);

#define DNS_RAISE(fmt, ...)                                                   \
  SOCKET_RAISE_MSG (SocketDNS, SocketDNS_Failed, fmt, ##__VA_ARGS__)

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

void
SocketDNS__req_free (struct SocketDNS_T *d, struct dns_req *r)
{
  table_remove (d, r);
  SocketCommon_free_addrinfo (r->result);
  free (r->host);
  free (r);
  d->nrecords--;
}

/* Take @p r out of the lookup table for good (getresult then returns
 * NULL) but keep it for geterror(); the oldest such records are freed.
 * Never called for a record a worker still holds. */
static void
retire_locked (struct SocketDNS_T *d, struct dns_req *r)
{
  r->detached = 1;
  if (r->retired)
    return;
  r->retired = 1;
  list_push (&d->retired, r);
  d->nretired++;
  while (d->nretired > DNS_RETIRED_MAX)
    {
      struct dns_req *old = list_pop (&d->retired);
      d->nretired--;
      SocketDNS__req_free (d, old);
    }
}

/* One byte per event. The write end is non-blocking: with a full buffer
 * (nobody drains it) the byte is dropped rather than stalling a worker. */
static void
signal_event (struct SocketDNS_T *d)
{
  char byte = SOCKET_DNS_COMPLETION_SIGNAL_BYTE;

  (void)send (d->pipe_w, &byte, 1, MSG_NOSIGNAL);
}

/* The request's own timeout, or the resolver's current default (read when
 * checked, so SocketDNS_settimeout applies to requests already queued). */
static int
expired (const struct SocketDNS_T *d, const struct dns_req *r, int64_t now)
{
  int ms = r->timeout_ms >= 0 ? r->timeout_ms : d->timeout_ms;

  return ms > 0 && now - r->submit_ms >= ms;
}

/* Library-owned copy of a getaddrinfo() list (which is freed); NULL with
 * *err = EAI_MEMORY when the copy fails. */
struct addrinfo *
SocketDNS__own_list (struct addrinfo *gai_res, int *err)
{
  struct addrinfo *own;

  if (gai_res == NULL)
    return NULL;
  own = SocketCommon_copy_addrinfo (gai_res);
  freeaddrinfo (gai_res);
  if (own == NULL)
    *err = EAI_MEMORY;
  return own;
}

/* ---- workers ----------------------------------------------------------- */

static void
emit_timeout (const struct dns_req *r, struct SocketDNS_T *d)
{
  char host[DNS_MAX_HOSTNAME + 1];
  int port = r->port;

  snprintf (host, sizeof host, "%s", r->host ? r->host : "");
  pthread_mutex_unlock (&d->lock);
  SocketEvent_emit_dns_timeout (host, port);
  pthread_mutex_lock (&d->lock);
}

/* The request had timed out before a worker took it: no lookup, no
 * callback; EAI_AGAIN for geterror. Lock held. */
static void
expire_before_lookup (struct SocketDNS_T *d, struct dns_req *r)
{
  r->state = DNS_COMPLETE;
  r->error = EAI_AGAIN;
  SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_TIMEOUT, 1);
  if (r->sync)
    {
      pthread_cond_broadcast (&d->sync_cond);
      return;
    }
  signal_event (d);
  if (r->cb != NULL)
    retire_locked (d, r); /* never delivered: getresult has nothing */
  emit_timeout (r, d); /* r is not used afterwards */
}

/* Called with the lock held when getaddrinfo returned for @p r; may drop
 * the lock to run the callback. */
static void
worker_finish (struct SocketDNS_T *d, struct dns_req *r, int err,
               struct addrinfo *res)
{
  SocketDNS_Callback cb;
  SocketDNS_Request_T handle;
  void *data;
  int timed_out;

  if (r->zombie || r->cancelled)
    {
      /* The sync caller gave up, or cancelled: the result is discarded. */
      SocketCommon_free_addrinfo (res);
      r->state = DNS_COMPLETE;
      if (r->zombie)
        SocketDNS__req_free (d, r);
      else
        retire_locked (d, r);
      return;
    }
  timed_out = expired (d, r, Socket_get_monotonic_ms ());
  if (timed_out)
    err = EAI_AGAIN;
  if (err != 0)
    {
      SocketCommon_free_addrinfo (res);
      res = NULL;
    }
  SocketMetrics_increment (
      timed_out ? SOCKET_METRIC_DNS_REQUEST_TIMEOUT
      : err == 0 ? SOCKET_METRIC_DNS_REQUEST_COMPLETED
                 : SOCKET_METRIC_DNS_REQUEST_FAILED,
      1);
  r->state = DNS_COMPLETE;
  r->error = err;
  if (r->sync)
    {
      r->result = res;
      pthread_cond_broadcast (&d->sync_cond);
      return;
    }
  signal_event (d);
  cb = r->cb;
  handle = (SocketDNS_Request_T)r->id;
  data = r->data;
  if (cb == NULL)
    r->result = res;
  else
    retire_locked (d, r); /* the callback owns the result */
  if (timed_out)
    emit_timeout (r, d); /* drops the lock: r is not used afterwards */
  if (cb != NULL)
    {
      pthread_mutex_unlock (&d->lock);
      cb (handle, res, err, data);
      pthread_mutex_lock (&d->lock);
    }
}

static void
run_lookup (struct SocketDNS_T *d, struct dns_req *r)
{
  char port[SOCKET_DNS_PORT_STR_SIZE];
  struct addrinfo *res = NULL;
  int err;

  r->state = DNS_RUNNING;
  while (d->stalled && !d->shutdown)
    pthread_cond_wait (&d->stall_cond, &d->lock);
  snprintf (port, sizeof port, "%d", r->port);
  pthread_mutex_unlock (&d->lock);
  /* host and hints are stable while the request is RUNNING. */
  err = getaddrinfo (r->host, port, &r->hints, &res);
  if (err == EAI_SYSTEM && errno == EINTR)
    err = EAI_AGAIN;
  if (err == 0)
    res = SocketDNS__own_list (res, &err);
  else if (res != NULL)
    {
      freeaddrinfo (res);
      res = NULL;
    }
  pthread_mutex_lock (&d->lock);
  worker_finish (d, r, err, res);
}

/* Workers exit only once the queue is empty: SocketDNS_free lets every
 * queued request be resolved (and its callback run). */
static void *
worker_main (void *arg)
{
  struct SocketDNS_T *d = arg;

  pthread_mutex_lock (&d->lock);
  for (;;)
    {
      struct dns_req *r;

      while (!d->shutdown && d->queue.head == NULL)
        pthread_cond_wait (&d->work_cond, &d->lock);
      r = list_pop (&d->queue);
      if (r == NULL)
        break; /* shutdown, nothing left */
      d->queued--;
      if (expired (d, r, Socket_get_monotonic_ms ()))
        expire_before_lookup (d, r);
      else
        run_lookup (d, r);
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
        SocketDNS__req_free (d, r);
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
  /* Workers resolve every request still queued (running callbacks) and
   * free abandoned sync requests before they exit; every other record is
   * in the table and freed by destroy. */
  stop_workers (*dns);
  destroy (*dns);
  *dns = NULL;
}

/* ---- submission -------------------------------------------------------- */

static int
is_ip_literal (const char *host)
{
  unsigned char buf[sizeof (struct in6_addr)];

  return inet_pton (AF_INET, host, buf) == 1
         || inet_pton (AF_INET6, host, buf) == 1;
}

/* IP literal, or RFC 1123 name: 1..255 bytes, labels of 1..63 letters,
 * digits and '-' starting with a letter or digit. */
static int
valid_host (const char *host)
{
  size_t len = 0, label = 0;

  if (is_ip_literal (host))
    return 1;
  for (const char *p = host; *p; p++, len++)
    {
      unsigned char c = (unsigned char)*p;
      int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9');
      if (c == '.')
        {
          if (label == 0)
            return 0; /* empty label */
          label = 0;
          continue;
        }
      if (!alnum && (c != '-' || label == 0))
        return 0;
      if (++label > SOCKET_DNS_MAX_LABEL_LENGTH)
        return 0;
    }
  return len > 0 && len <= DNS_MAX_HOSTNAME && label > 0;
}

void
SocketDNS__validate_args (const char *host, int port)
{
  if (host != NULL && !valid_host (host))
    DNS_RAISE ("Invalid hostname format");
  if (port < 0 || port > SOCKET_MAX_PORT)
    DNS_RAISE ("Invalid port number");
}

void
SocketDNS__default_hints (struct addrinfo *h, const char *host)
{
  memset (h, 0, sizeof *h);
  h->ai_family = AF_UNSPEC;
  h->ai_socktype = SOCK_STREAM; /* one entry per address, not three */
  h->ai_flags = AI_NUMERICSERV | (host == NULL ? AI_PASSIVE : 0);
}

static struct dns_req *
new_record_locked (struct SocketDNS_T *d)
{
  struct dns_req *r = calloc (1, sizeof *r);

  if (r == NULL)
    return NULL;
  d->nrecords++;
  r->id = d->serial
          | (++d->next_id & ((((uintptr_t)1) << DNS_SERIAL_SHIFT) - 1));
  r->submit_ms = Socket_get_monotonic_ms ();
  r->hnext = d->table[bucket (r->id)];
  d->table[bucket (r->id)] = r;
  return r;
}

/* Allocate and queue; raises when the queue is full or memory runs out.
 * Caller holds the lock (released before raising). */
struct dns_req *
SocketDNS__enqueue_locked (struct SocketDNS_T *d, const char *host, int port,
                           const struct addrinfo *hints)
{
  struct dns_req *r;
  char *copy = NULL;

  if (d->queued >= d->max_pending)
    {
      size_t max = d->max_pending;
      pthread_mutex_unlock (&d->lock);
      DNS_RAISE ("DNS request queue full (max %zu pending)", max);
    }
  if ((host != NULL && (copy = strdup (host)) == NULL)
      || (r = new_record_locked (d)) == NULL)
    {
      free (copy);
      pthread_mutex_unlock (&d->lock);
      DNS_RAISE ("DNS request: %s", SOCKET_ENOMEM);
    }
  r->host = copy;
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
  r->timeout_ms = -1; /* the resolver's default */
  r->state = DNS_QUEUED;
  list_push (&d->queue, r);
  d->queued++;
  pthread_cond_signal (&d->work_cond);
  SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_SUBMITTED, 1);
  return r;
}

SocketDNS_Request_T
SocketDNS_resolve (SocketDNS_T dns, const char *host, int port,
                   SocketDNS_Callback callback, void *data)
{
  struct dns_req *r;
  uintptr_t id;

  if (dns == NULL)
    DNS_RAISE ("Invalid NULL dns resolver");
  SocketDNS__validate_args (host, port);
  pthread_mutex_lock (&dns->lock);
  r = SocketDNS__enqueue_locked (dns, host, port, NULL);
  r->cb = callback;
  r->data = data;
  id = r->id;
  pthread_mutex_unlock (&dns->lock);
  return (SocketDNS_Request_T)id;
}

void
SocketDNS_cancel (SocketDNS_T dns, SocketDNS_Request_T req)
{
  struct dns_req *r;

  if (dns == NULL || req == NULL)
    return;
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && !r->sync)
    {
      switch (r->state)
        {
        case DNS_QUEUED:
          SocketDNS__list_remove (&dns->queue, r);
          dns->queued--;
          r->state = DNS_COMPLETE;
          r->error = DNS_EAI_CANCELLED;
          retire_locked (dns, r);
          signal_event (dns);
          SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_CANCELLED, 1);
          break;
        case DNS_RUNNING:
          if (!r->cancelled)
            {
              r->cancelled = 1; /* the worker discards the result */
              r->detached = 1;
              r->error = DNS_EAI_CANCELLED;
              signal_event (dns);
              SocketMetrics_increment (SOCKET_METRIC_DNS_REQUEST_CANCELLED,
                                       1);
            }
          break;
        case DNS_COMPLETE:
          SocketCommon_free_addrinfo (r->result);
          r->result = NULL;
          r->error = DNS_EAI_CANCELLED;
          retire_locked (dns, r);
          break;
        }
    }
  pthread_mutex_unlock (&dns->lock);
}

/* ---- completion -------------------------------------------------------- */

int
SocketDNS_check (SocketDNS_T dns)
{
  char buf[SOCKET_DNS_PIPE_BUFFER_SIZE];
  ssize_t n;
  int total = 0;

  if (dns == NULL)
    return 0;
  while ((n = recv (dns->pipe_r, buf, sizeof buf, 0)) > 0)
    total += (int)n;
  return total;
}

int
SocketDNS_pollfd (SocketDNS_T dns)
{
  return dns == NULL ? -1 : dns->pipe_r;
}

struct addrinfo *
SocketDNS_getresult (SocketDNS_T dns, SocketDNS_Request_T req)
{
  struct dns_req *r;
  struct addrinfo *res = NULL;

  if (dns == NULL || req == NULL)
    return NULL;
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && !r->sync && !r->detached && r->state == DNS_COMPLETE)
    {
      res = r->result;
      r->result = NULL;
      retire_locked (dns, r); /* geterror() keeps answering */
    }
  pthread_mutex_unlock (&dns->lock);
  return res;
}

int
SocketDNS_geterror (SocketDNS_T dns, const struct SocketDNS_Request_T *req)
{
  struct dns_req *r;
  int err = 0;

  if (dns == NULL || req == NULL)
    return 0;
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  if (r != NULL && !r->sync && (r->state == DNS_COMPLETE || r->cancelled))
    err = r->error;
  pthread_mutex_unlock (&dns->lock);
  return err;
}

/* ---- settings ---------------------------------------------------------- */

size_t
SocketDNS_getmaxpending (SocketDNS_T dns)
{
  size_t v;

  if (dns == NULL)
    return 0;
  pthread_mutex_lock (&dns->lock);
  v = dns->max_pending;
  pthread_mutex_unlock (&dns->lock);
  return v;
}

void
SocketDNS_setmaxpending (SocketDNS_T dns, size_t max_pending)
{
  size_t queued;

  if (dns == NULL)
    DNS_RAISE ("Invalid NULL dns resolver");
  pthread_mutex_lock (&dns->lock);
  queued = dns->queued;
  if (max_pending >= queued)
    dns->max_pending = max_pending;
  pthread_mutex_unlock (&dns->lock);
  if (max_pending < queued)
    DNS_RAISE ("Cannot set max pending (%zu) below current queue size (%zu)",
               max_pending, queued);
}

int
SocketDNS_gettimeout (SocketDNS_T dns)
{
  int v;

  if (dns == NULL)
    return 0;
  pthread_mutex_lock (&dns->lock);
  v = dns->timeout_ms;
  pthread_mutex_unlock (&dns->lock);
  return v;
}

void
SocketDNS_settimeout (SocketDNS_T dns, int timeout_ms)
{
  if (dns == NULL)
    return;
  pthread_mutex_lock (&dns->lock);
  dns->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
  pthread_mutex_unlock (&dns->lock);
}

void
SocketDNS_request_settimeout (SocketDNS_T dns, SocketDNS_Request_T req,
                              int timeout_ms)
{
  struct dns_req *r;

  if (dns == NULL || req == NULL)
    return;
  pthread_mutex_lock (&dns->lock);
  r = lookup (dns, req);
  /* Measured from submission; no effect once the request finished. */
  if (r != NULL && !r->sync
      && (r->state == DNS_QUEUED || r->state == DNS_RUNNING))
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
  pthread_mutex_unlock (&dns->lock);
}

SocketDNS_Request_T
SocketDNS_create_completed_request (SocketDNS_T dns, struct addrinfo *result,
                                    int port)
{
  struct dns_req *r;
  struct addrinfo *copy;
  uintptr_t id;

  if (dns == NULL || result == NULL)
    DNS_RAISE ("SocketDNS_create_completed_request: NULL %s",
               dns == NULL ? "dns resolver" : "result");
  copy = SocketCommon_copy_addrinfo (result);
  if (copy == NULL)
    DNS_RAISE ("SocketDNS_create_completed_request: %s", SOCKET_ENOMEM);
  pthread_mutex_lock (&dns->lock);
  r = new_record_locked (dns);
  if (r == NULL)
    {
      pthread_mutex_unlock (&dns->lock);
      SocketCommon_free_addrinfo (copy);
      DNS_RAISE ("SocketDNS_create_completed_request: %s", SOCKET_ENOMEM);
    }
  r->port = port;
  r->result = copy;
  r->state = DNS_COMPLETE;
  id = r->id;
  signal_event (dns);
  pthread_mutex_unlock (&dns->lock);
  SocketCommon_free_addrinfo (result); /* the caller's list is consumed */
  return (SocketDNS_Request_T)id;
}
