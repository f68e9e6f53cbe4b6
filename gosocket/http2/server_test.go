package http2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// h2cServer serves h with a Server on a 127.0.0.1 listener (h2c with
// prior knowledge) and returns the base URL, the server and a client
// using x/net's Transport.
func h2cServer(t testing.TB, h http.Handler) (string, *Server, *http.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln, h) }()
	tr := &xhttp2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		// Must not fire (the connections are idle): generous for load.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		ln.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return "http://" + ln.Addr().String(), srv, &http.Client{Transport: tr}
}

func TestH2CGet(t *testing.T) {
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 || r.Method != "GET" || r.URL.Path != "/hello" || r.URL.RawQuery != "x=1" {
			t.Errorf("request %s %v %s", r.Method, r.URL, r.Proto)
		}
		if got := r.Header.Get("X-Test"); got != "yes" {
			t.Errorf("X-Test = %q", got)
		}
		w.Header().Set("X-Reply", "ok")
		io.WriteString(w, "hello, h2")
	}))
	req, _ := http.NewRequest("GET", url+"/hello?x=1", nil)
	req.Header.Set("X-Test", "yes")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || string(body) != "hello, h2" || res.Header.Get("X-Reply") != "ok" || res.ProtoMajor != 2 {
		t.Fatalf("got %d %q %v %s", res.StatusCode, body, res.Header, res.Proto)
	}
	if res.ContentLength != 9 || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("Content-Length %d, Content-Type %q", res.ContentLength, res.Header.Get("Content-Type"))
	}
}

func TestH2CHead(t *testing.T) {
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	}))
	res, err := c.Head(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(body) != 0 || res.ContentLength != 5 {
		t.Fatalf("HEAD: %d, %d body bytes, Content-Length %d", res.StatusCode, len(body), res.ContentLength)
	}
}

// pattern is a deterministic, non-repeating-looking body of n bytes.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		x := p.off + int64(i)
		b[i] = byte(x*7 + x>>11)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func TestH2CLargeBodiesBothWays(t *testing.T) {
	const size = 16 << 20
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil || n != size {
			t.Errorf("request body: %d bytes, %v", n, err)
		}
		w.Header().Set("X-Sum", fmt.Sprintf("%x", h.Sum(nil)))
		w.Header().Set("Trailer", "X-Sent-Sum")
		sum := sha256.New()
		n, err = io.Copy(io.MultiWriter(w, sum), &pattern{n: size})
		if err != nil || n != size {
			t.Errorf("response body: %d bytes, %v", n, err)
		}
		w.Header().Set("X-Sent-Sum", fmt.Sprintf("%x", sum.Sum(nil)))
	}))
	want := sha256.New()
	io.Copy(want, &pattern{n: size})
	wantSum := fmt.Sprintf("%x", want.Sum(nil))
	res, err := c.Post(url+"/echo", "application/octet-stream", &pattern{n: size})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got := sha256.New()
	n, err := io.Copy(got, res.Body)
	if err != nil || n != size {
		t.Fatalf("response: %d bytes, %v", n, err)
	}
	if s := res.Header.Get("X-Sum"); s != wantSum {
		t.Errorf("server saw request sum %s, want %s", s, wantSum)
	}
	if s := fmt.Sprintf("%x", got.Sum(nil)); s != wantSum || res.Trailer.Get("X-Sent-Sum") != wantSum {
		t.Errorf("response sum %s, trailer %q, want %s", s, res.Trailer.Get("X-Sent-Sum"), wantSum)
	}
}

func TestH2CTrailers(t *testing.T) {
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || string(body) != "data" {
			t.Errorf("body %q, %v", body, err)
		}
		if got := r.Trailer.Get("X-Req-Trailer"); got != "rt" {
			t.Errorf("request trailer %q (%v)", got, r.Trailer)
		}
		w.Header().Set("Trailer", "X-Declared")
		io.WriteString(w, "ok")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Declared", "d")
		w.Header().Set(http.TrailerPrefix+"X-Undeclared", "u")
	}))
	req, _ := http.NewRequest("POST", url+"/", io.NopCloser(strings.NewReader("data")))
	req.Trailer = http.Header{"X-Req-Trailer": {"rt"}}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || string(body) != "ok" {
		t.Fatalf("body %q, %v", body, err)
	}
	if res.Trailer.Get("X-Declared") != "d" || res.Trailer.Get("X-Undeclared") != "u" {
		t.Errorf("response trailers %v", res.Trailer)
	}
}

