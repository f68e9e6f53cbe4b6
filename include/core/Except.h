/**
 * @file Except.h
 * @brief Structured exceptions for C: TRY / EXCEPT / ELSE / FINALLY / END_TRY.
 *
 * An exception is a `const Except_T` whose `type` points to itself. Library
 * code may raise a (thread-local) copy with a specific `reason`; EXCEPT
 * clauses match on the raised object's `type` only (not its address), so
 * `EXCEPT(Socket_Failed)` catches every Socket failure whatever its message,
 * and a raised object must carry the right `type`.
 *
 * @code
 * TRY
 *     Socket_connect(s, "localhost", 80);
 * EXCEPT(Socket_Failed)
 *     fprintf(stderr, "%s\n", Socket_GetLastError());
 * FINALLY
 *     Socket_free(&s);
 * END_TRY;
 * @endcode
 *
 * Rules:
 * - Locals modified inside the TRY body and read after a raise must be
 *   `volatile` (setjmp semantics).
 * - Never leave a TRY body with `return`, `goto` or `break`; use RETURN.
 * - An exception raised inside a clause propagates to the enclosing TRY.
 * - Raising with no active TRY prints "Uncaught exception: <reason>" and
 *   the raise site, then "aborting...", to stderr and calls abort().
 *
 * Thread-safety: the frame stack is thread-local; each thread has its own.
 */
#ifndef EXCEPT_INCLUDED
#define EXCEPT_INCLUDED

#include <setjmp.h>

#include "core/SocketExport.h"

/** An exception identity plus its message. */
typedef struct Except_T
{
  const struct Except_T *type; /**< identity: the public exception object */
  const char *reason;          /**< human-readable message */
} Except_T;

/** One active TRY block (allocated on the stack by TRY). */
typedef struct Except_Frame Except_Frame;
struct Except_Frame
{
  Except_Frame *prev;         /**< enclosing frame */
  jmp_buf env;                /**< setjmp context */
  const char *file;           /**< raise site, set by Except_raise */
  int line;                   /**< raise line, set by Except_raise */
  const Except_T *exception;  /**< raised object, set by Except_raise */
};

/** Frame states. */
enum
{
  Except_entered = 0,  /**< body running */
  Except_raised,       /**< exception arrived, no clause took it yet */
  Except_handled,      /**< an EXCEPT/ELSE clause took it */
  Except_finalized     /**< body completed, FINALLY running */
};

#ifndef _WIN32
/** Innermost active frame of the calling thread; NULL outside any TRY. */
extern SOCKET_API __thread Except_Frame *Except_stack;
#endif

/** Raised by checked runtime errors (misuse of an API). */
extern SOCKET_API const Except_T Assert_Failed;

/**
 * @brief Raise @p e, recording @p file and @p line as the raise site (a
 * NULL @p file is stored as "unknown", a @p line <= 0 as 0).
 *
 * Pops the innermost frame and longjmps to it. With no active frame, prints
 * "Uncaught exception: <reason>" (or "(no reason provided)") with the
 * location (" raised at FILE:LINE", " raised at FILE", " raised at line N"
 * or " (location unknown)") and "aborting..." to stderr and aborts. A NULL
 * @p e prints a FATAL message and aborts as well. Never returns.
 */
extern SOCKET_API void Except_raise (const Except_T *e, const char *file,
                                     int line) __attribute__ ((noreturn));

/** Raise exception object @p e (pass the object, not a pointer). */
#define RAISE(e) Except_raise (&(e), __FILE__, __LINE__)

/** Inside a clause: raise the caught exception again, keeping its site. */
#define RERAISE                                                               \
  Except_raise (Except_frame.exception, Except_frame.file, Except_frame.line)

/** `return` for use inside a TRY body: pops the frame first. */
#define RETURN                                                                \
  switch (Except_stack = Except_stack->prev, 0)                               \
  default:                                                                    \
    return

/** Pops the current frame when the body finished without raising. */
#define EXCEPT_POP_FRAME_IF_ENTERED                                           \
  if (Except_flag == Except_entered)                                          \
    Except_stack = Except_stack->prev;

/* The frame is volatile so its fields survive longjmp; the casts strip the
 * qualifier for setjmp and the stack pointer, which never observe it. */
#define TRY                                                                   \
  do                                                                          \
    {                                                                         \
      volatile int Except_flag;                                               \
      volatile Except_Frame Except_frame;                                     \
      Except_frame.prev = Except_stack;                                       \
      Except_frame.exception = NULL;                                          \
      Except_frame.file = NULL;                                               \
      Except_frame.line = 0;                                                  \
      Except_stack = (Except_Frame *)&Except_frame;                           \
      Except_flag = setjmp (*(jmp_buf *)&Except_frame.env);                   \
      if (Except_flag == Except_entered)                                      \
        {

#define EXCEPT(e)                                                             \
  EXCEPT_POP_FRAME_IF_ENTERED                                                 \
  }                                                                           \
  else if (Except_frame.exception != NULL                                     \
           && Except_frame.exception->type == &(e))                           \
  {                                                                           \
    Except_flag = Except_handled;

#define ELSE                                                                  \
  EXCEPT_POP_FRAME_IF_ENTERED                                                 \
  }                                                                           \
  else                                                                        \
  {                                                                           \
    Except_flag = Except_handled;

#define FINALLY                                                               \
  EXCEPT_POP_FRAME_IF_ENTERED                                                 \
  }                                                                           \
  {                                                                           \
    if (Except_flag == Except_entered)                                        \
      Except_flag = Except_finalized;

#define END_TRY                                                               \
  EXCEPT_POP_FRAME_IF_ENTERED                                                 \
  }                                                                           \
  if (Except_flag == Except_raised)                                           \
    RERAISE;                                                                  \
  }                                                                           \
  while (0)

#endif /* EXCEPT_INCLUDED */
