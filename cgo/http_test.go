package cgo

import (
	"errors"
	"testing"
)

// The thin layer: spans point into the one head copy, the parser reports
// error offsets, handles are counted and freed once.
func TestHTTP1ParserSpans(t *testing.T) {
	before := HTTP1Parsers.Live()
	p, err := NewHTTP1Parser(false, HTTP1DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("\r\nGET /x HTTP/1.1\r\nHost: a\r\nX-Y:  v v \r\n\r\nrest")
	r, err := p.Execute(in)
	if err != nil || r.Result != HTTP1OK || !r.HeadReady {
		t.Fatalf("%+v %v", r, err)
	}
	h := &r.Head
	if r.Consumed != len(in)-4 || h.Method.Of(h.Head) != "GET" || h.Target.Of(h.Head) != "/x" ||
		len(h.Fields) != 4 || h.Fields[3].Of(h.Head) != "v v" || h.Authority != "a" || h.Path != "/x" {
		t.Fatalf("%+v", h)
	}
	if err := p.Reset(); err != nil {
		t.Fatal(err)
	}
	r, err = p.Execute([]byte("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"))
	if err != nil || r.Result != 8 || r.Consumed != 19 || r.State != HTTP1StateError {
		t.Fatalf("error result %+v %v", r, err)
	}
	if _, err := NewHTTP1Parser(false, HTTP1Config{}); err == nil {
		t.Fatal("zero limits accepted")
	} else if ce := (*Error)(nil); !errors.As(err, &ce) || ce.Exception != "SocketHTTP1_ParseError" {
		t.Fatalf("zero limits: %v", err)
	}
	p.Close()
	p.Close()
	if _, err := p.Execute([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if n := HTTP1Parsers.Live(); n != before {
		t.Fatalf("live %d, want %d", n, before)
	}
}

// A failing block still returns the fields decoded before the error.
func TestHPACKDecodePartial(t *testing.T) {
	d, err := NewHPACKDecoder(4096, 8192, 65536)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, s, fs, err := d.Decode([]byte{0x82, 0x84, 0x80})
	if err != nil || res != 3 || len(fs) != 2 || fs[0].Name.Of(s) != ":method" || fs[1].Value.Of(s) != "/" {
		t.Fatalf("%d %q %+v %v", res, s, fs, err)
	}
}

// Buffers that are fields of structs holding Go pointers (as net/http's
// connReader.byteBuf) pass cgo's pointer check: the shims take &b[0]
// written in the call.
func TestHTTPBuffersInStructs(t *testing.T) {
	type holder struct {
		next *holder
		buf  [96]byte
	}
	h := &holder{next: &holder{}}
	msg := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	n := copy(h.buf[:], msg)
	p, err := NewHTTP1Parser(false, HTTP1DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if r, err := p.Execute(h.buf[:n]); err != nil || !r.HeadReady {
		t.Fatalf("%+v %v", r, err)
	}
	d, err := NewHPACKDecoder(4096, 8192, 65536)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h.buf[0] = 0x82
	if res, _, fs, err := d.Decode(h.buf[:1]); err != nil || res != 0 || len(fs) != 1 {
		t.Fatalf("%d %v %v", res, fs, err)
	}
	if out, ok := HuffmanDecode(nil, h.next.buf[:0]); !ok || len(out) != 0 {
		t.Fatal("empty Huffman string")
	}
}
