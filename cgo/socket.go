package cgo

/*
#include "shim_socket.h"

#cgo nocallback go_Socket_connect_result
#cgo noescape go_Socket_connect_result
#cgo nocallback go_Socket_free
#cgo nocallback go_Socket_send
#cgo noescape go_Socket_send
#cgo nocallback go_Socket_recv
#cgo noescape go_Socket_recv
#cgo nocallback go_Socket_shutdown
#cgo noescape go_Socket_shutdown
#cgo nocallback go_Socket_option
#cgo noescape go_Socket_option
#cgo nocallback go_Socket_peercred
#cgo noescape go_Socket_peercred
#cgo nocallback go_Socket_sendfds
#cgo noescape go_Socket_sendfds
#cgo nocallback go_Socket_recvfds
#cgo noescape go_Socket_recvfds
#cgo nocallback go_Socket_live_counts
#cgo noescape go_Socket_live_counts

#cgo nocallback go_SocketDgram_open
#cgo noescape go_SocketDgram_open
#cgo nocallback go_SocketDgram_free
#cgo nocallback go_SocketDgram_sendto
#cgo noescape go_SocketDgram_sendto
#cgo nocallback go_SocketDgram_recvfrom
#cgo noescape go_SocketDgram_recvfrom
#cgo nocallback go_SocketDgram_option
#cgo noescape go_SocketDgram_option
#cgo nocallback go_SocketDgram_multicast
#cgo noescape go_SocketDgram_multicast
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Buffers are passed as &b[0] written out in the call: cgo's pointer
// check then inspects only the slice's backing array. A pointer computed
// by a helper would make it scan the whole heap object holding the
// buffer, which fails for a []byte that is a field of a struct holding Go
// pointers (net/http's connReader does that).

var errEmpty = errors.New("cgo: empty descriptor list or buffer")

// Dial, DialUnix, Listen, ListenUnix and Accept may emit library events
// (connect, accept), so they are not nocallback: a Go event handler set
// with SetEventHandler receives them.

func (s Socket) c() *C.struct_Socket_T { return (*C.struct_Socket_T)(s.p) }

func (d Dgram) c() *C.struct_SocketDgram_T { return (*C.struct_SocketDgram_T)(d.p) }

func sockInfo(i *C.GoSockInfo) SockInfo {
	return SockInfo{
		Sock:       Socket{unsafe.Pointer(i.sock)},
		Dgram:      Dgram{unsafe.Pointer(i.dgram)},
		PollFD:     int(i.pollfd),
		Connected:  i.connected != 0,
		LocalAddr:  goStringN(i.local_addr[:]),
		LocalPort:  int(i.local_port),
		RemoteAddr: goStringN(i.remote_addr[:]),
		RemotePort: int(i.remote_port),
	}
}

// Dial creates a non-blocking stream socket of domain (AF_INET or
// AF_INET6) and starts connecting it to the numeric host and port. The
// connection may still be in progress (Connected false): wait for
// writability, then call ConnectResult.
func Dial(domain int, host string, port int, nodelay bool) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_dial(C.int(domain), stringPtr(host), C.size_t(len(host)), C.int(port),
		cBool(nodelay), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// DialUnix connects a non-blocking Unix stream socket to path (a file
// path or "@name" in the abstract namespace).
func DialUnix(path string) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_dial_unix(stringPtr(path), C.size_t(len(path)), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// Listen creates a non-blocking listening stream socket bound to the
// numeric host ("" = any; dual-stack for AF_INET6) and port (0 =
// ephemeral), with SO_REUSEADDR.
func Listen(domain int, host string, port, backlog int) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_listen(C.int(domain), stringPtr(host), C.size_t(len(host)), C.int(port),
		C.int(backlog), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// ListenUnix creates a non-blocking listening Unix stream socket at path.
func ListenUnix(path string, backlog int) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_listen_unix(stringPtr(path), C.size_t(len(path)), C.int(backlog), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// Accept takes a pending connection, non-blocking, with TCP_NODELAY if
// nodelay is set. ok is false when none is pending.
func (s Socket) Accept(nodelay bool) (info SockInfo, ok bool, err error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_accept(s.c(), cBool(nodelay), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, false, goError(&e)
	}
	if i.sock == nil {
		return SockInfo{PollFD: -1}, false, nil
	}
	return sockInfo(&i), true, nil
}

// ConnectResult reports the outcome of a connect in progress: an error
// (SO_ERROR), or info with Connected set and the endpoints once it
// completed. PollFD is -1.
func (s Socket) ConnectResult() (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_Socket_connect_result(s.c(), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// Free closes the socket's descriptor and frees it. Call it exactly once.
func (s Socket) Free() { C.go_Socket_free(s.c()) }

// Send sends what the socket takes now; 0 means it would block.
func (s Socket) Send(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_Socket_send(s.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// Recv receives what is there; 0 means it would block. End of stream is
// the exception Socket_Closed.
func (s Socket) Recv(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_Socket_recv(s.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// Shutdown shuts down reading (SHUT_RD), writing or both.
func (s Socket) Shutdown(how int) error {
	var e C.GoErr
	if C.go_Socket_shutdown(s.c(), C.int(how), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// Option sets or gets one option (Opt* constants); Get variants return
// the value, Set variants return value unchanged.
func (s Socket) Option(op, value int) (int, error) {
	v := C.int(value)
	var e C.GoErr
	if C.go_Socket_option(s.c(), C.int(op), &v, &e) != 0 {
		return 0, goError(&e)
	}
	return int(v), nil
}

// PeerCred returns the peer's credentials (SO_PEERCRED) of a connected
// Unix socket.
func (s Socket) PeerCred() (pid, uid, gid int, err error) {
	var p, u, g C.int
	var e C.GoErr
	if C.go_Socket_peercred(s.c(), &p, &u, &g, &e) != 0 {
		return -1, -1, -1, goError(&e)
	}
	return int(p), int(u), int(g), nil
}

// SendFDs passes fds (1..MaxFDsPerMessage) with data; it returns the
// payload bytes sent, 0 if it would block (so data must not be empty).
// Neither fds nor data may be empty.
func (s Socket) SendFDs(fds []int32, data []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(fds) == 0 || len(data) == 0 {
		return 0, errEmpty
	}
	if C.go_Socket_sendfds(s.c(), (*C.int)(unsafe.Pointer(&fds[0])), C.size_t(len(fds)),
		unsafe.Pointer(&data[0]), C.size_t(len(data)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// RecvFDs receives one message with up to len(fds) descriptors (CLOEXEC;
// the caller owns them) and its payload into buf. nfds == 0 and n == 0:
// it would block. More descriptors than len(fds) is an error (all closed).
// Neither fds nor buf may be empty.
func (s Socket) RecvFDs(fds []int32, buf []byte) (nfds, n int, err error) {
	var cn C.ssize_t
	var cf C.int
	var e C.GoErr
	if len(fds) == 0 || len(buf) == 0 {
		return 0, 0, errEmpty
	}
	if C.go_Socket_recvfds(s.c(), (*C.int)(unsafe.Pointer(&fds[0])), C.size_t(len(fds)),
		&cf, unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &cn, &e) != 0 {
		return 0, 0, goError(&e)
	}
	return int(cf), int(cn), nil
}

// LiveSockets is the number of C stream and datagram sockets not yet
// freed (leak checks).
func LiveSockets() (sockets, dgrams int) {
	var s, d C.int
	C.go_Socket_live_counts(&s, &d)
	return int(s), int(d)
}

// OpenDgram creates a non-blocking UDP socket of domain bound to the
// numeric host ("" = any) and port (0 = ephemeral).
func OpenDgram(domain int, host string, port int) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_SocketDgram_open(C.int(domain), stringPtr(host), C.size_t(len(host)), C.int(port), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// Free closes and frees the socket. Call it exactly once.
func (d Dgram) Free() { C.go_SocketDgram_free(d.c()) }

// SendTo sends one datagram to the numeric host and port; 0 with a
// non-empty b means it would block.
func (d Dgram) SendTo(b []byte, host string, port int) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	var rc C.int
	if len(b) == 0 {
		rc = C.go_SocketDgram_sendto(d.c(), nil, 0, stringPtr(host), C.size_t(len(host)), C.int(port), &n, &e)
	} else {
		rc = C.go_SocketDgram_sendto(d.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), stringPtr(host),
			C.size_t(len(host)), C.int(port), &n, &e)
	}
	if rc != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// RecvFrom receives one datagram and its sender. ok is false when none
// is queued; an empty datagram is ok with n == 0.
func (d Dgram) RecvFrom(b []byte) (n int, host string, port int, ok bool, err error) {
	var cn C.ssize_t
	var cp C.int
	var h [C.GO_ADDR_SIZE]C.char
	var e C.GoErr
	var rc C.int
	if len(b) == 0 {
		rc = C.go_SocketDgram_recvfrom(d.c(), nil, 0, &h[0], C.size_t(len(h)), &cp, &cn, &e)
	} else {
		rc = C.go_SocketDgram_recvfrom(d.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &h[0], C.size_t(len(h)),
			&cp, &cn, &e)
	}
	if rc != 0 {
		return 0, "", 0, false, goError(&e)
	}
	if h[0] == 0 {
		return 0, "", 0, false, nil
	}
	return int(cn), goStringN(h[:]), int(cp), true, nil
}

// Option sets or gets one option (OptBroadcast*, OptTTL*, OptRcvBufGet,
// OptSndBufGet).
func (d Dgram) Option(op, value int) (int, error) {
	v := C.int(value)
	var e C.GoErr
	if C.go_SocketDgram_option(d.c(), C.int(op), &v, &e) != 0 {
		return 0, goError(&e)
	}
	return int(v), nil
}

// Multicast joins (join true) or leaves group on the interface named
// ifname ("" = default).
func (d Dgram) Multicast(join bool, group, ifname string) error {
	var e C.GoErr
	if C.go_SocketDgram_multicast(d.c(), cBool(join), stringPtr(group), C.size_t(len(group)),
		stringPtr(ifname), C.size_t(len(ifname)), &e) != 0 {
		return goError(&e)
	}
	return nil
}
