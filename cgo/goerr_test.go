//go:build cgo

package cgo

import "testing"

func TestTrimNoErrno(t *testing.T) {
	for in, want := range map[string]string{
		"Connect failed (errno: 0 - Success)":              "Connect failed",
		"Connect failed (errno: 111 - Connection refused)": "Connect failed (errno: 111 - Connection refused)",
		"plain":                            "plain",
		"a (errno: 0 - Success) then more": "a (errno: 0 - Success) then more",
		"Bind failed for x:1 (errno: 0 - Unknown error 0)": "Bind failed for x:1",
		"truncated reason (errno: 0 - Succ...":             "truncated reason (errno: 0 - Succ...",
	} {
		if got := trimNoErrno(in); got != want {
			t.Errorf("trimNoErrno(%q) = %q, want %q", in, got, want)
		}
	}
}
