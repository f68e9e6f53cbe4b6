package gosocket

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// Resolver resolves host names with the C library's SocketDNS: a pool of
// threads running getaddrinfo, with a completion descriptor.
//
// Design: the completion descriptor (a dup of it) sits in Go's poller. One
// goroutine per Resolver waits on it without holding an OS thread, runs
// SocketDNS_check when it fires, and wakes the Resolve calls waiting for
// a result; each then takes its own result (one cgo call). Waiting is
// thus a channel receive that a context can interrupt: on cancellation
// the request is cancelled in C (SocketDNS_cancel) and the lookup's late
// result is discarded there. This is preferred over SocketDNS_resolve_sync
// with a timeout derived from the context, which would pin a thread per
// lookup and could honour a deadline but not a cancellation.
type Resolver struct {
	own     cgo.Owner[cgo.Resolver] // the C resolver
	f       sockFile                // the completion descriptor in Go's poller
	timeout time.Duration
	done    chan struct{} // closed when the dispatcher has exited

	genMu sync.Mutex
	gen   chan struct{} // closed (and replaced) after each completion batch

	reqMu   sync.Mutex
	closing bool                 // set by Close under reqMu: no new request
	reqs    map[uintptr]struct{} // submitted, not yet finished: Close cancels them
}

// NewResolver starts a resolver with the C defaults: 4 threads, 1000
// pending lookups at most, 5 s per lookup unless the context says less.
// It holds the threads and 3 descriptors (plus a goroutine) until Close.
func NewResolver() (*Resolver, error) {
	c, fd, timeoutMS, err := cgo.NewResolver()
	if err != nil {
		return nil, wrapErr("NewResolver", err, ErrDNS)
	}
	r := &Resolver{timeout: time.Duration(timeoutMS) * time.Millisecond,
		done: make(chan struct{}), gen: make(chan struct{}),
		reqs: make(map[uintptr]struct{})}
	if err := r.f.init(fd, "gosocket-dns"); err != nil {
		syscall.Close(fd)
		c.Free()
		return nil, err
	}
	cgo.Own(r, &r.own, cgo.Resolvers, c, cgo.Resolver.Free)
	go r.dispatch()
	return r, nil
}

// ResolverIdleTimeout is how long the default resolver (used by Resolve,
// Dial and Listen for host names) stays up after its last lookup. It is
// started on demand and closed after this idle period, releasing its
// threads, descriptors and goroutine; the next lookup starts it again.
const ResolverIdleTimeout = 30 * time.Second

// resolverIdle is ResolverIdleTimeout; tests shorten it.
var resolverIdle = ResolverIdleTimeout

// def is the default resolver: created by the first lookup, closed by its
// idle timer once no lookup has used it for resolverIdle. The timer is
// made once per resolver and re-armed by each release (no allocation per
// lookup); when it fires it checks the state, so a stale expiry is
// harmless.
var def struct {
	mu       sync.Mutex
	r        *Resolver
	users    int       // lookups in progress on r
	lastUsed time.Time // end of the last lookup
	timer    *time.Timer
}

// acquireDefault returns the default resolver, starting it if needed, and
// holds it open until releaseDefault.
func acquireDefault() (*Resolver, error) {
	def.mu.Lock()
	defer def.mu.Unlock()
	if def.r == nil {
		r, err := NewResolver()
		if err != nil {
			return nil, err
		}
		def.r = r
		def.timer = time.AfterFunc(time.Hour, idleCheck)
		def.timer.Stop()
	}
	def.users++
	return def.r, nil
}

func releaseDefault(r *Resolver) {
	def.mu.Lock()
	defer def.mu.Unlock()
	def.users--
	if def.users == 0 && def.r == r {
		def.lastUsed = time.Now()
		def.timer.Reset(resolverIdle)
	}
}

// idleCheck is the idle timer's function: it closes the default resolver
// if it is idle for resolverIdle, or re-arms the timer for the rest.
func idleCheck() {
	def.mu.Lock()
	r := def.r
	if r == nil || def.users != 0 {
		def.mu.Unlock()
		return
	}
	if rest := resolverIdle - time.Since(def.lastUsed); rest > 0 {
		def.timer.Reset(rest)
		def.mu.Unlock()
		return
	}
	def.r, def.timer = nil, nil
	def.mu.Unlock()
	r.Close()
}

