/**
 * @file Socket.h
 * @brief TCP and Unix-domain stream sockets.
 *
 * Every call raises Socket_Failed on error (message and errno via
 * Socket_GetLastError()/Socket_geterrno()) and Socket_Closed when the peer
 * closed the connection (orderly EOF during a full read, EPIPE, ECONNRESET).
 * SIGPIPE is never raised (MSG_NOSIGNAL). Non-blocking sockets return 0 from
 * send/recv (and NULL from accept) when the call would block.
 *
 * Thread-safety: one thread per socket; different sockets are independent.
 */
#ifndef SOCKET_INCLUDED
#define SOCKET_INCLUDED

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "core/Except.h"
#include "core/SocketConfig.h"
#include "core/SocketUtil.h" /* Socket_GetLastError(), Socket_geterrno() */
#include "dns/SocketDNS.h"
#include "socket/SocketCommon.h"

typedef struct Socket_T *Socket_T;

/** Any failure of a socket operation. */
extern SOCKET_API const Except_T Socket_Failed;
/** The peer closed the connection (EOF, EPIPE, ECONNRESET). */
extern SOCKET_API const Except_T Socket_Closed;
/** Unix-domain path or operation failure (SocketUnix_*). */
extern SOCKET_API const Except_T SocketUnix_Failed;

/* --- lifecycle ---------------------------------------------------------- */
/** @brief Create a socket (AF_INET/AF_INET6/AF_UNIX, SOCK_STREAM). CLOEXEC is set. */
extern SOCKET_API Socket_T Socket_new (int domain, int type, int protocol);
/** @brief A connected pair (socketpair(AF_UNIX, type)). */
extern SOCKET_API void SocketPair_new (int type, Socket_T *socket1, Socket_T *socket2);
/** @brief Close and free; sets *socket to NULL. NULL is a no-op. */
extern SOCKET_API void Socket_free (Socket_T *socket);
/**
 * @brief Wrap an existing stream socket descriptor (ownership transferred;
 * CLOEXEC is set, bound/listening/connected state is read from the kernel).
 * @throws Socket_Failed if @p fd is not a stream socket; @p fd then stays
 *         open and the caller still owns it.
 */
extern SOCKET_API Socket_T Socket_new_from_fd (int fd);
/** @brief Number of live Socket_T objects (leak checks). */
extern SOCKET_API int Socket_debug_live_count (void);

/* --- connection management ------------------------------------------- */
/** @brief Bind to @p host (NULL/"0.0.0.0"/"::" = any; IPv6 sockets are dual-stack) and @p port (0 = ephemeral). */
extern SOCKET_API void Socket_bind (Socket_T socket, const char *host, int port);
/** @brief listen(); @p backlog is capped at SOCKET_MAX_LISTEN_BACKLOG. */
extern SOCKET_API void Socket_listen (Socket_T socket, int backlog);
/** @brief Accept a connection; NULL when a non-blocking socket has none pending. */
extern SOCKET_API Socket_T Socket_accept (Socket_T socket);
/**
 * @brief Connect to @p host (name or address) and @p port.
 *
 * Names go through the shared resolver (SocketCommon_get_dns_resolver)
 * within the socket's dns_timeout_ms; literals are used directly. Each
 * address is tried in turn (an AF_INET6 socket also dials IPv4 results,
 * v4-mapped). A blocking socket waits at most connect_timeout_ms
 * (Socket_timeouts_set; errno ETIMEDOUT). A non-blocking socket returns as
 * soon as the attempt is in progress: poll for writability, then
 * Socket_isconnected().
 * @throws Socket_Failed with errno (e.g. ECONNREFUSED) and "host:port".
 */
extern SOCKET_API void Socket_connect (Socket_T socket, const char *host, int port);

/* --- I/O ---------------------------------------------------------------- */
/** @brief Send up to @p len bytes. @return bytes sent, 0 if it would block. */
extern SOCKET_API ssize_t Socket_send (Socket_T socket, const void *buf, size_t len);
/** @brief Receive up to @p len bytes. @return bytes received, 0 if it would block. @throws Socket_Closed on EOF. */
extern SOCKET_API ssize_t Socket_recv (Socket_T socket, void *buf, size_t len);
/**
 * @brief Send everything (loops over partial writes). On a non-blocking
 * socket it waits with poll(), for at most operation_timeout_ms per wait
 * when that is set (errno ETIMEDOUT).
 */
