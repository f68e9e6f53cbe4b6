package gosocket

import "github.com/libsocket/libsocket/cgo"

// invokeCallback runs fn from C (the boundary proof in package cgo)
// and converts the result like every other gosocket call.
func invokeCallback(fn func() error) error {
	return wrapErr("InvokeCallback", cgo.InvokeCallback(fn), nil)
}

// Loopback echo helpers for package gosocket_test.
var (
	ServeEcho = serveEcho
	EchoOnce  = echoOnce
)
