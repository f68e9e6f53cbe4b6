package gosocket

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHTTPServerOnListener runs net/http's server on a gosocket Listener
// and talks to it with net/http's client dialling through gosocket, so
// every byte in both directions goes through the C library.
func TestHTTPServerOnListener(t *testing.T) {
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); !ok {
				http.Error(w, "local address is not a *net.TCPAddr", 500)
				return
			}
			fmt.Fprintf(w, "%s %s %d", r.Method, r.URL.Path, len(body))
		}),
		ReadTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	d := &Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String()
	for i := range 20 { // keep-alive reuses the gosocket connections
		body := strings.Repeat("x", i*1000)
		resp, err := client.Post(url+"/echo", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("POST /echo %d", len(body)); err != nil || string(got) != want {
			t.Fatalf("response %q, %v; want %q", got, err, want)
		}
	}
	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("Serve = %v", err)
	}
}

// TestClientToNetListener: a gosocket Conn against Go's own net server.
func TestClientToNetListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c) // echo until EOF
	}()
	c, err := Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := range 100 {
		line := fmt.Sprintf("line %d %s\n", i, strings.Repeat("y", i*50))
		if _, err := io.WriteString(c, line); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil || got != line {
			t.Fatalf("echo %d: %q, %v", i, got, err)
		}
	}
	c.(*Conn).CloseWrite()
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("after CloseWrite the echo server should close: %v", err)
	}
}

// TestNetClientToListener: Go's net.Dial against a gosocket Listener,
// with a hostname resolved through SocketDNS on the gosocket side.
func TestNetClientToListener(t *testing.T) {
	ln, err := Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("hello from C"))
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "hello from C" {
		t.Fatalf("read %q, %v", b, err)
	}
}
