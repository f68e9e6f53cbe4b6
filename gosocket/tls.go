package gosocket

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// TLS and DTLS contexts: the shared configuration (certificates, trust,
// ALPN, sessions) of many connections, built once with functional
// options. The defaults are the C library's: TLS 1.3 only, clients
// verify the server against the system trust store, servers do not ask
// for client certificates, no session resumption until enabled.

// VerifyMode selects peer certificate verification (TLSVerifyMode).
type VerifyMode int

// Verification modes; combine VerifyPeer with VerifyRequireCert on a
// server to require a client certificate.
const (
	VerifyNone        VerifyMode = 0 // no verification (servers: no certificate request)
	VerifyPeer        VerifyMode = 1 // verify the peer's chain and name
	VerifyRequireCert VerifyMode = 2 // server: fail without a client certificate (with VerifyPeer)
)

// TLSOption configures a TLSContext or DTLSContext. Options that do not
// apply to the kind of context being built make the constructor fail.
type TLSOption func(*tlsOptions) error

type tlsOptions struct {
	cfg        cgo.TLSConfig
	dtls       bool
	tlsOnly    []string // options given that DTLS does not support
	dtlsOnly   []string // and the other way round
	noCookies  bool
	serverName string
	verifyFn   func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	alpnFn     func(offered []string) string
}

func defaultOptions(dtls bool) *tlsOptions {
	o := &tlsOptions{dtls: dtls}
	o.cfg.VerifyMode = -1
	o.cfg.PinEnforce = -1
	return o
}

// WithServer makes a server context (the default is a client context). A
// server needs WithCertificate.
func WithServer() TLSOption {
	return func(o *tlsOptions) error { o.cfg.Server = true; return nil }
}

// WithCertificate loads a PEM certificate chain (leaf first) and its
// private key: the server's certificate, or a client certificate.
func WithCertificate(certFile, keyFile string) TLSOption {
	return func(o *tlsOptions) error {
		o.cfg.CertFile, o.cfg.KeyFile = certFile, keyFile
		return nil
	}
}

// WithCA trusts the CAs of a PEM file (or a hashed directory) instead of
// the system store. On a server it is the CA of client certificates
// (see WithClientAuth).
func WithCA(file string) TLSOption {
	return func(o *tlsOptions) error { o.cfg.CAFile = file; return nil }
}

// WithClientAuth makes a server require a client certificate signed by a
// CA of caFile.
func WithClientAuth(caFile string) TLSOption {
	return func(o *tlsOptions) error {
		o.cfg.CAFile = caFile
		o.cfg.VerifyMode = int(VerifyPeer | VerifyRequireCert)
		return nil
	}
}

// WithVerifyMode overrides peer verification. VerifyNone on a client
// accepts any server certificate: for tests only.
func WithVerifyMode(m VerifyMode) TLSOption {
	return func(o *tlsOptions) error { o.cfg.VerifyMode = int(m); return nil }
}

// WithALPN sets the application protocols (RFC 7301), most preferred
// first. A TLS server picks its first protocol the client offered; a DTLS
// server picks the client's first protocol it supports. With no protocol
// in common the handshake continues without ALPN
// (ConnectionState().NegotiatedProtocol is "").
func WithALPN(protos ...string) TLSOption {
	return func(o *tlsOptions) error {
		for _, p := range protos {
			if p == "" || len(p) > 255 || strings.IndexByte(p, 0) >= 0 {
				return errors.New("invalid ALPN protocol " + strconv.Quote(p))
			}
		}
		o.cfg.ALPN = append([]string(nil), protos...)
		return nil
	}
}

// WithMinVersion lowers (or raises) the lowest TLS version:
// tls.VersionTLS12 or tls.VersionTLS13 (the default). TLS only.
func WithMinVersion(v uint16) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithMinVersion")
		o.cfg.MinVersion = int(v)
		return nil
	}
}

// WithMaxVersion sets the highest TLS version (tls.VersionTLS12 or
// tls.VersionTLS13, the default). TLS only.
func WithMaxVersion(v uint16) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithMaxVersion")
		o.cfg.MaxVersion = int(v)
		return nil
	}
}

