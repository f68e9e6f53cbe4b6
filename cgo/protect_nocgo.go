//go:build !cgo

package cgo

type IPTracker struct{}

func NewIPTracker(int, uint64) (*IPTracker, error)    { return nil, ErrNoCgo }
func (*IPTracker) Close()                             {}
func (*IPTracker) Track(string) (bool, error)         { return false, ErrNoCgo }
func (*IPTracker) Release(string) error               { return ErrNoCgo }
func (*IPTracker) Count(string) (int, error)          { return 0, ErrNoCgo }
func (*IPTracker) SetMax(int) error                   { return ErrNoCgo }
func (*IPTracker) Info() (int, uint64, uint64, error) { return 0, 0, 0, ErrNoCgo }
func (*IPTracker) Clear() error                       { return ErrNoCgo }

type SYNProtect struct{}

func DefaultSYNConfig() (SYNConfig, error)                  { return SYNConfig{}, ErrNoCgo }
func NewSYNProtect(*SYNConfig) (*SYNProtect, error)         { return nil, ErrNoCgo }
func (*SYNProtect) Close()                                  {}
func (*SYNProtect) Check(string) (int, error)               { return 0, ErrNoCgo }
func (*SYNProtect) Report(string, bool) error               { return ErrNoCgo }
func (*SYNProtect) WhitelistAdd(string, bool) (bool, error) { return false, ErrNoCgo }
func (*SYNProtect) WhitelistRemove(string) error            { return ErrNoCgo }
func (*SYNProtect) WhitelistContains(string) (bool, error)  { return false, ErrNoCgo }
func (*SYNProtect) BlacklistAdd(string, int) (bool, error)  { return false, ErrNoCgo }
func (*SYNProtect) BlacklistRemove(string) error            { return ErrNoCgo }
func (*SYNProtect) BlacklistContains(string) (bool, error)  { return false, ErrNoCgo }
func (*SYNProtect) Stats() (SYNStats, error)                { return SYNStats{}, ErrNoCgo }
func (*SYNProtect) Cleanup() (uint64, error)                { return 0, ErrNoCgo }
func (*SYNProtect) Reset() error                            { return ErrNoCgo }
