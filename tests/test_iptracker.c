/* test_iptracker.c - SocketIPTracker: contract special values, key
 * canonicalisation, the distinct-IP bound, a 100k-IP flood and a
 * multi-threaded track/release run (also under TSan). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketIPTable-private.h"
#include "core/SocketIPTracker.h"
#include "core/SocketIPTrackerExt.h"
#include "core/SocketUtil.h"

TEST (iptracker_basic_limit)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 2);

  ASSERT_EQ (SocketIPTracker_getmax (t), 2);
  ASSERT_EQ (SocketIPTracker_track (t, "10.0.0.1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "10.0.0.1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "10.0.0.1"), 0); /* at the limit */
  ASSERT_EQ (SocketIPTracker_count (t, "10.0.0.1"), 2);
  ASSERT_EQ (SocketIPTracker_track (t, "10.0.0.2"), 1);
  ASSERT_UEQ (SocketIPTracker_total (t), 3);
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 2);
  SocketIPTracker_release (t, "10.0.0.1");
  ASSERT_EQ (SocketIPTracker_count (t, "10.0.0.1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "10.0.0.1"), 1);
  SocketIPTracker_release (t, "10.0.0.2");
  ASSERT_EQ (SocketIPTracker_count (t, "10.0.0.2"), 0);
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 1); /* entry removed at 0 */
  SocketIPTracker_release (t, "10.0.0.2");          /* never negative */
  ASSERT_EQ (SocketIPTracker_count (t, "10.0.0.2"), 0);
  ASSERT_UEQ (SocketIPTracker_total (t), 2);
  SocketIPTracker_free (&t);
  ASSERT (t == NULL);
}

TEST (iptracker_null_and_empty)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 1);

  ASSERT_EQ (SocketIPTracker_track (t, NULL), 1);
  ASSERT_EQ (SocketIPTracker_track (t, ""), 1);
  ASSERT_EQ (SocketIPTracker_track (t, ""), 1); /* not counted, so no limit */
  ASSERT_UEQ (SocketIPTracker_total (t), 0);
  ASSERT_EQ (SocketIPTracker_count (t, NULL), 0);
  ASSERT_EQ (SocketIPTracker_count (t, ""), 0);
  SocketIPTracker_release (t, NULL);
  SocketIPTracker_release (t, "");
  SocketIPTracker_release (t, "1.2.3.4"); /* untracked: no-op */
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 0);
  SocketIPTracker_free (&t);
  SocketIPTracker_free (&t); /* *NULL: no-op */
  SocketIPTracker_free (NULL);

  volatile int raised = 0;
  TRY SocketIPTracker_track (NULL, "1.2.3.4");
  EXCEPT (SocketIPTracker_Failed) raised = 1;
  END_TRY;
  ASSERT_EQ (raised, 1);
}

TEST (iptracker_unlimited_and_negative)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 0);

  for (int i = 0; i < 1000; i++)
    ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.7"), 1);
  ASSERT_EQ (SocketIPTracker_count (t, "192.0.2.7"), 1000);
  SocketIPTracker_setmax (t, -1); /* first connection of a new IP only */
  ASSERT_EQ (SocketIPTracker_getmax (t), -1);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.8"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.8"), 0);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.7"), 0);
  SocketIPTracker_free (&t);
}

TEST (iptracker_setmax_below_existing)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 0);

  for (int i = 0; i < 5; i++)
    ASSERT_EQ (SocketIPTracker_track (t, "2001:db8::1"), 1);
  SocketIPTracker_setmax (t, 3);
  ASSERT_EQ (SocketIPTracker_count (t, "2001:db8::1"), 5); /* kept */
  ASSERT_EQ (SocketIPTracker_track (t, "2001:db8::1"), 0);
  SocketIPTracker_release (t, "2001:db8::1");
  SocketIPTracker_release (t, "2001:db8::1");
  ASSERT_EQ (SocketIPTracker_track (t, "2001:db8::1"), 0); /* 3 = limit */
  SocketIPTracker_release (t, "2001:db8::1");
  ASSERT_EQ (SocketIPTracker_track (t, "2001:db8::1"), 1);
  SocketIPTracker_free (&t);
}

