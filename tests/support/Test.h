/*
 * Test.h - a tiny test harness for the C unit tests.
 *
 * Each test file defines tests with TEST(name) { ... } and ends with
 * TEST_MAIN(). Assertions print both values and the location, mark the test
 * failed and return from it. The runner prints one line per test and a
 * final "N passed, N failed" line; a name given on the command line runs
 * only the tests whose names contain it.
 */
#ifndef SOCKET_TEST_H
#define SOCKET_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn) (void);

struct test_case
{
  const char *name;
  test_fn fn;
};

#define TEST_MAX_CASES 512
static struct test_case test_cases_[TEST_MAX_CASES];
static int test_count_;
static int test_failed_;

static inline void
test_register_ (const char *name, test_fn fn)
{
  if (test_count_ >= TEST_MAX_CASES)
    {
      fprintf (stderr, "too many tests\n");
      abort ();
    }
  test_cases_[test_count_].name = name;
  test_cases_[test_count_].fn = fn;
  test_count_++;
}

#define TEST(name)                                                            \
  static void test_##name (void);                                             \
  __attribute__ ((constructor)) static void test_reg_##name (void)            \
  {                                                                           \
    test_register_ (#name, test_##name);                                      \
  }                                                                           \
  static void test_##name (void)

#define TEST_FAIL_(...)                                                       \
  do                                                                          \
    {                                                                         \
      fprintf (stderr, "  %s:%d: ", __FILE__, __LINE__);                      \
      fprintf (stderr, __VA_ARGS__);                                          \
      fputc ('\n', stderr);                                                   \
      test_failed_ = 1;                                                       \
      return;                                                                 \
    }                                                                         \
  while (0)

#define ASSERT(cond)                                                          \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        TEST_FAIL_ ("assertion failed: %s", #cond);                           \
    }                                                                         \
  while (0)

#define ASSERT_EQ(a, b)                                                       \
  do                                                                          \
    {                                                                         \
      long long a_ = (long long)(a), b_ = (long long)(b);                     \
      if (a_ != b_)                                                           \
        TEST_FAIL_ ("%s == %s: %lld != %lld", #a, #b, a_, b_);                \
    }                                                                         \
  while (0)

#define ASSERT_NE(a, b)                                                       \
  do                                                                          \
    {                                                                         \
      long long a_ = (long long)(a), b_ = (long long)(b);                     \
      if (a_ == b_)                                                           \
        TEST_FAIL_ ("%s != %s: both %lld", #a, #b, a_);                       \
    }                                                                         \
  while (0)

#define ASSERT_UEQ(a, b)                                                      \
  do                                                                          \
    {                                                                         \
      unsigned long long a_ = (unsigned long long)(a),                        \
                         b_ = (unsigned long long)(b);                        \
      if (a_ != b_)                                                           \
        TEST_FAIL_ ("%s == %s: %llu != %llu", #a, #b, a_, b_);                \
    }                                                                         \
  while (0)

#define ASSERT_STREQ(a, b)                                                    \
  do                                                                          \
    {                                                                         \
      const char *a_ = (a), *b_ = (b);                                        \
      if (a_ == NULL || b_ == NULL || strcmp (a_, b_) != 0)                   \
        TEST_FAIL_ ("%s == %s: \"%s\" != \"%s\"", #a, #b,                     \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                  \
    }                                                                         \
  while (0)

#define ASSERT_MEMEQ(a, b, n)                                                 \
  do                                                                          \
    {                                                                         \
      if (memcmp ((a), (b), (n)) != 0)                                        \
        TEST_FAIL_ ("%s and %s differ in their first %zu bytes", #a, #b,      \
                    (size_t)(n));                                             \
    }                                                                         \
  while (0)

/* Skip the current test with a reason (counted as passed, printed). */
#define TEST_SKIP(...)                                                        \
  do                                                                          \
    {                                                                         \
      fprintf (stderr, "  skipped: ");                                        \
      fprintf (stderr, __VA_ARGS__);                                          \
      fputc ('\n', stderr);                                                   \
      return;                                                                 \
    }                                                                         \
  while (0)

static inline int
test_run_all_ (int argc, char **argv)
{
  int passed = 0, failed = 0;
  for (int i = 0; i < test_count_; i++)
    {
      if (argc > 1 && strstr (test_cases_[i].name, argv[1]) == NULL)
        continue;
      test_failed_ = 0;
      test_cases_[i].fn ();
      printf ("%s %s\n", test_failed_ ? "FAIL" : "ok  ", test_cases_[i].name);
      fflush (stdout);
      if (test_failed_)
        failed++;
      else
        passed++;
    }
  printf ("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

#define TEST_MAIN()                                                           \
  int main (int argc, char **argv) { return test_run_all_ (argc, argv); }

#endif /* SOCKET_TEST_H */
