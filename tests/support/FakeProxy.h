/*
 * FakeProxy.h - proxies and targets on 127.0.0.1 threads, for the proxy
 * tests and benchmark: an echo target (optionally greeting first), a
 * working SOCKS5 / HTTP CONNECT relay, and a scripted proxy that answers
 * with fixed bytes (truncated replies, garbage, silence, early close).
 *
 * Plain POSIX sockets on purpose: the code under test must not be the
 * code that checks it.
 */
#ifndef SOCKET_FAKE_PROXY_H
#define SOCKET_FAKE_PROXY_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A bound against hangs only: generous for sanitizer runs under load. */
#define FAKE_IO_TIMEOUT_MS 20000

/* Listening socket on 127.0.0.1 with a kernel-chosen port. */
static inline int
fake_listen (int *port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *)&a, sizeof a) < 0 || listen (fd, 64) < 0
      || getsockname (fd, (struct sockaddr *)&a, &len) < 0)
    {
      close (fd);
      return -1;
    }
  *port = ntohs (a.sin_port);
  return fd;
}

/* accept() bounded by FAKE_IO_TIMEOUT_MS; -1 on timeout or when closed. */
static inline int
fake_accept (int lfd)
{
  struct pollfd p = { .fd = lfd, .events = POLLIN };

  if (poll (&p, 1, FAKE_IO_TIMEOUT_MS) <= 0 || !(p.revents & POLLIN))
    return -1;
  return accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Read exactly @p len bytes (bounded wait); 0 on success, -1 otherwise. */
static inline int
fake_read_full (int fd, void *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      ssize_t n;

      if (poll (&p, 1, FAKE_IO_TIMEOUT_MS) <= 0)
        return -1;
      n = recv (fd, (char *)buf + got, len - got, 0);
      if (n <= 0)
        return -1;
      got += (size_t)n;
    }
  return 0;
}

/* Read an HTTP head (through CRLFCRLF) one byte at a time. */
static inline int
fake_read_head (int fd, char *buf, size_t cap)
{
  size_t n = 0;

  while (n + 1 < cap)
    {
      if (fake_read_full (fd, buf + n, 1) < 0)
        return -1;
      n++;
      buf[n] = '\0';
      if (n >= 4 && memcmp (buf + n - 4, "\r\n\r\n", 4) == 0)
        return (int)n;
    }
  return -1;
}

static inline int
fake_write_all (int fd, const void *buf, size_t len)
{
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = send (fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
      if (n <= 0)
        return -1;
      done += (size_t)n;
    }
  return 0;
}

static inline int
fake_connect_loopback (int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t)port),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd >= 0 && connect (fd, (struct sockaddr *)&a, sizeof a) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Copy both ways until either side closes. */
static inline void
fake_relay (int a, int b)
{
  char buf[16384];

  for (;;)
    {
      struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };

      if (poll (p, 2, FAKE_IO_TIMEOUT_MS) <= 0)
        return;
      for (int i = 0; i < 2; i++)
        if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
          {
            ssize_t n = recv (p[i].fd, buf, sizeof buf, 0);
            if (n <= 0 || fake_write_all (p[1 - i].fd, buf, (size_t)n) < 0)
              return;
          }
    }
}

/* ---- echo target ------------------------------------------------- */

typedef struct
{
  int lfd;
  int port;
  const char *banner; /* sent first on every connection, or NULL */
  int connections;    /* how many to serve, then stop */
  pthread_t thread;
} FakeEcho;

static inline void *
fake_echo_main (void *arg)
{
  FakeEcho *e = arg;

  for (int i = 0; i < e->connections; i++)
    {
      int fd = fake_accept (e->lfd);
      char buf[16384];
      ssize_t n;

      if (fd < 0)
        break;
      if (e->banner != NULL)
        fake_write_all (fd, e->banner, strlen (e->banner));
      for (;;)
        {
          struct pollfd p = { .fd = fd, .events = POLLIN };
          if (poll (&p, 1, FAKE_IO_TIMEOUT_MS) <= 0)
            break;
          n = recv (fd, buf, sizeof buf, 0);
          if (n <= 0 || fake_write_all (fd, buf, (size_t)n) < 0)
            break;
        }
      close (fd);
    }
  return NULL;
}

