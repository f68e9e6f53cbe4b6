package http2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

// peer is an HTTP/2 server the Transport is tested against.
type peer struct {
	url     string
	tr      *Transport
	accepts *atomic.Int64
	cert    *x509.Certificate // the TLS server's
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// xnetH2C serves h with x/net's server over h2c (prior knowledge) and
// returns a Transport for it.
func xnetH2C(t testing.TB, h http.Handler, maxStreams uint32) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{accepts: new(atomic.Int64)}
	hs := &http.Server{Handler: h2c.NewHandler(h, &xhttp2.Server{MaxConcurrentStreams: maxStreams})}
	go hs.Serve(countingListener{ln, p.accepts})
	p.url = "http://" + ln.Addr().String()
	p.tr = &Transport{AllowHTTP: true}
	t.Cleanup(func() {
		p.tr.CloseIdleConnections()
		hs.Close()
	})
	return p
}

// xnetTLS serves h with x/net's server (not net/http's bundled copy)
// behind crypto/tls with ALPN.
func xnetTLS(t testing.TB, h http.Handler) *peer {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	p := &peer{accepts: new(atomic.Int64)}
	ts.Listener = countingListener{ts.Listener, p.accepts}
	if err := xhttp2.ConfigureServer(ts.Config, &xhttp2.Server{}); err != nil {
		t.Fatal(err)
	}
	ts.TLS = ts.Config.TLSConfig // NextProtos "h2", "http/1.1"
	ts.StartTLS()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	p.url = ts.URL
	p.cert = ts.Certificate()
	p.tr = &Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(func() {
		p.tr.CloseIdleConnections()
		ts.Close()
	})
	return p
}

// oursH2C serves h with this package's Server over h2c.
func oursH2C(t testing.TB, h http.Handler) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{accepts: new(atomic.Int64)}
	srv := &Server{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(countingListener{ln, p.accepts}, h)
	}()
	p.url = "http://" + ln.Addr().String()
	p.tr = &Transport{AllowHTTP: true}
	t.Cleanup(func() {
		p.tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ln.Close()
		<-done
	})
	return p
}

var peers = []struct {
	name  string
	start func(testing.TB, http.Handler) *peer
}{
	{"xnet-h2c", func(t testing.TB, h http.Handler) *peer { return xnetH2C(t, h, 0) }},
	{"xnet-tls", xnetTLS},
	{"ours-h2c", oursH2C},
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 2 {
		http.Error(w, "not HTTP/2", 500)
		return
	}
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Path", r.URL.RequestURI())
	w.Header().Set("X-Echo", r.Header.Get("X-Test"))
	io.Copy(w, r.Body)
}

func TestTransportGetPost(t *testing.T) {
	for _, pc := range peers {
		t.Run(pc.name, func(t *testing.T) {
			p := pc.start(t, http.HandlerFunc(echoHandler))
			c := &http.Client{Transport: p.tr}
			req, _ := http.NewRequest("GET", p.url+"/a/b?x=1", nil)
			req.Header.Set("X-Test", "hello")
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != 200 || res.ProtoMajor != 2 || len(body) != 0 ||
				res.Header.Get("X-Method") != "GET" || res.Header.Get("X-Path") != "/a/b?x=1" ||
				res.Header.Get("X-Echo") != "hello" {
				t.Fatalf("GET: %v %d %v %q", err, res.StatusCode, res.Header, body)
			}
			if strings.HasPrefix(p.url, "https") && (res.TLS == nil || res.TLS.NegotiatedProtocol != "h2") {
				t.Errorf("TLS state %+v", res.TLS)
			}
			res, err = c.Post(p.url+"/post", "text/plain", strings.NewReader("payload"))
			if err != nil {
				t.Fatal(err)
			}
			body, err = io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || string(body) != "payload" || res.Header.Get("X-Method") != "POST" {
				t.Fatalf("POST: %v %q %v", err, body, res.Header)
			}
			// Unknown length (chunked-style body).
			res, err = c.Post(p.url+"/post", "text/plain", io.MultiReader(strings.NewReader("a"), strings.NewReader("b")))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(res.Body)
			res.Body.Close()
			if string(body) != "ab" {
				t.Fatalf("POST unknown length: %q", body)
			}
			if n := p.accepts.Load(); n != 1 {
				t.Errorf("%d connections accepted, want 1 (reuse)", n)
			}
		})
	}
}

