package cgo

/*
#include "shim_core.h"

#cgo nocallback go_Callback_logInsideNocallback
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// InvokeCallback calls fn from C and returns its failure the way every
// shim returns a C exception. It is the boundary proof and its test hook:
// Go calls the shim go_Callback_invoke, which opens a TRY and calls a C
// trampoline, which calls fn through an exported Go function. If fn
// returns an error or panics, the exported function recovers and returns
// a code; only after that Go frame has returned does the trampoline RAISE
// GoCallback_Failed, which the shim's TRY catches in the same cgo call.
//
// fn must not call runtime.Goexit (t.FailNow), which cannot be stopped at
// the C frames.
func InvokeCallback(fn func() error) error {
	h := cgo.NewHandle(fn)
	defer h.Delete()
	var e C.GoErr
	if C.go_Callback_invoke(C.uintptr_t(h), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// logInsideNocallback makes the C library log from inside a shim declared
// nocallback, as a C function wrapped that way might one day do. The log
// trampoline must then keep out of Go (the runtime would abort) and count
// the message as dropped. Test hook.
func logInsideNocallback(message string) {
	b := append([]byte(message), 0)
	C.go_Callback_logInsideNocallback((*C.char)(unsafe.Pointer(&b[0])))
}