// WithCiphers sets the cipher preferences: a list whose entries all start
// with "TLS_" sets the TLS 1.3 suites, anything else is an OpenSSL cipher
// string for TLS 1.2 and DTLS.
func WithCiphers(list string) TLSOption {
	return func(o *tlsOptions) error { o.cfg.Ciphers = list; return nil }
}

// WithSessionCache turns on session resumption. A server keeps up to size
// sessions (0: library default) for timeout (0: default); a client
// remembers the latest session per server and offers it on the next
// connection.
func WithSessionCache(size int, timeout time.Duration) TLSOption {
	return func(o *tlsOptions) error {
		o.cfg.SessionCache = true
		o.cfg.CacheSize = size
		o.cfg.CacheTimeoutSec = int(timeout / time.Second)
		return nil
	}
}

// WithSessionTickets makes a TLS server issue stateless session tickets
// under key (80 bytes: 16 name, 32 HMAC, 32 AES). TLS only.
func WithSessionTickets(key []byte) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithSessionTickets")
		if len(key) != cgo.TLSTicketKeyLen {
			return errors.New("session ticket key must be 80 bytes")
		}
		o.cfg.TicketKey = append([]byte(nil), key...)
		return nil
	}
}

// WithPins pins SHA-256 digests of SubjectPublicKeyInfos (see SPKIPin):
// the handshake then fails with ErrTLSPin unless a certificate of the
// peer's chain matches one. TLS only.
func WithPins(pins ...[32]byte) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithPins")
		o.cfg.Pins = append(o.cfg.Pins, pins...)
		return nil
	}
}

// WithPinEnforcement turns pin enforcement off (a mismatch is only
// logged) or back on (the default). TLS only.
func WithPinEnforcement(enforce bool) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithPinEnforcement")
		o.cfg.PinEnforce = boolInt(enforce)
		return nil
	}
}

// WithSNICertificate makes a TLS server present certFile/keyFile (PEM)
// to clients that ask for host via SNI (RFC 6066). host is an exact name
// or a wildcard "*.example.com" matching one extra label; exact names win,
// and other or absent names get the WithCertificate default. Repeatable.
// TLS only.
func WithSNICertificate(host, certFile, keyFile string) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithSNICertificate")
		if host == "" {
			return errors.New("SNI host name is empty")
		}
		o.cfg.SNI = append(o.cfg.SNI, cgo.SNICert{Host: host, CertFile: certFile, KeyFile: keyFile})
		return nil
	}
}

// WithVerifyPeerCertificate adds a check of the peer's certificates, as
// crypto/tls's Config.VerifyPeerCertificate does: fn is called during the
// handshake, after OpenSSL accepted the chain (and, on a client, the host
// name), with the certificates the peer sent (DER, leaf first) and the one
// chain OpenSSL verified (leaf to trust anchor). A non-nil error rejects
// the peer: the handshake fails with an error matching both ErrTLSVerify
// and fn's error. fn is not called when verification is off or the chain
// was already rejected; it may be called from several goroutines at once.
// TLS only.
func WithVerifyPeerCertificate(fn func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithVerifyPeerCertificate")
		if fn == nil {
			return errors.New("nil verify function")
		}
		o.verifyFn = fn
		return nil
	}
}

// WithALPNSelect lets a TLS server choose the application protocol
// itself instead of by WithALPN's preference list: fn gets the protocols
// the client offered, in its order, and returns one of them, or "" (or
// anything not offered) to continue without ALPN. It runs during the
// handshake, possibly from several goroutines at once; a panic counts as
// "". TLS servers only.
func WithALPNSelect(fn func(offered []string) string) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithALPNSelect")
		if fn == nil {
			return errors.New("nil ALPN function")
		}
		o.alpnFn = fn
		return nil
	}
}

// WithCRL loads the CRLs of a PEM file (or of every file in a directory)
// and turns on revocation checking for the peer's whole chain: every CA in
// it then needs a CRL, and a revoked peer fails with ErrTLSVerify. See
// TLSContext.RefreshCRL. TLS only.
func WithCRL(path string) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithCRL")
		o.cfg.CRLPath = path
		return nil
	}
}

// WithOCSPResponse makes a TLS server staple der, a DER OCSPResponse for
// its certificate (RFC 6066 section 8), to clients that ask. Clients read
// the verdict from TLSState.OCSPStatus. TLS only.
func WithOCSPResponse(der []byte) TLSOption {
	return func(o *tlsOptions) error {
		o.tlsOnly = append(o.tlsOnly, "WithOCSPResponse")
		o.cfg.OCSPResponse = append([]byte(nil), der...)
		return nil
	}
}

