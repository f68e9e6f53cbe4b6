package cgo

/*
#include "shim_socket.h"

#cgo nocallback go_SocketDNS_new
#cgo noescape go_SocketDNS_new
#cgo nocallback go_SocketDNS_free
#cgo nocallback go_SocketDNS_resolve
#cgo noescape go_SocketDNS_resolve
#cgo nocallback go_SocketDNS_result
#cgo noescape go_SocketDNS_result
#cgo nocallback go_SocketDNS_cancel
#cgo noescape go_SocketDNS_cancel
#cgo nocallback go_SocketDNS_test_hook
#cgo noescape go_SocketDNS_test_hook
#cgo nocallback go_SocketDNS_check
#cgo noescape go_SocketDNS_check
*/
import "C"

import "unsafe"

// Timeout events (SOCKET_EVENT_DNS_TIMEOUT) are emitted on the resolver's
// worker threads, never from these calls, so all of them are nocallback.

func (r Resolver) c() *C.struct_SocketDNS_T { return (*C.struct_SocketDNS_T)(r.p) }

// NewResolver starts a resolver (SocketDNS_new: worker threads and a
// completion descriptor). pollFD is a dup of that descriptor for Go's
// poller, owned by the caller; timeoutMS is the resolver's default
// per-request timeout (0 = none).
func NewResolver() (r Resolver, pollFD, timeoutMS int, err error) {
	var d C.SocketDNS_T
	var fd, t C.int
	var e C.GoErr
	if C.go_SocketDNS_new(&d, &fd, &t, &e) != 0 {
		return Resolver{}, -1, 0, goError(&e)
	}
	return Resolver{unsafe.Pointer(d)}, int(fd), int(t), nil
}

// Free lets the workers finish the requests still queued (cancel them
// first to skip their lookups), joins the workers and frees the resolver.
// Call it exactly once.
func (r Resolver) Free() { C.go_SocketDNS_free(r.c()) }

// Submit queues a lookup of host ("" = passive) and port and returns the
// request handle.
func (r Resolver) Submit(host string, port int) (uintptr, error) {
	var req C.uintptr_t
	var e C.GoErr
	if C.go_SocketDNS_resolve(r.c(), stringPtr(host), C.size_t(len(host)), C.int(port), &req, &e) != 0 {
		return 0, goError(&e)
	}
	return uintptr(req), nil
}

// Check runs SocketDNS_check: it drains the completion descriptor and
// returns the number of events (completions, failures, timeouts, cancels)
// signalled since the last call. Results are available to Result as soon
// as a request completes, whether or not Check ran.
func (r Resolver) Check() (int, error) {
	var n C.int
	var e C.GoErr
	if C.go_SocketDNS_check(r.c(), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}

// Result takes the result of req once it is complete (done): the
// addresses are appended to dst, or a failed lookup returns an error whose
// Reason is gai_strerror and gai the getaddrinfo code.
func (r Resolver) Result(req uintptr, dst []Addr) (addrs []Addr, done bool, gai int, err error) {
	var buf [32]C.GoAddr
	var count, cdone, cgai C.int
	var e C.GoErr
	if C.go_SocketDNS_result(r.c(), C.uintptr_t(req), &buf[0], C.int(len(buf)), &count, &cdone, &cgai, &e) != 0 {
		return dst, cdone != 0, int(cgai), goError(&e)
	}
	for _, a := range buf[:count] {
		x := Addr{Family: int(a.family), Port: int(a.port), ScopeID: uint32(a.scope_id)}
		for i := range x.IP {
			x.IP[i] = byte(a.addr[i])
		}
		dst = append(dst, x)
	}
	return dst, cdone != 0, 0, nil
}

// Cancel cancels req; its result, if any, is freed.
func (r Resolver) Cancel(req uintptr) error {
	var e C.GoErr
	if C.go_SocketDNS_cancel(r.c(), C.uintptr_t(req), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// TestHook is for tests: stall >= 0 sets the worker stall gate (requests
// stay pending while it is 1), and live is the number of request records
// allocated (SocketDNSExt_set_stall, SocketDNSExt_live_requests).
func (r Resolver) TestHook(stall int) (live int, err error) {
	var n C.size_t
	var e C.GoErr
	if C.go_SocketDNS_test_hook(r.c(), C.int(stall), &n, &e) != 0 {
		return 0, goError(&e)
	}
	return int(n), nil
}
