package gosocket

// Proxy dialling. The handshake with the proxy (SOCKS4, SOCKS4a, SOCKS5
// with RFC 1929 credentials, HTTP CONNECT with Basic credentials) is the
// C codec of socket/SocketProxyExt.h, an I/O-free state machine: Go
// connects to the proxy with a Dialer (so Happy Eyeballs, the resolver
// and the timeouts apply to that hop), writes what the codec outputs and
// feeds it what the proxy answers, one cgo call per buffer. Waiting is
// Go's: the context becomes the connection's deadline, and cancelling it
// moves the deadline into the past, as package net does for its own
// dials. The codec never consumes past the proxy's reply, so bytes the
// target sent right behind it are kept and returned by the first Reads.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// A ProxyDialer connects through a proxy. It implements the Dialer and
// ContextDialer interfaces of golang.org/x/net/proxy, and its DialContext
// fits http.Transport.DialContext:
//
//	pd, err := gosocket.NewProxyDialer(u, nil) // u: socks5://user:pass@127.0.0.1:1080
//	tr := &http.Transport{DialContext: pd.DialContext}
//
// Setting Dialer.Proxy does the same for a Dialer.
type ProxyDialer struct {
	// URL is the proxy: scheme "socks5", "socks5h" or "socks" (SOCKS5),
	// "socks4", "socks4a", "http" (CONNECT) or "https" (CONNECT over
	// TLS to the proxy); host and optional port (default 1080 for SOCKS,
	// 8080 for HTTP and HTTPS, as the C library's SocketProxy_parse_url);
	// optional user information: the SOCKS4 user id, or the SOCKS5
	// (RFC 1929) or HTTP Basic credentials, which are offered only when
	// the URL has a password, even an empty one ("user:@"). Path and
	// query are ignored.
	URL *url.URL

	// Forward connects to the proxy; nil uses a zero Dialer. Its Timeout
	// and Deadline bound that connection only (the context bounds the
	// whole dial); if its Proxy is set, the proxy is reached through
	// that proxy in turn.
	Forward *Dialer

	// TLSContext is the client context of the TLS connection to an
	// "https" proxy; its ServerName, if empty, is the proxy's host. Nil
	// uses a context created for each dial that verifies the proxy
	// against the system trust store.
	TLSContext *TLSContext
}

// NewProxyDialer returns a ProxyDialer for the proxy u, reached with
// forward (nil: a zero Dialer). It fails, with an error matching
// ErrProxy, if u is not a proxy URL this package can use.
func NewProxyDialer(u *url.URL, forward *Dialer) (*ProxyDialer, error) {
	if _, err := parseProxy("NewProxyDialer", u); err != nil {
		return nil, err
	}
	return &ProxyDialer{URL: u, Forward: forward}, nil
}

// Dial is DialContext with context.Background.
func (p *ProxyDialer) Dial(network, address string) (net.Conn, error) {
	return p.DialContext(context.Background(), network, address)
}

// DialContext connects to address ("host:port") on network ("tcp",
// "tcp4" or "tcp6") through the proxy. A host name is sent to the proxy,
// which resolves it (SOCKS4 carries only IPv4 literals: use socks4a for
// names). ctx bounds the whole dial, the proxy's handshake included.
//
// The result is a net.Conn whose RemoteAddr is the target: a
// *net.TCPAddr for a literal address, a *ProxyTargetAddr for a name.
//
// Errors are *net.OpError values. Op "proxyconnect" (Addr the proxy)
// means the proxy could not be reached or did not complete the
// handshake: its Err is the Forward dialer's error, a TLS error, an I/O
// error, ErrProxyAuth or ErrProxyProtocol. Op "dial" (Addr the target)
// means the proxy refused or failed to reach the target: ErrProxyRefused,
// ErrProxyUnreachable, ErrProxyForbidden, ErrProxyUnsupported, or
// ErrProxy alone for a general failure. A cancelled or expired ctx gives
// an error matching context.Canceled or context.DeadlineExceeded (and
// os.ErrDeadlineExceeded).
func (p *ProxyDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if p == nil {
		return nil, opError("proxyconnect", network, nil, nil, "", &Error{Op: "Dial", Msg: "nil ProxyDialer", Kind: ErrProxy})
	}
	fwd := p.Forward
	if fwd == nil {
		fwd = &Dialer{}
	}
	return dialProxy(ctx, fwd.DialContext, p.URL, p.TLSContext, network, address)
}

