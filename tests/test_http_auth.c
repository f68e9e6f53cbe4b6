/*
 * test_http_auth.c - the client's Authorization values: Basic (RFC 7617
 * vector), Bearer, Digest (RFC 7616 §3.9.1 MD5 and SHA-256 vectors, the
 * RFC 2617 vector, -sess, userhash, nonce counts), the WWW-Authenticate
 * challenge parser on well-formed and hostile input, and, when curl is
 * installed, a Digest response compared with curl's for the same
 * challenge, cnonce and nonce count (curl talks to a listener on
 * 127.0.0.1 that plays the server).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "Test.h"
#include "core/SocketCrypto.h"
#include "http/SocketHTTPClient-support.h"
#include "http/SocketHTTPClient.h"

/* Test seam in SocketHTTPClient-auth.c (declared there, not in a header). */
void httpclient__digest_fixed_cnonce (const char *cnonce);

static int
build (const SocketHTTPClient_Auth *auth, httpclient_digest_state *st, const char *target, char *out,
       size_t size)
{
  return httpclient_auth_header (auth, st, HTTP_METHOD_GET, target, out, size);
}

/* Value of parameter @p name in an Authorization/challenge string (quotes
 * stripped, no unescaping), into @p out. */
static const char *
param (const char *hdr, const char *name, char *out, size_t size)
{
  size_t nl = strlen (name);
  const char *p = hdr;

  out[0] = '\0';
  while ((p = strstr (p, name)) != NULL)
    {
      if ((p == hdr || p[-1] == ' ' || p[-1] == ',') && p[nl] == '=')
        {
          const char *v = p + nl + 1;
          size_t n;

          if (*v == '"')
            {
              v++;
              n = strcspn (v, "\"");
            }
          else
            n = strcspn (v, ", \r\n");
          if (n >= size)
            n = size - 1;
          memcpy (out, v, n);
          out[n] = '\0';
          return out;
        }
      p += nl;
    }
  return out;
}

TEST (basic_rfc7617_vector)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_BASIC, "Aladdin", "open sesame", NULL, NULL };
  char out[128];

  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 34);
  ASSERT_STREQ (out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  /* RFC 7617 §2.1: UTF-8 as is ("test" / "123£"). */
  auth.username = "test";
  auth.password = "123\xc2\xa3";
  ASSERT (build (&auth, NULL, "/", out, sizeof out) > 0);
  ASSERT_STREQ (out, "Basic dGVzdDoxMjPCow==");
  /* Exactly fitting, one byte short. */
  auth.username = "Aladdin";
  auth.password = "open sesame";
  ASSERT_EQ (build (&auth, NULL, "/", out, 35), 34);
  ASSERT_EQ (build (&auth, NULL, "/", out, 34), -1);
  ASSERT_STREQ (out, "");
  /* Unsendable credentials. */
  auth.password = "x\r\nInjected: 1";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), -1);
  auth.password = "p";
  auth.username = "a:b";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), -1);
  auth.username = NULL;
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
}

TEST (bearer_and_unsupported)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_BEARER, NULL, NULL, "mF_9.B5f-4.1JqM", NULL };
  char out[64];

  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 22);
  ASSERT_STREQ (out, "Bearer mF_9.B5f-4.1JqM");
  auth.token = "abc/+~==";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 15);
  auth.token = "a b";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), -1);
  auth.token = "a\r\n";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), -1);
  auth.token = "==";
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), -1);
  auth.token = NULL;
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
  auth.type = HTTP_AUTH_NTLM;
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
  auth.type = HTTP_AUTH_NEGOTIATE;
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
  auth.type = HTTP_AUTH_NONE;
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
  ASSERT_EQ (build (NULL, NULL, "/", out, sizeof out), 0);
  ASSERT_EQ (build (&auth, NULL, "/", NULL, 0), -1);
}

/* RFC 7616 §3.9.1: two challenges, SHA-256 listed first. */
static const char *const rfc7616_values[] = {
  "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n    algorithm=SHA-256,\r\n"
  "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
  "    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
  "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
};