// closeDefault closes the default resolver now if no lookup uses it (for
// tests and leak checks).
func closeDefault() {
	def.mu.Lock()
	r := def.r
	if r == nil || def.users != 0 {
		def.mu.Unlock()
		return
	}
	def.timer.Stop()
	def.r, def.timer = nil, nil
	def.mu.Unlock()
	r.Close()
}

// Resolve resolves host with the default resolver (see
// ResolverIdleTimeout for its lifetime). See Resolver.Resolve.
func Resolve(ctx context.Context, host string, port int) ([]netip.AddrPort, error) {
	r, err := acquireDefault()
	if err != nil {
		return nil, dnsError(host, err)
	}
	defer releaseDefault(r)
	return r.Resolve(ctx, host, port)
}

// Resolve returns the addresses of host (a name or a literal; "" is the
// wildcard address) with port, IPv4 and IPv6, in getaddrinfo's order.
//
// Errors are *net.DNSError values, as package net's lookups return: a name
// that does not resolve has IsNotFound set and reads "lookup <host>: no
// such host"; the resolver's own timeout (5 s) or ctx's deadline sets
// IsTimeout; a cancelled ctx gives an error matching context.Canceled.
// Every one also matches ErrDNS or, for ctx and Close, the error the
// *Error beneath says (context.Canceled, os.ErrDeadlineExceeded,
// net.ErrClosed): DNSError.Unwrap returns that *Error.
func (r *Resolver) Resolve(ctx context.Context, host string, port int) ([]netip.AddrPort, error) {
	addrs, err := r.resolve(ctx, host, port)
	if err != nil {
		return nil, dnsError(host, err)
	}
	return addrs, nil
}

// dnsError converts an error of resolve to a *net.DNSError.
func dnsError(host string, err error) error {
	de := &net.DNSError{Name: host, Err: err.Error(), UnwrapErr: err}
	var ge *gaiError
	if errors.As(err, &ge) {
		de.UnwrapErr = ge.e
	}
	if e, ok := de.UnwrapErr.(*Error); ok {
		if e.Msg != "" {
			de.Err = e.Msg
		}
		de.IsTimeout = e.Timeout()
	}
	if ge != nil {
		switch ge.gai {
		case eaiNoName, eaiNoData:
			de.Err, de.IsNotFound = "no such host", true
		case eaiAgain:
			de.IsTemporary = true
		}
	}
	return de
}

// getaddrinfo codes (glibc values).
const (
	eaiNoName = -2
	eaiAgain  = -3
	eaiNoData = -5
)

// gaiError is a failed lookup with its getaddrinfo code.
type gaiError struct {
	gai int
	e   *Error
}

func (g *gaiError) Error() string { return g.e.Error() }
func (g *gaiError) Unwrap() error { return g.e }

func (r *Resolver) resolve(ctx context.Context, host string, port int) ([]netip.AddrPort, error) {
	if port < 0 || port > 65535 {
		return nil, &Error{Op: "Resolve", Msg: "invalid port " + strconv.Itoa(port), Kind: ErrDNS}
	}
	if ctx.Err() != nil {
		return nil, ctxError("Resolve", ctx)
	}
	req, err := r.submit(host, port)
	if err != nil {
		return nil, err
	}
	defer r.forget(req)
	var timer <-chan time.Time
	if r.timeout > 0 {
		t := time.NewTimer(r.timeout)
		defer t.Stop()
		timer = t.C
	}
	for {
		g := r.generation()
		addrs, done, err := r.result(req)
		if done || err != nil {
			return addrs, err
		}
		select {
		case <-g:
		case <-ctx.Done():
			r.cancel(req)
			return nil, ctxError("Resolve", ctx)
		case <-timer:
			r.cancel(req)
			return nil, &Error{Op: "Resolve", Msg: "i/o timeout", Kind: ErrTimeout}
		}
	}
}

