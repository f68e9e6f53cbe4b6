/* test_socketcommon.c - the shared helpers: resolution, validation,
 * endpoint formatting, CIDR, iovec arithmetic, base objects and options,
 * bind helpers, addrinfo copies, defaults and the shared resolver. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

#include "SocketTestUtil.h"
#include "Test.h"
#include "socket/Socket-private.h"
#include "socket/Socket.h"
#include "socket/SocketCommon.h"
#include "socket/SocketDgram.h"

TEST (hints_and_resolve_numeric)
{
  struct addrinfo hints, *res = NULL;
  char host[64];

  SocketCommon_setup_hints (&hints, SOCK_STREAM, AI_PASSIVE);
  ASSERT_EQ (hints.ai_family, AF_UNSPEC);
  ASSERT_EQ (hints.ai_socktype, SOCK_STREAM);
  ASSERT_EQ (hints.ai_flags, AI_PASSIVE);
  SocketCommon_setup_hints (&hints, SOCK_STREAM, 0);
  ASSERT_EQ (SocketCommon_resolve_address ("127.0.0.1", 8080, &hints, &res,
                                           Socket_Failed, AF_INET, 1),
             0);
  ASSERT (res != NULL);
  ASSERT_EQ (res->ai_family, AF_INET);
  ASSERT_EQ (ntohs (((struct sockaddr_in *)res->ai_addr)->sin_port), 8080);
  inet_ntop (AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, host,
             sizeof host);
  ASSERT_STREQ (host, "127.0.0.1");
  freeaddrinfo (res);
  ASSERT_EQ (SocketCommon_resolve_address ("::1", 1, NULL, &res,
                                           Socket_Failed, AF_INET6, 1),
             0);
  ASSERT_EQ (res->ai_family, AF_INET6);
  freeaddrinfo (res);
  /* Passive wildcard: socket_family only requires one entry of that
   * family; the list keeps the others (as the original). */
  ASSERT_EQ (SocketCommon_resolve_address (NULL, 0, &hints, &res,
                                           Socket_Failed, AF_INET6, 1),
             0);
  {
    const struct addrinfo *ai = res;
    while (ai != NULL && ai->ai_family != AF_INET6)
      ai = ai->ai_next;
    ASSERT (ai != NULL);
    ASSERT (IN6_IS_ADDR_UNSPECIFIED (
        &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr));
  }
  freeaddrinfo (res);
  /* localhost goes through the shared resolver. */
  ASSERT_EQ (SocketCommon_resolve_address ("localhost", 80, &hints, &res,
                                           Socket_Failed, AF_INET, 1),
             0);
  {
    const struct addrinfo *ai = res;
    while (ai != NULL && ai->ai_family != AF_INET)
      ai = ai->ai_next;
    ASSERT (ai != NULL);
  }
  SocketCommon_free_addrinfo (res);
}

TEST (resolve_failures_with_and_without_exceptions)
{
  struct addrinfo *res = (struct addrinfo *)1;

  ASSERT_EQ (SocketCommon_resolve_address ("::1", 80, NULL, &res,
                                           Socket_Failed, AF_INET, 0),
             -1);
  ASSERT (res == NULL);
  ASSERT_EQ (SocketCommon_resolve_address ("127.0.0.1", 70000, NULL, &res,
                                           Socket_Failed, AF_INET, 0),
             -1);
  ASSERT_EQ (SocketCommon_resolve_address ("x", 1, NULL, NULL, Socket_Failed,
                                           AF_INET, 0),
             -1);
  /* The caller's exception is raised, not a generic one. */
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketCommon_resolve_address ("::1", 80, NULL, &res,
                                                   SocketDgram_Failed,
                                                   AF_INET, 1)),
             1);
  ASSERT (strstr (Socket_GetLastError (), "::1") != NULL);
  /* A name that fails validation raises without any DNS query (tests
   * never send queries off the machine). */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_resolve_address ("no_such_host", 80, NULL, &res,
                                                   Socket_Failed, AF_INET, 1)),
             1);
}

