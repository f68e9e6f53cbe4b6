/*
 * SocketTLS-private.h - internals shared by csrc/tls/SocketTLS*.c (not
 * DTLS). Not installed; nothing here is API.
 *
 * Ownership: a SocketTLSContext_T owns its SSL_CTX and is reference
 * counted (the caller's handle plus one per live connection). A
 * SocketTLS_T is owned by its Socket_T (Socket_free -> SocketTLS__release).
 * Callbacks find the context through SSL_CTX ex_data, so they also work for
 * SSL objects made directly on SocketTLSContext_get_ssl_ctx() (fuzzing);
 * per-connection state through SSL ex_data may then be NULL.
 */
#ifndef SOCKETTLS_PRIVATE_INCLUDED
#define SOCKETTLS_PRIVATE_INCLUDED

#if SOCKET_HAS_TLS

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/Except.h"
#include "socket/Socket.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSConfig.h"
#include "tls/SocketTLSContext.h"

/** TLS 1.2 cipher list used until set_cipher_list: ECDHE + AEAD only. */
#define SOCKET_TLS12_CIPHERS                                                  \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"

/** One SNI virtual host. */
typedef struct SocketTLS_SniEntry
{
  char *host;             /* lower case; "*.example.com" for wildcards */
  X509 *cert;             /* leaf */
  EVP_PKEY *key;
  STACK_OF (X509) * chain; /* intermediates, may be NULL */
} SocketTLS_SniEntry;

/** One stored client session (key = "host:port"). */
typedef struct SocketTLS_ClientSession
{
  char *key;
  SSL_SESSION *session;
  struct SocketTLS_ClientSession *next; /* most recently stored first */
} SocketTLS_ClientSession;

/** A session ticket key: name, HMAC key, AES key (RFC 5077 layout). */
typedef struct SocketTLS_TicketKey
{
  unsigned char name[16];
  unsigned char hmac[32];
  unsigned char aes[32];
} SocketTLS_TicketKey;

struct SocketTLSContext_T
{
  SSL_CTX *ssl_ctx;
  int is_server;
  atomic_int refs;
  pthread_mutex_t lock; /* session store, ticket keys, CRL refresh */

  /* verification */
  int verify_mode;
  SocketTLSVerifyCallback verify_cb;
  void *verify_ud;

  /* SNI */
  SocketTLS_SniEntry *sni;
  size_t sni_count;
  size_t sni_cap;

  /* ALPN: wire format (length-prefixed names) */
  unsigned char *alpn;
  size_t alpn_len;
  SocketTLSAlpnCallback alpn_cb;
  void *alpn_ud;

  /* OCSP stapling */
  unsigned char *ocsp_der;
  size_t ocsp_len;
  SocketTLSOcspGenCallback ocsp_gen;
  void *ocsp_arg;

  /* sessions */
  int cache_enabled;
  size_t cache_size;
  SocketTLS_ClientSession *client_sessions;
  size_t client_session_count;
  atomic_size_t hits;
  atomic_size_t misses;
  atomic_size_t stores;
  int tickets_enabled;
  SocketTLS_TicketKey ticket_cur;
  SocketTLS_TicketKey ticket_prev;
  int ticket_have_prev;

  /* pinning */
  unsigned char (*pins)[SOCKET_TLS_PIN_HASH_LEN];
  size_t pin_count;
  size_t pin_cap;
  int pin_enforce;
};

struct SocketTLS_T
{
  SSL *ssl;
  SocketTLSContext_T ctx; /* one reference held */
  Socket_T socket;        /* owner (back pointer for callbacks) */
  TLSHandshakeState state;
  char *hostname;         /* client: SNI / verification name */
  int offered_session;    /* client: a cached session was offered */
  int pin_failed;         /* verify callback rejected on pins */
  int callback_failed;    /* user verify callback raised */
  int fatal;              /* fatal error seen: no shutdown allowed */
  int fine_errors;        /* raise VerifyFailed/PinVerifyFailed/... */
  const Except_T *failed_with; /* finer type of the handshake failure */
  int shutdown_sent;
  short want; /* POLLIN/POLLOUT the last would-block I/O waits for */
  char alpn[SOCKET_TLS_MAX_ALPN_LEN + 1];
  char verify_detail[320]; /* "depth N, subject ..." of a rejected cert */
  char error[SOCKET_TLS_ERROR_BUFSIZE]; /* message of a failed handshake */
};

/* Routes Socket_send & co. of a TLS socket through SocketTLS_send/recv
 * (SocketTLS-io.c); SocketTLS_enable installs it. */
extern const struct Socket__stream_layer SocketTLS__layer;

/* ---- errors (SocketTLSContext.c) ---- */

/**
 * Format a message into tls_error_buf (and socket_error_buf), append the
 * OpenSSL error queue when @p with_queue, clear the queue and raise @p e.
 */
void SocketTLS__raise (const Except_T *e, const char *file, int line,
                       int with_queue, const char *fmt, ...)
    __attribute__ ((noreturn, format (printf, 5, 6)));

