package http1

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// Content codings (RFC 9110 section 8.4.1) through the C library's zlib
// streams: the body of a message with Content-Encoding gzip or deflate.

// ErrCorruptContent is returned for compressed content that does not
// decode, including data after the end of the stream. It matches
// gosocket.ErrInvalidInput.
var ErrCorruptContent error = corruptContent{}

type corruptContent struct{}

func (corruptContent) Error() string { return "http1: corrupt compressed content" }

// Is matches gosocket.ErrInvalidInput.
func (corruptContent) Is(target error) bool { return target == gosocket.ErrInvalidInput }

const (
	contentChunk = 32 << 10
	zlibPending  = 128 << 10 // twice zlib's pending buffer at memLevel 8
)

func codingOf(name string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "gzip", "x-gzip":
		return cgo.HTTPCodingGzip, nil
	case "deflate":
		return cgo.HTTPCodingDeflate, nil
	}
	return 0, fmt.Errorf("unsupported content coding %q", name)
}

// ContentReader decodes a gzip or deflate body read from an underlying
// reader. "deflate" is the zlib format (RFC 9110); raw deflate streams,
// which some servers send instead, are recognised too.
type ContentReader struct {
	r      io.Reader
	codec  *cgo.HTTP1Codec
	buf    []byte // compressed input read from r
	in     []byte // the unconsumed part of buf
	rerr   error  // r's error once seen (io.EOF at the end)
	err    error  // sticky result: io.EOF when the stream ended
	closed bool
}

// NewContentReader returns a reader of the content of r decoded from
// coding ("gzip", "x-gzip" or "deflate", case-insensitive). Close it to
// release the C state (a cleanup does so too, later).
func NewContentReader(r io.Reader, coding string) (*ContentReader, error) {
	c, err := codingOf(coding)
	if err != nil {
		return nil, errs.Wrap("http1.NewContentReader", err, nil)
	}
	codec, err := cgo.NewHTTP1Decoder(c)
	if err != nil {
		return nil, errs.Wrap("http1.NewContentReader", err, nil)
	}
	return &ContentReader{r: r, codec: codec, buf: make([]byte, contentChunk)}, nil
}

// Read decodes into p. It returns io.EOF after the end of the compressed
// stream, io.ErrUnexpectedEOF when r ends inside it, and ErrCorruptContent
// for data that does not decode.
func (cr *ContentReader) Read(p []byte) (int, error) {
	if cr.closed {
		return 0, errs.Wrap("http1.ContentReader.Read", cgo.ErrClosed, nil)
	}
	if cr.err != nil {
		return 0, cr.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if len(cr.in) == 0 && cr.rerr == nil {
			cr.fill()
		}
		if len(cr.in) == 0 && cr.rerr != nil {
			return cr.finish(p)
		}
		consumed, written, result, err := cr.codec.Decode(cr.in, p)
		if err != nil { // raised in C (out of memory, misuse); bad data is a result
			cr.err = errs.Wrap("http1.ContentReader.Read", err, nil)
			return 0, cr.err
		}
		cr.in = cr.in[consumed:]
		switch {
		case result == cgo.HTTP1OK:
			cr.err = io.EOF
			return written, nil
		case result != cgo.HTTP1Incomplete: // includes data after the end
			cr.err = ErrCorruptContent
			return written, nil
		case written > 0:
			return written, nil
		case consumed == 0:
			// It wants more than it has (the zlib-or-raw check of
			// "deflate" reads two bytes at once): append, don't spin.
			if cr.rerr != nil {
				return cr.finish(p)
			}
			if !cr.fill() {
				cr.err = ErrCorruptContent
				return 0, cr.err
			}
		}
	}
}

// fill appends input from r behind the unconsumed part; false if the
// buffer has no room left.
func (cr *ContentReader) fill() bool {
	n := copy(cr.buf, cr.in)
	if n == len(cr.buf) {
		return false
	}
	m, err := cr.r.Read(cr.buf[n:])
	cr.in, cr.rerr = cr.buf[:n+m], err
	return true
}

