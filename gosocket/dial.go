package gosocket

import (
	"context"
	"errors"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// A Dialer holds options for connecting, as net.Dialer does; a nil
// *Dialer or the zero value uses the defaults: no timeout beyond the
// context's, names resolved with the package's default Resolver. Its
// methods are safe for concurrent use.
type Dialer struct {
	// Timeout bounds the whole dial, name resolution included (0: none).
	Timeout time.Duration
	// Deadline is an absolute limit for the dial (zero: none). With
	// Timeout, the earlier one applies.
	Deadline time.Time
	// Resolver resolves host names; nil uses the default resolver (see
	// Resolve).
	Resolver *Resolver
	// FallbackDelay is the Connection Attempt Delay of Happy Eyeballs
	// (RFC 8305), as in net.Dialer: when a name has several addresses,
	// they are ordered with the families interleaved (the family of the
	// first address first) and raced, the next attempt starting
	// FallbackDelay after the previous one, or at once when an attempt
	// fails; the first to connect wins and the others are abandoned.
	// Zero uses DefaultFallbackDelay; a negative value disables racing
	// (addresses are tried one after the other, in resolver order).
	FallbackDelay time.Duration
	// Proxy, when not nil, makes DialContext connect through this proxy
	// (see ProxyDialer for the URL and the errors): the Dialer, with its
	// other fields, connects to the proxy, which then connects to the
	// address. Timeout and Deadline bound the whole dial.
	Proxy *url.URL
}

// DefaultFallbackDelay is the Happy Eyeballs delay used when
// Dialer.FallbackDelay is zero: RFC 8305's recommended 250 ms, the C
// library's SOCKET_HE_DEFAULT_FIRST_ATTEMPT_DELAY_MS.
const DefaultFallbackDelay = 250 * time.Millisecond

// Dial connects to address on network with the default Dialer, as
// net.Dial does. See Dialer.DialContext for the networks and addresses.
//
// Dialling a host name starts the default resolver's worker threads on
// first use; see Resolve for when they are released.
func Dial(network, address string) (net.Conn, error) {
	return (*Dialer)(nil).DialContext(context.Background(), network, address)
}

// DialContext is Dial bounded by ctx, as net.Dialer.DialContext.
func DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return (*Dialer)(nil).DialContext(ctx, network, address)
}

// DialTimeout is Dial with a timeout, as net.DialTimeout.
func DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	d := Dialer{Timeout: timeout}
	return d.DialContext(context.Background(), network, address)
}

