/**
 * @file SocketHTTPClient.h
 * @brief HTTP client: HTTP/1.1 and HTTP/2 (ALPN "h2" over TLS, or prior
 *        knowledge for cleartext when allowed), connection pooling per
 *        host, redirects, authentication (Basic, Digest, Bearer), cookies
 *        (RFC 6265) and gzip/deflate response decoding.
 *
 * Three ways to send a request:
 * - one call per method (SocketHTTPClient_get(), _post(), ...);
 * - a request builder (SocketHTTPClient_Request_new(), headers, body or
 *   body stream, timeout, auth, then SocketHTTPClient_Request_execute());
 * - asynchronously (SocketHTTPClient_get_async(), _Request_async()),
 *   driven by SocketHTTPClient_process() from the caller's loop.
 *
 * Connections: HTTP/1.1 keeps idle connections in a per-host pool
 * (checked before reuse; an idempotent request that fails on a reused
 * connection before any response byte is retried once on a new one).
 * HTTP/2 is used when the server picks "h2" by ALPN (max_version
 * HTTP_VERSION_2, the default) or, on http://, with allow_http2_cleartext
 * (prior knowledge); one HTTP/2 connection then carries every concurrent
 * request to that host. Connections go through config.proxy when set.
 *
 * Errors: a call that cannot produce a response returns -1 (or NULL) and
 * records the reason in SocketHTTPClient_last_error() (DNS, CONNECT, TLS,
 * TIMEOUT, PROTOCOL, RESPONSE_TOO_LARGE, OUT_OF_MEMORY; a completed
 * request sets HTTPCLIENT_OK); a redirect loop raises
 * SocketHTTPClient_TooManyRedirects. A response with any status code
 * (4xx/5xx included) is a success.
 *
 * Thread-safety: a client belongs to one thread at a time;
 * SocketHTTPClient_config_defaults, SocketHTTPClient_new,
 * SocketHTTPClient_CookieJar_new and SocketHTTPClient_error_string are
 * thread-safe, and a cookie jar may be shared by clients on different
 * threads (it locks internally).
 */
#ifndef SOCKETHTTPCLIENT_INCLUDED
#define SOCKETHTTPCLIENT_INCLUDED

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/Arena.h"
#include "core/Except.h"
#include "core/SocketConfig.h"
#include "http/SocketHTTP.h"

#if SOCKET_HAS_TLS
#include "tls/SocketTLSContext.h"
#else
typedef struct SocketTLSContext_T *SocketTLSContext_T;
#endif

/** Proxy configuration of socket/SocketProxy.h. */
typedef struct SocketProxy_Config SocketProxy_Config;

/* ===================================================================== */
/* Defaults                                                              */
/* ===================================================================== */

/** Connections kept per host (scheme, host, port) by the pool. */
#define HTTPCLIENT_DEFAULT_MAX_CONNS_PER_HOST 6
/** Connections kept by the pool in total. */
#define HTTPCLIENT_DEFAULT_MAX_TOTAL_CONNS 100
/** Time to establish a connection (TCP and TLS), in milliseconds. */
#define HTTPCLIENT_DEFAULT_CONNECT_TIMEOUT_MS 30000
/** Time for a whole request, from send to the last body byte, in ms. */
#define HTTPCLIENT_DEFAULT_REQUEST_TIMEOUT_MS 60000
/** Time for name resolution, in milliseconds. */
#define HTTPCLIENT_DEFAULT_DNS_TIMEOUT_MS 10000
/** Idle pooled connections older than this are closed, in ms. */
#define HTTPCLIENT_DEFAULT_IDLE_TIMEOUT_MS 60000
/** Redirects followed before SocketHTTPClient_TooManyRedirects. */
#define HTTPCLIENT_DEFAULT_MAX_REDIRECTS 10
/** Largest response body accepted; 0 = unlimited. */
#define HTTPCLIENT_DEFAULT_MAX_RESPONSE_SIZE 0
/** User-Agent sent when the configuration does not name one. */
#define HTTPCLIENT_DEFAULT_USER_AGENT "SocketHTTPClient/1.0"
/** Buckets of the pool's host table. */
#define HTTPCLIENT_POOL_HASH_SIZE 127

