package cgo

/*
#include "shim_http.h"

#cgo nocallback go_SocketHTTP1_new
#cgo noescape go_SocketHTTP1_new
#cgo nocallback go_SocketHTTP1_free
#cgo nocallback go_SocketHTTP1_config_defaults
#cgo noescape go_SocketHTTP1_config_defaults
#cgo nocallback go_SocketHTTP1_reset
#cgo nocallback go_SocketHTTP1_skip_body
#cgo noescape go_SocketHTTP1_skip_body
#cgo nocallback go_SocketHTTP1_execute
#cgo noescape go_SocketHTTP1_execute
#cgo nocallback go_SocketHTTP1_read_body
#cgo noescape go_SocketHTTP1_read_body
#cgo nocallback go_SocketHTTP1_result_string
#cgo nocallback go_SocketHTTP1_fields
#cgo noescape go_SocketHTTP1_fields
#cgo nocallback go_SocketHTTP1_serialize
#cgo noescape go_SocketHTTP1_serialize
#cgo nocallback go_SocketHTTP1_chunk
#cgo noescape go_SocketHTTP1_chunk

#cgo nocallback go_SocketHPACK_encoder_new
#cgo noescape go_SocketHPACK_encoder_new
#cgo nocallback go_SocketHPACK_encoder_free
#cgo nocallback go_SocketHPACK_encode
#cgo noescape go_SocketHPACK_encode
#cgo nocallback go_SocketHPACK_encoder_set_table_size
#cgo nocallback go_SocketHPACK_encoder_table
#cgo noescape go_SocketHPACK_encoder_table
#cgo nocallback go_SocketHPACK_decoder_new
#cgo noescape go_SocketHPACK_decoder_new
#cgo nocallback go_SocketHPACK_decoder_free
#cgo nocallback go_SocketHPACK_decode
#cgo noescape go_SocketHPACK_decode
#cgo nocallback go_SocketHPACK_decoder_set_table_size
#cgo nocallback go_SocketHPACK_decoder_table
#cgo noescape go_SocketHPACK_decoder_table
#cgo nocallback go_SocketHPACK_result_string
#cgo nocallback go_SocketHPACK_huffman_encode
#cgo noescape go_SocketHPACK_huffman_encode
#cgo nocallback go_SocketHPACK_huffman_decode
#cgo noescape go_SocketHPACK_huffman_decode
#cgo nocallback go_SocketHPACK_huffman_encoded_size
#cgo noescape go_SocketHPACK_huffman_encoded_size
*/
import "C"

import (
	"slices"
	"unsafe"
)

// The HTTP/1 parser, the HPACK encoder and decoder and the content codecs
// below each own one C object through an Owner (live counts per Kind in
// http_types.go); Close is idempotent, calls after it return ErrClosed,
// and a cleanup frees an object that was dropped without Close. Each is
// used by one goroutine at a time (as the C objects require); the Owner
// only keeps Close from freeing the object under a call.

// Layout checks: Span must mirror GoSpan (Go slices of Span are passed as
// GoSpan arrays), HPACKField GoHPACKSpanField.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(Span{})-unsafe.Sizeof(C.GoSpan{})]
	_ = [1]struct{}{}[unsafe.Offsetof(Span{}.Len)-unsafe.Offsetof(C.GoSpan{}.len)]
	_ = [1]struct{}{}[unsafe.Sizeof(HPACKField{})-unsafe.Sizeof(C.GoHPACKSpanField{})]
	_ = [1]struct{}{}[unsafe.Offsetof(HPACKField{}.Value)-unsafe.Offsetof(C.GoHPACKSpanField{}.value)]
	_ = [1]struct{}{}[unsafe.Offsetof(HPACKField{}.Sensitive)-unsafe.Offsetof(C.GoHPACKSpanField{}.sensitive)]
	_ = [1]struct{}{}[unsafe.Sizeof(HPACKField{}.Sensitive)-unsafe.Sizeof(C.GoHPACKSpanField{}.sensitive)]
)

func spanPtr(s []Span) *C.GoSpan {
	if len(s) == 0 {
		return nil
	}
	return (*C.GoSpan)(unsafe.Pointer(&s[0]))
}

