/*
 * shim_tls.h - TRY-wrapped entry points for TLS and DTLS (see shim.h for
 * the conventions: go_<Module>_<verb>, GoErr, 0 or a negative code).
 *
 * Declarations only, and no TLS header needed: contexts are incomplete
 * struct pointers. When the C core is built without TLS (SOCKET_HAS_TLS
 * unset) every shim exists but fails with SocketTLS_Failed, errno ENOSYS.
 */
#ifndef CSOCKET_SHIM_TLS_H
#define CSOCKET_SHIM_TLS_H

#include "shim_socket.h"

struct SocketTLSContext_T;
struct SocketDTLSContext_T;

/*
 * Everything a context is built from, applied in one call. Every pointer
 * is C memory owned by the caller (NULL for "not set"); strings are
 * NUL-terminated. 0 or -1 fields keep the library default as noted.
 */
typedef struct GoTLSConfig
{
  int server;
  const char *cert_file;
  const char *key_file;
  const char *ca_file;
  const char *ciphers;
  const char *alpn; /* alpn_count NUL-terminated names back to back */
  int alpn_count;
  int verify_mode;  /* -1: default (clients verify, servers do not) */
  int min_version;  /* 0: default */
  int max_version;  /* 0: default */
  int session_cache;
  size_t cache_size;  /* 0: default */
  long cache_timeout; /* seconds, 0: default */
  const unsigned char *ticket_key; /* TLS server: stateless tickets */
  size_t ticket_key_len;
  const unsigned char *pins; /* pin_count SHA-256 SPKI digests */
  size_t pin_count;
  int pin_enforce;                    /* -1: default (enforce) */
  const char *sni; /* TLS server: sni_count host, cert, key NUL-terminated
                      triples back to back */
  int sni_count;
  const char *crl_path;       /* TLS: CRL file or directory, NULL: none */
  const unsigned char *ocsp;  /* TLS server: DER response to staple */
  size_t ocsp_len;
  uintptr_t verify_handle; /* TLS: cgo.Handle of a Go verify function, 0 */
  uintptr_t alpn_handle;   /* TLS server: cgo.Handle of a Go ALPN chooser */
  int cookie_exchange;                /* DTLS server */
  const unsigned char *cookie_secret; /* DTLS server, optional */
  size_t cookie_secret_len;
  const char *cert_pem; /* PEM chain (leaf first) + key in memory */
  size_t cert_pem_len;
  const char *key_pem;
  size_t key_pem_len;
  const char *ca_pem; /* PEM trust anchors in memory (client: no system
                         store unless ca_file is set too) */
  size_t ca_pem_len;
  const char *sni_pem; /* TLS server: sni_pem_count host, cert PEM, key PEM
                          NUL-terminated triples back to back */
  int sni_pem_count;
  int mtu;                 /* DTLS, 0: default */
  int timeout_initial_ms;  /* DTLS retransmission timer, 0: default */
  int timeout_max_ms;
} GoTLSConfig;

/* Negotiated parameters of a connection, copied out in one call. */
typedef struct GoTLSState
{
  int complete;     /* handshake done */
  int version;      /* 0x0303, 0x0304, 0xfefd (DTLS 1.2); 0 if unknown */
  int cipher_id;    /* IANA cipher suite number, 0 if unknown */
  int resumed;
  long verify_result; /* X509_V_OK (0) or X509_V_ERR_* */
  int ocsp_status;    /* client: SocketTLS_get_ocsp_status; -1 otherwise */
  char server_name[256]; /* server: the SNI name the client sent */
  char version_name[16];
  char cipher[64];
  char alpn[256];
} GoTLSState;

/* ---- TLS ------------------------------------------------------------------ */

int go_SocketTLSContext_new (const GoTLSConfig *cfg,
                             struct SocketTLSContext_T **out, GoErr *e);
void go_SocketTLSContext_free (struct SocketTLSContext_T *ctx);
/* Longest certificate list passed to a Go verify function. */
#define GO_TLS_VERIFY_MAX_CERTS 16

#ifdef SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
/*
 * SocketTLSVerifyCallback that hands the peer's certificates (as sent,
 * leaf first) and the verified chain to the Go function behind the
 * cgo.Handle in @ud, once, at depth 0, after OpenSSL accepted the chain
 * (shim_tls_callback.c). Fails closed inside a nocallback shim.
 */
int go_tls_verify_trampoline (int preverify_ok, X509_STORE_CTX *store,
                              SocketTLSContext_T ctx, Socket_T socket,
                              void *ud);
/* SocketTLSAlpnCallback asking the Go function behind @ud which of the
 * offered protocols to use; NULL (no ALPN) inside a nocallback shim. */
const char *go_tls_alpn_trampoline (const char **client_protos, size_t count,
                                    void *ud);
#endif

/* Replace the context's CRLs by those of @path (a Go string). */
int go_SocketTLSContext_refresh_crl (struct SocketTLSContext_T *ctx,
                                     const char *path, size_t len, GoErr *e);
