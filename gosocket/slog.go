package gosocket

import (
	"context"
	"log/slog"

	"github.com/libsocket/libsocket/cgo"
)

// Levels of the C library without a log/slog counterpart.
const (
	LevelTrace = slog.LevelDebug - 4
	LevelFatal = slog.LevelError + 4
)

// slogLevel maps a SocketLogLevel to a slog.Level.
func slogLevel(level int) slog.Level {
	switch level {
	case cgo.LogTrace:
		return LevelTrace
	case cgo.LogDebug:
		return slog.LevelDebug
	case cgo.LogInfo:
		return slog.LevelInfo
	case cgo.LogWarn:
		return slog.LevelWarn
	case cgo.LogError:
		return slog.LevelError
	}
	return LevelFatal
}

// The C library logs every error it raises (at ERROR, as the original
// library does) and its default logger prints to stdout/stderr. A Go
// package should stay quiet unless asked, so until SetLogger is called
// the messages are discarded (in C, without entering Go).
func init() { cgo.DiscardLogs() }

// SetLogger sends the C library's log messages to l, with the emitting C
// module in the attribute "component" and the levels mapped TRACE →
// LevelTrace, DEBUG → Debug, INFO → Info, WARN → Warn, ERROR → Error,
// FATAL → LevelFatal. Messages may arrive from any thread, including
// threads the C library started; every error the C library raises is
// logged at Error. SetLogger(nil) discards the messages again (the
// package default).
//
// A panic in l's handler is recovered at the boundary and the message is
// lost.
func SetLogger(l *slog.Logger) {
	if l == nil {
		cgo.DiscardLogs()
		return
	}
	must("SetLogger", struct{}{}, cgo.SetLogSink(func(level int, component, message string) {
		lvl := slogLevel(level)
		ctx := context.Background()
		if l.Enabled(ctx, lvl) {
			l.LogAttrs(ctx, lvl, message, slog.String("component", component))
		}
	}))
}
