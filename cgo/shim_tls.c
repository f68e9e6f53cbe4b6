/*
 * shim_tls.c - TRY-wrapped entry points for TLS and DTLS (shim_tls.h).
 *
 * Contexts are built from a GoTLSConfig in one call. Connections follow
 * the socket shims: non-blocking, would-block is *n = 0 or a WANT_* state,
 * and Go waits in its own poller. What the original API lacks for that
 * (buffered plaintext, a close_notify that never waits, the IANA cipher
 * number, the received SNI name, the DTLS retransmission timer, the finer
 * handshake exceptions) comes from include/tls/SocketTLSExt.h, which an
 * installed library (SOCKET_USE_SYSTEM_LIB) provides as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim_tls.h"

#if SOCKET_HAS_TLS

#include "core/SocketUtil.h"
#include "tls/SocketDTLS.h"
#include "tls/SocketDTLSContext.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

#include "tls/SocketTLSExt.h"

/* ---- helpers -------------------------------------------------------------- */

/* Numeric address and port of a sockaddr into @host / *port. */
static void
sa_string (const struct sockaddr_storage *sa, char *host, int *port)
{
  host[0] = '\0';
  *port = 0;
  if (sa->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const void *)sa;
      inet_ntop (AF_INET, &in->sin_addr, host, GO_ADDR_SIZE);
      *port = ntohs (in->sin_port);
    }
  else if (sa->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const void *)sa;
      inet_ntop (AF_INET6, &in6->sin6_addr, host, GO_ADDR_SIZE);
      *port = ntohs (in6->sin6_port);
    }
}

/* Both endpoints of a datagram socket from the kernel. */
static void
dgram_endpoints (SocketDgram_T d, GoSockInfo *out)
{
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  int fd = SocketDgram_fd (d);

  if (getsockname (fd, (struct sockaddr *)&sa, &len) == 0)
    sa_string (&sa, out->local_addr, &out->local_port);
  len = sizeof sa;
  if (getpeername (fd, (struct sockaddr *)&sa, &len) == 0)
    {
      sa_string (&sa, out->remote_addr, &out->remote_port);
      out->connected = 1;
    }
}

/* Finish a datagram constructor as go_SocketDgram_open does: dup the
 * descriptor for Go's poller, or free the socket on any failure. */
static int
finish_dgram (int rc, SocketDgram_T d, GoSockInfo *out, GoErr *e)
{
  if (rc == 0 && d != NULL)
    {
      out->pollfd = fcntl (SocketDgram_fd (d), F_DUPFD_CLOEXEC, 0);
      if (out->pollfd >= 0)
        {
          dgram_endpoints (d, out);
          out->dgram = d;
          return 0;
        }
      rc = go_fail (e, "SocketDgram_Failed", errno,
                     "dup of the socket descriptor");
    }
  if (d != NULL)
    SocketDgram_free (&d);
  out->dgram = NULL;
  return rc;
}

static void
fill_state (GoTLSState *out, int complete, const char *version,
            const char *cipher, const char *alpn, int resumed, long verify)
{
  memset (out, 0, sizeof *out);
  out->ocsp_status = -1;
  out->complete = complete;
  out->resumed = resumed;
  out->verify_result = verify;
  snprintf (out->version_name, sizeof out->version_name, "%s",
            version ? version : "");
  snprintf (out->cipher, sizeof out->cipher, "%s", cipher ? cipher : "");
  snprintf (out->alpn, sizeof out->alpn, "%s", alpn ? alpn : "");
  if (version == NULL)
    out->version = 0;
  else if (strcmp (version, "TLSv1.3") == 0)
    out->version = 0x0304;
  else if (strcmp (version, "TLSv1.2") == 0)
    out->version = 0x0303;
  else if (strcmp (version, "DTLSv1.2") == 0)
    out->version = 0xfefd;
}

/* ---- TLS contexts --------------------------------------------------------- */

/* The next of several NUL-terminated strings stored back to back. */
static const char *
next_string (const char **cursor)
{
  const char *s = *cursor;

  *cursor += strlen (s) + 1;
  return s;
}

