package cgo

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Request frames a client preface, SETTINGS and a GET on stream 1
// with x/net's Framer.
func h2Request(t *testing.T) []byte {
	t.Helper()
	var buf, hb bytes.Buffer
	buf.WriteString(xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(&buf, nil)
	fr.WriteSettings()
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/x"}, {"x-a", "1"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: true}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A request through the binding, byte for byte: the events of one Input,
// the head, a response, the frames in the output as x/net reads them.
func TestHTTP2ConnServerExchange(t *testing.T) {
	before := HTTP2Conns.Live()
	h, err := NewH2Conn(H2Config{Server: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := HTTP2Conns.Live(); n != before+1 {
		t.Fatalf("live = %d, want %d", n, before+1)
	}
	in := h2Request(t)
	used, ok, err := h.Input(in)
	if err != nil || !ok || used != len(in) {
		t.Fatalf("Input: %d of %d, ok %v, %v", used, len(in), ok, err)
	}
	evs := h.TakeEvents(nil)
	if len(evs) != 2 || evs[0].Type != H2EventStreamStart || evs[1].Type != H2EventHeaders || evs[1].StreamID != 1 {
		t.Fatalf("events %+v", evs)
	}
	s := evs[1].Stream
	fields, end, ok, err := h.RecvHeaders(s, false)
	if err != nil || !ok || !end || len(fields) != 5 || fields[0] != (H2Field{":method", "GET"}) || fields[4] != (H2Field{"x-a", "1"}) {
		t.Fatalf("RecvHeaders: %v end %v ok %v %v", fields, end, ok, err)
	}
	if _, _, ok, _ := h.RecvHeaders(s, true); ok {
		t.Error("trailers reported on a request without any")
	}
	if w, err := h.SendWindow(s); err != nil || w != 65535 {
		t.Errorf("SendWindow = %d, %v; want 65535", w, err)
	}
	if ok, err := h.SendHeaders(s, []H2Field{{":status", "200"}, {"x-b", "2"}}, false, false); !ok || err != nil {
		t.Fatalf("SendHeaders: %v %v", ok, err)
	}
	n, ended, err := h.SendData(s, []byte("hi"), true)
	if n != 2 || !ended || err != nil {
		t.Fatalf("SendData: %d %v %v", n, ended, err)
	}
	evs = h.TakeEvents(evs[:0])
	if len(evs) != 1 || evs[0].Type != H2EventStreamEnd || evs[0].StreamID != 1 {
		t.Fatalf("events after the response %+v", evs)
	}
	if n, _, err := h.SendData(s, []byte("x"), false); n != -1 || err != nil {
		t.Errorf("SendData on a closed stream: %d, %v; want -1", n, err)
	}
	out, err := h.Output(nil, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Consumed(len(out)); err != nil {
		t.Fatal(err)
	}
	if rest, _ := h.Output(nil, 1<<20); len(rest) != 0 {
		t.Errorf("%d bytes left after Consumed", len(rest))
	}
	fr := xhttp2.NewFramer(nil, bytes.NewReader(out))
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var kinds []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		kinds = append(kinds, f.Header().Type.String())
		switch f := f.(type) {
		case *xhttp2.MetaHeadersFrame:
			if f.PseudoValue("status") != "200" || f.StreamID != 1 {
				t.Errorf("response head %v", f.Fields)
			}
		case *xhttp2.DataFrame:
			if string(f.Data()) != "hi" || !f.StreamEnded() {
				t.Errorf("DATA %q end %v", f.Data(), f.StreamEnded())
			}
		}
	}
	// The connection WINDOW_UPDATE raises the 64 KiB default to 1 MiB.
	want := []string{"SETTINGS", "WINDOW_UPDATE", "SETTINGS", "HEADERS", "DATA"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("output frames %v, want %v", kinds, want)
	}
	h.Close()
	h.Close()
	if n := HTTP2Conns.Live(); n != before {
		t.Errorf("live = %d after Close, want %d", n, before)
	}
	if _, _, err := h.Input(in); !errors.Is(err, ErrClosed) {
		t.Errorf("Input after Close: %v, want ErrClosed", err)
	}
}

// A protocol violation is a connection error: Input reports it, the
// event list has it and a GOAWAY is queued; nothing raises.
func TestHTTP2ConnProtocolError(t *testing.T) {
	h, err := NewH2Conn(H2Config{Server: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	in := append([]byte(xhttp2.ClientPreface), 0, 0, 0, 4, 0, 0, 0, 0, 0) // SETTINGS
	// DATA on stream 0 (RFC 9113 §6.1: PROTOCOL_ERROR).
	in = append(in, 0, 0, 1, 0, 0, 0, 0, 0, 0, 'x')
	_, ok, err := h.Input(in)
	if err != nil || ok {
		t.Fatalf("Input: ok %v, %v; want a connection error", ok, err)
	}
	evs := h.TakeEvents(nil)
	if len(evs) == 0 || evs[len(evs)-1].Type != H2EventConnectionError {
		t.Errorf("events %+v, want CONNECTION_ERROR last", evs)
	}
	if closed, err := h.Closed(); !closed || err != nil {
		t.Errorf("Closed = %v, %v", closed, err)
	}
	out, _ := h.Output(nil, 1<<20)
	fr := xhttp2.NewFramer(nil, bytes.NewReader(out))
	var goaway *xhttp2.GoAwayFrame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			goaway = g
		}
	}
	if goaway == nil || goaway.ErrCode != xhttp2.ErrCodeProtocol {
		t.Fatalf("no GOAWAY(PROTOCOL_ERROR) in the output: %+v", goaway)
	}
	if s := H2ErrorString(int(goaway.ErrCode)); s != "PROTOCOL_ERROR" {
		t.Errorf("H2ErrorString = %q", s)
	}
}

// pump moves every pending output byte of from into to.
func pump(t *testing.T, from, to *H2Conn) {
	t.Helper()
	out, err := from.Output(nil, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if err := from.Consumed(len(out)); err != nil {
		t.Fatal(err)
	}
	for len(out) > 0 {
		n, ok, err := to.Input(out)
		if err != nil || !ok {
			t.Fatalf("Input: ok %v, %v", ok, err)
		}
		out = out[n:]
		if n == 0 {
			pump(t, to, from) // drain the peer's queue first
		}
	}
}

// The client role against the server role, both in memory: a POST larger
// than the initial windows completes only through WINDOW_UPDATEs.
func TestHTTP2ConnClientServer(t *testing.T) {
	cli, err := NewH2Conn(H2Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	srv, err := NewH2Conn(H2Config{Server: true, InitialWindowSize: 65535, ConnectionWindowSize: 65535})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cs, id, ok, err := cli.NewStream()
	if err != nil || !ok || id != 1 {
		t.Fatalf("NewStream: id %d ok %v %v", id, ok, err)
	}
	head := []H2Field{{":method", "POST"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/"}}
	if ok, err := cli.SendHeaders(cs, head, false, false); !ok || err != nil {
		t.Fatalf("request head: %v %v", ok, err)
	}
	body := bytes.Repeat([]byte("0123456789"), 30000) // 300 kB > 64 KiB windows
	var got []byte
	var ss H2Stream
	sent, rounds := 0, 0
	for sent < len(body) || len(got) < len(body) {
		if rounds++; rounds > 1000 {
			t.Fatalf("stuck: sent %d, received %d", sent, len(got))
		}
		if sent < len(body) {
			n, _, err := cli.SendData(cs, body[sent:], true)
			if err != nil || n < 0 {
				t.Fatalf("SendData: %d %v", n, err)
			}
			sent += n
		}
		cli.TakeEvents(nil)
		pump(t, cli, srv)
		for _, ev := range srv.TakeEvents(nil) {
			if ev.Type == H2EventHeaders {
				ss = ev.Stream
			}
		}
		if ss != 0 {
			buf := make([]byte, 1<<20)
			n, _, err := srv.RecvData(ss, buf)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, buf[:n]...)
		}
		pump(t, srv, cli) // WINDOW_UPDATEs
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("server received %d bytes, want %d equal", len(got), len(body))
	}
	if ok, err := srv.SendHeaders(ss, []H2Field{{":status", "204"}}, false, true); !ok || err != nil {
		t.Fatalf("response: %v %v", ok, err)
	}
	pump(t, srv, cli)
	var resEvents []int
	for _, ev := range cli.TakeEvents(nil) {
		resEvents = append(resEvents, ev.Type)
	}
	fields, end, ok, err := cli.RecvHeaders(cs, false)
	if err != nil || !ok || !end || len(fields) != 1 || fields[0] != (H2Field{":status", "204"}) {
		t.Fatalf("response head %v end %v ok %v %v", fields, end, ok, err)
	}
	if fmt.Sprint(resEvents) != fmt.Sprint([]int{H2EventHeaders, H2EventStreamEnd}) {
		t.Errorf("client events %v, want HEADERS, STREAM_END", resEvents)
	}
}

// PeerSetting reads the client's SETTINGS; PushPromise is refused when
// the client disabled push and accepted (a promised stream with the
// next even id) when it enabled it.
func TestHTTP2ConnPeerSettingAndPush(t *testing.T) {
	for _, enable := range []uint32{0, 1} {
		h, err := NewH2Conn(H2Config{Server: true})
		if err != nil {
			t.Fatal(err)
		}
		var buf, hb bytes.Buffer
		buf.WriteString(xhttp2.ClientPreface)
		fr := xhttp2.NewFramer(&buf, nil)
		fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingEnablePush, Val: enable},
			xhttp2.Setting{ID: xhttp2.SettingMaxConcurrentStreams, Val: 7})
		enc := hpack.NewEncoder(&hb)
		for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: true})
		if _, ok, err := h.Input(buf.Bytes()); !ok || err != nil {
			t.Fatalf("Input: %v %v", ok, err)
		}
		evs := h.TakeEvents(nil)
		if len(evs) < 2 {
			t.Fatalf("events %+v", evs)
		}
		if v, err := h.PeerSetting(H2SettingMaxConcurrentStreams); v != 7 || err != nil {
			t.Errorf("PeerSetting(MAX_CONCURRENT_STREAMS) = %d, %v; want 7", v, err)
		}
		if v, _ := h.PeerSetting(H2SettingEnablePush); v != enable {
			t.Errorf("PeerSetting(ENABLE_PUSH) = %d, want %d", v, enable)
		}
		ps, id, ok, err := h.PushPromise(evs[1].Stream, []H2Field{{":method", "GET"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/style.css"}})
		if err != nil || ok != (enable == 1) || (ok && (id != 2 || ps == 0)) {
			t.Errorf("ENABLE_PUSH %d: PushPromise = %v, %d, %v, %v", enable, ps, id, ok, err)
		}
		h.Close()
	}
}
