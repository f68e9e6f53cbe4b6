package gosocket

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

func TestPollUserDataAndReadiness(t *testing.T) {
	p, err := NewPoll(16)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c1, c2, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	type tag struct{ name string }
	if err := p.Add(c2.(*Conn), EventRead, &tag{"conn"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(ln, EventRead, "listener"); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(ln, EventRead, "again"); err == nil {
		t.Error("adding a socket twice succeeded")
	}
	if ev, err := p.Wait(20 * time.Millisecond); err != nil || len(ev) != 0 {
		t.Fatalf("Wait on idle sockets = %v, %v", ev, err)
	}

	c1.Write([]byte("ping"))
	ev, err := p.Wait(5 * time.Second)
	if err != nil || len(ev) != 1 {
		t.Fatalf("Wait = %v, %v; want one event", ev, err)
	}
	if tg, ok := ev[0].Data.(*tag); !ok || tg.name != "conn" || ev[0].Events&EventRead == 0 || ev[0].Source != c2.(*Conn) {
		t.Fatalf("event = %+v", ev[0])
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(c2, b); err != nil || string(b) != "ping" {
		t.Fatal(string(b), err)
	}

	// A pending connection makes the listener readable.
	dc, err := DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	ev, err = p.Wait(5 * time.Second)
	if err != nil || len(ev) != 1 || ev[0].Data != "listener" || ev[0].Source != Pollable(ln) {
		t.Fatalf("Wait = %+v, %v; want the listener", ev, err)
	}
	ac, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()

	// Mod replaces events and data; write readiness is immediate.
	if err := p.Mod(c2.(*Conn), EventWrite, 42); err != nil {
		t.Fatal(err)
	}
	ev, err = p.Wait(5 * time.Second)
	if err != nil || len(ev) != 1 || ev[0].Data != 42 || ev[0].Events&EventWrite == 0 {
		t.Fatalf("Wait after Mod = %+v, %v", ev, err)
	}
	if err := p.Del(c2.(*Conn)); err != nil {
		t.Fatal(err)
	}
	if err := p.Mod(c2.(*Conn), EventRead, nil); err == nil {
		t.Error("Mod of a deleted socket succeeded")
	}
	if ev, err := p.Wait(20 * time.Millisecond); err != nil || len(ev) != 0 {
		t.Fatalf("Wait after Del = %+v, %v", ev, err)
	}

	// Closing a watched socket removes it from the Poll.
	if err := p.Add(c2.(*Conn), EventRead|EventEdge, "closing"); err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if err := p.Add(c2.(*Conn), EventRead, nil); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Add of a closed socket = %v", err)
	}
	p.mu.Lock()
	n := len(p.regs)
	p.mu.Unlock()
	if n != 1 { // the listener
		t.Errorf("%d registrations left, want 1", n)
	}
}

func TestPollWakeFromGoroutine(t *testing.T) {
	p, err := NewPoll(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := p.Wait(-1) // forever, until woken
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not interrupt Wait")
	}
	if time.Since(start) < 25*time.Millisecond {
		t.Error("Wait returned before Wake")
	}
	// A Wake with nobody waiting makes the next Wait return at once.
	p.Wake()
	if _, err := p.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestPollCloseInterruptsWait(t *testing.T) {
	p, err := NewPoll(4)
	if err != nil {
		t.Fatal(err)
	}
	c1, _, stop := pipe(t, "tcp", "127.0.0.1:0")
	defer stop()
	if err := p.Add(c1.(*Conn), EventRead, "x"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var werr error
	go func() {
		defer wg.Done()
		_, werr = p.Wait(-1)
	}()
	time.Sleep(30 * time.Millisecond)
	p.Close()
	wg.Wait()
	if !errors.Is(werr, net.ErrClosed) {
		t.Errorf("Wait interrupted by Close = %v", werr)
	}
	if err := p.Close(); err != nil {
		t.Error(err)
	}
	if _, err := p.Wait(0); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Wait after Close = %v", err)
	}
	if err := p.Add(c1.(*Conn), EventRead, nil); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Add after Close = %v", err)
	}
	// The socket forgot the Poll and still works.
	c1.(*Conn).pollsMu.Lock()
	n := len(c1.(*Conn).polls)
	c1.(*Conn).pollsMu.Unlock()
	if n != 0 {
		t.Errorf("conn still lists %d polls", n)
	}
	if _, err := c1.Write([]byte("x")); err != nil {
		t.Error(err)
	}
}

func TestNewPollInvalid(t *testing.T) {
	for _, n := range []int{0, -1, 1 << 20} {
		if p, err := NewPoll(n); err == nil || !errors.Is(err, ErrPoll) {
			t.Errorf("NewPoll(%d) = %v, %v", n, p, err)
			if p != nil {
				p.Close()
			}
		}
	}
}