func TestTransportLargeBodiesBothWays(t *testing.T) {
	const size = 64 << 20
	want := sha256.New()
	io.Copy(want, &pattern{n: size})
	wantSum := fmt.Sprintf("%x", want.Sum(nil))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.New()
		n, err := io.Copy(sum, r.Body)
		if err != nil || n != size {
			t.Errorf("server: request body %d bytes, %v", n, err)
		}
		w.Header().Set("X-Sum", fmt.Sprintf("%x", sum.Sum(nil)))
		io.Copy(w, &pattern{n: size})
	})
	for _, pc := range peers {
		if testing.Short() && pc.name != "ours-h2c" {
			continue
		}
		t.Run(pc.name, func(t *testing.T) {
			p := pc.start(t, h)
			req, _ := http.NewRequest("POST", p.url+"/big", &pattern{n: size})
			req.ContentLength = size
			res, err := p.tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			got := sha256.New()
			n, err := io.Copy(got, res.Body)
			if err != nil || n != size {
				t.Fatalf("response body %d bytes, %v", n, err)
			}
			if s := fmt.Sprintf("%x", got.Sum(nil)); s != wantSum || res.Header.Get("X-Sum") != wantSum {
				t.Fatalf("sums: response %s, server saw %s, want %s", s, res.Header.Get("X-Sum"), wantSum)
			}
		})
	}
}

func TestTransportThousandConcurrent(t *testing.T) {
	const n = 1000
	var inFlight, peak atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := inFlight.Add(1)
		for {
			p := peak.Load()
			if v <= p || peak.CompareAndSwap(p, v) {
				break
			}
		}
		if v == n {
			once.Do(func() { close(release) })
		}
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		inFlight.Add(-1)
		io.WriteString(w, r.URL.Path)
	})
	p := xnetH2C(t, h, n)
	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/r%d", i)
			req, _ := http.NewRequest("GET", p.url+path, nil)
			res, err := p.tr.RoundTrip(req)
			if err != nil {
				failures.Add(1)
				t.Error(err)
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || string(b) != path {
				failures.Add(1)
				t.Errorf("%s: %q %v", path, b, err)
			}
		}()
	}
	wg.Wait()
	if failures.Load() == 0 && (peak.Load() != n || p.accepts.Load() != 1) {
		t.Errorf("peak %d concurrent streams (want %d) on %d connections (want 1)", peak.Load(), n, p.accepts.Load())
	}
}

func TestTransportTrailersBothWays(t *testing.T) {
	for _, pc := range peers {
		t.Run(pc.name, func(t *testing.T) {
			p := pc.start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				w.Header().Set("Trailer", "X-Res-Trailer")
				w.Header().Set("X-Got-Trailer", "")
				fmt.Fprintf(w, "%s|%s", b, r.Trailer.Get("X-Req-Trailer"))
				w.(http.Flusher).Flush()
				w.Header().Set("X-Res-Trailer", "rt-"+r.Trailer.Get("X-Req-Trailer"))
			}))
			req, _ := http.NewRequest("POST", p.url+"/", io.NopCloser(strings.NewReader("data")))
			req.Trailer = http.Header{"X-Req-Trailer": nil}
			req.Trailer.Set("X-Req-Trailer", "v1")
			res, err := p.tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || string(b) != "data|v1" || res.Trailer.Get("X-Res-Trailer") != "rt-v1" {
				t.Fatalf("body %q (%v), trailers %v", b, err, res.Trailer)
			}
		})
	}
}