// dialProxy is Dialer.DialContext when d.Proxy is set: the hop to the
// proxy is d without its Proxy (its Timeout and Deadline are already in
// ctx).
func (d *Dialer) dialProxy(ctx context.Context, network, address string) (net.Conn, error) {
	hop := *d
	hop.Proxy, hop.Timeout, hop.Deadline = nil, 0, time.Time{}
	return dialProxy(ctx, hop.DialContext, d.Proxy, nil, network, address)
}

// A ProxyTargetAddr is the remote address of a connection made through a
// proxy to a host name: the proxy resolved it, so only the name is known.
type ProxyTargetAddr struct {
	Host string
	Port int
}

// Network returns "tcp".
func (a *ProxyTargetAddr) Network() string { return "tcp" }

// String returns "host:port".
func (a *ProxyTargetAddr) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// proxySpec is a parsed proxy URL.
type proxySpec struct {
	cfg  cgo.ProxyConfig
	addr string // host:port of the proxy
}

// parseProxy checks u and reads its parts: the scheme through
// cgo.ProxyScheme (the schemes and default ports of the C library's
// SocketProxy_parse_url), host, port and the user information as
// net/url decoded them (percent-encoding included, which the C parser
// does not undo).
func parseProxy(op string, u *url.URL) (*proxySpec, error) {
	bad := func(msg string) error {
		return &Error{Op: op, Msg: "invalid proxy URL: " + msg, Kind: ErrProxy}
	}
	if u == nil {
		return nil, bad("nil URL")
	}
	typ, port, ok := cgo.ProxyScheme(strings.ToLower(u.Scheme))
	switch {
	case u.Scheme == "":
		return nil, bad("no scheme in " + strconv.Quote(u.Redacted()))
	case !ok:
		return nil, bad("unknown scheme " + strconv.Quote(u.Scheme) + " (want socks5, socks5h, socks, socks4, socks4a, http or https)")
	case u.Opaque != "" || u.Hostname() == "":
		return nil, bad("no host in " + strconv.Quote(u.Redacted()))
	case len(u.Hostname()) > cgo.ProxyMaxNameLen:
		return nil, bad("host name longer than " + strconv.Itoa(cgo.ProxyMaxNameLen) + " bytes")
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("invalid port " + strconv.Quote(p))
		}
		port = n
	}
	cfg := cgo.ProxyConfig{Type: typ, Host: u.Hostname(), Port: port}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, cfg.HasPassword = u.User.Password()
		if cfg.Username == "" && cfg.HasPassword {
			return nil, bad("password without a user name")
		}
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	return &proxySpec{cfg: cfg, addr: addr}, nil
}

// name names the proxy in messages ("SOCKS5 proxy 127.0.0.1:1080"; no
// credentials).
func (s *proxySpec) name() string { return cgo.ProxyTypeString(s.cfg.Type) + " proxy " + s.addr }

// dialProxy connects to the proxy with hop and runs the handshake.
func dialProxy(ctx context.Context, hop func(context.Context, string, string) (net.Conn, error),
	u *url.URL, tc *TLSContext, network, address string) (net.Conn, error) {
	const op = "Dial"
	if ctx.Err() != nil {
		return nil, opError("dial", network, nil, nil, "", ctxError(op, ctx))
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, opError("dial", network, nil, nil, "",
			&Error{Op: op, Msg: "network " + strconv.Quote(network) + " cannot go through a proxy", Kind: ErrProxyUnsupported})
	}
	spec, err := parseProxy(op, u)
	if err != nil {
		return nil, opError("proxyconnect", network, nil, nil, "", err)
	}
	host, port, err := splitHostPort(op, network, address)
	if err == nil && (port == 0 || host == "") {
		err = &Error{Op: op, Msg: "missing host or port in address " + strconv.Quote(address), Kind: ErrSocket}
	}
	if err != nil {
		return nil, opError("dial", network, nil, nil, "", err)
	}
	var raddr net.Addr = &ProxyTargetAddr{Host: host, Port: port}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if !familyOK(network, ip) {
			return nil, opError("dial", network, nil, nil, "",
				&Error{Op: op, Msg: "address " + host + " is not of network " + network, Kind: ErrSocket})
		}
		raddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port)))
	}
	proxyAddr := proxyNetAddr(spec)

	// The request is built before the proxy is contacted: a target the
	// proxy type cannot carry costs no connection.
	hs, err := cgo.NewProxyHandshake(spec.cfg, host, port)
	if err != nil {
		// SocketProxy_Failed: a target no proxy request can carry (too
		// long, control characters).
		err = wrapErr(op, err, ErrProxyUnsupported)
		if e, ok := err.(*Error); ok && e.Kind == nil {
			e.Kind = ErrProxyUnsupported
		}
		return nil, opError("dial", network, nil, raddr, "", err)
	}
	defer hs.Close()
	if st, err := hs.Status(); err != nil || st.Result != cgo.ProxyInProgress {
		if err == nil {
			err = &Error{Op: op, Msg: spec.name() + ": " + st.Err, Kind: ErrProxyUnsupported}
		}
		return nil, opError("dial", network, nil, raddr, "", err)
	}

	nc, err := hop(ctx, "tcp", spec.addr)
	if err != nil {
		return nil, &net.OpError{Op: "proxyconnect", Net: network, Err: err}
	}
	if spec.cfg.Type == cgo.ProxyHTTPS {
		if nc, err = proxyTLS(ctx, nc, spec, tc); err != nil {
			return nil, opError("proxyconnect", network, nil, proxyAddr, "", err)
		}
	}
	rest, failOp, err := runHandshake(ctx, nc, spec, hs)
	if err != nil {
		nc.Close()
		if failOp == "dial" {
			return nil, opError("dial", network, nil, raddr, "", err)
		}
		return nil, opError("proxyconnect", network, nil, proxyAddr, "", err)
	}
	return tunnelConn(nc, raddr, rest), nil
}