extern SOCKET_API ssize_t Socket_sendall (Socket_T socket, const void *buf, size_t len);
/** @brief Receive exactly @p len bytes (waits like Socket_sendall). @throws Socket_Closed on EOF first. */
extern SOCKET_API ssize_t Socket_recvall (Socket_T socket, void *buf, size_t len);
/** @brief One gathering send (1..IOV_MAX entries). @return bytes sent, 0 if it would block. */
extern SOCKET_API ssize_t Socket_sendv (Socket_T socket, const struct iovec *iov, int iovcnt);
extern SOCKET_API ssize_t Socket_recvv (Socket_T socket, struct iovec *iov, int iovcnt);
/** @brief Send every byte of @p iov; works on a copy, @p iov is never modified. */
extern SOCKET_API ssize_t Socket_sendvall (Socket_T socket, const struct iovec *iov, int iovcnt);
/** @brief Fill every byte of @p iov; works on a copy, @p iov is never modified. */
extern SOCKET_API ssize_t Socket_recvvall (Socket_T socket, struct iovec *iov, int iovcnt);
/**
 * @brief Zero-copy file send (sendfile(2), with a read/send fallback for
 * files it cannot splice, e.g. pipes). Starts at *@p offset (which is
 * advanced; the file position is untouched) or, for NULL, at the file
 * position (which is advanced). @return bytes sent, 0 if it would block or
 * at end of file.
 */
extern SOCKET_API ssize_t Socket_sendfile (Socket_T socket, int file_fd, off_t *offset, size_t count);
/** @brief Send @p count bytes of the file; fewer only when the file ends first. */
extern SOCKET_API ssize_t Socket_sendfileall (Socket_T socket, int file_fd, off_t *offset, size_t count);
extern SOCKET_API ssize_t Socket_sendmsg (Socket_T socket, const struct msghdr *msg, int flags);
/** @brief recvmsg(); Socket_Closed on EOF when @p msg has buffer space. */
extern SOCKET_API ssize_t Socket_recvmsg (Socket_T socket, struct msghdr *msg, int flags);

/* --- state ---------------------------------------------------------------- */
extern SOCKET_API int Socket_isconnected (Socket_T socket);
extern SOCKET_API int Socket_isbound (Socket_T socket);
extern SOCKET_API int Socket_islistening (Socket_T socket);
extern SOCKET_API int Socket_fd (const Socket_T socket);
/** @brief Numeric peer address (Unix: path or "@name", "" if unnamed); "(unknown)" if not connected. */
extern SOCKET_API const char *Socket_getpeeraddr (const Socket_T socket);
extern SOCKET_API int Socket_getpeerport (const Socket_T socket);
extern SOCKET_API const char *Socket_getlocaladdr (const Socket_T socket);
extern SOCKET_API int Socket_getlocalport (const Socket_T socket);

