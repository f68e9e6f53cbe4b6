package cgo

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestRateLimiterZeroRateRaises(t *testing.T) {
	r, err := NewRateLimiter(0, 10)
	if r != nil {
		t.Fatal("NewRateLimiter(0, 10) returned a limiter")
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want *Error", err, err)
	}
	if ce.Code != CodeException || ce.Exception != "SocketRateLimit_Failed" {
		t.Errorf("got Code %d Exception %q, want %d SocketRateLimit_Failed", ce.Code, ce.Exception, CodeException)
	}
	if !strings.Contains(ce.Reason, "tokens_per_sec") {
		t.Errorf("Reason = %q, want it to mention tokens_per_sec", ce.Reason)
	}
	if !strings.HasSuffix(ce.File, "SocketRateLimit.c") || ce.Line <= 0 {
		t.Errorf("raise site = %s:%d, want SocketRateLimit.c:N", ce.File, ce.Line)
	}
	if ce.Errno != 0 {
		t.Errorf("Errno = %v, want 0 for a message-only raise", ce.Errno)
	}
}

func TestInvokeCallback(t *testing.T) {
	tests := []struct {
		name    string
		fn      func() error
		wantErr string // substring of Reason; "" means success
	}{
		{"ok", func() error { return nil }, ""},
		{"error", func() error { return errors.New("boom") }, "Go callback failed: boom"},
		{"panic", func() error { panic("kaboom") }, "Go callback failed: panic: kaboom"},
		{"long", func() error { return errors.New(strings.Repeat("x", 4000)) }, "Go callback failed: xxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := InvokeCallback(tt.fn)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("InvokeCallback = %v, want nil", err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T %v, want *Error", err, err)
			}
			if ce.Exception != "GoCallback_Failed" || !strings.Contains(ce.Reason, tt.wantErr) {
				t.Errorf("got %q / %q, want GoCallback_Failed / %q", ce.Exception, ce.Reason, tt.wantErr)
			}
		})
	}
}

// Nested: the Go callback itself makes cgo calls that raise and catch in C.
func TestInvokeCallbackNested(t *testing.T) {
	err := InvokeCallback(func() error {
		_, err := NewRateLimiter(0, 0)
		return err
	})
	var ce *Error
	if !errors.As(err, &ce) || ce.Exception != "GoCallback_Failed" ||
		!strings.Contains(ce.Reason, "SocketRateLimit_Failed") {
		t.Fatalf("err = %v, want GoCallback_Failed carrying the inner SocketRateLimit_Failed", err)
	}
}

