package gosocket

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TLSConn is a TLS connection over a gosocket Conn: the C library's
// SocketTLS runs the protocol (OpenSSL), Go's poller does the waiting
// exactly as for Conn. It implements net.Conn with Conn's deadline, Close
// and error behaviour; Read returns io.EOF after the peer's close_notify
// (or a clean TCP EOF at a record boundary), and a truncated record is an
// error matching ErrTLS.
//
// The handshake runs on the first Read, Write or ConnectionState, or with
// Handshake; its failures match ErrTLSHandshake, ErrTLSVerify (unknown CA,
// expired certificate, wrong host name) or ErrTLSPin. Its methods are safe
// for concurrent use: OpenSSL calls are serialised by a mutex, waits are
// not.
type TLSConn struct {
	c          *Conn // the TCP or Unix connection carrying the records
	ctx        *TLSContext
	serverName string
	verify     bool

	sslMu sync.Mutex // one OpenSSL call at a time (SSL objects are not thread-safe)

	hsMu      sync.Mutex // one handshake at a time; guards hsErr
	hsDone    atomic.Bool
	hsErr     error
	hsTimeout time.Duration // from the TLSListener; 0: deadlines only

	closing atomic.Bool

	// Guarded by c.wmu. OpenSSL commits to a record before it is fully
	// sent; after would-block the same bytes must be offered again.
	// inflight is that chunk during a Write; pend is a copy kept when the
	// Write ended (deadline) with the record unfinished: the next Write
	// finishes it first, and the timed-out Write counted it as written.
	inflight, pend []byte

	readFn, writeFn func(uintptr) bool // t.readOnce, t.writeOnce, allocated once

	dlMu     sync.Mutex // guards rdl, wdl: the user's deadlines
	rdl, wdl time.Time

	peerMu sync.Mutex // guards peer
	peer   *peerCerts // read once after the handshake
}

// verifyError is a handshake failure caused by a WithVerifyPeerCertificate
// function: it matches both the library error (ErrTLSVerify) and the
// function's error.
type verifyError struct {
	err   error // *Error
	cause error
}

func (e *verifyError) Error() string   { return e.err.Error() + ": " + e.cause.Error() }
func (e *verifyError) Unwrap() []error { return []error{e.err, e.cause} }

// TLSClient starts a client TLS connection over c (a TCP or Unix
// connection of this package, e.g. UnixConn.Conn), owned by the TLSConn
// from now on: Close it through the TLSConn. The server name (SNI and
// certificate check) is the context's TLSConfig.ServerName; if that is
// empty the certificate is checked against the peer's IP address. On
// error c is closed.
func TLSClient(c *Conn, tc *TLSContext) (*TLSConn, error) {
	var name string
	if tc != nil {
		name = tc.serverName
	}
	return newTLSConn("TLSClient", c, tc, name, false)
}

// TLSServer starts a server TLS connection over c, as TLSClient does.
func TLSServer(c *Conn, tc *TLSContext) (*TLSConn, error) {
	return newTLSConn("TLSServer", c, tc, "", true)
}

func newTLSConn(op string, c *Conn, tc *TLSContext, serverName string, server bool) (*TLSConn, error) {
	if c == nil {
		return nil, &Error{Op: op, Msg: "nil connection", Kind: ErrTLS}
	}
	if tc == nil || tc.server != server {
		c.Close()
		return nil, &Error{Op: op, Msg: "needs a " + map[bool]string{true: "server", false: "client"}[server] + " TLSContext", Kind: ErrTLS}
	}
	err := tc.use(op, func(ctx cgo.TLSContext) error {
		return c.control(op, func() error { return c.sock.TLSEnable(ctx, serverName) })
	})
	if err != nil {
		c.Close()
		return nil, err
	}
	t := &TLSConn{c: c, ctx: tc, serverName: serverName, verify: tc.verify}
	t.readFn, t.writeFn = t.readOnce, t.writeOnce
	return t, nil
}

// DialTLS connects to address on network ("tcp", "tcp4", "tcp6") and
// runs the client handshake. The server name is tc's
// TLSConfig.ServerName, or else the host of address, as in crypto/tls.
// The context's session cache, if enabled, resumes sessions across
// calls to the same server.
func DialTLS(network, address string, tc *TLSContext) (*TLSConn, error) {
	return DialTLSContext(context.Background(), network, address, tc)
}

// DialTLSContext is DialTLS with the connection and the handshake
// bounded by ctx.
func DialTLSContext(ctx context.Context, network, address string, tc *TLSContext) (*TLSConn, error) {
	return (&TLSDialer{Context: tc}).dial(ctx, network, address)
}

// streamConn returns the *Conn of a TCP or Unix connection of ours.
func streamConn(nc net.Conn) (*Conn, bool) {
	switch v := nc.(type) {
	case *Conn:
		return v, true
	case *UnixConn:
		return v.Conn, true
	}
	return nil, false
}