/** @name Accept-Encoding bits of SocketHTTPClient_Config.accept_encoding */
/**@{*/
#define HTTPCLIENT_ENCODING_IDENTITY 0x00
#define HTTPCLIENT_ENCODING_GZIP 0x01
#define HTTPCLIENT_ENCODING_DEFLATE 0x02
#define HTTPCLIENT_ENCODING_BR 0x04
/**@}*/

/* ===================================================================== */
/* Types                                                                 */
/* ===================================================================== */

/** Why a request failed (SocketHTTPClient_last_error(), callbacks). */
typedef enum
{
  HTTPCLIENT_OK = 0,
  HTTPCLIENT_ERROR_DNS = 1,
  HTTPCLIENT_ERROR_CONNECT = 2,
  HTTPCLIENT_ERROR_TLS = 3,
  HTTPCLIENT_ERROR_TIMEOUT = 4,
  HTTPCLIENT_ERROR_PROTOCOL = 5,
  HTTPCLIENT_ERROR_TOO_MANY_REDIRECTS = 6,
  HTTPCLIENT_ERROR_RESPONSE_TOO_LARGE = 7,
  HTTPCLIENT_ERROR_CANCELLED = 8,
  HTTPCLIENT_ERROR_OUT_OF_MEMORY = 9
} SocketHTTPClient_Error;

/** Authentication scheme. */
typedef enum
{
  HTTP_AUTH_NONE = 0,
  HTTP_AUTH_BASIC = 1,     /**< RFC 7617 */
  HTTP_AUTH_DIGEST = 2,    /**< RFC 7616 (MD5, SHA-256; qop auth) */
  HTTP_AUTH_BEARER = 3,    /**< RFC 6750 */
  HTTP_AUTH_NTLM = 4,      /**< not supported: sends nothing */
  HTTP_AUTH_NEGOTIATE = 5  /**< not supported: sends nothing */
} SocketHTTPClient_AuthType;

/** Credentials for one scheme. */
typedef struct
{
  SocketHTTPClient_AuthType type;
  const char *username; /**< Basic, Digest */
  const char *password; /**< Basic, Digest */
  const char *token;    /**< Bearer */
  const char *realm;    /**< Digest: answer only this realm (NULL = any) */
} SocketHTTPClient_Auth;

/** Client configuration (SocketHTTPClient_config_defaults() fills it). */
typedef struct
{
  SocketHTTP_Version max_version;  /**< highest version offered */
  int allow_http2_cleartext;       /**< h2 prior knowledge on http:// */
  int enable_connection_pool;      /**< 0: one connection per request */
  size_t max_connections_per_host;
  size_t max_total_connections;
  int idle_timeout_ms;             /**< pooled idle connections; <= 0: none */
  int connect_timeout_ms;
  int request_timeout_ms;
  int dns_timeout_ms;
  int follow_redirects;            /**< redirects followed; 0: none */
  int redirect_on_post;            /**< follow 301/302 for POST too */
  int accept_encoding;             /**< HTTPCLIENT_ENCODING_* bits */
  int auto_decompress;             /**< decode gzip/deflate bodies */
  SocketTLSContext_T tls_context;  /**< NULL: a default verifying context */
  int verify_ssl;                  /**< with the default context */
  SocketProxy_Config *proxy;       /**< NULL: direct connections */
  const char *user_agent;          /**< NULL: no User-Agent header */
  size_t max_response_size;        /**< body limit; 0: unlimited */
} SocketHTTPClient_Config;

/** Client handle. */
typedef struct SocketHTTPClient *SocketHTTPClient_T;
/** Request builder handle. */
typedef struct SocketHTTPClient_Request *SocketHTTPClient_Request_T;
/** Asynchronous request handle. */
typedef struct SocketHTTPClient_AsyncRequest *SocketHTTPClient_AsyncRequest_T;
/** Cookie jar handle. */
typedef struct SocketHTTPClient_CookieJar *SocketHTTPClient_CookieJar_T;

