//go:build !cgo

package cgo

type ProxyHandshake struct{}

func NewProxyHandshake(ProxyConfig, string, int) (*ProxyHandshake, error) {
	return nil, ErrNoCgo
}
func (*ProxyHandshake) Close()                            {}
func (*ProxyHandshake) Output(dst []byte) ([]byte, error) { return dst, ErrNoCgo }
func (*ProxyHandshake) Sent(int) error                    { return ErrNoCgo }
func (*ProxyHandshake) Input([]byte) (int, int, error)    { return 0, 0, ErrNoCgo }
func (*ProxyHandshake) Status() (ProxyStatus, error)      { return ProxyStatus{}, ErrNoCgo }
func ProxyResultString(int) string                        { panic(ErrNoCgo) }
func ProxyStateString(int) string                         { panic(ErrNoCgo) }
func ProxyTypeString(int) string                          { panic(ErrNoCgo) }
