/*
 * Socket-private.h - internals shared by Socket*.c, SocketCommon*.c and
 * SocketDgram.c. Not installed; nothing here is API.
 *
 * Every socket object owns one arena holding the object itself and its
 * cached endpoint strings, so freeing a socket is close() plus one
 * Arena_dispose().
 */
#ifndef SOCKET_PRIVATE_INCLUDED
#define SOCKET_PRIVATE_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUtil.h"
#include "socket/SocketCommon.h"

/** Endpoint label used in messages when nothing better is known. */
#define SOCKET__UNKNOWN_ADDR "(unknown)"

struct SocketBase_T
{
  int fd;
  int domain;
  int type;
  int protocol;
  Arena_T arena;           /* owns this struct and the strings below */
  char *localaddr;         /* numeric host, Unix path, or NULL */
  int localport;
  char *remoteaddr;
  int remoteport;
  SocketTimeouts_T timeouts;
};

struct Socket_T
{
  struct SocketBase_T *base;
  unsigned bound : 1;
  unsigned listening : 1;
  unsigned connected : 1;
  size_t bandwidth;          /* bytes/s, 0 = unlimited */
  SocketRateLimit_T limiter; /* malloc'd, NULL when unlimited */
  /* TLS connection state (csrc/tls) or NULL. Socket_free calls
   * tls_release(tls), so this module needs no TLS symbols. */
  void *tls;
  void (*tls_release) (void *tls);
  /* Set with tls: the byte-stream I/O of Socket-io.c goes through it, so
   * Socket_send & co. never write plaintext beside the TLS records. */
  const struct Socket__stream_layer *layer;
};

/*
 * A record layer (TLS) interposed on a stream socket. send/recv behave as
 * SocketTLS_send/SocketTLS_recv: bytes moved, 0 when the call would block,
 * exceptions for end of stream and errors. want is the poll event (POLLIN
 * or POLLOUT) the last would-block waits for; pending the plaintext that
 * recv returns without touching the socket.
 */
struct Socket__stream_layer
{
  const char *name;
  ssize_t (*send) (struct Socket_T *s, const void *buf, size_t len);
  ssize_t (*recv) (struct Socket_T *s, void *buf, size_t len);
  short (*want) (struct Socket_T *s);
  size_t (*pending) (struct Socket_T *s);
};

struct SocketDgram_T
{
  struct SocketBase_T *base;
  int bound;
  int connected;
  /* DTLS association (csrc/tls) or NULL. SocketDgram_free calls
   * dtls_release(dtls), so this module needs no TLS symbols. */
  void *dtls;
  void (*dtls_release) (void *dtls);
  /* Set with dtls: SocketDgram send/recv go through DTLS records. */
  const struct SocketDgram__layer *layer;
};

/* The datagram counterpart of Socket__stream_layer: the four calls behave
 * as SocketDTLS_send/recv/sendto/recvfrom (0 when they would block). */
struct SocketDgram__layer
{
  const char *name;
  ssize_t (*send) (struct SocketDgram_T *s, const void *buf, size_t len);
  ssize_t (*recv) (struct SocketDgram_T *s, void *buf, size_t len);
  ssize_t (*sendto) (struct SocketDgram_T *s, const void *buf, size_t len,
                     const char *host, int port);
  ssize_t (*recvfrom) (struct SocketDgram_T *s, void *buf, size_t len,
                       char *host, size_t host_len, int *port);
};

/*
 * Socket_Closed is raised as the plain public object (reason exactly
 * "Socket closed", as in the original); the detail goes to the error
 * buffer read by Socket_GetLastError().
 */
