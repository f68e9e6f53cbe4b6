/**
 * @file SocketDgram.h
 * @brief UDP sockets: connectionless and connected modes, broadcast,
 *        IPv4/IPv6 multicast, TTL/hop limit.
 *
 * Errors raise SocketDgram_Failed. Non-blocking receives return 0 when no
 * datagram is queued.
 *
 * Thread-safety: one thread per socket.
 */
#ifndef SOCKETDGRAM_INCLUDED
#define SOCKETDGRAM_INCLUDED

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "core/Except.h"
#include "core/SocketUtil.h" /* Socket_GetLastError(), Socket_geterrno() */
#include "socket/SocketCommon.h"

typedef struct SocketDgram_T *SocketDgram_T;

extern SOCKET_API const Except_T SocketDgram_Failed;

/** @brief New UDP socket for @p domain (AF_INET/AF_INET6). */
extern SOCKET_API SocketDgram_T SocketDgram_new (int domain, int protocol);
extern SOCKET_API void SocketDgram_free (SocketDgram_T *socket);
extern SOCKET_API void SocketDgram_bind (SocketDgram_T socket, const char *host, int port);
/** @brief Fix the default peer (send/recv then use it; others' datagrams are filtered). */
extern SOCKET_API void SocketDgram_connect (SocketDgram_T socket, const char *host, int port);
extern SOCKET_API ssize_t SocketDgram_sendto (SocketDgram_T socket, const void *buf, size_t len, const char *host,
                                              int port);
/**
 * @brief Receive one datagram; sender's numeric address into @p host and
 * port into *port (either may be NULL). @return bytes (0 if it would
 * block). @throws SocketDgram_Failed if @p host_len cannot hold the address.
 */
extern SOCKET_API ssize_t SocketDgram_recvfrom (SocketDgram_T socket, void *buf, size_t len, char *host,
                                                size_t host_len, int *port);
extern SOCKET_API ssize_t SocketDgram_send (SocketDgram_T socket, const void *buf, size_t len);
extern SOCKET_API ssize_t SocketDgram_recv (SocketDgram_T socket, void *buf, size_t len);
extern SOCKET_API ssize_t SocketDgram_sendall (SocketDgram_T socket, const void *buf, size_t len);
/** @brief Receive datagrams until @p len bytes are filled. */
extern SOCKET_API ssize_t SocketDgram_recvall (SocketDgram_T socket, void *buf, size_t len);
extern SOCKET_API ssize_t SocketDgram_sendv (SocketDgram_T socket, const struct iovec *iov, int iovcnt);
extern SOCKET_API ssize_t SocketDgram_recvv (SocketDgram_T socket, struct iovec *iov, int iovcnt);
extern SOCKET_API ssize_t SocketDgram_sendvall (SocketDgram_T socket, const struct iovec *iov, int iovcnt);
extern SOCKET_API ssize_t SocketDgram_recvvall (SocketDgram_T socket, struct iovec *iov, int iovcnt);
extern SOCKET_API void SocketDgram_setnonblocking (SocketDgram_T socket);
extern SOCKET_API void SocketDgram_setreuseaddr (SocketDgram_T socket);
extern SOCKET_API void SocketDgram_setreuseport (SocketDgram_T socket);
extern SOCKET_API void SocketDgram_setbroadcast (SocketDgram_T socket, int enable);
/** @brief Join @p group on @p interface (address or name; NULL = default). */
extern SOCKET_API void SocketDgram_joinmulticast (SocketDgram_T socket, const char *group, const char *interface);
extern SOCKET_API void SocketDgram_leavemulticast (SocketDgram_T socket, const char *group, const char *interface);
/** @brief Unicast TTL (IPv4) or hop limit (IPv6), 1..255; the multicast TTL/hop limit is set too. */
extern SOCKET_API void SocketDgram_setttl (SocketDgram_T socket, int ttl);
extern SOCKET_API void SocketDgram_settimeout (SocketDgram_T socket, int timeout_sec);
extern SOCKET_API int SocketDgram_gettimeout (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_getbroadcast (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_getttl (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_getrcvbuf (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_getsndbuf (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_isconnected (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_isbound (SocketDgram_T socket);
extern SOCKET_API int SocketDgram_fd (const SocketDgram_T socket);
extern SOCKET_API const char *SocketDgram_getlocaladdr (const SocketDgram_T socket);
extern SOCKET_API int SocketDgram_getlocalport (const SocketDgram_T socket);
extern SOCKET_API void SocketDgram_setcloexec (SocketDgram_T socket, int enable);
extern SOCKET_API int SocketDgram_debug_live_count (void);

#endif /* SOCKETDGRAM_INCLUDED */