func TestLogSink(t *testing.T) {
	type rec struct {
		level     int
		component string
		message   string
	}
	var mu sync.Mutex
	var got []rec
	if err := SetLogSink(func(level int, component, message string) {
		mu.Lock()
		got = append(got, rec{level, component, message})
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	defer SetLogSink(nil)
	if err := LogEmit(LogWarn, "Test", "hello from Go via C"); err != nil {
		t.Fatal(err)
	}
	if err := LogEmit(LogInfo, "", ""); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("m", 5000)
	if err := LogEmit(LogError, "T", long); err != nil {
		t.Fatal(err)
	}
	want := []rec{{LogWarn, "Test", "hello from Go via C"}, {LogInfo, "", ""}, {LogError, "T", long}}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sink got %.200v, want %.200v", got, want)
	}
}

// DiscardLogs replaces a Go sink with a C one that drops every message.
func TestLogSinkDiscard(t *testing.T) {
	var n atomic.Int64
	var last atomic.Value
	if err := SetLogSink(func(level int, component, message string) {
		if level == LogError {
			n.Add(1)
			last.Store(component + ": " + message)
		}
	}); err != nil {
		t.Fatal(err)
	}
	defer SetLogSink(nil)
	if err := LogEmit(LogError, "Socket", "x"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 || last.Load() != "Socket: x" {
		t.Fatalf("sink saw %d errors, last %v", n.Load(), last.Load())
	}
	DiscardLogs()
	if err := LogEmit(LogError, "Socket", "y"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Errorf("sink called after DiscardLogs")
	}
}

func TestLogSinkPanicCounted(t *testing.T) {
	_, failedBefore := CallbackStats()
	if err := SetLogSink(func(int, string, string) { panic("sink") }); err != nil {
		t.Fatal(err)
	}
	defer SetLogSink(nil)
	if err := LogEmit(LogError, "Test", "x"); err != nil {
		t.Fatal(err)
	}
	if _, failed := CallbackStats(); failed != failedBefore+1 {
		t.Errorf("failed = %d, want %d", failed, failedBefore+1)
	}
}

func TestEvents(t *testing.T) {
	var got []Event
	if err := SetEventHandler(func(ev Event) { got = append(got, ev) }); err != nil {
		t.Fatal(err)
	}
	events := []Event{
		{Type: EventAccepted, Component: "Socket", FD: 7, PeerAddr: "10.0.0.1", PeerPort: 4000, LocalAddr: "10.0.0.2", LocalPort: 80},
		{Type: EventConnected, Component: "Socket", FD: 8, PeerAddr: "::1", PeerPort: 443, LocalAddr: "", LocalPort: 5555},
		{Type: EventDNSTimeout, Component: "SocketDNS", FD: -1, Host: "example.com", Port: 53},
		{Type: EventPollWakeup, Component: "SocketPoll", FD: -1, NFDs: 3, TimeoutMS: 250},
	}
	for _, ev := range events {
		if err := EmitEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := SetEventHandler(nil); err != nil {
		t.Fatal(err)
	}
	if err := EmitEvent(events[0]); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(events) {
		t.Errorf("handler got\n%+v\nwant\n%+v", got, events)
	}
	if err := EmitEvent(Event{Type: 99}); err == nil {
		t.Error("EmitEvent(type 99) succeeded")
	}
}

func TestMetricsAndVersion(t *testing.T) {
	if n := MetricCountC(); n != MetricCount {
		t.Errorf("C SOCKET_METRIC_COUNT = %d, Go MetricCount = %d", n, MetricCount)
	}
	if got, want := VersionString(), fmt.Sprintf("%d.%d.%d", VersionMajor, VersionMinor, VersionPatch); got != want {
		t.Errorf("VersionString() = %q, want %q", got, want)
	}
	if got := MetricName(0); got != "socket.connect_success" {
		t.Errorf("MetricName(0) = %q, want the original's \"socket.connect_success\"", got)
	}
	if got := MetricName(MetricCount); got != "unknown" {
		t.Errorf("MetricName(MetricCount) = %q", got)
	}
	if got := LogLevelName(LogWarn); got != "WARN" {
		t.Errorf("LogLevelName(LogWarn) = %q", got)
	}
}

// LastError reads thread-local C state, so it only works on a locked thread.
func TestLastErrorLockedThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, err := NewRateLimiter(0, 1)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *Error", err)
	}
	msg, errno := LastError()
	if msg != ce.Reason || errno != syscall.Errno(0) {
		t.Errorf("LastError() = %q, %v; want %q, 0", msg, errno, ce.Reason)
	}
}

func TestLogInsideNocallbackShimIsDropped(t *testing.T) {
	var delivered atomic.Int32
	if err := SetLogSink(func(int, string, string) { delivered.Add(1) }); err != nil {
		t.Fatal(err)
	}
	defer SetLogSink(nil)
	dropped, _ := CallbackStats()
	logInsideNocallback("must not reach Go")
	if n := delivered.Load(); n != 0 {
		t.Errorf("sink called %d times from inside a nocallback shim", n)
	}
	if d, _ := CallbackStats(); d != dropped+1 {
		t.Errorf("dropped = %d, want %d", d, dropped+1)
	}
	if err := LogEmit(LogInfo, "Test", "outside"); err != nil || delivered.Load() != 1 {
		t.Errorf("LogEmit after the guard: err %v, delivered %d", err, delivered.Load())
	}
}
