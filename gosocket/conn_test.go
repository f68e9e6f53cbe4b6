package gosocket

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/nettest"
)

// pipe returns a connected pair over a gosocket Listener: c1 dialled, c2
// accepted.
func pipe(t testing.TB, network, address string) (c1, c2 net.Conn, stop func()) {
	t.Helper()
	ln, err := Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	dnet := network
	c1, err = Dial(dnet, ln.Addr().String())
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		c1.Close()
		ln.Close()
		t.Fatal(r.err)
	}
	return c1, r.c, func() {
		c1.Close()
		r.c.Close()
		ln.Close()
	}
}

func TestNetConnConformance(t *testing.T) {
	for _, tt := range []struct{ name, network, address string }{
		{"TCP4", "tcp", "127.0.0.1:0"},
		{"TCP6", "tcp6", "[::1]:0"},
		{"Unix", "unix", abstractName("nettest")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.network == "tcp6" && !nettest.SupportsIPv6() {
				t.Skip("no IPv6")
			}
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				c1, c2, stop = pipe(t, tt.network, tt.address)
				return c1, c2, stop, nil
			})
		})
	}
}

func TestConnAddrs(t *testing.T) {
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	if c1.RemoteAddr().String() != c2.LocalAddr().String() || c2.RemoteAddr().String() != c1.LocalAddr().String() {
		t.Errorf("addresses do not match: %v->%v, %v->%v", c1.LocalAddr(), c1.RemoteAddr(), c2.LocalAddr(), c2.RemoteAddr())
	}
	if _, ok := c1.LocalAddr().(*net.TCPAddr); !ok {
		t.Errorf("LocalAddr is %T", c1.LocalAddr())
	}
	if nd, err := c1.(*Conn).NoDelay(); err != nil || !nd {
		t.Errorf("NoDelay = %v, %v; want true", nd, err)
	}
	c := c2.(*Conn)
	if err := c.SetNoDelay(false); err != nil {
		t.Fatal(err)
	}
	if nd, _ := c.NoDelay(); nd {
		t.Error("SetNoDelay(false) had no effect")
	}
	if err := c.SetReadBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWriteBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	if n, err := c.ReadBuffer(); err != nil || n < 64<<10 {
		t.Errorf("ReadBuffer = %d, %v", n, err)
	}
	if n, err := c.WriteBuffer(); err != nil || n < 64<<10 {
		t.Errorf("WriteBuffer = %d, %v", n, err)
	}
	c.Close()
	if err := c.SetNoDelay(true); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetNoDelay after Close = %v", err)
	}
	if err := c.SetDeadline(time.Now()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetDeadline after Close = %v", err)
	}
}

func TestCloseWhileReading(t *testing.T) {
	c1, _, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	errc := make(chan error, 1)
	go func() {
		_, err := c1.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("blocked Read returned %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt Read")
	}
	if err := c1.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := c1.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close = %v", err)
	}
}

func TestDeadlines(t *testing.T) {
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	c1.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	start := time.Now()
	_, err := c1.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read after deadline = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 25*time.Millisecond || d > 10*time.Second { // upper bound generous: load
		t.Errorf("timed out after %v", d)
	}
	// The deadline can be lifted and the connection still works.
	c1.SetReadDeadline(time.Time{})
	go c2.Write([]byte("ok"))
	b := make([]byte, 2)
	if _, err := io.ReadFull(c1, b); err != nil || string(b) != "ok" {
		t.Fatalf("read %q, %v", b, err)
	}
	// A write deadline stops a writer the peer does not drain.
	c1.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	chunk := make([]byte, 64<<10)
	for {
		if _, err = c1.Write(chunk); err != nil {
			break
		}
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Write = %v, want a timeout", err)
	}
}

func TestEOFAndPeerClosed(t *testing.T) {
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	c2.Write([]byte("bye"))
	c2.Close()
	b, err := io.ReadAll(c1)
	if err != nil || string(b) != "bye" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	if n, err := c1.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read after EOF = %d, %v; want io.EOF", n, err)
	}
	// Writing to a closed peer fails with EPIPE or ECONNRESET, not net.ErrClosed.
	for range 100 {
		if _, err = c1.Write(make([]byte, 1024)); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("Write to closed peer = %v, want EPIPE or ECONNRESET", err)
	}
	if !errors.Is(err, ErrPeerClosed) || errors.Is(err, net.ErrClosed) {
		t.Errorf("Write to closed peer = %v: want ErrPeerClosed, not net.ErrClosed", err)
	}
}

func TestCloseWrite(t *testing.T) {
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	c1.Write([]byte("half"))
	if err := c1.(*Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c2)
	if err != nil || string(b) != "half" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	c2.Write([]byte("back"))
	b = make([]byte, 4)
	if _, err := io.ReadFull(c1, b); err != nil || string(b) != "back" {
		t.Errorf("read after CloseWrite = %q, %v", b, err)
	}
}

func TestDialErrors(t *testing.T) {
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Dial to closed port = %v, want ECONNREFUSED", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DialContext(ctx, "tcp", addr); !errors.Is(err, context.Canceled) {
		t.Errorf("Dial with cancelled ctx = %v", err)
	}
	for _, tt := range []struct{ network, addr string }{
		{"tcp", "no-port"}, {"udp", "127.0.0.1:1"}, {"tcp4", "[::1]:80"}, {"tcp", "127.0.0.1:99999"},
	} {
		if _, err := Dial(tt.network, tt.addr); err == nil {
			t.Errorf("Dial(%q, %q) succeeded", tt.network, tt.addr)
		}
	}
	if _, err := Listen("tcp", "127.0.0.1:-1"); err == nil {
		t.Error("Listen on port -1 succeeded")
	}
}

// TestDialTimeout dials a listener (backlog 0) whose accept queue is
// full, so the SYN is dropped and the connect stays in progress until the
// deadline.
func TestDialTimeout(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 64 {
		start := time.Now()
		c, err := DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("DialTimeout = %v, want a timeout", err)
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("DialTimeout error %v is not a net.Error timeout", err)
			}
			if d := time.Since(start); d < 90*time.Millisecond || d > 5*time.Second {
				t.Errorf("timed out after %v", d)
			}
			return
		}
		conns = append(conns, c) // queued, never accepted
	}
	t.Skip("could not fill the accept queue")
}

func TestConcurrentCloseRace(t *testing.T) {
	// Close racing with Read, Write and deadline changes: no crash, no
	// double free (the C live count is checked by TestMain).
	for range 20 {
		c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(3)
			go func() { defer wg.Done(); c1.Read(make([]byte, 100)) }()
			go func() { defer wg.Done(); c1.Write(make([]byte, 100)) }()
			go func() { defer wg.Done(); c1.SetDeadline(time.Now().Add(time.Millisecond)) }()
		}
		go c2.Close()
		c1.Close()
		wg.Wait()
		stop()
	}
}

func TestListenWildcardDualStack(t *testing.T) {
	ln, err := Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(c.RemoteAddr().(*net.TCPAddr).IP.String()))
			c.Close()
		}
	}()
	for _, host := range []string{"127.0.0.1", "::1"} {
		if host == "::1" && !nettest.SupportsIPv6() {
			continue
		}
		c, err := DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(c)
		c.Close()
		if err != nil || string(b) != host { // IPv4 peers are reported unmapped
			t.Errorf("via %s: server saw %q, %v", host, b, err)
		}
	}
}
