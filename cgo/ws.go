package cgo

/*
#include <stdlib.h>
#include "shim_ws.h"

#cgo nocallback go_ws_new
#cgo noescape go_ws_new
#cgo nocallback go_ws_free
#cgo nocallback go_ws_input_space
#cgo noescape go_ws_input_space
#cgo nocallback go_ws_read
#cgo noescape go_ws_read
#cgo nocallback go_ws_send
#cgo noescape go_ws_send
#cgo nocallback go_ws_state
#cgo nocallback go_ws_set_deflate_level
#cgo noescape go_ws_set_deflate_level
#cgo noescape go_ws_state
#cgo nocallback go_ws_client_request
#cgo noescape go_ws_client_request
#cgo nocallback go_ws_deflate_negotiate
#cgo noescape go_ws_deflate_negotiate
#cgo nocallback go_ws_deflate_accept
#cgo noescape go_ws_deflate_accept
#cgo nocallback go_ws_server_response
#cgo noescape go_ws_server_response
*/
import "C"

import (
	"errors"
	"strings"
	"sync"
	"unsafe"
)

// WSCodec owns one WebSocket codec without I/O (SocketWSExt_Codec_T).
// The caller reads the peer's bytes into InputSpace, pulls events with
// Read and queues frames with Send, which hands back the bytes to write.
// The C object is single-threaded; the wrapper serialises calls.
type WSCodec struct {
	own Owner[*C.GoWS]
	mu  sync.Mutex
}

func wsConfig(cfg *WSConfig) C.GoWSConfig {
	return C.GoWSConfig{
		server:                      cBool(cfg.Server),
		max_frame_size:              C.size_t(cfg.MaxFrameSize),
		max_message_size:            C.size_t(cfg.MaxMessageSize),
		max_fragments:               C.size_t(cfg.MaxFragments),
		validate_utf8:               cBool(cfg.ValidateUTF8),
		deflate:                     cBool(cfg.Deflate),
		deflate_no_context_takeover: cBool(cfg.DeflateNoContextTakeover),
		deflate_max_window_bits:     C.int(cfg.DeflateMaxWindowBits),
		params:                      deflateToC(cfg.Params),
	}
}

func deflateToC(d WSDeflate) C.SocketWSExt_Deflate {
	return C.SocketWSExt_Deflate{
		enabled:                    cBool(d.Enabled),
		server_no_context_takeover: cBool(d.ServerNoContextTakeover),
		client_no_context_takeover: cBool(d.ClientNoContextTakeover),
		server_max_window_bits:     C.int(d.ServerMaxWindowBits),
		client_max_window_bits:     C.int(d.ClientMaxWindowBits),
	}
}

func deflateFromC(d *C.SocketWSExt_Deflate) WSDeflate {
	return WSDeflate{
		Enabled:                 d.enabled != 0,
		ServerNoContextTakeover: d.server_no_context_takeover != 0,
		ClientNoContextTakeover: d.client_no_context_takeover != 0,
		ServerMaxWindowBits:     int(d.server_max_window_bits),
		ClientMaxWindowBits:     int(d.client_max_window_bits),
	}
}

// NewWSCodec creates a codec for the role and negotiated parameters in
// cfg (cfg.Params; the handshake fields are not used).
func NewWSCodec(cfg WSConfig) (*WSCodec, error) {
	g := wsConfig(&cfg)
	var p *C.GoWS
	var e C.GoErr
	if C.go_ws_new(&g, &p, &e) != 0 {
		return nil, goError(&e)
	}
	w := &WSCodec{}
	Own(w, &w.own, WSCodecs, p, freeWS)
	return w, nil
}

func freeWS(p *C.GoWS) { C.go_ws_free(p) }

// Close frees the codec; idempotent. It waits for calls in progress.
func (w *WSCodec) Close() { w.own.Close() }

func (w *WSCodec) use(fn func(*C.GoWS) error) error {
	return w.own.Use(func(p *C.GoWS) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		return fn(p)
	})
}

