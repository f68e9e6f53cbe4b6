package gosocket

import (
	"context"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"github.com/libsocket/libsocket/cgo"
)

// listenBacklog is the listen(2) backlog (the C library caps it at
// SOCKET_MAX_LISTEN_BACKLOG).
const listenBacklog = 1024

// Listener is a TCP or Unix-domain listening socket. It implements
// net.Listener; Close is idempotent and makes a blocked Accept return an
// error matching net.ErrClosed. A Unix listener bound to a file path
// removes the socket file on Close.
type Listener struct {
	sockFile
	sock    cgo.Socket
	network string // "tcp" or "unix"
	netName string // network as given to Listen ("tcp4"), for errors
	addr    net.Addr
	unlink  string // socket file to remove on Close
	cleanup runtime.Cleanup

	amu      sync.Mutex // one Accept at a time; guards ainfo, aok, aerr
	ainfo    cgo.SockInfo
	aok      bool
	aerr     error
	acceptFn func(uintptr) bool
}

// ListenConfig holds options for listening, as net.ListenConfig does; the
// zero value uses the defaults. Its ctx only bounds the resolution of a
// host name in the address: a listening socket outlives it.
type ListenConfig struct{}

// Listen is the package's Listen with ctx bounding name resolution, and
// net.ListenConfig.Listen's signature.
func (*ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	l, err := listen(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ListenPacket is the package's ListenPacket with ctx bounding name
// resolution, and net.ListenConfig.ListenPacket's signature.
func (*ListenConfig) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	p, err := listenPacket(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Listen listens on a local address, as net.Listen. network is "tcp",
// "tcp4", "tcp6" or "unix". For TCP, address is "host:port": an empty
// host listens on every address (dual-stack IPv6 for "tcp", falling back
// to IPv4 where IPv6 is unavailable), a port of 0 picks one (see Addr). A
// host name is resolved and the first address of the network's family is
// used (IPv4 first for "tcp"). For "unix", address is a file path or
// "@name" in the abstract namespace.
//
// The result is the concrete *Listener (a net.Listener with AcceptUnix
// and poll registration); ListenConfig.Listen returns a net.Listener.
// Errors are *net.OpError values with Op "listen", unwrapping to an
// *Error (or holding a *net.DNSError), as net's.
//
// The C library makes every IPv6 socket dual-stack, so unlike package net
// a "tcp6" listener also accepts IPv4 connections (seen as IPv4
// addresses).
func Listen(network, address string) (*Listener, error) {
	return listen(context.Background(), network, address)
}

func listen(ctx context.Context, network, address string) (*Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
		return listenTCP(ctx, network, address)
	case "unix":
		info, err := cgo.ListenUnix(address, listenBacklog)
		if err != nil {
			err = wrapErr("Listen", err, ErrSocket)
			return nil, opError("listen", network, nil, &net.UnixAddr{Name: address, Net: "unix"}, listenCall(err), err)
		}
		l, err := newListener(info, "unix")
		if err != nil {
			return nil, opError("listen", network, nil, &net.UnixAddr{Name: address, Net: "unix"}, "", err)
		}
		if !strings.HasPrefix(address, "@") {
			l.unlink = address
		}
		return l, nil
	}
	return nil, opError("listen", network, nil, nil, "", unknownNetwork("Listen", network))
}

// listenCall names the system call behind a listen's errno, as net does.
func listenCall(err error) string {
	switch errnoOf(err) {
	case syscall.EADDRINUSE, syscall.EADDRNOTAVAIL, syscall.EACCES, syscall.EINVAL:
		return "bind"
	case syscall.EMFILE, syscall.ENFILE, syscall.EAFNOSUPPORT:
		return "socket"
	}
	return "listen"
}

func listenTCP(ctx context.Context, network, address string) (*Listener, error) {
	host, port, err := splitHostPort("Listen", network, address)
	if err != nil {
		return nil, opError("listen", network, nil, nil, "", err)
	}
	var info cgo.SockInfo
	var ip netip.Addr
	if host == "" {
		domain := syscall.AF_INET6
		if network == "tcp4" {
			domain = syscall.AF_INET
		}
		info, err = cgo.Listen(domain, "", port, listenBacklog)
		if err != nil && network == "tcp" && errnoOf(err) == syscall.EAFNOSUPPORT {
			info, err = cgo.Listen(syscall.AF_INET, "", port, listenBacklog)
		}
	} else {
		ip, err = listenAddrContext(ctx, network, host, port)
		if err != nil {
			return nil, opError("listen", network, nil, nil, "", err)
		}
		info, err = cgo.Listen(domainOf(ip), ip.String(), port, listenBacklog)
	}
	if err != nil {
		err = wrapErr("Listen", err, ErrSocket)
		return nil, opError("listen", network, nil, net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))), listenCall(err), err)
	}
	l, err := newListener(info, "tcp")
	if err != nil {
		return nil, opError("listen", network, nil, nil, "", err)
	}
	l.netName = network
	return l, nil
}

