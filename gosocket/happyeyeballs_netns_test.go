//go:build linux

package gosocket

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Happy Eyeballs cases that need addresses loopback cannot provide (an
// IPv6 destination that silently drops SYNs) run in a child test process
// inside its own network and mount namespaces: a veth pair gives the
// black-hole addresses a route, static neighbour entries make their SYNs
// vanish, and a private /etc/hosts maps test names to them. The namespaces
// belong to the child, so they disappear with it on every exit path.

const (
	netnsEnv        = "GOSOCKET_TEST_NETNS_CHILD"
	netnsBlackhole6 = "2001:db8:1::2"
	netnsBlackhole4 = "10.99.0.2"
)

var netnsSetup = []string{
	"ip link set lo up",
	"ip link add hev0 type veth peer name hev1",
	"ip link set hev0 up",
	"ip link set hev1 up",
	"ip -6 addr add 2001:db8:1::1/64 dev hev0 nodad",
	"ip -6 neigh replace " + netnsBlackhole6 + " lladdr 02:00:00:00:00:02 dev hev0 nud permanent",
	"ip addr add 10.99.0.1/24 dev hev0",
	"ip neigh replace " + netnsBlackhole4 + " lladdr 02:00:00:00:00:04 dev hev0 nud permanent",
}

const netnsHosts = `127.0.0.1 localhost
::1 localhost
` + netnsBlackhole6 + ` dual.he.test
127.0.0.1 dual.he.test
::1 both.he.test
127.0.0.1 both.he.test
127.0.0.1 v4.he.test
::1 v6.he.test
` + netnsBlackhole6 + ` none.he.test
` + netnsBlackhole4 + ` none.he.test
`

func TestHappyEyeballsNetns(t *testing.T) {
	if os.Getenv(netnsEnv) == "" {
		runNetnsChild(t)
		return
	}
	for _, cmd := range netnsSetup {
		if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
			t.Skipf("namespace setup %q: %v: %s", cmd, err, out)
		}
	}
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte(netnsHosts), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "--bind", hosts, "/etc/hosts").CombinedOutput(); err != nil {
		t.Skipf("mount --bind hosts: %v: %s", err, out)
	}
	requireSilent(t, netip.AddrPortFrom(netip.MustParseAddr(netnsBlackhole6), 9))

	// One port for both families: a dual-stack listener on [::].
	ln, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port

	t.Run("ipv6-blackhole-ipv4-wins", func(t *testing.T) {
		addrs, err := Resolve(context.Background(), "dual.he.test", port)
		if err != nil || len(addrs) != 2 || !addrs[0].Addr().Is6() {
			t.Skipf("resolver order %v (%v): the race needs IPv6 first", addrs, err)
		}
		d := &Dialer{Timeout: 10 * time.Second}
		start := time.Now()
		c, err := d.Dial("tcp", net.JoinHostPort("dual.he.test", strconv.Itoa(port)))
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer c.Close()
		if ap := addrPortOf(c.RemoteAddr()); !ap.Addr().Is4() {
			t.Errorf("winner %v, want the IPv4 address", ap)
		}
		// The Connection Attempt Delay plus a loopback RTT, not the
		// dialer's 10 s timeout of the blackholed IPv6 attempt; the upper
		// bound is generous for a loaded machine.
		if elapsed < DefaultFallbackDelay-20*time.Millisecond || elapsed > DefaultFallbackDelay+5*time.Second {
			t.Errorf("IPv4 won after %v, want about %v", elapsed, DefaultFallbackDelay)
		}
		t.Logf("IPv4 won after %v", elapsed)
	})

	t.Run("both-work-ipv6-wins", func(t *testing.T) {
		c, err := Dial("tcp", net.JoinHostPort("both.he.test", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer c.Close()
		addrs, err := Resolve(context.Background(), "both.he.test", port)
		if err != nil || len(addrs) == 0 {
			t.Fatalf("Resolve = %v, %v", addrs, err)
		}
		want := addrs[0].Addr() // RFC 6724 order: ::1 before 127.0.0.1
		if got := addrPortOf(c.RemoteAddr()).Addr(); got != want || !got.Is6() {
			t.Errorf("winner %v, want the preferred IPv6 address %v", got, want)
		}
	})

	for _, name := range []string{"v4.he.test", "v6.he.test"} {
		t.Run("only-"+name, func(t *testing.T) {
			c, err := Dial("tcp", net.JoinHostPort(name, strconv.Itoa(port)))
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			c.Close()
		})
	}

	t.Run("none-reachable-times-out", func(t *testing.T) {
		d := &Dialer{Timeout: 800 * time.Millisecond}
		start := time.Now()
		_, err := d.Dial("tcp", net.JoinHostPort("none.he.test", strconv.Itoa(port)))
		elapsed := time.Since(start)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Dial = %v, want a timeout", err)
		}
		if elapsed > 8*time.Second { // generous for load; the kernel would give up much later
			t.Errorf("timed out after %v, want about 800ms", elapsed)
		}
	})
}

// runNetnsChild reruns this test as root in new network and mount
// namespaces; skipped where that is impossible.
func runNetnsChild(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare(1) not found")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip(8) not found")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(unshare, "--net", "--mount", "--propagation", "private", "--",
		exe, "-test.run", "^TestHappyEyeballsNetns$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		if strings.Contains(text, "unshare failed") || strings.Contains(text, "Operation not permitted") {
			t.Skipf("cannot create namespaces: %s", text)
		}
		t.Fatalf("namespace child failed: %v\n%s", err, text)
	}
	if strings.Contains(text, "--- SKIP: TestHappyEyeballsNetns ") {
		t.Skipf("child skipped:\n%s", text)
	}
	t.Logf("child:\n%s", text)
}

// requireSilent skips unless a SYN to ap goes unanswered (no RST, no ICMP).
func requireSilent(t *testing.T, ap netip.AddrPort) {
	t.Helper()
	c, err := DialTimeout("tcp", ap.String(), 300*time.Millisecond)
	if err == nil {
		c.Close()
		t.Skipf("%v answered; not a black hole here", ap)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Skipf("%v failed with %v, not silently", ap, err)
	}
}

func addrPortOf(a net.Addr) netip.AddrPort {
	ap, _ := netip.ParseAddrPort(a.String())
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
