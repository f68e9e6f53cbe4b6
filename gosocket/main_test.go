package gosocket

import (
	"fmt"
	"os"
	"testing"

	csocket "github.com/libsocket/libsocket/cgo"
)

// TestMain fails the run if a test leaked C memory (git2go style): every
// RateLimiter a test creates must be closed.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := csocket.LiveRateLimiters(); code == 0 && n != 0 {
		fmt.Fprintf(os.Stderr, "gosocket: %d C rate limiter(s) never closed\n", n)
		code = 1
	}
	os.Exit(code)
}
