//go:build !cgo

package cgo

// Without cgo there is no C core: functions with an error result return
// ErrNoCgo, the others panic with it.

import "syscall"

func SHA1([]byte) (sum [SHA1Size]byte, err error)              { return sum, ErrNoCgo }
func SHA256([]byte) (sum [SHA256Size]byte, err error)          { return sum, ErrNoCgo }
func MD5([]byte) (sum [MD5Size]byte, err error)                { return sum, ErrNoCgo }
func HMACSHA256(_, _ []byte) (sum [SHA256Size]byte, err error) { return sum, ErrNoCgo }
func Base64Encode(_, _ []byte) int                             { panic(ErrNoCgo) }
func Base64DecodeString([]byte, string) int                    { panic(ErrNoCgo) }
func HexEncode(_, _ []byte, _ bool) error                      { return ErrNoCgo }
func HexDecodeString([]byte, string) int                       { panic(ErrNoCgo) }
func RandomBytes([]byte) error                                 { return ErrNoCgo }
func RandomUint32() (uint32, error)                            { return 0, ErrNoCgo }
func WebSocketKey() (string, error)                            { return "", ErrNoCgo }
func WebSocketAccept(string) (string, error)                   { return "", ErrNoCgo }
func SecureCompare(_, _ []byte) bool                           { panic(ErrNoCgo) }

func ValidateUTF8([]byte) int     { panic(ErrNoCgo) }
func UTF8ResultString(int) string { panic(ErrNoCgo) }

type UTF8State struct{}

func (*UTF8State) Update([]byte) (int, error) { return UTF8Invalid, ErrNoCgo }
func (*UTF8State) Finish() (int, error)       { return UTF8Invalid, ErrNoCgo }
func (*UTF8State) Reset() error               { return ErrNoCgo }

type RateLimiter struct{}

func NewRateLimiter(_, _ uint64) (*RateLimiter, error)         { return nil, ErrNoCgo }
func (*RateLimiter) Close()                                    {}
func (*RateLimiter) TryAcquire(uint64) (bool, error)           { return false, ErrNoCgo }
func (*RateLimiter) AcquireOrWait(uint64) (bool, int64, error) { return false, 0, ErrNoCgo }
func (*RateLimiter) WaitTime(uint64) (int64, error)            { return 0, ErrNoCgo }
func (*RateLimiter) Available() (uint64, error)                { return 0, ErrNoCgo }
func (*RateLimiter) Reset() error                              { return ErrNoCgo }
func (*RateLimiter) Configure(_, _ uint64) error               { return ErrNoCgo }
func (*RateLimiter) Params() (uint64, uint64, error)           { return 0, 0, ErrNoCgo }

func MetricsSnapshot() (snap [MetricCount]uint64, err error) { return snap, ErrNoCgo }
func ResetMetrics() error                                    { return ErrNoCgo }
func IncrementMetric(int, uint64) error                      { return ErrNoCgo }
func MetricCountC() int                                      { panic(ErrNoCgo) }
func MetricName(int) string                                  { panic(ErrNoCgo) }
func LastError() (string, syscall.Errno)                     { panic(ErrNoCgo) }
func VersionString() string                                  { panic(ErrNoCgo) }

func SetLogSink(LogSink) error                { return ErrNoCgo }
func LogEmit(int, string, string) error       { return ErrNoCgo }
func DiscardLogs()                            {}
func LogLevelName(int) string                 { panic(ErrNoCgo) }
func SetEventHandler(EventHandler) error      { return ErrNoCgo }
func EmitEvent(Event) error                   { return ErrNoCgo }
func CallbackStats() (dropped, failed uint64) { return 0, 0 }
func InvokeCallback(func() error) error       { return ErrNoCgo }

func logInsideNocallback(string) { panic(ErrNoCgo) }
