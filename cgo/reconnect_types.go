package cgo

// Reconnects counts the C reconnect contexts not yet freed.
var Reconnects = NewKind("Reconnect")

// ReconnectPolicy mirrors SocketReconnect_Policy_T (milliseconds).
type ReconnectPolicy struct {
	InitialDelayMS   int
	MaxDelayMS       int
	Multiplier       float64
	Jitter           float64
	MaxAttempts      int
	CircuitThreshold int
	CircuitResetMS   int
	HealthIntervalMS int
	HealthTimeoutMS  int
}

// ReconnectStatus is the context's state after a step.
type ReconnectStatus struct {
	State         int // SocketReconnect_State
	Attempts      int
	Failures      int
	NextTimeoutMS int // -1: no timer
}

// Operations of Reconnect.Step (GO_RECONNECT_* in shim_reconnect.h).
const (
	ReconnectQuery      = 0
	ReconnectConnect    = 1
	ReconnectTick       = 2
	ReconnectReportOK   = 3
	ReconnectReportFail = 4
	ReconnectLost       = 5
	ReconnectDisconnect = 6
	ReconnectReset      = 7
)

// SocketReconnect_State values.
const (
	ReconnectDisconnected = 0
	ReconnectConnecting   = 1
	ReconnectConnected    = 2
	ReconnectBackoff      = 3
	ReconnectCircuitOpen  = 4
)
