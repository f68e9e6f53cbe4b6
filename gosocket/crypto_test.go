package gosocket

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Vectors: FIPS 180-2 / RFC 3174 (SHA-1), FIPS 180-2 (SHA-256), RFC 1321
// (MD5).
func TestDigestVectors(t *testing.T) {
	const abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
	million := strings.Repeat("a", 1_000_000)
	tests := []struct {
		name, in, want string
		fn             func([]byte) []byte
	}{
		{"sha1/empty", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709", sha1Of},
		{"sha1/abc", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d", sha1Of},
		{"sha1/448", abc448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", sha1Of},
		{"sha1/million", million, "34aa973cd4c4daa4f61eeb2bdbad27316534016f", sha1Of},
		{"sha256/empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha256Of},
		{"sha256/abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256Of},
		{"sha256/448", abc448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", sha256Of},
		{"sha256/million", million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", sha256Of},
		{"md5/empty", "", "d41d8cd98f00b204e9800998ecf8427e", md5Of},
		{"md5/a", "a", "0cc175b9c0f1b6a831c399e269772661", md5Of},
		{"md5/abc", "abc", "900150983cd24fb0d6963f7d28e17f72", md5Of},
		{"md5/message digest", "message digest", "f96b697d7cb7938d525a2f31aaf161d0", md5Of},
		{"md5/alphabet", "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b", md5Of},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hex.EncodeToString(tt.fn([]byte(tt.in))); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func sha1Of(b []byte) []byte   { s := SHA1(b); return s[:] }
func sha256Of(b []byte) []byte { s := SHA256(b); return s[:] }
func md5Of(b []byte) []byte    { s := MD5(b); return s[:] }

// RFC 4231 test cases 1, 2, 3, 4, 6 and 7.
func TestHMACSHA256Vectors(t *testing.T) {
	tests := []struct {
		name      string
		key, data []byte
		want      string
	}{
		{"tc1", bytes.Repeat([]byte{0x0b}, 20), []byte("Hi There"),
			"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{"tc2", []byte("Jefe"), []byte("what do ya want for nothing?"),
			"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"tc3", bytes.Repeat([]byte{0xaa}, 20), bytes.Repeat([]byte{0xdd}, 50),
			"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
		{"tc4", unhex(t, "0102030405060708090a0b0c0d0e0f10111213141516171819"), bytes.Repeat([]byte{0xcd}, 50),
			"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
		{"tc6", bytes.Repeat([]byte{0xaa}, 131), []byte("Test Using Larger Than Block-Size Key - Hash Key First"),
			"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{"tc7", bytes.Repeat([]byte{0xaa}, 131), []byte("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
			"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
		{"empty", nil, nil, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := HMACSHA256(tt.key, tt.data)
			if got := hex.EncodeToString(sum[:]); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// Random inputs against the Go standard library.
func TestCryptoMatchesStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		n := i
		if i%50 == 0 {
			n = r.IntN(1 << 16)
		}
		data := randomBytes(r, n)
		key := randomBytes(r, r.IntN(200))

		if got, want := SHA1(data), sha1.Sum(data); got != want {
			t.Fatalf("SHA1(len %d) = %x, want %x", n, got, want)
		}
		if got, want := SHA256(data), sha256.Sum256(data); got != want {
			t.Fatalf("SHA256(len %d) = %x, want %x", n, got, want)
		}
		if got, want := MD5(data), md5.Sum(data); got != want {
			t.Fatalf("MD5(len %d) = %x, want %x", n, got, want)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(data)
		if got := HMACSHA256(key, data); !bytes.Equal(got[:], mac.Sum(nil)) {
			t.Fatalf("HMACSHA256(key len %d, len %d) = %x, want %x", len(key), n, got, mac.Sum(nil))
		}
		enc := Base64Encode(data)
		if want := base64.StdEncoding.EncodeToString(data); enc != want {
			t.Fatalf("Base64Encode(len %d) = %q, want %q", n, enc, want)
		}
		dec, err := Base64Decode(enc)
		if err != nil || !bytes.Equal(dec, data) {
			t.Fatalf("Base64Decode(Base64Encode(len %d)) = %x, %v", n, dec, err)
		}
		hx := HexEncode(data)
		if want := hex.EncodeToString(data); hx != want {
			t.Fatalf("HexEncode(len %d) = %q, want %q", n, hx, want)
		}
		back, err := HexDecode(strings.ToUpper(hx))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("HexDecode(upper) of len %d = %x, %v", n, back, err)
		}
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// RFC 4648 section 10, plus the decoder's documented strictness.
func TestBase64(t *testing.T) {
	for _, v := range []struct{ plain, enc string }{
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	} {
		if got := Base64Encode([]byte(v.plain)); got != v.enc {
			t.Errorf("Base64Encode(%q) = %q, want %q", v.plain, got, v.enc)
		}
	}
	tests := []struct {
		in   string
		want string // decoded bytes; ignored when wantErr
		err  bool
	}{
		{in: "Zm9vYmFy", want: "foobar"},
		{in: "Zg==", want: "f"},
		{in: "Zg", want: "f"},                   // missing final padding is accepted
		{in: "Zm8", want: "fo"},                 // likewise
		{in: " Zm9v\r\nYmFy\t", want: "foobar"}, // ASCII whitespace is skipped
		{in: "Zg=", err: true},                  // partial padding
		{in: "Zh==", err: true},                 // non-zero unused bits
		{in: "Zm9=", err: true},                 // non-zero unused bits
		{in: "Z", err: true},                    // a lone sextet
		{in: "Zg==Zg==", err: true},             // data after padding
		{in: "====", err: true},
		{in: "Zm9v!", err: true},
		{in: "Zm9v-_", err: true}, // URL alphabet
		{in: "Zg===", err: true},
	}
	for _, tt := range tests {
		got, err := Base64Decode(tt.in)
		if tt.err {
			if err == nil || !errors.Is(err, ErrInvalidInput) {
				t.Errorf("Base64Decode(%q) = %q, %v; want an ErrInvalidInput error", tt.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("Base64Decode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestHex(t *testing.T) {
	if got := HexEncode([]byte("foobar")); got != "666f6f626172" { // RFC 4648 section 10
		t.Errorf("HexEncode(foobar) = %q", got)
	}
	if got := HexEncode(nil); got != "" {
		t.Errorf("HexEncode(nil) = %q", got)
	}
	tests := []struct {
		in   string
		want []byte
		err  bool
	}{
		{in: "", want: []byte{}},
		{in: "666F6f", want: []byte("foo")},
		{in: "00ff", want: []byte{0, 0xff}},
		{in: "abc", err: true},
		{in: "zz", err: true},
		{in: "0g", err: true},
		{in: " 00", err: true},
	}
	for _, tt := range tests {
		got, err := HexDecode(tt.in)
		if tt.err {
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("HexDecode(%q) = %x, %v; want an ErrInvalidInput error", tt.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("HexDecode(%q): %v", tt.in, err)
		} else if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("HexDecode(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestWebSocketAccept(t *testing.T) {
	// RFC 6455 section 1.3.
	got, err := WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ==")
	if err != nil || got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("WebSocketAccept(RFC sample) = %q, %v", got, err)
	}
	for _, bad := range []string{
		"", "short", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ==x",
		"dGhlIHNhbXBsZSBub25jZ Q=", "dGhlIHNhbXBsZSBub25jZQ!=", "Zm9vYmFyZm9vYmFyZm9vYmFy",
		strings.Repeat("A", 100),
	} {
		if got, err := WebSocketAccept(bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("WebSocketAccept(%q) = %q, %v; want an ErrInvalidInput error", bad, got, err)
		}
	}
}

func TestWebSocketKey(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		key, err := WebSocketKey()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(key)
		if err != nil || len(raw) != 16 {
			t.Fatalf("WebSocketKey() = %q: not the Base64 of 16 bytes (%d, %v)", key, len(raw), err)
		}
		if seen[key] {
			t.Fatalf("WebSocketKey() repeated %q", key)
		}
		seen[key] = true
		accept, err := WebSocketAccept(key)
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		if want := base64.StdEncoding.EncodeToString(sum[:]); err != nil || accept != want {
			t.Fatalf("WebSocketAccept(%q) = %q, %v; want %q", key, accept, err, want)
		}
	}
}

func TestRandomBytes(t *testing.T) {
	a, b := make([]byte, 64), make([]byte, 64)
	if err := RandomBytes(a); err != nil {
		t.Fatal(err)
	}
	if err := RandomBytes(b); err != nil {
		t.Fatal(err)
	}
	if err := RandomBytes(nil); err != nil {
		t.Errorf("RandomBytes(nil) = %v", err)
	}
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, 64)) {
		t.Errorf("RandomBytes gave %x then %x", a, b)
	}
}

func TestSecureCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"secret", "secret", true},
		{"secret", "secreT", false},
		{"Secret", "secret", false},
		{"secret", "secret!", false},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := SecureCompare([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("SecureCompare(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// The hash.Hash adapters agree with the standard library for any split of
// the writes, and Sum does not change the state.
func TestHashAdapters(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	data := randomBytes(r, 5000)
	key := []byte("key")
	stdMAC := hmac.New(sha256.New, key)
	tests := []struct {
		name string
		ours hash.Hash
		std  hash.Hash
	}{
		{"sha256", NewSHA256(), sha256.New()},
		{"sha1", NewSHA1(), sha1.New()},
		{"md5", NewMD5(), md5.New()},
		{"hmac-sha256", NewHMACSHA256(key), stdMAC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ours.Size() != tt.std.Size() || tt.ours.BlockSize() != tt.std.BlockSize() {
				t.Errorf("Size/BlockSize = %d/%d, want %d/%d", tt.ours.Size(), tt.ours.BlockSize(), tt.std.Size(), tt.std.BlockSize())
			}
			for rest := data; len(rest) > 0; {
				n := min(r.IntN(700), len(rest))
				tt.ours.Write(rest[:n])
				tt.std.Write(rest[:n])
				rest = rest[n:]
				if got, want := tt.ours.Sum([]byte("prefix")), tt.std.Sum([]byte("prefix")); !bytes.Equal(got, want) {
					t.Fatalf("Sum = %x, want %x", got, want)
				}
			}
			tt.ours.Reset()
			tt.std.Reset()
			if got, want := tt.ours.Sum(nil), tt.std.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("Sum after Reset = %x, want %x", got, want)
			}
		})
	}
}
