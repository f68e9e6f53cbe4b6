//go:build !cgo

package cgo

// Without cgo the WebSocket codec is missing: every call returns ErrNoCgo.

type WSCodec struct{}

func NewWSCodec(WSConfig) (*WSCodec, error)                           { return nil, ErrNoCgo }
func (*WSCodec) Close()                                               {}
func (*WSCodec) InputSpace() ([]byte, error)                          { return nil, ErrNoCgo }
func (*WSCodec) Read(int, []byte) (WSRead, error)                     { return WSRead{}, ErrNoCgo }
func (*WSCodec) Send(int, int, []byte, []byte) (int, int, int, error) { return 0, 0, 0, ErrNoCgo }
func (*WSCodec) State() (WSState, error)                              { return WSState{}, ErrNoCgo }
func (*WSCodec) SetDeflateLevel(int) (bool, error)                    { return false, ErrNoCgo }

func WSClientRequest(string, string, string, WSConfig, []string, [][2]string) ([]byte, error) {
	return nil, ErrNoCgo
}
func WSDeflateNegotiate(string, WSConfig) (WSDeflate, bool, error) {
	return WSDeflate{}, false, ErrNoCgo
}
func WSDeflateAccept(string, WSConfig) (WSDeflate, bool, error)  { return WSDeflate{}, false, ErrNoCgo }
func WSServerResponse(string, string, WSDeflate) ([]byte, error) { return nil, ErrNoCgo }
