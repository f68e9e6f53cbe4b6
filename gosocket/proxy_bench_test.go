package gosocket

import (
	"context"
	"io"
	"net"
	"testing"

	socks5 "github.com/armon/go-socks5"
	"golang.org/x/net/proxy"
)

// BenchmarkProxyDialSOCKS5 dials an echo server through the same
// in-process armon/go-socks5 proxy with gosocket's ProxyDialer (the C
// handshake codec over a gosocket connection) and with the peer
// implementation golang.org/x/net/proxy.SOCKS5 over package net, then
// exchanges one byte through the tunnel and closes it:
//
//	go test -run x -bench ProxyDialSOCKS5 -benchtime 3000x -count 5 ./gosocket
//
// Each operation is two TCP connects (client to proxy, proxy to target)
// plus two SOCKS5 round trips, so the numbers are dominated by the
// loopback and the proxy; the ratio shows what the codec and its cgo
// crossings add.
func BenchmarkProxyDialSOCKS5(b *testing.B) {
	echo := listenEcho(b)
	u := startSOCKS5(b, &socks5.Config{})
	ours, err := NewProxyDialer(u, nil)
	if err != nil {
		b.Fatal(err)
	}
	peer, err := proxy.SOCKS5("tcp", u.Host, nil, &net.Dialer{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		d    proxy.ContextDialer
	}{
		{"gosocket", ours},
		{"xnet", peer.(proxy.ContextDialer)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			buf := []byte{'x'}
			for b.Loop() {
				c, err := bc.d.DialContext(ctx, "tcp", echo.String())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}
