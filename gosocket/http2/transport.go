package http2

// The client: an http.RoundTripper over the engine in the client role.
// Each connection (clientConn) has the same shape as a server
// connection: one reader goroutine feeding the engine, one writer
// goroutine writing its output, and the goroutines of RoundTrip and of
// the request bodies making engine calls under the connection mutex.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// Transport is an http.RoundTripper speaking HTTP/2 on the libsocket
// engine: "https" URLs over TLS with ALPN "h2", "http" URLs over h2c
// with prior knowledge when AllowHTTP is set. It keeps one multiplexed
// connection per host:port and opens another when the peer's
// SETTINGS_MAX_CONCURRENT_STREAMS is reached (unless
// StrictMaxConcurrentStreams). Its fields must not change once it is in
// use. Server push is refused (SETTINGS_ENABLE_PUSH is 0).
type Transport struct {
	// DialTLSContext, if set, dials every connection (for "http" too,
	// where it must return a plain connection, as x/net's does); cfg
	// is the TLS configuration to use for "https".
	DialTLSContext func(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error)
	// TLSClientConfig is the TLS configuration of "https" dials; "h2"
	// is put in NextProtos, ServerName defaults to the host.
	TLSClientConfig *tls.Config
	// AllowHTTP permits "http" URLs (h2c with prior knowledge).
	AllowHTTP bool
	// StrictMaxConcurrentStreams makes requests wait for a free stream
	// on the existing connection instead of dialing another one.
	StrictMaxConcurrentStreams bool
	// MaxHeaderListSize limits the decoded response header list; 0
	// means the engine's 16 KiB default.
	MaxHeaderListSize uint32
	// MaxReadFrameSize is the largest frame accepted; 0 means 16 KiB.
	MaxReadFrameSize uint32
	// IdleConnTimeout closes connections without streams for this
	// long; 0 means never (CloseIdleConnections does it at once).
	IdleConnTimeout time.Duration
	// SettingsTimeout is how long the server may take to acknowledge
	// our SETTINGS before the connection ends with GOAWAY
	// (SETTINGS_TIMEOUT); 0 means 30 s, negative means no limit.
	SettingsTimeout time.Duration
	// ReadIdleTimeout sends a PING once nothing was received for this
	// long (a health check, as x/net's); 0 means never.
	ReadIdleTimeout time.Duration
	// PingTimeout closes the connection when a PING is not acknowledged
	// in time; 0 means 15 s, as x/net.
	PingTimeout time.Duration

	mu      sync.Mutex
	conns   map[string][]*clientConn
	dialing map[string]*dialCall
}

// Stream and connection receive windows: large enough for bulk
// transfers on fast links (x/net uses 4 MiB per stream too).
const (
	transportStreamWindow = 4 << 20
	transportConnWindow   = 16 << 20
	maxRetries            = 6
)

// dialCall is a dial in progress that requests for the same address
// wait for, so a burst of requests opens one connection.
type dialCall struct {
	done chan struct{}
	cc   *clientConn
	err  error
}

var errRequestCanceled = errors.New("http2: request canceled")

// errUnprocessed marks a request the server did not process (refused
// by its GOAWAY or REFUSED_STREAM): it may be retried on another
// connection.
// fresh means the request was not started at all (its body untouched).
type errUnprocessed struct {
	err   error
	fresh bool
}

func (e errUnprocessed) Error() string { return e.err.Error() }
func (e errUnprocessed) Unwrap() error { return e.err }