/* --- options -------------------------------------------------------------- */
extern SOCKET_API void Socket_setnonblocking (Socket_T socket);
extern SOCKET_API void Socket_setreuseaddr (Socket_T socket);
extern SOCKET_API void Socket_setreuseport (Socket_T socket);
/** @brief Send and receive timeout in seconds (0 = none). */
extern SOCKET_API void Socket_settimeout (Socket_T socket, int timeout_sec);
extern SOCKET_API void Socket_setkeepalive (Socket_T socket, int idle, int interval, int count);
extern SOCKET_API void Socket_setnodelay (Socket_T socket, int nodelay);
extern SOCKET_API int Socket_gettimeout (Socket_T socket);
extern SOCKET_API void Socket_getkeepalive (Socket_T socket, int *idle, int *interval, int *count);
extern SOCKET_API int Socket_getnodelay (Socket_T socket);
extern SOCKET_API int Socket_getrcvbuf (Socket_T socket);
extern SOCKET_API int Socket_getsndbuf (Socket_T socket);
extern SOCKET_API void Socket_setrcvbuf (Socket_T socket, int size);
extern SOCKET_API void Socket_setsndbuf (Socket_T socket, int size);
extern SOCKET_API void Socket_setcongestion (Socket_T socket, const char *algorithm);
/** @brief Current algorithm into @p algorithm (truncated to @p len). @return 0, -1 if unsupported. */
extern SOCKET_API int Socket_getcongestion (Socket_T socket, char *algorithm, size_t len);
/** @brief TCP_FASTOPEN: 0 disables; on a listener the value is the TFO queue length. */
extern SOCKET_API void Socket_setfastopen (Socket_T socket, int enable);
extern SOCKET_API int Socket_getfastopen (Socket_T socket);
extern SOCKET_API void Socket_setusertimeout (Socket_T socket, unsigned int timeout_ms);
extern SOCKET_API unsigned int Socket_getusertimeout (Socket_T socket);
extern SOCKET_API void Socket_shutdown (Socket_T socket, int how);
extern SOCKET_API void Socket_setcloexec (Socket_T socket, int enable);
extern SOCKET_API void Socket_setdeferaccept (Socket_T socket, int timeout_sec);
extern SOCKET_API int Socket_getdeferaccept (Socket_T socket);
extern SOCKET_API void Socket_timeouts_get (const Socket_T socket, SocketTimeouts_T *timeouts);
extern SOCKET_API void Socket_timeouts_set (Socket_T socket, const SocketTimeouts_T *timeouts);
extern SOCKET_API void Socket_timeouts_getdefaults (SocketTimeouts_T *timeouts);
extern SOCKET_API void Socket_timeouts_setdefaults (const SocketTimeouts_T *timeouts);

/* --- bandwidth limiting --------------------------------------------------- */
/** @brief Limit send_limited/recv_limited to @p bytes_per_sec (0 = unlimited); bursts up to one second's worth. */
extern SOCKET_API void Socket_setbandwidth (Socket_T socket, size_t bytes_per_sec);
extern SOCKET_API size_t Socket_getbandwidth (Socket_T socket);
/** @brief Send at most what the bandwidth budget allows now. @return bytes sent (0 = wait). */
extern SOCKET_API ssize_t Socket_send_limited (Socket_T socket, const void *buf, size_t len);
extern SOCKET_API ssize_t Socket_recv_limited (Socket_T socket, void *buf, size_t len);
/** @brief Milliseconds until @p bytes (capped at one bucket) fit the budget; 0 when unlimited. */
extern SOCKET_API int64_t Socket_bandwidth_wait_ms (Socket_T socket, size_t bytes);

/* --- Unix domain ------------------------------------------------------------ */
/**
 * @brief Bind to a filesystem path or, with a leading '@', the abstract
 * namespace. An existing *socket* file at the path (left by a dead server)
 * is removed first; any other file makes bind fail (EADDRINUSE).
 */
extern SOCKET_API void Socket_bind_unix (Socket_T socket, const char *path);
extern SOCKET_API void Socket_connect_unix (Socket_T socket, const char *path);
/** @brief Peer credentials (SO_PEERCRED); -1 when unavailable. */
extern SOCKET_API int Socket_getpeerpid (const Socket_T socket);
extern SOCKET_API int Socket_getpeeruid (const Socket_T socket);
extern SOCKET_API int Socket_getpeergid (const Socket_T socket);
/** @brief Pass one descriptor (SCM_RIGHTS) with a 1-byte payload. @return 1 sent, 0 would block. */
extern SOCKET_API int Socket_sendfd (Socket_T socket, int fd_to_pass);
/** @brief Receive one descriptor (CLOEXEC). @return 1 received, 0 would block. @throws Socket_Failed if none came. */
extern SOCKET_API int Socket_recvfd (Socket_T socket, int *fd_received);
/** @brief Pass up to SOCKET_MAX_FDS_PER_MSG descriptors. */
extern SOCKET_API int Socket_sendfds (Socket_T socket, const int *fds, size_t count);
/**
 * @brief Receive up to @p max_count descriptors (CLOEXEC) into @p fds.
 * More than @p max_count arriving is an error: all of them are closed.
 * @return 1 received, 0 would block.
 */
extern SOCKET_API int Socket_recvfds (Socket_T socket, int *fds, size_t max_count, size_t *received_count);
extern SOCKET_API void SocketUnix_bind (SocketBase_T base, const char *path, Except_T exc_type);
extern SOCKET_API void SocketUnix_connect (SocketBase_T base, const char *path, Except_T exc_type);
/** @brief 0 if @p path fits sockaddr_un (or is a valid '@' abstract name), -1 otherwise. */
extern SOCKET_API int SocketUnix_validate_unix_path (const char *path, size_t path_len);

