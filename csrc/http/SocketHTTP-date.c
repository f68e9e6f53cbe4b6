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
static const char *const day_long[] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday" };
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

/* Case-insensitive match of one of @p names; returns its index or -1. */
static int
name (cur_t *c, const char *const *names, int count)
{
  for (int i = 0; i < count; i++)
    {
      size_t k = strlen (names[i]);
      if (c->n >= k && SocketHTTP__casecmp_eq (c->p, names[i], k))
        {
          c->p += k, c->n -= k;
          return i;
        }
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

/* IMF-fixdate after "Sun": ", 06 Nov 1994 08:49:37 GMT" */
static int
parse_imf (cur_t *c, date_fields *f)
{
  return lit (c, ", ") && digits (c, 2, &f->day) && lit (c, " ")
         && (f->month = name (c, months, 12)) >= 0 && lit (c, " ") && digits (c, 4, &f->year)
         && lit (c, " ") && time_of_day (c, f) && lit (c, " GMT") && c->n == 0;
}

/* asctime after "Sun": " Nov  6 08:49:37 1994" */
static int
parse_asctime (cur_t *c, date_fields *f)
{
  if (!lit (c, " ") || (f->month = name (c, months, 12)) < 0 || !lit (c, " "))
    return 0;
  if (!(lit (c, " ") ? digits (c, 1, &f->day) : digits (c, 2, &f->day)))
    return 0;
  return lit (c, " ") && time_of_day (c, f) && lit (c, " ") && digits (c, 4, &f->year)
         && c->n == 0;
}

/* Two-digit years (RFC 9110 5.6.7): more than 50 years ahead means the
 * previous century. */
static int
expand_year (int yy)
{
  int64_t y;
  unsigned m, d;
  int cur, cand;
  civil_from_days ((int64_t)(time (NULL) / 86400), &y, &m, &d);
  cur = (int)y;
  cand = cur / 100 * 100 + yy;
  if (cand > cur + 50)
    cand -= 100;
  else if (cand < cur - 49)
    cand += 100;
  return cand;
}

/* rfc850-date after "Sunday": ", 06-Nov-94 08:49:37 GMT" */
static int
parse_rfc850 (cur_t *c, date_fields *f)
{
  int yy;
  if (!(lit (c, ", ") && digits (c, 2, &f->day) && lit (c, "-")
        && (f->month = name (c, months, 12)) >= 0 && lit (c, "-") && digits (c, 2, &yy)
        && lit (c, " ") && time_of_day (c, f) && lit (c, " GMT") && c->n == 0))
    return 0;
  f->year = expand_year (yy);
  return 1;
}

static int
days_in_month (int year, int month0)
{
  static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return dm[month0] + (month0 == 1 && leap);
}

int
SocketHTTP_date_parse (const char *date_str, size_t len, time_t *time_out)
{
  date_fields f = { 0, 0, 0, 0, 0, 0 };
  cur_t c = { date_str, len };
  int ok;
  int64_t days;
  if (date_str == NULL || time_out == NULL)
    return -1;
  if (name (&c, day_long, 7) >= 0)
    ok = parse_rfc850 (&c, &f);
  else if (name (&c, day_short, 7) >= 0)
    ok = (c.n > 0 && c.p[0] == ',') ? parse_imf (&c, &f) : parse_asctime (&c, &f);
  else
    ok = 0;
  if (!ok || f.year < 1 || f.day < 1 || f.day > days_in_month (f.year, f.month) || f.hour > 23
      || f.min > 59 || f.sec > 60)
    return -1;
  if (f.sec == 60)
    f.sec = 59; /* leap second: time_t has no slot for it */
  days = SocketHTTP__days_from_civil (f.year, (unsigned)f.month + 1, (unsigned)f.day);
  *time_out = (time_t)(days * 86400 + f.hour * 3600 + f.min * 60 + f.sec);
  return 0;
}

int
SocketHTTP_date_format (time_t t, char *output)
{
  int64_t days, secs, y;
  unsigned m, d;
  if (output == NULL || t < 0)
    return -1;
  days = (int64_t)t / 86400;
  secs = (int64_t)t % 86400;
  civil_from_days (days, &y, &m, &d);
  if (y > 9999)
    return -1;
  /* 1970-01-01 was a Thursday (index 3 with Monday = 0). */
  snprintf (output, SOCKETHTTP_DATE_BUFSIZE, "%s, %02u %s %04d %02d:%02d:%02d GMT",
            day_short[(days + 3) % 7], d, months[m - 1], (int)y, (int)(secs / 3600),
            (int)(secs / 60 % 60), (int)(secs % 60));
  return 29;
}
