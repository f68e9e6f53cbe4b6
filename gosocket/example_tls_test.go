package gosocket_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/libsocket/libsocket/gosocket"
)

// A TLS client: verify the server against ca.pem, offer h2, resume
// sessions across dials.
func ExampleDialTLS() {
	tctx, err := gosocket.NewTLSContext(
		gosocket.WithCA("ca.pem"),
		gosocket.WithALPN("h2", "http/1.1"),
		gosocket.WithSessionCache(0, 0),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer tctx.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := gosocket.DialTLS(ctx, "tcp", "example.com:443", tctx, "")
	if err != nil {
		log.Fatal(err) // errors.Is(err, gosocket.ErrTLSVerify) for a bad certificate
	}
	defer c.Close()
	st := c.ConnectionState()
	fmt.Println(tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol)
}

// A DTLS echo server: cookie exchange is on by default, one association
// per client.
func ExampleListenDTLS() {
	dctx, err := gosocket.NewDTLSContext(gosocket.WithServer(),
		gosocket.WithCertificate("cert.pem", "key.pem"))
	if err != nil {
		log.Fatal(err)
	}
	ln, err := gosocket.ListenDTLS("127.0.0.1:5684", dctx)
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