/* Point @protos at the config's ALPN names; returns their count. */
static size_t
split_alpn (const GoTLSConfig *c, const char **protos)
{
  const char *p = c->alpn;

  for (int i = 0; i < c->alpn_count; i++)
    protos[i] = next_string (&p);
  return (size_t)c->alpn_count;
}

static void
tls_ctx_steps (const GoTLSConfig *c, SocketTLSContext_T volatile *out)
{
  SocketTLSContext_T ctx;
  const char *protos[SOCKET_TLS_MAX_ALPN_PROTOCOLS];
  const char *sni = c->sni;
  const char *sni_pem = c->sni_pem;

  if (c->server)
    ctx = c->cert_file != NULL
              ? SocketTLSContext_new_server (c->cert_file, c->key_file, NULL)
              : SocketTLSExt_context_new (1);
  else if (c->ca_pem != NULL && c->ca_file == NULL)
    ctx = SocketTLSExt_context_new (0); /* only the given roots */
  else
    ctx = SocketTLSContext_new_client (c->ca_file); /* NULL: system */
  *out = ctx; /* freed by the caller if anything below raises */
  if (c->server && c->ca_file != NULL)
    SocketTLSContext_load_ca (ctx, c->ca_file);
  if (c->ca_pem != NULL)
    SocketTLSExt_load_ca_pem (ctx, c->ca_pem, c->ca_pem_len);
  if (c->cert_pem != NULL)
    SocketTLSExt_use_certificate_pem (ctx, c->cert_pem, c->cert_pem_len,
                                      c->key_pem, c->key_pem_len);
  for (int i = 0; i < c->sni_pem_count && sni_pem != NULL; i++)
    {
      const char *host = next_string (&sni_pem);
      const char *cert = next_string (&sni_pem);
      const char *key = next_string (&sni_pem);

      SocketTLSExt_add_certificate_pem (ctx, host, cert, strlen (cert), key,
                                        strlen (key));
    }
  if (!c->server && c->cert_file != NULL)
    SocketTLSContext_load_certificate (ctx, c->cert_file, c->key_file);
  if (c->verify_mode >= 0)
    SocketTLSContext_set_verify_mode (ctx, (TLSVerifyMode)c->verify_mode);
  /* Lower the floor before the ceiling: max < min is refused. */
  if (c->min_version > 0)
    SocketTLSContext_set_min_protocol (ctx, c->min_version);
  if (c->max_version > 0)
    SocketTLSContext_set_max_protocol (ctx, c->max_version);
  if (c->ciphers != NULL)
    SocketTLSContext_set_cipher_list (ctx, c->ciphers);
  if (c->alpn_count > 0) /* count checked by the caller */
    SocketTLSContext_set_alpn_protos (ctx, protos, split_alpn (c, protos));
  if (c->session_cache)
    SocketTLSContext_enable_session_cache (ctx, c->cache_size,
                                           c->cache_timeout);
  if (c->ticket_key != NULL)
    SocketTLSContext_enable_session_tickets (ctx, c->ticket_key,
                                             c->ticket_key_len);
  for (size_t i = 0; i < c->pin_count; i++)
    SocketTLSContext_add_pin (ctx, c->pins + i * SOCKET_TLS_PIN_HASH_LEN);
  if (c->pin_enforce >= 0)
    SocketTLSContext_set_pin_enforcement (ctx, c->pin_enforce);
  for (int i = 0; i < c->sni_count && c->sni != NULL; i++)
    {
      const char *host = next_string (&sni);
      const char *cert = next_string (&sni);

      SocketTLSContext_add_certificate (ctx, host, cert, next_string (&sni));
    }
  if (c->crl_path != NULL)
    SocketTLSContext_load_crl (ctx, c->crl_path);
  if (c->ocsp != NULL && c->ocsp_len > 0)
    SocketTLSContext_set_ocsp_response (ctx, c->ocsp, c->ocsp_len);
  if (c->verify_handle != 0)
    SocketTLSContext_set_verify_callback (ctx, go_tls_verify_trampoline,
                                          (void *)c->verify_handle);
  if (c->alpn_handle != 0)
    SocketTLSContext_set_alpn_callback (ctx, go_tls_alpn_trampoline,
                                        (void *)c->alpn_handle);
}