// SPKIPin is the pin of cert's public key: SHA-256 of its DER
// SubjectPublicKeyInfo.
func SPKIPin(cert *x509.Certificate) [32]byte { return sha256.Sum256(cert.RawSubjectPublicKeyInfo) }

// WithServerName sets the name a DTLS client checks the server
// certificate against (and sends as SNI) when DialDTLS should not use the
// host of its address. DTLS only; DialTLS takes the name as an argument.
func WithServerName(name string) TLSOption {
	return func(o *tlsOptions) error {
		o.dtlsOnly = append(o.dtlsOnly, "WithServerName")
		o.serverName = name
		return nil
	}
}

// WithoutCookieExchange turns off the stateless cookie exchange of a DTLS
// server (on by default: a ClientHello from an unproven address only gets
// a HelloVerifyRequest). DTLS only.
func WithoutCookieExchange() TLSOption {
	return func(o *tlsOptions) error {
		o.dtlsOnly = append(o.dtlsOnly, "WithoutCookieExchange")
		o.noCookies = true
		return nil
	}
}

// WithCookieSecret sets the DTLS cookie secret (32 bytes), e.g. shared by
// a server farm; otherwise a random one is generated. DTLS only.
func WithCookieSecret(secret []byte) TLSOption {
	return func(o *tlsOptions) error {
		o.dtlsOnly = append(o.dtlsOnly, "WithCookieSecret")
		o.cfg.CookieSecret = append([]byte(nil), secret...)
		return nil
	}
}

// WithMTU sets the DTLS path MTU (576..9000, default 1400): records and
// handshake flights are sized to fit. DTLS only.
func WithMTU(mtu int) TLSOption {
	return func(o *tlsOptions) error {
		o.dtlsOnly = append(o.dtlsOnly, "WithMTU")
		o.cfg.MTU = mtu
		return nil
	}
}

// WithRetransmitTimeout sets the DTLS retransmission timer: the first
// timeout, doubled after each retransmission up to max. DTLS only.
func WithRetransmitTimeout(initial, max time.Duration) TLSOption {
	return func(o *tlsOptions) error {
		o.dtlsOnly = append(o.dtlsOnly, "WithRetransmitTimeout")
		o.cfg.TimeoutInitialMS = int(initial / time.Millisecond)
		o.cfg.TimeoutMaxMS = int(max / time.Millisecond)
		return nil
	}
}

func applyOptions(op string, dtls bool, opts []TLSOption) (*tlsOptions, error) {
	o := defaultOptions(dtls)
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, &Error{Op: op, Msg: err.Error(), Kind: ErrTLS}
		}
	}
	wrong := o.dtlsOnly
	if dtls {
		wrong = o.tlsOnly
	}
	if len(wrong) > 0 {
		return nil, &Error{Op: op, Msg: "option " + wrong[0] + " does not apply", Kind: ErrTLS}
	}
	return o, nil
}

// TLSContext is a TLS configuration shared by connections (a
// SocketTLSContext_T). Build it once, use it for any number of
// connections from any goroutine, Close it when no new connection needs
// it: connections keep their own reference.
type TLSContext struct {
	mu      sync.RWMutex // guards ctx against Close during use
	ctx     cgo.TLSContext
	server  bool
	verify  bool // peers are verified
	cleanup runtime.Cleanup
	// verifier is the WithVerifyPeerCertificate function, or nil. Its
	// cgo.Handle lives as long as this Go object, not just until Close:
	// connections hold the C context (and reach the handle) after Close,
	// and each TLSConn keeps this object reachable.
	verifier *peerVerifier
}

// peerVerifier runs a WithVerifyPeerCertificate function for the C
// trampoline and keeps its errors until the failed handshake reports them.
type peerVerifier struct {
	fn     func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	errs   sync.Map // socket ID -> the error that rejected its peer
	handle uintptr
}

