/*
 * SocketTimer.c - one-shot and repeating timers on a binary min-heap.
 *
 * Each poll owns one heap (SocketTimer__Heap). Timers live in a slot array;
 * the heap is an array of slot indices ordered by (deadline, seq), and each
 * slot remembers its heap position, so add and cancel are O(log n).
 *
 * Handles are not pointers: a handle encodes (generation, slot + 1). A slot
 * bumps its generation when it is freed, so a stale handle (timer fired or
 * cancelled, slot reused) is recognised and never touches a live timer.
 *
 * Deadlines are absolute milliseconds of the monotonic clock. seq breaks
 * ties in insertion order and bounds each processing pass.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/SocketTimer-private.h"
#include "core/SocketTimer.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"

const Except_T SocketTimer_Failed
    = { &SocketTimer_Failed, "Timer operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketTimer);

#define NO_SLOT UINT32_MAX

/* Handle layout: low SLOT_BITS = slot + 1, the rest = generation. */
#if UINTPTR_MAX > 0xffffffffu
#define SLOT_BITS 32
#else
#define SLOT_BITS 22
#endif
#define SLOT_MASK ((((uintptr_t)1) << SLOT_BITS) - 1)
#define GEN_MASK (UINTPTR_MAX >> SLOT_BITS)
#define MAX_SLOTS ((uint32_t)(SLOT_MASK - 1))

struct timer_slot
{
  int64_t deadline;  /* ms, monotonic */
  int64_t interval;  /* 0 = one-shot */
  uint64_t seq;      /* insertion order, tie-break */
  SocketTimerCallback callback;
  void *userdata;
  uint32_t gen;      /* bumped on free; part of the handle */
  int32_t heap_pos;  /* index in heap[], -1 when the slot is free */
  uint32_t next_free;
};

struct SocketTimer__Heap
{
  pthread_mutex_t lock;
  struct timer_slot *slots;
  uint32_t nslots, slot_cap, free_head;
  uint32_t *heap; /* slot indices */
  uint32_t count, heap_cap;
  atomic_uint live; /* == count; lets the poll skip the lock when empty */
  uint64_t next_seq;
  uint32_t gen_seed; /* first generation of new slots: differs per heap so
                        a handle from another poll is rejected */
};

/* ---- clock -------------------------------------------------------------- */

static _Atomic (SocketTimer__clock_fn) clock_fn = Socket_get_monotonic_ms;

void
SocketTimer__set_clock (SocketTimer__clock_fn fn)
{
  atomic_store (&clock_fn, fn ? fn : Socket_get_monotonic_ms);
}

int64_t
SocketTimer__now_ms (void)
{
  return atomic_load_explicit (&clock_fn, memory_order_relaxed) ();
}

/* ---- heap primitives (caller holds the lock) ---------------------------- */

static int
slot_before (const SocketTimer__Heap *h, uint32_t a, uint32_t b)
{
  const struct timer_slot *x = &h->slots[a], *y = &h->slots[b];
  return x->deadline < y->deadline
         || (x->deadline == y->deadline && x->seq < y->seq);
}

static void
heap_set (SocketTimer__Heap *h, uint32_t pos, uint32_t slot)
{
  h->heap[pos] = slot;
  h->slots[slot].heap_pos = (int32_t)pos;
}

static void
sift_up (SocketTimer__Heap *h, uint32_t pos)
{
  uint32_t slot = h->heap[pos];

  while (pos > 0)
    {
      uint32_t parent = (pos - 1) / 2;
      if (!slot_before (h, slot, h->heap[parent]))
        break;
      heap_set (h, pos, h->heap[parent]);
      pos = parent;
    }
  heap_set (h, pos, slot);
}

