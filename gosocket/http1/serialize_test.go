package http1_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/http1"
)

// Serialized heads parse back with net/http and with our parser.
func TestSerializeRoundTrip(t *testing.T) {
	h := http1.Header{{"Accept", "*/*"}, {"X-Multi", "a"}, {"X-Multi", "b"}}
	head, err := http1.AppendRequestHead([]byte("junk-before:"), "POST", "/submit?x=1", "example.com", h, 11)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(head, []byte("junk-before:POST /submit?x=1 HTTP/1.1\r\n")) {
		t.Fatalf("%q", head)
	}
	msg := append(head[len("junk-before:"):], "hello world"...)
	nr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(nr.Body)
	if nr.Method != "POST" || nr.Host != "example.com" || nr.ContentLength != 11 || string(body) != "hello world" ||
		strings.Join(nr.Header.Values("X-Multi"), ",") != "a,b" {
		t.Fatalf("net/http read %+v %q", nr, body)
	}
	out := outcome(t, false, nil, [][]byte{msg})
	if !strings.Contains(out, `body "hello world"`) || !strings.Contains(out, `host="example.com"`) {
		t.Fatalf("ours:\n%s", out)
	}

	// Chunked request with trailers, read by net/http.
	head, err = http1.AppendRequestHead(nil, "PUT", "/up", "h", nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	head = http1.AppendChunk(head, []byte("abc"))
	head = http1.AppendChunk(head, nil) // nothing: an empty chunk would end the body
	head = http1.AppendChunk(head, []byte("defg"))
	head, err = http1.AppendLastChunk(head, http1.Header{{"X-Checksum", "42"}})
	if err != nil {
		t.Fatal(err)
	}
	nr, err = http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		t.Fatal(err)
	}
	body, err = io.ReadAll(nr.Body)
	if err != nil || string(body) != "abcdefg" || nr.Trailer.Get("X-Checksum") != "42" {
		t.Fatalf("net/http chunked: %q %v %v", body, err, nr.Trailer)
	}

	// Response head.
	rh, err := http1.AppendResponseHead(nil, 404, "", http1.Header{{"Content-Type", "text/plain"}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(rh, "nope"...))), nil)
	if err != nil || resp.Status != "404 Not Found" || resp.ContentLength != 3 {
		t.Fatalf("%q: %v %+v", rh, err, resp)
	}
	if rh, _ := http1.AppendResponseHead(nil, 204, "", nil, 0); string(rh) != "HTTP/1.1 204 No Content\r\n\r\n" {
		t.Fatalf("204: %q", rh)
	}
}

// Field injection and invalid input are refused with an error matching
// gosocket.ErrHTTP; dst comes back unchanged.
func TestSerializeRejects(t *testing.T) {
	dst := []byte("keep")
	for _, tc := range []struct {
		name string
		do   func() ([]byte, error)
	}{
		{"CRLF in value", func() ([]byte, error) {
			return http1.AppendRequestHead(dst, "GET", "/", "h", http1.Header{{"X", "a\r\nInjected: 1"}}, 0)
		}},
		{"space in name", func() ([]byte, error) {
			return http1.AppendRequestHead(dst, "GET", "/", "h", http1.Header{{"X Y", "a"}}, 0)
		}},
		{"space in target", func() ([]byte, error) { return http1.AppendRequestHead(dst, "GET", "/a b", "h", nil, 0) }},
		{"unknown method", func() ([]byte, error) { return http1.AppendRequestHead(dst, "BREW", "/", "h", nil, 0) }},
		{"CRLF in host", func() ([]byte, error) { return http1.AppendRequestHead(dst, "GET", "/", "h\r\nX: y", nil, 0) }},
		{"bad status", func() ([]byte, error) { return http1.AppendResponseHead(dst, 1000, "", nil, 0) }},
		{"CR in trailer", func() ([]byte, error) { return http1.AppendLastChunk(dst, http1.Header{{"T", "a\rb"}}) }},
	} {
		out, err := tc.do()
		if !errors.Is(err, gosocket.ErrHTTP) || string(out) != "keep" {
			t.Errorf("%s: %q, %v", tc.name, out, err)
		}
	}
}

// AppendChunk output decodes with net/http/httputil's chunked reader.
func TestChunkEncoding(t *testing.T) {
	var enc []byte
	var want []byte
	for n := 1; n < 5000; n = n*3 + 1 {
		data := bytes.Repeat([]byte{byte('a' + n%26)}, n)
		want = append(want, data...)
		enc = http1.AppendChunk(enc, data)
	}
	enc, _ = http1.AppendLastChunk(enc, nil)
	got, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(enc)))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

// Values are written trimmed of surrounding SP/HTAB (as net/http does), and
// the C collection's 100-field / 64 KiB caps do not limit what Go writes.
func TestSerializeTrimAndManyFields(t *testing.T) {
	h := http1.Header{{"X-Pad", " \tv \t"}}
	for i := 0; i < 150; i++ {
		h = append(h, http1.Field{Name: "X-Many", Value: strings.Repeat("m", 600)})
	}
	head, err := http1.AppendResponseHead(nil, 200, "", h, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(head, []byte("\r\nX-Pad: v\r\n")) {
		t.Fatalf("value not trimmed: %q", head[:60])
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(resp.Header.Values("X-Many")); got != 150 {
		t.Fatalf("%d X-Many fields", got)
	}
}
