// Package errs is the one bridge from the C boundary (package cgo) to Go
// errors, shared by gosocket and its subpackages. gosocket re-exports the
// Error type and the sentinels; the map from C exception names to
// sentinels is generated from cgo/exceptions.def (./build.sh gen).
package errs

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"syscall"

	"github.com/libsocket/libsocket/cgo"
)

// Error is the error type of the package: a C exception caught at the
// boundary, or an argument or input rejected by gosocket.
//
// Use errors.Is with the Err* sentinels to test the kind of failure, and
// with a syscall.Errno (through Unwrap) to test the saved errno.
type Error struct {
	Op        string        // operation, e.g. "NewRateLimiter"
	Exception string        // C exception, e.g. "SocketRateLimit_Failed"; "" if none was raised
	Errno     syscall.Errno // errno saved with the failure, 0 if none
	Msg       string        // description, from the C library where it has one

	// Kind is the family sentinel of a failure that is not a C exception
	// (the exception name decides otherwise), e.g. ErrClosed.
	Kind error
}

func (e *Error) Error() string {
	s := "gosocket: " + e.Op + ": " + e.Msg
	if e.Exception != "" {
		s += " (" + e.Exception + ")"
	}
	return s
}

// Unwrap returns the saved errno, or nil if there is none.
func (e *Error) Unwrap() error {
	if e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// Is reports whether target is the sentinel of e's family (see
// exceptionFamilies), or an error that sentinel matches, such as
// net.ErrClosed for ErrClosed.
func (e *Error) Is(target error) bool {
	for _, fam := range [...]error{e.family(), errnoFamilies[e.Errno]} {
		if fam != nil && (fam == target || errors.Is(fam, target)) {
			return true
		}
	}
	return false
}

// Timeout reports whether the error is a timeout (a passed deadline, a
// cancelled wait on a deadline, or the errno ETIMEDOUT), as net.Error does.
func (e *Error) Timeout() bool { return e.Is(ErrTimeout) }

// Temporary reports whether retrying may succeed: a timeout, or an errno
// that syscall.Errno calls temporary (EINTR, EMFILE, ENFILE, EAGAIN,
// ECONNRESET, ECONNABORTED, ...). With Timeout it makes *Error a
// net.Error; like net.Error's, it is of limited use beyond accept loops.
func (e *Error) Temporary() bool {
	return e.Timeout() || (e.Errno != 0 && e.Errno.Temporary())
}

func (e *Error) family() error {
	if e.Kind != nil {
		return e.Kind
	}
	return exceptionFamilies[e.Exception]
}

// sentinel is an error value that may also match other errors, so that
// for example ErrClosed matches net.ErrClosed.
type sentinel struct {
	msg  string
	also []error
}

func (s *sentinel) Error() string { return s.msg }

func (s *sentinel) Is(target error) bool { return slices.Contains(s.also, target) }

// Sentinels, one per family of C exceptions, plus the input errors of the
// codecs. Test with errors.Is(err, gosocket.ErrCrypto).
var (
	ErrAssert     error = &sentinel{msg: "gosocket: C library assertion failed (API misuse)"}
	ErrArena      error = &sentinel{msg: "gosocket: arena allocation failed"}
	ErrCrypto     error = &sentinel{msg: "gosocket: crypto failure"}
	ErrUTF8       error = &sentinel{msg: "gosocket: UTF-8 validator failure"}
	ErrRateLimit  error = &sentinel{msg: "gosocket: rate limiter failure"}
	ErrIPTracker  error = &sentinel{msg: "gosocket: IP tracker failure"}
	ErrSYNProtect error = &sentinel{msg: "gosocket: SYN protection failure"}
	ErrSecurity   error = &sentinel{msg: "gosocket: security limit exceeded or validation failed"}
	ErrCallback   error = &sentinel{msg: "gosocket: Go callback called from C failed"}

	// ErrClosed is returned for use of an object this program closed
	// (including an operation interrupted by Close); it matches
	// net.ErrClosed.
	ErrClosed error = &sentinel{msg: "gosocket: use of closed object", also: []error{net.ErrClosed}}
	// ErrTimeout matches os.ErrDeadlineExceeded; errors carrying the errno
	// ETIMEDOUT match it too.
	ErrTimeout error = &sentinel{msg: "gosocket: timeout", also: []error{os.ErrDeadlineExceeded}}

	// ErrSocket is the family of socket failures (Socket_Failed,
	// SocketUnix_Failed, SocketDgram_Failed, SocketCommon_Failed,
	// SocketBuf_Failed, SocketAsync_Failed); the errno says more.
	ErrSocket error = &sentinel{msg: "gosocket: socket operation failed"}
	// ErrPeerClosed is the exception Socket_Closed: the peer closed or
	// reset the connection (a write gets it with errno EPIPE or
	// ECONNRESET). Read reports an orderly end of stream as io.EOF
	// instead. It does not match net.ErrClosed, which means this side
	// closed.
	ErrPeerClosed error = &sentinel{msg: "gosocket: connection closed by peer"}
	// ErrPoll is the family of event loop and timer failures
	// (SocketPoll_Failed, SocketTimer_Failed).
	ErrPoll error = &sentinel{msg: "gosocket: event loop failure"}
	// ErrDNS is the family of resolver failures (SocketDNS_Failed),
	// including names that do not resolve.
	ErrDNS error = &sentinel{msg: "gosocket: name resolution failed"}

	// ErrHTTP is the family of HTTP syntax errors (SocketHTTP_ParseError,
	// SocketHTTP1_ParseError, SocketHTTP_InvalidURI,
	// SocketHTTP_InvalidHeader); it matches ErrInvalidInput.
	ErrHTTP error = &sentinel{msg: "gosocket: malformed HTTP", also: []error{ErrInvalidInput}}
	// ErrHPACK is SocketHPACK_Error: a malformed or over-limit header
	// block; it matches ErrInvalidInput.
	ErrHPACK error = &sentinel{msg: "gosocket: HPACK error", also: []error{ErrInvalidInput}}
	// ErrHTTP2 is the family of HTTP/2 engine failures
	// (SocketHTTP2_ProtocolError, SocketHTTP2_StreamError,
	// SocketHTTP2_FlowControlError): a connection that cannot be created.
	// Protocol violations by the peer are frames, never these.
	ErrHTTP2 error = &sentinel{msg: "gosocket: HTTP/2 failure"}

	// ErrTLS is the family of TLS and DTLS failures outside the handshake
	// (SocketTLS_Failed, SocketTLS_ProtocolError, SocketTLS_ShutdownFailed,
	// SocketDTLS_Failed, SocketDTLS_ShutdownFailed).
	ErrTLS error = &sentinel{msg: "gosocket: TLS failure"}
	// ErrTLSHandshake is SocketTLS_HandshakeFailed or
	// SocketDTLS_HandshakeFailed; it matches ErrTLS.
	ErrTLSHandshake error = &sentinel{msg: "gosocket: TLS handshake failed", also: []error{ErrTLS}}
	// ErrTLSVerify is a rejected peer certificate (SocketTLS_VerifyFailed,
	// SocketDTLS_VerifyFailed); a handshake failure, so it also matches
	// ErrTLSHandshake and ErrTLS.
	ErrTLSVerify error = &sentinel{msg: "gosocket: TLS certificate verification failed", also: []error{ErrTLSHandshake, ErrTLS}}
	// ErrTLSPin is SocketTLS_PinVerifyFailed: the peer's key matched no
	// configured pin. It matches ErrTLSVerify and ErrTLS.
	ErrTLSPin error = &sentinel{msg: "gosocket: TLS certificate pin mismatch", also: []error{ErrTLSVerify, ErrTLSHandshake, ErrTLS}}
	// ErrDTLSCookie is SocketDTLS_CookieFailed; it matches ErrTLS.
	ErrDTLSCookie error = &sentinel{msg: "gosocket: DTLS cookie exchange failed", also: []error{ErrTLS}}

	// ErrDeadline is the kind of a passed context deadline: a timeout that
	// also matches context.DeadlineExceeded.
	ErrDeadline error = &sentinel{msg: "gosocket: timeout", also: []error{ErrTimeout, os.ErrDeadlineExceeded, context.DeadlineExceeded}}

	// ErrInvalidInput is returned by decoders for malformed input.
	ErrInvalidInput error = &sentinel{msg: "gosocket: invalid input"}
	// ErrInvalidUTF8 is returned for malformed or truncated UTF-8.
	ErrInvalidUTF8 error = &sentinel{msg: "gosocket: invalid UTF-8"}
	// ErrNoCgo is returned when the package was built without cgo.
	ErrNoCgo error = &sentinel{msg: cgo.ErrNoCgo.Error(), also: []error{cgo.ErrNoCgo}}
)

// errnoFamilies maps saved errnos to sentinels, whatever the exception.
var errnoFamilies = map[syscall.Errno]error{
	syscall.ETIMEDOUT: ErrTimeout,
}

// Wrap converts an error of package cgo. kind is the family of a
// failure C reported without an exception; it may be nil.
func Wrap(op string, err error, kind error) error {
	if err == nil {
		return nil
	}
	var ce *cgo.Error
	switch {
	case errors.As(err, &ce):
		e := &Error{Op: op, Exception: ce.Exception, Errno: ce.Errno, Msg: ce.Reason}
		if exceptionFamilies[ce.Exception] == nil {
			e.Kind = kind
		}
		return e
	case errors.Is(err, cgo.ErrClosed):
		return &Error{Op: op, Msg: "use of closed object", Kind: ErrClosed}
	case errors.Is(err, cgo.ErrNoCgo):
		return &Error{Op: op, Msg: err.Error(), Kind: ErrNoCgo}
	}
	return &Error{Op: op, Msg: err.Error(), Kind: kind}
}

// Must panics with the wrapped error. It is for calls whose failure means
// a broken build or C backend (or a build without cgo), not bad input.
func Must[T any](op string, v T, err error) T {
	if err != nil {
		panic(Wrap(op, err, nil))
	}
	return v
}
