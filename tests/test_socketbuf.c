/* test_socketbuf.c - ring buffer: wraparound, zero-copy pointers, reserve,
 * limits, secure clearing, and a randomized comparison with a plain
 * reference model. */
#include <stdlib.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "socket/SocketBuf.h"

TEST (new_capacity_is_exact_and_rejects_bad_arguments)
{
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 10);
  volatile int arena_failed = 0;

  ASSERT_UEQ (SocketBuf_space (b), 10); /* exact: no minimum, no rounding */
  ASSERT_UEQ (SocketBuf_write (b, "0123456789AB", 12), 10);
  ASSERT_EQ (SocketBuf_full (b), 1);
  SocketBuf_clear (b);
  ASSERT_UEQ (SocketBuf_available (b), 0);
  ASSERT_EQ (SocketBuf_empty (b), 1);
  ASSERT_EQ (SocketBuf_full (b), 0);
  ASSERT (SocketBuf_check_invariants (b));
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_new (NULL, 1024)), 1);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_new (arena, 0)), 1);
  ASSERT_EQ (RAISES (SocketBuf_Failed,
                     SocketBuf_new (arena, (size_t)SOCKETBUF_MAX_CAPACITY + 1)),
             1);
  ASSERT_STREQ (Socket_GetLastError (),
                "SocketBuf_new: capacity exceeds SOCKETBUF_MAX_CAPACITY");
  ASSERT_STREQ (SocketBuf_Failed.reason, "SocketBuf operation failed");
  /* Above what an arena can hand out: the arena's exception, as in the
   * original. */
  TRY (void) SocketBuf_new (arena, (size_t)ARENA_MAX_ALLOC_SIZE + 1);
  EXCEPT (Arena_Failed) arena_failed = 1;
  END_TRY;
  ASSERT_EQ (arena_failed, 1);
  b = SocketBuf_new (arena, 4096);
  ASSERT_UEQ (SocketBuf_space (b), 4096);
  Arena_dispose (&arena);
}

TEST (write_read_peek_consume)
{
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 512);
  char out[600];

  ASSERT_UEQ (SocketBuf_write (b, "hello world", 11), 11);
  ASSERT_UEQ (SocketBuf_available (b), 11);
  ASSERT_UEQ (SocketBuf_peek (b, out, 5), 5);
  ASSERT_MEMEQ (out, "hello", 5);
  ASSERT_UEQ (SocketBuf_available (b), 11); /* peek keeps the data */
  SocketBuf_consume (b, 6);
  ASSERT_UEQ (SocketBuf_read (b, out, sizeof out), 5);
  ASSERT_MEMEQ (out, "world", 5);
  ASSERT_EQ (SocketBuf_empty (b), 1);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_consume (b, 1)), 1);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_write (b, NULL, 3)), 1);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_available (NULL)), 1);
  ASSERT_UEQ (SocketBuf_write (b, NULL, 0), 0);
  /* Writes stop at capacity. */
  memset (out, 'x', sizeof out);
  ASSERT_UEQ (SocketBuf_write (b, out, sizeof out), 512);
  ASSERT_EQ (SocketBuf_full (b), 1);
  ASSERT_UEQ (SocketBuf_write (b, out, 1), 0);
  SocketBuf_clear (b);
  ASSERT_EQ (SocketBuf_empty (b), 1);
  ASSERT_UEQ (SocketBuf_space (b), 512);
  Arena_dispose (&arena);
}

