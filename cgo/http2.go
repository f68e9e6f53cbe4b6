package cgo

/*
#include "shim_http2.h"

#cgo nocallback go_h2_new
#cgo noescape go_h2_new
#cgo nocallback go_h2_free
#cgo nocallback go_h2_input
#cgo noescape go_h2_input
#cgo nocallback go_h2_process
#cgo noescape go_h2_process
#cgo nocallback go_h2_output
#cgo noescape go_h2_output
#cgo nocallback go_h2_consumed
#cgo nocallback go_h2_recv_headers
#cgo noescape go_h2_recv_headers
#cgo nocallback go_h2_recv_data
#cgo noescape go_h2_recv_data
#cgo nocallback go_h2_send_headers
#cgo noescape go_h2_send_headers
#cgo nocallback go_h2_send_data
#cgo noescape go_h2_send_data
#cgo nocallback go_h2_stream_new
#cgo noescape go_h2_stream_new
#cgo nocallback go_h2_stream_close
#cgo noescape go_h2_stream_close
#cgo nocallback go_h2_goaway
#cgo noescape go_h2_goaway
#cgo nocallback go_h2_stream_send_window
#cgo nocallback go_h2_last_stream_id
#cgo nocallback go_h2_is_closed
#cgo nocallback go_h2_peer_setting
#cgo nocallback go_h2_push_promise
#cgo noescape go_h2_push_promise
#cgo nocallback go_h2_error_string
#cgo nocallback go_h2_stream_reset_info
#cgo noescape go_h2_stream_reset_info
#cgo nocallback go_h2_goaway_received
#cgo noescape go_h2_goaway_received
#cgo nocallback go_h2_goaway_sent
#cgo noescape go_h2_goaway_sent
#cgo nocallback go_h2_streams_available
#cgo nocallback go_h2_stream_is_idle
#cgo nocallback go_h2_next_timeout_ms
#cgo nocallback go_h2_enable_connect_protocol
#cgo noescape go_h2_enable_connect_protocol
#cgo nocallback go_h2_peer_connect_protocol
*/
import "C"

import (
	"sync"
	"time"
	"unsafe"
)

// Each line fails to compile unless the Go constant equals the C value.
var (
	_ = [1]struct{}{}[H2EventStreamStart-C.HTTP2_EVENT_STREAM_START]
	_ = [1]struct{}{}[H2EventHeaders-C.HTTP2_EVENT_HEADERS_RECEIVED]
	_ = [1]struct{}{}[H2EventData-C.HTTP2_EVENT_DATA_RECEIVED]
	_ = [1]struct{}{}[H2EventTrailers-C.HTTP2_EVENT_TRAILERS_RECEIVED]
	_ = [1]struct{}{}[H2EventStreamEnd-C.HTTP2_EVENT_STREAM_END]
	_ = [1]struct{}{}[H2EventStreamReset-C.HTTP2_EVENT_STREAM_RESET]
	_ = [1]struct{}{}[H2EventPushPromise-C.HTTP2_EVENT_PUSH_PROMISE]
	_ = [1]struct{}{}[H2EventWindowUpdate-C.HTTP2_EVENT_WINDOW_UPDATE]
	_ = [1]struct{}{}[H2EventSettingsAck-C.HTTP2_EVENT_SETTINGS_ACK]
	_ = [1]struct{}{}[H2EventPingAck-C.HTTP2_EVENT_PING_ACK]
	_ = [1]struct{}{}[H2EventGoAwayReceived-C.HTTP2_EVENT_GOAWAY_RECEIVED]
	_ = [1]struct{}{}[H2EventConnectionError-C.HTTP2_EVENT_CONNECTION_ERROR]
	_ = [1]struct{}{}[H2ResetNone-C.SOCKETHTTP2EXT_RESET_NONE]
	_ = [1]struct{}{}[H2ResetReceived-C.SOCKETHTTP2EXT_RESET_RECEIVED]
	_ = [1]struct{}{}[H2ResetSent-C.SOCKETHTTP2EXT_RESET_SENT]
	_ = [1]struct{}{}[H2ResetGoAway-C.SOCKETHTTP2EXT_RESET_GOAWAY]
	_ = [1]struct{}{}[H2ResetLocal-C.SOCKETHTTP2EXT_RESET_LOCAL]
)

