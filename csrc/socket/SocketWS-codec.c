/*
 * SocketWS-codec.c - RFC 6455 framing without I/O: frame parsing with
 * in-place unmasking, streamed message delivery, control frames, the close
 * rules, incremental UTF-8 checks, limits, and the frame writer.
 */
#include <stdlib.h>
#include <string.h>

#include "core/SocketCrypto.h"
#include "socket/SocketWS-private.h"

static const unsigned char deflate_tail[4] = { 0x00, 0x00, 0xff, 0xff };

/* ---------------------------------------------------------------- */
/* masking                                                          */
/* ---------------------------------------------------------------- */

size_t
SocketWSExt_mask (unsigned char *data, size_t len, const unsigned char key[4], size_t key_offset)
{
  unsigned char k[8];
  uint64_t kw;
  size_t i = 0;

  for (int j = 0; j < 8; j++)
    k[j] = key[(key_offset + (size_t)j) & 3];
  memcpy (&kw, k, 8);
  /* four independent words per step: the loads/stores pipeline and GCC
   * turns the body into SIMD at -O2/-O3 */
  for (; i + 32 <= len; i += 32)
    {
      uint64_t w[4];
      memcpy (w, data + i, 32);
      w[0] ^= kw;
      w[1] ^= kw;
      w[2] ^= kw;
      w[3] ^= kw;
      memcpy (data + i, w, 32);
    }
  for (; i + 8 <= len; i += 8)
    {
      uint64_t w;
      memcpy (&w, data + i, 8);
      w ^= kw;
      memcpy (data + i, &w, 8);
    }
  for (; i < len; i++)
    data[i] ^= k[i & 3];
  return (key_offset + len) & 3;
}

int
SocketWSExt_close_code_valid (int code)
{
  if (code >= 3000 && code <= 4999)
    return 1;
  if (code < 1000 || code > 1014)
    return 0;
  return code != 1004 && code != 1005 && code != 1006;
}

/* ---------------------------------------------------------------- */
/* lifecycle                                                        */
/* ---------------------------------------------------------------- */

SocketWSExt_Codec_T
SocketWSExt_codec_new (const SocketWS_Config *config, const SocketWSExt_Deflate *deflate)
{
  struct SocketWSExt_Codec *c = calloc (1, sizeof *c);

  if (c == NULL)
    return NULL;
  if (config)
    c->cfg = *config;
  else
    SocketWS_config_defaults (&c->cfg);
  c->server = c->cfg.role == WS_ROLE_SERVER;
  c->in_cap = SOCKETWS_INPUT_INITIAL;
  c->in = malloc (c->in_cap);
  c->rnd_pos = sizeof c->rnd;
  SocketUTF8_init (&c->utf8);
  SocketUTF8_init (&c->send_utf8);
  if (c->in == NULL)
    goto fail;
  if (deflate && deflate->enabled)
    {
      c->pmd = *deflate;
      if (!SOCKETWS_DEFLATE || SocketWS__deflate_init (c) < 0)
        goto fail;
    }
  return c;
fail:
  SocketWSExt_codec_free (&c);
  return NULL;
}

void
SocketWSExt_codec_free (SocketWSExt_Codec_T *codec)
{
  struct SocketWSExt_Codec *c;

  if (codec == NULL || *codec == NULL)
    return;
  c = *codec;
  SocketWS__deflate_free (c);
  free (c->in);
  free (c->out);
  free (c->asm_buf);
  SocketCrypto_secure_clear (c->rnd, sizeof c->rnd);
  free (c);
  *codec = NULL;
}

/* ---------------------------------------------------------------- */
/* input buffer                                                     */
/* ---------------------------------------------------------------- */

static void
input_compact (struct SocketWSExt_Codec *c)
{
  if (c->in_start == 0)
    return;
  if (c->in_end > c->in_start)
    memmove (c->in, c->in + c->in_start, c->in_end - c->in_start);
  c->in_end -= c->in_start;
  c->in_start = 0;
}

