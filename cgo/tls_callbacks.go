package cgo

// The exported Go side of the certificate verification trampoline in
// shim_tls_callback.c. cgo copies this preamble into _cgo_export.h, so it
// holds declarations only.

/*
#include <stddef.h>
#include <stdint.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// TLSVerifyFunc decides on a peer's certificates during a handshake on the
// socket whose ID is sock: raw as the peer sent them (DER, leaf first) and
// the chain OpenSSL verified (leaf to trust anchor). A non-nil error
// rejects the peer.
type TLSVerifyFunc func(sock uintptr, raw, verified [][]byte) error

// NewTLSVerifyHandle wraps fn for TLSConfig.VerifyHandle. Delete it with
// DeleteTLSVerifyHandle once no handshake can run with the context.
func NewTLSVerifyHandle(fn TLSVerifyFunc) uintptr { return uintptr(cgo.NewHandle(fn)) }

// TLSALPNFunc picks one of the protocols a client offered (RFC 7301) by
// index, or returns -1 to continue without ALPN.
type TLSALPNFunc func(offered []string) int

// NewTLSALPNHandle wraps fn for TLSConfig.ALPNHandle; delete it with
// DeleteTLSVerifyHandle.
func NewTLSALPNHandle(fn TLSALPNFunc) uintptr { return uintptr(cgo.NewHandle(fn)) }

// DeleteTLSVerifyHandle releases a handle of NewTLSVerifyHandle or
// NewTLSALPNHandle.
func DeleteTLSVerifyHandle(h uintptr) { cgo.Handle(h).Delete() }

//export goTLSALPNSelect
func goTLSALPNSelect(handle C.uintptr_t, protos **C.char, n C.int) (idx C.int) {
	defer func() {
		if recover() != nil {
			idx = -1 // a panicking chooser picks nothing
		}
	}()
	fn, ok := cgo.Handle(handle).Value().(TLSALPNFunc)
	if !ok || n <= 0 {
		return -1
	}
	offered := make([]string, 0, int(n))
	for _, p := range unsafe.Slice(protos, int(n)) {
		offered = append(offered, C.GoString(p))
	}
	i := fn(offered)
	if i < 0 || i >= len(offered) {
		return -1
	}
	return C.int(i)
}

// derList splits n DER certificates stored back to back in C memory.
func derList(buf *C.uchar, lens *C.size_t, n C.int) [][]byte {
	if n <= 0 || buf == nil {
		return nil
	}
	out := make([][]byte, 0, int(n))
	p := unsafe.Pointer(buf)
	for _, l := range unsafe.Slice(lens, int(n)) {
		out = append(out, C.GoBytes(p, C.int(l)))
		p = unsafe.Add(p, uintptr(l))
	}
	return out
}

//export goTLSVerify
func goTLSVerify(handle, sock C.uintptr_t, raw *C.uchar, rawLens *C.size_t, nraw C.int,
	ver *C.uchar, verLens *C.size_t, nver C.int) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			rc = -1 // a panicking verifier rejects
		}
	}()
	fn, ok := cgo.Handle(handle).Value().(TLSVerifyFunc)
	if !ok {
		return -1
	}
	if err := fn(uintptr(sock), derList(raw, rawLens, nraw), derList(ver, verLens, nver)); err != nil {
		return -1
	}
	return 0
}
