/*
 * SocketHTTPClient-cookie.c - the client's cookie jar (RFC 6265).
 *
 * A jar is a flat array of heap entries behind one mutex: a client keeps
 * at most HTTPCLIENT_COOKIE_MAX_PER_JAR cookies and scans them once per
 * request, so a hash table would buy little. Each entry embeds the public
 * SocketHTTPClient_Cookie (what CookieJar_get hands out) and one block
 * holding its four strings. Beyond HTTPCLIENT_COOKIE_MAX_PER_JAR, or
 * COOKIE_MAX_PER_SITE for one registrable domain, the least recently used
 * cookie goes (of that site first), after any expired ones.
 *
 * Domains follow the Netscape/curl convention: a domain cookie (one that
 * came with a Domain attribute) is stored with a leading '.', a host-only
 * cookie without one, so the saved file's FLAG column and the public
 * struct's documentation ("a leading '.' ... subdomains match") agree.
 *
 * CookieJar_get promises that its pointer stays readable until the jar is
 * freed, while clear, eviction, deletion and replacement all drop cookies.
 * Entries (and replaced string blocks) that were ever handed out are
 * therefore moved to a retired list instead of being freed; memory that
 * was never handed out is freed at once. The retired list is bounded
 * (COOKIE_RETIRED_MAX_BYTES): past it the oldest retired memory is freed,
 * so a program that keeps calling get on a churning jar cannot grow it
 * without limit.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/SocketHTTPClient-support.h"
#include "http/SocketHTTPClient.h"

/* RFC 6265 §6.1 asks for at least 4096 bytes of name + value. */
#define COOKIE_MAX_NAME_VALUE 4096
/* Longest Domain and Path kept (longer attributes refuse the cookie). */
#define COOKIE_MAX_DOMAIN 255
#define COOKIE_MAX_PATH 1024
/* Cookies kept per site (registrable domain), so one site cannot push
 * every other site's cookies out of the jar (RFC 6265 §6.1 asks for 50). */
#define COOKIE_MAX_PER_SITE 180
/* Memory kept alive for pointers CookieJar_get handed out. */
#define COOKIE_RETIRED_MAX_BYTES (4u * 1024u * 1024u)
/* Longest line CookieJar_load reads; longer lines are skipped whole. */
#define COOKIE_FILE_MAX_LINE (COOKIE_MAX_NAME_VALUE + COOKIE_MAX_DOMAIN + COOKIE_MAX_PATH + 128)

typedef struct CookieEntry
{
  SocketHTTPClient_Cookie pub; /* first: CookieJar_get returns &pub */
  char *strings;               /* name, value, domain, path, each NUL-ended */
  size_t strings_size;
  int host_only;
  uint64_t creation; /* order of creation, kept across replacement */
  uint64_t last_access;
  int handed_out; /* CookieJar_get returned it: retire, never free */
} CookieEntry;

/* Retired memory: an entry struct or a replaced string block. */
typedef struct Retired
{
  struct Retired *next;
  void *block;
  size_t size;
} Retired;

struct SocketHTTPClient_CookieJar
{
  pthread_mutex_t lock;
  CookieEntry **entries;
  size_t count, capacity;
  uint64_t clock; /* logical time for creation and access order */
  Retired *retired_head, *retired_tail;
  size_t retired_bytes;
};

/* ---- retirement ------------------------------------------------------ */

static void
retired_trim (SocketHTTPClient_CookieJar_T jar)
{
  while (jar->retired_bytes > COOKIE_RETIRED_MAX_BYTES && jar->retired_head != NULL)
    {
      Retired *r = jar->retired_head;

      jar->retired_head = r->next;
      if (jar->retired_head == NULL)
        jar->retired_tail = NULL;
      jar->retired_bytes -= r->size;
      free (r->block);
      free (r);
    }
}

/* Keep @p block alive until the jar is freed (or the bound is hit). If
 * even the list node cannot be allocated the block is freed: running out
 * of memory beats leaking it. */
static void
retire_block (SocketHTTPClient_CookieJar_T jar, void *block, size_t size)
{
  Retired *r = malloc (sizeof *r);

  if (r == NULL)
    {
      free (block);
      return;
    }
  r->next = NULL;
  r->block = block;
  r->size = size;
  if (jar->retired_tail != NULL)
    jar->retired_tail->next = r;
  else
    jar->retired_head = r;
  jar->retired_tail = r;
  jar->retired_bytes += size;
  retired_trim (jar);
}

static void
entry_release (SocketHTTPClient_CookieJar_T jar, CookieEntry *e)
{
  if (e->handed_out)
    {
      retire_block (jar, e->strings, e->strings_size);
      retire_block (jar, e, sizeof *e);
      return;
    }
  free (e->strings);
  free (e);
}

/* Remove entry @p i (order is not kept: the header sorts anyway). */
static void
jar_remove_at (SocketHTTPClient_CookieJar_T jar, size_t i)
{
  CookieEntry *e = jar->entries[i];

  jar->entries[i] = jar->entries[--jar->count];
  entry_release (jar, e);
}

/* ---- small string helpers -------------------------------------------- */

