package gosocket

import (
	"encoding/base64"
	"hash"
	"strings"

	"github.com/libsocket/libsocket/cgo"
)

// Digest sizes in bytes.
const (
	SHA1Size   = cgo.SHA1Size
	SHA256Size = cgo.SHA256Size
	MD5Size    = cgo.MD5Size
)

// The one-shot hashes below cannot fail on valid Go input; they panic only
// if the C crypto backend (OpenSSL) fails, which means a broken
// installation, as crypto/rand does for a broken kernel source.

// SHA256 returns the SHA-256 digest of data.
func SHA256(data []byte) [SHA256Size]byte {
	sum, err := cgo.SHA256(data)
	return must("SHA256", sum, err)
}

// SHA1 returns the SHA-1 digest of data. SHA-1 is broken for collision
// resistance; use it only where a protocol demands it (WebSocket).
func SHA1(data []byte) [SHA1Size]byte {
	sum, err := cgo.SHA1(data)
	return must("SHA1", sum, err)
}

// MD5 returns the MD5 digest of data, for legacy protocols only (HTTP
// Digest authentication).
func MD5(data []byte) [MD5Size]byte {
	sum, err := cgo.MD5(data)
	return must("MD5", sum, err)
}

// HMACSHA256 returns the HMAC-SHA256 (RFC 2104) of data under key.
func HMACSHA256(key, data []byte) [SHA256Size]byte {
	sum, err := cgo.HMACSHA256(key, data)
	return must("HMACSHA256", sum, err)
}

// NewSHA256 returns a hash.Hash computing SHA-256.
//
// The C library hashes in one shot only, so the returned Hash buffers
// everything written to it and hashes the buffer at each Sum: memory grows
// with the input and Sum costs O(input). Prefer SHA256 for data already
// in memory, and crypto/sha256 for large streams.
func NewSHA256() hash.Hash {
	return &bufferedHash{size: SHA256Size, blockSize: 64, sum: func(b []byte) []byte {
		s := SHA256(b)
		return s[:]
	}}
}

// NewSHA1 returns a buffering hash.Hash computing SHA-1 (see NewSHA256).
func NewSHA1() hash.Hash {
	return &bufferedHash{size: SHA1Size, blockSize: 64, sum: func(b []byte) []byte {
		s := SHA1(b)
		return s[:]
	}}
}

// NewMD5 returns a buffering hash.Hash computing MD5 (see NewSHA256).
func NewMD5() hash.Hash {
	return &bufferedHash{size: MD5Size, blockSize: 64, sum: func(b []byte) []byte {
		s := MD5(b)
		return s[:]
	}}
}

// NewHMACSHA256 returns a buffering hash.Hash computing HMAC-SHA256 under
// a copy of key (see NewSHA256).
func NewHMACSHA256(key []byte) hash.Hash {
	key = append([]byte(nil), key...)
	return &bufferedHash{size: SHA256Size, blockSize: 64, sum: func(b []byte) []byte {
		s := HMACSHA256(key, b)
		return s[:]
	}}
}

// bufferedHash adapts a one-shot digest to hash.Hash by buffering.
type bufferedHash struct {
	buf       []byte
	size      int
	blockSize int
	sum       func([]byte) []byte
}

func (h *bufferedHash) Write(p []byte) (int, error) {
	h.buf = append(h.buf, p...)
	return len(p), nil
}

func (h *bufferedHash) Sum(b []byte) []byte { return append(b, h.sum(h.buf)...) }
func (h *bufferedHash) Reset()              { h.buf = h.buf[:0] }
func (h *bufferedHash) Size() int           { return h.size }
func (h *bufferedHash) BlockSize() int      { return h.blockSize }

// Base64Encode returns the standard, padded Base64 encoding of src
// (RFC 4648 section 4).
func Base64Encode(src []byte) string {
	if len(src) == 0 {
		return ""
	}
	n := cgo.Base64EncodedLen(len(src))
	dst := make([]byte, n+1) // +1: the C encoder terminates its output
	if w := cgo.Base64Encode(dst, src); w != n {
		panic(&Error{Op: "Base64Encode", Msg: "C encoder wrote an unexpected length", Kind: ErrCrypto})
	}
	return string(dst[:n])
}

