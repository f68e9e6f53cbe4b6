package cgo

// RateLimiters counts the C rate limiters not yet freed.
var RateLimiters = NewKind("RateLimiter")

// LogSink receives the C library's log messages. It may be called from any
// thread, including threads the C library created, and concurrently.
type LogSink func(level int, component, message string)

// Event is one SocketEventRecord, flattened. Which fields are set depends
// on Type: PeerAddr..LocalPort for EventAccepted and EventConnected, Host
// and Port for EventDNSTimeout, NFDs and TimeoutMS for EventPollWakeup.
type Event struct {
	Type      int
	Component string
	FD        int
	PeerAddr  string
	PeerPort  int
	LocalAddr string
	LocalPort int
	Host      string
	Port      int
	NFDs      int
	TimeoutMS int
}

// EventHandler receives events dispatched by the C library, on the thread
// that emitted them.
type EventHandler func(Event)