TEST (validation_and_wildcards)
{
  char longname[300];

  SocketCommon_validate_port (0, Socket_Failed);
  SocketCommon_validate_port (65535, Socket_Failed);
  ASSERT_EQ (RAISES (Socket_Failed, SocketCommon_validate_port (-1,
                                                                Socket_Failed)),
             1);
  ASSERT_STREQ (Socket_GetLastError (),
                "Invalid port number: -1 (must be 0-65535, 0 = OS-assigned)");
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketCommon_validate_port (65536, SocketDgram_Failed)),
             1);
  SocketCommon_validate_hostname ("example.com", Socket_Failed);
  SocketCommon_validate_hostname ("a-b.c-d.e", Socket_Failed);
  SocketCommon_validate_hostname ("trail-.example", Socket_Failed);
  SocketCommon_validate_hostname (NULL, Socket_Failed);
  /* The original's RFC 1123 rules: no '_', no empty label (trailing dot),
   * no scoped literal (parse_ip refuses "%scope"). */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("a-b.c_d.e",
                                                     Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("example.com.",
                                                     Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("fe80::1%lo",
                                                     Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("", Socket_Failed)),
             1);
  {
    int fam = -1;
    ASSERT_EQ (SocketCommon_parse_ip ("fe80::1%lo", &fam), 0);
    ASSERT_EQ (fam, AF_UNSPEC);
    ASSERT_EQ (SocketCommon_parse_ip ("[::1]", &fam), 0);
    ASSERT_EQ (SocketCommon_parse_ip ("::1", &fam), 1);
    ASSERT_EQ (fam, AF_INET6);
  }
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("bad host", Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("-lead.com",
                                                     Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname ("a..b", Socket_Failed)),
             1);
  memset (longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_hostname (longname, Socket_Failed)),
             1);
  SocketCommon_validate_host_not_null ("x", Socket_Failed);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_validate_host_not_null (NULL, Socket_Failed)),
             1);
  ASSERT_STREQ (Socket_GetLastError (), "Invalid host: NULL pointer");
  ASSERT (SocketCommon_normalize_wildcard_host ("0.0.0.0") == NULL);
  ASSERT (SocketCommon_normalize_wildcard_host ("::") == NULL);
  /* Exact matches of "0.0.0.0" and "::" only; anything else unchanged. */
  {
    const char *star = "*";
    ASSERT (SocketCommon_normalize_wildcard_host (star) == star);
  }
  ASSERT (SocketCommon_normalize_wildcard_host (NULL) == NULL);
  ASSERT_STREQ (SocketCommon_normalize_wildcard_host ("127.0.0.1"),
                "127.0.0.1");
}

TEST (cache_endpoint_and_reverse_lookup)
{
  Arena_T arena = Arena_new ();
  struct sockaddr_in sin = { .sin_family = AF_INET };
  struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  char *addr = NULL, host[64], serv[16];
  int port = -1;
  socklen_t ulen;

  sin.sin_port = htons (4321);
  sin.sin_addr.s_addr = htonl (0x7f000001);
  ASSERT_EQ (SocketCommon_cache_endpoint (arena, (struct sockaddr *)&sin,
                                          sizeof sin, &addr, &port),
             0);
  ASSERT_STREQ (addr, "127.0.0.1");
  ASSERT_EQ (port, 4321);
  sin6.sin6_port = htons (99);
  sin6.sin6_addr = in6addr_loopback;
  SocketCommon_cache_endpoint (arena, (struct sockaddr *)&sin6, sizeof sin6,
                               &addr, &port);
  ASSERT_STREQ (addr, "::1");
  ASSERT_EQ (port, 99);
  strcpy (sun.sun_path, "/run/x.sock");
  SocketCommon_cache_endpoint (arena, (struct sockaddr *)&sun, sizeof sun,
                               &addr, &port);
  ASSERT_STREQ (addr, "/run/x.sock");
  ASSERT_EQ (port, 0);
  memset (sun.sun_path, 0, sizeof sun.sun_path);
  memcpy (sun.sun_path + 1, "abs", 3);
  ulen = (socklen_t)(offsetof (struct sockaddr_un, sun_path) + 4);
  SocketCommon_cache_endpoint (arena, (struct sockaddr *)&sun, ulen, &addr,
                               &port);
  ASSERT_STREQ (addr, "@abs");
  ASSERT_EQ (SocketCommon_cache_endpoint (NULL, (struct sockaddr *)&sin,
                                          sizeof sin, &addr, &port),
             -1);
  ASSERT_EQ (SocketCommon_reverse_lookup ((struct sockaddr *)&sin, sizeof sin,
                                          host, sizeof host, serv, sizeof serv,
                                          NI_NUMERICHOST | NI_NUMERICSERV,
                                          Socket_Failed),
             0);
  ASSERT_STREQ (host, "127.0.0.1");
  ASSERT_STREQ (serv, "4321");
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_reverse_lookup (NULL, 0, host, sizeof host,
                                                  NULL, 0, 0, Socket_Failed)),
             1);
  sin.sin_family = 12345; /* unknown family */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_reverse_lookup ((struct sockaddr *)&sin,
                                                  sizeof sin, host,
                                                  sizeof host, NULL, 0,
                                                  NI_NUMERICHOST,
                                                  Socket_Failed)),
             1);
  Arena_dispose (&arena);
}

