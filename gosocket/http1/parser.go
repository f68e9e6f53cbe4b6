// Package http1 is an HTTP/1.1 message parser and serializer (RFC 9112)
// built on libsocket's C parser.
//
// A Parser takes bytes in pieces of any size; the result never depends on
// how the input was split. Each Execute or ReadBody is one call into C
// (plus one to fetch the spans of a section with more than 128 fields).
// When the head is complete, the Request or Response holds strings sliced
// from a single Go copy of the head (one allocation for all of them).
//
// The parser is strict by default and rejects request smuggling vectors
// (Content-Length with Transfer-Encoding, differing or duplicate
// Content-Length, Transfer-Encoding not ending in chunked, whitespace
// before a colon, bare CR or LF, obs-fold, NUL and other controls, ...);
// see include/http/SocketHTTP1.h for the full list. Malformed input is
// reported as a *ParseError, which matches gosocket.ErrHTTP.
package http1

import (
	"bufio"
	"errors"
	"io"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// Config holds the parser limits and policy. Zero fields take the C
// library's defaults (SOCKETHTTP1_MAX_*: 8 KiB start line, 256-byte names,
// 8 KiB values, 100 fields, 64 KiB header section, 16 MiB chunks, 4 KiB
// trailers).
type Config struct {
	MaxRequestLine int // start line
	MaxHeaderName  int
	MaxHeaderValue int
	MaxHeaders     int // number of fields
	MaxHeaderSize  int // header section without the start line
	MaxChunkSize   int
	MaxTrailerSize int
	AllowObsFold   bool // unfold obs-fold lines instead of rejecting them
	// Lenient turns strict mode off: a bare LF ends a line, Transfer-Encoding
	// wins over Content-Length (and the connection is closed), HTTP/1.2-1.9
	// read as 1.1, and other relaxations listed in SocketHTTP1.h.
	Lenient bool
}

func (c *Config) c() cgo.HTTP1Config {
	d := cgo.HTTP1DefaultConfig()
	if c == nil {
		return d
	}
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return cgo.HTTP1Config{
		MaxRequestLine: pick(c.MaxRequestLine, d.MaxRequestLine),
		MaxHeaderName:  pick(c.MaxHeaderName, d.MaxHeaderName),
		MaxHeaderValue: pick(c.MaxHeaderValue, d.MaxHeaderValue),
		MaxHeaders:     pick(c.MaxHeaders, d.MaxHeaders),
		MaxHeaderSize:  pick(c.MaxHeaderSize, d.MaxHeaderSize),
		MaxChunkSize:   pick(c.MaxChunkSize, d.MaxChunkSize),
		MaxTrailerSize: pick(c.MaxTrailerSize, d.MaxTrailerSize),
		AllowObsFold:   c.AllowObsFold,
		Strict:         !c.Lenient,
	}
}

// BodyMode says how the content of a message is delimited.
type BodyMode int

const (
	BodyNone          BodyMode = cgo.HTTP1BodyNone
	BodyContentLength BodyMode = cgo.HTTP1BodyContentLength
	BodyChunked       BodyMode = cgo.HTTP1BodyChunked
	BodyUntilClose    BodyMode = cgo.HTTP1BodyUntilClose // responses only
)

func (m BodyMode) String() string {
	switch m {
	case BodyNone:
		return "none"
	case BodyContentLength:
		return "content-length"
	case BodyChunked:
		return "chunked"
	case BodyUntilClose:
		return "until-close"
	}
	return "BodyMode(?)"
}

// Request is a parsed request head.
type Request struct {
	Method     string // as received, e.g. "GET" or "PROPFIND"
	Target     string // request-target as received
	ProtoMajor int    // 1
	ProtoMinor int    // 0 or 1
	// Scheme, Host and Path split the target: for origin-form Path is the
	// target and Host the Host field; for absolute-form they come from the
	// target (Path "/" when empty); for CONNECT Host and Path are the
	// authority; for "*" Path is "*". Scheme is "" unless absolute-form.
	Scheme, Host, Path string
	Header             Header

	ContentLength   int64 // -1 unless framed by Content-Length
	BodyMode        BodyMode
	KeepAlive       bool   // another message may follow on the connection
	Upgrade         bool   // the bytes after this message belong to another protocol (or CONNECT)
	UpgradeProtocol string // the Upgrade value when Upgrade
	ExpectContinue  bool   // HTTP/1.1 "Expect: 100-continue"
}

// Response is a parsed response head.
type Response struct {
	StatusCode      int
	Reason          string
	ProtoMajor      int
	ProtoMinor      int
	Header          Header
	ContentLength   int64
	BodyMode        BodyMode
	KeepAlive       bool
	Upgrade         bool // 101 Switching Protocols
	UpgradeProtocol string
}

// Parser parses HTTP/1.x requests or responses, one message at a time;
// Reset starts the next one. A Parser is not safe for concurrent use. It
// holds C memory: call Close when done (a cleanup frees it otherwise).
type Parser struct {
	c        *cgo.HTTP1Parser
	response bool
	req      *Request
	resp     *Response
	trailers Header
	offset   int64 // message bytes consumed so far
	state    int
	err      error
}

// NewRequestParser returns a parser for requests; cfg may be nil.
func NewRequestParser(cfg *Config) (*Parser, error) { return newParser(false, cfg) }

// NewResponseParser returns a parser for responses; cfg may be nil.
func NewResponseParser(cfg *Config) (*Parser, error) { return newParser(true, cfg) }

func newParser(response bool, cfg *Config) (*Parser, error) {
	op := "http1.NewRequestParser"
	if response {
		op = "http1.NewResponseParser"
	}
	if cfg != nil && (cfg.MaxRequestLine < 0 || cfg.MaxHeaderName < 0 || cfg.MaxHeaderValue < 0 ||
		cfg.MaxHeaders < 0 || cfg.MaxHeaderSize < 0 || cfg.MaxChunkSize < 0 || cfg.MaxTrailerSize < 0) {
		return nil, &gosocket.Error{Op: op, Msg: "negative limit in Config", Kind: gosocket.ErrHTTP}
	}
	c, err := cgo.NewHTTP1Parser(response, cfg.c())
	if err != nil {
		return nil, errs.Wrap(op, err, nil)
	}
	return &Parser{c: c, response: response}, nil
}

// Close releases the parser's C memory. It is idempotent; afterwards
// every method fails with an error matching gosocket.ErrClosed.
func (p *Parser) Close() error {
	p.c.Close()
	return nil
}

// Reset prepares the parser for the next message on the same connection
// (keep-alive). The Request/Response returned so far stay valid.
func (p *Parser) Reset() {
	if err := p.c.Reset(); err != nil {
		p.err = errs.Wrap("http1.Parser.Reset", err, nil)
		return
	}
	p.req, p.resp, p.trailers = nil, nil, nil
	p.offset, p.state, p.err = 0, 0, nil
}

// Request returns the request head once it is complete, else nil.
func (p *Parser) Request() *Request { return p.req }

// Response returns the response head once it is complete, else nil.
func (p *Parser) Response() *Response { return p.resp }

// HeadComplete reports whether the message head has been parsed.
func (p *Parser) HeadComplete() bool { return p.req != nil || p.resp != nil }

// Complete reports whether the whole message (head and content) is done.
func (p *Parser) Complete() bool { return p.state == cgo.HTTP1StateComplete }

// Trailers returns the trailer fields of a completed chunked body.
func (p *Parser) Trailers() Header { return p.trailers }

// Execute parses the message head from b and returns how many bytes it
// used. It stops right after the head, so with pipelined messages n may be
// less than len(b): the rest is content or the next message. Until the
// head is complete it uses all of b. Called after the head it skips
// content (use ReadBody to receive it), stopping when the message is
// complete; then it consumes nothing until Reset. An empty b does
// nothing; use Finish at end of input.
//
// Errors are sticky until Reset; a *ParseError's Offset is the position of
// the offending byte in the message, and n its position in b.
func (p *Parser) Execute(b []byte) (n int, err error) {
	if p.err != nil {
		return 0, p.err
	}
	if len(b) == 0 {
		return 0, nil
	}
	return p.exec(b)
}

// Finish tells the parser that the input ended (the peer closed). It
// completes a body delimited by the close and reports an unfinished
// message as a *ParseError with Code ErrorUnexpectedEOF. Between messages
// it returns nil.
func (p *Parser) Finish() error {
	if p.err != nil {
		return p.err
	}
	_, err := p.exec(nil)
	return err
}

func (p *Parser) exec(b []byte) (int, error) {
	r, err := p.c.Execute(b)
	if err != nil {
		p.err = errs.Wrap("http1.Parser.Execute", err, nil)
		return 0, p.err
	}
	return r.Consumed, p.absorb(&r)
}

// absorb records what a call completed.
func (p *Parser) absorb(r *cgo.HTTP1Result) error {
	p.state = r.State
	if r.Result >= cgo.HTTP1Error {
		p.err = &ParseError{Code: ErrorCode(r.Result), Offset: p.offset + int64(r.Consumed)}
		return p.err
	}
	p.offset += int64(r.Consumed)
	if r.HeadReady {
		h := &r.Head
		if p.response {
			p.resp = newResponse(h)
		} else {
			p.req = newRequest(h)
		}
	} else if p.req != nil {
		p.req.KeepAlive = r.KeepAlive
	} else if p.resp != nil {
		p.resp.KeepAlive = r.KeepAlive
	}
	if r.TrailersReady {
		p.trailers = fields(r.Trailers, r.TrailerFields)
	}
	return nil
}

func fields(s string, spans []cgo.Span) Header {
	h := make(Header, len(spans)/2)
	for i := range h {
		h[i] = Field{spans[2*i].Of(s), spans[2*i+1].Of(s)}
	}
	return h
}

func newRequest(h *cgo.HTTP1Head) *Request {
	return &Request{
		Method:          h.Method.Of(h.Head),
		Target:          h.Target.Of(h.Head),
		ProtoMajor:      h.Version / 10,
		ProtoMinor:      h.Version % 10,
		Scheme:          h.Scheme,
		Host:            h.Authority,
		Path:            h.Path,
		Header:          fields(h.Head, h.Fields),
		ContentLength:   h.ContentLength,
		BodyMode:        BodyMode(h.BodyMode),
		KeepAlive:       h.KeepAlive,
		Upgrade:         h.Upgrade,
		UpgradeProtocol: h.UpgradeProto,
		ExpectContinue:  h.Expect,
	}
}

func newResponse(h *cgo.HTTP1Head) *Response {
	return &Response{
		StatusCode:      h.Status,
		Reason:          h.Reason.Of(h.Head),
		ProtoMajor:      h.Version / 10,
		ProtoMinor:      h.Version % 10,
		Header:          fields(h.Head, h.Fields),
		ContentLength:   h.ContentLength,
		BodyMode:        BodyMode(h.BodyMode),
		KeepAlive:       h.KeepAlive,
		Upgrade:         h.Upgrade,
		UpgradeProtocol: h.UpgradeProto,
	}
}

// SkipBody declares that the current response has no content although its
// fields say otherwise: the response to a HEAD request, or a 2xx response
// to CONNECT. Call it right after the head is complete.
func (p *Parser) SkipBody() {
	state, ka, err := p.c.SkipBody()
	if err != nil {
		p.err = errs.Wrap("http1.Parser.SkipBody", err, nil)
		return
	}
	p.state = state
	if p.resp != nil {
		p.resp.BodyMode = BodyNone
		p.resp.KeepAlive = ka
	}
}

// ReadBody decodes message content from src into dst: Content-Length and
// until-close bytes are copied, chunked framing is removed (trailers are
// collected, see Trailers). It returns the bytes written to dst and
// consumed from src; err is io.EOF once the message is complete (written
// may still be > 0 then). An empty src means end of input: it completes
// an until-close body or fails with ErrorUnexpectedEOF. dst must not be
// empty.
func (p *Parser) ReadBody(dst, src []byte) (written, consumed int, err error) {
	if p.err != nil {
		return 0, 0, p.err
	}
	if !p.HeadComplete() {
		return 0, 0, &ParseError{Code: ErrorMisuse, Offset: p.offset, Msg: "ReadBody before the head is complete"}
	}
	if p.Complete() {
		return 0, 0, io.EOF
	}
	if len(dst) == 0 {
		return 0, 0, nil
	}
	r, cerrv := p.c.ReadBody(dst, src)
	if cerrv != nil {
		p.err = errs.Wrap("http1.Parser.ReadBody", cerrv, nil)
		return 0, 0, p.err
	}
	if err := p.absorb(&r); err != nil {
		return r.Written, r.Consumed, err
	}
	if p.Complete() {
		return r.Written, r.Consumed, io.EOF
	}
	return r.Written, r.Consumed, nil
}

// ReadHead parses a message head from br, consuming exactly the head's
// bytes (content and pipelined messages stay buffered). io.EOF before the
// first byte of a message is returned as is; a head cut short by EOF is a
// *ParseError with Code ErrorUnexpectedEOF.
func (p *Parser) ReadHead(br *bufio.Reader) error {
	for !p.HeadComplete() {
		if _, err := br.Peek(1); err != nil {
			if err != io.EOF {
				return err
			}
			if ferr := p.Finish(); ferr != nil {
				return ferr
			}
			return io.EOF
		}
		buf, _ := br.Peek(br.Buffered())
		n, err := p.Execute(buf)
		br.Discard(n)
		if err != nil {
			return err
		}
	}
	return nil
}

// Body returns a reader of the current message's decoded content, taking
// its input from br (which must be the reader ReadHead used); it returns
// io.EOF at the end of the message, leaving any pipelined message
// buffered in br.
func (p *Parser) Body(br *bufio.Reader) io.Reader { return &bodyReader{p: p, br: br} }

type bodyReader struct {
	p  *Parser
	br *bufio.Reader
}

func (b *bodyReader) Read(dst []byte) (int, error) {
	for {
		if b.p.Complete() {
			return 0, io.EOF
		}
		var src []byte
		if _, err := b.br.Peek(1); err != nil && err != io.EOF {
			return 0, err
		} else if err == nil {
			src, _ = b.br.Peek(b.br.Buffered())
		}
		w, c, err := b.p.ReadBody(dst, src)
		b.br.Discard(c)
		if w > 0 || err != nil {
			if errors.Is(err, io.EOF) && w > 0 {
				return w, nil // the next Read reports io.EOF
			}
			return w, err
		}
		if len(dst) == 0 {
			return 0, nil
		}
	}
}
