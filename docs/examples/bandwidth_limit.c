/*
 * bandwidth_limit.c - the seed README's "Bandwidth Limiting" snippet as a
 * self-checking program.
 *
 * It connects to a local listener instead of example.com and keeps calling
 * Socket_send_limited() (waiting Socket_bandwidth_wait_ms() with poll when
 * the budget is spent) until 1.5 MiB went out at a 1 MiB/s limit. The
 * bucket holds one second of traffic, so the first MiB may leave at once
 * but the rest needs about half a second: the program checks that lower
 * bound (loose, so scheduling noise cannot fail it) and that the receiver
 * got every byte.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/SocketUtil.h"
#include "socket/Socket.h"

#define TOTAL (3u << 19) /* 1.5 MiB */

struct sink
{
  Socket_T s;
  size_t got;
};

static void *
sink_main (void *arg)
{
  struct sink *k = arg;
  static char buf[65536];

  TRY
  {
    while (k->got < TOTAL)
      k->got += (size_t)Socket_recv (k->s, buf, sizeof buf);
  }
  EXCEPT (Socket_Closed) {}
  END_TRY;
  return NULL;
}

int
main (void)
{
  Socket_T listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 1);

  Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (socket, "127.0.0.1", Socket_getlocalport (listener));
  struct sink k = { Socket_accept (listener), 0 };
  pthread_t th;
  pthread_create (&th, NULL, sink_main, &k);

  /* Enable bandwidth limiting: 1 MB/sec */
  Socket_setbandwidth (socket, 1024 * 1024);

  char *data = calloc (1, TOTAL);
  size_t sent = 0;
  int64_t start = Socket_get_monotonic_ms ();
  while (sent < TOTAL)
    {
      size_t len = TOTAL - sent;
      /* Rate-limited send */
      ssize_t n = Socket_send_limited (socket, data + sent, len);
      if (n == 0)
        {
          /* Rate limited - wait before retry */
          int64_t wait_ms = Socket_bandwidth_wait_ms (socket, len);
          /* Use wait_ms as poll timeout */
          poll (NULL, 0, (int)wait_ms);
        }
      sent += (size_t)n;
    }
  int64_t elapsed = Socket_get_monotonic_ms () - start;

  /* Query current limit */
  size_t limit = Socket_getbandwidth (socket);

  pthread_join (th, NULL);
  int ok = limit == 1024 * 1024 && k.got == TOTAL && elapsed >= 400;
  printf ("bandwidth_limit: %zu bytes in %lld ms at %zu B/s: %s\n", sent,
          (long long)elapsed, limit, ok ? "ok" : "FAILED");

  free (data);
  Socket_free (&k.s);
  Socket_free (&socket);
  Socket_free (&listener);
  return ok ? 0 : 1;
}