// RoundTrip sends req on an HTTP/2 connection and returns the response
// once its head arrived; the body streams. Requests the server refused
// without processing are retried on a new connection when they can be
// replayed (no body, or GetBody).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		return nil, errors.New("http2: nil Request.URL")
	}
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !t.AllowHTTP {
			closeBody(req.Body)
			return nil, errors.New("http2: unencrypted HTTP/2 not enabled (Transport.AllowHTTP)")
		}
	default:
		closeBody(req.Body)
		return nil, fmt.Errorf("http2: unsupported scheme %q", req.URL.Scheme)
	}
	addr := authorityAddr(req.URL.Scheme, req.URL.Host)
	// bodyOpen: the body was not handed to a request yet, so closing it
	// on failure is ours (RoundTripper contract).
	bodyOpen := true
	fail := func(err error) (*http.Response, error) {
		if bodyOpen {
			closeBody(req.Body)
		}
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		cc, err := t.getConn(req.Context(), req.URL.Scheme, addr)
		if err != nil {
			return fail(err)
		}
		res, err := cc.roundTrip(req)
		var un errUnprocessed
		isUn := errors.As(err, &un)
		bodyOpen = isUn && un.fresh
		if err == nil || !isUn || attempt >= maxRetries {
			if isUn {
				err = un.err
			}
			if err != nil {
				return fail(err)
			}
			return res, nil
		}
		if req.Body != nil && req.Body != http.NoBody && !un.fresh {
			if req.GetBody == nil {
				return nil, un.err
			}
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			r2 := *req
			r2.Body = body
			req = &r2
			bodyOpen = true
		}
		select {
		case <-req.Context().Done():
			return fail(req.Context().Err())
		case <-time.After(time.Duration(attempt) * 10 * time.Millisecond):
		}
	}
}

