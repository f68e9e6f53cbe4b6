/*
 * SocketSYNProtect.c - per-attempt decisions from sliding-window counts,
 * reputation scores and white/black lists, behind one mutex.
 *
 * Per-IP states live in a seeded SocketIP__Table plus an LRU list (head =
 * most recent); a new IP beyond max_tracked_ips evicts from the tail, so a
 * flood of random sources costs bounded memory. Whitelist: exact entries in
 * a table, CIDR blocks in a small array scanned after the exact lookup.
 * Blacklist: a table of expiry times. A SocketRateLimit caps the checks per
 * second of unlisted IPs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketIPTable-private.h"
#include "core/SocketRateLimit.h"
#include "core/SocketSYNProtect-private.h"
#include "core/SocketSYNProtect.h"
#include "core/SocketUtil.h"

const Except_T SocketSYNProtect_Failed
    = { &SocketSYNProtect_Failed, "SYN protection operation failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (SocketSYNProtect);

#define INITIAL_SCORE 0.8f

typedef struct IPEntry
{
  SocketIP__Node node; /* first: node pointer == entry pointer */
  struct IPEntry *prev, *next; /* LRU, head = most recently used */
  SocketSYN_IPState st;
} IPEntry;

typedef struct ListEntry
{
  SocketIP__Node node;
  int64_t expires_ms; /* blacklist: 0 = permanent */
} ListEntry;

struct SocketSYNProtect_T
{
  pthread_mutex_t lock;
  SocketSYNProtect_Config cfg;
  SocketRateLimit_T global;
  SocketIP__Table ips, white, black;
  IPEntry *lru_head, *lru_tail;
  SocketIP__Cidr *cidrs;
  size_t ncidr, cidr_cap;
  SocketSYNProtect_Stats st; /* totals and lru_evictions; the rest computed */
  int64_t start_ms;
  int arena_owned;
};

/* ---- clock ------------------------------------------------------------ */

static _Atomic (SocketSYNProtect__clock_fn) clock_fn = Socket_get_monotonic_ms;

void
SocketSYNProtect__set_clock (SocketSYNProtect__clock_fn fn)
{
  atomic_store (&clock_fn, fn ? fn : Socket_get_monotonic_ms);
}

static int64_t
now_ms (void)
{
  return atomic_load_explicit (&clock_fn, memory_order_relaxed) ();
}

/* ---- helpers ---------------------------------------------------------- */

static void
check_ptr (const void *p, const char *op, const char *what)
{
  if (p == NULL)
    SOCKET_RAISE_MSG (SocketSYNProtect, SocketSYNProtect_Failed, "%s: NULL %s", op, what);
}

#define CHECK(p, op) check_ptr ((p), (op), "instance")

static float
clamp01 (float s)
{
  return s < 0.0f ? 0.0f : (s > 1.0f ? 1.0f : s);
}

static SocketSYN_Reputation
rep_from_score (const SocketSYNProtect_Config *c, float s)
{
  if (s >= SOCKET_SYN_TRUSTED_SCORE_THRESHOLD)
    return SYN_REP_TRUSTED;
  if (s >= c->score_throttle)
    return SYN_REP_NEUTRAL;
  if (s >= c->score_block)
    return SYN_REP_SUSPECT;
  return SYN_REP_HOSTILE;
}

static void
lru_unlink (struct SocketSYNProtect_T *p, IPEntry *e)
{
  if (e->prev)
    e->prev->next = e->next;
  else
    p->lru_head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    p->lru_tail = e->prev;
  e->prev = e->next = NULL;
}

static void
lru_push_front (struct SocketSYNProtect_T *p, IPEntry *e)
{
  e->prev = NULL;
  e->next = p->lru_head;
  if (p->lru_head)
    p->lru_head->prev = e;
  p->lru_head = e;
  if (p->lru_tail == NULL)
    p->lru_tail = e;
}