// finish runs when r has no more input.
func (cr *ContentReader) finish(p []byte) (int, error) {
	if cr.rerr != io.EOF {
		cr.err = cr.rerr
		return 0, cr.err
	}
	written, result, err := cr.codec.DecodeFinish(p)
	switch {
	case err != nil:
		cr.err = errs.Wrap("http1.ContentReader.Read", err, nil)
	case result == cgo.HTTP1OK:
		cr.err = io.EOF
	case result == cgo.HTTP1Incomplete:
		return written, nil // more output pending: call again
	default:
		cr.err = io.ErrUnexpectedEOF
	}
	if written > 0 {
		return written, nil
	}
	return 0, cr.err
}

// Close releases the decoder. It does not close the underlying reader.
func (cr *ContentReader) Close() error {
	if !cr.closed {
		cr.closed = true
		cr.codec.Close()
	}
	return nil
}

// ContentWriter encodes what is written to it as gzip or deflate (zlib
// format) onto an underlying writer.
type ContentWriter struct {
	w      io.Writer
	codec  *cgo.HTTP1Codec
	out    []byte
	err    error
	closed bool
}

// NewContentWriter returns a writer that compresses into w in coding
// ("gzip", "x-gzip" or "deflate") at level 1 (fastest) to 9 (best), or 0
// for zlib's default. Close it to end the stream.
func NewContentWriter(w io.Writer, coding string, level int) (*ContentWriter, error) {
	c, err := codingOf(coding)
	if err == nil && (level < 0 || level > 9) {
		err = fmt.Errorf("compression level %d out of 0..9", level)
	}
	if err != nil {
		return nil, errs.Wrap("http1.NewContentWriter", err, nil)
	}
	codec, err := cgo.NewHTTP1Encoder(c, level)
	if err != nil {
		return nil, errs.Wrap("http1.NewContentWriter", err, nil)
	}
	return &ContentWriter{w: w, codec: codec}, nil
}

func (cw *ContentWriter) encode(p []byte, flush bool) error {
	if cw.closed {
		return errs.Wrap("http1.ContentWriter.Write", cgo.ErrClosed, nil)
	}
	if cw.err != nil {
		return cw.err
	}
	// The encoder takes all input in one call, and may also emit what
	// zlib held back from earlier writes (its pending buffer, 64 KiB with
	// the default memLevel): size for both.
	if need := len(p) + len(p)/1000 + 64 + zlibPending; cap(cw.out) < need {
		cw.out = make([]byte, need)
	}
	n, err := cw.codec.Encode(p, cw.out[:cap(cw.out)], flush)
	if err == nil && n < 0 {
		err = errors.New("compressor output overflow")
	}
	err = errs.Wrap("http1.ContentWriter.Write", err, nil)
	if err == nil && n > 0 {
		_, err = cw.w.Write(cw.out[:n])
	}
	cw.err = err
	return err
}

// Write compresses p. Output reaches the underlying writer as zlib
// produces it, not necessarily before Flush or Close.
func (cw *ContentWriter) Write(p []byte) (int, error) {
	for off := 0; off < len(p); off += contentChunk {
		end := min(off+contentChunk, len(p))
		if err := cw.encode(p[off:end], false); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

// Flush writes everything compressed so far (a sync flush), so the peer
// can decode it before more arrives.
func (cw *ContentWriter) Flush() error { return cw.encode(nil, true) }

// Close ends the stream (trailer and checksum) and releases the encoder.
// It does not close the underlying writer.
func (cw *ContentWriter) Close() error {
	if cw.closed {
		return nil
	}
	err := cw.err
	if cap(cw.out) < 4096 {
		cw.out = make([]byte, 4096)
	}
	for err == nil {
		n, ferr := cw.codec.EncodeFinish(cw.out[:cap(cw.out)])
		if ferr == nil && n < 0 {
			ferr = errors.New("compressor failed to finish")
		}
		if ferr != nil {
			err = errs.Wrap("http1.ContentWriter.Close", ferr, nil)
			break
		}
		if n > 0 {
			if _, werr := cw.w.Write(cw.out[:n]); werr != nil {
				err = werr
				break
			}
		}
		if n < cap(cw.out) {
			break
		}
	}
	cw.closed = true
	cw.codec.Close()
	return err
}
