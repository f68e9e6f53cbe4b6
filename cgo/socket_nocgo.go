//go:build !cgo

package cgo

// Without cgo there is no C core: functions with an error result return
// ErrNoCgo, the others panic with it.

func Dial(int, string, int, bool) (SockInfo, error)     { return SockInfo{PollFD: -1}, ErrNoCgo }
func DialUnix(string) (SockInfo, error)                 { return SockInfo{PollFD: -1}, ErrNoCgo }
func Listen(int, string, int, int) (SockInfo, error)    { return SockInfo{PollFD: -1}, ErrNoCgo }
func ListenUnix(string, int) (SockInfo, error)          { return SockInfo{PollFD: -1}, ErrNoCgo }
func OpenDgram(int, string, int) (SockInfo, error)      { return SockInfo{PollFD: -1}, ErrNoCgo }
func LiveSockets() (sockets, dgrams int)                { return 0, 0 }
func (Socket) Accept(bool) (SockInfo, bool, error)      { return SockInfo{PollFD: -1}, false, ErrNoCgo }
func (Socket) ConnectResult() (SockInfo, error)         { return SockInfo{PollFD: -1}, ErrNoCgo }
func (Socket) Free()                                    {}
func (Socket) Send([]byte) (int, error)                 { return 0, ErrNoCgo }
func (Socket) Recv([]byte) (int, error)                 { return 0, ErrNoCgo }
func (Socket) Shutdown(int) error                       { return ErrNoCgo }
func (Socket) Option(int, int) (int, error)             { return 0, ErrNoCgo }
func (Socket) PeerCred() (pid, uid, gid int, err error) { return -1, -1, -1, ErrNoCgo }
func (Socket) SendFDs([]int32, []byte) (int, error)     { return 0, ErrNoCgo }
func (Socket) RecvFDs([]int32, []byte) (nfds, n int, err error) {
	return 0, 0, ErrNoCgo
}
func (Dgram) Free()                                   {}
func (Dgram) SendTo([]byte, string, int) (int, error) { return 0, ErrNoCgo }
func (Dgram) Option(int, int) (int, error)            { return 0, ErrNoCgo }
func (Dgram) Multicast(bool, string, string) error    { return ErrNoCgo }
func (Dgram) RecvFrom([]byte) (n int, host string, port int, ok bool, err error) {
	return 0, "", 0, false, ErrNoCgo
}

func NewPoll(int) (Poll, error)                               { return Poll{}, ErrNoCgo }
func (Poll) Free()                                            {}
func (Poll) Ctl(int, Socket, uint32, uintptr) error           { return ErrNoCgo }
func (Poll) Wait(_ int, dst []PollEvent) ([]PollEvent, error) { return dst, ErrNoCgo }
func (Poll) Wake() error                                      { return ErrNoCgo }

func NewResolver() (r Resolver, pollFD, timeoutMS int, err error) { return Resolver{}, -1, 0, ErrNoCgo }
func (Resolver) Free()                                            {}
func (Resolver) Submit(string, int) (uintptr, error)              { return 0, ErrNoCgo }
func (Resolver) Check() (int, error)                              { return 0, ErrNoCgo }
func (Resolver) Cancel(uintptr) error                             { return ErrNoCgo }
func (Resolver) TestHook(int) (int, error)                        { return 0, ErrNoCgo }
func (Resolver) Result(_ uintptr, dst []Addr) (addrs []Addr, done bool, gai int, err error) {
	return dst, true, 0, ErrNoCgo
}