// TLSDialer dials TLS connections, as crypto/tls.Dialer does: NetDialer
// (nil: a zero Dialer) makes the TCP connection, Context configures TLS.
type TLSDialer struct {
	NetDialer *Dialer
	Context   *TLSContext
}

// Dial is DialContext with context.Background.
func (d *TLSDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects and runs the handshake, both bounded by ctx; the
// result is a *TLSConn.
func (d *TLSDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := d.dial(ctx, network, address)
	if err != nil {
		return nil, err // no typed nil in the interface
	}
	return c, nil
}

func (d *TLSDialer) dial(ctx context.Context, network, address string) (*TLSConn, error) {
	const op = "DialTLS"
	tc := d.Context
	if tc == nil || tc.server {
		return nil, &Error{Op: op, Msg: "needs a client TLSContext", Kind: ErrTLS}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	name := tc.serverName
	if name == "" {
		if host, _, err := net.SplitHostPort(address); err == nil {
			name = host
		}
	}
	nd := d.NetDialer
	if nd == nil {
		nd = &Dialer{}
	}
	nc, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	c, ok := streamConn(nc)
	if !ok {
		nc.Close()
		return nil, &Error{Op: op, Msg: "network " + network + " is not a stream network", Kind: ErrTLS}
	}
	t, err := newTLSConn(op, c, tc, name, false)
	if err != nil {
		return nil, err
	}
	if err := t.Handshake(ctx); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Handshake runs the handshake if it has not run yet. ctx bounds it: when
// ctx ends first the handshake fails with ctx's error (matching
// context.Canceled, or os.ErrDeadlineExceeded and
// context.DeadlineExceeded) and the connection is unusable. The
// connection's deadlines apply as well. A failed handshake keeps failing.
func (t *TLSConn) Handshake(ctx context.Context) error {
	if t.hsDone.Load() {
		return nil
	}
	t.hsMu.Lock()
	defer t.hsMu.Unlock()
	if t.hsDone.Load() {
		return nil
	}
	if t.hsErr != nil {
		return t.hsErr
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if t.hsTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.hsTimeout)
		defer cancel()
	}
	err := t.handshake(ctx)
	if err != nil {
		t.hsErr = err
		return err
	}
	t.hsDone.Store(true)
	return nil
}

func (t *TLSConn) handshake(ctx context.Context) error {
	const op = "TLSConn.Handshake"
	c := t.c
	if ctx.Err() != nil {
		return ctxError(op, ctx)
	}
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			c.f.SetDeadline(aLongTimeAgo)
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
				t.restoreDeadlines()
			}
		}()
	}
	t.ctx.verifier.take(c.sock.ID()) // nothing stale from an earlier socket at this address
	var st int
	var herr error
	step := func() bool {
		t.sslMu.Lock()
		st, herr = c.sock.TLSHandshake()
		t.sslMu.Unlock()
		return herr != nil || st == cgo.TLSComplete
	}
	for {
		err := c.rc.Read(func(uintptr) bool { return step() || st != cgo.TLSWantRead })
		if err == nil && herr == nil && st == cgo.TLSWantWrite {
			err = c.rc.Write(func(uintptr) bool { return step() || st != cgo.TLSWantWrite })
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return ctxError(op, ctx)
		case err != nil:
			return c.pollError(op, err)
		case herr != nil:
			e := wrapErr(op, herr, ErrTLSHandshake)
			if cause := t.ctx.verifier.take(c.sock.ID()); cause != nil {
				return &verifyError{err: e, cause: cause}
			}
			return e
		case st == cgo.TLSComplete:
			return nil
		}
	}
}

// Read reads decrypted application data, running the handshake first if
// needed.
func (t *TLSConn) Read(b []byte) (int, error) {
	if err := t.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c := t.c
	c.rmu.Lock()
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.rc.Read(t.readFn)
	n, rerr := c.rn, c.rerr
	c.rbuf, c.rerr = nil, nil
	c.rmu.Unlock()
	if err != nil {
		return 0, c.pollError("TLSConn.Read", err)
	}
	if rerr != nil && t.closing.Load() {
		return n, closedError("TLSConn.Read") // e.g. the peer's answer to our close_notify
	}
	if rerr != nil {
		return n, readError("TLSConn.Read", rerr)
	}
	return n, nil
}

// readOnce is the RawConn callback of Read: false asks for a wait, which
// the shim reports only when OpenSSL holds no decrypted bytes.
func (t *TLSConn) readOnce(uintptr) bool {
	c := t.c
	if len(c.rbuf) == 0 {
		return true
	}
	t.sslMu.Lock()
	n, err := c.sock.TLSRecv(c.rbuf)
	t.sslMu.Unlock()
	if n == 0 && err == nil {
		return false
	}
	c.rn, c.rerr = n, err
	return true
}

