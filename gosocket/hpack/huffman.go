package hpack

import "github.com/libsocket/libsocket/cgo"

// AppendHuffmanString appends the Huffman code of s (RFC 7541 Appendix B,
// padded with ones) to dst.
func AppendHuffmanString(dst []byte, s string) []byte { return cgo.HuffmanEncode(dst, s) }

// HuffmanEncodedLen returns the number of bytes AppendHuffmanString
// appends for s.
func HuffmanEncodedLen(s string) int { return cgo.HuffmanEncodedLen(s) }

// AppendHuffmanDecode decodes the Huffman string src and appends the
// result to dst. An invalid code returns dst unchanged and ErrHuffman.
func AppendHuffmanDecode(dst, src []byte) ([]byte, error) {
	out, ok := cgo.HuffmanDecode(dst, src)
	if !ok {
		return dst, ErrHuffman
	}
	return out, nil
}

// HuffmanDecodeToString decodes the Huffman string src.
func HuffmanDecodeToString(src []byte) (string, error) {
	out, err := AppendHuffmanDecode(nil, src)
	return string(out), err
}
