package cgo

/*
#include "shim_http.h"

#cgo nocallback go_SocketHTTP1_decoder_new
#cgo noescape go_SocketHTTP1_decoder_new
#cgo nocallback go_SocketHTTP1_encoder_new
#cgo noescape go_SocketHTTP1_encoder_new
#cgo nocallback go_SocketHTTP1_codec_free
#cgo nocallback go_SocketHTTP1_decoder_decode
#cgo noescape go_SocketHTTP1_decoder_decode
#cgo nocallback go_SocketHTTP1_decoder_finish
#cgo noescape go_SocketHTTP1_decoder_finish
#cgo nocallback go_SocketHTTP1_encoder_encode
#cgo noescape go_SocketHTTP1_encoder_encode
#cgo nocallback go_SocketHTTP1_encoder_finish
#cgo noescape go_SocketHTTP1_encoder_finish
*/
import "C"

import "unsafe"

// Content codings of SocketHTTP_Coding the codec supports.
const (
	HTTPCodingGzip    = 2
	HTTPCodingDeflate = 3
)

// HTTP1Codec is a streaming gzip/deflate decoder or encoder
// (SocketHTTP1_Decoder_T / SocketHTTP1_Encoder_T) with its arena. Not safe
// for concurrent use.
type HTTP1Codec struct {
	own Owner[*C.GoHTTP1Codec]
}

func newCodec(g *C.GoHTTP1Codec) *HTTP1Codec {
	c := &HTTP1Codec{}
	Own(c, &c.own, HTTP1Codecs, g, freeCodec)
	return c
}

func freeCodec(g *C.GoHTTP1Codec) { C.go_SocketHTTP1_codec_free(g) }

// NewHTTP1Decoder starts decoding content in coding (HTTPCodingGzip or
// HTTPCodingDeflate; raw deflate is recognised too).
func NewHTTP1Decoder(coding int) (*HTTP1Codec, error) {
	var g *C.GoHTTP1Codec
	var e C.GoErr
	if C.go_SocketHTTP1_decoder_new(C.int(coding), &g, &e) != 0 {
		return nil, goError(&e)
	}
	return newCodec(g), nil
}

// NewHTTP1Encoder starts encoding content in coding at level (1..9, 0 for
// zlib's default).
func NewHTTP1Encoder(coding, level int) (*HTTP1Codec, error) {
	var g *C.GoHTTP1Codec
	var e C.GoErr
	if C.go_SocketHTTP1_encoder_new(C.int(coding), C.int(level), &g, &e) != 0 {
		return nil, goError(&e)
	}
	return newCodec(g), nil
}

// Close releases the codec; it is idempotent.
func (c *HTTP1Codec) Close() { c.own.Close() }

// Decode decompresses from in into out (which must not be empty) and
// returns the bytes consumed and written and the SocketHTTP1_Result
// (HTTP1OK at the end of the stream, HTTP1Incomplete for more).
func (c *HTTP1Codec) Decode(in, out []byte) (consumed, written, result int, err error) {
	result = HTTP1Error
	err = c.own.Use(func(g *C.GoHTTP1Codec) error {
		var cn, w C.size_t
		var r C.int
		var e C.GoErr
		src := nonEmpty(in)
		if C.go_SocketHTTP1_decoder_decode(g, unsafe.Pointer(&src[0]), C.size_t(len(in)), &cn,
			unsafe.Pointer(&out[0]), C.size_t(len(out)), &w, &r, &e) != 0 {
			return goError(&e)
		}
		consumed, written, result = int(cn), int(w), int(r)
		return nil
	})
	return consumed, written, result, err
}

// DecodeFinish flushes what is left into out (not empty): HTTP1OK when the
// stream ended properly, HTTP1Incomplete when more output is pending.
func (c *HTTP1Codec) DecodeFinish(out []byte) (written, result int, err error) {
	result = HTTP1Error
	err = c.own.Use(func(g *C.GoHTTP1Codec) error {
		var w C.size_t
		var r C.int
		var e C.GoErr
		if C.go_SocketHTTP1_decoder_finish(g, unsafe.Pointer(&out[0]), C.size_t(len(out)), &w, &r, &e) != 0 {
			return goError(&e)
		}
		written, result = int(w), int(r)
		return nil
	})
	return written, result, err
}

// Encode compresses all of in into out (not empty; size it
// len(in)+len(in)/1000+64) and returns the bytes written, -1 if out was
// too small (the codec is then unusable). flush emits a sync flush.
func (c *HTTP1Codec) Encode(in, out []byte, flush bool) (written int, err error) {
	written = -1
	err = c.own.Use(func(g *C.GoHTTP1Codec) error {
		var w C.ssize_t
		var e C.GoErr
		src := nonEmpty(in)
		if C.go_SocketHTTP1_encoder_encode(g, unsafe.Pointer(&src[0]), C.size_t(len(in)),
			unsafe.Pointer(&out[0]), C.size_t(len(out)), cBool(flush), &w, &e) != 0 {
			return goError(&e)
		}
		written = int(w)
		return nil
	})
	return written, err
}

// EncodeFinish ends the stream into out (not empty); call again while it
// fills out completely. -1 on failure.
func (c *HTTP1Codec) EncodeFinish(out []byte) (written int, err error) {
	written = -1
	err = c.own.Use(func(g *C.GoHTTP1Codec) error {
		var w C.ssize_t
		var e C.GoErr
		if C.go_SocketHTTP1_encoder_finish(g, unsafe.Pointer(&out[0]), C.size_t(len(out)), &w, &e) != 0 {
			return goError(&e)
		}
		written = int(w)
		return nil
	})
	return written, err
}
