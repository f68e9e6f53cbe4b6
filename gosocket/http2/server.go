// Package http2 serves HTTP/2 (RFC 9113) with net/http handlers on the
// libsocket HTTP/2 engine. The engine (frames, HPACK, stream states, flow
// control, abuse limits) runs in C with memory I/O; this package does the
// I/O itself over any net.Conn, so deadlines, contexts and goroutines are
// Go's and no OS thread is pinned. Each connection has one goroutine
// reading, one writing, and one goroutine per request running the
// handler.
//
// Use Server.ServeConn for one connection, Server.Serve for a listener
// whose connections all speak HTTP/2 with prior knowledge (h2c), and
// ConfigureServer to serve "h2" negotiated by ALPN from an http.Server.
// Handlers get http.Flusher, http.Pusher and 1xx responses.
//
// Transport is the client side: an http.RoundTripper multiplexing the
// requests to each host on one connection, over TLS with ALPN "h2" or
// h2c with prior knowledge.
package http2

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// NextProtoTLS is the ALPN protocol of HTTP/2 over TLS.
const NextProtoTLS = "h2"

const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// Server holds the settings of an HTTP/2 server. The zero value is
// usable; its fields must not change once it serves.
type Server struct {
	// MaxConcurrentStreams is the number of streams a client may open at
	// once (SETTINGS_MAX_CONCURRENT_STREAMS); 0 means 250, as x/net.
	MaxConcurrentStreams uint32
	// MaxReadFrameSize is the largest frame accepted; 0 means 16 KiB.
	MaxReadFrameSize uint32
	// MaxUploadBufferPerConnection is the connection receive window; 0
	// means 1 MiB.
	MaxUploadBufferPerConnection int32
	// MaxUploadBufferPerStream is the stream receive window; 0 means
	// 1 MiB.
	MaxUploadBufferPerStream int32
	// MaxHeaderBytes limits the decoded request header list
	// (SETTINGS_MAX_HEADER_LIST_SIZE, at most 1 MiB); 0 means the
	// engine's default, 16 KiB. The engine zeroes a field array sized
	// from this limit for every header block (40 bytes per 32 bytes of
	// limit), so large values cost time on every request.
	MaxHeaderBytes int
	// IdleTimeout closes a connection without streams that received
	// nothing for this long, with GOAWAY(NO_ERROR); 0 means none.
	IdleTimeout time.Duration
	// SettingsTimeout is how long the client may take to acknowledge
	// our SETTINGS before the connection ends with GOAWAY
	// (SETTINGS_TIMEOUT); 0 means 30 s, negative means no limit.
	SettingsTimeout time.Duration
	// ReadIdleTimeout sends a PING once nothing was received for this
	// long (a health check, as x/net's); 0 means never.
	ReadIdleTimeout time.Duration
	// PingTimeout closes the connection when a PING is not acknowledged
	// in time; 0 means 15 s, as x/net.
	PingTimeout time.Duration
	// ErrorLog receives handler panics; nil means the log package.
	ErrorLog *log.Logger

	mu       sync.Mutex
	conns    map[*serverConn]struct{}
	shutdown bool
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = http.ErrServerClosed

// ConfigureServer makes hs serve HTTP/2 with s for TLS connections that
// negotiate "h2" by ALPN: it adds "h2" to hs.TLSConfig.NextProtos (first)
// and installs the handler in hs.TLSNextProto. Call it before
// hs.ServeTLS or hs.ListenAndServeTLS. A nil s means a zero Server.
func ConfigureServer(hs *http.Server, s *Server) error {
	if s == nil {
		s = new(Server)
	}
	if hs.TLSConfig == nil {
		hs.TLSConfig = new(tls.Config)
	}
	has := false
	for _, p := range hs.TLSConfig.NextProtos {
		if p == NextProtoTLS {
			has = true
		}
	}
	if !has {
		hs.TLSConfig.NextProtos = append([]string{NextProtoTLS}, hs.TLSConfig.NextProtos...)
	}
	if !has || len(hs.TLSConfig.NextProtos) == 1 {
		hs.TLSConfig.NextProtos = append(hs.TLSConfig.NextProtos, "http/1.1")
	}
	if hs.TLSNextProto == nil {
		hs.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	hs.TLSNextProto[NextProtoTLS] = func(hs *http.Server, c *tls.Conn, h http.Handler) {
		if h == nil {
			h = http.DefaultServeMux
		}
		s.ServeConn(c, h)
	}
	hs.RegisterOnShutdown(func() { s.goAwayAll() })
	return nil
}

// Serve accepts connections on l and serves each as HTTP/2 with prior
// knowledge (h2c: the client sends the HTTP/2 preface first). A nil h
// means http.DefaultServeMux. It returns ErrServerClosed after Shutdown,
// otherwise the Accept error.
func (s *Server) Serve(l net.Listener, h http.Handler) error {
	if h == nil {
		h = http.DefaultServeMux
	}
	var tempDelay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isShutdown() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				tempDelay = min(max(2*tempDelay, 5*time.Millisecond), time.Second)
				time.Sleep(tempDelay)
				continue
			}
			return err
		}
		tempDelay = 0
		go s.ServeConn(c, h)
	}
}

