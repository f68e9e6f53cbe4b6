package gosocket

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// DTLS 1.2 over the C library's SocketDTLS: one UDP socket per
// association. A client socket is connected to its server. A listener
// binds its address several times with SO_REUSEADDR: when a client has
// proved its address (cookie exchange) the listening socket is connected
// to the client and becomes the accepted DTLSConn, and a successor bound
// in its place. Linux delivers a datagram to the socket connected to its
// sender (the exact match scores highest) and otherwise to the most
// recently bound unconnected socket. The successor is created ahead of
// time and bound by the accepting C call right after the connect, so new
// clients are without a listening socket only for microseconds; and a
// second unconnected socket, bound first and never served ("spare"),
// catches what arrives in that instant, which would otherwise draw an
// ICMP port unreachable that aborts the client's handshake
// (ECONNREFUSED). Those datagrams are dropped; the clients retransmit.

// DTLSConn is a DTLS association. It implements net.Conn over datagrams:
// each Write sends b as one record in one datagram (a b larger than a
// record fits in the MTU is an error, nothing is sent), and each Read
// returns data of one record. A Read with a buffer shorter than the
// record returns the first len(b) bytes; the rest comes with the next
// Read (nothing is lost). Records that fail authentication are dropped
// silently. Read returns io.EOF after the peer's close_notify.
//
// Deadlines, Close and errors behave as for Conn. The handshake runs on
// the first Read or Write, or with Handshake, retransmitting lost flights
// on the context's timer (WithRetransmitTimeout). Its methods are safe
// for concurrent use.
type DTLSConn struct {
	sockFile
	d            cgo.Dgram
	ctx          *DTLSContext
	serverName   string
	laddr, raddr *net.UDPAddr
	cleanup      runtime.Cleanup

	sslMu sync.Mutex // one OpenSSL call at a time

	hsMu   sync.Mutex // one handshake at a time; guards hsErr
	hsDone atomic.Bool
	hsErr  error

	closing atomic.Bool

	dlMu        sync.Mutex // guards the fields below
	rdl, wdl    time.Time  // the user's deadlines
	interrupted bool       // a handshake context ended

	rmu    sync.Mutex
	rbuf   []byte
	rn     int
	rerr   error
	readFn func(uintptr) bool

	wmu     sync.Mutex
	wbuf    []byte
	wn      int
	werr    error
	writeFn func(uintptr) bool

	peerMu sync.Mutex // guards peer
	peer   *peerCerts // read once after the handshake
}

func newDTLSConn(info cgo.SockInfo, ctx *DTLSContext, serverName string) (*DTLSConn, error) {
	c := &DTLSConn{d: info.Dgram, ctx: ctx, serverName: serverName}
	if err := c.init(info.PollFD, "gosocket-dtls"); err != nil {
		syscall.Close(info.PollFD)
		info.Dgram.Free()
		return nil, err
	}
	c.readFn, c.writeFn = c.readOnce, c.writeOnce
	c.laddr = udpAddr(info.LocalAddr, info.LocalPort)
	if info.Connected {
		c.raddr = udpAddr(info.RemoteAddr, info.RemotePort)
	}
	c.cleanup = runtime.AddCleanup(c, cgo.Dgram.Free, info.Dgram)
	return c, nil
}

func udpAddr(host string, port int) *net.UDPAddr {
	a, _ := netip.ParseAddr(host)
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(a.Unmap(), uint16(port)))
}

// DialDTLS opens a DTLS association on network ("udp", "udp4", "udp6")
// with the server at address ("host:port"; a name is resolved and its
// first address used) and runs the handshake. The server certificate is
// checked against dc's DTLSConfig.ServerName, or else the host of
// address.
func DialDTLS(network, address string, dc *DTLSContext) (*DTLSConn, error) {
	return DialDTLSContext(context.Background(), network, address, dc)
}

