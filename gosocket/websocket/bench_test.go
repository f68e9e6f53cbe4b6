package websocket

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// The benchmarks run libsocket's package and gorilla/websocket side by
// side in one program over TCP loopback: a client writes, the server
// reads (each through its own cheapest path: WriteMessage, and
// NextReader into a reused buffer).

type benchEnd interface {
	write(p []byte) error
	read(buf []byte) (int, error)
	close()
}

type ourEnd struct{ c *Conn }

func (e ourEnd) write(p []byte) error { return e.c.WriteMessage(BinaryMessage, p) }
func (e ourEnd) read(buf []byte) (int, error) {
	_, r, err := e.c.NextReader()
	if err != nil {
		return 0, err
	}
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}
func (e ourEnd) close() { e.c.Close() }

type gorillaEnd struct{ c *gorilla.Conn }

func (e gorillaEnd) write(p []byte) error { return e.c.WriteMessage(gorilla.BinaryMessage, p) }
func (e gorillaEnd) read(buf []byte) (int, error) {
	_, r, err := e.c.NextReader()
	if err != nil {
		return 0, err
	}
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}
func (e gorillaEnd) close() {
	e.c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
	e.c.Close()
}

// pair returns a connected client and server end of one implementation.
func pair(b *testing.B, impl string, compress bool) (client, server benchEnd) {
	got := make(chan benchEnd, 1)
	release := make(chan struct{})
	var h http.HandlerFunc
	switch impl {
	case "libsocket":
		up := &Upgrader{EnableCompression: compress}
		h = func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			got <- ourEnd{c}
			<-release
		}
	default: // "gorilla" (its default deflate level 1) or "gorilla-level6"
		up := gorilla.Upgrader{EnableCompression: compress, ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
		h = func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			c.EnableWriteCompression(compress)
			got <- gorillaEnd{c}
			<-release
		}
	}
	srv := httptest.NewServer(h)
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	if strings.HasPrefix(impl, "libsocket") {
		c, _, err := Dial(context.Background(), url, &DialOptions{EnableCompression: compress})
		if err != nil {
			b.Fatal(err)
		}
		if impl == "libsocket-level6" { // zlib's default level, as the C SocketWS_T uses
			if err := c.SetCompressionLevel(6); err != nil {
				b.Fatal(err)
			}
		}
		client = ourEnd{c}
	} else {
		d := gorilla.Dialer{EnableCompression: compress, ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
		c, _, err := d.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.EnableWriteCompression(compress)
		if impl == "gorilla-level6" { // zlib's default level, as the C codec uses
			c.SetCompressionLevel(6)
		}
		client = gorillaEnd{c}
	}
	server = <-got
	b.Cleanup(func() {
		go server.close()
		client.close()
		close(release)
		srv.Close()
	})
	return client, server
}

func benchStream(b *testing.B, impl string, size int, compress bool) {
	client, server := pair(b, impl, compress)
	msg := make([]byte, size)
	if compress { // text-like data: deflate has work to do
		copy(msg, bytes.Repeat([]byte("GET /index.html HTTP/1.1 host=example user-agent=bench 0123456789 "), size/64+1))
	} else {
		for i := range msg {
			msg[i] = byte(i * 31)
		}
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < b.N; i++ {
			if err := client.write(msg); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	buf := make([]byte, size)
	for i := 0; i < b.N; i++ {
		n, err := server.read(buf)
		if err != nil || n != size {
			b.Fatalf("read %d: %v", n, err)
		}
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkBinary16K(b *testing.B) {
	for _, impl := range []string{"libsocket", "gorilla"} {
		b.Run(impl, func(b *testing.B) { benchStream(b, impl, 16<<10, false) })
	}
}

func BenchmarkSmall125(b *testing.B) {
	for _, impl := range []string{"libsocket", "gorilla"} {
		b.Run(impl, func(b *testing.B) { benchStream(b, impl, 125, false) })
	}
}

func BenchmarkDeflate16K(b *testing.B) {
	for _, impl := range []string{"libsocket", "gorilla", "libsocket-level6", "gorilla-level6"} {
		b.Run(impl, func(b *testing.B) { benchStream(b, impl, 16<<10, true) })
	}
}

// BenchmarkEcho16K: the same gorilla client keeps 16 messages of 16 KiB
// in flight against a gorilla echo server and against ours: the Go
// Upgrader and, when LIBSOCKET_WS_ECHO_SERVER names the C program
// tests/ws/ws_echo_server (built by CMake), the C SocketWS_T server.
func BenchmarkEcho16K(b *testing.B) {
	servers := map[string]http.HandlerFunc{
		"libsocket": func(w http.ResponseWriter, r *http.Request) {
			c, err := (&Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			echoWhole(c)
		},
		"gorilla": func(w http.ResponseWriter, r *http.Request) {
			up := gorilla.Upgrader{ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			for {
				mt, p, err := c.ReadMessage()
				if err != nil {
					return
				}
				if c.WriteMessage(mt, p) != nil {
					return
				}
			}
		},
	}
	for _, impl := range []string{"libsocket", "gorilla", "libsocket-c"} {
		b.Run(impl, func(b *testing.B) {
			var url string
			if impl == "libsocket-c" {
				url = cEchoServer(b)
			} else {
				srv := httptest.NewServer(servers[impl])
				defer srv.Close()
				url = "ws" + strings.TrimPrefix(srv.URL, "http")
			}
			d := gorilla.Dialer{ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
			c, _, err := d.Dial(url, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			msg := make([]byte, 16<<10)
			inflight := make(chan struct{}, 16)
			b.SetBytes(16 << 10)
			b.ResetTimer()
			errc := make(chan error, 1)
			go func() {
				for i := 0; i < b.N; i++ {
					inflight <- struct{}{}
					if err := c.WriteMessage(gorilla.BinaryMessage, msg); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			buf := make([]byte, 16<<10)
			for i := 0; i < b.N; i++ {
				_, r, err := c.NextReader()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(r, buf); err != nil {
					b.Fatal(err)
				}
				<-inflight
			}
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
		})
	}
}

// cEchoServer starts the C echo server named by LIBSOCKET_WS_ECHO_SERVER
// and returns its ws:// URL; skips when the variable is not set.
func cEchoServer(b *testing.B) string {
	bin := os.Getenv("LIBSOCKET_WS_ECHO_SERVER")
	if bin == "" {
		b.Skip("LIBSOCKET_WS_ECHO_SERVER (path of tests/ws/ws_echo_server) not set")
	}
	cmd := exec.Command(bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			go io.Copy(io.Discard, out)
			return "ws://" + addr + "/echo"
		}
	}
	b.Fatalf("%s did not print its address", bin)
	return ""
}
