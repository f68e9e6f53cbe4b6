package gosocket

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newLimiter(t *testing.T, rate, burst int) *RateLimiter {
	t.Helper()
	r, err := NewRateLimiter(rate, burst)
	if err != nil {
		t.Fatalf("NewRateLimiter(%d, %d): %v", rate, burst, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestNewRateLimiterErrors(t *testing.T) {
	tests := []struct {
		name        string
		rate, burst int
		exception   string
	}{
		{"zero rate", 0, 10, "SocketRateLimit_Failed"},
		{"zero rate and burst", 0, 0, "SocketRateLimit_Failed"},
		{"negative rate", -1, 10, ""},
		{"negative burst", 10, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRateLimiter(tt.rate, tt.burst)
			if r != nil {
				r.Close()
				t.Fatal("got a limiter")
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrRateLimit) {
				t.Fatalf("err = %v, want an *Error matching ErrRateLimit", err)
			}
			if e.Exception != tt.exception || e.Op != "NewRateLimiter" {
				t.Errorf("Exception, Op = %q, %q; want %q, NewRateLimiter", e.Exception, e.Op, tt.exception)
			}
		})
	}
}

func TestRateLimiterBurst(t *testing.T) {
	// 1 token/s: the test never runs long enough to refill more than a few.
	r := newLimiter(t, 1, 5)
	if r.Rate() != 1 || r.Burst() != 5 {
		t.Fatalf("Rate, Burst = %d, %d; want 1, 5", r.Rate(), r.Burst())
	}
	if !r.Allow(5) {
		t.Fatal("Allow(5) on a full bucket of 5 = false")
	}
	if r.Allow(5) {
		t.Error("Allow(5) right after emptying the bucket = true")
	}
	if r.Allow(6) {
		t.Error("Allow(6) above the burst = true")
	}
	if r.Allow(-1) {
		t.Error("Allow(-1) = true")
	}
	if got := r.Available(); got > 2 {
		t.Errorf("Available() = %d just after emptying, want about 0", got)
	}
	r.Reset()
	if got := r.Available(); got != 5 {
		t.Errorf("Available() after Reset = %d, want 5", got)
	}
}

func TestRateLimiterBurstDefaultsToRate(t *testing.T) {
	r := newLimiter(t, 7, 0)
	if r.Burst() != 7 || r.Available() != 7 {
		t.Errorf("Burst, Available = %d, %d; want 7, 7", r.Burst(), r.Available())
	}
}

func TestRateLimiterConfigure(t *testing.T) {
	r := newLimiter(t, 10, 10)
	if err := r.Configure(200, 100); err != nil {
		t.Fatal(err)
	}
	if r.Rate() != 200 || r.Burst() != 100 {
		t.Errorf("after Configure(200, 100): Rate, Burst = %d, %d", r.Rate(), r.Burst())
	}
	if err := r.Configure(0, 7); err != nil {
		t.Fatal(err)
	}
	if r.Rate() != 200 || r.Burst() != 7 {
		t.Errorf("after Configure(0, 7): Rate, Burst = %d, %d; want 200, 7", r.Rate(), r.Burst())
	}
	if got := r.Available(); got > 7 {
		t.Errorf("Available() = %d above the new burst 7", got)
	}
	if err := r.Configure(-1, 0); !errors.Is(err, ErrRateLimit) {
		t.Errorf("Configure(-1, 0) = %v, want an ErrRateLimit error", err)
	}
}

func TestRateLimiterWait(t *testing.T) {
	t.Run("refills", func(t *testing.T) {
		r := newLimiter(t, 1000, 1) // a token per millisecond
		r.Allow(1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for range 5 {
			if err := r.Wait(ctx, 1); err != nil {
				t.Fatalf("Wait = %v", err)
			}
		}
	})
	t.Run("cancel", func(t *testing.T) {
		// 100 tokens are 100 s away: the cancel wins even if this
		// goroutine is descheduled for a long while before Wait.
		r := newLimiter(t, 1, 100)
		r.Allow(100)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		if err := r.Wait(ctx, 100); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
	})
	t.Run("already done", func(t *testing.T) {
		r := newLimiter(t, 1, 3)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := r.Wait(ctx, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
		if got := r.Available(); got != 3 {
			t.Errorf("Available() = %d: a cancelled Wait took tokens", got)
		}
	})
	t.Run("deadline too close", func(t *testing.T) {
		// The tokens are 100 s away; failing at once or at the 50 ms
		// deadline both satisfy the contract, waiting for the tokens does
		// not. The 30 s bound leaves room for a loaded machine.
		r := newLimiter(t, 1, 100)
		r.Allow(100)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := r.Wait(ctx, 100)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want an error matching context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("Wait took %v; it should fail without waiting for the token", d)
		}
	})
	t.Run("above burst", func(t *testing.T) {
		r := newLimiter(t, 100, 10)
		if err := r.Wait(context.Background(), 11); !errors.Is(err, ErrRateLimit) {
			t.Errorf("Wait(11) with burst 10 = %v, want an ErrRateLimit error", err)
		}
		if err := r.Wait(context.Background(), -1); !errors.Is(err, ErrRateLimit) {
			t.Errorf("Wait(-1) = %v, want an ErrRateLimit error", err)
		}
	})
}

func TestRateLimiterClose(t *testing.T) {
	r, err := NewRateLimiter(10, 10)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := r.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}
	}
	if r.Allow(1) || r.Available() != 0 || r.Rate() != 0 || r.Burst() != 0 {
		t.Error("closed limiter still grants tokens or reports parameters")
	}
	r.Reset() // documented no-op
	err = r.Wait(context.Background(), 1)
	if !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Errorf("Wait after Close = %v, want ErrClosed and net.ErrClosed", err)
	}
	if err := r.Configure(1, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Configure after Close = %v, want ErrClosed", err)
	}
}

// Tokens are neither lost nor duplicated under contention, and Close may
// race with calls in flight.
func TestRateLimiterConcurrent(t *testing.T) {
	const burst = 1000
	r, err := NewRateLimiter(1, burst)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 250 {
				if r.Allow(1) {
					granted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	refill := int64(time.Since(start)/time.Second) + 1
	if g := granted.Load(); g < burst || g > burst+refill {
		t.Errorf("granted %d tokens, want %d..%d", g, burst, burst+refill)
	}

	for range 4 {
		wg.Go(func() {
			for range 1000 {
				r.Allow(1)
				r.Available()
			}
		})
	}
	wg.Go(func() { r.Close() })
	wg.Wait()
	if r.Allow(1) {
		t.Error("Allow after Close = true")
	}
}

// A wait too long for time.Duration must neither wrap around (into a busy
// loop of short sleeps) nor be waited for: it exceeds any deadline.
func TestRateLimiterHugeWait(t *testing.T) {
	// At 1 token/s, n tokens take n*1000 ms, and n*1000*1e6 ns is 2^64
	// plus about 0.3 s: a Duration that wrapped would look short.
	const burst, n = 2e10, 18446744074
	r := newLimiter(t, 1, burst)
	if !r.Allow(burst) {
		t.Fatal("Allow(burst) on a full bucket = false")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	// Only a guard against a wrapped Duration's busy loop: if it fires,
	// Wait returns context.Canceled and the test fails. A short guard
	// could fire first on a loaded machine.
	time.AfterFunc(10*time.Second, cancel)
	if err := r.Wait(ctx, n); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want an immediate error matching context.DeadlineExceeded", err)
	}
}