// cBytes views n bytes of C memory; the caller copies them before the
// next call on the object that owns them.
func cBytes(p *C.char, n C.size_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// grow returns dst with room for n more bytes and that room (at least
// one byte, so &room[0] is valid); the C call writes there and the caller
// extends dst by what was written.
func grow(dst []byte, n int) (out, room []byte) {
	dst = slices.Grow(dst, max(n, 1))
	return dst, dst[len(dst):cap(dst)]
}

// ---- HTTP/1.1 parser -------------------------------------------------------

// HTTP1DefaultConfig returns SocketHTTP1_config_defaults.
func HTTP1DefaultConfig() HTTP1Config {
	var c C.SocketHTTP1_Config
	C.go_SocketHTTP1_config_defaults(&c)
	return HTTP1Config{
		MaxRequestLine: int(c.max_request_line), MaxHeaderName: int(c.max_header_name),
		MaxHeaderValue: int(c.max_header_value), MaxHeaders: int(c.max_headers),
		MaxHeaderSize: int(c.max_header_size), MaxChunkSize: int(c.max_chunk_size),
		MaxTrailerSize: int(c.max_trailer_size),
		AllowObsFold:   c.allow_obs_fold != 0, Strict: c.strict_mode != 0,
	}
}

// HTTP1Parser owns one C SocketHTTP1_Parser_T and its arena.
type HTTP1Parser struct {
	own   Owner[*C.GoHTTP1]
	spans []Span // field spans of the last completed section
}

// NewHTTP1Parser creates a request (response false) or response parser.
// Invalid limits raise SocketHTTP1_ParseError, returned as *Error.
func NewHTTP1Parser(response bool, cfg HTTP1Config) (*HTTP1Parser, error) {
	c := C.SocketHTTP1_Config{
		max_request_line: C.size_t(cfg.MaxRequestLine), max_header_name: C.size_t(cfg.MaxHeaderName),
		max_header_value: C.size_t(cfg.MaxHeaderValue), max_headers: C.size_t(cfg.MaxHeaders),
		max_header_size: C.size_t(cfg.MaxHeaderSize), max_chunk_size: C.size_t(cfg.MaxChunkSize),
		max_trailer_size: C.size_t(cfg.MaxTrailerSize),
		allow_obs_fold:   cBool(cfg.AllowObsFold), strict_mode: cBool(cfg.Strict),
	}
	var h *C.GoHTTP1
	var maxFields C.size_t
	var e C.GoErr
	if C.go_SocketHTTP1_new(cBool(response), &c, &h, &maxFields, &e) != 0 {
		return nil, goError(&e)
	}
	p := &HTTP1Parser{spans: make([]Span, int(maxFields))}
	Own(p, &p.own, HTTP1Parsers, h, freeHTTP1)
	return p, nil
}

func freeHTTP1(h *C.GoHTTP1) { C.go_SocketHTTP1_free(h) }

// Close releases the parser; it is idempotent.
func (p *HTTP1Parser) Close() { p.own.Close() }

// Reset prepares the parser for the next message.
func (p *HTTP1Parser) Reset() error {
	return p.own.Use(func(h *C.GoHTTP1) error {
		C.go_SocketHTTP1_reset(h)
		return nil
	})
}

// SkipBody declares that the current response has no content (response
// to HEAD, 2xx to CONNECT). It returns the new state and keep-alive.
func (p *HTTP1Parser) SkipBody() (state int, keepAlive bool, err error) {
	state = HTTP1StateError
	err = p.own.Use(func(h *C.GoHTTP1) error {
		var r C.GoHTTP1Result
		C.go_SocketHTTP1_skip_body(h, &r)
		state, keepAlive = int(r.state), r.keepalive != 0
		return nil
	})
	return state, keepAlive, err
}

var http1Failed = HTTP1Result{Result: HTTP1Error, State: HTTP1StateError}

// Execute runs SocketHTTP1Ext_execute_skip on b (empty b: end of input)
// in one cgo call.
func (p *HTTP1Parser) Execute(b []byte) (HTTP1Result, error) {
	res := http1Failed
	err := p.own.Use(func(h *C.GoHTTP1) error {
		var r C.GoHTTP1Result
		var e C.GoErr
		in := nonEmpty(b) // &in[0] in the call: cgo checks only the slice
		if C.go_SocketHTTP1_execute(h, (*C.char)(unsafe.Pointer(&in[0])), C.size_t(len(b)), &r, spanPtr(p.spans),
			C.size_t(len(p.spans)), &e) != 0 {
			return goError(&e)
		}
		res = p.result(h, &r)
		return nil
	})
	return res, err
}

// ReadBody runs SocketHTTP1_Parser_read_body: content from src decoded
// into dst (which must not be empty; empty src is end of input).
func (p *HTTP1Parser) ReadBody(dst, src []byte) (HTTP1Result, error) {
	if len(dst) == 0 {
		panic("cgo: HTTP1Parser.ReadBody with an empty destination")
	}
	res := http1Failed
	err := p.own.Use(func(h *C.GoHTTP1) error {
		var r C.GoHTTP1Result
		var e C.GoErr
		in := nonEmpty(src)
		if C.go_SocketHTTP1_read_body(h, (*C.char)(unsafe.Pointer(&in[0])), C.size_t(len(src)), (*C.char)(unsafe.Pointer(&dst[0])),
			C.size_t(len(dst)), &r, spanPtr(p.spans), C.size_t(len(p.spans)), &e) != 0 {
			return goError(&e)
		}
		res = p.result(h, &r)
		return nil
	})
	return res, err
}

// result converts r, copying the head or trailer section out of the
// parser's C memory (valid until its next reset).
func (p *HTTP1Parser) result(h *C.GoHTTP1, r *C.GoHTTP1Result) HTTP1Result {
	res := HTTP1Result{
		Result:        int(r.result),
		State:         int(r.state),
		Consumed:      int(r.consumed),
		Written:       int(r.written),
		BodyRemaining: int64(r.body_remaining),
		KeepAlive:     r.keepalive != 0,
	}
	if r.head_ready != 0 {
		res.HeadReady = true
		p.head(h, r, &res.Head)
	}
	if r.trailers_ready != 0 {
		res.TrailersReady = true
		res.Trailers = string(cBytes(r.trailers, r.trailers_len))
		res.TrailerFields = p.allSpans(h, 1, int(r.ntrailers))
	}
	return res
}

// allSpans returns the spans of the n fields of the head (trailers 0)
// or trailer section (1): those the call returned, or, for a section with
// more fields than the spans buffer holds (rare: the buffer takes 128),
// all of them fetched by one more call into a grown buffer.
func (p *HTTP1Parser) allSpans(h *C.GoHTTP1, trailers C.int, n int) []Span {
	if 2*n <= len(p.spans) {
		return p.spans[:2*n]
	}
	p.spans = make([]Span, 2*n)
	var got C.size_t
	C.go_SocketHTTP1_fields(h, trailers, spanPtr(p.spans), C.size_t(len(p.spans)), &got)
	return p.spans[:2*int(got)]
}

func (p *HTTP1Parser) head(ch *C.GoHTTP1, r *C.GoHTTP1Result, h *HTTP1Head) {
	hs := string(cBytes(r.head, r.head_len))
	fields := p.allSpans(ch, 0, int(r.nfields))
	*h = HTTP1Head{
		Head:          hs,
		Fields:        fields,
		Method:        goSpan(r.method_s),
		Target:        goSpan(r.target),
		Reason:        goSpan(r.reason),
		MethodID:      int(r.method),
		Version:       int(r.version),
		Status:        int(r.status),
		BodyMode:      int(r.body_mode),
		ContentLength: int64(r.content_length),
		KeepAlive:     r.keepalive != 0,
		Upgrade:       r.upgrade != 0,
		Expect:        r.expect_continue != 0,
	}
	// A string of the request: a substring of the head copy when the
	// parser found it in the head, else a copy of the string it built.
	str := func(sp C.GoSpan, bit C.uint, c *C.char) string {
		if r.in_head&bit != 0 {
			return goSpan(sp).Of(hs)
		}
		if c == nil {
			return ""
		}
		return C.GoString(c)
	}
	h.Scheme = str(r.scheme, C.SOCKETHTTP1EXT_SCHEME_IN_HEAD, r.scheme_c)
	h.Authority = str(r.authority, C.SOCKETHTTP1EXT_AUTHORITY_IN_HEAD, r.authority_c)
	h.Path = str(r.path, C.SOCKETHTTP1EXT_PATH_IN_HEAD, r.path_c)
	if r.upgrade_c != nil {
		h.UpgradeProto = C.GoString(r.upgrade_c)
	}
}

func goSpan(s C.GoSpan) Span { return Span{uint32(s.off), uint32(s.len)} }

// HTTP1ResultString is SocketHTTP1_result_string.
func HTTP1ResultString(result int) string {
	return C.GoString(C.go_SocketHTTP1_result_string(C.int(result)))
}

// flatten appends the strings to buf and returns their spans.
func flatten(buf []byte, spans []Span, strs ...string) ([]byte, []Span) {
	for _, s := range strs {
		spans = append(spans, Span{uint32(len(buf)), uint32(len(s))})
		buf = append(buf, s...)
	}
	return buf, spans
}

func cSpan(s Span) C.GoSpan { return C.GoSpan{C.uint32_t(s.Off), C.uint32_t(s.Len)} }

// HTTP1Serialize appends a request (request true) or response head to
// dst: fields alternate name and value. Invalid input (a bad method,
// target, version, status, field name or value) is an *Error with
// exception SocketHTTP_InvalidHeader.
func HTTP1Serialize(dst []byte, request bool, h HTTP1SerHead, fields []string) ([]byte, error) {
	if len(fields)%2 != 0 {
		panic("cgo: HTTP1Serialize needs name/value pairs")
	}
	total := len(h.Method) + len(h.Target) + len(h.Authority) + len(h.Reason)
	for _, f := range fields {
		total += len(f)
	}
	strs := make([]byte, 0, total)
	var one []Span
	strs, one = flatten(strs, make([]Span, 0, 4), h.Method, h.Target, h.Authority, h.Reason)
	strs, spans := flatten(strs, make([]Span, 0, len(fields)), fields...)
	// Room for everything: start line, Host, fields with ": " and CRLF,
	// a framing field and the final CRLF.
	dst, out := grow(dst, 2*total+4*len(fields)+128)
	hd := C.GoHTTP1Head{
		version: C.int(h.Version), status: C.int(h.Status), has_body: cBool(h.HasBody),
		content_length: C.int64_t(h.ContentLength),
		method:         cSpan(one[0]), target: cSpan(one[1]), authority: cSpan(one[2]), reason: cSpan(one[3]),
	}
	var n C.ssize_t
	var e C.GoErr
	sp := nonEmpty(strs)
	if C.go_SocketHTTP1_serialize(cBool(request), &hd, (*C.char)(unsafe.Pointer(&sp[0])), C.size_t(len(strs)), spanPtr(spans),
		C.size_t(len(fields)/2), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)), &n, &e) != 0 {
		return dst, goError(&e)
	}
	return dst[:len(dst)+int(n)], nil
}

