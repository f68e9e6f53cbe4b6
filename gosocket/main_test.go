package gosocket

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TestMain fails the run if a test leaked C objects (git2go style): every
// handle a test creates must be closed, and so must every socket.
func TestMain(m *testing.M) {
	code := m.Run()
	closeDefault() // the default resolver is closed when idle
	// Every kind of handle the C objects are owned through (cgo.Owner).
	for kind, n := range cgo.LiveObjects() {
		if code == 0 {
			fmt.Fprintf(os.Stderr, "gosocket: %d %s object(s) never closed\n", n, kind)
			code = 1
		}
	}
	// Servers in examples close their connections in goroutines of their
	// own; give them a moment (generous: a loaded machine is slow).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
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
