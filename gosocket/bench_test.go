package gosocket

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/libsocket/libsocket/cgo"
)

// BenchmarkShimCall measures the Go→C crossing: "plain" is a shim with no
// TRY and no arguments, "try" a TRY shim with a GoErr (the cost of every
// RAISE-capable call), "raise" a call whose C exception is caught and
// returned as *Error.
func BenchmarkShimCall(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			cgo.MetricCountC()
		}
	})
	b.Run("try", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := cgo.IncrementMetric(0, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raise", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewRateLimiter(0, 0); err == nil {
				b.Fatal("no error")
			}
		}
	})
}

const mib = 1 << 20

func mixedText() []byte {
	var buf bytes.Buffer
	words := []string{"hello", "wörld", "naïve", "日本語", "текст", "😀", "ascii text ", "ελληνικά", "\t", "\n"}
	r := rand.New(rand.NewPCG(7, 8))
	for buf.Len() < mib {
		buf.WriteString(words[r.IntN(len(words))])
		buf.WriteByte(' ')
	}
	b := buf.Bytes()[:mib]
	for !utf8.Valid(b) { // do not end inside a character
		b = b[:len(b)-1]
	}
	return b
}

func BenchmarkValidUTF8(b *testing.B) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"ascii", []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", mib/45+1)[:mib])},
		{"mixed", mixedText()},
	}
	for _, in := range inputs {
		b.Run(in.name+"/gosocket", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if !ValidUTF8(in.data) {
					b.Fatal("invalid")
				}
			}
		})
		b.Run(in.name+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if !utf8.Valid(in.data) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

func BenchmarkBase64(b *testing.B) {
	data := randomBytes(rand.New(rand.NewPCG(9, 10)), mib)
	enc := base64.StdEncoding.EncodeToString(data)
	b.Run("encode/gosocket", func(b *testing.B) {
		b.SetBytes(mib)
		for b.Loop() {
			Base64Encode(data)
		}
	})
	b.Run("encode/stdlib", func(b *testing.B) {
		b.SetBytes(mib)
		for b.Loop() {
			base64.StdEncoding.EncodeToString(data)
		}
	})
	b.Run("decode/gosocket", func(b *testing.B) {
		b.SetBytes(mib)
		for b.Loop() {
			if _, err := Base64Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/stdlib", func(b *testing.B) {
		b.SetBytes(mib)
		for b.Loop() {
			if _, err := base64.StdEncoding.Strict().DecodeString(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
