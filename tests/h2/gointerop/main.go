// Command gointerop is the Go (golang.org/x/net/http2) peer of the HTTP/2
// interop run (tests/h2/run_gointerop.sh) and of tests/bench/h2load_compare.sh:
//
//	gointerop server PORT   h2c server with 64 KiB receive windows:
//	                        /bytes/N  N bytes of the pattern h2_server
//	                                  sends, header x-sha256
//	                        /sha256   header x-sha256: hex SHA-256 of the
//	                                  request body, x-got: its length
//	                        /small    "hello from libsocket h2\n"
//	                        else      reads the body, answers 1 MiB with
//	                                  a trailer
//	gointerop bench PORT    h2c server answering every request like
//	                        h2_server does ("hello from libsocket h2\n")
//	gointerop client PORT   200 concurrent requests to PORT (every second
//	                        one POSTs 300 KB); exits 1 unless all succeed
//	gointerop big PORT N    against our server, with 64 KiB receive
//	                        windows: download /bytes/N and check its
//	                        SHA-256 (x-sha256 and the pattern computed
//	                        here), upload N bytes to /sha256 and check the
//	                        answer; exits 1 on any mismatch
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

const small = "hello from libsocket h2\n"

// mix is splitmix64: byte i of the /bytes/N pattern is byte i%8
// (little-endian) of mix(i/8), as in h2_server.c.
func mix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// patternReader yields the first n bytes of the pattern.
type patternReader struct{ off, n uint64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := 0
	var w [8]byte
	for k < len(b) && p.off < p.n {
		binary.LittleEndian.PutUint64(w[:], mix(p.off/8))
		b[k] = w[p.off%8]
		k++
		p.off++
	}
	return k, nil
}

func patternSHA(n uint64) string {
	h := sha256.New()
	io.Copy(h, &patternReader{n: n})
	return hex.EncodeToString(h.Sum(nil))
}

func serve(port string, h http.Handler) {
	s2 := &http2.Server{MaxUploadBufferPerStream: 65535, MaxUploadBufferPerConnection: 65535}
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: h2c.NewHandler(h, s2)}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func server(port string) {
	big := bytes.Repeat([]byte("x"), 1<<20)
	var mu sync.Mutex
	sums := map[uint64]string{}
	serve(port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/bytes/"):
			n, err := strconv.ParseUint(r.URL.Path[7:], 10, 64)
			if err != nil {
				http.Error(w, "bad size", 400)
				return
			}
			mu.Lock()
			if _, ok := sums[n]; !ok {
				sums[n] = patternSHA(n)
			}
			w.Header().Set("x-sha256", sums[n])
			mu.Unlock()
			io.Copy(w, &patternReader{n: n})
		case r.URL.Path == "/sha256":
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			w.Header().Set("x-sha256", hex.EncodeToString(h.Sum(nil)))
			w.Header().Set("x-got", fmt.Sprint(n))
		case r.URL.Path == "/small":
			w.Header().Set("content-type", "text/plain")
			io.WriteString(w, small)
		default:
			n, _ := io.Copy(io.Discard, r.Body)
			w.Header().Set("x-got", fmt.Sprint(n))
			w.Header().Set("Trailer", "x-trailer")
			w.Write(big)
			w.Header().Set("x-trailer", "done")
		}
	}))
}

// transport is an x/net/http2 h2c client.
func transport() http.RoundTripper {
	return &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, n, a string, _ *tls.Config) (net.Conn, error) {
		return net.Dial(n, a)
	}}
}

// smallWindowConn is one x/net/http2 client connection to 127.0.0.1:port
// with 64 KiB receive windows (set through the net/http Transport the
// x/net one is configured from).
func smallWindowConn(port string) *http2.ClientConn {
	t1 := &http.Transport{HTTP2: &http.HTTP2Config{MaxReceiveBufferPerStream: 65535, MaxReceiveBufferPerConnection: 65535}}
	t2, err := http2.ConfigureTransports(t1)
	if err != nil {
		panic(err)
	}
	nc, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		panic(err)
	}
	cc, err := t2.NewClientConn(nc)
	if err != nil {
		panic(err)
	}
	return cc
}

func client(port string) {
	c := &http.Client{Transport: transport()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, bad := 0, 0
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var body io.Reader
			method := "GET"
			if i%2 == 0 {
				body = bytes.NewReader(bytes.Repeat([]byte("y"), 300000))
				method = "POST"
			}
			req, _ := http.NewRequest(method, "http://127.0.0.1:"+port+"/", body)
			resp, err := c.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				bad++
				fmt.Println("err", err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && len(b) > 0 {
				ok++
			} else {
				bad++
			}
		}(i)
	}
	wg.Wait()
	fmt.Printf("go client -> our server: %d ok, %d failed\n", ok, bad)
	if bad > 0 {
		os.Exit(1)
	}
}

func bigTransfers(port string, n uint64) {
	c := &http.Client{Transport: smallWindowConn(port)}
	want := patternSHA(n)
	fail := false
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%s/bytes/%d", port, n))
	if err != nil {
		fmt.Println("FAIL go client download:", err)
		os.Exit(1)
	}
	h := sha256.New()
	got, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	sum := hex.EncodeToString(h.Sum(nil))
	ok := err == nil && resp.StatusCode == 200 && uint64(got) == n && sum == want && resp.Header.Get("x-sha256") == want
	fmt.Printf("go client -> our server: download %d bytes sha256 %s (pattern %s): %v\n", got, sum, want, ok)
	fail = fail || !ok

	up := &patternReader{n: n}
	resp, err = c.Post("http://127.0.0.1:"+port+"/sha256", "application/octet-stream", up)
	if err != nil {
		fmt.Println("FAIL go client upload:", err)
		os.Exit(1)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ans := strings.TrimSpace(string(b))
	ok = resp.StatusCode == 200 && ans == fmt.Sprintf("%s %d", want, n)
	fmt.Printf("go client -> our server: upload %d bytes, server saw %q: %v\n", n, ans, ok)
	fail = fail || !ok
	if fail {
		os.Exit(1)
	}
}

func main() {
	switch os.Args[1] {
	case "server":
		server(os.Args[2])
	case "bench":
		serve(os.Args[2], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("content-type", "text/plain")
			io.WriteString(w, small)
		}))
	case "client":
		client(os.Args[2])
	case "big":
		n, _ := strconv.ParseUint(os.Args[3], 10, 64)
		bigTransfers(os.Args[2], n)
	default:
		fmt.Fprintln(os.Stderr, "usage: gointerop server|bench|client PORT | big PORT N")
		os.Exit(2)
	}
}
