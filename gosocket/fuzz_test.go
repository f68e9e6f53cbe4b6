package gosocket

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzValidUTF8(f *testing.F) {
	for _, tt := range utf8Cases {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ours, std := ValidUTF8(b), utf8.Valid(b); ours != std {
			t.Fatalf("ValidUTF8(%q) = %v, utf8.Valid = %v", b, ours, std)
		}
		r, err := ValidateUTF8(b)
		if (r == UTF8Valid) != utf8.Valid(b) || (err == nil) != (r == UTF8Valid) {
			t.Fatalf("ValidateUTF8(%q) = %v, %v", b, r, err)
		}
	})
}

// The incremental validator agrees with the one-shot one for any split:
// same verdict and same result kind. Each byte of cuts is the length of
// the next piece (mod 17, so empty pieces occur).
func FuzzValidatorSplits(f *testing.F) {
	for _, tt := range utf8Cases {
		f.Add([]byte(tt.in+"\u00e9"+tt.in), []byte{1, 2, 3})
	}
	f.Add([]byte("\U0001F600\U0001F600"), []byte{3, 0, 2})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		want, _ := ValidateUTF8(data)
		var v Validator
		rest := data
		for _, c := range cuts {
			n := min(int(c%17), len(rest))
			if _, err := v.Write(rest[:n]); err != nil {
				break
			}
			rest = rest[n:]
		}
		if v.Result() == UTF8Valid || v.Result() == UTF8Incomplete {
			v.Write(rest)
		}
		err := v.Close()
		if got := v.Result(); got != want {
			t.Fatalf("data %q cuts %v: incremental %v, one-shot %v", data, cuts, got, want)
		}
		if (err == nil) != (want == UTF8Valid) {
			t.Fatalf("data %q cuts %v: Close = %v with one-shot %v", data, cuts, err, want)
		}
	})
}

// Our decoder against base64.StdEncoding.Strict() on input without
// whitespace (ours skips ASCII whitespace, Go's skips only CR and LF).
// Deliberate difference: ours accepts a missing final padding, so input
// without '=' that Std rejects must decode as RawStdEncoding.Strict() does.
func FuzzBase64Decode(f *testing.F) {
	for _, s := range []string{"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
		"Zg", "Zm8", "Zg=", "Zh==", "Z", "Zg==Zg==", "====", "dGhlIHNhbXBsZSBub25jZQ==", "-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, " \t\r\n\v\f") {
			t.Skip("whitespace handling differs by design")
		}
		want, err := base64.StdEncoding.Strict().DecodeString(s)
		ok := err == nil
		if !ok && !strings.Contains(s, "=") {
			want, err = base64.RawStdEncoding.Strict().DecodeString(s)
			ok = err == nil
		}
		got, gerr := Base64Decode(s)
		if (gerr == nil) != ok {
			t.Fatalf("Base64Decode(%q) error = %v, want ok=%v", s, gerr, ok)
		}
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("Base64Decode(%q) = %x, want %x", s, got, want)
		}
		if ok && !strings.HasSuffix(s, "=") && len(s)%4 == 0 || ok && strings.HasSuffix(s, "=") {
			if enc := Base64Encode(got); enc != s {
				t.Fatalf("Base64Encode(Base64Decode(%q)) = %q", s, enc)
			}
		}
	})
}

func FuzzHexDecode(f *testing.F) {
	for _, s := range []string{"", "666f6f626172", "666F6F", "abc", "zz", "0g", "00ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := hex.DecodeString(s)
		got, gerr := HexDecode(s)
		if (gerr == nil) != (err == nil) {
			t.Fatalf("HexDecode(%q) error = %v, encoding/hex error = %v", s, gerr, err)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("HexDecode(%q) = %x, want %x", s, got, want)
		}
	})
}
