package hpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/hpack"
)

func pairs(fs []hpack.Field) [][2]string {
	out := make([][2]string, len(fs))
	for i, f := range fs {
		out[i] = [2]string{f.Name, f.Value}
	}
	return out
}

func toFields(ps [][2]string) []hpack.Field {
	out := make([]hpack.Field, len(ps))
	for i, p := range ps {
		out[i] = hpack.Field{Name: p[0], Value: p[1]}
	}
	return out
}

func newDecoder(t testing.TB) *hpack.Decoder {
	t.Helper()
	d, err := hpack.NewDecoder(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func newEncoder(t testing.TB) *hpack.Encoder {
	t.Helper()
	e, err := hpack.NewEncoder(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// Every encoded story decodes to exactly its header lists, with the table
// size changes it announces.
func TestDecodeStories(t *testing.T) {
	total := 0
	for _, dir := range encoderDirs(t) {
		for _, s := range loadStories(t, dir) {
			d := newDecoder(t)
			for i, c := range s.Cases {
				if c.TableSize != nil {
					if err := d.SetMaxTableSize(*c.TableSize); err != nil {
						t.Fatal(err)
					}
				}
				got, err := d.Decode(c.wire(t))
				if err != nil {
					t.Fatalf("%s case %d: %v", s.Path, i, err)
				}
				if diff := cmp.Diff(c.fields(), pairs(got)); diff != "" {
					t.Fatalf("%s case %d (-want +got):\n%s", s.Path, i, diff)
				}
				total++
			}
		}
	}
	t.Logf("%d encoded header blocks decoded", total)
	if total < 10000 {
		t.Fatalf("only %d cases found", total)
	}
}

// Our encoder's blocks for every raw-data story decode back identically
// with x/net/http2/hpack (and with our decoder), in order, sharing the
// dynamic table across a story as on a connection.
func TestEncodeRawStoriesXNet(t *testing.T) {
	var cases, ours int
	for _, s := range loadStories(t, "raw-data") {
		enc := newEncoder(t)
		dec := newDecoder(t)
		xdec := xhpack.NewDecoder(hpack.DefaultTableSize, nil)
		for i, c := range s.Cases {
			want := c.fields()
			block, err := enc.Encode(nil, toFields(want))
			if err != nil {
				t.Fatalf("%s case %d: encode: %v", s.Path, i, err)
			}
			xgot, err := xdec.DecodeFull(block)
			if err != nil {
				t.Fatalf("%s case %d: x/net decode of our block: %v", s.Path, i, err)
			}
			xp := make([][2]string, len(xgot))
			for k, f := range xgot {
				xp[k] = [2]string{f.Name, f.Value}
			}
			if diff := cmp.Diff(want, xp); diff != "" {
				t.Fatalf("%s case %d: x/net decode (-want +got):\n%s", s.Path, i, diff)
			}
			got, err := dec.Decode(block)
			if err != nil {
				t.Fatalf("%s case %d: our decode: %v", s.Path, i, err)
			}
			if diff := cmp.Diff(want, pairs(got)); diff != "" {
				t.Fatalf("%s case %d: our decode (-want +got):\n%s", s.Path, i, diff)
			}
			cases++
			ours += len(block)
		}
	}
	t.Logf("%d raw-data cases round-tripped through x/net/http2/hpack; %d bytes", cases, ours)
	if cases < 3000 {
		t.Fatalf("only %d cases", cases)
	}
}

// x/net's encoder output for every raw-data story decodes identically with
// our decoder; the compressed sizes of both encoders are reported.
func TestDecodeXNetEncoded(t *testing.T) {
	var cases, ours, theirs int
	for _, s := range loadStories(t, "raw-data") {
		var buf bytes.Buffer
		xenc := xhpack.NewEncoder(&buf)
		enc := newEncoder(t)
		dec := newDecoder(t)
		for i, c := range s.Cases {
			want := c.fields()
			buf.Reset()
			for _, p := range want {
				if err := xenc.WriteField(xhpack.HeaderField{Name: p[0], Value: p[1]}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := dec.Decode(buf.Bytes())
			if err != nil {
				t.Fatalf("%s case %d: %v", s.Path, i, err)
			}
			if diff := cmp.Diff(want, pairs(got)); diff != "" {
				t.Fatalf("%s case %d (-want +got):\n%s", s.Path, i, diff)
			}
			theirs += buf.Len()
			block, err := enc.Encode(nil, toFields(want))
			if err != nil {
				t.Fatal(err)
			}
			ours += len(block)
			cases++
		}
	}
	t.Logf("%d x/net blocks decoded; compressed bytes: ours %d, x/net %d (%.3f)",
		cases, ours, theirs, float64(ours)/float64(theirs))
}

// Sensitive fields travel as never-indexed literals both ways.
func TestSensitive(t *testing.T) {
	enc := newEncoder(t)
	fields := []hpack.Field{
		{Name: ":method", Value: "GET"},
		{Name: "x-token", Value: "secret", Sensitive: true},
		{Name: "authorization", Value: "Basic Zm9vOmJhcg=="}, // never indexed by policy
	}
	block, err := enc.Encode(nil, fields)
	if err != nil {
		t.Fatal(err)
	}
	xgot, err := xhpack.NewDecoder(4096, nil).DecodeFull(block)
	if err != nil {
		t.Fatal(err)
	}
	if !xgot[1].Sensitive || !xgot[2].Sensitive || xgot[0].Sensitive {
		t.Fatalf("x/net saw sensitivity %v", xgot)
	}
	if _, entries, _ := enc.Table(); entries != 0 {
		t.Fatalf("sensitive fields entered the table: %d entries", entries)
	}
	var buf bytes.Buffer
	xenc := xhpack.NewEncoder(&buf)
	xenc.WriteField(xhpack.HeaderField{Name: "x-token", Value: "secret", Sensitive: true})
	got, err := newDecoder(t).Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := []hpack.Field{{Name: "x-token", Value: "secret", Sensitive: true}}; !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Table size changes: the encoder emits the updates x/net's decoder
// requires after SETTINGS_HEADER_TABLE_SIZE changes.
func TestTableSizeUpdates(t *testing.T) {
	enc := newEncoder(t)
	xdec := xhpack.NewDecoder(4096, nil)
	fields := []hpack.Field{{Name: "custom-key", Value: "custom-value"}, {Name: "x-a", Value: "b"}}
	for _, size := range []int{4096, 256, 0, 1024, 4096} {
		if err := enc.SetMaxTableSize(size); err != nil {
			t.Fatal(err)
		}
		xdec.SetAllowedMaxDynamicTableSize(4096)
		for k := 0; k < 2; k++ {
			block, err := enc.Encode(nil, fields)
			if err != nil {
				t.Fatal(err)
			}
			got, err := xdec.DecodeFull(block)
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			if len(got) != 2 || got[0].Value != "custom-value" {
				t.Fatalf("size %d: %v", size, got)
			}
		}
		if s, _, max := enc.Table(); max != size || s > size {
			t.Fatalf("table size %d max %d after SetMaxTableSize(%d)", s, max, size)
		}
	}
	// Lowering the decoder's limit only bounds the peer's updates: a block
	// without an update is accepted, one above the limit is not.
	dec := newDecoder(t)
	dec.SetMaxTableSize(100)
	if _, err := dec.Decode([]byte{0x82}); err != nil {
		t.Fatalf("block without a size update: %v", err)
	}
	if _, err := dec.Decode([]byte{0x3f, 0x46}); !errors.Is(err, gosocket.ErrHPACK) { // 101
		t.Fatalf("size update above the limit: %v", err)
	}
	if _, err := dec.Decode([]byte{0x3f, 0x45, 0x82}); err != nil { // 100
		t.Fatalf("size update at the limit: %v", err)
	}
	if _, _, max := dec.Table(); max != 100 {
		t.Fatalf("table max %d after update to 100", max)
	}
}

// Malformed and abusive blocks fail with a *DecodingError matching
// gosocket.ErrHPACK and gosocket.ErrInvalidInput.
func TestDecodeErrors(t *testing.T) {
	big := bytes.Repeat([]byte{'a'}, 200)
	tests := []struct {
		name  string
		block []byte
		cfg   *hpack.DecoderConfig
		code  hpack.ErrorCode
		xnet  bool // x/net accepts it (it takes size updates anywhere in a block)
	}{
		{"index 0", []byte{0x80}, nil, hpack.ErrorInvalidIndex, false},
		{"index beyond tables", []byte{0xbf}, nil, hpack.ErrorInvalidIndex, false},
		{"truncated literal", []byte{0x40, 0x05, 'a'}, nil, hpack.ErrorIncomplete, false},
		{"huffman EOS", []byte{0x40, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00}, nil, hpack.ErrorHuffman, false},
		{"integer overflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, nil, hpack.ErrorInteger, false},
		{"size update after field", []byte{0x82, 0x20}, nil, hpack.ErrorTableSize, true},
		{"size update too large", []byte{0x3f, 0xe2, 0x1f}, nil, hpack.ErrorTableSize, false},
		{"field too large", append([]byte{0x00, 0x01, 'a', 0x7f, 0x49}, big...), &hpack.DecoderConfig{MaxHeaderSize: 100}, hpack.ErrorHeaderSize, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := hpack.NewDecoder(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			_, err = d.Decode(tt.block)
			var de *hpack.DecodingError
			if !errors.As(err, &de) || de.Code != tt.code {
				t.Fatalf("got %v, want code %v", err, tt.code)
			}
			if !errors.Is(err, gosocket.ErrHPACK) || !errors.Is(err, gosocket.ErrInvalidInput) {
				t.Fatalf("%v does not match ErrHPACK/ErrInvalidInput", err)
			}
			if _, xerr := xhpack.NewDecoder(4096, nil).DecodeFull(tt.block); (xerr == nil) != tt.xnet && tt.cfg == nil {
				t.Fatalf("x/net decode error %v, want accepted=%v", xerr, tt.xnet)
			}
		})
	}
	// Any number of size updates before the first field, as in x/net.
	if _, err := newDecoder(t).Decode([]byte{0x20, 0x20, 0x20, 0x82}); err != nil {
		t.Fatalf("three size updates: %v", err)
	}
	// A block repeating a large table entry: over the list limit.
	d, err := hpack.NewDecoder(&hpack.DecoderConfig{MaxHeaderListSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Literal with indexing, name "x", value of 300 bytes (127 + 173).
	block := append([]byte{0x40, 0x01, 'x', 0x7f, 0xad, 0x01}, bytes.Repeat([]byte{'v'}, 300)...)
	if _, err := d.Decode(block); err != nil {
		t.Fatalf("setup block: %v", err)
	}
	rep := bytes.Repeat([]byte{0xbe}, 400) // index 62: the large entry
	_, err = d.Decode(rep)
	var de *hpack.DecodingError
	if !errors.As(err, &de) || (de.Code != hpack.ErrorBomb && de.Code != hpack.ErrorListSize) {
		t.Fatalf("repeated large entry: %v", err)
	}
	t.Logf("repeated large entry: %v", err)
}

func TestCloseIdempotent(t *testing.T) {
	encs, decs := cgo.HPACKEncoders.Live(), cgo.HPACKDecoders.Live()
	e, _ := hpack.NewEncoder(nil)
	d, _ := hpack.NewDecoder(nil)
	if cgo.HPACKEncoders.Live() != encs+1 || cgo.HPACKDecoders.Live() != decs+1 {
		t.Fatal("live counts did not grow")
	}
	e.Close()
	e.Close()
	d.Close()
	d.Close()
	if _, err := e.Encode(nil, []hpack.Field{{Name: "a", Value: "b"}}); !errors.Is(err, gosocket.ErrClosed) {
		t.Fatalf("Encode after Close: %v", err)
	}
	if _, err := d.Decode([]byte{0x82}); !errors.Is(err, gosocket.ErrClosed) {
		t.Fatalf("Decode after Close: %v", err)
	}
	if err := e.SetMaxTableSize(100); !errors.Is(err, gosocket.ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("SetMaxTableSize after Close: %v", err)
	}
	if err := d.SetMaxTableSize(100); !errors.Is(err, gosocket.ErrClosed) {
		t.Fatalf("Decoder.SetMaxTableSize after Close: %v", err)
	}
	_, err := d.Decode([]byte{0x82})
	if want := "gosocket: hpack.Decoder.Decode: use of closed object"; err == nil || err.Error() != want {
		t.Fatalf("error reads %q, want %q", err, want)
	}
	if n, m := cgo.HPACKEncoders.Live(), cgo.HPACKDecoders.Live(); n != encs || m != decs {
		t.Fatalf("live encoders %d, decoders %d, want %d, %d", n, m, encs, decs)
	}
	if _, err := hpack.NewEncoder(&hpack.EncoderConfig{MaxTableSize: hpack.MaxTableSize + 1}); !errors.Is(err, gosocket.ErrHPACK) {
		t.Fatalf("oversized table: %v", err)
	}
}

func TestErrorCodeString(t *testing.T) {
	if s := hpack.ErrorHuffman.String(); s == "" || s == "unknown" {
		t.Fatalf("ErrorHuffman.String() = %q", s)
	}
	if s := fmt.Sprint(hpack.ErrorCode(99)); s != "ErrorCode(99)" {
		t.Fatalf("ErrorCode(99) prints %q", s)
	}
}
