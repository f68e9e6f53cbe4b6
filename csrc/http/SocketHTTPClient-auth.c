/*
 * SocketHTTPClient-auth.c - Authorization values for the client: Basic
 * (RFC 7617), Bearer (RFC 6750) and Digest (RFC 7616, MD5 and SHA-256 and
 * their -sess forms, qop "auth", userhash), plus the parser of the 401
 * response's WWW-Authenticate challenges (RFC 9110 §11.6.1).
 *
 * The challenge grammar reuses ',' both between a challenge's parameters
 * and between challenges, so the parser decides per item: "token =" is a
 * parameter, a bare token is the next challenge's scheme, and a token
 * followed only by '=' padding right after a scheme is a token68. Input is
 * untrusted: each value and each parameter is bounded, a challenge with an
 * over-long or repeated parameter is unusable, and a syntax error ends the
 * parse of that field value (challenges already complete stay usable).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTPClient-support.h"

/* Longest WWW-Authenticate field value parsed; longer ones are ignored. */
#define AUTH_MAX_CHALLENGE_VALUE 8192
/* Field values looked at per response. */
#define AUTH_MAX_CHALLENGE_VALUES 32
/* Parameters accepted per challenge before it is considered hostile. */
#define AUTH_MAX_PARAMS 32
/* Longest cnonce (ours are 32 hex digits; the test seam may pin longer). */
#define AUTH_MAX_CNONCE 128
/* Scratch for one parameter value (longer known ones spoil the challenge). */
#define AUTH_MAX_PARAM_VALUE 512

/* ---- test seam --------------------------------------------------------- */

/* Tests pin the cnonce to check RFC 7616 vectors. Not declared in any
 * header: a test declares it itself. NULL restores the CSPRNG. */
void httpclient__digest_fixed_cnonce (const char *cnonce);

static const char *fixed_cnonce;

void
httpclient__digest_fixed_cnonce (const char *cnonce)
{
  fixed_cnonce = cnonce;
}

/* ---- challenge parsing ------------------------------------------------- */

typedef struct
{
  const char *p, *end;
} Cursor;

/* One challenge as read; only Digest ones are kept in detail. */
typedef struct
{
  int is_digest;
  int spoiled; /* over-long/repeated parameter or too many of them */
  int params;
  char realm[sizeof ((httpclient_digest_state *)0)->realm];
  char nonce[sizeof ((httpclient_digest_state *)0)->nonce];
  char opaque[sizeof ((httpclient_digest_state *)0)->opaque];
  char algorithm[sizeof ((httpclient_digest_state *)0)->algorithm];
  char qop[AUTH_MAX_PARAM_VALUE];
  int have_realm, have_nonce, have_opaque, have_algorithm, have_qop;
  int userhash;
} Challenge;