/** Raise with the OpenSSL error queue appended. */
#define TLS_RAISE_SSL(e, ...)                                                 \
  SocketTLS__raise (&(e), __FILE__, __LINE__, 1, __VA_ARGS__)
/** Raise with just the message. */
#define TLS_RAISE(e, ...)                                                     \
  SocketTLS__raise (&(e), __FILE__, __LINE__, 0, __VA_ARGS__)

/** Append the OpenSSL error queue text to @p buf (clears the queue). */
void SocketTLS__append_queue (char *buf, size_t size);

/* ---- context plumbing ---- */

/** TLS state of @p socket; raises SocketTLS_Failed if not enabled. */
SocketTLS_T SocketTLS__get (Socket_T socket, const char *op);
/** As SocketTLS__get, raising @p e ("TLS not enabled on socket"). */
SocketTLS_T SocketTLS__get_or (Socket_T socket, const Except_T *e);

/*
 * Variants for the library's own bindings (cgo shim, stream layer). The
 * public functions raise what the original raises (SocketTLS_HandshakeFailed
 * for every handshake failure, SocketTLS_Failed for every I/O failure but
 * close_notify); these keep the finer exceptions: SocketTLS_VerifyFailed,
 * SocketTLS_PinVerifyFailed, SocketTLS_ProtocolError (bad or truncated
 * records) and Socket_Closed (reset, EOF without close_notify).
 */
TLSHandshakeState SocketTLS__handshake (Socket_T socket);
ssize_t SocketTLS__send (Socket_T socket, const void *buf, size_t len);
ssize_t SocketTLS__recv (Socket_T socket, void *buf, size_t len);
/** set_hostname; @p force_verify 0 leaves the verify mode alone. */
void SocketTLS__set_hostname (Socket_T socket, const char *hostname,
                              int force_verify);
/** 1 if @p name is a valid DNS host name ("*." prefix if allowed). */
int SocketTLS__valid_dns_name (const char *name, int allow_wildcard);

/** Context of @p ssl's SSL_CTX, or NULL. */
SocketTLSContext_T SocketTLS__ctx_of (const SSL *ssl);
/** Connection state of @p ssl, or NULL for a bare SSL. */
SocketTLS_T SocketTLS__conn_of (const SSL *ssl);
/** Index of the SocketTLS_T pointer in SSL ex_data. */
int SocketTLS__ssl_index (void);
/** Take / drop a context reference. */
void SocketTLS__ctx_ref (SocketTLSContext_T ctx);
void SocketTLS__ctx_unref (SocketTLSContext_T ctx);
/** Raise SocketTLS_Failed if @p ctx is NULL. */
void SocketTLS__check_ctx (SocketTLSContext_T ctx, const char *op);
/** Raise SocketTLS_Failed if @p path is NULL, empty or too long. */
void SocketTLS__check_path (const char *path, const char *op);
/** Read every PEM certificate of @p path (leaf first); raises. */
STACK_OF (X509) * SocketTLS__read_certs (const char *path, const char *op);

/* ---- per-file hooks ---- */

/** Verify callback installed by set_verify_mode (SocketTLSContext-verify.c). */
int SocketTLS__verify_cb (int preverify_ok, X509_STORE_CTX *store);
/** Apply ctx->verify_mode with the library callback. */
void SocketTLS__apply_verify (SocketTLSContext_T ctx);
/** SNI servername callback (SocketTLSContext-sni.c). */
int SocketTLS__sni_cb (SSL *ssl, int *alert, void *arg);
/** Free SNI / ALPN / OCSP / session / pin data of a dying context. */
void SocketTLS__sni_free (SocketTLSContext_T ctx);
/** Add an SNI entry for @p hostname: @p certs (leaf first) and @p key are
 *  taken over, and freed on any failure (SocketTLS_Failed). */
void SocketTLS__sni_add (SocketTLSContext_T ctx, const char *hostname,
                         STACK_OF (X509) * certs, EVP_PKEY *key,
                         const char *op);
/** New context with the defaults, no certificate and no trust anchors. */
SocketTLSContext_T SocketTLSContext__new (int is_server, const char *op);
void SocketTLS__session_free (SocketTLSContext_T ctx);
void SocketTLS__pin_free (SocketTLSContext_T ctx);

/** Client: offer the stored session for @p t (SocketTLSContext-session.c). */
void SocketTLS__session_offer (SocketTLS_T t);
/** Client: count the handshake outcome in the cache statistics. */
void SocketTLS__session_count (SocketTLS_T t);

/** 1 if some certificate of @p chain is pinned (SocketTLSContext-pin.c). */
int SocketTLS__chain_pinned (SocketTLSContext_T ctx, STACK_OF (X509) * chain);

/** Client: 1 if the peer's chain passes the pin policy, after handshake. */
int SocketTLS__check_pins_after (SocketTLS_T t);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETTLS_PRIVATE_INCLUDED */
