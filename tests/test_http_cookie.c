/*
 * test_http_cookie.c - the HTTP client's cookie jar without I/O: RFC 6265
 * storage and Cookie header rules (domain/path matching, host-only,
 * public suffixes, expiry, Secure), the public CookieJar_* calls, the
 * Netscape file format and concurrent use of one jar.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "Test.h"
#include "http/SocketHTTPClient-support.h"
#include "http/SocketHTTPClient.h"

/* 2021-06-09 10:18:14 UTC */
#define T0 ((time_t)1623233894)

static int
store (SocketHTTPClient_CookieJar_T jar, const char *host, const char *path, int secure, const char *sc)
{
  return httpclient_cookie_store (jar, host, path, secure, sc, strlen (sc), T0);
}

/* The Cookie header for host/path, into a static buffer. */
static const char *
header_at (SocketHTTPClient_CookieJar_T jar, const char *host, const char *path, int secure, time_t now)
{
  static char buf[HTTPCLIENT_COOKIE_MAX_HEADER + 1];
  size_t n = httpclient_cookie_header (jar, host, path, secure, now, buf, sizeof buf);

  if (n != strlen (buf))
    return "(length mismatch)";
  return buf;
}

static const char *
header (SocketHTTPClient_CookieJar_T jar, const char *host, const char *path, int secure)
{
  return header_at (jar, host, path, secure, T0);
}

TEST (host_only_cookie)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  const SocketHTTPClient_Cookie *c;

  ASSERT (jar != NULL);
  ASSERT_EQ (store (jar, "Example.COM", "/", 0, "a=1"), 1);
  ASSERT_STREQ (header (jar, "example.com", "/", 0), "a=1");
  ASSERT_STREQ (header (jar, "EXAMPLE.com", "/x", 0), "a=1");
  ASSERT_STREQ (header (jar, "www.example.com", "/", 0), "");
  ASSERT_STREQ (header (jar, "ample.com", "/", 0), "");
  c = SocketHTTPClient_CookieJar_get (jar, "example.com", "/", "a");
  ASSERT (c != NULL);
  ASSERT_STREQ (c->domain, "example.com"); /* no dot: host-only */
  ASSERT_EQ (c->expires, 0);
  SocketHTTPClient_CookieJar_free (&jar);
  ASSERT (jar == NULL);
}

