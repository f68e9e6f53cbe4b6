/* test_synprotect.c - SocketSYNProtect with an injected clock (windows,
 * decay, block and blacklist expiry run in simulated time): the contract's
 * decision order and thresholds, lists and CIDR, LRU bound under a
 * 100k-IP flood, statistics, and a multi-threaded run (also under TSan). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketRateLimit-private.h"
#include "core/SocketSYNProtect-private.h"
#include "core/SocketSYNProtect.h"
#include "core/SocketUtil.h"

static _Atomic int64_t fake_ms = 1000000; /* arbitrary non-zero start */

static int64_t
fake_clock_ms (void)
{
  return atomic_load (&fake_ms);
}

static int64_t
fake_clock_ns (void)
{
  return atomic_load (&fake_ms) * 1000000LL;
}

static void
use_fake_clock (void)
{
  SocketSYNProtect__set_clock (fake_clock_ms);
  SocketRateLimit__set_clock (fake_clock_ns);
}

static void
use_real_clock (void)
{
  SocketSYNProtect__set_clock (NULL);
  SocketRateLimit__set_clock (NULL);
}

static void
advance_ms (int64_t ms)
{
  atomic_fetch_add (&fake_ms, ms);
}

static SocketSYNProtect_T
new_fake (SocketSYNProtect_Config *c)
{
  use_fake_clock ();
  return SocketSYNProtect_new (NULL, c);
}

#define NEAR(a, b) (fabs ((double)(a) - (double)(b)) < 1e-4)

TEST (syn_config_defaults)
{
  SocketSYNProtect_Config c;
  SocketSYNProtect_Config r = SYNPROTECT_CONFIG_DEFAULTS;

  memset (&c, 0xab, sizeof c);
  SocketSYNProtect_config_defaults (&c);
  ASSERT_EQ (c.window_duration_ms, 10000);
  ASSERT_EQ (c.max_attempts_per_window, 50);
  ASSERT_EQ (c.max_global_per_second, 1000);
  ASSERT (c.min_success_ratio == 0.3f);
  ASSERT_EQ (c.throttle_delay_ms, 100);
  ASSERT_EQ (c.block_duration_ms, 60000);
  ASSERT_EQ (c.challenge_defer_sec, 5);
  ASSERT (c.score_throttle == 0.7f && c.score_challenge == 0.4f && c.score_block == 0.2f);
  ASSERT (c.score_decay_per_sec == 0.01f);
  ASSERT (c.score_penalty_attempt == 0.02f && c.score_penalty_failure == 0.05f);
  ASSERT (c.score_reward_success == 0.05f);
  ASSERT_UEQ (c.max_tracked_ips, 100000);
  ASSERT_UEQ (c.max_whitelist, 1000);
  ASSERT_UEQ (c.max_blacklist, 10000);
  ASSERT (memcmp (&c, &r, sizeof c) == 0); /* README initializer, padding zeroed by defaults */

  volatile int raised = 0;
  TRY SocketSYNProtect_config_defaults (NULL);
  EXCEPT (SocketSYNProtect_Failed) raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
}

TEST (syn_new_rejects_zero_global_rate)
{
  SocketSYNProtect_Config c;
  volatile int raised = 0;

  SocketSYNProtect_config_defaults (&c);
  c.max_global_per_second = 0;
  TRY SocketSYNProtect_new (NULL, &c);
  EXCEPT (SocketSYNProtect_Failed) raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
  ASSERT (strstr (Socket_GetLastError (), "Failed to create global rate limiter") != NULL);
  c.max_global_per_second = -5;
  raised = 0;
  TRY SocketSYNProtect_new (NULL, &c);
  EXCEPT (SocketSYNProtect_Failed) raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);

  SocketSYNProtect_T p = SocketSYNProtect_new (NULL, NULL); /* NULL = defaults */
  SocketSYNProtect_free (&p);
  ASSERT (p == NULL);
  SocketSYNProtect_free (&p);
  SocketSYNProtect_free (NULL);
}