void *
SocketWSExt_input_space (SocketWSExt_Codec_T c, size_t *space)
{
  if (c->in_start > 0 && (c->in_start == c->in_end || c->in_end > c->in_cap / 2))
    input_compact (c);
  /* grow when mostly full: large frames then arrive in large reads */
  if (c->in_cap - c->in_end < c->in_cap / 4 && c->in_cap < SOCKETWSEXT_INPUT_CAP)
    {
      unsigned char *p = realloc (c->in, c->in_cap * 2);
      if (p != NULL)
        {
          c->in = p;
          c->in_cap *= 2;
        }
    }
  *space = c->in_cap - c->in_end;
  return c->in + c->in_end;
}

void
SocketWSExt_input_commit (SocketWSExt_Codec_T c, size_t n)
{
  if (n > c->in_cap - c->in_end)
    n = c->in_cap - c->in_end;
  c->in_end += n;
}

size_t
SocketWSExt_input (SocketWSExt_Codec_T c, const void *data, size_t len)
{
  size_t space;
  void *dst = SocketWSExt_input_space (c, &space);

  if (len > space)
    len = space;
  if (len)
    memcpy (dst, data, len);
  c->in_end += len;
  return len;
}

size_t
SocketWSExt_input_pending (SocketWSExt_Codec_T c)
{
  return c->in_end - c->in_start;
}

/* ---------------------------------------------------------------- */
/* output and frame writer                                          */
/* ---------------------------------------------------------------- */

int
SocketWS__out_reserve (struct SocketWSExt_Codec *c, size_t n)
{
  size_t need, cap;
  unsigned char *p;

  if (c->out_start > 0 && (c->out_len == 0 || c->out_start + c->out_len + n > c->out_cap))
    {
      memmove (c->out, c->out + c->out_start, c->out_len);
      c->out_start = 0;
    }
  need = c->out_len + n;
  if (need < n)
    return -1;
  if (need <= c->out_cap)
    return 0;
  cap = c->out_cap ? c->out_cap : 4096;
  while (cap < need)
    {
      if (cap > SIZE_MAX / 2)
        return -1;
      cap *= 2;
    }
  p = realloc (c->out, cap);
  if (p == NULL)
    return -1;
  c->out = p;
  c->out_cap = cap;
  return 0;
}

const unsigned char *
SocketWSExt_output (SocketWSExt_Codec_T c, size_t *len)
{
  *len = c->out_len;
  return c->out_len ? c->out + c->out_start : NULL;
}

void
SocketWSExt_output_consumed (SocketWSExt_Codec_T c, size_t n)
{
  if (n > c->out_len)
    n = c->out_len;
  c->out_start += n;
  c->out_len -= n;
  if (c->out_len == 0)
    c->out_start = 0;
}

size_t
SocketWSExt_output_pending (SocketWSExt_Codec_T c)
{
  return c->out_len;
}

static int
next_mask_key (struct SocketWSExt_Codec *c, unsigned char key[4])
{
  if (c->rnd_pos + 4 > sizeof c->rnd)
    {
      if (SocketCrypto_random_bytes (c->rnd, sizeof c->rnd) != 0)
        return -1;
      c->rnd_pos = 0;
    }
  memcpy (key, c->rnd + c->rnd_pos, 4);
  c->rnd_pos += 4;
  return 0;
}

static int
write_frame (struct SocketWSExt_Codec *c, unsigned opcode, int fin, int rsv1, const unsigned char *payload,
             size_t len)
{
  unsigned char *h;
  size_t hl = 2;
  unsigned char key[4];

  if (SocketWS__out_reserve (c, len + 14) < 0)
    return -1;
  h = c->out + c->out_start + c->out_len;
  h[0] = (unsigned char)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0f));
  if (len < 126)
    h[1] = (unsigned char)len;
  else if (len <= 0xffff)
    {
      h[1] = 126;
      h[2] = (unsigned char)(len >> 8);
      h[3] = (unsigned char)len;
      hl = 4;
    }
  else
    {
      h[1] = 127;
      for (int i = 0; i < 8; i++)
        h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
      hl = 10;
    }
  if (!c->server)
    {
      if (next_mask_key (c, key) < 0)
        return -1;
      h[1] |= 0x80;
      memcpy (h + hl, key, 4);
      hl += 4;
    }
  if (len)
    memcpy (h + hl, payload, len);
  if (!c->server && len)
    SocketWSExt_mask (h + hl, len, key, 0);
  c->out_len += hl + len;
  return 0;
}