TEST (domain_cookie_matches_subdomains)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();

  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "a=1; Domain=example.com"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, ".example.com", "/", "a") != NULL);
  ASSERT_STREQ (header (jar, "example.com", "/", 0), "a=1");
  ASSERT_STREQ (header (jar, "www.example.com", "/", 0), "a=1");
  ASSERT_STREQ (header (jar, "a.b.example.com", "/", 0), "a=1");
  ASSERT_STREQ (header (jar, "notexample.com", "/", 0), "");
  ASSERT_STREQ (header (jar, "example.org", "/", 0), "");
  /* A leading dot in the attribute is ignored (§5.2.3), case folded. */
  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "b=2; domain=.EXAMPLE.com"), 1);
  ASSERT_STREQ (header (jar, "x.example.com", "/", 0), "a=1; b=2");
  /* An empty Domain attribute is ignored: host-only. */
  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "c=3; Domain="), 1);
  ASSERT_STREQ (header (jar, "x.example.com", "/", 0), "a=1; b=2");
  ASSERT_STREQ (header (jar, "www.example.com", "/", 0), "a=1; b=2; c=3");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (domain_must_domain_match_host)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();

  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "a=1; Domain=other.com"), 0);
  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "a=1; Domain=w.example.com"), 0);
  ASSERT_EQ (store (jar, "www.example.com", "/", 0, "a=1; Domain=sub.www.example.com"), 0);
  ASSERT_EQ (store (jar, "example.com", "/", 0, "a=1; Domain=xample.com"), 0);
  /* IP addresses never domain-match anything but themselves. */
  ASSERT_EQ (store (jar, "10.0.0.1", "/", 0, "a=1; Domain=0.0.1"), 0);
  ASSERT_EQ (store (jar, "127.0.0.1", "/", 0, "ip=1"), 1);
  ASSERT_STREQ (header (jar, "127.0.0.1", "/", 0), "ip=1");
  ASSERT_STREQ (header (jar, "www.example.com", "/", 0), "");
  /* IPv6 literals, with or without brackets, and ports are ignored. */
  ASSERT_EQ (store (jar, "[::1]:8443", "/", 0, "v6=1"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "::1", "/", "v6") != NULL);
  ASSERT_STREQ (header (jar, "::1", "/", 0), "v6=1");
  ASSERT_STREQ (header (jar, "[::1]", "/", 0), "v6=1");
  ASSERT_EQ (store (jar, "[::1]", "/", 0, "x=1; Domain=:1"), 0);
  ASSERT_STREQ (header (jar, "127.0.0.1:8080", "/", 0), "ip=1");
  ASSERT_EQ (store (jar, "www.example.com:80", "/", 0, "p=1; Domain=example.com"), 1);
  ASSERT_STREQ (header (jar, "example.com:443", "/", 0), "p=1");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (public_suffix_refused)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();

  ASSERT_EQ (store (jar, "example.com", "/", 0, "a=1; Domain=com"), 0);
  ASSERT_EQ (store (jar, "example.com", "/", 0, "a=1; Domain=.com"), 0);
  ASSERT_EQ (store (jar, "shop.example.co.uk", "/", 0, "a=1; Domain=co.uk"), 0);
  ASSERT_EQ (store (jar, "me.github.io", "/", 0, "a=1; Domain=github.io"), 0);
  ASSERT_STREQ (header (jar, "other.com", "/", 0), "");
  /* A suffix equal to the host itself becomes host-only (§5.3 step 5). */
  ASSERT_EQ (store (jar, "com", "/", 0, "b=2; Domain=com"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "com", "/", "b") != NULL);
  ASSERT_STREQ (header (jar, "com", "/", 0), "b=2");
  ASSERT_STREQ (header (jar, "example.com", "/", 0), "");
  /* Two labels that are not a listed suffix are fine. */
  ASSERT_EQ (store (jar, "www.example.co.uk", "/", 0, "c=3; Domain=example.co.uk"), 1);
  ASSERT_STREQ (header (jar, "example.co.uk", "/", 0), "c=3");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (localhost)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();

  ASSERT_EQ (store (jar, "localhost", "/", 0, "a=1"), 1);
  ASSERT_EQ (store (jar, "localhost", "/", 0, "b=2; Domain=localhost"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "localhost", "/", "b") != NULL);
  ASSERT_STREQ (header (jar, "localhost", "/", 0), "a=1; b=2");
  /* "localhost" is a single label: a subdomain may not widen to it. */
  ASSERT_EQ (store (jar, "app.localhost", "/", 0, "c=3; Domain=localhost"), 0);
  ASSERT_STREQ (header (jar, "app.localhost", "/", 0), "");
  /* A trailing dot in the request host is the same host. */
  ASSERT_STREQ (header (jar, "localhost.", "/", 0), "a=1; b=2");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (path_default_and_match)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  const SocketHTTPClient_Cookie *c;

  ASSERT_EQ (store (jar, "h.test", "/docs/page.html?q=/x/y", 0, "d=1"), 1);
  c = SocketHTTPClient_CookieJar_get (jar, "h.test", "/docs", "d");
  ASSERT (c != NULL);
  ASSERT_STREQ (c->path, "/docs");
  ASSERT_STREQ (header (jar, "h.test", "/docs", 0), "d=1");
  ASSERT_STREQ (header (jar, "h.test", "/docs/", 0), "d=1");
  ASSERT_STREQ (header (jar, "h.test", "/docs/a/b?x", 0), "d=1");
  ASSERT_STREQ (header (jar, "h.test", "/docsx", 0), "");
  ASSERT_STREQ (header (jar, "h.test", "/doc", 0), "");
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "");
  /* One slash only, no path, or a relative one: "/". */
  ASSERT_EQ (store (jar, "h.test", "/file", 0, "r=1"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "r") != NULL);
  ASSERT_EQ (store (jar, "h.test", NULL, 0, "n=1"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "n") != NULL);
  /* A Path attribute not starting with '/' means the default path. */
  ASSERT_EQ (store (jar, "h.test", "/a/b", 0, "p=1; Path=rel"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/a", "p") != NULL);
  /* Explicit paths; one ending in '/' matches below it only. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "s=1; Path=/api/"), 1);
  ASSERT_STREQ (header (jar, "h.test", "/api/v1", 0), "s=1; r=1; n=1");
  ASSERT_STREQ (header (jar, "h.test", "/api", 0), "r=1; n=1");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (max_age)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  const SocketHTTPClient_Cookie *c;

  ASSERT_EQ (store (jar, "h.test", "/", 0, "m=1; Max-Age=60"), 1);
  c = SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "m");
  ASSERT (c != NULL);
  ASSERT_EQ (c->expires, T0 + 60);
  ASSERT_STREQ (header_at (jar, "h.test", "/", 0, T0 + 59), "m=1");
  ASSERT_STREQ (header_at (jar, "h.test", "/", 0, T0 + 60), "");
  /* Max-Age wins over Expires whichever comes first. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "w=1; Expires=Wed, 09 Jun 2021 10:18:15 GMT; Max-Age=3600"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "w")->expires, T0 + 3600);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "v=1; Max-Age=3600; Expires=Wed, 09 Jun 2021 10:18:15 GMT"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "v")->expires, T0 + 3600);
  /* A malformed Max-Age is ignored: session cookie. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "x=1; Max-Age=12a"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "x")->expires, 0);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "x=1; Max-Age=+5"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "x")->expires, 0);
  /* Huge values do not overflow into the past. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "big=1; Max-Age=99999999999999999999999"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "big")->expires > T0);
  /* Max-Age 0 and negative delete. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "m=gone; Max-Age=0"), 0);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "m") == NULL);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "w=gone; Max-Age=-1"), 0);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "v=1; x=1; big=1");
  SocketHTTPClient_CookieJar_free (&jar);
}

/* Expires in the formats seen in the wild, all meaning T0 + 3600. */
TEST (expires_date_formats)
{
  static const char *const dates[] = {
    "Wed, 09 Jun 2021 11:18:14 GMT",      /* RFC 1123 */
    "Wednesday, 09-Jun-21 11:18:14 GMT",  /* RFC 850 */
    "Wed Jun  9 11:18:14 2021",           /* asctime */
    "Wed, 09-Jun-2021 11:18:14 GMT",      /* Netscape */
    "9 jun 2021 11:18:14",                /* no weekday, lower case */
    "11:18:14 2021 June 09",              /* any order (§5.1.1) */
    "Wed, 09 Jun 2021 11:18:14 +0000",
  };
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
    {
      SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
      char sc[128];
      const SocketHTTPClient_Cookie *c;

      snprintf (sc, sizeof sc, "e=1; Expires=%s", dates[i]);
      ASSERT_EQ (store (jar, "h.test", "/", 0, sc), 1);
      c = SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "e");
      ASSERT (c != NULL);
      if (c->expires != T0 + 3600)
        TEST_FAIL_ ("%s: expires %lld", dates[i], (long long)c->expires);
      SocketHTTPClient_CookieJar_free (&jar);
    }
}

TEST (expires_invalid_and_past)
{
  static const char *const bad[] = {
    "Wed, 31 Feb 2021 10:00:00 GMT", /* no such day */
    "Wed, 09 Jun 1600 10:00:00 GMT", /* before 1601 */
    "Wed, 09 Jun 2021 24:00:00 GMT",
    "Wed, 09 Jun 2021 10:60:00 GMT",
    "Wed, 09 Foo 2021 10:00:00 GMT",
    "Wed, 09 Jun 2021",              /* no time */
    "tomorrow",
    "",
  };
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char sc[128];

      snprintf (sc, sizeof sc, "e=%zu; Expires=%s", i, bad[i]);
      ASSERT_EQ (store (jar, "h.test", "/", 0, sc), 1);
      if (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "e")->expires != 0)
        TEST_FAIL_ ("%s was accepted", bad[i]);
    }
  /* Two-digit years: 70-99 are 19xx, so this one is long past: delete. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "e=x; Expires=Thu, 01 Jan 70 00:00:01 GMT"), 0);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "e") == NULL);
  /* 00-69 are 20xx. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "f=1; Expires=Fri, 01 Jan 38 00:00:00 GMT"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "f")->expires, (time_t)2145916800);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "f=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT"), 0);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "f") == NULL);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (secure_and_attributes)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  const SocketHTTPClient_Cookie *c;

  ASSERT_EQ (store (jar, "h.test", "/", 0, "s=1; Secure"), 0); /* over http: refused */
  ASSERT_EQ (store (jar, "h.test", "/", 1, "s=1; Secure; HttpOnly; SameSite=Strict"), 1);
  c = SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "s");
  ASSERT (c != NULL);
  ASSERT_EQ (c->secure, 1);
  ASSERT_EQ (c->http_only, 1);
  ASSERT_EQ (c->same_site, COOKIE_SAMESITE_STRICT);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "l=1; samesite=lax"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "l")->same_site, COOKIE_SAMESITE_LAX);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "u=1; SameSite=bogus"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "u")->same_site, COOKIE_SAMESITE_NONE);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "l=1; u=1");
  ASSERT_STREQ (header (jar, "h.test", "/", 1), "s=1; l=1; u=1");
  /* Plain http may not overwrite (shadow) a Secure cookie. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "s=evil"), 0);
  ASSERT_EQ (store (jar, "h.test", "/sub", 0, "s=evil; Path=/sub"), 0);
  ASSERT_STREQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "s")->value, "1");
  /* Name prefixes (RFC 6265bis §4.1.3). */
  ASSERT_EQ (store (jar, "h.test", "/", 1, "__Secure-a=1"), 0);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "__Secure-a=1; Secure"), 1);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "__Host-b=1; Secure; Path=/; Domain=h.test"), 0);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "__Host-b=1; Secure; Path=/x"), 0);
  ASSERT_EQ (store (jar, "h.test", "/", 1, "__Host-b=1; Secure; Path=/"), 1);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (malformed_set_cookie_ignored)
{
  static const char *const bad[] = {
    "novalue", "=value", " =v", "a\x01=1", "a=1\x7f", "a b=1", "", ";", "a\tb=c",
  };
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char *big;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (store (jar, "h.test", "/", 0, bad[i]) != 0)
      TEST_FAIL_ ("accepted \"%s\"", bad[i]);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "");
  /* Whitespace around name and value is trimmed; '=' may be in the value. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "  k = v=w ; Path = / "), 1);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "k=v=w");
  /* Empty value is fine. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "e="), 1);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "k=v=w; e=");
  /* Over the header limit, and name+value over 4096. */
  big = malloc (HTTPCLIENT_COOKIE_MAX_HEADER + 2);
  ASSERT (big != NULL);
  memset (big, 'x', HTTPCLIENT_COOKIE_MAX_HEADER + 1);
  big[0] = 'b';
  big[1] = '=';
  big[HTTPCLIENT_COOKIE_MAX_HEADER + 1] = '\0';
  ASSERT_EQ (store (jar, "h.test", "/", 0, big), 0);
  big[4098] = '\0';
  ASSERT_EQ (store (jar, "h.test", "/", 0, big), 0);
  big[4097] = '\0';
  ASSERT_EQ (store (jar, "h.test", "/", 0, big), 1);
  free (big);
  /* Bad hosts. */
  ASSERT_EQ (store (jar, "", "/", 0, "a=1"), 0);
  ASSERT_EQ (httpclient_cookie_store (jar, NULL, "/", 0, "a=1", 3, T0), 0);
  ASSERT_EQ (httpclient_cookie_store (NULL, "h", "/", 0, "a=1", 3, T0), 0);
  /* The length given is honoured: bytes past it are not read. */
  ASSERT_EQ (httpclient_cookie_store (jar, "h.test", "/", 0, "z=1; Secure", 3, T0), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "z")->secure, 0);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (header_order_and_replace)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  const SocketHTTPClient_Cookie *first;

  ASSERT_EQ (store (jar, "h.test", "/", 0, "a=1; Path=/"), 1);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "b=1; Path=/x/y"), 1);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "c=1; Path=/x"), 1);
  ASSERT_EQ (store (jar, "h.test", "/", 0, "d=1; Path=/"), 1);
  /* Longer paths first, then older first. */
  ASSERT_STREQ (header (jar, "h.test", "/x/y/z", 0), "b=1; c=1; a=1; d=1");
  first = SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "a");
  /* Replacing keeps the creation time, so the order holds. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "a=2; Path=/"), 1);
  ASSERT_STREQ (header (jar, "h.test", "/x/y/z", 0), "b=1; c=1; a=2; d=1");
  /* The old pointer is the same cookie, now holding the new value. */
  ASSERT (first == SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "a"));
  ASSERT_STREQ (first->value, "2");
  /* Same name, different path: a separate cookie. */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "a=3; Path=/x"), 1);
  ASSERT_STREQ (header (jar, "h.test", "/x", 0), "c=1; a=3; a=2; d=1");
  /* A host-only and a domain cookie of one name and domain replace each
   * other (RFC 6265 §5.3 step 11 compares the domain). */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "d=2; Domain=h.test"), 1);
  ASSERT_STREQ (header (jar, "h.test", "/", 0), "a=2; d=2");
  ASSERT_STREQ (header (jar, "w.h.test", "/", 0), "d=2");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (header_size_limit)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char out[16];

  ASSERT_EQ (store (jar, "h.test", "/", 0, "aaaa=1111; Path=/x"), 1); /* 9 bytes, first */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "bbbbbbbb=2"), 1);         /* 10 bytes */
  ASSERT_EQ (store (jar, "h.test", "/", 0, "c=3"), 1);                /* 3 bytes */
  /* 15 usable bytes: a (9) fits, b would need 12 more and is left out
   * whole, c needs 5 more and still fits. */
  ASSERT_UEQ (httpclient_cookie_header (jar, "h.test", "/x", 0, T0, out, sizeof out), 14);
  ASSERT_STREQ (out, "aaaa=1111; c=3");
  ASSERT_UEQ (httpclient_cookie_header (jar, "h.test", "/x", 0, T0, out, 1), 0);
  ASSERT_STREQ (out, "");
  ASSERT_UEQ (httpclient_cookie_header (jar, "h.test", "/x", 0, T0, NULL, 0), 0);
  ASSERT_UEQ (httpclient_cookie_header (NULL, "h.test", "/x", 0, T0, out, sizeof out), 0);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (jar_limit_evicts_least_recently_used)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char sc[64], out[64];
  int n = 0;

  char host[32];

  /* 30 sites of 100 cookies each: the jar limit, not the site limit. */
  for (int i = 0; i < HTTPCLIENT_COOKIE_MAX_PER_JAR; i++)
    {
      snprintf (sc, sizeof sc, "c%d=%d", i, i);
      snprintf (host, sizeof host, "s%d.test", i / 100);
      n += httpclient_cookie_store (jar, host, "/", 0, sc, strlen (sc), T0);
    }
  ASSERT_EQ (n, HTTPCLIENT_COOKIE_MAX_PER_JAR);
  /* Use c0, so c1 is now the least recently used. */
  ASSERT_UEQ (httpclient_cookie_header (jar, "s0.test", "/c0", 0, T0, out, 8), 4);
  ASSERT_STREQ (out, "c0=0");
  ASSERT_EQ (store (jar, "new.test", "/", 0, "new=1"), 1);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "s0.test", "/", "c0") != NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "s0.test", "/", "c1") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "s0.test", "/", "c2") != NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "new.test", "/", "new") != NULL);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (site_limit_keeps_other_sites)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char sc[64], host[64], out[HTTPCLIENT_COOKIE_MAX_HEADER + 1];
  size_t pairs = 0;

  ASSERT_EQ (store (jar, "other.test", "/", 0, "keep=1"), 1);
  ASSERT_EQ (store (jar, "shop.example.co.uk", "/", 0, "uk=1"), 1);
  /* 300 cookies from subdomains of one site, all visible at example.com. */
  for (int i = 0; i < 300; i++)
    {
      snprintf (sc, sizeof sc, "f%d=1; Domain=example.com", i);
      snprintf (host, sizeof host, "h%d.example.com", i);
      ASSERT_EQ (store (jar, host, "/", 0, sc), 1);
    }
  httpclient_cookie_header (jar, "example.com", "/", 0, T0, out, sizeof out);
  for (const char *p = out; (p = strchr (p, '=')) != NULL; p++)
    pairs++;
  ASSERT_UEQ (pairs, 180);
  /* The oldest went first. */
  ASSERT (strncmp (out, "f120=1; ", 8) == 0);
  ASSERT_STREQ (header (jar, "other.test", "/", 0), "keep=1");
  /* example.co.uk is a different site from co.uk's other registrants. */
  ASSERT_STREQ (header (jar, "shop.example.co.uk", "/", 0), "uk=1");
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (set_get_clear_public_api)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  SocketHTTPClient_Cookie c = { 0 };
  const SocketHTTPClient_Cookie *got, *got2;
  char out[64];

  c.name = "sid";
  c.value = "abc";
  c.domain = ".Example.com";
  c.path = NULL; /* "/" */
  c.expires = 0;
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), 0);
  got = SocketHTTPClient_CookieJar_get (jar, ".example.COM", NULL, "sid");
  ASSERT (got != NULL);
  ASSERT_STREQ (got->domain, ".Example.com"); /* stored as given */
  ASSERT_STREQ (got->path, "/");
  ASSERT (SocketHTTPClient_CookieJar_get (jar, ".example.com", "/", "SID") == NULL);
  ASSERT_UEQ (httpclient_cookie_header (jar, "www.example.com", "/", 0, T0, out, sizeof out), 7);
  ASSERT_STREQ (out, "sid=abc");
  /* Replace: same struct, updated fields. */
  c.value = "def";
  c.secure = 1;
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), 0);
  got2 = SocketHTTPClient_CookieJar_get (jar, ".example.com", "/", "sid");
  ASSERT (got2 == got);
  ASSERT_STREQ (got->value, "def");
  ASSERT_EQ (got->secure, 1);
  /* Names and values that cannot go on the wire are refused. */
  c.name = "a;b";
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), -1);
  c.name = "";
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), -1);
  c.name = "ok";
  c.value = "x\r\nInjected: 1";
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), -1);
  /* clear: the cookie is gone, but the pointer stays readable. */
  SocketHTTPClient_CookieJar_clear (jar);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, ".example.com", "/", "sid") == NULL);
  ASSERT_STREQ (got->name, "sid");
  ASSERT_STREQ (got->value, "def");
  ASSERT_UEQ (httpclient_cookie_header (jar, "www.example.com", "/", 1, T0, out, sizeof out), 0);
  SocketHTTPClient_CookieJar_free (&jar);
  SocketHTTPClient_CookieJar_free (&jar); /* NULL handle: no-op */
  SocketHTTPClient_CookieJar_free (NULL);
}

