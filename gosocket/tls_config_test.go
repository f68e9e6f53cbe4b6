package gosocket

import (
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// In-memory material: the server's tls.Certificate and the client's
// RootCAsPEM (which replaces the system store), the peer chains in the
// state of both sides.
func TestTLSInMemoryCertificates(t *testing.T) {
	p := newTestPKI(t)
	sctx := mustTLSContext(t, &TLSConfig{Server: true, Certificates: []tls.Certificate{p.server},
		RootCAsPEM: pemOf(p.ca.Raw), ClientAuth: tls.RequireAndVerifyClientCert})
	addr, states := serveOurs(t, sctx)
	cctx := mustTLSContext(t, &TLSConfig{RootCAsPEM: pemOf(p.ca.Raw), Certificates: []tls.Certificate{p.client}, ServerName: "localhost"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialTLSContext(ctx, "tcp", addr, cctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	echoOnce(t, c, "in memory")
	st := c.State()
	if !st.PeerVerified || st.ServerName != "localhost" {
		t.Fatalf("state %+v", st)
	}
	if len(st.PeerCertificates) != 1 || !st.PeerCertificates[0].Equal(p.serverLeaf) {
		t.Fatalf("PeerCertificates %v", st.PeerCertificates)
	}
	if len(st.VerifiedChains) != 1 || len(st.VerifiedChains[0]) != 2 || !st.VerifiedChains[0][1].Equal(p.ca) {
		t.Fatalf("VerifiedChains %v", st.VerifiedChains)
	}
	ss := <-states
	if len(ss.PeerCertificates) != 1 || !ss.PeerCertificates[0].Equal(p.client.Leaf) || len(ss.VerifiedChains) != 1 {
		t.Fatalf("server's view of the client: %v %v", ss.PeerCertificates, ss.VerifiedChains)
	}
	cs := c.ConnectionState()
	if !cs.HandshakeComplete || cs.Version != tls.VersionTLS13 || len(cs.PeerCertificates) != 1 || len(cs.VerifiedChains) != 1 {
		t.Fatalf("ConnectionState %+v", cs)
	}

	// Only the given roots are trusted.
	other := mustTLSContext(t, &TLSConfig{RootCAsPEM: readFile(t, p.otherCAFile), Certificates: []tls.Certificate{p.client}, ServerName: "localhost"})
	if c, err := DialTLSContext(ctx, "tcp", addr, other); !errors.Is(err, ErrTLSVerify) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("other roots: %v", err)
	}
	if _, err := NewTLSContext(&TLSConfig{RootCAsPEM: []byte("not PEM")}); !errors.Is(err, ErrTLS) {
		t.Errorf("bad RootCAsPEM: %v", err)
	}
	if _, err := NewTLSContext(&TLSConfig{Server: true, Certificates: []tls.Certificate{{Certificate: p.server.Certificate}}}); !errors.Is(err, ErrTLS) {
		t.Errorf("certificate without key: %v", err)
	}
}

// Certificates[1:] are chosen by SNI; the server name defaults to the
// host of the address and TLSConfig.ServerName overrides it.
func TestTLSServerNameAndSNICertificates(t *testing.T) {
	p := newTestPKI(t)
	ipLeaf, _, ipPEM, ipKey := makeCert(t, certSpec{cn: "ip only", ips: []net.IP{net.IPv4(127, 0, 0, 1)}, parent: p.ca, parentKy: p.caKey})
	sniLeaf, _, sniPEM, sniKey := makeCert(t, certSpec{cn: "sni", dns: []string{"sni.example"}, parent: p.ca, parentKy: p.caKey})
	ipCert, err := tls.X509KeyPair(ipPEM, ipKey)
	if err != nil {
		t.Fatal(err)
	}
	sniCert, err := tls.X509KeyPair(sniPEM, sniKey)
	if err != nil {
		t.Fatal(err)
	}
	addr, states := serveOurs(t, mustTLSContext(t, &TLSConfig{Server: true, Certificates: []tls.Certificate{ipCert, sniCert}}))
	dial := func(name string) (*TLSConn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return (&TLSDialer{NetDialer: &Dialer{}, Context: mustTLSContext(t, &TLSConfig{CAFile: p.caFile, ServerName: name})}).dial(ctx, "tcp", addr)
	}
	c, err := dial("") // 127.0.0.1 from the address: the IP-only default certificate
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, c, "ip")
	if st := c.State(); st.ServerName != "127.0.0.1" || !st.PeerCertificates[0].Equal(ipLeaf) {
		t.Errorf("default name: %q %v", st.ServerName, st.PeerCertificates[0].Subject)
	}
	c.Close()
	<-states
	c, err = dial("sni.example")
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, c, "sni")
	if st := c.State(); st.ServerName != "sni.example" || !st.PeerCertificates[0].Equal(sniLeaf) {
		t.Errorf("SNI: %q %v", st.ServerName, st.PeerCertificates[0].Subject)
	}
	if ss := <-states; ss.ServerName != "sni.example" {
		t.Errorf("server saw SNI %q", ss.ServerName)
	}
	c.Close()
	if c, err := dial("localhost"); !errors.Is(err, ErrTLSVerify) { // the default certificate lacks the name
		if c != nil {
			c.Close()
		}
		t.Errorf("wrong name: %v", err)
	}
	if _, err := NewTLSContext(&TLSConfig{Server: true, Certificates: []tls.Certificate{ipCert, ipCert}}); !errors.Is(err, ErrTLS) {
		t.Errorf("SNI certificate without DNS name: %v", err)
	}
}

// A missing file is an error matching fs.ErrNotExist, without the
// OpenSSL error queue in its text.
func TestTLSMissingFiles(t *testing.T) {
	p := newTestPKI(t)
	missing := filepath.Join(p.dir, "missing.pem")
	for name, f := range map[string]func() error{
		"TLSCert": func() error {
			_, err := NewTLSContext(&TLSConfig{Server: true, CertFile: missing, KeyFile: p.serverKey})
			return err
		},
		"TLSKey": func() error {
			_, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: missing})
			return err
		},
		"TLSCA":  func() error { _, err := NewTLSContext(&TLSConfig{CAFile: missing}); return err },
		"TLSCRL": func() error { _, err := NewTLSContext(&TLSConfig{CAFile: p.caFile, CRLFile: missing}); return err },
		"TLSSNI": func() error {
			_, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey,
				SNICertFiles: []SNICertFile{{"x.example", missing, p.serverKey}}})
			return err
		},
		"DTLSCert": func() error {
			_, err := NewDTLSContext(&DTLSConfig{Server: true, CertFile: missing, KeyFile: p.serverKey})
			return err
		},
		"DTLSCA": func() error { _, err := NewDTLSContext(&DTLSConfig{CAFile: missing}); return err },
		"RefreshCRL": func() error {
			return mustTLSContext(t, &TLSConfig{CAFile: p.caFile}).RefreshCRL(missing)
		},
	} {
		err := f()
		if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrTLS) || strings.Contains(err.Error(), "error:") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A closed context reports ErrClosed naming the context, and its C object
