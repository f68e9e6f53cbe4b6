package hpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/hpack"
)

// What the package's errors print: bridged errors read
// "gosocket: hpack.<Type>.<Method>: ...", DecodingError "hpack: ...",
// and none carries a second prefix.
func TestErrorStrings(t *testing.T) {
	d, _ := hpack.NewDecoder(nil)
	_, decErr := d.Decode([]byte{0x82, 0x80})
	d.Close()
	_, closedErr := d.Decode([]byte{0x82})
	e, _ := hpack.NewEncoder(nil)
	e.Close()
	_, encErr := e.Encode(nil, []hpack.Field{{Name: "a", Value: "b"}})
	_, cfgErr := hpack.NewEncoder(&hpack.EncoderConfig{MaxTableSize: -1})
	_, dcfgErr := hpack.NewDecoder(&hpack.DecoderConfig{MaxTableSize: hpack.MaxTableSize + 1})

	for _, tt := range []struct {
		err  error
		want string
		is   error
	}{
		{decErr, "hpack: " + hpack.ErrorInvalidIndex.String(), gosocket.ErrHPACK},
		{closedErr, "gosocket: hpack.Decoder.Decode: use of closed object", gosocket.ErrClosed},
		{encErr, "gosocket: hpack.Encoder.Encode: use of closed object", gosocket.ErrClosed},
		{cfgErr, "gosocket: hpack.NewEncoder: negative table size", gosocket.ErrHPACK},
		{dcfgErr, "gosocket: hpack.NewDecoder: table size above MaxTableSize", gosocket.ErrHPACK},
	} {
		if tt.err == nil {
			t.Errorf("no error where %q was expected", tt.want)
			continue
		}
		s := tt.err.Error()
		if s != tt.want {
			t.Errorf("%q, want %q", s, tt.want)
		}
		if n := strings.Count(s, "gosocket:") + strings.Count(s, "hpack:"); n != 1 {
			t.Errorf("%q: %d prefixes", s, n)
		}
		if !errors.Is(tt.err, tt.is) {
			t.Errorf("%q does not match %v", s, tt.is)
		}
	}
}
