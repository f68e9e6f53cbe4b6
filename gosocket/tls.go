package gosocket

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TLS and DTLS contexts: the shared configuration (certificates, trust,
// ALPN, sessions) of many connections, built once from a TLSConfig or
// DTLSConfig, as crypto/tls builds connections from a tls.Config. The
// defaults are the C library's: TLS 1.3 only, clients verify the server
// against the system trust store, servers do not ask for client
// certificates, no session resumption until enabled.

// TLSConfig configures a TLSContext. Field names follow crypto/tls.Config
// where they mean the same; the zero value is a client trusting the
// system store.
type TLSConfig struct {
	// Server makes a server context (a client context otherwise). A
	// server needs a certificate (Certificates or CertFile).
	Server bool

	// Certificates are the certificate chains presented to the peer,
	// converted to PEM for OpenSSL (Certificate DER as sent, PrivateKey
	// as PKCS#8). Certificates[0] is the default; on a server each further
	// one is presented to clients whose SNI matches a DNS name of its
	// leaf (exact, or "*.example.com" for one label). Leaf is parsed when
	// nil.
	Certificates []tls.Certificate
	// CertFile and KeyFile are a PEM chain (leaf first) and its key: the
	// default certificate when Certificates is empty.
	CertFile, KeyFile string
	// SNICertFiles are further server certificates by host name, from
	// files (see Certificates for the in-memory way).
	SNICertFiles []SNICertFile

	// RootCAsPEM and CAFile (a PEM file or a hashed directory) are the
	// trust anchors: of a client for the server's chain (replacing the
	// system store), of a server for client certificates. Both may be
	// given. There is no *x509.CertPool field: OpenSSL verifies, and a
	// CertPool's certificates cannot be listed.
	RootCAsPEM []byte
	CAFile     string

	// InsecureSkipVerify makes a client accept any server certificate
	// and name. For tests only.
	InsecureSkipVerify bool
	// ClientAuth is a server's policy for client certificates:
	// tls.NoClientCert (default), tls.VerifyClientCertIfGiven or
	// tls.RequireAndVerifyClientCert. OpenSSL cannot ask for a
	// certificate without verifying it, so tls.RequestClientCert and
	// tls.RequireAnyClientCert are refused.
	ClientAuth tls.ClientAuthType

	// ServerName is the name a client sends (SNI) and checks the server
	// certificate against. Empty: DialTLS uses the host of its address.
	ServerName string
	// NextProtos are the ALPN protocols (RFC 7301), most preferred first.
	// A server picks its first protocol the client offered; with none in
	// common the handshake continues without ALPN. Advertise "h2" only
	// from a server that speaks HTTP/2: an HTTP/1.1 server (net/http over
	// a TLSListener) that agrees on "h2" breaks Go clients ("frame header
	// looked like an HTTP/1.1 header").
	NextProtos []string
	// SelectALPN lets a server choose the protocol itself: it gets the
	// client's offer and returns one of them, or "" to continue without
	// ALPN. It may run concurrently; a panic counts as "".
	SelectALPN func(offered []string) string

	// MinVersion and MaxVersion bound the TLS version: tls.VersionTLS12
	// or tls.VersionTLS13 (the default for both).
	MinVersion, MaxVersion uint16
	// CipherSuites is a cipher preference string: entries all starting
	// with "TLS_" set the TLS 1.3 suites, anything else is an OpenSSL
	// cipher string for TLS 1.2.
	CipherSuites string

	// SessionCache turns on resumption: a server keeps up to
	// SessionCacheSize sessions (0: library default) for SessionTimeout
	// (0: default); a client offers the latest session per server.
	SessionCache     bool
	SessionCacheSize int
	SessionTimeout   time.Duration
	// SessionTicketKey (80 bytes: 16 name, 32 HMAC, 32 AES) makes a
	// server issue stateless session tickets.
	SessionTicketKey []byte

	// Pins are SHA-256 digests of SubjectPublicKeyInfos (see SPKIPin):
	// the handshake fails with ErrTLSPin unless a certificate of the
	// peer's chain matches one. PinsReportOnly only logs a mismatch.
	Pins           [][32]byte
	PinsReportOnly bool

	// CRLFile loads the CRLs of a PEM file (or a directory) and checks
	// the peer's whole chain for revocation (see TLSContext.RefreshCRL).
	CRLFile string
	// OCSPResponse is a DER OCSPResponse a server staples; empty: the
	// OCSPStaple of Certificates[0], if any. Clients read the verdict from
	// TLSState.OCSPStatus.
	OCSPResponse []byte

	// VerifyPeerCertificate, as in crypto/tls, is called during the
	// handshake after OpenSSL accepted the chain (and a client the name),
	// with the certificates the peer sent (DER, leaf first) and the chain
	// OpenSSL verified. An error rejects the peer: the handshake fails
	// with an error matching ErrTLSVerify and this error. It is not called
	// when verification is off; it may run concurrently.
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
}

// SNICertFile is a server certificate for one host name ("*.example.com"
// for one label of wildcard), from PEM files.
type SNICertFile struct {
	Host, CertFile, KeyFile string
}

// DTLSConfig configures a DTLSContext (DTLS 1.2); fields as in TLSConfig.
type DTLSConfig struct {
	Server             bool
	Certificates       []tls.Certificate // Certificates[0] only
	CertFile, KeyFile  string
	RootCAsPEM         []byte
	CAFile             string
	InsecureSkipVerify bool
	// ClientAuth: as in TLSConfig, except that a server given CAs
	// (RootCAsPEM or CAFile) and no ClientAuth requires client
	// certificates.
	ClientAuth   tls.ClientAuthType
	ServerName   string
	NextProtos   []string
	CipherSuites string // OpenSSL cipher string

	SessionCache     bool
	SessionCacheSize int
	SessionTimeout   time.Duration

	// DisableCookieExchange turns off a server's stateless cookie
	// exchange (on by default: a ClientHello from an unproven address
	// only gets a HelloVerifyRequest).
	DisableCookieExchange bool
	// CookieSecret (32 bytes) is shared by a server farm; random if nil.
	CookieSecret []byte
	// MTU is the path MTU (576..9000; 0: 1400).
	MTU int
	// RetransmitTimeout is the first retransmission timeout (0: 1 s),
	// doubled after each retransmission up to MaxRetransmitTimeout.
	RetransmitTimeout, MaxRetransmitTimeout time.Duration
}

// VerifyMode bits of the C API (TLSVerifyMode).
const (
	verifyNone        = 0
	verifyPeer        = 1
	verifyRequireCert = 2
)

// verifyModeOf maps crypto/tls's client authentication policy (servers)
// and InsecureSkipVerify (clients) to the C verify mode; -1 keeps the
// default.
func verifyModeOf(server bool, auth tls.ClientAuthType, insecure bool) (int, error) {
	if !server {
		if auth != tls.NoClientCert {
			return 0, errors.New("ClientAuth is a server setting")
		}
		if insecure {
			return verifyNone, nil
		}
		return -1, nil
	}
	if insecure {
		return 0, errors.New("InsecureSkipVerify is a client setting")
	}
	switch auth {
	case tls.NoClientCert:
		return -1, nil
	case tls.VerifyClientCertIfGiven:
		return verifyPeer, nil
	case tls.RequireAndVerifyClientCert:
		return verifyPeer | verifyRequireCert, nil
	}
	return 0, errors.New("ClientAuth " + auth.String() + " is not supported (OpenSSL verifies what it requests)")
}

// certPEM converts a tls.Certificate to a PEM chain and a PKCS#8 key.
func certPEM(c *tls.Certificate) (chain, key []byte, err error) {
	if len(c.Certificate) == 0 || c.PrivateKey == nil {
		return nil, nil, errors.New("tls.Certificate without certificate or private key")
	}
	for _, der := range c.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	k, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	return chain, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}), nil
}

