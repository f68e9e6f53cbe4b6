package http1_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/http1"
)

// What the package's errors print: bridged errors read
// "gosocket: http1.<Func>: ...", the typed ones "http1: ...", and none
// carries a second prefix.
func TestErrorStrings(t *testing.T) {
	closed, _ := http1.NewRequestParser(nil)
	closed.Close()
	_, closedErr := closed.Execute([]byte("GET / HTTP/1.1\r\n"))

	bad, _ := http1.NewRequestParser(nil)
	defer bad.Close()
	_, parseErr := bad.Execute([]byte("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"))

	_, cfgErr := http1.NewRequestParser(&http1.Config{MaxHeaders: -1})
	_, serErr := http1.AppendRequestHead(nil, "GET", "/", "a", http1.Header{{"Bad Name", "x"}}, -1)
	_, codingErr := http1.NewContentReader(strings.NewReader(""), "br")
	_, levelErr := http1.NewContentWriter(io.Discard, "gzip", 10)
	cr, err := http1.NewContentReader(bytes.NewReader(nil), "gzip")
	if err != nil {
		t.Fatal(err)
	}
	cr.Close()
	_, readErr := cr.Read(make([]byte, 1))

	for _, tt := range []struct {
		err    error
		prefix string // exact text, or its start when suffix is set
		suffix string
		is     error
	}{
		{closedErr, "gosocket: http1.Parser.Execute: use of closed object", "", gosocket.ErrClosed},
		{parseErr, "http1: Invalid header name at offset 19", "", gosocket.ErrHTTP},
		{cfgErr, "gosocket: http1.NewRequestParser: negative limit in Config", "", gosocket.ErrHTTP},
		{serErr, "gosocket: http1.AppendRequestHead: ", " (SocketHTTP_InvalidHeader)", gosocket.ErrHTTP},
		{codingErr, `gosocket: http1.NewContentReader: unsupported content coding "br"`, "", nil},
		{levelErr, "gosocket: http1.NewContentWriter: compression level 10 out of 0..9", "", nil},
		{readErr, "gosocket: http1.ContentReader.Read: use of closed object", "", gosocket.ErrClosed},
		{http1.ErrCorruptContent, "http1: corrupt compressed content", "", gosocket.ErrInvalidInput},
	} {
		if tt.err == nil {
			t.Errorf("no error where %q was expected", tt.prefix)
			continue
		}
		s := tt.err.Error()
		if tt.suffix == "" && s != tt.prefix ||
			tt.suffix != "" && (!strings.HasPrefix(s, tt.prefix) || !strings.HasSuffix(s, tt.suffix)) {
			t.Errorf("%q, want %q...%q", s, tt.prefix, tt.suffix)
		}
		if n := strings.Count(s, "gosocket:") + strings.Count(s, "http1:"); n != 1 {
			t.Errorf("%q: %d prefixes", s, n)
		}
		if tt.is != nil && !errors.Is(tt.err, tt.is) {
			t.Errorf("%q does not match %v", s, tt.is)
		}
	}
}
