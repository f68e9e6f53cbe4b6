package http2

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// clientConn is one client connection. mu guards every engine call and
// the fields below it; an engine call and the handling of the events it
// caused happen under one hold of mu, so a stream handle is never used
// after the engine removed it (a stream's DATA still unread when it
// ends is copied out at its STREAM_END).
type clientConn struct {
	t          *Transport
	key        string // pool key; "" for NewClientConn
	c          net.Conn
	eng        *cgo.H2Conn
	wake       chan struct{} // wakes the writer; never closed
	quit       chan struct{} // closed to stop the writer
	readerDone chan struct{}
	wmu        sync.Mutex // held while writing c (flush)
	wbuf       []byte     // output being written, guarded by wmu

	mu           sync.Mutex
	cond         *sync.Cond // broadcast on every event, drained output, end
	streams      map[uint32]*clientStream
	events       []cgo.H2Event
	reservedN    int  // slots reserved by getConn, stream not made yet
	open         int  // streams the engine has not ended
	ended        bool // a stream ended since the last Process
	gotSettings  bool // our SETTINGS were acknowledged (theirs arrived)
	done         bool // no more I/O
	doneErr      error
	failed       bool // connection error (GOAWAY queued by the engine)
	goingAway    bool // we queued a GOAWAY
	outEmpty     bool
	writeErr     error
	lastUsed     time.Time
	peerGoAway   *GoAwayError
	sentGoAway   *ErrCode
	bounds       frameBounds // frame boundaries of the input fed
	inScan       frameScanner
	outScan      frameScanner
	rstIn        map[uint32]ErrCode
	resetPending map[uint32]*clientStream // reset by the engine, code in the output
	retiring     []*clientStream          // ended, handle valid until the next Input/Process
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

// limitLocked is the peer's SETTINGS_MAX_CONCURRENT_STREAMS.
func (cc *clientConn) limitLocked() int {
	v, err := cc.eng.PeerSetting(cgo.H2SettingMaxConcurrentStreams)
	if err != nil {
		return 0
	}
	if v > 1<<20 {
		v = 1 << 20
	}
	return int(v)
}

// reserve takes a stream slot. Until the peer's SETTINGS arrived only
// one stream is started (its limit is unknown).
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
		} else if inUse < cc.limitLocked() {
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

func (cc *clientConn) inFrame(typ byte, sid uint32, p []byte) {
	switch {
	case typ == frameRSTStream && len(p) >= 4:
		cc.rstIn[sid] = ErrCode(binary.BigEndian.Uint32(p))
	case typ == frameGoAway && len(p) >= 8:
		cc.peerGoAway = &GoAwayError{
			LastStreamID: binary.BigEndian.Uint32(p) & 0x7fffffff,
			ErrCode:      ErrCode(binary.BigEndian.Uint32(p[4:])),
			DebugData:    string(p[8:]),
		}
	}
}

func (cc *clientConn) outFrame(typ byte, sid uint32, p []byte) {
	switch {
	case typ == frameRSTStream && len(p) >= 4:
		if cs := cc.resetPending[sid]; cs != nil {
			delete(cc.resetPending, sid)
			if cs.err == nil {
				cs.err = StreamError{StreamID: sid, Code: ErrCode(binary.BigEndian.Uint32(p)), Cause: errStreamReset}
			}
		}
	case typ == frameGoAway && len(p) >= 8:
		code := ErrCode(binary.BigEndian.Uint32(p[4:]))
		cc.sentGoAway = &code
	}
}

// drain handles the events of the engine calls made since the last
// drain. Called with mu held.
func (cc *clientConn) drain() {
	for {
		evs := cc.eng.TakeEvents(cc.events[:0])
		cc.events = evs
		if len(evs) == 0 {
			clear(cc.rstIn)
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
			cs.resetByPeerOrEngine()
		}
	case cgo.H2EventGoAwayReceived:
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
		if idle > 0 {
			cc.c.SetReadDeadline(time.Now().Add(idle))
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
			cc.inScan.scan(p[:used])
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
		cc.outScan.scan(cc.wbuf)
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

// clientStream is one request. Fields are guarded by cc.mu.
type clientStream struct {
	cc    *clientConn
	id    uint32
	h     cgo.H2Stream
	req   *http.Request
	trace *httptrace.ClientTrace

	dead     bool  // the engine ended the stream: h is no longer used
	err      error // reset, cancel or connection end
	gotHead  bool
	head     []cgo.H2Field
	headEnd  bool            // END_STREAM came with the head
	info     [][]cgo.H2Field // 1xx heads not yet given to the trace
	trailers []cgo.H2Field
	rest     []byte // DATA copied out at STREAM_END
	restEnd  bool
	recvEnd  bool // END_STREAM received and the body read to it
	closed   bool // Body.Close
	stopCtx  func() bool
}

// readHead takes the response head (or a 1xx head). Called with mu held.
func (cs *clientStream) readHead() {
	fields, end, ok, err := cs.cc.eng.RecvHeaders(cs.h, false)
	if err != nil || !ok {
		return
	}
	for _, f := range fields {
		if f.Name == ":status" {
			if code, _ := strconv.Atoi(f.Value); code >= 100 && code < 200 {
				cs.info = append(cs.info, fields)
				return
			}
		}
	}
	if end {
		// end reports the peer's side complete now, which includes DATA
		// and trailers of the same input: the head carried END_STREAM
		// only if neither is buffered.
		var n int
		n, end, err = cs.cc.eng.RecvData(cs.h, nil)
		end = err == nil && end && n == 0 && cs.trailers == nil
		if end {
			if _, _, ok, _ := cs.cc.eng.RecvHeaders(cs.h, true); ok {
				end = false
			}
		}
	}
	cs.gotHead, cs.head, cs.headEnd = true, fields, end
}

// saveRest copies the DATA and trailers still in the engine before the
// stream's handle goes away. Called with mu held.
func (cs *clientStream) saveRest() {
	eng := cs.cc.eng
	if !cs.gotHead {
		cs.readHead()
	}
	if cs.trailers == nil {
		if f, _, ok, err := eng.RecvHeaders(cs.h, true); err == nil && ok {
			cs.trailers = f
		}
	}
	var chunk [32 << 10]byte
	for !cs.closed && !cs.recvEnd {
		n, end, err := eng.RecvData(cs.h, chunk[:])
		if err != nil {
			break
		}
		cs.rest = append(cs.rest, chunk[:n]...)
		if end {
			cs.restEnd = true
			break
		}
		if n == 0 {
			break
		}
	}
}

// resetByPeerOrEngine records why a stream was reset. Called with mu
// held, the stream forgotten.
func (cs *clientStream) resetByPeerOrEngine() {
	cc := cs.cc
	if cs.err != nil {
		return // our own reset: the error is set
	}
	if code, ok := cc.rstIn[cs.id]; ok {
		se := StreamError{StreamID: cs.id, Code: code, Cause: errStreamReset}
		if code == ErrCodeRefusedStream && !cs.gotHead {
			cs.err = errUnprocessed{err: se}
		} else {
			cs.err = se
		}
		return
	}
	if g := cc.peerGoAway; g != nil && cs.id > g.LastStreamID {
		cs.err = errUnprocessed{err: *g}
		return
	}
	if cc.failed {
		return // the connection end sets the error
	}
	// Reset by the engine (protocol error in the response): the code is
	// in the output, read by the writer.
	if cc.resetPending == nil {
		cc.resetPending = make(map[uint32]*clientStream)
	}
	cc.resetPending[cs.id] = cs
	cc.kick()
}

// resetLocked resets cs with code and err (idempotent). Called with mu
// held.
func (cs *clientStream) resetLocked(code ErrCode, err error) {
	cc := cs.cc
	if cs.err == nil {
		cs.err = err
	}
	if cs.dead || cc.done {
		return
	}
	// Unread DATA would hold connection window: read it away first.
	var chunk [16 << 10]byte
	for {
		n, _, e := cc.eng.RecvData(cs.h, chunk[:])
		if e != nil || n <= 0 {
			break
		}
	}
	cc.eng.ResetStream(cs.h, int(code))
	cc.drain()
	cc.kick()
}

// roundTrip runs req on cc, whose slot the caller reserved.
func (cc *clientConn) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	body := req.Body
	if body == http.NoBody {
		body = nil
	}
	hasBody := body != nil
	fields, err := requestFields(req, hasBody)

	cc.mu.Lock()
	cc.reservedN--
	if err != nil {
		cc.cond.Broadcast()
		cc.mu.Unlock()
		closeBody(body)
		return nil, err
	}
	if !cc.usableLocked() {
		cc.cond.Broadcast()
		cc.mu.Unlock()
		return nil, errUnprocessed{err: errClientConnUnusable, fresh: true}
	}
	if cc.ended {
		// Removes the streams that ended: they no longer count toward
		// the peer's limit in the engine.
		cc.ended = false
		cc.retire()
		cc.eng.Process()
		cc.drain()
	}
	h, id, ok, nerr := cc.eng.NewStream()
	if nerr != nil || !ok {
		cc.cond.Broadcast()
		cc.mu.Unlock()
		if nerr != nil {
			closeBody(body)
			return nil, errs.Wrap("http2.Transport.RoundTrip", nerr, nil)
		}
		return nil, errUnprocessed{err: errClientConnUnusable, fresh: true}
	}
	cs := &clientStream{cc: cc, id: id, h: h, req: req, trace: httptrace.ContextClientTrace(ctx)}
	cc.streams[id] = cs
	cc.open++
	cc.lastUsed = time.Now()
	sent, serr := cc.eng.SendHeaders(h, fields, false, !hasBody)
	cc.drain()
	if serr != nil || !sent {
		cs.resetLocked(ErrCodeInternal, errors.New("http2: request header block refused by the engine"))
		err := cs.err
		cc.mu.Unlock()
		closeBody(body)
		if serr != nil {
			return nil, errs.Wrap("http2.Transport.RoundTrip", serr, nil)
		}
		return nil, err
	}
	cs.stopCtx = context.AfterFunc(ctx, func() {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if !cs.recvEnd && !cs.closed {
			cs.resetLocked(ErrCodeCancel, ctx.Err())
			cc.cond.Broadcast()
		}
	})
	cc.mu.Unlock()
	if hasBody {
		cc.kick() // the body follows at once: one write for both
	} else {
		cc.flush()
	}
	if cs.trace != nil && cs.trace.WroteHeaders != nil {
		cs.trace.WroteHeaders()
	}
	if hasBody {
		go cs.writeBody(body)
	}
	res, err := cs.awaitHead()
	if err != nil {
		cs.stopCtx()
		return nil, err
	}
	return res, nil
}

func closeBody(b io.ReadCloser) {
	if b != nil {
		b.Close()
	}
}

// awaitHead waits for the response head and builds the response.
func (cs *clientStream) awaitHead() (*http.Response, error) {
	cc := cs.cc
	cc.mu.Lock()
	for {
		for len(cs.info) > 0 {
			info := cs.info[0]
			cs.info = cs.info[1:]
			cc.mu.Unlock()
			err := cs.deliver1xx(info)
			cc.mu.Lock()
			if err != nil {
				cs.resetLocked(ErrCodeCancel, err)
			}
		}
		if cs.gotHead {
			break // a reset after the head is the body's error
		}
		if cs.err != nil {
			err := cs.err
			cc.mu.Unlock()
			return nil, err
		}
		if cs.dead || cc.done {
			err := cc.doneErr
			if err == nil {
				err = errClientConnLost
			}
			cc.mu.Unlock()
			return nil, err
		}
		cc.cond.Wait()
	}
	head, end := cs.head, cs.headEnd
	cc.mu.Unlock()
	return cs.response(head, end)
}

func (cs *clientStream) deliver1xx(fields []cgo.H2Field) error {
	if cs.trace == nil {
		return nil
	}
	code := 0
	h := make(textproto.MIMEHeader)
	for _, f := range fields {
		if f.Name == ":status" {
			code, _ = strconv.Atoi(f.Value)
		} else if !strings.HasPrefix(f.Name, ":") {
			h.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
		}
	}
	if code == http.StatusContinue && cs.trace.Got100Continue != nil {
		cs.trace.Got100Continue()
	}
	if cs.trace.Got1xxResponse == nil {
		return nil
	}
	return cs.trace.Got1xxResponse(code, h)
}

func (cs *clientStream) response(fields []cgo.H2Field, end bool) (*http.Response, error) {
	res := &http.Response{
		Proto:         "HTTP/2.0",
		ProtoMajor:    2,
		Header:        make(http.Header),
		Request:       cs.req,
		ContentLength: -1,
	}
	for _, f := range fields {
		if f.Name == ":status" {
			code, err := strconv.Atoi(f.Value)
			if err != nil {
				return nil, fmt.Errorf("http2: malformed :status %q", f.Value)
			}
			res.StatusCode = code
			continue
		}
		if strings.HasPrefix(f.Name, ":") {
			continue
		}
		res.Header.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
	}
	res.Status = strconv.Itoa(res.StatusCode) + " " + http.StatusText(res.StatusCode)
	if cl := res.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			res.ContentLength = n
		}
	}
	for _, v := range res.Header.Values("Trailer") {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				if res.Trailer == nil {
					res.Trailer = make(http.Header)
				}
				res.Trailer[textproto.CanonicalMIMEHeaderKey(k)] = nil
			}
		}
	}
	if tc, ok := cs.cc.c.(interface{ ConnectionState() tls.ConnectionState }); ok {
		st := tc.ConnectionState()
		res.TLS = &st
	}
	if cs.req.Method == http.MethodHead {
		res.Body = http.NoBody
		cs.finish(end)
		return res, nil
	}
	if end && res.ContentLength < 0 {
		res.ContentLength = 0
	}
	res.Body = &clientBody{cs: cs, res: res}
	return res, nil
}