TEST (iptracker_canonical_keys)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 0);

  ASSERT_EQ (SocketIPTracker_track (t, "::1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "0::1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "0:0:0:0:0:0:0:1"), 1);
  ASSERT_EQ (SocketIPTracker_count (t, "::1"), 3);
  ASSERT_EQ (SocketIPTracker_track (t, "::ffff:10.1.2.3"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "10.1.2.3"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "::FFFF:0a01:0203"), 1);
  ASSERT_EQ (SocketIPTracker_count (t, "10.1.2.3"), 3);
  ASSERT_EQ (SocketIPTracker_track (t, "2001:DB8::A"), 1);
  ASSERT_EQ (SocketIPTracker_count (t, "2001:db8:0::a"), 1);
  /* Not an address: kept byte-for-byte. */
  ASSERT_EQ (SocketIPTracker_track (t, "host.example"), 1);
  ASSERT_EQ (SocketIPTracker_count (t, "HOST.example"), 0);
  ASSERT_EQ (SocketIPTracker_count (t, "host.example"), 1);
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 4);
  SocketIPTracker_free (&t);

  SocketIP__Key k;
  char text[SOCKET_IP_MAX_LEN];
  ASSERT_UEQ (SocketIP__key ("::ffff:192.0.2.1", &k), 5); /* tag + 4 bytes */
  SocketIP__key_text (&k, text);
  ASSERT_STREQ (text, "192.0.2.1");
  ASSERT_UEQ (SocketIP__key ("0:0::AB", &k), 17);
  SocketIP__key_text (&k, text);
  ASSERT_STREQ (text, "::ab");
  ASSERT_UEQ (SocketIP__key ("not an ip", &k), 10);
  SocketIP__key_text (&k, text);
  ASSERT_STREQ (text, "not an ip");
  ASSERT_UEQ (SocketIP__key (NULL, &k), 0);
  ASSERT_UEQ (SocketIP__key ("", &k), 0);
}

TEST (iptracker_long_keys_cut_to_63)
{
  char a[200], b[200];
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 1);

  memset (a, 'x', sizeof a - 1);
  a[sizeof a - 1] = '\0';
  memcpy (b, a, sizeof b);
  b[100] = 'y'; /* differs only after byte 63 */
  ASSERT_EQ (SocketIPTracker_track (t, a), 1);
  ASSERT_EQ (SocketIPTracker_count (t, a), 1); /* a long key finds its entry */
  ASSERT_EQ (SocketIPTracker_track (t, b), 0); /* same 63-byte key */
  SocketIPTracker_release (t, a);
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 0);
  SocketIPTracker_free (&t);
}

TEST (iptracker_clear_keeps_limits)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 4);

  SocketIPTracker_setmaxunique (t, 10);
  for (int i = 0; i < 8; i++)
    {
      char ip[32];
      snprintf (ip, sizeof ip, "198.51.100.%d", i);
      ASSERT_EQ (SocketIPTracker_track (t, ip), 1);
    }
  SocketIPTracker_clear (t);
  ASSERT_UEQ (SocketIPTracker_total (t), 0);
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 0);
  ASSERT_EQ (SocketIPTracker_getmax (t), 4);
  ASSERT_UEQ (SocketIPTracker_getmaxunique (t), 10);
  ASSERT_EQ (SocketIPTracker_count (t, "198.51.100.1"), 0);
  ASSERT_EQ (SocketIPTracker_track (t, "198.51.100.1"), 1);
  SocketIPTracker_free (&t);
}

TEST (iptracker_arena_mode)
{
  Arena_T a = Arena_new ();
  SocketIPTracker_T t = SocketIPTracker_new (a, 2);

  for (int round = 0; round < 1000; round++) /* churn: entries are reused, not leaked */
    {
      ASSERT_EQ (SocketIPTracker_track (t, "203.0.113.9"), 1);
      SocketIPTracker_release (t, "203.0.113.9");
    }
  ASSERT_EQ (SocketIPTracker_track (t, "203.0.113.9"), 1);
  SocketIPTracker_free (&t); /* frees entries (ASan would report a leak) */
  ASSERT (t == NULL);
  Arena_dispose (&a);
}

