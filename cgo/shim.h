/*
 * shim.h - the only C entry points Go calls for RAISE-capable functions.
 *
 * Every shim is named go_<Module>_<verb>. It opens a TRY, calls the API,
 * and when anything is raised it copies the exception into the caller's
 * GoErr and returns a negative code (0 on success). The exception is thus
 * caught inside the same C call, on the same thread, so no longjmp ever
 * crosses a Go frame and Go never reads thread-local error state later.
 *
 * Buffers passed in are borrowed for the call only; no shim keeps a
 * pointer it was given. Declarations only: this header is pulled into the
 * preamble of Go files with //export (through _cgo_export.h), where
 * definitions would be duplicated.
 */
#ifndef CSOCKET_SHIM_H
#define CSOCKET_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/Except.h"
#include "core/SocketCrypto.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUTF8.h"
#include "core/SocketUtil.h"
#include "core/SocketTimer.h"
#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"
#include "socket/SocketDgram.h"

/* Negative return codes of the shims. */
enum
{
  GOERR_OK = 0,
  GOERR_EXCEPTION = -1, /* an Except_T was raised; see GoErr */
  GOERR_FAILED = -2     /* the API reported failure by return value */
};

#define GOERR_REASON_SIZE 512

/*
 * What Go learns about a failure. exception and file point to static
 * strings (the name table and __FILE__ literals); reason is a copy,
 * because the library formats it in a thread-local buffer.
 */
typedef struct GoErr
{
  int code;              /* GOERR_* */
  int err_no;            /* errno saved with the failure, 0 if none */
  int line;              /* raise line, 0 if unknown */
  int truncated;         /* reason was cut to fit */
  const char *exception; /* public name, e.g. "SocketCrypto_Failed" */
  const char *file;      /* raise file, NULL if unknown */
  char reason[GOERR_REASON_SIZE];
} GoErr;

/* Fill @e from a caught exception and return e->code. */
int go_err_capture (GoErr *e, const Except_T *exc, const char *file,
                    int line);

/* Fill @e for a failure reported by return value and return e->code. */
int go_err_failed (GoErr *e, const char *exception, const char *reason);

/* Public name of @exc (matched by identity of exc or exc->type). */
const char *go_exception_name (const Except_T *exc);

/* Shims whose Go declaration carries `#cgo nocallback` mark the thread for
 * the duration of the call; the log and event trampolines check the mark
 * and never enter Go while it is set (the runtime would abort). */
extern __thread int go_nocallback_depth;

/*
 * GO_CALL runs @stmt inside TRY and stores a caught exception in @err and
 * @rc (which must be a volatile int). GO_CALL_NOCB does the same for shims
 * declared nocallback on the Go side; shims without a TRY bracket their
 * body with GO_NOCB_ENTER/GO_NOCB_LEAVE instead. lint_boundary.py checks
 * that every nocallback shim does one or the other.
 */
/* errno is cleared first: SOCKET_ERROR_MSG records the current errno (as
 * in the original library), which would otherwise be whatever an earlier
 * call on this OS thread left behind. */
#define GO_CALL(rc, err, stmt)                                                \
  TRY { errno = 0; stmt; }                                                    \
  ELSE                                                                        \
  {                                                                           \
    (rc) = go_err_capture ((err), Except_frame.exception, Except_frame.file,  \
                           Except_frame.line);                                \
  }                                                                           \
  END_TRY

#define GO_NOCB_ENTER() (go_nocallback_depth++)
#define GO_NOCB_LEAVE() (go_nocallback_depth--)

#define GO_CALL_NOCB(rc, err, stmt)                                           \
  do                                                                          \
    {                                                                         \
      GO_NOCB_ENTER ();                                                       \
      GO_CALL (rc, err, stmt);                                                \
      GO_NOCB_LEAVE ();                                                       \
    }                                                                         \
  while (0)

/* ---- crypto ----------------------------------------------------------- */
int go_SocketCrypto_sha1 (const void *in, size_t n, unsigned char *out,
                          GoErr *e);
int go_SocketCrypto_sha256 (const void *in, size_t n, unsigned char *out,
                            GoErr *e);