func (s *Server) isShutdown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdown
}

// Shutdown sends GOAWAY(NO_ERROR) on every connection, lets the streams
// already opened finish, and returns when all connections are closed or
// ctx is done (then the connections still open are closed). It does not
// close listeners given to Serve; close them first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	s.goAwayAll()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for sc := range s.conns {
				sc.c.Close()
			}
			s.mu.Unlock()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Server) goAwayAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc := range s.conns {
		sc.goAway(ErrCodeNo)
	}
}

func (s *Server) track(sc *serverConn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.shutdown {
			return false
		}
		if s.conns == nil {
			s.conns = make(map[*serverConn]struct{})
		}
		s.conns[sc] = struct{}{}
	} else {
		delete(s.conns, sc)
	}
	return true
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

// ServeConn serves HTTP/2 on c, which must begin with the client preface
// (after TLS with ALPN "h2", or h2c with prior knowledge), until the
// client closes it, a connection error ends it or Shutdown drained it.
// It closes c. The result is nil after a clean end, a ConnectionError
// after a connection error (GOAWAY sent), or the I/O error.
func (s *Server) ServeConn(c net.Conn, h http.Handler) error {
	if h == nil {
		h = http.DefaultServeMux
	}
	cfg := cgo.H2Config{
		Server:               true,
		MaxConcurrentStreams: 250,
		InitialWindowSize:    1 << 20,
		ConnectionWindowSize: 1 << 20,
		MaxFrameSize:         s.MaxReadFrameSize,
		SettingsTimeoutMS:    durationMS(s.SettingsTimeout, 0),
		PingTimeoutMS:        durationMS(s.PingTimeout, 15*time.Second),
		KeepaliveMS:          durationMS(s.ReadIdleTimeout, 0),
	}
	if s.MaxConcurrentStreams > 0 {
		cfg.MaxConcurrentStreams = s.MaxConcurrentStreams
	}
	if s.MaxUploadBufferPerConnection > 0 {
		cfg.ConnectionWindowSize = uint32(s.MaxUploadBufferPerConnection)
	}
	if s.MaxUploadBufferPerStream > 0 {
		cfg.InitialWindowSize = uint32(s.MaxUploadBufferPerStream)
	}
	if s.MaxHeaderBytes > 0 {
		cfg.MaxHeaderListSize = uint32(s.MaxHeaderBytes)
	}
	eng, err := cgo.NewH2Conn(cfg)
	if err != nil {
		c.Close()
		return errs.Wrap("http2.Server.ServeConn", err, nil)
	}
	sc := &serverConn{
		srv:     s,
		c:       c,
		h:       h,
		eng:     eng,
		streams: make(map[uint32]*stream),
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
	}
	sc.cond = sync.NewCond(&sc.mu)
	sc.ctx, sc.cancel = context.WithCancel(context.Background())
	if !s.track(sc, true) {
		eng.Close()
		c.Close()
		return ErrServerClosed
	}
	defer s.track(sc, false)
	return sc.serve()
}

// serverConn is one connection. mu guards every engine call and the
// fields below it; an engine call and the handling of the events it
// caused happen under one hold of mu, so a stream handle is never used
// after the engine removed it.
type serverConn struct {
	srv    *Server
	c      net.Conn
	h      http.Handler
	eng    *cgo.H2Conn
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{} // wakes the writer; never closed
	quit   chan struct{} // closed to stop the writer and the timer
	wg     sync.WaitGroup

	mu        sync.Mutex
	cond      *sync.Cond // broadcast on every event, drained output, end
	streams   map[uint32]*stream
	events    []cgo.H2Event
	done      bool  // no more I/O: handlers fail
	failed    bool  // connection error (GOAWAY queued)
	outEmpty  bool  // the writer found no output
	writeErr  error // the writer failed
	goingAway bool  // we queued a GOAWAY
	peerGone  bool  // the peer sent GOAWAY
	handlers  int   // handlers running

	peerGoAway *GoAwayError // the peer's GOAWAY
}

