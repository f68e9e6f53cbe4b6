package gosocket

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzIPKeys feeds arbitrary client addresses and CIDR blocks through the
// C parsers behind IPTracker and SYNProtect (fuzz/fuzz_ipaddr.c is the C
// harness). Whatever the input: no crash, counts stay consistent, and an
// address Go's netip accepts is the same key as its canonical form.
func FuzzIPKeys(f *testing.F) {
	for _, s := range []string{
		"10.0.0.1", "::1", "::ffff:10.0.0.1", "2001:db8::1", "2001:DB8:0::1",
		"10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0", "::/0", "10.0.0.0/33",
		"10.0.0.0/", "1.2.3", "fe80::1%eth0", "", "x", "1.2.3.4\x00junk",
		strings.Repeat("1", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := NewIPTracker(2, 16)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if s == "" {
			// The contract: "" is allowed and never counted.
			if !tr.Track(s) || tr.Count(s) != 0 || tr.Total() != 0 {
				t.Fatal(`Track("") must allow without counting`)
			}
		} else if tr.Track(s) {
			if n := tr.Count(s); n != 1 {
				t.Fatalf("Count(%q) = %d after one Track", s, n)
			}
			if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
				if canon := a.Unmap().String(); tr.Count(canon) != 1 {
					t.Fatalf("%q and its canonical form %q are different keys", s, canon)
				}
			}
			tr.Release(s)
			if n, total := tr.Count(s), tr.Total(); n != 0 || total != 0 {
				t.Fatalf("after Release(%q): Count %d, Total %d", s, n, total)
			}
		}

		sp, err := NewSYNProtect(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		added := sp.WhitelistAddCIDR(s)
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Zone() == "" {
			if !added {
				t.Fatalf("WhitelistAddCIDR(%q) refused a prefix netip accepts", s)
			}
			if in := p.Masked().Addr().String(); !sp.WhitelistContains(in) {
				t.Fatalf("%q whitelisted but %s (inside it) is not", s, in)
			}
		}
		sp.Check(s)
		sp.WhitelistRemove(s)
	})
}
