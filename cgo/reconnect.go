package cgo

/*
#include <stdlib.h>
#include "shim_reconnect.h"

#cgo nocallback go_SocketReconnect_new
#cgo noescape go_SocketReconnect_new
#cgo nocallback go_SocketReconnect_free
#cgo nocallback go_SocketReconnect_step
#cgo noescape go_SocketReconnect_step
#cgo nocallback go_SocketReconnect_policy_defaults
#cgo noescape go_SocketReconnect_policy_defaults
#cgo nocallback go_SocketReconnect_state_name
*/
import "C"

import "unsafe"

// Reconnect owns one C SocketReconnect_T in external mode: the C state
// machine decides when to attempt and when to give up (backoff with
// jitter, max attempts, circuit breaker); the caller dials and reports.
// Not safe for concurrent use (the C context is single-threaded): the
// caller serialises Step calls.
type Reconnect struct {
	own Owner[C.SocketReconnect_T]
}

func toCPolicy(p *ReconnectPolicy) C.SocketReconnect_Policy_T {
	return C.SocketReconnect_Policy_T{
		initial_delay_ms:          C.int(p.InitialDelayMS),
		max_delay_ms:              C.int(p.MaxDelayMS),
		multiplier:                C.double(p.Multiplier),
		jitter:                    C.double(p.Jitter),
		max_attempts:              C.int(p.MaxAttempts),
		circuit_failure_threshold: C.int(p.CircuitThreshold),
		circuit_reset_timeout_ms:  C.int(p.CircuitResetMS),
		health_check_interval_ms:  C.int(p.HealthIntervalMS),
		health_check_timeout_ms:   C.int(p.HealthTimeoutMS),
	}
}

// ReconnectPolicyDefaults returns SocketReconnect_policy_defaults.
func ReconnectPolicyDefaults() (ReconnectPolicy, error) {
	var cp C.SocketReconnect_Policy_T
	var e C.GoErr
	if C.go_SocketReconnect_policy_defaults(&cp, &e) != 0 {
		return ReconnectPolicy{}, goError(&e)
	}
	return ReconnectPolicy{
		InitialDelayMS:   int(cp.initial_delay_ms),
		MaxDelayMS:       int(cp.max_delay_ms),
		Multiplier:       float64(cp.multiplier),
		Jitter:           float64(cp.jitter),
		MaxAttempts:      int(cp.max_attempts),
		CircuitThreshold: int(cp.circuit_failure_threshold),
		CircuitResetMS:   int(cp.circuit_reset_timeout_ms),
		HealthIntervalMS: int(cp.health_check_interval_ms),
		HealthTimeoutMS:  int(cp.health_check_timeout_ms),
	}, nil
}

// NewReconnect creates a context in DISCONNECTED for host:port (used in
// messages only; the caller dials).
func NewReconnect(host string, port int, p ReconnectPolicy) (*Reconnect, error) {
	ch := C.CString(host)
	defer C.free(unsafe.Pointer(ch))
	cp := toCPolicy(&p)
	var c C.SocketReconnect_T
	var e C.GoErr
	if C.go_SocketReconnect_new(ch, C.int(port), &cp, &c, &e) != 0 {
		return nil, goError(&e)
	}
	r := &Reconnect{}
	Own(r, &r.own, Reconnects, c, freeReconnect)
	return r, nil
}

func freeReconnect(c C.SocketReconnect_T) { C.go_SocketReconnect_free(c) }

// Close frees the C context; idempotent.
func (r *Reconnect) Close() { r.own.Close() }

// Step runs one operation (Reconnect*) with its errno argument and
// returns the status after it, in one crossing.
func (r *Reconnect) Step(op, arg int) (st ReconnectStatus, err error) {
	err = r.own.Use(func(c C.SocketReconnect_T) error {
		var cs C.GoReconnectStatus
		var e C.GoErr
		if C.go_SocketReconnect_step(c, C.int(op), C.int(arg), &cs, &e) != 0 {
			return goError(&e)
		}
		st = ReconnectStatus{State: int(cs.state), Attempts: int(cs.attempts),
			Failures: int(cs.failures), NextTimeoutMS: int(cs.next_timeout_ms)}
		return nil
	})
	return st, err
}

// ReconnectStateName is SocketReconnect_state_name.
func ReconnectStateName(state int) string {
	return C.GoString(C.go_SocketReconnect_state_name(C.int(state)))
}
