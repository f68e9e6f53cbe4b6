/*
 * hpack_test.h - helpers shared by the HPACK tests (header-only).
 */
#ifndef HPACK_TEST_H
#define HPACK_TEST_H

#include <stdio.h>
#include <string.h>

#include "http/SocketHPACK.h"

/* Hex with optional spaces -> bytes; returns the length. */
static inline size_t
unhex (const char *hex, unsigned char *out)
{
  size_t n = 0;
  while (*hex)
    {
      if (*hex == ' ')
        {
          hex++;
          continue;
        }
      unsigned v;
      sscanf (hex, "%2x", &v);
      out[n++] = (unsigned char)v;
      hex += 2;
    }
  return n;
}

#define H(n, v) { n, sizeof (n) - 1, v, sizeof (v) - 1, 0 }

static inline int
header_eq (const SocketHPACK_Header *h, const char *name, const char *value)
{
  return h->name_len == strlen (name) && memcmp (h->name, name, h->name_len) == 0
         && h->value_len == strlen (value) && memcmp (h->value, value, h->value_len) == 0;
}

/* Checks the dynamic table, newest first, against name/value pairs
 * (SocketHPACK_Table_get is 1-based, strings NUL-terminated). */
static inline int
table_is (SocketHPACK_Table_T t, size_t size, const char *const *pairs, size_t n)
{
  if (SocketHPACK_Table_count (t) != n || SocketHPACK_Table_size (t) != size)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      SocketHPACK_Header h;
      if (SocketHPACK_Table_get (t, i + 1, &h) != HPACK_OK || !header_eq (&h, pairs[2 * i], pairs[2 * i + 1])
          || h.name[h.name_len] != '\0' || h.value[h.value_len] != '\0')
        return 0;
    }
  return 1;
}

#endif /* HPACK_TEST_H */
