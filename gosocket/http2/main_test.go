package http2

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TestMain fails the run if a test leaked an engine connection.
func TestMain(m *testing.M) {
	code := m.Run()
	// Servers end their connections in goroutines of their own
	// (generous: a loaded machine is slow).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cgo.HTTP2Conns.Live() == 0 {
			break
		}
	}
	if n := cgo.HTTP2Conns.Live(); code == 0 && n != 0 {
		fmt.Fprintf(os.Stderr, "http2: %d engine connection(s) never closed\n", n)
		code = 1
	}
	os.Exit(code)
}