TEST (parse_ip_and_cidr)
{
  int fam = -1;

  ASSERT_EQ (SocketCommon_parse_ip ("192.168.1.1", &fam), 1);
  ASSERT_EQ (fam, AF_INET);
  ASSERT_EQ (SocketCommon_parse_ip ("2001:db8::1", &fam), 1);
  ASSERT_EQ (fam, AF_INET6);
  ASSERT_EQ (SocketCommon_parse_ip ("fe80::1%eth0", &fam), 0); /* no scope */
  ASSERT_EQ (SocketCommon_parse_ip ("256.1.1.1", &fam), 0);
  ASSERT_EQ (fam, AF_UNSPEC);
  ASSERT_EQ (SocketCommon_parse_ip ("example.com", NULL), 0);
  ASSERT_EQ (SocketCommon_parse_ip (NULL, NULL), 0);

  ASSERT_EQ (SocketCommon_cidr_match ("10.1.2.3", "10.0.0.0/8"), 1);
  ASSERT_EQ (SocketCommon_cidr_match ("11.1.2.3", "10.0.0.0/8"), 0);
  ASSERT_EQ (SocketCommon_cidr_match ("192.168.1.130", "192.168.1.128/25"),
             1);
  ASSERT_EQ (SocketCommon_cidr_match ("192.168.1.127", "192.168.1.128/25"),
             0);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "0.0.0.0/0"), 1);
  /* The '/' and prefix length are required (original: -1). */
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "1.2.3.4"), -1);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "1.2.3.4/32"), 1);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.5", "1.2.3.4/32"), 0);
  ASSERT_EQ (SocketCommon_cidr_match ("2001:db8::5", "2001:db8::/32"), 1);
  ASSERT_EQ (SocketCommon_cidr_match ("2001:db9::5", "2001:db8::/32"), 0);
  ASSERT_EQ (SocketCommon_cidr_match ("::ffff:10.1.1.1", "10.0.0.0/8"), 1);
  ASSERT_EQ (SocketCommon_cidr_match ("10.1.1.1", "::ffff:10.0.0.0/104"), 1);
  ASSERT_EQ (SocketCommon_cidr_match ("2001:db8::1", "10.0.0.0/8"), 0);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "1.2.3.0/33"), -1);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "1.2.3.0/"), -1);
  ASSERT_EQ (SocketCommon_cidr_match ("1.2.3.4", "1.2.3.0/8x"), -1);
  ASSERT_EQ (SocketCommon_cidr_match ("bogus", "1.2.3.0/24"), -1);
  ASSERT_EQ (SocketCommon_cidr_match (NULL, "1.2.3.0/24"), -1);
}

