/*
 * Private structures of the HTTP client engine, shared by
 * SocketHTTPClient.c (public API, request runs: redirects, auth, cookies),
 * SocketHTTPClient-conn.c (connections, pool, the HTTP/1.1 exchange state
 * machine) and SocketHTTPClient-async.c (asynchronous handles, process).
 *
 * One design carries both the blocking and the asynchronous API: a request
 * is a "run" (struct hc_run) that performs one or more "exchanges" (one
 * request/response on one connection, struct hc_exchange) - a redirect, an
 * authentication retry or a retry on a fresh connection starts a new one.
 * An exchange is a non-blocking state machine; the blocking calls drive
 * one run with poll() on its descriptor, SocketHTTPClient_process() drives
 * every pending run with one poll() over all of them.
 */
#ifndef SOCKETHTTPCLIENT_PRIVATE_INCLUDED
#define SOCKETHTTPCLIENT_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHTTP.h"
#include "http/SocketHTTP1.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTPClient.h"
#include "dns/SocketDNS.h"
#include "socket/Socket.h"

#include "http/SocketHTTPClient-support.h"

/** Longest URL handled (redirect targets included). */
#define HC_MAX_URL 8192
/** Longest host name kept in a pool key. */
#define HC_MAX_HOST 256
/** Bytes read from a connection per recv. */
#define HC_RECV_CHUNK 16384
/** Largest serialized request head. */
#define HC_MAX_HEAD (256 * 1024)
/** Set-Cookie fields read from one response. */
#define HC_MAX_SET_COOKIE 64
/** WWW-Authenticate fields read from one 401 response. */
#define HC_MAX_CHALLENGES 16

/** One transport connection (plain TCP or TLS), pooled or not. */
struct hc_conn
{
  Socket_T sock;
  int secure;                 /* TLS on it */
  char host[HC_MAX_HOST];     /* pool key: scheme, host, port */
  int port;
  unsigned bucket;            /* pool hash bucket */
  int pooled;                 /* counted by the pool (enable_connection_pool) */
  int in_use;                 /* carrying an exchange */
  int64_t idle_since;         /* monotonic ms when it went idle */
  unsigned requests;          /* exchanges sent on it */
  Arena_T arena;              /* parser memory */
  SocketHTTP1_Parser_T parser;
  SocketHTTP2_Conn_T h2;      /* set once the connection speaks HTTP/2 */
  Arena_T h2_arena;
  int h2_wanted;              /* h2c prior knowledge on this connection */
  int h2_maybe;               /* may turn out HTTP/2 (h2c, or ALPN offered) */
  int settled;                /* protocol known (a request went out on it) */
  int dead;                   /* transport or HTTP/2 connection failed */
  struct hc_exchange *h2_users; /* exchanges with a stream on it */
  unsigned long h2_seq;       /* last opening order handed out */
  struct hc_conn *next;       /* bucket chain */
};

/** Exchange states (one request/response on one connection). */
typedef enum
{
  HC_EX_CONNECTING = 0, /* non-blocking connect in progress */
  HC_EX_RESOLVING,      /* asynchronous name lookup (client's resolver) */
  HC_EX_HANDSHAKE,      /* TLS handshake */
  HC_EX_SENDING,        /* request head and fixed body */
  HC_EX_STREAMING,      /* body from the read callback, chunked */
  HC_EX_RECEIVING,      /* response head and body */
  HC_EX_H2,             /* request and response on an HTTP/2 stream */
  HC_EX_DONE,
  HC_EX_FAILED
} hc_ex_state;

struct hc_run;

/** One request/response attempt on one connection. */
struct hc_exchange
{
  struct hc_run *run;
  struct hc_conn *conn;
  hc_ex_state state;
  unsigned wait_events;          /* POLLIN/POLLOUT the state waits for */
  int reused;                    /* conn came from the pool */
  int any_response_byte;         /* for the retry-once rule */
  int reusable;                  /* connection may carry another request */
  int64_t phase_deadline;        /* connect (TCP + TLS) or request deadline */
  struct addrinfo *addrs;        /* connect candidates (owned) */
  SocketDNS_Request_T dns_req;   /* pending lookup (HC_EX_RESOLVING) */
  int port;                      /* of the lookup */
  struct addrinfo *next_addr;
  /* request head until it is sent (serialized for HTTP/1.1) */
  Arena_T head_arena;
  SocketHTTP_Request head;
  /* HTTP/2 */
  SocketHTTP2_Stream_T stream;
  struct hc_exchange *h2_next;   /* conn->h2_users chain */
  size_t body_off;               /* fixed body bytes sent as DATA */
  int h2_end;                    /* the response is complete */
  int h2_reset;                  /* the stream was reset */
  int h2_sent;                   /* request (body included) fully queued */
  int h2_waiting;                /* stream not open yet (peer's concurrency limit) */
  int h2_refused;                /* reset before any response byte: safe to retry */
  unsigned long h2_seq;          /* opening order on the connection */
  /* outgoing bytes: head (+ fixed body), then streamed chunks */
  char *out;
  size_t out_len, out_off;
  int stream_done;
  /* incoming */
  char in[HC_RECV_CHUNK];
  size_t in_len;
  int head_done;
  int peer_closed;
  /* response being built */
  Arena_T resp_arena;
  SocketHTTPClient_Response resp;
  unsigned char *body;           /* malloc'd, copied into resp_arena at the end */
  size_t body_len, body_cap;
#ifdef SOCKETHTTP1_HAS_COMPRESSION
  SocketHTTP1_Decoder_T decoder;
  Arena_T decoder_arena;
#endif
  SocketHTTPClient_Error error;
};