TEST (clear_expired)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  SocketHTTPClient_Cookie c = { 0 };
  const SocketHTTPClient_Cookie *old;

  c.domain = "h.test";
  c.name = "old";
  c.value = "1";
  c.expires = time (NULL) - 10;
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), 0);
  c.name = "future";
  c.expires = time (NULL) + 3600;
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), 0);
  c.name = "session";
  c.expires = 0;
  ASSERT_EQ (SocketHTTPClient_CookieJar_set (jar, &c), 0);
  old = SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "old");
  ASSERT (old != NULL);
  SocketHTTPClient_CookieJar_clear_expired (jar);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "old") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "future") != NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "h.test", "/", "session") != NULL);
  ASSERT_STREQ (old->name, "old"); /* retired, not freed */
  SocketHTTPClient_CookieJar_free (&jar);
}

/* ---- Netscape file ------------------------------------------------------ */

static char *
temp_path (const char *tag)
{
  static char path[256];
  int fd;

  snprintf (path, sizeof path, "/tmp/test_http_cookie_%s_XXXXXX", tag);
  fd = mkstemp (path);
  if (fd < 0)
    return NULL;
  close (fd);
  return path;
}

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "r");
  char *buf = calloc (1, 65536);

  if (f == NULL || buf == NULL)
    {
      if (f)
        fclose (f);
      free (buf);
      return NULL;
    }
  (void)!fread (buf, 1, 65535, f);
  fclose (f);
  return buf;
}

