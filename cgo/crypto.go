package cgo

/*
#include "shim_core.h"

#cgo nocallback go_SocketCrypto_sha1
#cgo noescape go_SocketCrypto_sha1
#cgo nocallback go_SocketCrypto_sha256
#cgo noescape go_SocketCrypto_sha256
#cgo nocallback go_SocketCrypto_md5
#cgo noescape go_SocketCrypto_md5
#cgo nocallback go_SocketCrypto_hmac_sha256
#cgo noescape go_SocketCrypto_hmac_sha256
#cgo nocallback go_SocketCrypto_hex_encode
#cgo noescape go_SocketCrypto_hex_encode
#cgo nocallback go_SocketCrypto_random_bytes
#cgo noescape go_SocketCrypto_random_bytes
#cgo nocallback go_SocketCrypto_random_uint32
#cgo noescape go_SocketCrypto_random_uint32
#cgo nocallback go_SocketCrypto_websocket_key
#cgo noescape go_SocketCrypto_websocket_key
#cgo nocallback go_SocketCrypto_websocket_accept
#cgo noescape go_SocketCrypto_websocket_accept

#cgo nocallback SocketCrypto_base64_encode
#cgo noescape SocketCrypto_base64_encode
#cgo nocallback SocketCrypto_base64_decode
#cgo noescape SocketCrypto_base64_decode
#cgo nocallback SocketCrypto_hex_decode
#cgo noescape SocketCrypto_hex_decode
#cgo nocallback SocketCrypto_secure_compare
#cgo noescape SocketCrypto_secure_compare
*/
import "C"

import "unsafe"

// SHA1 returns the SHA-1 digest of b.
func SHA1(b []byte) (sum [SHA1Size]byte, err error) {
	var e C.GoErr
	in := nonEmpty(b)
	if C.go_SocketCrypto_sha1(unsafe.Pointer(&in[0]), C.size_t(len(b)), (*C.uchar)(&sum[0]), &e) != 0 {
		return sum, goError(&e)
	}
	return sum, nil
}

// SHA256 returns the SHA-256 digest of b.
func SHA256(b []byte) (sum [SHA256Size]byte, err error) {
	var e C.GoErr
	in := nonEmpty(b)
	if C.go_SocketCrypto_sha256(unsafe.Pointer(&in[0]), C.size_t(len(b)), (*C.uchar)(&sum[0]), &e) != 0 {
		return sum, goError(&e)
	}
	return sum, nil
}

// MD5 returns the MD5 digest of b.
func MD5(b []byte) (sum [MD5Size]byte, err error) {
	var e C.GoErr
	in := nonEmpty(b)
	if C.go_SocketCrypto_md5(unsafe.Pointer(&in[0]), C.size_t(len(b)), (*C.uchar)(&sum[0]), &e) != 0 {
		return sum, goError(&e)
	}
	return sum, nil
}

// HMACSHA256 returns the HMAC-SHA256 of data under key.
func HMACSHA256(key, data []byte) (sum [SHA256Size]byte, err error) {
	var e C.GoErr
	k, d := nonEmpty(key), nonEmpty(data)
	if C.go_SocketCrypto_hmac_sha256(unsafe.Pointer(&k[0]), C.size_t(len(key)),
		unsafe.Pointer(&d[0]), C.size_t(len(data)), (*C.uchar)(&sum[0]), &e) != 0 {
		return sum, goError(&e)
	}
	return sum, nil
}

// Base64Encode writes the padded standard Base64 encoding of src into dst,
// which must hold Base64EncodedLen(len(src))+1 bytes, and returns the
// number of characters written, or -1 if dst is too small.
func Base64Encode(dst, src []byte) int {
	if len(dst) == 0 {
		return -1
	}
	in := nonEmpty(src)
	return int(C.SocketCrypto_base64_encode(unsafe.Pointer(&in[0]), C.size_t(len(src)),
		(*C.char)(unsafe.Pointer(&dst[0])), C.size_t(len(dst))))
}

// Base64DecodeString decodes src into dst and returns the number of bytes
// written, or -1 if src is not valid Base64 or dst is too small. This is
// the C decoder as is (the original's leniencies: ASCII whitespace
// skipped, final padding optional, URL-safe characters and non-zero unused
// bits accepted); gosocket.Base64Decode adds strictness on top.
func Base64DecodeString(dst []byte, src string) int {
	if len(src) == 0 {
		return 0 // C would read a length of 0 as "use strlen"
	}
	out := nonEmpty(dst)
	return int(C.SocketCrypto_base64_decode(stringPtr(src), C.size_t(len(src)),
		(*C.uchar)(&out[0]), C.size_t(len(dst))))
}

// HexEncode writes the hex encoding of src into dst, which must hold
// 2*len(src)+1 bytes (the last one is the C terminator).
func HexEncode(dst, src []byte, lower bool) error {
	if len(dst) < 2*len(src)+1 {
		return &Error{Code: CodeFailed, Reason: "hex encode: destination too small"}
	}
	var e C.GoErr
	in := nonEmpty(src)
	if C.go_SocketCrypto_hex_encode(unsafe.Pointer(&in[0]), C.size_t(len(src)),
		(*C.char)(unsafe.Pointer(&dst[0])), cBool(lower), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// HexDecodeString decodes src (either case) into dst, which must hold
// len(src)/2 bytes, and returns the number of bytes written, or -1 for an
// odd length or a non-hex character.
func HexDecodeString(dst []byte, src string) int {
	if len(dst) < len(src)/2 {
		return -1
	}
	out := nonEmpty(dst)
	return int(C.SocketCrypto_hex_decode(stringPtr(src), C.size_t(len(src)), (*C.uchar)(&out[0])))
}

// RandomBytes fills b from the CSPRNG.
func RandomBytes(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	var e C.GoErr
	if C.go_SocketCrypto_random_bytes(unsafe.Pointer(&b[0]), C.size_t(len(b)), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// RandomUint32 returns a uniformly random 32-bit value from the CSPRNG.
func RandomUint32() (uint32, error) {
	var v C.uint32_t
	var e C.GoErr
	if C.go_SocketCrypto_random_uint32(&v, &e) != 0 {
		return 0, goError(&e)
	}
	return uint32(v), nil
}

// WebSocketKey returns a fresh random Sec-WebSocket-Key.
func WebSocketKey() (string, error) {
	var buf [WebSocketKeyLen + 1]byte
	var e C.GoErr
	if C.go_SocketCrypto_websocket_key((*C.char)(unsafe.Pointer(&buf[0])), &e) != 0 {
		return "", goError(&e)
	}
	return string(buf[:WebSocketKeyLen]), nil
}

// WebSocketAccept returns the Sec-WebSocket-Accept value for key
// (RFC 6455 section 4.2.2). Like the C function it checks only that key is
// 24 characters; gosocket.WebSocketAccept validates the key.
func WebSocketAccept(key string) (string, error) {
	var buf [WebSocketAcceptLen + 1]byte
	var e C.GoErr
	if C.go_SocketCrypto_websocket_accept(stringPtr(key), C.size_t(len(key)),
		(*C.char)(unsafe.Pointer(&buf[0])), &e) != 0 {
		return "", goError(&e)
	}
	return string(buf[:WebSocketAcceptLen]), nil
}

// SecureCompare reports whether a and b are equal, taking time that
// depends only on their length. Slices of different length are unequal.
func SecureCompare(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return C.SocketCrypto_secure_compare(unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), C.size_t(len(a))) == 0
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
