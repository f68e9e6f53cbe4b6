//go:build !cgo

package cgo

// Without cgo: see nocgo.go.

type HTTP1Parser struct{}

func HTTP1DefaultConfig() HTTP1Config                        { return HTTP1Config{} }
func NewHTTP1Parser(bool, HTTP1Config) (*HTTP1Parser, error) { return nil, ErrNoCgo }
func (*HTTP1Parser) Close()                                  {}
func (*HTTP1Parser) Reset() error                            { return ErrNoCgo }
func (*HTTP1Parser) SkipBody() (int, bool, error)            { return HTTP1StateError, false, ErrNoCgo }
func (*HTTP1Parser) Execute([]byte) (HTTP1Result, error) {
	return HTTP1Result{Result: HTTP1Error}, ErrNoCgo
}
func (*HTTP1Parser) ReadBody(_, _ []byte) (HTTP1Result, error) {
	return HTTP1Result{Result: HTTP1Error}, ErrNoCgo
}
func HTTP1ResultString(int) string                           { return "" }
func HTTP1Chunk(dst, _ []byte) []byte                        { panic(ErrNoCgo) }
func HTTP1ChunkFinal(dst []byte, _ []string) ([]byte, error) { return dst, ErrNoCgo }
func HTTP1Serialize(dst []byte, _ bool, _ HTTP1SerHead, _ []string) ([]byte, error) {
	return dst, ErrNoCgo
}

type HPACKEncoder struct{}

func NewHPACKEncoder(int, bool, bool) (*HPACKEncoder, error)               { return nil, ErrNoCgo }
func (*HPACKEncoder) Close()                                               {}
func (*HPACKEncoder) Encode(dst, _ []byte, _ []HPACKField) ([]byte, error) { return dst, ErrNoCgo }
func (*HPACKEncoder) SetTableSize(int) error                               { return ErrNoCgo }
func (*HPACKEncoder) Table() (int, int, int)                               { return 0, 0, 0 }

type HPACKDecoder struct{}

func NewHPACKDecoder(_, _, _ int) (*HPACKDecoder, error) { return nil, ErrNoCgo }
func (*HPACKDecoder) Close()                             {}
func (*HPACKDecoder) Decode([]byte) (int, string, []HPACKField, error) {
	return 2, "", nil, ErrNoCgo
}
func (*HPACKDecoder) SetTableSize(int) error     { return ErrNoCgo }
func (*HPACKDecoder) Table() (int, int, int)     { return 0, 0, 0 }
func HPACKResultString(int) string               { return "" }
func HuffmanEncode(dst []byte, _ string) []byte  { panic(ErrNoCgo) }
func HuffmanEncodedLen(string) int               { panic(ErrNoCgo) }
func HuffmanDecode(dst, _ []byte) ([]byte, bool) { panic(ErrNoCgo) }

const (
	HTTPCodingGzip    = 2
	HTTPCodingDeflate = 3
)

type HTTP1Codec struct{}

func NewHTTP1Decoder(int) (*HTTP1Codec, error)                { return nil, ErrNoCgo }
func NewHTTP1Encoder(int, int) (*HTTP1Codec, error)           { return nil, ErrNoCgo }
func (*HTTP1Codec) Close()                                    {}
func (*HTTP1Codec) Decode(_, _ []byte) (int, int, int, error) { return 0, 0, HTTP1Error, ErrNoCgo }
func (*HTTP1Codec) DecodeFinish([]byte) (int, int, error)     { return 0, HTTP1Error, ErrNoCgo }
func (*HTTP1Codec) Encode(_, _ []byte, _ bool) (int, error)   { return -1, ErrNoCgo }
func (*HTTP1Codec) EncodeFinish([]byte) (int, error)          { return -1, ErrNoCgo }
