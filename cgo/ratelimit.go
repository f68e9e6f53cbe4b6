package cgo

/*
#include "shim_core.h"

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

// RateLimiter owns one C SocketRateLimit_T. Its methods are safe for
// concurrent use: the C limiter locks internally.
type RateLimiter struct {
	own Owner[C.SocketRateLimit_T]
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
	r := &RateLimiter{}
	Own(r, &r.own, RateLimiters, p, freeLimiter)
	return r, nil
}

func freeLimiter(p C.SocketRateLimit_T) { C.go_SocketRateLimit_free(p) }

// Close releases the C limiter. It is idempotent, waits for calls in
// flight, and makes later calls return ErrClosed.
func (r *RateLimiter) Close() { r.own.Close() }

// TryAcquire takes n tokens if they are available.
func (r *RateLimiter) TryAcquire(n uint64) (ok bool, err error) {
	err = r.own.Use(func(p C.SocketRateLimit_T) error {
		var got C.int
		var e C.GoErr
		if C.go_SocketRateLimit_try_acquire(p, C.size_t(n), &got, &e) != 0 {
			return goError(&e)
		}
		ok = got != 0
		return nil
	})
	return ok, err
}

// AcquireOrWait takes n tokens, or reports how many milliseconds until
// they could be available (-1: never, n exceeds the burst).
func (r *RateLimiter) AcquireOrWait(n uint64) (ok bool, waitMS int64, err error) {
	err = r.own.Use(func(p C.SocketRateLimit_T) error {
		var got C.int
		var wait C.int64_t
		var e C.GoErr
		if C.go_SocketRateLimit_acquire_or_wait(p, C.size_t(n), &got, &wait, &e) != 0 {
			return goError(&e)
		}
		ok, waitMS = got != 0, int64(wait)
		return nil
	})
	return ok, waitMS, err
}

// WaitTime is the number of milliseconds until n tokens are available
// (0: now, -1: never).
func (r *RateLimiter) WaitTime(n uint64) (waitMS int64, err error) {
	err = r.own.Use(func(p C.SocketRateLimit_T) error {
		var wait C.int64_t
		var e C.GoErr
		if C.go_SocketRateLimit_wait_time(p, C.size_t(n), &wait, &e) != 0 {
			return goError(&e)
		}
		waitMS = int64(wait)
		return nil
	})
	return waitMS, err
}

// Available is the number of whole tokens available now.
func (r *RateLimiter) Available() (n uint64, err error) {
	err = r.own.Use(func(p C.SocketRateLimit_T) error {
		var cn C.size_t
		var e C.GoErr
		if C.go_SocketRateLimit_available(p, &cn, &e) != 0 {
			return goError(&e)
		}
		n = uint64(cn)
		return nil
	})
	return n, err
}

// Reset refills the bucket.
func (r *RateLimiter) Reset() error {
	return r.own.Use(func(p C.SocketRateLimit_T) error {
		var e C.GoErr
		if C.go_SocketRateLimit_reset(p, &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// Configure changes the rate and/or burst; 0 keeps the current value.
func (r *RateLimiter) Configure(rate, burst uint64) error {
	return r.own.Use(func(p C.SocketRateLimit_T) error {
		var e C.GoErr
		if C.go_SocketRateLimit_configure(p, C.size_t(rate), C.size_t(burst), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// Params returns the current rate (tokens per second) and burst.
func (r *RateLimiter) Params() (rate, burst uint64, err error) {
	err = r.own.Use(func(p C.SocketRateLimit_T) error {
		var cr, cb C.size_t
		var e C.GoErr
		if C.go_SocketRateLimit_params(p, &cr, &cb, &e) != 0 {
			return goError(&e)
		}
		rate, burst = uint64(cr), uint64(cb)
		return nil
	})
	return rate, burst, err
}
