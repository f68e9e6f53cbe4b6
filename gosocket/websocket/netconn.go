package websocket

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// NetConn returns a net.Conn carrying a byte stream over c: each Write
// sends one message of type mt, Read returns the bytes of the received
// messages one after another (their boundaries are lost). The peer's
// normal close (1000) or 1001 reads as io.EOF. When ctx is done the
// WebSocket is closed (status 1008 policy violation, as coder/websocket
// does); Close closes it with 1000. Deadlines map to the WebSocket's.
func (c *Conn) NetConn(ctx context.Context, mt MessageType) net.Conn {
	nc := &netConn{c: c, mt: mt}
	nc.stop = context.AfterFunc(ctx, func() {
		c.CloseWithStatus(ClosePolicyViolation, "context done")
	})
	return nc
}

type netConn struct {
	c    *Conn
	mt   MessageType
	stop func() bool

	readMu sync.Mutex
	r      io.Reader
	eof    bool
}

func (n *netConn) Read(p []byte) (int, error) {
	n.readMu.Lock()
	defer n.readMu.Unlock()
	if n.eof {
		return 0, io.EOF
	}
	for {
		if n.r == nil {
			_, r, err := n.c.NextReader()
			if err != nil {
				if IsCloseError(err, CloseNormalClosure, CloseGoingAway) {
					n.eof = true
					return 0, io.EOF
				}
				return 0, err
			}
			n.r = r
		}
		k, err := n.r.Read(p)
		if errors.Is(err, io.EOF) {
			n.r = nil
			if k > 0 {
				return k, nil
			}
			continue
		}
		return k, err
	}
}

func (n *netConn) Write(p []byte) (int, error) {
	if err := n.c.WriteMessage(n.mt, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (n *netConn) Close() error {
	n.stop()
	return n.c.Close()
}

func (n *netConn) LocalAddr() net.Addr  { return n.c.LocalAddr() }
func (n *netConn) RemoteAddr() net.Addr { return n.c.RemoteAddr() }

func (n *netConn) SetDeadline(t time.Time) error {
	if err := n.c.SetReadDeadline(t); err != nil {
		return err
	}
	return n.c.SetWriteDeadline(t)
}

func (n *netConn) SetReadDeadline(t time.Time) error  { return n.c.SetReadDeadline(t) }
func (n *netConn) SetWriteDeadline(t time.Time) error { return n.c.SetWriteDeadline(t) }
