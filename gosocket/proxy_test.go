package gosocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	socks5 "github.com/armon/go-socks5"
	xcontext "golang.org/x/net/context"
	"golang.org/x/net/proxy"
)

// The ProxyDialer is what golang.org/x/net/proxy users expect.
var (
	_ proxy.Dialer        = (*ProxyDialer)(nil)
	_ proxy.ContextDialer = (*ProxyDialer)(nil)
)

// testResolver resolves the names of the tests to 127.0.0.1 and fails
// the others, so no test depends on the system resolver.
type testResolver struct{}

func (testResolver) Resolve(ctx xcontext.Context, name string) (xcontext.Context, net.IP, error) {
	if strings.HasSuffix(name, ".test") {
		return ctx, net.IPv4(127, 0, 0, 1), nil
	}
	return ctx, nil, fmt.Errorf("no such host %q", name)
}

// denyPort is a rule set refusing one destination port.
type denyPort int

func (d denyPort) Allow(ctx xcontext.Context, req *socks5.Request) (xcontext.Context, bool) {
	return ctx, req.DestAddr.Port != int(d)
}

// startSOCKS5 runs an armon/go-socks5 server on 127.0.0.1 and returns
// its URL.
func startSOCKS5(t testing.TB, conf *socks5.Config) *url.URL {
	t.Helper()
	if conf.Resolver == nil {
		conf.Resolver = testResolver{}
	}
	conf.Logger = log.New(io.Discard, "", 0)
	srv, err := socks5.New(conf)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go srv.Serve(ln)
	return &url.URL{Scheme: "socks5", Host: ln.Addr().String()}
}

// roundTrip writes msg and reads it back.
func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if string(got) != msg {
		t.Fatalf("echo = %q, want %q", got, msg)
	}
}

func proxyDial(t *testing.T, u *url.URL, address string) (net.Conn, error) {
	t.Helper()
	d := &Dialer{Timeout: 10 * time.Second, Proxy: u}
	return d.DialContext(context.Background(), "tcp", address)
}

