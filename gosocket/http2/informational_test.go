package http2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// earlyHints sends 103 with a Link field, then the response.
var earlyHints = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Link", "</style.css>; rel=preload; as=style")
	w.WriteHeader(http.StatusEarlyHints)
	w.Header().Del("Link")
	io.WriteString(w, "final")
})

// traced1xx runs a GET through rt and returns the 1xx codes and Link
// fields the trace saw, and the body.
func traced1xx(t *testing.T, rt http.RoundTripper, url string) (codes []int, links []string, body string) {
	t.Helper()
	var mu sync.Mutex
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		mu.Lock()
		defer mu.Unlock()
		codes = append(codes, code)
		links = append(links, h.Get("Link"))
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", url, nil)
	res, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, err)
	}
	if res.Header.Get("Link") != "" {
		t.Errorf("final response kept the hint's Link: %v", res.Header)
	}
	mu.Lock()
	defer mu.Unlock()
	return codes, links, string(b)
}

func TestServerEarlyHints(t *testing.T) {
	url, _, xc := h2cServer(t, earlyHints)
	for name, rt := range map[string]http.RoundTripper{
		"xnet-client": xc.Transport,
		"our-client":  &Transport{AllowHTTP: true},
	} {
		t.Run(name, func(t *testing.T) {
			codes, links, body := traced1xx(t, rt, url+"/")
			if len(codes) != 1 || codes[0] != 103 || links[0] != "</style.css>; rel=preload; as=style" || body != "final" {
				t.Fatalf("1xx %v, Link %q, body %q", codes, links, body)
			}
		})
	}
}

func TestServerExpectContinue(t *testing.T) {
	url, _, _ := h2cServer(t, http.HandlerFunc(echoHandler))
	tr := &Transport{AllowHTTP: true}
	defer tr.CloseIdleConnections()
	var got100 bool
	var mu sync.Mutex
	trace := &httptrace.ClientTrace{
		Got100Continue: func() { mu.Lock(); got100 = true; mu.Unlock() },
	}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		"POST", url+"/", strings.NewReader("body after 100"))
	req.Header.Set("Expect", "100-continue")
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if !got100 || string(b) != "body after 100" {
		t.Fatalf("100 Continue seen %v, body %q", got100, b)
	}
}

func TestServerPushRefusedByClient(t *testing.T) {
	pushErr := make(chan error, 2)
	url, _, xc := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := w.(http.Pusher)
		if !ok {
			pushErr <- errors.New("ResponseWriter is not an http.Pusher")
			return
		}
		pushErr <- p.Push("/pushed", nil)
	}))
	for _, rt := range []http.RoundTripper{xc.Transport, &Transport{AllowHTTP: true}} {
		res, err := rt.RoundTrip(must(http.NewRequest("GET", url+"/", nil)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if err := <-pushErr; !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Push with push disabled by the client: %v, want http.ErrNotSupported", err)
		}
	}
}

// TestServerPushNghttp has nghttp (Debian nghttp2-client, enables push)
// fetch a page whose handler pushes its stylesheet.
func TestServerPushNghttp(t *testing.T) {
	nghttp, err := exec.LookPath("nghttp")
	if err != nil {
		t.Skip("nghttp not installed (Debian nghttp2-client)")
	}
	pushed := make(chan string, 1)
	pushErr := make(chan error, 1)
	url, _, _ := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/style.css" {
			pushed <- r.Method + " " + r.URL.Path + " " + r.Header.Get("X-Pushed-By")
			w.Header().Set("Content-Type", "text/css")
			io.WriteString(w, "body { color: red }")
			return
		}
		pushErr <- w.(http.Pusher).Push("/style.css", &http.PushOptions{Header: http.Header{"X-Pushed-By": {"index"}}})
		io.WriteString(w, "<html>index</html>")
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, nghttp, "-ans", url+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	if err := <-pushErr; err != nil {
		t.Fatalf("Push: %v", err)
	}
	select {
	case got := <-pushed:
		if got != "GET /style.css index" {
			t.Errorf("pushed request %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("pushed handler never ran")
	}
	// nghttp's statistics list pushed streams with a '*' before the path.
	if !strings.Contains(string(out), "/style.css") || !strings.Contains(string(out), " 200 ") {
		t.Errorf("nghttp output lacks the pushed response:\n%s", out)
	}
}
