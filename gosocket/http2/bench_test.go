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

// benchHandler answers GET with 1 KiB and echoes POST bodies.
var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		io.Copy(w, r.Body)
		return
	}
	w.Write(benchBody)
})

var benchBody = bytes.Repeat([]byte("0123456789abcdef"), 64)

// benchServe serves benchHandler on a 127.0.0.1 h2c listener with our
// Server (ours true) or x/net's, and returns a client with x/net's
// Transport.
func benchServe(b *testing.B, ours bool) (string, *http.Client) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &Server{}
	xs := &xhttp2.Server{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if ours {
				go srv.ServeConn(c, benchHandler)
			} else {
				go xs.ServeConn(c, &xhttp2.ServeConnOpts{Handler: benchHandler})
			}
		}
	}()
	tr := &xhttp2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	b.Cleanup(func() {
		tr.CloseIdleConnections()
		ln.Close()
		srv.Shutdown(context.Background())
	})
	return "http://" + ln.Addr().String(), &http.Client{Transport: tr}
}

// BenchmarkHTTP2Server compares this package's server with x/net's under
// the same x/net client on one h2c connection: "get" is a GET answered
// with 1 KiB from parallel goroutines, "post1M" echoes a 1 MiB body.
func BenchmarkHTTP2Server(b *testing.B) {
	for _, impl := range []struct {
		name string
		ours bool
	}{{"libsocket", true}, {"xnet", false}} {
		b.Run("get/"+impl.name, func(b *testing.B) {
			url, c := benchServe(b, impl.ours)
			b.ReportAllocs()
			b.SetBytes(int64(len(benchBody)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := c.Get(url + "/")
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
		b.Run("post1M/"+impl.name, func(b *testing.B) {
			url, c := benchServe(b, impl.ours)
			body := bytes.Repeat([]byte{'x'}, 1<<20)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				res, err := c.Post(url+"/", "application/octet-stream", bytes.NewReader(body))
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