// checkFiles returns an error matching fs.ErrNotExist (and ErrTLS) for
// the first named file that cannot be found, before OpenSSL would report
// it with its error queue.
func checkFiles(op string, paths ...string) error {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return &fileError{err: &Error{Op: op, Msg: err.Error(), Kind: ErrTLS}, cause: err}
		}
	}
	return nil
}

// fileError is a missing or unreadable file: it matches ErrTLS and the
// *fs.PathError (so fs.ErrNotExist for a missing one).
type fileError struct {
	err   error
	cause error
}

func (e *fileError) Error() string   { return e.err.Error() }
func (e *fileError) Unwrap() []error { return []error{e.err, e.cause} }

func checkALPN(protos []string) error {
	for _, p := range protos {
		if p == "" || len(p) > 255 || strings.IndexByte(p, 0) >= 0 {
			return errors.New("invalid ALPN protocol " + strconv.Quote(p))
		}
	}
	return nil
}

// tlsCConfig converts cfg; op names the constructor in errors.
func tlsCConfig(op string, cfg *TLSConfig) (cgo.TLSConfig, error) {
	c := cgo.TLSConfig{Server: cfg.Server, PinEnforce: -1}
	var err error
	if c.VerifyMode, err = verifyModeOf(cfg.Server, cfg.ClientAuth, cfg.InsecureSkipVerify); err != nil {
		return c, err
	}
	if err := checkALPN(cfg.NextProtos); err != nil {
		return c, err
	}
	if cfg.SelectALPN != nil && !cfg.Server {
		return c, errors.New("SelectALPN needs a server context")
	}
	if len(cfg.SessionTicketKey) > 0 && len(cfg.SessionTicketKey) != cgo.TLSTicketKeyLen {
		return c, errors.New("session ticket key must be 80 bytes")
	}
	if cfg.Server && len(cfg.Certificates) == 0 && cfg.CertFile == "" {
		return c, errors.New("a server needs a certificate (Certificates or CertFile)")
	}
	c.CertFile, c.KeyFile, c.CAFile = cfg.CertFile, cfg.KeyFile, cfg.CAFile
	c.CAPEM = cfg.RootCAsPEM
	for i := range cfg.Certificates {
		chain, key, err := certPEM(&cfg.Certificates[i])
		if err != nil {
			return c, err
		}
		if i == 0 {
			c.CertFile, c.KeyFile = "", ""
			c.CertPEM, c.KeyPEM = chain, key
			continue
		}
		if !cfg.Server {
			return c, errors.New("a client uses Certificates[0] only")
		}
		leaf := cfg.Certificates[i].Leaf
		if leaf == nil {
			if leaf, err = x509.ParseCertificate(cfg.Certificates[i].Certificate[0]); err != nil {
				return c, err
			}
		}
		if len(leaf.DNSNames) == 0 {
			return c, errors.New("Certificates[" + strconv.Itoa(i) + "] has no DNS name to select it by")
		}
		for _, h := range leaf.DNSNames {
			c.SNIPEM = append(c.SNIPEM, cgo.SNIPEM{Host: h, CertPEM: chain, KeyPEM: key})
		}
	}
	files := []string{c.CertFile, c.KeyFile, c.CAFile, cfg.CRLFile}
	for _, s := range cfg.SNICertFiles {
		if s.Host == "" {
			return c, errors.New("SNI host name is empty")
		}
		c.SNI = append(c.SNI, cgo.SNICert{Host: s.Host, CertFile: s.CertFile, KeyFile: s.KeyFile})
		files = append(files, s.CertFile, s.KeyFile)
	}
	if err := checkFiles(op, files...); err != nil {
		return c, err
	}
	c.Ciphers = cfg.CipherSuites
	c.ALPN = cfg.NextProtos
	c.MinVersion, c.MaxVersion = int(cfg.MinVersion), int(cfg.MaxVersion)
	c.SessionCache = cfg.SessionCache
	c.CacheSize = cfg.SessionCacheSize
	c.CacheTimeoutSec = int(cfg.SessionTimeout / time.Second)
	c.TicketKey = cfg.SessionTicketKey
	c.Pins = cfg.Pins
	if cfg.PinsReportOnly {
		c.PinEnforce = 0
	}
	c.CRLPath = cfg.CRLFile
	c.OCSPResponse = cfg.OCSPResponse
	if len(c.OCSPResponse) == 0 && len(cfg.Certificates) > 0 {
		c.OCSPResponse = cfg.Certificates[0].OCSPStaple
	}
	return c, nil
}

