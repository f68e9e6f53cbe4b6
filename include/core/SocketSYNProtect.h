/**
 * @file SocketSYNProtect.h
 * @brief Connection-attempt (SYN flood) protection: per-IP sliding-window
 *        counts and reputation scores that turn into an action per attempt.
 *
 * The module only decides (ALLOW / THROTTLE / CHALLENGE / BLOCK); the caller
 * delays, defers or closes. `min_success_ratio`, `throttle_delay_ms` and
 * `challenge_defer_sec` are carried in the config for the caller.
 *
 * IP strings: an address inet_pton() accepts is canonicalised (so "::1" and
 * "0::1" are one IP and "::ffff:10.0.0.1" is 10.0.0.1, also for CIDR
 * matching); any other non-empty string is used byte-for-byte (first 63
 * bytes). State written to SocketSYN_IPState.ip is the canonical text.
 *
 * Memory: per-IP state is bounded by `max_tracked_ips` (least recently used
 * entries are evicted), the lists by `max_whitelist` / `max_blacklist`.
 * Lookups use hash tables keyed with a random per-instance seed.
 *
 * Thread-safety: every function may be called concurrently on the same
 * instance (internal mutex).
 */
#ifndef SOCKETSYNPROTECT_INCLUDED
#define SOCKETSYNPROTECT_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketConfig.h"

/** Opaque instance handle. */
typedef struct SocketSYNProtect_T *SocketSYNProtect_T;

/** Decision for one connection attempt. */
typedef enum SocketSYN_Action
{
  SYN_ACTION_ALLOW = 0,     /**< accept normally */
  SYN_ACTION_THROTTLE = 1,  /**< accept after a delay */
  SYN_ACTION_CHALLENGE = 2, /**< require proof of a real client (e.g. defer accept) */
  SYN_ACTION_BLOCK = 3      /**< reject */
} SocketSYN_Action;

/** Reputation derived from the score. */
typedef enum SocketSYN_Reputation
{
  SYN_REP_TRUSTED = 0, /**< score >= SOCKET_SYN_TRUSTED_SCORE_THRESHOLD */
  SYN_REP_NEUTRAL = 1, /**< score >= score_throttle */
  SYN_REP_SUSPECT = 2, /**< score >= score_block */
  SYN_REP_HOSTILE = 3  /**< below score_block */
} SocketSYN_Reputation;

/** Per-IP state (a copy is returned by check and get_ip_state). */
typedef struct SocketSYN_IPState
{
  char ip[SOCKET_IP_MAX_LEN];  /**< canonical IP text */
  int64_t window_start_ms;     /**< start of the current window (monotonic ms) */
  uint32_t attempts_current;   /**< attempts in the current window */
  uint32_t attempts_previous;  /**< attempts in the previous window */
  uint32_t successes;          /**< report_success calls */
  uint32_t failures;           /**< report_failure calls */
  int64_t last_attempt_ms;     /**< last check (monotonic ms) */
  int64_t block_until_ms;      /**< 0 = no block recorded */
  SocketSYN_Reputation rep;    /**< from score */
  float score;                 /**< 0.0 (hostile) .. 1.0 (trusted); new IPs 0.8 */
} SocketSYN_IPState;

/** Configuration (fill with SocketSYNProtect_config_defaults()). */
typedef struct SocketSYNProtect_Config
{
  int window_duration_ms;      /**< sliding window length */
  int max_attempts_per_window; /**< weighted attempts above this: BLOCK */
  int max_global_per_second;   /**< global cap on checks of unlisted IPs (> 0) */
  float min_success_ratio;     /**< for the caller */
  int throttle_delay_ms;       /**< for the caller */
  int block_duration_ms;       /**< how long a BLOCK lasts */
  int challenge_defer_sec;     /**< for the caller (TCP_DEFER_ACCEPT seconds) */
  float score_throttle;        /**< below: THROTTLE */
  float score_challenge;       /**< below: CHALLENGE */
  float score_block;           /**< below: BLOCK */
  float score_decay_per_sec;   /**< recovery per idle second */
  float score_penalty_attempt; /**< per attempt */
  float score_penalty_failure; /**< per report_failure */
  float score_reward_success;  /**< per report_success */
  size_t max_tracked_ips;      /**< per-IP state bound (LRU eviction); 0 acts as 1 */
  size_t max_whitelist;        /**< exact + CIDR whitelist entries */
  size_t max_blacklist;        /**< blacklist entries */
} SocketSYNProtect_Config;

