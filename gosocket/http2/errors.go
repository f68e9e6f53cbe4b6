package http2

import (
	"errors"
	"fmt"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// ErrEngine matches failures of the C HTTP/2 engine itself (a
// connection that cannot be created); it is gosocket's ErrHTTP2 family.
var ErrEngine = errs.ErrHTTP2

// An ErrCode is an HTTP/2 error code (RFC 9113 §7).
type ErrCode uint32

// The error codes of RFC 9113 §7.
const (
	ErrCodeNo                 ErrCode = 0x0
	ErrCodeProtocol           ErrCode = 0x1
	ErrCodeInternal           ErrCode = 0x2
	ErrCodeFlowControl        ErrCode = 0x3
	ErrCodeSettingsTimeout    ErrCode = 0x4
	ErrCodeStreamClosed       ErrCode = 0x5
	ErrCodeFrameSize          ErrCode = 0x6
	ErrCodeRefusedStream      ErrCode = 0x7
	ErrCodeCancel             ErrCode = 0x8
	ErrCodeCompression        ErrCode = 0x9
	ErrCodeConnect            ErrCode = 0xa
	ErrCodeEnhanceYourCalm    ErrCode = 0xb
	ErrCodeInadequateSecurity ErrCode = 0xc
	ErrCodeHTTP11Required     ErrCode = 0xd
)

var codeNames = [...]string{
	"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
	"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
	"CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
	"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
}

// String returns the RFC name of the code ("PROTOCOL_ERROR"), or
// "unknown error code 0x.." for codes outside the RFC.
func (e ErrCode) String() string {
	if int(e) < len(codeNames) {
		return codeNames[e]
	}
	return fmt.Sprintf("unknown error code 0x%x", uint32(e))
}

// ConnectionError is a connection-level error: the server ended the
// connection with a GOAWAY carrying this code (ServeConn's result after
// a protocol violation by the client).
type ConnectionError ErrCode

// Error returns "http2: connection error: " and the code.
func (e ConnectionError) Error() string {
	return fmt.Sprintf("http2: connection error: %v", ErrCode(e))
}

// StreamError is a stream-level error: the stream was reset with an
// RST_STREAM carrying Code, by the client or by the server. Handlers see
// it from Request.Body reads and ResponseWriter writes.
type StreamError struct {
	StreamID uint32
	Code     ErrCode
	Cause    error // optional additional detail
}

// Error returns the stream id, the code and the cause.
func (e StreamError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("http2: stream error: stream ID %d; %v; %v", e.StreamID, e.Code, e.Cause)
	}
	return fmt.Sprintf("http2: stream error: stream ID %d; %v", e.StreamID, e.Code)
}

// Unwrap returns the cause.
func (e StreamError) Unwrap() error { return e.Cause }

// GoAwayError reports that the peer sent GOAWAY: no stream above
// LastStreamID was or will be processed. ServeConn returns it when the
// client ended the connection with a GOAWAY carrying an error code.
type GoAwayError struct {
	LastStreamID uint32
	ErrCode      ErrCode
	DebugData    string
}

// Error returns the GOAWAY's fields.
func (e GoAwayError) Error() string {
	return fmt.Sprintf("http2: server sent GOAWAY and closed the connection; LastStreamID=%v, ErrCode=%v, debug=%q",
		e.LastStreamID, e.ErrCode, e.DebugData)
}

// errStreamReset is the cause of the StreamError seen by a handler whose
// stream was reset (by the peer, the engine or the server).
var errStreamReset = errors.New("stream reset")

// errClientDisconnected is reported by request bodies and response
// writes once the connection is gone.
var errClientDisconnected = errors.New("http2: client disconnected")

// init checks that the Go names agree with the engine's
// SocketHTTP2_error_string.
func init() {
	if !cgoEnabled {
		return
	}
	for i, n := range codeNames {
		if s := cgo.H2ErrorString(i); s != n {
			panic("http2: error code " + n + " is " + s + " in the engine")
		}
	}
}
