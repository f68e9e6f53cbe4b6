package gosocket

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

func TestResolveLocalhost(t *testing.T) {
	aps, err := Resolve(context.Background(), "localhost", 8080)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ap := range aps {
		if ap.Port() != 8080 {
			t.Errorf("port %d", ap.Port())
		}
		if ap.Addr().IsLoopback() {
			found = true
		}
	}
	if !found {
		t.Errorf("Resolve(localhost) = %v, no loopback address", aps)
	}
	aps, err = Resolve(context.Background(), "127.0.0.1", 1)
	if err != nil || len(aps) != 1 || aps[0] != netip.MustParseAddrPort("127.0.0.1:1") {
		t.Errorf("Resolve(127.0.0.1) = %v, %v", aps, err)
	}
	if _, err := Resolve(context.Background(), "bad host!", 80); !errors.Is(err, ErrDNS) {
		t.Errorf("Resolve of a malformed name = %v, want ErrDNS", err)
	}
	if _, err := Resolve(context.Background(), "localhost", 70000); err == nil {
		t.Error("port 70000 accepted")
	}
}

func TestDialByName(t *testing.T) {
	ln, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	c, err := DialTimeout("tcp4", net.JoinHostPort("localhost", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// TestResolveCancel holds the resolver's workers (a C test hook) so the
// lookup stays pending, cancels it through the context and checks that
// the C request record is released once the workers run again.
func TestResolveCancel(t *testing.T) {
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.testHook(1); err != nil {
		t.Skip("no C test hooks:", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err = r.Resolve(ctx, "localhost", 80)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Resolve with cancel = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second { // generous: the workers are held, only the cancel can end it
		t.Errorf("cancel took %v", d)
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel2()
	_, err = r.Resolve(ctx2, "localhost", 80)
	var ne net.Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Resolve past deadline = %v", err)
	}

	r.testHook(0)
	deadline := time.Now().Add(5 * time.Second)
	for {
		live, _ := r.testHook(-1)
		if live == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d request records still allocated", live)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The resolver still works.
	if aps, err := r.Resolve(context.Background(), "localhost", 80); err != nil || len(aps) == 0 {
		t.Fatalf("Resolve after cancel = %v, %v", aps, err)
	}
}

func TestResolverClose(t *testing.T) {
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.testHook(1); err != nil {
		r.Close()
		t.Skip("no C test hooks:", err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := r.Resolve(context.Background(), "localhost", 80)
		errc <- err
	}()
	time.Sleep(30 * time.Millisecond)
	r.Close() // frees the C resolver, which cancels the stalled lookup
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Resolve interrupted by Close = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt Resolve")
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if _, err := r.Resolve(context.Background(), "localhost", 80); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Resolve after Close = %v", err)
	}
}

// TestDefaultResolverIdleClose checks that the default resolver is closed
// once idle (releasing its threads and descriptors), never while a lookup
// uses it, and comes back on demand.
func TestDefaultResolverIdleClose(t *testing.T) {
	closeDefault()
	defer func(d time.Duration) { resolverIdle = d }(resolverIdle)
	resolverIdle = 50 * time.Millisecond
	base := cgo.Resolvers.Live()

	// Held across the lookup and the count: with a 50 ms idle period a
	// loaded machine could otherwise close it in between.
	held, err := acquireDefault()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(context.Background(), "localhost", 80); err != nil {
		t.Fatal(err)
	}
	if n := cgo.Resolvers.Live(); n != base+1 {
		t.Fatalf("%d live resolvers after a lookup, want %d", n, base+1)
	}
	releaseDefault(held)
	waitLive := func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); cgo.Resolvers.Live() != want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d live resolvers, want %d", cgo.Resolvers.Live(), want)
			}
		}
	}
	waitLive(base) // closed after the idle period

	// A lookup in progress keeps it open past the idle period.
	r, err := acquireDefault()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.testHook(1); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		// Long enough to outlast the check below on a loaded machine: a
		// lookup that ended early would let the idle timer close it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := Resolve(ctx, "localhost", 80)
		errc <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		def.mu.Lock()
		users := def.users
		def.mu.Unlock()
		if users == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lookup never started")
		}
	}
	releaseDefault(r) // the goroutine's lookup still holds it
	time.Sleep(150 * time.Millisecond)
	if _, err := r.testHook(0); err != nil {
		t.Fatalf("default resolver closed under a lookup: %v", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	waitLive(base)
	// And it comes back.
	if _, err := Resolve(context.Background(), "127.0.0.1", 80); err != nil {
		t.Fatal(err)
	}
	closeDefault()
	waitLive(base)
}