// H2Conn owns one HTTP/2 connection of the engine with memory I/O
// (SocketHTTP2Ext_Conn_new_io): the caller feeds the peer's bytes to
// Input and writes what Output gives. The engine's callbacks are
// collected in C; every call appends the events it caused to a list that
// TakeEvents returns. The C object is single-threaded; the wrapper
// serialises calls.
type H2Conn struct {
	own    Owner[*C.GoH2Conn]
	mu     sync.Mutex
	events []H2Event
}

// NewH2Conn creates a connection; nothing is queued until Output.
func NewH2Conn(cfg H2Config) (*H2Conn, error) {
	g := C.GoH2Config{
		max_concurrent_streams: C.uint32_t(cfg.MaxConcurrentStreams),
		initial_window_size:    C.uint32_t(cfg.InitialWindowSize),
		max_frame_size:         C.uint32_t(cfg.MaxFrameSize),
		max_header_list_size:   C.uint32_t(cfg.MaxHeaderListSize),
		connection_window_size: C.uint32_t(cfg.ConnectionWindowSize),
		idle_timeout_ms:        C.int(cfg.IdleTimeoutMS),
		settings_timeout_ms:    C.int(cfg.SettingsTimeoutMS),
		ping_timeout_ms:        C.int(cfg.PingTimeoutMS),
		keepalive_ms:           C.int(cfg.KeepaliveMS),
	}
	if cfg.Server {
		g.server = 1
	}
	var p *C.GoH2Conn
	var e C.GoErr
	if C.go_h2_new(&g, &p, &e) != 0 {
		return nil, goError(&e)
	}
	h := &H2Conn{}
	Own(h, &h.own, HTTP2Conns, p, freeH2Conn)
	return h, nil
}

func freeH2Conn(p *C.GoH2Conn) { C.go_h2_free(p) }

// Close frees the connection and its streams; idempotent.
func (h *H2Conn) Close() { h.own.Close() }

// use runs fn under the lock and collects the events of the call.
func (h *H2Conn) use(fn func(*C.GoH2Conn) error) error {
	return h.own.Use(func(p *C.GoH2Conn) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		err := fn(p)
		h.collect(p)
		return err
	})
}

func (h *H2Conn) collect(p *C.GoH2Conn) {
	if p.nevents == 0 {
		return
	}
	evs := unsafe.Slice(p.events, int(p.nevents))
	for _, ev := range evs {
		h.events = append(h.events, H2Event{Type: int(ev.event), StreamID: uint32(ev.stream_id), Stream: H2Stream(ev.stream),
			ResetHow: int(ev.reset_how), ResetCode: uint32(ev.reset_code)})
	}
	if p.overflow != 0 {
		h.events = append(h.events, H2Event{Type: H2EventConnectionError})
	}
}

// TakeEvents appends the events collected since the last TakeEvents to
// dst and forgets them.
func (h *H2Conn) TakeEvents(dst []H2Event) []H2Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	dst = append(dst, h.events...)
	h.events = h.events[:0]
	return dst
}

// Input feeds bytes received from the peer. consumed is less than len(b)
// when the send queue is over its bound (drain the output, then feed the
// rest) or after a connection error; ok is false after a connection
// error (a GOAWAY is queued).
func (h *H2Conn) Input(b []byte) (consumed int, ok bool, err error) {
	if len(b) == 0 {
		return 0, true, nil
	}
	err = h.use(func(p *C.GoH2Conn) error {
		var n C.size_t
		var r C.int
		var e C.GoErr
		if C.go_h2_input(p, (*C.uchar)(unsafe.Pointer(&b[0])), C.size_t(len(b)), &n, &r, &e) != 0 {
			return goError(&e)
		}
		consumed, ok = int(n), r == 0
		return nil
	})
	return consumed, ok, err
}

// Process runs the housekeeping (removal of closed streams, timeouts).
// ok is false after a connection error; closed reports a GOAWAY sent or
// received. Deadlines (SETTINGS and PING acknowledgements, idle,
// keepalive, stalled streams) fire only here: call it when NextTimeout
// has passed, with or without input.
func (h *H2Conn) Process() (ok, closed bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var r, c C.int
		var e C.GoErr
		if C.go_h2_process(p, &r, &c, &e) != 0 {
			return goError(&e)
		}
		ok, closed = r == 0, c != 0
		return nil
	})
	return ok, closed, err
}