// HTTP1Chunk appends one chunk holding data (nothing for empty data).
func HTTP1Chunk(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst, out := grow(dst, len(data)+24)
	var n C.ssize_t
	var e C.GoErr
	if C.go_SocketHTTP1_chunk(0, (*C.char)(unsafe.Pointer(&data[0])), C.size_t(len(data)), nil, 0,
		(*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)), &n, &e) != 0 {
		panic(goError(&e)) // the bound above always fits
	}
	return dst[:len(dst)+int(n)]
}

// HTTP1ChunkFinal appends the last chunk, the trailer fields (name, value
// pairs) and the final CRLF.
func HTTP1ChunkFinal(dst []byte, trailers []string) ([]byte, error) {
	if len(trailers)%2 != 0 {
		panic("cgo: HTTP1ChunkFinal needs name/value pairs")
	}
	strs, spans := flatten(nil, make([]Span, 0, len(trailers)), trailers...)
	dst, out := grow(dst, len(strs)+4*len(trailers)+16)
	var n C.ssize_t
	var e C.GoErr
	sp := nonEmpty(strs)
	if C.go_SocketHTTP1_chunk(1, (*C.char)(unsafe.Pointer(&sp[0])), C.size_t(len(strs)), spanPtr(spans), C.size_t(len(trailers)/2),
		(*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)), &n, &e) != 0 {
		return dst, goError(&e)
	}
	return dst[:len(dst)+int(n)], nil
}

