package http2

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/libsocket/libsocket/gosocket"
	xhttp2 "golang.org/x/net/http2"
)

// selfSigned makes a certificate for localhost and 127.0.0.1.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestGosocketTLSALPN serves HTTP/2 on libsocket's own TLS listener
// (OpenSSL, ALPN "h2") to x/net's client on crypto/tls.
func TestGosocketTLSALPN(t *testing.T) {
	cert, pool := selfSigned(t)
	tc, err := gosocket.NewTLSContext(&gosocket.TLSConfig{Server: true, Certificates: []tls.Certificate{cert}, NextProtos: []string{NextProtoTLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	ln, err := gosocket.ListenTLS("tcp", "127.0.0.1:0", tc)
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{}
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil || r.TLS.NegotiatedProtocol != NextProtoTLS {
				t.Errorf("r.TLS = %+v", r.TLS)
			}
			n, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "%s %d", r.Proto, n)
		}))
	}()
	tr := &xhttp2.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	c := &http.Client{Transport: tr}
	res, err := c.Post("https://"+ln.Addr().String()+"/", "application/octet-stream", &pattern{n: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != fmt.Sprintf("HTTP/2.0 %d", 4<<20) || res.TLS == nil || res.TLS.NegotiatedProtocol != "h2" {
		t.Fatalf("got %q, TLS %+v", b, res.TLS)
	}
	tr.CloseIdleConnections()
	// Must not fire (the connection is idle): generous for a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	ln.Close()
	if err := <-done; err != ErrServerClosed {
		t.Errorf("Serve: %v", err)
	}
}

// TestTransportGosocketTLS runs the Transport over libsocket's own TLS
// (OpenSSL, ALPN "h2") through DialTLSContext, against x/net's server on
// crypto/tls.
func TestTransportGosocketTLS(t *testing.T) {
	p := xnetTLS(t, http.HandlerFunc(echoHandler))
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})
	tc, err := gosocket.NewTLSContext(&gosocket.TLSConfig{RootCAsPEM: ca, ServerName: "example.com", NextProtos: []string{NextProtoTLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	tr := &Transport{DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
		return gosocket.DialTLSContext(ctx, network, addr, tc)
	}}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(must(http.NewRequest("POST", p.url+"/", &pattern{n: 1 << 20})))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || n != 1<<20 || res.TLS == nil || res.TLS.NegotiatedProtocol != NextProtoTLS {
		t.Fatalf("echo %d bytes, %v, TLS %+v", n, err, res.TLS)
	}
}
