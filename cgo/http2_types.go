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

// H2Event is one engine event. For H2EventStreamReset, ResetHow (an
// H2Reset* value) and ResetCode say how and with which error code the
// stream was reset (SocketHTTP2Ext_Stream_reset_info, read when the
// event fired).
type H2Event struct {
	Type      int
	StreamID  uint32
	Stream    H2Stream
	ResetHow  int
	ResetCode uint32
}

// How a stream was reset (SOCKETHTTP2EXT_RESET_* of
// http/SocketHTTP2Ext.h).
const (
	H2ResetNone     = 0 // not reset
	H2ResetReceived = 1 // the peer sent RST_STREAM
	H2ResetSent     = 2 // we sent RST_STREAM (ResetStream, or a stream error of the peer)
	H2ResetGoAway   = 3 // ours, above the last-stream-id of the peer's GOAWAY: never processed
	H2ResetLocal    = 4 // closed by us without a frame (connection freed, idle stream refused)
)

// H2GoAway is a GOAWAY frame's fields.
type H2GoAway struct {
	LastStreamID uint32
	Code         uint32
	Debug        []byte // the peer's debug data (at most 4 KiB kept)
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
	// SettingsTimeoutMS and PingTimeoutMS bound the wait for the peer's
	// SETTINGS and PING acknowledgements: 0 keeps the engine's 30 s, a
	// negative value means no limit. They fire only from Process (see
	// H2Conn.NextTimeout).
	SettingsTimeoutMS int
	PingTimeoutMS     int
	// KeepaliveMS sends a PING once the peer was silent this long
	// (SocketHTTP2Ext_Conn_set_keepalive); 0 means never.
	KeepaliveMS int
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
