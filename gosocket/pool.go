package gosocket

// Pool: a bounded set of server connections with admission limits (rate,
// per-IP, SYN protection) on Accept and a graceful drain, the Go
// counterpart of the C SocketPool.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// PoolState is the lifecycle of a Pool: Running, then Draining (new
// connections refused, waiting for the rest), then Stopped (terminal).
// The values are those of the C SocketPool_State.
type PoolState int

// The pool states.
const (
	PoolRunning  PoolState = 0
	PoolDraining PoolState = 1
	PoolStopped  PoolState = 2
)

func (s PoolState) String() string {
	switch s {
	case PoolRunning:
		return "RUNNING"
	case PoolDraining:
		return "DRAINING"
	case PoolStopped:
		return "STOPPED"
	}
	return fmt.Sprintf("PoolState(%d)", int(s))
}

// PoolHealth is the state as a load balancer's health check sees it
// (values of the C SocketPool_Health).
type PoolHealth int

// The health values: Running is Healthy.
const (
	PoolHealthy        PoolHealth = 0
	PoolHealthDraining PoolHealth = 1
	PoolHealthStopped  PoolHealth = 2
)

func (h PoolHealth) String() string {
	switch h {
	case PoolHealthy:
		return "HEALTHY"
	case PoolHealthDraining:
		return "DRAINING"
	case PoolHealthStopped:
		return "STOPPED"
	}
	return fmt.Sprintf("PoolHealth(%d)", int(h))
}

var (
	// ErrPoolFull is returned by Pool.Add when MaxConns connections are
	// tracked.
	ErrPoolFull = errors.New("gosocket: pool is full")
	// ErrPoolDraining is returned by Pool.Add, and by Accept of a
	// Pool.Listener, once the pool drains or has stopped. It matches
	// net.ErrClosed, so accept loops (net/http's Serve among them) end.
	ErrPoolDraining = fmt.Errorf("gosocket: pool is draining or stopped: %w", net.ErrClosed)
)

// PoolConfig configures NewPool. Zero values disable a limit.
type PoolConfig struct {
	// MaxConns bounds the tracked connections (0: 10000, the C
	// SOCKET_MAX_CONNECTIONS).
	MaxConns int
	// MaxPerIP bounds simultaneous accepted connections per client IP
	// (0: unlimited). Counted with an IPTracker.
	MaxPerIP int
	// ConnRate is the accepted connections per second (0: unlimited),
	// with bursts up to Burst (0: ConnRate). A token bucket
	// (RateLimiter); Add takes no token.
	ConnRate, Burst int
	// IdleTimeout is the idle time after which CloseIdle closes a
	// connection (0: CloseIdle closes them all).
	IdleTimeout time.Duration
	// SYNProtect, if set, judges each accepted peer (borrowed: the caller
	// closes it after the pool).
	SYNProtect *SYNProtect
	// OnDrained, if set, runs once when the pool reaches Stopped, with
	// forced reporting whether connections were force-closed. It runs on
	// the goroutine that caused the transition, without the pool's lock.
	OnDrained func(forced bool)
}

// Pool tracks connections up to a limit, decides on Accept of its
// listeners whether a new connection gets in, and drains gracefully.
//
// It is a Go state machine over Go-owned connections: the C SocketPool
// owns and frees its Socket_T objects (cleanup, resize, forced drain), so
// it would free sockets that a *Conn (or any net.Conn) still owns. The C
// accounting objects are used as they are: an IPTracker for the per-IP
// limit, a RateLimiter for the rate, and the caller's SYNProtect.
//
// A Pool is safe for concurrent use. It holds C memory: call Close.
type Pool struct {
	cfg   PoolConfig
	max   int
	ips   *IPTracker
	rate  *RateLimiter
	mu    sync.Mutex
	state PoolState
	conns map[net.Conn]*poolEntry
	lns   map[*poolListener]struct{}
	// stopped is closed on the transition to Stopped.
	stopped  chan struct{}
	forced   bool
	forceErr error
	closed   bool
}

type poolEntry struct {
	conn net.Conn // what Range hands out
	last *atomic.Int64
}

// NewPool returns a Running pool.
func NewPool(cfg PoolConfig) (*Pool, error) {
	if cfg.MaxConns < 0 || cfg.MaxPerIP < 0 || cfg.ConnRate < 0 || cfg.Burst < 0 || cfg.IdleTimeout < 0 {
		return nil, &Error{Op: "NewPool", Msg: "negative limit", Kind: ErrInvalidInput}
	}
	p := &Pool{
		cfg:     cfg,
		max:     cfg.MaxConns,
		conns:   make(map[net.Conn]*poolEntry),
		lns:     make(map[*poolListener]struct{}),
		stopped: make(chan struct{}),
	}
	if p.max == 0 {
		p.max = 10000
	}
	if cfg.MaxPerIP > 0 {
		ips, err := NewIPTracker(cfg.MaxPerIP, 0)
		if err != nil {
			return nil, err
		}
		p.ips = ips
	}
	if cfg.ConnRate > 0 {
		rate, err := NewRateLimiter(cfg.ConnRate, cfg.Burst)
		if err != nil {
			if p.ips != nil {
				p.ips.Close()
			}
			return nil, err
		}
		p.rate = rate
	}
	return p, nil
}

