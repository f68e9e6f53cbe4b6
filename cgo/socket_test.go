package cgo

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

func closeInfo(i SockInfo) {
	if i.PollFD >= 0 {
		syscall.Close(i.PollFD)
	}
	if !i.Sock.IsZero() {
		i.Sock.Free()
	}
}

// TestSocketShims drives the stream shims by hand: would-block is 0,
// end of stream is the exception Socket_Closed, failures carry errno and
// the public exception name.
func TestSocketShims(t *testing.T) {
	s0, d0 := LiveSockets()
	ln, err := Listen(syscall.AF_INET, "127.0.0.1", 0, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeInfo(ln) }()
	if ln.LocalAddr != "127.0.0.1" || ln.LocalPort == 0 || ln.PollFD < 0 {
		t.Fatalf("listener info %+v", ln)
	}
	if _, ok, err := ln.Sock.Accept(true); ok || err != nil {
		t.Fatalf("Accept with nothing pending = %v, %v", ok, err)
	}
	c, err := Dial(syscall.AF_INET, "127.0.0.1", ln.LocalPort, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeInfo(c) }()
	var a SockInfo
	for range 1000 { // the connection is queued at once on loopback
		var ok bool
		if a, ok, err = ln.Sock.Accept(true); ok || err != nil {
			break
		}
	}
	if err != nil || a.Sock.IsZero() {
		t.Fatalf("Accept = %+v, %v", a, err)
	}
	if a.RemotePort == 0 || !a.Connected {
		t.Errorf("accepted info %+v", a)
	}
	buf := make([]byte, 8)
	if n, err := a.Sock.Recv(buf); n != 0 || err != nil {
		t.Errorf("Recv with no data = %d, %v; want 0 (would block)", n, err)
	}
	if n, err := c.Sock.Send([]byte("hi")); n != 2 || err != nil {
		t.Fatalf("Send = %d, %v", n, err)
	}
	for range 1000 {
		if n, err := a.Sock.Recv(buf); n != 0 || err != nil {
			if string(buf[:n]) != "hi" || err != nil {
				t.Fatalf("Recv = %q, %v", buf[:n], err)
			}
			break
		}
	}
	if err := c.Sock.Shutdown(syscall.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	var ce *Error
	for range 1000 {
		if _, err = a.Sock.Recv(buf); err != nil {
			break
		}
	}
	if !errors.As(err, &ce) || ce.Exception != "Socket_Closed" || ce.Errno != 0 {
		t.Errorf("Recv at EOF = %v, want Socket_Closed without errno", err)
	}
	if _, err := c.Sock.Option(OptNoDelayGet, 0); err != nil {
		t.Error(err)
	}
	if _, err := c.Sock.Option(99, 0); !errors.As(err, &ce) || ce.Exception != "Socket_Failed" {
		t.Errorf("unknown option = %v", err)
	}
	if _, _, _, err := a.Sock.PeerCred(); err == nil {
		t.Error("PeerCred on TCP succeeded")
	}
	closeInfo(a)

	// A failure: connection refused, with errno and the exception name.
	ln2, err := Listen(syscall.AF_INET, "127.0.0.1", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	port := ln2.LocalPort
	closeInfo(ln2)
	d, err := Dial(syscall.AF_INET, "127.0.0.1", port, false)
	if err == nil {
		_, err = d.Sock.ConnectResult()
		for i := 0; err == nil && i < 10000; i++ {
			var r SockInfo
			if r, err = d.Sock.ConnectResult(); r.Connected {
				break
			}
		}
		closeInfo(d)
	}
	if !errors.As(err, &ce) || ce.Exception != "Socket_Failed" || ce.Errno != syscall.ECONNREFUSED {
		t.Errorf("dial to a closed port = %#v", err)
	}
	if _, err := Dial(syscall.AF_INET, "not\x00an address", 80, false); err == nil {
		t.Error("host with NUL accepted")
	}
	if _, err := ListenUnix("", 1); !errors.As(err, &ce) || ce.Exception != "Socket_Failed" {
		t.Errorf("ListenUnix(\"\") = %v", err)
	}
	closeInfo(ln)
	ln = SockInfo{PollFD: -1}
	closeInfo(c)
	c = SockInfo{PollFD: -1}
	if s, d := LiveSockets(); s != s0 || d != d0 {
		t.Errorf("live sockets %d/%d, want %d/%d", s, d, s0, d0)
	}
}

func TestPollWaitReadsCArray(t *testing.T) {
	p, err := NewPoll(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	ln, err := Listen(syscall.AF_INET, "127.0.0.1", 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeInfo(ln) }()
	if err := p.Ctl(PollAdd, ln.Sock, PollRead, 12345); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(syscall.AF_INET, "127.0.0.1", ln.LocalPort, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeInfo(c) }()
	ev, err := p.Wait(5000, nil)
	if err != nil || len(ev) != 1 || ev[0].Data != 12345 || ev[0].Socket != ln.Sock.ID() || ev[0].Events&PollRead == 0 {
		t.Fatalf("Wait = %+v, %v", ev, err)
	}
	if err := p.Ctl(PollDel, ln.Sock, 0, 0); err != nil {
		t.Fatal(err)
	}
	var ce *Error
	if err := p.Ctl(PollMod, ln.Sock, PollRead, 0); !errors.As(err, &ce) || ce.Exception != "SocketPoll_Failed" {
		t.Errorf("Mod of an unregistered socket = %v", err)
	}
}

func TestResolverShims(t *testing.T) {
	r, fd, timeout, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Free()
	defer syscall.Close(fd)
	if timeout <= 0 {
		t.Errorf("default timeout %d ms", timeout)
	}
	req, err := r.Submit("localhost", 443)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []Addr
	for done := false; !done; {
		if _, err := r.Check(); err != nil {
			t.Fatal(err)
		}
		if addrs, done, _, err = r.Result(req, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(addrs) == 0 || addrs[0].Port != 443 {
		t.Errorf("localhost = %+v", addrs)
	}
	var ce *Error
	if _, err := r.Submit("bad name!", 1); !errors.As(err, &ce) || ce.Exception != "SocketDNS_Failed" {
		t.Errorf("Submit of a malformed name = %v", err)
	}
	// A result is available without Check (which only drains the
	// descriptor: one byte per completion).
	if _, err := r.Check(); err != nil {
		t.Fatal(err)
	}
	req, err = r.Submit("127.0.0.1", 80)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for done := false; !done; {
		if addrs, done, _, err = r.Result(req, nil); err != nil {
			t.Fatal(err)
		}
		if !done && time.Now().After(deadline) {
			t.Fatal("no result without Check")
		}
		time.Sleep(time.Millisecond)
	}
	if len(addrs) != 1 || addrs[0].Port != 80 {
		t.Errorf("127.0.0.1 = %+v", addrs)
	}
	if n, err := r.Check(); err != nil || n != 1 {
		t.Errorf("Check after one completion = %d, %v", n, err)
	}
}
