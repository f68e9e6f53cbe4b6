/*
 * SocketCommon-addr.c - address resolution, validation, formatting, CIDR
 * matching and the bind helpers.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "socket/SocketCommon.h"

SOCKET_DECLARE_MODULE_EXCEPTION (SocketCommonAddr);

#define RAISE_FMT(exc, fmt, ...)                                              \
  SOCKET_RAISE_FMT (SocketCommonAddr, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)
#define RAISE_MSG(exc, fmt, ...)                                              \
  SOCKET_RAISE_MSG (SocketCommonAddr, SOCKET__EXC (exc), fmt, ##__VA_ARGS__)

/* The message as given, with errno @p err kept for Socket_geterrno(). */
#define RAISE_MSG_ERRNO(exc, err, fmt, ...)                                   \
  do                                                                          \
    {                                                                         \
      SOCKET_ERROR_MSG (fmt, ##__VA_ARGS__);                                  \
      socket_last_errno = (err);                                              \
      errno = (err);                                                          \
      SOCKET_RAISE_MODULE_ERROR (SocketCommonAddr, SOCKET__EXC (exc));        \
    }                                                                         \
  while (0)

#define MAX_HOSTNAME_LEN 255

static int parse_ip16 (const char *s, unsigned char out[16]);

/* ------------------------------------------------------------------ */
/* Validation                                                         */
/* ------------------------------------------------------------------ */

void
SocketCommon_validate_port (int port, Except_T exception_type)
{
  if (!SOCKET_VALID_PORT (port))
    RAISE_MSG (exception_type,
               "Invalid port number: %d (must be 0-65535, 0 = OS-assigned)",
               port);
}

void
SocketCommon_validate_host_not_null (const char *host, Except_T exception_type)
{
  if (host == NULL)
    RAISE_MSG (exception_type, "Invalid host: NULL pointer");
}

/* The original's RFC 1123 rules: labels of 1-63 letters, digits and '-',
 * starting with a letter or digit (a trailing '-' is accepted; '_' and
 * empty labels, e.g. a trailing dot, are not). */
static int
valid_hostname_syntax (const char *host, size_t len)
{
  size_t label = 0;

  if (len == 0 || len > MAX_HOSTNAME_LEN)
    return 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)host[i];
      if (c == '.')
        {
          if (label == 0)
            return 0;
          label = 0;
          continue;
        }
      if (!isalnum (c) && c != '-')
        return 0;
      if (c == '-' && label == 0)
        return 0;
      if (++label > SOCKET_DNS_MAX_LABEL_LENGTH)
        return 0;
    }
  return label > 0;
}

void
SocketCommon_validate_hostname (const char *host, Except_T exception_type)
{
  if (host == NULL)
    return; /* NULL is the wildcard address */
  if (SocketCommon_parse_ip (host, NULL))
    return;
  if (!valid_hostname_syntax (host, strlen (host)))
    RAISE_MSG (exception_type, "invalid host name '%.*s'",
               SOCKET_ERROR_MAX_HOSTNAME, host);
}

