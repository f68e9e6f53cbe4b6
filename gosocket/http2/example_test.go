package http2_test

import (
	"io"
	"log"
	"net"
	"net/http"

	"github.com/libsocket/libsocket/gosocket/http2"
)

// Serving h2c with prior knowledge on a plain listener.
func ExampleServer_Serve() {
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http2.Server{}
	log.Fatal(srv.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over "+r.Proto)
	})))
}

// Serving "h2" negotiated by ALPN from an http.Server (HTTP/1.1 stays
// with net/http).
func ExampleConfigureServer() {
	hs := &http.Server{Addr: ":8443", Handler: http.NotFoundHandler()}
	if err := http2.ConfigureServer(hs, &http2.Server{}); err != nil {
		log.Fatal(err)
	}
	log.Fatal(hs.ListenAndServeTLS("cert.pem", "key.pem"))
}

// A client for HTTP/2 servers: "https" with ALPN, "http" as h2c with
// prior knowledge (AllowHTTP), all requests to one host multiplexed on
// one connection.
func ExampleTransport() {
	tr := &http2.Transport{AllowHTTP: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	res, err := c.Get("http://127.0.0.1:8080/")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
}

// Server push from a handler; clients that disabled push (Go's among
// them) get http.ErrNotSupported.
func ExampleServer_push() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := w.(http.Pusher); ok && r.URL.Path == "/" {
			p.Push("/style.css", nil) // a failed push is no reason to fail the page
		}
		io.WriteString(w, "<link rel=stylesheet href=/style.css>")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal((&http2.Server{}).Serve(ln, h))
}