int
go_SocketTLSContext_new (const GoTLSConfig *cfg,
                         struct SocketTLSContext_T **out, GoErr *e)
{
  volatile int rc = 0;
  SocketTLSContext_T volatile ctx = NULL;
  SocketTLSContext_T c;

  *out = NULL;
  if (cfg->alpn_count < 0 || cfg->alpn_count > SOCKET_TLS_MAX_ALPN_PROTOCOLS)
    return go_fail (e, "SocketTLS_Failed", EINVAL,
                     "too many ALPN protocols");
  GO_CALL (rc, e, tls_ctx_steps (cfg, &ctx));
  c = ctx;
  if (rc != 0)
    {
      SocketTLSContext_free (&c);
      return rc;
    }
  *out = c;
  return 0;
}

void
go_SocketTLSContext_free (struct SocketTLSContext_T *ctx)
{
  GO_NOCB_ENTER ();
  SocketTLSContext_free (&ctx);
  GO_NOCB_LEAVE ();
}

int
go_SocketTLSContext_refresh_crl (struct SocketTLSContext_T *ctx,
                                 const char *path, size_t len, GoErr *e)
{
  volatile int rc = 0;
  char p[4096];

  if (go_cstr (p, sizeof p, path, len) < 0 || len == 0)
    return go_fail (e, "SocketTLS_Failed", EINVAL, "invalid CRL path");
  GO_CALL_NOCB (rc, e, SocketTLSContext_refresh_crl (ctx, p));
  return rc;
}

int
go_SocketTLSContext_stats (struct SocketTLSContext_T *ctx, size_t *hits,
                           size_t *misses, size_t *stores, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                SocketTLSContext_get_cache_stats (ctx, hits, misses, stores));
  return rc;
}

/* ---- TLS connections ------------------------------------------------------ */

int
go_SocketTLS_enable (Socket_T s, struct SocketTLSContext_T *ctx,
                     const char *host, size_t host_len, GoErr *e)
{
  volatile int rc = 0;
  char h[SOCKET_TLS_MAX_SNI_LEN + 1];

  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketTLS_Failed", EINVAL, "invalid server name");
  /* The C API (like the original) only checks the descriptor; Go refuses
   * TLS on a socket that is not connected (a listener, say). */
  if (s != NULL && !Socket_isconnected (s))
    return go_fail (e, "SocketTLS_Failed", ENOTCONN,
                     "socket is not connected");
  GO_CALL_NOCB (rc, e, {
    SocketTLS_enable (s, ctx);
    if (host_len > 0)
      SocketTLSExt_set_hostname (s, h);
  });
  return rc;
}

/* The handshake may log (and run verify callbacks): not nocallback. */
int
go_SocketTLS_handshake (Socket_T s, int *state, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL (rc, e, *state = (int)SocketTLSExt_handshake (s));
  return rc;
}

int
go_SocketTLS_send (Socket_T s, const void *buf, size_t len, ssize_t *n,
                   GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketTLSExt_send (s, buf, len));
  return rc;
}

int
go_SocketTLS_recv (Socket_T s, void *buf, size_t len, ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketTLSExt_recv (s, buf, len));
  return rc;
}

int
go_SocketTLS_close_notify (Socket_T s, int *sent, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *sent = SocketTLSExt_close_notify (s));
  return rc;
}

static void
tls_state_steps (Socket_T s, GoTLSState *out)
{
  int done = SocketTLSExt_is_handshake_done (s);
  const char *sni = SocketTLSExt_get_server_name (s);

  fill_state (out, done, done ? SocketTLS_get_version (s) : NULL,
              SocketTLS_get_cipher (s), SocketTLS_get_alpn_selected (s),
              SocketTLS_is_session_reused (s),
              SocketTLS_get_verify_result (s));
  if (done) /* -1 on servers and without a staple */
    out->ocsp_status = SocketTLS_get_ocsp_status (s);
  out->cipher_id = SocketTLSExt_get_cipher_id (s);
  if (sni != NULL)
    snprintf (out->server_name, sizeof out->server_name, "%s", sni);
}

int
go_SocketTLS_state (Socket_T s, GoTLSState *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, tls_state_steps (s, out));
  return rc;
}

