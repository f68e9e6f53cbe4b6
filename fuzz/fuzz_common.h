/* fuzz_common.h - helpers shared by the libFuzzer harnesses. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A failed check is a finding: abort so libFuzzer saves the input. */
#define CHECK(cond)                                                           \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        abort ();                                                             \
    }                                                                         \
  while (0)

/* malloc that returns a real (1-byte) block for 0 so ASan sees overflows. */
static inline void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  CHECK (p != NULL);
  return p;
}

#endif