func (sc *serverConn) serve() error {
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		sc.writer()
	}()
	timerDone := make(chan struct{})
	go func() {
		defer close(timerDone)
		runEngineTimer(sc.quit, sc.nextDeadline, sc.fireDeadline)
	}()
	sc.kick() // our SETTINGS
	err := sc.reader()

	sc.mu.Lock()
	sc.done = true
	for _, st := range sc.streams {
		st.cancel()
	}
	sc.cond.Broadcast()
	sc.mu.Unlock()
	sc.cancel()
	sc.wg.Wait()
	close(sc.quit)
	<-writerDone
	<-timerDone
	sc.c.Close()
	sc.eng.Close()
	if err == nil && sc.peerGoAway != nil && sc.peerGoAway.ErrCode != ErrCodeNo {
		err = *sc.peerGoAway // the peer ended the connection for an error
	}
	return err
}

// kick wakes the writer (non-blocking).
func (sc *serverConn) kick() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// drain handles the events of the engine calls made since the last
// drain. Called with mu held.
func (sc *serverConn) drain() {
	for {
		evs := sc.eng.TakeEvents(sc.events[:0])
		sc.events = evs
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			sc.event(ev)
		}
		sc.cond.Broadcast()
	}
}

func (sc *serverConn) event(ev cgo.H2Event) {
	st := sc.streams[ev.StreamID]
	switch ev.Type {
	case cgo.H2EventStreamStart:
		ctx, cancel := context.WithCancel(sc.ctx)
		sc.streams[ev.StreamID] = &stream{sc: sc, id: ev.StreamID, h: ev.Stream, ctx: ctx, cancel: cancel}
	case cgo.H2EventHeaders:
		if st != nil && st.req == nil {
			sc.startRequest(st)
		}
	case cgo.H2EventTrailers:
		if st != nil && st.req != nil {
			// Copied into the request by the handler's goroutine when
			// its body reaches EOF (the handler may read Trailer).
			fields, _, ok, err := sc.eng.RecvHeaders(st.h, true)
			if err == nil && ok {
				st.trailers = fields
			}
		}
	case cgo.H2EventStreamEnd, cgo.H2EventStreamReset:
		if st != nil {
			st.dead = true
			st.reset = ev.Type == cgo.H2EventStreamReset
			delete(sc.streams, ev.StreamID)
			if st.reset {
				st.code = ErrCode(ev.ResetCode) // received or sent
			}
			if st.reset {
				st.cancel()
			} else if st.req == nil {
				st.cancel()
			}
		}
	case cgo.H2EventGoAwayReceived:
		sc.peerGone = true
		if g, ok, err := sc.eng.GoAwayReceived(); err == nil && ok {
			sc.peerGoAway = &GoAwayError{LastStreamID: g.LastStreamID, ErrCode: ErrCode(g.Code), DebugData: string(g.Debug)}
		}
	case cgo.H2EventConnectionError:
		sc.failed = true
	}
}

// reader feeds the engine until the connection ends.
func (sc *serverConn) reader() error {
	buf := make([]byte, 64<<10)
	lastProcess := time.Now()
	idle := sc.srv.IdleTimeout
	for {
		// Under mu: fireDeadline's wake-up deadline must not be replaced.
		sc.mu.Lock()
		failed := sc.failed
		if idle > 0 && !failed {
			sc.c.SetReadDeadline(time.Now().Add(idle))
		}
		sc.mu.Unlock()
		if failed {
			sc.kick()
			return sc.fail(nil)
		}
		n, rerr := sc.c.Read(buf)
		p := buf[:n]
		for len(p) > 0 {
			sc.mu.Lock()
			used, ok, err := sc.eng.Input(p)
			sc.drain()
			if err == nil && ok && time.Since(lastProcess) > 100*time.Millisecond {
				lastProcess = time.Now()
				ok, _, err = sc.eng.Process()
				sc.drain()
			}
			if err != nil || !ok || sc.failed {
				sc.failed = true
				sc.mu.Unlock()
				sc.kick()
				return sc.fail(err)
			}
			p = p[used:]
			if len(p) > 0 && used == 0 {
				// Send queue over its bound: let the writer drain it.
				sc.outEmpty = false
				sc.kick()
				for !sc.outEmpty && sc.writeErr == nil {
					sc.cond.Wait()
				}
				if sc.writeErr != nil {
					err := sc.writeErr
					sc.mu.Unlock()
					return err
				}
			}
			sc.mu.Unlock()
		}
		if n > 0 {
			sc.kick()
		}
		if rerr != nil {
			if sc.isFailed() { // a deadline fired (fireDeadline)
				sc.kick()
				return sc.fail(nil)
			}
			if sc.finished() {
				return nil
			}
			if ne, ok := rerr.(net.Error); ok && ne.Timeout() && idle > 0 && n == 0 {
				if sc.idleFor() {
					sc.goAway(ErrCodeNo) // ends the reader once written
				}
				idle = max(idle/10, 10*time.Millisecond)
				continue
			}
			if errors.Is(rerr, io.EOF) {
				return nil
			}
			return rerr
		}
	}
}

