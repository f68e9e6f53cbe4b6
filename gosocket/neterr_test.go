package gosocket

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// asOpError checks that err is a *net.OpError for op and returns it.
func asOpError(t *testing.T, err error, op, network string) *net.OpError {
	t.Helper()
	var oe *net.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is not a *net.OpError", err, err)
	}
	if oe.Op != op || oe.Net != network {
		t.Errorf("OpError{Op: %q, Net: %q}, want %q, %q", oe.Op, oe.Net, op, network)
	}
	if s := err.Error(); strings.Contains(s, "errno 0") || strings.Contains(s, "errno: 0") {
		t.Errorf("error text %q mentions errno 0", s)
	}
	return oe
}

func TestDialErrorIsOpError(t *testing.T) {
	addr := closedPort(t)
	_, err := Dial("tcp", addr)
	oe := asOpError(t, err, "dial", "tcp")
	if oe.Addr == nil || oe.Addr.String() != addr {
		t.Errorf("OpError.Addr = %v, want %s", oe.Addr, addr)
	}
	if want := "dial tcp " + addr + ": connect: connection refused"; err.Error() != want {
		t.Errorf("error text %q, want %q (package net's)", err.Error(), want)
	}
	var ge *Error
	if !errors.Is(err, syscall.ECONNREFUSED) || !errors.Is(err, ErrSocket) || !errors.As(err, &ge) {
		t.Errorf("%v does not match ECONNREFUSED, ErrSocket and *Error", err)
	}

	_, err = Dial("foo", addr)
	asOpError(t, err, "dial", "foo")
	if want := `dial foo: unknown network "foo"`; err.Error() != want {
		t.Errorf("error text %q, want %q", err.Error(), want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = DialContext(ctx, "tcp", addr)
	asOpError(t, err, "dial", "tcp")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled dial = %v, want context.Canceled", err)
	}

	_, err = DialUnix("unix", nil, &net.UnixAddr{Name: filepath.Join(t.TempDir(), "none"), Net: "unix"})
	asOpError(t, err, "dial", "unix")
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "connect: no such file or directory") {
		t.Errorf("DialUnix to a missing path = %v", err)
	}
	_, err = DialUnix("unix", &net.UnixAddr{Name: "x", Net: "unix"}, &net.UnixAddr{Name: "y", Net: "unix"})
	asOpError(t, err, "dial", "unix")
}

func TestDialResolveErrorIsDNSError(t *testing.T) {
	_, err := Dial("tcp", "bad host!:80")
	asOpError(t, err, "dial", "tcp")
	var de *net.DNSError
	if !errors.As(err, &de) || de.Name != "bad host!" {
		t.Fatalf("dial of a malformed name = %v, want a *net.DNSError for it", err)
	}
	if !errors.Is(err, ErrDNS) {
		t.Errorf("%v does not match ErrDNS", err)
	}
	if !strings.HasPrefix(err.Error(), "dial tcp: lookup bad host!: ") {
		t.Errorf("error text %q", err.Error())
	}
}

func TestResolveNotFound(t *testing.T) {
	// .invalid never resolves (RFC 6761); without a reachable DNS server
	// getaddrinfo may say "temporary failure" instead of "not found".
	_, err := Resolve(context.Background(), "nonexistent.invalid", 80)
	var de *net.DNSError
	if !errors.As(err, &de) || de.Name != "nonexistent.invalid" || !errors.Is(err, ErrDNS) {
		t.Fatalf("Resolve(nonexistent.invalid) = %v", err)
	}
	if de.IsTemporary || de.IsTimeout {
		t.Skipf("resolver unavailable here: %v", err)
	}
	if !de.IsNotFound || err.Error() != "lookup nonexistent.invalid: no such host" {
		t.Errorf("Resolve(nonexistent.invalid) = %#v", de)
	}
}