static int
is_wsp (int c)
{
  return c == ' ' || c == '\t';
}

/* Cookie names and values may not carry controls; ';' would split them. */
static int
text_ok (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)s[i];

      if (c < 0x20 || c == 0x7f || c == ';')
        return 0;
    }
  return 1;
}

static int
name_ok (const char *s, size_t len)
{
  if (len == 0 || !text_ok (s, len))
    return 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '=' || is_wsp (s[i]))
      return 0;
  return 1;
}

static void
trim_wsp (const char **s, size_t *len)
{
  while (*len > 0 && is_wsp ((*s)[0]))
    {
      (*s)++;
      (*len)--;
    }
  while (*len > 0 && is_wsp ((*s)[*len - 1]))
    (*len)--;
}

/* Domains compare case-insensitively and without the leading '.'. */
static const char *
undot (const char *d)
{
  return d[0] == '.' ? d + 1 : d;
}

static int
same_domain (const char *a, const char *b)
{
  return strcasecmp (undot (a), undot (b)) == 0;
}

static int
is_ip_literal (const char *host)
{
  unsigned char buf[16];

  if (host[0] == '[')
    return 1;
  return inet_pton (AF_INET, host, buf) == 1 || inet_pton (AF_INET6, host, buf) == 1;
}

/* RFC 6265 §5.1.3: @p host (canonical, lower case) domain-matches @p domain
 * (without a leading '.'). */
static int
domain_match (const char *host, const char *domain)
{
  size_t hl = strlen (host), dl = strlen (domain);

  if (dl == 0)
    return 0;
  if (hl == dl)
    return strcasecmp (host, domain) == 0;
  if (hl < dl || host[hl - dl - 1] != '.' || is_ip_literal (host))
    return 0;
  return strcasecmp (host + hl - dl, domain) == 0;
}

/* RFC 6265 §5.1.4 path-match; @p req_path ends at '?', '#' or NUL. */
static int
path_match (const char *req_path, size_t req_len, const char *cookie_path)
{
  size_t cl = strlen (cookie_path);

  if (cl > req_len || memcmp (req_path, cookie_path, cl) != 0)
    return 0;
  if (cl == req_len)
    return 1;
  return cookie_path[cl - 1] == '/' || req_path[cl] == '/';
}

/* Length of the path part of a request target (up to '?' or '#'). */
static size_t
path_len (const char *path)
{
  size_t n = strcspn (path, "?#");
  return n;
}

/* RFC 6265 §5.1.4 default-path, written into @p out (COOKIE_MAX_PATH+1). */
static void
default_path (const char *req_path, char *out)
{
  size_t len = req_path ? path_len (req_path) : 0;
  const char *slash;

  strcpy (out, "/");
  if (len == 0 || req_path[0] != '/')
    return;
  slash = req_path;
  for (size_t i = 0; i < len; i++)
    if (req_path[i] == '/')
      slash = req_path + i;
  len = (size_t)(slash - req_path);
  if (len == 0 || len > COOKIE_MAX_PATH)
    return;
  memcpy (out, req_path, len);
  out[len] = '\0';
}

/* A small list of registry suffixes with more than one label. Single
 * labels ("com", "localhost", "internal") are refused by rule; the full
 * Public Suffix List is out of scope for a library without data files. */
static const char *const multi_label_suffixes[]
    = { "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "com.au", "net.au", "org.au",
        "edu.au", "gov.au", "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "com.br", "com.cn",
        "net.cn", "org.cn", "com.tw", "co.in", "co.kr", "co.za", "com.mx", "com.ar", "com.tr", "com.sg",
        "github.io", "gitlab.io", "herokuapp.com", "blogspot.com", "appspot.com", "cloudfront.net" };

static int
is_public_suffix (const char *domain)
{
  if (strchr (domain, '.') == NULL)
    return 1;
  for (size_t i = 0; i < sizeof multi_label_suffixes / sizeof multi_label_suffixes[0]; i++)
    if (strcasecmp (domain, multi_label_suffixes[i]) == 0)
      return 1;
  return 0;
}

/* ---- cookie-date (RFC 6265 §5.1.1) ------------------------------------ */

static int
date_delim (unsigned char c)
{
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60)
         || (c >= 0x7b && c <= 0x7e);
}

/* Read 1..max digits at @p s (of @p len); returns digits read, 0 if none
 * or if a digit follows the last one allowed. */
static size_t
read_digits (const char *s, size_t len, size_t min, size_t max, int *value)
{
  size_t n = 0;
  int v = 0;

  while (n < len && n < max && s[n] >= '0' && s[n] <= '9')
    v = v * 10 + (s[n++] - '0');
  if (n < min || (n < len && s[n] >= '0' && s[n] <= '9'))
    return 0;
  *value = v;
  return n;
}

/* hms-time = time-field ":" time-field ":" time-field [non-digit *OCTET] */
static int
parse_hms (const char *t, size_t len, int *h, int *m, int *s)
{
  size_t p = 0, n;

  if ((n = read_digits (t, len, 1, 2, h)) == 0)
    return 0;
  p += n;
  if (p >= len || t[p++] != ':')
    return 0;
  if ((n = read_digits (t + p, len - p, 1, 2, m)) == 0)
    return 0;
  p += n;
  if (p >= len || t[p++] != ':')
    return 0;
  return read_digits (t + p, len - p, 1, 2, s) != 0;
}

