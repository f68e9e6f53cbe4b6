package http2

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// BenchmarkTransport compares this package's Transport with x/net's
// against the same x/net h2c server in the same run: "get" is a GET
// answered with 1 KiB from parallel goroutines on one connection,
// "post1M" echoes a 1 MiB body.
func BenchmarkTransport(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	xs := &xhttp2.Server{MaxConcurrentStreams: 1000}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go xs.ServeConn(c, &xhttp2.ServeConnOpts{Handler: benchHandler})
		}
	}()
	url := "http://" + ln.Addr().String() + "/"
	clients := []struct {
		name string
		new  func() (http.RoundTripper, func())
	}{
		{"libsocket", func() (http.RoundTripper, func()) {
			tr := &Transport{AllowHTTP: true, StrictMaxConcurrentStreams: true}
			return tr, tr.CloseIdleConnections
		}},
		{"xnet", func() (http.RoundTripper, func()) {
			tr := &xhttp2.Transport{
				AllowHTTP:                  true,
				StrictMaxConcurrentStreams: true,
				DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
					var d net.Dialer
					return d.DialContext(ctx, network, addr)
				},
			}
			return tr, tr.CloseIdleConnections
		}},
	}
	for _, cl := range clients {
		b.Run("get/"+cl.name, func(b *testing.B) {
			rt, done := cl.new()
			defer done()
			c := &http.Client{Transport: rt}
			b.ReportAllocs()
			b.SetBytes(int64(len(benchBody)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := c.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if n != int64(len(benchBody)) {
						b.Errorf("body %d bytes", n)
						return
					}
				}
			})
		})
	}
	for _, cl := range clients {
		b.Run("post1M/"+cl.name, func(b *testing.B) {
			rt, done := cl.new()
			defer done()
			c := &http.Client{Transport: rt}
			body := bytes.Repeat([]byte{'x'}, 1<<20)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				res, err := c.Post(url, "application/octet-stream", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if n != int64(len(body)) {
					b.Fatalf("echo %d bytes", n)
				}
			}
		})
	}
}