/**
 * Initializer with the SocketSYNProtect_config_defaults() values (the
 * original README's form): `SocketSYNProtect_Config c = SYNPROTECT_CONFIG_DEFAULTS;`
 */
#define SYNPROTECT_CONFIG_DEFAULTS                                            \
  {                                                                           \
    .window_duration_ms = SOCKET_SYN_DEFAULT_WINDOW_MS,                       \
    .max_attempts_per_window = SOCKET_SYN_DEFAULT_MAX_PER_WINDOW,             \
    .max_global_per_second = SOCKET_SYN_DEFAULT_GLOBAL_PER_SEC,               \
    .min_success_ratio = SOCKET_SYN_DEFAULT_MIN_SUCCESS_RATIO,                \
    .throttle_delay_ms = SOCKET_SYN_DEFAULT_THROTTLE_DELAY_MS,                \
    .block_duration_ms = SOCKET_SYN_DEFAULT_BLOCK_DURATION_MS,                \
    .challenge_defer_sec = SOCKET_SYN_DEFAULT_DEFER_SEC,                      \
    .score_throttle = SOCKET_SYN_DEFAULT_SCORE_THROTTLE,                      \
    .score_challenge = SOCKET_SYN_DEFAULT_SCORE_CHALLENGE,                    \
    .score_block = SOCKET_SYN_DEFAULT_SCORE_BLOCK,                            \
    .score_decay_per_sec = SOCKET_SYN_DEFAULT_SCORE_DECAY,                    \
    .score_penalty_attempt = SOCKET_SYN_DEFAULT_PENALTY_ATTEMPT,              \
    .score_penalty_failure = SOCKET_SYN_DEFAULT_PENALTY_FAILURE,              \
    .score_reward_success = SOCKET_SYN_DEFAULT_REWARD_SUCCESS,                \
    .max_tracked_ips = SOCKET_SYN_DEFAULT_MAX_TRACKED_IPS,                    \
    .max_whitelist = SOCKET_SYN_DEFAULT_MAX_WHITELIST,                        \
    .max_blacklist = SOCKET_SYN_DEFAULT_MAX_BLACKLIST,                        \
  }

/** Statistics (SocketSYNProtect_stats()). */
typedef struct SocketSYNProtect_Stats
{
  uint64_t total_attempts;      /**< checks with a non-empty IP */
  uint64_t total_allowed;       /**< ALLOW results (whitelisted included) */
  uint64_t total_throttled;     /**< THROTTLE results */
  uint64_t total_challenged;    /**< CHALLENGE results */
  uint64_t total_blocked;       /**< BLOCK results (blacklist and global cap included) */
  uint64_t total_whitelisted;   /**< whitelist hits */
  uint64_t total_blacklisted;   /**< blacklist hits */
  uint64_t current_tracked_ips; /**< per-IP entries */
  uint64_t current_blocked_ips; /**< per-IP entries blocked now + blacklist entries */
  uint64_t lru_evictions;       /**< per-IP entries evicted */
  int64_t uptime_ms;            /**< since creation or the last reset */
} SocketSYNProtect_Stats;

/** Raised on allocation/mutex failure and for NULL handle/out arguments. */
extern SOCKET_API const Except_T SocketSYNProtect_Failed;

/**
 * @brief Create an instance.
 * @param arena owner of the instance object, or NULL for malloc. Entries are
 *        malloc'd in both modes and released by SocketSYNProtect_free().
 * @param config copied; NULL = defaults. Values are not validated except
 *        `max_global_per_second`, which must be > 0.
 * @throws SocketSYNProtect_Failed ("Failed to create global rate limiter"
 *         for `max_global_per_second` <= 0, or an allocation failure);
 *         Arena_Failed from the arena.
 */
