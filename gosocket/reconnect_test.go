package gosocket_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/libsocket/libsocket/gosocket"
)

type transitions struct {
	mu  sync.Mutex
	log [][2]gosocket.ReconnectState
}

func (t *transitions) add(o, n gosocket.ReconnectState) {
	t.mu.Lock()
	t.log = append(t.log, [2]gosocket.ReconnectState{o, n})
	t.mu.Unlock()
}

// chain reports whether the transitions start at DISCONNECTED, follow on
// from each other and never repeat a state.
func (t *transitions) chain() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := gosocket.ReconnectDisconnected
	for _, tr := range t.log {
		if tr[0] != cur || tr[0] == tr[1] {
			return false
		}
		cur = tr[1]
	}
	return true
}

func (t *transitions) has(o, n gosocket.ReconnectState) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range t.log {
		if tr[0] == o && tr[1] == n {
			return true
		}
	}
	return false
}

func fastPolicy() *gosocket.ReconnectPolicy {
	p := gosocket.DefaultReconnectPolicy()
	p.InitialDelay = 10 * time.Millisecond
	p.MaxDelay = 40 * time.Millisecond
	p.Jitter = 0
	p.MaxAttempts = 0
	p.CircuitThreshold = 1 << 30
	return &p
}

func TestReconnectStateNames(t *testing.T) {
	want := []string{"DISCONNECTED", "CONNECTING", "CONNECTED", "BACKOFF", "CIRCUIT_OPEN", "UNKNOWN"}
	for i, w := range want {
		if got := gosocket.ReconnectState(i).String(); got != w {
			t.Errorf("state %d = %q, want %q", i, got, w)
		}
	}
	p := gosocket.DefaultReconnectPolicy()
	if p.InitialDelay != 100*time.Millisecond || p.MaxDelay != 30*time.Second || p.Multiplier != 2 ||
		p.Jitter != 0.25 || p.MaxAttempts != 10 || p.CircuitThreshold != 5 || p.CircuitReset != time.Minute {
		t.Errorf("defaults = %+v", p)
	}
}

func TestReconnectorServerRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	kill := gosocket.ServeEcho(ln)
	var tr transitions
	r, err := gosocket.NewReconnector(nil, "tcp", addr, fastPolicy())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.OnStateChange = tr.add
	ctx := context.Background()
	c, err := r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gosocket.EchoOnce(t, c, "hello")
	if c2, _ := r.Conn(ctx); c2 != c {
		t.Fatal("Conn while connected returned another connection")
	}

	kill() // the server goes away
	buf := make([]byte, 1)
	_, rerr := c.Read(buf)
	if rerr == nil {
		t.Fatal("read after server death succeeded")
	}
	r.Fail(c, rerr)
	if s := r.State(); s != gosocket.ReconnectBackoff {
		t.Fatalf("state after Fail = %v", s)
	}
	// Give up after the second failed dial (not after a fixed time, which
	// a loaded machine may spend before the first retry): the hook runs
	// in Conn's goroutine before it waits out the next backoff.
	short, cancel := context.WithCancel(ctx)
	failed := 0
	r.OnStateChange = func(o, n gosocket.ReconnectState) {
		tr.add(o, n)
		if o == gosocket.ReconnectConnecting && n == gosocket.ReconnectBackoff {
			if failed++; failed == 2 {
				cancel()
			}
		}
	}
	stop := time.AfterFunc(20*time.Second, cancel) // guard only
	if _, err := r.Conn(short); err == nil {
		t.Fatal("Conn succeeded with the server down")
	}
	stop.Stop()
	cancel()
	r.OnStateChange = tr.add
	if r.Attempts() < 2 {
		t.Fatalf("attempts while down = %d", r.Attempts())
	}

	ln2, err := net.Listen("tcp", addr) // the server comes back
	if err != nil {
		t.Fatal(err)
	}
	kill2 := gosocket.ServeEcho(ln2)
	defer kill2()
	long, cancel2 := context.WithTimeout(ctx, 20*time.Second)
	defer cancel2()
	c, err = r.Conn(long)
	if err != nil {
		t.Fatal(err)
	}
	gosocket.EchoOnce(t, c, "again")
	if r.Failures() != 0 || r.Attempts() != 0 {
		t.Errorf("after reconnect: failures %d attempts %d", r.Failures(), r.Attempts())
	}
	if !tr.chain() || !tr.has(gosocket.ReconnectConnected, gosocket.ReconnectBackoff) ||
		!tr.has(gosocket.ReconnectBackoff, gosocket.ReconnectConnecting) {
		t.Errorf("transitions %v", tr.log)
	}
	r.Fail(c, nil)
	r.Fail(c, nil) // stale: no second failure
	if r.Failures() != 1 {
		t.Errorf("failures after a repeated Fail = %d", r.Failures())
	}
}

