package http1_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/http1"
)

func newReq(t testing.TB, cfg *http1.Config) *http1.Parser {
	t.Helper()
	p, err := http1.NewRequestParser(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// The benchmark request parses to what net/http.ReadRequest reads.
func TestBrowserGETMatchesNetHTTP(t *testing.T) {
	p := newReq(t, nil)
	n, err := p.Execute([]byte(browserGET))
	if err != nil || n != len(browserGET) {
		t.Fatalf("Execute: %d, %v", n, err)
	}
	r := p.Request()
	if r == nil || !p.Complete() {
		t.Fatal("head not complete")
	}
	want, err := http.ReadRequest(bufio.NewReader(strings.NewReader(browserGET)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != want.Method || r.Target != want.RequestURI || r.ProtoMajor != want.ProtoMajor ||
		r.ProtoMinor != want.ProtoMinor || r.Host != want.Host || r.Path != want.URL.RequestURI() {
		t.Fatalf("request line: got %+v, net/http %s %s %s host %s", r, want.Method, want.RequestURI, want.Proto, want.Host)
	}
	got := r.Header.ToHTTPHeader()
	delete(got, "Host") // net/http moves it to Request.Host
	if diff := cmp.Diff(want.Header, got); diff != "" {
		t.Fatalf("header (-net/http +ours):\n%s", diff)
	}
	if !r.KeepAlive || r.BodyMode != http1.BodyNone || r.ContentLength != -1 || want.Close {
		t.Fatalf("framing: %+v", r)
	}
	if r.Header.Get("user-agent") != want.UserAgent() || r.Header.Get("COOKIE") != want.Header.Get("Cookie") {
		t.Fatal("case-insensitive Get")
	}
	if len(r.Header) != 8 || r.Header.Has("X-Missing") || r.Header.Values("Accept-Language")[0] != "en-US,en;q=0.9" {
		t.Fatalf("header helpers: %v", r.Header)
	}
}

// A set of messages covering the framing cases; each must give the same
// outcome for every split of its bytes into two pieces and byte by byte.
var splitCases = []struct {
	name     string
	response bool
	input    string
}{
	{"browser GET", false, browserGET},
	{"pipelined", false, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"chunked with trailers", false, "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: abc\r\nX-B: d\r\n\r\n"},
	{"expect continue", false, "PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"},
	{"upgrade", false, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
	{"absolute form", false, "GET http://example.com:8080/p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"},
	{"connect", false, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{"http/1.0", false, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
	{"smuggling CL+TE", false, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"bad chunk size", false, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
	{"truncated body", false, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"},
	{"response CL", true, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nServer: t\r\n\r\nbodyHTTP/1.1 204 No Content\r\n\r\n"},
	{"response until close", true, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until the end"},
	{"response chunked", true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	{"response 101", true, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
	{"response bad status", true, "HTTP/1.1 2000 OK\r\n\r\n"},
}

func TestEverySplit(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.input)
			want := outcome(t, tc.response, nil, whole(tc.input))
			for i := 1; i < len(in); i++ {
				if got := outcome(t, tc.response, nil, [][]byte{in[:i], in[i:]}); got != want {
					t.Fatalf("split at %d:\n%s\nwhole:\n%s", i, got, want)
				}
			}
			bytewise := make([][]byte, len(in))
			for i := range in {
				bytewise[i] = in[i : i+1]
			}
			if got := outcome(t, tc.response, nil, bytewise); got != want {
				t.Fatalf("byte by byte:\n%s\nwhole:\n%s", got, want)
			}
			t.Logf("\n%s", want)
		})
	}
}

// Bodies, trailers and flags of the split cases, checked by value.
func TestBodies(t *testing.T) {
	got := outcome(t, false, nil, whole(splitCases[2].input))
	for _, want := range []string{`body "hello world"`, `trailer "X-Sum": "abc"`, `trailer "X-B": "d"`, "mode=chunked"} {
		if !strings.Contains(got, want) {
			t.Fatalf("missing %q in\n%s", want, got)
		}
	}
	got = outcome(t, true, nil, whole(splitCases[12].input))
	if !strings.Contains(got, `body "all of this until the end"`) || !strings.Contains(got, "mode=until-close ka=false") {
		t.Fatalf("until close:\n%s", got)
	}
	got = outcome(t, false, nil, whole(splitCases[3].input))
	if !strings.Contains(got, "expect=true") || !strings.Contains(got, `body "abc"`) {
		t.Fatalf("expect:\n%s", got)
	}
	got = outcome(t, false, nil, whole(splitCases[4].input))
	if !strings.Contains(got, `up=true/"websocket"`) {
		t.Fatalf("upgrade:\n%s", got)
	}
	got = outcome(t, false, nil, whole(splitCases[5].input))
	if !strings.Contains(got, `host="example.com:8080" path="/p?q=1" scheme="http"`) {
		t.Fatalf("absolute form:\n%s", got)
	}
	got = outcome(t, false, nil, whole(splitCases[10].input))
	if !strings.Contains(got, "error Unexpected end of input") {
		t.Fatalf("truncated body:\n%s", got)
	}
}

// Request smuggling and malformed heads are rejected with a *ParseError
// matching gosocket.ErrHTTP; net/http must reject them too or is known to
// be more lenient (listed).
func TestSmugglingRejected(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		code    http1.ErrorCode
		netHTTP bool // net/http.ReadRequest accepts it
	}{
		{"CL.TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n", http1.ErrorSmuggling, true},
		{"TE.CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n", http1.ErrorSmuggling, true},
		{"differing CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\n", http1.ErrorInvalidContentLength, false},
		{"duplicate equal CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nContent-Length: 6\r\n\r\n", http1.ErrorInvalidContentLength, true},
		{"CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6, 6\r\n\r\n", http1.ErrorInvalidContentLength, false},
		{"CL sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +6\r\n\r\n", http1.ErrorInvalidContentLength, false},
		{"TE not final chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", http1.ErrorSmuggling, false},
		{"TE obfuscated", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", http1.ErrorSmuggling, false},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", http1.ErrorSmuggling, true},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n", http1.ErrorInvalidHeaderName, true},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", http1.ErrorInvalidHeaderName, true},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", http1.ErrorInvalidVersion, true},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", http1.ErrorInvalidHeaderValue, false},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", http1.ErrorInvalidHeaderValue, false},
		{"two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", http1.ErrorSmuggling, false},
		{"leading space field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", http1.ErrorInvalidHeaderName, false},
		{"bad method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", http1.ErrorInvalidMethod, false},
		{"bad version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", http1.ErrorInvalidVersion, true},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", http1.ErrorInvalidVersion, false},
		{"chunk size overflow", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", http1.ErrorInvalidChunkSize, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newReq(t, nil)
			var err error
			if _, err = p.Execute([]byte(tc.input)); err == nil {
				tmp := make([]byte, 64)
				_, _, err = p.ReadBody(tmp, []byte(tc.input[strings.Index(tc.input, "\r\n\r\n")+4:]))
			}
			var pe *http1.ParseError
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Fatalf("got %v, want %v", err, tc.code)
			}
			if !errors.Is(err, gosocket.ErrHTTP) || !errors.Is(err, gosocket.ErrInvalidInput) {
				t.Fatalf("%v does not match gosocket.ErrHTTP", err)
			}
			if _, err2 := p.Execute([]byte("GET / HTTP/1.1\r\n\r\n")); err2 != err {
				t.Fatalf("error not sticky: %v", err2)
			}
			req, nerr := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.input)))
			if nerr == nil && req.Body != nil {
				_, nerr = io.Copy(io.Discard, req.Body)
				if errors.Is(nerr, io.ErrUnexpectedEOF) {
					nerr = nil // the inputs stop after the part that matters
				}
			}
			if (nerr == nil) != tc.netHTTP {
				t.Fatalf("net/http error %v; table says accepted=%v", nerr, tc.netHTTP)
			}
			p.Reset()
			if _, err := p.Execute([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil || p.Request() == nil {
				t.Fatalf("after Reset: %v", err)
			}
		})
	}
}

// Limits from Config give the documented errors; Lenient relaxes strict
// mode.
func TestConfig(t *testing.T) {
	p := newReq(t, &http1.Config{MaxHeaders: 2})
	_, err := p.Execute([]byte("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n"))
	var pe *http1.ParseError
	if !errors.As(err, &pe) || pe.Code != http1.ErrorTooManyHeaders {
		t.Fatalf("MaxHeaders: %v", err)
	}
	p = newReq(t, &http1.Config{MaxHeaderValue: 4})
	if _, err = p.Execute([]byte("GET / HTTP/1.1\r\nHost: xxxxx\r\n\r\n")); !errors.As(err, &pe) || pe.Code != http1.ErrorHeaderTooLarge {
		t.Fatalf("MaxHeaderValue: %v", err)
	}
	p = newReq(t, &http1.Config{Lenient: true})
	if _, err = p.Execute([]byte("GET / HTTP/1.1\nHost: x\n\n")); err != nil || p.Request() == nil {
		t.Fatalf("lenient bare LF: %v", err)
	}
	p = newReq(t, &http1.Config{AllowObsFold: true})
	if _, err = p.Execute([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n")); err != nil {
		t.Fatalf("obs-fold allowed: %v", err)
	}
	if v := p.Request().Header.Get("x-a"); v != "a   b" && v != "a b" {
		t.Fatalf("unfolded value %q", v)
	}
	if _, err := http1.NewRequestParser(&http1.Config{MaxHeaders: -1}); err == nil {
		t.Fatal("negative limit accepted")
	}
}

// The names of the error codes come from the C library: each known code
// has its own, others print as numbers.
func TestErrorCodeNames(t *testing.T) {
	seen := map[string]http1.ErrorCode{}
	for c := http1.ErrorMisuse; c <= http1.ErrorSmuggling; c++ {
		s := c.String()
		if s == "" || strings.HasPrefix(s, "ErrorCode(") || strings.EqualFold(s, "unknown") {
			t.Errorf("%d: %q", int(c), s)
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("%d and %d are both %q", int(prev), int(c), s)
		}
		seen[s] = c
	}
	if s := http1.ErrorSmuggling.String(); s != "Request smuggling attempt detected" {
		t.Errorf("ErrorSmuggling: %q", s)
	}
	for _, c := range []http1.ErrorCode{0, 1, http1.ErrorSmuggling + 1, 99} {
		if s, want := c.String(), fmt.Sprintf("ErrorCode(%d)", int(c)); s != want {
			t.Errorf("%q, want %q", s, want)
		}
	}
}

// ReadHead and Body over a bufio.Reader: keep-alive with pipelining.
func TestReadHeadBody(t *testing.T) {
	in := splitCases[1].input + splitCases[2].input
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	p := newReq(t, nil)
	var got []string
	for {
		err := p.ReadHead(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p.Body(br))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Request().Method+" "+p.Request().Target+" "+string(body))
		p.Reset()
	}
	want := []string{"GET /a ", "POST /b hello", "GET /c ", "POST /up hello world"}
	if !cmp.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	// A head cut short by EOF.
	p.Reset()
	if err := p.ReadHead(bufio.NewReader(strings.NewReader("GET / HT"))); !errors.Is(err, gosocket.ErrHTTP) {
		t.Fatalf("truncated head: %v", err)
	}
}

// Responses compare with net/http.ReadResponse.
func TestResponseMatchesNetHTTP(t *testing.T) {
	in := "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nnot found"
	p, err := http1.NewResponseParser(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	br := bufio.NewReader(strings.NewReader(in))
	if err := p.ReadHead(br); err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(p.Body(br))
	if err != nil {
		t.Fatal(err)
	}
	want, err := http.ReadResponse(bufio.NewReader(strings.NewReader(in)), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantBody, _ := io.ReadAll(want.Body)
	r := p.Response()
	if r.StatusCode != want.StatusCode || r.Reason != strings.TrimPrefix(want.Status, "404 ") ||
		r.ContentLength != want.ContentLength || !bytes.Equal(body, wantBody) {
		t.Fatalf("got %+v %q; net/http %s %d %q", r, body, want.Status, want.ContentLength, wantBody)
	}
	if diff := cmp.Diff(want.Header, r.Header.ToHTTPHeader()); diff != "" {
		t.Fatalf("header (-net/http +ours):\n%s", diff)
	}
	// HEAD response: SkipBody.
	p.Reset()
	if _, err := p.Execute([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	p.SkipBody()
	if !p.Complete() || p.Response().BodyMode != http1.BodyNone {
		t.Fatal("SkipBody did not complete the message")
	}
}

func TestCloseIdempotent(t *testing.T) {
	before := cgo.HTTP1Parsers.Live()
	p, _ := http1.NewRequestParser(nil)
	if cgo.HTTP1Parsers.Live() != before+1 {
		t.Fatal("live count did not grow")
	}
	p.Close()
	p.Close()
	if _, err := p.Execute([]byte("GET / HTTP/1.1\r\n\r\n")); !errors.Is(err, gosocket.ErrClosed) {
		t.Fatalf("Execute after Close: %v", err)
	}
	if n := cgo.HTTP1Parsers.Live(); n != before {
		t.Fatalf("live parsers %d, want %d", n, before)
	}
}

// Heads and trailer sections with more fields than one call returns spans
// for (128) come back complete.
func TestManyFields(t *testing.T) {
	var msg strings.Builder
	msg.WriteString("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n")
	for i := 0; i < 300; i++ {
		msg.WriteString("X-F" + strconv.Itoa(i) + ": v" + strconv.Itoa(i) + "\r\n")
	}
	msg.WriteString("\r\n3\r\nabc\r\n0\r\n")
	for i := 0; i < 200; i++ {
		msg.WriteString("T-" + strconv.Itoa(i) + ": t\r\n")
	}
	msg.WriteString("\r\n")
	cfg := &http1.Config{MaxHeaders: 1000, MaxTrailerSize: 1 << 16}
	out := outcome(t, false, cfg, whole(msg.String()))
	if !strings.Contains(out, `"X-F299": "v299"`) || !strings.Contains(out, `trailer "T-199": "t"`) ||
		strings.Count(out, "trailer ") != 200 || !strings.Contains(out, `body "abc"`) {
		t.Fatalf("outcome:\n%s", out)
	}
	p := newReq(t, cfg)
	if _, err := p.Execute([]byte(msg.String())); err != nil || len(p.Request().Header) != 302 {
		t.Fatalf("%v, %d fields", err, len(p.Request().Header))
	}
}
