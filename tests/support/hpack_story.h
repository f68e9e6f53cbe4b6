/*
 * hpack_story.h - loader for the hpack-test-case story files
 * (tests/data/hpack/<dir>/story_NN.json), shared by the HPACK
 * tests, benchmark and corpus tools. Header-only, test code.
 *
 * The format: {"cases": [{"seqno": N, "header_table_size": N|null,
 * "wire": "hex", "headers": [{"name": "value"}, ...]}, ...], ...}.
 * A small JSON parser (objects, arrays, strings with every escape
 * including \uXXXX surrogate pairs, numbers, literals) builds the cases;
 * unknown keys are skipped.
 */
#ifndef HPACK_STORY_H
#define HPACK_STORY_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hpack_story_header
{
  char *name;
  size_t name_len;
  char *value;
  size_t value_len;
};

struct hpack_story_case
{
  unsigned char *wire; /* NULL in raw-data stories */
  size_t wire_len;
  long table_size;     /* header_table_size, or -1 if absent or null */
  struct hpack_story_header *headers;
  size_t count;
};

struct hpack_story
{
  struct hpack_story_case *cases;
  size_t count;
};

struct hs_parser
{
  const char *p, *end;
};

static inline void
hs_ws (struct hs_parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
    ps->p++;
}

static inline int
hs_eat (struct hs_parser *ps, char c)
{
  hs_ws (ps);
  if (ps->p < ps->end && *ps->p == c)
    {
      ps->p++;
      return 1;
    }
  return 0;
}

