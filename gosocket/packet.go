package gosocket

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// PacketConn is a UDP socket. It implements net.PacketConn with the same
// deadline and Close behaviour as Conn, and adds TTL, broadcast and
// multicast membership. Its methods are safe for concurrent use.
type PacketConn struct {
	sockFile
	d       cgo.Dgram
	netName string // network as given to ListenPacket ("udp4"), for errors
	laddr   *net.UDPAddr
	cleanup runtime.Cleanup

	rmu    sync.Mutex // guards the r* fields
	rbuf   []byte
	rn     int
	rhost  string
	rport  int
	rerr   error
	readFn func(uintptr) bool

	wmu     sync.Mutex // guards the w* fields
	wbuf    []byte
	whost   string
	wport   int
	wn      int
	werr    error
	writeFn func(uintptr) bool
}

// ListenPacket opens a UDP socket bound to address ("host:port"; an empty
// host is every address, port 0 picks one), as net.ListenPacket. network
// is "udp", "udp4" or "udp6"; "udp" with an empty host is dual-stack IPv6
// where available. Host names are resolved like Listen's. The result is
// the concrete *PacketConn; ListenConfig.ListenPacket returns a
// net.PacketConn. Errors are *net.OpError values with Op "listen".
func ListenPacket(network, address string) (*PacketConn, error) {
	return listenPacket(context.Background(), network, address)
}

func listenPacket(ctx context.Context, network, address string) (*PacketConn, error) {
	switch network {
	case "udp", "udp4", "udp6":
	default:
		return nil, opError("listen", network, nil, nil, "", unknownNetwork("ListenPacket", network))
	}
	host, port, err := splitHostPort("ListenPacket", network, address)
	if err != nil {
		return nil, opError("listen", network, nil, nil, "", err)
	}
	var info cgo.SockInfo
	var ip netip.Addr
	if host == "" {
		domain := syscall.AF_INET6
		if network == "udp4" {
			domain = syscall.AF_INET
		}
		info, err = cgo.OpenDgram(domain, "", port)
		if err != nil && network == "udp" && errnoOf(err) == syscall.EAFNOSUPPORT {
			info, err = cgo.OpenDgram(syscall.AF_INET, "", port)
		}
	} else {
		if ip, err = listenAddrContext(ctx, network, host, port); err != nil {
			return nil, opError("listen", network, nil, nil, "", err)
		}
		info, err = cgo.OpenDgram(domainOf(ip), ip.String(), port)
	}
	if err != nil {
		err = wrapErr("ListenPacket", err, ErrSocket)
		return nil, opError("listen", network, nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))), listenCall(err), err)
	}
	p := &PacketConn{d: info.Dgram, netName: network}
	if err := p.init(info.PollFD, "gosocket-udp"); err != nil {
		syscall.Close(info.PollFD)
		info.Dgram.Free()
		return nil, opError("listen", network, nil, nil, "", err)
	}
	a, _ := netip.ParseAddr(info.LocalAddr)
	p.laddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(a.Unmap(), uint16(info.LocalPort)))
	p.readFn, p.writeFn = p.readOnce, p.writeOnce
	p.cleanup = runtime.AddCleanup(p, cgo.Dgram.Free, info.Dgram)
	return p, nil
}

// ReadFrom reads one datagram into b (the rest of a longer one is lost)
// and returns its sender as a *net.UDPAddr.
func (p *PacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, ap, err := p.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(ap), nil
}

// ReadFromUDPAddrPort is ReadFrom with the sender as a netip.AddrPort
// (IPv4 senders unmapped).
func (p *PacketConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	p.rmu.Lock()
	p.rbuf, p.rn, p.rhost, p.rerr = b, 0, "", nil
	err := p.rc.Read(p.readFn)
	n, host, port, rerr := p.rn, p.rhost, p.rport, p.rerr
	p.rbuf, p.rerr = nil, nil
	p.rmu.Unlock()
	if err != nil {
		return 0, netip.AddrPort{}, p.opError("read", nil, p.pollError("PacketConn.ReadFrom", err))
	}
	if rerr != nil {
		return 0, netip.AddrPort{}, p.opError("read", nil, wrapErr("PacketConn.ReadFrom", rerr, ErrSocket))
	}
	a, _ := netip.ParseAddr(host)
	return n, netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}

// opError is a *net.OpError for op ("read" or "write") with the peer
// addr (nil if none), as net.PacketConn's.
func (p *PacketConn) opError(op string, addr net.Addr, err error) error {
	return opError(op, p.netName, p.laddr, addr, op, err)
}

func (p *PacketConn) readOnce(uintptr) bool {
	n, host, port, ok, err := p.d.RecvFrom(p.rbuf)
	if !ok && err == nil {
		return false
	}
	p.rn, p.rhost, p.rport, p.rerr = n, host, port, err
	return true
}

