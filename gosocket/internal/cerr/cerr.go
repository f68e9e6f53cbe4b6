// Package cerr converts errors of package csocket for the gosocket
// subpackages (http1, hpack) the way gosocket's own wrapErr does.
package cerr

import (
	"errors"
	"fmt"

	csocket "github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
)

// Wrap returns err as a *gosocket.Error (a caught C exception, matching
// its family sentinel such as gosocket.ErrHTTP or gosocket.ErrArena), or
// as an error matching gosocket.ErrClosed / gosocket.ErrNoCgo.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *csocket.Error
	switch {
	case errors.As(err, &ce):
		return &gosocket.Error{Op: op, Exception: ce.Exception, Errno: ce.Errno, Msg: ce.Reason}
	case errors.Is(err, csocket.ErrHandleFreed):
		return fmt.Errorf("%s: %w", op, gosocket.ErrClosed)
	case errors.Is(err, csocket.ErrNoCgo):
		return fmt.Errorf("%s: %w", op, gosocket.ErrNoCgo)
	}
	return fmt.Errorf("%s: %w", op, err)
}