TEST (digest_rfc7616_sha256_and_md5)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "Mufasa", "Circle of Life", NULL, NULL };
  httpclient_digest_state st;
  char out[HTTPCLIENT_AUTH_MAX_HEADER + 1];

  /* Header folding (CR LF + spaces) is not valid in a field value; the
   * engine unfolds before calling us, so take the folded one unfolded. */
  char unfolded[512];
  size_t j = 0;
  for (const char *p = rfc7616_values[0]; *p; p++)
    if (*p != '\r' && *p != '\n')
      unfolded[j++] = *p;
  unfolded[j] = '\0';
  const char *values[] = { unfolded, rfc7616_values[1] };

  memset (&st, 0, sizeof st);
  httpclient__digest_fixed_cnonce ("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, values, 2, &st), 0);
  ASSERT_STREQ (st.algorithm, "SHA-256");
  ASSERT_STREQ (st.realm, "http-auth@example.org");
  ASSERT_EQ (st.qop_auth, 1);
  ASSERT (build (&auth, &st, "/dir/index.html", out, sizeof out) > 0);
  ASSERT_STREQ (out, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
                     "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                     "nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
                     "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
                     "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_EQ (st.nonce_count, 1);

  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, values + 1, 1, &st), 0);
  ASSERT_STREQ (st.algorithm, "MD5");
  ASSERT (build (&auth, &st, "/dir/index.html", out, sizeof out) > 0);
  ASSERT_STREQ (out, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
                     "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                     "nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
                     "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
                     "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  httpclient__digest_fixed_cnonce (NULL);
}

/* RFC 2617 §3.5, still valid under RFC 7616 (MD5, qop=auth). */
TEST (digest_rfc2617_vector_and_nonce_count)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "Mufasa", "Circle Of Life", NULL, NULL };
  const char *v = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
  httpclient_digest_state st;
  char out[1024], buf[128];

  memset (&st, 0, sizeof st);
  httpclient__digest_fixed_cnonce ("0a4f113b");
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.algorithm, "MD5"); /* absent means MD5 */
  ASSERT (build (&auth, &st, "/dir/index.html", out, sizeof out) > 0);
  ASSERT_STREQ (param (out, "response", buf, sizeof buf), "6629fae49393a05397450978507c4ef1");
  ASSERT_STREQ (param (out, "nc", buf, sizeof buf), "00000001");
  /* The next request on the same nonce counts up. */
  ASSERT (build (&auth, &st, "/dir/index.html", out, sizeof out) > 0);
  ASSERT_STREQ (param (out, "nc", buf, sizeof buf), "00000002");
  ASSERT_EQ (st.nonce_count, 2);
  /* The same challenge again keeps counting; a new (stale) nonce restarts. */
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_EQ (st.nonce_count, 2);
  v = "Digest realm=\"testrealm@host.com\", qop=\"auth\", nonce=\"fresh\", stale=true";
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_EQ (st.nonce_count, 0);
  ASSERT_STREQ (st.opaque, "");
  ASSERT (build (&auth, &st, "/x", out, sizeof out) > 0);
  ASSERT_STREQ (param (out, "nc", buf, sizeof buf), "00000001");
  ASSERT (strstr (out, "opaque") == NULL);
  /* Too small an output: -1 and the count is not used up. */
  ASSERT_EQ (build (&auth, &st, "/x", out, 40), -1);
  ASSERT_EQ (st.nonce_count, 1);
  /* %08x formatting. */
  st.nonce_count = 0xab;
  ASSERT (build (&auth, &st, "/x", out, sizeof out) > 0);
  ASSERT_STREQ (param (out, "nc", buf, sizeof buf), "000000ac");
  httpclient__digest_fixed_cnonce (NULL);
}

/* Digest response computed here from the definitions, to check the
 * variants the RFCs give no vector for. */
static void
hexhash (int sha256, const char *s, char *hex)
{
  unsigned char md[32];

  if (sha256)
    SocketCrypto_sha256 (s, strlen (s), md);
  else
    SocketCrypto_md5 (s, strlen (s), md);
  SocketCrypto_hex_encode (md, sha256 ? 32 : 16, hex, 1);
}

