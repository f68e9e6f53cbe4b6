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

static void
report_uncaught (const Except_T *e, const char *file, int line)
{
  const char *reason = e->reason;

  if (reason == NULL && e->type != NULL)
    reason = e->type->reason;
  fprintf (stderr, "Uncaught exception: %s", reason ? reason : "(no reason)");
  if (file != NULL)
    fprintf (stderr, " raised at %s:%d", file, line);
  fputs ("\naborting...\n", stderr);
  fflush (stderr);
}

void
Except_raise (const Except_T *e, const char *file, int line)
{
  Except_Frame *frame = Except_stack;

  if (e == NULL)
    {
      fputs ("Except_raise: NULL exception\n", stderr);
      abort ();
    }
  if (frame == NULL)
    {
      report_uncaught (e, file, line);
      abort ();
    }
  frame->exception = e;
  frame->file = file;
  frame->line = line;
  Except_stack = frame->prev;
  longjmp (frame->env, Except_raised);
}
