package cgo

// Exported Go functions called by the C trampolines in shim_callback.c.
// cgo copies this preamble into _cgo_export.h, so it holds declarations
// only.

/*
#include <stddef.h>
#include <stdint.h>
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"unsafe"
)

//export goLogSink
func goLogSink(level C.int, component, message *C.char) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = -1
		}
	}()
	if fn := logSink.Load(); fn != nil {
		(*fn)(int(level), C.GoString(component), C.GoString(message))
	}
	return 0
}

//export goEventSink
func goEventSink(kind C.int, component *C.char, fd C.int, a *C.char, aport C.int,
	b *C.char, bport, nfds, timeoutMS C.int) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = -1
		}
	}()
	fn := eventHandler.Load()
	if fn == nil {
		return 0
	}
	ev := Event{Type: int(kind), Component: C.GoString(component), FD: int(fd)}
	switch ev.Type {
	case EventAccepted, EventConnected:
		ev.PeerAddr, ev.PeerPort = C.GoString(a), int(aport)
		ev.LocalAddr, ev.LocalPort = C.GoString(b), int(bport)
	case EventDNSTimeout:
		ev.Host, ev.Port = C.GoString(a), int(aport)
	case EventPollWakeup:
		ev.NFDs, ev.TimeoutMS = int(nfds), int(timeoutMS)
	}
	(*fn)(ev)
	return 0
}

//export goCallbackInvoke
func goCallbackInvoke(h C.uintptr_t, msg *C.char, n C.size_t) (rc C.int) {
	defer func() {
		if p := recover(); p != nil {
			writeCString(msg, n, fmt.Sprintf("panic: %v", p))
			rc = -1
		}
	}()
	fn := cgo.Handle(h).Value().(func() error)
	if err := fn(); err != nil {
		writeCString(msg, n, err.Error())
		return -1
	}
	return 0
}

// writeCString copies s, truncated, into the C buffer dst of n bytes and
// terminates it.
func writeCString(dst *C.char, n C.size_t, s string) {
	if dst == nil || n == 0 {
		return
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(dst)), int(n))
	k := copy(buf[:len(buf)-1], s)
	buf[k] = 0
}
