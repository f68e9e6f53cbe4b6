/*
 * shim_socket.h - shims of stream and datagram sockets, the event loop and
 * the resolver (shim_socket.c). Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_SOCKET_H
#define CSOCKET_SHIM_SOCKET_H

#include "shim.h"

#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketDgram.h"

/* ---- sockets ------------------------------------------------------------ */

/* Longest address string copied out: numeric IPv6 with zone, or a Unix
 * path (sun_path is 108 bytes). */
#define GO_ADDR_SIZE 128

/*
 * A socket created, accepted or connected by a shim, described in the same
 * call. pollfd is a CLOEXEC dup of the C object's descriptor made for Go's
 * poller: Go owns and closes it; the C object keeps (and Socket_free /
 * SocketDgram_free closes) the original.
 */
typedef struct GoSockInfo
{
  Socket_T sock;       /* stream socket, NULL if none */
  SocketDgram_T dgram; /* datagram socket, NULL if none */
  int pollfd;          /* -1 if none */
  int connected;
  int local_port;
  int remote_port;
  char local_addr[GO_ADDR_SIZE];
  char remote_addr[GO_ADDR_SIZE];
} GoSockInfo;

/* Options of go_Socket_option / go_SocketDgram_option: *value is the
 * input of a SET and the output of a GET. */
enum
{
  GO_OPT_NODELAY_GET,
  GO_OPT_NODELAY_SET,
  GO_OPT_RCVBUF_GET,
  GO_OPT_RCVBUF_SET,
  GO_OPT_SNDBUF_GET,
  GO_OPT_SNDBUF_SET,
  GO_OPT_BROADCAST_GET,
  GO_OPT_BROADCAST_SET,
  GO_OPT_TTL_GET,
  GO_OPT_TTL_SET
};

/* Stream sockets: each constructor makes the socket non-blocking and
 * returns it with its poll descriptor; @host is a numeric address and,
 * like @path, a Go string (not NUL-terminated). */
int go_Socket_dial (int domain, const char *host, size_t host_len, int port,
                    int nodelay, GoSockInfo *out, GoErr *e);
int go_Socket_dial_unix (const char *path, size_t path_len, GoSockInfo *out,
                         GoErr *e);
int go_Socket_listen (int domain, const char *host, size_t host_len, int port,
                      int backlog, GoSockInfo *out, GoErr *e);
int go_Socket_listen_unix (const char *path, size_t path_len, int backlog,
                           GoSockInfo *out, GoErr *e);
/* out->sock is NULL when no connection is pending. */
int go_Socket_accept (Socket_T s, int nodelay, GoSockInfo *out, GoErr *e);
/* After writability: SO_ERROR as a failure, else out->connected and, once
 * connected, the endpoints. */
int go_Socket_connect_result (Socket_T s, GoSockInfo *out, GoErr *e);
void go_Socket_free (Socket_T s);
/* *n = 0: would block. recv raises Socket_Closed at EOF. */
int go_Socket_send (Socket_T s, const void *buf, size_t len, ssize_t *n,
                    GoErr *e);
int go_Socket_recv (Socket_T s, void *buf, size_t len, ssize_t *n, GoErr *e);
int go_Socket_shutdown (Socket_T s, int how, GoErr *e);
int go_Socket_option (Socket_T s, int op, int *value, GoErr *e);
/* Fails (GOERR_FAILED, errno ENOTCONN) when SO_PEERCRED has nothing. */
int go_Socket_peercred (Socket_T s, int *pid, int *uid, int *gid, GoErr *e);
int go_Socket_sendfds (Socket_T s, const int *fds, size_t count,
                       const void *data, size_t len, ssize_t *n, GoErr *e);
int go_Socket_recvfds (Socket_T s, int *fds, size_t max, int *nfds, void *buf,
                       size_t len, ssize_t *n, GoErr *e);
void go_Socket_live_counts (int *sockets, int *dgrams);

/* Datagram sockets: bound to @host (numeric; empty = any) and @port. */
int go_SocketDgram_open (int domain, const char *host, size_t host_len,
                         int port, GoSockInfo *out, GoErr *e);
