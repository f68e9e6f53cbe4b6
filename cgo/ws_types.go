package cgo

// WSCodecs counts live WebSocket codecs (WSCodec).
var WSCodecs = NewKind("WSCodec")

// WebSocket opcodes (SocketWS_Opcode of socket/SocketWS.h).
const (
	WSOpContinuation = 0
	WSOpText         = 1
	WSOpBinary       = 2
	WSOpClose        = 8
	WSOpPing         = 9
	WSOpPong         = 10
)

// Codec events that end a WSCodec.Read (SocketWSExt_EventType).
const (
	WSEventPing  = 4
	WSEventPong  = 5
	WSEventClose = 6
	WSEventError = 7
)

// SocketWS_Error values.
const (
	WSOK                 = 0
	WSError              = 1
	WSErrorHandshake     = 2
	WSErrorProtocol      = 3
	WSErrorFrameTooBig   = 4
	WSErrorMessageTooBig = 5
	WSErrorInvalidUTF8   = 6
	WSErrorCompression   = 7
	WSErrorClosed        = 8
)

// Operations of WSCodec.Send.
const (
	WSSendMessage  = 0 // arg: opcode
	WSSendBegin    = 1 // arg: opcode
	WSSendContinue = 2
	WSSendFinish   = 3
	WSSendPing     = 4
	WSSendPong     = 5
	WSSendClose    = 6 // arg: close code, data: reason
	WSSendFlush    = 7 // queue nothing, copy output only
)

// WSInputCap is the size of a codec's input buffer
// (SOCKETWSEXT_INPUT_CAP).
const WSInputCap = 256 * 1024

// WSMaxHandshake is the largest handshake head built
// (SOCKETWSEXT_MAX_HANDSHAKE).
const WSMaxHandshake = 8192

// WSDeflate holds negotiated permessage-deflate parameters
// (SocketWSExt_Deflate); the zero value means no compression.
type WSDeflate struct {
	Enabled                 bool
	ServerNoContextTakeover bool
	ClientNoContextTakeover bool
	ServerMaxWindowBits     int
	ClientMaxWindowBits     int
}

// WSConfig holds the settings of a codec or of a handshake helper; zero
// sizes keep the library defaults.
type WSConfig struct {
	Server         bool
	MaxFrameSize   int
	MaxMessageSize int
	MaxFragments   int
	ValidateUTF8   bool
	// Handshake: offer (client) or accept (server) permessage-deflate.
	Deflate                  bool
	DeflateNoContextTakeover bool
	DeflateMaxWindowBits     int
	// Codec: the negotiated parameters.
	Params WSDeflate
}

// WSRead is what one WSCodec.Read saw: it stops after a message end,
// after a control or error event, when dst is full (More) or when the
// codec needs input (NeedInput).
type WSRead struct {
	Start     int  // opcode of a message start seen, 0 if none
	Copied    int  // message bytes copied into dst
	End       bool // message end seen
	More      bool // dst full, message bytes left
	NeedInput bool
	Done      bool // codec finished: peer CLOSE or protocol error
	Event     int  // WSEventPing/Pong/Close/Error, 0 if none
	Data      []byte
	CloseCode int
	Error     int // SocketWS_Error of WSEventError
}

// WSState is the close state of a codec.
type WSState struct {
	CloseSent     bool
	CloseReceived bool
	CloseCode     int // peer's code (1005 if empty), or the code we sent on a protocol error
	CloseReason   string
	Error         int // SocketWS_Error that stopped the codec
}
