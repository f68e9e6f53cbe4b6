package gosocket

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// The sockets of this package keep their I/O in C and use Go's runtime
// poller only to wait.
//
// Every C socket is non-blocking. Its descriptor belongs to the C object
// (Socket_free closes it). Go's poller gets a dup of it, wrapped in an
// *os.File whose RawConn is used for waiting only: Read calls the C
// receive inside RawConn.Read, which parks the goroutine in the poller
// when C reports would-block, wakes it on readiness, and ends the wait
// with os.ErrDeadlineExceeded at the deadline or with an error when the
// file is closed. Deadlines and Close wake-ups are thus Go's own.
//
// The file doubles as a reference count on the C object: a C call runs
// only inside a RawConn callback, and (*os.File).Close waits until every
// callback in progress has returned. Close therefore closes the dup
// first (waking any blocked Read or Write) and frees the C socket after,
// so no C call can see a freed socket and each descriptor is closed
// exactly once, by its owner.

// aLongTimeAgo is a deadline in the past, used to interrupt waits.
var aLongTimeAgo = time.Unix(1, 0)

// sockFile is the Go side of one C socket: the poller's file and the
// state shared by Conn, Listener and PacketConn.
type sockFile struct {
	f      *os.File        // dup of the C descriptor, owned by Go
	rc     syscall.RawConn // f's; its callbacks are the only place C runs
	closed atomic.Bool

	pollsMu sync.Mutex
	polls   map[*Poll]struct{} // C event loops this socket is registered in
	noPolls bool               // set by Close: no new registrations
}

func (s *sockFile) init(fd int, name string) error {
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		return &Error{Op: "newFile", Msg: "invalid descriptor " + strconv.Itoa(fd), Kind: ErrSocket}
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return wrapErr("newFile", err, ErrSocket)
	}
	s.f, s.rc = f, rc
	return nil
}

// closeFile marks the socket closed and closes the poller's file. It
// reports false if it was closed already. When it returns, no RawConn
// callback (so no C call) is running or will run.
func (s *sockFile) closeFile() bool {
	if !s.closed.CompareAndSwap(false, true) {
		return false
	}
	s.detachPolls()
	s.f.Close()
	return true
}

// opError returns err the way package net reports it: a *net.OpError
// naming the operation ("dial", "read", "write", "accept", "listen"), the
// network and the addresses, whose Err prints like net's ("connect:
// connection refused", "i/o timeout") and unwraps to the *Error with the
// details (exception, C message), so errors.Is with the Err* sentinels,
// net.ErrClosed, os.ErrDeadlineExceeded and errnos keeps working. call
// names the system call for an errno ("connect", "read", ...). io.EOF and
// errors that are not an *Error (a *net.DNSError, say) are kept as they are.
func opError(op, network string, source, addr net.Addr, call string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if e, ok := err.(*Error); ok {
		err = &netError{call: call, e: e}
	}
	return &net.OpError{Op: op, Net: network, Source: source, Addr: addr, Err: err}
}

// netError is the Err of the *net.OpError built by opError.
type netError struct {
	call string // system call reported with an errno, "" for none
	e    *Error
}

// Error reads "<call>: <errno text>" as net's *os.SyscallError does, or
// the message of an error without errno ("i/o timeout", "use of closed
// network connection"). An errno of 0 is never printed.
func (n *netError) Error() string {
	switch {
	case n.e.Errno != 0 && n.call != "":
		return n.call + ": " + n.e.Errno.Error()
	case n.e.Errno != 0:
		return n.e.Errno.Error()
	case n.e.Msg != "":
		return n.e.Msg
	}
	return n.e.Error()
}

func (n *netError) Unwrap() error   { return n.e }
func (n *netError) Timeout() bool   { return n.e.Timeout() }
func (n *netError) Temporary() bool { return n.e.Temporary() }

// closedError is the error of an operation on, or interrupted by, Close.
func closedError(op string) error {
	return &Error{Op: op, Msg: "use of closed network connection", Kind: ErrClosed}
}

// pollError converts an error of the poller (RawConn, deadlines).
func (s *sockFile) pollError(op string, err error) error {
	switch {
	case s.closed.Load():
		return closedError(op)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{Op: op, Msg: "i/o timeout", Kind: ErrTimeout}
	}
	return wrapErr(op, err, ErrSocket)
}

// control runs fn, which calls C, while the socket cannot be freed.
func (s *sockFile) control(op string, fn func() error) error {
	var ferr error
	if err := s.rc.Control(func(uintptr) { ferr = fn() }); err != nil {
		return s.pollError(op, err)
	}
	return wrapErr(op, ferr, ErrSocket)
}