static int
is_tchar (unsigned char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return 1;
  return c != 0 && strchr ("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token68_char (unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
         || c == '_' || c == '~' || c == '+' || c == '/';
}

static void
skip_ows (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
    c->p++;
}

static size_t
read_token (Cursor *c, const char **tok)
{
  const char *start = c->p;

  while (c->p < c->end && is_tchar ((unsigned char)*c->p))
    c->p++;
  *tok = start;
  return (size_t)(c->p - start);
}

/* quoted-string with quoted-pairs into @p out (NUL-terminated). Returns
 * the unescaped length, -1 on a syntax error, -2 when it does not fit
 * (the string is still consumed, so parsing goes on). */
static long
read_quoted (Cursor *c, char *out, size_t out_size)
{
  size_t n = 0;
  int overflow = 0;

  c->p++; /* opening quote */
  while (c->p < c->end)
    {
      unsigned char ch = (unsigned char)*c->p++;

      if (ch == '"')
        {
          out[overflow ? 0 : n] = '\0';
          return overflow ? -2 : (long)n;
        }
      if (ch == '\\')
        {
          if (c->p == c->end)
            return -1;
          ch = (unsigned char)*c->p++;
        }
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
        return -1;
      if (n + 1 < out_size)
        out[n++] = (char)ch;
      else
        overflow = 1;
    }
  return -1; /* unterminated */
}

/* Store a known Digest parameter; a repeat or an over-long value spoils
 * the challenge (RFC 9110: each name at most once per challenge). */
static void
set_param (Challenge *ch, char *dst, size_t dst_size, int *have, const char *v, long vlen)
{
  if (*have || vlen < 0 || (size_t)vlen >= dst_size)
    {
      ch->spoiled = 1;
      return;
    }
  memcpy (dst, v, (size_t)vlen);
  dst[vlen] = '\0';
  *have = 1;
}

static void
digest_param (Challenge *ch, const char *name, size_t nl, const char *v, long vlen)
{
#define PARAM_IS(lit) (nl == sizeof (lit) - 1 && strncasecmp (name, lit, nl) == 0)
  if (PARAM_IS ("realm"))
    set_param (ch, ch->realm, sizeof ch->realm, &ch->have_realm, v, vlen);
  else if (PARAM_IS ("nonce"))
    set_param (ch, ch->nonce, sizeof ch->nonce, &ch->have_nonce, v, vlen);
  else if (PARAM_IS ("opaque"))
    set_param (ch, ch->opaque, sizeof ch->opaque, &ch->have_opaque, v, vlen);
  else if (PARAM_IS ("algorithm"))
    set_param (ch, ch->algorithm, sizeof ch->algorithm, &ch->have_algorithm, v, vlen);
  else if (PARAM_IS ("qop"))
    set_param (ch, ch->qop, sizeof ch->qop, &ch->have_qop, v, vlen);
  else if (PARAM_IS ("userhash"))
    ch->userhash = vlen == 4 && strncasecmp (v, "true", 4) == 0;
  /* stale, domain, charset and extensions need no action: a new nonce
   * is taken whatever stale says, and UTF-8 is the only charset. */
#undef PARAM_IS
}

/* Read one parameter value (token or quoted-string) into @p buf.
 * Returns its length, -2 if it did not fit, -1 on a syntax error. */
static long
read_param_value (Cursor *c, char *buf, size_t buf_size)
{
  const char *tok;
  size_t tl;

  if (c->p < c->end && *c->p == '"')
    return read_quoted (c, buf, buf_size);
  tl = read_token (c, &tok);
  if (tl == 0)
    return -1;
  if (tl >= buf_size)
    return -2;
  memcpy (buf, tok, tl);
  buf[tl] = '\0';
  return (long)tl;
}

/* Is the cursor at a token68 (token68 chars, then '=' padding, then the
 * end of the item)? Consumes it when it is. */
static int
take_token68 (Cursor *c)
{
  const char *p = c->p;

  while (p < c->end && is_token68_char ((unsigned char)*p))
    p++;
  if (p == c->p)
    return 0;
  while (p < c->end && *p == '=')
    p++;
  while (p < c->end && (*p == ' ' || *p == '\t'))
    p++;
  if (p < c->end && *p != ',')
    return 0;
  c->p = p;
  return 1;
}

/* Parse the items after a scheme until the next scheme (left unread) or
 * the end. Returns 0, or -1 on a syntax error. */
static int
parse_challenge_params (Cursor *c, Challenge *ch)
{
  char value[AUTH_MAX_PARAM_VALUE];
  int first = 1;

  for (;;)
    {
      const char *name, *save;
      size_t nl;
      long vlen;

      skip_ows (c);
      if (c->p == c->end)
        return 0;
      if (*c->p == ',')
        {
          c->p++;
          first = 0; /* a token68 comes right after the scheme, never after ',' */
          continue;
        }
      if (first && take_token68 (c))
        {
          first = 0;
          continue; /* take_token68 stopped at ',' or the end */
        }
      save = c->p;
      nl = read_token (c, &name);
      if (nl == 0)
        return -1;
      skip_ows (c);
      if (c->p == c->end || *c->p != '=')
        {
          c->p = save; /* the next challenge's scheme */
          return 0;
        }
      c->p++;
      skip_ows (c);
      vlen = read_param_value (c, value, sizeof value);
      if (vlen == -1)
        return -1;
      if (++ch->params > AUTH_MAX_PARAMS)
        ch->spoiled = 1;
      if (ch->is_digest)
        digest_param (ch, name, nl, value, vlen);
      first = 0;
      skip_ows (c);
      if (c->p < c->end && *c->p != ',')
        return -1; /* items are separated by commas */
    }
}

/* Canonical algorithm name, or NULL when unsupported. */
static const char *
canonical_algorithm (const Challenge *ch)
{
  static const char *const names[] = { "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" };

  if (!ch->have_algorithm)
    return "MD5"; /* RFC 7616 §3.3: absent means MD5 */
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp (ch->algorithm, names[i]) == 0)
      return names[i];
  return NULL;
}

/* Does a qop list ("auth, auth-int") offer "auth"? */
static int
qop_offers_auth (const char *qop)
{
  const char *p = qop;

  while (*p != '\0')
    {
      size_t n;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      n = strcspn (p, " \t,");
      if (n == 4 && strncasecmp (p, "auth", 4) == 0)
        return 1;
      p += n;
    }
  return 0;
}

