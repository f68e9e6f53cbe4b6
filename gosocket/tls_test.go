package gosocket

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/nettest"
)

// goTLSServer serves crypto/tls on 127.0.0.1 (package net): each
// connection runs the handshake and echoes what it reads until EOF. The
// connection states it saw are sent on the returned channel.
func goTLSServer(t *testing.T, cfg *tls.Config) (addr string, states <-chan tls.ConnectionState) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan tls.ConnectionState, 16)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c *tls.Conn) {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if c.Handshake() != nil {
					return
				}
				ch <- c.ConnectionState()
				io.Copy(c, c)
			}(c.(*tls.Conn))
		}
	}()
	return ln.Addr().String(), ch
}

func mustTLSContext(t testing.TB, cfg *TLSConfig) *TLSContext {
	t.Helper()
	c, err := NewTLSContext(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialTLSName is DialTLSContext checking the server against name, which
// tests vary per dial (the API takes it from TLSConfig.ServerName).
func dialTLSName(ctx context.Context, network, addr string, tc *TLSContext, name string) (*TLSConn, error) {
	nc, err := (&Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	sc, _ := streamConn(nc)
	c, err := newTLSConn("DialTLS", sc, tc, name, false)
	if err != nil {
		return nil, err
	}
	if err := c.Handshake(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func dialTLS(t *testing.T, addr string, ctx *TLSContext, name string) *TLSConn {
	t.Helper()
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialTLSName(cctx, "tcp", addr, ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Our client against crypto/tls servers.
func TestTLSClientGoServer(t *testing.T) {
	p := newTestPKI(t)
	base := func() *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{p.server}}
	}

	t.Run("TLS13Default", func(t *testing.T) {
		addr, states := goTLSServer(t, base())
		c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile}), "localhost")
		defer c.Close()
		echoOnce(t, c, "hello over TLS 1.3")
		st := c.State()
		if st.Version != tls.VersionTLS13 || !st.HandshakeComplete || !st.PeerVerified || st.DidResume {
			t.Errorf("state %+v", st)
		}
		if name := tls.CipherSuiteName(st.CipherSuite); !strings.HasPrefix(name, "TLS_") || name != st.CipherName {
			t.Errorf("cipher %#x %q (OpenSSL %q)", st.CipherSuite, name, st.CipherName)
		}
		if gs := <-states; gs.Version != tls.VersionTLS13 || gs.CipherSuite != st.CipherSuite || gs.ServerName != "localhost" {
			t.Errorf("server saw %x %x %q", gs.Version, gs.CipherSuite, gs.ServerName)
		}
	})

	t.Run("TLS12WhenAllowed", func(t *testing.T) {
		cfg := base()
		cfg.MaxVersion = tls.VersionTLS12
		addr, states := goTLSServer(t, cfg)
		c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile, MinVersion: tls.VersionTLS12}), "localhost")
		defer c.Close()
		echoOnce(t, c, "hello over TLS 1.2")
		st := c.State()
		if st.Version != tls.VersionTLS12 || !st.PeerVerified {
			t.Errorf("state %+v", st)
		}
		if gs := <-states; gs.Version != tls.VersionTLS12 || gs.CipherSuite != st.CipherSuite {
			t.Errorf("server saw %x %x, we %x", gs.Version, gs.CipherSuite, st.CipherSuite)
		}
	})

	t.Run("ALPN", func(t *testing.T) {
		cfg := base()
		cfg.NextProtos = []string{"h2", "http/1.1"}
		addr, states := goTLSServer(t, cfg)
		c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile, NextProtos: []string{"http/1.1", "h2"}}), "localhost")
		defer c.Close()
		echoOnce(t, c, "alpn")
		if got := c.ConnectionState().NegotiatedProtocol; got != "h2" {
			t.Errorf("ALPN %q, want h2 (server preference)", got)
		}
		if gs := <-states; gs.NegotiatedProtocol != "h2" {
			t.Errorf("server ALPN %q", gs.NegotiatedProtocol)
		}
	})

	t.Run("ClientCertificate", func(t *testing.T) {
		cfg := base()
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = p.caPool
		addr, states := goTLSServer(t, cfg)
		c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile, CertFile: p.clientCert, KeyFile: p.clientKey}), "localhost")
		defer c.Close()
		echoOnce(t, c, "with client cert")
		gs := <-states
		if len(gs.VerifiedChains) != 1 || gs.PeerCertificates[0].Subject.CommonName != "client" {
			t.Errorf("server did not verify our client certificate: %d chains", len(gs.VerifiedChains))
		}
	})

	t.Run("Resumption", func(t *testing.T) {
		addr, states := goTLSServer(t, base())
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile, SessionCache: true})
		for i, want := range []bool{false, true, true} {
			c := dialTLS(t, addr, ctx, "localhost")
			echoOnce(t, c, "resume me") // reads the server's tickets too
			st := c.State()
			c.Close()
			gs := <-states
			if st.DidResume != want || gs.DidResume != want {
				t.Errorf("connection %d: resumed %v (server %v), want %v", i, st.DidResume, gs.DidResume, want)
			}
		}
		if hits, _, _, err := ctx.CacheStats(); err != nil || hits != 2 {
			t.Errorf("client cache hits %d, %v; want 2", hits, err)
		}
	})
}