int go_SocketCrypto_md5 (const void *in, size_t n, unsigned char *out,
                         GoErr *e);
int go_SocketCrypto_hmac_sha256 (const void *key, size_t key_len,
                                 const void *data, size_t data_len,
                                 unsigned char *out, GoErr *e);
int go_SocketCrypto_hex_encode (const void *in, size_t n, char *out,
                                int lowercase, GoErr *e);
int go_SocketCrypto_random_bytes (void *out, size_t n, GoErr *e);
int go_SocketCrypto_random_uint32 (uint32_t *out, GoErr *e);
int go_SocketCrypto_websocket_key (char *out, GoErr *e);
int go_SocketCrypto_websocket_accept (const char *key, size_t key_len,
                                      char *out, GoErr *e);

/* ---- UTF-8 (state lives in Go memory, borrowed per call) -------------- */
int go_SocketUTF8_update (SocketUTF8_State *st, const unsigned char *in,
                          size_t n, int *result, GoErr *e);
int go_SocketUTF8_finish (const SocketUTF8_State *st, int *result, GoErr *e);
int go_SocketUTF8_reset (SocketUTF8_State *st, GoErr *e);

/* ---- rate limiter (C handle owned by a Go wrapper) -------------------- */
int go_SocketRateLimit_new (size_t rate, size_t burst, SocketRateLimit_T *out,
                            GoErr *e);
void go_SocketRateLimit_free (SocketRateLimit_T l);
int go_SocketRateLimit_try_acquire (SocketRateLimit_T l, size_t n, int *ok,
                                    GoErr *e);
int go_SocketRateLimit_acquire_or_wait (SocketRateLimit_T l, size_t n,
                                        int *ok, int64_t *wait_ms, GoErr *e);
int go_SocketRateLimit_wait_time (SocketRateLimit_T l, size_t n,
                                  int64_t *wait_ms, GoErr *e);
int go_SocketRateLimit_available (SocketRateLimit_T l, size_t *out, GoErr *e);
int go_SocketRateLimit_reset (SocketRateLimit_T l, GoErr *e);
int go_SocketRateLimit_configure (SocketRateLimit_T l, size_t rate,
                                  size_t burst, GoErr *e);
int go_SocketRateLimit_params (SocketRateLimit_T l, size_t *rate,
                               size_t *burst, GoErr *e);

/* ---- metrics, errors, version ------------------------------------------ */
int go_SocketMetrics_snapshot (unsigned long long *out, size_t n, GoErr *e);
int go_SocketMetrics_reset (GoErr *e);
int go_SocketMetrics_increment (int metric, unsigned long value, GoErr *e);
size_t go_SocketMetrics_count (void);
void go_Socket_lastError (char *buf, size_t n, int *err_no);
void go_SocketLog_discard (void);
const char *go_Socket_versionString (void);

/* ---- logging and events: these call back into Go ----------------------- */
int go_SocketLog_setGoSink (int enable, GoErr *e);
int go_SocketLog_emit (int level, const char *component, size_t clen,
                       const char *message, size_t mlen, GoErr *e);
int go_SocketEvent_setGoHandler (int enable, GoErr *e);
int go_SocketEvent_emit (int type, int fd, const char *a, size_t alen,
                         int aport, const char *b, size_t blen, int bport,
                         int nfds, int timeout_ms, GoErr *e);
/* Callbacks not delivered to Go because a nocallback shim was running on
 * the thread (@dropped), and deliveries where Go reported failure (@failed). */
void go_callback_stats (unsigned long long *dropped,
                        unsigned long long *failed);

/*
 * Boundary proof: calls the Go function behind @handle (a cgo.Handle) from
 * C inside this shim's TRY. If Go reports failure, the trampoline RAISEs
 * GoCallback_Failed only after the Go frame has returned.
 */
extern const Except_T GoCallback_Failed;
int go_Callback_invoke (uintptr_t handle, GoErr *e);

/* Test hook for the nocallback guard: logs from inside a nocallback shim. */
void go_Callback_logInsideNocallback (const char *message);

/* ---- sockets (shim_socket.c) -------------------------------------------- */

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

#endif /* CSOCKET_SHIM_H */
