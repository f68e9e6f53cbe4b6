/*
 * SocketHappyEyeballs-private.h - entry points that take an address list
 * instead of a host name. The public calls resolve and then run exactly
 * these; tests use them to race addresses of both families without the
 * system resolver.
 */
#ifndef SOCKETHAPPYEYEBALLS_PRIVATE_INCLUDED
#define SOCKETHAPPYEYEBALLS_PRIVATE_INCLUDED

#include <netdb.h>

#include "socket/SocketHappyEyeballs.h"

/**
 * Like SocketHappyEyeballs_connect() for the addresses of @p res (borrowed;
 * each entry's sockaddr carries the port). Raises SocketHE_Failed.
 */
Socket_T SocketHappyEyeballs__connect_addrinfo (const struct addrinfo *res,
                                                const SocketHE_Config_T *config);

/**
 * Like SocketHappyEyeballs_start() for the addresses of @p res (borrowed,
 * copied): the context starts in HE_STATE_RESOLVING with the answer
 * already in hand, so the first SocketHappyEyeballs_process() starts
 * connecting. @p poll borrowed, may be NULL (the context then relies on
 * its own zero-timeout checks in process). Raises SocketHE_Failed.
 */
SocketHE_T SocketHappyEyeballs__start_addrinfo (SocketPoll_T poll,
                                               const struct addrinfo *res,
                                               const SocketHE_Config_T *config);

#endif /* SOCKETHAPPYEYEBALLS_PRIVATE_INCLUDED */
