//go:build !cgo

package cgo

import "time"

// Without cgo: see nocgo.go.

type H2Conn struct{}

func NewH2Conn(H2Config) (*H2Conn, error)                    { return nil, ErrNoCgo }
func (*H2Conn) Close()                                       {}
func (*H2Conn) TakeEvents(dst []H2Event) []H2Event           { return dst }
func (*H2Conn) Input([]byte) (int, bool, error)              { return 0, false, ErrNoCgo }
func (*H2Conn) Process() (bool, bool, error)                 { return false, true, ErrNoCgo }
func (*H2Conn) Output(dst []byte, _ int) ([]byte, error)     { return dst, ErrNoCgo }
func (*H2Conn) Consumed(int) error                           { return ErrNoCgo }
func (*H2Conn) RecvData(H2Stream, []byte) (int, bool, error) { return 0, false, ErrNoCgo }
func (*H2Conn) RecvHeaders(H2Stream, bool) ([]H2Field, bool, bool, error) {
	return nil, false, false, ErrNoCgo
}
func (*H2Conn) SendHeaders(H2Stream, []H2Field, bool, bool) (bool, error) { return false, ErrNoCgo }
func (*H2Conn) SendData(H2Stream, []byte, bool) (int, bool, error)        { return 0, false, ErrNoCgo }
func (*H2Conn) NewStream() (H2Stream, uint32, bool, error)                { return 0, 0, false, ErrNoCgo }
func (*H2Conn) ResetStream(H2Stream, int) error                           { return ErrNoCgo }
func (*H2Conn) GoAway(int) error                                          { return ErrNoCgo }
func (*H2Conn) SendWindow(H2Stream) (int, error)                          { return 0, ErrNoCgo }
func (*H2Conn) LastStreamID() (uint32, error)                             { return 0, ErrNoCgo }
func (*H2Conn) Closed() (bool, error)                                     { return true, ErrNoCgo }
func (*H2Conn) PeerSetting(int) (uint32, error)                           { return 0, ErrNoCgo }
func (*H2Conn) PushPromise(H2Stream, []H2Field) (H2Stream, uint32, bool, error) {
	return 0, 0, false, ErrNoCgo
}
func (*H2Conn) StreamsAvailable() (uint32, error)             { return 0, ErrNoCgo }
func (*H2Conn) StreamIdle(H2Stream) (bool, error)             { return false, ErrNoCgo }
func (*H2Conn) StreamResetInfo(H2Stream) (int, uint32, error) { return 0, 0, ErrNoCgo }
func (*H2Conn) GoAwayReceived() (H2GoAway, bool, error)       { return H2GoAway{}, false, ErrNoCgo }
func (*H2Conn) GoAwaySent() (uint32, uint32, bool, error)     { return 0, 0, false, ErrNoCgo }
func (*H2Conn) NextTimeout() (time.Duration, bool, error)     { return 0, false, ErrNoCgo }
func (*H2Conn) EnableConnectProtocol() (bool, error)          { return false, ErrNoCgo }
func (*H2Conn) PeerConnectProtocol() (bool, error)            { return false, ErrNoCgo }
func H2ErrorString(int) string                                { return "" }