static void
lru_touch (struct SocketSYNProtect_T *p, IPEntry *e)
{
  if (p->lru_head != e)
    {
      lru_unlink (p, e);
      lru_push_front (p, e);
    }
}

static void
free_node (SocketIP__Node *n, void *arg)
{
  (void)arg;
  free (n);
}

static void
create_limiter (struct SocketSYNProtect_T *p, int rate)
{
  volatile int failed = 0;

  if (rate > 0)
    {
      TRY p->global = SocketRateLimit_new (NULL, (size_t)rate, (size_t)rate);
      EXCEPT (SocketRateLimit_Failed) failed = 1;
      END_TRY;
    }
  if (rate <= 0 || failed)
    {
      SocketIP__table_destroy (&p->ips);
      SocketIP__table_destroy (&p->white);
      SocketIP__table_destroy (&p->black);
      pthread_mutex_destroy (&p->lock);
      if (!p->arena_owned)
        free (p);
      SOCKET_RAISE_MSG (SocketSYNProtect, SocketSYNProtect_Failed,
                        "Failed to create global rate limiter");
    }
}

/* ---- lifecycle -------------------------------------------------------- */

void
SocketSYNProtect_config_defaults (SocketSYNProtect_Config *c)
{
  check_ptr (c, "SocketSYNProtect_config_defaults", "config");
  memset (c, 0, sizeof *c);
  c->window_duration_ms = SOCKET_SYN_DEFAULT_WINDOW_MS;
  c->max_attempts_per_window = SOCKET_SYN_DEFAULT_MAX_PER_WINDOW;
  c->max_global_per_second = SOCKET_SYN_DEFAULT_GLOBAL_PER_SEC;
  c->min_success_ratio = SOCKET_SYN_DEFAULT_MIN_SUCCESS_RATIO;
  c->throttle_delay_ms = SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS;
  c->block_duration_ms = SOCKET_SYN_DEFAULT_BLOCK_DURATION_MS;
  c->challenge_defer_sec = SOCKET_SYN_DEFAULT_DEFER_SEC;
  c->score_throttle = SOCKET_SYN_DEFAULT_SCORE_THROTTLE;
  c->score_challenge = SOCKET_SYN_DEFAULT_SCORE_CHALLENGE;
  c->score_block = SOCKET_SYN_DEFAULT_SCORE_BLOCK;
  c->score_decay_per_sec = SOCKET_SYN_DEFAULT_SCORE_DECAY;
  c->score_penalty_attempt = SOCKET_SYN_DEFAULT_PENALTY_ATTEMPT;
  c->score_penalty_failure = SOCKET_SYN_DEFAULT_PENALTY_FAILURE;
  c->score_reward_success = SOCKET_SYN_DEFAULT_REWARD_SUCCESS;
  c->max_tracked_ips = SOCKET_SYN_DEFAULT_MAX_TRACKED_IPS;
  c->max_whitelist = SOCKET_SYN_DEFAULT_MAX_WHITELIST;
  c->max_blacklist = SOCKET_SYN_DEFAULT_MAX_BLACKLIST;
}

static int
init_tables (struct SocketSYNProtect_T *p)
{
  if (SocketIP__table_init (&p->ips, 256) != 0)
    return -1;
  if (SocketIP__table_init (&p->white, 16) != 0)
    {
      SocketIP__table_destroy (&p->ips);
      return -1;
    }
  if (SocketIP__table_init (&p->black, 16) != 0)
    {
      SocketIP__table_destroy (&p->ips);
      SocketIP__table_destroy (&p->white);
      return -1;
    }
  return 0;
}