static void
sift_down (SocketTimer__Heap *h, uint32_t pos)
{
  uint32_t slot = h->heap[pos];

  for (;;)
    {
      uint32_t child = 2 * pos + 1;
      if (child >= h->count)
        break;
      if (child + 1 < h->count
          && slot_before (h, h->heap[child + 1], h->heap[child]))
        child++;
      if (!slot_before (h, h->heap[child], slot))
        break;
      heap_set (h, pos, h->heap[child]);
      pos = child;
    }
  heap_set (h, pos, slot);
}

static void
heap_push (SocketTimer__Heap *h, uint32_t slot)
{
  h->heap[h->count] = slot;
  h->slots[slot].heap_pos = (int32_t)h->count;
  h->count++;
  atomic_store (&h->live, h->count);
  sift_up (h, h->count - 1);
}

static void
heap_remove (SocketTimer__Heap *h, uint32_t pos)
{
  uint32_t removed = h->heap[pos];

  h->count--;
  atomic_store (&h->live, h->count);
  if (pos != h->count)
    {
      heap_set (h, pos, h->heap[h->count]);
      /* The moved slot may belong above or below its new position. */
      if (pos > 0 && slot_before (h, h->heap[pos], h->heap[(pos - 1) / 2]))
        sift_up (h, pos);
      else
        sift_down (h, pos);
    }
  h->slots[removed].heap_pos = -1;
}

/* ---- slots -------------------------------------------------------------- */

static int
grow (SocketTimer__Heap *h)
{
  uint32_t cap;
  struct timer_slot *slots;
  uint32_t *heap;

  if (h->slot_cap >= MAX_SLOTS)
    return -1;
  cap = h->slot_cap ? h->slot_cap * SOCKET_TIMER_HEAP_GROWTH_FACTOR
                    : SOCKET_TIMER_HEAP_INITIAL_CAPACITY;
  if (cap > MAX_SLOTS || cap <= h->slot_cap)
    cap = MAX_SLOTS;
  slots = realloc (h->slots, (size_t)cap * sizeof *slots);
  if (slots == NULL)
    return -1;
  h->slots = slots;
  heap = realloc (h->heap, (size_t)cap * sizeof *heap);
  if (heap == NULL)
    return -1; /* slots grew; harmless, capacity unchanged */
  h->heap = heap;
  h->slot_cap = h->heap_cap = cap;
  return 0;
}

/* A free slot index, or NO_SLOT when memory is exhausted. */
static uint32_t
slot_alloc (SocketTimer__Heap *h)
{
  uint32_t s;

  if (h->free_head != NO_SLOT)
    {
      s = h->free_head;
      h->free_head = h->slots[s].next_free;
      return s;
    }
  if (h->nslots == h->slot_cap && grow (h) < 0)
    return NO_SLOT;
  s = h->nslots++;
  h->slots[s].gen = h->gen_seed;
  h->slots[s].heap_pos = -1;
  return s;
}

static void
slot_free (SocketTimer__Heap *h, uint32_t s)
{
  struct timer_slot *t = &h->slots[s];

  t->gen = (uint32_t)((t->gen + 1) & GEN_MASK);
  if (t->gen == 0)
    t->gen = 1;
  t->heap_pos = -1;
  t->callback = NULL;
  t->userdata = NULL;
  t->next_free = h->free_head;
  h->free_head = s;
}

static SocketTimer_T
encode (const SocketTimer__Heap *h, uint32_t s)
{
  uintptr_t v = ((uintptr_t)h->slots[s].gen << SLOT_BITS) | (uintptr_t)(s + 1);
  return (SocketTimer_T)v;
}

/* Slot of a live timer for @p t, or NO_SLOT (stale/foreign handle). */
static uint32_t
decode (const SocketTimer__Heap *h, SocketTimer_T t)
{
  uintptr_t v = (uintptr_t)t;
  uintptr_t idx = v & SLOT_MASK;
  uint32_t gen = (uint32_t)(v >> SLOT_BITS);

  if (idx == 0 || idx > h->nslots)
    return NO_SLOT;
  idx--;
  if (h->slots[idx].gen != gen || h->slots[idx].heap_pos < 0)
    return NO_SLOT;
  return (uint32_t)idx;
}

