package gosocket

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/libsocket/libsocket/cgo"
)

type logRecord struct {
	Level     slog.Level
	Message   string
	Component string
}

// recordHandler keeps every record at or above its level whose message
// starts with prefix: the logger is process-wide, and goroutines other
// tests left winding down may log real messages meanwhile.
type recordHandler struct {
	level  slog.Level
	prefix string
	mu     sync.Mutex
	recs   []logRecord
}

func (h *recordHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *recordHandler) WithGroup(string) slog.Handler                { return h }

func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	if !strings.HasPrefix(r.Message, h.prefix) {
		return nil
	}
	rec := logRecord{Level: r.Level, Message: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "component" {
			rec.Component = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	h.recs = append(h.recs, rec)
	h.mu.Unlock()
	return nil
}

func (h *recordHandler) records() []logRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]logRecord(nil), h.recs...)
}

// Messages emitted by the C library (SocketLog_emit, reached through a
// shim) arrive in slog with mapped levels.
func TestSetLogger(t *testing.T) {
	h := &recordHandler{level: LevelTrace, prefix: "TestSetLogger: "}
	SetLogger(slog.New(h))
	defer SetLogger(nil)
	levels := []struct {
		c    int
		want slog.Level
	}{
		{cgo.LogTrace, LevelTrace},
		{cgo.LogDebug, slog.LevelDebug},
		{cgo.LogInfo, slog.LevelInfo},
		{cgo.LogWarn, slog.LevelWarn},
		{cgo.LogError, slog.LevelError},
		{cgo.LogFatal, LevelFatal},
	}
	var want []logRecord
	for _, l := range levels {
		msg := fmt.Sprintf("TestSetLogger: message at C level %d", l.c)
		if err := cgo.LogEmit(l.c, "DNS", msg); err != nil {
			t.Fatal(err)
		}
		want = append(want, logRecord{l.want, msg, "DNS"})
	}
	if diff := cmp.Diff(want, h.records()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestSetLoggerLevelFilterAndRestore(t *testing.T) {
	const p = "TestSetLoggerLevelFilterAndRestore: "
	h := &recordHandler{level: slog.LevelWarn, prefix: p}
	SetLogger(slog.New(h))
	cgo.LogEmit(cgo.LogInfo, "Socket", p+"dropped by the handler level")
	cgo.LogEmit(cgo.LogError, "Socket", p+"kept")
	SetLogger(nil)
	cgo.LogEmit(cgo.LogError, "Socket", p+"discarded: the package default is quiet")
	want := []logRecord{{slog.LevelError, p + "kept", "Socket"}}
	if diff := cmp.Diff(want, h.records()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestSetLoggerConcurrent(t *testing.T) {
	h := &recordHandler{level: slog.LevelInfo, prefix: "TestSetLoggerConcurrent: "}
	SetLogger(slog.New(h))
	defer SetLogger(nil)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				cgo.LogEmit(cgo.LogInfo, "Test", fmt.Sprintf("TestSetLoggerConcurrent: %d/%d", g, i))
			}
		})
	}
	wg.Wait()
	if got := len(h.records()); got != 16*50 {
		t.Errorf("got %d records, want %d", got, 16*50)
	}
}
