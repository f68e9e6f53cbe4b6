/**
 * @file SocketRateLimit.h
 * @brief Token-bucket rate limiter (connections, requests, bytes).
 *
 * Tokens refill continuously at `tokens_per_sec` up to `bucket_size`
 * (the burst); all elapsed time is credited (kept in thousandths of a
 * token), so an idle bucket refills to full. Time comes from the monotonic
 * clock. (The original caps one refill at one second's worth; see
 * docs/MIGRATION.md.)
 *
 * Thread-safety: every function may be called concurrently on the same
 * limiter (internal mutex).
 */
#ifndef SOCKETRATELIMIT_INCLUDED
#define SOCKETRATELIMIT_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "core/Arena.h"
#include "core/Except.h"

/** Opaque limiter handle. */
typedef struct SocketRateLimit_T *SocketRateLimit_T;

/** Raised for invalid parameters or allocation failure. */
extern SOCKET_API const Except_T SocketRateLimit_Failed;

/**
 * @brief Create a full bucket.
 * @param arena owner of the memory, or NULL to use malloc (then release
 *        with SocketRateLimit_free()).
 * @param tokens_per_sec refill rate, > 0.
 * @param bucket_size burst capacity; 0 means "same as tokens_per_sec".
 * @throws SocketRateLimit_Failed for a zero rate ("tokens_per_sec must be
 *         > 0"), a rate or bucket above UINT64_MAX / 1000, or on
 *         allocation failure ("Failed to allocate rate limiter"); Arena_Failed
 *         from the arena.
 */
extern SOCKET_API SocketRateLimit_T SocketRateLimit_new (Arena_T arena, size_t tokens_per_sec,
                                                         size_t bucket_size);

/** @brief Release the limiter (its memory too unless arena-owned); sets *limiter to NULL. */
extern SOCKET_API void SocketRateLimit_free (SocketRateLimit_T *limiter);

/** @brief Take @p tokens if available. @return 1 if taken (always for 0
 *  tokens), 0 if not (nothing taken). */
extern SOCKET_API int SocketRateLimit_try_acquire (SocketRateLimit_T limiter, size_t tokens);

/**
 * @brief Milliseconds until @p tokens will be available (0 = now or for 0
 * tokens), rounded up so that waiting that long is enough. Consumes nothing.
 * @return -1 if @p tokens exceeds the bucket size (never satisfiable).
 */
extern SOCKET_API int64_t SocketRateLimit_wait_time_ms (SocketRateLimit_T limiter, size_t tokens);

/** @brief Whole tokens available now. */
extern SOCKET_API size_t SocketRateLimit_available (SocketRateLimit_T limiter);

/** @brief Refill the bucket to its capacity. */
extern SOCKET_API void SocketRateLimit_reset (SocketRateLimit_T limiter);

/**
 * @brief Change rate and/or capacity at runtime (0 keeps the current value).
 * Available tokens are clamped to the new capacity.
 */
extern SOCKET_API void SocketRateLimit_configure (SocketRateLimit_T limiter,
                                                  size_t tokens_per_sec, size_t bucket_size);

/** @brief Current refill rate (tokens per second). */
extern SOCKET_API size_t SocketRateLimit_get_rate (SocketRateLimit_T limiter);

/** @brief Current capacity. */
extern SOCKET_API size_t SocketRateLimit_get_bucket_size (SocketRateLimit_T limiter);

#endif /* SOCKETRATELIMIT_INCLUDED */
