package http2

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// clientConn is one client connection. mu guards every engine call and
// the fields below it; an engine call and the handling of the events it
// caused happen under one hold of mu, so a stream handle is never used
// after the engine removed it (a stream's DATA still unread when it
// ended is copied out before the next Input or Process, see retire).
type clientConn struct {
	t          *Transport
	key        string // pool key; "" for NewClientConn
	c          net.Conn
	eng        *cgo.H2Conn
	wake       chan struct{} // wakes the writer; never closed
	quit       chan struct{} // closed to stop the writer and the timer
	readerDone chan struct{}
	wmu        sync.Mutex // held while writing c (flush)
	wbuf       []byte     // output being written, guarded by wmu

	mu          sync.Mutex
	cond        *sync.Cond // broadcast on every event, drained output, end
	streams     map[uint32]*clientStream
	events      []cgo.H2Event
	reservedN   int  // slots reserved by getConn, stream not made yet
	open        int  // streams the engine has not ended
	ended       bool // a stream ended since the last Process
	gotSettings bool // our SETTINGS were acknowledged (theirs arrived)
	done        bool // no more I/O
	doneErr     error
	failed      bool // connection error (GOAWAY queued by the engine)
	goingAway   bool // we queued a GOAWAY
	outEmpty    bool
	writeErr    error
	lastUsed    time.Time
	peerGoAway  *GoAwayError
	sentGoAway  *ErrCode        // the code of our GOAWAY (read before the engine is freed)
	bounds      frameBounds     // frame boundaries of the input fed
	retiring    []*clientStream // ended, handle valid until the next Input/Process
}

type reserveResult int

const (
	reserved reserveResult = iota
	full
	pending // wait for the peer's SETTINGS
	unusable
	canceled // the context ended while waiting
)

// usableLocked reports whether new streams may start.
func (cc *clientConn) usableLocked() bool {
	return !cc.done && !cc.failed && !cc.goingAway && cc.peerGoAway == nil && cc.writeErr == nil
}

// availableLocked is how many more streams the engine lets us open:
// the peer's SETTINGS_MAX_CONCURRENT_STREAMS minus our open streams.
func (cc *clientConn) availableLocked() int {
	n, err := cc.eng.StreamsAvailable()
	if err != nil {
		return 0
	}
	return int(min(n, 1<<20))
}

// reserve takes a stream slot: one of the engine's StreamsAvailable not
// yet reserved. Until the peer's SETTINGS arrived only one stream is
// started (its limit is unknown).
//
// waitSettings waits for the peer's SETTINGS instead of returning
// pending; waitSlot waits for a free slot instead of returning full.
func (cc *clientConn) reserve(ctx context.Context, waitSettings, waitSlot bool) reserveResult {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if waitSettings || waitSlot {
		stop := context.AfterFunc(ctx, func() {
			cc.mu.Lock()
			cc.cond.Broadcast()
			cc.mu.Unlock()
		})
		defer stop()
	}
	for {
		if !cc.usableLocked() {
			return unusable
		}
		if ctx.Err() != nil {
			return canceled
		}
		inUse := cc.open + cc.reservedN
		if !cc.gotSettings && inUse >= 1 {
			if !waitSettings {
				return pending
			}
		} else if cc.reservedN < cc.availableLocked() {
			cc.reservedN++
			return reserved
		} else if !waitSlot {
			return full
		}
		cc.cond.Wait()
	}
}

func (cc *clientConn) kick() {
	select {
	case cc.wake <- struct{}{}:
	default:
	}
}

// peerGoAwayLocked returns the peer's GOAWAY, nil when none arrived.
// The engine resets the streams above its last-stream-id before it
// reports the GOAWAY itself, so the fields are fetched on first need.
// Called with mu held.
func (cc *clientConn) peerGoAwayLocked() *GoAwayError {
	if cc.peerGoAway == nil && !cc.done {
		if g, ok, err := cc.eng.GoAwayReceived(); err == nil && ok {
			cc.peerGoAway = &GoAwayError{LastStreamID: g.LastStreamID, ErrCode: ErrCode(g.Code), DebugData: string(g.Debug)}
		}
	}
	return cc.peerGoAway
}

