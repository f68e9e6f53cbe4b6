package gosocket

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// SNI virtual hosting, CRL checking and OCSP stapling, each against Go's
// crypto/tls on the other end and ours against ours.

// writeCRL writes a CRL of p's CA revoking the given serials and returns
// its path.
func writeCRL(t *testing.T, p *testPKI, name string, number int64, revoked ...*big.Int) string {
	t.Helper()
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(number),
		ThisUpdate: time.Now().Add(-time.Hour),
		NextUpdate: time.Now().Add(24 * time.Hour),
	}
	for _, s := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: s, RevocationTime: time.Now().Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.ca, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ocspResponse is a DER OCSP response for p's server leaf, signed by its
// CA, with the given status.
func ocspResponse(t *testing.T, p *testPKI, status int) []byte {
	t.Helper()
	tmpl := ocsp.Response{
		Status:       status,
		SerialNumber: p.serverLeaf.SerialNumber,
		ThisUpdate:   time.Now().Add(-time.Hour),
		NextUpdate:   time.Now().Add(time.Hour),
	}
	if status == ocsp.Revoked {
		tmpl.RevokedAt = time.Now().Add(-time.Minute)
	}
	der, err := ocsp.CreateResponse(p.ca, p.ca, tmpl, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// serveOurs accepts TLS connections with ctx on 127.0.0.1, reports each
// handshake's state and echoes until EOF.
func serveOurs(t *testing.T, ctx *TLSContext) (string, <-chan TLSState) {
	t.Helper()
	ln, err := ListenTLS("tcp", "127.0.0.1:0", ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	states := make(chan TLSState, 16)
	go func() {
		for {
			c, err := ln.AcceptTLS()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if c.Handshake(hctx) != nil {
					return
				}
				states <- c.State()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String(), states
}

func TestTLSSNICertificates(t *testing.T) {
	p := newTestPKI(t)
	write := func(name string, b []byte) string {
		path := filepath.Join(p.dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	alt, _, altPEM, altKey := makeCert(t, certSpec{cn: "alt", dns: []string{"alt.example"}, parent: p.ca, parentKy: p.caKey})
	wild, _, wildPEM, wildKey := makeCert(t, certSpec{cn: "wild", dns: []string{"*.wild.example"}, parent: p.ca, parentKy: p.caKey})
	ctx := mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SNICertFiles: []SNICertFile{{"alt.example", write("alt.pem", altPEM), write("alt.key", altKey)}, {"*.wild.example", write("wild.pem", wildPEM), write("wild.key", wildKey)}}})
	addr, states := serveOurs(t, ctx)

	for _, tc := range []struct {
		name string
		want *x509.Certificate
	}{
		{"alt.example", alt},
		{"ALT.example", alt}, // names match case-insensitively
		{"a.wild.example", wild},
		{"localhost", p.serverLeaf}, // no SNI entry: the default
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
				&tls.Config{RootCAs: p.caPool, ServerName: tc.name})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			echoOnce(t, c, "sni")
			if got := c.ConnectionState().PeerCertificates[0]; !got.Equal(tc.want) {
				t.Errorf("server presented %q, want %q", got.Subject.CommonName, tc.want.Subject.CommonName)
			}
			if st := <-states; st.ServerName != tc.name {
				t.Errorf("server saw SNI %q, want %q", st.ServerName, tc.name)
			}
		})
	}

	// Ours against ours: the client checks the SNI certificate by name.
	c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile}), "alt.example")
	defer c.Close()
	echoOnce(t, c, "ours")
	if st := <-states; st.ServerName != "alt.example" {
		t.Errorf("server saw %q", st.ServerName)
	}

	if _, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SNICertFiles: []SNICertFile{{"x.example", filepath.Join(p.dir, "missing.pem"), p.serverKey}}}); !errors.Is(err, ErrTLS) {
		t.Errorf("missing SNI certificate file: %v", err)
	}
}

