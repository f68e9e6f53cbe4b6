/*
 * SocketExt.c - extensions declared in include/socket/SocketExt.h.
 */
#include "socket/SocketExt.h"

#include "socket/Socket-private.h"

ssize_t
SocketExt_dgram_sendto (SocketDgram_T socket, const void *buf, size_t len,
                        const char *host, int port, size_t limit)
{
  if (limit == 0 || limit > UDP_MAX_PAYLOAD)
    limit = UDP_MAX_PAYLOAD;
  return SocketDgram__sendto (socket, buf, len, host, port, limit);
}
