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

// Encode takes the representation Decode returns (strings + spans); a
// round trip keeps names, values and the never-index flag, spans outside
// the strings are rejected, and every handle kind returns to its count.
func TestHPACKEncodeSpans(t *testing.T) {
	encs, decs, codecs := HPACKEncoders.Live(), HPACKDecoders.Live(), HTTP1Codecs.Live()
	enc, err := NewHPACKEncoder(4096, true, true)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewHPACKDecoder(4096, 8192, 65536)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewHTTP1Decoder(HTTPCodingGzip)
	if err != nil {
		t.Fatal(err)
	}
	if HPACKEncoders.Live() != encs+1 || HPACKDecoders.Live() != decs+1 || HTTP1Codecs.Live() != codecs+1 {
		t.Fatal("live counts did not grow")
	}
	strs := []byte(":methodGETcookiea=b")
	in := []HPACKField{
		{Name: Span{0, 7}, Value: Span{7, 3}},
		{Name: Span{10, 6}, Value: Span{16, 3}, Sensitive: true},
	}
	block, err := enc.Encode([]byte("x"), strs, in)
	if err != nil || len(block) < 3 || block[0] != 'x' {
		t.Fatalf("%q %v", block, err)
	}
	res, s, out, err := d.Decode(block[1:])
	if err != nil || res != HPACKResultOK || len(out) != 2 {
		t.Fatalf("%d %q %+v %v", res, s, out, err)
	}
	for i, f := range out {
		if f.Name.Of(s) != in[i].Name.Of(string(strs)) || f.Value.Of(s) != in[i].Value.Of(string(strs)) ||
			f.Sensitive != in[i].Sensitive {
			t.Errorf("field %d: %+v of %q, sent %+v", i, f, s, in[i])
		}
	}
	if _, err := enc.Encode(nil, strs, []HPACKField{{Name: Span{15, 5}}}); err == nil {
		t.Fatal("span past the strings accepted")
	} else if ce := (*Error)(nil); !errors.As(err, &ce) || ce.Exception != "SocketHPACK_Error" {
		t.Fatalf("bad span: %v", err)
	}
	enc.Close()
	d.Close()
	c.Close()
	c.Close()
	if _, err := enc.Encode(nil, strs, in); !errors.Is(err, ErrClosed) {
		t.Fatalf("Encode after Close: %v", err)
	}
	if _, _, _, err := c.Decode([]byte{1}, make([]byte, 8)); !errors.Is(err, ErrClosed) {
		t.Fatalf("codec Decode after Close: %v", err)
	}
	if HPACKEncoders.Live() != encs || HPACKDecoders.Live() != decs || HTTP1Codecs.Live() != codecs {
		t.Fatalf("live %d %d %d, want %d %d %d", HPACKEncoders.Live(), HPACKDecoders.Live(),
			HTTP1Codecs.Live(), encs, decs, codecs)
	}
}