TEST (save_format)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char *path = temp_path ("save"), *text;

  ASSERT (path != NULL);
  ASSERT_EQ (store (jar, "www.example.com", "/", 1, "a=1; Domain=example.com; Secure; Max-Age=100"), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_save (jar, path), 0);
  text = slurp (path);
  unlink (path);
  ASSERT (text != NULL);
  ASSERT_STREQ (text, "# Netscape HTTP Cookie File\n"
                      "# http://curl.haxx.se/rfc/cookie_spec.html\n"
                      "# This file was generated by SocketHTTPClient.\n"
                      "\n"
                      ".example.com\tTRUE\t/\tTRUE\t1623233994\ta\t1\n");
  free (text);
  ASSERT_EQ (SocketHTTPClient_CookieJar_save (jar, "/nonexistent-dir/x/cookies.txt"), -1);
  SocketHTTPClient_CookieJar_free (&jar);
}

TEST (save_load_round_trip)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new (), back;
  char *path = temp_path ("rt");
  const SocketHTTPClient_Cookie *c;
  char out[256];

  ASSERT (path != NULL);
  ASSERT_EQ (store (jar, "www.example.com", "/", 1, "a=1; Domain=example.com; Secure; Max-Age=100"), 1);
  ASSERT_EQ (store (jar, "www.example.com", "/docs/x", 0, "b=two words"), 1);
  ASSERT_EQ (store (jar, "localhost", "/", 0, "c="), 1);
  ASSERT_EQ (SocketHTTPClient_CookieJar_save (jar, path), 0);
  back = SocketHTTPClient_CookieJar_new ();
  ASSERT_EQ (SocketHTTPClient_CookieJar_load (back, path), 0);
  unlink (path);
  c = SocketHTTPClient_CookieJar_get (back, ".example.com", "/", "a");
  ASSERT (c != NULL);
  ASSERT_STREQ (c->value, "1");
  ASSERT_EQ (c->secure, 1);
  ASSERT_EQ (c->expires, T0 + 100);
  c = SocketHTTPClient_CookieJar_get (back, "www.example.com", "/docs", "b");
  ASSERT (c != NULL);
  ASSERT_STREQ (c->value, "two words");
  ASSERT_EQ (c->secure, 0);
  ASSERT_EQ (c->expires, 0);
  ASSERT (SocketHTTPClient_CookieJar_get (back, "localhost", "/", "c") != NULL);
  /* Host-only stays host-only after the trip. */
  ASSERT_UEQ (httpclient_cookie_header (back, "www.example.com", "/docs/", 1, T0, out, sizeof out), 16);
  ASSERT_STREQ (out, "b=two words; a=1");
  ASSERT_UEQ (httpclient_cookie_header (back, "x.www.example.com", "/docs/", 1, T0, out, sizeof out), 3);
  SocketHTTPClient_CookieJar_free (&jar);
  SocketHTTPClient_CookieJar_free (&back);
}