// nextDeadline and fireDeadline drive the engine's deadlines (see
// runEngineTimer). A deadline that fails the connection wakes the reader,
// which writes the GOAWAY and ends it.
func (sc *serverConn) nextDeadline() (time.Duration, bool, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.done || sc.failed {
		return 0, false, true
	}
	d, ok, err := sc.eng.NextTimeout()
	return d, ok, err != nil
}

func (sc *serverConn) fireDeadline() {
	sc.mu.Lock()
	if !sc.done && !sc.failed {
		ok, _, err := sc.eng.Process()
		sc.drain()
		if err != nil || !ok || sc.failed {
			sc.failed = true
			sc.c.SetReadDeadline(time.Now())
		}
	}
	sc.mu.Unlock()
	sc.kick() // a keepalive PING or the GOAWAY
}

func (sc *serverConn) isFailed() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.failed
}

// idleFor reports a connection without streams or handlers.
func (sc *serverConn) idleFor() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.streams) == 0 && sc.handlers == 0
}

// finished reports a graceful end after our GOAWAY: no stream left.
func (sc *serverConn) finished() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.goingAway && len(sc.streams) == 0 && sc.handlers == 0
}

// fail ends the connection after a connection error: the GOAWAY is
// written, then the rest of the input is read (briefly) so that closing
// does not reset the connection before the peer read the GOAWAY.
func (sc *serverConn) fail(err error) error {
	sc.mu.Lock()
	sc.outEmpty = false
	sc.kick()
	for !sc.outEmpty && sc.writeErr == nil {
		sc.cond.Wait()
	}
	sc.mu.Unlock()
	if cw, ok := sc.c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	sc.c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, sc.c)
	if err != nil {
		return err
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if _, code, ok, gerr := sc.eng.GoAwaySent(); gerr == nil && ok {
		return ConnectionError(code)
	}
	if sc.writeErr != nil {
		return sc.writeErr
	}
	return errClientDisconnected
}

// goAway queues GOAWAY(code) once; the connection ends when its streams
// are done.
func (sc *serverConn) goAway(code ErrCode) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.goingAway || sc.done {
		return
	}
	sc.goingAway = true
	sc.eng.GoAway(int(code))
	sc.drain()
	sc.kick()
	sc.checkIdle()
}

// checkIdle ends a connection that went away and has no stream left, by
// waking the reader. Called with mu held.
func (sc *serverConn) checkIdle() {
	if sc.goingAway && len(sc.streams) == 0 && sc.handlers == 0 {
		go func() {
			// Let the writer flush the GOAWAY first.
			sc.mu.Lock()
			sc.outEmpty = false
			sc.kick()
			for !sc.outEmpty && sc.writeErr == nil && !sc.done {
				sc.cond.Wait()
			}
			sc.mu.Unlock()
			sc.c.SetReadDeadline(time.Now())
		}()
	}
}

// writer writes the engine's output whenever woken.
func (sc *serverConn) writer() {
	var buf []byte
	for {
		select {
		case <-sc.wake:
		case <-sc.quit:
			return
		}
		for {
			sc.mu.Lock()
			var err error
			buf, err = sc.eng.Output(buf[:0], 256<<10)
			sc.drain()
			if err != nil || len(buf) == 0 || sc.writeErr != nil {
				sc.outEmpty = true
				sc.cond.Broadcast()
				sc.mu.Unlock()
				break
			}
			sc.mu.Unlock()
			_, werr := sc.c.Write(buf)
			sc.mu.Lock()
			if werr != nil {
				sc.writeErr = werr
				sc.done = true
				sc.cond.Broadcast()
				sc.mu.Unlock()
				sc.c.Close() // ends the reader
				break
			}
			sc.eng.Consumed(len(buf))
			sc.drain()
			sc.cond.Broadcast()
			sc.mu.Unlock()
		}
	}
}

