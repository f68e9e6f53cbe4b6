package http2

import "time"

// The engine's deadlines (SETTINGS and PING acknowledgements, keepalive
// PINGs, stalled streams) fire only when Process runs. A reader blocked
// on a silent peer never calls it, so each connection runs
// runEngineTimer: a goroutine that sleeps until H2Conn.NextTimeout and
// then calls Process without input.

// maxTimerSleep bounds one sleep of the timer, also when no deadline is
// armed: a deadline armed meanwhile (the first SETTINGS written, a
// stream stalled on a zero window) fires at most this late. Polling
// costs one wake-up per second per connection; waking the timer from
// every write instead would cost a lock and a walk of the streams per
// write.
const maxTimerSleep = time.Second

// runEngineTimer loops until quit closes or next reports the connection
// done. next returns the engine's next deadline (ok false: none); fire
// runs Process.
func runEngineTimer(quit <-chan struct{}, next func() (d time.Duration, ok, done bool), fire func()) {
	t := time.NewTimer(maxTimerSleep)
	defer t.Stop()
	for {
		d, ok, done := next()
		if done {
			return
		}
		if !ok {
			d = maxTimerSleep
		}
		t.Reset(min(d, maxTimerSleep))
		select {
		case <-t.C:
			if ok && d <= maxTimerSleep {
				fire()
			}
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