// cancelHandler writes one chunk and reports how the stream ended.
func cancelHandler(ended chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			ended <- r.Context().Err()
		case <-time.After(20 * time.Second):
			ended <- errors.New("no reset seen within 20 s")
		}
	})
}

func TestTransportContextCancelMidBody(t *testing.T) {
	for _, pc := range peers {
		t.Run(pc.name, func(t *testing.T) {
			ended := make(chan error, 1)
			p := pc.start(t, cancelHandler(ended))
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/", nil)
			res, err := p.tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1000)
			if _, err := io.ReadFull(res.Body, buf); err != nil {
				t.Fatal(err)
			}
			cancel()
			_, err = res.Body.Read(buf)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Read after cancel: %v, want context.Canceled", err)
			}
			res.Body.Close()
			if err := <-ended; err == nil {
				t.Errorf("server: %v", err)
			}
			// The connection is still usable.
			res, err = p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			<-ended
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTransportBodyCloseResets(t *testing.T) {
	ended := make(chan error, 1)
	p := xnetH2C(t, cancelHandler(ended), 0)
	res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Read(make([]byte, 10))
	res.Body.Close()
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("server saw %v, want its context canceled by the reset", err)
	}
}

func TestTransportDeadline(t *testing.T) {
	p := xnetH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := p.tr.RoundTrip(must(http.NewRequestWithContext(ctx, "GET", p.url+"/", nil)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RoundTrip: %v, want context.DeadlineExceeded", err)
	}
}

func TestTransportMaxConcurrentStreams(t *testing.T) {
	for _, strict := range []bool{true, false} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			const limit, n = 10, 50
			var mu sync.Mutex
			perConn := map[string]int{}
			peak := 0
			// Handlers hold their streams until enough requests are in
			// flight at once (a sleep would need the requests to arrive
			// promptly): strict, all the limit on one connection; not
			// strict, one more, which needs a second connection.
			want := limit
			if !strict {
				want = limit + 1
			}
			arrived := 0
			gate := make(chan struct{})
			p := xnetH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				perConn[r.RemoteAddr]++
				peak = max(peak, perConn[r.RemoteAddr])
				if arrived++; arrived == want {
					close(gate)
				}
				mu.Unlock()
				select {
				case <-gate:
				case <-time.After(20 * time.Second): // guard; the checks below then fail
				}
				mu.Lock()
				perConn[r.RemoteAddr]--
				mu.Unlock()
			}), limit)
			p.tr.StrictMaxConcurrentStreams = strict
			var wg sync.WaitGroup
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}()
			}
			wg.Wait()
			if peak > limit {
				t.Errorf("peak %d streams on one connection, peer allows %d", peak, limit)
			}
			if strict && p.accepts.Load() != 1 {
				t.Errorf("strict: %d connections, want 1", p.accepts.Load())
			}
			if !strict && p.accepts.Load() < 2 {
				t.Errorf("not strict: %d connections, want more than one", p.accepts.Load())
			}
		})
	}
}

func TestTransportCloseIdleConnections(t *testing.T) {
	p := xnetH2C(t, http.HandlerFunc(echoHandler), 0)
	for range 20 {
		res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	if n := p.accepts.Load(); n != 1 {
		t.Fatalf("20 requests used %d connections, want 1", n)
	}
	p.tr.CloseIdleConnections()
	res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if n := p.accepts.Load(); n != 2 {
		t.Fatalf("after CloseIdleConnections: %d connections, want 2", n)
	}
}

// goAwayServer answers the first request of its first connection, then
// sends GOAWAY(code, last-stream-id of that request) and closes; later
// connections are served by x/net.
type goAwayServer struct {
	ln      net.Listener
	code    xhttp2.ErrCode
	accepts atomic.Int64
	gotAll  chan struct{} // closed when the first connection saw n requests
	// gotFirst, if not nil, is closed when the first connection saw its
	// first request.
	gotFirst chan struct{}
	n        int
}

func (g *goAwayServer) serve(h http.Handler) {
	xs := &xhttp2.Server{}
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		if g.accepts.Add(1) > 1 {
			go xs.ServeConn(c, &xhttp2.ServeConnOpts{Handler: h})
			continue
		}
		go g.first(c)
	}
}

