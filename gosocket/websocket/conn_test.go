package websocket

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// frame builds one frame; masked frames use a fixed key.
func frame(fin bool, op byte, payload []byte, masked bool) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	var mbit byte
	if masked {
		mbit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		out = append(out, mbit|byte(n))
	case n <= 0xffff:
		out = append(out, mbit|126, byte(n>>8), byte(n))
	default:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	p := append([]byte(nil), payload...)
	if masked {
		key := []byte{0x12, 0x34, 0x56, 0x78}
		out = append(out, key...)
		for i := range p {
			p[i] ^= key[i&3]
		}
	}
	return append(out, p...)
}

const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

func acceptFor(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// rawServer accepts one TCP connection, answers the upgrade by hand
// (head is the response status line and headers; "" means a valid 101)
// and runs fn on the raw connection.
func rawServer(t *testing.T, head string, fn func(net.Conn, *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		br := bufio.NewReader(nc)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		h := head
		if h == "" {
			h = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				acceptFor(req.Header.Get("Sec-WebSocket-Key")) + "\r\n"
		}
		nc.Write([]byte(h + "\r\n"))
		if fn != nil {
			fn(nc, br)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return "ws://" + ln.Addr().String() + "/raw"
}

// readCloseFrame reads frames until a CLOSE and returns its code.
func readCloseFrame(br *bufio.Reader) int {
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return -1
		}
		n := int(h[1] & 0x7f)
		switch n {
		case 126:
			var e [2]byte
			io.ReadFull(br, e[:])
			n = int(binary.BigEndian.Uint16(e[:]))
		case 127:
			var e [8]byte
			io.ReadFull(br, e[:])
			n = int(binary.BigEndian.Uint64(e[:]))
		}
		var key [4]byte
		if h[1]&0x80 != 0 {
			io.ReadFull(br, key[:])
		}
		p := make([]byte, n)
		io.ReadFull(br, p)
		if h[1]&0x80 != 0 {
			for i := range p {
				p[i] ^= key[i&3]
			}
		}
		if h[0]&0x0f == 8 {
			if len(p) < 2 {
				return 1005
			}
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

func TestInvalidUTF8FromRawPeer(t *testing.T) {
	checkLeaks(t)
	peerSaw := make(chan int, 1)
	url := rawServer(t, "", func(nc net.Conn, br *bufio.Reader) {
		// "ok" then an invalid byte split across two fragments
		nc.Write(append(frame(false, 1, []byte("ok"), false), frame(true, 0, []byte{0xff, 'x'}, false)...))
		peerSaw <- readCloseFrame(br)
	})
	c := dial(t, url, nil)
	_, _, err := c.ReadMessage()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseInvalidFramePayloadData || !ce.Local {
		t.Fatalf("read: %v, want a local CloseError 1007", err)
	}
	if code := <-peerSaw; code != 1007 {
		t.Fatalf("peer got close %d, want 1007", code)
	}
}

func TestOversizeMessage(t *testing.T) {
	checkLeaks(t)
	for _, viaSetter := range []bool{false, true} {
		errc := make(chan error, 1)
		up := &Upgrader{ReadLimit: 1000}
		if viaSetter {
			up.ReadLimit = 0
		}
		srv := startServer(t, up, func(c *Conn) {
			if viaSetter {
				c.SetReadLimit(1000)
			}
			_, _, err := c.ReadMessage()
			errc <- err
		})
		gc, _, err := gorilla.DefaultDialer.Dial(wsURL(srv), nil)
		if err != nil {
			t.Fatal(err)
		}
		gc.WriteMessage(gorilla.BinaryMessage, make([]byte, 2000))
		_, _, gerr := gc.ReadMessage()
		if !gorilla.IsCloseError(gerr, 1009) {
			t.Fatalf("gorilla saw %v, want close 1009", gerr)
		}
		gc.Close()
		if err := <-errc; CloseStatus(err) != CloseMessageTooBig {
			t.Fatalf("server read %v, want CloseError 1009", err)
		}
	}
}

// The client's first frame travels in the same segment as its upgrade
// request; the server must not lose it.
func TestFirstFrameWithRequest(t *testing.T) {
	checkLeaks(t)
	got := make(chan string, 1)
	srv := startServer(t, &Upgrader{}, func(c *Conn) {
		_, p, err := c.ReadMessage()
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(p)
		c.ReadMessage()
	})
	nc, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := "GET / HTTP/1.1\r\nHost: " + srv.Listener.Addr().String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	msg := append([]byte(req), frame(true, 1, []byte("first!"), true)...)
	msg = append(msg, frame(true, 8, []byte{0x03, 0xe8}, true)...)
	if _, err := nc.Write(msg); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != acceptFor(testKey) {
		t.Fatalf("response %v %v", resp, err)
	}
	if s := <-got; s != "first!" {
		t.Fatalf("server read %q", s)
	}
	if code := readCloseFrame(br); code != 1000 {
		t.Fatalf("close %d", code)
	}
}

func TestContextAndDeadlines(t *testing.T) {
	checkLeaks(t)
	srv := gorillaEchoServer(t, false)
	c := dial(t, wsURL(srv), nil)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, _, err := c.ReadMessageContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, err := c.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	// still usable
	if err := c.WriteMessageContext(context.Background(), TextMessage, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if _, p, err := c.ReadMessageContext(ctx2); err != nil || string(p) != "still here" {
		t.Fatalf("read after timeouts: %q %v", p, err)
	}
	// cancelled before the call
	dead, cancel3 := context.WithCancel(context.Background())
	cancel3()
	if err := c.WriteMessageContext(dead, TextMessage, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("write with a done context: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Dial honours its context
	ctx4, cancel4 := context.WithCancel(context.Background())
	cancel4()
	if _, _, err := Dial(ctx4, wsURL(srv), nil); err == nil {
		t.Fatal("Dial with a cancelled context succeeded")
	}
}

// Close from another goroutine ends a blocked reader with an error.
func TestCloseWhileReading(t *testing.T) {
	checkLeaks(t)
	srv := gorillaEchoServer(t, false)
	c := dial(t, wsURL(srv), nil)
	// The pong handler runs inside the reader's ReadMessage, so once it
	// ran the reader is provably blocked there (a sleep would not prove
	// it: a Close before the read began leaves it net.ErrClosed).
	reading := make(chan struct{})
	c.SetPongHandler(func(string) error { close(reading); return nil })
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage()
		errc <- err
	}()
	if err := c.Ping([]byte("are you reading")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reading:
	case <-time.After(10 * time.Second):
		t.Fatal("no PONG reached the reader")
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-errc; CloseStatus(err) != CloseNormalClosure {
		t.Fatalf("reader got %v, want the echoed 1000", err)
	}
	if _, _, err := c.ReadMessage(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
}

func TestHandshakeFailures(t *testing.T) {
	checkLeaks(t)
	ctx := context.Background()
	redirect := rawServer(t, "HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/\r\nContent-Length: 0\r\n", nil)
	_, resp, err := Dial(ctx, redirect, nil)
	if !errors.Is(err, ErrBadHandshake) || !strings.Contains(err.Error(), "redirect refused") || resp == nil || resp.StatusCode != 302 {
		t.Fatalf("redirect: %v", err)
	}
	badAccept := rawServer(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n", nil)
	if _, _, err := Dial(ctx, badAccept, nil); !errors.Is(err, ErrBadHandshake) || !strings.Contains(err.Error(), "Accept") {
		t.Fatalf("bad accept: %v", err)
	}
	subproto := rawServer(t, "", nil) // a valid 101 without subprotocol: fine
	c, _, err := Dial(ctx, subproto, &DialOptions{Subprotocols: []string{"chat"}})
	if err != nil {
		t.Fatalf("no subprotocol chosen: %v", err)
	}
	c.CloseWithStatus(1000, "")
	if _, _, err := Dial(ctx, "http://127.0.0.1:1/", nil); !errors.Is(err, ErrBadHandshake) {
		t.Fatalf("http scheme: %v", err)
	}

	srv := startServer(t, &Upgrader{Subprotocols: []string{"v2", "v1"}}, echo)
	c2 := dial(t, wsURL(srv), &DialOptions{Subprotocols: []string{"v1", "v2"}})
	if c2.Subprotocol() != "v2" {
		t.Fatalf("subprotocol %q, want the server's preference v2", c2.Subprotocol())
	}
	c2.Close()
	// extra headers travel: a foreign Origin is refused by the default check
	_, resp403, err := Dial(ctx, wsURL(srv), &DialOptions{HTTPHeader: http.Header{"Origin": {"http://elsewhere.example"}}})
	var he *HandshakeError
	if !errors.As(err, &he) || he.Status != 403 || resp403 == nil || resp403.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	c3 := dial(t, wsURL(srv), &DialOptions{HTTPHeader: http.Header{"Origin": {srv.URL}}})
	c3.Close()
	// plain HTTP to the upgrade endpoint, wrong version, cross origin
	for _, tc := range []struct {
		hdr    map[string]string
		status int
	}{
		{map[string]string{}, 400},
		{map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": testKey}, 426},
		{map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "short"}, 400},
		{map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": testKey, "Origin": "http://evil.example"}, 403},
	} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Fatalf("%v: status %d, want %d", tc.hdr, resp.StatusCode, tc.status)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestNetConnAndTLS(t *testing.T) {
	checkLeaks(t)
	up := &Upgrader{EnableCompression: true}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		nc := c.NetConn(context.Background(), BinaryMessage)
		io.Copy(nc, nc) // echo the stream
		nc.Close()
	}))
	srv.StartTLS()
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https"), &DialOptions{
		TLSConfig: &tls.Config{RootCAs: pool}, EnableCompression: true,
	})
	if err != nil {
		t.Fatalf("wss Dial: %v", err)
	}
	if !c.Compressed() {
		t.Fatal("no compression over wss")
	}
	nc := c.NetConn(ctx, BinaryMessage)
	want := make([]byte, 300000)
	for i := range want {
		want[i] = byte(i % 251)
	}
	go func() {
		for off := 0; off < len(want); off += 7000 {
			nc.Write(want[off:min(off+7000, len(want))])
		}
	}()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(nc, got); err != nil {
		t.Fatalf("stream read: %v", err)
	}
	if string(got) != string(want) {
		t.Fatal("stream differs")
	}
	if err := nc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Close returns even when a write is stuck because the peer never reads.
func TestCloseWithStuckWriter(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		br := bufio.NewReader(nc)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		nc.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			acceptFor(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"))
		<-release // never read
	}()
	c := dial(t, "ws://"+ln.Addr().String()+"/", nil)
	c.SetCloseTimeout(200 * time.Millisecond)
	werr := make(chan error, 1)
	go func() {
		big := make([]byte, 1<<20)
		for {
			if err := c.WriteMessage(BinaryMessage, big); err != nil {
				werr <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	c.Close()
	if err := <-werr; err == nil {
		t.Fatal("stuck write ended without error")
	}
	close(release)
}

// A raw client's invalid UTF-8 (and a protocol error) reaches our server:
// it answers with the CLOSE RFC 6455 requires and reads a local CloseError.
func TestServerRejectsBadFrames(t *testing.T) {
	checkLeaks(t)
	for _, tc := range []struct {
		frame []byte
		code  int
	}{
		{frame(true, 1, []byte{'a', 0xc3, 0x28}, true), 1007},
		{frame(true, 1, []byte("unmasked"), false), 1002},
		{frame(true, 3, []byte("reserved opcode"), true), 1002},
		{frame(false, 9, []byte("fragmented ping"), true), 1002},
	} {
		got := make(chan error, 1)
		srv := startServer(t, &Upgrader{}, func(c *Conn) {
			_, _, err := c.ReadMessage()
			got <- err
		})
		nc, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
		nc.Write([]byte(req))
		br := bufio.NewReader(nc)
		if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 101 {
			t.Fatalf("handshake: %v", err)
		}
		nc.Write(tc.frame)
		if code := readCloseFrame(br); code != tc.code {
			t.Fatalf("close %d, want %d", code, tc.code)
		}
		var ce *CloseError
		if err := <-got; !errors.As(err, &ce) || ce.Code != tc.code || !ce.Local {
			t.Fatalf("server read %v, want local close %d", err, tc.code)
		}
		nc.Close()
	}
}

func TestDialIPv6(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		echoWhole(c)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	c := dial(t, "ws://"+ln.Addr().String()+"/v6", nil)
	if err := c.WriteMessage(TextMessage, []byte("over ::1")); err != nil {
		t.Fatal(err)
	}
	if _, p, err := c.ReadMessage(); err != nil || string(p) != "over ::1" {
		t.Fatalf("read %q %v", p, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestKeepalive(t *testing.T) {
	checkLeaks(t)
	// gorilla answers the PINGs: the connection lives on
	srv := gorillaEchoServer(t, false)
	c := dial(t, wsURL(srv), nil)
	var pongs atomic.Int32
	c.SetPongHandler(func(string) error { pongs.Add(1); return nil })
	c.Keepalive(20*time.Millisecond, 5*time.Second)
	readErr := make(chan error, 1)
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				readErr <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for pongs.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if pongs.Load() < 3 {
		t.Fatalf("%d pongs", pongs.Load())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-readErr; CloseStatus(err) != CloseNormalClosure {
		t.Fatalf("reader: %v", err)
	}

	// a peer that never answers: the connection ends with 1006
	url := rawServer(t, "", func(nc net.Conn, br *bufio.Reader) {
		io.Copy(io.Discard, br) // swallows the PINGs, answers nothing
	})
	c2 := dial(t, url, nil)
	c2.Keepalive(20*time.Millisecond, 100*time.Millisecond)
	start := time.Now()
	_, _, err := c2.ReadMessage()
	if CloseStatus(err) != CloseAbnormalClosure {
		t.Fatalf("read: %v, want 1006", err)
	}
	// About 120 ms; only the keepalive can end this read, the bound is
	// generous for a loaded machine.
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the silent peer was noticed only after %v", time.Since(start))
	}
}

// A write blocked by a peer that does not read ends with the context's
// error; the connection is unusable for writing afterwards.
func TestWriteContextStuck(t *testing.T) {
	checkLeaks(t)
	release := make(chan struct{})
	started := make(chan struct{})
	url := rawServer(t, "", func(_ net.Conn, br *bufio.Reader) {
		// Read the start of the message, then stop reading: the write is
		// then provably in progress when the context ends. (A deadline
		// that expires before the write starts cuts nothing and leaves
		// the connection usable, which is not what this test is about.)
		if _, err := io.ReadFull(br, make([]byte, 4096)); err == nil {
			close(started)
		}
		<-release
	})
	t.Cleanup(func() { close(release) }) // runs before rawServer's cleanup
	c := dial(t, url, nil)
	c.SetCloseTimeout(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
		}
		cancel()
	}()
	big := make([]byte, 32<<20)
	err := c.WriteMessageContext(ctx, BinaryMessage, big)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stuck write: %v", err)
	}
	select {
	case <-started:
	default:
		t.Fatal("the peer never received the start of the message")
	}
	if err := c.WriteMessage(BinaryMessage, []byte("x")); err == nil {
		t.Fatal("write after a cut frame succeeded")
	}
	c.Close()
}