static int
parse_month (const char *t, size_t len)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

  if (len < 3)
    return -1;
  for (int i = 0; i < 12; i++)
    if (strncasecmp (t, months + 3 * i, 3) == 0)
      return i;
  return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t
days_from_civil (int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month (int year, int month0)
{
  static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return dim[month0] + (month0 == 1 && leap);
}

/* Parse a cookie-date; 0 on success with *@p out set (UTC seconds). */
static int
parse_cookie_date (const char *s, size_t len, time_t *out)
{
  int have_time = 0, have_day = 0, have_month = 0, have_year = 0;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  size_t i = 0;
  int64_t secs;

  while (i < len)
    {
      size_t start, tlen;
      const char *t;
      int v;

      while (i < len && date_delim ((unsigned char)s[i]))
        i++;
      start = i;
      while (i < len && !date_delim ((unsigned char)s[i]))
        i++;
      t = s + start;
      tlen = i - start;
      if (tlen == 0)
        continue;
      if (!have_time && parse_hms (t, tlen, &hour, &minute, &second))
        have_time = 1;
      else if (!have_day && read_digits (t, tlen, 1, 2, &v))
        {
          day = v;
          have_day = 1;
        }
      else if (!have_month && (v = parse_month (t, tlen)) >= 0)
        {
          month = v;
          have_month = 1;
        }
      else if (!have_year && read_digits (t, tlen, 2, 4, &v))
        {
          year = v;
          have_year = 1;
        }
    }
  if (!have_time || !have_day || !have_month || !have_year)
    return -1;
  if (year >= 70 && year <= 99)
    year += 1900;
  else if (year >= 0 && year <= 69)
    year += 2000;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59)
    return -1;
  if (day > days_in_month (year, month))
    return -1;
  secs = days_from_civil (year, month + 1, day) * 86400 + hour * 3600 + minute * 60 + second;
  if (sizeof (time_t) < 8 && (secs > INT32_MAX || secs < INT32_MIN))
    secs = secs > 0 ? INT32_MAX : INT32_MIN;
  *out = (time_t)secs;
  return 0;
}

/* ---- entries ---------------------------------------------------------- */

/* Copy the four strings into one block. */
static char *
pack_strings (const char *name, size_t nl, const char *value, size_t vl, const char *domain, size_t dl,
              const char *path, size_t pl, size_t *size)
{
  char *b;

  *size = nl + vl + dl + pl + 4;
  b = malloc (*size);
  if (b == NULL)
    return NULL;
  memcpy (b, name, nl);
  b[nl] = '\0';
  memcpy (b + nl + 1, value, vl);
  b[nl + 1 + vl] = '\0';
  memcpy (b + nl + vl + 2, domain, dl);
  b[nl + vl + 2 + dl] = '\0';
  memcpy (b + nl + vl + dl + 3, path, pl);
  b[nl + vl + dl + 3 + pl] = '\0';
  return b;
}

static void
entry_point_strings (CookieEntry *e)
{
  e->pub.name = e->strings;
  e->pub.value = e->pub.name + strlen (e->pub.name) + 1;
  e->pub.domain = e->pub.value + strlen (e->pub.value) + 1;
  e->pub.path = e->pub.domain + strlen (e->pub.domain) + 1;
}

static ssize_t
jar_find (SocketHTTPClient_CookieJar_T jar, const char *name, const char *domain, const char *path)
{
  for (size_t i = 0; i < jar->count; i++)
    {
      const SocketHTTPClient_Cookie *c = &jar->entries[i]->pub;

      if (strcmp (c->name, name) == 0 && same_domain (c->domain, domain) && strcmp (c->path, path) == 0)
        return (ssize_t)i;
    }
  return -1;
}

/* Start of the label before @p end within @p d (the whole of @p d if
 * there is none). */
static const char *
label_before (const char *d, const char *end)
{
  const char *p = end;

  while (p > d && p[-1] != '.')
    p--;
  return p;
}

/* The registrable part of a domain ("a.b.example.co.uk" ->
 * "example.co.uk"), approximated with the suffix list above; an IP
 * literal is its own site. Used to stop one site from filling the jar. */
static const char *
site_of (const char *domain)
{
  const char *d = undot (domain);
  const char *last = label_before (d, d + strlen (d));
  const char *two, *three;

  if (last == d || is_ip_literal (d))
    return d;
  two = label_before (d, last - 1);
  if (two == d || !is_public_suffix (two))
    return two;
  three = label_before (d, two - 1);
  return three;
}

/* Index of the least recently used cookie, of @p site only when set. */
static size_t
jar_lru (SocketHTTPClient_CookieJar_T jar, const char *site)
{
  size_t victim = SIZE_MAX;

  for (size_t i = 0; i < jar->count; i++)
    {
      const CookieEntry *e = jar->entries[i];

      if (site != NULL && strcasecmp (site_of (e->pub.domain), site) != 0)
        continue;
      if (victim == SIZE_MAX || e->last_access < jar->entries[victim]->last_access)
        victim = i;
    }
  return victim;
}

