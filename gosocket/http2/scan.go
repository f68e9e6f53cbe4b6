package http2

import "encoding/binary"

// frameScanner follows the frame boundaries of one direction of a
// connection to report the RST_STREAM and GOAWAY frames in it: the
// engine handles those frames but reports only that a reset or GOAWAY
// happened, not its code. It observes bytes the engine already accepted
// (input) or produced (output) and decides nothing.
type frameScanner struct {
	skip      int // preface or payload bytes to pass over
	hdr       [9]byte
	nh        int
	typ       byte
	sid       uint32
	remaining int // payload bytes of a reported frame still to come
	payload   []byte
	onFrame   func(typ byte, sid uint32, payload []byte)
}

const (
	frameRSTStream = 0x3
	frameGoAway    = 0x7
	maxCapture     = 8 + 256 // GOAWAY fields plus some debug data
)

func (f *frameScanner) scan(p []byte) {
	for len(p) > 0 {
		if f.skip > 0 {
			n := min(f.skip, len(p))
			f.skip -= n
			p = p[n:]
			continue
		}
		if f.remaining > 0 {
			n := min(f.remaining, len(p))
			if room := maxCapture - len(f.payload); room > 0 {
				f.payload = append(f.payload, p[:min(n, room)]...)
			}
			f.remaining -= n
			p = p[n:]
			if f.remaining == 0 {
				f.onFrame(f.typ, f.sid, f.payload)
			}
			continue
		}
		n := copy(f.hdr[f.nh:], p)
		f.nh += n
		p = p[n:]
		if f.nh < len(f.hdr) {
			continue
		}
		f.nh = 0
		length := int(f.hdr[0])<<16 | int(f.hdr[1])<<8 | int(f.hdr[2])
		typ := f.hdr[3]
		sid := binary.BigEndian.Uint32(f.hdr[5:]) & 0x7fffffff
		if typ != frameRSTStream && typ != frameGoAway {
			f.skip = length
			continue
		}
		f.typ, f.sid, f.remaining, f.payload = typ, sid, length, f.payload[:0]
		if length == 0 {
			f.onFrame(typ, sid, nil)
		}
	}
}