// crypto/tls clients against our server.
func TestTLSServerGoClient(t *testing.T) {
	p := newTestPKI(t)
	serve := serveOurs
	client := func(t *testing.T, addr string, cfg *tls.Config) *tls.Conn {
		cfg.RootCAs = p.caPool
		if cfg.ServerName == "" {
			cfg.ServerName = "localhost"
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("TLS13Default", func(t *testing.T) {
		addr, states := serve(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey}))
		c := client(t, addr, &tls.Config{})
		defer c.Close()
		echoOnce(t, c, "go client, TLS 1.3")
		gs := c.ConnectionState()
		if gs.Version != tls.VersionTLS13 || len(gs.VerifiedChains) != 1 {
			t.Fatalf("Go saw version %x, %d chains", gs.Version, len(gs.VerifiedChains))
		}
		chain := gs.VerifiedChains[0]
		if !chain[0].Equal(p.serverLeaf) || chain[len(chain)-1].Subject.CommonName != "libsocket test CA" {
			t.Errorf("chain %v", chain)
		}
		if st := <-states; st.Version != tls.VersionTLS13 || st.CipherSuite != gs.CipherSuite || st.PeerVerified {
			t.Errorf("our state %+v", st)
		}
	})

	t.Run("TLS12WhenAllowed", func(t *testing.T) {
		addr, states := serve(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, MinVersion: tls.VersionTLS12}))
		c := client(t, addr, &tls.Config{MaxVersion: tls.VersionTLS12})
		defer c.Close()
		echoOnce(t, c, "go client, TLS 1.2")
		if gs := c.ConnectionState(); gs.Version != tls.VersionTLS12 {
			t.Errorf("version %x", gs.Version)
		}
		if st := <-states; st.Version != tls.VersionTLS12 {
			t.Errorf("our version %x", st.Version)
		}
	})

	t.Run("ALPN", func(t *testing.T) {
		addr, states := serve(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, NextProtos: []string{"h2", "http/1.1"}}))
		c := client(t, addr, &tls.Config{NextProtos: []string{"http/1.1", "h2"}})
		defer c.Close()
		echoOnce(t, c, "alpn")
		if got := c.ConnectionState().NegotiatedProtocol; got != "h2" {
			t.Errorf("Go ALPN %q, want h2", got)
		}
		if st := <-states; st.NegotiatedProtocol != "h2" {
			t.Errorf("our ALPN %q", st.NegotiatedProtocol)
		}
	})

	// No common protocol: the handshake goes on without ALPN (the
	// original library's behaviour), no no_application_protocol alert.
	t.Run("ALPNNoOverlap", func(t *testing.T) {
		addr, states := serve(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, NextProtos: []string{"h2"}}))
		c := client(t, addr, &tls.Config{NextProtos: []string{"spdy/3"}})
		defer c.Close()
		echoOnce(t, c, "alpn mismatch")
		if got := c.ConnectionState().NegotiatedProtocol; got != "" {
			t.Errorf("Go ALPN %q, want none", got)
		}
		if st := <-states; st.NegotiatedProtocol != "" {
			t.Errorf("our ALPN %q", st.NegotiatedProtocol)
		}
	})

	t.Run("ClientCertificate", func(t *testing.T) {
		addr, states := serve(t, mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, CAFile: p.caFile, ClientAuth: tls.RequireAndVerifyClientCert}))
		c := client(t, addr, &tls.Config{Certificates: []tls.Certificate{p.client}})
		defer c.Close()
		echoOnce(t, c, "client cert")
		if st := <-states; !st.PeerVerified {
			t.Errorf("client certificate not verified: %+v", st)
		}
		// Without a certificate the handshake fails.
		c2, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: p.caPool, ServerName: "localhost"})
		if err == nil {
			c2.SetDeadline(time.Now().Add(5 * time.Second))
			_, err = c2.Read(make([]byte, 1)) // TLS 1.3: the alert follows the handshake
			c2.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("client without certificate: %v", err)
		}
	})

	t.Run("Resumption", func(t *testing.T) {
		key := bytes.Repeat([]byte{7}, 80)
		ctx := mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SessionCache: true, SessionTicketKey: key})
		addr, states := serve(t, ctx)
		cache := tls.NewLRUClientSessionCache(4)
		for i, want := range []bool{false, true, true} {
			c := client(t, addr, &tls.Config{ClientSessionCache: cache})
			echoOnce(t, c, "resume")
			gs := c.ConnectionState()
			c.Close()
			if st := <-states; gs.DidResume != want || st.DidResume != want {
				t.Errorf("connection %d: Go resumed %v, we %v; want %v", i, gs.DidResume, st.DidResume, want)
			}
		}
	})
}

