package websocket

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// DefaultMaxFragments is the default cap on the frames of one received
// message.
const DefaultMaxFragments = 1 << 16

// DefaultCompressionLevel is the zlib level of the messages a Conn
// compresses until SetCompressionLevel: 1, as gorilla/websocket, since it
// deflates about twice as fast as zlib's default (6) for a somewhat larger
// result. The C library's SocketWS_T keeps zlib's default.
const DefaultCompressionLevel = 1

// DefaultCloseTimeout bounds how long Close waits for the peer's CLOSE.
const DefaultCloseTimeout = 5 * time.Second

const (
	writeBufSize    = 64 << 10 // output copied out of the codec per write call
	maxWriteBufSize = 1 << 20
	fragmentSize    = 32 << 10 // NextWriter frame size
	scratchSize     = 4 << 10
	stageSize       = 64 << 10 // reads smaller than this go through a Go buffer
	maxScratchKept  = 1 << 20
)

// Conn is a WebSocket connection: the RFC 6455 framing runs in the C
// codec (socket/SocketWSExt.h), the bytes travel through the net.Conn it
// was made from (Go's poller).
//
// Concurrency: one goroutine may read (ReadMessage, NextReader and its
// reader, the Context variants) while another writes (WriteMessage,
// NextWriter and its writer). WriteControl, Ping, Close, CloseWithStatus,
// the deadline setters, Subprotocol and the addresses may be called from
// any goroutine at any time.
type Conn struct {
	conn        net.Conn
	codec       *cgo.WSCodec
	server      bool
	subprotocol string
	compressed  bool

	readMu    sync.Mutex
	pendingIn int    // bytes read into the codec's input space, not yet committed
	leftover  []byte // bytes read (with the handshake, or into stage), fed before the socket
	stage     []byte
	inMessage bool // a message started, its end not seen yet
	msgLen    int64
	readErr   error // sticky: CloseError
	reader    *messageReader
	scratch   []byte
	readLimit atomic.Int64

	writeMu  sync.Mutex
	wbuf     []byte
	writeErr error
	writer   *messageWriter

	handlerMu   sync.Mutex
	pingHandler func(appData string) error
	pongHandler func(appData string) error

	deadlineMu    sync.Mutex
	readDeadline  time.Time
	writeDeadline time.Time

	closed       atomic.Bool
	closeRecv    chan struct{} // closed when reading ended (peer CLOSE, protocol error, EOF)
	done         chan struct{} // closed by Close
	pongSeen     chan struct{} // one token per PONG, for Keepalive
	closeRecvSet sync.Once
	closeOnce    sync.Once
	closeErr     error
	closeTimeout atomic.Int64 // time.Duration
}

type connConfig struct {
	server         bool
	maxFrameSize   int
	maxMessageSize int64
	maxFragments   int
	deflate        cgo.WSDeflate
	subprotocol    string
	leftover       []byte
}

func newConn(nc net.Conn, cfg connConfig) (*Conn, error) {
	if cfg.maxMessageSize < 0 || cfg.maxFrameSize < 0 || cfg.maxFragments < 0 {
		return nil, errors.New("websocket: negative ReadLimit, MaxFrameSize or MaxFragments")
	}
	codec, err := cgo.NewWSCodec(cgo.WSConfig{
		Server:         cfg.server,
		MaxFrameSize:   cfg.maxFrameSize,
		MaxMessageSize: int(cfg.maxMessageSize),
		MaxFragments:   cmp.Or(cfg.maxFragments, DefaultMaxFragments),
		ValidateUTF8:   true,
		Params:         cfg.deflate,
	})
	if err != nil {
		return nil, errs.Wrap("websocket.newConn", err, nil)
	}
	if cfg.deflate.Enabled {
		if _, err := codec.SetDeflateLevel(DefaultCompressionLevel); err != nil {
			codec.Close()
			return nil, errs.Wrap("websocket.newConn", err, nil)
		}
	}
	c := &Conn{
		conn:        nc,
		codec:       codec,
		server:      cfg.server,
		subprotocol: cfg.subprotocol,
		compressed:  cfg.deflate.Enabled,
		leftover:    cfg.leftover,
		wbuf:        make([]byte, writeBufSize),
		closeRecv:   make(chan struct{}),
		done:        make(chan struct{}),
		pongSeen:    make(chan struct{}, 1),
	}
	c.closeTimeout.Store(int64(DefaultCloseTimeout))
	return c, nil
}

