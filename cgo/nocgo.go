//go:build !cgo

package cgo

// Without cgo there is no C core: functions with an error result return
// ErrNoCgo, the others panic with it.

import "syscall"

func SHA1([]byte) (sum [SHA1Size]byte, err error)              { return sum, ErrNoCgo }
func SHA256([]byte) (sum [SHA256Size]byte, err error)          { return sum, ErrNoCgo }
func MD5([]byte) (sum [MD5Size]byte, err error)                { return sum, ErrNoCgo }
func HMACSHA256(_, _ []byte) (sum [SHA256Size]byte, err error) { return sum, ErrNoCgo }
func Base64Encode(_, _ []byte) int                             { panic(ErrNoCgo) }
func Base64DecodeString([]byte, string) int                    { panic(ErrNoCgo) }
func HexEncode(_, _ []byte, _ bool) error                      { return ErrNoCgo }
func HexDecodeString([]byte, string) int                       { panic(ErrNoCgo) }
func RandomBytes([]byte) error                                 { return ErrNoCgo }
func RandomUint32() (uint32, error)                            { return 0, ErrNoCgo }
func WebSocketKey() (string, error)                            { return "", ErrNoCgo }
func WebSocketAccept(string) (string, error)                   { return "", ErrNoCgo }
func SecureCompare(_, _ []byte) bool                           { panic(ErrNoCgo) }

func ValidateUTF8([]byte) int     { panic(ErrNoCgo) }
func UTF8ResultString(int) string { panic(ErrNoCgo) }

type UTF8State struct{}

func (*UTF8State) Update([]byte) (int, error) { return UTF8Invalid, ErrNoCgo }
func (*UTF8State) Finish() (int, error)       { return UTF8Invalid, ErrNoCgo }
func (*UTF8State) Reset() error               { return ErrNoCgo }

type RateLimiter struct{}

func NewRateLimiter(_, _ uint64) (*RateLimiter, error)         { return nil, ErrNoCgo }
func (*RateLimiter) Close()                                    {}
func (*RateLimiter) TryAcquire(uint64) (bool, error)           { return false, ErrNoCgo }
func (*RateLimiter) AcquireOrWait(uint64) (bool, int64, error) { return false, 0, ErrNoCgo }
func (*RateLimiter) WaitTime(uint64) (int64, error)            { return 0, ErrNoCgo }
func (*RateLimiter) Available() (uint64, error)                { return 0, ErrNoCgo }
func (*RateLimiter) Reset() error                              { return ErrNoCgo }
func (*RateLimiter) Configure(_, _ uint64) error               { return ErrNoCgo }
func (*RateLimiter) Params() (uint64, uint64, error)           { return 0, 0, ErrNoCgo }

func MetricsSnapshot() (snap [MetricCount]uint64, err error) { return snap, ErrNoCgo }
func ResetMetrics() error                                    { return ErrNoCgo }
func IncrementMetric(int, uint64) error                      { return ErrNoCgo }
func MetricCountC() int                                      { panic(ErrNoCgo) }
func MetricName(int) string                                  { panic(ErrNoCgo) }
func LastError() (string, syscall.Errno)                     { panic(ErrNoCgo) }
func VersionString() string                                  { panic(ErrNoCgo) }

func SetLogSink(LogSink) error                { return ErrNoCgo }
func LogEmit(int, string, string) error       { return ErrNoCgo }
func DiscardLogs()                            {}
func LogLevelName(int) string                 { panic(ErrNoCgo) }
func SetEventHandler(EventHandler) error      { return ErrNoCgo }
func EmitEvent(Event) error                   { return ErrNoCgo }
func CallbackStats() (dropped, failed uint64) { return 0, 0 }
func InvokeCallback(func() error) error       { return ErrNoCgo }

func logInsideNocallback(string) { panic(ErrNoCgo) }

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