/** A request from the caller's point of view, across redirects and retries. */
struct hc_run
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req; /* owns URL, method, headers, body */
  struct hc_exchange *ex;         /* current attempt, or NULL */
  int redirects;
  int auth_retried;
  int conn_retried;
  int sent_auth;                  /* Authorization added to this attempt */
  httpclient_digest_state digest;
  int64_t request_deadline;       /* 0: none */
  char origin[HC_MAX_HOST + 32];  /* "scheme://host:port" credentials belong to */
  int finished;
  SocketHTTPClient_Error error;
  SocketHTTPClient_Response result; /* final response (owned until handed out) */
  /* async */
  SocketHTTPClient_AsyncRequest_T async;
};

/** Request builder (public handle SocketHTTPClient_Request_T). */
struct SocketHTTPClient_Request
{
  SocketHTTPClient_T client;
  Arena_T arena;
  SocketHTTP_Method method;
  char *url;                     /* current URL (malloc'd; rewritten by redirects) */
  SocketHTTP_URI uri;            /* parsed url (in uri_arena) */
  Arena_T uri_arena;
  SocketHTTP_Headers_T headers;  /* caller's fields */
  unsigned char *body;           /* malloc'd copy */
  size_t body_len;
  ssize_t (*read_cb) (void *buf, size_t len, void *userdata);
  void *read_userdata;
  int timeout_ms;                /* -1: client's */
  int has_auth;
  SocketHTTPClient_Auth auth;    /* strings in arena */
  SocketHTTPClient_AsyncRequest_T async;
  int owned_by_async;            /* made by get_async/post_async: freed with it */
};

/** Asynchronous request handle. */
struct SocketHTTPClient_AsyncRequest
{
  SocketHTTPClient_T client;
  SocketHTTPClient_Request_T req;
  struct hc_run run;
  SocketHTTPClient_Callback callback;
  void *userdata;
  int started;
  int cancelled;
  int completed;                  /* callback ran */
  int in_callback;
  int detached;                   /* builder freed inside the callback */
  struct SocketHTTPClient_AsyncRequest *next; /* client's pending list */
};

/** The client. */
struct SocketHTTPClient
{
  SocketHTTPClient_Config config;
  char *user_agent;               /* owned copy */
  SocketHTTPClient_Error last_error;
  SocketHTTPClient_CookieJar_T jar;
  int has_auth;
  SocketHTTPClient_Auth auth;     /* strings owned (malloc) */
  char *auth_strings[3];
  SocketTLSContext_T tls_default; /* made on first https use */
  SocketDNS_T dns;                /* asynchronous lookups; made on first use */
  /* pool */
  struct hc_conn *buckets[HTTPCLIENT_POOL_HASH_SIZE];
  size_t pool_count;
  size_t total_requests;
  size_t reused_connections;
  /* async */
  SocketHTTPClient_AsyncRequest_T pending;
  SocketHTTPClient_AsyncRequest_T retired; /* completed get/post_async handles */
};

/* ---- SocketHTTPClient-conn.c ----------------------------------------- */

/**
 * Start an exchange for @p run with the request head @p head (its strings
 * and fields live in @p head_arena; both pass to the exchange, which
 * serializes HTTP/1.1 or sends HTTP/2 HEADERS once the connection is up).
 * The body comes from run->req (fixed or streamed). @p fresh_connection
 * skips the pool. Returns 0, or -1 with run->error set (the arena freed).
 */
int httpclient__exchange_start (struct hc_run *run, Arena_T head_arena, const SocketHTTP_Request *head,
                                int fresh_connection);
