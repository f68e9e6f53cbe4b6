package gosocket

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// The network benchmarks run the same loopback workload over gosocket
// (I/O in C, one cgo call per send or receive, Go's poller for waiting)
// and over package net, in the same process, so the difference is the
// cost of the C path:
//
//	go test -run x -bench 'Conn(PingPong|Bulk)' ./gosocket
//
// Dial, Resolve and PollWait time the set-up paths.

// tcpPair connects a client and a server over 127.0.0.1 with the given
// implementation ("gosocket" or "net").
func tcpPair(b *testing.B, impl string) (client, server net.Conn, stop func()) {
	b.Helper()
	var ln net.Listener
	var err error
	if impl == "net" {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		ln, err = Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		b.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	if impl == "net" {
		client, err = net.Dial("tcp", ln.Addr().String())
	} else {
		client, err = Dial("tcp", ln.Addr().String())
	}
	if err != nil {
		b.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		b.Fatal("accept failed")
	}
	return client, server, func() {
		client.Close()
		server.Close()
		ln.Close()
	}
}

// BenchmarkConnPingPong: 64-byte request, 64-byte echo, one round trip per
// iteration (TCP_NODELAY on both sides, as net sets it).
func BenchmarkConnPingPong(b *testing.B) {
	for _, impl := range []string{"gosocket", "net"} {
		b.Run(impl, func(b *testing.B) {
			client, server, stop := tcpPair(b, impl)
			defer stop()
			go func() {
				buf := make([]byte, 64)
				for {
					if _, err := io.ReadFull(server, buf); err != nil {
						return
					}
					if _, err := server.Write(buf); err != nil {
						return
					}
				}
			}()
			msg := make([]byte, 64)
			reply := make([]byte, 64)
			b.SetBytes(2 * 64)
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if _, err := client.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(client, reply); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rt/s")
		})
	}
}

// BenchmarkConnBulk: one-way transfer in 64 KiB writes, the reader
// draining with 64 KiB reads.
func BenchmarkConnBulk(b *testing.B) {
	const chunk = 64 << 10
	for _, impl := range []string{"gosocket", "net"} {
		b.Run(impl, func(b *testing.B) {
			client, server, stop := tcpPair(b, impl)
			defer stop()
			done := make(chan int64)
			go func() {
				n, _ := io.CopyBuffer(io.Discard, struct{ io.Reader }{server}, make([]byte, chunk))
				done <- n
			}()
			buf := make([]byte, chunk)
			b.SetBytes(chunk)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			client.(interface{ CloseWrite() error }).CloseWrite()
			if n := <-done; n != int64(b.N)*chunk {
				b.Fatalf("received %d bytes, sent %d", n, int64(b.N)*chunk)
			}
		})
	}
}

// BenchmarkConnWriteRead isolates the per-call cost: one goroutine writes
// 64 bytes on one end and reads them on the other (loopback delivers
// within the send), so there are no wakeups, only a send and a receive
// per iteration: two cgo calls for gosocket, two syscalls for net.
func BenchmarkConnWriteRead(b *testing.B) {
	for _, impl := range []string{"gosocket", "net"} {
		b.Run(impl, func(b *testing.B) {
			client, server, stop := tcpPair(b, impl)
			defer stop()
			msg := make([]byte, 64)
			buf := make([]byte, 64)
			b.SetBytes(64)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(server, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDial: connect to a loopback listener and close, per iteration
// (the accepting side closes its end).
func BenchmarkDial(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	for _, impl := range []string{"gosocket", "net"} {
		b.Run(impl, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var c net.Conn
				var err error
				if impl == "net" {
					c, err = net.Dial("tcp", addr)
				} else {
					c, err = Dial("tcp", addr)
				}
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// BenchmarkResolve: one lookup of "localhost" (answered from /etc/hosts)
// through the default resolver's worker threads, per iteration.
func BenchmarkResolve(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if aps, err := Resolve(context.Background(), "localhost", 80); err != nil || len(aps) == 0 {
			b.Fatal(aps, err)
		}
	}
}

// BenchmarkPollWait: one Wait returning one ready socket (level-triggered,
// data left unread), per iteration.
func BenchmarkPollWait(b *testing.B) {
	client, server, stop := tcpPair(b, "gosocket")
	defer stop()
	if _, err := client.Write([]byte("x")); err != nil {
		b.Fatal(err)
	}
	p, err := NewPoll(16)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if err := p.Add(server.(*Conn), EventRead, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ev, err := p.Wait(time.Second)
		if err != nil || len(ev) != 1 {
			b.Fatal(ev, err)
		}
	}
}