static size_t
jar_count_site (SocketHTTPClient_CookieJar_T jar, const char *site)
{
  size_t n = 0;

  for (size_t i = 0; i < jar->count; i++)
    if (strcasecmp (site_of (jar->entries[i]->pub.domain), site) == 0)
      n++;
  return n;
}

/* Make room for one more cookie of @p domain: drop expired ones, then the
 * one used least recently, of the same site when that site has
 * COOKIE_MAX_PER_SITE, else of the whole jar (RFC 6265 §5.3 step 12). */
static void
jar_make_room (SocketHTTPClient_CookieJar_T jar, const char *domain, time_t now)
{
  const char *site = site_of (domain);
  size_t same_site = jar_count_site (jar, site);

  if (jar->count < HTTPCLIENT_COOKIE_MAX_PER_JAR && same_site < COOKIE_MAX_PER_SITE)
    return;
  for (size_t i = jar->count; i-- > 0;)
    {
      time_t exp = jar->entries[i]->pub.expires;

      if (exp != 0 && exp <= now)
        jar_remove_at (jar, i);
    }
  if (jar_count_site (jar, site) >= COOKIE_MAX_PER_SITE)
    jar_remove_at (jar, jar_lru (jar, site));
  else if (jar->count >= HTTPCLIENT_COOKIE_MAX_PER_JAR)
    jar_remove_at (jar, jar_lru (jar, NULL));
}

/* Insert or replace under the lock. Strings are validated by the caller.
 * Returns 0, or -1 when memory runs out. */
static int
jar_put (SocketHTTPClient_CookieJar_T jar, const SocketHTTPClient_Cookie *c, int host_only, time_t now)
{
  size_t size;
  const char *path = c->path ? c->path : "/";
  ssize_t at = jar_find (jar, c->name, c->domain, path);
  char *strings = pack_strings (c->name, strlen (c->name), c->value, strlen (c->value), c->domain,
                                strlen (c->domain), path, strlen (path), &size);
  CookieEntry *e;

  if (strings == NULL)
    return -1;
  if (at >= 0)
    {
      e = jar->entries[at];
      if (e->handed_out)
        retire_block (jar, e->strings, e->strings_size);
      else
        free (e->strings);
    }
  else
    {
      jar_make_room (jar, c->domain, now);
      if (jar->count == jar->capacity)
        {
          size_t cap = jar->capacity ? jar->capacity * 2 : 16;
          CookieEntry **grown = realloc (jar->entries, cap * sizeof *grown);

          if (grown == NULL)
            {
              free (strings);
              return -1;
            }
          jar->entries = grown;
          jar->capacity = cap;
        }
      e = calloc (1, sizeof *e);
      if (e == NULL)
        {
          free (strings);
          return -1;
        }
      e->creation = ++jar->clock;
      jar->entries[jar->count++] = e;
    }
  e->strings = strings;
  e->strings_size = size;
  entry_point_strings (e);
  e->pub.expires = c->expires;
  e->pub.secure = c->secure ? 1 : 0;
  e->pub.http_only = c->http_only ? 1 : 0;
  e->pub.same_site = c->same_site;
  e->host_only = host_only;
  e->last_access = ++jar->clock;
  return 0;
}

/* Delete name/domain/path if present (an expired Set-Cookie). */
static void
jar_delete (SocketHTTPClient_CookieJar_T jar, const char *name, const char *domain, const char *path)
{
  ssize_t at = jar_find (jar, name, domain, path);

  if (at >= 0)
    jar_remove_at (jar, (size_t)at);
}

/* ---- public jar API --------------------------------------------------- */

SocketHTTPClient_CookieJar_T
SocketHTTPClient_CookieJar_new (void)
{
  SocketHTTPClient_CookieJar_T jar = calloc (1, sizeof *jar);

  if (jar == NULL)
    return NULL;
  if (pthread_mutex_init (&jar->lock, NULL) != 0)
    {
      free (jar);
      return NULL;
    }
  return jar;
}

void
SocketHTTPClient_CookieJar_free (SocketHTTPClient_CookieJar_T *jar)
{
  SocketHTTPClient_CookieJar_T j;

  if (jar == NULL || *jar == NULL)
    return;
  j = *jar;
  for (size_t i = 0; i < j->count; i++)
    {
      free (j->entries[i]->strings);
      free (j->entries[i]);
    }
  free (j->entries);
  while (j->retired_head != NULL)
    {
      Retired *r = j->retired_head;

      j->retired_head = r->next;
      free (r->block);
      free (r);
    }
  pthread_mutex_destroy (&j->lock);
  free (j);
  *jar = NULL;
}

/* Check a caller-supplied cookie: -1 when a string could not go on the
 * wire safely (controls, ';', '=' or space in the name, over-long). */