func (s *sockFile) setDeadline(op string, set func(time.Time) error, t time.Time) error {
	if err := set(t); err != nil {
		return s.pollError(op, err)
	}
	return nil
}

// Conn is a TCP or Unix-domain stream connection. It implements net.Conn:
// Read and Write honour the deadlines, Close is idempotent and interrupts
// blocked Read and Write calls (they return an error matching
// net.ErrClosed), a timeout is an error matching os.ErrDeadlineExceeded
// whose Timeout method reports true, and an orderly end of stream is
// io.EOF. Its methods are safe for concurrent use.
//
// A Conn holds two descriptors: the C socket's and a dup registered with
// Go's poller. Close releases both.
type Conn struct {
	sockFile
	sock         cgo.Socket
	network      string // "tcp" or "unix"
	netName      string // network as given to Dial or Listen ("tcp4"), for errors
	laddr, raddr net.Addr
	cleanup      runtime.Cleanup

	rmu    sync.Mutex // one Read at a time; guards rbuf, rn, rerr
	rbuf   []byte
	rn     int
	rerr   error
	readFn func(uintptr) bool

	wmu     sync.Mutex // one Write at a time; guards wbuf, wn, werr
	wbuf    []byte
	wn      int
	werr    error
	writeFn func(uintptr) bool
}

// newConn takes ownership of the socket and descriptor in info.
func newConn(info cgo.SockInfo, network string) (*Conn, error) {
	c := &Conn{sock: info.Sock, network: network, netName: network}
	if err := c.init(info.PollFD, "gosocket-"+network); err != nil {
		syscall.Close(info.PollFD)
		info.Sock.Free()
		return nil, err
	}
	c.readFn, c.writeFn = c.readOnce, c.writeOnce
	c.setAddrs(info)
	// Leak backstop only: a Conn dropped without Close still frees its C
	// socket (the os.File closes its own descriptor the same way).
	c.cleanup = runtime.AddCleanup(c, cgo.Socket.Free, info.Sock)
	return c, nil
}

func (c *Conn) setAddrs(info cgo.SockInfo) {
	if c.network == "unix" {
		c.laddr = &net.UnixAddr{Name: info.LocalAddr, Net: "unix"}
		c.raddr = &net.UnixAddr{Name: info.RemoteAddr, Net: "unix"}
		return
	}
	c.laddr = tcpAddr(info.LocalAddr, info.LocalPort)
	c.raddr = tcpAddr(info.RemoteAddr, info.RemotePort)
}

func tcpAddr(host string, port int) *net.TCPAddr {
	a, _ := netip.ParseAddr(host)
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.Unmap(), uint16(port)))
}

// Read reads up to len(b) bytes. It returns io.EOF once the peer has
// closed its side and everything sent was read.
func (c *Conn) Read(b []byte) (int, error) {
	c.rmu.Lock()
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.rc.Read(c.readFn)
	n, rerr := c.rn, c.rerr
	c.rbuf, c.rerr = nil, nil
	c.rmu.Unlock()
	if err != nil {
		return 0, c.opError("read", c.pollError("Conn.Read", err))
	}
	if rerr != nil {
		return n, c.opError("read", readError("Conn.Read", rerr))
	}
	return n, nil
}

// opError is a *net.OpError for op on c, as net.Conn's methods return
// ("read", "write"; "set" for deadlines and options, "close" for
// CloseRead and CloseWrite).
func (c *Conn) opError(op string, err error) error {
	return opError(op, c.netName, c.laddr, c.raddr, op, err)
}

// readOnce is the RawConn callback of Read: false asks for a wait.
func (c *Conn) readOnce(uintptr) bool {
	if len(c.rbuf) == 0 {
		return true
	}
	n, err := c.sock.Recv(c.rbuf)
	if n == 0 && err == nil {
		return false
	}
	c.rn, c.rerr = n, err
	return true
}

// readError maps Socket_Closed to io.EOF, except for a reset (which
// stays an *Error with errno ECONNRESET).
func readError(op string, err error) error {
	var ce *cgo.Error
	if errors.As(err, &ce) && ce.Exception == "Socket_Closed" && ce.Errno != syscall.ECONNRESET {
		return io.EOF
	}
	return wrapErr(op, err, ErrSocket)
}

