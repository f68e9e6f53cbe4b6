/*
 * fuzz_hpack.h - input format shared by the HPACK decode harnesses
 * (fuzz_hpack_decode, fuzz_hpack_diff) and their seed generator
 * (mkcorpus_hpack.py):
 *
 *   byte 0      options: bits 0-1 pick the decoder's table size
 *               (4096, 256, 0, 8192), bit 2 small limits (decode only)
 *   then blocks: a 2-byte big-endian word; bit 15 set means "the next
 *               2 bytes are a new table size, applied before the block";
 *               bits 0-14 are the block length (cut to what is left).
 */
#ifndef FUZZ_HPACK_H
#define FUZZ_HPACK_H

#include <stddef.h>
#include <stdint.h>

static const size_t fuzz_hpack_table_sizes[4] = { 4096, 256, 0, 8192 };

struct fuzz_hpack_reader
{
  const uint8_t *p, *end;
};

/* Next block; returns 0 at the end. *resize is -1 or the new size. */
static inline int
fuzz_hpack_next (struct fuzz_hpack_reader *r, const uint8_t **block, size_t *len, long *resize)
{
  if (r->end - r->p < 2)
    return 0;
  unsigned word = (unsigned)r->p[0] << 8 | r->p[1];
  r->p += 2;
  *resize = -1;
  if (word & 0x8000)
    {
      if (r->end - r->p < 2)
        return 0;
      *resize = (long)((unsigned)r->p[0] << 8 | r->p[1]);
      r->p += 2;
    }
  size_t n = word & 0x7FFF;
  if (n > (size_t)(r->end - r->p))
    n = (size_t)(r->end - r->p);
  *block = r->p;
  *len = n;
  r->p += n;
  return 1;
}

#endif
