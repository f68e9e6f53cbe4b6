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
func rawH2Server(t *testing.T, onFrame func(fr *xhttp2.Framer, f xhttp2.Frame), settings ...xhttp2.Setting) (string, *atomic.Int64) {
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
				fr.WriteSettings(settings...)
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

// The peer's limit can drop between a request's slot reservation and its
// HEADERS (new SETTINGS): the engine then refuses the head and leaves the
// stream idle. The Transport drops that stream, waits for a slot and
// sends the request on a new one once a stream ends. The slot is
// reserved by hand here to make that race happen every time.
func TestTransportWaitsForSlotAfterRefusedHead(t *testing.T) {
	heads := make(chan uint32, 4)
	url, _ := rawH2Server(t, func(fr *xhttp2.Framer, f xhttp2.Frame) {
		h, ok := f.(*xhttp2.HeadersFrame)
		if !ok {
			return
		}
		heads <- h.StreamID
		if h.StreamID != 1 {
			fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: h.StreamID, EndHeaders: true, EndStream: true,
				BlockFragment: headerBlock(":status", "204")})
		}
	}, xhttp2.Setting{ID: xhttp2.SettingMaxConcurrentStreams, Val: 1})
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &Transport{AllowHTTP: true}
	ccw, err := tr.NewClientConn(c)
	if err != nil {
		t.Fatal(err)
	}
	defer ccw.Close()
	cc := ccw.cc
	first := make(chan error, 1)
	go func() {
		_, err := ccw.RoundTrip(must(http.NewRequest("GET", url+"/1", nil)))
		first <- err
	}()
	if id := <-heads; id != 1 {
		t.Fatalf("first stream %d, want 1", id)
	}
	cc.mu.Lock()
	for !cc.gotSettings { // the peer's limit of 1 is known
		cc.cond.Wait()
	}
	cc.reservedN++ // as if reserved before that
	cc.mu.Unlock()

	waiting := make(chan struct{})
	testHookSlotWait = func() { close(waiting) }
	defer func() { testHookSlotWait = nil }()
	second := make(chan error, 1)
	go func() {
		res, err := cc.roundTrip(must(http.NewRequest("GET", url+"/2", nil)))
		if err == nil {
			res.Body.Close()
			if res.StatusCode != 204 {
				err = errors.New(res.Status)
			}
		}
		second <- err
	}()
	<-waiting // its head was refused at the limit
	// End stream 1: the waiting request gets its slot.
	cc.mu.Lock()
	for _, cs := range cc.streams {
		cs.resetLocked(ErrCodeCancel, errors.New("test: freeing the slot"))
	}
	cc.cond.Broadcast()
	cc.mu.Unlock()
	if err := <-second; err != nil {
		t.Fatalf("request waiting for a slot: %v", err)
	}
	// Stream 3 was made and dropped idle; the request went out on 5.
	if id := <-heads; id != 5 {
		t.Errorf("second request on stream %d, want 5", id)
	}
	if err := <-first; err == nil {
		t.Error("first request survived its reset")
	}
}
