package websocket_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/libsocket/libsocket/gosocket/websocket"
)

// An echo server inside a net/http handler, and a client talking to it.
func Example() {
	up := &websocket.Upgrader{Subprotocols: []string{"echo"}, EnableCompression: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade answered the request with the error status
		}
		defer c.Close()
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return // a *websocket.CloseError
			}
			if err := c.WriteMessage(mt, p); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols: []string{"echo"}, EnableCompression: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.WriteMessageContext(ctx, websocket.TextMessage, []byte("hello")); err != nil {
		log.Fatal(err)
	}
	_, p, err := c.ReadMessageContext(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Subprotocol(), c.Compressed(), string(p))
	if err := c.Close(); err != nil {
		log.Fatal(err)
	}
	// Output: echo true hello
}