// drain handles the events of the engine calls made since the last
// drain. Called with mu held.
func (cc *clientConn) drain() {
	for {
		evs := cc.eng.TakeEvents(cc.events[:0])
		cc.events = evs
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			cc.event(ev)
		}
		cc.cond.Broadcast()
	}
}

func (cc *clientConn) event(ev cgo.H2Event) {
	cs := cc.streams[ev.StreamID]
	switch ev.Type {
	case cgo.H2EventHeaders:
		if cs != nil && !cs.gotHead {
			cs.readHead()
		}
	case cgo.H2EventTrailers:
		if cs != nil && cs.trailers == nil {
			if f, _, ok, err := cc.eng.RecvHeaders(cs.h, true); err == nil && ok {
				cs.trailers = f
			}
		}
	case cgo.H2EventStreamEnd:
		if cs != nil {
			// The handle stays valid until the next Input or Process:
			// the body reader usually finishes with it before then
			// (retire copies out what is left otherwise).
			cc.forget(cs)
			cs.dead = false
			cc.retiring = append(cc.retiring, cs)
		}
	case cgo.H2EventStreamReset:
		if cs != nil {
			cc.forget(cs)
			cs.resetByPeerOrEngine(ev.ResetHow, ErrCode(ev.ResetCode))
		}
	case cgo.H2EventGoAwayReceived:
		cc.peerGoAwayLocked()
		if cc.key != "" {
			go cc.t.removeConn(cc)
		}
	case cgo.H2EventConnectionError:
		cc.failed = true
	case cgo.H2EventSettingsAck:
		cc.gotSettings = true
	}
}

// retire copies out the unread DATA of the streams that ended, whose
// handles the next Input or Process invalidates. Called with mu held.
func (cc *clientConn) retire() {
	for _, cs := range cc.retiring {
		cs.saveRest()
		cs.dead = true
	}
	clear(cc.retiring)
	cc.retiring = cc.retiring[:0]
}

// forget drops an ended stream: its handle is dead from now on.
func (cc *clientConn) forget(cs *clientStream) {
	cs.dead = true
	delete(cc.streams, cs.id)
	cc.open--
	cc.ended = true
	cc.lastUsed = time.Now()
}

// readLoop feeds the engine until the connection ends, then fails the
// streams still running.
func (cc *clientConn) readLoop() {
	err := cc.read()
	cc.mu.Lock()
	cc.retire()
	cc.peerGoAwayLocked()
	if _, code, ok, gerr := cc.eng.GoAwaySent(); gerr == nil && ok {
		c := ErrCode(code)
		cc.sentGoAway = &c
	}
	cc.done = true
	if cc.doneErr == nil {
		cc.doneErr = cc.endErrorLocked(err)
	}
	for _, cs := range cc.streams {
		cs.dead = true
		if cs.err == nil {
			cs.err = cc.streamEndErrorLocked(cs)
		}
	}
	clear(cc.streams)
	cc.cond.Broadcast()
	cc.mu.Unlock()
	close(cc.quit)
	cc.c.Close()
	cc.eng.Close()
	if cc.key != "" {
		cc.t.removeConn(cc)
	}
	close(cc.readerDone)
}

// endErrorLocked is the error of requests cut off by the connection end.
func (cc *clientConn) endErrorLocked(err error) error {
	switch {
	case cc.sentGoAway != nil && *cc.sentGoAway != ErrCodeNo:
		return ConnectionError(*cc.sentGoAway)
	case cc.peerGoAway != nil:
		return *cc.peerGoAway
	case cc.writeErr != nil:
		return cc.writeErr
	case err != nil:
		return err
	}
	return errClientConnLost
}

var errClientConnLost = errors.New("http2: client connection lost")

// streamEndErrorLocked is the error of cs when the connection ended: a
// stream above the peer's GOAWAY last-stream-id was not processed.
func (cc *clientConn) streamEndErrorLocked(cs *clientStream) error {
	if g := cc.peerGoAway; g != nil && cs.id > g.LastStreamID {
		return errUnprocessed{err: *g}
	}
	return cc.doneErr
}

