/**
 * @file SocketTLSExt.h
 * @brief Extensions of libsocket's TLS and DTLS API: in-memory (PEM)
 *        certificates and trust anchors, peer certificate chains as DER,
 *        non-blocking I/O helpers for event loops (buffered plaintext,
 *        a close_notify that never waits, the DTLS retransmission timer)
 *        and a few accessors (IANA cipher number, received SNI name).
 *
 * None of these exist in the original library; they live in this header
 * so that SocketTLS.h, SocketTLSContext.h, SocketDTLS.h and
 * SocketDTLSContext.h keep the original's ABI exactly. The Go binding is
 * built on them, and they are usable from C in the same way.
 *
 * Conventions are those of the modules they extend: a context function
 * raises SocketTLS_Failed (TLS) or SocketDTLS_Failed (DTLS) with the
 * OpenSSL error text in the reason; a connection function raises what the
 * matching SocketTLS_* / SocketDTLS_* function raises, except where noted.
 * PEM input is borrowed for the call only and need not be NUL-terminated.
 * Encrypted private keys are refused (no passphrase prompt).
 *
 * Thread safety: as the extended modules. Context functions configure a
 * context and must not race with its use; connection functions must not
 * run concurrently on the same socket.
 */
#ifndef SOCKETTLSEXT_INCLUDED
#define SOCKETTLSEXT_INCLUDED

#if SOCKET_HAS_TLS

#include <stddef.h>
#include <sys/types.h>

#include "core/SocketExport.h"
#include "socket/Socket.h"
#include "socket/SocketDgram.h"
#include "tls/SocketDTLS.h"
#include "tls/SocketDTLSContext.h"
#include "tls/SocketTLS.h"
#include "tls/SocketTLSContext.h"

/* ==================================================================== */
/* TLS contexts                                                         */
/* ==================================================================== */

/**
 * @brief A TLS context with the library defaults and nothing loaded: no
 *        certificate and no trust anchors (not even the system store).
 *
 * Use it with SocketTLSExt_use_certificate_pem() and
 * SocketTLSExt_load_ca_pem() when the material is in memory. A client
 * context still verifies the server (TLS_VERIFY_PEER), so it fails every
 * handshake until a CA is loaded; a server context needs a certificate.
 *
 * @param is_server  1 for a server context, 0 for a client.
 * @return a new context, owned by the caller (SocketTLSContext_free).
 * Raises: SocketTLS_Failed.
 */
extern SOCKET_API SocketTLSContext_T SocketTLSExt_context_new (int is_server);

/**
 * @brief Use the PEM certificate chain (leaf first, then intermediates)
 *        and PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) as the
 *        context's own certificate, replacing any earlier one.
 *
 * @param ctx       context (borrowed).
 * @param cert_pem  PEM text, @p cert_len bytes (borrowed).
 * @param key_pem   PEM text, @p key_len bytes (borrowed).
 * Raises: SocketTLS_Failed for no certificate, an unreadable key, or a key
 *         that does not match the leaf.
 */
extern SOCKET_API void
SocketTLSExt_use_certificate_pem (SocketTLSContext_T ctx, const void *cert_pem,
                                  size_t cert_len, const void *key_pem,
                                  size_t key_len);

/**
 * @brief Add every certificate of a PEM bundle to the context's trust
 *        anchors (a server also names them in its CertificateRequest).
 *
 * Appends: several calls (and SocketTLSContext_load_ca) add up.
 * @param ctx  context (borrowed).
 * @param pem  PEM text, @p len bytes (borrowed).
 * Raises: SocketTLS_Failed if the bundle holds no certificate or a
 *         malformed one.
 */
extern SOCKET_API void SocketTLSExt_load_ca_pem (SocketTLSContext_T ctx,
                                                 const void *pem, size_t len);

/**
 * @brief SocketTLSContext_add_certificate() from PEM memory: the chain and
 *        key a server presents when the client's SNI names @p hostname
 *        (exact, or "*.example.com" for one label).
 *
 * @param ctx       server context (borrowed).
 * @param hostname  DNS name (borrowed, copied).
 * Raises: SocketTLS_Failed (client context, bad name, too many names,
 *         unreadable or mismatched certificate and key).
 */
extern SOCKET_API void
SocketTLSExt_add_certificate_pem (SocketTLSContext_T ctx, const char *hostname,
                                  const void *cert_pem, size_t cert_len,
                                  const void *key_pem, size_t key_len);

/* ==================================================================== */
/* TLS connections (non-blocking event-loop helpers)                    */
/* ==================================================================== */

/**
 * @brief SocketTLS_handshake() raising the finer exceptions:
 *        SocketTLS_VerifyFailed (chain or name rejected),
 *        SocketTLS_PinVerifyFailed, SocketTLS_ProtocolError and
 *        Socket_Closed (peer reset or EOF), all else as
 *        SocketTLS_HandshakeFailed.
 * @return as SocketTLS_handshake().
 */
extern SOCKET_API TLSHandshakeState SocketTLSExt_handshake (Socket_T socket);

/**
 * @brief SocketTLS_send() raising SocketTLS_ProtocolError and Socket_Closed
 *        (reset) instead of SocketTLS_Failed where they apply.
 * @return bytes accepted; 0 when it would block (errno EAGAIN).
 */
extern SOCKET_API ssize_t SocketTLSExt_send (Socket_T socket, const void *buf,
                                             size_t len);