TEST (syn_null_and_empty)
{
  SocketSYNProtect_T p = new_fake (NULL);
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  memset (&st, 0x5a, sizeof st);
  ASSERT_EQ (SocketSYNProtect_check (p, NULL, &st), SYN_ACTION_ALLOW);
  ASSERT_EQ (SocketSYNProtect_check (p, "", &st), SYN_ACTION_ALLOW);
  ASSERT_EQ ((unsigned char)st.ip[0], 0x5a); /* untouched */
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_attempts, 0);
  ASSERT_UEQ (s.current_tracked_ips, 0);
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.1", NULL), SYN_ACTION_ALLOW);
  SocketSYNProtect_report_success (p, NULL);
  SocketSYNProtect_report_failure (p, "", 0);
  SocketSYNProtect_report_success (p, "192.0.2.99"); /* untracked: no state created */
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.99", &st), 0);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, NULL, &st), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, NULL), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, ""), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, NULL), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, ""), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, NULL), 0);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, NULL, 0), 0);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "", 10), 0);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, ""), 0);
  SocketSYNProtect_whitelist_remove (p, NULL);
  SocketSYNProtect_blacklist_remove (p, "");

  volatile int raised = 0;
  TRY SocketSYNProtect_check (NULL, "1.2.3.4", NULL);
  EXCEPT (SocketSYNProtect_Failed) raised++;
  END_TRY;
  TRY SocketSYNProtect_get_ip_state (p, "192.0.2.1", NULL);
  EXCEPT (SocketSYNProtect_Failed) raised++;
  END_TRY;
  TRY SocketSYNProtect_stats (p, NULL);
  EXCEPT (SocketSYNProtect_Failed) raised++;
  END_TRY;
  TRY SocketSYNProtect_configure (p, NULL);
  EXCEPT (SocketSYNProtect_Failed) raised++;
  END_TRY;
  ASSERT_EQ (raised, 4);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_score_thresholds_with_defaults)
{
  SocketSYNProtect_T p = new_fake (NULL);
  SocketSYN_IPState st;
  int first_throttle = 0, first_challenge = 0, first_block = 0;
  int64_t t0 = fake_clock_ms ();

  for (int i = 1; i <= 35; i++)
    {
      SocketSYN_Action a = SocketSYNProtect_check (p, "198.51.100.7", &st);
      if (a == SYN_ACTION_THROTTLE && !first_throttle)
        first_throttle = i;
      if (a == SYN_ACTION_CHALLENGE && !first_challenge)
        first_challenge = i;
      if (a == SYN_ACTION_BLOCK && !first_block)
        first_block = i;
      if (i == 1)
        {
          ASSERT_STREQ (st.ip, "198.51.100.7");
          ASSERT (NEAR (st.score, 0.78));
          ASSERT_EQ (st.rep, SYN_REP_NEUTRAL);
          ASSERT_EQ (st.attempts_current, 1);
          ASSERT_EQ (st.window_start_ms, t0);
          ASSERT_EQ (st.last_attempt_ms, t0);
          ASSERT_EQ (st.block_until_ms, 0);
        }
      if (i == 6)
        ASSERT_EQ (st.rep, SYN_REP_SUSPECT);
    }
  ASSERT_EQ (first_throttle, 6);
  ASSERT_EQ (first_challenge, 21);
  ASSERT_EQ (first_block, 31);
  ASSERT_EQ (st.rep, SYN_REP_HOSTILE);
  ASSERT_EQ (st.block_until_ms, t0 + 60000); /* set once, not extended */
  ASSERT_EQ (st.attempts_current, 35);

  SocketSYNProtect_Stats s;
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_attempts, 35);
  ASSERT_UEQ (s.total_allowed, 5);
  ASSERT_UEQ (s.total_throttled, 15);
  ASSERT_UEQ (s.total_challenged, 10);
  ASSERT_UEQ (s.total_blocked, 5);
  ASSERT_UEQ (s.current_tracked_ips, 1);
  ASSERT_UEQ (s.current_blocked_ips, 1);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

/* Scores that never move, so only the window decides. */
static void
window_only_config (SocketSYNProtect_Config *c, int window_ms, int max_attempts)
{
  SocketSYNProtect_config_defaults (c);
  c->window_duration_ms = window_ms;
  c->max_attempts_per_window = max_attempts;
  c->score_penalty_attempt = 0.0f;
  c->score_decay_per_sec = 0.0f;
  c->max_global_per_second = 1000000;
}

