package websocket

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// feedConn is a net.Conn whose reads return a fixed byte string (the
// peer's frames) and whose writes are dropped.
type feedConn struct{ r *bytes.Reader }

func (f *feedConn) Read(p []byte) (int, error) {
	// at most 7 bytes a read: frames arrive split at odd places
	if len(p) > 7 {
		p = p[:7]
	}
	return f.r.Read(p)
}
func (f *feedConn) Write(p []byte) (int, error)      { return len(p), nil }
func (f *feedConn) Close() error                     { return nil }
func (f *feedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (f *feedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (f *feedConn) SetDeadline(time.Time) error      { return nil }
func (f *feedConn) SetReadDeadline(time.Time) error  { return nil }
func (f *feedConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzConn feeds arbitrary bytes as the peer's frames into a server and a
// client Conn, with and without permessage-deflate, through both read
// APIs; reading must end in a CloseError without crash or leak.
func FuzzConn(f *testing.F) {
	f.Add(frame(true, 1, []byte("hello"), true))
	f.Add(frame(true, 2, bytes.Repeat([]byte{1}, 300), false))
	f.Add(append(frame(false, 1, []byte("he"), true), frame(true, 0, []byte("llo"), true)...))
	f.Add(frame(true, 9, []byte("ping"), true))
	f.Add(frame(true, 8, []byte{0x03, 0xe8, 'o', 'k'}, false))
	f.Add([]byte{0xc1, 0x87, 0, 0, 0, 0, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) // compressed "Hello" (RFC 7692 7.2.3.1), masked with zeros
	f.Add([]byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})
	f.Add([]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, server := range []bool{true, false} {
			for _, deflate := range []bool{false, true} {
				for _, whole := range []bool{false, true} {
					var d cgo.WSDeflate
					if deflate {
						d = cgo.WSDeflate{Enabled: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15,
							ServerNoContextTakeover: len(data)%2 == 0, ClientNoContextTakeover: len(data)%2 == 0}
					}
					c, err := newConn(&feedConn{bytes.NewReader(data)}, connConfig{
						server: server, maxMessageSize: 1 << 20, maxFrameSize: 1 << 20, deflate: d,
					})
					if err != nil {
						t.Fatal(err)
					}
					c.SetReadLimit(512 << 10)
					var rerr error
					for i := 0; rerr == nil; i++ {
						if i > len(data)+2 { // every message takes at least two bytes
							t.Fatalf("more messages than input bytes")
						}
						if whole {
							_, _, rerr = c.ReadMessage()
						} else {
							var r io.Reader
							_, r, rerr = c.NextReader()
							if rerr == nil {
								_, rerr = io.Copy(io.Discard, r)
							}
						}
					}
					if CloseStatus(rerr) < 0 {
						t.Fatalf("reading ended with %v, not a CloseError", rerr)
					}
					c.Close()
				}
			}
		}
		if n := cgo.WSCodecs.Live(); n != 0 {
			t.Fatalf("%d codecs alive", n)
		}
	})
}