/* Both protocols' peer_chain: the Ext getter for @s (a Socket_T or a
 * SocketDgram_T). */
typedef ssize_t (*peer_der_fn) (void *s, int verified, int index,
                                unsigned char *buf, size_t cap);

static void
peer_chain_steps (peer_der_fn get, void *s, int verified, unsigned char *buf,
                  size_t cap, int *lens, int max, int *count, size_t *need)
{
  size_t total = 0;

  *count = 0;
  for (int i = 0; i < max; i++)
    {
      /* Copy while everything so far fitted; else only measure. */
      int fits = total <= cap;
      ssize_t n = get (s, verified, i, fits ? buf + total : NULL,
                       fits ? cap - total : 0);

      if (n < 0)
        break;
      lens[i] = (int)n;
      *count = i + 1;
      total += (size_t)n;
    }
  *need = total;
}

static ssize_t
tls_peer_der (void *s, int verified, int index, unsigned char *buf,
              size_t cap)
{
  return SocketTLSExt_get_peer_cert_der (s, verified, index, buf, cap);
}

int
go_SocketTLS_peer_chain (Socket_T s, int verified, unsigned char *buf,
                         size_t cap, int *lens, int max, int *count,
                         size_t *need, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                peer_chain_steps (tls_peer_der, s, verified, buf, cap, lens,
                                  max, count, need));
  return rc;
}

int
go_SocketTLS_ocsp_response (Socket_T s, unsigned char *buf, size_t cap,
                            ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketTLSExt_get_ocsp_response (s, buf, cap));
  return rc;
}

/* ---- DTLS contexts -------------------------------------------------------- */

static void
dtls_ctx_steps (const GoTLSConfig *c, SocketDTLSContext_T volatile *out)
{
  SocketDTLSContext_T ctx;
  const char *protos[SOCKET_DTLS_MAX_ALPN_PROTOCOLS];

  if (c->server)
    ctx = c->cert_file != NULL
              ? SocketDTLSContext_new_server (c->cert_file, c->key_file, NULL)
              : SocketDTLSExt_context_new (1);
  else if (c->ca_pem != NULL && c->ca_file == NULL)
    ctx = SocketDTLSExt_context_new (0);
  else
    ctx = SocketDTLSContext_new_client (c->ca_file);
  *out = ctx;
  if (c->server && c->ca_file != NULL)
    SocketDTLSContext_load_ca (ctx, c->ca_file);
  if (c->ca_pem != NULL)
    SocketDTLSExt_load_ca_pem (ctx, c->ca_pem, c->ca_pem_len);
  if (c->cert_pem != NULL)
    SocketDTLSExt_use_certificate_pem (ctx, c->cert_pem, c->cert_pem_len,
                                       c->key_pem, c->key_pem_len);
  if (!c->server && c->cert_file != NULL)
    SocketDTLSContext_load_certificate (ctx, c->cert_file, c->key_file);
  if (c->verify_mode >= 0)
    SocketDTLSContext_set_verify_mode (ctx, (TLSVerifyMode)c->verify_mode);
  else if (c->server
           && ((c->ca_file != NULL && c->ca_file[0] != '\0')
               || c->ca_pem != NULL))
    /* Go's default: a DTLS server given a CA requires client certificates
     * (the C API, like the original, leaves that to set_verify_mode). */
    SocketDTLSContext_set_verify_mode (
        ctx, TLS_VERIFY_PEER | TLS_VERIFY_FAIL_IF_NO_PEER_CERT);
  if (c->ciphers != NULL)
    SocketDTLSContext_set_cipher_list (ctx, c->ciphers);
  if (c->alpn_count > 0) /* count checked by the caller */
    SocketDTLSContext_set_alpn_protos (ctx, protos, split_alpn (c, protos));
  if (c->session_cache)
    SocketDTLSContext_enable_session_cache (ctx, c->cache_size,
                                            c->cache_timeout);
  if (c->mtu > 0)
    SocketDTLSContext_set_mtu (ctx, (size_t)c->mtu);
  if (c->timeout_initial_ms > 0)
    SocketDTLSContext_set_timeout (ctx, c->timeout_initial_ms,
                                   c->timeout_max_ms);
  if (c->cookie_secret != NULL)
    SocketDTLSContext_set_cookie_secret (ctx, c->cookie_secret,
                                         c->cookie_secret_len);
  if (c->cookie_exchange)
    SocketDTLSContext_enable_cookie_exchange (ctx);
}

