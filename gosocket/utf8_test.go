package gosocket

import (
	"bufio"
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// anyError marks cases where the header does not say which error applies
// (the C library, like the original, reports lead bytes 0xF5..0xFF as
// UTF8Invalid).
const anyError UTF8Result = -1

// utf8Cases are edge cases with the result the header promises for them.
var utf8Cases = []struct {
	name string
	in   string
	want UTF8Result
}{
	{"empty", "", UTF8Valid},
	{"ascii", "hello, world", UTF8Valid},
	{"nul", "a\x00b", UTF8Valid},
	{"2-byte", "\u00e9", UTF8Valid},
	{"3-byte", "\u20ac", UTF8Valid},
	{"4-byte", "\U0001F600", UTF8Valid},
	{"U+FFFF", "\xef\xbf\xbf", UTF8Valid},
	{"U+10FFFF", "\xf4\x8f\xbf\xbf", UTF8Valid},
	{"U+D7FF", "\xed\x9f\xbf", UTF8Valid},
	{"U+E000", "\xee\x80\x80", UTF8Valid},
	{"mixed", "a\u00e9\u20ac\U0001F600z", UTF8Valid},
	{"stray continuation", "\x80", UTF8Invalid},
	{"continuation after ascii", "a\xbf", UTF8Invalid},
	{"0xFF", "\xff", anyError},
	{"0xC0 lead", "\xc0\x80", anyError},
	{"0xF5 lead", "\xf5\x80\x80\x80", anyError},
	{"5-byte form", "\xf8\x88\x80\x80\x80", anyError},
	{"lead then ascii", "\xe2x\x82", UTF8Invalid},
	{"truncated 2", "\xc3", UTF8Incomplete},
	{"truncated 3", "\xe2\x82", UTF8Incomplete},
	{"truncated 4", "a\xf0\x9f\x98", UTF8Incomplete},
	{"overlong 3", "\xe0\x80\x80", UTF8Overlong},
	{"overlong 3 max", "\xe0\x9f\xbf", UTF8Overlong},
	{"overlong 4", "\xf0\x80\x80\x80", UTF8Overlong},
	{"surrogate D800", "\xed\xa0\x80", UTF8Surrogate},
	{"surrogate DFFF", "\xed\xbf\xbf", UTF8Surrogate},
	{"too large", "\xf4\x90\x80\x80", UTF8TooLarge},
}

func TestValidateUTF8(t *testing.T) {
	for _, tt := range utf8Cases {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			got, err := ValidateUTF8(in)
			if tt.want == anyError {
				if got == UTF8Valid || got == UTF8Incomplete {
					t.Errorf("ValidateUTF8(%q) = %v, want an error", tt.in, got)
				}
			} else if got != tt.want {
				t.Errorf("ValidateUTF8(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if (err == nil) != (got == UTF8Valid) || (err != nil && !errors.Is(err, ErrInvalidUTF8)) {
				t.Errorf("ValidateUTF8(%q) error = %v", tt.in, err)
			}
			if ours, std := ValidUTF8(in), utf8.Valid(in); ours != std {
				t.Errorf("ValidUTF8(%q) = %v, utf8.Valid = %v", tt.in, ours, std)
			}
		})
	}
}