SocketSYNProtect_T
SocketSYNProtect_new (Arena_T arena, const SocketSYNProtect_Config *config)
{
  struct SocketSYNProtect_T *p;

  if (arena != NULL)
    p = ALLOC (arena, sizeof *p);
  else if ((p = malloc (sizeof *p)) == NULL)
    SOCKET_RAISE_MSG (SocketSYNProtect, SocketSYNProtect_Failed,
                      "Failed to allocate SYN protection");
  memset (p, 0, sizeof *p);
  p->arena_owned = arena != NULL;
  if (config != NULL)
    p->cfg = *config;
  else
    SocketSYNProtect_config_defaults (&p->cfg);
  if (init_tables (p) != 0)
    {
      if (arena == NULL)
        free (p);
      SOCKET_RAISE_MSG (SocketSYNProtect, SocketSYNProtect_Failed,
                        "Failed to allocate SYN protection tables");
    }
  if (pthread_mutex_init (&p->lock, NULL) != 0)
    {
      SocketIP__table_destroy (&p->ips);
      SocketIP__table_destroy (&p->white);
      SocketIP__table_destroy (&p->black);
      if (arena == NULL)
        free (p);
      SOCKET_RAISE_MSG (SocketSYNProtect, SocketSYNProtect_Failed,
                        "Failed to initialize SYN protection mutex");
    }
  create_limiter (p, p->cfg.max_global_per_second);
  p->start_ms = now_ms ();
  return p;
}

static void
clear_ips_locked (struct SocketSYNProtect_T *p)
{
  SocketIP__table_clear (&p->ips, free_node, NULL);
  p->lru_head = p->lru_tail = NULL;
}

static void
clear_white_locked (struct SocketSYNProtect_T *p)
{
  SocketIP__table_clear (&p->white, free_node, NULL);
  free (p->cidrs);
  p->cidrs = NULL;
  p->ncidr = p->cidr_cap = 0;
}

void
SocketSYNProtect_free (SocketSYNProtect_T *protect)
{
  struct SocketSYNProtect_T *p;

  if (protect == NULL || *protect == NULL)
    return;
  p = *protect;
  clear_ips_locked (p);
  clear_white_locked (p);
  SocketIP__table_clear (&p->black, free_node, NULL);
  SocketIP__table_destroy (&p->ips);
  SocketIP__table_destroy (&p->white);
  SocketIP__table_destroy (&p->black);
  SocketRateLimit_free (&p->global);
  pthread_mutex_destroy (&p->lock);
  if (!p->arena_owned)
    free (p);
  *protect = NULL;
}

void
SocketSYNProtect_configure (SocketSYNProtect_T protect, const SocketSYNProtect_Config *config)
{
  CHECK (protect, "SocketSYNProtect_configure");
  check_ptr (config, "SocketSYNProtect_configure", "config");
  pthread_mutex_lock (&protect->lock);
  protect->cfg = *config;
  if (config->max_global_per_second > 0)
    SocketRateLimit_configure (protect->global, (size_t)config->max_global_per_second,
                               (size_t)config->max_global_per_second);
  pthread_mutex_unlock (&protect->lock);
}

/* ---- lists (caller holds the lock) ------------------------------------ */

static int
whitelisted_locked (struct SocketSYNProtect_T *p, const SocketIP__Key *key)
{
  SocketIP__Addr a;

  if (SocketIP__table_find (&p->white, key) != NULL)
    return 1;
  if (p->ncidr == 0 || !SocketIP__key_addr (key, &a))
    return 0;
  for (size_t i = 0; i < p->ncidr; i++)
    if (SocketIP__cidr_match (&p->cidrs[i], &a))
      return 1;
  return 0;
}

static int
blacklisted_locked (struct SocketSYNProtect_T *p, const SocketIP__Key *key, int64_t now)
{
  ListEntry *e = (ListEntry *)SocketIP__table_find (&p->black, key);

  return e != NULL && (e->expires_ms == 0 || e->expires_ms > now);
}

static void
fill_listed (SocketSYN_IPState *out, const SocketIP__Key *key, SocketSYN_Reputation rep,
             float score)
{
  if (out == NULL)
    return;
  memset (out, 0, sizeof *out);
  SocketIP__key_text (key, out->ip);
  out->rep = rep;
  out->score = score;
}

