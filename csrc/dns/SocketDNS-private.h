/*
 * SocketDNS-private.h - test hooks of the resolver (not API).
 */
#ifndef SOCKETDNS_PRIVATE_H
#define SOCKETDNS_PRIVATE_H

#include <stddef.h>

#include "dns/SocketDNS.h"

/**
 * Stall gate: while set, a worker that has taken a request holds it in the
 * RUNNING state without calling getaddrinfo, until the gate is cleared or
 * the resolver is freed. Tests use it to make requests deterministically
 * slow (timeouts, cancel of a running request, max pending). With every
 * worker stalled, further requests stay QUEUED.
 */
void SocketDNS__set_stall (SocketDNS_T dns, int stalled);

/** Request records currently allocated, including ones a worker still
 *  holds after a timeout or cancel (leak checks). */
size_t SocketDNS__live_records (SocketDNS_T dns);

/** Requests counted against max pending (queued or running). */
size_t SocketDNS__pending (SocketDNS_T dns);

#endif /* SOCKETDNS_PRIVATE_H */