func (g *goAwayServer) first(c net.Conn) {
	defer c.Close()
	preface := make([]byte, len(clientPreface))
	if _, err := io.ReadFull(c, preface); err != nil {
		return
	}
	fr := xhttp2.NewFramer(c, c)
	fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingMaxConcurrentStreams, Val: 100})
	var ids []uint32
	for len(ids) < g.n {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *xhttp2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *xhttp2.HeadersFrame:
			if ids = append(ids, f.StreamID); len(ids) == 1 && g.gotFirst != nil {
				close(g.gotFirst)
			}
		}
	}
	close(g.gotAll)
	// Answer the first stream only, refuse the rest.
	var hb bytes.Buffer
	hb.Write([]byte{0x88}) // :status 200 (static table index 8)
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: ids[0], BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: true})
	fr.WriteGoAway(ids[0], g.code, []byte("bye"))
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, c)
}

func TestTransportGoAwayRetries(t *testing.T) {
	const n = 5
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	g := &goAwayServer{ln: ln, code: xhttp2.ErrCodeNo, n: n, gotAll: make(chan struct{})}
	go g.serve(http.HandlerFunc(echoHandler))
	tr := &Transport{AllowHTTP: true, StrictMaxConcurrentStreams: true}
	defer tr.CloseIdleConnections()
	url := "http://" + ln.Addr().String()
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body io.Reader
			if i%2 == 1 {
				body = strings.NewReader("replayable") // GetBody set by NewRequest
			}
			req, _ := http.NewRequest("POST", url+"/", body)
			res, err := tr.RoundTrip(req)
			if err != nil {
				errc <- err
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || (i%2 == 1 && res.Header.Get("X-Method") != "POST" && len(b) != 0) {
				errc <- fmt.Errorf("request %d: %d %q", i, res.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if g.accepts.Load() != 2 {
		t.Errorf("%d connections, want 2 (the refused requests retried on a new one)", g.accepts.Load())
	}
}

func TestTransportGoAwayNotReplayable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	g := &goAwayServer{ln: ln, code: xhttp2.ErrCodeEnhanceYourCalm, n: 2, gotAll: make(chan struct{}), gotFirst: make(chan struct{})}
	go g.serve(http.HandlerFunc(echoHandler))
	tr := &Transport{AllowHTTP: true, StrictMaxConcurrentStreams: true}
	defer tr.CloseIdleConnections()
	url := "http://" + ln.Addr().String()
	first := make(chan error, 1)
	go func() {
		res, err := tr.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
		if err == nil {
			res.Body.Close()
		}
		first <- err
	}()
	// The second request has a body that cannot be replayed.
	req, _ := http.NewRequest("POST", url+"/", io.NopCloser(strings.NewReader("once")))
	select { // the first request takes stream 1: wait until the server has it
	case <-g.gotFirst:
	case err := <-first:
		t.Fatalf("first request ended before the server saw it: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the server never saw the first request")
	}
	_, err = tr.RoundTrip(req)
	var ga GoAwayError
	if !errors.As(err, &ga) || ga.ErrCode != ErrCodeEnhanceYourCalm || ga.DebugData != "bye" {
		t.Errorf("refused request: %v, want GoAwayError ENHANCE_YOUR_CALM", err)
	}
	if err := <-first; err != nil {
		t.Errorf("processed request: %v", err)
	}
}

func TestTransportHTTPNotAllowed(t *testing.T) {
	tr := &Transport{}
	if _, err := tr.RoundTrip(must(http.NewRequest("GET", "http://127.0.0.1:1/", nil))); err == nil {
		t.Fatal("http URL without AllowHTTP succeeded")
	}
}

func TestTransportStreamErrorTyped(t *testing.T) {
	p := xnetH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mid" {
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		panic(http.ErrAbortHandler) // x/net resets the stream with INTERNAL_ERROR
	}), 0)
	_, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/head", nil)))
	var se StreamError
	if !errors.As(err, &se) || se.Code != ErrCodeInternal || se.StreamID != 1 {
		t.Errorf("reset before the head: %v, want StreamError INTERNAL_ERROR on stream 1", err)
	}
	res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/mid", nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(res.Body)
	res.Body.Close()
	if !errors.As(err, &se) || se.Code != ErrCodeInternal {
		t.Errorf("reset mid-body: %v, want StreamError INTERNAL_ERROR", err)
	}
}

