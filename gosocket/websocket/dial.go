package websocket

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// DialOptions configures Dial; nil means the defaults.
type DialOptions struct {
	// HTTPHeader is added to the upgrade request (Origin, Authorization,
	// cookies, ...).
	HTTPHeader http.Header
	// Subprotocols offered, in order of preference.
	Subprotocols []string
	// EnableCompression offers permessage-deflate (with context takeover
	// unless CompressionNoContextTakeover).
	EnableCompression            bool
	CompressionNoContextTakeover bool
	// TLSConfig for wss:// (crypto/tls); nil: defaults with the URL's
	// host as ServerName.
	TLSConfig *tls.Config
	// NetDialContext dials the TCP connection; nil: a net.Dialer.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// ReadLimit is the largest message accepted (after decompression);
	// 0 means the library's 64 MiB. MaxFrameSize likewise (16 MiB).
	ReadLimit    int64
	MaxFrameSize int
	// MaxFragments caps the frames of one received message; 0 means
	// DefaultMaxFragments (gorilla writes 4 KiB frames by default, so a
	// 4 MiB message from it is 1024 frames: the C default of 1000 is too
	// low for Go peers).
	MaxFragments int
}

// Dial opens a WebSocket connection to a ws:// or wss:// URL. ctx bounds
// the whole opening handshake. The server's response is checked: status
// 101 (a redirect is refused, never followed), the Upgrade and Connection
// headers, Sec-WebSocket-Accept, a subprotocol and extension we offered.
// On a handshake failure the response is returned with the error (its
// body holds at most 1 KiB).
func Dial(ctx context.Context, rawURL string, opts *DialOptions) (*Conn, *http.Response, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	if opts.ReadLimit < 0 || opts.MaxFrameSize < 0 || opts.MaxFragments < 0 {
		return nil, nil, &HandshakeError{Reason: "negative ReadLimit, MaxFrameSize or MaxFragments"}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, &HandshakeError{Reason: "bad URL: " + err.Error()}
	}
	var secure bool
	switch u.Scheme {
	case "ws":
	case "wss":
		secure = true
	default:
		return nil, nil, &HandshakeError{Reason: "URL scheme must be ws or wss, not " + u.Scheme}
	}
	if u.User != nil {
		return nil, nil, &HandshakeError{Reason: "user information in the URL is not supported"}
	}
	host := u.Hostname()
	addr := u.Host
	if u.Port() == "" {
		port := "80"
		if secure {
			port = "443"
		}
		addr = net.JoinHostPort(host, port)
	}
	dial := opts.NetDialContext
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	nc, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	c, resp, err := handshake(ctx, nc, u, host, secure, opts)
	if err != nil {
		nc.Close()
		return nil, resp, err
	}
	return c, resp, nil
}

func handshake(ctx context.Context, nc net.Conn, u *url.URL, host string, secure bool, opts *DialOptions) (*Conn, *http.Response, error) {
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if secure {
		cfg := opts.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{}
		} else {
			cfg = cfg.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, nil, err
		}
		nc = tc
	}
	key, err := cgo.WebSocketKey()
	if err != nil {
		return nil, nil, errs.Wrap("websocket.Dial", err, nil)
	}
	var headers [][2]string
	for name, vals := range opts.HTTPHeader {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version",
			"Sec-Websocket-Extensions", "Sec-Websocket-Protocol":
			return nil, nil, &HandshakeError{Reason: "header " + name + " is set by Dial"}
		}
		for _, v := range vals {
			headers = append(headers, [2]string{name, v})
		}
	}
	cfg := cgo.WSConfig{
		Deflate:                  opts.EnableCompression,
		DeflateNoContextTakeover: opts.CompressionNoContextTakeover,
	}
	req, err := cgo.WSClientRequest(u.Host, u.RequestURI(), key, cfg, opts.Subprotocols, headers)
	if err != nil {
		return nil, nil, &HandshakeError{Reason: err.Error()}
	}
	if _, err := nc.Write(req); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, 4096)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet, URL: u})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, &HandshakeError{Reason: "reading the response: " + err.Error()}
	}
	deflate, reason := verifyResponse(resp, key, opts)
	if reason != "" {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		return nil, resp, &HandshakeError{Status: resp.StatusCode, Reason: reason}
	}
	resp.Body = http.NoBody
	var leftover []byte
	if n := br.Buffered(); n > 0 {
		leftover = make([]byte, n)
		io.ReadFull(br, leftover)
	}
	if !stop() {
		return nil, resp, ctx.Err()
	}
	nc.SetDeadline(time.Time{})
	c, err := newConn(nc, connConfig{
		maxFrameSize:   opts.MaxFrameSize,
		maxMessageSize: opts.ReadLimit,
		maxFragments:   opts.MaxFragments,
		deflate:        deflate,
		subprotocol:    resp.Header.Get("Sec-WebSocket-Protocol"),
		leftover:       leftover,
	})
	if err != nil {
		return nil, resp, err
	}
	return c, resp, nil
}

// verifyResponse returns the negotiated compression or why resp is not
// an acceptable answer to our request.
func verifyResponse(resp *http.Response, key string, opts *DialOptions) (cgo.WSDeflate, string) {
	var none cgo.WSDeflate
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return none, "redirect refused (Location: " + resp.Header.Get("Location") + ")"
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return none, "status is not 101"
	}
	if !headerHasToken(resp.Header, "Upgrade", "websocket") {
		return none, "Upgrade header is not websocket"
	}
	if !headerHasToken(resp.Header, "Connection", "upgrade") {
		return none, "Connection header lacks the upgrade token"
	}
	want, err := cgo.WebSocketAccept(key)
	if err != nil || resp.Header.Get("Sec-WebSocket-Accept") != want {
		return none, "Sec-WebSocket-Accept mismatch"
	}
	if sp := resp.Header.Values("Sec-WebSocket-Protocol"); len(sp) > 0 {
		ok := len(sp) == 1
		if ok {
			ok = false
			for _, s := range opts.Subprotocols {
				if s == sp[0] {
					ok = true
				}
			}
		}
		if !ok {
			return none, "subprotocol not offered"
		}
	}
	exts := resp.Header.Values("Sec-WebSocket-Extensions")
	if len(exts) == 0 {
		return none, ""
	}
	if !opts.EnableCompression {
		return none, "extension not offered"
	}
	d, ok, err := cgo.WSDeflateAccept(strings.Join(exts, ", "), cgo.WSConfig{
		Deflate: true, DeflateNoContextTakeover: opts.CompressionNoContextTakeover,
	})
	if err != nil || !ok {
		return none, "extension not offered or with invalid parameters"
	}
	return d, ""
}