// proxyNetAddr is the proxy's address for errors.
func proxyNetAddr(spec *proxySpec) net.Addr {
	if ip, err := netip.ParseAddr(spec.cfg.Host); err == nil {
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip.Unmap(), uint16(spec.cfg.Port)))
	}
	return &nameAddr{host: spec.cfg.Host, port: spec.cfg.Port}
}

// nameAddr is the address of a proxy given by name in its URL.
type nameAddr struct {
	host string
	port int
}

func (a *nameAddr) Network() string { return "tcp" }
func (a *nameAddr) String() string  { return net.JoinHostPort(a.host, strconv.Itoa(a.port)) }

// proxyTLS runs TLS to an "https" proxy over nc.
func proxyTLS(ctx context.Context, nc net.Conn, spec *proxySpec, tc *TLSContext) (net.Conn, error) {
	const op = "Dial"
	c, ok := streamConn(nc)
	if !ok {
		nc.Close()
		return nil, &Error{Op: op, Msg: "TLS to an https proxy needs a direct connection to it", Kind: ErrProxyUnsupported}
	}
	if tc == nil {
		var err error
		if tc, err = NewTLSContext(&TLSConfig{}); err != nil {
			c.Close()
			return nil, err
		}
		// The connection keeps the C context alive after Close.
		defer tc.Close()
	}
	name := tc.serverName
	if name == "" {
		name = spec.cfg.Host
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

// runHandshake runs the proxy handshake hs over nc, bounded by ctx, and
// returns the bytes that followed the proxy's reply. On failure it also
// returns the Op of the error: "proxyconnect" for a failure of the proxy
// itself, "dial" for its verdict on the target.
func runHandshake(ctx context.Context, nc net.Conn, spec *proxySpec, hs *cgo.ProxyHandshake) (rest []byte, failOp string, err error) {
	const op = "Dial"

	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		nc.SetDeadline(aLongTimeAgo)
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
			if err == nil {
				err, failOp = ctxError(op, ctx), "proxyconnect"
			}
		}
		if err == nil {
			nc.SetDeadline(time.Time{})
		}
	}()
	ioErr := func(e error) (string, error) {
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return "proxyconnect", ctxError(op, ctx)
		case ctx.Err() != nil || errors.Is(e, os.ErrDeadlineExceeded):
			// The connection's deadline is ctx's own and may fire just
			// before ctx's timer does: a deadline error either way.
			return "proxyconnect", &Error{Op: op, Msg: "i/o timeout", Kind: errs.ErrDeadline}
		}
		return "proxyconnect", e
	}

	var out []byte
	in := make([]byte, 0, 512)
	starved := false // in holds bytes the codec could not use yet
	for {
		st, err := hs.Status()
		if err != nil {
			return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
		}
		switch {
		case st.Result == cgo.ProxyOK:
			if len(in) == 0 {
				return nil, "", nil
			}
			return in, "", nil
		case st.Result != cgo.ProxyInProgress:
			o, e := proxyError(spec, st)
			return nil, o, e
		}
		if out, err = hs.Output(out[:0]); err != nil {
			return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
		}
		if len(out) > 0 {
			n, werr := nc.Write(out)
			if err := hs.Sent(n); err != nil {
				return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
			}
			if werr != nil && proxyClosed(werr) {
				// The proxy hung up mid-handshake: its reply so far
				// decides (as for EOF below), not the reset.
				if _, _, err := hs.Input(nil); err != nil {
					return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
				}
				continue
			}
			if werr != nil {
				failOp, err = ioErr(werr)
				return nil, failOp, err
			}
			starved = false
			continue
		}
		if len(in) == 0 || starved {
			if len(in) > cgo.ProxyMaxHTTPHead {
				// The codec bounds every reply; this bounds the buffer
				// even if it did not.
				return nil, "proxyconnect", &Error{Op: op, Msg: "proxy reply too long", Kind: ErrProxyProtocol}
			}
			if len(in) == cap(in) {
				in = append(in, make([]byte, cap(in))...)[:len(in)]
			}
			n, rerr := nc.Read(in[len(in):cap(in)])
			in = in[:len(in)+n]
			switch {
			case n == 0 && (errors.Is(rerr, io.EOF) || proxyClosed(rerr)):
				// The proxy closed: the codec decides whether the reply
				// was complete.
				if _, _, err := hs.Input(nil); err != nil {
					return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
				}
				continue
			case n == 0 && rerr != nil:
				failOp, err = ioErr(rerr)
				return nil, failOp, err
			case n == 0:
				continue
			}
		}
		_, used, err := hs.Input(in)
		if err != nil {
			return nil, "proxyconnect", wrapErr(op, err, ErrProxy)
		}
		if used < 0 || used > len(in) {
			return nil, "proxyconnect", &Error{Op: op, Msg: "proxy codec consumed " + strconv.Itoa(used) + " of " + strconv.Itoa(len(in)) + " bytes", Kind: ErrProxyProtocol}
		}
		in = in[:copy(in, in[used:])]
		starved = used == 0
	}
}

