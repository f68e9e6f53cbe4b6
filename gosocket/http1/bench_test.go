package http1_test

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"

	"github.com/libsocket/libsocket/gosocket/http1"
)

// BenchmarkParseRequest parses the 450-byte browser GET of
// tests/bench/bench_http1.c next to net/http.ReadRequest on the same
// bytes:
//
//	go test -run '^$' -bench ParseRequest -benchmem ./gosocket/http1
//
// Execute: one cgo call on the bytes, then the Request with its 8 fields
// built from one copy of the head. ReadHead: the same through a
// bufio.Reader, as net/http reads it.
func BenchmarkParseRequest(b *testing.B) {
	in := []byte(browserGET)
	b.Run("gosocket/Execute", func(b *testing.B) {
		p, _ := http1.NewRequestParser(nil)
		defer p.Close()
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p.Reset()
			if n, err := p.Execute(in); err != nil || n != len(in) || p.Request() == nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("gosocket/ReadHead", func(b *testing.B) {
		p, _ := http1.NewRequestParser(nil)
		defer p.Close()
		rd := bytes.NewReader(in)
		br := bufio.NewReader(rd)
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p.Reset()
			rd.Reset(in)
			br.Reset(rd)
			if err := p.ReadHead(br); err != nil || p.Request().Header.Get("Host") != "www.example.com" {
				b.Fatal(err)
			}
		}
	})
	// With the fields converted to an http.Header, as net/http returns them.
	b.Run("gosocket/ReadHead+ToHTTPHeader", func(b *testing.B) {
		p, _ := http1.NewRequestParser(nil)
		defer p.Close()
		rd := bytes.NewReader(in)
		br := bufio.NewReader(rd)
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p.Reset()
			rd.Reset(in)
			br.Reset(rd)
			if err := p.ReadHead(br); err != nil {
				b.Fatal(err)
			}
			if h := p.Request().Header.ToHTTPHeader(); len(h) != 8 {
				b.Fatal(len(h))
			}
		}
	})
	b.Run("net-http/ReadRequest", func(b *testing.B) {
		rd := bytes.NewReader(in)
		br := bufio.NewReader(rd)
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			rd.Reset(in)
			br.Reset(rd)
			r, err := http.ReadRequest(br)
			if err != nil || r.Host != "www.example.com" {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseRequestBytewise feeds the same request one byte per
// Execute: 450 cgo calls per request, the worst case of the boundary.
func BenchmarkParseRequestBytewise(b *testing.B) {
	in := []byte(browserGET)
	p, _ := http1.NewRequestParser(nil)
	defer p.Close()
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		p.Reset()
		for k := range in {
			if _, err := p.Execute(in[k : k+1]); err != nil {
				b.Fatal(err)
			}
		}
		if p.Request() == nil {
			b.Fatal("incomplete")
		}
	}
}
