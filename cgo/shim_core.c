/*
 * shim_core.c - TRY-wrapped entry points for the core modules (crypto,
 * UTF-8, rate limiter, metrics) and the exception capture they share.
 *
 * Pattern: a volatile rc, GO_CALL_NOCB (or GO_CALL when the call may reach
 * a Go callback) around the API call, outputs written through pointers the
 * caller owns, return rc. See shim.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_core.h"

#include "core/Arena.h"
#include "core/SocketIPTracker.h"
#include "core/SocketSYNProtect.h"
#include "core/SocketSecurity.h"
#include "core/SocketTimer.h"
#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketDgram.h"
#include "socket/SocketAsync.h"
#include "socket/SocketBuf.h"
#include "socket/SocketReconnect.h"
#include "socket/SocketProxy.h"
#include "socket/SocketWS.h"
#include "http/SocketHPACK.h"
#include "http/SocketHTTP.h"
#include "http/SocketHTTP1.h"
#include "http/SocketHTTP2.h"
#ifdef SOCKET_HAS_TLS
#include "tls/SocketDTLS.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"
#endif

__thread int go_nocallback_depth;

/* ---- exception names ---------------------------------------------------- */

/* One row per public exception linked into the package, from the list
 * shared with the Go side (exceptions.def). */
#define GO_EXCEPTION(x, family) { &(x), #x },
static const struct
{
  const Except_T *exc;
  const char *name;
} exception_names[] = {
#include "exceptions.def"
};
#undef GO_EXCEPTION

const char *
go_exception_name (const Except_T *exc)
{
  size_t i;

  if (exc == NULL)
    return "";
  for (i = 0; i < sizeof exception_names / sizeof exception_names[0]; i++)
    if (exc == exception_names[i].exc || exc->type == exception_names[i].exc)
      return exception_names[i].name;
  return "UnknownException";
}

static void
copy_reason (GoErr *e, const char *reason)
{
  size_t n;

  if (reason == NULL)
    reason = "";
  n = strlen (reason);
  e->truncated = n >= sizeof e->reason;
  if (e->truncated)
    n = sizeof e->reason - 1;
  memcpy (e->reason, reason, n);
  e->reason[n] = '\0';
}

int
go_err_capture (GoErr *e, const Except_T *exc, const char *file, int line)
{
  const char *reason = exc->reason;

  if (reason == NULL && exc->type != NULL)
    reason = exc->type->reason;
  e->code = GOERR_EXCEPTION;
  e->exception = go_exception_name (exc);
  e->file = file;
  e->line = line;
  copy_reason (e, reason);
  /* socket_last_errno belongs to this failure only when the reason was
   * formatted into socket_error_buf (SOCKET_RAISE_FMT/_MSG set both);
   * otherwise it may be left over from an earlier failure. */
  e->err_no = exc->reason == socket_error_buf ? socket_last_errno : 0;
  /* Socket_Closed is raised as the plain public object ("Socket closed",
   * as in the original); the socket module formats the detail and errno
   * into the error buffer just before, so report those instead. */
  if (exc == &Socket_Closed)
    {
      copy_reason (e, socket_error_buf);
      e->err_no = socket_last_errno;
    }
  return e->code;
}

int
go_cstr (char *buf, size_t size, const char *s, size_t n)
{
  if (n >= size || (n > 0 && memchr (s, '\0', n) != NULL))
    return -1;
  if (n > 0)
    memcpy (buf, s, n);
  buf[n] = '\0';
  return 0;
}

int
go_fail (GoErr *e, const char *exception, int err, const char *what)
{
  char reason[GOERR_REASON_SIZE];

  if (err != 0)
    snprintf (reason, sizeof reason, "%s: %s", what, strerror (err));
  else
    snprintf (reason, sizeof reason, "%s", what);
  go_err_failed (e, exception, reason);
  e->err_no = err;
  return e->code;
}

