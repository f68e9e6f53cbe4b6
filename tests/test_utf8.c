/*
 * test_utf8.c - SocketUTF8: verdicts and error kinds against a reference
 * decoder (exhaustive over short sequences), Markus Kuhn's stress test
 * file, incremental vs one-shot on every split, SIMD vs portable paths,
 * encode/decode round trips and the NULL-state contract.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "Test.h"
#include "core/Except.h"
#include "core/SocketUTF8.h"

#include "core/SocketUTF8-private.h"

/* ===================================================================== */
/* Reference decoder                                                      */
/* ===================================================================== */

/*
 * Obviously-correct reference: decodes value by value and, after each byte
 * of a sequence, asks which code points are still reachable. The verdict
 * is the first byte at which the input can no longer be valid UTF-8:
 * - a byte 80..BF where a sequence must start: UTF8_INVALID;
 * - F5..FF (above U+10FFFF by the lead alone, 5/6-byte forms, FE, FF):
 *   UTF8_INVALID, as in the original library;
 * - every reachable value below the minimum for the length: UTF8_OVERLONG;
 * - every reachable value above U+10FFFF: UTF8_TOO_LARGE;
 * - every reachable value a surrogate: UTF8_SURROGATE;
 * - a non-continuation byte inside a sequence: UTF8_INVALID;
 * - input ends inside a sequence: UTF8_INCOMPLETE.
 */
static SocketUTF8_Result
ref_validate (const unsigned char *s, size_t n)
{
  static const uint32_t min_value[5] = { 0, 0, 0x80, 0x800, 0x10000 };
  size_t i = 0;
  while (i < n)
    {
      unsigned lead = s[i];
      if (lead < 0x80)
        {
          i++;
          continue;
        }
      if (lead < 0xC0)
        return UTF8_INVALID;
      if (lead >= 0xF5)
        return UTF8_INVALID;
      int len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      uint32_t value = lead & (0xFFu >> (len + 1));
      for (int k = 1;; k++)
        {
          int rest_bits = 6 * (len - k);
          uint32_t lo = value << rest_bits, hi = lo | ((1u << rest_bits) - 1);
          if (hi < min_value[len])
            return UTF8_OVERLONG;
          if (lo > 0x10FFFF)
            return UTF8_TOO_LARGE;
          if (lo >= 0xD800 && hi <= 0xDFFF)
            return UTF8_SURROGATE;
          if (k == len)
            break;
          if (i + (size_t)k >= n)
            return UTF8_INCOMPLETE;
          unsigned c = s[i + (size_t)k];
          if ((c & 0xC0) != 0x80)
            return UTF8_INVALID;
          value = value << 6 | (c & 0x3F);
        }
      i += (size_t)len;
    }
  return UTF8_VALID;
}

static int
is_error (SocketUTF8_Result r)
{
  return r != UTF8_VALID && r != UTF8_INCOMPLETE;
}

/* Incremental run: feeds pieces and folds each update's verdict. Keeps the
 * first error any update reported; checks that once failed, every later
 * update and finish() report UTF8_INVALID with state 1 (the original's
 * sticky status), and otherwise that finish() agrees with the last update.
 * Returns the first error, else the last verdict, or -1 on a violation. */
struct feed
{
  SocketUTF8_State st;
  SocketUTF8_Result last, first_error;
  int broken;
};

static void
feed_init (struct feed *f)
{
  SocketUTF8_init (&f->st);
  f->last = f->first_error = UTF8_VALID;
  f->broken = 0;
}

static void
feed_piece (struct feed *f, const unsigned char *p, size_t n)
{
  f->last = SocketUTF8_update (&f->st, p, n);
  if (is_error (f->first_error))
    f->broken |= f->last != UTF8_INVALID || f->st.state != 1;
  else if (is_error (f->last))
    f->first_error = f->last;
}

static SocketUTF8_Result
feed_end (struct feed *f)
{
  SocketUTF8_Result fin = SocketUTF8_finish (&f->st);
  if (f->broken)
    return (SocketUTF8_Result)-1;
  if (is_error (f->first_error))
    return fin == UTF8_INVALID && f->st.state == 1 ? f->first_error
                                                    : (SocketUTF8_Result)-1;
  return fin == f->last ? f->last : (SocketUTF8_Result)-1;
}

/* Feeds @p s in pieces split at @p cuts (ascending offsets). */
static SocketUTF8_Result
incremental (const unsigned char *s, size_t n, const size_t *cuts, size_t ncuts)
{
  struct feed f;
  size_t prev = 0;
  feed_init (&f);
  for (size_t c = 0; c <= ncuts; c++)
    {
      size_t end = c < ncuts ? cuts[c] : n;
      feed_piece (&f, s + prev, end - prev);
      prev = end;
    }
  return feed_end (&f);
}

static SocketUTF8_Result
bytewise (const unsigned char *s, size_t n)
{
  struct feed f;
  feed_init (&f);
  for (size_t i = 0; i < n; i++)
    feed_piece (&f, s + i, 1);
  return feed_end (&f);
}

