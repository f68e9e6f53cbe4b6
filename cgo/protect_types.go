package cgo

// IPTrackers and SYNProtects count the C objects not yet freed.
var (
	IPTrackers  = NewKind("IPTracker")
	SYNProtects = NewKind("SYNProtect")
)

// SYNConfig mirrors SocketSYNProtect_Config.
type SYNConfig struct {
	WindowMS             int
	MaxAttemptsPerWindow int
	MaxGlobalPerSecond   int
	MinSuccessRatio      float32
	ThrottleDelayMS      int
	BlockDurationMS      int
	ChallengeDeferSec    int
	ScoreThrottle        float32
	ScoreChallenge       float32
	ScoreBlock           float32
	ScoreDecayPerSec     float32
	PenaltyAttempt       float32
	PenaltyFailure       float32
	RewardSuccess        float32
	MaxTrackedIPs        uint64
	MaxWhitelist         uint64
	MaxBlacklist         uint64
}

// SYNStats mirrors SocketSYNProtect_Stats.
type SYNStats struct {
	TotalAttempts, TotalAllowed, TotalThrottled, TotalChallenged uint64
	TotalBlocked, TotalWhitelisted, TotalBlacklisted             uint64
	TrackedIPs, BlockedIPs, LRUEvictions                         uint64
	UptimeMS                                                     int64
}

// SYN_ACTION_* values of SocketSYN_Action.
const (
	SYNActionAllow     = 0
	SYNActionThrottle  = 1
	SYNActionChallenge = 2
	SYNActionBlock     = 3
)
