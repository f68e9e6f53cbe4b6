/*
 * shim_ws.c - shims of the WebSocket codec without I/O (see shim_ws.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shim_ws.h"

#define GO_WS_MAX_LIST 32

static void
make_config (const GoWSConfig *g, SocketWS_Config *cfg)
{
  SocketWS_config_defaults (cfg);
  cfg->role = g->server ? WS_ROLE_SERVER : WS_ROLE_CLIENT;
  if (g->max_frame_size)
    cfg->max_frame_size = g->max_frame_size;
  if (g->max_message_size)
    cfg->max_message_size = g->max_message_size;
  if (g->max_fragments)
    cfg->max_fragments = g->max_fragments;
  cfg->validate_utf8 = g->validate_utf8;
  cfg->enable_permessage_deflate = g->deflate;
  cfg->deflate_no_context_takeover = g->deflate_no_context_takeover;
  if (g->deflate_max_window_bits)
    cfg->deflate_max_window_bits = g->deflate_max_window_bits;
}

int
go_ws_new (const GoWSConfig *g, GoWS **out, GoErr *e)
{
  SocketWS_Config cfg;
  GoWS *w;
  volatile int rc = 0;

  *out = NULL;
  w = calloc (1, sizeof *w);
  if (w == NULL)
    return go_fail (e, "SocketWS_Failed", 0, "WebSocket codec: out of memory");
  make_config (g, &cfg);
  GO_CALL_NOCB (rc, e,
                w->codec = SocketWSExt_codec_new (
                    &cfg, g->params.enabled ? &g->params : NULL));
  if (rc == 0 && w->codec == NULL)
    rc = go_fail (e, "SocketWS_Failed", 0,
                  "WebSocket codec: out of memory or deflate parameters "
                  "refused");
  if (rc != 0)
    {
      free (w);
      return rc;
    }
  *out = w;
  return 0;
}

void
go_ws_free (GoWS *w)
{
  GO_NOCB_ENTER ();
  SocketWSExt_codec_free (&w->codec);
  free (w);
  GO_NOCB_LEAVE ();
}

int
go_ws_input_space (GoWS *w, void **p, size_t *space, GoErr *e)
{
  volatile int rc = 0;

  *p = NULL;
  *space = 0;
  GO_CALL_NOCB (rc, e, *p = SocketWSExt_input_space (w->codec, space));
  return rc;
}

/* copy what fits of the pending DATA bytes; 1 when dst is full with some left */
static int
copy_rest (GoWS *w, unsigned char *dst, size_t cap, GoWSRead *r)
{
  size_t n = w->rest_len;

  if (n > cap - r->copied)
    n = cap - r->copied;
  if (n)
    {
      memcpy (dst + r->copied, w->rest, n);
      r->copied += n;
      w->rest += n;
      w->rest_len -= n;
    }
  return w->rest_len != 0;
}

static void
pull (GoWS *w, unsigned char *dst, size_t cap, GoWSRead *r)
{
  SocketWSExt_Event ev;

  for (;;)
    {
      if (w->rest_len && copy_rest (w, dst, cap, r))
        {
          r->more = 1;
          return;
        }
      if (!SocketWSExt_next_event (w->codec, &ev))
        {
          r->done = SocketWSExt_close_received (w->codec)
                    || SocketWSExt_error (w->codec) != WS_OK;
          r->need_input = !r->done;
          return;
        }
      switch (ev.type)
        {
        case WSEXT_EV_MESSAGE_START:
          r->start = (int)ev.opcode;
          break;
        case WSEXT_EV_DATA:
          w->rest = ev.data;
          w->rest_len = ev.len;
          break;
        case WSEXT_EV_MESSAGE_END:
          r->end = 1;
          return;
        default:
          r->event = (int)ev.type;
          r->data = ev.data;
          r->len = ev.len;
          r->close_code = ev.close_code;
          r->error = (int)ev.error;
          r->done = ev.type == WSEXT_EV_CLOSE || ev.type == WSEXT_EV_ERROR;
          return;
        }
    }
}

int
go_ws_read (GoWS *w, size_t commit, unsigned char *dst, size_t cap,
            GoWSRead *r, GoErr *e)
{
  volatile int rc = 0;

  memset (r, 0, sizeof *r);
  GO_NOCB_ENTER ();
  TRY
  {
    errno = 0;
    if (commit)
      SocketWSExt_input_commit (w->codec, commit);
    pull (w, dst, cap, r);
  }
  ELSE
  {
    rc = go_err_capture (e, Except_frame.exception, Except_frame.file,
                         Except_frame.line);
  }
  END_TRY;
  GO_NOCB_LEAVE ();
  return rc;
}