int go_SocketTLSContext_stats (struct SocketTLSContext_T *ctx, size_t *hits,
                               size_t *misses, size_t *stores, GoErr *e);

/* Enable TLS on a connected socket; a client also gets @host (a Go
 * string; empty = none) for SNI and certificate checking. */
int go_SocketTLS_enable (Socket_T s, struct SocketTLSContext_T *ctx,
                         const char *host, size_t host_len, GoErr *e);
/* One handshake step; *state is a TLSHandshakeState. */
int go_SocketTLS_handshake (Socket_T s, int *state, GoErr *e);
/* *n = 0: would block. */
int go_SocketTLS_send (Socket_T s, const void *buf, size_t len, ssize_t *n,
                       GoErr *e);
/* *n = 0: would block and no plaintext is buffered in the TLS layer.
 * Socket_Closed at close_notify or a clean EOF. */
int go_SocketTLS_recv (Socket_T s, void *buf, size_t len, ssize_t *n,
                       GoErr *e);
/* Send close_notify with one non-blocking attempt (never waits); *sent is
 * 0 when it did not fit in the send buffer (or the connection cannot send
 * any more) and 1 when it went out now or earlier. */
int go_SocketTLS_close_notify (Socket_T s, int *sent, GoErr *e);
int go_SocketTLS_state (Socket_T s, GoTLSState *out, GoErr *e);
/*
 * The peer's certificates as DER, back to back in @buf: the chain as sent
 * (@verified 0, leaf first) or as verified (1, leaf to anchor). At most
 * @max certificates; lens[i] is the length of the i-th, *count how many,
 * *need the bytes they take: when *need > @cap only the certificates that
 * fit whole were copied; call again with a buffer of *need bytes.
 */
int go_SocketTLS_peer_chain (Socket_T s, int verified, unsigned char *buf,
                             size_t cap, int *lens, int max, int *count,
                             size_t *need, GoErr *e);

/* The OCSP response a client received (DER) into @buf; *n is its length,
 * -1 if none; nothing is copied when *n > @cap. */
int go_SocketTLS_ocsp_response (Socket_T s, unsigned char *buf, size_t cap,
                                ssize_t *n, GoErr *e);

/* ---- DTLS ----------------------------------------------------------------- */

int go_SocketDTLSContext_new (const GoTLSConfig *cfg,
                              struct SocketDTLSContext_T **out, GoErr *e);
void go_SocketDTLSContext_free (struct SocketDTLSContext_T *ctx);

/* Client: a non-blocking UDP socket of @domain with DTLS, connected to the
 * numeric @host and @port, checking the certificate against @sni (a Go
 * string; empty: @host). */
int go_SocketDTLS_dial (int domain, const char *host, size_t host_len,
                        int port, struct SocketDTLSContext_T *ctx,
                        const char *sni, size_t sni_len, GoSockInfo *out,
                        GoErr *e);
/* Server: a non-blocking UDP socket with SO_REUSEADDR and DTLS, waiting
 * for a client (SocketDTLS_listen); bound to the numeric @host (empty:
 * any) and @port unless @bind is 0 (then go_SocketDTLS_accept binds it). */
int go_SocketDTLS_listen_open (int domain, const char *host, size_t host_len,
                               int port, int bind,
                               struct SocketDTLSContext_T *ctx,
                               GoSockInfo *out, GoErr *e);
/*
 * One SocketDTLS_listen step; *state is a DTLSHandshakeState. On
 * DTLS_HANDSHAKE_IN_PROGRESS the socket is connected to the client, whose
 * address is in out->remote_addr/remote_port, and the unbound socket
 * @next (may be NULL) is bound at once to @host (empty: any) and @port,
 * the listener's address, so new clients find a socket again within
 * microseconds; *next_bound says whether that bind worked (a failure is
 * not an error of this call).
 */
int go_SocketDTLS_accept (struct SocketDgram_T *s, struct SocketDgram_T *next,
                          const char *host, size_t host_len, int port,
                          int *state, int *next_bound, GoSockInfo *out,
                          GoErr *e);
/* One handshake step, retransmitting first if the timer expired. *timer_ms
 * is the time left on the retransmission timer (-1: none running). */
int go_SocketDTLS_handshake (struct SocketDgram_T *s, int *state,
                             int *timer_ms, GoErr *e);
int go_SocketDTLS_send (struct SocketDgram_T *s, const void *buf, size_t len,
                        ssize_t *n, GoErr *e);
int go_SocketDTLS_recv (struct SocketDgram_T *s, void *buf, size_t len,
                        ssize_t *n, GoErr *e);
int go_SocketDTLS_shutdown (struct SocketDgram_T *s, GoErr *e);
int go_SocketDTLS_state (struct SocketDgram_T *s, GoTLSState *out, GoErr *e);
/* go_SocketTLS_peer_chain for DTLS. */
int go_SocketDTLS_peer_chain (struct SocketDgram_T *s, int verified,
                              unsigned char *buf, size_t cap, int *lens,
                              int max, int *count, size_t *need, GoErr *e);

#endif /* CSOCKET_SHIM_TLS_H */
