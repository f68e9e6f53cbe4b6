package cgo

/*
#include "shim.h"
*/
import "C"

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"
)

// goError converts a GoErr filled by a shim. It reads only Go memory and
// static C strings, so it may run after the cgo call has returned.
func goError(e *C.GoErr) error {
	err := &Error{
		Code:      int(e.code),
		Exception: C.GoString(e.exception),
		Reason:    goStringN(e.reason[:]),
		Errno:     syscall.Errno(e.err_no),
		Line:      int(e.line),
	}
	if e.truncated != 0 {
		err.Reason += "..."
	}
	err.Reason = trimNoErrno(err.Reason)
	if e.file != nil {
		err.File = filepath.Clean(C.GoString(e.file))
	}
	return err
}

// trimNoErrno drops the "(errno: 0 - Success)" that the C library's
// SOCKET_ERROR_FMT appends when the failure had no errno: to a Go user it
// is noise ("errno 0"). Reasons with a real errno keep their text.
func trimNoErrno(reason string) string {
	const noErrno = " (errno: 0 - "
	if i := strings.LastIndex(reason, noErrno); i >= 0 && strings.HasSuffix(reason, ")") {
		return reason[:i]
	}
	return reason
}

// goStringN copies the NUL-terminated string in a C char array held in Go
// memory. Unlike C.GoString, which the compiler must assume keeps its
// argument, it lets the GoErr of every call stay on the stack.
func goStringN(a []C.char) string {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Go buffers are borrowed by C for one call, never kept. They are passed
// as &b[0] written out in the call expression: cgo's pointer check then
// inspects only the slice's backing array. A pointer computed elsewhere
// (say by a helper) makes it inspect the whole heap object around the
// buffer, which panics for a []byte inside a struct that holds pointers.

// scratch stands in for an empty buffer so that &b[0] stays valid; the
// length passed next to it is the caller's (0), so C never touches it.
var scratch [1]byte

// nonEmpty returns b, or a 1-byte stand-in when b is empty.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return scratch[:]
	}
	return b
}

// stringPtr is safe as a helper: string data never holds Go pointers.
func stringPtr(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}
