package hpack_test

import (
	"fmt"

	"github.com/libsocket/libsocket/gosocket/hpack"
)

func Example() {
	enc, _ := hpack.NewEncoder(nil)
	defer enc.Close()
	dec, _ := hpack.NewDecoder(nil)
	defer dec.Close()

	fields := []hpack.Field{
		{Name: ":method", Value: "GET"},
		{Name: ":path", Value: "/"},
		{Name: "authorization", Value: "Bearer t0ken"}, // never indexed
	}
	block, _ := enc.Encode(nil, fields)
	again, _ := enc.Encode(nil, fields[:2])
	fmt.Printf("first block %d bytes, repeat %d bytes\n", len(block), len(again))

	got, err := dec.Decode(block)
	if err != nil {
		panic(err)
	}
	for _, f := range got {
		fmt.Println(f)
	}
	// Output:
	// first block 14 bytes, repeat 2 bytes
	// :method: GET
	// :path: /
	// authorization: Bearer t0ken (sensitive)
}

func ExampleDecoder_Decode() {
	dec, _ := hpack.NewDecoder(nil)
	defer dec.Close()
	// RFC 7541 C.3.1: the first request, without Huffman coding.
	block := []byte{0x82, 0x86, 0x84, 0x41, 0x0f, 'w', 'w', 'w', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'}
	fields, err := dec.Decode(block)
	fmt.Println(fields, err)
	size, entries, _ := dec.Table()
	fmt.Println(size, entries)
	// Output:
	// [:method: GET :scheme: http :path: / :authority: www.example.com] <nil>
	// 57 1
}

func ExampleAppendHuffmanString() {
	code := hpack.AppendHuffmanString(nil, "no-cache")
	fmt.Printf("%x %d\n", code, hpack.HuffmanEncodedLen("no-cache"))
	s, err := hpack.HuffmanDecodeToString(code)
	fmt.Println(s, err)
	// Output:
	// a8eb10649cbf 6
	// no-cache <nil>
}
