package main

import (
	"bytes"
	"fmt"
	"strings"
)

// The case list shared by every client of the interop matrix (ws_client.c,
// node/client.js and the Go clients build the same payloads): each echo is
// compared byte for byte with what was sent.

// Message is one WebSocket data message.
type Message struct {
	Text bool
	Data []byte
}

// pattern returns n bytes of a fixed sequence (byte i = (i*7 + i/251) mod
// 256), the same in every client.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// utf8Text returns 4 MiB of text cycling through 1-, 2-, 3- and 4-byte
// UTF-8 sequences ("a", U+00E9, U+20AC, U+1F600), padded with 'x'.
func utf8Text() []byte {
	const size = 4 << 20
	unit := "a\u00e9\u20ac\U0001F600" // 10 bytes
	s := strings.Repeat(unit, size/len(unit))
	return []byte(s + strings.Repeat("x", size-len(s)))
}

// echoCase is a case made of messages sent back to back and their echoes.
type echoCase struct {
	name string
	msgs []Message
}

func echoCases() []echoCase {
	zeroTo255 := make([]byte, 256)
	for i := range zeroTo255 {
		zeroTo255[i] = byte(i)
	}
	cs := []echoCase{
		{"text_hello", []Message{{true, []byte("Hello, WebSocket!")}}},
		{"text_empty", []Message{{true, []byte{}}}},
		{"binary_0_255", []Message{{false, zeroTo255}}},
		{"binary_125", []Message{{false, pattern(125)}}},
		{"binary_126", []Message{{false, pattern(126)}}},
		{"binary_65535", []Message{{false, pattern(65535)}}},
		{"binary_65536", []Message{{false, pattern(65536)}}},
		{"binary_1MiB", []Message{{false, pattern(1 << 20)}}},
		{"text_4MiB_utf8", []Message{{true, utf8Text()}}},
	}
	var many []Message
	for i := 0; i < 100; i++ {
		many = append(many, pipelined(i))
	}
	return append(cs, echoCase{"pipelined_100", many})
}

// pipelined is message i of the pipelined case: even ones text, odd ones
// binary, of growing sizes.
func pipelined(i int) Message {
	if i%2 == 0 {
		return Message{true, []byte(fmt.Sprintf("pipelined-%03d:%s", i, strings.Repeat("z", i*13)))}
	}
	return Message{false, pattern(i * 37)}
}

// Fragments of the fragmented case (a text message; the echo is their
// concatenation): 5000 bytes of filler each, so that a client cutting
// frames at its own buffer size (gorilla: 4 KiB) still sends several. The
// second fragment ends inside a 3-byte sequence (U+20AC), so the peer's
// UTF-8 check has to work across fragments.
var fragments = [][]byte{
	[]byte("fragment-one|" + strings.Repeat("a", 5000)),
	append([]byte("fragment-two \u20ac|"+strings.Repeat("b", 5000)), 0xE2, 0x82),
	[]byte("\xAC|fragment-three" + strings.Repeat("c", 5000)),
}

const (
	pingPayload = "ping-payload-123"
	closeReason = "bye-from-client"
)

// sameMessage compares an echo with what was sent; "" when equal.
func sameMessage(want Message, gotText bool, got []byte) string {
	if want.Text != gotText {
		return fmt.Sprintf("opcode: sent text=%v, echo text=%v", want.Text, gotText)
	}
	if !bytes.Equal(want.Data, got) {
		i := 0
		for i < len(got) && i < len(want.Data) && got[i] == want.Data[i] {
			i++
		}
		return fmt.Sprintf("payload differs: sent %d bytes, echo %d bytes, first difference at %d", len(want.Data), len(got), i)
	}
	return ""
}

// report prints a case result; it returns ok.
func report(name string, why string) bool {
	if why == "" {
		fmt.Printf("PASS %s\n", name)
		return true
	}
	fmt.Printf("FAIL %s: %s\n", name, why)
	return false
}