/**
 * @brief SocketTLS_recv() for event loops: returns 0 (would block) only
 *        when no decrypted bytes are buffered in the TLS layer.
 *
 * SSL_read may consume a non-data record (a TLS 1.3 ticket, say) and stop
 * while the next record's plaintext is already decrypted and buffered;
 * poll() cannot see it, so this reads again while SSL_has_pending() says
 * so. Raises Socket_Closed at close_notify or EOF (with
 * SocketTLS_ProtocolError for a truncated record), else as SocketTLS_recv.
 * @return bytes read, > 0; 0 when it would block.
 */
extern SOCKET_API ssize_t SocketTLSExt_recv (Socket_T socket, void *buf,
                                             size_t len);

/**
 * @brief SocketTLS_set_hostname() that leaves the verify mode alone (the
 *        original turns peer verification on).
 * Raises: SocketTLS_Failed (empty, too long or invalid name; no TLS).
 */
extern SOCKET_API void SocketTLSExt_set_hostname (Socket_T socket,
                                                  const char *hostname);

/**
 * @brief Send close_notify with one non-blocking SSL_shutdown (never waits
 *        for the peer's answer, unlike SocketTLS_shutdown()).
 *
 * @return 1 if close_notify went out now or earlier; 0 if the handshake
 *         is not complete, the connection saw a fatal error, or the send
 *         buffer had no room (the connection then counts as failed).
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API int SocketTLSExt_close_notify (Socket_T socket);

/**
 * @brief 1 if the handshake completed, else 0.
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API int SocketTLSExt_is_handshake_done (Socket_T socket);

/**
 * @brief IANA number of the negotiated cipher suite (0x1301 for
 *        TLS_AES_128_GCM_SHA256), 0 before the handshake.
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API int SocketTLSExt_get_cipher_id (Socket_T socket);

/**
 * @brief Server: the SNI host name the client sent; NULL on clients and
 *        when none was sent. Valid until the socket is freed.
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API const char *SocketTLSExt_get_server_name (Socket_T socket);

/**
 * @brief One certificate of the peer's chain, DER-encoded.
 *
 * @param verified  0: the chain as the peer sent it (leaf first; a server
 *                  sees the client's leaf first as well); 1: the chain
 *                  OpenSSL verified, leaf to trust anchor
 *                  (SSL_get0_verified_chain; empty when nothing was
 *                  verified, e.g. a server not asking for certificates).
 * @param index     0 for the leaf.
 * @param buf       where to copy it (may be NULL when @p cap is 0).
 * @return the certificate's DER length (nothing copied if it exceeds
 *         @p cap: call again with a larger buffer); -1 if there is no
 *         certificate at @p index.
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API ssize_t SocketTLSExt_get_peer_cert_der (Socket_T socket,
                                                          int verified,
                                                          int index,
                                                          unsigned char *buf,
                                                          size_t cap);

/**
 * @brief Client: the OCSP response the server stapled (DER), as received;
 *        SocketTLS_get_ocsp_status() gives the verdict on it.
 *
 * @param buf  where to copy it (may be NULL when @p cap is 0).
 * @return its length (nothing copied if it exceeds @p cap); -1 on servers,
 *         before the handshake completed, and when nothing was stapled.
 * Raises: SocketTLS_Failed if TLS is not enabled on @p socket.
 */
extern SOCKET_API ssize_t SocketTLSExt_get_ocsp_response (Socket_T socket,
                                                          unsigned char *buf,
                                                          size_t cap);

/* ==================================================================== */
/* DTLS                                                                 */
/* ==================================================================== */

/** @brief SocketTLSExt_context_new() for DTLS. Raises SocketDTLS_Failed. */
extern SOCKET_API SocketDTLSContext_T SocketDTLSExt_context_new (int is_server);

/** @brief SocketTLSExt_use_certificate_pem() for DTLS (SocketDTLS_Failed). */
extern SOCKET_API void
SocketDTLSExt_use_certificate_pem (SocketDTLSContext_T ctx,
                                   const void *cert_pem, size_t cert_len,
                                   const void *key_pem, size_t key_len);

/** @brief SocketTLSExt_load_ca_pem() for DTLS (SocketDTLS_Failed). */
extern SOCKET_API void SocketDTLSExt_load_ca_pem (SocketDTLSContext_T ctx,
                                                  const void *pem,
                                                  size_t len);

/**
 * @brief One handshake step for event loops, with the retransmission
 *        timer: retransmits the last flight first if the timer ran out.
 *
 * Raises SocketDTLS_VerifyFailed and SocketDTLS_TimeoutExpired (no answer
 * after SOCKET_DTLS_MAX_RETRANSMITS retransmissions) where
 * SocketDTLS_handshake() raises SocketDTLS_HandshakeFailed.
 * @param timer_ms  out (may be NULL): milliseconds left on the
 *                  retransmission timer, -1 when none runs (done). Wait
 *                  for readability at most that long, then call again.
 * @return as SocketDTLS_handshake().
 */
extern SOCKET_API DTLSHandshakeState
SocketDTLSExt_handshake (SocketDgram_T socket, int *timer_ms);

/** @brief SocketDTLS_set_hostname() leaving the verify mode alone. */
extern SOCKET_API void SocketDTLSExt_set_hostname (SocketDgram_T socket,
                                                   const char *hostname);

/** @brief IANA number of the negotiated cipher suite, 0 before. */
extern SOCKET_API int SocketDTLSExt_get_cipher_id (SocketDgram_T socket);

/** @brief SocketTLSExt_get_peer_cert_der() for DTLS. */
extern SOCKET_API ssize_t SocketDTLSExt_get_peer_cert_der (
    SocketDgram_T socket, int verified, int index, unsigned char *buf,
    size_t cap);

#endif /* SOCKET_HAS_TLS */

#endif /* SOCKETTLSEXT_INCLUDED */
