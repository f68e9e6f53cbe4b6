/*
 * SocketHTTPServer-private.h - structures shared by the server's files:
 * SocketHTTPServer.c (lifecycle, loop, connections, request API),
 * SocketHTTPServer-h1.c (HTTP/1.x) and SocketHTTPServer-h2.c (HTTP/2).
 */
#ifndef SOCKETHTTPSERVER_PRIVATE_INCLUDED
#define SOCKETHTTPSERVER_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "http/SocketHTTP1.h"
#include "http/SocketHTTP2.h"
#include "http/SocketHTTPServer.h"

/* Read-side chunk and the output bound above which no more input is
 * processed (pipelined requests and h2 frames wait until the peer reads). */
#define HTTPSERVER_READ_CHUNK 16384
#define HTTPSERVER_OUT_HIGH_WATER (256 * 1024)
/* A connection refused for max_connections or closed after an error gets
 * this long to take its last bytes before the socket is closed. */
#define HTTPSERVER_LINGER_MS 2000

typedef enum
{
  SERVERCONN_TLS_HANDSHAKE, /* waiting for the handshake to finish */
  SERVERCONN_HTTP1,         /* reading/answering HTTP/1.x requests */
  SERVERCONN_HTTP2,         /* bytes go through the HTTP/2 engine */
  SERVERCONN_CLOSING        /* flushing the last response, then close */
} ServerConnState;

typedef struct ServerConn ServerConn;

struct SocketHTTPServer_Request
{
  ServerConn *conn;
  SocketHTTP2_Stream_T stream;  /* HTTP/2 only */
  Arena_T arena;                /* this exchange: header copies, response headers */
  SocketHTTP_Method method;
  SocketHTTP_Version version;
  const char *target;           /* request-target, query included */
  const char *query;            /* after '?', or NULL */
  SocketHTTP_Headers_T headers;
  const SocketHTTP_Request *h1; /* the parser's request (HTTP/1 only) */
  unsigned char *body;          /* malloc'd; body_len bytes */
  size_t body_len, body_cap;
  int is_head;
  int keepalive;                /* HTTP/1: the connection may stay open */
  /* response */
  int status;
  SocketHTTP_Headers_T resp_headers;
  unsigned char *resp_body;     /* malloc'd */
  size_t resp_len;
  int finished;                 /* serialized (HTTP/1) or headers queued (HTTP/2) */
  int detached;                 /* taken over as a WebSocket */
  /* HTTP/2 */
  size_t resp_sent;             /* body bytes queued on the stream */
  int over_limit;               /* body beyond max_body_size: answered 413 */
  int stream_closed;            /* STREAM_END/RESET seen: the stream is gone */
  int busy;                     /* inside a call that may close the stream */
  int dispatched;               /* handler called (or answered without it) */
  SocketHTTPServer_Request_T next_pending, prev_pending; /* body left to send */
  int pending_linked;
};

struct ServerConn
{
  SocketHTTPServer_T server;
  ServerConn *prev, *next;
  Socket_T sock;
  Arena_T arena; /* connection lifetime: SocketHTTPServer_Request_arena() */
  ServerConnState state;
  char addr[64];
  int tls;
  unsigned poll_events;
  /* input not yet consumed */
  unsigned char *in;
  size_t in_off, in_len, in_cap;
  /* output not yet written */
  unsigned char *out;
  size_t out_off, out_len, out_cap;
  int64_t last_active_ms;
  int64_t request_start_ms; /* 0: no request in progress */
  int64_t linger_until_ms;  /* CLOSING: drop the connection at this time */
  size_t requests;
  int peer_closed;
  int shut_wr; /* our FIN sent (CLOSING, output drained) */
  /* HTTP/1 */
  SocketHTTP1_Parser_T parser;
  SocketHTTPServer_Request_T cur; /* request being read */
  int head_done;
  /* HTTP/2 */
  SocketHTTP2_Conn_T h2;
  struct SocketHTTPServer_Request pending; /* list head of replies with body left */
  size_t h2_active; /* requests (streams) alive */
  SocketHTTPServer_Request_T h2_upgrade_req; /* stream 1 of an h2c upgrade, answered
                                                once the client's preface is in */
  int h2_goaway_sent;
};

struct SocketHTTPServer
{
  SocketHTTPServer_Config config;
  SocketPoll_T poll;
  Socket_T listener;
  SocketHTTPServer_Handler handler;
  SocketHTTPServer_ResponseHandler response_handler;
  void *userdata;
  ServerConn *conns;
  size_t nconns;
  SocketHTTPServer_Stats stats;
  int handler_calls; /* in the current process() */
  int in_process;
};

/* SocketHTTPServer.c */
/* Serve an already connected @p sock (ownership passes; closed when
 * refused). The fuzz harness feeds a socketpair end through this. */
void SocketHTTPServer__adopt (SocketHTTPServer_T server, Socket_T sock);
int SocketHTTPServer__send (ServerConn *c, const void *data, size_t len);
int SocketHTTPServer__flush (ServerConn *c);
void SocketHTTPServer__closing (ServerConn *c);
SocketHTTPServer_Request_T SocketHTTPServer__request_new (ServerConn *c);
void SocketHTTPServer__request_free (SocketHTTPServer_Request_T req);
void SocketHTTPServer__dispatch (SocketHTTPServer_Request_T req);
int SocketHTTPServer__body_append (SocketHTTPServer_Request_T req, const void *data, size_t len);
void SocketHTTPServer__target_set (SocketHTTPServer_Request_T req, const char *target, size_t len);

/* SocketHTTPServer-h1.c */
void SocketHTTPServer__h1_input (ServerConn *c);
void SocketHTTPServer__h1_finish (SocketHTTPServer_Request_T req);
void SocketHTTPServer__h1_error (ServerConn *c, int status);
SocketWS_T SocketHTTPServer__h1_upgrade_websocket (SocketHTTPServer_Request_T req);
int SocketHTTPServer__is_h2_preface (const unsigned char *data, size_t len);

/* SocketHTTPServer-h2.c */
int SocketHTTPServer__h2_start (ServerConn *c, const SocketHTTP_Request *upgrade_req, const unsigned char *settings,
                                size_t settings_len);
void SocketHTTPServer__h2_input (ServerConn *c);
void SocketHTTPServer__h2_finish (SocketHTTPServer_Request_T req);
void SocketHTTPServer__h2_timers (ServerConn *c);
int SocketHTTPServer__h2_next_timeout (ServerConn *c);
void SocketHTTPServer__h2_free (ServerConn *c);

#endif /* SOCKETHTTPSERVER_PRIVATE_INCLUDED */
