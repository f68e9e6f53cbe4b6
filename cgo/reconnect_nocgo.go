//go:build !cgo

package cgo

type Reconnect struct{}

func ReconnectPolicyDefaults() (ReconnectPolicy, error)             { return ReconnectPolicy{}, ErrNoCgo }
func NewReconnect(string, int, ReconnectPolicy) (*Reconnect, error) { return nil, ErrNoCgo }
func (*Reconnect) Close()                                           {}
func (*Reconnect) Step(int, int) (ReconnectStatus, error)           { return ReconnectStatus{}, ErrNoCgo }
func ReconnectStateName(int) string                                 { panic(ErrNoCgo) }
