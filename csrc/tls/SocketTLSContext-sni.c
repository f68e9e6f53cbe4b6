/*
 * SocketTLSContext-sni.c - SNI virtual hosting (RFC 6066 section 3) and
 * ALPN (RFC 7301) on TLS contexts.
 *
 * SNI: per-name certificates are kept as X509/EVP_PKEY objects and put on
 * the connection in the servername callback (SSL_use_cert_and_key), so
 * every other setting of the context still applies.
 */
#ifdef SOCKET_HAS_TLS

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "tls/SocketTLS-private.h"

/* ------------------------------------------------------------------ */
/* Host names                                                         */
/* ------------------------------------------------------------------ */

int
SocketTLS__valid_dns_name (const char *name, int allow_wildcard)
{
  size_t len, label = 0, labels = 1;

  if (name == NULL)
    return 0;
  len = strlen (name);
  if (len == 0 || len > SOCKET_TLS_MAX_SNI_LEN)
    return 0;
  if (allow_wildcard && name[0] == '*' && name[1] == '.')
    {
      name += 2; /* "*.a.b": the rest needs two labels or more */
      if (strchr (name, '.') == NULL)
        return 0;
    }
  for (const char *p = name; *p; p++)
    {
      if (*p == '.')
        {
          if (label == 0)
            return 0;
          label = 0;
          labels++;
          continue;
        }
      if (!isalnum ((unsigned char)*p) && *p != '-' && *p != '_')
        return 0;
      if (++label > SOCKET_TLS_MAX_LABEL_LEN)
        return 0;
    }
  return label > 0 && labels > 0;
}

/* ------------------------------------------------------------------ */
/* SNI certificates                                                   */
/* ------------------------------------------------------------------ */

static EVP_PKEY *
read_key (const char *path)
{
  BIO *bio = BIO_new_file (path, "r");
  EVP_PKEY *key;

  if (bio == NULL)
    return NULL;
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, (void *)"");
  BIO_free (bio);
  return key;
}

static void
entry_free (SocketTLS_SniEntry *e)
{
  free (e->host);
  X509_free (e->cert);
  EVP_PKEY_free (e->key);
  sk_X509_pop_free (e->chain, X509_free);
}

void
SocketTLS__sni_free (SocketTLSContext_T ctx)
{
  for (size_t i = 0; i < ctx->sni_count; i++)
    entry_free (&ctx->sni[i]);
  free (ctx->sni);
  ctx->sni = NULL;
  ctx->sni_count = ctx->sni_cap = 0;
}

static SocketTLS_SniEntry *
find_exact (SocketTLSContext_T ctx, const char *name)
{
  for (size_t i = 0; i < ctx->sni_count; i++)
    if (strcasecmp (ctx->sni[i].host, name) == 0)
      return &ctx->sni[i];
  return NULL;
}

/* Exact name first; then "*.rest" for "label.rest" (one label only). */
static SocketTLS_SniEntry *
sni_find (SocketTLSContext_T ctx, const char *name)
{
  SocketTLS_SniEntry *e = find_exact (ctx, name);
  const char *dot = strchr (name, '.');

  if (e != NULL || dot == NULL || dot == name || dot[1] == '\0')
    return e;
  for (size_t i = 0; i < ctx->sni_count; i++)
    {
      const char *h = ctx->sni[i].host;
      if (h[0] == '*' && strcasecmp (h + 1, dot) == 0)
        return &ctx->sni[i];
    }
  return NULL;
}

static void
check_sni_args (SocketTLSContext_T ctx, const char *hostname, const char *op)
{
  (void)op;
  if (!SocketTLS__valid_dns_name (hostname, 1))
    TLS_RAISE (SocketTLS_Failed, "Invalid SNI hostname format or length");
  /* A repeated name is accepted, as in the original; the first entry
   * keeps serving it. */
  if (ctx->sni_count >= SOCKET_TLS_MAX_SNI_CERTS)
    TLS_RAISE (SocketTLS_Failed, "Too many SNI certificates");
}

static int
grow_sni (SocketTLSContext_T ctx)
{
  size_t cap;
  SocketTLS_SniEntry *p;

  if (ctx->sni_count < ctx->sni_cap)
    return 0;
  cap = ctx->sni_cap ? ctx->sni_cap * 2 : SOCKET_TLS_SNI_INITIAL_CAPACITY;
  p = realloc (ctx->sni, cap * sizeof *p);
  if (p == NULL)
    return -1;
  ctx->sni = p;
  ctx->sni_cap = cap;
  return 0;
}