func TestTLSCRL(t *testing.T) {
	p := newTestPKI(t)
	addr, _ := goTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.server}})
	clean := writeCRL(t, p, "clean.crl", 1)
	revoking := writeCRL(t, p, "revoking.crl", 2, p.serverLeaf.SerialNumber)
	dial := func(ctx *TLSContext) error {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := dialTLSName(dctx, "tcp", addr, ctx, "localhost")
		if err == nil {
			err = c.Handshake(dctx)
			c.Close()
		}
		return err
	}

	if err := dial(mustTLSContext(t, &TLSConfig{CAFile: p.caFile, CRLFile: clean})); err != nil {
		t.Fatalf("server not revoked: %v", err)
	}
	err := dial(mustTLSContext(t, &TLSConfig{CAFile: p.caFile, CRLFile: revoking}))
	if !errors.Is(err, ErrTLSVerify) {
		t.Fatalf("revoked server: %v, want ErrTLSVerify", err)
	}

	// A refresh takes effect for the next handshake, both ways.
	ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, CRLFile: clean})
	if err := dial(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ctx.RefreshCRL(revoking); err != nil {
		t.Fatal(err)
	}
	if err := dial(ctx); !errors.Is(err, ErrTLSVerify) {
		t.Fatalf("after refresh to the revoking CRL: %v", err)
	}
	if err := ctx.RefreshCRL(clean); err != nil {
		t.Fatal(err)
	}
	if err := dial(ctx); err != nil {
		t.Fatalf("after refresh back: %v", err)
	}
	if err := ctx.RefreshCRL(filepath.Join(p.dir, "missing.crl")); !errors.Is(err, ErrTLS) {
		t.Errorf("refresh from a missing file: %v", err)
	}
	ctx.Close()
	if err := ctx.RefreshCRL(clean); !errors.Is(err, ErrClosed) {
		t.Errorf("refresh after Close: %v", err)
	}

	// A server checking client certificates against the CRL.
	sctx := mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, CAFile: p.caFile, ClientAuth: tls.RequireAndVerifyClientCert, CRLFile: writeCRL(t, p, "clients.crl", 3, p.client.Leaf.SerialNumber)})
	saddr, _ := serveOurs(t, sctx)
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", saddr,
		&tls.Config{RootCAs: p.caPool, ServerName: "localhost", Certificates: []tls.Certificate{p.client}})
	if err == nil {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Write([]byte("x"))
		if err == nil {
			_, err = c.Read(make([]byte, 1)) // TLS 1.3: the rejection arrives after the client's Finished
		}
		c.Close()
	}
	if err == nil {
		t.Fatal("a revoked client certificate was accepted")
	}
}

func TestTLSOCSPStapling(t *testing.T) {
	p := newTestPKI(t)
	good, revoked := ocspResponse(t, p, ocsp.Good), ocspResponse(t, p, ocsp.Revoked)
	client := mustTLSContext(t, &TLSConfig{CAFile: p.caFile})

	for _, tc := range []struct {
		name   string
		staple []byte
		want   OCSPStatus
	}{
		{"Good", good, OCSPGood},
		{"Revoked", revoked, OCSPRevoked},
		{"None", nil, OCSPNone},
	} {
		t.Run("OursToOurs"+tc.name, func(t *testing.T) {
			cfg := &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, OCSPResponse: tc.staple}
			addr, states := serveOurs(t, mustTLSContext(t, cfg))
			c := dialTLS(t, addr, client, "localhost")
			defer c.Close()
			echoOnce(t, c, "ocsp")
			if st := c.State(); st.OCSPStatus != tc.want {
				t.Errorf("client OCSPStatus %v, want %v", st.OCSPStatus, tc.want)
			}
			if cs := c.ConnectionState(); !bytes.Equal(cs.OCSPResponse, tc.staple) {
				t.Errorf("client OCSPResponse %x, want %x", cs.OCSPResponse, tc.staple)
			}
			if st := <-states; st.OCSPStatus != OCSPNone {
				t.Errorf("server OCSPStatus %v", st.OCSPStatus)
			}

			// Go's client receives exactly the bytes configured.
			gc, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
				&tls.Config{RootCAs: p.caPool, ServerName: "localhost"})
			if err != nil {
				t.Fatal(err)
			}
			defer gc.Close()
			echoOnce(t, gc, "go")
			if got := gc.ConnectionState().OCSPResponse; string(got) != string(tc.staple) {
				t.Errorf("Go client got a %d-byte staple, want %d", len(got), len(tc.staple))
			}
		})
	}

	t.Run("GoServerStaples", func(t *testing.T) {
		cert := p.server
		cert.OCSPStaple = good
		addr, _ := goTLSServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
		c := dialTLS(t, addr, client, "localhost")
		defer c.Close()
		echoOnce(t, c, "go staple")
		if st := c.State(); st.OCSPStatus != OCSPGood {
			t.Errorf("OCSPStatus %v, want OCSPGood", st.OCSPStatus)
		}
	})

	t.Run("ForeignResponse", func(t *testing.T) {
		// A response for another serial is unusable, not good.
		tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(42),
			ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(time.Hour)}
		der, err := ocsp.CreateResponse(p.ca, p.ca, tmpl, p.caKey)
		if err != nil {
			t.Fatal(err)
		}
		addr, _ := serveOurs(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, OCSPResponse: der}))
		c := dialTLS(t, addr, client, "localhost")
		defer c.Close()
		echoOnce(t, c, "foreign")
		if st := c.State(); st.OCSPStatus != OCSPUnusable {
			t.Errorf("OCSPStatus %v, want OCSPUnusable", st.OCSPStatus)
		}
	})
}
