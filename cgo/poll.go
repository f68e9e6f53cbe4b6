package cgo

/*
#include "shim_socket.h"

#cgo nocallback go_SocketPoll_new
#cgo noescape go_SocketPoll_new
#cgo nocallback go_SocketPoll_free
#cgo nocallback go_SocketPoll_ctl
#cgo noescape go_SocketPoll_ctl
#cgo nocallback go_SocketPoll_wake
#cgo noescape go_SocketPoll_wake
*/
import "C"

import "unsafe"

// go_SocketPoll_wait is not nocallback: timers fire and a wakeup event may
// be emitted inside the wait.

func (p Poll) c() *C.struct_SocketPoll_T { return (*C.struct_SocketPoll_T)(p.p) }

// NewPoll creates an event loop returning at most maxEvents events per
// wait (1..MaxPollEvents).
func NewPoll(maxEvents int) (Poll, error) {
	var p C.SocketPoll_T
	var e C.GoErr
	if C.go_SocketPoll_new(C.int(maxEvents), &p, &e) != 0 {
		return Poll{}, goError(&e)
	}
	return Poll{unsafe.Pointer(p)}, nil
}

// Free frees the loop (registered sockets stay open). Call it exactly
// once, when no Wait is running.
func (p Poll) Free() { C.go_SocketPoll_free(p.c()) }

// Ctl adds, modifies (PollAdd, PollMod: events and data) or removes
// (PollDel) s. data comes back in PollEvent.Data; it is an integer to C
// (a cgo.Handle), never a Go pointer.
func (p Poll) Ctl(op int, s Socket, events uint32, data uintptr) error {
	var e C.GoErr
	if C.go_SocketPoll_ctl(p.c(), C.int(op), s.c(), C.uint(events), C.uintptr_t(data), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// Wait waits up to timeoutMS (-1: forever) and appends the ready sockets
// to dst. The C array is read in place, in the same call.
func (p Poll) Wait(timeoutMS int, dst []PollEvent) ([]PollEvent, error) {
	var ev *C.GoPollEvent
	var n C.int
	var e C.GoErr
	if C.go_SocketPoll_wait(p.c(), C.int(timeoutMS), &ev, &n, &e) != 0 {
		return dst, goError(&e)
	}
	if n > 0 {
		for _, x := range unsafe.Slice(ev, int(n)) {
			dst = append(dst, PollEvent{Socket: uintptr(x.socket), Data: uintptr(x.data), Events: uint32(x.events)})
		}
	}
	return dst, nil
}

// Wake makes the current wait, or the next one, return: it adds a 0 ms
// timer with a no-op C callback. Safe from any goroutine.
func (p Poll) Wake() error {
	var e C.GoErr
	if C.go_SocketPoll_wake(p.c(), &e) != 0 {
		return goError(&e)
	}
	return nil
}
