/**
 * @file SocketBuf.h
 * @brief Ring buffer for socket I/O with zero-copy read/write pointers.
 *
 * readptr/writeptr expose the largest contiguous region so data can go
 * straight between the buffer and recv()/send(); consume()/written()
 * commit the progress. reserve() grows the buffer (up to
 * SOCKETBUF_MAX_CAPACITY), keeping content.
 *
 * Thread-safety: none; one owner at a time.
 */
#ifndef SOCKETBUF_INCLUDED
#define SOCKETBUF_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "core/Arena.h"
#include "core/Except.h"

typedef struct SocketBuf_T *SocketBuf_T;

extern SOCKET_API const Except_T SocketBuf_Failed;

/** @brief New buffer of @p capacity bytes (>= SOCKETBUF_MIN_CAPACITY is used) in @p arena. */
extern SOCKET_API SocketBuf_T SocketBuf_new (Arena_T arena, size_t capacity);
/** @brief Detach the buffer from its storage (the memory returns with the arena); sets *buf to NULL. */
extern SOCKET_API void SocketBuf_release (SocketBuf_T *buf);
/** @brief Copy in as much of @p data as fits. @return bytes written. */
extern SOCKET_API size_t SocketBuf_write (SocketBuf_T buf, const void *data, size_t len);
/** @brief Copy out and consume up to @p len bytes. @return bytes read. */
extern SOCKET_API size_t SocketBuf_read (SocketBuf_T buf, void *data, size_t len);
/** @brief Copy out up to @p len bytes without consuming. */
extern SOCKET_API size_t SocketBuf_peek (SocketBuf_T buf, void *data, size_t len);
/** @brief Drop @p len bytes from the front. @throws SocketBuf_Failed if more than available. */
extern SOCKET_API void SocketBuf_consume (SocketBuf_T buf, size_t len);
extern SOCKET_API size_t SocketBuf_available (const SocketBuf_T buf);
extern SOCKET_API size_t SocketBuf_space (const SocketBuf_T buf);
extern SOCKET_API int SocketBuf_empty (const SocketBuf_T buf);
extern SOCKET_API int SocketBuf_full (const SocketBuf_T buf);
extern SOCKET_API void SocketBuf_clear (SocketBuf_T buf);
/** @brief Clear and zero the storage (for secrets). */
extern SOCKET_API void SocketBuf_secureclear (SocketBuf_T buf);
/**
 * @brief Ensure at least @p min_space free bytes, growing (doubling) into
 * new arena storage with the data linearised; the old storage is wiped.
 * @throws SocketBuf_Failed past the maximum or when memory runs out.
 */
extern SOCKET_API void SocketBuf_reserve (SocketBuf_T buf, size_t min_space);
extern SOCKET_API bool SocketBuf_check_invariants (const SocketBuf_T buf);
/** @brief Contiguous readable region; *len set to its size (0 when empty). */
extern SOCKET_API const void *SocketBuf_readptr (SocketBuf_T buf, size_t *len);
/** @brief Contiguous writable region; *len set to its size. */
extern SOCKET_API void *SocketBuf_writeptr (SocketBuf_T buf, size_t *len);
/** @brief Commit @p len bytes written through writeptr. */
extern SOCKET_API void SocketBuf_written (SocketBuf_T buf, size_t len);

#endif /* SOCKETBUF_INCLUDED */