/** A received response; release with SocketHTTPClient_Response_free(). */
typedef struct
{
  int status_code;
  SocketHTTP_Headers_T headers; /**< final response's header fields */
  void *body;                   /**< NULL when empty; not NUL-terminated */
  size_t body_len;
  SocketHTTP_Version version;
  Arena_T arena;                /**< owns headers and body */
} SocketHTTPClient_Response;

/**
 * Completion of an asynchronous request, called from
 * SocketHTTPClient_process() on the caller's thread. @p response is valid
 * (and owned by the library) only during the call when @p error is
 * HTTPCLIENT_OK, NULL otherwise.
 */
typedef void (*SocketHTTPClient_Callback) (SocketHTTPClient_AsyncRequest_T req,
                                           SocketHTTPClient_Response *response,
                                           SocketHTTPClient_Error error, void *userdata);

/** Cookie SameSite attribute. */
typedef enum
{
  COOKIE_SAMESITE_NONE = 0,
  COOKIE_SAMESITE_LAX = 1,
  COOKIE_SAMESITE_STRICT = 2
} SocketHTTPClient_SameSite;

/** One cookie (strings owned by whoever made the struct). */
typedef struct
{
  const char *name;
  const char *value;
  const char *domain; /**< a leading '.' or a Domain attribute: subdomains match */
  const char *path;
  time_t expires;     /**< 0: session cookie */
  int secure;
  int http_only;
  SocketHTTPClient_SameSite same_site;
} SocketHTTPClient_Cookie;

/** Pool counters (SocketHTTPClient_pool_stats()). */
typedef struct
{
  size_t active_connections; /**< pooled connections carrying a request */
  size_t idle_connections;   /**< pooled connections waiting for one */
  size_t total_requests;     /**< requests sent */
  size_t reused_connections; /**< requests sent on a reused connection */
} SocketHTTPClient_PoolStats;

/* ===================================================================== */
/* Exceptions                                                            */
/* ===================================================================== */

extern SOCKET_API const Except_T SocketHTTPClient_Failed;
extern SOCKET_API const Except_T SocketHTTPClient_DNSFailed;
extern SOCKET_API const Except_T SocketHTTPClient_ConnectFailed;
extern SOCKET_API const Except_T SocketHTTPClient_TLSFailed;
extern SOCKET_API const Except_T SocketHTTPClient_Timeout;
extern SOCKET_API const Except_T SocketHTTPClient_ProtocolError;
extern SOCKET_API const Except_T SocketHTTPClient_TooManyRedirects;
extern SOCKET_API const Except_T SocketHTTPClient_ResponseTooLarge;

/* ===================================================================== */
/* Client                                                                */
/* ===================================================================== */

/** @brief Fill @p config with the defaults (see HTTPCLIENT_DEFAULT_*). */
extern SOCKET_API void SocketHTTPClient_config_defaults (SocketHTTPClient_Config *config);

/**
 * @brief Create a client. @p config NULL = defaults; the struct is copied,
 *        user_agent duplicated, tls_context and proxy kept by pointer.
 * @throws SocketHTTPClient_Failed when the client cannot be set up.
 */
extern SOCKET_API SocketHTTPClient_T SocketHTTPClient_new (const SocketHTTPClient_Config *config);

/** @brief Close pooled connections, free the client, set *@p client to NULL. */
extern SOCKET_API void SocketHTTPClient_free (SocketHTTPClient_T *client);

/**
 * @brief GET @p url (absolute http:// or https:// URL), following
 *        redirects and answering one Digest challenge.
 * @param response  filled on success; owns its headers and body (release
 *                  with SocketHTTPClient_Response_free()).
 * @return 0 when a response arrived (any status), -1 otherwise
 *         (SocketHTTPClient_last_error() says why; *@p response is then
 *         zeroed).
 * @throws SocketHTTPClient_TooManyRedirects (reason "Too many redirects (N)").
 * Not thread-safe: one thread per client at a time.
 */
extern SOCKET_API int SocketHTTPClient_get (SocketHTTPClient_T client, const char *url,
                                            SocketHTTPClient_Response *response);
/** @brief HEAD @p url (as SocketHTTPClient_get()). */
extern SOCKET_API int SocketHTTPClient_head (SocketHTTPClient_T client, const char *url,
                                             SocketHTTPClient_Response *response);