// proxyClosed reports a proxy that closed the connection under us: a
// reset (it closed with our request unread) or a broken pipe. Either way
// the bytes it sent before are all there is.
func proxyClosed(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// proxyError converts a failed handshake: the sentinel of its result,
// the C library's detail in the message.
func proxyError(spec *proxySpec, st cgo.ProxyStatus) (op string, err error) {
	kind, op := ErrProxy, "dial"
	switch st.Result {
	case cgo.ProxyErrorAuthRequired, cgo.ProxyErrorAuthFailed:
		kind, op = ErrProxyAuth, "proxyconnect"
	case cgo.ProxyErrorProtocol:
		kind, op = ErrProxyProtocol, "proxyconnect"
	case cgo.ProxyErrorForbidden:
		kind = ErrProxyForbidden
	case cgo.ProxyErrorRefused:
		kind = ErrProxyRefused
	case cgo.ProxyErrorHostUnreach, cgo.ProxyErrorNetworkUnreach, cgo.ProxyErrorTTLExpired, cgo.ProxyErrorTimeout:
		kind = ErrProxyUnreachable
	case cgo.ProxyErrorUnsupported:
		kind = ErrProxyUnsupported
	}
	msg := st.Err
	if msg == "" {
		msg = cgo.ProxyResultString(st.Result)
	}
	if op == "dial" {
		// The error's address is the target: name the proxy too.
		msg = spec.name() + ": " + msg
	}
	return op, &Error{Op: "Dial", Msg: msg, Kind: kind}
}

// tunnelConn returns the tunnel: nc itself with the target as its remote
// address, or a wrapper that first returns rest (the bytes read behind
// the proxy's reply) or stands in for a connection whose address cannot
// be set.
func tunnelConn(nc net.Conn, raddr net.Addr, rest []byte) net.Conn {
	if len(rest) == 0 {
		switch c := nc.(type) {
		case *Conn:
			c.raddr = raddr
			return c
		case *TLSConn:
			c.c.raddr = raddr
			return c
		}
	}
	return &proxyConn{Conn: nc, raddr: raddr, rest: rest}
}

// proxyConn is a tunnel whose first Reads return the bytes that arrived
// with the proxy's reply.
type proxyConn struct {
	net.Conn
	raddr net.Addr
	mu    sync.Mutex
	rest  []byte
}

func (c *proxyConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if len(c.rest) > 0 {
		n := copy(b, c.rest)
		c.rest = c.rest[n:]
		if len(c.rest) == 0 {
			c.rest = nil
		}
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

func (c *proxyConn) RemoteAddr() net.Addr { return c.raddr }

// CloseWrite shuts down the writing side, when the connection to the
// proxy supports it.
func (c *proxyConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return &net.OpError{Op: "close", Net: "tcp", Addr: c.raddr,
		Err: &Error{Op: "CloseWrite", Msg: "not supported by the connection to the proxy", Kind: ErrProxyUnsupported}}
}

// NetConn returns the connection to the proxy.
func (c *proxyConn) NetConn() net.Conn { return c.Conn }
