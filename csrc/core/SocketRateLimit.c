/*
 * SocketRateLimit.c - thread-safe token bucket.
 *
 * Tokens are kept in thousandths so slow rates refill smoothly, and time in
 * nanoseconds; refill happens lazily on every call. Only the time that
 * produced whole milli-tokens is consumed, so no refill is lost to rounding.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/SocketRateLimit-private.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"

const Except_T SocketRateLimit_Failed
    = { &SocketRateLimit_Failed, "Rate limiter operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketRateLimit);

#define MILLI 1000u
#define NS_PER_SEC 1000000000LL
/* Tokens are stored in thousandths in a uint64_t. */
#define MAX_TOKENS ((size_t)(UINT64_MAX / MILLI))

struct SocketRateLimit_T
{
  pthread_mutex_t lock;
  size_t rate;         /* tokens per second, > 0 */
  size_t capacity;     /* bucket size in tokens, > 0 */
  uint64_t milli;      /* available, in 1/1000 tokens */
  int64_t last_ns;     /* time up to which refill was credited */
  int arena_owned;     /* memory belongs to an arena */
};

static int64_t
monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static _Atomic (SocketRateLimit__clock_fn) clock_fn = monotonic_ns;

void
SocketRateLimit__set_clock (SocketRateLimit__clock_fn fn)
{
  atomic_store (&clock_fn, fn ? fn : monotonic_ns);
}

static int64_t
now_ns (void)
{
  return atomic_load_explicit (&clock_fn, memory_order_relaxed) ();
}

static uint64_t
capacity_milli (const struct SocketRateLimit_T *l)
{
  return (uint64_t)l->capacity * MILLI; /* capacity <= MAX_TOKENS */
}

/* Credit the tokens earned since last_ns. Caller holds the lock. */
static void
refill (struct SocketRateLimit_T *l)
{
  int64_t now = now_ns ();
  uint64_t cap = capacity_milli (l);
  unsigned __int128 earned;

  if (now <= l->last_ns)
    return;
  if (l->milli >= cap)
    {
      l->last_ns = now;
      return;
    }
  earned = (unsigned __int128)(now - l->last_ns) * l->rate * MILLI / NS_PER_SEC;
  if (earned >= cap - l->milli)
    {
      l->milli = cap;
      l->last_ns = now;
      return;
    }
  l->milli += (uint64_t)earned;
  /* Advance only by the time those whole milli-tokens took. */
  l->last_ns += (int64_t)(earned * NS_PER_SEC / ((unsigned __int128)l->rate * MILLI));
}

static void
check_handle (SocketRateLimit_T limiter, const char *op)
{
  if (limiter == NULL)
    SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                      "%s: NULL limiter", op);
}

SocketRateLimit_T
SocketRateLimit_new (Arena_T arena, size_t tokens_per_sec, size_t bucket_size)
{
  struct SocketRateLimit_T *l;

  if (tokens_per_sec == 0)
    SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                      "tokens_per_sec must be > 0");
  if (tokens_per_sec > MAX_TOKENS || bucket_size > MAX_TOKENS)
    SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                      "SocketRateLimit_new: rate/bucket above %zu", MAX_TOKENS);
  if (arena != NULL)
    l = ALLOC (arena, sizeof *l);
  else if ((l = malloc (sizeof *l)) == NULL)
    SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                      "Failed to allocate rate limiter");
  if (pthread_mutex_init (&l->lock, NULL) != 0)
    {
      if (arena == NULL)
        free (l);
      SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                        "Failed to initialize rate limiter mutex");
    }
  l->rate = tokens_per_sec;
  l->capacity = bucket_size ? bucket_size : tokens_per_sec;
  l->milli = capacity_milli (l);
  l->last_ns = now_ns ();
  l->arena_owned = arena != NULL;
  return l;
}

void
SocketRateLimit_free (SocketRateLimit_T *limiter)
{
  if (limiter == NULL || *limiter == NULL)
    return;
  pthread_mutex_destroy (&(*limiter)->lock);
  if (!(*limiter)->arena_owned)
    free (*limiter);
  *limiter = NULL;
}