func TestResolveTimeoutIsDNSError(t *testing.T) {
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.testHook(1); err != nil {
		t.Fatal(err)
	}
	defer r.testHook(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = r.Resolve(ctx, "localhost", 80)
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsTimeout || de.IsNotFound || de.Name != "localhost" {
		t.Fatalf("Resolve past its deadline = %#v", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) || err.Error() != "lookup localhost: i/o timeout" {
		t.Errorf("Resolve past its deadline = %v", err)
	}
}

func TestReadWriteAcceptErrorsAreOpErrors(t *testing.T) {
	ln, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	oe := asOpError(t, err, "read", "tcp")
	if !oe.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past deadline = %v, want a timeout", err)
	}
	if oe.Source.String() != c.LocalAddr().String() || oe.Addr.String() != c.RemoteAddr().String() {
		t.Errorf("OpError addresses %v -> %v", oe.Source, oe.Addr)
	}
	if want := "read tcp " + c.LocalAddr().String() + "->" + c.RemoteAddr().String() + ": i/o timeout"; err.Error() != want {
		t.Errorf("error text %q, want %q", err.Error(), want)
	}
	c.Close()
	_, err = c.Read(make([]byte, 1))
	asOpError(t, err, "read", "tcp")
	if !errors.Is(err, net.ErrClosed) || !strings.HasSuffix(err.Error(), ": use of closed network connection") {
		t.Errorf("read after Close = %v", err)
	}
	_, err = c.Write([]byte("x"))
	asOpError(t, err, "write", "tcp")
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close = %v", err)
	}
	// The peer sees the end of the stream as a bare io.EOF, as with net.
	if _, err := s.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read at end of stream = %v, want io.EOF", err)
	}

	ln.Close()
	_, err = ln.Accept()
	oe = asOpError(t, err, "accept", "tcp4")
	if !errors.Is(err, net.ErrClosed) || oe.Addr.String() != ln.Addr().String() {
		t.Errorf("Accept after Close = %v", err)
	}
}

func TestListenErrorsAreOpErrors(t *testing.T) {
	ln, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen("tcp4", ln.Addr().String())
	oe := asOpError(t, err, "listen", "tcp4")
	if !errors.Is(err, syscall.EADDRINUSE) || !errors.Is(err, ErrSocket) || oe.Addr.String() != ln.Addr().String() {
		t.Errorf("Listen on a used port = %v", err)
	}
	if want := "listen tcp4 " + ln.Addr().String() + ": bind: address already in use"; err.Error() != want {
		t.Errorf("error text %q, want %q", err.Error(), want)
	}
	_, err = Listen("foo", ":0")
	asOpError(t, err, "listen", "foo")

	p, err := ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = ListenPacket("udp4", p.LocalAddr().String())
	asOpError(t, err, "listen", "udp4")
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("ListenPacket on a used port = %v", err)
	}
	p.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, _, err = p.ReadFrom(make([]byte, 1))
	if oe := asOpError(t, err, "read", "udp4"); !oe.Timeout() {
		t.Errorf("ReadFrom past deadline = %v", err)
	}
	_, err = p.WriteTo([]byte("x"), &net.TCPAddr{})
	asOpError(t, err, "write", "udp4")
}

func TestListenConfig(t *testing.T) {
	var lc ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, ok := ln.(*Listener); !ok {
		t.Errorf("ListenConfig.Listen returned %T", ln)
	}
	pc, err := lc.ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.WriteTo([]byte("hi"), pc.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := pc.ReadFrom(buf); err != nil || string(buf[:n]) != "hi" {
		t.Errorf("ReadFrom = %q, %v", buf[:n], err)
	}
	// A nil interface, not a typed nil, on failure.
	if ln, err := lc.Listen(context.Background(), "foo", ":0"); err == nil || ln != nil {
		t.Errorf("Listen(foo) = %v, %v", ln, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lc.Listen(ctx, "tcp", "localhost:0"); !errors.Is(err, context.Canceled) {
		t.Errorf("Listen with a cancelled ctx resolving a name = %v", err)
	}
}

func TestSetAndCloseErrorsAreOpErrors(t *testing.T) {
	ln, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn := c.(*Conn)
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		t.Fatalf("SetDeadline = %v", err)
	}
	if err := conn.SetNoDelay(true); err != nil {
		t.Fatalf("SetNoDelay = %v", err)
	}
	conn.Close()
	for name, err := range map[string]error{
		"SetDeadline":      conn.SetDeadline(time.Time{}),
		"SetReadDeadline":  conn.SetReadDeadline(time.Time{}),
		"SetWriteDeadline": conn.SetWriteDeadline(time.Time{}),
		"SetNoDelay":       conn.SetNoDelay(true),
	} {
		if asOpError(t, err, "set", "tcp"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s after Close = %v", name, err)
		}
	}
	for name, err := range map[string]error{"CloseRead": conn.CloseRead(), "CloseWrite": conn.CloseWrite()} {
		if asOpError(t, err, "close", "tcp"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s after Close = %v", name, err)
		}
	}
}