/* ---- private interface used by SocketPoll -------------------------------- */

SocketTimer__Heap *
SocketTimer__heap_new (void)
{
  SocketTimer__Heap *h = calloc (1, sizeof *h);
  static _Atomic uint32_t serial;
  uint32_t seed;

  if (h == NULL)
    return NULL;
  pthread_mutex_init (&h->lock, NULL);
  h->free_head = NO_SLOT;
  seed = (uint32_t)((atomic_fetch_add (&serial, 1) + 1) * 0x9E3779B1u);
  h->gen_seed = (uint32_t)(seed & GEN_MASK) | 1u;
  return h;
}

void
SocketTimer__heap_free (SocketTimer__Heap **heap)
{
  if (heap == NULL || *heap == NULL)
    return;
  pthread_mutex_destroy (&(*heap)->lock);
  free ((*heap)->slots);
  free ((*heap)->heap);
  free (*heap);
  *heap = NULL;
}

int
SocketTimer__next_timeout_ms (SocketTimer__Heap *h)
{
  int64_t d;

  /* Lock-free fast path. A timer added concurrently is not missed: the
   * adder stores live before it reads the poll's waiting flag, and the
   * poll sets that flag before calling us (both sequentially consistent),
   * so either we see the timer or the adder wakes the poll. */
  if (atomic_load (&h->live) == 0)
    return -1;
  pthread_mutex_lock (&h->lock);
  if (h->count == 0)
    {
      pthread_mutex_unlock (&h->lock);
      return -1;
    }
  d = h->slots[h->heap[0]].deadline - SocketTimer__now_ms ();
  pthread_mutex_unlock (&h->lock);
  if (d < 0)
    return 0;
  return d > INT_MAX ? INT_MAX : (int)d;
}

