/*
 * shim_core.h - shims of the core modules: crypto, UTF-8, rate limiter,
 * metrics, logging and events, and the C -> Go callback proof
 * (shim_core.c, shim_callback.c). Declarations only (see shim.h).
 */
#ifndef CSOCKET_SHIM_CORE_H
#define CSOCKET_SHIM_CORE_H

#include "shim.h"

#include "core/SocketCrypto.h"
#include "core/SocketRateLimit.h"
#include "core/SocketUTF8.h"

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

#endif /* CSOCKET_SHIM_CORE_H */
