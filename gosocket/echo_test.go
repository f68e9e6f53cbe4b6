package gosocket

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// The loopback echo peers shared by the tests of this package and of
// package gosocket_test (through export_test.go).

// serveEcho accepts on ln and echoes every connection until ln is
// closed; kill closes the listener and every accepted connection.
func serveEcho(ln net.Listener) (kill func()) {
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(c, c) }()
		}
	}()
	return func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	}
}

// listenEcho starts a package-net echo server on 127.0.0.1 that lives
// until the test ends.
func listenEcho(t testing.TB) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(serveEcho(ln))
	return ln.Addr().(*net.TCPAddr)
}

// echoOnce writes msg and reads it back.
func echoOnce(t testing.TB, c net.Conn, msg string) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Fatalf("echo %q, %v; want %q", got, err, msg)
	}
}