int
go_SocketDTLSContext_new (const GoTLSConfig *cfg,
                          struct SocketDTLSContext_T **out, GoErr *e)
{
  volatile int rc = 0;
  SocketDTLSContext_T volatile ctx = NULL;
  SocketDTLSContext_T c;

  *out = NULL;
  if (cfg->alpn_count < 0 || cfg->alpn_count > SOCKET_DTLS_MAX_ALPN_PROTOCOLS)
    return go_fail (e, "SocketDTLS_Failed", EINVAL,
                     "too many ALPN protocols");
  GO_CALL (rc, e, dtls_ctx_steps (cfg, &ctx));
  c = ctx;
  if (rc != 0)
    {
      SocketDTLSContext_free (&c);
      return rc;
    }
  *out = c;
  return 0;
}

void
go_SocketDTLSContext_free (struct SocketDTLSContext_T *ctx)
{
  GO_NOCB_ENTER ();
  SocketDTLSContext_free (&ctx);
  GO_NOCB_LEAVE ();
}

/* ---- DTLS associations ---------------------------------------------------- */

static void
dtls_dial_steps (int domain, const char *host, int port,
                 SocketDTLSContext_T ctx, const char *sni,
                 SocketDgram_T volatile *out)
{
  SocketDgram_T d = SocketDgram_new (domain, 0);

  *out = d;
  SocketDgram_setnonblocking (d);
  SocketDTLS_enable (d, ctx);
  if (sni[0] != '\0')
    SocketDTLSExt_set_hostname (d, sni);
  SocketDTLS_set_peer (d, host, port);
}

int
go_SocketDTLS_dial (int domain, const char *host, size_t host_len, int port,
                    struct SocketDTLSContext_T *ctx, const char *sni,
                    size_t sni_len, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  SocketDgram_T volatile d = NULL;
  char h[GO_ADDR_SIZE], n[SOCKET_DTLS_MAX_SNI_LEN + 1];

  go_sockinfo_reset (out);
  if (go_cstr (h, sizeof h, host, host_len) < 0
      || go_cstr (n, sizeof n, sni, sni_len) < 0)
    return go_fail (e, "SocketDTLS_Failed", EINVAL,
                     "invalid host or server name");
  GO_CALL_NOCB (rc, e, dtls_dial_steps (domain, h, port, ctx, n, &d));
  return finish_dgram (rc, d, out, e);
}

static void
dtls_listen_steps (int domain, const char *host, int port, int bind,
                   SocketDTLSContext_T ctx, SocketDgram_T volatile *out)
{
  SocketDgram_T d = SocketDgram_new (domain, 0);

  *out = d;
  /* Every association of a listener binds the same address: a connected
   * socket gets its peer's datagrams (exact match wins the kernel's
   * lookup), the newest unconnected one gets new clients. */
  SocketDgram_setreuseaddr (d);
  if (bind)
    SocketDgram_bind (d, host, port);
  SocketDgram_setnonblocking (d);
  SocketDTLS_enable (d, ctx);
}

int
go_SocketDTLS_listen_open (int domain, const char *host, size_t host_len,
                           int port, int bind, struct SocketDTLSContext_T *ctx,
                           GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0;
  SocketDgram_T volatile d = NULL;
  char h[GO_ADDR_SIZE];

  go_sockinfo_reset (out);
  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketDTLS_Failed", EINVAL, "invalid host");
  GO_CALL_NOCB (rc, e,
                dtls_listen_steps (domain, host_len > 0 ? h : NULL, port, bind,
                                   ctx, &d));
  return finish_dgram (rc, d, out, e);
}

