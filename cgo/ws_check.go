package cgo

/*
#include "shim_ws.h"
*/
import "C"

// Each line fails to compile unless the Go constant equals the C value.
var (
	_ = [1]struct{}{}[WSOpContinuation-C.WS_OPCODE_CONTINUATION]
	_ = [1]struct{}{}[WSOpText-C.WS_OPCODE_TEXT]
	_ = [1]struct{}{}[WSOpBinary-C.WS_OPCODE_BINARY]
	_ = [1]struct{}{}[WSOpClose-C.WS_OPCODE_CLOSE]
	_ = [1]struct{}{}[WSOpPing-C.WS_OPCODE_PING]
	_ = [1]struct{}{}[WSOpPong-C.WS_OPCODE_PONG]

	_ = [1]struct{}{}[WSEventPing-C.WSEXT_EV_PING]
	_ = [1]struct{}{}[WSEventPong-C.WSEXT_EV_PONG]
	_ = [1]struct{}{}[WSEventClose-C.WSEXT_EV_CLOSE]
	_ = [1]struct{}{}[WSEventError-C.WSEXT_EV_ERROR]

	_ = [1]struct{}{}[WSOK-C.WS_OK]
	_ = [1]struct{}{}[WSError-C.WS_ERROR]
	_ = [1]struct{}{}[WSErrorHandshake-C.WS_ERROR_HANDSHAKE]
	_ = [1]struct{}{}[WSErrorProtocol-C.WS_ERROR_PROTOCOL]
	_ = [1]struct{}{}[WSErrorFrameTooBig-C.WS_ERROR_FRAME_TOO_LARGE]
	_ = [1]struct{}{}[WSErrorMessageTooBig-C.WS_ERROR_MESSAGE_TOO_LARGE]
	_ = [1]struct{}{}[WSErrorInvalidUTF8-C.WS_ERROR_INVALID_UTF8]
	_ = [1]struct{}{}[WSErrorCompression-C.WS_ERROR_COMPRESSION]
	_ = [1]struct{}{}[WSErrorClosed-C.WS_ERROR_CLOSED]

	_ = [1]struct{}{}[WSSendMessage-C.GO_WS_MESSAGE]
	_ = [1]struct{}{}[WSSendBegin-C.GO_WS_BEGIN]
	_ = [1]struct{}{}[WSSendContinue-C.GO_WS_CONTINUE]
	_ = [1]struct{}{}[WSSendFinish-C.GO_WS_FINISH]
	_ = [1]struct{}{}[WSSendPing-C.GO_WS_PING]
	_ = [1]struct{}{}[WSSendPong-C.GO_WS_PONG]
	_ = [1]struct{}{}[WSSendClose-C.GO_WS_CLOSE]
	_ = [1]struct{}{}[WSSendFlush-C.GO_WS_FLUSH]

	_ = [1]struct{}{}[WSInputCap-C.SOCKETWSEXT_INPUT_CAP]
	_ = [1]struct{}{}[WSMaxHandshake-C.SOCKETWSEXT_MAX_HANDSHAKE]
)
