package http2

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// readGoAway reads frames until a GOAWAY, answering nothing; every
// frame type seen is appended to seen.
func readGoAway(t *testing.T, fr *xhttp2.Framer, seen *[]xhttp2.FrameType) *xhttp2.GoAwayFrame {
	t.Helper()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY (frames %v): %v", *seen, err)
		}
		*seen = append(*seen, f.Header().Type)
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			return g
		}
	}
}

// A client that never acknowledges the server's SETTINGS and then stays
// silent: the SETTINGS timeout fires without any input (the engine timer
// calls Process) and ends the connection with SETTINGS_TIMEOUT.
func TestServerSettingsTimeoutSilentPeer(t *testing.T) {
	_, fr, done := rawPeer(t, &Server{SettingsTimeout: 100 * time.Millisecond}, 20*time.Second) // ours; the server's is never acknowledged
	var seen []xhttp2.FrameType
	g := readGoAway(t, fr, &seen)
	if g.ErrCode != xhttp2.ErrCodeSettingsTimeout {
		t.Errorf("GOAWAY %v, want SETTINGS_TIMEOUT", g.ErrCode)
	}
	select {
	case err := <-done:
		var ce ConnectionError
		if !errors.As(err, &ce) || ErrCode(ce) != ErrCodeSettingsTimeout {
			t.Errorf("ServeConn: %v, want ConnectionError(SETTINGS_TIMEOUT)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ServeConn did not return after its GOAWAY")
	}
}

// The Transport against a server that never acknowledges its SETTINGS
// nor answers: the request fails with ConnectionError(SETTINGS_TIMEOUT)
// and the server reads the GOAWAY.
func TestTransportSettingsTimeoutSilentPeer(t *testing.T) {
	goaway := make(chan xhttp2.ErrCode, 1)
	url, _ := rawH2ServerNoAck(t, goaway)
	tr := &Transport{AllowHTTP: true, SettingsTimeout: 100 * time.Millisecond}
	defer tr.CloseIdleConnections()
	_, err := tr.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
	var ce ConnectionError
	if !errors.As(err, &ce) || ErrCode(ce) != ErrCodeSettingsTimeout {
		t.Errorf("RoundTrip: %v, want ConnectionError(SETTINGS_TIMEOUT)", err)
	}
	select {
	case code := <-goaway:
		if code != xhttp2.ErrCodeSettingsTimeout {
			t.Errorf("GOAWAY %v, want SETTINGS_TIMEOUT", code)
		}
	case <-time.After(20 * time.Second):
		t.Error("no GOAWAY from the client")
	}
}

// rawH2ServerNoAck sends its SETTINGS, then only reads: no ACK, no
// response. The code of the GOAWAY it reads goes to goaway.
func rawH2ServerNoAck(t *testing.T, goaway chan<- xhttp2.ErrCode) (string, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
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
			if g, ok := f.(*xhttp2.GoAwayFrame); ok {
				goaway <- g.ErrCode
				return
			}
		}
	}()
	return "http://" + ln.Addr().String(), ln
}

// ReadIdleTimeout: a server whose client goes silent sends a PING and,
// without its ACK in PingTimeout, ends the connection.
func TestServerKeepalivePing(t *testing.T) {
	_, fr, done := rawPeer(t, &Server{ReadIdleTimeout: 50 * time.Millisecond, PingTimeout: 100 * time.Millisecond}, 20*time.Second)
	// Acknowledge the server's SETTINGS, then stay silent.
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if sf, ok := f.(*xhttp2.SettingsFrame); ok && !sf.IsAck() {
			fr.WriteSettingsAck()
			break
		}
	}
	var seen []xhttp2.FrameType
	readGoAway(t, fr, &seen)
	ping := false
	for _, typ := range seen {
		ping = ping || typ == xhttp2.FramePing
	}
	if !ping {
		t.Errorf("frames before the GOAWAY %v, want a PING", seen)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("ServeConn did not return after its GOAWAY")
	}
}
