package gosocket_test

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libsocket/libsocket/gosocket"
)

func TestIPTracker(t *testing.T) {
	tr, err := gosocket.NewIPTracker(2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Track("10.0.0.1") || !tr.Track("::ffff:10.0.0.1") || tr.Track("10.0.0.1") {
		t.Fatal("limit 2 not applied across canonical forms")
	}
	if tr.Count("10.0.0.1") != 2 || tr.Total() != 2 || tr.UniqueIPs() != 1 || tr.Max() != 2 {
		t.Fatalf("count %d total %d unique %d max %d", tr.Count("10.0.0.1"), tr.Total(), tr.UniqueIPs(), tr.Max())
	}
	tr.Release("10.0.0.1")
	if !tr.Track("10.0.0.1") {
		t.Fatal("release did not free a slot")
	}
	if err := tr.SetMax(0); err != nil || tr.Max() != 0 {
		t.Fatal("SetMax(0)")
	}
	if !tr.Track("") || tr.Total() != 2 {
		t.Fatal(`"" must be allowed and not counted`)
	}
	if tr.Track("1.2.3.4\x00x") {
		t.Fatal("a NUL byte must be refused")
	}
	tr.Clear()
	if tr.Total() != 0 || tr.UniqueIPs() != 0 {
		t.Fatal("Clear")
	}
	tr.Close()
	tr.Close()
	if tr.Track("10.0.0.2") || tr.Count("10.0.0.2") != 0 {
		t.Fatal("use after Close must fail closed")
	}
	if !errors.Is(tr.SetMax(3), gosocket.ErrClosed) {
		t.Fatal("SetMax after Close: want ErrClosed")
	}

	small, err := gosocket.NewIPTracker(0, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if !small.Track("192.0.2.1") || !small.Track("192.0.2.2") || small.Track("192.0.2.3") {
		t.Fatal("maxUnique 2 not applied")
	}
	if _, err := gosocket.NewIPTracker(1, -1); !errors.Is(err, gosocket.ErrIPTracker) {
		t.Fatalf("negative maxUnique: %v", err)
	}
}

func TestSYNProtect(t *testing.T) {
	if _, err := gosocket.NewSYNProtect(&gosocket.SYNProtectConfig{}); !errors.Is(err, gosocket.ErrSYNProtect) ||
		!strings.Contains(err.Error(), "global rate limiter") {
		t.Fatalf("zero config: %v", err)
	}
	cfg := gosocket.DefaultSYNProtectConfig()
	if cfg.Window != 10*time.Second || cfg.MaxAttemptsPerWindow != 50 || cfg.BlockDuration != time.Minute ||
		cfg.ScoreThrottle != 0.7 || cfg.MaxTrackedIPs != 100000 {
		t.Fatalf("defaults: %+v", cfg)
	}
	s, err := gosocket.NewSYNProtect(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var first [4]int
	for i := 1; i <= 31; i++ {
		a := s.Check("198.51.100.7")
		if first[a] == 0 {
			first[a] = i
		}
	}
	// Without time passing (31 checks take microseconds; decay is 0.01/s).
	if first[gosocket.SYNThrottle] != 6 || first[gosocket.SYNChallenge] != 21 || first[gosocket.SYNBlock] != 31 {
		t.Fatalf("first THROTTLE/CHALLENGE/BLOCK at %v", first)
	}
	if gosocket.SYNBlock.String() != "BLOCK" || gosocket.SYNAction(7).String() != "UNKNOWN" {
		t.Fatal("String")
	}
	if !s.WhitelistAddCIDR("10.0.0.0/8") || s.WhitelistAddCIDR("10.0.0.0/33") || !s.WhitelistContains("10.2.3.4") {
		t.Fatal("whitelist CIDR")
	}
	if s.Check("10.2.3.4") != gosocket.SYNAllow {
		t.Fatal("whitelisted IP not allowed")
	}
	s.WhitelistRemove("10.0.0.0/8")
	if s.WhitelistContains("10.2.3.4") || !s.WhitelistAdd("2001:db8::1") || !s.WhitelistContains("2001:DB8::1") {
		t.Fatal("whitelist remove/add")
	}
	if !s.BlacklistAdd("192.0.2.66", 0) || !s.BlacklistContains("192.0.2.66") || s.Check("192.0.2.66") != gosocket.SYNBlock {
		t.Fatal("blacklist")
	}
	s.BlacklistRemove("192.0.2.66")
	if s.BlacklistContains("192.0.2.66") {
		t.Fatal("blacklist remove")
	}
	s.ReportFailure("198.51.100.7")
	s.ReportSuccess("198.51.100.7")
	st := s.Stats()
	if st.TotalAttempts != 33 || st.TotalBlocked != 2 || st.TotalWhitelisted != 1 || st.TrackedIPs != 1 || st.BlockedIPs != 1 {
		t.Fatalf("stats %+v", st)
	}
	if s.Cleanup() != 0 {
		t.Fatal("Cleanup")
	}
	s.Reset()
	if st := s.Stats(); st.TotalAttempts != 0 || st.TrackedIPs != 0 {
		t.Fatalf("after Reset %+v", st)
	}
	s.Close()
	if s.Check("198.51.100.8") != gosocket.SYNBlock {
		t.Fatal("Check after Close must fail closed")
	}
}

// dialAdmitted connects and returns the client end and the server end
// the protected listener admitted (the wait is generous for a loaded
// machine; an admitted connection is one Accept returned).
func dialAdmitted(t *testing.T, addr string, accepted <-chan net.Conn) (net.Conn, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s, ok := <-accepted:
		if !ok {
			c.Close()
			t.Fatal("Accept failed")
		}
		return c, s
	case <-time.After(10 * time.Second):
		c.Close()
		t.Fatal("connection not admitted")
	}
	return nil, nil
}

// dialRejected connects and expects the server to close the connection
// without sending anything.
func dialRejected(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	_, err = c.Read(b[:])
	var ne net.Error
	switch {
	case err == nil:
		t.Fatal("the server sent data on a rejected connection")
	case errors.As(err, &ne) && ne.Timeout():
		t.Fatal("the connection is still open after 10s")
	}
}

func TestProtectListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ips, err := gosocket.NewIPTracker(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ips.Close()
	syn, err := gosocket.NewSYNProtect(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer syn.Close()
	pl := gosocket.ProtectListener(ln, syn, ips)
	accepted := make(chan net.Conn, 8)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := pl.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	addr := ln.Addr().String()

	c1, s1 := dialAdmitted(t, addr, accepted)
	if ips.Count("127.0.0.1") != 1 {
		t.Fatal("not tracked")
	}
	dialRejected(t, addr) // over the per-IP limit
	s1.Close()
	s1.Close() // releases once
	c1.Close()
	if ips.Count("127.0.0.1") != 0 {
		t.Fatalf("count after Close %d", ips.Count("127.0.0.1"))
	}
	c3, s3 := dialAdmitted(t, addr, accepted)
	s3.Close()
	c3.Close()

	syn.BlacklistAdd("127.0.0.1", 0)
	dialRejected(t, addr)
	if st := syn.Stats(); st.TotalBlacklisted != 1 {
		t.Fatalf("stats %+v", st)
	}
	ln.Close()
	wg.Wait()
	if _, ok := <-accepted; ok {
		t.Fatal("a rejected connection was returned")
	}
}