/* Deterministic xorshift so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static const char *
kind_name (SocketUTF8_Result r)
{
  static const char *names[] = { "VALID", "INVALID", "INCOMPLETE",
                                 "OVERLONG", "SURROGATE", "TOO_LARGE" };
  return (unsigned)r < 6 ? names[r] : "?";
}

/* ===================================================================== */
/* Small vectors                                                          */
/* ===================================================================== */

struct vec
{
  const char *bytes;
  size_t len;
  SocketUTF8_Result expect;
};
#define V(s, r) { s, sizeof (s) - 1, r }

static const struct vec vectors[] = {
  V ("", UTF8_VALID),
  V ("hello, world", UTF8_VALID),
  V ("\x00", UTF8_VALID),
  V ("\x7f", UTF8_VALID),
  V ("\xc2\x80", UTF8_VALID),
  V ("\xdf\xbf", UTF8_VALID),
  V ("\xe0\xa0\x80", UTF8_VALID),
  V ("\xed\x9f\xbf", UTF8_VALID),          /* U+D7FF */
  V ("\xee\x80\x80", UTF8_VALID),          /* U+E000 */
  V ("\xef\xbf\xbf", UTF8_VALID),
  V ("\xf0\x90\x80\x80", UTF8_VALID),
  V ("\xf4\x8f\xbf\xbf", UTF8_VALID),      /* U+10FFFF */
  V ("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", UTF8_VALID),
  V ("\x80", UTF8_INVALID),
  V ("a\xbf", UTF8_INVALID),
  V ("\xc2\x41", UTF8_INVALID),
  V ("\xe2\x82\x41", UTF8_INVALID),
  V ("\xf0\x9f\x98\x41", UTF8_INVALID),
  V ("\xc2\xc2\x80", UTF8_INVALID),
  V ("\xc0\x80", UTF8_OVERLONG),
  V ("\xc1\xbf", UTF8_OVERLONG),
  V ("\xc0", UTF8_OVERLONG),
  V ("\xe0\x80\x80", UTF8_OVERLONG),
  V ("\xe0\x9f\xbf", UTF8_OVERLONG),
  V ("\xe0\x9f", UTF8_OVERLONG),           /* decided at the 2nd byte */
  V ("\xf0\x80\x80\x80", UTF8_OVERLONG),
  V ("\xf0\x8f\xbf\xbf", UTF8_OVERLONG),
  V ("\xed\xa0\x80", UTF8_SURROGATE),
  V ("\xed\xbf\xbf", UTF8_SURROGATE),
  V ("\xed\xa0", UTF8_SURROGATE),
  V ("\xf4\x90\x80\x80", UTF8_TOO_LARGE),
  V ("\xf5\x80\x80\x80", UTF8_INVALID), /* F5..FF: INVALID, as the original */
  V ("\xf7\xbf\xbf\xbf", UTF8_INVALID),
  V ("\xf8\x88\x80\x80\x80", UTF8_INVALID),
  V ("\xfe", UTF8_INVALID),
  V ("\xff", UTF8_INVALID),
  V ("\xc2", UTF8_INCOMPLETE),
  V ("\xe2\x82", UTF8_INCOMPLETE),
  V ("\xf0\x9f\x98", UTF8_INCOMPLETE),
  V ("abc\xf4\x8f", UTF8_INCOMPLETE),
  V ("\xe2\x82\xac\x80", UTF8_INVALID),    /* one continuation too many */
  V ("\xc0\x80\xed\xa0\x80", UTF8_OVERLONG), /* first error wins */
  V ("\xe2\x82\xed\xa0\x80", UTF8_INVALID),
};

TEST (utf8_vectors)
{
  for (size_t i = 0; i < sizeof (vectors) / sizeof (vectors[0]); i++)
    {
      const unsigned char *s = (const unsigned char *)vectors[i].bytes;
      size_t n = vectors[i].len;
      SocketUTF8_Result got = SocketUTF8_validate (s, n);
      if (got != vectors[i].expect || ref_validate (s, n) != vectors[i].expect)
        TEST_FAIL_ ("vector %zu: got %s, reference %s, expected %s", i,
                    kind_name (got), kind_name (ref_validate (s, n)),
                    kind_name (vectors[i].expect));
      ASSERT_EQ (bytewise (s, n), vectors[i].expect);
      ASSERT_EQ (SocketUTF8__validate_portable (s, n), vectors[i].expect);
    }
}

TEST (utf8_null_and_empty)
{
  ASSERT_EQ (SocketUTF8_validate (NULL, 0), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_validate (NULL, 5), UTF8_VALID); /* as the original */
  ASSERT_EQ (SocketUTF8__validate_portable (NULL, 5), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_validate_str (NULL), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_validate_str (""), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_validate_str ("gr\xc3\xbc\xc3\x9f"), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_validate_str ("\xc3"), UTF8_INCOMPLETE);
}