static int
cookie_fields_ok (const SocketHTTPClient_Cookie *c)
{
  size_t nl = strlen (c->name), vl = strlen (c->value);
  const char *path = c->path ? c->path : "/";

  if (!name_ok (c->name, nl) || !text_ok (c->value, vl) || nl + vl > COOKIE_MAX_NAME_VALUE)
    return -1;
  if (strlen (c->domain) > COOKIE_MAX_DOMAIN || !text_ok (c->domain, strlen (c->domain)))
    return -1;
  if (strlen (path) > COOKIE_MAX_PATH || !text_ok (path, strlen (path)))
    return -1;
  return 0;
}

int
SocketHTTPClient_CookieJar_set (SocketHTTPClient_CookieJar_T jar, const SocketHTTPClient_Cookie *cookie)
{
  int rc;

  assert (jar != NULL && cookie != NULL);
  assert (cookie->name != NULL && cookie->value != NULL && cookie->domain != NULL);
  if (cookie_fields_ok (cookie) != 0)
    return -1;
  pthread_mutex_lock (&jar->lock);
  rc = jar_put (jar, cookie, cookie->domain[0] != '.', time (NULL));
  pthread_mutex_unlock (&jar->lock);
  return rc;
}

const SocketHTTPClient_Cookie *
SocketHTTPClient_CookieJar_get (SocketHTTPClient_CookieJar_T jar, const char *domain, const char *path,
                                const char *name)
{
  const SocketHTTPClient_Cookie *found = NULL;
  ssize_t at;

  assert (jar != NULL && domain != NULL && name != NULL);
  pthread_mutex_lock (&jar->lock);
  at = jar_find (jar, name, domain, path ? path : "/");
  if (at >= 0)
    {
      jar->entries[at]->handed_out = 1;
      found = &jar->entries[at]->pub;
    }
  pthread_mutex_unlock (&jar->lock);
  return found;
}

void
SocketHTTPClient_CookieJar_clear (SocketHTTPClient_CookieJar_T jar)
{
  assert (jar != NULL);
  pthread_mutex_lock (&jar->lock);
  while (jar->count > 0)
    jar_remove_at (jar, jar->count - 1);
  pthread_mutex_unlock (&jar->lock);
}

void
SocketHTTPClient_CookieJar_clear_expired (SocketHTTPClient_CookieJar_T jar)
{
  time_t now = time (NULL);

  assert (jar != NULL);
  pthread_mutex_lock (&jar->lock);
  for (size_t i = jar->count; i-- > 0;)
    {
      time_t exp = jar->entries[i]->pub.expires;

      if (exp != 0 && exp < now)
        jar_remove_at (jar, i);
    }
  pthread_mutex_unlock (&jar->lock);
}

/* Split @p line into exactly 7 TAB-separated fields (in place). */
static int
split_fields (char *line, char *fields[7])
{
  int n = 0;
  char *p = line;

  for (;;)
    {
      char *tab = strchr (p, '\t');

      if (n == 7)
        return -1;
      fields[n++] = p;
      if (tab == NULL)
        break;
      *tab = '\0';
      p = tab + 1;
    }
  return n == 7 ? 0 : -1;
}

/* One line of a Netscape cookie file; malformed lines are skipped. */
static void
load_line (SocketHTTPClient_CookieJar_T jar, char *line, time_t now)
{
  SocketHTTPClient_Cookie c;
  char *fields[7], *end;
  int http_only = 0;
  long long expires;

  if (strncmp (line, "#HttpOnly_", 10) == 0)
    {
      http_only = 1;
      line += 10;
    }
  else if (line[0] == '#' || line[0] == '\0')
    return;
  if (split_fields (line, fields) != 0 || fields[0][0] == '\0' || fields[2][0] != '/')
    return;
  errno = 0;
  expires = strtoll (fields[4], &end, 10);
  if (errno != 0 || end == fields[4] || *end != '\0' || expires < 0)
    return;
  if (sizeof (time_t) < 8 && expires > INT32_MAX)
    expires = INT32_MAX;
  memset (&c, 0, sizeof c);
  c.domain = fields[0];
  c.path = fields[2];
  c.secure = strcmp (fields[3], "TRUE") == 0;
  c.expires = (time_t)expires;
  c.name = fields[5];
  c.value = fields[6];
  c.http_only = http_only;
  if (cookie_fields_ok (&c) != 0)
    return;
  (void)jar_put (jar, &c, c.domain[0] != '.', now);
}

int
SocketHTTPClient_CookieJar_load (SocketHTTPClient_CookieJar_T jar, const char *filename)
{
  char *line;
  FILE *f;
  time_t now = time (NULL);

  assert (jar != NULL && filename != NULL);
  f = fopen (filename, "r");
  if (f == NULL)
    return -1;
  line = malloc (COOKIE_FILE_MAX_LINE + 2);
  if (line == NULL)
    {
      fclose (f);
      return -1;
    }
  pthread_mutex_lock (&jar->lock);
  while (fgets (line, COOKIE_FILE_MAX_LINE + 2, f) != NULL)
    {
      size_t len = strlen (line);

      if (len > 0 && line[len - 1] != '\n' && !feof (f))
        {
          /* Too long: skip to the end of this line. */
          int ch;

          while ((ch = fgetc (f)) != EOF && ch != '\n')
            ;
          continue;
        }
      if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
      if (len > 0 && line[len - 1] == '\r') /* files written on Windows */
        line[--len] = '\0';
      if (strlen (line) != len) /* an embedded NUL: not a text line */
        continue;
      load_line (jar, line, now);
    }
  pthread_mutex_unlock (&jar->lock);
  free (line);
  fclose (f);
  return 0;
}