/** @brief POST @p body (copied); @p content_type NULL = no Content-Type. */
extern SOCKET_API int SocketHTTPClient_post (SocketHTTPClient_T client, const char *url,
                                             const char *content_type, const void *body,
                                             size_t body_len, SocketHTTPClient_Response *response);
/** @brief PUT @p body (as SocketHTTPClient_post()). */
extern SOCKET_API int SocketHTTPClient_put (SocketHTTPClient_T client, const char *url,
                                            const char *content_type, const void *body,
                                            size_t body_len, SocketHTTPClient_Response *response);
/** @brief DELETE @p url (as SocketHTTPClient_get()). */
extern SOCKET_API int SocketHTTPClient_delete (SocketHTTPClient_T client, const char *url,
                                               SocketHTTPClient_Response *response);

/**
 * @brief Free the response's arena (headers and body) and zero the
 *        struct; NULL and repeats are no-ops. (A macro also accepts the
 *        README's handle: SocketHTTPClient_Response_free(&handle).)
 */
extern SOCKET_API void SocketHTTPClient_Response_free (SocketHTTPClient_Response *response);

/* ===================================================================== */
/* Request builder                                                       */
/* ===================================================================== */

/**
 * @brief New request builder for @p method and @p url (copied).
 * @return the builder (release with SocketHTTPClient_Request_free()), or
 *         NULL when @p url is not an absolute http/https URL (last_error
 *         PROTOCOL) or memory runs out (OUT_OF_MEMORY). A macro also
 *         accepts the method as a string (README form).
 */
extern SOCKET_API SocketHTTPClient_Request_T SocketHTTPClient_Request_new (SocketHTTPClient_T client,
                                                                           SocketHTTP_Method method,
                                                                           const char *url);
/** @brief Free the builder (and an async handle made from it); *@p req = NULL. */
extern SOCKET_API void SocketHTTPClient_Request_free (SocketHTTPClient_Request_T *req);
/** @brief Append a header field (copied). @return 0, or -1 when invalid. */
extern SOCKET_API int SocketHTTPClient_Request_header (SocketHTTPClient_Request_T req, const char *name,
                                                       const char *value);
/** @brief Set the body (copied; NULL/0 clears). @return 0, or -1. */
extern SOCKET_API int SocketHTTPClient_Request_body (SocketHTTPClient_Request_T req, const void *data,
                                                     size_t len);
/**
 * @brief Stream the body from @p read_cb (sent chunked on HTTP/1.1): it
 *        returns the bytes it put in @p buf, 0 at the end, -1 to abort.
 * @return 0.
 */
extern SOCKET_API int SocketHTTPClient_Request_body_stream (SocketHTTPClient_Request_T req,
                                                            ssize_t (*read_cb) (void *buf, size_t len,
                                                                                void *userdata),
                                                            void *userdata);
/**
 * @brief Whole-request timeout for this request in ms (redirects and
 *        retries included; the connect has its own connect_timeout_ms);
 *        -1 = the client's request_timeout_ms, 0 = none.
 */
extern SOCKET_API void SocketHTTPClient_Request_timeout (SocketHTTPClient_Request_T req, int ms);
/**
 * @brief Credentials for this request (strings copied, realm borrowed);
 *        NULL = the client's. Basic and Bearer are sent with the first
 *        attempt; Digest answers the server's 401 challenge (one retry).
 *        Credentials only go to the origin of the request's first URL.
 */
extern SOCKET_API void SocketHTTPClient_Request_auth (SocketHTTPClient_Request_T req,
                                                      const SocketHTTPClient_Auth *auth);
/**
 * @brief Send the request and read the response, blocking (bounded by the
 *        timeouts). Follows up to config.follow_redirects redirects (RFC
 *        9110: a relative Location is resolved, 303 becomes GET, POST
 *        follows 301/302/307/308 only with redirect_on_post) and answers
 *        one Digest challenge. The builder's URL and method follow the
 *        redirects. Set-Cookie fields of every response go to the jar.
 * @param response  zeroed, then filled on success (owned by the caller).
 * @return 0 when a response arrived, -1 otherwise (last_error).
 * @throws SocketHTTPClient_TooManyRedirects
 */
