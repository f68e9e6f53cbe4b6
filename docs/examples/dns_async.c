/*
 * dns_async.c - the seed README's "Asynchronous DNS Resolution" snippet as
 * a complete, self-checking program.
 *
 * There is no internet here, so it resolves "localhost" (the README uses
 * example.com) and connects to a listener on that name. The resolver's
 * completion descriptor is put into the SocketPoll (wrapped as a Socket_T
 * around a dup, since the poll registers sockets), so the loop sleeps until
 * the answer arrives.
 */
#include <stdio.h>
#include <unistd.h>

#include "dns/SocketDNS.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

int
main (void)
{
  Socket_T listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 4);
  int port = Socket_getlocalport (listener);

  SocketDNS_T dns = SocketDNS_new ();
  SocketPoll_T poll = SocketPoll_new (100);

  /* Configure DNS timeouts */
  SocketDNS_settimeout (dns, 5000); /* 5 second default timeout */

  /* Start async resolution */
  SocketDNS_Request_T req = SocketDNS_resolve (dns, "localhost", port, NULL,
                                               NULL);

  /* Per-request timeout override */
  SocketDNS_request_settimeout (dns, req, 10000);

  /* In event loop, check for completions */
  Socket_T dns_wakeup = Socket_new_from_fd (dup (SocketDNS_pollfd (dns)));
  SocketPoll_add (poll, dns_wakeup, POLL_READ, NULL);
  struct addrinfo *result = NULL;
  for (int round = 0; round < 100 && result == NULL; round++)
    {
      SocketEvent_T *events;
      int error;
      SocketPoll_wait (poll, &events, 100);
      SocketDNS_check (dns);
      /* Get result */
      result = SocketDNS_getresult (dns, req);
      if (result == NULL && (error = SocketDNS_geterror (dns, req)) != 0)
        {
          fprintf (stderr, "DNS failed: %s\n", gai_strerror (error));
          break;
        }
    }

  int ok = 0;
  if (result)
    {
      Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
      Socket_connect_with_addrinfo (socket, result);
      freeaddrinfo (result);
      Socket_T peer = Socket_accept (listener);
      char c = 0;
      Socket_sendall (socket, "!", 1);
      Socket_recvall (peer, &c, 1);
      ok = c == '!';
      printf ("dns_async: localhost:%d resolved and connected: %s\n", port,
              ok ? "ok" : "FAILED");
      Socket_free (&peer);
      Socket_free (&socket);
    }

  SocketPoll_del (poll, dns_wakeup);
  Socket_free (&dns_wakeup);
  SocketDNS_free (&dns);
  SocketPoll_free (&poll);
  Socket_free (&listener);
  return ok ? 0 : 1;
}
