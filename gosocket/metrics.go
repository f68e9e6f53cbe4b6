package gosocket

import "github.com/libsocket/libsocket/cgo"

// Metrics is a snapshot of the C library's counters. Each counter is read
// atomically, but the snapshot as a whole is not one atomic read.
type Metrics struct {
	SocketConnectSuccess   uint64
	SocketConnectFailure   uint64
	SocketShutdownCall     uint64
	DNSRequestSubmitted    uint64
	DNSRequestCompleted    uint64
	DNSRequestFailed       uint64
	DNSRequestCancelled    uint64
	DNSRequestTimeout      uint64
	PollWakeups            uint64
	PollEventsDispatched   uint64
	PoolConnectionsAdded   uint64
	PoolConnectionsRemoved uint64
	PoolConnectionsReused  uint64
	PoolDrainInitiated     uint64
	PoolDrainCompleted     uint64
}

// fields lists the counters in SocketMetric order.
func (m *Metrics) fields() [cgo.MetricCount]*uint64 {
	return [...]*uint64{
		&m.SocketConnectSuccess, &m.SocketConnectFailure, &m.SocketShutdownCall,
		&m.DNSRequestSubmitted, &m.DNSRequestCompleted, &m.DNSRequestFailed,
		&m.DNSRequestCancelled, &m.DNSRequestTimeout,
		&m.PollWakeups, &m.PollEventsDispatched,
		&m.PoolConnectionsAdded, &m.PoolConnectionsRemoved, &m.PoolConnectionsReused,
		&m.PoolDrainInitiated, &m.PoolDrainCompleted,
	}
}

// MetricsSnapshot returns the current value of every counter.
func MetricsSnapshot() Metrics {
	vals, err := cgo.MetricsSnapshot()
	vals = must("MetricsSnapshot", vals, err)
	var m Metrics
	for i, f := range m.fields() {
		*f = vals[i]
	}
	return m
}

// ResetMetrics sets every counter to zero.
func ResetMetrics() {
	must("ResetMetrics", struct{}{}, cgo.ResetMetrics())
}

// Map returns the counters keyed by the C library's stable metric names
// (those of the original library), e.g. "socket.connect_success".
func (m Metrics) Map() map[string]uint64 {
	out := make(map[string]uint64, cgo.MetricCount)
	for i, f := range m.fields() {
		out[cgo.MetricName(i)] = *f
	}
	return out
}