extern SOCKET_API int SocketHTTPClient_Request_execute (SocketHTTPClient_Request_T req,
                                                        SocketHTTPClient_Response *response);

/* ===================================================================== */
/* Asynchronous requests                                                 */
/* ===================================================================== */

/**
 * @brief Start a GET now; the lookup (on the client's own resolver),
 *        connect, TLS and exchange progress in SocketHTTPClient_process()
 *        without blocking (a configured proxy is connected here, blocking).
 * @return a handle owned by the library (valid until the client is
 *         freed; its request and response are released after the
 *         callback), or NULL for an invalid URL or no memory.
 * The callback runs exactly once, from SocketHTTPClient_process().
 */
extern SOCKET_API SocketHTTPClient_AsyncRequest_T SocketHTTPClient_get_async (SocketHTTPClient_T client,
                                                                              const char *url,
                                                                              SocketHTTPClient_Callback callback,
                                                                              void *userdata);
/** @brief Start a POST (body copied). */
extern SOCKET_API SocketHTTPClient_AsyncRequest_T
SocketHTTPClient_post_async (SocketHTTPClient_T client, const char *url, const char *content_type,
                             const void *body, size_t body_len, SocketHTTPClient_Callback callback,
                             void *userdata);
/**
 * @brief Start the builder's request asynchronously (one at a time per
 *        builder); the handle lives as long as @p req, and freeing @p req
 *        drops a pending request without a callback.
 * @return the handle, or NULL (a request of this builder is pending, no memory).
 */
extern SOCKET_API SocketHTTPClient_AsyncRequest_T
SocketHTTPClient_Request_async (SocketHTTPClient_Request_T req, SocketHTTPClient_Callback callback,
                                void *userdata);
/**
 * @brief Cancel a pending request: its connection is dropped and its
 *        callback runs once, from the next SocketHTTPClient_process(),
 *        with HTTPCLIENT_ERROR_CANCELLED. No-op for NULL or after completion.
 */
extern SOCKET_API void SocketHTTPClient_AsyncRequest_cancel (SocketHTTPClient_AsyncRequest_T req);
/**
 * @brief Make progress on every pending asynchronous request with one
 *        poll() over their connections, waiting up to @p timeout_ms
 *        (0: do not wait, -1: until something completes; it returns as
 *        soon as at least one request completed), run the callbacks of the
 *        completed ones (on this thread), and close pooled connections
 *        idle for idle_timeout_ms.
 * @return the number of callbacks run (0 when nothing is pending).
 */
extern SOCKET_API int SocketHTTPClient_process (SocketHTTPClient_T client, int timeout_ms);

/* ===================================================================== */
/* Cookies                                                               */
/* ===================================================================== */

/** @brief New empty jar (thread-safe), or NULL. */
extern SOCKET_API SocketHTTPClient_CookieJar_T SocketHTTPClient_CookieJar_new (void);
/** @brief Free the jar; *@p jar = NULL. Detach it from clients first. */
extern SOCKET_API void SocketHTTPClient_CookieJar_free (SocketHTTPClient_CookieJar_T *jar);
/** @brief Attach @p jar (not owned; NULL detaches). */
extern SOCKET_API void SocketHTTPClient_set_cookie_jar (SocketHTTPClient_T client,
                                                        SocketHTTPClient_CookieJar_T jar);
/** @brief The attached jar, or NULL. */
extern SOCKET_API SocketHTTPClient_CookieJar_T SocketHTTPClient_get_cookie_jar (SocketHTTPClient_T client);
/** @brief Store a copy of @p cookie (replacing name+domain+path). @return 0 or -1. */
extern SOCKET_API int SocketHTTPClient_CookieJar_set (SocketHTTPClient_CookieJar_T jar,
                                                      const SocketHTTPClient_Cookie *cookie);
/** @brief Exact lookup (path NULL = "/"); the cookie stays owned by the jar. */
extern SOCKET_API const SocketHTTPClient_Cookie *SocketHTTPClient_CookieJar_get (SocketHTTPClient_CookieJar_T jar,
                                                                                 const char *domain,
                                                                                 const char *path,
                                                                                 const char *name);
