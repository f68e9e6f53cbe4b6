package http2

// The streams of a client connection: the request head and body going
// out, the response head and body coming in.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

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

// resetByPeerOrEngine records why a stream was reset (how is an
// H2Reset* value, code the RST_STREAM or GOAWAY code). Called with mu
// held, the stream forgotten.
func (cs *clientStream) resetByPeerOrEngine(how int, code ErrCode) {
	cc := cs.cc
	if cs.err != nil {
		return // our own reset: the error is set
	}
	se := StreamError{StreamID: cs.id, Code: code, Cause: errStreamReset}
	switch how {
	case cgo.H2ResetReceived:
		if code == ErrCodeRefusedStream && !cs.gotHead {
			cs.err = errUnprocessed{err: se}
		} else {
			cs.err = se
		}
	case cgo.H2ResetGoAway:
		// Above the peer's last-stream-id: never processed.
		if g := cc.peerGoAwayLocked(); g != nil {
			cs.err = errUnprocessed{err: *g}
		} else {
			cs.err = errUnprocessed{err: se}
		}
	case cgo.H2ResetLocal:
		// Refused before it opened: never sent.
		if code == ErrCodeRefusedStream {
			cs.err = errUnprocessed{err: se}
		} else if !cc.failed {
			cs.err = se
		}
	default:
		// Reset by the engine (a protocol error in the response). After
		// a connection error the connection end sets the error.
		if !cc.failed {
			cs.err = se
		}
	}
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

// testHookSlotWait, when set by a test, runs as a request head refused
// at the peer's stream limit starts waiting for a slot.
var testHookSlotWait func()

// openStreamLocked makes a stream and sends the request head on it.
// The caller's slot makes a refusal at the peer's stream limit rare
// (the peer lowered MAX_CONCURRENT_STREAMS meanwhile); the engine then
// leaves the stream idle. It is dropped and a new one made once a slot
// frees: an idle stream waiting while a higher id opens would be
// refused. Called with mu held; it may wait on cond.
func (cc *clientConn) openStreamLocked(ctx context.Context, fields []cgo.H2Field, endStream bool) (cgo.H2Stream, uint32, error) {
	var stop func() bool
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	for {
		if !cc.usableLocked() {
			return 0, 0, errUnprocessed{err: errClientConnUnusable, fresh: true}
		}
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		h, id, ok, err := cc.eng.NewStream()
		if err != nil {
			return 0, 0, errs.Wrap("http2.Transport.RoundTrip", err, nil)
		}
		if !ok {
			return 0, 0, errUnprocessed{err: errClientConnUnusable, fresh: true}
		}
		sent, err := cc.eng.SendHeaders(h, fields, false, endStream)
		if err == nil && sent {
			cc.drain()
			return h, id, nil
		}
		idle, _ := cc.eng.StreamIdle(h)
		cc.eng.ResetStream(h, int(ErrCodeCancel)) // idle: dropped without a frame
		cc.drain()
		if err != nil {
			return 0, 0, errs.Wrap("http2.Transport.RoundTrip", err, nil)
		}
		if !idle || cc.availableLocked() > cc.reservedN {
			return 0, 0, errors.New("http2: request header block refused by the engine")
		}
		if stop == nil {
			stop = context.AfterFunc(ctx, func() {
				cc.mu.Lock()
				cc.cond.Broadcast()
				cc.mu.Unlock()
			})
		}
		if testHookSlotWait != nil {
			testHookSlotWait()
		}
		for cc.usableLocked() && ctx.Err() == nil && cc.availableLocked() <= cc.reservedN {
			cc.cond.Wait()
		}
	}
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
		// Frees the streams that ended.
		cc.ended = false
		cc.retire()
		cc.eng.Process()
		cc.drain()
	}
	h, id, oerr := cc.openStreamLocked(ctx, fields, !hasBody)
	if oerr != nil {
		cc.cond.Broadcast()
		cc.mu.Unlock()
		var un errUnprocessed
		if !errors.As(oerr, &un) || !un.fresh {
			closeBody(body)
		}
		return nil, oerr
	}
	cs := &clientStream{cc: cc, id: id, h: h, req: req, trace: httptrace.ContextClientTrace(ctx)}
	cc.streams[id] = cs
	cc.open++
	cc.lastUsed = time.Now()
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