func (v *peerVerifier) verify(sock uintptr, raw, verified [][]byte) error {
	chain := make([]*x509.Certificate, 0, len(verified))
	for _, der := range verified {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			v.errs.Store(sock, err)
			return err
		}
		chain = append(chain, c)
	}
	var chains [][]*x509.Certificate
	if len(chain) > 0 {
		chains = [][]*x509.Certificate{chain}
	}
	err := v.fn(raw, chains)
	if err != nil {
		v.errs.Store(sock, err)
	}
	return err
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

// NewTLSContext builds a TLS context: a client context unless WithServer
// is given.
func NewTLSContext(opts ...TLSOption) (*TLSContext, error) {
	o, err := applyOptions("NewTLSContext", false, opts)
	if err != nil {
		return nil, err
	}
	if o.alpnFn != nil && !o.cfg.Server {
		return nil, &Error{Op: "NewTLSContext", Msg: "WithALPNSelect needs a server context", Kind: ErrTLS}
	}
	// Handles of Go functions the C context calls; they live as long as
	// the returned TLSContext (see its verifier field).
	var v *peerVerifier
	var handles []uintptr
	if o.verifyFn != nil {
		v = &peerVerifier{fn: o.verifyFn}
		v.handle = cgo.NewTLSVerifyHandle(v.verify)
		o.cfg.VerifyHandle = v.handle
		handles = append(handles, v.handle)
	}
	if fn := o.alpnFn; fn != nil {
		o.cfg.ALPNHandle = cgo.NewTLSALPNHandle(func(offered []string) int {
			pick := fn(offered)
			for i, p := range offered {
				if p == pick && pick != "" {
					return i
				}
			}
			return -1
		})
		handles = append(handles, o.cfg.ALPNHandle)
	}
	deleteHandles := func(hs []uintptr) {
		for _, h := range hs {
			cgo.DeleteTLSVerifyHandle(h)
		}
	}
	c, err := cgo.NewTLSContext(&o.cfg)
	if err != nil {
		deleteHandles(handles)
		return nil, wrapErr("NewTLSContext", err, ErrTLS)
	}
	t := &TLSContext{ctx: c, server: o.cfg.Server, verifier: v}
	if len(handles) > 0 {
		runtime.AddCleanup(t, deleteHandles, handles)
	}
	t.verify = verifies(o.cfg.Server, o.cfg.VerifyMode)
	t.cleanup = runtime.AddCleanup(t, cgo.TLSContext.Free, c)
	return t, nil
}

// NewTLSServerContext is NewTLSContext(WithServer(),
// WithCertificate(certFile, keyFile), opts...).
func NewTLSServerContext(certFile, keyFile string, opts ...TLSOption) (*TLSContext, error) {
	return NewTLSContext(append([]TLSOption{WithServer(), WithCertificate(certFile, keyFile)}, opts...)...)
}

func verifies(server bool, mode int) bool {
	if mode < 0 {
		return !server
	}
	return mode&int(VerifyPeer) != 0
}

// IsServer reports whether c is a server context.
func (c *TLSContext) IsServer() bool { return c.server }

// CacheStats returns the session cache counters: on a server, sessions
// resumed, offered but not resumed, and stored; on a client, resumed
// handshakes, handshakes that could not resume, and sessions stored.
func (c *TLSContext) CacheStats() (hits, misses, stores uint64, err error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ctx.IsZero() {
		return 0, 0, 0, closedError("TLSContext.CacheStats")
	}
	hits, misses, stores, err = c.ctx.Stats()
	return hits, misses, stores, wrapErr("TLSContext.CacheStats", err, ErrTLS)
}

// RefreshCRL replaces the CRLs loaded with WithCRL by those at path.
// The new list is in place before the old one goes, so connections made
// meanwhile are always checked.
func (c *TLSContext) RefreshCRL(path string) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ctx.IsZero() {
		return closedError("TLSContext.RefreshCRL")
	}
	return wrapErr("TLSContext.RefreshCRL", c.ctx.RefreshCRL(path), ErrTLS)
}

// Close drops the context. Connections made with it keep working. It is
// idempotent.
func (c *TLSContext) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ctx.IsZero() {
		c.cleanup.Stop()
		c.ctx.Free()
		c.ctx = cgo.TLSContext{}
	}
	return nil
}

