package cgo

import (
	"bytes"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// HTTP/2 error codes used below (RFC 9113 §7).
const (
	codeNo              = 0x0
	codeSettingsTimeout = 0x4
	codeRefusedStream   = 0x7
	codeEnhanceYourCalm = 0xb
)

var getHead = []H2Field{{":method", "GET"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/"}}

// h2Pair returns a client and a server connected in memory, past the
// SETTINGS exchange (both acknowledged).
func h2Pair(t *testing.T, srvCfg H2Config) (cli, srv *H2Conn) {
	t.Helper()
	cli, err := NewH2Conn(H2Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cli.Close)
	srvCfg.Server = true
	srv, err = NewH2Conn(srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	pump(t, cli, srv)
	pump(t, srv, cli)
	pump(t, cli, srv)
	cli.TakeEvents(nil)
	srv.TakeEvents(nil)
	return cli, srv
}

// resetEvent returns the STREAM_RESET event of stream id in evs.
func resetEvent(t *testing.T, evs []H2Event, id uint32) H2Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Type == H2EventStreamReset && ev.StreamID == id {
			return ev
		}
	}
	t.Fatalf("no STREAM_RESET of stream %d in %+v", id, evs)
	return H2Event{}
}

// NewStream gives an idle stream even at the peer's limit; SendHeaders
// refuses it then and leaves it idle, and sends it once a slot frees.
func TestHTTP2ConnStreamSlots(t *testing.T) {
	cli, srv := h2Pair(t, H2Config{MaxConcurrentStreams: 1})
	if n, err := cli.StreamsAvailable(); n != 1 || err != nil {
		t.Fatalf("StreamsAvailable = %d, %v; want 1", n, err)
	}
	s1, _, ok, _ := cli.NewStream()
	if sent, err := cli.SendHeaders(s1, getHead, false, true); !ok || !sent || err != nil {
		t.Fatalf("stream 1: new %v, sent %v, %v", ok, sent, err)
	}
	if n, _ := cli.StreamsAvailable(); n != 0 {
		t.Fatalf("StreamsAvailable = %d with stream 1 open, want 0", n)
	}
	s3, id, ok, err := cli.NewStream()
	if !ok || err != nil || id != 3 {
		t.Fatalf("NewStream at the limit: id %d ok %v %v; want an idle stream 3", id, ok, err)
	}
	if sent, err := cli.SendHeaders(s3, getHead, false, true); sent || err != nil {
		t.Fatalf("SendHeaders at the limit: sent %v, %v; want refused", sent, err)
	}
	if idle, err := cli.StreamIdle(s3); !idle || err != nil {
		t.Fatalf("StreamIdle after the refusal = %v, %v; want true", idle, err)
	}
	pump(t, cli, srv)
	var ss H2Stream
	for _, ev := range srv.TakeEvents(nil) {
		if ev.Type == H2EventHeaders {
			ss = ev.Stream
		}
	}
	if sent, err := srv.SendHeaders(ss, []H2Field{{":status", "204"}}, false, true); !sent || err != nil {
		t.Fatalf("response: %v %v", sent, err)
	}
	pump(t, srv, cli)
	cli.TakeEvents(nil)
	if n, _ := cli.StreamsAvailable(); n != 1 {
		t.Fatalf("StreamsAvailable = %d after stream 1 ended, want 1", n)
	}
	if sent, err := cli.SendHeaders(s3, getHead, false, true); !sent || err != nil {
		t.Fatalf("SendHeaders with a free slot: %v %v", sent, err)
	}
	if idle, _ := cli.StreamIdle(s3); idle {
		t.Error("stream 3 still idle after its HEADERS")
	}
}

// Reset events carry how and with which code: RST_STREAM received and
// sent, a stream above the peer's GOAWAY, an idle stream refused
// locally. The GOAWAY getters return the frames' fields.
func TestHTTP2ConnResetAndGoAwayInfo(t *testing.T) {
	cli, srv := h2Pair(t, H2Config{})
	s1, _, _, _ := cli.NewStream()
	if sent, _ := cli.SendHeaders(s1, getHead, false, false); !sent {
		t.Fatal("stream 1 refused")
	}
	pump(t, cli, srv)
	var ss H2Stream
	for _, ev := range srv.TakeEvents(nil) {
		if ev.Type == H2EventHeaders && ev.StreamID == 1 {
			ss = ev.Stream
		}
	}
	if err := srv.ResetStream(ss, codeEnhanceYourCalm); err != nil {
		t.Fatal(err)
	}
	ev := resetEvent(t, srv.TakeEvents(nil), 1)
	if ev.ResetHow != H2ResetSent || ev.ResetCode != codeEnhanceYourCalm {
		t.Errorf("server reset event %+v, want sent ENHANCE_YOUR_CALM", ev)
	}
	pump(t, srv, cli)
	ev = resetEvent(t, cli.TakeEvents(nil), 1)
	if ev.ResetHow != H2ResetReceived || ev.ResetCode != codeEnhanceYourCalm {
		t.Errorf("client reset event %+v, want received ENHANCE_YOUR_CALM", ev)
	}

	// An idle stream is refused once a higher id opened.
	s3, _, _, _ := cli.NewStream()
	s5, _, _, _ := cli.NewStream()
	if sent, _ := cli.SendHeaders(s5, getHead, false, true); !sent {
		t.Fatal("stream 5 refused")
	}
	if sent, _ := cli.SendHeaders(s3, getHead, false, true); sent {
		t.Fatal("stream 3 opened after stream 5")
	}
	ev = resetEvent(t, cli.TakeEvents(nil), 3)
	if ev.ResetHow != H2ResetLocal || ev.ResetCode != codeRefusedStream {
		t.Errorf("idle stream reset %+v, want local REFUSED_STREAM", ev)
	}
	if how, code, err := cli.StreamResetInfo(s3); how != H2ResetLocal || code != codeRefusedStream || err != nil {
		t.Errorf("StreamResetInfo = %d, %#x, %v", how, code, err)
	}

	// A GOAWAY below stream 5 (the server never saw it).
	if _, ok, _ := cli.GoAwayReceived(); ok {
		t.Fatal("GoAwayReceived before any GOAWAY")
	}
	var buf bytes.Buffer
	xhttp2.NewFramer(&buf, nil).WriteGoAway(1, codeEnhanceYourCalm, []byte("bye"))
	if _, ok, err := cli.Input(buf.Bytes()); !ok || err != nil {
		t.Fatalf("GOAWAY input: %v %v", ok, err)
	}
	ev = resetEvent(t, cli.TakeEvents(nil), 5)
	if ev.ResetHow != H2ResetGoAway || ev.ResetCode != codeEnhanceYourCalm {
		t.Errorf("stream above the GOAWAY: %+v, want goaway ENHANCE_YOUR_CALM", ev)
	}
	g, ok, err := cli.GoAwayReceived()
	if !ok || err != nil || g.LastStreamID != 1 || g.Code != codeEnhanceYourCalm || string(g.Debug) != "bye" {
		t.Errorf("GoAwayReceived = %+v, %v, %v", g, ok, err)
	}
	if n, _ := cli.StreamsAvailable(); n != 0 {
		t.Errorf("StreamsAvailable = %d after GOAWAY, want 0", n)
	}

	if _, _, ok, _ := srv.GoAwaySent(); ok {
		t.Fatal("GoAwaySent before any GOAWAY")
	}
	if err := srv.GoAway(codeNo); err != nil {
		t.Fatal(err)
	}
	if last, code, ok, err := srv.GoAwaySent(); !ok || err != nil || last != 1 || code != codeNo {
		t.Errorf("GoAwaySent = %d, %#x, %v, %v; want 1, NO_ERROR", last, code, ok, err)
	}
}

// The SETTINGS ACK deadline fires from Process alone, at the time
// NextTimeout gives.
func TestHTTP2ConnNextTimeout(t *testing.T) {
	h, err := NewH2Conn(H2Config{SettingsTimeoutMS: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Output(nil, 1<<20); err != nil { // preface + SETTINGS
		t.Fatal(err)
	}
	d, ok, err := h.NextTimeout()
	if !ok || err != nil || d > 51*time.Millisecond {
		t.Fatalf("NextTimeout = %v, %v, %v; want at most 51ms", d, ok, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(d)
		live, _, err := h.Process()
		if err != nil {
			t.Fatal(err)
		}
		if !live {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SETTINGS timeout never fired")
		}
		if d, ok, _ = h.NextTimeout(); !ok {
			t.Fatal("deadline disarmed before it fired")
		}
	}
	if _, code, ok, _ := h.GoAwaySent(); !ok || code != codeSettingsTimeout {
		t.Errorf("GoAwaySent: %v, code %#x; want SETTINGS_TIMEOUT", ok, code)
	}
	if _, ok, _ := h.NextTimeout(); ok {
		t.Error("NextTimeout armed after the connection failed")
	}
}