/* frames of at most max_frame_size; the first carries opcode and rsv1 */
static int
write_fragments (struct SocketWSExt_Codec *c, unsigned opcode, int first, int fin, int rsv1,
                 const unsigned char *data, size_t len)
{
  size_t chunk = c->cfg.max_frame_size ? c->cfg.max_frame_size : len;

  if (chunk == 0)
    chunk = 1;
  do
    {
      size_t n = len < chunk ? len : chunk;
      int last = n == len;
      if (write_frame (c, first ? opcode : WS_OPCODE_CONTINUATION, fin && last, first && rsv1, data, n) < 0)
        return -1;
      first = 0;
      if (n == 0)
        break; /* data may be NULL for an empty message */
      data += n;
      len -= n;
    }
  while (len > 0);
  return 0;
}

/* ---------------------------------------------------------------- */
/* sending                                                          */
/* ---------------------------------------------------------------- */

static SocketWS_Error
send_check (struct SocketWSExt_Codec *c, size_t len)
{
  if (c->close_sent || c->failed)
    return WS_ERROR_CLOSED;
  if (len > c->cfg.max_message_size)
    return WS_ERROR_MESSAGE_TOO_LARGE;
  return WS_OK;
}

SocketWS_Error
SocketWSExt_send_message (SocketWSExt_Codec_T c, SocketWS_Opcode opcode, const void *data, size_t len)
{
  SocketWS_Error e = send_check (c, len);
  const unsigned char *p = data;

  if (e != WS_OK)
    return e;
  if ((opcode != WS_OPCODE_TEXT && opcode != WS_OPCODE_BINARY) || c->send_open || (len && !data))
    return WS_ERROR_PROTOCOL;
  if (opcode == WS_OPCODE_TEXT && c->cfg.validate_utf8 && SocketUTF8_validate (p, len) != UTF8_VALID)
    return WS_ERROR_INVALID_UTF8;
  if (c->pmd.enabled)
    {
      size_t zl;
      if (SocketWS__deflate (c, p, len, 1, &zl) < 0)
        return WS_ERROR_COMPRESSION;
      return write_fragments (c, opcode, 1, 1, 1, c->zsend, zl) < 0 ? WS_ERROR : WS_OK;
    }
  return write_fragments (c, opcode, 1, 1, 0, p, len) < 0 ? WS_ERROR : WS_OK;
}

SocketWS_Error
SocketWSExt_send_begin (SocketWSExt_Codec_T c, SocketWS_Opcode opcode)
{
  SocketWS_Error e = send_check (c, 0);

  if (e != WS_OK)
    return e;
  if ((opcode != WS_OPCODE_TEXT && opcode != WS_OPCODE_BINARY) || c->send_open)
    return WS_ERROR_PROTOCOL;
  c->send_open = 1;
  c->send_first = 1;
  c->send_opcode = opcode;
  SocketUTF8_init (&c->send_utf8);
  return WS_OK;
}

static SocketWS_Error
send_part (struct SocketWSExt_Codec *c, const void *data, size_t len, int fin)
{
  const unsigned char *p = data;
  SocketWS_Error e = send_check (c, 0);
  int first = c->send_first;

  if (e != WS_OK)
    return e;
  if (!c->send_open || (len && !data))
    return WS_ERROR_PROTOCOL;
  if (c->send_opcode == WS_OPCODE_TEXT && c->cfg.validate_utf8)
    {
      SocketUTF8_Result r = SocketUTF8_update (&c->send_utf8, p, len);
      if (r != UTF8_VALID && (fin || r != UTF8_INCOMPLETE))
        return WS_ERROR_INVALID_UTF8;
    }
  if (c->pmd.enabled)
    {
      size_t zl;
      if (SocketWS__deflate (c, p, len, fin, &zl) < 0)
        return WS_ERROR_COMPRESSION;
      p = c->zsend;
      len = zl;
    }
  if (write_fragments (c, c->send_opcode, first, fin, c->pmd.enabled, p, len) < 0)
    return WS_ERROR;
  c->send_first = 0;
  if (fin)
    c->send_open = 0;
  return WS_OK;
}

