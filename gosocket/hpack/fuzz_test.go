package hpack_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"

	"github.com/libsocket/libsocket/gosocket/hpack"
)

func addStorySeeds(f *testing.F, max int) {
	n := 0
	for _, dir := range []string{"nghttp2", "go-hpack", "nghttp2-change-table-size"} {
		for _, s := range loadStories(f, dir) {
			for _, c := range s.Cases {
				if n++; n > max {
					return
				}
				f.Add(c.wire(f))
			}
		}
	}
}

// FuzzDecode: a header block (split in two at the position the first byte
// gives, to exercise the dynamic table across blocks) decoded by our
// decoder and by x/net/http2/hpack. Whatever we accept, x/net must accept
// with the same fields; x/net may accept what we reject only where RFC
// 7541 lets a decoder be stricter (size updates after a field or more than
// two per block) or our limits bite.
func FuzzDecode(f *testing.F) {
	addStorySeeds(f, 300)
	f.Add([]byte{0x82, 0x20})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		cut := 1 + int(data[0])
		if cut > len(data) {
			cut = len(data)
		}
		blocks := [][]byte{data[1:cut], data[cut:]}
		d, err := hpack.NewDecoder(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		xd := xhpack.NewDecoder(hpack.DefaultTableSize, nil)
		for i, b := range blocks {
			got, err := d.Decode(b)
			xgot, xerr := xd.DecodeFull(b)
			if err == nil {
				if xerr != nil {
					t.Fatalf("block %d %x: we accept %v, x/net rejects: %v", i, b, got, xerr)
				}
				if len(got) != len(xgot) {
					t.Fatalf("block %d %x: %d fields, x/net %d", i, b, len(got), len(xgot))
				}
				for k := range got {
					if got[k].Name != xgot[k].Name || got[k].Value != xgot[k].Value || got[k].Sensitive != xgot[k].Sensitive {
						t.Fatalf("block %d field %d: %v, x/net %v", i, k, got[k], xgot[k])
					}
				}
				continue
			}
			var de *hpack.DecodingError
			if !errors.As(err, &de) {
				t.Fatalf("block %d: error %v is not a *DecodingError", i, err)
			}
			if xerr == nil {
				switch de.Code {
				case hpack.ErrorTableSize, hpack.ErrorHeaderSize, hpack.ErrorListSize, hpack.ErrorBomb:
				default:
					t.Fatalf("block %d %x: we reject (%v), x/net accepts %v", i, b, err, xgot)
				}
			}
			return // a failed decoder must not be used again
		}
	})
}

// FuzzRoundTrip: fields built from the input (NUL-separated names and
// values; a leading 's' marks a field sensitive) survive our encoder,
// decoded by our decoder and by x/net's, twice in a row (the second
// block uses the dynamic table).
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(":method\x00GET\x00:path\x00/index.html\x00scookie\x00a=b\x00"))
	f.Add([]byte("custom-key\x00custom-header\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := bytes.Split(data, []byte{0})
		var fields []hpack.Field
		for i := 0; i+1 < len(parts); i += 2 {
			name, sens := string(parts[i]), false
			if len(name) > 0 && name[0] == 's' {
				sens = true
			}
			fields = append(fields, hpack.Field{Name: name, Value: string(parts[i+1]), Sensitive: sens})
		}
		enc, err := hpack.NewEncoder(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer enc.Close()
		d, _ := hpack.NewDecoder(&hpack.DecoderConfig{MaxHeaderSize: 1 << 20, MaxHeaderListSize: 1 << 22})
		defer d.Close()
		xd := xhpack.NewDecoder(hpack.DefaultTableSize, nil)
		for round := 0; round < 2; round++ {
			block, err := enc.Encode(nil, fields)
			if err != nil {
				t.Fatalf("encode %v: %v", fields, err)
			}
			got, err := d.Decode(block)
			if err != nil {
				t.Fatalf("decode of our block %x: %v", block, err)
			}
			xgot, err := xd.DecodeFull(block)
			if err != nil {
				t.Fatalf("x/net decode of our block %x: %v", block, err)
			}
			if len(got) != len(fields) || len(xgot) != len(fields) {
				t.Fatalf("%d fields in, %d / %d out", len(fields), len(got), len(xgot))
			}
			for k, fl := range fields {
				// A name equal to a static-table name but for ASCII case is
				// sent as the table's lowercase name (the C encoder matches
				// static names case-insensitively, as the original does).
				name := fl.Name
				if got[k].Name != name && got[k].Name == strings.ToLower(name) {
					name = got[k].Name
				}
				if got[k].Name != name || got[k].Value != fl.Value || xgot[k].Name != name || xgot[k].Value != fl.Value {
					t.Fatalf("field %d: in %v, ours %v, x/net %v", k, fl, got[k], xgot[k])
				}
				if fl.Sensitive && (!got[k].Sensitive || !xgot[k].Sensitive) {
					t.Fatalf("field %d lost its sensitivity", k)
				}
			}
		}
	})
}

// FuzzHuffman: decoding agrees with x/net on accept/reject and output;
// encoding equals x/net's and decodes back.
func FuzzHuffman(f *testing.F) {
	f.Add([]byte("www.example.com"))
	f.Add([]byte{0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := hpack.HuffmanDecodeToString(data)
		xgot, xerr := xhpack.HuffmanDecodeToString(data)
		if (err == nil) != (xerr == nil) || got != xgot {
			t.Fatalf("decode %x: ours %q, %v; x/net %q, %v", data, got, err, xgot, xerr)
		}
		enc := hpack.AppendHuffmanString(nil, string(data))
		if xenc := xhpack.AppendHuffmanString(nil, string(data)); !bytes.Equal(enc, xenc) {
			t.Fatalf("encode %x: ours %x, x/net %x", data, enc, xenc)
		}
		back, err := hpack.AppendHuffmanDecode(nil, enc)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip %x: %x, %v", data, back, err)
		}
	})
}
