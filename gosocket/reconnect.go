package gosocket

// Reconnector: a connection that redials by itself, with the backoff,
// jitter, max-attempts and circuit-breaker policy of the C module
// SocketReconnect. The C state machine runs in external mode
// (SocketExt_reconnect_set_external): it decides when to attempt, how long
// to wait and when to give up; Go dials with a Dialer on its own poller, so
// no OS thread is pinned and contexts and deadlines work as usual. Each
// step (connect, tick, report) is one cgo call.

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// ReconnectState is the state of a Reconnector (SocketReconnect_State).
type ReconnectState int

// The states, with the C library's values.
const (
	ReconnectDisconnected ReconnectState = cgo.ReconnectDisconnected // idle, or gave up
	ReconnectConnecting   ReconnectState = cgo.ReconnectConnecting   // a dial is in progress
	ReconnectConnected    ReconnectState = cgo.ReconnectConnected    // Conn returns the connection
	ReconnectBackoff      ReconnectState = cgo.ReconnectBackoff      // waiting before the next attempt
	ReconnectCircuitOpen  ReconnectState = cgo.ReconnectCircuitOpen  // too many failures; one probe after CircuitReset
)

// String returns the C library's name: "DISCONNECTED", "CONNECTING",
// "CONNECTED", "BACKOFF", "CIRCUIT_OPEN" or "UNKNOWN".
func (s ReconnectState) String() string { return cgo.ReconnectStateName(int(s)) }

// ReconnectPolicy is SocketReconnect_Policy_T with durations (rounded down
// to milliseconds). DefaultReconnectPolicy gives the C defaults.
type ReconnectPolicy struct {
	InitialDelay     time.Duration // first backoff step
	MaxDelay         time.Duration // cap before jitter
	Multiplier       float64       // growth per attempt
	Jitter           float64       // delay varies by +/- Jitter x delay
	MaxAttempts      int           // attempts per cycle before giving up; 0: unlimited
	CircuitThreshold int           // consecutive failures that open the circuit
	CircuitReset     time.Duration // open time before the half-open probe
}

// DefaultReconnectPolicy returns SocketReconnect_policy_defaults: 100 ms
// initial delay, 30 s cap, multiplier 2, jitter 0.25, 10 attempts, circuit
// open after 5 failures for 60 s.
func DefaultReconnectPolicy() ReconnectPolicy {
	p, err := cgo.ReconnectPolicyDefaults()
	if err != nil {
		panic(wrapErr("DefaultReconnectPolicy", err, ErrSocket))
	}
	return ReconnectPolicy{
		InitialDelay:     ms(p.InitialDelayMS),
		MaxDelay:         ms(p.MaxDelayMS),
		Multiplier:       p.Multiplier,
		Jitter:           p.Jitter,
		MaxAttempts:      p.MaxAttempts,
		CircuitThreshold: p.CircuitThreshold,
		CircuitReset:     ms(p.CircuitResetMS),
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func toMS(d time.Duration) int {
	m := d.Milliseconds()
	if m > 1<<31-1 {
		return 1<<31 - 1
	}
	if m < -1<<31 {
		return -1 << 31
	}
	return int(m)
}

// ErrGaveUp is returned by Reconnector.Conn once MaxAttempts attempts of a
// cycle have failed; Reset starts a new cycle.
var ErrGaveUp = errors.New("gosocket: reconnect: gave up after max attempts")

// A Reconnector keeps one connection to an address and redials it after a
// failure, waiting as its policy says. Use Conn to get the current
// connection (dialling if needed) and Fail to report that it broke. It is
// safe for concurrent use; OnStateChange is called from the goroutine that
// caused the change, never with the Reconnector's lock held.
//
// A Reconnector holds C memory; call Close when done with it.
type Reconnector struct {
	// OnStateChange, if set before first use, is called after each state
	// change with the old and new state.
	OnStateChange func(old, new ReconnectState)

	dialer           *Dialer
	network, address string
	sem              chan struct{} // one step at a time (the C context is single-threaded)
	rc               *cgo.Reconnect

	// guarded by sem
	conn    net.Conn
	lastErr error
	state   ReconnectState
	closed  bool
	mu      sync.Mutex // guards status for the lock-free getters
	status  cgo.ReconnectStatus
}

// NewReconnector returns a Reconnector for address on network ("tcp",
// "tcp4", "tcp6" or "unix"), dialled with d (nil: the defaults) under
// policy p (nil: DefaultReconnectPolicy). Nothing is dialled yet.
func NewReconnector(d *Dialer, network, address string, p *ReconnectPolicy) (*Reconnector, error) {
	pol := DefaultReconnectPolicy()
	if p != nil {
		pol = *p
	}
	host, port := address, 1
	if h, ps, err := net.SplitHostPort(address); err == nil {
		if n, err := strconv.Atoi(ps); err == nil && n > 0 && n < 65536 {
			host, port = h, n
		}
	}
	if len(host) > 255 {
		host = host[:255]
	}
	if host == "" {
		host = "localhost"
	}
	rc, err := cgo.NewReconnect(host, port, cgo.ReconnectPolicy{
		InitialDelayMS:   toMS(pol.InitialDelay),
		MaxDelayMS:       toMS(pol.MaxDelay),
		Multiplier:       pol.Multiplier,
		Jitter:           pol.Jitter,
		MaxAttempts:      pol.MaxAttempts,
		CircuitThreshold: pol.CircuitThreshold,
		CircuitResetMS:   toMS(pol.CircuitReset),
	})
	if err != nil {
		return nil, wrapErr("NewReconnector", err, ErrSocket)
	}
	return &Reconnector{dialer: d, network: network, address: address,
		sem: make(chan struct{}, 1), rc: rc,
		status: cgo.ReconnectStatus{NextTimeoutMS: -1}}, nil
}

// lock takes the step lock, or fails with ctx's error.
func (r *Reconnector) lock(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		if r.closed {
			<-r.sem
			return &Error{Op: "Reconnector", Msg: "use of closed Reconnector", Kind: ErrClosed}
		}
		return nil
	case <-ctx.Done():
		return ctxError("Reconnector.Conn", ctx)
	}
}

// step runs one C operation under the lock; it returns the state change
// to report once the lock is released.
func (r *Reconnector) step(op, arg int) (old, cur ReconnectState, err error) {
	st, err := r.rc.Step(op, arg)
	if err != nil {
		return r.state, r.state, wrapErr("Reconnector", err, ErrSocket)
	}
	old, r.state = r.state, ReconnectState(st.State)
	r.mu.Lock()
	r.status = st
	r.mu.Unlock()
	return old, r.state, nil
}

func (r *Reconnector) notify(old, cur ReconnectState) {
	if old != cur && r.OnStateChange != nil {
		r.OnStateChange(old, cur)
	}
}

// Conn returns the current connection, dialling (and waiting out backoff
// delays and an open circuit) until one is up, ctx is done, or the policy
// gives up (ErrGaveUp, joined with the last dial error). A dial cancelled
// by ctx counts as a failed attempt.
func (r *Reconnector) Conn(ctx context.Context) (net.Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	for {
		if err := r.lock(ctx); err != nil {
			return nil, err
		}
		c, wait, old, cur, err := r.advance(ctx)
		<-r.sem
		r.notify(old, cur)
		if c != nil || err != nil {
			return c, err
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctxError("Reconnector.Conn", ctx)
			}
		}
	}
}