SocketWS_Error
SocketWSExt_send_continue (SocketWSExt_Codec_T c, const void *data, size_t len)
{
  return send_part (c, data, len, 0);
}

SocketWS_Error
SocketWSExt_send_finish (SocketWSExt_Codec_T c, const void *data, size_t len)
{
  return send_part (c, data, len, 1);
}

static SocketWS_Error
send_control (struct SocketWSExt_Codec *c, unsigned opcode, const void *data, size_t len)
{
  if (c->close_sent || c->failed)
    return WS_ERROR_CLOSED;
  if (len > 125 || (len && !data))
    return WS_ERROR_PROTOCOL;
  return write_frame (c, opcode, 1, 0, data, len) < 0 ? WS_ERROR : WS_OK;
}

SocketWS_Error
SocketWSExt_send_ping (SocketWSExt_Codec_T c, const void *data, size_t len)
{
  return send_control (c, WS_OPCODE_PING, data, len);
}

SocketWS_Error
SocketWSExt_send_pong (SocketWSExt_Codec_T c, const void *data, size_t len)
{
  return send_control (c, WS_OPCODE_PONG, data, len);
}

/* longest prefix of at most max bytes that does not cut a UTF-8 sequence */
static size_t
utf8_cut (const char *s, size_t len, size_t max)
{
  if (len <= max)
    return len;
  len = max;
  while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
    len--;
  return len;
}

SocketWS_Error
SocketWSExt_send_close (SocketWSExt_Codec_T c, int code, const char *reason, size_t reason_len)
{
  unsigned char p[125];
  size_t n = 0;

  if (c->close_sent)
    return WS_OK;
  if (code != 0 && code != WS_CLOSE_NO_STATUS && !SocketWSExt_close_code_valid (code))
    return WS_ERROR_PROTOCOL;
  if (reason == NULL)
    reason_len = 0;
  if (code != 0 && code != WS_CLOSE_NO_STATUS)
    {
      reason_len = utf8_cut (reason, reason_len, 123);
      p[0] = (unsigned char)(code >> 8);
      p[1] = (unsigned char)code;
      if (reason_len)
        memcpy (p + 2, reason, reason_len);
      n = 2 + reason_len;
    }
  if (write_frame (c, WS_OPCODE_CLOSE, 1, 0, p, n) < 0)
    return WS_ERROR;
  c->close_sent = 1;
  return WS_OK;
}

/* ---------------------------------------------------------------- */
/* receiving                                                        */
/* ---------------------------------------------------------------- */

static int
fail (struct SocketWSExt_Codec *c, int code, SocketWS_Error err, SocketWSExt_Event *ev)
{
  if (!c->close_sent)
    SocketWSExt_send_close (c, code, NULL, 0);
  c->failed = 1;
  c->close_code = code;
  c->error = err;
  memset (ev, 0, sizeof *ev);
  ev->type = WSEXT_EV_ERROR;
  ev->close_code = code;
  ev->error = err;
  return 1;
}