int
SocketHTTPClient_CookieJar_save (SocketHTTPClient_CookieJar_T jar, const char *filename)
{
  FILE *f;
  int rc = 0;

  assert (jar != NULL && filename != NULL);
  f = fopen (filename, "w");
  if (f == NULL)
    return -1;
  pthread_mutex_lock (&jar->lock);
  if (fputs ("# Netscape HTTP Cookie File\n"
             "# http://curl.haxx.se/rfc/cookie_spec.html\n"
             "# This file was generated by SocketHTTPClient.\n"
             "\n",
             f)
      == EOF)
    rc = -1;
  for (size_t i = 0; rc == 0 && i < jar->count; i++)
    {
      const SocketHTTPClient_Cookie *c = &jar->entries[i]->pub;

      if (fprintf (f, "%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", c->domain, c->domain[0] == '.' ? "TRUE" : "FALSE",
                   c->path, c->secure ? "TRUE" : "FALSE", (long long)c->expires, c->name, c->value)
          < 0)
        rc = -1;
    }
  pthread_mutex_unlock (&jar->lock);
  if (fclose (f) != 0)
    rc = -1;
  return rc;
}

/* ---- Set-Cookie (RFC 6265 §5.2, §5.3) --------------------------------- */

typedef struct
{
  const char *name, *value;
  size_t name_len, value_len;
  char domain[COOKIE_MAX_DOMAIN + 1]; /* lower case, no leading '.' */
  int have_domain;
  char path[COOKIE_MAX_PATH + 1];
  int have_path;
  int have_max_age, have_expires;
  time_t max_age_expiry, expires;
  int secure, http_only;
  SocketHTTPClient_SameSite same_site;
  int refuse; /* an attribute made the cookie unacceptable */
} SetCookie;

/* Max-Age: -?DIGIT+; delta-seconds <= 0 means "expire now". */
static void
attr_max_age (SetCookie *sc, const char *v, size_t vl, time_t now)
{
  size_t i = 0;
  int neg = 0;
  int64_t delta = 0;

  if (vl > 0 && v[0] == '-')
    {
      neg = 1;
      i = 1;
    }
  if (i == vl)
    return;
  for (; i < vl; i++)
    {
      if (v[i] < '0' || v[i] > '9')
        return;
      if (delta < INT64_C (1000000000000))
        delta = delta * 10 + (v[i] - '0');
    }
  sc->have_max_age = 1;
  if (neg || delta == 0)
    sc->max_age_expiry = 1; /* the earliest representable time: in the past */
  else if (sizeof (time_t) < 8 && delta > (int64_t)INT32_MAX - now)
    sc->max_age_expiry = (time_t)INT32_MAX;
  else
    sc->max_age_expiry = (time_t)((int64_t)now + delta);
}

static void
attr_domain (SetCookie *sc, const char *v, size_t vl)
{
  if (vl > 0 && v[0] == '.')
    {
      v++;
      vl--;
    }
  if (vl == 0) /* §5.2.3: an empty Domain is ignored */
    return;
  if (vl > COOKIE_MAX_DOMAIN || !text_ok (v, vl))
    {
      sc->refuse = 1;
      return;
    }
  for (size_t i = 0; i < vl; i++)
    sc->domain[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] + 32 : v[i]);
  sc->domain[vl] = '\0';
  sc->have_domain = 1;
}

static void
attr_path (SetCookie *sc, const char *v, size_t vl)
{
  if (vl == 0 || v[0] != '/') /* §5.2.4: use the default path */
    {
      sc->have_path = 0;
      return;
    }
  if (vl > COOKIE_MAX_PATH || !text_ok (v, vl))
    {
      sc->refuse = 1;
      return;
    }
  memcpy (sc->path, v, vl);
  sc->path[vl] = '\0';
  sc->have_path = 1;
}

static void
parse_attribute (SetCookie *sc, const char *a, size_t al, time_t now)
{
  const char *eq = memchr (a, '=', al);
  const char *n = a, *v = "";
  size_t nl = al, vl = 0;

  if (eq != NULL)
    {
      nl = (size_t)(eq - a);
      v = eq + 1;
      vl = al - nl - 1;
    }
  trim_wsp (&n, &nl);
  trim_wsp (&v, &vl);
#define ATTR_IS(lit) (nl == sizeof (lit) - 1 && strncasecmp (n, lit, nl) == 0)
  if (ATTR_IS ("expires"))
    {
      time_t t;

      if (parse_cookie_date (v, vl, &t) == 0)
        {
          sc->expires = t < 1 ? 1 : t;
          sc->have_expires = 1;
        }
    }
  else if (ATTR_IS ("max-age"))
    attr_max_age (sc, v, vl, now);
  else if (ATTR_IS ("domain"))
    attr_domain (sc, v, vl);
  else if (ATTR_IS ("path"))
    attr_path (sc, v, vl);
  else if (ATTR_IS ("secure"))
    sc->secure = 1;
  else if (ATTR_IS ("httponly"))
    sc->http_only = 1;
  else if (ATTR_IS ("samesite"))
    {
      /* RFC 6265bis: an unknown value leaves the attribute unset. */
      if (vl == 6 && strncasecmp (v, "strict", 6) == 0)
        sc->same_site = COOKIE_SAMESITE_STRICT;
      else if (vl == 3 && strncasecmp (v, "lax", 3) == 0)
        sc->same_site = COOKIE_SAMESITE_LAX;
      else if (vl == 4 && strncasecmp (v, "none", 4) == 0)
        sc->same_site = COOKIE_SAMESITE_NONE;
    }
#undef ATTR_IS
}

