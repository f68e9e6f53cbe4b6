package http1_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/libsocket/libsocket/gosocket/http1"
)

// browserGET is the request of tests/bench/bench_http1.c: a realistic
// 450-byte browser GET with 9 fields.
const browserGET = "GET /search?q=http+parser&hl=en&source=hp HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " +
	"Chrome/120.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/" +
	"*;q=0.8\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Cookie: session=3f2a9c1e7b; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"\r\n"

// outcome is everything the parser reported for a stream of messages,
// printed as text so that runs can be compared.
func outcome(t testing.TB, response bool, cfg *http1.Config, chunks [][]byte) string {
	t.Helper()
	var p *http1.Parser
	var err error
	if response {
		p, err = http1.NewResponseParser(cfg)
	} else {
		p, err = http1.NewRequestParser(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var sb strings.Builder
	tmp := make([]byte, 7) // small, so that ReadBody is called repeatedly
	fail := func(err error) string {
		var pe *http1.ParseError
		switch {
		case errors.As(err, &pe) && limitCode(pe.Code):
			// SocketHTTP1.h: for a size limit the offset is where the
			// parser detected it, which depends on the split (a 19-byte
			// method is reported at 19 whole, at 17 byte by byte).
			fmt.Fprintf(&sb, "error %v\n", pe.Code)
		case pe != nil:
			fmt.Fprintf(&sb, "error %v at %d\n", pe.Code, pe.Offset)
		default:
			fmt.Fprintf(&sb, "error %v\n", err)
		}
		return sb.String()
	}
	head := func() {
		if r := p.Request(); r != nil {
			fmt.Fprintf(&sb, "request %q %q %d.%d host=%q path=%q scheme=%q cl=%d mode=%v ka=%v up=%v/%q expect=%v\n",
				r.Method, r.Target, r.ProtoMajor, r.ProtoMinor, r.Host, r.Path, r.Scheme, r.ContentLength,
				r.BodyMode, r.KeepAlive, r.Upgrade, r.UpgradeProtocol, r.ExpectContinue)
			for _, f := range r.Header {
				fmt.Fprintf(&sb, "  %q: %q\n", f.Name, f.Value)
			}
		}
		if r := p.Response(); r != nil {
			fmt.Fprintf(&sb, "response %d %q %d.%d cl=%d mode=%v ka=%v up=%v\n", r.StatusCode, r.Reason,
				r.ProtoMajor, r.ProtoMinor, r.ContentLength, r.BodyMode, r.KeepAlive, r.Upgrade)
			for _, f := range r.Header {
				fmt.Fprintf(&sb, "  %q: %q\n", f.Name, f.Value)
			}
		}
	}
	var body []byte
	done := func() {
		fmt.Fprintf(&sb, "body %q\n", body)
		for _, f := range p.Trailers() {
			fmt.Fprintf(&sb, "  trailer %q: %q\n", f.Name, f.Value)
		}
		body = nil
		p.Reset()
	}
	for _, c := range chunks {
		for len(c) > 0 {
			if !p.HeadComplete() {
				n, err := p.Execute(c)
				c = c[n:]
				if err != nil {
					return fail(err)
				}
				if p.HeadComplete() {
					head()
					if p.Complete() {
						done()
					}
				}
				continue
			}
			w, n, err := p.ReadBody(tmp, c)
			body = append(body, tmp[:w]...)
			c = c[n:]
			if err == io.EOF {
				done()
			} else if err != nil {
				return fail(err)
			}
		}
	}
	// End of input.
	if !p.HeadComplete() {
		if err := p.Finish(); err != nil {
			return fail(err)
		}
		sb.WriteString("eof\n")
		return sb.String()
	}
	for {
		w, _, err := p.ReadBody(tmp, nil)
		body = append(body, tmp[:w]...)
		if err == io.EOF {
			done()
			sb.WriteString("eof\n")
			return sb.String()
		}
		if err != nil {
			return fail(err)
		}
	}
}

// limitCode reports whether c may stand for a size limit.
func limitCode(c http1.ErrorCode) bool {
	switch c {
	case http1.ErrorLineTooLong, http1.ErrorInvalidMethod, http1.ErrorHeaderTooLarge,
		http1.ErrorTooManyHeaders, http1.ErrorChunkTooLarge:
		return true
	}
	return false
}

func whole(s string) [][]byte { return [][]byte{[]byte(s)} }