// ---- HPACK -------------------------------------------------------------------

// HPACKEncoder owns one C SocketHPACK_Encoder_T.
type HPACKEncoder struct {
	own Owner[*C.GoHPACKEnc]
}

// NewHPACKEncoder creates an encoder using at most maxTableSize bytes of
// dynamic table.
func NewHPACKEncoder(maxTableSize int, huffman, indexing bool) (*HPACKEncoder, error) {
	var g *C.GoHPACKEnc
	var e C.GoErr
	if C.go_SocketHPACK_encoder_new(C.size_t(maxTableSize), cBool(huffman), cBool(indexing), &g, &e) != 0 {
		return nil, goError(&e)
	}
	enc := &HPACKEncoder{}
	Own(enc, &enc.own, HPACKEncoders, g, freeEncoder)
	return enc, nil
}

func freeEncoder(g *C.GoHPACKEnc) { C.go_SocketHPACK_encoder_free(g) }

// Close releases the encoder; it is idempotent.
func (enc *HPACKEncoder) Close() { enc.own.Close() }

// Encode appends one header block to dst for the fields, given as spans
// into strs (the representation Decode returns).
func (enc *HPACKEncoder) Encode(dst, strs []byte, fields []HPACKField) ([]byte, error) {
	err := enc.own.Use(func(g *C.GoHPACKEnc) error {
		var out []byte
		dst, out = grow(dst, HPACKEncodeBound(len(strs), len(fields)))
		var fp *C.GoHPACKSpanField
		if len(fields) > 0 {
			fp = (*C.GoHPACKSpanField)(unsafe.Pointer(&fields[0]))
		}
		var w C.ssize_t
		var e C.GoErr
		sp := nonEmpty(strs)
		if C.go_SocketHPACK_encode(g, (*C.char)(unsafe.Pointer(&sp[0])), C.size_t(len(strs)), fp, C.size_t(len(fields)),
			(*C.uchar)(unsafe.Pointer(&out[0])), C.size_t(len(out)), &w, &e) != 0 {
			return goError(&e)
		}
		dst = dst[:len(dst)+int(w)]
		return nil
	})
	return dst, err
}

