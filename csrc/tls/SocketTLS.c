/*
 * SocketTLS.c - TLS connections on Socket_T: enabling, SNI / host name
 * verification, the handshake (stepwise and with a deadline) and the
 * connection queries. Record I/O and shutdown live in SocketTLS-io.c.
 *
 * The SSL object talks to the descriptor through a small BIO that sends
 * with MSG_NOSIGNAL, so a dead peer yields EPIPE (-> Socket_Closed) and
 * never SIGPIPE, as everywhere else in the library.
 */
#ifdef SOCKET_HAS_TLS

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/SocketUtil.h"
#include "socket/Socket-private.h"
#include "tls/SocketTLS-private.h"

const Except_T SocketTLS_Failed = { &SocketTLS_Failed, "TLS operation failed" };
const Except_T SocketTLS_HandshakeFailed
    = { &SocketTLS_HandshakeFailed, "TLS handshake failed" };
const Except_T SocketTLS_VerifyFailed
    = { &SocketTLS_VerifyFailed, "TLS certificate verification failed" };
const Except_T SocketTLS_ProtocolError
    = { &SocketTLS_ProtocolError, "TLS protocol error" };
const Except_T SocketTLS_ShutdownFailed
    = { &SocketTLS_ShutdownFailed, "TLS shutdown failed" };

/* ------------------------------------------------------------------ */
/* Socket BIO (send with MSG_NOSIGNAL)                                */
/* ------------------------------------------------------------------ */

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int
bio_fd (BIO *b)
{
  return (int)(intptr_t)BIO_get_data (b);
}

