package cgo

import (
	"bytes"
	"errors"
	"testing"
)

// A SOCKS5 exchange through the binding, byte for byte: greeting with
// and without credentials, RFC 1929 sub-negotiation, CONNECT, and the
// tunnel bytes behind the reply left unconsumed.
func TestProxyHandshakeSOCKS5(t *testing.T) {
	before := ProxyHandshakes.Live()
	cfg := ProxyConfig{Type: ProxySOCKS5, Host: "127.0.0.1", Port: 1080, Username: "al", Password: "pw", HasPassword: true}
	h, err := NewProxyHandshake(cfg, "10.1.2.3", 443)
	if err != nil {
		t.Fatal(err)
	}
	if n := ProxyHandshakes.Live(); n != before+1 {
		t.Fatalf("live = %d, want %d", n, before+1)
	}
	step := func(want []byte, reply []byte, wantResult, wantUsed int) {
		t.Helper()
		out, err := h.Output(nil)
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("output = % x, %v; want % x", out, err, want)
		}
		if err := h.Sent(len(out)); err != nil {
			t.Fatal(err)
		}
		if out, _ := h.Output(nil); len(out) != 0 {
			t.Fatalf("output after Sent = % x", out)
		}
		r, used, err := h.Input(reply)
		if err != nil || r != wantResult || used != wantUsed {
			t.Fatalf("Input(% x) = %d, %d, %v; want %d, %d", reply, r, used, err, wantResult, wantUsed)
		}
	}
	step([]byte{5, 2, 0, 2}, []byte{5, 2}, ProxyInProgress, 2)
	step([]byte{1, 2, 'a', 'l', 2, 'p', 'w'}, []byte{1, 0}, ProxyInProgress, 2)
	st, err := h.Status()
	if err != nil || st.State != ProxyStateHandshakeSend || st.Result != ProxyInProgress || st.Err != "" {
		t.Fatalf("status before CONNECT = %+v, %v", st, err)
	}
	reply := []byte{5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90, 'd', 'a', 't', 'a'}
	step([]byte{5, 1, 0, 1, 10, 1, 2, 3, 0x01, 0xbb}, reply, ProxyOK, 10)
	if st, err = h.Status(); err != nil || st.State != ProxyStateConnected || st.Result != ProxyOK || st.HTTPStatus != 0 {
		t.Fatalf("status = %+v, %v", st, err)
	}
	h.Close()
	h.Close()
	if _, err := h.Output(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Output after Close: %v", err)
	}
	if _, _, err := h.Input([]byte{1}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Input after Close: %v", err)
	}
	if n := ProxyHandshakes.Live(); n != before {
		t.Fatalf("live = %d, want %d", n, before)
	}
}

// HTTP CONNECT: the request carries the target and the Basic
// credentials; the status and the C detail of a refusal reach Go.
func TestProxyHandshakeHTTP(t *testing.T) {
	cfg := ProxyConfig{Type: ProxyHTTP, Host: "proxy", Port: 8080, Username: "u", Password: "p", HasPassword: true}
	h, err := NewProxyHandshake(cfg, "::1", 8443)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	out, err := h.Output(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CONNECT [::1]:8443 HTTP/1.1\r\n", "Proxy-Authorization: Basic dTpw\r\n"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Fatalf("request %q lacks %q", out, want)
		}
	}
	if !bytes.HasSuffix(out, []byte("\r\n\r\n")) {
		t.Fatalf("request %q does not end its head", out)
	}
	h.Sent(len(out))
	r, used, err := h.Input([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"))
	if err != nil || r != ProxyErrorAuthRequired || used == 0 {
		t.Fatalf("Input = %d, %d, %v", r, used, err)
	}
	st, err := h.Status()
	if err != nil || st.State != ProxyStateFailed || st.HTTPStatus != 407 || st.Err == "" {
		t.Fatalf("status = %+v, %v", st, err)
	}
}

// Invalid arguments are SocketProxy_Failed errors, never a crash; a
// request the type cannot carry is a handshake that has already failed.
func TestProxyHandshakeInvalid(t *testing.T) {
	before := ProxyHandshakes.Live()
	socks5 := ProxyConfig{Type: ProxySOCKS5, Host: "p", Port: 1080}
	for _, tc := range []struct {
		name string
		cfg  ProxyConfig
		host string
		port int
	}{
		{"no type", ProxyConfig{Host: "p", Port: 1}, "h", 80},
		{"bad type", ProxyConfig{Type: 99, Host: "p", Port: 1}, "h", 80},
		{"empty host", socks5, "", 80},
		{"port 0", socks5, "h", 0},
		{"port 65536", socks5, "h", 65536},
		{"long host", socks5, string(bytes.Repeat([]byte{'a'}, 256)), 80},
		{"NUL in host", socks5, "a\x00b", 80},
		{"NUL in user", ProxyConfig{Type: ProxySOCKS5, Host: "p", Port: 1, Username: "a\x00"}, "h", 80},
	} {
		h, err := NewProxyHandshake(tc.cfg, tc.host, tc.port)
		if err == nil {
			h.Close()
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Exception != "SocketProxy_Failed" {
			t.Errorf("%s: err = %v, want SocketProxy_Failed", tc.name, err)
		}
	}
	h, err := NewProxyHandshake(ProxyConfig{Type: ProxySOCKS4, Host: "p", Port: 1080}, "example.test", 80)
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.Status()
	h.Close()
	if err != nil || st.Result == ProxyInProgress || st.Result == ProxyOK || st.State != ProxyStateFailed || st.Err == "" {
		t.Fatalf("SOCKS4 with a name: status %+v, %v", st, err)
	}
	if n := ProxyHandshakes.Live(); n != before {
		t.Fatalf("live = %d, want %d", n, before)
	}
}

func TestProxyStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ProxyResultString(ProxyErrorRefused), "Target connection refused"},
		{ProxyResultString(99), "Unknown error"},
		{ProxyStateString(ProxyStateConnected), "CONNECTED"},
		{ProxyTypeString(ProxyHTTP), "HTTP CONNECT"},
		{ProxyTypeString(ProxySOCKS5H), "SOCKS5H"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, s := range []string{"http", "https", "socks4", "socks4a", "socks5", "socks5h", "socks"} {
		if typ, port, ok := ProxyScheme(s); !ok || typ == ProxyNone || port == 0 {
			t.Errorf("ProxyScheme(%q) = %d, %d, %v", s, typ, port, ok)
		}
	}
	if _, _, ok := ProxyScheme("ftp"); ok {
		t.Error("ProxyScheme(ftp) ok")
	}
}

// Input takes a buffer inside a struct that holds pointers (a buffered
// reader's array) without tripping cgo's pointer check.
func TestProxyHandshakeInputPointerfulBuffer(t *testing.T) {
	h, err := NewProxyHandshake(ProxyConfig{Type: ProxySOCKS4, Host: "p", Port: 1080}, "10.0.0.1", 80)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	out, _ := h.Output(nil)
	h.Sent(len(out))
	hd := &holder{name: "x"}
	hd.next = hd
	copy(hd.buf[:], []byte{0, 0x5a, 0, 0, 0, 0, 0, 0, 'x'})
	if r, used, err := h.Input(hd.buf[:9]); err != nil || r != ProxyOK || used != 8 {
		t.Fatalf("Input = %d, %d, %v", r, used, err)
	}
}
