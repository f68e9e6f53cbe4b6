/*
 * SocketDNSExt.c - extensions declared in include/dns/SocketDNSExt.h.
 */
#include "dns/SocketDNSExt.h"

#include "dns/SocketDNS-private.h"

void
SocketDNSExt_set_stall (SocketDNS_T dns, int stalled)
{
  SocketDNS__set_stall (dns, stalled);
}

size_t
SocketDNSExt_live_requests (SocketDNS_T dns)
{
  return SocketDNS__live_records (dns);
}