// TLSContext is a TLS configuration shared by connections (a
// SocketTLSContext_T). Build it once, use it for any number of
// connections from any goroutine, Close it when no new connection needs
// it: connections keep their own reference.
type TLSContext struct {
	own        cgo.Owner[cgo.TLSContext]
	server     bool
	verify     bool // peers are verified
	serverName string
	// verifier is the VerifyPeerCertificate function, or nil. Its
	// cgo.Handle lives as long as this Go object, not just until Close:
	// connections hold the C context (and reach the handle) after Close,
	// and each TLSConn keeps this object reachable.
	verifier *peerVerifier
}

// peerVerifier runs a VerifyPeerCertificate function for the C
// trampoline and keeps its errors until the failed handshake reports them.
type peerVerifier struct {
	fn     func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	errs   sync.Map // socket ID -> the error that rejected its peer
	handle uintptr
}

func (v *peerVerifier) verify(sock uintptr, raw, verified [][]byte) error {
	chain, err := parseChain(verified)
	if err != nil {
		v.errs.Store(sock, err)
		return err
	}
	var chains [][]*x509.Certificate
	if len(chain) > 0 {
		chains = [][]*x509.Certificate{chain}
	}
	err = v.fn(raw, chains)
	if err != nil {
		v.errs.Store(sock, err)
	}
	return err
}

