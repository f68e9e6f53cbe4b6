package gosocket

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TestMain fails the run if a test leaked C objects (git2go style): every
// RateLimiter a test creates must be closed, and so must every socket.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := cgo.RateLimiters.Live(); code == 0 && n != 0 {
		fmt.Fprintf(os.Stderr, "gosocket: %d C rate limiter(s) never closed\n", n)
		code = 1
	}
	closeDefault() // the default resolver is closed when idle
	for _, k := range []*cgo.Kind{cgo.Polls, cgo.Resolvers, cgo.Reconnects} {
		if n := k.Live(); code == 0 && n != 0 {
			fmt.Fprintf(os.Stderr, "gosocket: %d %s object(s) never closed\n", n, k.Name)
			code = 1
		}
	}
	// Servers in examples close their connections in goroutines of their
	// own; give them a moment.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s, d := cgo.LiveSockets(); s == 0 && d == 0 {
			break
		}
	}
	if s, d := cgo.LiveSockets(); code == 0 && (s != 0 || d != 0) {
		fmt.Fprintf(os.Stderr, "gosocket: %d stream and %d datagram C socket(s) never freed\n", s, d)
		code = 1
	}
	os.Exit(code)
}
