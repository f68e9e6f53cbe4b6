/*
 * tcp_echo.c - the seed README's "Basic TCP Server" and "Basic TCP Client"
 * snippets as one self-checking program.
 *
 * The server runs in a thread and serves one client; it binds port 0 on
 * 127.0.0.1 instead of 8080 so parallel test runs cannot collide, and
 * hands the port to the client. Exit status 0 when the echo came back.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/Except.h"
#include "core/SocketUtil.h"
#include "socket/Socket.h"

struct server
{
  Socket_T listener;
  int served;
};

static void *
server_main (void *arg)
{
  struct server *srv = arg;

  TRY
  {
    /* Accept until one client was served (the README loops forever). */
    while (!srv->served)
      {
        Socket_T client = Socket_accept (srv->listener);
        if (client)
          {
            char buf[1024];
            ssize_t n = Socket_recv (client, buf, sizeof (buf) - 1);
            if (n > 0)
              {
                buf[n] = '\0';
                Socket_sendall (client, buf, (size_t)n);
              }
            Socket_free (&client);
            srv->served = 1;
          }
      }
  }
  EXCEPT (Socket_Failed)
  fprintf (stderr, "Server error: %s\n", Socket_GetLastError ());
  END_TRY;
  return NULL;
}

int
main (void)
{
  struct server srv = { NULL, 0 };
  pthread_t th;
  volatile int ok = 0;
  Socket_T client;
  int port;

  srv.listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_setreuseaddr (srv.listener);
  Socket_bind (srv.listener, "127.0.0.1", 0);
  Socket_listen (srv.listener, 128);
  port = Socket_getlocalport (srv.listener);
  pthread_create (&th, NULL, server_main, &srv);

  client = Socket_new (AF_INET, SOCK_STREAM, 0);
  TRY
  {
    Socket_connect (client, "127.0.0.1", port);

    const char *msg = "Hello, Server!";
    Socket_sendall (client, msg, strlen (msg));

    char buf[1024];
    ssize_t n = Socket_recvall (client, buf, strlen (msg));
    buf[n] = '\0';
    printf ("Received: %s\n", buf);
    ok = strcmp (buf, msg) == 0;
  }
  EXCEPT (Socket_Failed)
  fprintf (stderr, "Error: %s\n", Socket_GetLastError ());
  EXCEPT (Socket_Closed)
  fprintf (stderr, "Connection closed\n");
  END_TRY;

  Socket_free (&client);
  pthread_join (th, NULL);
  Socket_free (&srv.listener);
  return ok && Socket_debug_live_count () == 0 ? 0 : 1;
}