TEST (iov_helpers)
{
  char a[4], b[6], c[3];
  struct iovec iov[3] = { { a, 4 }, { b, 6 }, { c, 3 } };
  struct iovec *copy, *act;
  int n = -1;

  ASSERT_UEQ (SocketCommon_calculate_total_iov_len (iov, 3), 13);
  /* iovcnt <= 0 is an error (as in the original), not an empty sum. */
  ASSERT_EQ (RAISES (SocketCommon_Failed,
                     SocketCommon_calculate_total_iov_len (iov, 0)),
             1);
  copy = SocketCommon_alloc_iov_copy (iov, 3, Socket_Failed);
  ASSERT_MEMEQ (copy, iov, sizeof iov);
  /* Too many bytes: refused before anything is modified. */
  ASSERT_EQ (RAISES (SocketCommon_Failed,
                     SocketCommon_advance_iov (copy, 3, 14)),
             1);
  ASSERT_MEMEQ (copy, iov, sizeof iov);
  SocketCommon_advance_iov (copy, 3, 5); /* past a, one byte into b */
  ASSERT_UEQ (copy[0].iov_len, 0);
  ASSERT (copy[0].iov_base == NULL); /* consumed entries become {NULL, 0} */
  ASSERT (copy[1].iov_base == b + 1);
  ASSERT_UEQ (copy[1].iov_len, 5);
  act = SocketCommon_find_active_iov (copy, 3, &n);
  ASSERT (act == &copy[1]);
  ASSERT_EQ (n, 2);
  ASSERT (iov[1].iov_base == b); /* the original is untouched */
  SocketCommon_sync_iov_progress (iov, copy, 3);
  ASSERT (iov[0].iov_base == NULL && iov[0].iov_len == 0);
  ASSERT (iov[1].iov_base == b + 1);
  ASSERT_UEQ (iov[1].iov_len, 5);
  ASSERT (iov[2].iov_base == c && iov[2].iov_len == 3); /* same base */
  {
    /* A copy base below the original's, or an original already NULL,
     * leaves the original alone. */
    struct iovec o[2] = { { b + 2, 4 }, { NULL, 0 } };
    struct iovec k[2] = { { b, 6 }, { c, 3 } };
    SocketCommon_sync_iov_progress (o, k, 2);
    ASSERT (o[0].iov_base == b + 2 && o[0].iov_len == 4);
    ASSERT (o[1].iov_base == NULL && o[1].iov_len == 0);
  }
  SocketCommon_advance_iov (copy, 3, 8);
  ASSERT (SocketCommon_find_active_iov (copy, 3, &n) == NULL);
  ASSERT_EQ (n, 0);
  ASSERT_EQ (RAISES (SocketCommon_Failed,
                     SocketCommon_advance_iov (copy, 3, 1)),
             1);
  free (copy);
  {
    struct iovec big[2] = { { a, SIZE_MAX / 2 }, { b, SIZE_MAX / 2 + 10 } };
    ASSERT_EQ (RAISES (SocketCommon_Failed,
                       SocketCommon_calculate_total_iov_len (big, 2)),
               1);
  }
  ASSERT_EQ (RAISES (SocketCommon_Failed,
                     SocketCommon_calculate_total_iov_len (NULL, 2)),
             1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketCommon_alloc_iov_copy (iov, -1,
                                                  SocketDgram_Failed)),
             1);
}

