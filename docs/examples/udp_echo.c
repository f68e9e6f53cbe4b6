/*
 * udp_echo.c - the seed README's "UDP Server" snippet as a self-checking
 * program: the echo server runs in a thread (port 0 instead of 5000, and it
 * stops after one datagram), a client sends a datagram and expects it back
 * from the server's address.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/Except.h"
#include "core/SocketUtil.h"
#include "socket/SocketDgram.h"

static void *
server_main (void *arg)
{
  SocketDgram_T server = arg;
  static char buffer[65536];
  char sender_host[46];
  int sender_port;

  TRY
  {
    ssize_t n = SocketDgram_recvfrom (server, buffer, sizeof (buffer),
                                      sender_host, sizeof (sender_host),
                                      &sender_port);
    if (n > 0)
      {
        /* Echo back to sender */
        SocketDgram_sendto (server, buffer, (size_t)n, sender_host,
                            sender_port);
      }
  }
  EXCEPT (SocketDgram_Failed)
  fprintf (stderr, "server: %s\n", Socket_GetLastError ());
  END_TRY;
  return NULL;
}

int
main (void)
{
  SocketDgram_T server = SocketDgram_new (AF_INET, 0);
  SocketDgram_T client = SocketDgram_new (AF_INET, 0);
  char reply[64], from[46];
  int from_port = 0;
  ssize_t n;
  pthread_t th;
  int ok;

  SocketDgram_bind (server, "127.0.0.1", 0);
  pthread_create (&th, NULL, server_main, server);

  SocketDgram_settimeout (client, 5); /* never hang a test run */
  SocketDgram_sendto (client, "echo me", 7, "127.0.0.1",
                      SocketDgram_getlocalport (server));
  n = SocketDgram_recvfrom (client, reply, sizeof reply, from, sizeof from,
                            &from_port);
  pthread_join (th, NULL);

  ok = n == 7 && memcmp (reply, "echo me", 7) == 0
       && strcmp (from, "127.0.0.1") == 0
       && from_port == SocketDgram_getlocalport (server);
  printf ("udp_echo: %zd bytes back from %s:%d: %s\n", n, from, from_port,
          ok ? "ok" : "FAILED");
  SocketDgram_free (&client);
  SocketDgram_free (&server);
  return ok ? 0 : 1;
}