// Subprotocol returns the negotiated subprotocol, "" if none.
func (c *Conn) Subprotocol() string { return c.subprotocol }

// Compressed reports whether permessage-deflate was negotiated.
func (c *Conn) Compressed() bool { return c.compressed }

// SetCompressionLevel sets the zlib level (-1 for zlib's default, 0 to
// store, 1 fastest .. 9 smallest) of the messages written from now on;
// the peer inflates any level. It does nothing when compression was not
// negotiated. It fails for a level out of range or while a NextWriter
// message is open.
func (c *Conn) SetCompressionLevel(level int) error {
	if level < -1 || level > 9 {
		return errors.New("websocket: compression level " + strconv.Itoa(level) + " out of range -1..9")
	}
	if !c.compressed {
		return nil
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.writer != nil {
		return errors.New("websocket: SetCompressionLevel while a NextWriter message is open")
	}
	ok, err := c.codec.SetDeflateLevel(level)
	if err != nil {
		return errs.Wrap("websocket.Conn.SetCompressionLevel", err, nil)
	}
	if !ok {
		return errors.New("websocket: the codec refused compression level " + strconv.Itoa(level))
	}
	return nil
}

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// UnderlyingConn returns the net.Conn the WebSocket runs over.
func (c *Conn) UnderlyingConn() net.Conn { return c.conn }

// SetReadLimit caps the size of a received message (after
// decompression); a larger one ends the connection with CLOSE 1009 and a
// CloseError. 0 removes the cap (the limit the connection was created
// with still applies in the codec).
func (c *Conn) SetReadLimit(limit int64) { c.readLimit.Store(limit) }

// SetCloseTimeout sets how long Close waits for the peer's CLOSE
// (DefaultCloseTimeout).
func (c *Conn) SetCloseTimeout(d time.Duration) { c.closeTimeout.Store(int64(d)) }

// SetReadDeadline sets the deadline of reads. A read that times out
// returns an error matching os.ErrDeadlineExceeded and leaves the
// connection usable: the codec keeps the partial frame.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.deadlineMu.Lock()
	c.readDeadline = t
	c.deadlineMu.Unlock()
	return c.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the deadline of writes. A write that times out
// may have sent part of a frame: the connection is then unusable for
// writing (later writes return the same error).
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.deadlineMu.Lock()
	c.writeDeadline = t
	c.deadlineMu.Unlock()
	return c.conn.SetWriteDeadline(t)
}

// SetPingHandler sets a function called with the payload of each PING
// received, on the reading goroutine. The PONG answer is sent by the
// codec itself whatever the handler does.
func (c *Conn) SetPingHandler(h func(appData string) error) {
	c.handlerMu.Lock()
	c.pingHandler = h
	c.handlerMu.Unlock()
}

// SetPongHandler sets a function called with the payload of each PONG
// received, on the reading goroutine. An error from it ends reading.
func (c *Conn) SetPongHandler(h func(appData string) error) {
	c.handlerMu.Lock()
	c.pongHandler = h
	c.handlerMu.Unlock()
}

// withContext runs fn with the read (or write) deadline moved to now
// when ctx is done; the error is then ctx.Err().
func (c *Conn) withContext(ctx context.Context, read bool, fn func() error) error {
	if ctx.Done() == nil {
		return fn()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() {
		if read {
			c.conn.SetReadDeadline(time.Unix(1, 0))
		} else {
			c.conn.SetWriteDeadline(time.Unix(1, 0))
		}
	})
	err := fn()
	if !stop() {
		c.deadlineMu.Lock()
		if read {
			c.conn.SetReadDeadline(c.readDeadline)
		} else {
			c.conn.SetWriteDeadline(c.writeDeadline)
		}
		c.deadlineMu.Unlock()
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			return ctx.Err()
		}
	}
	return err
}