func (cc *clientConn) read() error {
	buf := make([]byte, 64<<10)
	lastProcess := time.Now()
	idle := cc.t.IdleConnTimeout
	for {
		// Under mu: fireDeadline's wake-up deadline must not be replaced.
		cc.mu.Lock()
		failed := cc.failed
		if idle > 0 && !failed {
			cc.c.SetReadDeadline(time.Now().Add(idle))
		}
		cc.mu.Unlock()
		if failed {
			return cc.fail(nil)
		}
		n, rerr := cc.c.Read(buf)
		p := buf[:n]
		for len(p) > 0 {
			cc.mu.Lock()
			// Each header block goes in alone, so the head it carries
			// is read before a later one (a 1xx, then the final head)
			// replaces it in the engine.
			peek := cc.bounds
			cut := peek.advance(p, true)
			cc.retire()
			used, ok, err := cc.eng.Input(p[:cut])
			cc.bounds.advance(p[:used], false)
			cc.drain()
			if err == nil && ok && time.Since(lastProcess) > 100*time.Millisecond {
				lastProcess = time.Now()
				cc.retire()
				ok, _, err = cc.eng.Process()
				cc.ended = false
				cc.drain()
			}
			if err != nil || !ok || cc.failed {
				cc.failed = true
				cc.mu.Unlock()
				return cc.fail(err)
			}
			p = p[used:]
			if len(p) > 0 && used == 0 {
				// Send queue over its bound: let the writer drain it.
				if werr := cc.waitFlushedLocked(); werr != nil {
					cc.mu.Unlock()
					return werr
				}
			}
			done := cc.goingAway && len(cc.streams) == 0
			cc.mu.Unlock()
			if done {
				return nil
			}
		}
		if n > 0 {
			cc.kick()
		}
		if rerr != nil {
			cc.mu.Lock()
			failed := cc.failed // a deadline fired (fireDeadline)
			cc.mu.Unlock()
			if failed {
				return cc.fail(nil)
			}
			if ne, ok := rerr.(net.Error); ok && ne.Timeout() && n == 0 && idle > 0 {
				cc.mu.Lock()
				quiet := len(cc.streams) == 0 && cc.reservedN == 0 && time.Since(cc.lastUsed) >= idle
				cc.mu.Unlock()
				if quiet {
					cc.close(ErrCodeNo)
					return nil
				}
				continue
			}
			cc.mu.Lock()
			closing := cc.goingAway
			cc.mu.Unlock()
			if errors.Is(rerr, io.EOF) || closing {
				return nil
			}
			return rerr
		}
	}
}

// nextDeadline and fireDeadline drive the engine's deadlines (see
// runEngineTimer). A deadline that fails the connection wakes the reader,
// which writes the GOAWAY and ends it.
func (cc *clientConn) nextDeadline() (time.Duration, bool, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.done || cc.failed {
		return 0, false, true
	}
	d, ok, err := cc.eng.NextTimeout()
	return d, ok, err != nil
}

func (cc *clientConn) fireDeadline() {
	cc.mu.Lock()
	if !cc.done && !cc.failed {
		cc.retire()
		ok, _, err := cc.eng.Process()
		cc.ended = false
		cc.drain()
		if err != nil || !ok || cc.failed {
			cc.failed = true
			cc.c.SetReadDeadline(time.Now())
		}
	}
	cc.mu.Unlock()
	cc.kick() // a keepalive PING or the GOAWAY
}

// waitFlushedLocked wakes the writer and waits until it found no
// output. Called with mu held.
func (cc *clientConn) waitFlushedLocked() error {
	cc.outEmpty = false
	cc.kick()
	for !cc.outEmpty && cc.writeErr == nil && !cc.done {
		cc.cond.Wait()
	}
	return cc.writeErr
}