int
go_SocketDTLS_accept (struct SocketDgram_T *s, struct SocketDgram_T *next,
                      const char *host, size_t host_len, int port, int *state,
                      int *next_bound, GoSockInfo *out, GoErr *e)
{
  volatile int rc = 0, bound = 0;
  char h[GO_ADDR_SIZE];
  GoErr ignored;

  go_sockinfo_reset (out);
  *next_bound = 0;
  if (go_cstr (h, sizeof h, host, host_len) < 0)
    return go_fail (e, "SocketDTLS_Failed", EINVAL, "invalid host");
  GO_CALL_NOCB (rc, e, *state = (int)SocketDTLS_listen (s));
  if (rc != 0 || *state != DTLS_HANDSHAKE_IN_PROGRESS)
    return rc;
  /* s is now connected: bind the successor before anything else. */
  if (next != NULL)
    GO_CALL_NOCB (rc, &ignored, {
      SocketDgram_bind (next, host_len > 0 ? h : NULL, port);
      bound = 1;
    });
  *next_bound = bound;
  dgram_endpoints (s, out);
  return 0;
}

/* The handshake may log: not nocallback. */
int
go_SocketDTLS_handshake (struct SocketDgram_T *s, int *state, int *timer_ms,
                         GoErr *e)
{
  volatile int rc = 0;
  GO_CALL (rc, e, *state = (int)SocketDTLSExt_handshake (s, timer_ms));
  return rc;
}

int
go_SocketDTLS_send (struct SocketDgram_T *s, const void *buf, size_t len,
                    ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketDTLS_send (s, buf, len));
  return rc;
}

int
go_SocketDTLS_recv (struct SocketDgram_T *s, void *buf, size_t len,
                    ssize_t *n, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, *n = SocketDTLS_recv (s, buf, len));
  return rc;
}

int
go_SocketDTLS_shutdown (struct SocketDgram_T *s, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, SocketDTLS_shutdown (s));
  return rc;
}

static void
dtls_state_steps (SocketDgram_T s, GoTLSState *out)
{
  fill_state (out, SocketDTLS_is_handshake_done (s),
              SocketDTLS_get_version (s), SocketDTLS_get_cipher (s),
              SocketDTLS_get_alpn_selected (s),
              SocketDTLS_is_session_reused (s),
              SocketDTLS_get_verify_result (s));
  out->cipher_id = SocketDTLSExt_get_cipher_id (s);
}

int
go_SocketDTLS_state (struct SocketDgram_T *s, GoTLSState *out, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e, dtls_state_steps (s, out));
  return rc;
}

static ssize_t
dtls_peer_der (void *s, int verified, int index, unsigned char *buf,
               size_t cap)
{
  return SocketDTLSExt_get_peer_cert_der (s, verified, index, buf, cap);
}

int
go_SocketDTLS_peer_chain (struct SocketDgram_T *s, int verified,
                          unsigned char *buf, size_t cap, int *lens, int max,
                          int *count, size_t *need, GoErr *e)
{
  volatile int rc = 0;
  GO_CALL_NOCB (rc, e,
                peer_chain_steps (dtls_peer_der, s, verified, buf, cap, lens,
                                  max, count, need));
  return rc;
}

#else /* !SOCKET_HAS_TLS: every shim fails */

#define NO_TLS(e)                                                             \
  tls_nosys ((e))

static int
tls_nosys (GoErr *e)
{
  GO_NOCB_ENTER ();
  GO_NOCB_LEAVE ();
  go_err_failed (e, "SocketTLS_Failed", "libsocket was built without TLS");
  e->err_no = ENOSYS;
  return e->code;
}