/* parse a frame header at in_start; 1 parsed, 0 need more, -1 failed (ev set) */
static int
parse_header (struct SocketWSExt_Codec *c, SocketWSExt_Event *ev, int *started)
{
  const unsigned char *h = c->in + c->in_start;
  size_t avail = c->in_end - c->in_start, hl = 2;
  unsigned op, rsv;
  uint64_t len;
  int masked, fin;

  *started = 0;
  if (avail < 2)
    return 0;
  fin = h[0] >> 7;
  rsv = (h[0] >> 4) & 7;
  op = h[0] & 0x0f;
  masked = h[1] >> 7;
  len = h[1] & 0x7f;
  if (len == 126)
    hl += 2;
  else if (len == 127)
    hl += 8;
  if (masked)
    hl += 4;
  if (avail < hl)
    return 0;
  if (len == 126)
    {
      len = (uint64_t)h[2] << 8 | h[3];
      if (len < 126)
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
    }
  else if (len == 127)
    {
      len = 0;
      for (int i = 0; i < 8; i++)
        len = len << 8 | h[2 + i];
      if (len >> 63 || len <= 0xffff)
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
    }
  if (op > 2 && (op < 8 || op > 10))
    return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
  if ((rsv & 3) || ((rsv & 4) && (!c->pmd.enabled || op == 0 || op >= 8)))
    return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
  if (masked != c->server)
    return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
  if (op >= 8)
    {
      if (!fin || len > 125)
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
    }
  else
    {
      if ((op == 0) != (c->in_message != 0))
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev), -1;
      if (c->cfg.max_frame_size && len > c->cfg.max_frame_size)
        return fail (c, WS_CLOSE_MESSAGE_TOO_BIG, WS_ERROR_FRAME_TOO_LARGE, ev), -1;
      if (op != 0)
        {
          c->in_message = 1;
          c->msg_opcode = op;
          c->msg_compressed = (rsv & 4) != 0;
          c->msg_len = 0;
          c->msg_frames = 1;
          c->tail_fed = 0;
          SocketUTF8_init (&c->utf8);
          *started = 1;
        }
      else if (++c->msg_frames > c->cfg.max_fragments && c->cfg.max_fragments)
        return fail (c, WS_CLOSE_MESSAGE_TOO_BIG, WS_ERROR_MESSAGE_TOO_LARGE, ev), -1;
      if (!c->msg_compressed && c->msg_len + len > c->cfg.max_message_size)
        return fail (c, WS_CLOSE_MESSAGE_TOO_BIG, WS_ERROR_MESSAGE_TOO_LARGE, ev), -1;
    }
  c->in_frame = 1;
  c->opcode = op;
  c->fin = fin;
  c->masked = masked;
  if (masked)
    memcpy (c->mask, h + hl - 4, 4);
  c->mask_off = 0;
  c->remaining = len;
  c->pre_unmasked = 0;
  c->in_start += hl;
  return 1;
}

/* a complete control frame's payload is in the buffer: act on it */
static int
control_frame (struct SocketWSExt_Codec *c, SocketWSExt_Event *ev)
{
  size_t n = (size_t)c->remaining;
  unsigned char *p = c->ctrl;

  memcpy (p, c->in + c->in_start, n);
  if (c->masked)
    SocketWSExt_mask (p, n, c->mask, 0);
  c->in_start += n;
  c->in_frame = 0;
  memset (ev, 0, sizeof *ev);
  ev->opcode = (SocketWS_Opcode)c->opcode;
  ev->data = p;
  ev->len = n;
  if (c->opcode == WS_OPCODE_PING)
    {
      ev->type = WSEXT_EV_PING;
      if (!c->close_sent && write_frame (c, WS_OPCODE_PONG, 1, 0, p, n) < 0)
        return fail (c, WS_CLOSE_INTERNAL_ERROR, WS_ERROR, ev);
      return 1;
    }
  if (c->opcode == WS_OPCODE_PONG)
    {
      ev->type = WSEXT_EV_PONG;
      c->pongs++;
      return 1;
    }
  /* CLOSE */
  if (n == 1)
    return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev);
  c->close_code = WS_CLOSE_NO_STATUS;
  c->close_reason[0] = '\0';
  if (n >= 2)
    {
      int code = p[0] << 8 | p[1];
      if (!SocketWSExt_close_code_valid (code))
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_PROTOCOL, ev);
      if (SocketUTF8_validate (p + 2, n - 2) != UTF8_VALID)
        return fail (c, WS_CLOSE_INVALID_PAYLOAD, WS_ERROR_INVALID_UTF8, ev);
      c->close_code = code;
      memcpy (c->close_reason, p + 2, n - 2);
      c->close_reason[n - 2] = '\0';
    }
  c->close_received = 1;
  if (!c->close_sent)
    SocketWSExt_send_close (c, c->close_code, c->close_reason, n >= 2 ? n - 2 : 0);
  ev->type = WSEXT_EV_CLOSE;
  ev->close_code = c->close_code;
  ev->data = (const unsigned char *)c->close_reason;
  ev->len = n >= 2 ? n - 2 : 0;
  return 1;
}

