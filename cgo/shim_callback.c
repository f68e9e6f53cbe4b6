/*
 * shim_callback.c - C trampolines that call exported Go functions.
 *
 * C calls Go in three places: the log sink, the event handler and the
 * boundary proof go_Callback_invoke. Each exported Go function recover()s
 * and returns a status code, so a Go panic never unwinds through C. A C
 * exception is raised only after the Go frame has returned, and only where
 * a TRY of the same cgo call encloses the trampoline (go_Callback_invoke);
 * the log and event trampolines run inside library code that may hold no
 * TRY at all, so they count failures instead of raising.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "_cgo_export.h"
#include "shim_core.h"

const Except_T GoCallback_Failed = { &GoCallback_Failed, "Go callback failed" };
SOCKET_DECLARE_MODULE_EXCEPTION (GoCallback);

static atomic_ullong callbacks_dropped;
static atomic_ullong callbacks_failed;

void
go_callback_stats (unsigned long long *dropped, unsigned long long *failed)
{
  GO_NOCB_ENTER ();
  *dropped = atomic_load (&callbacks_dropped);
  *failed = atomic_load (&callbacks_failed);
  GO_NOCB_LEAVE ();
}

/* A Go string is not NUL-terminated: copy it into @buf, or into heap
 * memory returned in *@heap (free it) when it does not fit. */
static const char *
c_string (const char *s, size_t n, char *buf, size_t cap, char **heap)
{
  char *dst = buf;

  *heap = NULL;
  if (n >= cap)
    {
      if ((dst = *heap = malloc (n + 1)) == NULL)
        return NULL;
    }
  if (n > 0)
    memcpy (dst, s, n);
  dst[n] = '\0';
  return dst;
}

/* ---- log sink ----------------------------------------------------------- */

static void
log_trampoline (void *userdata, SocketLogLevel level, const char *component,
                const char *message)
{
  (void)userdata;
  if (go_nocallback_depth > 0)
    {
      /* Entering Go from a nocallback shim would abort the process. */
      fprintf (stderr, "[%s] %s: %s\n", SocketLog_levelname (level),
               component ? component : "(unknown)", message ? message : "(null)");
      atomic_fetch_add (&callbacks_dropped, 1);
      return;
    }
  if (goLogSink ((int)level, (char *)component, (char *)message) != 0)
    atomic_fetch_add (&callbacks_failed, 1);
}

int
go_SocketLog_setGoSink (int enable, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                SocketLog_setcallback (enable ? log_trampoline : NULL, NULL));
  return rc;
}

/* The TRY sits in its own frame so that no local of the caller is live
 * across setjmp (-Wclobbered). */
static int
log_emit_guarded (int level, const char *component, const char *message,
                  GoErr *e)
{
  volatile int rc = 0;
  GO_CALL (rc, e, SocketLog_emit ((SocketLogLevel)level, component, message));
  return rc;
}

int
go_SocketLog_emit (int level, const char *component, size_t clen,
                   const char *message, size_t mlen, GoErr *e)
{
  char cbuf[64], mbuf[SOCKET_LOG_BUFFER_SIZE];
  char *cheap, *mheap;
  const char *c = c_string (component, clen, cbuf, sizeof cbuf, &cheap);
  const char *m = c_string (message, mlen, mbuf, sizeof mbuf, &mheap);
  int rc;

  if (c == NULL || m == NULL)
    rc = go_err_failed (e, "Assert_Failed", SOCKET_ENOMEM);
  else
    rc = log_emit_guarded (level, c, m, e);
  free (cheap);
  free (mheap);
  return rc;
}

/* ---- events --------------------------------------------------------------- */