/* ---- per-IP ------------------------------------------------------------ */

static IPEntry *
new_entry_locked (struct SocketSYNProtect_T *p, const SocketIP__Key *key, int64_t now)
{
  size_t max = p->cfg.max_tracked_ips ? p->cfg.max_tracked_ips : 1;
  IPEntry *e;

  while (p->ips.count >= max && p->lru_tail != NULL)
    {
      IPEntry *victim = p->lru_tail;
      lru_unlink (p, victim);
      SocketIP__table_remove (&p->ips, &victim->node);
      free (victim);
      p->st.lru_evictions++;
    }
  if ((e = calloc (1, sizeof *e)) == NULL)
    return NULL;
  e->node.key = *key;
  SocketIP__key_text (key, e->st.ip);
  e->st.window_start_ms = now;
  e->st.last_attempt_ms = now;
  e->st.score = INITIAL_SCORE;
  e->st.rep = rep_from_score (&p->cfg, INITIAL_SCORE);
  SocketIP__table_insert (&p->ips, &e->node);
  lru_push_front (p, e);
  return e;
}

static void
rotate_window (const SocketSYNProtect_Config *c, SocketSYN_IPState *s, int64_t now)
{
  int64_t win = c->window_duration_ms > 0 ? c->window_duration_ms : 1;
  int64_t age = now - s->window_start_ms;

  if (age < win)
    return;
  s->attempts_previous = age >= 2 * win ? 0 : s->attempts_current;
  s->attempts_current = 0;
  s->window_start_ms += (age / win) * win; /* keep windows aligned */
}

static SocketSYN_Action
update_locked (struct SocketSYNProtect_T *p, SocketSYN_IPState *s, int64_t now)
{
  const SocketSYNProtect_Config *c = &p->cfg;
  int64_t win = c->window_duration_ms > 0 ? c->window_duration_ms : 1;
  double frac, effective;

  if (now > s->last_attempt_ms)
    s->score = clamp01 (s->score
                        + (float)((double)(now - s->last_attempt_ms) / 1000.0
                                  * c->score_decay_per_sec));
  if (s->block_until_ms != 0 && s->block_until_ms <= now)
    s->block_until_ms = 0; /* expired */
  rotate_window (c, s, now);
  if (s->attempts_current < UINT32_MAX)
    s->attempts_current++;
  s->score = clamp01 (s->score - c->score_penalty_attempt);
  s->rep = rep_from_score (c, s->score);
  s->last_attempt_ms = now;
  frac = (double)(now - s->window_start_ms) / (double)win;
  if (frac > 1.0)
    frac = 1.0;
  effective = s->attempts_current + s->attempts_previous * (1.0 - frac);
  if (s->block_until_ms > now || effective > c->max_attempts_per_window
      || s->score < c->score_block)
    {
      if (s->block_until_ms == 0)
        s->block_until_ms = now + c->block_duration_ms;
      return SYN_ACTION_BLOCK;
    }
  if (s->score < c->score_challenge)
    return SYN_ACTION_CHALLENGE;
  if (s->score < c->score_throttle)
    return SYN_ACTION_THROTTLE;
  return SYN_ACTION_ALLOW;
}

static void
count_action (struct SocketSYNProtect_T *p, SocketSYN_Action a)
{
  switch (a)
    {
    case SYN_ACTION_ALLOW:
      p->st.total_allowed++;
      break;
    case SYN_ACTION_THROTTLE:
      p->st.total_throttled++;
      break;
    case SYN_ACTION_CHALLENGE:
      p->st.total_challenged++;
      break;
    default:
      p->st.total_blocked++;
      break;
    }
}