/* Copy a usable Digest challenge into @p state; 0 if taken. */
static int
take_challenge (const SocketHTTPClient_Auth *auth, const Challenge *ch, httpclient_digest_state *state)
{
  const char *alg = canonical_algorithm (ch);
  int qop_auth = ch->have_qop && qop_offers_auth (ch->qop);

  if (!ch->is_digest || ch->spoiled || !ch->have_realm || !ch->have_nonce || ch->nonce[0] == '\0'
      || alg == NULL)
    return -1;
  if (auth != NULL && auth->realm != NULL && strcmp (auth->realm, ch->realm) != 0)
    return -1;
  if (ch->have_qop && !qop_auth) /* e.g. only "auth-int" */
    return -1;
  if (!qop_auth && strstr (alg, "-sess") != NULL) /* -sess needs a cnonce */
    return -1;
  if (!state->have_challenge || strcmp (state->nonce, ch->nonce) != 0)
    state->nonce_count = 0;
  strcpy (state->realm, ch->realm);
  strcpy (state->nonce, ch->nonce);
  strcpy (state->opaque, ch->have_opaque ? ch->opaque : "");
  strcpy (state->algorithm, alg);
  state->qop_auth = qop_auth;
  state->userhash = ch->userhash;
  state->have_challenge = 1;
  return 0;
}

/* Walk one field value; the first usable Digest challenge (servers list
 * them in order of preference, RFC 7616 §3.7) goes into @p state. */
static int
parse_value (const SocketHTTPClient_Auth *auth, const char *value, httpclient_digest_state *state)
{
  size_t len = strnlen (value, AUTH_MAX_CHALLENGE_VALUE + 1);
  Cursor c = { value, value + len };
  Challenge *ch;
  int rc = -1;

  if (len > AUTH_MAX_CHALLENGE_VALUE)
    return -1;
  ch = malloc (sizeof *ch);
  if (ch == NULL)
    return -1;
  while (rc != 0)
    {
      const char *scheme;
      size_t sl;
      int syntax;

      while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' || *c.p == ','))
        c.p++;
      if (c.p == c.end)
        break;
      sl = read_token (&c, &scheme);
      if (sl == 0)
        break;
      memset (ch, 0, sizeof *ch);
      ch->is_digest = sl == 6 && strncasecmp (scheme, "Digest", 6) == 0;
      syntax = parse_challenge_params (&c, ch);
      if (syntax != 0)
        break; /* a challenge cut by a syntax error is not used */
      rc = take_challenge (auth, ch, state);
    }
  free (ch);
  return rc;
}

int
httpclient_digest_parse_challenge (const SocketHTTPClient_Auth *auth, const char *const *values, size_t count,
                                   httpclient_digest_state *state)
{
  if (values == NULL || state == NULL)
    return -1;
  if (count > AUTH_MAX_CHALLENGE_VALUES)
    count = AUTH_MAX_CHALLENGE_VALUES;
  for (size_t i = 0; i < count; i++)
    if (values[i] != NULL && parse_value (auth, values[i], state) == 0)
      return 0;
  return -1;
}

/* ---- building the Authorization value --------------------------------- */

typedef struct
{
  char *buf;
  size_t size, len;
  int overflow;
} Out;