TEST (syn_sliding_window_weights_previous)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;

  window_only_config (&c, 10000, 10);
  SocketSYNProtect_T p = new_fake (&c);
  for (int i = 0; i < 8; i++)
    ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.1", NULL), SYN_ACTION_ALLOW);
  advance_ms (10000); /* next window: previous = 8, weight 1.0 */
  ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.1", &st), SYN_ACTION_ALLOW); /* 1 + 8 */
  ASSERT_EQ (st.attempts_previous, 8);
  ASSERT_EQ (st.attempts_current, 1);
  ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.1", NULL), SYN_ACTION_ALLOW); /* 2 + 8 */
  ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.1", &st), SYN_ACTION_BLOCK); /* 3 + 8 */

  /* Half way through the next window the previous one weighs 0.5. */
  for (int i = 0; i < 8; i++)
    ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.2", NULL), SYN_ACTION_ALLOW);
  advance_ms (15000);
  for (int i = 1; i <= 6; i++) /* i + 4 <= 10 */
    ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.2", NULL), SYN_ACTION_ALLOW);
  ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.2", &st), SYN_ACTION_BLOCK);
  ASSERT_EQ (st.window_start_ms + 5000, fake_clock_ms ()); /* windows stay aligned */

  /* Two windows of silence: the previous count is gone. */
  for (int i = 0; i < 10; i++)
    ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.3", NULL), SYN_ACTION_ALLOW);
  advance_ms (20000);
  ASSERT_EQ (SocketSYNProtect_check (p, "203.0.113.3", &st), SYN_ACTION_ALLOW);
  ASSERT_EQ (st.attempts_previous, 0);
  ASSERT_EQ (st.attempts_current, 1);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_block_expires)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;

  window_only_config (&c, 100, 3);
  c.block_duration_ms = 1000;
  SocketSYNProtect_T p = new_fake (&c);
  for (int i = 0; i < 3; i++)
    ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::5", NULL), SYN_ACTION_ALLOW);
  ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::5", &st), SYN_ACTION_BLOCK);
  int64_t until = st.block_until_ms;
  ASSERT_EQ (until, fake_clock_ms () + 1000);
  advance_ms (500); /* window long gone, but the block is active */
  ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::5", &st), SYN_ACTION_BLOCK);
  ASSERT_EQ (st.block_until_ms, until);
  advance_ms (500); /* block_until reached: expired */
  ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::5", &st), SYN_ACTION_ALLOW);
  ASSERT_EQ (st.block_until_ms, 0);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_score_decay_and_reports)
{
  SocketSYNProtect_T p = new_fake (NULL);
  SocketSYN_IPState st;

  for (int i = 0; i < 10; i++)
    SocketSYNProtect_check (p, "192.0.2.50", NULL);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st), 1);
  ASSERT (NEAR (st.score, 0.60));
  advance_ms (10000); /* +0.01/s × 10 s */
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st), 1);
  ASSERT (NEAR (st.score, 0.60)); /* get_ip_state applies no decay */
  SocketSYNProtect_check (p, "192.0.2.50", &st);
  ASSERT (NEAR (st.score, 0.68));
  SocketSYNProtect_report_success (p, "192.0.2.50");
  SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st);
  ASSERT (NEAR (st.score, 0.73));
  ASSERT_EQ (st.successes, 1);
  ASSERT_EQ (st.rep, SYN_REP_NEUTRAL);
  for (int i = 0; i < 11; i++)
    SocketSYNProtect_report_failure (p, "192.0.2.50", 104);
  SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st);
  ASSERT (NEAR (st.score, 0.18));
  ASSERT_EQ (st.failures, 11);
  ASSERT_EQ (st.rep, SYN_REP_HOSTILE);
  ASSERT_EQ (st.block_until_ms, fake_clock_ms () + 60000); /* failure started a block */
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.50", NULL), SYN_ACTION_BLOCK);
  for (int i = 0; i < 11; i++)
    SocketSYNProtect_report_success (p, "192.0.2.50");
  SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st);
  ASSERT (st.score >= 0.7f);
  ASSERT_EQ (st.block_until_ms, 0); /* good behaviour lifts the block */
  /* 0.16 (after the blocked check) + 11 × 0.05 = 0.71, minus 0.02 < 0.7 */
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.50", NULL), SYN_ACTION_THROTTLE);
  /* Clamped to [0, 1]. */
  for (int i = 0; i < 40; i++)
    SocketSYNProtect_report_success (p, "192.0.2.50");
  SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st);
  ASSERT (st.score == 1.0f);
  ASSERT_EQ (st.rep, SYN_REP_TRUSTED);
  for (int i = 0; i < 40; i++)
    SocketSYNProtect_report_failure (p, "192.0.2.50", 0);
  SocketSYNProtect_get_ip_state (p, "192.0.2.50", &st);
  ASSERT (st.score == 0.0f);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_whitelist_exact)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  SocketSYNProtect_config_defaults (&c);
  c.max_whitelist = 3;
  SocketSYNProtect_T p = new_fake (&c);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "::1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "0::1"), 1); /* same address: already present */
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "0:0:0:0:0:0:0:1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "10.0.0.1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "::ffff:10.0.0.1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.0.0.2"), 0);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ (SocketSYNProtect_check (p, "10.0.0.1", &st), SYN_ACTION_ALLOW);
  ASSERT_STREQ (st.ip, "10.0.0.1");
  ASSERT_EQ (st.rep, SYN_REP_TRUSTED);
  ASSERT (st.score == 1.0f);
  ASSERT_EQ (st.attempts_current, 0);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "10.0.0.1", &st), 0); /* no per-IP state */
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_whitelisted, 100);
  ASSERT_UEQ (s.total_allowed, 100);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "10.0.0.3"), 1); /* 3rd entry */
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "10.0.0.4"), 0); /* full */
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "10.0.0.3"), 0); /* full is checked first */
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "172.16.0.0/12"), 0);
  SocketSYNProtect_whitelist_remove (p, "10.0.0.1");
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.0.0.1"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add (p, "10.0.0.4"), 1);
  SocketSYNProtect_whitelist_clear (p);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "::1"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.0.0.4"), 0);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_whitelist_cidr)
{
  SocketSYNProtect_T p = new_fake (NULL);

  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "10.0.0.0/8"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.255.1.2"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "::ffff:10.1.1.1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "11.0.0.1"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.0.0.0/8"), 0); /* a CIDR is not an IP */
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "192.168.1.77/25"), 1); /* host bits ignored */
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.168.1.0"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.168.1.127"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.168.1.128"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "2001:db8:abcd::/48"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:db8:abcd:ffff::1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:db8:abce::1"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.0.0.1") , 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "2001:db8::7/128"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:DB8:0::7"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:db8::8"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "::ffff:172.20.0.0/112"), 1); /* = /16 */
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "172.20.9.9"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "172.21.0.1"), 0);
  ASSERT_EQ (SocketSYNProtect_check (p, "10.9.9.9", NULL), SYN_ACTION_ALLOW);

  /* Malformed: rejected, nothing added. */
  static const char *const bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/", "/8", "zzz/8",
                                     "10.0.0.0/8x", "10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0/8",
                                     "10.0.0.0/0008", "1.2.3.4/8/8", "::ffff:1.2.3.4/95",
                                     "2001:db8::/4a" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, bad[i]), 0);
  /* No '/': an exact entry. */
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "203.0.113.5"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "203.0.113.5"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "203.0.113.6"), 0);

  /* CIDR entries are removable by their text (any host bits). */
  SocketSYNProtect_whitelist_remove (p, "10.1.2.3/8");
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "10.255.1.2"), 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.168.1.1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "0.0.0.0/0"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "8.8.8.8"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:db9::1"), 0); /* family differs */
  ASSERT_EQ (SocketSYNProtect_whitelist_add_cidr (p, "::/0"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "2001:db9::1"), 1);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "not-an-ip"), 0);
  SocketSYNProtect_whitelist_clear (p);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "8.8.8.8"), 0);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_blacklist)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  SocketSYNProtect_config_defaults (&c);
  c.max_blacklist = 3;
  SocketSYNProtect_T p = new_fake (&c);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "198.51.100.1", 1000), 1);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "2001:db8::bad", 0), 1); /* permanent */
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "198.51.100.1"), 1);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "2001:DB8:0::BAD"), 1);
  ASSERT_EQ (SocketSYNProtect_check (p, "198.51.100.1", &st), SYN_ACTION_BLOCK);
  ASSERT_EQ (st.rep, SYN_REP_HOSTILE);
  ASSERT (st.score == 0.0f);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "198.51.100.1", &st), 0);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_blacklisted, 1);
  ASSERT_UEQ (s.total_blocked, 1);
  ASSERT_UEQ (s.current_blocked_ips, 2);
  /* Whitelist wins over the blacklist. */
  SocketSYNProtect_whitelist_add (p, "2001:db8::bad");
  ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::bad", NULL), SYN_ACTION_ALLOW);
  SocketSYNProtect_whitelist_clear (p);
  ASSERT_EQ (SocketSYNProtect_check (p, "2001:db8::bad", NULL), SYN_ACTION_BLOCK);

  advance_ms (1000); /* expiry reached */
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "198.51.100.1"), 0);
  ASSERT_EQ (SocketSYNProtect_check (p, "198.51.100.1", NULL), SYN_ACTION_ALLOW);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "2001:db8::bad"), 1);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_blocked_ips, 2); /* the expired entry is still stored */

  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "198.51.100.2", -1), 1);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "198.51.100.3", 5), 0); /* full */
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "198.51.100.2", 5), 0); /* full checked first */
  ASSERT_UEQ (SocketSYNProtect_cleanup (p), 1);                        /* the expired one */
  ASSERT_UEQ (SocketSYNProtect_cleanup (p), 0);
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "198.51.100.2", 5), 1); /* update expiry */
  advance_ms (5);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "198.51.100.2"), 0);
  SocketSYNProtect_blacklist_remove (p, "2001:db8::bad");
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "2001:db8::bad"), 0);
  SocketSYNProtect_blacklist_remove (p, "2001:db8::bad"); /* absent: no-op */
  ASSERT_EQ (SocketSYNProtect_blacklist_add (p, "x", 0), 1);
  SocketSYNProtect_blacklist_clear (p);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "x"), 0);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_blocked_ips, 0);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_global_rate_cap)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  SocketSYNProtect_config_defaults (&c);
  c.max_global_per_second = 5;
  SocketSYNProtect_T p = new_fake (&c);
  SocketSYNProtect_whitelist_add (p, "192.0.2.254");
  for (int i = 0; i < 5; i++)
    {
      char ip[32];
      snprintf (ip, sizeof ip, "192.0.2.%d", i);
      ASSERT_EQ (SocketSYNProtect_check (p, ip, NULL), SYN_ACTION_ALLOW);
    }
  memset (&st, 0x5a, sizeof st);
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.100", &st), SYN_ACTION_BLOCK);
  ASSERT_EQ ((unsigned char)st.ip[0], 0x5a);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.100", &st), 0);
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.254", NULL), SYN_ACTION_ALLOW);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_blocked, 1);
  ASSERT_UEQ (s.current_tracked_ips, 5);
  advance_ms (200); /* 5/s: one token back */
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.100", NULL), SYN_ACTION_ALLOW);
  ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.101", NULL), SYN_ACTION_BLOCK);
  c.max_global_per_second = 100; /* configure raises the cap */
  SocketSYNProtect_configure (p, &c);
  advance_ms (1000);
  for (int i = 0; i < 100; i++)
    {
      char ip[32];
      snprintf (ip, sizeof ip, "198.18.0.%d", i);
      ASSERT_EQ (SocketSYNProtect_check (p, ip, NULL), SYN_ACTION_ALLOW);
    }
  ASSERT_EQ (SocketSYNProtect_check (p, "198.18.1.1", NULL), SYN_ACTION_BLOCK);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_lru_eviction)
{
  SocketSYNProtect_Config c;
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  SocketSYNProtect_config_defaults (&c);
  c.max_tracked_ips = 3;
  SocketSYNProtect_T p = new_fake (&c);
  SocketSYNProtect_check (p, "10.0.0.1", NULL);
  SocketSYNProtect_check (p, "10.0.0.2", NULL);
  SocketSYNProtect_check (p, "10.0.0.3", NULL);
  SocketSYNProtect_report_success (p, "10.0.0.1"); /* use: 2 is now least recent */
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "10.0.0.2", &st), 1); /* does not count as use */
  SocketSYNProtect_check (p, "10.0.0.4", NULL);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "10.0.0.2", &st), 0);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "10.0.0.1", &st), 1);
  SocketSYNProtect_check (p, "10.0.0.3", NULL);
  SocketSYNProtect_check (p, "10.0.0.5", NULL); /* evicts 1 */
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "10.0.0.1", &st), 0);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.lru_evictions, 2);
  ASSERT_UEQ (s.current_tracked_ips, 3);
  c.max_tracked_ips = 1; /* lower bound applies on the next new IP */
  SocketSYNProtect_configure (p, &c);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_tracked_ips, 3);
  SocketSYNProtect_check (p, "10.0.0.6", NULL);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_tracked_ips, 1);
  ASSERT_UEQ (s.lru_evictions, 5);
  c.max_tracked_ips = 0; /* acts as 1 */
  SocketSYNProtect_configure (p, &c);
  ASSERT_EQ (SocketSYNProtect_check (p, "10.0.0.7", NULL), SYN_ACTION_ALLOW);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_tracked_ips, 1);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_stats_reset_cleanup_clear)
{
  SocketSYNProtect_T p = new_fake (NULL);
  SocketSYNProtect_Stats s;
  SocketSYN_IPState st;

  advance_ms (1234);
  SocketSYNProtect_stats (p, &s);
  ASSERT_EQ (s.uptime_ms, 1234);
  for (int i = 0; i < 31; i++)
    SocketSYNProtect_check (p, "192.0.2.9", NULL); /* 31st blocks */
  SocketSYNProtect_check (p, "192.0.2.10", NULL);
  SocketSYNProtect_whitelist_add (p, "192.0.2.11");
  SocketSYNProtect_blacklist_add (p, "192.0.2.12", 0);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_blocked_ips, 2);
  ASSERT_UEQ (s.total_attempts, 32);
  SocketSYNProtect_stats_reset (p);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_attempts, 0);
  ASSERT_UEQ (s.total_blocked, 0);
  ASSERT_UEQ (s.total_allowed, 0);
  ASSERT_UEQ (s.current_tracked_ips, 2); /* state kept */
  ASSERT_EQ (s.uptime_ms, 1234);

  /* cleanup: expired per-IP block cleared; idle unblocked entries evicted. */
  advance_ms (60000);
  ASSERT_UEQ (SocketSYNProtect_cleanup (p), 0);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.9", &st), 0);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.10", &st), 0);
  SocketSYNProtect_check (p, "192.0.2.13", NULL);
  SocketSYNProtect_clear_all (p);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_tracked_ips, 0);
  ASSERT_UEQ (s.total_attempts, 1); /* counters kept */
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.0.2.11"), 1);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "192.0.2.12"), 1);
  SocketSYNProtect_check (p, "192.0.2.13", NULL);
  SocketSYNProtect_reset (p);
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.total_attempts, 0);
  ASSERT_UEQ (s.current_tracked_ips, 0);
  ASSERT_EQ (s.uptime_ms, 0);
  ASSERT_EQ (SocketSYNProtect_whitelist_contains (p, "192.0.2.11"), 0);
  ASSERT_EQ (SocketSYNProtect_blacklist_contains (p, "192.0.2.12"), 0);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_cleanup_keeps_active_blocks)
{
  SocketSYNProtect_T p = new_fake (NULL);
  SocketSYN_IPState st;

  for (int i = 0; i < 31; i++)
    SocketSYNProtect_check (p, "192.0.2.9", NULL);
  advance_ms (30000); /* idle > 2 windows, but blocked for another 30 s */
  SocketSYNProtect_cleanup (p);
  ASSERT_EQ (SocketSYNProtect_get_ip_state (p, "192.0.2.9", &st), 1);
  ASSERT (st.block_until_ms > fake_clock_ms ());
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

TEST (syn_names)
{
  ASSERT_STREQ (SocketSYNProtect_action_name (SYN_ACTION_ALLOW), "ALLOW");
  ASSERT_STREQ (SocketSYNProtect_action_name (SYN_ACTION_THROTTLE), "THROTTLE");
  ASSERT_STREQ (SocketSYNProtect_action_name (SYN_ACTION_CHALLENGE), "CHALLENGE");
  ASSERT_STREQ (SocketSYNProtect_action_name (SYN_ACTION_BLOCK), "BLOCK");
  ASSERT_STREQ (SocketSYNProtect_action_name ((SocketSYN_Action)4), "UNKNOWN");
  ASSERT_STREQ (SocketSYNProtect_action_name ((SocketSYN_Action)-1), "UNKNOWN");
  ASSERT_STREQ (SocketSYNProtect_reputation_name (SYN_REP_TRUSTED), "TRUSTED");
  ASSERT_STREQ (SocketSYNProtect_reputation_name (SYN_REP_NEUTRAL), "NEUTRAL");
  ASSERT_STREQ (SocketSYNProtect_reputation_name (SYN_REP_SUSPECT), "SUSPECT");
  ASSERT_STREQ (SocketSYNProtect_reputation_name (SYN_REP_HOSTILE), "HOSTILE");
  ASSERT_STREQ (SocketSYNProtect_reputation_name ((SocketSYN_Reputation)9), "UNKNOWN");
  ASSERT_STREQ (SocketSYNProtect_Failed.reason, "SYN protection operation failed");
}

TEST (syn_arena_mode)
{
  Arena_T a = Arena_new ();
  SocketSYNProtect_T p;

  use_fake_clock ();
  p = SocketSYNProtect_new (a, NULL);
  SocketSYNProtect_check (p, "192.0.2.1", NULL);
  SocketSYNProtect_whitelist_add_cidr (p, "10.0.0.0/8");
  SocketSYNProtect_blacklist_add (p, "192.0.2.2", 0);
  SocketSYNProtect_free (&p); /* entries freed: ASan reports leaks otherwise */
  ASSERT (p == NULL);
  Arena_dispose (&a);
  use_real_clock ();
}

static uint64_t
xorshift (uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void
random_ip (uint64_t *seed, char *ip, size_t n)
{
  uint64_t r = xorshift (seed);
  if (r & 1)
    snprintf (ip, n, "%u.%u.%u.%u", (unsigned)(r >> 8) & 255, (unsigned)(r >> 16) & 255,
              (unsigned)(r >> 24) & 255, (unsigned)(r >> 32) & 255);
  else
    snprintf (ip, n, "2001:db8:%x:%x::%x", (unsigned)(r >> 8) & 0xffff,
              (unsigned)(r >> 24) & 0xffff, (unsigned)(r >> 40) & 0xffff);
}

TEST (syn_flood_bounded_and_good_ip_allowed)
{
  SocketSYNProtect_Config c;
  SocketSYNProtect_Stats s;
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  int good_checks = 0;

  SocketSYNProtect_config_defaults (&c);
  c.max_tracked_ips = 1000;
  c.max_global_per_second = 100000; /* the per-IP logic is under test here */
  SocketSYNProtect_T p = new_fake (&c);
  for (int i = 0; i < 100000; i++)
    {
      char ip[64];
      random_ip (&seed, ip, sizeof ip);
      SocketSYNProtect_check (p, ip, NULL);
      advance_ms (1); /* 1000 attempts/s from random sources */
      if (i % 1000 == 0) /* a well-behaved client: one connection a second */
        {
          ASSERT_EQ (SocketSYNProtect_check (p, "192.0.2.80", NULL), SYN_ACTION_ALLOW);
          SocketSYNProtect_report_success (p, "192.0.2.80");
          good_checks++;
        }
      if (i % 997 == 0)
        {
          SocketSYNProtect_stats (p, &s);
          ASSERT (s.current_tracked_ips <= 1000);
        }
    }
  SocketSYNProtect_stats (p, &s);
  ASSERT_UEQ (s.current_tracked_ips, 1000);
  ASSERT (s.lru_evictions >= 99000);
  ASSERT_UEQ (s.total_attempts, 100000 + (uint64_t)good_checks);
  ASSERT_EQ (good_checks, 100);
  SocketSYNProtect_free (&p);
  use_real_clock ();
}

/* README snippet (core/SocketSYNProtect.h section) in the header's terms;
 * see docs/MIGRATION.md for the renamed fields and functions. */
static int
readme_snippet (const char *client_ip, int success)
{
  SocketSYNProtect_Config config = SYNPROTECT_CONFIG_DEFAULTS;
  config.max_attempts_per_window = 10; /* README: max_connections_per_ip */
  config.max_global_per_second = 100;  /* README: connection_rate_limit */
  config.score_challenge = 0.5f;       /* README: challenge_threshold */
  config.score_block = 0.2f;           /* README: block_threshold */

  SocketSYNProtect_T protect = SocketSYNProtect_new (NULL, &config);
  SocketSYN_Action action = SocketSYNProtect_check (protect, client_ip, NULL);
  int accepted = 0;

  switch (action)
    {
    case SYN_ACTION_ALLOW:
      accepted = 1;
      break;
    case SYN_ACTION_THROTTLE:
      accepted = 1; /* the caller would usleep(config.throttle_delay_ms * 1000) */
      break;
    case SYN_ACTION_CHALLENGE:
      break;
    case SYN_ACTION_BLOCK:
      break;
    }
  if (success)
    SocketSYNProtect_report_success (protect, client_ip);
  else
    SocketSYNProtect_report_failure (protect, client_ip, 0);

  SocketSYNProtect_Stats stats;
  SocketSYNProtect_stats (protect, &stats);
  SocketSYNProtect_free (&protect);
  return accepted && stats.total_allowed == 1;
}

TEST (syn_readme_snippet)
{
  ASSERT_EQ (readme_snippet ("192.0.2.1", 1), 1);
}

#define NTHREADS 4
static SocketSYNProtect_T shared;

static void *
worker (void *arg)
{
  uint64_t seed = 0x1000u + (uint64_t)(intptr_t)arg;
  SocketSYN_IPState st;
  SocketSYNProtect_Stats s;

  for (int i = 0; i < 5000; i++)
    {
      char ip[64];
      random_ip (&seed, ip, sizeof ip);
      SocketSYN_Action a = SocketSYNProtect_check (shared, ip, &st);
      if (a != SYN_ACTION_ALLOW && a != SYN_ACTION_BLOCK)
        return (void *)1; /* a fresh IP starts ALLOW; BLOCK only from the global cap */
      SocketSYNProtect_check (shared, "198.51.100.200", NULL);
      SocketSYNProtect_report_success (shared, ip);
      SocketSYNProtect_report_failure (shared, "198.51.100.200", 0);
      if (i % 100 == 0)
        {
          SocketSYNProtect_whitelist_add (shared, ip);
          SocketSYNProtect_whitelist_add_cidr (shared, "10.0.0.0/8");
          SocketSYNProtect_blacklist_add (shared, ip, 10);
          SocketSYNProtect_blacklist_contains (shared, ip);
          SocketSYNProtect_whitelist_remove (shared, ip);
          SocketSYNProtect_stats (shared, &s);
          if (s.current_tracked_ips > 500)
            return (void *)1;
          SocketSYNProtect_get_ip_state (shared, "198.51.100.200", &st);
          SocketSYNProtect_cleanup (shared);
        }
    }
  return NULL;
}

TEST (syn_concurrent)
{
  SocketSYNProtect_Config c;
  pthread_t th[NTHREADS];
  void *rv;
  SocketSYNProtect_Stats s;

  use_real_clock ();
  SocketSYNProtect_config_defaults (&c);
  c.max_tracked_ips = 500;
  c.max_global_per_second = 1000000;
  shared = SocketSYNProtect_new (NULL, &c);
  for (int i = 0; i < NTHREADS; i++)
    ASSERT_EQ (pthread_create (&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  for (int i = 0; i < NTHREADS; i++)
    {
      pthread_join (th[i], &rv);
      ASSERT (rv == NULL);
    }
  SocketSYNProtect_stats (shared, &s);
  ASSERT_UEQ (s.total_attempts, (uint64_t)NTHREADS * 10000);
  ASSERT (s.current_tracked_ips <= 500);
  SocketSYNProtect_free (&shared);
}

TEST_MAIN ()