// InputSpace returns the codec's free input space, C memory to read the
// peer's bytes into. It stays valid until the next Read or InputSpace,
// and only until Close: the caller must not Close while reading into it.
// Only the reading goroutine may use it; Send does not touch it.
func (w *WSCodec) InputSpace() ([]byte, error) {
	var buf []byte
	err := w.use(func(p *C.GoWS) error {
		var ptr unsafe.Pointer
		var space C.size_t
		var e C.GoErr
		if C.go_ws_input_space(p, &ptr, &space, &e) != 0 {
			return goError(&e)
		}
		if space > 0 {
			buf = unsafe.Slice((*byte)(ptr), int(space))
		}
		return nil
	})
	return buf, err
}

// Read commits the first commit bytes of the last InputSpace as received
// and pulls events, copying message bytes into dst. Control payloads are
// copied into r.Data.
func (w *WSCodec) Read(commit int, dst []byte) (r WSRead, err error) {
	err = w.use(func(p *C.GoWS) error {
		var cr C.GoWSRead
		var e C.GoErr
		var dp *C.uchar
		if len(dst) > 0 {
			dp = (*C.uchar)(unsafe.Pointer(&dst[0]))
		}
		if C.go_ws_read(p, C.size_t(commit), dp, C.size_t(len(dst)), &cr, &e) != 0 {
			return goError(&e)
		}
		r = WSRead{
			Start:     int(cr.start),
			Copied:    int(cr.copied),
			End:       cr.end != 0,
			More:      cr.more != 0,
			NeedInput: cr.need_input != 0,
			Done:      cr.done != 0,
			Event:     int(cr.event),
			CloseCode: int(cr.close_code),
			Error:     int(cr.error),
		}
		if cr.event != 0 && cr.len > 0 {
			r.Data = C.GoBytes(unsafe.Pointer(cr.data), C.int(cr.len))
		}
		return nil
	})
	return r, err
}

// Send queues op (see WSSend*) with arg and data, then moves up to
// len(dst) bytes of queued output into dst: n bytes copied, pending bytes
// left in the codec (take them with WSSendFlush). wserr is the
// SocketWS_Error of the operation.
func (w *WSCodec) Send(op, arg int, data, dst []byte) (n, pending, wserr int, err error) {
	err = w.use(func(p *C.GoWS) error {
		var cn, cpend C.size_t
		var cerr C.int
		var e C.GoErr
		var dp, op2 *C.uchar
		if len(data) > 0 {
			dp = (*C.uchar)(unsafe.Pointer(&data[0]))
		}
		if len(dst) > 0 {
			op2 = (*C.uchar)(unsafe.Pointer(&dst[0]))
		}
		if C.go_ws_send(p, C.int(op), C.int(arg), dp, C.size_t(len(data)), op2, C.size_t(len(dst)),
			&cn, &cpend, &cerr, &e) != 0 {
			return goError(&e)
		}
		n, pending, wserr = int(cn), int(cpend), int(cerr)
		return nil
	})
	return n, pending, wserr, err
}

// State returns the close state.
func (w *WSCodec) State() (s WSState, err error) {
	err = w.use(func(p *C.GoWS) error {
		var sent, recv, code, wserr C.int
		var reason [128]C.char
		var e C.GoErr
		if C.go_ws_state(p, &sent, &recv, &code, &reason[0], C.size_t(len(reason)), &wserr, &e) != 0 {
			return goError(&e)
		}
		s = WSState{sent != 0, recv != 0, int(code), C.GoString(&reason[0]), int(wserr)}
		return nil
	})
	return s, err
}

// SetDeflateLevel sets the zlib level (-1 default, 0..9) of the messages
// sent from now on; false when deflate is not in use, a streamed send
// is open or the level is out of range.
func (w *WSCodec) SetDeflateLevel(level int) (ok bool, err error) {
	err = w.use(func(p *C.GoWS) error {
		var cok C.int
		var e C.GoErr
		if C.go_ws_set_deflate_level(p, C.int(level), &cok, &e) != 0 {
			return goError(&e)
		}
		ok = cok != 0
		return nil
	})
	return ok, err
}

