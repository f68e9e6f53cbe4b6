package cgo

// Constants mirrored from the C headers so they exist without cgo too;
// core_check.go fails to compile if they drift from the headers.

// Digest and key sizes (SocketCrypto.h).
const (
	SHA1Size           = 20
	SHA256Size         = 32
	MD5Size            = 16
	WebSocketKeyLen    = 24 // SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE without the NUL
	WebSocketAcceptLen = 28 // SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE without the NUL
)

// SocketUTF8_Result values.
const (
	UTF8Valid      = 0
	UTF8Invalid    = 1
	UTF8Incomplete = 2
	UTF8Overlong   = 3
	UTF8Surrogate  = 4
	UTF8TooLarge   = 5
)

// SocketLogLevel values.
const (
	LogTrace = 0
	LogDebug = 1
	LogInfo  = 2
	LogWarn  = 3
	LogError = 4
	LogFatal = 5
)

// SocketEventType values.
const (
	EventAccepted   = 0
	EventConnected  = 1
	EventDNSTimeout = 2
	EventPollWakeup = 3
)

// MetricCount is SOCKET_METRIC_COUNT, the number of library counters.
const MetricCount = 15

// Version of the C headers the package was compiled against.
const (
	VersionMajor = 0
	VersionMinor = 1
	VersionPatch = 0
)

// Base64EncodedLen is the length of the padded Base64 encoding of n bytes.
// Base64Encode needs one more byte in dst for the C terminator.
func Base64EncodedLen(n int) int { return (n + 2) / 3 * 4 }

// Base64DecodedMaxLen is the buffer size SocketCrypto_base64_decoded_size
// gives for n Base64 characters: ((n + 3) / 4) * 3, an upper bound.
func Base64DecodedMaxLen(n int) int {
	if n%4 != 0 {
		return n/4*3 + 3
	}
	return n / 4 * 3
}

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
