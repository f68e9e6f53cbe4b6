package csocket

/*
#include "shim.h"

#cgo nocallback go_SocketRateLimit_new
#cgo noescape go_SocketRateLimit_new
#cgo nocallback go_SocketRateLimit_free
#cgo nocallback go_SocketRateLimit_try_acquire
#cgo noescape go_SocketRateLimit_try_acquire
#cgo nocallback go_SocketRateLimit_acquire_or_wait
#cgo noescape go_SocketRateLimit_acquire_or_wait
#cgo nocallback go_SocketRateLimit_wait_time
#cgo noescape go_SocketRateLimit_wait_time
#cgo nocallback go_SocketRateLimit_available
#cgo noescape go_SocketRateLimit_available
#cgo nocallback go_SocketRateLimit_reset
#cgo noescape go_SocketRateLimit_reset
#cgo nocallback go_SocketRateLimit_configure
#cgo noescape go_SocketRateLimit_configure
#cgo nocallback go_SocketRateLimit_params
#cgo noescape go_SocketRateLimit_params
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
)

var liveLimiters atomic.Int64

// LiveRateLimiters is the number of C limiters allocated and not yet
// freed (by Free or by the leak backstop). Tests use it to find leaks.
func LiveRateLimiters() int64 { return liveLimiters.Load() }

// RateLimiter owns one C SocketRateLimit_T. Its methods are safe for
// concurrent use: the C limiter locks internally, and the read lock here
// keeps Free from releasing it while a call is in flight.
type RateLimiter struct {
	mu      sync.RWMutex
	p       C.SocketRateLimit_T // nil after Free
	cleanup runtime.Cleanup
}

// NewRateLimiter creates a full token bucket refilling rate tokens per
// second up to burst (0: same as rate). A zero rate raises
// SocketRateLimit_Failed in C, returned as *Error.
func NewRateLimiter(rate, burst uint64) (*RateLimiter, error) {
	var p C.SocketRateLimit_T
	var e C.GoErr
	if C.go_SocketRateLimit_new(C.size_t(rate), C.size_t(burst), &p, &e) != 0 {
		return nil, goError(&e)
	}
	liveLimiters.Add(1)
	r := &RateLimiter{p: p}
	// Backstop only: a RateLimiter dropped without Free still releases its
	// C memory. Free cancels it.
	r.cleanup = runtime.AddCleanup(r, freeLimiter, p)
	return r, nil
}

func freeLimiter(p C.SocketRateLimit_T) {
	C.go_SocketRateLimit_free(p)
	liveLimiters.Add(-1)
}

// Free releases the C limiter. It is idempotent, waits for calls in
// flight, and makes later calls return ErrFreed.
func (r *RateLimiter) Free() {
	r.mu.Lock()
	p := r.p
	r.p = nil
	r.mu.Unlock()
	if p == nil {
		return
	}
	r.cleanup.Stop()
	freeLimiter(p)
}

// TryAcquire takes n tokens if they are available.
func (r *RateLimiter) TryAcquire(n uint64) (bool, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return false, ErrFreed
	}
	var ok C.int
	var e C.GoErr
	rc := C.go_SocketRateLimit_try_acquire(r.p, C.size_t(n), &ok, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return false, goError(&e)
	}
	return ok != 0, nil
}

// AcquireOrWait takes n tokens, or reports how many milliseconds until
// they could be available (-1: never, n exceeds the burst).
func (r *RateLimiter) AcquireOrWait(n uint64) (ok bool, waitMS int64, err error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return false, 0, ErrFreed
	}
	var got C.int
	var wait C.int64_t
	var e C.GoErr
	rc := C.go_SocketRateLimit_acquire_or_wait(r.p, C.size_t(n), &got, &wait, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return false, 0, goError(&e)
	}
	return got != 0, int64(wait), nil
}

// WaitTime is the number of milliseconds until n tokens are available
// (0: now, -1: never).
func (r *RateLimiter) WaitTime(n uint64) (int64, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return 0, ErrFreed
	}
	var wait C.int64_t
	var e C.GoErr
	rc := C.go_SocketRateLimit_wait_time(r.p, C.size_t(n), &wait, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return 0, goError(&e)
	}
	return int64(wait), nil
}

// Available is the number of whole tokens available now.
func (r *RateLimiter) Available() (uint64, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return 0, ErrFreed
	}
	var n C.size_t
	var e C.GoErr
	rc := C.go_SocketRateLimit_available(r.p, &n, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return 0, goError(&e)
	}
	return uint64(n), nil
}

// Reset refills the bucket.
func (r *RateLimiter) Reset() error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return ErrFreed
	}
	var e C.GoErr
	rc := C.go_SocketRateLimit_reset(r.p, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return goError(&e)
	}
	return nil
}

// Configure changes the rate and/or burst; 0 keeps the current value.
func (r *RateLimiter) Configure(rate, burst uint64) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return ErrFreed
	}
	var e C.GoErr
	rc := C.go_SocketRateLimit_configure(r.p, C.size_t(rate), C.size_t(burst), &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return goError(&e)
	}
	return nil
}

// Params returns the current rate (tokens per second) and burst.
func (r *RateLimiter) Params() (rate, burst uint64, err error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return 0, 0, ErrFreed
	}
	var cr, cb C.size_t
	var e C.GoErr
	rc := C.go_SocketRateLimit_params(r.p, &cr, &cb, &e)
	runtime.KeepAlive(r)
	if rc != 0 {
		return 0, 0, goError(&e)
	}
	return uint64(cr), uint64(cb), nil
}
