package cgo

/*
#include "shim_core.h"

#cgo nocallback go_SocketMetrics_snapshot
#cgo noescape go_SocketMetrics_snapshot
#cgo nocallback go_SocketMetrics_reset
#cgo noescape go_SocketMetrics_reset
#cgo nocallback go_SocketMetrics_increment
#cgo noescape go_SocketMetrics_increment
#cgo nocallback go_SocketMetrics_count
#cgo nocallback go_Socket_lastError
#cgo noescape go_Socket_lastError

#cgo nocallback SocketMetrics_name
*/
import "C"

import (
	"sync"
	"syscall"
	"unsafe"
)

// MetricsSnapshot copies every library counter, indexed by SocketMetric.
func MetricsSnapshot() (snap [MetricCount]uint64, err error) {
	var e C.GoErr
	if C.go_SocketMetrics_snapshot((*C.ulonglong)(unsafe.Pointer(&snap[0])), MetricCount, &e) != 0 {
		return snap, goError(&e)
	}
	return snap, nil
}

// ResetMetrics sets every counter to zero.
func ResetMetrics() error {
	var e C.GoErr
	if C.go_SocketMetrics_reset(&e) != 0 {
		return goError(&e)
	}
	return nil
}

// IncrementMetric adds v to metric m (out of range: ignored by C).
func IncrementMetric(m int, v uint64) error {
	var e C.GoErr
	if C.go_SocketMetrics_increment(C.int(m), C.ulong(v), &e) != 0 {
		return goError(&e)
	}
	return nil
}

// MetricCountC asks the C library for SOCKET_METRIC_COUNT through the
// plainest shim there is; it exists for tests and BenchmarkShimCall.
func MetricCountC() int { return int(C.go_SocketMetrics_count()) }

var metricNames = sync.OnceValue(func() (names [MetricCount]string) {
	for i := range names {
		names[i] = C.GoString(C.SocketMetrics_name(C.SocketMetric(i)))
	}
	return names
})

// MetricName is the C library's stable name of metric m
// ("socket.connect_success", ...), or "unknown".
func MetricName(m int) string {
	if m < 0 || m >= MetricCount {
		return "unknown"
	}
	return metricNames()[m]
}

// LastError returns the message and errno of the last failure recorded on
// the calling OS thread. Goroutines migrate between threads, so this is
// only meaningful under runtime.LockOSThread; the shims already return
// each failure's details with the call that failed.
func LastError() (string, syscall.Errno) {
	var buf [1024]C.char
	var errno C.int
	C.go_Socket_lastError(&buf[0], C.size_t(len(buf)), &errno)
	return goStringN(buf[:]), syscall.Errno(errno)
}

// VersionString is SOCKET_VERSION_STRING of the headers the package was
// compiled against.
func VersionString() string { return C.GoString(C.go_Socket_versionString()) }