// fail ends the connection after a connection error: the GOAWAY is
// written and the connection closed.
func (cc *clientConn) fail(err error) error {
	cc.mu.Lock()
	cc.waitFlushedLocked()
	cc.mu.Unlock()
	if err != nil {
		return errs.Wrap("http2.Transport", err, nil)
	}
	return nil
}

// close queues GOAWAY(code), flushes it and closes the connection,
// which ends the reader.
func (cc *clientConn) close(code ErrCode) {
	cc.mu.Lock()
	cc.goAwayLocked(code)
	cc.waitFlushedLocked()
	cc.mu.Unlock()
	cc.c.Close()
}

// goAwayLocked queues GOAWAY(code) once; no stream starts afterwards.
func (cc *clientConn) goAwayLocked(code ErrCode) {
	if !cc.done && !cc.goingAway {
		cc.goingAway = true
		cc.eng.GoAway(int(code))
		cc.drain()
	}
}

// closeIfIdle closes the connection when no request uses it; it is
// marked going away at once, so no request can take it meanwhile.
func (cc *clientConn) closeIfIdle() bool {
	cc.mu.Lock()
	if !cc.done {
		cc.retire() // ended streams: what their bodies still hold is copied out
	}
	idle := len(cc.streams) == 0 && cc.reservedN == 0
	if idle {
		cc.goAwayLocked(ErrCodeNo)
	}
	cc.mu.Unlock()
	if idle {
		go cc.close(ErrCodeNo)
	}
	return idle
}

// writer writes the engine's output whenever woken.
func (cc *clientConn) writer() {
	for {
		select {
		case <-cc.wake:
		case <-cc.quit:
			return
		}
		cc.flush()
	}
}

// flush writes the engine's output until none is left. The writer runs
// it when woken; RoundTrip runs it itself after queueing a request head,
// saving a hand-off to the writer on the latency path. wmu makes the
// writes of both one sequence.
func (cc *clientConn) flush() {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	for {
		cc.mu.Lock()
		if cc.done {
			cc.outEmpty = true
			cc.cond.Broadcast()
			cc.mu.Unlock()
			return
		}
		var err error
		cc.wbuf, err = cc.eng.Output(cc.wbuf[:0], 256<<10)
		cc.drain()
		if err != nil || len(cc.wbuf) == 0 || cc.writeErr != nil {
			cc.outEmpty = true
			cc.cond.Broadcast()
			cc.mu.Unlock()
			return
		}
		cc.mu.Unlock()
		_, werr := cc.c.Write(cc.wbuf)
		cc.mu.Lock()
		if werr != nil {
			cc.writeErr = werr
			cc.cond.Broadcast()
			cc.mu.Unlock()
			cc.c.Close() // ends the reader
			return
		}
		if !cc.done {
			cc.eng.Consumed(len(cc.wbuf))
			cc.drain()
		}
		cc.cond.Broadcast()
		cc.mu.Unlock()
	}
}

// frameBounds follows the frame boundaries of the input so the reader
// can cut it after each HEADERS or CONTINUATION frame. A copy peeks.
type frameBounds struct {
	hdr  [9]byte
	nh   int // header bytes seen of the current frame
	left int // its payload bytes still to come
}

const (
	frameHeaders      = 0x1
	frameContinuation = 0x9
)

// advance follows p and returns its length, or with stop the length of
// its prefix that ends with the first complete HEADERS or CONTINUATION
// frame.
func (b *frameBounds) advance(p []byte, stop bool) int {
	n := 0
	for n < len(p) {
		if b.nh < len(b.hdr) {
			c := copy(b.hdr[b.nh:], p[n:])
			b.nh += c
			n += c
			if b.nh < len(b.hdr) {
				break
			}
			b.left = int(b.hdr[0])<<16 | int(b.hdr[1])<<8 | int(b.hdr[2])
		}
		c := min(b.left, len(p)-n)
		b.left -= c
		n += c
		if b.left > 0 {
			break
		}
		b.nh = 0
		if typ := b.hdr[3]; stop && (typ == frameHeaders || typ == frameContinuation) {
			return n
		}
	}
	return n
}