TEST (digest_sess_userhash_and_legacy)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "Mufasa", "Circle of Life", NULL, NULL };
  const char *v = "Digest realm=\"r@x\", nonce=\"N1\", qop=\"auth\", algorithm=sha-256-SESS, userhash=true";
  httpclient_digest_state st;
  char out[1024], buf[128], ha1[65], ha2[65], expect[65], tmp[512];

  memset (&st, 0, sizeof st);
  httpclient__digest_fixed_cnonce ("CN");
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.algorithm, "SHA-256-sess");
  ASSERT_EQ (st.userhash, 1);
  ASSERT (build (&auth, &st, "/p?q=1", out, sizeof out) > 0);
  hexhash (1, "Mufasa:r@x:Circle of Life", ha1);
  snprintf (tmp, sizeof tmp, "%s:N1:CN", ha1);
  hexhash (1, tmp, ha1);
  hexhash (1, "GET:/p?q=1", ha2);
  snprintf (tmp, sizeof tmp, "%s:N1:00000001:CN:auth:%s", ha1, ha2);
  hexhash (1, tmp, expect);
  ASSERT_STREQ (param (out, "response", buf, sizeof buf), expect);
  hexhash (1, "Mufasa:r@x", expect);
  ASSERT_STREQ (param (out, "username", buf, sizeof buf), expect);
  ASSERT (strstr (out, ", userhash=true") != NULL);
  ASSERT_STREQ (param (out, "algorithm", buf, sizeof buf), "SHA-256-sess");

  /* No qop: the RFC 2069 form, without nc/cnonce. */
  v = "Digest realm=\"r@x\", nonce=\"N2\"";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_EQ (st.qop_auth, 0);
  ASSERT (build (&auth, &st, "/", out, sizeof out) > 0);
  hexhash (0, "Mufasa:r@x:Circle of Life", ha1);
  hexhash (0, "GET:/", ha2);
  snprintf (tmp, sizeof tmp, "%s:N2:%s", ha1, ha2);
  hexhash (0, tmp, expect);
  ASSERT_STREQ (param (out, "response", buf, sizeof buf), expect);
  ASSERT (strstr (out, "cnonce") == NULL && strstr (out, "nc=") == NULL && strstr (out, "qop") == NULL);

  /* Quotes in values are escaped on the way out, and a non-ASCII user
   * name goes as username* (RFC 7616 §3.4.4). */
  v = "Digest realm=\"a\\\"b\\\\c\", nonce=\"N3\", qop=auth";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.realm, "a\"b\\c");
  auth.username = "J\xc3\xa4s\xc3\xb8n \"D\"";
  ASSERT (build (&auth, &st, "/", out, sizeof out) > 0);
  ASSERT (strstr (out, "realm=\"a\\\"b\\\\c\"") != NULL);
  {
    static const char prefix[] = "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20%22D%22, realm=";
    ASSERT (strncmp (out, prefix, sizeof prefix - 1) == 0);
  }
  httpclient__digest_fixed_cnonce (NULL);
}

TEST (digest_random_cnonce)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "u", "p", NULL, NULL };
  const char *v = "Digest realm=\"r\", nonce=\"n\", qop=\"auth\"";
  httpclient_digest_state st;
  char out[1024], c1[64], c2[64];

  httpclient__digest_fixed_cnonce (NULL);
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT (build (&auth, &st, "/", out, sizeof out) > 0);
  param (out, "cnonce", c1, sizeof c1);
  ASSERT (build (&auth, &st, "/", out, sizeof out) > 0);
  param (out, "cnonce", c2, sizeof c2);
  ASSERT_UEQ (strlen (c1), 32);
  ASSERT_UEQ (strspn (c1, "0123456789abcdef"), 32);
  ASSERT (strcmp (c1, c2) != 0);
}

TEST (challenge_lists)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "u", "p", NULL, NULL };
  httpclient_digest_state st;
  const char *v;

  /* Several challenges in one value, with token68 and other schemes. */
  v = "Negotiate YIIabc==, Basic realm=\"x, y\", charset=UTF-8, Digest realm=\"r\", nonce=\"n1\", "
      "qop=\"auth\", Bearer";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "n1");
  ASSERT_STREQ (st.realm, "r");
  /* Scheme and parameter names are case-insensitive; BWS around '='. */
  v = "DIGEST REALM = \"r\" , NONCE=n2,QOP=\"auth-int, AUTH\"";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "n2");
  ASSERT_EQ (st.qop_auth, 1);
  /* The first usable challenge wins; unusable ones are skipped. */
  v = "Digest realm=\"r\", nonce=\"a\", algorithm=SHA-512-256, Digest realm=\"r\", nonce=\"b\", algorithm=MD5-sess, "
      "qop=auth, Digest realm=\"r\", nonce=\"c\"";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "b");
  ASSERT_STREQ (st.algorithm, "MD5-sess");
  /* A bare token after a comma is the next scheme, not a token68. */
  v = "Bearer, Digest, Digest realm=\"r\", nonce=\"n4\"";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "n4");
  /* Across several values. */
  const char *vals[] = { "Basic realm=\"x\"", "Bearer realm=\"y\"", "Digest realm=\"z\", nonce=\"n3\"" };
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, vals, 3, &st), 0);
  ASSERT_STREQ (st.nonce, "n3");
  /* auth->realm picks the realm. */
  v = "Digest realm=\"one\", nonce=\"1\", Digest realm=\"two\", nonce=\"2\"";
  auth.realm = "two";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "2");
  auth.realm = "three";
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), -1);
  ASSERT_EQ (st.have_challenge, 0);
}

