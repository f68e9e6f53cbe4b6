package gosocket

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestInterleaveFamilies(t *testing.T) {
	p := netip.MustParseAddrPort
	in := []netip.AddrPort{p("[::1]:1"), p("[::2]:1"), p("10.0.0.1:1"), p("10.0.0.2:1"), p("[::3]:1")}
	want := []netip.AddrPort{p("[::1]:1"), p("10.0.0.1:1"), p("[::2]:1"), p("10.0.0.2:1"), p("[::3]:1")}
	if got := interleaveFamilies(in); !slices.Equal(got, want) {
		t.Errorf("interleaveFamilies = %v, want %v", got, want)
	}
	in = []netip.AddrPort{p("10.0.0.1:1"), p("10.0.0.2:1"), p("[::1]:1")}
	want = []netip.AddrPort{p("10.0.0.1:1"), p("[::1]:1"), p("10.0.0.2:1")}
	if got := interleaveFamilies(in); !slices.Equal(got, want) {
		t.Errorf("interleaveFamilies = %v, want %v", got, want)
	}
}

// stalledAddr returns a loopback address whose SYNs are dropped: a
// listener (backlog 0) whose accept queue is full. Skips the test when the
// kernel keeps accepting.
func stalledAddr(t *testing.T) netip.AddrPort {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	ap := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(sa.(*syscall.SockaddrInet4).Port))
	for range 16 {
		// A dropped SYN is retried after 1 s, so a dial still pending
		// after 1 s was dropped; a shorter timeout could also cut a dial
		// that a loaded machine merely completes late.
		c, err := DialTimeout("tcp", ap.String(), time.Second)
		if err != nil {
			return ap // this SYN was dropped: the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("kernel accepted every connection; no stalled address to race")
	return ap
}

func listenAP(t *testing.T) (net.Listener, netip.AddrPort) {
	t.Helper()
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, netip.MustParseAddrPort(ln.Addr().String())
}

func TestDialRaceFallsBackAfterDelay(t *testing.T) {
	stalled := stalledAddr(t)
	_, ok := listenAP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	c, err := dialRace(ctx, "tcp", []netip.AddrPort{stalled, ok}, 100*time.Millisecond)
	d := time.Since(start)
	if err != nil {
		t.Fatalf("dialRace = %v", err)
	}
	defer c.Close()
	if got := c.RemoteAddr().String(); got != ok.String() {
		t.Errorf("winner %s, want %s", got, ok)
	}
	// Not before the delay; the upper bound only tells the fallback from
	// the stalled dial's end (the 30 s context) and allows for load.
	if d < 80*time.Millisecond || d > 10*time.Second {
		t.Errorf("won after %v, want about the 100ms fallback delay", d)
	}
}

func TestDialRaceFailureStartsNextAtOnce(t *testing.T) {
	_, ok := listenAP(t)
	refusedLn, refused := listenAP(t)
	refusedLn.Close() // its port now refuses
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	c, err := dialRace(ctx, "tcp", []netip.AddrPort{refused, ok}, 30*time.Second)
	if err != nil {
		t.Fatalf("dialRace = %v", err)
	}
	defer c.Close()
	// Far below the 30 s fallback delay it must not wait for, far above
	// what a loaded machine needs for two loopback dials.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("fallback after a refusal took %v, want no delay", d)
	}
	if got := c.RemoteAddr().String(); got != ok.String() {
		t.Errorf("winner %s, want %s", got, ok)
	}
}

func TestDialRaceAllFail(t *testing.T) {
	a, pa := listenAP(t)
	b, pb := listenAP(t)
	a.Close()
	b.Close()
	_, err := dialRace(context.Background(), "tcp", []netip.AddrPort{pa, pb}, 50*time.Millisecond)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialRace = %v, want ECONNREFUSED", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("error %v is not a dial *net.OpError", err)
	}
}

func TestDialRaceContextDeadline(t *testing.T) {
	stalled := stalledAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := dialRace(ctx, "tcp", []netip.AddrPort{stalled, stalled}, 50*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dialRace = %v, want a deadline error", err)
	}
}
