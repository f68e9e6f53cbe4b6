package http2

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startNghttpd serves dir with nghttpd (Debian nghttp2-server) on a free
// 127.0.0.1 port, over TLS when certFile is set, and returns the port.
func startNghttpd(t *testing.T, dir, keyFile, certFile string) string {
	t.Helper()
	bin, err := exec.LookPath("nghttpd")
	if err != nil {
		t.Skip("nghttpd not installed (Debian nghttp2-server)")
	}
	for try := 0; try < 5; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		args := []string{"-a", "127.0.0.1", "-d", dir}
		if certFile == "" {
			args = append(args, "--no-tls", port)
		} else {
			args = append(args, port, keyFile, certFile)
		}
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		for i := 0; i < 200; i++ {
			select {
			case <-exited:
				i = 200
				continue
			default:
			}
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				t.Cleanup(func() {
					cmd.Process.Kill()
					<-exited
				})
				return port
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Kill()
		<-exited
	}
	t.Fatal("nghttpd did not start")
	return ""
}

// selfSignedFiles writes a certificate for 127.0.0.1 and its key into dir.
func selfSignedFiles(t *testing.T, dir string) (keyFile, certFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return keyFile, certFile, pool
}

func TestTransportNghttpd(t *testing.T) {
	if _, err := exec.LookPath("nghttpd"); err != nil {
		t.Skip("nghttpd not installed (Debian nghttp2-server)")
	}
	docroot := t.TempDir()
	big := make([]byte, 16<<20)
	io.ReadFull(&pattern{n: int64(len(big))}, big)
	os.WriteFile(filepath.Join(docroot, "big.bin"), big, 0o644)
	os.WriteFile(filepath.Join(docroot, "small.txt"), []byte("hello from nghttpd\n"), 0o644)
	wantSum := sha256.Sum256(big)
	keyFile, certFile, pool := selfSignedFiles(t, t.TempDir())

	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tlsOn), func(t *testing.T) {
			var url string
			tr := &Transport{AllowHTTP: true, StrictMaxConcurrentStreams: true}
			if tlsOn {
				url = "https://127.0.0.1:" + startNghttpd(t, docroot, keyFile, certFile)
				tr.TLSClientConfig = &tls.Config{RootCAs: pool}
			} else {
				url = "http://127.0.0.1:" + startNghttpd(t, docroot, "", "")
			}
			defer tr.CloseIdleConnections()
			get := func(path string) ([]byte, error) {
				res, err := tr.RoundTrip(must(http.NewRequest("GET", url+path, nil)))
				if err != nil {
					return nil, err
				}
				defer res.Body.Close()
				if res.StatusCode != 200 {
					return nil, fmt.Errorf("%s: status %d", path, res.StatusCode)
				}
				return io.ReadAll(res.Body)
			}
			b, err := get("/big.bin")
			if err != nil || sha256.Sum256(b) != wantSum {
				t.Fatalf("16 MiB GET: %d bytes, %v", len(b), err)
			}
			// More requests at once than nghttpd's stream limit (100).
			var wg sync.WaitGroup
			for range 300 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if b, err := get("/small.txt"); err != nil || string(b) != "hello from nghttpd\n" {
						t.Errorf("GET: %q %v", b, err)
					}
				}()
			}
			wg.Wait()
			// An upload (nghttpd answers once it read the body).
			req, _ := http.NewRequestWithContext(context.Background(), "POST", url+"/small.txt", bytes.NewReader(big))
			res, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("POST: status %d", res.StatusCode)
			}
			tr.mu.Lock()
			n := 0
			for _, l := range tr.conns {
				n += len(l)
			}
			tr.mu.Unlock()
			if n != 1 {
				t.Errorf("%d connections in the pool, want 1", n)
			}
		})
	}
}
