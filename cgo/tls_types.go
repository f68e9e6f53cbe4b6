package cgo

import "unsafe"

// TLS and DTLS handles and plain-Go descriptions of their configuration
// and state (see tls.go).
type (
	// TLSContext is a SocketTLSContext_T.
	TLSContext struct{ p unsafe.Pointer }
	// DTLSContext is a SocketDTLSContext_T.
	DTLSContext struct{ p unsafe.Pointer }
)

// IsZero reports whether c is no context.
func (c TLSContext) IsZero() bool { return c.p == nil }

// IsZero reports whether c is no context.
func (c DTLSContext) IsZero() bool { return c.p == nil }

// TLSConfig is everything a TLS or DTLS context is built from. Zero
// values keep the library defaults.
type TLSConfig struct {
	Server           bool
	CertFile         string // PEM chain, leaf first
	KeyFile          string
	CAFile           string // CA file or hashed directory; "" = system store (clients) unless CAPEM
	CertPEM, KeyPEM  []byte // PEM chain (leaf first) and key in memory
	CAPEM            []byte // PEM trust anchors in memory
	SNIPEM           []SNIPEM
	Ciphers          string
	ALPN             []string
	VerifyMode       int // -1: default; else TLS_VERIFY_* bits
	MinVersion       int // 0: default; 0x0303 or 0x0304 (TLS)
	MaxVersion       int
	SessionCache     bool
	CacheSize        int
	CacheTimeoutSec  int
	TicketKey        []byte // TLS server, SOCKET_TLS_TICKET_KEY_LEN bytes
	Pins             [][32]byte
	PinEnforce       int       // -1: default (enforce), 0 or 1
	SNI              []SNICert // TLS server: certificates per host name
	CRLPath          string    // TLS: CRL file or directory ("" = none)
	OCSPResponse     []byte    // TLS server: DER response to staple
	VerifyHandle     uintptr   // TLS: NewTLSVerifyHandle, 0 for none
	ALPNHandle       uintptr   // TLS server: NewTLSALPNHandle, 0 for none
	CookieExchange   bool
	CookieSecret     []byte
	MTU              int
	TimeoutInitialMS int
	TimeoutMaxMS     int
}

// TLSState is the negotiated state of a TLS or DTLS connection.
type TLSState struct {
	Complete     bool
	Version      uint16 // 0x0303 TLS 1.2, 0x0304 TLS 1.3, 0xfefd DTLS 1.2
	VersionName  string // "TLSv1.3"
	CipherID     uint16 // IANA number, 0 if unknown
	Cipher       string // OpenSSL name
	ALPN         string
	Resumed      bool
	VerifyResult int // X509_V_OK (0) or X509_V_ERR_*
	// OCSPStatus is SocketTLS_get_ocsp_status on a client: 1 good,
	// 0 revoked, -1 none stapled (always on servers and DTLS), -2 unusable.
	OCSPStatus int
	ServerName string // server: the SNI name the client sent
}

// SNICert is a certificate a TLS server presents for one host name
// ("*.example.com" for a wildcard).
type SNICert struct {
	Host, CertFile, KeyFile string
}

// SNIPEM is an SNICert in memory.
type SNIPEM struct {
	Host            string
	CertPEM, KeyPEM []byte
}

// Kinds of the TLS handles (see Owner).
var (
	TLSContexts  = NewKind("TLSContext")
	DTLSContexts = NewKind("DTLSContext")
)

// Handshake states of TLS (TLSHandshakeState) and DTLS
// (DTLSHandshakeState).
const (
	TLSWantRead     = 2
	TLSWantWrite    = 3
	TLSComplete     = 4
	DTLSInProgress  = 1
	DTLSWantRead    = 2
	DTLSWantWrite   = 3
	DTLSCookie      = 4
	DTLSComplete    = 5
	TLSTicketKeyLen = 80
)