TEST (load_skips_malformed_lines)
{
  SocketHTTPClient_CookieJar_T jar = SocketHTTPClient_CookieJar_new ();
  char *path = temp_path ("load");
  const SocketHTTPClient_Cookie *c;
  FILE *f;
  char *longline;

  ASSERT (path != NULL);
  f = fopen (path, "w");
  ASSERT (f != NULL);
  fputs ("# Netscape HTTP Cookie File\n"
         "\n"
         "ok.test\tFALSE\t/\tFALSE\t0\tgood\tv\n"
         "ok.test\tFALSE\t/\tFALSE\t0\tsix\n"                /* 6 fields */
         "ok.test\tFALSE\t/\tFALSE\t0\teight\tv\textra\n"    /* 8 fields */
         "ok.test\tFALSE\t/\tFALSE\tsoon\tbadexp\tv\n"       /* expires */
         "ok.test\tFALSE\t/\tFALSE\t-5\tnegexp\tv\n"
         "ok.test\tFALSE\trel\tFALSE\t0\trelpath\tv\n"       /* path */
         "\tFALSE\t/\tFALSE\t0\tnodomain\tv\n"
         "ok.test\tFALSE\t/\tFALSE\t0\t\tnoname\n"
         "ok.test\tFALSE\t/\tFALSE\t0\tsemi\tv;x\n"          /* ';' in value */
         "#ok.test\tFALSE\t/\tFALSE\t0\tcommented\tv\n"
         "#HttpOnly_.ok.test\tTRUE\t/p\tTRUE\t2000000000\thttponly\tv2\n"
         "ok.test\tFALSE\t/\tFALSE\t0\tcrlf\tv3\r\n"
         "ok.test\tFALSE\t/\tFALSE\t0\tlast\tnoeol",
         f);
  fclose (f);
  ASSERT_EQ (SocketHTTPClient_CookieJar_load (jar, path), 0);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "good") != NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "six") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "eight") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "badexp") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "negexp") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "rel", "relpath") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "semi") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "commented") == NULL);
  c = SocketHTTPClient_CookieJar_get (jar, ".ok.test", "/p", "httponly");
  ASSERT (c != NULL);
  ASSERT_EQ (c->http_only, 1);
  ASSERT_EQ (c->secure, 1);
  ASSERT_EQ (c->expires, (time_t)2000000000);
  c = SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "crlf");
  ASSERT (c != NULL);
  ASSERT_STREQ (c->value, "v3");
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "last") != NULL);

  /* A line longer than any cookie is skipped whole; the next one loads.
   * Merging keeps what the jar had. */
  f = fopen (path, "w");
  ASSERT (f != NULL);
  longline = malloc (20001);
  ASSERT (longline != NULL);
  memset (longline, 'x', 20000);
  longline[20000] = '\0';
  fprintf (f, "ok.test\tFALSE\t/\tFALSE\t0\tlong\t%s\nok.test\tFALSE\t/\tFALSE\t0\tafter\tv\n", longline);
  free (longline);
  fclose (f);
  ASSERT_EQ (SocketHTTPClient_CookieJar_load (jar, path), 0);
  unlink (path);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "long") == NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "after") != NULL);
  ASSERT (SocketHTTPClient_CookieJar_get (jar, "ok.test", "/", "good") != NULL);
  ASSERT_EQ (SocketHTTPClient_CookieJar_load (jar, "/nonexistent-dir/cookies.txt"), -1);
  SocketHTTPClient_CookieJar_free (&jar);
}