TEST (malformed_challenges)
{
  static const char *const bad[] = {
    "",
    "   ,  ,",
    "Basic realm=\"x\"",
    "Digest",
    "Digest realm=\"r\"",                                       /* no nonce */
    "Digest nonce=\"n\"",                                       /* no realm */
    "Digest realm=\"r\", nonce=\"\"",                           /* empty nonce */
    "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",        /* only auth-int */
    "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
    "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess",      /* -sess needs qop */
    "Digest realm=\"r\", nonce=\"n\", realm=\"s\"",             /* repeated */
    "Digest realm=\"r\", nonce=\"n",                            /* unterminated */
    "Digest realm=\"r\", nonce=\"n\\",
    "Digest realm=\"r\", nonce=\"n\x01\"",                      /* control */
    "Digest realm=\"r\", nonce=",
    "Digest realm=\"r\", nonce=\"n\" junk\"",
    "Digest realm=\"r\", =x, nonce=\"n\"",
    "\"Digest\" realm=\"r\", nonce=\"n\"",
    "Digest realm=\"r\" nonce=\"n\"",                           /* missing comma */
  };
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "u", "p", NULL, NULL };
  httpclient_digest_state st;
  char out[256];

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      memset (&st, 0, sizeof st);
      if (httpclient_digest_parse_challenge (&auth, &bad[i], 1, &st) != -1 || st.have_challenge)
        TEST_FAIL_ ("accepted: %s", bad[i]);
    }
  /* Nothing parsed: Digest yields no header. */
  ASSERT_EQ (build (&auth, &st, "/", out, sizeof out), 0);
  ASSERT_EQ (build (&auth, NULL, "/", out, sizeof out), 0);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, NULL, 1, &st), -1);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, bad, 0, &st), -1);
}

TEST (challenge_limits)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "u", "p", NULL, NULL };
  httpclient_digest_state st;
  char *v = malloc (20000);
  const char *cv = v;
  size_t n;

  ASSERT (v != NULL);
  /* A nonce longer than the state holds spoils the challenge... */
  n = (size_t)sprintf (v, "Digest realm=\"r\", nonce=\"");
  memset (v + n, 'a', 300);
  strcpy (v + n + 300, "\"");
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &cv, 1, &st), -1);
  /* ...but parsing goes on to the next challenge. */
  strcat (v, ", Digest realm=\"r\", nonce=\"ok\"");
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &cv, 1, &st), 0);
  ASSERT_STREQ (st.nonce, "ok");
  /* 255 bytes fit exactly. */
  n = (size_t)sprintf (v, "Digest realm=\"r\", nonce=\"");
  memset (v + n, 'b', 255);
  strcpy (v + n + 255, "\"");
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &cv, 1, &st), 0);
  ASSERT_UEQ (strlen (st.nonce), 255);
  /* Too many parameters. */
  n = (size_t)sprintf (v, "Digest realm=\"r\", nonce=\"n\"");
  for (int i = 0; i < 40; i++)
    n += (size_t)sprintf (v + n, ", x%d=y", i);
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &cv, 1, &st), -1);
  /* A value over the length limit is not parsed at all. */
  n = (size_t)sprintf (v, "Digest realm=\"r\", nonce=\"n\", x=\"");
  memset (v + n, 'c', 9000);
  strcpy (v + n + 9000, "\"");
  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &cv, 1, &st), -1);
  free (v);
}

