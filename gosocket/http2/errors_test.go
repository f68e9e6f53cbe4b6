package http2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

func TestErrCodeString(t *testing.T) {
	if s := ErrCodeFlowControl.String(); s != "FLOW_CONTROL_ERROR" {
		t.Errorf("ErrCodeFlowControl = %q", s)
	}
	if s := ErrCode(0x42).String(); s != "unknown error code 0x42" {
		t.Errorf("ErrCode(0x42) = %q", s)
	}
	if s := ConnectionError(ErrCodeProtocol).Error(); s != "http2: connection error: PROTOCOL_ERROR" {
		t.Errorf("ConnectionError = %q", s)
	}
}

// rawConn runs ServeConn on one end of a TCP connection and returns the
// other end, already past the preface and SETTINGS, with x/net's Framer.
func rawConn(t *testing.T, h http.Handler) (net.Conn, *xhttp2.Framer, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		// Closed only once accepted: Dial can return before Accept ran.
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			done <- err
			return
		}
		done <- (&Server{}).ServeConn(c, h)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(c, c)
	fr.WriteSettings()
	return c, fr, done
}

func TestServeConnConnectionError(t *testing.T) {
	c, fr, done := rawConn(t, http.NotFoundHandler())
	fr.AllowIllegalWrites = true
	if err := fr.WriteData(0, false, []byte("x")); err != nil { // DATA on stream 0
		t.Fatal(err)
	}
	var goaway *xhttp2.GoAwayFrame
	for goaway == nil {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY: %v", err)
		}
		goaway, _ = f.(*xhttp2.GoAwayFrame)
	}
	c.Close()
	err := <-done
	var ce ConnectionError
	if !errors.As(err, &ce) || ErrCode(ce) != ErrCodeProtocol || goaway.ErrCode != xhttp2.ErrCodeProtocol {
		t.Fatalf("ServeConn: %v (GOAWAY %v), want ConnectionError(PROTOCOL_ERROR)", err, goaway.ErrCode)
	}
}

func TestServeConnPeerGoAway(t *testing.T) {
	c, fr, done := rawConn(t, http.NotFoundHandler())
	fr.WriteGoAway(0, xhttp2.ErrCodeEnhanceYourCalm, []byte("bye"))
	c.(*net.TCPConn).CloseWrite()
	io.Copy(io.Discard, c)
	err := <-done
	var ge GoAwayError
	if !errors.As(err, &ge) || ge.ErrCode != ErrCodeEnhanceYourCalm || ge.DebugData != "bye" || ge.LastStreamID != 0 {
		t.Fatalf("ServeConn: %v, want GoAwayError(ENHANCE_YOUR_CALM, \"bye\")", err)
	}
}

// A client that cancels a request resets the stream: the handler's body
// read fails with a StreamError carrying the client's code (CANCEL).
func TestRequestBodyStreamError(t *testing.T) {
	readErr := make(chan error, 1)
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
	}))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/", pr)
	go pw.Write(bytes.Repeat([]byte("a"), 1000))
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	res.Body.Close()
	pw.Close()
	err = <-readErr
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeCancel || se.StreamID != 1 {
		t.Fatalf("body read: %v, want StreamError(CANCEL) on stream 1", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	_, fr, done := rawPeer(t, &Server{IdleTimeout: 100 * time.Millisecond}, 10*time.Second)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY before %v", err)
		}
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			if g.ErrCode != xhttp2.ErrCodeNo {
				t.Fatalf("GOAWAY %v", g.ErrCode)
			}
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("ServeConn: %v", err)
	}
}

// rawPeer serves one connection with s on 127.0.0.1 and returns a raw
// client connected to it that has sent the preface and its (empty)
// SETTINGS, its framer, and the channel ServeConn's result arrives on.
func rawPeer(t *testing.T, s *Server, deadline time.Duration) (net.Conn, *xhttp2.Framer, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		done <- s.ServeConn(c, http.NotFoundHandler())
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(deadline))
	io.WriteString(c, xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(c, c)
	fr.WriteSettings()
	return c, fr, done
}
