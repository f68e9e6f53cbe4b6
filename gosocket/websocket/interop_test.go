package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
)

func dial(t *testing.T, url string, opts *DialOptions) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDialGorillaServer(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run("compress="+map[bool]string{false: "off", true: "on"}[compress], func(t *testing.T) {
			checkLeaks(t)
			srv := gorillaEchoServer(t, compress)
			c := dial(t, wsURL(srv), &DialOptions{EnableCompression: compress})
			if c.Compressed() != compress {
				t.Fatalf("compression negotiated %v, want %v", c.Compressed(), compress)
			}
			roundTrip(t, c)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestDialCoderServer(t *testing.T) {
	for _, mode := range []coder.CompressionMode{coder.CompressionDisabled, coder.CompressionContextTakeover, coder.CompressionNoContextTakeover} {
		t.Run("mode="+itoa(int(mode)), func(t *testing.T) {
			checkLeaks(t)
			srv := coderEchoServer(t, mode)
			compress := mode != coder.CompressionDisabled
			c := dial(t, wsURL(srv), &DialOptions{EnableCompression: compress})
			if c.Compressed() != compress {
				t.Fatalf("compression negotiated %v, want %v", c.Compressed(), compress)
			}
			roundTrip(t, c)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestGorillaClient(t *testing.T) {
	for _, compress := range []bool{false, true} {
		for _, whole := range []bool{false, true} {
			t.Run("compress="+map[bool]string{false: "off", true: "on"}[compress]+",whole="+map[bool]string{false: "no", true: "yes"}[whole], func(t *testing.T) {
				checkLeaks(t)
				h := echo
				if whole {
					h = echoWhole
				}
				srv := startServer(t, &Upgrader{EnableCompression: compress}, h)
				d := gorilla.Dialer{EnableCompression: compress}
				gc, resp, err := d.Dial(wsURL(srv), nil)
				if err != nil {
					t.Fatalf("gorilla Dial: %v", err)
				}
				defer gc.Close()
				ext := resp.Header.Get("Sec-WebSocket-Extensions")
				if compress != strings.Contains(ext, "permessage-deflate") {
					t.Fatalf("extensions %q with compression %v", ext, compress)
				}
				for _, p := range payloads() {
					if err := gc.WriteMessage(int(p.mt), p.data); err != nil {
						t.Fatalf("%s: write: %v", p.name, err)
					}
					mt, got, err := gc.ReadMessage()
					if err != nil {
						t.Fatalf("%s: read: %v", p.name, err)
					}
					if mt != int(p.mt) || !bytes.Equal(got, p.data) {
						t.Fatalf("%s: echo differs (len %d, want %d)", p.name, len(got), len(p.data))
					}
				}
				gc.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(4001, "done"))
				_, _, err = gc.ReadMessage()
				if !gorilla.IsCloseError(err, 4001) {
					t.Fatalf("gorilla saw %v, want the echoed close 4001", err)
				}
			})
		}
	}
}

func TestCoderClient(t *testing.T) {
	for _, mode := range []coder.CompressionMode{coder.CompressionDisabled, coder.CompressionContextTakeover, coder.CompressionNoContextTakeover} {
		t.Run("mode="+itoa(int(mode)), func(t *testing.T) {
			checkLeaks(t)
			srv := startServer(t, &Upgrader{EnableCompression: true}, echo)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cc, _, err := coder.Dial(ctx, wsURL(srv), &coder.DialOptions{CompressionMode: mode})
			if err != nil {
				t.Fatalf("coder Dial: %v", err)
			}
			defer cc.CloseNow()
			cc.SetReadLimit(64 << 20)
			for _, p := range payloads() {
				if err := cc.Write(ctx, coder.MessageType(p.mt), p.data); err != nil {
					t.Fatalf("%s: write: %v", p.name, err)
				}
				mt, got, err := cc.Read(ctx)
				if err != nil {
					t.Fatalf("%s: read: %v", p.name, err)
				}
				if int(mt) != int(p.mt) || !bytes.Equal(got, p.data) {
					t.Fatalf("%s: echo differs (len %d, want %d)", p.name, len(got), len(p.data))
				}
			}
			if err := cc.Close(coder.StatusGoingAway, "bye"); err != nil {
				t.Fatalf("coder Close: %v", err)
			}
		})
	}
}

// A message written in pieces with NextWriter arrives whole at gorilla.
func TestNextWriterFragments(t *testing.T) {
	checkLeaks(t)
	for _, compress := range []bool{false, true} {
		srv := gorillaEchoServer(t, compress)
		c := dial(t, wsURL(srv), &DialOptions{EnableCompression: compress})
		var want bytes.Buffer
		w, err := c.NextWriter(TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		piece := []byte("fragment ✓ ") // the check mark may be split between frames
		for i := 0; i < 20000; i++ {
			n := 1 + i%len(piece)
			w.Write(piece[:n])
			want.Write(piece[:n])
			if n < len(piece) {
				w.Write(piece[n:])
				want.Write(piece[n:])
			}
		}
		big := bytes.Repeat([]byte("x"), 100000)
		w.Write(big)
		want.Write(big)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		mt, r, err := c.NextReader()
		if err != nil || mt != TextMessage {
			t.Fatalf("NextReader: %v %v", mt, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("echo of the fragmented message differs (%d bytes, want %d): %v", len(got), want.Len(), err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPingPong(t *testing.T) {
	checkLeaks(t)
	// our client pings gorilla, which answers
	srv := gorillaEchoServer(t, false)
	c := dial(t, wsURL(srv), nil)
	pongs := make(chan string, 1)
	c.SetPongHandler(func(s string) error { pongs <- s; return nil })
	if err := c.Ping([]byte("are you there")); err != nil {
		t.Fatal(err)
	}
	c.WriteMessage(TextMessage, []byte("after ping"))
	if _, p, err := c.ReadMessage(); err != nil || string(p) != "after ping" {
		t.Fatalf("read: %q %v", p, err)
	}
	select {
	case s := <-pongs:
		if s != "are you there" {
			t.Fatalf("pong payload %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pong")
	}
	c.Close()

	// gorilla pings our server, which answers (and reports to its handler)
	pinged := make(chan string, 1)
	ours := startServer(t, &Upgrader{}, func(c *Conn) {
		c.SetPingHandler(func(s string) error { pinged <- s; return nil })
		echo(c)
	})
	gc, _, err := gorilla.DefaultDialer.Dial(wsURL(ours), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	gotPong := make(chan string, 1)
	gc.SetPongHandler(func(s string) error { gotPong <- s; return nil })
	gc.WriteControl(gorilla.PingMessage, []byte("hello"), time.Now().Add(5*time.Second))
	gc.WriteMessage(gorilla.TextMessage, []byte("x"))
	if _, p, err := gc.ReadMessage(); err != nil || string(p) != "x" {
		t.Fatalf("gorilla read: %q %v", p, err)
	}
	if s := <-gotPong; s != "hello" {
		t.Fatalf("pong %q", s)
	}
	if s := <-pinged; s != "hello" {
		t.Fatalf("ping handler saw %q", s)
	}
	gc.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""))
	gc.ReadMessage()
}

func TestCloseCodes(t *testing.T) {
	checkLeaks(t)
	// we close with 4000: gorilla sees it
	seen := make(chan error, 1)
	up := gorilla.Upgrader{}
	srv := startGorilla(t, func(w http.ResponseWriter, r *http.Request) {
		gc, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer gc.Close()
		_, _, err = gc.ReadMessage()
		seen <- err
	})
	c := dial(t, wsURL(srv), nil)
	if err := c.CloseWithStatus(4000, "bye bye"); err != nil {
		t.Fatalf("CloseWithStatus: %v", err)
	}
	err := <-seen
	var ge *gorilla.CloseError
	if !errors.As(err, &ge) || ge.Code != 4000 || ge.Text != "bye bye" {
		t.Fatalf("gorilla saw %v", err)
	}
	if err := c.WriteMessage(TextMessage, []byte("late")); err == nil {
		t.Fatal("write after close succeeded")
	}

	// gorilla closes with 4002: we read a CloseError
	srv2 := startGorilla(t, func(w http.ResponseWriter, r *http.Request) {
		gc, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer gc.Close()
		gc.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(4002, "server done"), time.Now().Add(5*time.Second))
		gc.ReadMessage()
	})
	c2 := dial(t, wsURL(srv2), nil)
	_, _, err = c2.ReadMessage()
	if !errors.Is(err, &CloseError{Code: 4002}) || CloseStatus(err) != 4002 {
		t.Fatalf("read: %v, want CloseError 4002", err)
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Text != "server done" || ce.Local {
		t.Fatalf("CloseError %+v", ce)
	}
	if _, _, err2 := c2.ReadMessage(); CloseStatus(err2) != 4002 {
		t.Fatalf("second read: %v", err2)
	}
	if err := c2.Close(); err != nil {
		t.Fatalf("Close after the peer's close: %v", err)
	}
}

func startGorilla(t *testing.T, h http.HandlerFunc) *httptestServer {
	return newHTTPTest(t, h)
}

// Our server closes with a code of its own while gorilla reads; the
// Upgrader's extra response headers reach the client.
func TestServerCloseAndResponseHeader(t *testing.T) {
	checkLeaks(t)
	up := &Upgrader{}
	done := make(chan error, 1)
	srv := newHTTPTest(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, http.Header{"X-Served-By": {"libsocket"}, "Set-Cookie": {"a=1", "b=2"}})
		if err != nil {
			done <- err
			return
		}
		done <- c.CloseWithStatus(4003, "server says bye")
	})
	gc, resp, err := gorilla.DefaultDialer.Dial(wsURL(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	if resp.Header.Get("X-Served-By") != "libsocket" || len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Fatalf("response headers %v", resp.Header)
	}
	_, _, err = gc.ReadMessage() // gorilla echoes the close
	var ge *gorilla.CloseError
	if !errors.As(err, &ge) || ge.Code != 4003 || ge.Text != "server says bye" {
		t.Fatalf("gorilla saw %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("server CloseWithStatus: %v", err)
	}
}

// One reader, one writer (streaming), pings and a final Close from other
// goroutines at once: the race detector watches, the echo must be exact.
func TestConcurrentUse(t *testing.T) {
	checkLeaks(t)
	for _, compress := range []bool{false, true} {
		srv := startServer(t, &Upgrader{EnableCompression: compress}, echo)
		c := dial(t, wsURL(srv), &DialOptions{EnableCompression: compress})
		const n = 300
		werr := make(chan error, 1)
		go func() {
			for i := 0; i < n; i++ {
				w, err := c.NextWriter(BinaryMessage)
				if err != nil {
					werr <- err
					return
				}
				for j := 0; j < i%5+1; j++ {
					w.Write(bytes.Repeat([]byte{byte(i)}, 20000))
				}
				if err := w.Close(); err != nil {
					werr <- err
					return
				}
			}
			werr <- nil
		}()
		pingDone := make(chan struct{})
		go func() {
			defer close(pingDone)
			for i := 0; i < 50; i++ {
				if c.Ping([]byte("p")) != nil {
					return
				}
			}
		}()
		for i := 0; i < n; i++ {
			_, p, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
			if len(p) != 20000*(i%5+1) || p[0] != byte(i) || p[len(p)-1] != byte(i) {
				t.Fatalf("message %d: %d bytes", i, len(p))
			}
		}
		if err := <-werr; err != nil {
			t.Fatal(err)
		}
		<-pingDone
		closed := make(chan error, 1)
		go func() { closed <- c.Close() }()
		_, _, err := c.ReadMessage() // the reader sees the server's answer
		if CloseStatus(err) != CloseNormalClosure && !errors.Is(err, net.ErrClosed) {
			t.Fatalf("final read: %v", err)
		}
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

// TestCompressionLevel: messages at every level round-trip through
// gorilla's inflater (the size on the wire per level is test_ws_codec's),
// and misuse is refused.
func TestCompressionLevel(t *testing.T) {
	checkLeaks(t)
	srv := gorillaEchoServer(t, true)
	c := dial(t, wsURL(srv), &DialOptions{EnableCompression: true})
	defer c.Close()
	msg := bytes.Repeat([]byte("level test: the quick brown fox jumps over the lazy dog 0123456789. "), 4096)
	for _, level := range []int{-1, 0, 1, 6, 9} {
		if err := c.SetCompressionLevel(level); err != nil {
			t.Fatalf("SetCompressionLevel(%d): %v", level, err)
		}
		if err := c.WriteMessage(TextMessage, msg); err != nil {
			t.Fatal(err)
		}
		mt, got, err := c.ReadMessage()
		if err != nil || mt != TextMessage || !bytes.Equal(got, msg) {
			t.Fatalf("level %d: echo %v, %d bytes, %v", level, mt, len(got), err)
		}
	}
	for _, bad := range []int{-2, 10} {
		if err := c.SetCompressionLevel(bad); err == nil {
			t.Errorf("SetCompressionLevel(%d) accepted", bad)
		}
	}
	w, err := c.NextWriter(BinaryMessage)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetCompressionLevel(1); err == nil {
		t.Error("SetCompressionLevel inside a NextWriter message accepted")
	}
	w.Write([]byte("x"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.ReadMessage(); err != nil || string(got) != "x" {
		t.Fatalf("echo after writer: %q, %v", got, err)
	}

	plain := dial(t, wsURL(gorillaEchoServer(t, false)), nil)
	defer plain.Close()
	if err := plain.SetCompressionLevel(9); err != nil {
		t.Errorf("SetCompressionLevel without compression: %v, want nil", err)
	}
}
