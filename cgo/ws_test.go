package cgo

import (
	"bytes"
	"strings"
	"testing"
)

// pump moves everything src queued into dst's input and returns the
// events dst produced, with message bytes gathered in msg.
func wsPump(t *testing.T, src, dst *WSCodec) (msg []byte, reads []WSRead) {
	t.Helper()
	out := make([]byte, 1<<20)
	n, pending, _, err := src.Send(WSSendFlush, 0, nil, out)
	if err != nil || pending != 0 {
		t.Fatalf("flush: %v pending %d", err, pending)
	}
	wire := out[:n]
	buf := make([]byte, 64)
	for {
		commit := 0
		if len(wire) > 0 {
			space, err := dst.InputSpace()
			if err != nil {
				t.Fatal(err)
			}
			commit = copy(space, wire)
			wire = wire[commit:]
		}
		r, err := dst.Read(commit, buf)
		if err != nil {
			t.Fatal(err)
		}
		msg = append(msg, buf[:r.Copied]...)
		reads = append(reads, r)
		if (r.NeedInput && len(wire) == 0) || r.Done {
			return msg, reads
		}
	}
}

func TestWSCodecRoundTrip(t *testing.T) {
	for _, deflate := range []bool{false, true} {
		var d WSDeflate
		if deflate {
			d = WSDeflate{Enabled: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
		}
		client, err := NewWSCodec(WSConfig{ValidateUTF8: true, Params: d})
		if err != nil {
			t.Fatal(err)
		}
		server, err := NewWSCodec(WSConfig{Server: true, ValidateUTF8: true, Params: d})
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.Repeat([]byte("héllo "), 1000)
		if _, _, wserr, err := client.Send(WSSendMessage, WSOpText, want, nil); err != nil || wserr != WSOK {
			t.Fatalf("send: %v %d", err, wserr)
		}
		got, reads := wsPump(t, client, server)
		if !bytes.Equal(got, want) || reads[0].Start != WSOpText {
			t.Fatalf("deflate=%v: got %d bytes, start %d", deflate, len(got), reads[0].Start)
		}
		// a PING is answered by the codec itself
		server.Send(WSSendPing, 0, []byte("p"), nil)
		_, reads = wsPump(t, server, client)
		if reads[0].Event != WSEventPing || string(reads[0].Data) != "p" {
			t.Fatalf("ping event %+v", reads[0])
		}
		_, reads = wsPump(t, client, server)
		if reads[0].Event != WSEventPong {
			t.Fatalf("pong event %+v", reads[0])
		}
		// close handshake
		client.Send(WSSendClose, 4000, []byte("bye"), nil)
		_, reads = wsPump(t, client, server)
		last := reads[len(reads)-1]
		if last.Event != WSEventClose || last.CloseCode != 4000 || string(last.Data) != "bye" || !last.Done {
			t.Fatalf("close event %+v", last)
		}
		st, err := server.State()
		if err != nil || !st.CloseReceived || !st.CloseSent || st.CloseCode != 4000 || st.CloseReason != "bye" {
			t.Fatalf("state %+v %v", st, err)
		}
		if _, _, wserr, _ := server.Send(WSSendMessage, WSOpBinary, []byte("late"), nil); wserr != WSErrorClosed {
			t.Fatalf("send after close: %d", wserr)
		}
		client.Close()
		server.Close()
		client.Close()
		if _, err := client.InputSpace(); err != ErrClosed {
			t.Fatalf("use after Close: %v", err)
		}
	}
	if n := WSCodecs.Live(); n != 0 {
		t.Fatalf("%d codecs alive", n)
	}
}

func TestWSHandshakeHelpers(t *testing.T) {
	key, err := WebSocketKey()
	if err != nil {
		t.Fatal(err)
	}
	req, err := WSClientRequest("example.com:80", "/chat?x=1", key, WSConfig{Deflate: true},
		[]string{"v1", "v2"}, [][2]string{{"Origin", "http://example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(req)
	for _, want := range []string{"GET /chat?x=1 HTTP/1.1\r\n", "Host: example.com:80\r\n", key, "permessage-deflate", "v1", "Origin: http://example.com\r\n"} {
		if !strings.Contains(s, want) {
			t.Fatalf("request lacks %q:\n%s", want, s)
		}
	}
	if _, err := WSClientRequest("bad\r\nhost", "/", key, WSConfig{}, nil, nil); err == nil {
		t.Fatal("CR/LF in host accepted")
	}
	d, ok, err := WSDeflateNegotiate("permessage-deflate; client_max_window_bits", WSConfig{Server: true, Deflate: true})
	if err != nil || !ok || !d.Enabled {
		t.Fatalf("negotiate: %+v %v %v", d, ok, err)
	}
	resp, err := WSServerResponse(key, "v2", d)
	if err != nil {
		t.Fatal(err)
	}
	accept, _ := WebSocketAccept(key)
	if !strings.Contains(string(resp), accept) || !strings.Contains(string(resp), "Sec-WebSocket-Protocol: v2") {
		t.Fatalf("response:\n%s", resp)
	}
	if _, ok, _ := WSDeflateAccept("permessage-deflate; server_no_context_takeover; client_no_context_takeover", WSConfig{Deflate: true}); !ok {
		t.Fatal("gorilla's answer refused")
	}
	if _, ok, _ := WSDeflateAccept("x-unknown", WSConfig{Deflate: true}); ok {
		t.Fatal("unknown extension accepted")
	}
}