// Write writes all of b unless an error (or the deadline) stops it.
func (c *Conn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	c.wbuf, c.wn, c.werr = b, 0, nil
	err := c.rc.Write(c.writeFn)
	n, werr := c.wn, c.werr
	c.wbuf, c.werr = nil, nil
	c.wmu.Unlock()
	if err != nil {
		return n, c.opError("write", c.pollError("Conn.Write", err))
	}
	if werr != nil {
		return n, c.opError("write", wrapErr("Conn.Write", werr, ErrSocket))
	}
	return n, nil
}

// writeOnce is the RawConn callback of Write: it sends until everything
// is written or the socket would block (false: wait for writability).
func (c *Conn) writeOnce(uintptr) bool {
	for c.wn < len(c.wbuf) {
		n, err := c.sock.Send(c.wbuf[c.wn:])
		if err != nil {
			c.werr = err
			return true
		}
		if n == 0 {
			return false
		}
		c.wn += n
	}
	return true
}

// Close closes the connection. It is idempotent: later calls return nil.
// Read and Write calls blocked in other goroutines return an error
// matching net.ErrClosed.
func (c *Conn) Close() error {
	if c.closeFile() {
		c.cleanup.Stop()
		c.sock.Free()
	}
	return nil
}

// CloseRead shuts down the reading side.
func (c *Conn) CloseRead() error {
	return opError("close", c.netName, c.laddr, c.raddr, "shutdown",
		c.control("Conn.CloseRead", func() error { return c.sock.Shutdown(syscall.SHUT_RD) }))
}

// CloseWrite shuts down the writing side: the peer reads io.EOF.
func (c *Conn) CloseWrite() error {
	return opError("close", c.netName, c.laddr, c.raddr, "shutdown",
		c.control("Conn.CloseWrite", func() error { return c.sock.Shutdown(syscall.SHUT_WR) }))
}

// LocalAddr returns the local address (*net.TCPAddr or *net.UnixAddr).
func (c *Conn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address (*net.TCPAddr or *net.UnixAddr).
func (c *Conn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	return c.opError("set", c.setDeadline("Conn.SetDeadline", c.f.SetDeadline, t))
}

// SetReadDeadline sets the deadline of Read calls, current and future.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.opError("set", c.setDeadline("Conn.SetReadDeadline", c.f.SetReadDeadline, t))
}

// SetWriteDeadline sets the deadline of Write calls, current and future.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return c.opError("set", c.setDeadline("Conn.SetWriteDeadline", c.f.SetWriteDeadline, t))
}

// SetNoDelay sets TCP_NODELAY. Connections from Dial and Accept have it
// set, as in package net.
func (c *Conn) SetNoDelay(noDelay bool) error {
	return c.setOption("Conn.SetNoDelay", cgo.OptNoDelaySet, boolInt(noDelay))
}

// NoDelay reports whether TCP_NODELAY is set.
func (c *Conn) NoDelay() (bool, error) {
	v, err := c.getOption("Conn.NoDelay", cgo.OptNoDelayGet)
	return v != 0, err
}

// SetReadBuffer sets SO_RCVBUF (the kernel may double it).
func (c *Conn) SetReadBuffer(bytes int) error {
	return c.setOption("Conn.SetReadBuffer", cgo.OptRcvBufSet, bytes)
}

// SetWriteBuffer sets SO_SNDBUF (the kernel may double it).
func (c *Conn) SetWriteBuffer(bytes int) error {
	return c.setOption("Conn.SetWriteBuffer", cgo.OptSndBufSet, bytes)
}

// ReadBuffer returns SO_RCVBUF.
func (c *Conn) ReadBuffer() (int, error) { return c.getOption("Conn.ReadBuffer", cgo.OptRcvBufGet) }

// WriteBuffer returns SO_SNDBUF.
func (c *Conn) WriteBuffer() (int, error) {
	return c.getOption("Conn.WriteBuffer", cgo.OptSndBufGet)
}

func (c *Conn) setOption(op string, opt, v int) error {
	return opError("set", c.netName, c.laddr, c.raddr, "setsockopt", c.control(op, func() error {
		_, err := c.sock.Option(opt, v)
		return err
	}))
}

func (c *Conn) getOption(op string, opt int) (int, error) {
	var v int
	err := c.control(op, func() (err error) {
		v, err = c.sock.Option(opt, 0)
		return err
	})
	return v, err
}

func (c *Conn) pollTarget() (*sockFile, cgo.Socket) { return &c.sockFile, c.sock }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var (
	_ net.Conn  = (*Conn)(nil)
	_ net.Conn  = (*UnixConn)(nil)
	_ net.Error = (*Error)(nil)
)
