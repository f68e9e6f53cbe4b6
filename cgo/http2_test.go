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