// ---- closing ----

// Close starts the closing handshake with 1000 and reason "", waits up
// to the close timeout for the peer's CLOSE, then closes the network
// connection and frees the codec. Calls after the first return the
// first one's result.
func (c *Conn) Close() error { return c.CloseWithStatus(CloseNormalClosure, "") }

// CloseWithStatus is Close with a close code and reason (cut to 123
// bytes). When a goroutine is reading, it sees the peer's answer as a
// CloseError; otherwise Close reads (and drops) messages until it.
func (c *Conn) CloseWithStatus(code int, reason string) error {
	c.closeOnce.Do(func() { c.closeErr = c.doClose(code, reason) })
	return c.closeErr
}

func (c *Conn) doClose(code int, reason string) error {
	close(c.done)
	if !lockWithin(&c.writeMu, time.Duration(c.closeTimeout.Load())) {
		// a write is stuck (the peer does not read): end it
		c.conn.Close()
		c.writeMu.Lock()
	}
	if c.writer != nil {
		c.writer.closed = true
		c.writer = nil
	}
	err := c.sendLocked(cgo.WSSendClose, code, []byte(reason))
	c.writeMu.Unlock()
	if errors.Is(err, ErrCloseSent) {
		err = nil
	}
	if err == nil {
		c.awaitPeerClose()
	}
	c.closed.Store(true)
	cerr := c.conn.Close()
	if c.readMu.TryLock() {
		c.codec.Close()
		c.readMu.Unlock()
	} // else the reader frees it when it returns (see unlockRead)
	c.writeMu.Lock()
	c.writeMu.Unlock()
	if err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

func (c *Conn) awaitPeerClose() {
	wait := time.Duration(c.closeTimeout.Load())
	timer := time.NewTimer(wait)
	defer timer.Stop()
	if c.readMu.TryLock() {
		if c.readErr == nil {
			c.conn.SetReadDeadline(time.Now().Add(wait))
			for c.readErr == nil {
				if c.discardStep() != nil {
					break
				}
			}
		}
		c.readMu.Unlock()
		return
	}
	select {
	case <-c.closeRecv:
	case <-timer.C:
	}
}

// discardStep pulls events and drops message bytes.
func (c *Conn) discardStep() error {
	if len(c.scratch) < scratchSize {
		c.scratch = make([]byte, scratchSize)
	}
	r, err := c.step(c.scratch)
	if err != nil {
		return err
	}
	if r.End {
		c.inMessage = false
	}
	return nil
}

func (c *Conn) endReading(err error) error {
	if c.readErr == nil {
		c.readErr = err
		c.closeRecvSet.Do(func() { close(c.closeRecv) })
	}
	return c.readErr
}

// ---- reading ----

// lockRead takes the read lock; it fails once Close ran.
func (c *Conn) lockRead() error {
	c.readMu.Lock()
	if c.closed.Load() {
		c.unlockRead()
		return net.ErrClosed
	}
	return nil
}

// unlockRead releases the read lock; after Close, the last reader frees
// the codec (Close could not while the read used the codec's memory).
func (c *Conn) unlockRead() {
	c.readMu.Unlock()
	if c.closed.Load() && c.readMu.TryLock() {
		c.codec.Close()
		c.readMu.Unlock()
	}
}

// readInput reads the next bytes into the codec's input space.
func (c *Conn) readInput() error {
	space, err := c.codec.InputSpace()
	if err != nil {
		return c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "connection closed", err: errs.Wrap("websocket.Conn.Read", err, nil)})
	}
	if len(space) == 0 {
		return c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "input buffer full"})
	}
	if len(c.leftover) > 0 {
		n := copy(space, c.leftover)
		c.leftover = c.leftover[n:]
		c.pendingIn = n
		return nil
	}
	var n int
	if len(space) < stageSize {
		// The codec's input space starts small (16 KiB) and grows only
		// while it stays full: reading through a larger Go buffer saves
		// a syscall per message of 16 KiB and more, for one memcpy.
		if c.stage == nil {
			c.stage = make([]byte, stageSize)
		}
		n, err = c.conn.Read(c.stage)
		if n > 0 {
			k := copy(space, c.stage[:n])
			c.leftover = c.stage[k:n]
			c.pendingIn = k
			return nil
		}
	} else {
		n, err = c.conn.Read(space)
		c.pendingIn = n
	}
	if n > 0 || err == nil {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err // the codec kept its state: reading may go on
	}
	text := "unexpected EOF"
	if err != io.EOF {
		text = err.Error()
	} else {
		err = io.ErrUnexpectedEOF
	}
	c.conn.Close()
	return c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: text, err: err})
}

