package cgo

import "unsafe"

// Handles of C objects: small structs around the C pointer, copied by
// value. The zero value is no object. A handle does not own anything by
// itself; the gosocket type holding it frees it exactly once.
type (
	// Socket is a Socket_T (TCP or Unix-domain stream socket).
	Socket struct{ p unsafe.Pointer }
	// Dgram is a SocketDgram_T (UDP socket).
	Dgram struct{ p unsafe.Pointer }
	// Poll is a SocketPoll_T (event loop).
	Poll struct{ p unsafe.Pointer }
	// Resolver is a SocketDNS_T (thread-pool resolver).
	Resolver struct{ p unsafe.Pointer }
)

// Live counts of the C objects held through an Owner (sockets are counted
// in C, see LiveSockets).
var (
	Polls     = NewKind("SocketPoll")
	Resolvers = NewKind("SocketDNS")
)

// IsZero reports whether s is no socket.
func (s Socket) IsZero() bool { return s.p == nil }

// ID identifies the C object; it equals PollEvent.Socket for its events.
func (s Socket) ID() uintptr { return uintptr(s.p) }

// SockInfo describes a socket created, accepted or connected by one shim
// call.
type SockInfo struct {
	Sock  Socket // stream socket, zero if none
	Dgram Dgram  // datagram socket, zero if none
	// PollFD is a dup of the C object's descriptor for Go's poller. The
	// caller owns it (and must close it); the C object keeps and closes its
	// own descriptor. -1 if none.
	PollFD     int
	Connected  bool
	LocalAddr  string // numeric address, Unix path or "@name"
	LocalPort  int
	RemoteAddr string // set once connected
	RemotePort int
}

// Socket options (Socket.Option, Dgram.Option): the Set variants take the
// value, the Get variants return it.
const (
	OptNoDelayGet = iota
	OptNoDelaySet
	OptRcvBufGet
	OptRcvBufSet
	OptSndBufGet
	OptSndBufSet
	OptBroadcastGet
	OptBroadcastSet
	OptTTLGet
	OptTTLSet
)

// Operations of Poll.Ctl.
const (
	PollAdd = iota
	PollMod
	PollDel
)

// Event bits of SocketPoll (SocketPoll_Events) and the POLL_EDGE
// registration flag.
const (
	PollRead   = 1 << 0
	PollWrite  = 1 << 1
	PollError  = 1 << 2
	PollHangup = 1 << 3
	PollEdge   = 1 << 4
)

// MaxFDsPerMessage is SOCKET_MAX_FDS_PER_MSG, the most descriptors one
// message can pass.
const MaxFDsPerMessage = 253

// MaxPollEvents is SOCKET_MAX_POLL_EVENTS, the largest capacity of a Poll.
const MaxPollEvents = 10000

// PollEvent is one SocketEvent_T with its pointers as integers: Socket is
// the Socket.ID of the ready socket, Data the user data given to Ctl.
type PollEvent struct {
	Socket uintptr
	Data   uintptr
	Events uint32
}

// Addr is one resolved address: Family is AF_INET (IP[:4] used) or
// AF_INET6.
type Addr struct {
	Family  int
	Port    int
	ScopeID uint32
	IP      [16]byte
}
