/*
 * SocketWS-deflate.c - permessage-deflate (RFC 7692) through zlib: raw
 * deflate streams per direction, context takeover on or off, window bits,
 * and the extension negotiation (offer, server choice, client check).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "socket/SocketWS-private.h"

#if SOCKETWS_DEFLATE
#include <zlib.h>

/* our compressor's direction: a server compresses server-to-client */
static int
send_no_takeover (const struct SocketWSExt_Codec *c)
{
  return c->server ? c->pmd.server_no_context_takeover : c->pmd.client_no_context_takeover;
}

static int
recv_no_takeover (const struct SocketWSExt_Codec *c)
{
  return c->server ? c->pmd.client_no_context_takeover : c->pmd.server_no_context_takeover;
}

int
SocketWS__deflate_init (struct SocketWSExt_Codec *c)
{
  z_stream *in = calloc (1, sizeof *in), *out = calloc (1, sizeof *out);
  int bits = c->server ? c->pmd.server_max_window_bits : c->pmd.client_max_window_bits;

  c->inflater = in;
  c->deflater = out;
  c->zout = malloc (SOCKETWS_INFLATE_CHUNK);
  if (!in || !out || !c->zout)
    return -1;
  /* zlib cannot make raw streams with an 8-bit window; negotiation never
   * agrees to 8 for our side, so bits is 9..15 here */
  if (bits < 9 || bits > 15)
    bits = 15;
  /* inflate always with the largest window: it reads any smaller one */
  if (inflateInit2 (in, -15) != Z_OK)
    {
      free (in);
      c->inflater = NULL;
      return -1;
    }
  if (deflateInit2 (out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      free (out);
      c->deflater = NULL;
      return -1;
    }
  return 0;
}

void
SocketWS__deflate_free (struct SocketWSExt_Codec *c)
{
  if (c->inflater)
    {
      inflateEnd (c->inflater);
      free (c->inflater);
    }
  if (c->deflater)
    {
      deflateEnd (c->deflater);
      free (c->deflater);
    }
  free (c->zout);
  free (c->zsend);
  c->inflater = c->deflater = NULL;
  c->zout = c->zsend = NULL;
}

int
SocketWS__inflate (struct SocketWSExt_Codec *c, const unsigned char *in, size_t in_len, size_t *used,
                   size_t *produced, int *more)
{
  z_stream *z = c->inflater;
  int rc;

  z->next_in = (Bytef *)in;
  z->avail_in = in_len > UINT32_MAX ? UINT32_MAX : (uInt)in_len;
  z->next_out = c->zout;
  z->avail_out = SOCKETWS_INFLATE_CHUNK;
  rc = inflate (z, Z_SYNC_FLUSH);
  *used = (size_t)(z->next_in - in);
  *produced = SOCKETWS_INFLATE_CHUNK - z->avail_out;
  *more = z->avail_out == 0;
  if (rc == Z_STREAM_END)
    {
      /* a block with BFINAL ends the stream; later data starts a new one */
      inflateReset (z);
      return 0;
    }
  if (rc == Z_OK || (rc == Z_BUF_ERROR && *used == 0 && *produced == 0))
    return 0;
  return -1;
}

void
SocketWS__inflate_end_message (struct SocketWSExt_Codec *c)
{
  if (recv_no_takeover (c))
    inflateReset (c->inflater);
}

static int
zsend_grow (struct SocketWSExt_Codec *c, size_t need)
{
  unsigned char *p;
  size_t cap = c->zsend_cap ? c->zsend_cap : 1024;

  if (need <= c->zsend_cap)
    return 0;
  while (cap < need)
    cap *= 2;
  p = realloc (c->zsend, cap);
  if (p == NULL)
    return -1;
  c->zsend = p;
  c->zsend_cap = cap;
  return 0;
}

int
SocketWS__deflate (struct SocketWSExt_Codec *c, const unsigned char *data, size_t len, int final, size_t *out_len)
{
  z_stream *z = c->deflater;
  size_t n = 0;
  int rc;

  if (zsend_grow (c, deflateBound (z, len) + 16) < 0)
    return -1;
  z->next_in = (Bytef *)data;
  z->avail_in = (uInt)len;
  do
    {
      if (c->zsend_cap - n < 64 && zsend_grow (c, c->zsend_cap * 2) < 0)
        return -1;
      z->next_out = c->zsend + n;
      z->avail_out = (uInt)(c->zsend_cap - n);
      rc = deflate (z, Z_SYNC_FLUSH);
      n = c->zsend_cap - z->avail_out;
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return -1;
    }
  while (z->avail_out == 0 || z->avail_in > 0);
  if (final)
    {
      if (n >= 4 && memcmp (c->zsend + n - 4, "\x00\x00\xff\xff", 4) == 0)
        n -= 4;
      if (n == 0)
        c->zsend[n++] = 0x00; /* an empty stored block once the tail is added back */
      if (send_no_takeover (c))
        deflateReset (z);
    }
  *out_len = n;
  return 0;
}

int
SocketWSExt_set_deflate_level (SocketWSExt_Codec_T c, int level)
{
  unsigned char scratch[16];
  z_stream *z;

  if (c == NULL || c->deflater == NULL || c->send_open || level < -1 || level > 9)
    return -1;
  z = c->deflater;
  /* every message ends with a sync flush, so nothing is pending and
   * deflateParams has nothing to emit; give it room all the same rather
   * than the stale pointers of the last message */
  z->next_in = NULL;
  z->avail_in = 0;
  z->next_out = scratch;
  z->avail_out = sizeof scratch;
  if (deflateParams (z, level, Z_DEFAULT_STRATEGY) != Z_OK || z->avail_out != sizeof scratch)
    return -1;
  return 0;
}

#else /* !SOCKETWS_DEFLATE */

int
SocketWSExt_set_deflate_level (SocketWSExt_Codec_T c, int level)
{
  (void)c;
  (void)level;
  return -1;
}

int
SocketWS__deflate_init (struct SocketWSExt_Codec *c)
{
  (void)c;
  return -1;
}

void
SocketWS__deflate_free (struct SocketWSExt_Codec *c)
{
  (void)c;
}

int
SocketWS__inflate (struct SocketWSExt_Codec *c, const unsigned char *in, size_t in_len, size_t *used,
                   size_t *produced, int *more)
{
  (void)c, (void)in, (void)in_len;
  *used = *produced = 0;
  *more = 0;
  return -1;
}

void
SocketWS__inflate_end_message (struct SocketWSExt_Codec *c)
{
  (void)c;
}

int
SocketWS__deflate (struct SocketWSExt_Codec *c, const unsigned char *data, size_t len, int final, size_t *out_len)
{
  (void)c, (void)data, (void)len, (void)final;
  *out_len = 0;
  return -1;
}
#endif

int
SocketWSExt_deflate_available (void)
{
  return SOCKETWS_DEFLATE;
}

/* ---------------------------------------------------------------- */
/* negotiation                                                      */
/* ---------------------------------------------------------------- */

/* One extension element: name and up to 8 parameters. */
typedef struct
{
  char name[32];
  struct
  {
    char key[32];
    char val[8];
    int has_val;
  } p[8];
  int np;
} ExtElem;

static const char *
skip_ws (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static int
is_tchar (int ch)
{
  return isalnum (ch) || (ch && strchr ("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* parse a token into dst (cap bytes); returns the end or NULL */
static const char *
parse_token (const char *s, char *dst, size_t cap)
{
  size_t n = 0;

  while (is_tchar ((unsigned char)*s))
    {
      if (n + 1 >= cap)
        return NULL;
      dst[n++] = *s++;
    }
  dst[n] = '\0';
  return n ? s : NULL;
}

/* parse one element from *sp; 1 ok, 0 malformed; *sp moves past the ',' */
static int
parse_elem (const char **sp, ExtElem *e)
{
  const char *s = skip_ws (*sp);

  memset (e, 0, sizeof *e);
  if ((s = parse_token (s, e->name, sizeof e->name)) == NULL)
    return 0;
  for (s = skip_ws (s); *s == ';'; s = skip_ws (s))
    {
      if (e->np == 8)
        return 0;
      s = skip_ws (s + 1);
      if ((s = parse_token (s, e->p[e->np].key, sizeof e->p[e->np].key)) == NULL)
        return 0;
      s = skip_ws (s);
      if (*s == '=')
        {
          s = skip_ws (s + 1);
          e->p[e->np].has_val = 1;
          if (*s == '"')
            {
              if ((s = parse_token (s + 1, e->p[e->np].val, sizeof e->p[e->np].val)) == NULL || *s != '"')
                return 0;
              s++;
            }
          else if ((s = parse_token (s, e->p[e->np].val, sizeof e->p[e->np].val)) == NULL)
            return 0;
        }
      e->np++;
    }
  if (*s == ',')
    s++;
  else if (*s != '\0')
    return 0;
  *sp = s;
  return 1;
}

/* 8..15 from a parameter value, else -1 */
static int
window_bits (const char *v)
{
  if (v[0] == '8' && v[1] == '\0')
    return 8;
  if (v[0] == '9' && v[1] == '\0')
    return 9;
  if (v[0] == '1' && v[1] >= '0' && v[1] <= '5' && v[2] == '\0')
    return 10 + (v[1] - '0');
  return -1;
}

/* read a permessage-deflate element's parameters; -1 on a duplicate or unknown one */
static int
read_params (const ExtElem *e, int *snct, int *cnct, int *smwb, int *cmwb, int *cmwb_bare)
{
  *snct = *cnct = 0;
  *smwb = *cmwb = -1;
  *cmwb_bare = 0;
  for (int i = 0; i < e->np; i++)
    {
      const char *k = e->p[i].key;
      if (strcmp (k, "server_no_context_takeover") == 0 && !e->p[i].has_val && !*snct)
        *snct = 1;
      else if (strcmp (k, "client_no_context_takeover") == 0 && !e->p[i].has_val && !*cnct)
        *cnct = 1;
      else if (strcmp (k, "server_max_window_bits") == 0 && e->p[i].has_val && *smwb < 0)
        {
          if ((*smwb = window_bits (e->p[i].val)) < 0)
            return -1;
        }
      else if (strcmp (k, "client_max_window_bits") == 0 && *cmwb < 0 && !*cmwb_bare)
        {
          if (!e->p[i].has_val)
            *cmwb_bare = 1;
          else if ((*cmwb = window_bits (e->p[i].val)) < 0)
            return -1;
        }
      else
        return -1;
    }
  return 0;
}

static int
config_bits (const SocketWS_Config *config)
{
  int b = config ? config->deflate_max_window_bits : 15;
  return b >= 9 && b <= 15 ? b : 15;
}

int
SocketWSExt_deflate_negotiate (const char *offer, const SocketWS_Config *config, SocketWSExt_Deflate *out)
{
  const char *s = offer;
  ExtElem e;

  memset (out, 0, sizeof *out);
  if (offer == NULL || !SOCKETWS_DEFLATE)
    return 0;
  while (*skip_ws (s) != '\0')
    {
      int snct, cnct, smwb, cmwb, bare;
      if (!parse_elem (&s, &e))
        return 0;
      if (strcasecmp (e.name, "permessage-deflate") != 0)
        continue;
      if (read_params (&e, &snct, &cnct, &smwb, &cmwb, &bare) < 0)
        continue;
      /* we compress server-to-client: zlib cannot honour a window of 8 */
      if (smwb == 8)
        continue;
      out->enabled = 1;
      out->server_no_context_takeover = snct || (config && config->deflate_no_context_takeover);
      out->client_no_context_takeover = cnct || (config && config->deflate_no_context_takeover);
      out->server_max_window_bits = smwb > 0 ? smwb : 15;
      /* the client's window limits what we must keep to inflate: we always
       * inflate with 15, so only ask for less when configured */
      out->client_max_window_bits = 15;
      if ((cmwb > 0 || bare) && config_bits (config) < 15)
        out->client_max_window_bits = cmwb > 0 && cmwb < config_bits (config) ? cmwb : config_bits (config);
      else if (cmwb > 0)
        out->client_max_window_bits = cmwb;
      return 1;
    }
  return 0;
}

int
SocketWSExt_deflate_accept_response (const char *response, const SocketWS_Config *config, SocketWSExt_Deflate *out)
{
  const char *s = response;
  ExtElem e;
  int snct, cnct, smwb, cmwb, bare;
  int offered_bits = config_bits (config);

  memset (out, 0, sizeof *out);
  if (response == NULL || !config || !config->enable_permessage_deflate || !SOCKETWS_DEFLATE)
    return 0;
  if (!parse_elem (&s, &e) || *skip_ws (s) != '\0')
    return 0; /* exactly one element: we offered only one */
  if (strcasecmp (e.name, "permessage-deflate") != 0)
    return 0;
  if (read_params (&e, &snct, &cnct, &smwb, &cmwb, &bare) < 0 || bare)
    return 0;
  /* client_max_window_bits only when we offered it, at most our value */
  if (cmwb > 0 && (offered_bits == 15 || cmwb > offered_bits))
    return 0;
  if (cmwb == 8)
    return 0; /* zlib cannot compress with an 8-bit raw window */
  out->enabled = 1;
  out->server_no_context_takeover = snct;
  out->client_no_context_takeover = cnct;
  out->server_max_window_bits = smwb > 0 ? smwb : 15;
  out->client_max_window_bits = cmwb > 0 ? cmwb : 15;
  return 1;
}

/* "permessage-deflate; ..." for a response (server) or an offer (client, out NULL) */
int
SocketWS__deflate_format (char *buf, size_t cap, const SocketWSExt_Deflate *d, const SocketWS_Config *offer)
{
  int n;

  if (d)
    n = snprintf (buf, cap, "permessage-deflate%s%s", d->server_no_context_takeover ? "; server_no_context_takeover" : "",
                  d->client_no_context_takeover ? "; client_no_context_takeover" : "");
  else
    n = snprintf (buf, cap, "permessage-deflate%s", offer->deflate_no_context_takeover ? "; client_no_context_takeover; server_no_context_takeover" : "");
  if (n < 0 || (size_t)n >= cap)
    return -1;
  if (d && d->server_max_window_bits < 15)
    n += snprintf (buf + n, cap - (size_t)n, "; server_max_window_bits=%d", d->server_max_window_bits);
  if (d && d->client_max_window_bits < 15)
    n += snprintf (buf + n, cap - (size_t)n, "; client_max_window_bits=%d", d->client_max_window_bits);
  if (!d && config_bits (offer) < 15)
    n += snprintf (buf + n, cap - (size_t)n, "; client_max_window_bits=%d", config_bits (offer));
  return (size_t)n < cap ? n : -1;
}
