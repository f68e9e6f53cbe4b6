package http2

import (
	"sync/atomic"
	"time"
)

// The engine's deadlines (SETTINGS and PING acknowledgements, keepalive
// PINGs, stalled streams) fire only when Process runs. A reader blocked
// on a silent peer never calls it, so each connection runs an
// engineTimer: a goroutine that sleeps until H2Conn.NextTimeout and then
// calls Process without input.

// maxTimerSleep bounds one sleep of the timer. A deadline armed while it
// sleeps is at most this late: the writer only wakes a timer that has
// no deadline (waking it after every write would cost a lock and a walk
// of the streams per write).
const maxTimerSleep = time.Second

type engineTimer struct {
	wake  chan struct{}
	armed atomic.Bool
}

func newEngineTimer() *engineTimer {
	return &engineTimer{wake: make(chan struct{}, 1)}
}

// poke makes a timer without a deadline look again (output was written:
// a SETTINGS or PING may now wait for its acknowledgement).
func (et *engineTimer) poke() {
	if !et.armed.Load() {
		select {
		case et.wake <- struct{}{}:
		default:
		}
	}
}

// run loops until quit closes or next reports the connection done.
// next returns the engine's next deadline (ok false: none); fire runs
// Process.
func (et *engineTimer) run(quit <-chan struct{}, next func() (d time.Duration, ok, done bool), fire func()) {
	t := time.NewTimer(maxTimerSleep)
	defer t.Stop()
	for {
		d, ok, done := next()
		if done {
			return
		}
		et.armed.Store(ok)
		if ok {
			t.Reset(min(d, maxTimerSleep))
		} else {
			t.Stop()
		}
		select {
		case <-t.C:
			fire()
		case <-et.wake:
		case <-quit:
			return
		}
	}
}

// durationMS converts a timeout field to the engine's milliseconds:
// 0 keeps def (0: the engine's default), negative means none (-1).
func durationMS(d, def time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return int(def / time.Millisecond)
	}
	return max(1, int(d/time.Millisecond))
}