/* ---- one jar, several threads ------------------------------------------ */

#define THREADS 4
#define ROUNDS 2000

static SocketHTTPClient_CookieJar_T shared_jar;

static void *
worker (void *arg)
{
  int id = (int)(intptr_t)arg;
  char sc[64], out[HTTPCLIENT_COOKIE_MAX_HEADER + 1], name[16], host[16];
  long bad = 0;

  snprintf (host, sizeof host, "mt%d.test", id);

  for (int i = 0; i < ROUNDS; i++)
    {
      const SocketHTTPClient_Cookie *c;

      snprintf (sc, sizeof sc, "t%d_%d=%d; Path=/", id, i % 50, i);
      if (httpclient_cookie_store (shared_jar, host, "/", 0, sc, strlen (sc), T0) != 1)
        bad++;
      httpclient_cookie_header (shared_jar, host, "/", 0, T0, out, sizeof out);
      snprintf (name, sizeof name, "t%d_%d", id, i % 50);
      c = SocketHTTPClient_CookieJar_get (shared_jar, host, "/", name);
      if (c == NULL || strcmp (c->name, name) != 0)
        bad++;
      /* One cookie all threads replace, read through the header only
       * (a pointer from _get would race with the in-place update). */
      snprintf (sc, sizeof sc, "shared=%d", id);
      if (httpclient_cookie_store (shared_jar, "common.test", "/", 0, sc, strlen (sc), T0) != 1)
        bad++;
      httpclient_cookie_header (shared_jar, "common.test", "/", 0, T0, out, sizeof out);
      if (strncmp (out, "shared=", 7) != 0 || strchr (out, ';') != NULL)
        bad++;
      if (i % 500 == 499)
        SocketHTTPClient_CookieJar_clear_expired (shared_jar);
    }
  return (void *)(intptr_t)bad;
}