/* checks on delivered message bytes; 0 ok, else fail() was called */
static int
check_data (struct SocketWSExt_Codec *c, const unsigned char *p, size_t n, int last, SocketWSExt_Event *ev)
{
  if (c->msg_compressed)
    {
      if (c->msg_len + n > c->cfg.max_message_size)
        return fail (c, WS_CLOSE_MESSAGE_TOO_BIG, WS_ERROR_MESSAGE_TOO_LARGE, ev);
    }
  c->msg_len += n;
  if (c->msg_opcode == WS_OPCODE_TEXT && c->cfg.validate_utf8)
    {
      SocketUTF8_Result r = n ? SocketUTF8_update (&c->utf8, p, n) : SocketUTF8_finish (&c->utf8);
      if (r != UTF8_VALID && (last || r != UTF8_INCOMPLETE))
        return fail (c, WS_CLOSE_INVALID_PAYLOAD, WS_ERROR_INVALID_UTF8, ev);
      if (last && n && SocketUTF8_finish (&c->utf8) != UTF8_VALID)
        return fail (c, WS_CLOSE_INVALID_PAYLOAD, WS_ERROR_INVALID_UTF8, ev);
    }
  return 0;
}

static void
data_event (SocketWSExt_Event *ev, unsigned op, const unsigned char *p, size_t n)
{
  memset (ev, 0, sizeof *ev);
  ev->type = WSEXT_EV_DATA;
  ev->opcode = (SocketWS_Opcode)op;
  ev->data = p;
  ev->len = n;
}

/* plain data frame bytes; 1 event, 0 need more */
static int
plain_data (struct SocketWSExt_Codec *c, SocketWSExt_Event *ev)
{
  size_t avail = c->in_end - c->in_start;
  size_t n = c->remaining < avail ? (size_t)c->remaining : avail;
  unsigned char *p = c->in + c->in_start;
  int frame_done, last;

  if (n == 0 && c->remaining > 0)
    return 0;
  if (c->masked && n)
    c->mask_off = SocketWSExt_mask (p, n, c->mask, c->mask_off);
  c->in_start += n;
  c->remaining -= n;
  frame_done = c->remaining == 0;
  last = frame_done && c->fin;
  if (frame_done)
    c->in_frame = 0;
  if (check_data (c, p, n, last, ev))
    return 1;
  if (last)
    c->pending_end = 1;
  if (n == 0)
    return -1; /* empty frame: nothing to report, go on */
  data_event (ev, c->msg_opcode, p, n);
  return 1;
}

/* compressed data frame bytes through inflate; 1 event, 0 need more, -1 go on */
static int
compressed_data (struct SocketWSExt_Codec *c, SocketWSExt_Event *ev)
{
  size_t avail = c->in_end - c->in_start;
  size_t n = c->remaining < avail ? (size_t)c->remaining : avail;
  unsigned char *p = c->in + c->in_start;
  size_t used = 0, produced = 0;
  int more = 0, last;

  if (c->in_frame)
    {
      if (n == 0 && c->remaining > 0)
        return 0;
      if (c->masked && n > c->pre_unmasked)
        {
          c->mask_off = SocketWSExt_mask (p + c->pre_unmasked, n - c->pre_unmasked, c->mask, c->mask_off);
          c->pre_unmasked = n;
        }
      if (SocketWS__inflate (c, p, n, &used, &produced, &more) < 0)
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_COMPRESSION, ev);
      c->in_start += used;
      c->remaining -= used;
      c->pre_unmasked -= used;
      if (c->remaining == 0)
        c->in_frame = 0;
      last = 0;
    }
  else
    {
      /* final frame consumed: flush with the 00 00 ff ff tail RFC 7692 strips */
      if (SocketWS__inflate (c, deflate_tail + c->tail_fed, 4 - c->tail_fed, &used, &produced, &more) < 0)
        return fail (c, WS_CLOSE_PROTOCOL_ERROR, WS_ERROR_COMPRESSION, ev);
      c->tail_fed += (unsigned)used;
      last = c->tail_fed == 4 && !more;
    }
  if (check_data (c, c->zout, produced, last, ev))
    return 1;
  if (last)
    {
      c->pending_end = 1;
      SocketWS__inflate_end_message (c);
    }
  if (produced == 0)
    {
      if (c->in_frame && used == 0 && !more)
        return 0;
      return -1;
    }
  data_event (ev, c->msg_opcode, c->zout, produced);
  return 1;
}