TEST (utf8_result_strings)
{
  /* Word for word the original's table. */
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_VALID), "Valid UTF-8");
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_INVALID), "Invalid byte sequence");
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_INCOMPLETE),
                "Incomplete sequence (needs more bytes)");
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_OVERLONG),
                "Overlong encoding (security issue)");
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_SURROGATE),
                "UTF-16 surrogate (U+D800-U+DFFF)");
  ASSERT_STREQ (SocketUTF8_result_string (UTF8_TOO_LARGE), "Code point exceeds U+10FFFF");
  ASSERT_STREQ (SocketUTF8_result_string ((SocketUTF8_Result)99), "Unknown result code");
  ASSERT_STREQ (SocketUTF8_result_string ((SocketUTF8_Result)-1), "Unknown result code");
  ASSERT_STREQ (SocketUTF8_Failed.reason, "UTF-8 validation failed");
}

/* ===================================================================== */
/* Markus Kuhn's UTF-8-test.txt                                           */
/* ===================================================================== */

#define KUHN_PATH SOCKET_TESTDATA_DIR "/utf8/UTF-8-test.txt"
#define KUHN_MAX_CASES 128

struct kuhn_case
{
  char id[16];
  const unsigned char *bytes; /* points into the file buffer */
  size_t len;
};

static unsigned char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return NULL;
  unsigned char *buf = malloc (1 << 20);
  size_t n = buf ? fread (buf, 1, (1 << 20) - 1, f) : 0;
  fclose (f);
  *len = n;
  return buf;
}

/* Length of a leading test id such as "3", "3.4" or "5.3.4"; 0 if none. */
static size_t
leading_id (const unsigned char *line, size_t len, char out[16])
{
  size_t k = 0;
  while (k < len && k < 15 && ((line[k] >= '0' && line[k] <= '9') || line[k] == '.'))
    k++;
  if (k == 0 || line[0] == '.' || k == len || line[k] != ' ')
    return 0;
  size_t idlen = line[k - 1] == '.' ? k - 1 : k;
  memcpy (out, line, idlen);
  out[idlen] = '\0';
  return k;
}

/*
 * Extracts the quoted test strings after "Here come the tests:". A string
 * opens at the first '"' of a line that starts with a test id, of an
 * indented line whose first non-blank character is '"' (the blocks of
 * 3.1.9, 3.2.x, 3.4 and 5.3.4; prose in 5.3 has a quote in column 0), or
 * of the 'kosme' line of section 1; it closes at
 * the next '"', possibly lines later. Quotes in prose are not captured.
 * Each string is attributed to the most recent id line.
 */
static size_t
kuhn_parse (const unsigned char *file, size_t n, struct kuhn_case *cases)
{
  const unsigned char *start = memmem (file, n, "Here come the tests:", 20);
  size_t count = 0;
  char current[16] = "";
  if (start == NULL)
    return 0;
  size_t pos = (size_t)(start - file);
  while (pos < n && count < KUHN_MAX_CASES)
    {
      const unsigned char *line = file + pos;
      const unsigned char *nl = memchr (line, '\n', n - pos);
      size_t len = nl ? (size_t)(nl - line) : n - pos;
      char id[16];
      size_t blank = 0;
      while (blank < len && line[blank] == ' ')
        blank++;
      int opens = 0;
      if (leading_id (line, len, id) > 0)
        {
          memcpy (current, id, sizeof (id));
          opens = 1;
        }
      else if (blank > 0 && blank < len && line[blank] == '"')
        opens = 1;
      else if (memmem (line, len, "kosme", 5) != NULL)
        opens = 1;
      const unsigned char *q = opens ? memchr (line, '"', len) : NULL;
      if (q != NULL)
        {
          size_t qpos = (size_t)(q - file) + 1;
          const unsigned char *close = memchr (file + qpos, '"', n - qpos);
          if (close == NULL)
            break;
          memcpy (cases[count].id, current, sizeof (current));
          cases[count].bytes = file + qpos;
          cases[count].len = (size_t)(close - (file + qpos));
          count++;
          nl = memchr (close, '\n', n - (size_t)(close - file));
        }
      if (nl == NULL)
        break;
      pos = (size_t)(nl - file) + 1;
    }
  return count;
}

/* Expected verdict of each quoted string on its own. Lead bytes F5..FF
 * (5- and 6-byte forms, FE, FF) are UTF8_INVALID, as in the original
 * library, even where the file calls them overlong (4.x.4, 4.x.5): the
 * lead byte alone already rules them out. */
