/*
 * scatter_gather.c - the seed README's "Scatter/Gather I/O" snippet as a
 * self-checking program: header, body and footer leave in one
 * Socket_sendvall() and are gathered back with Socket_recvvall() into three
 * separate buffers. The body is 1 MiB and the send buffer small, so the
 * loop has to resume in the middle of an iovec entry.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "socket/Socket.h"

#define BODY_LEN (1u << 20)

struct gather
{
  Socket_T s;
  struct iovec *iov;
  ssize_t n;
};

static void *
gather_main (void *arg)
{
  struct gather *g = arg;
  TRY g->n = Socket_recvvall (g->s, g->iov, 3);
  EXCEPT (Socket_Closed) g->n = -1;
  END_TRY;
  return NULL;
}

int
main (void)
{
  char header[] = "HEADER\n", footer[] = "\nFOOTER";
  size_t header_len = strlen (header), footer_len = strlen (footer);
  size_t body_len = BODY_LEN;
  char *body = malloc (body_len);
  for (size_t i = 0; i < body_len; i++)
    body[i] = (char)('a' + i % 26);

  Socket_T listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 1);
  Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (socket, "127.0.0.1", Socket_getlocalport (listener));
  Socket_setsndbuf (socket, 8192);
  Socket_T peer = Socket_accept (listener);

  char rh[sizeof header - 1], rf[sizeof footer - 1];
  char *rb = malloc (body_len);
  struct iovec in[3] = { { rh, sizeof rh }, { rb, body_len }, { rf, sizeof rf } };
  struct gather g = { peer, in, 0 };
  pthread_t th;
  pthread_create (&th, NULL, gather_main, &g);

  struct iovec iov[3];
  iov[0].iov_base = header;
  iov[0].iov_len = header_len;
  iov[1].iov_base = body;
  iov[1].iov_len = body_len;
  iov[2].iov_base = footer;
  iov[2].iov_len = footer_len;

  /* Send all data atomically */
  ssize_t sent = Socket_sendvall (socket, iov, 3);

  pthread_join (th, NULL);
  int ok = sent == (ssize_t)(header_len + body_len + footer_len)
           && g.n == sent && memcmp (rh, header, header_len) == 0
           && memcmp (rb, body, body_len) == 0
           && memcmp (rf, footer, footer_len) == 0
           && iov[1].iov_base == body && iov[1].iov_len == body_len;
  printf ("scatter_gather: %zd bytes in 3 parts: %s\n", sent,
          ok ? "ok" : "FAILED");
  free (body);
  free (rb);
  Socket_free (&peer);
  Socket_free (&socket);
  Socket_free (&listener);
  return ok ? 0 : 1;
}
