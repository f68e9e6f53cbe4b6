package http1

import (
	"errors"
	"strconv"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
)

// ErrorCode is the parser's error result (SocketHTTP1_Result values from
// HTTP1_ERROR on).
type ErrorCode int

// Parser error codes.
const (
	ErrorMisuse               ErrorCode = 2 // e.g. ReadBody before the head
	ErrorLineTooLong          ErrorCode = 3 // start line, target or chunk line over its limit
	ErrorInvalidMethod        ErrorCode = 4
	ErrorInvalidURI           ErrorCode = 5
	ErrorInvalidVersion       ErrorCode = 6 // also a bare LF in strict mode
	ErrorInvalidStatus        ErrorCode = 7
	ErrorInvalidHeaderName    ErrorCode = 8  // non-token, space before ':', obs-fold (leading space), name over its limit
	ErrorInvalidHeaderValue   ErrorCode = 9  // control char, bare CR/LF
	ErrorHeaderTooLarge       ErrorCode = 10 // value, section or trailers over limit
	ErrorTooManyHeaders       ErrorCode = 11
	ErrorInvalidContentLength ErrorCode = 12 // unparsable, differing or duplicate lengths
	ErrorInvalidChunkSize     ErrorCode = 13 // also a bad chunk extension or chunk CRLF
	ErrorChunkTooLarge        ErrorCode = 14
	ErrorInvalidTrailer       ErrorCode = 15
	ErrorUnexpectedEOF        ErrorCode = 16
	ErrorSmuggling            ErrorCode = 17 // conflicting or ambiguous framing
)

// String is the C library's name for the code (SocketHTTP1_result_string).
func (c ErrorCode) String() string {
	if c >= ErrorMisuse && c <= ErrorSmuggling {
		if s := cgo.HTTP1ResultString(int(c)); s != "" {
			return s
		}
	}
	return "ErrorCode(" + strconv.Itoa(int(c)) + ")"
}

// ParseError reports malformed or over-limit input (or misuse of the
// parser, Code ErrorMisuse). It matches gosocket.ErrHTTP and
// gosocket.ErrInvalidInput.
type ParseError struct {
	Code   ErrorCode
	Offset int64  // offset of the offending byte in the message
	Msg    string // optional detail
}

func (e *ParseError) Error() string {
	s := "http1: " + e.Code.String() + " at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Is matches gosocket.ErrHTTP and what it matches.
func (e *ParseError) Is(target error) bool {
	return target == gosocket.ErrHTTP || errors.Is(gosocket.ErrHTTP, target)
}