static inline int
hs_hex4 (struct hs_parser *ps, unsigned *out)
{
  unsigned v = 0;
  for (int i = 0; i < 4; i++)
    {
      if (ps->p >= ps->end)
        return 0;
      char c = *ps->p++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= (unsigned)(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= (unsigned)(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= (unsigned)(c - 'A' + 10);
      else
        return 0;
    }
  *out = v;
  return 1;
}

static inline size_t
hs_utf8 (unsigned cp, char *o)
{
  if (cp < 0x80)
    {
      o[0] = (char)cp;
      return 1;
    }
  if (cp < 0x800)
    {
      o[0] = (char)(0xC0 | cp >> 6);
      o[1] = (char)(0x80 | (cp & 0x3F));
      return 2;
    }
  if (cp < 0x10000)
    {
      o[0] = (char)(0xE0 | cp >> 12);
      o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
      o[2] = (char)(0x80 | (cp & 0x3F));
      return 3;
    }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Parses a string into malloc'd, NUL-terminated *out. */
static inline int
hs_string (struct hs_parser *ps, char **out, size_t *len)
{
  if (!hs_eat (ps, '"'))
    return 0;
  const char *q = ps->p;
  while (q < ps->end && *q != '"')
    q += *q == '\\' ? 2 : 1;
  char *s = malloc ((size_t)(q - ps->p) + 1), *o = s;
  if (s == NULL)
    return 0;
  while (ps->p < ps->end && *ps->p != '"')
    {
      char c = *ps->p++;
      if (c != '\\')
        {
          *o++ = c;
          continue;
        }
      if (ps->p >= ps->end)
        break;
      c = *ps->p++;
      unsigned cp, lo;
      switch (c)
        {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
          if (!hs_hex4 (ps, &cp))
            goto bad;
          if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\'
              && ps->p[1] == 'u')
            {
              ps->p += 2;
              if (!hs_hex4 (ps, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
          o += hs_utf8 (cp, o); /* \uXXXX is 6 input bytes >= 4 output bytes */
          break;
        default: *o++ = c; break; /* \" \\ \/ */
        }
    }
  if (!hs_eat (ps, '"'))
    goto bad;
  *o = '\0';
  *out = s;
  *len = (size_t)(o - s);
  return 1;
bad:
  free (s);
  return 0;
}

static inline int hs_skip (struct hs_parser *ps);

static inline int
hs_skip_container (struct hs_parser *ps, char close, int keyed)
{
  if (hs_eat (ps, close))
    return 1;
  do
    {
      if (keyed)
        {
          char *k;
          size_t kl;
          if (!hs_string (ps, &k, &kl))
            return 0;
          free (k);
          if (!hs_eat (ps, ':'))
            return 0;
        }
      if (!hs_skip (ps))
        return 0;
    }
  while (hs_eat (ps, ','));
  return hs_eat (ps, close);
}

/* Skips any value. */
static inline int
hs_skip (struct hs_parser *ps)
{
  hs_ws (ps);
  if (ps->p >= ps->end)
    return 0;
  if (*ps->p == '"')
    {
      char *s;
      size_t l;
      if (!hs_string (ps, &s, &l))
        return 0;
      free (s);
      return 1;
    }
  if (hs_eat (ps, '{'))
    return hs_skip_container (ps, '}', 1);
  if (hs_eat (ps, '['))
    return hs_skip_container (ps, ']', 0);
  const char *start = ps->p;
  while (ps->p < ps->end && strchr (",}] \n\r\t", *ps->p) == NULL)
    ps->p++;
  return ps->p > start;
}

/* Number or null (-1). */
static inline int
hs_long (struct hs_parser *ps, long *out)
{
  hs_ws (ps);
  if (ps->end - ps->p >= 4 && memcmp (ps->p, "null", 4) == 0)
    {
      ps->p += 4;
      *out = -1;
      return 1;
    }
  char *e;
  *out = strtol (ps->p, &e, 10);
  if (e == ps->p)
    return 0;
  ps->p = e;
  return 1;
}

static inline int
hs_hexval (char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static inline int
hs_headers (struct hs_parser *ps, struct hpack_story_case *c)
{
  size_t cap = 0;
  if (!hs_eat (ps, '['))
    return 0;
  if (hs_eat (ps, ']'))
    return 1;
  do
    {
      if (!hs_eat (ps, '{'))
        return 0;
      do
        {
          struct hpack_story_header h;
          if (!hs_string (ps, &h.name, &h.name_len))
            return 0;
          if (!hs_eat (ps, ':') || !hs_string (ps, &h.value, &h.value_len))
            {
              free (h.name);
              return 0;
            }
          if (c->count == cap)
            {
              cap = cap ? 2 * cap : 16;
              void *n = realloc (c->headers, cap * sizeof *c->headers);
              if (n == NULL)
                return 0;
              c->headers = n;
            }
          c->headers[c->count++] = h;
        }
      while (hs_eat (ps, ','));
      if (!hs_eat (ps, '}'))
        return 0;
    }
  while (hs_eat (ps, ','));
  return hs_eat (ps, ']');
}

static inline int
hs_case (struct hs_parser *ps, struct hpack_story_case *c)
{
  memset (c, 0, sizeof *c);
  c->table_size = -1;
  if (!hs_eat (ps, '{'))
    return 0;
  if (hs_eat (ps, '}'))
    return 1;
  do
    {
      char *key, *hex;
      size_t kl, hl;
      int ok;
      if (!hs_string (ps, &key, &kl))
        return 0;
      if (!hs_eat (ps, ':'))
        {
          free (key);
          return 0;
        }
      if (strcmp (key, "header_table_size") == 0)
        ok = hs_long (ps, &c->table_size);
      else if (strcmp (key, "headers") == 0)
        ok = hs_headers (ps, c);
      else if (strcmp (key, "wire") == 0 && (ok = hs_string (ps, &hex, &hl)))
        {
          c->wire = malloc (hl / 2 + 1);
          ok = c->wire != NULL && hl % 2 == 0;
          for (size_t i = 0; ok && i < hl / 2; i++)
            {
              int hi = hs_hexval (hex[2 * i]), lo = hs_hexval (hex[2 * i + 1]);
              ok = hi >= 0 && lo >= 0;
              c->wire[i] = (unsigned char)(hi << 4 | lo);
            }
          c->wire_len = hl / 2;
          free (hex);
        }
      else
        ok = hs_skip (ps);
      free (key);
      if (!ok)
        return 0;
    }
  while (hs_eat (ps, ','));
  return hs_eat (ps, '}');
}

static inline void
hpack_story_free (struct hpack_story *s)
{
  for (size_t i = 0; i < s->count; i++)
    {
      for (size_t j = 0; j < s->cases[i].count; j++)
        {
          free (s->cases[i].headers[j].name);
          free (s->cases[i].headers[j].value);
        }
      free (s->cases[i].headers);
      free (s->cases[i].wire);
    }
  free (s->cases);
  s->cases = NULL;
  s->count = 0;
}

static inline int
hs_cases (struct hs_parser *ps, struct hpack_story *s)
{
  size_t cap = 0;
  if (!hs_eat (ps, '['))
    return 0;
  if (hs_eat (ps, ']'))
    return 1;
  do
    {
      if (s->count == cap)
        {
          cap = cap ? 2 * cap : 64;
          void *n = realloc (s->cases, cap * sizeof *s->cases);
          if (n == NULL)
            return 0;
          s->cases = n;
        }
      /* Count the case first so a partial one is freed with the story. */
      if (!hs_case (ps, &s->cases[s->count++]))
        return 0;
    }
  while (hs_eat (ps, ','));
  return hs_eat (ps, ']');
}

/* Loads @p path; returns 0, or -1 (nothing to free) if unreadable or malformed. */
static inline int
hpack_story_load (const char *path, struct hpack_story *s)
{
  FILE *f = fopen (path, "rb");
  long size;
  char *text;
  struct hs_parser ps;
  int ok = 0;

  s->cases = NULL;
  s->count = 0;
  if (f == NULL)
    return -1;
  if (fseek (f, 0, SEEK_END) != 0 || (size = ftell (f)) < 0 || fseek (f, 0, SEEK_SET) != 0
      || (text = malloc ((size_t)size + 1)) == NULL)
    {
      fclose (f);
      return -1;
    }
  if (fread (text, 1, (size_t)size, f) == (size_t)size)
    {
      ps.p = text;
      ps.end = text + size;
      ok = hs_eat (&ps, '{');
      if (ok && !hs_eat (&ps, '}'))
        {
          do
            {
              char *key = NULL;
              size_t kl;
              ok = hs_string (&ps, &key, &kl) && hs_eat (&ps, ':');
              if (ok)
                ok = strcmp (key, "cases") == 0 ? hs_cases (&ps, s) : hs_skip (&ps);
              free (key);
            }
          while (ok && hs_eat (&ps, ','));
          ok = ok && hs_eat (&ps, '}');
        }
    }
  fclose (f);
  free (text);
  if (!ok)
    {
      hpack_story_free (s);
      return -1;
    }
  return 0;
}

static inline int
hs_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Sorted malloc'd paths of the story_*.json files in @p dir; NULL if none. */
static inline char **
hpack_story_list (const char *dir, size_t *count)
{
  DIR *d = opendir (dir);
  struct dirent *ent;
  char **paths = NULL;
  size_t n = 0, cap = 0;

  *count = 0;
  if (d == NULL)
    return NULL;
  while ((ent = readdir (d)) != NULL)
    {
      size_t l = strlen (ent->d_name);
      if (strncmp (ent->d_name, "story_", 6) != 0 || l < 5 || strcmp (ent->d_name + l - 5, ".json") != 0)
        continue;
      if (n == cap)
        {
          cap = cap ? 2 * cap : 32;
          char **np = realloc (paths, cap * sizeof *paths);
          if (np == NULL)
            break;
          paths = np;
        }
      size_t pl = strlen (dir) + l + 2;
      if ((paths[n] = malloc (pl)) == NULL)
        break;
      snprintf (paths[n++], pl, "%s/%s", dir, ent->d_name);
    }
  closedir (d);
  if (n == 0)
    {
      free (paths);
      return NULL;
    }
  qsort (paths, n, sizeof *paths, hs_cmp);
  *count = n;
  return paths;
}

static inline void
hpack_story_list_free (char **paths, size_t count)
{
  for (size_t i = 0; i < count; i++)
    free (paths[i]);
  free (paths);
}

#endif /* HPACK_STORY_H */