// stream is one request. Fields are guarded by sc.mu.
type stream struct {
	sc      *serverConn
	id      uint32
	h       cgo.H2Stream
	ctx     context.Context
	cancel  context.CancelFunc
	req     *http.Request
	dead    bool // the engine ended the stream: h is no longer used
	reset   bool
	bodyEOF bool
	code    ErrCode // of the RST_STREAM received or sent (reset)
	// trailers received, given to the request at EOF
	trailers []cgo.H2Field
	// the request asked for 100-continue, not sent yet
	expectContinue bool
	headSent       bool // the final response head was queued
	pushed         bool // a promised stream (server push)
}

// eof marks the body read to its end and hands over the trailers.
// Called with mu held, from the handler's goroutine.
func (st *stream) eof() {
	st.bodyEOF = true
	if len(st.trailers) > 0 {
		if st.req.Trailer == nil {
			st.req.Trailer = make(http.Header)
		}
		for _, f := range st.trailers {
			st.req.Trailer.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
		}
		st.trailers = nil
	}
}

// usable returns the error for a stream that can no longer be used.
// Called with mu held.
func (st *stream) unusable() error {
	switch {
	case st.reset:
		return StreamError{StreamID: st.id, Code: st.code, Cause: errStreamReset}
	case st.sc.done || st.sc.writeErr != nil:
		return errClientDisconnected
	case st.dead:
		return StreamError{StreamID: st.id, Code: ErrCodeStreamClosed}
	}
	return nil
}

var errMalformed = errors.New("malformed request")

// startRequest builds the request of st and starts its handler. Called
// with mu held.
func (sc *serverConn) startRequest(st *stream) {
	fields, end, ok, err := sc.eng.RecvHeaders(st.h, false)
	if err != nil || !ok {
		return
	}
	if end {
		// The head was complete before this drain; the DATA and
		// trailers of the same input may follow it: the body is empty
		// only if END_STREAM came with no DATA buffered.
		_, end, err = sc.eng.RecvData(st.h, nil)
		sc.drain()
		if err != nil {
			return
		}
	}
	req, err := sc.newRequest(st, fields, end)
	if err != nil {
		sc.eng.ResetStream(st.h, int(ErrCodeProtocol))
		sc.drain()
		sc.kick()
		return
	}
	st.req = req
	if end {
		st.bodyEOF = true
	}
	sc.handlers++
	sc.wg.Add(1)
	go sc.runHandler(st)
}

func (sc *serverConn) newRequest(st *stream, fields []cgo.H2Field, end bool) (*http.Request, error) {
	var method, scheme, authority, path, protocol string
	header := make(http.Header)
	for _, f := range fields {
		if strings.HasPrefix(f.Name, ":") {
			switch f.Name {
			case ":method":
				method = f.Value
			case ":scheme":
				scheme = f.Value
			case ":authority":
				authority = f.Value
			case ":path":
				path = f.Value
			case ":protocol":
				protocol = f.Value
			}
			continue
		}
		header.Add(textproto.CanonicalMIMEHeaderKey(f.Name), f.Value)
	}
	if protocol != "" {
		return nil, errMalformed // extended CONNECT is not offered
	}
	if authority == "" {
		authority = header.Get("Host")
	}
	header.Del("Host")
	var u *url.URL
	var requestURI string
	if method == http.MethodConnect {
		u = &url.URL{Host: authority}
		requestURI = authority
	} else {
		var err error
		u, err = url.ParseRequestURI(path)
		if err != nil {
			return nil, errMalformed
		}
		requestURI = path
	}
	if cookies := header.Values("Cookie"); len(cookies) > 1 {
		header.Set("Cookie", strings.Join(cookies, "; "))
	}
	req := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     header,
		Host:       authority,
		RequestURI: requestURI,
		RemoteAddr: sc.c.RemoteAddr().String(),
	}
	if tc, ok := sc.c.(interface{ ConnectionState() tls.ConnectionState }); ok && scheme == "https" {
		cs := tc.ConnectionState()
		req.TLS = &cs
	}
	for _, v := range header.Values("Trailer") {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				if req.Trailer == nil {
					req.Trailer = make(http.Header)
				}
				req.Trailer[textproto.CanonicalMIMEHeaderKey(k)] = nil
			}
		}
	}
	if end {
		req.ContentLength = 0
		req.Body = http.NoBody
	} else {
		req.ContentLength = -1
		if cl := header.Get("Content-Length"); cl != "" {
			if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
				req.ContentLength = n
			}
		}
		req.Body = &requestBody{st: st}
		st.expectContinue = strings.EqualFold(header.Get("Expect"), "100-continue")
	}
	return req.WithContext(st.ctx), nil
}

