/*
 * shim.h - the boundary machinery every shim uses (shim_<area>.h declare
 * the shims themselves, shim_<area>.c define them).
 *
 * Every shim is named go_<Module>_<verb>. It opens a TRY, calls the API,
 * and when anything is raised it copies the exception into the caller's
 * GoErr and returns a negative code (0 on success). The exception is thus
 * caught inside the same C call, on the same thread, so no longjmp ever
 * crosses a Go frame and Go never reads thread-local error state later.
 *
 * Buffers passed in are borrowed for the call only; no shim keeps a
 * pointer it was given. Declarations only: this header is pulled into the
 * preamble of Go files with //export (through _cgo_export.h), where
 * definitions would be duplicated.
 */
#ifndef CSOCKET_SHIM_H
#define CSOCKET_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Except.h"
#include "core/SocketUtil.h"

/* Negative return codes of the shims. */
enum
{
  GOERR_OK = 0,
  GOERR_EXCEPTION = -1, /* an Except_T was raised; see GoErr */
  GOERR_FAILED = -2     /* the API reported failure by return value */
};

#define GOERR_REASON_SIZE 512

/*
 * What Go learns about a failure. exception and file point to static
 * strings (the name table and __FILE__ literals); reason is a copy,
 * because the library formats it in a thread-local buffer.
 */
typedef struct GoErr
{
  int code;              /* GOERR_* */
  int err_no;            /* errno saved with the failure, 0 if none */
  int line;              /* raise line, 0 if unknown */
  int truncated;         /* reason was cut to fit */
  const char *exception; /* public name, e.g. "SocketCrypto_Failed" */
  const char *file;      /* raise file, NULL if unknown */
  char reason[GOERR_REASON_SIZE];
} GoErr;

/* Fill @e from a caught exception and return e->code. */
int go_err_capture (GoErr *e, const Except_T *exc, const char *file,
                    int line);

/* Fill @e for a failure reported by return value and return e->code. */
int go_err_failed (GoErr *e, const char *exception, const char *reason);

/* Public name of @exc (matched by identity of exc or exc->type). */
const char *go_exception_name (const Except_T *exc);

/* Shims whose Go declaration carries `#cgo nocallback` mark the thread for
 * the duration of the call; the log and event trampolines check the mark
 * and never enter Go while it is set (the runtime would abort). */
extern __thread int go_nocallback_depth;

/*
 * GO_CALL runs @stmt inside TRY and stores a caught exception in @err and
 * @rc (which must be a volatile int). GO_CALL_NOCB does the same for shims
 * declared nocallback on the Go side; shims without a TRY bracket their
 * body with GO_NOCB_ENTER/GO_NOCB_LEAVE instead. lint_boundary.py checks
 * that every nocallback shim does one or the other.
 */
/* errno is cleared first: SOCKET_ERROR_MSG records the current errno (as
 * in the original library), which would otherwise be whatever an earlier
 * call on this OS thread left behind. */
#define GO_CALL(rc, err, stmt)                                                \
  TRY { errno = 0; stmt; }                                                    \
  ELSE                                                                        \
  {                                                                           \
    (rc) = go_err_capture ((err), Except_frame.exception, Except_frame.file,  \
                           Except_frame.line);                                \
  }                                                                           \
  END_TRY

#define GO_NOCB_ENTER() (go_nocallback_depth++)
#define GO_NOCB_LEAVE() (go_nocallback_depth--)

#define GO_CALL_NOCB(rc, err, stmt)                                           \
  do                                                                          \
    {                                                                         \
      GO_NOCB_ENTER ();                                                       \
      GO_CALL (rc, err, stmt);                                                \
      GO_NOCB_LEAVE ();                                                       \
    }                                                                         \
  while (0)

/* Copy the Go string @s (@n bytes, not NUL-terminated) into @buf as a C
 * string: 0, or -1 if it does not fit or holds a NUL byte. */
int go_cstr (char *buf, size_t size, const char *s, size_t n);

/* A failure detected by a shim itself: go_err_failed with reason @what
 * (followed by strerror (@err) when @err is not 0) and errno @err. */
int go_fail (GoErr *e, const char *exception, int err, const char *what);

#endif /* CSOCKET_SHIM_H */