func parseChain(ders [][]byte) ([]*x509.Certificate, error) {
	chain := make([]*x509.Certificate, 0, len(ders))
	for _, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
	}
	return chain, nil
}

// take returns (and forgets) the error fn gave for sock's handshake.
func (v *peerVerifier) take(sock uintptr) error {
	if v == nil {
		return nil
	}
	if err, ok := v.errs.LoadAndDelete(sock); ok {
		return err.(error)
	}
	return nil
}

// NewTLSContext builds a TLS context from cfg (nil: a client trusting
// the system store). A missing certificate, key, CA or CRL file is an
// error matching fs.ErrNotExist.
func NewTLSContext(cfg *TLSConfig) (*TLSContext, error) {
	const op = "NewTLSContext"
	if cfg == nil {
		cfg = &TLSConfig{}
	}
	cc, err := tlsCConfig(op, cfg)
	if err != nil {
		if _, ok := err.(*fileError); ok {
			return nil, err
		}
		return nil, &Error{Op: op, Msg: err.Error(), Kind: ErrTLS}
	}
	// Handles of Go functions the C context calls; they live as long as
	// the returned TLSContext (see its verifier field).
	var v *peerVerifier
	var handles []uintptr
	if cfg.VerifyPeerCertificate != nil {
		v = &peerVerifier{fn: cfg.VerifyPeerCertificate}
		v.handle = cgo.NewTLSVerifyHandle(v.verify)
		cc.VerifyHandle = v.handle
		handles = append(handles, v.handle)
	}
	if fn := cfg.SelectALPN; fn != nil {
		cc.ALPNHandle = cgo.NewTLSALPNHandle(func(offered []string) int {
			pick := fn(offered)
			for i, p := range offered {
				if p == pick && pick != "" {
					return i
				}
			}
			return -1
		})
		handles = append(handles, cc.ALPNHandle)
	}
	deleteHandles := func(hs []uintptr) {
		for _, h := range hs {
			cgo.DeleteTLSVerifyHandle(h)
		}
	}
	c, err := cgo.NewTLSContext(&cc)
	if err != nil {
		deleteHandles(handles)
		return nil, wrapErr(op, err, ErrTLS)
	}
	t := &TLSContext{server: cfg.Server, verifier: v, serverName: cfg.ServerName}
	cgo.Own(t, &t.own, cgo.TLSContexts, c, cgo.TLSContext.Free)
	if len(handles) > 0 {
		runtime.AddCleanup(t, deleteHandles, handles)
	}
	t.verify = verifies(cfg.Server, cc.VerifyMode)
	return t, nil
}

func verifies(server bool, mode int) bool {
	if mode < 0 {
		return !server
	}
	return mode&verifyPeer != 0
}

// contextClosedError is the error of using a closed TLS or DTLS context:
// it matches ErrClosed (and net.ErrClosed).
func contextClosedError(op, what string) error {
	return &Error{Op: op, Msg: "use of closed " + what, Kind: ErrClosed}
}

// use runs fn with the C context, or returns an error matching ErrClosed.
func (c *TLSContext) use(op string, fn func(cgo.TLSContext) error) error {
	err := c.own.Use(fn)
	if errors.Is(err, cgo.ErrClosed) {
		return contextClosedError(op, "TLSContext")
	}
	return err
}

// IsServer reports whether c is a server context.
func (c *TLSContext) IsServer() bool { return c.server }

// CacheStats returns the session cache counters: on a server, sessions
// resumed, offered but not resumed, and stored; on a client, resumed
// handshakes, handshakes that could not resume, and sessions stored.
func (c *TLSContext) CacheStats() (hits, misses, stores uint64, err error) {
	const op = "TLSContext.CacheStats"
	err = c.use(op, func(ctx cgo.TLSContext) (err error) {
		hits, misses, stores, err = ctx.Stats()
		return wrapErr(op, err, ErrTLS)
	})
	return hits, misses, stores, err
}

// RefreshCRL replaces the CRLs of TLSConfig.CRLFile by those at path.
// The new list is in place before the old one goes, so connections made
// meanwhile are always checked.
func (c *TLSContext) RefreshCRL(path string) error {
	const op = "TLSContext.RefreshCRL"
	if err := checkFiles(op, path); err != nil {
		return err
	}
	return c.use(op, func(ctx cgo.TLSContext) error {
		return wrapErr(op, ctx.RefreshCRL(path), ErrTLS)
	})
}

// Close drops the context. Connections made with it keep working. It is
// idempotent.
func (c *TLSContext) Close() error {
	c.own.Close()
	return nil
}