TEST (base_objects_and_options)
{
  SocketBase_T base = SocketCommon_new_base (AF_INET, SOCK_DGRAM, 0);
  int v = -1;
  struct timeval tv;

  ASSERT (base != NULL);
  ASSERT_EQ (SocketCommon_get_socket_family (base), AF_INET);
  ASSERT_EQ (SocketCommon_has_cloexec (base->fd), 1);
  SocketCommon_set_option_int (base, SOL_SOCKET, SO_BROADCAST, 1,
                               Socket_Failed);
  SocketCommon_getoption_int (base->fd, SOL_SOCKET, SO_BROADCAST, &v,
                              Socket_Failed);
  ASSERT_EQ (v, 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketCommon_set_option_int (base, SOL_SOCKET, 9999, 1,
                                                  SocketDgram_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_getoption_int (-1, SOL_SOCKET, SO_TYPE, &v,
                                                 Socket_Failed)),
             1);
  SocketCommon_getoption_timeval (base->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                  Socket_Failed);
  ASSERT_EQ (tv.tv_sec, 0);
  SocketCommon_set_ttl (base, AF_INET, 17, Socket_Failed);
  SocketCommon_getoption_int (base->fd, IPPROTO_IP, IP_TTL, &v,
                              Socket_Failed);
  ASSERT_EQ (v, 17);
  /* Unicast only, as in the original: the multicast TTL stays at 1. */
  SocketCommon_getoption_int (base->fd, IPPROTO_IP, IP_MULTICAST_TTL, &v,
                              Socket_Failed);
  ASSERT_EQ (v, 1);
  /* No range check of its own: the kernel rejects 0 (IP_TTL 1..255). */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_set_ttl (base, AF_INET, 0, Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_set_ttl (base, AF_UNIX, 5, Socket_Failed)),
             1);
  SocketCommon_set_nonblock (base, true, Socket_Failed);
  ASSERT (fcntl (base->fd, F_GETFL) & O_NONBLOCK);
  SocketCommon_set_nonblock (base, false, Socket_Failed);
  ASSERT (!(fcntl (base->fd, F_GETFL) & O_NONBLOCK));
  ASSERT_EQ (SocketCommon_setcloexec (base->fd, 0), 0);
  ASSERT_EQ (SocketCommon_has_cloexec (base->fd), 0);
  SocketCommon_set_cloexec_fd (base->fd, true, Socket_Failed);
  ASSERT_EQ (SocketCommon_has_cloexec (base->fd), 1);
  ASSERT_EQ (SocketCommon_setcloexec (-1, 1), -1);
  ASSERT_EQ (SocketCommon_has_cloexec (-1), -1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_set_cloexec_fd (-1, true, Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_join_multicast (base, "1.2.3.4", NULL,
                                                  Socket_Failed)),
             1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_leave_multicast (NULL, "239.1.1.1", NULL,
                                                   Socket_Failed)),
             1);
  SocketCommon_free_base (&base);
  ASSERT (base == NULL);
  SocketCommon_free_base (&base);
  /* Socket_Failed whatever the caller (as in the original). */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_new_base (AF_INET, SOCK_STREAM, 4242)),
             1);
  ASSERT_EQ (SocketCommon_get_socket_family (NULL), AF_UNSPEC);
}

TEST (bind_helpers)
{
  SocketBase_T a = SocketCommon_new_base (AF_INET, SOCK_STREAM, 0);
  SocketBase_T b = SocketCommon_new_base (AF_INET, SOCK_STREAM, 0);
  struct addrinfo hints, *res;
  struct sockaddr_in sin = { .sin_family = AF_INET };
  char port[16];

  SocketCommon_setup_hints (&hints, SOCK_STREAM, 0);
  hints.ai_family = AF_INET;
  SocketCommon_resolve_address ("127.0.0.1", 0, &hints, &res, Socket_Failed,
                                AF_INET, 1);
  ASSERT_EQ (SocketCommon_try_bind_resolved_addresses (a, res, AF_INET,
                                                       Socket_Failed),
             0);
  freeaddrinfo (res);
  SocketCommon_update_local_endpoint (a);
  ASSERT_STREQ (a->localaddr, "127.0.0.1");
  ASSERT (a->localport > 0);
  ASSERT_EQ (listen (a->fd, 1), 0);
  /* Binding b to the same port: the helper raises naming the address. */
  snprintf (port, sizeof port, "%d", a->localport);
  SocketCommon_resolve_address ("127.0.0.1", a->localport, &hints, &res,
                                Socket_Failed, AF_INET, 1);
  ASSERT_EQ (RAISES (SocketDgram_Failed,
                     SocketCommon_try_bind_resolved_addresses (
                         b, res, AF_INET, SocketDgram_Failed)),
             1);
  ASSERT_EQ (Socket_geterrno (), EADDRINUSE);
  ASSERT_STREQ (Socket_GetLastError (),
                "Bind failed for all resolved addresses");
  /* It always sets SO_REUSEADDR first. */
  {
    int on = 0;
    SocketCommon_getoption_int (b->fd, SOL_SOCKET, SO_REUSEADDR, &on,
                                Socket_Failed);
    ASSERT_EQ (on, 1);
  }
  freeaddrinfo (res);
  /* An address this host does not own: "try the next one". */
  sin.sin_addr.s_addr = inet_addr ("192.0.2.1");
  ASSERT_EQ (SocketCommon_try_bind_address (b, (struct sockaddr *)&sin,
                                            sizeof sin, Socket_Failed),
             -1);
  ASSERT_EQ (errno, EADDRNOTAVAIL);
  ASSERT_EQ (SocketCommon_handle_bind_error (EADDRNOTAVAIL, "192.0.2.1:0",
                                             Socket_Failed),
             -1);
  ASSERT_EQ (SocketCommon_handle_bind_error (EADDRINUSE, "x:1",
                                             Socket_Failed),
             -1);
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_handle_bind_error (EACCES, "x:1",
                                                     Socket_Failed)),
             1);
  ASSERT_EQ (Socket_geterrno (), EACCES);
  ASSERT_STREQ (Socket_GetLastError (),
                "Permission denied binding x:1 (cap_net_bind_service?)");
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_handle_bind_error (EINVAL, "x:1",
                                                     Socket_Failed)),
             1);
  ASSERT (strncmp (Socket_GetLastError (), "Unexpected bind error for x:1: ",
                   31)
          == 0);
  /* Never returns -1: no entry at all also raises. */
  ASSERT_EQ (RAISES (Socket_Failed,
                     SocketCommon_try_bind_resolved_addresses (
                         b, NULL, AF_INET, Socket_Failed)),
             1);
  /* The original's texts, chosen by errno; errno unchanged. */
  errno = EADDRINUSE;
  SocketCommon_format_bind_error ("10.9.8.7", 1234);
  ASSERT_STREQ (Socket_GetLastError (), "Address 10.9.8.7:1234 already in use");
  ASSERT_EQ (errno, EADDRINUSE);
  errno = EADDRNOTAVAIL;
  SocketCommon_format_bind_error (NULL, 1);
  ASSERT_STREQ (Socket_GetLastError (), "Address any not available");
  errno = EACCES;
  SocketCommon_format_bind_error ("h", 80);
  ASSERT_STREQ (Socket_GetLastError (), "Permission denied binding to h:80");
  errno = EAFNOSUPPORT;
  SocketCommon_format_bind_error ("h", 80);
  ASSERT_STREQ (Socket_GetLastError (), "Address family not supported for h");
  errno = EINVAL;
  SocketCommon_format_bind_error ("h", 80);
  ASSERT (strncmp (Socket_GetLastError (), "Bind failed for h:80 (errno: 22 - ",
                   34)
          == 0);
  SocketCommon_free_base (&a);
  SocketCommon_free_base (&b);
}

