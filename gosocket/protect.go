package gosocket

// Per-IP connection limits (SocketIPTracker) and connection-attempt
// protection (SocketSYNProtect), and ProtectListener, which applies both
// on Accept of any net.Listener.

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// IPTracker counts connections per client IP against a per-IP limit.
// Addresses are canonicalised ("::ffff:10.0.0.1" is 10.0.0.1); at most
// MaxUnique distinct IPs are tracked and new ones beyond that are refused.
// It is safe for concurrent use and holds C memory: call Close.
type IPTracker struct {
	t *cgo.IPTracker
}

// NewIPTracker allows maxPerIP connections per IP (0: unlimited) and
// tracks at most maxUnique distinct IPs (0: the C default, 100000).
func NewIPTracker(maxPerIP, maxUnique int) (*IPTracker, error) {
	if maxUnique < 0 {
		return nil, &Error{Op: "NewIPTracker", Msg: "negative maxUnique", Kind: ErrIPTracker}
	}
	t, err := cgo.NewIPTracker(maxPerIP, uint64(maxUnique))
	if err != nil {
		return nil, wrapErr("NewIPTracker", err, ErrIPTracker)
	}
	return &IPTracker{t: t}, nil
}

// Track counts one connection from ip and reports whether the limits
// allowed it ("" is always allowed and not counted). It returns false
// after Close and for a string holding a NUL byte.
func (t *IPTracker) Track(ip string) bool {
	ok, err := t.t.Track(ip)
	return err == nil && ok
}

// Release forgets one connection from ip (no-op if none is counted).
func (t *IPTracker) Release(ip string) { _ = t.t.Release(ip) }

// Count is the number of connections counted for ip (0 after Close).
func (t *IPTracker) Count(ip string) int {
	n, _ := t.t.Count(ip)
	return n
}

// SetMax changes the per-IP limit (0: unlimited); counts above it stay.
func (t *IPTracker) SetMax(maxPerIP int) error {
	return wrapErr("IPTracker.SetMax", t.t.SetMax(maxPerIP), ErrIPTracker)
}

// Max is the per-IP limit (0: unlimited).
func (t *IPTracker) Max() int {
	m, _, _, _ := t.t.Info()
	return m
}

// Total is the number of connections counted over all IPs.
func (t *IPTracker) Total() int {
	_, total, _, _ := t.t.Info()
	return int(total)
}

// UniqueIPs is the number of IPs with at least one connection.
func (t *IPTracker) UniqueIPs() int {
	_, _, unique, _ := t.t.Info()
	return int(unique)
}

// Clear forgets every connection; the limits stay.
func (t *IPTracker) Clear() { _ = t.t.Clear() }

// Close frees the tracker; it is idempotent.
func (t *IPTracker) Close() error {
	t.t.Close()
	return nil
}

// SYNAction is SYNProtect's decision for one connection attempt.
type SYNAction int

// The actions, in increasing severity (SocketSYN_Action values).
const (
	SYNAllow     SYNAction = cgo.SYNActionAllow
	SYNThrottle  SYNAction = cgo.SYNActionThrottle
	SYNChallenge SYNAction = cgo.SYNActionChallenge
	SYNBlock     SYNAction = cgo.SYNActionBlock
)

func (a SYNAction) String() string {
	switch a {
	case SYNAllow:
		return "ALLOW"
	case SYNThrottle:
		return "THROTTLE"
	case SYNChallenge:
		return "CHALLENGE"
	case SYNBlock:
		return "BLOCK"
	}
	return "UNKNOWN"
}

// SYNProtectConfig is SocketSYNProtect_Config; start from
// DefaultSYNProtectConfig. Durations are truncated to milliseconds.
type SYNProtectConfig struct {
	Window               time.Duration // sliding window
	MaxAttemptsPerWindow int           // weighted attempts above this: block
	MaxGlobalPerSecond   int           // cap on checks of unlisted IPs, > 0
	MinSuccessRatio      float32       // for the caller
	ThrottleDelay        time.Duration // ProtectListener's delay for THROTTLE
	BlockDuration        time.Duration // how long a block lasts
	ChallengeDefer       time.Duration // for the caller (whole seconds)
	ScoreThrottle        float32       // below: THROTTLE
	ScoreChallenge       float32       // below: CHALLENGE
	ScoreBlock           float32       // below: BLOCK
	ScoreDecayPerSec     float32       // recovery per idle second
	PenaltyAttempt       float32       // per attempt
	PenaltyFailure       float32       // per ReportFailure
	RewardSuccess        float32       // per ReportSuccess
	MaxTrackedIPs        int           // per-IP states kept (LRU eviction)
	MaxWhitelist         int
	MaxBlacklist         int
}