// Dial is DialContext with context.Background.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on network. For "tcp", "tcp4" and
// "tcp6", address is "host:port": a literal address is dialled directly,
// a name is resolved through SocketDNS and its addresses are tried in
// order until one connects (an empty host dials the loopback address).
// For "unix", address is a socket path or "@name". The result is a *Conn,
// or a *UnixConn for "unix", with TCP_NODELAY set on TCP connections.
//
// ctx bounds the dial: when it is cancelled the dial fails with an error
// matching context.Canceled; when its deadline (or the Dialer's) passes,
// with a timeout error matching os.ErrDeadlineExceeded and
// context.DeadlineExceeded. Once connected, ctx no longer matters.
//
// Errors are *net.OpError values with Op "dial", as package net's: for
// example "dial tcp 127.0.0.1:1: connect: connection refused". Err is a
// *net.DNSError when the name did not resolve; otherwise it unwraps to
// the *Error with the details, so errors.Is(err, ErrSocket) and
// errors.Is(err, syscall.ECONNREFUSED) hold.
//
// With Proxy set, the dial goes through the proxy as
// ProxyDialer.DialContext describes (result, addresses and errors).
//
// DialContext has the signature of http.Transport.DialContext.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d == nil {
		d = &Dialer{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	deadline := d.Deadline
	if d.Timeout > 0 {
		if t := time.Now().Add(d.Timeout); deadline.IsZero() || t.Before(deadline) {
			deadline = t
		}
	}
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	if ctx.Err() != nil {
		return nil, opError("dial", network, nil, nil, "", ctxError("Dial", ctx))
	}
	if d.Proxy != nil {
		return d.dialProxy(ctx, network, address)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		return d.dialTCP(ctx, network, address)
	case "unix":
		c, err := dialUnix(ctx, address)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, opError("dial", network, nil, nil, "", unknownNetwork("Dial", network))
}

func dialUnix(ctx context.Context, address string) (*UnixConn, error) {
	raddr := &net.UnixAddr{Name: address, Net: "unix"}
	info, err := cgo.DialUnix(address)
	if err != nil {
		return nil, opError("dial", "unix", nil, raddr, "connect", wrapErr("Dial", err, ErrSocket))
	}
	c, err := newConn(info, "unix")
	if err != nil {
		return nil, opError("dial", "unix", nil, raddr, "", err)
	}
	if !info.Connected {
		if err := c.waitConnect(ctx); err != nil {
			c.Close()
			return nil, opError("dial", "unix", nil, raddr, "connect", err)
		}
	}
	return &UnixConn{c}, nil
}

func (d *Dialer) dialTCP(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := splitHostPort("Dial", network, address)
	if err != nil {
		return nil, opError("dial", network, nil, nil, "", err)
	}
	if port == 0 {
		return nil, opError("dial", network, nil, nil, "",
			&Error{Op: "Dial", Msg: "missing port in address " + address, Kind: ErrSocket})
	}
	targets, err := d.targets(ctx, network, host, port)
	if err != nil {
		return nil, opError("dial", network, nil, nil, "", err)
	}
	if len(targets) > 1 && d.FallbackDelay >= 0 {
		delay := d.FallbackDelay
		if delay == 0 {
			delay = DefaultFallbackDelay
		}
		return dialRace(ctx, network, interleaveFamilies(targets), delay)
	}
	var first error
	for _, ap := range targets {
		c, err := dialOne(ctx, ap)
		if err == nil {
			c.netName = network
			return c, nil
		}
		if first == nil {
			first = opError("dial", network, nil, net.TCPAddrFromAddrPort(ap), dialCall(err), err)
		}
		if ctx.Err() != nil {
			return nil, opError("dial", network, nil, net.TCPAddrFromAddrPort(ap), "", ctxError("Dial", ctx))
		}
	}
	return nil, first
}

// interleaveFamilies orders aps as RFC 8305 section 4 asks: the family
// of the first address first, then alternating families (resolver order
// kept within a family).
func interleaveFamilies(aps []netip.AddrPort) []netip.AddrPort {
	var first, other []netip.AddrPort
	for _, ap := range aps {
		if ap.Addr().Is4() == aps[0].Addr().Is4() {
			first = append(first, ap)
		} else {
			other = append(other, ap)
		}
	}
	out := make([]netip.AddrPort, 0, len(aps))
	for i := 0; i < len(first) || i < len(other); i++ {
		if i < len(first) {
			out = append(out, first[i])
		}
		if i < len(other) {
			out = append(out, other[i])
		}
	}
	return out
}

// dialRace runs Happy Eyeballs over aps (RFC 8305 section 5): attempt
// i+1 starts delay after attempt i, or at once when an attempt fails.
// Each attempt is a dialOne in its own goroutine waiting on Go's poller;
// no OS thread is held. The first connection wins; the others are
// cancelled and any that still connect are closed.
func dialRace(ctx context.Context, network string, aps []netip.AddrPort, delay time.Duration) (net.Conn, error) {
	type result struct {
		c   *Conn
		err error
		ap  netip.AddrPort
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan result, len(aps))
	next, pending := 0, 0
	start := func() {
		ap := aps[next]
		next++
		pending++
		go func() {
			c, err := dialOne(ctx, ap)
			results <- result{c, err, ap}
		}()
	}
	// abandon closes the connections of attempts still running.
	abandon := func() {
		n := pending
		go func() {
			for range n {
				if r := <-results; r.c != nil {
					r.c.Close()
				}
			}
		}()
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	start()
	var first error
	for pending > 0 {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				cancel()
				abandon()
				r.c.netName = network
				return r.c, nil
			}
			if ctx.Err() != nil {
				abandon()
				return nil, opError("dial", network, nil, net.TCPAddrFromAddrPort(r.ap), "", ctxError("Dial", ctx))
			}
			if first == nil {
				first = opError("dial", network, nil, net.TCPAddrFromAddrPort(r.ap), dialCall(r.err), r.err)
			}
			if next < len(aps) {
				start()
				timer.Reset(delay)
			}
		case <-timer.C:
			if next < len(aps) {
				start()
				timer.Reset(delay)
			}
		}
	}
	return nil, first
}

// dialCall names the system call behind a dial's errno, as net does.
func dialCall(err error) string {
	switch errnoOf(err) {
	case syscall.EMFILE, syscall.ENFILE, syscall.EAFNOSUPPORT, syscall.EPROTONOSUPPORT, syscall.ENOBUFS:
		return "socket"
	}
	return "connect"
}

