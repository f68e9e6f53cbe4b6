package gosocket

import "github.com/libsocket/libsocket/gosocket/internal/errs"

// Error is the error type of the package and its subpackages: a C
// exception caught at the boundary, or an argument or input rejected by
// Go code.
//
// Use errors.Is with the Err* sentinels to test the kind of failure, and
// with a syscall.Errno (through Unwrap) to test the saved errno. Error()
// reads "gosocket: <Op>: <Msg> (<Exception>)"; Op names the package for
// the subpackages ("http1.Parser.Parse").
//
//	type Error struct {
//		Op        string        // operation, e.g. "NewRateLimiter"
//		Exception string        // C exception, e.g. "SocketRateLimit_Failed"; "" if none was raised
//		Errno     syscall.Errno // errno saved with the failure, 0 if none
//		Msg       string        // description, from the C library where it has one
//		Kind      error         // family of a failure that is not a C exception
//	}
type Error = errs.Error

// Sentinels, one per family of C exceptions, plus the input errors of the
// codecs. Test with errors.Is(err, gosocket.ErrCrypto).
var (
	ErrAssert    = errs.ErrAssert
	ErrArena     = errs.ErrArena
	ErrCrypto    = errs.ErrCrypto
	ErrUTF8      = errs.ErrUTF8
	ErrRateLimit = errs.ErrRateLimit
	// ErrIPTracker and ErrSYNProtect: SocketIPTracker_Failed and
	// SocketSYNProtect_Failed (bad configuration, allocation failure, an IP
	// string holding a NUL byte).
	ErrIPTracker  = errs.ErrIPTracker
	ErrSYNProtect = errs.ErrSYNProtect
	ErrSecurity   = errs.ErrSecurity
	ErrCallback   = errs.ErrCallback

	// ErrClosed is returned for use of an object this program closed
	// (including an operation interrupted by Close); it matches
	// net.ErrClosed.
	ErrClosed = errs.ErrClosed
	// ErrTimeout matches os.ErrDeadlineExceeded; errors carrying the errno
	// ETIMEDOUT match it too.
	ErrTimeout = errs.ErrTimeout

	// ErrSocket is the family of socket failures (Socket_Failed,
	// SocketUnix_Failed, SocketDgram_Failed, SocketCommon_Failed,
	// SocketBuf_Failed, SocketAsync_Failed); the errno says more.
	ErrSocket = errs.ErrSocket
	// ErrPeerClosed is the exception Socket_Closed: the peer closed or
	// reset the connection (a write gets it with errno EPIPE or
	// ECONNRESET). Read reports an orderly end of stream as io.EOF
	// instead. It does not match net.ErrClosed, which means this side
	// closed.
	ErrPeerClosed = errs.ErrPeerClosed
	// ErrPoll is the family of event loop and timer failures
	// (SocketPoll_Failed, SocketTimer_Failed).
	ErrPoll = errs.ErrPoll
	// ErrDNS is the family of resolver failures (SocketDNS_Failed),
	// including names that do not resolve.
	ErrDNS = errs.ErrDNS

	// ErrHTTP is the family of HTTP syntax errors (SocketHTTP_ParseError,
	// SocketHTTP1_ParseError, SocketHTTP_InvalidURI,
	// SocketHTTP_InvalidHeader); it matches ErrInvalidInput.
	ErrHTTP = errs.ErrHTTP
	// ErrHPACK is SocketHPACK_Error: a malformed or over-limit header
	// block; it matches ErrInvalidInput.
	ErrHPACK = errs.ErrHPACK

	// ErrTLS is the family of TLS and DTLS failures outside the handshake
	// (SocketTLS_Failed, SocketTLS_ProtocolError, SocketTLS_ShutdownFailed,
	// SocketDTLS_Failed, SocketDTLS_ShutdownFailed).
	ErrTLS = errs.ErrTLS
	// ErrTLSHandshake is SocketTLS_HandshakeFailed or
	// SocketDTLS_HandshakeFailed; it matches ErrTLS.
	ErrTLSHandshake = errs.ErrTLSHandshake
	// ErrTLSVerify is a rejected peer certificate (SocketTLS_VerifyFailed,
	// SocketDTLS_VerifyFailed); it matches ErrTLS.
	ErrTLSVerify = errs.ErrTLSVerify
	// ErrTLSPin is SocketTLS_PinVerifyFailed: the peer's key matched no
	// configured pin. It matches ErrTLSVerify and ErrTLS.
	ErrTLSPin = errs.ErrTLSPin
	// ErrDTLSCookie is SocketDTLS_CookieFailed; it matches ErrTLS.
	ErrDTLSCookie = errs.ErrDTLSCookie

	// ErrInvalidInput is returned by decoders for malformed input.
	ErrInvalidInput = errs.ErrInvalidInput
	// ErrInvalidUTF8 is returned for malformed or truncated UTF-8.
	ErrInvalidUTF8 = errs.ErrInvalidUTF8
	// ErrNoCgo is returned when the package was built without cgo.
	ErrNoCgo = errs.ErrNoCgo
)

