package http2

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestH2Spec runs the h2spec conformance suite against a handler served
// by this package on an h2c listener. It skips when h2spec is not
// installed (./build.sh builds it into $HOME/go/bin).
func TestH2Spec(t *testing.T) {
	if testing.Short() {
		t.Skip("h2spec runs two full suites")
	}
	bin, err := exec.LookPath("h2spec")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "h2spec")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("h2spec not installed")
		}
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "h2spec")
	})
	t.Run("h2c", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &Server{}
		go srv.Serve(ln, handler)
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
			ln.Close()
		}()
		runH2Spec(t, bin, ln.Addr())
	})
	t.Run("tls", func(t *testing.T) {
		ts := httptest.NewUnstartedServer(handler)
		srv := &Server{}
		if err := ConfigureServer(ts.Config, srv); err != nil {
			t.Fatal(err)
		}
		ts.TLS = &tls.Config{NextProtos: ts.Config.TLSConfig.NextProtos}
		ts.StartTLS()
		defer ts.Close()
		runH2Spec(t, bin, ts.Listener.Addr(), "-t", "-k")
	})
}

// runH2Spec runs h2spec in strict mode against addr and requires every
// test to pass.
func runH2Spec(t *testing.T, bin string, addr net.Addr, flags ...string) {
	port := strconv.Itoa(addr.(*net.TCPAddr).Port)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"-S", "-h", "127.0.0.1", "-p", port, "-o", "3"}, flags...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	m := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("h2spec: %v, no summary in:\n%s", err, out)
	}
	t.Logf("h2spec %v: %s", flags, m[0])
	total, _ := strconv.Atoi(string(m[1]))
	passed, _ := strconv.Atoi(string(m[2]))
	if total < 146 || passed != total {
		t.Errorf("h2spec: %s\n%s", m[0], out)
	}
}
