package gosocket

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestErrorIs(t *testing.T) {
	tests := []struct {
		name    string
		err     *Error
		is      []error
		isNot   []error
		timeout bool
	}{
		{"crypto", &Error{Op: "SHA256", Exception: "SocketCrypto_Failed"},
			[]error{ErrCrypto}, []error{ErrUTF8, ErrClosed, net.ErrClosed}, false},
		{"security", &Error{Exception: "SocketSecurity_SizeExceeded"},
			[]error{ErrSecurity}, []error{ErrArena}, false},
		{"assert", &Error{Exception: "Assert_Failed"}, []error{ErrAssert}, []error{ErrCrypto}, false},
		{"arena", &Error{Exception: "Arena_Failed"}, []error{ErrArena}, nil, false},
		{"utf8", &Error{Exception: "SocketUTF8_Failed"}, []error{ErrUTF8}, []error{ErrInvalidUTF8}, false},
		{"peer closed", &Error{Op: "Conn.Write", Exception: "Socket_Closed", Errno: syscall.EPIPE},
			[]error{ErrPeerClosed, syscall.EPIPE}, []error{ErrClosed, net.ErrClosed, io.EOF, ErrTimeout}, false},
		{"closed here", &Error{Op: "Conn.Read", Kind: ErrClosed},
			[]error{ErrClosed, net.ErrClosed}, []error{ErrPeerClosed, io.EOF}, false},
		{"socket", &Error{Exception: "SocketUnix_Failed", Errno: syscall.ENOENT},
			[]error{ErrSocket, syscall.ENOENT}, []error{ErrPoll, ErrDNS}, false},
		{"poll", &Error{Exception: "SocketTimer_Failed"}, []error{ErrPoll}, []error{ErrSocket}, false},
		{"dns", &Error{Exception: "SocketDNS_Failed"}, []error{ErrDNS}, []error{ErrSocket}, false},
		{"timeout exception", &Error{Exception: "SocketDTLS_TimeoutExpired"},
			[]error{ErrTimeout, os.ErrDeadlineExceeded}, []error{ErrClosed}, true},
		{"timeout errno", &Error{Exception: "Socket_Failed", Errno: syscall.ETIMEDOUT},
			[]error{ErrTimeout, os.ErrDeadlineExceeded, syscall.ETIMEDOUT}, []error{syscall.EPIPE}, true},
		{"errno", &Error{Exception: "Socket_Failed", Errno: syscall.ECONNREFUSED},
			[]error{syscall.ECONNREFUSED}, []error{ErrTimeout, ErrCrypto}, false},
		{"unknown exception", &Error{Exception: "SomethingNew_Failed"},
			nil, []error{ErrCrypto, ErrClosed, ErrTimeout}, false},
		{"kind", &Error{Op: "Base64Decode", Kind: ErrInvalidInput},
			[]error{ErrInvalidInput}, []error{ErrCrypto}, false},
		{"context kind", &Error{Op: "RateLimiter.Wait", Kind: context.DeadlineExceeded},
			[]error{context.DeadlineExceeded}, []error{context.Canceled}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = tt.err
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true", err, target)
				}
			}
			if got := tt.err.Timeout(); got != tt.timeout {
				t.Errorf("Timeout() = %v, want %v", got, tt.timeout)
			}
		})
	}
}

func TestErrorStringAndUnwrap(t *testing.T) {
	e := &Error{Op: "Dial", Exception: "Socket_Failed", Errno: syscall.ECONNREFUSED, Msg: "connect failed: Connection refused"}
	if got, want := e.Error(), "gosocket: Dial: connect failed: Connection refused (Socket_Failed)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if e.Unwrap() != syscall.ECONNREFUSED {
		t.Errorf("Unwrap() = %v", e.Unwrap())
	}
	if got := (&Error{Op: "HexDecode", Msg: "malformed hex"}).Error(); got != "gosocket: HexDecode: malformed hex" {
		t.Errorf("Error() without exception = %q", got)
	}
	if (&Error{}).Unwrap() != nil {
		t.Error("Unwrap() without errno is not nil")
	}
}

func TestSentinels(t *testing.T) {
	if !errors.Is(ErrClosed, net.ErrClosed) || !errors.Is(ErrTimeout, os.ErrDeadlineExceeded) {
		t.Error("sentinels do not match their standard counterparts")
	}
	if errors.Is(ErrCrypto, ErrClosed) {
		t.Error("distinct sentinels match each other")
	}
}

func TestErrorTemporary(t *testing.T) {
	for _, tt := range []struct {
		err  *Error
		want bool
	}{
		{&Error{Op: "Conn.Read", Kind: ErrTimeout}, true},
		{&Error{Op: "Listener.Accept", Exception: "Socket_Failed", Errno: syscall.EMFILE}, true},
		{&Error{Op: "Dial", Exception: "Socket_Failed", Errno: syscall.ECONNREFUSED}, false},
		{&Error{Op: "Conn.Read", Kind: ErrClosed}, false},
	} {
		if got := tt.err.Temporary(); got != tt.want {
			t.Errorf("%v: Temporary() = %v, want %v", tt.err, got, tt.want)
		}
	}
}
