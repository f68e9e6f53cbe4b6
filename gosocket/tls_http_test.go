package gosocket

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
)

// net/http's server on our TLS listener, net/http's client on crypto/tls.
func TestTLSHTTPServerGoClient(t *testing.T) {
	p := newTestPKI(t)
	ln, err := ListenTLS("tcp", "127.0.0.1:0", mustTLSContext(t, WithServer(),
		WithCertificate(p.serverCert, p.serverKey), WithALPN("http/1.1")))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %d tls=%v", r.Method, r.URL.Path, len(body), r.TLS != nil)
		}),
		ReadTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.caPool, ServerName: "localhost"}}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := range 10 {
		body := strings.Repeat("x", i*5000)
		resp, err := client.Post("https://"+ln.Addr().String()+"/echo", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// net/http sees a net.Conn, not a *tls.Conn, so r.TLS is nil.
		if want := fmt.Sprintf("POST /echo %d tls=false", len(body)); string(got) != want || resp.TLS == nil {
			t.Fatalf("%q; want %q", got, want)
		}
	}
	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	<-served
}

// net/http's client dialling through DialTLS, against httptest's
// crypto/tls server.
func TestTLSHTTPClientGoServer(t *testing.T) {
	p := newTestPKI(t)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s %x", r.TLS.ServerName, r.TLS.Version)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}}
	ts.StartTLS()
	defer ts.Close()
	tctx := mustTLSContext(t, WithCA(p.caFile), WithSessionCache(0, 0))
	tr := &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return DialTLS(ctx, network, addr, tctx, "localhost")
		},
	}
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

	ln, err := ListenDTLS("127.0.0.1:0", mustDTLSContext(t, WithServer(), WithCertificate(p.serverCert, p.serverKey)))
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
