package csocket

/*
#include "shim.h"
*/
import "C"

import (
	"bytes"
	"path/filepath"
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
	if e.file != nil {
		err.File = filepath.Clean(C.GoString(e.file))
	}
	return err
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

// The helpers below turn Go memory into C arguments that are borrowed for
// one call: nil for empty input, never a pointer C may keep.

func voidPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func ucharPtr(b []byte) *C.uchar { return (*C.uchar)(voidPtr(b)) }

func charPtr(b []byte) *C.char { return (*C.char)(voidPtr(b)) }

func stringPtr(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}
