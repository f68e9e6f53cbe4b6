// Package websocket is a WebSocket (RFC 6455, RFC 7692 permessage-deflate)
// client and server on libsocket's C codec.
//
// The framing, masking, UTF-8 checks, limits, close rules and
// compression run in C (socket/SocketWSExt.h, through package cgo); the
// bytes go through a net.Conn, so Go's poller does the waiting. A server
// upgrades inside any net/http handler with Upgrader.Upgrade; a client
// connects with Dial.
//
//	c, _, err := websocket.Dial(ctx, "ws://127.0.0.1:8080/echo", nil)
//	...
//	err = c.WriteMessage(websocket.TextMessage, []byte("hello"))
//	mt, msg, err := c.ReadMessage()
//	c.Close()
//
// Messages are read whole (ReadMessage) or streamed (NextReader), and
// written whole (WriteMessage) or streamed in frames (NextWriter). PINGs
// are answered by the codec; the peer's CLOSE is echoed; a peer breaking
// the protocol gets the CLOSE RFC 6455 requires (1002, 1007, 1009). The
// end of reading is always a *CloseError. Keepalive pings a peer at an
// interval and drops the connection when no PONG comes back in time.
//
// Context: ReadMessageContext, NextReaderContext and WriteMessageContext
// take a context besides the deadline setters; a cancelled read leaves
// the connection usable, a cancelled write does not (part of a frame may
// be out). NetConn adapts a connection to net.Conn for byte streams.
//
// Concurrency: one reader and one writer may run at once; the control
// writes (WriteControl, Ping), Close and the setters are safe from any
// goroutine.
package websocket
