package cgo

/*
#include <stdlib.h>
#include "shim_tls.h"

#cgo nocallback go_SocketTLSContext_free
#cgo nocallback go_SocketTLSContext_stats
#cgo nocallback go_SocketTLSContext_refresh_crl
#cgo noescape go_SocketTLSContext_refresh_crl
#cgo noescape go_SocketTLSContext_stats
#cgo nocallback go_SocketTLS_enable
#cgo noescape go_SocketTLS_enable
#cgo nocallback go_SocketTLS_send
#cgo noescape go_SocketTLS_send
#cgo nocallback go_SocketTLS_recv
#cgo noescape go_SocketTLS_recv
#cgo nocallback go_SocketTLS_close_notify
#cgo noescape go_SocketTLS_close_notify
#cgo nocallback go_SocketTLS_state
#cgo noescape go_SocketTLS_state
#cgo nocallback go_SocketTLS_peer_chain
#cgo nocallback go_SocketTLS_ocsp_response
#cgo noescape go_SocketTLS_ocsp_response
#cgo noescape go_SocketTLS_peer_chain
#cgo nocallback go_SocketDTLS_peer_chain
#cgo noescape go_SocketDTLS_peer_chain

#cgo nocallback go_SocketDTLSContext_free
#cgo nocallback go_SocketDTLS_dial
#cgo noescape go_SocketDTLS_dial
#cgo nocallback go_SocketDTLS_listen_open
#cgo noescape go_SocketDTLS_listen_open
#cgo nocallback go_SocketDTLS_accept
#cgo noescape go_SocketDTLS_accept
#cgo nocallback go_SocketDTLS_send
#cgo noescape go_SocketDTLS_send
#cgo nocallback go_SocketDTLS_recv
#cgo noescape go_SocketDTLS_recv
#cgo nocallback go_SocketDTLS_shutdown
#cgo noescape go_SocketDTLS_shutdown
#cgo nocallback go_SocketDTLS_state
#cgo noescape go_SocketDTLS_state
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

// Context constructors and handshake steps may log or run library
// callbacks, so they are plain cgo calls; the I/O shims are nocallback.

// cConfig is a GoTLSConfig whose strings and buffers live in C memory
// (so the struct itself may be passed from Go memory); free releases
// them.
type cConfig struct {
	c     C.GoTLSConfig
	alloc []unsafe.Pointer
}

func (cc *cConfig) str(s string) *C.char {
	if s == "" {
		return nil
	}
	p := C.CString(s)
	cc.alloc = append(cc.alloc, unsafe.Pointer(p))
	return p
}

func (cc *cConfig) bytes(b []byte) *C.uchar {
	if len(b) == 0 {
		return nil
	}
	p := C.CBytes(b)
	cc.alloc = append(cc.alloc, p)
	return (*C.uchar)(p)
}

func (cc *cConfig) free() {
	for _, p := range cc.alloc {
		C.free(p)
	}
	cc.alloc = nil
}

func newCConfig(cfg *TLSConfig) *cConfig {
	cc := &cConfig{}
	c := &cc.c
	c.server = cBool(cfg.Server)
	c.cert_file = cc.str(cfg.CertFile)
	c.key_file = cc.str(cfg.KeyFile)
	c.ca_file = cc.str(cfg.CAFile)
	c.ciphers = cc.str(cfg.Ciphers)
	if len(cfg.ALPN) > 0 {
		c.alpn = cc.str(strings.Join(cfg.ALPN, "\x00") + "\x00")
		c.alpn_count = C.int(len(cfg.ALPN))
	}
	c.verify_mode = C.int(cfg.VerifyMode)
	c.min_version = C.int(cfg.MinVersion)
	c.max_version = C.int(cfg.MaxVersion)
	c.session_cache = cBool(cfg.SessionCache)
	c.cache_size = C.size_t(cfg.CacheSize)
	c.cache_timeout = C.long(cfg.CacheTimeoutSec)
	c.ticket_key = cc.bytes(cfg.TicketKey)
	c.ticket_key_len = C.size_t(len(cfg.TicketKey))
	if len(cfg.Pins) > 0 {
		flat := make([]byte, 0, 32*len(cfg.Pins))
		for _, p := range cfg.Pins {
			flat = append(flat, p[:]...)
		}
		c.pins = cc.bytes(flat)
		c.pin_count = C.size_t(len(cfg.Pins))
	}
	c.pin_enforce = C.int(cfg.PinEnforce)
	if len(cfg.SNI) > 0 {
		var b strings.Builder
		for _, s := range cfg.SNI {
			b.WriteString(s.Host + "\x00" + s.CertFile + "\x00" + s.KeyFile + "\x00")
		}
		c.sni = cc.str(b.String())
		c.sni_count = C.int(len(cfg.SNI))
	}
	c.crl_path = cc.str(cfg.CRLPath)
	c.ocsp = cc.bytes(cfg.OCSPResponse)
	c.ocsp_len = C.size_t(len(cfg.OCSPResponse))
	c.verify_handle = C.uintptr_t(cfg.VerifyHandle)
	c.alpn_handle = C.uintptr_t(cfg.ALPNHandle)
	c.cookie_exchange = cBool(cfg.CookieExchange)
	c.cookie_secret = cc.bytes(cfg.CookieSecret)
	c.cookie_secret_len = C.size_t(len(cfg.CookieSecret))
	if len(cfg.CertPEM) > 0 {
		c.cert_pem = cc.str(string(cfg.CertPEM))
		c.cert_pem_len = C.size_t(len(cfg.CertPEM))
		c.key_pem = cc.str(string(cfg.KeyPEM))
		c.key_pem_len = C.size_t(len(cfg.KeyPEM))
	}
	if len(cfg.CAPEM) > 0 {
		c.ca_pem = cc.str(string(cfg.CAPEM))
		c.ca_pem_len = C.size_t(len(cfg.CAPEM))
	}
	if len(cfg.SNIPEM) > 0 {
		var b strings.Builder
		for _, s := range cfg.SNIPEM {
			b.WriteString(s.Host + "\x00" + string(s.CertPEM) + "\x00" + string(s.KeyPEM) + "\x00")
		}
		c.sni_pem = cc.str(b.String())
		c.sni_pem_count = C.int(len(cfg.SNIPEM))
	}
	c.mtu = C.int(cfg.MTU)
	c.timeout_initial_ms = C.int(cfg.TimeoutInitialMS)
	c.timeout_max_ms = C.int(cfg.TimeoutMaxMS)
	return cc
}

func tlsState(s *C.GoTLSState) TLSState {
	return TLSState{
		Complete:     s.complete != 0,
		Version:      uint16(s.version),
		VersionName:  goStringN(s.version_name[:]),
		CipherID:     uint16(s.cipher_id),
		Cipher:       goStringN(s.cipher[:]),
		ALPN:         goStringN(s.alpn[:]),
		Resumed:      s.resumed != 0,
		VerifyResult: int(s.verify_result),
		OCSPStatus:   int(s.ocsp_status),
		ServerName:   goStringN(s.server_name[:]),
	}
}

func (c TLSContext) c() *C.struct_SocketTLSContext_T { return (*C.struct_SocketTLSContext_T)(c.p) }

func (c DTLSContext) c() *C.struct_SocketDTLSContext_T {
	return (*C.struct_SocketDTLSContext_T)(c.p)
}

// NewTLSContext builds a TLS context from cfg in one call.
func NewTLSContext(cfg *TLSConfig) (TLSContext, error) {
	cc := newCConfig(cfg)
	defer cc.free()
	var out *C.struct_SocketTLSContext_T
	var e C.GoErr
	if C.go_SocketTLSContext_new(&cc.c, &out, &e) != 0 {
		return TLSContext{}, goError(&e)
	}
	return TLSContext{unsafe.Pointer(out)}, nil
}

// Free drops the caller's reference; connections keep their own.
func (c TLSContext) Free() { C.go_SocketTLSContext_free(c.c()) }

// RefreshCRL replaces the context's CRLs by those at path; connections
// made meanwhile keep being checked.
func (c TLSContext) RefreshCRL(path string) error {
	var e C.GoErr
	if C.go_SocketTLSContext_refresh_crl(c.c(), stringPtr(path), C.size_t(len(path)), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// Stats returns the session cache counters.
func (c TLSContext) Stats() (hits, misses, stores uint64, err error) {
	var h, m, s C.size_t
	var e C.GoErr
	if C.go_SocketTLSContext_stats(c.c(), &h, &m, &s, &e) != 0 {
		return 0, 0, 0, goError(&e)
	}
	return uint64(h), uint64(m), uint64(s), nil
}

// TLSEnable attaches TLS to the connected socket; serverName ("" = none)
// is the client's SNI and verification name.
func (s Socket) TLSEnable(ctx TLSContext, serverName string) error {
	var e C.GoErr
	if C.go_SocketTLS_enable(s.c(), ctx.c(), stringPtr(serverName), C.size_t(len(serverName)), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// TLSHandshake runs one handshake step and returns the TLSHandshakeState
// (TLSWantRead, TLSWantWrite or TLSComplete).
func (s Socket) TLSHandshake() (int, error) {
	var st C.int
	var e C.GoErr
	if C.go_SocketTLS_handshake(s.c(), &st, &e) != 0 {
		return 0, goError(&e)
	}
	return int(st), nil
}

// TLSSend encrypts and sends what fits now; 0 means it would block.
func (s Socket) TLSSend(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_SocketTLS_send(s.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// TLSRecv returns decrypted bytes; 0 means nothing is buffered and the
// socket would block. End of stream is the exception Socket_Closed.
func (s Socket) TLSRecv(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_SocketTLS_recv(s.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// TLSCloseNotify sends close_notify if it fits in the send buffer now;
// sent reports whether it went out (now or earlier).
func (s Socket) TLSCloseNotify() (sent bool, err error) {
	var ok C.int
	var e C.GoErr
	if C.go_SocketTLS_close_notify(s.c(), &ok, &e) != 0 {
		return false, goError(&e)
	}
	return ok != 0, nil
}

// TLSState returns the negotiated parameters.
func (s Socket) TLSState() (TLSState, error) {
	var st C.GoTLSState
	var e C.GoErr
	if C.go_SocketTLS_state(s.c(), &st, &e) != 0 {
		return TLSState{}, goError(&e)
	}
	return tlsState(&st), nil
}

// maxPeerCerts bounds the certificates read from a peer chain.
const maxPeerCerts = 16

// chainBufs holds scratch buffers for peerChain (C writes into them).
var chainBufs = sync.Pool{New: func() any { b := make([]byte, 8192); return &b }}

// peerChain runs one peer_chain shim into a scratch buffer (a larger one
// if the chain needs it) and returns copies of the certificates.
func peerChain(call func(buf *C.uchar, cap C.size_t, lens *C.int, count *C.int, need *C.size_t, e *C.GoErr) C.int) ([][]byte, error) {
	var lens [maxPeerCerts]C.int
	bp := chainBufs.Get().(*[]byte)
	defer chainBufs.Put(bp)
	buf := *bp
	for {
		var count C.int
		var need C.size_t
		var e C.GoErr
		if call((*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &lens[0], &count, &need, &e) != 0 {
			return nil, goError(&e)
		}
		if int(need) > len(buf) {
			buf = make([]byte, int(need))
			continue
		}
		if count == 0 {
			return nil, nil
		}
		all := append([]byte(nil), buf[:int(need)]...)
		out := make([][]byte, int(count))
		off := 0
		for i := range out {
			n := int(lens[i])
			out[i] = all[off : off+n : off+n]
			off += n
		}
		return out, nil
	}
}

// TLSPeerChain returns the peer's certificates (DER): as sent (leaf
// first) or, with verified, the chain OpenSSL verified (leaf to anchor).
func (s Socket) TLSPeerChain(verified bool) ([][]byte, error) {
	return peerChain(func(buf *C.uchar, cap C.size_t, lens, count *C.int, need *C.size_t, e *C.GoErr) C.int {
		return C.go_SocketTLS_peer_chain(s.c(), C.int(cBool(verified)), buf, cap, lens, maxPeerCerts, count, need, e)
	})
}

// TLSOCSPResponse returns the OCSP response a client received (DER), or
// nil if none.
func (s Socket) TLSOCSPResponse() ([]byte, error) {
	bp := chainBufs.Get().(*[]byte)
	defer chainBufs.Put(bp)
	buf := *bp
	for {
		var n C.ssize_t
		var e C.GoErr
		if C.go_SocketTLS_ocsp_response(s.c(), (*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &n, &e) != 0 {
			return nil, goError(&e)
		}
		switch {
		case n < 0:
			return nil, nil
		case int(n) > len(buf):
			buf = make([]byte, int(n))
		default:
			return append([]byte(nil), buf[:int(n)]...), nil
		}
	}
}

// DTLSPeerChain is TLSPeerChain for DTLS.
func (d Dgram) DTLSPeerChain(verified bool) ([][]byte, error) {
	return peerChain(func(buf *C.uchar, cap C.size_t, lens, count *C.int, need *C.size_t, e *C.GoErr) C.int {
		return C.go_SocketDTLS_peer_chain(d.c(), C.int(cBool(verified)), buf, cap, lens, maxPeerCerts, count, need, e)
	})
}

// NewDTLSContext builds a DTLS context from cfg in one call.
func NewDTLSContext(cfg *TLSConfig) (DTLSContext, error) {
	cc := newCConfig(cfg)
	defer cc.free()
	var out *C.struct_SocketDTLSContext_T
	var e C.GoErr
	if C.go_SocketDTLSContext_new(&cc.c, &out, &e) != 0 {
		return DTLSContext{}, goError(&e)
	}
	return DTLSContext{unsafe.Pointer(out)}, nil
}

// Free drops the caller's reference; sockets keep their own.
func (c DTLSContext) Free() { C.go_SocketDTLSContext_free(c.c()) }

// DTLSDial opens a non-blocking DTLS client socket connected to the
// numeric host and port; serverName ("" = host) is checked against the
// certificate.
func DTLSDial(domain int, host string, port int, ctx DTLSContext, serverName string) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_SocketDTLS_dial(C.int(domain), stringPtr(host), C.size_t(len(host)), C.int(port), ctx.c(),
		stringPtr(serverName), C.size_t(len(serverName)), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// DTLSListen opens a non-blocking DTLS server socket with SO_REUSEADDR,
// bound to the numeric host ("" = any) and port unless bind is false (a
// successor for DTLSAccept to bind).
func DTLSListen(domain int, host string, port int, bind bool, ctx DTLSContext) (SockInfo, error) {
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_SocketDTLS_listen_open(C.int(domain), stringPtr(host), C.size_t(len(host)), C.int(port), cBool(bind),
		ctx.c(), &i, &e) != 0 {
		return SockInfo{PollFD: -1}, goError(&e)
	}
	return sockInfo(&i), nil
}

// DTLSAccept runs one SocketDTLS_listen step. On DTLSInProgress the
// socket is now connected to the client described in info, and next (an
// unbound socket from DTLSListen, or the zero Dgram) has been bound to
// host and port in the same call if nextBound.
func (d Dgram) DTLSAccept(next Dgram, host string, port int) (state int, nextBound bool, info SockInfo, err error) {
	var st, nb C.int
	var i C.GoSockInfo
	var e C.GoErr
	if C.go_SocketDTLS_accept(d.c(), next.c(), stringPtr(host), C.size_t(len(host)), C.int(port), &st, &nb,
		&i, &e) != 0 {
		return 0, false, SockInfo{PollFD: -1}, goError(&e)
	}
	return int(st), nb != 0, sockInfo(&i), nil
}

// DTLSHandshake runs one handshake step (retransmitting first if the
// timer ran out) and returns the DTLSHandshakeState and the milliseconds
// left on the retransmission timer (-1: none).
func (d Dgram) DTLSHandshake() (state, timerMS int, err error) {
	var st, t C.int
	var e C.GoErr
	if C.go_SocketDTLS_handshake(d.c(), &st, &t, &e) != 0 {
		return 0, -1, goError(&e)
	}
	return int(st), int(t), nil
}

// DTLSSend sends b as one record; 0 means it would block.
func (d Dgram) DTLSSend(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_SocketDTLS_send(d.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// DTLSRecv receives (part of) one record; 0 means nothing is queued.
func (d Dgram) DTLSRecv(b []byte) (int, error) {
	var n C.ssize_t
	var e C.GoErr
	if len(b) == 0 {
		return 0, nil
	}
	if C.go_SocketDTLS_recv(d.c(), unsafe.Pointer(&b[0]), C.size_t(len(b)), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// DTLSShutdown sends close_notify (if the handshake completed).
func (d Dgram) DTLSShutdown() error {
	var e C.GoErr
	if C.go_SocketDTLS_shutdown(d.c(), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// DTLSState returns the negotiated parameters.
func (d Dgram) DTLSState() (TLSState, error) {
	var st C.GoTLSState
	var e C.GoErr
	if C.go_SocketDTLS_state(d.c(), &st, &e) != 0 {
		return TLSState{}, goError(&e)
	}
	return tlsState(&st), nil
}
