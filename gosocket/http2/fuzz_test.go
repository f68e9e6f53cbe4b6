package http2

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// seedRequest is a client preface, SETTINGS, a POST with a body and
// trailers, a PING and a WINDOW_UPDATE, framed by x/net's Framer.
func seedRequest() []byte {
	var buf bytes.Buffer
	buf.WriteString(xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(&buf, nil)
	fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 1 << 20})
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/p"}, {"content-length", "5"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
	fr.WriteData(1, false, []byte("hello"))
	hb.Reset()
	enc.WriteField(hpack.HeaderField{Name: "x-t", Value: "v"})
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: true})
	fr.WritePing(false, [8]byte{1})
	fr.WriteWindowUpdate(0, 1000)
	fr.WriteRSTStream(1, xhttp2.ErrCodeCancel)
	return buf.Bytes()
}

// FuzzHTTP2Server feeds arbitrary client bytes (after the preface) to a
// server connection: the server must not panic, must end the connection
// once the client goes away, and must leave no goroutine or engine
// connection behind.
func FuzzHTTP2Server(f *testing.F) {
	seed := seedRequest()
	f.Add(seed[len(xhttp2.ClientPreface):])
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0})
	f.Add(seed[len(xhttp2.ClientPreface) : len(seed)-20])
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Trailer", "X-T")
		io.WriteString(w, "response")
		w.Header().Set("X-T", "t")
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		base := runtime.NumGoroutine()
		srvSide, cliSide := net.Pipe()
		srv := &Server{}
		done := make(chan error, 1)
		go func() { done <- srv.ServeConn(srvSide, handler) }()
		go io.Copy(io.Discard, cliSide)
		cliSide.SetWriteDeadline(time.Now().Add(2 * time.Second))
		cliSide.Write([]byte(xhttp2.ClientPreface))
		cliSide.Write(data)
		cliSide.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("ServeConn did not return after the client closed")
		}
		// Every goroutine of the connection ends with ServeConn.
		for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines left (base %d):\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			}
		}
	})
}
