package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

// caseTimeout bounds each case; generous, since the machine may be loaded.
const caseTimeout = 60 * time.Second

// printExtensions reports what the server agreed to, so the run script can
// check that the deflate runs really compressed.
func printExtensions(resp *http.Response) {
	ext := ""
	if resp != nil {
		ext = resp.Header.Get("Sec-WebSocket-Extensions")
	}
	fmt.Printf("INFO extensions=%s\n", ext)
}

func runGorillaClient(url string, deflate bool) bool {
	d := websocket.Dialer{EnableCompression: deflate, HandshakeTimeout: caseTimeout}
	c, resp, err := d.Dial(url, nil)
	if err != nil {
		return report("handshake", err.Error())
	}
	defer c.Close()
	printExtensions(resp)
	pongs := make(chan string, 4)
	c.SetPongHandler(func(data string) error { pongs <- data; return nil })
	var peerClose *websocket.CloseError
	c.SetCloseHandler(func(code int, text string) error {
		peerClose = &websocket.CloseError{Code: code, Text: text}
		return nil // our close frame was sent first: no answer
	})
	recv := func(want Message) string {
		_ = c.SetReadDeadline(time.Now().Add(caseTimeout))
		typ, data, err := c.ReadMessage()
		if err != nil {
			return "read: " + err.Error()
		}
		return sameMessage(want, typ == websocket.TextMessage, data)
	}
	kind := func(m Message) int {
		if m.Text {
			return websocket.TextMessage
		}
		return websocket.BinaryMessage
	}
	ok := true
	for _, ec := range echoCases() {
		why := ""
		for _, m := range ec.msgs {
			if err := c.WriteMessage(kind(m), m.Data); err != nil {
				why = "write: " + err.Error()
				break
			}
		}
		for i := 0; why == "" && i < len(ec.msgs); i++ {
			if w := recv(ec.msgs[i]); w != "" {
				why = fmt.Sprintf("message %d: %s", i, w)
			}
		}
		ok = report(ec.name, why) && ok
	}

	// Fragmented: one NextWriter, a ping written between the fragments.
	// gorilla cuts frames at its 4 KiB write buffer, so the message goes
	// out as several frames.
	why := func() string {
		w, err := c.NextWriter(websocket.TextMessage)
		if err != nil {
			return err.Error()
		}
		var whole []byte
		for i, f := range fragments {
			if _, err := w.Write(f); err != nil {
				return err.Error()
			}
			whole = append(whole, f...)
			if i == 0 {
				if err := c.WriteControl(websocket.PingMessage, []byte("interleaved"), time.Now().Add(caseTimeout)); err != nil {
					return "ping: " + err.Error()
				}
			}
		}
		if err := w.Close(); err != nil {
			return err.Error()
		}
		return recv(Message{true, whole})
	}()
	ok = report("fragmented", why) && ok

	why = func() string {
		if err := c.WriteControl(websocket.PingMessage, []byte(pingPayload), time.Now().Add(caseTimeout)); err != nil {
			return err.Error()
		}
		// The pong handler runs inside a read: read one echo after the ping.
		after := Message{true, []byte("after-ping")}
		if err := c.WriteMessage(websocket.TextMessage, after.Data); err != nil {
			return err.Error()
		}
		if w := recv(after); w != "" {
			return w
		}
		for {
			select {
			case p := <-pongs:
				if p == pingPayload {
					return ""
				}
				// the interleaved ping's pong; keep looking
			default:
				return "no pong with the ping's payload before the next echo"
			}
		}
	}()
	ok = report("ping_pong", why) && ok

	why = func() string {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, closeReason)
		if err := c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(caseTimeout)); err != nil {
			return err.Error()
		}
		_ = c.SetReadDeadline(time.Now().Add(caseTimeout))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				break
			}
		}
		if peerClose == nil {
			return "no close frame from the server"
		}
		if peerClose.Code != websocket.CloseNormalClosure || peerClose.Text != closeReason {
			return fmt.Sprintf("server closed with %d %q, want 1000 %q", peerClose.Code, peerClose.Text, closeReason)
		}
		return ""
	}()
	return report("close_1000", why) && ok
}

func runCoderClient(url string, deflate bool) bool {
	mode := coder.CompressionDisabled
	if deflate {
		mode = coder.CompressionContextTakeover
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	c, resp, err := coder.Dial(ctx, url, &coder.DialOptions{CompressionMode: mode})
	cancel()
	if err != nil {
		return report("handshake", err.Error())
	}
	defer c.CloseNow()
	printExtensions(resp)
	c.SetReadLimit(64 << 20)
	kind := func(m Message) coder.MessageType {
		if m.Text {
			return coder.MessageText
		}
		return coder.MessageBinary
	}
	recv := func(want Message) string {
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		defer cancel()
		typ, data, err := c.Read(ctx)
		if err != nil {
			return "read: " + err.Error()
		}
		return sameMessage(want, typ == coder.MessageText, data)
	}
	ok := true
	for _, ec := range echoCases() {
		why := ""
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		for _, m := range ec.msgs {
			if err := c.Write(ctx, kind(m), m.Data); err != nil {
				why = "write: " + err.Error()
				break
			}
		}
		cancel()
		for i := 0; why == "" && i < len(ec.msgs); i++ {
			if w := recv(ec.msgs[i]); w != "" {
				why = fmt.Sprintf("message %d: %s", i, w)
			}
		}
		ok = report(ec.name, why) && ok
	}

	// A Read running in another goroutine, so that pongs get processed
	// while this one waits in Ping (coder handles control frames in Read).
	readAsync := func(want Message) chan string {
		res := make(chan string, 1)
		go func() { res <- recv(want) }()
		return res
	}

	// Fragmented: coder's Writer sends one frame per Write (uncompressed);
	// a ping goes out between the first and second fragment.
	why := func() string {
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		defer cancel()
		var whole []byte
		for _, f := range fragments {
			whole = append(whole, f...)
		}
		echo := readAsync(Message{true, whole})
		w, err := c.Writer(ctx, coder.MessageText)
		if err != nil {
			return err.Error()
		}
		for i, f := range fragments {
			if _, err := w.Write(f); err != nil {
				return err.Error()
			}
			if i == 0 {
				if err := c.Ping(ctx); err != nil {
					return "interleaved ping: " + err.Error()
				}
			}
		}
		if err := w.Close(); err != nil {
			return err.Error()
		}
		return <-echo
	}()
	ok = report("fragmented", why) && ok

	why = func() string {
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		defer cancel()
		after := Message{true, []byte("after-ping")}
		echo := readAsync(after)
		if err := c.Ping(ctx); err != nil { // waits for the pong with its payload
			return err.Error()
		}
		if err := c.Write(ctx, coder.MessageText, after.Data); err != nil {
			return err.Error()
		}
		return <-echo
	}()
	ok = report("ping_pong", why) && ok

	// coder's Close returns nil only when the peer answers with the same
	// code; it does not expose the peer's reason.
	err = c.Close(coder.StatusNormalClosure, closeReason)
	why = ""
	if err != nil && !errors.Is(err, context.Canceled) {
		why = err.Error()
	} else {
		fmt.Println("INFO close_1000: code checked; coder does not expose the peer's close reason")
	}
	return report("close_1000", why) && ok
}