// targets lists the addresses to try for host.
func (d *Dialer) targets(ctx context.Context, network, host string, port int) ([]netip.AddrPort, error) {
	if host == "" {
		lo := netip.MustParseAddr("127.0.0.1")
		if network == "tcp6" {
			lo = netip.IPv6Loopback()
		}
		return []netip.AddrPort{netip.AddrPortFrom(lo, uint16(port))}, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if !familyOK(network, ip) {
			return nil, &Error{Op: "Dial", Msg: "address " + host + " is not of network " + network, Kind: ErrSocket}
		}
		return []netip.AddrPort{netip.AddrPortFrom(ip, uint16(port))}, nil
	}
	var aps []netip.AddrPort
	var err error
	if d.Resolver != nil {
		aps, err = d.Resolver.Resolve(ctx, host, port)
	} else {
		aps, err = Resolve(ctx, host, port)
	}
	if err != nil {
		return nil, err
	}
	if aps = filterFamily(network, aps); len(aps) == 0 {
		return nil, noSuitableAddress(host)
	}
	return aps, nil
}

// noSuitableAddress is net's error for a name without an address of the
// wanted family.
func noSuitableAddress(host string) error {
	return &net.DNSError{Err: "no suitable address found", Name: host,
		UnwrapErr: &Error{Op: "Resolve", Msg: "no suitable address found", Kind: ErrDNS}}
}

// dialOne connects to one address.
func dialOne(ctx context.Context, ap netip.AddrPort) (*Conn, error) {
	ip := ap.Addr().Unmap()
	info, err := cgo.Dial(domainOf(ip), ip.String(), int(ap.Port()), true)
	if err != nil {
		return nil, wrapErr("Dial", err, ErrSocket)
	}
	c, err := newConn(info, "tcp")
	if err != nil {
		return nil, err
	}
	if !info.Connected {
		if err := c.waitConnect(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// waitConnect waits for a connect in progress: writability through the
// poller, then SO_ERROR. ctx interrupts it through the write deadline.
func (c *Conn) waitConnect(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		c.f.SetWriteDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.f.SetWriteDeadline(aLongTimeAgo)
		close(fired)
	})
	var info cgo.SockInfo
	var cerr error
	err := c.rc.Write(func(uintptr) bool {
		info, cerr = c.sock.ConnectResult()
		return cerr != nil || info.Connected
	})
	if !stop() {
		<-fired // the deadline it set must not outlive the dial
	}
	c.f.SetWriteDeadline(time.Time{})
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		return ctxError("Dial", ctx)
	case err != nil && (ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded)):
		// The write deadline is ctx's own and may fire just before ctx's
		// timer does: a deadline error either way.
		return &Error{Op: "Dial", Msg: "i/o timeout", Kind: errs.ErrDeadline}
	case err != nil:
		return c.pollError("Dial", err)
	case cerr != nil:
		return wrapErr("Dial", cerr, ErrSocket)
	}
	c.setAddrs(info)
	return nil
}

// ctxError is the error of an operation stopped by ctx.
func ctxError(op string, ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Op: op, Msg: "i/o timeout", Kind: errs.ErrDeadline}
	}
	return &Error{Op: op, Msg: "operation was canceled", Kind: context.Canceled}
}

func unknownNetwork(op, network string) error {
	return &Error{Op: op, Msg: "unknown network " + strconv.Quote(network), Kind: ErrSocket}
}

// splitHostPort parses "host:port"; the port may be a number or a service
// name ("http").
func splitHostPort(op, network, address string) (string, int, error) {
	host, service, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, &Error{Op: op, Msg: err.Error(), Kind: ErrSocket}
	}
	port, err := strconv.Atoi(service)
	if err != nil {
		if port, err = net.LookupPort(network, service); err != nil {
			return "", 0, &Error{Op: op, Msg: "unknown port " + strconv.Quote(service), Kind: ErrSocket}
		}
	}
	if port < 0 || port > 65535 {
		return "", 0, &Error{Op: op, Msg: "invalid port " + service, Kind: ErrSocket}
	}
	return host, port, nil
}

func domainOf(ip netip.Addr) int {
	if ip.Is4() {
		return syscall.AF_INET
	}
	return syscall.AF_INET6
}

func familyOK(network string, ip netip.Addr) bool {
	switch network {
	case "tcp4", "udp4":
		return ip.Is4()
	case "tcp6", "udp6":
		return ip.Is6()
	}
	return true
}

// filterFamily keeps the addresses usable on network (mapped IPv4
// addresses are unmapped first).
func filterFamily(network string, aps []netip.AddrPort) []netip.AddrPort {
	out := aps[:0]
	for _, ap := range aps {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if familyOK(network, ap.Addr()) {
			out = append(out, ap)
		}
	}
	return out
}

// errnoOf is the errno saved with err (an error of package cgo or an
// *Error), 0 if none.
func errnoOf(err error) syscall.Errno {
	var ce *cgo.Error
	if errors.As(err, &ce) {
		return ce.Errno
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Errno
	}
	return 0
}