func authorityAddr(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "443"
	if scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// getConn returns a connection to addr with a stream slot reserved for
// the caller: an existing one with room, or a new one.
func (t *Transport) getConn(ctx context.Context, scheme, addr string) (*clientConn, error) {
	key := scheme + "://" + addr
	for {
		t.mu.Lock()
		var busy, starting *clientConn
		for _, cc := range t.conns[key] {
			switch cc.reserve(ctx, false, false) {
			case reserved:
				t.mu.Unlock()
				return cc, nil
			case full:
				busy = cc
			case pending:
				starting = cc
			}
		}
		if starting != nil {
			// Its limit is not known before the peer's SETTINGS.
			busy = starting
		}
		if busy != nil && (t.StrictMaxConcurrentStreams || busy == starting) {
			t.mu.Unlock()
			switch busy.reserve(ctx, true, t.StrictMaxConcurrentStreams) {
			case reserved:
				return busy, nil
			case canceled:
				return nil, ctx.Err()
			}
			continue
		}
		call := t.dialing[key]
		if call == nil {
			call = &dialCall{done: make(chan struct{})}
			if t.dialing == nil {
				t.dialing = make(map[string]*dialCall)
			}
			t.dialing[key] = call
			go t.dial(call, key, scheme, addr)
		}
		t.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if call.err != nil {
			return nil, call.err
		}
	}
}

// dial opens a connection for key and adds it to the pool.
func (t *Transport) dial(call *dialCall, key, scheme, addr string) {
	// Not the request's context: other requests wait for this dial.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := t.dialConn(ctx, scheme, addr)
	var cc *clientConn
	if err == nil {
		cc, err = t.newClientConn(c, key)
	}
	t.mu.Lock()
	delete(t.dialing, key)
	if err == nil {
		if t.conns == nil {
			t.conns = make(map[string][]*clientConn)
		}
		t.conns[key] = append(t.conns[key], cc)
	}
	t.mu.Unlock()
	call.cc, call.err = cc, err
	close(call.done)
}

func (t *Transport) dialConn(ctx context.Context, scheme, addr string) (net.Conn, error) {
	var cfg *tls.Config
	if scheme == "https" {
		if t.TLSClientConfig != nil {
			cfg = t.TLSClientConfig.Clone()
		} else {
			cfg = new(tls.Config)
		}
		cfg.NextProtos = []string{NextProtoTLS}
		if cfg.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
	}
	if t.DialTLSContext != nil {
		c, err := t.DialTLSContext(ctx, "tcp", addr, cfg)
		if err != nil {
			return nil, err
		}
		if err := checkALPN(c, cfg); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	if cfg == nil {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := checkALPN(c, cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// checkALPN refuses a TLS connection that did not negotiate "h2".
func checkALPN(c net.Conn, cfg *tls.Config) error {
	if cfg == nil {
		return nil
	}
	tc, ok := c.(interface{ ConnectionState() tls.ConnectionState })
	if !ok {
		return nil
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != NextProtoTLS {
		return fmt.Errorf("http2: server negotiated protocol %q, want %q", p, NextProtoTLS)
	}
	return nil
}

func (t *Transport) removeConn(cc *clientConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := t.conns[cc.key]
	for i, c := range list {
		if c == cc {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(t.conns, cc.key)
	} else {
		t.conns[cc.key] = list
	}
}

// CloseIdleConnections closes the connections that have no request in
// flight (GOAWAY(NO_ERROR), then close).
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	var idle []*clientConn
	for _, list := range t.conns {
		for _, cc := range list {
			if cc.closeIfIdle() {
				idle = append(idle, cc)
			}
		}
	}
	t.mu.Unlock()
	for _, cc := range idle {
		t.removeConn(cc)
	}
}

// NewClientConn runs HTTP/2 (prior knowledge) on c, which must already
// have negotiated it (TLS with ALPN "h2", or h2c). Its requests go
// through ClientConn.RoundTrip; the Transport's pool does not see it.
func (t *Transport) NewClientConn(c net.Conn) (*ClientConn, error) {
	cc, err := t.newClientConn(c, "")
	if err != nil {
		return nil, err
	}
	return &ClientConn{cc: cc}, nil
}

// ClientConn is one HTTP/2 client connection made by NewClientConn.
type ClientConn struct{ cc *clientConn }

// RoundTrip sends req on this connection (no retry elsewhere).
func (c *ClientConn) RoundTrip(req *http.Request) (*http.Response, error) {
	switch c.cc.reserve(req.Context(), true, true) {
	case reserved:
	case canceled:
		return nil, req.Context().Err()
	default:
		return nil, errClientConnUnusable
	}
	res, err := c.cc.roundTrip(req)
	var un errUnprocessed
	if errors.As(err, &un) {
		err = un.err
	}
	return res, err
}

// Close sends GOAWAY(NO_ERROR) and closes the connection; requests in
// flight fail.
func (c *ClientConn) Close() error {
	c.cc.close(ErrCodeNo)
	<-c.cc.readerDone
	return nil
}

var errClientConnUnusable = errors.New("http2: client connection is closed or going away")

// newClientConn starts the reader and writer of a new connection.
func (t *Transport) newClientConn(c net.Conn, key string) (*clientConn, error) {
	cfg := cgo.H2Config{
		InitialWindowSize:    transportStreamWindow,
		ConnectionWindowSize: transportConnWindow,
		MaxFrameSize:         t.MaxReadFrameSize,
		MaxHeaderListSize:    t.MaxHeaderListSize,
		SettingsTimeoutMS:    durationMS(t.SettingsTimeout, 0),
		PingTimeoutMS:        durationMS(t.PingTimeout, 15*time.Second),
		KeepaliveMS:          durationMS(t.ReadIdleTimeout, 0),
	}
	eng, err := cgo.NewH2Conn(cfg)
	if err != nil {
		c.Close()
		return nil, errs.Wrap("http2.Transport", err, nil)
	}
	cc := &clientConn{
		t:          t,
		key:        key,
		c:          c,
		eng:        eng,
		streams:    make(map[uint32]*clientStream),
		wake:       make(chan struct{}, 1),
		quit:       make(chan struct{}),
		readerDone: make(chan struct{}),
		lastUsed:   time.Now(),
	}
	cc.cond = sync.NewCond(&cc.mu)
	go cc.writer()
	go runEngineTimer(cc.quit, cc.nextDeadline, cc.fireDeadline)
	go cc.readLoop()
	cc.kick() // preface and SETTINGS
	return cc, nil
}