func TestH2CConcurrentStreams(t *testing.T) {
	const n = 200
	var mu sync.Mutex
	inFlight, peak := 0, 0
	release := make(chan struct{})
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		if inFlight == n {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		io.WriteString(w, r.URL.Path)
	}))
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/s%d", i)
			res, err := c.Get(url + path)
			if err != nil {
				errc <- err
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || string(b) != path {
				errc <- fmt.Errorf("%s: %q %v", path, b, err)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if peak != n {
		t.Errorf("peak concurrent handlers %d, want %d", peak, n)
	}
}

func TestH2CHandlerPanicAndEarlyReturn(t *testing.T) {
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic(http.ErrAbortHandler)
		case "/early":
			// Returns without reading the large request body.
			w.WriteHeader(http.StatusAccepted)
		default:
			io.WriteString(w, "fine")
		}
	}))
	if res, err := c.Get(url + "/panic"); err == nil {
		res.Body.Close()
		t.Fatalf("panicking handler: got %d, want a stream error", res.StatusCode)
	} else if se := (xhttp2.StreamError{}); !errors.As(err, &se) || se.Code != xhttp2.ErrCodeInternal {
		t.Errorf("panicking handler: %v, want INTERNAL_ERROR stream error", err)
	}
	res, err := c.Post(url+"/early", "application/octet-stream", &pattern{n: 8 << 20})
	if err != nil {
		t.Fatalf("early return: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Errorf("early return: status %d", res.StatusCode)
	}
	res, err = c.Get(url + "/after")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "fine" {
		t.Errorf("after panic: %q", b)
	}
}

func TestH2CClientCancelCancelsHandler(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	url, _, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		close(started)
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(10 * time.Second):
			cancelled <- errors.New("handler context not cancelled")
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel() // RST_STREAM(CANCEL)
	res.Body.Close()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestH2CGracefulShutdown(t *testing.T) {
	inHandler := make(chan struct{})
	proceed := make(chan struct{})
	url, srv, c := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(inHandler)
			<-proceed
		}
		io.WriteString(w, "done")
	}))
	// Open the connection.
	if res, err := c.Get(url + "/"); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	resc := make(chan string, 1)
	go func() {
		res, err := c.Get(url + "/slow")
		if err != nil {
			resc <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		resc <- string(b)
	}()
	<-inHandler
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // let the GOAWAY reach the client
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a stream in flight", err)
	default:
	}
	close(proceed)
	if got := <-resc; got != "done" {
		t.Fatalf("in-flight stream during shutdown: %q", got)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
}

// TestTLSALPN serves h2 negotiated by ALPN from an http.Server set up
// with ConfigureServer, to a crypto/tls client.
func TestTLSALPN(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || r.TLS.NegotiatedProtocol != "h2" {
			t.Errorf("r.TLS = %+v", r.TLS)
		}
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %d", r.Proto, r.Method, len(body))
	}))
	if err := ConfigureServer(ts.Config, &Server{}); err != nil {
		t.Fatal(err)
	}
	ts.TLS = &tls.Config{NextProtos: ts.Config.TLSConfig.NextProtos}
	ts.StartTLS()
	defer ts.Close()
	tlsCfg := ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr := &xhttp2.Transport{TLSClientConfig: tlsCfg}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	res, err := c.Post(ts.URL+"/", "text/plain", bytes.NewReader(make([]byte, 100000)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "HTTP/2.0 POST 100000" || res.ProtoMajor != 2 {
		t.Fatalf("got %q over %s", b, res.Proto)
	}
}
