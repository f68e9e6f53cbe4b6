package cgo

/*
#include "shim_proxy.h"

#cgo nocallback go_SocketProxyExt_handshake_new
#cgo noescape go_SocketProxyExt_handshake_new
#cgo nocallback go_SocketProxyExt_handshake_free
#cgo nocallback go_SocketProxyExt_handshake_output
#cgo noescape go_SocketProxyExt_handshake_output
#cgo nocallback go_SocketProxyExt_handshake_sent
#cgo noescape go_SocketProxyExt_handshake_sent
#cgo nocallback go_SocketProxyExt_handshake_input
#cgo noescape go_SocketProxyExt_handshake_input
#cgo nocallback go_SocketProxyExt_handshake_status
#cgo noescape go_SocketProxyExt_handshake_status
#cgo nocallback go_SocketProxy_result_string
#cgo nocallback go_SocketProxy_state_string
#cgo nocallback go_SocketProxy_type_string
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

// Each line fails to compile unless the Go constant equals the C value.
var (
	_ = [1]struct{}{}[ProxyHTTP-C.SOCKET_PROXY_HTTP]
	_ = [1]struct{}{}[ProxyHTTPS-C.SOCKET_PROXY_HTTPS]
	_ = [1]struct{}{}[ProxySOCKS4-C.SOCKET_PROXY_SOCKS4]
	_ = [1]struct{}{}[ProxySOCKS4A-C.SOCKET_PROXY_SOCKS4A]
	_ = [1]struct{}{}[ProxySOCKS5-C.SOCKET_PROXY_SOCKS5]
	_ = [1]struct{}{}[ProxySOCKS5H-C.SOCKET_PROXY_SOCKS5H]
	_ = [1]struct{}{}[ProxyInProgress-C.PROXY_IN_PROGRESS]
	_ = [1]struct{}{}[ProxyErrorAuthRequired-C.PROXY_ERROR_AUTH_REQUIRED]
	_ = [1]struct{}{}[ProxyErrorRefused-C.PROXY_ERROR_CONNECTION_REFUSED]
	_ = [1]struct{}{}[ProxyErrorCancelled-C.PROXY_ERROR_CANCELLED]
	_ = [1]struct{}{}[ProxyStateHandshakeSend-C.PROXY_STATE_HANDSHAKE_SEND]
	_ = [1]struct{}{}[ProxyStateCancelled-C.PROXY_STATE_CANCELLED]
	_ = [1]struct{}{}[ProxyMaxHTTPHead-C.SOCKET_PROXYEXT_MAX_HTTP_HEAD]
	_ = [1]struct{}{}[ProxyMaxNameLen-C.SOCKET_PROXY_MAX_HOSTNAME_LEN]
	_ = [1]struct{}{}[proxyDefaultSOCKSPort-C.SOCKET_PROXY_DEFAULT_SOCKS_PORT]
	_ = [1]struct{}{}[proxyDefaultHTTPPort-C.SOCKET_PROXY_DEFAULT_HTTP_PORT]
	_ = [1]struct{}{}[proxyDefaultHTTPSPort-C.SOCKET_PROXY_DEFAULT_HTTPS_PORT]
)

// ProxyHandshake owns one C SocketProxyExt_Handshake_T: the proxy
// handshake as a codec without I/O, run by the caller over its own
// connection. The C object is single-threaded; the wrapper serialises
// calls.
type ProxyHandshake struct {
	own Owner[C.SocketProxyExt_Handshake_T]
	mu  sync.Mutex
}

// cstrings copies ss into one NUL-separated buffer (Go memory without
// pointers, lent to C for one call) and returns a pointer per string,
// nil for the entries whose keep is false, and the buffer (to clear).
func cstrings(ss []string, keep []bool) ([]*C.char, []byte, error) {
	n := 0
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, nil, &Error{Code: CodeFailed, Exception: "SocketProxy_Failed", Reason: "proxy string holds a NUL byte"}
		}
		n += len(s) + 1
	}
	buf := make([]byte, n) // never reallocated: the pointers stay valid
	ptrs := make([]*C.char, len(ss))
	off := 0
	for i, s := range ss {
		if keep[i] {
			ptrs[i] = (*C.char)(unsafe.Pointer(&buf[off]))
		}
		off += copy(buf[off:], s) + 1 // buf[off-1] stays 0
	}
	return ptrs, buf, nil
}

// NewProxyHandshake starts a handshake through the proxy cfg to
// host:port; its first request is ready in Output. A request that cannot
// be built for the proxy type gives a handshake already failed (see
// Status); invalid arguments (no type, empty or over-long target, port
// outside 1..65535) give SocketProxy_Failed.
func NewProxyHandshake(cfg ProxyConfig, host string, port int) (*ProxyHandshake, error) {
	ptrs, buf, err := cstrings(
		[]string{cfg.Host, cfg.Username, cfg.Password, host},
		[]bool{true, cfg.Username != "", cfg.Username != "" && cfg.HasPassword, true})
	if err != nil {
		return nil, err
	}
	defer clear(buf) // C copied the credentials
	var hs C.SocketProxyExt_Handshake_T
	var e C.GoErr
	if C.go_SocketProxyExt_handshake_new(C.int(cfg.Type), ptrs[0], C.int(cfg.Port), ptrs[1], ptrs[2],
		ptrs[3], C.int(port), &hs, &e) != 0 {
		return nil, goError(&e)
	}
	h := &ProxyHandshake{}
	Own(h, &h.own, ProxyHandshakes, hs, freeProxyHandshake)
	return h, nil
}

func freeProxyHandshake(hs C.SocketProxyExt_Handshake_T) { C.go_SocketProxyExt_handshake_free(hs) }

// Close frees the handshake (and wipes its copy of the credentials);
// idempotent.
func (h *ProxyHandshake) Close() { h.own.Close() }

func (h *ProxyHandshake) use(fn func(C.SocketProxyExt_Handshake_T) error) error {
	return h.own.Use(func(hs C.SocketProxyExt_Handshake_T) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		return fn(hs)
	})
}

// Output appends the bytes to write to the proxy now to dst (nothing
// when the handshake waits for input or is complete).
func (h *ProxyHandshake) Output(dst []byte) ([]byte, error) {
	err := h.use(func(hs C.SocketProxyExt_Handshake_T) error {
		var p *C.uchar
		var n C.size_t
		var e C.GoErr
		if C.go_SocketProxyExt_handshake_output(hs, &p, &n, &e) != 0 {
			return goError(&e)
		}
		if n > 0 {
			dst = append(dst, unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))...)
		}
		return nil
	})
	return dst, err
}

// Sent records that the first n output bytes were written.
func (h *ProxyHandshake) Sent(n int) error {
	return h.use(func(hs C.SocketProxyExt_Handshake_T) error {
		var e C.GoErr
		if C.go_SocketProxyExt_handshake_sent(hs, C.size_t(n), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// Input feeds bytes read from the proxy (empty: the proxy closed) and
// returns the result after them and how many were used; after ProxyOK
// the rest of b belongs to the tunnel.
func (h *ProxyHandshake) Input(b []byte) (result, consumed int, err error) {
	err = h.use(func(hs C.SocketProxyExt_Handshake_T) error {
		n := len(b) // 0: the proxy closed
		b = nonEmpty(b)
		var used C.size_t
		var r C.int
		var e C.GoErr
		if C.go_SocketProxyExt_handshake_input(hs, (*C.uchar)(unsafe.Pointer(&b[0])), C.size_t(n), &used, &r, &e) != 0 {
			return goError(&e)
		}
		result, consumed = int(r), int(used)
		return nil
	})
	return result, consumed, err
}

// Status returns the result, state, HTTP status and error text.
func (h *ProxyHandshake) Status() (st ProxyStatus, err error) {
	err = h.use(func(hs C.SocketProxyExt_Handshake_T) error {
		var s C.GoProxyStatus
		var e C.GoErr
		if C.go_SocketProxyExt_handshake_status(hs, &s, &e) != 0 {
			return goError(&e)
		}
		st = ProxyStatus{Result: int(s.result), State: int(s.state), HTTPStatus: int(s.http_status)}
		if s.has_error != 0 {
			st.Err = goStringN(s.error[:])
		}
		return nil
	})
	return st, err
}

// ProxyResultString is SocketProxy_result_string.
func ProxyResultString(r int) string { return C.GoString(C.go_SocketProxy_result_string(C.int(r))) }

// ProxyStateString is SocketProxy_state_string.
func ProxyStateString(s int) string { return C.GoString(C.go_SocketProxy_state_string(C.int(s))) }

// ProxyTypeString is SocketProxy_type_string.
func ProxyTypeString(t int) string { return C.GoString(C.go_SocketProxy_type_string(C.int(t))) }
