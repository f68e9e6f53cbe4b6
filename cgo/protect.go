package cgo

/*
#include "shim_protect.h"

#cgo nocallback go_SocketIPTracker_new
#cgo noescape go_SocketIPTracker_new
#cgo nocallback go_SocketIPTracker_free
#cgo nocallback go_SocketIPTracker_track
#cgo noescape go_SocketIPTracker_track
#cgo nocallback go_SocketIPTracker_release
#cgo noescape go_SocketIPTracker_release
#cgo nocallback go_SocketIPTracker_count
#cgo noescape go_SocketIPTracker_count
#cgo nocallback go_SocketIPTracker_setmax
#cgo noescape go_SocketIPTracker_setmax
#cgo nocallback go_SocketIPTracker_info
#cgo noescape go_SocketIPTracker_info
#cgo nocallback go_SocketIPTracker_clear
#cgo noescape go_SocketIPTracker_clear
#cgo nocallback go_SocketSYNProtect_config_defaults
#cgo noescape go_SocketSYNProtect_config_defaults
#cgo nocallback go_SocketSYNProtect_new
#cgo noescape go_SocketSYNProtect_new
#cgo nocallback go_SocketSYNProtect_free
#cgo nocallback go_SocketSYNProtect_check
#cgo noescape go_SocketSYNProtect_check
#cgo nocallback go_SocketSYNProtect_report
#cgo noescape go_SocketSYNProtect_report
#cgo nocallback go_SocketSYNProtect_whitelist_add
#cgo noescape go_SocketSYNProtect_whitelist_add
#cgo nocallback go_SocketSYNProtect_whitelist_remove
#cgo noescape go_SocketSYNProtect_whitelist_remove
#cgo nocallback go_SocketSYNProtect_whitelist_contains
#cgo noescape go_SocketSYNProtect_whitelist_contains
#cgo nocallback go_SocketSYNProtect_blacklist_add
#cgo noescape go_SocketSYNProtect_blacklist_add
#cgo nocallback go_SocketSYNProtect_blacklist_remove
#cgo noescape go_SocketSYNProtect_blacklist_remove
#cgo nocallback go_SocketSYNProtect_blacklist_contains
#cgo noescape go_SocketSYNProtect_blacklist_contains
#cgo nocallback go_SocketSYNProtect_stats
#cgo noescape go_SocketSYNProtect_stats
#cgo nocallback go_SocketSYNProtect_cleanup
#cgo noescape go_SocketSYNProtect_cleanup
#cgo nocallback go_SocketSYNProtect_reset
#cgo noescape go_SocketSYNProtect_reset
*/
import "C"

import "unsafe"

func ipPtr(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}

// IPTracker owns one C SocketIPTracker_T (internally locked).
type IPTracker struct {
	own Owner[C.SocketIPTracker_T]
}

// NewIPTracker creates a tracker allowing maxPerIP connections per IP (0:
// unlimited) and at most maxUnique distinct IPs (0: the C default).
func NewIPTracker(maxPerIP int, maxUnique uint64) (*IPTracker, error) {
	var p C.SocketIPTracker_T
	var e C.GoErr
	if C.go_SocketIPTracker_new(C.int(maxPerIP), C.size_t(maxUnique), &p, &e) != 0 {
		return nil, goError(&e)
	}
	t := &IPTracker{}
	Own(t, &t.own, IPTrackers, p, freeIPTracker)
	return t, nil
}

func freeIPTracker(p C.SocketIPTracker_T) { C.go_SocketIPTracker_free(p) }

// Close frees the C tracker (idempotent; later calls return ErrClosed).
func (t *IPTracker) Close() { t.own.Close() }

// Track counts one connection from ip if the limits allow.
func (t *IPTracker) Track(ip string) (ok bool, err error) {
	err = t.own.Use(func(p C.SocketIPTracker_T) error {
		var got C.int
		var e C.GoErr
		if C.go_SocketIPTracker_track(p, ipPtr(ip), C.size_t(len(ip)), &got, &e) != 0 {
			return goError(&e)
		}
		ok = got != 0
		return nil
	})
	return ok, err
}

