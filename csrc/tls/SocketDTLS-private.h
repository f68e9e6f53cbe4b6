/*
 * SocketDTLS-private.h - internals shared by SocketDTLS*.c and the DTLS
 * tests/fuzzer. Not installed; nothing here is API.
 */
#ifndef SOCKETDTLS_PRIVATE_INCLUDED
#define SOCKETDTLS_PRIVATE_INCLUDED

#if SOCKET_HAS_TLS

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/ssl.h>

#include "tls/SocketDTLS.h"
#include "tls/SocketDTLSConfig.h"
#include "tls/SocketDTLSContext.h"

/* Wire constants (RFC 6347 sections 4.1, 4.2.2). */
#define DTLS__RECORD_HEADER_LEN 13
#define DTLS__HANDSHAKE_HEADER_LEN 12
#define DTLS__CT_HANDSHAKE 22
#define DTLS__HT_CLIENT_HELLO 1
#define DTLS__HT_HELLO_VERIFY_REQUEST 3

/* Largest datagram a listener reads: a full record plus slack for
 * expansion; anything longer is truncated and dropped. */
#define DTLS__MAX_DATAGRAM (SOCKET_DTLS_MAX_RECORD_SIZE + 2048 + 64)

/* IP + UDP header bytes subtracted from the path MTU. */
#define DTLS__IPV4_UDP_OVERHEAD 28
#define DTLS__IPV6_UDP_OVERHEAD 48

/** One client-side cached session, keyed by server identity. */
struct SocketDTLS_CachedSession
{
  char *key;             /* "address|port|hostname", malloc'd */
  SSL_SESSION *session;  /* one reference held */
  uint64_t stamp;        /* insertion order, for eviction */
};

struct SocketDTLSContext_T
{
  SSL_CTX *ssl_ctx;
  int is_server;
  atomic_int refs; /* caller + each enabled socket */
  size_t mtu;
  int timeout_initial_ms;
  int timeout_max_ms;
  unsigned char *alpn_wire; /* RFC 7301 wire list, malloc'd (server) */
  size_t alpn_wire_len;

  /* Cookie secrets (guarded by lock). */
  pthread_mutex_t lock;
  int cookie_enabled;
  int has_secret;
  unsigned char secret[SOCKET_DTLS_COOKIE_SECRET_LEN];
  int has_prev_secret;
  unsigned char prev_secret[SOCKET_DTLS_COOKIE_SECRET_LEN];
  time_t prev_secret_until; /* prev accepted while clock < this */

  /* Session cache (client entries guarded by lock). */
  int cache_enabled;
  size_t cache_max;
  struct SocketDTLS_CachedSession *cache;
  size_t cache_len;
  uint64_t cache_stamp;
  atomic_size_t stat_hits, stat_misses, stat_stores;
};

/** Per-socket DTLS association (struct SocketDgram_T field `dtls`). */
struct SocketDTLS_Conn
{
  SSL *ssl;
  SocketDTLSContext_T ctx; /* one reference held */
  int is_server;
  int accepted;            /* server: peer chosen, socket connected */
  int started;             /* first handshake step taken */
  int handshake_done;
  int shutdown;
  int stats_counted;
  DTLSHandshakeState last_state;
  size_t mtu;
  char *hostname;           /* client: SNI/verification name, malloc'd */
  char *session_key;        /* client cache key, malloc'd */
  char alpn[SOCKET_DTLS_MAX_ALPN_LEN + 1];
};

/* ---- Private counters (tests assert statelessness with these) ---- */

/** Process-wide DTLS event counters. */
struct SocketDTLS__Stats
{
  atomic_size_t conns_allocated; /* SocketDTLS_Conn objects created */
  atomic_size_t peers_accepted;  /* listener committed to a client */
  atomic_size_t hvr_sent;        /* HelloVerifyRequests produced */
  atomic_size_t cookies_ok;      /* cookies that verified */
  atomic_size_t cookies_bad;     /* cookies that did not */
};
extern struct SocketDTLS__Stats SocketDTLS__stats;

/** Clock for cookie periods and secret grace (wall seconds); tests may
 *  replace it. */
extern time_t (*SocketDTLS__clock) (void);