// finish ends a response without a body to read.
func (cs *clientStream) finish(end bool) {
	cc := cs.cc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cs.closed = true
	if end {
		cs.recvEnd = true
	} else {
		cs.resetLocked(ErrCodeCancel, errRequestCanceled) // HEAD: no body wanted
	}
	cs.stopCtx()
}

// writeBody streams the request body, then END_STREAM or the trailers.
func (cs *clientStream) writeBody(body io.ReadCloser) {
	defer body.Close()
	cc := cs.cc
	buf := make([]byte, 64<<10)
	var sent int64
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if err := cs.sendData(buf[:n], false); err != nil {
				return
			}
			sent += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			cc.mu.Lock()
			cs.resetLocked(ErrCodeCancel, fmt.Errorf("http2: request body: %w", rerr))
			cc.mu.Unlock()
			return
		}
	}
	if cl := cs.req.ContentLength; cl > 0 && sent != cl {
		cc.mu.Lock()
		cs.resetLocked(ErrCodeCancel, fmt.Errorf("http2: request body is %d bytes, ContentLength says %d", sent, cl))
		cc.mu.Unlock()
		return
	}
	var trailers []cgo.H2Field
	for k, vs := range cs.req.Trailer {
		lk := strings.ToLower(k)
		if hopHeaders[lk] || lk == "trailer" || lk == "host" {
			continue
		}
		for _, v := range vs {
			trailers = append(trailers, cgo.H2Field{Name: lk, Value: v})
		}
	}
	if len(trailers) == 0 {
		cs.sendData(nil, true)
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cs.err != nil || cs.dead || cc.done {
		return
	}
	ok, err := cc.eng.SendHeaders(cs.h, trailers, true, true)
	cc.drain()
	cc.kick()
	if err != nil || !ok {
		cs.resetLocked(ErrCodeInternal, errors.New("http2: request trailers refused by the engine"))
	}
}

