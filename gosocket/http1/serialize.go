package http1

import (
	csocket "github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket/internal/cerr"
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

// AppendRequestHead appends an HTTP/1.1 request head to dst: the request
// line (target is the origin-form path, or host:port for CONNECT), Host
// from host unless h has one, the fields of h, framing and the empty
// line. contentLength >= 0 writes Content-Length (for 0 only with POST, PUT
// and PATCH); -1 announces a chunked body. Framing fields already in h
// win. method must be one of the registered methods (GET ... PATCH).
func AppendRequestHead(dst []byte, method, target, host string, h Header, contentLength int64) ([]byte, error) {
	out, err := csocket.HTTP1Serialize(dst, true, csocket.HTTP1SerHead{
		Version: 11, Method: method, Target: target, Authority: host,
		HasBody: contentLength != 0, ContentLength: contentLength,
	}, pairs(h))
	return out, cerr.Wrap("http1.AppendRequestHead", err)
}

// AppendResponseHead appends an HTTP/1.1 response head: the status line
// (reason "" means the registered phrase), the fields of h, framing as for
// requests (never for 1xx, 204 and 304) and the empty line.
func AppendResponseHead(dst []byte, status int, reason string, h Header, contentLength int64) ([]byte, error) {
	out, err := csocket.HTTP1Serialize(dst, false, csocket.HTTP1SerHead{
		Version: 11, Status: status, Reason: reason,
		HasBody: contentLength != 0, ContentLength: contentLength,
	}, pairs(h))
	return out, cerr.Wrap("http1.AppendResponseHead", err)
}

// AppendChunk appends data as one chunk (hex size, CRLF, data, CRLF).
// Empty data appends nothing: an empty chunk would end the body.
func AppendChunk(dst, data []byte) []byte { return csocket.HTTP1Chunk(dst, data) }

// AppendLastChunk appends the last chunk "0\r\n", the trailer fields and
// the final CRLF.
func AppendLastChunk(dst []byte, trailers Header) ([]byte, error) {
	out, err := csocket.HTTP1ChunkFinal(dst, pairs(trailers))
	return out, cerr.Wrap("http1.AppendLastChunk", err)
}