/* a + b for a deadline, saturating instead of overflowing (b >= 0). */
static int64_t
deadline_add (int64_t a, int64_t b)
{
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Pop the top timer if it is due in this pass; copies its callback out.
 * Repeating timers are rescheduled (expiry + interval, no drift) before
 * their callback runs, so the callback may cancel them (itself included).
 * As in the original, a repeating timer that fell behind by several
 * intervals fires once per missed interval in this pass: it keeps its
 * place in the pass while its next expiry is already due. Caller holds the
 * lock. */
static int
pop_due (SocketTimer__Heap *h, int64_t now, uint64_t seq_limit,
         SocketTimerCallback *cb, void **ud)
{
  uint32_t s;
  struct timer_slot *t;

  if (h->count == 0)
    return 0;
  s = h->heap[0];
  t = &h->slots[s];
  if (t->deadline > now || t->seq >= seq_limit)
    return 0;
  *cb = t->callback;
  *ud = t->userdata;
  heap_remove (h, 0);
  if (t->interval > 0)
    {
      t->deadline = deadline_add (t->deadline, t->interval);
      if (t->deadline > now)
        t->seq = h->next_seq++; /* next period: a later pass */
      heap_push (h, s);
    }
  else
    slot_free (h, s);
  return 1;
}

int
SocketTimer__process (SocketTimer__Heap *h)
{
  int fired = 0;
  int64_t now;
  uint64_t seq_limit;
  SocketTimerCallback cb;
  void *ud;

  if (atomic_load (&h->live) == 0) /* a racing add fires next round */
    return 0;
  now = SocketTimer__now_ms ();
  pthread_mutex_lock (&h->lock);
  seq_limit = h->next_seq;
  while (pop_due (h, now, seq_limit, &cb, &ud))
    {
      pthread_mutex_unlock (&h->lock);
      cb (ud);
      fired++;
      pthread_mutex_lock (&h->lock);
    }
  pthread_mutex_unlock (&h->lock);
  return fired;
}

unsigned
SocketTimer__count (SocketTimer__Heap *h)
{
  unsigned n;

  pthread_mutex_lock (&h->lock);
  n = h->count;
  pthread_mutex_unlock (&h->lock);
  return n;
}

/* ---- public API ----------------------------------------------------------- */

static SocketTimer__Heap *
heap_of (SocketPoll_T poll, const char *op)
{
  if (poll == NULL)
    SOCKET_RAISE_MSG (SocketTimer, SocketTimer_Failed, "%s: NULL poll", op);
  return SocketPoll__timer_heap (poll);
}

static SocketTimer_T
timer_add (SocketPoll_T poll, int64_t delay, int64_t interval,
           SocketTimerCallback callback, void *userdata, const char *op)
{
  SocketTimer__Heap *h = heap_of (poll, op);
  uint32_t s;
  int earliest;
  SocketTimer_T handle;

  if (callback == NULL)
    SOCKET_RAISE_MSG (SocketTimer, SocketTimer_Failed, "%s: NULL callback",
                      op);
  pthread_mutex_lock (&h->lock);
  s = slot_alloc (h);
  if (s == NO_SLOT)
    {
      pthread_mutex_unlock (&h->lock);
      errno = ENOMEM;
      SOCKET_RAISE_FMT (SocketTimer, SocketTimer_Failed,
                        "%s: cannot grow the timer heap", op);
    }
  h->slots[s].deadline = deadline_add (SocketTimer__now_ms (), delay);
  h->slots[s].interval = interval;
  h->slots[s].seq = h->next_seq++;
  h->slots[s].callback = callback;
  h->slots[s].userdata = userdata;
  heap_push (h, s);
  earliest = h->slots[s].heap_pos == 0;
  handle = encode (h, s);
  pthread_mutex_unlock (&h->lock);
  /* A new earliest deadline must shorten a wait already in progress. */
  if (earliest)
    SocketPoll__wakeup (poll);
  return handle;
}

SocketTimer_T
SocketTimer_add (SocketPoll_T poll, int64_t delay_ms,
                 SocketTimerCallback callback, void *userdata)
{
  if (delay_ms < 0)
    SOCKET_RAISE_MSG (SocketTimer, SocketTimer_Failed,
                      "Invalid delay: %lld (must be >= 0)", (long long)delay_ms);
  return timer_add (poll, delay_ms, 0, callback, userdata, "SocketTimer_add");
}

SocketTimer_T
SocketTimer_add_repeating (SocketPoll_T poll, int64_t interval_ms,
                           SocketTimerCallback callback, void *userdata)
{
  if (interval_ms < 1)
    SOCKET_RAISE_MSG (SocketTimer, SocketTimer_Failed,
                      "Invalid interval: %lld (must be >= 1)", (long long)interval_ms);
  return timer_add (poll, interval_ms, interval_ms, callback, userdata,
                    "SocketTimer_add_repeating");
}

int
SocketTimer_cancel (SocketPoll_T poll, SocketTimer_T timer)
{
  SocketTimer__Heap *h = heap_of (poll, "SocketTimer_cancel");
  uint32_t s;

  pthread_mutex_lock (&h->lock);
  s = decode (h, timer);
  if (s != NO_SLOT)
    {
      heap_remove (h, (uint32_t)h->slots[s].heap_pos);
      slot_free (h, s);
    }
  pthread_mutex_unlock (&h->lock);
  return s == NO_SLOT ? -1 : 0;
}

int64_t
SocketTimer_remaining (SocketPoll_T poll, SocketTimer_T timer)
{
  SocketTimer__Heap *h = heap_of (poll, "SocketTimer_remaining");
  uint32_t s;
  int64_t left = -1;

  pthread_mutex_lock (&h->lock);
  s = decode (h, timer);
  if (s != NO_SLOT)
    {
      left = h->slots[s].deadline - SocketTimer__now_ms ();
      if (left < 0)
        left = 0;
    }
  pthread_mutex_unlock (&h->lock);
  return left;
}