int go_SocketTLSContext_new (const GoTLSConfig *c, struct SocketTLSContext_T **o, GoErr *e) { (void)c; *o = NULL; return NO_TLS (e); }
void go_SocketTLSContext_free (struct SocketTLSContext_T *c) { (void)c; GO_NOCB_ENTER (); GO_NOCB_LEAVE (); }
int go_SocketTLSContext_stats (struct SocketTLSContext_T *c, size_t *h, size_t *m, size_t *s, GoErr *e) { (void)c; (void)h; (void)m; (void)s; return NO_TLS (e); }
int go_SocketTLSContext_refresh_crl (struct SocketTLSContext_T *c, const char *p, size_t n, GoErr *e) { (void)c; (void)p; (void)n; return NO_TLS (e); }
int go_SocketTLS_enable (Socket_T s, struct SocketTLSContext_T *c, const char *h, size_t n, GoErr *e) { (void)s; (void)c; (void)h; (void)n; return NO_TLS (e); }
int go_SocketTLS_handshake (Socket_T s, int *st, GoErr *e) { (void)s; (void)st; return NO_TLS (e); }
int go_SocketTLS_send (Socket_T s, const void *b, size_t l, ssize_t *n, GoErr *e) { (void)s; (void)b; (void)l; (void)n; return NO_TLS (e); }
int go_SocketTLS_recv (Socket_T s, void *b, size_t l, ssize_t *n, GoErr *e) { (void)s; (void)b; (void)l; (void)n; return NO_TLS (e); }
int go_SocketTLS_close_notify (Socket_T s, int *sent, GoErr *e) { (void)s; *sent = 0; return NO_TLS (e); }
int go_SocketTLS_state (Socket_T s, GoTLSState *o, GoErr *e) { (void)s; (void)o; return NO_TLS (e); }
int go_SocketDTLSContext_new (const GoTLSConfig *c, struct SocketDTLSContext_T **o, GoErr *e) { (void)c; *o = NULL; return NO_TLS (e); }
void go_SocketDTLSContext_free (struct SocketDTLSContext_T *c) { (void)c; GO_NOCB_ENTER (); GO_NOCB_LEAVE (); }
int go_SocketDTLS_dial (int d, const char *h, size_t hl, int p, struct SocketDTLSContext_T *c, const char *s, size_t sl, GoSockInfo *o, GoErr *e) { (void)d; (void)h; (void)hl; (void)p; (void)c; (void)s; (void)sl; o->pollfd = -1; o->dgram = NULL; return NO_TLS (e); }
int go_SocketDTLS_listen_open (int d, const char *h, size_t hl, int p, int b, struct SocketDTLSContext_T *c, GoSockInfo *o, GoErr *e) { (void)d; (void)h; (void)hl; (void)p; (void)b; (void)c; o->pollfd = -1; o->dgram = NULL; return NO_TLS (e); }
int go_SocketDTLS_accept (struct SocketDgram_T *s, struct SocketDgram_T *n, const char *h, size_t hl, int p, int *st, int *nb, GoSockInfo *o, GoErr *e) { (void)s; (void)n; (void)h; (void)hl; (void)p; (void)st; (void)nb; (void)o; return NO_TLS (e); }
int go_SocketDTLS_handshake (struct SocketDgram_T *s, int *st, int *t, GoErr *e) { (void)s; (void)st; (void)t; return NO_TLS (e); }
int go_SocketDTLS_send (struct SocketDgram_T *s, const void *b, size_t l, ssize_t *n, GoErr *e) { (void)s; (void)b; (void)l; (void)n; return NO_TLS (e); }
int go_SocketDTLS_recv (struct SocketDgram_T *s, void *b, size_t l, ssize_t *n, GoErr *e) { (void)s; (void)b; (void)l; (void)n; return NO_TLS (e); }
int go_SocketDTLS_shutdown (struct SocketDgram_T *s, GoErr *e) { (void)s; return NO_TLS (e); }
int go_SocketDTLS_state (struct SocketDgram_T *s, GoTLSState *o, GoErr *e) { (void)s; (void)o; return NO_TLS (e); }
int go_SocketTLS_ocsp_response (Socket_T s, unsigned char *b, size_t c, ssize_t *n, GoErr *e) { (void)s; (void)b; (void)c; *n = -1; return NO_TLS (e); }
int go_SocketTLS_peer_chain (Socket_T s, int v, unsigned char *b, size_t c, int *l, int m, int *n, size_t *nd, GoErr *e) { (void)s; (void)v; (void)b; (void)c; (void)l; (void)m; *n = 0; *nd = 0; return NO_TLS (e); }
int go_SocketDTLS_peer_chain (struct SocketDgram_T *s, int v, unsigned char *b, size_t c, int *l, int m, int *n, size_t *nd, GoErr *e) { (void)s; (void)v; (void)b; (void)c; (void)l; (void)m; *n = 0; *nd = 0; return NO_TLS (e); }

#endif /* SOCKET_HAS_TLS */
