/*
 * SocketHTTP2-upgrade.c - HTTP/2 from an HTTP/1.1 "Upgrade: h2c" exchange
 * (RFC 7540 §3.2, kept by RFC 9113 §3.1 for existing deployments).
 *
 * The HTTP2-Settings header carries a SETTINGS payload (the caller
 * decodes its base64url): on the server those are the client's settings,
 * applied as if received in a SETTINGS frame; on the client they are our
 * own, and count as acknowledged because the 101 accepted them. The
 * upgraded request becomes stream 1, half-closed toward the side that
 * sent it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/SocketHTTP2-private.h"
#include "http/SocketHTTP2Ext.h"

/* Validate a SETTINGS payload; -1 if malformed or a value is invalid. */
static int
settings_payload_ok (const unsigned char *payload, size_t len)
{
  SocketHTTP2_Setting s;
  size_t i;

  if (len % 6 != 0 || (payload == NULL && len != 0))
    return -1;
  for (i = 0; i < len / 6; i++)
    {
      SocketHTTP2__setting_get (payload, i, &s);
      if (SocketHTTP2__setting_check (s.id, s.value).code != HTTP2_NO_ERROR)
        return -1;
    }
  return 0;
}

SocketHTTP2_Conn_T
SocketHTTP2_Conn_upgrade_client (Socket_T socket, const unsigned char *settings_payload, size_t settings_len,
                                 Arena_T arena)
{
  SocketHTTP2_Config config;
  SocketHTTP2_Conn_T conn;
  SocketHTTP2_Stream_T s;
  SocketHTTP2_Setting st;
  size_t i;

  if (settings_payload_ok (settings_payload, settings_len) < 0)
    return NULL;
  SocketHTTP2_config_defaults (&config, HTTP2_ROLE_CLIENT);
  conn = SocketHTTP2_Conn_new (socket, &config, arena);
  for (i = 0; i < settings_len / 6; i++)
    {
      SocketHTTP2__setting_get (settings_payload, i, &st);
      if (st.id >= 1 && st.id <= HTTP2_SETTINGS_COUNT)
        conn->local[st.id] = st.value;
    }
  s = SocketHTTP2__stream_create (conn, 1, 0);
  if (s == NULL)
    {
      SocketHTTP2_Conn_free (&conn);
      return NULL;
    }
  s->state = HTTP2_STREAM_STATE_HALF_CLOSED_LOCAL;
  s->recv_window = conn->local[HTTP2_SETTINGS_INITIAL_WINDOW_SIZE];
  conn->next_stream_id = 3;
  SocketHTTP2__ensure_started (conn);
  return conn;
}

/* The HTTP/1.1 request head as HTTP/2 fields: pseudo-headers, then the
 * fields lowercased, without connection-specific ones. */
static int
store_request (SocketHTTP2_Stream_T s, const SocketHTTP_Request *req)
{
  size_t n = req->headers != NULL ? SocketHTTP_Headers_count (req->headers) : 0, count = 0, i, k;
  const char *method = SocketHTTP_method_name (req->method);
  SocketHPACK_Header *f = calloc (n + 4, sizeof *f);
  char *names = NULL;
  size_t names_len = 0;
  int rc;

  if (f == NULL)
    return -1;
  for (i = 0; i < n; i++)
    names_len += SocketHTTP_Headers_at (req->headers, i)->name_len;
  names = malloc (names_len + 1);
  if (names == NULL)
    {
      free (f);
      return -1;
    }
#define ADD(nm, val)                                                          \
  do                                                                          \
    {                                                                         \
      f[count].name = (nm);                                                   \
      f[count].name_len = strlen (nm);                                        \
      f[count].value = (val);                                                 \
      f[count].value_len = strlen (val);                                      \
      count++;                                                                \
    }                                                                         \
  while (0)
  ADD (":method", method != NULL ? method : "GET");
  ADD (":scheme", req->scheme != NULL ? req->scheme : "http");
  if (req->authority != NULL)
    ADD (":authority", req->authority);
  ADD (":path", req->path != NULL ? req->path : "/");
#undef ADD
  names_len = 0;
  for (i = 0; i < n; i++)
    {
      const SocketHTTP_Header *h = SocketHTTP_Headers_at (req->headers, i);
      static const char *const skip[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                          "upgrade", "host", "http2-settings" };
      int drop = 0;
      for (k = 0; k < sizeof skip / sizeof skip[0]; k++)
        drop |= strlen (skip[k]) == h->name_len && strncasecmp (skip[k], h->name, h->name_len) == 0;
      if (drop)
        continue;
      for (k = 0; k < h->name_len; k++)
        names[names_len + k] = (char)tolower ((unsigned char)h->name[k]);
      f[count].name = names + names_len;
      f[count].name_len = h->name_len;
      f[count].value = h->value;
      f[count].value_len = h->value_len;
      names_len += h->name_len;
      count++;
    }
  rc = SocketHTTP2__fields_copy (&s->headers, f, count);
  free (names);
  free (f);
  return rc;
}

/* Both server forms: @p socket NULL makes a memory-I/O connection. */
static SocketHTTP2_Conn_T
upgrade_server (Socket_T socket, const SocketHTTP_Request *initial_request, const unsigned char *settings_payload,
                size_t settings_len, Arena_T arena, SocketHTTP2_Stream_T *stream_out)
{
  SocketHTTP2_Config config;
  SocketHTTP2_Conn_T conn;
  SocketHTTP2_Stream_T s;
  SocketHTTP2_Setting st;
  size_t i;

  if (settings_payload_ok (settings_payload, settings_len) < 0)
    return NULL;
  SocketHTTP2_config_defaults (&config, HTTP2_ROLE_SERVER);
  conn = socket != NULL ? SocketHTTP2_Conn_new (socket, &config, arena) : SocketHTTP2Ext_Conn_new_io (&config, arena);
  for (i = 0; i < settings_len / 6; i++)
    {
      SocketHTTP2__setting_get (settings_payload, i, &st);
      if (st.id == HTTP2_SETTINGS_HEADER_TABLE_SIZE)
        SocketHPACK_Encoder_set_table_size (conn->encoder, st.value);
      if (st.id >= 1 && st.id <= HTTP2_SETTINGS_COUNT)
        conn->peer[st.id] = st.value;
    }
  s = SocketHTTP2__stream_create (conn, 1, 1);
  if (s == NULL || (initial_request != NULL && store_request (s, initial_request) < 0))
    {
      SocketHTTP2_Conn_free (&conn);
      return NULL;
    }
  s->state = HTTP2_STREAM_STATE_HALF_CLOSED_REMOTE;
  s->end_stream_received = 1;
  s->headers_done = 1;
  conn->max_peer_id = 1;
  conn->last_stream_id = 1;
  SocketHTTP2__ring_add (conn, 1);
  SocketHTTP2__ensure_started (conn);
  if (stream_out != NULL)
    *stream_out = s;
  return conn;
}

SocketHTTP2_Conn_T
SocketHTTP2_Conn_upgrade_server (Socket_T socket, const SocketHTTP_Request *initial_request,
                                 const unsigned char *settings_payload, size_t settings_len, Arena_T arena)
{
  return upgrade_server (socket, initial_request, settings_payload, settings_len, arena, NULL);
}

SocketHTTP2_Conn_T
SocketHTTP2Ext_Conn_upgrade_server_io (const SocketHTTP_Request *initial_request,
                                       const unsigned char *settings_payload, size_t settings_len, Arena_T arena,
                                       SocketHTTP2_Stream_T *stream1)
{
  return upgrade_server (NULL, initial_request, settings_payload, settings_len, arena, stream1);
}