static const struct
{
  const char *id;
  SocketUTF8_Result expect;
} kuhn_expect[] = {
  { "1", UTF8_VALID },
  { "2.1.1", UTF8_VALID },      { "2.1.2", UTF8_VALID },
  { "2.1.3", UTF8_VALID },      { "2.1.4", UTF8_VALID },
  { "2.1.5", UTF8_INVALID },  { "2.1.6", UTF8_INVALID },
  { "2.2.1", UTF8_VALID },      { "2.2.2", UTF8_VALID },
  { "2.2.3", UTF8_VALID },      { "2.2.4", UTF8_INVALID },
  { "2.2.5", UTF8_INVALID },  { "2.2.6", UTF8_INVALID },
  { "2.3.1", UTF8_VALID },      { "2.3.2", UTF8_VALID },
  { "2.3.3", UTF8_VALID },      { "2.3.4", UTF8_VALID },
  { "2.3.5", UTF8_TOO_LARGE },
  { "3.1.1", UTF8_INVALID },    { "3.1.2", UTF8_INVALID },
  { "3.1.3", UTF8_INVALID },    { "3.1.4", UTF8_INVALID },
  { "3.1.5", UTF8_INVALID },    { "3.1.6", UTF8_INVALID },
  { "3.1.7", UTF8_INVALID },    { "3.1.8", UTF8_INVALID },
  { "3.1.9", UTF8_INVALID },
  { "3.2.1", UTF8_OVERLONG },   /* C0 is the first lone start byte */
  { "3.2.2", UTF8_INVALID },    { "3.2.3", UTF8_INVALID },
  { "3.2.4", UTF8_INVALID },  { "3.2.5", UTF8_INVALID },
  { "3.3.1", UTF8_OVERLONG },   { "3.3.2", UTF8_OVERLONG },
  { "3.3.3", UTF8_OVERLONG },   { "3.3.4", UTF8_INVALID },
  { "3.3.5", UTF8_INVALID },  { "3.3.6", UTF8_INCOMPLETE },
  { "3.3.7", UTF8_INCOMPLETE }, { "3.3.8", UTF8_INVALID },
  { "3.3.9", UTF8_INVALID },  { "3.3.10", UTF8_INVALID },
  { "3.4", UTF8_OVERLONG },
  { "3.5.1", UTF8_INVALID },  { "3.5.2", UTF8_INVALID },
  { "3.5.3", UTF8_INVALID },
  { "4.1.1", UTF8_OVERLONG },   { "4.1.2", UTF8_OVERLONG },
  { "4.1.3", UTF8_OVERLONG },   { "4.1.4", UTF8_INVALID },
  { "4.1.5", UTF8_INVALID },
  { "4.2.1", UTF8_OVERLONG },   { "4.2.2", UTF8_OVERLONG },
  { "4.2.3", UTF8_OVERLONG },   { "4.2.4", UTF8_INVALID },
  { "4.2.5", UTF8_INVALID },
  { "4.3.1", UTF8_OVERLONG },   { "4.3.2", UTF8_OVERLONG },
  { "4.3.3", UTF8_OVERLONG },   { "4.3.4", UTF8_INVALID },
  { "4.3.5", UTF8_INVALID },
  { "5.1.1", UTF8_SURROGATE },  { "5.1.2", UTF8_SURROGATE },
  { "5.1.3", UTF8_SURROGATE },  { "5.1.4", UTF8_SURROGATE },
  { "5.1.5", UTF8_SURROGATE },  { "5.1.6", UTF8_SURROGATE },
  { "5.1.7", UTF8_SURROGATE },
  { "5.2.1", UTF8_SURROGATE },  { "5.2.2", UTF8_SURROGATE },
  { "5.2.3", UTF8_SURROGATE },  { "5.2.4", UTF8_SURROGATE },
  { "5.2.5", UTF8_SURROGATE },  { "5.2.6", UTF8_SURROGATE },
  { "5.2.7", UTF8_SURROGATE },  { "5.2.8", UTF8_SURROGATE },
  /* Noncharacters are valid UTF-8 (Unicode Corrigendum #9). */
  { "5.3.1", UTF8_VALID },      { "5.3.2", UTF8_VALID },
  { "5.3.3", UTF8_VALID },      { "5.3.4", UTF8_VALID },
};
#define KUHN_EXPECTED (sizeof (kuhn_expect) / sizeof (kuhn_expect[0]))

static int
kuhn_check_case (const struct kuhn_case *c, SocketUTF8_Result expect)
{
  unsigned char quoted[512];
  SocketUTF8_Result got = SocketUTF8_validate (c->bytes, c->len);
  if (got != expect || bytewise (c->bytes, c->len) != expect
      || ref_validate (c->bytes, c->len) != expect)
    {
      fprintf (stderr, "  case %s: got %s, expected %s\n", c->id, kind_name (got),
               kind_name (expect));
      return 0;
    }
  /* Section 3: with the closing quote that follows in the file, every
   * malformed string is a hard error, not merely truncated. */
  if (c->id[0] == '3' && c->len < sizeof (quoted))
    {
      memcpy (quoted, c->bytes, c->len);
      quoted[c->len] = '"';
      got = SocketUTF8_validate (quoted, c->len + 1);
      if (got == UTF8_VALID || got == UTF8_INCOMPLETE)
        {
          fprintf (stderr, "  case %s + '\"': got %s\n", c->id, kind_name (got));
          return 0;
        }
    }
  return 1;
}

