/* shim_protect.c - SocketIPTracker and SocketSYNProtect shims (catch and
 * convert only; see shim.h). Go strings arrive as pointer + length and are
 * copied into a C string first. */
#include "shim_protect.h"

#define IP_BUF 256

#define IP_ARG(buf, ip, n, e, exc)                                            \
  char buf[IP_BUF];                                                           \
  if (go_cstr (buf, sizeof buf, (ip), (n)) < 0)                               \
  return go_fail ((e), (exc), 0, "IP string too long or holds a NUL byte")

#define TRACKER_IP(buf, ip, n, e) IP_ARG (buf, ip, n, e, "SocketIPTracker_Failed")
#define SYN_IP(buf, ip, n, e) IP_ARG (buf, ip, n, e, "SocketSYNProtect_Failed")

/* ---- SocketIPTracker ------------------------------------------------------ */

int
go_SocketIPTracker_new (int max_per_ip, size_t max_unique, SocketIPTracker_T *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    *out = SocketIPTracker_new (NULL, max_per_ip);
    SocketIPTracker_setmaxunique (*out, max_unique);
  });
  return rc;
}

void
go_SocketIPTracker_free (SocketIPTracker_T t)
{
  GO_NOCB_ENTER ();
  SocketIPTracker_free (&t);
  GO_NOCB_LEAVE ();
}

int
go_SocketIPTracker_track (SocketIPTracker_T t, const char *ip, size_t n, int *ok, GoErr *e)
{
  volatile int rc = 0;
  TRACKER_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *ok = SocketIPTracker_track (t, buf));
  return rc;
}

int
go_SocketIPTracker_release (SocketIPTracker_T t, const char *ip, size_t n, GoErr *e)
{
  volatile int rc = 0;
  TRACKER_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, SocketIPTracker_release (t, buf));
  return rc;
}

int
go_SocketIPTracker_count (SocketIPTracker_T t, const char *ip, size_t n, int *count, GoErr *e)
{
  volatile int rc = 0;
  TRACKER_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *count = SocketIPTracker_count (t, buf));
  return rc;
}

int
go_SocketIPTracker_setmax (SocketIPTracker_T t, int max_per_ip, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketIPTracker_setmax (t, max_per_ip));
  return rc;
}

int
go_SocketIPTracker_info (SocketIPTracker_T t, int *max_per_ip, size_t *total, size_t *unique,
                         GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, {
    *max_per_ip = SocketIPTracker_getmax (t);
    *total = SocketIPTracker_total (t);
    *unique = SocketIPTracker_unique_ips (t);
  });
  return rc;
}

int
go_SocketIPTracker_clear (SocketIPTracker_T t, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketIPTracker_clear (t));
  return rc;
}

/* ---- SocketSYNProtect ------------------------------------------------------ */

int
go_SocketSYNProtect_config_defaults (SocketSYNProtect_Config *cfg, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketSYNProtect_config_defaults (cfg));
  return rc;
}

int
go_SocketSYNProtect_new (const SocketSYNProtect_Config *cfg, SocketSYNProtect_T *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *out = SocketSYNProtect_new (NULL, cfg));
  return rc;
}

void
go_SocketSYNProtect_free (SocketSYNProtect_T p)
{
  GO_NOCB_ENTER ();
  SocketSYNProtect_free (&p);
  GO_NOCB_LEAVE ();
}

int
go_SocketSYNProtect_check (SocketSYNProtect_T p, const char *ip, size_t n, int *action, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *action = (int)SocketSYNProtect_check (p, buf, NULL));
  return rc;
}

int
go_SocketSYNProtect_report (SocketSYNProtect_T p, const char *ip, size_t n, int success,
                            GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  if (success)
    GO_CALL_NOCB (rc, e, SocketSYNProtect_report_success (p, buf));
  else
    GO_CALL_NOCB (rc, e, SocketSYNProtect_report_failure (p, buf, 0));
  return rc;
}

int
go_SocketSYNProtect_whitelist_add (SocketSYNProtect_T p, const char *ip, size_t n, int cidr,
                                   int *ok, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  if (cidr)
    GO_CALL_NOCB (rc, e, *ok = SocketSYNProtect_whitelist_add_cidr (p, buf));
  else
    GO_CALL_NOCB (rc, e, *ok = SocketSYNProtect_whitelist_add (p, buf));
  return rc;
}

int
go_SocketSYNProtect_whitelist_remove (SocketSYNProtect_T p, const char *ip, size_t n, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, SocketSYNProtect_whitelist_remove (p, buf));
  return rc;
}

int
go_SocketSYNProtect_whitelist_contains (SocketSYNProtect_T p, const char *ip, size_t n,
                                        int *yes, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *yes = SocketSYNProtect_whitelist_contains (p, buf));
  return rc;
}

int
go_SocketSYNProtect_blacklist_add (SocketSYNProtect_T p, const char *ip, size_t n,
                                   int duration_ms, int *ok, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *ok = SocketSYNProtect_blacklist_add (p, buf, duration_ms));
  return rc;
}

int
go_SocketSYNProtect_blacklist_remove (SocketSYNProtect_T p, const char *ip, size_t n, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, SocketSYNProtect_blacklist_remove (p, buf));
  return rc;
}

int
go_SocketSYNProtect_blacklist_contains (SocketSYNProtect_T p, const char *ip, size_t n,
                                        int *yes, GoErr *e)
{
  volatile int rc = 0;
  SYN_IP (buf, ip, n, e);
  GO_CALL_NOCB (rc, e, *yes = SocketSYNProtect_blacklist_contains (p, buf));
  return rc;
}

int
go_SocketSYNProtect_stats (SocketSYNProtect_T p, SocketSYNProtect_Stats *s, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketSYNProtect_stats (p, s));
  return rc;
}

int
go_SocketSYNProtect_cleanup (SocketSYNProtect_T p, size_t *removed, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *removed = SocketSYNProtect_cleanup (p));
  return rc;
}

int
go_SocketSYNProtect_reset (SocketSYNProtect_T p, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketSYNProtect_reset (p));
  return rc;
}