static inline int
fake_echo_start (FakeEcho *e, const char *banner, int connections)
{
  e->banner = banner;
  e->connections = connections;
  e->lfd = fake_listen (&e->port);
  if (e->lfd < 0)
    return -1;
  if (pthread_create (&e->thread, NULL, fake_echo_main, e) != 0)
    {
      close (e->lfd);
      return -1;
    }
  return 0;
}

static inline void
fake_echo_stop (FakeEcho *e)
{
  shutdown (e->lfd, SHUT_RDWR);
  pthread_join (e->thread, NULL);
  close (e->lfd);
}

/* ---- working relay: SOCKS5 (RFC 1928/1929) and HTTP CONNECT ------- */

typedef struct
{
  int lfd;
  int port;
  int http;              /* 1: HTTP CONNECT, 0: SOCKS5 */
  const char *user;      /* required credentials, or NULL */
  const char *pass;
  int connections;
  int served;            /* tunnels established */
  char last_target[320]; /* "host:port" of the last request */
  pthread_t thread;
} FakeRelay;

/* Target of a request: only 127.0.0.1 is ever dialled; other targets are
 * answered "host unreachable" (the tests never leave loopback). */
static inline int
fake_dial_target (FakeRelay *r, const char *host, int port)
{
  snprintf (r->last_target, sizeof r->last_target, "%.290s:%d", host, port);
  if (strcmp (host, "127.0.0.1") != 0 && strcmp (host, "localhost") != 0)
    return -1;
  return fake_connect_loopback (port);
}

static inline int
fake_socks5_session (FakeRelay *r, int fd)
{
  unsigned char b[600];
  char host[300];
  int port, target;
  int want_auth = r->user != NULL;

  if (fake_read_full (fd, b, 2) < 0 || b[0] != 5 || fake_read_full (fd, b + 2, b[1]) < 0)
    return -1;
  if (memchr (b + 2, want_auth ? 2 : 0, b[1]) == NULL)
    {
      fake_write_all (fd, "\x05\xFF", 2);
      return -1;
    }
  fake_write_all (fd, want_auth ? "\x05\x02" : "\x05\x00", 2);
  if (want_auth)
    {
      unsigned char ul, pl;
      char u[256], p[256];
      if (fake_read_full (fd, b, 2) < 0 || b[0] != 1)
        return -1;
      ul = b[1];
      if (fake_read_full (fd, u, ul) < 0 || fake_read_full (fd, &pl, 1) < 0 || fake_read_full (fd, p, pl) < 0)
        return -1;
      u[ul] = p[pl] = '\0';
      if (strcmp (u, r->user) != 0 || strcmp (p, r->pass) != 0)
        {
          fake_write_all (fd, "\x01\x01", 2);
          return -1;
        }
      fake_write_all (fd, "\x01\x00", 2);
    }
  if (fake_read_full (fd, b, 4) < 0 || b[0] != 5 || b[1] != 1)
    return -1;
  if (b[3] == 1)
    {
      if (fake_read_full (fd, b + 4, 4) < 0)
        return -1;
      inet_ntop (AF_INET, b + 4, host, sizeof host);
    }
  else if (b[3] == 4)
    {
      if (fake_read_full (fd, b + 4, 16) < 0)
        return -1;
      inet_ntop (AF_INET6, b + 4, host, sizeof host);
    }
  else if (b[3] == 3)
    {
      if (fake_read_full (fd, b + 4, 1) < 0 || fake_read_full (fd, host, b[4]) < 0)
        return -1;
      host[b[4]] = '\0';
    }
  else
    return -1;
  if (fake_read_full (fd, b, 2) < 0)
    return -1;
  port = (b[0] << 8) | b[1];
  target = fake_dial_target (r, host, port);
  if (target < 0)
    {
      fake_write_all (fd, "\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00", 10);
      return -1;
    }
  fake_write_all (fd, "\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00", 10);
  return target;
}