// Write encrypts and writes all of b unless an error or the deadline
// stops it, running the handshake first if needed.
func (t *TLSConn) Write(b []byte) (int, error) {
	if err := t.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c := t.c
	c.wmu.Lock()
	c.wbuf, c.wn, c.werr = b, 0, nil
	err := c.rc.Write(t.writeFn)
	n, werr := c.wn, c.werr
	if err != nil && t.inflight != nil {
		t.pend = append([]byte(nil), t.inflight...)
		n += len(t.pend)
	}
	c.wbuf, c.werr, t.inflight = nil, nil, nil
	c.wmu.Unlock()
	if err != nil {
		return n, c.pollError("TLSConn.Write", err)
	}
	if werr != nil {
		return n, wrapErr("TLSConn.Write", werr, ErrTLS)
	}
	return n, nil
}

// maxRecord is the most plaintext one TLS record carries: chunks of this
// size make a would-block commit exactly one whole chunk.
const maxRecord = 16384

func (t *TLSConn) writeOnce(uintptr) bool {
	c := t.c
	for t.pend != nil {
		n, err := t.send(t.pend)
		if err != nil {
			c.werr = err
			return true
		}
		if n == 0 {
			return false
		}
		t.pend = t.pend[n:]
		if len(t.pend) == 0 {
			t.pend = nil
		}
	}
	for c.wn < len(c.wbuf) {
		chunk := c.wbuf[c.wn:]
		if len(chunk) > maxRecord {
			chunk = chunk[:maxRecord]
		}
		n, err := t.send(chunk)
		if err != nil {
			c.werr = err
			return true
		}
		if n == 0 {
			t.inflight = chunk
			return false
		}
		t.inflight = nil
		c.wn += n
	}
	return true
}

func (t *TLSConn) send(b []byte) (int, error) {
	t.sslMu.Lock()
	defer t.sslMu.Unlock()
	return t.c.sock.TLSSend(b)
}

// Close sends close_notify when the handshake has completed and the send
// buffer has room (it never waits), then closes the connection. It is
// idempotent and interrupts blocked Read and Write calls.
func (t *TLSConn) Close() error {
	if !t.closing.CompareAndSwap(false, true) {
		return nil
	}
	if t.hsDone.Load() {
		t.closeNotify()
	}
	return t.c.Close()
}

func (t *TLSConn) closeNotify() error {
	const op = "TLSConn.CloseWrite"
	var sent bool
	err := t.c.control(op, func() (err error) {
		t.sslMu.Lock()
		defer t.sslMu.Unlock()
		sent, err = t.c.sock.TLSCloseNotify()
		return err
	})
	if err == nil && !sent {
		err = &Error{Op: op, Msg: "close_notify not sent (send buffer full or connection failed)", Kind: ErrTLS}
	}
	return err
}

// CloseWrite sends close_notify (the peer's Read returns io.EOF); the
// connection stays open for reading. It needs a completed handshake and
// never waits: it fails if the send buffer has no room for the alert.
func (t *TLSConn) CloseWrite() error {
	if !t.hsDone.Load() {
		return &Error{Op: "TLSConn.CloseWrite", Msg: "handshake not complete", Kind: ErrTLS}
	}
	t.c.wmu.Lock() // not in the middle of a record
	defer t.c.wmu.Unlock()
	return t.closeNotify()
}

// State returns the negotiated parameters, with the peer's certificates;
// before the handshake only ServerName is set.
func (t *TLSConn) State() TLSState {
	var s cgo.TLSState
	if !t.hsDone.Load() {
		return tlsStateOf(s, t.serverName, t.verify)
	}
	t.c.control("TLSConn.State", func() (err error) {
		t.sslMu.Lock()
		defer t.sslMu.Unlock()
		s, err = t.c.sock.TLSState()
		return err
	})
	st := tlsStateOf(s, t.serverName, t.verify)
	if p := t.peerCerts(st.PeerVerified); p != nil {
		st.PeerCertificates, st.VerifiedChains = p.sent, p.verified
	}
	return st
}

// peerCerts reads the peer's chains once (nil if the connection is gone).
func (t *TLSConn) peerCerts(verified bool) *peerCerts {
	t.peerMu.Lock()
	defer t.peerMu.Unlock()
	if t.peer != nil {
		return t.peer
	}
	t.c.control("TLSConn.State", func() (err error) {
		t.sslMu.Lock()
		defer t.sslMu.Unlock()
		p, err := loadPeerCerts(t.c.sock.TLSPeerChain, verified)
		if err == nil {
			p.ocsp, err = t.c.sock.TLSOCSPResponse()
		}
		if err == nil {
			t.peer = p
		}
		return err
	})
	return t.peer
}

