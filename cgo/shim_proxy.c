/*
 * shim_proxy.c - shims of the proxy handshake codec (see shim_proxy.h).
 */
#include <string.h>

#include "shim_proxy.h"

/* Copy the NUL-terminated @s into @buf (size @size): 1 if @s was set. */
static int
copy_out (char *buf, size_t size, const char *s)
{
  size_t n;

  buf[0] = '\0';
  if (s == NULL)
    return 0;
  n = strlen (s);
  if (n >= size)
    n = size - 1;
  memcpy (buf, s, n);
  buf[n] = '\0';
  return 1;
}

static SocketProxyExt_Handshake_T
handshake_new (int type, const char *proxy_host, int proxy_port,
               const char *username, const char *password,
               const char *target, int port)
{
  SocketProxy_Config cfg;

  SocketProxy_config_defaults (&cfg);
  cfg.type = (SocketProxyType)type;
  cfg.host = proxy_host;
  cfg.port = proxy_port;
  cfg.username = username;
  cfg.password = password;
  return SocketProxyExt_handshake_new (&cfg, target, port);
}

int
go_SocketProxyExt_handshake_new (int type, const char *proxy_host,
                                 int proxy_port, const char *username,
                                 const char *password, const char *target,
                                 int port, SocketProxyExt_Handshake_T *out,
                                 GoErr *e)
{
  volatile int rc = 0;

  *out = NULL;
  GO_CALL_NOCB (rc, e,
                *out = handshake_new (type, proxy_host, proxy_port, username,
                                      password, target, port));
  if (rc == 0 && *out == NULL)
    return go_fail (e, "SocketProxy_Failed", 0,
                    "proxy handshake could not be created");
  return rc;
}

void
go_SocketProxyExt_handshake_free (SocketProxyExt_Handshake_T hs)
{
  GO_NOCB_ENTER ();
  SocketProxyExt_handshake_free (&hs);
  GO_NOCB_LEAVE ();
}

int
go_SocketProxyExt_handshake_output (SocketProxyExt_Handshake_T hs,
                                    const unsigned char **out, size_t *len,
                                    GoErr *e)
{
  volatile int rc = 0;

  *out = NULL;
  *len = 0;
  GO_CALL_NOCB (rc, e, *out = SocketProxyExt_handshake_output (hs, len));
  return rc;
}

int
go_SocketProxyExt_handshake_sent (SocketProxyExt_Handshake_T hs, size_t n,
                                  GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e, SocketProxyExt_handshake_sent (hs, n));
  return rc;
}

int
go_SocketProxyExt_handshake_input (SocketProxyExt_Handshake_T hs,
                                   const unsigned char *data, size_t len,
                                   size_t *consumed, int *result, GoErr *e)
{
  volatile int rc = 0;

  *consumed = 0;
  *result = (int)PROXY_ERROR;
  GO_CALL_NOCB (rc, e,
                *result = (int)SocketProxyExt_handshake_input (hs, data, len,
                                                               consumed));
  return rc;
}

static void
status (SocketProxyExt_Handshake_T hs, GoProxyStatus *st)
{
  st->result = (int)SocketProxyExt_handshake_result (hs);
  st->state = (int)SocketProxyExt_handshake_state (hs);
  st->http_status = SocketProxyExt_handshake_http_status (hs);
  st->has_error = copy_out (st->error, sizeof st->error,
                            SocketProxyExt_handshake_error (hs));
}

int
go_SocketProxyExt_handshake_status (SocketProxyExt_Handshake_T hs,
                                    GoProxyStatus *st, GoErr *e)
{
  volatile int rc = 0;

  memset (st, 0, sizeof *st);
  GO_CALL_NOCB (rc, e, status (hs, st));
  return rc;
}

const char *
go_SocketProxy_result_string (int result)
{
  const char *s;

  GO_NOCB_ENTER ();
  s = SocketProxy_result_string ((SocketProxy_Result)result);
  GO_NOCB_LEAVE ();
  return s;
}

const char *
go_SocketProxy_state_string (int state)
{
  const char *s;

  GO_NOCB_ENTER ();
  s = SocketProxy_state_string ((SocketProxy_State)state);
  GO_NOCB_LEAVE ();
  return s;
}

const char *
go_SocketProxy_type_string (int type)
{
  const char *s;

  GO_NOCB_ENTER ();
  s = SocketProxy_type_string ((SocketProxyType)type);
  GO_NOCB_LEAVE ();
  return s;
}
