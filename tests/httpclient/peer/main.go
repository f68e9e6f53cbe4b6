// Command peer is the loopback HTTP server that tests/test_http_client.c
// talks to: status codes, Content-Length and chunked bodies, gzip and
// deflate content, redirects, cookies, Basic and Digest authentication
// (the Digest check is done here, RFC 7616 MD5 with qop=auth), slow
// responses and HTTPS with a certificate made at start-up.
//
// Usage: peer CA_PEM_PATH
// It listens on four loopback ports (plain origin A, plain origin B for
// cross-origin redirects, TLS with h2 and http/1.1 by ALPN, h2c with prior
// knowledge, at most 4 concurrent streams) plus a fifth, TLS with
// http/1.1 only; writes the CA certificate to CA_PEM_PATH, prints
// "ports A B TLS H2C TLS1" on stdout and serves until stdin is closed.
package main

import (
	"compress/gzip"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var nonceCounter atomic.Int64

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// parseDigest splits the parameters of an Authorization: Digest value.
func parseDigest(v string) map[string]string {
	out := map[string]string{}
	v = strings.TrimSpace(strings.TrimPrefix(v, "Digest"))
	for len(v) > 0 {
		eq := strings.IndexByte(v, '=')
		if eq < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(v[:eq]))
		v = strings.TrimSpace(v[eq+1:])
		var val string
		if strings.HasPrefix(v, "\"") {
			end := 1
			var sb strings.Builder
			for end < len(v) && v[end] != '"' {
				if v[end] == '\\' && end+1 < len(v) {
					end++
				}
				sb.WriteByte(v[end])
				end++
			}
			val = sb.String()
			if end < len(v) {
				end++
			}
			v = v[end:]
		} else {
			end := strings.IndexByte(v, ',')
			if end < 0 {
				end = len(v)
			}
			val = strings.TrimSpace(v[:end])
			v = v[end:]
		}
		out[key] = val
		v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ","))
	}
	return out
}

const digestRealm = "peer@test"
const digestUser, digestPass = "Mufasa", "Circle of Life"

func digestOK(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	if !strings.HasPrefix(a, "Digest ") {
		return false
	}
	p := parseDigest(a)
	if p["username"] != digestUser || p["realm"] != digestRealm || p["uri"] != r.URL.RequestURI() {
		return false
	}
	if p["qop"] != "auth" || p["nc"] == "" || p["cnonce"] == "" || p["nonce"] == "" {
		return false
	}
	ha1 := md5hex(digestUser + ":" + digestRealm + ":" + digestPass)
	ha2 := md5hex(r.Method + ":" + p["uri"])
	want := md5hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2)
	return p["response"] == want
}

