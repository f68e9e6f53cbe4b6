package cgo

/*
#include "shim_core.h"

#cgo nocallback go_SocketUTF8_update
#cgo noescape go_SocketUTF8_update
#cgo nocallback go_SocketUTF8_finish
#cgo noescape go_SocketUTF8_finish
#cgo nocallback go_SocketUTF8_reset
#cgo noescape go_SocketUTF8_reset

#cgo nocallback SocketUTF8_validate
#cgo noescape SocketUTF8_validate
#cgo nocallback SocketUTF8_result_string
*/
import "C"

// ValidateUTF8 validates b in one call and returns a SocketUTF8_Result
// (UTF8Valid, UTF8Invalid, ...).
func ValidateUTF8(b []byte) int {
	if len(b) == 0 {
		return UTF8Valid
	}
	return int(C.SocketUTF8_validate((*C.uchar)(&b[0]), C.size_t(len(b))))
}

// UTF8ResultString is the C library's description of a result.
func UTF8ResultString(r int) string {
	return C.GoString(C.SocketUTF8_result_string(C.SocketUTF8_Result(r)))
}

// UTF8State is an incremental validator. The zero value is a fresh
// stream.
//
// The C state is 12 bytes of plain data, so it lives in Go memory and is
// lent to C for each call: no C allocation, no Close, no finalizer, and a
// copy of the struct is an independent validator. A UTF8State is not safe
// for concurrent use.
type UTF8State struct {
	s C.SocketUTF8_State
}

// Update feeds the next chunk and returns UTF8Valid if the stream so far
// ends on a character boundary, UTF8Incomplete if it ends inside one, or
// the error, which sticks until Reset.
func (st *UTF8State) Update(b []byte) (int, error) {
	var r C.int
	var e C.GoErr
	in := nonEmpty(b)
	if C.go_SocketUTF8_update(&st.s, (*C.uchar)(&in[0]), C.size_t(len(b)), &r, &e) != 0 {
		return UTF8Invalid, goError(&e)
	}
	return int(r), nil
}

// Finish returns the verdict for the whole stream: UTF8Incomplete if it
// ended inside a character.
func (st *UTF8State) Finish() (int, error) {
	var r C.int
	var e C.GoErr
	if C.go_SocketUTF8_finish(&st.s, &r, &e) != 0 {
		return UTF8Invalid, goError(&e)
	}
	return int(r), nil
}

// Reset starts a new stream.
func (st *UTF8State) Reset() error {
	var e C.GoErr
	if C.go_SocketUTF8_reset(&st.s, &e) != 0 {
		return goError(&e)
	}
	return nil
}