TEST (wraparound_and_zero_copy_pointers)
{
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 512);
  unsigned char in[512], out[512];
  const unsigned char *rp;
  unsigned char *wp;
  size_t len, first;

  test_fill (in, sizeof in, 0, 1);
  ASSERT_UEQ (SocketBuf_write (b, in, 400), 400);
  SocketBuf_consume (b, 300); /* data now at [300, 400) */
  ASSERT_UEQ (SocketBuf_write (b, in + 400, 112), 112); /* to the end */
  ASSERT_UEQ (SocketBuf_write (b, in, 150), 150);       /* wraps to [0,150) */
  ASSERT_UEQ (SocketBuf_available (b), 362);
  /* readptr: only the contiguous part up to the physical end. */
  rp = SocketBuf_readptr (b, &len);
  ASSERT_UEQ (len, 212);
  ASSERT_MEMEQ (rp, in + 300, 212);
  /* writeptr: the gap between the wrapped tail and head. */
  wp = SocketBuf_writeptr (b, &len);
  ASSERT_UEQ (len, 150);
  memcpy (wp, in + 150, 100);
  SocketBuf_written (b, 100);
  ASSERT_UEQ (SocketBuf_available (b), 462);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_written (b, 51)), 1);
  first = SocketBuf_read (b, out, 212);
  ASSERT_UEQ (first, 212);
  ASSERT_MEMEQ (out, in + 300, 212);
  ASSERT_UEQ (SocketBuf_read (b, out, sizeof out), 250);
  ASSERT_MEMEQ (out, in, 250);
  /* Empty again: indices are not rewound (head = tail = 250), so the
   * contiguous write run ends at the physical end; readptr gives NULL. */
  wp = SocketBuf_writeptr (b, &len);
  ASSERT_UEQ (len, 262);
  rp = SocketBuf_readptr (b, &len);
  ASSERT (rp == NULL);
  ASSERT_UEQ (len, 0);
  /* written() may commit the whole free space, past the contiguous run. */
  SocketBuf_written (b, 512);
  ASSERT_EQ (SocketBuf_full (b), 1);
  wp = SocketBuf_writeptr (b, &len);
  ASSERT (wp == NULL);
  ASSERT_UEQ (len, 0);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_written (b, 1)), 1);
  SocketBuf_clear (b);
  wp = SocketBuf_writeptr (b, &len);
  ASSERT_UEQ (len, 512); /* clear() rewinds */
  ASSERT (SocketBuf_check_invariants (b));
  Arena_dispose (&arena);
}

TEST (reserve_grows_and_keeps_wrapped_content)
{
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 512);
  unsigned char in[4096], out[4096];
  size_t len;

  test_fill (in, sizeof in, 0, 9);
  SocketBuf_write (b, in, 500);
  SocketBuf_consume (b, 450);
  SocketBuf_write (b, in + 500, 400); /* wrapped: 450 bytes live */
  SocketBuf_reserve (b, 100);         /* already has 62: must grow */
  ASSERT (SocketBuf_space (b) >= 100);
  ASSERT_UEQ (SocketBuf_available (b), 450);
  SocketBuf_readptr (b, &len);
  ASSERT_UEQ (len, 450); /* linearised */
  SocketBuf_reserve (b, 3000);
  ASSERT (SocketBuf_space (b) >= 3000);
  ASSERT_UEQ (SocketBuf_read (b, out, sizeof out), 450);
  ASSERT_MEMEQ (out, in + 450, 450);
  SocketBuf_reserve (b, 0); /* no-op */
  ASSERT_EQ (RAISES (SocketBuf_Failed,
                     SocketBuf_reserve (b, (size_t)SOCKETBUF_MAX_CAPACITY)),
             1);
  ASSERT_EQ (RAISES (SocketBuf_Failed, SocketBuf_reserve (b, SIZE_MAX)), 1);
  ASSERT_STREQ (Socket_GetLastError (), "SocketBuf reserve overflow");
  ASSERT (SocketBuf_check_invariants (b));
  Arena_dispose (&arena);
}