/* ---- Errors ---- */

/** Format into dtls_error_buf (and socket_error_buf), append the OpenSSL
 *  error queue (which is emptied), raise @p e. */
void SocketDTLS__raise (const Except_T *e, const char *fmt, ...)
    __attribute__ ((noreturn, format (printf, 2, 3)));

/** The connection of @p socket; raises SocketDTLS_Failed naming @p op
 *  for a NULL socket or one without DTLS. */
/** DTLS state of @p socket; raises @p e "DTLS not enabled on socket". */
struct SocketDTLS_Conn *SocketDTLS__conn_or (SocketDgram_T socket,
                                             const Except_T *e);
/** SocketDTLS_handshake raising the finer SocketDTLS_VerifyFailed and
 * SocketDTLS_TimeoutExpired (the public one raises HandshakeFailed, as the
 * original does). For the library's own bindings. */
DTLSHandshakeState SocketDTLS__handshake (SocketDgram_T socket);
/** set_hostname; @p force_verify 0 leaves the verify mode alone. */
void SocketDTLS__set_hostname (SocketDgram_T socket, const char *hostname,
                               int force_verify);
struct SocketDTLS_Conn *SocketDTLS__conn (SocketDgram_T socket,
                                          const char *op);

/* Routes SocketDgram send/recv of a DTLS socket through the records
 * (SocketDTLS-io.c); SocketDTLS_enable installs it. */
extern const struct SocketDgram__layer SocketDTLS__layer;

/* ---- Context internals (SocketDTLSContext.c) ---- */

/** New context without certificates (constructors and fuzzer). */
SocketDTLSContext_T SocketDTLSContext__new (int is_server);

/** Take / drop a reference. */
void SocketDTLSContext__ref (SocketDTLSContext_T ctx);
void SocketDTLSContext__unref (SocketDTLSContext_T ctx);

/** The context that owns @p ssl_ctx (NULL if none). */
SocketDTLSContext_T SocketDTLSContext__from_ssl_ctx (const SSL_CTX *ssl_ctx);

/** Client cache: offer the session stored under @p key on @p ssl. */
void SocketDTLSContext__cache_offer (SocketDTLSContext_T ctx, SSL *ssl,
                                     const char *key);

/* ---- Cookies (SocketDTLS-cookie.c) ---- */

/** Install the OpenSSL cookie callbacks on @p ctx's SSL_CTX. */
void SocketDTLS__cookie_install (SocketDTLSContext_T ctx);

/** Cookie for @p peer under the current secret and period. 0 or -1. */
int SocketDTLS__cookie_compute (SocketDTLSContext_T ctx,
                                const struct sockaddr *peer,
                                socklen_t peer_len,
                                unsigned char out[SOCKET_DTLS_COOKIE_LEN]);

/** 1 if @p cookie is valid for @p peer (current or previous period; current
 *  secret, or the previous one within its grace time), else 0. */
int SocketDTLS__cookie_verify (SocketDTLSContext_T ctx,
                               const struct sockaddr *peer,
                               socklen_t peer_len, const unsigned char *cookie,
                               size_t cookie_len);

/** Outcome of one datagram fed to the stateless listener. */
typedef enum
{
  DTLS__LISTEN_DROP = 0,   /* not a usable ClientHello: ignored */
  DTLS__LISTEN_VERIFY = 1, /* HelloVerifyRequest written to out */
  DTLS__LISTEN_ACCEPT = 2  /* valid cookie: ssl continues with SSL_accept */
} SocketDTLS__ListenResult;

/**
 * Run one datagram from @p peer through DTLSv1_listen() on @p ssl (whose
 * BIOs are replaced by memory BIOs). A reply goes to @p out (*out_len
 * bytes, 0 if none). Nothing is kept about @p peer unless the result is
 * DTLS__LISTEN_ACCEPT. Never raises; the OpenSSL error queue is cleared.
 */
SocketDTLS__ListenResult
SocketDTLS__listen_datagram (SSL *ssl, const void *dgram, size_t len,
                             const struct sockaddr *peer, socklen_t peer_len,
                             unsigned char *out, size_t out_cap,
                             size_t *out_len);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETDTLS_PRIVATE_INCLUDED */
