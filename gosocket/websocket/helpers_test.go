package websocket

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"

	"github.com/libsocket/libsocket/cgo"
)

// checkLeaks registers (first, so it runs last) a check that the
// goroutines and C codecs alive before the test are back afterwards.
func checkLeaks(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			g, live := runtime.NumGoroutine(), cgo.WSCodecs.Live()
			if g <= before && live == 0 {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("leak: %d goroutines (before %d), %d live codecs\n%s", g, before, live, buf)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }

// startServer serves handle on an upgraded connection of ours; the test
// waits for the handlers to return.
func startServer(t testing.TB, up *Upgrader, handle func(*Conn)) *httptest.Server {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1) // before the hijack: srv.Close waits until then
		defer wg.Done()
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		handle(c)
	}))
	t.Cleanup(func() {
		srv.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Errorf("server handler did not return")
		}
	})
	return srv
}

// echo streams each message back with NextReader/NextWriter.
func echo(c *Conn) {
	for {
		mt, r, err := c.NextReader()
		if err != nil {
			return
		}
		w, err := c.NextWriter(mt)
		if err != nil {
			return
		}
		if _, err := io.Copy(w, r); err != nil {
			return
		}
		if err := w.Close(); err != nil {
			return
		}
	}
}

// echoWhole echoes with ReadMessage/WriteMessage.
func echoWhole(c *Conn) {
	for {
		mt, p, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(mt, p); err != nil {
			return
		}
	}
}

func gorillaEchoServer(t testing.TB, compress bool) *httptest.Server {
	up := gorilla.Upgrader{EnableCompression: compress, ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			if err := c.WriteMessage(mt, p); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func coderEchoServer(t testing.TB, mode coder.CompressionMode) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, &coder.AcceptOptions{CompressionMode: mode})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := context.Background()
		for {
			mt, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, mt, p); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// payloads: sizes around the frame length encodings, valid UTF-8 text.
func payloads() []struct {
	name string
	mt   MessageType
	data []byte
} {
	text := func(n int) []byte {
		s := strings.Repeat("héllo wörld ✓ ", n/17+1)
		b := []byte(s)
		for len(b) > n { // cut on a rune boundary
			b = b[:len(b)-1]
			for len(b) > 0 && b[len(b)-1]&0xc0 == 0x80 {
				b = b[:len(b)-1]
			}
			if len(b) > 0 && b[len(b)-1] >= 0xc0 {
				b = b[:len(b)-1]
			}
		}
		return b
	}
	bin := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + i>>8)
		}
		return b
	}
	var out []struct {
		name string
		mt   MessageType
		data []byte
	}
	for _, n := range []int{0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20} {
		out = append(out, struct {
			name string
			mt   MessageType
			data []byte
		}{"bin" + itoa(n), BinaryMessage, bin(n)})
	}
	for _, n := range []int{125, 70000, 1 << 20, 4 << 20} {
		out = append(out, struct {
			name string
			mt   MessageType
			data []byte
		}{"text" + itoa(n), TextMessage, text(n)})
	}
	out = append(out, struct {
		name string
		mt   MessageType
		data []byte
	}{"emptytext", TextMessage, []byte{}})
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// roundTrip sends every payload over c and checks the echo.
func roundTrip(t *testing.T, c *Conn) {
	t.Helper()
	for _, p := range payloads() {
		if err := c.WriteMessage(p.mt, p.data); err != nil {
			t.Fatalf("%s: write: %v", p.name, err)
		}
		mt, got, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("%s: read: %v", p.name, err)
		}
		if mt != p.mt || !bytes.Equal(got, p.data) {
			t.Fatalf("%s: echo differs: type %v len %d, want %v len %d", p.name, mt, len(got), p.mt, len(p.data))
		}
	}
}

type httptestServer = httptest.Server

func newHTTPTest(t testing.TB, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