static SocketSYN_Action
check_locked (struct SocketSYNProtect_T *p, const SocketIP__Key *key, SocketSYN_IPState *out)
{
  int64_t now = now_ms ();
  IPEntry *e;
  SocketSYN_Action a;

  p->st.total_attempts++;
  if (whitelisted_locked (p, key))
    {
      p->st.total_whitelisted++;
      p->st.total_allowed++;
      fill_listed (out, key, SYN_REP_TRUSTED, 1.0f);
      return SYN_ACTION_ALLOW;
    }
  if (blacklisted_locked (p, key, now))
    {
      p->st.total_blacklisted++;
      p->st.total_blocked++;
      fill_listed (out, key, SYN_REP_HOSTILE, 0.0f);
      return SYN_ACTION_BLOCK;
    }
  if (!SocketRateLimit_try_acquire (p->global, 1))
    {
      p->st.total_blocked++;
      return SYN_ACTION_BLOCK;
    }
  e = (IPEntry *)SocketIP__table_find (&p->ips, key);
  if (e != NULL)
    lru_touch (p, e);
  else if ((e = new_entry_locked (p, key, now)) == NULL)
    {
      p->st.total_allowed++; /* fail open on allocation failure */
      return SYN_ACTION_ALLOW;
    }
  a = update_locked (p, &e->st, now);
  count_action (p, a);
  if (out != NULL)
    *out = e->st;
  return a;
}

SocketSYN_Action
SocketSYNProtect_check (SocketSYNProtect_T protect, const char *client_ip,
                        SocketSYN_IPState *state_out)
{
  SocketIP__Key key;
  SocketSYN_Action a;

  CHECK (protect, "SocketSYNProtect_check");
  if (SocketIP__key (client_ip, &key) == 0)
    return SYN_ACTION_ALLOW;
  pthread_mutex_lock (&protect->lock);
  a = check_locked (protect, &key, state_out);
  pthread_mutex_unlock (&protect->lock);
  return a;
}

static void
report (struct SocketSYNProtect_T *p, const char *ip, int success)
{
  const SocketSYNProtect_Config *c = &p->cfg;
  SocketIP__Key key;
  IPEntry *e;

  if (SocketIP__key (ip, &key) == 0)
    return;
  pthread_mutex_lock (&p->lock);
  e = (IPEntry *)SocketIP__table_find (&p->ips, &key);
  if (e != NULL)
    {
      SocketSYN_IPState *s = &e->st;
      if (success)
        {
          s->score = clamp01 (s->score + c->score_reward_success);
          if (s->successes < UINT32_MAX)
            s->successes++;
          if (s->score >= c->score_throttle)
            s->block_until_ms = 0;
        }
      else
        {
          s->score = clamp01 (s->score - c->score_penalty_failure);
          if (s->failures < UINT32_MAX)
            s->failures++;
          if (s->score < c->score_block && s->block_until_ms == 0)
            s->block_until_ms = now_ms () + c->block_duration_ms;
        }
      s->rep = rep_from_score (c, s->score);
      lru_touch (p, e);
    }
  pthread_mutex_unlock (&p->lock);
}

void
SocketSYNProtect_report_success (SocketSYNProtect_T protect, const char *client_ip)
{
  CHECK (protect, "SocketSYNProtect_report_success");
  report (protect, client_ip, 1);
}

void
SocketSYNProtect_report_failure (SocketSYNProtect_T protect, const char *client_ip,
                                 int error_code)
{
  (void)error_code;
  CHECK (protect, "SocketSYNProtect_report_failure");
  report (protect, client_ip, 0);
}

/* ---- whitelist ---------------------------------------------------------- */

static int
white_full (const struct SocketSYNProtect_T *p)
{
  return p->white.count + p->ncidr >= p->cfg.max_whitelist;
}

static int
white_add_locked (struct SocketSYNProtect_T *p, const SocketIP__Key *key)
{
  ListEntry *e;

  if (white_full (p))
    return 0;
  if (SocketIP__table_find (&p->white, key) != NULL)
    return 1;
  if ((e = calloc (1, sizeof *e)) == NULL)
    return 0;
  e->node.key = *key;
  SocketIP__table_insert (&p->white, &e->node);
  return 1;
}