// errStreamGone stops a body writer whose stream ended.
var errStreamGone = errors.New("http2: stream ended")

// sendData queues p as the windows allow, waiting for WINDOW_UPDATE or
// the writer when they are closed.
func (cs *clientStream) sendData(p []byte, end bool) error {
	cc := cs.cc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for {
		if cs.err != nil || cs.dead || cc.done || cc.writeErr != nil {
			return errStreamGone
		}
		n, ended, err := cc.eng.SendData(cs.h, p, end)
		cc.drain()
		if err != nil || n < 0 {
			return errStreamGone
		}
		if n > 0 || ended {
			cc.kick()
		}
		p = p[n:]
		if len(p) == 0 && (!end || ended) {
			return nil
		}
		if n == 0 {
			cc.cond.Wait()
		}
	}
}

// clientBody is a response body: it reads DATA from the engine (which
// credits the windows) and, after the stream ended, what was copied out.
type clientBody struct {
	cs  *clientStream
	res *http.Response
}

func (b *clientBody) Read(p []byte) (int, error) {
	cs := b.cs
	cc := cs.cc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for {
		if cs.closed {
			return 0, errors.New("http2: response body closed")
		}
		if len(p) == 0 {
			return 0, nil
		}
		if cs.recvEnd {
			return 0, io.EOF
		}
		if !cs.dead && cs.err == nil {
			n, end, err := cc.eng.RecvData(cs.h, p)
			cc.drain()
			if err != nil {
				return 0, errs.Wrap("http2.Response.Body.Read", err, nil)
			}
			if n > 0 || end {
				cc.kick() // WINDOW_UPDATE
			}
			if end {
				b.eofLocked()
			}
			if n > 0 {
				return n, nil
			}
			if end {
				return 0, io.EOF
			}
		}
		if len(cs.rest) > 0 && cs.err == nil {
			n := copy(p, cs.rest)
			cs.rest = cs.rest[n:]
			if len(cs.rest) == 0 && cs.restEnd {
				b.eofLocked()
			}
			return n, nil
		}
		if cs.restEnd && cs.err == nil {
			b.eofLocked()
			return 0, io.EOF
		}
		if cs.err != nil {
			var un errUnprocessed
			if errors.As(cs.err, &un) {
				return 0, un.err
			}
			return 0, cs.err
		}
		if cs.dead || cc.done {
			return 0, io.ErrUnexpectedEOF
		}
		cc.cond.Wait()
	}
}

