/*
 * fuzz_ipaddr.c - IP and CIDR text as SocketIPTracker and SocketSYNProtect
 * see it: parsing agrees with inet_pton, a key's canonical text maps back to
 * the same key, a parsed CIDR is normalised and contains its own network,
 * and the public calls
 * (whitelist CIDR add/contains/remove, check, track/count/release) stay
 * consistent on arbitrary input. abort() on any disagreement.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/SocketIPTable-private.h"
#include "core/SocketIPTracker.h"
#include "core/SocketSYNProtect.h"
#include "fuzz_common.h"

static SocketSYNProtect_T protect;
static SocketIPTracker_T tracker;

static void
check_key (const char *s)
{
  SocketIP__Key k, again;
  SocketIP__Addr a, b;
  unsigned char raw[16];
  int pton4 = inet_pton (AF_INET, s, raw) == 1;
  int pton6 = !pton4 && strlen (s) < SOCKET_IP_MAX_LEN && inet_pton (AF_INET6, s, raw) == 1;
  int parsed = SocketIP__parse (s, &a);

  CHECK (parsed == (pton4 || pton6) || strlen (s) >= SOCKET_IP_MAX_LEN);
  char text[SOCKET_IP_MAX_LEN];
  SocketIP__key (s, &k);
  CHECK (k.len <= SOCKET_IP_MAX_LEN);
  CHECK ((k.len == 0) == (s[0] == '\0'));
  SocketIP__key_text (&k, text);
  CHECK (strlen (text) < SOCKET_IP_MAX_LEN);
  if (k.len > 0)
    {
      /* The canonical text names the same key (an address needs at most
         45 characters, so a cut string key never turns into one). */
      CHECK (text[0] != '\0');
      SocketIP__key (text, &again);
      CHECK (again.len == k.len && memcmp (again.data, k.data, k.len) == 0);
    }
  if (parsed)
    {
      CHECK (SocketIP__parse (text, &b));
      CHECK (a.family == b.family && memcmp (a.bytes, b.bytes, 16) == 0);
    }
}

static void
check_cidr (const char *s)
{
  SocketIP__Cidr c, again;
  char text[SOCKET_IP_MAX_LEN + 8], addr[SOCKET_IP_MAX_LEN];

  if (!SocketIP__parse_cidr (s, &c))
    {
      if (strchr (s, '/') != NULL)
        CHECK (SocketSYNProtect_whitelist_add_cidr (protect, s) == 0);
      return;
    }
  int max = c.net.family == AF_INET ? 32 : 128;
  CHECK (c.net.family == AF_INET || c.net.family == AF_INET6);
  CHECK (c.prefix >= 0 && c.prefix <= max);
  for (int bit = c.prefix; bit < max; bit++)
    CHECK ((c.net.bytes[bit / 8] & (0x80u >> (bit % 8))) == 0);
  CHECK (SocketIP__cidr_match (&c, &c.net));
  CHECK (inet_ntop (c.net.family, c.net.bytes, addr, sizeof addr) != NULL);
  snprintf (text, sizeof text, "%s/%d", addr, c.prefix);
  CHECK (SocketIP__parse_cidr (text, &again));
  CHECK (again.prefix == c.prefix && again.net.family == c.net.family
         && memcmp (again.net.bytes, c.net.bytes, 16) == 0);
  /* Through the API: the network address is whitelisted, then not. */
  CHECK (SocketSYNProtect_whitelist_add_cidr (protect, s) == 1);
  CHECK (SocketSYNProtect_whitelist_contains (protect, addr) == 1);
  CHECK (SocketSYNProtect_check (protect, addr, NULL) == SYN_ACTION_ALLOW);
  SocketSYNProtect_whitelist_remove (protect, text);
  CHECK (SocketSYNProtect_whitelist_contains (protect, addr) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s = xmalloc (size + 1);
  SocketSYN_IPState st;

  if (protect == NULL)
    {
      SocketSYNProtect_Config c;
      SocketSYNProtect_config_defaults (&c);
      c.max_tracked_ips = 64;
      c.max_global_per_second = 1 << 30;
      protect = SocketSYNProtect_new (NULL, &c);
      tracker = SocketIPTracker_new (NULL, 2);
    }
  memcpy (s, data, size);
  s[size] = '\0'; /* text up to the first NUL */

  check_key (s);
  check_cidr (s);

  SocketSYN_Action a = SocketSYNProtect_check (protect, s, &st);
  CHECK (a >= SYN_ACTION_ALLOW && a <= SYN_ACTION_BLOCK);
  CHECK (SocketSYNProtect_get_ip_state (protect, s, &st) == (s[0] != '\0'));
  SocketSYNProtect_report_failure (protect, s, 0);
  SocketSYNProtect_blacklist_add (protect, s, 0);
  CHECK (SocketSYNProtect_blacklist_contains (protect, s) == (s[0] != '\0'));
  SocketSYNProtect_reset (protect);

  CHECK (SocketIPTracker_track (tracker, s) == 1);
  CHECK (SocketIPTracker_count (tracker, s) == (s[0] != '\0'));
  SocketIPTracker_release (tracker, s);
  CHECK (SocketIPTracker_count (tracker, s) == 0 && SocketIPTracker_total (tracker) == 0);
  free (s);
  return 0;
}