/* §5.2 steps 1-6; 0 when the name-value pair is acceptable. */
static int
parse_set_cookie (SetCookie *sc, const char *s, size_t len, time_t now)
{
  const char *semi = memchr (s, ';', len);
  size_t pair_len = semi ? (size_t)(semi - s) : len;
  const char *eq = memchr (s, '=', pair_len);
  const char *attrs;

  memset (sc, 0, sizeof *sc);
  if (eq == NULL)
    return -1;
  sc->name = s;
  sc->name_len = (size_t)(eq - s);
  sc->value = eq + 1;
  sc->value_len = pair_len - sc->name_len - 1;
  trim_wsp (&sc->name, &sc->name_len);
  trim_wsp (&sc->value, &sc->value_len);
  if (!name_ok (sc->name, sc->name_len) || !text_ok (sc->value, sc->value_len)
      || sc->name_len + sc->value_len > COOKIE_MAX_NAME_VALUE)
    return -1;
  attrs = semi;
  while (attrs != NULL && !sc->refuse)
    {
      const char *a = attrs + 1;
      size_t rest = len - (size_t)(a - s);
      const char *next = memchr (a, ';', rest);
      size_t al = next ? (size_t)(next - a) : rest;

      parse_attribute (sc, a, al, now);
      attrs = next;
    }
  return sc->refuse ? -1 : 0;
}

/* Cookies ignore ports (RFC 6265 §8.5): drop a ":port" that a caller
 * may have left on the host, and the brackets of an IPv6 literal. */
static void
strip_port (const char **host, size_t *len)
{
  const char *h = *host;
  const char *colon = NULL;

  for (size_t i = *len; i > 0; i--) /* last ':' (memrchr is not portable) */
    if (h[i - 1] == ':')
      {
        colon = h + i - 1;
        break;
      }

  if (*len > 0 && h[0] == '[')
    {
      const char *close = memchr (h, ']', *len);

      if (close != NULL)
        {
          *host = h + 1;
          *len = (size_t)(close - h - 1);
        }
      return;
    }
  if (colon != NULL && memchr (h, ':', (size_t)(colon - h)) == NULL) /* one ':' only: not IPv6 */
    {
      size_t digits = *len - (size_t)(colon - h) - 1;

      if (digits > 0 && strspn (colon + 1, "0123456789") >= digits)
        *len = (size_t)(colon - h);
    }
}

/* Lower-case copy of the request host without a port or a trailing '.';
 * -1 if it is empty or too long. */
static int
canonical_host (const char *host, char out[COOKIE_MAX_DOMAIN + 1])
{
  size_t len = host ? strlen (host) : 0;

  if (len > 0)
    strip_port (&host, &len);
  if (len > 0 && host[len - 1] == '.')
    len--;
  if (len == 0 || len > COOKIE_MAX_DOMAIN || !text_ok (host, len))
    return -1;
  for (size_t i = 0; i < len; i++)
    out[i] = (char)((host[i] >= 'A' && host[i] <= 'Z') ? host[i] + 32 : host[i]);
  out[len] = '\0';
  return 0;
}

/* A non-secure response may not shadow a Secure cookie (RFC 6265bis
 * §5.7 step 16): same name, domains matching either way, paths matching. */
static int
shadows_secure (SocketHTTPClient_CookieJar_T jar, const SetCookie *sc, const char *name, const char *domain)
{
  for (size_t i = 0; i < jar->count; i++)
    {
      const SocketHTTPClient_Cookie *c = &jar->entries[i]->pub;
      const char *cd = undot (c->domain);

      if (!c->secure || strcmp (c->name, name) != 0)
        continue;
      if ((domain_match (domain, cd) || domain_match (cd, domain))
          && path_match (sc->path, strlen (sc->path), c->path))
        return 1;
    }
  return 0;
}