TEST (secureclear_zeroes_storage_and_release)
{
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 512);
  unsigned char *wp;
  size_t len;

  SocketBuf_write (b, "secret-key-material", 19);
  SocketBuf_secureclear (b);
  ASSERT_EQ (SocketBuf_empty (b), 1);
  wp = SocketBuf_writeptr (b, &len);
  ASSERT_UEQ (len, 512);
  for (size_t i = 0; i < len; i++)
    if (wp[i] != 0)
      ASSERT_EQ (wp[i], 0);
  {
    SocketBuf_T alias = b;
    SocketBuf_write (b, "abc", 3);
    SocketBuf_release (&b);
    ASSERT (b == NULL);
    /* Only the handle is cleared: the object and its storage remain. */
    ASSERT_UEQ (SocketBuf_available (alias), 3);
  }
  SocketBuf_release (&b);
  SocketBuf_release (NULL);
  ASSERT (!SocketBuf_check_invariants (NULL));
  Arena_dispose (&arena);
}

/* Reference model: a plain FIFO in a large flat array. */
struct model
{
  unsigned char data[1 << 16];
  size_t start, len;
};

static void
model_push (struct model *m, const unsigned char *p, size_t n)
{
  if (m->start + m->len + n > sizeof m->data)
    {
      memmove (m->data, m->data + m->start, m->len);
      m->start = 0;
    }
  memcpy (m->data + m->start + m->len, p, n);
  m->len += n;
}

TEST (randomized_against_reference_model)
{
  static struct model m;
  Arena_T arena = Arena_new ();
  SocketBuf_T b = SocketBuf_new (arena, 512);
  unsigned char tmp[2048], got[2048];
  unsigned seed = 12345;
  size_t cap = 512;

  for (int step = 0; step < 20000; step++)
    {
      size_t n, len;
      seed = seed * 1103515245u + 12345u;
      n = (seed >> 8) % 700;
      test_fill (tmp, n, (size_t)step, seed);
      switch ((seed >> 20) % 7)
        {
        case 0: /* write */
          len = SocketBuf_write (b, tmp, n);
          ASSERT_UEQ (len, n < cap - m.len ? n : cap - m.len);
          model_push (&m, tmp, len);
          break;
        case 1: /* read */
          len = SocketBuf_read (b, got, n);
          ASSERT_UEQ (len, n < m.len ? n : m.len);
          ASSERT_MEMEQ (got, m.data + m.start, len);
          m.start += len, m.len -= len;
          break;
        case 2: /* peek */
          len = SocketBuf_peek (b, got, n);
          ASSERT_MEMEQ (got, m.data + m.start, len);
          break;
        case 3: /* zero-copy write */
          {
            unsigned char *wp = SocketBuf_writeptr (b, &len);
            ASSERT ((wp == NULL) == (len == 0)); /* NULL exactly when full */
            if (len > n)
              len = n;
            if (len > 0)
              memcpy (wp, tmp, len);
            SocketBuf_written (b, len);
            model_push (&m, tmp, len);
          }
          break;
        case 4: /* zero-copy read */
          {
            const unsigned char *rp = SocketBuf_readptr (b, &len);
            ASSERT (len <= m.len);
            ASSERT (len > 0 || m.len == 0);
            ASSERT ((rp == NULL) == (m.len == 0)); /* NULL when empty */
            if (len > 0)
              ASSERT_MEMEQ (rp, m.data + m.start, len);
            if (len > n)
              len = n;
            SocketBuf_consume (b, len);
            m.start += len, m.len -= len;
          }
          break;
        case 5: /* occasionally grow */
          if (n % 8 == 0 && cap < 8192)
            {
              SocketBuf_reserve (b, n + 600);
              cap = SocketBuf_space (b) + SocketBuf_available (b);
              ASSERT (SocketBuf_space (b) >= n + 600);
            }
          break;
        default:
          if (n % 50 == 0)
            {
              SocketBuf_clear (b);
              m.start = m.len = 0;
            }
        }
      ASSERT_UEQ (SocketBuf_available (b), m.len);
      ASSERT_UEQ (SocketBuf_space (b), cap - m.len);
      ASSERT (SocketBuf_check_invariants (b));
    }
  Arena_dispose (&arena);
}

TEST_MAIN ()