// State is the current state.
func (p *Pool) State() PoolState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Health is the state seen as health: Running is Healthy.
func (p *Pool) Health() PoolHealth {
	return PoolHealth(p.State())
}

// Len is the number of tracked connections.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Add tracks c, which the caller accepted or dialled itself, until Remove
// or a forced drain (which closes it). It takes no rate token and counts
// no IP: limits apply on Accept. Adding a tracked connection again is a
// no-op.
func (p *Pool) Add(c net.Conn) error {
	if c == nil {
		return &Error{Op: "Pool.Add", Msg: "nil connection", Kind: ErrInvalidInput}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != PoolRunning {
		return ErrPoolDraining
	}
	if _, ok := p.conns[c]; ok {
		return nil
	}
	if len(p.conns) >= p.max {
		return ErrPoolFull
	}
	last := new(atomic.Int64)
	last.Store(time.Now().UnixNano())
	p.conns[c] = &poolEntry{conn: c, last: last}
	return nil
}

// Remove stops tracking c (not closed). While draining, removing the last
// connection stops the pool.
func (p *Pool) Remove(c net.Conn) {
	p.untrack(c)
}

func (p *Pool) untrack(c net.Conn) {
	p.mu.Lock()
	if _, ok := p.conns[c]; !ok {
		p.mu.Unlock()
		return
	}
	delete(p.conns, c)
	stop := p.state == PoolDraining && len(p.conns) == 0
	if stop {
		p.stopLocked(false, nil)
	}
	p.mu.Unlock()
	if stop && p.cfg.OnDrained != nil {
		p.cfg.OnDrained(false)
	}
}

// Range calls f for each tracked connection (in no particular order)
// until f returns false. It works on a snapshot taken under the lock, so
// f may use the pool and close connections.
func (p *Pool) Range(f func(net.Conn) bool) {
	p.mu.Lock()
	snap := make([]net.Conn, 0, len(p.conns))
	for _, e := range p.conns {
		snap = append(snap, e.conn)
	}
	p.mu.Unlock()
	for _, c := range snap {
		if !f(c) {
			return
		}
	}
}

// CloseIdle closes the tracked connections without reads or writes (for
// accepted ones) or added (for Add's) for more than IdleTimeout; with an
// IdleTimeout of 0, all of them. It returns how many it closed.
func (p *Pool) CloseIdle() int {
	now := time.Now().UnixNano()
	var idle []net.Conn
	p.mu.Lock()
	for _, e := range p.conns {
		if p.cfg.IdleTimeout == 0 || now-e.last.Load() > int64(p.cfg.IdleTimeout) {
			idle = append(idle, e.conn)
		}
	}
	p.mu.Unlock()
	for _, c := range idle {
		c.Close()
		p.untrack(c) // Add's connections do not untrack themselves
	}
	return len(idle)
}

// Drain refuses new connections from now on (Add and every Accept of the
// pool's listeners fail with ErrPoolDraining; the listeners are closed so
// that accept loops end) and waits until every tracked connection is
// closed or removed: the pool then stops and Drain returns nil. If ctx
// ends first, the remaining connections are closed, the pool stops, and
// Drain returns an error wrapping ctx.Err() (context.DeadlineExceeded at a
// deadline). On a stopped pool it returns at once: nil, or that error
// again if the stop was forced.
func (p *Pool) Drain(ctx context.Context) error {
	p.mu.Lock()
	var lns []*poolListener
	stopNow := false
	if p.state == PoolRunning {
		p.state = PoolDraining
		for l := range p.lns {
			lns = append(lns, l)
		}
		if len(p.conns) == 0 {
			p.stopLocked(false, nil)
			stopNow = true
		}
	}
	p.mu.Unlock()
	for _, l := range lns {
		l.Listener.Close()
	}
	if stopNow && p.cfg.OnDrained != nil {
		p.cfg.OnDrained(false)
	}
	select {
	case <-p.stopped:
	case <-ctx.Done():
		p.force(fmt.Errorf("gosocket: pool drain forced: %w", ctx.Err()))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forceErr
}

// stopLocked moves to Stopped; the caller runs OnDrained after unlocking.
func (p *Pool) stopLocked(forced bool, err error) {
	p.state = PoolStopped
	p.forced = forced
	p.forceErr = err
	close(p.stopped)
}

// force closes every tracked connection and stops the pool, unless it has
// stopped already.
func (p *Pool) force(err error) {
	p.mu.Lock()
	if p.state == PoolStopped {
		p.mu.Unlock()
		return
	}
	lns := make([]*poolListener, 0, len(p.lns))
	for l := range p.lns {
		lns = append(lns, l)
	}
	victims := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		victims = append(victims, c)
	}
	clear(p.conns)
	p.stopLocked(true, err)
	p.mu.Unlock()
	for _, l := range lns {
		l.Listener.Close()
	}
	for _, c := range victims {
		c.Close() // a pool connection releases its IP count once
	}
	if p.cfg.OnDrained != nil {
		p.cfg.OnDrained(true)
	}
}

// Close force-closes whatever is still tracked and frees the C objects.
// A pool that has not stopped stops as a forced drain does (OnDrained
// runs with forced true, later Drain calls return an error matching
// net.ErrClosed). It is idempotent.
func (p *Pool) Close() error {
	p.force(fmt.Errorf("gosocket: pool closed: %w", net.ErrClosed))
	p.mu.Lock()
	closed := p.closed
	p.closed = true
	p.mu.Unlock()
	if closed {
		return nil
	}
	if p.ips != nil {
		p.ips.Close()
	}
	if p.rate != nil {
		p.rate.Close()
	}
	return nil
}

// Listener wraps l so that each accepted connection passes the pool's
// admission, in order: the pool is running (else the connection is closed
// and Accept returns ErrPoolDraining), SYN protection (BLOCK and
// CHALLENGE close the connection; THROTTLE delays it), a free slot, a
// rate token, the per-IP limit. A refused connection is closed and Accept
// waits for the next one, so a burst of refusals does not make
// http.Server.Serve back off or stop. An admitted connection is tracked
// until its Close, which also releases its IP count exactly once. Drain
// and Close close the returned listener.
func (p *Pool) Listener(l net.Listener) net.Listener {
	pl := &poolListener{Listener: l, p: p}
	p.mu.Lock()
	p.lns[pl] = struct{}{}
	p.mu.Unlock()
	return pl
}

type poolListener struct {
	net.Listener
	p *Pool
}

func (l *poolListener) Close() error {
	l.p.mu.Lock()
	delete(l.p.lns, l)
	l.p.mu.Unlock()
	return l.Listener.Close()
}

func (l *poolListener) Accept() (net.Conn, error) {
	p := l.p
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if p.State() != PoolRunning {
				return nil, ErrPoolDraining
			}
			return nil, err
		}
		pc, err := p.admit(c)
		if err != nil {
			return nil, err
		}
		if pc != nil {
			return pc, nil
		}
	}
}

