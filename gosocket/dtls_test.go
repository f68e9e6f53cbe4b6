package gosocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
)

func mustDTLSContext(t testing.TB, cfg *DTLSConfig) *DTLSContext {
	t.Helper()
	c, err := NewDTLSContext(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends n datagrams each way and checks they arrive intact and
// in one piece: c writes "c2s-i", peer echoes it prefixed with "echo:".
func dtlsExchange(t *testing.T, c net.Conn, n int) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	for i := range n {
		msg := fmt.Sprintf("c2s-%d-%s", i, string(make([]byte, i*50)))
		if w, err := c.Write([]byte(msg)); err != nil || w != len(msg) {
			t.Fatalf("Write %d = %d, %v", i, w, err)
		}
		r, err := c.Read(buf)
		if err != nil || string(buf[:r]) != "echo:"+msg {
			t.Fatalf("datagram %d: %q, %v", i, buf[:min(r, 40)], err)
		}
	}
}

// dtlsEcho answers each datagram with "echo:" + datagram until an error.
func dtlsEcho(c net.Conn) error {
	buf := make([]byte, 2048)
	for {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		if _, err := c.Write(append([]byte("echo:"), buf[:n]...)); err != nil {
			return err
		}
	}
}

// ourDTLSServer accepts associations and echoes on each.
func ourDTLSServer(t *testing.T, ctx *DTLSContext) (*DTLSListener, <-chan TLSState) {
	t.Helper()
	ln, err := ListenDTLS("udp", "127.0.0.1:0", ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	states := make(chan TLSState, 16)
	go func() {
		for {
			c, err := ln.AcceptDTLS()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if c.Handshake(hctx) != nil {
					return // e.g. the UnknownCA case
				}
				states <- c.State()
				dtlsEcho(c)
			}()
		}
	}()
	return ln, states
}

func pionCertConfig(p *testPKI) *dtls.Config {
	return &dtls.Config{
		Certificates:         []tls.Certificate{p.server},
		ExtendedMasterSecret: dtls.RequireExtendedMasterSecret,
		RootCAs:              p.caPool,
		ClientCAs:            p.caPool,
	}
}

func TestDTLSOurClientPionServer(t *testing.T) {
	p := newTestPKI(t)
	cfg := pionCertConfig(p)
	cfg.ClientAuth = dtls.RequireAndVerifyClientCert
	ln, err := dtls.Listen("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, cfg) // HelloVerifyRequest on
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.(*dtls.Conn).HandshakeContext(hctx); err != nil {
			served <- err
			return
		}
		st, _ := c.(*dtls.Conn).ConnectionState()
		if len(st.PeerCertificates) == 0 {
			served <- errors.New("pion saw no client certificate")
			return
		}
		served <- dtlsEcho(c)
	}()

	ctx := mustDTLSContext(t, &DTLSConfig{CAFile: p.caFile, CertFile: p.clientCert, KeyFile: p.clientKey})
	dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := c.State()
	if st.Version != 0xfefd || !st.PeerVerified || st.CipherSuite == 0 {
		t.Errorf("state %+v", st)
	}
	dtlsExchange(t, c, 10)
	c.Close() // close_notify: pion's Read returns an error
	select {
	case err := <-served:
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("pion server ended with %v; want the close_notify", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("pion did not see close_notify")
	}
}

func TestDTLSPionClientOurServer(t *testing.T) {
	p := newTestPKI(t)
	sctx := mustDTLSContext(t, &DTLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey})
	ln, states := ourDTLSServer(t, sctx)
	for i := range 3 { // several clients, one association (socket) each
		cfg := pionCertConfig(p)
		cfg.Certificates = nil
		cfg.ServerName = "localhost"
		c, err := dtls.Dial("udp", ln.Addr().(*net.UDPAddr), cfg)
		if err != nil {
			t.Fatal(err)
		}
		hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.HandshakeContext(hctx); err != nil {
			cancel()
			t.Fatalf("client %d: %v", i, err)
		}
		cancel()
		dtlsExchange(t, c, 8)
		if st := <-states; st.Version != 0xfefd || st.PeerVerified || !st.HandshakeComplete {
			t.Errorf("our state %+v", st)
		}
		c.Close()
	}
}

func TestDTLSOurClientOurServer(t *testing.T) {
	p := newTestPKI(t)
	sctx := mustDTLSContext(t, &DTLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, NextProtos: []string{"coap"}})
	ln, states := ourDTLSServer(t, sctx)
	// Concurrent clients exercise several associations on one port. Their
	// datagrams can collide on the listening socket (see DTLSListener);
	// a short retransmission timer keeps that cheap.
	cctx := mustDTLSContext(t, &DTLSConfig{CAFile: p.caFile, NextProtos: []string{"coap"}, RetransmitTimeout: 100 * time.Millisecond, MaxRetransmitTimeout: time.Second})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if c.ConnectionState().NegotiatedProtocol != "coap" {
				errs <- errors.New("no ALPN")
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			for i := range 5 {
				msg := fmt.Sprintf("%s #%d", c.LocalAddr(), i)
				c.Write([]byte(msg))
				buf := make([]byte, 100)
				n, err := c.Read(buf)
				if err != nil || string(buf[:n]) != "echo:"+msg {
					errs <- fmt.Errorf("got %q, %v", buf[:n], err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
			continue
		}
		select {
		case <-states:
		case <-time.After(10 * time.Second):
			t.Error("server state missing")
		}
	}

	t.Run("ShortBufferKeepsTheRest", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("0123456789"))
		a, b := make([]byte, 6), make([]byte, 64)
		n1, err1 := c.Read(a)
		n2, err2 := c.Read(b)
		if err1 != nil || err2 != nil || string(a[:n1])+string(b[:n2]) != "echo:0123456789" {
			t.Errorf("%q %v, %q %v", a[:n1], err1, b[:n2], err2)
		}
	})

	t.Run("TooLargeForOneRecord", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write(make([]byte, 4000)); !errors.Is(err, ErrTLS) {
			t.Errorf("Write(4000) = %v", err)
		}
	})

	t.Run("ReadDeadline", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read = %v", err)
		}
		c.SetReadDeadline(time.Time{})
		dtlsExchange(t, c, 1) // still usable
	})

	t.Run("CloseDuringRead", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 10))
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		c.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read = %v", err)
		}
	})

	t.Run("Resumption", func(t *testing.T) {
		sctx := mustDTLSContext(t, &DTLSConfig{Server: true, CertFile: p.serverCert, KeyFile: p.serverKey, SessionCache: true})
		ln, states := ourDTLSServer(t, sctx)
		cctx := mustDTLSContext(t, &DTLSConfig{CAFile: p.caFile, SessionCache: true})
		for i, want := range []bool{false, true} {
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), cctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			dtlsExchange(t, c, 1)
			st := c.State()
			c.Close()
			if sst := <-states; st.DidResume != want || sst.DidResume != want {
				t.Errorf("association %d: resumed %v (server %v), want %v", i, st.DidResume, sst.DidResume, want)
			}
		}
	})

	t.Run("UnknownCA", func(t *testing.T) {
		other := mustDTLSContext(t, &DTLSConfig{CAFile: p.otherCAFile})
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := DialDTLSContext(dctx, "udp", ln.Addr().String(), other); !errors.Is(err, ErrTLSVerify) {
			t.Errorf("DialDTLS = %v", err)
			if c != nil {
				c.Close()
			}
		}
	})
}