// wantProxyErr checks a failed proxy dial: a *net.OpError with op whose
// Err matches kind (and ErrProxy) and whose text includes detail.
func wantProxyErr(t *testing.T, c net.Conn, err error, op string, kind error, detail string) {
	t.Helper()
	if err == nil {
		c.Close()
		t.Fatalf("dial succeeded, want %v", kind)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != op {
		t.Fatalf("err = %#v (%v), want *net.OpError with Op %q", err, err, op)
	}
	if !errors.Is(err, kind) || !errors.Is(err, ErrProxy) {
		t.Fatalf("err = %v, want it to match %v and ErrProxy", err, kind)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Fatalf("err = %q, want it to mention %q", err, detail)
	}
}

func TestProxySOCKS5Echo(t *testing.T) {
	echo := listenEcho(t)
	u := startSOCKS5(t, &socks5.Config{})
	for _, scheme := range []string{"socks5", "socks5h", "socks", "SOCKS5"} {
		t.Run(scheme, func(t *testing.T) {
			u := *u
			u.Scheme = scheme
			c, err := proxyDial(t, &u, echo.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got, ok := c.RemoteAddr().(*net.TCPAddr); !ok || got.String() != echo.String() {
				t.Errorf("RemoteAddr = %v, want the target %v", c.RemoteAddr(), echo)
			}
			if _, ok := c.(*Conn); !ok {
				t.Errorf("tunnel is a %T, want the *Conn itself when nothing followed the reply", c)
			}
			roundTrip(t, c, "hello through socks5")
		})
	}
	t.Run("name", func(t *testing.T) {
		target := net.JoinHostPort("echo.test", strconv.Itoa(echo.Port))
		c, err := proxyDial(t, u, target)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if a, ok := c.RemoteAddr().(*ProxyTargetAddr); !ok || a.String() != target || a.Network() != "tcp" {
			t.Errorf("RemoteAddr = %#v, want ProxyTargetAddr %s", c.RemoteAddr(), target)
		}
		roundTrip(t, c, "resolved by the proxy")
	})
	t.Run("unknown name", func(t *testing.T) {
		c, err := proxyDial(t, u, "nowhere.invalid:80")
		wantProxyErr(t, c, err, "dial", ErrProxyUnreachable, "nowhere.invalid:80")
	})
}

func TestProxySOCKS5Auth(t *testing.T) {
	echo := listenEcho(t)
	u := startSOCKS5(t, &socks5.Config{Credentials: socks5.StaticCredentials{"alice": "s3cret:@/"}})
	t.Run("ok", func(t *testing.T) {
		u := *u
		u.User = url.UserPassword("alice", "s3cret:@/") // percent-encoded in the URL
		pu, err := url.Parse(u.String())
		if err != nil {
			t.Fatal(err)
		}
		c, err := proxyDial(t, pu, echo.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		roundTrip(t, c, "authenticated")
	})
	t.Run("no credentials", func(t *testing.T) {
		c, err := proxyDial(t, u, echo.String())
		wantProxyErr(t, c, err, "proxyconnect", ErrProxyAuth, u.Host)
	})
	t.Run("wrong password", func(t *testing.T) {
		u := *u
		u.User = url.UserPassword("alice", "wrong")
		c, err := proxyDial(t, &u, echo.String())
		wantProxyErr(t, c, err, "proxyconnect", ErrProxyAuth, u.Host)
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %q shows the password", err)
		}
	})
}

func TestProxySOCKS5Refusals(t *testing.T) {
	echo := listenEcho(t)
	u := startSOCKS5(t, &socks5.Config{Rules: denyPort(echo.Port)})
	t.Run("forbidden", func(t *testing.T) {
		c, err := proxyDial(t, u, echo.String())
		wantProxyErr(t, c, err, "dial", ErrProxyForbidden, echo.String())
		var oe *net.OpError
		if errors.As(err, &oe); oe.Addr == nil || oe.Addr.String() != echo.String() {
			t.Errorf("Addr = %v, want the target %v", oe.Addr, echo)
		}
	})
	t.Run("refused", func(t *testing.T) {
		target := closedPort(t)
		c, err := proxyDial(t, u, target)
		wantProxyErr(t, c, err, "dial", ErrProxyRefused, "refused")
		if errors.Is(err, ErrProxyForbidden) {
			t.Errorf("refused matches ErrProxyForbidden: %v", err)
		}
	})
	t.Run("proxy down", func(t *testing.T) {
		down := &url.URL{Scheme: "socks5", Host: closedPort(t)}
		c, err := proxyDial(t, down, echo.String())
		if err == nil {
			c.Close()
			t.Fatal("dial through a closed port succeeded")
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "proxyconnect" || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("err = %v, want proxyconnect ... connection refused", err)
		}
	})
}

// connectProxy is an HTTP CONNECT proxy built on net/http: it hijacks the
// connection and splices it to the target. With user set it wants Basic
// credentials.
type connectProxy struct {
	user, pass string
	mu         sync.Mutex
	targets    []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			http.Error(w, "credentials please", http.StatusProxyAuthRequired)
			return
		}
	}
	p.mu.Lock()
	p.targets = append(p.targets, r.Host)
	p.mu.Unlock()
	host := r.Host
	if h, port, err := net.SplitHostPort(host); err == nil && strings.HasSuffix(h, ".test") {
		host = net.JoinHostPort("127.0.0.1", port)
	}
	target, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		target.Close()
		return
	}
	go func() {
		defer target.Close()
		if n := brw.Reader.Buffered(); n > 0 {
			b, _ := brw.Reader.Peek(n)
			target.Write(b)
		}
		io.Copy(target, c)
	}()
	go func() {
		defer c.Close()
		io.Copy(c, target)
	}()
}