func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	_ = ln.Close()
	return a
}

func TestReconnectorGivesUp(t *testing.T) {
	p := fastPolicy()
	p.MaxAttempts = 3
	r, err := gosocket.NewReconnector(nil, "tcp", deadAddr(t), p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = r.Conn(ctx)
	if !errors.Is(err, gosocket.ErrGaveUp) {
		t.Fatalf("err = %v, want ErrGaveUp", err)
	}
	if r.Attempts() != 3 || r.Failures() != 3 || r.State() != gosocket.ReconnectDisconnected {
		t.Fatalf("attempts %d failures %d state %v", r.Attempts(), r.Failures(), r.State())
	}
	if _, err = r.Conn(ctx); !errors.Is(err, gosocket.ErrGaveUp) || r.Attempts() != 3 {
		t.Fatalf("second Conn: %v, attempts %d", err, r.Attempts())
	}
	r.Reset()
	if r.Attempts() != 0 || r.Failures() != 0 {
		t.Fatalf("after Reset: attempts %d failures %d", r.Attempts(), r.Failures())
	}
	_, err = r.Conn(ctx)
	if !errors.Is(err, gosocket.ErrGaveUp) || r.Attempts() != 3 {
		t.Fatalf("after Reset: %v, attempts %d", err, r.Attempts())
	}
	_ = r.Close()
	if _, err := r.Conn(ctx); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Conn after Close: %v", err)
	}
	_ = r.Close()
}

func TestReconnectorCircuitHalfOpen(t *testing.T) {
	p := fastPolicy()
	p.CircuitThreshold = 2
	p.CircuitReset = 300 * time.Millisecond
	addr := deadAddr(t)
	var tr transitions
	r, err := gosocket.NewReconnector(nil, "tcp", addr, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Stop once the circuit opens (after the second failure) rather than
	// at a fixed time, which a loaded machine may spend before the retry;
	// the hook runs in Conn's goroutine before it waits for the probe.
	ctx, cancel := context.WithCancel(context.Background())
	r.OnStateChange = func(o, n gosocket.ReconnectState) {
		tr.add(o, n)
		if n == gosocket.ReconnectCircuitOpen {
			cancel()
		}
	}
	stop := time.AfterFunc(20*time.Second, cancel) // guard only
	// Before the circuit opens: the probe comes CircuitReset after that.
	start := time.Now()
	_, err = r.Conn(ctx)
	stop.Stop()
	cancel()
	r.OnStateChange = tr.add
	if err == nil {
		t.Fatal("Conn to a dead port succeeded")
	}
	if r.State() != gosocket.ReconnectCircuitOpen || r.Failures() != 2 {
		t.Fatalf("state %v failures %d", r.State(), r.Failures())
	}
	if d := r.NextRetry(); d < 150*time.Millisecond || d > 300*time.Millisecond {
		t.Fatalf("next retry in %v", d)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	kill := gosocket.ServeEcho(ln)
	defer kill()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	c, err := r.Conn(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	// Measured from before the circuit opened, so never less than the
	// 300 ms reset however slow the machine (backoff alone would retry
	// after 10-40 ms); a little slack for the C clock's milliseconds.
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("probe after %v: the open circuit did not hold", el)
	}
	gosocket.EchoOnce(t, c, "probe")
	if !tr.has(gosocket.ReconnectConnecting, gosocket.ReconnectCircuitOpen) ||
		!tr.has(gosocket.ReconnectCircuitOpen, gosocket.ReconnectConnecting) || !tr.chain() {
		t.Errorf("transitions %v", tr.log)
	}
}

// BenchmarkReconnectorConn: Conn on an established connection (the hot
// path of a client that calls Conn before each request).
func BenchmarkReconnectorConn(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	kill := gosocket.ServeEcho(ln)
	defer kill()
	r, err := gosocket.NewReconnector(nil, "tcp", ln.Addr().String(), fastPolicy())
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if _, err := r.Conn(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Conn(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReconnectorFailAndRedial: one Fail + Conn cycle against a live
// server (lost -> backoff wait skipped by a zero delay -> dial -> report).
func BenchmarkReconnectorFailAndRedial(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	kill := gosocket.ServeEcho(ln)
	defer kill()
	p := fastPolicy()
	p.InitialDelay = 0
	r, err := gosocket.NewReconnector(nil, "tcp", ln.Addr().String(), p)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, err := r.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		r.Fail(c, nil)
	}
}