func handler(selfA, selfB, tlsPort string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := w.Header()
		h.Set("X-Method", r.Method)
		h.Set("X-Host", r.Host)
		h.Set("X-Cookie", strings.Join(r.Header.Values("Cookie"), " | "))
		h.Set("X-Authorization", r.Header.Get("Authorization"))
		h.Set("X-Accept-Encoding", r.Header.Get("Accept-Encoding"))
		h.Set("X-User-Agent", r.Header.Get("User-Agent"))
		h.Set("X-Custom", r.Header.Get("X-Custom"))
		h.Set("X-Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
		h.Set("X-Content-Length", strconv.FormatInt(r.ContentLength, 10))
		h.Set("X-Content-Type", r.Header.Get("Content-Type"))
		w.Write(body)
	})
	mux.HandleFunc("/fixed", func(w http.ResponseWriter, r *http.Request) {
		b := pattern(intParam(r, "n", 100))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		b := pattern(intParam(r, "n", 100))
		f := w.(http.Flusher)
		for len(b) > 0 {
			n := min(len(b), 1000)
			w.Write(b[:n])
			f.Flush()
			b = b[n:]
		}
	})
	encoded := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b := pattern(intParam(r, "n", 100))
			if !strings.Contains(r.Header.Get("Accept-Encoding"), kind) {
				w.Header().Set("X-Encoded", "no")
				w.Write(b)
				return
			}
			w.Header().Set("Content-Encoding", kind)
			w.Header().Set("X-Encoded", "yes")
			var zw io.WriteCloser
			if kind == "gzip" {
				zw = gzip.NewWriter(w)
			} else {
				zw = zlib.NewWriter(w)
			}
			zw.Write(b)
			zw.Close()
		}
	}
	mux.HandleFunc("/gzip", encoded("gzip"))
	mux.HandleFunc("/deflate", encoded("deflate"))
	mux.HandleFunc("/redirect/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/loop")
		w.WriteHeader(302)
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			io.WriteString(w, "end")
			return
		}
		w.Header().Set("Location", "../chain/"+strconv.Itoa(n-1))
		w.WriteHeader(302)
	})
	mux.HandleFunc("/cross", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://127.0.0.1:"+selfB+"/echo")
		w.WriteHeader(302)
	})
	mux.HandleFunc("/setcookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc123", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/"})
		io.WriteString(w, "set")
	})
	mux.HandleFunc("/setcookie-redirect", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "hop", Value: "1", Path: "/"})
		w.Header().Set("Location", "/cookies")
		w.WriteHeader(302)
	})
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Join(r.Header.Values("Cookie"), " | "))
	})
	mux.HandleFunc("/basic", func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != "Aladdin" || p != "open sesame" {
			w.Header().Set("WWW-Authenticate", `Basic realm="peer"`)
			w.WriteHeader(401)
			io.WriteString(w, "denied")
			return
		}
		io.WriteString(w, "basic ok")
	})
	mux.HandleFunc("/digest", func(w http.ResponseWriter, r *http.Request) {
		if digestOK(r) {
			io.WriteString(w, "digest ok")
			return
		}
		nonce := fmt.Sprintf("%x%d", time.Now().UnixNano(), nonceCounter.Add(1))
		w.Header().Set("WWW-Authenticate",
			fmt.Sprintf(`Digest realm="%s", qop="auth", algorithm=MD5, nonce="%s", opaque="5ccc069c403ebaf9f0171e9517f40e41"`, digestRealm, nonce))
		w.WriteHeader(401)
		io.WriteString(w, "denied")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Duration(intParam(r, "ms", 1000)) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "slow")
	})
	mux.HandleFunc("/conn", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	})
	mux.HandleFunc("/proto", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "closing")
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "n=%d te=%s", n, strings.Join(r.TransferEncoding, ","))
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) {
		hj := w.(http.Hijacker)
		c, buf, _ := hj.Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
		buf.Flush()
		c.Close()
	})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close() // no response at all
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		hj := w.(http.Hijacker)
		c, buf, _ := hj.Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
		buf.Flush()
		c.Close()
	})
	mux.HandleFunc("/tls-port", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, tlsPort)
	})
	return mux
}

func makeCert(caPath string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "libsocket http client peer"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(caPath, pemBytes, 0o600); err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: peer CA_PEM_PATH")
		os.Exit(2)
	}
	cert := makeCert(os.Args[1])
	la, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	lb, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	lt, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	lc, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	l1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	port := func(l net.Listener) string { return strconv.Itoa(l.Addr().(*net.TCPAddr).Port) }
	h := handler(port(la), port(lb), port(lt))
	go http.Serve(la, h)
	go http.Serve(lb, h)
	ts := &http.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go ts.ServeTLS(lt, "", "")
	// h2c with prior knowledge only (RFC 9113 section 3.3)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	// a low stream limit, so that clients must queue streams
	hs := &http.Server{Handler: h, Protocols: &protos, HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 4}}
	go hs.Serve(lc)
	// TLS without h2: an empty TLSNextProto map turns HTTP/2 off
	t1 := &http.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){}}
	go t1.ServeTLS(l1, "", "")
	fmt.Printf("ports %s %s %s %s %s\n", port(la), port(lb), port(lt), port(lc), port(l1))
	os.Stdout.Sync()
	io.Copy(io.Discard, os.Stdin) // the test closes stdin (or exits) to stop us
}
