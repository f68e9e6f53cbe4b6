/*
 * tcp_options.c - the seed README's "Advanced TCP Options" snippet as a
 * self-checking program: every option is set on a connected loopback
 * socket and read back through its getter.
 *
 * "bbr" is only present when the kernel offers it
 * (/proc/sys/net/ipv4/tcp_allowed_congestion_control); otherwise the
 * program falls back to "reno", which Linux always has.
 */
#include <stdio.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "socket/Socket.h"

static int failures;

#define CHECK(cond)                                                           \
  do                                                                          \
    {                                                                         \
      if (!(cond))                                                            \
        {                                                                     \
          fprintf (stderr, "check failed: %s (line %d)\n", #cond, __LINE__);  \
          failures++;                                                         \
        }                                                                     \
    }                                                                         \
  while (0)

int
main (void)
{
  Socket_T listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 1);
  Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (socket, "127.0.0.1", Socket_getlocalport (listener));
  Socket_T peer = Socket_accept (listener);
  const char *volatile wanted = "bbr";

  /* Congestion control algorithm (Linux only) */
  TRY Socket_setcongestion (socket, "bbr");
  EXCEPT (Socket_Failed)
  {
    printf ("bbr unavailable (%s); using reno\n", Socket_GetLastError ());
    wanted = "reno";
    Socket_setcongestion (socket, "reno");
  }
  END_TRY;
  char algo[16];
  Socket_getcongestion (socket, algo, sizeof (algo));
  CHECK (strcmp (algo, wanted) == 0);

  /* TCP Fast Open (Linux 3.7+, FreeBSD 10.0+, macOS 10.11+) */
  Socket_setfastopen (listener, 1);
  CHECK (Socket_getfastopen (listener) == 1);

  /* TCP user timeout (Linux 2.6.37+) */
  Socket_setusertimeout (socket, 30000); /* 30 seconds */
  CHECK (Socket_getusertimeout (socket) == 30000);

  /* TCP keepalive */
  Socket_setkeepalive (socket, 60, 10, 5); /* idle=60s, interval=10s, count=5 */
  int idle, interval, count;
  Socket_getkeepalive (socket, &idle, &interval, &count);
  CHECK (idle == 60 && interval == 10 && count == 5);

  /* Disable Nagle's algorithm */
  Socket_setnodelay (socket, 1);
  CHECK (Socket_getnodelay (socket) == 1);

  /* Buffer sizes */
  Socket_setrcvbuf (socket, 262144);
  Socket_setsndbuf (socket, 262144);
  CHECK (Socket_getrcvbuf (socket) >= 262144); /* Linux reports double */
  CHECK (Socket_getsndbuf (socket) >= 262144);

  /* The options do not get in the way of traffic. */
  char b[2];
  Socket_sendall (socket, "ok", 2);
  Socket_recvall (peer, b, 2);
  CHECK (memcmp (b, "ok", 2) == 0);

  Socket_free (&peer);
  Socket_free (&socket);
  Socket_free (&listener);
  printf ("tcp_options: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
