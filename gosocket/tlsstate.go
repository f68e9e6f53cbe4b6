package gosocket

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"strconv"

	"github.com/libsocket/libsocket/cgo"
)

// TLSState describes a TLS or DTLS connection after its handshake, with
// the field names of crypto/tls.ConnectionState where they mean the same.
// TLSConn.ConnectionState returns the crypto/tls form.
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
	// PeerCertificates are the certificates the peer sent, leaf first
	// (a client of a resumed session has none; a server has the client's
	// when it asked for them).
	PeerCertificates []*x509.Certificate
	// VerifiedChains holds the one chain OpenSSL verified, leaf to trust
	// anchor, when PeerVerified; nil otherwise.
	VerifiedChains [][]*x509.Certificate
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

// String returns "none", "good", "revoked" or "unusable".
func (s OCSPStatus) String() string {
	switch s {
	case OCSPNone:
		return "none"
	case OCSPGood:
		return "good"
	case OCSPRevoked:
		return "revoked"
	case OCSPUnusable:
		return "unusable"
	}
	return "OCSPStatus(" + strconv.Itoa(int(s)) + ")"
}

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

// peerCerts is the peer's certificates of a completed handshake, read
// from C once and kept (they do not change).
type peerCerts struct {
	sent     []*x509.Certificate
	verified [][]*x509.Certificate
	ocsp     []byte // TLS client: the stapled OCSP response
}

// loadPeerCerts reads the sent chain and, if verified, the verified one.
func loadPeerCerts(get func(verified bool) ([][]byte, error), verified bool) (*peerCerts, error) {
	raw, err := get(false)
	if err != nil {
		return nil, err
	}
	p := &peerCerts{}
	if p.sent, err = parseChain(raw); err != nil {
		return nil, err
	}
	if len(p.sent) == 0 {
		p.sent = nil
	}
	if verified {
		raw, err = get(true)
		if err != nil {
			return nil, err
		}
		// The verified chain repeats the sent certificates (at least the
		// leaf): reuse those, parse only the rest.
		chain := make([]*x509.Certificate, 0, len(raw))
		for _, der := range raw {
			var c *x509.Certificate
			for _, s := range p.sent {
				if bytes.Equal(s.Raw, der) {
					c = s
					break
				}
			}
			if c == nil {
				if c, err = x509.ParseCertificate(der); err != nil {
					return nil, err
				}
			}
			chain = append(chain, c)
		}
		if len(chain) > 0 {
			p.verified = [][]*x509.Certificate{chain}
		}
	}
	return p, nil
}

// stdState is s in crypto/tls's form; ocsp is the stapled OCSP response
// a client received.
func stdState(s TLSState, ocsp []byte) tls.ConnectionState {
	return tls.ConnectionState{
		Version:            s.Version,
		HandshakeComplete:  s.HandshakeComplete,
		DidResume:          s.DidResume,
		CipherSuite:        s.CipherSuite,
		NegotiatedProtocol: s.NegotiatedProtocol,
		ServerName:         s.ServerName,
		PeerCertificates:   s.PeerCertificates,
		VerifiedChains:     s.VerifiedChains,
		OCSPResponse:       ocsp,
	}
}