int
SocketSYNProtect_whitelist_add (SocketSYNProtect_T protect, const char *ip)
{
  SocketIP__Key key;
  int ok;

  CHECK (protect, "SocketSYNProtect_whitelist_add");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&protect->lock);
  ok = white_add_locked (protect, &key);
  pthread_mutex_unlock (&protect->lock);
  return ok;
}

static int
cidr_append_locked (struct SocketSYNProtect_T *p, const SocketIP__Cidr *c)
{
  if (white_full (p))
    return 0;
  if (p->ncidr == p->cidr_cap)
    {
      size_t ncap = p->cidr_cap ? p->cidr_cap * 2 : 8;
      SocketIP__Cidr *n = realloc (p->cidrs, ncap * sizeof *n);
      if (n == NULL)
        return 0;
      p->cidrs = n;
      p->cidr_cap = ncap;
    }
  p->cidrs[p->ncidr++] = *c;
  return 1;
}

int
SocketSYNProtect_whitelist_add_cidr (SocketSYNProtect_T protect, const char *cidr)
{
  SocketIP__Cidr c;
  int ok;

  CHECK (protect, "SocketSYNProtect_whitelist_add_cidr");
  if (cidr == NULL || cidr[0] == '\0')
    return 0;
  if (strchr (cidr, '/') == NULL)
    return SocketSYNProtect_whitelist_add (protect, cidr);
  if (!SocketIP__parse_cidr (cidr, &c))
    return 0;
  pthread_mutex_lock (&protect->lock);
  ok = cidr_append_locked (protect, &c);
  pthread_mutex_unlock (&protect->lock);
  return ok;
}

static int
same_cidr (const SocketIP__Cidr *a, const SocketIP__Cidr *b)
{
  return a->prefix == b->prefix && a->net.family == b->net.family
         && memcmp (a->net.bytes, b->net.bytes, sizeof a->net.bytes) == 0;
}

void
SocketSYNProtect_whitelist_remove (SocketSYNProtect_T protect, const char *ip)
{
  SocketIP__Key key;
  SocketIP__Cidr c;
  SocketIP__Node *n;
  int is_cidr;

  CHECK (protect, "SocketSYNProtect_whitelist_remove");
  if (SocketIP__key (ip, &key) == 0)
    return;
  is_cidr = SocketIP__parse_cidr (ip, &c);
  pthread_mutex_lock (&protect->lock);
  if ((n = SocketIP__table_find (&protect->white, &key)) != NULL)
    {
      SocketIP__table_remove (&protect->white, n);
      free (n);
    }
  if (is_cidr)
    {
      size_t j = 0;
      for (size_t i = 0; i < protect->ncidr; i++)
        if (!same_cidr (&protect->cidrs[i], &c))
          protect->cidrs[j++] = protect->cidrs[i];
      protect->ncidr = j;
    }
  pthread_mutex_unlock (&protect->lock);
}

int
SocketSYNProtect_whitelist_contains (SocketSYNProtect_T protect, const char *ip)
{
  SocketIP__Key key;
  int r;

  CHECK (protect, "SocketSYNProtect_whitelist_contains");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&protect->lock);
  r = whitelisted_locked (protect, &key);
  pthread_mutex_unlock (&protect->lock);
  return r;
}

void
SocketSYNProtect_whitelist_clear (SocketSYNProtect_T protect)
{
  CHECK (protect, "SocketSYNProtect_whitelist_clear");
  pthread_mutex_lock (&protect->lock);
  clear_white_locked (protect);
  pthread_mutex_unlock (&protect->lock);
}

/* ---- blacklist ---------------------------------------------------------- */