// advance does one step under the lock: returns the connection, or how
// long to wait before the next step, or a final error.
func (r *Reconnector) advance(ctx context.Context) (c net.Conn, wait time.Duration, old, cur ReconnectState, err error) {
	if r.state == ReconnectConnected && r.conn != nil {
		// In external mode only our own steps change the state: no crossing.
		return r.conn, 0, r.state, r.state, nil
	}
	st, err := r.rc.Step(cgo.ReconnectQuery, 0)
	if err != nil {
		return nil, 0, r.state, r.state, wrapErr("Reconnector", err, ErrSocket)
	}
	switch ReconnectState(st.State) {
	case ReconnectConnected:
		return r.conn, 0, r.state, r.state, nil
	case ReconnectDisconnected:
		old, cur, err = r.step(cgo.ReconnectConnect, 0)
		if err == nil && cur == ReconnectDisconnected {
			// max_attempts used up: connect only counted a failure.
			err = errors.Join(ErrGaveUp, r.lastErr)
		}
		return nil, 0, old, cur, err
	case ReconnectConnecting:
		conn, derr := r.dialer.DialContext(ctx, r.network, r.address)
		if derr == nil {
			r.conn = conn
			old, cur, err = r.step(cgo.ReconnectReportOK, 0)
			if err != nil {
				_ = conn.Close()
				r.conn = nil
			}
			return nil, 0, old, cur, err
		}
		r.lastErr = derr
		old, cur, err = r.step(cgo.ReconnectReportFail, int(errnoOf(derr)))
		if err == nil && cur == ReconnectDisconnected {
			err = errors.Join(ErrGaveUp, derr)
		} else if err == nil && ctx.Err() != nil {
			err = derr
		}
		return nil, 0, old, cur, err
	default: // BACKOFF, CIRCUIT_OPEN
		if st.NextTimeoutMS > 0 {
			return nil, ms(st.NextTimeoutMS), r.state, r.state, nil
		}
		old, cur, err = r.step(cgo.ReconnectTick, 0)
		return nil, 0, old, cur, err
	}
}

// Fail reports that c, a connection Conn returned, broke (err may be nil):
// c is closed and the Reconnector backs off before redialling. A c that is
// no longer the current connection is only closed.
func (r *Reconnector) Fail(c net.Conn, err error) {
	if c != nil {
		_ = c.Close()
	}
	if r.lock(context.Background()) != nil {
		return
	}
	var old, cur ReconnectState
	if c != nil && c == r.conn {
		r.conn = nil
		r.lastErr = err
		errno := errnoOf(err)
		var se syscall.Errno
		if errno == 0 && errors.As(err, &se) {
			errno = se
		}
		old, cur, _ = r.step(cgo.ReconnectLost, int(errno))
	}
	<-r.sem
	r.notify(old, cur)
}

// Reset starts a new cycle: attempts and consecutive failures are
// cleared and an open circuit closes (its probe is due at once).
func (r *Reconnector) Reset() {
	if r.lock(context.Background()) != nil {
		return
	}
	_, _, _ = r.step(cgo.ReconnectReset, 0)
	<-r.sem
}

// State returns the current state.
func (r *Reconnector) State() ReconnectState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ReconnectState(r.status.State)
}

// Attempts returns the attempts made since the last success or Reset.
func (r *Reconnector) Attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status.Attempts
}

// Failures returns the consecutive failures (cleared by a success or Reset).
func (r *Reconnector) Failures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status.Failures
}

// NextRetry returns how long until the next attempt in BACKOFF or
// CIRCUIT_OPEN as of the last step, or -1 when no retry is scheduled.
func (r *Reconnector) NextRetry() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status.NextTimeoutMS < 0 {
		return -1
	}
	return ms(r.status.NextTimeoutMS)
}

// Close closes the current connection and frees the C state machine. It
// waits for a step in progress (a dial is bounded by its context) and is
// idempotent; later calls of Conn return an error matching ErrClosed.
func (r *Reconnector) Close() error {
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.conn != nil {
		err = r.conn.Close()
		r.conn = nil
	}
	r.rc.Close()
	return err
}