// DefaultSYNProtectConfig returns the C library's defaults (10 s window,
// 50 attempts, 1000/s global, 60 s blocks, thresholds 0.7/0.4/0.2, ...).
func DefaultSYNProtectConfig() SYNProtectConfig {
	c, err := cgo.DefaultSYNConfig()
	c = must("DefaultSYNProtectConfig", c, err)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return SYNProtectConfig{
		Window: ms(c.WindowMS), MaxAttemptsPerWindow: c.MaxAttemptsPerWindow,
		MaxGlobalPerSecond: c.MaxGlobalPerSecond, MinSuccessRatio: c.MinSuccessRatio,
		ThrottleDelay: ms(c.ThrottleDelayMS), BlockDuration: ms(c.BlockDurationMS),
		ChallengeDefer: time.Duration(c.ChallengeDeferSec) * time.Second,
		ScoreThrottle:  c.ScoreThrottle, ScoreChallenge: c.ScoreChallenge, ScoreBlock: c.ScoreBlock,
		ScoreDecayPerSec: c.ScoreDecayPerSec, PenaltyAttempt: c.PenaltyAttempt,
		PenaltyFailure: c.PenaltyFailure, RewardSuccess: c.RewardSuccess,
		MaxTrackedIPs: int(c.MaxTrackedIPs), MaxWhitelist: int(c.MaxWhitelist),
		MaxBlacklist: int(c.MaxBlacklist),
	}
}

func clampInt(d time.Duration, unit time.Duration) int {
	v := d / unit
	if v > 1<<31-1 {
		return 1<<31 - 1
	}
	return int(v)
}

func nonNeg(n int) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}

// SYNProtect decides per connection attempt from per-IP sliding-window
// counts, a reputation score, white/blacklists (CIDR for the whitelist)
// and a global rate cap. It never touches sockets itself; see
// ProtectListener. Safe for concurrent use; holds C memory: call Close.
type SYNProtect struct {
	p             *cgo.SYNProtect
	throttleDelay time.Duration
}

// NewSYNProtect creates an instance; nil means DefaultSYNProtectConfig.
// A MaxGlobalPerSecond <= 0 is an error matching ErrSYNProtect.
func NewSYNProtect(cfg *SYNProtectConfig) (*SYNProtect, error) {
	if cfg == nil {
		d := DefaultSYNProtectConfig()
		cfg = &d
	}
	c := cgo.SYNConfig{
		WindowMS: clampInt(cfg.Window, time.Millisecond), MaxAttemptsPerWindow: cfg.MaxAttemptsPerWindow,
		MaxGlobalPerSecond: cfg.MaxGlobalPerSecond, MinSuccessRatio: cfg.MinSuccessRatio,
		ThrottleDelayMS:   clampInt(cfg.ThrottleDelay, time.Millisecond),
		BlockDurationMS:   clampInt(cfg.BlockDuration, time.Millisecond),
		ChallengeDeferSec: clampInt(cfg.ChallengeDefer, time.Second),
		ScoreThrottle:     cfg.ScoreThrottle, ScoreChallenge: cfg.ScoreChallenge, ScoreBlock: cfg.ScoreBlock,
		ScoreDecayPerSec: cfg.ScoreDecayPerSec, PenaltyAttempt: cfg.PenaltyAttempt,
		PenaltyFailure: cfg.PenaltyFailure, RewardSuccess: cfg.RewardSuccess,
		MaxTrackedIPs: nonNeg(cfg.MaxTrackedIPs), MaxWhitelist: nonNeg(cfg.MaxWhitelist),
		MaxBlacklist: nonNeg(cfg.MaxBlacklist),
	}
	p, err := cgo.NewSYNProtect(&c)
	if err != nil {
		return nil, wrapErr("NewSYNProtect", err, ErrSYNProtect)
	}
	return &SYNProtect{p: p, throttleDelay: cfg.ThrottleDelay}, nil
}

// Check decides on one connection attempt from ip. "" is ALLOW and not
// counted; after Close (or for a string with a NUL byte) it is BLOCK.
func (s *SYNProtect) Check(ip string) SYNAction {
	a, err := s.p.Check(ip)
	if err != nil {
		return SYNBlock
	}
	return SYNAction(a)
}