// ConnectionState returns the state in crypto/tls's form, so that
// net/http fills Request.TLS for connections served from a TLSListener
// (it looks for this method on connections that are not *tls.Conn). It
// runs the handshake first if it has not run (net/http calls it before
// the first Read), bounded by the connection's deadlines and, for a
// connection accepted by a TLSListener, its HandshakeTimeout; a failed
// handshake gives HandshakeComplete false, and the next Read or Write
// reports the failure. A client's OCSPResponse is the stapled response
// as received (TLSState.OCSPStatus is the verdict on it).
func (t *TLSConn) ConnectionState() tls.ConnectionState {
	t.Handshake(context.Background())
	st := t.State()
	var ocsp []byte
	if st.HandshakeComplete {
		if p := t.peerCerts(st.PeerVerified); p != nil {
			ocsp = p.ocsp
		}
	}
	return stdState(st, ocsp)
}

// NetConn returns the underlying connection. Reading or writing it
// directly corrupts the TLS stream.
func (t *TLSConn) NetConn() net.Conn { return t.c }

// LocalAddr returns the local address.
func (t *TLSConn) LocalAddr() net.Addr { return t.c.laddr }

// RemoteAddr returns the peer's address.
func (t *TLSConn) RemoteAddr() net.Addr { return t.c.raddr }

// SetDeadline sets the read and write deadlines (the handshake obeys
// them too).
func (t *TLSConn) SetDeadline(d time.Time) error {
	t.dlMu.Lock()
	t.rdl, t.wdl = d, d
	t.dlMu.Unlock()
	return t.c.SetDeadline(d)
}

// SetReadDeadline sets the deadline of Read calls.
func (t *TLSConn) SetReadDeadline(d time.Time) error {
	t.dlMu.Lock()
	t.rdl = d
	t.dlMu.Unlock()
	return t.c.SetReadDeadline(d)
}

// SetWriteDeadline sets the deadline of Write calls.
func (t *TLSConn) SetWriteDeadline(d time.Time) error {
	t.dlMu.Lock()
	t.wdl = d
	t.dlMu.Unlock()
	return t.c.SetWriteDeadline(d)
}

// restoreDeadlines puts the user's deadlines back after a cancelled
// context moved them into the past.
func (t *TLSConn) restoreDeadlines() {
	t.dlMu.Lock()
	defer t.dlMu.Unlock()
	t.c.f.SetReadDeadline(t.rdl)
	t.c.f.SetWriteDeadline(t.wdl)
}

// TLSListener accepts TLS connections. It implements net.Listener; the
// handshake of an accepted connection runs on its first Read or Write
// (or Handshake), in the goroutine serving it, so a slow client never
// holds up Accept.
type TLSListener struct {
	// HandshakeTimeout bounds the handshake of every connection accepted
	// afterwards, whoever runs it (Handshake, the first Read or Write, or
	// ConnectionState, which net/http calls with no deadline set, so a
	// client that never finishes its handshake would otherwise hold a
	// serving goroutine). ListenTLS sets DefaultTLSHandshakeTimeout; 0
	// leaves only the connection's deadlines. Set it before Accept.
	HandshakeTimeout time.Duration

	l   *Listener
	ctx *TLSContext
}

// DefaultTLSHandshakeTimeout is the HandshakeTimeout of a new TLSListener.
const DefaultTLSHandshakeTimeout = 10 * time.Second

// ListenTLS listens on network and address like Listen and serves TLS
// with tc, a server context.
func ListenTLS(network, address string, tc *TLSContext) (*TLSListener, error) {
	if tc == nil || !tc.server {
		return nil, &Error{Op: "ListenTLS", Msg: "needs a server TLSContext", Kind: ErrTLS}
	}
	l, err := Listen(network, address)
	if err != nil {
		return nil, err
	}
	return &TLSListener{l: l, ctx: tc, HandshakeTimeout: DefaultTLSHandshakeTimeout}, nil
}

// Accept waits for the next connection and returns it as a *TLSConn.
func (l *TLSListener) Accept() (net.Conn, error) { return l.AcceptTLS() }

// AcceptTLS is Accept with the concrete type.
func (l *TLSListener) AcceptTLS() (*TLSConn, error) {
	c, err := l.l.accept()
	if err != nil {
		return nil, err
	}
	t, err := TLSServer(c, l.ctx)
	if err != nil {
		return nil, err
	}
	t.hsTimeout = l.HandshakeTimeout
	return t, nil
}

// Close stops listening; accepted connections stay open.
func (l *TLSListener) Close() error { return l.l.Close() }

// Addr returns the bound address.
func (l *TLSListener) Addr() net.Addr { return l.l.Addr() }

var (
	_ net.Conn     = (*TLSConn)(nil)
	_ net.Listener = (*TLSListener)(nil)
)