/** @brief Remove every cookie. */
extern SOCKET_API void SocketHTTPClient_CookieJar_clear (SocketHTTPClient_CookieJar_T jar);
/** @brief Remove cookies whose expiry has passed (session cookies stay). */
extern SOCKET_API void SocketHTTPClient_CookieJar_clear_expired (SocketHTTPClient_CookieJar_T jar);
/** @brief Merge a Netscape cookie file. @return 0, or -1 if it cannot be opened. */
extern SOCKET_API int SocketHTTPClient_CookieJar_load (SocketHTTPClient_CookieJar_T jar, const char *filename);
/** @brief Write the jar as a Netscape cookie file. @return 0, or -1. */
extern SOCKET_API int SocketHTTPClient_CookieJar_save (SocketHTTPClient_CookieJar_T jar, const char *filename);

/* ===================================================================== */
/* Authentication, pool, errors                                          */
/* ===================================================================== */

/**
 * @brief Default credentials for every request (username, password and
 *        token copied, realm borrowed; NULL clears). See
 *        SocketHTTPClient_Request_auth() for how they are used.
 */
extern SOCKET_API void SocketHTTPClient_set_auth (SocketHTTPClient_T client, const SocketHTTPClient_Auth *auth);
/**
 * @brief Fill @p stats (zeroed first): pooled connections in use and
 *        idle (0 when pooling is disabled), requests sent (every exchange:
 *        a redirect or an authentication retry counts again) and how many
 *        of them went on a reused connection (a pooled HTTP/1.1 connection
 *        or a shared HTTP/2 one).
 */
extern SOCKET_API void SocketHTTPClient_pool_stats (SocketHTTPClient_T client, SocketHTTPClient_PoolStats *stats);
/** @brief Close every idle pooled connection; those in use close when their request ends. */
extern SOCKET_API void SocketHTTPClient_pool_clear (SocketHTTPClient_T client);
/** @brief Outcome of the last request (HTTPCLIENT_OK after new and after a success). */
extern SOCKET_API SocketHTTPClient_Error SocketHTTPClient_last_error (SocketHTTPClient_T client);
/** @brief Static description of @p error ("Unknown error" outside the enum). */
extern SOCKET_API const char *SocketHTTPClient_error_string (SocketHTTPClient_Error error);

/* ===================================================================== */
/* README forms                                                          */
/* ===================================================================== */
/*
 * The README shows a handle-based response API and a few other spellings.
 * They are provided here without touching the functions above (the ABI):
 * extra functions, plus macros that pick by argument count or type.
 * `(SocketHTTPClient_get)(...)` and `&SocketHTTPClient_get` still name the
 * real functions. See docs/MIGRATION.md for what cannot be bridged.
 */

/** README handle to a response (heap-allocated; free with SocketHTTPClient_Response_free(&resp)). */
typedef SocketHTTPClient_Response *SocketHTTPClient_Response_T;

/** README name of SocketHTTPClient_TLSFailed. */
#define SocketHTTPClient_TLSError SocketHTTPClient_TLSFailed
/** README names of the SocketHTTPClient_AuthType values. */
#define HTTPCLIENT_AUTH_NONE HTTP_AUTH_NONE
#define HTTPCLIENT_AUTH_BASIC HTTP_AUTH_BASIC
#define HTTPCLIENT_AUTH_DIGEST HTTP_AUTH_DIGEST
#define HTTPCLIENT_AUTH_BEARER HTTP_AUTH_BEARER

/** @brief Status code of @p resp (0 for NULL). */
extern SOCKET_API int SocketHTTPClient_Response_status (SocketHTTPClient_Response_T resp);
/** @brief Body of @p resp (NULL when empty or @p resp is NULL; not NUL-terminated). */
extern SOCKET_API const char *SocketHTTPClient_Response_body (SocketHTTPClient_Response_T resp);
/** @brief Body length of @p resp (0 for NULL). */
extern SOCKET_API size_t SocketHTTPClient_Response_body_len (SocketHTTPClient_Response_T resp);

/**
 * @brief README form of SocketHTTPClient_get(client, url): the response as
 *        a heap handle, or NULL (SocketHTTPClient_last_error() says why).
 * @throws SocketHTTPClient_TooManyRedirects
 */
