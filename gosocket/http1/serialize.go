package http1

import (
	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/errs"
)

// The serializers validate every name and value (RFC 9110 token and
// field-value rules), so CR/LF injection is impossible: invalid input is
// an error matching gosocket.ErrHTTP. Each is one cgo call.

func pairs(h Header) []string {
	s := make([]string, 0, 2*len(h))
	for _, f := range h {
		s = append(s, f.Name, f.Value)
	}
	return s
}

// framing decides the framing of a head the Go way (the C serializer only
// writes Content-Length when asked and never invents Transfer-Encoding):
// nothing when h already frames the message; otherwise a negative
// contentLength adds "Transfer-Encoding: chunked" to fields, and a
// positive one (or 0 when zero is allowed) asks C for Content-Length.
func framing(fields []string, h Header, contentLength int64, zero bool) ([]string, bool) {
	if h.Has("Content-Length") || h.Has("Transfer-Encoding") {
		return fields, false
	}
	if contentLength < 0 {
		return append(fields, "Transfer-Encoding", "chunked"), false
	}
	return fields, contentLength > 0 || zero
}

// AppendRequestHead appends an HTTP/1.1 request head to dst: the request
// line (target is the origin-form path, or host:port for CONNECT), Host
// from host unless h has one, the fields of h, framing and the empty
// line. contentLength >= 0 writes Content-Length (for 0 only with POST, PUT
// and PATCH); -1 announces a chunked body. Framing fields already in h
// win. method must be one of the registered methods (GET ... PATCH).
func AppendRequestHead(dst []byte, method, target, host string, h Header, contentLength int64) ([]byte, error) {
	fields := make([]string, 0, 2*len(h)+4)
	if host != "" && !h.Has("Host") {
		fields = append(fields, "Host", host) // Host first, as RFC 9112 3.2 advises
	}
	fields, hasBody := framing(append(fields, pairs(h)...), h, contentLength,
		method == "POST" || method == "PUT" || method == "PATCH")
	out, err := cgo.HTTP1Serialize(dst, true, cgo.HTTP1SerHead{
		Version: 11, Method: method, Target: target, Authority: host,
		HasBody: hasBody, ContentLength: contentLength,
	}, fields)
	return out, errs.Wrap("http1.AppendRequestHead", err, nil)
}

// AppendResponseHead appends an HTTP/1.1 response head: the status line
// (reason "" means the registered phrase), the fields of h, framing as for
// requests (never for 1xx, 204 and 304) and the empty line.
func AppendResponseHead(dst []byte, status int, reason string, h Header, contentLength int64) ([]byte, error) {
	fields, hasBody := pairs(h), false
	if status >= 200 && status != 204 && status != 304 {
		fields, hasBody = framing(fields, h, contentLength, true)
	}
	out, err := cgo.HTTP1Serialize(dst, false, cgo.HTTP1SerHead{
		Version: 11, Status: status, Reason: reason,
		HasBody: hasBody, ContentLength: contentLength,
	}, fields)
	return out, errs.Wrap("http1.AppendResponseHead", err, nil)
}

// AppendChunk appends data as one chunk (hex size, CRLF, data, CRLF).
// Empty data appends nothing: an empty chunk would end the body.
func AppendChunk(dst, data []byte) []byte { return cgo.HTTP1Chunk(dst, data) }

// AppendLastChunk appends the last chunk "0\r\n", the trailer fields and
// the final CRLF.
func AppendLastChunk(dst []byte, trailers Header) ([]byte, error) {
	out, err := cgo.HTTP1ChunkFinal(dst, pairs(trailers))
	return out, errs.Wrap("http1.AppendLastChunk", err, nil)
}