// step pulls the next events into dst, reading from the network as
// needed, and acts on control events. It returns once something was
// copied, a message started or ended, or a control event was handled.
func (c *Conn) step(dst []byte) (cgo.WSRead, error) {
	for {
		if c.readErr != nil {
			return cgo.WSRead{}, c.readErr
		}
		r, err := c.codec.Read(c.pendingIn, dst)
		c.pendingIn = 0
		if err != nil {
			return r, c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "codec closed", err: errs.Wrap("websocket.Conn.Read", err, nil)})
		}
		if r.Copied > 0 {
			c.msgLen += int64(r.Copied)
			if lim := c.readLimit.Load(); lim > 0 && c.msgLen > lim {
				return r, c.failLocal(CloseMessageTooBig, ErrReadLimit)
			}
		}
		if r.Event != 0 {
			if err := c.controlEvent(r); err != nil {
				return r, err
			}
		}
		if r.Start != 0 || r.Copied > 0 || r.End || r.More || r.Event != 0 {
			return r, nil
		}
		if r.Done {
			return r, c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "connection finished"})
		}
		if err := c.readInput(); err != nil {
			return r, err
		}
	}
}

func (c *Conn) controlEvent(r cgo.WSRead) error {
	switch r.Event {
	case cgo.WSEventPing:
		c.flushControl() // the codec queued the PONG
		c.handlerMu.Lock()
		h := c.pingHandler
		c.handlerMu.Unlock()
		if h != nil {
			if err := h(string(r.Data)); err != nil {
				return c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "ping handler: " + err.Error(), err: err})
			}
		}
	case cgo.WSEventPong:
		select {
		case c.pongSeen <- struct{}{}:
		default:
		}
		c.handlerMu.Lock()
		h := c.pongHandler
		c.handlerMu.Unlock()
		if h != nil {
			if err := h(string(r.Data)); err != nil {
				return c.endReading(&CloseError{Code: CloseAbnormalClosure, Text: "pong handler: " + err.Error(), err: err})
			}
		}
	case cgo.WSEventClose:
		c.flushControl() // our answering CLOSE, unless we sent ours first
		err := c.endReading(&CloseError{Code: r.CloseCode, Text: string(r.Data)})
		c.conn.Close() // both CLOSEs are out: the handshake is over
		return err
	case cgo.WSEventError:
		c.flushControl() // the CLOSE RFC 6455 requires (1002/1007/1009)
		err := c.endReading(&CloseError{Code: r.CloseCode, Text: codecErrorText(r.Error), Local: true})
		c.conn.Close()
		return err
	}
	return nil
}

func codecErrorText(e int) string {
	switch e {
	case cgo.WSErrorProtocol:
		return "protocol error"
	case cgo.WSErrorFrameTooBig:
		return "frame too large"
	case cgo.WSErrorMessageTooBig:
		return "message too large"
	case cgo.WSErrorInvalidUTF8:
		return "invalid UTF-8"
	case cgo.WSErrorCompression:
		return "invalid compressed data"
	}
	return "codec error"
}