TEST (digest_unsendable_input)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "u", "p", NULL, NULL };
  const char *v = "Digest realm=\"r\", nonce=\"n\", qop=auth";
  httpclient_digest_state st;
  char out[512];

  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &v, 1, &st), 0);
  auth.password = "a\nb";
  ASSERT_EQ (build (&auth, &st, "/", out, sizeof out), -1);
  auth.password = "p";
  auth.username = "u\r";
  ASSERT_EQ (build (&auth, &st, "/", out, sizeof out), -1);
  auth.username = "u";
  ASSERT_EQ (build (&auth, &st, "/a\r\nb", out, sizeof out), -1);
  ASSERT_EQ (httpclient_auth_header (&auth, &st, HTTP_METHOD_UNKNOWN, "/", out, sizeof out), 0);
  ASSERT_EQ (build (&auth, &st, NULL, out, sizeof out), 0);
  auth.password = NULL;
  ASSERT_EQ (build (&auth, &st, "/", out, sizeof out), 0);
  auth.password = "p";
  ASSERT_EQ (st.nonce_count, 0);
  ASSERT (httpclient_auth_header (&auth, &st, HTTP_METHOD_POST, "/", out, sizeof out) > 0);
  ASSERT_EQ (st.nonce_count, 1);
}

/* ---- curl as the reference client --------------------------------------- */

#ifdef SOCKET_TEST_CURL_BIN

typedef struct
{
  int listener;
  const char *challenge; /* WWW-Authenticate value sent with the 401 */
  char authorization[2048];
  int ok;
} PeerServer;

/* Read one request head (up to CRLFCRLF) from @p fd; 0 on success. */
static int
read_head (int fd, char *buf, size_t size)
{
  size_t len = 0;

  while (len + 1 < size)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      ssize_t n;

      if (poll (&p, 1, 20000) <= 0)
        return -1;
      n = recv (fd, buf + len, size - 1 - len, 0);
      if (n <= 0)
        return -1;
      len += (size_t)n;
      buf[len] = '\0';
      if (strstr (buf, "\r\n\r\n") != NULL)
        return 0;
    }
  return -1;
}

static int
accept_one (int listener)
{
  struct pollfd p = { listener, POLLIN, 0 };

  if (poll (&p, 1, 20000) <= 0)
    return -1;
  return accept (listener, NULL, NULL);
}