TEST (utf8_kuhn_stress_file)
{
  size_t n = 0;
  unsigned char *file = read_file (KUHN_PATH, &n);
  struct kuhn_case cases[KUHN_MAX_CASES];
  if (file == NULL)
    TEST_FAIL_ ("%s not found (repository test data)", KUHN_PATH);

  size_t count = kuhn_parse (file, n, cases);
  int ok = count == KUHN_EXPECTED;
  if (!ok)
    fprintf (stderr, "  parsed %zu cases, expected %zu\n", count, KUHN_EXPECTED);
  for (size_t e = 0; count == KUHN_EXPECTED && e < KUHN_EXPECTED; e++)
    {
      size_t found = 0;
      for (size_t c = 0; c < count; c++)
        if (strcmp (cases[c].id, kuhn_expect[e].id) == 0)
          {
            found++;
            ok = kuhn_check_case (&cases[c], kuhn_expect[e].expect) && ok;
          }
      if (found != 1)
        {
          fprintf (stderr, "  case %s found %zu times\n", kuhn_expect[e].id, found);
          ok = 0;
        }
    }
  /* The whole file: 2.1.5 (F8 ...) is its first error. */
  SocketUTF8_Result whole = SocketUTF8_validate (file, n);
  free (file);
  ASSERT (ok);
  ASSERT_EQ (whole, UTF8_INVALID);
}

/* ===================================================================== */
/* Exhaustive comparison with the reference                               */
/* ===================================================================== */

static int
compare_with_reference (const unsigned char *s, size_t n)
{
  SocketUTF8_Result want = ref_validate (s, n);
  SocketUTF8_Result got = SocketUTF8_validate (s, n);
  if (got == want)
    return 1;
  fprintf (stderr, "  bytes");
  for (size_t i = 0; i < n; i++)
    fprintf (stderr, " %02x", s[i]);
  fprintf (stderr, ": got %s, reference %s\n", kind_name (got), kind_name (want));
  return 0;
}

TEST (utf8_exhaustive_1_to_3_bytes)
{
  unsigned char s[3];
  for (unsigned a = 0; a < 256; a++)
    {
      s[0] = (unsigned char)a;
      if (!compare_with_reference (s, 1))
        TEST_FAIL_ ("1-byte mismatch");
      for (unsigned b = 0; b < 256; b++)
        {
          s[1] = (unsigned char)b;
          if (!compare_with_reference (s, 2))
            TEST_FAIL_ ("2-byte mismatch");
          for (unsigned c = 0; c < 256; c++)
            {
              s[2] = (unsigned char)c;
              if (!compare_with_reference (s, 3))
                TEST_FAIL_ ("3-byte mismatch");
            }
        }
    }
}

/* Every 4-byte sequence with lead F0..F4 (5 * 2^24, a few seconds in a
 * Debug build), then a sample of the leads F5..FF, which are refused
 * whatever follows. */
TEST (utf8_exhaustive_4_bytes)
{
  unsigned char s[4];
  for (unsigned lead = 0xF0; lead <= 0xF4; lead++)
    for (uint32_t rest = 0; rest < (1u << 24); rest++)
      {
        s[0] = (unsigned char)lead;
        s[1] = (unsigned char)(rest >> 16);
        s[2] = (unsigned char)(rest >> 8);
        s[3] = (unsigned char)rest;
        if (!compare_with_reference (s, 4))
          TEST_FAIL_ ("4-byte mismatch");
      }
  for (unsigned lead = 0xF5; lead <= 0xFF; lead++)
    for (uint32_t rest = 0; rest < (1u << 24); rest += 4099) /* odd stride */
      {
        s[0] = (unsigned char)lead;
        s[1] = (unsigned char)(rest >> 16);
        s[2] = (unsigned char)(rest >> 8);
        s[3] = (unsigned char)rest;
        if (!compare_with_reference (s, 4))
          TEST_FAIL_ ("F5..FF mismatch");
        ASSERT_EQ (SocketUTF8_validate (s, 4), UTF8_INVALID);
      }
}

/* ===================================================================== */
/* Incremental == one-shot                                                */
/* ===================================================================== */

/* Random mostly-valid text with occasional corruption. */
static size_t
random_text (unsigned char *out, size_t max, int corrupt)
{
  size_t n = 0;
  while (n + 4 <= max)
    {
      uint32_t pick = rng () % 10, cp;
      if (pick < 5)
        cp = 0x20 + rng () % 0x5F;
      else if (pick < 7)
        cp = 0x80 + rng () % (0x800 - 0x80);
      else if (pick < 9)
        do
          cp = 0x800 + rng () % (0x10000 - 0x800);
        while (cp >= 0xD800 && cp <= 0xDFFF);
      else
        cp = 0x10000 + rng () % (0x110000 - 0x10000);
      n += (size_t)SocketUTF8_encode (cp, out + n);
      if (rng () % 8 == 0)
        break;
    }
  if (corrupt && n > 0)
    out[rng () % n] = (unsigned char)rng ();
  return n;
}

static int
check_all_splits (const unsigned char *s, size_t n)
{
  SocketUTF8_Result want = SocketUTF8_validate (s, n);
  if (want != ref_validate (s, n) || bytewise (s, n) != want)
    return 0;
  for (size_t a = 0; a <= n; a++)
    {
      if (incremental (s, n, &a, 1) != want)
        return 0;
      for (size_t b = a; n <= 24 && b <= n; b++)
        {
          size_t cuts[2] = { a, b };
          if (incremental (s, n, cuts, 2) != want)
            return 0;
        }
    }
  return 1;
}

