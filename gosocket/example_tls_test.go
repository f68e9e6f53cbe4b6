package gosocket_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/libsocket/libsocket/gosocket"
)

// A TLS client: verify the server against ca.pem, offer h2, resume
// sessions across dials. The server name checked is the host of the
// address unless TLSConfig.ServerName says otherwise.
func ExampleDialTLSContext() {
	tc, err := gosocket.NewTLSContext(&gosocket.TLSConfig{
		CAFile:       "ca.pem",
		NextProtos:   []string{"h2", "http/1.1"},
		SessionCache: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := gosocket.DialTLSContext(ctx, "tcp", "example.com:443", tc)
	if err != nil {
		log.Fatal(err) // errors.Is(err, gosocket.ErrTLSVerify) for a bad certificate
	}
	defer c.Close()
	st := c.State()
	fmt.Println(tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol)
}

// An HTTPS server: net/http serves a TLSListener and fills Request.TLS
// through TLSConn.ConnectionState. net/http speaks HTTP/1.1 over a
// listener that is not crypto/tls's, so the context must not advertise
// "h2".
func ExampleListenTLS() {
	cert, err := tls.LoadX509KeyPair("cert.pem", "key.pem")
	if err != nil {
		log.Fatal(err)
	}
	tc, err := gosocket.NewTLSContext(&gosocket.TLSConfig{
		Server:       true,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := gosocket.ListenTLS("tcp", "127.0.0.1:8443", tc)
	if err != nil {
		log.Fatal(err)
	}
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, tls.VersionName(r.TLS.Version), r.TLS.ServerName)
	}))
}

// A DTLS echo server: cookie exchange is on by default, one association
// per client.
func ExampleListenDTLS() {
	dc, err := gosocket.NewDTLSContext(&gosocket.DTLSConfig{
		Server:   true,
		CertFile: "cert.pem",
		KeyFile:  "key.pem",
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := gosocket.ListenDTLS("udp", "127.0.0.1:5684", dc)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			io.Copy(c, c) // each Read is one datagram, each Write sends one
		}()
	}
}