// Base64Decode decodes standard Base64 strictly: canonical padding and zero
// unused bits are required, as with encoding/base64's StdEncoding.Strict().
// Two leniencies differ from it: ASCII whitespace (space, tab, CR, LF) is
// skipped anywhere, and a missing final padding is accepted ("QQ" decodes
// like "QQ=="), though partial padding ("QQ=") is not. Malformed input
// yields an error matching ErrInvalidInput.
func Base64Decode(s string) ([]byte, error) {
	if s == "" {
		return []byte{}, nil
	}
	dst := make([]byte, cgo.Base64DecodedMaxLen(len(s)))
	n := cgo.Base64DecodeString(dst, s)
	// The C decoder, like the original library's, also takes the URL-safe
	// alphabet and non-zero unused bits; the canonical re-encoding of what
	// it decoded rules both out here.
	if n < 0 || !canonicalBase64(s, dst[:n]) {
		return nil, &Error{Op: "Base64Decode", Msg: "malformed Base64", Kind: ErrInvalidInput}
	}
	return dst[:n], nil
}

// canonicalBase64 reports whether s, without its ASCII whitespace, is the
// standard encoding of b, padded or with the final padding left out.
func canonicalBase64(s string, b []byte) bool {
	stripped := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	enc := Base64Encode(b)
	return stripped == enc || stripped == strings.TrimRight(enc, "=")
}

// HexEncode returns the lowercase hex encoding of src.
func HexEncode(src []byte) string {
	dst := make([]byte, 2*len(src)+1)
	must("HexEncode", struct{}{}, cgo.HexEncode(dst, src, true))
	return string(dst[:2*len(src)])
}

// HexDecode decodes hex digits of either case. An odd length or a non-hex
// character yields an error matching ErrInvalidInput.
func HexDecode(s string) ([]byte, error) {
	dst := make([]byte, len(s)/2)
	if n := cgo.HexDecodeString(dst, s); n < 0 {
		return nil, &Error{Op: "HexDecode", Msg: "malformed hex (odd length or non-hex character)", Kind: ErrInvalidInput}
	}
	return dst, nil
}

// RandomBytes fills b with bytes from the C library's CSPRNG (OpenSSL
// RAND_bytes).
func RandomBytes(b []byte) error {
	return wrapErr("RandomBytes", cgo.RandomBytes(b), ErrCrypto)
}

// WebSocketKey returns a fresh random Sec-WebSocket-Key (RFC 6455
// section 4.1): the Base64 of 16 random bytes.
func WebSocketKey() (string, error) {
	k, err := cgo.WebSocketKey()
	return k, wrapErr("WebSocketKey", err, ErrCrypto)
}

// WebSocketAccept returns the Sec-WebSocket-Accept value a server sends
// for the client's key (RFC 6455 section 4.2.2). A key that is not the
// Base64 of 16 bytes yields an error matching ErrInvalidInput.
func WebSocketAccept(key string) (string, error) {
	// The C function (as the original's) hashes any 24 characters; RFC 6455
	// section 4.2.1 wants the Base64 of a 16-byte nonce.
	if nonce, err := base64.StdEncoding.Strict().DecodeString(key); err != nil || len(nonce) != 16 {
		return "", &Error{Op: "WebSocketAccept", Msg: "malformed Sec-WebSocket-Key", Kind: ErrInvalidInput}
	}
	a, err := cgo.WebSocketAccept(key)
	return a, wrapErr("WebSocketAccept", err, ErrInvalidInput)
}

// SecureCompare reports whether a and b are equal, in time that depends on
// their length only (like crypto/subtle.ConstantTimeCompare, whose length
// check is not constant-time either).
func SecureCompare(a, b []byte) bool { return cgo.SecureCompare(a, b) }
