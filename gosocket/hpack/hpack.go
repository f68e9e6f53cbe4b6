// Package hpack is HPACK header compression for HTTP/2 (RFC 7541), built
// on libsocket's C encoder and decoder.
//
// An Encoder and a Decoder each keep one dynamic table: use one per
// direction of a connection. Every Encode and Decode is one cgo call; a
// decoded block's strings come back in one Go allocation. Both types hold
// C memory: call Close when done (a cleanup frees it otherwise). They are
// not safe for concurrent use.
package hpack

import (
	"errors"
	"strconv"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// Limits and defaults of the C library (SocketHPACK.h).
const (
	DefaultTableSize     = 4096      // SETTINGS_HEADER_TABLE_SIZE initial value
	MaxTableSize         = 64 * 1024 // largest table an Encoder or Decoder supports
	DefaultMaxHeaderSize = 8 * 1024  // decoder limit for one field (name + value)
	DefaultMaxListSize   = 64 * 1024 // decoder limit for a block (sum of Field.Size)
)

// Field is one header field. Sensitive fields are sent, and were
// received, as never-indexed literals (RFC 7541 section 7.1.3).
type Field struct {
	Name, Value string
	Sensitive   bool
}

// Size is the field's size in the table (RFC 7541 section 4.1).
func (f Field) Size() int { return len(f.Name) + len(f.Value) + 32 }

func (f Field) String() string {
	s := f.Name + ": " + f.Value
	if f.Sensitive {
		s += " (sensitive)"
	}
	return s
}

// ErrorCode is a decoder failure (SocketHPACK_Result).
type ErrorCode int

// Decoder error codes.
const (
	ErrorIncomplete   ErrorCode = 1 // block ends inside a representation
	ErrorMalformed    ErrorCode = 2
	ErrorInvalidIndex ErrorCode = 3 // index 0 or beyond the tables
	ErrorHuffman      ErrorCode = 4 // EOS in a string, bad padding
	ErrorInteger      ErrorCode = 5 // integer above 2^62 or over-long
	ErrorTableSize    ErrorCode = 6 // size update too large, misplaced or missing
	ErrorHeaderSize   ErrorCode = 7 // one field or string above MaxHeaderSize
	ErrorListSize     ErrorCode = 8 // block above MaxHeaderListSize
	ErrorBomb         ErrorCode = 9 // list limit exceeded by abusive expansion
)

func (c ErrorCode) String() string {
	if c > 0 && c <= ErrorBomb {
		if s := cgo.HPACKResultString(int(c)); s != "" {
			return s
		}
	}
	return "ErrorCode(" + strconv.Itoa(int(c)) + ")"
}

// DecodingError is a malformed or over-limit header block. For HTTP/2 it
// is a connection error of type COMPRESSION_ERROR: the decoder's table
// may hold part of the block, so stop using the decoder. It matches
// gosocket.ErrHPACK and gosocket.ErrInvalidInput.
type DecodingError struct {
	Code ErrorCode
}

func (e *DecodingError) Error() string { return "hpack: " + e.Code.String() }

// Is matches gosocket.ErrHPACK and what it matches.
func (e *DecodingError) Is(target error) bool {
	return target == gosocket.ErrHPACK || errors.Is(gosocket.ErrHPACK, target)
}

// ErrHuffman is returned by the Huffman decoders for an invalid code (EOS
// in the string, padding longer than 7 bits or not all ones). It matches
// gosocket.ErrHPACK.
var ErrHuffman error = &DecodingError{Code: ErrorHuffman}

// EncoderConfig configures an Encoder; zero fields take the defaults.
type EncoderConfig struct {
	MaxTableSize int  // largest dynamic table to use; 0 means DefaultTableSize
	NoHuffman    bool // never Huffman-code strings
	NoIndexing   bool // never add fields to the dynamic table
}

// Encoder compresses header lists into header blocks.
type Encoder struct {
	c      *cgo.HPACKEncoder
	strs   []byte           // scratch: the strings of one block
	fields []cgo.HPACKField // scratch: spans into strs
}

// NewEncoder returns an encoder configured by cfg; nil means the
// defaults (a DefaultTableSize table, Huffman coding and indexing). A
// table size above MaxTableSize is an error matching gosocket.ErrHPACK.
func NewEncoder(cfg *EncoderConfig) (*Encoder, error) {
	var c EncoderConfig
	if cfg != nil {
		c = *cfg
	}
	if c.MaxTableSize == 0 {
		c.MaxTableSize = DefaultTableSize
	}
	if c.MaxTableSize < 0 {
		return nil, configError("hpack.NewEncoder", "negative table size")
	}
	// The C library accepts larger tables (as the original does); this
	// package keeps its documented bound.
	if c.MaxTableSize > MaxTableSize {
		return nil, configError("hpack.NewEncoder", "table size above MaxTableSize")
	}
	enc, err := cgo.NewHPACKEncoder(c.MaxTableSize, !c.NoHuffman, !c.NoIndexing)
	if err != nil {
		return nil, errs.Wrap("hpack.NewEncoder", err, nil)
	}
	return &Encoder{c: enc}, nil
}

// configError is a rejected configuration, matching gosocket.ErrHPACK.
func configError(op, msg string) error {
	return &gosocket.Error{Op: op, Msg: msg, Kind: gosocket.ErrHPACK}
}

// Close releases the encoder's C memory; it is idempotent. Afterwards
// every method fails with an error matching gosocket.ErrClosed.
func (e *Encoder) Close() error {
	e.c.Close()
	return nil
}

// Encode appends the header block for fields to dst. Fields already in
// the static or dynamic table are sent as indices; others as literals,
// indexed when worthwhile. Sensitive fields, and authorization, cookie,
// set-cookie and proxy-authorization, are never indexed. Names are sent as
// given (HTTP/2 requires lowercase), except that a name equal to a static
// table name but for ASCII case is sent as the table's lowercase name (the
// C encoder matches static names case-insensitively, as the original does).
func (e *Encoder) Encode(dst []byte, fields []Field) ([]byte, error) {
	// One flat representation, the one Decode receives: the strings in
	// one buffer, the fields as spans into it.
	e.strs, e.fields = e.strs[:0], e.fields[:0]
	for _, f := range fields {
		n := len(e.strs)
		e.strs = append(e.strs, f.Name...)
		e.strs = append(e.strs, f.Value...)
		e.fields = append(e.fields, cgo.HPACKField{
			Name:      cgo.Span{Off: uint32(n), Len: uint32(len(f.Name))},
			Value:     cgo.Span{Off: uint32(n + len(f.Name)), Len: uint32(len(f.Value))},
			Sensitive: f.Sensitive,
		})
	}
	out, err := e.c.Encode(dst, e.strs, e.fields)
	return out, errs.Wrap("hpack.Encoder.Encode", err, nil)
}

// SetMaxTableSize applies the peer's SETTINGS_HEADER_TABLE_SIZE (capped at
// the configured maximum): the table shrinks at once and the next block
// starts with the size update(s) the peer needs.
func (e *Encoder) SetMaxTableSize(n int) error {
	if n < 0 {
		n = 0
	}
	return errs.Wrap("hpack.Encoder.SetMaxTableSize", e.c.SetTableSize(n), nil)
}

// Table returns the dynamic table's size (sum of Field.Size), number of
// entries and maximum size.
func (e *Encoder) Table() (size, entries, max int) { return e.c.Table() }

// DecoderConfig holds a Decoder's limits; zero fields take the defaults.
type DecoderConfig struct {
	MaxTableSize      int // table size we advertise (DefaultTableSize)
	MaxHeaderSize     int // one field's name + value (DefaultMaxHeaderSize)
	MaxHeaderListSize int // a block's list size (DefaultMaxListSize)
}

// Decoder decompresses header blocks.
type Decoder struct {
	c *cgo.HPACKDecoder
}

// NewDecoder returns a decoder; cfg may be nil for the defaults.
func NewDecoder(cfg *DecoderConfig) (*Decoder, error) {
	var c DecoderConfig
	if cfg != nil {
		c = *cfg
	}
	if c.MaxTableSize < 0 || c.MaxHeaderSize < 0 || c.MaxHeaderListSize < 0 {
		return nil, configError("hpack.NewDecoder", "negative limit")
	}
	if c.MaxTableSize == 0 {
		c.MaxTableSize = DefaultTableSize
	}
	if c.MaxTableSize > MaxTableSize {
		return nil, configError("hpack.NewDecoder", "table size above MaxTableSize")
	}
	if c.MaxHeaderSize == 0 {
		c.MaxHeaderSize = DefaultMaxHeaderSize
	}
	if c.MaxHeaderListSize == 0 {
		c.MaxHeaderListSize = DefaultMaxListSize
	}
	d, err := cgo.NewHPACKDecoder(c.MaxTableSize, c.MaxHeaderSize, c.MaxHeaderListSize)
	if err != nil {
		return nil, errs.Wrap("hpack.NewDecoder", err, nil)
	}
	return &Decoder{c: d}, nil
}

// Close releases the decoder's C memory; it is idempotent. Afterwards
// every method fails with an error matching gosocket.ErrClosed.
func (d *Decoder) Close() error {
	d.c.Close()
	return nil
}

// Decode decodes one complete header block.
func (d *Decoder) Decode(block []byte) ([]Field, error) { return d.DecodeAppend(nil, block) }

// DecodeAppend decodes one complete header block and appends its fields
// to dst. On a *DecodingError it returns dst with the fields decoded
// before the error.
func (d *Decoder) DecodeAppend(dst []Field, block []byte) ([]Field, error) {
	res, s, fs, err := d.c.Decode(block)
	if err != nil {
		return dst, errs.Wrap("hpack.Decoder.Decode", err, nil)
	}
	if dst == nil {
		dst = make([]Field, 0, len(fs))
	}
	for _, f := range fs {
		dst = append(dst, Field{Name: f.Name.Of(s), Value: f.Value.Of(s), Sensitive: f.Sensitive})
	}
	if res != cgo.HPACKResultOK {
		return dst, &DecodingError{Code: ErrorCode(res)}
	}
	return dst, nil
}

// SetMaxTableSize applies our SETTINGS_HEADER_TABLE_SIZE once the peer has
// acknowledged it (capped at the configured maximum): the upper bound for
// the peer's size updates, like x/net's SetAllowedMaxDynamicTableSize.
// The table itself is resized by the peer's next size update; a block
// without one is not an error (as in the original C library).
func (d *Decoder) SetMaxTableSize(n int) error {
	if n < 0 {
		n = 0
	}
	return errs.Wrap("hpack.Decoder.SetMaxTableSize", d.c.SetTableSize(n), nil)
}

// Table returns the dynamic table's size, number of entries and maximum.
func (d *Decoder) Table() (size, entries, max int) { return d.c.Table() }
