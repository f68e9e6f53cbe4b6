/*
 * SocketDNS-private.h - test hooks of the resolver and the internals that
 * SocketDNS.c and SocketDNS-sync.c share (not API).
 */
#ifndef SOCKETDNS_PRIVATE_H
#define SOCKETDNS_PRIVATE_H

#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/SocketConfig.h"
#include "dns/SocketDNS.h"

/**
 * Stall gate: while set, a worker that has taken a request holds it in the
 * RUNNING state without calling getaddrinfo, until the gate is cleared or
 * the resolver is freed. Tests use it to make requests deterministically
 * slow (timeouts, cancel of a running request, max pending). With every
 * worker stalled, further requests stay QUEUED.
 */
void SocketDNS__set_stall (SocketDNS_T dns, int stalled);

/** Request records holding resources: queued, running, or finished but
 *  not yet handed out; excludes the bounded history of finished handles
 *  kept only so SocketDNS_geterror() can answer (leak checks). */
size_t SocketDNS__live_records (SocketDNS_T dns);

/** Requests counted against max pending (queued, not yet taken by a
 *  worker). */
size_t SocketDNS__pending (SocketDNS_T dns);

/* ---- internals shared by SocketDNS.c and SocketDNS-sync.c -------------- */

#define DNS_MAX_HOSTNAME 255
/* Error code of a cancelled request: glibc's EAI_CANCELED (-101). */
#ifdef EAI_CANCELED
#define DNS_EAI_CANCELLED EAI_CANCELED
#else
#define DNS_EAI_CANCELLED (-101)
#endif
/* Handles that left the lookup table (result taken, delivered to a
 * callback, cancelled) stay answerable by geterror(); the oldest are freed
 * beyond this many. */
#define DNS_RETIRED_MAX 1024
#define DNS_SERIAL_SHIFT (sizeof (uintptr_t) * CHAR_BIT - 12)

enum dns_state
{
  DNS_QUEUED,
  DNS_RUNNING,
  DNS_COMPLETE /* resolved, failed, timed out or cancelled */
};

struct dns_req
{
  uintptr_t id;
  enum dns_state state;
  char *host; /* NULL = passive */
  int port;
  struct addrinfo hints;
  SocketDNS_Callback cb;
  void *data;
  int error;
  struct addrinfo *result; /* library-allocated list (freeaddrinfo-safe) */
  int64_t submit_ms;
  int timeout_ms;        /* 0 = none, -1 = the resolver's default */
  int sync;              /* owned by a resolve_sync caller */
  int cancelled;         /* cancelled while running: worker discards */
  int detached;          /* out of the lookup table: no getresult */
  int retired;           /* on the retired list */
  int zombie;            /* sync caller gave up; the worker frees it */
  struct dns_req *hnext; /* hash chain */
  struct dns_req *next;  /* queue / retired list */
};

struct req_list
{
  struct dns_req *head, *tail;
};

struct SocketDNS_T
{
  pthread_mutex_t lock;
  pthread_cond_t work_cond;  /* queue non-empty or shutdown */
  pthread_cond_t sync_cond;  /* a sync request finished */
  pthread_cond_t stall_cond; /* test gate opened */
  pthread_t threads[SOCKET_DNS_THREAD_COUNT];
  int nthreads;
  int shutdown, stalled;
  int pipe_r, pipe_w;
  struct dns_req *table[SOCKET_DNS_REQUEST_HASH_SIZE];
  struct req_list queue, retired;
  size_t queued, max_pending, nretired, nrecords;
  int timeout_ms;
  uintptr_t serial, next_id;
};

/* Caller holds d->lock for the *_locked / list / release helpers. */
void SocketDNS__validate_args (const char *host, int port);
void SocketDNS__default_hints (struct addrinfo *h, const char *host);
struct dns_req *SocketDNS__enqueue_locked (struct SocketDNS_T *d,
                                          const char *host, int port,
                                          const struct addrinfo *hints);
void SocketDNS__list_remove (struct req_list *l, struct dns_req *r);
void SocketDNS__req_free (struct SocketDNS_T *d, struct dns_req *r);
struct addrinfo *SocketDNS__own_list (struct addrinfo *gai_res, int *err);

#endif /* SOCKETDNS_PRIVATE_H */
