package cgo

import "testing"

// holder keeps a byte array next to Go pointers, like a buffered reader
// does. cgo's pointer check panics if a wrapper hands C a pointer into
// such an object without writing &b[0] in the call itself.
type holder struct {
	next *holder
	name string
	buf  [256]byte
}

func TestBuffersInsidePointerfulStructs(t *testing.T) {
	h := &holder{name: "x"}
	h.next = h
	for i := range h.buf {
		h.buf[i] = 'a' + byte(i%26)
	}
	in := h.buf[:64]
	if _, err := SHA1(in); err != nil {
		t.Fatal(err)
	}
	if _, err := SHA256(in); err != nil {
		t.Fatal(err)
	}
	if _, err := MD5(in); err != nil {
		t.Fatal(err)
	}
	if _, err := HMACSHA256(h.buf[64:96], in); err != nil {
		t.Fatal(err)
	}
	if n := Base64Encode(h.buf[128:], h.buf[:32]); n <= 0 {
		t.Fatalf("Base64Encode = %d", n)
	}
	if n := Base64DecodeString(h.buf[200:], "aGVsbG8="); n != 5 || string(h.buf[200:205]) != "hello" {
		t.Fatalf("Base64DecodeString = %d %q", n, h.buf[200:205])
	}
	if err := HexEncode(h.buf[128:], h.buf[:8], true); err != nil {
		t.Fatal(err)
	}
	if n := HexDecodeString(h.buf[240:], "6869"); n != 2 || string(h.buf[240:242]) != "hi" {
		t.Fatalf("HexDecodeString = %d", n)
	}
	if err := RandomBytes(h.buf[100:120]); err != nil {
		t.Fatal(err)
	}
	if !SecureCompare(h.buf[:10], h.buf[:10]) {
		t.Fatal("SecureCompare of equal slices")
	}
	if r := ValidateUTF8(in); r != UTF8Valid {
		t.Fatalf("ValidateUTF8 = %d", r)
	}
	var st UTF8State
	if r, err := st.Update(in); err != nil || r != UTF8Valid {
		t.Fatalf("Update = %d, %v", r, err)
	}
	// Empty inputs take the stand-in buffer and still give the right answers.
	empty, _ := SHA256(nil)
	if empty[0] != 0xe3 || empty[31] != 0x55 {
		t.Fatalf("SHA256(nil) = %x", empty)
	}
	if r, err := st.Update(nil); err != nil || r != UTF8Valid {
		t.Fatalf("Update(nil) = %d, %v", r, err)
	}
}
