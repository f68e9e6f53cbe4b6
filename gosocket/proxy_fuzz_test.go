package gosocket

import (
	"testing"

	"github.com/libsocket/libsocket/cgo"
)

// fuzzProxyConfigs are the configurations FuzzProxyHandshake picks from
// with its first byte.
var fuzzProxyConfigs = []struct {
	cfg    cgo.ProxyConfig
	target string
}{
	{cgo.ProxyConfig{Type: cgo.ProxySOCKS4, Host: "p", Port: 1080, Username: "id"}, "10.0.0.1"},
	{cgo.ProxyConfig{Type: cgo.ProxySOCKS4A, Host: "p", Port: 1080}, "target.test"},
	{cgo.ProxyConfig{Type: cgo.ProxySOCKS5, Host: "p", Port: 1080}, "target.test"},
	{cgo.ProxyConfig{Type: cgo.ProxySOCKS5H, Host: "p", Port: 1080, Username: "u", Password: "p", HasPassword: true}, "::1"},
	{cgo.ProxyConfig{Type: cgo.ProxyHTTP, Host: "p", Port: 8080}, "target.test"},
	{cgo.ProxyConfig{Type: cgo.ProxyHTTPS, Host: "p", Port: 8080, Username: "u", Password: "", HasPassword: true}, "10.0.0.1"},
}

// FuzzProxyHandshake feeds arbitrary proxy replies to the handshake codec
// through the binding, for every proxy type, in chunks whose sizes come
// from the input: no panic or binding error, consumed never exceeds
// what was fed, and the result, state, error text and HTTP status agree.
func FuzzProxyHandshake(f *testing.F) {
	ok5 := []byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 80}
	f.Add(byte(0), byte(3), []byte{0, 0x5a, 0, 80, 10, 0, 0, 1, 'x'})
	f.Add(byte(1), byte(1), []byte{0, 0x5b, 0, 0, 0, 0, 0, 0})
	f.Add(byte(2), byte(0), append([]byte{5, 0}, ok5...))
	f.Add(byte(3), byte(2), append([]byte{5, 2, 1, 0}, append(ok5, "tunnel"...)...))
	f.Add(byte(3), byte(5), []byte{5, 2, 1, 1})
	f.Add(byte(2), byte(4), []byte{5, 0, 5, 0, 0, 3, 4, 'h', 'o', 's', 't', 0, 80})
	f.Add(byte(2), byte(1), []byte{5, 0, 5, 5, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80})
	f.Add(byte(4), byte(7), []byte("HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\ndata"))
	f.Add(byte(5), byte(0), []byte("HTTP/1.0 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"))
	f.Add(byte(4), byte(3), []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"))
	f.Add(byte(4), byte(9), []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
	f.Fuzz(func(t *testing.T, pick, chunking byte, reply []byte) {
		pc := fuzzProxyConfigs[int(pick)%len(fuzzProxyConfigs)]
		h, err := cgo.NewProxyHandshake(pc.cfg, pc.target, 443)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		http := pc.cfg.Type == cgo.ProxyHTTP || pc.cfg.Type == cgo.ProxyHTTPS
		chunk := 1 + int(chunking)%16
		if chunking >= 128 {
			chunk = len(reply) + 1 // all at once
		}
		result := cgo.ProxyInProgress
		for result == cgo.ProxyInProgress {
			out, err := h.Output(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) > 0 {
				if err := h.Sent(len(out)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			n := min(chunk, len(reply)) // 0: the proxy closed
			r, used, err := h.Input(reply[:n])
			if err != nil {
				t.Fatal(err)
			}
			if used < 0 || used > n {
				t.Fatalf("consumed %d of %d bytes", used, n)
			}
			if r < cgo.ProxyOK || r > cgo.ProxyErrorCancelled || (n == 0 && r == cgo.ProxyInProgress) {
				t.Fatalf("result %d after %d bytes", r, n)
			}
			if r == cgo.ProxyInProgress && used < n {
				// A reply is consumed up to the next request, which
				// must be written first; the rest stays with the caller.
				if out, _ := h.Output(nil); len(out) == 0 {
					t.Fatalf("in progress with %d of %d bytes unused and nothing to send", n-used, n)
				}
			}
			reply = reply[used:]
			result = r
			if n > 0 && used == 0 && r == cgo.ProxyInProgress {
				t.Fatalf("no progress on %d bytes", n)
			}
		}
		st, err := h.Status()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case st.Result != result:
			t.Fatalf("status result %d, input said %d", st.Result, result)
		case result == cgo.ProxyOK && (st.State != cgo.ProxyStateConnected || st.Err != ""):
			t.Fatalf("OK with %+v", st)
		case result != cgo.ProxyOK && (st.State != cgo.ProxyStateFailed || st.Err == ""):
			t.Fatalf("failure with %+v", st)
		case !http && st.HTTPStatus != 0:
			t.Fatalf("SOCKS handshake with HTTP status %d", st.HTTPStatus)
		case http && result == cgo.ProxyOK && (st.HTTPStatus < 200 || st.HTTPStatus > 299):
			t.Fatalf("CONNECT succeeded with status %d", st.HTTPStatus)
		}
		if out, err := h.Output(nil); err != nil || len(out) != 0 {
			t.Fatalf("output after completion: % x, %v", out, err)
		}
		// A finished handshake stays finished.
		if r, used, err := h.Input([]byte{5, 0}); err != nil || r != result || used != 0 {
			t.Fatalf("input after completion: %d, %d, %v (was %d)", r, used, err, result)
		}
	})
}
