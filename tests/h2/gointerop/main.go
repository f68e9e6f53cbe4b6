// Command gointerop is the Go (golang.org/x/net/http2) peer of the HTTP/2
// interop run (tests/h2/run_gointerop.sh):
//
//	gointerop server PORT   h2c server: reads the request body, answers
//	                        1 MiB with a trailer
//	gointerop client PORT   200 concurrent requests to PORT (every second
//	                        one POSTs 300 KB); exits 1 unless all succeed
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

func main() {
	if os.Args[1] == "server" {
		big := bytes.Repeat([]byte("x"), 1<<20)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := io.Copy(io.Discard, r.Body)
			w.Header().Set("x-got", fmt.Sprint(n))
			w.Header().Set("Trailer", "x-trailer")
			w.Write(big)
			w.Header().Set("x-trailer", "done")
		})
		srv := &http.Server{Addr: "127.0.0.1:" + os.Args[2], Handler: h2c.NewHandler(h, &http2.Server{})}
		if err := srv.ListenAndServe(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	// client against our server
	tr := &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, n, a string, _ *tls.Config) (net.Conn, error) {
		return net.Dial(n, a)
	}}
	c := &http.Client{Transport: tr}
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
			req, _ := http.NewRequest(method, "http://127.0.0.1:"+os.Args[2]+"/", body)
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