// WriteTo sends b as one datagram to addr, a *net.UDPAddr.
func (p *PacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok || ua == nil {
		return 0, p.opError("write", addr, &Error{Op: "PacketConn.WriteTo", Msg: "address is not a *net.UDPAddr", Kind: ErrSocket})
	}
	return p.WriteToUDPAddrPort(b, ua.AddrPort())
}

// WriteToUDPAddrPort sends b as one datagram to addr.
func (p *PacketConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	if !addr.IsValid() || addr.Port() == 0 {
		return 0, p.opError("write", nil, &Error{Op: "PacketConn.WriteTo", Msg: "invalid destination " + addr.String(), Kind: ErrSocket})
	}
	p.wmu.Lock()
	p.wbuf, p.whost, p.wport, p.wn, p.werr = b, addr.Addr().Unmap().String(), int(addr.Port()), 0, nil
	err := p.rc.Write(p.writeFn)
	n, werr := p.wn, p.werr
	p.wbuf, p.werr = nil, nil
	p.wmu.Unlock()
	if err != nil {
		return 0, p.opError("write", net.UDPAddrFromAddrPort(addr), p.pollError("PacketConn.WriteTo", err))
	}
	if werr != nil {
		return 0, p.opError("write", net.UDPAddrFromAddrPort(addr), wrapErr("PacketConn.WriteTo", werr, ErrSocket))
	}
	return n, nil
}

func (p *PacketConn) writeOnce(uintptr) bool {
	n, err := p.d.SendTo(p.wbuf, p.whost, p.wport)
	if n == 0 && err == nil && len(p.wbuf) > 0 {
		return false // would block (an empty datagram never does)
	}
	p.wn, p.werr = n, err
	return true
}

// Close closes the socket; it is idempotent and interrupts blocked calls
// (they return an error matching net.ErrClosed).
func (p *PacketConn) Close() error {
	if p.closeFile() {
		p.cleanup.Stop()
		p.d.Free()
	}
	return nil
}

// LocalAddr returns the bound address, a *net.UDPAddr.
func (p *PacketConn) LocalAddr() net.Addr { return p.laddr }

// SetDeadline sets the read and write deadlines.
func (p *PacketConn) SetDeadline(t time.Time) error {
	return p.setDeadline("PacketConn.SetDeadline", p.f.SetDeadline, t)
}

// SetReadDeadline sets the deadline of ReadFrom calls.
func (p *PacketConn) SetReadDeadline(t time.Time) error {
	return p.setDeadline("PacketConn.SetReadDeadline", p.f.SetReadDeadline, t)
}

// SetWriteDeadline sets the deadline of WriteTo calls.
func (p *PacketConn) SetWriteDeadline(t time.Time) error {
	return p.setDeadline("PacketConn.SetWriteDeadline", p.f.SetWriteDeadline, t)
}

// SetTTL sets the unicast TTL (IPv4) or hop limit (IPv6), 1..255, and the
// multicast one with it.
func (p *PacketConn) SetTTL(ttl int) error {
	_, err := p.option("PacketConn.SetTTL", cgo.OptTTLSet, ttl)
	return err
}

// TTL returns the unicast TTL or hop limit.
func (p *PacketConn) TTL() (int, error) { return p.option("PacketConn.TTL", cgo.OptTTLGet, 0) }

// SetBroadcast enables or disables sending to broadcast addresses
// (SO_BROADCAST).
func (p *PacketConn) SetBroadcast(on bool) error {
	_, err := p.option("PacketConn.SetBroadcast", cgo.OptBroadcastSet, boolInt(on))
	return err
}

// Broadcast reports whether SO_BROADCAST is set.
func (p *PacketConn) Broadcast() (bool, error) {
	v, err := p.option("PacketConn.Broadcast", cgo.OptBroadcastGet, 0)
	return v != 0, err
}

// JoinGroup joins the multicast group (IPv4 or IPv6) on ifi, or on the
// default interface when ifi is nil.
func (p *PacketConn) JoinGroup(ifi *net.Interface, group net.IP) error {
	return p.multicast("PacketConn.JoinGroup", true, ifi, group)
}

// LeaveGroup leaves a group joined with JoinGroup.
func (p *PacketConn) LeaveGroup(ifi *net.Interface, group net.IP) error {
	return p.multicast("PacketConn.LeaveGroup", false, ifi, group)
}

func (p *PacketConn) multicast(op string, join bool, ifi *net.Interface, group net.IP) error {
	if group == nil {
		return &Error{Op: op, Msg: "nil group", Kind: ErrSocket}
	}
	name := ""
	if ifi != nil {
		name = ifi.Name
	}
	return p.control(op, func() error { return p.d.Multicast(join, group.String(), name) })
}

func (p *PacketConn) option(op string, opt, v int) (int, error) {
	var out int
	err := p.control(op, func() (err error) {
		out, err = p.d.Option(opt, v)
		return err
	})
	return out, err
}

var _ net.PacketConn = (*PacketConn)(nil)