static int
bio_write (BIO *b, const char *buf, int len)
{
  ssize_t n;

  BIO_clear_retry_flags (b);
  do
    n = send (bio_fd (b), buf, (size_t)len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    BIO_set_retry_write (b);
  return (int)n;
}

static int
bio_read (BIO *b, char *buf, int len)
{
  ssize_t n;

  BIO_clear_retry_flags (b);
  do
    n = recv (bio_fd (b), buf, (size_t)len, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    BIO_set_retry_read (b);
  return (int)n;
}

static int
bio_puts (BIO *b, const char *s)
{
  return bio_write (b, s, (int)strlen (s));
}

static long
bio_ctrl (BIO *b, int cmd, long num, void *ptr)
{
  (void)num;
  if (cmd == BIO_CTRL_FLUSH)
    return 1;
  if (cmd == BIO_C_GET_FD) /* SSL_get_fd() */
    {
      if (ptr != NULL)
        *(int *)ptr = bio_fd (b);
      return bio_fd (b);
    }
  return 0;
}

static int
bio_create (BIO *b)
{
  BIO_set_init (b, 1);
  return 1;
}

static void
bio_init_method (void)
{
  BIO_METHOD *m = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK
                                    | BIO_TYPE_DESCRIPTOR,
                                "libsocket");

  if (m != NULL
      && (!BIO_meth_set_write (m, bio_write) || !BIO_meth_set_read (m, bio_read)
          || !BIO_meth_set_puts (m, bio_puts)
          || !BIO_meth_set_ctrl (m, bio_ctrl)
          || !BIO_meth_set_create (m, bio_create)))
    {
      BIO_meth_free (m);
      m = NULL;
    }
  bio_method = m;
}

static BIO *
bio_new (int fd)
{
  BIO *b;

  pthread_once (&bio_once, bio_init_method);
  if (bio_method == NULL || (b = BIO_new (bio_method)) == NULL)
    return NULL;
  BIO_set_data (b, (void *)(intptr_t)fd);
  return b;
}

/* ------------------------------------------------------------------ */
/* Enable / release                                                   */
/* ------------------------------------------------------------------ */

SocketTLS_T
SocketTLS__get_or (Socket_T socket, const Except_T *e)
{
  if (socket == NULL || socket->tls == NULL)
    SocketTLS__raise (e, __FILE__, __LINE__, 0, "TLS not enabled on socket");
  return socket->tls;
}

SocketTLS_T
SocketTLS__get (Socket_T socket, const char *op)
{
  (void)op;
  return SocketTLS__get_or (socket, &SocketTLS_Failed);
}

/* TLS state for the NULL-safe queries: NULL when there is none. */
static SocketTLS_T
peek (Socket_T socket)
{
  return socket != NULL ? socket->tls : NULL;
}

static void
conn_free (SocketTLS_T t)
{
  SSL_free (t->ssl);
  SocketTLS__ctx_unref (t->ctx);
  free (t->hostname);
  free (t);
}

/* Socket_free hook: no close_notify, just memory. OpenSSL would treat a
 * session freed without shutdown as bad and make it non-resumable; that is
 * right after a failure but not for a healthy connection the caller simply
 * closed, so mark those as shut down. */
static void
release (void *tls)
{
  SocketTLS_T t = tls;

  if (t == NULL)
    return;
  if (t->state == TLS_HANDSHAKE_COMPLETE && !t->fatal)
    SSL_set_shutdown (t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  conn_free (t);
}

static void
check_enable (Socket_T socket, SocketTLSContext_T ctx, const char *op)
{
  if (socket == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: NULL socket", op);
  SocketTLS__check_ctx (ctx, op);
  if (socket->tls != NULL)
    TLS_RAISE (SocketTLS_Failed, "TLS already enabled on socket");
  /* Like the original, only the descriptor is checked: a connect still
   * in progress is fine (the handshake waits for it). */
  if (Socket_fd (socket) < 0)
    TLS_RAISE (SocketTLS_Failed, "Socket not connected (invalid fd)");
}

void
SocketTLS_enable (Socket_T socket, SocketTLSContext_T ctx)
{
  static const char op[] = "SocketTLS_enable";
  SocketTLS_T t;
  BIO *bio;

  check_enable (socket, ctx, op);
  ERR_clear_error ();
  t = calloc (1, sizeof *t);
  if (t == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
  t->ssl = SSL_new (ctx->ssl_ctx);
  bio = t->ssl ? bio_new (Socket_fd (socket)) : NULL;
  if (bio == NULL || !SSL_set_ex_data (t->ssl, SocketTLS__ssl_index (), t))
    {
      BIO_free (bio);
      SSL_free (t->ssl);
      free (t);
      TLS_RAISE_SSL (SocketTLS_Failed, "%s: cannot create the connection", op);
    }
  SSL_set_bio (t->ssl, bio, bio);
  if (ctx->is_server)
    SSL_set_accept_state (t->ssl);
  else
    {
      SSL_set_connect_state (t->ssl);
      SSL_set_tlsext_status_type (t->ssl, TLSEXT_STATUSTYPE_ocsp);
    }
  /* Handshake flights and records go out in several writes; Nagle would
   * hold the later ones for the peer's (delayed) ACK, costing ~40 ms per
   * round trip. Best effort: Unix sockets have no such option. */
  (void)setsockopt (Socket_fd (socket), IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
                    sizeof (int));
  SocketTLS__ctx_ref (ctx);
  t->ctx = ctx;
  t->socket = socket;
  t->state = TLS_HANDSHAKE_NOT_STARTED;
  socket->tls = t;
  socket->tls_release = release;
  socket->layer = &SocketTLS__layer;
}

/* ------------------------------------------------------------------ */
/* Host name                                                          */
/* ------------------------------------------------------------------ */

static int
is_ip_literal (const char *s)
{
  unsigned char buf[sizeof (struct in6_addr)];

  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

/* Verify against an IP address (v4-mapped IPv6 compared as IPv4). */
static int
set_ip (SocketTLS_T t, const char *ip)
{
  if (strncasecmp (ip, "::ffff:", 7) == 0 && strchr (ip + 7, '.') != NULL)
    ip += 7;
  return X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (t->ssl), ip);
}

void
SocketTLS__set_hostname (Socket_T socket, const char *hostname, int force)
{
  SocketTLS_T t = SocketTLS__get (socket, "SocketTLS_set_hostname");
  int ok;
  char *copy;

  if (hostname == NULL || *hostname == '\0')
    TLS_RAISE (SocketTLS_Failed, "Hostname cannot be empty");
  if (strlen (hostname) > SOCKET_TLS_MAX_SNI_LEN)
    TLS_RAISE (SocketTLS_Failed, "Hostname too long for SNI (%zu > 255 max)",
               strlen (hostname));
  ERR_clear_error ();
  /* Each branch also clears what an earlier call may have set. */
  if (is_ip_literal (hostname))
    ok = SSL_set1_host (t->ssl, NULL) == 1 && set_ip (t, hostname) == 1
         && SSL_set_tlsext_host_name (t->ssl, NULL) == 1; /* RFC 6066 */
  else if (!SocketTLS__valid_dns_name (hostname, 0))
    TLS_RAISE (SocketTLS_Failed, "Invalid hostname format");
  else
    {
      SSL_set_hostflags (t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = X509_VERIFY_PARAM_set1_ip (SSL_get0_param (t->ssl), NULL, 0) == 1
           && SSL_set_tlsext_host_name (t->ssl, hostname) == 1
           && SSL_set1_host (t->ssl, hostname) == 1;
    }
  copy = strdup (hostname);
  if (!ok || copy == NULL)
    {
      free (copy);
      TLS_RAISE_SSL (SocketTLS_Failed, "Failed to set SNI hostname");
    }
  free (t->hostname);
  t->hostname = copy;
  /* As in the original: naming the peer turns on verification of its
   * certificate for this connection, whatever the context's mode. */
  if (force)
    SSL_set_verify (t->ssl, SSL_get_verify_mode (t->ssl) | SSL_VERIFY_PEER,
                    NULL);
}

void
SocketTLS_set_hostname (Socket_T socket, const char *hostname)
{
  SocketTLS__set_hostname (socket, hostname, 1);
}

/* ------------------------------------------------------------------ */
/* Handshake                                                          */
/* ------------------------------------------------------------------ */

/* Record the failure on the connection and raise it. */
static void __attribute__ ((noreturn, format (printf, 4, 5)))
fail (SocketTLS_T t, const Except_T *e, int with_queue, const char *fmt, ...)
{
  va_list ap;

  static const char prefix[] = "Handshake failed: ";

  memcpy (t->error, prefix, sizeof prefix);
  va_start (ap, fmt);
  vsnprintf (t->error + sizeof prefix - 1, sizeof t->error - sizeof prefix + 1,
             fmt, ap);
  va_end (ap);
  if (with_queue)
    SocketTLS__append_queue (t->error, sizeof t->error);
  t->state = TLS_HANDSHAKE_ERROR;
  t->fatal = 1;
  t->failed_with = e;
  /* The original raises SocketTLS_HandshakeFailed for every handshake
   * failure; the finer type (verification, pin) is only for the library's
   * own bindings. The detail stays in the reason and the queries. */
  if (!t->fine_errors)
    e = &SocketTLS_HandshakeFailed;
  SocketTLS__raise (e, __FILE__, __LINE__, 0, "%s", t->error);
}

/* First step: offer a cached session; a verifying client without a host
 * name checks the peer's address instead (fail closed without one). */
static void
handshake_start (SocketTLS_T t)
{
  const char *addr;

  t->state = TLS_HANDSHAKE_IN_PROGRESS;
  if (t->ctx->is_server)
    return;
  /* TLS may have been enabled while connecting: learn the peer now. */
  if (t->socket->base->remoteaddr == NULL)
    (void)Socket_isconnected (t->socket);
  addr = t->socket->base->remoteaddr;
  SocketTLS__session_offer (t);
  if (t->hostname != NULL || !(SSL_get_verify_mode (t->ssl) & SSL_VERIFY_PEER))
    return;
  if (addr == NULL || !is_ip_literal (addr) || set_ip (t, addr) != 1)
    fail (t, &SocketTLS_VerifyFailed, 0,
          "TLS handshake: no host name to verify the server certificate "
          "against (call SocketTLS_set_hostname)");
}

static const char *
expected_name (SocketTLS_T t)
{
  if (t->hostname != NULL)
    return t->hostname;
  return t->socket->base->remoteaddr ? t->socket->base->remoteaddr
                                     : SOCKET__UNKNOWN_ADDR;
}

static void __attribute__ ((noreturn))
fail_verify (SocketTLS_T t, long vr)
{
  if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
    fail (t, &SocketTLS_VerifyFailed, 0,
          "TLS certificate verification failed: certificate does not match "
          "host name '%s' (%s)",
          expected_name (t), t->verify_detail);
  fail (t, &SocketTLS_VerifyFailed, 0,
        "TLS certificate verification failed: %s (%s)",
        X509_verify_cert_error_string (vr), t->verify_detail);
}

/* 1 if the pending OpenSSL error is the library reason @p reason. */
static int
queue_reason_is (int reason)
{
  unsigned long e = ERR_peek_error ();
  return e != 0 && ERR_GET_LIB (e) == ERR_LIB_SSL && ERR_GET_REASON (e) == reason;
}

static void __attribute__ ((noreturn))
handshake_fail (SocketTLS_T t, int err, int saved_errno)
{
  long vr = SSL_get_verify_result (t->ssl);

  if (t->pin_failed)
    fail (t, &SocketTLS_PinVerifyFailed, 0,
          "TLS certificate pin mismatch: no certificate of the peer's chain "
          "matches the %zu configured SPKI SHA-256 pins",
          t->ctx->pin_count);
  if (t->callback_failed)
    fail (t, &SocketTLS_VerifyFailed, 0,
          "TLS certificate verification failed: verify callback raised");
  if (vr != X509_V_OK && (SSL_get_verify_mode (t->ssl) & SSL_VERIFY_PEER))
    fail_verify (t, vr);
  if (t->ctx->is_server
      && queue_reason_is (SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE))
    fail (t, &SocketTLS_VerifyFailed, 1,
          "TLS handshake: client certificate required but not sent");
  if ((err == SSL_ERROR_SYSCALL && ERR_peek_error () == 0 && saved_errno == 0)
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
      || (err == SSL_ERROR_SSL
          && queue_reason_is (SSL_R_UNEXPECTED_EOF_WHILE_READING))
#endif
  )
    fail (t, &SocketTLS_HandshakeFailed, 0,
          "TLS handshake: connection closed by peer %s",
          expected_name (t));
  if (err == SSL_ERROR_SYSCALL && ERR_peek_error () == 0)
    fail (t, &SocketTLS_HandshakeFailed, 0, "TLS handshake with %s: %s",
          expected_name (t), Socket_safe_strerror (saved_errno));
  fail (t, &SocketTLS_HandshakeFailed, 1, "TLS handshake with %s failed",
        expected_name (t));
}

static TLSHandshakeState
handshake_done (SocketTLS_T t)
{
  if (!SocketTLS__check_pins_after (t))
    {
      t->pin_failed = 1;
      handshake_fail (t, SSL_ERROR_SSL, 0);
    }
  SocketTLS__session_count (t);
  t->state = TLS_HANDSHAKE_COMPLETE;
  return t->state;
}

static TLSHandshakeState
handshake_step (Socket_T socket, int fine)
{
  SocketTLS_T t = SocketTLS__get_or (socket, &SocketTLS_HandshakeFailed);
  int r, err;

  if (t->state == TLS_HANDSHAKE_COMPLETE)
    return t->state;
  if (t->state == TLS_HANDSHAKE_ERROR)
    SocketTLS__raise (fine && t->failed_with ? t->failed_with
                                             : &SocketTLS_HandshakeFailed,
                      __FILE__, __LINE__, 0, "%s", t->error);
  t->fine_errors = fine;
  if (t->state == TLS_HANDSHAKE_NOT_STARTED)
    handshake_start (t);
  ERR_clear_error ();
  errno = 0;
  r = SSL_do_handshake (t->ssl);
  if (r == 1)
    return handshake_done (t);
  err = SSL_get_error (t->ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    {
      errno = EAGAIN;
      return t->state = err == SSL_ERROR_WANT_READ ? TLS_HANDSHAKE_WANT_READ
                                                  : TLS_HANDSHAKE_WANT_WRITE;
    }
  handshake_fail (t, err, errno);
}

TLSHandshakeState
SocketTLS_handshake (Socket_T socket)
{
  return handshake_step (socket, 0);
}

TLSHandshakeState
SocketTLS__handshake (Socket_T socket)
{
  return handshake_step (socket, 1);
}

/* Steps until done, the deadline, or a failure (socket non-blocking). */
static TLSHandshakeState
handshake_until (Socket_T socket, int fd, int timeout_ms)
{
  int64_t deadline = Socket_get_monotonic_ms () + timeout_ms;

  for (;;)
    {
      TLSHandshakeState st = SocketTLS_handshake (socket);
      int64_t left;
      int ev;

      if (st == TLS_HANDSHAKE_COMPLETE || timeout_ms == 0)
        return st;
      left = timeout_ms < 0 ? -1 : deadline - Socket_get_monotonic_ms ();
      if (timeout_ms > 0 && left <= 0)
        return st;
      ev = SocketCommon__wait_fd (
          fd, st == TLS_HANDSHAKE_WANT_WRITE ? POLLOUT : POLLIN, (int)left);
      if (ev < 0)
        TLS_RAISE (SocketTLS_Failed, "SocketTLS_handshake_loop: poll: %s",
                   Socket_safe_strerror (errno));
    }
}

TLSHandshakeState
SocketTLS_handshake_loop (Socket_T socket, int timeout_ms)
{
  SocketTLS_T t = SocketTLS__get (socket, "SocketTLS_handshake_loop");
  int fd = Socket_fd (socket);
  int flags = fcntl (fd, F_GETFL);
  volatile int restore = 0;
  volatile TLSHandshakeState st = t->state;

  /* The deadline needs non-blocking I/O; put the mode back afterwards. */
  if (flags >= 0 && !(flags & O_NONBLOCK)
      && fcntl (fd, F_SETFL, flags | O_NONBLOCK) == 0)
    restore = 1;
  TRY st = handshake_until (socket, fd, timeout_ms);
  FINALLY
  {
    if (restore)
      (void)fcntl (fd, F_SETFL, flags);
  }
  END_TRY;
  return st;
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

/* The queries never raise (as in the original): NULL socket and TLS not
 * enabled give the special values the header lists. */

const char *
SocketTLS_get_cipher (Socket_T socket)
{
  SocketTLS_T t = peek (socket);

  if (t == NULL)
    return NULL;
  return SSL_get_current_cipher (t->ssl) != NULL
             ? SSL_get_cipher_name (t->ssl)
             : NULL;
}

const char *
SocketTLS_get_version (Socket_T socket)
{
  SocketTLS_T t = peek (socket);

  return t != NULL ? SSL_get_version (t->ssl) : NULL;
}

long
SocketTLS_get_verify_result (Socket_T socket)
{
  SocketTLS_T t = peek (socket);

  /* A failed handshake keeps its verdict: that is what callers ask for. */
  if (t == NULL
      || (t->state != TLS_HANDSHAKE_COMPLETE && t->state != TLS_HANDSHAKE_ERROR))
    return X509_V_ERR_INVALID_CALL;
  return SSL_get_verify_result (t->ssl);
}

const char *
SocketTLS_get_verify_error_string (Socket_T socket, char *buf, size_t size)
{
  long vr;
  const char *text;

  if (socket == NULL || buf == NULL || size == 0)
    return NULL;
  vr = SocketTLS_get_verify_result (socket);
  if (vr == X509_V_OK)
    return NULL;
  text = X509_verify_cert_error_string (vr);
  snprintf (buf, size, "%s",
            text != NULL ? text : "TLS verification failed (unknown error)");
  return buf;
}

int
SocketTLS_is_session_reused (Socket_T socket)
{
  SocketTLS_T t = peek (socket);

  if (t == NULL)
    return -1;
  return t->state == TLS_HANDSHAKE_COMPLETE && SSL_session_reused (t->ssl);
}

const char *
SocketTLS_get_alpn_selected (Socket_T socket)
{
  SocketTLS_T t = peek (socket);
  const unsigned char *p = NULL;
  unsigned len = 0;

  if (t == NULL || t->state != TLS_HANDSHAKE_COMPLETE)
    return NULL;
  SSL_get0_alpn_selected (t->ssl, &p, &len);
  if (p == NULL || len == 0)
    return NULL;
  memcpy (t->alpn, p, len); /* len <= 255 by the wire format */
  t->alpn[len] = '\0';
  return t->alpn;
}

#endif /* SOCKET_HAS_TLS */