func startConnectProxy(t testing.TB, p *connectProxy) *url.URL {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func TestProxyHTTPConnect(t *testing.T) {
	echo := listenEcho(t)
	p := &connectProxy{user: "bob", pass: "pa ss"}
	u := startConnectProxy(t, p)
	t.Run("ok", func(t *testing.T) {
		u := *u
		u.User = url.UserPassword("bob", "pa ss")
		target := net.JoinHostPort("echo.test", strconv.Itoa(echo.Port))
		c, err := proxyDial(t, &u, target)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		roundTrip(t, c, "through CONNECT")
		p.mu.Lock()
		got := p.targets[len(p.targets)-1]
		p.mu.Unlock()
		if got != target {
			t.Errorf("proxy saw CONNECT %q, want %q", got, target)
		}
	})
	t.Run("407", func(t *testing.T) {
		c, err := proxyDial(t, u, echo.String())
		wantProxyErr(t, c, err, "proxyconnect", ErrProxyAuth, "407")
	})
	t.Run("502", func(t *testing.T) {
		u := *u
		u.User = url.UserPassword("bob", "pa ss")
		c, err := proxyDial(t, &u, closedPort(t))
		wantProxyErr(t, c, err, "dial", ErrProxyUnreachable, "502")
	})
	t.Run("ipv6 literal target", func(t *testing.T) {
		u := *u
		u.User = url.UserPassword("bob", "pa ss")
		ln, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Skip("no IPv6 loopback:", err)
		}
		ln.Close()
		// The proxy dials [::1] on a closed port: the point is that the
		// CONNECT line carried a well-formed bracketed literal.
		c, err := proxyDial(t, &u, ln.Addr().String())
		wantProxyErr(t, c, err, "dial", ErrProxyUnreachable, "502")
		p.mu.Lock()
		got := p.targets[len(p.targets)-1]
		p.mu.Unlock()
		if got != ln.Addr().String() {
			t.Errorf("proxy saw CONNECT %q, want %q", got, ln.Addr())
		}
	})
}

// startPeer runs the proxy program bin (skipping the test when it is
// not installed) with args, where "CONF" is replaced by a file holding
// conf and "DIR" by a temporary directory ("PORT" in conf by a free
// 127.0.0.1 port), and waits until it listens; it returns the port.
func startPeer(t *testing.T, bins []string, conf string, args ...string) string {
	t.Helper()
	bin := ""
	for _, b := range bins {
		if p, err := exec.LookPath(b); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skipf("%s is not installed", bins[0])
	}
	_, port, _ := net.SplitHostPort(closedPort(t))
	dir := t.TempDir()
	path := filepath.Join(dir, "proxy.conf")
	if err := os.WriteFile(path, []byte(strings.NewReplacer("PORT", port, "DIR", dir).Replace(conf)), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(strings.ReplaceAll(a, "CONF", path), "DIR", dir)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	// danted forks workers that inherit stderr: kill the whole process
	// group, and never let Wait block on a pipe a straggler holds open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Skipf("%s does not start: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-exited })
	addr := net.JoinHostPort("127.0.0.1", port)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return port
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %s", bin, stderr.Bytes())
		default:
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%s does not listen on %s: %v", bin, addr, err)
		}
	}
}

// TestProxyTinyproxy runs Debian's tinyproxy (skipped when it is not
// installed) with Basic auth and one ConnectPort on a free 127.0.0.1
// port.
func TestProxyTinyproxy(t *testing.T) {
	echo := listenEcho(t)
	port := startPeer(t, []string{"tinyproxy", "/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"},
		fmt.Sprintf("Port PORT\nListen 127.0.0.1\nTimeout 30\nMaxClients 10\nAllow 127.0.0.1\n"+
			"BasicAuth carol secret\nConnectPort %d\nLogLevel Critical\nLogFile \"DIR/log\"\nPidFile \"DIR/pid\"\n", echo.Port),
		"-d", "-c", "CONF")
	u := &url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", port)}
	c, err := proxyDial(t, u, echo.String())
	wantProxyErr(t, c, err, "proxyconnect", ErrProxyAuth, "407")

	u.User = url.UserPassword("carol", "secret")
	c, err = proxyDial(t, u, echo.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "through tinyproxy")

	// Only ConnectPort is allowed: 403.
	c, err = proxyDial(t, u, closedPort(t))
	wantProxyErr(t, c, err, "dial", ErrProxyForbidden, "403")
}

