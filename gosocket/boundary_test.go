package gosocket

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Exceptions raised in C on many threads at once each come back to their
// own caller, with their own message: the frame stack and the message
// buffer are thread-local, and each shim copies them before returning.
func TestBoundaryConcurrentExceptions(t *testing.T) {
	const goroutines = 64
	const rounds = 50
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for i := range rounds {
				if err := checkOneException(g, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// checkOneException triggers a C exception on the calling goroutine: a
// SocketRateLimit_Failed from the library (even g), or a GoCallback_Failed
// carrying a message unique to this goroutine and round (odd g).
func checkOneException(g, i int) error {
	var err error
	var want *Error
	if g%2 == 0 {
		var r *RateLimiter
		r, err = NewRateLimiter(0, g)
		if r != nil {
			r.Close()
		}
		want = &Error{Op: "NewRateLimiter", Exception: "SocketRateLimit_Failed",
			Msg: "tokens_per_sec must be > 0"}
	} else {
		msg := fmt.Sprintf("goroutine %d round %d", g, i)
		err = invokeCallback(func() error { return errors.New(msg) })
		want = &Error{Op: "InvokeCallback", Exception: "GoCallback_Failed",
			Msg: "Go callback failed: " + msg}
	}
	var got *Error
	if !errors.As(err, &got) {
		return fmt.Errorf("goroutine %d: err = %T %v, want *Error", g, err, err)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Error{})); diff != "" {
		return fmt.Errorf("goroutine %d round %d (-want +got):\n%s", g, i, diff)
	}
	return nil
}

// Go → C → Go: the Go callback fails (error or panic); C raises only after
// the Go frame returned, inside the shim's TRY; Go gets an error back.
func TestBoundaryCallbackRaise(t *testing.T) {
	tests := []struct {
		name    string
		fn      func() error
		wantMsg string // "" means success
	}{
		{"success", func() error { return nil }, ""},
		{"error", func() error { return errors.New("handler refused") }, "Go callback failed: handler refused"},
		{"panic", func() error { panic("handler crashed") }, "Go callback failed: panic: handler crashed"},
		{"panic error", func() error { panic(fmt.Errorf("wrapped %w", syscall.EPIPE)) }, "Go callback failed: panic: wrapped broken pipe"},
		{"nested exception", func() error {
			_, err := NewRateLimiter(0, 1) // a raise and catch in C, from inside the callback
			return err
		}, "Go callback failed: gosocket: NewRateLimiter: tokens_per_sec must be > 0 (SocketRateLimit_Failed)"},
		{"truncated", func() error { return errors.New(strings.Repeat("z", 1000)) }, "Go callback failed: " + strings.Repeat("z", 255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := invokeCallback(tt.fn)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrCallback) {
				t.Fatalf("err = %v, want an *Error matching ErrCallback", err)
			}
			if e.Exception != "GoCallback_Failed" || e.Msg != tt.wantMsg || e.Errno != 0 {
				t.Errorf("got Exception %q Msg %q Errno %v\nwant GoCallback_Failed %q 0", e.Exception, e.Msg, e.Errno, tt.wantMsg)
			}
		})
	}
}