extern SOCKET_API SocketSYNProtect_T SocketSYNProtect_new (Arena_T arena,
                                                           const SocketSYNProtect_Config *config);

/** @brief Free all state (and the instance unless arena-owned); *protect = NULL; a NULL pointer or handle is a no-op. */
extern SOCKET_API void SocketSYNProtect_free (SocketSYNProtect_T *protect);

/**
 * @brief Zero @p config and set every field from SOCKET_SYN_DEFAULT_*.
 * @throws SocketSYNProtect_Failed for NULL.
 */
extern SOCKET_API void SocketSYNProtect_config_defaults (SocketSYNProtect_Config *config);

/**
 * @brief Replace the config (copied). The global limiter takes the new rate
 * (<= 0 keeps the old one). States, blocks and lists are kept; a lower
 * `max_tracked_ips` applies (by eviction) on the next new IP; lower list
 * maxima only stop further additions.
 * @throws SocketSYNProtect_Failed for NULL arguments.
 */
extern SOCKET_API void SocketSYNProtect_configure (SocketSYNProtect_T protect,
                                                   const SocketSYNProtect_Config *config);

/**
 * @brief Decide on one connection attempt from @p client_ip.
 *
 * In order: whitelisted (exact or CIDR) → ALLOW (state_out: ip, TRUSTED,
 * score 1, no per-IP state); blacklisted and unexpired → BLOCK (HOSTILE,
 * score 0); global cap reached → BLOCK (state_out untouched, no state);
 * else the per-IP state is updated: the score recovers by idle seconds ×
 * score_decay_per_sec, the window rotates when older than
 * window_duration_ms (more than two windows old: previous = 0), the attempt
 * is counted and the score drops by score_penalty_attempt. Effective
 * attempts = current + previous × (1 − elapsed fraction of the window).
 * BLOCK if a block is active, effective attempts > max_attempts_per_window or
 * score < score_block (a new block lasts block_duration_ms); else CHALLENGE
 * below score_challenge; THROTTLE below score_throttle; else ALLOW.
 *
 * @param client_ip borrowed; NULL or "" → ALLOW, nothing counted, state_out untouched.
 * @param state_out may be NULL; receives a copy of the updated state.
 * @return the action; ALLOW also when the per-IP entry cannot be allocated.
 */
extern SOCKET_API SocketSYN_Action SocketSYNProtect_check (SocketSYNProtect_T protect,
                                                           const char *client_ip,
                                                           SocketSYN_IPState *state_out);

/**
 * @brief A connection from @p client_ip completed: score += reward,
 * successes + 1; a score back at/above score_throttle lifts a block.
 * NULL, "" or an untracked IP: no-op.
 */
extern SOCKET_API void SocketSYNProtect_report_success (SocketSYNProtect_T protect,
                                                        const char *client_ip);

/**
 * @brief A connection from @p client_ip failed: score −= penalty, failures +
 * 1; below score_block a block starts if none is recorded. @p error_code is
 * informational only. NULL, "" or an untracked IP: no-op.
 */
extern SOCKET_API void SocketSYNProtect_report_failure (SocketSYNProtect_T protect,
                                                        const char *client_ip, int error_code);

/**
 * @brief Whitelist one IP (exact match after canonicalisation).
 * @return 1 added or already present; 0 for NULL/"", a full whitelist
 *         (checked first) or allocation failure.
 */
extern SOCKET_API int SocketSYNProtect_whitelist_add (SocketSYNProtect_T protect, const char *ip);

/**
 * @brief Whitelist a block "addr/prefix" (IPv4 prefix 0..32, IPv6 0..128,
 * decimal digits only). A string without '/' is handed to whitelist_add.
 * @return 1 added; 0 for NULL/"", a malformed address or prefix, a full
 *         whitelist or allocation failure. Duplicates are not detected.
 */
