package gosocket

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// WithVerifyPeerCertificate: the Go function runs inside the C handshake
// (C -> Go -> C), sees what crypto/tls's VerifyPeerCertificate would, and
// its verdict and error come back through the handshake.

func TestTLSVerifyPeerCertificate(t *testing.T) {
	p := newTestPKI(t)
	addr, _ := goTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.server}})
	dial := func(ctx *TLSContext) error {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := dialTLSName(dctx, "tcp", addr, ctx, "localhost")
		if err == nil {
			echoOnce(t, c, "verified")
			c.Close()
		}
		return err
	}

	t.Run("SeesTheChain", func(t *testing.T) {
		var calls atomic.Int32
		var raw0 []byte
		var chain []*x509.Certificate
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, VerifyPeerCertificate: func(rawCerts [][]byte, verified [][]*x509.Certificate) error {
			calls.Add(1)
			raw0 = rawCerts[0]
			if len(verified) == 1 {
				chain = verified[0]
			}
			return nil
		}})
		if err := dial(ctx); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 1 {
			t.Fatalf("called %d times, want once per handshake", calls.Load())
		}
		if string(raw0) != string(p.serverLeaf.Raw) {
			t.Error("rawCerts[0] is not the server's leaf")
		}
		if len(chain) != 2 || !chain[0].Equal(p.serverLeaf) || !chain[1].Equal(p.ca) {
			t.Errorf("verified chain %d certificates", len(chain))
		}
	})

	t.Run("RejectionCarriesTheError", func(t *testing.T) {
		errPolicy := errors.New("policy: not this server")
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { return errPolicy }})
		err := dial(ctx)
		if !errors.Is(err, ErrTLSVerify) || !errors.Is(err, errPolicy) {
			t.Fatalf("err = %v; want ErrTLSVerify and the function's error", err)
		}
		var ge *Error
		if !errors.As(err, &ge) || ge.Exception != "SocketTLS_VerifyFailed" {
			t.Errorf("errors.As *Error: %+v", ge)
		}
		// The same context accepts nothing, every time.
		if err := dial(ctx); !errors.Is(err, errPolicy) {
			t.Errorf("second handshake: %v", err)
		}
	})

	t.Run("NotAskedWhenOpenSSLRejects", func(t *testing.T) {
		var calls atomic.Int32
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.otherCAFile, VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { calls.Add(1); return nil }})
		if err := dial(ctx); !errors.Is(err, ErrTLSVerify) {
			t.Fatalf("unknown CA: %v", err)
		}
		if calls.Load() != 0 {
			t.Errorf("called %d times for a chain OpenSSL rejected", calls.Load())
		}
	})

	t.Run("PanicRejects", func(t *testing.T) {
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { panic("verifier bug") }})
		if err := dial(ctx); !errors.Is(err, ErrTLSVerify) {
			t.Fatalf("panicking verifier: %v", err)
		}
	})

	t.Run("ServerChecksClients", func(t *testing.T) {
		var seen atomic.Value
		sctx := mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, CAFile: p.caFile, ClientAuth: tls.RequireAndVerifyClientCert, VerifyPeerCertificate: func(raw [][]byte, verified [][]*x509.Certificate) error {
			cn := verified[0][0].Subject.CommonName
			seen.Store(cn)
			if cn != "client" {
				return errors.New("unexpected client " + cn)
			}
			return nil
		}})
		saddr, states := serveOurs(t, sctx)
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", saddr,
			&tls.Config{RootCAs: p.caPool, ServerName: "localhost", Certificates: []tls.Certificate{p.client}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		echoOnce(t, c, "client checked")
		<-states
		if seen.Load() != "client" {
			t.Errorf("server's verifier saw %v", seen.Load())
		}
	})

}

func TestTLSALPNSelect(t *testing.T) {
	p := newTestPKI(t)
	var offered atomic.Value
	sctx := mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SelectALPN: func(protos []string) string {
		offered.Store(append([]string(nil), protos...))
		for _, p := range protos {
			switch p {
			case "http/1.1":
				return p
			case "panic":
				panic("chooser bug")
			case "bogus":
				return "not-offered"
			}
		}
		return ""
	}})
	addr, states := serveOurs(t, sctx)
	dial := func(protos ...string) (string, TLSState) {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
			&tls.Config{RootCAs: p.caPool, ServerName: "localhost", NextProtos: protos})
		if err != nil {
			t.Fatalf("offering %q: %v", protos, err)
		}
		defer c.Close()
		echoOnce(t, c, "alpn")
		return c.ConnectionState().NegotiatedProtocol, <-states
	}

	got, st := dial("h2", "http/1.1")
	if got != "http/1.1" || st.NegotiatedProtocol != "http/1.1" {
		t.Errorf("negotiated %q / server %q, want http/1.1", got, st.NegotiatedProtocol)
	}
	if o, _ := offered.Load().([]string); len(o) != 2 || o[0] != "h2" || o[1] != "http/1.1" {
		t.Errorf("the function saw %q", o)
	}
	// Nothing acceptable, a pick that was not offered, and a panic all
	// continue without ALPN (RFC 7301 allows the server to decline).
	for _, protos := range [][]string{{"h2"}, {"bogus"}, {"panic"}} {
		if got, st := dial(protos...); got != "" || st.NegotiatedProtocol != "" {
			t.Errorf("offering %q: negotiated %q / %q", protos, got, st.NegotiatedProtocol)
		}
	}
	// Ours against ours.
	c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile, NextProtos: []string{"spdy/3", "http/1.1"}}), "localhost")
	defer c.Close()
	echoOnce(t, c, "ours")
	if st := c.State(); st.NegotiatedProtocol != "http/1.1" {
		t.Errorf("our client negotiated %q", st.NegotiatedProtocol)
	}
	<-states

	if _, err := NewTLSContext(&TLSConfig{SelectALPN: func([]string) string { return "" }}); !errors.Is(err, ErrTLS) {
		t.Errorf("ALPN chooser on a client context: %v", err)
	}
}