TEST (utf8_incremental_matches_oneshot)
{
  unsigned char buf[64];
  for (size_t i = 0; i < sizeof (vectors) / sizeof (vectors[0]); i++)
    ASSERT (check_all_splits ((const unsigned char *)vectors[i].bytes, vectors[i].len));
  for (int iter = 0; iter < 4000; iter++)
    {
      size_t n = random_text (buf, sizeof (buf), iter % 2);
      if (!check_all_splits (buf, n))
        TEST_FAIL_ ("split mismatch on random string %d", iter);
    }
}

TEST (utf8_incremental_long_pieces)
{
  /* Pieces that straddle the 16-byte DFA blocks and ASCII fast path. */
  enum { N = 4096 };
  unsigned char *s = malloc (N);
  ASSERT (s != NULL);
  size_t n = 0;
  while (n + 64 <= N)
    n += random_text (s + n, 64, 0);
  for (int iter = 0; iter < 200; iter++)
    {
      size_t cuts[8], prev = 0;
      if (iter % 2 == 1)
        s[rng () % n] = (unsigned char)rng (); /* may or may not break it */
      for (size_t c = 0; c < 8; c++)
        cuts[c] = prev = prev + rng () % (n - prev + 1) / 2;
      SocketUTF8_Result want = SocketUTF8_validate (s, n);
      if (want != ref_validate (s, n) || incremental (s, n, cuts, 8) != want)
        {
          free (s);
          TEST_FAIL_ ("long split mismatch at iteration %d", iter);
        }
    }
  free (s);
}

TEST (utf8_incremental_state_details)
{
  SocketUTF8_State st;
  SocketUTF8_init (&st);
  ASSERT_EQ (st.state, 0);
  /* U+20AC split 1 + 1 + 1. */
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\xe2", 1), UTF8_INCOMPLETE);
  ASSERT_EQ (st.bytes_needed, 3);
  ASSERT_EQ (st.bytes_seen, 1);
  ASSERT_EQ (st.state, 3); /* public encoding: 2..8 inside a sequence */
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\x82", 1), UTF8_INCOMPLETE);
  ASSERT_EQ (st.bytes_seen, 2);
  ASSERT_EQ (st.state, 2);
  ASSERT_UEQ (st.codepoint, 0u); /* never filled, as in the original */
  ASSERT_EQ (SocketUTF8_finish (&st), UTF8_INCOMPLETE);
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\xac", 1), UTF8_VALID);
  ASSERT_EQ (st.state, 0);
  ASSERT_EQ (SocketUTF8_finish (&st), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_update (&st, NULL, 0), UTF8_VALID);

  /* U+1F600 with three of its four bytes in one piece. */
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"a\xf0\x9f\x98", 4),
             UTF8_INCOMPLETE);
  ASSERT_EQ (st.bytes_needed, 4);
  ASSERT_EQ (st.bytes_seen, 3);
  ASSERT_UEQ (st.codepoint, 0u);
  ASSERT (st.state >= 2 && st.state <= 8);
  /* NULL data: current status, nothing changes. */
  ASSERT_EQ (SocketUTF8_update (&st, NULL, 3), UTF8_INCOMPLETE);
  ASSERT_EQ (st.bytes_seen, 3);
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\x80", 1), UTF8_VALID);

  /* Each mid-sequence DFA state has its own public value in 2..8. */
  {
    static const char *const leads[] = { "\xc2", "\xe1", "\xf1", "\xe0",
                                         "\xed", "\xf0", "\xf4" };
    unsigned seen = 0;
    for (size_t i = 0; i < 7; i++)
      {
        SocketUTF8_init (&st);
        ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)leads[i], 1),
                   UTF8_INCOMPLETE);
        ASSERT (st.state >= 2 && st.state <= 8);
        seen |= 1u << st.state;
      }
    ASSERT_UEQ (seen, 0x1FCu);
    SocketUTF8_init (&st);
  }

  /* After an error the state is 1 and every later call says INVALID. */
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\xed\xa0", 2), UTF8_SURROGATE);
  ASSERT_EQ (st.state, 1);
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"abc", 3), UTF8_INVALID);
  ASSERT_EQ (SocketUTF8_update (&st, NULL, 0), UTF8_INVALID);
  ASSERT_EQ (SocketUTF8_finish (&st), UTF8_INVALID);
  SocketUTF8_reset (&st);
  ASSERT_EQ (st.state, 0);
  ASSERT_EQ (SocketUTF8_finish (&st), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"abc", 3), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_update (&st, NULL, 3), UTF8_VALID);
  ASSERT_EQ (SocketUTF8_finish (&st), UTF8_VALID);

  /* A zero-filled struct is a fresh stream. */
  memset (&st, 0, sizeof st);
  ASSERT_EQ (SocketUTF8_update (&st, (const unsigned char *)"\xc3\xa9", 2), UTF8_VALID);
}