void go_SocketDgram_free (SocketDgram_T s);
int go_SocketDgram_sendto (SocketDgram_T s, const void *buf, size_t len,
                           const char *host, size_t host_len, int port,
                           ssize_t *n, GoErr *e);
/* @host receives the sender's numeric address (NUL-terminated); it stays
 * empty when nothing was received (*n = 0 is also an empty datagram). */
int go_SocketDgram_recvfrom (SocketDgram_T s, void *buf, size_t len,
                             char *host, size_t host_size, int *port,
                             ssize_t *n, GoErr *e);
int go_SocketDgram_option (SocketDgram_T s, int op, int *value, GoErr *e);
int go_SocketDgram_multicast (SocketDgram_T s, int join, const char *group,
                              size_t group_len, const char *ifname,
                              size_t ifname_len, GoErr *e);

/* ---- event loop --------------------------------------------------------- */

/* SocketEvent_T with the pointers as integers, so Go reads the C-owned
 * array without holding C addresses in pointer-typed memory (the layout is
 * checked against SocketEvent_T in shim_socket.c). */
typedef struct GoPollEvent
{
  uintptr_t socket;
  uintptr_t data;
  unsigned events;
} GoPollEvent;

enum
{
  GO_POLL_ADD,
  GO_POLL_MOD,
  GO_POLL_DEL
};

int go_SocketPoll_new (int maxevents, SocketPoll_T *out, GoErr *e);
void go_SocketPoll_free (SocketPoll_T p);
/* @data is stored as the event's user data (a cgo.Handle on the Go side). */
int go_SocketPoll_ctl (SocketPoll_T p, int op, Socket_T s, unsigned events,
                       uintptr_t data, GoErr *e);
/* *events points into the poll's own array, valid until the next wait. */
int go_SocketPoll_wait (SocketPoll_T p, int timeout_ms, GoPollEvent **events,
                        int *n, GoErr *e);
/* Interrupt the current or next wait: a 0 ms no-op timer. */
int go_SocketPoll_wake (SocketPoll_T p, GoErr *e);

/* ---- resolver ------------------------------------------------------------ */

/* One resolved address: family AF_INET (4 bytes used) or AF_INET6. */
typedef struct GoAddr
{
  int family;
  int port;
  uint32_t scope_id;
  unsigned char addr[16];
} GoAddr;

/* *pollfd is a CLOEXEC dup of SocketDNS_pollfd, owned by Go. */
int go_SocketDNS_new (SocketDNS_T *out, int *pollfd, int *timeout_ms,
                      GoErr *e);
void go_SocketDNS_free (SocketDNS_T d);
/* Queue a lookup without callback; *req is the request handle. */
int go_SocketDNS_resolve (SocketDNS_T d, const char *host, size_t host_len,
                          int port, uintptr_t *req, GoErr *e);
/* SocketDNS_check: *n requests completed. */
int go_SocketDNS_check (SocketDNS_T d, int *n, GoErr *e);
/*
 * Take the result of @req if complete (*done = 1): up to @max addresses
 * into @out (*count), the list freed; a failed lookup returns
 * GOERR_FAILED with the getaddrinfo code in *gai and releases the record.
 * *done = 0 while pending.
 */
int go_SocketDNS_result (SocketDNS_T d, uintptr_t req, GoAddr *out, int max,
                         int *count, int *done, int *gai, GoErr *e);
int go_SocketDNS_cancel (SocketDNS_T d, uintptr_t req, GoErr *e);
/* Test hook: @stall >= 0 sets the worker stall gate; *live = records
 * allocated. GOERR_FAILED when linked against an installed library. */
int go_SocketDNS_test_hook (SocketDNS_T d, int stall, size_t *live,
                            GoErr *e);

/* Clear @out before a constructor fills it (no socket, pollfd -1). */
void go_sockinfo_reset (GoSockInfo *out);

#endif /* CSOCKET_SHIM_SOCKET_H */