// listenAddr picks the address to bind for host (dtls.go uses it too).
func listenAddr(network, host string, port int) (netip.Addr, error) {
	return listenAddrContext(context.Background(), network, host, port)
}

// listenAddrContext is listenAddr with ctx bounding name resolution.
func listenAddrContext(ctx context.Context, network, host string, port int) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if !familyOK(network, ip) {
			return netip.Addr{}, &Error{Op: "Listen", Msg: "address " + host + " is not of network " + network, Kind: ErrSocket}
		}
		return ip, nil
	}
	aps, err := Resolve(ctx, host, port)
	if err != nil {
		return netip.Addr{}, err
	}
	aps = filterFamily(network, aps)
	if network == "tcp" || network == "udp" {
		for _, ap := range aps {
			if ap.Addr().Is4() {
				return ap.Addr(), nil
			}
		}
	}
	if len(aps) == 0 {
		return netip.Addr{}, noSuitableAddress(host)
	}
	return aps[0].Addr(), nil
}

func newListener(info cgo.SockInfo, network string) (*Listener, error) {
	l := &Listener{sock: info.Sock, network: network, netName: network}
	if err := l.init(info.PollFD, "gosocket-listener"); err != nil {
		syscall.Close(info.PollFD)
		info.Sock.Free()
		return nil, err
	}
	if network == "unix" {
		l.addr = &net.UnixAddr{Name: info.LocalAddr, Net: "unix"}
	} else {
		l.addr = tcpAddr(info.LocalAddr, info.LocalPort)
	}
	l.acceptFn = l.acceptOnce
	l.cleanup = runtime.AddCleanup(l, cgo.Socket.Free, info.Sock)
	return l, nil
}

// Accept waits for the next connection: a *Conn for TCP, a *UnixConn for
// Unix sockets.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.accept()
	if err != nil {
		return nil, err
	}
	if l.network == "unix" {
		return &UnixConn{c}, nil
	}
	return c, nil
}

// AcceptUnix is Accept for a Unix listener, with the concrete type.
func (l *Listener) AcceptUnix() (*UnixConn, error) {
	if l.network != "unix" {
		return nil, &Error{Op: "Listener.AcceptUnix", Msg: "not a Unix listener", Kind: ErrSocket}
	}
	c, err := l.accept()
	if err != nil {
		return nil, err
	}
	return &UnixConn{c}, nil
}

func (l *Listener) accept() (*Conn, error) {
	l.amu.Lock()
	l.ainfo, l.aok, l.aerr = cgo.SockInfo{}, false, nil
	err := l.rc.Read(l.acceptFn)
	info, aerr := l.ainfo, l.aerr
	l.aerr = nil
	l.amu.Unlock()
	if err != nil {
		return nil, l.opError(l.pollError("Listener.Accept", err))
	}
	if aerr != nil {
		return nil, l.opError(wrapErr("Listener.Accept", aerr, ErrSocket))
	}
	c, err := newConn(info, l.network)
	if err != nil {
		return nil, l.opError(err)
	}
	c.netName = l.netName
	return c, nil
}

// opError is a *net.OpError for Accept, as net.Listener's.
func (l *Listener) opError(err error) error {
	return opError("accept", l.netName, nil, l.addr, "accept", err)
}

func (l *Listener) acceptOnce(uintptr) bool {
	l.ainfo, l.aok, l.aerr = l.sock.Accept(l.network == "tcp")
	return l.aok || l.aerr != nil
}

// Close stops listening. It is idempotent; a blocked Accept returns an
// error matching net.ErrClosed. Connections already accepted stay open.
func (l *Listener) Close() error {
	if l.closeFile() {
		l.cleanup.Stop()
		l.sock.Free()
		if l.unlink != "" {
			os.Remove(l.unlink)
		}
	}
	return nil
}

// Addr returns the bound address (*net.TCPAddr, with the port picked for
// port 0, or *net.UnixAddr).
func (l *Listener) Addr() net.Addr { return l.addr }

func (l *Listener) pollTarget() (*sockFile, cgo.Socket) { return &l.sockFile, l.sock }

var _ net.Listener = (*Listener)(nil)
