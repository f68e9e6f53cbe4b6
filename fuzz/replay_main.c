/*
 * replay_main.c - runs fuzz inputs through LLVMFuzzerTestOneInput without
 * libFuzzer, so ctest exercises every harness on any compiler.
 *
 * Usage: replay_<target> PATH...   (a directory replays its regular files)
 * A harness reports a bug by aborting, so reaching the end means every
 * input passed. Exits non-zero if a path is missing, a directory holds no
 * inputs, or a file cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Reads the whole file; returns 0 on success. */
static int
replay_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return -1;
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc (cap);
  while (buf != NULL)
    {
      len += fread (buf + len, 1, cap - len, f);
      if (len < cap)
        break;
      uint8_t *bigger = realloc (buf, cap * 2);
      if (bigger == NULL)
        {
          free (buf);
          buf = NULL;
          break;
        }
      buf = bigger;
      cap *= 2;
    }
  int failed = ferror (f) || buf == NULL;
  fclose (f);
  if (failed)
    {
      free (buf);
      return -1;
    }
  /* Copy to an exact-size block so ASan sees reads past the input. */
  uint8_t *exact = malloc (len ? len : 1);
  if (exact == NULL)
    {
      free (buf);
      return -1;
    }
  memcpy (exact, buf, len);
  free (buf);
  LLVMFuzzerTestOneInput (exact, len);
  free (exact);
  return 0;
}

/* Replays every regular file in @p dir; returns the count or -1. */
static long
replay_dir (const char *dir)
{
  DIR *d = opendir (dir);
  long count = 0;
  struct dirent *entry;
  if (d == NULL)
    return -1;
  while ((entry = readdir (d)) != NULL)
    {
      char path[4096];
      struct stat st;
      if (snprintf (path, sizeof (path), "%s/%s", dir, entry->d_name) >= (int)sizeof (path))
        continue;
      if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (replay_file (path) != 0)
        {
          fprintf (stderr, "cannot read %s\n", path);
          closedir (d);
          return -1;
        }
      count++;
    }
  closedir (d);
  return count;
}

int
main (int argc, char **argv)
{
  long total = 0;
  int bad_path = argc < 2;
  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      long n;
      if (stat (argv[i], &st) != 0)
        n = -1;
      else if (S_ISDIR (st.st_mode))
        n = replay_dir (argv[i]);
      else
        n = replay_file (argv[i]) == 0 ? 1 : -1;
      if (n <= 0)
        {
          fprintf (stderr, "%s: %s\n", argv[i], n == 0 ? "no inputs" : "cannot replay");
          bad_path = 1;
          continue;
        }
      total += n;
    }
  printf ("replayed %ld inputs\n", total);
  printf ("%ld passed, 0 failed\n", total);
  return bad_path ? 1 : 0;
}