const char *
SocketCommon_normalize_wildcard_host (const char *host)
{
  if (host != NULL
      && (strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0))
    return NULL;
  return host;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                         */
/* ------------------------------------------------------------------ */

void
SocketCommon_setup_hints (struct addrinfo *hints, int socktype, int flags)
{
  if (hints == NULL)
    RAISE_MSG (SocketCommon_Failed, "setup_hints: NULL hints");
  memset (hints, 0, sizeof *hints);
  hints->ai_family = AF_UNSPEC;
  hints->ai_socktype = socktype;
  hints->ai_flags = flags;
}

static int
resolve_fail (const char *host, int port, int gai, Except_T exc,
              int use_exceptions)
{
  if (gai == EAI_SYSTEM)
    {
      if (!use_exceptions)
        return -1;
      RAISE_FMT (exc, "resolve %s:%d failed", host ? host : "*", port);
    }
  if (!use_exceptions)
    return -1;
  RAISE_MSG (exc, "resolve %.*s:%d failed: %s", SOCKET_ERROR_MAX_HOSTNAME,
             host ? host : "*", port, gai_strerror (gai));
}

/* Literal or wildcard: getaddrinfo in the caller, result turned into a
 * library-allocated list (see SocketCommon_free_addrinfo). */
static int
resolve_numeric (const char *host, int port, struct addrinfo *h,
                 struct addrinfo **res, Except_T exc, int use_exceptions)
{
  char portstr[SOCKET_PORT_STR_BUFSIZE];
  struct addrinfo *gai_res = NULL;
  int gai;

  snprintf (portstr, sizeof portstr, "%d", port);
  if (host != NULL)
    h->ai_flags |= AI_NUMERICHOST;
  gai = getaddrinfo (host, portstr, h, &gai_res);
  if (gai == 0)
    {
      *res = SocketCommon_copy_addrinfo (gai_res);
      freeaddrinfo (gai_res);
      if (*res == NULL)
        gai = EAI_MEMORY;
    }
  if (gai != 0)
    {
      *res = NULL;
      return resolve_fail (host, port, gai, exc, use_exceptions);
    }
  return 0;
}

/* At least one entry of @p family (AF_UNSPEC: any); the others stay. */
static int
has_family (const struct addrinfo *ai, int family)
{
  if (family == AF_UNSPEC)
    return 1;
  for (; ai != NULL; ai = ai->ai_next)
    if (ai->ai_family == family)
      return 1;
  return 0;
}

static int
resolve_impl (const char *host, int port, const struct addrinfo *hints,
              struct addrinfo **res, Except_T exc, int socket_family,
              int use_exceptions, int timeout_ms)
{
  struct addrinfo h;
  unsigned char scratch[16]; /* literals, scoped ones too, skip DNS */
  int rc;

  if (res == NULL || !SOCKET_VALID_PORT (port))
    {
      if (!use_exceptions)
        return -1;
      RAISE_MSG (exc, "resolve: %s",
                 res == NULL ? "NULL result pointer" : "invalid port");
    }
  *res = NULL;
  if (hints != NULL)
    h = *hints;
  else
    SocketCommon_setup_hints (&h, SOCK_STREAM, 0);
  h.ai_addr = NULL;
  h.ai_canonname = NULL;
  h.ai_next = NULL;
  if (host == NULL)
    h.ai_flags |= AI_PASSIVE;
  h.ai_flags |= AI_NUMERICSERV;
  if (host != NULL && parse_ip16 (host, scratch) == 0)
    {
      /* A name: the shared resolver validates it and applies the timeout. */
      if (host[0] == '\0' || strlen (host) > MAX_HOSTNAME_LEN)
        return resolve_fail (host, port, EAI_NONAME, exc, use_exceptions);
      rc = SocketCommon__resolve_name (host, port, &h, res, timeout_ms, exc,
                                       use_exceptions);
    }
  else
    rc = resolve_numeric (host, port, &h, res, exc, use_exceptions);
  if (rc != 0 || has_family (*res, socket_family))
    return rc;
  SocketCommon_free_addrinfo (*res);
  *res = NULL;
  if (!use_exceptions)
    return -1;
  RAISE_MSG (exc, "resolve %.*s:%d: no address of family %d",
             SOCKET_ERROR_MAX_HOSTNAME, host ? host : "*", port,
             socket_family);
}

int
SocketCommon_resolve_address (const char *host, int port,
                              const struct addrinfo *hints,
                              struct addrinfo **res, Except_T exception_type,
                              int socket_family, int use_exceptions)
{
  return resolve_impl (host, port, hints, res, exception_type, socket_family,
                       use_exceptions, SocketCommon_get_dns_timeout ());
}

struct addrinfo *
SocketCommon__resolve (const char *host, int port, int family, int socktype,
                       int passive, int dns_timeout_ms, Except_T exc)
{
  struct addrinfo hints, *res = NULL;
  unsigned char scratch[16];

  SocketCommon_setup_hints (&hints, socktype, passive ? AI_PASSIVE : 0);
  /* AF_INET6 sockets take IPv4 results as v4-mapped, so ask for both,
   * except for the wildcard where "::" is the dual-stack address. */
  hints.ai_family = family == AF_INET6 && host != NULL ? AF_UNSPEC : family;
  /* Scoped literals ("fe80::1%eth0") are addresses, not names. */
  if (host != NULL && parse_ip16 (host, scratch) == 0)
    SocketCommon_validate_hostname (host, exc);
  resolve_impl (host, port, &hints, &res, exc, AF_UNSPEC, 1, dns_timeout_ms);
  return res;
}

socklen_t
SocketCommon__sockaddr_for_family (const struct addrinfo *ai, int family,
                                   struct sockaddr_storage *out)
{
  memset (out, 0, sizeof *out);
  if (ai->ai_addr == NULL || ai->ai_addrlen > sizeof *out)
    return 0;
  if (ai->ai_family == family)
    {
      memcpy (out, ai->ai_addr, ai->ai_addrlen);
      return ai->ai_addrlen;
    }
  if (family == AF_INET6 && ai->ai_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
      in6->sin6_family = AF_INET6;
      in6->sin6_port = in->sin_port;
      in6->sin6_addr.s6_addr[10] = 0xff;
      in6->sin6_addr.s6_addr[11] = 0xff;
      memcpy (&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
      return sizeof *in6;
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                         */
/* ------------------------------------------------------------------ */

/* Unix address text: the path, "@name" for the abstract namespace, "" for
 * an unnamed socket. */
static void
format_unix (const struct sockaddr *addr, socklen_t addrlen, char *out,
             size_t size)
{
  const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
  size_t off = offsetof (struct sockaddr_un, sun_path);
  size_t n = addrlen > off ? addrlen - off : 0;

  if (n > sizeof un->sun_path)
    n = sizeof un->sun_path;
  if (n == 0)
    out[0] = '\0';
  else if (un->sun_path[0] == '\0')
    snprintf (out, size, "@%.*s", (int)(n - 1), un->sun_path + 1);
  else
    snprintf (out, size, "%.*s", (int)strnlen (un->sun_path, n), un->sun_path);
}

int
SocketCommon_cache_endpoint (Arena_T arena, const struct sockaddr *addr,
                             socklen_t addrlen, char **addr_out, int *port_out)
{
  char host[sizeof ((struct sockaddr_un *)0)->sun_path + 2];
  char serv[SOCKET_NI_MAXSERV];
  size_t len;
  char *copy;

  if (arena == NULL || addr == NULL || addr_out == NULL || port_out == NULL)
    return -1;
  if (addr->sa_family == AF_UNIX)
    {
      format_unix (addr, addrlen, host, sizeof host);
      /* An unnamed socket (socketpair, unbound client) has nothing to
       * cache: its address reads "(unknown)", as in the original. */
      if (host[0] == '\0')
        return -1;
      *port_out = 0;
    }
  else if (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)
    {
      if (getnameinfo (addr, addrlen, host, sizeof host, serv, sizeof serv,
                       NI_NUMERICHOST | NI_NUMERICSERV)
          != 0)
        return -1;
      *port_out = atoi (serv);
    }
  else
    return -1;
  len = strlen (host) + 1;
  copy = ALLOC (arena, len);
  memcpy (copy, host, len);
  *addr_out = copy;
  return 0;
}

const char *
SocketCommon__endpoint_label (const char *addr, int port, char *buf,
                              size_t size)
{
  if (addr == NULL)
    snprintf (buf, size, "%s", SOCKET__UNKNOWN_ADDR);
  else if (addr[0] == '/' || addr[0] == '@' || addr[0] == '\0')
    snprintf (buf, size, "%s", addr[0] ? addr : "(unnamed)");
  else if (strchr (addr, ':') != NULL)
    snprintf (buf, size, "[%s]:%d", addr, port);
  else
    snprintf (buf, size, "%s:%d", addr, port);
  return buf;
}

void
SocketCommon_update_local_endpoint (SocketBase_T base)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (base == NULL)
    RAISE_MSG (SocketCommon_Failed, "update_local_endpoint: NULL socket");
  if (getsockname (base->fd, (struct sockaddr *)&ss, &len) == 0)
    SocketCommon_cache_endpoint (base->arena, (struct sockaddr *)&ss, len,
                                 &base->localaddr, &base->localport);
}

int
SocketCommon__update_peer_endpoint (SocketBase_T base)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (getpeername (base->fd, (struct sockaddr *)&ss, &len) < 0)
    return -1;
  return SocketCommon_cache_endpoint (base->arena, (struct sockaddr *)&ss,
                                      len, &base->remoteaddr,
                                      &base->remoteport);
}

int
SocketCommon_reverse_lookup (const struct sockaddr *addr, socklen_t addrlen,
                             char *host, socklen_t hostlen, char *serv,
                             socklen_t servlen, int flags,
                             Except_T exception_type)
{
  int gai;

  if (addr == NULL || (host == NULL && serv == NULL))
    RAISE_MSG (exception_type, "reverse_lookup: NULL argument");
  gai = getnameinfo (addr, addrlen, host, host ? hostlen : 0, serv,
                     serv ? servlen : 0, flags);
  if (gai == EAI_SYSTEM)
    RAISE_FMT (exception_type, "getnameinfo failed");
  if (gai != 0)
    RAISE_MSG (exception_type, "getnameinfo failed: %s", gai_strerror (gai));
  return 0;
}

/* ------------------------------------------------------------------ */
/* IP parsing and CIDR                                                */
/* ------------------------------------------------------------------ */

/* Parse @p s into 16 bytes (IPv4 as v4-mapped). Accepts an IPv6 zone
 * suffix ("fe80::1%lo"). @return AF_INET/AF_INET6, or 0. */
static int
parse_ip16 (const char *s, unsigned char out[16])
{
  char buf[INET6_ADDRSTRLEN + 1];
  const char *pct;
  struct in_addr a4;

  if (s == NULL)
    return 0;
  if (inet_pton (AF_INET, s, &a4) == 1)
    {
      memset (out, 0, 10);
      out[10] = out[11] = 0xff;
      memcpy (out + 12, &a4, 4);
      return AF_INET;
    }
  pct = strchr (s, '%');
  if (pct != NULL)
    {
      size_t n = (size_t)(pct - s);
      if (n >= sizeof buf || pct[1] == '\0')
        return 0;
      memcpy (buf, s, n);
      buf[n] = '\0';
      s = buf;
    }
  return inet_pton (AF_INET6, s, out) == 1 ? AF_INET6 : 0;
}

int
SocketCommon_parse_ip (const char *ip_str, int *family)
{
  unsigned char tmp[16];
  /* Plain literals only: no "%scope" suffix, no brackets (original). */
  int f = ip_str != NULL && strchr (ip_str, '%') == NULL
              ? parse_ip16 (ip_str, tmp)
              : 0;

  if (family != NULL)
    *family = f == 0 ? AF_UNSPEC : f;
  return f != 0;
}

static int
is_v4mapped (const unsigned char a[16])
{
  static const unsigned char prefix[12]
      = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  return memcmp (a, prefix, sizeof prefix) == 0;
}

int
SocketCommon_cidr_match (const char *ip_str, const char *cidr_str)
{
  char net[INET6_ADDRSTRLEN + 8];
  unsigned char ip[16], pfx[16];
  const char *slash;
  int ipf, netf;
  long bits;

  if (ip_str == NULL || cidr_str == NULL)
    return -1;
  slash = strchr (cidr_str, '/');
  /* A prefix length is required (original: -1 without '/'). */
  if (slash == NULL || (size_t)(slash - cidr_str) >= sizeof net)
    return -1;
  snprintf (net, sizeof net, "%.*s",
            (int)(slash ? slash - cidr_str : (long)strlen (cidr_str)),
            cidr_str);
  ipf = parse_ip16 (ip_str, ip);
  netf = parse_ip16 (net, pfx);
  if (ipf == 0 || netf == 0)
    return -1;
  if (slash != NULL)
    {
      char *end;
      if (!isdigit ((unsigned char)slash[1]))
        return -1;
      bits = strtol (slash + 1, &end, 10);
      if (*end != '\0')
        return -1;
      if (bits > (netf == AF_INET ? SOCKET_IPV4_MAX_PREFIX
                                  : SOCKET_IPV6_MAX_PREFIX))
        return -1;
    }
  else
    bits = netf == AF_INET ? SOCKET_IPV4_MAX_PREFIX : SOCKET_IPV6_MAX_PREFIX;
  /* Compare in 128-bit space: IPv4 prefixes sit behind the mapped prefix. */
  if (netf == AF_INET)
    bits += 96;
  /* Unlike the original, ::ffff:a.b.c.d matches an IPv4 range (and an IPv4
   * address a mapped IPv6 range): a dual-stack listener sees IPv4 clients
   * in mapped form, and a deny list must still catch them. */
  if (netf == AF_INET && ipf == AF_INET6 && !is_v4mapped (ip))
    return 0;
  for (long i = 0; i < bits; i++)
    {
      unsigned char m = (unsigned char)(0x80u >> (i % 8));
      if ((ip[i / 8] & m) != (pfx[i / 8] & m))
        return 0;
    }
  return 1;
}

/* ------------------------------------------------------------------ */
/* addrinfo copies                                                    */
/* ------------------------------------------------------------------ */

/*
 * Every list this library hands out has glibc's getaddrinfo() layout: each
 * node is ONE malloc block holding the struct addrinfo followed by its
 * sockaddr (ai_addr points just past the struct), and ai_canonname is a
 * separate malloc'd string. glibc's (and the BSDs') freeaddrinfo() frees
 * exactly ai_canonname and the node, so such a list can be released with
 * freeaddrinfo() or with SocketCommon_free_addrinfo(), whichever the
 * program was written for.
 */
static int
addr_inline (const struct addrinfo *ai)
{
  return (const void *)ai->ai_addr == (const void *)(ai + 1);
}

void
SocketCommon_free_addrinfo (struct addrinfo *ai)
{
  while (ai != NULL)
    {
      struct addrinfo *next = ai->ai_next;
      /* A node built by hand with a separately malloc'd ai_addr (the
       * original library's layout) is released too. */
      if (ai->ai_addr != NULL && !addr_inline (ai))
        free (ai->ai_addr);
      free (ai->ai_canonname);
      free (ai);
      ai = next;
    }
}

static struct addrinfo *
copy_one (const struct addrinfo *src)
{
  size_t addrlen = src->ai_addr != NULL ? src->ai_addrlen : 0;
  struct addrinfo *dst = calloc (1, sizeof *dst + addrlen);

  if (dst == NULL)
    return NULL;
  *dst = *src;
  dst->ai_next = NULL;
  dst->ai_addr = NULL;
  dst->ai_canonname = NULL;
  if (addrlen > 0)
    {
      dst->ai_addr = (struct sockaddr *)(void *)(dst + 1);
      memcpy (dst->ai_addr, src->ai_addr, addrlen);
    }
  else
    dst->ai_addrlen = 0;
  if (src->ai_canonname != NULL
      && (dst->ai_canonname = strdup (src->ai_canonname)) == NULL)
    {
      free (dst);
      return NULL;
    }
  return dst;
}

struct addrinfo *
SocketCommon_copy_addrinfo (const struct addrinfo *src)
{
  struct addrinfo *head = NULL, **tail = &head;

  for (; src != NULL; src = src->ai_next)
    {
      struct addrinfo *c = copy_one (src);
      if (c == NULL)
        {
          SocketCommon_free_addrinfo (head);
          return NULL;
        }
      *tail = c;
      tail = &c->ai_next;
    }
  return head;
}

/* ------------------------------------------------------------------ */
/* Bind helpers                                                       */
/* ------------------------------------------------------------------ */

/* "host:port" (or "[v6]:port") of @p sa for messages. */
static const char *
sockaddr_label (const struct sockaddr *sa, socklen_t len, char *label,
                size_t size)
{
  char host[SOCKET_NI_MAXHOST], serv[SOCKET_NI_MAXSERV];

  if (getnameinfo (sa, len, host, sizeof host, serv, sizeof serv,
                   NI_NUMERICHOST | NI_NUMERICSERV)
      != 0)
    snprintf (host, sizeof host, "?"), snprintf (serv, sizeof serv, "0");
  return SocketCommon__endpoint_label (host, atoi (serv), label, size);
}

int
SocketCommon_try_bind_address (SocketBase_T base, const struct sockaddr *addr,
                               socklen_t addrlen, Except_T exc_type)
{
  char label[SOCKET_NI_MAXHOST + 16];
  int err;

  if (base == NULL || addr == NULL)
    RAISE_MSG (exc_type, "bind: NULL argument");
  if (bind (base->fd, addr, addrlen) == 0)
    {
      SocketCommon_update_local_endpoint (base);
      return 0;
    }
  err = errno;
  sockaddr_label (addr, addrlen, label, sizeof label);
  return SocketCommon_handle_bind_error (err, label, exc_type);
}

/* EADDRINUSE/EADDRNOTAVAIL: -1 (try the next address); else raise. */
int
SocketCommon_handle_bind_error (int err, const char *addr_str,
                                Except_T exc_type)
{
  const char *a = addr_str ? addr_str : "any";

  errno = err;
  if (err == EADDRINUSE || err == EADDRNOTAVAIL)
    {
      SocketLog_emitf (SOCKET_LOG_WARN, "SocketCommon", "bind to %s: %s", a,
                       Socket_safe_strerror (err));
      return -1;
    }
  if (err == EACCES || err == EPERM)
    RAISE_MSG_ERRNO (exc_type, err,
                     "Permission denied binding %s (cap_net_bind_service?)",
                     a);
  RAISE_MSG_ERRNO (exc_type, err, "Unexpected bind error for %s: %s", a,
                   Socket_safe_strerror (err));
}

void
SocketCommon_format_bind_error (const char *host, int port)
{
  int err = errno;
  const char *h = host ? host : "any";

  switch (err)
    {
    case EADDRINUSE:
      SOCKET_ERROR_MSG ("Address %s:%d already in use", h, port);
      break;
    case EADDRNOTAVAIL:
      SOCKET_ERROR_MSG ("Address %s not available", h);
      break;
    case EACCES:
    case EPERM:
      SOCKET_ERROR_MSG ("Permission denied binding to %s:%d", h, port);
      break;
    case EAFNOSUPPORT:
      SOCKET_ERROR_MSG ("Address family not supported for %s", h);
      break;
    default:
      SOCKET_ERROR_MSG ("Bind failed for %s:%d (errno: %d - %s)", h, port,
                        err, Socket_safe_strerror (err));
    }
  socket_last_errno = err;
  errno = err;
}

int
SocketCommon_try_bind_resolved_addresses (SocketBase_T base,
                                          struct addrinfo *res, int family,
                                          Except_T exc_type)
{
  int err = EADDRNOTAVAIL;

  if (base == NULL)
    RAISE_MSG (exc_type, "bind: NULL socket");
  /* As in the original: SO_REUSEADDR first, entries of @p family only
   * (AF_UNSPEC: all), first success wins, never returns -1. */
  SocketCommon_set_option_int (base, SOL_SOCKET, SO_REUSEADDR, 1, exc_type);
  for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    {
      if (family != AF_UNSPEC && ai->ai_family != family)
        continue;
      if (ai->ai_addr == NULL)
        continue;
      if (SocketCommon_try_bind_address (base, ai->ai_addr, ai->ai_addrlen,
                                         exc_type)
          == 0)
        return 0;
      err = errno;
    }
  errno = err;
  RAISE_MSG_ERRNO (exc_type, err, "Bind failed for all resolved addresses");
}

int
SocketCommon__bind_resolved (SocketBase_T base, const struct addrinfo *res,
                             int family)
{
  int err = EADDRNOTAVAIL;

  if (family == AF_UNSPEC)
    family = base->domain;
  /* Native-family addresses first, then v4-mapped ones. */
  for (int pass = 0; pass < 2; pass++)
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
      {
        struct sockaddr_storage ss;
        socklen_t len;

        if ((ai->ai_family == family) != (pass == 0))
          continue;
        len = SocketCommon__sockaddr_for_family (ai, family, &ss);
        if (len == 0)
          continue;
        if (bind (base->fd, (struct sockaddr *)&ss, len) == 0)
          {
            SocketCommon_update_local_endpoint (base);
            return 0;
          }
        err = errno;
        /* Permission problems will not go away with the next address. */
        if (err == EACCES || err == EPERM)
          break;
      }
  errno = err;
  return -1;
}
