package cgo

// ProxyHandshakes counts the C proxy handshakes (SocketProxyExt) not yet
// freed.
var ProxyHandshakes = NewKind("ProxyHandshake")

// SocketProxyType values.
const (
	ProxyNone    = 0
	ProxyHTTP    = 1
	ProxyHTTPS   = 2
	ProxySOCKS4  = 3
	ProxySOCKS4A = 4
	ProxySOCKS5  = 5
	ProxySOCKS5H = 6
)

// SocketProxy_Result values.
const (
	ProxyOK                  = 0
	ProxyInProgress          = 1
	ProxyError               = 2
	ProxyErrorConnect        = 3
	ProxyErrorAuthRequired   = 4
	ProxyErrorAuthFailed     = 5
	ProxyErrorForbidden      = 6
	ProxyErrorHostUnreach    = 7
	ProxyErrorNetworkUnreach = 8
	ProxyErrorRefused        = 9
	ProxyErrorTTLExpired     = 10
	ProxyErrorProtocol       = 11
	ProxyErrorUnsupported    = 12
	ProxyErrorTimeout        = 13
	ProxyErrorCancelled      = 14
)

// SocketProxy_State values.
const (
	ProxyStateIdle          = 0
	ProxyStateConnecting    = 1
	ProxyStateTLSToProxy    = 2
	ProxyStateHandshakeSend = 3
	ProxyStateHandshakeRecv = 4
	ProxyStateAuthSend      = 5
	ProxyStateAuthRecv      = 6
	ProxyStateConnected     = 7
	ProxyStateFailed        = 8
	ProxyStateCancelled     = 9
)

// ProxyMaxHTTPHead is SOCKET_PROXYEXT_MAX_HTTP_HEAD: the largest HTTP
// CONNECT response head the codec accepts.
const ProxyMaxHTTPHead = 16384

// ProxyConfig is the part of SocketProxy_Config a handshake uses. An
// empty Username means no authentication; HasPassword distinguishes an
// empty password from none.
type ProxyConfig struct {
	Type        int // Proxy* type
	Host        string
	Port        int
	Username    string
	Password    string
	HasPassword bool
}

// ProxyStatus is what a handshake reports, read in one crossing.
type ProxyStatus struct {
	Result     int    // Proxy* result
	State      int    // ProxyState*
	HTTPStatus int    // status of the CONNECT reply, 0 if none was parsed
	Err        string // SocketProxyExt_handshake_error, "" unless failed
}

// ProxyMaxNameLen is SOCKET_PROXY_MAX_HOSTNAME_LEN (also the user name
// and password limit of SOCKS5).
const ProxyMaxNameLen = 255

// Default ports of SocketProxy_parse_url (SOCKET_PROXY_DEFAULT_*_PORT).
const (
	proxyDefaultSOCKSPort = 1080
	proxyDefaultHTTPPort  = 8080
	proxyDefaultHTTPSPort = 8080
)

// ProxyScheme maps a proxy URL scheme (lower case) to its proxy type and
// default port, as SocketProxy_parse_url does: http, https, socks4,
// socks4a, socks5, socks5h, and socks (SOCKS5). ok is false for any
// other scheme. This is the Go side's one table; the ports are checked
// against the C macros at compile time.
func ProxyScheme(scheme string) (typ, defaultPort int, ok bool) {
	switch scheme {
	case "http":
		return ProxyHTTP, proxyDefaultHTTPPort, true
	case "https":
		return ProxyHTTPS, proxyDefaultHTTPSPort, true
	case "socks4":
		return ProxySOCKS4, proxyDefaultSOCKSPort, true
	case "socks4a":
		return ProxySOCKS4A, proxyDefaultSOCKSPort, true
	case "socks5", "socks":
		return ProxySOCKS5, proxyDefaultSOCKSPort, true
	case "socks5h":
		return ProxySOCKS5H, proxyDefaultSOCKSPort, true
	}
	return ProxyNone, 0, false
}
