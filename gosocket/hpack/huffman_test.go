package hpack_test

import (
	"bytes"
	"errors"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"

	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/hpack"
)

// huffmanInputs: every byte value alone, all 256 in a row, and every name
// and value of the raw-data stories.
func huffmanInputs(t testing.TB) []string {
	in := []string{""}
	var all []byte
	for c := 0; c < 256; c++ {
		in = append(in, string([]byte{byte(c)}))
		all = append(all, byte(c))
	}
	in = append(in, string(all))
	for _, s := range loadStories(t, "raw-data") {
		for _, c := range s.Cases {
			for _, f := range c.fields() {
				in = append(in, f[0], f[1])
			}
		}
	}
	return in
}

// The Huffman code is canonical, so our encoding must equal x/net's byte
// for byte, and each side must decode the other's.
func TestHuffmanVsXNet(t *testing.T) {
	for _, s := range huffmanInputs(t) {
		ours := hpack.AppendHuffmanString(nil, s)
		theirs := xhpack.AppendHuffmanString(nil, s)
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("encode %q: ours %x, x/net %x", s, ours, theirs)
		}
		if n, xn := hpack.HuffmanEncodedLen(s), int(xhpack.HuffmanEncodeLength(s)); n != len(ours) || n != xn {
			t.Fatalf("length of %q: %d, encoded %d, x/net %d", s, n, len(ours), xn)
		}
		got, err := hpack.HuffmanDecodeToString(theirs)
		if err != nil || got != s {
			t.Fatalf("decode %x: %q, %v; want %q", theirs, got, err, s)
		}
		xgot, err := xhpack.HuffmanDecodeToString(ours)
		if err != nil || xgot != s {
			t.Fatalf("x/net decode %x: %q, %v", ours, xgot, err)
		}
	}
}

// Appending keeps the prefix.
func TestHuffmanAppend(t *testing.T) {
	dst := []byte("prefix")
	out := hpack.AppendHuffmanString(dst, "www.example.com")
	if want := append([]byte("prefix"), 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff); !bytes.Equal(out, want) {
		t.Fatalf("got %x, want %x (RFC 7541 C.4.1)", out, want)
	}
	dec, err := hpack.AppendHuffmanDecode([]byte("p:"), out[6:])
	if err != nil || string(dec) != "p:www.example.com" {
		t.Fatalf("%q %v", dec, err)
	}
}

// Invalid codes: padding longer than 7 bits, padding not all ones, EOS.
func TestHuffmanInvalid(t *testing.T) {
	for _, in := range [][]byte{
		{0xff},                   // 8 bits of padding
		{0xf1, 0xe3, 0xc2, 0x00}, // zero padding
		{0xff, 0xff, 0xff, 0xff}, // contains EOS (30 ones)
	} {
		_, err := hpack.HuffmanDecodeToString(in)
		if !errors.Is(err, hpack.ErrHuffman) || !errors.Is(err, gosocket.ErrHPACK) {
			t.Fatalf("%x: %v", in, err)
		}
		if _, xerr := xhpack.HuffmanDecodeToString(in); xerr == nil {
			t.Fatalf("%x: x/net accepts it", in)
		}
	}
}
