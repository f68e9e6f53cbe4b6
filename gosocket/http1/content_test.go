package http1

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/libsocket/libsocket/gosocket"
)

// Interop with Go's compress/gzip, compress/zlib and compress/flate in
// both directions, over inputs of several shapes.

func contentInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n", 3000))
	return map[string][]byte{"empty": nil, "one": {'x'}, "random": random, "text": text}
}

func ourEncode(t testing.TB, coding string, level int, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewContentWriter(&buf, coding, level)
	if err != nil {
		t.Fatal(err)
	}
	// Uneven writes, so chunking inside the writer is exercised.
	for off := 0; off < len(data); {
		n := min(7777, len(data)-off)
		if _, err := w.Write(data[off : off+n]); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ourDecode(r io.Reader, coding string) ([]byte, error) {
	cr, err := NewContentReader(r, coding)
	if err != nil {
		return nil, err
	}
	defer cr.Close()
	return io.ReadAll(cr)
}

func TestContentEncodeDecodesWithGo(t *testing.T) {
	for name, data := range contentInputs() {
		for _, level := range []int{0, 1, 9} {
			gz := ourEncode(t, "gzip", level, data)
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("%s/%d: gzip.NewReader: %v", name, level, err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s/%d gzip: Go decoded %d bytes, %v", name, level, len(got), err)
			}
			zl, err := zlib.NewReader(bytes.NewReader(ourEncode(t, "deflate", level, data)))
			if err != nil {
				t.Fatalf("%s/%d: zlib.NewReader: %v", name, level, err)
			}
			if got, err := io.ReadAll(zl); err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s/%d deflate: Go decoded %d bytes, %v", name, level, len(got), err)
			}
		}
	}
}

func TestContentDecodesGoEncodings(t *testing.T) {
	for name, data := range contentInputs() {
		var gz, zl, raw bytes.Buffer
		gw := gzip.NewWriter(&gz)
		gw.Write(data)
		gw.Close()
		zw := zlib.NewWriter(&zl)
		zw.Write(data)
		zw.Close()
		fw, _ := flate.NewWriter(&raw, flate.BestSpeed)
		fw.Write(data)
		fw.Close()
		for _, tc := range []struct {
			coding string
			enc    []byte
		}{{"gzip", gz.Bytes()}, {"X-GZIP", gz.Bytes()}, {"deflate", zl.Bytes()}, {"deflate", raw.Bytes()}} {
			got, err := ourDecode(bytes.NewReader(tc.enc), tc.coding)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s %s: decoded %d of %d bytes, %v", name, tc.coding, len(got), len(data), err)
			}
			// One byte in, and reads of one byte out, give the same.
			cr, err := NewContentReader(iotest.OneByteReader(bytes.NewReader(tc.enc)), tc.coding)
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			one := make([]byte, 1)
			for {
				n, err := cr.Read(one)
				out = append(out, one[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s %s bytewise: %v", name, tc.coding, err)
				}
			}
			cr.Close()
			if !bytes.Equal(out, data) {
				t.Errorf("%s %s bytewise: %d bytes", name, tc.coding, len(out))
			}
		}
	}
}

func TestContentBadInput(t *testing.T) {
	data := contentInputs()["text"]
	gz := ourEncode(t, "gzip", 6, data)

	if _, err := ourDecode(bytes.NewReader(gz[:len(gz)/2]), "gzip"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %v, want io.ErrUnexpectedEOF", err)
	}
	bad := append([]byte(nil), gz...)
	for i := 20; i < 60; i++ {
		bad[i] ^= 0x5a
	}
	if _, err := ourDecode(bytes.NewReader(bad), "gzip"); !errors.Is(err, ErrCorruptContent) || !errors.Is(err, gosocket.ErrInvalidInput) {
		t.Errorf("corrupt: %v, want ErrCorruptContent", err)
	}
	if _, err := ourDecode(bytes.NewReader(append(gz[:len(gz):len(gz)], "trailing"...)), "gzip"); !errors.Is(err, ErrCorruptContent) {
		t.Errorf("data after the stream: %v", err)
	}
	if _, err := ourDecode(strings.NewReader("not compressed at all"), "deflate"); !errors.Is(err, ErrCorruptContent) {
		t.Errorf("plain text as deflate: %v", err)
	}
	readErr := errors.New("network down")
	if _, err := ourDecode(iotest.DataErrReader(iotest.ErrReader(readErr)), "gzip"); !errors.Is(err, readErr) {
		t.Errorf("reader error: %v", err)
	}
	for _, coding := range []string{"br", "compress", "identity", ""} {
		if _, err := NewContentReader(strings.NewReader(""), coding); err == nil {
			t.Errorf("NewContentReader(%q) accepted", coding)
		}
		if _, err := NewContentWriter(io.Discard, coding, 0); err == nil {
			t.Errorf("NewContentWriter(%q) accepted", coding)
		}
	}
	if _, err := NewContentWriter(io.Discard, "gzip", 10); err == nil {
		t.Error("level 10 accepted")
	}
	cr, _ := NewContentReader(bytes.NewReader(gz), "gzip")
	cr.Close()
	cr.Close()
	if _, err := cr.Read(make([]byte, 8)); !errors.Is(err, gosocket.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
	cw, _ := NewContentWriter(io.Discard, "gzip", 1)
	cw.Close()
	if _, err := cw.Write([]byte("x")); !errors.Is(err, gosocket.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
}

// Flush makes everything written so far decodable by the peer before the
// stream ends.
func TestContentFlush(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewContentWriter(&buf, "deflate", 6)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	msg := []byte("first part of a streamed body")
	w.Write(msg)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(zr, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("after Flush Go read %q, %v", got, err)
	}
}

func FuzzContentReader(f *testing.F) {
	for _, data := range contentInputs() {
		var gz bytes.Buffer
		gw := gzip.NewWriter(&gz)
		gw.Write(data[:min(len(data), 2000)])
		gw.Close()
		f.Add(gz.Bytes(), true)
	}
	f.Add([]byte("\x78\x9c\x03\x00\x00\x00\x00\x01"), false)
	f.Fuzz(func(t *testing.T, in []byte, isGzip bool) {
		coding, goReader := "deflate", func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }
		if isGzip {
			coding, goReader = "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
		}
		got, err := ourDecode(bytes.NewReader(in), coding)
		// Where Go decodes the whole input as one stream, we must agree.
		gr, gerr := goReader(bytes.NewReader(in))
		if gerr != nil {
			return
		}
		if gz, ok := gr.(*gzip.Reader); ok {
			gz.Multistream(false)
		}
		want, gerr := io.ReadAll(gr)
		if gerr == nil && err == nil && !bytes.Equal(got, want) {
			t.Fatalf("decoded %d bytes, Go %d", len(got), len(want))
		}
	})
}

func BenchmarkContentDecode(b *testing.B) {
	data := bytes.Repeat(contentInputs()["text"], 8) // ~1 MiB of headers text
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(data)
	gw.Close()
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			cr, _ := NewContentReader(bytes.NewReader(gz.Bytes()), "gzip")
			io.Copy(io.Discard, cr)
			cr.Close()
		}
	})
	b.Run("compress/gzip", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			zr, _ := gzip.NewReader(bytes.NewReader(gz.Bytes()))
			io.Copy(io.Discard, zr)
		}
	})
}

func BenchmarkContentEncode(b *testing.B) {
	data := bytes.Repeat(contentInputs()["text"], 8)
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w, _ := NewContentWriter(io.Discard, "gzip", 6)
			w.Write(data)
			w.Close()
		}
	})
	b.Run("compress/gzip", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w, _ := gzip.NewWriterLevel(io.Discard, 6)
			w.Write(data)
			w.Close()
		}
	})
}