// failLocal sends CLOSE code and ends reading with cause.
func (c *Conn) failLocal(code int, cause error) error {
	c.writeMu.Lock()
	c.sendLocked(cgo.WSSendClose, code, nil)
	c.writeMu.Unlock()
	err := c.endReading(&CloseError{Code: code, Text: cause.Error(), Local: true, err: cause})
	c.conn.Close()
	return err
}

// flushControl writes what the codec queued on its own (PONG, CLOSE).
func (c *Conn) flushControl() {
	c.writeMu.Lock()
	c.sendLocked(cgo.WSSendFlush, 0, nil)
	c.writeMu.Unlock()
}

// startMessage skips the rest of the current message and waits for the
// next one; end is true when it was empty and already complete.
func (c *Conn) startMessage() (mt MessageType, end bool, err error) {
	for c.inMessage {
		if err := c.discardStep(); err != nil {
			return 0, false, err
		}
	}
	for {
		r, err := c.step(nil)
		if err != nil {
			return 0, false, err
		}
		if r.Start != 0 {
			c.msgLen = 0
			c.inMessage = !r.End
			return MessageType(r.Start), r.End, nil
		}
	}
}

// ReadMessage reads the next TEXT or BINARY message whole. PINGs are
// answered on the way; the end of reading is a *CloseError.
func (c *Conn) ReadMessage() (MessageType, []byte, error) {
	if err := c.lockRead(); err != nil {
		return 0, nil, err
	}
	defer c.unlockRead()
	if c.reader != nil {
		c.reader.stale = true
		c.reader = nil
	}
	mt, end, err := c.startMessage()
	if err != nil {
		return 0, nil, err
	}
	if end {
		return mt, []byte{}, nil
	}
	if cap(c.scratch) < scratchSize {
		c.scratch = make([]byte, scratchSize)
	}
	buf := c.scratch[:0]
	for {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		r, err := c.step(buf[len(buf):cap(buf)])
		if err != nil {
			return 0, nil, err
		}
		buf = buf[:len(buf)+r.Copied]
		if r.End {
			c.inMessage = false
			out := make([]byte, len(buf))
			copy(out, buf)
			if cap(buf) <= maxScratchKept {
				c.scratch = buf[:cap(buf)]
			}
			return mt, out, nil
		}
	}
}

// ReadMessageContext is ReadMessage ending with ctx.Err() when ctx is
// done first. The connection stays usable after a cancelled read.
func (c *Conn) ReadMessageContext(ctx context.Context) (mt MessageType, p []byte, err error) {
	err = c.withContext(ctx, true, func() error {
		var e error
		mt, p, e = c.ReadMessage()
		return e
	})
	return mt, p, err
}

// NextReader waits for the next message and returns its type and a
// reader of its bytes, valid until the next NextReader or ReadMessage
// (which skip what was not read). Large messages are streamed: nothing
// holds a whole message.
func (c *Conn) NextReader() (MessageType, io.Reader, error) {
	if err := c.lockRead(); err != nil {
		return 0, nil, err
	}
	defer c.unlockRead()
	if c.reader != nil {
		c.reader.stale = true
		c.reader = nil
	}
	mt, end, err := c.startMessage()
	if err != nil {
		return 0, nil, err
	}
	c.reader = &messageReader{c: c, eof: end}
	return mt, c.reader, nil
}

// NextReaderContext is NextReader ending with ctx.Err() when ctx is done
// first.
func (c *Conn) NextReaderContext(ctx context.Context) (mt MessageType, r io.Reader, err error) {
	err = c.withContext(ctx, true, func() error {
		var e error
		mt, r, e = c.NextReader()
		return e
	})
	return mt, r, err
}

type messageReader struct {
	c     *Conn
	eof   bool
	stale bool
}

var errStaleReader = errors.New("websocket: reader used after the next NextReader or ReadMessage")