// admit decides on c: (conn, nil) admitted, (nil, nil) refused and
// closed, (nil, ErrPoolDraining) the pool no longer accepts.
func (p *Pool) admit(c net.Conn) (net.Conn, error) {
	if p.State() != PoolRunning {
		c.Close()
		return nil, ErrPoolDraining
	}
	ip := remoteIP(c.RemoteAddr())
	if syn := p.cfg.SYNProtect; syn != nil {
		switch syn.Check(ip) {
		case SYNBlock, SYNChallenge:
			syn.ReportFailure(ip)
			c.Close()
			return nil, nil
		case SYNThrottle:
			time.Sleep(syn.throttleDelay)
		}
	}
	if p.Len() >= p.max || (p.rate != nil && !p.rate.Allow(1)) {
		c.Close()
		return nil, nil
	}
	if p.ips != nil && !p.ips.Track(ip) {
		c.Close()
		return nil, nil
	}
	pc := &poolConn{Conn: c, p: p, ip: ip}
	pc.last.Store(time.Now().UnixNano())
	p.mu.Lock()
	switch {
	case p.state != PoolRunning:
		err := ErrPoolDraining
		p.mu.Unlock()
		pc.Close()
		return nil, err
	case len(p.conns) >= p.max:
		p.mu.Unlock()
		pc.Close()
		return nil, nil
	}
	p.conns[pc] = &poolEntry{conn: pc, last: &pc.last}
	p.mu.Unlock()
	if syn := p.cfg.SYNProtect; syn != nil {
		syn.ReportSuccess(ip)
	}
	return pc, nil
}

// poolConn is an admitted connection: it records activity for CloseIdle
// and leaves the pool (and its IP count) on the first Close.
type poolConn struct {
	net.Conn
	p    *Pool
	ip   string
	last atomic.Int64
	once sync.Once
}

func (c *poolConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (c *poolConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// CloseWrite half-closes when the wrapped connection can (TCP, Unix).
func (c *poolConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return &Error{Op: "CloseWrite", Msg: "not supported by the connection", Kind: ErrInvalidInput}
}

func (c *poolConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.p.ips != nil {
			c.p.ips.Release(c.ip)
		}
		c.p.untrack(c)
	})
	return err
}