int
go_err_failed (GoErr *e, const char *exception, const char *reason)
{
  e->code = GOERR_FAILED;
  e->exception = exception != NULL ? exception : "";
  e->file = NULL;
  e->line = 0;
  e->err_no = 0;
  copy_reason (e, reason);
  return e->code;
}

/* ---- crypto --------------------------------------------------------------- */

int
go_SocketCrypto_sha1 (const void *in, size_t n, unsigned char *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketCrypto_sha1 (in, n, out));
  return rc;
}

int
go_SocketCrypto_sha256 (const void *in, size_t n, unsigned char *out,
                        GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketCrypto_sha256 (in, n, out));
  return rc;
}

int
go_SocketCrypto_md5 (const void *in, size_t n, unsigned char *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketCrypto_md5 (in, n, out));
  return rc;
}

int
go_SocketCrypto_hmac_sha256 (const void *key, size_t key_len,
                             const void *data, size_t data_len,
                             unsigned char *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                SocketCrypto_hmac_sha256 (key, key_len, data, data_len, out));
  return rc;
}

/* Raises for NULL input or output, hence the shim. */
int
go_SocketCrypto_hex_encode (const void *in, size_t n, char *out, int lowercase,
                            GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketCrypto_hex_encode (in, n, out, lowercase));
  return rc;
}

int
go_SocketCrypto_random_bytes (void *out, size_t n, GoErr *e)
{
  volatile int rc = 0;
  volatile int r = 0;
  GO_CALL_NOCB (rc, e, r = SocketCrypto_random_bytes (out, n));
  if (rc == 0 && r != 0)
    rc = go_err_failed (e, "SocketCrypto_Failed",
                        "SocketCrypto_random_bytes: CSPRNG failure");
  return rc;
}

int
go_SocketCrypto_random_uint32 (uint32_t *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *out = SocketCrypto_random_uint32 ());
  return rc;
}

int
go_SocketCrypto_websocket_key (char *out, GoErr *e)
{
  volatile int rc = 0;
  volatile int r = 0;
  GO_CALL_NOCB (rc, e, r = SocketCrypto_websocket_key (out));
  if (rc == 0 && r != 0)
    rc = go_err_failed (e, "SocketCrypto_Failed",
                        "SocketCrypto_websocket_key failed");
  return rc;
}

/* @key is not NUL-terminated (a Go string); a valid key is 24 characters,
 * so anything that does not fit the local copy is rejected unread. */
int
go_SocketCrypto_websocket_accept (const char *key, size_t key_len, char *out,
                                  GoErr *e)
{
  volatile int rc = 0;
  volatile int r = 0;
  char buf[64];

  if (key_len >= sizeof buf)
    return go_err_failed (e, NULL, "malformed Sec-WebSocket-Key");
  if (key_len > 0)
    memcpy (buf, key, key_len);
  buf[key_len] = '\0';
  GO_CALL_NOCB (rc, e, r = SocketCrypto_websocket_accept (buf, out));
  if (rc == 0 && r != 0)
    rc = go_err_failed (e, NULL, "malformed Sec-WebSocket-Key");
  return rc;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

int
go_SocketUTF8_update (SocketUTF8_State *st, const unsigned char *in, size_t n,
                      int *result, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *result = (int)SocketUTF8_update (st, in, n));
  return rc;
}

int
go_SocketUTF8_finish (const SocketUTF8_State *st, int *result, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *result = (int)SocketUTF8_finish (st));
  return rc;
}

int
go_SocketUTF8_reset (SocketUTF8_State *st, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketUTF8_reset (st));
  return rc;
}

/* ---- rate limiter ----------------------------------------------------------- */

int
go_SocketRateLimit_new (size_t rate, size_t burst, SocketRateLimit_T *out,
                        GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *out = SocketRateLimit_new (NULL, rate, burst));
  return rc;
}

void
go_SocketRateLimit_free (SocketRateLimit_T l)
{
  GO_NOCB_ENTER ();
  SocketRateLimit_free (&l);
  GO_NOCB_LEAVE ();
}