extern SOCKET_API int SocketSYNProtect_whitelist_add_cidr (SocketSYNProtect_T protect,
                                                           const char *cidr);

/**
 * @brief Remove an exact entry, or (for "addr/prefix") every CIDR entry of
 * that block. NULL, "", absent: no-op.
 */
extern SOCKET_API void SocketSYNProtect_whitelist_remove (SocketSYNProtect_T protect,
                                                          const char *ip);

/** @brief 1 if @p ip equals an exact entry or lies in a CIDR entry; 0 otherwise (NULL/""). */
extern SOCKET_API int SocketSYNProtect_whitelist_contains (SocketSYNProtect_T protect,
                                                           const char *ip);

/** @brief Remove every whitelist entry (exact and CIDR). */
extern SOCKET_API void SocketSYNProtect_whitelist_clear (SocketSYNProtect_T protect);

/**
 * @brief Blacklist @p ip for @p duration_ms (<= 0: until removed); an
 * existing entry gets the new expiry.
 * @return 1 added/updated; 0 for NULL/"", a full blacklist (checked first)
 *         or allocation failure.
 */
extern SOCKET_API int SocketSYNProtect_blacklist_add (SocketSYNProtect_T protect, const char *ip,
                                                      int duration_ms);

/** @brief Remove @p ip from the blacklist; NULL, "" or absent: no-op. */
extern SOCKET_API void SocketSYNProtect_blacklist_remove (SocketSYNProtect_T protect,
                                                          const char *ip);

/** @brief 1 if blacklisted and permanent or unexpired; 0 otherwise (expired entries stay until cleanup). */
extern SOCKET_API int SocketSYNProtect_blacklist_contains (SocketSYNProtect_T protect,
                                                           const char *ip);

/** @brief Remove every blacklist entry. */
extern SOCKET_API void SocketSYNProtect_blacklist_clear (SocketSYNProtect_T protect);

/**
 * @brief Copy the stored state of @p ip (no decay applied, LRU untouched).
 * @return 1 if the IP has per-IP state; 0 otherwise or for NULL/"".
 * @throws SocketSYNProtect_Failed for a NULL @p state.
 */
extern SOCKET_API int SocketSYNProtect_get_ip_state (SocketSYNProtect_T protect, const char *ip,
                                                     SocketSYN_IPState *state);

/** @brief Fill @p stats (see SocketSYNProtect_Stats). @throws SocketSYNProtect_Failed for NULL. */
extern SOCKET_API void SocketSYNProtect_stats (SocketSYNProtect_T protect,
                                               SocketSYNProtect_Stats *stats);

/**
 * @brief Zero the total_* counters and lru_evictions (uptime keeps running).
 */
extern SOCKET_API void SocketSYNProtect_stats_reset (SocketSYNProtect_T protect);

/** @brief "ALLOW", "THROTTLE", "CHALLENGE", "BLOCK"; "UNKNOWN" otherwise. Static string. */
extern SOCKET_API const char *SocketSYNProtect_action_name (SocketSYN_Action action);

/** @brief "TRUSTED", "NEUTRAL", "SUSPECT", "HOSTILE"; "UNKNOWN" otherwise. Static string. */
extern SOCKET_API const char *SocketSYNProtect_reputation_name (SocketSYN_Reputation rep);

/**
 * @brief Remove expired blacklist entries and expired per-IP blocks, and
 * evict per-IP entries idle for more than two windows that carry no block.
 * @return number of expired blacklist entries removed.
 */
extern SOCKET_API size_t SocketSYNProtect_cleanup (SocketSYNProtect_T protect);

/** @brief Forget all per-IP state; lists and statistics are kept. */
extern SOCKET_API void SocketSYNProtect_clear_all (SocketSYNProtect_T protect);

/**
 * @brief clear_all + whitelist_clear + blacklist_clear + stats_reset; uptime
 * restarts. The config and the global limiter's tokens are kept.
 */
extern SOCKET_API void SocketSYNProtect_reset (SocketSYNProtect_T protect);

#endif /* SOCKETSYNPROTECT_INCLUDED */