static void
out_add (Out *o, const char *s, size_t n)
{
  if (o->overflow || n >= o->size - o->len)
    {
      o->overflow = 1;
      return;
    }
  memcpy (o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static void
out_str (Out *o, const char *s)
{
  out_add (o, s, strlen (s));
}

/* s as a quoted-string: '"' and '\' escaped. */
static void
out_quoted (Out *o, const char *s)
{
  out_add (o, "\"", 1);
  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        out_add (o, "\\", 1);
      out_add (o, s, 1);
    }
  out_add (o, "\"", 1);
}

/* Credentials go into a header (or its hash): no CR, LF or other
 * controls; NUL cannot occur in a C string. */
static int
credential_ok (const char *s)
{
  for (; *s != '\0'; s++)
    {
      unsigned char c = (unsigned char)*s;

      if (c < 0x20 || c == 0x7f)
        return 0;
    }
  return 1;
}

/* RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-._~+/" ) *"=" */
static int
bearer_token_ok (const char *t)
{
  const char *p = t;

  while (is_token68_char ((unsigned char)*p))
    p++;
  if (p == t)
    return 0;
  while (*p == '=')
    p++;
  return *p == '\0';
}

static int
basic_header (const SocketHTTPClient_Auth *auth, char *out, size_t out_size)
{
  size_t ul, pl, enc;
  char *pair, *b64;
  ssize_t n;
  Out o = { out, out_size, 0, 0 };

  if (auth->username == NULL || auth->password == NULL)
    return 0;
  /* RFC 7617 §2: a user-id containing ':' cannot be split back. */
  if (!credential_ok (auth->username) || !credential_ok (auth->password) || strchr (auth->username, ':'))
    return -1;
  ul = strlen (auth->username);
  pl = strlen (auth->password);
  if (ul + pl + 1 > HTTPCLIENT_AUTH_MAX_HEADER)
    return -1;
  enc = SocketCrypto_base64_encoded_size (ul + pl + 1);
  pair = malloc (ul + pl + 1 + enc);
  if (pair == NULL)
    return -1;
  b64 = pair + ul + pl + 1;
  memcpy (pair, auth->username, ul);
  pair[ul] = ':';
  memcpy (pair + ul + 1, auth->password, pl);
  n = SocketCrypto_base64_encode (pair, ul + pl + 1, b64, enc);
  if (n >= 0)
    {
      out_str (&o, "Basic ");
      out_add (&o, b64, (size_t)n);
    }
  SocketCrypto_secure_clear (pair, ul + pl + 1 + enc);
  free (pair);
  return (n < 0 || o.overflow) ? -1 : (int)o.len;
}

static int
bearer_header (const SocketHTTPClient_Auth *auth, char *out, size_t out_size)
{
  Out o = { out, out_size, 0, 0 };

  if (auth->token == NULL)
    return 0;
  if (!bearer_token_ok (auth->token))
    return -1;
  out_str (&o, "Bearer ");
  out_str (&o, auth->token);
  return o.overflow ? -1 : (int)o.len;
}

/* Hash @p len bytes into lower-case hex. Its own frame, so the TRY's
 * setjmp sees no local that changed before it (-Wclobbered at -O2). */
static int
hash_hex (int sha256, const char *data, size_t len, char hex[2 * SOCKET_CRYPTO_SHA256_SIZE + 1])
{
  unsigned char md[SOCKET_CRYPTO_SHA256_SIZE];
  volatile int rc = 0;

  TRY
  {
    if (sha256)
      SocketCrypto_sha256 (data, len, md);
    else
      SocketCrypto_md5 (data, len, md);
    SocketCrypto_hex_encode (md, sha256 ? SOCKET_CRYPTO_SHA256_SIZE : SOCKET_CRYPTO_MD5_SIZE, hex, 1);
  }
  EXCEPT (SocketCrypto_Failed)
  {
    rc = -1;
  }
  END_TRY;
  return rc;
}

/* Lower-case hex digest of the @p n parts (each NUL-terminated, joined by
 * ':') with SHA-256 or MD5. 0, or -1 on allocation or backend failure. */
static int
digest_hex (int sha256, char hex[2 * SOCKET_CRYPTO_SHA256_SIZE + 1], const char *const *parts, size_t n)
{
  size_t total = 0, pos = 0;
  char *buf;
  int rc;

  for (size_t i = 0; i < n; i++)
    total += strlen (parts[i]) + 1;
  buf = malloc (total);
  if (buf == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      size_t l = strlen (parts[i]);

      memcpy (buf + pos, parts[i], l);
      pos += l;
      buf[pos++] = ':';
    }
  pos--; /* no ':' after the last part */
  rc = hash_hex (sha256, buf, pos, hex);
  SocketCrypto_secure_clear (buf, total);
  free (buf);
  return rc;
}

/* username="..." (or username*=UTF-8''... for non-ASCII, RFC 7616 §3.4.4). */
static void
out_username (Out *o, const char *user)
{
  static const char hexd[] = "0123456789ABCDEF";
  int ascii = 1;

  for (const char *p = user; *p != '\0'; p++)
    if ((unsigned char)*p >= 0x80)
      ascii = 0;
  if (ascii)
    {
      out_str (o, "username=");
      out_quoted (o, user);
      return;
    }
  out_str (o, "username*=UTF-8''");
  for (const unsigned char *p = (const unsigned char *)user; *p != '\0'; p++)
    {
      /* RFC 8187 attr-char */
      if (is_tchar (*p) && *p != '*' && *p != '\'' && *p != '%')
        out_add (o, (const char *)p, 1);
      else
        {
          char esc[3] = { '%', hexd[*p >> 4], hexd[*p & 15] };

          out_add (o, esc, 3);
        }
    }
}

static int
digest_header (const SocketHTTPClient_Auth *auth, httpclient_digest_state *st, SocketHTTP_Method method,
               const char *target, char *out, size_t out_size)
{
  char ha1[65], ha2[65], response[65], user_hash[65], cnonce[AUTH_MAX_CNONCE + 1], nc[9];
  const char *mname = SocketHTTP_method_name (method);
  int sha256 = strncmp (st->algorithm, "SHA-256", 7) == 0;
  int sess = strstr (st->algorithm, "-sess") != NULL;
  Out o = { out, out_size, 0, 0 };

  if (auth->username == NULL || auth->password == NULL || mname == NULL || target == NULL || target[0] == '\0')
    return 0;
  if (!credential_ok (auth->username) || !credential_ok (auth->password) || !credential_ok (target))
    return -1;
  if (st->nonce_count == UINT32_MAX)
    return 0; /* a nonce this old needs a new challenge */
  if (fixed_cnonce != NULL)
    {
      if (strlen (fixed_cnonce) > AUTH_MAX_CNONCE || !credential_ok (fixed_cnonce))
        return -1;
      strcpy (cnonce, fixed_cnonce);
    }
  else
    {
      unsigned char rnd[16];

      if (SocketCrypto_random_bytes (rnd, sizeof rnd) != 0)
        return -1;
      SocketCrypto_hex_encode (rnd, sizeof rnd, cnonce, 1);
    }
  snprintf (nc, sizeof nc, "%08x", st->nonce_count + 1);

  {
    const char *a1[] = { auth->username, st->realm, auth->password };
    const char *a2[] = { mname, target };

    if (digest_hex (sha256, ha1, a1, 3) != 0 || digest_hex (sha256, ha2, a2, 2) != 0)
      return -1;
  }
  if (sess)
    {
      const char *s[] = { ha1, st->nonce, cnonce };

      if (digest_hex (sha256, ha1, s, 3) != 0)
        return -1;
    }
  if (st->qop_auth)
    {
      const char *r[] = { ha1, st->nonce, nc, cnonce, "auth", ha2 };

      if (digest_hex (sha256, response, r, 6) != 0)
        return -1;
    }
  else
    {
      const char *r[] = { ha1, st->nonce, ha2 }; /* RFC 2069 form */

      if (digest_hex (sha256, response, r, 3) != 0)
        return -1;
    }
  SocketCrypto_secure_clear (ha1, sizeof ha1);

  out_str (&o, "Digest ");
  if (st->userhash)
    {
      const char *u[] = { auth->username, st->realm };

      if (digest_hex (sha256, user_hash, u, 2) != 0)
        return -1;
      out_str (&o, "username=");
      out_quoted (&o, user_hash);
    }
  else
    out_username (&o, auth->username);
  out_str (&o, ", realm=");
  out_quoted (&o, st->realm);
  out_str (&o, ", uri=");
  out_quoted (&o, target);
  out_str (&o, ", algorithm=");
  out_str (&o, st->algorithm);
  out_str (&o, ", nonce=");
  out_quoted (&o, st->nonce);
  if (st->qop_auth)
    {
      out_str (&o, ", nc=");
      out_str (&o, nc);
      out_str (&o, ", cnonce=");
      out_quoted (&o, cnonce);
      out_str (&o, ", qop=auth");
    }
  out_str (&o, ", response=");
  out_quoted (&o, response);
  if (st->opaque[0] != '\0')
    {
      out_str (&o, ", opaque=");
      out_quoted (&o, st->opaque);
    }
  if (st->userhash)
    out_str (&o, ", userhash=true");
  if (o.overflow)
    return -1;
  st->nonce_count++;
  return (int)o.len;
}

int
httpclient_auth_header (const SocketHTTPClient_Auth *auth, httpclient_digest_state *digest,
                        SocketHTTP_Method method, const char *request_target, char *out, size_t out_size)
{
  int n = 0;

  if (out == NULL || out_size == 0)
    return -1;
  out[0] = '\0';
  if (auth == NULL)
    return 0;
  if (out_size > HTTPCLIENT_AUTH_MAX_HEADER + 1)
    out_size = HTTPCLIENT_AUTH_MAX_HEADER + 1;
  switch (auth->type)
    {
    case HTTP_AUTH_BASIC:
      n = basic_header (auth, out, out_size);
      break;
    case HTTP_AUTH_BEARER:
      n = bearer_header (auth, out, out_size);
      break;
    case HTTP_AUTH_DIGEST:
      if (digest != NULL && digest->have_challenge)
        n = digest_header (auth, digest, method, request_target, out, out_size);
      break;
    default: /* NONE, NTLM, NEGOTIATE: nothing to send */
      break;
    }
  if (n <= 0)
    out[0] = '\0';
  return n;
}