static uint64_t
xorshift (uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

TEST (iptracker_flood_bounded)
{
  SocketIPTracker_T t = SocketIPTracker_new (NULL, 2);
  uint64_t seed = 0x1234567u;
  size_t refused = 0;

  ASSERT_UEQ (SocketIPTracker_getmaxunique (t), SOCKET_IP_TRACKER_MAX_UNIQUE);
  SocketIPTracker_setmaxunique (t, 5000);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.1"), 1); /* the good client */
  for (int i = 0; i < 100000; i++)
    {
      char ip[64];
      uint64_t r = xorshift (&seed);
      if (r & 1)
        snprintf (ip, sizeof ip, "%u.%u.%u.%u", (unsigned)(r >> 8) & 255,
                  (unsigned)(r >> 16) & 255, (unsigned)(r >> 24) & 255,
                  (unsigned)(r >> 32) & 255);
      else
        snprintf (ip, sizeof ip, "2001:db8:%x::%x", (unsigned)(r >> 8) & 0xffff,
                  (unsigned)(r >> 24) & 0xffff);
      if (!SocketIPTracker_track (t, ip))
        refused++;
      ASSERT (SocketIPTracker_unique_ips (t) <= 5000);
    }
  ASSERT_UEQ (SocketIPTracker_unique_ips (t), 5000);
  ASSERT (refused >= 90000);
  /* The good client keeps its entry and limit. */
  ASSERT_EQ (SocketIPTracker_count (t, "192.0.2.1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.1"), 1);
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.1"), 0);
  /* A new IP gets in once one leaves. */
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.200"), 0);
  SocketIPTracker_release (t, "192.0.2.1");
  SocketIPTracker_release (t, "192.0.2.1");
  ASSERT_EQ (SocketIPTracker_track (t, "192.0.2.200"), 1);
  SocketIPTracker_setmaxunique (t, 0); /* back to the default */
  ASSERT_UEQ (SocketIPTracker_getmaxunique (t), SOCKET_IP_TRACKER_MAX_UNIQUE);
  SocketIPTracker_free (&t);
}

TEST (iptracker_siphash_reference_vector)
{
  /* SipHash-2-4 paper, key 00..0f: empty input and 15 bytes 00..0e. */
  uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  unsigned char in[15];
  for (int i = 0; i < 15; i++)
    in[i] = (unsigned char)i;
  ASSERT (SocketIP__siphash (in, 0, k0, k1) == 0x726fdb47dd0e0e31ULL);
  ASSERT (SocketIP__siphash (in, 15, k0, k1) == 0xa129ca6149be45e5ULL);
}

#define NTHREADS 4
#define ROUNDS 20000
static SocketIPTracker_T shared;
static atomic_int granted_total;

static void *
worker (void *arg)
{
  int id = (int)(intptr_t)arg;
  char mine[32];

  snprintf (mine, sizeof mine, "10.9.0.%d", id);
  for (int i = 0; i < ROUNDS; i++)
    {
      /* Shared hot IP (limit 3) plus a private one. */
      if (SocketIPTracker_track (shared, "10.9.9.9"))
        {
          atomic_fetch_add (&granted_total, 1);
          int c = SocketIPTracker_count (shared, "10.9.9.9");
          if (c < 1 || c > 3)
            return (void *)1;
          SocketIPTracker_release (shared, "10.9.9.9");
        }
      if (!SocketIPTracker_track (shared, mine))
        return (void *)1;
      SocketIPTracker_release (shared, mine);
      (void)SocketIPTracker_total (shared);
    }
  return NULL;
}

TEST (iptracker_concurrent)
{
  pthread_t th[NTHREADS];
  void *rv;

  shared = SocketIPTracker_new (NULL, 3);
  atomic_store (&granted_total, 0);
  for (int i = 0; i < NTHREADS; i++)
    ASSERT_EQ (pthread_create (&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  for (int i = 0; i < NTHREADS; i++)
    {
      pthread_join (th[i], &rv);
      ASSERT (rv == NULL);
    }
  ASSERT (atomic_load (&granted_total) > 0);
  ASSERT_UEQ (SocketIPTracker_total (shared), 0);
  ASSERT_UEQ (SocketIPTracker_unique_ips (shared), 0);
  SocketIPTracker_free (&shared);
}

TEST_MAIN ()