#define SOCKET__RAISE_CLOSED_FMT(fmt, ...)                                    \
  do                                                                          \
    {                                                                         \
      SOCKET_ERROR_FMT (fmt, ##__VA_ARGS__);                                  \
      RAISE (Socket_Closed);                                                  \
    }                                                                         \
  while (0)
#define SOCKET__RAISE_CLOSED_MSG(fmt, ...)                                    \
  do                                                                          \
    {                                                                         \
      SOCKET_ERROR_MSG (fmt, ##__VA_ARGS__);                                  \
      RAISE (Socket_Closed);                                                  \
    }                                                                         \
  while (0)

/** The public exception @p e names (SocketCommon_Failed when unset). */
#define SOCKET__EXC(e)                                                        \
  (*((e).type != NULL ? (e).type : &SocketCommon_Failed))

/**
 * New base around a fresh socket(domain, type|SOCK_CLOEXEC, protocol).
 * Raises @p exc on failure (nothing leaks).
 */
SocketBase_T SocketCommon__new_base (int domain, int type, int protocol,
                                     Except_T exc);

/**
 * New base taking ownership of @p fd (domain/type read from the kernel).
 * On failure raises @p exc and leaves @p fd open (the caller still owns it).
 */
SocketBase_T SocketCommon__base_from_fd (int fd, Except_T exc);

struct addrinfo;

/**
 * bind() @p base to the first usable entry of @p res (native @p family
 * first, then IPv4 entries v4-mapped for an AF_INET6 socket); caches the
 * local endpoint. Never raises: @return 0, or -1 with errno from the last
 * attempt (it stops at EACCES/EPERM).
 */
int SocketCommon__bind_resolved (SocketBase_T base,
                                 const struct addrinfo *res, int family);

/** Refresh the cached peer address (getpeername). 0 on success. */
int SocketCommon__update_peer_endpoint (SocketBase_T base);

/**
 * Format "host:port", "[v6]:port" or a Unix path for messages into @p buf.
 * @return @p buf.
 */
const char *SocketCommon__endpoint_label (const char *addr, int port,
                                          char *buf, size_t size);

/**
 * Resolve @p host/@p port for @p family (AF_INET6 also yields IPv4 as
 * v4-mapped addresses) and @p socktype. Numeric hosts never touch DNS;
 * names go through the shared resolver within @p dns_timeout_ms. NULL host is
 * the wildcard (needs @p passive). Free the result with freeaddrinfo().
 * Raises @p exc with the host named in the message.
 */
struct addrinfo *SocketCommon__resolve (const char *host, int port,
                                        int family, int socktype,
                                        int passive, int dns_timeout_ms,
                                        Except_T exc);

/**
 * Look up a host name (not a literal) through the shared resolver within
 * @p timeout_ms (0 = resolver default). @return 0, or -1 when failing with
 * @p use_exceptions == 0; otherwise raises @p exc.
 */
int SocketCommon__resolve_name (const char *host, int port,
                                const struct addrinfo *hints,
                                struct addrinfo **res, int timeout_ms,
                                Except_T exc, int use_exceptions);

/**
 * Copy @p ai's address into @p out for a socket of @p family, mapping
 * IPv4 into ::ffff:0:0/96 for AF_INET6 sockets. @return length, or 0 if
 * the address family cannot be used with the socket.
 */
socklen_t SocketCommon__sockaddr_for_family (const struct addrinfo *ai,
                                             int family,
                                             struct sockaddr_storage *out);

/**
 * poll() one descriptor for @p events, restarting on EINTR with the
 * remaining time. @p timeout_ms < 0 waits forever.
 * @return revents (> 0), 0 on timeout, -1 on poll() failure (errno set).
 */
int SocketCommon__wait_fd (int fd, short events, int timeout_ms);

/** Clamp negative fields of @p t to 0 (the original's rule). */
void SocketCommon__clamp_timeouts (SocketTimeouts_T *t);

/** 1 if O_NONBLOCK is set on @p fd. */
int SocketCommon__is_nonblocking (int fd);

/** Set SO_RCVTIMEO and SO_SNDTIMEO to @p seconds (0 = none). */
void SocketCommon__set_timeout_sec (SocketBase_T base, int seconds,
                                    Except_T exc);

/** SO_RCVTIMEO in whole seconds (microseconds dropped). */
int SocketCommon__get_timeout_sec (SocketBase_T base, Except_T exc);

/**
 * SocketDgram_sendto with a payload limit of @p limit bytes (the public call
 * uses SAFE_UDP_SIZE; the Go bindings use UDP_MAX_PAYLOAD).
 */
ssize_t SocketDgram__sendto (struct SocketDgram_T *socket, const void *buf,
                             size_t len, const char *host, int port,
                             size_t limit);

/** Test hook: 1 forces the read/send fallback of Socket_sendfile. */
extern int Socket__sendfile_force_fallback;

#endif /* SOCKET_PRIVATE_INCLUDED */
