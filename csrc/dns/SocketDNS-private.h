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

/** Request records currently allocated, including ones a worker still
 *  holds after a timeout or cancel (leak checks). */
size_t SocketDNS__live_records (SocketDNS_T dns);

/** Requests counted against max pending (queued or running). */
size_t SocketDNS__pending (SocketDNS_T dns);

/* ---- internals shared by SocketDNS.c and SocketDNS-sync.c -------------- */

#define DNS_MAX_HOSTNAME 255
/* Failed requests whose result was taken stay answerable by geterror();
 * the oldest are dropped beyond this many. */
#define DNS_RETIRED_MAX 1024
#define DNS_SERIAL_SHIFT (sizeof (uintptr_t) * CHAR_BIT - 12)

enum dns_state
{
  DNS_QUEUED,
  DNS_RUNNING,
  DNS_DONE,     /* finished, waiting for SocketDNS_check */
  DNS_COMPLETE, /* checked, result waiting for getresult */
  DNS_RETIRED   /* result taken, error kept for geterror */
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
  struct addrinfo *result;
  int64_t submit_ms;
  int timeout_ms;        /* 0 = none */
  int sync;              /* owned by a resolve_sync caller */
  int timed_out;
  int worker_active;     /* a worker reads host/hints and will write back */
  int zombie;            /* user side gone; the worker frees it */
  struct dns_req *hnext; /* hash chain */
  struct dns_req *next;  /* queue / done / retired list */
  struct dns_req *aprev, *anext; /* active (queued+running) list */
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
  int signalled;             /* a byte is in the pipe */
  struct dns_req *table[SOCKET_DNS_REQUEST_HASH_SIZE];
  struct req_list queue, done, retired;
  struct dns_req *active;
  size_t pending, max_pending, nretired, nrecords;
  int timeout_ms;
  uintptr_t serial, next_id;
};

/* Caller holds d->lock for the *_locked / list / release helpers. */
void SocketDNS__validate_args (const char *host, int port, const char *op);
void SocketDNS__default_hints (struct addrinfo *h, const char *host);
struct dns_req *SocketDNS__enqueue_locked (struct SocketDNS_T *d,
                                          const char *host, int port,
                                          const struct addrinfo *hints,
                                          const char **why);
void SocketDNS__list_remove (struct req_list *l, struct dns_req *r);
void SocketDNS__active_remove (struct SocketDNS_T *d, struct dns_req *r);
void SocketDNS__req_release (struct SocketDNS_T *d, struct dns_req *r);

#endif /* SOCKETDNS_PRIVATE_H */
