/**
 * @file SocketExport.h
 * @brief Symbol visibility for the public API.
 *
 * The library is compiled with hidden visibility; every public declaration
 * carries SOCKET_API so that exactly the documented interface is exported
 * from libsocket.so. Static builds and consumers see an empty or harmless
 * attribute.
 */
#ifndef SOCKETEXPORT_INCLUDED
#define SOCKETEXPORT_INCLUDED

#if defined(__GNUC__) || defined(__clang__)
#define SOCKET_API __attribute__((visibility("default")))
#else
#define SOCKET_API
#endif

#endif /* SOCKETEXPORT_INCLUDED */