int
SocketSYNProtect_blacklist_add (SocketSYNProtect_T protect, const char *ip, int duration_ms)
{
  SocketIP__Key key;
  ListEntry *e;
  int ok = 1;

  CHECK (protect, "SocketSYNProtect_blacklist_add");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&protect->lock);
  int64_t expires = duration_ms > 0 ? now_ms () + duration_ms : 0;
  if (protect->black.count >= protect->cfg.max_blacklist)
    ok = 0;
  else if ((e = (ListEntry *)SocketIP__table_find (&protect->black, &key)) != NULL)
    e->expires_ms = expires;
  else if ((e = calloc (1, sizeof *e)) == NULL)
    ok = 0;
  else
    {
      e->node.key = key;
      e->expires_ms = expires;
      SocketIP__table_insert (&protect->black, &e->node);
    }
  pthread_mutex_unlock (&protect->lock);
  return ok;
}

void
SocketSYNProtect_blacklist_remove (SocketSYNProtect_T protect, const char *ip)
{
  SocketIP__Key key;
  SocketIP__Node *n;

  CHECK (protect, "SocketSYNProtect_blacklist_remove");
  if (SocketIP__key (ip, &key) == 0)
    return;
  pthread_mutex_lock (&protect->lock);
  if ((n = SocketIP__table_find (&protect->black, &key)) != NULL)
    {
      SocketIP__table_remove (&protect->black, n);
      free (n);
    }
  pthread_mutex_unlock (&protect->lock);
}

int
SocketSYNProtect_blacklist_contains (SocketSYNProtect_T protect, const char *ip)
{
  SocketIP__Key key;
  int r;

  CHECK (protect, "SocketSYNProtect_blacklist_contains");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&protect->lock);
  r = blacklisted_locked (protect, &key, now_ms ());
  pthread_mutex_unlock (&protect->lock);
  return r;
}

void
SocketSYNProtect_blacklist_clear (SocketSYNProtect_T protect)
{
  CHECK (protect, "SocketSYNProtect_blacklist_clear");
  pthread_mutex_lock (&protect->lock);
  SocketIP__table_clear (&protect->black, free_node, NULL);
  pthread_mutex_unlock (&protect->lock);
}

/* ---- queries and maintenance ------------------------------------------ */

int
SocketSYNProtect_get_ip_state (SocketSYNProtect_T protect, const char *ip,
                               SocketSYN_IPState *state)
{
  SocketIP__Key key;
  IPEntry *e;
  int r = 0;

  CHECK (protect, "SocketSYNProtect_get_ip_state");
  check_ptr (state, "SocketSYNProtect_get_ip_state", "state");
  if (SocketIP__key (ip, &key) == 0)
    return 0;
  pthread_mutex_lock (&protect->lock);
  if ((e = (IPEntry *)SocketIP__table_find (&protect->ips, &key)) != NULL)
    {
      *state = e->st;
      r = 1;
    }
  pthread_mutex_unlock (&protect->lock);
  return r;
}

typedef struct
{
  int64_t now;
  uint64_t n;
} BlockedCount;

static void
count_blocked (SocketIP__Node *n, void *arg)
{
  BlockedCount *b = arg;
  if (((IPEntry *)n)->st.block_until_ms > b->now)
    b->n++;
}

void
SocketSYNProtect_stats (SocketSYNProtect_T protect, SocketSYNProtect_Stats *stats)
{
  BlockedCount b;

  CHECK (protect, "SocketSYNProtect_stats");
  check_ptr (stats, "SocketSYNProtect_stats", "stats");
  pthread_mutex_lock (&protect->lock);
  b.now = now_ms ();
  b.n = 0;
  SocketIP__table_foreach (&protect->ips, count_blocked, &b);
  *stats = protect->st;
  stats->current_tracked_ips = protect->ips.count;
  stats->current_blocked_ips = b.n + protect->black.count;
  stats->uptime_ms = b.now - protect->start_ms;
  pthread_mutex_unlock (&protect->lock);
}

