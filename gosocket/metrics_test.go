package gosocket

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/libsocket/libsocket/cgo"
)

func TestMetricsSnapshot(t *testing.T) {
	ResetMetrics()
	if diff := cmp.Diff(Metrics{}, MetricsSnapshot()); diff != "" {
		t.Fatalf("after ResetMetrics (-want +got):\n%s", diff)
	}
	// Increment metric i by i+1, in SocketMetric order.
	for i := range cgo.MetricCount {
		if err := cgo.IncrementMetric(i, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cgo.IncrementMetric(cgo.MetricCount, 99); err != nil { // out of range: ignored
		t.Fatal(err)
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
		t.Errorf("snapshot (-want +got):\n%s", diff)
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
		t.Errorf("Map (-want +got):\n%s", diff)
	}
	ResetMetrics()
	if diff := cmp.Diff(Metrics{}, MetricsSnapshot()); diff != "" {
		t.Errorf("after second ResetMetrics (-want +got):\n%s", diff)
	}
}