// is freed once (cgo.Owner counts).
func TestTLSContextClose(t *testing.T) {
	p := newTestPKI(t)
	tl, dl := cgo.TLSContexts.Live(), cgo.DTLSContexts.Live()
	tc, err := NewTLSContext(&TLSConfig{CAFile: p.caFile})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := NewDTLSContext(&DTLSConfig{CAFile: p.caFile})
	if err != nil {
		t.Fatal(err)
	}
	if cgo.TLSContexts.Live() != tl+1 || cgo.DTLSContexts.Live() != dl+1 {
		t.Fatalf("live %d %d", cgo.TLSContexts.Live(), cgo.DTLSContexts.Live())
	}
	tc.Close()
	tc.Close()
	dc.Close()
	if cgo.TLSContexts.Live() != tl || cgo.DTLSContexts.Live() != dl {
		t.Fatalf("live after Close %d %d", cgo.TLSContexts.Live(), cgo.DTLSContexts.Live())
	}
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	check := func(what string, err error, ctxName string) {
		t.Helper()
		if !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) ||
			!strings.Contains(err.Error(), ctxName) || strings.Contains(err.Error(), "network connection") {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err = DialTLS("tcp", ln.Addr().String(), tc)
	check("DialTLS", err, "TLSContext")
	_, _, _, err = tc.CacheStats()
	check("CacheStats", err, "TLSContext")
	_, err = DialDTLS("udp", "127.0.0.1:9", dc)
	check("DialDTLS", err, "DTLSContext")
}

func TestOCSPStatusString(t *testing.T) {
	for s, want := range map[OCSPStatus]string{OCSPNone: "none", OCSPGood: "good", OCSPRevoked: "revoked", OCSPUnusable: "unusable", 9: "OCSPStatus(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}

// DTLS with in-memory material; the client sees the server's chain.
func TestDTLSInMemoryCertificates(t *testing.T) {
	p := newTestPKI(t)
	ln, states := ourDTLSServer(t, mustDTLSContext(t, &DTLSConfig{Server: true, Certificates: []tls.Certificate{p.server}}))
	cctx := mustDTLSContext(t, &DTLSConfig{RootCAsPEM: pemOf(p.ca.Raw), ServerName: "localhost"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialDTLSContext(ctx, "udp", ln.Addr().String(), cctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dtlsExchange(t, c, 3)
	st := c.State()
	if !st.PeerVerified || len(st.PeerCertificates) != 1 || !st.PeerCertificates[0].Equal(p.serverLeaf) || len(st.VerifiedChains) != 1 {
		t.Fatalf("state %+v", st)
	}
	if cs := c.ConnectionState(); cs.Version != 0xfefd || len(cs.PeerCertificates) != 1 {
		t.Fatalf("ConnectionState %+v", cs)
	}
	if ss := <-states; len(ss.PeerCertificates) != 0 {
		t.Errorf("server has client certificates %v", ss.PeerCertificates)
	}
	if _, err := NewDTLSContext(&DTLSConfig{Server: true, Certificates: []tls.Certificate{p.server, p.server}}); !errors.Is(err, ErrTLS) {
		t.Errorf("two DTLS certificates: %v", err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