// Every line of Markus Kuhn's decoder stress test, against utf8.Valid.
func TestValidUTF8KuhnStressTest(t *testing.T) {
	path := filepath.Join("..", "tests", "data", "utf8", "UTF-8-test.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("stress test file (tests/data) missing: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines, invalid := 0, 0
	for sc.Scan() {
		line := sc.Bytes()
		lines++
		if !utf8.Valid(line) {
			invalid++
		}
		if ours, std := ValidUTF8(line), utf8.Valid(line); ours != std {
			t.Errorf("line %d %q: ValidUTF8 = %v, utf8.Valid = %v", lines, line, ours, std)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines < 200 || invalid < 50 {
		t.Errorf("read %d lines, %d invalid: not the stress test file?", lines, invalid)
	}
}

// randomUTF8ish returns text that is mostly valid UTF-8 of every length,
// with occasional corruption, so both outcomes are common.
func randomUTF8ish(r *rand.Rand) []byte {
	var b []byte
	for range r.IntN(64) {
		switch r.IntN(10) {
		case 0:
			b = append(b, byte(r.Uint32())) // any byte
		case 1:
			b = utf8.AppendRune(b, rune(r.IntN(0x110000)))
		case 2, 3:
			b = utf8.AppendRune(b, rune(0x80+r.IntN(0x780)))
		case 4:
			b = utf8.AppendRune(b, rune(0x10000+r.IntN(0x100000)))
		default:
			b = append(b, byte(0x20+r.IntN(0x5f)))
		}
	}
	if len(b) > 0 && r.IntN(4) == 0 {
		b = b[:r.IntN(len(b))] // truncate, maybe inside a character
	}
	return b
}

func TestValidUTF8Random(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	valid := 0
	for range 20000 {
		b := randomUTF8ish(r)
		std := utf8.Valid(b)
		if std {
			valid++
		}
		if ours := ValidUTF8(b); ours != std {
			t.Fatalf("ValidUTF8(%q) = %v, utf8.Valid = %v", b, ours, std)
		}
	}
	if valid < 2000 || valid > 18000 {
		t.Errorf("%d of 20000 inputs valid: generator is not mixing outcomes", valid)
	}
	// Long inputs exercise the C fast paths (16-byte ASCII blocks).
	for _, n := range []int{15, 16, 17, 31, 32, 33, 64, 1000, 4099} {
		ascii := bytes.Repeat([]byte("a"), n)
		for i := range n {
			for _, bad := range []byte{0x80, 0xc3, 0xff} {
				b := bytes.Clone(ascii)
				b[i] = bad
				if ours, std := ValidUTF8(b), utf8.Valid(b); ours != std {
					t.Fatalf("len %d, byte %#x at %d: ValidUTF8 = %v, utf8.Valid = %v", n, bad, i, ours, std)
				}
			}
		}
	}
}

// writeSplit writes in to v in pieces ending at the given cut points and
// returns the first Write error.
func writeSplit(v *Validator, in []byte, cuts []int) error {
	prev := 0
	for _, c := range append(cuts, len(in)) {
		n, err := v.Write(in[prev:c])
		if err != nil {
			return err
		}
		if n != c-prev {
			return errors.New("short write without error")
		}
		prev = c
	}
	return nil
}

func TestValidatorSplits(t *testing.T) {
	for _, tt := range utf8Cases {
		in := []byte(tt.in + "\u00e9\U0001F600" + tt.in) // the case again after a boundary
		want, _ := ValidateUTF8(in)
		// Every single cut and every pair of cuts.
		for i := 0; i <= len(in); i++ {
			for j := i; j <= len(in); j++ {
				var v Validator
				werr := writeSplit(&v, in, []int{i, j})
				cerr := v.Close()
				if got := v.Result(); got != want {
					t.Fatalf("%s cut at %d,%d: Result = %v, want %v", tt.name, i, j, got, want)
				}
				if (cerr == nil) != (want == UTF8Valid) {
					t.Fatalf("%s cut at %d,%d: Close = %v, want valid=%v", tt.name, i, j, cerr, want == UTF8Valid)
				}
				if werr != nil && (want == UTF8Valid || want == UTF8Incomplete) {
					t.Fatalf("%s cut at %d,%d: Write failed on a valid prefix: %v", tt.name, i, j, werr)
				}
			}
		}
	}
}

func TestValidatorLifecycle(t *testing.T) {
	var v Validator
	if n, err := v.Write([]byte("h\xc3")); n != 2 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if v.Result() != UTF8Incomplete {
		t.Errorf("Result = %v, want incomplete", v.Result())
	}
	err := v.Close()
	if !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("Close = %v, want an ErrInvalidUTF8 error", err)
	}
	if again := v.Close(); again != err {
		t.Errorf("second Close = %v, want %v", again, err)
	}
	if _, err := v.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want an ErrClosed error", err)
	}

	v.Reset()
	if _, err := v.Write([]byte("\xed\xa0\x80")); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("Write(surrogate) = %v", err)
	}
	if n, err := v.Write([]byte("fine")); n != 0 || err == nil {
		t.Errorf("Write after an error = %d, %v; want the sticky error", n, err)
	}
	if v.Result() != UTF8Surrogate {
		t.Errorf("Result = %v, want surrogate", v.Result())
	}

	v.Reset()
	if _, err := v.Write([]byte("ok \u00e9")); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}