// Output appends at most max bytes of the pending output to dst; they
// stay pending until Consumed.
func (h *H2Conn) Output(dst []byte, max int) ([]byte, error) {
	err := h.use(func(p *C.GoH2Conn) error {
		var b *C.uchar
		var n C.size_t
		var e C.GoErr
		if C.go_h2_output(p, &b, &n, &e) != 0 {
			return goError(&e)
		}
		if int(n) > max {
			n = C.size_t(max)
		}
		if n > 0 {
			dst = append(dst, unsafe.Slice((*byte)(unsafe.Pointer(b)), int(n))...)
		}
		return nil
	})
	return dst, err
}

// Consumed drops the first n bytes of the output (they were written).
func (h *H2Conn) Consumed(n int) error {
	return h.use(func(p *C.GoH2Conn) error {
		C.go_h2_consumed(p, C.size_t(n))
		return nil
	})
}

// RecvHeaders returns the head (trailers false) or the trailers of s,
// copied; ok is false when they have not arrived. end reports that the
// peer's side is complete (head only).
func (h *H2Conn) RecvHeaders(s H2Stream, trailers bool) (fields []H2Field, end, ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var out *C.SocketHPACK_Header
		var n C.size_t
		var es, avail C.int
		var e C.GoErr
		t := C.int(0)
		if trailers {
			t = 1
		}
		if C.go_h2_recv_headers(p, C.uintptr_t(s), t, &out, &n, &es, &avail, &e) != 0 {
			return goError(&e)
		}
		if avail == 0 {
			return nil
		}
		ok, end = true, es != 0
		hs := unsafe.Slice(out, int(n))
		fields = make([]H2Field, len(hs))
		for i, f := range hs {
			fields[i] = H2Field{
				Name:  C.GoStringN(f.name, C.int(f.name_len)),
				Value: C.GoStringN(f.value, C.int(f.value_len)),
			}
		}
		return nil
	})
	return fields, end, ok, err
}

// RecvData copies buffered DATA of s into b and credits the windows; end
// reports END_STREAM received and the buffer drained.
func (h *H2Conn) RecvData(s H2Stream, b []byte) (n int, end bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		buf := nonEmpty(b)
		var r C.ssize_t
		var es C.int
		var e C.GoErr
		if C.go_h2_recv_data(p, C.uintptr_t(s), (*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(b)), &r, &es, &e) != 0 {
			return goError(&e)
		}
		n, end = int(r), es != 0
		return nil
	})
	return n, end, err
}

// flatFields lays fields out as one buffer and (offset, length) spans
// of names and values, as the shims take them.
func flatFields(fields []H2Field) ([]byte, []C.size_t) {
	size := 0
	for _, f := range fields {
		size += len(f.Name) + len(f.Value)
	}
	buf := make([]byte, 0, size+1)
	spans := make([]C.size_t, 4*len(fields)+1)
	for i, f := range fields {
		spans[4*i] = C.size_t(len(buf))
		spans[4*i+1] = C.size_t(len(f.Name))
		buf = append(buf, f.Name...)
		spans[4*i+2] = C.size_t(len(buf))
		spans[4*i+3] = C.size_t(len(f.Value))
		buf = append(buf, f.Value...)
	}
	return nonEmpty(buf[:cap(buf)]), spans
}

// SendHeaders queues a header block (trailers: with END_STREAM, no
// pseudo-headers); ok is false when the engine refused it (stream state,
// connection closed, unencodable). On an idle stream of ours it is also
// false while the peer's MAX_CONCURRENT_STREAMS is reached
// (StreamsAvailable is 0): the stream then stays idle and may be sent
// once a stream ends; StreamIdle tells the two refusals apart. A stream
// left idle is refused (H2ResetLocal, REFUSED_STREAM) when a higher
// stream id opens first, so open streams in id order.
func (h *H2Conn) SendHeaders(s H2Stream, fields []H2Field, trailers, endStream bool) (ok bool, err error) {
	buf, spans := flatFields(fields)
	err = h.use(func(p *C.GoH2Conn) error {
		kind, es := C.int(0), C.int(0)
		if trailers {
			kind = 1
		}
		if endStream {
			es = 1
		}
		var r C.int
		var e C.GoErr
		if C.go_h2_send_headers(p, C.uintptr_t(s), kind, (*C.char)(unsafe.Pointer(&buf[0])), &spans[0],
			C.size_t(len(fields)), es, &r, &e) != 0 {
			return goError(&e)
		}
		ok = r == 0
		return nil
	})
	return ok, err
}

