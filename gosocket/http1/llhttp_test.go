package http1_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/libsocket/libsocket/gosocket/http1"
)

// llhttp's own fixtures (tests/data/http1/llhttp, markdown files
// with an http block per case). The C suite checks them against llhttp's
// expected callback logs (tests/test_http1_llhttp.c); here every plain
// request/response case goes through the Go wrapper whole and byte by
// byte (same outcome), and where both we and net/http accept the first
// head, the two must agree on it.
var llhttpRoot = filepath.Join("..", "..", "tests", "data", "http1", "llhttp")

type fixture struct {
	file, name string
	response   bool
	input      []byte
}

var metaRE = regexp.MustCompile(`^<!-- meta=(\{.*\}) -->`)

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	var out []fixture
	for _, kind := range []string{"request", "response"} {
		paths, _ := filepath.Glob(filepath.Join(llhttpRoot, kind, "*.md"))
		if len(paths) == 0 {
			t.Fatalf("no llhttp fixtures under %s: the repository test data (tests/data) is required", llhttpRoot)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			title := ""
			for i := 0; i < len(lines); i++ {
				if strings.HasPrefix(lines[i], "#") {
					title = strings.TrimLeft(lines[i], "# ")
				}
				m := metaRE.FindStringSubmatch(lines[i])
				if m == nil {
					continue
				}
				var meta map[string]any
				if json.Unmarshal([]byte(m[1]), &meta) != nil || len(meta) != 1 {
					continue // options (noScan, pause, skipBody) we do not model
				}
				typ, _ := meta["type"].(string)
				typ = strings.TrimSpace(typ)
				if typ != "request" && typ != "response" {
					continue // lenient flags
				}
				for i++; i < len(lines) && lines[i] != "```http"; i++ {
				}
				var raw strings.Builder
				for i++; i < len(lines) && lines[i] != "```"; i++ {
					raw.WriteString(lines[i])
					raw.WriteByte('\n')
				}
				out = append(out, fixture{filepath.Base(p), title, typ == "response", expand(raw.String())})
			}
		}
	}
	return out
}

// expand applies the upstream harness's input transformation: lines end
// in CRLF (the block's last newline dropped), backslash-newline joins
// lines, and \r \n \t \f \xHH \ooo escapes (values from 0x80 reach the
// parser UTF-8 encoded, as a JavaScript string would).
func expand(raw string) []byte {
	raw = strings.TrimSuffix(raw, "\n")
	raw = strings.ReplaceAll(raw, "\\\n", "")
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	var out bytes.Buffer
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			out.WriteByte(c)
			continue
		}
		e := raw[i+1]
		var r int = -1
		switch {
		case e == 'r':
			r = '\r'
		case e == 'n':
			r = '\n'
		case e == 't':
			r = '\t'
		case e == 'f':
			r = '\f'
		case e == 'x' && i+3 < len(raw):
			if v, err := strconv.ParseUint(raw[i+2:i+4], 16, 8); err == nil {
				r = int(v)
				i += 2
			}
		case e >= '0' && e <= '7' && i+3 < len(raw):
			if v, err := strconv.ParseUint(raw[i+1:i+4], 8, 8); err == nil {
				r = int(v)
				i += 2
			}
		}
		if r < 0 {
			out.WriteByte(c)
			continue
		}
		i++
		if r >= 0x80 {
			out.WriteRune(rune(r))
		} else {
			out.WriteByte(byte(r))
		}
	}
	return out.Bytes()
}

func TestLLHTTPFixtures(t *testing.T) {
	fixtures := loadFixtures(t)
	var accepted, compared, onlyUs, onlyNet int
	for _, f := range fixtures {
		want := outcome(t, f.response, nil, [][]byte{f.input})
		bytewise := make([][]byte, len(f.input))
		for i := range f.input {
			bytewise[i] = f.input[i : i+1]
		}
		if got := outcome(t, f.response, nil, bytewise); got != want {
			t.Fatalf("%s %q: byte by byte\n%s\nwhole\n%s", f.file, f.name, got, want)
		}
		var p *http1.Parser
		if f.response {
			p, _ = http1.NewResponseParser(nil)
		} else {
			p, _ = http1.NewRequestParser(nil)
		}
		_, err := p.Execute(f.input)
		ours := err == nil && p.HeadComplete()
		if ours {
			accepted++
		}
		br := bufio.NewReader(bytes.NewReader(f.input))
		if !f.response {
			nr, nerr := http.ReadRequest(br)
			switch {
			case ours && nerr == nil:
				r := p.Request()
				compared++
				if r.Method != nr.Method || r.Target != nr.RequestURI || r.ProtoMinor != nr.ProtoMinor {
					t.Errorf("%s %q: request line %s %s 1.%d, net/http %s %s %s", f.file, f.name,
						r.Method, r.Target, r.ProtoMinor, nr.Method, nr.RequestURI, nr.Proto)
				}
				h := r.Header.ToHTTPHeader()
				delete(h, "Host")              // net/http: Request.Host
				delete(h, "Transfer-Encoding") // net/http: Request.TransferEncoding
				if diff := cmp.Diff(nr.Header, h); diff != "" {
					t.Errorf("%s %q: header (-net/http +ours):\n%s", f.file, f.name, diff)
				}
			case ours:
				onlyUs++
				t.Logf("%s %q: net/http rejects (%v), we accept", f.file, f.name, nerr)
			case nerr == nil:
				onlyNet++
			}
		} else {
			nr, nerr := http.ReadResponse(br, nil)
			switch {
			case ours && nerr == nil:
				r := p.Response()
				compared++
				if r.StatusCode != nr.StatusCode || r.ProtoMinor != nr.ProtoMinor {
					t.Errorf("%s %q: status %d 1.%d, net/http %s %s", f.file, f.name, r.StatusCode, r.ProtoMinor, nr.Status, nr.Proto)
				}
				h := r.Header.ToHTTPHeader()
				delete(h, "Transfer-Encoding") // net/http: Response.TransferEncoding
				if nr.Close && strings.EqualFold(h.Get("Connection"), "close") {
					delete(h, "Connection") // net/http: Response.Close
				}
				if diff := cmp.Diff(nr.Header, h); diff != "" {
					t.Errorf("%s %q: header (-net/http +ours):\n%s", f.file, f.name, diff)
				}
			case ours:
				onlyUs++
				t.Logf("%s %q: net/http rejects (%v), we accept", f.file, f.name, nerr)
			case nerr == nil:
				onlyNet++
			}
		}
		p.Close()
	}
	t.Logf("%d fixtures: we accept %d heads; %d compared with net/http, %d accepted only by us, %d only by net/http",
		len(fixtures), accepted, compared, onlyUs, onlyNet)
	if len(fixtures) < 150 || compared < 60 {
		t.Fatalf("too few fixtures (%d) or comparisons (%d)", len(fixtures), compared)
	}
}