// Rejections surface as the matching sentinel.
func TestTLSRejections(t *testing.T) {
	p := newTestPKI(t)
	good := &tls.Config{Certificates: []tls.Certificate{p.server}}
	for _, tt := range []struct {
		name   string
		server *tls.Config
		cfg    *TLSConfig
		host   string
		want   error
	}{
		{"UnknownCA", &tls.Config{Certificates: []tls.Certificate{p.rogue}}, nil, "localhost", ErrTLSVerify},
		{"WrongHostname", good, nil, "wrong.example", ErrTLSVerify},
		{"SystemStoreDoesNotKnowOurCA", good, &TLSConfig{}, "localhost", ErrTLSVerify},
		{"PinMismatch", good, &TLSConfig{CAFile: p.caFile, Pins: [][32]byte{p.otherCASPKI}}, "localhost", ErrTLSPin},
		{"TLS12OnlyServer", &tls.Config{Certificates: []tls.Certificate{p.server}, MaxVersion: tls.VersionTLS12},
			nil, "localhost", ErrTLSHandshake},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := goTLSServer(t, tt.server)
			cfg := tt.cfg
			if cfg == nil {
				cfg = &TLSConfig{CAFile: p.caFile}
			}
			ctx := mustTLSContext(t, cfg)
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := dialTLSName(cctx, "tcp", addr, ctx, tt.host)
			if err == nil {
				c.Close()
				t.Fatal("handshake succeeded")
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrTLS) {
				t.Fatalf("error %v; want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
	t.Run("PinMatch", func(t *testing.T) {
		addr, _ := goTLSServer(t, good)
		c := dialTLS(t, addr, mustTLSContext(t, &TLSConfig{CAFile: p.caFile, Pins: [][32]byte{p.serverSPKI}}), "localhost")
		defer c.Close()
		echoOnce(t, c, "pinned")
	})
	t.Run("WrongOptions", func(t *testing.T) {
		if _, err := NewTLSContext(&TLSConfig{ClientAuth: tls.RequireAndVerifyClientCert}); !errors.Is(err, ErrTLS) {
			t.Errorf("ClientAuth on a client: %v", err)
		}
		if _, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, ClientAuth: tls.RequestClientCert}); !errors.Is(err, ErrTLS) {
			t.Errorf("RequestClientCert: %v", err)
		}
		if _, err := NewTLSContext(&TLSConfig{Server: true}); !errors.Is(err, ErrTLS) {
			t.Errorf("server without certificate: %v", err)
		}
		if _, err := NewTLSContext(&TLSConfig{NextProtos: []string{"h2", ""}}); !errors.Is(err, ErrTLS) {
			t.Errorf("empty ALPN name: %v", err)
		}
		if _, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.dir + "/missing.pem", KeyFile: p.serverKey}); !errors.Is(err, ErrTLS) {
			t.Errorf("missing certificate: %v", err)
		}
	})
}