TEST (utf8_null_state_raises)
{
  volatile int raised = 0;
  SocketUTF8_State st;
  SocketUTF8_init (&st);
  TRY SocketUTF8_init (NULL);
  EXCEPT (SocketUTF8_Failed) raised++;
  END_TRY;
  TRY SocketUTF8_reset (NULL);
  EXCEPT (SocketUTF8_Failed) raised++;
  END_TRY;
  TRY (void) SocketUTF8_update (NULL, (const unsigned char *)"a", 1);
  EXCEPT (SocketUTF8_Failed) raised++;
  END_TRY;
  TRY (void) SocketUTF8_finish (NULL);
  EXCEPT (SocketUTF8_Failed) raised++;
  END_TRY;
  ASSERT_EQ (raised, 4);
}

/* ===================================================================== */
/* SIMD vs portable, and no over-read                                     */
/* ===================================================================== */

TEST (utf8_simd_matches_portable)
{
  static const char *inserts[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                   "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                   "\xe2\x82", "\xff" };
  unsigned char buf[300];
  for (size_t len = 0; len <= 200; len++)
    for (size_t k = 0; k < sizeof (inserts) / sizeof (inserts[0]); k++)
      for (size_t at = 0; at < len; at += 3)
        {
          size_t ins = strlen (inserts[k]);
          memset (buf, 'x', len + ins);
          memcpy (buf + at, inserts[k], ins);
          size_t n = len + ins;
          SocketUTF8_Result simd = SocketUTF8_validate (buf, n);
          if (simd != SocketUTF8__validate_portable (buf, n) || simd != ref_validate (buf, n))
            TEST_FAIL_ ("len %zu insert %zu at %zu: %s vs %s", n, k, at, kind_name (simd),
                        kind_name (ref_validate (buf, n)));
        }
  for (int iter = 0; iter < 20000; iter++)
    {
      size_t n = rng () % sizeof (buf);
      for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(rng () % 4 == 0 ? rng () : 'a' + rng () % 26);
      SocketUTF8_Result simd = SocketUTF8_validate (buf, n);
      ASSERT_EQ (simd, SocketUTF8__validate_portable (buf, n));
      ASSERT_EQ (simd, ref_validate (buf, n));
    }
}

TEST (utf8_no_overread_at_page_end)
{
  long page = sysconf (_SC_PAGESIZE);
  unsigned char *map = mmap (NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT (map != MAP_FAILED);
  ASSERT_EQ (mprotect (map + page, (size_t)page, PROT_NONE), 0);
  unsigned char *end = map + page;
  for (size_t n = 0; n <= 200; n++)
    {
      memset (end - n, 'a', n);
      if (n >= 2)
        memcpy (end - 2, "\xc3\xa9", 2);
      ASSERT_EQ (SocketUTF8_validate (end - n, n), UTF8_VALID);
      ASSERT_EQ (SocketUTF8__validate_portable (end - n, n), UTF8_VALID);
      size_t count = 0;
      ASSERT_EQ (SocketUTF8_count_codepoints (end - n, n, &count), UTF8_VALID);
      ASSERT_EQ (count, n >= 2 ? n - 1 : n);
    }
  munmap (map, (size_t)page * 2);
}

/* ===================================================================== */
/* Code points                                                            */
/* ===================================================================== */

TEST (utf8_encode_decode_roundtrip_all)
{
  unsigned char out[4];
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp++)
    {
      int len = SocketUTF8_encode (cp, out);
      if (cp >= 0xD800 && cp <= 0xDFFF)
        {
          if (len != 0 || SocketUTF8_codepoint_len (cp) != 0)
            TEST_FAIL_ ("surrogate U+%04X encoded", (unsigned)cp);
          continue;
        }
      int want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      uint32_t back = 0xFFFFFFFF;
      size_t used = 0;
      if (len != want || SocketUTF8_codepoint_len (cp) != want
          || SocketUTF8_sequence_len (out[0]) != want
          || SocketUTF8_decode (out, (size_t)len, &back, &used) != UTF8_VALID
          || back != cp || used != (size_t)len
          || SocketUTF8_validate (out, (size_t)len) != UTF8_VALID)
        TEST_FAIL_ ("U+%04X: len %d back %04X used %zu", (unsigned)cp, len,
                    (unsigned)back, used);
    }
  ASSERT_EQ (SocketUTF8_encode (0x110000, out), 0);
  ASSERT_EQ (SocketUTF8_encode (0xFFFFFFFF, out), 0);
  ASSERT_EQ (SocketUTF8_encode ('A', NULL), 0);
  ASSERT_EQ (SocketUTF8_codepoint_len (0x110000), 0);
}

TEST (utf8_sequence_len)
{
  for (unsigned b = 0; b < 256; b++)
    {
      int want = b < 0x80 ? 1 : b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b <= 0xF4 ? 4 : 0;
      ASSERT_EQ (SocketUTF8_sequence_len ((unsigned char)b), want);
    }
}

TEST (utf8_decode_errors)
{
  static const struct
  {
    const char *s;
    size_t len;
    SocketUTF8_Result r;
    size_t consumed;
  } cases[] = {
    { "\x80", 1, UTF8_INVALID, 1 },        { "\xe2\x82\x41", 3, UTF8_INVALID, 2 },
    { "\xc0\xaf", 2, UTF8_OVERLONG, 1 },   { "\xc1", 1, UTF8_OVERLONG, 1 },
    /* value errors consume the whole sequence (original's decoder) */
    { "\xe0\x80\x80", 3, UTF8_OVERLONG, 3 }, { "\xf0\x8f\xbf\xbf", 4, UTF8_OVERLONG, 4 },
    { "\xed\xa0\x80", 3, UTF8_SURROGATE, 3 }, { "\xf4\x90\x80\x80", 4, UTF8_TOO_LARGE, 4 },
    { "\xf4\x90\x41", 3, UTF8_INCOMPLETE, 3 }, { "\xf4\x90\x41\x41", 4, UTF8_INVALID, 2 },
    { "\xf0\x9f\x98\x41", 4, UTF8_INVALID, 3 }, { "\xf0\x9f\x98", 3, UTF8_INCOMPLETE, 3 },
    /* truncated: the bytes present are not checked */
    { "\xe0\x41", 2, UTF8_INCOMPLETE, 2 },  { "\xe0\x80", 2, UTF8_INCOMPLETE, 2 },
    { "\xff", 1, UTF8_INVALID, 1 },       { "\xf5\x80\x80\x80", 4, UTF8_INVALID, 1 },
    { "A\x80", 2, UTF8_VALID, 1 },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      size_t used = 99;
      uint32_t cp = 0;
      SocketUTF8_Result r
          = SocketUTF8_decode ((const unsigned char *)cases[i].s, cases[i].len, &cp, &used);
      if (r != cases[i].r || used != cases[i].consumed)
        TEST_FAIL_ ("decode case %zu: %s consumed %zu", i, kind_name (r), used);
    }
  size_t used = 99;
  ASSERT_EQ (SocketUTF8_decode (NULL, 0, NULL, &used), UTF8_INCOMPLETE);
  ASSERT_EQ (used, 0);
  used = 99;
  ASSERT_EQ (SocketUTF8_decode (NULL, 5, NULL, &used), UTF8_INCOMPLETE);
  ASSERT_EQ (used, 0);
  uint32_t cp = 0x1234;
  ASSERT_EQ (SocketUTF8_decode ((const unsigned char *)"\xed\xa0\x80", 3, &cp, NULL),
             UTF8_SURROGATE);
  ASSERT_UEQ (cp, 0x1234u); /* written only on VALID */
  ASSERT_EQ (SocketUTF8_decode ((const unsigned char *)"\xe2\x82\xac", 3, NULL, NULL),
             UTF8_VALID);
}

/* Decoding a whole random buffer code point by code point must succeed
 * exactly when validate() does, consuming every byte; its first error is
 * what count_codepoints() reports. */
TEST (utf8_decode_loop_consistent)
{
  unsigned char buf[64];
  for (int iter = 0; iter < 20000; iter++)
    {
      size_t n = random_text (buf, sizeof (buf), iter % 3 == 0);
      size_t pos = 0, points = 0, count = 0;
      SocketUTF8_Result first_error = UTF8_VALID;
      while (pos < n)
        {
          size_t used = 0;
          SocketUTF8_Result r = SocketUTF8_decode (buf + pos, n - pos, NULL, &used);
          if (r != UTF8_VALID && first_error == UTF8_VALID)
            first_error = r;
          ASSERT (used >= 1 && used <= n - pos);
          pos += used;
          points++;
        }
      ASSERT_EQ (first_error == UTF8_VALID, SocketUTF8_validate (buf, n) == UTF8_VALID);
      ASSERT_EQ (SocketUTF8_count_codepoints (buf, n, &count), first_error);
      ASSERT_EQ (count, first_error == UTF8_VALID ? points : 0);
    }
}

TEST (utf8_count_codepoints)
{
  size_t count = 12345;
  ASSERT_EQ (SocketUTF8_count_codepoints ((const unsigned char *)"a\xc3\xa9\xe2\x82\xac"
                                                                 "\xf0\x9f\x98\x80",
                                          10, &count),
             UTF8_VALID);
  ASSERT_EQ (count, 4);
  count = 12345;
  ASSERT_EQ (SocketUTF8_count_codepoints ((const unsigned char *)"a\x80", 2, &count),
             UTF8_INVALID);
  ASSERT_EQ (count, 0); /* set to 0 first, as in the original */
  /* Built on decode: a broken final sequence is INCOMPLETE here. */
  count = 7;
  ASSERT_EQ (SocketUTF8_count_codepoints ((const unsigned char *)"ab\xe0\x41", 4, &count),
             UTF8_INCOMPLETE);
  ASSERT_EQ (count, 0);
  ASSERT_EQ (SocketUTF8_validate ((const unsigned char *)"ab\xe0\x41", 4), UTF8_INVALID);
  ASSERT_EQ (SocketUTF8_count_codepoints ((const unsigned char *)"\xe0\x80\x80", 3, &count),
             UTF8_OVERLONG);
  count = 7;
  ASSERT_EQ (SocketUTF8_count_codepoints (NULL, 0, &count), UTF8_VALID);
  ASSERT_EQ (count, 0);
  count = 7;
  ASSERT_EQ (SocketUTF8_count_codepoints (NULL, 9, &count), UTF8_VALID);
  ASSERT_EQ (count, 0);
}

TEST_MAIN ()
