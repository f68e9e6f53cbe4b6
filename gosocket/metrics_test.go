package gosocket

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/libsocket/libsocket/cgo"
)

// The counters are process-wide: goroutines that earlier tests left
// winding down (a dial race's losing attempt, a server closing its
// connections) may still count while this test runs. Such a stray count
// makes an attempt fail; it is retried, and the test fails only if no
// attempt out of several gets the exact values.
func TestMetricsSnapshot(t *testing.T) {
	const attempts = 5
	for i := 1; ; i++ {
		diff := metricsSnapshotDiff()
		if diff == "" {
			return
		}
		if i == attempts {
			t.Fatalf("%d attempts, the last one: %s", attempts, diff)
		}
		t.Logf("attempt %d (a stray count from another goroutine?): %s", i, diff)
		time.Sleep(100 * time.Millisecond)
	}
}

// metricsSnapshotDiff runs the check once and describes what went wrong.
func metricsSnapshotDiff() string {
	ResetMetrics()
	if diff := cmp.Diff(Metrics{}, MetricsSnapshot()); diff != "" {
		return "after ResetMetrics (-want +got):\n" + diff
	}
	// Increment metric i by i+1, in SocketMetric order.
	for i := range cgo.MetricCount {
		if err := cgo.IncrementMetric(i, uint64(i+1)); err != nil {
			return err.Error()
		}
	}
	if err := cgo.IncrementMetric(cgo.MetricCount, 99); err != nil { // out of range: ignored
		return err.Error()
	}
	want := Metrics{
		SocketConnectSuccess: 1, SocketConnectFailure: 2, SocketShutdownCall: 3,
		DNSRequestSubmitted: 4, DNSRequestCompleted: 5, DNSRequestFailed: 6,
		DNSRequestCancelled: 7, DNSRequestTimeout: 8,
		PollWakeups: 9, PollEventsDispatched: 10,
		PoolConnectionsAdded: 11, PoolConnectionsRemoved: 12, PoolConnectionsReused: 13,
		PoolDrainInitiated: 14, PoolDrainCompleted: 15,
	}
	got := MetricsSnapshot()
	if diff := cmp.Diff(want, got); diff != "" {
		return "snapshot (-want +got):\n" + diff
	}
	wantMap := map[string]uint64{ // the original library's names, word for word
		"socket.connect_success": 1, "socket.connect_failure": 2, "socket.shutdown_calls": 3,
		"dns.request_submitted": 4, "dns.request_completed": 5, "dns.request_failed": 6,
		"dns.request_cancelled": 7, "dns.request_timeout": 8,
		"poll.wakeups": 9, "poll.events_dispatched": 10,
		"pool.connections_added": 11, "pool.connections_removed": 12, "pool.connections_reused": 13,
		"pool.drain_initiated": 14, "pool.drain_completed": 15,
	}
	if diff := cmp.Diff(wantMap, got.Map()); diff != "" {
		return "Map (-want +got):\n" + diff
	}
	ResetMetrics()
	if diff := cmp.Diff(Metrics{}, MetricsSnapshot()); diff != "" {
		return "after second ResetMetrics (-want +got):\n" + diff
	}
	return ""
}
