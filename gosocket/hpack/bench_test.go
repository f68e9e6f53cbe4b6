package hpack_test

import (
	"bytes"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"

	"github.com/libsocket/libsocket/gosocket/hpack"
)

// Benchmarks on the hpack-test-case raw-data stories (3,384 header lists
// in 32 connections), each next to x/net/http2/hpack on the same input:
//
//	go test -run '^$' -bench . -benchmem ./gosocket/hpack
//
// One op is all stories; a fresh encoder/decoder per story (its table
// carries over between the story's blocks, as on a connection). MB/s
// counts name + value bytes.

type benchInput struct {
	lists  [][][]hpack.Field        // per story, per block
	xlists [][][]xhpack.HeaderField // the same for x/net
	blocks [][][]byte               // our encoder's blocks
	raw    int                      // name + value bytes
	strs   []string                 // every name and value
	codes  [][]byte                 // their Huffman codes
}

var benchIn *benchInput

func loadBench(b *testing.B) *benchInput {
	if benchIn != nil {
		return benchIn
	}
	in := &benchInput{}
	for _, s := range loadStories(b, "raw-data") {
		enc, _ := hpack.NewEncoder(nil)
		var lists [][]hpack.Field
		var xlists [][]xhpack.HeaderField
		var blocks [][]byte
		for _, c := range s.Cases {
			fs := toFields(c.fields())
			xs := make([]xhpack.HeaderField, len(fs))
			for i, f := range fs {
				xs[i] = xhpack.HeaderField{Name: f.Name, Value: f.Value}
				in.raw += len(f.Name) + len(f.Value)
				in.strs = append(in.strs, f.Name, f.Value)
				in.codes = append(in.codes, hpack.AppendHuffmanString(nil, f.Name), hpack.AppendHuffmanString(nil, f.Value))
			}
			blk, err := enc.Encode(nil, fs)
			if err != nil {
				b.Fatal(err)
			}
			lists, xlists, blocks = append(lists, fs), append(xlists, xs), append(blocks, blk)
		}
		enc.Close()
		in.lists, in.xlists, in.blocks = append(in.lists, lists), append(in.xlists, xlists), append(in.blocks, blocks)
	}
	benchIn = in
	return in
}

func BenchmarkDecodeStories(b *testing.B) {
	in := loadBench(b)
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, story := range in.blocks {
				d, _ := hpack.NewDecoder(nil)
				for _, blk := range story {
					if _, err := d.Decode(blk); err != nil {
						b.Fatal(err)
					}
				}
				d.Close()
			}
		}
	})
	b.Run("gosocket/DecodeAppend", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		b.ReportAllocs()
		var fields []hpack.Field
		for i := 0; i < b.N; i++ {
			for _, story := range in.blocks {
				d, _ := hpack.NewDecoder(nil)
				for _, blk := range story {
					var err error
					if fields, err = d.DecodeAppend(fields[:0], blk); err != nil {
						b.Fatal(err)
					}
				}
				d.Close()
			}
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, story := range in.blocks {
				d := xhpack.NewDecoder(hpack.DefaultTableSize, nil)
				for _, blk := range story {
					if _, err := d.DecodeFull(blk); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}

func BenchmarkEncodeStories(b *testing.B) {
	in := loadBench(b)
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		b.ReportAllocs()
		var buf []byte
		for i := 0; i < b.N; i++ {
			for _, story := range in.lists {
				e, _ := hpack.NewEncoder(nil)
				for _, fs := range story {
					var err error
					if buf, err = e.Encode(buf[:0], fs); err != nil {
						b.Fatal(err)
					}
				}
				e.Close()
			}
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		b.ReportAllocs()
		var buf bytes.Buffer
		for i := 0; i < b.N; i++ {
			for _, story := range in.xlists {
				e := xhpack.NewEncoder(&buf)
				for _, fs := range story {
					buf.Reset()
					for _, f := range fs {
						if err := e.WriteField(f); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		}
	})
}

// Huffman over every name and value of the stories, one call per string
// (the HPACK use: short strings, so the cgo call is a large share).
func BenchmarkHuffmanEncode(b *testing.B) {
	in := loadBench(b)
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		buf := make([]byte, 0, 1<<16)
		for i := 0; i < b.N; i++ {
			for _, s := range in.strs {
				buf = hpack.AppendHuffmanString(buf[:0], s)
			}
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		buf := make([]byte, 0, 1<<16)
		for i := 0; i < b.N; i++ {
			for _, s := range in.strs {
				buf = xhpack.AppendHuffmanString(buf[:0], s)
			}
		}
	})
}

func BenchmarkHuffmanDecode(b *testing.B) {
	in := loadBench(b)
	b.Run("gosocket", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		buf := make([]byte, 0, 1<<16)
		for i := 0; i < b.N; i++ {
			for _, c := range in.codes {
				var err error
				if buf, err = hpack.AppendHuffmanDecode(buf[:0], c); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.SetBytes(int64(in.raw))
		var buf bytes.Buffer
		for i := 0; i < b.N; i++ {
			for _, c := range in.codes {
				buf.Reset()
				if _, err := xhpack.HuffmanDecode(&buf, c); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// The same on one 64 KiB string: the codec's own speed.
func BenchmarkHuffmanBulk(b *testing.B) {
	in := loadBench(b)
	var all []byte
	for _, s := range in.strs {
		if len(all) >= 1<<16 {
			break
		}
		all = append(all, s...)
	}
	s := string(all)
	code := hpack.AppendHuffmanString(nil, s)
	out := make([]byte, 0, 2*len(all))
	b.Run("encode/gosocket", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for i := 0; i < b.N; i++ {
			out = hpack.AppendHuffmanString(out[:0], s)
		}
	})
	b.Run("encode/xnet", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for i := 0; i < b.N; i++ {
			out = xhpack.AppendHuffmanString(out[:0], s)
		}
	})
	b.Run("decode/gosocket", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for i := 0; i < b.N; i++ {
			out, _ = hpack.AppendHuffmanDecode(out[:0], code)
		}
	})
	b.Run("decode/xnet", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		var buf bytes.Buffer
		for i := 0; i < b.N; i++ {
			buf.Reset()
			xhpack.HuffmanDecode(&buf, code)
		}
	})
}