// tlsPipe returns our client and our server connected over loopback.
func tlsPipe(t testing.TB, p *testPKI) (client, server *TLSConn, stop func()) {
	t.Helper()
	sctx, err := NewTLSContext(&TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey})
	if err != nil {
		t.Fatal(err)
	}
	cctx, err := NewTLSContext(&TLSConfig{CAFile: p.caFile, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := ListenTLS("tcp", "127.0.0.1:0", sctx)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *TLSConn, 1)
	go func() {
		c, err := ln.AcceptTLS()
		if err != nil {
			ch <- nil
			return
		}
		ch <- c
	}()
	conn, err := DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client, err = TLSClient(conn.(*Conn), cctx)
	if err != nil {
		t.Fatal(err)
	}
	server = <-ch
	ln.Close()
	sctx.Close()
	cctx.Close()
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server, func() { client.Close(); server.Close() }
}

// TLS over a Unix socket: the server name is checked against the
// certificate (there is no address to fall back on).
func TestTLSOverUnix(t *testing.T) {
	p := newTestPKI(t)
	ln, err := ListenTLS("unix", abstractName("tls"), mustTLSContext(t, &TLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, CAFile: p.caFile, ClientAuth: tls.RequireAndVerifyClientCert}))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	errs := make(chan error, 2)
	go func() {
		for range 2 {
			c, err := ln.AcceptTLS()
			if err != nil {
				errs <- err
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			err = c.Handshake(context.Background())
			if err == nil {
				_, err = io.Copy(c, c)
			}
			c.Close()
			errs <- err
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialTLSName(ctx, "unix", ln.Addr().String(), mustTLSContext(t, &TLSConfig{CAFile: p.caFile, CertFile: p.clientCert, KeyFile: p.clientKey}), "localhost")
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, c, "over a Unix socket")
	c.CloseWrite() // close_notify: the server's copy ends with io.EOF
	if err := <-errs; err != nil {
		t.Errorf("server: %v", err)
	}
	c.Close()

	// Without a client certificate our server rejects the handshake.
	c, err = dialTLSName(ctx, "unix", ln.Addr().String(), mustTLSContext(t, &TLSConfig{CAFile: p.caFile}), "localhost")
	if err == nil {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 1)) // TLS 1.3: the alert follows the handshake
		c.Close()
	}
	if !errors.Is(err, ErrTLS) {
		t.Errorf("client without certificate: %v", err)
	}
	// The C library files a missing client certificate under
	// verification (SocketTLS_VerifyFailed).
	if err := <-errs; !errors.Is(err, ErrTLSVerify) {
		t.Errorf("server: %v; want ErrTLSVerify", err)
	}
}