// Release forgets one connection from ip.
func (t *IPTracker) Release(ip string) error {
	return t.own.Use(func(p C.SocketIPTracker_T) error {
		var e C.GoErr
		if C.go_SocketIPTracker_release(p, ipPtr(ip), C.size_t(len(ip)), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// Count is the number of connections tracked for ip.
func (t *IPTracker) Count(ip string) (n int, err error) {
	err = t.own.Use(func(p C.SocketIPTracker_T) error {
		var c C.int
		var e C.GoErr
		if C.go_SocketIPTracker_count(p, ipPtr(ip), C.size_t(len(ip)), &c, &e) != 0 {
			return goError(&e)
		}
		n = int(c)
		return nil
	})
	return n, err
}

// SetMax changes the per-IP limit (0: unlimited).
func (t *IPTracker) SetMax(maxPerIP int) error {
	return t.own.Use(func(p C.SocketIPTracker_T) error {
		var e C.GoErr
		if C.go_SocketIPTracker_setmax(p, C.int(maxPerIP), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// Info returns the per-IP limit, the total count and the number of IPs.
func (t *IPTracker) Info() (maxPerIP int, total, unique uint64, err error) {
	err = t.own.Use(func(p C.SocketIPTracker_T) error {
		var m C.int
		var tot, uni C.size_t
		var e C.GoErr
		if C.go_SocketIPTracker_info(p, &m, &tot, &uni, &e) != 0 {
			return goError(&e)
		}
		maxPerIP, total, unique = int(m), uint64(tot), uint64(uni)
		return nil
	})
	return maxPerIP, total, unique, err
}

// Clear forgets every entry.
func (t *IPTracker) Clear() error {
	return t.own.Use(func(p C.SocketIPTracker_T) error {
		var e C.GoErr
		if C.go_SocketIPTracker_clear(p, &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// SYNProtect owns one C SocketSYNProtect_T (internally locked).
type SYNProtect struct {
	own Owner[C.SocketSYNProtect_T]
}

func (c *SYNConfig) toC() C.SocketSYNProtect_Config {
	return C.SocketSYNProtect_Config{
		window_duration_ms:      C.int(c.WindowMS),
		max_attempts_per_window: C.int(c.MaxAttemptsPerWindow),
		max_global_per_second:   C.int(c.MaxGlobalPerSecond),
		min_success_ratio:       C.float(c.MinSuccessRatio),
		throttle_delay_ms:       C.int(c.ThrottleDelayMS),
		block_duration_ms:       C.int(c.BlockDurationMS),
		challenge_defer_sec:     C.int(c.ChallengeDeferSec),
		score_throttle:          C.float(c.ScoreThrottle),
		score_challenge:         C.float(c.ScoreChallenge),
		score_block:             C.float(c.ScoreBlock),
		score_decay_per_sec:     C.float(c.ScoreDecayPerSec),
		score_penalty_attempt:   C.float(c.PenaltyAttempt),
		score_penalty_failure:   C.float(c.PenaltyFailure),
		score_reward_success:    C.float(c.RewardSuccess),
		max_tracked_ips:         C.size_t(c.MaxTrackedIPs),
		max_whitelist:           C.size_t(c.MaxWhitelist),
		max_blacklist:           C.size_t(c.MaxBlacklist),
	}
}

// DefaultSYNConfig returns SocketSYNProtect_config_defaults.
func DefaultSYNConfig() (SYNConfig, error) {
	var c C.SocketSYNProtect_Config
	var e C.GoErr
	if C.go_SocketSYNProtect_config_defaults(&c, &e) != 0 {
		return SYNConfig{}, goError(&e)
	}
	return SYNConfig{
		WindowMS: int(c.window_duration_ms), MaxAttemptsPerWindow: int(c.max_attempts_per_window),
		MaxGlobalPerSecond: int(c.max_global_per_second), MinSuccessRatio: float32(c.min_success_ratio),
		ThrottleDelayMS: int(c.throttle_delay_ms), BlockDurationMS: int(c.block_duration_ms),
		ChallengeDeferSec: int(c.challenge_defer_sec), ScoreThrottle: float32(c.score_throttle),
		ScoreChallenge: float32(c.score_challenge), ScoreBlock: float32(c.score_block),
		ScoreDecayPerSec: float32(c.score_decay_per_sec), PenaltyAttempt: float32(c.score_penalty_attempt),
		PenaltyFailure: float32(c.score_penalty_failure), RewardSuccess: float32(c.score_reward_success),
		MaxTrackedIPs: uint64(c.max_tracked_ips), MaxWhitelist: uint64(c.max_whitelist),
		MaxBlacklist: uint64(c.max_blacklist),
	}, nil
}

// NewSYNProtect creates an instance from cfg (copied by C).
func NewSYNProtect(cfg *SYNConfig) (*SYNProtect, error) {
	c := cfg.toC()
	var p C.SocketSYNProtect_T
	var e C.GoErr
	if C.go_SocketSYNProtect_new(&c, &p, &e) != 0 {
		return nil, goError(&e)
	}
	s := &SYNProtect{}
	Own(s, &s.own, SYNProtects, p, freeSYNProtect)
	return s, nil
}

func freeSYNProtect(p C.SocketSYNProtect_T) { C.go_SocketSYNProtect_free(p) }

// Close frees the C instance (idempotent; later calls return ErrClosed).
func (s *SYNProtect) Close() { s.own.Close() }

// Check decides on one connection attempt from ip (a SYN_ACTION_* value).
func (s *SYNProtect) Check(ip string) (action int, err error) {
	err = s.own.Use(func(p C.SocketSYNProtect_T) error {
		var a C.int
		var e C.GoErr
		if C.go_SocketSYNProtect_check(p, ipPtr(ip), C.size_t(len(ip)), &a, &e) != 0 {
			return goError(&e)
		}
		action = int(a)
		return nil
	})
	return action, err
}

// Report records the outcome of a connection from ip.
func (s *SYNProtect) Report(ip string, success bool) error {
	ok := C.int(0)
	if success {
		ok = 1
	}
	return s.own.Use(func(p C.SocketSYNProtect_T) error {
		var e C.GoErr
		if C.go_SocketSYNProtect_report(p, ipPtr(ip), C.size_t(len(ip)), ok, &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// listOp runs one list shim returning an int result.
func (s *SYNProtect) listOp(call func(p C.SocketSYNProtect_T, r *C.int, e *C.GoErr) C.int) (yes bool, err error) {
	err = s.own.Use(func(p C.SocketSYNProtect_T) error {
		var r C.int
		var e C.GoErr
		if call(p, &r, &e) != 0 {
			return goError(&e)
		}
		yes = r != 0
		return nil
	})
	return yes, err
}

// WhitelistAdd adds an IP (cidr false) or an "addr/prefix" block.
func (s *SYNProtect) WhitelistAdd(ip string, cidr bool) (bool, error) {
	c := C.int(0)
	if cidr {
		c = 1
	}
	return s.listOp(func(p C.SocketSYNProtect_T, r *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_whitelist_add(p, ipPtr(ip), C.size_t(len(ip)), c, r, e)
	})
}

// WhitelistRemove removes an IP or every entry of an "addr/prefix" block.
func (s *SYNProtect) WhitelistRemove(ip string) error {
	_, err := s.listOp(func(p C.SocketSYNProtect_T, _ *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_whitelist_remove(p, ipPtr(ip), C.size_t(len(ip)), e)
	})
	return err
}

// WhitelistContains reports whether ip is whitelisted (exactly or by CIDR).
func (s *SYNProtect) WhitelistContains(ip string) (bool, error) {
	return s.listOp(func(p C.SocketSYNProtect_T, r *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_whitelist_contains(p, ipPtr(ip), C.size_t(len(ip)), r, e)
	})
}

// BlacklistAdd blacklists ip for durationMS (<= 0: until removed).
func (s *SYNProtect) BlacklistAdd(ip string, durationMS int) (bool, error) {
	return s.listOp(func(p C.SocketSYNProtect_T, r *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_blacklist_add(p, ipPtr(ip), C.size_t(len(ip)), C.int(durationMS), r, e)
	})
}

// BlacklistRemove removes ip from the blacklist.
func (s *SYNProtect) BlacklistRemove(ip string) error {
	_, err := s.listOp(func(p C.SocketSYNProtect_T, _ *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_blacklist_remove(p, ipPtr(ip), C.size_t(len(ip)), e)
	})
	return err
}

// BlacklistContains reports whether ip is blacklisted and unexpired.
func (s *SYNProtect) BlacklistContains(ip string) (bool, error) {
	return s.listOp(func(p C.SocketSYNProtect_T, r *C.int, e *C.GoErr) C.int {
		return C.go_SocketSYNProtect_blacklist_contains(p, ipPtr(ip), C.size_t(len(ip)), r, e)
	})
}

// Stats returns SocketSYNProtect_stats.
func (s *SYNProtect) Stats() (st SYNStats, err error) {
	err = s.own.Use(func(p C.SocketSYNProtect_T) error {
		var c C.SocketSYNProtect_Stats
		var e C.GoErr
		if C.go_SocketSYNProtect_stats(p, &c, &e) != 0 {
			return goError(&e)
		}
		st = SYNStats{
			TotalAttempts: uint64(c.total_attempts), TotalAllowed: uint64(c.total_allowed),
			TotalThrottled: uint64(c.total_throttled), TotalChallenged: uint64(c.total_challenged),
			TotalBlocked: uint64(c.total_blocked), TotalWhitelisted: uint64(c.total_whitelisted),
			TotalBlacklisted: uint64(c.total_blacklisted), TrackedIPs: uint64(c.current_tracked_ips),
			BlockedIPs: uint64(c.current_blocked_ips), LRUEvictions: uint64(c.lru_evictions),
			UptimeMS: int64(c.uptime_ms),
		}
		return nil
	})
	return st, err
}

// Cleanup removes expired blacklist entries (returned) and stale state.
func (s *SYNProtect) Cleanup() (removed uint64, err error) {
	err = s.own.Use(func(p C.SocketSYNProtect_T) error {
		var n C.size_t
		var e C.GoErr
		if C.go_SocketSYNProtect_cleanup(p, &n, &e) != 0 {
			return goError(&e)
		}
		removed = uint64(n)
		return nil
	})
	return removed, err
}

// Reset forgets all state, both lists and the counters.
func (s *SYNProtect) Reset() error {
	return s.own.Use(func(p C.SocketSYNProtect_T) error {
		var e C.GoErr
		if C.go_SocketSYNProtect_reset(p, &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}
