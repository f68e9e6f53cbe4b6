package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

// serve runs the echo handler on /echo and the test page on / until killed.
func serve(echo http.HandlerFunc, page string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || page == "" {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(page)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	})
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}

// printReport prints the browser page's final message.
func printReport(text bool, data []byte) {
	if text && strings.HasPrefix(string(data), "REPORT ") {
		fmt.Println(string(data))
	}
}

func gorillaHandler(deflate bool) http.HandlerFunc {
	up := websocket.Upgrader{
		EnableCompression: deflate,
		CheckOrigin:       func(*http.Request) bool { return true },
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade has answered with an error status
		}
		defer c.Close()
		// Echo the close code and reason (gorilla's default answers with the code only).
		c.SetCloseHandler(func(code int, text string) error {
			msg := []byte{}
			if code != websocket.CloseNoStatusReceived {
				msg = websocket.FormatCloseMessage(code, text)
			}
			_ = c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(5*time.Second))
			return nil
		})
		for {
			typ, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			printReport(typ == websocket.TextMessage, data)
			if err := c.WriteMessage(typ, data); err != nil {
				return
			}
		}
	}
}

func coderHandler(deflate bool) http.HandlerFunc {
	mode := coder.CompressionDisabled
	if deflate {
		mode = coder.CompressionContextTakeover
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, &coder.AcceptOptions{
			CompressionMode:    mode,
			InsecureSkipVerify: true, // the page's origin is our own host:port
		})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := context.Background()
		for {
			typ, data, err := c.Read(ctx) // answers pings and echoes close frames itself
			if err != nil {
				return
			}
			printReport(typ == coder.MessageText, data)
			if err := c.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}
}