extern SOCKET_API SocketHTTPClient_Response_T SocketHTTPClient_get_response (SocketHTTPClient_T client,
                                                                             const char *url);
/**
 * @brief README form of SocketHTTPClient_Request_execute(req): the
 *        response as a heap handle, or NULL.
 * @throws SocketHTTPClient_TooManyRedirects
 */
extern SOCKET_API SocketHTTPClient_Response_T
SocketHTTPClient_Request_execute_response (SocketHTTPClient_Request_T req);
/**
 * @brief README form of SocketHTTPClient_Request_new() with the method as
 *        a string: one of the nine registered methods ("GET", "HEAD", "POST",
 *        "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"), which
 *        are all SocketHTTP_Method can express.
 * @return the builder, or NULL for any other method or an invalid URL
 *         (SocketHTTPClient_last_error(): HTTPCLIENT_ERROR_PROTOCOL).
 */
extern SOCKET_API SocketHTTPClient_Request_T SocketHTTPClient_Request_new_str (SocketHTTPClient_T client,
                                                                              const char *method,
                                                                              const char *url);
/** @brief Free a handle from the README forms and set *@p resp to NULL. */
extern SOCKET_API void SocketHTTPClient_Response_release (SocketHTTPClient_Response_T *resp);
/**
 * @brief README form of SocketHTTPClient_set_auth(): @p type with a user
 *        name and password (Basic, Digest) or a token in @p user (Bearer).
 */
extern SOCKET_API void SocketHTTPClient_setauth (SocketHTTPClient_T client, SocketHTTPClient_AuthType type,
                                                 const char *user, const char *pass);

#define SOCKETHTTPCLIENT_ARGC_N_(_1, _2, _3, _4, _5, _6, N, ...) N
#define SOCKETHTTPCLIENT_ARGC_(...) SOCKETHTTPCLIENT_ARGC_N_ (__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define SOCKETHTTPCLIENT_CAT_(a, b) a##b
#define SOCKETHTTPCLIENT_DISPATCH_(name, n) SOCKETHTTPCLIENT_CAT_ (name, n)

#define SOCKETHTTPCLIENT_GET_2(c, u) SocketHTTPClient_get_response (c, u)
#define SOCKETHTTPCLIENT_GET_3(c, u, r) (SocketHTTPClient_get) (c, u, r)
/** Header form (client, url, &response) -> int, or README form (client, url) -> handle. */
#define SocketHTTPClient_get(...)                                                                  \
  SOCKETHTTPCLIENT_DISPATCH_ (SOCKETHTTPCLIENT_GET_, SOCKETHTTPCLIENT_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

#define SOCKETHTTPCLIENT_EXECUTE_1(q) SocketHTTPClient_Request_execute_response (q)
#define SOCKETHTTPCLIENT_EXECUTE_2(q, r) (SocketHTTPClient_Request_execute) (q, r)
/** Header form (req, &response) -> int, or README form (req) -> handle. */
#define SocketHTTPClient_Request_execute(...)                                                      \
  SOCKETHTTPCLIENT_DISPATCH_ (SOCKETHTTPCLIENT_EXECUTE_, SOCKETHTTPCLIENT_ARGC_ (__VA_ARGS__))     \
  (__VA_ARGS__)

/** Method as SocketHTTP_Method (header) or as a string (README). */
#define SocketHTTPClient_Request_new(c, m, u)                                                      \
  _Generic ((m), char *: SocketHTTPClient_Request_new_str,                                         \
           const char *: SocketHTTPClient_Request_new_str,                                         \
           default: (SocketHTTPClient_Request_new)) (c, m, u)

/** &struct (header) or &handle (README). */
#define SocketHTTPClient_Response_free(p)                                                          \
  _Generic ((p), SocketHTTPClient_Response_T *: SocketHTTPClient_Response_release,                 \
           default: (SocketHTTPClient_Response_free)) (p)

/** SocketHTTPClient_CookieJar_new() or the README's SocketHTTPClient_CookieJar_new(NULL). */
#define SocketHTTPClient_CookieJar_new(...) (SocketHTTPClient_CookieJar_new) ()

#endif /* SOCKETHTTPCLIENT_INCLUDED */
