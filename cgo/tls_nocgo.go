//go:build !cgo

package cgo

func NewTLSContext(*TLSConfig) (TLSContext, error) { return TLSContext{}, ErrNoCgo }
func (TLSContext) Free()                           {}
func (TLSContext) RefreshCRL(string) error         { return ErrNoCgo }

// TLSVerifyFunc: see tls_callbacks.go.
type TLSVerifyFunc func(sock uintptr, raw, verified [][]byte) error

func NewTLSVerifyHandle(TLSVerifyFunc) uintptr                     { return 0 }
func DeleteTLSVerifyHandle(uintptr)                                {}
func (TLSContext) Stats() (hits, misses, stores uint64, err error) { return 0, 0, 0, ErrNoCgo }
func (Socket) TLSEnable(TLSContext, string) error                  { return ErrNoCgo }
func (Socket) TLSHandshake() (int, error)                          { return 0, ErrNoCgo }
func (Socket) TLSSend([]byte) (int, error)                         { return 0, ErrNoCgo }
func (Socket) TLSRecv([]byte) (int, error)                         { return 0, ErrNoCgo }
func (Socket) TLSCloseNotify() (bool, error)                       { return false, ErrNoCgo }
func (Socket) TLSState() (TLSState, error)                         { return TLSState{}, ErrNoCgo }

func NewDTLSContext(*TLSConfig) (DTLSContext, error) { return DTLSContext{}, ErrNoCgo }
func (DTLSContext) Free()                            {}
func DTLSDial(int, string, int, DTLSContext, string) (SockInfo, error) {
	return SockInfo{PollFD: -1}, ErrNoCgo
}
func DTLSListen(int, string, int, bool, DTLSContext) (SockInfo, error) {
	return SockInfo{PollFD: -1}, ErrNoCgo
}
func (Dgram) DTLSAccept(Dgram, string, int) (int, bool, SockInfo, error) {
	return 0, false, SockInfo{PollFD: -1}, ErrNoCgo
}
func (Dgram) DTLSHandshake() (int, int, error)     { return 0, -1, ErrNoCgo }
func (Dgram) DTLSSend([]byte) (int, error)         { return 0, ErrNoCgo }
func (Dgram) DTLSRecv([]byte) (int, error)         { return 0, ErrNoCgo }
func (Dgram) DTLSShutdown() error                  { return ErrNoCgo }
func (Dgram) DTLSState() (TLSState, error)         { return TLSState{}, ErrNoCgo }
func (Socket) TLSPeerChain(bool) ([][]byte, error) { return nil, ErrNoCgo }
func (Socket) TLSOCSPResponse() ([]byte, error)    { return nil, ErrNoCgo }
func (Dgram) DTLSPeerChain(bool) ([][]byte, error) { return nil, ErrNoCgo }

// TLSALPNFunc: see tls_callbacks.go.
type TLSALPNFunc func(offered []string) int

func NewTLSALPNHandle(TLSALPNFunc) uintptr { return 0 }