// TestTransportConnectionErrorTyped: a server that sends PUSH_PROMISE
// although the client disabled push commits a connection error; the
// request fails with ConnectionError(PROTOCOL_ERROR).
func TestTransportConnectionErrorTyped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.ReadFull(c, make([]byte, len(clientPreface)))
		fr := xhttp2.NewFramer(c, c)
		fr.WriteSettings()
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if h, ok := f.(*xhttp2.HeadersFrame); ok {
				fr.WritePushPromise(xhttp2.PushPromiseParam{StreamID: h.StreamID, PromiseID: 2,
					BlockFragment: []byte{0x82, 0x84, 0x86}, EndHeaders: true}) // GET / http
			}
		}
	}()
	tr := &Transport{AllowHTTP: true}
	defer tr.CloseIdleConnections()
	_, err = tr.RoundTrip(must(http.NewRequest("GET", "http://"+ln.Addr().String()+"/", nil)))
	var ce ConnectionError
	if !errors.As(err, &ce) || ErrCode(ce) != ErrCodeProtocol {
		t.Fatalf("RoundTrip: %v, want ConnectionError PROTOCOL_ERROR", err)
	}
}

// A request waiting for a stream slot (strict, peer limit 1) gives up
// at its deadline.
func TestTransportSlotWaitDeadline(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	p := xnetH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			close(arrived)
			<-release
		}
	}), 1)
	p.tr.StrictMaxConcurrentStreams = true
	// Let the peer's SETTINGS arrive first.
	res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	blocked := make(chan struct{})
	go func() {
		defer close(blocked)
		if res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/block", nil))); err == nil {
			res.Body.Close()
		}
	}()
	defer func() { close(release); <-blocked }()
	<-arrived // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = p.tr.RoundTrip(must(http.NewRequestWithContext(ctx, "GET", p.url+"/", nil)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RoundTrip waiting for a slot: %v, want context.DeadlineExceeded", err)
	}
	if p.accepts.Load() != 1 {
		t.Errorf("%d connections, want 1 (strict)", p.accepts.Load())
	}
}

// Bodies closed unread must give their DATA back to the connection
// window: after more than the window (16 MiB) was sent and dropped on
// one connection, a full body still arrives.
func TestTransportBodyCloseCreditsWindow(t *testing.T) {
	p := xnetH2C(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, &pattern{n: 8 << 20})
	}), 0)
	for range 6 {
		res, err := p.tr.RoundTrip(must(http.NewRequest("GET", p.url+"/", nil)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Read(make([]byte, 100))
		time.Sleep(20 * time.Millisecond) // let the stream window fill
		res.Body.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := p.tr.RoundTrip(must(http.NewRequestWithContext(ctx, "GET", p.url+"/", nil)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || n != 8<<20 {
		t.Fatalf("after 6 abandoned bodies: %d bytes, %v", n, err)
	}
	if p.accepts.Load() != 1 {
		t.Errorf("%d connections, want 1", p.accepts.Load())
	}
}