TEST (addrinfo_copies_are_deep)
{
  struct addrinfo hints, *res, *copy;
  int count = 0;

  memset (&hints, 0, sizeof hints);
  hints.ai_flags = AI_CANONNAME | AI_NUMERICHOST;
  hints.ai_socktype = SOCK_DGRAM;
  ASSERT_EQ (getaddrinfo ("127.0.0.1", "53", &hints, &res), 0);
  copy = SocketCommon_copy_addrinfo (res);
  ASSERT (copy != NULL);
  ASSERT (copy->ai_addr != res->ai_addr);
  ASSERT_EQ (copy->ai_addrlen, res->ai_addrlen);
  ASSERT_MEMEQ (copy->ai_addr, res->ai_addr, res->ai_addrlen);
  if (res->ai_canonname)
    {
      ASSERT (copy->ai_canonname != res->ai_canonname);
      ASSERT_STREQ (copy->ai_canonname, res->ai_canonname);
    }
  freeaddrinfo (res); /* the copy must survive the original */
  for (struct addrinfo *p = copy; p; p = p->ai_next)
    count++;
  ASSERT (count >= 1);
  ASSERT_EQ (((struct sockaddr_in *)copy->ai_addr)->sin_port, htons (53));
  SocketCommon_free_addrinfo (copy);
  ASSERT (SocketCommon_copy_addrinfo (NULL) == NULL);
  SocketCommon_free_addrinfo (NULL);
}