// A silent server: the handshake retransmits, then the context ends it.
func TestDTLSHandshakeTimeout(t *testing.T) {
	p := newTestPKI(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	got := make(chan int, 1)
	go func() {
		n := 0
		buf := make([]byte, 2048)
		for {
			pc.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, _, err := pc.ReadFrom(buf); err != nil {
				got <- n
				return
			}
			n++
		}
	}()
	ctx := mustDTLSContext(t, &DTLSConfig{CAFile: p.caFile, RetransmitTimeout: 50 * time.Millisecond, MaxRetransmitTimeout: 200 * time.Millisecond})
	// Retransmissions at 50, 150, 350, 550 ms, ...: 1.5 s holds about 8,
	// so the "at least 3" below does not depend on prompt timers, and
	// stays below the 12 after which (about 2.15 s) the library gives up
	// on its own, which is not this test's deadline.
	dctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = DialDTLSContext(dctx, "udp", pc.LocalAddr().String(), ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DialDTLS = %v", err)
	}
	if d := time.Since(start); d > 15*time.Second { // the deadline ends it, not a later timer; generous for load
		t.Errorf("took %v", d)
	}
	if n := <-got; n < 3 {
		t.Errorf("server saw %d ClientHellos; want retransmissions", n)
	}
}

var _ = io.EOF