// eofLocked marks the body read and hands over the trailers.
func (b *clientBody) eofLocked() {
	cs := b.cs
	cs.recvEnd = true
	cs.stopCtx()
	if len(cs.trailers) > 0 {
		if b.res.Trailer == nil {
			b.res.Trailer = make(http.Header)
		}
		for _, f := range cs.trailers {
			b.res.Trailer.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
		}
	}
}

// Close before EOF resets the stream with CANCEL (the DATA already
// buffered is read away so the connection window is credited).
func (b *clientBody) Close() error {
	cs := b.cs
	cc := cs.cc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cs.closed {
		return nil
	}
	cs.closed = true
	cs.stopCtx()
	if !cs.recvEnd {
		cs.resetLocked(ErrCodeCancel, errRequestCanceled)
	}
	cs.rest = nil
	cc.cond.Broadcast()
	return nil
}

// requestFields builds the request head.
func requestFields(req *http.Request, hasBody bool) ([]cgo.H2Field, error) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	fields := make([]cgo.H2Field, 0, 8+len(req.Header))
	fields = append(fields, cgo.H2Field{Name: ":method", Value: method})
	if method != http.MethodConnect {
		path := req.URL.RequestURI()
		if path == "" {
			path = "/"
		}
		fields = append(fields,
			cgo.H2Field{Name: ":scheme", Value: req.URL.Scheme},
			cgo.H2Field{Name: ":authority", Value: host},
			cgo.H2Field{Name: ":path", Value: path})
	} else {
		fields = append(fields, cgo.H2Field{Name: ":authority", Value: host})
	}
	hasUA := false
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if hopHeaders[lk] || lk == "host" || lk == "content-length" || lk == "trailer" {
			if lk == "te" {
				for _, v := range vs {
					if strings.EqualFold(v, "trailers") {
						fields = append(fields, cgo.H2Field{Name: "te", Value: "trailers"})
					}
				}
			}
			continue
		}
		if lk == "user-agent" {
			hasUA = true
		}
		if !validHeaderName(lk) {
			return nil, fmt.Errorf("http2: invalid header field name %q", k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("http2: invalid header field value for %q", k)
			}
			fields = append(fields, cgo.H2Field{Name: lk, Value: v})
		}
	}
	if !hasUA {
		fields = append(fields, cgo.H2Field{Name: "user-agent", Value: "Go-http-client/2.0"})
	}
	if hasBody && req.ContentLength > 0 {
		fields = append(fields, cgo.H2Field{Name: "content-length", Value: strconv.FormatInt(req.ContentLength, 10)})
	} else if !hasBody && (method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch) {
		fields = append(fields, cgo.H2Field{Name: "content-length", Value: "0"})
	}
	if len(req.Trailer) > 0 {
		keys := make([]string, 0, len(req.Trailer))
		for k := range req.Trailer {
			keys = append(keys, strings.ToLower(k))
		}
		fields = append(fields, cgo.H2Field{Name: "trailer", Value: strings.Join(keys, ",")})
	}
	return fields, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == ':' || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
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
