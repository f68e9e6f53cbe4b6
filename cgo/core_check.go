package cgo

/*
#include "shim_core.h"
*/
import "C"

// Each line fails to compile unless the Go constant equals the C value
// (a constant index must be 0 to be in range of a one-element array).
var (
	_ = [1]struct{}{}[SHA1Size-C.SOCKET_CRYPTO_SHA1_SIZE]
	_ = [1]struct{}{}[SHA256Size-C.SOCKET_CRYPTO_SHA256_SIZE]
	_ = [1]struct{}{}[MD5Size-C.SOCKET_CRYPTO_MD5_SIZE]
	_ = [1]struct{}{}[WebSocketKeyLen+1-C.SOCKET_CRYPTO_WEBSOCKET_KEY_SIZE]
	_ = [1]struct{}{}[WebSocketAcceptLen+1-C.SOCKET_CRYPTO_WEBSOCKET_ACCEPT_SIZE]

	_ = [1]struct{}{}[UTF8Valid-C.UTF8_VALID]
	_ = [1]struct{}{}[UTF8Invalid-C.UTF8_INVALID]
	_ = [1]struct{}{}[UTF8Incomplete-C.UTF8_INCOMPLETE]
	_ = [1]struct{}{}[UTF8Overlong-C.UTF8_OVERLONG]
	_ = [1]struct{}{}[UTF8Surrogate-C.UTF8_SURROGATE]
	_ = [1]struct{}{}[UTF8TooLarge-C.UTF8_TOO_LARGE]

	_ = [1]struct{}{}[LogTrace-C.SOCKET_LOG_TRACE]
	_ = [1]struct{}{}[LogDebug-C.SOCKET_LOG_DEBUG]
	_ = [1]struct{}{}[LogInfo-C.SOCKET_LOG_INFO]
	_ = [1]struct{}{}[LogWarn-C.SOCKET_LOG_WARN]
	_ = [1]struct{}{}[LogError-C.SOCKET_LOG_ERROR]
	_ = [1]struct{}{}[LogFatal-C.SOCKET_LOG_FATAL]

	_ = [1]struct{}{}[EventAccepted-C.SOCKET_EVENT_ACCEPTED]
	_ = [1]struct{}{}[EventConnected-C.SOCKET_EVENT_CONNECTED]
	_ = [1]struct{}{}[EventDNSTimeout-C.SOCKET_EVENT_DNS_TIMEOUT]
	_ = [1]struct{}{}[EventPollWakeup-C.SOCKET_EVENT_POLL_WAKEUP]

	_ = [1]struct{}{}[MetricCount-C.SOCKET_METRIC_COUNT]

	_ = [1]struct{}{}[VersionMajor-C.SOCKET_VERSION_MAJOR]
	_ = [1]struct{}{}[VersionMinor-C.SOCKET_VERSION_MINOR]
	_ = [1]struct{}{}[VersionPatch-C.SOCKET_VERSION_PATCH]
)