func (r *Resolver) submit(host string, port int) (uintptr, error) {
	var req uintptr
	err := r.own.Use(func(c cgo.Resolver) error {
		r.reqMu.Lock()
		defer r.reqMu.Unlock()
		if r.closing {
			return cgo.ErrClosed
		}
		var err error
		if req, err = c.Submit(host, port); err != nil {
			return err
		}
		r.reqs[req] = struct{}{}
		return nil
	})
	if err != nil {
		return 0, wrapErr("Resolve", err, ErrDNS)
	}
	return req, nil
}

func (r *Resolver) forget(req uintptr) {
	r.reqMu.Lock()
	delete(r.reqs, req)
	r.reqMu.Unlock()
}

func (r *Resolver) result(req uintptr) ([]netip.AddrPort, bool, error) {
	var addrs []cgo.Addr
	var done bool
	var gai int
	err := r.own.Use(func(c cgo.Resolver) error {
		var err error
		addrs, done, gai, err = c.Result(req, nil)
		return err
	})
	if err != nil {
		err = wrapErr("Resolve", err, ErrDNS)
		if e, ok := err.(*Error); ok && gai != 0 {
			return nil, true, &gaiError{gai: gai, e: e}
		}
		return nil, true, err
	}
	out := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		var ip netip.Addr
		if a.Family == syscall.AF_INET {
			ip = netip.AddrFrom4([4]byte(a.IP[:4]))
		} else {
			ip = netip.AddrFrom16(a.IP)
			if a.ScopeID != 0 {
				ip = ip.WithZone(strconv.FormatUint(uint64(a.ScopeID), 10))
			}
		}
		out = append(out, netip.AddrPortFrom(ip, uint16(a.Port)))
	}
	return out, done, nil
}

func (r *Resolver) cancel(req uintptr) {
	r.own.Use(func(c cgo.Resolver) error { return c.Cancel(req) })
}

func (r *Resolver) generation() chan struct{} {
	r.genMu.Lock()
	defer r.genMu.Unlock()
	return r.gen
}

func (r *Resolver) broadcast() {
	r.genMu.Lock()
	close(r.gen)
	r.gen = make(chan struct{})
	r.genMu.Unlock()
}

// dispatch waits for completions and wakes the waiting Resolve calls. It
// is the only caller of SocketDNS_check, so a batch it delivers is never
// missed by a waiter: each waiter takes its generation channel before
// looking at its request.
func (r *Resolver) dispatch() {
	defer close(r.done)
	for {
		var n int
		err := r.f.rc.Read(func(uintptr) bool {
			var err error
			err = r.own.Use(func(c cgo.Resolver) error {
				var err error
				n, err = c.Check()
				return err
			})
			return n > 0 || err != nil
		})
		if err != nil {
			return // closed
		}
		r.broadcast()
	}
}

// Close cancels the lookups in progress (they return an error matching
// net.ErrClosed), stops the worker threads and frees the resolver. It is
// idempotent.
func (r *Resolver) Close() error {
	if !r.f.closeFile() { // stops the dispatcher after its current check
		return nil
	}
	<-r.done
	// SocketDNS_free resolves every queued request before it returns (as
	// the original); cancel ours first so Close does not wait for them.
	r.reqMu.Lock()
	r.closing = true
	reqs := make([]uintptr, 0, len(r.reqs))
	for req := range r.reqs {
		reqs = append(reqs, req)
	}
	r.reqMu.Unlock()
	r.own.Use(func(c cgo.Resolver) error {
		for _, req := range reqs {
			c.Cancel(req)
		}
		return nil
	})
	r.own.Close() // waits for calls in progress, then frees
	r.broadcast()
	return nil
}

// testHook exposes the C resolver's test hooks (SocketDNSExt): stall >= 0
// sets the worker stall gate; live is the number of live request records.
func (r *Resolver) testHook(stall int) (int, error) {
	var live int
	err := r.own.Use(func(c cgo.Resolver) error {
		var err error
		live, err = c.TestHook(stall)
		return err
	})
	if err != nil {
		return 0, wrapErr("Resolver.testHook", err, ErrDNS)
	}
	return live, nil
}
