/*
 * shim.h - the only C entry points Go calls for RAISE-capable functions.
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
#include "core/SocketCrypto.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUTF8.h"
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
#define GO_CALL(rc, err, stmt)                                                \
  TRY { stmt; }                                                               \
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

/* ---- crypto ----------------------------------------------------------- */
int go_SocketCrypto_sha1 (const void *in, size_t n, unsigned char *out,
                          GoErr *e);
int go_SocketCrypto_sha256 (const void *in, size_t n, unsigned char *out,
                            GoErr *e);
int go_SocketCrypto_md5 (const void *in, size_t n, unsigned char *out,
                         GoErr *e);
int go_SocketCrypto_hmac_sha256 (const void *key, size_t key_len,
                                 const void *data, size_t data_len,
                                 unsigned char *out, GoErr *e);
int go_SocketCrypto_hex_encode (const void *in, size_t n, char *out,
                                int lowercase, GoErr *e);
int go_SocketCrypto_random_bytes (void *out, size_t n, GoErr *e);
int go_SocketCrypto_random_uint32 (uint32_t *out, GoErr *e);
int go_SocketCrypto_websocket_key (char *out, GoErr *e);
int go_SocketCrypto_websocket_accept (const char *key, size_t key_len,
                                      char *out, GoErr *e);

/* ---- UTF-8 (state lives in Go memory, borrowed per call) -------------- */
int go_SocketUTF8_update (SocketUTF8_State *st, const unsigned char *in,
                          size_t n, int *result, GoErr *e);
int go_SocketUTF8_finish (const SocketUTF8_State *st, int *result, GoErr *e);
int go_SocketUTF8_reset (SocketUTF8_State *st, GoErr *e);

/* ---- rate limiter (C handle owned by a Go wrapper) -------------------- */
int go_SocketRateLimit_new (size_t rate, size_t burst, SocketRateLimit_T *out,
                            GoErr *e);
void go_SocketRateLimit_free (SocketRateLimit_T l);
int go_SocketRateLimit_try_acquire (SocketRateLimit_T l, size_t n, int *ok,
                                    GoErr *e);
int go_SocketRateLimit_acquire_or_wait (SocketRateLimit_T l, size_t n,
                                        int *ok, int64_t *wait_ms, GoErr *e);
int go_SocketRateLimit_wait_time (SocketRateLimit_T l, size_t n,
                                  int64_t *wait_ms, GoErr *e);
int go_SocketRateLimit_available (SocketRateLimit_T l, size_t *out, GoErr *e);
int go_SocketRateLimit_reset (SocketRateLimit_T l, GoErr *e);
int go_SocketRateLimit_configure (SocketRateLimit_T l, size_t rate,
                                  size_t burst, GoErr *e);
int go_SocketRateLimit_params (SocketRateLimit_T l, size_t *rate,
                               size_t *burst, GoErr *e);

/* ---- metrics, errors, version ------------------------------------------ */
int go_SocketMetrics_snapshot (unsigned long long *out, size_t n, GoErr *e);
int go_SocketMetrics_reset (GoErr *e);
int go_SocketMetrics_increment (int metric, unsigned long value, GoErr *e);
size_t go_SocketMetrics_count (void);
void go_Socket_lastError (char *buf, size_t n, int *err_no);
const char *go_Socket_versionString (void);

/* ---- logging and events: these call back into Go ----------------------- */
int go_SocketLog_setGoSink (int enable, GoErr *e);
int go_SocketLog_emit (int level, const char *component, size_t clen,
                       const char *message, size_t mlen, GoErr *e);
int go_SocketEvent_setGoHandler (int enable, GoErr *e);
int go_SocketEvent_emit (int type, int fd, const char *a, size_t alen,
                         int aport, const char *b, size_t blen, int bport,
                         int nfds, int timeout_ms, GoErr *e);
/* Callbacks not delivered to Go because a nocallback shim was running on
 * the thread (@dropped), and deliveries where Go reported failure (@failed). */
void go_callback_stats (unsigned long long *dropped,
                        unsigned long long *failed);

/*
 * Boundary proof: calls the Go function behind @handle (a cgo.Handle) from
 * C inside this shim's TRY. If Go reports failure, the trampoline RAISEs
 * GoCallback_Failed only after the Go frame has returned.
 */
extern const Except_T GoCallback_Failed;
int go_Callback_invoke (uintptr_t handle, GoErr *e);

/* Test hook for the nocallback guard: logs from inside a nocallback shim. */
void go_Callback_logInsideNocallback (const char *message);

#endif /* CSOCKET_SHIM_H */
