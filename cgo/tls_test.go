package cgo

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestTLSContextShims checks that context construction failures come
// back as the public exceptions, with the cause in the reason, and that
// half-built contexts are freed (no crash, nothing returned).
func TestTLSContextShims(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, tt := range []struct {
		name, exception string
		dtls            bool
		cfg             TLSConfig
	}{
		{"ServerWithoutFiles", "SocketTLS_Failed", false, TLSConfig{Server: true, CertFile: missing, KeyFile: missing, VerifyMode: -1, PinEnforce: -1}},
		{"MissingCA", "SocketTLS_Failed", false, TLSConfig{CAFile: missing, VerifyMode: -1, PinEnforce: -1}},
		{"ALPNTooLong", "SocketTLS_Failed", false, TLSConfig{ALPN: []string{string(make([]byte, 300))}, VerifyMode: -1, PinEnforce: -1}},
		{"ALPNTooMany", "SocketTLS_Failed", false, TLSConfig{ALPN: make([]string, 17), VerifyMode: -1, PinEnforce: -1}},
		{"DTLSALPNTooMany", "SocketDTLS_Failed", true, TLSConfig{ALPN: make([]string, 17), VerifyMode: -1}},
		{"BadTicketKey", "SocketTLS_Failed", false, TLSConfig{TicketKey: []byte{1, 2, 3}, VerifyMode: -1, PinEnforce: -1}},
		{"DTLSBadMTU", "SocketDTLS_Failed", true, TLSConfig{MTU: 100, VerifyMode: -1}},
		{"DTLSCookiesOnClient", "SocketDTLS_Failed", true, TLSConfig{CookieExchange: true, VerifyMode: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.dtls {
				var c DTLSContext
				c, err = NewDTLSContext(&tt.cfg)
				if !c.IsZero() {
					c.Free()
				}
			} else {
				var c TLSContext
				c, err = NewTLSContext(&tt.cfg)
				if !c.IsZero() {
					c.Free()
				}
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Exception != tt.exception || ce.Reason == "" {
				t.Fatalf("error %v; want %s", err, tt.exception)
			}
			t.Log(ce.Reason)
		})
	}

	c, err := NewTLSContext(&TLSConfig{VerifyMode: -1, PinEnforce: -1, SessionCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if h, m, s, err := c.Stats(); err != nil || h+m+s != 0 {
		t.Errorf("fresh stats %d %d %d, %v", h, m, s, err)
	}
	c.Free()
	d, err := NewDTLSContext(&TLSConfig{VerifyMode: -1})
	if err != nil {
		t.Fatal(err)
	}
	d.Free()
}

// TestTLSEnableNeedsConnection: TLS on an unconnected socket is refused
// by the library and reported, not raised through Go.
func TestTLSEnableNeedsConnection(t *testing.T) {
	c, err := NewTLSContext(&TLSConfig{VerifyMode: -1, PinEnforce: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Free()
	ln, err := Listen(syscall.AF_INET, "127.0.0.1", 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer closeInfo(ln)
	var ce *Error
	if err := ln.Sock.TLSEnable(c, "localhost"); !errors.As(err, &ce) || ce.Exception != "SocketTLS_Failed" {
		t.Fatalf("TLSEnable on a listener = %v", err)
	}
	if _, err := ln.Sock.TLSRecv(make([]byte, 4)); !errors.As(err, &ce) || ce.Exception != "SocketTLS_Failed" {
		t.Fatalf("TLSRecv without TLS = %v", err)
	}
}
