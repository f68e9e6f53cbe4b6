package cgo

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type ownedThing struct {
	own Owner[*int]
}

func TestOwnerUseCloseIdempotent(t *testing.T) {
	kind := NewKind("test-owner")
	var freed atomic.Int32
	w := &ownedThing{}
	v := 7
	Own(w, &w.own, kind, &v, func(p *int) { freed.Add(1) })
	if kind.Live() != 1 {
		t.Fatalf("Live = %d, want 1", kind.Live())
	}
	if err := w.own.Use(func(p *int) error {
		if *p != 7 {
			t.Errorf("Use saw %d", *p)
		}
		return nil
	}); err != nil {
		t.Fatalf("Use = %v", err)
	}
	sentinel := errors.New("from fn")
	if err := w.own.Use(func(*int) error { return sentinel }); err != sentinel {
		t.Fatalf("Use did not return fn's error: %v", err)
	}
	if !w.own.Close() || w.own.Close() {
		t.Fatal("Close should report true once, then false")
	}
	if freed.Load() != 1 || kind.Live() != 0 {
		t.Fatalf("freed %d times, Live %d; want 1, 0", freed.Load(), kind.Live())
	}
	if err := w.own.Use(func(*int) error { t.Error("fn ran after Close"); return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Use after Close = %v, want ErrClosed", err)
	}
	if !w.own.Closed() {
		t.Fatal("Closed() = false after Close")
	}
}

// Close waits for calls in progress and never frees under them.
func TestOwnerCloseWaitsForUse(t *testing.T) {
	kind := NewKind("test-owner-wait")
	var freed atomic.Bool
	w := &ownedThing{}
	v := 1
	Own(w, &w.own, kind, &v, func(*int) { freed.Store(true) })
	inUse := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.own.Use(func(*int) error {
			close(inUse)
			<-release
			if freed.Load() {
				t.Error("freed while in use")
			}
			return nil
		})
	}()
	<-inUse
	closed := make(chan struct{})
	go func() { w.own.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a call was in progress")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-closed
	wg.Wait()
	if !freed.Load() {
		t.Fatal("not freed after Close")
	}
}

// A wrapper dropped without Close is freed by the cleanup backstop.
func TestOwnerCleanupBackstop(t *testing.T) {
	kind := NewKind("test-owner-leak")
	done := make(chan struct{})
	func() {
		w := &ownedThing{}
		v := 3
		Own(w, &w.own, kind, &v, func(*int) { close(done) })
	}()
	// Cleanups run on a goroutine of the runtime's: poll with a generous
	// deadline (50 tries of 10 ms were too few on a loaded machine).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		select {
		case <-done:
			// The count drops just after the free function returns.
			for kind.Live() != 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if n := kind.Live(); n != 0 {
				t.Fatalf("%d live after the free function ran", n)
			}
			if _, ok := LiveObjects()["test-owner-leak"]; ok {
				t.Fatal("LiveObjects still lists the freed kind")
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("cleanup never freed the dropped object")
}
