package http2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The codes of resets come from the engine (SocketHTTP2Ext_Stream_reset_info):
// these tests cover each way a stream can be reset, on both sides.

// headerBlock HPACK-encodes fields given as name, value pairs.
func headerBlock(kv ...string) []byte {
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	for i := 0; i+1 < len(kv); i += 2 {
		enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return b.Bytes()
}

// readRST reads frames until a RST_STREAM and returns it.
func readRST(t *testing.T, fr *xhttp2.Framer) *xhttp2.RSTStreamFrame {
	t.Helper()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no RST_STREAM: %v", err)
		}
		if r, ok := f.(*xhttp2.RSTStreamFrame); ok {
			return r
		}
	}
}

// bodyErrHandler reports the error its body read ended with.
func bodyErrHandler(readErr chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
	})
}

// The engine resets a request whose DATA exceeds its Content-Length: the
// handler's body read fails with the code the engine sent.
func TestServerEngineResetCode(t *testing.T) {
	readErr := make(chan error, 1)
	_, fr, _ := rawConn(t, bodyErrHandler(readErr))
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
		BlockFragment: headerBlock(":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/", "content-length", "3")})
	fr.WriteData(1, true, []byte("hello"))
	if rst := readRST(t, fr); rst.StreamID != 1 || rst.ErrCode != xhttp2.ErrCodeProtocol {
		t.Fatalf("RST_STREAM %v on stream %d, want PROTOCOL_ERROR on 1", rst.ErrCode, rst.StreamID)
	}
	err := <-readErr
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeProtocol || se.StreamID != 1 {
		t.Fatalf("body read: %v, want StreamError(PROTOCOL_ERROR) on stream 1", err)
	}
}

// A code the client sends in RST_STREAM reaches the handler.
func TestServerPeerResetCode(t *testing.T) {
	readErr := make(chan error, 1)
	_, fr, _ := rawConn(t, bodyErrHandler(readErr))
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
		BlockFragment: headerBlock(":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/")})
	fr.WriteData(1, false, []byte("part"))
	fr.WriteRSTStream(1, xhttp2.ErrCodeEnhanceYourCalm)
	err := <-readErr
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeEnhanceYourCalm || se.StreamID != 1 {
		t.Fatalf("body read: %v, want StreamError(ENHANCE_YOUR_CALM) on stream 1", err)
	}
}

// rawH2Server accepts connections on a loopback listener, exchanges
// SETTINGS and calls onFrame for every other frame the client sends; it
// returns the Transport's URL and a counter of accepted connections.
func rawH2Server(t *testing.T, onFrame func(fr *xhttp2.Framer, f xhttp2.Frame)) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepts := new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.ReadFull(c, make([]byte, len(clientPreface))); err != nil {
					return
				}
				fr := xhttp2.NewFramer(c, c)
				fr.WriteSettings()
				for {
					f, err := fr.ReadFrame()
					if err != nil {
						return
					}
					if sf, ok := f.(*xhttp2.SettingsFrame); ok {
						if !sf.IsAck() {
							fr.WriteSettingsAck()
						}
						continue
					}
					onFrame(fr, f)
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), accepts
}

// A response whose DATA exceeds its Content-Length: the client engine
// resets the stream and the request fails with the code it sent.
func TestTransportEngineResetCode(t *testing.T) {
	rst := make(chan xhttp2.ErrCode, 1)
	url, _ := rawH2Server(t, func(fr *xhttp2.Framer, f xhttp2.Frame) {
		switch f := f.(type) {
		case *xhttp2.HeadersFrame:
			fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: f.StreamID, EndHeaders: true,
				BlockFragment: headerBlock(":status", "200", "content-length", "2")})
			fr.WriteData(f.StreamID, true, []byte("hello"))
		case *xhttp2.RSTStreamFrame:
			rst <- f.ErrCode
		}
	})
	tr := &Transport{AllowHTTP: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeProtocol || se.StreamID != 1 {
		t.Fatalf("request: %v, want StreamError(PROTOCOL_ERROR) on stream 1", err)
	}
	select {
	case code := <-rst:
		if code != xhttp2.ErrCodeProtocol {
			t.Errorf("RST_STREAM %v on the wire, want PROTOCOL_ERROR", code)
		}
	case <-time.After(10 * time.Second):
		t.Error("no RST_STREAM from the client")
	}
}

// A stream the server refuses with REFUSED_STREAM before answering was
// not processed: the Transport retries it (on the same connection);
// ClientConn, which does not retry, returns the typed refusal.
func TestTransportRefusedStreamRetried(t *testing.T) {
	var streams atomic.Int64
	url, accepts := rawH2Server(t, func(fr *xhttp2.Framer, frame xhttp2.Frame) {
		f, ok := frame.(*xhttp2.HeadersFrame)
		if !ok {
			return
		}
		if streams.Add(1) == 1 {
			fr.WriteRSTStream(f.StreamID, xhttp2.ErrCodeRefusedStream)
			return
		}
		fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: f.StreamID, EndHeaders: true, EndStream: true,
			BlockFragment: headerBlock(":status", "204")})
	})
	tr := &Transport{AllowHTTP: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
	if err != nil {
		t.Fatalf("refused request not retried: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || streams.Load() != 2 || accepts.Load() != 1 {
		t.Errorf("status %d after %d streams on %d connections; want 204, 2, 1", res.StatusCode, streams.Load(), accepts.Load())
	}
	// Without retry (one connection, ClientConn) the refusal is typed.
	streams.Store(0)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := tr.NewClientConn(c)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	_, err = cc.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeRefusedStream {
		t.Errorf("ClientConn.RoundTrip: %v, want StreamError(REFUSED_STREAM)", err)
	}
}