// DTLSContext is a DTLS 1.2 configuration shared by associations (a
// SocketDTLSContext_T), built like a TLSContext. A server context has the
// cookie exchange on unless DTLSConfig.DisableCookieExchange.
type DTLSContext struct {
	own        cgo.Owner[cgo.DTLSContext]
	server     bool
	verify     bool
	serverName string
	retransmit time.Duration // first retransmission timeout
}

// NewDTLSContext builds a DTLS context from cfg (nil: a client trusting
// the system store).
func NewDTLSContext(cfg *DTLSConfig) (*DTLSContext, error) {
	const op = "NewDTLSContext"
	if cfg == nil {
		cfg = &DTLSConfig{}
	}
	cc, err := dtlsCConfig(op, cfg)
	if err != nil {
		if _, ok := err.(*fileError); ok {
			return nil, err
		}
		return nil, &Error{Op: op, Msg: err.Error(), Kind: ErrTLS}
	}
	c, err := cgo.NewDTLSContext(&cc)
	if err != nil {
		return nil, wrapErr(op, err, ErrTLS)
	}
	d := &DTLSContext{server: cfg.Server, serverName: cfg.ServerName, retransmit: time.Second}
	cgo.Own(d, &d.own, cgo.DTLSContexts, c, cgo.DTLSContext.Free)
	if cfg.RetransmitTimeout > 0 {
		d.retransmit = cfg.RetransmitTimeout
	}
	// A DTLS server given a CA requires client certificates by default.
	d.verify = verifies(cfg.Server, cc.VerifyMode) ||
		(cfg.Server && cc.VerifyMode < 0 && (cc.CAFile != "" || len(cc.CAPEM) > 0))
	return d, nil
}

func dtlsCConfig(op string, cfg *DTLSConfig) (cgo.TLSConfig, error) {
	c := cgo.TLSConfig{Server: cfg.Server, PinEnforce: -1}
	var err error
	if c.VerifyMode, err = verifyModeOf(cfg.Server, cfg.ClientAuth, cfg.InsecureSkipVerify); err != nil {
		return c, err
	}
	if err := checkALPN(cfg.NextProtos); err != nil {
		return c, err
	}
	if cfg.Server && len(cfg.Certificates) == 0 && cfg.CertFile == "" {
		return c, errors.New("a server needs a certificate (Certificates or CertFile)")
	}
	if len(cfg.Certificates) > 1 {
		return c, errors.New("DTLS uses one certificate (no SNI selection)")
	}
	c.CertFile, c.KeyFile, c.CAFile = cfg.CertFile, cfg.KeyFile, cfg.CAFile
	c.CAPEM = cfg.RootCAsPEM
	if len(cfg.Certificates) == 1 {
		if c.CertPEM, c.KeyPEM, err = certPEM(&cfg.Certificates[0]); err != nil {
			return c, err
		}
		c.CertFile, c.KeyFile = "", ""
	}
	if err := checkFiles(op, c.CertFile, c.KeyFile, c.CAFile); err != nil {
		return c, err
	}
	c.Ciphers = cfg.CipherSuites
	c.ALPN = cfg.NextProtos
	c.SessionCache = cfg.SessionCache
	c.CacheSize = cfg.SessionCacheSize
	c.CacheTimeoutSec = int(cfg.SessionTimeout / time.Second)
	c.CookieExchange = cfg.Server && !cfg.DisableCookieExchange
	c.CookieSecret = cfg.CookieSecret
	c.MTU = cfg.MTU
	c.TimeoutInitialMS = int(cfg.RetransmitTimeout / time.Millisecond)
	c.TimeoutMaxMS = int(cfg.MaxRetransmitTimeout / time.Millisecond)
	return c, nil
}

// use runs fn with the C context, or returns an error matching ErrClosed.
func (c *DTLSContext) use(op string, fn func(cgo.DTLSContext) error) error {
	err := c.own.Use(fn)
	if errors.Is(err, cgo.ErrClosed) {
		return contextClosedError(op, "DTLSContext")
	}
	return err
}

// IsServer reports whether c is a server context.
func (c *DTLSContext) IsServer() bool { return c.server }

// Close drops the context; associations made with it keep working. It is
// idempotent.
func (c *DTLSContext) Close() error {
	c.own.Close()
	return nil
}

// SPKIPin is the pin of cert's public key: SHA-256 of its DER
// SubjectPublicKeyInfo.
func SPKIPin(cert *x509.Certificate) [32]byte { return sha256.Sum256(cert.RawSubjectPublicKeyInfo) }