TEST (defaults_dns_timeout_and_resolver)
{
  SocketTimeouts_T saved, t = { 1, 2, 3 }, got;
  SocketDNS_T dns;

  SocketCommon_timeouts_getdefaults (&saved);
  SocketCommon_timeouts_setdefaults (&t);
  SocketCommon_timeouts_getdefaults (&got);
  ASSERT_MEMEQ (&got, &t, sizeof t);
  pthread_mutex_lock (&socket_default_timeouts_mutex);
  ASSERT_EQ (socket_default_timeouts.operation_timeout_ms, 3);
  pthread_mutex_unlock (&socket_default_timeouts_mutex);
  SocketCommon_set_dns_timeout (1500);
  ASSERT_EQ (SocketCommon_get_dns_timeout (), 1500);
  /* A separate global: the defaults' dns field is not touched. */
  SocketCommon_timeouts_getdefaults (&got);
  ASSERT_EQ (got.dns_timeout_ms, 2);
  SocketCommon_set_dns_timeout (-7);
  ASSERT_EQ (SocketCommon_get_dns_timeout (), 0);
  SocketCommon_set_dns_timeout (-1); /* -1 resets to the default */
  ASSERT_EQ (SocketCommon_get_dns_timeout (), SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  /* Negative fields are clamped to 0, not rejected. */
  t.dns_timeout_ms = -1;
  t.operation_timeout_ms = -9;
  SocketCommon_timeouts_setdefaults (&t);
  SocketCommon_timeouts_getdefaults (&got);
  ASSERT_EQ (got.dns_timeout_ms, 0);
  ASSERT_EQ (got.operation_timeout_ms, 0);
  ASSERT_EQ (got.connect_timeout_ms, 1);
  SocketCommon_timeouts_setdefaults (&saved);
  /* The global DNS timeout is separate from the socket defaults; -1
   * resets it to SOCKET_DEFAULT_DNS_TIMEOUT_MS. */
  SocketCommon_set_dns_timeout (0);
  ASSERT_EQ (SocketCommon_get_dns_timeout (), 0);
  SocketCommon_set_dns_timeout (-1);
  ASSERT_EQ (SocketCommon_get_dns_timeout (), SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  dns = SocketCommon_get_dns_resolver ();
  ASSERT (dns != NULL);
  /* Applied to the shared resolver once it exists. */
  SocketCommon_set_dns_timeout (1234);
  ASSERT_EQ (SocketDNS_gettimeout (dns), 1234);
  ASSERT_EQ (socket_default_timeouts.dns_timeout_ms,
             saved.dns_timeout_ms); /* untouched */
  SocketCommon_set_dns_timeout (-1);
  ASSERT_EQ (SocketDNS_gettimeout (dns), SOCKET_DEFAULT_DNS_TIMEOUT_MS);
  ASSERT (dns == SocketCommon_get_dns_resolver ()); /* one per process */
  ASSERT (SocketDNS_pollfd (dns) >= 0);
}

TEST (header_inlines)
{
  struct sockaddr_storage ss;
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  struct sockaddr_un *un = (struct sockaddr_un *)&ss;
  struct SocketLiveCount lc = SOCKETLIVECOUNT_STATIC_INIT;

  memset (&ss, 0, sizeof ss);
  in->sin_family = AF_INET;
  ASSERT_EQ (SocketCommon_check_bound_by_family (&ss), 0);
  in->sin_port = htons (1);
  ASSERT_EQ (SocketCommon_check_bound_ipv4 (&ss), 1);
  ASSERT_EQ (SocketCommon_check_bound_by_family (&ss), 1);
  memset (&ss, 0, sizeof ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons (2);
  ASSERT_EQ (SocketCommon_check_bound_ipv6 (&ss), 1);
  /* The per-family checks look at the port only, not the family. */
  ASSERT_EQ (SocketCommon_check_bound_ipv4 (&ss), in->sin_port != 0);
  memset (&ss, 0, sizeof ss);
  un->sun_family = AF_UNIX;
  ASSERT_EQ (SocketCommon_check_bound_unix (&ss), 1); /* always */
  ASSERT_EQ (SocketCommon_check_bound_unix (NULL), 1);
  ss.ss_family = AF_APPLETALK;
  ASSERT_EQ (SocketCommon_check_bound_by_family (&ss), 0);
  ss.ss_family = AF_UNIX;
  un->sun_path[1] = 'a'; /* abstract */
  ASSERT_EQ (SocketCommon_check_bound_by_family (&ss), 1);
  ASSERT_EQ (SocketCommon_check_bound_by_family (NULL), 0);
  SocketLiveCount_increment (&lc);
  SocketLiveCount_increment (&lc);
  SocketLiveCount_decrement (&lc);
  ASSERT_EQ (SocketLiveCount_get (&lc), 1);
  SocketLiveCount_decrement (&lc);
  SocketLiveCount_decrement (&lc); /* never negative */
  ASSERT_EQ (SocketLiveCount_get (&lc), 0);
}

TEST_MAIN ()
