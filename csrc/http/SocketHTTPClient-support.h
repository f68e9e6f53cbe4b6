/*
 * Private interface between the HTTP client engine (SocketHTTPClient*.c)
 * and its protocol helpers that need no I/O: cookies (RFC 6265,
 * SocketHTTPClient-cookie.c) and authentication headers (RFC 7617 Basic,
 * RFC 7616 Digest, RFC 6750 Bearer; SocketHTTPClient-auth.c). Keeping
 * them I/O-free lets tests and fuzzers drive them directly.
 */
#ifndef SOCKETHTTPCLIENT_SUPPORT_INCLUDED
#define SOCKETHTTPCLIENT_SUPPORT_INCLUDED

#include <stddef.h>
#include <time.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTPClient.h"

/* ---- cookies --------------------------------------------------------- */

/** Longest Set-Cookie value parsed, and longest Cookie header built. */
#define HTTPCLIENT_COOKIE_MAX_HEADER 8192
/** Cookies kept per jar; the oldest-used are evicted beyond it. */
#define HTTPCLIENT_COOKIE_MAX_PER_JAR 3000

/**
 * Parse one Set-Cookie field value received for a request to
 * @p request_host / @p request_path (RFC 6265 §5.2 and §5.3: Domain must
 * domain-match the host and may not be a bare public suffix like "com";
 * default path from the request path; Max-Age wins over Expires; Max-Age
 * <= 0 or an Expires in the past deletes a stored cookie; Secure cookies
 * only from a @p secure_channel; names/values without CTLs) and store it.
 * @p now is the current time (injectable for tests).
 * Returns 1 stored, 0 deleted or ignored (invalid or refused), never raises.
 * @p request_host may carry a ":port" (ignored, RFC 6265 §8.5).
 */
int httpclient_cookie_store (SocketHTTPClient_CookieJar_T jar, const char *request_host,
                             const char *request_path, int secure_channel, const char *set_cookie,
                             size_t set_cookie_len, time_t now);

/**
 * Build the Cookie header value for a request (RFC 6265 §5.4: domain and
 * path match, Secure only over @p secure_channel, expired cookies skipped,
 * longer paths first, then earlier creation). Writes at most @p out_size
 * bytes including the NUL; cookies that do not fit are left out whole.
 * Returns the length written (0 = no cookie applies).
 */
size_t httpclient_cookie_header (SocketHTTPClient_CookieJar_T jar, const char *request_host,
                                 const char *request_path, int secure_channel, time_t now, char *out,
                                 size_t out_size);

/* ---- authentication -------------------------------------------------- */

/** Largest Authorization value built. */
#define HTTPCLIENT_AUTH_MAX_HEADER 2048

/** State kept per request across a 401 challenge (Digest nonce count). */
typedef struct
{
  char realm[256];
  char nonce[256];
  char opaque[256];
  char algorithm[32]; /* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" */
  int qop_auth;       /* server offered qop="auth" */
  int userhash;
  unsigned nonce_count;
  int have_challenge; /* a Digest challenge was parsed */
} httpclient_digest_state;

/**
 * Parse the WWW-Authenticate field values of a 401 response (@p values,
 * @p count of them) for a Digest challenge matching @p auth (realm when
 * auth->realm is set; algorithms MD5, SHA-256 and their -sess forms;
 * qop "auth"; stale=true renews the nonce). Returns 0 when @p state now
 * holds a usable challenge, -1 when none (unknown algorithm, qop only
 * "auth-int", malformed or over-long parameters).
 */
int httpclient_digest_parse_challenge (const SocketHTTPClient_Auth *auth, const char *const *values,
                                       size_t count, httpclient_digest_state *state);

/**
 * Build the Authorization value for @p auth: "Basic base64(user:pass)",
 * "Bearer token", or (with a parsed challenge in @p digest) the Digest
 * response for @p method and @p request_target (path and query), with a
 * fresh cnonce and the next nonce count. Returns the length written to
 * @p out (NUL-terminated), 0 when @p auth yields no header (NONE, NTLM,
 * NEGOTIATE, Digest without a challenge, missing fields, unknown method),
 * -1 when it does not fit in @p out_size (or HTTPCLIENT_AUTH_MAX_HEADER)
 * or a credential cannot be sent: control characters (CR, LF, ...) in
 * any of them or in @p request_target, ':' in a Basic user-id (RFC 7617
 * §2), a Bearer token that is not a b64token (RFC 6750 §2.1). The nonce
 * count only advances when a Digest value is written; @p out is "" unless
 * a value is returned.
 */
int httpclient_auth_header (const SocketHTTPClient_Auth *auth, httpclient_digest_state *digest,
                            SocketHTTP_Method method, const char *request_target, char *out,
                            size_t out_size);

#endif /* SOCKETHTTPCLIENT_SUPPORT_INCLUDED */
