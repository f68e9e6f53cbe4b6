package websocket

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// Upgrader turns an HTTP/1.1 request inside any net/http handler into a
// WebSocket connection. The zero value accepts same-origin requests
// without subprotocols or compression.
type Upgrader struct {
	// Subprotocols the server speaks, in order of preference; the first
	// one the client also offers is chosen.
	Subprotocols []string
	// CheckOrigin decides whether the request's Origin is acceptable.
	// nil: accepted when there is no Origin header or its host equals
	// the request's Host.
	CheckOrigin func(r *http.Request) bool
	// EnableCompression accepts a permessage-deflate offer (context
	// takeover as the client asks, unless CompressionNoContextTakeover).
	EnableCompression            bool
	CompressionNoContextTakeover bool
	// ReadLimit is the largest message accepted (after decompression);
	// 0 means the library's 64 MiB. MaxFrameSize likewise (16 MiB).
	ReadLimit    int64
	MaxFrameSize int
	// MaxFragments caps the frames of one received message; 0 means
	// DefaultMaxFragments (gorilla writes 4 KiB frames by default, so a
	// 4 MiB message from it is 1024 frames: the C default of 1000 is too
	// low for Go peers).
	MaxFragments int
	// HandshakeTimeout bounds writing the 101 response (0: none).
	HandshakeTimeout time.Duration
	// Error writes the HTTP error response; nil: http.Error.
	Error func(w http.ResponseWriter, r *http.Request, status int, reason error)
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func headerTokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// IsWebSocketUpgrade reports whether r asks for a WebSocket upgrade.
func IsWebSocketUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

func (u *Upgrader) fail(w http.ResponseWriter, r *http.Request, status int, reason string) (*Conn, error) {
	err := &HandshakeError{Status: status, Reason: reason}
	w.Header().Set("Sec-WebSocket-Version", "13")
	if u.Error != nil {
		u.Error(w, r, status, err)
	} else {
		http.Error(w, http.StatusText(status), status)
	}
	return nil, err
}

// Upgrade validates r as an RFC 6455 opening handshake (GET, HTTP/1.1,
// Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Version 13, a
// key of 16 base64 bytes, the origin check), answers errors with 400,
// 403 or 426, negotiates the subprotocol and permessage-deflate (through
// the C negotiation), hijacks the connection and writes the 101 with
// respHeader added. Bytes the client sent behind its request (already in
// the server's buffer) become the connection's first input.
func (u *Upgrader) Upgrade(w http.ResponseWriter, r *http.Request, respHeader http.Header) (*Conn, error) {
	if u.ReadLimit < 0 || u.MaxFrameSize < 0 || u.MaxFragments < 0 {
		return u.fail(w, r, http.StatusInternalServerError, "negative ReadLimit, MaxFrameSize or MaxFragments")
	}
	if r.Method != http.MethodGet {
		return u.fail(w, r, http.StatusMethodNotAllowed, "method is not GET")
	}
	if !r.ProtoAtLeast(1, 1) {
		return u.fail(w, r, http.StatusBadRequest, "HTTP version below 1.1")
	}
	if !headerHasToken(r.Header, "Connection", "upgrade") {
		return u.fail(w, r, http.StatusBadRequest, "Connection header lacks the upgrade token")
	}
	if !headerHasToken(r.Header, "Upgrade", "websocket") {
		return u.fail(w, r, http.StatusBadRequest, "Upgrade header is not websocket")
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return u.fail(w, r, http.StatusUpgradeRequired, "Sec-WebSocket-Version is not 13")
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 {
		return u.fail(w, r, http.StatusBadRequest, "Sec-WebSocket-Key is not 16 bytes in base64")
	}
	check := u.CheckOrigin
	if check == nil {
		check = sameOrigin
	}
	if !check(r) {
		return u.fail(w, r, http.StatusForbidden, "origin not allowed")
	}
	subprotocol := ""
	offered := headerTokens(r.Header, "Sec-WebSocket-Protocol")
outer:
	for _, s := range u.Subprotocols {
		for _, o := range offered {
			if o == s {
				subprotocol = s
				break outer
			}
		}
	}
	var deflate cgo.WSDeflate
	if exts := r.Header.Values("Sec-WebSocket-Extensions"); u.EnableCompression && len(exts) > 0 {
		d, ok, err := cgo.WSDeflateNegotiate(strings.Join(exts, ", "), cgo.WSConfig{
			Server: true, Deflate: true, DeflateNoContextTakeover: u.CompressionNoContextTakeover,
		})
		if err != nil {
			return u.fail(w, r, http.StatusInternalServerError, err.Error())
		}
		if ok {
			deflate = d
		}
	}
	head, err := cgo.WSServerResponse(key, subprotocol, deflate)
	if err != nil {
		return u.fail(w, r, http.StatusBadRequest, err.Error())
	}
	if len(respHeader) > 0 {
		var extra bytes.Buffer
		for name, vals := range respHeader {
			if strings.ContainsAny(name, "\r\n:") {
				return u.fail(w, r, http.StatusInternalServerError, "bad response header name")
			}
			for _, v := range vals {
				if strings.ContainsAny(v, "\r\n") {
					return u.fail(w, r, http.StatusInternalServerError, "bad response header value")
				}
				extra.WriteString(name + ": " + v + "\r\n")
			}
		}
		head = append(head[:len(head)-2], append(extra.Bytes(), '\r', '\n')...)
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		return u.fail(w, r, http.StatusInternalServerError, "response writer does not support hijacking")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, &HandshakeError{Reason: "hijack: " + err.Error()}
	}
	var leftover []byte
	if n := brw.Reader.Buffered(); n > 0 {
		leftover = make([]byte, n)
		brw.Reader.Read(leftover)
	}
	if u.HandshakeTimeout > 0 {
		nc.SetWriteDeadline(time.Now().Add(u.HandshakeTimeout))
	}
	if _, err := nc.Write(head); err != nil {
		nc.Close()
		return nil, &HandshakeError{Reason: "writing the 101 response: " + err.Error()}
	}
	if u.HandshakeTimeout > 0 {
		nc.SetWriteDeadline(time.Time{})
	}
	nc.SetDeadline(time.Time{})
	c, err := newConn(nc, connConfig{
		server:         true,
		maxFrameSize:   u.MaxFrameSize,
		maxMessageSize: u.ReadLimit,
		maxFragments:   u.MaxFragments,
		deflate:        deflate,
		subprotocol:    subprotocol,
		leftover:       leftover,
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}
