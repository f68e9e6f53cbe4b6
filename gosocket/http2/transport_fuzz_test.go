package http2

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// seedResponse is a server's SETTINGS and ACK, then on stream 1 a 103,
// the 200 head, DATA and trailers, framed by x/net's Framer.
func seedResponse() []byte {
	var buf bytes.Buffer
	fr := xhttp2.NewFramer(&buf, nil)
	fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingMaxConcurrentStreams, Val: 10})
	fr.WriteSettingsAck()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	block := func(fields ...string) []byte {
		hb.Reset()
		for i := 0; i < len(fields); i += 2 {
			enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
		}
		return bytes.Clone(hb.Bytes())
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":status", "103", "link", "</a>"), EndHeaders: true})
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":status", "200", "trailer", "x-t"), EndHeaders: true})
	fr.WriteData(1, false, []byte("hello"))
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: block("x-t", "v"), EndHeaders: true, EndStream: true})
	fr.WritePing(false, [8]byte{1})
	fr.WriteGoAway(1, xhttp2.ErrCodeNo, []byte("done"))
	return buf.Bytes()
}

// FuzzTransport plays a server that answers a GET with arbitrary bytes:
// the Transport must not panic or hang, and must release its goroutines
// and its engine connection.
func FuzzTransport(f *testing.F) {
	seed := seedResponse()
	f.Add(seed)
	f.Add(seed[:len(seed)-30])
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		baseG := runtime.NumGoroutine()
		baseC := cgo.HTTP2Conns.Live()
		srvSide, cliSide := net.Pipe()
		go io.Copy(io.Discard, srvSide)
		go func() {
			srvSide.SetWriteDeadline(time.Now().Add(2 * time.Second))
			srvSide.Write(data)
			srvSide.Close()
		}()
		tr := &Transport{AllowHTTP: true}
		cc, err := tr.NewClientConn(cliSide)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://fuzz/", nil)
		if res, err := cc.RoundTrip(req); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		cancel()
		cc.Close()
		for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > baseG || cgo.HTTP2Conns.Live() > baseC; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines (base %d), %d engines (base %d):\n%s", runtime.NumGoroutine(), baseG,
					cgo.HTTP2Conns.Live(), baseC, buf[:runtime.Stack(buf, true)])
			}
		}
	})
}
