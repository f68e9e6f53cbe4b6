package gosocket_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/libsocket/libsocket/gosocket"
)

// An echo server on a gosocket Listener and a client dialling it.
func ExampleListen() {
	ln, err := gosocket.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()

	c, err := gosocket.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintln(c, "hello, C library")
	line, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(line)
	// Output: hello, C library
}

// Dial with a deadline: the server never answers, so Read times out.
func ExampleDial() {
	ln, err := gosocket.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := gosocket.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	fmt.Println(err.(net.Error).Timeout())
	// Output: true
}

// net/http over gosocket: the server accepts on a gosocket Listener and
// the client dials through a gosocket Dialer.
func ExampleDialer_DialContext() {
	ln, err := gosocket.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path[1:])
	})}
	go srv.Serve(ln)
	defer srv.Close()

	tr := &http.Transport{DialContext: (&gosocket.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + ln.Addr().String() + "/gopher")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	// Output: hello gopher
}

func ExampleListenPacket() {
	a, err := gosocket.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := gosocket.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	a.WriteTo([]byte("datagram"), b.LocalAddr())
	buf := make([]byte, 64)
	n, from, _ := b.ReadFrom(buf)
	fmt.Println(string(buf[:n]), from.String() == a.LocalAddr().String())
	// Output: datagram true
}

// Passing an open file over a Unix socket in the abstract namespace.
func ExampleUnixConn_SendFiles() {
	name := fmt.Sprintf("@gosocket-example-%d", os.Getpid()) // abstract namespace
	ln, err := gosocket.Listen("unix", name)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		f, _ := os.CreateTemp("", "gosocket-example")
		defer os.Remove(f.Name())
		defer f.Close()
		f.WriteString("contents travel with the descriptor")
		c.SendFiles([]*os.File{f}, []byte("here"))
	}()

	c, err := gosocket.DialUnix("unix", nil, &net.UnixAddr{Name: name, Net: "unix"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	files, n, err := c.RecvFiles(1, make([]byte, 16))
	if err != nil {
		log.Fatal(err)
	}
	defer files[0].Close()
	b := make([]byte, 64)
	k, _ := files[0].ReadAt(b, 0)
	fmt.Println(n, string(b[:k]))
	_, uid, _, _ := c.PeerCredentials()
	fmt.Println(uid == os.Getuid())
	// Output:
	// 4 contents travel with the descriptor
	// true
}

// The C event loop: one goroutine waits for readiness of several sockets.
func ExampleNewPoll() {
	p, err := gosocket.NewPoll(64)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	ln, err := gosocket.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	p.Add(ln, gosocket.EventRead, "listener")

	c, err := gosocket.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	events, _ := p.Wait(5 * time.Second)
	for _, ev := range events {
		fmt.Println(ev.Data, ev.Events&gosocket.EventRead != 0)
	}
	// Output: listener true
}

func ExampleResolve() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := gosocket.Resolve(ctx, "localhost", 80)
	if err != nil {
		log.Fatal(err)
	}
	loopback := true
	for _, a := range addrs {
		loopback = loopback && a.Addr().IsLoopback() && a.Port() == 80
	}
	fmt.Println(len(addrs) > 0, loopback, strings.HasSuffix(addrs[0].String(), ":80"))
	// Output: true true true
}

// Errors are package net's: a *net.OpError naming the operation and the
// address, unwrapping to the errno and to the C library's *Error.
func ExampleDial_error() {
	_, err := gosocket.Dial("tcp", "127.0.0.1:1") // nothing listens on port 1
	var oe *net.OpError
	var ge *gosocket.Error
	fmt.Println(err)
	fmt.Println(errors.As(err, &oe) && oe.Op == "dial", errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &ge))
	// Output:
	// dial tcp 127.0.0.1:1: connect: connection refused
	// true true true
}