// SetTableSize applies the peer's SETTINGS_HEADER_TABLE_SIZE.
func (enc *HPACKEncoder) SetTableSize(size int) error {
	return enc.own.Use(func(g *C.GoHPACKEnc) error {
		C.go_SocketHPACK_encoder_set_table_size(g, C.size_t(size))
		return nil
	})
}

// Table returns the dynamic table's size, entry count and maximum size
// (zeros after Close).
func (enc *HPACKEncoder) Table() (size, count, max int) {
	enc.own.Use(func(g *C.GoHPACKEnc) error {
		var s, c, m C.size_t
		C.go_SocketHPACK_encoder_table(g, &s, &c, &m)
		size, count, max = int(s), int(c), int(m)
		return nil
	})
	return size, count, max
}

// HPACKDecoder owns one C SocketHPACK_Decoder_T.
type HPACKDecoder struct {
	own    Owner[*C.GoHPACKDec]
	fields []HPACKField // reused by Decode
}

// NewHPACKDecoder creates a decoder (limits as SocketHPACK_DecoderConfig).
func NewHPACKDecoder(maxTableSize, maxHeaderSize, maxListSize int) (*HPACKDecoder, error) {
	var g *C.GoHPACKDec
	var e C.GoErr
	if C.go_SocketHPACK_decoder_new(C.size_t(maxTableSize), C.size_t(maxHeaderSize),
		C.size_t(maxListSize), &g, &e) != 0 {
		return nil, goError(&e)
	}
	d := &HPACKDecoder{}
	Own(d, &d.own, HPACKDecoders, g, freeDecoder)
	return d, nil
}

func freeDecoder(g *C.GoHPACKDec) { C.go_SocketHPACK_decoder_free(g) }

// Close releases the decoder; it is idempotent.
func (d *HPACKDecoder) Close() { d.own.Close() }

// Decode decodes one header block in one cgo call. It returns the
// SocketHPACK_Result, the strings of all decoded fields in one Go string,
// and the fields as spans into it (valid until the next Decode; on
// failure, the fields before the error).
func (d *HPACKDecoder) Decode(block []byte) (result int, strs string, fields []HPACKField, err error) {
	result = 2 // HPACK_ERROR
	err = d.own.Use(func(g *C.GoHPACKDec) error {
		var res C.int
		var cf *C.GoHPACKField
		var count, total C.size_t
		var e C.GoErr
		in := nonEmpty(block) // &in[0] in the call: cgo checks only the slice
		if C.go_SocketHPACK_decode(g, (*C.uchar)(unsafe.Pointer(&in[0])), C.size_t(len(block)),
			&res, &cf, &count, &total, &e) != 0 {
			return goError(&e)
		}
		// Copy out of the decoder's C memory before anything else can touch it.
		buf := make([]byte, 0, int(total))
		d.fields = d.fields[:0]
		if count > 0 {
			for _, f := range unsafe.Slice(cf, int(count)) {
				nOff := len(buf)
				buf = append(buf, cBytes(f.name, f.name_len)...)
				vOff := len(buf)
				buf = append(buf, cBytes(f.value, f.value_len)...)
				d.fields = append(d.fields, HPACKField{
					Name:      Span{uint32(nOff), uint32(f.name_len)},
					Value:     Span{uint32(vOff), uint32(f.value_len)},
					Sensitive: f.never_index != 0,
				})
			}
		}
		result, strs, fields = int(res), unsafe.String(unsafe.SliceData(buf), len(buf)), d.fields
		return nil
	})
	return result, strs, fields, err
}

