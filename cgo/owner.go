package cgo

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by every method of a handle after Close (or Free).
// The gosocket error bridge turns it into gosocket.ErrClosed, which
// matches net.ErrClosed.
var ErrClosed = errors.New("use of closed object")

// Kind counts the live C objects of one type (allocated and not yet freed,
// by Close or by the leak backstop). Tests compare the counts with zero.
type Kind struct {
	Name string
	live atomic.Int64
}

// Live is the number of objects of k not yet freed.
func (k *Kind) Live() int64 { return k.live.Load() }

var kinds struct {
	mu   sync.Mutex
	list []*Kind
}

// NewKind registers a kind of C object under name.
func NewKind(name string) *Kind {
	k := &Kind{Name: name}
	kinds.mu.Lock()
	kinds.list = append(kinds.list, k)
	kinds.mu.Unlock()
	return k
}

// LiveObjects returns the kinds with live objects and their counts.
func LiveObjects() map[string]int64 {
	kinds.mu.Lock()
	defer kinds.mu.Unlock()
	m := make(map[string]int64)
	for _, k := range kinds.list {
		if n := k.Live(); n != 0 {
			m[k.Name] += n
		}
	}
	return m
}

// Owner is the one way a Go object owns a C object P (a pointer or a
// handle value): it is embedded in the Go wrapper and gives
//
//   - a live count per Kind,
//   - a cleanup that frees the C object if the wrapper is dropped without
//     Close (a backstop against leaks, not a substitute for Close),
//   - Use, which runs a call with the object and keeps Close from freeing
//     it meanwhile, or returns ErrClosed,
//   - an idempotent Close that waits for calls in progress.
//
// Calls under Use may run concurrently; whether the C object allows that is
// the wrapper's business (it adds its own lock where C needs one).
type Owner[P comparable] struct {
	mu      sync.RWMutex
	p       P // zero after Close
	kind    *Kind
	free    func(P)
	cleanup runtime.Cleanup
}

// Own makes o (a field of *w) the owner of p, freed by free. It must be
// called once, before w is shared.
func Own[W any, P comparable](w *W, o *Owner[P], kind *Kind, p P, free func(P)) {
	var zero P
	if p == zero {
		panic("cgo.Own: zero C object")
	}
	o.p, o.kind, o.free = p, kind, free
	kind.live.Add(1)
	o.cleanup = runtime.AddCleanup(w, func(p P) {
		free(p)
		kind.live.Add(-1)
	}, p)
}

// Use calls fn with the C object while holding off Close, or returns
// ErrClosed after Close. fn must not call Close.
func (o *Owner[P]) Use(fn func(P) error) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var zero P
	if o.p == zero {
		return ErrClosed
	}
	return fn(o.p)
}

// Closed reports whether Close has run (or Own never did).
func (o *Owner[P]) Closed() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var zero P
	return o.p == zero
}

// Close frees the C object once, after the calls under Use have returned;
// it reports whether this call freed it.
func (o *Owner[P]) Close() bool {
	o.mu.Lock()
	p := o.p
	var zero P
	o.p = zero
	o.mu.Unlock()
	if p == zero {
		return false
	}
	o.cleanup.Stop()
	o.free(p)
	o.kind.live.Add(-1)
	return true
}