int
httpclient_cookie_store (SocketHTTPClient_CookieJar_T jar, const char *request_host, const char *request_path,
                         int secure_channel, const char *set_cookie, size_t set_cookie_len, time_t now)
{
  SetCookie sc;
  SocketHTTPClient_Cookie c;
  char host[COOKIE_MAX_DOMAIN + 1], domain[COOKIE_MAX_DOMAIN + 2];
  char name[COOKIE_MAX_NAME_VALUE + 1], value[COOKIE_MAX_NAME_VALUE + 1];
  int host_only, rc = 0;

  if (jar == NULL || set_cookie == NULL || set_cookie_len > HTTPCLIENT_COOKIE_MAX_HEADER)
    return 0;
  if (canonical_host (request_host, host) != 0)
    return 0;
  if (parse_set_cookie (&sc, set_cookie, set_cookie_len, now) != 0)
    return 0;
  if (sc.have_domain && is_public_suffix (sc.domain))
    {
      if (strcmp (sc.domain, host) != 0)
        return 0; /* §5.3 step 5: a registry suffix may not set cookies */
      sc.have_domain = 0;
    }
  if (sc.have_domain)
    {
      if (!domain_match (host, sc.domain))
        return 0;
      host_only = 0;
      domain[0] = '.';
      strcpy (domain + 1, sc.domain);
    }
  else
    {
      host_only = 1;
      strcpy (domain, host);
    }
  if (!sc.have_path)
    default_path (request_path, sc.path);
  if (sc.secure && !secure_channel)
    return 0;
  memcpy (name, sc.name, sc.name_len);
  name[sc.name_len] = '\0';
  memcpy (value, sc.value, sc.value_len);
  value[sc.value_len] = '\0';
  /* RFC 6265bis §4.1.3 name prefixes. */
  if (strncmp (name, "__Secure-", 9) == 0 && !sc.secure)
    return 0;
  if (strncmp (name, "__Host-", 7) == 0 && (!sc.secure || !host_only || strcmp (sc.path, "/") != 0))
    return 0;
  memset (&c, 0, sizeof c);
  c.name = name;
  c.value = value;
  c.domain = domain;
  c.path = sc.path;
  c.secure = sc.secure;
  c.http_only = sc.http_only;
  c.same_site = sc.same_site;
  c.expires = sc.have_max_age ? sc.max_age_expiry : sc.have_expires ? sc.expires : 0;

  pthread_mutex_lock (&jar->lock);
  if (!secure_channel && shadows_secure (jar, &sc, name, undot (domain)))
    rc = 0;
  else if (c.expires != 0 && c.expires <= now)
    jar_delete (jar, name, domain, sc.path);
  else
    rc = jar_put (jar, &c, host_only, now) == 0;
  pthread_mutex_unlock (&jar->lock);
  return rc;
}

/* ---- Cookie header (RFC 6265 §5.4) ------------------------------------ */

static int
cmp_for_header (const void *a, const void *b)
{
  const CookieEntry *x = *(CookieEntry *const *)a, *y = *(CookieEntry *const *)b;
  size_t xl = strlen (x->pub.path), yl = strlen (y->pub.path);

  if (xl != yl)
    return xl > yl ? -1 : 1;
  return x->creation < y->creation ? -1 : x->creation > y->creation;
}

static int
applies (const CookieEntry *e, const char *host, const char *path, size_t plen, int secure_channel, time_t now)
{
  const SocketHTTPClient_Cookie *c = &e->pub;

  if (c->expires != 0 && c->expires <= now)
    return 0;
  if (c->secure && !secure_channel)
    return 0;
  if (e->host_only ? strcasecmp (undot (c->domain), host) != 0 : !domain_match (host, undot (c->domain)))
    return 0;
  return path_match (path, plen, c->path);
}

size_t
httpclient_cookie_header (SocketHTTPClient_CookieJar_T jar, const char *request_host, const char *request_path,
                          int secure_channel, time_t now, char *out, size_t out_size)
{
  char host[COOKIE_MAX_DOMAIN + 1];
  const char *path = (request_path && request_path[0] == '/') ? request_path : "/";
  size_t plen = path_len (path), n = 0, len = 0, limit;
  CookieEntry **picked;

  if (out == NULL || out_size == 0)
    return 0;
  out[0] = '\0';
  if (jar == NULL || canonical_host (request_host, host) != 0)
    return 0;
  limit = out_size - 1 < HTTPCLIENT_COOKIE_MAX_HEADER ? out_size - 1 : HTTPCLIENT_COOKIE_MAX_HEADER;
  pthread_mutex_lock (&jar->lock);
  picked = malloc ((jar->count ? jar->count : 1) * sizeof *picked);
  if (picked == NULL)
    {
      pthread_mutex_unlock (&jar->lock);
      return 0;
    }
  for (size_t i = 0; i < jar->count; i++)
    if (applies (jar->entries[i], host, path, plen, secure_channel, now))
      picked[n++] = jar->entries[i];
  qsort (picked, n, sizeof *picked, cmp_for_header);
  for (size_t i = 0; i < n; i++)
    {
      const SocketHTTPClient_Cookie *c = &picked[i]->pub;
      size_t nl = strlen (c->name), vl = strlen (c->value);
      size_t need = (len ? 2 : 0) + nl + 1 + vl;

      if (need > limit - len)
        continue; /* does not fit: leave it out whole */
      if (len)
        {
          memcpy (out + len, "; ", 2);
          len += 2;
        }
      memcpy (out + len, c->name, nl);
      out[len + nl] = '=';
      memcpy (out + len + nl + 1, c->value, vl);
      len += nl + 1 + vl;
      picked[i]->last_access = ++jar->clock;
    }
  out[len] = '\0';
  pthread_mutex_unlock (&jar->lock);
  free (picked);
  return len;
}