static inline int
fake_http_session (FakeRelay *r, int fd)
{
  char head[4096], host[300];
  int port, target;

  if (fake_read_head (fd, head, sizeof head) < 0 || sscanf (head, "CONNECT %299[^: ]:%d ", host, &port) != 2)
    return -1;
  if (r->user != NULL && strstr (head, "\r\nProxy-Authorization: Basic ") == NULL)
    {
      static const char deny[] = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
      fake_write_all (fd, deny, sizeof deny - 1);
      return -1;
    }
  target = fake_dial_target (r, host, port);
  if (target < 0)
    {
      static const char bad[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
      fake_write_all (fd, bad, sizeof bad - 1);
      return -1;
    }
  fake_write_all (fd, "HTTP/1.1 200 Connection established\r\n\r\n", 39);
  return target;
}

static inline void *
fake_relay_main (void *arg)
{
  FakeRelay *r = arg;

  for (int i = 0; i < r->connections; i++)
    {
      int fd = fake_accept (r->lfd), target;
      int one = 1;

      if (fd < 0)
        break;
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      target = r->http ? fake_http_session (r, fd) : fake_socks5_session (r, fd);
      if (target >= 0)
        {
          __atomic_add_fetch (&r->served, 1, __ATOMIC_SEQ_CST);
          fake_relay (fd, target);
          close (target);
        }
      close (fd);
    }
  return NULL;
}

static inline int
fake_relay_start (FakeRelay *r, int http, const char *user, const char *pass, int connections)
{
  memset (r, 0, sizeof *r);
  r->http = http;
  r->user = user;
  r->pass = pass;
  r->connections = connections;
  r->lfd = fake_listen (&r->port);
  if (r->lfd < 0)
    return -1;
  if (pthread_create (&r->thread, NULL, fake_relay_main, r) != 0)
    {
      close (r->lfd);
      return -1;
    }
  return 0;
}

static inline void
fake_relay_stop (FakeRelay *r)
{
  shutdown (r->lfd, SHUT_RDWR);
  pthread_join (r->thread, NULL);
  close (r->lfd);
}

/* ---- scripted (malicious) proxy ------------------------------------ */

#define FAKE_READ_HEAD ((size_t)-1) /* read through CRLFCRLF */

typedef struct
{
  size_t read;               /* bytes to read first (FAKE_READ_HEAD: HTTP head) */
  const void *reply;         /* then write these */
  size_t reply_len;
} FakeStep;

typedef enum
{
  FAKE_END_CLOSE, /* close right after the last step */
  FAKE_END_HOLD   /* keep the connection open until the client closes */
} FakeEnd;

typedef struct
{
  int lfd;
  int port;
  FakeStep steps[4];
  int nsteps;
  FakeEnd end;
  size_t flood;   /* after the steps, send this many 'A' bytes (0: none) */
  int accepted;
  pthread_t thread;
} FakeScript;

static inline void *
fake_script_main (void *arg)
{
  FakeScript *s = arg;
  int fd = fake_accept (s->lfd);
  char buf[8192];

  if (fd < 0)
    return NULL;
  s->accepted = 1;
  for (int i = 0; i < s->nsteps; i++)
    {
      int ok = s->steps[i].read == FAKE_READ_HEAD ? fake_read_head (fd, buf, sizeof buf) >= 0
                                                   : fake_read_full (fd, buf, s->steps[i].read) == 0;
      if (!ok)
        break;
      if (s->steps[i].reply_len > 0 && fake_write_all (fd, s->steps[i].reply, s->steps[i].reply_len) < 0)
        break;
    }
  if (s->flood > 0)
    {
      memset (buf, 'A', sizeof buf);
      for (size_t sent = 0; sent < s->flood; sent += sizeof buf)
        if (fake_write_all (fd, buf, sizeof buf) < 0)
          break;
    }
  if (s->end == FAKE_END_HOLD)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      while (poll (&p, 1, 3 * FAKE_IO_TIMEOUT_MS) > 0 && recv (fd, buf, sizeof buf, 0) > 0)
        ;
    }
  close (fd);
  return NULL;
}

static inline int
fake_script_start (FakeScript *s)
{
  s->lfd = fake_listen (&s->port);
  if (s->lfd < 0)
    return -1;
  if (pthread_create (&s->thread, NULL, fake_script_main, s) != 0)
    {
      close (s->lfd);
      return -1;
    }
  return 0;
}

static inline void
fake_script_stop (FakeScript *s)
{
  shutdown (s->lfd, SHUT_RDWR);
  pthread_join (s->thread, NULL);
  close (s->lfd);
}

#endif /* SOCKET_FAKE_PROXY_H */
