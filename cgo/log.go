package cgo

/*
#include "shim_core.h"

#cgo nocallback go_SocketLog_setGoSink
#cgo noescape go_SocketLog_setGoSink
#cgo nocallback go_SocketEvent_setGoHandler
#cgo noescape go_SocketEvent_setGoHandler
#cgo nocallback go_callback_stats
#cgo noescape go_callback_stats

#cgo nocallback SocketLog_levelname
#cgo nocallback go_SocketLog_discard
*/
import "C"

import (
	"sync"
	"sync/atomic"
)

// The Go side of the C callbacks. C stores no Go value: the trampolines
// take no userdata and the exported functions in callbacks.go read these
// pointers, so there is no handle whose lifetime could end while a C
// thread is still delivering to it.
var (
	logSink      atomic.Pointer[LogSink]
	eventHandler atomic.Pointer[EventHandler]
	setMu        sync.Mutex // orders the Go and C halves of SetLogSink/SetEventHandler
)

// SetLogSink routes the C library's log messages to fn; nil restores the C
// default logger (stderr). fn runs on whatever thread logs, possibly
// concurrently; a panic in fn is recovered and counted (CallbackStats).
func SetLogSink(fn LogSink) error {
	setMu.Lock()
	defer setMu.Unlock()
	var e C.GoErr
	if fn == nil {
		if C.go_SocketLog_setGoSink(0, &e) != 0 {
			return goError(&e)
		}
		logSink.Store(nil)
		return nil
	}
	logSink.Store(&fn)
	if C.go_SocketLog_setGoSink(1, &e) != 0 {
		return goError(&e)
	}
	return nil
}

// DiscardLogs routes the C library's log messages nowhere (a C sink, no
// Go call). The C default logger prints every library error to stderr, as
// the original library does; gosocket installs this instead so that a Go
// program stays quiet unless it sets a logger.
func DiscardLogs() {
	setMu.Lock()
	defer setMu.Unlock()
	C.go_SocketLog_discard()
	logSink.Store(nil)
}

// LogEmit logs message at level through the C library, which hands it to
// the current sink (possibly a Go one, so this call may run Go code).
func LogEmit(level int, component, message string) error {
	var e C.GoErr
	if C.go_SocketLog_emit(C.int(level), stringPtr(component), C.size_t(len(component)),
		stringPtr(message), C.size_t(len(message)), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// LogLevelName is the C library's name of a level ("TRACE" ... "FATAL",
// "UNKNOWN").
func LogLevelName(level int) string {
	return C.GoString(C.SocketLog_levelname(C.SocketLogLevel(level)))
}

// SetEventHandler routes events dispatched by the C library to fn; nil
// unregisters it. An event already being dispatched when fn is replaced
// may still reach the old or the new handler.
func SetEventHandler(fn EventHandler) error {
	setMu.Lock()
	defer setMu.Unlock()
	var e C.GoErr
	if fn == nil {
		if C.go_SocketEvent_setGoHandler(0, &e) != 0 {
			return goError(&e)
		}
		eventHandler.Store(nil)
		return nil
	}
	eventHandler.Store(&fn)
	if C.go_SocketEvent_setGoHandler(1, &e) != 0 {
		eventHandler.Store(nil)
		return goError(&e)
	}
	return nil
}

// EmitEvent dispatches ev to every registered handler through the C
// library (SocketEvent_emit_*), including a Go one.
func EmitEvent(ev Event) error {
	a, aport, b := ev.PeerAddr, ev.PeerPort, ev.LocalAddr
	if ev.Type == EventDNSTimeout {
		a, aport = ev.Host, ev.Port
	}
	var e C.GoErr
	if C.go_SocketEvent_emit(C.int(ev.Type), C.int(ev.FD),
		stringPtr(a), C.size_t(len(a)), C.int(aport),
		stringPtr(b), C.size_t(len(b)), C.int(ev.LocalPort),
		C.int(ev.NFDs), C.int(ev.TimeoutMS), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// CallbackStats reports C-to-Go deliveries that did not happen because a
// nocallback shim was running on the thread (dropped; the log message went
// to stderr instead), and deliveries where the Go side panicked (failed).
func CallbackStats() (dropped, failed uint64) {
	var d, f C.ulonglong
	C.go_callback_stats(&d, &f)
	return uint64(d), uint64(f)
}
