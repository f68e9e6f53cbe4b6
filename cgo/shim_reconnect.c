/*
 * shim_reconnect.c - shims of SocketReconnect (see shim_reconnect.h).
 */
#include "shim_reconnect.h"

int
go_SocketReconnect_new (const char *host, int port,
                        const SocketReconnect_Policy_T *policy,
                        SocketReconnect_T *out, GoErr *e)
{
  volatile int rc = 0;
  SocketReconnect_T volatile c = NULL;

  *out = NULL;
  GO_CALL_NOCB (rc, e, {
    c = SocketReconnect_new (host, port, policy, NULL, NULL);
    SocketExt_reconnect_set_external (c, 1);
    *out = c;
  });
  if (rc != 0 && c != NULL)
    {
      SocketReconnect_T f = c;
      SocketReconnect_free (&f);
      *out = NULL;
    }
  return rc;
}

void
go_SocketReconnect_free (SocketReconnect_T c)
{
  GO_NOCB_ENTER ();
  SocketReconnect_free (&c);
  GO_NOCB_LEAVE ();
}

static void
step (SocketReconnect_T c, int op, int arg, GoReconnectStatus *st)
{
  switch (op)
    {
    case GO_RECONNECT_CONNECT:
      SocketReconnect_connect (c);
      break;
    case GO_RECONNECT_TICK:
      SocketReconnect_tick (c);
      break;
    case GO_RECONNECT_REPORT_OK:
      SocketExt_reconnect_report (c, 1, 0);
      break;
    case GO_RECONNECT_REPORT_FAIL:
      SocketExt_reconnect_report (c, 0, arg);
      break;
    case GO_RECONNECT_LOST:
      (void)SocketExt_reconnect_lost (c, arg);
      break;
    case GO_RECONNECT_DISCONNECT:
      SocketReconnect_disconnect (c);
      break;
    case GO_RECONNECT_RESET:
      SocketReconnect_reset (c);
      break;
    default:
      break;
    }
  st->state = (int)SocketReconnect_state (c);
  st->attempts = SocketReconnect_attempts (c);
  st->failures = SocketReconnect_failures (c);
  st->next_timeout_ms = SocketReconnect_next_timeout_ms (c);
}

int
go_SocketReconnect_step (SocketReconnect_T c, int op, int arg,
                         GoReconnectStatus *st, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, step (c, op, arg, st));
  return rc;
}

int
go_SocketReconnect_policy_defaults (SocketReconnect_Policy_T *p, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketReconnect_policy_defaults (p));
  return rc;
}

const char *
go_SocketReconnect_state_name (int state)
{
  const char *name;

  GO_NOCB_ENTER ();
  name = SocketReconnect_state_name ((SocketReconnect_State)state);
  GO_NOCB_LEAVE ();
  return name;
}