int
SocketWSExt_next_event (SocketWSExt_Codec_T c, SocketWSExt_Event *ev)
{
  for (;;)
    {
      int r, started;

      if (c->failed || c->close_received)
        return 0;
      if (c->pending_end)
        {
          c->pending_end = 0;
          c->in_message = 0;
          memset (ev, 0, sizeof *ev);
          ev->type = WSEXT_EV_MESSAGE_END;
          ev->opcode = (SocketWS_Opcode)c->msg_opcode;
          return 1;
        }
      if (!c->in_frame)
        {
          if (c->in_message && c->msg_compressed && c->fin && c->opcode < 8 && c->tail_fed < 4)
            {
              /* the final compressed frame is consumed: flush inflate */
              r = compressed_data (c, ev);
              if (r >= 0)
                return r;
              continue;
            }
          r = parse_header (c, ev, &started);
          if (r == 0)
            return 0;
          if (r < 0)
            return 1;
          if (started)
            {
              memset (ev, 0, sizeof *ev);
              ev->type = WSEXT_EV_MESSAGE_START;
              ev->opcode = (SocketWS_Opcode)c->msg_opcode;
              return 1;
            }
        }
      if (c->opcode >= 8)
        {
          if (c->in_end - c->in_start < c->remaining)
            return 0;
          return control_frame (c, ev);
        }
      r = c->msg_compressed ? compressed_data (c, ev) : plain_data (c, ev);
      if (r >= 0)
        return r;
    }
}

static int
asm_append (struct SocketWSExt_Codec *c, const unsigned char *p, size_t n)
{
  if (c->asm_len + n + 1 > c->asm_cap)
    {
      size_t cap = c->asm_cap ? c->asm_cap : 256;
      unsigned char *b;
      while (cap < c->asm_len + n + 1)
        cap *= 2;
      b = realloc (c->asm_buf, cap);
      if (b == NULL)
        return -1;
      c->asm_buf = b;
      c->asm_cap = cap;
    }
  memcpy (c->asm_buf + c->asm_len, p, n);
  c->asm_len += n;
  return 0;
}

int
SocketWSExt_next_message (SocketWSExt_Codec_T c, SocketWS_Message *msg)
{
  SocketWSExt_Event ev;

  memset (msg, 0, sizeof *msg);
  while (SocketWSExt_next_event (c, &ev))
    {
      switch (ev.type)
        {
        case WSEXT_EV_MESSAGE_START:
          c->asm_len = 0;
          c->asm_opcode = ev.opcode;
          break;
        case WSEXT_EV_DATA:
          if (asm_append (c, ev.data, ev.len) < 0)
            {
              fail (c, WS_CLOSE_INTERNAL_ERROR, WS_ERROR, &ev);
              return -1;
            }
          break;
        case WSEXT_EV_MESSAGE_END:
          if (c->asm_buf == NULL && asm_append (c, (const unsigned char *)"", 0) < 0)
            {
              fail (c, WS_CLOSE_INTERNAL_ERROR, WS_ERROR, &ev);
              return -1;
            }
          c->asm_buf[c->asm_len] = '\0';
          msg->type = (SocketWS_Opcode)c->asm_opcode;
          msg->data = c->asm_buf;
          msg->len = c->asm_len;
          /* the buffer goes to the caller; the next message starts a new one */
          c->asm_buf = NULL;
          c->asm_cap = c->asm_len = 0;
          return 1;
        case WSEXT_EV_ERROR:
        case WSEXT_EV_CLOSE:
          return -1;
        default:
          break;
        }
    }
  return (c->failed || c->close_received) ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* accessors                                                        */
/* ---------------------------------------------------------------- */

int
SocketWSExt_close_sent (SocketWSExt_Codec_T c)
{
  return c->close_sent;
}

int
SocketWSExt_close_received (SocketWSExt_Codec_T c)
{
  return c->close_received;
}

int
SocketWSExt_close_code (SocketWSExt_Codec_T c)
{
  return c->close_code;
}

const char *
SocketWSExt_close_reason (SocketWSExt_Codec_T c)
{
  return c->close_reason;
}

SocketWS_Error
SocketWSExt_error (SocketWSExt_Codec_T c)
{
  return c->error;
}

unsigned long
SocketWSExt_pongs_received (SocketWSExt_Codec_T c)
{
  return c->pongs;
}