static void
event_trampoline (void *userdata, const SocketEventRecord *ev)
{
  int rc = 0;

  (void)userdata;
  if (go_nocallback_depth > 0)
    {
      atomic_fetch_add (&callbacks_dropped, 1);
      return;
    }
  switch (ev->type)
    {
    case SOCKET_EVENT_ACCEPTED:
    case SOCKET_EVENT_CONNECTED:
      rc = goEventSink ((int)ev->type, (char *)ev->component,
                        ev->data.connection.fd,
                        (char *)ev->data.connection.peer_addr,
                        ev->data.connection.peer_port,
                        (char *)ev->data.connection.local_addr,
                        ev->data.connection.local_port, 0, 0);
      break;
    case SOCKET_EVENT_DNS_TIMEOUT:
      rc = goEventSink ((int)ev->type, (char *)ev->component, -1,
                        (char *)ev->data.dns.host, ev->data.dns.port, NULL, 0,
                        0, 0);
      break;
    case SOCKET_EVENT_POLL_WAKEUP:
      rc = goEventSink ((int)ev->type, (char *)ev->component, -1, NULL, 0,
                        NULL, 0, ev->data.poll.nfds,
                        ev->data.poll.timeout_ms);
      break;
    default:
      atomic_fetch_add (&callbacks_dropped, 1);
      return;
    }
  if (rc != 0)
    atomic_fetch_add (&callbacks_failed, 1);
}

int
go_SocketEvent_setGoHandler (int enable, GoErr *e)
{
  volatile int rc = 0;
  if (enable)
    GO_CALL_NOCB (rc, e, SocketEvent_register (event_trampoline, NULL));
  else
    GO_CALL_NOCB (rc, e, SocketEvent_unregister (event_trampoline, NULL));
  return rc;
}

static int
event_emit_guarded (int type, int fd, const char *a, int aport, const char *b,
                    int bport, int nfds, int timeout_ms, GoErr *e)
{
  volatile int rc = 0;

  switch (type)
    {
    case SOCKET_EVENT_ACCEPTED:
      GO_CALL (rc, e, SocketEvent_emit_accept (fd, a, aport, b, bport));
      break;
    case SOCKET_EVENT_CONNECTED:
      GO_CALL (rc, e, SocketEvent_emit_connect (fd, a, aport, b, bport));
      break;
    case SOCKET_EVENT_DNS_TIMEOUT:
      GO_CALL (rc, e, SocketEvent_emit_dns_timeout (a, aport));
      break;
    case SOCKET_EVENT_POLL_WAKEUP:
      GO_CALL (rc, e, SocketEvent_emit_poll_wakeup (nfds, timeout_ms));
      break;
    default:
      rc = go_err_failed (e, "Assert_Failed", "unknown event type");
      break;
    }
  return rc;
}

int
go_SocketEvent_emit (int type, int fd, const char *a, size_t alen, int aport,
                     const char *b, size_t blen, int bport, int nfds,
                     int timeout_ms, GoErr *e)
{
  char abuf[256], bbuf[256];
  char *aheap, *bheap;
  const char *as = c_string (a, alen, abuf, sizeof abuf, &aheap);
  const char *bs = c_string (b, blen, bbuf, sizeof bbuf, &bheap);
  int rc;

  if (as == NULL || bs == NULL)
    rc = go_err_failed (e, "Assert_Failed", SOCKET_ENOMEM);
  else
    rc = event_emit_guarded (type, fd, as, aport, bs, bport, nfds, timeout_ms,
                             e);
  free (aheap);
  free (bheap);
  return rc;
}

/* ---- boundary proof ----------------------------------------------------------- */

/* Calls into Go, and raises only once goCallbackInvoke has returned: the
 * longjmp then unwinds this C frame alone, to the TRY in go_Callback_invoke
 * of the same cgo call. */
static void
callback_trampoline (uintptr_t handle)
{
  char msg[256];
  int rc;

  msg[0] = '\0';
  rc = goCallbackInvoke (handle, msg, sizeof msg);
  if (rc != 0)
    SOCKET_RAISE_MSG (GoCallback, GoCallback_Failed, "Go callback failed: %s",
                      msg);
}

int
go_Callback_invoke (uintptr_t handle, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL (rc, e, callback_trampoline (handle));
  return rc;
}

void
go_Callback_logInsideNocallback (const char *message)
{
  GO_NOCB_ENTER ();
  SocketLog_emit (SOCKET_LOG_DEBUG, "GoTest", message);
  GO_NOCB_LEAVE ();
}
