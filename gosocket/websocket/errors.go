package websocket

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// MessageType is the kind of a WebSocket message or control frame; the
// values are the RFC 6455 opcodes.
type MessageType int

// Message types.
const (
	TextMessage   MessageType = 1
	BinaryMessage MessageType = 2
	CloseMessage  MessageType = 8
	PingMessage   MessageType = 9
	PongMessage   MessageType = 10

	// MessageText and MessageBinary are the names coder/websocket uses.
	MessageText   = TextMessage
	MessageBinary = BinaryMessage
)

func (t MessageType) String() string {
	switch t {
	case TextMessage:
		return "text"
	case BinaryMessage:
		return "binary"
	case CloseMessage:
		return "close"
	case PingMessage:
		return "ping"
	case PongMessage:
		return "pong"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Close codes of RFC 6455 section 7.4.1.
const (
	CloseNormalClosure           = 1000
	CloseGoingAway               = 1001
	CloseProtocolError           = 1002
	CloseUnsupportedData         = 1003
	CloseNoStatusReceived        = 1005
	CloseAbnormalClosure         = 1006
	CloseInvalidFramePayloadData = 1007
	ClosePolicyViolation         = 1008
	CloseMessageTooBig           = 1009
	CloseMandatoryExtension      = 1010
	CloseInternalServerErr       = 1011
	CloseServiceRestart          = 1012
	CloseTryAgainLater           = 1013
	CloseTLSHandshake            = 1015
)

// CloseError ends reading: the peer's CLOSE (its code, 1005 when it sent
// none, and reason), the CLOSE we sent because the peer broke the
// protocol (1002, 1007 invalid UTF-8, 1009 too big; Local is true), or
// 1006 when the connection ended without a CLOSE (Unwrap gives the I/O
// error). errors.Is(err, &CloseError{Code: c}) matches any CloseError
// with code c.
type CloseError struct {
	Code  int
	Text  string
	Local bool // we sent this code because the peer's data was bad
	err   error
}

func (e *CloseError) Error() string {
	s := "websocket: close " + strconv.Itoa(e.Code)
	if name := closeCodeName(e.Code); name != "" {
		s += " (" + name + ")"
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// Unwrap returns the I/O error behind a 1006 close, or nil.
func (e *CloseError) Unwrap() error { return e.err }

// Is reports whether target is a *CloseError with the same code.
func (e *CloseError) Is(target error) bool {
	t, ok := target.(*CloseError)
	return ok && t.Code == e.Code
}

func closeCodeName(code int) string {
	switch code {
	case CloseNormalClosure:
		return "normal"
	case CloseGoingAway:
		return "going away"
	case CloseProtocolError:
		return "protocol error"
	case CloseUnsupportedData:
		return "unsupported data"
	case CloseNoStatusReceived:
		return "no status"
	case CloseAbnormalClosure:
		return "abnormal closure"
	case CloseInvalidFramePayloadData:
		return "invalid payload data"
	case ClosePolicyViolation:
		return "policy violation"
	case CloseMessageTooBig:
		return "message too big"
	case CloseMandatoryExtension:
		return "mandatory extension"
	case CloseInternalServerErr:
		return "internal server error"
	case CloseServiceRestart:
		return "service restart"
	case CloseTryAgainLater:
		return "try again later"
	case CloseTLSHandshake:
		return "TLS handshake"
	}
	return ""
}

// CloseStatus returns the code of the CloseError in err's chain, or -1.
func CloseStatus(err error) int {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// IsCloseError reports whether err is a CloseError with one of codes.
func IsCloseError(err error, codes ...int) bool {
	code := CloseStatus(err)
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// FormatCloseMessage builds the payload of a CLOSE frame, as for
// WriteControl(CloseMessage, ...).
func FormatCloseMessage(code int, text string) []byte {
	if code == CloseNoStatusReceived {
		return []byte{}
	}
	b := make([]byte, 2+len(text))
	b[0], b[1] = byte(code>>8), byte(code)
	copy(b[2:], text)
	return b
}

var (
	// ErrCloseSent is returned by writes after a CLOSE was sent.
	ErrCloseSent = errors.New("websocket: close sent")
	// ErrReadLimit is the cause of the 1009 CloseError sent when a message
	// exceeds SetReadLimit.
	ErrReadLimit = errors.New("websocket: read limit exceeded")
	// ErrBadHandshake is matched by every opening-handshake failure.
	ErrBadHandshake = errors.New("websocket: bad handshake")
	// ErrInvalidUTF8 is returned when a text message to send is not UTF-8.
	ErrInvalidUTF8 = errors.New("websocket: text message is not valid UTF-8")
	// ErrMessageTooBig is returned when a message to send exceeds the
	// connection's message size limit.
	ErrMessageTooBig = errors.New("websocket: message exceeds the size limit")
)

// HandshakeError is an opening-handshake failure; it matches
// ErrBadHandshake. Status is the HTTP status involved (the server's
// response for Dial, the one sent for Upgrade), 0 if none.
type HandshakeError struct {
	Status int
	Reason string
}

func (e *HandshakeError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("websocket: bad handshake: %s (HTTP %d %s)", e.Reason, e.Status, http.StatusText(e.Status))
	}
	return "websocket: bad handshake: " + e.Reason
}

// Is makes errors.Is(err, ErrBadHandshake) true.
func (e *HandshakeError) Is(target error) bool { return target == ErrBadHandshake }