// nulList joins strs as NUL-terminated strings; false if one holds a NUL.
func nulList(strs []string) (string, bool) {
	var b strings.Builder
	for _, s := range strs {
		if strings.IndexByte(s, 0) >= 0 {
			return "", false
		}
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteByte(0)
	return b.String(), true
}

var errWSNul = errors.New("websocket: NUL byte in a handshake value")

// WSClientRequest builds the client's upgrade request
// (SocketWSExt_client_request) with the subprotocols and the
// permessage-deflate offer of cfg and headers as name/value pairs.
func WSClientRequest(host, path, key string, cfg WSConfig, subprotocols []string, headers [][2]string) ([]byte, error) {
	subs, ok1 := nulList(subprotocols)
	flat := make([]string, 0, 2*len(headers))
	for _, h := range headers {
		flat = append(flat, h[0], h[1])
	}
	hdrs, ok2 := nulList(flat)
	cHost, ok3 := nulList([]string{host})
	cPath, ok4 := nulList([]string{path})
	cKey, ok5 := nulList([]string{key})
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil, errWSNul
	}
	g := wsConfig(&cfg)
	buf := make([]byte, WSMaxHandshake)
	var n C.ssize_t
	var e C.GoErr
	cs := func(s string) *C.char { return (*C.char)(unsafe.Pointer(unsafe.StringData(s))) }
	if C.go_ws_client_request((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), cs(cHost), cs(cPath), cs(cKey), &g,
		cs(subs), C.int(len(subprotocols)), cs(hdrs), C.int(len(headers)), &n, &e) != 0 {
		return nil, goError(&e)
	}
	if n < 0 {
		return nil, errors.New("websocket: request refused (bad characters in host, path or headers, or too large)")
	}
	return buf[:n], nil
}

// WSDeflateNegotiate answers a client's Sec-WebSocket-Extensions offer
// as a server configured by cfg; ok is false when declined.
func WSDeflateNegotiate(offer string, cfg WSConfig) (d WSDeflate, ok bool, err error) {
	return wsDeflate(offer, cfg, false)
}

// WSDeflateAccept checks a server's Sec-WebSocket-Extensions answer to
// the offer of cfg; ok is false when it is not acceptable.
func WSDeflateAccept(response string, cfg WSConfig) (d WSDeflate, ok bool, err error) {
	return wsDeflate(response, cfg, true)
}

func wsDeflate(s string, cfg WSConfig, client bool) (WSDeflate, bool, error) {
	cstr, good := nulList([]string{s})
	if !good {
		return WSDeflate{}, false, nil
	}
	g := wsConfig(&cfg)
	var out C.SocketWSExt_Deflate
	var ok C.int
	var e C.GoErr
	p := (*C.char)(unsafe.Pointer(unsafe.StringData(cstr)))
	var rc C.int
	if client {
		rc = C.go_ws_deflate_accept(p, &g, &ok, &out, &e)
	} else {
		rc = C.go_ws_deflate_negotiate(p, &g, &ok, &out, &e)
	}
	if rc != 0 {
		return WSDeflate{}, false, goError(&e)
	}
	return deflateFromC(&out), ok != 0, nil
}

// WSServerResponse builds the 101 response head for key, the chosen
// subprotocol ("" for none) and deflate parameters.
func WSServerResponse(key, subprotocol string, d WSDeflate) ([]byte, error) {
	cKey, ok1 := nulList([]string{key})
	cSub, ok2 := nulList([]string{subprotocol})
	if !ok1 || !ok2 {
		return nil, errWSNul
	}
	cd := deflateToC(d)
	buf := make([]byte, WSMaxHandshake)
	var n C.ssize_t
	var e C.GoErr
	var sub *C.char
	if subprotocol != "" {
		sub = (*C.char)(unsafe.Pointer(unsafe.StringData(cSub)))
	}
	if C.go_ws_server_response((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)),
		(*C.char)(unsafe.Pointer(unsafe.StringData(cKey))), sub, &cd, &n, &e) != 0 {
		return nil, goError(&e)
	}
	if n < 0 {
		return nil, errors.New("websocket: bad Sec-WebSocket-Key")
	}
	return buf[:n], nil
}
