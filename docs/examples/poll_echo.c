/*
 * poll_echo.c - the seed README's "Non-Blocking I/O with Event Polling"
 * snippet as a complete, self-checking program.
 *
 * The README's server binds port 8080 and loops forever; here it binds an
 * ephemeral loopback port, a client thread sends a few messages and checks
 * each echo, and the loop ends when the client has hung up.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "poll/SocketPoll.h"
#include "socket/Socket.h"

#define NMSG 5

static int server_port;
static int client_ok;

static void *
client_main (void *arg)
{
  Socket_T s = Socket_new (AF_INET, SOCK_STREAM, 0);
  int ok = 1;

  (void)arg;
  Socket_connect (s, "127.0.0.1", server_port);
  for (int i = 0; i < NMSG; i++)
    {
      char msg[32], echo[32];
      int len = snprintf (msg, sizeof msg, "message %d", i);
      Socket_sendall (s, msg, (size_t)len);
      Socket_recvall (s, echo, (size_t)len);
      ok &= memcmp (msg, echo, (size_t)len) == 0;
    }
  client_ok = ok;
  Socket_free (&s); /* the server sees EOF and drops the connection */
  return NULL;
}

int
main (void)
{
  pthread_t client;
  volatile int served = 0, running = 1;

  Socket_T server = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (server);
  Socket_bind (server, "127.0.0.1", 0); /* README: NULL, 8080 */
  Socket_listen (server, 128);
  Socket_setnonblocking (server);
  server_port = Socket_getlocalport (server);

  SocketPoll_T poll = SocketPoll_new (1000);
  SocketPoll_add (poll, server, POLL_READ, NULL);
  pthread_create (&client, NULL, client_main, NULL);

  while (running)
    {
      SocketEvent_T *events;
      int n = SocketPoll_wait (poll, &events, 1000);

      for (volatile int i = 0; i < n; i++)
        {
          if (events[i].socket == server)
            {
              Socket_T client_sock = Socket_accept (server);
              if (client_sock)
                {
                  Socket_setnonblocking (client_sock);
                  SocketPoll_add (poll, client_sock, POLL_READ, client_sock);
                }
            }
          else
            {
              Socket_T client_sock = events[i].socket;
              char buf[1024];
              volatile ssize_t bytes = 0;
              /* Socket_recv raises Socket_Closed at EOF (the README's
               * "else" branch covers it here). */
              TRY bytes = Socket_recv (client_sock, buf, sizeof (buf));
              EXCEPT (Socket_Closed) bytes = -1;
              END_TRY;
              if (bytes > 0)
                {
                  Socket_sendall (client_sock, buf, (size_t)bytes);
                  served++;
                }
              else if (bytes < 0)
                {
                  SocketPoll_del (poll, client_sock);
                  Socket_free (&client_sock);
                  running = 0; /* our single client is done */
                }
            }
        }
    }

  pthread_join (client, NULL);
  SocketPoll_free (&poll);
  Socket_free (&server);
  printf ("poll_echo: %d reads echoed, client %s\n", served,
          client_ok ? "verified every echo" : "saw a mismatch");
  return client_ok && served >= 1 ? 0 : 1;
}
