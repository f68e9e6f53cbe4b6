package gosocket

import csocket "github.com/libsocket/libsocket/cgo"

// invokeCallback runs fn from C (the boundary proof in package csocket)
// and converts the result like every other gosocket call.
func invokeCallback(fn func() error) error {
	return wrapErr("InvokeCallback", csocket.InvokeCallback(fn), nil)
}