// DTLSContext is a DTLS 1.2 configuration shared by associations (a
// SocketDTLSContext_T), built like a TLSContext. A server context has the
// cookie exchange on unless WithoutCookieExchange is given.
type DTLSContext struct {
	mu         sync.RWMutex
	ctx        cgo.DTLSContext
	server     bool
	verify     bool
	serverName string
	retransmit time.Duration // first retransmission timeout
	cleanup    runtime.Cleanup
}

// NewDTLSContext builds a DTLS context: a client context unless
// WithServer is given.
func NewDTLSContext(opts ...TLSOption) (*DTLSContext, error) {
	o, err := applyOptions("NewDTLSContext", true, opts)
	if err != nil {
		return nil, err
	}
	o.cfg.CookieExchange = o.cfg.Server && !o.noCookies
	c, err := cgo.NewDTLSContext(&o.cfg)
	if err != nil {
		return nil, wrapErr("NewDTLSContext", err, ErrTLS)
	}
	d := &DTLSContext{ctx: c, server: o.cfg.Server, serverName: o.serverName, retransmit: time.Second}
	if o.cfg.TimeoutInitialMS > 0 {
		d.retransmit = time.Duration(o.cfg.TimeoutInitialMS) * time.Millisecond
	}
	// A DTLS server given a CA requires client certificates by default.
	d.verify = verifies(o.cfg.Server, o.cfg.VerifyMode) || (o.cfg.Server && o.cfg.VerifyMode < 0 && o.cfg.CAFile != "")
	d.cleanup = runtime.AddCleanup(d, cgo.DTLSContext.Free, c)
	return d, nil
}

// IsServer reports whether c is a server context.
func (c *DTLSContext) IsServer() bool { return c.server }

// Close drops the context; associations made with it keep working. It is
// idempotent.
func (c *DTLSContext) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ctx.IsZero() {
		c.cleanup.Stop()
		c.ctx.Free()
		c.ctx = cgo.DTLSContext{}
	}
	return nil
}

// TLSState describes a TLS or DTLS connection after its handshake, with
// the field names of crypto/tls.ConnectionState where they mean the same.
type TLSState struct {
	HandshakeComplete bool
	// Version is tls.VersionTLS12, tls.VersionTLS13 or 0xfefd (DTLS 1.2).
	Version uint16
	// CipherSuite is the IANA number (tls.CipherSuiteName names it).
	CipherSuite uint16
	// CipherName is OpenSSL's name of the suite.
	CipherName string
	// NegotiatedProtocol is the ALPN protocol agreed on, "" if none.
	NegotiatedProtocol string
	// DidResume reports a resumed session.
	DidResume bool
	// ServerName is, on a client, the name it asked for (SNI and
	// verification); on a server, the SNI name the client sent.
	ServerName string
	// OCSPStatus is what a TLS client made of the OCSP response the server
	// stapled.
	OCSPStatus OCSPStatus
	// PeerVerified reports that the peer's certificate chain (and a
	// client's expected name) was verified.
	PeerVerified bool
}

// OCSPStatus is a client's verdict on a stapled OCSP response.
type OCSPStatus int

const (
	// OCSPNone: nothing stapled (always so on servers, on DTLS and for
	// resumed sessions, which carry no certificate).
	OCSPNone OCSPStatus = iota
	// OCSPGood: a response for the server's certificate, signed by a
	// trusted issuer, current, saying "good".
	OCSPGood
	// OCSPRevoked: such a response saying "revoked".
	OCSPRevoked
	// OCSPUnusable: malformed, unsuccessful, badly signed, stale, of
	// unknown status or for another certificate.
	OCSPUnusable
)

func ocspStatusOf(c int) OCSPStatus {
	switch c {
	case 1:
		return OCSPGood
	case 0:
		return OCSPRevoked
	case -2:
		return OCSPUnusable
	}
	return OCSPNone
}

func tlsStateOf(s cgo.TLSState, serverName string, verify bool) TLSState {
	if serverName == "" {
		serverName = s.ServerName
	}
	return TLSState{
		OCSPStatus:         ocspStatusOf(s.OCSPStatus),
		HandshakeComplete:  s.Complete,
		Version:            s.Version,
		CipherSuite:        s.CipherID,
		CipherName:         s.Cipher,
		NegotiatedProtocol: s.ALPN,
		DidResume:          s.Resumed,
		ServerName:         serverName,
		PeerVerified:       s.Complete && verify && s.VerifyResult == 0,
	}
}