// runHandler runs the handler of st and ends the response.
func (sc *serverConn) runHandler(st *stream) {
	rw := &responseWriter{st: st, header: make(http.Header), isHead: st.req.Method == http.MethodHead}
	defer sc.wg.Done()
	defer func() {
		sc.mu.Lock()
		sc.handlers--
		sc.checkIdle()
		sc.mu.Unlock()
	}()
	defer st.cancel()
	panicked := true
	defer func() {
		if !panicked {
			return
		}
		e := recover()
		if e != nil && e != http.ErrAbortHandler {
			sc.srv.logf("http2: panic serving %v: %v", st.req.RemoteAddr, e)
		}
		sc.resetStream(st, ErrCodeInternal)
	}()
	sc.h.ServeHTTP(rw, st.req)
	panicked = false
	if err := rw.finish(); err != nil {
		sc.resetStream(st, ErrCodeInternal)
		return
	}
	// A request body the handler left unread: stop the client sending it.
	sc.mu.Lock()
	if !st.bodyEOF && !st.dead {
		sc.eng.ResetStream(st.h, int(ErrCodeNo))
		sc.drain()
		sc.kick()
	}
	sc.mu.Unlock()
}

func (sc *serverConn) resetStream(st *stream, code ErrCode) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if st.dead || sc.done {
		return
	}
	sc.eng.ResetStream(st.h, int(code))
	sc.drain()
	sc.kick()
}

// requestBody streams the request DATA of a stream.
type requestBody struct {
	st     *stream
	closed bool
}

func (b *requestBody) Read(p []byte) (int, error) {
	st := b.st
	sc := st.sc
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for {
		if b.closed {
			return 0, errors.New("http2: request body closed")
		}
		if st.bodyEOF {
			return 0, io.EOF
		}
		if err := st.unusable(); err != nil {
			return 0, err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if st.expectContinue {
			// The handler wants the body: let the client send it.
			st.expectContinue = false
			if !st.headSent {
				sc.eng.SendHeaders(st.h, []cgo.H2Field{{Name: ":status", Value: "100"}}, false, false)
				sc.drain()
				sc.kick()
			}
		}
		n, end, err := sc.eng.RecvData(st.h, p)
		sc.drain()
		if err != nil {
			return 0, errs.Wrap("http2.Request.Body.Read", err, nil)
		}
		if n > 0 || end {
			sc.kick() // WINDOW_UPDATE
		}
		if end {
			st.eof()
		}
		if n > 0 {
			return n, nil
		}
		if end {
			return 0, io.EOF
		}
		sc.cond.Wait()
	}
}

func (b *requestBody) Close() error {
	b.st.sc.mu.Lock()
	b.closed = true
	b.st.sc.mu.Unlock()
	return nil
}

// responseWriter is the http.ResponseWriter of a stream.
type responseWriter struct {
	st          *stream
	header      http.Header
	status      int
	wroteHeader bool // WriteHeader called (status fixed)
	sentHeader  bool // HEADERS queued
	isHead      bool
	buf         []byte
	written     int64
	trailerKeys []string // declared with the Trailer header
	err         error
}

const bufSize = 16 << 10

func (rw *responseWriter) Header() http.Header { return rw.header }

func (rw *responseWriter) WriteHeader(code int) {
	if rw.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code < 200 {
		rw.writeInformational(code)
		return
	}
	rw.wroteHeader = true
	rw.status = code
	for _, v := range rw.header.Values("Trailer") {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				rw.trailerKeys = append(rw.trailerKeys, textproto.CanonicalMIMEHeaderKey(k))
			}
		}
	}
}

// writeInformational sends a 1xx head with the header fields set so
// far (103 Early Hints carries Link fields); 101 does not exist in
// HTTP/2 (RFC 9113 §8.6) and is dropped.
func (rw *responseWriter) writeInformational(code int) {
	if code == http.StatusSwitchingProtocols || rw.sentHeader || rw.err != nil {
		return
	}
	fields := []cgo.H2Field{{Name: ":status", Value: strconv.Itoa(code)}}
	for k, vs := range rw.header {
		lk := strings.ToLower(k)
		if hopHeaders[lk] || lk == "trailer" || strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		for _, v := range vs {
			fields = append(fields, cgo.H2Field{Name: lk, Value: v})
		}
	}
	rw.st.sc.sendInformational(rw.st, fields)
}