// SendData queues up to len(b) bytes of DATA as the send windows and the
// send queue allow and returns how many; 0 means blocked (wait for a
// window update or drain the output), -1 that the state forbids DATA.
// END_STREAM goes out only if all of b was queued; ended reports it.
func (h *H2Conn) SendData(s H2Stream, b []byte, endStream bool) (n int, ended bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		buf := nonEmpty(b)
		es := C.int(0)
		if endStream {
			es = 1
		}
		var r C.ssize_t
		var end C.int
		var e C.GoErr
		if C.go_h2_send_data(p, C.uintptr_t(s), (*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(b)), es, &r, &end, &e) != 0 {
			return goError(&e)
		}
		n, ended = int(r), end != 0
		return nil
	})
	return n, ended, err
}

// NewStream creates a local stream (client role: ids 1, 3, ...) in the
// idle state; SendHeaders opens it. ok is false when the engine refused:
// the connection is closed or stream ids are exhausted. The peer's
// MAX_CONCURRENT_STREAMS does not stop NewStream (an idle stream does
// not count, RFC 9113 §5.1): check StreamsAvailable first to wait for a
// slot, or let SendHeaders refuse and keep the stream idle.
func (h *H2Conn) NewStream() (s H2Stream, id uint32, ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var out C.uintptr_t
		var sid C.uint32_t
		var e C.GoErr
		if C.go_h2_stream_new(p, &out, &sid, &e) != 0 {
			return goError(&e)
		}
		s, id, ok = H2Stream(out), uint32(sid), out != 0
		return nil
	})
	return s, id, ok, err
}

// ResetStream queues RST_STREAM(code) and closes s (no-op when closed).
func (h *H2Conn) ResetStream(s H2Stream, code int) error {
	return h.use(func(p *C.GoH2Conn) error {
		var e C.GoErr
		if C.go_h2_stream_close(p, C.uintptr_t(s), C.int(code), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// GoAway queues a GOAWAY(code) with the last processed stream id.
func (h *H2Conn) GoAway(code int) error {
	return h.use(func(p *C.GoH2Conn) error {
		var e C.GoErr
		if C.go_h2_goaway(p, C.int(code), &e) != 0 {
			return goError(&e)
		}
		return nil
	})
}

// SendWindow returns how many DATA bytes s may send now (the minimum of
// its and the connection's send window, 0 when negative).
func (h *H2Conn) SendWindow(s H2Stream) (n int, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		n = int(C.go_h2_stream_send_window(p, C.uintptr_t(s)))
		return nil
	})
	return n, err
}

// LastStreamID returns the highest peer stream id processed.
func (h *H2Conn) LastStreamID() (id uint32, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		id = uint32(C.go_h2_last_stream_id(p))
		return nil
	})
	return id, err
}

// PeerSetting returns the peer's value of SETTINGS id (the RFC default
// until its SETTINGS arrive; MAX_CONCURRENT_STREAMS and
// MAX_HEADER_LIST_SIZE start at 0xFFFFFFFF).
func (h *H2Conn) PeerSetting(id int) (v uint32, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		v = uint32(C.go_h2_peer_setting(p, C.int(id)))
		return nil
	})
	return v, err
}

// PushPromise queues a PUSH_PROMISE on s for the request head fields
// (pseudo-headers first) and returns the promised stream (reserved;
// send its response with SendHeaders). ok is false when the engine
// refused: the peer disabled push, the state of s, the peer's stream
// limit or a closed connection.
func (h *H2Conn) PushPromise(s H2Stream, fields []H2Field) (ps H2Stream, id uint32, ok bool, err error) {
	buf, spans := flatFields(fields)
	err = h.use(func(p *C.GoH2Conn) error {
		var out C.uintptr_t
		var sid C.uint32_t
		var e C.GoErr
		if C.go_h2_push_promise(p, C.uintptr_t(s), (*C.char)(unsafe.Pointer(&buf[0])), &spans[0],
			C.size_t(len(fields)), &out, &sid, &e) != 0 {
			return goError(&e)
		}
		ps, id, ok = H2Stream(out), uint32(sid), out != 0
		return nil
	})
	return ps, id, ok, err
}