int
go_SocketRateLimit_try_acquire (SocketRateLimit_T l, size_t n, int *ok,
                                GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *ok = SocketRateLimit_try_acquire (l, n));
  return rc;
}

/* Wait's loop body in one crossing: take @n tokens, or say how long until
 * they could be there (-1: never, @n exceeds the bucket). */
int
go_SocketRateLimit_acquire_or_wait (SocketRateLimit_T l, size_t n, int *ok,
                                    int64_t *wait_ms, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    *wait_ms = 0;
    *ok = SocketRateLimit_try_acquire (l, n);
    if (!*ok)
      *wait_ms = SocketRateLimit_wait_time_ms (l, n);
  });
  return rc;
}

int
go_SocketRateLimit_wait_time (SocketRateLimit_T l, size_t n, int64_t *wait_ms,
                              GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *wait_ms = SocketRateLimit_wait_time_ms (l, n));
  return rc;
}

int
go_SocketRateLimit_available (SocketRateLimit_T l, size_t *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *out = SocketRateLimit_available (l));
  return rc;
}

int
go_SocketRateLimit_reset (SocketRateLimit_T l, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketRateLimit_reset (l));
  return rc;
}

int
go_SocketRateLimit_configure (SocketRateLimit_T l, size_t rate, size_t burst,
                              GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketRateLimit_configure (l, rate, burst));
  return rc;
}

int
go_SocketRateLimit_params (SocketRateLimit_T l, size_t *rate, size_t *burst,
                           GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    *rate = SocketRateLimit_get_rate (l);
    *burst = SocketRateLimit_get_bucket_size (l);
  });
  return rc;
}

/* ---- metrics, errors, version ------------------------------------------------- */

int
go_SocketMetrics_snapshot (unsigned long long *out, size_t n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    SocketMetricsSnapshot snap;
    size_t m = n < SOCKET_METRIC_COUNT ? n : SOCKET_METRIC_COUNT;
    SocketMetrics_getsnapshot (&snap);
    memcpy (out, snap.values, m * sizeof out[0]);
  });
  return rc;
}

int
go_SocketMetrics_reset (GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketMetrics_reset ());
  return rc;
}

int
go_SocketMetrics_increment (int metric, unsigned long value, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketMetrics_increment ((SocketMetric)metric, value));
  return rc;
}

/* The plainest shim: no TRY, no arguments. BenchmarkShimCall measures
 * the bare cgo crossing with it. */
size_t
go_SocketMetrics_count (void)
{
  size_t n;

  GO_NOCB_ENTER ();
  n = SocketMetrics_count ();
  GO_NOCB_LEAVE ();
  return n;
}

/* The Go package's default log sink: C logs every library error at ERROR
 * (as the original does), which a Go program should not see on stderr
 * unless it asks for it with gosocket.SetLogger. Pure C, so it is safe on
 * any thread and inside nocallback shims. */
static void
go_log_discard (void *userdata, SocketLogLevel level, const char *component,
                const char *message)
{
  (void)userdata;
  (void)level;
  (void)component;
  (void)message;
}

void
go_SocketLog_discard (void)
{
  GO_NOCB_ENTER ();
  SocketLog_setcallback (go_log_discard, NULL);
  GO_NOCB_LEAVE ();
}

void
go_Socket_lastError (char *buf, size_t n, int *err_no)
{
  const char *msg;
  size_t len;

  GO_NOCB_ENTER ();
  msg = Socket_GetLastError ();
  len = strlen (msg);
  if (n > 0)
    {
      if (len >= n)
        len = n - 1;
      memcpy (buf, msg, len);
      buf[len] = '\0';
    }
  *err_no = Socket_geterrno ();
  GO_NOCB_LEAVE ();
}

const char *
go_Socket_versionString (void)
{
  return SOCKET_VERSION_STRING;
}