func (r *messageReader) Read(p []byte) (int, error) {
	c := r.c
	if err := c.lockRead(); err != nil {
		return 0, err
	}
	defer c.unlockRead()
	if r.stale {
		return 0, errStaleReader
	}
	if r.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		res, err := c.step(p)
		if err != nil {
			return res.Copied, err
		}
		if res.End {
			c.inMessage = false
			r.eof = true
			if res.Copied == 0 {
				return 0, io.EOF
			}
		}
		if res.Copied > 0 {
			return res.Copied, nil
		}
	}
}

// ---- writing ----

// sendLocked queues op in the codec and writes the output; writeMu held.
func (c *Conn) sendLocked(op, arg int, data []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	n, pending, wserr, err := c.codec.Send(op, arg, data, c.wbuf)
	if err != nil {
		return errs.Wrap("websocket.Conn.Write", err, nil)
	}
	for {
		if n > 0 {
			if _, err := c.conn.Write(c.wbuf[:n]); err != nil {
				c.writeErr = err
				return err
			}
		}
		if pending == 0 {
			break
		}
		if pending > len(c.wbuf) && len(c.wbuf) < maxWriteBufSize {
			c.wbuf = make([]byte, min(pending, maxWriteBufSize))
		}
		n, pending, _, err = c.codec.Send(cgo.WSSendFlush, 0, nil, c.wbuf)
		if err != nil {
			return errs.Wrap("websocket.Conn.Write", err, nil)
		}
	}
	if len(c.wbuf) > writeBufSize && op != cgo.WSSendContinue {
		c.wbuf = make([]byte, writeBufSize)
	}
	switch wserr {
	case cgo.WSOK:
		return nil
	case cgo.WSErrorClosed:
		return ErrCloseSent
	case cgo.WSErrorInvalidUTF8:
		return ErrInvalidUTF8
	case cgo.WSErrorMessageTooBig:
		return ErrMessageTooBig
	case cgo.WSErrorProtocol:
		return errors.New("websocket: invalid message type, close code or control payload")
	}
	return errors.New("websocket: " + codecErrorText(wserr))
}

func checkDataType(mt MessageType) error {
	if mt != TextMessage && mt != BinaryMessage {
		return errors.New("websocket: message type must be TextMessage or BinaryMessage, not " + mt.String())
	}
	return nil
}

// WriteMessage sends data as one TEXT or BINARY message (compressed when
// negotiated). A text message must be valid UTF-8.
func (c *Conn) WriteMessage(mt MessageType, data []byte) error {
	if err := checkDataType(mt); err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.writer != nil {
		c.writer.finishLocked()
	}
	return c.sendLocked(cgo.WSSendMessage, int(mt), data)
}

// WriteMessageContext is WriteMessage ending with ctx.Err() when ctx is
// done first (the connection is then unusable for writing).
func (c *Conn) WriteMessageContext(ctx context.Context, mt MessageType, data []byte) error {
	return c.withContext(ctx, false, func() error { return c.WriteMessage(mt, data) })
}