// Closed reports whether a GOAWAY was sent or received.
func (h *H2Conn) Closed() (closed bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		closed = C.go_h2_is_closed(p) != 0
		return nil
	})
	return closed, err
}

// StreamsAvailable returns how many more streams of ours may open now:
// the peer's MAX_CONCURRENT_STREAMS (100 until its SETTINGS arrive)
// minus our open streams; 0 once a GOAWAY was sent or received or the
// connection failed.
func (h *H2Conn) StreamsAvailable() (n uint32, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		n = uint32(C.go_h2_streams_available(p))
		return nil
	})
	return n, err
}

// StreamIdle reports whether s is still idle (created by NewStream, no
// HEADERS sent): after a refused SendHeaders it means "no slot yet".
func (h *H2Conn) StreamIdle(s H2Stream) (idle bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		idle = C.go_h2_stream_is_idle(p, C.uintptr_t(s)) != 0
		return nil
	})
	return idle, err
}

// StreamResetInfo returns how s was reset (an H2Reset* value) and the
// error code; the STREAM_RESET event carries the same.
func (h *H2Conn) StreamResetInfo(s H2Stream) (how int, code uint32, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var c C.uint32_t
		how = int(C.go_h2_stream_reset_info(p, C.uintptr_t(s), &c))
		code = uint32(c)
		return nil
	})
	return how, code, err
}

// GoAwayReceived returns the peer's GOAWAY (the lowest last-stream-id
// of those received, the latest code and debug data, copied); ok is
// false when none arrived.
func (h *H2Conn) GoAwayReceived() (g H2GoAway, ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var last, code C.uint32_t
		var dbg *C.uchar
		var n C.size_t
		if C.go_h2_goaway_received(p, &last, &code, &dbg, &n) == 0 {
			return nil
		}
		ok = true
		g = H2GoAway{LastStreamID: uint32(last), Code: uint32(code)}
		if n > 0 {
			g.Debug = C.GoBytes(unsafe.Pointer(dbg), C.int(n))
		}
		return nil
	})
	return g, ok, err
}

// GoAwaySent returns the fields of the GOAWAY we sent (queued: by GoAway
// or for a connection error the peer caused); ok is false when none.
func (h *H2Conn) GoAwaySent() (lastStreamID, code uint32, ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var last, c C.uint32_t
		ok = C.go_h2_goaway_sent(p, &last, &c) != 0
		lastStreamID, code = uint32(last), uint32(c)
		return nil
	})
	return lastStreamID, code, ok, err
}

// NextTimeout returns how long until Process must run for the
// connection's next deadline (0: due now); ok is false when no deadline
// is armed or the connection failed. Ask again after every call.
func (h *H2Conn) NextTimeout() (d time.Duration, ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		ms := int(C.go_h2_next_timeout_ms(p))
		d, ok = time.Duration(ms)*time.Millisecond, ms >= 0
		return nil
	})
	return d, ok, err
}

// EnableConnectProtocol advertises SETTINGS_ENABLE_CONNECT_PROTOCOL
// (RFC 8441); ok is false when the connection is closed.
func (h *H2Conn) EnableConnectProtocol() (ok bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		var r C.int
		var e C.GoErr
		if C.go_h2_enable_connect_protocol(p, &r, &e) != 0 {
			return goError(&e)
		}
		ok = r == 0
		return nil
	})
	return ok, err
}

// PeerConnectProtocol reports whether the peer's SETTINGS enabled
// extended CONNECT (RFC 8441).
func (h *H2Conn) PeerConnectProtocol() (on bool, err error) {
	err = h.use(func(p *C.GoH2Conn) error {
		on = C.go_h2_peer_connect_protocol(p) != 0
		return nil
	})
	return on, err
}

// H2ErrorString is SocketHTTP2_error_string.
func H2ErrorString(code int) string { return C.GoString(C.go_h2_error_string(C.int(code))) }
