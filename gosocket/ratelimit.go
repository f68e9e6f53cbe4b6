package gosocket

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// RateLimiter is a token bucket: tokens refill continuously at Rate per
// second up to Burst, and each event takes n of them. It is safe for
// concurrent use.
//
// A RateLimiter holds C memory; call Close when done with it.
type RateLimiter struct {
	lim *cgo.RateLimiter
}

// NewRateLimiter returns a full bucket refilling rate tokens per second up
// to burst; a burst of 0 means the same as rate. A rate of 0 is rejected
// by the C library (an error matching ErrRateLimit).
func NewRateLimiter(rate, burst int) (*RateLimiter, error) {
	if rate < 0 || burst < 0 {
		return nil, &Error{Op: "NewRateLimiter", Msg: "negative rate or burst", Kind: ErrRateLimit}
	}
	lim, err := cgo.NewRateLimiter(uint64(rate), uint64(burst))
	if err != nil {
		return nil, wrapErr("NewRateLimiter", err, ErrRateLimit)
	}
	return &RateLimiter{lim: lim}, nil
}

// Allow takes n tokens if they are available now and reports whether it
// did. It returns false for a negative n and after Close.
func (r *RateLimiter) Allow(n int) bool {
	if n < 0 {
		return false
	}
	ok, err := r.lim.TryAcquire(uint64(n))
	return err == nil && ok
}

// Wait blocks until n tokens are available and takes them, or until ctx
// is done, in which case it returns ctx.Err(). It fails at once, with an
// error matching ErrRateLimit, if n exceeds the burst, and with one
// matching context.DeadlineExceeded if ctx's deadline would pass before
// the tokens are there. After Close it returns an error matching
// ErrClosed.
func (r *RateLimiter) Wait(ctx context.Context, n int) error {
	if n < 0 {
		return &Error{Op: "RateLimiter.Wait", Msg: fmt.Sprintf("negative token count %d", n), Kind: ErrRateLimit}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, waitMS, err := r.lim.AcquireOrWait(uint64(n))
		switch {
		case err != nil:
			return wrapErr("RateLimiter.Wait", err, ErrRateLimit)
		case ok:
			return nil
		case waitMS < 0:
			return &Error{Op: "RateLimiter.Wait", Msg: fmt.Sprintf("%d tokens exceed the burst", n), Kind: ErrRateLimit}
		}
		// Other goroutines may take the tokens first, hence the loop; the C
		// estimate has millisecond resolution, hence the floor.
		d := time.Duration(math.MaxInt64)
		if waitMS < int64(d/time.Millisecond) {
			d = max(time.Duration(waitMS)*time.Millisecond, time.Millisecond)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return &Error{Op: "RateLimiter.Wait", Msg: "would exceed the context deadline", Kind: context.DeadlineExceeded}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Available returns the number of whole tokens available now (0 after
// Close).
func (r *RateLimiter) Available() int {
	n, err := r.lim.Available()
	if err != nil {
		return 0
	}
	return int(n)
}

// Reset refills the bucket. It does nothing after Close.
func (r *RateLimiter) Reset() { _ = r.lim.Reset() }

// Configure changes the rate and the burst; 0 keeps the current value.
// Tokens above a smaller burst are dropped.
func (r *RateLimiter) Configure(rate, burst int) error {
	if rate < 0 || burst < 0 {
		return &Error{Op: "RateLimiter.Configure", Msg: "negative rate or burst", Kind: ErrRateLimit}
	}
	return wrapErr("RateLimiter.Configure", r.lim.Configure(uint64(rate), uint64(burst)), ErrRateLimit)
}

// Rate returns the refill rate in tokens per second (0 after Close).
func (r *RateLimiter) Rate() int {
	rate, _, _ := r.lim.Params()
	return int(rate)
}

// Burst returns the bucket capacity (0 after Close).
func (r *RateLimiter) Burst() int {
	_, burst, _ := r.lim.Params()
	return int(burst)
}

// Close releases the limiter. It is idempotent and waits for calls in
// progress on other goroutines; later calls behave as documented for a
// closed limiter.
func (r *RateLimiter) Close() error {
	r.lim.Close()
	return nil
}
