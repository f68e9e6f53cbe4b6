package cgo

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrNoCgo is returned by every function when the package was built
// without cgo (CGO_ENABLED=0): the C core cannot be used.
var ErrNoCgo = errors.New("cgo: built without cgo; libsocket needs CGO_ENABLED=1 and a C compiler")

// Codes of [Error].
const (
	CodeException = -1 // a C exception was raised and caught by the shim
	CodeFailed    = -2 // the C function reported failure by return value
)

// Error is a failure reported by a shim.
type Error struct {
	Code      int           // CodeException or CodeFailed
	Exception string        // public exception name, e.g. "SocketCrypto_Failed"; may be empty for CodeFailed
	Reason    string        // message from the C library
	Errno     syscall.Errno // errno saved with the failure, 0 if none
	File      string        // C raise site, "" if unknown
	Line      int
}

func (e *Error) Error() string {
	msg := e.Reason
	if e.Exception != "" {
		msg = e.Exception + ": " + msg
	}
	if e.File != "" {
		msg += fmt.Sprintf(" (raised at %s:%d)", e.File, e.Line)
	}
	return msg
}