// TestProxyDante runs Debian's dante server (skipped when it is not
// installed or the test is not root, which its configuration needs) for
// SOCKS4 and SOCKS5 against a real peer, with a rule blocking one port.
func TestProxyDante(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("dante's user.privileged needs root")
	}
	echo := listenEcho(t)
	blocked := listenEcho(t)
	port := startPeer(t, []string{"danted", "/usr/sbin/danted"}, fmt.Sprintf(
		"logoutput: stderr\ninternal: 127.0.0.1 port = PORT\nexternal: 127.0.0.1\n"+
			"socksmethod: none\nclientmethod: none\nuser.privileged: root\nuser.unprivileged: nobody\n"+
			"client pass { from: 127.0.0.1/32 to: 0.0.0.0/0 }\n"+
			"socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = %d log: error }\n"+
			"socks pass { from: 127.0.0.1/32 to: 127.0.0.1/32 log: error }\n", blocked.Port),
		"-f", "CONF", "-N", "1", "-p", "DIR/pid")
	proxyAt := func(scheme string) *url.URL {
		return &url.URL{Scheme: scheme, Host: net.JoinHostPort("127.0.0.1", port)}
	}
	for _, scheme := range []string{"socks4", "socks4a", "socks5"} {
		t.Run(scheme, func(t *testing.T) {
			c, err := proxyDial(t, proxyAt(scheme), echo.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			roundTrip(t, c, "through dante with "+scheme)

			c, err = proxyDial(t, proxyAt(scheme), blocked.String())
			wantProxyErr(t, c, err, "dial", ErrProxyForbidden, blocked.String())
		})
	}
	t.Run("refused", func(t *testing.T) {
		c, err := proxyDial(t, proxyAt("socks5"), closedPort(t))
		wantProxyErr(t, c, err, "dial", ErrProxyRefused, "refused")
	})
}

func TestProxyHTTPTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	defer srv.Close()
	u := startSOCKS5(t, &socks5.Config{})
	pd, err := NewProxyDialer(u, &Dialer{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: pd.DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := range 3 { // the second and third reuse the tunnel
		resp, err := client.Get(srv.URL + "/p" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "hello /p"+strconv.Itoa(i) {
			t.Fatalf("body = %q, %v", body, err)
		}
	}
}

// silentProxy accepts connections and never answers.
func silentProxy(t testing.TB) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return &url.URL{Scheme: "socks5", Host: ln.Addr().String()}
}

func TestProxyContext(t *testing.T) {
	u := silentProxy(t)
	pd := &ProxyDialer{URL: u}
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		c, err := pd.DialContext(ctx, "tcp", "127.0.0.1:80")
		if err == nil {
			c.Close()
			t.Fatal("dial through a silent proxy succeeded")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
		var ne net.Error
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) ||
			!errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want a timeout matching context.DeadlineExceeded", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		c, err := pd.DialContext(ctx, "tcp", "127.0.0.1:80")
		if err == nil {
			c.Close()
			t.Fatal("dial through a silent proxy succeeded")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("dialer timeout", func(t *testing.T) {
		d := &Dialer{Timeout: 150 * time.Millisecond, Proxy: u}
		c, err := d.Dial("tcp", "127.0.0.1:80")
		if err == nil {
			c.Close()
			t.Fatal("dial through a silent proxy succeeded")
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("err = %v, want a timeout", err)
		}
	})
	t.Run("https proxy silent in the TLS handshake", func(t *testing.T) {
		u := *u
		u.Scheme = "https"
		// The deadline must fire in the TLS handshake, after the TCP
		// connect to the proxy (else the error is a dial's, not a
		// proxyconnect's): 2 s is ample for a loopback connect under load.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := (&ProxyDialer{URL: &u}).DialContext(ctx, "tcp", "127.0.0.1:80")
		if err == nil {
			c.Close()
			t.Fatal("dial through a silent proxy succeeded")
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "proxyconnect" || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want proxyconnect matching context.DeadlineExceeded", err)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if c, err := pd.DialContext(ctx, "tcp", "127.0.0.1:80"); !errors.Is(err, context.Canceled) {
			if c != nil {
				c.Close()
			}
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// A proxyStep of a scripted proxy: read want request bytes (the request
// head for "http"), write reply, and hang up if hangup is set.
type proxyStep struct {
	want   int
	reply  []byte
	hangup bool
}

// scriptedProxy plays script on each connection, then echoes: a proxy
// whose last reply may carry data of the target right behind it.
func scriptedProxy(t testing.TB, scheme string, script ...proxyStep) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for _, st := range script {
					if scheme == "http" {
						for { // request head
							line, err := br.ReadString('\n')
							if err != nil {
								return
							}
							if line == "\r\n" {
								break
							}
						}
					} else if _, err := io.ReadFull(br, make([]byte, st.want)); err != nil {
						return
					}
					if _, err := c.Write(st.reply); err != nil || st.hangup {
						return
					}
				}
				io.Copy(c, br)
			}()
		}
	}()
	return &url.URL{Scheme: scheme, Host: ln.Addr().String()}
}

func TestProxyLeftoverBytes(t *testing.T) {
	banner := "220 banner from the target\r\n"
	socks4Reply := append([]byte{0, 0x5a, 0, 80, 127, 0, 0, 1}, banner...)
	socks5Reply := append([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 80}, banner...)
	cases := []struct {
		name   string
		scheme string
		script []proxyStep
	}{
		// SOCKS4 CONNECT to 127.0.0.1:80 with an empty user id: 9 bytes.
		{"socks4", "socks4", []proxyStep{{want: 9, reply: socks4Reply}}},
		// SOCKS5: greeting (3 bytes), method "none", CONNECT (10 bytes).
		{"socks5", "socks5", []proxyStep{{want: 3, reply: []byte{5, 0}}, {want: 10, reply: socks5Reply}}},
		{"http", "http", []proxyStep{{reply: []byte("HTTP/1.1 200 Connection established\r\nX-A: b\r\n\r\n" + banner)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := scriptedProxy(t, tc.scheme, tc.script...)
			c, err := proxyDial(t, u, "127.0.0.1:80")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.RemoteAddr().String() != "127.0.0.1:80" {
				t.Errorf("RemoteAddr = %v", c.RemoteAddr())
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			got := make([]byte, len(banner))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != banner {
				t.Fatalf("first read = %q, %v; want the bytes that followed the reply", got, err)
			}
			roundTrip(t, c, "then the echo")
			if cw, ok := c.(interface{ CloseWrite() error }); !ok {
				t.Errorf("%T has no CloseWrite", c)
			} else if err := cw.CloseWrite(); err != nil {
				t.Errorf("CloseWrite: %v", err)
			} else if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("after CloseWrite, Read = %d, %v; want EOF", n, err)
			}
		})
	}
}

func TestProxyProtocolErrors(t *testing.T) {
	step := func(want int, reply string, hangup bool) []proxyStep {
		return []proxyStep{{want: want, reply: []byte(reply), hangup: hangup}}
	}
	cases := []struct {
		name   string
		scheme string
		script []proxyStep
		kind   error
	}{
		{"socks5 bad version", "socks5", step(3, "\x04\x00", false), ErrProxyProtocol},
		{"socks5 closes early", "socks5", step(3, "\x05", true), ErrProxyProtocol},
		{"socks5 closes after method", "socks5", step(3, "\x05\x00", true), ErrProxyProtocol},
		{"socks5 unknown method", "socks5", step(3, "\x05\x07", false), ErrProxyProtocol},
		{"socks5 no acceptable method", "socks5", step(3, "\x05\xff", false), ErrProxyAuth},
		{"socks5 reply before request", "socks5", step(3, "\x05\x00\x05\x00\x00\x01", false), ErrProxyProtocol},
		{"socks5 bad address type", "socks5", []proxyStep{{want: 3, reply: []byte{5, 0}}, {want: 10, reply: []byte{5, 0, 0, 9, 0, 0}}}, ErrProxyProtocol},
		{"socks4 bad version", "socks4", step(9, "\x04\x5a\x00\x00\x00\x00\x00\x00", false), ErrProxyProtocol},
		{"http closes in head", "http", step(0, "HTTP/1.1 200 OK\r\n", true), ErrProxyProtocol},
		{"http garbage", "http", step(0, "SSH-2.0-OpenSSH\r\n\r\n", false), ErrProxyProtocol},
		{"http 403", "http", step(0, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", false), ErrProxyForbidden},
		{"http endless head", "http", step(0, "HTTP/1.1 200 OK\r\n"+strings.Repeat("X-Pad: 0123456789\r\n", 2000), false), ErrProxyProtocol},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := scriptedProxy(t, tc.scheme, tc.script...)
			c, err := proxyDial(t, u, "127.0.0.1:80")
			if err == nil {
				c.Close()
				t.Fatal("dial succeeded")
			}
			if !errors.Is(err, tc.kind) || !errors.Is(err, ErrProxy) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
		})
	}
}

// A request the proxy type cannot carry fails before the proxy is
// contacted: SOCKS4 with a name, credentials over 255 bytes.
func TestProxyUnsupportedRequests(t *testing.T) {
	u := silentProxy(t) // a dial that reached it would time out
	d := &Dialer{Timeout: 5 * time.Second, Proxy: u}
	u.Scheme = "socks4"
	c, err := d.Dial("tcp", "echo.test:80")
	wantProxyErr(t, c, err, "dial", ErrProxyUnsupported, "SOCKS4")
	u.Scheme = "socks5"
	u.User = url.UserPassword(strings.Repeat("u", 256), "p")
	c, err = d.Dial("tcp", "127.0.0.1:80")
	wantProxyErr(t, c, err, "dial", ErrProxyUnsupported, "SOCKS5")
	if strings.Contains(err.Error(), strings.Repeat("u", 256)) {
		t.Errorf("error shows the user name")
	}
	// Targets no proxy request can carry (no header injection into the
	// CONNECT request).
	u.Scheme, u.User = "http", nil
	for _, target := range []string{strings.Repeat("h", 256) + ":80", "a\r\nX-Injected\r\n:80", "a\x00b:80"} {
		c, err = d.Dial("tcp", target)
		wantProxyErr(t, c, err, "dial", ErrProxyUnsupported, "")
	}
	// The C library caps credentials at 255 bytes for HTTP too.
	u.Scheme = "http"
	u.User = url.UserPassword("u", strings.Repeat("p", 256))
	c, err = d.Dial("tcp", "127.0.0.1:80")
	wantProxyErr(t, c, err, "dial", ErrProxyUnsupported, "password longer than 255")
}

func TestProxyBadURLs(t *testing.T) {
	for _, raw := range []string{
		"ftp://127.0.0.1:21",
		"localhost:1080", // scheme "localhost"
		"socks5://",
		"socks5://:1080",
		"socks5://127.0.0.1:0",
		"socks5://127.0.0.1:65536",
		"http://:pw@127.0.0.1:3128",
		"socks5:opaque",
		"socks5://" + strings.Repeat("a", 256) + ":1080",
	} {
		t.Run(raw, func(t *testing.T) {
			u, err := url.Parse(raw)
			if err != nil {
				t.Skip("net/url already rejects it:", err)
			}
			if _, err := NewProxyDialer(u, nil); !errors.Is(err, ErrProxy) {
				t.Errorf("NewProxyDialer: err = %v, want ErrProxy", err)
			}
			c, err := proxyDial(t, u, "127.0.0.1:80")
			if err == nil {
				c.Close()
				t.Fatal("dial succeeded")
			}
			var oe *net.OpError
			if !errors.As(err, &oe) || !errors.Is(err, ErrProxy) || !strings.Contains(err.Error(), "invalid proxy URL") {
				t.Errorf("err = %v, want an *net.OpError for the proxy URL", err)
			}
		})
	}
	if _, err := NewProxyDialer(nil, nil); !errors.Is(err, ErrProxy) {
		t.Errorf("NewProxyDialer(nil): err = %v", err)
	}
	u := &url.URL{Scheme: "socks5", Host: "127.0.0.1:1"}
	for _, tc := range []struct{ network, address string }{
		{"udp", "127.0.0.1:53"}, {"unix", "/tmp/x"}, {"tcp", "127.0.0.1"}, {"tcp", "127.0.0.1:0"},
		{"tcp4", "[::1]:80"}, {"tcp", ":80"},
	} {
		c, err := (&ProxyDialer{URL: u}).Dial(tc.network, tc.address)
		if err == nil {
			c.Close()
			t.Errorf("Dial(%q, %q) succeeded", tc.network, tc.address)
		} else if strings.Contains(err.Error(), "proxyconnect") {
			t.Errorf("Dial(%q, %q) = %v; want it rejected before reaching the proxy", tc.network, tc.address, err)
		}
	}
}

// TestProxyChain reaches a SOCKS5 proxy through an HTTP CONNECT proxy:
// the Forward dialer's own Proxy.
func TestProxyChain(t *testing.T) {
	echo := listenEcho(t)
	first := startConnectProxy(t, &connectProxy{})
	second := startSOCKS5(t, &socks5.Config{})
	pd := &ProxyDialer{URL: second, Forward: &Dialer{Proxy: first}}
	c, err := pd.DialContext(context.Background(), "tcp", echo.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "two hops")
}

// TestProxyHTTPS runs CONNECT over TLS to the proxy (the "https"
// scheme): verified against the test CA, refused with another CA and by
// the default context (system trust store).
func TestProxyHTTPS(t *testing.T) {
	p := newTestPKI(t)
	echo := listenEcho(t)
	srv := httptest.NewUnstartedServer(&connectProxy{})
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	u, _ := url.Parse(srv.URL) // https://127.0.0.1:port
	t.Run("ok", func(t *testing.T) {
		pd := &ProxyDialer{URL: u, TLSContext: mustTLSContext(t, &TLSConfig{CAFile: p.caFile})}
		c, err := pd.DialContext(context.Background(), "tcp", echo.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, ok := c.(*TLSConn); !ok {
			t.Errorf("tunnel is a %T, want the *TLSConn to the proxy", c)
		}
		if c.RemoteAddr().String() != echo.String() {
			t.Errorf("RemoteAddr = %v, want %v", c.RemoteAddr(), echo)
		}
		roundTrip(t, c, "CONNECT over TLS")
	})
	for name, tc := range map[string]*TLSContext{
		"other CA":       mustTLSContext(t, &TLSConfig{CAFile: p.otherCAFile}),
		"system roots":   nil,
		"wrong hostname": mustTLSContext(t, &TLSConfig{CAFile: p.caFile, ServerName: "proxy.invalid"}),
	} {
		t.Run(name, func(t *testing.T) {
			pd := &ProxyDialer{URL: u, TLSContext: tc}
			c, err := pd.DialContext(context.Background(), "tcp", echo.String())
			if err == nil {
				c.Close()
				t.Fatal("dial through an unverified proxy succeeded")
			}
			var oe *net.OpError
			if !errors.As(err, &oe) || oe.Op != "proxyconnect" || !errors.Is(err, ErrTLSVerify) {
				t.Fatalf("err = %v, want proxyconnect matching ErrTLSVerify", err)
			}
		})
	}
}

// An http.Client whose connections go through a SOCKS5 proxy; the
// Dialer's Timeout bounds the connection to the proxy.
func ExampleNewProxyDialer() {
	u, err := url.Parse("socks5://user:password@127.0.0.1:1080")
	if err != nil {
		log.Fatal(err)
	}
	pd, err := NewProxyDialer(u, &Dialer{Timeout: 5 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DialContext: pd.DialContext}}
	resp, err := client.Get("http://example.com/")
	if errors.Is(err, ErrProxyAuth) {
		log.Fatal("the proxy refused the credentials")
	} else if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
}

// A Dialer with Proxy set dials through it; the other fields apply to
// the connection to the proxy, Timeout to the whole dial.
func ExampleDialer_proxy() {
	d := &Dialer{
		Timeout: 10 * time.Second,
		Proxy:   &url.URL{Scheme: "http", Host: "proxy.example:3128", User: url.UserPassword("user", "password")},
	}
	c, err := d.Dial("tcp", "example.com:443")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.RemoteAddr()) // the target, as the proxy was asked for it
}

// The proxy may be given by name: the hop is an ordinary dial (resolver,
// Happy Eyeballs over localhost's addresses).
func TestProxyByName(t *testing.T) {
	echo := listenEcho(t)
	u := startSOCKS5(t, &socks5.Config{})
	_, port, _ := net.SplitHostPort(u.Host)
	u.Host = net.JoinHostPort("localhost", port)
	c, err := proxyDial(t, u, echo.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "proxy by name")
}

// One ProxyDialer used by many goroutines at once.
func TestProxyConcurrentDials(t *testing.T) {
	echo := listenEcho(t)
	u := startSOCKS5(t, &socks5.Config{})
	pd, err := NewProxyDialer(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := pd.DialContext(ctx, "tcp", echo.String())
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			msg := []byte("goroutine " + strconv.Itoa(i))
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(msg); err != nil {
				errc <- err
				return
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				errc <- fmt.Errorf("echo %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}