/* --- asynchronous resolution ------------------------------------------------- */
extern SOCKET_API SocketDNS_Request_T Socket_bind_async (SocketDNS_T dns, Socket_T socket, const char *host, int port);
extern SOCKET_API void Socket_bind_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req);
extern SOCKET_API SocketDNS_Request_T Socket_connect_async (SocketDNS_T dns, Socket_T socket, const char *host,
                                                            int port);
extern SOCKET_API void Socket_connect_async_cancel (SocketDNS_T dns, SocketDNS_Request_T req);
/** @brief Bind to the first usable address of @p res (not freed). */
extern SOCKET_API void Socket_bind_with_addrinfo (Socket_T socket, struct addrinfo *res);
extern SOCKET_API void Socket_connect_with_addrinfo (Socket_T socket, struct addrinfo *res);

/* --- README forms of the fd-passing calls ------------------------------------
 * The seed README passes a payload with the descriptors:
 *   Socket_sendfd(sock, fd, "hello", 5);          ssize_t n = Socket_recvfd(sock, &fd, buf, sizeof buf);
 *   Socket_sendfds(sock, fds, 3, "data", 4);      Socket_recvfds(sock, fds, 3, &num_fds, buf, sizeof buf);
 * These macros dispatch on the argument count: the header forms reach the
 * real symbols above, the README forms reach the *_with_data functions.
 * `(Socket_sendfd)(...)` and `&Socket_sendfd` always name the real symbol. */
extern SOCKET_API ssize_t Socket_sendfd_with_data (Socket_T socket, int fd_to_pass, const void *data, size_t len);
extern SOCKET_API ssize_t Socket_recvfd_with_data (Socket_T socket, int *fd_received, void *buf, size_t len);
extern SOCKET_API ssize_t Socket_sendfds_with_data (Socket_T socket, const int *fds, size_t count, const void *data,
                                                    size_t len);
/**
 * The *_with_data forms return payload bytes (0 if it would block); the
 * receiving ones set the descriptor to -1 / the count to 0 when the
 * message carried none. @p num_fds is an int, as in the README.
 */
extern SOCKET_API ssize_t Socket_recvfds_with_data (Socket_T socket, int *fds, size_t max_count, int *num_fds,
                                                    void *buf, size_t len);

#define SOCKET_ARGC_N_(_1, _2, _3, _4, _5, _6, N, ...) N
#define SOCKET_ARGC_(...) SOCKET_ARGC_N_ (__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define SOCKET_CAT_(a, b) a##b
#define SOCKET_DISPATCH_(name, n) SOCKET_CAT_ (name, n)

#define SOCKET_SENDFD_2(s, fd) (Socket_sendfd) (s, fd)
#define SOCKET_SENDFD_4(s, fd, d, n) Socket_sendfd_with_data (s, fd, d, n)
#define Socket_sendfd(...) SOCKET_DISPATCH_ (SOCKET_SENDFD_, SOCKET_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)
#define SOCKET_RECVFD_2(s, fdp) (Socket_recvfd) (s, fdp)
#define SOCKET_RECVFD_4(s, fdp, b, n) Socket_recvfd_with_data (s, fdp, b, n)
#define Socket_recvfd(...) SOCKET_DISPATCH_ (SOCKET_RECVFD_, SOCKET_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)
#define SOCKET_SENDFDS_3(s, f, c) (Socket_sendfds) (s, f, c)
#define SOCKET_SENDFDS_5(s, f, c, d, n) Socket_sendfds_with_data (s, f, c, d, n)
#define Socket_sendfds(...) SOCKET_DISPATCH_ (SOCKET_SENDFDS_, SOCKET_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)
#define SOCKET_RECVFDS_4(s, f, m, r) (Socket_recvfds) (s, f, m, r)
#define SOCKET_RECVFDS_6(s, f, m, r, b, n) Socket_recvfds_with_data (s, f, m, r, b, n)
#define Socket_recvfds(...) SOCKET_DISPATCH_ (SOCKET_RECVFDS_, SOCKET_ARGC_ (__VA_ARGS__)) (__VA_ARGS__)

#endif /* SOCKET_INCLUDED */
