/*
 * SocketHTTP-date.c - HTTP-date (RFC 9110 section 5.6.7): parse the three
 * historic forms, format IMF-fixdate. Calendar arithmetic is done here
 * (days-from-civil and back), so neither the locale, the TZ variable nor
 * the platform's time_t range of gmtime/timegm is involved.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTP-private.h"

static const char *const day_short[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

int64_t
SocketHTTP__days_from_civil (int64_t y, unsigned m, unsigned d)
{
  int64_t era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days (int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  int64_t era;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Input cursor. */
typedef struct
{
  const char *p;
  size_t n;
} cur_t;

static int
lit (cur_t *c, const char *s)
{
  size_t k = strlen (s);
  if (c->n < k || memcmp (c->p, s, k) != 0)
    return 0;
  c->p += k, c->n -= k;
  return 1;
}

static int
digits (cur_t *c, size_t count, int *out)
{
  int v = 0;
  if (c->n < count)
    return 0;
  for (size_t i = 0; i < count; i++)
    {
      if (!HTTP_IS (c->p[i], HTTP_C_DIGIT))
        return 0;
      v = v * 10 + (c->p[i] - '0');
    }
  c->p += count, c->n -= count;
  *out = v;
  return 1;
}

/* Case-insensitive month name; its index or -1. */
static int
month (cur_t *c)
{
  for (int i = 0; i < 12; i++)
    if (c->n >= 3 && SocketHTTP__casecmp_eq (c->p, months[i], 3))
      {
        c->p += 3, c->n -= 3;
        return i;
      }
  return -1;
}

typedef struct
{
  int year, month, day, hour, min, sec;
} date_fields;

static int
time_of_day (cur_t *c, date_fields *f)
{
  return digits (c, 2, &f->hour) && lit (c, ":") && digits (c, 2, &f->min) && lit (c, ":")
         && digits (c, 2, &f->sec);
}

/* IMF-fixdate after the comma: " 06 Nov 1994 08:49:37 GMT" */
static int
parse_imf (cur_t *c, date_fields *f)
{
  return lit (c, " ") && digits (c, 2, &f->day) && lit (c, " ") && (f->month = month (c)) >= 0
         && lit (c, " ") && digits (c, 4, &f->year) && lit (c, " ") && time_of_day (c, f)
         && lit (c, " GMT");
}

/* rfc850-date after the comma: " 06-Nov-94 08:49:37 GMT". Two-digit years
 * as the original reads them: 69-99 -> 19xx, 00-68 -> 20xx. */
static int
parse_rfc850 (cur_t *c, date_fields *f)
{
  int yy;
  if (!(lit (c, " ") && digits (c, 2, &f->day) && lit (c, "-") && (f->month = month (c)) >= 0
        && lit (c, "-") && digits (c, 2, &yy) && lit (c, " ") && time_of_day (c, f)
        && lit (c, " GMT")))
    return 0;
  f->year = yy >= 69 ? 1900 + yy : 2000 + yy;
  return 1;
}

/* asctime after the 3-character weekday: " Nov  6 08:49:37 1994" (the day
 * after one or more spaces, one or two digits). */
static int
parse_asctime (cur_t *c, date_fields *f)
{
  if (!lit (c, " ") || (f->month = month (c)) < 0 || !lit (c, " "))
    return 0;
  while (c->n > 0 && (c->p[0] == ' ' || c->p[0] == '\t'))
    c->p++, c->n--;
  if (!(digits (c, 2, &f->day) || digits (c, 1, &f->day)))
    return 0;
  return lit (c, " ") && time_of_day (c, f) && lit (c, " ") && digits (c, 4, &f->year);
}

/* The cursor just after the first ',' of [p, p+n). */
static cur_t
after_comma (const char *p, size_t n)
{
  const char *comma = memchr (p, ',', n);
  cur_t c = { comma + 1, n - (size_t)(comma + 1 - p) };
  return c;
}

/*
 * The original's reading (kept for compatibility): len 0 means strlen,
 * leading SP/HTAB skipped, text after the date ignored, the weekday not
 * checked (IMF-fixdate: a ',' at index 3; rfc850: a ',' at index 3..9;
 * asctime: a ' ' at index 3), the same minimum lengths (29, 26, 24), day
 * 1..31 not checked against the month (Feb 30 is Mar 1/2), second 60 rolls
 * into the next minute; all through timegm-like arithmetic.
 */
int
SocketHTTP_date_parse (const char *date_str, size_t len, time_t *time_out)
{
  date_fields f = { 0, 0, 0, 0, 0, 0 };
  const char *s;
  int ok = 0;
  int64_t days;
  if (date_str == NULL || time_out == NULL)
    return -1;
  if (len == 0)
    len = strlen (date_str);
  s = date_str;
  while (len > 0 && (s[0] == ' ' || s[0] == '\t'))
    s++, len--;
  if (len >= 29 && s[3] == ',')
    {
      cur_t c = after_comma (s, len);
      ok = parse_imf (&c, &f);
    }
  if (!ok && len >= 26 && memchr (s + 3, ',', 7) != NULL)
    {
      cur_t c = after_comma (s, len);
      ok = parse_rfc850 (&c, &f);
    }
  if (!ok && len >= 24 && s[3] == ' ')
    {
      cur_t c = { s + 3, len - 3 };
      ok = parse_asctime (&c, &f);
    }
  if (!ok || f.day < 1 || f.day > 31 || f.hour > 23 || f.min > 59 || f.sec > 60)
    return -1;
  days = SocketHTTP__days_from_civil (f.year, (unsigned)f.month + 1, 1) + f.day - 1;
  *time_out = (time_t)(days * 86400 + f.hour * 3600 + f.min * 60 + f.sec);
  return 0;
}

int
SocketHTTP_date_format (time_t t, char *output)
{
  int64_t days, secs, y;
  unsigned m, d;
  if (output == NULL)
    return -1;
  /* floor division: times before 1970 format as the original's gmtime does */
  days = (int64_t)t / 86400;
  secs = (int64_t)t % 86400;
  if (secs < 0)
    secs += 86400, days--;
  civil_from_days (days, &y, &m, &d);
  if (y < -999 || y > 9999) /* the text must fit in 29 characters */
    return -1;
  /* 1970-01-01 was a Thursday (index 3 with Monday = 0). */
  snprintf (output, SOCKETHTTP_DATE_BUFSIZE, "%s, %02u %s %04d %02d:%02d:%02d GMT",
            day_short[((days + 3) % 7 + 7) % 7], d, months[m - 1], (int)y, (int)(secs / 3600),
            (int)(secs / 60 % 60), (int)(secs % 60));
  return 29;
}