static void
stats_reset_locked (struct SocketSYNProtect_T *p)
{
  p->st.total_attempts = p->st.total_allowed = p->st.total_throttled = 0;
  p->st.total_challenged = p->st.total_blocked = 0;
  p->st.total_whitelisted = p->st.total_blacklisted = 0;
  p->st.lru_evictions = 0;
}

void
SocketSYNProtect_stats_reset (SocketSYNProtect_T protect)
{
  CHECK (protect, "SocketSYNProtect_stats_reset");
  pthread_mutex_lock (&protect->lock);
  stats_reset_locked (protect);
  pthread_mutex_unlock (&protect->lock);
}

const char *
SocketSYNProtect_action_name (SocketSYN_Action action)
{
  switch (action)
    {
    case SYN_ACTION_ALLOW:
      return "ALLOW";
    case SYN_ACTION_THROTTLE:
      return "THROTTLE";
    case SYN_ACTION_CHALLENGE:
      return "CHALLENGE";
    case SYN_ACTION_BLOCK:
      return "BLOCK";
    }
  return "UNKNOWN";
}

const char *
SocketSYNProtect_reputation_name (SocketSYN_Reputation rep)
{
  switch (rep)
    {
    case SYN_REP_TRUSTED:
      return "TRUSTED";
    case SYN_REP_NEUTRAL:
      return "NEUTRAL";
    case SYN_REP_SUSPECT:
      return "SUSPECT";
    case SYN_REP_HOSTILE:
      return "HOSTILE";
    }
  return "UNKNOWN";
}

typedef struct
{
  struct SocketSYNProtect_T *p;
  int64_t now;
} SweepCtx;

static int
black_expired (SocketIP__Node *n, void *arg)
{
  const ListEntry *e = (const ListEntry *)n;
  return e->expires_ms != 0 && e->expires_ms <= ((SweepCtx *)arg)->now;
}

/* Clears an expired block; stale = idle more than two windows and unblocked. */
static int
ip_stale (SocketIP__Node *n, void *arg)
{
  SweepCtx *c = arg;
  SocketSYN_IPState *s = &((IPEntry *)n)->st;
  int64_t win = c->p->cfg.window_duration_ms > 0 ? c->p->cfg.window_duration_ms : 1;

  if (s->block_until_ms != 0 && s->block_until_ms <= c->now)
    s->block_until_ms = 0;
  return s->block_until_ms == 0 && c->now - s->last_attempt_ms > 2 * win;
}

static void
dispose_ip (SocketIP__Node *n, void *arg)
{
  lru_unlink (((SweepCtx *)arg)->p, (IPEntry *)n);
  free (n);
}

size_t
SocketSYNProtect_cleanup (SocketSYNProtect_T protect)
{
  SweepCtx c;
  size_t removed;

  CHECK (protect, "SocketSYNProtect_cleanup");
  pthread_mutex_lock (&protect->lock);
  c.p = protect;
  c.now = now_ms ();
  removed = SocketIP__table_remove_if (&protect->black, black_expired, free_node, &c);
  SocketIP__table_remove_if (&protect->ips, ip_stale, dispose_ip, &c);
  pthread_mutex_unlock (&protect->lock);
  return removed;
}

void
SocketSYNProtect_clear_all (SocketSYNProtect_T protect)
{
  CHECK (protect, "SocketSYNProtect_clear_all");
  pthread_mutex_lock (&protect->lock);
  clear_ips_locked (protect);
  pthread_mutex_unlock (&protect->lock);
}

void
SocketSYNProtect_reset (SocketSYNProtect_T protect)
{
  CHECK (protect, "SocketSYNProtect_reset");
  pthread_mutex_lock (&protect->lock);
  clear_ips_locked (protect);
  clear_white_locked (protect);
  SocketIP__table_clear (&protect->black, free_node, NULL);
  stats_reset_locked (protect);
  protect->start_ms = now_ms ();
  pthread_mutex_unlock (&protect->lock);
}