TEST (threads_share_one_jar)
{
  pthread_t th[THREADS];
  char out[HTTPCLIENT_COOKIE_MAX_HEADER + 1];
  size_t pairs = 0;

  shared_jar = SocketHTTPClient_CookieJar_new ();
  ASSERT (shared_jar != NULL);
  for (int i = 0; i < THREADS; i++)
    ASSERT_EQ (pthread_create (&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  for (int i = 0; i < THREADS; i++)
    {
      void *bad;

      pthread_join (th[i], &bad);
      ASSERT_EQ ((intptr_t)bad, 0);
    }
  /* Each thread left 50 distinct cookies, each with its last value. */
  for (int i = 0; i < THREADS; i++)
    {
      char host[16];

      snprintf (host, sizeof host, "mt%d.test", i);
      httpclient_cookie_header (shared_jar, host, "/", 0, T0, out, sizeof out);
      for (const char *p = out; (p = strchr (p, '=')) != NULL; p++)
        pairs++;
    }
  ASSERT_UEQ (pairs, THREADS * 50);
  ASSERT_STREQ (SocketHTTPClient_CookieJar_get (shared_jar, "mt3.test", "/", "t3_49")->value, "1999");
  SocketHTTPClient_CookieJar_free (&shared_jar);
}

TEST_MAIN ()
