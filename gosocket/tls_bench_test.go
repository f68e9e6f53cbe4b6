package gosocket

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
)

// Handshake and bulk benchmarks: the C library (OpenSSL through cgo and
// gosocket) against crypto/tls, and DTLS against pion/dtls, each side
// talking to itself over loopback with the same ECDSA P-256 certificates.
// Both ends run in this process, so a handshake costs client + server.
//
//	go test -run '^$' -bench 'TLS|DTLS' -benchtime 2s ./gosocket

// serveOurTLS accepts, handshakes, writes one byte (which also carries
// TLS 1.3 session tickets to the client), then discards until EOF.
func serveOurTLS(b *testing.B, ctx *TLSContext) string {
	ln, err := ListenTLS("tcp", "127.0.0.1:0", ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.AcceptTLS()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := c.Write([]byte{1}); err == nil {
					io.Copy(io.Discard, c)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func serveGoTLS(b *testing.B, cfg *tls.Config) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := c.Write([]byte{1}); err == nil {
					io.Copy(io.Discard, c)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func benchOurHandshakes(b *testing.B, addr string, ctx *TLSContext, wantResumed bool) {
	var one [1]byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := dialTLSName(context.Background(), "tcp", addr, ctx, "localhost")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, one[:]); err != nil {
			b.Fatal(err)
		}
		if i > 0 && c.ConnectionState().DidResume != wantResumed {
			b.Fatalf("handshake %d: resumed %v", i, !wantResumed)
		}
		c.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

func benchGoHandshakes(b *testing.B, addr string, cfg *tls.Config, wantResumed bool) {
	var one [1]byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, one[:]); err != nil {
			b.Fatal(err)
		}
		if i > 0 && c.ConnectionState().DidResume != wantResumed {
			b.Fatalf("handshake %d: resumed %v", i, !wantResumed)
		}
		c.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

func BenchmarkTLSHandshake(b *testing.B) {
	p := newTestPKI(b)
	b.Run("gosocket", func(b *testing.B) {
		addr := serveOurTLS(b, mustTLSContext(b, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey}))
		benchOurHandshakes(b, addr, mustTLSContext(b, &TLSConfig{CAFile: p.caFile}), false)
	})
	b.Run("crypto_tls", func(b *testing.B) {
		addr := serveGoTLS(b, &tls.Config{Certificates: []tls.Certificate{p.server}, SessionTicketsDisabled: true})
		benchGoHandshakes(b, addr, &tls.Config{RootCAs: p.caPool, ServerName: "localhost"}, false)
	})
}

func BenchmarkTLSResumedHandshake(b *testing.B) {
	p := newTestPKI(b)
	b.Run("gosocket", func(b *testing.B) {
		addr := serveOurTLS(b, mustTLSContext(b, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SessionCache: true, SessionTicketKey: bytes.Repeat([]byte{9}, 80)}))
		benchOurHandshakes(b, addr, mustTLSContext(b, &TLSConfig{CAFile: p.caFile, SessionCache: true}), true)
	})
	b.Run("crypto_tls", func(b *testing.B) {
		addr := serveGoTLS(b, &tls.Config{Certificates: []tls.Certificate{p.server}})
		benchGoHandshakes(b, addr, &tls.Config{RootCAs: p.caPool, ServerName: "localhost",
			ClientSessionCache: tls.NewLRUClientSessionCache(8)}, true)
	})
}

func benchBulk(b *testing.B, c net.Conn) {
	var one [1]byte
	if _, err := io.ReadFull(c, one[:]); err != nil { // handshake done
		b.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTLSBulk64K(b *testing.B) {
	p := newTestPKI(b)
	b.Run("gosocket", func(b *testing.B) {
		addr := serveOurTLS(b, mustTLSContext(b, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey}))
		c, err := dialTLSName(context.Background(), "tcp", addr, mustTLSContext(b, &TLSConfig{CAFile: p.caFile}), "localhost")
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		benchBulk(b, c)
	})
	b.Run("crypto_tls", func(b *testing.B) {
		addr := serveGoTLS(b, &tls.Config{Certificates: []tls.Certificate{p.server}})
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: p.caPool, ServerName: "localhost"})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		benchBulk(b, c)
	})
}

func BenchmarkDTLSHandshake(b *testing.B) {
	p := newTestPKI(b)
	b.Run("gosocket", func(b *testing.B) {
		ln, err := ListenDTLS("udp", "127.0.0.1:0", mustDTLSContext(b, &DTLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey}))
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.AcceptDTLS()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.SetDeadline(time.Now().Add(10 * time.Second))
					c.Write([]byte{1})
					c.Read(make([]byte, 16)) // until the client's close_notify
				}()
			}
		}()
		ctx := mustDTLSContext(b, &DTLSConfig{CAFile: p.caFile})
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c, err := DialDTLSContext(context.Background(), "udp", ln.Addr().String(), ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(make([]byte, 16)); err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
	})
	b.Run("pion", func(b *testing.B) {
		ln, err := dtls.Listen("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, pionCertConfig(p))
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.SetDeadline(time.Now().Add(10 * time.Second))
					c.Write([]byte{1})
					c.Read(make([]byte, 16))
				}()
			}
		}()
		cfg := pionCertConfig(p)
		cfg.Certificates = nil
		cfg.ServerName = "localhost"
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c, err := dtls.Dial("udp", ln.Addr().(*net.UDPAddr), cfg)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(make([]byte, 16)); err != nil { // runs the handshake
				b.Fatal(err)
			}
			c.Close()
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
	})
}