// sendInformational queues a 1xx head unless the final head went out.
func (sc *serverConn) sendInformational(st *stream, fields []cgo.H2Field) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if st.headSent || st.unusable() != nil {
		return
	}
	sc.eng.SendHeaders(st.h, fields, false, false)
	sc.drain()
	sc.kick()
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200 || status == http.StatusNoContent || status == http.StatusNotModified)
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(rw.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if rw.err != nil {
		return 0, rw.err
	}
	rw.written += int64(len(p))
	if rw.isHead {
		return len(p), nil
	}
	if len(rw.buf)+len(p) <= bufSize {
		rw.buf = append(rw.buf, p...)
		return len(p), nil
	}
	if err := rw.flush(false); err != nil {
		return 0, err
	}
	if len(p) >= bufSize {
		if err := rw.st.sc.sendData(rw.st, p, false); err != nil {
			rw.err = err
			return 0, err
		}
		return len(p), nil
	}
	rw.buf = append(rw.buf, p...)
	return len(p), nil
}

func (rw *responseWriter) WriteString(s string) (int, error) {
	return rw.Write([]byte(s))
}

// Flush sends the head and the buffered body.
func (rw *responseWriter) Flush() { rw.FlushError() }

// FlushError is Flush reporting the error.
func (rw *responseWriter) FlushError() error {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	return rw.flush(false)
}

func (rw *responseWriter) hasTrailers() bool {
	if len(rw.trailerKeys) > 0 {
		return true
	}
	for k := range rw.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

// flush queues the head (once) and the buffer; end adds END_STREAM.
func (rw *responseWriter) flush(end bool) error {
	if rw.err != nil {
		return rw.err
	}
	if !rw.sentHeader {
		// With a body to follow, the writer is woken by the DATA only
		// (one write for both).
		if err := rw.sendHead(end && len(rw.buf) == 0, len(rw.buf) > 0); err != nil {
			rw.err = err
			return err
		}
		if end && len(rw.buf) == 0 {
			return nil
		}
	}
	if len(rw.buf) == 0 && !end {
		return nil
	}
	err := rw.st.sc.sendData(rw.st, rw.buf, end)
	rw.buf = rw.buf[:0]
	if err != nil {
		rw.err = err
	}
	return err
}

var hopHeaders = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true, "te": true, "trailer": false,
}

func (rw *responseWriter) sendHead(end, more bool) error {
	rw.sentHeader = true
	h := rw.header
	if _, ok := h["Content-Type"]; !ok && len(rw.buf) > 0 && bodyAllowed(rw.status) && h.Get("Content-Encoding") == "" {
		h.Set("Content-Type", http.DetectContentType(rw.buf))
	}
	if _, ok := h["Date"]; !ok {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	fields := make([]cgo.H2Field, 0, len(h)+2)
	fields = append(fields, cgo.H2Field{Name: ":status", Value: strconv.Itoa(rw.status)})
	for k, vs := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		lk := strings.ToLower(k)
		if hopHeaders[lk] {
			continue
		}
		for _, v := range vs {
			fields = append(fields, cgo.H2Field{Name: lk, Value: v})
		}
	}
	return rw.st.sc.sendHeaders(rw.st, fields, false, end, more)
}

// finish ends the response after the handler returned.
func (rw *responseWriter) finish() error {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	trailers := rw.hasTrailers()
	if !rw.sentHeader && !trailers && bodyAllowed(rw.status) && rw.header.Get("Content-Length") == "" &&
		rw.header.Get("Transfer-Encoding") == "" {
		rw.header.Set("Content-Length", strconv.FormatInt(rw.written, 10))
	}
	if !trailers {
		return rw.flush(true)
	}
	if err := rw.flush(false); err != nil {
		return err
	}
	var fields []cgo.H2Field
	add := func(k string, vs []string) {
		lk := strings.ToLower(k)
		if hopHeaders[lk] || lk == "trailer" {
			return
		}
		for _, v := range vs {
			fields = append(fields, cgo.H2Field{Name: lk, Value: v})
		}
	}
	for _, k := range rw.trailerKeys {
		add(k, rw.header[k])
	}
	for k, vs := range rw.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			add(strings.TrimPrefix(k, http.TrailerPrefix), vs)
		}
	}
	if len(fields) == 0 {
		return rw.st.sc.sendData(rw.st, nil, true)
	}
	return rw.st.sc.sendHeaders(rw.st, fields, true, true, false)
}

// sendHeaders queues a header block on st and wakes the writer unless
// more is to follow at once.
func (sc *serverConn) sendHeaders(st *stream, fields []cgo.H2Field, trailers, end, more bool) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if err := st.unusable(); err != nil {
		return err
	}
	st.headSent = true
	ok, err := sc.eng.SendHeaders(st.h, fields, trailers, end)
	sc.drain()
	if !more {
		sc.kick()
	}
	if err != nil {
		return errs.Wrap("http2.ResponseWriter", err, nil)
	}
	if !ok {
		if err := st.unusable(); err != nil {
			return err
		}
		return StreamError{StreamID: st.id, Code: ErrCodeInternal, Cause: errors.New("header block refused by the engine")}
	}
	return nil
}

