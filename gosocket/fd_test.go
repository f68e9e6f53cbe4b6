package gosocket

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(ents)
}

// exercise opens one of everything, uses it and closes it all.
func exercise(t *testing.T) {
	ctx := context.Background()
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	c1.Write([]byte("x"))
	c2.Read(make([]byte, 1))
	u1, u2, stopU := unixPair(t, abstractName("fdcount"))
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u1.SendFiles([]*os.File{f, f}, []byte("fd")); err != nil {
		t.Fatal(err)
	}
	files, _, err := u2.RecvFiles(2, make([]byte, 8))
	if err != nil || len(files) != 2 {
		t.Fatal(len(files), err)
	}
	for _, g := range append(files, f) {
		g.Close()
	}
	// Too many descriptors: the C library closes what it received.
	u1.SendFiles([]*os.File{os.Stdin, os.Stdout, os.Stderr}, []byte("x"))
	if _, _, err := u2.RecvFiles(1, make([]byte, 8)); err == nil {
		t.Error("RecvFiles accepted more files than max")
	}
	p, err := NewPoll(8)
	if err != nil {
		t.Fatal(err)
	}
	p.Add(c1.(*Conn), EventRead, 1)
	p.Wake()
	p.Wait(time.Second)
	pc, err := ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc.WriteTo([]byte("x"), pc.LocalAddr())
	pc.ReadFrom(make([]byte, 4))
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, "localhost", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(ctx, "localhost", 1); err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("unix", t.TempDir()+"/s")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	stopU()
	p.Close()
	pc.Close()
	r.Close()
	ln.Close()
}

// TestFDCount checks that closing everything returns the descriptor count
// to its baseline: each C socket's descriptor and its dup for Go's poller
// are closed exactly once (a double close would show up as EBADF in the
// C library or a later victim; a missing close as a higher count).
func TestFDCount(t *testing.T) {
	exercise(t) // warm up: Go's poller, ...
	// The default resolver closes on an idle timer; closed explicitly at
	// both counts, its descriptors cannot come or go in between.
	closeDefault()
	base := openFDs(t)
	for range 3 {
		exercise(t)
	}
	closeDefault()
	// Peers' goroutines may still be closing their ends: settle, but
	// fail if the count does not come back within a generous time.
	n := 0
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		if n = openFDs(t); n == base || time.Now().After(deadline) {
			break
		}
	}
	if n != base {
		t.Errorf("%d descriptors open after closing everything, %d before", n, base)
	}
}