// SetTableSize applies our acknowledged SETTINGS_HEADER_TABLE_SIZE.
func (d *HPACKDecoder) SetTableSize(size int) error {
	return d.own.Use(func(g *C.GoHPACKDec) error {
		C.go_SocketHPACK_decoder_set_table_size(g, C.size_t(size))
		return nil
	})
}

// Table returns the dynamic table's size, entry count and maximum size
// (zeros after Close).
func (d *HPACKDecoder) Table() (size, count, max int) {
	d.own.Use(func(g *C.GoHPACKDec) error {
		var s, c, m C.size_t
		C.go_SocketHPACK_decoder_table(g, &s, &c, &m)
		size, count, max = int(s), int(c), int(m)
		return nil
	})
	return size, count, max
}

// HPACKResultString is SocketHPACK_result_string.
func HPACKResultString(result int) string {
	return C.GoString(C.go_SocketHPACK_result_string(C.int(result)))
}

// HuffmanEncode appends the Huffman code of s to dst.
func HuffmanEncode(dst []byte, s string) []byte {
	if len(s) == 0 {
		return dst
	}
	dst, out := grow(dst, 4*len(s)) // a code is at most 30 bits
	var n C.ssize_t
	C.go_SocketHPACK_huffman_encode((*C.uchar)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s)),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.size_t(len(out)), &n)
	if n < 0 {
		panic("cgo: HuffmanEncode: output bound too small")
	}
	return dst[:len(dst)+int(n)]
}

// HuffmanEncodedLen is the length of the Huffman code of s.
func HuffmanEncodedLen(s string) int {
	if len(s) == 0 {
		return 0
	}
	return int(C.go_SocketHPACK_huffman_encoded_size((*C.uchar)(unsafe.Pointer(unsafe.StringData(s))),
		C.size_t(len(s))))
}

// HuffmanDecode appends the decoded Huffman string src to dst; ok is
// false for an invalid code (EOS, bad padding).
func HuffmanDecode(dst, src []byte) (out []byte, ok bool) {
	if len(src) == 0 {
		return dst, true
	}
	dst, o := grow(dst, len(src)*8/5+1)
	var n C.ssize_t
	C.go_SocketHPACK_huffman_decode((*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)),
		(*C.uchar)(unsafe.Pointer(&o[0])), C.size_t(len(o)), &n)
	if n < 0 {
		return dst, false
	}
	return dst[:len(dst)+int(n)], true
}

// Each line fails to compile unless the Go constant equals the C value.
var (
	_ = [1]struct{}{}[HTTP1OK-C.HTTP1_OK]
	_ = [1]struct{}{}[HTTP1Incomplete-C.HTTP1_INCOMPLETE]
	_ = [1]struct{}{}[HTTP1Error-C.HTTP1_ERROR]
	_ = [1]struct{}{}[HTTP1StateComplete-C.HTTP1_STATE_COMPLETE]
	_ = [1]struct{}{}[HTTP1StateError-C.HTTP1_STATE_ERROR]
	_ = [1]struct{}{}[HTTP1BodyNone-C.HTTP1_BODY_NONE]
	_ = [1]struct{}{}[HTTP1BodyContentLength-C.HTTP1_BODY_CONTENT_LENGTH]
	_ = [1]struct{}{}[HTTP1BodyChunked-C.HTTP1_BODY_CHUNKED]
	_ = [1]struct{}{}[HTTP1BodyUntilClose-C.HTTP1_BODY_UNTIL_CLOSE]
	_ = [1]struct{}{}[HPACKResultOK-C.HPACK_OK]
)
