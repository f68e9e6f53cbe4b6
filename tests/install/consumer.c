/* consumer.c - a program built against an installed libsocket, as a user
 * would: through pkg-config or find_package(libsocket). */
#include <stdio.h>
#include <string.h>

#include "core/Arena.h"
#include "core/SocketCrypto.h"
#include "core/SocketUtil.h"

int
main (void)
{
  Arena_T arena = Arena_new ();
  volatile int caught = 0;
  char accept[SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE];

  TRY
    (void)ALLOC (arena, 0);
  EXCEPT (Arena_Failed)
    caught = 1;
  FINALLY
    Arena_dispose (&arena);
  END_TRY;
  if (SocketCrypto_websocket_accept ("dGhlIHNhbXBsZSBub25jZQ==", accept) != 0
      || strcmp (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != 0 || !caught)
    return 1;
  puts ("consumer ok");
  return 0;
}
