package cgo

// HTTP2Conns counts live HTTP/2 connections (H2Conn).
var HTTP2Conns = NewKind("HTTP2Conn")

// HTTP/2 engine events (HTTP2_EVENT_* of http/SocketHTTP2.h).
const (
	H2EventStreamStart     = 1
	H2EventHeaders         = 2
	H2EventData            = 3
	H2EventTrailers        = 4
	H2EventStreamEnd       = 5
	H2EventStreamReset     = 6
	H2EventPushPromise     = 7
	H2EventWindowUpdate    = 8
	H2EventSettingsAck     = 20
	H2EventPingAck         = 21
	H2EventGoAwayReceived  = 22
	H2EventConnectionError = 23
)

// H2Stream is a stream handle of an H2Conn: valid from its
// H2EventStreamStart until the next Input or Process after its
// H2EventStreamEnd or H2EventStreamReset.
type H2Stream uintptr

// H2Event is one engine event.
type H2Event struct {
	Type     int
	StreamID uint32
	Stream   H2Stream
}

// H2Config holds the settings of a new connection; 0 keeps the engine's
// default.
type H2Config struct {
	Server               bool
	MaxConcurrentStreams uint32
	InitialWindowSize    uint32
	MaxFrameSize         uint32
	MaxHeaderListSize    uint32
	ConnectionWindowSize uint32
	IdleTimeoutMS        int
}

// H2Field is one header field.
type H2Field struct {
	Name, Value string
}

// HTTP/2 SETTINGS identifiers (RFC 9113 §6.5.2).
const (
	H2SettingHeaderTableSize      = 1
	H2SettingEnablePush           = 2
	H2SettingMaxConcurrentStreams = 3
	H2SettingInitialWindowSize    = 4
	H2SettingMaxFrameSize         = 5
	H2SettingMaxHeaderListSize    = 6
)