static void *
peer_server (void *arg)
{
  PeerServer *ps = arg;
  char head[4096], resp[1024];
  int fd = accept_one (ps->listener);
  const char *a;

  if (fd < 0 || read_head (fd, head, sizeof head) != 0)
    goto out;
  snprintf (resp, sizeof resp,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: %s\r\nContent-Length: 0\r\n\r\n", ps->challenge);
  if (send (fd, resp, strlen (resp), MSG_NOSIGNAL) < 0)
    goto out;
  /* curl may reuse the connection or open another one. */
  if (read_head (fd, head, sizeof head) != 0)
    {
      close (fd);
      fd = accept_one (ps->listener);
      if (fd < 0 || read_head (fd, head, sizeof head) != 0)
        goto out;
    }
  a = strcasestr (head, "\r\nAuthorization: ");
  if (a != NULL)
    {
      size_t n;

      a += 17;
      n = strcspn (a, "\r\n");
      if (n < sizeof ps->authorization)
        {
          memcpy (ps->authorization, a, n);
          ps->authorization[n] = '\0';
          ps->ok = 1;
        }
    }
  {
    static const char done[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!send (fd, done, sizeof done - 1, MSG_NOSIGNAL);
  }
out:
  if (fd >= 0)
    close (fd);
  return NULL;
}

/* Run curl --digest against a one-shot server offering @p challenge and
 * return curl's Authorization value in @p out. -1 if curl did not run. */
static int
curl_digest (const char *challenge, const char *userpass, const char *path, char *out, size_t size)
{
  PeerServer ps;
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  pthread_t th;
  char url[128];
  pid_t pid;
  int status;

  memset (&ps, 0, sizeof ps);
  ps.challenge = challenge;
  ps.listener = socket (AF_INET, SOCK_STREAM, 0);
  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (ps.listener < 0 || bind (ps.listener, (struct sockaddr *)&sa, sizeof sa) != 0
      || listen (ps.listener, 4) != 0 || getsockname (ps.listener, (struct sockaddr *)&sa, &sl) != 0)
    return -1;
  snprintf (url, sizeof url, "http://127.0.0.1:%d%s", ntohs (sa.sin_port), path);
  pthread_create (&th, NULL, peer_server, &ps);
  pid = fork ();
  if (pid == 0)
    {
      int devnull = open ("/dev/null", O_WRONLY);

      if (devnull >= 0)
        {
          dup2 (devnull, 1);
          dup2 (devnull, 2);
        }
      execl (SOCKET_TEST_CURL_BIN, "curl", "-s", "--noproxy", "*", "--max-time", "30", "--digest", "-u", userpass, url,
              (char *)NULL);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status) || WEXITSTATUS (status) == 127)
    {
      /* curl missing: wake the server thread by connecting to it. */
      int c = socket (AF_INET, SOCK_STREAM, 0);

      if (c >= 0)
        {
          connect (c, (struct sockaddr *)&sa, sizeof sa);
          close (c);
        }
      pthread_join (th, NULL);
      close (ps.listener);
      return -1;
    }
  pthread_join (th, NULL);
  close (ps.listener);
  if (!ps.ok)
    return -1;
  snprintf (out, size, "%s", ps.authorization);
  return 0;
}


/* Our response for curl's cnonce, nc and uri must equal curl's. */
static void
compare_with_curl (const char *challenge, const char *alg)
{
  SocketHTTPClient_Auth auth = { HTTP_AUTH_DIGEST, "Mufasa", "Circle of Life", NULL, NULL };
  httpclient_digest_state st;
  char theirs[2048], ours[2048], cnonce[128], nc[16], uri[256], r1[80], r2[80], buf[128];
  unsigned long count;

  if (curl_digest (challenge, "Mufasa:Circle of Life", "/dir/index.html?a=1", theirs, sizeof theirs) != 0)
    TEST_FAIL_ ("curl did not answer the %s challenge", alg);
  if (strncmp (theirs, "Digest ", 7) != 0)
    TEST_FAIL_ ("curl sent: %s", theirs);
  param (theirs, "cnonce", cnonce, sizeof cnonce);
  param (theirs, "nc", nc, sizeof nc);
  param (theirs, "uri", uri, sizeof uri);
  ASSERT (cnonce[0] != '\0' && nc[0] != '\0');
  ASSERT_STREQ (uri, "/dir/index.html?a=1");
  count = strtoul (nc, NULL, 16);
  ASSERT (count >= 1);

  memset (&st, 0, sizeof st);
  ASSERT_EQ (httpclient_digest_parse_challenge (&auth, &challenge, 1, &st), 0);
  st.nonce_count = (unsigned)(count - 1);
  httpclient__digest_fixed_cnonce (cnonce);
  ASSERT (build (&auth, &st, uri, ours, sizeof ours) > 0);
  httpclient__digest_fixed_cnonce (NULL);
  ASSERT_STREQ (param (ours, "nc", buf, sizeof buf), nc);
  ASSERT_STREQ (param (ours, "opaque", r1, sizeof r1), param (theirs, "opaque", r2, sizeof r2));
  ASSERT_STREQ (param (ours, "algorithm", r1, sizeof r1), param (theirs, "algorithm", r2, sizeof r2));
  ASSERT (param (theirs, "response", r2, sizeof r2)[0] != '\0');
  ASSERT_STREQ (param (ours, "response", r1, sizeof r1), r2);
  printf ("  curl %s nc=%s response=%s matches\n", alg, nc, r2);
}
#endif /* SOCKET_TEST_CURL_BIN */

TEST (digest_matches_curl)
{
#ifndef SOCKET_TEST_CURL_BIN
  TEST_SKIP ("curl not found at configure time, or optional peers disabled");
#else
  if (access (SOCKET_TEST_CURL_BIN, X_OK) != 0)
    TEST_SKIP ("%s is gone", SOCKET_TEST_CURL_BIN);
  compare_with_curl ("Digest realm=\"peer@test\", qop=\"auth\", algorithm=MD5, nonce=\"0123abcd\", "
                     "opaque=\"opq1\"",
                     "MD5");
  compare_with_curl ("Digest realm=\"peer@test\", qop=\"auth\", algorithm=SHA-256, nonce=\"n0nce/+=\"", "SHA-256");
  compare_with_curl ("Digest realm=\"peer@test\", qop=\"auth\", algorithm=MD5-sess, nonce=\"s1\"", "MD5-sess");
#endif
}

TEST_MAIN ()