/** Advance without waiting; returns 1 when the exchange finished (DONE or FAILED). */
int httpclient__exchange_step (struct hc_exchange *ex, unsigned revents);
/** Descriptor and events the exchange waits for (-1 when none). */
int httpclient__exchange_pollfd (const struct hc_exchange *ex, unsigned *events);
/** Deadline (monotonic ms) of the exchange's current phase; 0 none. */
int64_t httpclient__exchange_deadline (const struct hc_exchange *ex);
/** Mark a timed-out exchange failed. */
void httpclient__exchange_timeout (struct hc_exchange *ex);
/** Release the exchange (connection back to the pool or closed). */
void httpclient__exchange_free (struct hc_exchange **ex);
/** Close idle pooled connections older than idle_timeout_ms. */
void httpclient__pool_expire (SocketHTTPClient_T client);
/** Close every pooled connection not in use; in-use ones close when released. */
void httpclient__pool_clear (SocketHTTPClient_T client, int including_in_use);
/** Count pooled connections. */
void httpclient__pool_count (SocketHTTPClient_T client, size_t *active, size_t *idle);

/* ---- SocketHTTPClient-conn.c, response path shared with -h2.c --------- */

/** Fail the exchange with @p error; returns 1 (finished). */
int httpclient__ex_fail (struct hc_exchange *ex, SocketHTTPClient_Error error);
/** Append received content (decoded when a decoder runs); 0 or a negative error. */
int httpclient__ex_body (struct hc_exchange *ex, const char *data, size_t len);
/** Finish the body and hand the response to the run; returns 1 (finished). */
int httpclient__ex_complete (struct hc_exchange *ex, int reusable);
/** Start a gzip/deflate decoder for the response fields; 1 when decoding. */
int httpclient__ex_start_decoder (struct hc_exchange *ex, SocketHTTP_Headers_T headers);

/* ---- SocketHTTPClient-h2.c ------------------------------------------- */

/** Put an HTTP/2 connection on @p conn's socket; 0 or -1. */
int httpclient__h2_setup (struct hc_conn *conn);
/** Free @p conn's HTTP/2 state (no callbacks). */
void httpclient__h2_teardown (struct hc_conn *conn);
/** 1 when @p conn (HTTP/2) can take another stream. */
int httpclient__h2_usable (struct hc_conn *conn);
/** Open the exchange's stream and send its head; 0, or 1 when it failed. */
int httpclient__h2_begin (struct hc_exchange *ex);
/** Advance an HTTP/2 exchange; 1 when finished. */
int httpclient__h2_step (struct hc_exchange *ex, unsigned revents);
/** Drop the exchange's stream (reset when still open) and unlink it. */
void httpclient__h2_detach (struct hc_exchange *ex);
/**
 * An asynchronous exchange waited for a connection that turned out not to
 * speak HTTP/2 (or went away): open one of its own. Returns -1 (go on
 * stepping) or 1 (failed). In SocketHTTPClient-conn.c.
 */
int httpclient__exchange_reopen (struct hc_exchange *ex);

/* ---- SocketHTTPClient-async.c ---------------------------------------- */

/** Client free: drop every pending and retired asynchronous handle. */
void httpclient__async_release_all (SocketHTTPClient_T client);
/** Builder freed: drop its asynchronous handle without a callback. */
void httpclient__async_detach (SocketHTTPClient_AsyncRequest_T async);

/* ---- SocketHTTPClient.c ---------------------------------------------- */

/** Initialise a run for @p req. */
void httpclient__run_init (struct hc_run *run, SocketHTTPClient_Request_T req);
/** Start the run's first exchange; 0 or -1 (run finished with an error). */
int httpclient__run_start (struct hc_run *run);
/** The current exchange finished: follow-up (redirect, auth, retry) or finish. */
void httpclient__run_exchange_done (struct hc_run *run);
/** Finish the run with @p error (or OK when the result is set). */
void httpclient__run_finish (struct hc_run *run, SocketHTTPClient_Error error);
/** Release whatever the run holds (exchange, undelivered result). */
void httpclient__run_cleanup (struct hc_run *run);
/** Create a builder (used by the async helpers). */
SocketHTTPClient_Request_T httpclient__request_new (SocketHTTPClient_T client, SocketHTTP_Method method,
                                                    const char *url);
/** Replace the builder's URL (redirects); 0 or -1 when it does not parse. */
int httpclient__request_set_url (SocketHTTPClient_Request_T req, const char *url);

/**
 * Resolve the URI reference @p ref against the absolute URL @p base
 * (RFC 3986 section 5.2, with remove_dot_segments; the fragment of @p ref
 * is dropped, as a request never carries it). Writes a NUL-terminated
 * absolute URL. Returns its length, or -1 when @p base is not absolute,
 * @p ref has control bytes or spaces, or the result does not fit.
 */
ssize_t httpclient__resolve_url (const char *base, const char *ref, char *out, size_t out_size);

#endif /* SOCKETHTTPCLIENT_PRIVATE_INCLUDED */
