package http1_test

import (
	"testing"

	"github.com/libsocket/libsocket/gosocket/http1"
)

func fuzzSeeds(f *testing.F, response bool) {
	for _, c := range splitCases {
		if c.response == response {
			f.Add([]byte(c.input), uint16(len(c.input)/2))
		}
	}
	for _, fx := range loadFixtures(f) {
		if fx.response == response {
			f.Add(fx.input, uint16(len(fx.input)/3))
		}
	}
}

// fuzzSplits: the outcome (heads, bodies, trailers, errors with their
// offsets, keep-alive, end of input) of the whole input equals the
// outcome with a split at cut, and byte by byte for short inputs. Lenient
// mode with obs-fold is exercised when the cut is odd.
func fuzzSplits(t *testing.T, response bool, data []byte, cut uint16) {
	var cfg *http1.Config
	if cut%2 == 1 {
		cfg = &http1.Config{Lenient: true, AllowObsFold: true}
	}
	want := outcome(t, response, cfg, [][]byte{data})
	if len(data) > 0 {
		i := int(cut) % len(data)
		if got := outcome(t, response, cfg, [][]byte{data[:i], data[i:]}); got != want {
			t.Fatalf("split at %d:\n%s\nwhole:\n%s", i, got, want)
		}
	}
	if len(data) <= 256 {
		bytewise := make([][]byte, len(data))
		for i := range data {
			bytewise[i] = data[i : i+1]
		}
		if got := outcome(t, response, cfg, bytewise); got != want {
			t.Fatalf("byte by byte:\n%s\nwhole:\n%s", got, want)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) { fuzzSplits(t, false, data, cut) })
}

func FuzzParseResponse(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) { fuzzSplits(t, true, data, cut) })
}