// WriteControl sends a PING, PONG or CLOSE (data as FormatCloseMessage
// builds it). A non-zero deadline applies to this write alone. It may be
// called while another goroutine writes a message.
func (c *Conn) WriteControl(mt MessageType, data []byte, deadline time.Time) error {
	var op, arg int
	switch mt {
	case PingMessage:
		op = cgo.WSSendPing
	case PongMessage:
		op = cgo.WSSendPong
	case CloseMessage:
		op, arg = cgo.WSSendClose, CloseNoStatusReceived
		if len(data) >= 2 {
			arg = int(data[0])<<8 | int(data[1])
			data = data[2:]
		} else if len(data) == 1 {
			return errors.New("websocket: invalid close payload")
		}
	default:
		return errors.New("websocket: not a control message type: " + mt.String())
	}
	if len(data) > 125 {
		return errors.New("websocket: control payload over 125 bytes")
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if !deadline.IsZero() {
		c.conn.SetWriteDeadline(deadline)
		defer func() {
			c.deadlineMu.Lock()
			c.conn.SetWriteDeadline(c.writeDeadline)
			c.deadlineMu.Unlock()
		}()
	}
	return c.sendLocked(op, arg, data)
}

// Ping sends a PING with data (at most 125 bytes); the PONG is reported
// to the pong handler by the reading goroutine.
func (c *Conn) Ping(data []byte) error { return c.WriteControl(PingMessage, data, time.Time{}) }

// NextWriter returns a writer for a new message of type mt, sent in
// frames of 32 KiB as it is written (nothing holds the whole message)
// and finished by Close. An open writer is finished first.
func (c *Conn) NextWriter(mt MessageType) (io.WriteCloser, error) {
	if err := checkDataType(mt); err != nil {
		return nil, err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.writeErr != nil {
		return nil, c.writeErr
	}
	if c.writer != nil {
		c.writer.finishLocked()
	}
	w := &messageWriter{c: c, mt: mt}
	c.writer = w
	return w, nil
}

type messageWriter struct {
	c      *Conn
	mt     MessageType
	buf    []byte
	begun  bool
	closed bool
	err    error
}

var errWriterClosed = errors.New("websocket: write to a closed message writer")

func (w *messageWriter) Write(p []byte) (int, error) {
	c := w.c
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if w.closed {
		return 0, errWriterClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total := len(p)
	for len(p) > 0 {
		if len(w.buf) == 0 && len(p) >= fragmentSize {
			// large writes go out without a copy
			if err := w.fragmentLocked(p[:fragmentSize]); err != nil {
				return total - len(p), err
			}
			p = p[fragmentSize:]
			continue
		}
		if w.buf == nil {
			w.buf = make([]byte, 0, fragmentSize)
		}
		n := copy(w.buf[len(w.buf):fragmentSize], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
		if len(w.buf) == fragmentSize {
			if err := w.fragmentLocked(w.buf); err != nil {
				return total - len(p), err
			}
			w.buf = w.buf[:0]
		}
	}
	return total, nil
}

func (w *messageWriter) fragmentLocked(p []byte) error {
	c := w.c
	if !w.begun {
		if err := c.sendLocked(cgo.WSSendBegin, int(w.mt), nil); err != nil {
			w.err = err
			return err
		}
		w.begun = true
	}
	if err := c.sendLocked(cgo.WSSendContinue, 0, p); err != nil {
		w.err = err
		return err
	}
	return nil
}

// finishLocked sends what is buffered as the final frame.
func (w *messageWriter) finishLocked() error {
	c := w.c
	if w.closed {
		return nil
	}
	w.closed = true
	if c.writer == w {
		c.writer = nil
	}
	if w.err != nil {
		return w.err
	}
	if !w.begun {
		return c.sendLocked(cgo.WSSendMessage, int(w.mt), w.buf)
	}
	return c.sendLocked(cgo.WSSendFinish, 0, w.buf)
}

// Close sends the final frame of the message.
func (w *messageWriter) Close() error {
	w.c.writeMu.Lock()
	defer w.c.writeMu.Unlock()
	if w.closed {
		return errWriterClosed
	}
	return w.finishLocked()
}

// lockWithin takes mu unless it stays held for d.
func lockWithin(mu *sync.Mutex, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !mu.TryLock() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// Keepalive sends a PING every interval and, when no PONG arrives within
// timeout of one, closes the network connection: the reading goroutine
// then gets a 1006 CloseError. PONGs are seen by the reader, so a
// goroutine must be reading. The pinger stops when reading ends or at
// Close; call Keepalive once.
func (c *Conn) Keepalive(interval, timeout time.Duration) {
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-c.closeRecv:
				return
			case <-c.done:
				return
			case <-tick.C:
			}
			select { // forget a PONG that answered an earlier PING
			case <-c.pongSeen:
			default:
			}
			if c.Ping([]byte("keepalive")) != nil {
				return
			}
			wait := time.NewTimer(timeout)
			select {
			case <-c.pongSeen:
				wait.Stop()
			case <-c.closeRecv:
				wait.Stop()
				return
			case <-c.done:
				wait.Stop()
				return
			case <-wait.C:
				c.conn.Close()
				return
			}
		}
	}()
}
