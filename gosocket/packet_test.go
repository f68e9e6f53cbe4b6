package gosocket

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

func TestPacketConnRoundTrip(t *testing.T) {
	for _, tt := range []struct{ network, addr, peer string }{
		{"udp", "127.0.0.1:0", "127.0.0.1"},
		{"udp4", ":0", "127.0.0.1"},
		{"udp", ":0", "127.0.0.1"}, // dual-stack socket, IPv4 peer unmapped
		{"udp6", "[::1]:0", "::1"},
	} {
		t.Run(tt.network+"_"+tt.addr, func(t *testing.T) {
			a, err := ListenPacket(tt.network, tt.addr)
			if err != nil {
				if tt.network == "udp6" {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			defer a.Close()
			b, err := ListenPacket(tt.network, tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			peer := netip.MustParseAddr(tt.peer)
			bAddr := &net.UDPAddr{IP: peer.AsSlice(), Port: b.LocalAddr().(*net.UDPAddr).Port}
			for i, msg := range []string{"hello", "", "world"} {
				if n, err := a.WriteTo([]byte(msg), bAddr); err != nil || n != len(msg) {
					t.Fatalf("WriteTo = %d, %v", n, err)
				}
				buf := make([]byte, 64)
				b.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, from, err := b.ReadFrom(buf)
				if err != nil || string(buf[:n]) != msg {
					t.Fatalf("datagram %d: %q, %v", i, buf[:n], err)
				}
				ua := from.(*net.UDPAddr)
				if ua.Port != a.LocalAddr().(*net.UDPAddr).Port || !ua.IP.Equal(peer.AsSlice()) {
					t.Errorf("sender %v, want %v port %d", ua, peer, a.LocalAddr().(*net.UDPAddr).Port)
				}
				// Reply to where it came from.
				if _, err := b.WriteTo(buf[:n], from); err != nil {
					t.Fatal(err)
				}
				a.SetReadDeadline(time.Now().Add(5 * time.Second))
				if n, _, err := a.ReadFrom(buf); err != nil || string(buf[:n]) != msg {
					t.Fatalf("reply %q, %v", buf[:n], err)
				}
			}
		})
	}
}

func TestPacketConnDeadlineAndClose(t *testing.T) {
	p, err := ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, _, err = p.ReadFrom(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrom past deadline = %v", err)
	}
	p.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, _, err := p.ReadFrom(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(30 * time.Millisecond)
	p.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrom interrupted by Close = %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := p.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteTo after Close = %v", err)
	}
}

func TestPacketConnOptions(t *testing.T) {
	p, err := ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetTTL(7); err != nil {
		t.Fatal(err)
	}
	if ttl, err := p.TTL(); err != nil || ttl != 7 {
		t.Errorf("TTL = %d, %v; want 7", ttl, err)
	}
	if err := p.SetTTL(0); err == nil {
		t.Error("SetTTL(0) succeeded")
	}
	for _, on := range []bool{true, false} {
		if err := p.SetBroadcast(on); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Broadcast(); err != nil || got != on {
			t.Errorf("Broadcast = %v, %v; want %v", got, err, on)
		}
	}
	if _, err := p.WriteTo([]byte("x"), &net.TCPAddr{}); err == nil {
		t.Error("WriteTo a *net.TCPAddr succeeded")
	}
}

// TestPacketConnMulticast joins and leaves a group on the loopback
// interface (membership only: loopback multicast delivery needs routes
// this test does not create).
func TestPacketConnMulticast(t *testing.T) {
	p, err := ListenPacket("udp4", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skip("no loopback interface:", err)
	}
	group := net.IPv4(239, 1, 2, 3)
	if err := p.JoinGroup(lo, group); err != nil {
		t.Skip("cannot join a group on lo:", err)
	}
	if err := p.JoinGroup(lo, group); err == nil {
		t.Error("joining twice succeeded")
	}
	if err := p.LeaveGroup(lo, group); err != nil {
		t.Fatal(err)
	}
	if err := p.LeaveGroup(lo, group); err == nil {
		t.Error("leaving a group not joined succeeded")
	}
	if err := p.JoinGroup(nil, net.IPv4(127, 0, 0, 1)); err == nil {
		t.Error("joining a unicast address succeeded")
	}
}

// TestPacketConnLargeDatagram: WriteTo takes datagrams up to the UDP
// maximum, as net's does (SocketExt_dgram_sendto), not only up to
// SAFE_UDP_SIZE (1472 bytes) as SocketDgram_sendto.
func TestPacketConnLargeDatagram(t *testing.T) {
	p, err := ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	big := make([]byte, 8000)
	for i := range big {
		big[i] = byte(i)
	}
	if n, err := p.WriteTo(big, p.LocalAddr()); err != nil || n != len(big) {
		t.Fatalf("WriteTo(8000 bytes) = %d, %v", n, err)
	}
	got := make([]byte, 9000)
	p.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := p.ReadFrom(got)
	if err != nil || !bytes.Equal(got[:n], big) {
		t.Fatalf("ReadFrom = %d bytes, %v", n, err)
	}
	if _, err := p.WriteTo(make([]byte, 65508), p.LocalAddr()); !errors.Is(err, ErrSocket) {
		t.Errorf("WriteTo(65508 bytes) = %v, want ErrSocket", err)
	}
}
