/*
 * Except.c - raising exceptions and the per-thread frame stack.
 *
 * The frame stack is thread-local so exceptions never cross threads; this
 * matters for Go, whose goroutines migrate between OS threads: each cgo
 * shim opens and closes its TRY within one C call on one thread.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/Except.h"

__thread Except_Frame *Except_stack = NULL;

const Except_T Assert_Failed = { &Assert_Failed, "Assertion failed" };

/* Uncaught: "Uncaught exception: <reason>" + location suffix, then
 * "aborting...", word for word as the original library prints it. */
static void
report_uncaught (const Except_T *e, const char *file, int line)
{
  fprintf (stderr, "Uncaught exception: %s",
           e->reason != NULL ? e->reason : "(no reason provided)");
  if (file != NULL && line > 0)
    fprintf (stderr, " raised at %s:%d\n", file, line);
  else if (file != NULL)
    fprintf (stderr, " raised at %s\n", file);
  else if (line > 0)
    fprintf (stderr, " raised at line %d\n", line);
  else
    fputs (" (location unknown)\n", stderr);
  fputs ("aborting...\n", stderr);
  fflush (stderr);
}

void
Except_raise (const Except_T *e, const char *file, int line)
{
  Except_Frame *frame = Except_stack;

  if (e == NULL)
    {
      fputs ("FATAL: Except_raise called with NULL exception pointer\n"
             "This indicates a programming error in exception usage\n"
             "aborting...\n",
             stderr);
      fflush (stderr);
      abort ();
    }
  if (frame == NULL)
    {
      report_uncaught (e, file, line);
      abort ();
    }
  frame->exception = e;
  frame->file = file != NULL ? file : "unknown";
  frame->line = line > 0 ? line : 0;
  Except_stack = frame->prev;
  longjmp (frame->env, Except_raised);
}