// sendData queues p on st as the flow-control windows allow, waiting
// for WINDOW_UPDATE (or the writer) when they are closed.
func (sc *serverConn) sendData(st *stream, p []byte, end bool) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for {
		if err := st.unusable(); err != nil {
			return err
		}
		n, ended, err := sc.eng.SendData(st.h, p, end)
		sc.drain()
		if err != nil {
			return errs.Wrap("http2.ResponseWriter.Write", err, nil)
		}
		if n < 0 {
			if err := st.unusable(); err != nil {
				return err
			}
			return StreamError{StreamID: st.id, Code: ErrCodeStreamClosed}
		}
		if n > 0 || ended {
			sc.kick()
		}
		p = p[n:]
		if len(p) == 0 && (!end || ended) {
			return nil
		}
		if n == 0 {
			sc.cond.Wait()
		}
	}
}

var (
	_ http.Flusher = (*responseWriter)(nil)
	_ http.Pusher  = (*responseWriter)(nil)
)

// Push promises the response to a GET or HEAD of target (an absolute
// path, or a URL of the request's scheme and authority) and serves it
// with the connection's handler on a pushed stream (RFC 9113 §8.4). It
// returns http.ErrNotSupported when the client disabled push
// (SETTINGS_ENABLE_PUSH 0, as Go's and our Transport do) or when called
// for a pushed response, and an error when the engine refuses the
// promise (state, the client's stream limit, connection closing).
func (rw *responseWriter) Push(target string, opts *http.PushOptions) error {
	st := rw.st
	sc := st.sc
	if st.pushed {
		return http.ErrNotSupported
	}
	method := http.MethodGet
	var extra http.Header
	if opts != nil {
		if opts.Method != "" {
			method = opts.Method
		}
		extra = opts.Header
	}
	if method != http.MethodGet && method != http.MethodHead {
		return fmt.Errorf("http2: push method %q must be GET or HEAD", method)
	}
	req := st.req
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	if u.Scheme != "" || u.Host != "" {
		if u.Scheme != scheme || u.Host != req.Host {
			return fmt.Errorf("http2: push target %q is not of %s://%s", target, scheme, req.Host)
		}
	} else if !strings.HasPrefix(target, "/") {
		return fmt.Errorf("http2: push target %q is not an absolute path", target)
	}
	path := u.RequestURI()
	fields := []cgo.H2Field{
		{Name: ":method", Value: method},
		{Name: ":scheme", Value: scheme},
		{Name: ":authority", Value: req.Host},
		{Name: ":path", Value: path},
	}
	header := make(http.Header)
	for k, vs := range extra {
		lk := strings.ToLower(k)
		if hopHeaders[lk] || lk == "host" || lk == "content-length" || lk == "trailer" {
			continue
		}
		for _, v := range vs {
			fields = append(fields, cgo.H2Field{Name: lk, Value: v})
			header.Add(k, v)
		}
	}

	sc.mu.Lock()
	defer sc.mu.Unlock()
	if err := st.unusable(); err != nil {
		return err
	}
	if v, err := sc.eng.PeerSetting(cgo.H2SettingEnablePush); err != nil || v == 0 {
		return http.ErrNotSupported
	}
	ps, id, ok, err := sc.eng.PushPromise(st.h, fields)
	sc.drain()
	if err != nil {
		return errs.Wrap("http2.ResponseWriter.Push", err, nil)
	}
	if !ok {
		return errors.New("http2: push promise refused (stream state, client's stream limit or connection closing)")
	}
	sc.kick()
	ctx, cancel := context.WithCancel(sc.ctx)
	pst := &stream{sc: sc, id: id, h: ps, ctx: ctx, cancel: cancel, pushed: true, bodyEOF: true}
	sc.streams[id] = pst
	preq := &http.Request{
		Method:     method,
		URL:        &url.URL{Scheme: scheme, Host: req.Host, Path: u.Path, RawQuery: u.RawQuery},
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     header,
		Host:       req.Host,
		RequestURI: path,
		RemoteAddr: req.RemoteAddr,
		TLS:        req.TLS,
		Body:       http.NoBody,
	}
	pst.req = preq.WithContext(ctx)
	sc.handlers++
	sc.wg.Add(1)
	go sc.runHandler(pst)
	return nil
}