void
SocketTLSContext_add_certificate (SocketTLSContext_T ctx, const char *hostname,
                                  const char *cert_file, const char *key_file)
{
  static const char op[] = "SocketTLSContext_add_certificate";
  SocketTLS_SniEntry e = { 0 };
  STACK_OF (X509) * certs;

  SocketTLS__check_ctx (ctx, op);
  if (!ctx->is_server)
    TLS_RAISE (SocketTLS_Failed,
               "SNI certificates only supported for server contexts");
  if (hostname == NULL)
    {
      SocketTLSContext_load_certificate (ctx, cert_file, key_file);
      return;
    }
  check_sni_args (ctx, hostname, op);
  SocketTLS__check_path (key_file, op);
  certs = SocketTLS__read_certs (cert_file, op); /* raises */
  e.key = read_key (key_file);
  if (e.key == NULL)
    {
      sk_X509_pop_free (certs, X509_free);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: cannot load private key '%s'", op,
                     key_file);
    }
  SocketTLS__sni_add (ctx, hostname, certs, e.key, op);
}

void
SocketTLS__sni_add (SocketTLSContext_T ctx, const char *hostname,
                    STACK_OF (X509) * certs, EVP_PKEY *key, const char *op)
{
  SocketTLS_SniEntry e = { 0 };

  e.cert = sk_X509_shift (certs);
  e.chain = certs;
  e.key = key;
  if (!ctx->is_server)
    {
      entry_free (&e);
      TLS_RAISE (SocketTLS_Failed,
                 "SNI certificates only supported for server contexts");
    }
  TRY check_sni_args (ctx, hostname, op);
  ELSE
  {
    entry_free (&e);
    RERAISE;
  }
  END_TRY;
  if (e.cert == NULL || X509_check_private_key (e.cert, e.key) != 1)
    {
      entry_free (&e);
      TLS_RAISE_SSL (SocketTLS_Failed,
                     "%s: private key does not match certificate for '%s'",
                     op, hostname);
    }
  e.host = strdup (hostname);
  if (e.host == NULL || grow_sni (ctx) != 0)
    {
      entry_free (&e);
      TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
    }
  for (char *p = e.host; *p; p++)
    *p = (char)tolower ((unsigned char)*p);
  ctx->sni[ctx->sni_count++] = e;
}