static SocketWS_Error
queue (GoWS *w, int op, int arg, const unsigned char *data, size_t len)
{
  switch (op)
    {
    case GO_WS_MESSAGE:
      return SocketWSExt_send_message (w->codec, (SocketWS_Opcode)arg, data,
                                       len);
    case GO_WS_BEGIN:
      return SocketWSExt_send_begin (w->codec, (SocketWS_Opcode)arg);
    case GO_WS_CONTINUE:
      return SocketWSExt_send_continue (w->codec, data, len);
    case GO_WS_FINISH:
      return SocketWSExt_send_finish (w->codec, data, len);
    case GO_WS_PING:
      return SocketWSExt_send_ping (w->codec, data, len);
    case GO_WS_PONG:
      return SocketWSExt_send_pong (w->codec, data, len);
    case GO_WS_CLOSE:
      return SocketWSExt_send_close (w->codec, arg, (const char *)data, len);
    default:
      return WS_OK;
    }
}

int
go_ws_send (GoWS *w, int op, int arg, const unsigned char *data, size_t len,
            unsigned char *dst, size_t cap, size_t *n, size_t *pending,
            int *wserr, GoErr *e)
{
  volatile int rc = 0;

  *n = 0;
  *pending = 0;
  *wserr = WS_OK;
  GO_NOCB_ENTER ();
  TRY
  {
    size_t avail;
    const unsigned char *out;

    errno = 0;
    *wserr = (int)queue (w, op, arg, data, len);
    out = SocketWSExt_output (w->codec, &avail);
    if (out && cap)
      {
        size_t k = avail < cap ? avail : cap;
        memcpy (dst, out, k);
        SocketWSExt_output_consumed (w->codec, k);
        *n = k;
      }
    *pending = SocketWSExt_output_pending (w->codec);
  }
  ELSE
  {
    rc = go_err_capture (e, Except_frame.exception, Except_frame.file,
                         Except_frame.line);
  }
  END_TRY;
  GO_NOCB_LEAVE ();
  return rc;
}

int
go_ws_set_deflate_level (GoWS *w, int level, int *ok, GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e, *ok = SocketWSExt_set_deflate_level (w->codec, level) == 0);
  return rc;
}

int
go_ws_state (GoWS *w, int *sent, int *received, int *code, char *reason,
             size_t cap, int *wserr, GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e, {
    const char *rs = SocketWSExt_close_reason (w->codec);
    size_t rl = strlen (rs);
    *sent = SocketWSExt_close_sent (w->codec);
    *received = SocketWSExt_close_received (w->codec);
    *code = SocketWSExt_close_code (w->codec);
    *wserr = (int)SocketWSExt_error (w->codec);
    if (cap)
      {
        if (rl >= cap)
          rl = cap - 1;
        memcpy (reason, rs, rl);
        reason[rl] = '\0';
      }
  });
  return rc;
}

/* split a NUL-separated list of @count strings into @arr (NULL-terminated) */
static int
split_list (const char *list, int count, const char **arr)
{
  if (count < 0 || count >= GO_WS_MAX_LIST)
    return -1;
  for (int i = 0; i < count; i++)
    {
      arr[i] = list;
      list += strlen (list) + 1;
    }
  arr[count] = NULL;
  return 0;
}

int
go_ws_client_request (char *buf, size_t cap, const char *host,
                      const char *path, const char *key, const GoWSConfig *g,
                      const char *subprotocols, int nsub, const char *headers,
                      int nhdr, ssize_t *n, GoErr *e)
{
  const char *subs[GO_WS_MAX_LIST];
  const char *hdrs[GO_WS_MAX_LIST];
  SocketWS_Config cfg;
  volatile int rc = 0;

  *n = -1;
  if (split_list (subprotocols, nsub, subs) < 0
      || split_list (headers, 2 * nhdr, hdrs) < 0)
    return go_fail (e, "SocketWS_Failed", 0,
                    "WebSocket request: too many subprotocols or headers");
  make_config (g, &cfg);
  cfg.subprotocols = nsub ? subs : NULL;
  GO_CALL_NOCB (rc, e,
                *n = SocketWSExt_client_request (buf, cap, host, path, key,
                                                 &cfg, nhdr ? hdrs : NULL));
  return rc;
}

int
go_ws_deflate_negotiate (const char *offer, const GoWSConfig *g, int *ok,
                         SocketWSExt_Deflate *out, GoErr *e)
{
  SocketWS_Config cfg;
  volatile int rc = 0;

  memset (out, 0, sizeof *out);
  make_config (g, &cfg);
  GO_CALL_NOCB (rc, e,
                *ok = SocketWSExt_deflate_negotiate (offer, &cfg, out));
  return rc;
}

int
go_ws_deflate_accept (const char *response, const GoWSConfig *g, int *ok,
                      SocketWSExt_Deflate *out, GoErr *e)
{
  SocketWS_Config cfg;
  volatile int rc = 0;

  memset (out, 0, sizeof *out);
  make_config (g, &cfg);
  GO_CALL_NOCB (rc, e,
                *ok = SocketWSExt_deflate_accept_response (response, &cfg,
                                                           out));
  return rc;
}

int
go_ws_server_response (char *buf, size_t cap, const char *key,
                       const char *subprotocol,
                       const SocketWSExt_Deflate *deflate, ssize_t *n,
                       GoErr *e)
{
  volatile int rc = 0;

  GO_CALL_NOCB (rc, e,
                *n = SocketWSExt_server_response (
                    buf, cap, key, subprotocol,
                    deflate && deflate->enabled ? deflate : NULL));
  return rc;
}