// ReportSuccess records a completed connection from ip (raises its score).
func (s *SYNProtect) ReportSuccess(ip string) { _ = s.p.Report(ip, true) }

// ReportFailure records a failed connection from ip (lowers its score).
func (s *SYNProtect) ReportFailure(ip string) { _ = s.p.Report(ip, false) }

// WhitelistAdd whitelists one IP; false if the whitelist is full.
func (s *SYNProtect) WhitelistAdd(ip string) bool {
	ok, err := s.p.WhitelistAdd(ip, false)
	return err == nil && ok
}

// WhitelistAddCIDR whitelists an "addr/prefix" block (IPv4 or IPv6);
// false if it is malformed or the whitelist is full.
func (s *SYNProtect) WhitelistAddCIDR(cidr string) bool {
	ok, err := s.p.WhitelistAdd(cidr, true)
	return err == nil && ok
}

// WhitelistRemove removes an IP, or every entry of an "addr/prefix" block.
func (s *SYNProtect) WhitelistRemove(ipOrCIDR string) { _ = s.p.WhitelistRemove(ipOrCIDR) }

// WhitelistContains reports whether ip is whitelisted (exactly or by CIDR).
func (s *SYNProtect) WhitelistContains(ip string) bool {
	ok, err := s.p.WhitelistContains(ip)
	return err == nil && ok
}

// BlacklistAdd blocks ip for d (d <= 0: until removed); false if the
// blacklist is full.
func (s *SYNProtect) BlacklistAdd(ip string, d time.Duration) bool {
	ok, err := s.p.BlacklistAdd(ip, clampInt(d, time.Millisecond))
	return err == nil && ok
}

// BlacklistRemove unblocks ip.
func (s *SYNProtect) BlacklistRemove(ip string) { _ = s.p.BlacklistRemove(ip) }

// BlacklistContains reports whether ip is blacklisted and unexpired.
func (s *SYNProtect) BlacklistContains(ip string) bool {
	ok, err := s.p.BlacklistContains(ip)
	return err == nil && ok
}

// SYNProtectStats is SocketSYNProtect_Stats.
type SYNProtectStats = cgo.SYNStats

// Stats returns the counters (zero after Close).
func (s *SYNProtect) Stats() SYNProtectStats {
	st, _ := s.p.Stats()
	return st
}

// Cleanup drops expired blacklist entries (returned) and stale per-IP state.
func (s *SYNProtect) Cleanup() int {
	n, _ := s.p.Cleanup()
	return int(n)
}

// Reset forgets all per-IP state, both lists and the counters.
func (s *SYNProtect) Reset() { _ = s.p.Reset() }

// Close frees the instance; it is idempotent.
func (s *SYNProtect) Close() error {
	s.p.Close()
	return nil
}

// ProtectListener wraps l so that Accept applies syn and ips (either may
// be nil) to each accepted connection's remote IP: BLOCK and CHALLENGE
// close the connection (it has completed its handshake, so no cheaper
// challenge is left at this point), THROTTLE delays it by the config's
// ThrottleDelay, ALLOW passes; an accepted connection is reported as a
// success. With ips, a connection over the per-IP limit is closed, and the
// returned connection's Close releases its count. Rejected connections
// are never returned; Accept waits for the next one. The caller keeps
// ownership of syn and ips (close them after the listener).
func ProtectListener(l net.Listener, syn *SYNProtect, ips *IPTracker) net.Listener {
	return &protectedListener{Listener: l, syn: syn, ips: ips}
}

type protectedListener struct {
	net.Listener
	syn *SYNProtect
	ips *IPTracker
}

func remoteIP(a net.Addr) string {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap().WithZone("").String()
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

func (l *protectedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr())
		if l.syn != nil {
			switch l.syn.Check(ip) {
			case SYNBlock, SYNChallenge:
				c.Close()
				continue
			case SYNThrottle:
				time.Sleep(l.syn.throttleDelay)
			}
		}
		if l.ips != nil && !l.ips.Track(ip) {
			c.Close()
			continue
		}
		if l.syn != nil {
			l.syn.ReportSuccess(ip)
		}
		if l.ips == nil {
			return c, nil
		}
		return &trackedConn{Conn: c, ips: l.ips, ip: ip}, nil
	}
}

type trackedConn struct {
	net.Conn
	ips  *IPTracker
	ip   string
	once sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.ips.Release(c.ip) })
	return err
}
