package gosocket

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
)

// net/http's server on our TLS listener, net/http's client on crypto/tls:
// net/http fills r.TLS through TLSConn.ConnectionState, with the client's
// certificate when the server asks for one.
func TestTLSHTTPServerGoClient(t *testing.T) {
	p := newTestPKI(t)
	for _, clientAuth := range []bool{false, true} {
		t.Run(fmt.Sprintf("ClientAuth=%v", clientAuth), func(t *testing.T) {
			cfg := &TLSConfig{Server: true, Certificates: []tls.Certificate{p.server}, NextProtos: []string{"http/1.1"}}
			gocfg := &tls.Config{RootCAs: p.caPool, ServerName: "localhost", NextProtos: []string{"http/1.1"}}
			if clientAuth {
				cfg.RootCAsPEM = pemOf(p.ca.Raw)
				cfg.ClientAuth = tls.RequireAndVerifyClientCert
				gocfg.Certificates = []tls.Certificate{p.client}
			}
			ln, err := ListenTLS("tcp", "127.0.0.1:0", mustTLSContext(t, cfg))
			if err != nil {
				t.Fatal(err)
			}
			states := make(chan *tls.ConnectionState, 20)
			srv := &http.Server{
				Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					states <- r.TLS
					fmt.Fprintf(w, "%s %s %d", r.Method, r.URL.Path, len(body))
				}),
				ReadTimeout: 5 * time.Second,
			}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			tr := &http.Transport{TLSClientConfig: gocfg}
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for i := range 5 {
				body := strings.Repeat("x", i*5000)
				resp, err := client.Post("https://"+ln.Addr().String()+"/echo", "text/plain", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf("POST /echo %d", len(body)); string(got) != want || resp.TLS == nil {
					t.Fatalf("%q; want %q", got, want)
				}
				st := <-states
				if st == nil {
					t.Fatal("r.TLS is nil")
				}
				if !st.HandshakeComplete || st.Version != tls.VersionTLS13 || st.CipherSuite != resp.TLS.CipherSuite ||
					st.NegotiatedProtocol != "http/1.1" || st.ServerName != "localhost" {
					t.Fatalf("r.TLS = %+v; client saw %x %x", st, resp.TLS.Version, resp.TLS.CipherSuite)
				}
				if !clientAuth {
					if len(st.PeerCertificates) != 0 || st.VerifiedChains != nil {
						t.Fatalf("peer certificates without client auth: %d", len(st.PeerCertificates))
					}
					continue
				}
				if len(st.PeerCertificates) == 0 || !st.PeerCertificates[0].Equal(p.client.Leaf) {
					t.Fatalf("PeerCertificates %v", st.PeerCertificates)
				}
				if len(st.VerifiedChains) != 1 || !st.VerifiedChains[0][len(st.VerifiedChains[0])-1].Equal(p.ca) {
					t.Fatalf("VerifiedChains %v", st.VerifiedChains)
				}
			}
			tr.CloseIdleConnections()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
			<-served
		})
	}
}

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// net/http's client dialling through TLSDialer, against httptest's
// crypto/tls server.
func TestTLSHTTPClientGoServer(t *testing.T) {
	p := newTestPKI(t)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s %x", r.TLS.ServerName, r.TLS.Version)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}}
	ts.StartTLS()
	defer ts.Close()
	tctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, SessionCache: true, ServerName: "localhost"})
	tr := &http.Transport{DialTLSContext: (&TLSDialer{Context: tctx}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for range 3 {
		resp, err := client.Get(ts.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != "hello localhost 304" {
			t.Fatalf("%q", got)
		}
		tr.CloseIdleConnections() // next request: a new connection, resumed
	}
	if hits, _, _, _ := tctx.CacheStats(); hits < 1 {
		t.Errorf("no resumption across HTTP connections (hits %d)", hits)
	}
}

// A ClientHello without cookie gets only a HelloVerifyRequest: no
// association is accepted.
func TestDTLSCookieExchange(t *testing.T) {
	p := newTestPKI(t)
	// Capture the first datagram of a pion client: a ClientHello with an
	// empty cookie.
	sink, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	go func() {
		cfg := pionCertConfig(p)
		cfg.Certificates = nil
		c, err := dtls.Dial("udp", sink.LocalAddr().(*net.UDPAddr), cfg)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			c.HandshakeContext(ctx)
			cancel()
			c.Close()
		}
	}()
	hello := make([]byte, 2048)
	sink.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := sink.ReadFrom(hello)
	if err != nil {
		t.Fatal(err)
	}
	hello = hello[:n]
	if hello[0] != 22 || hello[13] != 1 {
		t.Fatalf("not a ClientHello: % x", hello[:16])
	}

	ln, err := ListenDTLS("udp", "127.0.0.1:0", mustDTLSContext(t, &DTLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey}))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan *DTLSConn, 1)
	go func() {
		if c, err := ln.AcceptDTLS(); err == nil {
			accepted <- c
		}
	}()
	raw, err := net.DialUDP("udp", nil, ln.Addr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for i := range 3 {
		if _, err := raw.Write(hello); err != nil {
			t.Fatal(err)
		}
		raw.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 2048)
		n, err := raw.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		// DTLS record: type 22 (handshake); handshake type 3 is
		// HelloVerifyRequest.
		if n < 14 || buf[0] != 22 || buf[13] != 3 {
			t.Fatalf("reply %d: not a HelloVerifyRequest: % x", i, buf[:min(n, 16)])
		}
	}
	select {
	case c := <-accepted:
		c.Close()
		t.Fatal("a ClientHello without cookie was accepted")
	case <-time.After(100 * time.Millisecond):
	}
}

// A client that connects and never sends its ClientHello: ConnectionState,
// which net/http calls first and without a deadline, gives up after the
// listener's HandshakeTimeout instead of holding the goroutine forever.
func TestTLSListenerHandshakeTimeout(t *testing.T) {
	p := newTestPKI(t)
	ln, err := ListenTLS("tcp", "127.0.0.1:0", mustTLSContext(t, &TLSConfig{Server: true, Certificates: []tls.Certificate{p.server}}))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ln.HandshakeTimeout != DefaultTLSHandshakeTimeout {
		t.Fatalf("HandshakeTimeout = %v, want the default %v", ln.HandshakeTimeout, DefaultTLSHandshakeTimeout)
	}
	ln.HandshakeTimeout = 200 * time.Millisecond
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	c, err := ln.AcceptTLS()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	start := time.Now()
	done := make(chan tls.ConnectionState, 1)
	go func() { done <- c.ConnectionState() }()
	select {
	case st := <-done:
		if st.HandshakeComplete {
			t.Fatal("handshake complete with a silent client")
		}
		if el := time.Since(start); el < 150*time.Millisecond {
			t.Fatalf("gave up after %v, before the 200ms timeout", el)
		}
	case <-time.After(5 * time.Second):
		c.Close() // unblock the goroutine
		t.Fatal("ConnectionState still waiting for the silent client after 5s")
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read after the timed-out handshake = %v, want a deadline error", err)
	}
}