// DialDTLSContext is DialDTLS with the association and the handshake
// bounded by ctx.
func DialDTLSContext(ctx context.Context, network, address string, dc *DTLSContext) (*DTLSConn, error) {
	const op = "DialDTLS"
	if ctx == nil {
		ctx = context.Background()
	}
	if dc == nil || dc.server {
		return nil, &Error{Op: op, Msg: "needs a client DTLSContext", Kind: ErrTLS}
	}
	if err := checkUDP(op, network); err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(op, network, address)
	if err != nil {
		return nil, err
	}
	var d Dialer
	targets, err := d.targets(ctx, network, host, port)
	if err != nil {
		return nil, err
	}
	ap := targets[0]
	name := dc.serverName
	if name == "" {
		name = host
	}
	if name == "" {
		name = ap.Addr().String()
	}
	var info cgo.SockInfo
	err = dc.use(op, func(ctx cgo.DTLSContext) (err error) {
		ip := ap.Addr().Unmap()
		info, err = cgo.DTLSDial(domainOf(ip), ip.String(), int(ap.Port()), ctx, name)
		return wrapErr(op, err, ErrTLS)
	})
	if err != nil {
		return nil, err
	}
	c, err := newDTLSConn(info, dc, name)
	if err != nil {
		return nil, err
	}
	if err := c.Handshake(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Handshake runs the handshake if it has not run yet, bounded by ctx and
// the connection's deadlines, as TLSConn.Handshake does.
func (c *DTLSConn) Handshake(ctx context.Context) error {
	if c.hsDone.Load() {
		return nil
	}
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	if c.hsDone.Load() {
		return nil
	}
	if c.hsErr != nil {
		return c.hsErr
	}
	if ctx == nil {
		ctx = context.Background()
	}
	err := c.handshake(ctx)
	c.dlMu.Lock()
	c.interrupted = false
	c.f.SetReadDeadline(c.rdl) // the timer moved it
	c.f.SetWriteDeadline(c.wdl)
	c.dlMu.Unlock()
	if err != nil {
		c.hsErr = err
		return err
	}
	c.hsDone.Store(true)
	return nil
}

func (c *DTLSConn) handshake(ctx context.Context) error {
	const op = "DTLSConn.Handshake"
	if ctx.Err() != nil {
		return ctxError(op, ctx)
	}
	stop := context.AfterFunc(ctx, func() {
		c.dlMu.Lock()
		c.interrupted = true
		c.f.SetDeadline(aLongTimeAgo)
		c.dlMu.Unlock()
	})
	defer stop()
	var st int
	var herr error
	timer := c.ctx.retransmit
	step := func() bool {
		var ms int
		c.sslMu.Lock()
		st, ms, herr = c.d.DTLSHandshake()
		c.sslMu.Unlock()
		if ms >= 0 {
			timer = time.Duration(ms)*time.Millisecond + time.Millisecond
		}
		return herr != nil || st == cgo.DTLSComplete
	}
	for {
		userDL, ok := c.armTimer(timer)
		if !ok {
			return ctxError(op, ctx)
		}
		err := c.rc.Read(func(uintptr) bool { return step() || st == cgo.DTLSWantWrite })
		if err == nil && herr == nil && st == cgo.DTLSWantWrite {
			err = c.rc.Write(func(uintptr) bool { return step() || st != cgo.DTLSWantWrite })
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return ctxError(op, ctx)
		case err != nil && c.closed.Load():
			return closedError(op)
		case err != nil && isTimeout(err) && (userDL.IsZero() || time.Now().Before(userDL)):
			continue // the retransmission timer: the next step resends
		case err != nil:
			return c.pollError(op, err)
		case herr != nil:
			return wrapErr(op, herr, ErrTLSHandshake)
		case st == cgo.DTLSComplete:
			return nil
		}
	}
}

// armTimer sets the read deadline to the earlier of the user's and the
// retransmission timer. It reports false once the handshake context
// ended.
func (c *DTLSConn) armTimer(timer time.Duration) (time.Time, bool) {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	if c.interrupted {
		return c.rdl, false
	}
	dl := time.Now().Add(timer)
	if !c.rdl.IsZero() && c.rdl.Before(dl) {
		dl = c.rdl
	}
	c.f.SetReadDeadline(dl)
	return c.rdl, true
}

func isTimeout(err error) bool {
	ne, ok := err.(interface{ Timeout() bool })
	return ok && ne.Timeout()
}

// Read reads the data of one record (see DTLSConn).
func (c *DTLSConn) Read(b []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c.rmu.Lock()
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.rc.Read(c.readFn)
	n, rerr := c.rn, c.rerr
	c.rbuf, c.rerr = nil, nil
	c.rmu.Unlock()
	if err != nil {
		return 0, c.pollError("DTLSConn.Read", err)
	}
	if rerr != nil && c.closing.Load() {
		return n, closedError("DTLSConn.Read") // e.g. the peer's answer to our close_notify
	}
	if rerr != nil {
		return n, readError("DTLSConn.Read", rerr)
	}
	return n, nil
}

func (c *DTLSConn) readOnce(uintptr) bool {
	if len(c.rbuf) == 0 {
		return true
	}
	c.sslMu.Lock()
	n, err := c.d.DTLSRecv(c.rbuf)
	c.sslMu.Unlock()
	if n == 0 && err == nil {
		return false
	}
	c.rn, c.rerr = n, err
	return true
}

// Write sends b as one record in one datagram.
func (c *DTLSConn) Write(b []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	c.wmu.Lock()
	c.wbuf, c.wn, c.werr = b, 0, nil
	err := c.rc.Write(c.writeFn)
	n, werr := c.wn, c.werr
	c.wbuf, c.werr = nil, nil
	c.wmu.Unlock()
	if err != nil {
		return 0, c.pollError("DTLSConn.Write", err)
	}
	if werr != nil {
		return 0, wrapErr("DTLSConn.Write", werr, ErrTLS)
	}
	return n, nil
}

func (c *DTLSConn) writeOnce(uintptr) bool {
	c.sslMu.Lock()
	n, err := c.d.DTLSSend(c.wbuf)
	c.sslMu.Unlock()
	if n == 0 && err == nil {
		return false
	}
	c.wn, c.werr = n, err
	return true
}

// Close sends close_notify if the handshake completed, then closes the
// socket. It is idempotent and interrupts blocked calls.
func (c *DTLSConn) Close() error {
	if !c.closing.CompareAndSwap(false, true) {
		return nil
	}
	if c.hsDone.Load() {
		c.control("DTLSConn.Close", func() error {
			c.sslMu.Lock()
			defer c.sslMu.Unlock()
			return c.d.DTLSShutdown()
		})
	}
	if c.closeFile() {
		c.cleanup.Stop()
		c.d.Free()
	}
	return nil
}

// State returns the negotiated parameters (Version 0xfefd for DTLS
// 1.2), with the peer's certificates.
func (c *DTLSConn) State() TLSState {
	var s cgo.TLSState
	if !c.hsDone.Load() {
		return tlsStateOf(s, c.serverName, c.ctx.verify)
	}
	c.control("DTLSConn.State", func() (err error) {
		c.sslMu.Lock()
		defer c.sslMu.Unlock()
		s, err = c.d.DTLSState()
		return err
	})
	st := tlsStateOf(s, c.serverName, c.ctx.verify)
	c.peerMu.Lock()
	if c.peer == nil {
		c.control("DTLSConn.State", func() (err error) {
			c.sslMu.Lock()
			defer c.sslMu.Unlock()
			c.peer, err = loadPeerCerts(c.d.DTLSPeerChain, st.PeerVerified)
			return err
		})
	}
	if c.peer != nil {
		st.PeerCertificates, st.VerifiedChains = c.peer.sent, c.peer.verified
	}
	c.peerMu.Unlock()
	return st
}

// ConnectionState is State in crypto/tls's form, running the handshake
// first if it has not run (as TLSConn.ConnectionState does).
func (c *DTLSConn) ConnectionState() tls.ConnectionState {
	c.Handshake(context.Background())
	return stdState(c.State(), nil)
}

// checkUDP accepts the datagram networks DTLS runs on.
func checkUDP(op, network string) error {
	switch network {
	case "udp", "udp4", "udp6":
		return nil
	}
	return &Error{Op: op, Msg: "unsupported network " + network + " (DTLS needs udp, udp4 or udp6)", Kind: ErrTLS}
}

// LocalAddr returns the local address, a *net.UDPAddr.
func (c *DTLSConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address, a *net.UDPAddr.
func (c *DTLSConn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines.
func (c *DTLSConn) SetDeadline(t time.Time) error {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	c.rdl, c.wdl = t, t
	return c.setDeadline("DTLSConn.SetDeadline", c.f.SetDeadline, t)
}

// SetReadDeadline sets the deadline of Read calls.
func (c *DTLSConn) SetReadDeadline(t time.Time) error {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	c.rdl = t
	return c.setDeadline("DTLSConn.SetReadDeadline", c.f.SetReadDeadline, t)
}

// SetWriteDeadline sets the deadline of Write calls.
func (c *DTLSConn) SetWriteDeadline(t time.Time) error {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	c.wdl = t
	return c.setDeadline("DTLSConn.SetWriteDeadline", c.f.SetWriteDeadline, t)
}

// DTLSListener accepts DTLS associations. It implements net.Listener.
// Accept returns a *DTLSConn once a client has completed the cookie
// exchange (when enabled) and sent its ClientHello; the rest of the
// handshake runs on the conn's first Read or Write (or Handshake), so one
// slow client does not hold up Accept.
//
// Clients arriving at the same moment can collide: datagrams of other
// clients still queued on the listening socket when it is connected to
// one client are lost to them, and they recover by retransmitting after
// their timer (1 s by default, doubling; see WithRetransmitTimeout). A
// demultiplexing listener would need a C API that does not bind one
// association to one socket.
type DTLSListener struct {
	ctx    *DTLSContext
	domain int
	host   string // numeric bind address, "" for any
	addr   *net.UDPAddr

	amu sync.Mutex // one Accept at a time

	mu     sync.Mutex // guards the sockets and closed
	cur    *DTLSConn  // the unconnected socket waiting for a client
	next   *DTLSConn  // unbound successor of cur, nil if none
	spare  *DTLSConn  // bound before cur, only drained
	closed bool
}

// ListenDTLS serves DTLS on network ("udp", "udp4", "udp6") and address
// ("host:port"; port 0 picks one) with dc, a server context. An empty
// host listens on every address (IPv6 dual-stack where available, "udp4":
// IPv4 only).
func ListenDTLS(network, address string, dc *DTLSContext) (*DTLSListener, error) {
	const op = "ListenDTLS"
	if dc == nil || !dc.server {
		return nil, &Error{Op: op, Msg: "needs a server DTLSContext", Kind: ErrTLS}
	}
	if err := checkUDP(op, network); err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(op, network, address)
	if err != nil {
		return nil, err
	}
	l := &DTLSListener{ctx: dc, domain: syscall.AF_INET6}
	if network == "udp4" {
		l.domain = syscall.AF_INET
	}
	if host != "" {
		ip, err := listenAddr(network, host, port)
		if err != nil {
			return nil, err
		}
		l.domain, l.host = domainOf(ip), ip.String()
	}
	spare, err := l.open(port, true)
	if err != nil && host == "" && errnoOf(err) == syscall.EAFNOSUPPORT {
		l.domain = syscall.AF_INET
		spare, err = l.open(port, true)
	}
	if err != nil {
		return nil, err
	}
	c, err := l.open(spare.laddr.Port, true)
	if err != nil {
		spare.Close()
		return nil, err
	}
	l.cur, l.spare, l.addr = c, spare, c.laddr
	l.next, _ = l.open(0, false) // optional: Accept falls back to binding later
	return l, nil
}

func (l *DTLSListener) open(port int, bind bool) (*DTLSConn, error) {
	const op = "ListenDTLS"
	var info cgo.SockInfo
	err := l.ctx.use(op, func(ctx cgo.DTLSContext) (err error) {
		info, err = cgo.DTLSListen(l.domain, l.host, port, bind, ctx)
		return wrapErr(op, err, ErrTLS)
	})
	if err != nil {
		return nil, err
	}
	return newDTLSConn(info, l.ctx, "")
}

// drain discards what reached the spare socket; l.mu is held.
func (l *DTLSListener) drain() {
	if l.spare == nil {
		return
	}
	var buf [2048]byte
	l.spare.control("DTLSListener.Accept", func() error {
		for range 64 {
			if _, _, _, ok, err := l.spare.d.RecvFrom(buf[:]); !ok || err != nil {
				break
			}
		}
		return nil
	})
}

// Accept waits for the next client and returns its *DTLSConn.
func (l *DTLSListener) Accept() (net.Conn, error) { return l.AcceptDTLS() }

// AcceptDTLS is Accept with the concrete type.
func (l *DTLSListener) AcceptDTLS() (*DTLSConn, error) {
	const op = "DTLSListener.Accept"
	l.amu.Lock()
	defer l.amu.Unlock()
	l.mu.Lock()
	cur, next, closed := l.cur, l.next, l.closed
	l.mu.Unlock()
	if closed || cur == nil {
		return nil, closedError(op)
	}
	var nextD cgo.Dgram
	if next != nil {
		nextD = next.d // Close closes cur (waiting for this callback) before next
	}
	var st int
	var bound bool
	var info cgo.SockInfo
	var aerr error
	err := cur.rc.Read(func(uintptr) bool {
		st, bound, info, aerr = cur.d.DTLSAccept(nextD, l.host, l.addr.Port)
		return aerr != nil || st == cgo.DTLSInProgress
	})
	if err != nil {
		return nil, cur.pollError(op, err)
	}
	if aerr != nil {
		return nil, wrapErr(op, aerr, ErrTLS)
	}
	cur.raddr = udpAddr(info.RemoteAddr, info.RemotePort)
	var successor *DTLSConn
	var nerr error
	if bound {
		next.laddr = l.addr
		successor = next
		next, _ = l.open(0, false)
	} else {
		successor, nerr = l.open(l.addr.Port, true)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		for _, c := range []*DTLSConn{successor, next, cur} {
			if c != nil {
				c.Close()
			}
		}
		return nil, closedError(op)
	}
	l.cur, l.next = successor, next // cur nil: no socket any more, Accept fails from now on
	if nerr != nil {
		l.closed = true
	}
	l.drain()
	l.mu.Unlock()
	return cur, nil
}

// Close stops listening; accepted associations stay open. It is
// idempotent and makes a blocked Accept return an error matching
// net.ErrClosed.
func (l *DTLSListener) Close() error {
	l.mu.Lock()
	socks := []*DTLSConn{l.cur, l.next, l.spare} // cur first: see AcceptDTLS
	l.cur, l.next, l.spare, l.closed = nil, nil, nil, true
	l.mu.Unlock()
	for _, c := range socks {
		if c != nil {
			c.Close()
		}
	}
	return nil
}

// Addr returns the bound address, a *net.UDPAddr.
func (l *DTLSListener) Addr() net.Addr { return l.addr }

var (
	_ net.Conn     = (*DTLSConn)(nil)
	_ net.Listener = (*DTLSListener)(nil)
)