func TestTLSNettest(t *testing.T) {
	p := newTestPKI(t)
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		a, b, stop := tlsPipe(t, p)
		// Complete the handshake first: the tests set deadlines in the
		// past, and a handshake failure is final (as in crypto/tls).
		errc := make(chan error, 1)
		go func() { errc <- b.Handshake(context.Background()) }()
		if err := a.Handshake(context.Background()); err != nil {
			return nil, nil, nil, err
		}
		if err := <-errc; err != nil {
			return nil, nil, nil, err
		}
		return a, b, stop, nil
	})
}

func TestTLSDeadlinesAndClose(t *testing.T) {
	p := newTestPKI(t)

	t.Run("ReadDeadline", func(t *testing.T) {
		c, s, stop := tlsPipe(t, p)
		defer stop()
		// Handshake first: a 50 ms deadline that a loaded machine lets
		// expire during the handshake fails it for good, and this test is
		// about a read deadline on a working connection.
		go s.Handshake(context.Background())
		if err := c.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		start := time.Now()
		_, err := c.Read(make([]byte, 10))
		var ne net.Error
		if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Read = %v", err)
		}
		if d := time.Since(start); d > 10*time.Second { // generous: only "it fires"
			t.Errorf("deadline took %v", d)
		}
		// The connection still works after a timeout.
		c.SetReadDeadline(time.Time{})
		go s.Write([]byte("late"))
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "late" {
			t.Fatalf("after timeout: %q, %v", buf, err)
		}
	})

	t.Run("CloseDuringBlockedRead", func(t *testing.T) {
		c, s, stop := tlsPipe(t, p)
		defer stop()
		go s.Handshake(context.Background())
		if err := c.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 10))
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		c.Close()
		select {
		case err := <-done:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("Read after Close = %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake Read")
		}
	})

	t.Run("SmallReadsFromOneRecord", func(t *testing.T) {
		c, s, stop := tlsPipe(t, p)
		defer stop()
		go s.Write([]byte("abcdef")) // one record, then silence
		// Generous: the deadline also covers the handshake.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var got []byte
		one := make([]byte, 1)
		for range 6 { // the rest of the record is in OpenSSL, not the socket
			n, err := c.Read(one)
			if err != nil {
				t.Fatalf("after %q: %v", got, err)
			}
			got = append(got, one[:n]...)
		}
		if string(got) != "abcdef" {
			t.Errorf("%q", got)
		}
	})

	t.Run("PeerCloseIsEOF", func(t *testing.T) {
		c, s, stop := tlsPipe(t, p)
		defer stop()
		go func() {
			s.Write([]byte("bye"))
			s.Close()
		}()
		got, err := io.ReadAll(c)
		if err != nil || string(got) != "bye" {
			t.Errorf("ReadAll = %q, %v", got, err)
		}
	})

	// A server that accepts TCP but never answers the ClientHello.
	silent := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
			}
		}()
		return ln.Addr().String()
	}

	t.Run("HandshakeContextDeadline", func(t *testing.T) {
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile})
		cctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := dialTLSName(cctx, "tcp", silent(t), ctx, "localhost")
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("DialTLS = %v", err)
		}
	})

	t.Run("HandshakeContextCancel", func(t *testing.T) {
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile})
		cctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := dialTLSName(cctx, "tcp", silent(t), ctx, "localhost")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("DialTLS = %v", err)
		}
	})

	t.Run("HandshakeConnDeadline", func(t *testing.T) {
		ctx := mustTLSContext(t, &TLSConfig{CAFile: p.caFile})
		conn, err := DialContext(context.Background(), "tcp", silent(t))
		if err != nil {
			t.Fatal(err)
		}
		c, err := TLSClient(conn.(*Conn), ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Write([]byte("x")); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Write before handshake = %v", err)
		}
	})
}