int
SocketTLS__sni_cb (SSL *ssl, int *alert, void *arg)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);
  const char *name = SSL_get_servername (ssl, TLSEXT_NAMETYPE_host_name);
  SocketTLS_SniEntry *e;

  (void)arg;
  if (ctx == NULL || name == NULL || ctx->sni_count == 0)
    return SSL_TLSEXT_ERR_OK;
  e = sni_find (ctx, name);
  if (e == NULL)
    return SSL_TLSEXT_ERR_OK; /* default certificate */
  if (SSL_use_cert_and_key (ssl, e->cert, e->key, e->chain, 1) != 1)
    {
      *alert = SSL_AD_INTERNAL_ERROR;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
  return SSL_TLSEXT_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* ALPN                                                               */
/* ------------------------------------------------------------------ */

/* Number of entries of a well-formed protocol list, or -1. */
static int
wire_count (const unsigned char *in, unsigned inlen)
{
  int n = 0;

  for (unsigned i = 0; i < inlen; i += 1u + in[i], n++)
    if (in[i] == 0 || i + 1u + in[i] > inlen)
      return -1;
  return n;
}

/* Find @p proto (length @p len) in the client list; pointer into @p in. */
static const unsigned char *
wire_find (const unsigned char *in, unsigned inlen, const unsigned char *proto,
           size_t len)
{
  for (unsigned i = 0; i < inlen; i += 1u + in[i])
    if (in[i] == len && memcmp (in + i + 1, proto, len) == 0)
      return in + i;
  return NULL;
}

/* Hand the client's list to the user callback as C strings. */
static int
select_by_callback (SocketTLSContext_T ctx, const unsigned char **out,
                    unsigned char *outlen, const unsigned char *in,
                    unsigned inlen, int count)
{
  const char **protos = malloc ((size_t)count * sizeof *protos);
  char *strs = malloc (inlen);
  const char *volatile pick = NULL;
  const unsigned char *hit = NULL;

  if (protos != NULL && strs != NULL)
    {
      for (unsigned i = 0, k = 0; i < inlen; i += 1u + in[i], k++)
        {
          memcpy (strs + i, in + i + 1, in[i]);
          strs[i + in[i]] = '\0';
          protos[k] = strs + i;
        }
      TRY pick = ctx->alpn_cb (protos, (size_t)count, ctx->alpn_ud);
      ELSE pick = NULL;
      END_TRY;
      if (pick != NULL)
        hit = wire_find (in, inlen, (const unsigned char *)pick,
                         strlen ((const char *)pick));
    }
  free (protos);
  free (strs);
  if (hit == NULL)
    return SSL_TLSEXT_ERR_NOACK;
  *out = hit + 1;
  *outlen = hit[0];
  return SSL_TLSEXT_ERR_OK;
}

static int
alpn_select_cb (SSL *ssl, const unsigned char **out, unsigned char *outlen,
                const unsigned char *in, unsigned int inlen, void *arg)
{
  SocketTLSContext_T ctx = SocketTLS__ctx_of (ssl);
  int count = wire_count (in, inlen);

  (void)arg;
  if (ctx == NULL || count <= 0)
    return SSL_TLSEXT_ERR_NOACK;
  if (ctx->alpn_cb != NULL)
    return select_by_callback (ctx, out, outlen, in, inlen, count);
  if (ctx->alpn == NULL)
    return SSL_TLSEXT_ERR_NOACK;
  /* Server preference order. No overlap: the handshake goes on without
   * ALPN, as in the original (no no_application_protocol alert). */
  for (size_t i = 0; i < ctx->alpn_len; i += 1u + ctx->alpn[i])
    {
      const unsigned char *hit
          = wire_find (in, inlen, ctx->alpn + i + 1, ctx->alpn[i]);
      if (hit != NULL)
        {
          *out = hit + 1;
          *outlen = hit[0];
          return SSL_TLSEXT_ERR_OK;
        }
    }
  return SSL_TLSEXT_ERR_NOACK;
}

/* Build the wire form of @p protos; raises on invalid input. */
static unsigned char *
build_wire (const char **protos, size_t count, size_t *len_out, const char *op)
{
  size_t total = 0;
  unsigned char *wire, *p;

  if (count > SOCKET_TLS_MAX_ALPN_PROTOCOLS)
    TLS_RAISE (SocketTLS_Failed, "Too many ALPN protocols");
  if (protos == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: NULL protocol list", op);
  for (size_t i = 0; i < count; i++)
    {
      size_t n = protos[i] ? strlen (protos[i]) : 0;
      if (n == 0 || n > SOCKET_TLS_MAX_ALPN_LEN)
        TLS_RAISE (SocketTLS_Failed, "Invalid ALPN protocol length");
      total += 1 + n;
    }
  wire = malloc (total);
  if (wire == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
  p = wire;
  for (size_t i = 0; i < count; i++)
    {
      size_t n = strlen (protos[i]);
      *p++ = (unsigned char)n;
      memcpy (p, protos[i], n);
      p += n;
    }
  *len_out = total;
  return wire;
}

void
SocketTLSContext_set_alpn_protos (SocketTLSContext_T ctx, const char **protos,
                                  size_t count)
{
  static const char op[] = "SocketTLSContext_set_alpn_protos";
  unsigned char *wire;
  size_t len;

  SocketTLS__check_ctx (ctx, op);
  if (count == 0) /* a no-op, as in the original */
    return;
  wire = build_wire (protos, count, &len, op);
  /* SSL_CTX_set_alpn_protos returns 0 on success. */
  if (!ctx->is_server
      && SSL_CTX_set_alpn_protos (ctx->ssl_ctx, wire, (unsigned)len) != 0)
    {
      free (wire);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: failed", op);
    }
  free (ctx->alpn);
  ctx->alpn = wire;
  ctx->alpn_len = len;
  if (ctx->is_server)
    SSL_CTX_set_alpn_select_cb (ctx->ssl_ctx, alpn_select_cb, NULL);
}

void
SocketTLSContext_set_alpn_callback (SocketTLSContext_T ctx,
                                    SocketTLSAlpnCallback callback,
                                    void *user_data)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_set_alpn_callback");
  ctx->alpn_cb = callback;
  ctx->alpn_ud = user_data;
  if (ctx->is_server)
    SSL_CTX_set_alpn_select_cb (ctx->ssl_ctx, alpn_select_cb, NULL);
}

#endif /* SOCKET_HAS_TLS */