int
SocketRateLimit_try_acquire (SocketRateLimit_T limiter, size_t tokens)
{
  int ok = 0;
  unsigned __int128 need = (unsigned __int128)tokens * MILLI;

  check_handle (limiter, "SocketRateLimit_try_acquire");
  if (tokens == 0)
    return 1; /* immediately, no refill (as the original) */
  pthread_mutex_lock (&limiter->lock);
  refill (limiter);
  if (need <= limiter->milli)
    {
      limiter->milli -= (uint64_t)need;
      ok = 1;
    }
  pthread_mutex_unlock (&limiter->lock);
  return ok;
}

int64_t
SocketRateLimit_wait_time_ms (SocketRateLimit_T limiter, size_t tokens)
{
  int64_t ms = 0;
  unsigned __int128 need = (unsigned __int128)tokens * MILLI;

  check_handle (limiter, "SocketRateLimit_wait_time_ms");
  pthread_mutex_lock (&limiter->lock);
  if (tokens > limiter->capacity)
    ms = -1;
  else
    {
      refill (limiter);
      if (need > limiter->milli)
        {
          unsigned __int128 deficit = need - limiter->milli;
          unsigned __int128 per_ms = (unsigned __int128)limiter->rate; /* milli-tokens per ms */
          unsigned __int128 wait = (deficit + per_ms - 1) / per_ms;
          ms = wait > INT64_MAX ? INT64_MAX : (int64_t)wait;
        }
    }
  pthread_mutex_unlock (&limiter->lock);
  return ms;
}

size_t
SocketRateLimit_available (SocketRateLimit_T limiter)
{
  size_t n;

  check_handle (limiter, "SocketRateLimit_available");
  pthread_mutex_lock (&limiter->lock);
  refill (limiter);
  n = (size_t)(limiter->milli / MILLI);
  pthread_mutex_unlock (&limiter->lock);
  return n;
}

void
SocketRateLimit_reset (SocketRateLimit_T limiter)
{
  check_handle (limiter, "SocketRateLimit_reset");
  pthread_mutex_lock (&limiter->lock);
  limiter->milli = capacity_milli (limiter);
  limiter->last_ns = now_ns ();
  pthread_mutex_unlock (&limiter->lock);
}

void
SocketRateLimit_configure (SocketRateLimit_T limiter, size_t tokens_per_sec,
                           size_t bucket_size)
{
  check_handle (limiter, "SocketRateLimit_configure");
  if (tokens_per_sec > MAX_TOKENS || bucket_size > MAX_TOKENS)
    SOCKET_RAISE_MSG (SocketRateLimit, SocketRateLimit_Failed,
                      "SocketRateLimit_configure: rate/bucket above %zu",
                      MAX_TOKENS);
  pthread_mutex_lock (&limiter->lock);
  refill (limiter); /* credit the old rate up to now */
  if (tokens_per_sec != 0)
    limiter->rate = tokens_per_sec;
  if (bucket_size != 0)
    limiter->capacity = bucket_size;
  if (limiter->milli > capacity_milli (limiter))
    limiter->milli = capacity_milli (limiter);
  pthread_mutex_unlock (&limiter->lock);
}

size_t
SocketRateLimit_get_rate (SocketRateLimit_T limiter)
{
  size_t r;

  check_handle (limiter, "SocketRateLimit_get_rate");
  pthread_mutex_lock (&limiter->lock);
  r = limiter->rate;
  pthread_mutex_unlock (&limiter->lock);
  return r;
}

size_t
SocketRateLimit_get_bucket_size (SocketRateLimit_T limiter)
{
  size_t c;

  check_handle (limiter, "SocketRateLimit_get_bucket_size");
  pthread_mutex_lock (&limiter->lock);
  c = limiter->capacity;
  pthread_mutex_unlock (&limiter->lock);
  return c;
}