// Proxy errors (see ProxyDialer.DialContext). Every one of them matches
// ErrProxy; the C library's detail (the SOCKS reply code, the HTTP
// status) is in the message.
var (
	// ErrProxy is the family of failures of a dial through a proxy that
	// the proxy reported or caused (an unusable proxy URL included);
	// alone, it is the proxy's general failure (SOCKS5 reply 1, an HTTP
	// error status without a more precise kind).
	ErrProxy error = &proxyKind{msg: "gosocket: proxy failure"}
	// ErrProxyAuth: the proxy wants credentials or refused the given ones
	// (SOCKS5 method or RFC 1929 failure, SOCKS4 identd failures, HTTP
	// 407).
	ErrProxyAuth error = &proxyKind{msg: "gosocket: proxy authentication failed"}
	// ErrProxyForbidden: the proxy's rules do not allow the target (SOCKS5
	// reply 2, SOCKS4 reply 91 "rejected or failed", HTTP 403).
	ErrProxyForbidden error = &proxyKind{msg: "gosocket: connection forbidden by proxy"}
	// ErrProxyRefused: the target refused the proxy's connection (SOCKS5
	// reply 5).
	ErrProxyRefused error = &proxyKind{msg: "gosocket: target refused the proxy's connection"}
	// ErrProxyUnreachable: the proxy could not reach the target (SOCKS5
	// replies 3, 4 and 6; HTTP 404, 502 and 504).
	ErrProxyUnreachable error = &proxyKind{msg: "gosocket: target unreachable through proxy"}
	// ErrProxyUnsupported: the proxy does not support the request
	// (SOCKS5 replies 7 and 8), or the request cannot be expressed for
	// this proxy type and is refused before the proxy is contacted (a
	// SOCKS4 target that is not an IPv4 literal, a user name or password
	// over 255 bytes, a network other than TCP).
	ErrProxyUnsupported error = &proxyKind{msg: "gosocket: request not supported by proxy"}
	// ErrProxyProtocol: the proxy's reply is malformed or unexpected, or
	// it closed the connection before completing it.
	ErrProxyProtocol error = &proxyKind{msg: "gosocket: proxy protocol error"}
)

// proxyKind is the type of the proxy sentinels: each matches ErrProxy.
type proxyKind struct{ msg string }

func (k *proxyKind) Error() string        { return k.msg }
func (k *proxyKind) Is(target error) bool { return target == ErrProxy }

// wrapErr converts an error of package cgo (see errs.Wrap).
func wrapErr(op string, err error, kind error) error { return errs.Wrap(op, err, kind) }

// must panics with the wrapped error. It is for calls whose failure means
// a broken build or C backend (or a build without cgo), not bad input.
func must[T any](op string, v T, err error) T { return errs.Must(op, v, err) }
